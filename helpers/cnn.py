"""Convolutional networks from the book's parts: convolution, pooling and reshaping layers.

The layers here have the interface of :mod:`helpers.nn` (``forward(X, train=False)``,
``backward(dY)``, ``params``, ``grads``), so they stack with :class:`helpers.nn.Linear` and
:class:`helpers.nn.ReLU` inside a :class:`helpers.normalization.Network`, which puts the softmax
cross-entropy on top; the optimizers of :mod:`helpers.optim` train them. The functions are those of
:mod:`helpers.conv` (and the tests check that they agree to rounding):

* :class:`Conv2D`: the function ``conv.conv2d(X, K, b, padding=p)`` (stride 1), computed as one
  matrix product of the kernels with the *transposed* im2col matrix (one row per kernel weight,
  one column per output position), which makes the activations channel-major in memory and spares
  the copies between layers (see its notes); the forward pass keeps that matrix for the kernel
  gradient, and the first layer of a network skips the input gradient (its input is data);
* :class:`MaxPool2D`: ``conv.maxpool2d`` with windows that tile the image (stride = window); the
  backward pass sends each window's gradient to its maximum (the first one in row-major order if
  there is a tie), exactly as ``conv.maxpool2d_backward``;
* :class:`Reshape` and :class:`Flatten`: rows of pixels to images (N, C, H, W) and back.

:func:`lenet` builds the book's MNIST model (conv 5 x 5, ReLU, pool 2, conv 5 x 5, ReLU, pool 2,
dense), :func:`fit` trains any such network with mini-batches, :func:`predict_logits` and
:func:`accuracy` evaluate it in chunks, :func:`layer_table` lists every layer's output shape and
parameter count, and :func:`feature_maps` returns the output of every layer for a few images.

Shapes: images are batch-first (N, C, H, W) as in :mod:`helpers.conv`; the network's input is
one image per row (N, C * H * W), like every network of the book.
"""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import conv, linalg, nn
from .normalization import Network
from .optim import Optimizer, check_loss
from .validation import as_batch, as_generator, as_labels, require_positive_int

__all__ = ["Conv2D", "MaxPool2D", "Reshape", "Flatten", "lenet", "lenet_flops", "layer_table",
           "feature_maps", "fit", "predict_logits", "accuracy", "save_lenet", "load_lenet",
           "copy_threads", "SAVED_WEIGHTS", "SAVED_RECORD"]

# The trained MNIST model of the series-6 notebook, made by tests/benchmarks/cnn_mnist.py, and the
# record of how (seeds, recipe, accuracy, time, machine).
SAVED_WEIGHTS = Path(__file__).resolve().parent.parent / "data" / "precomputed" / "cnn_mnist.npz"
SAVED_RECORD = SAVED_WEIGHTS.with_suffix(".json")


def _float_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


# --------------------------------------------------------------------------- threads for copies

# The matrix products run on the matrix library's threads; the copies and elementwise passes of the
# layers (building P, adding it back, pooling) are numpy operations, one thread each. Inside
# ``copy_threads(n)`` the layers split those over the batch axis into n parts and run them on n
# threads (numpy releases Python's lock while it copies), each part writing its own examples: the
# results are identical, element by element, to the one-thread computation.
# Below ``min_work`` (about 256k numbers to copy or compare) a thread costs more than it saves.
_COPY = {"threads": 1, "executor": None, "min_work": 1 << 18}


@contextlib.contextmanager
def copy_threads(n: int | None):
    """Within the block, the layers' copies and elementwise passes use ``n`` threads (None or 1:
    one thread). :func:`fit` uses it with its ``threads``."""
    n = 1 if n is None else require_positive_int(n, "n")
    saved = dict(_COPY)
    executor = ThreadPoolExecutor(max_workers=n - 1) if n > 1 else None
    _COPY.update(threads=n, executor=executor)
    try:
        yield
    finally:
        _COPY.update(saved)
        if executor is not None:
            executor.shutdown()


