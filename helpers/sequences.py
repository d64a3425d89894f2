"""Character sequences: encoding words, a fixed data split, the bigram model, perplexity, sampling.

The probability series ends with models of sequences (notebook 03/09); later notebooks compare
their own models with the bigram model defined here, on the same split and with the same measure.

**Alphabet.** 27 symbols: index 0 is ``'.'``, the start/end marker, and indices 1..26 are the
letters ``'a'``..``'z'``. A word of ``T`` letters is encoded as ``T + 1`` symbols: its letters,
then the end marker (:func:`encode`). Every word starts in the context ``'.'`` (its "previous
symbol" before the first letter is the marker), so a word of ``T`` letters is ``T + 1``
predictions: each letter given what came before, and the end of the word given the whole word.

**Measure.** A model's quality on a list of words is the average negative log-likelihood per
predicted symbol, in nats (natural log), over all ``sum(len(w) + 1)`` predictions, and its
exponential, the *perplexity*. The uniform model over 27 symbols has perplexity exactly 27.

**Shapes.** ``K = 27`` symbols, ``M`` predictions (symbols), ``n`` the context length.
"""

from __future__ import annotations

import numbers
import re

import numpy as np

from .losses import log_softmax
from .validation import as_array, as_generator, require_positive_int

__all__ = ["ALPHABET", "VOCAB_SIZE", "END", "encode", "decode", "split_words", "context_windows",
           "bigram_counts", "bigram_probs", "bigram_log_probs", "average_nll", "perplexity",
           "bigram_nll", "adjust_distribution", "sample_words"]

ALPHABET = ".abcdefghijklmnopqrstuvwxyz"
VOCAB_SIZE = len(ALPHABET)          # 27
END = 0                             # index of '.', the start and end marker
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_WORDS_RE = re.compile(r"[a-z]+(?:\n[a-z]+)*")


# --------------------------------------------------------------------------- encoding

def _word(word, where: str = "word") -> str:
    if not isinstance(word, str):
        raise TypeError(f"{where} must be a string, got {type(word).__name__}: {word!r}")
    if not word:
        raise ValueError(f"{where} is empty; a word needs at least one letter")
    bad = [c for c in word if c not in _INDEX or c == "."]
    if bad:
        raise ValueError(f"{where} = {word!r} contains {bad[0]!r}; only the lower-case letters a-z "
                         "are allowed ('.' is the end marker, added by encode)")
    return word


def _words(words, name: str = "words") -> list[str]:
    if isinstance(words, str):
        raise TypeError(f"{name} must be a list of strings, got a single string {words!r} "
                        f"(wrap it in a list: [{words!r}])")
    words = list(words)
    if not words:
        raise ValueError(f"{name} is empty")
    if not all(isinstance(w, str) for w in words) or not _WORDS_RE.fullmatch("\n".join(words)):
        for i, w in enumerate(words):               # slow path: find the offending word
            _word(w, f"{name}[{i}]")
    return words


def encode(word: str) -> np.ndarray:
    """The symbols of ``word`` followed by the end marker.

    Parameters
    ----------
    word : str, non-empty, letters a-z only

    Returns
    -------
    ndarray of int64, shape (len(word) + 1,): letter indices 1..26, then ``END`` (0).
    For example ``encode("ab")`` is ``[1, 2, 0]``.
    """
    word = _word(word)
    return np.array([_INDEX[c] for c in word] + [END], dtype=np.int64)


