"""Exercise checkers: every answer gets a verdict, never a traceback.

A checker returns a :class:`Verdict` whose ``status`` is one of

* ``"correct"``       -- the answer is right;
* ``"wrong"``         -- the answer is wrong; ``message`` says how and ``hint`` says what to try;
* ``"not attempted"`` -- the answer is still the placeholder (``None`` or ``...``), or a function
  to write still returns None (its placeholder body ``return None``, or a missing ``return``).

Checkers never raise because of the *answer*: ``None``, NaN, a string, a ragged or deeply nested
list, a generator, a date, an object whose ``repr``, ``==``, ``bool`` or ``float`` raises, a
function that raises (even ``SystemExit``) -- each gets a "Not yet" that says what is wrong. Only
``KeyboardInterrupt`` goes through. They do raise ``TypeError`` / ``ValueError`` when the
*exercise* is mis-written (an expected value that is not numeric), because that is a bug in the
book, not in the reader's answer.

What counts as a number
    Python and NumPy numbers of any dtype, ``fractions.Fraction``, ``decimal.Decimal``, SymPy
    numbers, matrices and expressions that evaluate to a number (``sp.Rational(1, 3)``,
    ``sp.sqrt(2) / 2``, ``sp.Matrix(...)``), and what ``sp.solve`` returns (a list of roots, or a
    dict ``{symbol: value}``), nested in lists and tuples. Two integers are compared exactly
    (also beyond ``2**63``), unless the exercise passes a tolerance.

Shapes
    ``check_value`` accepts a vector as a flat array, a column or a row when the expected value is
    a 1-D vector (a one-element list for a number, too), unless ``strict_shape=True``; with
    ``strict_shape=False`` any shape with the same entries in the same order is accepted. A wrong
    shape gets its own message (a transpose, a column for a flat vector ...).

Tolerance
    ``rtol`` and ``atol`` work as in :func:`numpy.allclose`. Without them, floats must agree to
    about 6 significant digits (``rtol=1e-6``; for an array, entries near 0 to ``1e-6`` times its
    largest entry). An exercise that asks for fewer digits passes the matching tolerance: "to 3
    decimal places" is ``atol=5e-4, rtol=0``, "within 1%" is ``rtol=0.01``.

Hints
    ``hint`` is a string or a list of strings. Hints are shown only after a wrong answer, never with
    "Not attempted yet". With a list, the n-th wrong try of the same exercise shows hint n (the last
    one repeats), so order them from a gentle nudge to a specific one. Tries are counted in this
    module, per exercise: the checker, the ``name`` and a fingerprint of the exercise (the expected
    value, the reference function's code, the correct choice, or the property's description). A
    correct answer does not reset the count; :func:`reset_tries` does (a fresh kernel does too).

Common mistakes
    When a value is wrong, ``check_value`` looks for a likely cause and names it without revealing
    the expected value: a transpose, a column instead of a flat vector, a sign error, a factor of 2
    or 1/2, log base 2 instead of the natural log (or the reverse), degrees instead of radians (or
    the reverse), a percentage instead of a fraction (or the reverse).

The convention in the notebooks (CONTRIBUTING.md, "Exercises and checkers"): a hidden checker
cell holds the expected value, the tolerance and the hints, so that the reader does not see them
before trying::

    # Checker for exercise 1. Run this cell; it holds the answer, so read it only after trying.
    def check_answer(answer):
        return exercises.check_value(answer, expected, name="answer", hint=["a nudge", "more specific"])

and the visible answer cell ends with the call::

    answer = None          # replace None with your answer
    check_answer(answer)
"""

from __future__ import annotations

import copy
import decimal
import fractions
import hashlib
import html
import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = ["Verdict", "check_value", "check_function", "check_choice", "check_property",
           "reset_tries", "DEFAULT_RTOL", "DEFAULT_ATOL"]

CORRECT, WRONG, NOT_ATTEMPTED = "correct", "wrong", "not attempted"
_STYLE = {
    CORRECT: ("#1b7837", "#e7f4e4", "Correct"),
    WRONG: ("#b2182b", "#fbe9e7", "Not yet"),
    NOT_ATTEMPTED: ("#555555", "#f0f0f0", "Not attempted yet"),
}

