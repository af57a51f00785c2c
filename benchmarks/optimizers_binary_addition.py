"""Optimiser comparison on binary addition (Part II, *An RNN from scratch, part 2*).

The chapter's setup: 2,000 random pairs of 7-bit numbers (8 output steps with the
carry), an Elman RNN of 16 tanh units with a linear read-out, BCE on the logits of every
output bit, minibatches of 100 (every sample once per epoch, reshuffled each epoch), 50
epochs. Held out: every one of the 16,384 pairs of 7-bit numbers that is not in the
training set. Each optimiser of ``nmbook.tasks.binary_addition.OPTIMIZER_NAMES`` is run
with four learning rates a factor of ~3 apart, chosen so that the best one lies inside
the grid, and 10 seeds. A run is *solved* at the first epoch whose held-out whole-sum
accuracy is 100%; training goes on to 50 epochs anyway, so the curves can be compared
after that point too.

The baseline, run in the same process, is plain SGD at its best learning rate: the
script prints each optimiser's median epochs to 100% as a ratio to it.

Run: ``python benchmarks/optimizers_binary_addition.py`` (about 10 minutes on one core)
— writes ``benchmarks/results/optimizers_binary_addition.csv``, one row per run:
``solved_epoch`` (empty when the run never reached 100%), and the held-out accuracy and
mean minibatch loss of the last epoch.
``--jobs N``, ``--resume`` and ``--dask ADDRESS`` are the sweep runner's
(``benchmarks/_common.py``): the rows are the same for every ``--jobs``.
"""

from __future__ import annotations

import argparse
from functools import cache

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.tasks.binary_addition import (
    OPTIMIZER_NAMES,
    adder_rnn,
    make_optimizer,
    random_additions,
    train_adder,
    unseen_pairs,
)

N_TRAIN, N_BITS, HIDDEN, BATCH, EPOCHS = 2000, 7, 16, 100, 50
SEEDS = range(10)
#: Learning rates tried per optimiser.
LEARNING_RATES = {
    "SGD": (0.3, 1.0, 3.0, 10.0),
    "momentum": (0.1, 0.3, 1.0, 3.0),
    "Nesterov": (0.1, 0.3, 1.0, 3.0),
    "RMSProp": (0.003, 0.01, 0.03, 0.1),
    "RMSProp+Nesterov": (0.001, 0.003, 0.01, 0.03),
    "Adam": (0.003, 0.01, 0.03, 0.1),
}
OUT = _common.RESULTS / "optimizers_binary_addition.csv"
FIELDS = [
    "optimizer",
    "lr",
    "seed",
    "solved_epoch",
    "final_held_out_acc",
    "final_train_loss",
]


@cache
def chapter_data():
    train = random_additions(N_TRAIN, N_BITS, seed=0)
    return train, unseen_pairs(train, N_BITS)


def one_run(optimizer: str, lr: float, seed: int) -> dict:
    """Train one model for ``EPOCHS`` epochs; its row of the CSV."""
    name, (train, held_out) = optimizer, chapter_data()
    model = adder_rnn(HIDDEN, seed)
    hist = train_adder(
        model,
        train,
        make_optimizer(name, model.parameters(), lr),
        epochs=EPOCHS,
        batch_size=BATCH,
        seed=seed,
        held_out=held_out,
        stop_when_solved=False,
    )
    per_epoch = len(hist["batch_loss"]) // EPOCHS
    last_epoch_loss = float(np.mean(hist["batch_loss"][-per_epoch:]))
    return {
        "optimizer": name,
        "lr": lr,
        "seed": seed,
        "solved_epoch": "" if hist["solved_epoch"] is None else hist["solved_epoch"],
        "final_held_out_acc": f"{hist['held_out_acc'][-1]:.6f}",
        "final_train_loss": f"{last_epoch_loss:.6g}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_arguments(parser)
    args = parser.parse_args()
    keys = [
        {"optimizer": name, "lr": lr, "seed": seed}
        for name in OPTIMIZER_NAMES
        for lr in LEARNING_RATES[name]
        for seed in SEEDS
    ]
    rows = sweep(one_run, keys, OUT, FIELDS, **sweep_options(args))
    summary = {}
    for name in OPTIMIZER_NAMES:
        for lr in LEARNING_RATES[name]:
            epochs = [
                int(r["solved_epoch"]) if r["solved_epoch"] else None
                for r in rows
                if (r["optimizer"], r["lr"]) == (name, str(lr))
            ]
            solved = [e for e in epochs if e is not None]
            # unsolved count as ∞
            med = float(np.median([float("inf") if e is None else e for e in epochs]))
            summary[(name, lr)] = (len(solved), med)
            print(
                f"{name:17s} lr {lr:<6g} solved "
                f"{len(solved):2d}/{len(epochs)}  epochs {epochs}"
            )

    def best(name: str) -> tuple[float, int, float]:
        lr = min(
            LEARNING_RATES[name],
            key=lambda v: (-summary[(name, v)][0], summary[(name, v)][1]),
        )
        return (lr, *summary[(name, lr)])

    base = best("SGD")[2]
    print(
        "best learning rate per optimiser; median epochs to 100% "
        "held-out (ratio to SGD):"
    )
    for name in OPTIMIZER_NAMES:
        lr, n, med = best(name)
        print(
            f"  {name:17s} lr {lr:<6g} solved {n:2d}/{len(SEEDS)}  median "
            f"{med:5.1f}  ratio {med / base:.2f}"
        )


if __name__ == "__main__":
    main()
