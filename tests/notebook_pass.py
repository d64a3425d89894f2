"""One kernel run per notebook, shared by the test modules that add probe cells to it.

tests/test_exercise_cells.py (wrong and right answers re-run in every exercise) and
tests/test_redraw_equality.py (every interactive figure moved and compared with a fresh draw) each
need a notebook executed in a fresh kernel with some cells of their own inserted. Starting a kernel
and running the notebook's own cells is most of their cost, so they share one run: each module
registers a *probe* (a function that inserts its cells into the notebook, and one that reads its
results from the executed notebook), and :func:`run` executes a notebook once with the cells of
every probe registered in this test session. When only one of the modules is collected (say
``pytest tests/test_redraw_equality.py``), only its probe runs.

The probes must leave the notebook's own state as they found it (the redraw probe moves sliders and
puts them back), so that the cells after them run as they do for a reader.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, Callable

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as book  # noqa: E402  (tools/notebooks.py)

# name -> (insert(nb, path) -> state, collect(nb, path, state) -> result); insertion order is kept
_PROBES: dict[str, tuple[Callable, Callable]] = {}


def register(name: str, insert: Callable[[Any, Path], Any],
             collect: Callable[[Any, Path, Any], Any]) -> None:
    """Add a probe to every later :func:`run`: ``insert`` adds cells to the notebook (and returns
    whatever ``collect`` needs to find them again); ``collect`` reads their results after the run. ``collect`` must not raise (the run serves every
    probe, and notebooks one probe has nothing to do in): it returns what went wrong as its result,
    for its own tests to report."""
    _PROBES[name] = (insert, collect)
    run.cache_clear()


def probe_cell(source: str, cell_id: str):
    """A code cell to insert, with an id its probe can find it by."""
    cell = nbformat.v4.new_code_cell(source)
    cell.id = cell_id
    return cell


@functools.lru_cache(maxsize=None)
def run(path: Path) -> dict[str, Any]:
    """Execute the notebook at ``path`` once, in a fresh kernel, with the cells of every registered
    probe; errors in cells do not stop the run (the probes report them). Returns each probe's
    result by name."""
    nb = nbformat.read(path, as_version=4)
    states = {name: insert(nb, path) for name, (insert, _) in _PROBES.items()}
    book.run(nb, path, allow_errors=True)
    return {name: collect(nb, path, states[name]) for name, (_, collect) in _PROBES.items()}
