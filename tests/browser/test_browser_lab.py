"""Every notebook of the book that has an interactive figure, driven in JupyterLab.

The notebooks are found, not listed: a new notebook with a slider is tested without editing this
file. For each one (a fresh copy): open it, Run All, no cell shows an error, the browser console
shows none, every slider is dragged and moved with the arrow keys (then back to its start), and
the figure and its text follow. Screenshots: tests/artifacts/browser/lab/<notebook>/.
"""

from __future__ import annotations

import pytest

import book_browser as bb

pytestmark = pytest.mark.browser

NOTEBOOKS = bb.interactive_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[bb.notebook_id(p) for p in NOTEBOOKS])
def test_every_slider_in_jupyterlab(path, lab_context, lab_server, record_property):
    bb.assert_notebook_works(lab_context, lab_server, path, ui="lab", record_property=record_property)
