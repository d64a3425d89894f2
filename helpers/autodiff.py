"""A small reverse-mode automatic differentiation engine on numpy arrays.

A :class:`Tensor` holds an array ``data`` and, after :meth:`Tensor.backward`, the gradient
``grad`` of a scalar output with respect to it. Every operation on tensors returns a new tensor
that remembers its inputs (``parents``), the operation's name (``op``) and a function that
applies the chain rule backwards: given the gradient of the output with respect to the result,
it adds the gradient with respect to each input. :meth:`Tensor.backward` visits the graph in
reverse topological order, so each node passes its gradient on only after it has received all of
it. This is the idea of micrograd's ``engine.py``, applied to whole arrays instead of numbers.

Example::

    W = Tensor(rng.normal(size=(3, 2)))
    x = Tensor(rng.normal(size=(5, 3)), requires_grad=False)   # data: no gradient needed
    loss = (x @ W).tanh().sum()
    loss.backward()
    W.grad                                                      # d loss / d W, shape (3, 2)

Conventions
-----------
* Data are float64 arrays of any shape; numbers and arrays mixed with tensors become constants.
* Binary operations broadcast like numpy. Broadcasting copies an input along some axes, so its
  gradient is the *sum* over those axes (:func:`unbroadcast`).
* ``backward()`` overwrites (does not accumulate) the ``grad`` of every tensor in the graph.
"""

from __future__ import annotations

import numbers

import numpy as np

from .validation import as_array

