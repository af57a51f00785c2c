"""Where Part IV, chapter 1's ReLU networks head beyond the data: each seed's affine
tails.

A network of ReLUs (or leaky ReLUs) is exactly affine beyond its last kink on each
side, ``x̂ = s_± x + c_±``. This sweep trains the chapter's models
(``nmbook.tasks.arithmetic.fit_identity_mlp``, its defaults: 1 → 8 → 8 → 8 → 1, Adam
1e-2, batches of 64 from U[−5, 5], 3,000 steps; seeds 0–29, the seeds of
``identity_mlp_seeds.csv``) and records each seed's tails
(``nmbook.extrapolation.affine_tails``: ``slope_neg, offset_neg, slope_pos,
offset_pos``) and its signed miss ``x̂ − x`` at x = −20 and x = 20 (``miss_neg20``,
``miss_pos20``), so that the chapter can say in which direction single seeds miss,
which its mean absolute error hides.

Each run's affine-tail measurement is timed against its training in the same process;
the script prints the ratio and, per activation, how many seeds miss above or below the
target on each side and the range of the slopes.

Run: ``python benchmarks/identity_mlp_tails.py [--seeds N] [--jobs N] [--resume]
[--dask ADDRESS]`` (default 30 seeds per activation; about 1 minute on one idle core)
— writes ``benchmarks/results/identity_mlp_tails.csv``.
"""

from __future__ import annotations

import argparse
import time

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.extrapolation import affine_tails
from nmbook.tasks.arithmetic import fit_identity_mlp

OUT = _common.RESULTS / "identity_mlp_tails.csv"
ACTIVATIONS = ("ReLU", "LeakyReLU")
FIELDS = [
    "activation",
    "seed",
    "slope_neg",
    "offset_neg",
    "slope_pos",
    "offset_pos",
    "miss_neg20",
    "miss_pos20",
    "tails_vs_training",
]


def run(activation: str, seed: int) -> dict:
    t0 = time.perf_counter()
    model = fit_identity_mlp(activation, seed)
    t1 = time.perf_counter()
    (s_neg, c_neg), (s_pos, c_pos) = affine_tails(model.forward)
    t2 = time.perf_counter()
    miss = model.forward(np.array([[-20.0], [20.0]]))[:, 0] - np.array([-20.0, 20.0])
    return {
        "activation": activation,
        "seed": seed,
        "slope_neg": f"{s_neg:.6g}",
        "offset_neg": f"{c_neg:.6g}",
        "slope_pos": f"{s_pos:.6g}",
        "offset_pos": f"{c_pos:.6g}",
        "miss_neg20": f"{miss[0]:.6g}",
        "miss_pos20": f"{miss[1]:.6g}",
        "tails_vs_training": f"{(t2 - t1) / (t1 - t0):.2g}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=30)
    add_arguments(parser)
    args = parser.parse_args()
    keys = [
        {"activation": a, "seed": s} for a in ACTIVATIONS for s in range(args.seeds)
    ]
    rows = sweep(run, keys, OUT, FIELDS, **sweep_options(args))
    ratio = [float(r["tails_vs_training"]) for r in rows]
    print(f"affine tails cost {np.median(ratio):.1e} of a training run (median)")
    for a in ACTIVATIONS:
        runs = [r for r in rows if r["activation"] == a]
        n = len(runs)
        for side in ("neg", "pos"):
            miss = np.array([float(r[f"miss_{side}20"]) for r in runs])
            slope = np.array([float(r[f"slope_{side}"]) for r in runs])
            print(
                f"{a:>9s} x = {'-' if side == 'neg' else '+'}20: above the target "
                f"{int((miss > 0).sum())}/{n}, below {int((miss < 0).sum())}/{n}; "
                f"slopes {slope.min():.3f} .. {slope.max():.3f}"
            )


if __name__ == "__main__":
    main()
