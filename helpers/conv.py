"""Convolution layers in numpy: cross-correlation, its gradients, and max pooling.

Shapes are batch-first, as everywhere in the book:

* images ``X``: (N, C, H, W) -- N examples, C channels, H rows, W columns;
* kernels ``K``: (C_out, C_in, kh, kw) -- one (C_in, kh, kw) filter per output channel;
* biases ``b``: (C_out,);
* outputs ``Y``: (N, C_out, H_out, W_out) with ``H_out = output_size(H, kh, padding, stride)``.

What deep-learning libraries call convolution is **cross-correlation** (the kernel is not
flipped)::

    Y[n, o, i, j] = b[o] + sum_{c, a, e} K[o, c, a, e] * Xp[n, c, i*s + a, j*s + e]

where ``Xp`` is ``X`` padded by ``padding`` pixels on every side (with zeros, or by wrapping
around for ``padding_mode="circular"``) and ``s`` is the stride.

Everything is vectorized through :func:`im2col`: it copies every (C_in, kh, kw) patch of the
padded input into one row of a matrix, so that the layer becomes one matrix product of that
(N * H_out * W_out, C_in * kh * kw) matrix with the (C_in * kh * kw, C_out) matrix of the
flattened kernels, a dense layer applied to every patch. :func:`col2im` is its transpose (adjoint):
it adds every row back onto the pixels it came from, which is what the gradient with respect to
the input needs. Float32 inputs stay float32 (the dtype is ``np.result_type`` of the inputs).

Example::

    X = rng.normal(size=(64, 1, 28, 28))
    K = rng.normal(size=(16, 1, 3, 3))
    b = np.zeros(16)
    Y = conv2d(X, K, b, padding=1)                         # (64, 16, 28, 28)
    dX, dK, db = conv2d_backward(np.ones_like(Y), X, K, padding=1)
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .validation import as_array, require_positive_int

__all__ = ["output_size", "pad", "pad_backward", "im2col", "col2im", "conv2d", "conv2d_backward",
           "conv1d", "conv2d_flops", "maxpool2d", "maxpool2d_backward"]

PADDING_MODES = ("zeros", "circular")


# --------------------------------------------------------------------------- argument checks

def _pair(value, name: str, *, allow_zero: bool) -> tuple[int, int]:
    """``value`` (an int or a pair of ints) as a pair (for rows, columns), checked."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    low = 0 if allow_zero else 1
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < low
                             for v in pair):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {kind} integer or a pair of them (rows, columns), "
                         f"got {value!r}")
    return int(pair[0]), int(pair[1])


def _mode(padding_mode) -> str:
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")
    return padding_mode


def _float_array(x, name: str, ndim: int) -> np.ndarray:
    """``x`` as a float array with ``ndim`` axes (float32 stays float32; integers become float64)."""
    arr = as_array(x, name, ndim=ndim, dtype=None)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return arr


def _check_images(X, name: str = "X") -> np.ndarray:
    shape = np.shape(X)
    if len(shape) != 4:
        raise ValueError(f"{name} must be a batch of images of shape (N, C, H, W), got shape {shape}"
                         + (" (a single image? use X[None, None] for (H, W) or X[None] for "
                            "(C, H, W))" if len(shape) in (2, 3) else ""))
    return _float_array(X, name, ndim=4)


def _check_kernel(K, X: np.ndarray) -> np.ndarray:
    shape = np.shape(K)
    if len(shape) != 4:
        raise ValueError(f"K must be a kernel of shape (C_out, C_in, kh, kw), got shape {shape}")
    K = _float_array(K, "K", ndim=4)
    if K.shape[1] != X.shape[1]:
        raise ValueError(f"X has shape {X.shape} but K has shape {K.shape}: X's channels "
                         f"({X.shape[1]}) must equal K's input channels (axis 1, {K.shape[1]})")
    if min(K.shape) == 0:
        raise ValueError(f"K must not be empty, got shape {K.shape}")
    return K


def output_size(n: int, k: int, padding: int = 0, stride: int = 1) -> int:
    """Length of a convolution's output along one axis: ``floor((n + 2 p - k) / s) + 1``.

    Parameters
    ----------
    n : int >= 1, the input length;  k : int >= 1, the kernel length;
    padding : int >= 0, pixels added on each side;  stride : int >= 1.

    Raises
    ------
    ValueError
        If an argument is out of range, or the kernel is longer than the padded input
        (``k > n + 2 p``), so that not even one window fits.
    """
    n = require_positive_int(n, "n")
    k = require_positive_int(k, "k")
    stride = require_positive_int(stride, "stride")
    p, _ = _pair(padding, "padding", allow_zero=True)
    if k > n + 2 * p:
        raise ValueError(f"the kernel (length {k}) is longer than the padded input (length {n} + "
                         f"2 * {p} = {n + 2 * p}): no window fits")
    return (n + 2 * p - k) // stride + 1


