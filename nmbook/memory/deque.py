"""The continuous double-ended queue (DeQue) of Grefenstette et al. (2015, section 3.3):
a stack at both ends.

The deque keeps value rows ``V[i]`` with strengths ``s[i]``, ordered from the bottom
(``i = 0``) to the top. At every step the controller gives two of everything: a value, a
push strength and a pop strength for the top (``v_top, d_top, u_top``) and for the
bottom (``v_bot, d_bot, u_bot``). One step:

1. **pop both ends at once**, each measured on the memory *before* the step, exactly
   like the stack's pop (top) and
   the queue's pop (bottom), eq. (2)::

       a_top[i] = u_top − Σ_{j>i} s_prev[j]      a_bot[i] = u_bot − Σ_{j<i} s_prev[j]
       s_kept[i] = relu(s_prev[i] − relu(a_top[i]) − relu(a_bot[i]))

   The paper writes this as ``max(0, s_top[i] + s_bot[i] − s_prev[i])`` with ``s_top[i]
   = relu(s_prev[i] − relu(a_top[i]))`` and ``s_bot`` likewise; for ``s_prev ≥ 0`` the
   two forms agree (if either pop empties the row, both are 0; otherwise both are
   ``relu(s_prev − relu(a_top) − relu(a_bot))``). We use the shorter one.
2. **push both ends**: ``v_bot`` becomes the new bottom row with strength ``d_bot`` and
   ``v_top`` the new top row with strength ``d_top`` (eq. 1, at both ends), so the
   memory grows by two rows per step.
3. **read both ends** with the read of eq. (3): ``r_top`` takes one unit of strength
   starting from the top, ``r_bot`` one unit starting from the bottom. The controller
   sees ``r = [r_top, r_bot]`` (width 2m).

The two shared pieces — the read from one end and the pop demand from one end — are the
very functions the stack and the queue use (:func:`nmbook.memory.continuous.read_end`,
:func:`~nmbook.memory.continuous.pop_demand`); only the bookkeeping of two ends lives
here. Kinks follow the book's rule: ``relu'(0) = 0``, ties of the read's min go to the
strength.

Shapes: ``B`` sequences, value width ``m``; a state ``(V: (B, n, m), s: (B, n))`` with
``n = 2t`` rows after t steps. At step level, ``v: (B, 2, m)``, ``u, d: (B, 2)`` with
index 0 = top, 1 = bottom; the read is ``(B, 2m)``. Taught in: Part III, chapter 5.
"""

from __future__ import annotations

import numpy as np

from nmbook.memory.continuous import (
    State,
    _relu_grad,
    _validate,
    _validate_grad,
    pop_demand,
    pop_demand_backward,
    read_end,
    read_end_backward,
)


