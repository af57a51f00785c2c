"""nmbook.deque_probe: the bottom end's bookkeeping at the delimiter, on a hand-worked
record, and the balanced
forward pass (the delimiter's bottom pop set to the residue, nothing else changed)."""

import numpy as np
import pytest

from nmbook.controller import MemoryController
from nmbook.deque_probe import bottom_balance, forward_balanced
from nmbook.memory import DEQUE, STACK
from nmbook.tasks.transduction import transduction_batch


def _record(u_top, u_bot, d_top, d_bot):
    """Run DEQUE step by step on one sequence (values unused) and record strengths as
    the controller does."""
    T = len(u_top)
    state, rec = DEQUE.initial_state(1, 1), np.zeros((T, 1, 2 * T))
    for t in range(T):
        u = np.array([[u_top[t], u_bot[t]]])
        d = np.array([[d_top[t], d_bot[t]]])
        state, _, _ = DEQUE.step(state, np.zeros((1, 2, 1)), u, d)
        rec[t, :, DEQUE.strength_slice(t, T)] = state[1]
    u_rec = np.stack([u_top, u_bot], axis=1)[:, None, :]
    return rec, u_rec


def test_hand_worked_balance():
    # L = 2, T = 5. Step 0: push a1 (1.0) on top, 0.3 at the bottom: [.3, a1 1].
    # Step 1: pop .1 from the bottom (the .3 row -> .2); push a2 (1.0), .2 at the
    # bottom: [.2, .2, a1 1, a2 1]. Residue after step 1 (the input's end): .2 + .2 =
    # .4. Step 2, the delimiter: pop .7 from the bottom: .2 -> 0, .2 -> 0, a1 loses .7 -
    # .4 = .3 -> .7.
    rec, u = _record(
        u_top=[0, 0, 0, 0, 0],
        u_bot=[0, 0.1, 0.7, 0, 0],
        d_top=[1, 1, 0, 0, 0],
        d_bot=[0.3, 0.2, 0, 0, 0],
    )
    residue, pop, kept = bottom_balance(rec, u, 2)
    np.testing.assert_allclose(residue, [0.4])
    np.testing.assert_allclose(pop, [0.7])
    np.testing.assert_allclose(kept, [0.7])  # = 1 - max(0, pop - residue)


def test_a_pop_below_the_residue_keeps_the_first_symbol():
    # Same input phase; the delimiter pops only .25 of the .4 residue: a1 untouched.
    rec, u = _record(
        u_top=[0, 0, 0, 0, 0],
        u_bot=[0, 0.1, 0.25, 0, 0],
        d_top=[1, 1, 0, 0, 0],
        d_bot=[0.3, 0.2, 0, 0, 0],
    )
    residue, pop, kept = bottom_balance(rec, u, 2)
    np.testing.assert_allclose([residue[0], pop[0], kept[0]], [0.4, 0.25, 1.0])


def _deque_net(seed=0):
    return MemoryController(
        9, 8, 16, 4, DEQUE, rng=seed, push_bias=(0.0, -2.0), pop_bias=-2.0
    )


def test_forward_balanced_sets_the_pop_to_the_residue_and_nothing_else():
    net, L = _deque_net(), 5
    x, _, _ = transduction_batch("copy", L, 8, np.random.default_rng(0), batch=6)
    plain = net.forward(x)
    residue, _, _ = bottom_balance(net.strengths, net.u, L)
    balanced = forward_balanced(net, x, L)
    # before the delimiter nothing changes
    np.testing.assert_array_equal(balanced[:L], plain[:L])
    assert not np.allclose(balanced[L:], plain[L:])
    # Replay the balanced run's delimiter step by hand: the pop equals the residue, so
    # a1 keeps all of its strength.
    state, mstate = net.cell.initial_state(6), net.memory.initial_state(6, net.width)
    r = np.zeros((6, net.read_width))
    for t in range(L):
        _, r, state, mstate, _ = net.step(x[t], r, state, mstate)
    # the row of a1 (pushed on top at step 0), before the delimiter
    first = mstate[1][:, L].copy()
    h = net.cell.step(np.concatenate([x[L], r], axis=1), state)[0][0]
    z = net.head_preactivations(h)
    noise = np.zeros((6, 4))
    noise[:, 3] = np.log(residue / (1 - residue)) - z[:, 3]
    _, _, _, after, (_, _, (d, u, _, _), _) = net.step(x[L], r, state, mstate, noise)
    np.testing.assert_allclose(u[:, 1], residue, rtol=1e-9)
    # nothing of a1 popped
    np.testing.assert_allclose(after[1][:, L + 1], first, rtol=1e-9)
    # the residue is gone
    np.testing.assert_allclose(after[1][:, 1 : L + 1].sum(axis=1), 0.0, atol=1e-9)


@pytest.mark.parametrize("L", [0, 11, 2.0, True])
def test_bad_length(L):
    net = _deque_net()
    x, _, _ = transduction_batch("copy", 5, 8, np.random.default_rng(0), batch=2)
    net.forward(x)
    with pytest.raises(ValueError, match="L must be"):
        bottom_balance(net.strengths, net.u, L)
    with pytest.raises(ValueError, match="L must be"):
        forward_balanced(net, x, L)


def test_bad_shapes_and_models():
    with pytest.raises(ValueError, match="strengths must have shape"):
        bottom_balance(np.zeros((3, 1, 5)), np.zeros((3, 1, 2)), 1)
    with pytest.raises(ValueError, match="u must have shape"):
        bottom_balance(np.zeros((3, 1, 6)), np.zeros((3, 1)), 1)
    stack_net = MemoryController(9, 8, 8, 4, STACK, rng=0)
    with pytest.raises(TypeError, match="deque"):
        forward_balanced(stack_net, np.zeros((5, 1, 9)), 2)
    with pytest.raises(ValueError, match="x must have shape"):
        forward_balanced(_deque_net(), np.zeros((5, 1, 7)), 2)
