"""Tests of helpers.attention: values against direct loops, gradients against finite differences
and the autodiff engine, masks by perturbation, and the error messages."""

import numpy as np
import pytest

from helpers import attention as att
from helpers import autodiff, gradcheck


rng = np.random.default_rng(0)


def loop_attention(Q, K, V, mask=None, scale=None):
    """One query at a time, with explicit exponentials: an independent reference."""
    c = 1 / np.sqrt(Q.shape[1]) if scale is None else scale
    out, W = np.zeros((Q.shape[0], V.shape[1])), np.zeros((Q.shape[0], K.shape[0]))
    for t in range(Q.shape[0]):
        s = [c * float(Q[t] @ K[j]) for j in range(K.shape[0])]
        keep = [j for j in range(K.shape[0]) if mask is None or mask[t, j]]
        m = max(s[j] for j in keep)
        z = sum(np.exp(s[j] - m) for j in keep)
        for j in keep:
            W[t, j] = np.exp(s[j] - m) / z
            out[t] += W[t, j] * V[j]
    return out, W


def test_softmax_rows_and_stability():
    S = np.array([[1000.0, 1000.0, -np.inf], [0.0, np.log(3.0), -1e300]])
    P = att.softmax(S)
    assert np.allclose(P, [[0.5, 0.5, 0.0], [0.25, 0.75, 0.0]])
    with pytest.raises(ValueError, match="entirely -inf"):
        att.softmax(np.array([[-np.inf, -np.inf]]))


def test_softmax_backward_is_the_jacobian():
    s = rng.standard_normal(5)
    p = att.softmax(s)
    J = gradcheck.numerical_jacobian(att.softmax, s)
    assert np.allclose(J, np.diag(p) - np.outer(p, p), atol=1e-9)
    g = rng.standard_normal(5)
    assert np.allclose(att.softmax_backward(g, p), J.T @ g, atol=1e-9)
    with pytest.raises(ValueError, match=r"G_P has shape \(4,\) but P has shape \(5,\)"):
        att.softmax_backward(np.ones(4), p)


def test_causal_mask():
    M = att.causal_mask(4)
    assert M.dtype == bool and M.shape == (4, 4)
    assert M.sum() == 10 and all(M[t, s] == (s <= t) for t in range(4) for s in range(4))
    with pytest.raises(ValueError, match="positive integer"):
        att.causal_mask(0)


@pytest.mark.parametrize("masked", [False, True])
def test_attention_matches_loops(masked):
    Q, K, V = rng.standard_normal((5, 3)), rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    mask = att.causal_mask(5) if masked else None
    out, W = att.scaled_dot_product_attention(Q, K, V, mask=mask)
    ref_out, ref_W = loop_attention(Q, K, V, mask)
    assert np.allclose(out, ref_out) and np.allclose(W, ref_W)
    assert np.allclose(W.sum(axis=1), 1)
    if masked:
        assert np.all(W[~mask] == 0)


def test_batched_equals_one_by_one():
    Q, K, V = rng.standard_normal((3, 2, 4, 5)), rng.standard_normal((3, 2, 6, 5)), rng.standard_normal((3, 2, 6, 1))
    out, W = att.scaled_dot_product_attention(Q, K, V, scale=0.7)
    assert out.shape == (3, 2, 4, 1) and W.shape == (3, 2, 4, 6)
    for n in range(3):
        for h in range(2):
            o, w = loop_attention(Q[n, h], K[n, h], V[n, h], scale=0.7)
            assert np.allclose(out[n, h], o) and np.allclose(W[n, h], w)