#: Tolerances used when an exercise passes none (see the module docstring).
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9

_MAX_DEPTH = 32            # deeper nesting than any array NumPy can hold
_MAX_ENTRIES = 10_000_000  # an answer larger than this is not read entry by entry
_CAUGHT = (Exception, SystemExit)   # everything an answer may raise except KeyboardInterrupt

_tries: dict = {}          # exercise key -> number of wrong tries so far


def reset_tries() -> None:
    """Forget every exercise's count of wrong tries (hints start again from the first)."""
    _tries.clear()


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check.

    Attributes
    ----------
    status : str
        ``"correct"``, ``"wrong"`` or ``"not attempted"``.
    message : str
        What was found, in one or two sentences.
    hint : str or None
        A nudge towards the answer (shown only when the answer is wrong).
    """

    status: str
    message: str
    hint: str | None = None

    def __post_init__(self):
        if self.status not in _STYLE:
            raise ValueError(f"status must be one of {sorted(_STYLE)}, got {self.status!r}")

    def __bool__(self) -> bool:
        return self.status == CORRECT

    @property
    def correct(self) -> bool:
        """True when the answer was right."""
        return self.status == CORRECT

    def __str__(self) -> str:
        label = _STYLE[self.status][2]
        text = f"{label}: {self.message}"
        if self.hint and self.status == WRONG:
            text += f"\nHint: {self.hint}"
        return text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        fg, bg, label = _STYLE[self.status]
        body = f"<b>{label}:</b> {html.escape(self.message)}"
        if self.hint and self.status == WRONG:
            body += f"<br><i>Hint:</i> {html.escape(self.hint)}"
        return (f'<div style="border-left:4px solid {fg};background:{bg};color:#222;'
                f'padding:6px 10px;margin:4px 0">{body}</div>')


# ---------------------------------------------------------------------------------------------
# Hints and tries

def _fingerprint(*parts) -> str:
    h = hashlib.sha1()
    for p in parts:
        if isinstance(p, np.ndarray):
            h.update(str((p.shape, p.dtype.str)).encode())
            if p.dtype != object:
                h.update(np.ascontiguousarray(p).tobytes())
            else:
                h.update(repr(p.tolist()).encode())
        else:
            h.update(repr(p).encode())
    return h.hexdigest()


def _verdict(status: str, message: str, hint, key) -> Verdict:
    """A verdict; a wrong one counts a try for ``key`` and carries the hint for that try."""
    if status != WRONG or hint is None:
        return Verdict(status, message, None)
    n = _tries[key] = _tries.get(key, 0) + 1
    if isinstance(hint, (list, tuple)):
        hints = [str(h) for h in hint]
        chosen = hints[min(n, len(hints)) - 1] if hints else None
    else:
        chosen = str(hint)
    return Verdict(WRONG, message, chosen)


# ---------------------------------------------------------------------------------------------
# Reading an answer

def _is_placeholder(answer) -> bool:
    return answer is None or answer is Ellipsis


def _not_attempted(name: str) -> Verdict:
    return Verdict(NOT_ATTEMPTED, f"`{name}` is still a placeholder; replace it with your answer "
                                  "and run the cell again.")


def _type_name(x) -> str:
    try:
        return type(x).__name__
    except _CAUGHT:  # pragma: no cover - type() of anything has a name
        return "object"


def _show(x, limit: int = 60) -> str:
    """A short text for a value in a message: never raises, never long."""
    try:
        if isinstance(x, (str, bytes)):
            r = repr(x[:limit + 1])
        elif isinstance(x, (list, tuple)) and len(x) <= 10:
            inner = ", ".join(_show(e, limit) for e in x)
            r = f"[{inner}]" if isinstance(x, list) else f"({inner}{',' if len(x) == 1 else ''})"
        elif isinstance(x, (bool, int, float, complex, np.bool_, np.number)):
            r = repr(x.item() if isinstance(x, np.generic) else x)
        else:
            return f"a {_type_name(x)}"
    except _CAUGHT:
        return f"a {_type_name(x)}"
    return r if len(r) <= limit else r[:limit - 3] + "..."


def _describe(x) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"a {_type_name(x)}"


class _Unreadable(Exception):
    """The answer is not a number or an array of numbers; the message says why."""


def _is_sympy(x) -> bool:
    return (getattr(type(x), "__module__", None) or "").startswith("sympy")


def _sympy_entry(x):
    import sympy
    if isinstance(x, sympy.logic.boolalg.BooleanAtom):
        return bool(x)
    if not isinstance(x, sympy.Basic):
        raise _Unreadable(f"a {_type_name(x)}")
    free = getattr(x, "free_symbols", set())
    if free:
        names = ", ".join(sorted(str(s) for s in free))
        raise _Unreadable(f"a SymPy expression that still contains {names}: substitute numbers "
                          "(.subs) or solve for it first")
    if x.is_Integer:
        return int(x)
    try:
        value = complex(x.evalf(30))
    except _CAUGHT:
        raise _Unreadable(f"a SymPy {_type_name(x)} that does not evaluate to a number") from None
    return value.real if value.imag == 0 else value


def _entry(x):
    """One number, as a Python bool, int (exact), float or complex."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (np.datetime64, np.timedelta64)):
        raise _Unreadable(f"a {_type_name(x)} (a date or a duration)")
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x)
    if isinstance(x, (complex, np.complexfloating)):
        return complex(x)
    if isinstance(x, fractions.Fraction):
        return int(x) if x.denominator == 1 else float(x)
    if isinstance(x, decimal.Decimal):
        if x.is_finite() and x == x.to_integral_value():
            return int(x)
        return float(x)
    if _is_sympy(x):
        return _sympy_entry(x)
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Number) or hasattr(x, "__float__") or hasattr(x, "__index__"):
        try:
            return float(x)
        except _CAUGHT:
            try:
                return complex(x)
            except _CAUGHT:
                raise _Unreadable(f"a {_type_name(x)} that cannot be read as a number") from None
    raise _Unreadable(f"a {_type_name(x)}")


