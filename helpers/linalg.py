"""Linear algebra of the book: checks, projections, pictures of 2 x 2 maps, low rank, PCA, FLOPs.

What the linear-algebra series builds and later series reuse:

* :func:`relative_error`, :func:`check_identity` and :func:`product_tolerance` -- compare two
  sides of an identity on random instances with a tolerance justified by float64 precision;
* :func:`project` -- orthogonal projection onto a line or onto the column space of a matrix;
* :func:`draw_transform` and :func:`draw_projection` -- pictures of a 2 x 2 matrix acting on a
  grid and the unit circle, and of a projection;
* :func:`low_rank_approx` and :func:`pca` (returning a :class:`PCA`) -- truncated SVD and
  principal component analysis;
* :func:`matmul_flops`, :func:`measure_gflops`, :func:`blas_threads` and :func:`dense` -- the cost
  of a matrix product, the speed of this machine, how many threads numpy's matrix library uses,
  and the dense layer ``X @ W + b`` with its shape checks.

Arrays are float64 unless stated. Shape mismatches raise ``ValueError`` naming both shapes.
"""

from __future__ import annotations

import contextlib
import time
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from .validation import as_array, require_positive_int, require_same_shape

__all__ = ["EPS", "IdentityError", "relative_error", "check_identity", "product_tolerance", "project",
           "draw_transform",
           "draw_projection", "low_rank_approx", "PCA", "pca", "matmul_flops", "measure_gflops",
           "blas_threads", "dense"]

EPS = float(np.finfo(np.float64).eps)
"""Machine epsilon of float64, 2**-52 (about 2.2e-16): the gap between 1 and the next float.
Rounding one operation makes a relative error of at most EPS / 2."""


class IdentityError(AssertionError):
    """Two sides of an identity differ by more than the tolerance."""


# --------------------------------------------------------------------------- checking identities

def relative_error(lhs, rhs) -> float:
    """Relative difference ``||lhs - rhs|| / max(||lhs||, ||rhs||)`` of two arrays.

    Parameters
    ----------
    lhs, rhs : array_like, same shape (any), real or complex
        The two sides to compare. Norms are Frobenius norms (the square root of the sum of squared
        entries), so this is the Euclidean relative error of the flattened arrays.

    Returns
    -------
    float
        0.0 when both sides are exactly zero; ``inf`` if either side contains NaN or infinity.

    Raises
    ------
    ValueError
        If the shapes differ (the message names both).
    """
    a = np.asarray(lhs)
    b = np.asarray(rhs)
    require_same_shape(a, b, ("lhs", "rhs"))
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / scale)


def check_identity(statement: str, lhs, rhs, *, tol: float) -> None:
    """Check that ``lhs`` equals ``rhs`` up to a relative error ``tol`` and print one line.

    Parameters
    ----------
    statement : str
        The identity in words or symbols, e.g. ``"(AB)^T = B^T A^T"``; printed with the result.
    lhs, rhs : array_like, same shape
        Both sides, computed independently.
    tol : float
        Largest acceptable :func:`relative_error`; derive it from float64's precision
        (a multiple of :data:`EPS` times the number of operations, times a condition number
        where one applies).

    Prints ``✓ <statement>  (relative error < <tol>)``. The measured error itself is not printed:
    its last digits depend on the processor's arithmetic kernels, the tolerance does not.

    Raises
    ------
    IdentityError
        If the relative error exceeds ``tol`` (the message gives both numbers).
    ValueError
        If the shapes differ, or ``tol`` is not a positive number.
    """
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating, np.integer)) \
            or not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    err = relative_error(lhs, rhs)
    if not err <= tol:
        raise IdentityError(f"{statement} fails: relative error {err:.3e} exceeds the tolerance "
                            f"{tol:.1e}")
    print(f"✓ {statement}  (relative error < {tol:.0e})")


