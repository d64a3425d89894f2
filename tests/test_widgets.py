"""Tests of helpers/widgets.py: sliders, interactive figures redrawn in place, their static fallback.

The last test runs a real kernel and moves a slider the way a front end does (comm messages), to
check that a cell keeps showing exactly one figure however often the slider moves.
"""

from __future__ import annotations

import base64
import gc
import html
import io
import math
import queue
import sys
import time
from pathlib import Path

import ipywidgets as ipw
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from PIL import Image

from helpers import plotting, widgets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import notebooks as book  # noqa: E402  (tools/notebooks.py: a kernel of this interpreter)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as im:
        return im.size


def line(ax, w=1.0, b=0.0):
    x = np.linspace(-1.0, 1.0, 20)
    ax.plot(x, w * x + b)
    ax.set(xlim=(-1, 1), ylim=(-3, 3))
    return f"w = {w:.2f}, b = {b:.2f}"


# ---- slider ------------------------------------------------------------------------------------


def test_slider_is_an_int_slider_when_all_numbers_are_ints():
    s = widgets.slider(0, 10, 2, 4, description="n")
    assert isinstance(s, ipw.IntSlider)
    assert (s.min, s.max, s.step, s.value, s.description) == (0, 10, 2, 4, "n")
    assert s.continuous_update


def test_slider_is_a_float_slider_otherwise_with_a_readout_format_from_its_step():
    coarse = widgets.slider(0, 1, 0.1, 0.5)
    fine = widgets.slider(0.0, 0.01, 0.0001, 0.005)
    custom = widgets.slider(0, 1, 0.5, 1, readout_format=".1f")
    assert isinstance(coarse, ipw.FloatSlider) and coarse.readout_format == ".2f"
    assert fine.readout_format == ".3g"
    assert isinstance(custom, ipw.FloatSlider) and custom.readout_format == ".1f"
    assert custom.value == 1.0


@pytest.mark.parametrize("args", [(1, 1, 0.1, 1), (2, 1, 0.1, 1.5), (0, 1, 0, 0.5), (0, 1, -0.1, 0.5),
                                  (0, 1, 0.1, 1.5), (0, 1, 0.1, -0.5)])
def test_slider_rejects_bad_ranges_and_names_the_numbers(args):
    with pytest.raises(ValueError, match=r"min < max, step > 0 and min <= value <= max") as err:
        widgets.slider(*args)
    assert f"min={args[0]!r}" in str(err.value) and f"value={args[3]!r}" in str(err.value)


# ---- building an interactive figure ------------------------------------------------------------


def test_log_slider_steps_by_a_constant_factor():
    w = widgets.log_slider(0.001, 0.3, 0.01, description="p", steps_per_decade=20)
    assert isinstance(w, ipw.FloatLogSlider) and w.description == "p"
    assert w.value == pytest.approx(0.01)
    assert 10 ** w.min == pytest.approx(0.001) and 10 ** w.max == pytest.approx(0.3)
    before = w.value
    w.value = 10 ** (math.log10(before) + w.step)      # what one arrow-key press does
    assert w.value / before == pytest.approx(10 ** (1 / 20))


@pytest.mark.parametrize("args", [(0.0, 1.0, 0.5), (0.3, 0.1, 0.2), (0.1, 0.3, 0.5), (-1, 1, 0.5)])
def test_log_slider_rejects_bad_ranges(args):
    with pytest.raises(ValueError, match="0 < min < max"):
        widgets.log_slider(*args)
    with pytest.raises(ValueError, match="steps_per_decade"):
        widgets.log_slider(0.1, 1.0, 0.5, steps_per_decade=0)


def test_controls_from_tuples_and_widgets_keep_their_names():
    choice = ipw.Dropdown(options=["a", "b"], value="a")
    named = ipw.Checkbox(value=False, description="show it")
    fig = widgets.interactive_figure(lambda ax, w, kind, flag: None, w=(0.0, 1.0, 0.1, 0.5),
                                     kind=choice, flag=named)
    assert isinstance(fig.controls["w"], ipw.FloatSlider) and fig.controls["w"].description == "w"
    assert fig.controls["kind"] is choice and choice.description == "kind"
    assert named.description == "show it"    # a description given by the notebook is kept
    assert fig.values == {"w": 0.5, "kind": "a", "flag": False}
    assert list(fig.widget.children) == [*fig.controls.values(), fig.image, fig._text]
    assert "book-interactive-figure" in fig.widget._dom_classes


