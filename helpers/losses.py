"""Numerically stable log-probabilities, the losses of deep learning, and their gradients.

Everything here is derived in the probability series: the softmax turns scores (*logits*) into a
categorical distribution, maximum likelihood turns that distribution into the cross-entropy loss,
and the information-theory notebook explains entropy, cross-entropy and the KL divergence.

Stability is built in from the start. ``exp(1000)`` overflows a float64, so nothing here
exponentiates a large positive number: the log-sum-exp subtracts the maximum first, and the
sigmoid uses ``exp(-|z|)``, which is always at most 1. Logits of size 1000 (or -1000) give finite
answers without NaN or warnings.

Shapes: ``N`` is the batch size, ``K`` the number of classes. Inputs are converted to float64
arrays; labels must be integers.
"""

from __future__ import annotations

import numbers

import numpy as np

from .validation import as_array, as_labels, require_positive_int, require_same_shape

__all__ = ["logsumexp", "softmax", "log_softmax", "sigmoid", "log_sigmoid", "one_hot",
           "cross_entropy", "cross_entropy_grad", "binary_cross_entropy_with_logits",
           "binary_cross_entropy_with_logits_grad", "mse", "mse_grad", "entropy",
           "cross_entropy_dist", "kl_divergence"]


# --------------------------------------------------------------------------------------------
# internal checks
# --------------------------------------------------------------------------------------------

def _axis(z: np.ndarray, axis, name: str) -> int:
    if z.ndim == 0:
        raise ValueError(f"{name} must have at least 1 dimension, got a scalar (shape ())")
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer, got {axis!r}")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis {axis} is out of range for {name} of shape {z.shape}")
    axis = int(axis) % z.ndim
    if z.shape[axis] == 0:
        raise ValueError(f"{name} of shape {z.shape} is empty along axis {axis}")
    return axis


def _no_nan(x: np.ndarray, name: str) -> None:
    """Logits may be -inf (a class with probability 0) but not NaN or +inf."""
    if np.isnan(x).any():
        raise ValueError(f"{name} contains NaN")
    if np.isposinf(x).any():
        raise ValueError(f"{name} contains +inf; logits must be finite or -inf")


def _finite(x: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinity")


def _logits_and_labels(logits, labels) -> tuple[np.ndarray, np.ndarray]:
    z = as_array(logits, "logits", ndim=2)
    y = np.asarray(labels)
    if y.shape != (z.shape[0],):
        raise ValueError(f"logits has shape {z.shape} but labels has shape {y.shape}; "
                         f"expected labels of shape ({z.shape[0]},), one per row of logits")
    if z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError(f"logits of shape {z.shape} is empty")
    y = as_labels(y, z.shape[1], name="labels")
    _no_nan(z, "logits")
    return z, y


def _distribution(p, name: str) -> np.ndarray:
    """A discrete distribution (or a batch of them along the last axis): >= 0, finite, sums to 1."""
    arr = as_array(p, name)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name} must be a non-empty array of probabilities, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    if np.any(arr < 0):
        raise ValueError(f"{name} has negative entries (smallest {arr.min():.3g}); "
                         "probabilities are >= 0")
    sums = arr.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0.0, atol=1e-6):
        worst = float(np.ravel(sums)[np.argmax(np.abs(np.ravel(sums) - 1.0))])
        raise ValueError(f"{name} must sum to 1 along its last axis, but a sum is {worst:.6g}")
    return arr


# --------------------------------------------------------------------------------------------
# log-sum-exp, softmax, sigmoid
# --------------------------------------------------------------------------------------------

def logsumexp(z, axis: int = -1, keepdims: bool = False):
    """``log(sum(exp(z)))`` along ``axis``, computed without overflow.

    Uses ``logsumexp(z) = m + log(sum(exp(z - m)))`` with ``m = max(z)``: every exponent is <= 0,
    so nothing overflows, and the largest term is exactly 1, so the sum is never 0.

    Parameters
    ----------
    z : array_like, any shape with at least 1 dimension, float
        Entries may be ``-inf`` (a term that contributes nothing); NaN and ``+inf`` raise
        ``ValueError``.
    axis : int
        The axis to reduce.
    keepdims : bool
        Keep the reduced axis with length 1 (handy for broadcasting).

    Returns
    -------
    ndarray of float64, ``z.shape`` without ``axis`` (or with length 1 there if ``keepdims``);
    a 1-D ``z`` with ``keepdims=False`` gives a 0-d array (use ``float(...)``).
    """
    z = as_array(z, "z")
    axis = _axis(z, axis, "z")
    _no_nan(z, "z")
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)        # all -inf: shift by 0 instead
    with np.errstate(divide="ignore"):          # log(0) = -inf when every entry is -inf
        out = np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z, axis: int = -1) -> np.ndarray:
    """``log softmax(z) = z - logsumexp(z)`` along ``axis``; stable for logits of any size.

    Parameters
    ----------
    z : array_like, float, at least 1-D (typically (N, K) logits)
    axis : int

    Returns
    -------
    ndarray of float64, same shape as ``z``; entries <= 0, and ``exp`` of them sums to 1 along
    ``axis``. A slice of ``z`` that is entirely ``-inf`` raises ``ValueError``.
    """
    z = as_array(z, "z")
    lse = logsumexp(z, axis=axis, keepdims=True)
    if np.isneginf(lse).any():
        raise ValueError(f"z of shape {z.shape} has a slice that is entirely -inf along axis "
                         f"{axis}: its softmax is undefined")
    return z - lse


