"""The continuous deque (Grefenstette et al. 2015, section 3.3): a hand-worked example,
its stack and queue
limits, gradients of every input, the step API and bad input. Expected values are worked
by hand in comments."""

import numpy as np
import pytest

from nmbook.gradcheck import check_gradients
from nmbook.memory import (
    DEQUE,
    deque_backward,
    deque_forward,
    deque_reads,
    deque_reads_backward,
)

# Six one-hot values: a1, a2, a3 are pushed on top at t = 1, 2, 3; b1, b2, b3 at the
# bottom.
A1, A2, A3, B1, B2, B3 = np.eye(6)
# The schedule of the worked example (one sequence): (top, bottom) at each step.
D_TOP, D_BOT = [0.6, 0.5, 0.9], [0.3, 0.3, 0.1]
U_TOP, U_BOT = [0.0, 0.2, 0.7], [0.0, 0.1, 0.4]


def _one(top, bot, u_top, u_bot, d_top, d_bot):
    col = lambda x: np.array(x, float)[:, None]  # noqa: E731
    return (
        np.stack(top)[:, None, :],
        np.stack(bot)[:, None, :],
        col(u_top),
        col(u_bot),
        col(d_top),
        col(d_bot),
    )


def test_worked_example_by_hand():
    # Rows bottom -> top.
    # t=1: empty memory, push b1 (0.3) at the bottom and a1 (0.6) on top: [b1 .3, a1
    # .6].
    #      r_top: a1 .6, then b1 min(.3, 1 - .6) = .3. r_bot: b1 .3, then a1 min(.6, 1 -
    #      .3) = .6.
    # t=2: pop .2 from the top: a1 loses .2 (-> .4); pop .1 from the bottom: b1 loses .1
    # (-> .2).
    #      push b2 (.3), a2 (.5): [b2 .3, b1 .2, a1 .4, a2 .5].
    #      r_top: a2 .5, a1 min(.4, .5) = .4, b1 min(.2, .1) = .1, b2 min(.3, relu(1 -
    #      1.1)) = 0. r_bot: b2 .3, b1 min(.2, .7) = .2, a1 min(.4, .5) = .4, a2 min(.5,
    #      1 - .9) = .1.
    # t=3: pop .7 from the top: a2 loses .5 (-> 0), a1 loses the remaining .2 (-> .2);
    #      pop .4 from the bottom: b2 loses .3 (-> 0), b1 loses the remaining .1 (->
    #      .1). push b3 (.1), a3 (.9): [b3 .1, b2 0, b1 .1, a1 .2, a2 0, a3 .9]. r_top:
    #      a3 .9, a2 0, a1 min(.2, .1) = .1, then nothing left. r_bot: b3 .1, b2 0, b1
    #      .1, a1 .2, a2 0, a3 min(.9, 1 - .4) = .6.
    args = _one([A1, A2, A3], [B1, B2, B3], U_TOP, U_BOT, D_TOP, D_BOT)
    r_top, r_bot, s = deque_reads(*args)
    np.testing.assert_allclose(
        r_top[:, 0],
        [0.6 * A1 + 0.3 * B1, 0.5 * A2 + 0.4 * A1 + 0.1 * B1, 0.9 * A3 + 0.1 * A1],
        atol=1e-12,
    )
    np.testing.assert_allclose(
        r_bot[:, 0],
        [
            0.3 * B1 + 0.6 * A1,
            0.3 * B2 + 0.2 * B1 + 0.4 * A1 + 0.1 * A2,
            0.1 * B3 + 0.1 * B1 + 0.2 * A1 + 0.6 * A3,
        ],
        atol=1e-12,
    )
    # the centred layout: after step t (0-based) the rows sit at 2 - t .. 3 + t of 6
    # slots
    np.testing.assert_allclose(
        s[:, 0],
        [
            [0, 0, 0.3, 0.6, 0, 0],
            [0, 0.3, 0.2, 0.4, 0.5, 0],
            [0.1, 0.0, 0.1, 0.2, 0.0, 0.9],
        ],
        atol=1e-12,
    )


