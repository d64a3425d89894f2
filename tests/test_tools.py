"""tools/notebooks.py: generated navigation, Colab setup lines and contents."""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as book  # noqa: E402
import run  # noqa: E402

NB = book.NOTEBOOKS
ORDER = [book.INTRO, NB / "01_linear_algebra" / "01_a.ipynb", NB / "01_linear_algebra" / "02_b.ipynb",
         NB / "02_calculus" / "01_c.ipynb"]
TITLES = dict(zip(ORDER, ["Intro", "Vectors", "Matrices", "Derivatives"]))


def test_navigation_links_previous_contents_next():
    nav = book.nav_source(ORDER[2], ORDER, TITLES)
    assert "[&larr; Vectors](01_a.ipynb)" in nav
    assert "[Derivatives &rarr;](../02_calculus/01_c.ipynb)" in nav
    assert "[Contents](../00_introduction.ipynb#Contents)" in nav
    assert "Series 1: Linear algebra, notebook 2 of 2" in nav
    repo, _ = book.repository()
    assert f"colab.research.google.com/github/{repo}/blob/main/notebooks/01_linear_algebra/02_b.ipynb" in nav
    assert "labpath=notebooks%2F01_linear_algebra%2F02_b.ipynb" in nav


def test_first_and_last_have_no_dangling_links():
    assert "&larr;" not in book.nav_source(ORDER[0], ORDER, TITLES)
    assert "&rarr;" not in book.nav_source(ORDER[-1], ORDER, TITLES)


def test_generate_one_is_idempotent_and_keeps_the_authors_setup_lines():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Vectors\n\ntext"),
                nbformat.v4.new_code_cell("import numpy as np\nrng = np.random.default_rng(1)")]
    book.generate_one(nb, ORDER[1], ORDER, TITLES)
    once = nbformat.writes(nb)
    book.generate_one(nb, ORDER[1], ORDER, TITLES)
    assert nbformat.writes(nb) == once
    assert nb.cells[0].metadata["book"]["generated"] == "navigation"
    assert nb.cells[1].source.startswith("# Vectors")
    setup = nb.cells[2]
    assert setup.source.startswith(book.bootstrap_source())
    assert setup.source.endswith("import numpy as np\nrng = np.random.default_rng(1)")
    assert setup.metadata["tags"] == ["setup"]


def test_bootstrap_only_acts_on_colab():
    namespace = {}
    exec(book.bootstrap_source(), namespace)  # not on Colab: must not clone anything
    assert "subprocess" not in namespace
    assert book.repository()[1] in book.bootstrap_source()


def test_contents_groups_by_series():
    md = book.contents_markdown(ORDER, TITLES, book.README)
    lines = md.splitlines()
    assert lines[0] == "- [Intro](notebooks/00_introduction.ipynb)"
    assert lines[1] == "- **Series 1: Linear algebra**"
    assert lines[2] == "  - [Vectors](notebooks/01_linear_algebra/01_a.ipynb)"
    assert lines[4] == "- **Series 2: Calculus**"


def test_title_ignores_generated_cells():
    nb = nbformat.v4.new_notebook()
    nav = nbformat.v4.new_markdown_cell("# not this")
    nav.metadata["book"] = {"generated": "navigation"}
    nb.cells = [nav, nbformat.v4.new_markdown_cell("intro\n# The title\n")]
    assert book.title_of(nb) == "The title"
    assert book.title_of(nbformat.v4.new_notebook()) == "(untitled)"


def test_run_script_rejects_unknown_commands(capsys):
    assert run.main([]) == 2
    assert run.main(["serve"]) == 2
    assert "python3 tools/run.py lab" in capsys.readouterr().out


@pytest.mark.parametrize("uid, extra", [(1000, []), (0, ["--allow-root"])])
def test_lab_opens_the_introduction_and_allows_root_only_as_root(monkeypatch, uid, extra):
    launched = []
    monkeypatch.setattr(run, "ensure_env", lambda requirements: None)
    monkeypatch.setattr(run.os, "geteuid", lambda: uid, raising=False)
    monkeypatch.setattr(run.subprocess, "call", lambda cmd, cwd: launched.append(cmd) or 0)
    monkeypatch.setattr(run, "write_lab_overrides", lambda: None)
    assert run.main(["lab"]) == 0
    assert run.main(["lab", "notebooks/02_calculus", "--allow-root"]) == 0
    assert run.main(["lab", "--no-browser", "--port", "8899"]) == 0
    assert launched[0] == [str(run.PY), "-m", "jupyter", "lab", "notebooks/00_introduction.ipynb",
                           *extra]
    assert launched[1][-2:] == ["notebooks/02_calculus", "--allow-root"]   # never given twice
    assert "notebooks/02_calculus" in launched[1]
    assert "notebooks/00_introduction.ipynb" not in launched[1]
    # options alone still open the introduction (the README's `lab --no-browser`)
    assert launched[2] == [str(run.PY), "-m", "jupyter", "lab", "notebooks/00_introduction.ipynb",
                           "--no-browser", "--port", "8899", *extra]


