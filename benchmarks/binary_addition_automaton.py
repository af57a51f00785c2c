"""The automaton inside Part II's adder (*An RNN from scratch, part 2*): in how many
seeds is the trained network exactly the two-state full adder?

For each seed this script trains the chapter's live run (``train_seed`` and
``chapter_data`` of ``binary_addition_seeds.py``: 7-bit training sums, 16 units,
RMSProp with Nesterov momentum, 20 epochs), runs the network on the chapter's carry
probe (500 random 16-bit sums, 8,500 steps) and extracts a Mealy machine with
:mod:`nmbook.automaton`: the hidden states are clustered with k-means for k = 1, 2, …,
16 and the first k under which every observed (state, input bits) has a single (next
state, output bit) is kept; that machine is minimised (Moore's partition refinement)
and compared with the hand-written full adder (two states, the carry). Per seed:

* ``solved``: 100% on every held-out 7-bit pair after the last epoch;
* ``clusters`` (the k kept), ``deterministic`` (False if no k up to 16 was; then the
  16 clusters are kept), ``min_share`` (the smallest majority share of a transition, 1
  when deterministic), ``minimal_states`` and ``full_adder``: the minimised majority
  machine is isomorphic to the full adder. The network *is* exactly the full adder on
  the probe when ``deterministic`` and ``full_adder`` both hold;
* ``sign_clusters``, ``sign_min_share``: the cruder quantisation by sign pattern, its
  number of clusters and its smallest majority share (1 = deterministic);
* ``acc_64_network``, ``acc_64_machine``: whole-sum accuracy of the network and of the
  extracted minimal machine run on its own, on the chapter's 2,000 random 64-bit sums
  (``random_additions(2000, 64, seed=164)``), and ``agree_64``, the fraction of those
  sums on which the two give the same bits.

The baseline, timed in the same process, is each seed's training: the script prints the
extraction's time as a ratio to it, and the rates with 95% Wilson intervals.

Run: ``python benchmarks/binary_addition_automaton.py [--seeds N] [--jobs N]
[--resume] [--dask ADDRESS]`` (default 40 seeds, the seeds of
``binary_addition_seeds.csv``; about 2 minutes on one idle core) — writes
``benchmarks/results/binary_addition_automaton.csv``, one row per seed.
"""

from __future__ import annotations

import argparse
import time

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options
from binary_addition_seeds import chapter_data, train_seed

from nmbook.automaton import (
    extract_machine,
    full_adder,
    isomorphic,
    majority_machine,
    pair_symbols,
    run_machine,
    sign_states,
    transition_counts,
)
from nmbook.stats import format_rate
from nmbook.tasks.binary_addition import sum_accuracy

OUT = _common.RESULTS / "binary_addition_automaton.csv"
FIELDS = [
    "seed",
    "solved",
    "clusters",
    "deterministic",
    "min_share",
    "minimal_states",
    "full_adder",
    "sign_clusters",
    "sign_min_share",
    "acc_64_network",
    "acc_64_machine",
    "agree_64",
    "train_seconds",
    "extract_seconds",
]


def run(seed: int) -> dict:
    train, held_out, probe, _, tests = chapter_data()
    model, hist, train_seconds = train_seed(seed, train, held_out)
    t0 = time.perf_counter()
    h = model[0].forward(probe.x)  # (17, 500, 16)
    outputs = (model[1].forward(h)[..., 0] > 0).astype(int)
    inputs = pair_symbols(probe.x)
    ex = extract_machine(h, inputs, outputs)
    extract_seconds = time.perf_counter() - t0
    states, _ = sign_states(h)
    _, sign_share = majority_machine(transition_counts(states, inputs, outputs))
    d64 = tests[64]
    net_bits = (model.forward(d64.x)[..., 0] > 0).astype(int)
    machine_bits = run_machine(ex.minimal, pair_symbols(d64.x))
    target = d64.target[..., 0].astype(int)
    return {
        "seed": seed,
        "solved": hist["held_out_acc"][-1] == 1.0,
        "clusters": ex.k,
        "deterministic": ex.deterministic,
        "min_share": f"{np.nanmin(ex.share):.4f}",
        "minimal_states": ex.minimal.next_state.shape[0],
        "full_adder": isomorphic(ex.minimal, full_adder()),
        "sign_clusters": int(states.max()) + 1,
        "sign_min_share": f"{np.nanmin(sign_share):.4f}",
        "acc_64_network": f"{sum_accuracy(model.forward(d64.x), d64.target):.6f}",
        "acc_64_machine": f"{np.mean((machine_bits == target).all(axis=0)):.6f}",
        "agree_64": f"{np.mean((machine_bits == net_bits).all(axis=0)):.6f}",
        "train_seconds": f"{train_seconds:.2f}",
        "extract_seconds": f"{extract_seconds:.2f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=40)
    add_arguments(parser)
    args = parser.parse_args()
    rows = sweep(
        run,
        [{"seed": s} for s in range(args.seeds)],
        OUT,
        FIELDS,
        note=lambda rs: ", ".join(
            f"{k} {rs[0][k]}" for k in ("clusters", "minimal_states", "full_adder")
        ),
        **sweep_options(args),
    )
    n = len(rows)
    ratio = [float(r["extract_seconds"]) / float(r["train_seconds"]) for r in rows]
    print(f"extraction time relative to training: median {np.median(ratio):.2f}")

    def count(test) -> str:
        return format_rate(sum(bool(test(r)) for r in rows), n)

    print(f"findings over {n} seeds:")
    print(f"  solved: {count(lambda r: r['solved'] == 'True')}")
    print(
        f"  deterministic clustering: {count(lambda r: r['deterministic'] == 'True')}"
    )
    print(
        f"  majority machine = full adder: {count(lambda r: r['full_adder'] == 'True')}"
    )
    exact = count(lambda r: r["full_adder"] == r["deterministic"] == "True")
    print(f"  deterministic and exactly the full adder: {exact}")
    ks = [int(r["clusters"]) for r in rows]
    print(f"  clusters kept: {min(ks)}–{max(ks)}, median {np.median(ks):g}")
    print(f"  64-bit network 100%: {count(lambda r: float(r['acc_64_network']) == 1)}")
    print(f"  64-bit machine 100%: {count(lambda r: float(r['acc_64_machine']) == 1)}")
    print(
        f"  machine = network on every 64-bit sum: "
        f"{count(lambda r: float(r['agree_64']) == 1)}"
    )
    signs = [float(r["sign_min_share"]) for r in rows]
    exact = count(lambda r: float(r["sign_min_share"]) == 1)
    print(f"  sign patterns deterministic: {exact} (smallest share {min(signs):.2f})")


if __name__ == "__main__":
    main()
