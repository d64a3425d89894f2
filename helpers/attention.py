"""Attention: scaled dot-product attention, its backward pass, and multi-head self-attention.

A sequence of ``T`` tokens with ``d`` features each is stored with one token per ROW: ``X`` has
shape (T, d), and a batch of ``N`` sequences has shape (N, T, d). Queries, keys and values are
linear maps of the tokens in the book's convention ``Q = X @ W_q`` with ``W_q`` of shape
(d, d_k). Attention compares every query with every key,

    S = scale * Q K^T            (T_q, T_k)   scores, scale = 1 / sqrt(d_k) by default
    A = softmax(S) row by row    (T_q, T_k)   weights: each row is >= 0 and sums to 1
    O = A V                      (T_q, d_v)   each output row is a weighted average of the values

A boolean ``mask`` (True where a query may look at a key) sets the scores it forbids to ``-inf``
before the softmax, so their weights are exactly 0; :func:`causal_mask` forbids looking ahead.
:func:`attention_backward` applies the chain rule through these three lines, and
:class:`MultiHeadSelfAttention` is a layer with the interface of :mod:`helpers.nn` (``forward``,
``backward``, ``params``, ``grads``). Every function accepts any number of leading batch axes
(``...``): (T, d), (N, T, d) and (N, h, T, d) all work.

Example::

    X = rng.standard_normal((5, 8))                      # 5 tokens, 8 features
    mha = MultiHeadSelfAttention(8, n_heads=2, causal=True, rng=0)
    Y = mha.forward(X)                                   # (5, 8)
    G_X = mha.backward(np.ones_like(Y))                  # (5, 8); mha.grads now filled
"""

from __future__ import annotations

import numpy as np

from . import losses
from .validation import as_array, as_generator, require_positive_int

__all__ = ["softmax", "softmax_backward", "causal_mask", "scaled_dot_product_attention",
           "attention_backward", "MultiHeadSelfAttention", "sinusoidal_positional_encoding"]


def _float_array(x, name: str, min_ndim: int = 1) -> np.ndarray:
    """``x`` as a float array (float32 stays float32, anything else becomes float64)."""
    arr = as_array(x, name, dtype=None)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {arr.shape}")
    return arr


def softmax(S, axis: int = -1) -> np.ndarray:
    """``exp(S) / sum(exp(S))`` along ``axis``, computed stably (the maximum is subtracted first).

    This is :func:`helpers.losses.softmax`. Entries of ``-inf`` get weight exactly 0; a slice that
    is entirely ``-inf`` (a query allowed to look at nothing) raises ``ValueError``.

    Parameters
    ----------
    S : array_like of any shape (typically scores (..., T_q, T_k))
    axis : int

    Returns
    -------
    ndarray of the same shape, entries in [0, 1] summing to 1 along ``axis``.
    """
    return losses.softmax(S, axis=axis)


def softmax_backward(G_P, P, axis: int = -1) -> np.ndarray:
    """Gradient with respect to the scores, given ``G_P`` (gradient w.r.t. ``P = softmax(S)``).

    The softmax's Jacobian along ``axis`` is ``diag(p) - p p^T`` (symmetric), so
    ``G_S = P * (G_P - sum(G_P * P, axis))``.

    Parameters
    ----------
    G_P, P : array_like of the same shape (..., K)

    Returns
    -------
    ndarray, the same shape: the gradient with respect to the scores ``S``.
    """
    P = _float_array(P, "P")
    G_P = _float_array(G_P, "G_P")
    if G_P.shape != P.shape:
        raise ValueError(f"G_P has shape {G_P.shape} but P has shape {P.shape}; they must be equal")
    return P * (G_P - np.sum(G_P * P, axis=axis, keepdims=True))


