"""Transformations of random variables: sampling by transformation, a monotone map, a 2-D flow.

The change-of-variables notebook builds each idea step by step; this module holds the versions it
(and later notebooks) share.

* :func:`ks_distance` and :func:`kolmogorov_sf`: the largest distance between the empirical CDF of
  samples and a target CDF, and how large it may be for a correct sampler.
* :func:`box_muller`: two independent standard normal samples from two uniform ones.
* :func:`sinh_arcsinh`, :func:`sinh_arcsinh_inverse`, :func:`sinh_arcsinh_logpdf`: a monotone map of
  the real line with a skew and a tail-weight parameter, and the density it gives a standard normal.
* :class:`CouplingFlow`: a one-layer normalizing flow on the plane (an affine map of the first
  coordinate and an affine coupling of the second), with its log-density and the exact gradient of
  the average negative log-likelihood.
* :func:`bits_per_dim`: a log-likelihood in nats converted to bits per dimension.
* :func:`grid_mass`: the total mass of a density tabulated on a 1-D or 2-D grid (trapezoid rule).

Logs are natural unless written ``log2``. ``N`` is a number of points.
"""

from __future__ import annotations

import math

import numpy as np

from .validation import as_array, require_positive_int

__all__ = ["ks_distance", "kolmogorov_sf", "box_muller", "sinh_arcsinh", "sinh_arcsinh_inverse",
           "sinh_arcsinh_logpdf", "CouplingFlow", "bits_per_dim", "grid_mass"]

_LOG_2PI = math.log(2.0 * math.pi)


def _finite(x, name: str, **kw) -> np.ndarray:
    arr = as_array(x, name, **kw)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not np.isscalar(value) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _real(value, name: str) -> float:
    if isinstance(value, bool) or not np.isscalar(value) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


# ----------------------------------------------------------------------------- sampler checks

def ks_distance(samples, cdf) -> float:
    """Kolmogorov-Smirnov distance: ``max_x |F_N(x) - F(x)|`` between samples and a target CDF.

    Parameters
    ----------
    samples : array_like, shape (N,), N >= 1, finite
    cdf : callable -- the target CDF ``F``, applied elementwise to an array of shape (N,)

    Returns
    -------
    float in [0, 1]. The empirical CDF ``F_N`` jumps by 1/N at each sorted sample ``x_(i)``, so the
    largest gap is at a jump: ``max_i max(i/N - F(x_(i)), F(x_(i)) - (i-1)/N)``.
    """
    x = np.sort(_finite(samples, "samples", ndim=1))
    n = len(x)
    if n == 0:
        raise ValueError("samples must hold at least one value")
    F = np.asarray(cdf(x), dtype=float)
    if F.shape != x.shape:
        raise ValueError(f"cdf must return an array of the samples' shape {x.shape}, got {F.shape}")
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - F), np.max(F - (i - 1) / n)))


def kolmogorov_sf(t, terms: int = 100) -> float:
    """``P(sqrt(N) D_N > t)`` for large ``N``: the tail of the Kolmogorov distribution.

    ``2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 t^2)`` (Kolmogorov, 1933), valid for a continuous target
    CDF and independent samples. For example ``kolmogorov_sf(1.36)`` is about 0.05.

    Parameters
    ----------
    t : float >= 0
    terms : int > 0 -- number of terms of the series (100 is far more than enough for t >= 0.2)

    Returns
    -------
    float in [0, 1]
    """
    if isinstance(t, bool) or not np.isscalar(t) or not np.isfinite(t) or t < 0:
        raise ValueError(f"t must be a finite number >= 0, got {t!r}")
    terms = require_positive_int(terms, "terms")
    if t < 0.2:        # the series converges slowly there, and the tail is 1 to 7 digits
        return 1.0
    k = np.arange(1, terms + 1)
    value = 2.0 * np.sum((-1.0) ** (k - 1) * np.exp(-2.0 * k ** 2 * float(t) ** 2))
    return float(min(max(value, 0.0), 1.0))


