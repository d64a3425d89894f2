"""Tests of helpers.probability against independent computations and sample statistics.

Sample-based checks use tolerances derived from the sample size (a few standard errors).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import probability as P


def test_normal_pdf_values_and_normalisation():
    assert P.normal_pdf(0.0) == pytest.approx(1 / math.sqrt(2 * math.pi), rel=1e-15)
    assert P.normal_pdf(3.0, mu=1.0, sigma=2.0) == pytest.approx(
        math.exp(-0.5) / (2 * math.sqrt(2 * math.pi)), rel=1e-15)
    x = np.linspace(-12, 14, 20001)
    dx = x[1] - x[0]
    # trapezoid rule on a smooth, rapidly decaying density: error far below 1e-9
    assert np.trapezoid(P.normal_pdf(x, 1.0, 2.0), dx=dx) == pytest.approx(1.0, abs=1e-9)
    assert P.normal_pdf(np.zeros((2, 3))).shape == (2, 3)


def test_normal_cdf_values_and_derivative():
    assert P.normal_cdf(0.0) == 0.5
    # Phi(1.959963984540054) = 0.975 (standard table value)
    assert P.normal_cdf(1.959963984540054) == pytest.approx(0.975, rel=1e-12)
    assert P.normal_cdf(5.0, mu=5.0, sigma=3.0) == 0.5
    x = np.linspace(-3, 3, 13)
    h = 1e-5
    num = (P.normal_cdf(x + h, 0.5, 1.5) - P.normal_cdf(x - h, 0.5, 1.5)) / (2 * h)
    np.testing.assert_allclose(num, P.normal_pdf(x, 0.5, 1.5), rtol=1e-8)


def test_normal_cdf_keeps_relative_accuracy_in_the_lower_tail():
    # standard table values of Phi(-8) and Phi(-9); 0.5 * (1 + erf(z / sqrt 2)) cancels here
    # (1.8 % error at -8, exactly 0 at -9)
    assert P.normal_cdf(-8.0) == pytest.approx(6.220960574271785e-16, rel=1e-12)
    assert P.normal_cdf(-9.0) == pytest.approx(1.1285884059538425e-19, rel=1e-12)
    # the two tails are mirror images: Phi(-z) = 1 - Phi(z)
    z = np.linspace(0, 5, 11)
    np.testing.assert_allclose(P.normal_cdf(-z), 1 - P.normal_cdf(z), rtol=1e-12, atol=1e-15)


def test_normal_bad_sigma():
    for bad in (0.0, -1.0, np.nan, [1.0, 2.0]):
        with pytest.raises(ValueError, match="sigma"):
            P.normal_pdf(0.0, sigma=bad)
        with pytest.raises(ValueError, match="sigma"):
            P.normal_cdf(0.0, sigma=bad)


def test_mvn_logpdf_matches_explicit_formula():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 3))
    cov = A @ A.T + 0.5 * np.eye(3)
    mean = rng.normal(size=3)
    X = rng.normal(size=(5, 3))
    diff = X - mean
    maha = np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov), diff)
    expected = -0.5 * (3 * math.log(2 * math.pi) + math.log(np.linalg.det(cov)) + maha)
    np.testing.assert_allclose(P.mvn_logpdf(X, mean, cov), expected, rtol=1e-12)
    np.testing.assert_allclose(P.mvn_pdf(X, mean, cov), np.exp(expected), rtol=1e-12)
    assert P.mvn_logpdf(X[0], mean, cov).shape == ()


def test_mvn_logpdf_diagonal_is_product_of_1d_densities():
    mean, sd = np.array([1.0, -2.0]), np.array([0.5, 3.0])
    X = np.array([[0.0, 0.0], [1.0, -2.0], [2.5, 4.0]])
    expected = np.log(P.normal_pdf(X[:, 0], 1.0, 0.5) * P.normal_pdf(X[:, 1], -2.0, 3.0))
    np.testing.assert_allclose(P.mvn_logpdf(X, mean, np.diag(sd ** 2)), expected, rtol=1e-13)


def test_mvn_sample_moments_within_standard_errors():
    rng = np.random.default_rng(1)
    mean = np.array([1.0, -1.0])
    cov = np.array([[2.0, 0.8], [0.8, 1.0]])
    n = 20000
    X = P.mvn_sample(rng, mean, cov, n)
    assert X.shape == (n, 2)
    # standard error of a coordinate mean: sqrt(var / n)
    P.assert_within_se(X.mean(axis=0), mean, np.sqrt(np.diag(cov) / n), name="mean")
    # standard error of the sample covariance entry S_ij: sqrt((S_ii S_jj + S_ij^2) / n)
    se_cov = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov ** 2) / n)
    P.assert_within_se(np.cov(X.T), cov, se_cov, name="cov")


def test_mvn_sample_is_reproducible():
    a = P.mvn_sample(np.random.default_rng(5), [0.0], [[1.0]], 4)
    b = P.mvn_sample(np.random.default_rng(5), [0.0], [[1.0]], 4)
    np.testing.assert_array_equal(a, b)


def test_mvn_bad_input():
    with pytest.raises(ValueError, match=r"mean has shape \(2,\) so cov must have shape \(2, 2\), "
                                         r"got shape \(3, 3\)"):
        P.mvn_logpdf(np.zeros((1, 2)), np.zeros(2), np.eye(3))
    with pytest.raises(ValueError, match="symmetric"):
        P.mvn_logpdf(np.zeros((1, 2)), np.zeros(2), [[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(ValueError, match="positive definite.*-1"):
        P.mvn_logpdf(np.zeros((1, 2)), np.zeros(2), [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match=r"X has shape \(4, 3\) but mean has shape \(2,\)"):
        P.mvn_logpdf(np.zeros((4, 3)), np.zeros(2), np.eye(2))
    with pytest.raises(TypeError, match="Generator"):
        P.mvn_sample(0, np.zeros(2), np.eye(2), 3)
    with pytest.raises(ValueError, match="size"):
        P.mvn_sample(np.random.default_rng(0), np.zeros(2), np.eye(2), 0)
    with pytest.raises(ValueError, match="finite"):
        P.mvn_pdf(np.zeros(2), [np.nan, 0.0], np.eye(2))


def test_covariance_ellipse_points_have_the_right_mahalanobis_radius():
    mean = np.array([1.0, 2.0])
    cov = np.array([[3.0, 1.2], [1.2, 1.0]])
    pts = P.covariance_ellipse(mean, cov, n_std=2.0, num=50)
    assert pts.shape == (50, 2)
    d = pts - mean
    r2 = np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d)
    np.testing.assert_allclose(r2, 4.0, rtol=1e-12)
    np.testing.assert_allclose(pts[0], pts[-1], atol=1e-12)
    # the farthest point lies along the top eigenvector at distance 2 sqrt(lambda_max)
    lam_max = np.linalg.eigvalsh(cov)[-1]
    dense = P.covariance_ellipse(mean, cov, n_std=2.0, num=20001)
    assert np.max(np.linalg.norm(dense - mean, axis=1)) == pytest.approx(
        2 * math.sqrt(lam_max), rel=1e-6)


def test_covariance_ellipse_bad_input():
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        P.covariance_ellipse(np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="num"):
        P.covariance_ellipse(np.zeros(2), np.eye(2), num=2)
    with pytest.raises(ValueError, match="positive definite"):
        P.covariance_ellipse(np.zeros(2), np.zeros((2, 2)))
    for bad in (0.0, -1.0, np.nan, [1.0, 2.0]):
        with pytest.raises(ValueError, match="n_std"):
            P.covariance_ellipse(np.zeros(2), np.eye(2), n_std=bad)


def test_joint_distribution_counts_pairs():
    a = np.array([0, 0, 1, 2, 2, 2])
    b = np.array([1, 1, 0, 1, 0, 1])
    J = P.joint_distribution(a, b, 3, 2)
    np.testing.assert_allclose(J, np.array([[0, 2], [1, 0], [1, 2]]) / 6)
    assert J.shape == (3, 2) and J.sum() == pytest.approx(1.0)


def test_joint_distribution_of_independent_variables_factorises():
    rng = np.random.default_rng(3)
    n = 50000
    a = rng.integers(0, 3, size=n)
    b = rng.integers(0, 4, size=n)
    J = P.joint_distribution(a, b, 3, 4)
    # each cell is a frequency with probability 1/12: SE = sqrt(p (1 - p) / n)
    P.assert_within_se(J, np.full((3, 4), 1 / 12), math.sqrt((1 / 12) * (11 / 12) / n))


def test_joint_distribution_bad_input():
    with pytest.raises(ValueError, match=r"a has shape \(2,\) but b has shape \(3,\)"):
        P.joint_distribution([0, 1], [0, 1, 1], 2, 2)
    with pytest.raises(ValueError, match=r"outside \[0, 2\)"):
        P.joint_distribution([0, 2], [0, 1], 2, 2)
    with pytest.raises(TypeError, match="integers"):
        P.joint_distribution([0.0, 1.0], [0, 1], 2, 2)
    with pytest.raises(ValueError, match="empty"):
        P.joint_distribution(np.array([], dtype=int), np.array([], dtype=int), 2, 2)
    with pytest.raises(ValueError, match="num_b"):
        P.joint_distribution([0], [0], 1, 0)


def test_assert_within_se_passes_and_fails():
    report = P.assert_within_se(1.02, 1.0, 0.01, name="mean")
    assert "mean" in report and "2.0 SE" in report
    with pytest.raises(AssertionError, match=r"mean: estimate 1.05 differs from 1 by 5.0"):
        P.assert_within_se(1.05, 1.0, 0.01, name="mean")
    with pytest.raises(AssertionError, match=r"at index \(1,\)"):
        P.assert_within_se([0.0, 1.0], [0.0, 0.0], [1.0, 0.1])
    P.assert_within_se(1.05, 1.0, 0.01, k=6)


def test_assert_within_se_bad_input():
    with pytest.raises(ValueError, match="se must be"):
        P.assert_within_se(1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match=r"estimate has shape \(2,\) but expected has shape \(3,\)"):
        P.assert_within_se([1.0, 2.0], [1.0, 2.0, 3.0], 1.0)
    with pytest.raises(ValueError, match="k must be"):
        P.assert_within_se(1.0, 1.0, 1.0, k=-1)
    with pytest.raises(AssertionError, match="not finite"):
        P.assert_within_se(np.nan, 1.0, 1.0)


def test_sample_mean_check_fails_for_a_wrong_mean():
    # the check has power: the mean of 10,000 standard normals is not 0.1 (10 SE away)
    x = np.random.default_rng(2).standard_normal(10000)
    P.assert_within_se(x.mean(), 0.0, 1 / math.sqrt(len(x)))
    with pytest.raises(AssertionError):
        P.assert_within_se(x.mean(), 0.1, 1 / math.sqrt(len(x)))
