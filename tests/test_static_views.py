"""What a reader sees of the book without a kernel: nbconvert's HTML (as nbviewer and most static
sites render it) and GitHub's viewer, which both show a notebook's saved outputs.

Every interactive figure (and the training display) must show its figure there: the saved output
holds a PNG of the figure at the sliders' initial values and no widget view, which those viewers
prefer to the PNG and cannot render (tools/notebooks.py, ``static_outputs``).
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as book  # noqa: E402  (tools/notebooks.py)

PATHS = book.notebook_paths()
EXPORTER = HTMLExporter()
LIVE = re.compile(r"widgets\.interactive_figure\(|progress=True")
PNG = re.compile(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/=]{200,}')

# The widget state a notebook saved with live widgets carries; with it, nbconvert's HTML loads the
# widget JavaScript (the "with widget JavaScript" view).
FAKE_STATE = {"application/vnd.jupyter.widget-state+json": {
    "state": {}, "version_major": 2, "version_minor": 0}}


def _figure_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and LIVE.search(c.source)]


def _html_of(nb, cell, widget_js: bool) -> str:
    one = nbformat.v4.new_notebook(cells=[copy.deepcopy(cell)], metadata=copy.deepcopy(nb.metadata))
    if widget_js:
        one.metadata["widgets"] = FAKE_STATE
    html, _ = EXPORTER.from_notebook_node(one)
    return html


@pytest.mark.parametrize("path", PATHS, ids=[str(p.relative_to(book.NOTEBOOKS)) for p in PATHS])
def test_every_interactive_figure_shows_an_image_in_static_html(path):
    nb = nbformat.read(path, as_version=4)
    cells = _figure_cells(nb)
    assert cells, "every notebook has at least one interactive figure"
    for cell in cells:
        for widget_js in (False, True):
            html = _html_of(nb, cell, widget_js)
            assert PNG.search(html), (
                f"{'with' if widget_js else 'without'} widget JavaScript, this cell shows no "
                f"figure in nbconvert's HTML:\n{cell.source[:300]}")


def test_the_check_fails_on_a_widget_view_without_image():
    """The test above catches the old way of saving: a widget view, no PNG."""
    cell = nbformat.v4.new_code_cell("fig = widgets.interactive_figure(draw, w=(0, 1, 0.1, 0.5))")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2,
                                                      "version_minor": 0},
        "text/plain": "VBox(...)"})]
    html = _html_of(nbformat.v4.new_notebook(), cell, widget_js=True)
    assert not PNG.search(html)
