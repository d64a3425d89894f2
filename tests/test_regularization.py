"""Tests of helpers.regularization: shifts against np.roll with a cleared border, the L1 proximal
step against a brute-force minimization, proximal SGD against hand-written updates, early-stopping
bookkeeping on made-up curves, the dropout ensemble against an exact enumeration of the masks,
training curves, the precomputed file, and bad input."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from helpers import losses, nn, optim
from helpers import regularization as reg


def rolled(img, dx, dy, fill):
    """Reference shift of one square image: np.roll, then clear the wrapped-around border."""
    out = np.roll(img, (dy, dx), axis=(0, 1)).astype(float)
    if dy > 0:
        out[:dy, :] = fill
    elif dy < 0:
        out[dy:, :] = fill
    if dx > 0:
        out[:, :dx] = fill
    elif dx < 0:
        out[:, dx:] = fill
    return out


# --------------------------------------------------------------------------- shifts

def test_shift_images_matches_roll_with_cleared_border():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((9, 25))
    pairs = list(itertools.product([-2, 0, 1], [-1, 0, 2]))
    dx = np.array([p[0] for p in pairs])
    dy = np.array([p[1] for p in pairs])
    out = reg.shift_images(X, dx, dy, fill=-0.5)
    for i, (a, b) in enumerate(pairs):
        np.testing.assert_array_equal(out[i].reshape(5, 5), rolled(X[i].reshape(5, 5), a, b, -0.5))


def test_shift_by_zero_is_identity_and_scalar_shift_applies_to_all():
    X = np.arange(32.0).reshape(2, 16)
    np.testing.assert_array_equal(reg.shift_images(X, 0, 0), X)
    out = reg.shift_images(X, 1, 0)
    for i in range(2):
        np.testing.assert_array_equal(out[i].reshape(4, 4), rolled(X[i].reshape(4, 4), 1, 0, 0.0))
    assert out.dtype == X.dtype


def test_shift_there_and_back_keeps_the_interior():
    X = np.random.default_rng(1).random((3, 36))
    back = reg.shift_images(reg.shift_images(X, 2, -1), -2, 1)
    inner = (slice(None), slice(1, 5), slice(0, 4))
    np.testing.assert_array_equal(back.reshape(3, 6, 6)[inner], X.reshape(3, 6, 6)[inner])


@pytest.mark.parametrize("X, dx, dy, err, msg", [
    (np.zeros((2, 10)), 0, 0, ValueError, "square"),
    (np.zeros((2, 16)), 0.5, 0, TypeError, "whole pixels"),
    (np.zeros((2, 16)), 0, np.array([[1, 2]]), ValueError, "one shift per image"),
    (np.zeros((2, 16)), np.array([1, 2, 3]), 0, ValueError, "one shift per image"),
    (np.zeros((2, 16)), 4, 0, ValueError, "smaller than the image side"),
    (np.zeros((2, 16), dtype=np.uint8), 0, 0, TypeError, "float"),
    (np.zeros(16), 0, 0, ValueError, "dimension"),
])
def test_shift_images_bad_input(X, dx, dy, err, msg):
    with pytest.raises(err, match=msg):
        reg.shift_images(X, dx, dy)


def test_random_shifts_stay_in_range_and_are_reproducible():
    X = np.random.default_rng(2).random((200, 49))
    out = reg.random_shifts(X, 2, 5, fill=0.0)
    np.testing.assert_array_equal(out, reg.random_shifts(X, 2, np.random.default_rng(5)))
    candidates = {(a, b) for a in range(-2, 3) for b in range(-2, 3)}
    seen = set()
    for i in range(len(X)):
        hits = [(a, b) for a, b in candidates
                if np.array_equal(out[i].reshape(7, 7), rolled(X[i].reshape(7, 7), a, b, 0.0))]
        assert len(hits) == 1
        seen.add(hits[0])
    assert len(seen) > 15          # 200 draws from 25 shifts cover most of them
    np.testing.assert_array_equal(reg.random_shifts(X, 0, 0), X)
    with pytest.raises(ValueError, match="max_shift"):
        reg.random_shifts(X, -1, 0)


# --------------------------------------------------------------------------- L1

def test_soft_threshold_minimizes_the_proximal_objective():
    grid = np.linspace(-4, 4, 80001)
    for w in (-2.5, -0.3, 0.0, 0.2, 0.7, 3.1):
        for tau in (0.0, 0.25, 1.0):
            brute = grid[np.argmin(0.5 * (grid - w) ** 2 + tau * np.abs(grid))]
            assert reg.soft_threshold(np.array([w]), tau)[0] == pytest.approx(brute, abs=2e-4)


def test_soft_threshold_zeros_and_shapes():
    w = np.array([[-1.0, -0.5, 0.4], [0.5, 2.0, 0.0]])
    out = reg.soft_threshold(w, 0.5)
    np.testing.assert_allclose(out, [[-0.5, 0.0, 0.0], [0.0, 1.5, 0.0]])
    assert out.shape == w.shape
    for bad in (-0.1, float("nan"), True, "1"):
        with pytest.raises(ValueError, match="must be a finite number >= 0"):
            reg.soft_threshold(w, bad)


def test_proximal_sgd_step_by_hand():
    rng = np.random.default_rng(3)
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    gW, gb = rng.standard_normal((4, 3)), rng.standard_normal(3)
    lr, l1 = 0.1, 2.0
    expect_W = W - lr * gW
    expect_W = np.where(np.abs(expect_W) <= lr * l1, 0.0, expect_W - lr * l1 * np.sign(expect_W))
    expect_b = b - lr * gb                           # biases are not penalized
    opt = reg.ProximalSGD(lr, l1)
    opt.step([W, b], [gW, gb])
    np.testing.assert_allclose(W, expect_W)
    np.testing.assert_allclose(b, expect_b)
    assert np.any(W == 0)
    assert "l1=2" in repr(opt)


def test_proximal_sgd_without_l1_is_sgd_and_validates():
    rng = np.random.default_rng(4)
    p1 = rng.standard_normal((3, 3))
    p2, g = p1.copy(), rng.standard_normal((3, 3))
    reg.ProximalSGD(0.3, 0.0).step([p1], [g])
    optim.SGD(0.3).step([p2], [g])
    np.testing.assert_array_equal(p1, p2)
    with pytest.raises(ValueError, match="l1"):
        reg.ProximalSGD(0.1, -1.0)
    with pytest.raises(ValueError, match="lr"):
        reg.ProximalSGD(0.0, 1.0)


# --------------------------------------------------------------------------- early stopping

def test_early_stopping_bookkeeping():
    es = reg.EarlyStopping(patience=2)
    w = np.array([1.0])
    stops = []
    for loss in [1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.6]:
        w += 1                                           # the weights change every epoch
        stops.append(es.update(loss, [w]))
    assert stops == [False, False, False, False, False, True, False]   # 0.6 is a new best
    assert es.stopped_epoch == 6 and es.best_epoch == 7 and es.best_loss == 0.6
    np.testing.assert_array_equal(es.best_params[0], [8.0])
    w += 1
    np.testing.assert_array_equal(es.best_params[0], [8.0])   # a copy, not the live array


def test_early_stopping_min_delta_and_bad_input():
    es = reg.EarlyStopping(patience=1, min_delta=0.1)
    assert es.update(1.0) is False
    assert es.update(0.95) is True                  # not better by more than 0.1
    assert es.best_params is None and es.best_epoch == 1
    with pytest.raises(ValueError, match="NaN"):
        es.update(float("nan"))
    with pytest.raises(ValueError, match="patience"):
        reg.EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="min_delta"):
        reg.EarlyStopping(min_delta=-1)


# --------------------------------------------------------------------------- dropout ensemble

def test_dropout_ensemble_converges_to_the_exact_mask_average():
    rng = np.random.default_rng(5)
    model = nn.MLP([4, 3, 2], dropout=0.5, rng=6, dtype=np.float64)
    X = rng.standard_normal((5, 4))
    W1, b1, W2, b2 = model.params
    H = np.maximum(X @ W1 + b1, 0)
    exact = np.zeros((5, 2))
    for mask in itertools.product([0, 1], repeat=3):          # all 8 masks, each with prob. 1/8
        exact += losses.softmax((H * np.array(mask) / 0.5) @ W2 + b2) / 8
    approx = reg.dropout_ensemble_proba(model, X, 20000)
    np.testing.assert_allclose(approx.sum(axis=1), 1.0)
    np.testing.assert_allclose(approx, exact, atol=0.01)
    assert not np.allclose(exact, model.predict_proba(X), atol=1e-3)   # not the test-time pass


def test_dropout_ensemble_bad_input():
    with pytest.raises(ValueError, match="no dropout"):
        reg.dropout_ensemble_proba(nn.MLP([4, 3, 2]), np.zeros((2, 4)), 3)
    with pytest.raises(TypeError, match="MLP"):
        reg.dropout_ensemble_proba("model", np.zeros((2, 4)), 3)
    with pytest.raises(ValueError, match="n_masks"):
        reg.dropout_ensemble_proba(nn.MLP([4, 3, 2], dropout=0.5), np.zeros((2, 4)), 0)


# --------------------------------------------------------------------------- training

def blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.standard_normal((n, 16)) * 0.5 + np.eye(3, 16)[y] * 3
    return X, y


def test_train_with_curves_learns_and_records_every_epoch():
    X, y = blobs()
    model = nn.MLP([16, 8, 3], rng=0, dtype=np.float64)
    c = reg.train_with_curves(model, X[:80], y[:80], optim.Momentum(0.05), epochs=6,
                              X_val=X[80:], y_val=y[80:], batch_size=20, rng=1)
    assert set(c) == {"train_loss", "train_acc", "val_loss", "val_acc", "epoch"}
    assert all(len(v) == 6 for v in c.values())
    assert c["train_loss"][-1] < c["train_loss"][0] and c["val_acc"][-1] > 0.9
    logits = model.forward(X[80:])
    assert c["val_loss"][-1] == pytest.approx(losses.cross_entropy(logits, y[80:]))


def test_eval_every_measures_less_and_trains_the_same():
    X, y = blobs()
    runs = []
    for every in (1, 4):
        model = nn.MLP([16, 8, 3], rng=0, dtype=np.float64)
        c = reg.train_with_curves(model, X, y, optim.Momentum(0.05), epochs=6, X_val=X, y_val=y,
                                  batch_size=20, rng=1, eval_every=every)
        runs.append((c, model.params[0].copy()))
    (full, W_full), (sparse, W_sparse) = runs
    assert list(full["epoch"]) == [1, 2, 3, 4, 5, 6] and list(sparse["epoch"]) == [4, 6]
    np.testing.assert_array_equal(W_full, W_sparse)
    np.testing.assert_array_equal(sparse["val_loss"], full["val_loss"][[3, 5]])
    with pytest.raises(ValueError, match="eval_every"):
        reg.train_with_curves(nn.MLP([16, 8, 3]), X, y, optim.SGD(0.1), epochs=1, X_val=X,
                              y_val=y, eval_every=0)


def test_train_with_curves_augment_and_early_stopping():
    X, y = blobs()
    calls = []

    def augment(A, r):
        calls.append(A.shape)
        return A + 0.01 * r.standard_normal(A.shape)

    es = reg.EarlyStopping(patience=1, min_delta=10.0)    # never improves after epoch 1
    model = nn.MLP([16, 8, 3], rng=0, dtype=np.float64)
    c = reg.train_with_curves(model, X, y, optim.SGD(0.1), epochs=10, X_val=X, y_val=y,
                              augment=augment, early_stopping=es)
    assert len(c["val_loss"]) == 2 and es.stopped_epoch == 2 and len(calls) == 2
    with pytest.raises(TypeError, match="augment"):
        reg.train_with_curves(model, X, y, optim.SGD(0.1), epochs=1, X_val=X, y_val=y, augment=3)
    with pytest.raises(ValueError, match="shape"):
        reg.train_with_curves(model, X[:, :5], y, optim.SGD(0.1), epochs=1, X_val=X, y_val=y)


# --------------------------------------------------------------------------- precomputed runs

def test_precomputed_file_is_consistent():
    runs = reg.load_precomputed_runs()
    gap, sweep = runs["gap"], runs["sweep"]
    assert gap["val_acc"].shape == (len(gap["sizes"]), len(gap["seeds"]))
    assert sweep["val_acc"].shape == (len(sweep["l2"]), len(sweep["dropout"]),
                                      runs["protocol"]["epochs"])
    for block in (gap, sweep):
        for key in ("train_acc", "val_acc"):
            assert np.all((block[key] >= 0) & (block[key] <= 1))
    assert runs["augment"]["val_acc"].shape == (3, 3)
    assert set(runs["l1_l2"]) >= {"none", "l1", "l2"}


def test_load_precomputed_runs_missing_and_arrays(tmp_path):
    with pytest.raises(FileNotFoundError, match="regularization_runs.py"):
        reg.load_precomputed_runs(tmp_path / "nothing.json")
    f = tmp_path / "r.json"
    f.write_text(json.dumps({"a": [[1, 2], [3, 4]], "b": {"c": [0.5]}, "d": "text", "e": []}))
    out = reg.load_precomputed_runs(f)
    assert out["a"].shape == (2, 2) and out["b"]["c"].dtype == float and out["d"] == "text"
