"""Drive the book's notebooks in a real browser: JupyterLab or Notebook 7 in headless Chromium.

The browser tests (``test_browser_*.py`` next to this file) use three pieces from here:

* :func:`interactive_notebooks` finds every notebook of the book whose saved cells contain an
  interactive figure (``helpers.widgets.interactive_figure``), so a new notebook is covered
  without editing the tests;
* :class:`JupyterServer` starts JupyterLab or Notebook 7 on 127.0.0.1 with its own configuration,
  runtime, IPython and Matplotlib folders, serving a temporary copy of ``notebooks/``;
* :func:`check_notebook` opens one notebook in a browser page, runs all cells, checks that no cell
  shows an error and the browser console shows none, moves every control of every interactive
  figure (sliders by dragging and by keyboard) and checks that the figure and its text follow.
  It returns a :class:`Report` and raises :class:`BrowserCheckError` listing every problem found.

Screenshots and a ``report.json`` per notebook are written to ``tests/artifacts/browser/``. The
report also gives, for every move, the time from the control's value changing in the page to the
new image painted (``paint_ms``), and their median and worst per notebook (reported, not
asserted: the latency benchmark, tests/benchmarks/widget_latency.py, measures the kernel's side).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
FIGURE_MARK = "[interactive figure"  # start of an interactive figure's text/plain output

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL_HINT = ("no Chromium browser found for the browser tests. Install one, e.g. on Debian/Ubuntu "
                "`sudo apt-get install chromium` (what .ci/run does), or point BOOK_CHROMIUM at a "
                "Chromium/Chrome binary; `-m 'not browser'` deselects these tests.")

# The two front ends: where a notebook opens, and their names in messages. Sliders are moved with
# the arrow keys in JupyterLab, with Page Up/Down, Home and End in Notebook 7 (which takes the
# arrow keys for its own navigation).
UIS = {
    "lab": {"url": "lab/tree/{path}?reset", "name": "JupyterLab"},
    "notebook": {"url": "notebooks/{path}", "name": "Notebook 7"},
}

# Errors of the front ends themselves, not of the book, ignored only where and when they are known
# to occur: (ui, phase, exact message, where it is tracked).
KNOWN_FRONT_END_ERRORS = [
    ("notebook", "load", "uncaught exception: Cannot read properties of undefined (reading 'schema')",
     "https://github.com/jupyter/notebook/issues/7862 (a race in Notebook 7's shortcut settings)"),
]

SETTLE_QUIET_S = 0.25   # a redraw is finished when the kernel is idle and nothing changed for this long
MOVE_TIMEOUT_S = 30.0   # longest wait for one move's redraw
RUN_ALL_TIMEOUT_S = 300.0


# --------------------------------------------------------------------------------------------
# Finding notebooks and browsers


def book_notebooks() -> list[Path]:
    """All notebooks of the book, in reading order (``tools/notebooks.py``'s list)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import notebooks as book  # tools/notebooks.py
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return book.notebook_paths()


def saved_figure_count(path: Path) -> int | None:
    """How many interactive figures the saved notebook shows in its outputs.

    0 if it has none; ``None`` if a cell builds one (``interactive_figure(`` in its source) but the
    notebook was saved without outputs, so the number is unknown.
    """
    nb = nbformat.read(path, as_version=4)
    shown, built = 0, False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        built = built or "interactive_figure(" in cell.source
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_MIME in data and str(data.get("text/plain", "")).startswith(FIGURE_MARK):
                shown += 1
    if shown == 0 and built:
        return None
    return shown


def interactive_notebooks(paths: list[Path] | None = None) -> list[Path]:
    """The notebooks (of the book by default) whose saved cells contain an interactive figure."""
    paths = book_notebooks() if paths is None else paths
    return [p for p in paths if saved_figure_count(p) != 0]


def series_representatives(paths: list[Path]) -> list[Path]:
    """The introduction and the first notebook of each series folder among ``paths``."""
    chosen, seen = [], set()
    for p in paths:
        rel = p.relative_to(NOTEBOOKS)
        key = rel.parts[0] if len(rel.parts) > 1 else rel.name
        if key not in seen:
            seen.add(key)
            chosen.append(p)
    return chosen


def notebook_id(path: Path) -> str:
    """A notebook's name for test ids and artifact folders: its path under notebooks/ (or fixtures/)."""
    for base in (NOTEBOOKS, FIXTURES):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return path.name


def find_chromium() -> str | None:
    """A Chromium or Chrome executable: $BOOK_CHROMIUM, Debian's chromium, or one on the PATH."""
    candidates = [os.environ.get("BOOK_CHROMIUM", ""),
                  "/usr/lib/chromium/chromium",   # Debian's binary, without the wrapper script
                  "/usr/bin/chromium"]
    candidates += [shutil.which(n) or "" for n in
                   ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def browser_unavailable(message: str) -> None:
    """Skip the calling test with ``message``, except under CI, where the test fails instead: CI
    must never pass with its browser tests silently skipped."""
    import pytest

    if running_in_ci():
        pytest.fail(f"CI=true, so the browser tests must run, but {message}", pytrace=False)
    pytest.skip(message)


# --------------------------------------------------------------------------------------------
# The Jupyter server


def _die_with_parent() -> None:
    """Run in the server's process before it starts (Linux): ask the kernel to send it SIGTERM
    when the process that started it dies, also when that one is killed outright (a test run's
    timeout), so that no Jupyter server outlives its tests. Elsewhere a no-op."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """JupyterLab (``app="lab"``) or Notebook 7 (``app="notebook"``) on 127.0.0.1, isolated.

    Serves a temporary copy of ``notebooks/``; configuration, runtime, data, IPython and
    Matplotlib folders are temporary too, so nothing a reader has configured (or a previous run
    left open) leaks in. Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, app: str = "lab", notebooks: Path = NOTEBOOKS):
        if app not in UIS:
            raise ValueError(f"app must be one of {list(UIS)}, got {app!r}")
        self.app, self.source = app, notebooks
        self.proc: subprocess.Popen | None = None
        self.tmp: Path | None = None
        self.root: Path | None = None
        self.url = ""
        self._copies = 0

    def __enter__(self) -> "JupyterServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "JPY_", "IPYTHON", "MPL"))}
        for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR",
                    "MPLCONFIGDIR"):
            d = self.tmp / var.lower()
            d.mkdir()
            env[var] = str(d)
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        env["PYTHONHASHSEED"] = "0"
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        config = Path(env["JUPYTER_CONFIG_DIR"])
        # No "Jupyter news" pop-up over the page.
        (config / "labconfig").mkdir()
        (config / "labconfig" / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        # Every cell in the DOM (no virtual scrolling), so that selectors see the whole notebook.
        settings = config / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
        settings.mkdir(parents=True)
        (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        return env

    def start(self, timeout: float = 120.0) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix=f"book-browser-{self.app}-"))
        self.root = self.tmp / "notebooks"
        shutil.copytree(self.source, self.root,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        env = self._environment()
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "jupyter", self.app, "--no-browser", f"--port={port}",
               "--port-retries=0", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
               "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
               f"--ServerApp.root_dir={self.root}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = self.tmp / "server.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, env=env, cwd=self.tmp, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_die_with_parent if sys.platform == "linux"
                                         else None)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Jupyter server exited (code {self.proc.returncode}):\n"
                                   f"{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/api/status", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the Jupyter server did not answer within {timeout:.0f} s")
            time.sleep(0.2)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no server log)"

    def _api(self, method: str, path: str, body: dict | None = None) -> object:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            answer = r.read()
        return json.loads(answer) if answer else None

    def start_kernel(self, rel: str) -> None:
        """Start the kernel session of the notebook at ``rel`` (relative to the root) now, so that
        it boots while the page loads; the page then connects to it."""
        self._api("POST", "/api/sessions", {"path": rel, "name": Path(rel).name, "type": "notebook",
                                            "kernel": {"name": "python3"}})

    def shutdown_kernels(self) -> None:
        """End every session and kernel of this server (after each notebook: frees memory)."""
        try:
            for s in self._api("GET", "/api/sessions") or []:
                self._api("DELETE", f"/api/sessions/{s['id']}")
            for k in self._api("GET", "/api/kernels") or []:
                self._api("DELETE", f"/api/kernels/{k['id']}")
        except (urllib.error.URLError, OSError):
            pass

    def fresh_copy(self, source: Path) -> str:
        """Put a copy of ``source`` next to its original inside the server's folder, with outputs,
        execution counts and hidden inputs removed (so only this run can satisfy a check, and every
        code cell shows its prompt). Returns its path relative to the server's root."""
        try:
            rel_dir = source.parent.relative_to(NOTEBOOKS)
        except ValueError:
            rel_dir = Path("_fixtures")
        self._copies += 1
        dest = self.root / rel_dir / f"{source.stem}.browser-{self._copies}.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        nb = nbformat.read(source, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
                cell.metadata.get("jupyter", {}).pop("source_hidden", None)
                cell.metadata.get("jupyter", {}).pop("outputs_hidden", None)
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, dest)
        return dest.relative_to(self.root).as_posix()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.shutdown_kernels()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)   # the group started for this server
                self.proc.wait(timeout=10)
        self.proc = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


