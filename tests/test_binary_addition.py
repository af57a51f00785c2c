"""Tests of nmbook.tasks.binary_addition: the data convention against Python integers,
decoding, bad input,
a whole-model gradient check through BPTT, and the minibatch iteration (the source
post's bug included)."""

import random

import numpy as np
import pytest

from nmbook.gradcheck import check_parameters
from nmbook.losses import bce_with_logits
from nmbook.tasks.binary_addition import (
    OPTIMIZER_NAMES,
    AdditionBatches,
    AdditionData,
    adder_rnn,
    addition_sequences,
    decode_bits,
    encode_bits,
    make_optimizer,
    post_minibatches,
    random_additions,
    sum_accuracy,
    train_adder,
    unseen_pairs,
)


def _bits_of(v: int, n: int) -> list[int]:
    """Little-endian bits from Python's own binary formatting (independent of the
    module's shifts)."""
    s = format(v, "b").zfill(n)
    assert len(s) == n
    return [int(ch) for ch in reversed(s)]


# --------------------------------------------------------------------------------------
# data convention


def test_hand_example_three_plus_one():
    # 3 = 11b, 1 = 01b, sum 4 = 100b; little-endian over T = 3 steps, last input step is
    # padding.
    d = addition_sequences([3], [1], n_bits=2)
    assert d.x.shape == (3, 1, 2) and d.target.shape == (3, 1, 1)
    np.testing.assert_array_equal(d.x[:, 0, :], [[1, 1], [1, 0], [0, 0]])
    np.testing.assert_array_equal(d.target[:, 0, 0], [0, 0, 1])
    assert d.x.dtype == np.float64 and d.target.dtype == np.float64


@pytest.mark.parametrize("n_bits", [1, 3, 7, 16, 64, 100])
def test_random_additions_match_python_integers(n_bits):
    d = random_additions(300, n_bits, seed=n_bits)
    T = n_bits + 1
    assert d.x.shape == (T, 300, 2) and d.target.shape == (T, 300, 1)
    assert not d.x[-1].any()  # the padding step carries no input bits
    for i in range(300):
        a, b = d.a[i], d.b[i]
        assert (
            type(a) is int
            and type(b) is int
            and 0 <= a < 2**n_bits
            and 0 <= b < 2**n_bits
        )
        assert d.x[:, i, 0].tolist() == _bits_of(a, T)
        assert d.x[:, i, 1].tolist() == _bits_of(b, T)
        assert d.target[:, i, 0].tolist() == _bits_of(a + b, T)


def test_64_bit_extremes_carry_out_of_the_top():
    top = 2**64 - 1
    d = addition_sequences([top, top, 0, 2**63], [1, top, 0, 2**63], n_bits=64)
    np.testing.assert_array_equal(d.target[:, 0, 0], [0] * 64 + [1])  # 2**64
    np.testing.assert_array_equal(d.target[:, 1, 0], [0] + [1] * 64)  # 2**65 - 2
    assert not d.target[:, 2].any()
    np.testing.assert_array_equal(d.target[:, 3, 0], [0] * 64 + [1])  # 2**63 + 2**63
    assert list(decode_bits(d.target)) == [2**64, 2**65 - 2, 0, 2**64]


def test_random_operands_are_spread_over_the_range():
    d = random_additions(4000, 64, seed=0)
    top_bit = np.array([v >> 63 for v in d.a])
    # the most significant bit is a fair coin: no int64 truncation
    assert 0.45 < top_bit.mean() < 0.55
    assert len(set(d.a)) == 4000


def test_seed_and_generator_reproduce():
    a = random_additions(50, 10, seed=3)
    b = random_additions(50, 10, seed=np.random.default_rng(3))
    np.testing.assert_array_equal(a.x, b.x)
    assert list(a.a) == list(b.a)
    c = random_additions(50, 10, seed=4)
    assert not np.array_equal(a.x, c.x)


