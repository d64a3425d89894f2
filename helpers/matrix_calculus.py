"""Closed-form gradients of the matrix-calculus toolkit, and subgradients at kinks.

Each function returns a formula derived in the notebook *The matrix-calculus toolkit, and
functions with kinks*; the notebook and ``tests/test_matrix_calculus.py`` check every one of them
against central differences (:mod:`helpers.gradcheck`) and sympy.

Conventions (the book's, see the introduction's Notation section)
-------------------------------------------------------------------
* The gradient of a scalar with respect to a vector or a matrix has the shape of that vector or
  matrix: ``grad[i, j] = d f / d X[i, j]``. A Jacobian has one row per output.
* Matrix variables are treated as having independent entries (no symmetry imposed), so a
  gradient with respect to a covariance matrix is the gradient over all its ``d * d`` entries.

Smooth identities::

    quadratic_form_grad(A, x)     d/dx  x^T A x          = (A + A^T) x
    least_squares_grad(A, x, b)   d/dx  ||A x - b||^2    = 2 A^T (A x - b)
    trace_product_grad(A, B)      d/dA  tr(A B)          = B^T
    logdet_grad(A)                d/dA  log |det A|      = A^{-T}
    inverse_differential(A, dA)   d(A^{-1})              = -A^{-1} dA A^{-1}
    gaussian_loglik_grads(X, mu, Sigma)   gradients of the Gaussian log-likelihood

Kinks::

    max_affine_subdifferential(slopes, intercepts, x)   the interval of subgradients of
                                                        max_i (slopes[i] x + intercepts[i])
    subgradient_gap(f, x0, g, points)                   min over points of
                                                        f(y) - f(x0) - g . (y - x0)
"""

from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from .validation import as_array

__all__ = ["quadratic_form_grad", "least_squares_grad", "trace_product_grad", "logdet_grad",
           "inverse_differential", "gaussian_loglik", "gaussian_loglik_grads",
           "max_affine_subdifferential", "subgradient_gap"]


def _square(A, name: str) -> np.ndarray:
    A = as_array(A, name, ndim=2)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be square, got shape {A.shape}")
    return A


def _inverse(A: np.ndarray, name: str) -> np.ndarray:
    try:
        inv = np.linalg.inv(A)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name} is singular (not invertible): the formula needs its inverse") from None
    if not np.all(np.isfinite(inv)):
        raise ValueError(f"{name} is numerically singular: its inverse is not finite")
    return inv


def quadratic_form_grad(A, x) -> np.ndarray:
    """Gradient of the quadratic form ``f(x) = x^T A x`` with respect to ``x``: ``(A + A^T) x``.

    Parameters
    ----------
    A : array_like, shape (n, n), any square matrix (not necessarily symmetric)
    x : array_like, shape (n,)

    Returns
    -------
    ndarray, shape (n,)
        Equal to ``2 A x`` only when ``A`` is symmetric.
    """
    A = _square(A, "A")
    x = as_array(x, "x", ndim=1)
    if x.shape[0] != A.shape[0]:
        raise ValueError(f"x has shape {x.shape} but A has shape {A.shape}; x needs "
                         f"{A.shape[0]} entries")
    return (A + A.T) @ x


def least_squares_grad(A, x, b) -> np.ndarray:
    """Gradient of ``f(x) = ||A x - b||^2`` with respect to ``x``: ``2 A^T (A x - b)``.

    Parameters
    ----------
    A : array_like, shape (m, n)
    x : array_like, shape (n,)
    b : array_like, shape (m,)

    Returns
    -------
    ndarray, shape (n,)
    """
    A = as_array(A, "A", ndim=2)
    x = as_array(x, "x", ndim=1)
    b = as_array(b, "b", ndim=1)
    if x.shape[0] != A.shape[1]:
        raise ValueError(f"x has shape {x.shape} but A has shape {A.shape}; x needs "
                         f"{A.shape[1]} entries")
    if b.shape[0] != A.shape[0]:
        raise ValueError(f"b has shape {b.shape} but A has shape {A.shape}; b needs "
                         f"{A.shape[0]} entries")
    return 2.0 * A.T @ (A @ x - b)


