"""The chapters' recipes, defined once: what a chapter shows and a benchmark reruns.

A chapter imports its recipe from here (and may print it with ``inspect.getsource``);
the script in ``benchmarks/`` that measures it over seeds imports the same object, so
the two cannot drift apart. Each entry's docstring names the chapter that shows it and
the benchmarks that rerun it. Taught in: Part I (the classifier, medians over seeds),
Part II (the carry), Part III, chapters 3–5 (the controllers and their training
configurations).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nmbook.controller import MemoryController
from nmbook.layers import Linear, ReLU, Sequential
from nmbook.memory import DEQUE, QUEUE, STACK
from nmbook.rng import as_rng
from nmbook.seqtrain import SeqTrainConfig, train_until_solved
from nmbook.stats import median_interval

# --------------------------------------------------------------------------------------
# Part I


def make_mlp(seed: int) -> Sequential:
    """The 2-50-1 ReLU network of Part I, its weights drawn with ``seed``.

    Shown in: ``p1_minibatching``. Rerun by: ``benchmarks/minibatching_seeds.py``,
    ``benchmarks/minibatching_lr_scaling.py``.
    """
    rng = as_rng(seed, "seed")
    return Sequential(Linear(2, 50, rng), ReLU(), Linear(50, 1, rng))


def median_ci(values) -> tuple[float, float, float]:
    """The median of ``values`` and its distribution-free 95% interval (order
    statistics, :func:`nmbook.stats.median_interval`): ``(median, low, high)``.

    ``values``: at least 6 numbers (fewer have no such interval: ``ValueError``).
    Shown in: ``p1_minibatching``. Used by: ``benchmarks/minibatching_seeds.py``.
    """
    interval = median_interval(values)
    if interval is None:
        raise ValueError(
            f"values must hold at least 6 numbers for a 95% median interval, "
            f"got {len(values)}"
        )
    return float(np.median(values)), *interval


# --------------------------------------------------------------------------------------
# Part II


def carries(d) -> np.ndarray:
    """``c[t, i]``: the carry out of bit ``t`` of ``a_i + b_i``, from Python integers
    (not from the network's data): the target of the carry probe.

    ``d``: an :class:`nmbook.tasks.binary_addition.AdditionData` (``x: (T, B, 2)``, the
    integers ``a``, ``b``). Returns ``(T, B)`` floats, 0 or 1.
    Shown in: ``p2_rnn_binary_addition``. Rerun by:
    ``benchmarks/binary_addition_seeds.py``.
    """
    T = d.x.shape[0]
    return np.array(
        [
            [
                ((a % 2 ** (t + 1)) + (b % 2 ** (t + 1))) >> (t + 1)
                for a, b in zip(d.a, d.b, strict=True)
            ]
            for t in range(T)
        ],
        dtype=float,
    )


# --------------------------------------------------------------------------------------
# Part III, chapters 3 and 4: the stack-RNN that reverses


def stack_rnn_config(**changes) -> SeqTrainConfig:
    """Chapter 3's reversal recipe (a fresh :class:`~nmbook.seqtrain.SeqTrainConfig`
    each call): vocabulary 8, lengths 1–8, at most 3,000 Adam steps at 3e-3, batch 32,
    clip 1, saturation penalty 0.1 from step 800, stopping once every length 1–8 is
    solved (checked every 50 steps) with the penalty ≤ 0.01; seed 0.

    ``changes``: fields to set instead, e.g. ``stack_rnn_config(seed=3,
    print_every=250)``.
    Shown in: ``p3_3_stack_rnn``, ``p3_4_stack_inspection``. Rerun by:
    ``benchmarks/reversal_seeds.py`` (recipe ``penalty`` and its variants),
    ``benchmarks/reversal_lr.py``.
    """
    cfg = SeqTrainConfig(
        task="reverse",
        vocab=8,
        steps=3000,
        batch=32,
        lr=3e-3,
        clip=1.0,
        min_len=1,
        max_len=8,
        penalty=0.1,
        penalty_start=800,
        solved_check_every=50,
        solved_max_penalty=0.01,
        seed=0,
    )
    return replace(cfg, **changes)


def make_stack_rnn(seed: int, **changes) -> MemoryController:
    """Chapter 3's stack-RNN, its weights drawn with ``seed``: 9 inputs (8 symbols and
    the delimiter), 8 outputs, 64 tanh units, a continuous stack of width 8, pop bias
    −1.

    ``changes``: other :class:`~nmbook.controller.MemoryController` arguments, e.g.
    ``make_stack_rnn(0, pop_bias=1.0)``.
    Shown in: ``p3_3_stack_rnn``, ``p3_4_stack_inspection``. Rerun by:
    ``benchmarks/reversal_seeds.py``, ``benchmarks/reversal_lr.py``.
    """
    kwargs = {"pop_bias": -1.0, **changes}
    return MemoryController(
        n_in=9, n_out=8, n_hidden=64, width=8, memory=STACK, rng=seed, **kwargs
    )


def lstm_baseline_config(**changes) -> SeqTrainConfig:
    """Chapter 3's LSTM baseline: :func:`stack_rnn_config` without the penalty, at the
    learning rate 3e-2 that ``benchmarks/reversal_lr.py``'s rule picks for it.

    Shown in: ``p3_3_stack_rnn``. Rerun by: ``benchmarks/reversal_seeds.py`` (recipe
    ``lstm``).
    """
    base = {"lr": 3e-2, "penalty": 0.0, "penalty_start": 0, "solved_max_penalty": None}
    return stack_rnn_config(**{**base, **changes})


def make_lstm_baseline(seed: int) -> MemoryController:
    """Chapter 3's memory-less baseline: a 34-unit LSTM (about as many parameters as
    the stack-RNN), its weights drawn with ``seed``.

    Shown in: ``p3_3_stack_rnn``. Rerun by: ``benchmarks/reversal_seeds.py``.
    """
    return MemoryController(
        n_in=9, n_out=8, n_hidden=34, width=0, memory=None, rng=seed, cell="lstm"
    )


#: The restart rule of chapter 3's live recipe (:func:`pop_bias_0_retry_config`): at
#: most this many attempts, attempt ``k`` from seed ``seed + RETRY_SEED_STEP · k``
#: (:func:`nmbook.seqtrain.train_until_solved`; the sweep's 60 seeds never share one).
RETRY_ATTEMPTS = 3
RETRY_SEED_STEP = 1000


def pop_bias_0_retry_config(**changes) -> SeqTrainConfig:
    """Chapter 3's live recipe, the one that meets the book's goal (99% at length 64):
    :func:`stack_rnn_config` (the saturation penalty from step 800, the stopping rule)
    plus 500 more steps with the penalty once the stopping rule fires, all within the
    3,000-step budget. The model is :func:`make_pop_bias_0_rnn` (pop bias 0); the run
    restarts under the rule of :func:`train_pop_bias_0_retry`.

    ``changes``: fields to set instead, e.g. ``pop_bias_0_retry_config(seed=3)``.
    Shown in: ``p3_3_stack_rnn``. Rerun by: ``benchmarks/reversal_seeds.py`` (recipe
    ``pop_bias_0_retry``, 60 seeds; ``pop_bias_0_on`` is one attempt of it).
    """
    return stack_rnn_config(**{"steps_after_solved": 500, **changes})


def make_pop_bias_0_rnn(seed: int, **changes) -> MemoryController:
    """Chapter 3's live stack-RNN: :func:`make_stack_rnn` with pop bias 0 instead of −1.

    Shown in: ``p3_3_stack_rnn``. Rerun by: ``benchmarks/reversal_seeds.py`` (recipes
    ``pop_bias_0`` …).
    """
    return make_stack_rnn(seed, **{"pop_bias": 0.0, **changes})


def train_pop_bias_0_retry(
    seed: int = 0, max_attempts: int = RETRY_ATTEMPTS, **changes
) -> tuple[MemoryController, object, list[tuple[int, int]]]:
    """Train chapter 3's live recipe from ``seed`` under its restart rule: a run that is
    not :attr:`~nmbook.seqtrain.History.solved` (stopping rule fired and its 500 extra
    steps trained by step 3,000) starts again from seed ``seed + 1000 k``, at most
    ``max_attempts`` attempts in all (the recipe: 3).

    ``changes``: :func:`pop_bias_0_retry_config` fields, e.g. ``print_every=250``.
    Returns :func:`nmbook.seqtrain.train_until_solved`'s ``(model, history,
    attempts)``. Shown in: ``p3_3_stack_rnn``. Rerun by:
    ``benchmarks/reversal_seeds.py`` (recipe ``pop_bias_0_retry``).
    """
    return train_until_solved(
        make_pop_bias_0_rnn,
        pop_bias_0_retry_config(seed=seed, **changes),
        max_attempts=max_attempts,
        seed_step=RETRY_SEED_STEP,
    )


LSTM_FIT_HIDDEN = 128


def lstm_fit_config(**changes) -> SeqTrainConfig:
    """A larger budget for an LSTM baseline, meant to fit the training lengths:
    :func:`stack_rnn_config` without the penalty, at most 6,000 Adam steps at 3e-3
    (with :func:`make_lstm_fit`'s 128 units), stopping once every length 1–8 is solved.

    Shown in: ``p3_3_stack_rnn`` (its rates), ``p3_evidence``. Rerun by:
    ``benchmarks/lstm_fit.py``.
    """
    base = {"lr": 3e-3, "steps": 6000, "penalty": 0.0, "penalty_start": 0}
    return stack_rnn_config(**{**base, "solved_max_penalty": None, **changes})


def make_lstm_fit(seed: int, n_hidden: int = LSTM_FIT_HIDDEN) -> MemoryController:
    """The LSTM that fits the training lengths: ``n_hidden`` units (the recipe:
    ``LSTM_FIT_HIDDEN``), no memory, its weights drawn with ``seed``.

    Shown in: ``p3_3_stack_rnn`` (its rates), ``p3_evidence``. Rerun by:
    ``benchmarks/lstm_fit.py``.
    """
    return MemoryController(
        n_in=9, n_out=8, n_hidden=n_hidden, width=0, memory=None, rng=seed, cell="lstm"
    )


# --------------------------------------------------------------------------------------
# Part III, chapter 5: which memory for which task

#: Chapter 5's models: name -> (memory, further ``MemoryController`` arguments). The
#: top-push deque starts with its bottom push and both pops switched off (bias −2).
#: Shown in: ``p3_5_queues_deques``. Rerun by: ``benchmarks/memory_tasks.py``,
#: ``benchmarks/deque_top_push.py``.
MODELS = {
    "none": (None, {}),
    "stack": (STACK, {}),
    "queue": (QUEUE, {}),
    "deque": (DEQUE, {}),
    "deque (top push)": (DEQUE, {"push_bias": (0.0, -2.0), "pop_bias": -2.0}),
}


def make_memory_model(name: str, seed: int, n_hidden: int = 32) -> MemoryController:
    """One of chapter 5's :data:`MODELS`, its weights drawn with ``seed``: vocabulary 8
    (9 inputs with the delimiter), ``n_hidden`` tanh units (the chapter: 32), memory
    width 8.

    Shown in: ``p3_5_queues_deques``. Rerun by: ``benchmarks/memory_tasks.py``,
    ``benchmarks/deque_top_push.py``.
    """
    if name not in MODELS:
        raise ValueError(f"name must be one of {sorted(MODELS)}, got {name!r}")
    memory, kwargs = MODELS[name]
    return MemoryController(9, 8, n_hidden, 8, memory, rng=seed, **kwargs)


def memory_task_config(
    task: str,
    seed: int,
    with_memory: bool,
    steps: int = 1200,
    penalty_start: int = 500,
) -> SeqTrainConfig:
    """Chapter 5's training recipe for ``task``: vocabulary 8, lengths 1–8, no
    curriculum, at most ``steps`` Adam steps at 3e-3, batch 32, clip 1; with a memory,
    the saturation penalty 0.1 from step ``penalty_start`` and the stopping rule asks
    for it to be ≤ 0.01 (checked every 50 steps).

    Shown in: ``p3_5_queues_deques`` (1,200 steps, penalty from step 500). Rerun by:
    ``benchmarks/memory_tasks.py`` (also at the stack chapters' 3,000 and 800),
    ``benchmarks/deque_top_push.py``.
    """
    return SeqTrainConfig(
        task=task,
        vocab=8,
        steps=steps,
        batch=32,
        lr=3e-3,
        clip=1.0,
        penalty=0.1 if with_memory else 0.0,
        penalty_start=penalty_start,
        solved_check_every=50,
        solved_max_penalty=0.01 if with_memory else None,
        seed=seed,
    )
