"""Benchmark: train the book's convolutional network on MNIST, save its weights, and time an epoch
against PyTorch and against the matrix-product floor.

    .venv/bin/python tests/benchmarks/cnn_mnist.py                    # NumPy only (no PyTorch)
    build/envs/bench/bin/python tests/benchmarks/cnn_mnist.py         # NumPy and PyTorch, 2 threads
    ... cnn_mnist.py --threads 1 --no-save                            # time only, keep the saved weights

What it does, in one run:

1. Builds the model of notebooks/06_convolution_and_attention/02_a_convolutional_network_on_mnist.ipynb,
   ``helpers.cnn.lenet(CHANNELS)`` (conv 5x5 -> ReLU -> max-pool 2 -> conv 5x5 -> ReLU -> max-pool 2
   -> dense 10), float32, weights drawn from INIT_SEED, and trains it on the 60,000 official
   training images with Adam and a cosine learning-rate schedule (the recipe below), the batches
   in the order drawn from ORDER_SEED.
2. When PyTorch imports, trains the identical model in PyTorch in the same run: the same initial
   weights copied in, the same batches in the same order, the same optimizer and schedule,
   float32, the same number of threads. The two libraries' epochs *alternate* (NumPy's epoch 1,
   PyTorch's epoch 1, NumPy's epoch 2, ...), which spreads any slowdown from other programs over
   both. Without PyTorch the torch fields are null and the script says so.
3. Evaluates the NumPy model once on the official 10,000 test images, in float64 (the float32
   weights converted exactly), so the accuracy and the mistake count are the same on every CPU and
   BLAS kernel *for these weights* (training itself rounds differently on other kernels, and the
   differences grow over the steps, so a rerun elsewhere ends with other weights and a test
   accuracy a few images away: 99.00% with this machine's default OpenBLAS kernel, 99.01% under
   OPENBLAS_CORETYPE=Sandybridge and 99.01% for PyTorch on the identical recipe).
4. Saves the weights to data/precomputed/cnn_mnist.npz and a record beside it (cnn_mnist.json:
   the seeds, the recipe, the accuracy, the training time, the machine's load, the command), unless
   ``--no-save``.
5. Times the model's matrix products alone, at the shapes of one training step, and scales them to
   an epoch: the floor an epoch would reach if everything but the matrix products took no time.

The last line printed is one JSON object with test_accuracy, train_seconds, numpy_epoch_s,
torch_epoch_s, ratio (NumPy's epoch over PyTorch's; the target is at most 1.5), matmul_floor_s,
and more. Timings depend on the machine and on what else runs on it; no test asserts them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from helpers import cnn, linalg, optim, training  # noqa: E402
from torch_epoch import torch_epoch  # noqa: E402  (tests/benchmarks/torch_epoch.py)

# The recipe (chosen on a validation split: training images 55,000 to 59,999, never the test set).
CHANNELS = (16, 32)       # output channels of the two convolutions
HIDDEN = ()               # widths of hidden dense layers between the convolutions and the logits
EPOCHS = 4
BATCH_SIZE = 128
LR = 3e-3                 # Adam's learning rate at step 0, cosine down to 0 at the end
INIT_SEED = 0             # cnn.lenet(CHANNELS, rng=INIT_SEED)
ORDER_SEED = 1            # np.random.default_rng(ORDER_SEED): one permutation per epoch
WEIGHTS, RECORD = cnn.SAVED_WEIGHTS, cnn.SAVED_RECORD


def torch_model(model, torch):
    """A PyTorch copy of a cnn.lenet model, with the same weights."""
    layers = []
    for layer in model.layers:
        if isinstance(layer, cnn.Conv2D):
            c_out, c_in, k, _ = layer.K.shape
            t = torch.nn.Conv2d(c_in, c_out, k)
            with torch.no_grad():
                t.weight.copy_(torch.from_numpy(layer.K.copy()))
                t.bias.copy_(torch.from_numpy(layer.b.copy()))
            layers.append(t)
        elif isinstance(layer, cnn.MaxPool2D):
            layers.append(torch.nn.MaxPool2d(layer.size))
        elif isinstance(layer, cnn.Flatten):
            layers.append(torch.nn.Flatten())
        elif isinstance(layer, cnn.Reshape):
            continue                                   # PyTorch gets the images as (N, 1, 28, 28)
        elif hasattr(layer, "W"):
            t = torch.nn.Linear(*layer.W.shape)
            with torch.no_grad():
                t.weight.copy_(torch.from_numpy(layer.W.T.copy()))
                t.bias.copy_(torch.from_numpy(layer.b.copy()))
            layers.append(t)
        else:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def train(mnist, threads, use_torch=True):
    """NumPy (and PyTorch) training, epochs alternating; returns the NumPy model and the record."""
    torch = None
    if use_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed: only NumPy is trained and timed, the torch fields are "
                  "null (run this script with a Python that has torch to compare)", flush=True)
    X, y = mnist.x_train, mnist.y_train
    n = len(X)
    steps_per_epoch = -(-n // BATCH_SIZE)
    schedule = optim.cosine(LR, EPOCHS * steps_per_epoch)
    model = cnn.lenet(CHANNELS, hidden=HIDDEN, rng=INIT_SEED)
    opt = optim.Adam(LR)
    order_np = np.random.default_rng(ORDER_SEED)
    out = {"numpy": [], "torch": [], "numpy_loss": [], "torch_loss": []}
    if torch is not None:
        torch.set_num_threads(threads)
        tmodel = torch_model(model, torch)
        topt = torch.optim.Adam(tmodel.parameters(), lr=LR, betas=(opt.beta1, opt.beta2), eps=opt.eps)
        tX, ty = torch.from_numpy(X.reshape(n, 1, 28, 28)), torch.from_numpy(y)
        order_torch = np.random.default_rng(ORDER_SEED)
    for epoch in range(EPOCHS):
        offset = epoch * steps_per_epoch
        hist = cnn.fit(model, X, y, opt, epochs=1, batch_size=BATCH_SIZE, rng=order_np,
                       schedule=lambda t: schedule(t + offset), threads=threads)
        out["numpy"].append(hist["epoch_seconds"][0])
        out["numpy_loss"].append(float(hist["loss"].mean()))
        line = f"  epoch {epoch + 1}/{EPOCHS}: numpy {out['numpy'][-1]:.1f} s (loss {out['numpy_loss'][-1]:.4f})"
        if torch is not None:
            perm = torch.from_numpy(order_torch.permutation(n))
            seconds, mean_loss = torch_epoch(torch, tmodel, topt, tX, ty, perm, schedule, offset,
                                             BATCH_SIZE)
            out["torch"].append(seconds)
            out["torch_loss"].append(mean_loss)
            line += f", torch {out['torch'][-1]:.1f} s (loss {out['torch_loss'][-1]:.4f})"
        print(line, flush=True)
    if torch is not None:
        with torch.no_grad():
            tlogits = torch.cat([tmodel(torch.from_numpy(mnist.x_test[i:i + 1000].reshape(-1, 1, 28, 28)))
                                 for i in range(0, len(mnist.x_test), 1000)])
        out["torch_test_accuracy"] = float((tlogits.argmax(1).numpy() == mnist.y_test).mean())
        out["torch_version"] = torch.__version__
    return model, out


def matmul_floor(threads, repeats=20):
    """Seconds per epoch of the model's matrix products alone, at the shapes (and memory layouts)
    of helpers.cnn's training step: the best of ``repeats`` timings of each, times the steps."""
    rng = np.random.default_rng(0)
    B, (c1, c2), k = BATCH_SIZE, CHANNELS, 5
    r = lambda *shape: rng.standard_normal(shape).astype(np.float32)   # noqa: E731
    P1, P2 = r(k * k, B * 24 * 24), r(c1 * k * k, B * 8 * 8)
    G1, G2 = r(c1, B * 24 * 24), r(c2, B * 8 * 8)
    K1, K2 = r(c1, k * k), r(c2, c1 * k * k)
    products = {"conv1 forward K P": lambda: K1 @ P1, "conv1 dK = G P^T": lambda: G1 @ P1.T,
                "conv2 forward K P": lambda: K2 @ P2, "conv2 dK = G P^T": lambda: G2 @ P2.T,
                "conv2 dP = K^T G": lambda: K2.T @ G2}
    widths = [c2 * 16, *HIDDEN, 10]
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        A, W, D = r(B, a), r(a, b), r(B, b)
        products.update({f"dense{i + 1} forward X W": lambda A=A, W=W: A @ W,
                         f"dense{i + 1} dW = X^T dY": lambda A=A, D=D: A.T @ D,
                         f"dense{i + 1} dX = dY W^T": lambda D=D, W=W: D @ W.T})
    best = {}
    with linalg.blas_threads(threads):
        for name, f in products.items():
            f()
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                f()
                times.append(time.perf_counter() - t0)
            best[name] = min(times)
    steps = 60000 / BATCH_SIZE                    # the last, smaller batch counted pro rata
    return sum(best.values()) * steps, {name: round(1e3 * t, 3) for name, t in best.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2,
                        help="threads for NumPy's OpenBLAS and for PyTorch (default 2)")
    parser.add_argument("--no-save", action="store_true", help="do not overwrite the saved weights")
    parser.add_argument("--no-torch", action="store_true", help="train NumPy only")
    args = parser.parse_args()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"numpy {np.__version__}, python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{args.threads} thread(s), load average {load}", flush=True)
    mnist = training.mnist_arrays()
    print(f"model lenet({CHANNELS}, hidden={HIDDEN}), {EPOCHS} epochs of {len(mnist.x_train):,} images, batches of "
          f"{BATCH_SIZE}, Adam from {LR:g} (cosine):", flush=True)
    model, out = train(mnist, args.threads, use_torch=not args.no_torch)
    train_seconds = float(sum(out["numpy"]))
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None

    # Evaluate in float64: the float32 weights, converted exactly.
    model64 = cnn.lenet(CHANNELS, hidden=HIDDEN, dtype=np.float64)
    for p, q in zip(model64.params, model.params):
        p[...] = q
    pred = cnn.predict_logits(model64, mnist.x_test).argmax(axis=1)
    mistakes = int(np.sum(pred != mnist.y_test))
    acc = 1 - mistakes / len(mnist.y_test)
    print(f"test accuracy {100 * acc:.2f}% ({mistakes} mistakes of {len(pred):,}) after "
          f"{train_seconds:.1f} s of NumPy training", flush=True)

    floor, products = matmul_floor(args.threads)
    np_epoch = float(np.median(out["numpy"]))
    torch_epoch = float(np.median(out["torch"])) if out["torch"] else None
    n_params = sum(p.size for p in model.params)
    command = "python tests/benchmarks/cnn_mnist.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    if not args.no_save:
        WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
        cnn.save_lenet(model, WEIGHTS, CHANNELS, HIDDEN)
        record = {"model": f"helpers.cnn.lenet({CHANNELS}, hidden={HIDDEN}), float32",
                  "channels": list(CHANNELS), "hidden": list(HIDDEN),
                  "parameters": n_params, "init_seed": INIT_SEED, "order_seed": ORDER_SEED,
                  "epochs": EPOCHS, "batch_size": BATCH_SIZE,
                  "optimizer": f"helpers.optim.Adam, lr cosine from {LR:g} to 0",
                  "test_accuracy": acc, "test_mistakes": mistakes,
                  "evaluation": "official 10,000 test images, float64",
                  "train_seconds": round(train_seconds, 1),
                  "epoch_seconds": [round(t, 2) for t in out["numpy"]],
                  "epoch_loss": [round(v, 4) for v in out["numpy_loss"]],
                  "numpy_epoch_s": round(np_epoch, 2),
                  "torch_epoch_s": None if torch_epoch is None else round(torch_epoch, 2),
                  "matmul_floor_s": round(floor, 2), "torch_version": out.get("torch_version"),
                  "threads": args.threads, "load_average_before": load, "load_average_after": load_after,
                  "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
                  "numpy_version": np.__version__, "python_version": platform.python_version(),
                  "date": time.strftime("%Y-%m-%d", time.gmtime()), "command": command}
        RECORD.write_text(json.dumps(record, indent=1) + "\n")
        print(f"saved {WEIGHTS.relative_to(ROOT)} ({WEIGHTS.stat().st_size:,} bytes) and "
              f"{RECORD.relative_to(ROOT)}", flush=True)
    result = {
        "test_accuracy": acc,
        "train_seconds": round(train_seconds, 1),
        "numpy_epoch_s": round(np_epoch, 2),
        "torch_epoch_s": None if torch_epoch is None else round(torch_epoch, 2),
        "ratio": None if torch_epoch is None else round(np_epoch / torch_epoch, 3),
        "matmul_floor_s": round(floor, 2),
        "test_mistakes": mistakes,
        "torch_test_accuracy": out.get("torch_test_accuracy"),
        "epochs": EPOCHS, "channels": list(CHANNELS), "hidden": list(HIDDEN), "parameters": n_params,
        "training_gflop_per_epoch": round(cnn.lenet_flops(CHANNELS, hidden=HIDDEN)["training"] * 60000 / 1e9, 1),
        "numpy_epoch_s_all": [round(t, 2) for t in out["numpy"]],
        "torch_epoch_s_all": [round(t, 2) for t in out["torch"]] or None,
        "numpy_epoch_loss": [round(v, 4) for v in out["numpy_loss"]],
        "torch_epoch_loss": [round(v, 4) for v in out["torch_loss"]] or None,
        "matmul_ms_per_step": products,
        "threads": args.threads, "load_average_before": load, "load_average_after": load_after,
        "torch_version": out.get("torch_version"), "numpy_version": np.__version__,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
