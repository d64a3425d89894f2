"""Tests of helpers/conv.py: against a loop over the definition, finite differences, the adjoint
identity of im2col / col2im, and the bad-input paths."""

import numpy as np
import pytest

from helpers import conv
from helpers.gradcheck import numerical_gradient


def conv2d_loop(X, K, b, stride, padding, mode="zeros"):
    """The definition, one output entry at a time (padding by hand, not with conv.pad)."""
    N, C, H, W = X.shape
    O, _, kh, kw = K.shape
    p, s = padding, stride
    if mode == "zeros":
        Xp = np.zeros((N, C, H + 2 * p, W + 2 * p))
        Xp[:, :, p:p + H, p:p + W] = X
    else:
        rows = (np.arange(H + 2 * p) - p) % H
        cols = (np.arange(W + 2 * p) - p) % W
        Xp = X[:, :, rows][:, :, :, cols]
    Ho, Wo = (H + 2 * p - kh) // s + 1, (W + 2 * p - kw) // s + 1
    Y = np.zeros((N, O, Ho, Wo))
    for n in range(N):
        for o in range(O):
            for i in range(Ho):
                for j in range(Wo):
                    Y[n, o, i, j] = b[o] + np.sum(K[o] * Xp[n, :, i * s:i * s + kh, j * s:j * s + kw])
    return Y


def random_case(rng, circular=False):
    N, C, O = (int(v) for v in rng.integers(1, 4, size=3))
    H, W = (int(v) for v in rng.integers(3, 9, size=2))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    s, p = int(rng.integers(1, 4)), int(rng.integers(0, 3))
    if circular:
        kh = kw = 2 * int(rng.integers(0, 2)) + 1
    return (rng.normal(size=(N, C, H, W)), rng.normal(size=(O, C, kh, kw)), rng.normal(size=O), s, p)


@pytest.mark.parametrize("mode", ["zeros", "circular"])
def test_conv2d_matches_the_definition(mode):
    rng = np.random.default_rng(1)
    for _ in range(25):
        X, K, b, s, p = random_case(rng, circular=mode == "circular")
        Y = conv.conv2d(X, K, b, stride=s, padding=p, padding_mode=mode)
        assert Y.shape[2:] == (conv.output_size(X.shape[2], K.shape[2], p, s),
                               conv.output_size(X.shape[3], K.shape[3], p, s))
        np.testing.assert_allclose(Y, conv2d_loop(X, K, b, s, p, mode), rtol=1e-12, atol=1e-12)


def test_output_size_formula_by_counting_windows():
    for n in range(1, 12):
        for k in range(1, 6):
            for p in range(3):
                for s in range(1, 4):
                    fits = [i for i in range(0, n + 2 * p) if i + k <= n + 2 * p and i % s == 0]
                    if k > n + 2 * p:
                        with pytest.raises(ValueError, match="no window fits"):
                            conv.output_size(n, k, p, s)
                    else:
                        assert conv.output_size(n, k, p, s) == len(fits)


@pytest.mark.parametrize("mode", ["zeros", "circular"])
def test_conv2d_backward_matches_finite_differences(mode):
    rng = np.random.default_rng(2)
    for _ in range(8):
        X, K, b, s, p = random_case(rng, circular=mode == "circular")
        kw = dict(stride=s, padding=p, padding_mode=mode)
        G = rng.normal(size=conv.conv2d(X, K, b, **kw).shape)
        dX, dK, db = conv.conv2d_backward(G, X, K, **kw)
        np.testing.assert_allclose(dX, numerical_gradient(lambda Z: np.sum(G * conv.conv2d(Z, K, b, **kw)), X),
                                   atol=1e-6)
        np.testing.assert_allclose(dK, numerical_gradient(lambda Z: np.sum(G * conv.conv2d(X, Z, b, **kw)), K),
                                   atol=1e-6)
        np.testing.assert_allclose(db, numerical_gradient(lambda Z: np.sum(G * conv.conv2d(X, K, Z, **kw)), b),
                                   atol=1e-6)


