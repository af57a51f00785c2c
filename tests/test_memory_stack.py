"""The continuous stack (Grefenstette et al. 2015, eqs. 1-3): Figure 1(a), hand-worked
cases, kinks, gradients,
the step and cache APIs, and bad input. Expected values come from the paper or from
arithmetic in the comments."""

import numpy as np
import pytest

from nmbook.gradcheck import check_gradients
from nmbook.memory import (
    STACK,
    ContinuousMemory,
    earlier_read_share,
    exclusive_sum,
    exclusive_sum_transpose,
    memory_backward,
    memory_forward,
    read_weights,
    stack_reads,
    stack_reads_backward,
)

# Figure 1(a) of the paper: push strengths d and pop strengths u at t = 1, 2, 3.
D_FIG = [0.8, 0.5, 0.9]
U_FIG = [0.0, 0.1, 0.9]
E1, E2, E3 = np.eye(3)


def _one_sequence(values, u, d):
    """values: list of (m,) -> V: (T, 1, m), u, d: (T, 1)."""
    return (
        np.stack(values)[:, None, :],
        np.array(u, float)[:, None],
        np.array(d, float)[:, None],
    )


def test_figure_1a_of_the_paper():
    r, s = stack_reads(*_one_sequence([E1, E2, E3], U_FIG, D_FIG))
    # The paper: r1 = 0.8 v1, r2 = 0.5 v1 + 0.5 v2, r3 = 0.1 v1 + 0.9 v3; final
    # strengths (0.3, 0, 0.9).
    np.testing.assert_allclose(r[0, 0], 0.8 * E1, atol=1e-15)
    np.testing.assert_allclose(r[1, 0], 0.5 * E1 + 0.5 * E2, atol=1e-15)
    np.testing.assert_allclose(r[2, 0], 0.1 * E1 + 0.9 * E3, atol=1e-15)
    np.testing.assert_allclose(s[2, 0], [0.3, 0.0, 0.9], atol=1e-15)
    # The figure's intermediate columns, (0.8) and (0.7, 0.5), zero-padded above the
    # top.
    np.testing.assert_allclose(s[0, 0], [0.8, 0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(s[1, 0], [0.7, 0.5, 0.0], atol=1e-15)


def test_figure_1a_batched_with_random_values():
    rng = np.random.default_rng(0)
    V = rng.normal(size=(3, 4, 5))  # four sequences, each with its own v1, v2, v3
    u = np.repeat(np.array(U_FIG)[:, None], 4, axis=1)
    d = np.repeat(np.array(D_FIG)[:, None], 4, axis=1)
    r, s = stack_reads(V, u, d)
    v1, v2, v3 = V
    np.testing.assert_allclose(r[0], 0.8 * v1, atol=1e-14)
    np.testing.assert_allclose(r[1], 0.5 * v1 + 0.5 * v2, atol=1e-14)
    np.testing.assert_allclose(r[2], 0.1 * v1 + 0.9 * v3, atol=1e-14)
    np.testing.assert_allclose(s[2], np.tile([0.3, 0.0, 0.9], (4, 1)), atol=1e-15)


def test_batch_of_different_schedules():
    # Three sequences in one batch, each with its own schedule, values v1, v2, v3 = e1,
    # e2, e3.
    #  b=0: Figure 1(a).
    #  b=1: d = (1, 1, 0), u = (0, 0, 1): s = (1) -> (1, 1) -> pop removes v2: (1, 0,
    #  0); reads v1, v2, v1. b=2: d = (.5, .5, .5), u = (0, .25, .25): s = (.5) -> (.25,
    #  .5) -> (.25, .25, .5);
    #       reads .5 v1;  .5 v2 + .25 v1;  .5 v3 + .25 v2 + .25 v1.
    V = np.repeat(np.eye(3)[:, None, :], 3, axis=1)
    u = np.array([U_FIG, [0, 0, 1], [0, 0.25, 0.25]]).T
    d = np.array([D_FIG, [1, 1, 0], [0.5, 0.5, 0.5]]).T
    r, s = stack_reads(V, u, d)
    expected_r = np.array(
        [
            [0.8 * E1, 0.5 * E1 + 0.5 * E2, 0.1 * E1 + 0.9 * E3],
            [E1, E2, E1],
            [0.5 * E1, 0.25 * E1 + 0.5 * E2, 0.25 * E1 + 0.25 * E2 + 0.5 * E3],
        ]
    ).transpose(1, 0, 2)
    np.testing.assert_allclose(r, expected_r, atol=1e-15)
    np.testing.assert_allclose(
        s[2], [[0.3, 0.0, 0.9], [1, 0, 0], [0.25, 0.25, 0.5]], atol=1e-15
    )


def test_discrete_limit_reverses_a_sequence():
    # u, d in {0, 1}: push 1, 2, 3, then pop once per step while pushing nothing (d =
    # 0).
    V = np.array([1.0, 2.0, 3.0, 0.0, 0.0, 0.0])[:, None, None]
    d = np.array([1, 1, 1, 0, 0, 0], dtype=float)[:, None]
    u = np.array([0, 0, 0, 1, 1, 1], dtype=float)[:, None]
    r, s = stack_reads(V, u, d)
    # the top after each step: 1, 2, 3, then 2, 1, and finally the empty stack reads 0
    np.testing.assert_array_equal(r[:, 0, 0], [1, 2, 3, 2, 1, 0])
    np.testing.assert_array_equal(s[-1, 0], [0, 0, 0, 0, 0, 0])


def test_pop_and_push_in_one_step_replaces_the_top():
    # u = d = 1 at t = 2: the pop removes v1 before v2 is pushed, so the read is v2 and
    # v1 is gone.
    r, s = stack_reads(*_one_sequence([E1, E2], [0, 1], [1, 1]))
    np.testing.assert_array_equal(r[1, 0], E2)
    np.testing.assert_array_equal(s[1, 0], [0, 1])


def test_read_weights_by_hand():
    # strengths (0.3, 0, 0.9) of Figure 1(a): the read takes 0.9 of the top and the
    # remaining 0.1 of the bottom
    np.testing.assert_allclose(
        read_weights(np.array([0.3, 0.0, 0.9])), [0.1, 0.0, 0.9], atol=1e-15
    )
    # less than one unit on the stack: the read takes everything
    np.testing.assert_allclose(
        read_weights(np.array([0.25, 0.5])), [0.25, 0.5], atol=1e-15
    )


def test_earlier_read_share_on_figure_1a():
    # Figure 1(a): r1 = 0.8 v1 (nothing older), r2 = 0.5 v1 + 0.5 v2 (0.5 from step 1),
    # r3 = 0.1 v1 + 0.9 v3 (0.1)
    _, s = stack_reads(*_one_sequence([E1, E2, E3], U_FIG, D_FIG))
    assert earlier_read_share(s) == pytest.approx((0.0 + 0.5 + 0.1) / 3)
    assert earlier_read_share(s, mask=np.array([[0.0], [1.0], [1.0]])) == pytest.approx(
        0.3
    )
    # a memory that is popped empty before every push reads only what it has just
    # written
    _, s = stack_reads(*_one_sequence([E1, E2, E3], [1, 1, 1], [1, 1, 1]))
    assert earlier_read_share(s) == 0.0


def test_earlier_read_share_rejects_bad_input():
    with pytest.raises(ValueError, match="s must have shape"):
        earlier_read_share(np.zeros((3, 1, 2)))  # fewer rows than steps
    with pytest.raises(ValueError, match="mask must have shape"):
        earlier_read_share(np.zeros((2, 1, 2)), mask=np.ones(2))
    with pytest.raises(ValueError, match="at least one step"):
        earlier_read_share(np.zeros((2, 1, 2)), mask=np.zeros((2, 1)))


def test_exclusive_sums_by_hand_and_adjoint():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    # sum of the rows above
    np.testing.assert_array_equal(exclusive_sum(x, "top"), [14, 12, 8, 0])
    # sum of the rows below
    np.testing.assert_array_equal(exclusive_sum(x, "bottom"), [0, 1, 3, 7])
    assert exclusive_sum(np.zeros((2, 0)), "top").shape == (2, 0)  # the empty memory
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 3, 5))
    for end in ("top", "bottom"):  # <S a, b> = <a, S^T b>
        assert np.sum(exclusive_sum(a, end) * b) == pytest.approx(
            np.sum(a * exclusive_sum_transpose(b, end))
        )


