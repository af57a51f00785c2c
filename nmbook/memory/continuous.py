"""The continuous stack and queue of Grefenstette et al. (2015): one mechanism, two
directions.

A memory holds value rows ``V[i]`` with strengths ``s[i]`` in [0, 1], oldest first. Each
step pops ``u`` units of strength, pushes the new row ``v`` with strength ``d``, and
reads a blend of the rows. The stack and the queue differ only in *which end* pops and
reads consume first:

* stack (``end="top"``): the newest rows; the sums run over the rows *above* row i (``j
  > i``);
* queue (``end="bottom"``): the oldest rows; the sums run over the rows *below* row i
  (``j < i``).

With ``Σ_i`` the exclusive sum towards the consuming end, one step is (paper, eqs.
1–3)::

    V_t[i] = V_{t-1}[i] (i < t),  V_t[t] = v_t                                   (1)
    s_t[i] = relu(s_{t-1}[i] − relu(u_t − Σ_i s_{t-1})) (i < t),  s_t[t] = d_t    (2)
    r_t    = Σ_i min(s_t[i], relu(1 − Σ_i s_t)) · V_t[i]                          (3)

**Kinks** — one rule everywhere in nmbook: ``relu'(0) = 0`` (the derivative of the left
piece), and at a tie ``min(a, b)`` passes the gradient to its first argument, the
strength ``s_t[i]``.

Shapes: ``B`` sequences, value width ``m``, ``t`` rows before the step. A state is ``(V,
s)`` with ``V: (B, t, m)`` and ``s: (B, t)``; the state after the step has ``t + 1``
rows.

Two levels of API, one mechanism:

* step level, for a controller that produces ``v_t, u_t, d_t`` from the previous read:
  ``state = STACK.initial_state(B, m)``; ``state, r_t, cache_t = STACK.step(state, v_t,
  u_t, d_t)``; and in reverse time ``dv_t, du_t, dd_t, dstate =
  STACK.step_backward(dr_t, dstate, cache_t)``, starting from ``dstate = (zeros((B, T,
  m)), zeros((B, T)))`` (``step_backward`` trims one row per step). No validation here.
* sequence level, built on the step level: ``r, s, cache = memory_forward(STACK, V, u,
  d)`` and ``dV, du, dd = memory_backward(cache, dr, ds)``; ``stack_reads`` /
  ``stack_reads_backward`` (and the queue's) are the cache-free conveniences (the
  backward recomputes the forward). These validate their inputs.

Taught in: Part III, chapters 1–2 (stack) and 5 (queue); driven by the controller of
chapters 3–5.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

State = tuple[np.ndarray, np.ndarray]

_ENDS = ("top", "bottom")


def exclusive_sum(x: np.ndarray, end: str) -> np.ndarray:
    """``Σ_{j>i} x[j]`` (end="top") or ``Σ_{j<i} x[j]`` (end="bottom") along the last
    axis. ``x: (..., n)``."""
    zero = np.zeros(x.shape[:-1] + (min(1, x.shape[-1]),))
    # shift, then sum: exact zeros at the end rows, no cancellation from subtracting x
    if end == "top":
        return np.concatenate(
            [np.cumsum(x[..., :0:-1], axis=-1)[..., ::-1], zero], axis=-1
        )
    return np.concatenate([zero, np.cumsum(x[..., :-1], axis=-1)], axis=-1)


def exclusive_sum_transpose(g: np.ndarray, end: str) -> np.ndarray:
    """The adjoint of :func:`exclusive_sum`: maps d(sums) to d(x). The top-sum's
    adjoint is the bottom-sum."""
    return exclusive_sum(g, "bottom" if end == "top" else "top")


def _read_coefficients(
    s: np.ndarray, end: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cap = 1.0 - exclusive_sum(s, end)  # eq. (3): read budget left when row i is reached
    take_s = s <= np.maximum(cap, 0.0)  # min(s, relu(cap)): ties go to s
    return np.where(take_s, s, np.maximum(cap, 0.0)), cap, take_s


def _relu_grad(x: np.ndarray) -> np.ndarray:
    return (x > 0.0).astype(np.float64)  # the kink rule: relu'(0) = 0


# --- The two shared pieces of every continuous memory (stack, queue, deque): a read
# --- from one end, and the amount a pop from one end takes from each row. Each forward
# --- sits beside its backward.


def read_end(s: np.ndarray, V: np.ndarray, end: str) -> tuple[np.ndarray, tuple]:
    """A read from one end (eq. 3): ``r = Σ_i min(s[i], relu(1 − Σ_i s)) V[i]``.

    ``s: (B, n)``, ``V: (B, n, m)`` -> ``(r: (B, m), cache)``. The stack reads from the
    top, the queue from the bottom, the deque from both. Taught in: Part III, chapters 1
    and 5.
    """
    coef, cap, take_s = _read_coefficients(s, end)
    return np.einsum("bi,bim->bm", coef, V), (coef, cap, take_s, V)


def read_end_backward(
    dr: np.ndarray, cache: tuple, end: str
) -> tuple[np.ndarray, np.ndarray]:
    """Backward of :func:`read_end`: ``dr: (B, m)`` -> ``(dV: (B, n, m), ds: (B,
    n))`` (ties of the min go to s)."""
    coef, cap, take_s, V = cache
    dcoef = np.einsum("bm,bim->bi", dr, V)
    dV = coef[:, :, None] * dr[:, None, :]
    dcap = np.where(take_s, 0.0, dcoef) * _relu_grad(cap)
    return dV, np.where(take_s, dcoef, 0.0) - exclusive_sum_transpose(dcap, end)


def pop_demand(s_prev: np.ndarray, u: np.ndarray, end: str) -> np.ndarray:
    """What a pop of strength ``u`` still has to remove when it reaches row i (eq. 2):
    ``a_i = u − Σ_i s_prev``; the row loses ``relu(a_i)``. ``s_prev: (B, t)``, ``u:
    (B,)`` -> ``(B, t)``."""
    return u[:, None] - exclusive_sum(s_prev, end)


def pop_demand_backward(da: np.ndarray, end: str) -> tuple[np.ndarray, np.ndarray]:
    """Backward of :func:`pop_demand`: ``da: (B, t)`` -> ``(du: (B,), ds_prev: (B,
    t))``."""
    return da.sum(axis=1), -exclusive_sum_transpose(da, end)


def read_weights(s: np.ndarray, end: str = "top") -> np.ndarray:
    """How much of each row a read takes, ``min(s[i], relu(1 − Σ_i s))`` (eq. 3): ``s:
    (..., n) -> (..., n)``.

    The weights sum to ``min(1, Σ s)``: a read takes one unit of strength, starting at
    the consuming end.
    """
    return _read_coefficients(np.asarray(s, dtype=np.float64), end)[0]


# --- A read below the top (an extension, not in the paper; Part III, chapter 1 and 2
# --- exercises). Stack the rows' strengths end to end from the consuming end: row i
# --- fills the interval [Σ_i s, Σ_i s + s[i]) of "depth". The read of eq. (3) takes the
# --- band [0, 1); the read at depth k takes the band [k − 1, k).


def _capped_take(
    s: np.ndarray, above: np.ndarray, budget: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``min(s, relu(budget − above))`` with its cap and tie mask (ties of the min go
    to ``s``)."""
    cap = budget - above
    take_s = s <= np.maximum(cap, 0.0)
    return np.where(take_s, s, np.maximum(cap, 0.0)), cap, take_s


