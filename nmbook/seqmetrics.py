"""Accuracy metrics of a transducer's predictions: which sequences are right, and how
many symbols.

:func:`sequences_correct` tells, per sequence, whether every output symbol is right (its
mean is the "coarse" accuracy) and :func:`symbol_accuracy` is the fraction of right
output symbols (the book's "fine" accuracy); both are what
:func:`nmbook.seqtrain.accuracy_by_length` reports. Grefenstette et al. (2015) score
instead the symbols a model produces *before its first error*: :func:`prefix_accuracy`
computes their version from the same predictions, so the two can be compared.
Taught in: Part III, chapters 3–5.
"""

from __future__ import annotations

import numpy as np


def _checked(pred, targets, mask) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(pred, targets, mask)`` as arrays, after checking shapes, dtypes and the 0/1
    mask."""
    pred, targets = np.asarray(pred), np.asarray(targets)
    m = np.asarray(mask, dtype=np.float64)
    if pred.ndim != 2 or pred.shape != targets.shape or pred.shape != m.shape:
        raise ValueError(
            f"pred, targets and mask must have the same (T, B) shape, got "
            f"{pred.shape}, {targets.shape}, {m.shape}"
        )
    if not np.issubdtype(pred.dtype, np.integer) or not np.issubdtype(
        targets.dtype, np.integer
    ):
        raise TypeError(
            f"pred and targets must be integer arrays, got {pred.dtype} "
            f"and {targets.dtype}"
        )
    if not np.all((m == 0) | (m == 1)):
        raise ValueError("mask must hold only 0s and 1s")
    return pred, targets, m


def sequences_correct(
    pred: np.ndarray, targets: np.ndarray, mask: np.ndarray
) -> np.ndarray:
    """Whether each sequence has every output symbol right (steps outside ``mask`` do
    not count).

    Args:
        pred, targets: ``(T, B)`` integer symbols; mask: ``(T, B)`` of 0s and 1s marking
        the output steps.

    Returns:
        ``(B,)`` booleans; their mean is the coarse (whole-sequence) accuracy.
    """
    pred, targets, m = _checked(pred, targets, mask)
    return ((pred == targets) | (m == 0)).all(axis=0)


def symbol_accuracy(pred: np.ndarray, targets: np.ndarray, mask: np.ndarray) -> float:
    """The fraction of output symbols (``mask == 1``) that are right: the book's fine
    accuracy.

    Args:
        pred, targets: ``(T, B)`` integer symbols; mask: ``(T, B)`` of 0s and 1s, at
        least one 1.
    """
    pred, targets, m = _checked(pred, targets, mask)
    if not m.any():
        raise ValueError("mask must mark at least one output step")
    return float(np.sum((pred == targets) * m) / m.sum())


def prefix_accuracy(pred: np.ndarray, targets: np.ndarray, mask: np.ndarray) -> float:
    """Mean over sequences of the fraction of output symbols that come before the first
    error.

    A sequence with ``n`` output steps (``mask == 1``) whose first wrong symbol is its
    ``j``-th (from 1) scores ``(j − 1) / n``; one without an error scores 1.

    Args:
        pred: ``(T, B)`` predicted symbols (integers).
        targets: ``(T, B)`` target symbols.
        mask: ``(T, B)`` of 0s and 1s marking the output steps; every sequence needs at
            least one.

    Returns:
        A float in [0, 1]. Per sequence the score is never above that sequence's
        fraction of right symbols, so when every sequence has the same number of output
        steps the mean is never above :func:`symbol_accuracy` of the same predictions.
        With unequal lengths it can be: this mean weights every sequence alike,
        :func:`symbol_accuracy` every symbol alike (a right sequence of length 1 and a
        wholly wrong one of length 9 score 0.5 here against 0.1).
    """
    pred, targets, m = _checked(pred, targets, mask)
    n = m.sum(axis=0)
    if np.any(n == 0):
        raise ValueError(
            "mask must mark at least one output step in every sequence (column)"
        )
    wrong = (pred != targets) & (m == 1)
    seen_error = np.cumsum(wrong, axis=0) > 0  # True from the first error on
    before = np.sum(m * ~seen_error, axis=0)  # output steps before the first error
    return float(np.mean(before / n))
