"""Tests of helpers.normalization: batch normalization against the autodiff engine and central
differences, residual blocks and deep networks against central differences, signal sizes against
the variance rule, gradient clipping against its definition, and bad input.

References come from independent code (helpers.autodiff, helpers.gradcheck, explicit loops,
closed forms), never from the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import autodiff, gradcheck, nn
from helpers import normalization as nz


def bn_autodiff(Z, gamma, beta, G, eps):
    """sum(G * BN(Z)) built from autodiff tensors; returns the gradients of Z, gamma, beta."""
    Zt, gt, bt = autodiff.Tensor(Z), autodiff.Tensor(gamma), autodiff.Tensor(beta)
    centred = Zt - Zt.mean(axis=0, keepdims=True)
    var = (centred * centred).mean(axis=0, keepdims=True)
    Y = centred / (var + eps) ** 0.5 * gt + bt
    (Y * G).sum().backward()
    return Zt.grad, gt.grad, bt.grad


@pytest.mark.parametrize("shape,eps", [((6, 3), 1e-5), ((2, 4), 1e-3), ((10, 1), 0.5)])
def test_batchnorm_backward_matches_autodiff_and_finite_differences(shape, eps):
    rng = np.random.default_rng(shape[0])
    Z = 2.0 + 3.0 * rng.standard_normal(shape)
    gamma, beta = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    G = rng.standard_normal(shape)
    _, cache = nz.batchnorm_forward(Z, gamma, beta, eps)
    G_Z, G_gamma, G_beta = nz.batchnorm_backward(G, cache, gamma)
    ref = bn_autodiff(Z, gamma, beta, G, eps)
    for got, want in zip((G_Z, G_gamma, G_beta), ref):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    f = lambda z: float(np.sum(G * nz.batchnorm_forward(z.reshape(shape), gamma, beta, eps)[0]))
    assert gradcheck.check_gradient(f, G_Z.ravel(), Z.ravel()) < 1e-6


def test_batchnorm_forward_standardizes_each_column():
    rng = np.random.default_rng(1)
    Z = rng.normal(5.0, 4.0, (500, 3))
    Y, cache = nz.batchnorm_forward(Z, np.ones(3), np.zeros(3), eps=1e-12)
    np.testing.assert_allclose(Y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Y.std(axis=0), 1, rtol=1e-9)
    Y2, _ = nz.batchnorm_forward(Z, np.array([2.0, 3.0, 4.0]), np.array([-1.0, 0.0, 1.0]), 1e-12)
    np.testing.assert_allclose(Y2.mean(axis=0), [-1, 0, 1], atol=1e-12)
    np.testing.assert_allclose(Y2.std(axis=0), [2, 3, 4], rtol=1e-9)
    # Explicit loop over the columns
    for j in range(3):
        col = Z[:, j]
        np.testing.assert_allclose(cache["Zhat"][:, j],
                                   (col - col.mean()) / np.sqrt(col.var() + 1e-12))


def test_batchnorm_gradient_sums_to_zero_and_is_scale_invariant():
    rng = np.random.default_rng(2)
    Z, G = rng.standard_normal((8, 4)), rng.standard_normal((8, 4))
    _, cache = nz.batchnorm_forward(Z, np.ones(4), np.zeros(4), eps=1e-5)
    G_Z, _, _ = nz.batchnorm_backward(G, cache, np.ones(4))
    np.testing.assert_allclose(G_Z.sum(axis=0), 0, atol=1e-12)
    Y1, _ = nz.batchnorm_forward(Z, np.ones(4), np.zeros(4), eps=1e-12)
    Y2, _ = nz.batchnorm_forward(7.0 * Z + 3.0, np.ones(4), np.zeros(4), eps=1e-12)
    np.testing.assert_allclose(Y1, Y2, atol=1e-9)


def test_batchnorm_layer_running_statistics_and_test_mode():
    rng = np.random.default_rng(3)
    layer = nz.BatchNorm(2, momentum=0.5)
    Z = rng.normal(3.0, 2.0, (64, 2))
    layer.forward(Z, train=True)
    np.testing.assert_allclose(layer.running_mean, 0.5 * Z.mean(axis=0))
    np.testing.assert_allclose(layer.running_var, 0.5 + 0.5 * Z.var(axis=0))
    for _ in range(60):
        layer.forward(Z, train=True)
    out = layer.forward(Z, train=False)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-6)
    # test mode treats each example on its own
    np.testing.assert_allclose(layer.forward(Z[:1], train=False), out[:1])
    with pytest.raises(RuntimeError, match="training mode"):
        layer.backward(np.ones((64, 2)))


def flat_check(net, X, y, tol=1e-6):
    """Largest relative error between the network's gradient and central differences."""
    shapes = [p.shape for p in net.params]
    _, grads = net.loss_and_grads(X, y)
    theta = np.concatenate([p.ravel() for p in net.params])

    def loss(t):
        parts = np.split(t, np.cumsum([int(np.prod(s)) for s in shapes])[:-1])
        for p, part, s in zip(net.params, parts, shapes):
            p[...] = part.reshape(s)
        return net.loss_and_grads(X, y)[0]

    err = gradcheck.check_gradient(loss, np.concatenate([g.ravel() for g in grads]), theta)
    loss(theta)
    return err


