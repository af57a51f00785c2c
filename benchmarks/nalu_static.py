"""Seed sweep of the NALU paper's static arithmetic tasks (Part IV, chapter 2).

Two setups, each op × model × seed trained with Adam (lr 1e-2, batch 64) on fresh
interpolation batches:

* ``paper``: x ∈ R^100, a and b sums of two fixed random slices of 10 inputs, two-layer
  models of width 2 (ReLU6 MLP, linear MLP "none", NAC stack, NALU stack), 5,000 steps;
* ``two``: x = (a, b) directly, a single NAC or NALU unit (the ReLU6 MLP keeps two
  layers, width 8), 5,000 steps.

Inputs ~ U[1, 2) for training and interpolation, U[2, 6) for extrapolation. Errors are
scaled as in the paper:
100 × test MSE / test MSE of the same model at its random initialisation (the baseline
run in the same process). A run *succeeds* when its mean relative absolute error on the
extrapolation set is below 5%.

Run: ``python benchmarks/nalu_static.py [--jobs N] [--resume] [--dask ADDRESS]`` (20
seeds a cell; about 15 minutes on one core) — writes
``benchmarks/results/nalu_static.csv`` (one row per run) and prints the success rates.
``--jobs``, ``--resume`` and ``--dask`` are the sweep runner's
(``benchmarks/_common.py``): the rows are the same for every ``--jobs``.
"""

from __future__ import annotations

import argparse

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.stats import format_rate
from nmbook.tasks.arithmetic import (
    OPERATIONS,
    build_static_model,
    make_arithmetic_task,
    run_static_task,
)

SEEDS = range(20)
STEPS = 5000
SUCCESS = 0.05
OUT = _common.RESULTS / "nalu_static.csv"
FIELDS = [
    "setup",
    "op",
    "model",
    "seed",
    "scaled_interpolation",
    "scaled_extrapolation",
    "relative_error_extrapolation",
    "success",
]


def one_run(setup: str, op: str, model: str, seed: int) -> dict:
    kind = model
    if setup == "paper":
        task = make_arithmetic_task(op, n_inputs=100, subset_size=10, seed=seed)
        model = build_static_model(kind, 100, seed, hidden=2, layers=2)
    else:
        task = make_arithmetic_task(op, n_inputs=2, slices=((0, 1), (1, 2)))
        layers = 1 if kind in ("nac", "nalu") else 2
        model = build_static_model(kind, 2, seed, hidden=8, layers=layers)
    r = run_static_task(model, task, STEPS, seed=seed)
    rel = r["relative_error_extrapolation"]
    return {
        "setup": setup,
        "op": op,
        "model": kind,
        "seed": seed,
        "scaled_interpolation": f"{r['scaled_interpolation']:.4g}",
        "scaled_extrapolation": f"{r['scaled_extrapolation']:.4g}",
        "relative_error_extrapolation": f"{rel:.4g}",
        "success": int(bool(np.isfinite(rel) and rel < SUCCESS)),
    }


CELLS = (("paper", ("relu6", "none", "nac", "nalu")), ("two", ("relu6", "nac", "nalu")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_arguments(parser)
    args = parser.parse_args()
    keys = [
        {"setup": setup, "op": op, "model": kind, "seed": s}
        for setup, kinds in CELLS
        for op in OPERATIONS
        for kind in kinds
        for s in SEEDS
    ]
    rows = sweep(one_run, keys, OUT, FIELDS, **sweep_options(args))
    for setup, kinds in CELLS:
        for op in OPERATIONS:
            for kind in kinds:
                runs = [
                    r
                    for r in rows
                    if (r["setup"], r["op"], r["model"]) == (setup, op, kind)
                ]
                rate = format_rate(sum(int(r["success"]) for r in runs), len(runs))
                med = np.median([float(r["scaled_extrapolation"]) for r in runs])
                print(
                    f"{setup:5s} {op:6s} {kind:5s} success {rate}  median scaled "
                    f"extrapol. {med:.3g}"
                )


if __name__ == "__main__":
    main()
