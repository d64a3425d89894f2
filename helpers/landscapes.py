"""Test functions for optimizers (quadratics, Rosenbrock) and contour plots with optimizer paths.

A *landscape* is an object with

* ``value(x)``: the function, for ``x`` of shape (..., d), returning shape (...) -- so a whole grid
  of points is evaluated at once (``f(x)`` is the same as ``f.value(x)``);
* ``grad(x)``: the gradient, shape (..., d);
* ``hessian(x)``: the Hessian matrix, shape (..., d, d);
* ``f_and_grad(x)``: ``(value, grad)`` at one point, the form :func:`helpers.optim.minimize` wants;
* ``minimizer``: the minimizing point, shape (d,).

Drawing (the grid and the contour map come from :mod:`helpers.surfaces`; this module adds the
point-array calling convention, log-spaced levels, the minimizer's star and optimizer paths)::

    f = landscapes.rosenbrock()
    grid = landscapes.evaluate_grid(f, (-2, 2), (-1, 3))      # precompute once
    landscapes.draw_contours(ax, grid, log=True, minimizer=f.minimizer)
    landscapes.draw_path(ax, path, label="gradient descent")
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from . import surfaces
from .plotting import COLORS
from .validation import as_array, require_positive_int

__all__ = ["Quadratic", "quadratic_2d", "Rosenbrock", "rosenbrock", "Grid", "evaluate_grid",
           "draw_contours", "draw_path"]


def _points(x, d: int) -> np.ndarray:
    """``x`` as a float array whose last axis has length ``d`` (a clear error otherwise)."""
    arr = as_array(x, "x")
    if arr.ndim == 0 or arr.shape[-1] != d:
        raise ValueError(f"x must have shape (..., {d}) for this {d}-D function, got shape "
                         f"{arr.shape}")
    return arr


class _Landscape:
    dim: int

    def __call__(self, x) -> np.ndarray | float:
        return self.value(x)

    def f_and_grad(self, x) -> tuple[float, np.ndarray]:
        """``(value, gradient)`` at one point ``x`` of shape (d,): a float and an array (d,)."""
        x = as_array(x, "x", shape=(self.dim,))
        return float(self.value(x)), self.grad(x)


class Quadratic(_Landscape):
    """The quadratic ``f(x) = 0.5 x^T A x - b^T x + c`` with a symmetric matrix ``A``.

    Parameters
    ----------
    A : array_like, shape (d, d)
        Symmetric (it is the Hessian everywhere).
    b : array_like, shape (d,), optional
        Linear term (zero by default).
    c : float
        Constant term.

    Attributes
    ----------
    A, b, c, dim
    eigenvalues : ndarray (d,)
        Eigenvalues of ``A`` in increasing order (the curvatures along its eigenvectors).
    L, mu : float
        Largest and smallest eigenvalue: the smoothness and strong-convexity constants.
    condition_number : float
        ``L / mu`` (``inf`` unless ``mu > 0``).
    minimizer : ndarray (d,) or None
        ``A^{-1} b`` when ``A`` is positive definite, else None (no unique minimum).
    """

    def __init__(self, A, b=None, c: float = 0.0):
        A = as_array(A, "A", ndim=2)
        if A.shape[0] != A.shape[1]:
            raise ValueError(f"A must be square, got shape {A.shape}")
        if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12):
            raise ValueError("A must be symmetric (A == A.T): the Hessian of a function is")
        d = A.shape[0]
        b = np.zeros(d) if b is None else as_array(b, "b")
        if b.shape != (d,):
            raise ValueError(f"A has shape {A.shape} but b has shape {b.shape}; b must have "
                             f"shape ({d},)")
        self.A, self.b, self.c, self.dim = A, b, float(c), d
        self.eigenvalues = np.linalg.eigvalsh(A)
        self.mu, self.L = float(self.eigenvalues[0]), float(self.eigenvalues[-1])
        self.condition_number = self.L / self.mu if self.mu > 0 else float("inf")
        self.minimizer = np.linalg.solve(A, b) if self.mu > 0 else None

    def value(self, x):
        """``f(x)`` for ``x`` of shape (..., d); returns shape (...)."""
        x = _points(x, self.dim)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x) - x @ self.b + self.c

    def grad(self, x) -> np.ndarray:
        """``A x - b``, shape (..., d)."""
        return _points(x, self.dim) @ self.A - self.b

    def hessian(self, x) -> np.ndarray:
        """``A`` (the same at every point), shape (..., d, d)."""
        x = _points(x, self.dim)
        return np.broadcast_to(self.A, x.shape[:-1] + self.A.shape).copy()

    def __repr__(self) -> str:
        return (f"Quadratic(dim={self.dim}, L={self.L:.4g}, mu={self.mu:.4g}, "
                f"condition_number={self.condition_number:.4g})")


def quadratic_2d(kappa: float = 10.0, *, L: float = 1.0, angle: float = 0.0,
                 center=(0.0, 0.0)) -> Quadratic:
    """A 2-D quadratic bowl ``0.5 (x - center)^T A (x - center)`` with condition number ``kappa``.

    ``A`` has eigenvalues ``L`` (steep direction) and ``L / kappa`` (flat direction); the steep
    eigenvector makes the angle ``angle`` (radians) with the x1-axis. The minimum value is 0.

    Parameters
    ----------
    kappa : float >= 1
    L : float > 0
    angle : float
    center : array_like, shape (2,)

    Returns
    -------
    Quadratic
    """
    if not np.isscalar(kappa) or not np.isfinite(kappa) or kappa < 1:
        raise ValueError(f"kappa must be a finite number >= 1, got {kappa!r}")
    if not np.isscalar(L) or not np.isfinite(L) or L <= 0:
        raise ValueError(f"L must be a finite number > 0, got {L!r}")
    center = as_array(center, "center", shape=(2,))
    R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    A = R @ np.diag([L, L / kappa]) @ R.T
    A = 0.5 * (A + A.T)
    return Quadratic(A, A @ center, 0.5 * center @ A @ center)


class Rosenbrock(_Landscape):
    """Rosenbrock's banana valley ``f(x, y) = (a - x)^2 + b (y - x^2)^2``.

    Its minimum 0 is at ``(a, a^2)``, at the end of a long, curved, flat-bottomed valley: easy to
    find the valley, slow to follow it. The default ``a = 1, b = 100`` is the classic test.

    Attributes
    ----------
    a, b : float
    dim : int (2)
    minimizer : ndarray (2,)
    """

    def __init__(self, a: float = 1.0, b: float = 100.0):
        if not np.isscalar(b) or not np.isfinite(b) or b <= 0:
            raise ValueError(f"b must be a finite number > 0, got {b!r}")
        self.a, self.b, self.dim = float(a), float(b), 2
        self.minimizer = np.array([self.a, self.a ** 2])

    def value(self, x):
        """``f`` for points of shape (..., 2); returns shape (...)."""
        x = _points(x, 2)
        u, v = x[..., 0], x[..., 1]
        return (self.a - u) ** 2 + self.b * (v - u ** 2) ** 2

    def grad(self, x) -> np.ndarray:
        """``(-2 (a - x) - 4 b x (y - x^2),  2 b (y - x^2))``, shape (..., 2)."""
        x = _points(x, 2)
        u, v = x[..., 0], x[..., 1]
        r = v - u ** 2
        return np.stack([-2 * (self.a - u) - 4 * self.b * u * r, 2 * self.b * r], axis=-1)

    def hessian(self, x) -> np.ndarray:
        """``[[2 - 4 b (y - 3 x^2), -4 b x], [-4 b x, 2 b]]``, shape (..., 2, 2)."""
        x = _points(x, 2)
        u, v = x[..., 0], x[..., 1]
        H = np.empty(x.shape[:-1] + (2, 2))
        H[..., 0, 0] = 2 - 4 * self.b * (v - 3 * u ** 2)
        H[..., 0, 1] = H[..., 1, 0] = -4 * self.b * u
        H[..., 1, 1] = 2 * self.b
        return H

    def __repr__(self) -> str:
        return f"Rosenbrock(a={self.a:g}, b={self.b:g})"


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Rosenbrock:
    """The Rosenbrock function ``(a - x)^2 + b (y - x^2)^2`` (see :class:`Rosenbrock`)."""
    return Rosenbrock(a, b)


class Grid(NamedTuple):
    """Values of a 2-D function on a regular grid: ``X``, ``Y``, ``Z`` all of shape (n, n)."""

    X: np.ndarray
    Y: np.ndarray
    Z: np.ndarray


def evaluate_grid(f: Callable, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), n: int = 200) -> Grid:
    """Evaluate a 2-D function on an ``n x n`` grid (do this once, outside a slider's ``draw``).

    The grid itself comes from :func:`helpers.surfaces.evaluate`; this wrapper hands ``f`` the grid
    as one array of points, the form every landscape takes.

    Parameters
    ----------
    f : callable
        Takes points of shape (..., 2) and returns values of shape (...) (every landscape does).
    xlim, ylim : (float, float)
        Range of the first and second coordinate, low < high.
    n : int
        Points per axis.

    Returns
    -------
    Grid
        ``X``, ``Y`` (coordinates) and ``Z = f`` on the grid, each (n, n) float64.

    Raises
    ------
    ValueError
        If ``f`` does not return one value per point (both shapes named), or for bad limits or n.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of points of shape (..., 2), got {type(f).__name__}")

    def on_points(X, Y):
        Z = np.asarray(f(np.stack([X, Y], axis=-1)), dtype=float)
        if Z.shape != X.shape:       # also a scalar: a function that sums over all points is a bug
            raise ValueError(f"f must return one value per point: the grid has shape {X.shape} "
                             f"but f returned shape {Z.shape}")
        return Z

    return Grid(*surfaces.evaluate(on_points, xlim, ylim, n))


def _contour_levels(Z: np.ndarray, levels: int, log: bool) -> np.ndarray:
    """Contour levels for the values ``Z`` (any shape), strictly increasing.

    Linear: ``levels`` values evenly spaced strictly between ``min(Z)`` and ``max(Z)``. Log:
    ``min(Z) + `` geometrically spaced offsets from ``1e-4`` to (not including) ``1`` times the
    range, so that the levels crowd near the minimum, as the values of a function like Rosenbrock
    (spanning many orders of magnitude) need. A constant ``Z`` gives the single level ``min(Z)``.

    Returns
    -------
    ndarray (levels,) of float64 (or (1,) for a constant Z)
    """
    levels = require_positive_int(levels, "levels")
    lo, hi = float(np.min(Z)), float(np.max(Z))
    if not hi > lo:
        return np.array([lo])
    if log:
        return lo + np.geomspace(1e-4 * (hi - lo), hi - lo, levels + 1)[:-1]
    return np.linspace(lo, hi, levels + 2)[1:-1]


def draw_contours(ax, grid: Grid, *, levels: int = 20, log: bool = False, filled: bool = True,
                  minimizer=None, cmap: str = "viridis", labels=("$x_1$", "$x_2$")):
    """Draw the level sets of a precomputed :class:`Grid` and fix the axes to its range.

    Chooses the levels (see ``log``) and draws them with
    :func:`helpers.surfaces.draw_contours` (equal scales on both axes).

    Parameters
    ----------
    ax : matplotlib Axes
    grid : Grid
        From :func:`evaluate_grid`.
    levels : int
        Number of contour levels.
    log : bool
        Crowd the levels geometrically near the minimum (for functions such as Rosenbrock whose
        values span many orders of magnitude); linear spacing otherwise.
    filled : bool
        Light filled bands under the contour lines.
    minimizer : array_like, shape (2,), optional
        Marked with a star (legend label "minimum").
    labels : (str, str)
        Axis labels.

    Returns
    -------
    matplotlib ContourSet (the lines)
    """
    if not isinstance(grid, Grid):
        raise TypeError(f"grid must be a landscapes.Grid (from evaluate_grid), got "
                        f"{type(grid).__name__}")
    lv = _contour_levels(grid.Z, levels, log)
    m = None if minimizer is None else as_array(minimizer, "minimizer", shape=(2,))
    lines = surfaces.draw_contours(ax, grid.X, grid.Y, grid.Z, levels=lv,
                                   filled=filled and len(lv) > 1, cmap=cmap, labels=labels)
    if m is not None:
        ax.plot(m[0], m[1], marker="*", ms=14, color=COLORS["black"], ls="none", zorder=5,
                label="minimum")
    return lines


def draw_path(ax, path, *, color: str | None = None, label: str | None = None,
              markers: bool = True, lw: float = 1.5):
    """Draw an optimizer's iterates as a polyline from a circle (start) to a square (end).

    The axes' limits are kept, so a path that leaves the picture (a diverging run) does not
    rescale it.

    Parameters
    ----------
    ax : matplotlib Axes
    path : array_like, shape (k, 2)
        Iterates ``x_0, ..., x_{k-1}``, for example ``optim.minimize(...)['path']``.
    color : str, optional
        A matplotlib colour (default: vermillion).
    label : str, optional
        Legend label.
    markers : bool
        Mark every iterate with a small dot.

    Returns
    -------
    matplotlib Line2D
    """
    P = as_array(path, "path", ndim=2)
    if P.shape[1] != 2 or len(P) == 0:
        raise ValueError(f"path must have shape (k, 2) with k >= 1, got shape {P.shape}")
    color = color or COLORS["vermillion"]
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    line, = ax.plot(P[:, 0], P[:, 1], color=color, lw=lw, marker="." if markers else None,
                    ms=5, label=label, zorder=4)
    ax.plot(P[0, 0], P[0, 1], "o", color=color, ms=7, mfc="white", mew=2, zorder=6)
    ax.plot(P[-1, 0], P[-1, 1], "s", color=color, ms=7, zorder=6)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return line
