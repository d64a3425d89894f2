"""The checkers give a verdict for every answer and never raise on a bad one."""

import math

import numpy as np
import pytest

from helpers import exercises
from helpers.exercises import Verdict

BAD_ANSWERS = [
    "a string", b"bytes", True, [1, [2, 3]], {"a": 1}, {1, 2}, object(), float("nan"),
    float("inf"), np.array([np.nan, 1.0]), np.zeros((3, 3)), np.array(["a", "b"]), 1 + 2j,
    lambda x: x, [],
]


@pytest.mark.parametrize("answer", BAD_ANSWERS, ids=lambda a: type(a).__name__)
def test_check_value_says_wrong_without_raising(answer):
    v = exercises.check_value(answer, [1.0, 2.0], name="v", hint="try harder")
    assert v.status == "wrong"
    assert "`v`" in v.message
    assert v.hint == "try harder"
    assert "Hint: try harder" in str(v)
    assert not v


@pytest.mark.parametrize("answer", BAD_ANSWERS, ids=lambda a: type(a).__name__)
def test_every_checker_says_wrong_without_raising(answer):
    """The same bad answers given to the other checkers (a function that returns them, for
    check_function): each says 'Not yet' with the hint, never raises."""
    verdicts = {
        "check_choice with options": exercises.check_choice(answer, "b", ["a", "b", "c"], hint="h"),
        "check_choice": exercises.check_choice(answer, (1.0, 2.0), hint="h"),
        "check_property": exercises.check_property(answer, lambda a: a @ [1.0, 1.0] == 3.0,
                                                   "summing to 3", shape=(2,), hint="h"),
        "check_function": exercises.check_function(lambda x: answer, lambda x: x, [(1.0,)],
                                                   hint="h"),
    }
    for checker, verdict in verdicts.items():
        assert verdict.status == "wrong", f"{checker}: {verdict}"
        assert verdict.hint == "h" and verdict.message, checker


@pytest.mark.parametrize("placeholder", [None, ...])
def test_placeholders_are_not_attempted(placeholder):
    for verdict in (
        exercises.check_value(placeholder, 1.0),
        exercises.check_function(placeholder, abs, [(1,)]),
        exercises.check_choice(placeholder, "a", ["a", "b"]),
        exercises.check_property(placeholder, lambda a: True, "anything"),
    ):
        assert verdict.status == "not attempted"
        assert "placeholder" in verdict.message


def test_check_value_correct_within_tolerance_and_lists_accepted():
    assert exercises.check_value([1.0, 2.0 + 1e-9], np.array([1.0, 2.0])).correct
    assert exercises.check_value((64, 784), (64, 784)).correct
    assert exercises.check_value(np.float32(0.1), 0.1).correct
    assert not exercises.check_value(1.001, 1.0).correct
    assert exercises.check_value(1.001, 1.0, rtol=1e-2).correct


def test_check_value_messages_say_what_is_wrong():
    transposed = exercises.check_value(np.ones((2, 3)), np.ones((3, 2)), name="A")
    assert "shape (2, 3)" in transposed.message and "(3, 2)" in transposed.message
    assert "transpose" in transposed.message
    nan = exercises.check_value(float("nan"), 1.0)
    assert "NaN" in nan.message
    inf = exercises.check_value(np.array([1.0, np.inf]), [1.0, 2.0])
    assert "infinity" in inf.message
    entry = exercises.check_value([1.0, 5.0, 3.0], [1.0, 2.0, 3.0])
    assert "1 of 3 entries" in entry.message and "(1,)" in entry.message
    scalar = exercises.check_value(3.0, 2.0, name="x")
    assert "`x` = 3" in scalar.message


def test_check_value_complex_with_zero_imaginary_part_is_accepted():
    assert exercises.check_value(np.array([2.0 + 0j]), [2.0]).correct
    assert "complex" in exercises.check_value(np.array([2.0 + 1j]), [2.0]).message


def test_check_value_rejects_a_broken_exercise():
    with pytest.raises(TypeError, match="bug in the exercise"):
        exercises.check_value(1.0, "one")


def test_check_function_reports_each_kind_of_failure():
    ref = lambda x: x ** 2  # noqa: E731
    inputs = [(np.arange(3.0),), (np.array([-1.5, 2.0]),)]
    assert exercises.check_function(lambda x: x * x, ref, inputs).correct
    raised = exercises.check_function(lambda x: x / undefined_name, ref, inputs)  # noqa: F821
    assert raised.status == "wrong" and "NameError" in raised.message
    returned_none = exercises.check_function(lambda x: None, ref, inputs)
    assert "returned None" in returned_none.message
    wrong_second = exercises.check_function(lambda x: np.abs(x) * x, ref, inputs)
    assert "test input 2 of 2" in wrong_second.message
    not_callable = exercises.check_function(42, ref, inputs)
    assert "should be a function" in not_callable.message
    returns_string = exercises.check_function(lambda x: "x squared", ref, inputs)
    assert "string" in returns_string.message


def test_check_function_passes_copies_so_inputs_cannot_be_mutated():
    x = np.arange(3.0)

    def mutating(a):
        a *= 0
        return a

    exercises.check_function(mutating, lambda a: a, [(x,)])
    np.testing.assert_array_equal(x, np.arange(3.0))


def test_check_choice():
    assert exercises.check_choice(" B ", "b", ["a", "b"]).correct
    assert exercises.check_choice(2, 2).correct
    not_option = exercises.check_choice("c", "b", ["a", "b"])
    assert "not one of the options" in not_option.message
    assert exercises.check_choice("a", "b", ["a", "b"]).status == "wrong"
    assert exercises.check_choice(np.arange(3), "b").status == "wrong"


def test_check_property():
    v = np.array([1.0, 2.0])

    def orthogonal(u):
        return abs(u @ v) < 1e-9

    assert exercises.check_property([2.0, -1.0], orthogonal, "orthogonal to v", shape=(2,)).correct
    assert exercises.check_property([1.0, 1.0], orthogonal, "orthogonal to v").status == "wrong"
    shape = exercises.check_property([1.0, 2.0, 3.0], orthogonal, "orthogonal to v", shape=(2,))
    assert "shape (3,)" in shape.message and "(2,)" in shape.message
    explained = exercises.check_property([1.0], lambda a: (False, "too short"), "long")
    assert explained.message == "too short"
    crashing = exercises.check_property([1.0], lambda a: a[5], "indexable")
    assert crashing.status == "wrong" and "IndexError" in crashing.message
    nan = exercises.check_property([math.nan, 1.0], orthogonal, "orthogonal to v")
    assert "NaN" in nan.message


def test_verdict_rendering():
    v = Verdict("wrong", "bad <value>", "use & think")
    html = v._repr_html_()
    assert "&lt;value&gt;" in html and "use &amp; think" in html
    assert str(Verdict("correct", "fine", "hidden hint")) == "Correct: fine"
    with pytest.raises(ValueError, match="status must be one of"):
        Verdict("maybe", "?")
