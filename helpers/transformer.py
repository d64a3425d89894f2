"""A small character-level transformer language model, with every backward pass written out.

The pieces, each with the layer interface of :mod:`helpers.nn` (``forward(X, train)``,
``backward(G)``, ``params``, ``grads``):

* :class:`LayerNorm`: every token (a row of the last axis) is standardized over its own ``d``
  features, then scaled by ``gamma`` and shifted by ``beta``;
* :class:`Embedding`: a symbol's row of the table ``E`` (K, d) plus its position's row of ``P``
  (T_max, d), both learned;
* :class:`Tokenwise`: applies layers of :mod:`helpers.nn` (which take a batch (N, d)) to every
  token of a batch of sequences (N, T, d);
* :class:`TransformerBlock`: the pre-norm block ``H = X + MHA(LN_1(X))``,
  ``Y = H + MLP(LN_2(H))``, built from :class:`helpers.normalization.Residual`,
  :class:`helpers.attention.MultiHeadSelfAttention` (causal) and :class:`helpers.nn.Linear`;
* :class:`CharTransformer`: the language model: embedding, blocks, a final layer norm and a
  linear map to the K = 27 logits of the next symbol at every position, with the masked
  cross-entropy loss and its gradient.

Words are encoded as in :mod:`helpers.sequences`: a word of L letters is the input
``[., c_1, ..., c_L]`` and the targets ``[c_1, ..., c_L, .]`` (L + 1 predictions, ``.`` = 0 is the
start and end marker). :func:`encode_batch` pads a list of words to one length and returns a
mask of the real predictions; :func:`average_nll` is the average negative log-likelihood per
predicted symbol, the same measure as :func:`helpers.sequences.bigram_nll`, so perplexities are
comparable. :func:`sample` generates words with a temperature through
:func:`helpers.sequences.sample_words`.

Shapes: ``N`` sequences per batch, ``T`` positions, ``d`` features per token, ``h`` heads,
``K = 27`` symbols.
"""

from __future__ import annotations

import json
import numbers
from pathlib import Path

import numpy as np

from . import linalg, losses, nn, optim, sequences
from .attention import (MultiHeadSelfAttention, attention_backward, causal_mask,
                        scaled_dot_product_attention)
from .normalization import Residual
from .validation import as_generator, require_positive_int

__all__ = ["LayerNorm", "Embedding", "Tokenwise", "TransformerBlock", "CharTransformer",
           "encode_batch", "word_batches", "fit", "prediction_log_probs", "average_nll",
           "next_logits", "sample", "bigram_transformer", "save_model", "load_model",
           "SAVED_MODEL"]

# The weights trained by tests/benchmarks/transformer_lm.py (with a JSON record beside them).
SAVED_MODEL = Path(__file__).resolve().parents[1] / "data" / "precomputed" / "transformer_lm.npz"


def _dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


# --------------------------------------------------------------------------- layer normalization

