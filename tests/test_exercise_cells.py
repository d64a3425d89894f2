"""Every exercise of the book, in its notebook, answers a wrong answer with "Not yet", never a crash.

The book's rule for checkers (CONTRIBUTING.md): whatever the reader types -- None, NaN, a string,
an array of the wrong shape, a function that raises -- the checker says what is wrong and gives a
hint. The checkers in helpers/exercises.py are tested on such answers in test_exercises.py; this
test covers what each notebook adds around them (its own predicates, references and test inputs).

For every notebook, each exercise's answer cell is run again right after itself, once per wrong
answer, with its placeholder (``name = None`` or ``return None``) replaced; then the notebook goes
on as saved. Each of these extra runs must show a "Not yet" verdict and no error.

The same execution also checks the other half of fairness: a right answer is accepted in every
form a reader may type it. The checker calls are recorded (the answer cells' calls give the
exercise: expected value, tolerance, reference, predicate; the hidden solution cell's call gives
the right answer), and after the solution cell the right answer is given to the answer cell's
checker again in several forms (see ``CORRECT_FORMS``); each must be "Correct". The calls are
recorded wherever they are made, so an answer cell may call a checker of helpers.exercises
directly or (the book's form) the ``check_<name>`` function that its hidden checker cell defines.

One kernel per notebook runs both checks, and it is the same run as test_redraw_equality.py's
(tests/notebook_pass.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as book  # noqa: E402  (tools/notebooks.py)
import notebook_pass  # noqa: E402  (tests/notebook_pass.py)

PATHS = book.notebook_paths()
IDS = [str(p.relative_to(book.NOTEBOOKS)) for p in PATHS]
# An answer cell calls its exercise's checker: `check_<name>(...)`, defined in the hidden checker
# cell (CONTRIBUTING.md, "Exercises and checkers"), or a checker of helpers.exercises directly.
CHECKER = re.compile(r"\bexercises\.check_\w+\(|(?<![\w.])check_\w+\(")
EXERCISE_HEADING = re.compile(r"^### (Exercise \d+)", re.MULTILINE)
VALUE_PLACEHOLDER = re.compile(r"^(\w+) = None(?=\s*(#.*)?$)", re.MULTILINE)
RETURN_PLACEHOLDER = re.compile(r"^(\s+)return None(?=\s*(#.*)?$)", re.MULTILINE)

# What a reader might really type, wrong in kind rather than in value.
WRONG_VALUES = ['float("nan")', '"forty-two"', "np.zeros((7, 3))", "[1.0, [2.0, 3.0]]",
                "{'answer': 1}"]
WRONG_RETURNS = ['float("nan")', '"forty-two"', "np.zeros((7, 3))", "{'answer': 1}",
                 "[][0]"]   # the last raises IndexError


def _hidden(cell) -> bool:
    return bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


def _is_checker_cell(cell) -> bool:
    """The hidden cell that defines an exercise's ``check_<name>`` (it runs as the notebook does,
    and is neither an answer cell nor a solution cell)."""
    return "checker" in cell.metadata.get("tags", [])


def with_wrong_answer(source: str, k: int) -> str:
    """``source`` with every placeholder replaced by wrong answer number ``k``."""
    source = VALUE_PLACEHOLDER.sub(lambda m: f"{m[1]} = {WRONG_VALUES[k]}", source)
    return RETURN_PLACEHOLDER.sub(lambda m: f"{m[1]}return {WRONG_RETURNS[k]}", source)


def wrong_variants(sources: list[str]) -> list[list[str]]:
    """An exercise's answer cells, once per wrong answer, with their placeholders replaced."""
    if not any(VALUE_PLACEHOLDER.search(s) or RETURN_PLACEHOLDER.search(s) for s in sources):
        raise ValueError("an exercise's answer cells need a placeholder, a line "
                         "'name = None   # ...' or 'return None   # ...':\n" + "\n".join(sources))
    return [[with_wrong_answer(s, k) for s in sources] for k in range(len(WRONG_VALUES))]


def test_variants_replace_exactly_the_placeholders():
    value = 'x = None   # your answer\ny = None\nexercises.check_value(x, 1.0)'
    first = wrong_variants([value, "exercises.check_value(y, 2.0)"])[0]
    assert first[0].splitlines()[:2] == ['x = float("nan")   # your answer', 'y = float("nan")']
    assert first[1] == "exercises.check_value(y, 2.0)"
    func = ("def f(a):\n    return None   # your code\n\n\ndef g(a):\n    return None if a else 1\n"
            "exercises.check_function(f, abs, [(1,)])")
    last = wrong_variants([func])[-1][0].splitlines()
    assert last[1] == "    return [][0]   # your code" and last[5] == "    return None if a else 1"
    with pytest.raises(ValueError, match="need a placeholder"):
        wrong_variants(["exercises.check_value(42, 1.0)"])


