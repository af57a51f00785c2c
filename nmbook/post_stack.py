"""The source post's stack controller (Trask 2016, parts 5 and 6), rebuilt in nmbook's
layer style.

The post puts a layer ``o'_t`` between the recurrent state and everything the
controller emits, and its output sees the stack's read only through the next step's
state. One step t (0-based) of :class:`PostStackController`::

    h_t  = tanh(x_t W_xh + h_{t-1} W_hh + r_{t-1} W_rh + b_h)   the recurrent state
    o'_t = tanh(h_t W_p + b_p)                                  the post's o' layer
    z_t  = o'_t W_g + b_g        pre-activations of the heads [push, pop, values]
    d_t  = σ(z_t[push]),  u_t = σ(z_t[pop]),  v_t = tanh(z_t[values])
    (V_t, s_t), r_t = STACK.step((V_{t-1}, s_{t-1}), v_t, u_t, d_t)   (eqs. 1–3)
    y_t  = f(o'_t W_o + b_o)       f = tanh (part 5) or σ (part 6)

With ``reconstruct=True`` (part 6, "Hint: Autoencoder") two more heads, without biases,
guess the *previous* input from ``h_t`` and from ``o'_t``::

    x̂_t = σ(h_t W_xr),   x̂'_t = σ(o'_t W_pr),   targets x_{t-1} (t ≥ 1)

Every loss is a squared error, ``½ Σ w (y − target)²`` (:func:`squared_error`). The
initial weights are uniform in [−0.1, 0.1], except the push bias ``b_g[push]`` and the
pop bias ``b_g[pop]``, drawn from ``push_bias`` and ``pop_bias`` (part 5: [0.1, 0.3]
and [−0.1, 0.1]; part 6: [1, 1.2] and [−1, −0.8]). Part 5 starts ``h_{-1}`` and
``r_{-1}`` with a 1 in their first unit (``initial_one_hot=True``), part 6 from zeros.

Part 5 also grows the push bias after every update, ``b_d ← b_d + b_d · 0.00025 ·
batch`` — :func:`grow_push_bias`, called after the optimiser's step, so a run with and
without it differ by one line.

Shapes: ``x: (T, B, n_in)``, outputs ``(T, B, n_out)``, gates ``d, u: (T, B)``, values
and reads ``(T, B, m)``, strengths ``(T, B, T)`` (row i written at step i, zero-padded),
reconstructions ``(T, B, n_in)``. Taught in: Part III, "Replaying the post"
(:mod:`nmbook.post_replay` trains it as the post did).
"""

from __future__ import annotations

import numpy as np

from nmbook.functional import sigmoid
from nmbook.layers import Module, Parameter, as_rng
from nmbook.memory.continuous import STACK
from nmbook.rnn import RNNCell

_OUTPUTS = ("tanh", "sigmoid")


def _check_size(name: str, v: object) -> int:
    if isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0:
        raise ValueError(f"{name} must be a positive integer, got {v!r}")
    return int(v)


def _check_range(name: str, r: object) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in r)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a pair (low, high) of numbers, got {r!r}"
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo <= hi):
        raise ValueError(f"{name} must be finite with low <= high, got {r!r}")
    return lo, hi


def _check_sequence(name: str, a: object, shape: tuple[int | None, ...]) -> np.ndarray:
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(a).__name__}")
    if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise TypeError(f"{name} must be a real-valued array, got dtype {a.dtype}")
    ok = a.ndim == len(shape) and all(
        s is None or n == s for n, s in zip(a.shape, shape, strict=True)
    )
    if not ok or a.size == 0:
        want = tuple("?" if s is None else s for s in shape)
        raise ValueError(
            f"{name} must be a non-empty array of shape {want}, got {a.shape}"
        )
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a.astype(np.float64)


