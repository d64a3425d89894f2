"""Tests of the browser test helper (book_browser.py) itself.

The browser test: on a fixture notebook whose slider callback raises, the check must fail and
say why. The others need no browser: how notebooks, figures and browsers are found.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import book_browser as bb

BROKEN = bb.FIXTURES / "broken_slider.ipynb"


@pytest.mark.browser
def test_a_slider_whose_callback_raises_fails_the_check(lab_context, lab_server, tmp_path):
    with pytest.raises(bb.BrowserCheckError) as caught:
        bb.check_notebook(lab_context, lab_server, BROKEN, ui="lab", artifacts=tmp_path / "broken",
                          expected_figures=bb.saved_figure_count(BROKEN))
    report = caught.value.report
    message = str(caught.value)
    assert "slider 'k'" in message and "the redraw failed after dragging" in message, message
    assert "ValueError: deliberately broken" in message, message
    # Up to the move, the notebook ran cleanly: the failure is the slider's and nothing else's.
    assert all("slider 'k'" in p for p in report.problems), report.problems
    assert report.seconds["run_all"] > 0
    assert (tmp_path / "broken" / "report.json").is_file()
    assert (tmp_path / "broken" / "fig1-before.png").is_file()


# ---- no browser needed ---------------------------------------------------------------------------


def _figure_output(text="[interactive figure with controls w; shown at their initial values]"):
    return new_output("execute_result", data={
        bb.WIDGET_MIME: {"version_major": 2, "version_minor": 0, "model_id": "abc"},
        "text/plain": text}, execution_count=1)


def _write(path, cells):
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_saved_figure_count_reads_outputs_and_sources(tmp_path):
    none = _write(tmp_path / "none.ipynb", [new_markdown_cell("# x"), new_code_cell("1 + 1")])
    two = _write(tmp_path / "two.ipynb", [
        new_code_cell("f = widgets.interactive_figure(draw, w=(0, 1, 1, 0))\nf",
                      outputs=[_figure_output()]),
        new_code_cell("g", outputs=[_figure_output()]),
        new_code_cell("import ipywidgets", outputs=[_figure_output("IntSlider(value=0)")])])
    unrun = _write(tmp_path / "unrun.ipynb",
                   [new_code_cell("widgets.interactive_figure(draw, w=(0, 1, 1, 0))")])
    assert bb.saved_figure_count(none) == 0
    assert bb.saved_figure_count(two) == 2      # a plain ipywidget is not an interactive figure
    assert bb.saved_figure_count(unrun) is None  # built, but how many are shown is unknown
    assert bb.interactive_notebooks([none, two, unrun]) == [two, unrun]


def test_the_book_and_the_fixture_are_discovered():
    found = bb.interactive_notebooks()
    assert found and found[0].name == "00_introduction.ipynb"
    assert all(p.is_relative_to(bb.NOTEBOOKS) for p in found)
    assert bb.saved_figure_count(BROKEN) == 1


def test_series_representatives_take_the_first_of_each_folder():
    n = bb.NOTEBOOKS
    paths = [n / "00_introduction.ipynb", n / "01_a" / "01_x.ipynb", n / "01_a" / "02_y.ipynb",
             n / "03_c" / "02_z.ipynb"]
    assert bb.series_representatives(paths) == [paths[0], paths[1], paths[3]]


@pytest.mark.parametrize("text, label, token", [
    ("w = +1.50   b = +0.55   loss = 0.329", "w", "+1.50"),
    ("w = +1.50   b = +0.55   loss = 0.329", "b", "+0.55"),
    ("n = 10,000: average 3.4957", "n", "10,000"),
    ("lr: 3e-04, loss 2.1", "lr", "3e-04"),
    ("det A = ad - bc = (0.3)·(1.2)", "b", None),     # 'bc' is not 'b'
    ("rank 3: error 2.1%", "rank", None),             # no '=' or ':' right after the name
    ("anything", "", None),
])
def test_shown_value_finds_the_number_written_after_the_name(text, label, token):
    assert bb.shown_value(text, label) == token


@pytest.mark.parametrize("token, value, expected", [
    ("+1.50", 1.5, True), ("1.50", 1.504, True), ("1.50", 1.506, False), ("\u22120.30", -0.3, True),
    ("10,000", 10000, True), ("10,000", 10001, False), ("3e-04", 0.0003, True),
    ("3e-04", 0.00036, False), ("2", 2.4, True), ("2", 2.6, False),
])
def test_agrees_compares_to_the_digits_shown(token, value, expected):
    assert bb.agrees(token, value) is expected


def test_find_chromium_prefers_book_chromium(tmp_path, monkeypatch):
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BOOK_CHROMIUM", str(fake))
    assert bb.find_chromium() == str(fake)


def test_without_a_browser_tests_skip_but_fail_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert bb.running_in_ci()
    with pytest.raises(pytest.fail.Exception, match="CI=true, so the browser tests must run, but"):
        bb.browser_unavailable(bb.INSTALL_HINT)
    monkeypatch.setenv("CI", "")
    assert not bb.running_in_ci()
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        bb.browser_unavailable(bb.INSTALL_HINT)


def test_server_rejects_an_unknown_app():
    with pytest.raises(ValueError, match="app must be one of"):
        bb.JupyterServer("classic")


def test_fresh_copy_strips_outputs_and_shows_hidden_inputs(tmp_path):
    intro = bb.NOTEBOOKS / "00_introduction.ipynb"
    original = nbformat.read(intro, as_version=4)
    assert any(c.metadata.get("jupyter", {}).get("source_hidden") for c in original.cells)
    server = bb.JupyterServer("lab")
    server.root = tmp_path
    rel = server.fresh_copy(intro)
    assert rel.startswith("00_introduction.browser-")
    copy = nbformat.read(tmp_path / rel, as_version=4)
    assert [c.source for c in copy.cells] == [c.source for c in original.cells]
    for cell in copy.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "source_hidden" not in cell.metadata.get("jupyter", {})
    assert server.fresh_copy(intro) != rel   # every check gets its own copy (and kernel)
    assert server.fresh_copy(BROKEN).startswith("_fixtures/broken_slider.browser-")


@pytest.mark.skipif(sys.platform != "linux", reason="the server's parent-death signal is Linux's")
def test_the_jupyter_server_ends_when_its_test_process_is_killed(tmp_path):
    """A test run killed outright (SIGKILL, as a timeout does) leaves no Jupyter server behind."""
    script = tmp_path / "start.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(Path(bb.__file__).parent)!r})\n"
        "import book_browser as bb\n"
        "server = bb.JupyterServer('lab')\n"
        "server.start()\n"
        "print(server.proc.pid, flush=True)\n"
        "time.sleep(600)\n")
    # TMPDIR: the server's folder, which its killed parent cannot remove, goes to tmp_path
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "TMPDIR": str(tmp_path)})
    try:
        pid = int(parent.stdout.readline())
        os.kill(pid, 0)                        # the server runs
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("the Jupyter server was still running 30 s after its test process was killed")