@pytest.mark.parametrize("kwargs", [dict(activation="tanh"), dict(activation="tanh", residual=True),
                                    dict(activation="tanh", batchnorm=True),
                                    dict(activation="sigmoid", batchnorm=True, residual=True)])
def test_deep_networks_gradients_match_finite_differences(kwargs):
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((7, 3)), rng.integers(0, 3, 7)
    net = nz.deep_network(3, 4, 5, 3, rng=5, **kwargs)
    for layer in net.layers:             # non-trivial gamma and beta
        for sub in getattr(layer, "layers", [layer]):
            if isinstance(sub, nz.BatchNorm):
                sub.gamma[:] = rng.uniform(0.5, 1.5, sub.gamma.shape)
                sub.beta[:] = rng.standard_normal(sub.beta.shape)
    assert flat_check(net, X, y) < 1e-6


def test_residual_block_backward_adds_the_skip_path():
    rng = np.random.default_rng(6)
    lin = nn.Linear(3, 3, rng=0, dtype=np.float64)
    block = nz.Residual([lin, nn.Tanh()])
    X, G = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    out = block.forward(X)
    np.testing.assert_allclose(out, X + np.tanh(X @ lin.W + lin.b))
    G_X = block.backward(G)
    Z = X @ lin.W + lin.b
    np.testing.assert_allclose(G_X, G + (G * (1 - np.tanh(Z) ** 2)) @ lin.W.T)
    with pytest.raises(ValueError, match="keep the shape"):
        nz.Residual([nn.Linear(3, 2, dtype=np.float64)]).forward(X)
    with pytest.raises(ValueError, match="at least one layer"):
        nz.Residual([])


def test_deep_network_initial_std_and_structure():
    net = nz.deep_network(200, 300, 3, 10, init="glorot", scale=2.0, rng=0)
    W = [layer.W for layer in net.layers if isinstance(layer, nn.Linear)]
    assert [w.shape for w in W] == [(200, 300), (300, 300), (300, 300), (300, 10)]
    assert abs(W[0].std() / (2.0 * np.sqrt(2 / 500)) - 1) < 0.02
    assert nz.init_std(100, 50, "he") == pytest.approx(np.sqrt(0.02))
    assert nz.init_std(100, 50, "glorot") == pytest.approx(np.sqrt(2 / 150))
    bn = nz.deep_network(4, 5, 2, 3, batchnorm=True, residual=True)
    assert isinstance(bn.layers[3], nz.Residual)
    assert any(isinstance(l, nz.BatchNorm) for l in bn.layers[3].layers)
    for bad in [dict(activation="gelu"), dict(init="xavier"), dict(scale=0), dict(depth=0)]:
        with pytest.raises(ValueError):
            nz.deep_network(**{**dict(n_in=4, width=5, depth=2, n_classes=3), **bad})


