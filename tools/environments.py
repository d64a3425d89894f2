#!/usr/bin/env python3
"""Test the book in the environments its readers meet, beyond the pinned one of `run.py test`.

    python3 tools/run.py envs                 # all of them (about 15 minutes on 2 cores)
    python3 tools/run.py envs blas colab      # some of them
    python3 tools/run.py envs --sample        # colab and lower on SAMPLE only (what CI runs)

blas    Strict nbval (saved outputs re-derived and compared) of the notebooks whose numbers go
        through float32 products or training, under other BLAS and SIMD configurations than the
        test command's: OPENBLAS_CORETYPE=Haswell, Sandybridge and Nehalem (three generations of
        x86 kernels; one that is the machine's default kernel is skipped, since an unset
        OPENBLAS_CORETYPE, the one a reader has, is the test command's own run), and numpy's AVX2
        code switched off (NPY_DISABLE_CPU_FEATURES).
        The sample (BLAS_SAMPLE) is every notebook whose printed numbers depend on summation
        order; the other notebooks print exact or well-conditioned float64 results, the same
        under any kernel, and run in the test command.
colab   Colab's versions (envs/colab.txt, Python 3.13, ipywidgets 7): every notebook run as on
        Colab, its setup cell cloning the repository (see tests/environments/check_notebooks.py).
lower   The lower bounds of pyproject.toml on the oldest supported Python (envs/lower.txt).
binder  What mybinder.org builds (repo2docker): the Python of runtime.txt, `pip install -r
        requirements.txt`, then `pip install .` (helpers copied to site-packages), then postBuild;
        the introduction and the MNIST training notebook run from notebooks/.

--sample  colab and lower run SAMPLE, not every notebook: the notebooks that exercise every
        path where the versions differ (the Colab setup cell, every kind of control: sliders, log
        sliders, dropdowns, toggle buttons, several sliders on several axes; the live training
        display; sympy; MNIST) and at least one notebook of every series. CI runs this, to stay in
        its time budget; the other notebooks use the same helpers the same way. Run without
        --sample before a release, and after changing a notebook's use of widgets or sympy.

Environments are built under build/envs/ and rebuilt when their requirements change. Each check
prints one line per notebook; the last line is "N passed, M failed" over all checks, and the
exit status is 1 if anything failed. Only the standard library is used here.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENVS = ROOT / "build" / "envs"
TEST_PY = ROOT / ".venv" / "bin" / "python"
CHECK = ROOT / "tests" / "environments" / "check_notebooks.py"

BLAS_CONFIGS = {
    "OPENBLAS_CORETYPE=Haswell": {"OPENBLAS_CORETYPE": "Haswell"},
    "OPENBLAS_CORETYPE=Sandybridge": {"OPENBLAS_CORETYPE": "Sandybridge"},
    "OPENBLAS_CORETYPE=Nehalem": {"OPENBLAS_CORETYPE": "Nehalem"},
    "NPY_DISABLE_CPU_FEATURES=X86_V3": {"NPY_DISABLE_CPU_FEATURES": "X86_V3"},
}
BLAS_SAMPLE = [
    "notebooks/02_calculus/03_chain_rule_and_jacobians.ipynb",
    "notebooks/03_probability/07_generating_new_data.ipynb",
    "notebooks/04_optimization/03_stochastic_gradient_descent.ipynb",
    "notebooks/05_neural_networks/01_from_logistic_regression_to_a_neuron.ipynb",
    "notebooks/05_neural_networks/02_multilayer_perceptron_and_backpropagation.ipynb",
    "notebooks/05_neural_networks/03_training_on_mnist.ipynb",
    "notebooks/05_neural_networks/04_making_training_work.ipynb",
    "notebooks/05_neural_networks/05_deep_networks_backpropagation_on_any_graph.ipynb",
    "notebooks/05_neural_networks/06_regularization.ipynb",
    "notebooks/05_neural_networks/07_looking_inside.ipynb",
    "notebooks/06_convolution_and_attention/02_a_convolutional_network_on_mnist.ipynb",
    "notebooks/06_convolution_and_attention/04_a_small_language_model.ipynb",
]
SAMPLE = [
    "notebooks/00_introduction.ipynb",                              # setup cell, one slider
    "notebooks/01_linear_algebra/05_eigenvalues_and_svd.ipynb",     # dropdown, grid of axes, sympy
    "notebooks/02_calculus/05_matrix_calculus_and_kinks.ipynb",     # sympy matrix calculus
    "notebooks/03_probability/03_bayes_rule.ipynb",                 # log slider, toggle buttons
    "notebooks/04_optimization/04_momentum_and_adaptive_methods.ipynb",  # several controls
    "notebooks/05_neural_networks/03_training_on_mnist.ipynb",      # live training display, MNIST
    "notebooks/05_neural_networks/07_looking_inside.ipynb",         # trained network's figures
    "notebooks/06_convolution_and_attention/04_a_small_language_model.ipynb",  # saved weights, attention
]
BINDER_NOTEBOOKS = ["notebooks/00_introduction.ipynb",
                    "notebooks/05_neural_networks/03_training_on_mnist.ipynb"]


def find_python(version: str) -> str:
    """An interpreter of Python ``version`` ("3.13"): on PATH, or installed by pyenv."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{version}*/bin/python{version}"))
    candidates += [f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    for exe in filter(None, candidates):
        try:
            out = subprocess.run([exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == version:
            return exe
    raise SystemExit(f"Python {version} is needed for this environment and was not found "
                     f"(tried python{version} on PATH, pyenv, /usr/bin). Install it, e.g. "
                     f"`pyenv install {version}` or your system's python{version} package.")


def build(name: str, python: str, steps: list[list[str]], inputs: list[Path]) -> Path:
    """A virtual environment build/envs/NAME made by ``python``, with ``steps`` (pip arguments)
    run in it; rebuilt from scratch when any of ``inputs`` changes. Returns its interpreter."""
    where = ENVS / name
    exe = where / "bin" / "python"
    digest = hashlib.sha256(b"".join([python.encode(), repr(steps).encode(),
                                      *(p.read_bytes() for p in inputs)])).hexdigest()
    stamp = where / ".built"
    if exe.exists() and stamp.exists() and stamp.read_text() == digest:
        return exe
    print(f"[{name}] building {where} with {python} ...", flush=True)
    shutil.rmtree(where, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(where)], check=True)
    for args in steps:
        subprocess.run([str(exe), "-m", "pip", "install", "--quiet", *args], check=True, cwd=ROOT)
    stamp.write_text(digest)
    return exe


def run_check(label: str, cmd: list[str], env: dict | None = None) -> tuple[int, int]:
    """Run a check that ends with a line "N passed, M failed" (or pytest's summary), in the
    environment ``env`` (default: this one); returns the counts, a failure of the command itself
    counting as one failure."""
    print(f"\n== {label}", flush=True)
    lines = []
    with subprocess.Popen(cmd, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as proc:
        for line in proc.stdout:     # shown as it comes, kept for the counts
            print(line, end="", flush=True)
            lines.append(line)
    last = "".join(lines).strip().splitlines()[-1:] or [""]
    passed = sum(int(m) for m in re.findall(r"(\d+) passed", last[0]))
    failed = sum(int(m) for m in re.findall(r"(\d+) (?:failed|errors?)\b", last[0]))
    if proc.returncode != 0 and failed == 0:
        failed = 1
    return passed, failed


def default_kernel(env: dict) -> str | None:
    """The OpenBLAS kernel numpy picks on this CPU with OPENBLAS_CORETYPE unset (threadpoolctl)."""
    probe = ("import numpy, threadpoolctl; print(next((i['architecture'] for i in "
             "threadpoolctl.threadpool_info() if i.get('internal_api') == 'openblas'), ''))")
    out = subprocess.run([str(TEST_PY), "-c", probe], capture_output=True, text=True, env=env)
    return out.stdout.strip() or None


def blas(sample: bool = False) -> tuple[int, int]:
    if not TEST_PY.exists():
        raise SystemExit("the test environment .venv is missing: run `python3 tools/run.py test` first")
    total = [0, 0]
    # the configuration is exactly the one named: nothing inherited from this machine's settings
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "NPY_DISABLE_CPU_FEATURES")}
    configs = dict(BLAS_CONFIGS)
    if os.environ.get("OPENBLAS_CORETYPE"):
        # this machine sets a kernel, so the test command did not run the one a reader gets
        configs = {"OPENBLAS_CORETYPE unset": {}, **configs}
    default = default_kernel(env)
    for label, extra in configs.items():
        if extra.get("OPENBLAS_CORETYPE") == default and not os.environ.get("OPENBLAS_CORETYPE"):
            print(f"\n== blas: {label}: skipped, it is this CPU's default kernel, which the test "
                  "command ran", flush=True)
            continue
        cmd = [str(TEST_PY), "-m", "pytest", "-q", "-n", "auto", "--dist", "loadfile", *BLAS_SAMPLE]
        p, f = run_check(f"blas: {label}", cmd, {**env, **extra})
        total[0] += p
        total[1] += f
    return total[0], total[1]


def _which(sample: bool) -> tuple[str, list[str]]:
    """The notebooks colab and lower run: a label and the paths (none: every notebook)."""
    present = [nb for nb in SAMPLE if (ROOT / nb).is_file()]
    return (f"the {len(present)} notebooks of SAMPLE", present) if sample else ("every notebook", [])


def colab(sample: bool = False) -> tuple[int, int]:
    exe = build("colab", find_python("3.13"), [["-r", "envs/colab.txt"]], [ROOT / "envs/colab.txt"])
    label, notebooks = _which(sample)
    return run_check(f"colab: {label} as on Colab", [str(exe), str(CHECK), "--colab", *notebooks])


def lower(sample: bool = False) -> tuple[int, int]:
    exe = build("lower", find_python("3.11"), [["-r", "envs/lower.txt"], ["--no-deps", "-e", "."]],
                [ROOT / "envs/lower.txt", ROOT / "pyproject.toml"])
    label, notebooks = _which(sample)
    return run_check(f"lower: {label} at the lower bounds", [str(exe), str(CHECK), *notebooks])


def binder(sample: bool = False) -> tuple[int, int]:
    runtime = (ROOT / "runtime.txt").read_text().strip()
    version = runtime.removeprefix("python-")
    exe = build("binder", find_python(version),
                [["-r", "requirements.txt"], ["."], ["nbclient", "nbformat"]],
                [ROOT / "runtime.txt", ROOT / "requirements.txt", ROOT / "pyproject.toml",
                 *sorted((ROOT / "helpers").glob("*.py"))])
    where = subprocess.run([str(exe), "-c", "import helpers; print(helpers.__file__)"],
                           capture_output=True, text=True, cwd="/").stdout.strip()
    if "site-packages" not in where:
        print(f"[binder] expected helpers in site-packages as repo2docker installs it, found {where}")
        return 0, 1
    # repo2docker's last step: postBuild, with the environment's python first on PATH
    path = f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    subprocess.run(["bash", "postBuild"], cwd=ROOT, check=True, env={**os.environ, "PATH": path})
    overrides = exe.parent.parent / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    if not overrides.is_file():
        print(f"[binder] postBuild did not write {overrides}")
        return 0, 1
    return run_check("binder: as mybinder.org builds it (helpers in site-packages)",
                     [str(exe), str(CHECK), *BINDER_NOTEBOOKS])


CHECKS = {"blas": blas, "colab": colab, "lower": lower, "binder": binder}


def main(argv: list[str]) -> int:
    sample = "--sample" in argv
    names = [a for a in argv if a != "--sample"] or list(CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        print(__doc__)
        print(f"unknown environment(s): {', '.join(unknown)}")
        return 2
    passed = failed = 0
    start = time.monotonic()
    for name in names:
        p, f = CHECKS[name](sample)
        passed, failed = passed + p, failed + f
    print(f"\n{', '.join(names)}: {time.monotonic() - start:.0f} s")
    print(f"environments: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
