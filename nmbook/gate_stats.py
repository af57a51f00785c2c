"""How discrete a controller's gates are, and how far that lets it reverse.

A controller that runs the stack algorithm pushes and pops with strengths of exactly 0
or 1; one that fits its training lengths with blends keeps them in between.
:func:`gate_discreteness` turns a heat map of the gates into one number that tells the
two apart. :func:`gate_sharpness` reduces a reversal controller's four phase-mean gates
to the one closest to failing, and :func:`reversal_length_bound` turns its leak into
the longest length a stack pushed that leakily still reverses. Taught in: Part III,
chapter 3 (sharpness against length) and chapter 4 (exercises).
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


def gate_sharpness(d_in, u_in, d_out, u_out):
    """A reversal controller's gate sharpness ``δ = min(d_in, 1 − u_in, 1 − d_out,
    u_out)``: how close its least ideal gate is to the algorithm's value.

    The algorithm pushes (d = 1) and does not pop (u = 0) while it reads, then pops
    (u = 1) and does not push (d = 0) while it writes; each term is 1 at that ideal,
    and ``1 − δ`` is the largest leak. Args: the mean push and pop strengths while
    reading (``d_in``, ``u_in``) and while writing (``d_out``, ``u_out``), numbers or
    arrays of one shape (e.g. one entry per run), each in [0, 1]. Returns ``δ`` (a
    float, or an array of that shape).
    """
    gates = [np.asarray(g, dtype=np.float64) for g in (d_in, u_in, d_out, u_out)]
    for name, g in zip(("d_in", "u_in", "d_out", "u_out"), gates, strict=True):
        if not np.all((g >= 0) & (g <= 1)):
            raise ValueError(f"{name} must lie in [0, 1], got {g!r}")
    d_in, u_in, d_out, u_out = np.broadcast_arrays(*gates)
    delta = np.minimum.reduce([d_in, 1.0 - u_in, 1.0 - d_out, u_out])
    return float(delta) if delta.ndim == 0 else delta


def reversal_length_bound(delta):
    """``L*(δ) = ⌈1 / (2(1 − δ))⌉``: the longest length that the discrete reversal
    schedule still reverses when every push has strength ``δ`` (infinite at δ = 1).

    Each pop of strength 1 then takes ``1 − δ`` more than the row it should return, so
    the read drifts down the stack by ``1 − δ`` per output step; at step ``k`` the right
    symbol keeps weight ``1 − k(1 − δ)`` and the one below gets ``k(1 − δ)``, and the
    right one wins while ``k(1 − δ) < 1/2`` (chapter 3, exercise "How far does a
    fractional push carry?"). Args: ``delta`` in (0, 1], a number or an array. Returns
    ``L*`` as floats of the same shape (``inf`` where ``δ = 1``).
    """
    d = np.asarray(delta, dtype=np.float64)
    if not np.all((d > 0) & (d <= 1)):
        raise ValueError(f"delta must lie in (0, 1], got {delta!r}")
    with np.errstate(divide="ignore"):
        bound = np.ceil(1.0 / (2.0 * (1.0 - d)))
    return float(bound) if bound.ndim == 0 else bound