class LayerNorm:
    """Layer normalization (Ba, Kiros and Hinton, 2016) over the last axis.

    For every token ``x`` (a row of length d): ``xhat = (x - mean(x)) / sqrt(var(x) + eps)``
    (mean and biased variance over the d features), ``y = gamma * xhat + beta``. Unlike batch
    normalization it uses no statistics of other tokens or examples, so it behaves the same in
    training and at test time, and it keeps a model causal.

    Backward, with ``g = G_y * gamma`` and means over the d features of each token::

        G_x = (g - mean(g) - xhat * mean(g * xhat)) / sqrt(var + eps)

    Parameters
    ----------
    d : int, the number of features
    eps : float > 0
    dtype : float32 or float64

    Attributes
    ----------
    gamma, beta : arrays (d,), initially ones and zeros;  params : [gamma, beta]
    grads : [G_gamma, G_beta] after :meth:`backward`
    """

    def __init__(self, d: int, *, eps: float = 1e-5, dtype=np.float64):
        self.d = require_positive_int(d, "d")
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps > 0:
            raise ValueError(f"eps must be a number > 0, got {eps!r}")
        self.eps = float(eps)
        dtype = _dtype(dtype)
        self.gamma = np.ones(d, dtype=dtype)
        self.beta = np.zeros(d, dtype=dtype)
        self.params = [self.gamma, self.beta]
        self.grads = [np.zeros_like(self.gamma), np.zeros_like(self.beta)]
        self._cache = None

    def __repr__(self) -> str:
        return f"LayerNorm({self.d})"

    def forward(self, X, train: bool = False) -> np.ndarray:
        """``gamma * xhat + beta`` for every row of X, shape (..., d) -> (..., d)."""
        X = np.asarray(X)
        if X.ndim < 1 or X.shape[-1] != self.d:
            raise ValueError(f"X has shape {X.shape} but the layer normalizes {self.d} features: "
                             f"it expects shape (..., {self.d})")
        centred = X - X.mean(axis=-1, keepdims=True)
        inv_std = 1.0 / np.sqrt(np.mean(centred * centred, axis=-1, keepdims=True) + self.eps)
        Xhat = centred * inv_std
        self._cache = (Xhat, inv_std)
        return Xhat * self.gamma + self.beta

    def backward(self, G_Y) -> np.ndarray:
        """Store ``[G_gamma, G_beta]`` (sums over all tokens) and return ``G_X`` (..., d)."""
        if self._cache is None:
            raise RuntimeError("call forward before backward")
        Xhat, inv_std = self._cache
        G_Y = np.asarray(G_Y)
        if G_Y.shape != Xhat.shape:
            raise ValueError(f"G_Y has shape {G_Y.shape} but the output had shape {Xhat.shape}; "
                             "they must be equal")
        flat_G, flat_hat = G_Y.reshape(-1, self.d), Xhat.reshape(-1, self.d)
        self.grads = [np.einsum("ij,ij->j", flat_G, flat_hat), flat_G.sum(axis=0)]
        g = G_Y * self.gamma
        return inv_std * (g - g.mean(axis=-1, keepdims=True)
                          - Xhat * np.mean(g * Xhat, axis=-1, keepdims=True))


# --------------------------------------------------------------------------- embeddings

class Embedding:
    """Token and position embeddings: ``X[n, t] = E[ids[n, t]] + P[t]``.

    Parameters
    ----------
    vocab_size : int K;  max_len : int T_max (the longest sequence);  d : int
    std : float, the standard deviation of the initial entries
    rng : numpy Generator or seed;  dtype : float32 or float64

    Attributes
    ----------
    E : (K, d), one row per symbol;  P : (T_max, d), one row per position
    params : [E, P];  grads : [G_E, G_P] after :meth:`backward`
    """

    def __init__(self, vocab_size: int, max_len: int, d: int, *, std: float = 0.1, rng=0,
                 dtype=np.float64):
        self.vocab_size = require_positive_int(vocab_size, "vocab_size")
        self.max_len = require_positive_int(max_len, "max_len")
        self.d = require_positive_int(d, "d")
        g, dtype = as_generator(rng), _dtype(dtype)
        self.E = (std * g.standard_normal((vocab_size, d))).astype(dtype)
        self.P = (std * g.standard_normal((max_len, d))).astype(dtype)
        self.params = [self.E, self.P]
        self.grads = [np.zeros_like(self.E), np.zeros_like(self.P)]
        self._ids = None

    def forward(self, ids, train: bool = False) -> np.ndarray:
        """ids: ints (N, T) or (T,) in [0, K), T <= T_max -> features (N, T, d) or (T, d)."""
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu" or ids.ndim not in (1, 2):
            raise ValueError(f"ids must be an integer array of shape (T,) or (N, T), got shape "
                             f"{ids.shape} and dtype {ids.dtype}")
        T = ids.shape[-1]
        if T == 0 or T > self.max_len:
            raise ValueError(f"the sequences have {T} positions; this model reads 1 to "
                             f"{self.max_len} (max_len)")
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(f"ids must lie in [0, {self.vocab_size}), got values from "
                             f"{ids.min()} to {ids.max()}")
        self._ids = ids
        return self.E[ids] + self.P[:T]

    def backward(self, G_X) -> None:
        """Store the gradients of E (rows summed over every occurrence of a symbol) and P (summed
        over the batch). Returns None: the ids are data, with no gradient."""
        if self._ids is None:
            raise RuntimeError("call forward before backward")
        ids = self._ids
        G_X = np.asarray(G_X)
        if G_X.shape != ids.shape + (self.d,):
            raise ValueError(f"G_X has shape {G_X.shape} but the output had shape "
                             f"{ids.shape + (self.d,)}")
        one_hot = np.eye(self.vocab_size, dtype=self.E.dtype)[ids.ravel()]    # (N T, K)
        G_E = one_hot.T @ G_X.reshape(-1, self.d)          # row k: sum over the tokens equal to k
        G_P = np.zeros_like(self.P)
        G_P[:ids.shape[-1]] = G_X.reshape(-1, ids.shape[-1], self.d).sum(axis=0)
        self.grads = [G_E, G_P]
        return None


