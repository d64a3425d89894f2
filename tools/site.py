#!/usr/bin/env python3
"""Build the book's website: every notebook a page, and sliders that move with no kernel.

    python3 tools/run.py site                       # the whole book into build/site/html
    python3 tools/run.py site --serve               # serve build/site/html on http://127.0.0.1:8000
    python3 tools/run.py site --subset              # the test subset (SUBSET below) only
    python3 tools/run.py site --only notebooks/02_calculus/01_derivatives.ipynb ...

Run with the book's environment (``.venv/bin/python tools/site.py``; ``tools/run.py site`` does it
and prepares ``.venv-site``, where Sphinx runs). Steps:

1. Stage: copy the notebooks into ``build/site/src`` with the repository's folder layout (so the
   notebooks' relative links resolve to pages) and adapt the copies for the web: the generated
   navigation cell is dropped (the theme's sidebar, previous/next links and launch buttons take its
   place), the Colab-only lines of the setup cell are dropped, the hidden exercise checker cells
   are dropped (a page has no kernel to run them, and they hold the answers), solution cells are
   folded behind a "Show solution" toggle, links to files outside ``notebooks/`` point at the repository, and every
   interactive figure's output becomes the HTML of a static slider (below). ``site/index.md`` gets
   the book's contents as tables of contents, one per series.
2. Frames: every notebook with an interactive figure runs top to bottom in a kernel of the book's
   environment (as ``tools/notebooks.py execute`` runs it). After each cell the kernel reports the
   figures that cell created, so each figure is matched to the output that shows it. Then each
   figure is drawn, with its own drawing function, over a grid of control positions (every step of
   a single slider with at most SINGLE_MAX positions, a coarser grid per slider otherwise, at most
   FRAME_CAP frames per figure; every option of a dropdown or checkbox), and each frame is saved as
   a palette PNG with a manifest (``manifest.json``: the controls, their positions and labels, and
   per position the frame's file and text). Controls are restored afterwards. The same sources give
   the same bytes. The image shown before any interaction is the notebook's saved PNG.
3. Sphinx (myst-nb, sphinx-book-theme, site/conf.py) builds the pages from the saved outputs, with
   no execution; MathJax, the theme's scripts and the search index are served by the site itself.
4. Budgets, measured on the output and printed: the initial weight of every page (the HTML and
   everything it loads before any interaction) at most PAGE_BUDGET, the frames of one figure at
   most FIGURE_BUDGET, the whole site at most SITE_BUDGET. Exit status 1 if a budget is exceeded
   or a step failed.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import html
import http.server
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as book  # noqa: E402  (tools/notebooks.py)

SITE = ROOT / "site"
OUT = ROOT / "build" / "site"
SITE_PY = ROOT / ".venv-site" / ("Scripts" if os.name == "nt" else "bin") / (
    "python.exe" if os.name == "nt" else "python")
FIGURE_MARK = "[interactive figure"
FRAMES_DIR = "_frames"

# The representative subset that the test suite builds (`--subset`): the introduction (the index's
# source, the notation every page links to, a two-slider figure), a notebook with a slider, a
# dropdown and a checkbox in one figure and a single 28-step slider in another, and one with a
# logarithmic slider, a fine slider with a .3f readout and a checkbox. Together they cover every
# kind of control the book uses except the selection slider (same code path as a slider over
# positions) and every kind of page element (maths, static figures, folded solutions, links).
SUBSET = ["notebooks/00_introduction.ipynb",
          "notebooks/01_linear_algebra/05_eigenvalues_and_svd.ipynb",
          "notebooks/03_probability/03_bayes_rule.ipynb"]

SINGLE_MAX = 61         # a single slider with at most this many positions gets every one
SINGLE_COARSE = 41      # positions of a single slider with more
FRAME_CAP = 64          # frames per figure with several controls (but 3 positions per slider at least)
PAGE_BUDGET = 2_000_000
FIGURE_BUDGET = 3_000_000
SITE_BUDGET = 250_000_000


# --------------------------------------------------------------------------------------------
# Frames, rendered in the notebook's kernel

# Runs in the kernel after every cell: the live figures not reported before, with the SHA-256 of
# their first PNG (what the saved notebook shows).
PROBE = r'''
def _book_site_probe():
    import hashlib, json
    from helpers import widgets as _w
    seen = globals().setdefault("_book_site_seen", set())
    new = []
    for f in _w.live_figures():
        if id(f) not in seen:
            seen.add(id(f))
            new.append([id(f), hashlib.sha256(f.png).hexdigest()])
            # the values the figure was shown with (a later cell may move its controls)
            globals().setdefault("_book_site_initial", {})[id(f)] = {
                n: (w.value, getattr(w, "index", None)) for n, w in f.controls.items()}
    print(json.dumps(new))
_book_site_probe()
'''

# Runs in the kernel once per figure; writes the frames and the manifest, prints a JSON summary.
RENDER = r'''
def _book_site_render(fig_id, outdir, single_max, single_coarse, cap, cap_all):
    import io, itertools, json, math, os
    import ipywidgets as ipw
    from PIL import Image
    from helpers import widgets as _w

    fig = next(f for f in _w.live_figures() if id(f) == fig_id)
    shown = globals().get("_book_site_initial", {}).get(fig_id, {})

    def clean(v):
        return float(f"{v:.12g}")

    def even(n, k, init):
        """k of the indices 0..n-1 spread evenly, ends and the initial index included."""
        if n <= k:
            return list(range(n))
        picks = sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})
        if init not in picks:   # the nearest inner position moves to the initial one
            inner = [p for p in picks if 0 < p < n - 1] or picks
            picks.remove(min(inner, key=lambda p: abs(p - init)))
            picks = sorted(set(picks) | {init})
        return picks

    def describe(name, w):
        """The control's positions and the index of the one it was shown at."""
        value, index = shown.get(name, (w.value, getattr(w, "index", None)))
        if isinstance(w, ipw.FloatLogSlider):
            n = round((w.max - w.min) / w.step) + 1
            exps = [w.min + i * w.step for i in range(n)]
            values = [clean(w.base ** e) for e in exps]
            init = min(range(n), key=lambda i: abs(exps[i] - math.log(value, w.base)))
            fmt = w.readout_format
            return dict(kind="slider", values=values, init=init, fmt=fmt, set="value")
        if isinstance(w, (ipw.IntSlider, ipw.FloatSlider)):
            n = round((w.max - w.min) / w.step) + 1
            if isinstance(w, ipw.IntSlider):
                values = [int(w.min + i * w.step) for i in range(n)]
            else:
                values = [min(clean(w.min + i * w.step), w.max) for i in range(n)]
            init = min(range(n), key=lambda i: abs(values[i] - value))
            return dict(kind="slider", values=values, init=init, fmt=w.readout_format, set="value")
        if isinstance(w, ipw.SelectionSlider):
            return dict(kind="slider", values=list(range(len(w.options))), init=index,
                        labels=list(w._options_labels), set="index")
        if isinstance(w, (ipw.Dropdown, ipw.RadioButtons, ipw.ToggleButtons, ipw.Select)):
            return dict(kind="dropdown", values=list(range(len(w.options))), init=index,
                        labels=list(w._options_labels), set="index")
        if isinstance(w, (ipw.Checkbox, ipw.ToggleButton)):
            return dict(kind="checkbox", values=[False, True], init=int(bool(value)),
                        labels=["off", "on"], set="value")
        return dict(kind="unsupported", widget=type(w).__name__)

    specs = {name: describe(name, w) for name, w in fig.controls.items()}
    bad = {n: s["widget"] for n, s in specs.items() if s["kind"] == "unsupported"}
    if bad:
        print(json.dumps({"static": True, "unsupported": bad}))
        return
    sliders = [n for n, s in specs.items() if s["kind"] == "slider"]
    choices = math.prod(len(s["values"]) for s in specs.values() if s["kind"] != "slider")
    if len(specs) == 1 and sliders:
        s = specs[sliders[0]]
        k = len(s["values"]) if len(s["values"]) <= single_max else single_coarse
        s["pick"] = even(len(s["values"]), min(k, cap_all), s["init"])
    else:
        # at least the two ends and the initial position of every slider (so 81 frames for
        # four sliders), else as many positions per slider as the cap allows; a smaller cap
        # given for a quick build (--max-frames) may leave two
        least = 3 if cap_all >= cap else 2
        cap = min(cap, cap_all)
        per = max(least, int((cap / max(1, choices)) ** (1 / max(1, len(sliders))) + 1e-9))
        for n in sliders:
            s = specs[n]
            s["pick"] = even(len(s["values"]), per, s["init"])
    for s in specs.values():
        s.setdefault("pick", list(range(len(s["values"]))))

    def label(s, i):
        if "labels" in s:
            return str(s["labels"][i])
        v = s["values"][i]
        try:
            return format(v, s["fmt"]) if s.get("fmt") else str(v)
        except (TypeError, ValueError):
            return str(v)

    names = list(specs)
    start = {n: (fig.controls[n].index if specs[n]["set"] == "index" else fig.controls[n].value)
             for n in names}
    for w in fig.controls.values():
        w.unobserve(fig._on_change, names="value")
    os.makedirs(outdir, exist_ok=True)
    frames, total = [], 0
    try:
        for combo in itertools.product(*[specs[n]["pick"] for n in names]):
            for n, i in zip(names, combo):
                setattr(fig.controls[n], specs[n]["set"], specs[n]["values"][i])
            fig.redraw()
            if fig.error is not None:
                raise RuntimeError(f"redraw at {dict(zip(names, combo))} failed:\n{fig.error}")
            im = Image.open(io.BytesIO(fig.png)).convert("RGB")
            im = im.quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                             dither=Image.Dither.NONE)
            buf = io.BytesIO()
            im.save(buf, format="PNG", compress_level=9)
            src = f"f{len(frames):03d}.png"
            with open(os.path.join(outdir, src), "wb") as fh:
                fh.write(buf.getvalue())
            total += len(buf.getvalue())
            frames.append({"src": src, "text": fig.text})
    finally:
        for n in names:
            setattr(fig.controls[n], specs[n]["set"], start[n])
        for w in fig.controls.values():
            w.observe(fig._on_change, names="value")
        fig.redraw()
    controls = []
    for n in names:
        s = specs[n]
        controls.append({"name": n, "label": fig.controls[n].description or n, "kind": s["kind"],
                         "labels": [label(s, i) for i in s["pick"]],
                         "values": [s["values"][i] if s["set"] == "value" else i
                                    for i in s["pick"]],
                         "initial": s["pick"].index(s["init"])})
    manifest = {"controls": controls, "frames": frames}
    with open(os.path.join(outdir, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=0, sort_keys=True)
    print(json.dumps({"static": False, "frames": len(frames), "bytes": total}))
'''


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs
                   if o.output_type == "stream" and o.name == "stdout")


def render_frames(path: Path, jobs: list[tuple[int, Path]], log, max_frames: int = 10 ** 6
                  ) -> list[dict]:
    """Run ``path`` in a fresh kernel and render the frames of its figures.

    ``jobs`` are (index of the figure's output among the notebook's interactive outputs, folder
    for its frames). Returns, per job, the kernel's summary (``{"static": bool, ...}``)."""
    from nbclient import NotebookClient

    saved = nbformat.read(path, as_version=4)
    # which interactive outputs each cell shows (by the SHA-256 of their saved PNG)
    shown: list[tuple[int, str | None]] = []
    for index, cell in enumerate(saved.cells):
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if str(data.get("text/plain", "")).startswith(FIGURE_MARK):
                png = data.get("image/png")
                shown.append((index, hashlib.sha256(base64.b64decode(png)).hexdigest()
                              if png else None))
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    km = book.kernel_manager()
    client = NotebookClient(nb, km=km, timeout=600, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    created: dict[int, list[tuple[int, str]]] = {}
    results = []
    try:
        with client.setup_kernel(cleanup_kc=True):
            extra = len(nb.cells)   # a scratch cell at the end for the probes and the rendering
            cells = list(nb.cells)
            nb.cells.append(nbformat.v4.new_code_cell(""))
            for index, cell in enumerate(cells):
                if cell.cell_type != "code":
                    continue
                client.execute_cell(cell, index)
                probe = nbformat.v4.new_code_cell(PROBE)
                client.execute_cell(probe, extra)
                new = json.loads(_stdout(probe).strip().splitlines()[-1])
                if new:
                    created[index] = [tuple(x) for x in new]
            # match each shown output to a figure: the figure of the same cell, in order, whose
            # first PNG is the saved one; else the cell's figures in order; else any figure with
            # the saved PNG
            every = [f for figs in created.values() for f in figs]
            used: set[int] = set()
            matched: list[int | None] = []
            for index, sha in shown:
                here = [f for f in created.get(index, []) if f[0] not in used]
                pick = (next((f for f in here if f[1] == sha), None)
                        or (here[0] if here else None)
                        or next((f for f in every if f[1] == sha and f[0] not in used), None))
                if pick is not None:
                    used.add(pick[0])
                matched.append(pick[0] if pick else None)
            define = nbformat.v4.new_code_cell(RENDER)
            client.execute_cell(define, extra)
            for k, folder in jobs:
                fig_id = matched[k] if k < len(matched) else None
                if fig_id is None:
                    results.append({"static": True, "unsupported": {},
                                    "reason": "no live figure matches this output"})
                    continue
                shutil.rmtree(folder, ignore_errors=True)
                call = nbformat.v4.new_code_cell(
                    f"_book_site_render({fig_id}, {str(folder)!r}, {SINGLE_MAX}, "
                    f"{SINGLE_COARSE}, {FRAME_CAP}, {max_frames})")
                t0 = time.perf_counter()
                client.execute_cell(call, extra)
                errors = [o for o in call.outputs if o.output_type == "error"]
                if errors:
                    raise RuntimeError(f"{path.name}: figure {k + 1}: "
                                       + "\n".join(errors[0].get("traceback", [])))
                summary = json.loads(_stdout(call).strip().splitlines()[-1])
                summary["seconds"] = round(time.perf_counter() - t0, 1)
                log(f"    figure {k + 1}: {summary.get('frames', 0)} frames, "
                    f"{summary.get('bytes', 0) / 1e3:.0f} kB, {summary['seconds']} s")
                results.append(summary)
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    return results


# --------------------------------------------------------------------------------------------
# Staging: the notebooks as the site shows them


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG image."""
    return struct.unpack(">II", data[16:24])


def launch_links(rel_repo: str) -> dict[str, str]:
    """Colab, Binder and repository links of the notebook at ``rel_repo`` (from the repository's
    one URL in pyproject.toml, as the notebooks' badges)."""
    repo, url = book.repository()
    return {"colab": f"https://colab.research.google.com/github/{repo}/blob/{book.BRANCH}/{rel_repo}",
            "binder": f"https://mybinder.org/v2/gh/{repo}/HEAD?labpath={quote(rel_repo, safe='')}",
            "download": f"{url}/raw/{book.BRANCH}/{rel_repo}"}


def slider_html(manifest_rel: str, initial_src: str, png: bytes, text: str, manifest: dict,
                alt: str) -> str:
    """The static slider: the controls as HTML inputs over the rendered positions, the saved image
    and text; site/_static/book-sliders.js makes them swap frames."""
    w, h = png_size(png)
    rows = []
    for c, control in enumerate(manifest["controls"]):
        label = html.escape(control["label"])
        init = control["initial"]
        readout = html.escape(control["labels"][init])
        if control["kind"] == "dropdown":
            options = "".join(f'<option value="{i}"{" selected" if i == init else ""}>'
                              f"{html.escape(lab)}</option>"
                              for i, lab in enumerate(control["labels"]))
            rows.append(f'<label class="book-slider-control"><span class="book-slider-label">'
                        f'{label}</span><select data-control="{c}">{options}</select></label>')
        elif control["kind"] == "checkbox":
            rows.append(f'<label class="book-slider-control"><input type="checkbox" '
                        f'data-control="{c}"{" checked" if init else ""}>'
                        f'<span class="book-slider-label">{label}</span></label>')
        else:
            rows.append(f'<label class="book-slider-control"><span class="book-slider-label">'
                        f'{label}</span><input type="range" min="0" '
                        f'max="{len(control["labels"]) - 1}" step="1" value="{init}" '
                        f'data-control="{c}" aria-valuetext="{readout}">'
                        f'<output class="book-slider-readout">{readout}</output></label>')
    text_html = html.escape(text)
    return (f'<div class="book-slider-figure" data-manifest="{html.escape(manifest_rel)}">\n'
            f'<div class="book-slider-controls">{"".join(rows)}</div>\n'
            f'<img class="book-slider-image" src="{html.escape(initial_src)}" width="{w}" '
            f'height="{h}" alt="{html.escape(alt)}">\n'
            f'<pre class="book-slider-text">{text_html}</pre>\n</div>\n')


def static_html(initial_src: str, png: bytes, text: str, controls: str, links: dict,
                reason: str) -> str:
    """A figure whose controls cannot be precomputed: the saved image and a plain note."""
    w, h = png_size(png)
    return (f'<div class="book-slider-static">\n<img src="{html.escape(initial_src)}" '
            f'width="{w}" height="{h}" alt="figure at its initial values">\n'
            f'<pre class="book-slider-text">{html.escape(text)}</pre>\n'
            f'<p class="book-needs-kernel">This figure is shown at its initial values. Its '
            f'controls ({html.escape(controls)}) need a live kernel ({html.escape(reason)}): '
            f'<a href="{links["colab"]}">open in Colab</a>, '
            f'<a href="{links["binder"]}">open in Binder</a> or '
            f'<a href="{links["download"]}">download the notebook</a>.</p>\n</div>\n')


_LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def slug(anchor: str) -> str:
    """myst-parser's heading anchor for a heading that Jupyter anchors as ``anchor``."""
    text = unquote(anchor).replace("-", " ").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def rewrite_links(source: str, page: Path, staged: set[Path]) -> str:
    """Links of a markdown cell of the notebook at ``page`` (repository path), for the site: to
    staged notebooks they stay relative (myst makes them page links; Jupyter's heading anchors
    become myst's), to anything else in the repository they point at the repository."""
    _, url = book.repository()

    def fix(m):
        target = m.group(2)
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith("mailto:"):
            return m.group(0)
        if not parts.path:
            return f"{m.group(1)}#{slug(parts.fragment)}{m.group(3)}" if parts.fragment \
                else m.group(0)
        dest = (page.parent / unquote(parts.path)).resolve()
        if dest in staged:
            anchor = f"#{slug(parts.fragment)}" if parts.fragment else ""
            return f"{m.group(1)}{parts.path}{anchor}{m.group(3)}"
        try:
            rel = dest.relative_to(ROOT).as_posix()
        except ValueError:
            return m.group(0)
        kind = "tree" if dest.is_dir() else "blob"
        anchor = f"#{parts.fragment}" if parts.fragment else ""
        return f"{m.group(1)}{url}/{kind}/{book.BRANCH}/{quote(rel)}{anchor}{m.group(3)}"

    return _LINK.sub(fix, source)


def stage_notebook(path: Path, src: Path, frames_root: Path, staged: set[Path], render: bool,
                   log, max_frames: int = 10 ** 6) -> dict:
    """Write the site's copy of ``path`` under ``src``; render its frames under ``frames_root``
    (the site's output folder). Returns a summary for the budgets."""
    rel = path.relative_to(ROOT)
    nb = nbformat.read(path, as_version=4)
    # no navigation cell (the site has its own), and no exercise checker cells: a page has no
    # kernel to run them, and they hold the answers
    nb.cells = [c for c in nb.cells
                if c.metadata.get("book", {}).get("generated") != "navigation"
                and "checker" not in c.metadata.get("tags", [])]
    setup = next((c for c in nb.cells if c.cell_type == "code"), None)
    if setup is not None and book.BOOTSTRAP_END in setup.source:
        lines = setup.source.split("\n")
        lines = lines[lines.index(book.BOOTSTRAP_END) + 1:]
        while lines and not lines[0].strip():
            lines.pop(0)
        setup.source = "\n".join(lines)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, path, staged)
        elif "solution" in cell.metadata.get("tags", []):
            tags = cell.metadata.setdefault("tags", [])
            if "hide-cell" not in tags:
                tags.append("hide-cell")
            cell.metadata["mystnb"] = {"code_prompt_show": "Show solution",
                                       "code_prompt_hide": "Hide solution"}
    # the interactive figures' outputs
    outputs = [(cell, o) for cell in nb.cells for o in cell.get("outputs", [])
               if str(o.get("data", {}).get("text/plain", "")).startswith(FIGURE_MARK)]
    page_dir = frames_root / rel.parent
    figdirs = [page_dir / FRAMES_DIR / path.stem / f"fig{k + 1}" for k in range(len(outputs))]
    summaries = []
    if outputs and render:
        log(f"  frames: {rel.as_posix()}")
        summaries = render_frames(path, [(k, d) for k, d in enumerate(figdirs)], log, max_frames)
    links = launch_links(rel.as_posix())
    figures = []
    for k, ((cell, o), folder) in enumerate(zip(outputs, figdirs)):
        data = o["data"]
        first, _, text = str(data["text/plain"]).partition("\n")
        controls = re.sub(r"^\[interactive figure with controls (.*?); shown.*$", r"\1", first)
        png = base64.b64decode(data.get("image/png", ""))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "initial.png").write_bytes(png)
        base = f"{FRAMES_DIR}/{path.stem}/fig{k + 1}"
        summary = summaries[k] if k < len(summaries) else {"static": True, "unsupported": {},
                                                            "reason": "frames not rendered"}
        manifest_file = folder / "manifest.json"
        if not summary["static"] and manifest_file.exists():
            manifest = json.loads(manifest_file.read_text())
            first = 0
            for c in manifest["controls"]:
                first = first * len(c["labels"]) + c["initial"]
            if manifest["frames"][first]["text"] != text:
                log(f"    warning: figure {k + 1}: the frame at the initial values says "
                    f"{manifest['frames'][first]['text']!r}, the saved output {text!r}")
            body = slider_html(f"{base}/manifest.json", f"{base}/initial.png", png, text,
                               manifest, f"figure with controls {controls}")
            figures.append({"folder": folder, "frames": len(manifest["frames"])})
        else:
            kinds = ", ".join(f"{n}: {w}" for n, w in summary.get("unsupported", {}).items())
            reason = (f"{kinds} cannot be precomputed" if kinds
                      else summary.get("reason", "not precomputed"))
            body = static_html(f"{base}/initial.png", png, text, controls, links, reason)
            figures.append({"folder": folder, "frames": 0, "static": reason})
        o["data"] = {"text/html": body}
        o.setdefault("metadata", {})
    target = src / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return {"path": rel, "figures": figures}


def index_source(pages: list[Path]) -> str:
    """site/index.md with the contents: one table of contents per series, in reading order."""
    text = (SITE / "index.md").read_text()
    blocks, current = [], object()
    for p in pages:
        series = book.series_of(p)
        if series != current:
            current = series
            caption = (f"Series {int(series[:2])}: {book.SERIES.get(series, series)}"
                       if series else "Introduction")
            blocks.append([caption])
        blocks[-1].append(p.relative_to(ROOT).with_suffix("").as_posix())
    toc = "\n".join(f"```{{toctree}}\n:caption: {b[0]}\n:maxdepth: 1\n\n" + "\n".join(b[1:])
                    + "\n```\n" for b in blocks)
    return text.replace("<!-- contents -->", toc)


# --------------------------------------------------------------------------------------------
# Budgets


_REF = re.compile(r'<(?:script|img|link)\b[^>]*?\b(?:src|href)="([^"#?]+)[^"]*"[^>]*>', re.I)
_CSS_URL = re.compile(r"url\(['\"]?([^'\")?#]+)")


COMPRESSED = {".html", ".js", ".css", ".json", ".svg", ".txt", ".map"}


def transfer_size(f: Path, cache: dict) -> tuple[int, int]:
    """(bytes on disk, bytes sent by a server that compresses text, as GitHub Pages does: gzip
    for HTML, CSS, JavaScript, JSON, SVG; images and fonts as they are)."""
    if f not in cache:
        raw = f.stat().st_size
        sent = len(gzip.compress(f.read_bytes(), 6, mtime=0)) if f.suffix in COMPRESSED else raw
        cache[f] = (raw, sent)
    return cache[f]


def initial_weight(page: Path, html_root: Path, cache: dict) -> tuple[tuple[int, int], list[str]]:
    """Bytes a browser fetches to show ``page`` before any interaction, (on disk, transferred):
    the HTML, its scripts, stylesheets (and the fonts they name), images, and MathJax with its
    fonts if the page has maths. An upper bound: every image counts, also those far below, and
    every MathJax font, also when no glyph of it is used; frames do not count (they load on
    interaction)."""
    text = page.read_text(errors="replace")
    files: set[Path] = set()
    for m in _REF.finditer(text):
        tag = m.group(0).lower()
        if tag.startswith("<link") and "stylesheet" not in tag and "preload" not in tag:
            continue
        ref = m.group(1)
        if "://" in ref or ref.startswith(("data:", "//")):
            continue
        f = (page.parent / unquote(ref)).resolve()
        if f.is_file():
            files.add(f)
    for f in [f for f in files if f.suffix == ".css"]:
        key = ("css", f)
        if key not in cache:
            cache[key] = {(f.parent / unquote(u)).resolve() for u in _CSS_URL.findall(
                f.read_text(errors="replace")) if "://" not in u and not u.startswith("data:")}
        files |= {g for g in cache[key] if g.is_file() and g.suffix in (".woff2", ".css")}
    if any(f.name == "tex-chtml.js" for f in files):
        files |= set((html_root / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2")
                     .glob("*.woff"))
    missing = [m.group(1) for m in _REF.finditer(text)
               if "://" not in m.group(1) and not m.group(1).startswith("data:")
               and not (page.parent / unquote(m.group(1))).resolve().exists()]
    sizes = [transfer_size(f, cache) for f in files | {page}]
    return (sum(r for r, _ in sizes), sum(t for _, t in sizes)), missing


def budgets(html_root: Path, staged: list[dict], log) -> bool:
    ok = True
    cache: dict = {}
    pages = sorted(html_root.rglob("*.html"))
    weights = []
    for page in pages:
        rel = page.relative_to(html_root).as_posix()
        if rel.startswith(("_static/", "_sources/")):
            continue
        (raw, w), _ = initial_weight(page, html_root, cache)
        weights.append((w, rel, raw))
    weights.sort(reverse=True)
    log(f"initial page weight, transferred with compression (budget {PAGE_BUDGET / 1e6:.1f} MB): "
        "heaviest " + ", ".join(f"{rel} {w / 1e6:.2f} MB ({raw / 1e6:.2f} MB on disk)"
                                for w, rel, raw in weights[:3])
        + f"; median {weights[len(weights) // 2][0] / 1e6:.2f} MB over {len(weights)} pages")
    over = [(w, r) for w, r, _ in weights if w > PAGE_BUDGET]
    for w, r in over:
        log(f"  OVER BUDGET: {r}: {w / 1e6:.2f} MB")
    ok &= not over
    figs = []
    for s in staged:
        for k, f in enumerate(s["figures"]):
            size = sum(p.stat().st_size for p in f["folder"].glob("f*.png"))
            figs.append((size, f"{s['path'].as_posix()} figure {k + 1}", f["frames"]))
    if figs:
        figs.sort(reverse=True)
        log(f"frames per figure (budget {FIGURE_BUDGET / 1e6:.1f} MB): heaviest "
            + ", ".join(f"{n} {b / 1e6:.2f} MB ({c} frames)" for b, n, c in figs[:3])
            + f"; {sum(c for _, _, c in figs)} frames over {len(figs)} figures, "
            f"{sum(b for b, _, _ in figs) / 1e6:.1f} MB")
        over = [x for x in figs if x[0] > FIGURE_BUDGET]
        for b, n, c in over:
            log(f"  OVER BUDGET: {n}: {b / 1e6:.2f} MB")
        ok &= not over
    total = sum(p.stat().st_size for p in html_root.rglob("*") if p.is_file())
    log(f"whole site (budget {SITE_BUDGET / 1e6:.0f} MB): {total / 1e6:.1f} MB in "
        f"{sum(1 for p in html_root.rglob('*') if p.is_file())} files")
    ok &= total <= SITE_BUDGET
    static = [f"{s['path'].as_posix()} figure {k + 1}: {f['static']}"
              for s in staged for k, f in enumerate(s["figures"]) if f.get("static")]
    for s in static:
        log(f"  shown at initial values only (needs a kernel): {s}")
    budget_file = html_root.parent / "budgets.json"
    budget_file.write_text(json.dumps({
        "pages": {r: {"transferred": w, "on_disk": raw} for w, r, raw in weights}, "figures": {n: b for b, n, _ in figs},
        "site_bytes": total, "ok": bool(ok)}, indent=1, sort_keys=True))
    return ok


# --------------------------------------------------------------------------------------------
# Build and serve


def build(pages: list[Path], out: Path, frames: bool = True, log=print,
          max_frames: int = 10 ** 6) -> int:
    t0 = time.perf_counter()
    src, html_root = out / "src", out / "html"
    if not SITE_PY.exists():
        log(f"{SITE_PY} is missing: run `python3 tools/run.py site`, which creates it")
        return 2
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(html_root, ignore_errors=True)
    src.mkdir(parents=True)
    frames_root = out / "frames"
    if frames:
        shutil.rmtree(frames_root, ignore_errors=True)
    staged_set = {p.resolve() for p in pages}
    staged = []
    log(f"staging {len(pages)} notebook(s)" + (" and rendering their frames" if frames else ""))
    for p in pages:
        staged.append(stage_notebook(p, src, frames_root, staged_set, frames, log, max_frames))
    t_frames = time.perf_counter() - t0
    (src / "index.md").write_text(index_source(pages))
    log(f"staged in {t_frames:.0f} s; running Sphinx")
    t1 = time.perf_counter()
    cmd = [str(SITE_PY), "-m", "sphinx", "-b", "html", "-q", "-c", str(SITE), "-d",
           str(out / "doctrees"), str(src), str(html_root)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    warnings = [line for line in proc.stderr.splitlines() if line.strip()]
    for line in warnings:
        log(f"  sphinx: {line}")
    if proc.returncode != 0:
        log(proc.stdout[-3000:])
        log(f"sphinx-build failed (exit {proc.returncode})")
        return 1
    t_sphinx = time.perf_counter() - t1
    # frames next to their pages; the download button gives the repository's notebook itself
    if frames_root.exists():
        shutil.copytree(frames_root, html_root, dirs_exist_ok=True)
    for p in pages:
        rel = p.relative_to(ROOT)
        target = html_root / "_sources" / rel
        if target.exists():
            shutil.copyfile(p, target)
    # The theme loads Font Awesome twice: as web fonts (its CSS) and as a 1.5 MB script that
    # swaps every icon for an SVG. The web fonts alone show the same icons; the script goes.
    fontawesome = re.compile(r'<script[^>]*scripts/fontawesome\.js[^>]*></script>\s*')
    for page in html_root.rglob("*.html"):
        text = page.read_text()
        if fontawesome.search(text):
            page.write_text(fontawesome.sub("", text))
    (html_root / ".nojekyll").write_text("")
    where = html_root.relative_to(ROOT) if html_root.is_relative_to(ROOT) else html_root
    log(f"built {where} in {time.perf_counter() - t0:.0f} s "
        f"(staging and frames {t_frames:.0f} s, Sphinx {t_sphinx:.0f} s, "
        f"{len(warnings)} warning line(s))")
    ok = budgets(html_root, staged, log)
    log("budgets: " + ("all met" if ok else "EXCEEDED"))
    return 0 if ok else 1


def serve(root: Path, port: int) -> int:
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(root), **k)  # noqa: E731
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        print(f"serving {root} on http://127.0.0.1:{port}/ (Ctrl-C stops)", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", type=Path, help="these notebooks only")
    parser.add_argument("--subset", action="store_true",
                        help="the representative subset the test suite builds (SUBSET)")
    parser.add_argument("--no-frames", action="store_true",
                        help="no kernels: every figure at its initial values (quick look)")
    parser.add_argument("--max-frames", type=int, default=10 ** 6, metavar="N",
                        help="at most N frames per figure (the test build: a coarse grid, the "
                             "same code)")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default build/site)")
    parser.add_argument("--serve", nargs="?", const=8000, type=int, metavar="PORT",
                        help="serve the built site (default port 8000) instead of building")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if args.serve:
        if not (out / "html" / "index.html").exists():
            print(f"no site in {out / 'html'}: build it first (python3 tools/run.py site)")
            return 2
        return serve(out / "html", args.serve)
    pages = book.notebook_paths()
    if args.subset:
        pages = [ROOT / p for p in SUBSET]
    if args.only:
        wanted = {p.resolve() for p in args.only}
        pages = [p for p in pages if p.resolve() in wanted]
        if not pages:
            print("none of the notebooks given is a notebook of the book")
            return 2
    return build(pages, out, frames=not args.no_frames, log=lambda s: print(s, flush=True),
                 max_frames=args.max_frames)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
