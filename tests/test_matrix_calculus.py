"""Tests of helpers.matrix_calculus: each closed form against central differences and sympy."""

import numpy as np
import pytest
import sympy as sp

from helpers import matrix_calculus as mc
from helpers.gradcheck import check_gradient, numerical_jacobian

SEED = 7


def _rng(k=0):
    return np.random.default_rng(SEED + k)


def _spd(rng, d):
    M = rng.normal(size=(d, d))
    return M @ M.T + d * np.eye(d)


# ------------------------------------------------------------------ smooth identities

def test_quadratic_form_grad_matches_finite_differences_for_nonsymmetric_A():
    rng = _rng(1)
    A, x = rng.normal(size=(4, 4)), rng.normal(size=4)
    g = mc.quadratic_form_grad(A, x)
    check_gradient(lambda v: v @ A @ v, g, x, tol=1e-6)
    assert not np.allclose(g, 2 * A @ x)          # the symmetric-only shortcut is wrong here


def test_least_squares_grad_matches_finite_differences_and_vanishes_at_lstsq_solution():
    rng = _rng(2)
    A, x, b = rng.normal(size=(6, 3)), rng.normal(size=3), rng.normal(size=6)
    check_gradient(lambda v: np.sum((A @ v - b) ** 2), mc.least_squares_grad(A, x, b), x, tol=1e-6)
    x_star = np.linalg.lstsq(A, b, rcond=None)[0]
    np.testing.assert_allclose(mc.least_squares_grad(A, x_star, b), 0.0, atol=1e-12)


def test_trace_product_grad_is_B_transpose_for_rectangular_A():
    rng = _rng(3)
    A, B = rng.normal(size=(2, 3)), rng.normal(size=(3, 2))
    g = mc.trace_product_grad(A, B)
    assert g.shape == A.shape
    check_gradient(lambda M: np.trace(M @ B), g, A, tol=1e-6)


def test_logdet_grad_matches_finite_differences_also_for_negative_determinant():
    rng = _rng(4)
    A = rng.normal(size=(4, 4))
    A[0] *= np.sign(np.linalg.det(A)) * -1.0            # make det A < 0: log|det A| still works
    assert np.linalg.det(A) < 0
    check_gradient(lambda M: np.linalg.slogdet(M)[1], mc.logdet_grad(A), A, tol=1e-6)


def test_logdet_grad_equals_cofactor_over_determinant_symbolically():
    S = sp.Matrix(3, 3, sp.symbols("a0:9"))
    det = S.det()
    jacobi = sp.Matrix(3, 3, lambda i, j: sp.diff(det, S[i, j]))   # d det / dA = cofactors
    assert sp.expand(jacobi - S.adjugate().T) == sp.zeros(3, 3)
    A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
    exact = np.array(jacobi.subs(dict(zip(S, A.ravel()))), dtype=float) / np.linalg.det(A)
    np.testing.assert_allclose(mc.logdet_grad(A), exact, rtol=1e-12)


def test_inverse_differential_is_the_derivative_along_dA():
    rng = _rng(5)
    A, dA = rng.normal(size=(3, 3)) + 3 * np.eye(3), rng.normal(size=(3, 3))
    numeric = numerical_jacobian(lambda t: np.linalg.inv(A + t * dA), 0.0)
    np.testing.assert_allclose(mc.inverse_differential(A, dA), numeric, rtol=0, atol=1e-8)


def test_inverse_differential_symbolic_2x2():
    S = sp.Matrix(2, 2, sp.symbols("a b c d"))
    inv = S.inv()
    for k in range(4):
        E = sp.zeros(2, 2)
        E[k] = 1
        assert sp.simplify(inv.diff(S[k]) + inv * E * inv) == sp.zeros(2, 2)


def test_gaussian_grads_match_finite_differences_and_vanish_at_the_mle():
    rng = _rng(6)
    X, mu, Sigma = rng.normal(size=(20, 3)), rng.normal(size=3), _spd(rng, 3)
    g_mu, g_Sigma = mc.gaussian_loglik_grads(X, mu, Sigma)
    check_gradient(lambda m: mc.gaussian_loglik(X, m, Sigma), g_mu, mu, tol=1e-6)
    check_gradient(lambda S: mc.gaussian_loglik(X, mu, S), g_Sigma, Sigma, tol=1e-6)
    np.testing.assert_allclose(g_Sigma, g_Sigma.T, rtol=1e-12)
    mu_hat, Sigma_hat = X.mean(axis=0), np.cov(X.T, bias=True)
    for g in mc.gaussian_loglik_grads(X, mu_hat, Sigma_hat):
        np.testing.assert_allclose(g, 0.0, atol=1e-10)