class Tokenwise:
    """Apply layers that take a batch of rows (N, d) (e.g. :class:`helpers.nn.Linear`) to every
    token of X of shape (..., T, d): the tokens are stacked as rows, processed, and reshaped back.

    Parameters
    ----------
    layers : list of layers with ``forward``, ``backward``, ``params``, ``grads``
    """

    def __init__(self, layers):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("Tokenwise needs at least one layer")
        self.params = [p for layer in self.layers for p in layer.params]
        self._lead = None

    @property
    def grads(self):
        return [g for layer in self.layers for g in layer.grads]

    def forward(self, X, train: bool = False) -> np.ndarray:
        X = np.asarray(X)
        self._lead = X.shape[:-1]
        A = X.reshape(-1, X.shape[-1])
        for layer in self.layers:
            A = layer.forward(A, train)
        return A.reshape(self._lead + A.shape[-1:])

    def backward(self, G):
        if self._lead is None:
            raise RuntimeError("call forward before backward")
        g = np.asarray(G).reshape(-1, G.shape[-1])
        for layer in reversed(self.layers):
            g = layer.backward(g)
        return None if g is None else g.reshape(self._lead + g.shape[-1:])


# --------------------------------------------------------------------------- the block

class _Attention(MultiHeadSelfAttention):
    """:class:`helpers.attention.MultiHeadSelfAttention` (same weights, same outputs, same
    gradients), with the queries, keys and values of all heads computed in ONE matrix product,
    ``[Q | K | V] = X [W_q | W_k | W_v]`` with the (d, 3 h d_k) matrix of all heads side by side,
    and the weight gradients likewise in one product, instead of one small product per head and
    sequence. The attention itself is :func:`helpers.attention.scaled_dot_product_attention` and
    its backward pass :func:`helpers.attention.attention_backward`. Results keep the layer's dtype.
    """

    def _stacked(self) -> np.ndarray:
        h, d, d_k = self.n_heads, self.d, self.d_k
        W = np.stack([self.W_q, self.W_k, self.W_v])                  # (3, h, d, d_k)
        return W.transpose(2, 0, 1, 3).reshape(d, 3 * h * d_k)         # columns: (q|k|v, head, j)

    def forward(self, X, train: bool = False) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim < 2 or X.shape[-1] != self.d:
            raise ValueError(f"X has shape {X.shape} but the layer expects shape (..., T, {self.d})")
        h, d_k, T = self.n_heads, self.d_k, X.shape[-2]
        lead = X.shape[:-2]
        QKV = (X.reshape(-1, self.d) @ self._stacked()).reshape(lead + (T, 3, h, d_k))
        QKV = np.moveaxis(QKV, (-3, -2), (0, -3))                        # (3, ..., h, T, d_k)
        Q, K, V = QKV[0], QKV[1], QKV[2]
        O, A = scaled_dot_product_attention(Q, K, V, mask=causal_mask(T) if self.causal else None)
        concat = np.swapaxes(O, -2, -3).reshape(lead + (T, h * d_k))
        self._cache = (X, Q, K, V, A, concat)
        self.weights = A
        return (concat @ self.W_o).astype(X.dtype, copy=False)

    def backward(self, G_Y) -> np.ndarray:
        if not hasattr(self, "_cache"):
            raise RuntimeError("call forward before backward")
        X, Q, K, V, A, concat = self._cache
        G_Y = np.asarray(G_Y)
        if G_Y.shape != X.shape:
            raise ValueError(f"G_Y has shape {G_Y.shape} but the output has shape {X.shape}")
        h, d_k, d, dtype = self.n_heads, self.d_k, self.d, X.dtype
        T, lead = X.shape[-2], X.shape[:-2]
        G_Wo = concat.reshape(-1, h * d_k).T @ G_Y.reshape(-1, d)
        G_O = np.swapaxes((G_Y @ self.W_o.T).reshape(lead + (T, h, d_k)), -2, -3)
        G_Q, G_K, G_V = attention_backward(G_O, Q, K, V, A)             # (..., h, T, d_k) each
        G_QKV = np.moveaxis(np.stack([G_Q, G_K, G_V]).astype(dtype, copy=False), (0, -3),
                            (-3, -2)).reshape(-1, 3 * h * d_k)          # (tokens, 3 h d_k)
        G_W = (X.reshape(-1, d).T @ G_QKV).reshape(d, 3, h, d_k).transpose(1, 2, 0, 3)
        self.grads = [G_W[0], G_W[1], G_W[2], G_Wo.astype(dtype, copy=False)]
        return (G_QKV @ self._stacked().T).reshape(X.shape)


