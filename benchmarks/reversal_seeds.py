"""Seed sweep of the reversal controllers of Part III, chapters 3 and 4: what holds in
every seed?

The chapters train one seed live; this sweep is the evidence behind every claim they
make about it. Each run trains a controller to reverse random sequences over a
vocabulary of 8 symbols, lengths drawn uniformly from 1..8, Adam, batch 32,
gradient-norm clip 1, at most 3,000 steps, stopping once a fresh batch of every length
1..8 is reversed without error (checked every 50 steps). The recipes, seed for seed:

* ``penalty``: the chapter's recipe — a 64-unit tanh RNN with a continuous stack of
  width 8, pop bias −1, Adam 3e-3, and from step 800 a saturation penalty 0.1 ·
  mean(d(1−d) + u(1−u)); it stops only once that penalty is below 0.01;
* ``plain``: the same without the penalty;
* ``plain_full``: ``plain`` without the early stop, trained for all 3,000 steps (the
  penalty's budget);
* ``curriculum``: ``penalty`` with a length curriculum (longest length 2 → 8 over the
  first 1,000 steps);
* ``noise``: ``plain`` with Gaussian noise (σ = 1) on the gate pre-activations;
* ``pop_bias_0``, ``pop_bias_+1``: ``penalty`` with the pop bias at 0 or +1 instead of
  −1;
* ``cheat``: chapter 4's push-bias clamp (b_d ≥ 6 after every update), no penalty;
* ``lstm``: chapter 3's baseline, a 34-unit LSTM without memory, no penalty, Adam 3e-2:
  the rate that ``reversal_lr.py``'s rule picks for it;
* ``post_wiring``: ``penalty`` with the source post's output wiring, ``o_t = W_o h_t +
  b_o`` (the read reaches the output only through the next step's state) instead of the
  book's ``o_t = W_o [h_t; r_t] + b_o``;
* ``autoencoder``: the source post's own remedy (its part 6), ``plain`` plus the
  auxiliary loss 1.0 · L_aux: two linear decoders reconstruct the previous input symbol
  from ``h_t`` and from the heads' pre-activations (``MemoryController(...,
  autoencoder=True)``, ``SeqTrainConfig(aux_weight=1.0)``);
* ``autoencoder_lag0``: ``autoencoder`` reconstructing the current input symbol instead
  of the previous one (``aux_lag=0``: the value pushed at step t is asked to carry the
  symbol read at step t);
* ``pop_bias_0_on``: ``pop_bias_0`` that keeps training 500 steps after its stopping
  rule first fires (same learning rate, penalty on; within the same 3,000-step budget),
  to push the gates further towards 0 and 1;
* ``pop_bias_0_tail``: the same 500 extra steps at a tenth of the learning rate (3e-4);
* ``pop_bias_0_long``: ``pop_bias_0_on`` with a 3,500-step budget, so that a seed whose
  rule fires late still gets its 500 extra steps (run over 40 seeds: 0–19 chose it,
  20–39 check it);
* ``pop_bias_0_on_fast``: ``pop_bias_0_on`` at 1e-2, the rate that ``reversal_lr.py``'s
  rule picks for ``penalty``;
* ``pop_bias_0_retry``: ``pop_bias_0_on`` under the restart rule the chapters' live runs
  use (:func:`nmbook.seqtrain.train_until_solved`, at most 3 attempts): a run whose
  stopping rule has not fired, with its 500 extra steps, by step 3,000 starts again from
  seed ``seed + 1000 k``; ``attempts`` counts them and ``wall_s`` includes every attempt
  (40 seeds).

``steps`` is the step at which the stopping rule fired (``budget``, the recipe's most
steps, if it never did); ``wall_s`` includes any extra steps. ``solved`` (1 or 0) is
:attr:`nmbook.seqtrain.History.solved`, the book's one meaning of the word: the rule
fired and the recipe's extra steps, if any, were all trained within the budget (a
``pop_bias_0_on`` run whose rule fires at step 2,600 is not solved: only 400 of its 500
extra steps fit).

Every run is measured as the chapters measure their live run: whole-sequence (``acc_L``)
and per-symbol (``fine_L``) accuracy on 100 fresh sequences of each length (test seed
1), the longest ``L`` up to 64 such that every length 1..L is ≥ 99% correct, the same
two accuracies on 32 sequences of length 256 (``acc_256``, ``fine_256``; empty in rows
run before they existed), the same with every read zeroed (``zacc_L``, ``zfine_L``), the
mean gates per phase and the share of each output-phase read that comes from earlier
pushes, on chapter 4's batch of twelve sequences of lengths 2, 4, …, 24 (``d_in`` …
``share``), that share on 50 sequences of length 8 (``share_8``, chapter 3), and the
trained push bias ``b_d``. Three columns close each row:
``attempts`` (``pop_bias_0_retry`` only), ``budget``, the recipe's most steps per
attempt, and ``solved``. Memory-less runs leave the memory columns empty.

Run: ``python benchmarks/reversal_seeds.py [--recipes a,b,...] [--seeds N]
[--first-seed S] [--out FILE] [--merge] [--jobs N] [--resume] [--dask ADDRESS]``. The
default runs every recipe (20 seeds; ``curriculum`` and ``noise``, which no chapter runs
live, 10; ``pop_bias_0_long`` 40 and ``pop_bias_0_retry`` 60: seeds 40–59 are seeds on
which no choice of recipe was made) and writes
``benchmarks/results/reversal_seeds.csv``; about two hours on one core (a seed takes
3–50 s), an hour with ``--jobs 2``.
``--merge`` keeps the rows of ``--out`` whose (recipe, seed) is not run and replaces
those that are (e.g. ``--recipes pop_bias_0_retry --first-seed 40 --seeds 20 --merge``
adds or reruns those 20 seeds alone); ``--jobs``, ``--resume`` and ``--dask`` are the
runner's (``benchmarks/_common.py``): the rows are the same for every ``--jobs``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.controller import MemoryController
from nmbook.recipes import (
    lstm_baseline_config,
    make_lstm_baseline,
    make_stack_rnn,
    stack_rnn_config,
)
from nmbook.seqmetrics import sequences_correct
from nmbook.seqtrain import (
    SeqTrainConfig,
    accuracy_by_length,
    earlier_read_share_of,
    gate_phase_means,
    train_transducer,
    train_until_solved,
)
from nmbook.tasks.transduction import transduction_batch

# in the order of the committed CSV's rows
RECIPES = (
    "penalty",
    "plain",
    "plain_full",
    "curriculum",
    "noise",
    "pop_bias_0",
    "pop_bias_+1",
    "cheat",
    "lstm",
    "post_wiring",
    "autoencoder",
    "pop_bias_0_on",
    "pop_bias_0_tail",
    "autoencoder_lag0",
    "pop_bias_0_long",
    "pop_bias_0_on_fast",
    "pop_bias_0_retry",
)
SEEDS = {
    r: 10
    if r in ("curriculum", "noise")
    else 40
    if r == "pop_bias_0_long"
    else 60
    if r == "pop_bias_0_retry"
    else 20
    for r in RECIPES
}
TEST_LENGTHS = (4, 8, 16, 32, 64)
ZERO_LENGTHS = (4, 8, 16, 32)
LONG_LENGTH, LONG_BATCH = 256, 32  # far beyond training; a small batch keeps it cheap
TEST_SEED = 1  # the chapters' test sequences
OUT = _common.RESULTS / "reversal_seeds.csv"
FIELDS = (
    ["recipe", "seed", "steps", "wall_s", "longest_99"]
    + [f"acc_{n}" for n in TEST_LENGTHS]
    + [f"fine_{n}" for n in TEST_LENGTHS]
    + [f"zacc_{n}" for n in ZERO_LENGTHS]
    + [f"zfine_{n}" for n in ZERO_LENGTHS]
    + ["d_in", "u_in", "d_out", "u_out", "reversed_12", "share", "share_8", "b_d"]
    # added later: kept last so older rows stay as they were
    + [f"acc_{LONG_LENGTH}", f"fine_{LONG_LENGTH}"]
    + ["attempts", "budget", "solved"]
)


def config(recipe: str, seed: int) -> SeqTrainConfig:
    """The training configuration of one recipe (see the module docstring):
    ``penalty`` is chapter 3's (:func:`nmbook.recipes.stack_rnn_config`), ``lstm`` its
    baseline's (:func:`nmbook.recipes.lstm_baseline_config`), the others change it."""
    if recipe == "lstm":
        return lstm_baseline_config(seed=seed)
    cfg = stack_rnn_config(seed=seed)
    # the variants that train on after the stopping rule fires
    after = recipe.startswith("pop_bias_0_")
    penalty = after or recipe in (
        "penalty",
        "curriculum",
        "pop_bias_0",
        "pop_bias_+1",
        "post_wiring",
    )
    if not penalty:
        cfg = replace(cfg, penalty=0.0, penalty_start=0, solved_max_penalty=None)
    return replace(
        cfg,
        steps=3500 if recipe == "pop_bias_0_long" else 3000,
        lr=1e-2 if recipe == "pop_bias_0_on_fast" else cfg.lr,
        curriculum_steps=1000 if recipe == "curriculum" else 0,
        noise_std=1.0 if recipe == "noise" else 0.0,
        push_bias_floor=6.0 if recipe == "cheat" else None,
        solved_check_every=0 if recipe == "plain_full" else 50,
        aux_weight=1.0 if recipe.startswith("autoencoder") else 0.0,
        aux_lag=0 if recipe == "autoencoder_lag0" else 1,
        steps_after_solved=500 if after else 0,
        lr_after_solved=3e-4 if recipe == "pop_bias_0_tail" else None,
    )