def decode(ids) -> str:
    """The string of symbol indices ``ids`` (shape (T,), ints in [0, 27)), with the end marker
    and everything after it removed: ``decode([1, 2, 0, 3])`` is ``"ab"``."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
        raise ValueError(f"ids must be a 1-D array of integers, got shape {ids.shape} and dtype "
                         f"{ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= VOCAB_SIZE):
        raise ValueError(f"ids must lie in [0, {VOCAB_SIZE}), got values from {ids.min()} to "
                         f"{ids.max()}")
    out = []
    for i in ids:
        if i == END:
            break
        out.append(ALPHABET[i])
    return "".join(out)


def split_words(words, seed: int = 0, fractions=(0.8, 0.1, 0.1)) -> tuple[list, list, list]:
    """A fixed, seeded split of ``words`` into training, validation and test lists.

    The words are shuffled with ``np.random.default_rng(seed).permutation``; the first
    ``round(fractions[0] * N)`` go to training, the next ``round(fractions[1] * N)`` to
    validation and the rest to test. The same ``words`` and ``seed`` give the same split on every
    machine (the book's models all use ``split_words(data.load_words(), seed=0)``: 51,100 /
    6,388 / 6,387 words).

    Parameters
    ----------
    words : list of str, length N >= 3
    seed : int >= 0
    fractions : three numbers >= 0 summing to 1

    Returns
    -------
    (train, val, test) : three lists of str, disjoint, together a permutation of ``words``.
    """
    words = _words(words)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    f = as_array(fractions, "fractions", shape=(3,))
    if np.any(f < 0) or not np.isclose(f.sum(), 1.0):
        raise ValueError(f"fractions must be three numbers >= 0 summing to 1, got {tuple(f)}")
    n = len(words)
    order = np.random.default_rng(int(seed)).permutation(n)
    n_train = int(round(f[0] * n))
    n_val = int(round(f[1] * n))
    shuffled = [words[i] for i in order]
    return shuffled[:n_train], shuffled[n_train:n_train + n_val], shuffled[n_train + n_val:]


def context_windows(words, n: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Every prediction in ``words`` as (the ``n`` previous symbols, the next symbol).

    Each word is padded on the left with ``n`` end markers (the start context), so the first
    letter is predicted from ``n`` markers and the end marker from the last ``n`` letters.

    Parameters
    ----------
    words : list of str (M = sum of len(w) + 1 predictions in all)
    n : int >= 1, the context length (n = 1 is the bigram model's context)

    Returns
    -------
    X : ndarray of int64, shape (M, n) -- the contexts, oldest symbol first
    y : ndarray of int64, shape (M,) -- the symbol to predict
    """
    words = _words(words)
    n = require_positive_int(n, "n")
    # one long string: n markers, then each word followed by n markers (the first of which is the
    # word's end symbol, the rest the next word's start context)
    text = "." * n + ("." * n).join(words) + "."
    codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.int64) - (ord("a") - 1)
    codes[codes < 0] = END                            # '.' -> 0, 'a'..'z' -> 1..26
    letter = codes > 0
    # targets: every letter, and the marker right after a letter (the end of a word)
    target = letter.copy()
    target[1:] |= ~letter[1:] & letter[:-1]
    pos = np.flatnonzero(target)
    X = np.lib.stride_tricks.sliding_window_view(codes, n)[pos - n]
    return np.ascontiguousarray(X), codes[pos]


# --------------------------------------------------------------------------- the bigram model

def bigram_counts(words) -> np.ndarray:
    """How often each symbol follows each other symbol in ``words``.

    Parameters
    ----------
    words : list of str

    Returns
    -------
    C : ndarray of int64, shape (27, 27): ``C[a, b]`` = number of times symbol ``b`` follows
    symbol ``a`` (row ``'.'`` counts first letters; column ``'.'`` counts last letters). The
    entries sum to ``sum(len(w) + 1 for w in words)``; ``C[0, 0]`` is 0.
    """
    X, y = context_windows(words, 1)
    return np.bincount(X[:, 0] * VOCAB_SIZE + y,
                       minlength=VOCAB_SIZE * VOCAB_SIZE).reshape(VOCAB_SIZE, VOCAB_SIZE)


def _alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not np.isfinite(alpha) \
            or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
    return float(alpha)


