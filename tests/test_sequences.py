"""Tests of helpers.sequences: encoding, the fixed split, the bigram model, perplexity, sampling."""

import math
import re

import numpy as np
import pytest

from helpers import data, losses, sequences as sq

WORDS = ["cab", "a", "abba", "bad", "dab", "zz"]


def test_alphabet_and_encoding_round_trip():
    assert sq.VOCAB_SIZE == 27 and sq.ALPHABET[sq.END] == "." and sq.ALPHABET[1:] == "abcdefghijklmnopqrstuvwxyz"
    assert sq.encode("ab").tolist() == [1, 2, 0]
    assert sq.encode("z").dtype == np.int64
    for w in WORDS:
        assert sq.decode(sq.encode(w)) == w
    assert sq.decode([1, 2, 0, 3]) == "ab"
    assert sq.decode(np.array([], dtype=np.int64)) == ""


@pytest.mark.parametrize("bad, err", [("", ValueError), ("Ab", ValueError), ("a.b", ValueError),
                                      ("a b", ValueError), (3, TypeError)])
def test_encode_rejects_bad_words(bad, err):
    with pytest.raises(err):
        sq.encode(bad)


def test_decode_rejects_bad_ids():
    with pytest.raises(ValueError, match=r"\[0, 27\)"):
        sq.decode([1, 27])
    with pytest.raises(ValueError, match="1-D"):
        sq.decode([[1, 2]])


def test_split_is_fixed_disjoint_and_complete():
    words = data.load_words()
    train, val, test = sq.split_words(words, seed=0)
    assert (len(train), len(val), len(test)) == (51100, 6388, 6387)
    assert sorted(train + val + test) == sorted(words)
    assert not (set(train) & set(val)) and not (set(train) & set(test)) and not (set(val) & set(test))
    again = sq.split_words(words, seed=0)
    assert again == (train, val, test)
    assert sq.split_words(words, seed=1)[0] != train
    # the order comes from default_rng(0).permutation: pinned so that later models compare on the same words
    perm = np.random.default_rng(0).permutation(len(words))
    assert train[:3] == [words[i] for i in perm[:3]]


def test_split_rejects_bad_arguments():
    with pytest.raises(TypeError, match="single string"):
        sq.split_words("abc")
    with pytest.raises(ValueError, match="empty"):
        sq.split_words([])
    with pytest.raises(ValueError, match="seed"):
        sq.split_words(WORDS, seed=-1)
    with pytest.raises(ValueError, match="sum"):
        sq.split_words(WORDS, fractions=(0.5, 0.1, 0.1))
    with pytest.raises(ValueError, match=r"words\[1\]"):
        sq.split_words(["ok", "Not"])


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_context_windows_match_a_plain_loop(n):
    X, y = sq.context_windows(WORDS, n)
    Xs, ys = [], []
    for w in WORDS:
        seq = [0] * n + [sq.ALPHABET.index(c) for c in w] + [0]
        for t in range(n, len(seq)):
            Xs.append(seq[t - n:t])
            ys.append(seq[t])
    assert X.shape == (sum(len(w) + 1 for w in WORDS), n) and X.dtype == np.int64
    assert X.tolist() == Xs and y.tolist() == ys


def test_bigram_counts_match_string_counting():
    C = sq.bigram_counts(WORDS)
    assert C.shape == (27, 27) and C.sum() == sum(len(w) + 1 for w in WORDS) and C[0, 0] == 0
    text = "".join("." + w + "." for w in WORDS)
    for a in sq.ALPHABET:
        for b in sq.ALPHABET:
            if a + b != "..":
                assert C[sq.ALPHABET.index(a), sq.ALPHABET.index(b)] == len(re.findall("(?=" + re.escape(a + b) + ")", text))


def test_bigram_probs_is_the_mle_and_smooths():
    C = sq.bigram_counts(WORDS)
    P0 = sq.bigram_probs(C + 1, alpha=0.0)
    assert np.allclose(P0.sum(axis=1), 1.0)
    # the MLE row beats random distributions on the log-likelihood (it is the maximiser)
    rng = np.random.default_rng(0)
    row = (C + 1)[1]
    best = row @ np.log(P0[1])
    assert np.all(np.log(rng.dirichlet(np.ones(27), size=500)) @ row < best)
    P1 = sq.bigram_probs(C, alpha=1.0)
    assert np.all(P1 > 0) and np.allclose(P1.sum(axis=1), 1.0)
    assert np.isclose(P1[0, 0], 1 / (C[0].sum() + 27))
    # any number of context rows
    assert sq.bigram_probs(np.ones((5, 27)), alpha=0.5).shape == (5, 27)


def test_bigram_probs_rejects_bad_input():
    C = sq.bigram_counts(WORDS)
    with pytest.raises(ValueError, match="all zero and alpha = 0"):
        sq.bigram_probs(C, alpha=0.0)
    with pytest.raises(ValueError, match="alpha"):
        sq.bigram_probs(C, alpha=-1.0)
    with pytest.raises(ValueError, match=">= 0"):
        sq.bigram_probs(-np.ones((27, 27)))
    with pytest.raises(ValueError, match="dimension"):
        sq.bigram_probs(np.ones(27))