def _by_batch(fn, N: int, work: int) -> None:
    """Call ``fn(lo, hi)`` on consecutive ranges of examples covering 0..N, on the copy threads if
    there are several and the ``work`` (numbers to copy or compare) is worth it."""
    n = min(_COPY["threads"], N)
    if n <= 1 or work < _COPY["min_work"]:
        fn(0, N)
        return
    bounds = [N * i // n for i in range(n + 1)]
    futures = [_COPY["executor"].submit(fn, lo, hi) for lo, hi in zip(bounds[1:-1], bounds[2:])]
    fn(bounds[0], bounds[1])                      # the first part on this thread
    for f in futures:
        f.result()


# --------------------------------------------------------------------------- layers

class Conv2D:
    """A convolution layer, stride 1: the same function as ``conv.conv2d(X, K, b, padding=padding)``.

    Parameters
    ----------
    c_in, c_out : int, input and output channels
    k : int, the kernel is k x k
    padding : int >= 0 (zeros)
    rng, init, dtype
        As in :func:`helpers.nn.init_weights`, with fan-in ``c_in * k * k`` (one output is a dot
        product of that many inputs); the bias starts at zero.

    Attributes
    ----------
    K : ndarray (c_out, c_in, k, k);  b : ndarray (c_out,)
    params : [K, b];  grads : [dK, db] after :meth:`backward`
    input_grad : bool
        Whether :meth:`backward` returns ``dX``; the first layer of a network does not need it.

    Notes
    -----
    The product is ``K_mat @ P`` with ``K_mat = K.reshape(c_out, -1)`` and the *channel-major*
    patch matrix ``P`` (c_in k k, N H_out W_out), the transpose of ``conv.im2col(X)``: row
    ``(c, a, e)`` of ``P`` holds pixel ``(c, i + a, j + e)`` of every image n and position (i, j).
    Building ``P`` copies runs of ``W_out`` neighbouring pixels at a time (``conv.im2col`` copies
    runs of ``kw``), and the product comes out as (c_out, N, H_out, W_out): the layer returns it as
    an (N, c_out, H_out, W_out) *view* (channel-major in memory), which ReLU, pooling and the next
    layer's ``P`` read without copying it into batch-major order. The forward pass keeps ``P`` for
    the kernel gradient ``dK = G P^T``; the input gradient adds the rows of ``K_mat^T G`` back onto
    the pixels they came from (``conv.col2im`` in this layout), with ``G`` (c_out, N H_out W_out)
    the gradient of the output, padded with zero columns to the input's width so that every
    addition is one contiguous block per image (see the comment in :meth:`backward`).
    """

    def __init__(self, c_in: int, c_out: int, k: int, *, padding: int = 0, rng=0, init="he",
                 dtype=np.float32):
        c_in, c_out, k = (require_positive_int(v, name) for v, name in
                          ((c_in, "c_in"), (c_out, "c_out"), (k, "k")))
        if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
            raise ValueError(f"padding must be a non-negative integer, got {padding!r}")
        self.padding = int(padding)
        W = nn.init_weights(c_in * k * k, c_out, rng=rng, init=init, dtype=_float_dtype(dtype))
        self.K = np.ascontiguousarray(W.T.reshape(c_out, c_in, k, k))   # row o of W.T is filter o
        self.b = np.zeros(c_out, dtype=self.K.dtype)
        self.params = [self.K, self.b]
        self.grads = [np.zeros_like(self.K), np.zeros_like(self.b)]
        self.input_grad = True

    def __repr__(self) -> str:
        c_out, c_in, k, _ = self.K.shape
        return f"Conv2D({c_in}, {c_out}, {k}" + (f", padding={self.padding})" if self.padding else ")")

    def forward(self, X, train: bool = False) -> np.ndarray:
        """X (N, c_in, H, W) -> Y (N, c_out, H_out, W_out), ``H_out = H + 2 padding - k + 1``."""
        c_out, c_in, k, _ = self.K.shape
        if np.ndim(X) != 4 or X.shape[1] != c_in:
            raise ValueError(f"{self!r} expects images of shape (N, {c_in}, H, W), got shape "
                             f"{np.shape(X)}")
        N, _, H, W = X.shape
        Ho, Wo = conv.output_size(H, k, self.padding), conv.output_size(W, k, self.padding)
        Xp = conv.pad(X, self.padding)
        windows = sliding_window_view(Xp, (k, k), axis=(2, 3))       # (N, c_in, Ho, Wo, k, k), a view
        source = windows.transpose(1, 4, 5, 0, 2, 3)                   # (c_in, k, k, N, Ho, Wo), a view
        P = np.empty(source.shape, dtype=Xp.dtype)
        _by_batch(lambda lo, hi: np.copyto(P[:, :, :, lo:hi], source[:, :, :, lo:hi]), N, P.size)  # one copy
        self._P = P.reshape(c_in * k * k, N * Ho * Wo)
        self._X_shape = X.shape
        Y = self.K.reshape(c_out, -1) @ self._P                        # (c_out, N Ho Wo)
        Y += self.b[:, None]
        return Y.reshape(c_out, N, Ho, Wo).transpose(1, 0, 2, 3)

    def backward(self, dY) -> np.ndarray | None:
        """Store ``dK`` (c_out, c_in, k, k) and ``db`` (c_out,); return ``dX`` (N, c_in, H, W), or
        None if ``input_grad`` is False. ``dY`` is the gradient of the output (N, c_out, H_out, W_out)."""
        c_out, c_in, k, _ = self.K.shape
        N, _, H, W = self._X_shape
        Ho, Wo = dY.shape[2:]
        G = dY.transpose(1, 0, 2, 3).reshape(c_out, N * Ho * Wo)      # free if dY is channel-major
        self.grads = [(G @ self._P.T).reshape(self.K.shape), G.sum(axis=1)]
        if not self.input_grad:
            return None
        # dP = K_mat^T G, each row added back onto the pixels it was copied from (col2im). To make
        # these additions long and contiguous, G gets the full padded width Wp (zeros in the
        # columns j >= Wo, which read past the image): then output (i, j) and kernel offset (a, e)
        # meet pixel (i + a) Wp + (j + e) of the flattened padded image, so offset (a, e) adds one
        # contiguous block of Ho Wp numbers per image, starting at a Wp + e.
        p = self.padding
        Hp, Wp = H + 2 * p, W + 2 * p
        G_wide = np.zeros((c_out, N, Ho, Wp), dtype=G.dtype)
        G_wide[..., :Wo] = G.reshape(c_out, N, Ho, Wo)
        dP = (self.K.reshape(c_out, -1).T @ G_wide.reshape(c_out, -1)).reshape(c_in, k, k, N, Ho * Wp)
        dXp = np.zeros((c_in, N, Hp * Wp + k - 1), dtype=dP.dtype)   # k - 1 spare: the zero columns

        def add_back(lo, hi):               # k * k shifted additions, each over examples lo..hi
            for a in range(k):
                for e in range(k):
                    start = a * Wp + e
                    dXp[:, lo:hi, start:start + Ho * Wp] += dP[:, a, e, lo:hi]

        _by_batch(add_back, N, dP.size)
        dXp = dXp[:, :, :Hp * Wp].reshape(c_in, N, Hp, Wp)
        return dXp[:, :, p:p + H, p:p + W].transpose(1, 0, 2, 3)


class MaxPool2D:
    """Max pooling over non-overlapping ``size`` x ``size`` windows: ``conv.maxpool2d(X, size)``.

    Forward: (N, C, H, W) -> (N, C, H // size, W // size); rows and columns that do not fill a
    window are dropped. Backward: each window's gradient goes to the position of its maximum, the
    first in row-major order if several entries tie (as ``conv.maxpool2d_backward``); every other
    pixel gets 0. Both passes work on the ``size * size`` strided views "entry (a, e) of every
    window", so they keep the memory order of their input (no copy into another layout).
    """

    params = grads = ()

    def __init__(self, size: int = 2):
        self.size = require_positive_int(size, "size")

    def __repr__(self) -> str:
        return f"MaxPool2D({self.size})"

    def _entries(self, X):
        s = self.size
        Ho, Wo = X.shape[2] // s, X.shape[3] // s
        for a in range(s):
            for e in range(s):
                yield X[:, :, a:a + s * Ho:s, e:e + s * Wo:s]

    def forward(self, X, train: bool = False) -> np.ndarray:
        """The largest entry of every window: (N, C, H // size, W // size)."""
        s = self.size
        if np.ndim(X) != 4 or X.shape[2] < s or X.shape[3] < s:
            raise ValueError(f"{self!r} expects images of shape (N, C, H, W) with H, W >= {s}, got "
                             f"shape {np.shape(X)}")
        views = list(self._entries(X))
        Y = np.empty_like(views[0])                          # the memory order of X
        dtype = np.uint8 if len(views) < 256 else np.int64
        where = np.empty_like(Y, dtype=dtype)

        def pool(lo, hi):
            y, w = Y[lo:hi], where[lo:hi]
            np.copyto(y, views[0][lo:hi])
            for entries in views[1:]:
                np.maximum(y, entries[lo:hi], out=y)
            # The position of each window's first maximum, from the back:
            # w = ne_0 (1 + ne_1 (1 + ... (1 + ne_{m-2}))) with ne_k = (entry k != maximum), which
            # is 0 if entry 0 is the maximum, else 1 if entry 1 is, and so on (m = size * size).
            w[...] = 0
            for entries in views[-2::-1]:
                w += 1
                w *= entries[lo:hi] != y

        _by_batch(pool, len(Y), where.size * len(views))
        self._where = where
        self._X_shape, self._X = X.shape, X
        return Y

    def backward(self, dY) -> np.ndarray:
        """dY (N, C, Ho, Wo) -> dX (N, C, H, W): dY at each window's first maximum, 0 elsewhere."""
        s = self.size
        N, C, H, W = self._X_shape
        whole = H % s == 0 and W % s == 0                  # every pixel lies in a window
        make = np.empty_like if whole else np.zeros_like
        dX = make(self._X, dtype=dY.dtype)    # the memory order of X
        targets = list(self._entries(dX))

        def route(lo, hi):
            for position, target in enumerate(targets):
                np.multiply(dY[lo:hi], self._where[lo:hi] == position, out=target[lo:hi])

        _by_batch(route, N, dX.size)
        return dX


class Reshape:
    """Rows to images: (N, prod(shape)) -> (N, *shape); backward reshapes the gradient back.

    ``Reshape((1, 28, 28))`` turns rows of 784 MNIST pixels into one-channel images.
    """

    params = grads = ()

    def __init__(self, shape):
        self.shape = tuple(require_positive_int(v, "shape entries") for v in shape)

    def __repr__(self) -> str:
        return f"Reshape({self.shape})"

    def forward(self, X, train: bool = False) -> np.ndarray:
        if int(np.prod(X.shape[1:])) != int(np.prod(self.shape)):
            raise ValueError(f"{self!r} cannot reshape a batch of shape {X.shape}: each example "
                             f"must have {int(np.prod(self.shape))} entries")
        self._in_shape = X.shape
        return X.reshape((X.shape[0],) + self.shape)

    def backward(self, dY) -> np.ndarray | None:
        return None if dY is None else dY.reshape(self._in_shape)   # None: the data needs none


class Flatten:
    """Images to rows: (N, C, H, W) -> (N, C * H * W), in the order (channel, row, column)."""

    params = grads = ()

    def __repr__(self) -> str:
        return "Flatten()"

    def forward(self, X, train: bool = False) -> np.ndarray:
        self._in_shape = X.shape
        return X.reshape(X.shape[0], -1)

    def backward(self, dY) -> np.ndarray:
        return dY.reshape(self._in_shape)


# --------------------------------------------------------------------------- the model

def lenet(channels=(16, 32), *, hidden=(), kernel: int = 5, image: int = 28, n_classes: int = 10,
          rng=0, dtype=np.float32) -> Network:
    """A LeNet-like network on one-channel ``image`` x ``image`` images given as rows of pixels.

    Layers: Reshape to (1, image, image); for each entry c of ``channels``: Conv2D (kernel x
    kernel, no padding, c output channels), ReLU, MaxPool2D(2); then Flatten, a dense layer
    (:class:`helpers.nn.Linear`) and ReLU for each width in ``hidden``, and a dense layer to
    ``n_classes`` logits. All weights are He-initialized from
    ``rng`` in layer order; the first convolution does not compute an input gradient.

    Returns
    -------
    helpers.normalization.Network with ``n_in = image * image``.
    """
    rng = as_generator(rng)
    dtype = _float_dtype(dtype)
    layers, c_prev, size = [Reshape((1, image, image))], 1, image
    for c in channels:
        size = conv.output_size(size, kernel) // 2
        if size < 1:
            raise ValueError(f"channels {tuple(channels)} with {kernel} x {kernel} kernels shrink "
                             f"{image} x {image} images to nothing")
        layers += [Conv2D(c_prev, c, kernel, rng=rng, dtype=dtype), nn.ReLU(), MaxPool2D(2)]
        c_prev = c
    layers.append(Flatten())
    width = c_prev * size * size
    for h in hidden:
        layers += [nn.Linear(width, require_positive_int(h, "hidden widths"), rng=rng, dtype=dtype),
                   nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, n_classes, rng=rng, dtype=dtype))
    layers[1].input_grad = False
    return Network(layers, image * image, dtype)