def test_top_only_is_a_stack_and_top_push_bottom_pop_is_a_queue():
    # discrete controls, values 1, 2, 3 pushed on top, then three pops of strength 1
    V = np.array([1.0, 2.0, 3.0, 0.0, 0.0, 0.0])[:, None, None]
    zeros = np.zeros((6, 1))
    d = np.array([1, 1, 1, 0, 0, 0], float)[:, None]
    u = np.array([0, 0, 0, 1, 1, 1], float)[:, None]
    # popping the top: reads 1, 2, 3 | then 2, 1, 0 (reversal, as the stack)
    r_top, _, _ = deque_reads(V, V, u, zeros, d, zeros)
    np.testing.assert_array_equal(r_top[:, 0, 0], [1, 2, 3, 2, 1, 0])
    # popping the bottom: the bottom read sees 1, 1, 1 | then 2, 3, 0 (copy, as the
    # queue)
    _, r_bot, _ = deque_reads(V, V, zeros, u, d, zeros)
    np.testing.assert_array_equal(r_bot[:, 0, 0], [1, 1, 1, 2, 3, 0])
    # pushing at the bottom and popping the top is a queue too, read from the top
    r_top, _, _ = deque_reads(V, V, u, zeros, zeros, d)
    np.testing.assert_array_equal(r_top[:, 0, 0], [1, 1, 1, 2, 3, 0])


def test_both_pops_on_one_row():
    # one row of strength 1, then pops of .3 from the top and .4 from the bottom in the
    # same step: 1 - .7 = .3 left; pops larger than the row together (.6 + .6) empty it,
    # and neither pop reaches the other pushes.
    V = np.array([[5.0], [0.0]])[:, None, :]
    for (ut, ub), left in [((0.3, 0.4), 0.3), ((0.6, 0.6), 0.0)]:
        u_top, u_bot = np.array([[0.0], [ut]]), np.array([[0.0], [ub]])
        d_top, d_bot = np.array([[1.0], [0.0]]), np.zeros((2, 1))
        r_top, _, s = deque_reads(V, V, u_top, u_bot, d_top, d_bot)
        np.testing.assert_allclose(s[1, 0], [0, 0.0, left, 0.0], atol=1e-15)
        np.testing.assert_allclose(r_top[1, 0, 0], 5.0 * left, atol=1e-14)


@pytest.mark.parametrize("T,with_ds", [(1, False), (4, True), (7, True)])
def test_gradients_match_finite_differences(T, with_ds):
    rng = np.random.default_rng(200 + T)
    B, m = 3, 2
    arrays = {
        "V_top": rng.normal(size=(T, B, m)),
        "V_bot": rng.normal(size=(T, B, m)),
        "u_top": rng.uniform(0.05, 0.6, size=(T, B)),
        "u_bot": rng.uniform(0.05, 0.6, size=(T, B)),
        "d_top": rng.uniform(0.05, 0.95, size=(T, B)),
        "d_bot": rng.uniform(0.05, 0.95, size=(T, B)),
    }
    w_top, w_bot = rng.normal(size=(T, B, m)), rng.normal(size=(T, B, m))
    ws = rng.normal(size=(T, B, 2 * T)) if with_ds else None

    def f() -> float:
        r_top, r_bot, s = deque_reads(*arrays.values())
        return float(
            np.sum(w_top * r_top)
            + np.sum(w_bot * r_bot)
            + (np.sum(ws * s) if with_ds else 0.0)
        )

    grads = deque_reads_backward(*arrays.values(), w_top, w_bot, ws)
    errs = check_gradients(f, arrays, dict(zip(arrays, grads, strict=True)))
    assert max(errs.values()) < 1e-6, errs