@pytest.mark.parametrize("spec", [(0.0, 1.0, 0.1), "w", 3.0])
def test_a_control_that_is_neither_widget_nor_4_tuple_is_a_type_error(spec):
    with pytest.raises(TypeError, match=r"control 'w' must be an ipywidgets value widget"):
        widgets.interactive_figure(line, w=spec)


def test_draw_must_be_callable_and_controls_non_empty():
    with pytest.raises(TypeError, match="draw must be a function, got str"):
        widgets.InteractiveFigure("line", {"w": (0.0, 1.0, 0.1, 0.5)})
    with pytest.raises(ValueError, match="at least one control"):
        widgets.interactive_figure(line)


def test_a_figure_that_cannot_be_drawn_at_all_raises_with_the_traceback():
    def bad(ax, w):
        raise ZeroDivisionError("no luck")

    with pytest.raises(RuntimeError, match=r"could not be drawn:(.|\n)*ZeroDivisionError: no luck"):
        widgets.interactive_figure(bad, w=(0.0, 1.0, 0.1, 0.5))


@pytest.mark.parametrize("grid, expected", [((1, 1), None), ((1, 3), (3,)), ((2, 1), (2,)),
                                            ((2, 2), (2, 2))])
def test_draw_gets_one_axes_or_an_array_of_the_grid_shape(grid, expected):
    seen = []
    widgets.interactive_figure(lambda axes, w: seen.append(axes), nrows=grid[0], ncols=grid[1],
                               w=(0, 2, 1, 0))
    axes = seen[-1]
    if expected is None:
        assert isinstance(axes, Axes)
    else:
        assert axes.shape == expected and all(isinstance(a, Axes) for a in axes.flat)


def test_subplot_kw_and_figsize_reach_the_figure():
    seen = []
    fig = widgets.interactive_figure(lambda ax, w: seen.append(ax.name), figsize=(3.0, 2.0),
                                     subplot_kw={"projection": "polar"}, w=(0, 2, 1, 0))
    assert seen == ["polar"]
    dpi = fig.figure.dpi
    assert _png_size(fig.png) == (round(3.0 * dpi), round(2.0 * dpi))


def test_the_image_is_shown_at_its_natural_size():
    """One image pixel per CSS pixel, as the static figures beside it, never stretched to the
    output's width (only shrunk to fit a narrower one)."""
    fig = widgets.interactive_figure(line, figsize=(3.0, 2.0), w=(0, 2, 1, 0))
    width, _ = _png_size(fig.png)
    assert fig.image.layout.width == f"{width}px"
    assert fig.image.layout.max_width == "100%" and fig.image.layout.height == "auto"


# ---- redrawing ---------------------------------------------------------------------------------


def test_moving_a_control_redraws_once_with_the_new_values():
    calls = []

    def draw(ax, w, b):
        calls.append((w, b))
        return line(ax, w, b)

    fig = widgets.interactive_figure(draw, w=(-2.0, 2.0, 0.5, 1.0), b=(-1.0, 1.0, 0.5, 0.0))
    first_png = fig.png
    assert calls == [(1.0, 0.0)] and fig.redraws == 1
    assert fig.png.startswith(PNG_SIGNATURE) and fig.image.value == fig.png
    assert fig.text == "w = 1.00, b = 0.00"
    fig.controls["w"].value = -1.5
    assert calls[-1] == (-1.5, 0.0) and fig.redraws == 2
    assert fig.text == "w = -1.50, b = 0.00" and fig.png != first_png and fig.image.value == fig.png
    fig.set(w=1.0, b=0.5)     # (1.0, 0.0) was drawn before: its frame is shown again
    assert calls[-1:] == [(1.0, 0.5)] and len(calls) == 3 and fig.redraws == 4


