"""Data sets of the book: MNIST from ``data/mnist.npz``, the English word list from
``data/words.txt``, and small synthetic 2-D sets.

MNIST and the word list ship with the repository (see ``data/README.md`` for provenance and licence). It is never
downloaded and never replaced by something else: a missing or damaged file raises
:class:`DataError` saying what is wrong and how to fix it.

The synthetic sets are deterministic: the same ``seed`` gives the same points on every machine.
Each returns ``X`` of shape ``(n, 2)`` (float64) and labels ``y`` of shape ``(n,)`` (int64).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .validation import require_positive_int

__all__ = ["DataError", "MNIST", "MNIST_ENV", "MNIST_SHA256", "default_mnist_path", "load_mnist",
           "mnist_candidates", "WORDS_SHA256", "load_words",
           "make_blobs", "make_moons", "make_spirals"]

MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"
_MNIST_SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,),
                 "x_test": (10000, 28, 28), "y_test": (10000,)}
MNIST_ENV = "MFDL_MNIST"
_FIX = ("data/mnist.npz ships with the book's repository: restore it with "
        "`git checkout -- data/mnist.npz` (or clone the repository again); on Colab, run the "
        "notebook's setup cell, which fetches the repository.")
_FIX_CUSTOM = ("Point it at a copy of the book's data/mnist.npz (the file in the book's repository), "
               f"or leave the path and ${MNIST_ENV} unset to use that file.")


class DataError(RuntimeError):
    """A data file is missing, damaged or not what the book expects."""


class MNIST(NamedTuple):
    """The MNIST split. Unpack as ``x_train, y_train, x_test, y_test = load_mnist()``.

    Shapes: ``x_train`` (60000, 28, 28) or (60000, 784) when flattened, ``y_train`` (60000,),
    ``x_test`` (10000, 28, 28) or (10000, 784), ``y_test`` (10000,).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def mnist_candidates() -> list[Path]:
    """Where :func:`default_mnist_path` looks for ``data/mnist.npz``, in order.

    1. next to the ``helpers`` package (a clone of the repository, an editable install, or the
       repository on ``sys.path`` as on Colab);
    2. in the current folder and each folder above it (a non-editable install, as Binder makes,
       with the notebooks run from inside the repository).
    """
    return _data_candidates("mnist.npz")


def _data_candidates(name: str) -> list[Path]:
    """``data/<name>`` next to the ``helpers`` package, then under the current folder and each
    folder above it (see :func:`mnist_candidates`)."""
    here = Path(__file__).resolve().parent.parent / "data" / name
    cwd = Path.cwd().resolve()
    above = [d / "data" / name for d in (cwd, *cwd.parents)]
    return list(dict.fromkeys([here, *above]))


def default_mnist_path() -> Path:
    """The MNIST file used when none is given: ``$MFDL_MNIST`` if that is set, else the first
    existing file of :func:`mnist_candidates` (else the first candidate that exists as a folder,
    else the first candidate, which does not exist)."""
    if os.environ.get(MNIST_ENV):
        return Path(os.environ[MNIST_ENV]).expanduser()
    candidates = mnist_candidates()
    # A folder where the file should be is returned (and reported as a folder), not skipped.
    present = next((c for c in candidates if c.exists()), candidates[0])
    return next((c for c in candidates if c.is_file()), present)