def test_value_gradients_by_hand():
    # t=1 of the worked example alone: r_top = .6 a + .3 b, r_bot = .3 b + .6 a.
    # L = w1 . r_top + w2 . r_bot -> dL/dv_top = .6 (w1 + w2), dL/dv_bot = .3 (w1 + w2).
    args = _one(
        [np.array([1.0, 0.0])], [np.array([0.0, 1.0])], [0.0], [0.0], [0.6], [0.3]
    )
    w1, w2 = np.array([[[1.0, 2.0]]]), np.array([[[3.0, -1.0]]])
    dV_top, dV_bot, *_ = deque_reads_backward(*args, w1, w2)
    np.testing.assert_allclose(dV_top[0, 0], 0.6 * np.array([4.0, 1.0]))
    np.testing.assert_allclose(dV_bot[0, 0], 0.3 * np.array([4.0, 1.0]))


def test_step_api_and_cache_api_agree_with_the_sequence_api():
    rng = np.random.default_rng(5)
    T, B, m = 3, 2, 2
    Vt, Vb = rng.normal(size=(T, B, m)), rng.normal(size=(T, B, m))
    ut, ub, dt, db = (rng.uniform(size=(T, B)) for _ in range(4))
    r_top, r_bot, s, caches = deque_forward(Vt, Vb, ut, ub, dt, db)
    state = DEQUE.initial_state(B, m)
    for t in range(T):
        state, r, _ = DEQUE.step(
            state,
            np.stack([Vt[t], Vb[t]], 1),
            np.stack([ut[t], ub[t]], 1),
            np.stack([dt[t], db[t]], 1),
        )
        np.testing.assert_array_equal(r, np.concatenate([r_top[t], r_bot[t]], axis=1))
        assert state[1].shape == (B, 2 * t + 2)
    np.testing.assert_array_equal(state[1], s[-1])
    dr_t, dr_b = rng.normal(size=(T, B, m)), rng.normal(size=(T, B, m))
    for a, b in zip(
        deque_backward(caches, dr_t, dr_b),
        deque_reads_backward(Vt, Vb, ut, ub, dt, db, dr_t, dr_b),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


def _good():
    rng = np.random.default_rng(0)
    return [rng.normal(size=(3, 2, 2)), rng.normal(size=(3, 2, 2))] + [
        rng.uniform(size=(3, 2)) for _ in range(4)
    ]


@pytest.mark.parametrize(
    "index,bad,error,match",
    [
        (0, np.zeros((3, 2)), ValueError, r"V_top must have shape \(T, B, m\)"),
        (1, np.zeros((3, 2, 3)), ValueError, r"V_bot must have the shape of V_top"),
        (2, np.full((3, 2), 1.5), ValueError, r"u_top must lie in \[0, 1\]"),
        (3, np.full((3, 2), np.nan), ValueError, r"u_bot must be finite"),
        (4, np.zeros((2, 2)), ValueError, r"d_top must have shape \(T, B\)"),
        (5, [[0.5, 0.5]] * 3, TypeError, r"d_bot must be a numpy array"),
        (0, np.zeros((3, 0, 2)), ValueError, r"V_top must have T > 0, B > 0"),
    ],
)
def test_bad_input_raises(index, bad, error, match):
    args = _good()
    args[index] = bad
    with pytest.raises(error, match=match):
        deque_reads(*args)


def test_bad_gradient_input_raises():
    args = _good()
    with pytest.raises(
        ValueError, match=r"dr_bot must be an array of shape \(3, 2, 2\)"
    ):
        deque_reads_backward(*args, np.zeros((3, 2, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"ds must be an array of shape \(3, 2, 6\)"):
        deque_reads_backward(
            *args, np.zeros((3, 2, 2)), np.zeros((3, 2, 2)), np.zeros((3, 2, 3))
        )
    with pytest.raises(TypeError, match="caches must be the list"):
        deque_backward(None, np.zeros((3, 2, 2)), np.zeros((3, 2, 2)))
