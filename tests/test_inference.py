"""nmbook.inference: the memory-light forward pass equals the controller's own, rounded
gates give the discrete stack, queue and deque, and bad input raises."""

import copy

import numpy as np
import pytest

from nmbook.controller import MemoryController
from nmbook.inference import (
    accuracy_at_lengths,
    round_gates,
    run_controller,
    run_memory,
)
from nmbook.memory import DEQUE, QUEUE, STACK
from nmbook.seqtrain import accuracy_by_length
from nmbook.tasks.transduction import transduction_batch

CONTROLLERS = {
    "stack": dict(memory=STACK),
    "queue": dict(memory=QUEUE),
    "deque": dict(memory=DEQUE, push_bias=(0.0, -2.0), pop_bias=-2.0),
    "lstm stack": dict(memory=STACK, cell="lstm"),
    "post wiring": dict(memory=STACK, output_sees_read=False, pop_bias=0.0),
    "no memory": dict(memory=None, cell="lstm"),
}


def _controller(name, seed=0):
    return MemoryController(9, 8, 16, 4, rng=seed, **CONTROLLERS[name])


def _batch(seed=0):
    lengths = np.array([1, 3, 6, 9, 12])
    return transduction_batch("reverse", lengths, 8, np.random.default_rng(seed))[0]


@pytest.mark.parametrize("name", sorted(CONTROLLERS))
def test_soft_run_is_the_controllers_forward_bit_for_bit(name):
    model = _controller(name)
    x = _batch()
    expected = model.forward(x)
    run = run_controller(model, x)
    assert np.array_equal(run.logits, expected)
    if model.memory is None:
        assert run.d is None and run.u is None
    else:
        k = model.n_values
        shape = x.shape[:2] if k == 1 else (*x.shape[:2], k)
        assert run.d.shape == shape and run.u.shape == shape
        assert np.all((run.d > 0) & (run.d < 1) & (run.u > 0) & (run.u < 1))


def test_run_controller_stores_nothing_on_the_model():
    model = _controller("stack")
    before = {k: id(v) for k, v in vars(model).items()}
    weights = [p.value.copy() for p in model.parameters()]
    run_controller(model, _batch(), rounded=True)
    assert {k: id(v) for k, v in vars(model).items()} == before
    assert all(
        np.array_equal(w, p.value)
        for w, p in zip(weights, model.parameters(), strict=True)
    )


def test_accuracy_at_lengths_soft_matches_accuracy_by_length():
    model = _controller("stack", seed=3)
    args = ("reverse", 8, [1, 2, 5], 10)
    assert accuracy_at_lengths(model, *args, seed=4) == accuracy_by_length(
        model, *args, seed=4
    )


def test_round_gates_by_hand():
    g = np.array([0.0, 0.2, 0.4999, 0.5, 0.51, 1.0])
    assert np.array_equal(round_gates(g), [0, 0, 0, 1, 1, 1])
    assert round_gates(g).dtype == np.float64


def test_rounded_stack_by_hand():
    # d = .9 .6 .2 .7 .1 -> push 1 1 0 1 0; u = .3 .1 .8 .4 .95 -> pop 0 0 1 0 1.
    # Values a b c d e. Step 0: push a, read a. Step 1: push b, read b. Step 2: pop b,
    # c pushed with strength 0, read a. Step 3: push d, read d. Step 4: pop d, read a.
    values = np.arange(1.0, 6.0)[:, None, None] * np.ones((5, 1, 2))
    d = np.array([[0.9], [0.6], [0.2], [0.7], [0.1]])
    u = np.array([[0.3], [0.1], [0.8], [0.4], [0.95]])
    r = run_memory(STACK, values, u, d, rounded=True)
    assert np.array_equal(r[:, 0, 0], [1.0, 2.0, 1.0, 4.0, 1.0])
    # the same gates unrounded leave fractions: the first read is .9 a, not a
    assert run_memory(STACK, values, u, d)[0, 0, 0] == pytest.approx(0.9)


