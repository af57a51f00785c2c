"""Minibatch gradient noise: the spread of per-sample gradients, the finite-population
prediction of the minibatch gradient's squared error, and its Monte Carlo measurement.

With per-sample gradients ``g_i`` (rows of ``per_sample: (N, P)``), full gradient
``ḡ = mean_i g_i`` and ``S² = Σ_i ‖g_i − ḡ‖² / (N − 1)``, a minibatch of ``B`` distinct
samples drawn without replacement has mean gradient ``g_B`` with

    E ‖g_B − ḡ‖² = S²/B · (N − B)/N.

Taught in: Part I (*Minibatching*, "Gradient noise against batch size").
"""

from __future__ import annotations

import numpy as np

from nmbook.layers import as_rng


def _per_sample(per_sample) -> np.ndarray:
    g = np.asarray(per_sample, dtype=np.float64)
    if g.ndim != 2 or g.shape[0] < 2:
        raise ValueError(
            f"per_sample must have shape (N, P) with N >= 2, got {g.shape}"
        )
    return g


def _batch_size(batch_size, n: int) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
        raise TypeError(
            f"batch_size must be an integer, got {type(batch_size).__name__}"
        )
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be in [1, {n}], got {batch_size}")
    return int(batch_size)


def gradient_spread(per_sample) -> float:
    """``S² = Σ_i ‖g_i − ḡ‖² / (N − 1)`` of per-sample gradients ``per_sample: (N, P)``
    (``P`` the number of parameters, flattened)."""
    g = _per_sample(per_sample)
    return float(np.sum((g - g.mean(axis=0)) ** 2) / (g.shape[0] - 1))


def predicted_noise(s2: float, batch_size: int, n: int) -> float:
    """``E ‖g_B − ḡ‖² = S²/B · (N − B)/N`` for a batch of ``B`` samples drawn without
    replacement from ``N`` (0 at ``B = N``)."""
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    if s2 < 0:
        raise ValueError(f"s2 must be non-negative, got {s2}")
    b = _batch_size(batch_size, n)
    return s2 / b * (n - b) / n


def measured_noise(
    per_sample, batch_size: int, n_draws: int, seed: int | np.random.Generator
) -> float:
    """Mean over ``n_draws`` random minibatches of ``‖g_B − ḡ‖²``, with ``g_B`` the mean
    of ``batch_size`` rows of ``per_sample: (N, P)`` drawn without replacement.

    The minibatch gradient of a loss that is a mean over samples is the mean of its
    samples' gradients, so the rows stand in for a backward pass per batch.
    """
    g = _per_sample(per_sample)
    b = _batch_size(batch_size, g.shape[0])
    if isinstance(n_draws, bool) or not isinstance(n_draws, int) or n_draws < 1:
        raise ValueError(f"n_draws must be a positive integer, got {n_draws!r}")
    rng = as_rng(seed)
    full = g.mean(axis=0)
    errors = [
        np.sum((g[rng.choice(g.shape[0], b, replace=False)].mean(axis=0) - full) ** 2)
        for _ in range(n_draws)
    ]
    return float(np.mean(errors))