def _tree(x, depth: int, count: list):
    """The answer as nested lists of Python numbers; raises _Unreadable with the reason."""
    if depth > _MAX_DEPTH:
        raise _Unreadable(f"a list nested more than {_MAX_DEPTH} levels deep")
    if isinstance(x, (str, bytes)):
        raise _Unreadable(f"a string ({_show(x)})")
    if callable(x) and not _is_sympy(x) and not isinstance(x, np.ndarray):
        raise _Unreadable("a function; call it and store the result instead")
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "biufc":
            count[0] += x.size
            if count[0] > _MAX_ENTRIES:
                raise _Unreadable(f"an array of {x.size} entries, far more than the answer has")
            return x.tolist()
        if x.dtype.kind in "mM":
            raise _Unreadable(f"an array of dates or durations (dtype {x.dtype})")
        if x.dtype.kind != "O":
            raise _Unreadable(f"{_describe(x)} whose entries are not numbers")
        if x.ndim == 0:
            return _tree(x.item(), depth + 1, count)
        return [_tree(e, depth + 1, count) for e in x]
    if isinstance(x, np.generic):
        count[0] += 1
        return _entry(x)
    if isinstance(x, dict):
        if x and all(_is_sympy(k) for k in x):   # what sp.solve returns for several unknowns
            values = list(x.values())
            return _tree(values[0] if len(values) == 1 else values, depth + 1, count)
        raise _Unreadable("a dict")
    if isinstance(x, (set, frozenset)):
        raise _Unreadable("a set, which has no order; use a list or an array")
    if _is_sympy(x):
        if hasattr(x, "tolist") and hasattr(x, "shape"):    # a SymPy matrix
            return _tree(x.tolist(), depth + 1, count)
        if getattr(x, "is_Tuple", False):
            return [_tree(e, depth + 1, count) for e in x]
        count[0] += 1
        return _entry(x)
    if isinstance(x, (list, tuple, range)):
        if len(x) > _MAX_ENTRIES:
            raise _Unreadable(f"a {_type_name(x)} of {len(x)} entries, far more than the "
                              "answer has")
        return [_tree(e, depth + 1, count) for e in x]
    if hasattr(x, "__next__") or _type_name(x) in ("generator", "map", "filter", "zip"):
        raise _Unreadable("a generator (or iterator), read only once; make a list with list(...)")
    if hasattr(x, "__array__"):                         # pandas, xarray, torch (on the CPU) ...
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = np.asarray(x)
        return _tree(arr, depth + 1, count)
    count[0] += 1
    return _entry(x)


