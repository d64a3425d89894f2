"""Fixtures of the website's browser tests: the site built once per session (the representative
subset, tools/site.py --subset, on a coarse grid of frames), a static server for it, and one
headless Chromium (the root conftest.py's). The ``site`` marker is registered here (``-m "not site"`` deselects these
tests; they are marked ``browser`` too, so ``-m "not browser"`` does as well)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import site_browser as sb

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "site-test"
# A coarse grid (at most this many frames per figure) keeps the test build to a minute or two on
# 2 cores; the grid code, the manifest and the page script are the same as for the full grid.
TEST_MAX_FRAMES = 6


def pytest_configure(config):
    config.addinivalue_line("markers", "site: builds the book's website (a subset) and checks "
                                       "its pages in headless Chromium")


@pytest.fixture(scope="session")
def site_build():
    """Build the test subset into build/site-test; returns (html folder, build log)."""
    t0 = time.monotonic()
    # What `python3 tools/run.py site --subset` does, in this (the book's, already set up)
    # environment: .venv-site for Sphinx, then tools/site.py.
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import run
    finally:
        sys.path.remove(str(ROOT / "tools"))
    run.ensure_site_env()
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "site.py"), "--subset",
                           "--max-frames", str(TEST_MAX_FRAMES), "--out", str(OUT)],
                          cwd=ROOT, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    (OUT / "build.log").parent.mkdir(parents=True, exist_ok=True)
    (OUT / "build.log").write_text(log)
    if proc.returncode != 0:
        pytest.fail(f"python3 tools/run.py site --subset failed (exit {proc.returncode}):\n"
                    f"{log[-4000:]}", pytrace=False)
    print(f"site build: {time.monotonic() - t0:.0f} s")
    return OUT / "html", log


@pytest.fixture(scope="session")
def site_server(site_build):
    with sb.SiteServer(site_build[0]) as server:
        yield server


@pytest.fixture(scope="session")
def site_context(browser):
    """A browser context on the root conftest.py's headless Chromium (shared with tests/browser)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        context.close()