def causal_mask(T: int) -> np.ndarray:
    """The (T, T) boolean mask of causal attention: entry (t, s) is True when ``s <= t``.

    Query ``t`` may look at keys ``0 .. t`` (itself and the past) and never at a later one.
    """
    T = require_positive_int(T, "T")
    return np.tril(np.ones((T, T), dtype=bool))


def _check_qkv(Q, K, V):
    Q = _float_array(Q, "Q", 2)
    K = _float_array(K, "K", 2)
    V = _float_array(V, "V", 2)
    if Q.shape[:-2] != K.shape[:-2] or K.shape[:-2] != V.shape[:-2]:
        raise ValueError(f"Q has shape {Q.shape}, K has shape {K.shape} and V has shape {V.shape}: "
                         "their leading (batch) axes must be equal")
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"Q has shape {Q.shape} but K has shape {K.shape}: queries and keys must "
                         "have the same last dimension d_k")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(f"K has shape {K.shape} but V has shape {V.shape}: there must be one value "
                         "per key (the same number of rows T_k)")
    return Q, K, V


def _scale(scale, d_k: int) -> float:
    if scale is None:
        return float(1.0 / np.sqrt(d_k))          # a Python float, so float32 inputs stay float32
    scale = float(scale)
    if not np.isfinite(scale):
        raise ValueError(f"scale must be a finite number, got {scale!r}")
    return scale


def scaled_dot_product_attention(Q, K, V, mask=None, scale=None):
    """Attention ``softmax(scale * Q K^T) V`` with an optional boolean mask.

    Parameters
    ----------
    Q : array_like (..., T_q, d_k)    queries, one per row
    K : array_like (..., T_k, d_k)    keys, one per row
    V : array_like (..., T_k, d_v)    values, one per key
    mask : array_like of bool, broadcastable to (..., T_q, T_k), optional
        True where query t may attend to key s; forbidden scores become ``-inf`` (weight 0).
        Every query must be allowed at least one key.
    scale : float, optional
        Multiplies the scores; ``1 / sqrt(d_k)`` by default (an inverse temperature).

    Returns
    -------
    out : ndarray (..., T_q, d_v)     each row a weighted average of the rows of V
    weights : ndarray (..., T_q, T_k) the attention weights; each row sums to 1
    """
    Q, K, V = _check_qkv(Q, K, V)
    c = _scale(scale, Q.shape[-1])
    S = c * (Q @ np.swapaxes(K, -1, -2))
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(f"mask must be a boolean array (True = may attend), got dtype {mask.dtype}")
        try:
            allowed = np.broadcast_to(mask, S.shape)
        except ValueError:
            raise ValueError(f"mask has shape {mask.shape} but the scores Q K^T have shape {S.shape}: "
                             "the mask must broadcast to (..., T_q, T_k)") from None
        if not allowed.any(axis=-1).all():
            raise ValueError("the mask leaves some query with no key to attend to (a row that is "
                             "all False)")
        S = np.where(allowed, S, -np.inf)
    A = softmax(S, axis=-1).astype(np.result_type(Q, K, V), copy=False)
    return A @ V, A


