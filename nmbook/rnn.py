"""Recurrent cells and their unfolding over time, with backpropagation through time
(BPTT).

A cell maps one time step: ``step(x_t, state) -> (state_t, cache)``. Its state is a
tuple of ``(B, H)`` arrays whose first entry is the output ``h_t`` (``(h,)`` for
:class:`RNNCell`, ``(h, c)`` for :class:`LSTMCell`). ``step_backward(dstate_t, cache) ->
(dx_t, dstate_prev)`` takes the gradient of the loss w.r.t. every entry of ``state_t`` —
from the layers above *and* from step t+1, summed by the caller — returns the gradients
w.r.t. the input and the previous state, and accumulates into the cell's
``Parameter.grad``. :class:`RNN` runs a cell over a whole ``(T, B, n_in)`` sequence;
controllers that put a memory inside the loop call ``step`` themselves.

Taught in: Part II (binary addition); reused by the stack-RNN controller and its
baselines in Part III.
"""

from __future__ import annotations

import numpy as np

from nmbook.functional import linear_backward, sigmoid
from nmbook.layers import Module, Parameter
from nmbook.rng import as_rng

State = tuple[np.ndarray, ...]


def _uniform(
    rng: np.random.Generator, bound: float, shape: tuple[int, ...]
) -> np.ndarray:
    return rng.uniform(-bound, bound, size=shape)


def _check_sizes(n_in: int, n_hidden: int) -> None:
    for name, v in (("n_in", n_in), ("n_hidden", n_hidden)):
        if not isinstance(v, int | np.integer) or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")


class RNNCell(Module):
    """Elman cell ``h_t = tanh(x_t W_x + h_{t-1} W_h + b)``.

    Shapes: ``x_t: (B, n_in)``, ``h: (B, H)``, ``W_x: (n_in, H)``, ``W_h: (H, H)``,
    ``b: (H,)``.
    Initialisation as PyTorch's ``nn.RNNCell``: every weight ~ U(-1/sqrt(H), 1/sqrt(H)).
    """

    def __init__(
        self, n_in: int, n_hidden: int, rng: np.random.Generator | int
    ) -> None:
        _check_sizes(n_in, n_hidden)
        rng = as_rng(rng)
        k = 1.0 / np.sqrt(n_hidden)
        self.n_in, self.n_hidden = int(n_in), int(n_hidden)
        self.W_x = Parameter(_uniform(rng, k, (n_in, n_hidden)), "W_x")
        self.W_h = Parameter(_uniform(rng, k, (n_hidden, n_hidden)), "W_h")
        self.b = Parameter(_uniform(rng, k, (n_hidden,)), "b")

    def initial_state(self, batch: int) -> State:
        """The zero state ``(h0,)`` with ``h0: (batch, H)``."""
        return (np.zeros((batch, self.n_hidden)),)

    def step(self, x: np.ndarray, state: State) -> tuple[State, tuple]:
        """One step: returns ``((h_t,), cache)``."""
        (h_prev,) = state
        h = np.tanh(x @ self.W_x.value + h_prev @ self.W_h.value + self.b.value)
        return (h,), (x, h_prev, h)

    def step_backward(self, dstate: State, cache: tuple) -> tuple[np.ndarray, State]:
        """Given ``(dh_t,)`` returns ``(dx_t, (dh_{t-1},))``; accumulates dW_x, dW_h,
        db."""
        (dh,) = dstate
        x, h_prev, h = cache
        dz = dh * (1.0 - h * h)  # the gradient at the pre-activation
        dx, dW_x, db = linear_backward(dz, x, self.W_x.value)
        dh_prev, dW_h, _ = linear_backward(dz, h_prev, self.W_h.value)
        self.W_x.grad += dW_x
        self.W_h.grad += dW_h
        self.b.grad += db
        return dx, (dh_prev,)


