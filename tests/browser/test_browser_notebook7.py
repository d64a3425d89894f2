"""A sample of the book's interactive notebooks (SAMPLE), in Notebook 7.

Notebook 7 takes the arrow keys for its own navigation, so sliders are moved there by dragging
and with Page Up / Page Down / Home / End (what the introduction tells readers). Screenshots:
tests/artifacts/browser/notebook/<notebook>/.
"""

from __future__ import annotations

import pytest

import book_browser as bb

pytestmark = pytest.mark.browser

# The introduction (which tells readers how to move sliders in Notebook 7) and two notebooks with
# other controls: Notebook 7's own keyboard handling is the same for every notebook.
SAMPLE = ["00_introduction.ipynb", "03_probability/01_random_variables.ipynb",
          "06_convolution_and_attention/01_convolution.ipynb"]
NOTEBOOKS = [p for p in bb.interactive_notebooks()
             if p.relative_to(bb.NOTEBOOKS).as_posix() in SAMPLE]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[bb.notebook_id(p) for p in NOTEBOOKS])
def test_every_slider_in_notebook7(path, notebook_context, notebook_server, record_property):
    bb.assert_notebook_works(notebook_context, notebook_server, path, ui="notebook", record_property=record_property)
