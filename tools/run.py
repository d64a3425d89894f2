#!/usr/bin/env python3
"""Set up the book's virtual environment and open the book, or run the tests.

    python3 tools/run.py lab     # create .venv if needed, install requirements.txt, open JupyterLab
    python3 tools/run.py test    # the same with requirements-test.txt, then run the whole test suite
    python3 tools/run.py envs    # then test the book in other environments (tools/environments.py)
    python3 tools/run.py site    # build the book's website into build/site (tools/site.py)

Only the Python standard library is used here, so this works on a machine that has nothing but
Python 3.11+. The environment lives in ``.venv`` at the repository's root and is reinstalled only
when a requirements file changes. Extra arguments after ``test`` go to pytest
(``python3 tools/run.py test -m "not browser"``); after ``lab`` they go to JupyterLab; after
``site`` they go to tools/site.py (``site --serve``, ``site --only NB ...``). The website's build
tools live in their own environment, ``.venv-site`` (requirements-site.txt), with the same stamp
logic, so that Sphinx and its pins never change the book's exact environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
SITE_VENV = ROOT / ".venv-site"


def ensure_env(requirements: str, env: Path = VENV, depends: tuple[str, ...] = (
        "requirements.txt", "pyproject.toml")) -> None:
    """Create ``env`` (``.venv``) and install ``requirements`` into it unless already done for this
    content (of ``requirements`` and the files ``depends``)."""
    if sys.version_info < (3, 11):
        sys.exit(f"The book needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    py = env / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt"
                                                           else "python")
    if not py.exists():
        print(f"Creating the virtual environment {env} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(env)
    files = [ROOT / f for f in depends] + [ROOT / requirements]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = env / f".installed-{Path(requirements).stem}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"Installing {requirements} into {env} (once; takes a minute or two) ...", flush=True)
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", requirements], check=True, cwd=ROOT)
    stamp.write_text(digest)


def ensure_site_env() -> None:
    """The website's build tools (Sphinx, myst-nb, the theme, MathJax's files) in ``.venv-site``."""
    ensure_env("requirements-site.txt", SITE_VENV, depends=())


# JupyterLab settings for the book's environment: no news pop-up over the page on first start and
# no update check (neither can reach the network from many readers' machines, and both distract).
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def write_lab_overrides(prefix: str | Path | None = None) -> None:
    """Install :data:`LAB_OVERRIDES` as the JupyterLab defaults (overrides.json) of the environment
    at ``prefix`` (the book's .venv by default; Binder's postBuild passes its own)."""
    target = Path(prefix or VENV) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(LAB_OVERRIDES, indent=2) + "\n"
    if not target.exists() or target.read_text() != text:
        target.write_text(text)


def lab_command(rest: list[str]) -> list[str]:
    """The JupyterLab command line: the introduction is opened unless a path is given, and
    ``--allow-root`` is added when running as root (Jupyter refuses root otherwise)."""
    args = list(rest)
    if not any(not a.startswith("-") and (a.endswith(".ipynb") or (ROOT / a).exists())
               for a in args):
        args.insert(0, "notebooks/00_introduction.ipynb")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        print("Running as root: starting JupyterLab with --allow-root.", flush=True)
        args.append("--allow-root")
    return [str(PY), "-m", "jupyter", "lab", *args]


def test_workers() -> int:
    """One pytest worker per core, plus one: the browser tests spend much of their time waiting
    for the page, and the extra worker runs kernels meanwhile."""
    return (os.cpu_count() or 1) + 1


def pytest_command(rest: list[str]) -> list[str]:
    """pytest with :func:`test_workers` workers (notebooks kept whole on one worker) unless
    the arguments choose the workers (``-n``, ``--numprocesses``, ``-p no:xdist``)."""
    chooses = any(a == "-n" or a.startswith(("-n", "--numprocesses", "--dist")) for a in rest) \
        or "no:xdist" in rest
    workers = [] if chooses else ["-n", str(test_workers()), "--dist", "loadscope"]
    return [str(PY), "-m", "pytest", *workers, *rest]


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"lab", "test", "envs", "site"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "lab":
        ensure_env("requirements.txt")
        write_lab_overrides()
        return subprocess.call(lab_command(rest), cwd=ROOT)
    if command == "site":
        # The book's .venv renders the sliders' frames (its kernels run the notebooks); .venv-site
        # runs Sphinx. tools/site.py runs in the book's environment and calls the other. The test
        # requirements (a superset of the book's) so that `site` and `test` share one .venv and
        # neither reinstalls it after the other; the site's browser tests need playwright anyway.
        ensure_env("requirements-test.txt")
        ensure_site_env()
        return subprocess.call([str(PY), str(ROOT / "tools" / "site.py"), *rest], cwd=ROOT)
    ensure_env("requirements-test.txt")
    if command == "envs":
        return subprocess.call([sys.executable, str(ROOT / "tools" / "environments.py"), *rest],
                               cwd=ROOT)
    return subprocess.call(pytest_command(rest), cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
