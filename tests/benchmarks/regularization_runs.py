"""Precompute the training runs of notebooks/05_neural_networks/06_regularization.ipynb.

    .venv/bin/python tests/benchmarks/regularization_runs.py      # a few minutes on one core

writes data/precomputed/regularization_runs.json. The notebook draws its seed statistics and its
interactive sweep from that file, re-runs a few of the runs itself (and checks that it gets the
same numbers, within a stated tolerance), and says how to re-create the file.

Every run uses the same protocol (also stored in the file, under "protocol"): a 784-64-10 ReLU
network of helpers.nn in float64 (He initialization from seed s), mini-batches of 100 in an order
drawn from seed 100 + s, heavy-ball momentum with learning rate 0.02 and beta 0.9 (constant), 30
epochs, trained by helpers.regularization.train_with_curves. Training images come from the first
50,000 of the official training set; the validation images are training images 50,000 to 51,999
(never trained on). The official test set is not used.

Experiments:

* gap: training sets of 250 ... 8000 images, drawn (nested) from the pool by seed 1000 + s, for
  seeds 0, 1, 2; final training and validation accuracy and loss.
* sweep: the first 1000 images, seed 0, every pair of an L2 strength and a dropout rate; the
  curves of every epoch.
* augment: the first 1000 images, seeds 0, 1, 2, with images shifted by up to 0, 1 or 2 pixels
  (a new random shift of every image at every epoch).
* dropout: the first 1000 images, seeds 0, 1, 2, dropout 0, 0.25 and 0.5; final and best validation
  accuracy and loss.
* l1_l2: the first 1000 images, seeds 0, 1, 2, plain SGD (learning rate 0.1): no penalty, L2
  (weight decay 0.01) and L1 (0.001, by proximal steps); final validation accuracy and the
  fraction of first-layer weights that are exactly 0 and below 0.001 in size.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from helpers import nn, optim, training  # noqa: E402
from helpers import regularization as reg  # noqa: E402

HIDDEN, LR, BETA, EPOCHS, BATCH = 64, 0.02, 0.9, 30, 100
SEEDS = [0, 1, 2]
GAP_SIZES = [250, 500, 1000, 2000, 4000, 8000]
SWEEP_L2 = [0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
SWEEP_DROPOUT = [0.0, 0.25, 0.5]
SHIFTS = [0, 1, 2]
DROPOUT_SEEDED = [0.0, 0.25, 0.5]
SGD_LR, L2_DECAY, L1_STRENGTH = 0.1, 1e-2, 1e-3


def data():
    X_all, y_all, _, _ = training.mnist_arrays()
    X_all = X_all.astype(np.float64)
    background = float(X_all.min())          # the standardized value of a 0 pixel
    return (X_all[:50000], y_all[:50000], X_all[50000:52000], y_all[50000:52000], background)


def run(X, y, X_val, y_val, seed, *, l2=0.0, dropout=0.0, optimizer=None, augment=None):
    """One run of the protocol; returns (model, curves)."""
    model = nn.MLP([784, HIDDEN, 10], dropout=dropout, rng=seed, dtype=np.float64)
    opt = optimizer if optimizer is not None else optim.Momentum(LR, beta=BETA)
    curves = reg.train_with_curves(model, X, y, opt, epochs=EPOCHS, X_val=X_val, y_val=y_val,
                                   batch_size=BATCH, rng=100 + seed, l2=l2, augment=augment)
    return model, curves


def rounded(x, digits=6):
    return np.round(np.asarray(x, dtype=float), digits).tolist()


def main() -> int:
    start = time.perf_counter()
    X_pool, y_pool, X_val, y_val, background = data()
    X_1k, y_1k = X_pool[:1000], y_pool[:1000]
    out = {"protocol": {
        "network": [784, HIDDEN, 10], "dtype": "float64", "activation": "relu", "init": "he",
        "optimizer": f"Momentum(lr={LR}, beta={BETA}), constant", "batch_size": BATCH,
        "epochs": EPOCHS, "init_seed": "s", "order_seed": "100 + s",
        "pool": "training images 0..49999", "validation": "training images 50000..51999",
        "script": "tests/benchmarks/regularization_runs.py"}}

    gap = {k: [] for k in ("train_acc", "val_acc", "train_loss", "val_loss")}
    for N in GAP_SIZES:
        rows = {k: [] for k in gap}
        for s in SEEDS:
            idx = np.random.default_rng(1000 + s).permutation(len(X_pool))[:N]
            _, c = run(X_pool[idx], y_pool[idx], X_val, y_val, s)
            for k in gap:
                rows[k].append(c[k][-1])
            assert list(c["epoch"]) == list(range(1, EPOCHS + 1))
        for k in gap:
            gap[k].append(rounded(rows[k]))
        print(f"gap N={N}: train {np.mean(rows['train_acc']):.3f} val "
              f"{np.mean(rows['val_acc']):.3f}  ({time.perf_counter() - start:.0f} s)", flush=True)
    out["gap"] = {"sizes": GAP_SIZES, "seeds": SEEDS,
                  "subset": "the first N of a permutation of the pool drawn from seed 1000 + s",
                  **gap}

    sweep = {k: [] for k in ("train_acc", "val_acc", "train_loss", "val_loss")}
    for l2 in SWEEP_L2:
        rows = {k: [] for k in sweep}
        for p in SWEEP_DROPOUT:
            _, c = run(X_1k, y_1k, X_val, y_val, 0, l2=l2, dropout=p)
            for k in sweep:
                rows[k].append(rounded(c[k]))
        for k in sweep:
            sweep[k].append(rows[k])
        print(f"sweep l2={l2:g} done ({time.perf_counter() - start:.0f} s)", flush=True)
    out["sweep"] = {"l2": SWEEP_L2, "dropout": SWEEP_DROPOUT, "seed": 0,
                    "training set": "the first 1000 images of the pool",
                    "shape": "[l2][dropout][epoch]", **sweep}

    aug = {"val_acc": [], "train_acc": [], "val_loss": []}
    for shift in SHIFTS:
        rows = {k: [] for k in aug}
        for s in SEEDS:
            augment = None if shift == 0 else (
                lambda A, r, m=shift: reg.random_shifts(A, m, r, fill=background))
            _, c = run(X_1k, y_1k, X_val, y_val, s, augment=augment)
            for k in aug:
                rows[k].append(c[k][-1])
        for k in aug:
            aug[k].append(rounded(rows[k]))
        print(f"augment shift {shift}: val {np.mean(rows['val_acc']):.3f}", flush=True)
    out["augment"] = {"max_shift": SHIFTS, "seeds": SEEDS, "shape": "[max_shift][seed]", **aug}

    drop = {"val_acc": [], "best_val_acc": [], "val_loss": [], "best_val_loss": []}
    for p in DROPOUT_SEEDED:
        rows = {k: [] for k in drop}
        for s in SEEDS:
            _, c = run(X_1k, y_1k, X_val, y_val, s, dropout=p)
            rows["val_acc"].append(c["val_acc"][-1])
            rows["best_val_acc"].append(c["val_acc"].max())
            rows["val_loss"].append(c["val_loss"][-1])
            rows["best_val_loss"].append(c["val_loss"].min())
        for k in drop:
            drop[k].append(rounded(rows[k]))
        print(f"dropout {p}: val {np.mean(rows['val_acc']):.3f}", flush=True)
    out["dropout"] = {"p": DROPOUT_SEEDED, "seeds": SEEDS, "shape": "[p][seed]", **drop}

    pen = {}
    for name in ("none", "l2", "l1"):
        rows = {"val_acc": [], "train_acc": [], "zero_fraction": [], "small_fraction": []}
        for s in SEEDS:
            if name == "l1":
                opt, l2 = reg.ProximalSGD(SGD_LR, L1_STRENGTH), 0.0
            else:
                opt, l2 = optim.SGD(SGD_LR), (L2_DECAY if name == "l2" else 0.0)
            model, c = run(X_1k, y_1k, X_val, y_val, s, l2=l2, optimizer=opt)
            W1 = model.params[0]
            rows["val_acc"].append(c["val_acc"][-1])
            rows["train_acc"].append(c["train_acc"][-1])
            rows["zero_fraction"].append(float(np.mean(W1 == 0)))
            rows["small_fraction"].append(float(np.mean(np.abs(W1) < 1e-3)))
        pen[name] = {k: rounded(v) for k, v in rows.items()}
        print(f"penalty {name}: val {np.mean(rows['val_acc']):.3f} zeros "
              f"{np.mean(rows['zero_fraction']):.2f}", flush=True)
    out["l1_l2"] = {"optimizer": f"SGD(lr={SGD_LR})", "l2": L2_DECAY, "l1": L1_STRENGTH,
                    "seeds": SEEDS, **pen}

    path = reg.PRECOMPUTED_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path.relative_to(ROOT)} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
