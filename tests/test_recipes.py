"""nmbook.recipes: each recipe is the one its chapter shows (values written out from
the chapters), built afresh on every call."""

import importlib
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from nmbook.memory import DEQUE, QUEUE, STACK
from nmbook.recipes import (
    LSTM_FIT_HIDDEN,
    MODELS,
    RETRY_ATTEMPTS,
    RETRY_SEED_STEP,
    carries,
    lstm_baseline_config,
    lstm_fit_config,
    make_lstm_baseline,
    make_lstm_fit,
    make_memory_model,
    make_mlp,
    make_pop_bias_0_rnn,
    make_stack_rnn,
    median_ci,
    memory_task_config,
    pop_bias_0_retry_config,
    stack_rnn_config,
    train_pop_bias_0_retry,
)
from nmbook.seqtrain import History, SeqTrainConfig
from nmbook.tasks.binary_addition import addition_sequences, random_additions


def test_make_mlp_is_the_2_50_1_relu_network_of_its_seed():
    a, b, c = make_mlp(3), make_mlp(3), make_mlp(4)
    shapes = [p.value.shape for p in a.parameters()]
    assert sum(np.prod(s) for s in shapes) == 2 * 50 + 50 + 50 * 1 + 1  # 201
    assert all(
        np.array_equal(p.value, q.value)
        for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )
    assert not np.array_equal(a.parameters()[0].value, c.parameters()[0].value)


def test_median_ci_by_hand():
    # n = 6: j = 1 (P(Bin(6, 1/2) = 0) = 1/64 <= 2.5% < 7/64), so (x_(1), x_(6))
    assert median_ci([5, 1, 4, 2, 6, 3]) == (3.5, 1.0, 6.0)
    with pytest.raises(ValueError, match="at least 6"):
        median_ci([1, 2, 3])


def test_carries_by_hand():
    # 3 + 1 = 011 + 001: carries out of bits 0, 1, 2, 3 are 1, 1, 0, 0;
    # 5 + 6 = 101 + 110: 0, 0, 1, 0
    c = carries(addition_sequences([3, 5], [1, 6], 3))
    np.testing.assert_array_equal(c, [[1, 0], [1, 0], [0, 1], [0, 0]])
    d = random_additions(3, 4, seed=0)
    c = carries(d)
    assert c.shape == d.x.shape[:2]
    for i, (a, b) in enumerate(zip(d.a, d.b, strict=True)):
        for t in range(c.shape[0]):
            # the carry out of bit t: does the sum of the low t+1 bits reach 2^(t+1)?
            low = 2 ** (t + 1)
            assert c[t, i] == float((a % low + b % low) >= low)


def test_stack_rnn_recipe_is_chapter_3s():
    cfg = stack_rnn_config()
    assert cfg == SeqTrainConfig(
        task="reverse", vocab=8, steps=3000, batch=32, lr=3e-3, clip=1.0, min_len=1,
        max_len=8, penalty=0.1, penalty_start=800, solved_check_every=50,
        solved_max_penalty=0.01, seed=0,
    )  # fmt: skip
    assert stack_rnn_config(seed=3, print_every=250) == SeqTrainConfig(
        **{**cfg.__dict__, "seed": 3, "print_every": 250}
    )
    assert stack_rnn_config() is not stack_rnn_config()  # a fresh config each call
    with pytest.raises(TypeError):
        stack_rnn_config(no_such_field=1)
    net = make_stack_rnn(0)
    assert (net.memory, net.cell.n_hidden, net.width) == (STACK, 64, 8)
    assert make_stack_rnn(0, pop_bias=1.0).b_g.value[1] == 1.0
    assert net.b_g.value[1] == -1.0


def test_lstm_baseline_is_chapter_3s():
    cfg = lstm_baseline_config(seed=2)
    assert (cfg.lr, cfg.penalty, cfg.penalty_start, cfg.solved_max_penalty) == (
        3e-2,
        0.0,
        0,
        None,
    )
    assert cfg.steps == 3000 and cfg.seed == 2
    net = make_lstm_baseline(0)
    assert net.memory is None and net.cell.n_hidden == 34
    assert type(net.cell).__name__ == "LSTMCell"


