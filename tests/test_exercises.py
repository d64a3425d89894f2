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
    none_on_the_second = exercises.check_function(lambda x: None if len(x) == 2 else x * x, ref,
                                                  inputs)
    assert none_on_the_second.status == "wrong" and "returned None" in none_on_the_second.message
    assert "test input 2 of 2" in none_on_the_second.message
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


# ---------------------------------------------------------------------------------------------
# Fair to a reader: every form of a right answer is accepted, every answer gets a verdict.

import decimal  # noqa: E402
import fractions  # noqa: E402

import sympy as sp  # noqa: E402

X_SYM = sp.symbols("x")


@pytest.fixture(autouse=True)
def fresh_tries():
    """Each test starts with no wrong tries counted (hints start from the first)."""
    exercises.reset_tries()
    yield
    exercises.reset_tries()


RIGHT_FORMS = [
    # (the reader's answer, the expected value)
    (sp.Rational(1, 3), 1 / 3),
    (sp.Float(0.25), 0.25),
    (sp.Integer(2500), 2500),
    (sp.sqrt(2) / 2, 2 ** -0.5),                                   # an expression that is a number
    (sp.log(10), np.log(10)),
    (sp.Matrix([[4, 2], [2, 12]]), [[4.0, 2.0], [2.0, 12.0]]),
    (sp.Matrix([sp.Rational(1, 3), sp.Rational(1, 3)]), (1 / 3, 1 / 3)),   # a column for a vector
    (sp.Matrix([[1, 2, 3]]), [1.0, 2.0, 3.0]),                     # a row for a vector
    (sp.solve(2 * X_SYM - 1, X_SYM), 0.5),                         # [1/2]
    (sp.solve([X_SYM - 2], [X_SYM]), 2.0),                         # {x: 2}
    (sp.solve([X_SYM + sp.Symbol("y") - 3, X_SYM - 1], [X_SYM, sp.Symbol("y")]), [1.0, 2.0]),
    (sp.solve(sp.Eq(0.9 * X_SYM, 0.09 * (1 - X_SYM)), X_SYM), 0.09 / 0.99),  # [Float]
    ([sp.Rational(1, 36) * k for k in (1, 2, 3)], np.array([1, 2, 3]) / 36),
    (fractions.Fraction(100, 199), 100 / 199),
    ([fractions.Fraction(1, 2), fractions.Fraction(-1, 3)], [0.5, -1 / 3]),
    (decimal.Decimal("0.2"), 0.2),
    (decimal.Decimal("2500"), 2500),
    (2 ** 70, 2 ** 70),
    (np.float16(0.5), 0.5),
    (np.float32(0.1), 0.1),
    (np.longdouble(1) / 3, 1 / 3),
    (np.int8(3), 3),
    (np.uint64(2 ** 63 + 5), 2 ** 63 + 5),
    (np.complex128(2.0), 2.0),
    (True, True),
    (np.True_, True),
    ([[1.0, 2.0], [3.0, 4.0]], np.array([[1.0, 2.0], [3.0, 4.0]])),
    (((1, 2), (3, 4)), [[1, 2], [3, 4]]),
    ((64, 784), (64, 784)),
    ([[1.0], [2.0]], [1.0, 2.0]),                                   # column for a flat vector
    (np.array([[1.0, 2.0]]), np.array([1.0, 2.0])),                 # row for a flat vector
    ([0.5], 0.5),                                                   # a one-element list
    (np.array([0.5 + 0j]), [0.5]),
]


@pytest.mark.parametrize("answer, expected", RIGHT_FORMS,
                         ids=[f"{type(a).__name__}-{i}" for i, (a, _) in enumerate(RIGHT_FORMS)])
def test_every_form_of_a_right_answer_is_accepted(answer, expected):
    verdict = exercises.check_value(answer, expected, name="v")
    assert verdict.correct, str(verdict)


def test_integers_compare_exactly_even_beyond_int64():
    big = 2 ** 70
    assert exercises.check_value(big, big).correct
    off_by_one = exercises.check_value(big + 1, big, name="n")
    assert off_by_one.status == "wrong" and str(big + 1) in off_by_one.message
    assert not exercises.check_value([big, 1], [big + 1, 1]).correct
    assert exercises.check_value(float(big), big).correct          # a float: within rtol
    # a tolerance the exercise passes applies to integers too, in exact arithmetic
    assert exercises.check_value(10 ** 30 + 10 ** 26, 10 ** 30, rtol=1e-3).correct
    assert not exercises.check_value(10 ** 30 + 10 ** 28, 10 ** 30, rtol=1e-3).correct


