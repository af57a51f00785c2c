"""nmbook.seqmetrics: the paper's fine accuracy (symbols before the first error), on
hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest

from nmbook.seqmetrics import prefix_accuracy, sequences_correct, symbol_accuracy


def test_hand_example():
    # sequence 0 wrong at its 2nd of 4 outputs -> 1/4; sequence 1 right -> 1; mean 0.625
    targets = np.array([[0, 0], [1, 1], [2, 2], [3, 3]])
    pred = np.array([[0, 0], [9, 1], [2, 2], [3, 3]])
    assert prefix_accuracy(pred, targets, np.ones((4, 2))) == pytest.approx(0.625)


def test_only_masked_steps_count():
    # outputs at steps 2..3 only; an error at step 0 (not an output) is ignored; the
    # error at step 3 -> 1/2
    targets = np.array([[5], [5], [1], [2]])
    pred = np.array([[0], [0], [1], [7]])
    mask = np.array([[0], [0], [1], [1]])
    assert prefix_accuracy(pred, targets, mask) == pytest.approx(0.5)


def test_never_above_the_per_symbol_accuracy_at_equal_lengths():
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 3, size=(12, 50))
    pred = np.where(
        rng.random((12, 50)) < 0.8, targets, rng.integers(0, 3, size=(12, 50))
    )
    mask = np.ones((12, 50))
    assert prefix_accuracy(pred, targets, mask) <= np.mean(pred == targets)


def test_above_the_per_symbol_accuracy_when_lengths_differ():
    # a right sequence of length 1 and a wholly wrong one of length 9: the prefix score
    # averages sequences, (1 + 0) / 2 = 0.5; the per-symbol accuracy pools symbols, 1/10
    targets = np.zeros((9, 2), dtype=int)
    pred = np.ones((9, 2), dtype=int)
    pred[0, 0] = 0
    mask = np.zeros((9, 2))
    mask[0, 0], mask[:, 1] = 1, 1
    assert prefix_accuracy(pred, targets, mask) == pytest.approx(0.5)
    assert symbol_accuracy(pred, targets, mask) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("pred", "targets", "mask", "exc", "name"),
    [
        (
            np.zeros((2, 2), int),
            np.zeros((2, 3), int),
            np.ones((2, 2)),
            ValueError,
            "targets",
        ),
        (np.zeros((2, 2)), np.zeros((2, 2), int), np.ones((2, 2)), TypeError, "pred"),
        (
            np.zeros((2, 2), int),
            np.zeros((2, 2), int),
            np.full((2, 2), 0.5),
            ValueError,
            "mask",
        ),
        (
            np.zeros((2, 2), int),
            np.zeros((2, 2), int),
            np.array([[1, 0], [1, 0]]),
            ValueError,
            "mask",
        ),
    ],
)
def test_bad_input_names_the_argument(pred, targets, mask, exc, name):
    with pytest.raises(exc, match=name):
        prefix_accuracy(pred, targets, mask)


def test_sequences_correct_and_symbol_accuracy_by_hand():
    # three sequences, outputs at steps 1..3 (step 0 is input: its errors do not count)
    targets = np.array([[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3]])
    pred = np.array([[9, 0, 0], [1, 1, 9], [2, 2, 9], [3, 9, 3]])
    mask = np.array([[0, 0, 0], [1, 1, 1], [1, 1, 1], [1, 1, 1]])
    np.testing.assert_array_equal(
        sequences_correct(pred, targets, mask), [True, False, False]
    )
    # 9 output symbols, 3 wrong (one in sequence 1, two in sequence 2)
    assert symbol_accuracy(pred, targets, mask) == pytest.approx(6 / 9)


def test_sequences_correct_and_symbol_accuracy_reject_bad_input():
    t = np.zeros((3, 2), dtype=int)
    with pytest.raises(ValueError, match="same \\(T, B\\) shape"):
        sequences_correct(t, np.zeros((3, 3), dtype=int), np.ones((3, 2)))
    with pytest.raises(TypeError, match="integer"):
        symbol_accuracy(t.astype(float), t, np.ones((3, 2)))
    with pytest.raises(ValueError, match="0s and 1s"):
        sequences_correct(t, t, np.full((3, 2), 0.5))
    with pytest.raises(ValueError, match="at least one output step"):
        symbol_accuracy(t, t, np.zeros((3, 2)))