# The forms in which the right answer is given again, by checker (what a reader may type).
CORRECT_FORMS = {
    "check_value": ["list", "numpy array", "sympy", "sympy.nsimplify", "Fraction", "rounded"],
    "check_property": ["list", "numpy array", "tuple", "sympy", "Fraction", "rounded"],
    "check_function": ["list", "numpy array", "sympy", "Fraction"],
    "check_choice": ["as given", "upper case", "with spaces"],
}
MARK = "CORRECT-FORM"

# Runs in the notebook's kernel: record the checkers' calls, then re-check the right answer.
KERNEL_CODE = r"""
import fractions as _fr
import functools as _ft
import math as _math
import numpy as _np
from helpers import exercises as _ex

_rec = {"phase": None, "calls": []}
_orig = {n: getattr(_ex, n) for n in ("check_value", "check_function", "check_choice",
                                       "check_property")}


def _recording(n):
    @_ft.wraps(_orig[n])
    def wrapper(*args, **kwargs):
        if n == "check_function":
            if len(args) >= 3:
                args = args[:2] + (list(args[2]),) + tuple(args[3:])
            elif "inputs" in kwargs:
                kwargs["inputs"] = list(kwargs["inputs"])
        if _rec["phase"] is not None:
            _rec["calls"].append((_rec["phase"], n, args, dict(kwargs)))
        return _orig[n](*args, **kwargs)
    return wrapper


for _n in _orig:
    setattr(_ex, _n, _recording(_n))


def _phase(name):
    _rec["phase"] = name
    if name == "answer":
        _rec["calls"] = []


def _nested(x, f):
    return [_nested(e, f) for e in x] if isinstance(x, list) else f(x)


def _fraction(x):
    if isinstance(x, (bool, int)):
        return _fr.Fraction(int(x))
    if not _math.isfinite(x):
        return x
    simple = _fr.Fraction(x).limit_denominator(10 ** 6)
    return simple if float(simple) == x else _fr.Fraction(x)


def _round(x, rtol, atol):
    # the coarsest rounding the tolerance allows: d decimals for atol, s significant digits for rtol
    if isinstance(x, (bool, int)) or not _math.isfinite(x):
        return x
    out = [x]
    if atol:
        out.append(round(x, max(0, _math.ceil(-_math.log10(2 * atol) - 1e-9))))
    if rtol:
        out.append(float(f"{x:.{max(1, _math.ceil(-_math.log10(rtol / 5) - 1e-9))}g}"))
    return max(out, key=lambda c: abs(c - x))


def _sympy(a):
    import sympy as sp
    if a.ndim == 0:
        return sp.Integer(int(a)) if a.dtype.kind in "iub" else sp.Float(float(a))
    if a.ndim <= 2 and a.size <= 2000:
        return sp.Matrix(a.tolist())
    return a.tolist()


def _nsimplify(a):
    import sympy as sp
    if a.ndim == 0:
        return sp.nsimplify(a.item())
    if a.ndim <= 2 and a.size <= 100:
        return sp.Matrix(a.tolist()).applyfunc(sp.nsimplify)
    return _sympy(a)


def _value_form(answer, form, rtol, atol):
    a = _np.asarray(answer)
    if a.dtype.kind not in "biuf":        # complex or object: the form is the answer itself
        return answer
    if form == "list":
        return a.tolist()
    if form == "numpy array":
        return _np.array(a)
    if form == "tuple":
        return tuple(a.tolist()) if a.ndim == 1 else a.tolist()
    if form == "sympy":
        return _sympy(a)
    if form == "sympy.nsimplify":
        return _nsimplify(a)
    if form == "Fraction":
        return _nested(a.tolist(), _fraction)
    if form == "rounded":
        return _nested(a.tolist(), lambda x: _round(x, rtol, atol))
    raise ValueError(form)


def _function_form(func, form):
    def wrapped(*args):
        r = func(*args)
        a = _np.asarray(r)
        if a.dtype.kind not in "biuf":
            return r
        if form == "Fraction":
            return _fraction(a.item()) if a.ndim == 0 else r
        if form == "sympy":
            return [_sympy(e) for e in a] if a.ndim == 1 and a.size <= 2000 else _sympy(a)
        return _value_form(r, form, 0, 0)
    return wrapped


def _choice_form(answer, form):
    if not isinstance(answer, str) or form == "as given":
        return answer
    return answer.upper() if form == "upper case" else f"  {answer} "


def _check_forms(label, forms):
    calls, _rec["phase"] = _rec["calls"], None
    asked = {}
    for phase, n, args, kwargs in calls:
        if phase == "answer":
            asked[(n, kwargs.get("name"))] = (args, kwargs)
    solved = {}
    for phase, n, args, kwargs in calls:
        if phase == "solution" and args:
            solved[(n, kwargs.get("name"))] = args[0]
    if not solved:
        print(f"{MARK} | {label} | - | - | NO-SOLUTION-CALL | the solution cell calls no checker")
    for (n, name), answer in solved.items():
        if (n, name) not in asked:
            print(f"{MARK} | {label} | {n} {name} | - | NO-ANSWER-CALL | no answer cell calls {n} "
                  f"with name={name!r}")
            continue
        args, kwargs = asked[(n, name)]
        kwargs = {k: v for k, v in kwargs.items() if k != "hint"}
        for form in forms[n]:
            try:
                if n == "check_value":
                    rtol, atol = kwargs.get("rtol"), kwargs.get("atol")
                    given = _value_form(answer, form, _ex.DEFAULT_RTOL if rtol is None else rtol,
                                        _ex.DEFAULT_ATOL if atol is None else atol)
                elif n == "check_property":
                    given = _value_form(answer, form, 1e-4, 0) if form != "rounded" else \
                        _nested(_np.asarray(answer, dtype=float).tolist(),
                                lambda x: float(f"{x:.4g}"))
                elif n == "check_function":
                    given = _function_form(answer, form)
                else:
                    given = _choice_form(answer, form)
                verdict = _orig[n](given, *args[1:], **kwargs)
                status, text = verdict.status, verdict.message
            except BaseException as exc:
                status, text = "ERROR", f"{type(exc).__name__}: {exc}"
            text = " ".join(str(text).split())
            print(f"{MARK} | {label} | {n} {name} | {form} | {status} | {text}")
"""


