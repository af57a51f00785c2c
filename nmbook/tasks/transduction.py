"""Sequence transduction tasks of Grefenstette et al. (2015): copy, reversal and bigram
flipping.

A sample of length L over a vocabulary of ``vocab`` symbols is laid out in time as::

    t = 0 .. L-1     input: the symbols (one-hot)          target: none
    t = L            input: the delimiter                  target: none
    t = L+1 .. 2L    input: blank (all zeros)              target: the result
    t > 2L           padding (all zeros)                   target: none

Inputs have ``vocab + 1`` channels (the last one is the delimiter). The loss mask is 1
only on the output phase. Taught in: Part III, chapters 3–5.
"""

from __future__ import annotations

import numpy as np

TASKS = ("copy", "reverse", "bigram_flip")


def transform(task: str, seq: np.ndarray) -> np.ndarray:
    """The target of ``task`` for symbol rows ``seq: (B, L)``: copy, reversal, or swap
    of each adjacent pair
    (``a b c d e -> b a d c e``; an odd last symbol stays)."""
    if task == "copy":
        return seq.copy()
    if task == "reverse":
        return seq[:, ::-1].copy()
    if task == "bigram_flip":
        out = seq.copy()
        n = seq.shape[1] // 2 * 2
        out[:, 0:n:2], out[:, 1:n:2] = seq[:, 1:n:2], seq[:, 0:n:2]
        return out
    raise ValueError(f"task must be one of {TASKS}, got {task!r}")


def check_lengths(lengths: np.ndarray) -> np.ndarray:
    """``lengths`` as an array, checked to be ``(B,)`` integers >= 1 with B >= 1.

    Raises:
        ValueError: otherwise (the message names ``lengths``).
    """
    lengths = np.asarray(lengths)
    if (
        lengths.ndim != 1
        or lengths.size == 0
        or not np.issubdtype(lengths.dtype, np.integer)
    ):
        raise ValueError(
            f"lengths must be a non-empty 1-D integer array, got {lengths!r}"
        )
    if lengths.min() < 1:
        raise ValueError(f"lengths must be >= 1, got minimum {lengths.min()}")
    return lengths


def transduction_batch(
    task: str,
    lengths: np.ndarray | int,
    vocab: int,
    rng: np.random.Generator,
    batch: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A batch of random sequences and their targets for ``task``.

    Args:
        task: ``"copy"``, ``"reverse"`` or ``"bigram_flip"``.
        lengths: one length for the whole batch (then ``batch`` is required) or ``(B,)``
            lengths ≥ 1.
        vocab: number of symbols (≥ 1); symbols are drawn uniformly.
        rng: the generator that draws the symbols.

    Returns:
        ``x: (T, B, vocab + 1)`` one-hot inputs, ``targets: (T, B)`` integer symbols (0
        where masked) and ``mask: (T, B)`` with ``T = 2 max(lengths) + 1``.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    if not isinstance(vocab, int | np.integer) or vocab < 1:
        raise ValueError(f"vocab must be a positive integer, got {vocab!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    if np.ndim(lengths) == 0:
        if batch is None or batch < 1:
            raise ValueError(
                f"batch must be a positive integer when lengths is a single "
                f"int, got {batch!r}"
            )
        lengths = np.full(batch, int(lengths))
    lengths = check_lengths(lengths)
    B, Lmax = lengths.size, int(lengths.max())
    T = 2 * Lmax + 1
    x = np.zeros((T, B, vocab + 1))
    targets = np.zeros((T, B), dtype=np.int64)
    mask = np.zeros((T, B))
    symbols = rng.integers(0, vocab, size=(B, Lmax))
    for L in np.unique(lengths):
        idx = np.flatnonzero(lengths == L)
        seq = symbols[idx, :L]
        x[np.arange(L)[:, None], idx[None, :], seq.T] = 1.0
        x[L, idx, vocab] = 1.0
        targets[L + 1 : 2 * L + 1, idx] = transform(task, seq).T
        mask[L + 1 : 2 * L + 1, idx] = 1.0
    return x, targets, mask
