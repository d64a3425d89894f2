"""Exercise checkers: every answer gets a verdict, never a traceback.

A checker returns a :class:`Verdict` whose ``status`` is one of

* ``"correct"``       -- the answer is right;
* ``"wrong"``         -- the answer is wrong; ``message`` says how and ``hint`` says what to try;
* ``"not attempted"`` -- the answer is still the placeholder (``None`` or ``...``).

Checkers never raise because of the *answer* (``None``, NaN, a string, a list, a wrong shape, a
function that itself raises): they describe what is wrong. They do raise ``TypeError`` /
``ValueError`` when the *exercise* is mis-written (an expected value that is not numeric), because
that is a bug in the book, not in the reader's answer.

The convention in the notebooks::

    answer = None          # replace None with your answer
    exercises.check_value(answer, expected, name="answer", hint="...")
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = ["Verdict", "check_value", "check_function", "check_choice", "check_property"]

CORRECT, WRONG, NOT_ATTEMPTED = "correct", "wrong", "not attempted"
_STYLE = {
    CORRECT: ("#1b7837", "#e7f4e4", "Correct"),
    WRONG: ("#b2182b", "#fbe9e7", "Not yet"),
    NOT_ATTEMPTED: ("#555555", "#f0f0f0", "Not attempted yet"),
}


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
        A nudge towards the answer (shown only when the answer is wrong or missing).
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
        if self.hint and self.status != CORRECT:
            text += f"\nHint: {self.hint}"
        return text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        fg, bg, label = _STYLE[self.status]
        body = f"<b>{label}:</b> {html.escape(self.message)}"
        if self.hint and self.status != CORRECT:
            body += f"<br><i>Hint:</i> {html.escape(self.hint)}"
        return (f'<div style="border-left:4px solid {fg};background:{bg};color:#222;'
                f'padding:6px 10px;margin:4px 0">{body}</div>')


def _is_placeholder(answer) -> bool:
    return answer is None or answer is Ellipsis


def _not_attempted(name: str, hint: str | None) -> Verdict:
    return Verdict(NOT_ATTEMPTED, f"`{name}` is still a placeholder; replace it with your answer "
                                  "and run the cell again.", hint)


def _describe(x) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"a {type(x).__name__}"


def _to_numeric(answer, name: str):
    """Return (array, None) or (None, message) -- never raises."""
    if isinstance(answer, (str, bytes)):
        return None, f"`{name}` is a string ({answer!r}); the answer is a number or an array."
    if isinstance(answer, bool) or isinstance(answer, np.bool_):
        return None, f"`{name}` is a boolean ({answer}); the answer is a number or an array."
    if callable(answer):
        return None, f"`{name}` is a function; call it and store the result instead."
    try:
        arr = np.asarray(answer)
    except Exception as exc:  # ragged lists and other oddities
        return None, f"`{name}` could not be read as an array ({type(exc).__name__}: {exc})."
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        return None, f"`{name}` is {_describe(answer)} whose entries are not numbers."
    return arr, None


def _compare(arr: np.ndarray, exp: np.ndarray, name: str, rtol: float, atol: float):
    """Compare two numeric arrays; return None when they agree, else a message."""
    if arr.shape != exp.shape:
        if arr.size == exp.size and arr.size > 1:
            return (f"`{name}` has shape {arr.shape} but the answer has shape {exp.shape} "
                    "(same number of entries: a transpose or reshape is missing?).")
        return f"`{name}` has shape {arr.shape} but the answer has shape {exp.shape}."
    if np.iscomplexobj(arr) and not np.iscomplexobj(exp):
        if np.any(np.imag(arr) != 0):
            return f"`{name}` has complex entries but the answer is real."
        arr = np.real(arr)
    if arr.size and np.any(np.isnan(arr)) and not np.any(np.isnan(exp)):
        return f"`{name}` contains NaN (not a number): an invalid operation such as 0/0 or log(-1)?"
    if arr.size and np.any(np.isinf(arr)) and not np.any(np.isinf(exp)):
        return f"`{name}` contains infinity: an overflow or a division by zero?"
    if not np.allclose(arr, exp, rtol=rtol, atol=atol, equal_nan=True):
        if arr.ndim == 0:
            return f"`{name}` = {float(np.real(arr)):.6g} is not the expected value."
        bad = ~np.isclose(arr, exp, rtol=rtol, atol=atol, equal_nan=True)
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        return (f"`{name}` differs from the answer in {int(bad.sum())} of {arr.size} entries "
                f"(the first at index {where}).")
    return None


def check_value(answer: Any, expected: Any, *, name: str = "answer", rtol: float = 1e-6,
                atol: float = 1e-9, hint: str | None = None) -> Verdict:
    """Check a number or an array against the expected value.

    Parameters
    ----------
    answer : scalar or array_like or None
        The reader's answer; ``None`` or ``...`` mean "not attempted yet".
    expected : scalar or array_like
        The right value, any shape; the answer must have the same shape.
    name : str
        The variable's name, used in the message.
    rtol, atol : float
        Tolerances as in :func:`numpy.allclose`.
    hint : str, optional
        Shown when the answer is wrong or missing.

    Returns
    -------
    Verdict
    """
    exp = np.asarray(expected)
    if exp.dtype == object or not (np.issubdtype(exp.dtype, np.number) or exp.dtype == bool):
        raise TypeError(f"expected must be numeric, got {_describe(expected)} (a bug in the exercise)")
    if _is_placeholder(answer):
        return _not_attempted(name, hint)
    arr, problem = _to_numeric(answer, name)
    if problem is None:
        problem = _compare(arr, exp, name, rtol, atol)
    if problem is not None:
        return Verdict(WRONG, problem, hint)
    return Verdict(CORRECT, f"`{name}` has the expected value.")


def check_function(func: Any, reference: Callable, inputs: Iterable[Sequence], *,
                   name: str = "your function", rtol: float = 1e-6, atol: float = 1e-9,
                   hint: str | None = None) -> Verdict:
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

    Returns
    -------
    Verdict
        Wrong on the first input where the outputs differ, where ``func`` raises, or where it
        returns something that is not a number or array (the message names the input).
    """
    if _is_placeholder(func):
        return _not_attempted(name, hint)
    if not callable(func):
        return Verdict(WRONG, f"`{name}` should be a function, but it is {_describe(func)}.", hint)
    cases = [tuple(args) for args in inputs]
    for i, args in enumerate(cases, start=1):
        expected = np.asarray(reference(*args))
        copies = tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args)
        try:
            got = func(*copies)
        except Exception as exc:  # the reader's code may raise anything
            return Verdict(WRONG, f"on test input {i} of {len(cases)}, `{name}` raised "
                                  f"{type(exc).__name__}: {exc}", hint)
        if got is None:
            return Verdict(WRONG, f"on test input {i} of {len(cases)}, `{name}` returned None "
                                  "(a missing `return`?).", hint)
        arr, problem = _to_numeric(got, f"{name}(...)")
        if problem is None:
            problem = _compare(arr, expected, f"{name}(...)", rtol, atol)
        if problem is not None:
            return Verdict(WRONG, f"on test input {i} of {len(cases)}: {problem}", hint)
    return Verdict(CORRECT, f"`{name}` agrees with the reference on all {len(cases)} test inputs.")


