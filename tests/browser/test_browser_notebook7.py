"""The introduction and the first interactive notebook of every series folder, in Notebook 7.

Notebook 7 takes the arrow keys for its own navigation, so sliders are moved there by dragging
and with Page Up / Page Down / Home / End (what the introduction tells readers). Screenshots:
tests/artifacts/browser/notebook/<notebook>/.
"""

from __future__ import annotations

import pytest

import book_browser as bb

pytestmark = pytest.mark.browser

NOTEBOOKS = bb.series_representatives(bb.interactive_notebooks())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[bb.notebook_id(p) for p in NOTEBOOKS])
def test_every_slider_in_notebook7(path, notebook_context, notebook_server, record_property):
    bb.assert_notebook_works(notebook_context, notebook_server, path, ui="notebook", record_property=record_property)
