"""Neural networks assembled from the book's parts: layers and the multilayer perceptron.

A network here is a list of *layers*. Every layer has

* ``forward(X, train=False)``: the output for a batch ``X`` (one example per row); it remembers
  what the backward pass will need;
* ``backward(grad_out)``: given the gradient of the loss with respect to its output, it stores the
  gradients of its own parameters in ``grads`` and returns the gradient with respect to its input
  (the chain rule, one layer at a time: backpropagation);
* ``params`` and ``grads``: lists of arrays, matched by position (empty for an activation).

:class:`MLP` stacks :class:`Linear` layers and activations and computes the loss and its gradient
with respect to every parameter; :mod:`helpers.training` trains and evaluates it. The loss and
its gradient come from :mod:`helpers.losses`. The dense layer ``X @ W + b`` is computed by
:class:`Linear` itself (in the network's dtype, float32 by default); it is the linear algebra
series' :func:`helpers.linalg.dense`, checked equal to it in the backpropagation notebook and in
the tests. Backpropagation is written out by hand, layer by layer, and checked against the autodiff
engine and finite differences.

Shapes: ``N`` examples per batch, ``d`` input features, ``K`` classes. Parameters are float32 by
default (twice as fast as float64 and accurate enough for training); pass ``dtype=np.float64``
for gradient checks.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import linalg, losses
from .validation import as_batch, as_generator, as_labels, require_positive_int

__all__ = ["init_std", "init_weights", "Linear", "ReLU", "Sigmoid", "Tanh", "Dropout", "MLP"]


# --------------------------------------------------------------------------- checks

def _float_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


# --------------------------------------------------------------------------- layers

# The variance of a weight under each named rule, from the layer's fan-in and fan-out.
INIT_RULES = {"he": lambda n_in, n_out: 2.0 / n_in,
              "lecun": lambda n_in, n_out: 1.0 / n_in,
              "glorot": lambda n_in, n_out: 2.0 / (n_in + n_out)}


def init_std(n_in: int, n_out: int, init: str = "he") -> float:
    """The standard deviation of an initialization rule (see :func:`init_weights`): ``"he"``
    sqrt(2 / n_in), ``"lecun"`` sqrt(1 / n_in), ``"glorot"`` sqrt(2 / (n_in + n_out))."""
    n_in = require_positive_int(n_in, "n_in")
    n_out = require_positive_int(n_out, "n_out")
    if init not in INIT_RULES:
        raise ValueError(f"init must be one of {sorted(INIT_RULES)}, got {init!r}")
    return math.sqrt(INIT_RULES[init](n_in, n_out))


def init_weights(n_in: int, n_out: int, *, rng=0, init="he", dtype=np.float32) -> np.ndarray:
    """Random weights of shape (n_in, n_out), zero mean, with a variance chosen by ``init``.

    With ``n_in`` independent inputs of second moment ``q``, a unit's pre-activation
    ``z = sum_i w_i x_i`` has variance ``n_in Var(w) q``. Keeping it the same from layer to layer
    gives the rules below (derived in the training notebook of series 5).

    Parameters
    ----------
    n_in, n_out : int
        Inputs and outputs of the layer.
    rng : numpy Generator or int seed
    init : str or float
        ``"he"``: ``Var(w) = 2 / n_in``, for ReLU (which zeroes half of its inputs);
        ``"lecun"``: ``1 / n_in``, for tanh or no activation; ``"glorot"``: ``2 / (n_in + n_out)``
        (Glorot and Bengio's compromise between keeping the forward signal, ``1 / n_in``, and the
        backward one, ``1 / n_out``); a number: that standard deviation, e.g. ``0.01``.
    dtype : float32 or float64

    Returns
    -------
    ndarray, shape (n_in, n_out), of ``dtype``: normal samples times the standard deviation.
    """
    n_in = require_positive_int(n_in, "n_in")
    n_out = require_positive_int(n_out, "n_out")
    if isinstance(init, str) and init in INIT_RULES:
        std = init_std(n_in, n_out, init)
    elif isinstance(init, numbers.Real) and not isinstance(init, bool) and init >= 0:
        std = float(init)
    else:
        raise ValueError(f"init must be one of {sorted(INIT_RULES)} or a standard deviation >= 0, "
                         f"got {init!r}")
    W = as_generator(rng).standard_normal((n_in, n_out)) * std
    return W.astype(_float_dtype(dtype))


class Linear:
    """The dense layer ``Y = X W + b`` (the linear algebra series' :func:`helpers.linalg.dense`).

    Parameters
    ----------
    n_in, n_out : int
    rng, init, dtype
        As in :func:`init_weights`; the bias starts at zero.

    Attributes
    ----------
    W : ndarray (n_in, n_out);  b : ndarray (n_out,)
    params : [W, b];  grads : [dW, db] after :meth:`backward`
    input_grad : bool
        Whether :meth:`backward` returns ``dX``. The first layer of a network does not need it
        (its input is data), which saves a third of the work of training.
    """

    def __init__(self, n_in: int, n_out: int, *, rng=0, init="he", dtype=np.float32):
        self.W = init_weights(n_in, n_out, rng=rng, init=init, dtype=dtype)
        self.b = np.zeros(n_out, dtype=self.W.dtype)
        self.params = [self.W, self.b]
        self.grads = [np.zeros_like(self.W), np.zeros_like(self.b)]
        self.input_grad = True

    def forward(self, X: np.ndarray, train: bool = False) -> np.ndarray:
        """``X @ W + b`` for X of shape (N, n_in); returns (N, n_out)."""
        self._X = X
        Y = X @ self.W
        Y += self.b
        return Y

    def backward(self, dY: np.ndarray) -> np.ndarray | None:
        """Store ``dW = X^T dY`` (n_in, n_out) and ``db = sum of the rows of dY`` (n_out,);
        return ``dX = dY W^T`` (N, n_in), or None when ``input_grad`` is False."""
        self.grads = [self._X.T @ dY, dY.sum(axis=0)]
        return dY @ self.W.T if self.input_grad else None


class _Activation:
    """An elementwise function: no parameters, so nothing to train."""

    params = grads = ()


class ReLU(_Activation):
    """``max(0, z)``; its derivative is 1 where z > 0 and 0 elsewhere (taken as 0 at z = 0)."""

    def forward(self, Z, train=False):
        self._A = np.maximum(Z, 0)
        return self._A

    def backward(self, dA):
        return dA * (self._A > 0)


class Sigmoid(_Activation):
    """The stable sigmoid of :func:`helpers.losses.sigmoid`; derivative ``s (1 - s)``."""

    def forward(self, Z, train=False):
        self._A = losses.sigmoid(Z).astype(Z.dtype, copy=False)
        return self._A

    def backward(self, dA):
        return dA * self._A * (1 - self._A)


class Tanh(_Activation):
    """``tanh(z)``; derivative ``1 - tanh(z)^2``."""

    def forward(self, Z, train=False):
        self._A = np.tanh(Z)
        return self._A

    def backward(self, dA):
        return dA * (1 - self._A * self._A)


class Dropout:
    """Inverted dropout: in training, zero each entry with probability ``p`` and scale the rest by
    ``1 / (1 - p)`` so that the expected output equals the input; at test time do nothing.

    Parameters
    ----------
    p : float in [0, 1)
    rng : numpy Generator or int seed (the masks are random)
    """

    params = grads = ()

    def __init__(self, p: float, rng=0):
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p < 1:
            raise ValueError(f"the dropout probability p must be in [0, 1), got {p!r}")
        self.p = float(p)
        self.rng = as_generator(rng)
        self._mask = None

    def forward(self, Z, train=False):
        if not train or self.p == 0:
            self._mask = None
            return Z
        keep = self.rng.random(Z.shape, dtype=np.float32) >= self.p
        self._mask = keep.astype(Z.dtype) / Z.dtype.type(1 - self.p)
        return Z * self._mask

    def backward(self, dA):
        return dA if self._mask is None else dA * self._mask


ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}


# --------------------------------------------------------------------------- the network

class MLP:
    """A multilayer perceptron: Linear, activation, Linear, activation, ..., Linear (the logits).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths ``[d, h_1, ..., K]``: ``d`` inputs, hidden widths, ``K`` outputs (classes).
    activation : {"relu", "sigmoid", "tanh"}
        Applied after every layer but the last.
    init : str or float
        Weight initialization, see :func:`init_weights`.
    dropout : float
        Dropout probability after every hidden activation (0: none).
    rng : numpy Generator or int seed
        Draws the initial weights (and dropout masks).
    dtype : float32 (default) or float64

    Attributes
    ----------
    layers : list of layers
    sizes : tuple of int
    params : list of arrays [W1, b1, W2, b2, ...], in layer order; training updates them in place
    """

    def __init__(self, sizes, *, activation: str = "relu", init="he", dropout: float = 0.0,
                 rng=0, dtype=np.float32):
        sizes = tuple(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least an input and an output width, got {sizes}")
        self.sizes = tuple(require_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes))
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        self.dtype = _float_dtype(dtype)
        rng = as_generator(rng)
        self.layers = []
        for i, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            self.layers.append(Linear(n_in, n_out, rng=rng, init=init, dtype=self.dtype))
            if i < len(self.sizes) - 2:
                self.layers.append(ACTIVATIONS[activation]())
                if dropout:
                    self.layers.append(Dropout(dropout, rng))
        self.layers[0].input_grad = False
        self.params = [p for layer in self.layers for p in layer.params]

    def __repr__(self) -> str:
        return f"MLP({list(self.sizes)}, activation={self.activation!r})"

    def num_params(self) -> int:
        """The number of trainable numbers."""
        return sum(p.size for p in self.params)

    def forward(self, X, train: bool = False) -> np.ndarray:
        """The logits (N, K), of the network's dtype, for a float array X of shape (N, d);
        ``train=True`` switches dropout on."""
        A = as_batch(X, self.sizes[0], self.dtype)
        for layer in self.layers:
            A = layer.forward(A, train)
        return A

    def backward(self, grad_logits) -> list[np.ndarray]:
        """Backpropagate ``grad_logits`` (N, K), the gradient of the loss with respect to the
        logits of the last :meth:`forward`; return the gradients, matching :attr:`params`."""
        g = np.asarray(grad_logits, dtype=self.dtype)
        for layer in reversed(self.layers):
            g = layer.backward(g)
        return [grad for layer in self.layers for grad in layer.grads]

    def loss_and_grads(self, X, y, *, l2: float = 0.0, train: bool = True):
        """Mean cross-entropy of the batch (plus ``l2 / 2`` times the squared weights) and its
        gradient with respect to every parameter.

        Parameters
        ----------
        X : float array (N, d);  y : int array (N,), values in [0, K)
        l2 : float
            L2 regularization strength (weight matrices only, not biases).
        train : bool
            Training mode (dropout active).

        Returns
        -------
        (loss, grads) : float and a list of arrays matching :attr:`params`; ``(nan, None)`` when
        the logits overflowed (a diverging run), so the caller can report it.
        """
        X = as_batch(X, self.sizes[0], self.dtype)
        y = as_labels(y, self.sizes[-1], len(X))
        logits = self.forward(X, train)
        if not np.all(np.isfinite(logits)):
            return float("nan"), None
        loss = losses.cross_entropy(logits, y)
        grads = self.backward(losses.cross_entropy_grad(logits, y))
        if l2:
            loss += 0.5 * l2 * sum(float(np.sum(p * p)) for p in self.params if p.ndim == 2)
            grads = [g + l2 * p if p.ndim == 2 else g for p, g in zip(self.params, grads)]
        return loss, grads

    def predict_logits(self, X) -> np.ndarray:
        """Logits (N, K) in test mode, on one thread of the matrix library (as in training)."""
        with linalg.blas_threads(1):
            return self.forward(X)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (N, K), float64: :func:`helpers.losses.softmax` of the logits."""
        return losses.softmax(self.predict_logits(X))

    def hidden(self, X) -> list[np.ndarray]:
        """The output of every hidden activation for a batch X (N, d) in test mode: a list of
        arrays (N, h_1), (N, h_2), ..."""
        A, out = as_batch(X, self.sizes[0], self.dtype), []
        for layer in self.layers[:-1]:
            A = layer.forward(A)
            if isinstance(layer, _Activation):
                out.append(A)
        return out

    def copy_params(self) -> list[np.ndarray]:
        """A copy of every parameter array (to restore later with :meth:`set_params`)."""
        return [p.copy() for p in self.params]

    def set_params(self, values) -> None:
        """Overwrite the parameters in place with ``values`` (a list matching :attr:`params`)."""
        if len(values) != len(self.params):
            raise ValueError(f"got {len(values)} arrays for {len(self.params)} parameters")
        for i, (p, v) in enumerate(zip(self.params, values)):
            if np.shape(v) != p.shape:
                raise ValueError(f"params[{i}] has shape {p.shape} but the new value has shape "
                                 f"{np.shape(v)}")
            p[...] = v
