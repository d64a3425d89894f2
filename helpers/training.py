"""Training and evaluating the book's networks: the loop, the MNIST recipe, the measures.

:func:`train` runs mini-batch gradient descent on a :class:`helpers.nn.MLP` with any optimizer of
:mod:`helpers.optim`, shows live progress (:class:`TrainingProgress`) and stops with a clear
message when the loss diverges; :func:`fit_mnist` is the capstone's recipe spelled out.
:func:`accuracy` and :func:`confusion_matrix` evaluate a network, :func:`training_flops` counts the
arithmetic of an epoch, and :func:`draw_loss_curve` and :func:`draw_decision_regions` draw what training did.

Shapes: ``N`` examples, ``d`` input features, ``K`` classes.
"""

from __future__ import annotations

import html
import io
import time

import numpy as np

from . import data, linalg
from .nn import MLP
from .optim import Momentum, Optimizer, check_loss, cosine
from .validation import as_array, as_batch, as_generator, as_labels, require_positive_int

__all__ = ["train", "fit_mnist", "accuracy", "confusion_matrix", "training_flops", "mnist_arrays",
           "draw_loss_curve", "draw_decision_regions", "TrainingProgress"]


# --------------------------------------------------------------------------- training

def train(model: MLP, X, y, optimizer: Optimizer, *, epochs: int, batch_size: int = 128, rng=0,
          schedule=None, l2: float = 0.0, X_eval=None, y_eval=None, progress=None,
          threads: int | None = 1) -> dict:
    """Mini-batch training of ``model`` with cross-entropy loss; the weights change in place.

    Every epoch visits the examples in a new random order (from ``rng``), in batches of
    ``batch_size`` (the last one may be smaller). Each step: forward pass, loss, backward pass,
    ``optimizer.step``. The loss of every step goes through :func:`helpers.optim.check_loss`, so
    a diverging run stops at once with a :class:`helpers.optim.DivergenceError` that names the
    step, the loss and the learning rate.

    Parameters
    ----------
    model : MLP
    X : float array (N, d);  y : int array (N,) of labels in [0, K)
    optimizer : helpers.optim.Optimizer (SGD, Momentum, Adam ...)
    epochs, batch_size : int
    rng : numpy Generator or int seed -- the order of the batches
    schedule : callable, optional
        ``t -> lr`` (e.g. :func:`helpers.optim.cosine`); sets ``optimizer.lr`` before step t.
    l2 : float
        L2 regularization strength.
    X_eval, y_eval : optional
        Held-out data whose accuracy is measured after every epoch.
    progress : None, True or a progress object
        ``True`` displays a new :class:`TrainingProgress` (a live bar and loss curve). Any object
        with the methods ``start(epochs, steps_per_epoch)``, ``update(step, losses_so_far)``,
        ``end_epoch(epoch, history)``, ``finish(history)`` and ``fail(message)`` also works
        (the benchmark prints one line per epoch this way).
    threads : int or None
        Threads of the matrix library during training (1 by default; None leaves it alone). The
        products of a mini-batch are small: extra threads gain little on a quiet machine, lose a
        lot on a busy one, and make the last bits of the results depend on the number of threads.

    Returns
    -------
    dict with ``loss`` (steps,) the loss of every step, ``lr`` (steps,), ``epoch_loss``
    (epochs,) the mean loss of each epoch, ``eval_accuracy`` (epochs,) or None,
    ``epoch_seconds`` (epochs,), ``seconds`` (total) and ``steps_per_epoch``.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a helpers.optim optimizer, got {type(optimizer).__name__}")
    X = as_batch(X, model.sizes[0], model.dtype)
    y = as_labels(y, model.sizes[-1], len(X))
    epochs = require_positive_int(epochs, "epochs")
    batch_size = require_positive_int(batch_size, "batch_size")
    if (X_eval is None) != (y_eval is None):
        raise ValueError("give both X_eval and y_eval, or neither")
    if X_eval is not None:
        X_eval = as_batch(X_eval, model.sizes[0], model.dtype, "X_eval")
        y_eval = as_labels(y_eval, model.sizes[-1], len(X_eval), "y_eval")
    rng = as_generator(rng)
    if progress is True:
        progress = TrainingProgress()
        progress.show()
    n = len(X)
    steps_per_epoch = -(-n // batch_size)
    hist = {"loss": [], "lr": [], "epoch_loss": [], "eval_accuracy": [] if X_eval is not None
            else None, "epoch_seconds": [], "steps_per_epoch": steps_per_epoch}
    if progress is not None:
        progress.start(epochs, steps_per_epoch)
    start = time.perf_counter()
    step, first_loss = 0, None
    try:
        with linalg.blas_threads(threads):
            for epoch in range(epochs):
                t_epoch = time.perf_counter()
                order = rng.permutation(n)
                for i in range(0, n, batch_size):
                    batch = order[i:i + batch_size]
                    if schedule is not None:
                        optimizer.lr = schedule(step)
                    # overflow in a diverging run shows up as a NaN loss, reported by check_loss
                    with np.errstate(over="ignore", invalid="ignore"):
                        loss, grads = model.loss_and_grads(X[batch], y[batch], l2=l2)
                        loss = check_loss(loss, step, optimizer.lr, first_loss)
                        optimizer.step(model.params, grads)
                    first_loss = loss if first_loss is None else first_loss
                    hist["loss"].append(loss)
                    hist["lr"].append(optimizer.lr)
                    step += 1
                    if progress is not None:
                        progress.update(step, hist["loss"])
                hist["epoch_seconds"].append(time.perf_counter() - t_epoch)
                hist["epoch_loss"].append(float(np.mean(hist["loss"][-steps_per_epoch:])))
                if X_eval is not None:
                    hist["eval_accuracy"].append(accuracy(model, X_eval, y_eval))
                if progress is not None:
                    progress.end_epoch(epoch + 1, hist)
    except Exception as exc:
        if progress is not None:
            progress.fail(f"{type(exc).__name__}: {exc}")
        raise
    hist["seconds"] = time.perf_counter() - start
    for key in ("loss", "lr", "epoch_loss", "eval_accuracy", "epoch_seconds"):
        if hist[key] is not None:
            hist[key] = np.array(hist[key])
    if progress is not None:
        progress.finish(hist)
    return hist


def fit_mnist(mnist=None, *, hidden=(256,), epochs: int = 10, batch_size: int = 128,
              lr: float = 0.05, beta: float = 0.9, init_seed: int = 0, order_seed: int = 1,
              eval_on_test: bool = False, progress=None, threads: int | None = 1):
    """Train an MLP on MNIST with the recipe of the training notebook (series 5, notebook 3).

    The network is ``[784, *hidden, 10]`` with ReLU and He initialization (weights drawn from
    ``init_seed``), trained on all 60,000 training images with heavy-ball momentum (``beta``) and a
    cosine learning-rate schedule from ``lr`` down to 0, the batches in the order drawn from
    ``order_seed``. With the defaults this is the book's headline model.

    Parameters
    ----------
    mnist : helpers.data.MNIST, optional
        From :func:`mnist_arrays` (loaded if not given).
    hidden : sequence of int
        Hidden widths.
    epochs, batch_size, lr, beta, init_seed, order_seed
        The recipe.
    eval_on_test : bool
        Measure the test accuracy after every epoch (for watching only; nothing is chosen by it).
    progress, threads
        As in :func:`train`.

    Returns
    -------
    (MLP, dict) : the trained model and the history returned by :func:`train`.
    """
    mnist = mnist_arrays() if mnist is None else mnist
    model = MLP([784, *hidden, 10], activation="relu", init="he", rng=init_seed)
    steps = epochs * -(-len(mnist.x_train) // batch_size)
    evaluation = dict(X_eval=mnist.x_test, y_eval=mnist.y_test) if eval_on_test else {}
    history = train(model, mnist.x_train, mnist.y_train, Momentum(lr, beta=beta), epochs=epochs,
                    batch_size=batch_size, rng=order_seed, schedule=cosine(lr, steps),
                    progress=progress, threads=threads, **evaluation)
    return model, history


# --------------------------------------------------------------------------- evaluation

def accuracy(model: MLP, X, y) -> float:
    """Fraction of the examples (X (N, d), y (N,)) whose largest logit is the one of their label."""
    X = as_batch(X, model.sizes[0], model.dtype)
    y = as_labels(y, model.sizes[-1], len(X))
    if len(y) == 0:
        raise ValueError("accuracy of an empty set is undefined: X has 0 rows")
    return float(np.mean(np.argmax(model.predict_logits(X), axis=1) == y))


def confusion_matrix(y_true, y_pred, num_classes: int = 10) -> np.ndarray:
    """Counts ``C[i, j]`` of examples of true class i predicted as class j.

    Parameters
    ----------
    y_true, y_pred : int arrays of shape (N,), values in [0, num_classes)
    num_classes : int

    Returns
    -------
    ndarray of int64, shape (num_classes, num_classes); row i sums to the number of examples of
    class i, and the diagonal holds the correct predictions.
    """
    K = require_positive_int(num_classes, "num_classes")
    y_true = as_labels(y_true, K, name="y_true")
    y_pred = as_labels(y_pred, K, len(y_true), "y_pred")
    return np.bincount(K * y_true + y_pred, minlength=K * K).reshape(K, K)


def training_flops(sizes, n_examples: int) -> int:
    """Floating-point operations of the matrix products of one training epoch of an MLP.

    Per layer with an (n_in, n_out) weight matrix and N examples: the forward product
    ``X W`` and the weight gradient ``X^T dY`` cost ``2 N n_in n_out`` each (counted with
    :func:`helpers.linalg.matmul_flops`), and the input gradient ``dY W^T`` the same, except in the
    first layer, which does not need it. Elementwise work (activations, the loss, the update)
    grows only like ``N * (sum of the widths)`` and is left out.

    Parameters
    ----------
    sizes : sequence of int, the layer widths [d, h_1, ..., K]
    n_examples : int, the examples in an epoch

    Returns
    -------
    int
    """
    sizes = [require_positive_int(s, "sizes") for s in sizes]
    n = require_positive_int(n_examples, "n_examples")
    return sum((2 if i == 0 else 3) * linalg.matmul_flops((n, a), (a, b))
               for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])))


def mnist_arrays() -> data.MNIST:
    """MNIST ready for a network: rows of 784 float32 pixels and int64 labels.

    Pixels are scaled to [0, 1], then shifted and scaled by the mean and standard deviation of the
    *training* pixels (one number each), so that inputs have mean 0 and variance 1 on the training
    set. Both statistics are computed exactly, in float64, from the histogram of the 256 possible
    pixel values.

    Returns
    -------
    helpers.data.MNIST
        ``x_train`` (60000, 784) float32, ``y_train`` (60000,) int64, ``x_test`` (10000, 784)
        float32, ``y_test`` (10000,) int64.
    """
    x_train, y_train, x_test, y_test = data.load_mnist(flatten=True)      # uint8 pixels
    counts = np.bincount(x_train.ravel(), minlength=256)
    values = np.arange(256) / 255.0
    mean = counts @ values / counts.sum()
    std = np.sqrt(counts @ (values - mean) ** 2 / counts.sum())
    shift, scale = np.float32(255 * mean), np.float32(1 / (255 * std))

    def standardize(x):
        x = x.astype(np.float32)
        x -= shift
        x *= scale
        return x

    return data.MNIST(standardize(x_train), y_train.astype(np.int64), standardize(x_test),
                      y_test.astype(np.int64))


# --------------------------------------------------------------------------- pictures

def draw_loss_curve(ax, step_losses, steps_per_epoch: int, *, eval_accuracy=None,
                    eval_label: str = "held-out accuracy", window: int = 50) -> None:
    """Draw training losses against epochs: every step (light) and a running mean (dark).

    Parameters
    ----------
    ax : matplotlib Axes
    step_losses : array_like (steps,), the loss of every step
    steps_per_epoch : int
    eval_accuracy : array_like (epochs,), optional -- shown on a second axis, in percent
    eval_label : str -- the name of that accuracy in the legend and on its axis
    window : int -- steps in the running mean

    The legend goes below the axes, where it hides nothing.
    """
    from .plotting import COLORS
    loss = np.asarray(step_losses, dtype=float)
    steps_per_epoch = require_positive_int(steps_per_epoch, "steps_per_epoch")
    t = np.arange(1, len(loss) + 1) / steps_per_epoch
    handles = ax.plot(t, loss, color=COLORS["sky"], lw=0.6, alpha=0.6, label="loss of each step")
    w = min(window, len(loss))
    if w >= 2:
        smooth = np.convolve(loss, np.ones(w) / w, mode="valid")
        handles += ax.plot(t[w - 1:], smooth, color=COLORS["blue"], lw=2,
                           label=f"mean of {w} steps")
    if len(loss) and np.all(loss > 0):
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="training loss (cross-entropy)")
    if eval_accuracy is not None and len(eval_accuracy):
        acc = 100 * np.asarray(eval_accuracy, dtype=float)
        ax2 = ax.twinx()
        handles += ax2.plot(np.arange(1, len(acc) + 1), acc, "o-", color=COLORS["vermillion"],
                            lw=1.5, label=f"{eval_label} (right axis)")
        ax2.set_ylabel(f"{eval_label} (%)", color=COLORS["vermillion"])
        ax2.grid(False)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3,
              fontsize=9)


def draw_decision_regions(ax, proba, X, y, *, lim=None, n: int = 200) -> None:
    """Colour the plane by the class a classifier predicts, and draw the data on top.

    Parameters
    ----------
    ax : matplotlib Axes
    proba : callable
        ``proba(points)`` for points of shape (M, 2) returns class probabilities (M, K).
    X : array (N, 2);  y : int array (N,) of classes 0..K-1
    lim : (xmin, xmax, ymin, ymax), optional -- by default the data's range plus a margin
    n : int -- grid points per side
    """
    from matplotlib.colors import ListedColormap
    from .plotting import PALETTE
    X = as_array(X, "X", shape=(None, 2))
    if lim is None:
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.15 * (hi - lo)
        lim = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
    gx, gy = np.meshgrid(np.linspace(lim[0], lim[1], n), np.linspace(lim[2], lim[3], n))
    P = np.asarray(proba(np.column_stack([gx.ravel(), gy.ravel()])))
    K = P.shape[1]
    label = P.argmax(axis=1).reshape(gx.shape)
    ax.contourf(gx, gy, label, levels=np.arange(K + 1) - 0.5, cmap=ListedColormap(PALETTE[:K]),
                alpha=0.25)
    ax.contour(gx, gy, label, levels=np.arange(K) + 0.5, colors="k", linewidths=1)
    for k in range(K):
        ax.scatter(*X[np.asarray(y) == k].T, s=14, color=PALETTE[k], edgecolor="white",
                   linewidth=0.4, label=f"class {k}", zorder=3)
    ax.set(xlim=lim[:2], ylim=lim[2:], xlabel="$x_1$", ylabel="$x_2$")


class TrainingProgress:
    """A live display for :func:`train`: a progress bar, a line of numbers and the loss curve,
    all updated in place (nothing is appended to the output, however long training runs).

    Built from ipywidgets (an ``IntProgress``, an ``HTML`` and an ``Image`` whose PNG is
    replaced), so it works in JupyterLab, Notebook 7 and Colab, and runs silently without a front
    end. The curve is redrawn at the end of every epoch and in between at most every
    ``redraw_seconds``, or less often if drawing is slow: drawing takes at most about a tenth of
    the time, so that watching does not slow training down.
    """

    def __init__(self, *, redraw_seconds: float = 1.0):
        import ipywidgets as ipw
        from matplotlib.figure import Figure
        self.bar = ipw.IntProgress(min=0, max=1, value=0, description="training",
                                   bar_style="info", layout=ipw.Layout(width="420px"))
        self.text = ipw.HTML()
        from .widgets import natural_size
        self.figure = Figure(figsize=(6.0, 3.2), dpi=100, layout="constrained")
        self.image = ipw.Image(format="png", layout=natural_size(self.figure))
        self.widget = ipw.VBox([self.bar, self.text, self.image])
        self.redraw_seconds = float(redraw_seconds)
        self.redraws, self._draw_seconds = 0, 0.0
        self._epochs, self._steps_per_epoch, self._accuracy = 1, 1, None
        self._handle = None

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        from .widgets import widget_bundle
        return widget_bundle(self.widget, self.image.value or None,
                             "[training progress: a live bar and loss curve]")

    def show(self) -> None:
        """Display the live view; when training ends, the display is updated so that what is
        saved with the notebook (and shown by static viewers) is the final loss curve."""
        from IPython.display import display
        self._handle = display(self, display_id=True)

    def _update_display(self) -> None:
        if self._handle is not None:
            self._handle.update(self)

    def start(self, epochs: int, steps_per_epoch: int) -> None:
        self._epochs, self._steps_per_epoch = epochs, steps_per_epoch
        self.bar.max = epochs * steps_per_epoch
        self.bar.value = 0
        self._start = self._last = time.perf_counter()
        self.text.value = "starting ..."

    def update(self, step: int, losses_so_far) -> None:
        """Called after every step; cheap unless it is time to redraw."""
        if time.perf_counter() - self._last >= max(self.redraw_seconds, 10 * self._draw_seconds):
            self._show(step, losses_so_far)

    def end_epoch(self, epoch: int, hist: dict) -> None:
        self._accuracy = list(hist["eval_accuracy"] if hist["eval_accuracy"] is not None else [])
        self._show(epoch * self._steps_per_epoch, hist["loss"])

    def finish(self, hist: dict) -> None:
        self.bar.bar_style = "success"
        self.text.value += " &middot; done"
        self._update_display()

    def fail(self, message: str) -> None:
        self.bar.bar_style = "danger"
        self.text.value = (f'<span style="color:#b2182b"><b>stopped</b>: '
                           f"{html.escape(message)}</span>")
        self._update_display()

    def _show(self, step: int, losses_so_far) -> None:
        """Update the bar and the numbers, and redraw the curve."""
        t0 = time.perf_counter()
        self.bar.value = step
        epoch = min(-(-step // self._steps_per_epoch), self._epochs)
        recent = float(np.mean(losses_so_far[-self._steps_per_epoch:]))
        accs = self._accuracy
        acc = f" &middot; held-out accuracy {100 * accs[-1]:.2f}%" if accs else ""
        self.text.value = (f"epoch {epoch}/{self._epochs} &middot; step {step}/{self.bar.max} "
                           f"&middot; loss {recent:.4f}{acc} &middot; {t0 - self._start:.1f} s")
        fig = self.figure
        fig.clf()
        ax = fig.subplots()
        draw_loss_curve(ax, losses_so_far, self._steps_per_epoch, eval_accuracy=accs)
        ax.set_xlim(0, self._epochs)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        self.image.value = buf.getvalue()
        self.redraws += 1
        self._last = time.perf_counter()
        self._draw_seconds = self._last - t0
