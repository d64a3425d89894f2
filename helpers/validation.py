"""Argument checks shared by the helpers.

Every check raises an error that names what was expected and what arrived, so that a reader who
passes a wrongly shaped array learns both shapes from the message rather than from a traceback deep
inside numpy.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_array", "as_finite_matrix", "as_mean_and_cov", "require_same_shape",
           "require_positive_int", "as_generator", "as_batch", "as_labels"]


def as_array(x, name: str = "x", *, ndim: int | tuple[int, ...] | None = None,
             shape: tuple[int | None, ...] | None = None, dtype=float) -> np.ndarray:
    """Convert ``x`` to a numpy array and check its rank and shape.

    Parameters
    ----------
    x : array_like
        The value to convert.
    name : str
        How the value is called in error messages.
    ndim : int or tuple of int, optional
        Allowed number(s) of dimensions.
    shape : tuple, optional
        Required shape; ``None`` in a position accepts any length there. Implies ``ndim``.
    dtype : numpy dtype, optional
        Target dtype (float by default); ``None`` keeps numpy's choice.

    Returns
    -------
    numpy.ndarray
        ``x`` as an array of ``dtype`` with the checked shape.

    Raises
    ------
    TypeError
        If ``x`` cannot be converted to a numeric array.
    ValueError
        If the rank or shape differs from what was asked; the message shows both.
    """
    try:
        arr = np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}: {exc}") from None
    if arr.dtype == object:
        raise TypeError(f"{name} must be a numeric array, got an array of Python objects")
    if shape is not None:
        ndim = len(shape)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {want} dimension(s), got shape {arr.shape}")
    if shape is not None:
        if any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape)
            want += ",)" if len(shape) == 1 else ")"
            raise ValueError(f"{name} must have shape {want}, got shape {arr.shape}")
    return arr


def as_finite_matrix(A, name: str = "A") -> np.ndarray:
    """``A`` as a float array of shape (m, n) with m, n >= 1 and only finite entries.

    Raises ``TypeError`` if it is not numeric and ``ValueError`` if it is not 2-D, is empty, or
    holds NaN or infinity (the message names ``name`` and the shape).
    """
    M = as_array(A, name, ndim=2)
    if M.shape[0] == 0 or M.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column, got shape {M.shape}")
    if not np.all(np.isfinite(M)):
        raise ValueError(f"{name} contains NaN or infinity")
    return M


def as_mean_and_cov(mean, cov) -> tuple[np.ndarray, np.ndarray]:
    """``(mean, cov)`` of a d-dimensional Gaussian as float arrays of shapes (d,) and (d, d), finite,
    ``cov`` symmetric (to rounding). Raises ``ValueError`` naming both shapes if they do not fit.
    Definiteness is the caller's to check (some uses need it, some allow a singular ``cov``)."""
    mu = as_array(mean, "mean", ndim=1)
    d = mu.shape[0]
    S = as_array(cov, "cov", ndim=2)
    if S.shape != (d, d):
        raise ValueError(f"mean has shape {mu.shape} so cov must have shape {(d, d)}, "
                         f"got shape {S.shape}")
    if not np.all(np.isfinite(mu)) or not np.all(np.isfinite(S)):
        raise ValueError("mean and cov must be finite")
    if not np.allclose(S, S.T, rtol=1e-10, atol=1e-12):
        raise ValueError("cov must be symmetric (cov == cov.T)")
    return mu, S


def require_same_shape(a: np.ndarray, b: np.ndarray, names: tuple[str, str] = ("a", "b")) -> None:
    """Raise ``ValueError`` naming both shapes unless ``a.shape == b.shape``."""
    a_shape, b_shape = np.shape(a), np.shape(b)
    if a_shape != b_shape:
        raise ValueError(f"{names[0]} has shape {a_shape} but {names[1]} has shape {b_shape}; "
                         "they must be equal")


def require_positive_int(n, name: str = "n") -> int:
    """Return ``n`` as an ``int`` if it is a positive integer, else raise with a clear message."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return int(n)


def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """A numpy ``Generator``: ``rng`` itself if it is one, else a new one seeded with the integer
    ``rng >= 0``; anything else is a ``TypeError`` that says how to make one."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(f"{name} must be a numpy Generator (np.random.default_rng(seed)) or a seed "
                    f">= 0, got {rng!r}")


def as_batch(X, n_features: int, dtype=np.float32, name: str = "X") -> np.ndarray:
    """A batch of examples: ``X`` as a float array of shape (N, n_features) and ``dtype``.

    Integer and boolean arrays are refused rather than converted (MNIST's uint8 pixels must be
    scaled first, and the message says so); a wrong width names both shapes.
    """
    X = as_array(X, name, dtype=None)
    if X.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be a numeric array, got dtype {X.dtype}")
    if X.dtype.kind != "f":
        hint = " (MNIST pixels are uint8: scale them, e.g. X / 255)" if X.dtype == np.uint8 else ""
        raise TypeError(f"{name} must be a float array, got dtype {X.dtype}{hint}")
    if X.ndim != 2 or X.shape[1] != n_features:
        raise ValueError(f"{name} has shape {X.shape} but the network expects shape "
                         f"(N, {n_features}): one example per row with {n_features} features")
    return X.astype(dtype, copy=False)


def as_labels(y, num_classes: int, n: int | None = None, name: str = "y") -> np.ndarray:
    """Integer class labels in [0, num_classes) of shape (n,) (any length if ``n`` is None), as
    int64. Float labels, a wrong length and a label out of range each get their own message."""
    y = np.asarray(y)
    K = num_classes
    if y.dtype == bool or y.dtype.kind not in "iu":
        hint = (" (convert with .astype(int) if the values are whole numbers)"
                if y.dtype.kind == "f" else "")
        raise TypeError(f"{name} must be integers (class labels 0..{K - 1}), got dtype "
                        f"{y.dtype}{hint}")
    if y.ndim != 1:
        raise ValueError(f"{name} must have shape (N,), one label per example, got shape {y.shape}")
    if n is not None and len(y) != n:
        raise ValueError(f"{name} has shape {y.shape} but there are {n} examples: expected "
                         f"{name} of shape ({n},), one label per example")
    bad = np.flatnonzero((y < 0) | (y >= K))
    if bad.size:
        raise ValueError(f"{name}[{bad[0]}] = {y[bad[0]]} is out of range: with {K} classes, "
                         f"labels must be in [0, {K}) ({bad.size} out of range)")
    return y.astype(np.int64, copy=False)