def test_input_gradient_is_full_correlation_with_flipped_kernel():
    rng = np.random.default_rng(3)
    X, K = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 2))
    G = rng.normal(size=conv.conv2d(X, K).shape)
    dX, _, _ = conv.conv2d_backward(G, X, K)
    flipped = K[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)          # (C_in, C_out, kh, kw)
    full = conv.conv2d(G, flipped, padding=(2, 1))
    np.testing.assert_allclose(dX, full, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["zeros", "circular"])
def test_col2im_is_the_adjoint_of_im2col(mode):
    rng = np.random.default_rng(4)
    for _ in range(10):
        X, K, _, s, p = random_case(rng, circular=mode == "circular")
        kh, kw = K.shape[2:]
        cols = conv.im2col(X, kh, kw, stride=s, padding=p, padding_mode=mode)
        G = rng.normal(size=cols.shape)
        back = conv.col2im(G, X.shape, kh, kw, stride=s, padding=p, padding_mode=mode)
        assert back.shape == X.shape
        assert np.isclose(np.sum(cols * G), np.sum(X * back), rtol=1e-12)


def test_pad_backward_is_the_adjoint_of_pad():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(2, 4, 5))
    for mode in ("zeros", "circular"):
        Xp = conv.pad(X, (2, 1), mode)
        G = rng.normal(size=Xp.shape)
        assert np.isclose(np.sum(Xp * G), np.sum(X * conv.pad_backward(G, (2, 1), mode)))
    assert np.array_equal(conv.pad(X, 1, "circular")[:, 0, 1:-1], X[:, -1])


def test_conv1d_both_forms():
    rng = np.random.default_rng(6)
    x, w = rng.normal(size=10), rng.normal(size=3)
    # np.correlate is an independent cross-correlation ("valid" mode: no padding)
    np.testing.assert_allclose(conv.conv1d(x, w), np.correlate(x, w, mode="valid"), rtol=1e-12)
    np.testing.assert_allclose(conv.conv1d(x, w, padding=2), np.correlate(x, w, mode="full"), rtol=1e-12)
    np.testing.assert_allclose(conv.conv1d(x, w, 0.5, stride=2), np.correlate(x, w, "valid")[::2] + 0.5,
                               rtol=1e-12)
    xb, wb = rng.normal(size=(2, 3, 9)), rng.normal(size=(4, 3, 2))
    yb = conv.conv1d(xb, wb, np.zeros(4))
    assert yb.shape == (2, 4, 8)
    expected = sum(np.correlate(xb[1, c], wb[2, c], "valid") for c in range(3))
    np.testing.assert_allclose(yb[1, 2], expected, rtol=1e-12)


def test_maxpool_forward_and_backward():
    rng = np.random.default_rng(7)
    for size, stride in [(2, None), (3, 2), (2, 1), (3, 3)]:
        X = rng.normal(size=(2, 3, 7, 8))
        Y = conv.maxpool2d(X, size, stride)
        s = size if stride is None else stride
        for i in range(Y.shape[2]):
            for j in range(Y.shape[3]):
                assert np.array_equal(Y[:, :, i, j], X[:, :, i * s:i * s + size, j * s:j * s + size].max(axis=(2, 3)))
        G = rng.normal(size=Y.shape)
        num = numerical_gradient(lambda Z: np.sum(G * conv.maxpool2d(Z, size, stride)), X)
        np.testing.assert_allclose(conv.maxpool2d_backward(G, X, size, stride), num, atol=1e-6)


