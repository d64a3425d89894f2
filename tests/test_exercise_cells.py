"""Every exercise of the book, in its notebook, answers a wrong answer with "Not yet", never a crash.

The book's rule for checkers (CONTRIBUTING.md): whatever the reader types -- None, NaN, a string,
an array of the wrong shape, a function that raises -- the checker says what is wrong and gives a
hint. The checkers in helpers/exercises.py are tested on such answers in test_exercises.py; this
test covers what each notebook adds around them (its own predicates, references and test inputs).

For every notebook, each exercise's answer cell is run again right after itself, once per wrong
answer, with its placeholder (``name = None`` or ``return None``) replaced; then the notebook goes
on as saved. Each of these extra runs must show a "Not yet" verdict and no error.
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

PATHS = book.notebook_paths()
IDS = [str(p.relative_to(book.NOTEBOOKS)) for p in PATHS]
CHECKER = re.compile(r"\bexercises\.check_\w+\(")
VALUE_PLACEHOLDER = re.compile(r"^(\w+) = None(?=\s*(#.*)?$)", re.MULTILINE)
RETURN_PLACEHOLDER = re.compile(r"^(\s+)return None(?=\s*(#.*)?$)", re.MULTILINE)

# What a reader might really type, wrong in kind rather than in value.
WRONG_VALUES = ['float("nan")', '"forty-two"', "np.zeros((7, 3))", "[1.0, [2.0, 3.0]]",
                "{'answer': 1}"]
WRONG_RETURNS = ['float("nan")', '"forty-two"', "np.zeros((7, 3))", "{'answer': 1}",
                 "[][0]"]   # the last raises IndexError


def _hidden(cell) -> bool:
    return bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


def answer_groups(nb) -> list[list[int]]:
    """For each exercise, the indices of its visible code cells that call a checker."""
    groups, current = [], None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.startswith("#"):
            current = [] if re.match(r"### Exercise \d+", cell.source) else None
            if current is not None:
                groups.append(current)
        elif current is not None and cell.cell_type == "code" and not _hidden(cell) \
                and CHECKER.search(cell.source):
            current.append(i)
    return [g for g in groups if g]


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


def problems_with_wrong_answers(path: Path) -> list[str]:
    """Run the notebook with every exercise's answer cells repeated with wrong answers; return
    a description of each repeated cell that did not show "Not yet" or showed an error."""
    nb = nbformat.read(path, as_version=4)
    groups = answer_groups(nb)
    if not groups:
        return [f"{path.name}: no exercise answer cell found"]
    probes = {}   # id of an inserted cell -> (the exercise's answer cells, the source run)
    for group in reversed(groups):
        after = group[-1] + 1
        for k, sources in enumerate(wrong_variants([nb.cells[i].source for i in group])):
            for j, source in enumerate(sources):
                probe = nbformat.v4.new_code_cell(source)
                probe.id = f"wrong-{group[0]}-{k}-{j}"
                probes[probe.id] = (group, source)
                nb.cells.insert(after, probe)
                after += 1
    book.run(nb, path, allow_errors=True)
    problems = []
    for cell in nb.cells:
        if cell.get("id") not in probes:
            continue
        text = book.output_text(cell)
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors or "Not yet" not in text:
            what = (f"{errors[0].ename}: {errors[0].evalue}" if errors
                    else f"no 'Not yet' verdict; the cell showed:\n{text or '(nothing)'}")
            group, source = probes[cell.id]
            problems.append(f"answer cells {group} run as\n{source}\n-> {what}")
    return problems


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
