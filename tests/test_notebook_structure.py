"""Every notebook follows the book's anatomy (CONTRIBUTING.md, "Anatomy of a notebook").

These tests read the saved notebooks; nbval (run in the same pytest session) executes them.
A failure message names the notebook and the rule, so it can be fixed without reading this file.
"""

from __future__ import annotations

import ast
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
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _nb(path):
    return nbformat.read(path, as_version=4)


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _markdown(nb):
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _is_hidden(cell) -> bool:
    return bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


def test_there_are_notebooks():
    assert PATHS, "no notebooks found under notebooks/"
    assert book.INTRO in PATHS, "the introduction notebooks/00_introduction.ipynb is missing"


def test_generated_parts_are_up_to_date():
    stale = [str(p.relative_to(ROOT)) for p in book.stale_files()]
    assert not stale, (f"generated navigation/setup/contents are out of date in {stale}: run "
                       "`.venv/bin/python tools/notebooks.py generate` (or `execute`)")


@pytest.fixture(params=PATHS, ids=IDS)
def nb_path(request):
    return request.param


def test_navigation_title_and_setup(nb_path):
    nb = _nb(nb_path)
    first = nb.cells[0]
    assert first.metadata.get("book", {}).get("generated") == "navigation", \
        "the first cell must be the generated navigation cell (tools/notebooks.py generate)"
    assert "colab.research.google.com" in first.source and "mybinder.org" in first.source
    title = nb.cells[1]
    assert title.cell_type == "markdown" and title.source.startswith("# "), \
        "the second cell must be a markdown cell starting with the title '# ...'"
    setup = _code(nb)[0]
    assert setup.source.startswith(book.bootstrap_source()), \
        "the first code cell must be the setup cell, starting with the generated Colab lines"
    assert "setup" in setup.metadata.get("tags", []), "the setup cell must carry the tag 'setup'"
    assert "use_book_style()" in setup.source, "the setup cell must call plotting.use_book_style()"
    assert "np.random.default_rng(" in setup.source, "the setup cell must create a seeded rng"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


def test_goals_prerequisites_summary_reading(nb_path):
    md = _markdown(_nb(nb_path))
    for heading in ("## You will learn", "## You need", "## Summary", "## Further reading"):
        assert re.search(rf"^{re.escape(heading)}\s*$", md, flags=re.M), f"missing heading '{heading}'"
    goals = md.split("## You will learn", 1)[1].split("\n## ", 1)[0]
    n_goals = len(re.findall(r"^- ", goals, flags=re.M))
    assert 3 <= n_goals <= 5, f"'You will learn' should list 3-5 goals as bullets, found {n_goals}"
    reading = md.split("## Further reading", 1)[1]
    assert re.search(r"[Cc]hapter|ch\.", reading), "further reading must name exact chapters"


EXERCISE = re.compile(r"^### Exercise (\d+)", flags=re.M)
CHECKER_HEADER = "# Checker for exercise {n}. Run this cell; it holds the answer, so read it only after trying."


def _tags(cell) -> list:
    return cell.metadata.get("tags", [])


def _exercises(nb) -> list[tuple[int, list]]:
    """(number, the cells after its statement) for every '### Exercise N' heading, up to the next
    exercise or the next '## ' section."""
    starts = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and EXERCISE.search(c.source)]
    out = []
    for j, a in enumerate(starts):
        b = starts[j + 1] if j + 1 < len(starts) else len(nb.cells)
        cells = []
        for c in nb.cells[a + 1:b]:
            if c.cell_type == "markdown" and re.match(r"#{1,2} ", c.source):
                break
            cells.append(c)
        out.append((int(EXERCISE.search(nb.cells[a].source).group(1)), cells))
    return out


def _last_call(source: str):
    """The function name and the call of the cell's last statement, if it is a call of a plain
    name (also inside print(...)); else (None, None)."""
    body = ast.parse(source).body
    if not body or not isinstance(body[-1], ast.Expr) or not isinstance(body[-1].value, ast.Call):
        return None, None
    call = body[-1].value
    if isinstance(call.func, ast.Name) and call.func.id == "print" and len(call.args) == 1 \
            and isinstance(call.args[0], ast.Call):
        call = call.args[0]
    return (call.func.id, call) if isinstance(call.func, ast.Name) else (None, None)


