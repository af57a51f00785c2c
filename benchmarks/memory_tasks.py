"""Which memory fits which task: stack-, queue-, deque-RNN and the memory-less RNN on
copy, reversal and bigram flipping (Grefenstette et al. 2015, the table of Figure 2a),
over several seeds (Part III, chapter 5).

Every model is trained on lengths 1-8 with the recipe of the chapter and tested on
longer sequences. Prints the success counts, the training-time ratio of each memory
against the memory-less baseline of the same task and seed (measured in this process),
and writes ``benchmarks/results/memory_tasks.csv`` with one row per (task, model, seed):
the step training stopped at, the training time and the coarse/fine accuracy at each
test length.

Two budgets: the chapter's (default: 32 hidden units, at most 1,200 steps, penalty from
step 500; about five minutes for 3 seeds) and, with ``--long``, the stack chapters' (64
units, at most 3,000 steps, penalty from step 800; written to ``memory_tasks_long.csv``,
about fifteen minutes).

With ``--live``, only the seven (task, model) pairs that chapter 5 trains live, at the
chapter's budget, over 20
seeds (``memory_tasks_live.csv``, about ten minutes): the evidence behind what the
chapter asserts on its live run.

Run: ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python
benchmarks/memory_tasks.py [n_seeds] [--long | --live]``.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

from nmbook.controller import MemoryController
from nmbook.memory import DEQUE, QUEUE, STACK
from nmbook.seqtrain import SeqTrainConfig, accuracy_by_length, train_transducer

VOCAB, WIDTH = 8, 8
# budget -> (hidden units, at most this many steps, saturation penalty from this step,
# output file)
BUDGETS = {
    "chapter": (32, 1200, 500, "memory_tasks.csv"),
    "long": (64, 3000, 800, "memory_tasks_long.csv"),
}
TEST_LENGTHS = (8, 16, 32, 64)
# name -> (memory, constructor keywords); "deque (top push)" starts with the bottom push
# switched off (b = -2)
MODELS = {
    "none": (None, {}),
    "stack": (STACK, {}),
    "queue": (QUEUE, {}),
    "deque": (DEQUE, {}),
    "deque (top push)": (DEQUE, {"push_bias": (0.0, -2.0), "pop_bias": -2.0}),
}
TASKS = ("copy", "reverse", "bigram_flip")
# Chapter 5 trains these (task, model) pairs live at the chapter's budget; --live sweeps
# them over 20 seeds so that the chapter asserts only what every seed shows.
LIVE_MODELS = (
    ("copy", "stack"),
    ("copy", "queue"),
    ("reverse", "stack"),
    ("reverse", "queue"),
    ("reverse", "deque"),
    ("copy", "deque"),
    ("copy", "deque (top push)"),
)
LIVE_SEEDS, LIVE_CSV = 20, "memory_tasks_live.csv"


def config(task: str, seed: int, with_memory: bool, budget: str) -> SeqTrainConfig:
    """The chapter's recipe: no curriculum, Adam 3e-3, batch 32, clip 1, saturation
    penalty 0.1 (memories only)
    from the budget's start step, early stop once lengths 1-8 are solved with saturated
    gates."""
    _, steps, penalty_start, _ = BUDGETS[budget]
    return SeqTrainConfig(
        task=task,
        vocab=VOCAB,
        steps=steps,
        batch=32,
        lr=3e-3,
        clip=1.0,
        penalty=0.1 if with_memory else 0.0,
        penalty_start=penalty_start,
        solved_check_every=50,
        solved_max_penalty=0.01 if with_memory else None,
        seed=seed,
    )


def run(task: str, name: str, seed: int, budget: str = "chapter") -> dict:
    memory, kwargs = MODELS[name]
    net = MemoryController(
        VOCAB + 1, VOCAB, BUDGETS[budget][0], WIDTH, memory, rng=seed, **kwargs
    )
    t0 = time.perf_counter()
    hist = train_transducer(net, config(task, seed, memory is not None, budget))
    seconds = time.perf_counter() - t0
    acc = accuracy_by_length(net, task, VOCAB, TEST_LENGTHS, 100, seed=1000 + seed)
    row = {
        "task": task,
        "model": name,
        "seed": seed,
        "stopped_at": hist.stopped_at,
        "train_s": round(seconds, 2),
    }
    for L, (coarse, fine) in acc.items():
        row[f"coarse_{L}"], row[f"fine_{L}"] = round(coarse, 3), round(fine, 3)
    return row


def main(
    n_seeds: int = 3,
    budget: str = "chapter",
    only: list[tuple[str, str]] | None = None,
    out: Path | None = None,
) -> None:
    rows = []
    pairs = only or [(task, name) for task in TASKS for name in MODELS]
    for seed in range(n_seeds):
        for task, name in pairs:
            row = run(task, name, seed, budget)
            rows.append(row)
            print(
                f"seed {seed} {task:12s} {name:17s} stop {row['stopped_at']:5d}  "
                + "  ".join(
                    f"{L}: {row[f'coarse_{L}']:.2f}/{row[f'fine_{L}']:.2f}"
                    for L in TEST_LENGTHS
                ),
                flush=True,
            )
    out = out or Path(__file__).parent / "results" / BUDGETS[budget][3]
    out.parent.mkdir(exist_ok=True)
    with out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(
        "\nsuccess (coarse >= 0.99 at length 8 | at 32) over seeds; "
        "train time / memory-less time"
    )
    for task, name in pairs:
        base = {
            r["seed"]: r["train_s"]
            for r in rows
            if r["task"] == task and r["model"] == "none"
        }
        sel = [r for r in rows if r["task"] == task and r["model"] == name]
        ok8 = sum(r["coarse_8"] >= 0.99 for r in sel)
        ok32 = sum(r["coarse_32"] >= 0.99 for r in sel)
        ratio = (
            f"time x{np.mean([r['train_s'] / base[r['seed']] for r in sel]):.1f}"
            if base
            else ""
        )
        print(f"{task:12s} {name:17s} {ok8}/{len(sel)} | {ok32}/{len(sel)}   {ratio}")
    print(f"wrote {out}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(
        description="stack, queue, deque and no memory on three transductions"
    )
    ap.add_argument("n_seeds", type=int, nargs="?", default=3)
    ap.add_argument(
        "--long",
        action="store_true",
        help="the stack chapters' budget (64 units, 3,000 steps)",
    )
    ap.add_argument(
        "--live",
        action="store_true",
        help=f"only chapter 5's live models, {LIVE_SEEDS} seeds, into {LIVE_CSV}",
    )
    args = ap.parse_args()
    if args.live:
        main(
            args.n_seeds if args.n_seeds != 3 else LIVE_SEEDS,
            "chapter",
            list(LIVE_MODELS),
            Path(__file__).parent / "results" / LIVE_CSV,
        )
    else:
        main(args.n_seeds, "long" if args.long else "chapter")
