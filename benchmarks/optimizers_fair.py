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

Run: ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/optimizers_fair.py``
(about 6 minutes on one core) — writes ``benchmarks/results/optimizers_fair.csv``, one
row per run: ``phase`` (``tune`` or ``test``), optimiser, learning rate, seed,
``solved_epoch`` (empty when not solved within the budget) and ``diverged``.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import write_rows  # noqa: E402

from nmbook.tasks.binary_addition import (  # noqa: E402
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
OUT = Path(__file__).resolve().parent / "results" / "optimizers_fair.csv"
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


def one_run(
    phase: str,
    name: str,
    lr: float,
    seed: int,
    train: AdditionData,
    judge: AdditionData,
) -> dict:
    """Train until 100% on ``judge`` or ``EPOCHS`` epochs; the run's row of the CSV."""
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
            if r["optimizer"] == name and r["lr"] == lr
        ]
        return (-int(np.isfinite(es).sum()), float(np.median(es)), lr)

    return min(LEARNING_RATES, key=key)


def main() -> None:
    train = random_additions(N_TRAIN, N_BITS, seed=0)
    valid, test = split_held_out(unseen_pairs(train, N_BITS))
    rows: list[dict] = []
    for name in OPTIMIZER_NAMES:
        for lr in LEARNING_RATES:
            new = [one_run("tune", name, lr, s, train, valid) for s in TUNE_SEEDS]
            rows += new
            print(
                (
                    f"tune {name:17s} lr {lr:<6g} epochs "
                    f"{[r['solved_epoch'] for r in new]}"
                ),
                flush=True,
            )
    chosen = {name: choose(rows, name) for name in OPTIMIZER_NAMES}
    medians = {}
    for name in OPTIMIZER_NAMES:
        new = [one_run("test", name, chosen[name], s, train, test) for s in TEST_SEEDS]
        rows += new
        es = [
            float(r["solved_epoch"]) if r["solved_epoch"] != "" else np.inf for r in new
        ]
        medians[name] = float(np.median(es))
        print(
            f"test {name:17s} lr {chosen[name]:<6g} solved "
            f"{int(np.isfinite(es).sum())}/{len(es)} "
            f"median {medians[name]}",
            flush=True,
        )
    write_rows(OUT, FIELDS, rows)
    print(f"wrote {OUT} ({len(rows)} rows)")
    for name in OPTIMIZER_NAMES:
        print(
            f"  {name:17s} median test epochs / SGD's: "
            f"{medians[name] / medians['SGD']:.2f}"
        )


if __name__ == "__main__":
    main()
