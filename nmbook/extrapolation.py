"""Where a network heads beyond its data: the straight lines (affine tails) that a
network of ReLU-like units follows as its one input goes to ±∞.

A network built from linear layers and positively homogeneous activations (ReLU, leaky
ReLU, the identity) is piecewise linear with finitely many kinks, so beyond its last
kink on each side it is exactly affine, ``f(x) = s_± x + c_±``. The slopes are those of
Part IV, chapter 1's exercise on asymptotes, ``s_+ = f_0(1)`` and ``s_- = -f_0(-1)``
with every bias set to zero; :func:`affine_tails` reads the whole line (slope and
offset) off the network far out.

Taught in: Part IV, chapter 1 (*Why MLPs cannot count*).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def affine_tails(
    forward: Callable[[np.ndarray], np.ndarray], far: float = 1e6
) -> np.ndarray:
    """The affine tails ``s x + c`` of a one-input, one-output network.

    Each side is measured at ``|x| = far`` and ``2 far`` (both beyond every kink for
    the book's networks): ``s = (f(2X) − f(X)) / X`` and ``c = f(X) − s X`` with ``X =
    ±far``.

    Args:
        forward: maps ``x: (M, 1) -> (M, 1)`` (e.g. a model's ``forward``).
        far: how far out, > 0.

    Returns:
        ``(2, 2)`` array: row 0 the left tail ``(s_-, c_-)``, row 1 the right tail
        ``(s_+, c_+)``.
    """
    if not callable(forward):
        raise TypeError(f"forward must be callable, got {type(forward).__name__}")
    if not np.isfinite(far) or far <= 0:
        raise ValueError(f"far must be a positive finite number, got {far!r}")
    x = np.array([[-far], [-2 * far], [far], [2 * far]])
    y = np.asarray(forward(x), dtype=np.float64)
    if y.shape != (4, 1):
        raise ValueError(f"forward must map (M, 1) to (M, 1), got {y.shape}")
    y = y[:, 0]
    tails = np.empty((2, 2))
    for side, (x1, y1, y2) in enumerate(((-far, y[0], y[1]), (far, y[2], y[3]))):
        s = (y2 - y1) / x1
        tails[side] = s, y1 - s * x1
    return tails