def trace_product_grad(A, B) -> np.ndarray:
    """Gradient of ``f(A) = tr(A B)`` with respect to ``A``: ``B^T``.

    Parameters
    ----------
    A : array_like, shape (m, n)
        Only its shape is used (the function is linear in ``A``).
    B : array_like, shape (n, m)

    Returns
    -------
    ndarray, shape (m, n), the shape of ``A``
    """
    A = as_array(A, "A", ndim=2)
    B = as_array(B, "B", ndim=2)
    if B.shape != A.shape[::-1]:
        raise ValueError(f"tr(A B) needs B of shape {A.shape[::-1]} for A of shape {A.shape}, "
                         f"got B of shape {B.shape}")
    return B.T.copy()


def logdet_grad(A) -> np.ndarray:
    """Gradient of ``f(A) = log |det A|`` with respect to ``A``: ``A^{-T}``.

    Valid at every invertible ``A`` (for ``det A > 0`` this is the gradient of ``log det A``).

    Parameters
    ----------
    A : array_like, shape (n, n), invertible

    Returns
    -------
    ndarray, shape (n, n)

    Raises
    ------
    ValueError
        If ``A`` is not square or is singular.
    """
    A = _square(A, "A")
    return _inverse(A, "A").T


def inverse_differential(A, dA) -> np.ndarray:
    """The differential of the inverse, ``d(A^{-1}) = -A^{-1} dA A^{-1}``.

    The first-order change of ``A^{-1}`` when ``A`` changes by ``dA``:
    ``(A + t dA)^{-1} = A^{-1} + t d(A^{-1}) + O(t^2)``.

    Parameters
    ----------
    A : array_like, shape (n, n), invertible
    dA : array_like, shape (n, n), the direction of the change

    Returns
    -------
    ndarray, shape (n, n)
    """
    A = _square(A, "A")
    dA = as_array(dA, "dA", ndim=2)
    if dA.shape != A.shape:
        raise ValueError(f"dA has shape {dA.shape} but A has shape {A.shape}; they must be equal")
    inv = _inverse(A, "A")
    return -inv @ dA @ inv


def _gaussian_args(X, mu, Sigma):
    X = as_array(X, "X", ndim=(1, 2))
    X2 = X[None, :] if X.ndim == 1 else X
    d = X2.shape[1]
    mu = as_array(mu, "mu", shape=(d,))
    Sigma = _square(Sigma, "Sigma")
    if Sigma.shape != (d, d):
        raise ValueError(f"Sigma has shape {Sigma.shape} but the data have d = {d} features; "
                         f"Sigma must have shape {(d, d)}")
    return X2, mu, Sigma


def gaussian_loglik(X, mu, Sigma) -> float:
    """Log-likelihood of the rows of ``X`` under the Gaussian ``N(mu, Sigma)``.

    ``sum_n [ -d/2 log(2 pi) - 1/2 log det Sigma - 1/2 (x_n - mu)^T Sigma^{-1} (x_n - mu) ]``

    The formula is evaluated as written for any ``Sigma`` with positive determinant, symmetric
    or not, so that central differences may move one entry of ``Sigma`` at a time.

    Parameters
    ----------
    X : array_like, shape (N, d) (one example per row) or (d,) (one example)
    mu : array_like, shape (d,)
    Sigma : array_like, shape (d, d), with positive determinant (a covariance matrix:
        symmetric positive definite)

    Returns
    -------
    float
    """
    X2, mu, Sigma = _gaussian_args(X, mu, Sigma)
    sign, logdet = np.linalg.slogdet(Sigma)
    if sign <= 0:
        raise ValueError("Sigma must have a positive determinant (a covariance matrix is "
                         "positive definite)")
    D = X2 - mu
    quad = np.sum(D * np.linalg.solve(Sigma, D.T).T)       # sum_n d_n^T Sigma^{-1} d_n
    N, d = X2.shape
    return float(-0.5 * N * d * np.log(2 * np.pi) - 0.5 * N * logdet - 0.5 * quad)