def test_each_move_draws_the_figure_exactly_once():
    """One rendering per move: saving through savefig would lay the figure out a second time."""
    fig = widgets.interactive_figure(lambda axes, w: [line(ax, w) for ax in axes][0],
                                     nrows=1, ncols=2, figsize=(12.0, 4.0), w=(-2.0, 2.0, 0.5, 1.0))
    draws = []
    fig.figure.canvas.mpl_connect("draw_event", lambda event: draws.append(event.name))
    for w in (-2.0, 0.5, 2.0):
        fig.set(w=w)
    assert draws == ["draw_event"] * 3
    assert _png_size(fig.png) == (1200, 400)   # the whole figure, at the book's 100 dpi


def test_the_same_values_give_the_same_png():
    fig = widgets.interactive_figure(line, w=(-2.0, 2.0, 0.5, 1.0))
    first = fig.png
    fig.set(w=0.5)
    fig.set(w=1.0)
    assert fig.png == first


def test_frames_drawn_before_are_shown_again_without_drawing():
    calls = []

    def draw(ax, w):
        calls.append(w)
        return line(ax, w)

    fig = widgets.interactive_figure(draw, w=(-2.0, 2.0, 0.5, 1.0))
    first_png, first_text = fig.png, fig.text
    fig.set(w=0.5)
    assert "cache" not in fig.timing and {"setup", "draw", "render", "encode", "send"} <= set(fig.timing)
    fig.set(w=1.0)
    assert calls == [1.0, 0.5] and fig.redraws == 3 and set(fig.timing) == {"cache", "send"}
    assert (fig.png, fig.image.value, fig.text) == (first_png, first_png, first_text)
    fig.redraw(fresh=True)                       # drawn again on request, the same picture
    assert calls == [1.0, 0.5, 1.0] and fig.png == first_png
    widgets._forget_all_frames()                 # what running a cell does
    fig.set(w=0.5)
    assert calls[-1] == 0.5


def test_a_cell_that_changes_what_draw_reads_is_not_hidden_by_old_frames():
    """The frames are forgotten after every cell (a cell may change what draw reads)."""
    ip = pytest.importorskip("IPython").core.interactiveshell.InteractiveShell.instance()
    widgets._HOOKED.clear()                      # register the hook with this shell
    try:
        ip.run_cell("from helpers import widgets\nslope = 1.0\n"
                    "def draw(ax, w):\n    ax.plot([0, 1], [0, slope * w])\n    return f'{slope * w}'\n"
                    "f = widgets.interactive_figure(draw, w=(0, 4, 1, 1))\nf.set(w=2)")
        ip.run_cell("slope = 3.0")
        ip.run_cell("f.set(w=1)")
        assert ip.user_ns["f"].text == "3.0"
    finally:
        widgets._HOOKED.clear()
        widgets._HOOKED.append(True)


def test_the_frame_cache_keeps_at_most_cache_bytes():
    fig = widgets.interactive_figure(line, w=(0, 20, 1, 0))
    fig.cache_bytes = 3 * len(fig.png)
    for v in range(1, 10):
        fig.set(w=v)
    assert fig._frames_bytes <= fig.cache_bytes and 1 <= len(fig._frames) <= 4
    assert list(fig._frames)[-1] == (("w", "int", 9),)     # the newest is kept


def test_any_hashable_value_is_a_frame_key_and_an_unhashable_one_is_none():
    choice = ipw.SelectMultiple(options=["a", "b"], value=["a"])
    calls = []
    fig = widgets.interactive_figure(lambda ax, pick: calls.append(pick), pick=choice)
    choice.value = ("a", "b")
    choice.value = ("a",)
    assert len(calls) == 2    # tuples are hashable: the last is a frame drawn before
    assert widgets._frame_key({"x": [1, 2]}) is None


