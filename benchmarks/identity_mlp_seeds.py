"""Seed sweep of Part IV, chapter 1's identity task (the NALU paper's Figure 1): what
holds in every seed?

The chapter trains 8 seeds per activation live and plots their mean; this sweep trains
the same configuration — ``nmbook.tasks.arithmetic.fit_identity_mlp`` with its defaults
(1 → 8 → 8 → 8 → 1, Adam 1e-2, batches of 64 from U[−5, 5], 3,000 steps) — for more
seeds and records every seed's absolute error on the chapter's test grid (401 points in
[−20, 20]): the mean inside the training range (``in_range``, |x| ≤ 5) and outside it
(``out_of_range``), the error at x = −20 and x = 20, and the least-squares slope of the
error against |x| on 10 ≤ |x| ≤ 20 on each side (``slope_neg``, ``slope_pos``; 1 means
the output has become a constant, 0 a perfect copy). A bound that every seed satisfies
also holds for the chapter's mean over any 8 of them.

Run: ``python benchmarks/identity_mlp_seeds.py [--seeds N]`` (default 30 seeds; about 3
minutes on one core) — writes ``benchmarks/results/identity_mlp_seeds.csv`` and prints,
per activation, the range over seeds of each quantity.
``--jobs N``, ``--resume`` and ``--dask ADDRESS`` are the sweep runner's
(``benchmarks/_common.py``): the rows are the same for every ``--jobs``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.tasks.arithmetic import IDENTITY_ACTIVATIONS, fit_identity_mlp

OUT = _common.RESULTS / "identity_mlp_seeds.csv"
X_TEST = np.linspace(-20.0, 20.0, 401)[:, None]  # the chapter's grid
FIELDS = [
    "activation",
    "seed",
    "in_range",
    "out_of_range",
    "err_neg20",
    "err_pos20",
    "slope_neg",
    "slope_pos",
]


def measure(activation: str, seed: int) -> dict:
    """Train one model as the chapter does and measure its absolute error on the
    chapter's grid."""
    x = X_TEST[:, 0]
    err = np.abs(fit_identity_mlp(activation, seed).forward(X_TEST) - X_TEST)[:, 0]
    inside = np.abs(x) <= 5.0
    pos, neg = (x >= 10.0), (x <= -10.0)
    return {
        "activation": activation,
        "seed": seed,
        "in_range": f"{err[inside].mean():.4g}",
        "out_of_range": f"{err[~inside].mean():.4g}",
        "err_neg20": f"{err[0]:.4g}",
        "err_pos20": f"{err[-1]:.4g}",
        "slope_neg": f"{np.polyfit(-x[neg], err[neg], 1)[0]:.4g}",
        "slope_pos": f"{np.polyfit(x[pos], err[pos], 1)[0]:.4g}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--out", type=Path, default=OUT)
    add_arguments(parser)
    args = parser.parse_args()
    keys = [
        {"activation": name, "seed": s}
        for name in IDENTITY_ACTIVATIONS
        for s in range(args.seeds)
    ]
    rows = sweep(measure, keys, args.out, FIELDS, **sweep_options(args))
    print(
        f"{'activation':>10s}  "
        + "  ".join(f"{f:>17s}" for f in FIELDS[2:])
        + "   (min .. max over seeds)"
    )
    for name in IDENTITY_ACTIVATIONS:
        runs = [r for r in rows if r["activation"] == name]
        cols = [np.array([float(r[f]) for r in runs]) for f in FIELDS[2:]]
        print(
            f"{name:>10s}  "
            + "  ".join(f"{c.min():7.3g} .. {c.max():<7.3g}" for c in cols)
        )


if __name__ == "__main__":
    main()