def test_gaussian_loglik_of_one_example_agrees_with_the_density():
    x, mu, Sigma = np.array([0.5, -1.0]), np.array([0.0, 1.0]), np.array([[2.0, 0.5], [0.5, 1.0]])
    diff = x - mu
    density = np.exp(-0.5 * diff @ np.linalg.inv(Sigma) @ diff) / (2 * np.pi * np.sqrt(np.linalg.det(Sigma)))
    assert np.isclose(mc.gaussian_loglik(x, mu, Sigma), np.log(density), rtol=1e-13)
    g_mu, g_Sigma = mc.gaussian_loglik_grads(x, mu, Sigma)
    assert g_mu.shape == (2,) and g_Sigma.shape == (2, 2)


# ------------------------------------------------------------------ kinks

def test_max_affine_subdifferential_of_abs_relu_and_a_general_kink():
    assert mc.max_affine_subdifferential([-1, 1], [0, 0], 0.0) == (-1.0, 1.0)
    assert mc.max_affine_subdifferential([-1, 1], [0, 0], 0.3) == (1.0, 1.0)
    assert mc.max_affine_subdifferential([0, 1], [0, 0], 0.0) == (0.0, 1.0)
    assert mc.max_affine_subdifferential([0, 1], [0, 0], -2.0) == (0.0, 0.0)
    assert mc.max_affine_subdifferential([2, -0.5], [0, 0], 0.0) == (-0.5, 2.0)


def test_subgradient_gap_separates_subgradients_from_other_slopes():
    ys = np.linspace(-2, 2, 401)
    lo, hi = mc.max_affine_subdifferential([-1, 1], [0, 0], 0.0)
    for g in np.linspace(lo, hi, 7):
        assert mc.subgradient_gap(np.abs, 0.0, g, ys) >= 0
    for g in (lo - 0.05, hi + 0.05):
        assert mc.subgradient_gap(np.abs, 0.0, g, ys) < 0
    # many slopes at once: the same gaps as one at a time
    slopes = np.linspace(-2, 2, 41)
    many = mc.subgradient_gap(np.abs, 0.0, slopes, ys)
    assert many.shape == (41,)
    np.testing.assert_allclose(many, [mc.subgradient_gap(np.abs, 0.0, s, ys) for s in slopes])
    np.testing.assert_array_equal(many >= 0, np.abs(slopes) <= 1)
    # max(x, y) at (1, 1): every (t, 1 - t), t in [0, 1], supports; (1, 1) does not
    pts = _rng(8).normal(size=(500, 2)) + 1.0
    f = lambda v: max(v[0], v[1])
    for t in (0.0, 0.3, 1.0):
        assert mc.subgradient_gap(f, [1.0, 1.0], [t, 1 - t], pts) >= -1e-12
    assert mc.subgradient_gap(f, [1.0, 1.0], [1.0, 1.0], pts) < 0


# ------------------------------------------------------------------ bad input

def test_shape_errors_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 2\)"):
        mc.quadratic_form_grad(np.eye(2), np.ones(3))
    with pytest.raises(ValueError, match="square"):
        mc.quadratic_form_grad(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"b has shape \(2,\)"):
        mc.least_squares_grad(np.ones((3, 2)), np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match=r"x has shape \(3,\)"):
        mc.least_squares_grad(np.ones((3, 2)), np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        mc.trace_product_grad(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dA has shape \(2, 3\)"):
        mc.inverse_differential(np.eye(2), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"Sigma has shape \(3, 3\)"):
        mc.gaussian_loglik(np.ones((4, 2)), np.zeros(2), np.eye(3))
    with pytest.raises(ValueError, match=r"mu must have shape"):
        mc.gaussian_loglik_grads(np.ones((4, 2)), np.zeros(3), np.eye(2))


def test_singular_and_indefinite_matrices_are_rejected():
    with pytest.raises(ValueError, match="singular"):
        mc.logdet_grad(np.array([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(ValueError, match="singular"):
        mc.inverse_differential(np.zeros((2, 2)), np.eye(2))
    with pytest.raises(ValueError, match="positive determinant"):
        mc.gaussian_loglik(np.ones(2), np.zeros(2), np.diag([1.0, -1.0]))
    with pytest.raises(TypeError, match="numeric"):
        mc.logdet_grad("not a matrix")


def test_subdifferential_and_gap_argument_errors():
    with pytest.raises(ValueError, match="equal shape"):
        mc.max_affine_subdifferential([1, 2], [0], 0.0)
    with pytest.raises(ValueError, match="equal shape"):
        mc.max_affine_subdifferential([], [], 0.0)
    with pytest.raises(TypeError, match="finite number"):
        mc.max_affine_subdifferential([1], [0], np.nan)
    with pytest.raises(ValueError, match="tol"):
        mc.max_affine_subdifferential([1], [0], 0.0, tol=-1)
    with pytest.raises(TypeError, match="function"):
        mc.subgradient_gap(3, 0.0, 1.0, [1.0])
    with pytest.raises(ValueError, match="g has shape"):
        mc.subgradient_gap(lambda v: v.sum(), [0.0, 0.0], [1.0, 2.0, 3.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="points must have shape"):
        mc.subgradient_gap(lambda v: v.sum(), [0.0, 0.0], [1.0, 0.0], [1.0, 2.0])