def _discrete(kind, values, u, d):
    """The discrete memory, one Python list per sequence: pop the consuming end(s)
    where u = 1, push where d = 1, read the live row at the reading end(s) (zeros if
    empty). The deque pops both ends before pushing, measured on the memory before
    the step: with one row and both pops, that row goes once."""
    T, B = u.shape[:2]
    m = values.shape[-1]
    out = np.zeros((T, B, 2 * m if kind == "deque" else m))
    for b in range(B):
        rows = []
        for t in range(T):
            if kind == "deque":
                if u[t, b, 0] and rows:
                    rows.pop()
                if u[t, b, 1] and rows:
                    rows.pop(0)
                if d[t, b, 1]:
                    rows.insert(0, values[t, b, 1])
                if d[t, b, 0]:
                    rows.append(values[t, b, 0])
                if rows:
                    out[t, b] = np.concatenate([rows[-1], rows[0]])
                continue
            if u[t, b] and rows:
                rows.pop() if kind == "stack" else rows.pop(0)
            if d[t, b]:
                rows.append(values[t, b])
            if rows:
                out[t, b] = rows[-1] if kind == "stack" else rows[0]
    return out


@pytest.mark.parametrize(
    "kind, memory", [("stack", STACK), ("queue", QUEUE), ("deque", DEQUE)]
)
def test_rounded_memory_is_the_discrete_memory_exactly(kind, memory):
    rng = np.random.default_rng(7)
    T, B, m = 40, 6, 3
    k = 2 if kind == "deque" else 1
    shape = (T, B) if k == 1 else (T, B, k)
    values = rng.normal(size=(*shape, m))
    u, d = rng.uniform(size=shape), rng.uniform(size=shape)
    r = run_memory(memory, values, u, d, rounded=True)
    assert np.array_equal(r, _discrete(kind, values, round_gates(u), round_gates(d)))


def test_rounded_controller_is_the_saturated_controller():
    # Push bias +9 and pop bias -9: every push rounds to 1 and every pop to 0 (|h W_g|
    # <= 16 / 4 = 4 for 16 tanh units and weights within 1/4). The same controller with
    # biases +-60 has d = 1.0 exactly and u < 1e-24, which leaves every strength at 1.0:
    # the two memories, hence the two runs, are the same to the last bit.
    model = MemoryController(9, 8, 16, 4, STACK, rng=1, push_bias=9.0, pop_bias=-9.0)
    saturated = copy.deepcopy(model)
    saturated.b_g.value[:2] = (60.0, -60.0)
    x = _batch(2)
    rounded = run_controller(model, x, rounded=True)
    assert np.all(rounded.d == 1.0) and np.all(rounded.u == 0.0)
    assert np.array_equal(rounded.logits, run_controller(saturated, x).logits)
    assert not np.array_equal(rounded.logits, run_controller(model, x).logits)


def test_bad_input():
    model = _controller("stack")
    x = _batch()
    with pytest.raises(ValueError, match="x must have shape"):
        run_controller(model, x[:, :, :5])
    with pytest.raises(ValueError, match="x must have shape"):
        run_controller(model, x[:0])
    with pytest.raises(TypeError, match="rounded"):
        run_controller(model, x, rounded="yes")
    with pytest.raises(ValueError, match="rounded=True needs"):
        run_controller(_controller("no memory"), x, rounded=True)
    with pytest.raises(ValueError, match="n must be"):
        accuracy_at_lengths(model, "reverse", 8, [4], 0, seed=0)
    values, g = np.zeros((3, 2, 4)), np.full((3, 2), 0.5)
    with pytest.raises(ValueError, match="values must have shape"):
        run_memory(STACK, values[..., None], g, g)
    with pytest.raises(ValueError, match="values must have shape"):
        run_memory(DEQUE, values, g, g)
    with pytest.raises(ValueError, match="values must be finite"):
        run_memory(STACK, values + np.nan, g, g)
    with pytest.raises(ValueError, match="u must have shape"):
        run_memory(STACK, values, g[:2], g)
    with pytest.raises(ValueError, match="d must lie in"):
        run_memory(STACK, values, g, g + 1.0)
    with pytest.raises(TypeError, match="rounded"):
        run_memory(STACK, values, g, g, rounded=1)
