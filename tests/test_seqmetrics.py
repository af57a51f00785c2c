"""nmbook.seqmetrics: the paper's fine accuracy (symbols before the first error), on hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest

from nmbook.seqmetrics import prefix_accuracy


def test_hand_example():
    # sequence 0 wrong at its 2nd of 4 outputs -> 1/4; sequence 1 right -> 1; mean 0.625
    targets = np.array([[0, 0], [1, 1], [2, 2], [3, 3]])
    pred = np.array([[0, 0], [9, 1], [2, 2], [3, 3]])
    assert prefix_accuracy(pred, targets, np.ones((4, 2))) == pytest.approx(0.625)


def test_only_masked_steps_count():
    # outputs at steps 2..3 only; an error at step 0 (not an output) is ignored; the error at step 3 -> 1/2
    targets = np.array([[5], [5], [1], [2]])
    pred = np.array([[0], [0], [1], [7]])
    mask = np.array([[0], [0], [1], [1]])
    assert prefix_accuracy(pred, targets, mask) == pytest.approx(0.5)


def test_never_above_the_per_symbol_accuracy():
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 3, size=(12, 50))
    pred = np.where(rng.random((12, 50)) < 0.8, targets, rng.integers(0, 3, size=(12, 50)))
    mask = np.ones((12, 50))
    assert prefix_accuracy(pred, targets, mask) <= np.mean(pred == targets)


@pytest.mark.parametrize(
    ("pred", "targets", "mask", "exc", "name"),
    [
        (np.zeros((2, 2), int), np.zeros((2, 3), int), np.ones((2, 2)), ValueError, "targets"),
        (np.zeros((2, 2)), np.zeros((2, 2), int), np.ones((2, 2)), TypeError, "pred"),
        (np.zeros((2, 2), int), np.zeros((2, 2), int), np.full((2, 2), 0.5), ValueError, "mask"),
        (np.zeros((2, 2), int), np.zeros((2, 2), int), np.array([[1, 0], [1, 0]]), ValueError, "mask"),
    ],
)
def test_bad_input_names_the_argument(pred, targets, mask, exc, name):
    with pytest.raises(exc, match=name):
        prefix_accuracy(pred, targets, mask)