# --------------------------------------------------------------------------------------------
# Checking one notebook in a page


class BrowserCheckError(AssertionError):
    """A notebook failed the browser check; the message lists every problem."""

    def __init__(self, report: "Report"):
        self.report = report
        lines = [f"{report.notebook} in {UIS[report.ui]['name']}: {len(report.problems)} problem(s)"]
        lines += [f"  - {p}" for p in report.problems]
        lines.append(f"  screenshots and report.json: {report.artifacts}")
        super().__init__("\n".join(lines))


@dataclass
class Report:
    notebook: str
    ui: str
    artifacts: str
    seconds: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    blocked_requests: list = field(default_factory=list)
    paint_ms: dict = field(default_factory=dict)

    def save(self) -> None:
        Path(self.artifacts).mkdir(parents=True, exist_ok=True)
        (Path(self.artifacts) / "report.json").write_text(json.dumps(asdict(self), indent=1))


_KERNEL_READY = """() => {
  const k = document.querySelector('[data-jp-item-name=kernelName]');
  const e = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return !!k && k.textContent.includes('ipykernel') && !!e && e.dataset.status === 'idle';
}"""

# Counts the kernel's turns to "busy" as the page shows them: after a move, the redraw is over once
# the count went up (the kernel received the change) and the kernel is idle again.
_BUSY_COUNTER = """(() => {
  window.__bookBusy = 0;
  let last = null;
  const look = () => {
    const e = document.querySelector('.jp-Notebook-ExecutionIndicator');
    const s = e ? e.dataset.status : null;
    if (s === 'busy' && last !== 'busy') window.__bookBusy += 1;
    last = s;
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true,
                                                attributeFilter: ['data-status']});
})();"""