def test_unseen_pairs_are_exactly_the_complement():
    train = addition_sequences([0, 1, 3, 1], [0, 2, 3, 2], n_bits=2)  # (1, 2) twice
    held = unseen_pairs(train, 2)
    pairs = set(zip(held.a, held.b, strict=True))
    assert len(held.a) == 16 - 3 and len(pairs) == 13
    assert pairs.isdisjoint({(0, 0), (1, 2), (3, 3)})
    assert decode_bits(held.target).tolist() == [
        a + b for a, b in zip(held.a, held.b, strict=True)
    ]


# --------------------------------------------------------------------------------------
# decoding


def test_decode_bits_by_hand_and_from_probabilities():
    # columns: 1 + 4, 4, 1 + 4
    bits = np.array([[1, 0, 0.9], [0, 0, 0.2], [1, 1, 0.51]])
    assert decode_bits(bits).tolist() == [5, 4, 5]
    assert decode_bits(bits[:, :, None]).tolist() == [5, 4, 5]


def test_encode_decode_round_trip_beyond_int64():
    rnd = random.Random(0)
    values = [rnd.getrandbits(130) for _ in range(200)] + [0, 2**130 - 1]
    assert decode_bits(encode_bits(values, 130)).tolist() == values
    assert encode_bits([6], 4)[:, 0].tolist() == [0, 1, 1, 0]


def test_sum_accuracy_needs_every_bit():
    # sums 4 = (0,0,1) and 2 = (0,1,0)
    target = addition_sequences([3, 1], [1, 1], n_bits=2).target
    logits = np.where(target > 0.5, 5.0, -5.0)
    assert sum_accuracy(logits, target) == 1.0
    logits[2, 1, 0] = 1.0  # one wrong bit in the second sum
    assert sum_accuracy(logits, target) == 0.5