class TransformerBlock:
    """A pre-norm transformer block on a batch of sequences X (N, T, d) (or one, (T, d)):

        H = X + MHA(LN_1(X))          causal multi-head self-attention, h heads of d / h features
        Y = H + MLP(LN_2(H))          MLP(z) = ReLU(z W_1 + b_1) W_2 + b_2 for every token

    with ``W_1`` (d, d_ff) and ``W_2`` (d_ff, d). Only attention mixes positions, and it looks
    only backwards, so output t depends on the inputs 0..t only.

    Attributes
    ----------
    ln1, attn, ln2, mlp : the layers;  residual_attn, residual_mlp : the two residual branches
    params : every parameter array, in the order ln1, attn (W_q, W_k, W_v, W_o), ln2, mlp
    """

    def __init__(self, d: int, n_heads: int, d_ff: int | None = None, *, rng=0,
                 dtype=np.float64):
        d = require_positive_int(d, "d")
        d_ff = 4 * d if d_ff is None else require_positive_int(d_ff, "d_ff")
        g, dtype = as_generator(rng), _dtype(dtype)
        self.ln1 = LayerNorm(d, dtype=dtype)
        self.attn = _Attention(d, n_heads, causal=True, rng=g, dtype=dtype)
        self.ln2 = LayerNorm(d, dtype=dtype)
        self.mlp = Tokenwise([nn.Linear(d, d_ff, rng=g, init="he", dtype=dtype), nn.ReLU(),
                              nn.Linear(d_ff, d, rng=g, init="lecun", dtype=dtype)])
        self.residual_attn = Residual([self.ln1, self.attn])
        self.residual_mlp = Residual([self.ln2, self.mlp])
        self.params = self.residual_attn.params + self.residual_mlp.params

    @property
    def grads(self):
        return self.residual_attn.grads + self.residual_mlp.grads

    def forward(self, X, train: bool = False) -> np.ndarray:
        return self.residual_mlp.forward(self.residual_attn.forward(X, train), train)

    def backward(self, G_Y) -> np.ndarray:
        return self.residual_attn.backward(self.residual_mlp.backward(G_Y))


# --------------------------------------------------------------------------- the language model

