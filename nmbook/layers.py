"""Parameters and layers with explicit forward and backward passes.

Convention (every layer in nmbook): ``forward(x)`` returns the output and keeps what the
backward pass needs; ``backward(dy)`` returns ``dx`` and *accumulates* into each
``Parameter.grad``.

Taught in: Part I (minibatching and model building), reused by Parts II–IV.
"""

from __future__ import annotations

import numpy as np

from nmbook.functional import linear_backward, linear_forward, sigmoid
from nmbook.rng import as_rng  # re-exported: nmbook.layers.as_rng


class Parameter:
    """A trainable array and its accumulated gradient (both float64, same shape).

    Attributes:
        value: the parameter's values; optimisers update it in place.
        grad: d(loss)/d(value), accumulated by ``backward`` calls until ``zero_grad``.
        name: a label used in gradient-check reports and error messages.
    """

    def __init__(self, value: np.ndarray, name: str = "") -> None:
        value = np.array(value, dtype=np.float64)  # always a fresh, contiguous copy
        if not np.all(np.isfinite(value)):
            raise ValueError(f"Parameter {name!r}: value must be finite")
        self.value = value
        self.grad = np.zeros_like(value)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def zero_grad(self) -> None:
        self.grad[...] = 0.0

    def __repr__(self) -> str:
        return f"Parameter(name={self.name!r}, shape={self.value.shape})"


