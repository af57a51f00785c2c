"""The source post's own runs replayed on nmbook: does its push-bias growth line alone
make the controller push at every step and bypass the stack, and what does its part 6
recipe learn?

Trask's neural-stack post (2016) trains a controller to reverse binary sequences twice.
Part 5's run ends with every printed push strength at 1.0 and the pop strengths near
0.5; part 6 adds two heads that reconstruct the previous input and ends with gates near
0 and 1. Both are rebuilt here (:mod:`nmbook.post_stack`,
:mod:`nmbook.post_replay`) with the post's configuration — sizes, initial weights, plain
SGD at rate/L on the mean of each batch, the curriculum and its thresholds — and
nmbook's own stack, whose backward pass is checked against finite differences (the
post's had two errors). Three arms, each seeded per run (weights from ``seed``, data
from ``10_000 + seed``; arms ``part5`` and ``part5_no_growth`` share both, so they
differ only in the growth line):

* ``part5``: part 5, with ``b_d ← b_d (1 + 0.00025 · 10)`` after every update;
* ``part5_no_growth``: the same without that line;
* ``part6``: part 6 at its full length, 15,000 updates of 50 sequences (750,000).

Part 5's budget is scaled: 20,000 updates of 10 sequences (200,000 sequences, against
the post's ~3,000,000); the growth line multiplies ``b_d`` by e about every 400 updates,
so its effect shows long before that.

Each row: ``max_len`` (the curriculum's at the end), ``reached_at`` (sequences seen when
it got there) and ``reached`` (every step ``k:sequences``), ``d99_at`` (sequences seen
when the mean push strength over a batch's stack steps first exceeded 0.99), the final
push bias ``b_d``, ``err_last`` (the post's summed absolute error per 100 sequences,
mean of the last 10 windows); on 200 fresh sequences of the training lengths (part 5:
1..max_len, part 6: 3..max_len + 2): the mean gates while reading and answering
(``d_in`` … ``u_out``), the fraction of stack steps with d > 0.99 (``frac_d99``), the
range of u (``u_min``, ``u_max``), the fraction of gates within 0.01 of 0 or 1
(``saturated``) and the share of the answering reads taken from earlier pushes
(``share``; 0 = the stack bypassed); whole-sequence (``acc_*``) and per-symbol
(``fine_*``) accuracy at the training lengths and on 100 sequences each of lengths 8,
16, 32, 64, and the same with every read zeroed (``zacc_*``, ``zfine_*``); ``cpu_s``.

Run: ``python benchmarks/post_replay.py [--arms a,b] [--seeds N] [--first-seed S]
[--out FILE] [--jobs N] [--resume]`` (the sweep runner of ``_common.py``: rows are
appended to ``--out``, default ``benchmarks/results/post_replay.csv``, as they finish;
``--resume`` runs only the arm/seed pairs missing from it), then the rates are printed.
A part 5 run takes 25–40 s of CPU, a part 6 run 34–118 s (a run whose curriculum takes
off trains on ever longer sequences). The committed CSV holds seeds 0–19 of every arm
(part 6's seeds 16–19 were added later with ``--resume``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import _common  # noqa: F401  (first: pins the BLAS threads)
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.post_replay import (
    PART5,
    PART6,
    accuracy_by_length,
    gate_report,
    make_post_model,
    replay,
    score,
    with_growth,
)
from nmbook.stats import format_rate

ARMS = {
    "part5": (PART5, 20_000),
    "part5_no_growth": (with_growth(PART5, 0.0), 20_000),
    "part6": (PART6, 15_000),
}
TEST_LENGTHS = (8, 16, 32, 64)
TEST_SEED = 1
N_TRAIN, N_TEST = 200, 100
OUT = Path(__file__).resolve().parent / "results" / "post_replay.csv"
GATES = ("d_in", "u_in", "d_out", "u_out", "frac_d99", "u_min", "u_max", "saturated")
ACC = [f"{k}_{n}" for n in ("train", *TEST_LENGTHS) for k in ("acc", "fine")]
FIELDS = (
    ["arm", "seed", "updates", "sequences", "max_len", "reached_at", "reached"]
    + ["d99_at", "b_d", "err_last", *GATES, "share", *ACC]
    + [f"z{c}" for c in ACC]
    + ["cpu_s"]
)


def one_run(arm: str, seed: int, updates: int | None = None) -> dict[str, object]:
    recipe, budget = ARMS[arm]
    updates = updates or budget
    t0 = time.process_time()
    model = make_post_model(recipe, seed)
    hist = replay(model, recipe, updates, rng=10_000 + seed)
    top = hist.max_len[-1]
    row: dict[str, object] = {
        "arm": arm,
        "seed": seed,
        "updates": hist.updates,
        "sequences": hist.updates * recipe.batch,
        "max_len": top,
        "reached_at": hist.reached[top],
        "reached": " ".join(f"{k}:{v}" for k, v in sorted(hist.reached.items())),
        "d99_at": next(
            (i for i, d in zip(hist.iteration, hist.mean_d, strict=True) if d > 0.99),
            "",
        ),
        "b_d": f"{model.push_bias:.6g}",
        "err_last": f"{np.mean(hist.error[-10:]):.4g}",
    }
    rng = np.random.default_rng(TEST_SEED)
    train = recipe.len_offset + rng.integers(0, top, size=N_TRAIN)
    rep = gate_report(model, recipe, train, np.random.default_rng(TEST_SEED))
    row.update({k: f"{rep[k]:.4g}" for k in (*GATES, "share")})
    for prefix, zero in (("", False), ("z", True)):
        trng = np.random.default_rng(TEST_SEED + 1)
        row[f"{prefix}acc_train"], row[f"{prefix}fine_train"] = score(
            model, recipe, train, trng, zero_reads=zero
        )
        accs = accuracy_by_length(
            model, recipe, TEST_LENGTHS, N_TEST, TEST_SEED, zero_reads=zero
        )
        for n, (a, f) in accs.items():
            row[f"{prefix}acc_{n}"], row[f"{prefix}fine_{n}"] = a, f
    for c in ACC:
        for k in (c, f"z{c}"):
            row[k] = f"{float(row[k]):.4g}"
    row["cpu_s"] = f"{time.process_time() - t0:.1f}"
    return row


def summary(rows: list[dict[str, str]]) -> None:
    """Print the rates the chapter quotes, each with its 95% interval."""
    for arm in ARMS:
        runs = [r for r in rows if r["arm"] == arm]
        if not runs:
            continue
        n = len(runs)

        def count(test, runs=runs) -> int:
            return sum(bool(test(r)) for r in runs)

        pushed = count(lambda r: float(r["frac_d99"]) >= 0.99)
        bypass = count(
            lambda r: float(r["frac_d99"]) >= 0.99 and float(r["share"]) < 0.01
        )
        print(f"{arm}: d > 0.99 at >= 99% of stack steps {format_rate(pushed, n)}")
        print(f"  ... and reads from earlier pushes < 1% {format_rate(bypass, n)}")
        sat = count(lambda r: float(r["saturated"]) >= 0.9)
        print(f"  gates within 0.01 of 0 or 1 at >= 90% of steps {format_rate(sat, n)}")
        for col in ("acc_train", "acc_8", "acc_16", "acc_64", "zacc_train"):
            k = count(lambda r, c=col: float(r[c]) >= 0.99)
            print(f"  {col} >= 0.99: {format_rate(k, n)}")
        tops = sorted(int(r["max_len"]) for r in runs)
        print(
            f"  max_len reached: min {tops[0]}, median {tops[n // 2]}, max {tops[-1]}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--arms", default=",".join(ARMS), help="subset of " + ", ".join(ARMS)
    )
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=OUT)
    add_arguments(ap)
    args = ap.parse_args()
    arms = args.arms.split(",")
    unknown = sorted(set(arms) - set(ARMS))
    if unknown:
        ap.error(f"unknown arms {unknown}; choose from {list(ARMS)}")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    keys = [{"arm": arm, "seed": seed} for seed in seeds for arm in arms]
    rows = sweep(
        one_run,
        keys,
        args.out,
        FIELDS,
        note=lambda rs: f"max_len {rs[0]['max_len']}, b_d {rs[0]['b_d']}",
        **sweep_options(args),
    )
    summary(rows)


if __name__ == "__main__":
    main()
