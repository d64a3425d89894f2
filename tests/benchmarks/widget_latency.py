#!/usr/bin/env python3
"""How fast every slider of the book redraws: from a value change to the redrawn figure, in a kernel.

    python tests/benchmarks/widget_latency.py                  # every notebook of the book
    python tests/benchmarks/widget_latency.py notebooks/00_introduction.ipynb ...

Each notebook runs top to bottom in a fresh kernel of this interpreter (as tools/notebooks.py
executes it). Then, in that kernel, every control of every interactive figure still alive
(``helpers.widgets.live_figures()``) is set to several values across its range, ends included,
and back to where it was. Setting a control's value is what a reader's move does in the kernel:
the figure's observer redraws it and sends the new PNG to the page before the assignment returns,
so the time of the assignment is the time from the value change to the redrawn image.

Prints, per notebook, the median and worst redraw time (wall clock) and the median CPU time of
the kernel (which depends less on what else the machine is doing); then the controls that are
slow (median over 100 ms or worst over 250 ms) and any redraw that failed; and as its LAST line
one JSON object with ``median_ms`` and ``worst_ms`` over all redraws of the book (and the targets,
counts, and whether the book is within target). Exits with status 1 if a redraw failed (the figure
showed an error), 0 otherwise: slowness is reported, not enforced.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.setdefault("PYTHONHASHSEED", "0")

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as book  # noqa: E402  (tools/notebooks.py)

TARGET_MEDIAN_MS = 100.0
TARGET_WORST_MS = 250.0

# Runs in the notebook's kernel after its last cell; prints one JSON list of measurements.
PROBE = r'''
def _book_widget_latency(points):
    import json, time, traceback
    import ipywidgets
    from helpers import widgets

    def targets(w):
        """Values across the control's range (ends included), then its starting value."""
        start = w.value
        if isinstance(w, ipywidgets.FloatLogSlider):
            exps = [w.min + (w.max - w.min) * k / (points - 1) for k in range(points)]
            values = [w.base ** e for e in exps]
        elif isinstance(w, (ipywidgets.IntSlider, ipywidgets.FloatSlider)):
            n = round((w.max - w.min) / w.step)
            ks = sorted({round(n * k / (points - 1)) for k in range(points)})
            values = [w.min + k * w.step for k in ks]
            values = [int(v) if isinstance(w, ipywidgets.IntSlider) else min(v, w.max) for v in values]
        elif hasattr(w, "options") and hasattr(w, "index") and not isinstance(w.index, tuple):
            return [("index", i) for i in range(len(w.options))] + [("index", w.index)]
        elif isinstance(start, bool):
            values = [not start]
        else:
            return None
        return [("value", v) for v in values] + [("value", start)]

    found = []
    for i, fig in enumerate(widgets.live_figures(), start=1):
        for name, w in fig.controls.items():
            plan = targets(w)
            if plan is None:
                found.append({"figure": i, "control": name, "skipped": type(w).__name__})
                continue
            for attr, v in plan:
                if getattr(w, attr) == v:
                    continue
                before = fig.redraws
                t0, c0 = time.perf_counter(), time.process_time()
                setattr(w, attr, v)
                ms = (time.perf_counter() - t0) * 1000
                cpu_ms = (time.process_time() - c0) * 1000
                error = fig.error.strip().splitlines()[-1] if fig.error else None
                found.append({"figure": i, "control": name, "value": repr(w.value), "ms": ms,
                              "cpu_ms": cpu_ms, "redrawn": fig.redraws > before, "error": error})
    print(json.dumps(found))