def _capped_take_backward(
    dcoef: np.ndarray, cap: np.ndarray, take_s: np.ndarray, end: str
) -> np.ndarray:
    """d(loss)/ds through :func:`_capped_take`, given d(loss)/d(take): the strength
    where it won the min, else
    the cap's relu and then the adjoint of the exclusive sum."""
    dcap = np.where(take_s, 0.0, dcoef) * _relu_grad(cap)
    return np.where(take_s, dcoef, 0.0) - exclusive_sum_transpose(dcap, end)


def _depth_coefficients(
    s: np.ndarray, depth: int, end: str
) -> tuple[np.ndarray, tuple, tuple | None]:
    above = exclusive_sum(s, end)
    outer = _capped_take(s, above, float(depth))  # the part of row i inside [0, depth)
    # the band [0, 0) is empty: nothing to subtract (and no tie to send a gradient
    # through)
    if depth == 1:
        return outer[0], outer, None
    # the part of row i inside [0, depth − 1)
    inner = _capped_take(s, above, float(depth - 1))
    return outer[0] - inner[0], outer, inner


def _check_depth(depth: object) -> int:
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)):
        raise TypeError(f"depth must be an int, got {type(depth).__name__}")
    if depth < 1:
        raise ValueError(f"depth must be >= 1 (1 is the read of eq. 3), got {depth}")
    return int(depth)