def product_tolerance(*factors, safety: float = 10.0) -> float:
    """Tolerance for comparing two computations of the product ``F1 @ F2 @ ... @ Fk``.

    Each entry of a product with inner size ``n`` is a sum of ``n`` products, so rounding makes an
    error of at most about ``2 n u`` (``u = EPS / 2``) relative to the sum of the *absolute values*
    of the terms, which cancellation can make larger than the result. Hence::

        safety * 2 * (sum of the inner sizes) * EPS * || |F1| @ ... @ |Fk| || / || F1 @ ... @ Fk ||

    (norms are Frobenius norms, ``|F|`` takes absolute values entry by entry).

    Parameters
    ----------
    *factors : array_like
        Two or more arrays that can be multiplied with ``@`` in this order: matrices of shape
        (m, n), (n, p), ..., a vector (n,) as the last factor, or stacks of matrices (..., m, n).
    safety : float
        Factor of safety over the bound (10 in the book).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Fewer than two factors, sizes that do not fit (both shapes are named), or a product that is
        exactly zero (a relative tolerance then means nothing).
    """
    if len(factors) < 2:
        raise ValueError(f"a product needs at least two factors, got {len(factors)}")
    arrays = [as_array(f, f"factor {i + 1}", ndim=None) for i, f in enumerate(factors)]
    inner = 0
    product, abs_product = arrays[0], np.abs(arrays[0])
    for i, f in enumerate(arrays[1:], start=1):
        left = "factor 1" if i == 1 else f"the product of factors 1-{i}"
        if product.ndim == 0 or f.ndim == 0:
            raise ValueError(f"{left} has shape {product.shape} and factor {i + 1} has shape "
                             f"{f.shape}: only vectors and matrices can be multiplied with @")
        rows = f.shape[0] if f.ndim == 1 else f.shape[-2]
        if product.shape[-1] != rows:
            raise ValueError(f"{left} has shape {product.shape} but factor {i + 1} has shape "
                             f"{f.shape}: the inner sizes {product.shape[-1]} and {rows} differ")
        inner += rows
        product, abs_product = product @ f, abs_product @ np.abs(f)
    size = np.linalg.norm(product)
    if size == 0.0:
        raise ValueError("the product is exactly zero: compare with an absolute tolerance instead")
    return float(safety * 2 * inner * EPS * np.linalg.norm(abs_product) / size)


# --------------------------------------------------------------------------- projection

def project(v, onto) -> np.ndarray:
    """Orthogonal projection of ``v`` onto a line or onto the column space of a matrix.

    Parameters
    ----------
    v : array_like, shape (n,)
        The vector to project.
    onto : array_like, shape (n,) or (n, k)
        A non-zero vector ``u`` (project onto the line through 0 along ``u``:
        ``(v . u / u . u) u``), or a matrix whose columns span the subspace (the result is the
        point ``A x`` of the column space closest to ``v``, found by least squares).

    Returns
    -------
    ndarray, shape (n,)
        The projection ``p``; ``v - p`` is orthogonal to ``onto`` (to each of its columns).

    Raises
    ------
    ValueError
        If ``v`` is not a vector, the lengths disagree (both shapes are named), or ``u`` is zero.
    """
    v = as_array(v, "v", ndim=1)
    A = as_array(onto, "onto", ndim=(1, 2))
    if A.shape[0] != v.shape[0]:
        raise ValueError(f"v has shape {v.shape} but onto has shape {A.shape}: onto needs "
                         f"{v.shape[0]} rows to live in the same space as v")
    if A.ndim == 1:
        uu = A @ A
        if uu == 0.0:
            raise ValueError("cannot project onto the zero vector: it spans no line")
        return (v @ A) / uu * A
    if not np.any(A):
        raise ValueError("cannot project onto the columns of a zero matrix: they span only {0}")
    x, *_ = np.linalg.lstsq(A, v, rcond=None)
    return A @ x


# --------------------------------------------------------------------------- pictures

def _as_2x2(A, name="A") -> np.ndarray:
    return as_array(A, name, shape=(2, 2))


def _sparse_ticks(ax, lim: float) -> None:
    """Integer ticks, at most about five per axis: tick labels are the slowest part of redrawing a
    figure, and sliders redraw often."""
    step = max(1, int(np.ceil(lim / 2)))
    ticks = np.arange(-np.floor(lim / step) * step, lim + 1e-9, step)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)


