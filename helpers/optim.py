"""Gradient-based optimizers with one small interface, learning-rate schedules and divergence checks.

Every optimizer updates a *list* of parameter arrays in place from the matching list of gradients::

    opt = optim.Adam(lr=1e-3)
    for step in range(steps):
        loss, grads = loss_and_grads(params)        # params: list of float arrays
        optim.check_loss(loss, step, opt.lr, initial_loss)
        opt.step(params, grads)                     # params[i] -= ... (in place)

State (velocities, running averages) is kept per position in the list, so the list must hold the
same arrays, in the same order, at every step; :meth:`Optimizer.reset` clears it. ``opt.lr`` may be
changed between steps, which is how the schedules below are used::

    schedule = optim.cosine(0.1, total_steps=1000)
    opt.lr = schedule(step)

The update rules (g is the gradient, t counts steps from 1, all operations elementwise):

========  ===================================================================================
SGD       p <- p - lr g
Momentum  v <- beta v + g;  p <- p - lr v                                      (heavy ball)
Nesterov  v <- beta v + g;  p <- p - lr (g + beta v)                  (look-ahead form)
AdaGrad   G <- G + g^2;     p <- p - lr g / (sqrt(G) + eps)
RMSProp   s <- beta s + (1 - beta) g^2;   p <- p - lr g / (sqrt(s) + eps)
Adam      m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
          m_hat = m / (1 - b1^t);  v_hat = v / (1 - b2^t);  p <- p - lr m_hat / (sqrt(v_hat) + eps)
========  ===================================================================================
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, Sequence

import numpy as np

from .validation import as_array, require_positive_int

__all__ = ["DivergenceError", "Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp",
           "Adam", "check_loss", "constant", "step_decay", "exponential_decay", "cosine",
           "minimize"]


class DivergenceError(FloatingPointError):
    """The loss became NaN or infinite, or exploded: the step size is (probably) too large."""


def _positive_number(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {x!r}")
    return float(x)


def _fraction(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0 <= x < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {x!r}")
    return float(x)


class Optimizer:
    """Base class: validates ``step``'s input, keeps per-position state and the step count.

    Parameters
    ----------
    lr : float
        Learning rate (step size), a finite number > 0. It may be reassigned between steps.

    Attributes
    ----------
    lr : float
    t : int
        Number of steps taken since creation or the last :meth:`reset`.
    state : list of dict
        One dict of arrays per parameter position (empty until the first step).

    Subclasses implement ``_update(p, g, state)``, which changes ``p`` in place.
    """

    def __init__(self, lr: float):
        self.lr = lr
        self.reset()

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _positive_number(value, "lr")

    def reset(self) -> None:
        """Forget all state (velocities, running averages) and set the step count to 0."""
        self.t = 0
        self.state: list[dict[str, np.ndarray]] = []

    def _hyper(self) -> str:
        return f"lr={self.lr:g}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._hyper()})"

    def step(self, params: Sequence[np.ndarray], grads: Sequence) -> None:
        """Update every array in ``params`` in place, using the gradient at the same position.

        Parameters
        ----------
        params : list of ndarray
            Parameter arrays of any shapes, floating dtype (float64 or float32), writeable.
        grads : list of array_like
            ``grads[i]`` has the shape of ``params[i]``.

        Raises
        ------
        TypeError
            If ``params`` or ``grads`` is not a list/tuple, or a parameter is not a float ndarray.
        ValueError
            If the lists differ in length, a gradient's shape differs from its parameter's (both
            shapes named), or the parameters differ from those of earlier steps (call ``reset``).
        """
        for name, seq in (("params", params), ("grads", grads)):
            if not isinstance(seq, (list, tuple)):
                raise TypeError(f"{name} must be a list of arrays (one per parameter), got "
                                f"{type(seq).__name__}; wrap a single array as [array]")
        if len(params) != len(grads):
            raise ValueError(f"params has {len(params)} arrays but grads has {len(grads)}; "
                             "they must match one to one")
        if self.state and len(self.state) != len(params):
            raise ValueError(f"this optimizer has state for {len(self.state)} parameters but got "
                             f"{len(params)}; call reset() before optimizing other parameters")
        checked = []
        for i, (p, g) in enumerate(zip(params, grads)):
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                what = (f"an array of dtype {p.dtype}" if isinstance(p, np.ndarray)
                        else type(p).__name__)
                raise TypeError(f"params[{i}] must be a float numpy array (updated in place), "
                                f"got {what}")
            g = as_array(g, f"grads[{i}]", dtype=p.dtype)
            if g.shape != p.shape:
                raise ValueError(f"params[{i}] has shape {p.shape} but grads[{i}] has shape "
                                 f"{g.shape}; they must be equal")
            if self.state:
                for key, s in self.state[i].items():
                    if s.shape != p.shape:
                        raise ValueError(f"params[{i}] has shape {p.shape} but the optimizer's "
                                         f"state '{key}' for it has shape {s.shape}; call "
                                         "reset() before optimizing other parameters")
            checked.append(g)
        if not self.state:
            self.state = [{} for _ in params]
        self.t += 1
        for p, g, s in zip(params, checked, self.state):
            self._update(p, g, s)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not say how to update a parameter: "
                                  "Optimizer is a base class; use SGD, Momentum, Adam ... or "
                                  "subclass it and write _update(p, g, state) (see SGD)")

    @staticmethod
    def _buffer(state: dict, key: str, p: np.ndarray) -> np.ndarray:
        """The state array ``key`` for parameter ``p``, created as zeros on the first step only."""
        if key not in state:
            state[key] = np.zeros_like(p)
        return state[key]


class SGD(Optimizer):
    """Plain (stochastic) gradient descent: ``p <- p - lr g``."""

    def _update(self, p, g, state):
        p -= self.lr * g


class Momentum(Optimizer):
    """Heavy-ball momentum: ``v <- beta v + g``, ``p <- p - lr v`` (v starts at 0).

    Parameters
    ----------
    lr : float
        Learning rate > 0.
    beta : float
        Momentum coefficient in [0, 1); ``beta = 0`` is plain gradient descent.
    """

    def __init__(self, lr: float, beta: float = 0.9):
        self.beta = _fraction(beta, "beta")
        super().__init__(lr)

    def _hyper(self):
        return f"lr={self.lr:g}, beta={self.beta:g}"

    def _update(self, p, g, state):
        v = self._buffer(state, "v", p)
        v *= self.beta
        v += g
        p -= self.lr * v


class Nesterov(Momentum):
    """Nesterov momentum in look-ahead form: ``v <- beta v + g``, ``p <- p - lr (g + beta v)``.

    For any differentiable function its iterates satisfy Nesterov's recurrence
    ``x_{t+1} = (1 + beta)(x_t - lr g(x_t)) - beta (x_{t-1} - lr g(x_{t-1}))``.
    Parameters as for :class:`Momentum`.
    """

    def _update(self, p, g, state):
        v = self._buffer(state, "v", p)
        v *= self.beta
        v += g
        p -= self.lr * (g + self.beta * v)


class AdaGrad(Optimizer):
    """AdaGrad: ``G <- G + g^2``, ``p <- p - lr g / (sqrt(G) + eps)`` (per coordinate).

    Parameters
    ----------
    lr : float
        Learning rate > 0.
    eps : float
        Small number > 0 that avoids a division by zero.
    """

    def __init__(self, lr: float, eps: float = 1e-8):
        self.eps = _positive_number(eps, "eps")
        super().__init__(lr)

    def _hyper(self):
        return f"lr={self.lr:g}, eps={self.eps:g}"

    def _update(self, p, g, state):
        G = self._buffer(state, "G", p)
        G += g * g
        p -= self.lr * g / (np.sqrt(G) + self.eps)


class RMSProp(Optimizer):
    """RMSProp: ``s <- beta s + (1 - beta) g^2``, ``p <- p - lr g / (sqrt(s) + eps)``.

    Parameters
    ----------
    lr : float
        Learning rate > 0.
    beta : float
        Decay of the running average of squared gradients, in [0, 1).
    eps : float
        Small number > 0 that avoids a division by zero.
    """

    def __init__(self, lr: float, beta: float = 0.9, eps: float = 1e-8):
        self.beta = _fraction(beta, "beta")
        self.eps = _positive_number(eps, "eps")
        super().__init__(lr)

    def _hyper(self):
        return f"lr={self.lr:g}, beta={self.beta:g}, eps={self.eps:g}"

    def _update(self, p, g, state):
        s = self._buffer(state, "s", p)
        s *= self.beta
        s += (1.0 - self.beta) * g * g
        p -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    """Adam with bias correction (Kingma and Ba, 2015).

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``, ``m_hat = m / (1 - b1^t)``,
    ``v_hat = v / (1 - b2^t)``, ``p <- p - lr m_hat / (sqrt(v_hat) + eps)``, with t the step count
    (1 at the first step).

    Parameters
    ----------
    lr : float
        Learning rate > 0 (default 1e-3).
    beta1, beta2 : float
        Decay rates of the first and second moment averages, in [0, 1).
    eps : float
        Small number > 0 that avoids a division by zero.
    """

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        self.beta1 = _fraction(beta1, "beta1")
        self.beta2 = _fraction(beta2, "beta2")
        self.eps = _positive_number(eps, "eps")
        super().__init__(lr)

    def _hyper(self):
        return f"lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, eps={self.eps:g}"

    def _update(self, p, g, state):
        m = self._buffer(state, "m", p)
        v = self._buffer(state, "v", p)
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * g * g
        m_hat = m / (1.0 - self.beta1 ** self.t)
        v_hat = v / (1.0 - self.beta2 ** self.t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def check_loss(loss, step: int, lr: float, initial_loss=None, factor: float = 1e6) -> float:
    """Raise :class:`DivergenceError` if a training loss is NaN, infinite or has exploded.

    Parameters
    ----------
    loss : float
        The current loss (a number or a size-1 array).
    step : int
        The step number at which it was computed (named in the message).
    lr : float
        The learning rate in use (named in the message).
    initial_loss : float, optional
        The loss at the start; if given, ``loss > factor * max(|initial_loss|, 1)`` counts as
        divergence.
    factor : float
        How many times larger than the start the loss may grow (default 1e6).

    Returns
    -------
    float
        ``loss`` as a Python float, when it is fine.
    """
    value = as_array(loss, "loss")
    if value.size != 1:
        raise ValueError(f"loss must be a single number, got shape {value.shape}")
    value = float(value.reshape(()))
    factor = _positive_number(factor, "factor")
    hint = ("the step size is too large for this problem; try a smaller learning rate "
            "(on a quadratic, gradient descent needs lr < 2 / L, L the largest curvature)")
    if not math.isfinite(value):
        raise DivergenceError(f"the loss became {value} at step {step} with learning rate "
                              f"lr={lr:g}: {hint}")
    if initial_loss is not None:
        start = float(as_array(initial_loss, "initial_loss").reshape(()))
        limit = factor * max(abs(start), 1.0)
        if value > limit:
            raise DivergenceError(f"the loss exploded to {value:.4g} at step {step} with learning "
                                  f"rate lr={lr:g} (more than {factor:g} times the initial loss "
                                  f"{start:.4g}): {hint}")
    return value


def _require_step(t) -> int:
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 0:
        raise ValueError(f"the step t must be an integer >= 0, got {t!r}")
    return int(t)


def constant(lr: float) -> Callable[[int], float]:
    """Schedule ``t -> lr`` for every step ``t >= 0``."""
    lr = _positive_number(lr, "lr")

    def schedule(t: int) -> float:
        _require_step(t)
        return lr
    return schedule


def step_decay(lr0: float, drop: float, every: int) -> Callable[[int], float]:
    """Schedule ``t -> lr0 * drop ** (t // every)``: multiply by ``drop`` (in (0, 1]) every
    ``every`` steps."""
    lr0 = _positive_number(lr0, "lr0")
    drop = _positive_number(drop, "drop")
    if drop > 1:
        raise ValueError(f"drop must be in (0, 1], got {drop!r}")
    every = require_positive_int(every, "every")

    def schedule(t: int) -> float:
        return lr0 * drop ** (_require_step(t) // every)
    return schedule


def exponential_decay(lr0: float, rate: float) -> Callable[[int], float]:
    """Schedule ``t -> lr0 * rate ** t`` with ``rate`` in (0, 1]."""
    lr0 = _positive_number(lr0, "lr0")
    rate = _positive_number(rate, "rate")
    if rate > 1:
        raise ValueError(f"rate must be in (0, 1], got {rate!r}")

    def schedule(t: int) -> float:
        return lr0 * rate ** _require_step(t)
    return schedule


def cosine(lr0: float, total_steps: int, lr_min: float = 0.0) -> Callable[[int], float]:
    """Cosine schedule from ``lr0`` at ``t = 0`` down to ``lr_min`` at ``t = total_steps``:
    ``lr_min + (lr0 - lr_min) (1 + cos(pi t / total_steps)) / 2``, and ``lr_min`` after that."""
    lr0 = _positive_number(lr0, "lr0")
    total = require_positive_int(total_steps, "total_steps")
    if isinstance(lr_min, bool) or not isinstance(lr_min, numbers.Real) or not 0 <= lr_min <= lr0:
        raise ValueError(f"lr_min must be a number in [0, lr0] = [0, {lr0:g}], got {lr_min!r}")
    lr_min = float(lr_min)

    def schedule(t: int) -> float:
        frac = min(_require_step(t), total) / total
        return lr_min + 0.5 * (lr0 - lr_min) * (1.0 + math.cos(math.pi * frac))
    return schedule


def minimize(f_and_grad: Callable, x0, optimizer: Optimizer, steps: int, *, tol: float | None = None,
             schedule: Callable[[int], float] | None = None) -> dict:
    """Minimize a function of a vector with an optimizer, recording the path.

    Parameters
    ----------
    f_and_grad : callable
        ``f_and_grad(x) -> (loss, grad)`` for ``x`` of shape (dim,); ``grad`` has shape (dim,).
    x0 : array_like, shape (dim,)
        Starting point (not modified).
    optimizer : Optimizer
        Reset first, then stepped ``steps`` times.
    steps : int
        Number of steps (> 0).
    tol : float, optional
        Stop early once the gradient norm is at most ``tol``.
    schedule : callable, optional
        ``t -> lr``; sets ``optimizer.lr`` before step ``t`` (t = 0, 1, ...).

    Returns
    -------
    dict
        ``'x'`` final iterate (dim,); ``'path'`` iterates (k+1, dim) with ``path[0] = x0``;
        ``'losses'`` (k+1,); ``'grad_norms'`` (k+1,); ``'steps'`` k, the number of steps taken
        (``steps`` unless ``tol`` stopped the run); ``'converged'`` whether ``tol`` was reached.

    Raises
    ------
    DivergenceError
        Through :func:`check_loss` when the loss becomes NaN/inf or exceeds 1e6 times the start.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a helpers.optim.Optimizer, got {type(optimizer).__name__}")
    steps = require_positive_int(steps, "steps")
    if tol is not None:
        tol = _positive_number(tol, "tol")
    x = as_array(x0, "x0", ndim=1).copy()

    def evaluate(x):
        loss, grad = f_and_grad(x)
        grad = as_array(grad, "grad", dtype=float)
        if grad.shape != x.shape:
            raise ValueError(f"x has shape {x.shape} but the gradient returned by f_and_grad "
                             f"has shape {grad.shape}; they must be equal")
        return loss, grad

    optimizer.reset()
    loss, grad = evaluate(x)
    initial = check_loss(loss, 0, optimizer.lr)
    path, losses, norms = [x.copy()], [initial], [float(np.linalg.norm(grad))]
    converged = tol is not None and norms[0] <= tol
    t = 0
    while t < steps and not converged:
        if schedule is not None:
            optimizer.lr = schedule(t)
        optimizer.step([x], [grad])
        t += 1
        loss, grad = evaluate(x)
        losses.append(check_loss(loss, t, optimizer.lr, initial))
        path.append(x.copy())
        norms.append(float(np.linalg.norm(grad)))
        converged = tol is not None and norms[-1] <= tol
    return {"x": x, "path": np.array(path), "losses": np.array(losses),
            "grad_norms": np.array(norms), "steps": t, "converged": bool(converged)}