def test_nll_and_perplexity():
    uniform = np.full((27, 27), 1 / 27)
    assert np.isclose(sq.perplexity(sq.bigram_nll(uniform, WORDS)), 27.0, rtol=1e-12)
    P = sq.bigram_probs(sq.bigram_counts(WORDS), alpha=1.0)
    # chain rule by hand, word by word
    total, M = 0.0, 0
    for w in WORDS:
        prev = 0
        for ch in w + ".":
            nxt = sq.ALPHABET.index(ch)
            total += math.log(P[prev, nxt])
            prev = nxt
            M += 1
    assert np.isclose(sq.bigram_nll(P, WORDS), -total / M, rtol=1e-12)
    assert sq.perplexity(0.0) == 1.0
    z = np.random.default_rng(1).normal(size=(6, 27))
    y = np.array([0, 3, 26, 5, 5, 1])
    assert np.isclose(sq.average_nll(losses.log_softmax(z), y), losses.cross_entropy(z, y), rtol=1e-12)


def test_nll_and_perplexity_reject_bad_input():
    with pytest.raises(ValueError, match="one target per row"):
        sq.average_nll(np.zeros((3, 27)), np.array([1, 2]))
    with pytest.raises(ValueError, match="integer"):
        sq.average_nll(np.zeros((2, 27)), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"\[0, 27\)"):
        sq.average_nll(np.zeros((2, 27)), np.array([1, 27]))
    with pytest.raises(ValueError, match="nll"):
        sq.perplexity(-0.1)
    with pytest.raises(ValueError, match="rows sum to 1"):
        sq.bigram_nll(np.ones((27, 27)), WORDS)
    with pytest.raises(ValueError, match="shape"):
        sq.bigram_nll(np.full((3, 3), 1 / 3), WORDS)


def test_adjust_distribution_temperature_and_top_k():
    z = np.array([2.0, 1.0, 0.0, -1.0])
    p = losses.softmax(z)
    assert np.allclose(sq.adjust_distribution(z, 1.0), p)
    pT = sq.adjust_distribution(z, 0.5)
    assert np.allclose(pT, p ** 2 / np.sum(p ** 2))            # p_T proportional to p^(1/T)
    assert np.isclose(sq.adjust_distribution(z, 1e-3)[0], 1.0)
    assert np.allclose(sq.adjust_distribution(z, 1e6), 0.25, atol=1e-5)
    temps = np.geomspace(0.05, 50, 50)
    H = [losses.entropy(sq.adjust_distribution(z, T)) for T in temps]
    assert np.all(np.diff(H) > 0)
    p2 = sq.adjust_distribution(z, 1.0, top_k=2)
    assert np.allclose(p2, [p[0] / (p[0] + p[1]), p[1] / (p[0] + p[1]), 0, 0])
    batch = sq.adjust_distribution(np.stack([z, z[::-1]]), 1.0, top_k=1)
    assert batch.tolist() == [[1, 0, 0, 0], [0, 0, 0, 1]]
    assert np.allclose(sq.adjust_distribution([0.0, -np.inf, 1.0], 2.0).sum(), 1.0)


@pytest.mark.parametrize("kwargs, match", [({"temperature": 0.0}, "temperature"),
                                           ({"temperature": np.inf}, "temperature"),
                                           ({"top_k": 0}, "top_k"), ({"top_k": 5}, "top_k"),
                                           ({"top_k": 1.5}, "top_k")])
def test_adjust_distribution_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sq.adjust_distribution(np.zeros(4), **kwargs)


def test_sample_words_matches_the_distribution_and_is_reproducible():
    P = sq.bigram_probs(sq.bigram_counts(data.load_words()[:5000]), alpha=1.0)
    logP = np.log(P)

    def nxt(X):
        return logP[X[:, 0]]

    n = 20000
    first = sq.sample_words(nxt, n, rng=3, max_len=1)
    freq = np.bincount([sq.ALPHABET.index(w[0]) if w else 0 for w in first], minlength=27) / n
    se = np.sqrt(P[0] * (1 - P[0]) / n)
    assert np.all(np.abs(freq - P[0]) <= 4.5 * se + 1e-12)
    U = np.random.default_rng(5).random((10, 31))
    a = sq.sample_words(nxt, 10, uniforms=U)
    assert a == sq.sample_words(nxt, 10, uniforms=U) and all(len(w) <= 30 for w in a)
    assert all(set(w) <= set(sq.ALPHABET[1:]) for w in a)
    # near-zero temperature with common random numbers: every word is the greedy word
    greedy = sq.sample_words(nxt, 5, temperature=1e-4, uniforms=U[:5])
    assert len(set(greedy)) == 1
    # top_k = 1 is greedy too, whatever the uniforms
    assert sq.sample_words(nxt, 5, top_k=1, uniforms=U[:5]) == greedy
    # a longer context is passed oldest symbol first
    seen = []

    def spy(X):
        seen.append(X.copy())
        return np.where(np.arange(27) == 1, 0.0, -np.inf) * np.ones((len(X), 1))

    assert sq.sample_words(spy, 2, context=3, rng=0, max_len=2) == ["aa", "aa"]
    assert seen[0].tolist() == [[0, 0, 0]] * 2 and seen[1].tolist() == [[0, 0, 1]] * 2


def test_sample_words_rejects_bad_arguments():
    def nxt(X):
        return np.zeros((len(X), 27))

    with pytest.raises(ValueError, match="n_words"):
        sq.sample_words(nxt, 0)
    with pytest.raises(ValueError, match="shape"):
        sq.sample_words(nxt, 3, uniforms=np.zeros((2, 31)))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        sq.sample_words(nxt, 1, uniforms=np.ones((1, 31)))
    with pytest.raises(ValueError, match="next_logits"):
        sq.sample_words(lambda X: np.zeros((len(X), 5)), 2)