def test_encode_png_is_lossless_and_keeps_transparency():
    rng = np.random.default_rng(0)
    opaque = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    opaque[..., 3] = 255
    seethrough = rng.integers(0, 256, size=(20, 30, 4), dtype=np.uint8)
    for image, mode in [(opaque, "RGB"), (seethrough, "RGBA")]:
        png = widgets.encode_png(image, dpi=100)
        assert png.startswith(PNG_SIGNATURE)
        with Image.open(io.BytesIO(png)) as im:
            assert im.mode == mode and im.info["dpi"] == pytest.approx((100, 100), abs=0.01)
            assert np.array_equal(np.asarray(im.convert("RGBA")), image)
    with pytest.raises(ValueError, match="RGBA uint8"):
        widgets.encode_png(np.zeros((4, 4, 3), np.uint8))


def _texty(axes, k):
    ax, ax2 = axes
    x = np.linspace(-2, 2, 50)
    ax.plot(x, k * x, label=r"$\hat y = kx$ and $\nabla f$")
    ax.set(title=f"slope {k:.2f} (ÄÖ ∑ σ₁)", xlabel="$x$", ylabel="y, a longer label")
    ax.legend(loc="upper left")
    ax.text(0.2, 0.5, "rotated text", rotation=33, fontsize=9 + k, transform=ax.transAxes)
    ax.annotate("bold", (0, 0), xytext=(5, 5), textcoords="offset points", weight="bold")
    ax2.bar(["a", "b", "c"], [k, 2, 3])
    ax2.set_xticks([0, 1, 2], ["one", "two", "three"], rotation=45)
    ax2.set_yscale("log")
    return f"k = {k}"


def test_the_fast_path_gives_matplotlibs_pixels_exactly():
    """Same pixels as a plain FigureCanvasAgg: text (mathtext, rotated, bold, other sizes,
    non-ASCII), log axes, bars, legends; after moves that reuse the cached glyphs."""
    fig = widgets.interactive_figure(_texty, ncols=2, figsize=(8, 3), k=(1, 5, 1, 2))
    for k in (3, 5, 1, 4):
        fig.set(k=k)
        fresh = np.asarray(Image.open(io.BytesIO(fig.png)).convert("RGBA"))
        assert np.array_equal(fresh, fig.render_reference(k=k)), f"k = {k}"
    with pytest.raises(KeyError, match="no control named 'j'"):
        fig.render_reference(j=1)


def test_without_matplotlibs_private_text_path_the_plain_renderer_draws(monkeypatch):
    """matplotlib before 3.11 (Colab's, the oldest supported) has no per-glyph text path: the
    canvas then uses matplotlib's own renderer, with the same picture."""
    fast = widgets.interactive_figure(_texty, ncols=2, figsize=(8, 3), k=(1, 5, 1, 2))
    monkeypatch.setattr(widgets._Canvas, "fast_text", False)
    plain = widgets.interactive_figure(_texty, ncols=2, figsize=(8, 3), k=(1, 5, 1, 2))
    assert type(plain._canvas.get_renderer()) is RendererAgg
    assert type(fast._canvas.get_renderer()) is not RendererAgg
    assert plain.png == fast.png


def test_the_comparison_with_a_fresh_render_can_fail():
    fig = widgets.interactive_figure(_texty, ncols=2, figsize=(8, 3), k=(1, 5, 1, 2))
    shown = np.asarray(Image.open(io.BytesIO(fig.png)).convert("RGBA"))
    assert not np.array_equal(shown, fig.render_reference(k=3))


def test_text_is_escaped_and_none_shows_nothing():
    fig = widgets.interactive_figure(lambda ax, w: "a < b & c" if w else None, w=(0, 1, 1, 1))
    assert fig._text.value == '<pre class="book-widget-text">a &lt; b &amp; c</pre>'
    fig.set(w=0)
    assert fig.text == "" and fig._text.value == ""


