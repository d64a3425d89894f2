"""Tests of helpers.landscapes: gradients against finite differences (helpers.gradcheck) and sympy,
Hessians against differences of the gradient, the constructed conditioning, grids and drawing
(built on helpers.surfaces), bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402

from helpers import gradcheck, landscapes, surfaces  # noqa: E402


def numerical_hessian(f, x):
    """Central differences of the analytic gradient, one column per coordinate."""
    return np.stack([gradcheck.numerical_gradient(lambda z: f.grad(z)[i], x)
                     for i in range(len(x))])


def random_spd(rng, d):
    M = rng.standard_normal((d, d))
    return M @ M.T + d * np.eye(d)


# ---------------------------------------------------------------- Quadratic

def test_quadratic_value_gradient_and_hessian_on_random_instances():
    rng = np.random.default_rng(0)
    for d in (1, 2, 5):
        A = random_spd(rng, d)
        b = rng.standard_normal(d)
        f = landscapes.Quadratic(A, b, c=1.5)
        x = rng.standard_normal(d)
        assert f(x) == pytest.approx(0.5 * x @ A @ x - b @ x + 1.5, rel=1e-12)
        # a quadratic's central differences are exact up to round-off (about 1e-16 |f| / h)
        gradcheck.check_gradient(f.value, f.grad(x), x, tol=1e-6)
        np.testing.assert_allclose(numerical_hessian(f, x), A, rtol=1e-6, atol=1e-6)
        np.testing.assert_array_equal(f.hessian(x), A)
        np.testing.assert_allclose(f.grad(f.minimizer), 0.0, atol=1e-10)
        assert f.L == pytest.approx(np.linalg.eigvalsh(A).max())
        assert f.mu == pytest.approx(np.linalg.eigvalsh(A).min())
        assert f.condition_number == pytest.approx(f.L / f.mu)


def test_quadratic_is_vectorized_over_leading_axes():
    rng = np.random.default_rng(1)
    f = landscapes.Quadratic(random_spd(rng, 3), rng.standard_normal(3))
    X = rng.standard_normal((4, 5, 3))
    V, G, H = f.value(X), f.grad(X), f.hessian(X)
    assert V.shape == (4, 5) and G.shape == (4, 5, 3) and H.shape == (4, 5, 3, 3)
    for idx in [(0, 0), (3, 4), (2, 1)]:
        assert V[idx] == pytest.approx(f.value(X[idx]), rel=1e-12)
        np.testing.assert_allclose(G[idx], f.grad(X[idx]), rtol=1e-12)
    value, grad = f.f_and_grad(X[0, 0])
    assert isinstance(value, float) and grad.shape == (3,)


def test_indefinite_quadratic_has_no_minimizer():
    f = landscapes.Quadratic(np.diag([2.0, -2.0]))       # the saddle x^2 - y^2
    assert f.minimizer is None and f.condition_number == float("inf")
    assert f([1.0, 1.0]) == pytest.approx(0.0)


@pytest.mark.parametrize("kappa, L, angle", [(1.0, 1.0, 0.0), (10.0, 2.0, 0.3), (100.0, 0.5, -1.0)])
def test_quadratic_2d_has_the_requested_conditioning(kappa, L, angle):
    center = np.array([0.5, -1.0])
    f = landscapes.quadratic_2d(kappa, L=L, angle=angle, center=center)
    np.testing.assert_allclose(f.eigenvalues, [L / kappa, L], rtol=1e-12)
    assert f.condition_number == pytest.approx(kappa, rel=1e-10)
    np.testing.assert_allclose(f.minimizer, center, atol=1e-12)
    assert f(center) == pytest.approx(0.0, abs=1e-12)
    steep = np.array([np.cos(angle), np.sin(angle)])          # curvature L along this direction
    assert steep @ f.A @ steep == pytest.approx(L, rel=1e-12)


def test_quadratic_bad_input_names_shapes():
    with pytest.raises(ValueError, match=r"A must be square, got shape \(2, 3\)"):
        landscapes.Quadratic(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        landscapes.Quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"A has shape \(2, 2\) but b has shape \(3,\)"):
        landscapes.Quadratic(np.eye(2), np.zeros(3))
    f = landscapes.Quadratic(np.eye(2))
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 2\).*got shape \(3,\)"):
        f.grad(np.zeros(3))
    with pytest.raises(ValueError, match=r"x must have 1 dimension\(s\), got shape \(4, 2\)"):
        f.f_and_grad(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="kappa must be"):
        landscapes.quadratic_2d(0.5)
    with pytest.raises(ValueError, match="L must be"):
        landscapes.quadratic_2d(10.0, L=0.0)


# ---------------------------------------------------------------- Rosenbrock

def test_rosenbrock_gradient_and_hessian_match_sympy():
    x, y, a, b = sp.symbols("x y a b")
    expr = (a - x) ** 2 + b * (y - x ** 2) ** 2
    grad_expr = [sp.diff(expr, v) for v in (x, y)]
    hess_expr = sp.hessian(expr, (x, y))
    rng = np.random.default_rng(2)
    for a_val, b_val in [(1.0, 100.0), (0.5, 3.0)]:
        f = landscapes.rosenbrock(a_val, b_val)
        for p in rng.uniform(-2, 2, size=(5, 2)):
            subs = {x: p[0], y: p[1], a: a_val, b: b_val}
            assert f(p) == pytest.approx(float(expr.subs(subs)), rel=1e-12)
            np.testing.assert_allclose(f.grad(p), [float(g.subs(subs)) for g in grad_expr],
                                       rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(f.hessian(p), np.array(hess_expr.subs(subs), dtype=float),
                                       rtol=1e-12, atol=1e-12)


def test_rosenbrock_against_finite_differences():
    f = landscapes.rosenbrock()
    rng = np.random.default_rng(3)
    for p in rng.uniform(-1.5, 1.5, size=(10, 2)):
        # values up to ~1e3 and third derivatives up to ~1e3: central differences with h = 1e-6
        # are good to ~1e-7 relative, so 1e-5 leaves a margin without hiding a wrong term.
        gradcheck.check_gradient(f.value, f.grad(p), p, tol=1e-5)
        np.testing.assert_allclose(numerical_hessian(f, p), f.hessian(p), rtol=1e-5, atol=1e-4)


def test_rosenbrock_minimum_and_vectorization():
    f = landscapes.Rosenbrock(2.0, 10.0)
    np.testing.assert_array_equal(f.minimizer, [2.0, 4.0])
    assert f(f.minimizer) == 0.0
    np.testing.assert_array_equal(f.grad(f.minimizer), [0.0, 0.0])
    assert np.all(np.linalg.eigvalsh(f.hessian(f.minimizer)) > 0)
    P = np.random.default_rng(4).standard_normal((3, 7, 2))
    assert f(P).shape == (3, 7) and f.grad(P).shape == (3, 7, 2) and f.hessian(P).shape == (3, 7, 2, 2)
    np.testing.assert_allclose(f.hessian(P)[1, 2], f.hessian(P[1, 2]))
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 2\).*got shape \(3,\)"):
        f(np.zeros(3))
    with pytest.raises(ValueError, match="b must be"):
        landscapes.Rosenbrock(1.0, -1.0)
    assert repr(f) == "Rosenbrock(a=2, b=10)"


# ---------------------------------------------------------------- grids and drawing

def test_evaluate_grid_values_and_bad_input():
    f = landscapes.rosenbrock()
    grid = landscapes.evaluate_grid(f, (-2, 2), (-1, 3), n=21)
    assert grid.X.shape == grid.Y.shape == grid.Z.shape == (21, 21)
    assert grid.X[0, 0] == -2 and grid.X[0, -1] == 2 and grid.Y[0, 0] == -1 and grid.Y[-1, 0] == 3
    i, j = 7, 13
    assert grid.Z[i, j] == pytest.approx(f([grid.X[i, j], grid.Y[i, j]]))
    with pytest.raises(ValueError, match=r"xlim must have shape \(2,\), got shape \(3,\)"):
        landscapes.evaluate_grid(f, (-2, 0, 2), (-1, 3))
    with pytest.raises(ValueError, match="n must be a positive integer"):
        landscapes.evaluate_grid(f, n=0)
    # a function that returns one number for the whole grid (e.g. a sum over all points) is a bug
    with pytest.raises(ValueError, match=r"grid has shape \(5, 5\) but f returned shape \(\)"):
        landscapes.evaluate_grid(lambda p: float(np.sum(p)), n=5)
    with pytest.raises(ValueError, match=r"grid has shape \(5, 5\) but f returned shape \(5,\)"):
        landscapes.evaluate_grid(lambda p: p[0, :, 0], n=5)
    with pytest.raises(TypeError, match="f must be a function"):
        landscapes.evaluate_grid(np.zeros((5, 5)))


def test_evaluate_grid_is_the_grid_of_surfaces_evaluate():
    # The same grid as helpers.surfaces.evaluate gives for the (x, y) form of the function,
    # including its checks of the limits.
    f = landscapes.rosenbrock(1.0, 100.0)
    grid = landscapes.evaluate_grid(f, (-2, 2), (-1, 3), n=31)
    X, Y, Z = surfaces.evaluate(lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2, (-2, 2), (-1, 3), n=31)
    np.testing.assert_array_equal(grid.X, X)
    np.testing.assert_array_equal(grid.Y, Y)
    np.testing.assert_allclose(grid.Z, Z, rtol=1e-12)
    with pytest.raises(ValueError, match="low < high"):
        landscapes.evaluate_grid(f, (2, -2), (-1, 3))


def test_draw_contours_levels_linear_and_log():
    f = landscapes.rosenbrock()
    grid = landscapes.evaluate_grid(f, (-2, 2), (-1, 3), n=60)
    lo, hi = grid.Z.min(), grid.Z.max()
    fig, ax = plt.subplots()
    linear = np.asarray(landscapes.draw_contours(ax, grid, levels=9).levels)
    assert len(linear) == 9 and lo < linear[0] and linear[-1] < hi
    np.testing.assert_allclose(np.diff(linear), (hi - lo) / 10, rtol=1e-9)    # evenly spaced inside
    ax.clear()
    logged = np.asarray(landscapes.draw_contours(ax, grid, levels=9, log=True).levels)
    offsets = logged - lo                       # a geometric sequence from 1e-4 of the range up
    assert len(logged) == 9
    assert offsets[0] == pytest.approx(1e-4 * (hi - lo), rel=1e-9)
    ratios = offsets[1:] / offsets[:-1]
    np.testing.assert_allclose(ratios, (1e4) ** (1 / 9), rtol=1e-6)
    plt.close(fig)


def test_draw_contours_fills_marks_the_minimum_and_handles_a_constant_grid():
    f = landscapes.quadratic_2d(4.0, center=(0.5, -0.5))
    grid = landscapes.evaluate_grid(f, (-2, 2), (-2, 2), n=30)
    fig, ax = plt.subplots()
    landscapes.draw_contours(ax, grid, levels=6, minimizer=f.minimizer, labels=("$a$", "$b$"))
    filled = [c for c in ax.collections if getattr(c, "filled", False)]
    assert len(filled) == 1
    star, = [line for line in ax.lines if line.get_label() == "minimum"]
    assert star.get_marker() == "*" and tuple(star.get_xydata()[0]) == (0.5, -0.5)
    assert ax.get_xlabel() == "$a$" and ax.get_ylabel() == "$b$" and ax.get_aspect() == 1.0
    ax.clear()
    landscapes.draw_contours(ax, grid, filled=False)
    assert not [c for c in ax.collections if getattr(c, "filled", False)]
    ax.clear()
    flat = landscapes.evaluate_grid(lambda p: np.full(p.shape[:-1], 2.0), n=5)
    lines = landscapes.draw_contours(ax, flat)           # one level, nothing to fill, no error
    assert list(lines.levels) == [2.0]
    assert not [c for c in ax.collections if getattr(c, "filled", False)]
    plt.close(fig)


def test_draw_contours_and_path_keep_the_limits():
    f = landscapes.quadratic_2d(10.0)
    grid = landscapes.evaluate_grid(f, (-3, 3), (-2, 2), n=30)
    fig, ax = plt.subplots()
    for log in (False, True):
        ax.clear()
        lines = landscapes.draw_contours(ax, grid, levels=8, log=log, minimizer=f.minimizer)
        assert len(lines.levels) == 8
        assert np.all(np.diff(lines.levels) > 0)
    line = landscapes.draw_path(ax, [[2.0, 1.0], [50.0, -80.0], [1.0, 0.5]], label="run")
    assert ax.get_xlim() == (-3.0, 3.0) and ax.get_ylim() == (-2.0, 2.0)
    assert line.get_label() == "run" and len(line.get_xdata()) == 3
    assert ax.get_xlabel() == "$x_1$"
    plt.close(fig)


def test_drawing_bad_input():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"path must have shape \(k, 2\).*got shape \(4, 3\)"):
        landscapes.draw_path(ax, np.zeros((4, 3)))
    with pytest.raises(TypeError, match="grid must be a landscapes.Grid"):
        landscapes.draw_contours(ax, np.zeros((3, 3)))
    grid = landscapes.evaluate_grid(landscapes.rosenbrock(), n=5)
    with pytest.raises(ValueError, match="levels must be a positive integer"):
        landscapes.draw_contours(ax, grid, levels=0)
    with pytest.raises(ValueError, match=r"minimizer must have shape \(2,\)"):
        landscapes.draw_contours(ax, grid, minimizer=[1.0, 2.0, 3.0])
    plt.close(fig)