def _check_strengths(s: object) -> np.ndarray:
    _check_array("s", s)
    if s.ndim < 1 or not np.all(np.isfinite(s)) or np.any((s < 0) | (s > 1)):
        raise ValueError("s must be an array (..., n) of finite strengths in [0, 1]")
    return s.astype(np.float64)


def depth_read_weights(s: np.ndarray, depth: int = 1, end: str = "top") -> np.ndarray:
    """How much of each row a read *at depth k* takes: ``s: (..., n) -> (..., n)``.

    With ``Σ_i s`` the strength between row i and the consuming end, row i fills the
    interval ``[Σ_i s, Σ_i s + s[i])`` and the weight is its overlap with ``[k − 1,
    k)``:
    ``min(s[i], relu(k − Σ_i s)) − min(s[i], relu(k − 1 − Σ_i s))``. Depth 1 is eq. (3)
    (:func:`read_weights`); depth 2 is "the value below the top". The weights sum to
    ``clip(Σ s − (k − 1), 0, 1)``; on a stack of 0/1 strengths they pick the k-th live
    row from the end. Not in the paper: a Part III exercise (chapters 1–2).

    Raises:
        TypeError: for an ``s`` that is not a real array or a ``depth`` that is not an
            int.
        ValueError: for ``s`` outside [0, 1] or not finite, ``depth < 1``, or an ``end``
            other than "top"/"bottom".
    """
    s, depth = _check_strengths(s), _check_depth(depth)
    if end not in _ENDS:
        raise ValueError(f"end must be one of {_ENDS}, got {end!r}")
    return _depth_coefficients(s, depth, end)[0]


def read_at_depth(
    s: np.ndarray, V: np.ndarray, depth: int = 1, end: str = "top"
) -> tuple[np.ndarray, tuple]:
    """A read of the band ``[depth − 1, depth)`` of strength from one end: ``r = Σ_i w_i
    V[i]`` with the weights of :func:`depth_read_weights`. Depth 1 is the read of eq.
    (3), :func:`read_end`, to the last bit.

    Args:
        s: ``(B, n)`` strengths in [0, 1]; V: ``(B, n, m)`` the rows' values; depth: int
            >= 1; end: "top" (stack) or "bottom" (queue).

    Returns:
        ``(r: (B, m), cache)``; the cache goes to :func:`read_at_depth_backward`.

    Raises:
        TypeError: for an ``s`` or ``V`` that is not a real array, or a ``depth`` that
            is not an int.
        ValueError: for wrong shapes, NaN/inf, ``s`` outside [0, 1], ``depth < 1`` or a
            bad ``end`` (the message names the argument).
    """
    s, depth = _check_strengths(s), _check_depth(depth)
    _check_array("V", V)
    if s.ndim != 2:
        raise ValueError(f"s must have shape (B, n), got {s.shape}")
    if V.ndim != 3 or V.shape[:2] != s.shape:
        raise ValueError(
            f"V must have shape (B, n, m) with (B, n) = {s.shape}, got {V.shape}"
        )
    if not np.all(np.isfinite(V)):
        raise ValueError("V must be finite (no NaN or inf)")
    if end not in _ENDS:
        raise ValueError(f"end must be one of {_ENDS}, got {end!r}")
    V = V.astype(np.float64)
    coef, outer, inner = _depth_coefficients(s, depth, end)
    return np.einsum("bi,bim->bm", coef, V), (end, coef, outer, inner, V)


def read_at_depth_backward(
    dr: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray]:
    """Backward of :func:`read_at_depth`: ``dr: (B, m)`` -> ``(dV: (B, n, m), ds: (B,
    n))``.

    Each of the two capped takes passes its gradient as in :func:`read_end_backward`
    (the kink rule: ties of the min go to the strength, ``relu'(0) = 0``); the inner one
    with a minus sign.
    """
    if not (isinstance(cache, tuple) and len(cache) == 5 and cache[0] in _ENDS):
        raise TypeError("cache must be the cache returned by read_at_depth")
    end, coef, outer, inner, V = cache
    dr = _validate_grad("dr", dr, (V.shape[0], V.shape[2]))
    dcoef = np.einsum("bm,bim->bi", dr, V)
    dV = coef[:, :, None] * dr[:, None, :]
    ds = _capped_take_backward(dcoef, outer[1], outer[2], end)
    if inner is not None:
        ds = ds - _capped_take_backward(dcoef, inner[1], inner[2], end)
    return dV, ds


