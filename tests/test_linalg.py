"""Tests of helpers.linalg: identities, projection, pictures, low rank, PCA, FLOPs, dense layer."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from helpers import linalg, plotting


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def _ax():
    return Figure().subplots()


# --------------------------------------------------------------------------- relative_error

def test_relative_error_values():
    assert linalg.relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert linalg.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # ||(0, 1)|| / max(||(3, 4)||, ||(3, 5)||) = 1 / sqrt(34)
    assert linalg.relative_error([3.0, 4.0], [3.0, 5.0]) == pytest.approx(1 / np.sqrt(34))
    assert linalg.relative_error([1.0], [0.0]) == pytest.approx(1.0)
    assert linalg.relative_error([np.nan], [1.0]) == float("inf")


def test_relative_error_is_symmetric(rng):
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    assert linalg.relative_error(a, b) == pytest.approx(linalg.relative_error(b, a))


def test_relative_error_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        linalg.relative_error(np.ones((2, 3)), np.ones((3, 2)))


# --------------------------------------------------------------------------- check_identity

def test_check_identity_prints_statement_and_tolerance(rng, capsys):
    A, B = rng.normal(size=(4, 3)), rng.normal(size=(3, 5))
    assert linalg.check_identity("(AB)^T = B^T A^T", (A @ B).T, B.T @ A.T, tol=1e-13) is None
    out = capsys.readouterr().out
    assert out == "✓ (AB)^T = B^T A^T  (relative error < 1e-13)\n"


def test_check_identity_fails_loudly_on_a_false_identity(rng):
    A, B = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    with pytest.raises(linalg.IdentityError, match="AB = BA fails: relative error"):
        linalg.check_identity("AB = BA", A @ B, B @ A, tol=1e-10)


def test_check_identity_is_an_assertion_error():
    assert issubclass(linalg.IdentityError, AssertionError)


@pytest.mark.parametrize("tol", [0, -1e-3, float("nan"), "small", None])
def test_check_identity_rejects_bad_tolerance(tol):
    with pytest.raises(ValueError, match="tol must be a positive number"):
        linalg.check_identity("x = x", [1.0], [1.0], tol=tol)


def test_check_identity_shape_mismatch():
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        linalg.check_identity("x = y", np.ones(3), np.ones(4), tol=1e-12)


# --------------------------------------------------------------------------- product_tolerance

def test_product_tolerance_formula_on_a_small_case():
    A = np.array([[1.0, -1.0], [2.0, 0.0]])
    x = np.array([1.0, 1.0])
    # A x = (0, 2), |A||x| = (2, 2): 10 * 2 * 2 * EPS * sqrt(8) / 2
    assert linalg.product_tolerance(A, x) == pytest.approx(40 * linalg.EPS * np.sqrt(8) / 2)
    assert linalg.product_tolerance(A, x, safety=1) == pytest.approx(4 * linalg.EPS * np.sqrt(8) / 2)


def test_product_tolerance_covers_actual_rounding(rng):
    for shape in [(5, 7, 3), (40, 300, 20)]:
        m, n, p = shape
        A, B = rng.normal(size=(m, n)), rng.normal(size=(n, p))
        loop = np.array([[sum(A[i, k] * B[k, j] for k in range(n)) for j in range(p)] for i in range(m)])
        err = linalg.relative_error(loop, A @ B)
        tol = linalg.product_tolerance(A, B)
        assert err <= tol
        assert tol < 1e-10          # and still far below the error of any real mistake


def test_product_tolerance_chains_and_stacks(rng):
    A, B, C = rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), rng.normal(size=(5, 2))
    chain = linalg.product_tolerance(A, B, C)
    assert chain == pytest.approx(10 * 2 * 9 * linalg.EPS * np.linalg.norm(np.abs(A) @ np.abs(B) @ np.abs(C))
                                  / np.linalg.norm(A @ B @ C))
    P, Q = rng.normal(size=(6, 3, 4)), rng.normal(size=(6, 4, 2))
    assert np.isfinite(linalg.product_tolerance(P, Q))


def test_product_tolerance_errors():
    with pytest.raises(ValueError, match="at least two factors"):
        linalg.product_tolerance(np.eye(2))
    with pytest.raises(ValueError, match=r"factor 1 has shape \(2, 3\) but factor 2 has shape \(2, 2\)"):
        linalg.product_tolerance(np.ones((2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"product of factors 1-2 has shape \(2,\) but factor 3 has shape \(3,\)"):
        linalg.product_tolerance(np.ones((2, 3)), np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"only vectors and matrices"):
        linalg.product_tolerance(np.ones(3), np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="exactly zero"):
        linalg.product_tolerance(np.zeros((2, 2)), np.ones(2))


# --------------------------------------------------------------------------- project

def test_project_onto_line_formula_and_orthogonality(rng):
    v, u = rng.normal(size=5), rng.normal(size=5)
    p = linalg.project(v, u)
    assert abs((v - p) @ u) < 1e-12 * np.linalg.norm(v) * np.linalg.norm(u)
    assert np.allclose(np.cross(p[:3], u[:3]), 0, atol=1e-12)   # p is parallel to u
    assert np.allclose(linalg.project([2.0, 3.0], [1.0, 0.0]), [2.0, 0.0])
    assert np.allclose(linalg.project([1.0, 1.0], [-2.0, 2.0]), [0.0, 0.0])


def test_project_is_idempotent_and_scale_invariant(rng):
    v, u = rng.normal(size=4), rng.normal(size=4)
    p = linalg.project(v, u)
    assert np.allclose(linalg.project(p, u), p)
    assert np.allclose(linalg.project(v, -3.5 * u), p)


def test_project_onto_columns_matches_projection_matrix(rng):
    A, v = rng.normal(size=(6, 2)), rng.normal(size=6)
    P = A @ np.linalg.inv(A.T @ A) @ A.T          # the textbook projection matrix
    p = linalg.project(v, A)
    assert np.allclose(p, P @ v)
    assert np.allclose(A.T @ (v - p), 0, atol=1e-12)


def test_project_onto_rank_deficient_columns(rng):
    u = rng.normal(size=4)
    A = np.column_stack([u, 2 * u])                  # both columns span the same line
    v = rng.normal(size=4)
    assert np.allclose(linalg.project(v, A), linalg.project(v, u))


def test_project_errors():
    with pytest.raises(ValueError, match=r"v has shape \(3,\) but onto has shape \(4,\)"):
        linalg.project(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match=r"v has shape \(3,\) but onto has shape \(2, 2\)"):
        linalg.project(np.ones(3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="zero vector"):
        linalg.project([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="zero matrix"):
        linalg.project([1.0, 2.0], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="dimension"):
        linalg.project(np.ones((2, 2)), np.ones(2))


# --------------------------------------------------------------------------- draw_transform

def _green_lines(ax):
    green = to_rgba(plotting.COLORS["green"])
    return [ln for ln in ax.get_lines() if to_rgba(ln.get_color()) == green]


def test_draw_transform_maps_the_unit_circle(rng):
    A = rng.normal(size=(2, 2))
    ax = _ax()
    linalg.draw_transform(ax, A)
    (image,) = _green_lines(ax)
    pts = np.column_stack(image.get_data())
    # every point of the drawn curve is A times a unit vector
    pre = np.linalg.solve(A, pts.T).T
    assert np.allclose(np.linalg.norm(pre, axis=1), 1.0)
    assert ax.get_xlim() == (-3.0, 3.0) and ax.get_xlabel() == "x₁"


def test_draw_transform_grid_lines_are_images(rng):
    A = rng.normal(size=(2, 2))
    ax = _ax()
    linalg.draw_transform(ax, A, extent=2, show_original=False)
    sky = ax.collections[0]
    segs = sky.get_segments()
    assert len(segs) == 5                                  # lines x = -2..2
    expected = np.array([[0.0, -2.0], [0.0, 2.0]]) @ A.T   # image of the line x = 0
    assert np.allclose(segs[2], expected)


def test_draw_transform_without_grid_draws_no_grid_lines(rng):
    ax = _ax()
    linalg.draw_transform(ax, rng.normal(size=(2, 2)), grid=False, basis=False)
    assert not any(type(c).__name__ == "LineCollection" for c in ax.collections)
    assert len(_green_lines(ax)) == 1                      # the image of the circle is still drawn


@pytest.mark.parametrize("A, colour", [([[2.0, 0.0], [0.0, 1.0]], "blue"),
                                       ([[0.0, 1.0], [1.0, 0.0]], "vermillion")])
def test_draw_transform_square_colour_shows_orientation(A, colour):
    ax = _ax()
    linalg.draw_transform(ax, A, circle=False, basis=False, show_original=False)
    (patch,) = ax.patches
    assert to_rgba(patch.get_facecolor())[:3] == to_rgba(plotting.COLORS[colour])[:3]
    corners = patch.get_xy()[:4]
    signed_area = 0.5 * np.sum(corners[:, 0] * np.roll(corners[:, 1], -1)
                               - np.roll(corners[:, 0], -1) * corners[:, 1])
    assert signed_area == pytest.approx(np.linalg.det(A))


def test_draw_transform_basis_arrows_are_columns(rng):
    A = rng.normal(size=(2, 2))
    ax = _ax()
    linalg.draw_transform(ax, A, title="A")
    (quiver,) = [c for c in ax.collections if hasattr(c, "U")]
    assert np.allclose(np.column_stack([quiver.U, quiver.V]), A.T)
    assert ax.get_title() == "A"


@pytest.mark.parametrize("lim, ticks", [(3.0, [-2, 0, 2]), (2.5, [-2, 0, 2]), (1.5, [-1, 0, 1]), (6.0, [-6, -3, 0, 3, 6])])
def test_draw_transform_uses_few_integer_ticks(lim, ticks):
    ax = _ax()
    linalg.draw_transform(ax, np.eye(2), lim=lim)
    assert list(ax.get_xticks()) == ticks and list(ax.get_yticks()) == ticks
    assert ax.get_xlim() == (-lim, lim)                     # ticks do not change the view


def test_draw_transform_bad_shape():
    with pytest.raises(ValueError, match=r"A must have shape \(2, 2\), got shape \(3, 3\)"):
        linalg.draw_transform(_ax(), np.eye(3))
    with pytest.raises(ValueError, match="extent"):
        linalg.draw_transform(_ax(), np.eye(2), extent=0)


# --------------------------------------------------------------------------- draw_projection

def test_draw_projection_returns_projection_and_draws_it():
    ax = _ax()
    p = linalg.draw_projection(ax, [2.0, 1.0], [1.0, 1.0], title="t")
    assert np.allclose(p, [1.5, 1.5])
    quivers = [c for c in ax.collections if hasattr(c, "U")]
    tips = np.concatenate([np.column_stack([q.U, q.V]) for q in quivers])
    assert any(np.allclose(t, p) for t in tips)
    assert ax.get_title() == "t"
    assert ax.get_xlim()[1] == pytest.approx(2.5)     # 1.25 * largest coordinate


@pytest.mark.parametrize("v", [[1.0, 2.0], [2.0, -1.0], [-2.5, 0.5]])
def test_draw_projection_labels_p_on_the_far_side_from_v(v):
    ax = _ax()
    u = np.array([3.0, 1.0])
    p = linalg.draw_projection(ax, v, u)
    (label,) = [t for t in ax.texts if t.get_text() == "p"]
    assert np.allclose(label.xy, p)
    offset = np.array(label.xyann)                       # in points, away from p
    assert offset @ (np.asarray(v) - p) < 0              # the side of the line opposite to v
    assert abs(offset @ u) < 1e-9 * np.linalg.norm(u)    # straight across the line


def test_draw_projection_vector_on_the_line():
    ax = _ax()
    p = linalg.draw_projection(ax, [2.0, 2.0], [1.0, 1.0])
    assert np.allclose(p, [2.0, 2.0])
    assert [t.get_text() for t in ax.texts].count("p") == 1


def test_draw_projection_errors():
    with pytest.raises(ValueError, match=r"v must have shape \(2,?\), got shape \(3,\)"):
        linalg.draw_projection(_ax(), [1.0, 2.0, 3.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="zero vector"):
        linalg.draw_projection(_ax(), [1.0, 2.0], [0.0, 0.0])


# --------------------------------------------------------------------------- low_rank_approx

def test_low_rank_approx_has_rank_k_and_eckart_young_error(rng):
    A = rng.normal(size=(8, 6))
    s = np.linalg.svd(A, compute_uv=False)
    for k in range(1, 7):
        Ak = linalg.low_rank_approx(A, k)
        assert Ak.shape == A.shape
        assert np.linalg.matrix_rank(Ak) == k
        assert np.linalg.norm(A - Ak) == pytest.approx(np.sqrt(np.sum(s[k:] ** 2)), abs=1e-12)


def test_low_rank_approx_beats_other_rank_k_matrices(rng):
    A = rng.normal(size=(5, 5))
    best = np.linalg.norm(A - linalg.low_rank_approx(A, 2))
    for _ in range(20):
        other = rng.normal(size=(5, 2)) @ rng.normal(size=(2, 5))
        assert best < np.linalg.norm(A - other)


def test_low_rank_approx_reproduces_a_low_rank_matrix(rng):
    A = rng.normal(size=(7, 2)) @ rng.normal(size=(2, 4))
    assert np.allclose(linalg.low_rank_approx(A, 2), A)


def test_low_rank_approx_errors():
    with pytest.raises(ValueError, match=r"k = 4 exceeds .* shape \(3, 5\)"):
        linalg.low_rank_approx(np.ones((3, 5)), 4)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        linalg.low_rank_approx(np.ones((3, 5)), 0)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        linalg.low_rank_approx(np.ones((3, 5)), 1.5)
    with pytest.raises(ValueError, match=r"A must have 2 dimension\(s\), got shape \(3,\)"):
        linalg.low_rank_approx(np.ones(3), 1)


# --------------------------------------------------------------------------- pca

def _correlated(rng, n=500):
    L = np.array([[3.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.5, -0.2, 0.3]])
    return rng.normal(size=(n, 3)) @ L.T + np.array([1.0, -2.0, 5.0])


def test_pca_matches_eigendecomposition_of_covariance(rng):
    X = _correlated(rng)
    fit = linalg.pca(X, 3)
    evals, evecs = np.linalg.eigh(np.cov(X, rowvar=False))
    order = np.argsort(evals)[::-1]
    assert np.allclose(fit.variances, evals[order])
    for j in range(3):   # same directions up to sign
        assert abs(fit.components[j] @ evecs[:, order[j]]) == pytest.approx(1.0)
    assert fit.total_variance == pytest.approx(np.trace(np.cov(X, rowvar=False)))
    assert np.allclose(fit.mean, X.mean(axis=0))


def test_pca_wide_data_uses_the_svd_path_and_agrees(rng):
    X = rng.normal(size=(5, 12)) @ np.diag(np.linspace(3, 0.5, 12))   # fewer rows than columns
    wide = linalg.pca(X, 4)
    evals, evecs = np.linalg.eigh(np.cov(X, rowvar=False))
    order = np.argsort(evals)[::-1][:4]
    assert np.allclose(wide.variances, evals[order])
    assert np.allclose(np.abs(np.sum(wide.components * evecs[:, order].T, axis=1)), 1.0)
    assert np.allclose(wide.components @ wide.components.T, np.eye(4))


def test_pca_components_orthonormal_sorted_and_signed(rng):
    fit = linalg.pca(_correlated(rng), 2)
    assert fit.components.shape == (2, 3)
    assert np.allclose(fit.components @ fit.components.T, np.eye(2))
    assert fit.variances[0] >= fit.variances[1]
    biggest = fit.components[np.arange(2), np.argmax(np.abs(fit.components), axis=1)]
    assert np.all(biggest > 0)
    assert 0 < fit.explained_ratio.sum() < 1


def test_pca_transform_round_trip_and_variance(rng):
    X = _correlated(rng)
    full = linalg.pca(X, 3)
    Z = full.transform(X)
    assert Z.shape == (500, 3)
    assert np.allclose(full.inverse_transform(Z), X)
    assert np.allclose(Z.var(axis=0, ddof=1), full.variances)
    assert np.allclose(full.transform(X[0]), Z[0])            # a single row works too
    assert np.allclose(full.explained_ratio.sum(), 1.0)


def test_pca_truncated_reconstruction_error_is_discarded_variance(rng):
    X = _correlated(rng)
    fit = linalg.pca(X, 1)
    R = fit.inverse_transform(fit.transform(X))
    err = np.sum((X - R) ** 2) / (len(X) - 1)
    assert err == pytest.approx(fit.total_variance - fit.variances[0])


def test_pca_errors(rng):
    X = rng.normal(size=(10, 4))
    with pytest.raises(ValueError, match=r"k = 5 components exceeds .* shape \(10, 4\)"):
        linalg.pca(X, 5)
    with pytest.raises(ValueError, match=r"at least 2 rows.*\(1, 4\)"):
        linalg.pca(X[:1], 1)
    with pytest.raises(ValueError, match=r"X must have 2 dimension\(s\)"):
        linalg.pca(X[0], 1)
    fit = linalg.pca(X, 2)
    with pytest.raises(ValueError, match=r"X has shape \(3, 5\) .*mean has shape \(4,\)"):
        fit.transform(np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"Z has shape \(3, 3\) .*components has shape \(2, 4\)"):
        fit.inverse_transform(np.ones((3, 3)))


# --------------------------------------------------------------------------- matmul_flops

def _count_by_loops(m, k, n):
    """Count the multiplications and additions of the schoolbook product, one by one."""
    ops = 0
    for _ in range(m):
        for _ in range(n):
            ops += 1               # the first product a_i1 b_1j
            for _ in range(k - 1):
                ops += 2           # one more product and one addition
    return ops


def test_matmul_flops_counts(rng):
    assert linalg.matmul_flops((2, 3), (3, 4)) == 48
    A, B = rng.normal(size=(5, 7)), rng.normal(size=(7, 2))
    assert linalg.matmul_flops(A, B) == 140
    for m, k, n in [(1, 1, 1), (3, 4, 5), (6, 2, 1)]:
        # the convention 2mkn overcounts the exact count (2k - 1) m n by exactly m n
        assert linalg.matmul_flops((m, k), (k, n)) - _count_by_loops(m, k, n) == m * n


def test_matmul_flops_errors():
    with pytest.raises(ValueError, match=r"a of shape \(2, 3\) by b of shape \(4, 5\)"):
        linalg.matmul_flops((2, 3), (4, 5))
    with pytest.raises(ValueError, match=r"a must be a matrix"):
        linalg.matmul_flops(np.ones(3), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"b must be a matrix"):
        linalg.matmul_flops((2, 3), (3, -1))


# --------------------------------------------------------------------------- measure_gflops

def test_measure_gflops_returns_a_positive_finite_rate():
    for dtype in (np.float64, np.float32):
        g = linalg.measure_gflops(32, 16, 8, repeats=2, dtype=dtype)
        assert isinstance(g, float) and np.isfinite(g) and g > 0


def test_measure_gflops_errors():
    with pytest.raises(ValueError, match="m must be a positive integer"):
        linalg.measure_gflops(0)
    with pytest.raises(ValueError, match="repeats must be a positive integer"):
        linalg.measure_gflops(8, repeats=0)
    with pytest.raises(ValueError, match="floating-point"):
        linalg.measure_gflops(8, dtype=np.int64)


# --------------------------------------------------------------------------- dense

def test_dense_matches_one_example_at_a_time(rng):
    X, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    Y = linalg.dense(X, W, b)
    assert Y.shape == (6, 3)
    for i in range(6):
        assert np.allclose(Y[i], W.T @ X[i] + b)
    assert np.allclose(linalg.dense(X[2], W, b), Y[2])


def test_dense_errors(rng):
    W, b = np.ones((4, 3)), np.ones(3)
    with pytest.raises(ValueError, match=r"X has shape \(6, 5\) but W has shape \(4, 3\)"):
        linalg.dense(np.ones((6, 5)), W, b)
    with pytest.raises(ValueError, match=r"b has shape \(4,\) but W has shape \(4, 3\)"):
        linalg.dense(np.ones((6, 4)), W, np.ones(4))
    with pytest.raises(ValueError, match=r"b must have 1 dimension"):
        linalg.dense(np.ones((6, 4)), W, np.ones((1, 3)))


def test_blas_threads_sets_and_restores_the_thread_count():
    with linalg.blas_threads(2) as outer:
        if outer is None:      # only possible when numpy is built on another matrix library
            assert "openblas" not in str(np.show_config(mode="dicts")).lower()
            return
        with linalg.blas_threads(1) as previous:
            assert previous == 2
            with linalg.blas_threads(3) as inner:
                assert inner == 1
            with linalg.blas_threads(None) as untouched:
                assert untouched is None
            with linalg.blas_threads(1) as restored:
                assert restored == 1        # 3 was undone when its block ended
        with pytest.raises(RuntimeError):
            with linalg.blas_threads(1):
                raise RuntimeError("inside")
        with linalg.blas_threads(2) as after_error:
            assert after_error == 2         # restored although the block raised
    with pytest.raises(ValueError, match="positive integer"):
        with linalg.blas_threads(0):
            pass