class LSTMCell(Module):
    """LSTM cell (Hochreiter & Schmidhuber 1997) without peepholes.

    ``z = x_t W_x + h_{t-1} W_h + b`` split into gates ``i, f, g, o`` (each ``(B, H)``);
    ``c_t = σ(f) ⊙ c_{t-1} + σ(i) ⊙ tanh(g)``, ``h_t = σ(o) ⊙ tanh(c_t)``.

    Shapes: ``W_x: (n_in, 4H)``, ``W_h: (H, 4H)``, ``b: (4H,)`` with gate blocks in the
    order i, f, g, o.
    Weights ~ U(-1/sqrt(H), 1/sqrt(H)) as PyTorch; the forget-gate bias is then set to
    ``forget_bias``.
    """

    def __init__(
        self,
        n_in: int,
        n_hidden: int,
        rng: np.random.Generator | int,
        forget_bias: float = 1.0,
    ) -> None:
        _check_sizes(n_in, n_hidden)
        rng = as_rng(rng)
        k, H = 1.0 / np.sqrt(n_hidden), int(n_hidden)
        self.n_in, self.n_hidden = int(n_in), H
        self.W_x = Parameter(_uniform(rng, k, (n_in, 4 * H)), "W_x")
        self.W_h = Parameter(_uniform(rng, k, (H, 4 * H)), "W_h")
        b = _uniform(rng, k, (4 * H,))
        b[H : 2 * H] = forget_bias
        self.b = Parameter(b, "b")

    def initial_state(self, batch: int) -> State:
        """The zero state ``(h0, c0)``, each ``(batch, H)``."""
        return (np.zeros((batch, self.n_hidden)), np.zeros((batch, self.n_hidden)))

    def step(self, x: np.ndarray, state: State) -> tuple[State, tuple]:
        """One step: returns ``((h_t, c_t), cache)``."""
        h_prev, c_prev = state
        H = self.n_hidden
        z = x @ self.W_x.value + h_prev @ self.W_h.value + self.b.value
        i, f, o = sigmoid(z[:, :H]), sigmoid(z[:, H : 2 * H]), sigmoid(z[:, 3 * H :])
        g = np.tanh(z[:, 2 * H : 3 * H])
        c = f * c_prev + i * g
        tc = np.tanh(c)
        h = o * tc
        return (h, c), (x, h_prev, c_prev, i, f, g, o, tc)

    def step_backward(self, dstate: State, cache: tuple) -> tuple[np.ndarray, State]:
        """Given ``(dh_t, dc_t)`` returns ``(dx_t, (dh_{t-1}, dc_{t-1}))``;
        accumulates dW_x, dW_h, db."""
        dh, dc = dstate
        x, h_prev, c_prev, i, f, g, o, tc = cache
        do = dh * tc
        dc = dc + dh * o * (1.0 - tc * tc)
        di, df, dg = dc * g, dc * c_prev, dc * i
        dz = np.concatenate(
            [di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g), do * o * (1 - o)],
            axis=1,
        )
        dx, dW_x, db = linear_backward(dz, x, self.W_x.value)
        dh_prev, dW_h, _ = linear_backward(dz, h_prev, self.W_h.value)
        self.W_x.grad += dW_x
        self.W_h.grad += dW_h
        self.b.grad += db
        return dx, (dh_prev, dc * f)


class RNN(Module):
    """A cell unfolded over a whole sequence: ``h = RNN(cell).forward(x)``.

    ``forward(x: (T, B, n_in), state0=None) -> h: (T, B, H)`` (the cell's output at
    every step); ``backward(dh: (T, B, H)) -> dx: (T, B, n_in)`` runs BPTT, accumulates
    the cell's parameter gradients and leaves the gradient w.r.t. the initial state in
    ``self.dstate0``. The final state is ``self.state``.
    """

    def __init__(self, cell: RNNCell | LSTMCell) -> None:
        self.cell = cell

    def forward(self, x: np.ndarray, state0: State | None = None) -> np.ndarray:
        x = _check_sequence(x, self.cell.n_in)
        state = self.cell.initial_state(x.shape[1]) if state0 is None else tuple(state0)
        self._caches, hs = [], []
        for x_t in x:
            state, cache = self.cell.step(x_t, state)
            self._caches.append(cache)
            hs.append(state[0])
        self.state = state
        return np.stack(hs)

    def backward(self, dh: np.ndarray) -> np.ndarray:
        _check_backward_inputs(dh, len(self._caches), self.state[0].shape)
        dstate = tuple(np.zeros_like(s) for s in self.state)  # nothing after step T-1
        dx = []
        for t in range(len(self._caches) - 1, -1, -1):
            # h_t feeds the layer above (dh[t]) and step t+1 (dstate[0]): add both
            dstate = (dstate[0] + dh[t], *dstate[1:])
            dx_t, dstate = self.cell.step_backward(dstate, self._caches[t])
            dx.append(dx_t)
        self.dstate0 = dstate
        return np.stack(dx[::-1])


def _check_sequence(x, n_in: int) -> np.ndarray:
    """``x`` as a float64 ``(T, B, n_in)`` array with ``T, B > 0`` and finite entries,
    else ValueError."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[2] != n_in:
        raise ValueError(f"x must have shape (T, B, {n_in}), got {x.shape}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x must have T > 0 and B > 0, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite (no NaN or inf)")
    return x


def _check_backward_inputs(
    dh: np.ndarray, n_steps: int, state_shape: tuple[int, ...]
) -> None:
    """ValueError unless ``dh`` has shape ``(T, B, H)``: one gradient per step of the
    last forward pass."""
    if dh.shape != (n_steps, *state_shape):
        raise ValueError(
            f"dh must have shape {(n_steps, *state_shape)}, got {dh.shape}"
        )
