"""Reversal far beyond training, at lengths 256 and 1,024, with the gates as trained
and rounded to 0 or 1 (Part III, chapter 4).

Each run retrains, seed for seed, the live recipe of chapters 3 and 4,
``pop_bias_0_retry`` of ``reversal_seeds.py`` (its ``config`` and ``model_for``: the
64-unit stack-RNN with pop bias 0, the saturation penalty from step 800, 500 extra steps
once the stopping rule fires, at most 3,000 steps per attempt and at most 3 attempts,
seed ``seed + 1000 k``), trained on lengths 1–8. It then reverses 32 fresh sequences of
length 256 and 32 of length 1,024 (test seed 1, as ``reversal_seeds.py``, whose
``acc_256`` are the same 32 sequences) twice, through the memory-light forward pass of
:mod:`nmbook.inference`: with the gates as the controller computes them (``acc_L``,
``fine_L``: whole-sequence and per-symbol accuracy) and with every push and pop rounded
to 0 or 1 at test time, as Joulin & Mikolov (2015) make their actions discrete
(``racc_L``, ``rfine_L``). ``steps``, ``attempts``, ``solved``, ``acc_256``,
``fine_256`` and ``b_d`` repeat columns of ``reversal_seeds.csv`` (rows of
``pop_bias_0_retry``), so the two sweeps can be checked against each other seed for
seed. ``disc_d`` and ``disc_u`` are the fractions of push and pop values within 0.05 of
0 or 1 on chapter 4's twelve test sequences (its discreteness exercise). ``wall_s`` is
the training time (every attempt), ``eval_s`` that of the four evaluations.

Run: ``python benchmarks/reversal_long.py [--seeds N] [--first-seed S] [--out FILE]
[--jobs N] [--resume] [--dask ADDRESS]``: 60 seeds (0–59, those of
``reversal_seeds.csv``) by default, about 40 minutes on one core (a seed trains in
9–35 s and evaluates in about 10 s, in under 150 MB).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options
from reversal_seeds import TEST_SEED, config, model_for

from nmbook.gate_stats import gate_discreteness
from nmbook.inference import accuracy_at_lengths, run_controller
from nmbook.seqtrain import train_until_solved
from nmbook.tasks.transduction import transduction_batch

RECIPE = "pop_bias_0_retry"  # the live recipe of chapters 3 and 4
LENGTHS = (256, 1024)
N_TEST = 32  # sequences per length
SEEDS = 60
CHAPTER_LENGTHS = np.arange(2, 25, 2)  # chapter 4's inspection batch (test seed 3)
OUT = _common.RESULTS / "reversal_long.csv"
FIELDS = (
    ["seed", "attempts", "steps", "solved", "b_d"]
    + [f"{p}{n}" for n in LENGTHS for p in ("acc_", "fine_", "racc_", "rfine_")]
    + ["disc_d", "disc_u", "wall_s", "eval_s"]
)


def train(seed: int):
    """The live recipe's model for ``seed``, trained exactly as ``reversal_seeds.py``
    trains ``pop_bias_0_retry``: ``(model, history, attempts)``."""
    return train_until_solved(
        lambda s: model_for(RECIPE, s),
        config(RECIPE, seed),
        max_attempts=3,
        seed_step=1000,
    )


def one_run(seed: int) -> dict:
    """Train one seed and test it at 256 and 1,024, soft and rounded: its row."""
    t0 = time.perf_counter()
    model, hist, attempts = train(seed)
    row = {
        "seed": seed,
        "attempts": len(attempts),
        "steps": hist.solved_at or hist.stopped_at,
        "solved": int(hist.solved),
        "b_d": f"{model.b_g.value[0]:.3f}",
        "wall_s": f"{time.perf_counter() - t0:.1f}",
    }
    t0 = time.perf_counter()
    for prefix, rounded in (("", False), ("r", True)):
        acc = accuracy_at_lengths(
            model, "reverse", 8, LENGTHS, N_TEST, seed=TEST_SEED, rounded=rounded
        )
        for n in LENGTHS:
            row[f"{prefix}acc_{n}"] = f"{acc[n][0]:.2f}"
            row[f"{prefix}fine_{n}"] = f"{acc[n][1]:.3f}"
    row["eval_s"] = f"{time.perf_counter() - t0:.1f}"
    row["disc_d"], row["disc_u"] = (f"{g:.3f}" for g in discreteness(model))
    return row


def discreteness(model) -> tuple[float, float]:
    """:func:`nmbook.gate_stats.gate_discreteness` (tolerance 0.05) of the push and the
    pop on chapter 4's twelve sequences (lengths 2, 4, ..., 24), every step up to the
    end of each output, as its exercise measures it."""
    x, _, _ = transduction_batch(
        "reverse", CHAPTER_LENGTHS, 8, np.random.default_rng(3)
    )
    t = np.arange(x.shape[0])[:, None]
    valid = (t <= 2 * CHAPTER_LENGTHS[None, :]).astype(float)
    run = run_controller(model, x)
    return gate_discreteness(run.d, valid), gate_discreteness(run.u, valid)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=SEEDS)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=OUT)
    add_arguments(ap)
    args = ap.parse_args()
    keys = [{"seed": s} for s in range(args.first_seed, args.first_seed + args.seeds)]
    rows = sweep(
        one_run,
        keys,
        args.out,
        FIELDS,
        order=lambda r: int(r["seed"]),
        note=lambda rs: ", ".join(
            f"{k}={rs[0][k]}" for k in ("acc_256", "acc_1024", "racc_1024")
        ),
        **sweep_options(args),
    )
    for n in LENGTHS:
        for prefix, gates in (("", "soft"), ("r", "rounded")):
            acc = np.array([float(r[f"{prefix}acc_{n}"]) for r in rows])
            ok = int((acc >= 0.99).sum())
            print(f"length {n}, {gates} gates: {ok}/{len(rows)} seeds >= 99% right")


if __name__ == "__main__":
    main()
