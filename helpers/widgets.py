"""Sliders that redraw a figure in place.

:func:`interactive_figure` takes a drawing function and some sliders, and returns one widget: the
sliders, an image of the figure and an optional line of text. Moving a slider clears the figure,
calls the drawing function again and replaces the image (or shows again the frame drawn before
at the same values; :meth:`InteractiveFigure.redraw` says what makes a move fast). Nothing is
appended to the cell's output, so after any number of moves exactly one figure is shown (in
JupyterLab, Notebook 7 and Colab alike), and the figure never goes through pyplot, so the inline
backend cannot show it twice.

When no widget front end is present (nbval, nbconvert, GitHub's viewer, a PDF), the same object
falls back to a PNG of the figure at the sliders' initial values, with its text.

Example::

    def draw(ax, w, b):
        x = np.linspace(-3, 3, 100)
        ax.plot(x, w * x + b)
        return f"slope {w:.2f}, intercept {b:.2f}"

    widgets.interactive_figure(draw, w=(-2.0, 2.0, 0.1, 1.0), b=(-1.0, 1.0, 0.1, 0.0))
"""

from __future__ import annotations

import base64
import gc
import html
import math
import struct
import time
import traceback
import weakref
import zlib
from collections import OrderedDict
from typing import Any, Callable

import ipywidgets as ipw
import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure

__all__ = ["InteractiveFigure", "interactive_figure", "slider", "log_slider", "live_figures",
           "natural_size", "widget_bundle", "encode_png"]

_LIVE: list[weakref.ref] = []


def slider(min: float, max: float, step: float, value: float, description: str | None = None,
           readout_format: str | None = None) -> ipw.ValueWidget:
    """Make a slider: an ``IntSlider`` when all four numbers are integers, else a ``FloatSlider``.

    Raises ``ValueError`` unless ``min < max``, ``step > 0`` and ``min <= value <= max``.
    """
    if not (min < max and step > 0 and min <= value <= max):
        raise ValueError(f"a slider needs min < max, step > 0 and min <= value <= max; got "
                         f"min={min!r}, max={max!r}, step={step!r}, value={value!r}")
    kwargs = dict(min=min, max=max, step=step, value=value, description=description or "",
                  continuous_update=True, style={"description_width": "initial"},
                  layout=ipw.Layout(width="420px"))
    if all(isinstance(v, int) and not isinstance(v, bool) for v in (min, max, step, value)):
        return ipw.IntSlider(**kwargs)
    if readout_format is None:
        readout_format = ".3g" if step < 0.01 else ".2f"
    return ipw.FloatSlider(readout_format=readout_format, **kwargs)


def natural_size(figure: Figure) -> ipw.Layout:
    """The layout that shows ``figure``'s image at its natural size, as the static figures are
    shown (one image pixel per CSS pixel), shrunk only to fit a narrower output area."""
    width, height = figure.get_size_inches() * figure.dpi
    return ipw.Layout(width=f"{round(width)}px", max_width="100%", height="auto")


def widget_bundle(widget: ipw.Widget, png: bytes | None, text: str) -> dict:
    """The display data of ``widget`` with a static stand-in: a live view where a widget front end
    runs, else ``png`` (a PNG image, or None) and ``text``.

    JupyterLab, Notebook 7 and Colab show the widget view; nbconvert, GitHub and a notebook saved
    by tools/notebooks.py (which drops widget views) show the image. Works with ipywidgets 8
    (``_repr_mimebundle_``) and 7 (Colab's, which displays through ``_ipython_display_``).
    """
    if hasattr(widget, "_repr_mimebundle_"):
        bundle = dict(widget._repr_mimebundle_() or {})
    else:
        bundle = {"application/vnd.jupyter.widget-view+json": {
            "version_major": 2, "version_minor": 0, "model_id": widget.model_id}}
    bundle["text/plain"] = text
    if png:
        bundle["image/png"] = base64.b64encode(png).decode("ascii")
    return bundle