# Records, in the page, when a control of an interactive figure changes value (a slider's handle
# shows a new value, a dropdown or checkbox fires "change") and when a figure's new image has been
# decoded and painted (the animation frame after the image's decode()): window.__bookPaintLog.
_PAINT_LOG = """(() => {
  window.__bookPaintLog = [];
  const log = (kind, el) => {
    const fig = el.closest ? el.closest('.book-interactive-figure') : null;
    if (fig) window.__bookPaintLog.push({kind: kind, fig: fig, t: performance.now()});
  };
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target;
      if (r.attributeName === 'aria-valuetext' && el.classList.contains('noUi-handle')) {
        log('value', el);
      } else if (r.attributeName === 'src' && el.tagName === 'IMG'
                 && el.classList.contains('widget-image')) {
        const painted = () => requestAnimationFrame(() => log('paint', el));
        (el.decode ? el.decode() : Promise.resolve()).then(painted, painted);
      }
    }
  }).observe(document, {subtree: true, attributes: true,
                        attributeFilter: ['aria-valuetext', 'src']});
  document.addEventListener('change', (e) => log('value', e.target), true);
})();"""

# The paint log's entries of one figure from index ``start`` on: [[kind, ms], ...], and its length.
_PAINT_ENTRIES = """([fig, start]) => {
  const all = window.__bookPaintLog || [];
  return [all.slice(start).filter(e => e.fig === fig).map(e => [e.kind, e.t]), all.length];
}"""

_RUN_STATE = """() => {
  const cells = Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'));
  const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return {
    status: ind ? ind.dataset.status : null,
    cells: cells.map(c => {
      const code = c.classList.contains('jp-CodeCell');
      const p = code ? c.querySelector('.jp-InputArea-prompt') : null;
      const err = Array.from(c.querySelectorAll(
          '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'));
      return {code: code, prompt: p ? p.textContent.trim() : '',
              stderr: err.map(e => e.textContent).join('\\n')};
    }),
  };
}"""

_FIGURE_STATE = """async ([fig, withHash]) => {
  const img = fig.querySelector('img.widget-image');
  let hash = null;
  if (withHash && img && img.src) {
    try {
      const buf = await (await fetch(img.src)).arrayBuffer();
      const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
      hash = Array.from(d.slice(0, 12)).map(b => b.toString(16).padStart(2, '0')).join('');
    } catch (e) { hash = null; }   // the image was replaced while reading it: read again
  }
  const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const text = fig.querySelector('.book-widget-text');
  const err = fig.querySelector('.book-widget-error');
  const controls = Array.from(fig.children).filter(e => !e.classList.contains('widget-image')
      && !e.classList.contains('widget-html'));
  const clean = (e) => e ? e.textContent.replace(/\\u200b/g, '').trim() : '';
  return {
    hash: hash, src: img ? img.src : null,
    text: text ? text.textContent : '', error: err ? err.textContent : null,
    status: ind ? ind.dataset.status : null, busy: window.__bookBusy || 0,
    controls: controls.map(c => {
      const h = c.querySelector('.noUi-handle');
      const sel = c.querySelector('select');
      const box = c.querySelector('input[type=checkbox]');
      return {
        kind: h ? 'slider' : sel ? 'dropdown' : box ? 'checkbox' : 'other',
        label: clean(c.querySelector('.widget-label')) || clean(c.querySelector('.widget-label-basic')),
        readout: h ? clean(c.querySelector('.widget-readout')) : null,
        value: h ? h.getAttribute('aria-valuetext') : sel ? sel.value : box ? String(box.checked) : null,
        min: h ? h.getAttribute('aria-valuemin') : null, max: h ? h.getAttribute('aria-valuemax') : null,
      };
    }),
  };
}"""


