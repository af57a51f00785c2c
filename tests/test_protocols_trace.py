"""The functional linear map, the Memory and Transducer protocols, and the controller's
trace."""

import numpy as np
import pytest

from nmbook.controller import ControllerTrace, MemoryController
from nmbook.functional import linear_backward, linear_forward
from nmbook.gradcheck import check_gradients
from nmbook.layers import Linear
from nmbook.memory import DEQUE, QUEUE, STACK
from nmbook.protocols import Memory, Transducer
from nmbook.rnn import LSTMCell, RNNCell
from nmbook.seqtrain import earlier_read_share_of, gate_phase_means
from nmbook.tasks.transduction import transduction_batch


def test_linear_forward_by_hand():
    # y = x W + b: [1, 2] [[1, 0, 2], [0, 1, -1]] + [0.5, 0, 0] = [1.5, 2, 0]
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
    y, cache = linear_forward(x, W, np.array([0.5, 0.0, 0.0]))
    assert np.array_equal(y, [[1.5, 2.0, 0.0]]) and cache is x
    assert np.array_equal(linear_forward(x, W)[0], [[1.0, 2.0, 0.0]])
    # dy = [1, 0, 1]: dx = dy Wᵀ = [3, -1], dW = xᵀ dy, db = dy
    dx, dW, db = linear_backward(np.array([[1.0, 0.0, 1.0]]), cache, W)
    assert np.array_equal(dx, [[3.0, -1.0]])
    assert np.array_equal(dW, [[1.0, 0.0, 1.0], [2.0, 0.0, 2.0]])
    assert np.array_equal(db, [1.0, 0.0, 1.0])


@pytest.mark.parametrize("shape", [(5, 3), (4, 2, 3)])
def test_linear_backward_matches_finite_differences(shape):
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=shape), rng.normal(size=(3, 2)), rng.normal(size=2)
    w = rng.normal(size=(*shape[:-1], 2))  # loss = Σ w ⊙ y

    def loss():
        return float(np.sum(w * linear_forward(x, W, b)[0]))

    dx, dW, db = linear_backward(w, linear_forward(x, W, b)[1], W)
    errs = check_gradients(loss, {"x": x, "W": W, "b": b}, {"x": dx, "W": dW, "b": db})
    assert max(errs.values()) < 1e-8


def test_linear_layer_and_cells_use_the_functional_map():
    rng = np.random.default_rng(1)
    x, dy = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 4, 5))
    lin = Linear(3, 5, 0)
    y = lin.forward(x)
    assert np.array_equal(y, linear_forward(x, lin.W.value, lin.b.value)[0])
    dx = lin.backward(dy)
    ex, eW, eb = linear_backward(dy, x, lin.W.value)
    assert np.array_equal(dx, ex) and np.array_equal(lin.W.grad, eW)
    assert np.array_equal(lin.b.grad, eb)
    for cls in (RNNCell, LSTMCell):  # the cells' gradients are checked in test_rnn
        cell = cls(3, 4, 0)
        state, cache = cell.step(x[0], cell.initial_state(4))
        dstate = tuple(np.ones_like(s) for s in state)
        dx_t, _ = cell.step_backward(dstate, cache)
        assert dx_t.shape == (4, 3)


def test_memories_and_the_controller_satisfy_the_protocols():
    for memory in (STACK, QUEUE, DEQUE):
        assert isinstance(memory, Memory)
    assert not isinstance(object(), Memory)
    assert isinstance(MemoryController(9, 8, 6, 4, STACK, rng=0), Transducer)
    with pytest.raises(TypeError, match="memory must be a Memory"):
        MemoryController(9, 8, 6, 4, "stack", rng=0)


@pytest.mark.parametrize("memory", [STACK, DEQUE, None])
def test_forward_stores_one_trace_with_every_record(memory):
    net = MemoryController(9, 8, 6, 4, memory, rng=0, autoencoder=memory is not None)
    with pytest.raises(AttributeError, match="call forward"):
        net.backward(np.zeros((3, 2, 8)))
    x, _, _ = transduction_batch("reverse", 3, 8, np.random.default_rng(0), batch=2)
    logits = net.forward(x)
    tr = net.trace
    assert isinstance(tr, ControllerTrace) and tr.logits is logits
    T, k = x.shape[0], net.n_values
    gshape = (T, 2) if k == 1 else (T, 2, k)
    assert tr.hidden.shape == (T, 2, 6) and tr.d.shape == tr.u.shape == gshape
    assert tr.reads.shape == (T, 2, net.read_width) and len(tr.caches) == T
    assert tr.strengths.shape == (T, 2, k * T)
    assert (tr.aux_logits_h is None) == (memory is None)
    # the chapters' names read the trace
    assert net.d is tr.d and net.u is tr.u and net.strengths is tr.strengths
    # h_t of the trace is the cell's output that the logits were computed from
    H = net.cell.n_hidden
    hr = tr.caches[-1][3]
    assert np.array_equal(tr.hidden[-1], hr[:, :H])
    net.forward(x[:2])
    assert net.trace is not tr and net.trace.logits.shape[0] == 2


def test_diagnostics_read_the_trace_of_their_own_forward_pass():
    net = MemoryController(9, 8, 6, 4, STACK, rng=0)
    x, _, mask = transduction_batch("reverse", 3, 8, np.random.default_rng(0), batch=4)
    means = gate_phase_means(net, x, np.full(4, 3))
    tr = net.trace
    assert means["input"][0] == pytest.approx(tr.d[:3].mean())
    share = earlier_read_share_of(net, x, mask)
    assert 0.0 <= share <= 1.0 and net.trace is not tr
