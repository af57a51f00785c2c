"""Which memory fits which task: stack-, queue-, deque-RNN and the memory-less RNN on
copy, reversal and bigram flipping (Grefenstette et al. 2015, the table of Figure 2a),
over several seeds (Part III, chapter 5).

Every model is trained on lengths 1-8 with the recipe of the chapter and tested on
longer sequences. Prints the success counts, the training-time ratio of each memory
against the memory-less baseline of the same task and seed (measured in this process),
and writes ``benchmarks/results/memory_tasks.csv`` with one row per (task, model, seed):
the step training stopped at, whether the run is solved (``solved``:
:attr:`nmbook.seqtrain.History.solved`, its stopping rule fired), the training time and
the coarse/fine accuracy at each test length.

Two budgets: the chapter's (default: 32 hidden units, at most 1,200 steps, penalty from
step 500; about five minutes for 3 seeds) and, with ``--long``, the stack chapters' (64
units, at most 3,000 steps, penalty from step 800; written to ``memory_tasks_long.csv``,
about fifteen minutes).

With ``--live``, only the seven (task, model) pairs that chapter 5 trains live, at the
chapter's budget, over 20
seeds (``memory_tasks_live.csv``, about ten minutes): the evidence behind what the
chapter asserts on its live run.

The models and the chapter's recipe are :data:`nmbook.recipes.MODELS`,
:func:`nmbook.recipes.make_memory_model` and :func:`nmbook.recipes.memory_task_config`.

Run: ``.venv/bin/python benchmarks/memory_tasks.py [n_seeds] [--long | --live] [--jobs
N] [--resume] [--dask ADDRESS]`` (the runner of ``benchmarks/_common.py``, one thread
per process; ``train_s`` aside, the rows are the same for every ``--jobs``).
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.recipes import MODELS, make_memory_model, memory_task_config
from nmbook.seqtrain import SeqTrainConfig, accuracy_by_length, train_transducer

VOCAB, WIDTH = 8, 8
# budget -> (hidden units, at most this many steps, saturation penalty from this step,
# output file)
BUDGETS = {
    "chapter": (32, 1200, 500, "memory_tasks.csv"),
    "long": (64, 3000, 800, "memory_tasks_long.csv"),
}
TEST_LENGTHS = (8, 16, 32, 64)
TASKS = ("copy", "reverse", "bigram_flip")
FIELDS = ["task", "model", "seed", "stopped_at", "solved", "train_s"] + [
    f"{kind}_{L}" for L in TEST_LENGTHS for kind in ("coarse", "fine")
]
# Chapter 5 trains five of these (task, model) pairs live at the chapter's budget (not
# the mismatched copy/stack and reverse/queue); --live sweeps all seven over 20 seeds so
# that the chapter asserts only what every seed shows.
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
    """The chapter's recipe (:func:`nmbook.recipes.memory_task_config`) at one of the
    two budgets."""
    _, steps, penalty_start, _ = BUDGETS[budget]
    return memory_task_config(task, seed, with_memory, steps, penalty_start)


def build(name: str, seed: int, budget: str = "chapter"):
    """One of chapter 5's models (:data:`nmbook.recipes.MODELS`) at the budget's
    width."""
    return make_memory_model(name, seed, n_hidden=BUDGETS[budget][0])


def run(task: str, model: str, seed: int, budget: str = "chapter") -> dict:
    """Train and test one (task, model, seed): its row."""
    net = build(model, seed, budget)
    t0 = time.perf_counter()
    hist = train_transducer(net, config(task, seed, net.memory is not None, budget))
    seconds = time.perf_counter() - t0
    acc = accuracy_by_length(net, task, VOCAB, TEST_LENGTHS, 100, seed=1000 + seed)
    row = {
        "task": task,
        "model": model,
        "seed": seed,
        "stopped_at": hist.stopped_at,
        "solved": int(hist.solved),
        "train_s": round(seconds, 2),
    }
    for L, (coarse, fine) in acc.items():
        row[f"coarse_{L}"], row[f"fine_{L}"] = round(coarse, 3), round(fine, 3)
    return row


def main(
    n_seeds: int = 3,
    budget: str = "chapter",
    only: list[tuple[str, str]] | None = None,
    out=None,
    **options,
) -> None:
    pairs = only or [(task, name) for task in TASKS for name in MODELS]
    keys = [
        {"task": task, "model": name, "seed": seed}
        for seed in range(n_seeds)
        for task, name in pairs
    ]
    out = out or _common.RESULTS / BUDGETS[budget][3]
    rows = sweep(
        partial(run, budget=budget),
        keys,
        out,
        FIELDS,
        note=lambda rs: (
            f"stop {rs[0]['stopped_at']}  "
            + "  ".join(
                f"{L}: {rs[0][f'coarse_{L}']:.2f}/{rs[0][f'fine_{L}']:.2f}"
                for L in TEST_LENGTHS
            )
        ),
        **options,
    )
    print(
        "\nsuccess (coarse >= 0.99 at length 8 | at 32) over seeds; "
        "train time / memory-less time"
    )
    for task, name in pairs:
        base = {
            r["seed"]: float(r["train_s"])
            for r in rows
            if r["task"] == task and r["model"] == "none"
        }
        sel = [r for r in rows if r["task"] == task and r["model"] == name]
        ok8 = sum(float(r["coarse_8"]) >= 0.99 for r in sel)
        ok32 = sum(float(r["coarse_32"]) >= 0.99 for r in sel)
        ratio = (
            f"time x{np.mean([float(r['train_s']) / base[r['seed']] for r in sel]):.1f}"
            if base
            else ""
        )
        print(f"{task:12s} {name:17s} {ok8}/{len(sel)} | {ok32}/{len(sel)}   {ratio}")


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
    add_arguments(ap)
    args = ap.parse_args()
    if args.live:
        main(
            args.n_seeds if args.n_seeds != 3 else LIVE_SEEDS,
            "chapter",
            list(LIVE_MODELS),
            _common.RESULTS / LIVE_CSV,
            **sweep_options(args),
        )
    else:
        main(args.n_seeds, "long" if args.long else "chapter", **sweep_options(args))
