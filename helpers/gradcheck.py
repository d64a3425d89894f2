"""Numerical gradients and gradient checks.

An analytic gradient (derived by hand, or computed by :mod:`helpers.autodiff`) is only trusted
after it agrees with a numerical one. :func:`numerical_gradient` estimates the gradient of a
scalar function with *central differences*,

    df/dx_i  ~  (f(x + h e_i) - f(x - h e_i)) / (2 h),

whose error is about ``h**2 * |f'''| / 6`` (truncation) plus ``eps * |f| / h`` (round-off, with
``eps ~ 2.2e-16``). The default ``h = 1e-6`` is close to the step ``eps**(1/3) ~ 6e-6`` that
balances the two, so for a function and derivatives of size about 1 the estimate is good to
roughly 1e-10. :func:`check_gradient` compares an analytic gradient with that estimate and
raises :class:`GradientCheckError` when they disagree. :func:`numerical_jacobian` does the same
for functions whose value is an array (the Hessian is the Jacobian of the gradient).

Example::

    f = lambda x: np.sum(x ** 3)
    grad = lambda x: 3 * x ** 2
    x = np.array([1.0, -2.0, 0.5])
    check_gradient(f, grad(x), x)      # returns the largest relative error, about 1e-10
"""

from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from .validation import as_array, require_same_shape

__all__ = ["GradientCheckError", "numerical_gradient", "numerical_jacobian", "check_gradient"]


class GradientCheckError(AssertionError):
    """An analytic gradient disagrees with the numerical one (raised by :func:`check_gradient`)."""


def _require_step(h) -> float:
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not np.isfinite(h) or h <= 0:
        raise ValueError(f"the step h must be a positive finite number, got {h!r}")
    return float(h)


