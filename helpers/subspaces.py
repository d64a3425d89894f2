"""Subspaces of a matrix by row reduction: reduced row echelon form, rank, and bases.

What the notebook "Span, basis and rank" builds and later notebooks reuse:

* :func:`rref` -- the reduced row echelon form of a matrix, with partial pivoting and a tolerance;
* :func:`rank` -- the number of pivots;
* :func:`column_space_basis`, :func:`row_space_basis` and :func:`null_space_basis` -- bases of the
  three subspaces of a matrix, read off the reduced form;
* :func:`coordinates` -- the coordinates of a vector in a basis (and an error if it is not in the
  span);
* :func:`random_of_rank` -- a random matrix of a chosen rank, for testing the above.

Every basis is returned with one basis vector per **column** (the book's vectors are columns).
Arrays are float64. Bad shapes and values raise ``ValueError`` with a message naming them.

Floating point and the tolerance
--------------------------------
In exact arithmetic a column has a pivot when some entry at or below the current row is nonzero.
After rounding, an entry that should be zero is typically a small multiple of
``EPS * max|A_ij|``, so entries of absolute value at most ``tol`` count as zero. The default is

    tol = max(m, n) * EPS * max|A_ij|

(the choice of ``numpy.linalg.matrix_rank`` for its singular values, applied here to the
pivot candidates). It suits matrices whose entries are of similar size and whose rank is well
defined, such as products of random factors; for a matrix that is *nearly* rank deficient the
rank depends on the tolerance, and the singular values (notebook 5) measure how nearly.
"""

from __future__ import annotations

import numbers

import numpy as np

from .validation import as_array, as_finite_matrix, as_generator, require_positive_int

__all__ = ["default_tolerance", "rref", "rank", "column_space_basis", "row_space_basis",
           "null_space_basis", "coordinates", "random_of_rank"]

EPS = float(np.finfo(np.float64).eps)




def default_tolerance(A) -> float:
    """The default pivot tolerance ``max(m, n) * EPS * max|A_ij|`` for ``A`` of shape (m, n)."""
    M = as_finite_matrix(A)
    return max(M.shape) * EPS * float(np.abs(M).max())


