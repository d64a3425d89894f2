"""Tests for helpers/transformer.py: every backward pass against central differences (float64),
shapes, causality, the loss's measure, sampling, saving, and the error messages."""

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import attention, gradcheck, nn, normalization, sequences
from helpers import transformer as tf

ROOT = Path(__file__).resolve().parents[1]
SAVED = ROOT / "data" / "precomputed" / "transformer_lm.npz"


def tiny_model(seed=0, **kw):
    cfg = dict(max_len=7, d=8, n_heads=2, n_blocks=2, d_ff=12, rng=seed, dtype=np.float64)
    cfg.update(kw)
    model = tf.CharTransformer(**cfg)
    g = np.random.default_rng(seed + 100)
    for p in model.params:                      # move gamma, beta and biases off 1 and 0
        p += 0.3 * g.standard_normal(p.shape)
    return model


def check_params(f, params, grads, tol=1e-6):
    """Compare every gradient with central differences of the scalar f() in each parameter."""
    for i, (p, g) in enumerate(zip(params, grads)):
        def f_p(v, p=p):
            saved = p.copy()
            p[...] = v
            try:
                return f()
            finally:
                p[...] = saved
        gradcheck.check_gradient(f_p, g, p.copy(), tol=tol)


# --------------------------------------------------------------------------- layer norm

def test_layernorm_normalizes_each_row_and_matches_batchnorm_of_the_transpose():
    rng = np.random.default_rng(0)
    X = 3 + 2 * rng.standard_normal((5, 6))
    ln = tf.LayerNorm(6)
    Y = ln.forward(X)
    assert np.allclose(Y.mean(axis=1), 0, atol=1e-12)
    assert np.allclose(Y.var(axis=1), 1, atol=1e-5)          # var / (var + eps)
    # independent: batch normalization normalizes columns; the rows of X are the columns of X^T
    Y_bn, cache = normalization.batchnorm_forward(X.T, np.ones(5), np.zeros(5), eps=ln.eps)
    assert np.allclose(Y, Y_bn.T, rtol=1e-12, atol=1e-12)
    G = rng.standard_normal(X.shape)
    ln.forward(X)
    G_X = ln.backward(G)
    G_bn = normalization.batchnorm_backward(G.T, cache, np.ones(5))[0]
    assert np.allclose(G_X, G_bn.T, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5)])
def test_layernorm_backward_against_finite_differences(shape):
    rng = np.random.default_rng(1)
    ln = tf.LayerNorm(5)
    ln.gamma[...] = rng.standard_normal(5)
    ln.beta[...] = rng.standard_normal(5)
    X = rng.standard_normal(shape)
    G = rng.standard_normal(shape)
    ln.forward(X)
    G_X = ln.backward(G)
    gradcheck.check_gradient(lambda Z: np.sum(G * ln.forward(Z)), G_X, X, tol=1e-6)
    ln.forward(X)
    ln.backward(G)
    check_params(lambda: np.sum(G * ln.forward(X)), ln.params, ln.grads)


def test_layernorm_errors():
    ln = tf.LayerNorm(4)
    with pytest.raises(RuntimeError, match="forward before backward"):
        ln.backward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"expects shape \(\.\.\., 4\)"):
        ln.forward(np.ones((2, 3)))
    ln.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="must be equal"):
        ln.backward(np.ones((3, 4)))
    with pytest.raises(ValueError, match="eps"):
        tf.LayerNorm(4, eps=0)


# --------------------------------------------------------------------------- embedding, tokenwise

def test_embedding_forward_and_backward():
    emb = tf.Embedding(5, 6, 3, rng=0)
    ids = np.array([[1, 4, 1], [0, 1, 2]])
    X = emb.forward(ids)
    assert X.shape == (2, 3, 3)
    assert np.array_equal(X[1, 2], emb.E[2] + emb.P[2])
    G = np.random.default_rng(2).standard_normal(X.shape)
    assert emb.backward(G) is None
    check_params(lambda: np.sum(G * emb.forward(ids)), emb.params, emb.grads)
    assert np.array_equal(emb.grads[1][3:], np.zeros((3, 3)))      # unused positions


