"""Tests of helpers.factorizations: triangular solves, Gram-Schmidt, Householder QR, least squares,
Cholesky and random orthogonal matrices.

The independent references: numpy's LAPACK routines (``solve``, ``qr``, ``cholesky``, ``lstsq``,
``eigvalsh``), exact rational arithmetic (``fractions``) for a least-squares solution, and the
defining properties (``Q^T Q = I``, ``Q R = A``, ``L L^T = A``), never the helper's own output.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from helpers import factorizations as fz

EPS = np.finfo(float).eps


@pytest.fixture
def rng():
    return np.random.default_rng(2026)


def with_condition(rng, m, n, kappa):
    U, _ = np.linalg.qr(rng.standard_normal((m, n)))
    V, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return (U * np.geomspace(1.0, 1.0 / kappa, n)) @ V.T


# --------------------------------------------------------------------------- triangular solves

@pytest.mark.parametrize("n", [1, 2, 7])
def test_triangular_solves_match_numpy(rng, n):
    R = np.triu(rng.standard_normal((n, n))) + 3 * np.eye(n)
    L = R.T.copy()
    b = rng.standard_normal(n)
    B = rng.standard_normal((n, 3))
    np.testing.assert_allclose(fz.back_substitution(R, b), np.linalg.solve(R, b), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fz.forward_substitution(L, b), np.linalg.solve(L, b), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fz.back_substitution(R, B), np.linalg.solve(R, B), rtol=1e-12, atol=1e-12)


def test_triangular_ignores_the_other_triangle(rng):
    R = np.triu(rng.standard_normal((4, 4))) + 3 * np.eye(4)
    b = rng.standard_normal(4)
    junk = R + np.tril(rng.standard_normal((4, 4)), -1)
    np.testing.assert_array_equal(fz.back_substitution(junk, b), fz.back_substitution(R, b))


def test_triangular_errors():
    with pytest.raises(ValueError, match="zero on its diagonal"):
        fz.back_substitution([[1.0, 2.0], [0.0, 0.0]], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"\(2, 2\).*\(3,\)"):
        fz.forward_substitution(np.eye(2), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="square"):
        fz.back_substitution(np.ones((2, 3)), [1.0, 2.0])


# --------------------------------------------------------------------------- QR

QR_VARIANTS = [lambda A: fz.gram_schmidt(A, "classical"), lambda A: fz.gram_schmidt(A, "modified"),
               lambda A: fz.gram_schmidt(A, "classical", reorthogonalize=True),
               lambda A: fz.gram_schmidt(A, "modified", reorthogonalize=True), fz.householder_qr]


@pytest.mark.parametrize("qr", QR_VARIANTS)
@pytest.mark.parametrize("shape", [(1, 1), (5, 5), (30, 8)])
def test_qr_is_a_factorization_with_orthonormal_columns(rng, qr, shape):
    A = rng.standard_normal(shape)
    Q, R = qr(A)
    n = shape[1]
    assert Q.shape == shape and R.shape == (n, n)
    assert np.all(np.tril(R, -1) == 0.0) and np.all(np.diag(R) > 0)
    np.testing.assert_allclose(Q.T @ Q, np.eye(n), atol=1e-13)
    np.testing.assert_allclose(Q @ R, A, atol=1e-13 * np.linalg.norm(A))
    # unique with a positive diagonal: equals numpy's (LAPACK Householder) up to the signs
    Qn, Rn = np.linalg.qr(A)
    s = np.sign(np.diag(Rn))
    np.testing.assert_allclose(Q, Qn * s, atol=1e-12)
    np.testing.assert_allclose(R, Rn * s[:, None], atol=1e-12 * np.linalg.norm(A))


def test_loss_of_orthogonality_orders(rng):
    """CGS loses ~kappa^2 EPS, MGS ~kappa EPS, Householder and CGS2 stay at ~EPS."""
    A = with_condition(rng, 60, 12, 1e6)
    loss = {}
    for name, qr in [("cgs", QR_VARIANTS[0]), ("mgs", QR_VARIANTS[1]), ("cgs2", QR_VARIANTS[2]),
                     ("house", QR_VARIANTS[4])]:
        Q, _ = qr(A)
        loss[name] = np.linalg.norm(Q.T @ Q - np.eye(12), 2)
    assert loss["cgs"] > 1e-6                       # kappa^2 EPS = 2e-4
    assert 1e-13 < loss["mgs"] < 1e-8               # kappa EPS = 2e-10
    assert loss["cgs2"] < 1e-13 and loss["house"] < 1e-13


def test_qr_errors():
    with pytest.raises(ValueError, match="m >= n"):
        fz.householder_qr(np.ones((2, 3)))
    with pytest.raises(ValueError, match="classical"):
        fz.gram_schmidt(np.eye(3), method="gram")
    with pytest.raises(ValueError, match="column 1"):
        fz.gram_schmidt([[1.0, 2.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="NaN"):
        fz.householder_qr([[1.0], [np.nan]])


def test_householder_handles_a_zero_column():
    A = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0]])
    Q, R = fz.householder_qr(A)
    np.testing.assert_allclose(Q @ R, A, atol=1e-15)
    np.testing.assert_allclose(Q.T @ Q, np.eye(2), atol=1e-15)


def test_random_orthogonal(rng):
    Q = fz.random_orthogonal(9, rng)
    np.testing.assert_allclose(Q.T @ Q, np.eye(9), atol=1e-13)
    np.testing.assert_array_equal(fz.random_orthogonal(4, 7), fz.random_orthogonal(4, 7))
    # uniform distribution: E[Q_11] = 0 and E[Q_11^2] = 1/n
    first = np.array([fz.random_orthogonal(3, rng)[0, 0] for _ in range(3000)])
    assert abs(first.mean()) < 0.05 and abs(np.mean(first ** 2) - 1 / 3) < 0.03
    with pytest.raises(ValueError):
        fz.random_orthogonal(0)


# --------------------------------------------------------------------------- least squares

def exact_lstsq(A, y):
    """The exact least-squares solution of the float data, by Fraction elimination of A^T A x = A^T y."""
    Af = [[Fraction(float(v)) for v in row] for row in A]
    yf = [Fraction(float(v)) for v in y]
    m, n = len(Af), len(Af[0])
    M = [[sum(Af[k][i] * Af[k][j] for k in range(m)) for j in range(n)] + [sum(Af[k][i] * yf[k] for k in range(m))]
         for i in range(n)]
    for c in range(n):
        p = next(r for r in range(c, n) if M[r][c] != 0)
        M[c], M[p] = M[p], M[c]
        for r in range(n):
            if r != c and M[r][c] != 0:
                f = M[r][c] / M[c][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    return np.array([float(M[i][n] / M[i][i]) for i in range(n)])


@pytest.mark.parametrize("method", ["householder", "modified", "classical"])
def test_lstsq_qr_matches_exact_solution(rng, method):
    x = np.linspace(0, 1, 20)
    A = np.vander(x, 6, increasing=True)                  # kappa ~ 1e4
    y = np.cos(3 * x) + 0.1 * rng.standard_normal(20)
    theta = fz.lstsq_qr(A, y, method=method)
    exact = exact_lstsq(A, y)
    kappa = np.linalg.cond(A)
    assert np.linalg.norm(theta - exact) / np.linalg.norm(exact) < 100 * kappa * EPS * 20
    Y = np.column_stack([y, 2 * y])
    np.testing.assert_allclose(fz.lstsq_qr(A, Y, method=method)[:, 1], 2 * theta, rtol=1e-10)


def test_lstsq_qr_beats_normal_equations_when_ill_conditioned(rng):
    A = with_condition(rng, 40, 8, 1e7)
    theta_true = rng.standard_normal(8)
    y = A @ theta_true                                    # zero residual: the solution is theta_true
    err_qr = np.linalg.norm(fz.lstsq_qr(A, y) - theta_true) / np.linalg.norm(theta_true)
    err_ne = np.linalg.norm(np.linalg.solve(A.T @ A, A.T @ y) - theta_true) / np.linalg.norm(theta_true)
    assert err_qr < 1e-7 < err_ne


def test_lstsq_errors():
    with pytest.raises(ValueError, match=r"\(4, 2\).*\(3,\)"):
        fz.lstsq_qr(np.ones((4, 2)), np.ones(3))
    with pytest.raises(ValueError, match="householder"):
        fz.lstsq_qr(np.eye(2), np.ones(2), method="svd")


# --------------------------------------------------------------------------- Cholesky

def test_cholesky_matches_numpy_and_reconstructs(rng):
    B = rng.standard_normal((6, 6))
    A = B @ B.T + 0.1 * np.eye(6)
    L = fz.cholesky(A)
    assert np.all(np.triu(L, 1) == 0.0) and np.all(np.diag(L) > 0)
    np.testing.assert_allclose(L, np.linalg.cholesky(A), atol=1e-12)
    np.testing.assert_allclose(L @ L.T, A, atol=1e-12 * np.abs(A).max())


def test_cholesky_fails_exactly_for_matrices_that_are_not_positive_definite(rng):
    for _ in range(300):
        Q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
        lam = rng.choice([-1.0, 1.0], size=4) * rng.uniform(0.1, 2.0, size=4)
        A = (Q * lam) @ Q.T
        A = (A + A.T) / 2
        is_pd = bool(np.all(np.linalg.eigvalsh(A) > 0))
        try:
            fz.cholesky(A)
            ok = True
        except fz.NotPositiveDefiniteError:
            ok = False
        assert ok == is_pd


def test_cholesky_failure_reports_pivot():
    with pytest.raises(fz.NotPositiveDefiniteError, match="pivot 1") as info:
        fz.cholesky([[1.0, 2.0], [2.0, 1.0]])           # second pivot 1 - 4 = -3
    assert info.value.index == 1 and info.value.pivot == -3.0
    assert isinstance(info.value, ValueError)
    with pytest.raises(fz.NotPositiveDefiniteError, match="pivot 1"):
        fz.cholesky([[1.0, 1.0], [1.0, 1.0]])           # singular PSD: pivot exactly 0
    with pytest.raises(fz.NotPositiveDefiniteError, match="tolerance"):
        fz.cholesky([[1.0, 0.0], [0.0, 1e-20]], tol=1e-15)


def test_cholesky_errors():
    with pytest.raises(ValueError, match="symmetric"):
        fz.cholesky([[2.0, 1.0], [0.0, 2.0]])
    with pytest.raises(ValueError, match="square"):
        fz.cholesky(np.ones((2, 3)))
    with pytest.raises(ValueError, match="tol"):
        fz.cholesky(np.eye(2), tol=-1.0)
