"""Tests of helpers.autodiff: gradients against sympy and against central finite differences.

Two references:
* sympy differentiates the same computation written on arrays of symbols; its gradient is exact,
  so engine and sympy agree up to float64 rounding (relative 1e-9 leaves a wide margin);
* central differences (helpers.gradcheck) with h = 1e-6 err by about eps |f| / h + h^2 |f'''|,
  i.e. ~1e-10 (1 + |f|) for the moderate values used here; we accept 1e-6 (1 + |f|) absolute plus
  1e-5 relative, far below the size of any wrong formula (an O(1) error).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from helpers.autodiff import Tensor, draw_graph, graph_layout, unbroadcast
from helpers.gradcheck import check_gradient, numerical_gradient

SEED = 2024


# ---------------------------------------------------------------------------------------------
# Two interpreters of the same operations: the engine, and numpy object arrays of sympy symbols.
# ---------------------------------------------------------------------------------------------

def _vec(fn):
    return np.vectorize(fn, otypes=[object])


class Engine:
    exp = staticmethod(lambda a: a.exp())
    log = staticmethod(lambda a: a.log())
    tanh = staticmethod(lambda a: a.tanh())
    relu = staticmethod(lambda a: a.relu())
    sigmoid = staticmethod(lambda a: a.sigmoid())
    softmax = staticmethod(lambda a, axis: a.softmax(axis=axis))
    log_softmax = staticmethod(lambda a, axis: a.log_softmax(axis=axis))
    sum = staticmethod(lambda a, axis, keepdims: a.sum(axis=axis, keepdims=keepdims))
    mean = staticmethod(lambda a, axis, keepdims: a.mean(axis=axis, keepdims=keepdims))


class Symbolic:
    exp = staticmethod(_vec(sp.exp))
    log = staticmethod(_vec(sp.log))
    tanh = staticmethod(_vec(sp.tanh))
    relu = staticmethod(_vec(lambda e: sp.Piecewise((e, e > 0), (0, True))))
    sigmoid = staticmethod(_vec(lambda e: 1 / (1 + sp.exp(-e))))

    @staticmethod
    def softmax(a, axis):
        e = Symbolic.exp(a)
        return e / np.sum(e, axis=axis, keepdims=True)

    @staticmethod
    def log_softmax(a, axis):
        return a - Symbolic.log(np.sum(Symbolic.exp(a), axis=axis, keepdims=True))

    @staticmethod
    def sum(a, axis, keepdims):
        return np.asarray(np.sum(a, axis=axis, keepdims=keepdims), dtype=object)

    @staticmethod
    def mean(a, axis, keepdims):
        a = np.asarray(a, dtype=object)
        total = np.asarray(np.sum(a, axis=axis, keepdims=keepdims), dtype=object)
        return total / sp.Integer(a.size // max(total.size, 1))


def _broadcasts(s1, s2) -> bool:
    try:
        np.broadcast_shapes(s1, s2)
        return True
    except ValueError:
        return False


# Leaves of every random program: shapes that broadcast against (3, 2) in every way the engine
# must undo -- a full array, a row (K,), a column (N, 1), a (1, K) row, a scalar -- plus a matrix
# for matmul.
LEAF_SHAPES = {"X": (3, 2), "b": (2,), "c": (3, 1), "r": (1, 2), "s": (), "M": (2, 4)}


def random_program(rng, n_steps: int):
    """A random composition of the engine's operations, as a list of steps.

    Each step is (kind, arguments) and refers to earlier values by index; both interpreters run the
    same list, so the engine and sympy compute the same function.
    """
    shapes = list(LEAF_SHAPES.values())
    steps = []

    def pick(pred=lambda s: True):
        options = [i for i, s in enumerate(shapes) if pred(s)]
        return int(rng.choice(options))

    for _ in range(n_steps):
        kind = str(rng.choice(["unary", "unary", "binary", "binary", "binary", "softmax",
                               "reduce", "matmul", "pow", "shape"]))
        if kind == "unary":
            i = pick()
            fn = str(rng.choice(["exp", "tanh", "relu", "sigmoid", "log_sq", "div_sq"]))
            steps.append((kind, (fn, i)))
            shapes.append(shapes[i])
        elif kind == "binary":
            i = pick()
            j = pick(lambda s: _broadcasts(s, shapes[i]))
            op = str(rng.choice(["+", "-", "*", "/"]))
            steps.append((kind, (op, i, j)))
            shapes.append(np.broadcast_shapes(shapes[i], shapes[j]))
        elif kind == "softmax":
            i = pick(lambda s: len(s) >= 1)
            axis = int(rng.integers(-len(shapes[i]), len(shapes[i])))
            which = str(rng.choice(["softmax", "log_softmax"]))
            steps.append((kind, (which, i, axis)))
            shapes.append(shapes[i])
        elif kind == "reduce":
            i = pick(lambda s: len(s) >= 1)
            axis = [None, int(rng.integers(0, len(shapes[i])))][int(rng.integers(0, 2))]
            keepdims = bool(rng.integers(0, 2))
            which = str(rng.choice(["sum", "mean"]))
            steps.append((kind, (which, i, axis, keepdims)))
            shapes.append(np.empty(shapes[i]).sum(axis=axis, keepdims=keepdims).shape)
        elif kind == "matmul":
            i = pick(lambda s: len(s) in (1, 2) and s[-1] == 2)
            steps.append((kind, (i, 5)))                     # index 5 is the leaf M of shape (2, 4)
            shapes.append((np.empty(shapes[i]) @ np.empty((2, 4))).shape)
        elif kind == "pow":
            i = pick()
            p = float(rng.choice([2.0, 3.0, 0.5, -1.0]))
            steps.append((kind, (i, p)))
            shapes.append(shapes[i])
        else:                                                # reshape or transpose
            i = pick(lambda s: len(s) == 2)
            steps.append((kind, (i, str(rng.choice(["T", "reshape"])))))
            shapes.append(shapes[i][::-1])
    return steps, shapes


def run_program(steps, leaves, lib, weights):
    """Run ``steps`` on ``leaves`` (tensors or object arrays); return the scalar output."""
    vals = list(leaves)
    for kind, args in steps:
        if kind == "unary":
            fn, i = args
            a = vals[i]
            if fn == "log_sq":                              # log of a positive argument, reusing a
                out = lib.log(a * a + 1.0)
            elif fn == "div_sq":                            # division by a positive denominator
                out = a / (a * a + 2.0)
            else:
                out = getattr(lib, fn)(a)
        elif kind == "binary":
            op, i, j = args
            a, b = vals[i], vals[j]
            if op == "+":
                out = a + b
            elif op == "-":
                out = a - b
            elif op == "*":
                out = a * b
            else:
                out = a / (b * b + 1.0)                     # a positive denominator
        elif kind == "softmax":
            which, i, axis = args
            out = getattr(lib, which)(vals[i], axis)
        elif kind == "reduce":
            which, i, axis, keepdims = args
            out = getattr(lib, which)(vals[i], axis, keepdims)
        elif kind == "matmul":
            i, j = args
            out = vals[i] @ vals[j]
        elif kind == "pow":
            i, p = args
            base = vals[i] * vals[i] + 0.5 if p in (0.5, -1.0) else vals[i]   # positive base
            out = base ** p
        else:
            i, how = args
            out = vals[i].T if how == "T" else vals[i].reshape(vals[i].shape[::-1])
        vals.append(out)
    # the output: a weighted sum of the last two values, so that values are reused
    total = 0.0
    for v, w in zip(vals[-2:], weights):
        weighted = v * w
        total = total + (weighted.sum() if isinstance(weighted, Tensor) else np.sum(weighted))
    return total


def _make_weights(rng, shapes):
    return [rng.normal(size=s) for s in shapes[-2:]]


def _leaf_values(rng):
    return {k: rng.normal(size=s) for k, s in LEAF_SHAPES.items()}


def _engine_gradients(steps, values, weights):
    leaves = [Tensor(v) for v in values.values()]
    out = run_program(steps, leaves, Engine, weights)
    out.backward()
    return float(out.data), [t.grad for t in leaves]


def _sympy_gradients(steps, values, weights):
    sym_leaves, flat_syms = [], []
    for k, s in LEAF_SHAPES.items():
        n = int(np.prod(s))
        syms = sp.symbols(f"{k}0:{n}") if n > 1 else (sp.Symbol(f"{k}0"),)
        flat_syms.extend(syms)
        sym_leaves.append(np.array(syms, dtype=object).reshape(s))
    w_obj = [np.asarray(w, dtype=object) for w in weights]
    expr = sp.sympify(run_program(steps, sym_leaves, Symbolic, w_obj))
    grads = [sp.diff(expr, x) for x in flat_syms]
    f = sp.lambdify(flat_syms, [expr] + grads, "numpy")
    point = np.concatenate([np.ravel(v) for v in values.values()])
    res = [float(r) for r in f(*point)]
    out, flat = res[0], np.array(res[1:])
    split = np.cumsum([int(np.prod(s)) for s in LEAF_SHAPES.values()])[:-1]
    return out, [g.reshape(s) for g, s in zip(np.split(flat, split), LEAF_SHAPES.values())]


SYMPY_CASES = 24
FD_CASES = 150


@pytest.mark.parametrize("case", range(SYMPY_CASES))
def test_random_compositions_match_sympy(case):
    rng = np.random.default_rng([SEED, case])
    steps, shapes = random_program(rng, n_steps=int(rng.integers(3, 7)))
    values, weights = _leaf_values(rng), _make_weights(rng, shapes)
    out_e, grads_e = _engine_gradients(steps, values, weights)
    out_s, grads_s = _sympy_gradients(steps, values, weights)
    assert out_e == pytest.approx(out_s, rel=1e-9, abs=1e-9)
    for name, ge, gs in zip(LEAF_SHAPES, grads_e, grads_s):
        np.testing.assert_allclose(ge, gs, rtol=1e-9, atol=1e-9 * (1 + abs(out_s)),
                                   err_msg=f"leaf {name}, program {steps}")


def test_broadcasting_and_reuse_program_matches_sympy():
    # leaves: 0 X (3, 2), 1 b (2,), 2 c (3, 1), 3 r (1, 2), 4 s (), 5 M (2, 4)
    steps = [("binary", ("+", 0, 1)),          # 6: (N, K) + (K,)
             ("binary", ("*", 2, 3)),          # 7: (N, 1) * (1, K)
             ("binary", ("*", 6, 4)),          # 8: (N, K) * scalar
             ("unary", ("tanh", 8)),           # 9
             ("binary", ("*", 9, 9)),          # 10: a node used twice by one operation
             ("binary", ("/", 7, 6)),          # 11: uses 6 and 7 again
             ("matmul", (10, 5)),              # 12: (N, K) @ (K, 4)
             ("softmax", ("log_softmax", 12, -1)),  # 13
             ("binary", ("-", 11, 10))]        # 14
    rng = np.random.default_rng([SEED, 99])
    shapes = list(LEAF_SHAPES.values()) + [(3, 2)] * 6 + [(3, 4)] * 2 + [(3, 2)]
    values, weights = _leaf_values(rng), _make_weights(rng, shapes)
    out_e, grads_e = _engine_gradients(steps, values, weights)
    out_s, grads_s = _sympy_gradients(steps, values, weights)
    assert out_e == pytest.approx(out_s, rel=1e-9, abs=1e-9)
    for name, ge, gs in zip(LEAF_SHAPES, grads_e, grads_s):
        assert np.any(ge != 0), f"leaf {name} should influence the output"
        np.testing.assert_allclose(ge, gs, rtol=1e-9, atol=1e-9 * (1 + abs(out_s)), err_msg=f"leaf {name}")


@pytest.mark.parametrize("block", range(3))
def test_random_compositions_match_finite_differences(block):
    for case in range(block * FD_CASES // 3, (block + 1) * FD_CASES // 3):
        rng = np.random.default_rng([SEED + 1, case])
        steps, shapes = random_program(rng, n_steps=int(rng.integers(2, 9)))
        values, weights = _leaf_values(rng), _make_weights(rng, shapes)
        out, grads = _engine_gradients(steps, values, weights)
        for k, (name, g) in enumerate(zip(LEAF_SHAPES, grads)):
            def f(x, k=k):
                vals = [Tensor(v, requires_grad=False) for v in values.values()]
                vals[k] = Tensor(x, requires_grad=False)
                return float(run_program(steps, vals, Engine, weights).data)
            num = numerical_gradient(f, values[name])
            np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6 * (1 + abs(out)),
                                       err_msg=f"leaf {name}, case {case}, program {steps}")


def test_random_programs_cover_every_kind_of_step():
    kinds = set()
    for case in range(SYMPY_CASES):
        rng = np.random.default_rng([SEED, case])
        steps, _ = random_program(rng, n_steps=int(rng.integers(3, 7)))
        kinds |= {k for k, _ in steps}
        kinds |= {a[0] for k, a in steps if k in ("unary", "binary", "softmax", "reduce")}
    expected = {"unary", "binary", "softmax", "reduce", "matmul", "pow", "shape", "exp", "tanh",
                "relu", "sigmoid", "log_sq", "div_sq", "+", "-", "*", "/", "softmax",
                "log_softmax", "sum", "mean"}
    assert expected <= kinds, f"never generated: {expected - kinds}"


# ---------------------------------------------------------------------------------------------
# Each operation on its own, against finite differences with helpers.gradcheck.check_gradient.
# ---------------------------------------------------------------------------------------------

UNARY = {
    "exp": (lambda t: t.exp(), lambda x: np.exp(x)),
    "log": (lambda t: (t * t + 0.1).log(), lambda x: np.log(x * x + 0.1)),
    "tanh": (lambda t: t.tanh(), np.tanh),
    "relu": (lambda t: t.relu(), lambda x: np.maximum(x, 0)),
    "sigmoid": (lambda t: t.sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    "neg": (lambda t: -t, lambda x: -x),
    "pow3": (lambda t: t ** 3, lambda x: x ** 3),
    "sqrt": (lambda t: (t * t + 1) ** 0.5, lambda x: np.sqrt(x * x + 1)),
    "softmax0": (lambda t: t.softmax(axis=0), lambda x: np.exp(x) / np.exp(x).sum(0)),
    "softmax": (lambda t: t.softmax(), lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
    "log_softmax": (lambda t: t.log_softmax(),
                    lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
    "sum0": (lambda t: t.sum(axis=0), lambda x: x.sum(axis=0)),
    "mean1k": (lambda t: t.mean(axis=1, keepdims=True), lambda x: x.mean(axis=1, keepdims=True)),
    "mean01": (lambda t: t.mean(axis=(0, 1)), lambda x: x.mean(axis=(0, 1))),
    "reshape": (lambda t: t.reshape(4, 3), lambda x: x.reshape(4, 3)),
    "reshape_tuple": (lambda t: t.reshape((2, 6)), lambda x: x.reshape(2, 6)),
    "T": (lambda t: t.T, lambda x: x.T),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_each_unary_operation_values_and_gradient(name):
    engine_fn, numpy_fn = UNARY[name]
    rng = np.random.default_rng([SEED, 7])
    x = rng.normal(size=(3, 4))
    x[np.abs(x) < 0.05] = 0.3                                # keep relu away from its kink
    t = Tensor(x)
    y = engine_fn(t)
    np.testing.assert_allclose(y.data, numpy_fn(x), rtol=1e-12, atol=1e-14)
    w = rng.normal(size=y.shape)                             # a random weighting of the outputs
    (y * w).sum().backward()
    check_gradient(lambda v: np.sum(numpy_fn(v) * w), t.grad, x, tol=1e-6)


BROADCAST_CASES = [((4, 3), (3,)), ((4, 1), (1, 3)), ((4, 3), ()), ((), (4, 3)),
                   ((2, 1, 3), (4, 1)), ((3,), (4, 3)), ((4, 3), (4, 3))]


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
@pytest.mark.parametrize("sa,sb", BROADCAST_CASES)
def test_binary_operations_broadcast_and_unbroadcast(op, sa, sb):
    rng = np.random.default_rng([SEED, 8])
    a, b = rng.normal(size=sa), rng.uniform(0.5, 2.0, size=sb)       # b stays away from 0
    fn = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[op]
    w = rng.normal(size=np.broadcast_shapes(sa, sb))
    ta, tb = Tensor(a), Tensor(b)
    out = {"+": ta + tb, "-": ta - tb, "*": ta * tb, "/": ta / tb}[op]
    assert out.shape == w.shape
    (out * w).sum().backward()
    assert ta.grad.shape == sa and tb.grad.shape == sb
    check_gradient(lambda v: np.sum(fn(v, b) * w), ta.grad, a)
    check_gradient(lambda v: np.sum(fn(a, v) * w), tb.grad, b)


@pytest.mark.parametrize("sa,sb", [((4, 3), (3, 2)), ((4, 3), (3,)), ((3,), (3, 2)), ((3,), (3,))])
def test_matmul_gradients_for_matrices_and_vectors(sa, sb):
    rng = np.random.default_rng([SEED, 9])
    a, b = rng.normal(size=sa), rng.normal(size=sb)
    w = rng.normal(size=(a @ b).shape)
    ta, tb = Tensor(a), Tensor(b)
    (ta @ tb * w).sum().backward()
    check_gradient(lambda v: np.sum((v @ b) * w), ta.grad, a)
    check_gradient(lambda v: np.sum((a @ v) * w), tb.grad, b)


def test_dense_layer_gradient_matches_closed_form():
    # L = sum(G * (X W + b)) has dL/dW = X^T G and dL/db = column sums of G
    rng = np.random.default_rng([SEED, 10])
    X, W, b, G = (rng.normal(size=s) for s in [(5, 3), (3, 2), (2,), (5, 2)])
    tW, tb = Tensor(W), Tensor(b)
    ((X @ tW + tb) * G).sum().backward()
    np.testing.assert_allclose(tW.grad, X.T @ G, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tb.grad, G.sum(axis=0), rtol=1e-12, atol=1e-12)


def test_numbers_and_arrays_mix_with_tensors_on_either_side():
    x = Tensor(np.array([1.0, 2.0, 4.0]))
    arr = np.array([2.0, 2.0, 2.0])
    exprs = [2 + x, x + 2, 2 - x, x - arr, arr - x, 3 * x, x * arr, np.float64(3) * x,
             8 / x, x / 2, arr / x, arr @ x, x @ arr]
    assert all(isinstance(e, Tensor) for e in exprs)
    np.testing.assert_allclose((8 / x).data, [8, 4, 2])
    np.testing.assert_allclose((arr - x).data, [1, 0, -2])
    (arr / x).sum().backward()
    np.testing.assert_allclose(x.grad, -2 / x.data ** 2)


def test_constants_do_not_receive_gradients():
    a = Tensor(np.ones(3))
    c = Tensor(np.full(3, 2.0), requires_grad=False)
    (a * c).sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(c.grad, [0.0, 0.0, 0.0])
    assert not (c * c).requires_grad and (a * c).requires_grad


# ---------------------------------------------------------------------------------------------
# Reused nodes, the graph, and the backward pass.
# ---------------------------------------------------------------------------------------------

def test_reused_node_x_times_x():
    x = Tensor(np.array([-1.5, 0.5, 3.0]))
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data, rtol=1e-15)


def test_node_used_twice_accumulates_both_paths():
    # y = tanh(x); f = sum(y * y + 3 y): df/dx = (2y + 3)(1 - y^2)
    x0 = np.array([0.3, -1.2, 2.0])
    x = Tensor(x0)
    y = x.tanh()
    (y * y + 3 * y).sum().backward()
    t = np.tanh(x0)
    np.testing.assert_allclose(x.grad, (2 * t + 3) * (1 - t ** 2), rtol=1e-13)
    u = sp.Symbol("u")
    exact = sp.diff(sp.tanh(u) ** 2 + 3 * sp.tanh(u), u)
    np.testing.assert_allclose(x.grad, [float(exact.subs(u, v)) for v in x0], rtol=1e-13)


def _diamond():
    a = Tensor(np.array([0.5, -1.0]), name="a")
    b = a * a                      # a used twice by one node
    c = b + a                      # a used again, b used twice below
    d = (c * b).sum()
    return a, b, c, d


def test_topological_order_lists_each_node_once_inputs_first():
    a, b, c, d = _diamond()
    order = d.topological_order()
    assert len(order) == len({id(n) for n in order}) == 5        # a, b, c, c*b, sum
    position = {id(n): k for k, n in enumerate(order)}
    for node in order:
        for p in node.parents:
            assert position[id(p)] < position[id(node)]
    assert order[-1] is d and order[0] is a


def test_backward_visits_each_node_once_after_all_its_consumers():
    a, b, c, d = _diamond()
    order = d.topological_order()
    log = []
    for node in order:
        original = node._backward

        def counted(node=node, original=original):
            log.append(node)
            original()
        node._backward = counted
    d.backward()
    assert sorted(id(n) for n in log) == sorted(id(n) for n in order)   # each exactly once
    when = {id(n): k for k, n in enumerate(log)}
    for node in order:
        for p in node.parents:
            assert when[id(node)] < when[id(p)], "a node ran before one of its consumers"
    # d/da sum((a^2 + a) a^2) = 4 a^3 + 3 a^2
    np.testing.assert_allclose(a.grad, 4 * a.data ** 3 + 3 * a.data ** 2, rtol=1e-14)


def test_backward_twice_gives_the_same_gradient():
    a, _, _, d = _diamond()
    d.backward()
    first = a.grad.copy()
    d.backward()
    np.testing.assert_array_equal(a.grad, first)


def test_deep_chain_has_no_recursion_limit():
    x = Tensor(np.array(1.0))
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert abs(float(x.grad) - 1.0001 ** 5000) < 1e-9 * 1.0001 ** 5000


def test_backward_with_seed_gives_vector_jacobian_product():
    rng = np.random.default_rng([SEED, 11])
    A = rng.normal(size=(3, 4))
    x = Tensor(rng.normal(size=4))
    v = rng.normal(size=3)
    (Tensor(A, requires_grad=False) @ x).tanh().backward(v)
    J = (1 - np.tanh(A @ x.data) ** 2)[:, None] * A
    np.testing.assert_allclose(x.grad, v @ J, rtol=1e-12)


def test_unbroadcast_sums_copied_axes():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(g, (4,)), g.sum(axis=(0, 1)))
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), g.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(unbroadcast(g, ()), g.sum())
    np.testing.assert_array_equal(unbroadcast(g, (2, 3, 4)), g)
    with pytest.raises(ValueError, match=r"\(2, 3, 4\).*\(5,\)"):
        unbroadcast(g, (5,))


# ---------------------------------------------------------------------------------------------
# Numerically extreme inputs (pytest turns every warning into an error, so overflow would fail).
# ---------------------------------------------------------------------------------------------

def test_log_softmax_of_1000_huge_logits_is_finite_and_right():
    rng = np.random.default_rng([SEED, 12])
    z = rng.normal(scale=1000.0, size=(4, 1000))        # exp(z) overflows float64 above ~709
    z[0, 0] = 5000.0
    t = Tensor(z)
    y = t.log_softmax()
    assert np.all(np.isfinite(y.data)) and np.all(y.data <= 0)
    np.testing.assert_allclose(np.exp(y.data).sum(axis=1), 1.0, rtol=1e-12)
    assert y.data[0, 0] == 0.0 and y.data[0, 1] == pytest.approx(z[0, 1] - 5000.0, rel=1e-15)
    labels = rng.integers(0, 1000, size=4)
    onehot = np.eye(1000)[labels]
    (-(y * onehot).sum(axis=1)).mean().backward()       # cross-entropy
    assert np.all(np.isfinite(t.grad))
    np.testing.assert_allclose(t.grad, (np.exp(y.data) - onehot) / 4, atol=1e-15)


def test_softmax_and_sigmoid_of_extreme_inputs():
    z = Tensor(np.array([[-1e4, 0.0, 1e4], [800.0, 800.0, -800.0]]))
    s = z.softmax()
    np.testing.assert_allclose(s.data, [[0, 0, 1], [0.5, 0.5, 0]], atol=1e-300)
    s.sum().backward()
    assert np.all(np.isfinite(z.grad))
    x = Tensor(np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0]))
    sig = x.sigmoid()
    assert sig.data[0] == 0.0 and sig.data[-1] == 1.0 and sig.data[2] == 0.5
    assert sig.data[1] == pytest.approx(np.exp(-40.0) / (1 + np.exp(-40.0)), rel=1e-14)
    sig.sum().backward()
    np.testing.assert_allclose(x.grad, sig.data * (1 - sig.data), rtol=1e-14)


def test_log_softmax_agrees_with_log_of_softmax_on_moderate_logits():
    rng = np.random.default_rng([SEED, 13])
    z = rng.normal(size=(5, 7))
    np.testing.assert_allclose(Tensor(z).log_softmax().data, np.log(Tensor(z).softmax().data),
                               rtol=1e-13, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# Bad input.
# ---------------------------------------------------------------------------------------------

def test_shape_errors_name_both_shapes():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((4,)))
    for op in (lambda: a + b, lambda: a - b, lambda: a * b, lambda: a / b):
        with pytest.raises(ValueError, match=r"\(2, 3\) and \(4,\)"):
            op()
    with pytest.raises(ValueError, match=r"\(2, 3\) @ \(4,\)"):
        a @ b
    with pytest.raises(ValueError, match=r"\(2, 2, 2\) @ \(2,\)"):
        Tensor(np.ones((2, 2, 2))) @ Tensor(np.ones(2))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 2\)"):
        a.reshape(4, 2)


def test_backward_needs_a_scalar_or_a_seed_of_the_right_shape():
    a = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"scalar.*\(2, 3\)"):
        (a * 2).backward()
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 3\)"):
        (a * 2).backward(np.ones(3))


def test_bad_data_and_exponent():
    with pytest.raises(TypeError, match="numeric"):
        Tensor("not a number")
    with pytest.raises(TypeError, match="exponent"):
        Tensor(np.ones(2)) ** Tensor(2.0)


def test_data_is_copied_as_float64_and_repr_is_readable():
    arr = np.array([1, 2, 3])
    t = Tensor(arr, name="w")
    arr[0] = 100
    assert t.data.dtype == np.float64 and t.data[0] == 1.0
    assert t.shape == (3,) and np.all(t.grad == 0) and t.grad.shape == (3,)
    assert "w" in repr(t) and "(3,)" in repr(t)
    assert "'+'" in repr(t + 1)


# ---------------------------------------------------------------------------------------------
# Drawing the graph.
# ---------------------------------------------------------------------------------------------

def _neuron_graph():
    w, x, b = Tensor(0.5, name="w"), Tensor(2.0, name="x", requires_grad=False), Tensor(-1.0, name="b")
    return ((w * x + b).tanh() - 1.0) ** 2


def test_graph_layout_puts_every_input_left_of_its_result_without_overlaps():
    for root in (_neuron_graph(), _diamond()[3]):
        pos = graph_layout(root)
        order = root.topological_order()
        assert set(pos) == {id(n) for n in order}
        for node in order:
            for p in node.parents:
                assert pos[id(p)][0] < pos[id(node)][0]
        assert len(set(pos.values())) == len(pos), "two nodes share a position"


def test_draw_graph_draws_a_box_per_node_and_an_arrow_per_edge():
    from matplotlib.figure import Figure
    root = _diamond()[3]
    ax = Figure().subplots()
    pos = draw_graph(ax, root, label=lambda n: n.name or n.op)
    order = root.topological_order()
    edges = sum(len(n.parents) for n in order)       # a*a, b+a, c*b: two inputs each; sum: one
    assert edges == 7 and len(pos) == len(order) == 5
    texts = [t.get_text() for t in ax.texts if t.get_text()]
    assert sorted(texts) == sorted(["a", "*", "+", "*", "sum"])
    arrows = [t for t in ax.texts if not t.get_text()]
    assert len(arrows) == edges


# ---------------------------------------------------------------------------------------------
# Agreement with helpers.losses (the probability series' loss functions).
# ---------------------------------------------------------------------------------------------

def test_engine_agrees_with_helpers_losses():
    from helpers import losses
    rng = np.random.default_rng([SEED, 14])
    z = rng.normal(scale=30.0, size=(6, 5))
    labels = rng.integers(0, 5, size=6)
    np.testing.assert_allclose(Tensor(z).log_softmax().data, losses.log_softmax(z), rtol=1e-13,
                               atol=1e-12)
    np.testing.assert_allclose(Tensor(z).softmax().data, losses.softmax(z), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(Tensor(z).sigmoid().data, losses.sigmoid(z), rtol=1e-13, atol=1e-300)
    t = Tensor(z)
    ce = -(t.log_softmax() * losses.one_hot(labels, 5)).sum(axis=1).mean()
    ce.backward()
    assert float(ce.data) == pytest.approx(losses.cross_entropy(z, labels), rel=1e-13)
    np.testing.assert_allclose(t.grad, losses.cross_entropy_grad(z, labels), rtol=1e-12, atol=1e-15)
    y_hat, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    t = Tensor(y_hat)
    m = ((t - y) ** 2).mean()
    m.backward()
    assert float(m.data) == pytest.approx(losses.mse(y_hat, y), rel=1e-13)
    np.testing.assert_allclose(t.grad, losses.mse_grad(y_hat, y), rtol=1e-13)
