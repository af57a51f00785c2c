"""Gradient checks, hand-computed values and validation of nmbook.layers."""

import numpy as np
import pytest

from nmbook.gradcheck import check_gradients, check_parameters
from nmbook.layers import (
    ELU,
    SELU,
    Identity,
    LeakyReLU,
    Linear,
    Parameter,
    ReLU,
    ReLU6,
    Sequential,
    Sigmoid,
    Tanh,
)

ACTIVATIONS = [
    Identity(),
    ReLU(),
    ReLU6(),
    LeakyReLU(0.1),
    ELU(1.3),
    SELU(),
    Sigmoid(),
    Tanh(),
]


@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda a: type(a).__name__)
def test_activation_gradients(act):
    rng = np.random.default_rng(0)
    # keep away from the kinks at 0 and 6
    x = rng.uniform(0.2, 2.0, size=(4, 5)) * rng.choice([-1.0, 1.0], size=(4, 5)) * 3.5
    x[np.abs(x - 6) < 0.2] += 0.5
    w = rng.normal(size=x.shape)
    act.forward(x)
    dx = act.backward(w)
    errs = check_gradients(
        lambda: float(np.sum(w * act.forward(x))), {"x": x}, {"x": dx}
    )
    assert errs["x"] < 1e-8


def test_activation_values_by_hand():
    x = np.array([-2.0, 0.0, 3.0, 7.0])
    np.testing.assert_allclose(ReLU()(x), [0, 0, 3, 7])
    np.testing.assert_allclose(ReLU6()(x), [0, 0, 3, 6])
    np.testing.assert_allclose(LeakyReLU(0.1)(x), [-0.2, 0, 3, 7])
    np.testing.assert_allclose(ELU(1.0)(x), [np.exp(-2) - 1, 0, 3, 7])
    np.testing.assert_allclose(Sigmoid()(np.array([0.0, 1e4, -1e4])), [0.5, 1.0, 0.0])
    # the stated subgradients at the kinks
    r = ReLU()
    r(np.array([0.0]))
    assert r.backward(np.array([1.0]))[0] == 0.0
    r6 = ReLU6()
    r6(np.array([0.0, 6.0]))
    np.testing.assert_array_equal(r6.backward(np.array([1.0, 1.0])), [0.0, 1.0])


def test_linear_gradients_with_leading_dimensions():
    rng = np.random.default_rng(1)
    lin = Linear(3, 2, rng=2)
    x = rng.normal(size=(4, 5, 3))  # (T, B, n_in)
    w = rng.normal(size=(4, 5, 2))
    lin.zero_grad()
    lin.forward(x)
    dx = lin.backward(w)
    f = lambda: float(np.sum(w * lin.forward(x)))  # noqa: E731
    assert check_gradients(f, {"x": x}, {"x": dx})["x"] < 1e-8
    assert max(check_parameters(f, lin.parameters()).values()) < 1e-8


def test_linear_by_hand_and_init_bounds():
    lin = Linear(2, 1, rng=0)
    lin.W.value[...] = [[2.0], [-1.0]]
    lin.b.value[...] = [0.5]
    np.testing.assert_allclose(lin(np.array([[1.0, 3.0]])), [[2 - 3 + 0.5]])
    big = Linear(100, 50, rng=3)
    assert np.abs(big.W.value).max() <= 0.1 and np.abs(big.b.value).max() <= 0.1
    np.testing.assert_array_equal(
        Linear(4, 3, rng=5).W.value, Linear(4, 3, rng=5).W.value
    )
    assert Linear(2, 2, rng=0, bias=False).parameters()[0].name == "W"


def test_sequential_mlp_gradients_and_parameters():
    rng = np.random.default_rng(4)
    net = Sequential(
        Linear(2, 6, rng=rng),
        Tanh(),
        Linear(6, 4, rng=rng),
        ELU(),
        Linear(4, 1, rng=rng),
    )
    assert len(net.parameters()) == 6 and len(net) == 5
    x = rng.normal(size=(7, 2))
    w = rng.normal(size=(7, 1))
    net.zero_grad()
    net.forward(x)
    dx = net.backward(w)
    f = lambda: float(np.sum(w * net.forward(x)))  # noqa: E731
    assert check_gradients(f, {"x": x}, {"x": dx})["x"] < 1e-7
    assert max(check_parameters(f, net.parameters()).values()) < 1e-7
    net.zero_grad()
    assert all(np.all(p.grad == 0) for p in net.parameters())


def test_bad_input_raises():
    lin = Linear(3, 2, rng=0)
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 3\)"):
        lin(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="finite"):
        lin(np.array([[np.nan, 0.0, 0.0]]))
    with pytest.raises(ValueError, match="must not be empty"):
        lin(np.zeros((0, 3)))
    with pytest.raises(TypeError, match="numpy array"):
        lin([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="n_out must be a positive integer"):
        Linear(3, 0, rng=0)
    with pytest.raises(TypeError, match="rng must be an int seed"):
        Linear(3, 2, rng="seed")
    with pytest.raises(ValueError, match="finite"):
        Parameter(np.array([np.inf]), "w")
    with pytest.raises(ValueError, match="at least one layer"):
        Sequential()
