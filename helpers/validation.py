"""Argument checks shared by the helpers.

Every check raises an error that names what was expected and what arrived, so that a reader who
passes a wrongly shaped array learns both shapes from the message rather than from a traceback deep
inside numpy.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_array", "require_same_shape", "require_positive_int"]


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
