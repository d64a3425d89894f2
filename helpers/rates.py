"""First-order methods whose convergence rates the book measures, and tools to measure a rate.

Methods (``grad`` maps a point of shape (d,) to the gradient, shape (d,); every method returns the
iterates as an array of shape (steps + 1, d) whose row 0 is the start):

* :func:`gradient_descent`: ``x_{t+1} = x_t - eta grad(x_t)``;
* :func:`nesterov`: Nesterov's accelerated gradient with step ``1/L`` and either the convex momentum
  schedule (Beck and Teboulle's ``lambda`` sequence, ``mu = 0``) or the constant momentum
  ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)`` for a ``mu``-strongly convex function;
* :func:`averaged_sgd`: stochastic gradient descent with a step schedule and the step-weighted
  average of its iterates, for many independent runs at once.

Problems with known answers:

* :func:`sgd_quadratic_expected_gap`: the exact expected gap of averaged SGD on the 1-D quadratic
  ``f(x) = lam x^2 / 2`` with additive Gaussian gradient noise;
* :func:`worst_case_quadratic`: Nesterov's worst-case quadratic for first-order methods.

Measuring: :func:`loglog_slope` (the exponent ``p`` of ``y ~ C t^p``), :func:`semilog_factor`
(the factor ``q`` of ``y ~ C q^t``) and :func:`first_below` (the first step at which a sequence
reaches a tolerance).

Notation: ``L`` is the smoothness constant (the largest curvature), not a loss; ``mu`` the
strong-convexity constant; ``kappa = L / mu``; ``eta`` (``lr``) the step size; ``t`` the step.
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, NamedTuple

import numpy as np

from .landscapes import Quadratic
from .validation import as_array, as_generator, require_positive_int

__all__ = ["gradient_descent", "nesterov", "averaged_sgd", "sgd_quadratic_expected_gap",
           "WorstCase", "worst_case_quadratic", "loglog_slope", "semilog_factor", "first_below"]


def _positive(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {x!r}")
    return float(x)


def _steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    return int(steps)


def _gradient(grad: Callable, x: np.ndarray) -> np.ndarray:
    g = grad(x)
    if not (isinstance(g, np.ndarray) and g.dtype == np.float64):   # the fast path skips the checks
        g = as_array(g, "grad(x)")
    if g.shape != x.shape:
        raise ValueError(f"x has shape {x.shape} but grad(x) has shape {g.shape}; they must be "
                         "equal")
    return g


def gradient_descent(grad: Callable, x0, lr: float, steps: int) -> np.ndarray:
    """Iterates of gradient descent ``x_{t+1} = x_t - lr * grad(x_t)``.

    Parameters
    ----------
    grad : callable
        ``grad(x)`` for ``x`` of shape (d,) returns the gradient, shape (d,).
    x0 : array_like, shape (d,)
        Start.
    lr : float
        Step size ``eta > 0`` (``1/L`` for the guarantees in the book).
    steps : int
        Number of steps (>= 0).

    Returns
    -------
    ndarray, shape (steps + 1, d)
        ``x_0, ..., x_steps``.
    """
    x = as_array(x0, "x0", ndim=1).copy()
    lr, steps = _positive(lr, "lr"), _steps(steps)
    path = np.empty((steps + 1, x.size))
    path[0] = x
    for t in range(steps):
        x = x - lr * _gradient(grad, x)
        path[t + 1] = x
    return path


def nesterov(grad: Callable, x0, L: float, steps: int, mu: float = 0.0) -> np.ndarray:
    """Nesterov's accelerated gradient method with step ``1/L``.

    With ``y_0 = x_0`` (the look-ahead point starts at the start)::

        x_{t+1} = y_t - grad(y_t) / L
        y_{t+1} = x_{t+1} + beta_t (x_{t+1} - x_t)

    * ``mu = 0`` (convex): ``beta_t = (lambda_t - 1) / lambda_{t+1}`` with ``lambda_0 = 1`` and
      ``lambda_{t+1} = (1 + sqrt(1 + 4 lambda_t^2)) / 2`` (Beck and Teboulle, 2009). For a convex,
      L-smooth f: ``f(x_t) - f* <= 2 L |x_0 - x*|^2 / (t + 1)^2``.
    * ``mu > 0`` (mu-strongly convex): ``beta = (sqrt(kappa) - 1) / (sqrt(kappa) + 1)`` with
      ``kappa = L / mu``. Then ``f(x_t) - f* <= (1 - 1/sqrt(kappa))^t (f(x_0) - f* + mu/2 |x_0 - x*|^2)``.

    Parameters
    ----------
    grad : callable
        ``grad(x)``, shape (d,) -> (d,).
    x0 : array_like, shape (d,)
    L : float
        Smoothness constant (> 0): the largest curvature, not a loss.
    steps : int
        Number of gradient evaluations (>= 0).
    mu : float
        Strong-convexity constant, ``0 <= mu <= L``; 0 selects the convex schedule.

    Returns
    -------
    ndarray, shape (steps + 1, d)
        ``x_0, ..., x_steps`` (the points the guarantees are about, not the look-ahead points).
    """
    x = as_array(x0, "x0", ndim=1).copy()
    L, steps = _positive(L, "L"), _steps(steps)
    if isinstance(mu, bool) or not isinstance(mu, numbers.Real) or not 0 <= mu <= L:
        raise ValueError(f"mu must be a number with 0 <= mu <= L = {L:g}, got {mu!r}")
    if mu > 0:
        root = math.sqrt(L / mu)
        constant_beta = (root - 1) / (root + 1)
    y, lam = x.copy(), 1.0
    path = np.empty((steps + 1, x.size))
    path[0] = x
    for t in range(steps):
        x_new = y - _gradient(grad, y) / L
        if mu > 0:
            beta = constant_beta
        else:
            lam_next = (1 + math.sqrt(1 + 4 * lam * lam)) / 2
            beta, lam = (lam - 1) / lam_next, lam_next
        y = x_new + beta * (x_new - x)
        x = x_new
        path[t + 1] = x
    return path


def averaged_sgd(stochastic_grad: Callable, x0, lrs, rng) -> tuple[np.ndarray, np.ndarray]:
    """Stochastic gradient descent with steps ``lrs[t]`` and the step-weighted average iterate.

    ``x_{t+1} = x_t - lrs[t] g_t`` with ``g_t = stochastic_grad(x_t, rng)``, and
    ``xbar_T = sum_{t<T} lrs[t] x_t / sum_{t<T} lrs[t]`` for ``T = 1, ..., len(lrs)``.

    Parameters
    ----------
    stochastic_grad : callable
        ``stochastic_grad(x, rng)`` returns a random gradient with the shape of ``x``.
    x0 : array_like, shape (d,) or (runs, d)
        Start; a 2-D array runs ``runs`` independent copies at once (``stochastic_grad`` then
        receives and returns arrays of shape (runs, d)).
    lrs : array_like, shape (T,)
        Step sizes, all > 0.
    rng : numpy Generator or int seed

    Returns
    -------
    path : ndarray, shape (T + 1,) + x0.shape
        ``x_0, ..., x_T``.
    averages : ndarray, shape (T,) + x0.shape
        ``averages[T - 1] = xbar_T``, the weighted average of ``x_0, ..., x_{T-1}``.
    """
    x = as_array(x0, "x0", ndim=(1, 2)).copy()
    lrs = as_array(lrs, "lrs", ndim=1)
    if lrs.size == 0 or not np.all(np.isfinite(lrs)) or np.any(lrs <= 0):
        raise ValueError("lrs must be a non-empty 1-D array of finite step sizes > 0")
    rng = as_generator(rng)
    path = np.empty((lrs.size + 1,) + x.shape)
    averages = np.empty((lrs.size,) + x.shape)
    path[0] = x
    weighted = np.zeros_like(x)
    total = 0.0
    for t, lr in enumerate(lrs):
        g = stochastic_grad(x, rng)
        if not (isinstance(g, np.ndarray) and g.dtype == np.float64):
            g = as_array(g, "stochastic_grad(x, rng)")
        if g.shape != x.shape:
            raise ValueError(f"x has shape {x.shape} but stochastic_grad(x, rng) has shape "
                             f"{g.shape}; they must be equal")
        weighted += lr * x
        total += lr
        averages[t] = weighted / total
        x = x - lr * g
        path[t + 1] = x
    return path, averages


def sgd_quadratic_expected_gap(curvature, x0: float, sigma: float, lrs) -> np.ndarray:
    """Exact ``E[f(xbar_T)] - f*`` of :func:`averaged_sgd` on ``f(x) = curvature x^2 / 2``.

    The stochastic gradient is ``curvature x + sigma xi`` with independent standard normal ``xi``.
    The iterate and the running weighted sum ``S_t = sum_{s<t} lrs[s] x_s`` evolve linearly, so
    their mean and covariance are propagated exactly; then ``xbar_T = S_T / sum_{s<T} lrs[s]`` and
    ``E f(xbar) = curvature (mean^2 + variance) / 2``.

    Parameters
    ----------
    curvature : float or array_like, shape (m,)
        One or several curvatures ``lam > 0`` (each a separate problem).
    x0 : float
        Start (the minimizer is 0).
    sigma : float
        Standard deviation of the gradient noise (>= 0).
    lrs : array_like, shape (T,)
        Step sizes > 0.

    Returns
    -------
    ndarray, shape (T,) or (T, m)
        Row ``T - 1`` is the expected gap of ``xbar_T``.
    """
    lam = as_array(curvature, "curvature", ndim=(0, 1))
    if np.any(~np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError("curvature must be finite and > 0")
    lrs = as_array(lrs, "lrs", ndim=1)
    if lrs.size == 0 or not np.all(np.isfinite(lrs)) or np.any(lrs <= 0):
        raise ValueError("lrs must be a non-empty 1-D array of finite step sizes > 0")
    if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real) or not sigma >= 0:
        raise ValueError(f"sigma must be a number >= 0, got {sigma!r}")
    x0 = float(as_array(x0, "x0", ndim=0))
    # State (x_t, S_t): means mx, mS; covariance entries vxx, vxS, vSS.
    mx, mS = np.full(lam.shape, x0), np.zeros(lam.shape)
    vxx, vxS, vSS = np.zeros(lam.shape), np.zeros(lam.shape), np.zeros(lam.shape)
    gaps = np.empty((lrs.size,) + lam.shape)
    total = 0.0
    for t, lr in enumerate(lrs):
        a = 1.0 - lr * lam                       # x_{t+1} = a x_t - lr sigma xi,  S_{t+1} = S_t + lr x_t
        mx, mS = a * mx, mS + lr * mx
        vxx, vxS, vSS = (a * a * vxx + (lr * sigma) ** 2,
                         a * (vxS + lr * vxx),
                         vSS + 2 * lr * vxS + lr * lr * vxx)
        total += lr
        gaps[t] = 0.5 * lam * (mS * mS + vSS) / total ** 2
    return gaps


class WorstCase(NamedTuple):
    """Nesterov's worst-case quadratic: the function, its minimizer and its minimum value."""
    f: Quadratic
    minimizer: np.ndarray
    f_star: float