'''


def measure(path: Path, points: int, nb=None, cwd: Path | None = None) -> tuple[float, list[dict]]:
    """Execute ``path`` in a fresh kernel and time every control's redraws; (seconds, records).

    ``nb`` is the notebook to run (default: read from ``path``; its outputs are filled in) and
    ``cwd`` the kernel's working folder (default: the notebook's folder)."""
    nb = nbformat.read(path, as_version=4) if nb is None else nb
    km = book.kernel_manager()
    client = NotebookClient(nb, km=km, timeout=600, record_timing=False,
                            resources={"metadata": {"path": str(cwd or path.parent)}})
    t0 = time.perf_counter()
    try:
        with client.setup_kernel(cleanup_kc=True):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
            seconds = time.perf_counter() - t0
            probe = nbformat.v4.new_code_cell(PROBE + f"\n_book_widget_latency({points})")
            nb.cells.append(probe)
            client.execute_cell(probe, len(nb.cells) - 1)
    finally:
        if km.has_kernel:   # a kernel manager handed to nbclient is not shut down by it
            km.shutdown_kernel(now=True)
    out = "".join(o.get("text", "") for o in probe.outputs
                  if o.output_type == "stream" and o.name == "stdout")
    return seconds, json.loads(out.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook of the book")
    parser.add_argument("--points", type=int, default=6,
                        help="values per slider across its range, ends included (default 6)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or book.notebook_paths()

    every, every_cpu, slow, failed, skipped = [], [], [], [], []
    print(f"{'median':>8} {'worst':>8} {'cpu med':>8} {'redraws':>8}  {'run':>6}  notebook",
          flush=True)
    for path in paths:
        name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        try:
            seconds, records = measure(path, args.points)
        except Exception as exc:   # the notebook itself fails: that is nbval's to report in detail
            failed.append(f"{name}: the notebook did not run: {type(exc).__name__}: "
                          f"{str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}")
            print(f"{'-':>8} {'-':>8} {'-':>8} {'-':>8}  {'-':>6}  {name}  (did not run)", flush=True)
            continue
        timed = [r for r in records if "ms" in r]
        skipped += [f"{name}: figure {r['figure']} control {r['control']!r} ({r['skipped']})"
                    for r in records if "skipped" in r]
        for r in timed:
            if r["error"]:
                failed.append(f"{name}: figure {r['figure']} {r['control']} = {r['value']}: "
                              f"{r['error']}")
            elif not r["redrawn"]:
                failed.append(f"{name}: figure {r['figure']} {r['control']} = {r['value']}: "
                              "the value changed but the figure was not redrawn")
        ms = [r["ms"] for r in timed]
        every += ms
        every_cpu += [r["cpu_ms"] for r in timed]
        if not ms:
            print(f"{'-':>8} {'-':>8} {'-':>8} {0:>8}  {seconds:5.1f}s  {name}  (no interactive "
                  "figure)", flush=True)
            continue
        cpu = statistics.median(r["cpu_ms"] for r in timed)
        print(f"{statistics.median(ms):6.0f}ms {max(ms):6.0f}ms {cpu:6.0f}ms {len(ms):>8}  "
              f"{seconds:5.1f}s  {name}", flush=True)
        controls = {}
        for r in timed:
            controls.setdefault((r["figure"], r["control"]), []).append(r["ms"])
        for (fig, control), values in controls.items():
            med, worst = statistics.median(values), max(values)
            if med > TARGET_MEDIAN_MS or worst > TARGET_WORST_MS:
                slow.append(f"{name}: figure {fig} {control!r}: median {med:.0f} ms, worst "
                            f"{worst:.0f} ms over {len(values)} redraws")

    if slow:
        print(f"\nslow controls (median over {TARGET_MEDIAN_MS:.0f} ms or worst over "
              f"{TARGET_WORST_MS:.0f} ms):")
        print("\n".join(f"  {s}" for s in slow))
    if skipped:
        print("\ncontrols not measured (a kind the benchmark does not know how to move):")
        print("\n".join(f"  {s}" for s in skipped))
    if failed:
        print("\nfailures:")
        print("\n".join(f"  {s}" for s in failed))
    median = statistics.median(every) if every else None
    worst = max(every) if every else None
    summary = {
        "median_ms": round(median, 1) if median is not None else None,
        "worst_ms": round(worst, 1) if worst is not None else None,
        "median_cpu_ms": round(statistics.median(every_cpu), 1) if every_cpu else None,
        "worst_cpu_ms": round(max(every_cpu), 1) if every_cpu else None,
        "target_median_ms": TARGET_MEDIAN_MS, "target_worst_ms": TARGET_WORST_MS,
        "within_target": bool(every) and median <= TARGET_MEDIAN_MS and worst <= TARGET_WORST_MS,
        "notebooks": len(paths), "redraws": len(every), "slow_controls": len(slow),
        "failures": len(failed),
    }
    print(json.dumps(summary), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