def _as_array(answer, name: str):
    """``(array, None)`` or ``(None, message)``; never raises (but KeyboardInterrupt).

    The array's dtype is bool, integer, float or complex, or object holding Python ints too large
    for int64 (compared exactly).
    """
    try:
        if isinstance(answer, (np.ndarray, np.generic)) and answer.dtype.kind in "biufc":
            return np.asarray(answer), None
        if type(answer) in (bool, float, complex) or \
                (type(answer) is int and abs(answer) < 2 ** 62):
            return np.asarray(answer), None
        nested = _tree(answer, 0, [0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                arr = np.array(nested)
            except (ValueError, TypeError):
                return None, (f"`{name}` is a ragged list (its rows have different lengths, or "
                              "numbers and lists are mixed); it cannot be read as an array.")
            except OverflowError:
                return None, f"`{name}` has an entry too large to be a floating-point number."
        if arr.dtype == object:
            flat = arr.ravel().tolist()
            if any(isinstance(e, (list, tuple)) for e in flat):
                return None, (f"`{name}` is a ragged list (its rows have different lengths); it "
                              "cannot be read as an array.")
            if not all(isinstance(e, int) for e in flat):      # big ints mixed with floats
                try:
                    arr = np.array([complex(e) if isinstance(e, complex) else float(e)
                                    for e in flat]).reshape(arr.shape)
                except OverflowError:
                    return None, f"`{name}` has an entry too large to be a floating-point number."
        return arr, None
    except _Unreadable as why:
        return None, f"`{name}` is {why}; the answer is a number or an array of numbers."
    except RecursionError:
        return None, f"`{name}` is nested too deeply to be read as an array."
    except _CAUGHT as exc:
        return None, (f"`{name}` could not be read as a number or an array "
                      f"({_type_name(exc)} while reading it).")


def _expected_array(expected) -> np.ndarray:
    """The exercise's expected value as an array; raises TypeError if it is not numeric."""
    if isinstance(expected, (str, bytes)) or _is_placeholder(expected):
        raise TypeError(f"expected must be numeric, got {_describe(expected)} "
                        "(a bug in the exercise)")
    exp, problem = _as_array(expected, "expected")
    if problem is not None:
        raise TypeError(f"expected must be numeric: {problem} (a bug in the exercise)")
    return exp


# ---------------------------------------------------------------------------------------------
# Comparing

def _is_int_array(a: np.ndarray) -> bool:
    return a.dtype.kind in "iu" or (a.dtype == object and a.size > 0)


def _as_float(a: np.ndarray) -> np.ndarray:
    if a.dtype == object:
        return np.array([float(e) for e in a.ravel().tolist()]).reshape(a.shape)
    if a.dtype.kind in "biu":
        return a.astype(float)
    return a


def _fmt(x) -> str:
    """A number with all its digits (the shortest text that reads back as the same float)."""
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, int) and not isinstance(x, bool):
        s = str(x)
        return s if len(s) <= 30 else f"an integer of {len(s)} digits"
    if isinstance(x, complex):
        return repr(x)
    return repr(float(x))


def _same_entries(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    try:
        with np.errstate(all="ignore"):
            return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol,
                                                           equal_nan=True))
    except _CAUGHT:
        return False


_MISTAKES = [
    (-1.0, "has the opposite sign: a sign error (a minus sign lost or added)?"),
    (2.0, "is twice what it should be: a factor of 2 too many (or a 1/2 missing)?"),
    (0.5, "is half of what it should be: a factor of 2 missing (or a 1/2 too many)?"),
    (1 / math.log(2), "looks like a logarithm in base 2 where the natural log is meant "
                      "(they differ by the factor ln 2)."),
    (math.log(2), "looks like a natural logarithm where log base 2 is meant "
                  "(they differ by the factor ln 2)."),
    (180 / math.pi, "looks like an angle in degrees; the answer is in radians."),
    (math.pi / 180, "looks like an angle in radians; the answer is in degrees."),
    (100.0, "looks 100 times too large: a percentage where a fraction is meant?"),
    (0.01, "looks 100 times too small: a fraction where a percentage is meant?"),
]


