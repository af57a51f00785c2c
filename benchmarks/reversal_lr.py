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
FILE]`` (about 20 minutes on one core; ``--lrs`` and ``--out`` split the work,
concatenate the rows) — writes ``benchmarks/results/reversal_lr.csv``, one row per run,
and prints each model's choice.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import write_rows  # noqa: E402
from reversal_seeds import config, model_for  # noqa: E402

from nmbook.seqtrain import accuracy_by_length, train_transducer  # noqa: E402

LRS = (1e-3, 3e-3, 1e-2, 3e-2)
SEEDS = range(100, 110)
OUT = Path(__file__).resolve().parent / "results" / "reversal_lr.csv"
FIELDS = ["model", "lr", "seed", "solved", "steps", "acc_8", "fine_8", "acc_16"]


def one_run(model_name: str, lr: float, seed: int) -> dict:
    model = model_for(model_name, seed)
    cfg = replace(config(model_name, seed), lr=lr, print_every=0)
    hist = train_transducer(model, cfg)
    acc = accuracy_by_length(model, "reverse", 8, [8, 16], 100, seed=1)
    return {
        "model": model_name,
        "lr": f"{lr:g}",
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
        help="a subset of the grid, to share the work",
    )
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    rows = []
    for name in args.models.split(","):
        for lr in (float(v) for v in args.lrs.split(",")):
            runs = [one_run(name, lr, s) for s in SEEDS]
            rows += runs
            solved = sum(r["solved"] for r in runs)
            print(
                f"{name:8s} lr {lr:g}: solved {solved}/{len(runs)}, "
                f"median per-symbol at 8 "
                f"{np.median([float(r['fine_8']) for r in runs]):.3f}",
                flush=True,
            )
        print(
            f"{name}: over these rates the rule picks lr {choose(rows, name)}",
            flush=True,
        )
    write_rows(args.out, FIELDS, rows)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
