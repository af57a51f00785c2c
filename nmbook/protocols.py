"""The interfaces the package's pieces meet at, as ``typing.Protocol`` classes: what a
memory exposes to a controller (:class:`Memory`) and what a sequence model exposes to
:func:`nmbook.seqtrain.train_transducer` (:class:`Transducer`). Two more live beside
the code that reads them: :class:`nmbook.data.Dataset` (what a ``DataLoader`` reads)
and :class:`nmbook.gradcheck.HasGrad` (what a gradient check perturbs).

A protocol is structural: a class satisfies it by having the members, without
inheriting from it. ``Memory`` and ``Transducer`` are ``runtime_checkable``, so
``isinstance`` checks that the members exist (not their signatures).

Taught in: Part III (memories and controllers); Part I (datasets, gradient checks).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

#: A memory's state ``(V: (B, n, m), s: (B, n))``: the stored values and strengths.
MemoryState = tuple[np.ndarray, np.ndarray]


@runtime_checkable
class Memory(Protocol):
    """A differentiable memory driven one step at a time:
    ``STACK``, ``QUEUE`` (:mod:`nmbook.memory.continuous`) and
    ``DEQUE`` (:mod:`nmbook.memory.deque`).

    With ``k = n_values`` ends written per step, value width ``m`` and batch ``B``:
    ``v`` is ``(B, m)`` for ``k = 1`` and ``(B, k, m)`` otherwise, the gates ``u, d``
    are ``(B,)`` or ``(B, k)``, and the read ``r`` is ``(B, n_reads · m)``.
    """

    #: values (and push/pop pairs) taken per step
    n_values: int
    #: reads of width ``m`` returned per step
    n_reads: int

    def initial_state(self, batch: int, width: int) -> MemoryState:
        """The empty memory: ``V: (batch, 0, width)``, ``s: (batch, 0)``."""
        ...

    def step(
        self, state: MemoryState, v: np.ndarray, u: np.ndarray, d: np.ndarray
    ) -> tuple[MemoryState, np.ndarray, Any]:
        """Pop ``u``, push ``v`` with strength ``d``, read: ``(state_t, r_t,
        cache)``."""
        ...

    def step_backward(
        self, dr: np.ndarray, dstate: MemoryState, cache: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, MemoryState]:
        """Backward of :meth:`step`: ``(dv, du, dd, dstate_prev)`` from the gradient
        on the read and on the state after the step."""
        ...

    def strength_slice(self, t: int, T: int) -> slice:
        """Where the rows after step ``t`` sit in a record of every step's strengths
        (``T`` steps)."""
        ...


@runtime_checkable
class Transducer(Protocol):
    """A sequence model trained by :func:`nmbook.seqtrain.train_transducer`:
    :class:`nmbook.controller.MemoryController`.

    ``forward`` maps ``x: (T, B, n_in)`` to logits ``(T, B, K)`` (and keeps what
    ``backward`` needs); ``backward`` takes ``dlogits: (T, B, K)`` and optional extra
    gradients on the push and pop gates (``dd``, ``du``) and accumulates every
    ``Parameter.grad``. A configuration with a saturation penalty also needs
    ``saturation_penalty()``, one with an autoencoder loss ``autoencoder_loss(x, lag)``
    and ``backward(..., daux=...)``, one with a push-bias floor ``push_bias_floor``.
    """

    def forward(
        self,
        x: np.ndarray,
        noise_std: float = 0.0,
        rng: np.random.Generator | None = None,
        zero_reads: bool = False,
    ) -> np.ndarray: ...

    def backward(
        self,
        dlogits: np.ndarray,
        dd: np.ndarray | None = None,
        du: np.ndarray | None = None,
    ) -> None: ...

    def parameters(self) -> list: ...

    def zero_grad(self) -> None: ...
