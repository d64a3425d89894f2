"""One training epoch of a PyTorch model, as the benchmarks time it against the book's NumPy code.

Shared by mnist_mlp.py and cnn_mnist.py (run as scripts from this folder, so a plain import finds
it). Same batches as the NumPy side: the order comes from ``perm``; the learning rate follows
``schedule(offset + step)``; the loss is softmax cross-entropy.
"""

import time


def torch_epoch(torch, model, optimizer, X, y, perm, schedule, offset: int, batch_size: int):
    """Train ``model`` for one epoch over the examples in the order ``perm`` (a torch index
    tensor of length N; ``X`` (N, ...) and ``y`` (N,) are torch tensors). Returns the epoch's
    seconds and its mean loss per step."""
    t0 = time.perf_counter()
    n, total, steps = len(perm), 0.0, 0
    for s, i in enumerate(range(0, n, batch_size)):
        for group in optimizer.param_groups:
            group["lr"] = schedule(offset + s)
        idx = perm[i:i + batch_size]
        loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        steps += 1
    return time.perf_counter() - t0, total / steps