def test_embedding_errors():
    emb = tf.Embedding(5, 4, 3, rng=0)
    with pytest.raises(ValueError, match=r"lie in \[0, 5\)"):
        emb.forward(np.array([[0, 5]]))
    with pytest.raises(ValueError, match="reads 1 to 4"):
        emb.forward(np.zeros((1, 5), dtype=int))
    with pytest.raises(ValueError, match="integer array"):
        emb.forward(np.zeros((1, 2)))
    with pytest.raises(RuntimeError, match="forward before backward"):
        tf.Embedding(5, 4, 3).backward(np.ones((1, 2, 3)))


def test_tokenwise_is_the_layer_applied_to_every_token():
    rng = np.random.default_rng(3)
    lin = nn.Linear(4, 3, rng=0, dtype=np.float64)
    tw = tf.Tokenwise([lin])
    X = rng.standard_normal((2, 5, 4))
    Y = tw.forward(X)
    assert Y.shape == (2, 5, 3)
    assert np.allclose(Y[1, 2], lin.W.T @ X[1, 2] + lin.b)
    G = rng.standard_normal(Y.shape)
    G_X = tw.backward(G)
    gradcheck.check_gradient(lambda Z: np.sum(G * tw.forward(Z)), G_X, X)


# --------------------------------------------------------------------------- block and model

@pytest.mark.parametrize("shape", [(5, 8), (3, 5, 8)])
def test_fast_attention_equals_the_books_layer(shape):
    """The block's attention (all heads in one product) against helpers.attention's layer."""
    rng = np.random.default_rng(6)
    fast = tf._Attention(8, 2, causal=True, rng=3)
    ref = attention.MultiHeadSelfAttention(8, 2, causal=True, rng=3)
    assert all(np.array_equal(a, b) for a, b in zip(fast.params, ref.params))
    X, G = rng.standard_normal(shape), rng.standard_normal(shape)
    assert np.allclose(fast.forward(X), ref.forward(X), rtol=1e-12, atol=1e-14)
    assert np.allclose(fast.weights, ref.weights, rtol=1e-12, atol=1e-14)
    assert np.allclose(fast.backward(G), ref.backward(G), rtol=1e-12, atol=1e-14)
    for a, b in zip(fast.grads, ref.grads):
        assert a.shape == b.shape and np.allclose(a, b, rtol=1e-12, atol=1e-14)
    f32 = tf._Attention(8, 2, causal=True, rng=3, dtype=np.float32)
    X32 = X.astype(np.float32)
    assert f32.forward(X32).dtype == f32.backward(X32).dtype == np.float32
    assert all(g.dtype == np.float32 for g in f32.grads)


def test_block_backward_against_finite_differences():
    rng = np.random.default_rng(4)
    block = tf.TransformerBlock(8, 2, 12, rng=0, dtype=np.float64)
    for p in block.params:
        p += 0.3 * rng.standard_normal(p.shape)
    X = rng.standard_normal((2, 5, 8))
    G = rng.standard_normal(X.shape)
    block.forward(X)
    G_X = block.backward(G)
    assert G_X.shape == X.shape
    gradcheck.check_gradient(lambda Z: np.sum(G * block.forward(Z)), G_X, X, tol=1e-6)
    block.forward(X)
    block.backward(G)
    assert len(block.grads) == len(block.params) == 12
    check_params(lambda: np.sum(G * block.forward(X)), block.params, block.grads)


def test_model_loss_gradient_against_finite_differences():
    model = tiny_model(0)
    words = ["abc", "z", "hello"]
    inputs, targets, mask = tf.encode_batch(words)
    loss, grads = model.loss_and_grads(inputs, targets, mask)
    assert [g.shape for g in grads] == [p.shape for p in model.params]
    assert len(model.param_names()) == len(model.params)
    assert loss == pytest.approx(model.loss(inputs, targets, mask), rel=1e-12)
    check_params(lambda: model.loss(inputs, targets, mask), model.params, grads)


