"""Transduction task generators and the sequence-training utilities."""

import numpy as np
import pytest

from nmbook.controller import MemoryController
from nmbook.memory import STACK
from nmbook.seqtrain import (
    SeqTrainConfig,
    accuracy_by_length,
    current_max_len,
    train_transducer,
)
from nmbook.tasks.transduction import check_lengths, transduction_batch, transform


def test_transform_by_hand():
    seq = np.array([[1, 2, 3, 4, 5]])
    np.testing.assert_array_equal(transform("copy", seq), [[1, 2, 3, 4, 5]])
    np.testing.assert_array_equal(transform("reverse", seq), [[5, 4, 3, 2, 1]])
    np.testing.assert_array_equal(transform("bigram_flip", seq), [[2, 1, 4, 3, 5]])


def test_reversal_layout_for_mixed_lengths():
    x, y, mask = transduction_batch(
        "reverse", np.array([3, 1]), vocab=4, rng=np.random.default_rng(0)
    )
    assert x.shape == (7, 2, 5) and y.shape == (7, 2) and mask.shape == (7, 2)
    # sample 0: symbols at t = 0..2, delimiter at t = 3, targets (reversed) at t = 4..6
    sym = x[:3, 0, :4].argmax(axis=1)
    assert (
        np.all(x[:3, 0].sum(axis=1) == 1) and x[3, 0, 4] == 1 and np.all(x[4:, 0] == 0)
    )
    np.testing.assert_array_equal(y[4:7, 0], sym[::-1])
    np.testing.assert_array_equal(mask[:, 0], [0, 0, 0, 0, 1, 1, 1])
    # sample 1 (length 1): symbol, delimiter, one target, then padding
    np.testing.assert_array_equal(mask[:, 1], [0, 0, 1, 0, 0, 0, 0])
    assert y[2, 1] == x[0, 1, :4].argmax() and x[1, 1, 4] == 1 and np.all(x[3:, 1] == 0)


def test_generator_is_seeded():
    a = transduction_batch("copy", 5, 3, np.random.default_rng(7), batch=4)
    b = transduction_batch("copy", 5, 3, np.random.default_rng(7), batch=4)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)


def test_bad_input_raises():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="task must be one of"):
        transduction_batch("sort", 3, 4, rng, batch=2)
    with pytest.raises(ValueError, match="lengths must be >= 1"):
        transduction_batch("copy", np.array([0, 2]), 4, rng)
    with pytest.raises(ValueError, match="batch must be a positive integer"):
        transduction_batch("copy", 3, 4, rng)
    with pytest.raises(ValueError, match="vocab must be a positive integer"):
        transduction_batch("copy", 3, 0, rng, batch=2)
    with pytest.raises(TypeError, match="rng must be"):
        transduction_batch("copy", 3, 4, 0, batch=2)
    with pytest.raises(ValueError, match="non-empty 1-D integer"):
        transduction_batch("copy", np.array([], dtype=int), 4, rng)


def test_curriculum_schedule():
    cfg = SeqTrainConfig(max_len=8, curriculum_start=2, curriculum_steps=100)
    assert [current_max_len(cfg, s) for s in (0, 50, 100, 500)] == [2, 5, 8, 8]
    assert current_max_len(SeqTrainConfig(max_len=8), 0) == 8


def test_training_reduces_the_loss_and_accuracy_has_one_entry_per_length():
    net = MemoryController(5, 4, 8, 4, STACK, rng=0)
    cfg = SeqTrainConfig(vocab=4, max_len=3, steps=60, batch=16, lr=1e-2, seed=0)
    hist = train_transducer(net, cfg)
    assert len(hist.loss) == 60 and hist.stopped_at == 60
    assert np.mean(hist.loss[-10:]) < np.mean(hist.loss[:10])
    acc = accuracy_by_length(net, "reverse", 4, [1, 2, 5], n=8, seed=0)
    assert set(acc) == {1, 2, 5} and all(0 <= c <= f <= 1 for c, f in acc.values())


@pytest.mark.parametrize(
    ("lengths", "match"),
    [
        (np.array([[1, 2]]), "non-empty 1-D integer"),
        (np.array([], dtype=int), "non-empty 1-D integer"),
        (np.array([1.0, 2.0]), "non-empty 1-D integer"),
        (np.array([3, 0]), "lengths must be >= 1"),
    ],
)
def test_check_lengths_names_the_argument(lengths, match):
    """The one length check of the transduction batches and the post's replay."""
    with pytest.raises(ValueError, match=match):
        check_lengths(lengths)
    np.testing.assert_array_equal(check_lengths([2, 1]), [2, 1])