def test_an_expected_truth_value():
    assert exercises.check_value(True, True).correct
    assert exercises.check_value([True, False], np.array([True, False])).correct
    assert exercises.check_value(False, True).status == "wrong"
    assert "boolean" in exercises.check_value(True, 1.0, name="v").message


def test_shapes_vectors_are_lenient_strict_shape_is_strict_with_specific_feedback():
    assert exercises.check_value(sp.Matrix([1, 2]), [1, 2]).correct
    strict = exercises.check_value(sp.Matrix([1, 2]), [1, 2], name="v", strict_shape=True)
    assert strict.status == "wrong"
    assert "column" in strict.message and ".ravel()" in strict.message
    assert "right numbers in the wrong shape" in strict.message
    flat_for_column = exercises.check_value([1.0, 2.0], np.array([[1.0], [2.0]]), name="v")
    assert "column" in flat_for_column.message and ".reshape(2, 1)" in flat_for_column.message
    transposed = exercises.check_value(np.ones((2, 3)), np.ones((3, 2)), name="A")
    assert "transposed" in transposed.message
    assert exercises.check_value(np.arange(6).reshape(2, 3), np.arange(6),
                                 strict_shape=False).correct
    number = exercises.check_value(np.array([1.0, 2.0]), 1.0, name="x")
    assert "one number" in number.message
    # a matrix keeps its shape check: a flat version of a 2 x 2 is not accepted
    assert exercises.check_value([1, 2, 3, 4], [[1, 2], [3, 4]]).status == "wrong"


def test_default_tolerance_accepts_float32_work_and_stated_tolerances_accept_rounding():
    exp = np.array([[1.0, -1.0], [1e-3, 0.0]]) * 7.3
    computed32 = (exp.astype(np.float32) * np.float32(3) / np.float32(3)) + np.float32(1e-7) * 7
    assert exercises.check_value(computed32, exp).correct          # entries near 0 relative to 7.3
    # "to 3 decimal places": atol=5e-4, rtol=0 accepts the rounded hand-worked answer
    assert exercises.check_value(0.667, 2 / 3, atol=5e-4, rtol=0).correct
    assert exercises.check_value([0.667, -0.667, 0.333], np.array([2, -2, 1]) / 3, atol=5e-4,
                                 rtol=0).correct
    assert exercises.check_value(0.0075, 0.25 ** 3.5, rtol=0.01).status == "wrong"
    assert exercises.check_value(0.00781, 0.25 ** 3.5, rtol=0.01).correct


def _numbers_in(text):
    import re
    return re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text)


def test_rejections_show_enough_digits_and_never_the_expected_value():
    w = np.array([2.0, -2.0, 1.0]) / 3
    v = exercises.check_value([0.6667, -0.6667, 0.3333], w, name="w")
    assert v.status == "wrong"
    assert "0.6667" in v.message and "precision" in v.message
    for shown in [f"{w[0]:.{d}f}" for d in range(5, 17)] + [repr(w[0]), "1.0000"]:
        assert shown not in v.message
    scalar = exercises.check_value(0.6667, 2 / 3, name="x")
    assert "`x` = 0.6667" in scalar.message and "close" in scalar.message
    assert "0.66666" not in scalar.message
    far = exercises.check_value(0.9, 2 / 3, name="x")
    assert "too far" in far.message and "0.666" not in far.message
    # the number shown is the reader's own, to all its digits: never rounded onto the answer
    tiny = exercises.check_value(1.0000004, 1.0, name="n", rtol=1e-9)
    assert "1.0000004" in tiny.message and not any(n == "1.0000" for n in _numbers_in(tiny.message))


MISTAKES = [
    (lambda e: -e, "sign"),
    (lambda e: 2 * e, "factor of 2"),
    (lambda e: e / 2, "factor of 2"),
    (lambda e: e / np.log(2), "base 2"),
    (lambda e: e * np.log(2), "natural logarithm"),
    (lambda e: np.degrees(e), "degrees"),
    (lambda e: np.radians(e), "radians"),
    (lambda e: 100 * e, "percentage"),
    (lambda e: e / 100, "percentage"),
]


@pytest.mark.parametrize("expected", [0.8414, np.array([0.3, -1.25, 2.0])],
                         ids=["scalar", "vector"])