def softmax(z, axis: int = -1) -> np.ndarray:
    """``softmax(z)_k = exp(z_k) / sum_j exp(z_j)`` along ``axis``, without overflow.

    Computed as ``exp(z - m) / sum(exp(z - m))`` with ``m = max(z)``: the same value (the
    factor ``exp(-m)`` cancels), but every exponent is <= 0 and the largest term is exactly 1.

    Parameters
    ----------
    z : array_like, float, at least 1-D (typically (N, K) logits); entries may be ``-inf``
    axis : int

    Returns
    -------
    ndarray of float64, same shape as ``z``; entries in [0, 1] summing to 1 along ``axis``.
    A slice of ``z`` that is entirely ``-inf`` raises ``ValueError``.
    """
    z = as_array(z, "z")
    axis = _axis(z, axis, "z")
    _no_nan(z, "z")
    m = np.max(z, axis=axis, keepdims=True)
    if np.isneginf(m).any():
        raise ValueError(f"z of shape {z.shape} has a slice that is entirely -inf along axis "
                         f"{axis}: its softmax is undefined")
    e = np.exp(z - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def sigmoid(z) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-z))``, elementwise, without overflow.

    Computed from ``e = exp(-|z|)`` (always in (0, 1]): ``1 / (1 + e)`` for ``z >= 0`` and
    ``e / (1 + e)`` for ``z < 0``. ``sigmoid(1000) = 1`` and ``sigmoid(-1000) = 0`` with no warning.

    Parameters
    ----------
    z : array_like, any shape, float

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in [0, 1].
    """
    z = as_array(z, "z")
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_sigmoid(z) -> np.ndarray:
    """``log(sigmoid(z)) = min(z, 0) - log(1 + exp(-|z|))``, elementwise, without overflow.

    Accurate where ``np.log(sigmoid(z))`` is not: for ``z = -1000`` it returns -1000, not
    ``log(0) = -inf``.

    Parameters
    ----------
    z : array_like, any shape, float

    Returns
    -------
    ndarray of float64, same shape as ``z``, values <= 0.
    """
    z = as_array(z, "z")
    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))


# --------------------------------------------------------------------------------------------
# losses for classification and regression
# --------------------------------------------------------------------------------------------

def one_hot(labels, num_classes: int) -> np.ndarray:
    """One-hot encoding: row ``i`` has a 1 in column ``labels[i]`` and 0 elsewhere.

    Parameters
    ----------
    labels : array_like of int, shape (N,), values in [0, num_classes)
    num_classes : int, K >= 1

    Returns
    -------
    ndarray of float64, shape (N, K).

    Raises
    ------
    TypeError if the labels are not integers; ValueError if one is out of range (the message
    names its position and value).
    """
    k = require_positive_int(num_classes, "num_classes")
    y = as_labels(labels, k, name="labels")
    out = np.zeros((y.shape[0], k))
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def cross_entropy(logits, labels) -> float:
    """Mean cross-entropy loss ``-(1/N) sum_i log softmax(logits_i)[labels_i]``.

    The negative log-likelihood of the labels under the categorical model ``softmax(logits)``,
    computed with :func:`log_softmax`, so logits of size 1000 are fine.

    Parameters
    ----------
    logits : array_like, shape (N, K), float
    labels : array_like of int, shape (N,), values in [0, K)

    Returns
    -------
    float, >= 0.
    """
    z, y = _logits_and_labels(logits, labels)
    return float(-np.mean(log_softmax(z)[np.arange(len(y)), y]))


def cross_entropy_grad(logits, labels) -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to the logits: ``(softmax(z) - onehot(y)) / N``.

    Parameters
    ----------
    logits : array_like, shape (N, K), float
    labels : array_like of int, shape (N,), values in [0, K)

    Returns
    -------
    ndarray of float64, shape (N, K); each row sums to 0.
    """
    z, y = _logits_and_labels(logits, labels)
    return (softmax(z) - one_hot(y, z.shape[1])) / z.shape[0]


def _z_and_targets(z, y) -> tuple[np.ndarray, np.ndarray]:
    z, y = _pair(z, y, ("z", "y"))
    if not np.all((y >= 0) & (y <= 1)):
        raise ValueError("targets y must be in [0, 1] (labels 0/1 or probabilities), got values "
                         f"from {y.min():.3g} to {y.max():.3g}")
    return z, y