def worst_case_quadratic(k: int, n: int, L: float = 1.0) -> WorstCase:
    """Nesterov's worst-case function ``f_k`` for first-order methods, in ``R^n`` (n >= k).

    ``f_k(x) = L/4 * ( (x_1^2 + sum_{i=1}^{k-1} (x_i - x_{i+1})^2 + x_k^2) / 2 - x_1 )``: a
    quadratic ``x^T A x / 2 - b^T x`` whose Hessian is ``L/4`` times the k x k matrix
    ``tridiag(-1, 2, -1)`` in the top-left corner (zero elsewhere), so ``0 <= A <= L I``, and
    ``b = (L/4) e_1``. Its minimizer (closed form) has ``x_i = 1 - i/(k+1)`` for ``i <= k`` and 0
    beyond, and ``f* = L/8 (1/(k+1) - 1)``.

    Parameters
    ----------
    k : int >= 1
    n : int >= k
    L : float > 0

    Returns
    -------
    WorstCase
        ``(f, minimizer, f_star)`` with ``f`` a :class:`helpers.landscapes.Quadratic`.
    """
    k, n = require_positive_int(k, "k"), require_positive_int(n, "n")
    if n < k:
        raise ValueError(f"the dimension n must be at least k; got n={n}, k={k}")
    L = _positive(L, "L")
    A = np.zeros((n, n))
    idx = np.arange(k)
    A[idx, idx] = 2.0
    A[idx[:-1], idx[:-1] + 1] = -1.0
    A[idx[:-1] + 1, idx[:-1]] = -1.0
    b = np.zeros(n)
    b[0] = 1.0
    minimizer = np.zeros(n)
    minimizer[:k] = 1.0 - (idx + 1) / (k + 1)
    return WorstCase(Quadratic(L / 4 * A, L / 4 * b), minimizer, L / 8 * (1 / (k + 1) - 1))