def _tolerance(M: np.ndarray, tol) -> float:
    if tol is None:
        return max(M.shape) * EPS * float(np.abs(M).max())
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not (np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a non-negative number or None, got {tol!r}")
    return float(tol)


def rref(A, tol: float | None = None) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form of ``A``, by Gauss-Jordan elimination with partial pivoting.

    Column by column, from the left, with ``row`` the next row to fill (starting at 0):

    1. among rows ``row, ..., m-1`` pick the entry of largest absolute value in this column
       (partial pivoting: it keeps the multipliers at most 1 in size);
    2. if it is at most ``tol``, the column has no pivot: set those entries to exactly 0 and move
       to the next column;
    3. otherwise swap it into ``row``, divide the row by it (the pivot becomes 1) and subtract
       multiples of the row from every other row, above and below, so the rest of the column is 0.

    Parameters
    ----------
    A : array_like, shape (m, n)
        Finite real entries.
    tol : float, optional
        Candidate pivots of absolute value ``<= tol`` count as zero. Default:
        :func:`default_tolerance` (see the module docstring). ``tol=0`` means exact comparison.

    Returns
    -------
    R : numpy.ndarray, shape (m, n)
        The reduced row echelon form: the first ``r`` rows have a leading 1 in the pivot columns,
        every other entry of a pivot column is 0, and the last ``m - r`` rows are 0.
    pivots : list of int
        The pivot columns, increasing; ``len(pivots)`` is the rank.

    Raises
    ------
    ValueError
        If ``A`` is not a non-empty finite 2-D array, or ``tol`` is negative or not a number.
    """
    R = as_finite_matrix(A).copy()
    tol = _tolerance(R, tol)
    m, n = R.shape
    pivots: list[int] = []
    row = 0
    for k in range(n):
        if row == m:
            break
        p = row + int(np.argmax(np.abs(R[row:, k])))
        if abs(R[p, k]) <= tol:
            R[row:, k] = 0.0                      # no pivot: what is left here is rounding
            continue
        R[[row, p]] = R[[p, row]]
        R[row, k:] /= R[row, k]                   # R[row, :k] is already 0
        others = np.arange(m) != row
        R[others, k:] -= np.outer(R[others, k], R[row, k:])
        R[others, k] = 0.0                        # exactly zero, not a rounding residue
        R[row, k] = 1.0
        pivots.append(k)
        row += 1
    R[row:] = 0.0                                 # rows without a pivot hold only rounding
    return R, pivots


def rank(A, tol: float | None = None) -> int:
    """The rank of ``A`` (shape (m, n)): the number of pivots :func:`rref` finds with ``tol``."""
    return len(rref(A, tol)[1])


def column_space_basis(A, tol: float | None = None) -> np.ndarray:
    """A basis of the column space of ``A`` (shape (m, n)): its pivot columns.

    Returns an array of shape (m, r), the columns of ``A`` (unchanged) at the pivot positions of
    :func:`rref`; r is the rank (r = 0 gives shape (m, 0)).
    """
    M = as_finite_matrix(A)
    return M[:, rref(M, tol)[1]].copy()


def row_space_basis(A, tol: float | None = None) -> np.ndarray:
    """A basis of the row space of ``A`` (shape (m, n)): the nonzero rows of its reduced form.

    Returns an array of shape (n, r): basis vector ``j`` is column ``j`` (the transpose of row
    ``j`` of the reduced form). Row operations do not change the row space, and the nonzero rows
    of a reduced form are independent (each has a 1 where the others have 0).
    """
    R, pivots = rref(A, tol)
    return R[:len(pivots)].T.copy()


def null_space_basis(A, tol: float | None = None) -> np.ndarray:
    """A basis of the null space {v : A v = 0} of ``A`` (shape (m, n)): the special solutions.

    For each free (non-pivot) column f of the reduced form R, the special solution has a 1 in
    place f, 0 in the other free places, and ``-R[i, f]`` in the place of the i-th pivot column.
    R v = 0 holds exactly in exact arithmetic, and R v = 0 is equivalent to A v = 0.

    Returns an array of shape (n, n - r), one special solution per column (shape (n, 0) when
    the columns of ``A`` are independent).
    """
    R, pivots = rref(A, tol)
    n = R.shape[1]
    free = [j for j in range(n) if j not in set(pivots)]
    N = np.zeros((n, len(free)))
    for c, f in enumerate(free):
        N[f, c] = 1.0
        N[pivots, c] = -R[:len(pivots), f]
    return N


def coordinates(basis, x, tol: float | None = None) -> np.ndarray:
    """The coordinates ``c`` of ``x`` in a basis: ``basis @ c = x``.

    Parameters
    ----------
    basis : array_like, shape (m, k)
        One basis vector per column; the columns must be independent.
    x : array_like, shape (m,)
        A vector in their span.
    tol : float, optional
        Pivot tolerance for the reduction of ``[basis | x]``; by default :func:`default_tolerance`
        of that augmented matrix.

    Returns
    -------
    numpy.ndarray, shape (k,)

    Raises
    ------
    ValueError
        If the shapes do not fit, the columns are dependent, or ``x`` is not in their span
        (then the last column of ``[basis | x]`` has a pivot).
    """
    B = as_finite_matrix(basis, "basis")
    v = as_array(x, "x", ndim=1)
    if v.shape[0] != B.shape[0]:
        raise ValueError(f"basis has shape {B.shape} but x has shape {v.shape}; x needs "
                         f"{B.shape[0]} entries")
    if not np.all(np.isfinite(v)):
        raise ValueError("x contains NaN or infinity")
    k = B.shape[1]
    R, pivots = rref(np.column_stack([B, v]), tol)
    if k in pivots:
        raise ValueError("x is not in the span of the basis vectors")
    if pivots != list(range(k)):
        raise ValueError(f"the {k} basis vectors are not independent (rank {len(pivots)})")
    return R[:k, k].copy()


def random_of_rank(m: int, n: int, r: int, rng) -> np.ndarray:
    """A random m x n matrix of rank r: the product of standard normal factors (m, r) and (r, n).

    Such a product has rank exactly r with probability 1 when r <= min(m, n) (the factors have
    full rank, and the product of a full-column-rank and a full-row-rank factor keeps it).
    ``r = 0`` gives the zero matrix. ``rng`` is a numpy ``Generator`` or a seed (an integer >= 0).

    Raises
    ------
    ValueError
        If m or n is not a positive integer, or r is not an integer in 0..min(m, n).
    TypeError
        If ``rng`` is neither a Generator nor a seed.
    """
    m = require_positive_int(m, "m")
    n = require_positive_int(n, "n")
    if isinstance(r, bool) or not isinstance(r, numbers.Integral) or not 0 <= r <= min(m, n):
        raise ValueError(f"r must be an integer from 0 to min(m, n) = {min(m, n)}, got {r!r}")
    gen = as_generator(rng)
    return gen.normal(size=(m, int(r))) @ gen.normal(size=(int(r), n))
