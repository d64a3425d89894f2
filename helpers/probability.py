"""Gaussian densities, sampling, covariance ellipses, and checks of estimates against the truth.

The probability series builds each of these step by step; this module holds the versions the
notebooks share. ``d`` is the dimension of a point, ``N`` the number of points.

The one check used everywhere: an estimate from ``n`` random samples is off by about one
*standard error* (``sigma / sqrt(n)`` for a mean), so a claim "the estimate is close to the truth"
is tested as ``|estimate - truth| <= k * standard error`` with ``k = 4`` by default. For an
approximately normal estimate a correct formula fails this test with probability about 6e-5 per
number checked (about k * 6e-5 for k numbers checked at once), while a wrong formula that is off by
more than about 6 standard errors fails it reliably.
"""

from __future__ import annotations

import math

import numpy as np

from .validation import as_array, as_mean_and_cov, require_positive_int

__all__ = ["normal_pdf", "normal_cdf", "mvn_logpdf", "mvn_pdf", "mvn_sample",
           "covariance_ellipse", "joint_distribution", "assert_within_se"]

_erfc = np.vectorize(math.erfc, otypes=[float])


def _sigma(sigma) -> float:
    if not np.isscalar(sigma) or not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be a finite number > 0, got {sigma!r}")
    return float(sigma)


def normal_pdf(x, mu: float = 0.0, sigma: float = 1.0) -> np.ndarray:
    """Density of the normal distribution N(mu, sigma^2) at ``x``, elementwise.

    ``exp(-(x - mu)^2 / (2 sigma^2)) / (sigma sqrt(2 pi))``.

    Parameters
    ----------
    x : array_like, any shape, float
    mu : float -- the mean
    sigma : float > 0 -- the standard deviation (not the variance)

    Returns
    -------
    ndarray of float64, same shape as ``x``.
    """
    x = as_array(x, "x")
    sigma = _sigma(sigma)
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def normal_cdf(x, mu: float = 0.0, sigma: float = 1.0) -> np.ndarray:
    """Cumulative distribution function P(X <= x) of N(mu, sigma^2), elementwise.

    ``(1 + erf((x - mu) / (sigma sqrt 2))) / 2``, computed as ``erfc(-(x - mu) / (sigma sqrt 2)) / 2``,
    which is the same function but keeps its relative accuracy far in the lower tail (where
    ``1 + erf`` would cancel to 0).

    Parameters
    ----------
    x : array_like, any shape, float
    mu : float
    sigma : float > 0

    Returns
    -------
    ndarray of float64, same shape as ``x``, values in [0, 1].
    """
    x = as_array(x, "x")
    sigma = _sigma(sigma)
    return 0.5 * _erfc(-(x - mu) / (sigma * math.sqrt(2.0)))


def _mean_cov(mean, cov) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate (mean, cov); return them with the Cholesky factor of cov."""
    if as_array(mean, "mean", ndim=1).shape[0] == 0:
        raise ValueError("mean is empty")
    mu, S = as_mean_and_cov(mean, cov)
    try:
        chol = np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        smallest = float(np.linalg.eigvalsh(S).min())
        raise ValueError(f"cov is not positive definite (smallest eigenvalue {smallest:.3g}); "
                         "a covariance matrix needs all eigenvalues > 0 here") from None
    return mu, S, chol


def mvn_logpdf(X, mean, cov) -> np.ndarray:
    """Log density of the multivariate normal N(mean, cov) at each row of ``X``.

    ``log p(x) = -(d log(2 pi) + log det(cov) + (x - mean)^T cov^{-1} (x - mean)) / 2``, computed
    with the Cholesky factor ``cov = L L^T`` (``log det = 2 sum log diag L``, and the quadratic
    form is ``|L^{-1}(x - mean)|^2``), never with an explicit inverse.

    Parameters
    ----------
    X : array_like, shape (N, d) or (d,), float
    mean : array_like, shape (d,)
    cov : array_like, shape (d, d), symmetric positive definite

    Returns
    -------
    ndarray of float64, shape (N,) (a 0-d array for a single point of shape (d,)).
    """
    mu, _, chol = _mean_cov(mean, cov)
    d = mu.shape[0]
    X = as_array(X, "X", ndim=(1, 2))
    single = X.ndim == 1
    X2 = X.reshape(1, -1) if single else X
    if X2.shape[1] != d:
        raise ValueError(f"X has shape {X.shape} but mean has shape {mu.shape}: points need "
                         f"{d} coordinates")
    U = np.linalg.solve(chol, (X2 - mu).T)          # (d, N): L^{-1} (x - mean)
    maha = np.sum(U ** 2, axis=0)
    logdet = 2.0 * np.sum(np.log(np.diag(chol)))
    out = -0.5 * (d * math.log(2 * math.pi) + logdet + maha)
    return out.reshape(()) if single else out


def mvn_pdf(X, mean, cov) -> np.ndarray:
    """Density of N(mean, cov) at each row of ``X``: ``exp(mvn_logpdf(X, mean, cov))``.

    Shapes as in :func:`mvn_logpdf`.
    """
    return np.exp(mvn_logpdf(X, mean, cov))


def mvn_sample(rng: np.random.Generator, mean, cov, size: int) -> np.ndarray:
    """Draw ``size`` points from N(mean, cov) as ``mean + L z`` with ``cov = L L^T``, z ~ N(0, I).

    Parameters
    ----------
    rng : numpy.random.Generator -- e.g. ``np.random.default_rng(0)``
    mean : array_like, shape (d,)
    cov : array_like, shape (d, d), symmetric positive definite
    size : int >= 1

    Returns
    -------
    ndarray of float64, shape (size, d).
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    n = require_positive_int(size, "size")
    mu, _, chol = _mean_cov(mean, cov)
    Z = rng.standard_normal((n, mu.shape[0]))
    return mu + Z @ chol.T


