"""The continuous stack and queue of Grefenstette et al. (2015): one mechanism, two directions.

A memory holds value rows ``V[i]`` with strengths ``s[i]`` in [0, 1], oldest first. Each step pops ``u`` units of
strength, pushes the new row ``v`` with strength ``d``, and reads a blend of the rows. The stack and the queue
differ only in *which end* pops and reads consume first:

* stack (``end="top"``): the newest rows; the sums run over the rows *above* row i (``j > i``);
* queue (``end="bottom"``): the oldest rows; the sums run over the rows *below* row i (``j < i``).

With ``Σ_i`` the exclusive sum towards the consuming end, one step is (paper, eqs. 1–3)::

    V_t[i] = V_{t-1}[i] (i < t),  V_t[t] = v_t                                   (1)
    s_t[i] = relu(s_{t-1}[i] − relu(u_t − Σ_i s_{t-1})) (i < t),  s_t[t] = d_t    (2)
    r_t    = Σ_i min(s_t[i], relu(1 − Σ_i s_t)) · V_t[i]                          (3)

**Kinks** — one rule everywhere in nmbook: ``relu'(0) = 0`` (the derivative of the left piece), and at a tie
``min(a, b)`` passes the gradient to its first argument, the strength ``s_t[i]``.

Shapes: ``B`` sequences, value width ``m``, ``t`` rows before the step. A state is ``(V, s)`` with
``V: (B, t, m)`` and ``s: (B, t)``; the state after the step has ``t + 1`` rows.
Taught in: Part III, chapters 1–2 (stack) and 5 (queue); driven by the controller of chapters 3–5.
"""

from __future__ import annotations

import numpy as np

State = tuple[np.ndarray, np.ndarray]

_ENDS = ("top", "bottom")


def exclusive_sum(x: np.ndarray, end: str) -> np.ndarray:
    """``Σ_{j>i} x[j]`` (end="top") or ``Σ_{j<i} x[j]`` (end="bottom") along the last axis. ``x: (..., n)``."""
    if end == "top":
        return np.cumsum(x[..., ::-1], axis=-1)[..., ::-1] - x
    return np.cumsum(x, axis=-1) - x


def exclusive_sum_transpose(g: np.ndarray, end: str) -> np.ndarray:
    """The adjoint of :func:`exclusive_sum`: maps d(sums) to d(x). The top-sum's adjoint is the bottom-sum."""
    return exclusive_sum(g, "bottom" if end == "top" else "top")


