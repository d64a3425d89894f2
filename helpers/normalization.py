"""Deep networks: batch normalization, residual connections, gradient clipping, signal sizes.

The pieces the deep-networks notebook of series 5 adds to :mod:`helpers.nn`, with the same
layer interface (``forward(X, train)``, ``backward(G)``, ``params``, ``grads``):

* :func:`batchnorm_forward` / :func:`batchnorm_backward` and the layer :class:`BatchNorm`
  (Ioffe and Szegedy, 2015): each column of a batch ``Z`` (N, k) is standardized over the N
  examples, then scaled by ``gamma`` and shifted by ``beta``. The backward pass is the compact
  formula ``G_Z = (G_Zhat - mean(G_Zhat) - Zhat * mean(G_Zhat * Zhat)) / sqrt(var + eps)``
  (column means over the batch), derived in the notebook;
* :class:`Residual`: ``X + f(X)`` for a list of layers ``f`` (a skip connection): its backward
  pass adds the gradient that flows around ``f`` to the one that flows through it;
* :class:`Network`: a list of layers with the softmax cross-entropy on top (like
  :class:`helpers.nn.MLP`, but any layers, e.g. with batch normalization or residual blocks), and
  :func:`deep_network`, which builds deep plain, batch-normalized or residual networks whose
  initial weights are a multiple of the He or Glorot standard deviation;
* :func:`signal_norms`: the size of every hidden activation and of every weight gradient for one
  batch (vanishing and exploding gradients made visible);
* :func:`global_norm` and :func:`clip_by_global_norm`: gradient clipping by the global norm,
  which rescales all gradients by one factor and so keeps the direction of the step.

Shapes: ``N`` examples per batch (rows), ``k`` features, ``K`` classes.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import linalg, losses, nn
from .nn import init_std  # noqa: F401  (re-exported: the rules live in helpers/nn.py)
from .validation import as_array, as_batch, as_generator, as_labels, require_positive_int

__all__ = ["batchnorm_forward", "batchnorm_backward", "BatchNorm", "Residual", "Network",
           "init_std", "deep_network", "signal_norms", "global_norm", "clip_by_global_norm"]


def _positive(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {x!r}")
    return float(x)


# --------------------------------------------------------------------------- batch normalization

def batchnorm_forward(Z, gamma, beta, eps: float = 1e-5):
    """Batch normalization of a batch in training mode.

    Every column j of ``Z`` is standardized with its batch mean ``mu_j`` and (biased) batch
    variance ``var_j``: ``Zhat = (Z - mu) / sqrt(var + eps)``, then ``Y = gamma * Zhat + beta``.

    Parameters
    ----------
    Z : float array (N, k), N >= 2
    gamma, beta : float arrays (k,)
    eps : float > 0, added to the variance (so a constant column does not divide by zero)

    Returns
    -------
    (Y, cache) : Y of shape (N, k); ``cache`` is a dict with ``Zhat`` (N, k), ``inv_std`` (k,),
    ``mean`` (k,) and ``var`` (k,), what :func:`batchnorm_backward` needs.
    """
    Z = as_array(Z, "Z", ndim=2)
    N, k = Z.shape
    if N < 2:
        raise ValueError(f"batch normalization needs at least 2 examples per batch (a batch "
                         f"statistic of one example is meaningless), got Z of shape {Z.shape}")
    gamma = as_array(gamma, "gamma", shape=(k,))
    beta = as_array(beta, "beta", shape=(k,))
    eps = _positive(eps, "eps")
    mean = Z.mean(axis=0)
    centred = Z - mean
    var = np.mean(centred * centred, axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    Zhat = centred * inv_std
    return gamma * Zhat + beta, {"Zhat": Zhat, "inv_std": inv_std, "mean": mean, "var": var}


def batchnorm_backward(G_Y, cache: dict, gamma):
    """Gradients of batch normalization (training mode), by the compact formula.

    With ``G_Zhat = G_Y * gamma`` and column means over the batch,
    ``G_Z = inv_std * (G_Zhat - mean(G_Zhat) - Zhat * mean(G_Zhat * Zhat))``,
    ``G_gamma = sum over rows of G_Y * Zhat`` and ``G_beta = sum over rows of G_Y``.

    Parameters
    ----------
    G_Y : float array (N, k), the gradient of the loss with respect to the output Y
    cache : dict returned by :func:`batchnorm_forward` for the same batch
    gamma : float array (k,)

    Returns
    -------
    (G_Z, G_gamma, G_beta) : arrays of shapes (N, k), (k,), (k,)
    """
    Zhat, inv_std = cache["Zhat"], cache["inv_std"]
    G_Y = as_array(G_Y, "G_Y", dtype=None)
    if G_Y.shape != Zhat.shape:
        raise ValueError(f"G_Y has shape {G_Y.shape} but the batch had shape {Zhat.shape}; "
                         "they must be equal")
    gamma = as_array(gamma, "gamma", shape=(Zhat.shape[1],), dtype=None)
    G_hat = G_Y * gamma
    G_Z = inv_std * (G_hat - G_hat.mean(axis=0) - Zhat * np.mean(G_hat * Zhat, axis=0))
    return G_Z, np.sum(G_Y * Zhat, axis=0), G_Y.sum(axis=0)


class BatchNorm:
    """A batch-normalization layer for batches of shape (N, k).

    In training (``forward(Z, train=True)``) it normalizes with the statistics of the batch and
    updates running averages ``running_mean <- momentum * running_mean + (1 - momentum) * mean``
    (the same for the variance); at test time it normalizes with those running averages, so the
    output for one example does not depend on the others in its batch.

    Parameters
    ----------
    k : int, the number of features
    eps : float > 0
    momentum : float in [0, 1)
    dtype : float32 or float64

    Attributes
    ----------
    gamma, beta : arrays (k,), initially ones and zeros;  params : [gamma, beta]
    grads : [G_gamma, G_beta] after :meth:`backward`
    running_mean, running_var : arrays (k,)
    """

    def __init__(self, k: int, *, eps: float = 1e-5, momentum: float = 0.9, dtype=np.float64):
        k = require_positive_int(k, "k")
        self.eps = _positive(eps, "eps")
        if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) \
                or not 0 <= momentum < 1:
            raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        dtype = np.dtype(dtype)
        self.gamma = np.ones(k, dtype=dtype)
        self.beta = np.zeros(k, dtype=dtype)
        self.params = [self.gamma, self.beta]
        self.grads = [np.zeros_like(self.gamma), np.zeros_like(self.beta)]
        self.running_mean = np.zeros(k, dtype=dtype)
        self.running_var = np.ones(k, dtype=dtype)
        self._cache = None

    def forward(self, Z, train: bool = False):
        """Normalized batch (N, k): batch statistics when ``train``, running ones otherwise."""
        if not train:
            self._cache = None
            return (Z - self.running_mean) / np.sqrt(self.running_var + self.eps) * self.gamma \
                + self.beta
        Y, self._cache = batchnorm_forward(Z, self.gamma, self.beta, self.eps)
        m = self.momentum
        self.running_mean[...] = m * self.running_mean + (1 - m) * self._cache["mean"]
        self.running_var[...] = m * self.running_var + (1 - m) * self._cache["var"]
        return Y.astype(Z.dtype, copy=False)

    def backward(self, G_Y):
        """Store ``[G_gamma, G_beta]`` and return ``G_Z`` (N, k); needs a training-mode forward."""
        if self._cache is None:
            raise RuntimeError("BatchNorm.backward needs the statistics of a forward pass in "
                               "training mode: call forward(Z, train=True) first")
        G_Z, G_gamma, G_beta = batchnorm_backward(G_Y, self._cache, self.gamma)
        self.grads = [G_gamma, G_beta]
        return G_Z.astype(G_Y.dtype, copy=False)


class Residual:
    """A residual block ``X + f(X)``, with ``f`` a list of layers that keeps the width.

    Backward: the gradient of the output reaches X along two paths, around ``f`` (the identity)
    and through it, and the two contributions add: ``G_X = G_out + f.backward(G_out)``.

    Parameters
    ----------
    layers : list of layers (each with ``forward``, ``backward``, ``params``, ``grads``)
    """

    def __init__(self, layers):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a residual block needs at least one layer in its branch")
        self.params = [p for layer in self.layers for p in layer.params]

    @property
    def grads(self):
        return [g for layer in self.layers for g in layer.grads]

    def forward(self, X, train: bool = False):
        """``X + f(X)``, shape (N, k) like X."""
        out = X
        for layer in self.layers:
            out = layer.forward(out, train)
        if out.shape != X.shape:
            raise ValueError(f"the branch of a residual block must keep the shape of its input: "
                             f"it maps {X.shape} to {out.shape}")
        return X + out

    def backward(self, G):
        """``G + (gradient through the branch)``, shape (N, k)."""
        g = G
        for layer in reversed(self.layers):
            g = layer.backward(g)
        return G + g


class Network:
    """A list of layers with the mean softmax cross-entropy on top.

    Parameters
    ----------
    layers : list of layers; the last one outputs the K logits
    n_in : int, the number of input features
    dtype : float32 or float64 (the dtype of the inputs; the layers carry their own)

    Attributes
    ----------
    layers, n_in, dtype;  params : every parameter array, in layer order
    """

    def __init__(self, layers, n_in: int, dtype=np.float64):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a network needs at least one layer")
        self.n_in = require_positive_int(n_in, "n_in")
        self.dtype = np.dtype(dtype)
        self.params = [p for layer in self.layers for p in layer.params]

    def forward(self, X, train: bool = False):
        """The logits (N, K) for a float batch X (N, n_in)."""
        A = as_batch(X, self.n_in, self.dtype)
        for layer in self.layers:
            A = layer.forward(A, train)
        return A

    def backward(self, grad_logits):
        """Backpropagate the gradient of the logits (N, K); return the gradients matching
        :attr:`params`."""
        g = np.asarray(grad_logits, dtype=self.dtype)
        for layer in reversed(self.layers):
            g = layer.backward(g)
        return [grad for layer in self.layers for grad in layer.grads]

    def loss_and_grads(self, X, y, *, train: bool = True):
        """Mean cross-entropy of the batch and its gradients (a list matching :attr:`params`);
        ``(nan, None)`` when the logits overflowed."""
        logits = self.forward(X, train)
        y = as_labels(y, logits.shape[1], len(logits))
        if not np.all(np.isfinite(logits)):
            return float("nan"), None
        loss = losses.cross_entropy(logits, y)
        return loss, self.backward(losses.cross_entropy_grad(logits, y))


def deep_network(n_in: int, width: int, depth: int, n_classes: int, *, activation: str = "relu",
                 init: str = "he", scale: float = 1.0, batchnorm: bool = False,
                 residual: bool = False, rng=0, dtype=np.float64) -> Network:
    """A deep network of ``depth`` hidden layers of equal ``width`` and a linear output layer.

    Each hidden layer is Linear, then (if ``batchnorm``) BatchNorm, then the activation; with
    ``residual`` every hidden layer after the first is wrapped as ``A + layer(A)``. Every weight
    matrix starts with standard deviation ``scale`` times the rule ``init`` (see
    :func:`init_std`); biases start at 0.

    Parameters
    ----------
    n_in, width, depth, n_classes : int
    activation : {"relu", "tanh", "sigmoid"}
    init : {"he", "lecun", "glorot"};  scale : float > 0
    batchnorm, residual : bool
    rng : numpy Generator or int seed;  dtype : float32 or float64

    Returns
    -------
    Network
    """
    for name, value in (("n_in", n_in), ("width", width), ("depth", depth),
                        ("n_classes", n_classes)):
        require_positive_int(value, name)
    if activation not in nn.ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(nn.ACTIVATIONS)}, got {activation!r}")
    scale = _positive(scale, "scale")
    init_std(1, 1, init)                        # validates the rule's name
    rng = as_generator(rng)
    layers, sizes = [], [n_in] + [width] * depth + [n_classes]
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(a, b, rng=rng, init=scale * init_std(a, b, init), dtype=dtype)
        if i == depth:                          # the output layer: logits
            layers.append(linear)
            break
        block = [linear] + ([BatchNorm(b, dtype=dtype)] if batchnorm else []) \
            + [nn.ACTIVATIONS[activation]()]
        layers.extend([Residual(block)] if residual and i > 0 else block)
    return Network(layers, n_in, dtype)


def _linear_layers(layers):
    for layer in layers:
        if isinstance(layer, Residual):
            yield from _linear_layers(layer.layers)
        elif isinstance(layer, nn.Linear):
            yield layer


_HIDDEN = (nn.ReLU, nn.Tanh, nn.Sigmoid, Residual)


def signal_norms(model, X, y) -> dict:
    """Sizes of the forward and backward signals of a network for one batch, at its current weights.

    Parameters
    ----------
    model : Network or helpers.nn.MLP (anything with ``layers`` and ``loss_and_grads``)
    X : float array (N, d);  y : int array (N,)

    Returns
    -------
    dict with
    ``activation_rms`` : array (number of hidden layers,), the root mean square of the output of
    every top-level hidden layer (activation or residual block): ``sqrt(mean(A_l ** 2))``;
    ``grad_norm`` : array (number of weight matrices,), the Frobenius norm of the gradient of the
    mean cross-entropy with respect to every weight matrix, first layer first;
    ``loss`` : float.

    The forward pass runs once in training mode (batch statistics, dropout on), on one thread of
    the matrix library (the products are small).
    """
    n_in = model.n_in if isinstance(model, Network) else model.sizes[0]
    A, rms = as_batch(X, n_in, model.dtype), []
    with np.errstate(over="ignore", invalid="ignore"), linalg.blas_threads(1):
        for layer in model.layers:
            A = layer.forward(A, True)
            if layer is not model.layers[-1] and isinstance(layer, _HIDDEN):
                rms.append(float(np.sqrt(np.mean(np.square(A, dtype=np.float64)))))
    y = as_labels(y, A.shape[1], len(A))
    if not np.all(np.isfinite(A)):
        raise FloatingPointError("the logits overflowed: the forward signal exploded")
    loss = losses.cross_entropy(A, y)
    with linalg.blas_threads(1):
        grads = model.backward(losses.cross_entropy_grad(A, y))
    ids = {id(p): g for p, g in zip(model.params, grads)}
    grad_norm = [float(np.linalg.norm(ids[id(lin.W)])) for lin in _linear_layers(model.layers)]
    return {"activation_rms": np.array(rms), "grad_norm": np.array(grad_norm), "loss": loss}


# --------------------------------------------------------------------------- gradient clipping

def _array_list(grads, name: str = "grads"):
    if not isinstance(grads, (list, tuple)):
        raise TypeError(f"{name} must be a list of arrays (one per parameter), got "
                        f"{type(grads).__name__}; wrap a single array as [array]")
    if not grads:
        raise ValueError(f"{name} is empty: there is nothing to measure")
    out = []
    for i, g in enumerate(grads):
        a = as_array(g, f"{name}[{i}]", dtype=None)
        if a.dtype.kind not in "fiu":
            raise TypeError(f"{name}[{i}] must be a numeric array, got dtype {a.dtype}")
        out.append(a)
    return out


def global_norm(grads) -> float:
    """The Euclidean norm of all gradients together, ``sqrt(sum_p ||g_p||^2)``: the norm of the
    one long vector obtained by concatenating every array of the list ``grads``."""
    arrays = _array_list(grads)
    return math.sqrt(sum(float(np.sum(np.square(a, dtype=np.float64))) for a in arrays))


def clip_by_global_norm(grads, max_norm: float):
    """Rescale a list of gradients so that their global norm is at most ``max_norm``.

    Every array is multiplied by the same factor ``min(1, max_norm / global_norm)``, so the
    direction of the concatenated gradient is unchanged and only its length is capped.

    Parameters
    ----------
    grads : list of arrays (any shapes)
    max_norm : float > 0

    Returns
    -------
    (clipped, norm) : a new list of arrays (same shapes and dtypes; the inputs are not changed)
    and the global norm before clipping. A norm of inf or NaN is refused with a
    ``FloatingPointError``: no rescaling can recover a direction from it.
    """
    arrays = _array_list(grads)
    max_norm = _positive(max_norm, "max_norm")
    norm = global_norm(arrays)
    if not math.isfinite(norm):
        raise FloatingPointError(f"the gradients' global norm is {norm}: clipping cannot repair "
                                 "an overflow (the step that produced it was already too large)")
    factor = 1.0 if norm <= max_norm else max_norm / norm
    return [(a * factor).astype(a.dtype if a.dtype.kind == "f" else float, copy=False)
            for a in arrays], norm