def binary_cross_entropy_with_logits(z, y) -> float:
    """Mean binary cross-entropy of targets ``y`` under ``p = sigmoid(z)``, from the logits ``z``.

    Per element ``-[y log p + (1 - y) log(1 - p)] = max(z, 0) - y z + log(1 + exp(-|z|))``,
    which never forms ``p`` and so never takes ``log(0)``.

    Parameters
    ----------
    z : array_like, any shape, float -- finite logits
    y : array_like, same shape as ``z`` -- targets in [0, 1] (0/1 labels or probabilities)

    Returns
    -------
    float, the mean over all elements.
    """
    z, y = _z_and_targets(z, y)
    return float(np.mean(np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))))


def binary_cross_entropy_with_logits_grad(z, y) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy_with_logits` in ``z``: ``(sigmoid(z) - y) / N``.

    Parameters
    ----------
    z : array_like, any shape, float
    y : array_like, same shape, values in [0, 1]

    Returns
    -------
    ndarray of float64, same shape as ``z``; ``N`` is ``z.size``.
    """
    z, y = _z_and_targets(z, y)
    return (sigmoid(z) - y) / z.size


def _pair(a, b, names=("y_hat", "y")) -> tuple[np.ndarray, np.ndarray]:
    """Two finite float arrays of the same, non-empty shape (errors use ``names``)."""
    a = as_array(a, names[0])
    b = as_array(b, names[1])
    require_same_shape(a, b, names)
    if a.size == 0:
        raise ValueError(f"{names[0]} and {names[1]} are empty")
    _finite(a, names[0])
    _finite(b, names[1])
    return a, b


def mse(y_hat, y) -> float:
    """Mean squared error ``mean((y_hat - y)**2)`` over all elements.

    Parameters
    ----------
    y_hat, y : array_like, the same shape (any), float

    Returns
    -------
    float, >= 0.
    """
    y_hat, y = _pair(y_hat, y)
    return float(np.mean((y_hat - y) ** 2))


def mse_grad(y_hat, y) -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``y_hat``: ``2 (y_hat - y) / y.size``.

    Parameters
    ----------
    y_hat, y : array_like, the same shape (any), float

    Returns
    -------
    ndarray of float64, same shape as ``y_hat``.
    """
    y_hat, y = _pair(y_hat, y)
    return 2.0 * (y_hat - y) / y.size


# --------------------------------------------------------------------------------------------
# information theory of discrete distributions
# --------------------------------------------------------------------------------------------

def _reduce(terms: np.ndarray):
    out = np.sum(terms, axis=-1)
    return float(out) if out.ndim == 0 else out


def entropy(p):
    """Entropy ``H(p) = -sum_k p_k log p_k`` in nats (natural log), with ``0 log 0 = 0``.

    Parameters
    ----------
    p : array_like, shape (K,) or (..., K) -- probabilities >= 0 summing to 1 along the last axis

    Returns
    -------
    float for a single distribution, else ndarray of shape ``p.shape[:-1]``; in [0, log K].
    """
    p = _distribution(p, "p")
    safe = np.where(p > 0, p, 1.0)
    return _reduce(-np.where(p > 0, p * np.log(safe), 0.0))


def cross_entropy_dist(p, q):
    """Cross-entropy ``H(p, q) = -sum_k p_k log q_k`` in nats, with ``0 log q = 0`` even for q = 0.

    It is ``inf`` (without a warning) when some ``q_k = 0`` where ``p_k > 0``.

    Parameters
    ----------
    p, q : array_like, the same shape (K,) or (..., K) -- distributions along the last axis

    Returns
    -------
    float (or ndarray of shape ``p.shape[:-1]``), >= entropy(p).
    """
    p = _distribution(p, "p")
    q = _distribution(q, "q")
    require_same_shape(p, q, ("p", "q"))
    with np.errstate(divide="ignore"):
        log_q = np.log(np.where(p > 0, q, 1.0))
    return _reduce(-np.where(p > 0, p * log_q, 0.0))


def kl_divergence(p, q):
    """Kullback-Leibler divergence ``KL(p || q) = sum_k p_k log(p_k / q_k)`` in nats.

    Terms with ``p_k = 0`` are 0; a term with ``p_k > 0`` and ``q_k = 0`` makes it ``inf``
    (without a warning). Not symmetric: ``KL(p || q) != KL(q || p)`` in general.

    Parameters
    ----------
    p, q : array_like, the same shape (K,) or (..., K) -- distributions along the last axis

    Returns
    -------
    float (or ndarray of shape ``p.shape[:-1]``), >= 0, and 0 when p == q. (In exact arithmetic
    it is > 0 whenever p != q; for nearly equal p and q the rounded sum can fall a hair below 0,
    so it is clipped at 0.)
    """
    p = _distribution(p, "p")
    q = _distribution(q, "q")
    require_same_shape(p, q, ("p", "q"))
    pos = p > 0
    with np.errstate(divide="ignore"):
        log_ratio = np.log(np.where(pos, p, 1.0)) - np.log(np.where(pos, q, 1.0))
    out = _reduce(np.where(pos, p * log_ratio, 0.0))
    return max(out, 0.0) if isinstance(out, float) else np.maximum(out, 0.0)
