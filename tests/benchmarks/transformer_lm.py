"""Benchmark: train the small character-level transformer of notebook 06/04 and time a training
step against the identical model in PyTorch.

    .venv/bin/python tests/benchmarks/transformer_lm.py                  # train and save (no PyTorch)
    build/envs/bench/bin/python tests/benchmarks/transformer_lm.py       # ... and compare with PyTorch
    build/envs/bench/bin/python tests/benchmarks/transformer_lm.py --skip-training   # compare only

What it does, in one run:

1. Trains ``helpers.transformer.CharTransformer`` (d = 64, 4 heads, 2 blocks) on the training words
   of ``sequences.split_words(data.load_words(), seed=0)`` with the book's Adam and a cosine
   learning-rate schedule, float32, one BLAS thread (so the weights are reproducible on one
   machine), from a fixed seed, on batches of words drawn with a fixed seed. It saves the weights
   to data/precomputed/transformer_lm.npz and a JSON file beside it (seed, hyperparameters,
   steps, validation and test perplexity computed in float64, training seconds, the command).
   ``--skip-training`` loads the saved file instead.
2. If PyTorch imports: builds the identical model in PyTorch with the same initial weights,
   checks that the two losses agree on the first batch, and times training steps (forward,
   backward, Adam) of both on the same batches, alternately, with the same number of threads.

The last line printed is one JSON object with val_perplexity, test_perplexity,
bigram_test_perplexity, train_seconds, numpy_step_ms, torch_step_ms and ratio (NumPy over
PyTorch; the target is at most 2). Timings depend on the machine and its load (reported as
load_average); no test asserts them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from helpers import data, linalg, optim, sequences  # noqa: E402
from helpers import transformer as tf  # noqa: E402

OUT = ROOT / "data" / "precomputed" / "transformer_lm.npz"
DEFAULTS = dict(d=64, n_heads=4, n_blocks=2, d_ff=256, max_len=23, seed=0, batch_seed=1,
                steps=5000, batch_size=64, lr=3e-3, lr_min=1e-4)


def train(train_words, cfg, log=print):
    model = tf.CharTransformer(max_len=cfg["max_len"], d=cfg["d"], n_heads=cfg["n_heads"],
                               n_blocks=cfg["n_blocks"], d_ff=cfg["d_ff"], rng=cfg["seed"],
                               dtype=np.float32)
    t0 = time.perf_counter()

    def progress(step, loss):
        if step % 500 == 0 or step == cfg["steps"] - 1:
            log(f"step {step:5d}  loss {loss:.4f}  {time.perf_counter() - t0:.0f} s")

    curve = tf.fit(model, train_words, cfg["steps"], batch_size=cfg["batch_size"], lr=cfg["lr"],
                   lr_min=cfg["lr_min"], batch_seed=cfg["batch_seed"], callback=progress)
    return model, time.perf_counter() - t0, curve


def torch_model(model, torch):
    """The same network in PyTorch, with ``model``'s weights copied in (float32)."""
    F = torch.nn.functional
    c = model.config

    class TorchLM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            t = lambda a: torch.nn.Parameter(torch.tensor(np.asarray(a, dtype=np.float32)))  # noqa: E731
            self.E, self.P = t(model.embedding.E), t(model.embedding.P)
            self.blocks = torch.nn.ModuleList()
            for b in model.blocks:
                m = torch.nn.Module()
                m.ln1 = torch.nn.LayerNorm(c["d"], eps=b.ln1.eps)
                m.ln2 = torch.nn.LayerNorm(c["d"], eps=b.ln2.eps)
                for ln, src in ((m.ln1, b.ln1), (m.ln2, b.ln2)):
                    ln.weight.data[:] = torch.tensor(src.gamma)
                    ln.bias.data[:] = torch.tensor(src.beta)
                m.W_q, m.W_k, m.W_v, m.W_o = (t(w) for w in b.attn.params)
                lin1, lin2 = b.mlp.layers[0], b.mlp.layers[2]
                m.fc1 = torch.nn.Linear(c["d"], c["d_ff"])
                m.fc2 = torch.nn.Linear(c["d_ff"], c["d"])
                for fc, lin in ((m.fc1, lin1), (m.fc2, lin2)):
                    fc.weight.data[:] = torch.tensor(lin.W.T.copy())   # torch stores (out, in)
                    fc.bias.data[:] = torch.tensor(lin.b)
                self.blocks.append(m)
            self.lnf = torch.nn.LayerNorm(c["d"], eps=model.norm.eps)
            self.lnf.weight.data[:] = torch.tensor(model.norm.gamma)
            self.lnf.bias.data[:] = torch.tensor(model.norm.beta)
            head = model.head.layers[0]
            self.head = torch.nn.Linear(c["d"], c["vocab_size"])
            self.head.weight.data[:] = torch.tensor(head.W.T.copy())
            self.head.bias.data[:] = torch.tensor(head.b)

        def forward(self, ids):
            N, T = ids.shape
            X = self.E[ids] + self.P[:T]
            for m in self.blocks:
                Z = m.ln1(X).unsqueeze(1)                                  # (N, 1, T, d)
                Q, K, V = Z @ m.W_q, Z @ m.W_k, Z @ m.W_v                  # (N, h, T, d_k)
                O = F.scaled_dot_product_attention(Q, K, V, is_causal=True)
                X = X + O.transpose(1, 2).reshape(N, T, -1) @ m.W_o
                X = X + m.fc2(F.relu(m.fc1(m.ln2(X))))
            return self.head(self.lnf(X))

    return TorchLM()