def _likely_mistake(arr: np.ndarray, exp: np.ndarray, name: str, rtol: float, atol: float):
    """Name a common mistake that explains ``arr``, or return None."""
    if np.iscomplexobj(exp) or not exp.size or not np.all(np.isfinite(exp)):
        return None
    loose = max(rtol, 1e-3)
    if np.allclose(exp, 0, atol=atol):
        return None
    if exp.ndim == 2 and exp.shape[0] == exp.shape[1] and exp.shape[0] > 1 \
            and _same_entries(arr, exp.T, loose, atol):
        return f"`{name}` is transposed: rows and columns are swapped."
    for factor, words in _MISTAKES:
        if _same_entries(arr, factor * exp, loose, atol):
            return f"`{name}` {words}"
    return None


def _harmonize(arr: np.ndarray, exp: np.ndarray, name: str, strict_shape, what: str):
    """Bring ``arr`` to ``exp``'s shape where that is allowed; else (None, message)."""
    if arr.shape == exp.shape:
        return arr, None
    n = exp.size
    if exp.ndim == 0 and arr.size == 1 and strict_shape is not True:
        return arr.reshape(()), None
    if strict_shape is False and arr.size == n:
        return arr.reshape(exp.shape), None
    if strict_shape is None and exp.ndim == 1 and arr.shape in ((n, 1), (1, n)):
        return arr.reshape(exp.shape), None
    # a specific message for each kind of shape mistake
    shapes = f"`{name}` has shape {arr.shape} but {what} has shape {exp.shape}"
    if exp.ndim == 0:
        if arr.size == 1:
            return None, (f"`{name}` is an array of shape {arr.shape} holding one number; {what} "
                          "is a plain number: use .item().")
        if arr.size > 1:
            return None, (f"`{name}` has {arr.size} entries (shape {arr.shape}); {what} is one "
                          "number.")
        return None, f"`{name}` is empty; {what} is one number."
    if arr.size == n and n > 1:
        try:
            if exp.ndim == 2 and arr.shape == exp.shape[::-1] and \
                    _same_entries(_as_float(arr).T, _as_float(exp), 1e-3, 1e-9):
                return None, f"{shapes}: it is transposed (rows and columns swapped)."
            same_numbers = _same_entries(_as_float(arr).ravel(), _as_float(exp).ravel(), 1e-3, 1e-9)
        except _CAUGHT:
            same_numbers = False
        kinds = {1: "a flat vector", 2: "a matrix"}
        if exp.ndim == 1 and arr.ndim == 2 and 1 in arr.shape:
            fix = f"a {'column' if arr.shape[1] == 1 else 'row'}; use .ravel() or .reshape(-1)"
        elif exp.ndim == 2 and 1 in exp.shape and arr.ndim <= 2:
            fix = (f"{kinds.get(arr.ndim, 'an array')}; {what} is a "
                   f"{'column' if exp.shape[1] == 1 else 'row'}: use .reshape{exp.shape}")
        else:
            fix = "the same number of entries: a transpose or a reshape is missing?"
        lead = "the right numbers in the wrong shape" if same_numbers else "a different shape"
        return None, f"{shapes} ({lead}: {fix})."
    return None, f"{shapes}."


