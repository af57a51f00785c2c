"""How far does a live rerun of the optimiser comparison stray from the stored CSV on
another machine?

Part II (*An RNN from scratch, part 2*) reads
``benchmarks/results/optimizers_binary_addition.csv`` (ten seeds per optimiser and
learning rate) and retrains seed 0 of each optimiser at its best learning rate live, to
check that the stored results still describe the code. On a reader's machine other BLAS
kernels put that run on another trajectory, so its epochs to 100% held-out need not
equal the CSV's. This script imitates that: it reruns seed 0 of each optimiser at the
chapter's best rate (the same setup as ``optimizers_binary_addition.py``: 2,000 7-bit
pairs, 16 tanh units, batches of 100 reshuffled each epoch, at most 50 epochs, stopping
at the first epoch with 100% held-out accuracy) once unperturbed and ``--nudges`` times
with every parameter multiplied by ``1 + ε·z`` (``z = ±1`` in a pattern drawn from
``nudge``, ε alternating between 1e-9 and 1e-6) right after the optimiser's first step —
what ``make nbval``'s jitter does. Each row records ``solved_epoch`` (empty if none).

The baseline, run in the same process, is the unperturbed run of each optimiser; the
script prints, per optimiser, the range of the nudged runs, their largest distance from
the baseline, and the range the CSV's ten seeds span.

Run: ``python benchmarks/optimizers_binary_addition_nudged.py [--nudges N]`` (about 2
minutes on one idle core) — writes
``benchmarks/results/optimizers_binary_addition_nudged.csv``.
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from nmbook.tasks.binary_addition import (  # noqa: E402
    OPTIMIZER_NAMES,
    adder_rnn,
    make_optimizer,
    random_additions,
    train_adder,
    unseen_pairs,
)

N_TRAIN, N_BITS, HIDDEN, BATCH, EPOCHS, SEED = 2000, 7, 16, 100, 50, 0
#: The best learning rate of each optimiser in optimizers_binary_addition.csv (the
#: chapter picks the same).
BEST_LR = {
    "SGD": 3.0,
    "momentum": 0.3,
    "Nesterov": 1.0,
    "RMSProp": 0.03,
    "RMSProp+Nesterov": 0.01,
    "Adam": 0.03,
}
EPSILONS = (1e-9, 1e-6)
RESULTS = Path(__file__).resolve().parent / "results"
OUT = RESULTS / "optimizers_binary_addition_nudged.csv"
FIELDS = ["optimizer", "lr", "seed", "nudge", "eps", "solved_epoch"]


def nudge_after_first_step(opt, nudge: int, eps: float) -> None:
    """Make ``opt`` multiply each parameter by ``1 ± eps`` (pattern from ``nudge``)
    after its first step."""
    plain_step = opt.step

    def step() -> None:
        plain_step()
        if opt.t == 1:
            rng = np.random.default_rng([nudge, 7919])
            for p in opt.params:
                p.value *= 1.0 + eps * rng.choice((-1.0, 1.0), size=p.value.shape)

    opt.step = step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--nudges", type=int, default=20)
    args = parser.parse_args()
    train = random_additions(N_TRAIN, N_BITS, seed=0)
    held_out = unseen_pairs(train, N_BITS)
    rows = []
    for name in OPTIMIZER_NAMES:
        lr = BEST_LR[name]
        for nudge in range(-1, args.nudges):  # -1: the unperturbed baseline
            model = adder_rnn(HIDDEN, rng=SEED)
            opt = make_optimizer(name, model.parameters(), lr)
            eps = 0.0 if nudge < 0 else EPSILONS[nudge % len(EPSILONS)]
            if nudge >= 0:
                nudge_after_first_step(opt, nudge, eps)
            hist = train_adder(
                model,
                train,
                opt,
                epochs=EPOCHS,
                batch_size=BATCH,
                seed=SEED,
                held_out=held_out,
            )
            solved = hist["solved_epoch"]
            rows.append(
                {
                    "optimizer": name,
                    "lr": lr,
                    "seed": SEED,
                    "nudge": nudge,
                    "eps": eps,
                    "solved_epoch": "" if solved is None else solved,
                }
            )
        print(
            f"{name}: {[r['solved_epoch'] for r in rows if r['optimizer'] == name]}",
            flush=True,
        )
    with OUT.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} rows)")

    stored = list(csv.DictReader((RESULTS / "optimizers_binary_addition.csv").open()))
    print(
        f"seed 0 at the best rate, {args.nudges} nudged reruns "
        f"against the unperturbed baseline and the CSV:"
    )
    for name in OPTIMIZER_NAMES:
        rs = [r for r in rows if r["optimizer"] == name]
        base = rs[0]["solved_epoch"]
        nudged = [r["solved_epoch"] for r in rs[1:]]
        csv_seeds = [
            int(r["solved_epoch"])
            for r in stored
            if r["optimizer"] == name
            and float(r["lr"]) == BEST_LR[name]
            and r["solved_epoch"]
        ]
        ok = [e for e in nudged if e != ""]
        print(
            f"  {name:17s} baseline {base}, nudged {min(ok)}..{max(ok)} "
            f"({len(ok)}/{len(nudged)} solved), "
            f"max |nudged - baseline| {max(abs(e - base) for e in ok)}, "
            f"CSV seeds {min(csv_seeds)}..{max(csv_seeds)}, "
            f"nudged inside the CSV range: "
            f"{sum(min(csv_seeds) <= e <= max(csv_seeds) for e in ok)}"
            f"/{len(nudged)}"
        )


if __name__ == "__main__":
    main()