__all__ = ["Tensor", "unbroadcast", "graph_layout", "draw_graph"]


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, to get back ``shape``.

    If ``a`` of shape ``shape`` was broadcast to ``grad.shape`` in a forward operation, each entry
    of ``a`` was used once per copy, so its gradient is the sum of the gradients of its copies.

    Parameters
    ----------
    grad : ndarray, shape broadcast from ``shape``
    shape : tuple of int

    Returns
    -------
    ndarray of shape ``shape``
    """
    grad = np.asarray(grad, dtype=float)
    try:
        compatible = np.broadcast_shapes(tuple(shape), grad.shape) == grad.shape
    except ValueError:
        compatible = False
    if not compatible:
        raise ValueError(f"a gradient of shape {grad.shape} cannot come from broadcasting "
                         f"shape {tuple(shape)}")
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))          # axes added in front
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)      # axes of length 1 that were copied
    return grad


def _expand(grad: np.ndarray, shape: tuple[int, ...], axis, keepdims: bool) -> np.ndarray:
    """Spread the gradient of a reduction (sum over ``axis``) back over the input ``shape``."""
    if axis is not None and not keepdims:
        axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
        grad = np.expand_dims(grad, tuple(a % len(shape) for a in axes))
    return np.broadcast_to(grad, shape)


class Tensor:
    """An array that records the operations applied to it, for reverse-mode differentiation.

    Parameters
    ----------
    data : array_like of float, any shape
        Copied into a float64 array.
    requires_grad : bool
        Whether gradients flow into this tensor. Leave ``True`` for parameters; use ``False``
        for data and constants (numbers mixed with tensors become such constants).
    name : str, optional
        A label, used only for printing and drawing the graph.

    Attributes
    ----------
    data : ndarray of float64
    grad : ndarray of float64, same shape as ``data``
        Zeros until :meth:`backward` fills it.
    requires_grad : bool
    parents : tuple of Tensor
        The inputs of the operation that made this tensor (empty for a leaf).
    op : str
        The name of that operation ("" for a leaf).
    """

    __array_ufunc__ = None   # make ``ndarray + Tensor`` call Tensor.__radd__ (and so on)

    def __init__(self, data, requires_grad: bool = True, *, name: str | None = None,
                 parents: tuple = (), op: str = ""):
        self.data = np.array(as_array(data, "data"), dtype=float)
        self.grad = np.zeros_like(self.data)
        self.requires_grad = bool(requires_grad)
        self.name = name
        self.parents = tuple(parents)
        self.op = op
        self._backward = lambda: None

    # ------------------------------------------------------------------ basics
    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``data``."""
        return self.data.shape

    def __repr__(self) -> str:
        label = f"name={self.name!r}, " if self.name else ""
        made = f", op={self.op!r}" if self.op else ""
        return f"Tensor({label}shape={self.shape}{made})"

    @staticmethod
    def _lift(other) -> "Tensor":
        return other if isinstance(other, Tensor) else Tensor(other, requires_grad=False)

    def _result(self, data, parents: tuple, op: str, backward) -> "Tensor":
        """A new tensor made by ``op`` from ``parents``; ``backward(g)`` returns their gradients."""
        out = Tensor(data, requires_grad=any(p.requires_grad for p in parents),
                     parents=parents, op=op)

        def _backward():
            for parent, g in zip(parents, backward(out.grad)):
                if parent.requires_grad:
                    parent.grad = parent.grad + g
        out._backward = _backward
        return out

    # ------------------------------------------------------------------ arithmetic
    def _broadcast(self, other, op: str):
        other = self._lift(other)
        try:
            np.broadcast_shapes(self.shape, other.shape)
        except ValueError:
            raise ValueError(f"cannot {op} tensors of shapes {self.shape} and {other.shape}: "
                             "they do not broadcast") from None
        return other

    def __add__(self, other) -> "Tensor":
        other = self._broadcast(other, "add")
        return self._result(self.data + other.data, (self, other), "+",
                            lambda g: (unbroadcast(g, self.shape), unbroadcast(g, other.shape)))

    def __sub__(self, other) -> "Tensor":
        other = self._broadcast(other, "subtract")
        return self._result(self.data - other.data, (self, other), "-",
                            lambda g: (unbroadcast(g, self.shape), unbroadcast(-g, other.shape)))

    def __mul__(self, other) -> "Tensor":
        other = self._broadcast(other, "multiply")
        return self._result(self.data * other.data, (self, other), "*",
                            lambda g: (unbroadcast(g * other.data, self.shape),
                                       unbroadcast(g * self.data, other.shape)))

    def __truediv__(self, other) -> "Tensor":
        other = self._broadcast(other, "divide")
        return self._result(self.data / other.data, (self, other), "/",
                            lambda g: (unbroadcast(g / other.data, self.shape),
                                       unbroadcast(-g * self.data / other.data ** 2, other.shape)))

    def __radd__(self, other) -> "Tensor":
        return self._lift(other) + self

    def __rsub__(self, other) -> "Tensor":
        return self._lift(other) - self

    def __rmul__(self, other) -> "Tensor":
        return self._lift(other) * self

    def __rtruediv__(self, other) -> "Tensor":
        return self._lift(other) / self

    def __neg__(self) -> "Tensor":
        return self._result(-self.data, (self,), "neg", lambda g: (-g,))

    def __pow__(self, p) -> "Tensor":
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise TypeError(f"the exponent must be a plain number, got {type(p).__name__}")
        p = float(p)
        return self._result(self.data ** p, (self,), f"**{p:g}",
                            lambda g: (g * p * self.data ** (p - 1),))

    def __matmul__(self, other) -> "Tensor":
        other = self._lift(other)
        a, b = self.data, other.data
        if not (a.ndim in (1, 2) and b.ndim in (1, 2)) or a.shape[-1] != b.shape[0]:
            raise ValueError(f"cannot multiply shapes {a.shape} @ {b.shape}: both must be 1-D or "
                             "2-D, and the last axis of the first must match the first of the second")
        a2 = a if a.ndim == 2 else a[None, :]      # a vector on the left acts as one row
        b2 = b if b.ndim == 2 else b[:, None]      # a vector on the right acts as one column

        def backward(g):
            g2 = np.reshape(g, (a2.shape[0], b2.shape[1]))
            return (g2 @ b2.T).reshape(a.shape), (a2.T @ g2).reshape(b.shape)
        return self._result(a @ b, (self, other), "@", backward)

    def __rmatmul__(self, other) -> "Tensor":
        return self._lift(other) @ self

    # ------------------------------------------------------------------ reductions and shapes
    def sum(self, axis=None, keepdims: bool = False) -> "Tensor":
        """Sum over ``axis`` (int, tuple of int, or None for all), like ``np.sum``."""
        return self._result(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum",
                            lambda g: (_expand(g, self.shape, axis, keepdims),))

    def mean(self, axis=None, keepdims: bool = False) -> "Tensor":
        """Mean over ``axis`` (int, tuple of int, or None for all), like ``np.mean``."""
        out = self.data.mean(axis=axis, keepdims=keepdims)
        count = self.data.size / max(out.size, 1)
        return self._result(out, (self,), "mean",
                            lambda g: (_expand(g, self.shape, axis, keepdims) / count,))

    def reshape(self, *shape) -> "Tensor":
        """The same entries in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = tuple(shape[0])
        try:
            out = self.data.reshape(shape)
        except ValueError:
            raise ValueError(f"cannot reshape a tensor of shape {self.shape} "
                             f"({self.data.size} entries) into shape {shape}") from None
        return self._result(out, (self,), "reshape", lambda g: (np.reshape(g, self.shape),))

    @property
    def T(self) -> "Tensor":
        """The transpose (axes reversed, like ``ndarray.T``)."""
        return self._result(self.data.T, (self,), "T", lambda g: (np.transpose(g),))

    # ------------------------------------------------------------------ elementwise functions
    # Each elementwise function returns a tensor of the same shape; its backward multiplies the
    # incoming gradient by the derivative, elementwise (a diagonal Jacobian).
    def exp(self) -> "Tensor":
        """e**x, elementwise."""
        out = np.exp(self.data)
        return self._result(out, (self,), "exp", lambda g: (g * out,))

    def log(self) -> "Tensor":
        """Natural logarithm of positive entries, elementwise."""
        return self._result(np.log(self.data), (self,), "log", lambda g: (g / self.data,))

    def tanh(self) -> "Tensor":
        """Hyperbolic tangent, elementwise."""
        out = np.tanh(self.data)
        return self._result(out, (self,), "tanh", lambda g: (g * (1.0 - out ** 2),))

    def relu(self) -> "Tensor":
        """max(0, x); its derivative is taken as 0 at x = 0."""
        return self._result(np.maximum(self.data, 0.0), (self,), "relu",
                            lambda g: (g * (self.data > 0),))

    def sigmoid(self) -> "Tensor":
        """1 / (1 + exp(-x)), computed without overflow for any x."""
        e = np.exp(-np.abs(self.data))                       # in (0, 1]: never overflows
        out = np.where(self.data >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return self._result(out, (self,), "sigmoid", lambda g: (g * out * (1.0 - out),))

    def softmax(self, axis: int = -1) -> "Tensor":
        """exp(x) / sum(exp(x)) along ``axis`` (same shape), computed after subtracting the maximum."""
        e = np.exp(self.data - self.data.max(axis=axis, keepdims=True))
        out = e / e.sum(axis=axis, keepdims=True)
        return self._result(out, (self,), "softmax",
                            lambda g: (out * (g - (g * out).sum(axis=axis, keepdims=True)),))

    def log_softmax(self, axis: int = -1) -> "Tensor":
        """x - logsumexp(x) along ``axis`` (same shape): stable for logits of any size."""
        shifted = self.data - self.data.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        return self._result(out, (self,), "log_softmax",
                            lambda g: (g - np.exp(out) * g.sum(axis=axis, keepdims=True),))

    # ------------------------------------------------------------------ backward pass
    def topological_order(self) -> list["Tensor"]:
        """Every tensor this one depends on (itself included), each once, inputs before results."""
        return _graph_nodes(self)

    def backward(self, grad=None) -> None:
        """Fill ``grad`` of every tensor in the graph with the gradient of this tensor.

        Parameters
        ----------
        grad : array_like, same shape as ``data``, optional
            The gradient to start from. Omit it for a scalar (size-1) tensor: it is then 1, and
            each ``t.grad`` becomes d(this)/d(t). Passing a vector ``v`` gives ``v^T J``.
        """
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward() without an argument needs a scalar tensor, but this "
                                 f"one has shape {self.shape}: sum or average it first")
            grad = np.ones_like(self.data)
        grad = as_array(grad, "grad")
        if grad.shape != self.shape:
            raise ValueError(f"grad has shape {grad.shape} but the tensor has shape {self.shape}; "
                             "they must be equal")
        order = self.topological_order()
        for node in order:
            node.grad = np.zeros_like(node.data)
        self.grad = grad.copy()
        for node in reversed(order):                   # results before their inputs
            node._backward()


# ---------------------------------------------------------------------------------------------
# Drawing the graph
# ---------------------------------------------------------------------------------------------

def _default_label(node) -> str:
    """A node's name or operation and its shape; an unnamed constant number shows its value."""
    shape = getattr(node, "shape", None)
    if not (node.name or node.op) and np.size(getattr(node, "data", None)) == 1:
        return f"{float(np.ravel(node.data)[0]):g}"
    top = node.name or node.op or "input"
    return top if shape is None else f"{top}\n{shape}"


