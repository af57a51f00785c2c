"""Madsen & Johansen's static arithmetic task with their setup: the NAU on + and −, the
NMU on × (Part IV, chapter 2), 20 seeds a cell, all 60 runs advanced together.

The task, the models, the regulariser schedule and the success criterion are theirs
(:mod:`nmbook.tasks.static_madsen`, which lists the differences): x ∈ R^100 ~ U[1, 2],
a and b sums over 25 inputs overlapping by 12, two layers of width 2, Adam 1e-3, batch
128, the sparsity regulariser rising from step 10^6 to 2·10^6, success when the
extrapolation MSE (U[2, 6]) of the best of the last 100 evaluations is below a
near-perfect solution's (ε = 1e-5). One process trains every run: one NumPy step
advances 3 cells × 20 seeds (:class:`~nmbook.tasks.static_madsen.MadsenStaticRuns`).

Rows are written at **milestones** (``--milestones``, default 100,000, 250,000, 500,000,
10^6 and 2·10^6 steps; their budget is 5·10^6): one row per run and milestone, success
judged at that step, with the first step at which the run's extrapolation MSE went below
the threshold, its sparsity error and its extrapolation-error curve (log10 MSE every
25,000 steps). A milestone continues from the most advanced saved state before it
(the rows are the same as one straight run), and a checkpoint every 50,000 steps lets
``--resume`` continue an interrupted milestone; both live in
``benchmarks/.checkpoints/nau_static/`` (git-ignored). To write rows where an
interrupted run stopped, add its checkpoint's step as a milestone, e.g. ``--resume
--milestones 100000,250000,450000,1000000``.

``--cells`` trains some cells only (``all``, or e.g. ``nau:sub``; the ``cells`` column
says which set a row was trained in): they continue from the latest state that holds
them, a state of all cells included, and keep their milestones in a folder of their
own. A seed's input stream is shared by its cells, so a run continued alone follows the
trajectory it would have followed among all 60. The committed CSV takes the NAU on a − b
and the NMU on a × b past 2·10^6 steps this way (``_run_all.py`` lists the commands).

Run: ``nice -n 10 .venv/bin/python benchmarks/nau_static.py --resume`` (about 2–3.5 ms a
step for the 60 runs on one core, 1.3 ms for the 20 of one NAU cell and 1.7 ms for the
NMU's: ~1 hour per 10^6 steps) — writes ``benchmarks/results/nau_static.csv`` and prints
each cell's rate with its 95% interval.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.stats import format_rate
from nmbook.tasks.static_madsen import MadsenStaticRuns

CELLS = (("nau", "add"), ("nau", "sub"), ("nmu", "mul"))
SEEDS = range(20)
MILESTONES = (100_000, 250_000, 500_000, 1_000_000, 2_000_000)
CURVE_EVERY = 25_000
CHECKPOINT_EVERY = 50_000
OUT = _common.RESULTS / "nau_static.csv"
STATE = _common.CHECKPOINTS / OUT.stem
FIELDS = [
    "steps",
    "cells",
    "model",
    "op",
    "seed",
    "solved",
    "first_solved",
    "best_step",
    "interpolation_mse",
    "extrapolation_mse",
    "threshold",
    "sparsity_error",
    "offset",
    "ext_curve",
    "ms_per_step",
]


def _saved_state(path: Path) -> tuple[int, list[tuple[str, str]]] | None:
    """The step and cells of a saved state, or ``None`` if it cannot be read."""
    try:
        with np.load(path) as f:
            meta = json.loads(str(f["meta"]))
            return int(meta["step"]), [tuple(c) for c in meta["cells"]]
    except Exception:  # a file cut short, or not a state: ignored
        return None


def _cells(text: str) -> tuple[tuple[str, str], ...]:
    """``"all"`` or ``"model:op,model:op"`` -> the cells, in the order of CELLS."""
    if text == "all":
        return CELLS
    chosen = {tuple(c.split(":", 1)) for c in text.split(",")}
    if not chosen <= set(CELLS):
        raise ValueError(f"cells must be 'all' or some of {CELLS}, got {text!r}")
    return tuple(c for c in CELLS if c in chosen)


def _state_dir(cells: str) -> Path:
    """Where a cell set keeps its milestones: the full set in STATE, a subset in a
    folder of its own (so that it never deletes the full set's states)."""
    if cells == "all":
        return STATE
    return STATE / cells.replace(":", "_").replace(",", "+")


def run(steps: int, cells: str = "all", checkpoint: str | None = None) -> list[dict]:
    """Train the runs of ``cells`` (``"all"``: the 60 runs) to ``steps``, from the
    latest saved state before it that holds them, and return their rows."""
    chosen = _cells(cells)
    runs = MadsenStaticRuns(chosen, SEEDS)
    state = _state_dir(cells)
    earlier = sorted(
        (int(p.stem.split("-")[1]), p) for p in state.glob("milestone-*.npz")
    )
    earlier = [(s, p) for s, p in earlier if s <= steps]
    # the most advanced saved state not beyond ``steps`` that holds these cells: a
    # milestone, this key's checkpoint, a later milestone's checkpoint (so that a
    # milestone can be put where an interrupted run stopped), or a state of the full
    # set (a subset continues from it)
    files = {p for d in {state, STATE} for p in d.glob("*.npz")}
    saved = []
    for p in sorted(files):
        got = None if p.name.endswith(".tmp.npz") else _saved_state(p)
        if got is not None and got[0] <= steps and set(chosen) <= set(got[1]):
            saved.append((got[0], p))
    if saved:
        runs.load(max(saved)[1])
    start, t0 = runs.step, time.perf_counter()

    def progress(step: int) -> None:
        if step % CHECKPOINT_EVERY == 0 and step > start:
            rate = (time.perf_counter() - t0) / (step - start) * 1e3
            print(f"  step {step:,}: {rate:.2f} ms a step", flush=True)

    runs.train(steps, checkpoint, CHECKPOINT_EVERY, progress)
    ms = (time.perf_counter() - t0) / max(1, runs.step - start) * 1e3
    state.mkdir(parents=True, exist_ok=True)
    runs.save(state / f"milestone-{steps}.npz")
    for s, p in earlier:  # keep only the newest state
        if s < steps:
            p.unlink()
    hist_steps = np.asarray(runs.history["step"])
    ext = np.asarray(runs.history["ext"])
    pick = np.flatnonzero(hist_steps % CURVE_EVERY == 0)
    rows = runs.results()
    for i, row in enumerate(rows):
        c, j = divmod(i, len(SEEDS))
        curve = np.log10(np.maximum(ext[pick, c, j], 1e-300))
        row |= {
            "cells": cells,
            "solved": int(row["solved"]),
            "ext_curve": " ".join(f"{v:.2f}" for v in curve),
            "ms_per_step": f"{ms:.2f}",
        }
        for k in ("interpolation_mse", "extrapolation_mse", "threshold"):
            row[k] = f"{row[k]:.4g}"
        row["sparsity_error"] = f"{row['sparsity_error']:.3g}"
    return rows


def summary(rows: list[dict]) -> None:
    """Print each cell's success rate (95% Wilson interval) at each milestone."""
    for steps in sorted({int(r["steps"]) for r in rows}):
        for model, op in CELLS:
            cell = [
                r
                for r in rows
                if (int(r["steps"]), r["model"], r["op"]) == (steps, model, op)
            ]
            if not cell:  # a milestone trained for some cells only
                continue
            solved = [int(r["first_solved"]) for r in cell if int(r["solved"])]
            med = f"{np.median(solved):,.0f}" if solved else "-"
            print(
                f"{steps:>9,} {model} {op}: {format_rate(len(solved), len(cell))}, "
                f"median first success {med}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_arguments(parser)
    parser.add_argument(
        "--milestones",
        default=",".join(str(m) for m in MILESTONES),
        help="comma-separated step counts at which rows are written",
    )
    parser.add_argument(
        "--cells",
        default="all",
        help="'all' (the 60 runs) or some cells, e.g. 'nau:sub': their runs continue "
        "from the latest state that holds them (a state of all cells included)",
    )
    args = parser.parse_args()
    opts = sweep_options(args)
    if opts.get("jobs", 1) != 1:
        parser.error("the milestones continue one another: run with --jobs 1")
    try:
        _cells(args.cells)
    except ValueError as e:
        parser.error(str(e))
    keys = [{"steps": int(m), "cells": args.cells} for m in args.milestones.split(",")]
    if sorted(k["steps"] for k in keys) != [k["steps"] for k in keys]:
        parser.error("--milestones must be increasing")
    summary(sweep(run, keys, OUT, FIELDS, **opts))


if __name__ == "__main__":
    main()
