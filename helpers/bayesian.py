"""Priors and posteriors: the Beta-Bernoulli model, MAP estimates with L1 penalties, conditioning a
joint Gaussian, and Bayesian linear regression.

The notebook on priors builds each of these step by step; this module holds the versions that are
shared and tested.

* Beta distribution: :func:`beta_logpdf`, :func:`beta_pdf`, :func:`beta_cdf` (the regularized
  incomplete beta function, by a continued fraction) and :func:`beta_interval` (the equal-tailed
  credible interval); :func:`beta_bernoulli_update` is the conjugate update
  ``Beta(a, b) -> Beta(a + k, b + n - k)``.
* L1 (Laplace-prior MAP): :func:`soft_threshold`, :func:`lasso_proximal_gradient` (the minimiser of
  ``||y - X w||^2 / 2 + lam ||w||_1``) and :func:`lasso_optimality_gap` (how far ``w`` is from
  satisfying the subgradient optimality conditions).
* Gaussians: :func:`gaussian_marginal` and :func:`gaussian_condition` (the Schur-complement
  formulas).
* Bayesian linear regression with prior ``w ~ N(0, prior_var I)`` and noise ``N(0, noise_var)``:
  :func:`blr_posterior` and :func:`blr_predictive`.

Shapes: ``N`` examples, ``d`` features; a design matrix ``X`` (or ``Phi``) has shape (N, d), one
example per row, as everywhere in the book.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .validation import as_array, as_finite_matrix, as_mean_and_cov

__all__ = ["beta_logpdf", "beta_pdf", "beta_cdf", "beta_interval", "beta_bernoulli_update",
           "soft_threshold", "lasso_proximal_gradient", "lasso_optimality_gap",
           "gaussian_marginal", "gaussian_condition", "blr_posterior", "blr_predictive"]


def _positive(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {x!r}")
    return float(x)


def _nonnegative(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x) or x < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {x!r}")
    return float(x)


# ---------------------------------------------------------------- the Beta distribution

def beta_logpdf(theta, a: float, b: float) -> np.ndarray:
    """Log density of Beta(a, b) at ``theta``, elementwise.

    ``log p(theta) = (a - 1) log theta + (b - 1) log(1 - theta) - log B(a, b)`` with the beta
    function ``B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b)``.

    Parameters
    ----------
    theta : array_like, any shape, values in (0, 1)
    a, b : float > 0

    Returns
    -------
    ndarray of float64, the shape of ``theta``.
    """
    a, b = _positive(a, "a"), _positive(b, "b")
    t = as_array(theta, "theta")
    if np.any(~np.isfinite(t)) or np.any((t <= 0) | (t >= 1)):
        raise ValueError("theta must lie strictly between 0 and 1 (the density may be infinite "
                         "or zero at the end points)")
    log_B = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    return (a - 1) * np.log(t) + (b - 1) * np.log1p(-t) - log_B


def beta_pdf(theta, a: float, b: float) -> np.ndarray:
    """Density of Beta(a, b) at ``theta``: ``exp(beta_logpdf(theta, a, b))``; shapes as there."""
    return np.exp(beta_logpdf(theta, a, b))


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz), for
    ``x < (a + 1) / (a + b + 2)``, where it converges quickly."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            return h
    raise RuntimeError(f"the continued fraction did not converge for a={a}, b={b}, x={x}")


def _beta_cdf_scalar(x: float, a: float, b: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1.0 - x) / b


def beta_cdf(x, a: float, b: float) -> np.ndarray:
    """Cumulative distribution function ``P(Theta <= x)`` of Beta(a, b), elementwise.

    The regularized incomplete beta function ``I_x(a, b)``, evaluated with its continued fraction
    (and the symmetry ``I_x(a, b) = 1 - I_{1-x}(b, a)`` where that converges faster); accurate to
    about 1e-14.

    Parameters
    ----------
    x : array_like, any shape (values outside [0, 1] give 0 or 1)
    a, b : float > 0

    Returns
    -------
    ndarray of float64, the shape of ``x``, values in [0, 1].
    """
    a, b = _positive(a, "a"), _positive(b, "b")
    xs = as_array(x, "x")
    if np.any(np.isnan(xs)):
        raise ValueError("x contains NaN")
    out = np.array([_beta_cdf_scalar(float(v), a, b) for v in xs.ravel()])
    return out.reshape(xs.shape)


def beta_interval(a: float, b: float, level: float = 0.95) -> tuple[float, float]:
    """The equal-tailed credible interval of Beta(a, b): ``(lo, hi)`` with probability
    ``(1 - level) / 2`` below ``lo`` and the same above ``hi``.

    Found by bisection on :func:`beta_cdf` to within 1e-12.

    Parameters
    ----------
    a, b : float > 0
    level : float in (0, 1) -- the probability inside the interval

    Returns
    -------
    (float, float) with ``0 <= lo < hi <= 1``.
    """
    a, b = _positive(a, "a"), _positive(b, "b")
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise ValueError(f"level must be a number strictly between 0 and 1, got {level!r}")

    def quantile(q: float) -> float:
        lo, hi = 0.0, 1.0
        while hi - lo > 1e-12:
            mid = 0.5 * (lo + hi)
            if _beta_cdf_scalar(mid, a, b) < q:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    tail = (1.0 - float(level)) / 2
    return quantile(tail), quantile(1.0 - tail)


def beta_bernoulli_update(a: float, b: float, k: int, n: int) -> tuple[float, float]:
    """The posterior of a Beta(a, b) prior after ``k`` heads in ``n`` Bernoulli trials:
    ``(a + k, b + n - k)``.

    Parameters
    ----------
    a, b : float > 0 -- the prior's parameters (pseudo-counts of heads and tails)
    k, n : int with 0 <= k <= n

    Returns
    -------
    (float, float), the parameters of the posterior Beta distribution.
    """
    a, b = _positive(a, "a"), _positive(b, "b")
    for v, name in ((k, "k"), (n, "n")):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
            raise ValueError(f"{name} must be an integer >= 0, got {v!r}")
    if k > n:
        raise ValueError(f"k = {k} heads cannot exceed n = {n} trials")
    return a + int(k), b + int(n) - int(k)


# ---------------------------------------------------------------- L1: soft thresholding, lasso

def soft_threshold(z, t: float) -> np.ndarray:
    """Soft thresholding ``sign(z) * max(|z| - t, 0)``, elementwise.

    It is the minimiser of ``(w - z)^2 / 2 + t |w|`` over ``w`` (the proximal map of ``t |.|``):
    values with ``|z| <= t`` become exactly 0, the others move towards 0 by ``t``.

    Parameters
    ----------
    z : array_like, any shape
    t : float >= 0 -- the threshold

    Returns
    -------
    ndarray of float64, the shape of ``z``.
    """
    t = _nonnegative(t, "t")
    z = as_array(z, "z")
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def _design(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = as_finite_matrix(X, "X")
    y = as_array(y, "y", ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has shape {X.shape} but y has shape {y.shape}; y needs one entry per "
                         f"row of X, shape ({X.shape[0]},)")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinity")
    return X, y


def lasso_proximal_gradient(X, y, lam: float, *, steps: int = 20_000, tol: float = 1e-13,
                            w0=None) -> np.ndarray:
    """Minimise ``||y - X w||^2 / 2 + lam ||w||_1`` by proximal gradient descent (ISTA).

    Each step is a gradient step on the squared error with step size ``1 / ||X||_2^2`` followed by
    :func:`soft_threshold`, which sets small weights exactly to 0. The objective is convex, so the
    iterates converge to a minimiser; stops when no weight moves by more than ``tol``.

    Parameters
    ----------
    X : array_like, shape (N, d)
    y : array_like, shape (N,)
    lam : float >= 0 -- the weight of the L1 penalty
    steps : int -- the largest number of steps
    tol : float > 0
    w0 : array_like, shape (d,), optional -- the start (zeros by default)

    Returns
    -------
    ndarray of float64, shape (d,).
    """
    X, y = _design(X, y)
    lam = _nonnegative(lam, "lam")
    tol = _positive(tol, "tol")
    d = X.shape[1]
    w = np.zeros(d) if w0 is None else as_array(w0, "w0", shape=(d,)).copy()
    smoothness = np.linalg.norm(X, 2) ** 2
    if smoothness == 0:
        return np.zeros(d)
    eta = 1.0 / smoothness
    for _ in range(int(steps)):
        w_new = soft_threshold(w - eta * (X.T @ (X @ w - y)), eta * lam)
        if np.max(np.abs(w_new - w)) <= tol:
            return w_new
        w = w_new
    return w


def lasso_optimality_gap(X, y, w, lam: float) -> float:
    """How far ``w`` is from minimising ``||y - X w||^2 / 2 + lam ||w||_1`` (0 at a minimiser).

    With the correlations ``c = X^T (y - X w)``, ``w`` is a minimiser exactly when
    ``0 is in -c + lam * subdifferential(||w||_1)``, that is ``c_j = lam sign(w_j)`` where
    ``w_j != 0`` and ``|c_j| <= lam`` where ``w_j = 0``. Returns the largest violation of these
    conditions over ``j``.

    Parameters
    ----------
    X : array_like, shape (N, d)
    y : array_like, shape (N,)
    w : array_like, shape (d,)
    lam : float >= 0

    Returns
    -------
    float >= 0.
    """
    X, y = _design(X, y)
    w = as_array(w, "w", shape=(X.shape[1],))
    lam = _nonnegative(lam, "lam")
    c = X.T @ (y - X @ w)
    active = w != 0
    gap_active = np.abs(c[active] - lam * np.sign(w[active]))
    gap_zero = np.maximum(np.abs(c[~active]) - lam, 0.0)
    return float(np.max(np.concatenate([gap_active, gap_zero, [0.0]])))


# ---------------------------------------------------------------- joint Gaussians

def _indices(idx, d: int, name: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(idx))
    if arr.ndim != 1 or arr.size == 0 or arr.dtype == bool or arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a non-empty list of integer indices, got {idx!r}")
    if arr.min() < 0 or arr.max() >= d:
        raise ValueError(f"{name} = {arr.tolist()} has an index outside 0..{d - 1}")
    if np.unique(arr).size != arr.size:
        raise ValueError(f"{name} = {arr.tolist()} repeats an index")
    return arr.astype(np.int64)


def gaussian_marginal(mean, cov, keep) -> tuple[np.ndarray, np.ndarray]:
    """The marginal of ``N(mean, cov)`` on the coordinates ``keep``: ``N(mean[keep],
    cov[keep, keep])`` (drop the other rows and columns).

    Parameters
    ----------
    mean : array_like, shape (d,)
    cov : array_like, shape (d, d), symmetric
    keep : list of int, k distinct indices

    Returns
    -------
    (ndarray of shape (k,), ndarray of shape (k, k)).
    """
    mu, S = as_mean_and_cov(mean, cov)
    k = _indices(keep, mu.shape[0], "keep")
    return mu[k], S[np.ix_(k, k)]


def gaussian_condition(mean, cov, observed, values) -> tuple[np.ndarray, np.ndarray]:
    """The conditional distribution of the other coordinates of ``x ~ N(mean, cov)`` given
    ``x[observed] = values``.

    With ``a`` the other coordinates (in increasing order) and ``b = observed``::

        mean_a|b = mean_a + cov_ab cov_bb^{-1} (values - mean_b)
        cov_a|b  = cov_aa - cov_ab cov_bb^{-1} cov_ba        (the Schur complement of cov_bb)

    Parameters
    ----------
    mean : array_like, shape (d,)
    cov : array_like, shape (d, d), symmetric, with ``cov_bb`` positive definite
    observed : list of int, m distinct indices, 1 <= m < d
    values : array_like, shape (m,)

    Returns
    -------
    (ndarray of shape (d - m,), ndarray of shape (d - m, d - m)).
    """
    mu, S = as_mean_and_cov(mean, cov)
    d = mu.shape[0]
    b = _indices(observed, d, "observed")
    if b.size == d:
        raise ValueError("observed lists every coordinate: nothing is left to condition")
    a = np.setdiff1d(np.arange(d), b)
    v = as_array(values, "values", ndim=(0, 1)).reshape(-1)
    if v.shape != b.shape:
        raise ValueError(f"observed has {b.size} indices but values has shape {v.shape}; expected "
                         f"shape ({b.size},)")
    S_bb = S[np.ix_(b, b)]
    try:
        chol = np.linalg.cholesky(S_bb)
    except np.linalg.LinAlgError:
        raise ValueError("cov[observed, observed] is not positive definite: the observed "
                         "coordinates must have an invertible covariance") from None
    S_ab = S[np.ix_(a, b)]
    # K = S_ab S_bb^{-1}, from two triangular solves with S_bb = L L^T
    K = np.linalg.solve(chol.T, np.linalg.solve(chol, S_ab.T)).T
    mean_cond = mu[a] + K @ (v - mu[b])
    cov_cond = S[np.ix_(a, a)] - K @ S_ab.T
    return mean_cond, 0.5 * (cov_cond + cov_cond.T)


# ---------------------------------------------------------------- Bayesian linear regression

def blr_posterior(Phi, y, noise_var: float, prior_var: float) -> tuple[np.ndarray, np.ndarray]:
    """Posterior ``N(m, S)`` over the weights of ``y = Phi w + noise``, with the prior
    ``w ~ N(0, prior_var I)`` and independent noise ``N(0, noise_var)`` on each target.

    ``S = (Phi^T Phi / noise_var + I / prior_var)^{-1}`` and ``m = S Phi^T y / noise_var``, which
    is the ridge solution ``(Phi^T Phi + lam I)^{-1} Phi^T y`` with ``lam = noise_var / prior_var``.

    Parameters
    ----------
    Phi : array_like, shape (N, d) -- one example's features per row
    y : array_like, shape (N,)
    noise_var, prior_var : float > 0 -- variances (not standard deviations)

    Returns
    -------
    (m, S): ndarray of shape (d,) and ndarray of shape (d, d).
    """
    Phi, y = _design(Phi, y)
    noise_var, prior_var = _positive(noise_var, "noise_var"), _positive(prior_var, "prior_var")
    d = Phi.shape[1]
    precision = Phi.T @ Phi / noise_var + np.eye(d) / prior_var
    chol = np.linalg.cholesky(precision)
    chol_inv = np.linalg.solve(chol, np.eye(d))
    S = chol_inv.T @ chol_inv
    m = S @ (Phi.T @ y) / noise_var
    return m, 0.5 * (S + S.T)


def blr_predictive(Phi_star, m, S, noise_var: float) -> tuple[np.ndarray, np.ndarray]:
    """Predictive mean and variance of a new target ``y* = phi*^T w + noise`` under the posterior
    ``w ~ N(m, S)``: mean ``phi*^T m``, variance ``phi*^T S phi* + noise_var``.

    Pass ``noise_var = 0`` for the uncertainty of the regression function ``phi*^T w`` alone.

    Parameters
    ----------
    Phi_star : array_like, shape (M, d) -- the features of M new inputs, one per row
    m : array_like, shape (d,)
    S : array_like, shape (d, d), symmetric positive semidefinite
    noise_var : float >= 0

    Returns
    -------
    (mean, var): two ndarrays of shape (M,).
    """
    P = as_finite_matrix(Phi_star, "Phi_star")
    d = P.shape[1]
    m = as_array(m, "m", ndim=1)
    if m.shape != (d,):
        raise ValueError(f"Phi_star has shape {P.shape} so m must have shape ({d},), got shape "
                         f"{m.shape}")
    S = as_array(S, "S", ndim=2)
    if S.shape != (d, d):
        raise ValueError(f"Phi_star has shape {P.shape} so S must have shape {(d, d)}, got shape "
                         f"{S.shape}")
    noise_var = _nonnegative(noise_var, "noise_var")
    mean = P @ m
    var = np.einsum("ij,jk,ik->i", P, S, P) + noise_var
    return mean, var
