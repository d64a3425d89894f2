"""Tests of helpers.gradcheck: central differences against gradients known in closed form."""

import numpy as np
import pytest

from helpers.gradcheck import GradientCheckError, check_gradient, numerical_gradient, numerical_jacobian

RNG_SEED = 4


# Central differences with h = 1e-6 on functions whose values and third derivatives are of size
# about 1 (on the points used here) err by at most ~ h^2 |f'''| / 6 + eps |f| / h ~ 1e-10 per
# entry; 1e-7 leaves a margin of 1000 and would still catch any wrong formula.
ATOL = 1e-7


def test_numerical_gradient_of_quadratic_form_matches_closed_form():
    rng = np.random.default_rng(RNG_SEED)
    A = rng.normal(size=(4, 4))
    x = rng.normal(size=4)
    g = numerical_gradient(lambda v: v @ A @ v, x)
    np.testing.assert_allclose(g, (A + A.T) @ x, rtol=0, atol=ATOL)


def test_numerical_gradient_keeps_shape_of_matrix_input():
    rng = np.random.default_rng(RNG_SEED + 1)
    W = rng.normal(size=(3, 2))
    g = numerical_gradient(lambda M: np.sum(np.sin(M)), W)
    assert g.shape == (3, 2) and g.dtype == np.float64
    np.testing.assert_allclose(g, np.cos(W), rtol=0, atol=ATOL)


def test_numerical_gradient_of_scalar_input_has_shape_empty():
    g = numerical_gradient(lambda t: t ** 3, 2.0)
    assert g.shape == ()
    assert abs(float(g) - 12.0) < 1e-6   # f''' = 6, so truncation h^2 = 1e-12; round-off ~ 8 eps / h


def test_numerical_gradient_does_not_modify_x_and_accepts_integers():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    numerical_gradient(lambda v: np.sum(v ** 2), x)
    np.testing.assert_array_equal(x, before)
    g = numerical_gradient(lambda v: np.sum(v ** 2), [1, 2, 3])
    np.testing.assert_allclose(g, [2.0, 4.0, 6.0], rtol=0, atol=ATOL)


def test_numerical_gradient_larger_step_gives_larger_truncation_error():
    # for f = x^3 at x = 1, central differences err by exactly h^2 (f''' / 6 * h^2 = h^2)
    g = numerical_gradient(lambda t: t ** 3, 1.0, h=1e-2)
    assert abs(float(g) - 3.0 - 1e-4) < 1e-10


@pytest.mark.parametrize("h", [0.0, -1e-3, np.inf, np.nan, "0.1", True])
def test_numerical_gradient_rejects_bad_step(h):
    with pytest.raises(ValueError, match="positive finite"):
        numerical_gradient(lambda v: float(np.sum(v)), np.ones(2), h=h)


def test_numerical_gradient_rejects_non_callable_and_non_scalar_outputs():
    with pytest.raises(TypeError, match="function"):
        numerical_gradient(3.0, np.ones(2))
    with pytest.raises(ValueError, match=r"scalar.*shape \(2,\)"):
        numerical_gradient(lambda v: v * 2, np.ones(2))
    with pytest.raises(TypeError, match="number"):
        numerical_gradient(lambda v: "a", np.ones(2))
    with pytest.raises(TypeError, match="numeric"):
        numerical_gradient(lambda v: 0.0, "abc")


def test_check_gradient_returns_small_error_for_right_gradient():
    rng = np.random.default_rng(RNG_SEED + 2)
    x = rng.uniform(0.5, 2.0, size=(2, 3))
    err = check_gradient(lambda v: np.sum(np.log(v) * v), np.log(x) + 1.0, x)
    assert 0.0 <= err < 1e-8


def test_check_gradient_raises_naming_index_and_values_for_wrong_gradient():
    x = np.array([1.0, 2.0, 3.0])
    wrong = 2 * x
    wrong[1] = 5.0                        # the true value is 4
    with pytest.raises(GradientCheckError, match=r"index \(1,\).*analytic 5.*numerical 4"):
        check_gradient(lambda v: np.sum(v ** 2), wrong, x)


def test_gradient_check_error_is_an_assertion_error():
    assert issubclass(GradientCheckError, AssertionError)


def test_check_gradient_tolerance_decides():
    x = np.array([1.0])
    slightly_off = np.array([2.0 * (1 + 1e-4)])      # relative error about 5e-5
    err = check_gradient(lambda v: np.sum(v ** 2), slightly_off, x, tol=1e-3)
    assert 4e-5 < err < 6e-5
    with pytest.raises(GradientCheckError):
        check_gradient(lambda v: np.sum(v ** 2), slightly_off, x, tol=1e-5)


