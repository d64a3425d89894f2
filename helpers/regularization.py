"""Regularization for the book's networks: shifted digits, the L1 proximal step, early stopping,
dropout ensembles and training with per-epoch curves.

* :func:`shift_images` and :func:`random_shifts` move images by whole pixels (data augmentation);
* :func:`soft_threshold` (from :mod:`helpers.bayesian`, where Prob/05 derives it) is the proximal step of an L1 penalty, and :class:`ProximalSGD` is
  gradient descent on ``loss + l1 * sum |W|`` that uses it (it sets weights exactly to zero);
* :class:`EarlyStopping` keeps the best validation loss, its epoch and a copy of the weights;
* :func:`dropout_ensemble_proba` averages the class probabilities of many dropout masks;
* :func:`train_with_curves` trains an :class:`helpers.nn.MLP` epoch by epoch (optionally on
  freshly augmented data each epoch) and records training and validation loss and accuracy;
* :func:`load_precomputed_runs` reads the runs that ``tests/benchmarks/regularization_runs.py``
  stores in ``data/precomputed/regularization_runs.json``.

Shapes: ``N`` examples, ``d`` input features (``d = side * side`` for square images), ``K``
classes.
"""

from __future__ import annotations

import json
import math
import numbers
from pathlib import Path

import numpy as np

from . import linalg, losses, training
from .bayesian import soft_threshold  # noqa: F401  (the proximal step of L1; one home, in bayesian)
from .nn import MLP, Dropout
from .optim import SGD, Optimizer
from .validation import as_array, as_batch, as_generator, as_labels, require_positive_int

__all__ = ["shift_images", "random_shifts", "soft_threshold", "ProximalSGD", "EarlyStopping",
           "dropout_ensemble_proba", "train_with_curves", "load_precomputed_runs",
           "PRECOMPUTED_PATH"]

PRECOMPUTED_PATH = (Path(__file__).resolve().parent.parent / "data" / "precomputed"
                    / "regularization_runs.json")


def _side(d: int) -> int:
    side = math.isqrt(d)
    if side * side != d:
        raise ValueError(f"rows of {d} pixels are not square images (784 = 28 x 28 is)")
    return side


# --------------------------------------------------------------------------- augmentation

def shift_images(X, dx, dy, *, fill: float = 0.0) -> np.ndarray:
    """Shift square images by whole pixels, filling the uncovered border with ``fill``.

    Parameters
    ----------
    X : float array (N, side * side), one flattened image per row (MNIST: side = 28)
    dx, dy : int or int array (N,)
        Shift of each image to the right (``dx > 0``) and down (``dy > 0``), in pixels; a
        number shifts every image alike. ``|dx|, |dy| < side``.
    fill : float
        The value of the pixels shifted in (the background: 0 for raw pixels, the standardized
        value of a 0 pixel for standardized ones).

    Returns
    -------
    ndarray (N, side * side) of X's dtype: pixel ``(r, c)`` of the result is pixel
    ``(r - dy, c - dx)`` of the input, or ``fill`` where that lies outside the image.
    """
    X = as_array(X, "X", ndim=2, dtype=None)
    if X.dtype.kind != "f":
        hint = (" (MNIST pixels are uint8: scale them first, e.g. X / 255)"
                if X.dtype.kind in "iu" else "")
        raise TypeError(f"X must be a float array, got dtype {X.dtype}{hint}")
    n, d = X.shape
    side = _side(d)
    shifts = []
    for name, s in (("dx", dx), ("dy", dy)):
        s = np.asarray(s)
        if s.dtype.kind not in "iu":
            raise TypeError(f"{name} must be whole pixels (integers), got dtype {s.dtype}")
        s = np.broadcast_to(s, (n,)) if s.ndim == 0 else s
        if s.shape != (n,):
            raise ValueError(f"{name} has shape {s.shape} but X has {n} images: give one shift "
                             f"per image, shape ({n},), or a single number")
        if n and np.abs(s).max() >= side:
            raise ValueError(f"{name} must be smaller than the image side {side} in size")
        shifts.append(s.astype(np.int64))
    dx, dy = shifts
    images = X.reshape(n, side, side)
    out = np.full_like(images, fill)
    for sx in np.unique(dx):
        for sy in np.unique(dy):
            idx = np.flatnonzero((dx == sx) & (dy == sy))
            if idx.size == 0:
                continue
            src_r = slice(max(0, -sy), side - max(0, sy))
            dst_r = slice(max(0, sy), side - max(0, -sy))
            src_c = slice(max(0, -sx), side - max(0, sx))
            dst_c = slice(max(0, sx), side - max(0, -sx))
            out[idx, dst_r, dst_c] = images[idx, src_r, src_c]
    return out.reshape(n, d)