def _number(s: str | None) -> float:
    try:
        return float(str(s).replace("\u2212", "-").replace(",", ""))
    except ValueError:
        return float("nan")


def _toward_max(control: dict) -> bool:
    """Whether the slider has more room towards its maximum than towards its minimum (aria-valuemin
    and -max are rounded, which is good enough for choosing a direction)."""
    v = _number(control["value"])
    return v - _number(control["min"]) <= _number(control["max"]) - v


_NUMBER = r"[-+\u2212]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?"


def shown_value(text: str, label: str) -> str | None:
    """The number that ``text`` shows for the control called ``label``, written ``label = 1.5`` or
    ``label: 1.5`` (``n = 10,000`` too); None if the text does not show it that way."""
    if not label:
        return None
    m = re.search(rf"(?<!\w){re.escape(label)}\s*[=:]\s*({_NUMBER})", text)
    return m.group(1) if m else None


def agrees(token: str, value: float) -> bool:
    """Whether the number written as ``token`` is ``value`` rounded to the digits it shows."""
    t = token.replace(",", "").replace("\u2212", "-").lower()
    mantissa, _, exponent = t.partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    tol = 0.5 * 10.0 ** (int(exponent or 0) - decimals)
    return abs(float(t) - value) <= tol * (1 + 1e-9) + 1e-12