@pytest.mark.parametrize("with_ds", [False, True], ids=["reads", "reads+strengths"])
@pytest.mark.parametrize("T", [1, 2, 5, 10])
def test_gradients_match_finite_differences(T, with_ds):
    rng = np.random.default_rng(10 * T + with_ds)
    B, m = 3, 4
    V = rng.normal(size=(T, B, m))
    u = rng.uniform(0.05, 0.95, size=(T, B))
    d = rng.uniform(0.05, 0.95, size=(T, B))
    wr = rng.normal(size=(T, B, m))
    # row i exists after step t
    exists = np.arange(T)[None, None, :] <= np.arange(T)[:, None, None]
    ws = rng.normal(size=(T, B, T)) * exists if with_ds else np.zeros((T, B, T))

    def f() -> float:
        r, s = stack_reads(V, u, d)
        return float(np.sum(wr * r) + np.sum(ws * s))

    dV, du, dd = stack_reads_backward(V, u, d, wr, ws if with_ds else None)
    errs = check_gradients(f, {"V": V, "u": u, "d": d}, {"V": dV, "u": du, "d": dd})
    assert max(errs.values()) < 1e-6, errs


def test_loss_on_strengths_alone():
    # L = s_3[0] on Figure 1(a): s_3[0] = relu(s_2[0] - relu(u3 - s_2[1])), s_2[0] = d1
    # - u2, s_2[1] = d2
    # -> s_3[0] = d1 - u2 - u3 + d2 (all relus active): dL/dd = (1, 1, 0), dL/du = (0,
    # -1, -1), dL/dV = 0.
    V, u, d = _one_sequence([E1, E2, E3], U_FIG, D_FIG)
    ds = np.zeros((3, 1, 3))
    ds[2, 0, 0] = 1.0
    dV, du, dd = stack_reads_backward(V, u, d, np.zeros((3, 1, 3)), ds)
    np.testing.assert_allclose(dd[:, 0], [1, 1, 0])
    np.testing.assert_allclose(du[:, 0], [0, -1, -1])
    np.testing.assert_array_equal(dV, 0.0)