_verified: dict[tuple[str, int, int], bool] = {}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_mnist(path: str | Path | None = None, *, flatten: bool = False,
               normalize: bool = False, verify: bool = True) -> MNIST:
    """Load the official MNIST split (60,000 training and 10,000 test images).

    Parameters
    ----------
    path : str or Path, optional
        The ``.npz`` file; by default ``$MFDL_MNIST`` if set, else the repository's
        ``data/mnist.npz`` (see :func:`default_mnist_path`).
    flatten : bool
        If True, images are rows of 784 pixels instead of 28 x 28 arrays.
    normalize : bool
        If True, pixels are float32 in [0, 1] (divided by 255); otherwise uint8 in 0..255.
    verify : bool
        Check the file's sha256 against :data:`MNIST_SHA256` (done once per file and session).

    Returns
    -------
    MNIST
        ``(x_train, y_train, x_test, y_test)``. Images: shape (60000, 28, 28) / (10000, 28, 28),
        or (60000, 784) / (10000, 784) if ``flatten``; dtype uint8, or float32 if ``normalize``.
        Labels: shape (60000,) / (10000,), dtype uint8, values 0..9.

    Raises
    ------
    DataError
        If the file is missing, is not a valid ``.npz``, has the wrong checksum, or lacks an array;
        the message names the file and says how to restore it.
    """
    if path is not None:
        path, given = Path(path).expanduser(), "the path given"
    elif os.environ.get(MNIST_ENV):
        path, given = default_mnist_path(), f"${MNIST_ENV}"
    else:
        path, given = default_mnist_path(), None
    fix = _FIX if given is None else _FIX_CUSTOM
    source = "" if given is None else f" ({given})"
    if path.is_dir():
        raise DataError(f"MNIST: {path}{source} is a folder, not the .npz file. {fix}")
    if not path.is_file():
        if given is None:
            looked = ", ".join(str(c) for c in mnist_candidates())
            raise DataError(f"MNIST file not found; looked for data/mnist.npz at {looked}. {fix}")
        raise DataError(f"MNIST file not found at {path}{source}. {fix}")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if verify and key not in _verified:
        actual = _sha256(path)
        if actual != MNIST_SHA256:
            raise DataError(
                f"{path} is damaged or is not the book's MNIST file: its sha256 is {actual}, "
                f"expected {MNIST_SHA256} ({stat.st_size:,} bytes; the right file has "
                f"11,490,519). A Git LFS pointer or an interrupted copy looks like this. {fix}")
        _verified[key] = True
    arrays = _read_npz(path, fix)
    for k, shape in _MNIST_SHAPES.items():
        if arrays[k].shape != shape or arrays[k].dtype != np.uint8:
            raise DataError(f"{path}: {k} has shape {arrays[k].shape} and dtype {arrays[k].dtype}, "
                            f"expected {shape} and uint8. {fix}")
    for k in ("x_train", "x_test"):
        x = arrays[k]
        if flatten:
            x = x.reshape(len(x), 784)
        if normalize:
            x = x.astype(np.float32) / np.float32(255.0)
        arrays[k] = x
    return MNIST(**arrays)


def _read_npz(path: Path, fix: str) -> dict[str, np.ndarray]:
    """The MNIST arrays of the ``.npz`` file ``path``; any damage becomes a :class:`DataError`.

    Damage shows up as many exception types, depending on the byte hit: zipfile.BadZipFile,
    zlib.error, EOFError, ValueError, KeyError, tokenize.TokenError (a damaged array header),
    NotImplementedError (a damaged zip version or compression field), MemoryError (a header
    claiming a huge shape). Every one of them means the file is not the book's archive.
    """
    with open(path, "rb") as fh:   # closed however reading fails
        try:
            npz = np.load(fh, allow_pickle=False)
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise DataError(f"{path} holds a single {type(npz).__name__} (a .npy file?), not "
                                f"the .npz archive of MNIST's four arrays. {fix}")
            missing = sorted(set(_MNIST_SHAPES) - set(npz.files))
            if missing:
                raise DataError(f"{path} lacks the arrays {missing}. {fix}")
            return {k: npz[k] for k in _MNIST_SHAPES}
        except DataError:
            raise
        except Exception as exc:   # noqa: BLE001 - any failure to read the archive is damage
            raise DataError(f"{path} is not a readable .npz file or is damaged "
                            f"({type(exc).__name__}: {exc}). {fix}") from None


WORDS_SHA256 = "a43c50614fda43658df3e60aa07e8cc37f657d969fcf89938731bf059db16d16"
_WORDS_FIX = ("data/words.txt ships with the book's repository: restore it with "
              "`git checkout -- data/words.txt` in your clone, or clone the repository again.")
_WORDS_FIX_CUSTOM = ("Point it at a copy of the book's data/words.txt, or give no path to use "
                     "that file.")