def _graph_nodes(root) -> list:
    """Every node ``root`` depends on, each once, inputs before results (a topological order).

    Depth-first search without recursion (so graphs of any depth work): a node is appended only
    after all of its parents. Works for any objects with a ``parents`` tuple.
    """
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in seen)
    return order


def graph_layout(root) -> dict:
    """Positions for drawing the graph that produced ``root``: ``{id(node): (x, y)}``.

    An operation's column ``x`` is its depth (the longest path from an input), so every arrow
    points right; an input sits one column before its first use. Within a column, nodes are
    ordered by the mean height of their neighbours, to limit crossings. Works for any node with
    a ``parents`` tuple (a :class:`Tensor`, or a scalar teaching version of it).
    """
    order = _graph_nodes(root)
    users: dict[int, list] = {id(n): [] for n in order}
    for node in order:
        for p in node.parents:
            users[id(p)].append(node)
    column = {}
    for node in order:                         # operations: the longest path from an input
        column[id(node)] = 1 + max((column[id(p)] for p in node.parents), default=-1)
    for node in order:                         # inputs: one column before their first use
        if not node.parents and users[id(node)]:
            column[id(node)] = min(column[id(u)] for u in users[id(node)]) - 1
    columns: dict[int, list] = {}
    for node in order:
        columns.setdefault(column[id(node)], []).append(node)
    pos = {}

    def place():
        for x, nodes in columns.items():
            for k, node in enumerate(nodes):
                pos[id(node)] = (float(x), (len(nodes) - 1) / 2.0 - k)

    place()
    for _ in range(2):                         # a few sweeps of the barycentre heuristic
        for x in sorted(columns):
            columns[x].sort(key=lambda n: -np.mean([pos[id(m)][1] for m in
                                                    (n.parents or users[id(n)] or [n])]))
        place()
    return pos


