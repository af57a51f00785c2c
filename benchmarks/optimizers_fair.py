"""A fair optimiser comparison on binary addition: one learning-rate grid, one budget,
validation and test apart.

The chapter's setup (Part II, *An RNN from scratch, part 2*): 2,000 random pairs of
7-bit numbers, an Elman RNN of 16 tanh units with a linear read-out, BCE on the logits
of every output bit, minibatches of 100 reshuffled every epoch. The held-out pairs
(every pair of 7-bit numbers not in the training set) are split, seeded, into a
validation half and a test half. Each optimiser of
``nmbook.tasks.binary_addition.OPTIMIZER_NAMES`` (its other hyperparameters as
``make_optimizer`` sets them) runs on the *same* grid of learning rates, ``10**k`` for
``k = -3, -2.5, ..., 0.5``, with the same budget of 50 epochs, on tuning seeds 100-109;
a run counts as solved at the first epoch with 100% whole-sum accuracy on the validation
half. Rule, fixed before running: each optimiser takes the rate with the most tuning
seeds solved, ties broken by the smaller median epochs (unsolved = infinite), then by
the smaller rate. With that rate it is trained again on test seeds 200-239, which chose
nothing, and judged on the test half only. A run whose weights or loss stop being finite
counts as unsolved.

The baseline, run in the same process, is plain SGD at its chosen rate: the script
prints each optimiser's median test epochs as a ratio to it.

Run: ``python benchmarks/optimizers_fair.py [--jobs N] [--resume] [--dask ADDRESS]``
(about 6 minutes on one core) — writes ``benchmarks/results/optimizers_fair.csv``, one
row per run: ``phase`` (``tune`` or ``test``), optimiser, learning rate, seed,
``solved_epoch`` (empty when not solved within the budget) and ``diverged``.
"""

from __future__ import annotations

import argparse
from functools import cache

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.tasks.binary_addition import (
    OPTIMIZER_NAMES,
    AdditionData,
    adder_rnn,
    addition_sequences,
    make_optimizer,
    random_additions,
    train_adder,
    unseen_pairs,
)

N_TRAIN, N_BITS, HIDDEN, BATCH, EPOCHS = 2000, 7, 16, 100, 50
# 0.001 ... 3.16
LEARNING_RATES = tuple(float(f"{10**k:.3g}") for k in np.arange(-3.0, 0.51, 0.5))
TUNE_SEEDS, TEST_SEEDS = range(100, 110), range(200, 240)
SPLIT_SEED = 0
OUT = _common.RESULTS / "optimizers_fair.csv"
FIELDS = ["phase", "optimizer", "lr", "seed", "solved_epoch", "diverged"]


def split_held_out(
    held_out: AdditionData, seed: int = SPLIT_SEED
) -> tuple[AdditionData, AdditionData]:
    """The held-out pairs in a random (seeded) order, cut into a validation half and
    a test half."""
    order = np.random.default_rng(seed).permutation(len(held_out.a))
    half = len(order) // 2
    parts = (order[:half], order[half:])
    # type: ignore[return-value]
    return tuple(
        addition_sequences(held_out.a[i], held_out.b[i], N_BITS) for i in parts
    )


@cache
def chapter_data() -> tuple[AdditionData, AdditionData, AdditionData]:
    """The training set and the validation and test halves of the held-out pairs."""
    train = random_additions(N_TRAIN, N_BITS, seed=0)
    return (train, *split_held_out(unseen_pairs(train, N_BITS)))


def one_run(phase: str, optimizer: str, lr: float, seed: int) -> dict:
    """Train until 100% on the validation half (``phase="tune"``) or the test half
    (``"test"``), or ``EPOCHS`` epochs; the run's row of the CSV."""
    name, (train, valid, test) = optimizer, chapter_data()
    judge = valid if phase == "tune" else test
    model = adder_rnn(HIDDEN, seed)
    solved, diverged = None, 0
    try:
        with np.errstate(all="ignore"):
            hist = train_adder(
                model,
                train,
                make_optimizer(name, model.parameters(), lr),
                epochs=EPOCHS,
                batch_size=BATCH,
                seed=seed,
                held_out=judge,
            )
        solved = hist["solved_epoch"]
        diverged = int(not np.isfinite(hist["batch_loss"][-1]))
    except ValueError:  # a layer refuses non-finite input: the weights blew up
        diverged = 1
    return {
        "phase": phase,
        "optimizer": name,
        "lr": lr,
        "seed": seed,
        "solved_epoch": "" if solved is None else solved,
        "diverged": diverged,
    }


def choose(rows: list[dict], name: str) -> float:
    """The rule: most tuning seeds solved, then the smaller median epochs (unsolved =
    inf), then the smaller rate."""

    def key(lr: float) -> tuple:
        es = [
            float(r["solved_epoch"]) if r["solved_epoch"] != "" else np.inf
            for r in rows
            if r["optimizer"] == name and r["lr"] == str(lr)
        ]
        return (-int(np.isfinite(es).sum()), float(np.median(es)), lr)

    return min(LEARNING_RATES, key=key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_arguments(parser)
    args = parser.parse_args()
    options = sweep_options(args)
    tune = [
        {"phase": "tune", "optimizer": name, "lr": lr, "seed": s}
        for name in OPTIMIZER_NAMES
        for lr in LEARNING_RATES
        for s in TUNE_SEEDS
    ]
    rows = sweep(one_run, tune, OUT, FIELDS, **options)
    chosen = {name: choose(rows, name) for name in OPTIMIZER_NAMES}
    test = [
        {"phase": "test", "optimizer": name, "lr": chosen[name], "seed": s}
        for name in OPTIMIZER_NAMES
        for s in TEST_SEEDS
    ]
    # the tuning rows stay: the test phase adds its own after them
    rows = sweep(
        one_run, test, OUT, FIELDS, keep=lambda r: r["phase"] == "tune", **options
    )
    medians = {}
    for name in OPTIMIZER_NAMES:
        new = [r for r in rows if (r["phase"], r["optimizer"]) == ("test", name)]
        es = [
            float(r["solved_epoch"]) if r["solved_epoch"] != "" else np.inf for r in new
        ]
        medians[name] = float(np.median(es))
        print(
            f"test {name:17s} lr {chosen[name]:<6g} solved "
            f"{int(np.isfinite(es).sum())}/{len(es)} "
            f"median {medians[name]}"
        )
    for name in OPTIMIZER_NAMES:
        print(
            f"  {name:17s} median test epochs / SGD's: "
            f"{medians[name] / medians['SGD']:.2f}"
        )


if __name__ == "__main__":
    main()
