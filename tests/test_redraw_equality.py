"""Every interactive figure of the book shows, after a move, the figure a fresh draw gives.

``helpers.widgets`` makes moves fast: its renderer remembers text layouts and glyph bitmaps,
frames are encoded by its own PNG writer, and frames drawn before are shown again from a cache.
None of that may change what the reader sees. For every notebook, its cells run in a fresh kernel
(the run that tests/notebook_pass.py shares with test_exercise_cells.py); right after the last cell
that builds an interactive figure, every figure is moved to a few
positions (each control away from where it starts, then each control to its other end, then
back to the first position, which the cache serves) and each image shown is compared with
``InteractiveFigure.render_reference`` at the same values: a new matplotlib Figure on
matplotlib's own Agg canvas, the same draw function, the panels where the figure keeps them.

The comparison (:func:`differences`) allows a small pixel tolerance; the renderer is in fact
exact, so any difference at all is reported in the message. The tests at the top check that the
comparison does fail on a wrong image.
"""

from __future__ import annotations

import inspect
import io
import json
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as book  # noqa: E402  (tools/notebooks.py)
import notebook_pass  # noqa: E402  (tests/notebook_pass.py)

from helpers import widgets  # noqa: E402

# A pixel differs when one channel is off by more than LEVEL (of 255); the image passes if at
# most FRACTION of its pixels differ (anti-aliasing or rounding, never a moved line or a changed
# number: one digit of a tick label is about 0.01% of a 600 x 400 figure, so the bound is far
# below that).
LEVEL = 8
FRACTION = 2e-5


def differences(shown, reference) -> str | None:
    """None if the image ``shown`` (PNG bytes or an RGBA array) is ``reference`` (an RGBA array)
    within the tolerance, else what differs."""
    if isinstance(shown, (bytes, bytearray)):
        with Image.open(io.BytesIO(shown)) as im:
            shown = np.asarray(im.convert("RGBA"))
    shown, reference = np.asarray(shown), np.asarray(reference)
    if shown.shape != reference.shape:
        return f"the image is {shown.shape}, the fresh render {reference.shape}"
    delta = np.abs(shown.astype(np.int16) - reference.astype(np.int16)).max(axis=-1)
    off = int(np.count_nonzero(delta > LEVEL))
    if off > FRACTION * delta.size:
        ys, xs = np.nonzero(delta > LEVEL)
        return (f"{off} of {delta.size} pixels differ by more than {LEVEL} levels (largest "
                f"difference {int(delta.max())}), in x {xs.min()}..{xs.max()}, y "
                f"{ys.min()}..{ys.max()}")
    return None


def _line(ax, w):
    x = np.linspace(-1.0, 1.0, 20)
    ax.plot(x, w * x)
    ax.set(xlim=(-1, 1), ylim=(-3, 3), title=f"w = {w:.1f}")
    return f"w = {w}"


def test_a_frame_of_other_values_is_caught():
    fig = widgets.interactive_figure(_line, w=(0.0, 2.0, 0.1, 1.0))
    assert differences(fig.png, fig.render_reference()) is None
    message = differences(fig.png, fig.render_reference(w=1.1))
    assert message is not None and "pixels differ" in message


def test_a_small_wrong_detail_is_caught():
    """One wrong tick-label-sized patch (12 x 8 pixels) in a 600 x 400 figure fails."""
    fig = widgets.interactive_figure(_line, w=(0.0, 2.0, 0.1, 1.0))
    reference = fig.render_reference()
    wrong = reference.copy()
    wrong[200:208, 300:312, :3] = 255 - wrong[200:208, 300:312, :3]
    wrong[200:208, 300:312, :3] |= 64    # whatever the background, far from it
    assert differences(wrong, reference) is not None
    assert differences(reference[:-1], reference).startswith("the image is")


