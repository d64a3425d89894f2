"""Tests of helpers.training: the training loop's behaviour, divergence reporting, progress,
the MNIST recipe, evaluation, FLOP counts and the pictures of training.

Reference values come from independent code (explicit loops, closed forms), never from the code
under test.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

from helpers import data, nn, optim, training


@pytest.fixture(scope="module")
def mnist():
    return training.mnist_arrays()


def test_train_rejects_bad_arguments():
    model = nn.MLP((4, 5, 3), rng=0)
    X, y = np.zeros((6, 4), np.float32), np.zeros(6, np.int64)
    with pytest.raises(TypeError, match="helpers.optim optimizer"):
        training.train(model, X, y, "sgd", epochs=1)
    with pytest.raises(TypeError, match="must be an MLP"):
        training.train("model", X, y, optim.SGD(0.1), epochs=1)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        training.train(model, X, y, optim.SGD(0.1), epochs=0)
    with pytest.raises(ValueError, match="X_eval and y_eval"):
        training.train(model, X, y, optim.SGD(0.1), epochs=1, X_eval=X)
    with pytest.raises(ValueError, match=r"X_eval has shape \(6, 5\)"):
        training.train(model, X, y, optim.SGD(0.1), epochs=1, X_eval=np.zeros((6, 5)), y_eval=y)
    with pytest.raises(ValueError, match=r"y\[0\] = 7 is out of range"):
        training.train(model, X, np.full(6, 7), optim.SGD(0.1), epochs=1)


# ---------------------------------------------------------------- training

class Recorder:
    """A progress object that records what train() reports."""

    def __init__(self):
        self.calls = []

    def start(self, epochs, steps_per_epoch):
        self.calls.append(("start", epochs, steps_per_epoch))

    def update(self, step, losses_so_far):
        self.calls.append(("update", step))

    def end_epoch(self, epoch, hist):
        self.calls.append(("end_epoch", epoch))

    def finish(self, hist):
        self.calls.append(("finish",))

    def fail(self, message):
        self.calls.append(("fail", message))


def test_training_lowers_the_loss_on_a_small_problem():
    X, y = data.make_moons(200, noise=0.1, seed=0)
    model = nn.MLP((2, 16, 2), rng=0)
    rec = Recorder()
    hist = training.train(model, X, y, optim.Momentum(0.1), epochs=30, batch_size=20, rng=1,
                    X_eval=X, y_eval=y, progress=rec)
    assert hist["loss"].shape == (300,) and hist["steps_per_epoch"] == 10
    assert hist["epoch_loss"].shape == (30,) and hist["eval_accuracy"].shape == (30,)
    assert hist["epoch_loss"][-1] < 0.5 * hist["epoch_loss"][0]
    assert hist["eval_accuracy"][-1] > 0.95 > hist["eval_accuracy"][0] - 0.2
    assert rec.calls[0] == ("start", 30, 10) and rec.calls[-1] == ("finish",)
    assert sum(c[0] == "update" for c in rec.calls) == 300
    assert [c[1] for c in rec.calls if c[0] == "end_epoch"] == list(range(1, 31))


def test_training_on_an_mnist_subset_learns(mnist):
    X, y = mnist.x_train[:2000], mnist.y_train[:2000]
    model = nn.MLP((784, 64, 10), rng=0)
    before = training.accuracy(model, mnist.x_test[:1000], mnist.y_test[:1000])
    hist = training.train(model, X, y, optim.Momentum(0.05), epochs=3, batch_size=64, rng=0)
    after = training.accuracy(model, mnist.x_test[:1000], mnist.y_test[:1000])
    assert hist["epoch_loss"][-1] < hist["epoch_loss"][0] < hist["loss"][0]
    assert before < 0.3 and after > 0.8


def test_training_is_deterministic_and_the_last_batch_is_partial():
    X, y = data.make_blobs(25, centers=((-1, 0), (1, 0), (0, 2)), seed=0)   # 75 examples
    runs = []
    for _ in range(2):
        model = nn.MLP((2, 8, 3), rng=5)
        hist = training.train(model, X, y, optim.Adam(0.01), epochs=2, batch_size=32, rng=7)
        runs.append((hist["loss"], model.copy_params()))
    assert hist["steps_per_epoch"] == 3              # 32 + 32 + 11
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)


def test_fit_mnist_is_the_recipe_spelled_out(mnist):
    m = mnist
    small = data.MNIST(m.x_train[:1000], m.y_train[:1000], m.x_test[:300], m.y_test[:300])
    model, hist = training.fit_mnist(small, hidden=(32,), epochs=2, eval_on_test=True)
    ref = nn.MLP([784, 32, 10], activation="relu", init="he", rng=0)
    steps = 2 * 8                                     # 1000 images in batches of 128: 8 per epoch
    ref_hist = training.train(ref, small.x_train, small.y_train, optim.Momentum(0.05, beta=0.9),
                        epochs=2, batch_size=128, rng=1, schedule=optim.cosine(0.05, steps))
    np.testing.assert_array_equal(hist["loss"], ref_hist["loss"])
    for a, b in zip(model.params, ref.params):
        np.testing.assert_array_equal(a, b)
    assert hist["eval_accuracy"][-1] == training.accuracy(model, small.x_test, small.y_test)
    assert hist["lr"][0] == 0.05 and hist["lr"][-1] < 0.05 * 0.01


def test_schedule_sets_the_learning_rate_of_each_step():
    X, y = data.make_moons(40, seed=0)
    model = nn.MLP((2, 4, 2), rng=0)
    sched = optim.cosine(0.1, 8)
    hist = training.train(model, X, y, optim.SGD(0.1), epochs=2, batch_size=10, rng=0, schedule=sched)
    np.testing.assert_allclose(hist["lr"], [sched(t) for t in range(8)])


def test_divergence_is_reported_with_step_and_learning_rate():
    X, y = data.make_blobs(50, centers=((-3, 0), (3, 0)), std=0.5, seed=0)
    X = X * 100.0
    model = nn.MLP((2, 32, 2), init=1.0, rng=0)
    rec = Recorder()
    with pytest.raises(optim.DivergenceError, match=r"step \d+ with (learning rate )?lr=1000"):
        training.train(model, X, y, optim.SGD(1000.0), epochs=20, batch_size=10, rng=0, progress=rec)
    assert rec.calls[-1][0] == "fail" and "DivergenceError" in rec.calls[-1][1]


def test_nonfinite_logits_give_nan_loss_not_a_crash():
    model = nn.MLP((2, 3, 2), rng=0)
    model.params[0][:] = np.inf
    with np.errstate(invalid="ignore", over="ignore"):
        loss, grads = model.loss_and_grads(np.ones((2, 2)), np.array([0, 1]))
    assert np.isnan(loss) and grads is None


def test_training_progress_widget_updates_in_place():
    X, y = data.make_moons(100, seed=0)
    model = nn.MLP((2, 8, 2), rng=0)
    progress = training.TrainingProgress(redraw_seconds=0.0)
    training.train(model, X, y, optim.SGD(0.1), epochs=2, batch_size=50, rng=0, X_eval=X, y_eval=y,
             progress=progress)
    assert progress.bar.value == progress.bar.max == 4
    assert progress.bar.bar_style == "success" and "done" in progress.text.value
    assert progress.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert progress.redraws >= 2 and len(progress.widget.children) == 3     # at least every epoch
    assert "training progress" in progress._repr_mimebundle_()["text/plain"]
    progress.fail("DivergenceError: boom <b>")
    assert progress.bar.bar_style == "danger" and "&lt;b&gt;" in progress.text.value


# ---------------------------------------------------------------- evaluation

def test_accuracy_of_a_hand_made_network():
    # a network with no hidden layer, W = identity, b = 0 predicts the largest input
    model = nn.MLP((3, 3), rng=0, dtype=np.float64)
    model.set_params([np.eye(3), np.zeros(3)])
    X = np.array([[3.0, 1, 2], [0, 5, 1], [1, 2, 9], [7, 0, 0]])
    y = np.array([0, 1, 1, 0])
    assert training.accuracy(model, X, y) == 0.75
    with pytest.raises(ValueError, match="empty"):
        training.accuracy(model, X[:0], y[:0])


def test_confusion_matrix_counts_like_a_loop():
    rng = np.random.default_rng(0)
    t, p = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    expected = np.zeros((4, 4), int)
    for a, b in zip(t, p):
        expected[a, b] += 1
    C = training.confusion_matrix(t, p, 4)
    np.testing.assert_array_equal(C, expected)
    assert C.sum() == 300 and np.trace(C) == np.sum(t == p)
    with pytest.raises(ValueError, match=r"y_pred\[\d+\] = 4 is out of range"):
        training.confusion_matrix(t, np.full(300, 4), 4)
    with pytest.raises(ValueError, match=r"y_pred has shape \(5,\)"):
        training.confusion_matrix(t, p[:5], 4)


def test_training_flops_counts_each_product():
    # by hand: layer 1 (784x512): forward + weight gradient; layer 2 (512x10): three products
    n = 100
    expected = 2 * (2 * n * 784 * 512) + 3 * (2 * n * 512 * 10)
    assert training.training_flops((784, 512, 10), n) == expected
    with pytest.raises(ValueError):
        training.training_flops((784, 0, 10), n)


def test_mnist_arrays_are_standardized_float32(mnist):
    m = mnist
    assert m.x_train.shape == (60000, 784) and m.x_test.shape == (10000, 784)
    assert m.x_train.dtype == np.float32 and m.y_train.dtype == np.int64
    assert abs(float(m.x_train.mean(dtype=np.float64))) < 1e-4
    assert float(m.x_train.std(dtype=np.float64)) == pytest.approx(1.0, abs=1e-4)
    raw = data.load_mnist()
    np.testing.assert_array_equal(m.y_test, raw.y_test)
    # the same standardization computed the slow way, in float64 from the raw pixels
    pixels = raw.x_train.astype(np.float64) / 255
    mu, sd = pixels.mean(), pixels.std()
    expected = (raw.x_test.reshape(10000, 784)[:100] / 255 - mu) / sd
    np.testing.assert_allclose(m.x_test[:100], expected, rtol=1e-5, atol=1e-5)


def test_draw_decision_regions_colours_the_predicted_class():
    from matplotlib.figure import Figure
    ax = Figure().subplots()
    X, y = data.make_blobs(20, seed=0)

    def proba(P):                                   # class 1 right of x1 = 0
        p1 = (P[:, 0] > 0).astype(float)
        return np.column_stack([1 - p1, p1])

    training.draw_decision_regions(ax, proba, X, y, lim=(-4, 4, -3, 3), n=50)
    assert ax.get_xlim() == (-4, 4) and len(ax.collections) >= 4   # regions, boundary, 2 classes
    with pytest.raises(ValueError, match=r"shape \(any, 2\), got shape \(3, 3\)"):
        training.draw_decision_regions(ax, proba, np.zeros((3, 3)), y[:3])


def test_draw_loss_curve_draws_steps_mean_and_accuracy():
    from matplotlib.figure import Figure
    ax = Figure().subplots()
    training.draw_loss_curve(ax, np.linspace(2, 0.1, 120), 40, eval_accuracy=[0.9, 0.95, 0.97])
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    assert len(ax.figure.axes) == 2 and len(ax.figure.axes[1].lines) == 1


def test_evaluation_names_bad_labels():
    model = nn.MLP((4, 5, 3), rng=0)
    X = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError, match=r"y\[0\] = -1 is out of range"):
        training.accuracy(model, X, np.array([-1, 0, 0, 0]))
    with pytest.raises(ValueError, match=r"y_pred has shape \(2,\) but there are 3 examples"):
        training.confusion_matrix([0, 1, 2], [0, 1], num_classes=3)
    with pytest.raises(TypeError, match=r"y_true must be integers \(class labels"):
        training.confusion_matrix([0.0, 1.0], [0, 1], num_classes=3)


def test_training_progress_leaves_its_final_curve_for_static_viewers(monkeypatch):
    """train(progress=True) displays the live view, and at the end updates that display so that its
    data carries a PNG of the final loss curve next to the widget view (what a saved notebook,
    nbconvert and GitHub show once the widget view is dropped)."""
    shown = []

    class Handle:
        def update(self, obj):
            shown.append(("update", obj._repr_mimebundle_()))

    def fake_display(obj, display_id=False):
        shown.append(("display", obj._repr_mimebundle_()))
        return Handle()

    import IPython.display
    monkeypatch.setattr(IPython.display, "display", fake_display)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 3)), rng.integers(0, 2, 40)
    training.train(nn.MLP([3, 4, 2], rng=0), X, y, optim.SGD(0.1), epochs=2, batch_size=10, rng=0,
                   progress=True)
    assert [kind for kind, _ in shown] == ["display", "update"]
    first, last = shown[0][1], shown[1][1]
    widget_view = "application/vnd.jupyter.widget-view+json"
    assert widget_view in first and "image/png" not in first       # nothing drawn yet
    assert widget_view in last and first[widget_view] == last[widget_view]   # the same live view
    assert base64.b64decode(last["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_widget_bundle_without_repr_mimebundle_as_in_ipywidgets_7():
    """ipywidgets 7 (Colab's) widgets have no _repr_mimebundle_: the view is built from the model id."""
    from helpers.widgets import widget_bundle

    class OldWidget:
        model_id = "abc123"

    bundle = widget_bundle(OldWidget(), b"\x89PNG fake", "text")
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == "abc123"
    assert bundle["text/plain"] == "text" and base64.b64decode(bundle["image/png"]) == b"\x89PNG fake"