def test_zero_temperature_limit_is_a_hard_lookup():
    K = np.eye(3)
    V = np.array([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    q = np.array([[0.2, 0.9, 0.1]])
    out, _ = att.scaled_dot_product_attention(q, K, V, scale=1e4)
    assert np.allclose(out, V[1])
    out, _ = att.scaled_dot_product_attention(q, K, V, scale=0.0)
    assert np.allclose(out, V.mean(axis=0))


def test_causal_outputs_ignore_the_future():
    X = rng.standard_normal((6, 4))
    mask = att.causal_mask(6)
    out, _ = att.scaled_dot_product_attention(X, X, X, mask=mask)
    X2 = X.copy()
    X2[4] += 10 * rng.standard_normal(4)
    out2, _ = att.scaled_dot_product_attention(X2, X2, X2, mask=mask)
    assert np.array_equal(out[:4], out2[:4])
    assert not np.allclose(out[4:], out2[4:])


@pytest.mark.parametrize("masked", [False, True])
def test_attention_backward_finite_differences_and_autodiff(masked):
    T, d_k, d_v = 4, 3, 2
    Q, K, V = rng.standard_normal((T, d_k)), rng.standard_normal((T, d_k)), rng.standard_normal((T, d_v))
    G = rng.standard_normal((T, d_v))
    mask = att.causal_mask(T) if masked else None
    out, W = att.scaled_dot_product_attention(Q, K, V, mask=mask)
    G_Q, G_K, G_V = att.attention_backward(G, Q, K, V, W)
    for i, (X, G_X) in enumerate([(Q, G_Q), (K, G_K), (V, G_V)]):
        def loss(Z, i=i):
            args = [Q, K, V]
            args[i] = Z
            return np.sum(G * att.scaled_dot_product_attention(*args, mask=mask)[0])
        assert gradcheck.check_gradient(loss, G_X, X) < 1e-7
    # autodiff engine
    Qt, Kt, Vt = autodiff.Tensor(Q), autodiff.Tensor(K), autodiff.Tensor(V)
    S = (Qt @ Kt.T) * (1 / np.sqrt(d_k))
    if masked:
        S = S + np.where(mask, 0.0, -np.inf)
    ((S.softmax(axis=1) @ Vt) * G).sum().backward()
    for a, b in [(G_Q, Qt.grad), (G_K, Kt.grad), (G_V, Vt.grad)]:
        assert np.allclose(a, b, rtol=1e-12, atol=1e-14)


def test_attention_errors_name_both_shapes():
    Q, K, V = np.ones((4, 3)), np.ones((5, 2)), np.ones((5, 6))
    with pytest.raises(ValueError, match=r"Q has shape \(4, 3\) but K has shape \(5, 2\)"):
        att.scaled_dot_product_attention(Q, K, V)
    with pytest.raises(ValueError, match=r"K has shape \(5, 3\) but V has shape \(4, 6\)"):
        att.scaled_dot_product_attention(Q, np.ones((5, 3)), np.ones((4, 6)))
    with pytest.raises(ValueError, match="leading"):
        att.scaled_dot_product_attention(np.ones((2, 4, 3)), np.ones((5, 3)), np.ones((5, 6)))
    with pytest.raises(ValueError, match=r"mask has shape \(3, 3\)"):
        att.scaled_dot_product_attention(Q, np.ones((5, 3)), V, mask=np.ones((3, 3), bool))
    with pytest.raises(TypeError, match="boolean"):
        att.scaled_dot_product_attention(Q, np.ones((5, 3)), V, mask=np.ones((4, 5)))
    with pytest.raises(ValueError, match="no key"):
        att.scaled_dot_product_attention(Q, np.ones((5, 3)), V, mask=np.zeros((4, 5), bool))
    with pytest.raises(ValueError, match="at least 2"):
        att.scaled_dot_product_attention(np.ones(3), np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"G_out has shape \(4, 5\)"):
        att.attention_backward(np.ones((4, 5)), Q, np.ones((5, 3)), V, np.ones((4, 5)) / 5)
    with pytest.raises(ValueError, match=r"weights has shape \(4, 4\)"):
        att.attention_backward(np.ones((4, 6)), Q, np.ones((5, 3)), V, np.ones((4, 4)) / 4)


def test_positional_encoding():
    P = att.sinusoidal_positional_encoding(50, 16)
    assert P.shape == (50, 16) and np.allclose(P[0, 0::2], 0) and np.allclose(P[0, 1::2], 1)
    assert np.isclose(P[7, 2], np.sin(7 * 10000 ** (-2 / 16)))
    assert np.isclose(P[7, 3], np.cos(7 * 10000 ** (-2 / 16)))
    G = P @ P.T                                   # depends only on the offset t - s
    assert np.allclose(np.diag(G, 3), G[3, 0]) and np.allclose(np.diag(G), 8)
    assert att.sinusoidal_positional_encoding(3, 5).shape == (3, 5)
    with pytest.raises(ValueError, match="base"):
        att.sinusoidal_positional_encoding(3, 4, base=1.0)


def loop_mha(layer, X):
    heads = []
    for i in range(layer.n_heads):
        Q, K, V = X @ layer.W_q[i], X @ layer.W_k[i], X @ layer.W_v[i]
        mask = att.causal_mask(len(X)) if layer.causal else None
        heads.append(loop_attention(Q, K, V, mask)[0])
    return np.concatenate(heads, axis=1) @ layer.W_o


@pytest.mark.parametrize("causal", [False, True])
def test_multi_head_forward_matches_heads_one_by_one(causal):
    layer = att.MultiHeadSelfAttention(6, 3, causal=causal, rng=1)
    assert layer.W_q.shape == (3, 6, 2) and layer.W_o.shape == (6, 6) and layer.num_params() == 144
    X = rng.standard_normal((2, 5, 6))
    Y = layer.forward(X)
    assert Y.shape == X.shape and layer.weights.shape == (2, 3, 5, 5)
    for n in range(2):
        assert np.allclose(Y[n], loop_mha(layer, X[n]))
    assert np.allclose(layer.forward(X[1]), Y[1])


@pytest.mark.parametrize("shape", [(4, 6), (2, 4, 6)])
def test_multi_head_backward_finite_differences(shape):
    layer = att.MultiHeadSelfAttention(6, 2, d_k=4, causal=True, rng=2)
    X = rng.standard_normal(shape)
    G = rng.standard_normal(shape)
    layer.forward(X)
    G_X = layer.backward(G)
    grads = [g.copy() for g in layer.grads]
    assert gradcheck.check_gradient(lambda Z: np.sum(G * layer.forward(Z)), G_X, X) < 1e-7
    for p, g in zip(layer.params, grads):
        assert p.shape == g.shape

        def loss(theta, p=p):
            old = p.copy()
            p[...] = theta
            value = np.sum(G * layer.forward(X))
            p[...] = old
            return value
        assert gradcheck.check_gradient(loss, g, p.copy()) < 1e-7


def test_multi_head_errors():
    layer = att.MultiHeadSelfAttention(6, 2)
    with pytest.raises(ValueError, match=r"X has shape \(4, 5\) but the layer expects shape \(\.\.\., T, 6\)"):
        layer.forward(np.ones((4, 5)))
    with pytest.raises(RuntimeError, match="forward before backward"):
        layer.backward(np.ones((4, 6)))
    layer.forward(np.ones((4, 6)))
    with pytest.raises(ValueError, match=r"G_Y has shape \(3, 6\) but the output has shape \(4, 6\)"):
        layer.backward(np.ones((3, 6)))
    with pytest.raises(ValueError, match="divisible"):
        att.MultiHeadSelfAttention(6, 4)
    with pytest.raises(ValueError, match="float32 or float64"):
        att.MultiHeadSelfAttention(6, 2, dtype=int)


def test_multi_head_float32_in_float32_out():
    layer = att.MultiHeadSelfAttention(6, 2, causal=True, rng=3, dtype=np.float32)
    X = rng.standard_normal((2, 4, 6)).astype(np.float32)
    Y = layer.forward(X)
    G_X = layer.backward(np.ones_like(Y))
    assert Y.dtype == np.float32 and G_X.dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads)
    Q = rng.standard_normal((3, 4)).astype(np.float32)
    O, A = att.scaled_dot_product_attention(Q, Q, Q)
    assert O.dtype == np.float32 and A.dtype == np.float32