def test_a_failing_redraw_shows_the_error_keeps_the_last_figure_and_recovers():
    def draw(ax, w):
        if w > 2:
            raise ValueError(f"w = {w} is too large <here>")
        return line(ax, w)

    fig = widgets.interactive_figure(draw, w=(0, 4, 1, 1))
    good_png, good_text, redraws = fig.png, fig.text, fig.redraws
    fig.controls["w"].value = 3        # as a reader would: no exception escapes the callback
    assert "ValueError: w = 3 is too large <here>" in fig.error
    assert fig._text.value.startswith('<pre class="book-widget-error"')
    assert html.escape("<here>") in fig._text.value and "<here>" not in fig._text.value
    assert (fig.png, fig.image.value, fig.text, fig.redraws) == (good_png, good_png, good_text, redraws)
    with pytest.raises(RuntimeError, match=r"redraw after setting w=4 failed(.|\n)*too large"):
        fig.set(w=4)
    fig.set(w=2)
    assert fig.error is None and fig.text == "w = 2.00, b = 0.00" and fig.redraws == redraws + 1
    assert "book-widget-text" in fig._text.value


def test_set_rejects_an_unknown_control_and_names_the_known_ones():
    fig = widgets.interactive_figure(line, w=(0, 4, 1, 1), b=(0, 4, 1, 1))
    with pytest.raises(KeyError, match=r"no control named 'c'; the controls are \['w', 'b'\]"):
        fig.set(c=1)


def test_no_figure_goes_through_pyplot():
    before = plt.get_fignums()
    fig = widgets.interactive_figure(line, w=(0, 4, 1, 1))
    for v in (0, 2, 4, 3):
        fig.set(w=v)
    assert plt.get_fignums() == before


def test_no_garbage_collection_runs_in_the_middle_of_a_redraw():
    inside, collected_inside = [False], []

    def watch(phase, info):
        if phase == "start" and inside[0]:
            collected_inside.append(info["generation"])

    def draw(ax, w):
        inside[0] = True
        for _ in range(20_000):   # cyclic garbage: enough to trigger collections normally
            cycle = []
            cycle.append(cycle)
        inside[0] = False
        if w == 3:
            raise ValueError("no drawing at 3")
        return line(ax, w)

    gc.callbacks.append(watch)
    try:
        fig = widgets.interactive_figure(draw, w=(0, 4, 1, 1))
        fig.set(w=2)
        fig.controls["w"].value = 3          # a failing redraw must not leave collection off
        assert fig.error is not None
        assert gc.isenabled()
        gc.disable()                         # and a redraw must not turn it on if it was off
        try:
            fig.set(w=4)
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        gc.callbacks.remove(watch)
    assert collected_inside == []
    # the same garbage outside a redraw is collected as usual (the test can see collections)
    inside[0] = True
    gc.callbacks.append(watch)
    try:
        for _ in range(20_000):
            cycle = []
            cycle.append(cycle)
    finally:
        gc.callbacks.remove(watch)
        inside[0] = False
    assert collected_inside, "no collection seen outside a redraw: the check above proves nothing"


def test_live_figures_lists_figures_that_still_exist():
    fig = widgets.interactive_figure(line, w=(0, 4, 1, 1))
    assert any(f is fig for f in widgets.live_figures())
    # Open widgets are kept by ipywidgets (and keep their figure alive); closed ones are not.
    for w in (*fig.controls.values(), fig.image, fig._text, fig.widget):
        w.close()
    ident = id(fig)
    del fig, w
    gc.collect()
    assert all(id(f) != ident for f in widgets.live_figures())


# ---- what a notebook shows ---------------------------------------------------------------------


def test_mimebundle_has_the_widget_and_a_static_fallback():
    fig = widgets.interactive_figure(line, w=(0, 4, 1, 1), b=(0, 4, 1, 0))
    bundle = fig._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == fig.widget.model_id
    assert base64.b64decode(bundle["image/png"]) == fig.png
    assert bundle["text/plain"] == ("[interactive figure with controls w, b; shown at their initial "
                                    "values]\nw = 1.00, b = 0.00")
    fig.set(w=3)    # the fallback shows the figure as it is now
    assert base64.b64decode(fig._repr_mimebundle_()["image/png"]) == fig.png


def test_mimebundle_without_widget_mimebundle_support(monkeypatch):
    """ipywidgets 7 (Colab's default) displays widgets with _ipython_display_ and has no
    _repr_mimebundle_: the figure must still show as a widget, with its fallback."""
    monkeypatch.delattr(ipw.Widget, "_repr_mimebundle_")
    fig = widgets.interactive_figure(line, w=(0, 4, 1, 1))
    bundle = fig._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"] == {
        "version_major": 2, "version_minor": 0, "model_id": fig.widget.model_id}
    assert base64.b64decode(bundle["image/png"]) == fig.png


