"""Tests of helpers.nn: gradients against the autodiff engine and central differences, shapes,
initialization statistics and bad input (training and evaluation: test_training.py).

Gradient checks run in float64 on small networks. Reference values come from independent code:
the calculus series' reverse-mode engine (helpers.autodiff), central differences
(helpers.gradcheck), explicit loops, or closed forms; never from the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import autodiff, gradcheck, linalg, losses, nn

SIZES = [(5, 7, 3), (4, 6, 5, 3), (3, 2)]


def small_problem(sizes, n=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n)
    return X, y


def autodiff_loss(model, X, y, l2=0.0):
    """The same network and loss built from helpers.autodiff tensors; returns (loss, grads)."""
    params = [autodiff.Tensor(p.copy()) for p in model.params]
    h = autodiff.Tensor(X, requires_grad=False)
    n_linear = len(params) // 2
    for i in range(n_linear):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n_linear - 1:
            h = getattr(h, model.activation)()
    onehot = losses.one_hot(y, model.sizes[-1])
    loss = -(h.log_softmax(axis=1) * onehot).sum(axis=1).mean()
    for W in params[::2]:
        loss = loss + 0.5 * l2 * (W * W).sum()
    loss.backward()
    return float(loss.data), [p.grad for p in params]


def unflatten(theta, shapes):
    """Split a flat parameter vector into arrays of the given shapes."""
    parts, i = [], 0
    for s in shapes:
        k = int(np.prod(s))
        parts.append(theta[i:i + k].reshape(s))
        i += k
    return parts


def flat_loss(model, X, y, l2=0.0):
    """The loss as a function of all parameters flattened into one vector (for gradcheck)."""
    shapes = [p.shape for p in model.params]

    def f(theta):
        saved = model.copy_params()
        model.set_params(unflatten(theta, shapes))
        loss, _ = model.loss_and_grads(X, y, l2=l2)
        model.set_params(saved)
        return loss
    return f


# ---------------------------------------------------------------- gradients

@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("sizes", SIZES)
def test_gradients_match_autodiff_engine(sizes, activation):
    X, y = small_problem(sizes)
    model = nn.MLP(sizes, activation=activation, rng=1, dtype=np.float64)
    loss, grads = model.loss_and_grads(X, y)
    ref_loss, ref_grads = autodiff_loss(model, X, y)
    # the same float64 operations in a different order: agreement to ~1e-15 relative, 1e-10 is
    # loose enough for any reordering and far too tight for a wrong formula
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for g, r in zip(grads, ref_grads):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_gradients_match_finite_differences(activation, l2):
    sizes = (4, 6, 5, 3)
    X, y = small_problem(sizes, n=6, seed=2)
    model = nn.MLP(sizes, activation=activation, rng=3, dtype=np.float64)
    _, grads = model.loss_and_grads(X, y, l2=l2)
    theta = np.concatenate([p.ravel() for p in model.params])
    flat = np.concatenate([g.ravel() for g in grads])
    # central differences with h = 1e-6 are good to about 1e-9 relative here (gradcheck's
    # docstring); random inputs put no ReLU input within h of its kink
    err = gradcheck.check_gradient(flat_loss(model, X, y, l2), flat, theta, tol=1e-6)
    assert err < 1e-6


def test_l2_term_matches_its_formula():
    sizes = (4, 5, 3)
    X, y = small_problem(sizes)
    model = nn.MLP(sizes, rng=0, dtype=np.float64)
    plain, plain_grads = model.loss_and_grads(X, y)
    plain_grads = [g.copy() for g in plain_grads]
    reg, reg_grads = model.loss_and_grads(X, y, l2=0.3)
    W1, b1, W2, b2 = model.params
    assert reg == pytest.approx(plain + 0.15 * (np.sum(W1 ** 2) + np.sum(W2 ** 2)), rel=1e-12)
    np.testing.assert_allclose(reg_grads[0], plain_grads[0] + 0.3 * W1, rtol=1e-12)
    np.testing.assert_allclose(reg_grads[1], plain_grads[1], rtol=1e-12)   # biases: no penalty


def test_dropout_gradient_with_a_fixed_mask():
    sizes = (4, 6, 3)
    X, y = small_problem(sizes)
    model = nn.MLP(sizes, dropout=0.5, rng=0, dtype=np.float64)
    drop = [layer for layer in model.layers if isinstance(layer, nn.Dropout)][0]

    def loss_with_mask_seed(theta_model):
        drop.rng = np.random.default_rng(42)      # the same mask at every evaluation
        return theta_model.loss_and_grads(X, y)

    _, grads = loss_with_mask_seed(model)
    grads = [g.copy() for g in grads]
    shapes = [p.shape for p in model.params]
    theta = np.concatenate([p.ravel() for p in model.params])

    def f(t):
        saved = model.copy_params()
        model.set_params(unflatten(t, shapes))
        loss, _ = loss_with_mask_seed(model)
        model.set_params(saved)
        return loss

    gradcheck.check_gradient(f, np.concatenate([g.ravel() for g in grads]), theta, tol=1e-6)


def test_first_layer_skips_the_input_gradient_and_others_return_it():
    model = nn.MLP((4, 5, 3), rng=0, dtype=np.float64)
    first, last = model.layers[0], model.layers[-1]
    X = np.random.default_rng(0).standard_normal((6, 4))
    model.forward(X)
    dY = np.ones((6, 3))
    assert first.backward(np.ones((6, 5))) is None
    np.testing.assert_allclose(last.backward(dY), dY @ last.W.T)


# ---------------------------------------------------------------- layers and shapes

def test_linear_forward_agrees_with_linalg_dense():
    rng = np.random.default_rng(0)
    layer = nn.Linear(6, 4, rng=rng, dtype=np.float64)
    layer.b[:] = rng.standard_normal(4)
    X = rng.standard_normal((5, 6))
    np.testing.assert_allclose(layer.forward(X), linalg.dense(X, layer.W, layer.b), rtol=1e-14)


def test_shapes_and_dtypes():
    model = nn.MLP((784, 32, 16, 10), rng=0)
    X = np.random.default_rng(1).standard_normal((7, 784)).astype(np.float32)
    y = np.arange(7) % 10
    logits = model.forward(X)
    assert logits.shape == (7, 10) and logits.dtype == np.float32
    loss, grads = model.loss_and_grads(X, y)
    assert isinstance(loss, float)
    assert [g.shape for g in grads] == [p.shape for p in model.params] == \
        [(784, 32), (32,), (32, 16), (16,), (16, 10), (10,)]
    assert all(g.dtype == np.float32 for g in grads)
    assert [h.shape for h in model.hidden(X)] == [(7, 32), (7, 16)]
    assert model.predict_logits(X).shape == (7, 10)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert model.num_params() == 784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10
    assert model.predict_logits(X[:0]).shape == (0, 10)


def test_float64_inputs_are_converted_to_the_model_dtype():
    model = nn.MLP((3, 4, 2), rng=0)
    out = model.forward(np.ones((2, 3)))
    assert out.dtype == np.float32


@pytest.mark.parametrize("cls, f, df", [
    (nn.ReLU, lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
    (nn.Sigmoid, lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    (nn.Tanh, np.tanh, lambda z: 1 / np.cosh(z) ** 2),
])
def test_activations_and_their_derivatives(cls, f, df):
    z = np.linspace(-4, 4, 41) + 0.05      # avoids z = 0 exactly (the ReLU kink)
    layer = cls()
    np.testing.assert_allclose(layer.forward(z[None, :]), f(z)[None, :], rtol=1e-12)
    g = np.random.default_rng(0).standard_normal((1, 41))
    np.testing.assert_allclose(layer.backward(g), g * df(z)[None, :], rtol=1e-10, atol=1e-15)


def test_dropout_keeps_the_mean_and_is_off_at_test_time():
    drop = nn.Dropout(0.3, rng=0)
    Z = np.ones((400, 500))
    out = drop.forward(Z, train=True)
    # each entry is 0 or 1/0.7 with P(keep) = 0.7: mean 1, sd sqrt(0.3/0.7) ~ 0.65 per entry,
    # so the mean of 200,000 entries has standard error 0.0015; allow 4 of them
    assert abs(out.mean() - 1.0) < 4 * np.sqrt(0.3 / 0.7) / np.sqrt(Z.size)
    frac_zero = np.mean(out == 0)
    assert abs(frac_zero - 0.3) < 4 * np.sqrt(0.3 * 0.7 / Z.size)
    values = np.unique(out)
    assert len(values) == 2 and values[0] == 0.0 and values[1] == pytest.approx(1 / 0.7)
    np.testing.assert_array_equal(drop.backward(np.full_like(Z, 2.0)), 2.0 * out)
    assert drop.forward(Z, train=False) is Z


@pytest.mark.parametrize("init, var", [("he", lambda a, b: 2 / a), ("lecun", lambda a, b: 1 / a),
                                       ("glorot", lambda a, b: 2 / (a + b)),
                                       (0.05, lambda a, b: 0.05 ** 2)])
def test_init_weights_has_the_variance_of_its_rule(init, var):
    n_in, n_out = 400, 500
    W = nn.init_weights(n_in, n_out, rng=0, init=init, dtype=np.float64)
    assert W.shape == (n_in, n_out)
    # the sample variance of n normal samples has relative standard error sqrt(2 / n) = 0.0032
    rel = W.var() / var(n_in, n_out) - 1
    assert abs(rel) < 4 * np.sqrt(2 / W.size)
    assert abs(W.mean()) < 4 * np.sqrt(var(n_in, n_out) / W.size)


def test_he_init_keeps_relu_activations_from_shrinking_or_growing():
    # The variance argument: through a ReLU layer with n inputs, E[z^2] is multiplied by
    # n Var(w) / 2. He init (Var(w) = 2 / n) keeps it; std 0.01 multiplies it by 0.0128 per layer
    # and std 0.2 by 5.12, so over 10 layers by about 1e-19 and 1e7.
    X = np.random.default_rng(0).standard_normal((2000, 256))

    def growth(init):
        model = nn.MLP([256] * 11 + [10], init=init, rng=1, dtype=np.float64)
        A, second_moments = X, []
        for layer in model.layers[:-1]:
            A = layer.forward(A)
            if isinstance(layer, nn.Linear):
                second_moments.append(np.mean(A ** 2))
        return second_moments[-1] / second_moments[0]

    assert 0.5 < growth("he") < 2
    assert growth(0.01) < 1e-15
    assert growth(0.2) > 1e5


def test_copy_and_set_params_round_trip():
    model = nn.MLP((3, 4, 2), rng=0)
    saved = model.copy_params()
    for p in model.params:
        p += 1
    model.set_params(saved)
    for p, s in zip(model.params, saved):
        np.testing.assert_array_equal(p, s)
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(4, 3\)"):
        model.set_params([np.zeros((4, 3))] + saved[1:])


# ---------------------------------------------------------------- bad input

def test_wrong_input_width_names_both_shapes():
    model = nn.MLP((784, 16, 10), rng=0)
    with pytest.raises(ValueError, match=r"shape \(5, 783\).*\(N, 784\)"):
        model.forward(np.zeros((5, 783), np.float32))
    with pytest.raises(ValueError, match=r"shape \(784,\)"):
        model.predict_logits(np.zeros(784, np.float32))


def test_labels_out_of_range_are_named():
    model = nn.MLP((4, 5, 3), rng=0)
    X = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError, match=r"y\[2\] = 3 is out of range.*\[0, 3\)"):
        model.loss_and_grads(X, np.array([0, 1, 3, 2]))
    with pytest.raises(ValueError, match=r"y\[0\] = -1"):
        model.loss_and_grads(X, np.array([-1, 0, 0, 0]))


def test_wrong_dtypes_are_explained():
    model = nn.MLP((4, 5, 3), rng=0)
    with pytest.raises(TypeError, match=r"dtype uint8.*X / 255"):
        model.forward(np.zeros((2, 4), np.uint8))
    with pytest.raises(TypeError, match=r"must be a float array, got dtype int64"):
        model.forward(np.zeros((2, 4), np.int64))
    with pytest.raises(TypeError, match=r"must be integers.*float64"):
        model.loss_and_grads(np.zeros((2, 4)), np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match="numeric"):
        model.forward(np.array([["a"] * 4] * 2))


def test_label_shape_mismatch_is_explained():
    model = nn.MLP((4, 5, 3), rng=0)
    with pytest.raises(ValueError, match=r"shape \(3,\) but there are 2 examples"):
        model.loss_and_grads(np.zeros((2, 4)), np.array([0, 1, 2]))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(sizes=(5,)), ValueError, "at least an input and an output"),
    (dict(sizes=(5, 0, 3)), ValueError, r"sizes\[1\] must be a positive integer"),
    (dict(sizes=(5, 3), activation="softplus"), ValueError, "activation must be one of"),
    (dict(sizes=(5, 3), init="glorious"), ValueError, "init must be one of"),
    (dict(sizes=(5, 3), init=-1.0), ValueError, "init must be one of"),
    (dict(sizes=(5, 4, 3), dropout=1.0), ValueError, r"dropout probability p must be in \[0, 1\)"),
    (dict(sizes=(5, 3), dtype=np.float16), ValueError, "float32 or float64"),
    (dict(sizes=(5, 3), rng="seed"), TypeError, "rng must be a numpy Generator"),
])
def test_bad_construction(kwargs, error, match):
    sizes = kwargs.pop("sizes")
    with pytest.raises(error, match=match):
        nn.MLP(sizes, **kwargs)
