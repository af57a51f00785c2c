"""How discrete a controller's gates are: the fraction of push and pop strengths that
sit at 0 or 1.

A controller that runs the stack algorithm pushes and pops with strengths of exactly 0
or 1; one that fits its training lengths with blends keeps them in between.
:func:`gate_discreteness` turns a heat map of the gates into one number that tells the
two apart. Taught in: Part III, chapter 4 (exercises).
"""

from __future__ import annotations

import numpy as np


def gate_discreteness(
    gates: np.ndarray, mask: np.ndarray | None = None, tol: float = 0.05
) -> float:
    """The fraction of gate values within ``tol`` of 0 or of 1.

    Args:
        gates: push or pop strengths in [0, 1], ``(T, B)`` (one end) or ``(T, B, k)``
            (``k`` ends, e.g. a deque's ``(T, B, 2)``), such as the ``d`` or ``u`` of a
            :class:`~nmbook.controller.ControllerTrace` (``model.trace.d``).
        mask: optional ``(T, B)`` weights of 0 or 1 selecting the steps that count (e.g.
            the input phase); every value at a selected step counts, at all ``k`` ends.
            None: every step.
        tol: the distance from 0 or 1 that still counts as discrete, in (0, 0.5).

    Returns:
        float: the score, between 0 and 1; it is 1 when every selected value is within
            ``tol`` of 0 or 1.
    """
    g = np.asarray(gates, dtype=np.float64)
    if g.ndim not in (2, 3) or g.size == 0:
        raise ValueError(
            f"gates must be a non-empty (T, B) or (T, B, k) array, got shape {g.shape}"
        )
    if not np.all((g >= 0) & (g <= 1)):
        raise ValueError("gates must lie in [0, 1] (strengths after the sigmoid)")
    if isinstance(tol, bool) or not isinstance(tol, int | float) or not 0 < tol < 0.5:
        raise ValueError(f"tol must be a number in (0, 0.5), got {tol!r}")
    if mask is None:
        m = np.ones(g.shape[:2])
    else:
        m = np.asarray(mask, dtype=np.float64)
        if m.shape != g.shape[:2]:
            raise ValueError(
                f"mask must have shape {g.shape[:2]} (the gates' (T, B)), got {m.shape}"
            )
        if not np.all((m == 0) | (m == 1)) or not m.any():
            raise ValueError("mask must hold 0s and 1s and select at least one step")
    near = (np.minimum(g, 1.0 - g) <= tol).astype(np.float64)
    if g.ndim == 3:
        m = np.broadcast_to(m[:, :, None], g.shape)
    return float(np.sum(near * m) / np.sum(m))