def draw_transform(ax, A, *, lim: float = 3.0, extent: int = 3, show_original: bool = True,
                   grid: bool = True, circle: bool = True, basis: bool = True, square: bool = True,
                   title: str | None = None) -> None:
    """Draw what the 2 x 2 matrix ``A`` does to the plane: a grid, the unit circle, the basis.

    The faint grey grid and circle are the input; the coloured ones are their images under
    ``x -> A x``. The arrows are ``A e1`` and ``A e2`` (the columns of ``A``), and the shaded
    parallelogram is the image of the unit square, whose signed area is ``det A``: it is shaded
    blue when ``det A > 0`` and vermillion when ``det A < 0`` (orientation flipped).

    Parameters
    ----------
    ax : matplotlib Axes
    A : array_like, shape (2, 2)
    lim : float
        The axes show [-lim, lim] in both directions.
    extent : int
        Grid lines at the integers -extent..extent (before the map).
    show_original, grid, circle, basis, square : bool
        Which layers to draw: the input grid and circle in grey, the image of the grid, of the
        unit circle, of the basis vectors, of the unit square.
    title : str, optional

    Raises
    ------
    ValueError
        If ``A`` is not 2 x 2 (the message names its shape).
    """
    from matplotlib.collections import LineCollection

    from . import plotting

    A = _as_2x2(A)
    extent = require_positive_int(extent, "extent")
    plotting.set_plane(ax, lim)
    _sparse_ticks(ax, lim)
    t = np.linspace(-extent, extent, 2)
    ticks = np.arange(-extent, extent + 1)
    vertical = [np.column_stack([np.full(2, c), t]) for c in ticks]     # lines x = c
    horizontal = [np.column_stack([t, np.full(2, c)]) for c in ticks]   # lines y = c
    theta = np.linspace(0.0, 2 * np.pi, 121)
    unit_circle = np.column_stack([np.cos(theta), np.sin(theta)])
    if show_original:
        if grid:
            ax.add_collection(LineCollection(vertical + horizontal, colors="0.75", linewidths=0.8,
                                             zorder=1))
        if circle:
            ax.plot(unit_circle[:, 0], unit_circle[:, 1], color="0.6", lw=1.0, ls="--", zorder=1)
    if grid:
        ax.add_collection(LineCollection([seg @ A.T for seg in vertical],
                                         colors=plotting.COLORS["sky"], linewidths=1.2, zorder=2))
        ax.add_collection(LineCollection([seg @ A.T for seg in horizontal],
                                         colors=plotting.COLORS["orange"], linewidths=1.2, zorder=2))
    det = A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0]
    if square:
        corners = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float) @ A.T
        colour = plotting.COLORS["blue"] if det >= 0 else plotting.COLORS["vermillion"]
        ax.fill(corners[:, 0], corners[:, 1], color=colour, alpha=0.25, zorder=2, lw=0)
    if circle:
        image = unit_circle @ A.T
        ax.plot(image[:, 0], image[:, 1], color=plotting.COLORS["green"], lw=2.0, zorder=3)
    if basis:
        plotting.draw_vectors(ax, A.T, colors=[plotting.COLORS["vermillion"],
                                               plotting.COLORS["purple"]],
                              labels=["Ae₁", "Ae₂"])
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    if title is not None:
        ax.set_title(title)


