"""Seed sweep behind Part II's exercise *Does Rprop really fail on minibatches?*: Rprop,
full batch vs minibatches.

The chapter's adder (16 tanh units, ``adder_rnn(16, rng=seed)``) on its 2,000 training
sums of 7-bit numbers (``random_additions(2000, 7, seed=0)``) is trained with
``Rprop(lr=0.01)`` (η = (0.5, 1.2), Δ in [1e-6, 50]) for 100 full-batch updates, and
separately for 10 epochs of shuffled minibatches of 100 (200 updates, loader seeded with
``seed``). Each row records the whole-sum accuracy on the 14,496 held-out pairs and the
median step size Δ over all parameter entries at the end. The full-batch runs are the
baseline, in the same process: the script prints how many seeds each setting solves.

Run: ``python benchmarks/rprop_binary_addition.py [--seeds N]`` (about 20 seconds on one
idle core) — writes ``benchmarks/results/rprop_binary_addition.csv``, one row per
setting and seed.
``--jobs N``, ``--resume`` and ``--dask ADDRESS`` are the sweep runner's
(``benchmarks/_common.py``): the rows are the same for every ``--jobs``.
"""

from __future__ import annotations

import argparse
from functools import cache

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.optim import Rprop
from nmbook.stats import format_rate
from nmbook.tasks.binary_addition import (
    adder_rnn,
    random_additions,
    sum_accuracy,
    train_adder,
    unseen_pairs,
)

# (label, batch size, epochs)
SETTINGS = (("full batch", 2000, 100), ("minibatch", 100, 10))
OUT = _common.RESULTS / "rprop_binary_addition.csv"
FIELDS = ["setting", "seed", "held_out_acc", "median_step_size"]


@cache
def chapter_data():
    train = random_additions(2000, 7, seed=0)
    return train, unseen_pairs(train, 7)


def run(seed: int) -> list[dict]:
    """Both settings for one seed: two rows."""
    train, held_out = chapter_data()
    rows = []
    for label, bs, epochs in SETTINGS:
        m = adder_rnn(16, rng=seed)
        opt = Rprop(m.parameters(), lr=0.01)
        train_adder(m, train, opt, epochs=epochs, batch_size=bs, seed=seed)
        delta = np.concatenate([d.ravel() for d in opt.step_size])
        acc = sum_accuracy(m.forward(held_out.x), held_out.target)
        rows.append(
            {
                "setting": label,
                "seed": seed,
                "held_out_acc": f"{acc:.4f}",
                "median_step_size": f"{np.median(delta):.3e}",
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=20)
    add_arguments(parser)
    args = parser.parse_args()
    keys = [{"seed": s} for s in range(args.seeds)]
    rows = sweep(run, keys, OUT, FIELDS, **sweep_options(args))
    for label, _, _ in SETTINGS:
        acc = [float(r["held_out_acc"]) for r in rows if r["setting"] == label]
        steps = [float(r["median_step_size"]) for r in rows if r["setting"] == label]
        print(
            f"{label:10s}: 100% held-out in "
            f"{format_rate(sum(a == 1.0 for a in acc), len(acc))}; median "
            f"step "
            f"size at the end {min(steps):.1e}..{max(steps):.1e}"
        )


if __name__ == "__main__":
    main()