def attention_backward(G_out, Q, K, V, weights, scale=None):
    """Gradients of a loss with respect to Q, K and V, given its gradient ``G_out`` w.r.t. the output.

    With ``S = scale * Q K^T``, ``A = softmax(S)`` (row by row, masked entries 0) and ``O = A V``:

        G_V = A^T G_O,   G_A = G_O V^T,   G_S = A * (G_A - rowsum(G_A * A)),
        G_Q = scale * G_S K,   G_K = scale * G_S^T Q.

    Masked entries need no special care: their weight is 0, so their G_S is 0.

    Parameters
    ----------
    G_out : array_like (..., T_q, d_v)
    Q, K, V : as in :func:`scaled_dot_product_attention`
    weights : array_like (..., T_q, T_k), the weights it returned
    scale : float, optional, the same as in the forward pass

    Returns
    -------
    G_Q (..., T_q, d_k), G_K (..., T_k, d_k), G_V (..., T_k, d_v)
    """
    Q, K, V = _check_qkv(Q, K, V)
    A = _float_array(weights, "weights", 2)
    G_O = _float_array(G_out, "G_out", 2)
    want_A = Q.shape[:-1] + (K.shape[-2],)
    if A.shape != want_A:
        raise ValueError(f"weights has shape {A.shape} but Q has shape {Q.shape} and K has shape "
                         f"{K.shape}: the weights must have shape {want_A}")
    want_O = Q.shape[:-1] + (V.shape[-1],)
    if G_O.shape != want_O:
        raise ValueError(f"G_out has shape {G_O.shape} but the output has shape {want_O} "
                         f"(Q has shape {Q.shape}, V has shape {V.shape})")
    c = _scale(scale, Q.shape[-1])
    G_V = np.swapaxes(A, -1, -2) @ G_O
    G_S = softmax_backward(G_O @ np.swapaxes(V, -1, -2), A)
    G_Q = c * (G_S @ K)
    G_K = c * (np.swapaxes(G_S, -1, -2) @ Q)
    return G_Q, G_K, G_V