def draw_projection(ax, v, u, *, lim: float | None = None, labels=("v", "u"),
                    title: str | None = None) -> np.ndarray:
    """Draw the orthogonal projection of the 2-D vector ``v`` onto the line along ``u``.

    Draws the line through 0 along ``u`` (dashed), the arrows ``u`` (orange, wide), ``v`` (blue)
    and the projection ``p`` (green, drawn on top of ``u``, labelled on the side of the line away
    from ``v``), and the residual ``v - p`` as a dotted segment with a right-angle mark at ``p``.

    Parameters
    ----------
    ax : matplotlib Axes
    v, u : array_like, shape (2,)
        ``u`` must be non-zero.
    lim : float, optional
        Half-width of the square view; by default fitted to the vectors.
    labels : (str, str)
        Labels of ``v`` and ``u``.
    title : str, optional

    Returns
    -------
    ndarray, shape (2,)
        The projection ``p``.

    Raises
    ------
    ValueError
        If ``v`` or ``u`` is not of shape (2,), or ``u`` is zero.
    """
    from . import plotting

    v = as_array(v, "v", shape=(2,))
    u = as_array(u, "u", shape=(2,))
    p = project(v, u)
    if lim is None:
        lim = 1.25 * max(np.abs(v).max(), np.abs(u).max(), 1.0)
    plotting.set_plane(ax, lim)
    _sparse_ticks(ax, lim)
    d = u / np.linalg.norm(u)
    ax.plot(*np.column_stack([-3 * lim * d, 3 * lim * d]), color="0.5", lw=1, ls="--", zorder=1)
    ax.plot([v[0], p[0]], [v[1], p[1]], color="0.3", lw=1.2, ls=":", zorder=2)
    r = v - p
    if np.linalg.norm(r) > 1e-9 * lim:   # right-angle mark, unless v lies on the line
        n = r / np.linalg.norm(r)
        s = 0.06 * lim
        corner = np.array([p + s * d, p + s * d + s * n, p + s * n])
        ax.plot(corner[:, 0], corner[:, 1], color="0.3", lw=1, zorder=2)
    else:
        n = np.array([-d[1], d[0]])
    plotting.draw_vectors(ax, u, colors=[plotting.COLORS["orange"]], labels=[labels[1]],
                          width=0.024)
    plotting.draw_vectors(ax, p, colors=[plotting.COLORS["green"]])
    # "p" goes on the far side of the line from v, clear of the right-angle mark and of v - p
    # (the axes have equal scales, so a direction in data is the same direction on screen)
    ax.annotate("p", p, xytext=tuple(-14 * n), textcoords="offset points", ha="center",
                va="center", color=plotting.COLORS["green"], fontsize=12)
    plotting.draw_vectors(ax, v, colors=[plotting.COLORS["blue"]], labels=[labels[0]])
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    if title is not None:
        ax.set_title(title)
    return p


# --------------------------------------------------------------------------- low rank and PCA

def low_rank_approx(A, k: int) -> np.ndarray:
    """The best rank-``k`` approximation of ``A`` (truncated SVD, Eckart-Young).

    Parameters
    ----------
    A : array_like, shape (m, n)
    k : int
        Rank to keep, 1 <= k <= min(m, n).

    Returns
    -------
    ndarray, shape (m, n), float64
        ``U[:, :k] @ diag(s[:k]) @ Vt[:k]``: of all matrices of rank at most ``k`` the closest to
        ``A`` in the Frobenius (and spectral) norm. Its error ``||A - A_k||_F`` equals
        ``sqrt(s[k]**2 + s[k+1]**2 + ...)``.

    Raises
    ------
    ValueError
        If ``A`` is not a matrix or ``k`` is not an integer in 1..min(m, n) (the shape is named).
    """
    A = as_array(A, "A", ndim=2)
    k = require_positive_int(k, "k")
    if k > min(A.shape):
        raise ValueError(f"k = {k} exceeds the largest possible rank min{A.shape} = {min(A.shape)} "
                         f"of A with shape {A.shape}")
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return (U[:, :k] * s[:k]) @ Vt[:k]


