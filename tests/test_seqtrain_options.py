"""train_transducer's autoencoder loss (aux_weight) and its steps after the stopping
rule (steps_after_solved)."""

from dataclasses import replace

import numpy as np
import pytest

from nmbook.controller import MemoryController
from nmbook.memory import STACK
from nmbook.seqtrain import (
    History,
    SeqTrainConfig,
    train_transducer,
    train_until_solved,
)


def test_aux_weight_zero_trains_exactly_like_the_model_without_decoders():
    # with aux_weight = 0 the decoders get zero gradients: clipping and Adam leave them,
    # and everything else, on the trajectory of the model without them
    cfg = SeqTrainConfig(steps=15, max_len=4, seed=1)
    plain = MemoryController(9, 8, 6, 4, STACK, rng=2)
    auto = MemoryController(9, 8, 6, 4, STACK, rng=2, autoencoder=True)
    h_plain, h_auto = train_transducer(plain, cfg), train_transducer(auto, cfg)
    assert h_plain.loss == h_auto.loss and h_auto.aux == []
    for p, q in zip(plain.parameters(), auto.parameters(), strict=False):
        np.testing.assert_array_equal(p.value, q.value)


def test_aux_weight_trains_the_decoders():
    net = MemoryController(9, 8, 8, 4, STACK, rng=0, autoencoder=True)
    hist = train_transducer(
        net, SeqTrainConfig(steps=60, max_len=4, lr=1e-2, aux_weight=1.0, seed=0)
    )
    assert len(hist.aux) == 60
    # it starts near 2 log 9 ≈ 4.4
    assert np.mean(hist.aux[-10:]) < 0.5 * np.mean(hist.aux[:10])


def test_steps_after_solved_and_lr_after_solved():
    # reversing one binary symbol is solved within a few dozen steps; then train 7 steps
    # more
    make = lambda: MemoryController(3, 2, 6, 2, STACK, rng=0)  # noqa: E731
    cfg = SeqTrainConfig(
        vocab=2, max_len=1, steps=500, lr=1e-2, solved_check_every=10, seed=0
    )
    base = make()
    h0 = train_transducer(base, cfg)
    assert 0 < h0.solved_at == h0.stopped_at < cfg.steps
    on = make()
    h1 = train_transducer(on, replace(cfg, steps_after_solved=7))
    assert (
        h1.solved_at == h0.solved_at
        and h1.stopped_at == h0.solved_at + 7
        and len(h1.loss) == h1.stopped_at
    )
    assert not np.array_equal(on.W_g.value, base.W_g.value)
    # a learning rate of 1e-12 after solving: the extra steps barely move anything
    frozen = make()
    train_transducer(frozen, replace(cfg, steps_after_solved=7, lr_after_solved=1e-12))
    for p, q in zip(frozen.parameters(), base.parameters(), strict=True):
        np.testing.assert_allclose(p.value, q.value, rtol=0, atol=1e-9)


def test_bad_options_raise():
    net = MemoryController(9, 8, 4, 4, STACK, rng=0)
    with pytest.raises(ValueError, match="aux_weight must be >= 0"):
        train_transducer(net, SeqTrainConfig(steps=1, aux_weight=-1.0))
    with pytest.raises(ValueError, match="needs a model built with autoencoder=True"):
        train_transducer(net, SeqTrainConfig(steps=1, aux_weight=1.0))
    with pytest.raises(
        ValueError, match="steps_after_solved must be a non-negative integer"
    ):
        train_transducer(net, SeqTrainConfig(steps=1, steps_after_solved=-1))
    with pytest.raises(ValueError, match="lr_after_solved must be positive"):
        train_transducer(net, SeqTrainConfig(steps=1, lr_after_solved=0.0))


def test_solved_means_the_rule_fired_and_the_extra_steps_were_trained():
    # by hand: the property reads the three counts only
    assert not History().solved  # the rule never fired
    assert History(solved_at=50, stopped_at=50).solved
    assert History(solved_at=50, stopped_at=57, steps_after_solved=7).solved
    assert not History(solved_at=50, stopped_at=55, steps_after_solved=7).solved
    assert not History(solved_at=0, stopped_at=57, steps_after_solved=7).solved


def _tiny_reversal():
    # reversing one binary symbol at a slow rate: the rule first fires after a few
    # checks (step 30 on this machine; the tests below only need it after the first)
    make = lambda seed: MemoryController(3, 2, 6, 2, STACK, rng=seed)  # noqa: E731
    cfg = SeqTrainConfig(
        vocab=2, max_len=1, steps=500, lr=3e-3, solved_check_every=10, seed=0
    )
    return make, cfg, train_transducer(make(0), cfg).solved_at


def test_a_rule_that_fires_on_the_last_step_solves_the_run():
    make, cfg, fired = _tiny_reversal()
    assert fired > 10
    # a budget that ends exactly where the rule fires: solved, and not retried
    last = replace(cfg, steps=fired)
    hist = train_transducer(make(0), last)
    assert hist.solved_at == hist.stopped_at == last.steps and hist.solved
    _, hist, attempts = train_until_solved(make, last, max_attempts=3)
    assert attempts == [(0, fired)] and hist.solved
    # one check earlier, the rule has not fired: not solved, and retried
    short = replace(cfg, steps=fired - cfg.solved_check_every)
    assert not train_transducer(make(0), short).solved
    _, _, attempts = train_until_solved(make, short, max_attempts=2)
    assert [seed for seed, _ in attempts] == [0, 1]


def test_a_run_whose_extra_steps_do_not_fit_is_not_solved():
    make, cfg, fired = _tiny_reversal()
    # the rule fires, but only 3 of the 7 extra steps fit in the budget
    cut = replace(cfg, steps=fired + 3, steps_after_solved=7)
    hist = train_transducer(make(0), cut)
    assert hist.solved_at == fired and hist.stopped_at == cut.steps
    assert not hist.solved
    _, _, attempts = train_until_solved(make, cut, max_attempts=2)
    assert [seed for seed, _ in attempts] == [0, 1]
    # all 7 fit exactly: solved on the budget's last step
    fit = replace(cut, steps=fired + 7)
    hist = train_transducer(make(0), fit)
    assert hist.stopped_at == fit.steps and hist.solved
    _, _, attempts = train_until_solved(make, fit, max_attempts=2)
    assert attempts == [(0, fit.steps)]
