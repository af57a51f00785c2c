"""One learning-rate rule for chapter 3's two models: the stack-RNN recipe and the LSTM
baseline.

Each model trains, exactly as in ``reversal_seeds.py`` (recipes ``penalty`` and
``lstm``) except for the learning rate, at lr ∈ {1e-3, 3e-3, 1e-2, 3e-2} on 10 seeds
(100–109) that the chapter's sweep never uses. **The rule**, fixed before running: a
model's learning rate is the one with the most seeds that master lengths 1–8 (every
sequence of a fresh batch of lengths 1–8 reversed, the stopping rule of chapter 3,
penalty included where the recipe has one); ties go to the most seeds at ≥ 99%
whole-sequence accuracy at length 8 on 100 test sequences, then to the highest median
per-symbol accuracy at length 8. The chapter's choices were 3e-3 (stack-RNN) and 1e-2
(LSTM).

Run: ``python benchmarks/reversal_lr.py [--models penalty,lstm] [--lrs 0.001,...] [--out
FILE] [--jobs N] [--resume] [--dask ADDRESS]`` (about 20 minutes on one core) — writes
``benchmarks/results/reversal_lr.csv``, one row per run (``solved``:
:attr:`nmbook.seqtrain.History.solved`), and prints each model's choice.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options
from reversal_seeds import config, model_for

from nmbook.seqtrain import accuracy_by_length, train_transducer

LRS = (1e-3, 3e-3, 1e-2, 3e-2)
SEEDS = range(100, 110)
OUT = _common.RESULTS / "reversal_lr.csv"
FIELDS = ["model", "lr", "seed", "solved", "steps", "acc_8", "fine_8", "acc_16"]


def one_run(model: str, lr: str, seed: int) -> dict:
    """Train ``model`` (a ``reversal_seeds.py`` recipe) at the learning rate ``lr``
    (as written in the CSV) with ``seed``: its row."""
    net = model_for(model, seed)
    cfg = replace(config(model, seed), lr=float(lr), print_every=0)
    hist = train_transducer(net, cfg)
    acc = accuracy_by_length(net, "reverse", 8, [8, 16], 100, seed=1)
    return {
        "model": model,
        "lr": lr,
        "seed": seed,
        "solved": int(hist.solved),
        "steps": hist.stopped_at,
        "acc_8": f"{acc[8][0]:.2f}",
        "fine_8": f"{acc[8][1]:.3f}",
        "acc_16": f"{acc[16][0]:.2f}",
    }


def choose(rows: list[dict], model_name: str) -> str:
    """The learning rate the rule of the module docstring picks for one model."""

    def key(lr: str) -> tuple:
        rs = [r for r in rows if r["model"] == model_name and r["lr"] == lr]
        return (
            sum(int(r["solved"]) for r in rs),
            sum(float(r["acc_8"]) >= 0.99 for r in rs),
            float(np.median([float(r["fine_8"]) for r in rs])),
        )

    return max(
        dict.fromkeys(r["lr"] for r in rows if r["model"] == model_name), key=key
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="penalty,lstm")
    ap.add_argument(
        "--lrs",
        default=",".join(f"{lr:g}" for lr in LRS),
        help="a subset of the grid",
    )
    ap.add_argument("--out", type=Path, default=OUT)
    add_arguments(ap)
    args = ap.parse_args()
    names, lrs = args.models.split(","), [f"{float(v):g}" for v in args.lrs.split(",")]
    keys = [
        {"model": name, "lr": lr, "seed": s}
        for name in names
        for lr in lrs
        for s in SEEDS
    ]
    rows = sweep(
        one_run,
        keys,
        args.out,
        FIELDS,
        note=lambda rs: f"solved {rs[0]['solved']}, acc_8 {rs[0]['acc_8']}",
        **sweep_options(args),
    )
    for name in names:
        for lr in lrs:
            runs = [r for r in rows if (r["model"], r["lr"]) == (name, lr)]
            print(
                f"{name:8s} lr {lr}: solved "
                f"{sum(int(r['solved']) for r in runs)}/{len(runs)}, median "
                f"per-symbol at 8 {np.median([float(r['fine_8']) for r in runs]):.3f}"
            )
        print(f"{name}: over these rates the rule picks lr {choose(rows, name)}")


if __name__ == "__main__":
    main()