def check_choice(answer: Any, correct: Any, options: Sequence | None = None, *,
                 name: str = "answer", hint: str | None = None) -> Verdict:
    """Check a multiple-choice answer.

    Strings are compared ignoring case and surrounding spaces; other values with ``==``.
    If ``options`` is given, an answer that is not among them is reported as such.
    """
    if _is_placeholder(answer):
        return _not_attempted(name, hint)

    def same(a, b) -> bool:
        a, b = (v.strip().lower() if isinstance(v, str) else v for v in (a, b))
        try:
            return bool(a == b)
        except Exception:  # e.g. an array of several numbers compared with a string
            return False

    if options is not None and not any(same(answer, o) for o in options):
        listed = ", ".join(repr(o) for o in options)
        return Verdict(WRONG, f"`{name}` = {answer!r} is not one of the options ({listed}).", hint)
    if not same(answer, correct):
        return Verdict(WRONG, f"`{name}` = {answer!r} is not the right choice.", hint)
    return Verdict(CORRECT, f"`{name}` = {answer!r} is right.")


def check_property(answer: Any, predicate: Callable[[np.ndarray], Any], description: str, *,
                   name: str = "answer", hint: str | None = None,
                   shape: tuple[int, ...] | None = None) -> Verdict:
    """Check an answer that has many right values, by a property it must have.

    Parameters
    ----------
    answer : array_like or None
        The reader's answer, converted to a float array before ``predicate`` sees it.
    predicate : callable
        Takes the array and returns ``True`` / ``False``, or ``(ok, message)`` to explain a failure.
    description : str
        The property in words ("a unit vector orthogonal to v"), used in the messages.
    shape : tuple of int, optional
        The shape the answer must have; checked before the predicate runs.
    """
    if _is_placeholder(answer):
        return _not_attempted(name, hint)
    arr, problem = _to_numeric(answer, name)
    if problem is None and shape is not None and arr.shape != tuple(shape):
        problem = f"`{name}` has shape {arr.shape} but should have shape {tuple(shape)}."
    if problem is None and np.iscomplexobj(arr):
        problem = f"`{name}` has complex entries; a real answer is expected."
    if problem is None and arr.size and not np.all(np.isfinite(arr)):
        problem = f"`{name}` contains NaN or infinity."
    if problem is not None:
        return Verdict(WRONG, problem, hint)
    try:
        result = predicate(arr.astype(float))
    except Exception as exc:
        return Verdict(WRONG, f"`{name}` could not be tested as {description} "
                              f"({type(exc).__name__}: {exc}).", hint)
    ok, why = (result if isinstance(result, tuple) else (result, None))
    if not bool(ok):
        return Verdict(WRONG, why or f"`{name}` is not {description}.", hint)
    return Verdict(CORRECT, f"`{name}` is {description}.")