def test_value_gradient_collects_every_later_read():
    # L = w . r3 on Figure 1(a): r3 = 0.1 v1 + 0.9 v3, so dL/dv1 = 0.1 w although v1 was
    # pushed at t = 1.
    V, u, d = _one_sequence([E1, E2, E3], U_FIG, D_FIG)
    w = np.array([2.0, 3.0, 5.0])
    dr = np.zeros((3, 1, 3))
    dr[2, 0] = w
    dV, _, _ = stack_reads_backward(V, u, d, dr)
    np.testing.assert_allclose(dV[:, 0], [0.1 * w, 0 * w, 0.9 * w], atol=1e-15)


def test_kink_relu_at_zero_in_the_pop():
    # Step 1 pushes d1 = 0.5; step 2 pops exactly u2 = 0.5, so row 0 keeps relu(0.5 -
    # 0.5) = relu(0) = 0. r2 = 0.3 v2 + min(0, 0.7) v1. With relu'(0) = 0 nothing
    # reaches u2 or d1 (the left derivative; the right one would be -w.v1 and +w.v1).
    V, u, d = _one_sequence([E1[:2], E2[:2]], [0.0, 0.5], [0.5, 0.3])
    w = np.array([2.0, 3.0])
    dr = np.zeros((2, 1, 2))
    dr[1, 0] = w  # L = w . r2
    dV, du, dd = stack_reads_backward(V, u, d, dr)
    assert du[1, 0] == 0.0 and dd[0, 0] == 0.0
    # r2 contains min(d2, 1) v2 = d2 v2, and w . v2 = 3
    assert dd[1, 0] == pytest.approx(3.0)
    np.testing.assert_allclose(dV[:, 0], [0.0 * w, 0.3 * w])


def test_kink_min_tie_passes_the_gradient_to_the_strength():
    # d1 = d2 = 0.5, no pops: at t = 2 row 0 has s = 0.5 and budget 1 - 0.5 = 0.5, a tie
    # in min(s, budget). The tie goes to s: dL/dd1 = w . v1 = 2, and nothing flows into
    # d2 through the budget: dL/dd2 = w . v2 = 3. (Had the tie gone to the budget, it
    # would be dL/dd1 = 0 and dL/dd2 = 3 - 2 = 1.)
    V, u, d = _one_sequence([E1[:2], E2[:2]], [0.0, 0.0], [0.5, 0.5])
    w = np.array([2.0, 3.0])
    dr = np.zeros((2, 1, 2))
    dr[1, 0] = w
    _, _, dd = stack_reads_backward(V, u, d, dr)
    np.testing.assert_allclose(dd[:, 0], [2.0, 3.0])