def draw_graph(ax, root, *, label=None, color=None, fontsize: float = 9.0) -> dict:
    """Draw the computational graph that produced ``root``: a box per node, an arrow per input.

    Parameters
    ----------
    ax : matplotlib Axes
    root : Tensor (or any node with ``parents``, ``op`` and ``name`` attributes)
    label : callable, optional
        ``label(node) -> str``: the text in a node's box (default: its name or operation, and
        its shape).
    color : callable, optional
        ``color(node) -> colour`` of the box (default: light blue for inputs, light grey else).
    fontsize : float

    Returns
    -------
    dict ``{id(node): (x, y)}``: the positions used (see :func:`graph_layout`).
    """
    label = label or _default_label
    color = color or (lambda n: "#d6eaf8" if not n.parents else "#eeeeee")
    pos = graph_layout(root)
    boxes = {}
    for node in _graph_nodes(root):
        x, y = pos[id(node)]
        boxes[id(node)] = ax.text(x, y, label(node), ha="center", va="center", fontsize=fontsize,
                                  zorder=3, bbox=dict(boxstyle="round,pad=0.3", fc=color(node),
                                                      ec="#555555", lw=0.8))
    for node in _graph_nodes(root):
        for k, parent in enumerate(node.parents):
            span = pos[id(node)][0] - pos[id(parent)][0]
            if node.parents.count(parent) > 1:          # x * x: two arcs
                rad = 0.3 if k == 0 else -0.3
            else:                                       # long edges bend around the boxes between
                rad = 0.0 if span <= 1 else -0.25
            ax.annotate("", xy=(0.0, 0.5), xycoords=boxes[id(node)], xytext=(1.0, 0.5),
                        textcoords=boxes[id(parent)], zorder=2,
                        arrowprops=dict(arrowstyle="-|>", color="#555555", lw=1.0, shrinkA=4,
                                        shrinkB=5, connectionstyle=f"arc3,rad={rad}"))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.set_axis_off()
    return pos