def test_signal_norms_follow_the_variance_rule_and_accept_an_mlp():
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((400, 300)), rng.integers(0, 10, 400)
    for scale in (0.7, 1.0, 1.4):
        net = nz.deep_network(300, 300, 6, 10, scale=scale, rng=1)
        rms = nz.signal_norms(net, X, y)["activation_rms"]
        # He x scale: E[a^2] is multiplied by scale^2 per layer, so the rms by scale
        ratios = rms[1:] / rms[:-1]
        assert np.all(np.abs(ratios / scale - 1) < 0.1)
    mlp = nn.MLP([300, 50, 50, 10], rng=0, dropout=0.0, dtype=np.float64)
    out = nz.signal_norms(mlp, X, y)
    assert out["activation_rms"].shape == (2,) and out["grad_norm"].shape == (3,)
    _, grads = mlp.loss_and_grads(X, y)
    np.testing.assert_allclose(out["grad_norm"], [np.linalg.norm(g) for g in grads[0::2]])
    huge = nz.deep_network(300, 300, 40, 10, scale=1e9, rng=1)
    with pytest.raises(FloatingPointError, match="overflowed"):
        nz.signal_norms(huge, X, y)


def test_clip_by_global_norm_caps_the_norm_and_keeps_the_direction():
    g = [np.array([3.0, 4.0]), np.array([[12.0]])]
    assert nz.global_norm(g) == pytest.approx(13.0)
    clipped, norm = nz.clip_by_global_norm(g, 6.5)
    assert norm == pytest.approx(13.0)
    np.testing.assert_allclose(clipped[0], [1.5, 2.0])
    np.testing.assert_allclose(clipped[1], [[6.0]])
    assert nz.global_norm(clipped) == pytest.approx(6.5)
    np.testing.assert_allclose(g[0], [3.0, 4.0])                # inputs unchanged
    same, _ = nz.clip_by_global_norm(g, 100.0)                  # below the threshold: unchanged
    for a, b in zip(same, g):
        np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(8)
    big = [rng.standard_normal((4, 3)) * 50, rng.standard_normal(3)]
    small, _ = nz.clip_by_global_norm(big, 1.0)
    u = np.concatenate([a.ravel() for a in big])
    v = np.concatenate([a.ravel() for a in small])
    assert u @ v / (np.linalg.norm(u) * np.linalg.norm(v)) == pytest.approx(1.0)
    zero, n0 = nz.clip_by_global_norm([np.zeros(3)], 1.0)
    assert n0 == 0.0 and np.all(zero[0] == 0)
    f32, _ = nz.clip_by_global_norm([np.ones(4, dtype=np.float32) * 10], 1.0)
    assert f32[0].dtype == np.float32


def test_clipping_bad_input():
    with pytest.raises(TypeError, match="list of arrays"):
        nz.clip_by_global_norm(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="empty"):
        nz.global_norm([])
    with pytest.raises(ValueError, match="max_norm"):
        nz.clip_by_global_norm([np.ones(3)], 0.0)
    with pytest.raises(FloatingPointError, match="overflow"):
        nz.clip_by_global_norm([np.array([np.inf, 1.0])], 1.0)
    with pytest.raises(TypeError):
        nz.global_norm([np.array(["a"])])


def test_batchnorm_bad_input():
    with pytest.raises(ValueError, match="at least 2 examples"):
        nz.batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError):
        nz.batchnorm_forward(np.ones((4, 3)), np.ones(2), np.zeros(3))
    with pytest.raises(ValueError, match="eps"):
        nz.batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), eps=0)
    _, cache = nz.batchnorm_forward(np.arange(12.0).reshape(4, 3), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        nz.batchnorm_backward(np.ones((3, 3)), cache, np.ones(3))
    with pytest.raises(ValueError, match="momentum"):
        nz.BatchNorm(3, momentum=1.0)