def test_kink_relu_at_zero_in_the_read_budget():
    # d = (0.5, 1), no pops: at t = 2 the top holds exactly 1, so row 0 sees budget
    # relu(1 - 1) = relu(0) and s[0] = 0.5 > 0: the min takes the budget, whose relu'(0)
    # = 0. The top ties min(1, relu(1)): goes to s. r2 = v2, dL/dd = (0, w . v2) = (0,
    # 3).
    V, u, d = _one_sequence([E1[:2], E2[:2]], [0.0, 0.0], [0.5, 1.0])
    w = np.array([2.0, 3.0])
    dr = np.zeros((2, 1, 2))
    dr[1, 0] = w
    r, _ = stack_reads(V, u, d)
    np.testing.assert_array_equal(r[1, 0], E2[:2])
    _, _, dd = stack_reads_backward(V, u, d, dr)
    np.testing.assert_allclose(dd[:, 0], [0.0, 3.0])


def test_step_api_matches_sequence_api():
    rng = np.random.default_rng(5)
    V = rng.normal(size=(6, 2, 3))
    u, d = rng.uniform(size=(6, 2)), rng.uniform(size=(6, 2))
    dr = rng.normal(size=(6, 2, 3))
    r, s = stack_reads(V, u, d)
    dV, du, dd = stack_reads_backward(V, u, d, dr)
    state, caches = STACK.initial_state(2, 3), []
    for t in range(6):
        state, r_t, cache = STACK.step(state, V[t], u[t], d[t])
        caches.append(cache)
        np.testing.assert_array_equal(r_t, r[t])
        np.testing.assert_array_equal(state[1], s[t, :, : t + 1])
    dstate = (np.zeros((2, 6, 3)), np.zeros((2, 6)))
    for t in range(5, -1, -1):
        dv, du_t, dd_t, dstate = STACK.step_backward(dr[t], dstate, caches[t])
        np.testing.assert_array_equal(dv, dV[t])
        np.testing.assert_array_equal(du_t, du[t])
        np.testing.assert_array_equal(dd_t, dd[t])
    assert dstate[0].shape == (2, 0, 3) and dstate[1].shape == (2, 0)


