"""Small statistics for reporting results over seeds: a success rate always comes with
its interval.

Taught in: Part III, chapter 3 (rates over seeds), used wherever a chapter or benchmark
reports a rate.
"""

from __future__ import annotations

import math

import numpy as np


def wilson_interval(
    k: int, n: int, z: float = 1.959963984540054
) -> tuple[float, float]:
    """Wilson score interval for a binomial success rate ``k / n`` (default: 95%, ``z =
    Φ⁻¹(0.975)``).

    ``(c ± z √(p(1−p)/n + z²/4n²)) / (1 + z²/n)`` with ``p = k/n`` and ``c = p +
    z²/2n``: unlike the normal approximation it stays inside [0, 1] and is not empty at
    ``k = 0`` or ``k = n``.
    """
    if (
        isinstance(k, bool)
        or isinstance(n, bool)
        or not (isinstance(k, int) and isinstance(n, int))
    ):
        raise TypeError(
            f"k and n must be integers, got {type(k).__name__} and {type(n).__name__}"
        )
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
    if not z > 0:
        raise ValueError(f"z must be positive, got {z!r}")
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _check_count(k: int, n: int) -> None:
    if (
        isinstance(k, bool)
        or isinstance(n, bool)
        or not (isinstance(k, (int, np.integer)) and isinstance(n, (int, np.integer)))
    ):
        raise TypeError(
            f"k and n must be integers, got {type(k).__name__} and {type(n).__name__}"
        )
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")


def binomial_cdf(k: int, n: int, p: float) -> float:
    """``P(X ≤ k)`` for ``X ~ Binomial(n, p)``, summed exactly term by term."""
    if k < 0:
        return 0.0
    return min(
        1.0, sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))
    )


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper–Pearson) interval for a binomial rate ``k / n``.

    The lower end is the ``p`` at which ``P(X ≥ k) = α/2``, the upper end the ``p`` at
    which ``P(X ≤ k) = α/2`` (``α = 1 − confidence``); found by bisection on the exact
    binomial sums. At ``k = n`` the lower end is ``(α/2)^(1/n)``: 40/40 gives 0.912.
    """
    _check_count(k, n)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    tail = (1 - confidence) / 2

    def solve(f) -> float:  # f increasing in p, root in [0, 1]
        lo, hi = 0.0, 1.0
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
        return (lo + hi) / 2

    lower = 0.0 if k == 0 else solve(lambda p: 1 - binomial_cdf(k - 1, n, p) - tail)
    upper = 1.0 if k == n else solve(lambda p: tail - binomial_cdf(k, n, p))
    return lower, upper


def binomial_quantile(q: float, n: int, p: float) -> int:
    """The smallest ``k`` with ``P(X ≤ k) ≥ q`` for ``X ~ Binomial(n, p)``."""
    if not 0 < q < 1:
        raise ValueError(f"q must lie in (0, 1), got {q!r}")
    if not 0 <= p <= 1:
        raise ValueError(f"p must lie in [0, 1], got {p!r}")
    return next(k for k in range(n + 1) if binomial_cdf(k, n, p) >= q)


def live_floor(k: int, n: int, n_live: int, q: float = 0.001) -> int:
    """How many of ``n_live`` fresh runs a claim may require to succeed, given ``k / n``
    successes in a sweep.

    A live run is an independent draw, so the book asserts no more than the ``q``
    quantile of ``Binomial(n_live, p)`` with ``p`` the lower end of the sweep's 95%
    Clopper–Pearson interval: 40/40 in the sweep and 10 live seeds give 6.
    """
    _check_count(k, n)
    return binomial_quantile(q, n_live, clopper_pearson(k, n)[0])


def format_rate(k: int, n: int) -> str:
    """``"19/20 (95% CI 76–99%)"``: a count, its total and the Wilson interval in
    whole percent."""
    lo, hi = wilson_interval(k, n)
    return f"{k}/{n} (95% CI {100 * lo:.0f}–{100 * hi:.0f}%)"


def median_interval(values) -> tuple[float, float] | None:
    """Distribution-free 95% interval for a median: the order statistics ``x_(j)`` and
    ``x_(n+1−j)``.

    ``j`` is the largest index with ``P(Bin(n, ½) < j) ≤ 2.5%``, so the interval covers
    the true median with probability at least 95% whatever the distribution. ``values``:
    a sequence of ``n`` numbers. Returns ``(low, high)``, or ``None`` when ``n < 6``,
    where no such interval exists.
    """
    xs = sorted(float(v) for v in values)
    if any(math.isnan(x) for x in xs):
        raise ValueError("values must not contain NaN")
    n = len(xs)
    j, tail = 0, 0.0
    while j < n:
        tail_next = tail + math.comb(n, j) / 2**n  # P(Bin(n, 1/2) <= j)
        if tail_next > 0.025:
            break
        tail, j = tail_next, j + 1
    if j == 0:
        return None
    return xs[j - 1], xs[n - j]


def bootstrap_ci(
    values, statistic: str = "mean", n_boot: int = 4000, seed: int = 0
) -> tuple[float, float]:
    """95% percentile bootstrap interval for the mean or median of ``values`` (seeded,
    so the result is exact).

    ``values``: a sequence of ``n >= 2`` numbers (``inf`` is allowed for the median,
    e.g. a run that never succeeded). Draws ``n_boot`` resamples of size ``n`` with
    replacement from ``np.random.default_rng(seed)`` (one ``(n_boot, n)`` array), takes
    ``statistic`` (``"mean"`` or ``"median"``) of each and returns the 2.5th and 97.5th
    percentiles of those ``n_boot`` values, rounded outwards to the nearest resampled
    values, as ``(low, high)``. A mean over values that include ``inf`` is ``inf``.
    """
    if statistic not in ("mean", "median"):
        raise ValueError(f"statistic must be 'mean' or 'median', got {statistic!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 100:
        raise ValueError(f"n_boot must be an integer >= 100, got {n_boot!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    xs = np.asarray(values, dtype=float)
    if xs.ndim != 1 or xs.size < 2:
        raise ValueError(
            f"values must be a flat sequence of at least 2 numbers, got "
            f"shape {xs.shape}"
        )
    if np.isnan(xs).any():
        raise ValueError("values must not contain NaN")
    resamples = np.random.default_rng(seed).choice(xs, size=(n_boot, xs.size))
    stats = (
        resamples.mean(axis=1) if statistic == "mean" else np.median(resamples, axis=1)
    )
    # the order statistics just outside the 2.5% and 97.5% points, so that an ``inf`` is
    # never interpolated
    return float(np.percentile(stats, 2.5, method="lower")), float(
        np.percentile(stats, 97.5, method="higher")
    )