def exercise_cells(nb) -> list[tuple[str, list[int], list[int]]]:
    """For each exercise: its heading, its visible answer cells that call a checker, and its
    hidden solution cells."""
    found, current = [], None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            # an exercise starts at its heading, which may close a longer cell (Exercise 1 often
            # shares the "## Exercises" cell), and ends at the next heading of anything else
            headings = EXERCISE_HEADING.findall(cell.source)
            if headings:
                current = (headings[-1], [], [])
                found.append(current)
            elif cell.source.startswith("#"):
                current = None
        elif current is not None and cell.cell_type == "code":
            if _is_checker_cell(cell):
                continue
            if _hidden(cell):
                current[2].append(i)
            elif CHECKER.search(cell.source):
                current[1].append(i)
    return [e for e in found if e[1]]


_probe = notebook_pass.probe_cell


def parse_forms(text: str) -> list[tuple[str, str, str, str, str]]:
    """The (exercise, call, form, status, message) lines a form-checking cell printed."""
    rows = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(" | ", 5)]
        if len(parts) == 6 and parts[0] == MARK:
            rows.append(tuple(parts[1:]))
    return rows


def insert_probes(nb, path: Path):
    """Insert, for every exercise, its answer cells repeated with wrong answers (after the answer
    cells) and a cell that re-checks its right answer in every form of ``CORRECT_FORMS`` (after the
    solution cells). Returns what :func:`collect_results` needs."""
    exercises_found = exercise_cells(nb)
    if not exercises_found:
        return None
    probes = {}   # id of an inserted cell -> (the exercise's answer cells, the source run)
    form_cells = []
    for label, group, solutions in reversed(exercises_found):
        tag = f"{group[0]}"
        if solutions:
            form_cells.append(f"forms-{tag}")
            nb.cells.insert(solutions[-1] + 1, _probe(
                f"_check_forms({label!r}, {CORRECT_FORMS!r})", f"forms-{tag}"))
            nb.cells.insert(solutions[0], _probe('_phase("solution")', f"phase-sol-{tag}"))
        after = group[-1] + 1
        for k, sources in enumerate(wrong_variants([nb.cells[i].source for i in group])):
            for j, source in enumerate(sources):
                probe = _probe(source, f"wrong-{tag}-{k}-{j}")
                probes[probe.id] = (group, source)
                nb.cells.insert(after, probe)
                after += 1
        nb.cells.insert(group[0], _probe('_phase("answer")', f"phase-ans-{tag}"))
    first = min(i for i, c in enumerate(nb.cells) if c.get("id", "").startswith("phase-ans-"))
    nb.cells.insert(first, _probe(KERNEL_CODE.replace("MARK", repr(MARK)), "forms-recorder"))
    labels = {f"forms-{e[1][0]}": e[0] for e in exercises_found}
    return probes, form_cells, labels


