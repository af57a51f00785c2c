"""nmbook.gate_stats: the discreteness score of a controller's gates, on
hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest

from nmbook.gate_stats import (
    gate_discreteness,
    gate_sharpness,
    reversal_length_bound,
)
from nmbook.memory import stack_reads


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


def test_gate_sharpness_is_the_least_ideal_gate():
    # ideals 1, 0, 0, 1: closeness 0.99, 1 - 0.02 = 0.98, 1 - 0.05 = 0.95, 0.97 -> 0.95
    assert gate_sharpness(0.99, 0.02, 0.05, 0.97) == pytest.approx(0.95)
    # per run: the second run's push while reading (0.9) is its worst gate
    got = gate_sharpness([1.0, 0.9], [0.0, 0.0], [0.0, 0.01], [1.0, 0.99])
    np.testing.assert_allclose(got, [1.0, 0.9])
    with pytest.raises(ValueError, match="u_out"):
        gate_sharpness(1.0, 0.0, 0.0, 1.2)


def test_reversal_length_bound_by_hand():
    # 1 / (2 (1 - δ)): 0.8 -> 2.5 -> 3; 0.92 -> 6.25 -> 7; 0.97 -> 16.7 -> 17;
    # 0.75 -> exactly 2 (L = 3 would tie at its second output step) -> 2
    np.testing.assert_array_equal(
        reversal_length_bound([0.8, 0.92, 0.97, 0.75]), [3, 7, 17, 2]
    )
    assert reversal_length_bound(1.0) == np.inf
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="delta"):
            reversal_length_bound(bad)


def _reverses(L: int, delta: float) -> bool:
    # the discrete schedule: push each symbol with strength delta while reading, a
    # throwaway push of 1 at the delimiter, then pop 1 per output step
    T = 2 * L + 1
    V = np.zeros((T, 1, L))
    V[np.arange(L), 0, np.arange(L)] = 1.0  # L distinct one-hot symbols
    d, u = np.zeros((T, 1)), np.zeros((T, 1))
    d[:L], d[L], u[L + 1 :] = delta, 1.0, 1.0
    r, _ = stack_reads(V, u, d)
    return bool(np.all(r[L + 1 :, 0].argmax(-1) == np.arange(L)[::-1]))


@pytest.mark.parametrize("delta", [0.8, 0.92, 0.97])
def test_reversal_length_bound_matches_the_stack(delta):
    L_star = int(reversal_length_bound(delta))
    assert _reverses(L_star, delta) and not _reverses(L_star + 1, delta)
