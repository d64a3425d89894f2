"""The book's interactive notebooks, driven in JupyterLab.

For each one (a fresh copy): open it, Run All, no cell shows an error, the browser console shows
none, every slider is dragged and moved with the arrow keys (then back to its start), and the
figure and its text follow. Screenshots: tests/artifacts/browser/lab/<notebook>/.

Which notebooks: with BOOK_BROWSER_ALL=1, every notebook that has an interactive figure (found,
not listed: a new notebook with a slider is covered without editing this file). By default, to
keep the test command within its time budget on 2 cores, a sample: the introduction and the first
interactive notebook of every series, plus CONTROLS, the notebooks with a kind of control or
display the first ones lack. Every figure is built by helpers/widgets.py, so what the browser adds
(the widget front end, images and text reaching the page, keyboard and mouse) is the same code
path in every notebook; each notebook's own drawing code runs at other slider positions in a
kernel in tests/test_redraw_equality.py, and at every position in `tools/run.py envs colab`.
"""

from __future__ import annotations

import os
import re

import nbformat
import pytest

import book_browser as bb

pytestmark = pytest.mark.browser

# Controls or displays beyond the representatives': dropdowns and several axes, a log slider with
# toggle buttons, the live training display.
CONTROLS = ["01_linear_algebra/05_eigenvalues_and_svd.ipynb", "03_probability/03_bayes_rule.ipynb",
            "05_neural_networks/03_training_on_mnist.ipynb"]
INTERACTIVE = bb.interactive_notebooks()
if os.environ.get("BOOK_BROWSER_ALL") == "1":
    NOTEBOOKS = INTERACTIVE
else:
    _sample = set(bb.series_representatives(INTERACTIVE)) | {bb.NOTEBOOKS / c for c in CONTROLS}
    NOTEBOOKS = [p for p in INTERACTIVE if p in _sample]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[bb.notebook_id(p) for p in NOTEBOOKS])
def test_every_slider_in_jupyterlab(path, lab_context, lab_server, record_property):
    bb.assert_notebook_works(lab_context, lab_server, path, ui="lab", record_property=record_property)


# Opened before running: the same check for every notebook, so three of them (the representatives
# of every series with BOOK_BROWSER_ALL=1).
SAVED = (bb.series_representatives(INTERACTIVE) if os.environ.get("BOOK_BROWSER_ALL") == "1" else
         [p for p in NOTEBOOKS if p.name.startswith(("00_", "01_vectors", "01_convolution"))])


@pytest.mark.parametrize("path", SAVED, ids=[bb.notebook_id(p) for p in SAVED])
def test_a_saved_notebook_shows_its_figures_before_it_runs(path, lab_context, lab_server):
    """A reader who opens a notebook and reads before running anything sees every saved figure
    (interactive ones as their PNG, never "model not found"), and no solution's verdict."""
    nb = nbformat.read(path, as_version=4)
    expected = sum("image/png" in o.get("data", {})
                   for c in nb.cells if c.cell_type == "code"
                   and not c.metadata.get("jupyter", {}).get("outputs_hidden")
                   for o in c.outputs)
    assert expected, "the saved notebook has figures to show"
    rel = path.relative_to(bb.NOTEBOOKS).as_posix()   # the server serves a copy of notebooks/
    page = lab_context.new_page()
    try:
        page.goto(f"{lab_server.url}/lab/tree/{rel}?reset")
        page.wait_for_function(
            f"document.querySelectorAll('.jp-Notebook .jp-OutputArea-output img').length >= {expected}",
            timeout=120_000, polling=200)
        shown = page.locator(".jp-Notebook .jp-OutputArea-output img").count()
        text = page.locator(".jp-Notebook").inner_text()
        verdicts = page.locator(".jp-Notebook .jp-OutputArea-output:visible",
                                has_text=re.compile(r"^\s*Correct")).count()
        page.screenshot(path=str(bb.ARTIFACTS / "lab" / f"saved-{bb.notebook_id(path).replace('/', '__')}.png"))
    finally:
        page.close()
        lab_server.shutdown_kernels()
    assert shown == expected, f"{shown} figures shown, {expected} saved"
    assert "model not found" not in text and "Error displaying widget" not in text
    assert verdicts == 0, "a hidden solution's output shows"
