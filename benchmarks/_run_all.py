"""Run every sweep of ``benchmarks/``, writing every CSV of ``benchmarks/results/``
(``make benchmarks``; the leading underscore keeps it off the benchmarks page).

Each line of :data:`SWEEPS` is one script with the arguments that write one committed
CSV; they run one after another, each through the sweep runner (``_common.py``) with
the options given here: ``--jobs N`` (default 1; the rows are the same for every N),
``--resume`` (keep the rows already in each CSV, run the rest) and ``--dask ADDRESS``.
``stack.py`` (which times its implementations against each other) and ``nau_static.py``
(whose milestones continue one another) always run with one job.
``--only a,b`` runs the sweeps whose script or CSV name contains one of the words.
Everything takes about nine hours on one core (``nau_static.py`` alone about four).

Run: ``.venv/bin/python benchmarks/_run_all.py [--jobs N] [--resume] [--dask ADDRESS]
[--only NAMES]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (script, its arguments, the CSV it writes), in an order where a sweep that reads
#: another's CSV comes after it (deque_top_push.py checks memory_tasks_live.csv).
SWEEPS = (
    ("minibatching_seeds.py", (), "minibatching_seeds.csv"),
    ("minibatching_lr_scaling.py", (), "minibatching_lr_scaling.csv"),
    ("binary_addition_seeds.py", (), "binary_addition_seeds.csv"),
    ("binary_addition_automaton.py", (), "binary_addition_automaton.csv"),
    ("binary_addition_bug_seeds.py", (), "binary_addition_bug_seeds.csv"),
    ("binary_addition_eps.py", (), "binary_addition_eps.csv"),
    ("optimizers_binary_addition.py", (), "optimizers_binary_addition.csv"),
    (
        "optimizers_binary_addition_nudged.py",
        (),
        "optimizers_binary_addition_nudged.csv",
    ),
    ("optimizers_fair.py", (), "optimizers_fair.csv"),
    ("rprop_binary_addition.py", (), "rprop_binary_addition.csv"),
    ("stack.py", (), "stack.csv"),
    ("reversal_seeds.py", (), "reversal_seeds.csv"),
    ("post_replay.py", (), "post_replay.csv"),
    ("reversal_long.py", (), "reversal_long.csv"),
    ("lstm_fit.py", (), "lstm_fit.csv"),
    ("reversal_lr.py", (), "reversal_lr.csv"),
    ("memory_tasks.py", (), "memory_tasks.csv"),
    ("memory_tasks.py", ("--long",), "memory_tasks_long.csv"),
    ("memory_tasks.py", ("--live",), "memory_tasks_live.csv"),
    ("deque_top_push.py", (), "deque_top_push.csv"),
    ("identity_mlp_seeds.py", (), "identity_mlp_seeds.csv"),
    ("identity_mlp_tails.py", (), "identity_mlp_tails.csv"),
    ("nalu_static.py", (), "nalu_static.csv"),
    ("nalu_success.py", (), "nalu_success.csv"),
    ("nalu_live_runs.py", (), "nalu_live_runs.csv"),
    ("nau_static.py", (), "nau_static.csv"),
    # two cells continue past 2·10^6 steps, alone, keeping the rows above (--resume)
    (
        "nau_static.py",
        ("--cells", "nau:sub", "--milestones", "3000000,4000000,5000000", "--resume"),
        "nau_static.csv",
    ),
    (
        "nau_static.py",
        ("--cells", "nmu:mul", "--milestones", "3000000", "--resume"),
        "nau_static.csv",
    ),
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--dask", metavar="ADDRESS", default=None)
    ap.add_argument("--only", default="", help="comma-separated words")
    args = ap.parse_args()
    words = [w for w in args.only.split(",") if w]
    t0 = time.perf_counter()
    for script, extra, csv_name in SWEEPS:
        if words and not any(w in script or w in csv_name for w in words):
            continue
        # stack.py times its implementations against each other; nau_static.py's
        # milestones continue one another: both always run one job
        one_job = script in ("stack.py", "nau_static.py")
        options = ["--jobs", str(1 if one_job else args.jobs)]
        options += ["--resume"] * args.resume
        if args.dask and script != "stack.py":
            options += ["--dask", args.dask]
        cmd = [sys.executable, str(HERE / script), *extra, *options]
        print(f"==> {' '.join(cmd[1:])}  ({csv_name})", flush=True)
        subprocess.run(cmd, check=True)
    print(f"all sweeps done in {(time.perf_counter() - t0) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
