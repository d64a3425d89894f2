"""Sliders that redraw a figure in place.

:func:`interactive_figure` takes a drawing function and some sliders, and returns one widget: the
sliders, an image of the figure and an optional line of text. Moving a slider clears the figure,
calls the drawing function again and replaces the image. Nothing is appended to the cell's output,
so after any number of moves exactly one figure is shown (in JupyterLab, Notebook 7 and Colab
alike), and the figure never goes through pyplot, so the inline backend cannot show it twice.

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
import io
import math
import traceback
import weakref
from typing import Any, Callable

import ipywidgets as ipw
import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["InteractiveFigure", "interactive_figure", "slider", "log_slider", "live_figures",
           "natural_size",
           "widget_bundle"]

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
    """

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
        self._canvas = FigureCanvasAgg(self.figure)
        self.image = ipw.Image(format="png", layout=natural_size(self.figure))
        self._text = ipw.HTML()
        self.widget = ipw.VBox([*self.controls.values(), self.image, self._text])
        self.widget.add_class("book-interactive-figure")
        self.png, self.text, self.error = b"", "", None
        self.redraws = 0
        self._positions = None
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

    def redraw(self) -> None:
        """Clear the figure, call ``draw`` with the current values and replace the image.

        The layout (where each panel sits) is computed by matplotlib's constrained layout on the
        first draw and then kept, so the panels do not jump as the sliders move. Every redraw
        renders the figure once, straight to PNG on an Agg canvas (``Figure.savefig`` would lay
        the figure out a second time before rendering it, which costs a third of a move), with
        fast PNG compression (slightly larger images, encoded in a fraction of the time). If
        ``draw`` raises, the traceback is shown in red under the last good figure and kept in
        :attr:`error`; the figure is not left half-drawn.
        """
        # No garbage collection in the middle of a redraw: a full collection of a notebook's heap
        # takes about as long as the redraw itself (a visible stutter every few moves); the old
        # figure's artists are freed by the young-generation collections that follow.
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._redraw()
        finally:
            if enabled:
                gc.enable()

    def _redraw(self) -> None:
        fig = self.figure
        fig.clf()
        fig.set_layout_engine("constrained" if self._positions is None else "none")
        axes = fig.subplots(*self._grid, subplot_kw=self._subplot_kw)
        try:
            text = self.draw(axes, **self.values)
            if self._positions is not None and len(fig.axes) == len(self._positions):
                for ax, position in zip(fig.axes, self._positions):
                    ax.set_position(position)
            buf = io.BytesIO()
            self._canvas.print_png(buf, pil_kwargs={"compress_level": 1})
            if self._positions is None:
                self._positions = [ax.get_position(original=True) for ax in fig.axes]
        except Exception:
            self.error = traceback.format_exc()
            self._text.value = ('<pre class="book-widget-error" style="color:#b2182b">'
                                f"{html.escape(self.error)}</pre>")
            return
        self.error = None
        self.png = buf.getvalue()
        self.text = "" if text is None else str(text)
        self.image.value = self.png
        self._text.value = (f'<pre class="book-widget-text">{html.escape(self.text)}</pre>'
                            if self.text else "")
        self.redraws += 1

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
