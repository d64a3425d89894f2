"""Tests of helpers.rates: closed forms on 1-D quadratics, agreement with helpers.optim, the
guarantees on random instances, the exact SGD expectation against simulation, Nesterov's
worst-case function against linear algebra, the fits, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import landscapes, optim, rates


def random_quadratic(rng, eigenvalues):
    d = len(eigenvalues)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    A = Q @ np.diag(eigenvalues) @ Q.T
    return landscapes.Quadratic(0.5 * (A + A.T), rng.normal(size=d))


# ---------------------------------------------------------------- gradient descent

@pytest.mark.parametrize("a, lr", [(1.0, 0.3), (2.0, 0.9), (5.0, 0.1)])
def test_gradient_descent_is_geometric_on_a_1d_quadratic(a, lr):
    path = rates.gradient_descent(lambda x: a * x, [3.0], lr, 30)
    assert path.shape == (31, 1)
    np.testing.assert_allclose(path[:, 0], 3.0 * (1 - lr * a) ** np.arange(31), rtol=1e-12, atol=1e-300)


def test_gradient_descent_matches_optim_sgd():
    f = landscapes.quadratic_2d(20.0, angle=0.7)
    ours = rates.gradient_descent(f.grad, [1.0, -2.0], 0.8, 50)
    theirs = optim.minimize(f.f_and_grad, [1.0, -2.0], optim.SGD(lr=0.8), 50)["path"]
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)


def test_gradient_descent_zero_steps_and_start_not_modified():
    x0 = np.array([1.0, 2.0])
    path = rates.gradient_descent(lambda x: x, x0, 0.5, 0)
    assert path.shape == (1, 2) and np.array_equal(path[0], x0)
    rates.gradient_descent(lambda x: x, x0, 0.5, 3)
    assert np.array_equal(x0, [1.0, 2.0])


def test_gd_convex_bound_on_the_1d_family_and_its_closed_form_envelope():
    lams = np.logspace(-6, 0, 300)
    path = rates.gradient_descent(lambda x: lams * x, np.ones(lams.size), 1.0, 500)
    gaps = 0.5 * lams * path ** 2
    t = np.arange(1, 501)
    assert np.all(gaps[1:].max(axis=1) <= 1 / (2 * t))                    # L D^2 / (2t), L = D = 1
    closed = 0.5 / (2 * t + 1) * (2 * t / (2 * t + 1)) ** (2 * t)          # sup over lambda
    assert np.all(gaps[1:].max(axis=1) <= closed * (1 + 1e-12))
    assert np.all(gaps[1:].max(axis=1) >= 0.995 * closed)


# ---------------------------------------------------------------- Nesterov

def test_nesterov_strongly_convex_on_1d_quadratic_follows_its_recurrence():
    # f = lam x^2 / 2, L = 1: x_{t+1} = r (y_t), y_{t+1} = (1 + b) x_{t+1} - b x_t with r = 1 - lam.
    lam, mu = 0.3, 0.04
    b = (math.sqrt(1 / mu) - 1) / (math.sqrt(1 / mu) + 1)
    path = rates.nesterov(lambda x: lam * x, [2.0], 1.0, 25, mu=mu)[:, 0]
    x, y, expected = 2.0, 2.0, [2.0]
    for _ in range(25):
        x_new = (1 - lam) * y
        y = x_new + b * (x_new - x)
        x = x_new
        expected.append(x)
    np.testing.assert_allclose(path, expected, rtol=1e-13)


def test_nesterov_on_the_flattest_direction_has_the_double_root():
    # lambda = mu: the characteristic polynomial has the double root 1 - 1/sqrt(kappa), so
    # x_t = (A + B t) q^t exactly; fit A, B from two values and predict the rest.
    kappa = 49.0
    q = 1 - 1 / math.sqrt(kappa)
    path = rates.nesterov(lambda x: x / kappa, [1.0], 1.0, 60, mu=1 / kappa)[:, 0]
    t = np.arange(61)
    coeffs = np.linalg.solve(np.array([[q, q], [q ** 2, 2 * q ** 2]]), path[1:3])
    np.testing.assert_allclose(path[1:], (coeffs[0] + coeffs[1] * t[1:]) * q ** t[1:], rtol=1e-9)


def test_nesterov_matches_optim_nesterov_lookahead_points():
    f = landscapes.quadratic_2d(30.0, angle=0.2)
    beta = (math.sqrt(30.0) - 1) / (math.sqrt(30.0) + 1)
    y = optim.minimize(f.f_and_grad, [2.0, 1.0], optim.Nesterov(lr=1 / f.L, beta=beta), 40)["path"]
    x = rates.nesterov(f.grad, [2.0, 1.0], f.L, 41, mu=f.mu)
    np.testing.assert_allclose(y - f.grad(y) / f.L, x[1:], rtol=1e-11, atol=1e-13)


def test_nesterov_with_mu_equal_L_is_gradient_descent():
    f = landscapes.quadratic_2d(1.0)
    np.testing.assert_allclose(rates.nesterov(f.grad, [1.0, 1.0], 1.0, 5, mu=1.0),
                               rates.gradient_descent(f.grad, [1.0, 1.0], 1.0, 5), rtol=1e-14)


def test_nesterov_guarantees_on_random_quadratics():
    rng = np.random.default_rng(3)
    for _ in range(20):
        kappa = 10 ** rng.uniform(0.5, 3)
        ev = np.concatenate([[1.0, 1 / kappa], rng.uniform(1 / kappa, 1, 10)])
        f = random_quadratic(rng, ev)
        x0 = 5 * rng.normal(size=12)
        f_star, D2 = f(f.minimizer), np.sum((x0 - f.minimizer) ** 2)
        t = np.arange(201)
        gap_sc = f(rates.nesterov(f.grad, x0, f.L, 200, mu=f.mu)) - f_star
        bound_sc = (1 - 1 / math.sqrt(f.condition_number)) ** t * (gap_sc[0] + f.mu / 2 * D2)
        assert np.all(gap_sc <= bound_sc + 1e-10)
        gap_c = f(rates.nesterov(f.grad, x0, f.L, 200)) - f_star
        assert np.all(gap_c[1:] <= 2 * f.L * D2 / (t[1:] + 1) ** 2 + 1e-10)
        gap_gd = f(rates.gradient_descent(f.grad, x0, 1 / f.L, 200)) - f_star
        assert np.all(gap_gd <= (1 - 1 / f.condition_number) ** t * gap_gd[0] + 1e-10)


def test_nesterov_convex_schedule_envelope_has_slope_minus_two():
    lams = np.logspace(-7, 0, 300)
    gaps = 0.5 * lams * rates.nesterov(lambda x: lams * x, np.ones(lams.size), 1.0, 1000) ** 2
    env = gaps.max(axis=1)
    t = np.arange(1001)
    assert np.all(env[1:] <= 2 / (t[1:] + 1) ** 2)
    assert abs(rates.loglog_slope(t[100:], env[100:]) + 2) < 0.05


# ---------------------------------------------------------------- SGD

def test_averaged_sgd_without_noise_is_gd_and_the_average_is_weighted():
    lrs = np.array([0.5, 0.25, 0.125, 0.1])
    path, avg = rates.averaged_sgd(lambda x, r: 2.0 * x, [1.0], lrs, 0)
    expected = [1.0]
    for lr in lrs:
        expected.append(expected[-1] * (1 - 2.0 * lr))
    np.testing.assert_allclose(path[:, 0], expected, rtol=1e-14)
    for T in range(1, 5):
        np.testing.assert_allclose(avg[T - 1, 0], np.dot(lrs[:T], expected[:T]) / lrs[:T].sum(),
                                   rtol=1e-14)


def test_averaged_sgd_batches_of_runs_and_seeding():
    grad = lambda x, r: x + r.standard_normal(x.shape)
    p1, a1 = rates.averaged_sgd(grad, np.ones((5, 2)), np.full(10, 0.1), 7)
    p2, a2 = rates.averaged_sgd(grad, np.ones((5, 2)), np.full(10, 0.1), np.random.default_rng(7))
    assert p1.shape == (11, 5, 2) and a1.shape == (10, 5, 2)
    assert np.array_equal(p1, p2) and np.array_equal(a1, a2)


def test_sgd_expected_gap_without_noise_is_the_deterministic_gap():
    lrs = 0.5 / np.sqrt(np.arange(1, 51))
    lam = 0.2
    _, avg = rates.averaged_sgd(lambda x, r: lam * x, [1.5], lrs, 0)
    exact = rates.sgd_quadratic_expected_gap(lam, 1.5, 0.0, lrs)
    np.testing.assert_allclose(exact, 0.5 * lam * avg[:, 0] ** 2, rtol=1e-12)


def test_sgd_expected_gap_matches_simulation():
    rng = np.random.default_rng(11)
    lam, sigma = 0.05, 0.7
    lrs = 0.4 / np.sqrt(np.arange(1, 301))
    exact = rates.sgd_quadratic_expected_gap(np.array([lam, 0.5]), 2.0, sigma, lrs)
    assert exact.shape == (300, 2)
    _, avg = rates.averaged_sgd(lambda x, r: lam * x + sigma * r.standard_normal(x.shape),
                                np.full((20000, 1), 2.0), lrs, rng)
    sampled = 0.5 * lam * avg[..., 0] ** 2
    for T in (2, 30, 300):
        se = sampled[T - 1].std() / math.sqrt(sampled.shape[1])
        assert abs(sampled[T - 1].mean() - exact[T - 1, 0]) < 4 * se


def test_sgd_bound_holds_for_the_exact_expectation():
    lams = np.logspace(-5, 0, 50)
    lrs = 0.5 / np.sqrt(np.arange(1, 3001))
    exact = rates.sgd_quadratic_expected_gap(lams, 1.0, 1.0, lrs)
    bound = (1 + np.cumsum(lrs ** 2)) / np.cumsum(lrs)
    assert np.all(exact.max(axis=1) <= bound)


# ---------------------------------------------------------------- worst-case quadratic

@pytest.mark.parametrize("k, n, L", [(1, 1, 1.0), (5, 5, 2.0), (7, 20, 0.5)])
def test_worst_case_minimizer_value_and_spectrum(k, n, L):
    wc = rates.worst_case_quadratic(k, n, L)
    assert wc.f.A.shape == (n, n)
    np.testing.assert_allclose(np.linalg.solve(wc.f.A[:k, :k], wc.f.b[:k]), wc.minimizer[:k], rtol=1e-12)
    assert np.all(wc.minimizer[k:] == 0)
    np.testing.assert_allclose(wc.f(wc.minimizer), wc.f_star, rtol=1e-12, atol=1e-15)
    eig = np.linalg.eigvalsh(wc.f.A)
    assert eig.min() >= -1e-12 and eig.max() <= L      # convex and L-smooth
    x = np.random.default_rng(k).normal(size=n)
    direct = L / 4 * (0.5 * (x[0] ** 2 + np.sum(np.diff(x[:k]) ** 2) + x[k - 1] ** 2) - x[0])
    np.testing.assert_allclose(wc.f(x), direct, rtol=1e-12)


def test_worst_case_reveals_one_coordinate_per_gradient_and_respects_the_lower_bound():
    for t in (1, 4, 9):
        wc = rates.worst_case_quadratic(2 * t + 1, 2 * t + 1)
        D2 = wc.minimizer @ wc.minimizer
        for path in (rates.gradient_descent(wc.f.grad, np.zeros(2 * t + 1), 1.0, t),
                     rates.nesterov(wc.f.grad, np.zeros(2 * t + 1), 1.0, t)):
            assert np.all(path[-1][t:] == 0)
            assert wc.f(path[-1]) - wc.f_star >= 3 * D2 / (32 * (t + 1) ** 2)


def test_worst_case_bad_input():
    with pytest.raises(ValueError, match="at least k"):
        rates.worst_case_quadratic(5, 3)
    with pytest.raises(ValueError, match="positive integer"):
        rates.worst_case_quadratic(0, 3)


# ---------------------------------------------------------------- fits

def test_fits_recover_exponents_and_factors_and_first_below():
    t = np.arange(1, 101)
    assert abs(rates.loglog_slope(t, 7 * t ** -1.5) + 1.5) < 1e-12
    assert abs(rates.semilog_factor(t, 3 * 0.8 ** t) - 0.8) < 1e-12
    assert rates.first_below([1.0, 0.5, 0.2, 0.05], 0.2) == 2
    assert rates.first_below([1.0, 0.5], 0.1) is None


@pytest.mark.parametrize("call, match", [
    (lambda: rates.loglog_slope([1, 2, 3], [1, 0, 2]), "finite and > 0"),
    (lambda: rates.loglog_slope([0, 1, 2], [1, 1, 2]), "t must be > 0"),
    (lambda: rates.loglog_slope([1, 2], [1, 2, 3]), r"shape \(2,\) but y has shape \(3,\)"),
    (lambda: rates.semilog_factor([1], [1]), "at least 2"),
    (lambda: rates.gradient_descent(lambda x: x, [1.0], -0.1, 3), "lr must be"),
    (lambda: rates.gradient_descent(lambda x: x, [1.0], 0.1, -1), "steps must be"),
    (lambda: rates.gradient_descent(lambda x: np.ones(3), [1.0, 2.0], 0.1, 2), r"shape \(2,\) but grad"),
    (lambda: rates.nesterov(lambda x: x, [1.0], 1.0, 3, mu=2.0), "mu must be"),
    (lambda: rates.nesterov(lambda x: x, [1.0], 0.0, 3), "L must be"),
    (lambda: rates.averaged_sgd(lambda x, r: x, [1.0], [0.1, -0.1], 0), "step sizes > 0"),
    (lambda: rates.averaged_sgd(lambda x, r: x[:1], [1.0, 1.0], [0.1], 0), "shape"),
    (lambda: rates.sgd_quadratic_expected_gap(0.0, 1.0, 1.0, [0.1]), "curvature"),
    (lambda: rates.sgd_quadratic_expected_gap(1.0, 1.0, -1.0, [0.1]), "sigma"),
])
def test_bad_input_raises_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
