"""Tests of helpers.duality: the SVM dual solved by SMO against closed forms, weak duality on
random instances, the KKT conditions as an independent optimality certificate, a primal method
(subgradient descent) that knows nothing of the dual, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import data, duality


def blobs(seed=0, std=0.8, n=20):
    X, labels = data.make_blobs(n, centers=((-1.2, -1.0), (1.2, 1.0)), std=std, seed=seed)
    return X, duality.as_signed_labels(labels)


def test_signed_labels():
    assert duality.as_signed_labels([0, 1, 1]).tolist() == [-1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="0s and 1s"):
        duality.as_signed_labels([0, 2])


def test_two_points_hard_margin_closed_form():
    # x1 = (2, 0) with y = +1 and x2 = (0, 0) with y = -1: the separating line is x = 1,
    # w = (1, 0), b = -1, and alpha_1 = alpha_2 = |w|^2 / 2 = 1/2; a third far point gets alpha 0.
    X = np.array([[2.0, 0.0], [0.0, 0.0], [3.0, 1.0]])
    y = np.array([1.0, -1.0, 1.0])
    sol = duality.svm_dual_smo(X, y, np.inf)
    assert sol.converged
    np.testing.assert_allclose(sol.alpha, [0.5, 0.5, 0.0], atol=1e-12)
    np.testing.assert_allclose(sol.w, [1.0, 0.0], atol=1e-12)
    assert sol.b == pytest.approx(-1.0, abs=1e-12)
    # hard margin: primal 1/2 |w|^2 = 1/2 equals the dual sum(alpha) - 1/2 |w|^2 = 1 - 1/2
    assert duality.svm_primal_objective(sol.w, sol.b, X, y, np.inf) == pytest.approx(0.5)
    assert duality.svm_dual_objective(sol.alpha, X, y) == pytest.approx(0.5)


def test_objectives_match_their_formulas():
    X, y = blobs()
    rng = np.random.default_rng(1)
    alpha = rng.uniform(0, 1, len(y))
    Q = duality.svm_dual_matrix(X, y)
    assert Q.shape == (len(y), len(y))
    manual = np.array([[y[i] * y[j] * X[i] @ X[j] for j in range(len(y))] for i in range(len(y))])
    np.testing.assert_allclose(Q, manual, atol=1e-12)
    assert duality.svm_dual_objective(alpha, X, y) == pytest.approx(alpha.sum() - 0.5 * alpha @ Q @ alpha)
    w, b, C = rng.standard_normal(2), 0.3, 0.7
    hinge = sum(max(0.0, 1 - y[i] * (X[i] @ w + b)) for i in range(len(y)))
    assert duality.svm_primal_objective(w, b, X, y, C) == pytest.approx(0.5 * w @ w + C * hinge)
    np.testing.assert_allclose(duality.weights_from_alpha(alpha, X, y),
                               sum(alpha[i] * y[i] * X[i] for i in range(len(y))))


def test_weak_duality_on_random_feasible_pairs():
    X, y = blobs(seed=3, std=1.2)
    rng = np.random.default_rng(2)
    C = 0.5
    for _ in range(200):
        # a dual feasible alpha: random in [0, C], then shifted to satisfy sum alpha y = 0
        alpha = rng.uniform(0, C, len(y))
        pos, neg = y > 0, y < 0
        s_pos, s_neg = alpha[pos].sum(), alpha[neg].sum()
        if s_pos > s_neg:
            alpha[pos] *= s_neg / s_pos
        else:
            alpha[neg] *= s_pos / s_neg
        assert abs(alpha @ y) < 1e-12 and alpha.min() >= 0 and alpha.max() <= C
        w, b = rng.standard_normal(2) * 2, rng.standard_normal()
        assert duality.svm_primal_objective(w, b, X, y, C) >= duality.svm_dual_objective(alpha, X, y)


@pytest.mark.parametrize("C", [0.01, 0.1, 1.0, 10.0])
def test_smo_solution_satisfies_kkt_and_closes_the_gap(C):
    X, y = blobs(seed=1, std=1.0)
    sol = duality.svm_dual_smo(X, y, C, record_every=5)
    assert sol.converged
    assert np.all(sol.alpha >= 0) and np.all(sol.alpha <= C) and abs(sol.alpha @ y) < 1e-12
    report = duality.kkt_report(sol.alpha, sol.w, sol.b, X, y, C, tol=1e-6)
    assert report["ok"], report["violation"]
    gap = duality.svm_primal_objective(sol.w, sol.b, X, y, C) - duality.svm_dual_objective(sol.alpha, X, y)
    assert -1e-9 <= gap <= 1e-7 * max(1.0, C)
    assert sol.gaps[-1] == pytest.approx(gap, abs=1e-12)
    assert sol.gaps[0] > 10 * abs(sol.gaps[-1])
    # support vectors are the points on or inside the margin
    sv = sol.alpha > 1e-9 * C
    assert np.all(report["margin"][sv] <= 1 + 1e-6) and np.all(report["margin"][~sv] >= 1 - 1e-6)


def test_subgradient_primal_agrees_with_the_dual():
    X, y = blobs()
    C = 1.0
    sol = duality.svm_dual_smo(X, y, C)
    w, b, p = duality.svm_primal_subgradient(X, y, C, steps=3000)
    d_star = duality.svm_dual_objective(sol.alpha, X, y)
    assert p >= d_star - 1e-12                      # weak duality
    assert p - d_star < 1e-3
    # P is 1-strongly convex in w, so P(w, b) - P* >= |w - w*|^2 / 2
    assert 0.5 * np.linalg.norm(w - sol.w) ** 2 <= p - d_star + 1e-12
    np.testing.assert_allclose(w, sol.w, atol=1e-2)


def test_kkt_report_detects_a_wrong_solution():
    X, y = blobs()
    sol = duality.svm_dual_smo(X, y, 1.0)
    bad = duality.kkt_report(sol.alpha, sol.w * 1.1, sol.b, X, y, 1.0)
    assert not bad["ok"] and bad["violation"] > 1e-3
    good = duality.kkt_report(sol.alpha, sol.w, sol.b, X, y, 1.0)
    assert set(good["category"]) <= {"outside", "on margin", "bound"}
    assert np.sum(good["category"] != "outside") == np.sum(sol.alpha > 1e-6)


def test_large_C_on_separable_data_is_the_hard_margin():
    X, y = blobs()
    hard = duality.svm_dual_smo(X, y, np.inf)
    soft = duality.svm_dual_smo(X, y, 1e3)
    np.testing.assert_allclose(soft.w, hard.w, atol=1e-8)
    assert duality.kkt_report(hard.alpha, hard.w, hard.b, X, y, np.inf)["ok"]


def test_hard_margin_on_inseparable_data_fails_clearly():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    y = np.array([1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match="separable"):
        duality.svm_dual_smo(X, y, np.inf, max_iter=2000)


def test_bad_input():
    X, y = blobs()
    with pytest.raises(ValueError, match=r"\(40, 2\).*\(39,\)"):
        duality.svm_dual_smo(X, y[:-1])
    with pytest.raises(ValueError, match="-1 and \\+1"):
        duality.svm_dual_smo(X, (y + 1) / 2)
    with pytest.raises(ValueError, match="positive"):
        duality.svm_dual_smo(X, y, C=0.0)
    with pytest.raises(ValueError, match="positive"):
        duality.svm_dual_smo(X, y, C=np.nan)
    with pytest.raises(TypeError, match="positive number"):
        duality.svm_dual_smo(X, y, C="big")
    with pytest.raises(ValueError, match="both labels"):
        duality.svm_dual_smo(X, np.ones(len(y)))
    with pytest.raises(ValueError, match="shape"):
        duality.svm_dual_objective(np.ones(3), X, y)
    with pytest.raises(ValueError, match="finite C"):
        duality.svm_primal_subgradient(X, y, np.inf)
    with pytest.raises(ValueError, match="NaN"):
        duality.svm_dual_matrix(np.full((2, 2), np.nan), np.array([1.0, -1.0]))
