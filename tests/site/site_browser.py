"""Check the book's website in headless Chromium: the helpers of tests/site/test_site.py and of the
latency benchmark (tests/benchmarks/site_slider_latency.py).

* :class:`SiteServer` serves a built site (``build/site-test/html``) on 127.0.0.1;
* :func:`check_page` opens one page with every request outside that server blocked, and lists
  every problem: console errors, failed requests, untypeset maths, MathJax errors, images that did
  not load, and any slider, dropdown or checkbox that (dragged, moved by the keyboard, picked or
  clicked) does not show the precomputed frame and text for its new position;
* :func:`broken_links` checks every internal link of the built pages (files and anchors).

Screenshots go to ``tests/artifacts/site/``.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import json
import re
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "site"
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import book_browser as bb  # noqa: E402  (the Jupyter browser tests' launch flags and helpers)

CHROMIUM_FLAGS = bb.CHROMIUM_FLAGS


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class SiteServer:
    """A static file server for ``root`` on 127.0.0.1 (a free port), in a thread."""

    def __init__(self, root: Path):
        self.root = Path(root)
        handler = functools.partial(_Quiet, directory=str(self.root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def content_pages(root: Path) -> list[str]:
    """The site's pages (paths relative to ``root``): the index and every notebook."""
    pages = ["index.html"] + sorted(p.relative_to(root).as_posix()
                                    for p in (root / "notebooks").rglob("*.html"))
    return pages


# ---------------------------------------------------------------------------------------------
# Links


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key) and not (tag == "link" and key == "href"
                                   and a.get("rel") not in ("stylesheet", "preload")):
                self.hrefs.append(a[key])


def _parse(path: Path, cache: dict) -> _Links:
    if path not in cache:
        p = _Links()
        p.feed(path.read_text(errors="replace"))
        cache[path] = p
    return cache[path]


def broken_links(root: Path, pages: list[str]) -> list[str]:
    """Internal links and resources of ``pages`` whose file or anchor does not exist."""
    cache: dict = {}
    bad = []
    for rel in pages:
        page = root / rel
        for href in _parse(page, cache).hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:", "data:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                bad.append(f"{rel}: {href}: no such file")
                continue
            if parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in _parse(target, cache).ids:
                    bad.append(f"{rel}: {href}: no element with id {parts.fragment!r}")
    return bad


# ---------------------------------------------------------------------------------------------
# One page in the browser

