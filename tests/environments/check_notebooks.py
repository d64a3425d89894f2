#!/usr/bin/env python3
"""Run the book's notebooks in THIS interpreter's environment and check what a reader would see.

    python tests/environments/check_notebooks.py [--colab] [NOTEBOOK ...]   # default: every notebook

Used by tools/environments.py to test the environments a reader meets besides the pinned .venv
(Colab's versions, the lower bounds of pyproject.toml, a Binder build). Each notebook runs top to
bottom in a fresh kernel of this interpreter; then every control of every interactive figure is
moved across its range (the probe of tests/benchmarks/widget_latency.py). A notebook passes when
no cell shows an error, nothing is written to stderr (warnings included), and every move redraws
its figure without an error. Saved outputs are not compared: other library versions print other
digits and reprs, which is nbval's business in the pinned environment only.

--colab runs the notebooks as Colab does: the kernel works in an empty folder outside the
repository, ``google.colab`` is importable, and helpers is not installed, so the setup cell's
Colab branch runs for real. The only change is where it clones from: this repository's committed
HEAD (a local path) instead of the URL in pyproject.toml, into a fresh folder instead of
/content/mfdl.

The last line is "N passed, M failed"; the exit status is 1 if any notebook failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")   # a debugger notice of old ipykernels
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
import nbformat  # noqa: E402

import notebooks as book  # noqa: E402  (tools/notebooks.py)
from widget_latency import measure  # noqa: E402

COLAB_STAND_IN = ("import sys, types\n"
                  "sys.modules.setdefault('google', types.ModuleType('google'))\n"
                  "sys.modules['google.colab'] = types.ModuleType('google.colab')")


def as_on_colab(nb, clone_dir: Path) -> None:
    """Make ``nb`` run as on Colab, cloning this repository into ``clone_dir``."""
    _, url = book.repository()
    setup = next(c for c in nb.cells if c.cell_type == "code")
    source = setup.source.replace(url, ROOT.as_uri()).replace(book.COLAB_DIR, clone_dir.as_posix())
    if source == setup.source:
        raise SystemExit("the setup cell no longer has the generated Colab lines to exercise")
    setup.source = source
    nb.cells.insert(0, nbformat.v4.new_code_cell(COLAB_STAND_IN))


def problems(nb) -> list[str]:
    """Errors and stderr output of the executed notebook ``nb``."""
    found = []
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        expected_error = "raises-exception" in cell.metadata.get("tags", [])
        for o in cell.get("outputs", []):
            if o.output_type == "error" and not expected_error:
                found.append(f"cell {i}: {o.ename}: {o.evalue}")
            if o.output_type == "stream" and o.name == "stderr":
                found.append(f"cell {i} wrote to stderr: {o.text.strip()[:300]}")
    return found


def check(path: Path, colab: bool) -> tuple[bool, str]:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="book-env-") as tmp:
        cwd = None
        if colab:
            as_on_colab(nb, Path(tmp) / "mfdl")
            cwd = Path(tmp)
        t0 = time.perf_counter()
        try:
            _, records = measure(path, points=3, nb=nb, cwd=cwd)
        except Exception as exc:   # a cell raised: nbclient stops there
            found = problems(nb) or [f"{type(exc).__name__}: {str(exc).strip()[-500:]}"]
            return False, "; ".join(found)
        seconds = time.perf_counter() - t0
    found = problems(nb)
    moved = [r for r in records if "ms" in r]
    found += [f"figure {r['figure']} {r['control']} = {r['value']}: {r['error']}"
              for r in moved if r["error"]]
    found += [f"figure {r['figure']} {r['control']} = {r['value']}: not redrawn"
              for r in moved if not r["error"] and not r["redrawn"]]
    figures = len({r["figure"] for r in records})
    summary = f"{seconds:5.1f} s, {figures} interactive figures, {len(moved)} redraws"
    return not found, summary if not found else summary + ": " + "; ".join(found)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--colab", action="store_true", help="run as on Colab (see above)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks run at the same time (default: one per core)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or book.notebook_paths()
    import ipywidgets
    import matplotlib
    import numpy
    print(f"Python {sys.version.split()[0]}, numpy {numpy.__version__}, matplotlib "
          f"{matplotlib.__version__}, ipywidgets {ipywidgets.__version__}"
          f"{' (as on Colab)' if args.colab else ''}", flush=True)
    passed = failed = 0
    # each notebook runs in its own kernel process (one BLAS thread): one at a time per core
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(check, path, args.colab): path for path in paths}
        for future in as_completed(futures):
            ok, text = future.result()
            passed, failed = passed + ok, failed + (not ok)
            print(f"{'ok  ' if ok else 'FAIL'}  {futures[future].relative_to(ROOT)}: {text}",
                  flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