def _fit_inputs(t, y, name_t: str):
    t = as_array(t, name_t, ndim=1)
    y = as_array(y, "y", ndim=1)
    if t.shape != y.shape:
        raise ValueError(f"{name_t} has shape {t.shape} but y has shape {y.shape}; they must be "
                         "equal")
    if t.size < 2:
        raise ValueError(f"a fit needs at least 2 points, got {t.size}")
    if np.any(~np.isfinite(y)) or np.any(y <= 0):
        raise ValueError("y must be finite and > 0 (its logarithm is fitted)")
    return t, y


def loglog_slope(t, y) -> float:
    """Least-squares slope of ``log y`` against ``log t``: the ``p`` in ``y ~ C t^p``.

    Parameters
    ----------
    t, y : array_like, shape (n,)
        Positive numbers, n >= 2 (``t`` not all equal).
    """
    t, y = _fit_inputs(t, y, "t")
    if np.any(t <= 0):
        raise ValueError("t must be > 0 on a log-log fit")
    return float(np.polyfit(np.log(t), np.log(y), 1)[0])


def semilog_factor(t, y) -> float:
    """``exp`` of the least-squares slope of ``log y`` against ``t``: the ``q`` in ``y ~ C q^t``.

    Parameters
    ----------
    t, y : array_like, shape (n,)
        Steps and positive values, n >= 2.
    """
    t, y = _fit_inputs(t, y, "t")
    return float(np.exp(np.polyfit(t, np.log(y), 1)[0]))


def first_below(values, tol: float) -> int | None:
    """The first index ``t`` with ``values[t] <= tol``, or None if there is none.

    Parameters
    ----------
    values : array_like, shape (n,)
    tol : float
    """
    values = as_array(values, "values", ndim=1)
    hits = np.flatnonzero(values <= tol)
    return int(hits[0]) if hits.size else None
