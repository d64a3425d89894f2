#!/usr/bin/env python3
"""Set up the book's virtual environment and open the book, or run the tests.

    python3 tools/run.py lab     # create .venv if needed, install requirements.txt, open JupyterLab
    python3 tools/run.py test    # the same with requirements-test.txt, then run the whole test suite

Only the Python standard library is used here, so this works on a machine that has nothing but
Python 3.11+. The environment lives in ``.venv`` at the repository's root and is reinstalled only
when a requirements file changes. Extra arguments after ``test`` go to pytest
(``python3 tools/run.py test -m "not browser"``); after ``lab`` they go to JupyterLab.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_env(requirements: str) -> None:
    """Create ``.venv`` and install ``requirements`` into it unless already done for this content."""
    if sys.version_info < (3, 11):
        sys.exit(f"The book needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print(f"Creating the virtual environment {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    files = [ROOT / "requirements.txt", ROOT / requirements, ROOT / "pyproject.toml"]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{Path(requirements).stem}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"Installing {requirements} into {VENV} (once; takes a minute or two) ...", flush=True)
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True,
                   cwd=ROOT)
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "-r", requirements], check=True,
                   cwd=ROOT)
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"lab", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "lab":
        ensure_env("requirements.txt")
        args = rest or ["notebooks/00_introduction.ipynb"]
        if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
            # Jupyter refuses to start as root unless told to (containers often run as root).
            print("Running as root: starting JupyterLab with --allow-root.", flush=True)
            args = [*args, "--allow-root"]
        return subprocess.call([str(PY), "-m", "jupyter", "lab", *args], cwd=ROOT)
    ensure_env("requirements-test.txt")
    return subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