_MATH_STATE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const root = document.querySelector('main') || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {acceptNode(n) {
    const p = n.parentElement;
    if (!p || p.closest('pre, code, script, style, mjx-container, .highlight, .output, textarea'))
      return NodeFilter.FILTER_REJECT;
    return NodeFilter.FILTER_ACCEPT;
  }});
  const raw = [];
  while (walker.nextNode()) {
    const t = walker.currentNode.textContent;
    if (/\\$[^$\\s][^$]*\\$|\\\\\\(|\\\\\\[|\\\\begin\\{/.test(t)) raw.push(t.trim().slice(0, 120));
  }
  return {
    mathjax: !!(window.MathJax && MathJax.startup),
    typeset: document.querySelectorAll('mjx-container').length,
    pending: document.querySelectorAll('.math:not(:has(mjx-container))').length,
    errors: Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error]'))
                 .map(e => e.getAttribute('data-mjx-error') || e.textContent).slice(0, 5),
    raw: raw.slice(0, 5),
  };
}"""

_IMAGES = """async () => {
  const imgs = Array.from(document.images);
  for (const img of imgs) {
    img.loading = 'eager';
    if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; });
  }
  return imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
}"""

_FIGURE = """(fig) => {
  const img = fig.querySelector('img.book-slider-image');
  return {
    manifest: new URL(fig.dataset.manifest, document.baseURI).href,
    src: img.src, loaded: img.complete && img.naturalWidth > 0,
    text: fig.querySelector('.book-slider-text').textContent,
    error: fig.dataset.error || null,
    positions: Array.from(fig.querySelectorAll('[data-control]')).map(i =>
        i.type === 'checkbox' ? (i.checked ? 1 : 0) : parseInt(i.value, 10)),
    kinds: Array.from(fig.querySelectorAll('[data-control]')).map(i =>
        i.type === 'checkbox' ? 'checkbox' : i.tagName === 'SELECT' ? 'dropdown' : 'slider'),
  };
}"""


def frame_index(manifest: dict, positions: list[int]) -> int:
    """The frame of ``positions`` (row-major over the controls, as tools/site.py writes them)."""
    index = 0
    for control, p in zip(manifest["controls"], positions):
        index = index * len(control["labels"]) + p
    return index


class Checker:
    def __init__(self, context, base_url: str, artifacts: Path):
        self.context, self.base, self.artifacts = context, base_url, artifacts
        self.problems: list[str] = []
        self.moves = 0

    def problem(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.problem("network", f"request outside the site blocked: {url}")
            route.abort()

    def check(self, rel: str, sliders: bool = True) -> list[str]:
        page = self.context.new_page()
        self.page = page
        name = rel.removesuffix(".html").replace("/", "__")
        page.route("**/*", self._route)
        page.on("console", lambda m: m.type == "error" and self.problem(
            rel, f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.problem(rel, f"uncaught exception: {e}"))
        page.on("requestfailed", lambda r: self.problem(
            rel, f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problem(
            rel, f"HTTP {r.status}: {r.url}"))
        try:
            page.goto(self.base + rel, wait_until="load")
            math = page.evaluate(_MATH_STATE)
            if math["errors"]:
                self.problem(rel, f"MathJax errors: {math['errors']}")
            if math["raw"]:
                self.problem(rel, f"maths left as raw TeX: {math['raw']}")
            if math["pending"]:
                self.problem(rel, f"{math['pending']} equation(s) not typeset")
            missing = page.evaluate(_IMAGES)
            if missing:
                self.problem(rel, f"images that did not load: {missing}")
            self.check_solutions(rel, page)
            page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=True)
            if sliders:
                figs = page.locator(".book-slider-figure")
                for i in range(figs.count()):
                    self.check_figure(rel, i, figs.nth(i))
        finally:
            page.close()
        return self.problems

    def check_solutions(self, rel: str, page) -> None:
        """Every solution cell is folded behind "Show solution", and the first one opens."""
        cells = page.locator(".cell.tag_solution")
        n = cells.count()
        folded = page.locator(".cell.tag_solution > details:not([open])")
        if folded.count() != n:
            self.problem(rel, f"{n - folded.count()} of {n} solution(s) not folded")
        if n:
            summary = cells.first.locator("summary")
            if "Show solution" not in summary.inner_text():
                self.problem(rel, f"the first solution's toggle reads {summary.inner_text()!r}")
            summary.click()
            if not cells.first.locator("details[open] .cell_input").first.is_visible():
                self.problem(rel, "clicking 'Show solution' does not show the solution's code")
            summary.click()

    # ---- sliders ------------------------------------------------------------------------------
    def expect_frame(self, where: str, fig, manifest: dict, before: dict | None) -> bool:
        """Wait until the figure shows the frame of its controls' positions; False (and a
        problem) if it does not within the timeout or the image does not load."""
        state = fig.evaluate(_FIGURE)
        want = manifest["frames"][frame_index(manifest, state["positions"])]
        src = urljoin(state["manifest"], want["src"])
        try:
            fig.page.wait_for_function(
                """([fig, src]) => { const i = fig.querySelector('img.book-slider-image');
                     return (i.src === src && i.complete && i.naturalWidth > 0)
                            || !!fig.dataset.error; }""",
                arg=[fig.element_handle(), src], timeout=5_000, polling=20)
        except Exception:
            pass
        state = fig.evaluate(_FIGURE)
        if state["error"]:
            self.problem(where, state["error"])
            return False
        if state["src"] != src or not state["loaded"]:
            self.problem(where, f"shows {state['src']} (loaded: {state['loaded']}), expected the "
                                f"frame {src} for positions {state['positions']}")
            return False
        if state["text"] != want["text"]:
            self.problem(where, f"text {state['text']!r}, expected {want['text']!r}")
            return False
        if before is not None and before["positions"] == state["positions"]:
            self.problem(where, "the move did not change the control's position")
            return False
        self.moves += 1
        return True

    def check_figure(self, rel: str, i: int, fig) -> None:
        fig.scroll_into_view_if_needed()
        state = fig.evaluate(_FIGURE)
        manifest = fig.page.evaluate("async (u) => (await fetch(u)).json()", state["manifest"])
        inputs = fig.locator("[data-control]")
        for c, kind in enumerate(state["kinds"]):
            control = manifest["controls"][c]
            where = f"{rel} figure {i + 1} {kind} {control['label']!r}"
            inp = inputs.nth(c)
            n = len(control["labels"])
            if kind == "slider":
                # 1. drag the thumb to the far end's side
                before = fig.evaluate(_FIGURE)
                p = before["positions"][c]
                box = inp.bounding_box()
                thumb = 16   # Chromium's range thumb, CSS pixels
                x_of = lambda k: box["x"] + thumb / 2 + (box["width"] - thumb) * k / max(1, n - 1)  # noqa: E731
                y = box["y"] + box["height"] / 2
                target = 0 if p > (n - 1) / 2 else n - 1
                target = (p + target) // 2 if abs(target - p) > 1 else target
                page = fig.page
                page.mouse.move(x_of(p), y)
                page.mouse.down()
                for s in range(1, 6):
                    page.mouse.move(x_of(p) + (x_of(target) - x_of(p)) * s / 5, y)
                page.mouse.up()
                if not self.expect_frame(where + " (dragged)", fig, manifest, before):
                    continue
                # 2. the keyboard: one step towards the far end, then back
                before = fig.evaluate(_FIGURE)
                p = before["positions"][c]
                forward, back = ("ArrowRight", "ArrowLeft") if p < n - 1 else ("ArrowLeft",
                                                                               "ArrowRight")
                inp.focus()
                page.keyboard.press(forward)
                if not self.expect_frame(where + f" ({forward})", fig, manifest, before):
                    continue
                before = fig.evaluate(_FIGURE)
                page.keyboard.press(back)
                self.expect_frame(where + f" ({back})", fig, manifest, before)
            elif kind == "dropdown":
                for k in list(range(n)) + [control["initial"]]:
                    before = fig.evaluate(_FIGURE)
                    if before["positions"][c] == k:
                        continue
                    inp.select_option(str(k))
                    self.expect_frame(where + f" (option {control['labels'][k]!r})", fig,
                                      manifest, before)
            else:
                for _ in range(2):
                    before = fig.evaluate(_FIGURE)
                    inp.click()
                    self.expect_frame(where + " (clicked)", fig, manifest, before)
        try:
            fig.screenshot(path=str(self.artifacts / f"{rel.removesuffix('.html').replace('/', '__')}"
                                                     f"-fig{i + 1}-moved.png"))
        except Exception:
            pass


def check_page(context, base_url: str, rel: str, artifacts: Path = ARTIFACTS,
               sliders: bool = True) -> tuple[list[str], int]:
    """Problems found on the page ``rel`` of the site at ``base_url``, and the number of control
    moves that showed the right frame."""
    artifacts.mkdir(parents=True, exist_ok=True)
    checker = Checker(context, base_url, artifacts)
    problems = checker.check(rel, sliders)
    return problems, checker.moves


def search_finds(context, base_url: str, term: str, rel: str) -> bool:
    """Whether the site's search for ``term`` lists the page ``rel``."""
    page = context.new_page()
    try:
        page.goto(f"{base_url}search.html?q={term}", wait_until="load")
        page.wait_for_selector("#search-results li a, #search-results p", timeout=20_000)
        page.wait_for_function("() => !document.querySelector('#search-progress') || "
                               "document.querySelector('#search-progress').textContent === ''",
                               timeout=20_000)
        hrefs = page.eval_on_selector_all("#search-results li a",
                                          "els => els.map(e => e.href)")
        return any(h.split("#")[0].split("?")[0].endswith(rel) for h in hrefs)
    finally:
        page.close()


def title_term(root: Path, rel: str) -> str:
    """A search term from the page's title: its longest word."""
    text = (root / rel).read_text(errors="replace")
    m = re.search(r"<title>(.*?)</title>", text, flags=re.S)
    title = (m.group(1) if m else "").replace("&#8212;", "\u2014").split("\u2014")[0]
    words = re.findall(r"[A-Za-z]{5,}", title)
    return max(words, key=len) if words else "matrix"


def load_json(path: Path) -> dict:
    return json.loads(path.read_text())
