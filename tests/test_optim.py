"""Tests of helpers.optim: closed forms on quadratics, measured rates against theory, Adam by hand,
divergence detection, schedules and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import optim


def run_scalar(opt, a, x0, steps):
    """Iterates of ``opt`` on f(x) = 0.5 a x^2 (gradient a x), as an array of length steps+1."""
    x = np.array([x0], dtype=float)
    xs = [x0]
    for _ in range(steps):
        opt.step([x], [a * x])
        xs.append(float(x[0]))
    return np.array(xs)


def random_quadratic(rng, eigenvalues):
    """A symmetric matrix with the given eigenvalues and random eigenvectors."""
    d = len(eigenvalues)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return Q @ np.diag(eigenvalues) @ Q.T


# ---------------------------------------------------------------- closed forms on quadratics

@pytest.mark.parametrize("a, lr", [(1.0, 0.1), (4.0, 0.3), (2.0, 0.9), (10.0, 0.19)])
def test_gd_matches_geometric_closed_form(a, lr):
    xs = run_scalar(optim.SGD(lr), a, 3.0, 40)
    expected = (1 - lr * a) ** np.arange(41) * 3.0
    np.testing.assert_allclose(xs, expected, rtol=1e-12, atol=1e-300)


def test_gd_on_diagonal_quadratic_contracts_each_coordinate_separately():
    a = np.array([0.5, 2.0, 7.0])
    lr = 0.2
    x0 = np.array([1.0, -2.0, 0.5])
    x = x0.copy()
    opt = optim.SGD(lr)
    for t in range(1, 16):
        opt.step([x], [a * x])
        np.testing.assert_allclose(x, (1 - lr * a) ** t * x0, rtol=1e-12)


@pytest.mark.parametrize("a, lr, beta", [(1.0, 0.1, 0.9), (3.0, 0.2, 0.5), (5.0, 0.05, 0.0)])
def test_heavy_ball_matches_its_linear_recurrence(a, lr, beta):
    # v_{t+1} = beta v_t + a x_t, x_{t+1} = x_t - lr v_{t+1}, so (x_{t+1}, x_t) = M (x_t, x_{t-1})
    # with M = [[1 + beta - lr a, -beta], [1, 0]], starting from x_1 = (1 - lr a) x_0.
    steps, x0 = 30, 2.0
    xs = run_scalar(optim.Momentum(lr, beta=beta), a, x0, steps)
    M = np.array([[1 + beta - lr * a, -beta], [1.0, 0.0]])
    state = np.array([(1 - lr * a) * x0, x0])
    expected = [x0, state[0]]
    for _ in range(steps - 1):
        state = M @ state
        expected.append(state[0])
    np.testing.assert_allclose(xs, expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("a, lr, beta", [(1.0, 0.1, 0.9), (3.0, 0.2, 0.5)])
def test_nesterov_matches_nesterov_recurrence(a, lr, beta):
    # Nesterov on a quadratic: x_{t+1} = (1 + beta)(1 - lr a) x_t - beta (1 - lr a) x_{t-1},
    # and the first step (v = g) moves by lr (1 + beta) g.
    steps, x0 = 30, -1.5
    xs = run_scalar(optim.Nesterov(lr, beta=beta), a, x0, steps)
    c = 1 - lr * a
    assert xs[1] == pytest.approx(x0 - lr * (1 + beta) * a * x0, rel=1e-14)
    np.testing.assert_allclose(xs[2:], (1 + beta) * c * xs[1:-1] - beta * c * xs[:-2],
                               rtol=1e-9, atol=1e-14)


def test_nesterov_recurrence_holds_on_a_nonquadratic_function():
    # The look-ahead form satisfies x_{t+1} = (1 + beta) y_t - beta y_{t-1}, y_t = x_t - lr g(x_t),
    # for any differentiable f, not only quadratics: here the Rosenbrock function.
    def grad(x):
        return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])

    lr, beta = 1e-3, 0.9
    opt, x = optim.Nesterov(lr, beta=beta), np.array([-1.2, 1.0])
    xs = [x.copy()]
    for _ in range(50):
        opt.step([x], [grad(x)])
        xs.append(x.copy())
    ys = [p - lr * grad(p) for p in xs]
    for t in range(1, 50):
        np.testing.assert_allclose(xs[t + 1], (1 + beta) * ys[t] - beta * ys[t - 1], rtol=1e-12, atol=1e-14)


def test_nesterov_with_beta_zero_is_gradient_descent():
    xs = run_scalar(optim.Nesterov(0.3, beta=0.0), 2.0, 1.0, 10)
    np.testing.assert_allclose(xs, 0.4 ** np.arange(11), rtol=1e-12)


def test_adagrad_on_constant_gradient_takes_steps_lr_over_sqrt_t():
    # f(x) = g . x has constant gradient g; after k steps G = k g^2, so step k moves by
    # lr g / (sqrt(k) |g| + eps).
    g = np.array([2.0, -0.25])
    lr, eps = 0.1, 1e-8
    x = np.zeros(2)
    opt = optim.AdaGrad(lr, eps=eps)
    expected = np.zeros(2)
    for k in range(1, 21):
        opt.step([x], [g])
        expected -= lr * g / (math.sqrt(k) * np.abs(g) + eps)
        np.testing.assert_allclose(x, expected, rtol=1e-12)


def test_rmsprop_on_constant_gradient():
    # s_k = (1 - beta^k) g^2 for a constant gradient g.
    g = np.array([3.0, -0.01])
    lr, beta, eps = 0.01, 0.9, 1e-8
    x = np.zeros(2)
    opt = optim.RMSProp(lr, beta=beta, eps=eps)
    expected = np.zeros(2)
    for k in range(1, 21):
        opt.step([x], [g])
        expected -= lr * g / (np.sqrt(1 - beta ** k) * np.abs(g) + eps)
        np.testing.assert_allclose(x, expected, rtol=1e-12)


def test_adam_first_two_steps_match_a_hand_computation():
    opt = optim.Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    p = np.array([1.0, -2.0])
    # Step 1, g = (2, -0.5): m = 0.1 g, v = 0.001 g^2, so m_hat = g, v_hat = g^2 and the step is
    # 0.1 * g / (|g| + 1e-8) = (0.1, -0.1) up to 1e-9.
    opt.step([p], [np.array([2.0, -0.5])])
    np.testing.assert_allclose(p, [0.9, -1.9], rtol=0, atol=1e-8)
    # Step 2, g = (-1, 0.5):
    #   m = 0.9 * (0.2, -0.05) + 0.1 * (-1, 0.5) = (0.08, 0.005);  m_hat = m / 0.19
    #   v = 0.999 * (0.004, 0.00025) + 0.001 * (1, 0.25) = (0.004996, 0.00049975)
    #   v_hat = v / 0.001999
    opt.step([p], [np.array([-1.0, 0.5])])
    m_hat = np.array([0.08, 0.005]) / 0.19
    v_hat = np.array([0.004996, 0.00049975]) / 0.001999
    expected = np.array([0.9, -1.9]) - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(p, expected, rtol=1e-7)
    # In numbers, by hand: m_hat = (0.42105, 0.026316), v_hat = (2.49925, 0.25), so the step is
    # 0.1 * (0.42105 / 1.58090, 0.026316 / 0.5) = (0.026634, 0.0052632).
    np.testing.assert_allclose(p, [0.9 - 0.026634, -1.9 - 0.0052632], atol=2e-6)
    assert opt.t == 2


def test_adam_first_step_has_size_lr_whatever_the_gradient_scale():
    # Bias correction makes the first step lr * sign(g) for any gradient size (>> eps).
    for scale in (1e-3, 1.0, 1e4):
        p = np.zeros(3)
        optim.Adam(lr=0.05).step([p], [scale * np.array([1.0, -2.0, 3.0])])
        np.testing.assert_allclose(p, [-0.05, 0.05, -0.05], rtol=1e-4)


# ---------------------------------------------------------------- convergence rates vs theory

def test_gd_rate_with_lr_2_over_L_plus_mu_is_kappa_minus_1_over_kappa_plus_1():
    rng = np.random.default_rng(0)
    L, mu = 10.0, 1.0
    A = random_quadratic(rng, [mu, 3.0, 6.0, L])
    x_star = rng.standard_normal(4)
    x = rng.standard_normal(4)
    lr = 2 / (L + mu)
    opt = optim.SGD(lr)
    errors = [np.linalg.norm(x - x_star)]
    for _ in range(50):
        opt.step([x], [A @ (x - x_star)])
        errors.append(np.linalg.norm(x - x_star))
    errors = np.array(errors)
    kappa = L / mu
    theory = (kappa - 1) / (kappa + 1)
    # Every eigen-direction contracts by |1 - lr lambda| <= theory, with equality at mu and L:
    ratios = errors[1:] / errors[:-1]
    assert np.all(ratios <= theory * (1 + 1e-9))   # 1e-9: rounding in 50 steps of A @ x
    # The measured rate over the run (geometric mean of the ratios) approaches the theory, because
    # the middle eigenvalues die out faster and only the mu and L components remain:
    measured = (errors[-1] / errors[-21]) ** (1 / 20)
    assert measured == pytest.approx(theory, rel=1e-6)


def test_gd_rate_with_lr_1_over_L_is_1_minus_1_over_kappa():
    L, mu = 20.0, 2.0
    a = np.array([mu, L])
    x = np.array([1.0, 1.0])
    opt = optim.SGD(1 / L)
    errors = []
    for _ in range(60):
        opt.step([x], [a * x])
        errors.append(np.linalg.norm(x))
    measured = (errors[-1] / errors[-11]) ** (1 / 10)
    assert measured == pytest.approx(1 - mu / L, rel=1e-9)


def test_heavy_ball_with_polyak_parameters_reaches_sqrt_kappa_rate():
    # Optimal heavy ball (Polyak): lr = 4 / (sqrt L + sqrt mu)^2, beta = ((sqrt k - 1)/(sqrt k + 1))^2
    # gives the rate r = (sqrt k - 1) / (sqrt k + 1). Its iteration matrix has a double eigenvalue,
    # so errors behave like C t r^t: between steps 200 and 400 the measured per-step ratio is
    # r * 2^(1/200) ~ 1.0035 r. We allow 1 %, which also excludes the GD rate (k-1)/(k+1).
    rng = np.random.default_rng(1)
    L, mu = 100.0, 1.0
    A = random_quadratic(rng, [mu, 10.0, 50.0, L])
    x = rng.standard_normal(4)
    sk = math.sqrt(L / mu)
    lr = 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2
    beta = ((sk - 1) / (sk + 1)) ** 2
    opt = optim.Momentum(lr, beta=beta)
    errors = []
    for _ in range(400):
        opt.step([x], [A @ x])
        errors.append(np.linalg.norm(x))
    measured = (errors[399] / errors[199]) ** (1 / 200)
    theory = (sk - 1) / (sk + 1)
    assert theory <= measured <= 1.01 * theory
    assert measured < 0.9 * (L / mu - 1) / (L / mu + 1)


@pytest.mark.parametrize("make", [lambda: optim.AdaGrad(0.5), lambda: optim.RMSProp(0.01),
                                  lambda: optim.Adam(0.05), lambda: optim.Nesterov(0.05, 0.9),
                                  lambda: optim.Momentum(0.05, 0.9)])
def test_every_optimizer_reduces_an_ill_conditioned_quadratic(make):
    a = np.array([1.0, 10.0])
    x = np.array([2.0, 1.0])
    opt = make()
    f0 = 0.5 * np.sum(a * x ** 2)
    for _ in range(500):
        opt.step([x], [a * x])
    assert 0.5 * np.sum(a * x ** 2) < 1e-3 * f0


# ---------------------------------------------------------------- interface behaviour

def test_step_updates_several_arrays_in_place_and_keeps_their_dtype():
    W = np.ones((2, 3))
    b = np.ones(3, dtype=np.float32)
    W_id, b_id = id(W), id(b)
    opt = optim.Adam(0.1)
    opt.step([W, b], [np.full((2, 3), 2.0), np.full(3, -1.0)])
    assert id(W) == W_id and id(b) == b_id
    assert b.dtype == np.float32
    np.testing.assert_allclose(W, 0.9, rtol=1e-6)
    np.testing.assert_allclose(b, 1.1, rtol=1e-6)


def test_state_is_kept_per_position():
    # Two parameters under momentum must evolve exactly as each would alone.
    a1, a2 = 1.0, 4.0
    x1, x2 = np.array([1.0]), np.array([-1.0])
    opt = optim.Momentum(0.1, beta=0.8)
    for _ in range(10):
        opt.step([x1, x2], [a1 * x1, a2 * x2])
    alone1 = run_scalar(optim.Momentum(0.1, beta=0.8), a1, 1.0, 10)[-1]
    alone2 = run_scalar(optim.Momentum(0.1, beta=0.8), a2, -1.0, 10)[-1]
    assert x1[0] == pytest.approx(alone1, rel=1e-12)
    assert x2[0] == pytest.approx(alone2, rel=1e-12)


def test_reset_clears_state_and_step_count():
    opt = optim.Momentum(0.1, beta=0.9)
    run_scalar(opt, 2.0, 1.0, 5)
    assert opt.t == 5 and opt.state
    opt.reset()
    assert opt.t == 0 and opt.state == []
    np.testing.assert_allclose(run_scalar(opt, 2.0, 1.0, 5),
                               run_scalar(optim.Momentum(0.1, beta=0.9), 2.0, 1.0, 5))


def test_lr_can_change_between_steps():
    x = np.array([0.0])
    opt = optim.SGD(0.1)
    opt.step([x], [np.array([1.0])])
    opt.lr = 0.01
    opt.step([x], [np.array([1.0])])
    assert x[0] == pytest.approx(-0.11, rel=1e-12)


def test_tuples_are_accepted_and_repr_names_hyperparameters():
    x = np.array([1.0])
    optim.SGD(0.5).step((x,), (np.array([1.0]),))
    assert x[0] == 0.5
    assert repr(optim.Adam(0.01)) == "Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08)"
    assert repr(optim.Momentum(0.1, 0.5)) == "Momentum(lr=0.1, beta=0.5)"


# ---------------------------------------------------------------- bad input

def test_lists_of_different_lengths_raise():
    with pytest.raises(ValueError, match=r"params has 2 arrays but grads has 1"):
        optim.SGD(0.1).step([np.zeros(2), np.zeros(3)], [np.zeros(2)])


def test_mismatched_shapes_name_both_shapes():
    with pytest.raises(ValueError, match=r"params\[1\] has shape \(3,\) but grads\[1\] has shape "
                                         r"\(3, 1\)"):
        optim.Adam().step([np.zeros(2), np.zeros(3)], [np.zeros(2), np.zeros((3, 1))])


def test_changing_parameters_without_reset_raises_naming_both_shapes():
    opt = optim.Momentum(0.1)
    opt.step([np.zeros(2)], [np.ones(2)])
    with pytest.raises(ValueError, match=r"params\[0\] has shape \(4,\).*shape \(2,\).*reset"):
        opt.step([np.zeros(4)], [np.ones(4)])
    with pytest.raises(ValueError, match=r"state for 1 parameters but got 2"):
        opt.step([np.zeros(2), np.zeros(2)], [np.ones(2), np.ones(2)])


def test_non_list_and_non_float_parameters_raise_type_errors():
    with pytest.raises(TypeError, match=r"params must be a list.*wrap a single array"):
        optim.SGD(0.1).step(np.zeros(2), [np.zeros(2)])
    with pytest.raises(TypeError, match=r"grads must be a list"):
        optim.SGD(0.1).step([np.zeros(2)], np.zeros(2))
    with pytest.raises(TypeError, match=r"params\[0\] must be a float numpy array.*int64"):
        optim.SGD(0.1).step([np.zeros(2, dtype=np.int64)], [np.zeros(2)])
    with pytest.raises(TypeError, match=r"params\[0\] must be a float numpy array.*list"):
        optim.SGD(0.1).step([[0.0, 0.0]], [np.zeros(2)])


@pytest.mark.parametrize("make, message", [
    (lambda: optim.SGD(0.0), "lr must be a finite number > 0"),
    (lambda: optim.SGD(-1.0), "lr must be a finite number > 0"),
    (lambda: optim.SGD(float("nan")), "lr must be a finite number > 0"),
    (lambda: optim.Momentum(0.1, beta=1.0), r"beta must be a number in \[0, 1\)"),
    (lambda: optim.RMSProp(0.1, beta=-0.1), r"beta must be a number in \[0, 1\)"),
    (lambda: optim.Adam(beta2=1.5), r"beta2 must be a number in \[0, 1\)"),
    (lambda: optim.AdaGrad(0.1, eps=0.0), "eps must be a finite number > 0"),
])
def test_bad_hyperparameters_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_setting_a_bad_lr_later_raises():
    opt = optim.SGD(0.1)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        opt.lr = float("inf")
    assert opt.lr == 0.1


# ---------------------------------------------------------------- divergence

def test_check_loss_returns_a_float_for_a_fine_loss():
    assert optim.check_loss(np.float32(2.5), 3, 0.1, initial_loss=1.0) == 2.5
    assert optim.check_loss(np.array([5.0e5]), 3, 0.1, initial_loss=0.1) == 5.0e5


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_check_loss_raises_on_nan_and_inf_naming_step_loss_and_lr(bad):
    with pytest.raises(optim.DivergenceError, match=rf"became {bad} at step 17 .*lr=0\.3"):
        optim.check_loss(bad, 17, 0.3)


def test_check_loss_raises_when_the_loss_explodes():
    with pytest.raises(optim.DivergenceError, match=r"exploded to 2e\+07 at step 4.*lr=0\.5.*"
                                                    r"initial loss 3"):
        optim.check_loss(2e7, 4, 0.5, initial_loss=3.0, factor=1e6)
    # below the limit (factor * max(|initial|, 1) = 1e6 for a small initial loss): fine
    assert optim.check_loss(9e5, 4, 0.5, initial_loss=1e-3) == 9e5


def test_divergence_error_is_a_floating_point_error():
    assert issubclass(optim.DivergenceError, FloatingPointError)


def test_check_loss_rejects_non_scalar_losses():
    with pytest.raises(ValueError, match=r"single number, got shape \(2,\)"):
        optim.check_loss(np.array([1.0, 2.0]), 0, 0.1)


def test_minimize_detects_divergence_above_2_over_L():
    L = 4.0
    f_and_grad = lambda x: (0.5 * L * x @ x, L * x)  # noqa: E731
    lr = 2.2 / L      # |1 - lr L| = 1.2 > 1: the loss grows by 1.44 per step
    with pytest.raises(optim.DivergenceError) as info:
        optim.minimize(f_and_grad, [1.0, 1.0], optim.SGD(lr), 200)
    msg = str(info.value)
    # the loss passes 1e6 x the initial 4 when 1.44^t > 1e6, i.e. at t = 38
    assert "at step 38" in msg and "lr=0.55" in msg and "exploded to" in msg
    # just below 2/L the same run converges (slowly, oscillating)
    out = optim.minimize(f_and_grad, [1.0, 1.0], optim.SGD(1.9 / L), 200)
    assert out["losses"][-1] < 1e-8 * out["losses"][0]
    assert np.all(np.sign(out["path"][1:, 0]) != np.sign(out["path"][:-1, 0]))  # oscillates


def test_minimize_reports_nan_losses():
    def f_and_grad(x):
        return (float("nan") if x[0] < 0 else float(x[0] ** 2)), 2 * x

    with pytest.raises(optim.DivergenceError, match=r"became nan at step 1 .*lr=2"):
        optim.minimize(f_and_grad, [1.0], optim.SGD(2.0), 5)


# ---------------------------------------------------------------- minimize

def test_minimize_records_path_and_losses_and_leaves_x0_alone():
    a = np.array([1.0, 3.0])
    x0 = np.array([1.0, -1.0])
    out = optim.minimize(lambda x: (0.5 * np.sum(a * x ** 2), a * x), x0, optim.SGD(0.1), 25)
    assert out["path"].shape == (26, 2) and out["losses"].shape == (26,)
    assert out["steps"] == 25 and out["converged"] is False
    np.testing.assert_array_equal(x0, [1.0, -1.0])
    np.testing.assert_array_equal(out["path"][0], x0)
    t = np.arange(26)[:, None]
    np.testing.assert_allclose(out["path"], (1 - 0.1 * a) ** t * x0, rtol=1e-12)
    np.testing.assert_allclose(out["losses"], 0.5 * np.sum(a * out["path"] ** 2, axis=1))
    np.testing.assert_allclose(out["grad_norms"], np.linalg.norm(a * out["path"], axis=1))
    np.testing.assert_array_equal(out["x"], out["path"][-1])


def test_minimize_stops_at_tolerance():
    # GD with lr = 0.5 on 0.5 x^2 halves x each step: |grad| = 2^-t <= 1e-3 first at t = 10.
    out = optim.minimize(lambda x: (0.5 * x @ x, x.copy()), [1.0], optim.SGD(0.5), 100, tol=1e-3)
    assert out["steps"] == 10 and out["converged"] is True
    assert out["path"].shape == (11, 1)


def test_minimize_resets_the_optimizer_and_applies_a_schedule():
    opt = optim.Momentum(0.1, 0.9)
    f_and_grad = lambda x: (0.5 * x @ x, x.copy())  # noqa: E731
    first = optim.minimize(f_and_grad, [1.0], opt, 10)
    again = optim.minimize(f_and_grad, [1.0], opt, 10)
    np.testing.assert_array_equal(first["path"], again["path"])
    sched = optim.step_decay(0.5, 0.5, 1)     # lr = 0.5, 0.25, 0.125
    out = optim.minimize(f_and_grad, [1.0], optim.SGD(1.0), 3, schedule=sched)
    np.testing.assert_allclose(out["path"][:, 0], [1.0, 0.5, 0.375, 0.328125])


def test_minimize_bad_input():
    f_and_grad = lambda x: (0.0, np.zeros(3))  # noqa: E731
    with pytest.raises(ValueError, match=r"x has shape \(2,\) but the gradient .* shape \(3,\)"):
        optim.minimize(f_and_grad, [1.0, 2.0], optim.SGD(0.1), 5)
    with pytest.raises(TypeError, match="optimizer must be"):
        optim.minimize(f_and_grad, [1.0], "sgd", 5)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        optim.minimize(f_and_grad, [1.0], optim.SGD(0.1), 0)
    with pytest.raises(ValueError, match=r"x0 must have 1 dimension"):
        optim.minimize(f_and_grad, [[1.0]], optim.SGD(0.1), 5)


# ---------------------------------------------------------------- schedules

def test_schedules_by_hand():
    assert [optim.constant(0.1)(t) for t in (0, 5, 1000)] == [0.1, 0.1, 0.1]
    s = optim.step_decay(1.0, 0.5, 10)
    assert [s(t) for t in (0, 9, 10, 19, 20, 35)] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.125]
    e = optim.exponential_decay(2.0, 0.9)
    assert e(0) == 2.0 and e(2) == pytest.approx(1.62, rel=1e-12)
    c = optim.cosine(1.0, 100, lr_min=0.2)
    assert c(0) == 1.0
    assert c(50) == pytest.approx(0.6, rel=1e-12)       # halfway: the mean of lr0 and lr_min
    assert c(100) == pytest.approx(0.2, rel=1e-12) and c(250) == pytest.approx(0.2, rel=1e-12)
    values = [c(t) for t in range(101)]
    assert all(b <= a for a, b in zip(values, values[1:]))


@pytest.mark.parametrize("make, message", [
    (lambda: optim.constant(0.0), "lr must be"),
    (lambda: optim.step_decay(1.0, 1.5, 10), r"drop must be in \(0, 1\]"),
    (lambda: optim.step_decay(1.0, 0.5, 0), "every must be a positive integer"),
    (lambda: optim.exponential_decay(1.0, 0.0), "rate must be"),
    (lambda: optim.exponential_decay(1.0, 1.1), r"rate must be in \(0, 1\]"),
    (lambda: optim.cosine(1.0, 0), "total_steps must be a positive integer"),
    (lambda: optim.cosine(1.0, 10, lr_min=2.0), r"lr_min must be a number in \[0, lr0\]"),
])
def test_bad_schedule_arguments_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("schedule", [optim.constant(0.1), optim.step_decay(0.1, 0.5, 2),
                                      optim.exponential_decay(0.1, 0.9), optim.cosine(0.1, 10)])
def test_schedules_reject_negative_or_fractional_steps(schedule):
    with pytest.raises(ValueError, match="integer >= 0"):
        schedule(-1)
    with pytest.raises(ValueError, match="integer >= 0"):
        schedule(1.5)


def test_optimizer_base_class_is_what_a_new_method_subclasses():
    """A reader's own method: subclass Optimizer, write _update; step validates and keeps state."""

    class SignDescent(optim.Optimizer):
        def _update(self, p, g, state):
            count = self._buffer(state, "count", p)
            count += 1.0
            p -= self.lr * np.sign(g)

    opt = SignDescent(lr=0.5)
    assert repr(opt) == "SignDescent(lr=0.5)"
    w = np.array([3.0, -2.0, 0.0])
    for t in (1, 2):
        opt.step([w], [np.array([10.0, -0.1, 0.0])])
        assert opt.t == t and np.array_equal(opt.state[0]["count"], np.full(3, float(t)))
    assert np.array_equal(w, [2.0, -1.0, 0.0])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        opt.step([w], [np.zeros(2)])
    opt.reset()
    assert opt.t == 0 and opt.state == []
    with pytest.raises(ValueError, match="lr"):
        SignDescent(lr=0.0)
    with pytest.raises(NotImplementedError, match="subclass it and write _update"):
        optim.Optimizer(lr=0.1).step([np.zeros(2)], [np.ones(2)])