def compare_with_torch(cfg, train_words, n_steps: int, threads: int, log=print) -> dict:
    try:
        import torch
    except ImportError:
        log("PyTorch is not installed: NumPy timed alone (run with a Python that has torch)")
        torch = None
    else:
        torch.set_num_threads(threads)
    model = tf.CharTransformer(max_len=cfg["max_len"], d=cfg["d"], n_heads=cfg["n_heads"],
                               n_blocks=cfg["n_blocks"], d_ff=cfg["d_ff"], rng=cfg["seed"],
                               dtype=np.float32)
    opt_np = optim.Adam(lr=cfg["lr"])
    if torch is not None:
        tmodel = torch_model(model, torch)
        opt_t = torch.optim.Adam(tmodel.parameters(), lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8)
    stream = tf.word_batches(train_words, cfg["batch_size"], cfg["batch_seed"])
    t_np, t_torch = [], []
    with linalg.blas_threads(threads):
        for step in range(n_steps + 3):                   # the first 3 steps warm up both
            inputs, targets, mask = next(stream)
            t0 = time.perf_counter()
            loss_np, grads = model.loss_and_grads(inputs, targets, mask)
            opt_np.step(model.params, grads)
            t1 = time.perf_counter()
            if torch is None:
                if step >= 3:
                    t_np.append(t1 - t0)
                continue
            ids, m = torch.from_numpy(inputs), torch.from_numpy(mask)
            y = torch.from_numpy(targets)
            opt_t.zero_grad(set_to_none=True)
            logits = tmodel(ids)
            loss_t = torch.nn.functional.cross_entropy(logits[m], y[m])
            loss_t.backward()
            opt_t.step()
            t2 = time.perf_counter()
            loss_t = loss_t.item()
            if step == 0:
                agree = abs(loss_np - loss_t) <= 1e-4 * abs(loss_np)
                log(f"step 0 loss: NumPy {loss_np:.6f}, PyTorch {loss_t:.6f} "
                    f"({'agree' if agree else 'DISAGREE'} to 1e-4)")
                if not agree:
                    raise AssertionError("the NumPy and PyTorch models disagree at step 0")
            if step >= 3:
                t_np.append(t1 - t0)
                t_torch.append(t2 - t1)
    if torch is None:
        return {"numpy_step_ms": round(1e3 * np.median(t_np), 2), "torch_step_ms": None,
                "ratio": None, "torch_version": None}
    last = (float(loss_np), loss_t)
    log(f"after {n_steps + 3} steps the losses are NumPy {last[0]:.4f}, PyTorch {last[1]:.4f}")
    np_ms, torch_ms = 1e3 * np.median(t_np), 1e3 * np.median(t_torch)
    return {"numpy_step_ms": round(np_ms, 2), "torch_step_ms": round(torch_ms, 2),
            "ratio": round(np_ms / torch_ms, 2), "torch_version": torch.__version__,
            "losses_after_compare": [round(v, 4) for v in last]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=DEFAULTS["steps"])
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    parser.add_argument("--threads", type=int, default=2, help="threads for the timed comparison")
    parser.add_argument("--compare-steps", type=int, default=40)
    parser.add_argument("--skip-training", action="store_true", help="load the saved weights")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    cfg = dict(DEFAULTS, steps=args.steps, seed=args.seed)

    train_words, val_words, test_words = sequences.split_words(data.load_words(), seed=0)
    P = sequences.bigram_probs(sequences.bigram_counts(train_words), alpha=1.0)
    bigram = {"val": sequences.perplexity(sequences.bigram_nll(P, val_words)),
              "test": sequences.perplexity(sequences.bigram_nll(P, test_words))}
    meta_path = args.out.with_suffix(".json")
    if args.skip_training:
        model = tf.load_model(args.out)
        meta = json.loads(meta_path.read_text())
    else:
        model, seconds, curve = train(train_words, cfg)
        model64 = model.astype(np.float64)
        val = sequences.perplexity(tf.average_nll(model64, val_words))
        test = sequences.perplexity(tf.average_nll(model64, test_words))
        command = "python tests/benchmarks/transformer_lm.py" + (
            f" --steps {args.steps}" if args.steps != DEFAULTS["steps"] else "") + (
            f" --seed {args.seed}" if args.seed != DEFAULTS["seed"] else "")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tf.save_model(model, args.out)
        every = 50
        meta = {"command": command, "hyperparameters": cfg, "steps": cfg["steps"],
                "parameters": model.num_params(),
                "val_perplexity": round(val, 4), "test_perplexity": round(test, 4),
                "bigram_val_perplexity": round(bigram["val"], 4),
                "bigram_test_perplexity": round(bigram["test"], 4),
                "train_seconds": round(seconds, 1), "blas_threads": 1,
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
                "numpy": np.__version__,
                "loss_first_50_steps": [round(float(v), 5) for v in curve[:50]],
                "loss_every_50_steps": [round(float(np.mean(curve[i:i + every])), 4)
                                        for i in range(0, len(curve), every)]}
        meta_path.write_text(json.dumps(meta, indent=1) + "\n")
        print(f"saved {args.out} ({args.out.stat().st_size / 1e3:.0f} kB) and {meta_path}")
    result = {k: meta[k] for k in ("val_perplexity", "test_perplexity", "bigram_val_perplexity",
                                   "bigram_test_perplexity", "train_seconds", "steps",
                                   "parameters")}
    result.update({"numpy_step_ms": None, "threads": args.threads})
    result.update(compare_with_torch(cfg, train_words, args.compare_steps, args.threads))
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