def test_check_gradient_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 2\)|\(2, 2\).*\(3,\)"):
        check_gradient(lambda v: np.sum(v), np.ones(3), np.ones((2, 2)))


def test_check_gradient_rejects_non_finite_gradients_and_bad_tol():
    with pytest.raises(GradientCheckError, match="not finite"):
        check_gradient(lambda v: np.sum(v), np.array([1.0, np.nan]), np.ones(2))
    with pytest.raises(ValueError, match="tol"):
        check_gradient(lambda v: np.sum(v), np.ones(2), np.ones(2), tol=-1.0)


def test_check_gradient_exactly_zero_gradient_passes():
    # f does not depend on x[1]: both gradients are exactly 0 there, relative error 0
    err = check_gradient(lambda v: v[0] ** 2, np.array([2.0, 0.0]), np.array([1.0, 7.0]))
    assert err < 1e-8


def test_check_gradient_empty_input():
    assert check_gradient(lambda v: 0.0, np.zeros(0), np.zeros(0)) == 0.0


def test_numerical_jacobian_of_linear_map_is_the_matrix():
    rng = np.random.default_rng(RNG_SEED + 3)
    A = rng.normal(size=(4, 3))
    x = rng.normal(size=3)
    J = numerical_jacobian(lambda v: A @ v, x)
    assert J.shape == (4, 3)
    np.testing.assert_allclose(J, A, rtol=0, atol=ATOL)


def test_numerical_jacobian_of_elementwise_function_is_diagonal_and_shapes_compose():
    rng = np.random.default_rng(RNG_SEED + 4)
    x = rng.normal(size=5)
    np.testing.assert_allclose(numerical_jacobian(np.tanh, x), np.diag(1 - np.tanh(x) ** 2),
                               rtol=0, atol=ATOL)
    W = rng.normal(size=(2, 3))
    J = numerical_jacobian(lambda M: M @ np.ones(3), W)          # f: (2, 3) -> (2,)
    assert J.shape == (2, 2, 3)
    expected = np.zeros((2, 2, 3))
    expected[0, 0, :] = expected[1, 1, :] = 1.0                   # d(W 1)_i / dW_jk = delta_ij
    np.testing.assert_allclose(J, expected, rtol=0, atol=ATOL)
    g = numerical_jacobian(lambda v: np.sum(v ** 2), x)           # scalar output: the gradient
    np.testing.assert_allclose(g, 2 * x, rtol=0, atol=ATOL)


def test_numerical_jacobian_does_not_modify_x():
    x = np.array([0.5, -1.0])
    numerical_jacobian(lambda v: v * 3, x)
    np.testing.assert_array_equal(x, [0.5, -1.0])


def test_numerical_jacobian_bad_input():
    with pytest.raises(TypeError, match="function"):
        numerical_jacobian(None, np.ones(2))
    with pytest.raises(ValueError, match="positive finite"):
        numerical_jacobian(lambda v: v, np.ones(2), h=0)
    with pytest.raises(TypeError, match="numbers"):
        numerical_jacobian(lambda v: "abc", np.ones(2))
    with pytest.raises(ValueError, match=r"shape \(2,\) at x but \(3,\)"):
        numerical_jacobian(lambda v: np.ones(3) if v[0] > 1 else np.ones(2), np.ones(2))


def test_check_gradient_accepts_a_zero_entry_with_round_off():
    # the analytic gradient is exactly 0 in entry 0, central differences give about -2e-10 there:
    # a purely relative test called this a relative error of 1
    def f(v):
        return np.sum(np.exp(v)) - v[0] + 3 * np.sum(v ** 2)

    v = np.array([0.0, 0.3, -0.2])
    grad = np.exp(v) - np.array([1.0, 0.0, 0.0]) + 6 * v
    assert grad[0] == 0.0
    assert check_gradient(f, grad, v) < 1e-6


def test_check_gradient_still_catches_small_wrong_entries():
    # f = 1000 + x0^2 + x1: the round-off allowance grows with |f|, yet a wrong entry of size 1e-3
    # (1e-6 of |f|) is still far outside it
    def f(v):
        return 1000.0 + v[0] ** 2 + v[1]

    x = np.array([0.0005, 2.0])
    with pytest.raises(GradientCheckError):
        check_gradient(f, np.array([0.0, 1.0]), x)          # true entry 0 is 2 * 0.0005 = 1e-3
    assert check_gradient(f, np.array([1e-3, 1.0]), x) < 1e-6


def test_check_gradient_non_finite_value_gets_no_allowance():
    with pytest.raises(GradientCheckError):
        check_gradient(lambda v: np.inf * v[0] + v[1], np.array([0.0, 0.0]), np.array([1.0, 1.0]))