def test_maxpool_backward_matches_a_loop_with_ties():
    """Small integers (and a ReLU's zeros) make ties common: each window sends dY to its first
    maximum in row-major order; overlapping windows add up."""
    rng = np.random.default_rng(8)
    for size, stride in [(2, None), (3, 2), (2, 1), (3, 3), ((2, 3), (1, 2))]:
        X = np.maximum(rng.integers(-2, 3, size=(2, 3, 7, 8)), 0).astype(float)
        sh, sw = (size, size) if isinstance(size, int) else size
        th, tw = (sh, sw) if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
        Y = conv.maxpool2d(X, size, stride)
        G = rng.normal(size=Y.shape)
        expected = np.zeros_like(X)
        for n, c, i, j in np.ndindex(*Y.shape):
            window = X[n, c, i * th:i * th + sh, j * tw:j * tw + sw]
            a, e = np.unravel_index(np.argmax(window), window.shape)   # argmax: the first maximum
            expected[n, c, i * th + a, j * tw + e] += G[n, c, i, j]
        np.testing.assert_allclose(conv.maxpool2d_backward(G, X, size, stride), expected,
                                   rtol=1e-12, atol=1e-12)     # overlapping windows: sums in another order


def test_maxpool_tie_goes_to_the_first_maximum():
    X = np.ones((1, 1, 2, 2))
    dX = conv.maxpool2d_backward(np.array([[[[5.0]]]]), X)
    assert np.array_equal(dX, [[[[5.0, 0.0], [0.0, 0.0]]]])


def test_float32_stays_float32_and_flops():
    X = np.ones((4, 1, 6, 6), dtype=np.float32)
    K = np.ones((2, 1, 3, 3), dtype=np.float32)
    Y = conv.conv2d(X, K, np.zeros(2, dtype=np.float32), padding=1)
    assert Y.dtype == np.float32 and Y.flags["C_CONTIGUOUS"]
    assert Y[0, 0, 2, 2] == 9 and Y[0, 0, 0, 0] == 4            # interior and corner (zero padding)
    dX, dK, db = conv.conv2d_backward(np.ones_like(Y), X, K, padding=1)
    assert dX.dtype == dK.dtype == np.float32
    assert conv.conv2d_flops((64, 1, 28, 28), (16, 1, 3, 3), padding=1) == 2 * 64 * 28 * 28 * 9 * 16


def test_bad_inputs_name_both_shapes():
    X = np.zeros((2, 3, 8, 8))
    with pytest.raises(ValueError, match=r"\(2, 3, 8, 8\).*\(4, 1, 3, 3\)"):
        conv.conv2d(X, np.zeros((4, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"single image"):
        conv.conv2d(np.zeros((8, 8)), np.zeros((4, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"\(5,\).*\(4, 3, 3, 3\)"):
        conv.conv2d(X, np.zeros((4, 3, 3, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="no window fits"):
        conv.conv2d(X, np.zeros((4, 3, 9, 9)))
    with pytest.raises(ValueError, match=r"dY has shape \(2, 4, 8, 8\).*\(2, 4, 6, 6\)"):
        conv.conv2d_backward(np.zeros((2, 4, 8, 8)), X, np.zeros((4, 3, 3, 3)))
    with pytest.raises(ValueError, match="stride"):
        conv.conv2d(X, np.zeros((4, 3, 3, 3)), stride=0)
    with pytest.raises(ValueError, match="padding"):
        conv.conv2d(X, np.zeros((4, 3, 3, 3)), padding=-1)
    with pytest.raises(ValueError, match="padding_mode"):
        conv.conv2d(X, np.zeros((4, 3, 3, 3)), padding=1, padding_mode="reflect")
    with pytest.raises(TypeError):
        conv.conv2d(np.full((1, 1, 3, 3), "a"), np.zeros((1, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"cols has shape"):
        conv.col2im(np.zeros((5, 27)), (2, 3, 8, 8), 3, 3)
    with pytest.raises(ValueError, match=r"x has shape \(2, 3, 9\).*\(4, 2, 3\)"):
        conv.conv1d(np.zeros((2, 3, 9)), np.zeros((4, 2, 3)))
    with pytest.raises(ValueError, match=r"dY has shape"):
        conv.maxpool2d_backward(np.zeros((2, 3, 3, 3)), X)