# Runs in the notebook's kernel after its last interactive figure; prints one JSON list.
PROBE = r'''
def _book_equality(differences):
    import json, traceback
    import ipywidgets
    from helpers import widgets

    def far(w):
        """(attribute, value) away from the control's start, and at its other end."""
        if isinstance(w, (ipywidgets.IntSlider, ipywidgets.FloatSlider, ipywidgets.FloatLogSlider)):
            lo, hi = w.min, w.max
            if isinstance(w, ipywidgets.FloatLogSlider):
                lo, hi = w.base ** w.min, w.base ** w.max
            n = round((w.max - w.min) / w.step)
            end = hi if abs(w.value - lo) <= abs(w.value - hi) else lo

            def at(k):
                v = (w.min + k * w.step if not isinstance(w, ipywidgets.FloatLogSlider)
                     else w.base ** (w.min + k * w.step))
                return int(v) if isinstance(w, ipywidgets.IntSlider) else min(v, hi)

            # an inner position that is neither the start nor the end (if the slider has one)
            inner = next((at(k) for k in (round(n / 3), round(2 * n / 3), 1, n - 1)
                          if 0 <= k <= n and abs(at(k) - w.value) > 1e-9 * (1 + abs(w.value))
                          and abs(at(k) - end) > 1e-9 * (1 + abs(end))), end)
            return [("value", inner), ("value", end)]
        if hasattr(w, "options") and hasattr(w, "index") and not isinstance(w.index, tuple):
            n = len(w.options)
            return [("index", (w.index + 1) % n), ("index", (w.index + n - 1) % n)]
        if isinstance(w.value, bool):
            return [("value", not w.value), ("value", not w.value)]
        return []

    found = []
    for i, fig in enumerate(widgets.live_figures(), start=1):
        name = getattr(fig.draw, "__name__", "?")
        start = {n: (("index", w.index) if hasattr(w, "index") and not isinstance(w.index, tuple)
                     else ("value", w.value)) for n, w in fig.controls.items()}
        plans = {n: far(w) for n, w in fig.controls.items()}
        first = {n: p[0] for n, p in plans.items() if p}
        steps = [first] + [{n: p[1]} for n, p in plans.items() if p] + [first]
        try:
            for k, step in enumerate(steps):
                for n, (attr, v) in step.items():
                    setattr(fig.controls[n], attr, v)
                    if fig.error:
                        raise RuntimeError(fig.error)
                cached = "cache" in fig.timing
                problem = differences(fig.png, fig.render_reference())
                found.append({"figure": i, "name": name, "step": k, "values": repr(fig.values),
                              "cached": cached, "problem": problem})
        except Exception:
            found.append({"figure": i, "name": name, "step": -1, "values": "",
                          "cached": False, "problem": traceback.format_exc()})
        finally:
            for n, (attr, v) in start.items():
                setattr(fig.controls[n], attr, v)
    print(json.dumps(found))
'''


def _last_figure_cell(nb) -> int | None:
    found = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and "interactive_figure(" in c.source]
    return max(found) if found else None


PROBE_ID = "redraw-equality-probe"


def insert_probe(nb, path: Path):
    """Insert the probe right after the notebook's last interactive figure; returns the ids of
    the notebook's own cells up to there (None if it has no interactive figure)."""
    last = _last_figure_cell(nb)
    if last is None:
        return None
    code = (inspect.getsource(differences) + f"\nLEVEL, FRACTION = {LEVEL}, {FRACTION}\n"
            "import io\nimport numpy as np\nfrom PIL import Image\n"
            + PROBE + "\n_book_equality(differences)")
    own = [c.get("id") for c in nb.cells[:last + 1]]
    nb.cells.insert(last + 1, notebook_pass.probe_cell(code, PROBE_ID))
    return own


def collect_records(nb, path: Path, own):
    """The probe's records, or a string saying why there are none (no interactive figure, or a
    cell before the probe or the probe itself failed). It never raises: the same run serves the
    other probes."""
    if own is None:
        return f"{path.name} builds no interactive figure"
    own = set(own)
    for cell in nb.cells:
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if errors and (cell.get("id") in own or cell.get("id") == PROBE_ID):
            return (f"cell {cell.get('id')} failed before the figures were moved:\n"
                    + "\n".join(errors[0].get("traceback", [])))
        if cell.get("id") == PROBE_ID:
            out = "".join(o.get("text", "") for o in cell.outputs
                          if o.output_type == "stream" and o.name == "stdout")
            return json.loads(out.strip().splitlines()[-1])
    return "the probe cell did not run"


notebook_pass.register("redraw", insert_probe, collect_records)


def run_probe(path: Path) -> list[dict]:
    """Run ``path`` in a fresh kernel (the run that tests/notebook_pass.py shares), with the probe
    after its last interactive figure; the probe's records."""
    result = notebook_pass.run(path)["redraw"]
    if isinstance(result, str):
        raise RuntimeError(result)
    return result


PATHS = [p for p in book.notebook_paths()
         if "interactive_figure(" in "".join(c.source for c in nbformat.read(p, as_version=4).cells
                                             if c.cell_type == "code")]


@pytest.mark.parametrize("path", PATHS, ids=[str(p.relative_to(book.NOTEBOOKS)) for p in PATHS])
def test_every_move_shows_what_a_fresh_draw_shows(path):
    records = run_probe(path)
    assert records, "the notebook builds an interactive figure, but none was found alive"
    problems = [f"figure {r['figure']} ({r['name']}) step {r['step']} at {r['values']}"
                f"{' (a frame drawn before)' if r['cached'] else ''}: {r['problem']}"
                for r in records if r["problem"]]
    assert not problems, "\n".join(problems)
    assert any(r["cached"] for r in records), (
        "the last step returns to a frame drawn before, so the cache should have served it")