def save_lenet(model: Network, path, channels, hidden=()) -> None:
    """Save the parameters of a :func:`lenet` model (and its ``channels`` and ``hidden``) to an
    ``.npz`` file: arrays ``channels``, ``hidden`` and ``param_0``, ``param_1``, ... in the order
    of ``model.params``."""
    np.savez_compressed(path, channels=np.asarray(channels, dtype=np.int64),
                        hidden=np.asarray(hidden, dtype=np.int64),
                        **{f"param_{i}": p for i, p in enumerate(model.params)})


def load_lenet(path, *, dtype=np.float64) -> Network:
    """The :func:`lenet` model saved by :func:`save_lenet`, with its parameters converted to
    ``dtype`` (float32 values are exact in float64)."""
    with np.load(path) as f:
        channels = tuple(int(c) for c in f["channels"])
        hidden = tuple(int(h) for h in f["hidden"])
        model = lenet(channels, hidden=hidden, dtype=dtype)
        values = [f[f"param_{i}"] for i in range(len(model.params))]
    for i, (p, v) in enumerate(zip(model.params, values)):
        if v.shape != p.shape:
            raise ValueError(f"{path}: param_{i} has shape {v.shape}, but lenet({channels}, "
                             f"hidden={hidden}) needs {p.shape}")
        p[...] = v
    return model


