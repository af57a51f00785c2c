"""The continuous stack and queue: the paper's Figure 1(a), hand-worked examples, gradients, bad input."""

import numpy as np
import pytest

from nmbook.gradcheck import check_gradients
from nmbook.memory import (
    QUEUE,
    STACK,
    ContinuousMemory,
    memory_reads,
    memory_reads_backward,
    queue_reads,
    read_weights,
    stack_reads,
    stack_reads_backward,
)

# Figure 1(a) of Grefenstette et al. (2015): push strengths d and pop strengths u at t = 1, 2, 3.
D_FIG = [0.8, 0.5, 0.9]
U_FIG = [0.0, 0.1, 0.9]


def _fig1_inputs(values: np.ndarray):
    """values: (3, B, m) -> V, u, d for the paper's schedule, the same for every sequence of the batch."""
    B = values.shape[1]
    u = np.repeat(np.array(U_FIG)[:, None], B, axis=1)
    d = np.repeat(np.array(D_FIG)[:, None], B, axis=1)
    return values, u, d


def test_figure_1a_of_the_paper():
    v1, v2, v3 = np.eye(3)
    r, s = stack_reads(*_fig1_inputs(np.stack([v1, v2, v3])[:, None, :]))
    # The paper: r1 = 0.8 v1, r2 = 0.5 v1 + 0.5 v2, r3 = 0.1 v1 + 0.9 v3; final strengths (0.3, 0, 0.9).
    np.testing.assert_allclose(r[0, 0], 0.8 * v1, atol=1e-15)
    np.testing.assert_allclose(r[1, 0], 0.5 * v1 + 0.5 * v2, atol=1e-15)
    np.testing.assert_allclose(r[2, 0], 0.1 * v1 + 0.9 * v3, atol=1e-15)
    np.testing.assert_allclose(s[2, 0], [0.3, 0.0, 0.9], atol=1e-15)
    # After t = 1 and t = 2 (paper's figure): (0.8), (0.7, 0.5); zero-padded above the top.
    np.testing.assert_allclose(s[0, 0], [0.8, 0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(s[1, 0], [0.7, 0.5, 0.0], atol=1e-15)


def test_figure_1a_batched_with_different_values():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(3, 4, 5))  # four sequences with their own v1, v2, v3
    r, _ = stack_reads(*_fig1_inputs(values))
    v1, v2, v3 = values
    np.testing.assert_allclose(r[0], 0.8 * v1, atol=1e-14)
    np.testing.assert_allclose(r[1], 0.5 * v1 + 0.5 * v2, atol=1e-14)
    np.testing.assert_allclose(r[2], 0.1 * v1 + 0.9 * v3, atol=1e-14)


def test_queue_on_the_figure_1a_schedule_by_hand():
    # Queue: pops and reads start at the bottom (the oldest row).
    # t=1: s = (0.8);            r1 = 0.8 v1
    # t=2: pop 0.1 from v1 -> 0.7, push 0.5: s = (0.7, 0.5); read 0.7 of v1, then min(0.5, 1-0.7) = 0.3 of v2
    # t=3: pop 0.9: v1 loses 0.7 (-> 0), v2 loses the remaining 0.2 (-> 0.3), push 0.9: s = (0, 0.3, 0.9)
    #      read: 0 of v1, 0.3 of v2, min(0.9, 1 - 0.3) = 0.7 of v3
    v1, v2, v3 = np.eye(3)
    r, s = queue_reads(*_fig1_inputs(np.stack([v1, v2, v3])[:, None, :]))
    np.testing.assert_allclose(r[0, 0], 0.8 * v1, atol=1e-15)
    np.testing.assert_allclose(r[1, 0], 0.7 * v1 + 0.3 * v2, atol=1e-15)
    np.testing.assert_allclose(r[2, 0], 0.3 * v2 + 0.7 * v3, atol=1e-15)
    np.testing.assert_allclose(s[2, 0], [0.0, 0.3, 0.9], atol=1e-15)


def test_discrete_limit_reverses_a_sequence():
    # u, d in {0, 1}: push 1, 2, 3 (no pops), then pop once per step while pushing nothing.
    vals = np.array([1.0, 2.0, 3.0, 0.0, 0.0, 0.0])
    V = vals[:, None, None]
    d = np.array([1, 1, 1, 0, 0, 0], dtype=float)[:, None]
    u = np.array([0, 0, 0, 1, 1, 1], dtype=float)[:, None]
    r, _ = stack_reads(V, u, d)
    # reads after each step: top of the stack = 1, 2, 3, then 2, 1, (empty) 0
    np.testing.assert_allclose(r[:, 0, 0], [1, 2, 3, 2, 1, 0], atol=1e-15)
    rq, _ = queue_reads(V, u, d)
    np.testing.assert_allclose(rq[:, 0, 0], [1, 1, 1, 2, 3, 0], atol=1e-15)


@pytest.mark.parametrize("memory", [STACK, QUEUE], ids=lambda m: m.name)
@pytest.mark.parametrize("T", [1, 4, 10])
def test_gradients_match_finite_differences(memory, T):
    rng = np.random.default_rng(T)
    B, m = 3, 4
    V = rng.normal(size=(T, B, m))
    u = rng.uniform(0.05, 0.95, size=(T, B))
    d = rng.uniform(0.05, 0.95, size=(T, B))
    wr = rng.normal(size=(T, B, m))
    ws = rng.normal(size=(T, B, T))

    def f() -> float:
        r, s = memory_reads(memory, V, u, d)
        return float(np.sum(wr * r) + np.sum(ws * s))

    ws_valid = ws * (np.arange(T)[None, None, :] <= np.arange(T)[:, None, None])  # rows that exist
    dV, du, dd = memory_reads_backward(memory, V, u, d, wr, ws_valid)
    errs = check_gradients(f, {"V": V, "u": u, "d": d}, {"V": dV, "u": du, "d": dd})
    assert max(errs.values()) < 1e-6, errs


def test_kink_relu_at_zero_uses_the_stated_subgradient():
    # Step 1 pushes d1 = 0.5; step 2 pops exactly u2 = 0.5, so row 0 is left with relu(0.5 - 0.5) = relu(0).
    # With relu'(0) = 0 the read r2 = 0.3 v2 + min(0, 0.7) v1 does not depend on u2 or d1 at this point.
    v1, v2 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    V = np.stack([v1, v2])[:, None, :]
    u = np.array([[0.0], [0.5]])
    d = np.array([[0.5], [0.3]])
    w = np.array([2.0, 3.0])
    dr = np.zeros((2, 1, 2))
    dr[1, 0] = w  # L = w · r2
    dV, du, dd = stack_reads_backward(V, u, d, dr)
    assert du[1, 0] == 0.0 and dd[0, 0] == 0.0
    assert dd[1, 0] == pytest.approx(w @ v2)  # r2 contains min(d2, 1) v2 = d2 v2
    np.testing.assert_allclose(dV[1, 0], 0.3 * w)  # dL/dv2 = coef * w
    np.testing.assert_allclose(dV[0, 0], 0.0 * w)


def test_kink_min_tie_passes_the_gradient_to_the_strength():
    # d1 = d2 = 0.5, no pops: at t = 2 row 0 has s = 0.5 and budget 1 - 0.5 = 0.5 — a tie in min(s, budget).
    # The tie goes to s: dL/dd1 = w · v1 (through s) and nothing flows into d2 through the budget.
    v1, v2 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    V = np.stack([v1, v2])[:, None, :]
    u = np.zeros((2, 1))
    d = np.array([[0.5], [0.5]])
    w = np.array([2.0, 3.0])
    dr = np.zeros((2, 1, 2))
    dr[1, 0] = w
    _, _, dd = stack_reads_backward(V, u, d, dr)
    assert dd[0, 0] == pytest.approx(w @ v1)
    assert dd[1, 0] == pytest.approx(w @ v2)


def test_step_api_matches_sequence_api():
    rng = np.random.default_rng(5)
    V = rng.normal(size=(6, 2, 3))
    u, d = rng.uniform(size=(6, 2)), rng.uniform(size=(6, 2))
    r, s = stack_reads(V, u, d)
    state = STACK.initial_state(2, 3)
    for t in range(6):
        state, r_t, _ = STACK.step(state, V[t], u[t], d[t])
        np.testing.assert_array_equal(r_t, r[t])
    np.testing.assert_array_equal(state[1], s[-1])


def test_bad_input_raises():
    V, u, d = np.zeros((3, 2, 4)), np.zeros((3, 2)), np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"V must have shape \(T, B, m\)"):
        stack_reads(np.zeros((3, 2)), u, d)
    with pytest.raises(ValueError, match=r"u must have shape \(T, B\)"):
        stack_reads(V, np.zeros((3, 3)), d)
    with pytest.raises(ValueError, match=r"d must have shape \(T, B\)"):
        stack_reads(V, u, np.zeros(3))
    with pytest.raises(ValueError, match=r"u must lie in \[0, 1\]"):
        stack_reads(V, u + 1.5, d)
    with pytest.raises(ValueError, match=r"d must lie in \[0, 1\]"):
        stack_reads(V, u, d - 0.1)
    with pytest.raises(ValueError, match="V must be finite"):
        stack_reads(np.full((3, 2, 4), np.nan), u, d)
    with pytest.raises(ValueError, match="u must be finite"):
        stack_reads(V, np.full((3, 2), np.inf), d)
    with pytest.raises(ValueError, match="T > 0, B > 0"):
        stack_reads(np.zeros((0, 2, 4)), np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match="T > 0, B > 0"):
        stack_reads(np.zeros((3, 0, 4)), np.zeros((3, 0)), np.zeros((3, 0)))
    with pytest.raises(TypeError, match="V must be a numpy array"):
        stack_reads([[[0.0]]], np.zeros((1, 1)), np.zeros((1, 1)))
    with pytest.raises(TypeError, match="real-valued"):
        stack_reads(V.astype(complex), u, d)
    with pytest.raises(ValueError, match="dr must be an array of shape"):
        stack_reads_backward(V, u, d, np.zeros((3, 2, 3)))
    with pytest.raises(ValueError, match="ds must be an array of shape"):
        stack_reads_backward(V, u, d, np.zeros((3, 2, 4)), np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="end must be one of"):
        ContinuousMemory("middle")


def test_read_weights_by_hand():
    # strengths (0.3, 0, 0.9) of Figure 1(a): the read takes 0.9 of the top and the remaining 0.1 of the bottom
    np.testing.assert_allclose(read_weights(np.array([0.3, 0.0, 0.9])), [0.1, 0.0, 0.9], atol=1e-15)
    # from the bottom (queue): 0.3, then 0, then the remaining 0.7
    np.testing.assert_allclose(read_weights(np.array([0.3, 0.0, 0.9]), "bottom"), [0.3, 0.0, 0.7], atol=1e-15)