def log_slider(min: float, max: float, value: float, description: str | None = None,
               steps_per_decade: int = 20, readout_format: str = ".3g") -> ipw.FloatLogSlider:
    """A slider for a positive quantity that spans decades (a probability from 0.001 to 0.3, a
    learning rate): each step multiplies the value by the same factor, 10 ** (1 /
    ``steps_per_decade``), so one arrow-key press changes it visibly at any scale.

    ``min``, ``max`` and ``value`` are in the quantity's own units. Raises ``ValueError`` unless
    ``0 < min < max``, ``min <= value <= max`` and ``steps_per_decade`` is a positive integer.
    """
    if not (0 < min < max and min <= value <= max):
        raise ValueError(f"a log slider needs 0 < min < max and min <= value <= max; got "
                         f"min={min!r}, max={max!r}, value={value!r}")
    if not (isinstance(steps_per_decade, int) and steps_per_decade > 0):
        raise ValueError(f"steps_per_decade must be a positive integer, got {steps_per_decade!r}")
    return ipw.FloatLogSlider(value=value, base=10, min=math.log10(min), max=math.log10(max),
                              step=1 / steps_per_decade, description=description or "",
                              readout_format=readout_format, continuous_update=True,
                              style={"description_width": "initial"},
                              layout=ipw.Layout(width="420px"))


def _as_widget(name: str, spec: Any) -> ipw.ValueWidget:
    if isinstance(spec, ipw.ValueWidget):
        if not spec.description:
            spec.description = name
        return spec
    if isinstance(spec, tuple) and len(spec) == 4:
        return slider(*spec, description=name)
    raise TypeError(f"control {name!r} must be an ipywidgets value widget or a tuple "
                    f"(min, max, step, value), got {spec!r}")


# --------------------------------------------------------------------------------------------
# Rendering and encoding a frame fast, with the same pixels as matplotlib's own path
#
# Most of a redraw is matplotlib drawing text (tick labels, titles, labels) that is the same from
# one frame to the next. The renderer below remembers, for the figure it draws, what is a pure
# function of its inputs: the shaping of a string into glyphs, each glyph's bitmap at a given
# sub-pixel offset (a glyph drawn one whole pixel further is the same bitmap, moved), and a font's
# line metrics. Nothing else changes: every artist is drawn as matplotlib draws it, in the same
# order, so the pixels are those of a plain FigureCanvasAgg (tests/test_widgets.py and
# tests/test_redraw_equality.py compare them). On a matplotlib without the private text path this
# relies on (before 3.11), the renderer is matplotlib's own.

_GLYPH_CACHE_LIMIT = 20_000     # glyph bitmaps kept per renderer (a few MB)


def _has_glyph_path() -> bool:
    try:
        from matplotlib.ft2font import FT2Font
    except ImportError:   # pragma: no cover
        return False
    return (hasattr(RendererAgg, "_draw_text_glyphs_and_boxes")
            and hasattr(RendererAgg, "_prepare_font") and hasattr(FT2Font, "_layout")
            and hasattr(FT2Font, "_render_glyph") and hasattr(FT2Font, "_set_transform"))