def test_cache_api_matches_the_recomputing_api():
    rng = np.random.default_rng(6)
    V = rng.normal(size=(5, 3, 2))
    u, d = rng.uniform(size=(5, 3)), rng.uniform(size=(5, 3))
    dr, ds = rng.normal(size=(5, 3, 2)), rng.normal(size=(5, 3, 5))
    r, s, cache = memory_forward(STACK, V, u, d)
    r2, s2 = stack_reads(V, u, d)
    np.testing.assert_array_equal(r, r2)
    np.testing.assert_array_equal(s, s2)
    for a, b in zip(
        memory_backward(cache, dr, ds),
        stack_reads_backward(V, u, d, dr, ds),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    # the cache can be reused for a second backward pass with another loss
    np.testing.assert_array_equal(
        memory_backward(cache, 2 * dr)[0], 2 * memory_backward(cache, dr)[0]
    )


def test_integer_inputs_are_accepted_as_float64():
    r, _ = stack_reads(
        np.ones((2, 1, 1), dtype=int),
        np.zeros((2, 1), dtype=int),
        np.ones((2, 1), dtype=int),
    )
    assert r.dtype == np.float64
    np.testing.assert_array_equal(r[:, 0, 0], [1, 1])


GOOD = {"V": np.zeros((3, 2, 4)), "u": np.zeros((3, 2)), "d": np.zeros((3, 2))}


def _with(**changes):
    args = dict(GOOD, **changes)
    return args["V"], args["u"], args["d"]


@pytest.mark.parametrize(
    "changes, error, match",
    [
        ({"V": np.zeros((3, 2))}, ValueError, r"V must have shape \(T, B, m\)"),
        ({"V": np.zeros((3, 2, 4, 1))}, ValueError, r"V must have shape \(T, B, m\)"),
        ({"u": np.zeros((3, 3))}, ValueError, r"u must have shape \(T, B\)"),
        ({"u": np.zeros((3, 2, 1))}, ValueError, r"u must have shape \(T, B\)"),
        ({"d": np.zeros(3)}, ValueError, r"d must have shape \(T, B\)"),
        ({"d": np.zeros((2, 2))}, ValueError, r"d must have shape \(T, B\)"),
        ({"u": np.full((3, 2), 1.5)}, ValueError, r"u must lie in \[0, 1\]"),
        ({"u": np.full((3, 2), -0.1)}, ValueError, r"u must lie in \[0, 1\]"),
        ({"d": np.full((3, 2), -0.1)}, ValueError, r"d must lie in \[0, 1\]"),
        ({"d": np.full((3, 2), 1.0 + 1e-9)}, ValueError, r"d must lie in \[0, 1\]"),
        ({"V": np.full((3, 2, 4), np.nan)}, ValueError, "V must be finite"),
        ({"V": np.full((3, 2, 4), np.inf)}, ValueError, "V must be finite"),
        ({"u": np.full((3, 2), np.nan)}, ValueError, "u must be finite"),
        ({"u": np.full((3, 2), np.inf)}, ValueError, "u must be finite"),
        ({"d": np.full((3, 2), np.nan)}, ValueError, "d must be finite"),
        ({"d": np.full((3, 2), -np.inf)}, ValueError, "d must be finite"),
        (
            {"V": np.zeros((0, 2, 4)), "u": np.zeros((0, 2)), "d": np.zeros((0, 2))},
            ValueError,
            "T > 0, B > 0",
        ),
        (
            {"V": np.zeros((3, 0, 4)), "u": np.zeros((3, 0)), "d": np.zeros((3, 0))},
            ValueError,
            "T > 0, B > 0",
        ),
        ({"V": np.zeros((3, 2, 0))}, ValueError, "m > 0"),
        ({"V": [[[0.0]]]}, TypeError, "V must be a numpy array"),
        ({"u": 0.5}, TypeError, "u must be a numpy array"),
        ({"d": None}, TypeError, "d must be a numpy array"),
        (
            {"V": np.zeros((3, 2, 4), dtype=complex)},
            TypeError,
            "V must be a real-valued array",
        ),
        (
            {"u": np.zeros((3, 2), dtype=bool)},
            TypeError,
            "u must be a real-valued array",
        ),
    ],
)
def test_bad_input_raises(changes, error, match):
    with pytest.raises(error, match=match):
        stack_reads(*_with(**changes))
    dr = (
        np.zeros_like(changes["V"])
        if isinstance(changes.get("V"), np.ndarray)
        else np.zeros((3, 2, 4))
    )
    with pytest.raises(error, match=match):  # the backward validates the same way
        stack_reads_backward(*_with(**changes), dr)


@pytest.mark.parametrize(
    "dr, ds, error, match",
    [
        (
            np.zeros((3, 2, 3)),
            None,
            ValueError,
            r"dr must be an array of shape \(3, 2, 4\)",
        ),
        (np.zeros((3, 2)), None, ValueError, r"dr must be an array of shape"),
        ([0.0], None, TypeError, "dr must be a numpy array"),
        (np.full((3, 2, 4), np.nan), None, ValueError, "dr must be finite"),
        (
            np.zeros((3, 2, 4)),
            np.zeros((3, 2, 2)),
            ValueError,
            r"ds must be an array of shape \(3, 2, 3\)",
        ),
        (
            np.zeros((3, 2, 4)),
            np.full((3, 2, 3), np.inf),
            ValueError,
            "ds must be finite",
        ),
        (
            np.zeros((3, 2, 4)),
            np.zeros((3, 2, 3), dtype=complex),
            TypeError,
            "ds must be a real-valued array",
        ),
    ],
)
def test_bad_gradient_input_raises(dr, ds, error, match):
    with pytest.raises(error, match=match):
        stack_reads_backward(*_with(), dr, ds)
    _, _, cache = memory_forward(STACK, *_with())
    with pytest.raises(error, match=match):
        memory_backward(cache, dr, ds)


def test_bad_cache_and_end_raise():
    with pytest.raises(TypeError, match="cache must be the ReadsCache"):
        memory_backward((None,), np.zeros((3, 2, 4)))
    with pytest.raises(ValueError, match="end must be one of"):
        ContinuousMemory("middle")