def gaussian_loglik_grads(X, mu, Sigma) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of :func:`gaussian_loglik` with respect to ``mu`` and to ``Sigma``.

    With ``d_n = x_n - mu`` and ``S = Sigma^{-1}``::

        grad_mu    = 1/2 (S + S^T) sum_n d_n
        grad_Sigma = 1/2 sum_n ( -S^T + S^T d_n d_n^T S^T )      (all d*d entries independent)

    For a symmetric ``Sigma`` the transposes drop out: ``grad_mu = Sigma^{-1} sum_n d_n``, and
    ``grad_Sigma`` is symmetric.

    Parameters
    ----------
    X : array_like, shape (N, d) or (d,)
    mu : array_like, shape (d,)
    Sigma : array_like, shape (d, d), invertible

    Returns
    -------
    (grad_mu, grad_Sigma) : ndarrays of shapes (d,) and (d, d)
    """
    X2, mu, Sigma = _gaussian_args(X, mu, Sigma)
    S = _inverse(Sigma, "Sigma")
    D = X2 - mu
    grad_mu = 0.5 * (S + S.T) @ D.sum(axis=0)
    N = X2.shape[0]
    grad_Sigma = 0.5 * (-N * S.T + S.T @ (D.T @ D) @ S.T)
    return grad_mu, grad_Sigma


def max_affine_subdifferential(slopes, intercepts, x, tol: float = 1e-12) -> tuple[float, float]:
    """The subdifferential of ``f(x) = max_i (slopes[i] x + intercepts[i])`` at the number ``x``.

    ``f`` is convex; its subdifferential at ``x`` is the interval ``[lo, hi]`` between the
    smallest and the largest slope among the pieces that attain the maximum there (the *active*
    pieces). It is a single point where one piece is active (``f`` is differentiable there).
    Examples: ``|x| = max(-x, x)``, ``ReLU(x) = max(0, x)``.

    Parameters
    ----------
    slopes, intercepts : array_like, shape (k,), k >= 1
    x : float
    tol : float
        Pieces within ``tol`` of the maximum count as active.

    Returns
    -------
    (lo, hi) : tuple of float
    """
    s = as_array(slopes, "slopes", ndim=1)
    c = as_array(intercepts, "intercepts", ndim=1)
    if s.shape != c.shape or s.size == 0:
        raise ValueError(f"slopes and intercepts must be non-empty and of equal shape, got "
                         f"{s.shape} and {c.shape}")
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not np.isfinite(x):
        raise TypeError(f"x must be a finite number, got {x!r}")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol >= 0:
        raise ValueError(f"tol must be a non-negative number, got {tol!r}")
    values = s * float(x) + c
    active = values >= values.max() - tol
    return float(s[active].min()), float(s[active].max())


def subgradient_gap(f: Callable, x0, g, points):
    """How far the supporting line (plane) of slope ``g`` at ``x0`` stays below ``f``.

    Returns ``min over y in points of  f(y) - f(x0) - g . (y - x0)``. The vector ``g`` is a
    subgradient of a convex ``f`` at ``x0`` exactly when this is ``>= 0`` for *every* ``y``;
    on a finite set of points a negative result proves that ``g`` is not a subgradient, and a
    non-negative one is evidence (not proof) that it is.

    Parameters
    ----------
    f : callable
        ``f(y)`` takes an array of the shape of ``x0`` and returns a number. It is called once
        per point, however many slopes are tested.
    x0 : array_like, shape (n,) or a number (shape ())
    g : array_like, the shape of ``x0`` (one slope), or shape (M,) + x0.shape (M slopes)
    points : array_like, shape (K,) + x0.shape, K >= 1

    Returns
    -------
    float for one slope, or ndarray of shape (M,) with one gap per slope
    """
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    x0 = as_array(x0, "x0", ndim=(0, 1))
    g = as_array(g, "g")
    if g.shape != x0.shape and g.shape[1:] != x0.shape:
        raise ValueError(f"g has shape {g.shape} but x0 has shape {x0.shape}; g must have the "
                         f"shape of x0, or (M,) + {x0.shape} for M slopes")
    P = as_array(points, "points")
    if P.ndim != x0.ndim + 1 or P.shape[1:] != x0.shape or P.shape[0] == 0:
        raise ValueError(f"points must have shape (K,) + {x0.shape} with K >= 1, got {P.shape}")
    f0 = float(f(x0))
    rise = np.array([float(f(y)) for y in P]) - f0                  # (K,)
    steps = (P - x0).reshape(P.shape[0], -1)                        # (K, n)
    G = g.reshape(-1, steps.shape[1])                               # (M, n)
    gaps = (rise[None, :] - G @ steps.T).min(axis=1)                # (M,)
    return float(gaps[0]) if g.shape == x0.shape else gaps