def collect_results(nb, path: Path, state) -> tuple[tuple[str, ...], tuple[str, ...], tuple]:
    """The problems with wrong answers, with right answers, and every form checked (see
    :func:`run_exercises`), read from the executed notebook."""
    if state is None:
        problem = (f"{path.name}: no exercise answer cell found",)
        return problem, problem, ()
    probes, form_cells, labels = state
    wrong, right, rows = [], [], []
    for cell in nb.cells:
        cid = cell.get("id", "")
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if cid in probes:
            text = book.output_text(cell)
            if errors or "Not yet" not in text:
                what = (f"{errors[0].ename}: {errors[0].evalue}" if errors
                        else f"no 'Not yet' verdict; the cell showed:\n{text or '(nothing)'}")
                group, source = probes[cid]
                wrong.append(f"answer cells {group} run as\n{source}\n-> {what}")
        elif cid == "forms-recorder" or cid.startswith("phase-") or cid in form_cells:
            if errors:
                right.append(f"{cid}: {errors[0].ename}: {errors[0].evalue}")
            if cid in form_cells:
                found = parse_forms(book.output_text(cell))
                if not found and not errors:
                    right.append(f"{labels[cid]}: no form was checked")
                rows.extend(found)
    for exercise, call, form, status, message in rows:
        if status != "correct":
            right.append(f"{path.name}, {exercise} ({call}), the right answer as {form}: "
                         f"{status}: {message}")
    return tuple(wrong), tuple(right), tuple(rows)


notebook_pass.register("exercises", insert_probes, collect_results)


def run_exercises(path: Path) -> tuple[tuple[str, ...], tuple[str, ...], tuple]:
    """Run the notebook once (in the kernel run that tests/notebook_pass.py shares) with, for
    every exercise, its answer cells repeated with wrong answers and its right answer re-checked
    in every form of ``CORRECT_FORMS``.

    Returns the problems with wrong answers (a repeated cell that did not show "Not yet" or showed
    an error), the problems with right answers (a form not judged "Correct"), and every form
    checked as (exercise, call, form, status, message)."""
    return notebook_pass.run(path)["exercises"]


def problems_with_wrong_answers(path: Path) -> list[str]:
    """Run the notebook with every exercise's answer cells repeated with wrong answers; return
    a description of each repeated cell that did not show "Not yet" or showed an error."""
    return list(run_exercises(path)[0])


def test_a_checker_that_crashes_on_a_wrong_answer_is_reported(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np\nfrom helpers import exercises"),
        nbformat.v4.new_markdown_cell("### Exercise 1: the square root of 2"),
        nbformat.v4.new_code_cell("root = None   # your answer\n"
                                  "exercises.check_value(root, 2 ** 0.5, name='root')"),
        nbformat.v4.new_markdown_cell("### Exercise 2: twice"),
        nbformat.v4.new_code_cell("def twice(x):\n    return None   # your code\n\n\n"
                                  "ok = twice(1.0) == 2.0   # notebook code that may crash\n"
                                  "exercises.check_function(twice, lambda x: 2 * x, [(1.0,)])"),
    ])
    path = tmp_path / "fixture.ipynb"
    nbformat.write(nb, path)
    problems = problems_with_wrong_answers(path)
    # Exercise 1 copes with every wrong answer. In exercise 2, `twice(1.0) == 2.0` runs for the
    # wrong returns (NaN, a string, an array, a dict all compare without error), but for the
    # function that raises, that line raises before the checker runs: exactly one problem.
    assert len(problems) == 1, "\n\n".join(problems)
    assert "IndexError" in problems[0] and "answer cells [4]" in problems[0]


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_wrong_answers_get_not_yet_never_an_error(path):
    problems = problems_with_wrong_answers(path)
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_right_answers_are_correct_in_every_form(path):
    problems = run_exercises(path)[1]
    assert not problems, "\n\n".join(problems)