def test_chapter_5_models_and_recipe():
    assert list(MODELS) == ["none", "stack", "queue", "deque", "deque (top push)"]
    assert [MODELS[k][0] for k in ("stack", "queue", "deque")] == [STACK, QUEUE, DEQUE]
    net = make_memory_model("deque (top push)", 1)
    assert net.memory is DEQUE and net.cell.n_hidden == 32
    with pytest.raises(ValueError, match="name must be one of"):
        make_memory_model("tape", 0)
    cfg = memory_task_config("copy", 4, with_memory=True)
    assert (cfg.steps, cfg.penalty, cfg.penalty_start, cfg.solved_max_penalty) == (
        1200,
        0.1,
        500,
        0.01,
    )
    bare = memory_task_config("copy", 4, with_memory=False)
    assert (bare.penalty, bare.solved_max_penalty) == (0.0, None)


def test_live_recipe_is_pop_bias_0_retry():
    # chapter 3's live recipe: the penalty recipe plus 500 steps after the stopping
    # rule, pop bias 0, at most 3 attempts from seeds seed + 1000 k
    cfg = pop_bias_0_retry_config(seed=4)
    assert cfg == SeqTrainConfig(
        **{**stack_rnn_config(seed=4).__dict__, "steps_after_solved": 500}
    )
    assert pop_bias_0_retry_config(steps_after_solved=0).steps_after_solved == 0
    net = make_pop_bias_0_rnn(0)
    assert (net.memory, net.cell.n_hidden, net.width) == (STACK, 64, 8)
    assert net.b_g.value[1] == 0.0 and net.b_g.value[0] == 0.0  # pop 0, push 0
    assert (RETRY_ATTEMPTS, RETRY_SEED_STEP) == (3, 1000)


def test_live_recipe_is_the_one_reversal_seeds_reruns():
    # benchmarks/reversal_seeds.py builds its recipes itself; its pop_bias_0_retry must
    # stay the recipe chapter 3 trains live
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    with warnings.catch_warnings():  # pytest loaded NumPy before _common: no matter
        warnings.simplefilter("ignore", RuntimeWarning)
        reversal_seeds = importlib.import_module("reversal_seeds")
    for seed in (0, 7):
        assert reversal_seeds.config(
            "pop_bias_0_retry", seed
        ) == pop_bias_0_retry_config(seed=seed)
        ours, theirs = (
            make_pop_bias_0_rnn(seed),
            reversal_seeds.model_for("pop_bias_0_retry", seed),
        )
        for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
            np.testing.assert_array_equal(p.value, q.value)


def test_train_pop_bias_0_retry_restarts_from_seed_plus_1000(monkeypatch):
    calls = []

    def fake_train(model, cfg):
        calls.append(cfg.seed)
        h = History(steps_after_solved=cfg.steps_after_solved)
        h.stopped_at = cfg.steps  # never solved
        return h

    monkeypatch.setattr("nmbook.seqtrain.train_transducer", fake_train)
    _, hist, attempts = train_pop_bias_0_retry(5, max_attempts=2, steps=10)
    assert calls == [5, 1005] and attempts == [(5, 10), (1005, 10)]
    assert not hist.solved


def test_lstm_fit_recipe():
    cfg = lstm_fit_config(seed=2)
    assert (cfg.lr, cfg.steps, cfg.task) == (3e-3, 6000, "reverse")
    assert (cfg.penalty, cfg.solved_max_penalty, cfg.solved_check_every) == (
        0.0,
        None,
        50,
    )
    assert (cfg.vocab, cfg.max_len, cfg.batch, cfg.clip, cfg.seed) == (8, 8, 32, 1.0, 2)
    net = make_lstm_fit(0)
    assert net.memory is None and net.cell.n_hidden == LSTM_FIT_HIDDEN
    assert type(net.cell).__name__ == "LSTMCell"
    assert make_lstm_fit(0, n_hidden=16).cell.n_hidden == 16