def box_muller(u1, u2) -> tuple[np.ndarray, np.ndarray]:
    """Box-Muller transform: two independent N(0, 1) samples from two independent U(0, 1] samples.

    ``r = sqrt(-2 log u1)``, ``phi = 2 pi u2``, returns ``(r cos phi, r sin phi)``.

    Parameters
    ----------
    u1, u2 : array_like, same shape, values in (0, 1] (``u1 = 0`` would give an infinite radius;
        pass ``1 - rng.random(n)``, which lies in (0, 1])

    Returns
    -------
    z1, z2 : ndarrays of float64, the shape of ``u1``
    """
    u1 = _finite(u1, "u1")
    u2 = _finite(u2, "u2")
    if u1.shape != u2.shape:
        raise ValueError(f"u1 and u2 must have the same shape, got {u1.shape} and {u2.shape}")
    if np.any(u1 <= 0) or np.any(u1 > 1):
        raise ValueError("u1 must lie in (0, 1] (log 0 is infinite); use 1 - rng.random(n)")
    if np.any(u2 < 0) or np.any(u2 > 1):
        raise ValueError("u2 must lie in [0, 1]")
    r = np.sqrt(-2.0 * np.log(u1))
    phi = 2.0 * np.pi * u2
    return r * np.cos(phi), r * np.sin(phi)


# ----------------------------------------------------------------------------- a monotone map

def _sas_params(skew, tail, scale):
    return _real(skew, "skew"), _positive(tail, "tail"), _positive(scale, "scale")


def sinh_arcsinh(z, skew: float = 0.0, tail: float = 1.0, scale: float = 1.0) -> np.ndarray:
    """The sinh-arcsinh map ``x = scale * sinh((asinh(z) + skew) / tail)``, elementwise.

    Strictly increasing and smooth on the whole real line for every ``skew`` and every
    ``tail, scale > 0``; ``skew = 0, tail = 1, scale = 1`` is the identity. ``skew > 0`` pushes
    mass to the right; ``tail < 1`` gives heavier tails, ``tail > 1`` lighter ones.

    Parameters
    ----------
    z : array_like, any shape
    skew : float; tail, scale : float > 0

    Returns
    -------
    ndarray of float64, the shape of ``z``
    """
    skew, tail, scale = _sas_params(skew, tail, scale)
    z = _finite(z, "z")
    return scale * np.sinh((np.arcsinh(z) + skew) / tail)


def sinh_arcsinh_inverse(x, skew: float = 0.0, tail: float = 1.0, scale: float = 1.0) -> np.ndarray:
    """Inverse of :func:`sinh_arcsinh`: ``z = sinh(tail * asinh(x / scale) - skew)``, elementwise."""
    skew, tail, scale = _sas_params(skew, tail, scale)
    x = _finite(x, "x")
    return np.sinh(tail * np.arcsinh(x / scale) - skew)


def sinh_arcsinh_logpdf(x, skew: float = 0.0, tail: float = 1.0, scale: float = 1.0) -> np.ndarray:
    """Log-density of ``X = sinh_arcsinh(Z)`` for ``Z ~ N(0, 1)``, by the change of variables.

    ``log p_X(x) = log phi(z) + log dz/dx`` with ``z`` the inverse map at ``x`` and
    ``dz/dx = tail * cosh(tail * asinh(x / scale) - skew) / (scale * sqrt(1 + (x / scale)^2))``.

    Parameters
    ----------
    x : array_like, any shape
    skew : float; tail, scale : float > 0

    Returns
    -------
    ndarray of float64, the shape of ``x``
    """
    skew, tail, scale = _sas_params(skew, tail, scale)
    x = _finite(x, "x")
    w = tail * np.arcsinh(x / scale) - skew
    z = np.sinh(w)
    log_dz_dx = (math.log(tail) + np.log(np.cosh(w)) - math.log(scale)
                 - 0.5 * np.log1p((x / scale) ** 2))
    return -0.5 * (_LOG_2PI + z ** 2) + log_dz_dx


