"""Seed sweep of the stack-RNN on sequence reversal (Part III, chapter 3): how often does the recipe work?

Every run trains a tanh-RNN controller (64 units) with a continuous stack of width 8 to reverse random sequences
over a vocabulary of 8 symbols, lengths drawn uniformly from 1..8 (no curriculum), Adam 3e-3, batch 32,
gradient-norm clip 1, pop-gate bias −1, at most 3,000 steps, stopping once a fresh batch of every length 1..8
is reversed without error (checked every 50 steps). Two recipes are compared, seed for seed:

* ``penalty``: from step 800 a saturation penalty 0.1 · mean(d(1−d) + u(1−u)) pushes the gates to 0 or 1, and
  training stops only once that penalty has fallen below 0.01 (the chapter's recipe);
* ``plain``: the same without the penalty;
* ``curriculum``: the ``penalty`` recipe with a length curriculum (the longest length grows from 2 to 8 over the
  first 1,000 steps);
* ``noise``: the ``plain`` recipe with Gaussian noise (σ = 1) on the gate pre-activations during training, an
  alternative way of pushing the gates towards 0 or 1.

Whole-sequence accuracy is measured on 100 fresh sequences of each test length (8, 16, 32, 64; the same test
sequences for every run). A run *generalises* when it reverses ≥ 99% of the length-32 sequences.

Run: ``python benchmarks/reversal_seeds.py`` (about 8 minutes on one core) — writes
``benchmarks/results/reversal_seeds.csv`` (one row per run) and prints the success rate of each recipe.
"""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from nmbook.controller import MemoryController  # noqa: E402
from nmbook.memory import STACK  # noqa: E402
from nmbook.seqtrain import SeqTrainConfig, accuracy_by_length, train_transducer  # noqa: E402

SEEDS = range(10)
TEST_LENGTHS = (8, 16, 32, 64)
TEST_SEED = 2024
SUCCESS_LENGTH, SUCCESS = 32, 0.99
OUT = Path(__file__).resolve().parent / "results" / "reversal_seeds.csv"
FIELDS = ["recipe", "seed", "steps", "wall_s"] + [f"acc_{n}" for n in TEST_LENGTHS]


RECIPES = ("penalty", "plain", "curriculum", "noise")


def config(recipe: str, seed: int) -> SeqTrainConfig:
    """The training configuration of one recipe (see the module docstring); ``penalty`` is the chapter's."""
    penalty = recipe in ("penalty", "curriculum")
    return SeqTrainConfig(
        task="reverse", vocab=8, steps=3000, batch=32, lr=3e-3, clip=1.0, min_len=1, max_len=8,
        penalty=0.1 if penalty else 0.0, penalty_start=800 if penalty else 0,
        curriculum_start=2, curriculum_steps=1000 if recipe == "curriculum" else 0,
        noise_std=1.0 if recipe == "noise" else 0.0,
        solved_check_every=50, solved_max_penalty=0.01 if penalty else None, seed=seed,
    )  # fmt: skip


def one_run(recipe: str, seed: int) -> dict:
    model = MemoryController(9, 8, 64, 8, STACK, rng=seed, cell="rnn", pop_bias=-1.0)
    t0 = time.perf_counter()
    hist = train_transducer(model, config(recipe, seed))
    wall = time.perf_counter() - t0
    accs = accuracy_by_length(model, "reverse", 8, TEST_LENGTHS, 100, seed=TEST_SEED)
    row = {"recipe": recipe, "seed": seed, "steps": hist.stopped_at, "wall_s": f"{wall:.1f}"}
    row.update({f"acc_{n}": f"{accs[n][0]:.2f}" for n in TEST_LENGTHS})
    return row


def main() -> None:
    rows = []
    for recipe in RECIPES:
        for seed in SEEDS:
            row = one_run(recipe, seed)
            rows.append(row)
            print(", ".join(f"{k}={row[k]}" for k in FIELDS), flush=True)
    OUT.parent.mkdir(exist_ok=True)
    with OUT.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    for recipe in RECIPES:
        ok = [r for r in rows if r["recipe"] == recipe and float(r[f"acc_{SUCCESS_LENGTH}"]) >= SUCCESS]
        n = sum(r["recipe"] == recipe for r in rows)
        print(f"{recipe}: {len(ok)}/{n} seeds reverse >= {SUCCESS:.0%} of length-{SUCCESS_LENGTH} sequences")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