def encode_batch(words, length: int | None = None):
    """Inputs, targets and mask of a list of words, padded to one length.

    Word ``w`` of L letters gives inputs ``[0, c_1, ..., c_L]`` and targets ``[c_1, ..., c_L, 0]``
    (0 is the marker ``.``), followed by padding (0) up to ``length`` positions.

    Parameters
    ----------
    words : list of N str (letters a-z)
    length : int >= the longest word + 1, optional (default: exactly that)

    Returns
    -------
    inputs, targets : int64 arrays (N, length);  mask : bool array (N, length), True at the
    ``len(w) + 1`` real predictions of each word. ``mask.sum()`` is the number of predictions M.
    """
    words = sequences._words(words)
    lengths = np.array([len(w) for w in words])
    need = int(lengths.max()) + 1
    T = need if length is None else require_positive_int(length, "length")
    if T < need:
        raise ValueError(f"length = {T} is too short: the longest word has {need - 1} letters and "
                         f"needs {need} positions")
    text = "".join(w.ljust(T, ".") for w in words)          # each word padded with '.' to T
    codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.int64) - (ord("a") - 1)
    codes[codes < 0] = sequences.END
    targets = codes.reshape(len(words), T)
    inputs = np.zeros_like(targets)
    inputs[:, 1:] = targets[:, :-1]
    mask = np.arange(T)[None, :] <= lengths[:, None]
    return inputs, targets, mask


class CharTransformer:
    """A character-level transformer language model.

    ``logits = LN_f(blocks(Embedding(ids))) W_out + b_out``, shape (N, T, K): at position t the
    logits of the next symbol given the symbols 0..t of the input.

    Parameters
    ----------
    vocab_size : int K (27 for :mod:`helpers.sequences`)
    max_len : int T_max, the longest input (the longest word + 1)
    d : int, the width;  n_heads : int h;  n_blocks : int;  d_ff : int (default 4 d)
    rng : numpy Generator or seed;  dtype : float32 or float64

    Attributes
    ----------
    embedding, blocks, norm, head;  params : list of every parameter array (see
    :meth:`param_names`), updated in place by an optimizer.
    """

    def __init__(self, vocab_size: int = sequences.VOCAB_SIZE, max_len: int = 23, d: int = 64,
                 n_heads: int = 4, n_blocks: int = 2, d_ff: int | None = None, *, rng=0,
                 dtype=np.float32):
        self.config = dict(vocab_size=require_positive_int(vocab_size, "vocab_size"),
                           max_len=require_positive_int(max_len, "max_len"),
                           d=require_positive_int(d, "d"),
                           n_heads=require_positive_int(n_heads, "n_heads"),
                           n_blocks=require_positive_int(n_blocks, "n_blocks"),
                           d_ff=4 * d if d_ff is None else require_positive_int(d_ff, "d_ff"))
        if d % n_heads:
            raise ValueError(f"d = {d} must be divisible by n_heads = {n_heads}")
        g, self.dtype = as_generator(rng), _dtype(dtype)
        self.embedding = Embedding(vocab_size, max_len, d, rng=g, dtype=self.dtype)
        self.blocks = [TransformerBlock(d, n_heads, self.config["d_ff"], rng=g, dtype=self.dtype)
                       for _ in range(n_blocks)]
        self.norm = LayerNorm(d, dtype=self.dtype)
        self.head = Tokenwise([nn.Linear(d, vocab_size, rng=g, init="lecun", dtype=self.dtype)])
        self.layers = [self.embedding, *self.blocks, self.norm, self.head]
        self.params = [p for layer in self.layers for p in layer.params]

    def __repr__(self) -> str:
        c = self.config
        return (f"CharTransformer(d={c['d']}, n_heads={c['n_heads']}, n_blocks={c['n_blocks']}, "
                f"d_ff={c['d_ff']}, max_len={c['max_len']}, {self.num_params()} parameters)")

    def param_names(self) -> list[str]:
        """A name for every entry of :attr:`params`, e.g. ``'blocks.0.attn.W_q'``."""
        names = ["embedding.E", "embedding.P"]
        for i in range(len(self.blocks)):
            names += [f"blocks.{i}.{n}" for n in ("ln1.gamma", "ln1.beta", "attn.W_q", "attn.W_k",
                                                   "attn.W_v", "attn.W_o", "ln2.gamma", "ln2.beta",
                                                   "mlp.W_1", "mlp.b_1", "mlp.W_2", "mlp.b_2")]
        return names + ["norm.gamma", "norm.beta", "head.W", "head.b"]

    def num_params(self) -> int:
        """The number of trainable numbers."""
        return sum(p.size for p in self.params)

    def forward(self, ids, train: bool = False) -> np.ndarray:
        """Logits (N, T, K) for integer inputs (N, T) (or (T, K) for one sequence (T,))."""
        A = self.embedding.forward(ids, train)
        for layer in self.layers[1:]:
            A = layer.forward(A, train)
        return A

    def backward(self, G_logits) -> list[np.ndarray]:
        """Backpropagate the gradient of the logits; return the gradients matching :attr:`params`."""
        g = np.asarray(G_logits, dtype=self.dtype)
        for layer in reversed(self.layers):
            g = layer.backward(g)
        return [grad for layer in self.layers for grad in layer.grads]

    def loss(self, inputs, targets, mask) -> float:
        """Mean cross-entropy over the positions where ``mask`` is True (nats per symbol)."""
        logits = self.forward(inputs)
        mask = _check_mask(mask, logits.shape[:-1])
        return losses.cross_entropy(logits[mask], np.asarray(targets)[mask])

    def loss_and_grads(self, inputs, targets, mask):
        """Mean cross-entropy over the masked positions and its gradients (a list matching
        :attr:`params`). inputs, targets: ints (N, T); mask: bool (N, T)."""
        logits = self.forward(inputs, True)
        mask = _check_mask(mask, logits.shape[:-1])
        z, y = logits[mask], np.asarray(targets)[mask]
        loss = losses.cross_entropy(z, y)
        G = np.zeros_like(logits)
        G[mask] = losses.cross_entropy_grad(z, y)
        return loss, self.backward(G)

    def astype(self, dtype) -> "CharTransformer":
        """A copy of the model with its parameters converted to ``dtype`` (float32 or float64)."""
        c = self.config
        other = CharTransformer(c["vocab_size"], c["max_len"], c["d"], c["n_heads"],
                                c["n_blocks"], c["d_ff"], rng=0, dtype=dtype)
        other.set_params(self.params)
        return other

    def set_params(self, values) -> None:
        """Overwrite the parameters in place with ``values`` (a list matching :attr:`params`)."""
        values = list(values)
        if len(values) != len(self.params):
            raise ValueError(f"got {len(values)} arrays for {len(self.params)} parameters")
        for name, p, v in zip(self.param_names(), self.params, values):
            if np.shape(v) != p.shape:
                raise ValueError(f"{name} has shape {p.shape} but the new value has shape "
                                 f"{np.shape(v)}")
            p[...] = v