def earlier_read_share(
    s: np.ndarray, mask: np.ndarray | None = None, end: str = "top"
) -> float:
    """The mean share of a read taken from rows written at *earlier* steps — the part of
    a read that carries memory.

    ``s: (T, B, n)`` with ``n >= T`` are the strengths after each step of a sequence
    (row ``i`` written at step ``i``, as :func:`memory_forward` and the controller store
    them); ``mask: (T, B)`` selects the steps to average over (default: all). At step
    ``t`` the share is ``Σ_{i<t} w_t[i]`` with ``w_t = read_weights(s_t)``; a read that
    only returns the value written at the same step has share 0. Taught in: Part III,
    chapters 3–4 (is the controller using its stack?).
    """
    s = np.asarray(s, dtype=np.float64)
    if s.ndim != 3 or s.shape[0] == 0 or s.shape[1] == 0 or s.shape[2] < s.shape[0]:
        raise ValueError(
            f"s must have shape (T, B, n) with T, B > 0 and n >= T, got {s.shape}"
        )
    T, B = s.shape[:2]
    m = np.ones((T, B)) if mask is None else np.asarray(mask, dtype=np.float64)
    if m.shape != (T, B):
        raise ValueError(f"mask must have shape {(T, B)}, got {m.shape}")
    if m.sum() <= 0:
        raise ValueError("mask must select at least one step")
    w = read_weights(s, end)[:, :, :T]
    # earlier[t, i] = 1 where row i was written before step t
    earlier = np.tril(np.ones((T, T)), k=-1)
    share = np.einsum("tbi,ti->tb", w, earlier)
    return float((share * m).sum() / m.sum())