def random_shifts(X, max_shift: int, rng, *, fill: float = 0.0) -> np.ndarray:
    """Shift every image by its own random ``(dx, dy)``, each drawn uniformly from the integers
    ``-max_shift, ..., max_shift`` (independently); see :func:`shift_images`.

    Parameters
    ----------
    X : float array (N, side * side);  max_shift : int >= 0;  rng : Generator or seed;  fill : float

    Returns
    -------
    ndarray (N, side * side)
    """
    if isinstance(max_shift, bool) or not isinstance(max_shift, numbers.Integral) or max_shift < 0:
        raise ValueError(f"max_shift must be an integer >= 0, got {max_shift!r}")
    X = as_array(X, "X", ndim=2, dtype=None)
    rng = as_generator(rng)
    dx = rng.integers(-max_shift, max_shift + 1, len(X))
    dy = rng.integers(-max_shift, max_shift + 1, len(X))
    return shift_images(X, dx, dy, fill=fill)


# --------------------------------------------------------------------------- L1

class ProximalSGD(SGD):
    """Gradient descent on ``loss + l1 * (sum of |W| over the weight matrices)``, by proximal steps.

    Each step is a plain SGD step on the loss, ``p <- p - lr g``, followed for every weight matrix
    (a 2-D parameter; biases are not penalized) by :func:`soft_threshold` with threshold ``lr * l1``.
    Unlike a subgradient step, ``l1 * sign(W)``, which makes small weights jump back and forth
    across 0, this sets them exactly to 0 (proximal gradient descent, ISTA).

    Parameters
    ----------
    lr : float > 0;  l1 : float >= 0 (``l1 = 0`` is plain SGD)
    """

    def __init__(self, lr: float, l1: float):
        if isinstance(l1, bool) or not isinstance(l1, numbers.Real) or not l1 >= 0 \
                or not math.isfinite(l1):
            raise ValueError(f"l1 must be a finite number >= 0, got {l1!r}")
        self.l1 = float(l1)
        super().__init__(lr)

    def _hyper(self):
        return f"lr={self.lr:g}, l1={self.l1:g}"

    def _update(self, p, g, state):
        p -= self.lr * g
        if p.ndim == 2 and self.l1:
            p[...] = soft_threshold(p, self.lr * self.l1)


# --------------------------------------------------------------------------- early stopping

class EarlyStopping:
    """Bookkeeping for early stopping: the best validation loss so far, its epoch, and a copy of
    the parameters at that epoch.

    Call :meth:`update` after every epoch; it returns True when ``patience`` epochs in a row have
    not improved on the best loss (by more than ``min_delta``): time to stop and restore
    :attr:`best_params`.

    Parameters
    ----------
    patience : int >= 1;  min_delta : float >= 0

    Attributes
    ----------
    best_loss : float (inf before the first update);  best_epoch : int or None (epochs count from 1)
    best_params : list of arrays or None;  epochs_seen : int;  stopped_epoch : int or None
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0):
        self.patience = require_positive_int(patience, "patience")
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real) \
                or not min_delta >= 0:
            raise ValueError(f"min_delta must be a number >= 0, got {min_delta!r}")
        self.min_delta = float(min_delta)
        self.best_loss, self.best_epoch, self.best_params = math.inf, None, None
        self.epochs_seen, self.stopped_epoch = 0, None

    def update(self, val_loss: float, params=None) -> bool:
        """Record the validation loss of the next epoch (and copy ``params``, a list of arrays,
        if it is the best so far); return True when training should stop."""
        val_loss = float(val_loss)
        if math.isnan(val_loss):
            raise ValueError("the validation loss is NaN: training has diverged")
        self.epochs_seen += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epochs_seen
            if params is not None:
                self.best_params = [np.array(p, copy=True) for p in params]
        stop = self.epochs_seen - self.best_epoch >= self.patience
        if stop and self.stopped_epoch is None:
            self.stopped_epoch = self.epochs_seen
        return stop


# --------------------------------------------------------------------------- dropout

def dropout_ensemble_proba(model: MLP, X, n_masks: int) -> np.ndarray:
    """Class probabilities averaged over ``n_masks`` random dropout masks (the ensemble of
    thinned networks that dropout trains), as opposed to the one deterministic test-time pass.

    The layers before the first :class:`helpers.nn.Dropout` do not depend on the mask: they are
    computed once; the rest is computed ``n_masks`` times in training mode, with the masks drawn
    from the dropout layers' own generators.

    Parameters
    ----------
    model : MLP built with ``dropout > 0``;  X : float array (N, d);  n_masks : int >= 1

    Returns
    -------
    ndarray (N, K), float64: the mean of the ``n_masks`` softmax outputs; rows sum to 1.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    n_masks = require_positive_int(n_masks, "n_masks")
    first = next((i for i, layer in enumerate(model.layers) if isinstance(layer, Dropout)), None)
    if first is None:
        raise ValueError("the model has no dropout layer: build it with MLP(..., dropout=p)")
    A = as_batch(X, model.sizes[0], model.dtype)
    for layer in model.layers[:first]:
        A = layer.forward(A)
    total = np.zeros((len(A), model.sizes[-1]))
    for _ in range(n_masks):
        Z = A
        for layer in model.layers[first:]:
            Z = layer.forward(Z, train=True)
        total += losses.softmax(Z)
    return total / n_masks