def _compare(arr: np.ndarray, exp: np.ndarray, name: str, rtol, atol, strict_shape=True,
             what: str = "the expected value"):
    """Compare two arrays from :func:`_as_array`; None when they agree, else a message."""
    arr, problem = _harmonize(arr, exp, name, strict_shape, what)
    if problem is not None:
        return problem
    given = rtol is not None or atol is not None
    rtol = DEFAULT_RTOL if rtol is None else float(rtol)
    if exp.dtype.kind == "b":                         # an expected True / False
        if np.array_equal(arr, exp):
            return None
        return f"`{name}` is not the right truth value."
    if _is_int_array(arr) and _is_int_array(exp) and arr.dtype.kind != "b":
        a, e = arr.ravel().tolist(), exp.ravel().tolist()
        if given:
            rt, at = fractions.Fraction(rtol), fractions.Fraction(0.0 if atol is None else atol)
            bad = [i for i, (x, y) in enumerate(zip(a, e)) if abs(x - y) > at + rt * abs(y)]
        else:
            bad = [i for i, (x, y) in enumerate(zip(a, e)) if x != y]
        if not bad:
            return None
        try:
            mistake = _likely_mistake(_as_float(arr), _as_float(exp), name, rtol, 0.0)
        except OverflowError:
            mistake = None
        if mistake:
            return mistake
        if arr.ndim == 0:
            return f"`{name}` = {_fmt(a[0])} is not the expected value."
        index = tuple(int(i) for i in np.unravel_index(bad[0], exp.shape))
        return (f"`{name}` differs from {what} in {len(bad)} of {exp.size} entries (the first at "
                f"index {index}, where `{name}` has {_fmt(a[bad[0]])}).")
    try:
        arr, exp = _as_float(arr), _as_float(exp)
    except OverflowError:
        return f"`{name}` has an entry far too large."
    atol_given = atol is not None
    if atol is None:
        scale = float(np.max(np.abs(exp))) if exp.size > 1 and np.all(np.isfinite(exp)) else 0.0
        atol = max(DEFAULT_ATOL, DEFAULT_RTOL * scale)
    atol = float(atol)
    if np.iscomplexobj(arr) and not np.iscomplexobj(exp):
        if np.any(np.imag(arr) != 0):
            return f"`{name}` has complex entries but {what} is real."
        arr = np.real(arr)
    if arr.size and np.any(np.isnan(arr)) and not np.any(np.isnan(exp)):
        return f"`{name}` contains NaN (not a number): an invalid operation such as 0/0 or log(-1)?"
    if arr.size and np.any(np.isinf(arr)) and not np.any(np.isinf(exp)):
        return f"`{name}` contains infinity: an overflow or a division by zero?"
    with np.errstate(all="ignore"):
        close = np.isclose(arr, exp, rtol=rtol, atol=atol, equal_nan=True)
    if np.all(close):
        return None
    mistake = _likely_mistake(arr, exp, name, rtol, atol)
    if mistake:
        return mistake
    with np.errstate(all="ignore"):
        near = bool(np.allclose(arr, exp, rtol=max(0.01, 10 * rtol), atol=max(10 * atol, 1e-12)))
    if not given:
        precision = "about 6 significant digits"
    else:   # the tolerances as the exercise passed them (never one scaled by the answer)
        parts = [f"relative error at most {rtol:g}" if rtol else "",
                 f"absolute error at most {atol:g}" if atol and atol_given else ""]
        precision = " or ".join(p for p in parts if p) or "exactly"
    if arr.ndim == 0:
        value = f"`{name}` = {_fmt(arr.item())}"
        if near:
            return (f"{value} is close, but not within the precision this exercise asks "
                    f"({precision}): if you rounded, keep more digits.")
        return f"{value} is too far from the expected value."
    bad = ~close
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    text = (f"`{name}` differs from {what} in {int(bad.sum())} of {arr.size} entries (the first at "
            f"index {where}, where `{name}` has {_fmt(arr[where])})")
    if near:
        text += (f"; they are close, but not within the precision this exercise asks "
                 f"({precision}): if you rounded, keep more digits")
    return text + "."


def _read_and_compare(answer, exp, name, rtol, atol, strict_shape, what):
    """Read ``answer`` and compare it with ``exp``: None if it agrees, else the message."""
    try:
        if isinstance(answer, (bool, np.bool_)) and exp.dtype.kind != "b":
            return f"`{name}` is a boolean ({answer}); {what} is a number or an array."
        arr, problem = _as_array(answer, name)
        if problem is None:
            problem = _compare(arr, exp, name, rtol, atol, strict_shape, what)
        return problem
    except _CAUGHT as exc:     # a last resort: an answer that defeats every reading above
        return f"`{name}` could not be compared with {what} ({_type_name(exc)})."


