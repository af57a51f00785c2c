"""The one seed rule (nmbook.rng.as_rng): an int or a Generator, nothing else,
everywhere a function draws random numbers."""

import numpy as np
import pytest

from nmbook import layers, rng
from nmbook.controller import MemoryController
from nmbook.data import DataLoader, make_moons, train_test_split
from nmbook.layers import Linear
from nmbook.memory import DEQUE, STACK
from nmbook.recipes import make_memory_model, make_mlp, stack_rnn_config
from nmbook.rnn import LSTMCell, RNNCell
from nmbook.seqtrain import accuracy_by_length, train_transducer


def test_as_rng_takes_an_int_or_a_generator():
    g = np.random.default_rng(3)
    assert rng.as_rng(g) is g  # the caller's stream, not a copy
    assert layers.as_rng is rng.as_rng  # one function, re-exported
    for seed in (3, np.int64(3)):
        assert rng.as_rng(seed).random() == np.random.default_rng(3).random()


@pytest.mark.parametrize("bad", [None, True, 1.0, "3", [3]])
def test_as_rng_rejects_everything_else_naming_the_argument(bad):
    with pytest.raises(TypeError, match="seed must be an int seed"):
        rng.as_rng(bad, "seed")


@pytest.mark.parametrize(
    "build",
    [
        lambda r: MemoryController(9, 8, 6, 4, STACK, rng=r),
        lambda r: MemoryController(9, 8, 6, 4, None, rng=r, cell="lstm"),
        lambda r: RNNCell(3, 4, r),
        lambda r: LSTMCell(3, 4, r),
        lambda r: Linear(2, 3, r),
    ],
)
def test_every_model_rejects_none_as_its_rng(build):
    with pytest.raises(TypeError, match="rng must be"):
        build(None)


def test_data_and_training_reject_none_as_their_seed():
    X, y = make_moons(20, seed=0)
    for call in (
        lambda: make_moons(20, seed=None),
        lambda: train_test_split(X, y, 0.25, seed=None),
        lambda: DataLoader(list(range(4)), 2, shuffle=True, seed=None),
        lambda: make_mlp(None),
    ):
        with pytest.raises(TypeError, match="seed must be"):
            call()
    net = make_memory_model("stack", 0)
    with pytest.raises(TypeError, match="seed must be"):
        accuracy_by_length(net, "reverse", 8, [2], 4, seed=None)
    with pytest.raises(TypeError, match="cfg.seed must be"):
        train_transducer(net, stack_rnn_config(steps=1, seed=None))
    x = np.zeros((2, 1, 9))
    with pytest.raises(TypeError, match="rng must be"):
        net.forward(x, noise_std=0.1, rng=1.5)


def test_ints_and_generators_draw_the_weights_numpy_draws():
    # RNNCell: W_x, W_h, b ~ U(-1/sqrt(H), 1/sqrt(H)) drawn in that order from the seed
    k = 1 / np.sqrt(4)
    g = np.random.default_rng(7)
    expected = [g.uniform(-k, k, size=s) for s in ((3, 4), (4, 4), (4,))]
    for seed in (7, np.random.default_rng(7)):
        cell = RNNCell(3, 4, seed)
        for p, e in zip(cell.parameters(), expected, strict=True):
            assert np.array_equal(p.value, e)
    a = MemoryController(9, 8, 6, 4, DEQUE, rng=11)
    b = MemoryController(9, 8, 6, 4, DEQUE, rng=np.random.default_rng(11))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert np.array_equal(p.value, q.value)


def test_later_modules_follow_the_seed_rule():
    from nmbook.automaton import kmeans
    from nmbook.tasks.static_madsen import MadsenStaticRuns

    with pytest.raises(TypeError, match="seed"):
        kmeans(np.zeros((4, 2)), 2, None)
    with pytest.raises(TypeError, match="seeds"):
        MadsenStaticRuns([("nau", "add")], [0, None])