def load_words(path: str | Path | None = None) -> list[str]:
    """The book's text corpus: 63,875 English words, lower case a-z only, one per line, in the
    word list's (alphabetical) order. See ``data/README.md`` for provenance and licence.

    Parameters
    ----------
    path : str or Path, optional
        The text file; by default the repository's ``data/words.txt``, found as for MNIST.

    Returns
    -------
    list of str
        The words, each non-empty and made of the letters a-z.

    Raises
    ------
    DataError
        If the file is missing or is not the book's word list (checked by its sha256).
    """
    if path is None:
        candidates = _data_candidates("words.txt")
        path = next((c for c in candidates if c.is_file()),
                    next((c for c in candidates if c.exists()), None))
        if path is None:
            looked = ", ".join(str(c) for c in candidates)
            raise DataError(f"word list not found; looked for data/words.txt at {looked}. "
                            f"{_WORDS_FIX}")
        fix = _WORDS_FIX
    else:
        fix = _WORDS_FIX_CUSTOM
    path = Path(path).expanduser()
    if path.is_dir():
        raise DataError(f"word list: {path} is a folder, not the text file. {fix}")
    if not path.is_file():
        raise DataError(f"word list not found at {path}. {fix}")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != WORDS_SHA256:
        raise DataError(f"{path} is damaged or is not the book's word list: its sha256 is {actual}, "
                        f"expected {WORDS_SHA256}. {fix}")
    return data.decode("ascii").split()


def _check_noise(noise) -> float:
    if not np.isscalar(noise) or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return float(noise)


def make_blobs(n_per_class: int = 100, centers=((-2.0, 0.0), (2.0, 0.0)), std: float = 1.0,
               seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs: ``n_per_class`` points around each centre.

    Parameters
    ----------
    n_per_class : int
        Points per class.
    centers : array_like, shape (k, 2)
        One centre per class; class ``i`` is drawn around ``centers[i]``.
    std : float
        Standard deviation of each coordinate (isotropic), >= 0.
    seed : int
        Seed of the ``numpy.random.default_rng`` used.

    Returns
    -------
    X : ndarray, shape (k * n_per_class, 2), float64
    y : ndarray, shape (k * n_per_class,), int64, values 0..k-1
    """
    n = require_positive_int(n_per_class, "n_per_class")
    c = np.asarray(centers, dtype=float)
    if c.ndim != 2 or c.shape[1] != 2 or len(c) == 0:
        raise ValueError(f"centers must have shape (k, 2) with k >= 1, got shape {c.shape}")
    std = _check_noise(std)
    rng = np.random.default_rng(seed)
    X = np.concatenate([ci + std * rng.standard_normal((n, 2)) for ci in c])
    y = np.repeat(np.arange(len(c), dtype=np.int64), n)
    return X, y


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, a classic set that no straight line separates.

    Parameters
    ----------
    n : int
        Total number of points (class 0 gets ``n - n // 2``, class 1 gets ``n // 2``).
    noise : float
        Standard deviation of Gaussian noise added to each coordinate, >= 0.
    seed : int
        Seed of the ``numpy.random.default_rng`` used.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
    y : ndarray, shape (n,), int64, values 0 and 1
    """
    n = require_positive_int(n, "n")
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    n1 = n // 2
    n0 = n - n1
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return X, y


def make_spirals(n_per_class: int = 100, n_classes: int = 2, noise: float = 0.05,
                 turns: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: hard for a linear model, easy for a small MLP.

    Parameters
    ----------
    n_per_class : int
        Points per arm.
    n_classes : int
        Number of arms (classes), >= 1.
    noise : float
        Standard deviation of Gaussian noise on each coordinate, >= 0.
    turns : float
        How far each arm winds around the origin, in full turns (> 0).
    seed : int
        Seed of the ``numpy.random.default_rng`` used.

    Returns
    -------
    X : ndarray, shape (n_classes * n_per_class, 2), float64, radius at most about 1 + noise
    y : ndarray, shape (n_classes * n_per_class,), int64, values 0..n_classes-1
    """
    n = require_positive_int(n_per_class, "n_per_class")
    k = require_positive_int(n_classes, "n_classes")
    noise = _check_noise(noise)
    if not np.isscalar(turns) or not np.isfinite(turns) or turns <= 0:
        raise ValueError(f"turns must be a finite number > 0, got {turns!r}")
    rng = np.random.default_rng(seed)
    r = np.linspace(0.05, 1.0, n)
    parts = []
    for c in range(k):
        theta = 2 * np.pi * (turns * r + c / k)
        parts.append(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
    X = np.concatenate(parts) + noise * rng.standard_normal((n * k, 2))
    y = np.repeat(np.arange(k, dtype=np.int64), n)
    return X, y