# ----------------------------------------------------------------------------- a 2-D flow

class CouplingFlow:
    """A one-layer normalizing flow on the plane with a polynomial affine coupling.

    Data ``x = (x1, x2)`` map to base coordinates ``z = f(x)``, standard normal under the model:

        z1 = (x1 - b) * exp(-a),
        z2 = (x2 - m(x1)) * exp(-s(x1)),
        m(x1) = sum_j c_j x1^j  (j = 0..deg_m),   s(x1) = sum_j d_j x1^j  (j = 0..deg_s).

    ``f`` is invertible (``x1 = b + exp(a) z1``, then ``x2 = m(x1) + exp(s(x1)) z2``) and smooth,
    with a triangular Jacobian, so ``log|det J_f(x)| = -a - s(x1)`` and

        log p(x) = -log(2 pi) - (z1^2 + z2^2) / 2 - a - s(x1).

    The parameters are one flat vector ``theta = [b, a, c_0..c_deg_m, d_0..d_deg_s]`` of length
    ``4 + deg_m + deg_s``; ``theta = 0`` is the standard normal.

    Parameters
    ----------
    deg_m : int >= 0 -- degree of the shift polynomial m
    deg_s : int >= 0 -- degree of the log-scale polynomial s
    """

    def __init__(self, deg_m: int = 4, deg_s: int = 2):
        for value, name in ((deg_m, "deg_m"), (deg_s, "deg_s")):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
        self.deg_m, self.deg_s = int(deg_m), int(deg_s)
        self.n_params = 4 + self.deg_m + self.deg_s

    def __repr__(self) -> str:
        return f"CouplingFlow(deg_m={self.deg_m}, deg_s={self.deg_s})"

    def _theta(self, theta) -> tuple:
        theta = _finite(theta, "theta", shape=(self.n_params,))
        b, a = theta[0], theta[1]
        c = theta[2:3 + self.deg_m]
        d = theta[3 + self.deg_m:]
        return b, a, c, d

    def _X(self, X) -> np.ndarray:
        return _finite(X, "X", shape=(None, 2))

    def _parts(self, theta, X):
        b, a, c, d = self._theta(theta)
        X = self._X(X)
        x1, x2 = X[:, 0], X[:, 1]
        Pm = x1[:, None] ** np.arange(self.deg_m + 1)          # (N, deg_m + 1)
        Ps = x1[:, None] ** np.arange(self.deg_s + 1)          # (N, deg_s + 1)
        s = Ps @ d
        z1 = (x1 - b) * np.exp(-a)
        z2 = (x2 - Pm @ c) * np.exp(-s)
        return a, s, z1, z2, Pm, Ps

    def to_base(self, theta, X) -> tuple[np.ndarray, np.ndarray]:
        """``z = f(x)`` for each row of ``X`` (shape (N, 2)): returns ``Z`` (N, 2) and
        ``log|det J_f(x)|`` (N,)."""
        a, s, z1, z2, _, _ = self._parts(theta, X)
        return np.column_stack([z1, z2]), -a - s

    def from_base(self, theta, Z) -> np.ndarray:
        """The inverse map ``x = f^{-1}(z)`` for each row of ``Z`` (shape (N, 2)): ``X`` (N, 2)."""
        b, a, c, d = self._theta(theta)
        Z = _finite(Z, "Z", shape=(None, 2))
        x1 = b + np.exp(a) * Z[:, 0]
        x2 = np.polyval(c[::-1], x1) + np.exp(np.polyval(d[::-1], x1)) * Z[:, 1]
        return np.column_stack([x1, x2])

    def log_prob(self, theta, X) -> np.ndarray:
        """``log p(x)`` for each row of ``X`` (shape (N, 2)): shape (N,)."""
        a, s, z1, z2, _, _ = self._parts(theta, X)
        return -_LOG_2PI - 0.5 * (z1 ** 2 + z2 ** 2) - a - s

    def sample(self, theta, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` samples (shape (n, 2)): ``f^{-1}`` applied to standard normal ``z``."""
        n = require_positive_int(n, "n")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        return self.from_base(theta, rng.standard_normal((n, 2)))

    def nll_and_grad(self, theta, X) -> tuple[float, np.ndarray]:
        """Average negative log-likelihood of the rows of ``X`` (shape (N, 2)) and its gradient
        with respect to ``theta`` (shape (n_params,)).

        Per point, ``nll = log(2 pi) + (z1^2 + z2^2) / 2 + a + s``, so
        ``d/db = -z1 exp(-a)``, ``d/da = 1 - z1^2``, ``d/dc_j = -z2 exp(-s) x1^j``,
        ``d/dd_j = (1 - z2^2) x1^j``.
        """
        a, s, z1, z2, Pm, Ps = self._parts(theta, X)
        nll = float(np.mean(_LOG_2PI + 0.5 * (z1 ** 2 + z2 ** 2) + a + s))
        grad = np.concatenate([[np.mean(-z1 * np.exp(-a)), np.mean(1.0 - z1 ** 2)],
                               np.mean((-z2 * np.exp(-s))[:, None] * Pm, axis=0),
                               np.mean((1.0 - z2 ** 2)[:, None] * Ps, axis=0)])
        return nll, grad


# ----------------------------------------------------------------------------- units

def bits_per_dim(log_likelihood, n_dims: int, scale: float = 1.0):
    """Convert a log-likelihood in nats (of one data point) to bits per dimension.

    ``(-log_likelihood + n_dims * log(scale)) / (n_dims * log 2)``. Use ``scale`` when the model's
    density is over data divided by ``scale`` (for example dequantized pixels ``(k + u) / 256``:
    ``scale = 256``), which turns it into the density over the original units.

    Parameters
    ----------
    log_likelihood : float or array_like (any shape) -- log p(x) in nats, per data point
    n_dims : int > 0 -- the number of dimensions of a data point (784 for an MNIST image)
    scale : float > 0

    Returns
    -------
    float, or ndarray of the shape of ``log_likelihood``
    """
    n_dims = require_positive_int(n_dims, "n_dims")
    scale = _positive(scale, "scale")
    ll = as_array(log_likelihood, "log_likelihood")
    out = (-ll + n_dims * math.log(scale)) / (n_dims * math.log(2.0))
    return float(out) if out.ndim == 0 else out


def grid_mass(density, x, y=None) -> float:
    """Total mass of a density tabulated on a grid, by the trapezoid rule.

    Parameters
    ----------
    density : array_like, shape (len(x),) for a 1-D grid, or (len(y), len(x)) for a 2-D grid
        (rows follow ``y``, columns follow ``x``, as ``np.meshgrid(x, y)`` lays them out)
    x, y : array_like, 1-D, increasing grid coordinates

    Returns
    -------
    float -- the integral of the density over the grid's box. It is close to 1 only when the box
    holds almost all the mass and the grid resolves the density.
    """
    x = _finite(x, "x", ndim=1)
    if len(x) < 2 or np.any(np.diff(x) <= 0):
        raise ValueError("x must hold at least 2 increasing values")
    if y is None:
        p = _finite(density, "density", shape=(len(x),))
        return float(np.trapezoid(p, x))
    y = _finite(y, "y", ndim=1)
    if len(y) < 2 or np.any(np.diff(y) <= 0):
        raise ValueError("y must hold at least 2 increasing values")
    p = _finite(density, "density", shape=(len(y), len(x)))
    return float(np.trapezoid(np.trapezoid(p, x, axis=1), y))
