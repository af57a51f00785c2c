"""Seed sweep of an LSTM without memory that fits chapter 3's training lengths: does it
master reversal of lengths 1–8, and what does it do at 16, 32 and 64?

Chapter 3's own LSTM baseline (34 units, the stack-RNN's budget of 3,000 Adam steps)
masters lengths 1–8 in no seed (``reversal_seeds.csv``, recipe ``lstm``), so it cannot
show the contrast the paper draws: a network without a stack that fits the lengths it
was trained on and fails on longer ones. This sweep trains the larger recipe of
:func:`nmbook.recipes.lstm_fit_config` and :func:`nmbook.recipes.make_lstm_fit`
(chosen with single-seed probes that played no part in its rates) on chapter 3's task:
reversal over 8 symbols, lengths drawn uniformly from 1..8, batches of 32, Adam,
gradient-norm clipping at 1, stopping once a fresh batch of every length 1..8 is
reversed without an error (checked every 50 steps; the book's one meaning of "solved",
:attr:`nmbook.seqtrain.History.solved`).

Each row: the recipe (``n_hidden``, ``lr``, ``budget``), ``steps`` (the step at which
the stopping rule fired; the budget if it never did), ``solved`` (1 or 0), ``wall_s``
and ``cpu_s`` of the training, and, measured as ``reversal_seeds.py`` measures every
controller, whole-sequence (``acc_L``) and per-symbol (``fine_L``) accuracy on 100
fresh sequences of each length (test seed 1) and ``longest_99``, the longest ``L`` up to
64 such that every length 1..L is reversed at least 99% of the time.

Run: ``python benchmarks/lstm_fit.py [--seeds N] [--first-seed S] [--hidden H] [--lr
LR] [--steps N] [--out FILE] [--jobs N] [--resume]`` (default: the recipe, seeds 0–19,
``benchmarks/results/lstm_fit.csv``); about 30–60 CPU-seconds a seed. ``--hidden``,
``--lr`` and ``--steps`` change the recipe for probes (write those to another
``--out``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.recipes import LSTM_FIT_HIDDEN, lstm_fit_config, make_lstm_fit
from nmbook.seqtrain import accuracy_by_length, train_transducer
from nmbook.stats import format_rate

TEST_LENGTHS = (4, 8, 16, 32, 64)
TEST_SEED = 1  # the chapters' test sequences
OUT = _common.RESULTS / "lstm_fit.csv"
FIELDS = (
    ["seed", "n_hidden", "lr", "budget", "steps", "solved", "wall_s", "cpu_s"]
    + ["longest_99"]
    + [f"acc_{n}" for n in TEST_LENGTHS]
    + [f"fine_{n}" for n in TEST_LENGTHS]
)


def one_run(
    seed: int,
    n_hidden: int = LSTM_FIT_HIDDEN,
    lr: float | None = None,
    budget: int | None = None,
) -> dict:
    """Train and measure one seed of the recipe (or of a probe's changes to it)."""
    changes = {"seed": seed}
    if lr is not None:
        changes["lr"] = lr
    if budget is not None:
        changes["steps"] = budget
    cfg = lstm_fit_config(**changes)
    model = make_lstm_fit(seed, n_hidden)
    t0, c0 = time.perf_counter(), time.process_time()
    hist = train_transducer(model, cfg)
    row = {
        "seed": seed,
        "n_hidden": n_hidden,
        "lr": cfg.lr,
        "budget": cfg.steps,
        "steps": hist.solved_at or hist.stopped_at,
        "solved": int(hist.solved),
        "wall_s": f"{time.perf_counter() - t0:.1f}",
        "cpu_s": f"{time.process_time() - c0:.1f}",
    }
    acc = accuracy_by_length(model, "reverse", 8, range(1, 65), 100, seed=TEST_SEED)
    row["longest_99"] = max(
        [0] + [L for L in acc if all(acc[n][0] >= 0.99 for n in range(1, L + 1))]
    )
    for n in TEST_LENGTHS:
        row[f"acc_{n}"], row[f"fine_{n}"] = f"{acc[n][0]:.2f}", f"{acc[n][1]:.3f}"
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--hidden", type=int, default=None, help="probe: LSTM units")
    ap.add_argument("--lr", type=float, default=None, help="probe: Adam's rate")
    ap.add_argument("--steps", type=int, default=None, help="probe: the budget")
    ap.add_argument("--out", type=Path, default=OUT)
    add_arguments(ap)
    args = ap.parse_args()
    probe = {
        k: v
        for k, v in (("n_hidden", args.hidden), ("lr", args.lr), ("budget", args.steps))
        if v is not None
    }
    keys = [
        {"seed": s, **probe}
        for s in range(args.first_seed, args.first_seed + args.seeds)
    ]
    rows = sweep(
        one_run,
        keys,
        args.out,
        FIELDS,
        note=lambda rs: ", ".join(
            f"{k}={rs[0][k]}" for k in ("steps", "solved", "acc_8", "fine_16", "cpu_s")
        ),
        **sweep_options(args),
    )
    n = len(rows)
    solved = [r for r in rows if r["solved"] == "1"]
    steps = np.median([int(r["steps"]) for r in solved]) if solved else None
    print(f"mastered lengths 1-8: {format_rate(len(solved), n)}; median steps {steps}")
    for L in TEST_LENGTHS:
        k = sum(float(r[f"acc_{L}"]) >= 0.99 for r in rows)
        print(f"  >= 99% whole-sequence at {L}: {format_rate(k, n)}")


if __name__ == "__main__":
    main()