def model_for(recipe: str, seed: int) -> MemoryController:
    """The untrained controller of one recipe and seed: chapter 3's stack-RNN
    (:func:`nmbook.recipes.make_stack_rnn`) with the recipe's changes, or its LSTM
    baseline."""
    if recipe == "lstm":
        return make_lstm_baseline(seed)
    pop_bias = (
        0.0
        if recipe.startswith("pop_bias_0")
        else 1.0
        if recipe == "pop_bias_+1"
        else -1.0
    )
    return make_stack_rnn(
        seed,
        pop_bias=pop_bias,
        output_sees_read=recipe != "post_wiring",
        autoencoder=recipe.startswith("autoencoder"),
    )


def measure(model: MemoryController) -> dict:
    """Every number the chapters print about their live run, for one trained model."""
    row: dict = {}
    acc = accuracy_by_length(model, "reverse", 8, range(1, 65), 100, seed=TEST_SEED)
    row["longest_99"] = max(
        [0] + [L for L in acc if all(acc[n][0] >= 0.99 for n in range(1, L + 1))]
    )
    acc.update(
        accuracy_by_length(
            model, "reverse", 8, [LONG_LENGTH], LONG_BATCH, seed=TEST_SEED
        )
    )
    for n in (*TEST_LENGTHS, LONG_LENGTH):
        row[f"acc_{n}"], row[f"fine_{n}"] = f"{acc[n][0]:.2f}", f"{acc[n][1]:.3f}"
    if model.memory is None:
        return row
    zero = accuracy_by_length(
        model, "reverse", 8, ZERO_LENGTHS, 100, seed=TEST_SEED, zero_reads=True
    )
    for n in ZERO_LENGTHS:
        row[f"zacc_{n}"], row[f"zfine_{n}"] = f"{zero[n][0]:.2f}", f"{zero[n][1]:.3f}"
    lengths = np.arange(2, 25, 2)  # chapter 4's inspection batch
    x, y, mask = transduction_batch("reverse", lengths, 8, np.random.default_rng(3))
    pred = model.forward(x).argmax(axis=-1)
    row["reversed_12"] = int(sequences_correct(pred, y, mask).sum())
    gates = gate_phase_means(model, x, lengths)
    (row["d_in"], row["u_in"]), (row["d_out"], row["u_out"]) = (
        gates["input"],
        gates["output"],
    )
    row["share"] = earlier_read_share_of(model, x, mask)
    x8, _, mask8 = transduction_batch(
        "reverse", 8, 8, np.random.default_rng(5), batch=50
    )
    row["share_8"] = earlier_read_share_of(model, x8, mask8)
    row["b_d"] = model.b_g.value[0]
    for k in ("d_in", "u_in", "d_out", "u_out", "share", "share_8", "b_d"):
        row[k] = f"{row[k]:.3f}"
    return row


