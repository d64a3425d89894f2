"""Factorizations of the book: triangular solves, Gram-Schmidt, Householder QR, Cholesky, least squares.

What the notebook "Orthogonality, QR and positive-definite matrices" builds and later notebooks
reuse, written in plain numpy so that every step can be read:

* :func:`back_substitution` and :func:`forward_substitution` -- solve a triangular system;
* :func:`gram_schmidt` -- the reduced QR factorization by classical or modified Gram-Schmidt,
  optionally with one round of re-orthogonalisation;
* :func:`householder_qr` -- the reduced QR factorization by Householder reflections;
* :func:`lstsq_qr` -- least squares by QR and back substitution;
* :func:`cholesky` -- ``A = L L^T`` for a symmetric positive-definite ``A``; it raises
  :class:`NotPositiveDefiniteError` at the first pivot that is not positive;
* :func:`random_orthogonal` -- a random orthogonal matrix, uniformly distributed (Haar measure).

Vectors are columns; a matrix whose columns are factored has shape (m, n) with m >= n. Arrays are
float64. Bad shapes and values raise ``ValueError`` with a message naming them.
"""

from __future__ import annotations

import numbers

import numpy as np

from .validation import as_array, as_finite_matrix, as_generator, require_positive_int

__all__ = ["NotPositiveDefiniteError", "back_substitution", "forward_substitution", "gram_schmidt",
           "householder_qr", "lstsq_qr", "cholesky", "random_orthogonal"]


class NotPositiveDefiniteError(ValueError):
    """Cholesky met a pivot that is not positive: the matrix is not positive definite.

    Attributes
    ----------
    index : int
        The (0-based) row of the failing pivot.
    pivot : float
        Its value, ``a_jj - sum_k l_jk^2`` (zero or negative, or at most the tolerance).
    """

    def __init__(self, index: int, pivot: float, tol: float):
        self.index, self.pivot, self.tol = int(index), float(pivot), float(tol)
        bound = "0" if tol == 0 else f"the tolerance {tol:.1e}"
        super().__init__(f"the matrix is not positive definite: pivot {index} of the Cholesky "
                         f"factorization is {pivot:.3e}, not above {bound}")




def _tall(A, name: str = "A") -> np.ndarray:
    M = as_finite_matrix(A, name)
    if M.shape[0] < M.shape[1]:
        raise ValueError(f"{name} must have at least as many rows as columns (m >= n) for a reduced "
                         f"QR factorization, got shape {M.shape}")
    return M


def _square(A, name: str) -> np.ndarray:
    M = as_finite_matrix(A, name)
    if M.shape[0] != M.shape[1]:
        raise ValueError(f"{name} must be square, got shape {M.shape}")
    return M


def _triangular_inputs(T, b, name: str):
    T = _square(T, name)
    b = as_array(b, "b", ndim=(1, 2))
    if b.shape[0] != T.shape[0]:
        raise ValueError(f"{name} has shape {T.shape} but b has shape {b.shape}: b needs "
                         f"{T.shape[0]} rows")
    d = np.diag(T)
    if np.any(d == 0):
        raise ValueError(f"{name} has a zero on its diagonal (position {int(np.flatnonzero(d == 0)[0])}): "
                         "the triangular system is singular")
    return T, b


# --------------------------------------------------------------------------- triangular systems

def back_substitution(R, b) -> np.ndarray:
    """Solve ``R x = b`` for an upper-triangular ``R``, from the last row up.

    ``x_i = (b_i - sum_{j > i} R_ij x_j) / R_ii`` for ``i = n-1, ..., 0``. Entries of ``R`` below
    the diagonal are ignored.

    Parameters
    ----------
    R : array_like, shape (n, n)
        Upper triangular with nonzero diagonal.
    b : array_like, shape (n,) or (n, k)
        One right-hand side, or k of them as columns.

    Returns
    -------
    ndarray, shape (n,) or (n, k)

    Raises
    ------
    ValueError
        If ``R`` is not square, a diagonal entry is zero, or ``b`` has the wrong number of rows.
    """
    R, b = _triangular_inputs(R, b, "R")
    n = R.shape[0]
    x = np.zeros_like(b)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - R[i, i + 1:] @ x[i + 1:]) / R[i, i]
    return x


def forward_substitution(L, b) -> np.ndarray:
    """Solve ``L x = b`` for a lower-triangular ``L``, from the first row down.

    ``x_i = (b_i - sum_{j < i} L_ij x_j) / L_ii`` for ``i = 0, ..., n-1``. Entries above the
    diagonal are ignored. Shapes and errors as in :func:`back_substitution`.
    """
    L, b = _triangular_inputs(L, b, "L")
    x = np.zeros_like(b)
    for i in range(L.shape[0]):
        x[i] = (b[i] - L[i, :i] @ x[:i]) / L[i, i]
    return x


# --------------------------------------------------------------------------- QR

