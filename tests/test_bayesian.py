"""Tests of helpers.bayesian: the Beta density, CDF and intervals against closed forms, quadrature and
sampling; soft thresholding and the lasso against grid search, an orthogonal design and the
optimality conditions; Gaussian conditioning against density ratios; Bayesian linear regression
against ridge, the data-space formula and Monte Carlo; and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import bayesian, probability


def trapezoid(f, x):
    return float(np.sum((f[1:] + f[:-1]) * np.diff(x)) / 2)


# ---------------------------------------------------------------- Beta

@pytest.mark.parametrize("a, b", [(1.0, 1.0), (2.0, 5.0), (7.5, 3.2), (30.0, 40.0)])
def test_beta_pdf_integrates_to_one(a, b):
    t = np.linspace(1e-9, 1 - 1e-9, 200_001)
    assert trapezoid(bayesian.beta_pdf(t, a, b), t) == pytest.approx(1.0, abs=1e-6)


def test_beta_pdf_closed_forms():
    t = np.linspace(0.01, 0.99, 50)
    np.testing.assert_allclose(bayesian.beta_pdf(t, 1, 1), np.ones_like(t), rtol=1e-13)
    np.testing.assert_allclose(bayesian.beta_pdf(t, 2, 1), 2 * t, rtol=1e-13)
    np.testing.assert_allclose(bayesian.beta_pdf(t, 2, 3), 12 * t * (1 - t) ** 2, rtol=1e-12)


@pytest.mark.parametrize("a", [0.5, 1.0, 3.7])
def test_beta_cdf_closed_forms_with_one_parameter_equal_to_one(a):
    x = np.linspace(0.0, 1.0, 41)
    np.testing.assert_allclose(bayesian.beta_cdf(x, a, 1.0), x ** a, atol=1e-13)
    np.testing.assert_allclose(bayesian.beta_cdf(x, 1.0, a), 1 - (1 - x) ** a, atol=1e-13)


def test_beta_cdf_against_quadrature_and_symmetry():
    a, b = 2.5, 7.3
    t = np.linspace(0, 1, 400_001)[1:-1]
    dens = bayesian.beta_pdf(t, a, b)
    cum = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) * np.diff(t) / 2)])
    for x in (0.05, 0.2, 0.31, 0.6, 0.9):
        i = np.searchsorted(t, x)
        assert bayesian.beta_cdf(t[i], a, b) == pytest.approx(cum[i], abs=1e-7)
        assert bayesian.beta_cdf(x, a, b) == pytest.approx(1 - bayesian.beta_cdf(1 - x, b, a), abs=1e-13)
    assert bayesian.beta_cdf(-0.5, a, b) == 0.0 and bayesian.beta_cdf(1.5, a, b) == 1.0
    assert bayesian.beta_cdf([[0.2, 0.4]], a, b).shape == (1, 2)


def test_beta_interval_mass_and_monte_carlo():
    a, b = 4.0, 9.0
    lo, hi = bayesian.beta_interval(a, b, 0.9)
    assert bayesian.beta_cdf(lo, a, b) == pytest.approx(0.05, abs=1e-10)
    assert bayesian.beta_cdf(hi, a, b) == pytest.approx(0.95, abs=1e-10)
    draws = np.random.default_rng(0).beta(a, b, size=400_000)
    inside = np.mean((draws > lo) & (draws < hi))
    probability.assert_within_se(inside, 0.9, math.sqrt(0.9 * 0.1 / draws.size))
    lo1, hi1 = bayesian.beta_interval(1.0, 1.0, 0.5)                   # uniform: quartiles
    assert (lo1, hi1) == pytest.approx((0.25, 0.75), abs=1e-11)


def test_beta_interval_shrinks_like_one_over_sqrt_n():
    widths = []
    for n in (100, 400, 1600):
        a, b = bayesian.beta_bernoulli_update(1, 1, 3 * n // 10, n)
        lo, hi = bayesian.beta_interval(a, b)
        widths.append(hi - lo)
    assert widths[0] / widths[1] == pytest.approx(2.0, rel=0.02)
    assert widths[1] / widths[2] == pytest.approx(2.0, rel=0.01)


def test_beta_bernoulli_update_and_bad_input():
    assert bayesian.beta_bernoulli_update(2, 3, 4, 10) == (6.0, 9.0)
    assert bayesian.beta_bernoulli_update(0.5, 0.5, 0, 0) == (0.5, 0.5)
    with pytest.raises(ValueError, match="cannot exceed"):
        bayesian.beta_bernoulli_update(1, 1, 5, 4)
    with pytest.raises(ValueError, match="k must be an integer"):
        bayesian.beta_bernoulli_update(1, 1, 2.5, 4)
    with pytest.raises(ValueError, match="a must be a finite number > 0"):
        bayesian.beta_bernoulli_update(0, 1, 1, 4)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        bayesian.beta_logpdf([0.5, 1.0], 2, 2)
    with pytest.raises(ValueError, match="level"):
        bayesian.beta_interval(2, 2, 1.0)
    with pytest.raises(ValueError, match="b must be"):
        bayesian.beta_cdf(0.5, 1, -1)


# ---------------------------------------------------------------- soft thresholding and the lasso

def test_soft_threshold_minimises_the_one_dimensional_problem():
    grid = np.linspace(-5, 5, 100_001)
    for z in (-3.0, -0.7, 0.0, 0.4, 1.0, 2.5):
        for t in (0.0, 0.5, 1.0):
            best = grid[np.argmin((grid - z) ** 2 / 2 + t * np.abs(grid))]
            assert float(bayesian.soft_threshold(z, t)) == pytest.approx(best, abs=1e-4)
    out = bayesian.soft_threshold([-2.0, -0.5, 0.5, 2.0], 1.0)
    assert np.array_equal(out, [-1.0, 0.0, 0.0, 1.0])                  # exact zeros
    with pytest.raises(ValueError, match="t must be"):
        bayesian.soft_threshold([1.0], -0.1)


def test_lasso_on_an_orthonormal_design_is_soft_thresholding():
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.normal(size=(30, 5)))                      # Q^T Q = I
    y = rng.normal(size=30) * 2
    w = bayesian.lasso_proximal_gradient(Q, y, 0.8)
    np.testing.assert_allclose(w, bayesian.soft_threshold(Q.T @ y, 0.8), atol=1e-10)


def test_lasso_optimality_zero_solution_and_least_squares_limit():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 6))
    y = X @ np.array([2.0, 0, 0, -1.0, 0, 0.5]) + 0.3 * rng.normal(size=40)
    w = bayesian.lasso_proximal_gradient(X, y, 5.0)
    assert bayesian.lasso_optimality_gap(X, y, w, 5.0) < 1e-8
    assert np.sum(w == 0) >= 1                                         # some exact zeros
    lam_max = np.max(np.abs(X.T @ y))
    assert np.all(bayesian.lasso_proximal_gradient(X, y, lam_max * 1.001) == 0)
    w_ls = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(bayesian.lasso_proximal_gradient(X, y, 0.0), w_ls, atol=1e-9)
    # a perturbed solution violates the conditions, and the objective is larger
    assert bayesian.lasso_optimality_gap(X, y, w + 0.01, 5.0) > 1e-3


def test_lasso_bad_input():
    with pytest.raises(ValueError, match=r"y needs one entry per row of X, shape \(3,\)"):
        bayesian.lasso_proximal_gradient(np.ones((3, 2)), np.ones(4), 1.0)
    with pytest.raises(ValueError, match="lam must be"):
        bayesian.lasso_proximal_gradient(np.ones((3, 2)), np.ones(3), -1.0)
    with pytest.raises(ValueError, match=r"w must have shape \(2,\)"):
        bayesian.lasso_optimality_gap(np.ones((3, 2)), np.ones(3), np.ones(3), 1.0)
    assert np.array_equal(bayesian.lasso_proximal_gradient(np.zeros((3, 2)), np.ones(3), 1.0), [0, 0])


# ---------------------------------------------------------------- Gaussians

def random_cov(rng, d):
    A = rng.normal(size=(d, d))
    return A @ A.T + 0.5 * np.eye(d)


def test_gaussian_condition_is_the_joint_density_divided_by_the_marginal():
    rng = np.random.default_rng(3)
    mu, S = rng.normal(size=4), random_cov(rng, 4)
    observed, values = [3, 1], np.array([0.4, -1.2])
    m_c, S_c = bayesian.gaussian_condition(mu, S, observed, values)
    m_b, S_b = bayesian.gaussian_marginal(mu, S, observed)
    assert m_c.shape == (2,) and S_c.shape == (2, 2)
    for _ in range(5):
        xa = rng.normal(size=2)
        x = np.empty(4)
        x[[0, 2]], x[observed] = xa, values
        ratio = probability.mvn_pdf(x, mu, S) / probability.mvn_pdf(values, m_b, S_b)
        assert float(ratio) == pytest.approx(float(probability.mvn_pdf(xa, m_c, S_c)), rel=1e-10)


def test_gaussian_marginal_by_quadrature_and_independent_case():
    mu, S = np.array([1.0, -1.0]), np.array([[2.0, 0.8], [0.8, 1.0]])
    x1 = np.linspace(-12, 14, 20_001)
    for x2 in (-2.0, 0.5):
        joint = probability.mvn_pdf(np.column_stack([x1, np.full_like(x1, x2)]), mu, S)
        m_b, S_b = bayesian.gaussian_marginal(mu, S, [1])
        assert trapezoid(joint, x1) == pytest.approx(float(probability.normal_pdf(x2, m_b[0], math.sqrt(S_b[0, 0]))), rel=1e-9)
    m_c, S_c = bayesian.gaussian_condition([0, 0], np.diag([2.0, 3.0]), [1], [5.0])
    np.testing.assert_allclose(m_c, [0.0]); np.testing.assert_allclose(S_c, [[2.0]])


def test_gaussian_condition_bad_input():
    S = np.eye(3)
    with pytest.raises(ValueError, match="repeats"):
        bayesian.gaussian_condition(np.zeros(3), S, [1, 1], [0, 0])
    with pytest.raises(ValueError, match="outside 0..2"):
        bayesian.gaussian_condition(np.zeros(3), S, [3], [0])
    with pytest.raises(ValueError, match="nothing is left"):
        bayesian.gaussian_condition(np.zeros(3), S, [0, 1, 2], [0, 0, 0])
    with pytest.raises(ValueError, match=r"expected shape \(2,\)"):
        bayesian.gaussian_condition(np.zeros(3), S, [0, 1], [0.0])
    with pytest.raises(ValueError, match="not positive definite"):
        bayesian.gaussian_condition(np.zeros(3), np.diag([1.0, 0.0, 1.0]), [1], [0.0])
    with pytest.raises(ValueError, match="symmetric"):
        bayesian.gaussian_condition(np.zeros(2), [[1.0, 0.5], [0.0, 1.0]], [1], [0.0])
    with pytest.raises(ValueError, match=r"cov must have shape \(3, 3\)"):
        bayesian.gaussian_marginal(np.zeros(3), np.eye(2), [0])


# ---------------------------------------------------------------- Bayesian linear regression

def test_blr_posterior_mean_is_ridge_and_covariance_matches_the_data_space_formula():
    rng = np.random.default_rng(4)
    Phi, y = rng.normal(size=(12, 4)), rng.normal(size=12)
    s2, t2 = 0.3, 2.0
    m, S = bayesian.blr_posterior(Phi, y, s2, t2)
    lam = s2 / t2
    ridge = np.linalg.lstsq(np.vstack([Phi, math.sqrt(lam) * np.eye(4)]), np.concatenate([y, np.zeros(4)]),
                            rcond=None)[0]
    np.testing.assert_allclose(m, ridge, atol=1e-12)
    # (w, y) are jointly Gaussian: condition in data space (an N x N solve)
    G = t2 * Phi @ Phi.T + s2 * np.eye(12)
    np.testing.assert_allclose(m, t2 * Phi.T @ np.linalg.solve(G, y), atol=1e-12)
    np.testing.assert_allclose(S, t2 * np.eye(4) - t2 ** 2 * Phi.T @ np.linalg.solve(G, Phi), atol=1e-12)


def test_blr_predictive_against_monte_carlo():
    rng = np.random.default_rng(5)
    Phi, y = rng.normal(size=(6, 3)), rng.normal(size=6)
    m, S = bayesian.blr_posterior(Phi, y, 0.5, 1.0)
    P = rng.normal(size=(4, 3))
    mean, var = bayesian.blr_predictive(P, m, S, 0.5)
    W = probability.mvn_sample(rng, m, S, 200_000)
    y_star = W @ P.T + math.sqrt(0.5) * rng.normal(size=(200_000, 4))
    probability.assert_within_se(y_star.mean(axis=0), mean, np.sqrt(var / 200_000))
    m4 = np.mean((y_star - y_star.mean(axis=0)) ** 4, axis=0)
    probability.assert_within_se(y_star.var(axis=0), var, np.sqrt((m4 - var ** 2) / 200_000))
    _, var_f = bayesian.blr_predictive(P, m, S, 0.0)
    np.testing.assert_allclose(var - var_f, 0.5)


def test_blr_bad_input():
    with pytest.raises(ValueError, match="noise_var must be"):
        bayesian.blr_posterior(np.ones((3, 2)), np.ones(3), 0.0, 1.0)
    with pytest.raises(ValueError, match=r"m must have shape \(2,\)"):
        bayesian.blr_predictive(np.ones((3, 2)), np.ones(3), np.eye(2), 0.1)
    with pytest.raises(ValueError, match=r"S must have shape \(2, 2\)"):
        bayesian.blr_predictive(np.ones((3, 2)), np.ones(2), np.eye(3), 0.1)
    with pytest.raises(ValueError, match="NaN or infinity"):
        bayesian.blr_posterior(np.ones((3, 2)), [1.0, np.nan, 0.0], 1.0, 1.0)
