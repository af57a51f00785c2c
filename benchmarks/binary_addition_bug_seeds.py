"""What the source post's minibatch bug costs, over many seeds: a 2 × 2 × 2 factorial
(Part II, *An RNN from scratch, part 2*).

The chapter's section on the post's minibatch loop separates three changes that the
chapter made at once: the loop (the post's overlapping slices, ``slicing="post"``: 119
of 2,000 samples, or correct minibatches), the width (3 hidden units as in the post, or
the chapter's 16) and the optimiser settings (the post's RMSProp η 0.05, α 0.5, or the
chapter's η 0.01, α 0.9; both with Nesterov momentum 0.8 and ε = 1e-6 inside the
division). Every one of the 8 combinations is trained for ``--seeds`` seeds (default 40;
seeds 0–9 are the chapter's own) on the chapter's data (training set
``random_additions(2000, 7, seed=0)``, every other 7-bit pair held out, ``adder_rnn(H,
rng=seed)``, batches of 100 in a fixed order as in the post, 20 epochs without early
stopping), and each run records the held-out whole-sum accuracy after epochs 5 and 20
and the first epoch at 100% (``solved_epoch``, empty if none).

The baseline, run in the same process, is the chapter's combination (correct loop, 16
units, the chapter's optimiser settings): the script prints how many seeds each
combination solves by epoch 5 and 20, and its median epochs to 100% as a ratio to that
baseline.

Run: ``python benchmarks/binary_addition_bug_seeds.py [--seeds N]`` (about 7 minutes on
one idle core) — writes ``benchmarks/results/binary_addition_bug_seeds.csv``, one row
per combination and seed (``settings`` names the width and optimiser settings, ``loop``
the minibatch loop).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import write_rows  # noqa: E402

from nmbook.optim import RMSProp  # noqa: E402

# noqa: E402
from nmbook.tasks.binary_addition import (
    adder_rnn,
    random_additions,
    train_adder,
    unseen_pairs,
)

N_TRAIN, N_BITS, EPOCHS = 2000, 7, 20
#: The two levels of the optimiser factor: RMSProp's keyword arguments.
OPTIMISERS = {
    "post": dict(lr=0.05, alpha=0.5, eps=1e-6, momentum=0.8, nesterov=True),
    "chapter": dict(lr=0.01, alpha=0.9, eps=1e-6, momentum=0.8, nesterov=True),
}
HIDDEN = (3, 16)
#: settings label -> (hidden units, optimiser level); the first and last are the
#: chapter's original two
SETTINGS = {f"H={h}, {o} optimiser": (h, o) for h in HIDDEN for o in OPTIMISERS}
LOOPS = ("post", "correct")
OUT = Path(__file__).resolve().parent / "results" / "binary_addition_bug_seeds.csv"
FIELDS = [
    "settings",
    "loop",
    "hidden",
    "optimiser",
    "seed",
    "held_out_acc_5",
    "held_out_acc_20",
    "solved_epoch",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=40)
    args = parser.parse_args()
    train = random_additions(N_TRAIN, N_BITS, seed=0)
    held_out = unseen_pairs(train, N_BITS)
    rows = []
    for label, (hidden, opt) in SETTINGS.items():
        kw = OPTIMISERS[opt]
        for loop in LOOPS:
            for seed in range(args.seeds):
                m = adder_rnn(hidden, rng=seed)
                hist = train_adder(
                    m,
                    train,
                    RMSProp(m.parameters(), **kw),
                    epochs=EPOCHS,
                    seed=seed,
                    slicing=loop,
                    shuffle=False,
                    held_out=held_out,
                    stop_when_solved=False,
                )
                acc = hist["held_out_acc"]
                rows.append(
                    {
                        "settings": label,
                        "loop": loop,
                        "hidden": hidden,
                        "optimiser": opt,
                        "seed": seed,
                        "held_out_acc_5": f"{acc[4]:.6f}",
                        "held_out_acc_20": f"{acc[19]:.6f}",
                        "solved_epoch": ""
                        if hist["solved_epoch"] is None
                        else hist["solved_epoch"],
                    }
                )
            print(f"{label} {loop}: done", flush=True)
    write_rows(OUT, FIELDS, rows)
    print(f"wrote {OUT} ({len(rows)} rows)")

    def median_epochs(rs):
        return float(
            np.median(
                [float(r["solved_epoch"]) if r["solved_epoch"] else np.inf for r in rs]
            )
        )

    groups = {
        (lab, loop): [r for r in rows if r["settings"] == lab and r["loop"] == loop]
        for lab in SETTINGS
        for loop in LOOPS
    }
    base = median_epochs(groups["H=16, chapter optimiser", "correct"])
    print(
        f"findings over {args.seeds} seeds (median epochs to 100% as "
        f"a ratio to H=16, chapter optimiser, correct loop):"
    )
    print(
        f"{'settings':26s} {'loop':8s} {'solved@5':>9s} "
        f"{'solved@20':>10s} {'held-out@5 min/median/max':>27s}  ratio"
    )
    for (lab, loop), rs in groups.items():
        a5 = np.array([float(r["held_out_acc_5"]) for r in rs])
        a20 = np.array([float(r["held_out_acc_20"]) for r in rs])
        print(
            f"{lab:26s} {loop:8s} {np.sum(a5 == 1):>5d}/{len(rs)} "
            f"{np.sum(a20 == 1):>6d}/{len(rs)} "
            f"{a5.min():>9.1%} {np.median(a5):>7.1%} {a5.max():>7.1%}  "
            f"{median_epochs(rs) / base:.2f}"
        )


if __name__ == "__main__":
    main()
