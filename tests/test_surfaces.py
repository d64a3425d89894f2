"""Tests of helpers.surfaces: grids, surfaces, contour maps and gradient fields."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import surfaces


def f(x, y):
    return x ** 2 + 3 * y ** 2


def grad_f(x, y):
    return 2 * x, 6 * y


def test_evaluate_returns_meshgrid_and_values():
    X, Y, Z = surfaces.evaluate(f, (-1, 2), (0, 1), n=31)
    assert X.shape == Y.shape == Z.shape == (31, 31)
    assert X[0, 0] == -1 and X[0, -1] == 2 and Y[0, 0] == 0 and Y[-1, 0] == 1
    np.testing.assert_allclose(Z, X ** 2 + 3 * Y ** 2)


def test_evaluate_accepts_constant_function_and_rejects_bad_input():
    _, _, Z = surfaces.evaluate(lambda x, y: 2.0, n=5)
    np.testing.assert_array_equal(Z, np.full((5, 5), 2.0))
    with pytest.raises(TypeError, match="function"):
        surfaces.evaluate(3.0)
    with pytest.raises(ValueError, match="low < high"):
        surfaces.evaluate(f, (1, -1))
    with pytest.raises(ValueError, match="shape"):
        surfaces.evaluate(f, (0, 1, 2))
    with pytest.raises(ValueError, match="positive integer"):
        surfaces.evaluate(f, n=0)
    with pytest.raises(ValueError, match=r"\(7, 7\).*\(7,\)"):
        surfaces.evaluate(lambda x, y: x[0], n=7)


def test_draw_surface_needs_3d_axes():
    X, Y, Z = surfaces.evaluate(f, n=21)
    ax3 = Figure().add_subplot(projection="3d")
    surf = surfaces.draw_surface(ax3, X, Y, Z, view=(20, 30))
    assert surf in ax3.collections
    assert ax3.get_zlabel() == "$f(x, y)$" and ax3.elev == 20 and ax3.azim == 30
    with pytest.raises(ValueError, match="3-D Axes"):
        surfaces.draw_surface(Figure().subplots(), X, Y, Z)


def test_draw_contours_sets_limits_labels_and_levels():
    X, Y, Z = surfaces.evaluate(f, (-2, 2), (-1, 1), n=41)
    ax = Figure().subplots()
    lines = surfaces.draw_contours(ax, X, Y, Z, levels=[0.5, 1.0, 2.0], labels=("$a$", "$b$"))
    np.testing.assert_allclose(lines.levels, [0.5, 1.0, 2.0])
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 1.0)
    assert ax.get_xlabel() == "$a$" and ax.get_aspect() == 1.0
    with pytest.raises(ValueError, match=r"Z has shape \(3, 3\).*\(41, 41\)"):
        surfaces.draw_contours(ax, X, Y, np.zeros((3, 3)))


def test_draw_gradient_field_samples_grid_and_normalizes():
    X, Y, _ = surfaces.evaluate(f, n=41)
    ax = Figure().subplots()
    q = surfaces.draw_gradient_field(ax, grad_f, X, Y, every=10)
    assert q.N == 25                                       # rows and columns 0, 10, 20, 30, 40
    np.testing.assert_allclose(q.U, 2 * X[::10, ::10].ravel())
    q = surfaces.draw_gradient_field(ax, grad_f, X, Y, every=10, normalize=True)
    lengths = np.hypot(q.U, q.V)
    assert np.all((np.abs(lengths - 1) < 1e-12) | (lengths == 0))
    with pytest.raises(ValueError, match="df/dy"):
        surfaces.draw_gradient_field(ax, lambda x, y: (x, 1.0), X, Y)
    with pytest.raises(TypeError, match="function"):
        surfaces.draw_gradient_field(ax, None, X, Y)
    with pytest.raises(ValueError, match=r"X has shape \(41, 41\) but Y has shape \(3, 3\)"):
        surfaces.draw_gradient_field(ax, grad_f, X, np.zeros((3, 3)))
