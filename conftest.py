"""Root pytest configuration.

* nbval's sanitizer is set by absolute path, so `pytest` works from any folder.
* Notebook kernels get the same environment as when their outputs were saved
  (tools/notebooks.py KERNEL_ENV: one BLAS thread, fixed hash seed).
* One headless Chromium per test session (per worker under pytest-xdist), shared by the Jupyter
  browser tests (tests/browser) and the website's (tests/site): Playwright's synchronous API allows
  one instance per thread, so the two suites must not each start their own.
* Under pytest-xdist's ``--dist loadscope`` (tools/run.py's default), a notebook's cells stay
  together on one worker as with ``loadfile``, but the modules that run one long test per notebook
  (SPLIT_BY_NOTEBOOK) are spread over the workers notebook by notebook, so that no single worker
  is left with all of one of them.
* At the end, one summary line counts unit tests, notebooks (and their cells) and browser tests.
"""

import os
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))
from notebooks import KERNEL_ENV  # noqa: E402  (tools/notebooks.py)

os.environ.update(KERNEL_ENV)


def pytest_configure(config):
    if hasattr(config.option, "nbval_sanitize_with"):
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")


# Modules whose tests are parametrized by notebook and each take seconds (a kernel or a browser
# runs the whole notebook): their work units are "module + parameter", so the tests of one notebook
# (which may share a cached kernel run) stay on one worker while different notebooks spread out.
SPLIT_BY_NOTEBOOK = ("tests/test_exercise_cells.py", "tests/test_redraw_equality.py",
                     "tests/browser/test_browser_lab.py", "tests/browser/test_browser_notebook7.py",
                     "tests/test_static_views.py")
# ... of which these add their cells to one shared kernel run per notebook (tests/notebook_pass.py)
SHARED_RUN = "tests/notebook_pass.py"
SHARED_RUN_MODULES = ("tests/test_exercise_cells.py", "tests/test_redraw_equality.py")


def work_unit(nodeid: str) -> str:
    """The xdist work unit of a test: its notebook for SPLIT_BY_NOTEBOOK's parametrized tests, its
    module (or class) otherwise, and for nbval's cells their notebook."""
    scope, _, name = nodeid.rpartition("::")
    if scope in SPLIT_BY_NOTEBOOK and name.endswith("]") and "[" in name:
        # the modules that share one kernel run per notebook share its work unit too
        return (SHARED_RUN if scope in SHARED_RUN_MODULES else scope) + name[name.index("["):]
    return scope


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist", None) != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class NotebookScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return NotebookScheduling(config, log)


def _book_browser():
    """tests/browser/book_browser.py, the browser tests' helper (imported only when needed)."""
    folder = str(ROOT / "tests" / "browser")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import book_browser
    return book_browser


@pytest.fixture(scope="session")
def chromium_path() -> str:
    bb = _book_browser()
    path = bb.find_chromium()
    if path is None:
        bb.browser_unavailable(bb.INSTALL_HINT)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """A headless Chromium (Playwright Browser), closed at the end of the session."""
    bb = _book_browser()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        bb.browser_unavailable("the Python package playwright is missing: "
                               "`pip install -r requirements-test.txt` installs it")
    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=chromium_path, args=bb.CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        pw.stop()


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