class _Checker:
    def __init__(self, context, server: JupyterServer, source: Path, ui: str, artifacts: Path,
                 expected_figures: int | None):
        self.context, self.server, self.source, self.ui = context, server, source, ui
        self.expected = expected_figures
        self.dir = artifacts
        self.report = Report(notebook=notebook_id(source), ui=ui, artifacts=str(artifacts))
        self.page = None
        self.nb = None
        self.blocked: set[str] = set()
        self.console: list[dict] = []
        self.phase = "load"

    # ---- page set-up ------------------------------------------------------------------------
    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.server.url) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:   # the machine running the tests may have no internet (badges, fonts ...)
            self.blocked.add(url)
            route.abort()

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            self.console.append({"text": msg.text, "url": (msg.location or {}).get("url", ""),
                                 "phase": self.phase})

    def _on_pageerror(self, err) -> None:
        self.console.append({"text": f"uncaught exception: {err}", "url": "", "phase": self.phase})

    def shot(self, name: str, locator=None) -> None:
        try:
            target = locator if locator is not None else self.page
            target.screenshot(path=str(self.dir / name))
        except Exception:   # a screenshot is a help for inspection, never a test result
            pass

    def run(self) -> Report:
        t0 = time.monotonic()
        rel = self.server.fresh_copy(self.source)
        self.nb = nbformat.read(self.server.root / rel, as_version=4)
        self.page = page = self.context.new_page()
        try:
            self.server.start_kernel(rel)
            page.add_init_script(_BUSY_COUNTER)
            page.add_init_script(_PAINT_LOG)
            page.route("**/*", self._route)
            page.on("console", self._on_console)
            page.on("pageerror", self._on_pageerror)
            page.goto(f"{self.server.url}/{UIS[self.ui]['url'].format(path=rel)}")
            page.wait_for_function(_KERNEL_READY, timeout=120_000, polling=100)
            self.report.seconds["open"] = round(time.monotonic() - t0, 2)
            t1 = time.monotonic()
            self.phase = "run"
            self.run_all()
            self.report.seconds["run_all"] = round(time.monotonic() - t1, 2)
            self.check_cells()
            t2 = time.monotonic()
            self.phase = "controls"
            self.check_figures()
            self.report.seconds["controls"] = round(time.monotonic() - t2, 2)
            self.check_cells(after_moves=True)
            self.check_console()
            self.summarize_paint_times()
        except Exception as exc:   # a timeout or a missing element: report it with the page's state
            self.report.problems.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        finally:
            if self.report.problems:
                self.shot("page-failure.png")
            self.report.seconds["total"] = round(time.monotonic() - t0, 2)
            self.report.blocked_requests = sorted(self.blocked)
            self.report.console_errors = self.console
            try:
                page.close()
            finally:
                self.server.shutdown_kernels()
            self.report.save()
        if self.report.problems:
            raise BrowserCheckError(self.report)
        return self.report

    # ---- run all, errors ----------------------------------------------------------------------
    def run_all(self) -> None:
        page = self.page
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
        deadline = time.monotonic() + RUN_ALL_TIMEOUT_S
        started = False
        while True:
            state = page.evaluate(_RUN_STATE)
            prompts = [c["prompt"] for c in state["cells"] if c["code"]]
            running = any("*" in p for p in prompts)
            started = started or running or state["status"] == "busy"
            done = all(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
            errored = any(c["stderr"] for c in state["cells"])
            if started and state["status"] == "idle" and (done or (errored and not running)):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"Run All did not finish within {RUN_ALL_TIMEOUT_S:.0f} s "
                                   f"(prompts: {' '.join(prompts)})")
            time.sleep(0.1)

    def check_cells(self, after_moves: bool = False) -> None:
        state = self.page.evaluate(_RUN_STATE)
        if len(state["cells"]) != len(self.nb.cells):
            self.report.problems.append(f"the page shows {len(state['cells'])} cells, the notebook "
                                        f"has {len(self.nb.cells)}")
            return
        when = " after the controls moved" if after_moves else ""
        for i, (shown, cell) in enumerate(zip(state["cells"], self.nb.cells)):
            if not shown["code"]:
                continue
            expected_error = "raises-exception" in cell.metadata.get("tags", [])
            if shown["stderr"] and not expected_error:
                first = cell.source.splitlines()[0] if cell.source else ""
                self.report.problems.append(
                    f"cell {i} ({first[:60]!r}) shows an error or stderr output{when}:\n"
                    f"{shown['stderr'][-1500:]}")
            if not after_moves and not re.fullmatch(r"\[\d+\]:", shown["prompt"]):
                self.report.problems.append(f"cell {i} did not run (prompt {shown['prompt']!r})")

    def check_console(self) -> None:
        for m in self.console:
            if m["url"] in self.blocked and "Failed to load resource" in m["text"]:
                m["ignored"] = "a blocked request to another host (badge images: no internet)"
                continue
            known = [why for ui, phase, text, why in KNOWN_FRONT_END_ERRORS
                     if (ui, phase, text) == (self.ui, m["phase"], m["text"])]
            if known:
                m["ignored"] = known[0]
                continue
            self.report.problems.append(f"browser console error ({m['phase']}): {m['text'][:500]} "
                                        f"(at {m['url'] or 'unknown'})")

    # ---- waiting for redraws ------------------------------------------------------------------
    def figure_state(self, fig, with_hash: bool = True) -> dict:
        """What the figure shows: image (its blob URL, and with ``with_hash`` a hash of the PNG
        itself), text, error, controls; and the kernel's status and count of busy turns."""
        handle = fig.element_handle()
        for _ in range(40):
            s = self.page.evaluate(_FIGURE_STATE, [handle, with_hash])
            if not with_hash or s["hash"] is not None or s["src"] is None:
                return s
            time.sleep(0.05)
        return s

    def settle(self, fig, busy_before: int) -> dict:
        """Wait until the kernel has handled the move (it turned busy since ``busy_before``), is idle
        again, and the figure did not change for a moment (a throttled last value may follow)."""
        deadline = time.monotonic() + MOVE_TIMEOUT_S
        # cheap polls (the image's blob URL changes with every new image); the PNG's hash at the end
        key = lambda s: (s["src"], s["text"], s["error"], s["busy"], s["status"])   # noqa: E731
        last, quiet_since = None, time.monotonic()
        while True:
            s = self.figure_state(fig, with_hash=False)
            now = time.monotonic()
            if not (s["busy"] > busy_before and s["status"] == "idle" and last is not None
                    and key(s) == key(last)):
                quiet_since = now
            elif now - quiet_since >= SETTLE_QUIET_S:
                s = self.figure_state(fig)
                s["timed_out"] = False
                return s
            last = s
            if now > deadline:
                s = self.figure_state(fig)
                s["timed_out"] = True
                return s
            time.sleep(0.03)

    def paint_log_length(self) -> int:
        try:
            return self.page.evaluate("() => (window.__bookPaintLog || []).length")
        except Exception:
            return 0

    def paint_ms(self, fig, start: int) -> tuple[float | None, int]:
        """Milliseconds from the first value change of ``fig``'s controls logged since index
        ``start`` of the page's paint log to the last new image of ``fig`` painted (None if the
        log has no such pair: nothing changed, or no image followed), and how many value changes
        there were (a move by several key presses makes several, which the figure follows one
        redraw at a time)."""
        try:
            entries, _ = self.page.evaluate(_PAINT_ENTRIES, [fig.element_handle(), start])
        except Exception:   # a timing is a report, never a test result
            return None, 0
        values = [t for kind, t in entries if kind == "value"]
        paints = [t for kind, t in entries if kind == "paint" and values and t >= values[0]]
        if not values or not paints:
            return None, len(values)
        return round(paints[-1] - values[0], 1), len(values)

    def summarize_paint_times(self) -> None:
        """The median and worst time from a value change to the new image painted, over the
        moves of this notebook that changed the image, and over those made of one value change
        (a drag in one go, a dropdown, a checkbox): ``report.paint_ms``."""
        moves = [m for f in self.report.figures for c in f["controls"] for m in c["moves"]
                 if m.get("paint_ms") is not None]
        for name, chosen in [("", moves),
                             ("one_change_", [m for m in moves if m["value_changes"] == 1])]:
            times = sorted(m["paint_ms"] for m in chosen)
            if times:
                n = len(times)
                median = times[n // 2] if n % 2 else (times[n // 2 - 1] + times[n // 2]) / 2
                self.report.paint_ms.update({f"{name}moves": n, f"{name}median": round(median, 1),
                                             f"{name}worst": round(times[-1], 1)})

    def move(self, fig, j: int, action, result: dict, how: str, before: dict) -> tuple[dict, dict]:
        """Do ``action`` (a move of control ``j``) and wait for the redraw; returns the new figure
        state and control, and records the move in ``result`` (with ``paint_ms``, the time from the
        value change in the page to the new image painted). If the control's value did not
        change in the page, nothing reaches the kernel: the state returned is ``before``."""
        c_before = before["controls"][j]
        log_start = self.paint_log_length()
        t0 = time.monotonic()
        action()
        c_now = self.figure_state(fig, with_hash=False)["controls"][j]
        if c_now["value"] == c_before["value"]:
            after = dict(before, controls=[*before["controls"]], timed_out=False, unchanged=True)
            after["controls"][j] = c_now
        else:
            after = self.settle(fig, before["busy"])
        c_after = after["controls"][j]
        result["moves"].append({
            "how": how, "from": c_before["value"], "to": c_after["value"],
            "image_changed": after["hash"] != before["hash"],
            "text_changed": after["text"] != before["text"],
            "seconds": round(time.monotonic() - t0, 2)})
        if after["hash"] != before["hash"] and not after.get("unchanged"):
            ms, changes = self.paint_ms(fig, log_start)
            result["moves"][-1].update(paint_ms=ms, value_changes=changes)
        return after, c_after

    def problem(self, where: str, text: str) -> None:
        self.report.problems.append(f"{where}: {text}")

    def redraw_ok(self, where: str, how: str, before: dict, after: dict, label: str) -> bool:
        """Checks common to every move: the redraw finished without error, and where the text
        shows the control's value (``label = value``), it shows the new value."""
        c0, c1 = before["controls"], after["controls"]
        span = f"({_cv(before, after)})"
        if after["error"]:
            self.problem(where, f"the redraw failed after {how} {span}:\n{after['error'][-1500:]}")
            return False
        if after.get("timed_out"):
            self.problem(where, f"no finished redraw within {MOVE_TIMEOUT_S:.0f} s after {how} "
                                f"{span} (kernel status {after['status']})")
            return False
        for cb, ca in zip(c0, c1):
            if cb["kind"] != "slider" or cb["label"] != label:
                continue
            token_before = shown_value(before["text"], label)
            if token_before is None or not _shows(token_before, cb):
                continue   # the text does not show this slider's value
            token_after = shown_value(after["text"], label)
            if token_after is None or not _shows(token_after, ca):
                self.problem(where, f"after {how} the slider reads {ca['readout']}, but the text "
                                    f"says {after['text']!r}")
                return False
        return True

    # ---- the figures ----------------------------------------------------------------------------
    def check_figures(self) -> None:
        figs = self.page.locator(".book-interactive-figure")
        n = figs.count()
        if self.expected is not None and n != self.expected:
            self.report.problems.append(f"the page shows {n} interactive figure(s), the saved "
                                        f"notebook {self.expected}")
        if n == 0:
            self.report.problems.append("no interactive figure is shown after Run All")
        for i in range(n):
            fig = figs.nth(i)
            fig.scroll_into_view_if_needed()
            state = self.settle(fig, -1)
            entry = {"index": i + 1, "controls": []}
            self.report.figures.append(entry)
            if state["error"]:
                self.problem(f"figure {i + 1}", f"shows an error before any move:\n"
                                                f"{state['error'][-1500:]}")
                continue
            if state["hash"] is None:
                self.problem(f"figure {i + 1}", "shows no image")
                continue
            self.shot(f"fig{i + 1}-before.png", fig)
            for j, control in enumerate(state["controls"]):
                name = control["label"] or f"control {j + 1}"
                where = f"figure {i + 1}, {control['kind']} {name!r}"
                result = {"name": name, "kind": control["kind"], "moves": []}
                entry["controls"].append(result)
                widget = fig.locator(":scope > *").nth(j)
                if control["kind"] == "slider":
                    self.exercise_slider(fig, j, widget, where, result)
                elif control["kind"] in ("dropdown", "checkbox"):
                    self.exercise_choice(fig, j, widget, where, result)
                else:
                    result["note"] = "not moved: the check moves sliders, dropdowns and checkboxes"
                safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
                self.shot(f"fig{i + 1}-{j + 1}-{safe}-moved.png", fig)

    def exercise_slider(self, fig, j: int, widget, where: str, result: dict) -> None:
        """Drag the handle, then move it with the keyboard: JupyterLab: arrow keys forward, then back
        to where the drag left it; Notebook 7: Page Up/Down forward and back, then End and Home."""
        page = self.page
        handle = widget.locator(".noUi-handle")
        s0 = self.figure_state(fig)
        c0 = s0["controls"][j]
        label = c0["label"]

        # 1. drag the handle a sixth of the track towards the farther end (further if that is
        #    not enough to reach the next value of a slider with few values)
        def drag(fraction):
            handle.scroll_into_view_if_needed()
            box = handle.bounding_box()
            track = widget.locator(".noUi-base").bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            dx = max(track["width"] * fraction, 12) * (1 if _toward_max(c0) else -1)
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + dx, y)   # in one go: one new value, one redraw
            page.mouse.up()

        for fraction in (1 / 6, 1 / 3, 1 / 2):
            s1, c1 = self.move(fig, j, lambda: drag(fraction), result, "drag", s0)
            if not s1.get("unchanged"):
                break
            result["moves"].pop()
        if s1.get("unchanged"):
            result["moves"].append({"how": "drag", "from": c0["value"], "to": c1["value"]})
            self.problem(where, f"dragging the handle did not move the slider (stays {c0['value']})")
            return
        if not self.redraw_ok(where, "dragging", s0, s1, label):
            return
        if s1["hash"] == s0["hash"]:
            self.problem(where, f"the figure did not change after dragging ({_cv(s0, s1)})")
            return

        # 2. keyboard forward: one step (on a fine slider, a twentieth of the range, at most 8 steps)
        handle.focus()
        up = _toward_max(c1)
        if self.ui == "lab":
            forward, back = ("ArrowRight", "ArrowLeft") if up else ("ArrowLeft", "ArrowRight")
        else:
            forward, back = ("PageUp", "PageDown") if up else ("PageDown", "PageUp")
        presses = 1
        keyboard = page.keyboard
        if self.ui == "lab":
            # one press tells the step, without waiting for its redraw
            keyboard.press(forward)
            step = abs(_number(self.figure_state(fig, with_hash=False)["controls"][j]["value"])
                       - _number(c1["value"]))
            span = _number(c1["max"]) - _number(c1["min"])
            if 0 < step < 0.02 * span:   # a fine slider: a few presses, for a visible change
                presses = int(min(8, round(0.05 * span / step)))

        def keys_forward():
            for _ in range(presses - 1 if self.ui == "lab" else presses):
                keyboard.press(forward)

        how = f"{presses} x {forward}"
        s2, c2 = self.move(fig, j, keys_forward, result, how, s1)
        if c2["value"] == c1["value"] or (_number(c2["value"]) > _number(c1["value"])) != up:
            self.problem(where, f"{how} on the focused slider moved it from {c1['value']} to "
                                f"{c2['value']}")
            return
        if not self.redraw_ok(where, how, s1, s2, label):
            return
        if (s2["hash"], s2["text"]) == (s1["hash"], s1["text"]):
            self.problem(where, f"neither figure nor text changed after {how} ({_cv(s1, s2)})")
            return

        # 3. keyboard back to where the drag left it: the same drawing as then
        how = f"{presses} x {back}"
        s3, c3 = self.move(fig, j, lambda: [keyboard.press(back) for _ in range(presses)], result,
                           how, s2)
        if not self.redraw_ok(where, how, s2, s3, label):
            return
        if abs(_number(c3["value"]) - _number(c1["value"])) > 1e-9 * max(1.0, abs(_number(c1["value"]))):
            self.problem(where, f"{how} took the slider to {c3['value']}, not back to {c1['value']}")
            return
        if (s3["hash"], s3["text"]) != (s1["hash"], s1["text"]):
            what = " and the ".join(w for w, d in (("figure", s3["hash"] != s1["hash"]),
                                                   ("text", s3["text"] != s1["text"])) if d)
            self.problem(where, f"back at {c1['readout']} after {how}, the {what} differ(s) from the "
                                f"drawing at the same value before (text then {s1['text']!r}, now "
                                f"{s3['text']!r}): the output is stale or not a function of the "
                                "controls")
            return
        if self.ui == "lab":
            return

        # 4. Notebook 7: the ends of the range
        state = s3
        for key, sign in (("End", 1), ("Home", -1)):
            before = state
            state, c = self.move(fig, j, lambda: keyboard.press(key), result, key, before)
            if state.get("unchanged"):
                continue   # it was at that end already
            if (_number(c["value"]) - _number(before["controls"][j]["value"])) * sign < 0:
                self.problem(where, f"{key} moved the slider the wrong way ({_cv(before, state)})")
                return
            if not self.redraw_ok(where, key, before, state, label):
                return

    def exercise_choice(self, fig, j: int, widget, where: str, result: dict) -> None:
        """Pick another option of a dropdown (or click a checkbox), then go back."""
        s0 = self.figure_state(fig)
        c0 = s0["controls"][j]
        if c0["kind"] == "dropdown":
            select = widget.locator("select")
            options = select.evaluate("(s) => Array.from(s.options).map(o => o.value)")
            others = [o for o in options if o != c0["value"]]
            if not others:
                result["note"] = "a dropdown with one option"
                return
            change, back = (lambda: select.select_option(others[0]),
                            lambda: select.select_option(c0["value"]))
        else:
            box = widget.locator("input[type=checkbox]")
            change = back = box.click
        s1, c1 = self.move(fig, j, change, result, "select" if c0["kind"] == "dropdown" else "click", s0)
        if s1.get("unchanged"):
            self.problem(where, "changing it in the page did not change its value")
            return
        if not self.redraw_ok(where, "changing it", s0, s1, c0["label"]):
            return
        if (s1["hash"], s1["text"]) == (s0["hash"], s0["text"]):
            result["note"] = "no visible change at the other controls' current values"
        s2, _ = self.move(fig, j, back, result, "back", s1)
        if not self.redraw_ok(where, "changing it back", s1, s2, c0["label"]):
            return
        if (s2["hash"], s2["text"]) != (s0["hash"], s0["text"]):
            self.problem(where, f"back at {c0['value']!r}, the figure or text differs from the "
                                "first drawing: the output is stale or not a function of the controls")