def _read_coefficients(s: np.ndarray, end: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cap = 1.0 - exclusive_sum(s, end)  # eq. (3): read budget left when row i is reached
    take_s = s <= np.maximum(cap, 0.0)  # min(s, relu(cap)): ties go to s
    return np.where(take_s, s, np.maximum(cap, 0.0)), cap, take_s


def read_weights(s: np.ndarray, end: str = "top") -> np.ndarray:
    """How much of each row a read takes, ``min(s[i], relu(1 − Σ_i s))`` (eq. 3): ``s: (..., n) -> (..., n)``.

    The weights sum to ``min(1, Σ s)``: a read takes one unit of strength, starting at the consuming end.
    """
    return _read_coefficients(np.asarray(s, dtype=np.float64), end)[0]


class ContinuousMemory:
    """A continuous stack (``end="top"``) or queue (``end="bottom"``): step-wise forward and backward.

    ``step`` and ``step_backward`` do no validation (they sit in the controller's inner loop); the
    sequence-level functions :func:`stack_reads` / :func:`queue_reads` validate their inputs.
    """

    @staticmethod
    def relu_grad(x: np.ndarray) -> np.ndarray:
        """The derivative of ``relu`` at ``x`` used by every backward step: 1 where ``x > 0``, else 0 (kink rule)."""
        return (x > 0.0).astype(np.float64)

    def __init__(self, end: str = "top") -> None:
        if end not in _ENDS:
            raise ValueError(f"end must be one of {_ENDS}, got {end!r}")
        self.end = end

    @property
    def name(self) -> str:
        return "stack" if self.end == "top" else "queue"

    def initial_state(self, batch: int, width: int) -> State:
        """The empty memory: ``V: (batch, 0, width)``, ``s: (batch, 0)``."""
        return np.zeros((batch, 0, width)), np.zeros((batch, 0))

    def step(
        self, state: State, v: np.ndarray, u: np.ndarray, d: np.ndarray
    ) -> tuple[State, np.ndarray, tuple]:
        """Pop ``u``, push ``v`` with strength ``d``, read.

        Args:
            state: ``(V: (B, t, m), s: (B, t))`` before the step.
            v: ``(B, m)`` the pushed value; u, d: ``(B,)`` pop and push strengths.

        Returns:
            ``((V_t: (B, t+1, m), s_t: (B, t+1)), r_t: (B, m), cache)``.
        """
        V_prev, s_prev = state
        a = u[:, None] - exclusive_sum(s_prev, self.end)  # eq. (2): what is left to pop when row i is reached
        kept = s_prev - np.maximum(a, 0.0)
        s = np.concatenate([np.maximum(kept, 0.0), d[:, None]], axis=1)
        V = np.concatenate([V_prev, v[:, None, :]], axis=1)
        coef, cap, take_s = _read_coefficients(s, self.end)
        r = np.einsum("bi,bim->bm", coef, V)
        return (V, s), r, (a, kept, cap, take_s, coef, V)

    def step_backward(self, dr: np.ndarray, dstate: State, cache: tuple) -> tuple[np.ndarray, ...]:
        """Backward of :meth:`step`.

        Args:
            dr: ``(B, m)`` gradient w.r.t. the read ``r_t``.
            dstate: ``(dV_t: (B, t+1, m), ds_t: (B, t+1))`` gradients w.r.t. the state after the step (from later
                steps and any loss on the strengths).
            cache: from :meth:`step`.

        Returns:
            ``(dv: (B, m), du: (B,), dd: (B,), (dV_prev: (B, t, m), ds_prev: (B, t)))``.
        """
        a, kept, cap, take_s, coef, V = cache
        dV, ds = dstate
        dcoef = np.einsum("bm,bim->bi", dr, V)
        dV = dV + coef[:, :, None] * dr[:, None, :]
        relu_grad = self.relu_grad
        dcap = np.where(take_s, 0.0, dcoef) * relu_grad(cap)
        ds = ds + np.where(take_s, dcoef, 0.0) - exclusive_sum_transpose(dcap, self.end)
        dkept = ds[:, :-1] * relu_grad(kept)
        da = -dkept * relu_grad(a)
        ds_prev = dkept - exclusive_sum_transpose(da, self.end)
        return dV[:, -1, :], da.sum(axis=1), ds[:, -1], (dV[:, :-1, :], ds_prev)


#: The continuous stack of the paper (eqs. 1–3) and its queue (sums towards the bottom instead).
STACK = ContinuousMemory("top")
QUEUE = ContinuousMemory("bottom")


def _validate(V: np.ndarray, u: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arrays = {"V": V, "u": u, "d": d}
    for name, x in arrays.items():
        if not isinstance(x, np.ndarray):
            raise TypeError(f"{name} must be a numpy array, got {type(x).__name__}")
        if not np.issubdtype(x.dtype, np.floating) and not np.issubdtype(x.dtype, np.integer):
            raise TypeError(f"{name} must be a real-valued array, got dtype {x.dtype}")
    if V.ndim != 3:
        raise ValueError(f"V must have shape (T, B, m), got {V.shape}")
    T, B, m = V.shape
    if T == 0 or B == 0 or m == 0:
        raise ValueError(f"V must have T > 0, B > 0 and m > 0, got shape {V.shape}")
    for name in ("u", "d"):
        x = arrays[name]
        if x.shape != (T, B):
            raise ValueError(f"{name} must have shape (T, B) = {(T, B)}, got {x.shape}")
    for name, x in arrays.items():
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{name} must be finite (no NaN or inf)")
    for name in ("u", "d"):
        x = arrays[name]
        if np.any((x < 0) | (x > 1)):
            raise ValueError(f"{name} must lie in [0, 1], got values in [{x.min():.3g}, {x.max():.3g}]")
    return V.astype(np.float64), u.astype(np.float64), d.astype(np.float64)


def memory_reads(
    memory: ContinuousMemory, V: np.ndarray, u: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Run a memory over a whole sequence of pushes and pops.

    Args:
        V: ``(T, B, m)`` the value pushed at each step; u, d: ``(T, B)`` pop and push strengths in [0, 1].

    Returns:
        ``r: (T, B, m)`` the read after each step and ``s: (T, B, T)`` the strengths after each step, zero-padded
        beyond the ``t + 1`` rows that exist after step t (row 0 is the first value pushed).
    """
    V, u, d = _validate(V, u, d)
    T, B, m = V.shape
    state = memory.initial_state(B, m)
    r = np.empty((T, B, m))
    s = np.zeros((T, B, T))
    for t in range(T):
        state, r[t], _ = memory.step(state, V[t], u[t], d[t])
        s[t, :, : t + 1] = state[1]
    return r, s


def memory_reads_backward(
    memory: ContinuousMemory,
    V: np.ndarray,
    u: np.ndarray,
    d: np.ndarray,
    dr: np.ndarray,
    ds: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a loss ``L(r, s)`` of :func:`memory_reads` w.r.t. its inputs (recomputes the forward pass).

    Args:
        V, u, d: as for :func:`memory_reads`.
        dr: ``(T, B, m)`` dL/dr; ds: optional ``(T, B, T)`` dL/ds (entries beyond row t are ignored).

    Returns:
        ``(dV: (T, B, m), du: (T, B), dd: (T, B))``.
    """
    V, u, d = _validate(V, u, d)
    T, B, m = V.shape
    if not isinstance(dr, np.ndarray) or dr.shape != (T, B, m):
        raise ValueError(f"dr must be an array of shape {(T, B, m)}, got {getattr(dr, 'shape', type(dr))}")
    if ds is not None and (not isinstance(ds, np.ndarray) or ds.shape != (T, B, T)):
        raise ValueError(f"ds must be an array of shape {(T, B, T)}, got {getattr(ds, 'shape', type(ds))}")
    state, caches = memory.initial_state(B, m), []
    for t in range(T):
        state, _, cache = memory.step(state, V[t], u[t], d[t])
        caches.append(cache)
    dV, du, dd = np.empty_like(V), np.empty_like(u), np.empty_like(d)
    dstate = (np.zeros((B, T, m)), np.zeros((B, T)))
    for t in range(T - 1, -1, -1):
        ds_t = dstate[1] if ds is None else dstate[1] + ds[t, :, : t + 1]
        dV[t], du[t], dd[t], dstate = memory.step_backward(dr[t], (dstate[0], ds_t), caches[t])
    return dV, du, dd


def stack_reads(V: np.ndarray, u: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The continuous stack over a sequence (eqs. 1–3): ``(r: (T, B, m), s: (T, B, T))``. See :func:`memory_reads`."""
    return memory_reads(STACK, V, u, d)


def stack_reads_backward(
    V: np.ndarray, u: np.ndarray, d: np.ndarray, dr: np.ndarray, ds: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dV, du, dd)`` of the stack for ``dr: (T, B, m)`` and optional ``ds: (T, B, T)``."""
    return memory_reads_backward(STACK, V, u, d, dr, ds)


def queue_reads(V: np.ndarray, u: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The continuous queue over a sequence: pops and reads start at the bottom. See :func:`memory_reads`."""
    return memory_reads(QUEUE, V, u, d)


def queue_reads_backward(
    V: np.ndarray, u: np.ndarray, d: np.ndarray, dr: np.ndarray, ds: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dV, du, dd)`` of the queue for ``dr: (T, B, m)`` and optional ``ds: (T, B, T)``."""
    return memory_reads_backward(QUEUE, V, u, d, dr, ds)
