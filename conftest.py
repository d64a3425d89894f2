"""Root pytest configuration: nbval's sanitizer by absolute path, so `pytest` works from any folder."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def pytest_configure(config):
    if hasattr(config.option, "nbval_sanitize_with"):
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")