def _check_mask(mask, shape):
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.shape != shape:
        raise ValueError(f"mask must be a boolean array of shape {shape} (True at the real "
                         f"predictions), got dtype {mask.dtype} and shape {mask.shape}")
    if not mask.any():
        raise ValueError("mask selects no position: there is nothing to predict")
    return mask


def word_batches(words, batch_size: int = 64, rng=1):
    """An endless stream of training batches ``(inputs, targets, mask)`` (see
    :func:`encode_batch`): ``batch_size`` words drawn uniformly with replacement by ``rng``, each
    batch padded to its own longest word."""
    words = sequences._words(words)
    batch_size = require_positive_int(batch_size, "batch_size")
    g = as_generator(rng)
    while True:
        idx = g.integers(0, len(words), batch_size)
        yield encode_batch([words[i] for i in idx])


def fit(model: CharTransformer, words, steps: int, *, batch_size: int = 64, lr: float = 3e-3,
        lr_min: float = 1e-4, schedule_steps: int | None = None, batch_seed: int = 1,
        callback=None) -> list[float]:
    """Train ``model`` in place with :class:`helpers.optim.Adam` on batches from
    :func:`word_batches` (seed ``batch_seed``), the learning rate following
    :func:`helpers.optim.cosine` from ``lr`` to ``lr_min`` over ``schedule_steps`` (default
    ``steps``), on one thread of the matrix library. ``callback(step, loss)`` is called after
    every step. Returns the training loss of every step (nats per symbol)."""
    steps = require_positive_int(steps, "steps")
    schedule = optim.cosine(lr, schedule_steps or steps, lr_min)
    opt = optim.Adam(lr=lr)
    stream = word_batches(words, batch_size, batch_seed)
    history = []
    with linalg.blas_threads(1):
        for step in range(steps):
            loss, grads = model.loss_and_grads(*next(stream))
            optim.check_loss(loss, step, opt.lr)
            opt.lr = schedule(step)
            opt.step(model.params, grads)
            history.append(loss)
            if callback is not None:
                callback(step, loss)
    return history