def gram_schmidt(A, method: str = "modified", reorthogonalize: bool = False):
    """Reduced QR factorization ``A = Q R`` by Gram-Schmidt orthogonalisation of the columns.

    Column ``j`` has its components along ``q_0, ..., q_{j-1}`` removed and is then normalised:
    ``r_jj = ||v_j||`` and ``q_j = v_j / r_jj``.

    * ``"classical"``: all coefficients ``r_ij = q_i . a_j`` are computed from the *original*
      column ``a_j``. Orthogonality of the computed ``Q`` degrades like ``kappa(A)^2 * EPS``.
    * ``"modified"``: the components are removed one at a time and ``r_ij = q_i . v`` uses the
      *partly orthogonalised* ``v``. The same in exact arithmetic; in floating point the loss of
      orthogonality is only of order ``kappa(A) * EPS``.
    * ``reorthogonalize=True`` runs the removal twice for each column (adding the two sets of
      coefficients); then ``||Q^T Q - I||`` stays at the level of ``EPS`` as long as
      ``kappa(A) * EPS`` is well below 1 ("twice is enough").

    Parameters
    ----------
    A : array_like, shape (m, n), m >= n
        Linearly independent columns (exact arithmetic breaks down otherwise).
    method : {"modified", "classical"}
    reorthogonalize : bool

    Returns
    -------
    Q : ndarray, shape (m, n)
        Orthonormal columns (up to rounding, see above), spanning the columns of ``A``.
    R : ndarray, shape (n, n)
        Upper triangular with a positive diagonal.

    Raises
    ------
    ValueError
        If ``A`` is not a finite matrix with m >= n, ``method`` is unknown, or a column becomes
        exactly zero (it lies in the span of the columns before it).
    """
    A = _tall(A)
    if method not in ("classical", "modified"):
        raise ValueError(f"method must be 'classical' or 'modified', got {method!r}")
    m, n = A.shape
    Q = np.zeros((m, n))
    R = np.zeros((n, n))
    for j in range(n):
        v = A[:, j].copy()
        for _ in range(2 if reorthogonalize else 1):
            if method == "classical":
                coeffs = Q[:, :j].T @ v          # all from the same vector
                v -= Q[:, :j] @ coeffs
                R[:j, j] += coeffs
            else:
                for i in range(j):               # one at a time, from the updated vector
                    c = Q[:, i] @ v
                    v -= c * Q[:, i]
                    R[i, j] += c
        R[j, j] = np.linalg.norm(v)
        if R[j, j] == 0.0:
            raise ValueError(f"column {j} of A is a combination of the columns before it: "
                             "Gram-Schmidt needs linearly independent columns")
        Q[:, j] = v / R[j, j]
    return Q, R


def householder_qr(A):
    """Reduced QR factorization ``A = Q R`` by Householder reflections.

    For ``k = 0, ..., n-1`` the reflection ``H_k = I - 2 v v^T / (v^T v)`` with
    ``v = x + sign(x_0) ||x|| e_0`` (``x``: the entries of column ``k`` from row ``k`` down) maps
    ``x`` to ``-sign(x_0) ||x|| e_0`` and zeroes the column below the diagonal. Then
    ``H_{n-1} ... H_0 A = [R; 0]`` and ``Q`` is the first ``n`` columns of ``H_0 ... H_{n-1}``.
    Because every step is an exact reflection up to rounding, ``||Q^T Q - I||`` stays at the level
    of ``EPS`` whatever ``kappa(A)``. The signs are then fixed so that ``R`` has a non-negative
    diagonal (the factorization of a matrix with independent columns is then unique).

    Parameters
    ----------
    A : array_like, shape (m, n), m >= n

    Returns
    -------
    Q : ndarray, shape (m, n)
        Orthonormal columns.
    R : ndarray, shape (n, n)
        Upper triangular, diagonal >= 0.

    Raises
    ------
    ValueError
        If ``A`` is not a finite matrix with m >= n.
    """
    R_full = _tall(A).copy()
    m, n = R_full.shape
    vs = []
    for k in range(n):
        x = R_full[k:, k]
        v = x.copy()
        norm_x = np.linalg.norm(x)
        v[0] += (1.0 if x[0] >= 0 else -1.0) * norm_x
        vv = v @ v
        if vv > 0:                                         # x = 0: nothing to eliminate
            R_full[k:, k:] -= np.outer(v, (2.0 / vv) * (v @ R_full[k:, k:]))
        vs.append((v, vv))
    Q = np.eye(m, n)
    for k in range(n - 1, -1, -1):                         # Q = H_0 ... H_{n-1} applied to I[:, :n]
        v, vv = vs[k]
        if vv > 0:
            Q[k:, :] -= np.outer(v, (2.0 / vv) * (v @ Q[k:, :]))
    R = np.triu(R_full[:n, :])
    signs = np.where(np.diag(R) < 0, -1.0, 1.0)
    return Q * signs, R * signs[:, None]


