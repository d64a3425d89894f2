#!/usr/bin/env python3
"""How fast every slider of the book redraws: from a value change to the redrawn figure, in a kernel.

    python tests/benchmarks/widget_latency.py                  # every notebook of the book
    python tests/benchmarks/widget_latency.py notebooks/00_introduction.ipynb ...
    python tests/benchmarks/widget_latency.py --records out.json   # also every measurement, raw

Each notebook runs top to bottom in a fresh kernel of this interpreter (as tools/notebooks.py
executes it). Then, in that kernel, every control of every interactive figure still alive
(``helpers.widgets.live_figures()``) is set to several values across its range, ends included,
and back to where it was. Setting a control's value is what a reader's move does in the kernel:
the figure's observer redraws it and sends the new PNG to the page before the assignment returns,
so the time of the assignment is the time from the value change to the redrawn image.

Prints, per notebook, the median and worst redraw time (wall clock) and the median CPU time of
the kernel's main thread (which depends far less on what else the machine is doing than wall
time); under it, per figure, the median and worst and where the median redraw's time goes: the
phases the figure reports (``InteractiveFigure.timing``: ``setup`` of the figure and its axes,
the notebook's ``draw`` code, matplotlib's layout and rasterizing ``render``, PNG ``encode``,
``send`` to the page, or ``cache`` when the frame had been drawn before), each as wall/CPU ms.
Then the same breakdown over the whole book; the figures and controls that are slow; any redraw
that failed; and as its LAST line one JSON object with ``median_ms`` and ``worst_ms`` over all
redraws of the book (with CPU times, the breakdown, the targets, counts, and whether the book is
within target). Exits with status 1 if a redraw failed (the figure showed an error), 0
otherwise: slowness is reported, not enforced.

The targets (on a quiet 2-core machine): median at most 30 ms and worst at most 100 ms over all
redraws of the book, and no figure's own median above 60 ms.
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

TARGET_MEDIAN_MS = 30.0
TARGET_WORST_MS = 100.0
TARGET_FIGURE_MEDIAN_MS = 60.0
PHASES = ("setup", "draw", "render", "encode", "cache", "send", "other")

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
                fig.timing = {}
                t0, c0, p0 = time.perf_counter(), time.thread_time(), time.process_time()
                setattr(w, attr, v)
                ms = (time.perf_counter() - t0) * 1000
                cpu_ms = (time.thread_time() - c0) * 1000
                process_ms = (time.process_time() - p0) * 1000
                phases = {k: list(t) for k, t in (getattr(fig, "timing", None) or {}).items()}
                phases["other"] = [ms - sum(t[0] for t in phases.values()),
                                   cpu_ms - sum(t[1] for t in phases.values())]
                error = fig.error.strip().splitlines()[-1] if fig.error else None
                found.append({"figure": i, "name": getattr(fig.draw, "__name__", "?"),
                              "control": name, "value": repr(w.value), "ms": ms,
                              "cpu_ms": cpu_ms, "process_ms": process_ms, "phases": phases,
                              "redrawn": fig.redraws > before, "error": error})
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


def breakdown(records: list[dict]) -> dict[str, tuple[float, float]]:
    """Per phase, the mean wall and CPU ms per redraw over ``records`` (so the phases add up to
    the mean redraw)."""
    n = max(1, len(records))
    out = {}
    for phase in PHASES:
        wall = sum(r["phases"].get(phase, (0.0, 0.0))[0] for r in records)
        cpu = sum(r["phases"].get(phase, (0.0, 0.0))[1] for r in records)
        if any(phase in r["phases"] for r in records):
            out[phase] = (wall / n, cpu / n)
    return out


def show_breakdown(parts: dict[str, tuple[float, float]]) -> str:
    return "  ".join(f"{phase} {wall:.0f}/{cpu:.0f}" for phase, (wall, cpu) in parts.items())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook of the book")
    parser.add_argument("--points", type=int, default=6,
                        help="values per slider across its range, ends included (default 6)")
    parser.add_argument("--records", type=Path, default=None,
                        help="write every measurement (with its phases) to this JSON file")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or book.notebook_paths()

    every, slow, failed, skipped, figure_medians = [], [], [], [], []
    print(f"{'median':>8} {'worst':>8} {'cpu med':>8} {'redraws':>8}  {'run':>6}  notebook",
          flush=True)
    print(f"{'':>45}  per figure: median, worst, cpu median; mean ms per redraw by phase "
          "(wall/cpu)", flush=True)
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
            r["notebook"] = name
            if r["error"]:
                failed.append(f"{name}: figure {r['figure']} {r['control']} = {r['value']}: "
                              f"{r['error']}")
            elif not r["redrawn"]:
                failed.append(f"{name}: figure {r['figure']} {r['control']} = {r['value']}: "
                              "the value changed but the figure was not redrawn")
        every += timed
        ms = [r["ms"] for r in timed]
        if not ms:
            print(f"{'-':>8} {'-':>8} {'-':>8} {0:>8}  {seconds:5.1f}s  {name}  (no interactive "
                  "figure)", flush=True)
            continue
        cpu = statistics.median(r["cpu_ms"] for r in timed)
        print(f"{statistics.median(ms):6.0f}ms {max(ms):6.0f}ms {cpu:6.0f}ms {len(ms):>8}  "
              f"{seconds:5.1f}s  {name}", flush=True)
        figures = {}
        for r in timed:
            figures.setdefault((r["figure"], r["name"]), []).append(r)
        for (fig, draw), rs in figures.items():
            values = [r["ms"] for r in rs]
            med = statistics.median(values)
            figure_medians.append(med)
            print(f"{'':>10}{med:6.0f}ms {max(values):6.0f}ms "
                  f"{statistics.median(r['cpu_ms'] for r in rs):6.0f}ms  figure {fig} ({draw}): "
                  f"{show_breakdown(breakdown(rs))}", flush=True)
            if med > TARGET_FIGURE_MEDIAN_MS:
                slow.append(f"{name}: figure {fig} ({draw}): median {med:.0f} ms over "
                            f"{len(values)} redraws")
        controls = {}
        for r in timed:
            controls.setdefault((r["figure"], r["control"]), []).append(r["ms"])
        for (fig, control), values in controls.items():
            worst = max(values)
            if worst > TARGET_WORST_MS:
                slow.append(f"{name}: figure {fig} {control!r}: worst {worst:.0f} ms, median "
                            f"{statistics.median(values):.0f} ms over {len(values)} redraws")

    if args.records is not None:
        args.records.write_text(json.dumps(every, indent=0))
    if every:
        parts = breakdown(every)
        print(f"\nwhere a redraw's time goes, mean ms per redraw over the book (wall/cpu): "
              f"{show_breakdown(parts)}")
        mean_wall = sum(w for w, _ in parts.values())
        mean_cpu = sum(c for _, c in parts.values())
        print("  shares of the wall (cpu) time: " + "  ".join(
            f"{phase} {100 * w / mean_wall:.0f}% ({100 * c / max(mean_cpu, 1e-9):.0f}%)"
            for phase, (w, c) in parts.items()))
        cached = [r for r in every if "cache" in r["phases"]]
        if cached:
            cold = [r["ms"] for r in every if "cache" not in r["phases"]]
            print(f"  {len(cached)} of {len(every)} redraws were frames drawn before (median "
                  f"{statistics.median(r['ms'] for r in cached):.1f} ms); the others: median "
                  f"{statistics.median(cold) if cold else float('nan'):.0f} ms, worst "
                  f"{max(cold) if cold else float('nan'):.0f} ms")
    if slow:
        print(f"\nslow (a figure's median over {TARGET_FIGURE_MEDIAN_MS:.0f} ms, or a control's "
              f"worst over {TARGET_WORST_MS:.0f} ms):")
        print("\n".join(f"  {s}" for s in slow))
    if skipped:
        print("\ncontrols not measured (a kind the benchmark does not know how to move):")
        print("\n".join(f"  {s}" for s in skipped))
    if failed:
        print("\nfailures:")
        print("\n".join(f"  {s}" for s in failed))
    ms = [r["ms"] for r in every]
    cpu = [r["cpu_ms"] for r in every]
    median = statistics.median(ms) if ms else None
    worst = max(ms) if ms else None
    worst_figure = max(figure_medians) if figure_medians else None
    summary = {
        "median_ms": round(median, 1) if median is not None else None,
        "worst_ms": round(worst, 1) if worst is not None else None,
        "worst_figure_median_ms": round(worst_figure, 1) if worst_figure is not None else None,
        "median_cpu_ms": round(statistics.median(cpu), 1) if cpu else None,
        "worst_cpu_ms": round(max(cpu), 1) if cpu else None,
        "breakdown_ms": {phase: [round(w, 1), round(c, 1)]
                         for phase, (w, c) in breakdown(every).items()} if every else {},
        "target_median_ms": TARGET_MEDIAN_MS, "target_worst_ms": TARGET_WORST_MS,
        "target_figure_median_ms": TARGET_FIGURE_MEDIAN_MS,
        "within_target": bool(ms) and median <= TARGET_MEDIAN_MS and worst <= TARGET_WORST_MS
        and worst_figure <= TARGET_FIGURE_MEDIAN_MS,
        "notebooks": len(paths), "figures": len(figure_medians), "redraws": len(ms),
        "cached_redraws": sum("cache" in r["phases"] for r in every),
        "slow": len(slow), "failures": len(failed),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
    print(json.dumps(summary), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
