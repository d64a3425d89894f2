"""Lagrange duality for the linear support vector machine (SVM), written out in numpy.

The soft-margin SVM on examples ``X`` (shape (N, d), one example per row) with labels
``y`` in {-1, +1} (shape (N,)) is the primal problem

    minimize over w, b:   P(w, b) = 1/2 |w|^2 + C * sum_i max(0, 1 - y_i (w^T x_i + b)),

and its Lagrange dual is

    maximize over alpha:  D(alpha) = sum_i alpha_i - 1/2 alpha^T Q alpha,
    subject to            0 <= alpha_i <= C,  sum_i alpha_i y_i = 0,

with ``Q[i, j] = y_i y_j x_i^T x_j``. ``C = inf`` is the hard margin (no upper bound on alpha).
A dual solution gives the weights back as ``w = sum_i alpha_i y_i x_i`` (``X.T @ (alpha * y)``).

This module holds the two objectives, an SMO-style dual solver that updates two multipliers at a
time (so the equality constraint holds at every step), the recovery of ``w`` and ``b``, a
subgradient method on the primal (an independent way to the same ``w``) and a point-by-point check
of the KKT conditions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .validation import as_array, require_positive_int

__all__ = ["as_signed_labels", "svm_dual_matrix", "svm_primal_objective", "svm_dual_objective",
           "weights_from_alpha", "SVMSolution", "svm_dual_smo", "svm_primal_subgradient",
           "kkt_report"]


def _check_data(X, y):
    X = as_array(X, "X", ndim=2)
    y = as_array(y, "y", ndim=1)
    if len(y) != len(X):
        raise ValueError(f"X has shape {X.shape} but y has shape {y.shape}; y needs one label per "
                         "row of X")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    if not np.all((y == 1) | (y == -1)):
        raise ValueError("y must contain only the labels -1 and +1 (convert 0/1 labels with "
                         "2 * y - 1)")
    return X, y


def _check_C(C) -> float:
    try:
        C = float(C)
    except (TypeError, ValueError):
        raise TypeError(f"C must be a positive number (or np.inf for the hard margin), got {C!r}") from None
    if not C > 0:   # also refuses NaN
        raise ValueError(f"C must be positive (or np.inf for the hard margin), got {C!r}")
    return C


def as_signed_labels(labels) -> np.ndarray:
    """Class labels 0/1 (shape (N,)) as the SVM's labels -1/+1 (float64, shape (N,))."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.all((labels == 0) | (labels == 1)):
        raise ValueError(f"labels must be a 1-D array of 0s and 1s, got shape {labels.shape} "
                         f"with values {np.unique(labels)[:5]}")
    return 2.0 * labels - 1.0


def svm_dual_matrix(X, y) -> np.ndarray:
    """The matrix ``Q`` of the dual, ``Q[i, j] = y_i y_j x_i^T x_j``; X (N, d), y (N,) -> (N, N)."""
    X, y = _check_data(X, y)
    Z = y[:, None] * X
    return Z @ Z.T


def svm_primal_objective(w, b, X, y, C) -> float:
    """``P(w, b) = 1/2 |w|^2 + C sum_i max(0, 1 - y_i (w^T x_i + b))``; w (d,), b scalar.

    For ``C = inf`` (hard margin) the value is ``1/2 |w|^2`` if every margin
    ``y_i (w^T x_i + b)`` is at least 1 (up to 1e-9) and ``inf`` otherwise."""
    X, y = _check_data(X, y)
    w = as_array(w, "w", shape=(X.shape[1],))
    C = _check_C(C)
    hinge = np.maximum(0.0, 1.0 - y * (X @ w + float(b)))
    if np.isinf(C):
        return 0.5 * float(w @ w) if np.all(hinge <= 1e-9) else np.inf
    return 0.5 * float(w @ w) + C * float(hinge.sum())


def svm_dual_objective(alpha, X, y) -> float:
    """``D(alpha) = sum_i alpha_i - 1/2 |sum_i alpha_i y_i x_i|^2``; alpha (N,).

    (The quadratic term is ``alpha^T Q alpha = |X^T (alpha * y)|^2``.) The constraints are not
    checked here: the value is the dual function only for feasible alpha."""
    X, y = _check_data(X, y)
    alpha = as_array(alpha, "alpha", shape=(len(y),))
    w = X.T @ (alpha * y)
    return float(alpha.sum() - 0.5 * w @ w)


def weights_from_alpha(alpha, X, y) -> np.ndarray:
    """``w = sum_i alpha_i y_i x_i`` (stationarity of the Lagrangian in w); returns shape (d,)."""
    X, y = _check_data(X, y)
    alpha = as_array(alpha, "alpha", shape=(len(y),))
    return X.T @ (alpha * y)


