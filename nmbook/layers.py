"""Parameters and layers with explicit forward and backward passes.

Convention (every layer in nmbook): ``forward(x)`` returns the output and keeps what the backward pass
needs; ``backward(dy)`` returns ``dx`` and *accumulates* into each ``Parameter.grad``.

Taught in: Part I (minibatching and model building), reused by Parts II–IV.
"""

from __future__ import annotations

import numpy as np


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
    """Base class: a module owns ``Parameter`` attributes and (optionally) child modules.

    ``parameters()`` walks the attributes in definition order, so it needs no registration code.
    """

    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def parameters(self) -> list[Parameter]:
        """Every ``Parameter`` of this module and its children, each once, in attribute order."""
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