def test_book_style_size_is_the_default_figure_size():
    with mpl.rc_context():
        plotting.use_book_style()
        fig = widgets.interactive_figure(line, w=(0, 4, 1, 1))
    assert _png_size(fig.png) == (600, 400)


# ---- in a kernel -------------------------------------------------------------------------------


CELL = """
import numpy as np
from helpers import plotting, widgets
plotting.use_book_style()

def draw(ax, w, b):
    x = np.linspace(-2, 2, 50)
    ax.plot(x, w * x + b)
    ax.set(ylim=(-5, 5))
    return f"w = {w:.2f}, b = {b:.2f}"

fig = widgets.interactive_figure(draw, w=(-2.0, 2.0, 0.1, 1.0), b=(-1.0, 1.0, 0.1, 0.0))
fig
"""

OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error", "clear_output",
                "update_display_data"}


@pytest.fixture(scope="module")
def kernel():
    km = book.kernel_manager()
    km.start_kernel()
    try:
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            yield kc
        finally:
            kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)


def _until_idle(kc, msg_id: str, timeout: float = 60.0) -> list[dict]:
    """Every iopub message the kernel sends while handling request ``msg_id``."""
    msgs, deadline = [], time.monotonic() + timeout
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError(f"no idle status for {msg_id} within {timeout} s") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return msgs
        msgs.append(msg)


def _run(kc, code: str) -> list[dict]:
    return _until_idle(kc, kc.execute(code))


def _stdout(msgs) -> str:
    return "".join(m["content"]["text"] for m in msgs
                   if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


def test_in_a_kernel_many_moves_keep_exactly_one_figure(kernel):
    kc = kernel
    cell = _run(kc, CELL)
    shown = [m for m in cell if m["msg_type"] in OUTPUT_TYPES]
    assert [m["msg_type"] for m in shown] == ["execute_result"], shown
    data = shown[0]["content"]["data"]
    assert "application/vnd.jupyter.widget-view+json" in data and "image/png" in data

    ids = _stdout(_run(kc, "print(fig.controls['w'].model_id, fig.image.model_id, fig.redraws)"))
    slider_id, image_id, redraws = ids.split()
    assert redraws == "1"

    # Move the slider as JupyterLab, Notebook 7 or Colab does: a comm message per new value.
    # Whatever a callback displays or prints would land in the cell (Colab stacks it there).
    moves = [round(-2.0 + 0.1 * k, 1) for k in range(40)]
    images, outputs = [], []
    for v in moves:
        msg = kc.session.msg("comm_msg", {"comm_id": slider_id, "data": {
            "method": "update", "state": {"value": v}, "buffer_paths": []}})
        kc.shell_channel.send(msg)
        for m in _until_idle(kc, msg["header"]["msg_id"]):
            if m["msg_type"] in OUTPUT_TYPES:
                outputs.append(m)
            elif (m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == image_id
                  and m["content"]["data"].get("method") == "update"):
                images.extend(bytes(b) for b in m.get("buffers", []))
    assert outputs == [], f"moving the slider added output to the cell: {outputs[:3]}"
    assert len(images) == len(moves), "every move should send exactly one new image"
    assert all(png.startswith(PNG_SIGNATURE) for png in images)
    assert len(set(images)) == len(moves), "every value should give its own picture"

    state = _stdout(_run(kc, "import matplotlib.pyplot as plt\n"
                             "print(fig.redraws, fig.values['w'], len(plt.get_fignums()),"
                             " len(widgets.live_figures()))"))
    assert state.split() == [str(1 + len(moves)), str(moves[-1]), "0", "1"]

    # Moving sliders from code (fig.set) shows nothing either.
    code_moves = _run(kc, "for v in (0.5, -0.5, 1.5):\n    fig.set(w=v, b=v / 2)")
    assert [m for m in code_moves if m["msg_type"] in OUTPUT_TYPES] == []