@dataclass
class SVMSolution:
    """What :func:`svm_dual_smo` returns.

    alpha : (N,) dual solution; w : (d,) weights; b : the bias; iterations : pair updates made;
    converged : whether the optimality conditions hold to ``tol``;
    gaps : the duality gap ``P(w, b) - D(alpha)`` after the updates listed in ``gap_steps``.
    """
    alpha: np.ndarray
    w: np.ndarray
    b: float
    iterations: int
    converged: bool
    gaps: list = field(default_factory=list)
    gap_steps: list = field(default_factory=list)


def _violating_pair(alpha, grad, y, C, eps=0.0):
    """The maximal violating pair (Keerthi et al.): indices i, j and the scores m, M."""
    score = -y * grad                                    # -y_t * df/dalpha_t
    up = ((y > 0) & (alpha < C - eps)) | ((y < 0) & (alpha > eps))
    low = ((y < 0) & (alpha < C - eps)) | ((y > 0) & (alpha > eps))
    i = int(np.flatnonzero(up)[np.argmax(score[up])])
    j = int(np.flatnonzero(low)[np.argmin(score[low])])
    return i, j, score[i], score[j]


def _bias(alpha, score, y, C, m, M):
    """b from the free multipliers (0 < alpha < C lie on the margin), else the middle of [M, m]."""
    free = (alpha > 1e-12 * max(1.0, min(C, 1e12))) & (alpha < C * (1 - 1e-12))
    return float(np.mean(score[free])) if np.any(free) else 0.5 * (m + M)


def svm_dual_smo(X, y, C=1.0, *, tol: float = 1e-10, max_iter: int = 100_000,
                 record_every: int = 0) -> SVMSolution:
    """Solve the SVM dual by sequential minimal optimization (SMO) on pairs of multipliers.

    Each step picks the pair (i, j) that violates the optimality conditions most, moves
    ``alpha_i`` by ``t y_i`` and ``alpha_j`` by ``-t y_j`` (which keeps ``sum_i alpha_i y_i = 0``),
    with the ``t`` that maximizes ``D`` along that line, clipped to the box ``[0, C]``.

    Parameters
    ----------
    X : array_like, shape (N, d)
    y : array_like, shape (N,), labels -1/+1 (both classes present)
    C : float, positive, or ``np.inf`` for the hard margin (the data must then be separable).
    tol : stop when the largest violation ``m - M`` of the optimality conditions is below tol.
    max_iter : positive int, most pair updates.
    record_every : if positive, record the duality gap every that many updates (and at the end).

    Returns
    -------
    SVMSolution with alpha (N,), w (d,), b, iterations, gaps, gap_steps.
    """
    X, y = _check_data(X, y)
    C = _check_C(C)
    max_iter = require_positive_int(max_iter, "max_iter")
    if not (np.any(y > 0) and np.any(y < 0)):
        raise ValueError("y must contain both labels -1 and +1")
    K = X @ X.T
    Q = (y[:, None] * y[None, :]) * K
    alpha = np.zeros(len(y))
    grad = -np.ones(len(y))                              # gradient of f = -D = 1/2 a^T Q a - 1^T a
    gaps, gap_steps = [], []

    def record(step, m, M):
        w = X.T @ (alpha * y)
        b = _bias(alpha, -y * grad, y, C, m, M)
        gaps.append(svm_primal_objective(w, b, X, y, C) - svm_dual_objective(alpha, X, y))
        gap_steps.append(step)

    it = 0
    i, j, m, M = _violating_pair(alpha, grad, y, C)
    while m - M > tol and it < max_iter:
        curvature = max(K[i, i] + K[j, j] - 2 * K[i, j], 1e-12)     # |x_i - x_j|^2
        t = (m - M) / curvature
        # clip so that both multipliers stay in [0, C]
        for k, s in ((i, y[i]), (j, -y[j])):
            t = min(t, (C - alpha[k]) if s > 0 else alpha[k])
        alpha[i] += t * y[i]
        alpha[j] -= t * y[j]
        alpha[[i, j]] = np.clip(alpha[[i, j]], 0.0, C)
        grad += t * (y[i] * Q[:, i] - y[j] * Q[:, j])
        it += 1
        i, j, m, M = _violating_pair(alpha, grad, y, C)
        if record_every and it % record_every == 0:
            record(it, m, M)
    if record_every and (not gap_steps or gap_steps[-1] != it):
        record(it, m, M)
    if m - M > tol and np.isinf(C):
        raise ValueError(f"the hard-margin dual did not converge in {max_iter} updates: are the "
                         "classes linearly separable? (use a finite C if not)")
    w = X.T @ (alpha * y)
    b = _bias(alpha, -y * grad, y, C, m, M)
    return SVMSolution(alpha, w, b, it, m - M <= tol, gaps, gap_steps)


