"""What a deque controller does with its bottom end around the delimiter, and a forward
pass that repairs it.

A deque controller trained to copy (Part III, chapter 5) learns a queue: it pushes each
symbol on top while it reads and pops the bottom while it writes. Its bottom gates are
not exactly 0 while it reads, so a little strength, the *residue*, piles up below the
first symbol; at the delimiter step a bottom pop clears it. When the pop is larger than
the residue it also eats part of the first symbol, and every later read from the bottom
then blends two neighbouring symbols. :func:`bottom_balance` measures the three numbers
(residue, pop, what is kept of the first symbol); :func:`forward_balanced` reruns a
batch with that one pop set to the residue, which tests whether the mismatch is what
makes the controller fail.

The layout is that of :class:`nmbook.controller.ControllerTrace` (``model.trace``
after a forward pass): ``strengths: (T, B, 2T)``, the deque's rows after step ``t`` at
:meth:`~nmbook.memory.deque.ContinuousDeque.strength_slice`, so the bottom row pushed at
step ``t`` sits at column ``T−1−t`` and the top row pushed at step ``t`` at column
``T+t``; ``u: (T, B, 2)`` holds the pop strengths, column 0 the top and column 1 the
bottom. Taught in: Part III, chapter 5.
"""

from __future__ import annotations

import numpy as np

from nmbook.memory.deque import ContinuousDeque


def _check_length(L: int, T: int) -> None:
    if isinstance(L, bool) or not isinstance(L, int | np.integer) or not 1 <= L < T:
        raise ValueError(
            f"L must be an integer with 1 <= L < T = {T} (the delimiter's "
            f"step), got {L!r}"
        )


def bottom_balance(
    strengths: np.ndarray, u: np.ndarray, L: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bottom end's bookkeeping at the delimiter of sequences of length ``L``.

    Args:
        strengths: ``(T, B, 2T)`` strengths of a deque controller's trace
            (``model.trace.strengths``).
        u: ``(T, B, 2)`` the trace's pop strengths (column 1: bottom).
        L: the input length; step ``L`` (0-based) is the delimiter.

    Returns:
        ``(residue, pop, kept)``, each ``(B,)``: the strength of the rows pushed at the
        bottom that is left when the input ends (after step ``L−1``), the bottom pop at
        the delimiter, and the strength of the first symbol's row (pushed on top at step
        0) after the delimiter step; ``kept = 1 − max(0, pop − residue)`` when the first
        symbol was pushed with strength 1 and nothing else touched it.
    """
    s = np.asarray(strengths, dtype=np.float64)
    g = np.asarray(u, dtype=np.float64)
    if s.ndim != 3 or s.shape[2] != 2 * s.shape[0]:
        raise ValueError(f"strengths must have shape (T, B, 2T), got {s.shape}")
    if g.shape != (*s.shape[:2], 2):
        raise ValueError(
            f"u must have shape {(*s.shape[:2], 2)} (a deque's two pops), got {g.shape}"
        )
    T = s.shape[0]
    _check_length(L, T)
    return s[L - 1, :, :T].sum(axis=1), g[L, :, 1], s[L, :, T]


def forward_balanced(model, x: np.ndarray, L: int) -> np.ndarray:
    """``model.forward(x)`` with one change: at the delimiter step ``L`` the bottom pop
    equals the residue.

    The pop's pre-activation is shifted so that its strength is the residue of
    :func:`bottom_balance` (clipped to ``[1e-6, 1 − 1e-6]``), so the pop clears what
    lies below the first symbol and nothing of it; every other step runs as trained. It
    records nothing (``model.trace`` stays that of the last ``forward``).

    Args:
        model: a trained ``MemoryController`` on a deque (``nmbook.memory.DEQUE``).
        x: ``(T, B, n_in)`` sequences of length ``L``, a delimiter at step ``L``.

    Returns:
        ``(T, B, n_out)``: the logits.
    """
    if not isinstance(getattr(model, "memory", None), ContinuousDeque):
        raise TypeError("model must be a MemoryController driving a deque")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[2] != model.n_in or x.shape[1] == 0:
        raise ValueError(
            f"x must have shape (T, B, {model.n_in}) with B > 0, got {x.shape}"
        )
    T, B, _ = x.shape
    _check_length(L, T)
    state, mstate = (
        model.cell.initial_state(B),
        model.memory.initial_state(B, model.width),
    )
    r, logits = np.zeros((B, model.read_width)), np.empty((T, B, model.n_out))
    for t in range(T):
        noise = None
        if t == L:
            # rows 0..L-1 are the bottom pushes; h is the h_t that model.step will
            # compute from the same inputs
            residue = np.clip(mstate[1][:, :L].sum(axis=1), 1e-6, 1.0 - 1e-6)
            h = model.cell.step(np.concatenate([x[t], r], axis=1), state)[0][0]
            # columns: push top, push bottom, pop top, pop bottom
            z_pop = model.head_preactivations(h)[:, 3]
            noise = np.zeros((B, 4))
            noise[:, 3] = np.log(residue / (1.0 - residue)) - z_pop
        logits[t], r, state, mstate, _ = model.step(x[t], r, state, mstate, noise)
    return logits