def prediction_log_probs(model: CharTransformer, words, batch_size: int = 512):
    """The model's next-symbol log-probabilities at every prediction of ``words``.

    Words of equal length are evaluated together, so no padding enters any computation (on one
    thread of the matrix library); the predictions come grouped by word length (shortest first),
    not in the order of ``words``.

    Returns
    -------
    log_probs : (M, K) float64;  targets : (M,) ints;  positions : (M,) ints, the index t of
    each prediction within its word (0 predicts the first letter, len(w) the end marker).
    M = sum(len(w) + 1).
    """
    words = sequences._words(words)
    batch_size = require_positive_int(batch_size, "batch_size")
    by_length: dict[int, list[str]] = {}
    for w in words:
        by_length.setdefault(len(w), []).append(w)
    log_probs, targets, positions = [], [], []
    for L in sorted(by_length):
        group = by_length[L]
        for i in range(0, len(group), batch_size):
            inputs, tgt, _ = encode_batch(group[i:i + batch_size])
            with linalg.blas_threads(1):                 # small products: one thread is faster
                logits = model.forward(inputs)
            log_probs.append(losses.log_softmax(logits.reshape(-1, logits.shape[-1])))
            targets.append(tgt.ravel())
            positions.append(np.tile(np.arange(L + 1), len(tgt)))
    return np.concatenate(log_probs), np.concatenate(targets), np.concatenate(positions)


def average_nll(model: CharTransformer, words, batch_size: int = 512) -> float:
    """Average negative log-likelihood per predicted symbol of ``words`` (nats), computed in the
    model's dtype over all ``sum(len(w) + 1)`` predictions: the measure of
    :func:`helpers.sequences.bigram_nll`, so ``perplexity(average_nll(...))`` is comparable."""
    log_probs, targets, _ = prediction_log_probs(model, words, batch_size)
    return sequences.average_nll(log_probs, targets)


