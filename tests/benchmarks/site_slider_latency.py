#!/usr/bin/env python3
"""How fast the website's static sliders answer: from a move to the new frame on screen, in Chromium.

    python3 tools/run.py site                                  # build the site first (or --subset)
    .venv/bin/python tests/benchmarks/site_slider_latency.py   # every page of build/site/html
    .venv/bin/python tests/benchmarks/site_slider_latency.py --site build/site-test/html

Serves the built site on 127.0.0.1 and opens every page that has a slider in headless Chromium
(network blocked but for the site). For each figure the frames are loaded first, as the page's
script does on the first interaction. Then every control is moved by real input events: each
slider by the keyboard (up to --moves presses of an arrow key, then back), each dropdown through
its options, each checkbox clicked twice. The latency of one move is measured by the page script
(site/_static/book-sliders.js): from the input event's time stamp to the first animation frame
after the new image is decoded, that is to the frame on screen.

Prints per page the median and worst latency, and as its LAST line one JSON object with the
median and worst over the site (target: median at most 16 ms, one frame at 60 Hz). Exit status 1
if a move showed no new frame, 0 otherwise: slowness is reported, not enforced.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "site"))
import site_browser as sb  # noqa: E402

TARGET_MEDIAN_MS = 16.0

_PREPARE = """async (fig) => {
  window.__bookLatency = window.__bookLatency || [];
  if (!fig.__bookTimed) {
    fig.__bookTimed = true;
    fig.addEventListener('book-slider-frame', (e) => window.__bookLatency.push(e.detail.latency));
  }
  const url = new URL(fig.dataset.manifest, document.baseURI);
  const m = await (await fetch(url)).json();
  fig.querySelector('[data-control]').dispatchEvent(new Event('pointerdown'));
  await Promise.all(m.frames.map(f => { const i = new Image(); i.src = new URL(f.src, url).href;
                                        return i.decode().catch(() => null); }));
  return m.frames.length;
}"""


def measure_page(context, base: str, rel: str, moves: int) -> tuple[list[float], list[str]]:
    page = context.new_page()
    problems: list[str] = []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
    page.on("console", lambda m: m.type == "error" and problems.append(f"{rel}: {m.text}"))
    try:
        page.goto(base + rel, wait_until="load")
        figs = page.locator(".book-slider-figure")
        expected = 0
        for i in range(figs.count()):
            fig = figs.nth(i)
            fig.scroll_into_view_if_needed()
            fig.evaluate(_PREPARE)
            inputs = fig.locator("[data-control]")
            for c in range(inputs.count()):
                inp = inputs.nth(c)
                kind = inp.evaluate("e => e.type === 'checkbox' ? 'checkbox' : "
                                    "e.tagName === 'SELECT' ? 'dropdown' : 'slider'")
                if kind == "slider":
                    lo, hi, v = (int(inp.get_attribute(a) or 0) for a in ("min", "max", "value"))
                    key, back = ("ArrowRight", "ArrowLeft") if hi - v >= v - lo else ("ArrowLeft",
                                                                                     "ArrowRight")
                    n = min(moves, max(hi - v, v - lo))
                    inp.focus()
                    for k in [key] * n + [back] * n:
                        page.keyboard.press(k)
                        expected += 1
                        page.wait_for_function(f"() => window.__bookLatency.length >= {expected}",
                                               timeout=5_000)
                elif kind == "dropdown":
                    options = inp.evaluate("s => Array.from(s.options).map(o => o.value)")
                    start = inp.input_value()
                    for o in [o for o in options if o != start] + [start]:
                        inp.select_option(o)
                        expected += 1
                        page.wait_for_function(f"() => window.__bookLatency.length >= {expected}",
                                               timeout=5_000)
                else:
                    for _ in range(2):
                        inp.click()
                        expected += 1
                        page.wait_for_function(f"() => window.__bookLatency.length >= {expected}",
                                               timeout=5_000)
        return page.evaluate("() => window.__bookLatency || []"), problems
    except Exception as exc:   # a move that showed no frame
        problems.append(f"{rel}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return page.evaluate("() => window.__bookLatency || []"), problems
    finally:
        page.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "build" / "site" / "html")
    parser.add_argument("--moves", type=int, default=8, help="key presses per slider each way")
    args = parser.parse_args(argv)
    root = args.site.resolve()
    if not (root / "index.html").exists():
        print(f"no site in {root}: build it with `python3 tools/run.py site`")
        return 2
    pages = [p for p in sb.content_pages(root)
             if "book-slider-figure" in (root / p).read_text(errors="replace")]
    from playwright.sync_api import sync_playwright

    every, problems = [], []
    print(f"{'median':>8} {'worst':>8} {'moves':>6}  page", flush=True)
    with sb.SiteServer(root) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=sb.bb.find_chromium(), args=sb.CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            for rel in pages:
                ms, bad = measure_page(context, server.url, rel, args.moves)
                problems += bad
                every += ms
                if ms:
                    print(f"{statistics.median(ms):6.1f}ms {max(ms):6.1f}ms {len(ms):>6}  {rel}",
                          flush=True)
        finally:
            context.close()
            browser.close()
    if problems:
        print("\nproblems:")
        print("\n".join(f"  {p}" for p in problems))
    median = statistics.median(every) if every else None
    summary = {"median_ms": round(median, 1) if every else None,
               "worst_ms": round(max(every), 1) if every else None,
               "target_median_ms": TARGET_MEDIAN_MS,
               "within_target": bool(every) and median <= TARGET_MEDIAN_MS,
               "pages": len(pages), "moves": len(every), "problems": len(problems)}
    print(json.dumps(summary), flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
