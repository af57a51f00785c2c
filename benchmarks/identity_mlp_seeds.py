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
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from nmbook.tasks.arithmetic import IDENTITY_ACTIVATIONS, fit_identity_mlp  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "identity_mlp_seeds.csv"
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
    args = parser.parse_args()
    rows = []
    print(
        f"{'activation':>10s}  "
        + "  ".join(f"{f:>17s}" for f in FIELDS[2:])
        + "   (min .. max over seeds)"
    )
    for name in IDENTITY_ACTIVATIONS:
        runs = [measure(name, s) for s in range(args.seeds)]
        rows += runs
        cols = [np.array([float(r[f]) for r in runs]) for f in FIELDS[2:]]
        print(
            f"{name:>10s}  "
            + "  ".join(f"{c.min():7.3g} .. {c.max():<7.3g}" for c in cols),
            flush=True,
        )
    args.out.parent.mkdir(exist_ok=True)
    with args.out.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {args.out} ({len(rows)} runs, {args.seeds} seeds per activation)")


if __name__ == "__main__":
    main()