@pytest.mark.parametrize("mistake, words", MISTAKES, ids=[w for _, w in MISTAKES])
def test_common_mistakes_are_named_without_revealing_the_answer(mistake, words, expected):
    v = exercises.check_value(mistake(np.asarray(expected)), expected, name="v")
    assert v.status == "wrong" and words in v.message, v.message
    for x in np.ravel(expected):
        assert repr(float(x)) not in v.message and f"{x:.3f}" not in v.message


def test_a_transposed_square_matrix_is_named():
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    v = exercises.check_value(A.T, A, name="A")
    assert "transposed" in v.message
    assert "transposed" in exercises.check_value(A[:, :1].T, A[:, :1], name="c").message


class _Hostile:
    def __repr__(self):
        raise RuntimeError("repr")

    __str__ = __repr__

    def __eq__(self, other):
        raise RuntimeError("eq")

    def __bool__(self):
        raise RuntimeError("bool")

    def __float__(self):
        raise RuntimeError("float")

    def __len__(self):
        raise SystemExit("len")

    def __iter__(self):
        raise RuntimeError("iter")

    __hash__ = object.__hash__


class _HugeRepr:
    def __repr__(self):
        return "x" * 10 ** 7


class _ExitOnFloat:
    def __float__(self):
        raise SystemExit(1)


def _nested(depth, leaf=1.0):
    out = leaf
    for _ in range(depth):
        out = [out]
    return out


HOSTILE = [
    np.timedelta64(3, "s"), np.datetime64("2020-01-01"), np.array([1, 2], dtype="m8[s]"),
    np.array(["2020-01-01"], dtype="M8[D]"), np.array([1, "a"], dtype=object),
    np.array([None, None]), np.array([[1, 2], [3]], dtype=object), np.zeros(2, dtype=[("a", "f8")]),
    _nested(1000), _nested(1000, "s"), _Hostile(), [_Hostile(), 1.0], _HugeRepr(), [_HugeRepr()],
    _ExitOnFloat(), "x" * 10 ** 6, (i for i in range(2)), iter([1.0, 2.0]), map(float, [1, 2]),
    range(10 ** 12), {X_SYM: X_SYM}, {"a": 1.0, "b": 2.0}, X_SYM + 1, sp.zoo, sp.nan,
    sp.Matrix([[X_SYM]]), sp.FiniteSet(1, 2), 10 ** 400, fractions.Fraction(10 ** 400, 3),
    decimal.Decimal("sNaN"), [1.0, ...], [None], [[]], int, np, object(), memoryview(b"ab"),
]


@pytest.mark.parametrize("answer", HOSTILE, ids=lambda a: type(a).__name__)
def test_hostile_answers_get_not_yet_from_every_checker(answer):
    verdicts = {
        "check_value": exercises.check_value(answer, [1.0, 2.0], name="v", hint="h"),
        "check_value (scalar)": exercises.check_value(answer, 1.0, name="v", hint="h"),
        "check_value (big int)": exercises.check_value(answer, 2 ** 70, name="v", hint="h"),
        "check_choice": exercises.check_choice(answer, "b", ["a", "b"], hint="h"),
        "check_property": exercises.check_property(answer, lambda a: a.sum() == 3.0, "s",
                                                   shape=(2,), hint="h"),
        "check_function": exercises.check_function(lambda t: answer, lambda t: np.array([t, t]),
                                                   [(1.0,)], hint="h"),
    }
    for checker, verdict in verdicts.items():
        assert verdict.status == "wrong", f"{checker}: {verdict}"
        assert verdict.hint == "h" and 0 < len(verdict.message) < 500, checker
        str(verdict), verdict._repr_html_()


def test_a_function_that_exits_gets_a_verdict_but_ctrl_c_goes_through():
    def exits(x):
        raise SystemExit(2)

    v = exercises.check_function(exits, abs, [(1.0,)], name="f")
    assert v.status == "wrong" and "SystemExit" in v.message

    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        exercises.check_function(interrupted, abs, [(1.0,)])

    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no text")

    def raises_unprintable(x):
        raise Unprintable

    assert "Unprintable" in exercises.check_function(raises_unprintable, abs, [(1.0,)]).message


def test_check_function_accepts_other_forms_of_the_result_and_names_shape_mistakes():
    ref = lambda x: np.array([x, 2 * x])  # noqa: E731
    assert exercises.check_function(lambda x: [x, 2 * x], ref, [(1.0,), (2.0,)]).correct
    assert exercises.check_function(lambda x: sp.Rational(1, 3) * 3 * x, lambda x: x,
                                    [(1,)]).correct
    column = exercises.check_function(lambda x: np.array([[x], [2 * x]]), ref, [(1.0,)], name="f")
    assert column.status == "wrong" and "column" in column.message
    assert exercises.check_function(lambda x: np.array([[x], [2 * x]]), ref, [(1.0,)],
                                    strict_shape=None).correct