def next_logits(model: CharTransformer, X) -> np.ndarray:
    """The logits of the next symbol after each row of ``X``, in the form
    :func:`helpers.sequences.sample_words` calls its model.

    Row ``X[i]`` holds the last symbols generated so far, oldest first, after start markers
    (0); its letters (the non-zero entries), preceded by one start marker, are the model's input.

    Parameters
    ----------
    X : ints (B, n), n <= max_len - 1

    Returns
    -------
    ndarray (B, K), float64.
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (B, n), got {X.shape}")
    letters = X != sequences.END
    n_letters = letters.sum(axis=1)
    order = np.argsort(~letters, axis=1, kind="stable")     # letters first, in their order
    packed = np.where(np.arange(X.shape[1])[None, :] < n_letters[:, None],
                      np.take_along_axis(X, order, axis=1), sequences.END)
    T = int(n_letters.max()) + 1
    inputs = np.concatenate([np.full((len(X), 1), sequences.END), packed[:, :T - 1]], axis=1)
    logits = model.forward(inputs)                            # (B, T, K)
    return logits[np.arange(len(X)), n_letters].astype(np.float64)


def sample(model: CharTransformer, n_words: int, *, prefix: str = "", temperature=1.0,
           top_k: int | None = None, rng=None, uniforms=None) -> list[str]:
    """Generate ``n_words`` words from the model, one symbol at a time, with
    :func:`helpers.sequences.sample_words` (temperature, top-k and fixed uniforms as there).

    Every word starts with ``prefix`` (letters a-z, may be empty) and continues with at most
    ``S = max_len - 1 - len(prefix)`` generated letters; ``uniforms``, if given, has shape
    (n_words, S + 1). ``temperature`` is a number > 0, or an array of shape (n_words,) with one
    temperature per word (the same words as sampling each at its own temperature: the logits of
    word i are divided by ``temperature[i]`` before :func:`helpers.sequences.adjust_distribution`
    is applied at temperature 1). Returns the words, prefix included.
    """
    head = np.array([], dtype=np.int64) if prefix == "" else sequences.encode(prefix)[:-1]
    S = model.config["max_len"] - 1 - len(head)
    if S < 1:
        raise ValueError(f"prefix {prefix!r} leaves no room: the model reads at most "
                         f"{model.config['max_len'] - 1} letters")
    n_words = require_positive_int(n_words, "n_words")
    scale = None
    if np.ndim(temperature) == 1:
        tau = np.asarray(temperature, dtype=np.float64)
        if tau.shape != (n_words,) or not np.all(np.isfinite(tau) & (tau > 0)):
            raise ValueError(f"temperature must be a number > 0 or {n_words} numbers > 0 (one per "
                             f"word), got shape {tau.shape}")
        scale, temperature = tau[:, None], 1.0

    def logits(X):
        z = next_logits(model, np.concatenate([np.broadcast_to(head, (len(X), len(head))), X],
                                              axis=1))
        return z if scale is None else z / scale

    with linalg.blas_threads(1):                         # small products: one thread is faster
        words = sequences.sample_words(logits, n_words, context=S, temperature=temperature,
                                       top_k=top_k, rng=rng, uniforms=uniforms, max_len=S)
    return [prefix + w for w in words]


def bigram_transformer(P) -> CharTransformer:
    """A CharTransformer, set by hand, whose next-symbol distribution at position t is row x_t of
    the bigram matrix ``P`` (K, K) (rows: previous symbol; entries > 0): a check that the
    transformer's measure is the bigram's.

    ``E = I`` (so d = K), ``P = 0`` (no positions), one block that adds zero (``W_o``, ``W_2`` and
    ``b_2`` are 0), and an output layer that undoes the final layer norm: every one-hot row
    ``e_k`` has mean 1/K and variance (K - 1)/K^2, so ``LN(e_k) = (e_k - 1/K) / sigma`` with one
    ``sigma`` for all k, and ``W = sigma log P``, ``b`` = the column means of ``log P`` give the
    logits ``log P[k]``. float64; K must be divisible by 3 (the number of heads).
    """
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] != P.shape[1] or not np.all((P > 0) & np.isfinite(P)):
        raise ValueError(f"P must be a square matrix of positive probabilities, got shape {P.shape}")
    logP, K = np.log(P), P.shape[0]
    model = CharTransformer(K, 23, K, 3, 1, 4, rng=0, dtype=np.float64)
    model.embedding.E[...] = np.eye(K)
    model.embedding.P[...] = 0
    block = model.blocks[0]
    block.attn.W_o[...] = 0
    block.mlp.layers[2].W[...] = 0
    block.mlp.layers[2].b[...] = 0
    head = model.head.layers[0]
    head.W[...] = np.sqrt((K - 1) / K ** 2 + model.norm.eps) * logP
    head.b[...] = logP.mean(axis=0)
    return model


# --------------------------------------------------------------------------- saving

def save_model(model: CharTransformer, path) -> None:
    """Save the configuration and the parameters (by :meth:`CharTransformer.param_names`) to a
    ``.npz`` file."""
    arrays = dict(zip(model.param_names(), model.params))
    np.savez_compressed(path, config=json.dumps(model.config), **arrays)


def load_model(path=None, dtype=np.float32) -> CharTransformer:
    """The model saved by :func:`save_model` at ``path`` (default :data:`SAVED_MODEL`), with
    parameters of ``dtype``."""
    path = SAVED_MODEL if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no saved model at {path}; tests/benchmarks/transformer_lm.py "
                                "trains one and saves it there")
    with np.load(path) as f:
        config = json.loads(str(f["config"]))
        model = CharTransformer(rng=0, dtype=dtype, **config)
        missing = [n for n in model.param_names() if n not in f.files]
        if missing:
            raise ValueError(f"{path} lacks the parameters {missing}")
        model.set_params([f[n] for n in model.param_names()])
    return model