class ContinuousDeque:
    """The continuous deque: pops, pushes and reads at both ends (paper, section 3.3),
    batched.

    It has the step API of :class:`~nmbook.memory.continuous.ContinuousMemory`, with two
    values per step (``n_values = 2``) and two reads (``n_reads = 2``), so
    :class:`nmbook.controller.MemoryController` drives it unchanged. ``step`` and
    ``step_backward`` do no validation (inner loop); :func:`deque_reads` does. Taught
    in: Part III, chapter 5.
    """

    name = "deque"
    n_values = 2
    n_reads = 2

    def initial_state(self, batch: int, width: int) -> State:
        """The empty deque: ``V: (batch, 0, width)``, ``s: (batch, 0)``."""
        return np.zeros((batch, 0, width)), np.zeros((batch, 0))

    @staticmethod
    def strength_slice(t: int, T: int) -> slice:
        """Where the ``2(t+1)`` rows after step ``t`` (0-based) sit in a ``2T``-wide
        record, centred so that a row
        keeps its place while the deque grows at both ends: rows ``T−1−t .. T+t``."""
        return slice(T - 1 - t, T + 1 + t)

    def step(
        self, state: State, v: np.ndarray, u: np.ndarray, d: np.ndarray
    ) -> tuple[State, np.ndarray, tuple]:
        """Pop both ends, push ``v[:, 0]`` on top and ``v[:, 1]`` at the bottom, read
        both ends.

        Args:
            state: ``(V: (B, n, m), s: (B, n))`` before the step, bottom row first.
            v: ``(B, 2, m)`` values for the top and the bottom; u, d: ``(B, 2)`` pop and
                push strengths (column 0: top, column 1: bottom).

        Returns:
            ``(state_t, r_t, cache)`` with ``state_t = (V_t, s_t)``,
            ``V_t: (B, n+2, m)``, ``s_t: (B, n+2)`` and
            ``r_t = [r_top, r_bot]: (B, 2m)``.
        """
        V_prev, s_prev = state
        a_top = pop_demand(s_prev, u[:, 0], "top")
        a_bot = pop_demand(s_prev, u[:, 1], "bottom")
        kept = s_prev - np.maximum(a_top, 0.0) - np.maximum(a_bot, 0.0)
        s = np.concatenate([d[:, 1:2], np.maximum(kept, 0.0), d[:, 0:1]], axis=1)
        V = np.concatenate([v[:, 1:2, :], V_prev, v[:, 0:1, :]], axis=1)
        r_top, c_top = read_end(s, V, "top")
        r_bot, c_bot = read_end(s, V, "bottom")
        return (
            (V, s),
            np.concatenate([r_top, r_bot], axis=1),
            (a_top, a_bot, kept, c_top, c_bot),
        )

    def step_backward(
        self, dr: np.ndarray, dstate: State, cache: tuple
    ) -> tuple[np.ndarray, ...]:
        """Backward of :meth:`step`.

        Args:
            dr: ``(B, 2m)`` gradient w.r.t. ``[r_top, r_bot]``.
            dstate: ``(dV_t: (B, n+2, m), ds_t: (B, n+2))`` gradients w.r.t. the state
                after the step.

        Returns:
            ``(dv, du, dd, (dV_prev, ds_prev))`` with ``dv: (B, 2, m)``,
            ``du, dd: (B, 2)``, ``dV_prev: (B, n, m)`` and ``ds_prev: (B, n)``.
        """
        a_top, a_bot, kept, c_top, c_bot = cache
        dV, ds = dstate
        m = dV.shape[2]
        dV_t, ds_t = read_end_backward(dr[:, :m], c_top, "top")
        dV_b, ds_b = read_end_backward(dr[:, m:], c_bot, "bottom")
        dV, ds = dV + dV_t + dV_b, ds + ds_t + ds_b
        dv = np.stack([dV[:, -1, :], dV[:, 0, :]], axis=1)
        dd = np.stack([ds[:, -1], ds[:, 0]], axis=1)
        dkept = ds[:, 1:-1] * _relu_grad(kept)
        du_top, ds_prev_top = pop_demand_backward(-dkept * _relu_grad(a_top), "top")
        du_bot, ds_prev_bot = pop_demand_backward(-dkept * _relu_grad(a_bot), "bottom")
        du = np.stack([du_top, du_bot], axis=1)
        return dv, du, dd, (dV[:, 1:-1, :], dkept + ds_prev_top + ds_prev_bot)


#: The continuous deque of the paper (section 3.3).
DEQUE = ContinuousDeque()


def _validate_deque(V_top, V_bot, u_top, u_bot, d_top, d_bot):
    V_top, u_top, d_top = _validate(V_top, u_top, d_top, ("V_top", "u_top", "d_top"))
    V_bot, u_bot, d_bot = _validate(V_bot, u_bot, d_bot, ("V_bot", "u_bot", "d_bot"))
    if V_bot.shape != V_top.shape:
        raise ValueError(
            f"V_bot must have the shape of V_top {V_top.shape}, got {V_bot.shape}"
        )
    return V_top, V_bot, u_top, u_bot, d_top, d_bot


