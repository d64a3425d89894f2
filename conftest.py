"""Root pytest configuration.

* nbval's sanitizer is set by absolute path, so `pytest` works from any folder.
* Notebook kernels get the same environment as when their outputs were saved
  (tools/notebooks.py KERNEL_ENV: one BLAS thread, fixed hash seed).
* At the end, one summary line counts unit tests, notebooks (and their cells) and browser tests.
"""

import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))
from notebooks import KERNEL_ENV  # noqa: E402  (tools/notebooks.py)

os.environ.update(KERNEL_ENV)


def pytest_configure(config):
    if hasattr(config.option, "nbval_sanitize_with"):
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")


def _kind(nodeid: str) -> str:
    if ".ipynb::" in nodeid:
        return "notebook"
    if nodeid.startswith(("tests/browser/", "tests/site/")):
        return "browser"
    return "unit"


def pytest_terminal_summary(terminalreporter):
    counts = defaultdict(lambda: defaultdict(int))
    notebooks = defaultdict(set)  # outcome -> notebooks with at least one cell of that outcome
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if not nodeid or getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if outcome == "passed" and report.when != "call":
                continue
            kind = _kind(nodeid)
            counts[kind][outcome] += 1
            if kind == "notebook":
                notebooks[outcome].add(nodeid.split("::")[0])
    if not counts:
        return

    def fmt(c):
        return ", ".join(f"{n} {o}" for o, n in c.items() if n) or "none"

    bad = notebooks["failed"] | notebooks["error"]
    total_nb = len(notebooks["passed"] | bad | notebooks["skipped"])
    lines = [f"unit tests: {fmt(counts['unit'])}"]
    if total_nb:
        lines.append(f"notebooks: {total_nb - len(bad)} of {total_nb} passed "
                     f"({fmt(counts['notebook'])} cells)")
    if counts["browser"]:
        lines.append(f"browser tests: {fmt(counts['browser'])}")
    terminalreporter.write_sep("=", "book test summary")
    for line in lines:
        terminalreporter.write_line(line)