def svm_primal_subgradient(X, y, C=1.0, *, steps: int = 20_000, lr: float = 1.0):
    """Subgradient descent on the primal ``P(w, b)`` (no duality involved).

    Step ``t`` (from 1) moves (w, b) against a subgradient
    ``(w - C sum_{i active} y_i x_i, -C sum_{i active} y_i)``, where the active examples are those
    with margin ``y_i (w^T x_i + b) < 1``, with step size ``lr / (C N sqrt(t))``; it returns the
    iterate with the smallest ``P`` seen (subgradient steps do not decrease P monotonically).

    X (N, d), y (N,) labels -1/+1, C finite and positive. Returns (w (d,), b, best P).
    """
    X, y = _check_data(X, y)
    C = _check_C(C)
    if np.isinf(C):
        raise ValueError("svm_primal_subgradient needs a finite C")
    steps = require_positive_int(steps, "steps")
    N, d = X.shape
    w, b = np.zeros(d), 0.0
    best = (w.copy(), b, C * N)                          # P(0, 0) = C N
    for t in range(1, steps + 1):
        slack = 1.0 - y * (X @ w + b)
        active = slack > 0
        gw = w - C * (y[active] @ X[active])
        gb = -C * y[active].sum()
        eta = lr / (C * N * np.sqrt(t))
        w, b = w - eta * gw, b - eta * gb
        p = 0.5 * (w @ w) + C * np.maximum(0.0, 1.0 - y * (X @ w + b)).sum()
        if p < best[2]:
            best = (w.copy(), b, float(p))
    return best


def kkt_report(alpha, w, b, X, y, C, tol: float = 1e-6) -> dict:
    """Check the KKT conditions of the SVM point by point.

    For each example the margin is ``m_i = y_i (w^T x_i + b)`` and the slack
    ``xi_i = max(0, 1 - m_i)``. The conditions are: stationarity ``w = sum alpha_i y_i x_i`` and
    ``sum alpha_i y_i = 0``; dual feasibility ``0 <= alpha_i <= C``; complementary slackness
    ``alpha_i (m_i - 1 + xi_i) = 0`` and ``(C - alpha_i) xi_i = 0``. Equivalently:
    ``alpha_i = 0 -> m_i >= 1``, ``0 < alpha_i < C -> m_i = 1``, ``alpha_i = C -> m_i <= 1``.

    alpha (N,), w (d,), b scalar; ``tol`` is the tolerance of every test, relative to C for
    alpha. Returns a dict with the per-point ``margin`` (N,), ``category`` (N,) of strings
    ("outside" alpha = 0, "on margin" 0 < alpha < C, "bound" alpha = C), the largest
    ``violation`` of any condition and ``ok`` (violation <= tol).
    """
    X, y = _check_data(X, y)
    alpha = as_array(alpha, "alpha", shape=(len(y),))
    w = as_array(w, "w", shape=(X.shape[1],))
    C = _check_C(C)
    scale = 1.0 if np.isinf(C) else C
    margin = y * (X @ w + float(b))
    xi = np.maximum(0.0, 1.0 - margin)
    zero = alpha <= tol * scale
    at_C = (alpha >= C - tol * scale) if np.isfinite(C) else np.zeros(len(y), bool)
    category = np.where(zero, "outside", np.where(at_C, "bound", "on margin"))
    upper = 0.0 if np.isinf(C) else max(0.0, float(np.max(alpha - C)))
    violations = [
        float(np.max(np.abs(w - X.T @ (alpha * y)))),              # stationarity in w
        abs(float(alpha @ y)),                                      # stationarity in b
        max(0.0, float(-np.min(alpha))), upper,                     # 0 <= alpha <= C
        float(np.max(np.where(zero, np.maximum(0.0, 1.0 - margin), 0.0))),       # alpha = 0: m >= 1
        float(np.max(np.where(~zero & ~at_C, np.abs(margin - 1.0), 0.0))),       # free: m = 1
        float(np.max(np.where(at_C, np.maximum(0.0, margin - 1.0), 0.0))),       # alpha = C: m <= 1
    ]
    if np.isinf(C):
        violations.append(float(np.max(xi)))                       # hard margin: no slack at all
    violation = max(violations)
    return {"margin": margin, "category": category, "violation": violation, "ok": violation <= tol}
