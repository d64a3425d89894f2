"""Pictures of functions of two variables: surfaces, contour maps and gradient fields.

A function ``f(x, y)`` is evaluated once on a grid with :func:`evaluate` (outside a slider's
``draw``), and the grid is then drawn as a 3-D surface, as a contour map, or overlaid with the
gradient's arrows::

    X, Y, Z = surfaces.evaluate(lambda x, y: x**2 + 3 * y**2, (-2, 2), (-2, 2))
    surfaces.draw_contours(ax, X, Y, Z)
    surfaces.draw_gradient_field(ax, lambda x, y: (2 * x, 6 * y), X, Y)
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .plotting import COLORS
from .validation import as_array, require_positive_int, require_same_shape

__all__ = ["evaluate", "draw_surface", "draw_contours", "draw_gradient_field"]


def _limits(lim, name: str) -> np.ndarray:
    lim = as_array(lim, name, shape=(2,))
    if not (np.all(np.isfinite(lim)) and lim[0] < lim[1]):
        raise ValueError(f"{name} must be (low, high) with low < high, got {tuple(lim)}")
    return lim


def _grid(X, Y, Z=None):
    X, Y = as_array(X, "X", ndim=2), as_array(Y, "Y", ndim=2)
    require_same_shape(X, Y, ("X", "Y"))
    if Z is None:
        return X, Y
    Z = as_array(Z, "Z", ndim=2)
    require_same_shape(Z, X, ("Z", "X"))
    return X, Y, Z


def evaluate(f: Callable, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), n: int = 101):
    """Evaluate ``f(x, y)`` on an ``n x n`` grid.

    Parameters
    ----------
    f : callable
        ``f(x, y)`` with ``x``, ``y`` float arrays of shape (n, n), returning an array of the same
        shape (write it with numpy functions, so that it works elementwise).
    xlim, ylim : (float, float)
        Ranges of ``x`` and ``y``.
    n : int
        Points per axis.

    Returns
    -------
    X, Y, Z : ndarrays of float64, each (n, n)
        ``X[i, j]`` grows with ``j`` and ``Y[i, j]`` with ``i`` (as ``np.meshgrid``); ``Z = f(X, Y)``.
    """
    if not callable(f):
        raise TypeError(f"f must be a function f(x, y), got {type(f).__name__}")
    x0, x1 = _limits(xlim, "xlim")
    y0, y1 = _limits(ylim, "ylim")
    n = require_positive_int(n, "n")
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    Z = np.asarray(f(X, Y), dtype=float)
    if Z.ndim == 0:                      # a constant function
        Z = np.full(X.shape, float(Z))
    if Z.shape != X.shape:
        raise ValueError(f"f(x, y) must return one value per grid point: the grid has shape "
                         f"{X.shape} but f returned shape {Z.shape}")
    return X, Y, Z


def draw_surface(ax, X, Y, Z, *, cmap: str = "viridis", alpha: float = 0.85,
                 labels=("$x$", "$y$", "$f(x, y)$"), view: tuple[float, float] = (30.0, -60.0)):
    """Draw ``Z = f(X, Y)`` as a 3-D surface on a 3-D Axes.

    Parameters
    ----------
    ax : matplotlib 3-D Axes
        Made with ``subplot_kw={"projection": "3d"}``.
    X, Y, Z : arrays of shape (n, m)
        From :func:`evaluate`.
    cmap, alpha : colour map and opacity of the surface.
    labels : (str, str, str)
        Axis labels.
    view : (elevation, azimuth) in degrees.

    Returns
    -------
    the surface (a matplotlib Poly3DCollection)
    """
    if getattr(ax, "name", None) != "3d":
        raise ValueError("draw_surface needs a 3-D Axes: create it with "
                         "subplot_kw={'projection': '3d'} (or projection='3d')")
    X, Y, Z = _grid(X, Y, Z)
    surf = ax.plot_surface(X, Y, Z, cmap=cmap, alpha=alpha, linewidth=0, antialiased=True,
                           rstride=max(1, len(X) // 40), cstride=max(1, X.shape[1] // 40))
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_zlabel(labels[2])
    ax.view_init(elev=view[0], azim=view[1])
    return surf


def draw_contours(ax, X, Y, Z, *, levels=15, filled: bool = True, cmap: str = "viridis",
                  labels=("$x$", "$y$"), equal: bool = True):
    """Draw the contour map (level sets) of ``Z = f(X, Y)``.

    Parameters
    ----------
    ax : matplotlib Axes
    X, Y, Z : arrays of shape (n, m)
        From :func:`evaluate`.
    levels : int or sequence of float
        Number of levels, or the levels themselves.
    filled : bool
        Light filled bands between the lines.
    labels : (str, str)
        Axis labels.
    equal : bool
        Equal scales on both axes (so that right angles look right).

    Returns
    -------
    matplotlib ContourSet (the lines)
    """
    X, Y, Z = _grid(X, Y, Z)
    if filled:                           # extend: values beyond the outer levels are coloured too
        ax.contourf(X, Y, Z, levels=levels, cmap=cmap, alpha=0.35,
                    extend="neither" if np.ndim(levels) == 0 else "both")
    lines = ax.contour(X, Y, Z, levels=levels, cmap=cmap, linewidths=1.0)
    ax.set_xlim(X.min(), X.max())
    ax.set_ylim(Y.min(), Y.max())
    if equal:
        ax.set_aspect("equal")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.grid(False)
    return lines


def draw_gradient_field(ax, grad: Callable, X, Y, *, every: int = 8, color: str | None = None,
                        normalize: bool = False, scale: float | None = None):
    """Draw the gradient of ``f`` as arrows on a coarse sub-grid of ``(X, Y)``.

    Parameters
    ----------
    ax : matplotlib Axes
    grad : callable
        ``grad(x, y)`` returns ``(df/dx, df/dy)``, two arrays of the shape of ``x``.
    X, Y : arrays of shape (n, m)
        The grid (from :func:`evaluate`); every ``every``-th point gets an arrow.
    every : int
        Sub-sampling step of the grid.
    color : str, optional
        Arrow colour (default: vermillion).
    normalize : bool
        Draw unit arrows (directions only) instead of arrows proportional to the gradient.
    scale : float, optional
        Passed to ``quiver``: data units per arrow-length unit (None lets matplotlib choose).

    Returns
    -------
    matplotlib Quiver
    """
    if not callable(grad):
        raise TypeError(f"grad must be a function grad(x, y), got {type(grad).__name__}")
    X, Y = _grid(X, Y)
    every = require_positive_int(every, "every")
    xs, ys = X[::every, ::every], Y[::every, ::every]
    gx, gy = (np.asarray(g, dtype=float) for g in grad(xs, ys))
    for name, g in (("df/dx", gx), ("df/dy", gy)):
        if g.shape != xs.shape:
            raise ValueError(f"grad(x, y) must return two arrays of the shape of x {xs.shape}, "
                             f"but {name} has shape {g.shape}")
    if normalize:
        length = np.hypot(gx, gy)
        safe = np.where(length > 0, length, 1.0)
        gx, gy = gx / safe, gy / safe
    return ax.quiver(xs, ys, gx, gy, color=color or COLORS["vermillion"], angles="xy",
                     scale_units="xy" if scale is not None else None, scale=scale, width=0.004,
                     zorder=3)
