"""The continuous queue: the stack's equations with the sums running towards the bottom
(pops and reads start
at the oldest row). Expected values are worked by hand in the comments."""

import numpy as np
import pytest

from nmbook.gradcheck import check_gradients
from nmbook.memory import (
    QUEUE,
    memory_backward,
    memory_forward,
    queue_reads,
    queue_reads_backward,
    read_weights,
)

E1, E2, E3 = np.eye(3)


def _one_sequence(values, u, d):
    return (
        np.stack(values)[:, None, :],
        np.array(u, float)[:, None],
        np.array(d, float)[:, None],
    )


def test_queue_on_the_figure_1a_schedule_by_hand():
    # d = (0.8, 0.5, 0.9), u = (0, 0.1, 0.9); pops and reads start at the bottom (the
    # oldest row). t=1: s = (0.8); r1 = 0.8 v1 t=2: pop 0.1 from v1 -> 0.7, push 0.5: s
    # = (0.7, 0.5); read 0.7 of v1, then min(0.5, 1 - 0.7) = 0.3 of v2 t=3: pop 0.9: v1
    # loses 0.7 (-> 0), v2 loses the remaining 0.2 (-> 0.3); push 0.9: s = (0, 0.3,
    # 0.9);
    #      read 0 of v1, 0.3 of v2, min(0.9, 1 - 0.3) = 0.7 of v3
    r, s = queue_reads(*_one_sequence([E1, E2, E3], [0.0, 0.1, 0.9], [0.8, 0.5, 0.9]))
    np.testing.assert_allclose(r[0, 0], 0.8 * E1, atol=1e-15)
    np.testing.assert_allclose(r[1, 0], 0.7 * E1 + 0.3 * E2, atol=1e-15)
    np.testing.assert_allclose(r[2, 0], 0.3 * E2 + 0.7 * E3, atol=1e-15)
    np.testing.assert_allclose(s[2, 0], [0.0, 0.3, 0.9], atol=1e-15)


def test_discrete_limit_copies_a_sequence():
    # push 1, 2, 3 with d = 1, then pop once per step: the queue reads the oldest
    # element first.
    V = np.array([1.0, 2.0, 3.0, 0.0, 0.0, 0.0])[:, None, None]
    d = np.array([1, 1, 1, 0, 0, 0], dtype=float)[:, None]
    u = np.array([0, 0, 0, 1, 1, 1], dtype=float)[:, None]
    r, _ = queue_reads(V, u, d)
    np.testing.assert_array_equal(r[:, 0, 0], [1, 1, 1, 2, 3, 0])


def test_read_weights_from_the_bottom():
    # strengths (0.3, 0, 0.9): 0.3 of the bottom, nothing of the empty row, then the
    # remaining 0.7 of the top
    np.testing.assert_allclose(
        read_weights(np.array([0.3, 0.0, 0.9]), "bottom"), [0.3, 0.0, 0.7], atol=1e-15
    )


@pytest.mark.parametrize("T", [1, 4, 10])
def test_gradients_match_finite_differences(T):
    rng = np.random.default_rng(100 + T)
    B, m = 3, 4
    V = rng.normal(size=(T, B, m))
    u = rng.uniform(0.05, 0.95, size=(T, B))
    d = rng.uniform(0.05, 0.95, size=(T, B))
    wr = rng.normal(size=(T, B, m))
    ws = rng.normal(size=(T, B, T)) * (
        np.arange(T)[None, None, :] <= np.arange(T)[:, None, None]
    )

    def f() -> float:
        r, s = queue_reads(V, u, d)
        return float(np.sum(wr * r) + np.sum(ws * s))

    dV, du, dd = queue_reads_backward(V, u, d, wr, ws)
    errs = check_gradients(f, {"V": V, "u": u, "d": d}, {"V": dV, "u": du, "d": dd})
    assert max(errs.values()) < 1e-6, errs


def test_kink_min_tie_passes_the_gradient_to_the_strength():
    # d1 = d2 = 0.5, no pops. Reading from the bottom: row 0 takes min(0.5, 1) = 0.5;
    # row 1 has budget 1 - 0.5 = 0.5 and s = 0.5, a tie that goes to s. L = w . r2 = 0.5
    # w.v1 + 0.5 w.v2 -> dL/dd = (2, 3).
    V, u, d = _one_sequence([E1[:2], E2[:2]], [0.0, 0.0], [0.5, 0.5])
    dr = np.zeros((2, 1, 2))
    dr[1, 0] = [2.0, 3.0]
    _, _, dd = queue_reads_backward(V, u, d, dr)
    np.testing.assert_allclose(dd[:, 0], [2.0, 3.0])


def test_cache_api_and_validation():
    rng = np.random.default_rng(3)
    V, u, d = (
        rng.normal(size=(4, 2, 3)),
        rng.uniform(size=(4, 2)),
        rng.uniform(size=(4, 2)),
    )
    dr = rng.normal(size=(4, 2, 3))
    _, _, cache = memory_forward(QUEUE, V, u, d)
    for a, b in zip(
        memory_backward(cache, dr), queue_reads_backward(V, u, d, dr), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"u must lie in \[0, 1\]"):
        queue_reads(V, u + 1.0, d)
    with pytest.raises(ValueError, match=r"V must have shape \(T, B, m\)"):
        queue_reads(V[0], u, d)