def bigram_probs(counts, alpha: float = 1.0) -> np.ndarray:
    """Conditional probabilities ``P[a, b] = P(next = b | previous = a)`` with add-alpha smoothing.

    ``P[a, b] = (C[a, b] + alpha) / (sum_b' C[a, b'] + K alpha)``. With ``alpha = 0`` this is the
    maximum-likelihood estimate (the relative frequencies); ``alpha > 0`` adds ``alpha``
    imagined observations of every pair, so that no pair has probability 0.

    Parameters
    ----------
    counts : array_like, shape (R, K), entries >= 0: one row of next-symbol counts per context
        (R = K = 27 for :func:`bigram_counts`; any R works, e.g. R = 27**2 for trigram counts)
    alpha : float >= 0

    Returns
    -------
    P : ndarray of float64, shape (R, K); each row sums to 1.

    Raises
    ------
    ValueError
        For negative counts, a wrong shape, or ``alpha = 0`` with a row of zero counts (its
        relative frequencies are undefined).
    """
    C = as_array(counts, "counts", ndim=2)
    if C.shape[0] == 0 or C.shape[1] == 0:
        raise ValueError(f"counts must have at least one row and one column, got shape {C.shape}")
    if not np.all(np.isfinite(C)) or np.any(C < 0):
        raise ValueError("counts must be finite and >= 0")
    alpha = _alpha(alpha)
    totals = C.sum(axis=1, keepdims=True) + C.shape[1] * alpha
    if np.any(totals == 0):
        row = int(np.flatnonzero(totals[:, 0] == 0)[0])
        raise ValueError(f"row {row} of counts is all zero and alpha = 0: its conditional "
                         "distribution is undefined; use alpha > 0")
    return (C + alpha) / totals


def bigram_log_probs(P) -> np.ndarray:
    """``log P`` with ``log 0 = -inf`` and no warning. P: shape (K, K) -> shape (K, K)."""
    P = as_array(P, "P", ndim=2)
    with np.errstate(divide="ignore"):
        return np.log(P)


def average_nll(log_probs, targets) -> float:
    """Average negative log-likelihood ``-(1/M) sum_i log_probs[i, targets[i]]``, in nats.

    Parameters
    ----------
    log_probs : array_like, shape (M, K) -- each row the log-probabilities a model gives the
        next symbol of prediction i (rows of ``log_softmax(logits)``)
    targets : array_like of int, shape (M,), values in [0, K)

    Returns
    -------
    float >= 0 (``inf`` if a target has probability 0).
    """
    L = as_array(log_probs, "log_probs", ndim=2)
    y = np.asarray(targets)
    if y.dtype.kind not in "iu" or y.ndim != 1:
        raise ValueError(f"targets must be a 1-D integer array, got shape {y.shape} and dtype "
                         f"{y.dtype}")
    if y.shape[0] != L.shape[0]:
        raise ValueError(f"log_probs has shape {L.shape} but targets has shape {y.shape}: one "
                         "target per row is needed")
    if y.size == 0:
        raise ValueError("there are no predictions to average (M = 0)")
    if y.min() < 0 or y.max() >= L.shape[1]:
        raise ValueError(f"targets must lie in [0, {L.shape[1]}), got values from {y.min()} to "
                         f"{y.max()}")
    return float(-np.mean(L[np.arange(len(y)), y]))


def perplexity(nll: float) -> float:
    """Perplexity ``exp(nll)`` of an average negative log-likelihood per symbol ``nll`` (nats).

    It is the size of a uniform distribution that would be as surprised by the data on average:
    1 for a model that is always certain and right, 27 for the uniform model over 27 symbols.
    """
    if isinstance(nll, bool) or not isinstance(nll, numbers.Real) or np.isnan(nll) or nll < 0:
        raise ValueError(f"nll must be a number >= 0 (an average negative log-likelihood), "
                         f"got {nll!r}")
    return float(np.exp(nll))


def bigram_nll(P, words) -> float:
    """Average negative log-likelihood per symbol of ``words`` under the bigram model ``P``.

    Parameters
    ----------
    P : array_like, shape (27, 27), rows summing to 1 (from :func:`bigram_probs`)
    words : list of str (M = sum of len(w) + 1 predictions)

    Returns
    -------
    float, in nats; ``perplexity(bigram_nll(P, words))`` is the perplexity.
    """
    P = as_array(P, "P", shape=(VOCAB_SIZE, VOCAB_SIZE))
    if np.any(P < 0) or not np.allclose(P.sum(axis=1), 1.0):
        raise ValueError("P must hold probabilities >= 0 whose rows sum to 1")
    X, y = context_windows(words, 1)
    return average_nll(bigram_log_probs(P)[X[:, 0]], y)


# --------------------------------------------------------------------------- sampling

