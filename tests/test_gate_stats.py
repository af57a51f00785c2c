"""nmbook.gate_stats: the discreteness score of a controller's gates, on
hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest

from nmbook.gate_stats import gate_discreteness


def test_hand_example():
    # min(g, 1 - g) = 0, 0.03, 0.5, 0.04, 0, 0.06: four of six within 0.05 -> 2/3
    g = np.array([[0.0, 0.97], [0.5, 0.04], [1.0, 0.06]])
    assert gate_discreteness(g) == pytest.approx(2 / 3)
    # without the middle step: 0, 0.03, 0, 0.06 -> 3/4
    assert gate_discreteness(
        g, mask=np.array([[1, 1], [0, 0], [1, 1]])
    ) == pytest.approx(3 / 4)
    # tol 0.1: only 0.5 fails -> 5/6
    assert gate_discreteness(g, tol=0.1) == pytest.approx(5 / 6)


def test_several_ends_count_every_end_at_a_selected_step():
    # (T=2, B=1, k=2): step 0 has 0.01 and 0.5 (one of two), step 1 has 0.99 and 1.0
    # (both)
    g = np.array([[[0.01, 0.5]], [[0.99, 1.0]]])
    assert gate_discreteness(g) == pytest.approx(3 / 4)
    assert gate_discreteness(g, mask=np.array([[1], [0]])) == pytest.approx(1 / 2)


def test_discrete_and_fractional_extremes():
    assert gate_discreteness(np.array([[0.0, 1.0]])) == 1.0
    assert gate_discreteness(np.full((3, 4), 0.5)) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"gates": np.zeros(3)}, ValueError, "gates"),
        ({"gates": np.array([[1.2]])}, ValueError, "gates"),
        ({"gates": np.zeros((2, 2)), "tol": 0.5}, ValueError, "tol"),
        ({"gates": np.zeros((2, 2)), "tol": True}, ValueError, "tol"),
        ({"gates": np.zeros((2, 2)), "mask": np.ones((2, 3))}, ValueError, "mask"),
        ({"gates": np.zeros((2, 2)), "mask": np.zeros((2, 2))}, ValueError, "mask"),
    ],
)
def test_bad_input_names_the_argument(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        gate_discreteness(**kwargs)