class PCA(NamedTuple):
    """A fitted principal component analysis (see :func:`pca`).

    Attributes
    ----------
    mean : ndarray, shape (d,)
        The mean of the data, subtracted before projecting.
    components : ndarray, shape (k, d)
        The principal directions, one per row, orthonormal, in order of decreasing variance.
    variances : ndarray, shape (k,)
        The variance of the data along each component (eigenvalues of the covariance matrix,
        normalised by N - 1).
    total_variance : float
        The sum of the variances along all d directions (the trace of the covariance matrix).
    """

    mean: np.ndarray
    components: np.ndarray
    variances: np.ndarray
    total_variance: float

    @property
    def explained_ratio(self) -> np.ndarray:
        """Fraction of the total variance along each component, shape (k,)."""
        return self.variances / self.total_variance

    def transform(self, X) -> np.ndarray:
        """Coordinates of the rows of ``X`` (shape (N, d) or (d,)) along the components:
        ``(X - mean) @ components.T``, shape (N, k) or (k,)."""
        X = as_array(X, "X", ndim=(1, 2))
        d = self.mean.shape[0]
        if X.shape[-1] != d:
            raise ValueError(f"X has shape {X.shape} but the PCA was fitted to rows of length {d} "
                             f"(mean has shape {self.mean.shape})")
        return (X - self.mean) @ self.components.T

    def inverse_transform(self, Z) -> np.ndarray:
        """Points with coordinates ``Z`` (shape (N, k) or (k,)) back in data space:
        ``Z @ components + mean``, shape (N, d) or (d,)."""
        Z = as_array(Z, "Z", ndim=(1, 2))
        k = self.components.shape[0]
        if Z.shape[-1] != k:
            raise ValueError(f"Z has shape {Z.shape} but the PCA has {k} components "
                             f"(components has shape {self.components.shape})")
        return Z @ self.components + self.mean


def pca(X, k: int) -> PCA:
    """Principal component analysis of the rows of ``X``.

    The components are the top eigenvectors of the symmetric d x d matrix ``Xc.T @ Xc`` (``Xc``:
    the centred data), found with ``numpy.linalg.eigh``, which is much faster than an SVD of ``Xc``
    when there are more examples than features (5000 MNIST images: about a second instead of
    several). Forming ``Xc.T @ Xc`` squares the condition number, so the smallest variances are only
    accurate to about ``EPS * variances[0]`` in absolute terms; the leading components, which PCA
    is for, are unaffected. With fewer examples than features, the SVD of ``Xc`` is used instead.

    Parameters
    ----------
    X : array_like, shape (N, d)
        One example per row, N >= 2.
    k : int
        Number of components, 1 <= k <= min(N, d).

    Returns
    -------
    PCA
        ``mean`` (d,), ``components`` (k, d), ``variances`` (k,), ``total_variance``. Each
        component's sign is fixed so that its entry of largest magnitude is positive, which makes
        the result reproducible.

    Raises
    ------
    ValueError
        If ``X`` is not a matrix with at least 2 rows, or ``k`` is out of range (shape named).
    """
    X = as_array(X, "X", ndim=2)
    N, d = X.shape
    if N < 2:
        raise ValueError(f"PCA needs at least 2 rows (examples), X has shape {X.shape}")
    k = require_positive_int(k, "k")
    if k > min(N, d):
        raise ValueError(f"k = {k} components exceeds min(N, d) = {min(N, d)} for X with shape "
                         f"{X.shape}")
    mean = X.mean(axis=0)
    Xc = X - mean
    if N >= d:
        evals, evecs = np.linalg.eigh(Xc.T @ Xc)          # ascending order
        order = np.argsort(evals)[::-1][:k]
        comps = evecs[:, order].T
        squared = np.clip(evals[order], 0.0, None)         # rounding can make ~0 slightly negative
    else:
        _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
        comps, squared = Vt[:k], s[:k] ** 2
    signs = np.sign(comps[np.arange(k), np.argmax(np.abs(comps), axis=1)])
    comps = comps * signs[:, None]
    total = float(np.sum(Xc ** 2) / (N - 1))
    return PCA(mean=mean, components=comps, variances=squared / (N - 1), total_variance=total)


# --------------------------------------------------------------------------- cost and the dense layer

def _shape_of(x, name) -> tuple[int, ...]:
    shape = tuple(np.shape(x)) if hasattr(x, "shape") else tuple(x)
    if len(shape) != 2 or not all(isinstance(s, (int, np.integer)) and s >= 0 for s in shape):
        raise ValueError(f"{name} must be a matrix or a shape (rows, cols) of two non-negative "
                         f"integers, got {shape}")
    return tuple(int(s) for s in shape)