# ---------------------------------------------------------------------------------------------
# The checkers

def check_value(answer: Any, expected: Any, *, name: str = "answer", rtol: float | None = None,
                atol: float | None = None, hint: str | Sequence[str] | None = None,
                strict_shape: bool | None = None) -> Verdict:
    """Check a number or an array against the expected value.

    Parameters
    ----------
    answer : number or array_like or None
        The reader's answer (see the module docstring for every form accepted); ``None`` or
        ``...`` mean "not attempted yet".
    expected : number or array_like
        The right value, any shape.
    name : str
        The variable's name, used in the message.
    rtol, atol : float, optional
        Tolerances as in :func:`numpy.allclose`; by default about 6 significant digits, and
        integers exactly.
    hint : str or list of str, optional
        Shown after a wrong answer; with a list, hint n after the n-th wrong try.
    strict_shape : bool, optional
        None (default): the answer must have the expected shape, except that a 1-D vector may
        also be given as a column or a row and a number as a one-element list. True: exactly
        the expected shape. False: any shape with the same entries in the same order.

    Returns
    -------
    Verdict
    """
    exp = _expected_array(expected)
    key = ("value", name, _fingerprint(exp))
    if _is_placeholder(answer):
        return _not_attempted(name)
    problem = _read_and_compare(answer, exp, name, rtol, atol, strict_shape,
                                "the expected value")
    if problem is not None:
        return _verdict(WRONG, problem, hint, key)
    return Verdict(CORRECT, f"`{name}` has the expected value.")


def _copy_arg(a):
    if isinstance(a, np.ndarray):
        return np.copy(a)
    if isinstance(a, (list, dict, set)):
        try:
            return copy.deepcopy(a)
        except _CAUGHT:
            return a
    return a


def _exc_text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except _CAUGHT:
        text = ""
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{_type_name(exc)}: {text}" if text else _type_name(exc)


def check_function(func: Any, reference: Callable, inputs: Iterable[Sequence], *,
                   name: str = "your function", rtol: float | None = None,
                   atol: float | None = None, hint: str | Sequence[str] | None = None,
                   strict_shape: bool | None = True) -> Verdict:
    """Check a reader's function against a reference on several inputs.

    Parameters
    ----------
    func : callable or None
        The reader's function; ``None`` or ``...`` mean "not attempted yet".
    reference : callable
        The right function; its outputs are numbers or arrays.
    inputs : iterable of tuples
        Positional arguments for each test call, e.g. ``[(x1,), (x2,)]``.
    name, rtol, atol, hint
        As in :func:`check_value`.
    strict_shape : bool or None
        As in :func:`check_value`, but strict by default: a function that returns a column where
        a flat vector is expected would broadcast wrongly later.

    Returns
    -------
    Verdict
        Not attempted when ``func`` is a placeholder or returns None on the first test input (the
        placeholder body ``return None``, or a missing ``return``): no hint, no try counted.
        Wrong on the first input where the outputs differ, where ``func`` raises (anything but
        KeyboardInterrupt, ``SystemExit`` included), or where it returns something that is not a
        number or array (the message names the input).
    """
    cases = [tuple(args) for args in inputs]
    code = getattr(reference, "__code__", None)
    key = ("function", name, len(cases), _fingerprint(getattr(code, "co_code", b""),
                                                       getattr(code, "co_consts", ())))
    if _is_placeholder(func):
        return _not_attempted(name)
    if not callable(func):
        return _verdict(WRONG, f"`{name}` should be a function, but it is {_describe(func)}.",
                        hint, key)
    for i, args in enumerate(cases, start=1):
        expected = _expected_array(reference(*args))
        copies = tuple(_copy_arg(a) for a in args)
        where = f"on test input {i} of {len(cases)}"
        try:
            got = func(*copies)
        except _CAUGHT as exc:  # the reader's code may raise anything, even SystemExit
            return _verdict(WRONG, f"{where}, `{name}` raised {_exc_text(exc)}", hint, key)
        if got is None and i == 1:
            # the placeholder body (`return None`) or a body without `return`: not a wrong try
            return Verdict(NOT_ATTEMPTED, f"`{name}` still returns None (the placeholder, or a "
                                          "missing `return`); write its body and run the cell "
                                          "again.")
        if got is None:
            problem = f"`{name}` returned None (a missing `return`?)."
        else:
            problem = _read_and_compare(got, expected, f"{name}(...)", rtol, atol, strict_shape,
                                        "the reference's result")
        if problem is not None:
            return _verdict(WRONG, f"{where}: {problem}", hint, key)
    return Verdict(CORRECT, f"`{name}` agrees with the reference on all {len(cases)} test inputs.")