def sinusoidal_positional_encoding(T: int, d: int, base: float = 10000.0) -> np.ndarray:
    """The sinusoidal position codes of Vaswani et al. (2017), one row per position.

    ``P[t, 2i] = sin(t * w_i)`` and ``P[t, 2i + 1] = cos(t * w_i)`` with frequencies
    ``w_i = base ** (-2i / d)``, for positions t = 0 .. T-1 (an odd ``d`` ends with a sine).

    Returns
    -------
    ndarray (T, d), entries in [-1, 1]; added to the token features ``X`` of shape (T, d).
    """
    T = require_positive_int(T, "T")
    d = require_positive_int(d, "d")
    base = float(base)
    if not base > 1:
        raise ValueError(f"base must be a number > 1, got {base!r}")
    i = np.arange((d + 1) // 2)
    angles = np.arange(T)[:, None] * base ** (-2.0 * i / d)[None, :]      # (T, ceil(d/2))
    P = np.empty((T, d))
    P[:, 0::2] = np.sin(angles)
    P[:, 1::2] = np.cos(angles[:, : d // 2])
    return P


class MultiHeadSelfAttention:
    """Multi-head self-attention ``Y = concat(head_1, ..., head_h) W_o`` (no biases).

    Head i computes ``Q_i = X W_q[i]``, ``K_i = X W_k[i]``, ``V_i = X W_v[i]`` (each (T, d_k)) and
    ``head_i = softmax(Q_i K_i^T / sqrt(d_k) + causal mask) V_i``; the heads are concatenated into
    (T, h d_k) and mapped back to (T, d) by ``W_o``.

    Parameters
    ----------
    d : int              features per token (input and output)
    n_heads : int        number of heads h
    d_k : int, optional  features per head (queries, keys and values); ``d // n_heads`` by default
    causal : bool        whether each token may only attend to itself and earlier tokens
    rng : Generator or int seed
    dtype : float64 (default) or float32

    Attributes
    ----------
    W_q, W_k, W_v : ndarray (h, d, d_k)   W_q[i] is head i's (d, d_k) query map, likewise keys, values
    W_o : ndarray (h * d_k, d)
    params : [W_q, W_k, W_v, W_o];  grads : matching gradients after :meth:`backward`
    weights : ndarray (..., h, T, T), the attention weights of the last forward pass
    """

    def __init__(self, d: int, n_heads: int, d_k: int | None = None, *, causal: bool = False,
                 rng=0, dtype=np.float64):
        self.d = require_positive_int(d, "d")
        self.n_heads = require_positive_int(n_heads, "n_heads")
        if d_k is None:
            if d % n_heads:
                raise ValueError(f"d = {d} is not divisible by n_heads = {n_heads}; pass d_k")
            d_k = d // n_heads
        self.d_k = require_positive_int(d_k, "d_k")
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        self.causal = bool(causal)
        g = as_generator(rng)
        h = self.n_heads

        def init(*shape, fan_in):
            return (g.standard_normal(shape) / np.sqrt(fan_in)).astype(dtype)

        self.W_q = init(h, d, d_k, fan_in=d)
        self.W_k = init(h, d, d_k, fan_in=d)
        self.W_v = init(h, d, d_k, fan_in=d)
        self.W_o = init(h * d_k, d, fan_in=h * d_k)
        self.params = [self.W_q, self.W_k, self.W_v, self.W_o]
        self.grads = [np.zeros_like(p) for p in self.params]
        self.weights = None

    def __repr__(self) -> str:
        return (f"MultiHeadSelfAttention(d={self.d}, n_heads={self.n_heads}, d_k={self.d_k}, "
                f"causal={self.causal})")

    def num_params(self) -> int:
        """The number of trainable numbers, ``4 h d d_k``."""
        return sum(p.size for p in self.params)

    def forward(self, X, train: bool = False) -> np.ndarray:
        """The output for ``X`` of shape (T, d) or (N, T, d); returns the same shape."""
        X = _float_array(X, "X", 2)
        if X.shape[-1] != self.d:
            raise ValueError(f"X has shape {X.shape} but the layer expects shape (..., T, {self.d}): "
                             f"{self.d} features per token")
        T = X.shape[-2]
        Xh = X[..., None, :, :]                                   # (..., 1, T, d)
        Q, K, V = Xh @ self.W_q, Xh @ self.W_k, Xh @ self.W_v     # (..., h, T, d_k)
        mask = causal_mask(T) if self.causal else None
        O, A = scaled_dot_product_attention(Q, K, V, mask=mask)  # (..., h, T, d_k), (..., h, T, T)
        concat = np.swapaxes(O, -2, -3).reshape(X.shape[:-1] + (self.n_heads * self.d_k,))
        self._cache = (X, Q, K, V, A, concat)
        self.weights = A
        return concat @ self.W_o

    def backward(self, G_Y) -> np.ndarray:
        """Given ``G_Y`` (the gradient w.r.t. the output, same shape as it), store the gradients of
        W_q, W_k, W_v, W_o in ``grads`` and return the gradient w.r.t. ``X`` (same shape as X)."""
        if not hasattr(self, "_cache"):
            raise RuntimeError("call forward before backward")
        X, Q, K, V, A, concat = self._cache
        G_Y = _float_array(G_Y, "G_Y", 2)
        if G_Y.shape != X.shape:
            raise ValueError(f"G_Y has shape {G_Y.shape} but the output has shape {X.shape}; they "
                             "must be equal")
        h, d_k, d = self.n_heads, self.d_k, self.d
        G_Wo = concat.reshape(-1, h * d_k).T @ G_Y.reshape(-1, d)
        G_concat = G_Y @ self.W_o.T                                        # (..., T, h d_k)
        G_O = np.swapaxes(G_concat.reshape(X.shape[:-1] + (h, d_k)), -2, -3)  # (..., h, T, d_k)
        G_Q, G_K, G_V = attention_backward(G_O, Q, K, V, A)
        Xt = np.swapaxes(X, -1, -2)[..., None, :, :]                      # (..., 1, d, T)
        lead = tuple(range(X.ndim - 2))                                    # the batch axes

        def weight_grad(G):                        # sum over the batch of X^T G, per head
            return (Xt @ G).sum(axis=lead)

        self.grads = [weight_grad(G_Q), weight_grad(G_K), weight_grad(G_V), G_Wo]
        G_X = (G_Q @ np.swapaxes(self.W_q, -1, -2) + G_K @ np.swapaxes(self.W_k, -1, -2)
               + G_V @ np.swapaxes(self.W_v, -1, -2))                      # (..., h, T, d)
        return G_X.sum(axis=-3)
