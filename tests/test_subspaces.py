"""Tests of helpers.subspaces: reduced row echelon form, rank, bases of the subspaces, coordinates.

The independent references: sympy's exact ``rref`` on integer matrices, numpy's SVD-based
``matrix_rank``, and the defining properties (A v = 0 for the null space, every column of A in the
span of the column basis, ...), never the helper's own output.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from helpers import subspaces


@pytest.fixture
def rng():
    return np.random.default_rng(2024)


def _in_span(basis, vectors, r):
    """True if appending ``vectors`` to the r independent columns of ``basis`` keeps rank r."""
    return np.linalg.matrix_rank(np.column_stack([basis, vectors])) == r


# --------------------------------------------------------------------------- rref

INTEGER_MATRICES = [
    [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
    [[0, 0, 1, 2], [0, 2, 4, 6], [0, 1, 2, 3]],
    [[2, -1, 0, 3, 1], [4, -2, 1, 5, 0], [-2, 1, 1, -5, -3], [0, 0, 1, -1, -2]],
    [[1, 1], [1, 1], [2, 2]],
    [[3, 0, 0], [0, 0, 0], [0, 0, 5]],
    [[0, 0], [0, 0]],
    [[5]],
    [[1, 2, 0, -1, 4, 2]],
]


@pytest.mark.parametrize("M", INTEGER_MATRICES)
def test_rref_matches_sympy_exactly(M):
    R, pivots = subspaces.rref(M)
    R_exact, piv_exact = sp.Matrix(M).rref()
    assert pivots == list(piv_exact)
    np.testing.assert_allclose(R, np.array(R_exact, dtype=float), atol=1e-12)


def test_rref_pivot_columns_are_unit_vectors_and_zero_rows_last(rng):
    A = subspaces.random_of_rank(7, 9, 4, rng)
    R, pivots = subspaces.rref(A)
    assert len(pivots) == 4 and pivots == sorted(pivots)
    for i, p in enumerate(pivots):
        expected = np.zeros(7)
        expected[i] = 1.0
        assert np.array_equal(R[:, p], expected)       # exactly, not approximately
    assert np.all(R[4:] == 0.0)
    for i, p in enumerate(pivots):                      # leading 1: zeros to its left
        assert np.all(R[i, :p] == 0.0)


def test_rref_row_operations_keep_the_row_space(rng):
    A = subspaces.random_of_rank(6, 8, 3, rng)
    R, pivots = subspaces.rref(A)
    # the rows of A are combinations of the nonzero rows of R, and vice versa
    assert _in_span(R[:3].T, A.T, 3)
    assert np.linalg.matrix_rank(R[:3]) == 3


def test_rref_does_not_change_its_input():
    A = np.array([[0.0, 2.0], [3.0, 1.0]])
    before = A.copy()
    subspaces.rref(A)
    assert np.array_equal(A, before)


def test_rref_uses_partial_pivoting():
    # a tiny first pivot would give multipliers of 1e20 without row swaps; with them, |multiplier| <= 1
    A = np.array([[1e-20, 1.0], [1.0, 1.0]])
    R, pivots = subspaces.rref(A)
    assert pivots == [0, 1]
    np.testing.assert_allclose(R, np.eye(2), atol=1e-15)


def test_tolerance_decides_what_counts_as_zero():
    A = np.array([[1.0, 1.0], [1.0, 1.0 + 1e-10]])
    assert subspaces.rank(A) == 2                       # 1e-10 is far above 2 EPS * 1
    assert subspaces.rank(A, tol=1e-8) == 1             # a looser tolerance calls it zero
    assert subspaces.rank(A, tol=0) == 2
    assert subspaces.default_tolerance(A) == pytest.approx(2 * np.finfo(float).eps * (1.0 + 1e-10))


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf, "small", True, [1e-3]])
def test_bad_tolerance_is_refused(bad):
    with pytest.raises(ValueError, match="tol"):
        subspaces.rref(np.eye(2), tol=bad)


@pytest.mark.parametrize("bad, match", [(np.ones(3), "2 dimension"), (np.ones((2, 0)), "at least one"),
                                        ([[1.0, np.nan]], "NaN"), ([[np.inf]], "NaN")])
def test_bad_matrices_are_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        subspaces.rref(bad)


def test_non_numeric_matrix_is_refused():
    with pytest.raises(TypeError):
        subspaces.rank([["a", "b"]])


# --------------------------------------------------------------------------- rank

@pytest.mark.parametrize("m, n, r", [(6, 6, 6), (6, 6, 4), (5, 8, 3), (8, 5, 1), (40, 30, 12),
                                     (3, 7, 0), (1, 1, 1), (100, 100, 99)])
def test_rank_of_random_matrices_of_chosen_rank(m, n, r, rng):
    A = subspaces.random_of_rank(m, n, r, rng)
    assert subspaces.rank(A) == r == np.linalg.matrix_rank(A)
    assert subspaces.rank(A.T) == r                     # row rank = column rank


def test_rank_of_a_bottleneck_product(rng):
    W1, W2 = rng.normal(size=(200, 16)), rng.normal(size=(16, 200))
    assert subspaces.rank(W1 @ W2) == 16 == np.linalg.matrix_rank(W1 @ W2)


def test_rank_of_scaled_matrices_does_not_depend_on_scale(rng):
    A = subspaces.random_of_rank(9, 7, 5, rng)
    for scale in (1e-30, 1e-8, 1.0, 1e12, 1e30):
        assert subspaces.rank(scale * A) == 5


# --------------------------------------------------------------------------- bases

@pytest.mark.parametrize("m, n, r", [(5, 7, 3), (7, 5, 5), (6, 6, 2), (4, 9, 4), (3, 3, 0), (1, 4, 1)])
def test_bases_of_the_three_subspaces(m, n, r, rng):
    A = subspaces.random_of_rank(m, n, r, rng)
    C = subspaces.column_space_basis(A)
    Rw = subspaces.row_space_basis(A)
    N = subspaces.null_space_basis(A)
    assert C.shape == (m, r) and Rw.shape == (n, r) and N.shape == (n, n - r)
    # each is independent and spans the right space
    assert np.linalg.matrix_rank(C) == r and np.linalg.matrix_rank(Rw) == r
    assert np.linalg.matrix_rank(N) == n - r
    assert _in_span(C, A, r)                 # every column of A is a combination of C's columns
    assert _in_span(Rw, A.T, r)              # every row of A is a combination of Rw's columns
    # the null space: A v = 0 up to rounding, measured against |A| |v|
    scale = np.linalg.norm(A) * np.linalg.norm(N, axis=0) if n > r else 1.0
    assert np.all(np.linalg.norm(A @ N, axis=0) <= 1e-12 * scale)
    # rank-nullity, and rows are orthogonal to the null space
    assert C.shape[1] + N.shape[1] == n
    assert np.all(np.abs(Rw.T @ N) <= 1e-12 * (1 + np.abs(Rw.T) @ np.abs(N)))


def test_null_space_agrees_with_the_svd(rng):
    A = subspaces.random_of_rank(5, 9, 3, rng)
    N = subspaces.null_space_basis(A)
    _, _, Vt = np.linalg.svd(A)
    N_svd = Vt[3:].T                          # the last n - r right singular vectors
    assert _in_span(N, N_svd, 6) and _in_span(N_svd, N, 6)


def test_null_space_of_a_small_example_is_the_special_solutions():
    # x + 2y - z = 0: free y and z give (-2, 1, 0) and (1, 0, 1)
    N = subspaces.null_space_basis([[1.0, 2.0, -1.0]])
    np.testing.assert_array_equal(N, [[-2.0, 1.0], [1.0, 0.0], [0.0, 1.0]])


def test_column_space_basis_returns_the_original_pivot_columns():
    A = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 1.0]])
    np.testing.assert_array_equal(subspaces.column_space_basis(A), [[1.0, 0.0], [2.0, 1.0]])


def test_full_rank_and_zero_matrices():
    assert subspaces.null_space_basis(np.eye(3)).shape == (3, 0)
    assert subspaces.column_space_basis(np.zeros((2, 3))).shape == (2, 0)
    np.testing.assert_array_equal(subspaces.null_space_basis(np.zeros((2, 3))), np.eye(3))


# --------------------------------------------------------------------------- coordinates

def test_coordinates_reconstruct_the_vector(rng):
    B = rng.normal(size=(6, 4))
    c = rng.normal(size=4)
    x = B @ c
    got = subspaces.coordinates(B, x)
    np.testing.assert_allclose(got, c, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got, np.linalg.lstsq(B, x, rcond=None)[0], rtol=1e-10, atol=1e-12)


def test_coordinates_exact_example():
    B = [[1.0, 1.0], [0.0, 1.0]]
    np.testing.assert_allclose(subspaces.coordinates(B, [3.0, 2.0]), [1.0, 2.0])


def test_coordinates_errors():
    with pytest.raises(ValueError, match="not in the span"):
        subspaces.coordinates([[1.0], [0.0]], [0.0, 1.0])
    with pytest.raises(ValueError, match="not independent"):
        subspaces.coordinates([[1.0, 2.0], [1.0, 2.0]], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"\(2, 2\).*\(3,\)"):
        subspaces.coordinates(np.eye(2), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="NaN"):
        subspaces.coordinates(np.eye(2), [1.0, np.nan])


# --------------------------------------------------------------------------- random_of_rank

def test_random_of_rank_shape_rank_and_seed():
    A = subspaces.random_of_rank(4, 6, 2, 7)
    assert A.shape == (4, 6) and np.linalg.matrix_rank(A) == 2
    np.testing.assert_array_equal(A, subspaces.random_of_rank(4, 6, 2, np.random.default_rng(7)))
    assert not np.any(subspaces.random_of_rank(3, 2, 0, 1))


@pytest.mark.parametrize("args, match", [((0, 3, 1), "m"), ((3, 2.5, 1), "n"), ((3, 4, 4), "r"),
                                         ((3, 4, -1), "r"), ((3, 4, True), "r")])
def test_random_of_rank_bad_sizes(args, match):
    with pytest.raises(ValueError, match=match):
        subspaces.random_of_rank(*args, 0)


def test_random_of_rank_needs_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        subspaces.random_of_rank(2, 2, 1, None)