def one_run(recipe: str, seed: int) -> dict:
    """Train and measure one run: its row of the CSV."""
    t0 = time.perf_counter()
    if recipe == "pop_bias_0_retry":
        make = lambda s: model_for(recipe, s)  # noqa: E731
        model, hist, attempts = train_until_solved(
            make, config(recipe, seed), max_attempts=3, seed_step=1000
        )
    else:
        model, attempts = model_for(recipe, seed), None
        hist = train_transducer(model, config(recipe, seed))
    wall = time.perf_counter() - t0
    # when the stopping rule fired (the budget: never)
    steps = hist.solved_at or hist.stopped_at
    row = {"recipe": recipe, "seed": seed, "steps": steps, "wall_s": f"{wall:.1f}"}
    row["budget"] = config(recipe, seed).steps
    row["solved"] = int(hist.solved)
    if attempts is not None:
        row["attempts"] = len(attempts)
    row.update(measure(model))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--recipes",
        default=",".join(RECIPES),
        help="comma-separated subset of " + ", ".join(RECIPES),
    )
    ap.add_argument(
        "--seeds",
        type=int,
        default=None,
        help="seeds per recipe (default: 20; 10 for curriculum, noise; 40 for "
        "pop_bias_0_long; 60 for pop_bias_0_retry)",
    )
    ap.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="seeds first-seed .. first-seed + N - 1 (default 0)",
    )
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--merge",
        action="store_true",
        help="keep the rows of --out whose (recipe, seed) is not run",
    )
    add_arguments(ap)
    args = ap.parse_args()
    recipes = args.recipes.split(",")
    unknown = sorted(set(recipes) - set(RECIPES))
    if unknown:
        ap.error(f"unknown recipes {unknown}; choose from {RECIPES}")
    keys = [
        {"recipe": recipe, "seed": seed}
        for recipe in recipes
        for seed in range(
            args.first_seed, args.first_seed + (args.seeds or SEEDS[recipe])
        )
    ]
    rows = sweep(
        one_run,
        keys,
        args.out,
        FIELDS,
        keep=(lambda r: True) if args.merge else None,
        order=lambda r: (RECIPES.index(r["recipe"]), int(r["seed"])),
        note=lambda rs: ", ".join(
            f"{k}={rs[0].get(k, '')}" for k in ("steps", "solved", "acc_8", "acc_64")
        ),
        **sweep_options(args),
    )
    for recipe in recipes:
        runs = [r for r in rows if r["recipe"] == recipe]
        lengths = (*TEST_LENGTHS, LONG_LENGTH)
        tested = {n: [r for r in runs if r[f"acc_{n}"]] for n in lengths}
        ok = {n: sum(float(r[f"acc_{n}"]) >= 0.99 for r in tested[n]) for n in lengths}
        print(
            f"{recipe}: solved {sum(r['solved'] == '1' for r in runs)}/{len(runs)}; "
            "seeds with >= 99% whole-sequence accuracy "
            + ", ".join(f"{ok[n]}/{len(tested[n])} at {n}" for n in lengths)
        )


if __name__ == "__main__":
    main()