def _scalar_value(value, where: str) -> float:
    """``f``'s output as a float; a clear error if it is not a single number."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"f must return a number, but at {where} it returned "
                        f"{type(value).__name__}: {value!r}") from None
    if arr.size != 1:
        raise ValueError(f"f must return a scalar (a single number), but at {where} it returned "
                         f"an array of shape {arr.shape}")
    return float(arr.reshape(()))


def numerical_gradient(f: Callable[[np.ndarray], float], x, h: float = 1e-6) -> np.ndarray:
    """Central-difference estimate of the gradient of a scalar function.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float64 array of the same shape as ``x`` and returns a scalar (a Python
        number, a 0-d array or an array of size 1).
    x : array_like of float, any shape (a scalar is shape ``()``)
        Where to estimate the gradient. It is not modified: ``f`` is called on a copy.
    h : float
        The step, positive. The default 1e-6 is near the best step for central differences in
        float64 (about ``eps**(1/3)``, see the module docstring).

    Returns
    -------
    numpy.ndarray of float64, the same shape as ``x``
        Entry ``i`` is ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``.

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``x`` is not numeric, or ``f`` returns something that is not a
        number.
    ValueError
        If ``h`` is not a positive finite number, or ``f`` returns an array with more than one entry.
    """
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    h = _require_step(h)
    point = np.array(as_array(x, "x"), dtype=float)   # a private copy: x itself is never touched
    grad = np.empty_like(point)
    for i in np.ndindex(point.shape):
        original = point[i]
        point[i] = original + h
        f_plus = _scalar_value(f(point), f"x + h e_{i}")
        point[i] = original - h
        f_minus = _scalar_value(f(point), f"x - h e_{i}")
        point[i] = original
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def numerical_jacobian(f: Callable[[np.ndarray], np.ndarray], x, h: float = 1e-6) -> np.ndarray:
    """Central-difference estimate of the Jacobian of an array-valued function.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float64 array of the shape of ``x`` and returns an array (or number) whose
        shape does not depend on ``x``.
    x : array_like of float, any shape
        Where to estimate the Jacobian (not modified).
    h : float
        The step, positive.

    Returns
    -------
    numpy.ndarray of float64, shape ``f(x).shape + x.shape``
        Entry ``[i, j]`` (multi-indices) is ``(f(x + h e_j)[i] - f(x - h e_j)[i]) / (2 h)``; for
        a vector ``x`` of length n and ``f(x)`` of length m this is the m x n Jacobian matrix.

    Raises
    ------
    TypeError
        If ``f`` is not callable, or ``x`` or ``f``'s output is not numeric.
    ValueError
        If ``h`` is not a positive finite number, or ``f``'s output changes shape.
    """
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    h = _require_step(h)
    point = np.array(as_array(x, "x"), dtype=float)

    def value(where: str) -> np.ndarray:
        try:
            return np.asarray(f(point), dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"f must return numbers, but at {where} it did not") from None

    out_shape = value("x").shape
    jac = np.empty(out_shape + point.shape)
    for j in np.ndindex(point.shape):
        original = point[j]
        point[j] = original + h
        f_plus = value(f"x + h e_{j}")
        point[j] = original - h
        f_minus = value(f"x - h e_{j}")
        point[j] = original
        if f_plus.shape != out_shape or f_minus.shape != out_shape:
            raise ValueError(f"f returned shape {out_shape} at x but {f_plus.shape} and "
                             f"{f_minus.shape} at x +/- h e_{j}; its shape must not change")
        jac[(Ellipsis,) + j] = (f_plus - f_minus) / (2.0 * h)
    return jac


def check_gradient(f: Callable[[np.ndarray], float], grad, x, *, h: float = 1e-6,
                   tol: float = 1e-6) -> float:
    """Compare an analytic gradient with central differences; raise if they disagree.

    The error of entry ``i`` is the relative difference
    ``|a_i - n_i| / max(|a_i| + |n_i|, noise / tol)`` between the analytic value ``a_i`` and the
    numerical value ``n_i``; the check passes when the largest of these is at most ``tol``. The
    floor ``noise = 10 * eps * |f(x)| / h`` is the round-off of a central difference: an entry
    that is 0 (or tiny) passes when the two values differ by no more than that round-off, which a
    purely relative test would reject (0 against 2e-10 is a relative difference of 1). Entries
    larger than ``noise / tol`` are compared purely relatively.

    Parameters
    ----------
    f : callable
        The scalar function, as in :func:`numerical_gradient`.
    grad : array_like of float, the same shape as ``x``
        The analytic gradient of ``f`` at ``x``.
    x : array_like of float, any shape
        The point (not modified).
    h : float
        Step of the central differences.
    tol : float
        Largest relative error accepted (non-negative).

    Returns
    -------
    float
        The largest relative error (0.0 for an empty ``x``).

    Raises
    ------
    ValueError
        If ``grad`` and ``x`` have different shapes (the message names both), or ``tol`` is negative.
    GradientCheckError
        If the largest relative error exceeds ``tol``, or either gradient contains NaN or
        infinity; the message names the worst index and both values.
    """
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol >= 0:
        raise ValueError(f"tol must be a non-negative number, got {tol!r}")
    x_arr = as_array(x, "x")
    analytic = as_array(grad, "grad")
    require_same_shape(analytic, x_arr, ("grad", "x"))
    numeric = numerical_gradient(f, x_arr, h)
    if analytic.size == 0:
        return 0.0
    for name, g in (("analytic", analytic), ("numerical", numeric)):
        if not np.all(np.isfinite(g)):
            i = tuple(int(k) for k in np.argwhere(~np.isfinite(g))[0])
            raise GradientCheckError(f"the {name} gradient is not finite at index {i}: "
                                     f"analytic {analytic[i]!r}, numerical {numeric[i]!r}")
    f_x = abs(_scalar_value(f(x_arr.copy()), "x"))
    noise = 10 * np.finfo(float).eps * f_x / h             # round-off of one central difference
    floor = max(1e-12, noise / tol) if tol > 0 and np.isfinite(noise) else 1e-12
    rel = np.abs(analytic - numeric) / np.maximum(floor, np.abs(analytic) + np.abs(numeric))
    worst = np.unravel_index(int(np.argmax(rel)), rel.shape)
    err = float(rel[worst])
    if err > tol:
        idx = tuple(int(k) for k in worst)
        raise GradientCheckError(
            f"gradient check failed: largest relative error {err:.3g} > tol {tol:.3g} at index "
            f"{idx}: analytic {float(analytic[worst]):.10g}, numerical {float(numeric[worst]):.10g}")
    return err