# --------------------------------------------------------------------------- padding

def pad(X, padding=0, padding_mode: str = "zeros") -> np.ndarray:
    """Pad the last two axes of ``X`` (any shape (..., H, W)) by ``padding`` on every side.

    ``padding`` is an int or a pair (rows, columns). ``"zeros"`` adds zeros; ``"circular"`` wraps
    around (row -1 is row H - 1), which makes the image a torus. Returns (..., H + 2 ph, W + 2 pw).
    """
    ph, pw = _pair(padding, "padding", allow_zero=True)
    mode = _mode(padding_mode)
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"X must have at least 2 axes (..., H, W), got shape {X.shape}")
    if mode == "circular" and (ph > X.shape[-2] or pw > X.shape[-1]):
        raise ValueError(f"circular padding ({ph}, {pw}) must not exceed the image size "
                         f"{X.shape[-2:]}")
    if ph == pw == 0:
        return X
    widths = [(0, 0)] * (X.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(X, widths, mode="constant" if mode == "zeros" else "wrap")


def pad_backward(dXp, padding=0, padding_mode: str = "zeros") -> np.ndarray:
    """The transpose of :func:`pad`: the gradient with respect to the unpadded input.

    ``dXp`` has shape (..., H + 2 ph, W + 2 pw); returns (..., H, W). For zero padding this crops
    the border; for circular padding every border pixel is a copy of an inner one, so its gradient
    is added onto that pixel.
    """
    ph, pw = _pair(padding, "padding", allow_zero=True)
    mode = _mode(padding_mode)
    dXp = np.asarray(dXp)
    H, W = dXp.shape[-2] - 2 * ph, dXp.shape[-1] - 2 * pw
    if H < 1 or W < 1:
        raise ValueError(f"dXp of shape {dXp.shape} is too small for padding ({ph}, {pw})")
    if mode == "zeros":
        return dXp[..., ph:ph + H, pw:pw + W]
    dX = np.zeros(dXp.shape[:-2] + (H, dXp.shape[-1]), dtype=dXp.dtype)
    rows = (np.arange(dXp.shape[-2]) - ph) % H          # padded row r is a copy of row rows[r]
    for r, source in enumerate(rows):
        dX[..., source, :] += dXp[..., r, :]
    out = np.zeros(dXp.shape[:-2] + (H, W), dtype=dXp.dtype)
    cols = (np.arange(dXp.shape[-1]) - pw) % W
    for c, source in enumerate(cols):
        out[..., source] += dX[..., c]
    return out


# --------------------------------------------------------------------------- im2col / col2im

def _geometry(X_shape, kh, kw, stride, padding):
    (ph, pw), (sh, sw) = padding, stride
    N, C, H, W = X_shape
    if kh > H + 2 * ph or kw > W + 2 * pw:
        raise ValueError(f"the kernel ({kh} x {kw}) is larger than the padded input "
                         f"({H + 2 * ph} x {W + 2 * pw}, from images of shape {X_shape} and "
                         f"padding ({ph}, {pw})): no window fits")
    return (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1


def im2col(X, kh: int, kw: int, *, stride=1, padding=0, padding_mode: str = "zeros") -> np.ndarray:
    """Every (C, kh, kw) patch of the padded images as one row of a matrix.

    Parameters
    ----------
    X : array (N, C, H, W)
    kh, kw : int, the patch (kernel) size
    stride, padding : int or pair (rows, columns)
    padding_mode : "zeros" or "circular"

    Returns
    -------
    ndarray (N * H_out * W_out, C * kh * kw)
        Row ``(n * H_out + i) * W_out + j`` is the patch whose top-left corner is at
        ``(i * s, j * s)`` of image ``n`` of the padded input, flattened in the order
        (channel, row, column) -- the order of ``K[o].ravel()``. So
        ``im2col(X, ...) @ K.reshape(C_out, -1).T`` holds every output of the layer.
    """
    X = _check_images(X)
    kh, kw = require_positive_int(kh, "kh"), require_positive_int(kw, "kw")
    stride = _pair(stride, "stride", allow_zero=False)
    padding = _pair(padding, "padding", allow_zero=True)
    Ho, Wo = _geometry(X.shape, kh, kw, stride, padding)
    Xp = pad(X, padding, padding_mode)
    windows = sliding_window_view(Xp, (kh, kw), axis=(2, 3))     # (N, C, Hp-kh+1, Wp-kw+1, kh, kw), a view
    windows = windows[:, :, ::stride[0], ::stride[1]][:, :, :Ho, :Wo]
    N, C = X.shape[:2]
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * kh * kw)   # one copy


def col2im(cols, X_shape, kh: int, kw: int, *, stride=1, padding=0,
           padding_mode: str = "zeros") -> np.ndarray:
    """The transpose of :func:`im2col`: add every row back onto the pixels its patch came from.

    Parameters
    ----------
    cols : array (N * H_out * W_out, C * kh * kw), laid out as :func:`im2col` returns it
    X_shape : tuple (N, C, H, W), the shape of the images
    kh, kw, stride, padding, padding_mode : as in :func:`im2col`

    Returns
    -------
    ndarray (N, C, H, W)
        ``col2im(G, ...)`` is the gradient with respect to ``X`` of ``sum(G * im2col(X, ...))``; a
        pixel that lies in several patches receives the sum of their entries. (It is the adjoint:
        ``sum(im2col(X) * G) == sum(X * col2im(G))`` for all X and G.)
    """
    if len(tuple(X_shape)) != 4:
        raise ValueError(f"X_shape must be (N, C, H, W), got {tuple(X_shape)}")
    N, C, H, W = (require_positive_int(v, "X_shape entries") for v in X_shape)
    kh, kw = require_positive_int(kh, "kh"), require_positive_int(kw, "kw")
    stride = _pair(stride, "stride", allow_zero=False)
    padding = _pair(padding, "padding", allow_zero=True)
    Ho, Wo = _geometry((N, C, H, W), kh, kw, stride, padding)
    cols = _float_array(cols, "cols", ndim=2)
    if cols.shape != (N * Ho * Wo, C * kh * kw):
        raise ValueError(f"cols has shape {cols.shape} but images of shape {(N, C, H, W)} with a "
                         f"{kh} x {kw} kernel, stride {stride} and padding {padding} give "
                         f"im2col shape {(N * Ho * Wo, C * kh * kw)}")
    (ph, pw), (sh, sw) = padding, stride
    patches = cols.reshape(N, Ho, Wo, C, kh, kw).transpose(0, 3, 4, 5, 1, 2)   # (N, C, kh, kw, Ho, Wo)
    dXp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for a in range(kh):                   # kh * kw strided additions, each over the whole batch
        for e in range(kw):
            dXp[:, :, a:a + sh * (Ho - 1) + 1:sh, e:e + sw * (Wo - 1) + 1:sw] += patches[:, :, a, e]
    return pad_backward(dXp, padding, padding_mode)


# --------------------------------------------------------------------------- the layer

def conv2d(X, K, b=None, *, stride=1, padding=0, padding_mode: str = "zeros") -> np.ndarray:
    """A 2-D convolution layer (cross-correlation, as in every deep-learning library).

    ``Y[n, o, i, j] = b[o] + sum_{c, a, e} K[o, c, a, e] * Xp[n, c, i*s + a, j*s + e]``, with ``Xp``
    the padded input, computed as one matrix product ``im2col(X) @ K.reshape(C_out, -1).T``.

    Parameters
    ----------
    X : array (N, C_in, H, W)
    K : array (C_out, C_in, kh, kw)
    b : array (C_out,) or None (no bias)
    stride : int or pair (rows, columns), >= 1
    padding : int or pair, >= 0 (pixels added on each side)
    padding_mode : "zeros" (default) or "circular" (wrap around)

    Returns
    -------
    ndarray (N, C_out, H_out, W_out), ``H_out = output_size(H, kh, ph, sh)`` (and so for W).

    Raises
    ------
    ValueError
        Wrong ranks, channels of X and K that differ, a bias that is not (C_out,), a kernel larger
        than the padded input (the message names the shapes).
    """
    X = _check_images(X)
    K = _check_kernel(K, X)
    C_out, C_in, kh, kw = K.shape
    cols = im2col(X, kh, kw, stride=stride, padding=padding, padding_mode=padding_mode)
    Y = cols @ K.reshape(C_out, -1).T                                 # (N * Ho * Wo, C_out)
    if b is not None:
        if np.shape(b) != (C_out,):
            raise ValueError(f"b has shape {np.shape(b)} but K has shape {K.shape}: the bias needs "
                             f"one entry per output channel, shape ({C_out},)")
        Y = Y + _float_array(b, "b", ndim=1)
    Ho, Wo = _geometry(X.shape, kh, kw, _pair(stride, "stride", allow_zero=False),
                       _pair(padding, "padding", allow_zero=True))
    return np.ascontiguousarray(Y.reshape(X.shape[0], Ho, Wo, C_out).transpose(0, 3, 1, 2))


def conv2d_backward(dY, X, K, *, stride=1, padding=0, padding_mode: str = "zeros"):
    """Gradients of a loss with respect to the input, kernel and bias of :func:`conv2d`.

    Parameters
    ----------
    dY : array (N, C_out, H_out, W_out), the gradient of the loss with respect to the output
    X, K, stride, padding, padding_mode : exactly as given to :func:`conv2d`

    Returns
    -------
    dX : ndarray (N, C_in, H, W)
        ``col2im(dY_rows @ K_mat)``: for stride 1 and no padding, a *full* correlation of dY with
        the flipped kernel (the transposed Toeplitz matrix applied to dY).
    dK : ndarray (C_out, C_in, kh, kw)
        ``dY_rows^T @ im2col(X)``: the correlation of the input with dY, summed over the batch.
    db : ndarray (C_out,)
        ``dY`` summed over the batch and all positions.

    (``dY_rows`` is dY as an (N * H_out * W_out, C_out) matrix and ``K_mat`` is
    ``K.reshape(C_out, -1)``.)

    Raises
    ------
    ValueError
        If dY does not have the shape of the layer's output (both shapes are named).
    """
    X = _check_images(X)
    K = _check_kernel(K, X)
    C_out, C_in, kh, kw = K.shape
    stride_ = _pair(stride, "stride", allow_zero=False)
    padding_ = _pair(padding, "padding", allow_zero=True)
    Ho, Wo = _geometry(X.shape, kh, kw, stride_, padding_)
    N = X.shape[0]
    if np.shape(dY) != (N, C_out, Ho, Wo):
        raise ValueError(f"dY has shape {np.shape(dY)} but conv2d of X {X.shape} with K {K.shape}, "
                         f"stride {stride_} and padding {padding_} outputs shape {(N, C_out, Ho, Wo)}")
    dY = _float_array(dY, "dY", ndim=4)
    dY_rows = dY.transpose(0, 2, 3, 1).reshape(N * Ho * Wo, C_out)
    cols = im2col(X, kh, kw, stride=stride, padding=padding, padding_mode=padding_mode)
    dK = (dY_rows.T @ cols).reshape(K.shape)
    db = dY_rows.sum(axis=0)
    dX = col2im(dY_rows @ K.reshape(C_out, -1), X.shape, kh, kw, stride=stride, padding=padding,
                padding_mode=padding_mode)
    return dX, dK, db


def conv2d_flops(X_shape, K_shape, *, stride=1, padding=0) -> int:
    """FLOPs of :func:`conv2d`'s matrix product: ``2 * N * H_out * W_out * C_in * kh * kw * C_out``
    (a multiplication and an addition per weight and output position; the bias is not counted).

    ``X_shape`` is (N, C_in, H, W) and ``K_shape`` (C_out, C_in, kh, kw).
    """
    X_shape, K_shape = tuple(X_shape), tuple(K_shape)
    if len(X_shape) != 4 or len(K_shape) != 4:
        raise ValueError(f"X_shape must be (N, C, H, W) and K_shape (C_out, C_in, kh, kw), got "
                         f"{X_shape} and {K_shape}")
    if X_shape[1] != K_shape[1]:
        raise ValueError(f"X has shape {X_shape} but K has shape {K_shape}: X's channels "
                         f"({X_shape[1]}) must equal K's input channels ({K_shape[1]})")
    N, C_in, H, W = X_shape
    C_out, _, kh, kw = K_shape
    ph, pw = _pair(padding, "padding", allow_zero=True)
    sh, sw = _pair(stride, "stride", allow_zero=False)
    Ho, Wo = output_size(H, kh, ph, sh), output_size(W, kw, pw, sw)
    return 2 * N * Ho * Wo * C_in * kh * kw * C_out


def conv1d(x, w, b=None, *, stride: int = 1, padding: int = 0,
           padding_mode: str = "zeros") -> np.ndarray:
    """1-D convolution (cross-correlation): ``y[i] = sum_a w[a] * xp[i*s + a]`` (+ b).

    Two forms:

    * a single signal ``x`` (L,) and kernel ``w`` (k,): returns (L_out,), ``b`` a number or None;
    * a batch ``x`` (N, C_in, L) and kernels ``w`` (C_out, C_in, k): returns (N, C_out, L_out),
      ``b`` (C_out,) or None.

    ``L_out = output_size(L, k, padding, stride)``. Computed by :func:`conv2d` on images of one row.
    """
    x_shape, w_shape = np.shape(x), np.shape(w)
    if len(x_shape) == 1 and len(w_shape) == 1:
        bias = None if b is None else np.reshape(as_array(b, "b", ndim=0), (1,))
        y = conv2d(np.reshape(x, (1, 1, 1, -1)), np.reshape(w, (1, 1, 1, -1)), bias,
                   stride=(1, stride), padding=(0, padding), padding_mode=padding_mode)
        return y[0, 0, 0]
    if len(x_shape) == 3 and len(w_shape) == 3:
        if x_shape[1] != w_shape[1]:
            raise ValueError(f"x has shape {x_shape} but w has shape {w_shape}: x's channels "
                             f"({x_shape[1]}) must equal w's input channels ({w_shape[1]})")
        y = conv2d(np.asarray(x)[:, :, None, :], np.asarray(w)[:, :, None, :], b,
                   stride=(1, stride), padding=(0, padding), padding_mode=padding_mode)
        return y[:, :, 0]
    raise ValueError(f"conv1d takes x (L,) with w (k,), or x (N, C_in, L) with w (C_out, C_in, k); "
                     f"got x of shape {x_shape} and w of shape {w_shape}")


# --------------------------------------------------------------------------- max pooling

def _pool_args(X, size, stride):
    X = _check_images(X)
    size = _pair(size, "size", allow_zero=False)
    stride = size if stride is None else _pair(stride, "stride", allow_zero=False)
    Ho, Wo = _geometry(X.shape, size[0], size[1], stride, (0, 0))
    return X, size, stride, Ho, Wo


def _window_entries(X, size, stride, Ho, Wo):
    """For each offset (a, e) inside the window, in row-major order: the (N, C, Ho, Wo) array of
    the entries at that offset of every window (a strided view, no copy)."""
    for a in range(size[0]):
        for e in range(size[1]):
            yield a, e, X[:, :, a:a + stride[0] * (Ho - 1) + 1:stride[0],
                          e:e + stride[1] * (Wo - 1) + 1:stride[1]]


def maxpool2d(X, size=2, stride=None) -> np.ndarray:
    """Max pooling: the largest entry of every ``size`` window, per image and channel.

    Parameters
    ----------
    X : array (N, C, H, W)
    size : int or pair, the window;  stride : int or pair, by default equal to ``size``
        (non-overlapping windows). Rows and columns that do not fill a window are dropped.

    Returns
    -------
    ndarray (N, C, H_out, W_out) with ``H_out = output_size(H, size, 0, stride)``.
    """
    X, size, stride, Ho, Wo = _pool_args(X, size, stride)
    Y = None
    for _, _, entries in _window_entries(X, size, stride, Ho, Wo):
        Y = entries.copy() if Y is None else np.maximum(Y, entries, out=Y)
    return Y


def maxpool2d_backward(dY, X, size=2, stride=None) -> np.ndarray:
    """Gradient of :func:`maxpool2d` with respect to its input.

    Each window passes its entry of ``dY`` (N, C, H_out, W_out) to the position of its maximum (the
    first one, in row-major order, if there is a tie) and 0 to the others; where windows overlap,
    a pixel receives the sum. Returns an array of the shape of ``X`` (N, C, H, W).
    """
    X, size, stride, Ho, Wo = _pool_args(X, size, stride)
    if np.shape(dY) != X.shape[:2] + (Ho, Wo):
        raise ValueError(f"dY has shape {np.shape(dY)} but maxpool2d of X {X.shape} with size "
                         f"{size} and stride {stride} outputs shape {X.shape[:2] + (Ho, Wo)}")
    dY = _float_array(dY, "dY", ndim=4)
    Y = maxpool2d(X, size, stride)
    dX = np.zeros(X.shape, dtype=np.result_type(X.dtype, dY.dtype))
    unclaimed = np.ones(Y.shape, dtype=bool)         # windows whose maximum is not yet found
    # Visit the offsets of the window in row-major order: the first entry equal to the window's
    # maximum gets dY; each offset is one strided view of X and the same view of dX (no copies).
    for (_, _, entries), (_, _, target) in zip(_window_entries(X, size, stride, Ho, Wo),
                                               _window_entries(dX, size, stride, Ho, Wo)):
        first = (entries == Y) & unclaimed
        unclaimed &= ~first
        target += np.where(first, dY, 0)
    return dX