class _CachingRendererAgg(RendererAgg):
    """An Agg renderer that remembers text layouts, glyph bitmaps and font metrics."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self._layouts: dict = {}
        self._glyphs: dict = {}
        self._heights: dict = {}
        self._fonts: dict = {}

    @staticmethod
    def _font_key(prop):
        rc = mpl.rcParams
        return (hash(prop), prop.get_size_in_points(),
                tuple(tuple(rc[k]) for k in ("font.family", "font.serif", "font.sans-serif",
                                             "font.cursive", "font.fantasy", "font.monospace")))

    def _prepare_font(self, font_prop):
        from matplotlib.font_manager import fontManager, get_font
        key = self._font_key(font_prop)
        paths = self._fonts.get(key)
        if paths is None:
            paths = self._fonts[key] = fontManager._find_fonts_by_props(font_prop)
        font = get_font(paths)
        font.clear()
        font.set_size(font_prop.get_size_in_points(), self.dpi)
        return font

    def _get_font_height_metrics(self, prop):
        """(ascent, descent, line gap) of ``prop``'s font, as matplotlib's Text computes them."""
        key = self._font_key(prop)
        if key not in self._heights:
            from matplotlib.font_manager import fontManager, get_font
            font = get_font(fontManager._find_fonts_by_props(prop))
            found = (None, None, None)
            for table_name, gap, ascent, descent in [
                    ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                    ("hhea", "lineGap", "ascent", "descent")]:
                table = font.get_sfnt_table(table_name)
                if table is None:
                    continue
                scale = (1 / font.get_sfnt_table("head")["unitsPerEm"]
                         * prop.get_size_in_points() * self.dpi / 72)
                found = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
                break
            self._heights[key] = found
        return self._heights[key]

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return self.draw_mathtext(gc, x, y, s, prop, angle)
        from matplotlib.backends.backend_agg import get_hinting_flag
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        font = self._prepare_font(prop)
        flags = get_hinting_flag()
        key = (self._font_key(prop), s, flags,
               tuple(features) if features is not None else None,
               language if isinstance(language, (str, type(None))) else repr(language))
        items = self._layouts.get(key)
        if items is None:
            items = self._layouts[key] = [
                (item.ft_object, item.glyph_index, item.x, item.y)
                for item in font._layout(s, flags=flags, features=features, language=language)]
        size = prop.get_size_in_points()
        self._draw_text_glyphs_and_boxes(
            gc, x, y, angle, ((ft, size, index, 0, 1, gx, gy) for ft, index, gx, gy in items), [])

    def _draw_text_glyphs_and_boxes(self, gc, x, y, angle, glyphs, boxes):
        from matplotlib.backends.backend_agg import get_hinting_flag
        from matplotlib.ft2font import RenderMode
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        load_flags = get_hinting_flag()
        antialiased = gc.get_antialiased()
        glyphs_left = []
        for font, size, glyph_index, slant, extend, dx, dy in glyphs:
            matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])
                      @ [[extend, extend * slant], [0, 1]]).round().astype(int)
            delta = (round(0x40 * (x + dx * cos - dy * sin)),
                     round(0x40 * (self.height - y + dx * sin + dy * cos)))
            key = (id(font), size, self.dpi, glyph_index, load_flags, antialiased,
                   tuple(matrix.ravel().tolist()), delta[0] & 63, delta[1] & 63)
            hit = self._glyphs.get(key)
            if hit is None or hit[0] is not font:
                font.set_size(size, self.dpi)
                font._set_transform(matrix, [delta[0] & 63, delta[1] & 63])
                bitmap = font._render_glyph(
                    glyph_index, load_flags,
                    RenderMode.NORMAL if antialiased else RenderMode.MONO)
                buffer = np.array(bitmap.buffer, copy=True)
                if not antialiased:
                    buffer *= 0xff
                if len(self._glyphs) >= _GLYPH_CACHE_LIMIT:
                    self._glyphs.clear()
                hit = self._glyphs[key] = (font, buffer, bitmap.left, bitmap.top)
            _, buffer, left, top = hit
            glyphs_left.append((buffer, left + (delta[0] >> 6), top + (delta[1] >> 6)))
        for buffer, left, top in glyphs_left:
            # draw_text_image's y is downwards & the bitmap bottom side.
            self._renderer.draw_text_image(
                buffer, left, int(self.height) - top + buffer.shape[0], 0, gc)
        boxes = list(boxes)
        if boxes:
            super()._draw_text_glyphs_and_boxes(gc, x, y, angle, [], boxes)


class _Canvas(FigureCanvasAgg):
    """An Agg canvas whose renderer is kept from frame to frame, with the text caches above."""

    fast_text = _has_glyph_path()

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key or getattr(self, "renderer", None) is None:
            self.renderer = (_CachingRendererAgg if self.fast_text else RendererAgg)(
                w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + tag + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))


def encode_png(rgba, dpi: float = 100.0) -> bytes:
    """A PNG of the image ``rgba`` (height x width x 4, uint8), lossless and fast to make.

    Rows are written with PNG's "up" filter (each row as its difference from the row above, which
    is zero almost everywhere in a plot) and compressed with zlib's run-length strategy at level
    1: about as small as matplotlib's PNG at its fastest setting, in half the time. An image
    without transparency is stored as RGB.
    """
    a = np.asarray(rgba)
    if a.ndim != 3 or a.shape[2] != 4 or a.dtype != np.uint8:
        raise ValueError(f"expected an RGBA uint8 image, got shape {a.shape} {a.dtype}")
    opaque = bool(a[..., 3].min() == 255)
    if opaque:
        a = a[..., :3]
    h, w, c = a.shape
    flat = a.reshape(h, w * c)
    rows = np.empty((h, w * c + 1), np.uint8)
    rows[:, 0] = 2                                   # filter type "up"
    rows[0, 1:] = flat[0]
    np.subtract(flat[1:], flat[:-1], out=rows[1:, 1:])
    packer = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    data = packer.compress(rows.data) + packer.flush()
    ppm = round(dpi / 0.0254)
    return (b"\x89PNG\r\n\x1a\n"
            + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2 if opaque else 6, 0, 0, 0))
            + _png_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
            + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b""))


def _frame_key(values: dict) -> tuple | None:
    """A hashable key of the controls' values, or None if one of them cannot be a key."""
    key = []
    for name, v in values.items():
        if isinstance(v, (bool, int, float, str, type(None))):
            key.append((name, type(v).__name__, v))
        else:
            try:
                hash(v)
            except TypeError:
                return None
            key.append((name, type(v).__name__, v))
    return tuple(key)


