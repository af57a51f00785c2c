"""Seed sweep of Part II's live run (*An RNN from scratch, part 2*): which of its claims
hold in every seed?

The chapter trains ten seeds live and draws claims from them: every seed reaches 100%
whole-sum accuracy on all held-out pairs and is still there after 20 epochs; one hidden
unit tracks the carry (|r| > 0.8) and a linear read-out of the state recovers it
exactly; the weights add 16-, 32- and 64-bit numbers. A reader's machine follows other
trajectories, so the notebook may only assert what holds in essentially every seed. This
script trains exactly the chapter's configuration for ``--seeds`` seeds (default 40;
seeds 0–9 are the chapter's own): the training set ``random_additions(2000, 7,
seed=0)``, every other 7-bit pair held out, ``adder_rnn(16, rng=seed)``, RMSProp with
Nesterov momentum (lr 0.01, α 0.9, μ 0.8, ε 1e-6), minibatches of 100 shuffled with
``seed``, 20 epochs without early stopping, and measures each run as the chapter does:

* ``solved_epoch`` (first epoch with 100% held-out), ``final_held_out_acc``,
  ``epochs_below_after_solved`` (how many epochs after ``solved_epoch`` fell below 100%
  again);
* the carry probe on ``random_additions(500, 16, seed=5)``: ``best_r`` (largest |Pearson
  r| of one unit with the true carry), ``units_r_above_0.5`` and the linear probe's
  accuracy ``probe_acc`` (least squares, threshold ½);
* ``acc_16``, ``acc_32``, ``acc_64``: whole-sum accuracy on ``random_additions(2000, n,
  seed=100 + n)``.

The baseline, run in the same process, is the seed-0 run: the script prints the other
seeds' training times as a ratio to it, and the findings: how many seeds satisfy each
claim of the chapter.

Run: ``python benchmarks/binary_addition_seeds.py [--seeds N] [--jobs N] [--resume]
[--dask ADDRESS]`` (about 1 minute on one idle core) — writes
``benchmarks/results/binary_addition_seeds.csv``, one row per seed. The carry is
:func:`nmbook.recipes.carries`, the chapter's own.
"""

from __future__ import annotations

import argparse
import time
from functools import cache

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.recipes import carries
from nmbook.tasks.binary_addition import (
    adder_rnn,
    make_optimizer,
    random_additions,
    sum_accuracy,
    train_adder,
    unseen_pairs,
)

N_TRAIN, N_BITS, HIDDEN, BATCH, EPOCHS, LR = 2000, 7, 16, 100, 20, 0.01
LENGTHS = (16, 32, 64)
OUT = _common.RESULTS / "binary_addition_seeds.csv"
FIELDS = [
    "seed",
    "solved_epoch",
    "final_held_out_acc",
    "epochs_below_after_solved",
    "best_r",
    "units_r_above_0.5",
    "probe_acc",
    "acc_16",
    "acc_32",
    "acc_64",
    "seconds",
]


@cache
def chapter_data():
    """The training set, the held-out pairs, the carry probe and its carries, the long
    test sums (fixed seeds: the same in every process)."""
    train = random_additions(N_TRAIN, N_BITS, seed=0)
    probe = random_additions(500, 16, seed=5)
    tests = {n: random_additions(2000, n, seed=100 + n) for n in LENGTHS}
    return train, unseen_pairs(train, N_BITS), probe, carries(probe), tests


def run(seed: int) -> dict:
    return one_seed(seed, *chapter_data())


def train_seed(seed: int, train, held_out):
    """The chapter's live run for one seed: ``(model, history, seconds)``. Also used by
    ``binary_addition_automaton.py``."""
    model = adder_rnn(HIDDEN, rng=seed)
    opt = make_optimizer("RMSProp+Nesterov", model.parameters(), lr=LR)
    t0 = time.perf_counter()
    hist = train_adder(
        model,
        train,
        opt,
        epochs=EPOCHS,
        batch_size=BATCH,
        seed=seed,
        held_out=held_out,
        stop_when_solved=False,
    )
    return model, hist, time.perf_counter() - t0


def one_seed(seed: int, train, held_out, probe, carry, tests) -> dict:
    model, hist, seconds = train_seed(seed, train, held_out)
    solved = hist["solved_epoch"]
    accs = hist["held_out_acc"]
    below = "" if solved is None else sum(a < 1.0 for a in accs[solved:])
    h = model[0].forward(probe.x).reshape(-1, HIDDEN)
    r = np.abs([np.corrcoef(h[:, j], carry.ravel())[0, 1] for j in range(HIDDEN)])
    A = np.c_[h, np.ones(len(h))]
    fit = A @ np.linalg.lstsq(A, carry.ravel(), rcond=None)[0]
    row = {
        "seed": seed,
        "solved_epoch": "" if solved is None else solved,
        "final_held_out_acc": f"{accs[-1]:.6f}",
        "epochs_below_after_solved": below,
        "best_r": f"{r.max():.4f}",
        "units_r_above_0.5": int(np.sum(r > 0.5)),
        "probe_acc": f"{np.mean((fit > 0.5) == carry.ravel()):.6f}",
        "seconds": f"{seconds:.2f}",
    }
    for n, d in tests.items():
        row[f"acc_{n}"] = f"{sum_accuracy(model.forward(d.x), d.target):.6f}"
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=40)
    add_arguments(parser)
    args = parser.parse_args()
    rows = sweep(
        run,
        [{"seed": s} for s in range(args.seeds)],
        OUT,
        FIELDS,
        note=lambda rs: ", ".join(f"{k} {v}" for k, v in rs[0].items() if k != "seed"),
        **sweep_options(args),
    )
    n = len(rows)
    base = float(rows[0]["seconds"])
    ratios = [float(r["seconds"]) / base for r in rows]
    print(
        f"training time relative to seed 0: median "
        f"{np.median(ratios):.2f}, max {max(ratios):.2f}"
    )
    epochs = [int(r["solved_epoch"]) for r in rows if r["solved_epoch"] != ""]
    print("findings over", n, "seeds:")
    print(
        f"  reach 100% held-out within {EPOCHS} epochs: "
        f"{len(epochs)}/{n}; epochs min {min(epochs)}, "
        f"median {np.median(epochs):.1f}, max {max(epochs)}"
    )
    print(
        f"  at 100% held-out after {EPOCHS} epochs: "
        f"{sum(float(r['final_held_out_acc']) == 1 for r in rows)}/{n}"
    )
    print(
        f"  never below 100% after first solving: "
        f"{sum(r['epochs_below_after_solved'] == '0' for r in rows)}/{n}"
    )
    best = [float(r["best_r"]) for r in rows]
    print(
        f"  best unit |r| > 0.8: {sum(b > 0.8 for b in best)}/{n} "
        f"(min {min(best):.3f}, max {max(best):.3f})"
    )
    units = [int(r["units_r_above_0.5"]) for r in rows]
    print(
        f"  units with |r| > 0.5: min {min(units)}, median "
        f"{np.median(units):.0f}, max {max(units)}"
    )
    print(f"  linear probe 100%: {sum(float(r['probe_acc']) == 1 for r in rows)}/{n}")
    for L in LENGTHS:
        accs = [float(r[f"acc_{L}"]) for r in rows]
        print(
            f"  {L}-bit sums 100%: {sum(a == 1 for a in accs)}/{n} (worst "
            f"{min(accs):.4f})"
        )


if __name__ == "__main__":
    main()