def _called_names(source: str) -> set[str]:
    return {n.func.id for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def test_exercises_have_checkers_and_hidden_correct_solutions(nb_path):
    """Every exercise: its statement; one hidden checker cell (tag `checker`) that defines
    `check_<name>(answer)` and holds the expected value, the tolerance and the hints; the visible
    answer cell(s), each ending with a call of a function of that checker cell; one hidden solution
    cell (tag `solution`) that calls the same functions and whose saved verdict is Correct
    (CONTRIBUTING.md, "Exercises and checkers")."""
    nb = _nb(nb_path)
    exercises_ = _exercises(nb)
    assert len(exercises_) >= 3, f"at least 3 '### Exercise N: ...' headings are needed, found {len(exercises_)}"
    for k, cells in exercises_:
        code = [c for c in cells if c.cell_type == "code"]
        checkers = [c for c in code if "checker" in _tags(c)]
        solutions = [c for c in code if "solution" in _tags(c)]
        answers = [c for c in code if "checker" not in _tags(c) and "solution" not in _tags(c)]
        where = f"exercise {k}"
        assert len(checkers) == 1, f"{where}: exactly one checker cell (tag 'checker') is needed, found {len(checkers)}"
        checker = checkers[0]
        assert _is_hidden(checker), f"{where}: hide the checker cell (metadata jupyter.source_hidden)"
        assert code.index(checker) == 0, f"{where}: the checker cell comes first, before the answer cell"
        assert checker.source.startswith(CHECKER_HEADER.format(n=k)), \
            f"{where}: the checker cell starts with {CHECKER_HEADER.format(n=k)!r}"
        assert not checker.outputs, f"{where}: the checker cell prints nothing"
        defined = {s.name: s for s in ast.parse(checker.source).body
                   if isinstance(s, ast.FunctionDef) and s.name.startswith("check_")}
        assert defined, f"{where}: the checker cell defines no check_<name>(answer) function"
        for name, fdef in defined.items():
            assert [a.arg for a in fdef.args.args] == ["answer"], f"{where}: {name} takes one argument, answer"
            assert CHECKER.search(ast.get_source_segment(checker.source, fdef)), \
                f"{where}: {name} must call a checker from helpers.exercises"
        assert answers, f"{where}: no visible answer cell"
        called = set()
        for cell in answers:
            assert not _is_hidden(cell), f"{where}: the answer cell must be visible"
            assert not CHECKER.search(cell.source), \
                f"{where}: the answer cell shows an exercises.check_* call (and so the answer): " \
                "move it into the checker cell"
            fname = _last_call(cell.source)[0]
            assert fname in defined, \
                f"{where}: the answer cell's last line must call a check_<name> function of the checker " \
                f"cell ({', '.join(sorted(defined))})"
            assert not cell.source.rstrip().splitlines()[-1].startswith("print("), \
                f"{where}: the answer cell ends with the bare call {fname}(...), not print(...)"
            called.add(fname)
        assert called == set(defined), \
            f"{where}: the checker cell defines {sorted(defined)} but the answer cells call {sorted(called)}"
        assert len(solutions) == 1, f"{where}: exactly one hidden solution cell (tag 'solution') is needed"
        sol = solutions[0]
        assert _is_hidden(sol), f"{where}: hide the solution cell (metadata jupyter.source_hidden)"
        assert code.index(sol) == len(code) - 1, f"{where}: the solution cell comes last"
        assert sol.source.startswith("# Solution"), f"{where}: a solution starts with '# Solution'"
        assert not CHECKER.search(sol.source), \
            f"{where}: the solution calls the checker cell's function, not exercises.check_* itself"
        assert _last_call(sol.source)[0] in defined, \
            f"{where}: the solution must end with a call of the checker cell's function"
        assert called <= _called_names(sol.source), \
            f"{where}: the solution must call every function the answer cells call ({sorted(called)})"
        text = book.output_text(sol)
        assert text.startswith("Correct") or "\nCorrect" in text, \
            f"{where}: the saved solution's verdict is not 'Correct':\n{text}"
        assert text.count("Correct") >= len(called), f"{where}: every check in the solution must read Correct"


def test_no_visible_cell_shows_a_checker_call(nb_path):
    """The expected value, the reference and the hints live in the hidden checker cells: no visible
    code cell calls exercises.check_* (except the introduction's demonstration of the verdicts,
    before its first exercise)."""
    nb = _nb(nb_path)
    first = next((i for i, c in enumerate(nb.cells)
                  if c.cell_type == "markdown" and EXERCISE.search(c.source)), len(nb.cells))
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code" or _is_hidden(c) or not CHECKER.search(c.source):
            continue
        assert nb_path == book.INTRO and i < first, \
            f"a visible code cell calls exercises.check_* and so shows the answer:\n{c.source[:300]}"


def test_interactive_figure_present_and_marked(nb_path):
    code = _code(_nb(nb_path))
    assert any("interactive_figure(" in c.source for c in code), \
        "every notebook needs at least one widgets.interactive_figure"
    for c in code:
        if "interactive_figure(" in c.source or "progress=True" in c.source:
            assert "nbval-ignore-output" in c.metadata.get("tags", []), \
                f"a cell that shows a widget must carry the tag 'nbval-ignore-output':\n{c.source[:200]}"


def test_test_machinery_out_of_sight(nb_path):
    for i, c in enumerate(_code(_nb(nb_path)), start=1):
        assert not re.match(r"\s*#\s*NBVAL_", c.source), \
            f"code cell {i} shows an nbval marker to the reader; use the cell tag instead " \
            "(tools/notebooks.py generate converts it)"
        if "solution" in c.metadata.get("tags", []):
            hidden = c.metadata.get("jupyter", {})
            assert hidden.get("source_hidden") and hidden.get("outputs_hidden"), \
                f"code cell {i} is a solution: hide its outputs as well as its code"
        if "checker" in c.metadata.get("tags", []):
            assert c.metadata.get("jupyter", {}).get("source_hidden"), \
                f"code cell {i} is an exercise checker: hide its code (jupyter.source_hidden)"


def test_saved_for_static_viewers(nb_path):
    """What is saved shows in every viewer: no widget views or widget state (they need a kernel),
    and every interactive figure's output holds the PNG of its figure at the initial values."""
    nb = _nb(nb_path)
    assert "widgets" not in nb.metadata, "saved widget state: save with tools/notebooks.py execute"
    for i, c in enumerate(_code(nb), start=1):
        assert not any(WIDGET_MIME in o.get("data", {}) for o in c.outputs), \
            f"code cell {i} saved a widget view: save with tools/notebooks.py execute"
        if re.search(r"^\s*(\w+\s*=\s*)?widgets\.interactive_figure\(", c.source, flags=re.M):
            assert any("image/png" in o.get("data", {}) for o in c.outputs), \
                f"code cell {i} shows an interactive figure but saved no image of it"


def test_saved_executed_top_to_bottom_without_errors(nb_path):
    nb = _nb(nb_path)
    code = _code(nb)
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), \
        "save the notebook executed top to bottom in one fresh kernel (tools/notebooks.py execute)"
    for i, c in enumerate(code, start=1):
        expected_error = "raises-exception" in c.metadata.get("tags", [])
        for o in c.outputs:
            if o.output_type == "error" and not expected_error:
                pytest.fail(f"code cell {i} was saved with an error: {o.ename}: {o.evalue}")
            assert not (o.output_type == "stream" and o.name == "stderr"), \
                f"code cell {i} writes to stderr (a warning?): {o.text[:300]}"
        assert "execution" not in c.metadata, f"code cell {i} carries timing metadata"


def test_random_numbers_are_seeded(nb_path):
    for c in _code(_nb(nb_path)):
        assert not re.search(r"np\.random\.(seed|rand|randn|randint|normal|uniform|choice|shuffle)\(",
                             c.source), \
            "use the seeded rng from the setup cell, not numpy's global random functions"


def test_links_to_other_notebooks_resolve(nb_path):
    """Every relative link to a notebook (and its #anchor, when it names a heading) points at
    something that exists, so renaming or renumbering a notebook cannot leave a dead link."""
    from urllib.parse import unquote
    nb = _nb(nb_path)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for m in re.finditer(r"\]\(([^)\s:]+?\.ipynb)(#[^)\s]*)?\)", cell.source):
            target = (nb_path.parent / unquote(m.group(1))).resolve()
            assert target.is_file(), f"link to a missing notebook: {m.group(0)}"
            anchor = unquote(m.group(2) or "")[1:]
            if anchor in ("Notation", "Contents"):
                headings = _markdown(_nb(target))
                assert re.search(rf"^#+ {anchor}\s*$", headings, flags=re.M), \
                    f"link to a missing heading: {m.group(0)}"