def lstsq_qr(A, y, method: str = "householder") -> np.ndarray:
    """Least-squares solution of ``A theta ~ y`` by QR: ``R theta = Q^T y``, by back substitution.

    With ``A = Q R`` (reduced), ``||A theta - y||^2 = ||R theta - Q^T y||^2 + ||(I - Q Q^T) y||^2``,
    and only the first term depends on ``theta``. Unlike the normal equations, this never forms
    ``A^T A`` (whose condition number is ``kappa(A)^2``).

    Parameters
    ----------
    A : array_like, shape (m, n), m >= n, independent columns
    y : array_like, shape (m,) or (m, k)
    method : {"householder", "modified", "classical"}
        Which QR factorization to use (the Gram-Schmidt ones re-orthogonalise once).

    Returns
    -------
    ndarray, shape (n,) or (n, k)

    Raises
    ------
    ValueError
        If shapes disagree (both named), ``method`` is unknown, or ``R`` has a zero diagonal
        entry (dependent columns).
    """
    A = _tall(A)
    y = as_array(y, "y", ndim=(1, 2))
    if y.shape[0] != A.shape[0]:
        raise ValueError(f"A has shape {A.shape} but y has shape {y.shape}: y needs {A.shape[0]} rows")
    if method == "householder":
        Q, R = householder_qr(A)
    elif method in ("modified", "classical"):
        Q, R = gram_schmidt(A, method, reorthogonalize=True)
    else:
        raise ValueError(f"method must be 'householder', 'modified' or 'classical', got {method!r}")
    return back_substitution(R, Q.T @ y)


# --------------------------------------------------------------------------- Cholesky

def cholesky(A, tol: float = 0.0, sym_tol: float | None = None) -> np.ndarray:
    """Cholesky factorization ``A = L L^T`` of a symmetric positive-definite matrix.

    Column by column, ``j = 0, ..., n-1``::

        pivot  = a_jj - sum_{k<j} l_jk^2          (must be > tol)
        l_jj   = sqrt(pivot)
        l_ij   = (a_ij - sum_{k<j} l_ik l_jk) / l_jj     for i > j

    In exact arithmetic (``tol = 0``) every pivot is positive if and only if ``A`` is positive
    definite, so the factorization fails exactly for the matrices that are not. In floating point
    a pivot that is zero in exact arithmetic comes out as a tiny number of either sign; pass a
    small ``tol`` (e.g. ``10 * n * EPS * max|a_ii|``) to treat such pivots as zero.

    Parameters
    ----------
    A : array_like, shape (n, n)
        Symmetric. Only the lower triangle is read after the symmetry check.
    tol : float
        Pivots ``<= tol`` make the factorization fail (default 0).
    sym_tol : float, optional
        Largest accepted ``max|A - A^T|``; default ``10 * n * EPS * max|A|``.

    Returns
    -------
    L : ndarray, shape (n, n)
        Lower triangular with a positive diagonal.

    Raises
    ------
    NotPositiveDefiniteError
        (a ``ValueError``) at the first pivot ``<= tol``; it carries ``index`` and ``pivot``.
    ValueError
        If ``A`` is not a finite square matrix, not symmetric, or ``tol`` is negative.
    """
    A = _square(A, "A")
    n = A.shape[0]
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not (np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a non-negative number, got {tol!r}")
    scale = float(np.abs(A).max())
    if sym_tol is None:
        sym_tol = 10 * n * np.finfo(float).eps * scale
    asym = float(np.abs(A - A.T).max())
    if asym > sym_tol:
        raise ValueError(f"A must be symmetric: max|A - A^T| = {asym:.3e} exceeds {sym_tol:.1e}")
    L = np.zeros((n, n))
    for j in range(n):
        pivot = A[j, j] - L[j, :j] @ L[j, :j]
        if not pivot > tol:
            raise NotPositiveDefiniteError(j, pivot, tol)
        L[j, j] = np.sqrt(pivot)
        L[j + 1:, j] = (A[j + 1:, j] - L[j + 1:, :j] @ L[j, :j]) / L[j, j]
    return L


# --------------------------------------------------------------------------- random orthogonal

def random_orthogonal(n: int, rng=0) -> np.ndarray:
    """A random n x n orthogonal matrix, uniformly distributed over the orthogonal group.

    The QR factorization (:func:`householder_qr`, with its non-negative diagonal of ``R``) of a
    matrix of independent standard normal entries: its ``Q`` is distributed uniformly (the Haar
    measure), because multiplying the Gaussian matrix by a fixed orthogonal matrix leaves its
    distribution unchanged and the sign convention makes ``Q`` a function that commutes with it.

    Parameters
    ----------
    n : int
        Size, at least 1.
    rng : numpy Generator or int seed

    Returns
    -------
    ndarray, shape (n, n)
    """
    n = require_positive_int(n, "n")
    rng = as_generator(rng)
    Q, _ = householder_qr(rng.standard_normal((n, n)))
    return Q
