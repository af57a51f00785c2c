"""train_transducer's checkpoints: a long run saved, stopped and started again goes on
bit for bit where it stopped, instead of from step 0."""

from dataclasses import replace

import numpy as np
import pytest

from nmbook.controller import MemoryController
from nmbook.memory import STACK
from nmbook.optim import SGD, Adam
from nmbook.seqtrain import (
    SeqTrainConfig,
    load_training_state,
    save_training_state,
    train_transducer,
)

CFG = SeqTrainConfig(
    vocab=3,
    max_len=3,
    steps=60,
    batch=8,
    lr=1e-2,
    noise_std=0.5,  # the gate noise draws from the same generator as the data
    penalty=0.1,
    penalty_start=20,
    solved_check_every=10,
    solved_max_penalty=0.5,
    steps_after_solved=5,
    lr_after_solved=1e-3,
    seed=4,
)


def make():
    return MemoryController(4, 3, 6, 3, STACK, rng=1)


class Interrupt(Exception):
    pass


def stop_after(model, n_forward):
    """Make ``model`` raise at its ``n_forward``-th training step (as a kill would)."""
    calls, forward = [0], model.forward

    def counted(x, *args, **kwargs):
        if "noise_std" in kwargs:  # a training step, not an accuracy check
            calls[0] += 1
            if calls[0] == n_forward:
                raise Interrupt
        return forward(x, *args, **kwargs)

    model.forward = counted
    return calls


def test_a_run_stopped_and_resumed_matches_the_run_never_stopped(tmp_path):
    whole = make()
    h_whole = train_transducer(whole, CFG)
    path = tmp_path / "run.npz"
    first = make()
    stop_after(first, 26)  # dies during step 26: steps 1-25 done, saved at 20
    with pytest.raises(Interrupt):
        train_transducer(first, CFG, checkpoint=path, checkpoint_every=10)
    assert path.exists()
    again = make()  # a fresh process builds the model afresh
    calls = stop_after(again, 10**9)
    h_again = train_transducer(again, CFG, checkpoint=path, checkpoint_every=10)
    # it trained only the steps after the checkpoint (20), not from step 0
    assert calls[0] == h_whole.stopped_at - 20
    assert h_again.loss == h_whole.loss and h_again.penalty == h_whole.penalty
    assert (h_again.solved_at, h_again.stopped_at, h_again.solved) == (
        h_whole.solved_at,
        h_whole.stopped_at,
        h_whole.solved,
    )
    for p, q in zip(again.parameters(), whole.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_checkpoints_change_nothing_in_a_run_that_is_not_stopped(tmp_path):
    plain, saved = make(), make()
    h_plain = train_transducer(plain, replace(CFG, steps=30))
    h_saved = train_transducer(
        saved, replace(CFG, steps=30), checkpoint=tmp_path / "c.npz", checkpoint_every=7
    )
    assert h_plain.loss == h_saved.loss
    for p, q in zip(plain.parameters(), saved.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


@pytest.mark.parametrize("optimizer", [Adam, SGD])
def test_save_and_load_restore_parameters_optimiser_and_generator(tmp_path, optimizer):
    net = make()
    opt = optimizer(
        net.parameters(), lr=0.1, **({"momentum": 0.9} if optimizer is SGD else {})
    )
    rng = np.random.default_rng(0)
    for p in net.parameters():
        p.grad[...] = rng.normal(size=p.shape)
    opt.step()
    save_training_state(tmp_path / "s.npz", 1, net.parameters(), opt, rng)
    expected_draw = rng.normal(size=3)
    opt.step()
    expected = [p.value.copy() for p in net.parameters()]

    other = MemoryController(4, 3, 6, 3, STACK, rng=9)
    opt2 = optimizer(
        other.parameters(), lr=0.5, **({"momentum": 0.9} if optimizer is SGD else {})
    )
    rng2 = np.random.default_rng(123)
    step = load_training_state(tmp_path / "s.npz", other.parameters(), opt2, rng2)
    assert step == 1 and opt2.t == 1 and opt2.lr == 0.1
    np.testing.assert_array_equal(rng2.normal(size=3), expected_draw)
    for p, q in zip(other.parameters(), net.parameters(), strict=True):
        p.grad[...] = q.grad
    opt2.step()
    for p, e in zip(other.parameters(), expected, strict=True):
        np.testing.assert_array_equal(p.value, e)


def test_bad_checkpoint_arguments(tmp_path):
    net = make()
    with pytest.raises(ValueError, match="checkpoint_every must be >= 0"):
        train_transducer(net, CFG, checkpoint_every=5)
    with pytest.raises(TypeError, match="checkpoint_every must be an integer"):
        train_transducer(net, CFG, checkpoint=tmp_path / "x.npz", checkpoint_every=2.5)
    save_training_state(
        tmp_path / "y.npz",
        3,
        net.parameters(),
        Adam(net.parameters()),
        np.random.default_rng(),
    )
    small = MemoryController(4, 3, 5, 3, STACK, rng=1)
    with pytest.raises(ValueError, match="params"):
        load_training_state(
            tmp_path / "y.npz",
            small.parameters(),
            Adam(small.parameters()),
            np.random.default_rng(),
        )