def _cv(before: dict, after: dict) -> str:
    """'a -> b' for the control values of two states (or two controls) that differ."""
    if "controls" in before:
        pairs = [(b["value"], a["value"]) for b, a in zip(before["controls"], after["controls"])
                 if b["value"] != a["value"]]
        return ", ".join(f"{b} -> {a}" for b, a in pairs) or "no value changed"
    return f"{before['value']} -> {after['value']}"


def _shows(token: str, control: dict) -> bool:
    """Whether ``token`` (a number in the text) is the slider's value, as its readout or its exact
    value show it."""
    return any(agrees(token, v) for v in (_number(control.get("readout")), _number(control["value"]))
               if v == v)


def check_notebook(context, server: JupyterServer, source: Path, *, ui: str = "lab",
                   artifacts: Path | None = None,
                   expected_figures: int | None = None) -> Report:
    """Open ``source`` (a fresh copy of it) in ``server`` with a new page of the Playwright browser
    ``context``, run all cells, and exercise every interactive figure.

    ``ui`` is ``"lab"`` (arrow keys) or ``"notebook"`` (Notebook 7: Page Up/Down, Home, End); it
    must match the server's app. Screenshots and ``report.json`` go to ``artifacts`` (by default
    ``tests/artifacts/browser/<ui>/<notebook>``). Raises :class:`BrowserCheckError` listing every
    problem; returns the :class:`Report` otherwise. The kernel is shut down in every case.
    """
    if ui != server.app:
        raise ValueError(f"ui {ui!r} does not match the server's app {server.app!r}")
    if artifacts is None:
        artifacts = ARTIFACTS / ui / notebook_id(source).replace("/", "__").removesuffix(".ipynb")
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    return _Checker(context, server, source, ui, artifacts, expected_figures).run()


def assert_notebook_works(context, server, path, *, ui: str, record_property) -> None:
    """Run :func:`check_notebook` on ``path`` as a pytest test: fail with the helper's message, and
    require that at least one control was moved."""
    import pytest

    try:
        report = check_notebook(context, server, path, ui=ui,
                                expected_figures=saved_figure_count(path))
        failure = None
    except BrowserCheckError as err:
        report, failure = err.report, str(err)
    record_property("browser_seconds", report.seconds)
    record_property("browser_paint_ms", report.paint_ms)
    if failure:
        pytest.fail(failure, pytrace=False)
    moved = [c for f in report.figures for c in f["controls"] if c["moves"]]
    assert moved, f"no control of {notebook_id(path)} was moved"