_HOOKED: list[bool] = []


def _forget_frames_when_a_cell_runs() -> None:
    """Once per process in IPython: after every cell, every figure forgets its frames (the cell
    may have changed what the drawing functions read)."""
    if _HOOKED:
        return
    _HOOKED.append(True)
    try:
        from IPython import get_ipython
    except ImportError:   # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None:
        shell.events.register("post_run_cell", lambda *args: _forget_all_frames())


def _forget_all_frames() -> None:
    for f in live_figures():
        f.forget_frames()


class _PhaseClock:
    """Wall and CPU time (of this thread) of the phases of one redraw, in milliseconds."""

    def __init__(self):
        self.phases: dict[str, tuple[float, float]] = {}
        self._wall, self._cpu = time.perf_counter(), time.thread_time()

    def lap(self, phase: str) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        self.phases[phase] = ((wall - self._wall) * 1e3, (cpu - self._cpu) * 1e3)
        self._wall, self._cpu = wall, cpu


class InteractiveFigure:
    """A figure redrawn in place whenever one of its controls changes.

    Parameters
    ----------
    draw : callable
        ``draw(axes, **values)``: draws on ``axes`` (one ``Axes`` for a 1 x 1 grid, else an array of
        shape (nrows, ncols), flattened when one of them is 1) and may return a string, shown
        under the figure. It is called on a cleared figure each time.
    controls : dict
        Name -> ipywidgets value widget (slider, dropdown, checkbox ...) or a tuple
        ``(min, max, step, value)`` turned into a slider. Names are ``draw``'s keyword arguments.
    nrows, ncols : int
        Grid of subplots handed to ``draw``.
    figsize : (float, float), optional
        Size in inches; the book style's size by default.
    subplot_kw : dict, optional
        Passed to ``Figure.subplots`` (for example ``{"projection": "3d"}``).

    Attributes
    ----------
    controls : dict of widgets
    widget : ipywidgets.VBox
        What is displayed: controls, figure image, text.
    png : bytes
        The current figure as PNG.
    text : str
        The current text returned by ``draw`` ("" if none).
    error : str or None
        The traceback of the last failed redraw, shown in the output in red.
    redraws : int
        How many times the image was replaced (by a new drawing or a frame drawn before).
    timing : dict
        Where the last redraw's time went: phase -> (wall ms, CPU ms of this thread), phases
        ``setup`` (new axes), ``draw`` (the notebook's function), ``render`` (matplotlib's
        layout and rasterizing), ``encode`` (PNG), ``cache`` (a frame drawn before) and
        ``send`` (to the page). Read by tests/benchmarks/widget_latency.py.
    cache_bytes : int
        How much PNG the figure keeps of the frames it drew (8 MB by default).
    """

    cache_bytes = 8_000_000

    def __init__(self, draw: Callable[..., str | None], controls: dict[str, Any], *,
                 nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] | None = None,
                 subplot_kw: dict | None = None):
        if not callable(draw):
            raise TypeError(f"draw must be a function, got {type(draw).__name__}")
        if not controls:
            raise ValueError("an interactive figure needs at least one control")
        self.draw = draw
        self.controls = {name: _as_widget(name, spec) for name, spec in controls.items()}
        self._grid = (nrows, ncols)
        self._subplot_kw = subplot_kw or {}
        size = figsize or tuple(mpl.rcParams["figure.figsize"])
        self.figure = Figure(figsize=size, dpi=mpl.rcParams["figure.dpi"], layout="constrained")
        self._canvas = _Canvas(self.figure)
        self.image = ipw.Image(format="png", layout=natural_size(self.figure))
        self._text = ipw.HTML()
        self.widget = ipw.VBox([*self.controls.values(), self.image, self._text])
        self.widget.add_class("book-interactive-figure")
        self.png, self.text, self.error = b"", "", None
        self.redraws = 0
        self.timing: dict[str, tuple[float, float]] = {}
        self._positions = None
        self._frames: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self._frames_bytes = 0
        _forget_frames_when_a_cell_runs()
        self.redraw()
        if self.error is not None:
            raise RuntimeError(f"the figure could not be drawn:\n{self.error}")
        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        _LIVE.append(weakref.ref(self))

    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values, by name."""
        return {name: w.value for name, w in self.controls.items()}

    def _on_change(self, change) -> None:
        self.redraw()

    def redraw(self, *, fresh: bool = False) -> None:
        """Show the figure at the controls' current values: clear it, call ``draw`` and replace
        the image (or show the frame drawn before at these values, unless ``fresh``).

        The layout (where each panel sits) is computed by matplotlib's constrained layout on the
        first draw and then kept, so the panels do not jump as the sliders move. Every redraw
        renders the figure once on an Agg canvas whose renderer remembers the text it drew
        (tick labels and titles repeat from frame to frame), and encodes it with a fast lossless
        PNG writer (:func:`encode_png`). Frames already drawn are kept (up to
        :attr:`cache_bytes` of PNG), so dragging back over the same positions shows them at
        once; they are forgotten whenever a notebook cell runs, since a cell may change what
        ``draw`` draws. If ``draw`` raises, the traceback is shown in red under the last good
        figure and kept in :attr:`error`; the figure is not left half-drawn.
        """
        # No garbage collection in the middle of a redraw: a full collection of a notebook's heap
        # takes about as long as the redraw itself (a visible stutter every few moves); the old
        # figure's artists are freed by the young-generation collections that follow.
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._redraw(fresh)
        finally:
            if enabled:
                gc.enable()

    def _render(self, fig: Figure, canvas: FigureCanvasAgg, values: dict, clock: "_PhaseClock"):
        """Draw ``fig`` from scratch at ``values``; returns draw's text (the pixels are in
        ``canvas``)."""
        fig.clf()
        fig.set_layout_engine("constrained" if self._positions is None else "none")
        axes = fig.subplots(*self._grid, subplot_kw=self._subplot_kw)
        clock.lap("setup")
        text = self.draw(axes, **values)
        clock.lap("draw")
        if self._positions is not None and len(fig.axes) == len(self._positions):
            for ax, position in zip(fig.axes, self._positions):
                ax.set_position(position)
        canvas.draw()
        clock.lap("render")
        return text

    def _redraw(self, fresh: bool = False) -> None:
        clock = _PhaseClock()
        values = self.values
        key = _frame_key(values)
        frame = None if fresh or key is None else self._frames.get(key)
        if frame is not None:
            self._frames.move_to_end(key)
            png, text = frame
            clock.lap("cache")
        else:
            try:
                text = self._render(self.figure, self._canvas, values, clock)
                png = encode_png(self._canvas.buffer_rgba(), self.figure.dpi)
                clock.lap("encode")
                if self._positions is None:
                    self._positions = [ax.get_position(original=True) for ax in self.figure.axes]
            except Exception:
                self.error = traceback.format_exc()
                self._text.value = ('<pre class="book-widget-error" style="color:#b2182b">'
                                    f"{html.escape(self.error)}</pre>")
                return
            text = "" if text is None else str(text)
            if key is not None:
                self._remember(key, png, text)
        self.error = None
        self.png = png
        self.text = text
        self.image.value = self.png
        self._text.value = (f'<pre class="book-widget-text">{html.escape(self.text)}</pre>'
                            if self.text else "")
        clock.lap("send")
        self.redraws += 1
        self.timing = clock.phases

    def _remember(self, key: tuple, png: bytes, text: str) -> None:
        self._frames[key] = (png, text)
        self._frames_bytes += len(png)
        while self._frames_bytes > self.cache_bytes and len(self._frames) > 1:
            _, (old, _) = self._frames.popitem(last=False)
            self._frames_bytes -= len(old)

    def forget_frames(self) -> None:
        """Forget the frames drawn so far (the next move draws afresh)."""
        self._frames.clear()
        self._frames_bytes = 0

    def render_reference(self, **values) -> np.ndarray:
        """The figure at ``values`` (the current ones for controls not given) drawn the plain way,
        as an RGBA array: a new Figure on matplotlib's own Agg canvas and renderer, with the
        panels where this figure keeps them, and no cached frame. Tests compare it with
        :attr:`png` to check that the fast path shows the same figure."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(f"no control named {sorted(unknown)[0]!r}; the controls are "
                           f"{list(self.controls)}")
        fig = Figure(figsize=self.figure.get_size_inches(), dpi=self.figure.dpi)
        canvas = FigureCanvasAgg(fig)
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._render(fig, canvas, {**self.values, **values}, _PhaseClock())
        finally:
            if enabled:
                gc.enable()
        return np.array(canvas.buffer_rgba(), copy=True)

    def set(self, **values) -> "InteractiveFigure":
        """Set controls by name, as a reader moving them would (the figure redraws once per change).

        Raises ``KeyError`` for an unknown name and ``RuntimeError`` if the redraw failed, so that
        a notebook cell or a test that moves a slider fails loudly.
        """
        for name, value in values.items():
            if name not in self.controls:
                raise KeyError(f"no control named {name!r}; the controls are {list(self.controls)}")
            self.controls[name].value = value
            if self.error is not None:
                raise RuntimeError(f"redraw after setting {name}={value!r} failed:\n{self.error}")
        return self

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        names = ", ".join(self.controls)
        return widget_bundle(self.widget, self.png,
                             (f"[interactive figure with controls {names}; shown at their "
                              f"initial values]\n{self.text}").rstrip())


def interactive_figure(draw: Callable[..., str | None], *, nrows: int = 1, ncols: int = 1,
                       figsize: tuple[float, float] | None = None, subplot_kw: dict | None = None,
                       **controls) -> InteractiveFigure:
    """Build an :class:`InteractiveFigure`; controls are given as keyword arguments.

    ``interactive_figure(draw, w=(-2.0, 2.0, 0.1, 1.0))`` makes a slider ``w`` from -2 to 2 in
    steps of 0.1 starting at 1 and calls ``draw(ax, w=...)`` on every move.
    """
    return InteractiveFigure(draw, controls, nrows=nrows, ncols=ncols, figsize=figsize,
                             subplot_kw=subplot_kw)


def live_figures() -> list[InteractiveFigure]:
    """The interactive figures created in this Python process that still exist (for tests and the
    latency benchmark, which move every slider of a notebook)."""
    alive = [r() for r in _LIVE]
    return [f for f in alive if f is not None]
