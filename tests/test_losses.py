"""Tests of helpers.losses: values against independent formulas, extreme inputs, gradients
against central finite differences, and bad input.

pytest runs with filterwarnings=error, so any overflow / divide / invalid RuntimeWarning raised
inside a loss fails the test that triggered it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import losses as L

EXTREME = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0], [1000.0, 1000.0, 999.0],
                    [0.0, 0.0, 0.0]])


def numerical_gradient(f, x, h=1e-5):
    """Central differences (f(x + h e_i) - f(x - h e_i)) / 2h of a scalar function f.

    Truncation error is h^2 |f'''| / 6 (about 1e-10 here, where |f'''| < 1), rounding error about
    eps |f| / h (about 1e-11): agreement to 1e-7 relative error is a meaningful test.
    """
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def rel_err(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1e-12, np.abs(a) + np.abs(b))))


# ----------------------------------------------------------------------------------------------
# logsumexp, softmax, log_softmax
# ----------------------------------------------------------------------------------------------

def test_logsumexp_matches_naive_formula_on_moderate_inputs():
    z = np.random.default_rng(0).normal(size=(5, 7)) * 3
    for axis in (0, 1, -1):
        naive = np.log(np.sum(np.exp(z), axis=axis))
        np.testing.assert_allclose(L.logsumexp(z, axis=axis), naive, rtol=1e-13)
    kept = L.logsumexp(z, axis=0, keepdims=True)
    assert kept.shape == (1, 7)


def test_logsumexp_extreme_values_by_hand():
    # log(e^1000 + e^0 + e^-1000) = 1000 + log(1 + e^-1000 + e^-2000) = 1000 in float64
    out = L.logsumexp(EXTREME)
    assert out[0] == 1000.0
    # three equal terms: -1000 + log 3
    assert out[1] == pytest.approx(-1000.0 + math.log(3.0), rel=1e-15)
    # 1000 + log(2 + e^-1)
    assert out[2] == pytest.approx(1000.0 + math.log(2.0 + math.exp(-1.0)), rel=1e-15)
    assert out[3] == pytest.approx(math.log(3.0), rel=1e-15)


def test_minus_infinity_is_a_class_with_probability_zero():
    assert float(L.logsumexp([-np.inf, 0.0])) == 0.0
    assert float(L.logsumexp([-np.inf, -np.inf])) == -np.inf
    np.testing.assert_array_equal(L.softmax([-np.inf, 0.0, 0.0]), [0.0, 0.5, 0.5])
    np.testing.assert_array_equal(L.log_softmax([-np.inf, 0.0]), [-np.inf, 0.0])


def test_softmax_rows_sum_to_one_and_are_shift_invariant():
    z = np.random.default_rng(1).normal(size=(4, 6))
    s = L.softmax(z)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, atol=1e-15)
    np.testing.assert_allclose(L.softmax(z + 123.0), s, atol=1e-15)
    np.testing.assert_allclose(s, np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(L.softmax(z, axis=0).sum(axis=0), 1.0, atol=1e-15)


def test_softmax_and_log_softmax_extreme_logits():
    s = L.softmax(EXTREME)
    ls = L.log_softmax(EXTREME)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(ls))
    np.testing.assert_allclose(s.sum(axis=1), 1.0, atol=1e-15)
    # row 0: softmax = (1, e^-1000, e^-2000) ~ (1, 0, 0); log_softmax = (0, -1000, -2000)
    np.testing.assert_allclose(ls[0], [0.0, -1000.0, -2000.0], rtol=1e-15, atol=0)
    np.testing.assert_allclose(s[0], [1.0, 0.0, 0.0], atol=1e-300)
    np.testing.assert_allclose(s[1], [1 / 3] * 3, rtol=1e-15)
    np.testing.assert_allclose(ls[2, 2] - ls[2, 0], -1.0, rtol=1e-12)


def test_log_softmax_equals_log_of_softmax_where_both_are_accurate():
    z = np.random.default_rng(2).normal(size=(3, 5)) * 4
    np.testing.assert_allclose(L.log_softmax(z), np.log(L.softmax(z)), rtol=1e-12)


def test_softmax_and_logsumexp_bad_input():
    with pytest.raises(ValueError, match="at least 1 dimension"):
        L.logsumexp(3.0)
    with pytest.raises(ValueError, match="out of range"):
        L.softmax(np.zeros((2, 3)), axis=2)
    with pytest.raises(ValueError, match="empty"):
        L.logsumexp(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="NaN"):
        L.softmax([1.0, np.nan])
    with pytest.raises(ValueError, match=r"\+inf"):
        L.logsumexp([np.inf, 1000.0])
    with pytest.raises(ValueError, match="entirely -inf"):
        L.log_softmax([[0.0, 1.0], [-np.inf, -np.inf]])
    with pytest.raises(ValueError, match="entirely -inf"):
        L.softmax([[0.0, 1.0], [-np.inf, -np.inf]])
    with pytest.raises(TypeError, match="axis"):
        L.softmax([1.0, 2.0], axis=0.5)
    with pytest.raises(TypeError, match="numeric"):
        L.softmax(["a", "b"])


# ----------------------------------------------------------------------------------------------
# sigmoid, log_sigmoid
# ----------------------------------------------------------------------------------------------

def test_sigmoid_matches_formula_and_symmetry():
    z = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(L.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(L.sigmoid(-z), 1 - L.sigmoid(z), atol=1e-15)
    assert L.sigmoid(0.0) == 0.5


def test_sigmoid_and_log_sigmoid_extremes():
    z = np.array([-1000.0, -745.0, 0.0, 745.0, 1000.0])
    s = L.sigmoid(z)
    assert s[0] == 0.0 and s[-1] == 1.0 and np.all((s >= 0) & (s <= 1))
    ls = L.log_sigmoid(z)
    assert np.all(np.isfinite(ls))
    # log sigmoid(z) = z - log(1 + e^z) ~ z for z << 0, and ~ -e^-z for z >> 0
    assert ls[0] == -1000.0
    assert ls[-1] == pytest.approx(0.0, abs=1e-300)
    assert ls[2] == pytest.approx(-math.log(2.0), rel=1e-15)


def test_sigmoid_and_log_sigmoid_against_high_precision_reference():
    # mpmath at 50 digits is an independent reference; float64 results should be correct to a
    # few units in the last place (rtol 1e-14), which np.log(sigmoid(z)) is not for z >> 0
    import mpmath

    mpmath.mp.dps = 50
    z = np.linspace(-40, 40, 161)
    ref_s = np.array([float(1 / (1 + mpmath.exp(-mpmath.mpf(v)))) for v in z])
    ref_ls = np.array([float(-mpmath.log(1 + mpmath.exp(-mpmath.mpf(v)))) for v in z])
    np.testing.assert_allclose(L.sigmoid(z), ref_s, rtol=1e-14)
    np.testing.assert_allclose(L.log_sigmoid(z), ref_ls, rtol=1e-14)


def test_sigmoid_derivative_is_s_times_one_minus_s():
    z = np.array([-5.0, -0.3, 0.0, 2.0, 7.0])
    s = L.sigmoid(z)
    num = numerical_gradient(lambda x: float(np.sum(L.sigmoid(x))), z)
    assert rel_err(num, s * (1 - s)) < 1e-7


# ----------------------------------------------------------------------------------------------
# one_hot
# ----------------------------------------------------------------------------------------------

def test_one_hot_values():
    out = L.one_hot([2, 0, 1, 2], 3)
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert out.dtype == np.float64 and out.shape == (4, 3)
    assert L.one_hot(np.array([7], dtype=np.uint8), 10)[0, 7] == 1.0


def test_one_hot_bad_input():
    with pytest.raises(ValueError, match=r"labels\[1\] = 3 is out of range.*\[0, 3\)"):
        L.one_hot([0, 3, 1], 3)
    with pytest.raises(ValueError, match=r"labels\[0\] = -1"):
        L.one_hot([-1], 3)
    with pytest.raises(TypeError, match="integers.*float64"):
        L.one_hot([0.0, 1.5], 3)
    with pytest.raises(TypeError, match="integers.*bool"):
        L.one_hot([True, False], 2)
    with pytest.raises(ValueError, match=r"shape \(N,\)"):
        L.one_hot([[0, 1]], 2)
    with pytest.raises(ValueError, match="num_classes"):
        L.one_hot([0], 0)


# ----------------------------------------------------------------------------------------------
# cross_entropy and its gradient
# ----------------------------------------------------------------------------------------------

def test_cross_entropy_matches_definition():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, size=6)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[np.arange(6), y]))
    assert L.cross_entropy(z, y) == pytest.approx(expected, rel=1e-13)
    assert isinstance(L.cross_entropy(z, y), float)


def test_cross_entropy_uniform_logits_give_log_k():
    assert L.cross_entropy(np.zeros((5, 10)), np.arange(5)) == pytest.approx(math.log(10), rel=1e-15)


def test_cross_entropy_extreme_logits():
    z = np.array([[1000.0, -1000.0], [1000.0, -1000.0], [-1000.0, 1000.0]])
    # right with certainty, wrong with margin 2000, right: losses 0, 2000, 0
    assert L.cross_entropy(z, [0, 1, 1]) == pytest.approx(2000.0 / 3, rel=1e-15)
    assert L.cross_entropy(z, [0, 0, 1]) == 0.0
    g = L.cross_entropy_grad(z, [0, 1, 1])
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, [[0, 0], [1 / 3, -1 / 3], [0, 0]], atol=1e-300)


def test_cross_entropy_grad_against_finite_differences():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(5, 3)) * 2
    y = rng.integers(0, 3, size=5)
    num = numerical_gradient(lambda x: L.cross_entropy(x, y), z)
    g = L.cross_entropy_grad(z, y)
    assert g.shape == (5, 3)
    assert rel_err(g, num) < 1e-7
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=1e-16)


def test_cross_entropy_bad_input():
    z = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(2,\)"):
        L.cross_entropy(z, [0, 1])
    with pytest.raises(ValueError, match=r"labels\[2\] = 4 is out of range"):
        L.cross_entropy(z, [0, 1, 4])
    with pytest.raises(TypeError, match="integers"):
        L.cross_entropy(z, [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="2 dimension"):
        L.cross_entropy(np.zeros(4), [0])
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(3, 1\)"):
        L.cross_entropy_grad(z, [[0], [1], [2]])
    with pytest.raises(ValueError, match="NaN"):
        L.cross_entropy([[np.nan, 0.0]], [0])


# ----------------------------------------------------------------------------------------------
# binary cross-entropy with logits
# ----------------------------------------------------------------------------------------------

def test_bce_matches_definition():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(4, 3)) * 3
    y = rng.uniform(size=(4, 3))
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert L.binary_cross_entropy_with_logits(z, y) == pytest.approx(expected, rel=1e-12)


def test_bce_extreme_logits_and_targets():
    z = np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0])
    # certain and right, certain and right, certain and wrong (loss 1000), wrong (1000), log 2
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    assert L.binary_cross_entropy_with_logits(z, y) == pytest.approx((2000 + math.log(2)) / 5,
                                                                     rel=1e-15)
    g = L.binary_cross_entropy_with_logits_grad(z, y)
    np.testing.assert_allclose(g, [0, 0, 0.2, -0.2, -0.1], atol=1e-300)


def test_bce_grad_against_finite_differences():
    rng = np.random.default_rng(6)
    z = rng.normal(size=(3, 4)) * 2
    y = (rng.uniform(size=(3, 4)) > 0.5).astype(float)
    num = numerical_gradient(lambda x: L.binary_cross_entropy_with_logits(x, y), z)
    assert rel_err(L.binary_cross_entropy_with_logits_grad(z, y), num) < 1e-7


def test_bce_bad_input():
    with pytest.raises(ValueError, match=r"z has shape \(3,\) but y has shape \(2,\)"):
        L.binary_cross_entropy_with_logits([0.0, 1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        L.binary_cross_entropy_with_logits([0.0, 1.0], [0.0, 2.0])
    with pytest.raises(ValueError, match="NaN or infinity"):
        L.binary_cross_entropy_with_logits([np.inf], [1.0])
    with pytest.raises(ValueError, match="y contains NaN"):
        L.binary_cross_entropy_with_logits_grad([0.0], [np.nan])


# ----------------------------------------------------------------------------------------------
# mse
# ----------------------------------------------------------------------------------------------

def test_mse_value_and_grad():
    y_hat = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([[1.0, 0.0], [0.0, 4.0]])
    assert L.mse(y_hat, y) == pytest.approx((0 + 4 + 9 + 0) / 4)
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    num = numerical_gradient(lambda x: L.mse(x, b), a)
    assert rel_err(L.mse_grad(a, b), num) < 1e-7


def test_mse_bad_input():
    with pytest.raises(ValueError, match=r"y_hat has shape \(2, 3\) but y has shape \(3, 2\)"):
        L.mse(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="empty"):
        L.mse_grad([], [])
    with pytest.raises(ValueError, match="y_hat contains NaN"):
        L.mse([np.nan], [0.0])


# ----------------------------------------------------------------------------------------------
# entropy, cross-entropy and KL of discrete distributions
# ----------------------------------------------------------------------------------------------

def test_entropy_known_values():
    for k in (1, 2, 10, 256):
        assert L.entropy(np.full(k, 1 / k)) == pytest.approx(math.log(k), abs=1e-12)
    assert L.entropy([1.0, 0.0, 0.0]) == 0.0                       # 0 log 0 = 0, no warning
    assert L.entropy([0.5, 0.5, 0.0]) == pytest.approx(math.log(2))
    batch = L.entropy([[0.5, 0.5], [1.0, 0.0]])
    np.testing.assert_allclose(batch, [math.log(2), 0.0])


def test_cross_entropy_is_entropy_plus_kl_and_kl_is_nonnegative():
    rng = np.random.default_rng(8)
    for _ in range(20):
        p = rng.dirichlet(np.ones(6))
        q = rng.dirichlet(np.ones(6))
        assert L.kl_divergence(p, q) >= 0
        assert L.cross_entropy_dist(p, q) == pytest.approx(L.entropy(p) + L.kl_divergence(p, q),
                                                           rel=1e-12)
    p = rng.dirichlet(np.ones(6))
    assert L.kl_divergence(p, p) == pytest.approx(0.0, abs=1e-15)


def test_kl_of_nearly_equal_distributions_is_never_negative():
    # in exact arithmetic KL(p || q) > 0 here; the rounded sum could fall to about -4e-16
    rng = np.random.default_rng(9)
    P_ = rng.dirichlet(np.ones(8), size=2000)
    Q_ = P_ * (1 + 1e-9 * rng.standard_normal(P_.shape))
    Q_ /= Q_.sum(axis=1, keepdims=True)
    kl = L.kl_divergence(P_, Q_)
    assert np.all(kl >= 0) and np.all(kl < 1e-15)
    assert all(L.kl_divergence(p, q) >= 0 for p, q in zip(P_[:200], Q_[:200]))
    assert isinstance(L.kl_divergence(P_[0], Q_[0]), float)


def test_kl_is_asymmetric_by_hand():
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    kl_pq = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    kl_qp = 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5)
    assert L.kl_divergence(p, q) == pytest.approx(kl_pq, rel=1e-14)
    assert L.kl_divergence(q, p) == pytest.approx(kl_qp, rel=1e-14)
    assert abs(kl_pq - kl_qp) > 0.1


def test_zero_probabilities_give_zero_terms_or_infinity_without_warnings():
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.5, 0.0, 0.5])
    assert L.kl_divergence(p, q) == np.inf
    assert L.cross_entropy_dist(p, q) == np.inf
    # q = 0 where p = 0 is harmless
    assert L.kl_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5])) == pytest.approx(math.log(2))
    assert L.kl_divergence(np.array([0.5, 0.5, 0.0]), np.array([0.5, 0.5, 0.0])) == 0.0
    assert L.cross_entropy_dist([1.0, 0.0], [1.0, 0.0]) == 0.0


def test_distribution_bad_input():
    with pytest.raises(ValueError, match="sum to 1.*0.9"):
        L.entropy([0.5, 0.4])
    with pytest.raises(ValueError, match="negative"):
        L.entropy([1.5, -0.5])
    with pytest.raises(ValueError, match=r"p has shape \(2,\) but q has shape \(3,\)"):
        L.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="q contains NaN"):
        L.cross_entropy_dist([1.0, 0.0], [np.nan, 1.0])
    with pytest.raises(ValueError, match="non-empty"):
        L.entropy([])


# ----------------------------------------------------------------------------------------------
# cross-check with the calculus series' autodiff engine (CONTRACTS.md: the two must agree)
# ----------------------------------------------------------------------------------------------

def test_agrees_with_autodiff_log_softmax_sigmoid_and_gradient():
    from helpers.autodiff import Tensor

    z = np.vstack([EXTREME, np.random.default_rng(9).normal(size=(3, 3)) * 5])
    np.testing.assert_allclose(Tensor(z).log_softmax().data, L.log_softmax(z), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Tensor(z).softmax().data, L.softmax(z), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(Tensor(z).sigmoid().data, L.sigmoid(z), rtol=1e-15)

    labels = np.array([0, 1, 2, 0, 2, 1, 1])
    t = Tensor(z)
    loss = -(t.log_softmax() * L.one_hot(labels, 3)).sum() / len(labels)
    loss.backward()
    assert float(loss.data) == pytest.approx(L.cross_entropy(z, labels), rel=1e-12)
    np.testing.assert_allclose(t.grad, L.cross_entropy_grad(z, labels), rtol=1e-10, atol=1e-15)
