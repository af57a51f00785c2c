"""Gradient checks and shape/validation tests of nmbook.rnn (cells and BPTT)."""

import numpy as np
import pytest

from nmbook.gradcheck import check_gradients, check_parameters
from nmbook.rnn import RNN, LSTMCell, RNNCell


def _loss_and_grads(rnn: RNN, x: np.ndarray, w: np.ndarray):
    """A loss that weights every output: L = sum(w * h); returns L, dx."""
    rnn.zero_grad()
    h = rnn.forward(x)
    dx = rnn.backward(w)
    return float(np.sum(w * h)), dx


@pytest.mark.parametrize("cell_cls", [RNNCell, LSTMCell])
def test_bptt_matches_finite_differences(cell_cls):
    rng = np.random.default_rng(0)
    T, B, n, H = 6, 3, 4, 5
    rnn = RNN(cell_cls(n, H, rng=1))
    x = rng.normal(size=(T, B, n))
    w = rng.normal(size=(T, B, H))
    _, dx = _loss_and_grads(rnn, x, w)

    def f() -> float:
        return float(np.sum(w * rnn.forward(x)))

    assert check_gradients(f, {"x": x}, {"x": dx})["x"] < 1e-7
    errs = check_parameters(f, rnn.parameters())
    assert set(errs) == {"W_x", "W_h", "b"}
    assert max(errs.values()) < 1e-7, errs


@pytest.mark.parametrize("cell_cls", [RNNCell, LSTMCell])
def test_gradient_reaches_the_initial_state(cell_cls):
    rng = np.random.default_rng(2)
    cell = cell_cls(3, 4, rng=3)
    rnn = RNN(cell)
    x = rng.normal(size=(5, 2, 3))
    w = rng.normal(size=(5, 2, 4))
    state0 = tuple(rng.normal(size=(2, 4)) for _ in cell.initial_state(2))
    rnn.forward(x, state0)
    rnn.backward(w)
    for k, s in enumerate(state0):
        f = lambda: float(np.sum(w * rnn.forward(x, state0)))  # noqa: E731
        assert check_gradients(f, {"s": s}, {"s": rnn.dstate0[k]})["s"] < 1e-7


def test_rnn_cell_step_by_hand():
    # One unit, one input: h1 = tanh(0.5 * 2 + 0.3 * 0 + 0.1) = tanh(1.1); h2 =
    # tanh(0.5*(-1) + 0.3*h1 + 0.1)
    cell = RNNCell(1, 1, rng=0)
    cell.W_x.value[...] = 0.5
    cell.W_h.value[...] = 0.3
    cell.b.value[...] = 0.1
    h = RNN(cell).forward(np.array([[[2.0]], [[-1.0]]]))
    h1 = np.tanh(1.1)
    np.testing.assert_allclose(
        h[:, 0, 0], [h1, np.tanh(-0.5 + 0.3 * h1 + 0.1)], rtol=1e-12
    )


def test_lstm_step_by_hand():
    # All weights zero, biases (i, f, g, o) = (0, 1, 0.5, 0): c = σ(1)·c0 +
    # σ(0)·tanh(0.5), h = σ(0)·tanh(c)
    cell = LSTMCell(1, 1, rng=0)
    cell.W_x.value[...] = 0.0
    cell.W_h.value[...] = 0.0
    cell.b.value[...] = [0.0, 1.0, 0.5, 0.0]
    (h, c), _ = cell.step(np.zeros((1, 1)), (np.zeros((1, 1)), np.full((1, 1), 2.0)))
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    c_expected = sig(1.0) * 2.0 + 0.5 * np.tanh(0.5)
    np.testing.assert_allclose(c[0, 0], c_expected, rtol=1e-12)
    np.testing.assert_allclose(h[0, 0], 0.5 * np.tanh(c_expected), rtol=1e-12)


def test_lstm_forget_bias_and_init_are_seeded():
    a, b = LSTMCell(2, 3, rng=7), LSTMCell(2, 3, rng=7)
    np.testing.assert_array_equal(a.W_h.value, b.W_h.value)
    np.testing.assert_array_equal(a.b.value[3:6], 1.0)
    assert np.all(np.abs(a.W_x.value) <= 1 / np.sqrt(3))


def test_bad_input_raises():
    rnn = RNN(RNNCell(2, 3, rng=0))
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, 2\)"):
        rnn.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, 2\)"):
        rnn.forward(np.zeros((4, 2, 3)))
    with pytest.raises(ValueError, match="T > 0 and B > 0"):
        rnn.forward(np.zeros((0, 2, 2)))
    with pytest.raises(ValueError, match="finite"):
        rnn.forward(np.full((1, 1, 2), np.nan))
    with pytest.raises(ValueError, match="n_hidden must be a positive integer"):
        RNNCell(2, 0, rng=0)
    rnn.forward(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="dh must have shape"):
        rnn.backward(np.zeros((2, 2, 3)))