# --------------------------------------------------------------------------- training

def train_with_curves(model: MLP, X, y, optimizer: Optimizer, *, epochs: int, X_val, y_val,
                      batch_size: int = 100, rng=0, l2: float = 0.0, augment=None,
                      early_stopping: EarlyStopping | None = None, eval_every: int = 1) -> dict:
    """Train ``model`` epoch by epoch with :func:`helpers.training.train` and record, after every
    epoch, the loss and accuracy on the training set and on the validation set.

    Parameters
    ----------
    model : MLP;  X : float array (N, d);  y : int array (N,);  optimizer : helpers.optim optimizer
        (its state carries over from epoch to epoch)
    epochs, batch_size : int
    X_val : float array (M, d);  y_val : int array (M,)
    rng : Generator or seed -- the batch order (and the augmentation, drawn from the same stream)
    l2 : float -- L2 strength, as in :func:`helpers.training.train`
    augment : callable, optional
        ``augment(X, rng) -> X'`` of the same shape, applied to the whole training set at the
        start of every epoch (e.g. ``lambda X, r: random_shifts(X, 2, r, fill=background)``).
        The training curves are measured on the original, unaugmented images.
    early_stopping : EarlyStopping, optional
        Fed the validation loss (and the parameters) after every epoch; training stops when it
        says so. The curves then end at that epoch.
    eval_every : int
        Measure after every ``eval_every``-th epoch and after the last one only (1: every epoch).
        Measuring changes nothing in training; a run that needs only its final numbers is
        faster with ``eval_every=epochs``.

    Returns
    -------
    dict of arrays (one entry per measured epoch): ``train_loss``, ``train_acc``, ``val_loss``,
    ``val_acc`` (losses are the mean cross-entropy without the penalty, in test mode: no
    dropout), and ``epoch`` (the epochs measured, counted from 1).
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    X = as_batch(X, model.sizes[0], model.dtype)
    y = as_labels(y, model.sizes[-1], len(X))
    X_val = as_batch(X_val, model.sizes[0], model.dtype, "X_val")
    y_val = as_labels(y_val, model.sizes[-1], len(X_val), "y_val")
    epochs = require_positive_int(epochs, "epochs")
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a function (X, rng) -> X, got {type(augment).__name__}")
    eval_every = require_positive_int(eval_every, "eval_every")
    rng = as_generator(rng)
    curves = {k: [] for k in ("train_loss", "train_acc", "val_loss", "val_acc", "epoch")}
    with linalg.blas_threads(1):          # one thread, as training.train uses, set once
        for epoch in range(1, epochs + 1):
            X_epoch = X if augment is None else augment(X, rng)
            training.train(model, X_epoch, y, optimizer, epochs=1, batch_size=batch_size,
                           rng=rng, l2=l2, threads=None)
            if epoch % eval_every and epoch != epochs:
                continue
            curves["epoch"].append(epoch)
            for name, (A, b) in (("train", (X, y)), ("val", (X_val, y_val))):
                logits = model.forward(A)
                curves[f"{name}_loss"].append(losses.cross_entropy(logits, b))
                curves[f"{name}_acc"].append(float(np.mean(logits.argmax(axis=1) == b)))
            if early_stopping is not None and early_stopping.update(curves["val_loss"][-1],
                                                                    model.params):
                break
    out = {k: np.array(v) for k, v in curves.items()}
    out["epoch"] = out["epoch"].astype(int)
    return out


def load_precomputed_runs(path=None) -> dict:
    """The runs stored by ``tests/benchmarks/regularization_runs.py`` (a JSON file), with every
    list of numbers turned into a float array."""
    path = PRECOMPUTED_PATH if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: re-create it with "
                                "python tests/benchmarks/regularization_runs.py")

    def arrays(obj):
        if isinstance(obj, dict):
            return {k: arrays(v) for k, v in obj.items()}
        if isinstance(obj, list) and obj and not isinstance(obj[0], (str, dict)):
            return np.array(obj, dtype=float)
        return obj

    return arrays(json.loads(path.read_text()))