def matmul_flops(a, b) -> int:
    """Floating-point operations of the matrix product ``a @ b``, counted as ``2 m k n``.

    Each of the ``m n`` entries of the product is a dot product of length ``k``: ``k``
    multiplications and ``k - 1`` additions, which the usual convention rounds to ``2 k``.

    Parameters
    ----------
    a, b : array of shape (m, k) and (k, n), or the shapes themselves as tuples

    Returns
    -------
    int
        ``2 * m * k * n``.

    Raises
    ------
    ValueError
        If the inner sizes differ (the message names both shapes), or an input is not 2-D.
    """
    sa, sb = _shape_of(a, "a"), _shape_of(b, "b")
    if sa[1] != sb[0]:
        raise ValueError(f"cannot multiply a of shape {sa} by b of shape {sb}: the inner sizes "
                         f"{sa[1]} and {sb[0]} differ")
    return 2 * sa[0] * sa[1] * sb[1]


def measure_gflops(m: int, k: int | None = None, n: int | None = None, *, repeats: int = 5,
                   dtype=np.float64, seed: int = 0) -> float:
    """Measure this machine's speed for the product of an (m, k) and a (k, n) matrix, in GFLOP/s.

    Random matrices of ``dtype`` are multiplied once to warm up and then ``repeats`` times; the
    fastest run counts (the others were slowed by something else). The result varies from machine
    to machine and from run to run.

    Parameters
    ----------
    m, k, n : int
        Sizes; ``k`` and ``n`` default to ``m`` (a square product).
    repeats : int
        Timed runs.
    dtype : numpy float dtype
        ``np.float64`` (the default) or ``np.float32`` (usually about twice as fast).
    seed : int
        Seed for the random matrices.

    Returns
    -------
    float
        ``matmul_flops((m, k), (k, n)) / fastest_seconds / 1e9``.
    """
    m = require_positive_int(m, "m")
    k = m if k is None else require_positive_int(k, "k")
    n = m if n is None else require_positive_int(n, "n")
    repeats = require_positive_int(repeats, "repeats")
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating-point type, got {dtype}")
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, k)).astype(dtype)
    B = rng.standard_normal((k, n)).astype(dtype)
    A @ B   # warm-up: first-call overheads are not the speed of the product
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        A @ B
        best = min(best, time.perf_counter() - t0)
    best = max(best, 1e-9)   # a timer tick of 0 would divide by zero
    return matmul_flops((m, k), (k, n)) / best / 1e9


@contextlib.contextmanager
def blas_threads(n: int | None):
    """Context manager: run the block with ``n`` threads in numpy's matrix library (BLAS),
    then restore the previous number, which ``as`` receives. ``None``, or no BLAS library that
    threadpoolctl can control, changes nothing (and ``as`` receives None).

    One thread keeps results bit-for-bit reproducible (a product split over threads may round
    differently) and avoids threads waiting for each other on a busy machine.

    Example::

        with linalg.blas_threads(1):
            Y = X @ W
    """
    n = None if n is None else require_positive_int(n, "n")
    pools = [p for p in threadpool_info() if p["user_api"] == "blas"] if n is not None else []
    if not pools:
        yield None
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield pools[0]["num_threads"]


def dense(X, W, b) -> np.ndarray:
    """The dense (fully connected) layer without activation: ``X @ W + b``.

    Parameters
    ----------
    X : array_like, shape (N, d) or (d,)
        A batch of N inputs, one per row (or a single input).
    W : array_like, shape (d, h)
        Weights: column j holds the weights of output unit j.
    b : array_like, shape (h,)
        Biases, added to every row (broadcasting).

    Returns
    -------
    ndarray, shape (N, h) or (h,)
        Row i is ``W.T @ X[i] + b``.

    Raises
    ------
    ValueError
        If ``X``'s last size differs from ``W``'s rows, or ``b``'s length from ``W``'s columns;
        the message names both shapes.
    """
    X = as_array(X, "X", ndim=(1, 2))
    W = as_array(W, "W", ndim=2)
    b = as_array(b, "b", ndim=1)
    if X.shape[-1] != W.shape[0]:
        raise ValueError(f"X has shape {X.shape} but W has shape {W.shape}: X @ W needs X's last "
                         f"size ({X.shape[-1]}) to equal W's number of rows ({W.shape[0]})")
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"b has shape {b.shape} but W has shape {W.shape}: b needs one entry per "
                         f"column of W ({W.shape[1]})")
    return X @ W + b