def adjust_distribution(logits, temperature: float = 1.0, top_k: int | None = None) -> np.ndarray:
    """The sampling distribution ``softmax(logits / temperature)``, kept to the ``top_k`` largest.

    Temperature ``T < 1`` sharpens the distribution (as ``T -> 0`` all mass goes to the largest
    logit), ``T = 1`` leaves it unchanged, ``T > 1`` flattens it (uniform as ``T -> inf``). With
    ``top_k``, only the ``top_k`` largest logits keep their mass, renormalised (ties at the
    ``top_k``-th value are broken by position: the first ones are kept).

    Parameters
    ----------
    logits : array_like, shape (..., K), float; log-probabilities work too (``-inf`` allowed)
    temperature : float > 0
    top_k : int in [1, K] or None (no truncation)

    Returns
    -------
    ndarray of float64, shape (..., K); entries >= 0 summing to 1 along the last axis.
    """
    z = as_array(logits, "logits", ndim=None)
    if z.ndim == 0:
        raise ValueError("logits must have at least 1 dimension (the K symbols), got a scalar")
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) \
            or not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a finite number > 0, got {temperature!r}")
    K = z.shape[-1]
    z = z / float(temperature)
    if top_k is not None:
        if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) \
                or not 1 <= top_k <= K:
            raise ValueError(f"top_k must be an integer in [1, {K}] or None, got {top_k!r}")
        if top_k < K:
            order = np.argsort(-z, axis=-1, kind="stable")
            drop = order[..., top_k:]
            z = z.copy()
            np.put_along_axis(z, drop, -np.inf, axis=-1)
    return np.exp(log_softmax(z, axis=-1))


def sample_words(next_logits, n_words: int, *, context: int = 1, temperature: float = 1.0,
                 top_k: int | None = None, rng=None, uniforms=None,
                 max_len: int = 30) -> list[str]:
    """Generate words one symbol at a time, each drawn from the model's next-symbol distribution.

    Every word starts from ``context`` end markers; at each step the model gives logits for the
    next symbol, :func:`adjust_distribution` reshapes them, and the symbol is drawn by inverting
    the cumulative distribution at a uniform number ``u``: the first symbol whose cumulative
    probability exceeds ``u``. A word ends when the end marker is drawn or after ``max_len``
    letters.

    Parameters
    ----------
    next_logits : callable
        ``next_logits(X)`` with ``X`` of shape (B, context), ints (the last ``context`` symbols,
        oldest first), returns logits or log-probabilities of shape (B, 27). For the bigram
        model: ``lambda X: bigram_log_probs(P)[X[:, 0]]``.
    n_words : int >= 1
    context : int >= 1, the number of previous symbols the model reads
    temperature, top_k : as in :func:`adjust_distribution`
    rng : numpy Generator or seed, used when ``uniforms`` is None
    uniforms : array_like, shape (n_words, max_len + 1), values in [0, 1), optional
        The uniform numbers, one per word and position. Fixing them ("common random numbers")
        makes the words change smoothly with the temperature instead of being redrawn.
    max_len : int >= 1

    Returns
    -------
    list of ``n_words`` str (a word may be empty if the end marker comes first).
    """
    n_words = require_positive_int(n_words, "n_words")
    context = require_positive_int(context, "context")
    max_len = require_positive_int(max_len, "max_len")
    if uniforms is None:
        U = as_generator(0 if rng is None else rng).random((n_words, max_len + 1))
    else:
        U = as_array(uniforms, "uniforms", shape=(n_words, max_len + 1))
        if np.any(U < 0) or np.any(U >= 1):
            raise ValueError("uniforms must lie in [0, 1)")
    X = np.full((n_words, context), END, dtype=np.int64)
    out = np.full((n_words, max_len + 1), END, dtype=np.int64)
    alive = np.ones(n_words, dtype=bool)
    for t in range(max_len + 1):
        z = as_array(next_logits(X), "next_logits(X)", shape=(n_words, VOCAB_SIZE))
        p = adjust_distribution(z, temperature, top_k)
        cdf = np.cumsum(p, axis=1)
        nxt = (cdf <= U[:, t:t + 1]).sum(axis=1)
        last = VOCAB_SIZE - 1 - np.argmax(p[:, ::-1] > 0, axis=1)     # last symbol with p > 0
        nxt = np.minimum(nxt, last)                 # u beyond a cdf that rounds to just below 1
        nxt = np.where(alive, nxt, END)
        out[:, t] = nxt
        alive &= nxt != END
        if not alive.any():
            break
        X = np.concatenate([X[:, 1:], nxt[:, None]], axis=1)
    return [decode(row[:max_len]) for row in out]
