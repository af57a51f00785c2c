"""Optimisers over lists of ``Parameter`` — the update rules of ``torch.optim``, written
out.

Each optimiser reads ``p.grad`` and updates ``p.value`` in place in ``step()``.
Notation: g the gradient, θ the parameter, η the learning rate, t the step count (from
1). Taught in: Part I (SGD, momentum, Adam), Part II (RMSProp with Nesterov momentum).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from nmbook.layers import Parameter


class Optimizer:
    """Base class: holds the parameters, validates the learning rate, and clears
    gradients."""

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
    """Stochastic gradient descent, optionally with (Nesterov) momentum
    (``torch.optim.SGD``).

    ``b ← μ b + g`` (``b = g`` at the first step); plain momentum ``θ ← θ − η b``;
    Nesterov ``θ ← θ − η (g + μ b)`` (Sutskever et al. 2013, in the form that needs no
    look-ahead evaluation).
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
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
            b = self.buf[i] = (
                g.copy() if self.buf[i] is None else self.momentum * self.buf[i] + g
            )
            g = g + self.momentum * b if self.nesterov else b
        p.value -= self.lr * g


class RMSProp(Optimizer):
    """RMSProp (Tieleman & Hinton 2012) as ``torch.optim.RMSprop``, plus a Nesterov
    variant.

    ``v ← α v + (1 − α) g²`` (v starts at 0); the scaled gradient is ``ĝ = g / (√v +
    ε)``. Without momentum ``θ ← θ − η ĝ``; with momentum ``b ← μ b + ĝ`` (b starts at
    0) and ``θ ← θ − η b``; with ``nesterov=True`` ``θ ← θ − η (ĝ + μ b)`` — the
    look-ahead form of Nesterov momentum applied to the RMS-scaled gradient (Part II;
    PyTorch has no such flag).
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
            g_hat = (
                g_hat + self.momentum * self.buf[i] if self.nesterov else self.buf[i]
            )
        p.value -= self.lr * g_hat


class Adam(Optimizer):
    """Adam with bias correction (Kingma & Ba 2015), as ``torch.optim.Adam``.

    ``m ← β1 m + (1 − β1) g``, ``v ← β2 v + (1 − β2) g²``, ``m̂ = m / (1 − β1^t)``, ``v̂
    = v / (1 − β2^t)``, ``θ ← θ − η m̂ / (√v̂ + ε)``.
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
    """Scale all gradients together so that their joint Euclidean norm is at most
    ``max_norm``.

    As ``torch.nn.utils.clip_grad_norm_``: the factor is ``min(1, max_norm / (norm +
    1e-6))``. Returns the total norm *before* clipping.
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


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller & Braun 1993) without weight-backtracking,
    as ``torch.optim.Rprop``.

    Only the *sign* of each gradient component is used; its step size ``Δ`` (one per
    parameter entry, starting at ``lr``) adapts to the sign history. With ``g`` the
    gradient and ``g'`` the one remembered from the previous step (0 at the first step),
    elementwise:

    * ``g g' > 0`` (same sign): ``Δ ← min(η⁺ Δ, Δ_max)``;
    * ``g g' < 0`` (a minimum was jumped over): ``Δ ← max(η⁻ Δ, Δ_min)`` and ``g ← 0``,
      so this entry does not move now and the next step treats it as fresh;
    * ``g g' = 0``: ``Δ`` unchanged;

    then ``θ ← θ − sign(g) Δ`` and ``g' ← g``. Designed for full-batch gradients (Part
    II, exercise: what minibatch noise does to the sign history).

    Args:
        params: the parameters to update.
        lr: the initial step size ``Δ₀`` of every entry, > 0.
        etas: ``(η⁻, η⁺)`` with ``0 < η⁻ < 1 < η⁺``.
        step_sizes: ``(Δ_min, Δ_max)`` with ``0 ≤ Δ_min ≤ Δ_max``.
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 0.01,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50.0),
    ) -> None:
        super().__init__(params, lr)
        if not (isinstance(etas, tuple | list) and len(etas) == 2):
            raise TypeError(f"etas must be a pair (eta_minus, eta_plus), got {etas!r}")
        eta_minus, eta_plus = (float(e) for e in etas)
        if not 0.0 < eta_minus < 1.0 < eta_plus:
            raise ValueError(
                f"etas must satisfy 0 < eta_minus < 1 < eta_plus, got {etas!r}"
            )
        if not (isinstance(step_sizes, tuple | list) and len(step_sizes) == 2):
            raise TypeError(f"step_sizes must be a pair (min, max), got {step_sizes!r}")
        step_min, step_max = (float(s) for s in step_sizes)
        if not 0.0 <= step_min <= step_max:
            raise ValueError(
                f"step_sizes must satisfy 0 <= min <= max, got {step_sizes!r}"
            )
        self.eta_minus, self.eta_plus = eta_minus, eta_plus
        self.step_min, self.step_max = step_min, step_max
        self.step_size = [np.full_like(p.value, self.lr) for p in self.params]
        self.prev = [np.zeros_like(p.value) for p in self.params]

    def _update(self, i: int, p: Parameter) -> None:
        g = p.grad.copy()
        s = g * self.prev[i]
        delta = self.step_size[i]
        delta[s > 0] = np.minimum(delta[s > 0] * self.eta_plus, self.step_max)
        delta[s < 0] = np.maximum(delta[s < 0] * self.eta_minus, self.step_min)
        g[s < 0] = 0.0
        p.value -= np.sign(g) * delta
        self.prev[i] = g


class RMSPropEpsOutside(Optimizer):
    """The source post's RMSProp with Nesterov momentum, ε *outside* the division (Part
    II, a note on a bug).

    The post computes the step ``s = η g / √v + ε`` instead of ``η g / (√v + ε)``:
    nothing guards ``v = 0`` (a gradient entry that is exactly 0 from the first step
    gives ``0/0 = NaN``), and every entry moves by an extra ``−ε`` per step. Otherwise
    it is :class:`RMSProp` with ``nesterov=True``: ``v ← α v + (1 − α) g²``, ``V ← μ V −
    s``, and, in the look-ahead form whose stored value is the point where the next
    gradient is taken (the post's ``θ + μV``), ``θ ← θ − s + μ V``. With ``μ = 0`` it is
    plain RMSProp with ε outside.

    Args:
        params: the parameters to update.
        lr: η > 0; alpha: the post's λ in [0, 1); eps: ε ≥ 0 (added to every step);
            momentum: μ in [0, 1).
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float,
        alpha: float = 0.5,
        eps: float = 1e-6,
        momentum: float = 0.8,
    ) -> None:
        super().__init__(params, lr)
        self.alpha = _check_unit("alpha", alpha)
        self.momentum = _check_unit("momentum", momentum)
        if not (isinstance(eps, int | float) and np.isfinite(eps) and eps >= 0):
            raise ValueError(f"eps must be a number >= 0, got {eps!r}")
        self.eps = float(eps)
        self.v = [np.zeros_like(p.value) for p in self.params]
        self.velocity = [np.zeros_like(p.value) for p in self.params]

    def _update(self, i: int, p: Parameter) -> None:
        g = p.grad
        self.v[i] = self.alpha * self.v[i] + (1.0 - self.alpha) * g * g
        s = self.lr * g / np.sqrt(self.v[i]) + self.eps
        self.velocity[i] = self.momentum * self.velocity[i] - s
        p.value += self.momentum * self.velocity[i] - s


def eps_outside_drift(n_steps: int, eps: float, momentum: float) -> float:
    """The total extra move of every entry after ``n_steps`` steps of
    :class:`RMSPropEpsOutside` (a number ≤ 0).

    The constant ``ε`` in each step feeds the velocity, ``V_k = −ε (1 − μ^k) / (1 −
    μ)``, and the stored look-ahead point moves by ``−ε + μ V_k`` at step k, so the
    drift sums to ``−ε / (1 − μ) · (n − μ² (1 − μⁿ) / (1 − μ))``: ``−ε/(1 − μ)`` per
    step once the velocity has settled.
    """
    if not (isinstance(n_steps, int | np.integer) and n_steps >= 0):
        raise ValueError(f"n_steps must be an integer >= 0, got {n_steps!r}")
    if not eps >= 0:
        raise ValueError(f"eps must be >= 0, got {eps!r}")
    mu = _check_unit("momentum", momentum)
    return -eps / (1.0 - mu) * (n_steps - mu * mu * (1.0 - mu**n_steps) / (1.0 - mu))