def lenet_flops(channels=(16, 32), *, hidden=(), kernel: int = 5, image: int = 28,
                n_classes: int = 10) -> dict:
    """FLOPs per example of the matrix products of :func:`lenet`: ``forward`` and ``training``
    (forward, plus the weight gradient of every layer, plus the input gradient of every layer but
    the first)."""
    forward, training, c_prev, size = 0, 0, 1, image
    for i, c in enumerate(channels):
        out = conv.output_size(size, kernel)
        f = conv.conv2d_flops((1, c_prev, size, size), (c, c_prev, kernel, kernel))
        forward += f
        training += (2 if i == 0 else 3) * f
        c_prev, size = c, out // 2
    widths = [c_prev * size * size, *hidden, n_classes]
    for a, b in zip(widths[:-1], widths[1:]):
        f = linalg.matmul_flops((1, a), (a, b))
        forward, training = forward + f, training + 3 * f
    return {"forward": forward, "training": training}


def _name(layer) -> str:
    if isinstance(layer, nn.Linear):
        return f"Linear({layer.W.shape[0]}, {layer.W.shape[1]})"
    if type(layer).__repr__ is object.__repr__:
        return type(layer).__name__
    return repr(layer)


def layer_table(model: Network) -> list[tuple[str, tuple, int]]:
    """(layer, output shape of one example, parameter count) for every layer of ``model``,
    found by sending one zero image through it."""
    A = np.zeros((1, model.n_in), dtype=model.dtype)
    rows = []
    for layer in model.layers:
        A = layer.forward(A)
        rows.append((_name(layer), A.shape[1:], sum(p.size for p in layer.params)))
    return rows