class PostStackController(Module):
    """The post's controller: an Elman RNN, an ``o'`` layer, a continuous stack and
    squared-error outputs (module docstring).

    Args:
        n_in: input width (symbols and phase flags); n_out: output width.
        n_hidden: recurrent units H (post: 16 in part 5, 8 in part 6).
        n_prime: width P of the ``o'`` layer (post: 16, 8).
        width: stack value width m (post: 2).
        rng: seed or generator for the initial weights.
        output: ``"tanh"`` (part 5) or ``"sigmoid"`` (part 6).
        reconstruct: add part 6's two previous-input heads ``W_xr: (H, n_in)`` and
            ``W_pr: (P, n_in)``.
        push_bias, pop_bias: ``(low, high)``, the ranges of the uniform draws of
            ``b_d`` and ``b_u``.
        initial_one_hot: start ``h_{-1}`` and ``r_{-1}`` with a 1 in their first unit
            (part 5) instead of zeros (part 6).
        init_scale: every other weight and bias is drawn from U[−init_scale,
            init_scale].

    Parameters: ``cell.W_x: (n_in + m, H)`` (``W_xh`` stacked on ``W_rh``),
    ``cell.W_h``, ``cell.b``, ``W_p: (H, P)``, ``b_p``, ``W_g: (P, 2 + m)``, ``b_g``
    (columns [push, pop, values]), ``W_o: (P, n_out)``, ``b_o``, and with
    ``reconstruct`` ``W_xr``, ``W_pr``. Plain :class:`nmbook.optim.SGD` steps them
    all.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        n_hidden: int,
        n_prime: int,
        width: int,
        rng: np.random.Generator | int,
        output: str = "tanh",
        reconstruct: bool = False,
        push_bias: tuple[float, float] = (0.1, 0.3),
        pop_bias: tuple[float, float] = (-0.1, 0.1),
        initial_one_hot: bool = True,
        init_scale: float = 0.1,
    ) -> None:
        n_in, n_out = _check_size("n_in", n_in), _check_size("n_out", n_out)
        H, P = _check_size("n_hidden", n_hidden), _check_size("n_prime", n_prime)
        m = _check_size("width", width)
        rng = as_rng(rng)
        if output not in _OUTPUTS:
            raise ValueError(f"output must be one of {_OUTPUTS}, got {output!r}")
        push, pop = (
            _check_range("push_bias", push_bias),
            _check_range("pop_bias", pop_bias),
        )
        if not (isinstance(init_scale, int | float) and 0 < init_scale < np.inf):
            raise ValueError(
                f"init_scale must be a positive number, got {init_scale!r}"
            )
        self.n_in, self.n_out, self.n_hidden, self.n_prime, self.width = (
            n_in,
            n_out,
            H,
            P,
            m,
        )
        self.output, self.reconstruct = output, bool(reconstruct)
        self.initial_one_hot = bool(initial_one_hot)

        def draw(*shape: int) -> np.ndarray:
            return rng.uniform(-init_scale, init_scale, size=shape)

        self.cell = RNNCell(n_in + m, H, rng)  # its weights are redrawn below
        self.cell.W_x.value[...] = draw(n_in + m, H)
        self.cell.W_h.value[...] = draw(H, H)
        self.cell.b.value[...] = draw(H)
        self.W_p, self.b_p = Parameter(draw(H, P), "W_p"), Parameter(draw(P), "b_p")
        self.W_g = Parameter(draw(P, 2 + m), "W_g")
        b_g = draw(2 + m)
        b_g[0], b_g[1] = rng.uniform(*push), rng.uniform(*pop)
        self.b_g = Parameter(b_g, "b_g")
        self.W_o, self.b_o = (
            Parameter(draw(P, n_out), "W_o"),
            Parameter(draw(n_out), "b_o"),
        )
        if self.reconstruct:
            self.W_xr = Parameter(draw(H, n_in), "W_xr")
            self.W_pr = Parameter(draw(P, n_in), "W_pr")

    @property
    def push_bias(self) -> float:
        """The push bias ``b_d`` (``b_g[0]``)."""
        return float(self.b_g.value[0])

    def initial_state(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """``(h_{-1}: (B, H), r_{-1}: (B, m))``: zeros, or a 1 in the first unit of each
        (``initial_one_hot``)."""
        h, r = np.zeros((batch, self.n_hidden)), np.zeros((batch, self.width))
        if self.initial_one_hot:
            h[:, 0], r[:, 0] = 1.0, 1.0
        return h, r

    # ------------------------------------------------------------------ forward
    def forward(self, x: np.ndarray, zero_reads: bool = False) -> np.ndarray:
        """Run the controller over ``x: (T, B, n_in)``; returns the outputs ``y: (T, B,
        n_out)``.

        ``zero_reads=True`` replaces every read ``r_t`` fed to the next step by zeros
        (an ablation: does the output need the stack?); ``r_{-1}`` is kept.

        After the call ``self.d``, ``self.u``: ``(T, B)``, ``self.values``,
        ``self.reads``: ``(T, B, m)``, ``self.strengths``: ``(T, B, T)``,
        ``self.hidden``: ``(T, B, H)`` and ``self.prime``: ``(T, B, P)`` hold the run;
        with ``reconstruct``, ``self.recon_h`` and ``self.recon_p``: ``(T, B, n_in)``.
        """
        x = _check_sequence("x", x, (None, None, self.n_in))
        T, B, _ = x.shape
        self._zero_reads = bool(zero_reads)
        h, r = self.initial_state(B)
        mstate = STACK.initial_state(B, self.width)
        self.d, self.u = np.zeros((T, B)), np.zeros((T, B))
        self.values, self.reads = (
            np.zeros((T, B, self.width)),
            np.zeros((T, B, self.width)),
        )
        self.strengths = np.zeros((T, B, T))
        self.hidden, self.prime = (
            np.zeros((T, B, self.n_hidden)),
            np.zeros((T, B, self.n_prime)),
        )
        self._caches = []
        for t in range(T):
            h, r, mstate, cache = self.step(x[t], h, r, mstate, zero_reads)
            self._caches.append(cache)
            self.hidden[t], self.prime[t], self.reads[t] = h, cache[2], r
            self.d[t], self.u[t], self.values[t] = cache[3]
            self.strengths[t, :, : t + 1] = mstate[1]
        self._final_mstate = mstate
        act = np.tanh if self.output == "tanh" else sigmoid
        self.y = act(self.prime @ self.W_o.value + self.b_o.value)
        if self.reconstruct:
            self.recon_h = sigmoid(self.hidden @ self.W_xr.value)
            self.recon_p = sigmoid(self.prime @ self.W_pr.value)
        return self.y

    def step(
        self,
        x_t: np.ndarray,
        h_prev: np.ndarray,
        r_prev: np.ndarray,
        mstate: tuple[np.ndarray, np.ndarray],
        zero_reads: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, tuple, tuple]:
        """One step of the recurrence (module docstring), without the outputs.

        Args:
            x_t: ``(B, n_in)``; h_prev: ``(B, H)``; r_prev: ``(B, m)``; mstate: the
                stack's ``(V, s)``; zero_reads: feed zeros instead of ``r_t`` onwards.

        Returns:
            ``(h_t, r_t, mstate_t, cache)``; ``cache`` holds ``o'_t`` and ``(d_t, u_t,
            v_t)`` for the diagnostics and what :meth:`backward` needs.
        """
        (h,), ccache = self.cell.step(np.concatenate([x_t, r_prev], axis=1), (h_prev,))
        p = np.tanh(h @ self.W_p.value + self.b_p.value)  # o'_t
        z = p @ self.W_g.value + self.b_g.value
        gates = sigmoid(z[:, :2])
        d, u, v = gates[:, 0], gates[:, 1], np.tanh(z[:, 2:])
        mstate, r, mcache = STACK.step(mstate, v, u, d)
        if zero_reads:
            r = np.zeros_like(r)
        return h, r, mstate, (ccache, mcache, p, (d, u, v))

    # ----------------------------------------------------------------- backward
    def backward(
        self, dy: np.ndarray, drecon: tuple[np.ndarray, np.ndarray] | None = None
    ) -> np.ndarray:
        """BPTT through the outputs, heads, stack and cell of the last :meth:`forward`.

        Args:
            dy: ``(T, B, n_out)``, dL/dy (the outputs after their tanh or sigmoid).
            drecon: ``(dL/dx̂, dL/dx̂')``, each ``(T, B, n_in)``; only with
                ``reconstruct``.

        Returns:
            ``dx: (T, B, n_in)``; every ``Parameter.grad`` is accumulated.
        """
        T, B = self.d.shape
        dy = _check_sequence("dy", dy, (T, B, self.n_out))
        if drecon is not None:
            if not self.reconstruct:
                raise ValueError(
                    "drecon needs a controller built with reconstruct=True"
                )
            if not isinstance(drecon, tuple) or len(drecon) != 2:
                raise TypeError("drecon must be a pair (dL/dx̂, dL/dx̂')")
            drecon = tuple(
                _check_sequence(n, g, (T, B, self.n_in))
                for n, g in zip(("drecon[0]", "drecon[1]"), drecon, strict=True)
            )
        return self._backward(dy, drecon)

    def _backward(self, dy: np.ndarray, drecon: tuple | None) -> np.ndarray:
        T, B = self.d.shape
        H, P = self.hidden, self.prime
        fprime = 1.0 - self.y**2 if self.output == "tanh" else self.y * (1.0 - self.y)
        da = dy * fprime
        self.W_o.grad += np.einsum("tbp,tbo->po", P, da)
        self.b_o.grad += da.sum(axis=(0, 1))
        dP = da @ self.W_o.value.T
        dH = np.zeros_like(H)
        if drecon is not None:
            dzh = drecon[0] * self.recon_h * (1.0 - self.recon_h)
            dzp = drecon[1] * self.recon_p * (1.0 - self.recon_p)
            self.W_xr.grad += np.einsum("tbh,tbi->hi", H, dzh)
            self.W_pr.grad += np.einsum("tbp,tbi->pi", P, dzp)
            dH += dzh @ self.W_xr.value.T
            dP = dP + dzp @ self.W_pr.value.T
        V, s = self._final_mstate
        dmstate = (np.zeros_like(V), np.zeros_like(s))
        dx = np.empty((T, B, self.n_in))
        dr, dh_next = np.zeros((B, self.width)), np.zeros((B, self.n_hidden))
        for t in range(T - 1, -1, -1):
            ccache, mcache, p, (d, u, v) = self._caches[t]
            if self._zero_reads:
                dr = np.zeros_like(dr)
            dv, du, dd, dmstate = STACK.step_backward(dr, dmstate, mcache)
            dz = np.concatenate(
                [
                    (dd * d * (1 - d))[:, None],
                    (du * u * (1 - u))[:, None],
                    dv * (1 - v * v),
                ],
                axis=1,
            )
            self.W_g.grad += p.T @ dz
            self.b_g.grad += dz.sum(axis=0)
            dpa = (dP[t] + dz @ self.W_g.value.T) * (1.0 - p * p)
            self.W_p.grad += H[t].T @ dpa
            self.b_p.grad += dpa.sum(axis=0)
            dh = dpa @ self.W_p.value.T + dH[t] + dh_next
            dinp, (dh_next,) = self.cell.step_backward((dh,), ccache)
            dx[t], dr = dinp[:, : self.n_in], dinp[:, self.n_in :]
        return dx


def squared_error(
    pred: np.ndarray, target: np.ndarray, weight: np.ndarray
) -> tuple[float, np.ndarray]:
    """The post's loss, ``½ Σ_{t,b,k} w[t, b] (pred − target)²``, and its gradient
    ``w (pred − target)``.

    ``pred, target: (T, B, n)``; ``weight: (T, B)`` (0 on padding; the post's
    per-sequence rate ``1 / L`` goes here too).
    """
    pred = _check_sequence("pred", pred, (None, None, None))
    target = _check_sequence("target", target, pred.shape)
    weight = _check_sequence("weight", weight, pred.shape[:2])
    r = pred - target
    g = weight[:, :, None] * r
    return float(0.5 * np.sum(g * r)), g


def previous_inputs(x: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Part 6's reconstruction targets: ``x_{t-1}`` at step t, ``(T, B, n)``, and their
    weights ``(T, B)``: ``weight`` where ``t ≥ 1``, 0 at ``t = 0``."""
    x = _check_sequence("x", x, (None, None, None))
    weight = _check_sequence("weight", weight, x.shape[:2])
    prev, w = np.zeros_like(x), np.zeros_like(weight)
    prev[1:], w[1:] = x[:-1], weight[1:]
    return prev, w


def post_loss(
    model: PostStackController,
    x: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray,
    backward: bool = True,
) -> float:
    """Forward ``x``, the post's summed squared errors (outputs, and with
    ``reconstruct`` both previous-input heads, weighted like the outputs), and — if
    ``backward`` — BPTT into the parameters' ``grad``.

    ``x: (T, B, n_in)``, ``target: (T, B, n_out)``, ``weight: (T, B)``. Returns the
    loss.
    """
    if not isinstance(model, PostStackController):
        raise TypeError(
            f"model must be a PostStackController, got {type(model).__name__}"
        )
    y = model.forward(x)
    loss, dy = squared_error(y, target, weight)
    drecon = None
    if model.reconstruct:
        prev, w = previous_inputs(x, weight)
        loss_h, dh = squared_error(model.recon_h, prev, w)
        loss_p, dp = squared_error(model.recon_p, prev, w)
        loss, drecon = loss + loss_h + loss_p, (dh, dp)
    if backward:
        model.backward(dy, drecon)
    return loss


def grow_push_bias(
    model: PostStackController, rate: float = 0.00025, batch_size: int = 10
) -> None:
    """The post's part 5 line after each update: ``b_d ← b_d + b_d · rate ·
    batch_size``.

    With the post's values the push bias grows by 0.25% per update, compounding: after
    n updates (and no gradient) ``b_d = b_0 · 1.0025ⁿ``, a factor e every ~400 updates.
    It multiplies whatever sign ``b_d`` has.
    """
    if not isinstance(model, PostStackController):
        raise TypeError(
            f"model must be a PostStackController, got {type(model).__name__}"
        )
    if (
        isinstance(rate, bool)
        or not isinstance(rate, int | float)
        or not 0 <= rate < np.inf
    ):
        raise ValueError(f"rate must be a finite number >= 0, got {rate!r}")
    batch_size = _check_size("batch_size", batch_size)
    model.b_g.value[0] += model.b_g.value[0] * rate * batch_size