def covariance_ellipse(mean, cov, n_std: float = 1.0, num: int = 200) -> np.ndarray:
    """Points on the ellipse ``{x : (x - mean)^T cov^{-1} (x - mean) = n_std^2}`` in the plane.

    Its axes point along the eigenvectors of ``cov`` with half-lengths ``n_std * sqrt(eigenvalue)``.

    Parameters
    ----------
    mean : array_like, shape (2,)
    cov : array_like, shape (2, 2), symmetric positive definite
    n_std : float > 0 -- the Mahalanobis radius (1 = "one standard deviation")
    num : int >= 3 -- number of points; the first and last coincide (closed curve)

    Returns
    -------
    ndarray of float64, shape (num, 2).
    """
    mu, S, _ = _mean_cov(mean, cov)
    if mu.shape != (2,):
        raise ValueError(f"covariance_ellipse works in the plane: mean must have shape (2,), "
                         f"got shape {mu.shape}")
    if not np.isscalar(n_std) or not np.isfinite(n_std) or n_std <= 0:
        raise ValueError(f"n_std must be a finite number > 0, got {n_std!r}")
    n_std = float(n_std)
    num = require_positive_int(num, "num")
    if num < 3:
        raise ValueError(f"num must be at least 3, got {num}")
    vals, vecs = np.linalg.eigh(S)
    t = np.linspace(0.0, 2 * np.pi, num)
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)
    return mu + n_std * (circle * np.sqrt(vals)) @ vecs.T


def joint_distribution(a, b, num_a: int, num_b: int) -> np.ndarray:
    """Empirical joint distribution of two discrete variables observed together.

    Entry ``[i, j]`` is the fraction of positions ``n`` where ``a[n] == i`` and ``b[n] == j``.

    Parameters
    ----------
    a, b : array_like of int, shape (N,) -- paired observations, values in [0, num_a), [0, num_b)
    num_a, num_b : int >= 1 -- number of values each variable can take

    Returns
    -------
    ndarray of float64, shape (num_a, num_b), entries >= 0 summing to 1.
    """
    na = require_positive_int(num_a, "num_a")
    nb = require_positive_int(num_b, "num_b")
    out = []
    for x, k, name in ((a, na, "a"), (b, nb, "b")):
        arr = np.asarray(x)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name} must be integers, got dtype {arr.dtype}")
        if arr.ndim != 1:
            raise ValueError(f"{name} must have shape (N,), got shape {arr.shape}")
        if arr.size and (arr.min() < 0 or arr.max() >= k):
            raise ValueError(f"{name} has values from {arr.min()} to {arr.max()}, outside "
                             f"[0, {k})")
        out.append(arr.astype(np.int64))
    a, b = out
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}; they must be paired")
    if a.size == 0:
        raise ValueError("a and b are empty")
    counts = np.bincount(a * nb + b, minlength=na * nb).reshape(na, nb)
    return counts / a.size


def assert_within_se(estimate, expected, se, *, k: float = 4.0, name: str = "estimate") -> str:
    """Check that an estimate from random samples is within ``k`` standard errors of the truth.

    Parameters
    ----------
    estimate, expected : float or array_like of the same shape
        The sample estimate and the exact value it should approach.
    se : float or array_like broadcastable to them, > 0
        The standard error of the estimate (for a mean of n samples: sigma / sqrt(n)).
    k : float > 0
        How many standard errors are allowed (4: a correct formula fails with probability ~6e-5).
    name : str
        Used in the report.

    Returns
    -------
    str
        A one-line report with the largest deviation in units of standard errors (rounded, so it
        prints the same on every machine).

    Raises
    ------
    AssertionError
        If some entry is further than ``k * se`` from ``expected``; the message gives both values.
    """
    est = as_array(estimate, "estimate")
    exp = as_array(expected, "expected")
    if est.shape != exp.shape:
        raise ValueError(f"estimate has shape {est.shape} but expected has shape {exp.shape}")
    s = as_array(se, "se")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("se must be finite and > 0")
    if not (np.isscalar(k) and k > 0):
        raise ValueError(f"k must be a number > 0, got {k!r}")
    z = np.abs(est - exp) / s
    if not np.all(np.isfinite(z)):
        raise AssertionError(f"{name}: estimate or expected value is not finite")
    worst = float(np.max(z))
    if worst > k:
        i = np.unravel_index(np.argmax(z), z.shape)
        at = f" at index {tuple(int(j) for j in i)}" if z.ndim else ""
        raise AssertionError(f"{name}{at}: estimate {float(est[i]):.6g} differs from "
                             f"{float(exp[i]):.6g} by {worst:.1f} standard errors (allowed {k:g})")
    return f"{name}: within {k:g} standard errors of the exact value (largest deviation " \
           f"{worst:.1f} SE)"