def feature_maps(model: Network, X) -> list[np.ndarray]:
    """The output of every layer of ``model`` for the images X (N, n_in), in test mode."""
    A, out = as_batch(X, model.n_in, model.dtype), []
    for layer in model.layers:
        A = layer.forward(A)
        out.append(A)
    return out


# --------------------------------------------------------------------------- training

def fit(model: Network, X, y, optimizer: Optimizer, *, epochs: int = 1, batch_size: int = 128,
        rng=0, schedule=None, max_steps: int | None = None, threads: int | None = 1,
        callback=None) -> dict:
    """Mini-batch training of ``model`` (softmax cross-entropy); the weights change in place.

    Every epoch visits the examples in a new random order (one ``rng.permutation`` per epoch), in
    batches of ``batch_size`` (the last one may be smaller). Each step: forward, loss, backward,
    ``optimizer.step(model.params, grads)``; the loss goes through
    :func:`helpers.optim.check_loss`, so a diverging run stops with a clear message.

    Parameters
    ----------
    model : helpers.normalization.Network (e.g. from :func:`lenet`)
    X : float array (N, n_in);  y : int array (N,)
    optimizer : helpers.optim.Optimizer
    epochs, batch_size : int
    rng : numpy Generator or int seed, the order of the batches
    schedule : callable ``step -> lr``, optional (sets ``optimizer.lr`` before every step)
    max_steps : int, optional; stop after this many steps
    threads : int or None, threads of the matrix library (None leaves it alone). The layers'
        copies run on one thread (or as many as an enclosing :func:`copy_threads` block sets only
        when ``threads`` is 1): measured on 2 cores, a step took 25.2 ms with the products on 2
        threads and the copies on 1, 28.6 ms with 1 and 2, and 28.8 ms with 2 and 2 (the matrix
        library's idle threads keep spinning while the copy threads want the cores).
    callback : callable ``(step, loss)``, optional, called after every step

    Returns
    -------
    dict with ``loss`` (steps,), ``epoch_seconds`` (list) and ``seconds``.
    """
    if not isinstance(model, Network):
        raise TypeError(f"model must be a helpers.normalization.Network, got {type(model).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a helpers.optim optimizer, got {type(optimizer).__name__}")
    X = as_batch(X, model.n_in, model.dtype)
    y = as_labels(y, _n_classes(model), len(X))
    epochs = require_positive_int(epochs, "epochs")
    batch_size = require_positive_int(batch_size, "batch_size")
    rng = as_generator(rng)
    n, losses_, epoch_seconds, step, first = len(X), [], [], 0, None
    start = time.perf_counter()
    copies = _COPY["threads"] if threads in (None, 1) else 1
    with linalg.blas_threads(threads), copy_threads(copies):
        for _ in range(epochs):
            t0 = time.perf_counter()
            order = rng.permutation(n)
            for i in range(0, n, batch_size):
                if max_steps is not None and step >= max_steps:
                    break
                batch = order[i:i + batch_size]
                if schedule is not None:
                    optimizer.lr = schedule(step)
                with np.errstate(over="ignore", invalid="ignore"):
                    loss, grads = model.loss_and_grads(X[batch], y[batch])
                    loss = check_loss(loss, step, optimizer.lr, first)
                    optimizer.step(model.params, grads)
                first = loss if first is None else first
                losses_.append(loss)
                step += 1
                if callback is not None:
                    callback(step, loss)
            epoch_seconds.append(time.perf_counter() - t0)
    return {"loss": np.array(losses_), "epoch_seconds": epoch_seconds,
            "seconds": time.perf_counter() - start}


def _n_classes(model: Network) -> int:
    last = [layer for layer in model.layers if isinstance(layer, nn.Linear)][-1]
    return last.W.shape[1]


def predict_logits(model: Network, X, *, chunk: int = 500) -> np.ndarray:
    """Logits (N, K) of ``model`` in test mode, ``chunk`` images at a time (the im2col matrices of
    a whole test set would not fit in memory), on one thread of the matrix library."""
    X = as_batch(X, model.n_in, model.dtype)
    chunk = require_positive_int(chunk, "chunk")
    with linalg.blas_threads(1):
        return np.concatenate([model.forward(X[i:i + chunk]) for i in range(0, len(X), chunk)])


def accuracy(model: Network, X, y, *, chunk: int = 500) -> float:
    """Fraction of the images X (N, n_in) whose largest logit is the one of their label y (N,)."""
    X = as_batch(X, model.n_in, model.dtype)
    y = as_labels(y, _n_classes(model), len(X))
    if len(y) == 0:
        raise ValueError("accuracy of an empty set is undefined: X has 0 rows")
    return float(np.mean(predict_logits(model, X, chunk=chunk).argmax(axis=1) == y))