class ContinuousMemory:
    """A continuous stack (``end="top"``) or queue (``end="bottom"``): one step of eqs.
    (1)–(3), forward and backward, for a batch of ``B`` memories at once.

    ``step`` and ``step_backward`` do no validation (they sit in the controller's inner
    loop); the sequence-level functions :func:`memory_forward`, :func:`stack_reads` and
    :func:`queue_reads` validate their inputs. The backward's kink rule lives in
    :meth:`relu_grad` and the tie test of the read. Taught in: Part III, chapter 1
    (forward) and chapter 2 (backward); the queue in chapter 5.
    """

    @staticmethod
    def relu_grad(x: np.ndarray) -> np.ndarray:
        """The derivative of ``relu`` at ``x`` used by every backward step: 1 where
        ``x > 0``, else 0 (kink rule)."""
        return _relu_grad(x)

    #: How many values (and push/pop pairs) the memory takes per step, and how many
    #: reads (of width m) it gives.
    n_values = 1
    n_reads = 1

    def __init__(self, end: str = "top") -> None:
        if end not in _ENDS:
            raise ValueError(f"end must be one of {_ENDS}, got {end!r}")
        self.end = end

    @property
    def name(self) -> str:
        return "stack" if self.end == "top" else "queue"

    @staticmethod
    def strength_slice(t: int, T: int) -> slice:
        """Where the ``t + 1`` rows after step ``t`` (0-based) sit in a ``T``-wide
        record: rows ``0 .. t``."""
        return slice(0, t + 1)

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
        # eq. (2): what is left to pop when row i is reached
        a = pop_demand(s_prev, u, self.end)
        kept = s_prev - np.maximum(a, 0.0)
        s = np.concatenate([np.maximum(kept, 0.0), d[:, None]], axis=1)
        V = np.concatenate([V_prev, v[:, None, :]], axis=1)
        r, rcache = read_end(s, V, self.end)
        return (V, s), r, (a, kept, rcache)

    def step_backward(
        self, dr: np.ndarray, dstate: State, cache: tuple
    ) -> tuple[np.ndarray, ...]:
        """Backward of :meth:`step`.

        Args:
            dr: ``(B, m)`` gradient w.r.t. the read ``r_t``.
            dstate: ``(dV_t: (B, t+1, m), ds_t: (B, t+1))`` gradients w.r.t. the state
                after the step (from later steps and any loss on the strengths).
            cache: from :meth:`step`.

        Returns:
            ``(dv: (B, m), du: (B,), dd: (B,), (dV_prev: (B, t, m), ds_prev: (B, t)))``.
        """
        a, kept, rcache = cache
        dV, ds = dstate
        # eq. (3), the read r = Σ_i min(s[i], relu(1 − Σ_i s)) V[i]
        dV_read, ds_read = read_end_backward(dr, rcache, self.end)
        dV, ds = dV + dV_read, ds + ds_read
        # eq. (2): the pushed row got s[t] = d; the older rows went through the pop
        du, ds_prev = self.pop_backward(ds[:, :-1], a, kept)
        return dV[:, -1, :], du, ds[:, -1], (dV[:, :-1, :], ds_prev)

    def pop_backward(
        self, ds_kept: np.ndarray, a: np.ndarray, kept: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Backward of the pop in eq. (2), ``s[i] = relu(k_i)``, ``k_i = s_prev[i] −
        relu(a_i)``, ``a_i = u − Σ_i s_prev``.

        Args:
            ds_kept: ``(B, t)`` dL/ds for the rows that existed before the step; a,
                kept: ``(B, t)`` from the cache.

        Returns:
            ``(du: (B,), ds_prev: (B, t))``.
        """
        dkept = ds_kept * self.relu_grad(kept)
        du, ds_from_a = pop_demand_backward(-dkept * self.relu_grad(a), self.end)
        return du, dkept + ds_from_a


#: The continuous stack of the paper (eqs. 1–3).
STACK = ContinuousMemory("top")
#: The continuous queue: the same step, with the read and the pop counted from the
#: bottom.
QUEUE = ContinuousMemory("bottom")


def _check_array(name: str, x: object) -> None:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(x).__name__}")
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise TypeError(f"{name} must be a real-valued array, got dtype {x.dtype}")


def _validate(
    V: np.ndarray,
    u: np.ndarray,
    d: np.ndarray,
    names: tuple[str, str, str] = ("V", "u", "d"),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    nV, nu, nd = names
    arrays = {nV: V, nu: u, nd: d}
    for name, x in arrays.items():
        _check_array(name, x)
    if V.ndim != 3:
        raise ValueError(f"{nV} must have shape (T, B, m), got {V.shape}")
    T, B, m = V.shape
    if T == 0 or B == 0 or m == 0:
        raise ValueError(f"{nV} must have T > 0, B > 0 and m > 0, got shape {V.shape}")
    for name in (nu, nd):
        x = arrays[name]
        if x.shape != (T, B):
            raise ValueError(f"{name} must have shape (T, B) = {(T, B)}, got {x.shape}")
    for name, x in arrays.items():
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{name} must be finite (no NaN or inf)")
    for name in (nu, nd):
        x = arrays[name]
        if np.any((x < 0) | (x > 1)):
            raise ValueError(
                f"{name} must lie in [0, 1], got values in [{x.min():.3g}, "
                f"{x.max():.3g}]"
            )
    return V.astype(np.float64), u.astype(np.float64), d.astype(np.float64)


def _validate_grad(name: str, g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    _check_array(name, g)
    if g.shape != shape:
        raise ValueError(f"{name} must be an array of shape {shape}, got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return g.astype(np.float64)


@dataclass
class ReadsCache:
    """What :func:`memory_backward` needs from a :func:`memory_forward` run (Part III,
    chapter 2).

    It holds the ``memory`` that ran, the ``shape`` ``(T, B, m)`` of the pushed values,
    and ``steps``, the ``T`` caches of :meth:`ContinuousMemory.step`, oldest first.
    """

    memory: ContinuousMemory
    shape: tuple[int, int, int]
    steps: list[tuple]


def memory_forward(
    memory: ContinuousMemory, V: np.ndarray, u: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, np.ndarray, ReadsCache]:
    """Run a memory over a whole sequence of pushes and pops (eqs. 1–3 at every step),
    keeping a cache.

    Args:
        memory: :data:`STACK`, :data:`QUEUE` or another :class:`ContinuousMemory`.
        V: ``(T, B, m)`` the value pushed at each step; u, d: ``(T, B)`` pop and push
            strengths in [0, 1].

    Returns:
        ``r: (T, B, m)`` the read after each step; ``s: (T, B, T)`` the strengths after
        each step, zero-padded beyond the ``t + 1`` rows that exist after step t (row 0
        is the first value pushed); and the :class:`ReadsCache` that
        :func:`memory_backward` takes, so a forward is never recomputed.

    Raises:
        TypeError: for an argument that is not an array (the message names it).
        ValueError: for wrong shapes, NaN/inf, u or d outside [0, 1], or a zero T, B or
            m (the message names the argument).
    """
    V, u, d = _validate(V, u, d)
    T, B, m = V.shape
    state = memory.initial_state(B, m)
    r, s, steps = np.empty((T, B, m)), np.zeros((T, B, T)), []
    for t in range(T):
        state, r[t], cache = memory.step(state, V[t], u[t], d[t])
        s[t, :, : t + 1] = state[1]
        steps.append(cache)
    return r, s, ReadsCache(memory, (T, B, m), steps)


def memory_backward(
    cache: ReadsCache, dr: np.ndarray, ds: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a loss ``L(r, s)`` w.r.t. the inputs of :func:`memory_forward`, back
    through time.

    Args:
        cache: from :func:`memory_forward`.
        dr: ``(T, B, m)`` dL/dr; ds: optional ``(T, B, T)`` dL/ds (entries beyond row t,
            which do not exist, are ignored).

    Returns:
        ``(dV: (T, B, m), du: (T, B), dd: (T, B))``. A value's gradient collects every
        later read of it.
    """
    if not isinstance(cache, ReadsCache):
        raise TypeError(
            f"cache must be the ReadsCache returned by memory_forward, "
            f"got {type(cache).__name__}"
        )
    T, B, m = cache.shape
    dr = _validate_grad("dr", dr, (T, B, m))
    if ds is not None:
        ds = _validate_grad("ds", ds, (T, B, T))
    memory = cache.memory
    dV, du, dd = np.empty((T, B, m)), np.empty((T, B)), np.empty((T, B))
    dstate = (np.zeros((B, T, m)), np.zeros((B, T)))
    for t in range(T - 1, -1, -1):
        ds_t = dstate[1] if ds is None else dstate[1] + ds[t, :, : t + 1]
        dV[t], du[t], dd[t], dstate = memory.step_backward(
            dr[t], (dstate[0], ds_t), cache.steps[t]
        )
    return dV, du, dd


def memory_reads(
    memory: ContinuousMemory, V: np.ndarray, u: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(r: (T, B, m), s: (T, B, T))`` of :func:`memory_forward`, without the cache."""
    r, s, _ = memory_forward(memory, V, u, d)
    return r, s


def memory_reads_backward(
    memory: ContinuousMemory,
    V: np.ndarray,
    u: np.ndarray,
    d: np.ndarray,
    dr: np.ndarray,
    ds: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dV, du, dd)`` for ``dr: (T, B, m)`` and optional ``ds: (T, B, T)``; RECOMPUTES
    the forward pass.

    Convenient for checks; a training loop calls :func:`memory_forward` once and
    :func:`memory_backward`.
    """
    return memory_backward(memory_forward(memory, V, u, d)[2], dr, ds)


def stack_reads(
    V: np.ndarray, u: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The continuous stack over a sequence (eqs. 1–3): ``V: (T, B, m)``, ``u, d: (T,
    B)`` ->
    ``(r: (T, B, m), s: (T, B, T))``. See :func:`memory_forward`. Taught in: Part III,
    chapter 1."""
    return memory_reads(STACK, V, u, d)


def stack_reads_backward(
    V: np.ndarray,
    u: np.ndarray,
    d: np.ndarray,
    dr: np.ndarray,
    ds: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dV: (T, B, m), du: (T, B), dd: (T, B))`` of the stack for ``dr: (T, B, m)``
    and optional
    ``ds: (T, B, T)``; recomputes the forward (see :func:`memory_backward`). Taught in:
    Part III, chapter 2."""
    return memory_reads_backward(STACK, V, u, d, dr, ds)


def queue_reads(
    V: np.ndarray, u: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The continuous queue over a sequence: pops and reads start at the bottom.
    Shapes as :func:`stack_reads`."""
    return memory_reads(QUEUE, V, u, d)


def queue_reads_backward(
    V: np.ndarray,
    u: np.ndarray,
    d: np.ndarray,
    dr: np.ndarray,
    ds: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dV, du, dd)`` of the queue; shapes and recomputation as
    :func:`stack_reads_backward`."""
    return memory_reads_backward(QUEUE, V, u, d, dr, ds)
