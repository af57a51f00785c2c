"""Optimisers over lists of ``Parameter`` — the update rules of ``torch.optim``, written out.

Each optimiser reads ``p.grad`` and updates ``p.value`` in place in ``step()``. Notation: g the gradient, θ the
parameter, η the learning rate, t the step count (from 1).
Taught in: Part I (SGD, momentum, Adam), Part II (RMSProp with Nesterov momentum).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from nmbook.layers import Parameter


class Optimizer:
    """Base class: holds the parameters, validates the learning rate, and clears gradients."""

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("params must contain at least one Parameter")
        bad = [type(p).__name__ for p in self.params if not isinstance(p, Parameter)]
        if bad:
            raise TypeError(f"params must be Parameter objects, got {bad[0]}")
        if not (isinstance(lr, int | float) and np.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a positive number, got {lr!r}")
        self.lr = float(lr)
        self.t = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        self.t += 1
        for i, p in enumerate(self.params):
            self._update(i, p)

    def _update(self, i: int, p: Parameter) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def _check_unit(name: str, v: float, allow_zero: bool = True) -> float:
    if not (0.0 <= v < 1.0) or (not allow_zero and v == 0.0):
        raise ValueError(f"{name} must lie in [0, 1), got {v!r}")
    return float(v)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum (``torch.optim.SGD``).

    ``b ← μ b + g`` (``b = g`` at the first step); plain momentum ``θ ← θ − η b``;
    Nesterov ``θ ← θ − η (g + μ b)`` (Sutskever et al. 2013, in the form that needs no look-ahead evaluation).
    """

    def __init__(
        self, params: Iterable[Parameter], lr: float, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _check_unit("momentum", momentum)
        if nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs momentum > 0")
        self.nesterov = bool(nesterov)
        self.buf = [None] * len(self.params)

    def _update(self, i: int, p: Parameter) -> None:
        g = p.grad
        if self.momentum:
            b = self.buf[i] = g.copy() if self.buf[i] is None else self.momentum * self.buf[i] + g
            g = g + self.momentum * b if self.nesterov else b
        p.value -= self.lr * g


class RMSProp(Optimizer):
    """RMSProp (Tieleman & Hinton 2012) as ``torch.optim.RMSprop``, plus a Nesterov variant.

    ``v ← α v + (1 − α) g²`` (v starts at 0); the scaled gradient is ``ĝ = g / (√v + ε)``. Without momentum
    ``θ ← θ − η ĝ``; with momentum ``b ← μ b + ĝ`` (b starts at 0) and ``θ ← θ − η b``; with ``nesterov=True``
    ``θ ← θ − η (ĝ + μ b)`` — the look-ahead form of Nesterov momentum applied to the RMS-scaled gradient
    (Part II; PyTorch has no such flag).
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.alpha = _check_unit("alpha", alpha)
        self.momentum = _check_unit("momentum", momentum)
        if not eps > 0:
            raise ValueError(f"eps must be positive, got {eps!r}")
        if nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs momentum > 0")
        self.eps, self.nesterov = float(eps), bool(nesterov)
        self.v = [np.zeros_like(p.value) for p in self.params]
        self.buf = [np.zeros_like(p.value) for p in self.params]

    def _update(self, i: int, p: Parameter) -> None:
        g = p.grad
        self.v[i] = self.alpha * self.v[i] + (1.0 - self.alpha) * g * g
        g_hat = g / (np.sqrt(self.v[i]) + self.eps)
        if self.momentum:
            self.buf[i] = self.momentum * self.buf[i] + g_hat
            g_hat = g_hat + self.momentum * self.buf[i] if self.nesterov else self.buf[i]
        p.value -= self.lr * g_hat


class Adam(Optimizer):
    """Adam with bias correction (Kingma & Ba 2015), as ``torch.optim.Adam``.

    ``m ← β1 m + (1 − β1) g``, ``v ← β2 v + (1 − β2) g²``, ``m̂ = m / (1 − β1^t)``, ``v̂ = v / (1 − β2^t)``,
    ``θ ← θ − η m̂ / (√v̂ + ε)``.
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        self.beta1 = _check_unit("betas[0]", betas[0])
        self.beta2 = _check_unit("betas[1]", betas[1])
        if not eps > 0:
            raise ValueError(f"eps must be positive, got {eps!r}")
        self.eps = float(eps)
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]

    def _update(self, i: int, p: Parameter) -> None:
        g = p.grad
        self.m[i] = self.beta1 * self.m[i] + (1.0 - self.beta1) * g
        self.v[i] = self.beta2 * self.v[i] + (1.0 - self.beta2) * g * g
        m_hat = self.m[i] / (1.0 - self.beta1**self.t)
        v_hat = self.v[i] / (1.0 - self.beta2**self.t)
        p.value -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def clip_grad_norm(params: Iterable[Parameter], max_norm: float) -> float:
    """Scale all gradients together so that their joint Euclidean norm is at most ``max_norm``.

    As ``torch.nn.utils.clip_grad_norm_``: the factor is ``min(1, max_norm / (norm + 1e-6))``.
    Returns the total norm *before* clipping.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm!r}")
    params = list(params)
    total = float(np.sqrt(sum(float(np.sum(p.grad * p.grad)) for p in params)))
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for p in params:
            p.grad *= coef
    return total
