"""Does the source post's misplaced ε change training? (Part II, *An RNN from scratch,
part 2*, a note on its RMSProp.)

The post's RMSProp step is ``η g / √v + ε`` (``nmbook.optim.RMSPropEpsOutside``), the
chapter's ``η g / (√v + ε)`` (``nmbook.optim.RMSProp``). With ε = 1e-6 and Nesterov
momentum 0.8 the misplaced ε moves every weight by an extra −5e-6 per step once the
velocity has settled. This script trains both rules on the chapter's data (training set
``random_additions(2000, 7, seed=0)``, every other 7-bit pair held out, batches of 100
reshuffled every epoch, 20 epochs, no early stopping) for two settings — the chapter's
(16 hidden units, η 0.01, α 0.9, μ 0.8) and the post's (3 units, η 0.05, α 0.5, μ 0.8) —
and ``--seeds`` seeds (default 20; the same seed gives both rules the same
initialisation and minibatches), and records the held-out whole-sum accuracy after
epochs 5 and 20, the first epoch at 100% and the mean weight difference between the two
rules at the end.

The baseline, run in the same process, is the chapter's rule (ε inside): the script
prints, per setting, the seeds solved by each rule and the seeds whose outcome the rule
changes.

Run: ``python benchmarks/binary_addition_eps.py [--seeds N]`` (about 2 minutes on one
idle core) — writes ``benchmarks/results/binary_addition_eps.csv``, one row per setting,
rule and seed.
``--jobs N``, ``--resume`` and ``--dask ADDRESS`` are the sweep runner's
(``benchmarks/_common.py``): the rows are the same for every ``--jobs``.
"""

from __future__ import annotations

import argparse
from functools import cache

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.optim import RMSProp, RMSPropEpsOutside
from nmbook.tasks.binary_addition import (
    adder_rnn,
    random_additions,
    train_adder,
    unseen_pairs,
)

N_TRAIN, N_BITS, EPOCHS = 2000, 7, 20
#: hidden units and (η, α); μ = 0.8 and ε = 1e-6 in both
SETTINGS = {"chapter (H=16)": (16, 0.01, 0.9), "post (H=3)": (3, 0.05, 0.5)}
RULES = ("inside", "outside")
OUT = _common.RESULTS / "binary_addition_eps.csv"
FIELDS = [
    "settings",
    "eps_rule",
    "seed",
    "held_out_acc_5",
    "held_out_acc_20",
    "solved_epoch",
    "mean_weight_shift",
]


def make(rule: str, params, lr: float, alpha: float):
    if rule == "inside":
        return RMSProp(params, lr, alpha=alpha, eps=1e-6, momentum=0.8, nesterov=True)
    return RMSPropEpsOutside(params, lr, alpha=alpha, eps=1e-6, momentum=0.8)


@cache
def chapter_data():
    train = random_additions(N_TRAIN, N_BITS, seed=0)
    return train, unseen_pairs(train, N_BITS)


def run(settings: str, seed: int) -> list[dict]:
    """Both rules on one setting and seed: two rows."""
    hidden, lr, alpha = SETTINGS[settings]
    train, held_out = chapter_data()
    rows, finals = [], {}
    for rule in RULES:
        m = adder_rnn(hidden, rng=seed)
        hist = train_adder(
            m,
            train,
            make(rule, m.parameters(), lr, alpha),
            epochs=EPOCHS,
            seed=seed,
            held_out=held_out,
            stop_when_solved=False,
        )
        finals[rule] = np.concatenate([p.value.ravel() for p in m.parameters()])
        acc = hist["held_out_acc"]
        rows.append(
            {
                "settings": settings,
                "eps_rule": rule,
                "seed": seed,
                "held_out_acc_5": f"{acc[4]:.6f}",
                "held_out_acc_20": f"{acc[19]:.6f}",
                "solved_epoch": ""
                if hist["solved_epoch"] is None
                else hist["solved_epoch"],
            }
        )
    shift = float(np.mean(finals["outside"] - finals["inside"]))
    for r in rows:
        r["mean_weight_shift"] = f"{shift:.6g}"
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=20)
    add_arguments(parser)
    args = parser.parse_args()
    keys = [
        {"settings": label, "seed": seed}
        for label in SETTINGS
        for seed in range(args.seeds)
    ]
    rows = sweep(run, keys, OUT, FIELDS, **sweep_options(args))
    for label in SETTINGS:
        by = {
            rule: {
                int(r["seed"]): r
                for r in rows
                if r["settings"] == label and r["eps_rule"] == rule
            }
            for rule in RULES
        }
        solved = {
            rule: sum(r["held_out_acc_20"] == "1.000000" for r in by[rule].values())
            for rule in RULES
        }
        changed = sum(
            by["inside"][s]["solved_epoch"] != by["outside"][s]["solved_epoch"]
            for s in by["inside"]
        )
        print(
            f"{label}: 100% after 20 epochs, inside "
            f"{solved['inside']}/{args.seeds} (baseline), outside "
            f"{solved['outside']}/{args.seeds}; first epoch at 100% "
            f"differs in {changed} seeds"
        )


if __name__ == "__main__":
    main()