def test_model_shapes_counts_and_float32():
    model = tf.CharTransformer(max_len=23, d=64, n_heads=4, n_blocks=2, rng=0)
    d, K, T, dff = 64, 27, 23, 256
    per_block = 2 * 2 * d + 4 * d * d + d * dff + dff + dff * d + d
    assert model.num_params() == K * d + T * d + 2 * per_block + 2 * d + d * K + K == 104539
    inputs, targets, mask = tf.encode_batch(["cat", "horses"])
    logits = model.forward(inputs)
    assert logits.shape == (2, 7, 27) and logits.dtype == np.float32
    loss, grads = model.loss_and_grads(inputs, targets, mask)
    assert all(g.dtype == np.float32 for g in grads)
    assert model.forward(inputs[0]).shape == (7, 27)             # one sequence (T,)


def test_causality_output_at_t_ignores_later_inputs():
    model = tiny_model(1)
    ids = np.array([[0, 3, 1, 20, 8, 5, 2]])
    base = model.forward(ids)
    for t0 in range(1, 7):
        changed = ids.copy()
        changed[0, t0] = (changed[0, t0] % 26) + 1
        out = model.forward(changed)
        assert np.array_equal(out[0, :t0], base[0, :t0])         # exactly: nothing flows back
        assert np.abs(out[0, t0:] - base[0, t0:]).max(axis=-1).min() > 1e-6
    # padding after a word changes nothing before it
    short = model.forward(ids[:, :4])
    assert np.allclose(short, base[:, :4], rtol=1e-12, atol=1e-12)


def test_encode_batch():
    inputs, targets, mask = tf.encode_batch(["ab", "c"])
    assert np.array_equal(inputs, [[0, 1, 2], [0, 3, 0]])
    assert np.array_equal(targets, [[1, 2, 0], [3, 0, 0]])
    assert np.array_equal(mask, [[True, True, True], [True, True, False]])
    assert tf.encode_batch(["ab"], length=5)[0].shape == (1, 5)
    assert mask.sum() == sum(len(w) + 1 for w in ["ab", "c"])
    with pytest.raises(ValueError, match="too short"):
        tf.encode_batch(["abc"], length=3)
    with pytest.raises(TypeError, match="single string"):
        tf.encode_batch("abc")


def test_average_nll_measure():
    model = tiny_model(2)
    words = ["dog", "a", "zebra", "cat", "ox"]
    inputs, targets, mask = tf.encode_batch(words)
    # the same number from one padded batch (padding masked out), an independent path
    assert tf.average_nll(model, words, batch_size=2) == pytest.approx(
        model.loss(inputs, targets, mask), rel=1e-12)
    # a model whose logits are all equal is the uniform model: perplexity exactly 27
    head = model.head.layers[0]
    head.W[...] = 0
    head.b[...] = 0
    assert sequences.perplexity(tf.average_nll(model, words)) == pytest.approx(27, rel=1e-12)


def test_loss_errors():
    model = tiny_model(0)
    inputs, targets, mask = tf.encode_batch(["ab"])
    with pytest.raises(ValueError, match="boolean array of shape"):
        model.loss(inputs, targets, mask.astype(int))
    with pytest.raises(ValueError, match="nothing to predict"):
        model.loss(inputs, targets, np.zeros_like(mask))
    with pytest.raises(ValueError, match="divisible"):
        tf.CharTransformer(d=10, n_heads=4)
    with pytest.raises(ValueError, match="dtype"):
        tf.CharTransformer(dtype=np.int32)
    with pytest.raises(ValueError, match="parameters"):
        model.set_params(model.params[:-1])