class Module:
    """Base class: a module owns ``Parameter`` attributes and (optionally) child
    modules.

    ``parameters()`` walks the attributes in definition order, so it needs no
    registration code.
    """

    #: training mode (``True``, the default) or evaluation mode; see :meth:`train`.
    training: bool = True

    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def parameters(self) -> list[Parameter]:
        """Every ``Parameter`` of this module and its children, each once, in
        attribute order."""
        out: list[Parameter] = []
        seen: set[int] = set()

        def visit(obj) -> None:
            if isinstance(obj, Parameter):
                if id(obj) not in seen:
                    seen.add(id(obj))
                    out.append(obj)
            elif isinstance(obj, Module):
                for v in vars(obj).values():
                    visit(v)
            elif isinstance(obj, list | tuple):
                for v in obj:
                    visit(v)

        for v in vars(self).values():
            visit(v)
        return out

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def modules(self) -> list[Module]:
        """This module and every module below it, each once, in attribute order.

        Children are found like parameters: through attributes, and inside lists and
        tuples, so no registration is needed.
        """
        out: list[Module] = []
        seen: set[int] = set()

        def visit(obj) -> None:
            if isinstance(obj, Module):
                if id(obj) in seen:
                    return
                seen.add(id(obj))
                out.append(obj)
                for v in vars(obj).values():
                    visit(v)
            elif isinstance(obj, list | tuple):
                for v in obj:
                    visit(v)

        visit(self)
        return out

    def train(self, mode: bool = True) -> Module:
        """Set training mode (``True``) or evaluation mode (``False``) on this module
        and every module below it, as ``torch.nn.Module.train``; returns self.

        Only layers whose forward pass differs between the modes read the flag
        (:class:`BatchNorm`); for every other module it changes nothing.
        """
        if not isinstance(mode, bool | np.bool_):
            raise TypeError(f"mode must be a bool, got {type(mode).__name__}")
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode for this module and every module below it:
        ``train(False)``."""
        return self.train(False)


def _check_input(x: np.ndarray, n: int, name: str = "x") -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(x).__name__}")
    if x.ndim < 1 or x.shape[-1] != n:
        raise ValueError(f"{name} must have shape (..., {n}), got {x.shape}")
    if x.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return x.astype(np.float64, copy=False)


class Linear(Module):
    """Affine map ``y = x W + b`` over the last axis: ``x: (..., n_in) -> y: (...,
    n_out)``.

    Any leading dimensions are allowed, e.g. ``(B, n_in)`` or time-first ``(T, B,
    n_in)`` (Part II). ``W: (n_in, n_out)``, ``b: (n_out,)``. Initialisation as
    PyTorch's ``nn.Linear`` (Kaiming-uniform with a=√5): every weight and bias ~
    U(-1/√n_in, 1/√n_in).
    """

    def __init__(
        self, n_in: int, n_out: int, rng: np.random.Generator | int, bias: bool = True
    ) -> None:
        for name, v in (("n_in", n_in), ("n_out", n_out)):
            if not isinstance(v, int | np.integer) or v <= 0:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        rng = as_rng(rng)
        k = 1.0 / np.sqrt(n_in)
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.W = Parameter(rng.uniform(-k, k, size=(n_in, n_out)), "W")
        self.b = Parameter(rng.uniform(-k, k, size=(n_out,)), "b") if bias else None

    def forward(self, x: np.ndarray) -> np.ndarray:
        b = None if self.b is None else self.b.value
        y, self._cache = linear_forward(_check_input(x, self.n_in), self.W.value, b)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """``dy: (..., n_out) -> dx: (..., n_in)``; accumulates ``W.grad`` and
        ``b.grad``."""
        dx, dW, db = linear_backward(dy, self._cache, self.W.value)
        self.W.grad += dW
        if self.b is not None:
            self.b.grad += db
        return dx


class _Elementwise(Module):
    """An activation ``y = f(x)`` applied elementwise; subclasses give ``f`` and
    ``f'`` from (x, y)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not isinstance(x, np.ndarray):
            raise TypeError(f"x must be a numpy array, got {type(x).__name__}")
        self._x = x
        self._y = self.f(x)
        return self._y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * self.df(self._x, self._y)

    def f(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    # pragma: no cover - abstract
    def df(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError


# Kinks: every piecewise-linear activation takes the derivative of its LEFT piece at a
# kink (relu'(0) = 0, relu6'(6) = 1 ... written as strict inequalities below). The same
# rule is used in nmbook.memory.


class Identity(_Elementwise):
    """``y = x``."""

    def f(self, x):
        return x

    def df(self, x, y):
        return np.ones_like(x)


class ReLU(_Elementwise):
    """``y = max(x, 0)``; subgradient 0 at x = 0."""

    def f(self, x):
        return np.maximum(x, 0.0)

    def df(self, x, y):
        return (x > 0).astype(np.float64)


class ReLU6(_Elementwise):
    """``y = min(max(x, 0), 6)``; subgradient 0 at x = 0 and 1 at x = 6."""

    def f(self, x):
        return np.clip(x, 0.0, 6.0)

    def df(self, x, y):
        return ((x > 0) & (x <= 6)).astype(np.float64)


class LeakyReLU(_Elementwise):
    """``y = x`` for x > 0, ``slope · x`` otherwise (PyTorch's default slope 0.01)."""

    def __init__(self, slope: float = 0.01) -> None:
        self.slope = float(slope)

    def f(self, x):
        return np.where(x > 0, x, self.slope * x)

    def df(self, x, y):
        return np.where(x > 0, 1.0, self.slope)


class ELU(_Elementwise):
    """``y = x`` for x > 0, ``alpha (exp(x) - 1)`` otherwise."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = float(alpha)

    def f(self, x):
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0.0)))

    def df(self, x, y):
        return np.where(x > 0, 1.0, y + self.alpha)


class SELU(_Elementwise):
    """``y = scale · ELU_alpha(x)`` with the self-normalising constants of Klambauer
    et al. (2017)."""

    alpha = 1.6732632423543772
    scale = 1.0507009873554805

    def f(self, x):
        return self.scale * np.where(
            x > 0, x, self.alpha * np.expm1(np.minimum(x, 0.0))
        )

    def df(self, x, y):
        return np.where(x > 0, self.scale, y + self.scale * self.alpha)


class Sigmoid(_Elementwise):
    """``y = σ(x)`` (stable); ``y' = y (1 - y)``."""

    def f(self, x):
        return sigmoid(x)

    def df(self, x, y):
        return y * (1.0 - y)


class Tanh(_Elementwise):
    """``y = tanh(x)``; ``y' = 1 - y²``."""

    def f(self, x):
        return np.tanh(x)

    def df(self, x, y):
        return 1.0 - y * y


class Sequential(Module):
    """Layers applied in order; ``backward`` runs them in reverse. ``parameters()``
    lists every layer's."""

    def __init__(self, *layers: Module) -> None:
        if not layers:
            raise ValueError("Sequential needs at least one layer")
        self.layers = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dy: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)


class BatchNorm(Module):
    """Batch normalisation over the batch axis (Ioffe & Szegedy 2015), as
    ``torch.nn.BatchNorm1d``.

    ``x: (B, n) -> y: (B, n)``. In training mode (the default) each feature is
    normalised with the mean and the biased variance of the *current batch*, ``x̂ = (x −
    μ_B) / √(σ²_B + ε)``, and ``y = γ x̂ + β`` with ``γ, β: (n,)`` (initialised to 1 and
    0). The running estimates used in evaluation mode are updated as ``r ← (1 − m) r + m
    s`` with the batch mean and the *unbiased* batch variance (PyTorch's convention). In
    evaluation mode (``train(False)``) ``y = γ (x − r_μ) / √(r_σ² + ε) + β``, a fixed
    affine map. ``train(False)`` on a model that contains the layer (a
    ``Sequential``, a ``Module`` subclass) switches it too (:meth:`Module.train`).

    ``backward(dy: (B, n)) -> dx: (B, n)``; in training mode
    ``dx = γ / (B √(σ²_B + ε)) · (B dy − Σ_b dy − x̂ Σ_b (dy ⊙ x̂))``, because μ_B and
    σ²_B depend on every sample of the batch. Accumulates ``gamma.grad`` and
    ``beta.grad``.

    Args:
        n: number of features, ≥ 1.
        eps: added to the variance, > 0.
        momentum: weight ``m`` of the newest batch in the running estimates, in (0, 1].
    """

    def __init__(self, n: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n <= 0:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        if not (isinstance(eps, int | float) and eps > 0):
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        if not (isinstance(momentum, int | float) and 0.0 < momentum <= 1.0):
            raise ValueError(f"momentum must lie in (0, 1], got {momentum!r}")
        self.n, self.eps, self.momentum = int(n), float(eps), float(momentum)
        self.gamma = Parameter(np.ones(self.n), "gamma")
        self.beta = Parameter(np.zeros(self.n), "beta")
        self.running_mean = np.zeros(self.n)
        self.running_var = np.ones(self.n)
        self.training = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = _check_input(x, self.n)
        if x.ndim != 2:
            raise ValueError(f"x must have shape (B, {self.n}), got {x.shape}")
        if self.training:
            if x.shape[0] < 2:
                raise ValueError(
                    f"x must hold at least 2 samples in training mode, got shape "
                    f"{x.shape}"
                )
            mean, var = x.mean(axis=0), x.var(axis=0)
            m, B = self.momentum, x.shape[0]
            self.running_mean = (1.0 - m) * self.running_mean + m * mean
            self.running_var = (1.0 - m) * self.running_var + m * var * B / (B - 1)
        else:
            mean, var = self.running_mean, self.running_var
        self._inv_std = 1.0 / np.sqrt(var + self.eps)
        self._xhat = (x - mean) * self._inv_std
        self._batch_stats = self.training
        return self.gamma.value * self._xhat + self.beta.value

    def backward(self, dy: np.ndarray) -> np.ndarray:
        xhat = self._xhat
        self.gamma.grad += np.sum(dy * xhat, axis=0)
        self.beta.grad += np.sum(dy, axis=0)
        dxhat = dy * self.gamma.value
        if not self._batch_stats:
            return dxhat * self._inv_std
        B = dy.shape[0]
        return (self._inv_std / B) * (
            B * dxhat - dxhat.sum(axis=0) - xhat * np.sum(dxhat * xhat, axis=0)
        )