def test_lab_overrides_switch_off_the_news_pop_up(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "VENV", tmp_path)
    run.write_lab_overrides()
    import json
    written = json.loads((tmp_path / "share/jupyter/lab/settings/overrides.json").read_text())
    assert written["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


@pytest.mark.parametrize("rest, workers", [
    ([], ["-n", str(run.test_workers()), "--dist", "loadscope"]),
    (["-m", "not browser"], ["-n", str(run.test_workers()), "--dist", "loadscope"]),
    (["-n", "1"], []), (["-n4"], []), (["-p", "no:xdist"], []), (["--numprocesses=2"], []),
])
def test_tests_run_on_every_core_unless_told_otherwise(rest, workers):
    assert run.pytest_command(rest) == [str(run.PY), "-m", "pytest", *workers, *rest]


@pytest.mark.parametrize("nodeid, unit", [
    # nbval's cells: the notebook (its cells run in order in one kernel)
    ("notebooks/00_introduction.ipynb::Cell 3", "notebooks/00_introduction.ipynb"),
    # a unit test module, and a class in one: the module, the class
    ("tests/test_linalg.py::test_solve[2]", "tests/test_linalg.py"),
    ("tests/test_nn.py::TestMLP::test_shapes", "tests/test_nn.py::TestMLP"),
    # a long test per notebook: the notebook, the same unit for the tests that share its kernel
    # run (tests/notebook_pass.py), whichever module they are in
    ("tests/test_exercise_cells.py::test_wrong_answers_get_not_yet_never_an_error[a/b.ipynb]",
     "tests/notebook_pass.py[a/b.ipynb]"),
    ("tests/test_exercise_cells.py::test_right_answers_are_correct_in_every_form[a/b.ipynb]",
     "tests/notebook_pass.py[a/b.ipynb]"),
    ("tests/test_redraw_equality.py::test_every_move_shows_what_a_fresh_draw_shows[a/b.ipynb]",
     "tests/notebook_pass.py[a/b.ipynb]"),
    ("tests/test_exercise_cells.py::test_variants_replace_exactly_the_placeholders",
     "tests/test_exercise_cells.py"),
    ("tests/browser/test_browser_lab.py::test_every_slider_in_jupyterlab[x.ipynb]",
     "tests/browser/test_browser_lab.py[x.ipynb]"),
    # the website's tests share one build: one unit
    ("tests/site/test_site.py::test_page[index.html]", "tests/site/test_site.py"),
], ids=["nbval-cell", "module", "class", "exercise-wrong", "exercise-right", "redraw",
        "exercise-plain", "lab", "site"])
def test_work_units_keep_notebooks_and_shared_builds_whole(nodeid, unit):
    assert root_conftest().work_unit(nodeid) == unit


def root_conftest():
    import importlib.util
    spec = importlib.util.spec_from_file_location("book_root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("command", ["frobnicate", ""])
def test_notebooks_script_rejects_unknown_commands(command, capsys):
    assert book.main([command] if command else []) == 2
    assert "generate" in capsys.readouterr().out


def test_output_text_joins_streams_and_plain_text_only():
    cell = nbformat.v4.new_code_cell("print(1); 2")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n"),
                    nbformat.v4.new_output("display_data", data={"text/plain": "<Figure>",
                                                                 "image/png": "iVBOR"}),
                    nbformat.v4.new_output("execute_result", data={"text/plain": "2"},
                                           execution_count=1),
                    nbformat.v4.new_output("error", ename="E", evalue="v", traceback=[])]
    assert book.output_text(cell) == "1\n\n<Figure>\n2"
    assert book.output_text(nbformat.v4.new_markdown_cell("# no outputs")) == ""