# --------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    "call, exc, word",
    [
        (lambda: random_additions(0, 7, seed=0), ValueError, "n_samples"),
        (lambda: random_additions(10, 0, seed=0), ValueError, "n_bits"),
        (lambda: random_additions(10, 2.5, seed=0), TypeError, "n_bits"),
        (lambda: random_additions(True, 7, seed=0), TypeError, "n_samples"),
        (lambda: random_additions(10, 7, seed="0"), TypeError, "seed"),
        (lambda: random_additions(10, 7, seed=None), TypeError, "seed"),
        (lambda: addition_sequences([1.5], [1], 4), TypeError, "a"),
        (lambda: addition_sequences([1], [-1], 4), ValueError, "b"),
        (lambda: addition_sequences([16], [1], 4), ValueError, "a"),
        (lambda: addition_sequences([1, 2], [1], 4), ValueError, "same length"),
        (lambda: addition_sequences([], [], 4), ValueError, "a"),
        (lambda: encode_bits([8], 3), ValueError, "n_steps=3"),
        (lambda: decode_bits([[1, 0]]), TypeError, "bits"),
        (lambda: decode_bits(np.zeros((3, 2, 2))), ValueError, "bits"),
        (lambda: adder_rnn(0, 0), ValueError, "n_hidden"),
        (
            lambda: make_optimizer("Adagrad", adder_rnn(2, 0).parameters(), 0.1),
            ValueError,
            "name",
        ),
        (
            lambda: unseen_pairs(random_additions(5, 13, seed=0), 13),
            ValueError,
            "n_bits",
        ),
        (
            lambda: AdditionBatches(random_additions(5, 3, seed=0), 2, slicing="fixed"),
            ValueError,
            "slicing",
        ),
        (
            lambda: AdditionBatches(random_additions(5, 3, seed=0), 6),
            ValueError,
            "batch_size",
        ),
        (lambda: AdditionBatches((np.zeros((4, 5, 2)),), 2), TypeError, "data"),
        (
            lambda: sum_accuracy(np.zeros((3, 2, 1)), np.zeros((3, 1, 1))),
            ValueError,
            "same shape",
        ),
    ],
)
def test_bad_input_names_the_argument(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


# -----------------------------------------------------------------------------------
# gradient through BPTT


def _model_loss_data(seed: int = 0):
    model = adder_rnn(5, rng=seed)
    data = random_additions(12, 6, seed=seed + 1)

    def loss() -> float:
        return bce_with_logits(model.forward(data.x), data.target)[0]

    return model, loss, data


def test_whole_model_gradient_matches_finite_differences():
    model, loss, data = _model_loss_data()
    model.zero_grad()
    _, dz = bce_with_logits(model.forward(data.x), data.target)
    model.backward(dz)
    names = [p.name for p in model.parameters()]
    # cell (input, recurrent, bias) then read-out
    assert names == ["W_x", "W_h", "b", "W", "b"]
    assert all(p.value.dtype == np.float64 for p in model.parameters())
    errors = check_parameters(loss, model.parameters())
    assert len(errors) == 5
    assert max(errors.values()) < 1e-6, errors


def test_gradient_check_detects_backprop_without_the_path_through_time():
    # A classic bug: each step's backward sees only the gradient from its own output,
    # never the one coming back from step t+1. The finite differences must disagree with
    # it.
    model, loss, data = _model_loss_data()
    model.zero_grad()
    _, dz = bce_with_logits(model.forward(data.x), data.target)
    dh = model[1].backward(dz)
    rnn = model[0]
    for t, cache in enumerate(rnn._caches):
        rnn.cell.step_backward((dh[t],), cache)
    errors = check_parameters(loss, rnn.cell.parameters())
    assert min(errors.values()) > 1e-2, errors


# --------------------------------------------------------------------------------------
# minibatches


def _pairs(x: np.ndarray) -> list[tuple[int, int]]:
    return list(zip(decode_bits(x[:, :, 0]), decode_bits(x[:, :, 1]), strict=True))


@pytest.mark.parametrize("batch_size", [100, 64, 2000])
def test_correct_minibatches_visit_every_sample_once_per_epoch(batch_size):
    train = random_additions(2000, 7, seed=0)
    batches = AdditionBatches(train, batch_size, shuffle=True, seed=0)
    everyone = sorted(zip(train.a, train.b, strict=True))
    orders = []
    for _ in range(2):  # two epochs
        seen = []
        for xb, tb in batches:
            assert (
                xb.shape[0] == 8
                and xb.shape[2] == 2
                and tb.shape == (8, xb.shape[1], 1)
            )
            # targets travel with inputs
            assert decode_bits(tb).tolist() == [a + b for a, b in _pairs(xb)]
            seen += _pairs(xb)
        assert len(seen) == 2000 and sorted(seen) == everyone
        orders.append(seen)
    assert len(batches) == -(-2000 // batch_size)
    if batch_size < 2000:
        assert orders[0] != orders[1]  # reshuffled every epoch


def test_post_slicing_uses_only_the_first_samples():
    idx = np.concatenate(list(post_minibatches(2000, 100)))
    assert len(idx) == 20 * 100
    # 119 distinct samples, not 2000
    assert np.array_equal(np.unique(idx), np.arange(20 + 100 - 1))
    train = random_additions(2000, 7, seed=0)
    seen = {
        p for xb, _ in AdditionBatches(train, 100, slicing="post") for p in _pairs(xb)
    }
    assert seen == set(zip(train.a[:119], train.b[:119], strict=True))


# --------------------------------------------------------------------------------------
# training


def test_every_optimizer_is_built():
    for name in OPTIMIZER_NAMES:
        opt = make_optimizer(name, adder_rnn(2, 0).parameters(), 0.1)
        assert len(opt.params) == 5


def test_training_reaches_full_held_out_accuracy():
    train = random_additions(2000, 7, seed=0)
    held = random_additions(500, 7, seed=1)
    model = adder_rnn(16, rng=0)
    hist = train_adder(
        model,
        train,
        make_optimizer("RMSProp+Nesterov", model.parameters(), 0.01),
        epochs=15,
        held_out=held,
    )
    assert hist["solved_epoch"] is not None and hist["epochs"] == hist["solved_epoch"]
    assert len(hist["batch_loss"]) == 20 * hist["epochs"]
    assert hist["batch_loss"][-1] < 0.25 * hist["batch_loss"][0]
    assert isinstance(train, AdditionData)
