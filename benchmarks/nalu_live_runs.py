"""Seed sweep of the two NALU runs that Part IV, chapter 2 trains live: what holds in
every seed?

The chapter watches one seed of each run closely; this sweep repeats exactly those
configurations for more seeds (seed ``s`` initialises the model and draws the training
batches and test sets; seed 0 is the chapter's run) and records every quantity the
chapter prints or asserts about them:

* ``two``: a single NALU (shared W) on ``a × b`` with ``x = (a, b)``, Adam 1e-2, batches
  of 64, 5,000 steps — the learned weights ``w_a``, ``w_b``, the mean gate on 500
  extrapolation inputs (sample seed 1, as in the chapter), the scaled errors and the
  relative extrapolation error, and the trained unit's output and gate on ``(−3, 4)``
  and ``(3, 4)``;
* ``paper``: two stacked NALUs of width 2 on ``a × b`` hidden in 100 inputs, the task's
  slices fixed by task seed 0 (the chapter's task), same optimiser and budget — the
  scaled errors, the relative extrapolation error, the first layer's mean ``|W|`` on the
  80 inputs that are neither ``a`` nor ``b``, the smaller and larger of its two units'
  mean gates on 500 interpolation inputs (sample seed 1), and the training loss at the
  first and the last logged step.

A run *succeeds* when its relative extrapolation error is below 5% (as in
``benchmarks/nalu_static.py``).

Run: ``python benchmarks/nalu_live_runs.py [--seeds N]`` (default 32 seeds; about 2
minutes on one core) — writes ``benchmarks/results/nalu_live_runs.csv`` and prints, per
setup, the range over seeds of each quantity and the success count.
``--jobs N``, ``--resume`` and ``--dask ADDRESS`` are the sweep runner's
(``benchmarks/_common.py``): the rows are the same for every ``--jobs``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.tasks.arithmetic import (
    build_static_model,
    make_arithmetic_task,
    run_static_task,
)

OUT = _common.RESULTS / "nalu_live_runs.csv"
STEPS = 5000
SUCCESS = 0.05
FIELDS = [
    "setup",
    "seed",
    "scaled_interpolation",
    "scaled_extrapolation",
    "relative_error_extrapolation",
    "success",
    "w_a",
    "w_b",
    "gate_extrapolation",
    "out_neg",
    "out_pos",
    "gate_neg",
    "gate_pos",
    "mean_abs_w_outside",
    "gate_min",
    "gate_max",
    "loss_first",
    "loss_last",
]


def run_two(seed: int) -> dict:
    """The chapter's "one run, watched closely": one NALU on a × b, x = (a, b)."""
    task = make_arithmetic_task("mul", n_inputs=2, slices=((0, 1), (1, 2)))
    model = build_static_model("nalu", 2, rng=seed, layers=1)
    r = run_static_task(model, task, steps=STEPS, seed=seed)
    unit = model.layers[0]
    X_extra, _ = task.sample(500, 1, "extrapolation")
    probe = np.array([[-3.0, 4.0], [3.0, 4.0]])
    out, gate = model.forward(probe)[:, 0], unit.gate(probe)[:, 0]
    return {
        **_errors(r),
        "setup": "two",
        "seed": seed,
        "w_a": f"{unit.W[0, 0]:.4g}",
        "w_b": f"{unit.W[1, 0]:.4g}",
        "gate_extrapolation": f"{unit.gate(X_extra).mean():.4g}",
        "out_neg": f"{out[0]:.4g}",
        "out_pos": f"{out[1]:.4g}",
        "gate_neg": f"{gate[0]:.4g}",
        "gate_pos": f"{gate[1]:.4g}",
    }


def run_paper(seed: int) -> dict:
    """The chapter's "full task, one seed": two stacked NALUs on a × b among 100
    inputs (task seed 0)."""
    task = make_arithmetic_task("mul", n_inputs=100, subset_size=10, seed=0)
    model = build_static_model("nalu", 100, rng=seed, hidden=2, layers=2)
    r = run_static_task(model, task, steps=STEPS, seed=seed)
    first = model.layers[0]
    outside = np.ones(100, dtype=bool)
    outside[slice(*task.a_slice)] = outside[slice(*task.b_slice)] = False
    gates = first.gate(task.sample(500, 1)[0]).mean(axis=0)
    return {
        **_errors(r),
        "setup": "paper",
        "seed": seed,
        "mean_abs_w_outside": f"{np.abs(first.W[outside]).mean():.4g}",
        "gate_min": f"{gates.min():.4g}",
        "gate_max": f"{gates.max():.4g}",
        "loss_first": f"{r['loss'][0]:.4g}",
        "loss_last": f"{r['loss'][-1]:.4g}",
    }


def _errors(r: dict) -> dict:
    rel = r["relative_error_extrapolation"]
    return {
        "scaled_interpolation": f"{r['scaled_interpolation']:.4g}",
        "scaled_extrapolation": f"{r['scaled_extrapolation']:.4g}",
        "relative_error_extrapolation": f"{rel:.4g}",
        "success": int(bool(np.isfinite(rel) and rel < SUCCESS)),
    }


def run(setup: str, seed: int) -> dict:
    return {"two": run_two, "paper": run_paper}[setup](seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=32)
    parser.add_argument("--out", type=Path, default=OUT)
    add_arguments(parser)
    args = parser.parse_args()
    keys = [
        {"setup": setup, "seed": s}
        for setup in ("two", "paper")
        for s in range(args.seeds)
    ]
    rows = sweep(run, keys, args.out, FIELDS, **sweep_options(args))
    for setup in ("two", "paper"):
        runs = [r for r in rows if r["setup"] == setup]
        print(
            f"{setup}: success (relative extrapolation error < {SUCCESS:.0%}) in "
            f"{sum(int(r['success']) for r in runs)} of {len(runs)} seeds; min "
            f".. max over seeds:"
        )
        for f in FIELDS[2:]:
            if f != "success" and runs[0].get(f, "") != "":
                v = np.array([float(r[f]) for r in runs])
                print(
                    f"  {f:30s} {v.min():10.4g} .. {v.max():<10.4g} median "
                    f"{np.median(v):.4g}"
                )


if __name__ == "__main__":
    main()
