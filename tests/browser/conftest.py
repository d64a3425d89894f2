"""Fixtures of the browser tests: one Jupyter server per test session (per worker under
pytest-xdist), always stopped at the end, also when a test fails. The headless Chromium they drive
is the root conftest.py's ``browser`` fixture, shared with the website's tests.

Without a Chromium binary the browser tests are skipped with a message that says how to install
one, except under CI (environment variable CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import pytest

import book_browser as bb

# The fixture notebooks are inputs of test_browser_helper.py, not part of the book: nbval must not
# collect them (one of them fails on purpose).
collect_ignore = ["fixtures"]


def _serve(app: str):
    server = bb.JupyterServer(app)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def lab_server():
    yield from _serve("lab")


@pytest.fixture(scope="session")
def notebook_server():
    # Its own server: one server that has served JupyterLab's page answers 403 to some of
    # Notebook 7's font files (jupyter_server caches static files by name across apps).
    yield from _serve("notebook")


def _context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def lab_context(browser, lab_server):
    yield from _context(browser)


@pytest.fixture(scope="session")
def notebook_context(browser, notebook_server):
    yield from _context(browser)


def pytest_terminal_summary(terminalreporter):
    """Seconds per notebook of the browser tests (open, Run All, controls, total)."""
    rows = []
    for key in ("passed", "failed"):
        for rep in terminalreporter.stats.get(key, []):
            props = dict(getattr(rep, "user_properties", []) or [])
            if getattr(rep, "when", "") == "call" and "browser_seconds" in props:
                rows.append((rep.nodeid.split("::")[-1], key, props["browser_seconds"],
                             props.get("browser_paint_ms") or {}))
    if rows:
        terminalreporter.section("browser tests: seconds per notebook; slider move to new image "
                                 "painted, median/worst ms (reported, not asserted)")
        for name, outcome, s, paint in rows:
            painted = (f"paint {paint['median']:5.0f}/{paint['worst']:5.0f} ms  "
                       if "median" in paint else "")
            terminalreporter.write_line(
                f"{s.get('total', 0):6.1f} s  (open {s.get('open', 0):4.1f}, run all "
                f"{s.get('run_all', 0):5.1f}, controls {s.get('controls', 0):5.1f})  "
                f"{painted}{outcome:6s} {name}")