def check_choice(answer: Any, correct: Any, options: Sequence | None = None, *,
                 name: str = "answer", hint: str | Sequence[str] | None = None) -> Verdict:
    """Check a multiple-choice answer.

    Strings are compared ignoring case and surrounding spaces; other values with ``==``.
    If ``options`` is given, an answer that is not among them is reported as such.
    """
    key = ("choice", name, _show(correct, 200))
    if _is_placeholder(answer):
        return _not_attempted(name)

    def same(a, b) -> bool:
        try:
            a, b = (v.strip().lower() if isinstance(v, str) else v for v in (a, b))
            return bool(a == b)
        except _CAUGHT:  # e.g. an array of several numbers compared with a string
            return False

    shown = _show(answer)
    if options is not None and not any(same(answer, o) for o in options):
        listed = ", ".join(_show(o) for o in options)
        return _verdict(WRONG, f"`{name}` = {shown} is not one of the options ({listed}).",
                        hint, key)
    if not same(answer, correct):
        return _verdict(WRONG, f"`{name}` = {shown} is not the right choice.", hint, key)
    return Verdict(CORRECT, f"`{name}` = {_show(correct)} is right.")


def check_property(answer: Any, predicate: Callable[[np.ndarray], Any], description: str, *,
                   name: str = "answer", hint: str | Sequence[str] | None = None,
                   shape: tuple[int, ...] | None = None) -> Verdict:
    """Check an answer that has many right values, by a property it must have.

    Parameters
    ----------
    answer : array_like or None
        The reader's answer (any form :func:`check_value` reads), converted to a float array
        before ``predicate`` sees it.
    predicate : callable
        Takes the array and returns ``True`` / ``False``, or ``(ok, message)`` to explain a failure.
        Whatever it raises (or an array it returns in place of a truth value) is reported as
        "Not yet".
    description : str
        The property in words ("a unit vector orthogonal to v"), used in the messages.
    shape : tuple of int, optional
        The shape the answer must have; checked before the predicate runs. A 1-D shape also
        accepts the same vector as a column or a row.
    """
    key = ("property", name, description)
    if _is_placeholder(answer):
        return _not_attempted(name)
    arr, problem = _as_array(answer, name)
    if problem is None and shape is not None and arr.shape != tuple(shape):
        n = math.prod(shape)
        if len(shape) == 1 and arr.shape in ((n, 1), (1, n)):
            arr = arr.reshape(tuple(shape))
        else:
            problem = f"`{name}` has shape {arr.shape} but should have shape {tuple(shape)}."
    if problem is None and np.iscomplexobj(arr):
        problem = f"`{name}` has complex entries; a real answer is expected."
    if problem is None:
        try:
            arr = np.array(_as_float(arr), dtype=float)   # a copy the predicate may change
        except _CAUGHT:
            problem = f"`{name}` has an entry too large to be a floating-point number."
    if problem is None and arr.size and not np.all(np.isfinite(arr)):
        problem = f"`{name}` contains NaN or infinity."
    if problem is not None:
        return _verdict(WRONG, problem, hint, key)
    try:
        result = predicate(arr)
        ok, why = (result if isinstance(result, tuple) and len(result) == 2 else (result, None))
        ok = bool(ok)
        why = None if why is None else str(why)
    except _CAUGHT as exc:
        return _verdict(WRONG, f"`{name}` could not be tested as {description} "
                               f"({_exc_text(exc)}).", hint, key)
    if not ok:
        return _verdict(WRONG, why or f"`{name}` is not {description}.", hint, key)
    return Verdict(CORRECT, f"`{name}` is {description}.")