def test_next_logits_and_sampling():
    model = tiny_model(3)
    X = np.array([[0, 0, 0, 3, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 8]])
    z = tf.next_logits(model, X)
    assert z.shape == (3, 27)
    assert np.allclose(z[0], model.forward(np.array([0, 3, 1]))[2])
    assert np.allclose(z[1], model.forward(np.array([0]))[0])
    words = tf.sample(model, 5, rng=0)
    assert words == tf.sample(model, 5, rng=0)                    # seeded
    assert all(set(w) <= set(sequences.ALPHABET[1:]) and len(w) <= 6 for w in words)
    cold = tf.sample(model, 4, temperature=1e-3, rng=1)           # (almost) greedy: all equal
    assert len(set(cold)) == 1
    U = np.random.default_rng(5).random((3, 7))
    assert tf.sample(model, 3, uniforms=U) == tf.sample(model, 3, uniforms=U, rng=9)
    # a prefix: the words start with it, and the first drawn symbol follows the prefix's logits
    cont = tf.sample(model, 6, prefix="qu", temperature=1e-3, rng=2)
    assert all(w.startswith("qu") and len(w) <= 6 for w in cont) and len(set(cont)) == 1
    best = int(np.argmax(model.forward(np.array([0, 17, 21]))[-1]))
    assert cont[0][2:3] == ("" if best == 0 else sequences.ALPHABET[best])
    with pytest.raises(ValueError, match="no room"):
        tf.sample(model, 1, prefix="abcdef")
    # one temperature per word = each word sampled at its own temperature
    U4 = np.random.default_rng(8).random((4, 7))
    taus = np.array([0.3, 1.0, 1.0, 2.5])
    mixed = tf.sample(model, 4, temperature=taus, uniforms=U4)
    assert mixed == [tf.sample(model, 1, temperature=float(t), uniforms=U4[i:i + 1])[0]
                     for i, t in enumerate(taus)]
    with pytest.raises(ValueError, match="one per"):
        tf.sample(model, 4, temperature=np.array([1.0, -1.0, 1.0, 1.0]))


def test_save_load_roundtrip(tmp_path):
    model = tiny_model(4, dtype=np.float32)
    path = tmp_path / "m.npz"
    tf.save_model(model, path)
    again = tf.load_model(path)
    assert again.config == model.config
    assert all(np.array_equal(a, b) for a, b in zip(again.params, model.params))
    as64 = tf.load_model(path, dtype=np.float64)
    assert as64.params[0].dtype == np.float64
    with pytest.raises(FileNotFoundError, match="transformer_lm.py"):
        tf.load_model(tmp_path / "missing.npz")


@pytest.mark.skipif(not SAVED.is_file(), reason="no saved weights")
def test_saved_weights_match_their_record():
    meta = json.loads(SAVED.with_suffix(".json").read_text())
    model = tf.load_model(SAVED)
    assert model.num_params() == meta["parameters"]
    assert meta["test_perplexity"] < 7 < meta["bigram_test_perplexity"]
    assert SAVED.stat().st_size < 2e6



def test_the_measure_is_the_bigram_notebooks_perplexity():
    """A transformer set by hand to the bigram model gives the bigram's perplexity as
    helpers.sequences computes it (series 3), on the same words: the measure is the same."""
    words = ["the", "model", "a", "zebra", "quartz", "ox"]
    P = sequences.bigram_probs(sequences.bigram_counts(["there", "was", "a", "cat", "oxen"]),
                               alpha=1.0)
    model = tf.bigram_transformer(P)
    ids, _, _ = tf.encode_batch(["quartz"])
    assert np.allclose(tf.next_logits(model, ids[:, 1:4]), np.log(P[ids[0, 3]]), atol=1e-12)
    assert np.allclose(model.forward(ids[0])[0], np.log(P[0]), atol=1e-12)      # after the marker
    with pytest.raises(ValueError, match="positive probabilities"):
        tf.bigram_transformer(np.zeros((27, 27)))
    ppl_bigram = sequences.perplexity(sequences.bigram_nll(P, words))
    assert sequences.perplexity(tf.average_nll(model, words)) == pytest.approx(ppl_bigram,
                                                                               rel=1e-12)