def test_the_right_answer_is_checked_in_every_form(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np\nfrom helpers import exercises"),
        nbformat.v4.new_markdown_cell("### Exercise 1: a third, to 3 decimal places"),
        nbformat.v4.new_code_cell("third = None   # your answer\n"
                                  "exercises.check_value(third, 1 / 3, name='third', "
                                  "atol=5e-4, rtol=0)"),
        nbformat.v4.new_code_cell("# Solution\nthird = 1 / 3\n"
                                  "exercises.check_value(third, 1 / 3, name='third', "
                                  "atol=5e-4, rtol=0)"),
        nbformat.v4.new_markdown_cell("### Exercise 2: a unit vector, but too strict"),
        nbformat.v4.new_code_cell("w = None   # your answer\n"
                                  "exercises.check_property(w, lambda a: abs(a @ a - 1) < 1e-9, "
                                  "'a unit vector', name='w', shape=(3,))"),
        nbformat.v4.new_code_cell("# Solution\nw = np.array([2.0, -2.0, 1.0]) / 3\n"
                                  "exercises.check_property(w, lambda a: abs(a @ a - 1) < 1e-9, "
                                  "'a unit vector', name='w', shape=(3,))"),
    ])
    for i in (3, 6):
        nb.cells[i].metadata["jupyter"] = {"source_hidden": True}
    path = tmp_path / "fixture.ipynb"
    nbformat.write(nb, path)
    wrong, right, rows = run_exercises(path)
    assert not wrong, wrong
    forms = {(r[0], r[2]): r[3] for r in rows}
    assert {f for (e, f) in forms if e == "Exercise 1"} == set(CORRECT_FORMS["check_value"])
    assert all(forms[("Exercise 1", f)] == "correct" for f in CORRECT_FORMS["check_value"])
    # a predicate stricter than a hand-worked answer is reported: 0.6667 etc. is not within 1e-9
    assert forms[("Exercise 2", "rounded")] == "wrong"
    assert len(right) == 1 and "Exercise 2" in right[0] and "rounded" in right[0]


def test_exercises_with_hidden_checker_cells(tmp_path):
    """The book's form: a hidden checker cell defines check_<name>, which the answer cell and the
    solution cell call; wrong answers, the right answer's forms and a wrong checker are all seen."""
    checker = nbformat.v4.new_code_cell(
        "# Checker for exercise 1. Run this cell; it holds the answer, so read it only after trying.\n"
        "def check_third(answer):\n"
        "    return exercises.check_value(answer, 1 / 3, name='third', atol=5e-4, rtol=0,\n"
        "                                 hint=['A third.'])")
    checker.metadata.update(tags=["checker"], jupyter={"source_hidden": True})
    solution = nbformat.v4.new_code_cell("# Solution\nthird = 1 / 3\ncheck_third(third)")
    solution.metadata.update(tags=["solution"], jupyter={"source_hidden": True})
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np\nfrom helpers import exercises"),
        nbformat.v4.new_markdown_cell("### Exercise 1: a third, to 3 decimal places"),
        checker,
        nbformat.v4.new_code_cell("third = None   # your answer\ncheck_third(third)"),
        solution,
    ])
    assert [(label, group, sols) for label, group, sols in exercise_cells(nb)] == \
        [("Exercise 1", [3], [4])]
    path = tmp_path / "fixture.ipynb"
    nbformat.write(nb, path)
    wrong, right, rows = run_exercises(path)
    assert not wrong and not right, (wrong, right)
    assert {r[2] for r in rows} == set(CORRECT_FORMS["check_value"])
    assert all(r[1] == "check_value third" and r[3] == "correct" for r in rows)

    # a checker whose expected value is wrong rejects the solution's answer in every form
    checker.source = checker.source.replace("1 / 3", "1 / 4")
    path = tmp_path / "wrong_checker.ipynb"
    nbformat.write(nb, path)
    wrong, right, rows = run_exercises(path)
    assert not wrong
    assert len(right) == len(CORRECT_FORMS["check_value"])
    assert all("wrong" in r for r in right)


def test_exercises_are_found_wherever_their_heading_is():
    """Exercise 1 often shares its markdown cell with "## Exercises" or follows prose; an exercise
    ends at the next heading that is not an exercise's."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook(cells=[
        md("## Exercises\n\nTry them in order.\n\n### Exercise 1: one"),   # 0
        code("a = None   # your answer\ncheck_a(a)"),                      # 1
        md("A remark about exercise 1, with no heading."),                  # 2
        code("b = None   # your answer\ncheck_b(b)"),                      # 3: still exercise 1
        md("### Exercise 2: two"),                                          # 4
        code("c = None   # your answer\ncheck_c(c)"),                      # 5
        md("## Summary"),                                                   # 6
        code("check_d(d)"),                                                 # 7: not an exercise
    ])
    assert exercise_cells(nb) == [("Exercise 1", [1, 3], []), ("Exercise 2", [5], [])]