def test_a_predicate_that_returns_an_array_or_raises_gives_not_yet():
    arrays = exercises.check_property([1.0, 2.0], lambda a: a > 0, "positive", name="v")
    assert arrays.status == "wrong" and "could not be tested" in arrays.message
    weird = exercises.check_property([1.0, 2.0], lambda a: (_Hostile(), "no"), "odd", name="v")
    assert weird.status == "wrong"
    assert exercises.check_property(sp.Matrix([1, 2]), lambda a: a.shape == (2,), "a pair",
                                    shape=(2,)).correct
    mine = np.array([1.0, 2.0])

    def changes_its_input(a):
        a[0] = 99.0
        return True

    assert exercises.check_property(mine, changes_its_input, "anything").correct
    np.testing.assert_array_equal(mine, [1.0, 2.0])   # the predicate got a copy


def test_hints_only_after_a_wrong_answer_one_more_each_try():
    hints = ["a nudge", "more specific", "most specific"]
    assert exercises.check_value(None, 1.0, name="x", hint=hints).hint is None
    not_attempted = exercises.check_value(None, 1.0, name="x", hint="h")
    assert "Hint" not in str(not_attempted) and "Hint" not in not_attempted._repr_html_()
    shown = [exercises.check_value(2.0, 1.0, name="x", hint=hints).hint for _ in range(4)]
    assert shown == ["a nudge", "more specific", "most specific", "most specific"]
    assert exercises.check_value(1.0, 1.0, name="x", hint=hints).hint is None   # correct: no hint
    # another exercise counts its own tries
    assert exercises.check_value(2.0, 5.0, name="y", hint=hints).hint == "a nudge"
    assert exercises.check_value(2.0, 1.0, name="x", hint="one hint").hint == "one hint"
    for checker in (lambda h: exercises.check_choice("a", "b", ["a", "b"], name="c", hint=h),
                    lambda h: exercises.check_property([1.0], lambda a: False, "p", hint=h),
                    lambda h: exercises.check_function(lambda t: t + 1, lambda t: t, [(1,)],
                                                       name="f", hint=h)):
        assert [checker(hints).hint for _ in range(2)] == ["a nudge", "more specific"]
    exercises.reset_tries()
    assert exercises.check_value(2.0, 1.0, name="x", hint=hints).hint == "a nudge"


def test_messages_stay_short_for_huge_or_unprintable_answers():
    v = exercises.check_choice("x" * 10 ** 6, "b", ["a", "b"], name="c")
    assert len(v.message) < 300
    assert len(exercises.check_value("x" * 10 ** 6, 1.0).message) < 300
    assert "could not" in exercises.check_value(_Hostile(), 1.0).message or \
        "cannot be read" in exercises.check_value(_Hostile(), 1.0).message


def test_a_broken_exercise_still_raises():
    with pytest.raises(TypeError, match="bug in the exercise"):
        exercises.check_value(1.0, None)
    with pytest.raises(TypeError, match="bug in the exercise"):
        exercises.check_value(1.0, [1.0, [2.0]])
    with pytest.raises(TypeError):
        exercises.check_function(lambda x: x, lambda x: "not a number", [(1,)])


def test_a_function_that_still_returns_none_is_not_attempted_yet():
    """The placeholder body `return None` (or a body without `return`) is not a wrong try: no hint,
    no try counted, and the message says that the function still returns None."""
    exercises.reset_tries()
    hints = ["a nudge", "more specific"]
    ref = lambda x: x ** 2  # noqa: E731
    inputs = [(np.arange(3.0),), (np.array([-1.5, 2.0]),)]

    def placeholder(x):
        return None   # replace with your code

    def no_return(x):
        x ** 2

    for func in (placeholder, no_return, placeholder):
        verdict = exercises.check_function(func, ref, inputs, name="square", hint=hints)
        assert verdict.status == "not attempted" and not verdict.correct
        assert verdict.hint is None and "Hint" not in str(verdict)
        assert "Hint" not in verdict._repr_html_()
        assert "still returns None" in verdict.message and "`return`" in verdict.message
        assert str(verdict).startswith("Not attempted yet")
    # no try was counted: the first wrong answer gets the first hint
    wrong = exercises.check_function(lambda x: x, ref, inputs, name="square", hint=hints)
    assert wrong.status == "wrong" and wrong.hint == "a nudge"
    exercises.reset_tries()