def deque_forward(
    V_top: np.ndarray,
    V_bot: np.ndarray,
    u_top: np.ndarray,
    u_bot: np.ndarray,
    d_top: np.ndarray,
    d_bot: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Run the deque over a sequence (section 3.3 at every step), keeping the caches for
    :func:`deque_backward`.

    Args:
        V_top, V_bot: ``(T, B, m)`` values pushed on top and at the bottom at each step.
        u_top, u_bot, d_top, d_bot: ``(T, B)`` pop and push strengths in [0, 1].

    Returns:
        ``r_top, r_bot: (T, B, m)`` the two reads after each step; ``s: (T, B, 2T)`` the
        strengths after each step, bottom first, centred (after step t the rows sit at
        ``T−1−t .. T+t``, zero elsewhere); the caches.

    Raises:
        TypeError: for an argument that is not an array (the message names it).
        ValueError: for wrong or unequal shapes, NaN/inf, strengths outside [0, 1], or a
            zero T, B or m (the message names the argument).
    """
    V_top, V_bot, u_top, u_bot, d_top, d_bot = _validate_deque(
        V_top, V_bot, u_top, u_bot, d_top, d_bot
    )
    T, B, m = V_top.shape
    state = DEQUE.initial_state(B, m)
    r, s, caches = np.empty((T, B, 2 * m)), np.zeros((T, B, 2 * T)), []
    for t in range(T):
        v = np.stack([V_top[t], V_bot[t]], axis=1)
        u = np.stack([u_top[t], u_bot[t]], axis=1)
        d = np.stack([d_top[t], d_bot[t]], axis=1)
        state, r[t], cache = DEQUE.step(state, v, u, d)
        s[t, :, DEQUE.strength_slice(t, T)] = state[1]
        caches.append(cache)
    return r[..., :m], r[..., m:], s, caches


def deque_backward(
    caches: list, dr_top: np.ndarray, dr_bot: np.ndarray, ds: np.ndarray | None = None
) -> tuple[np.ndarray, ...]:
    """Gradients of a loss ``L(r_top, r_bot, s)`` w.r.t. the inputs of
    :func:`deque_forward`, back through time.

    Args:
        caches: from :func:`deque_forward`; dr_top, dr_bot: ``(T, B, m)``; ds: optional
            ``(T, B, 2T)`` in the centred layout of :func:`deque_forward` (entries where
            no row exists are ignored).

    Returns:
        ``(dV_top, dV_bot: (T, B, m), du_top, du_bot, dd_top, dd_bot: (T, B))``.
    """
    if not isinstance(caches, list) or not caches:
        raise TypeError(
            f"caches must be the list returned by deque_forward, got "
            f"{type(caches).__name__}"
        )
    T = len(caches)
    B, m = caches[0][3][3].shape[0], caches[0][3][3].shape[2]
    dr_top = _validate_grad("dr_top", dr_top, (T, B, m))
    dr_bot = _validate_grad("dr_bot", dr_bot, (T, B, m))
    if ds is not None:
        ds = _validate_grad("ds", ds, (T, B, 2 * T))
    dv, du, dd = np.empty((T, B, 2, m)), np.empty((T, B, 2)), np.empty((T, B, 2))
    dstate = (np.zeros((B, 2 * T, m)), np.zeros((B, 2 * T)))
    for t in range(T - 1, -1, -1):
        ds_t = (
            dstate[1]
            if ds is None
            else dstate[1] + ds[t, :, DEQUE.strength_slice(t, T)]
        )
        dr = np.concatenate([dr_top[t], dr_bot[t]], axis=1)
        dv[t], du[t], dd[t], dstate = DEQUE.step_backward(
            dr, (dstate[0], ds_t), caches[t]
        )
    return dv[:, :, 0], dv[:, :, 1], du[..., 0], du[..., 1], dd[..., 0], dd[..., 1]


def deque_reads(
    V_top: np.ndarray,
    V_bot: np.ndarray,
    u_top: np.ndarray,
    u_bot: np.ndarray,
    d_top: np.ndarray,
    d_bot: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(r_top, r_bot: (T, B, m), s: (T, B, 2T))`` of :func:`deque_forward`, without
    the caches.
    Taught in: Part III, chapter 5."""
    r_top, r_bot, s, _ = deque_forward(V_top, V_bot, u_top, u_bot, d_top, d_bot)
    return r_top, r_bot, s


def deque_reads_backward(
    V_top: np.ndarray,
    V_bot: np.ndarray,
    u_top: np.ndarray,
    u_bot: np.ndarray,
    d_top: np.ndarray,
    d_bot: np.ndarray,
    dr_top: np.ndarray,
    dr_bot: np.ndarray,
    ds: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """``(dV_top, dV_bot, du_top, du_bot, dd_top, dd_bot)`` for ``dr_top, dr_bot: (T, B,
    m)`` and optional
    ``ds: (T, B, 2T)``; RECOMPUTES the forward (see :func:`deque_backward`). Taught in:
    Part III, chapter 5."""
    caches = deque_forward(V_top, V_bot, u_top, u_bot, d_top, d_bot)[3]
    return deque_backward(caches, dr_top, dr_bot, ds)
