"""Tests of nmbook.nau: the NAU and the NMU, their regulariser, clipping and input
checks."""

from __future__ import annotations

import numpy as np
import pytest

from nmbook.gradcheck import check_gradients, check_parameters
from nmbook.nau import NAU, NMU, nau_sparsity, nmu_backward, nmu_forward, nmu_sparsity


def _check_module(unit, x: np.ndarray, seed: int = 0) -> dict[str, float]:
    R = np.random.default_rng(seed).normal(size=(x.shape[0], unit.n_out))
    unit.zero_grad()
    unit.forward(x)
    dx = unit.backward(R)
    loss = lambda: float(np.sum(R * unit.forward(x)))  # noqa: E731
    return check_parameters(loss, unit.parameters()) | check_gradients(
        loss, {"x": x}, {"x": dx}
    )


def test_nmu_hand_calculation():
    # W = (1, 1, 0): z = x1 * x2 * 1; W = (1, 0, 0): z = x1; W = 0: z = 1 (the empty
    # product); W = 1/2 on x = (3, -1, 0): factors (3 + 1)/2 = 2, (-1 + 1)/2 = 0, 1/2 ->
    # 0.
    unit = NMU(3, 4, 0)
    unit.W.value[...] = np.array(
        [[1, 1, 0, 0.5], [1, 0, 0, 0.5], [0, 0, 0, 0.5]], dtype=float
    )
    x = np.array([[-2.0, 3.0, 0.0], [3.0, -1.0, 0.0], [0.0, 5.0, 7.0]])
    z = unit.forward(x)
    expected = np.array(
        [
            # (-2 + 1)/2 = -1/2, (3 + 1)/2 = 2, (0 + 1)/2 = 1/2
            [-6.0, -2.0, 1.0, (-0.5) * 2.0 * 0.5],
            [-3.0, 3.0, 1.0, 0.0],
            [0.0, 0.0, 1.0, 0.5 * 3.0 * 4.0],
        ]
    )
    np.testing.assert_allclose(z, expected, rtol=0, atol=1e-15)


def test_nau_hand_calculation():
    unit = NAU(3, 2, 0)
    unit.W.value[...] = np.array([[1.0, 1.0], [1.0, -1.0], [0.0, 0.0]])
    z = unit.forward(np.array([[2.0, 5.0, 100.0]]))
    np.testing.assert_array_equal(z, [[7.0, -3.0]])


def test_nmu_gradients_including_exact_zero_factors():
    unit = NMU(4, 3, 1)
    x = np.random.default_rng(2).uniform(-2.0, 2.0, size=(6, 4))
    assert max(_check_module(unit, x).values()) < 1e-7
    # factors that are exactly 0 (x_i = 0 with W_i = 1), twice in one product: the
    # backward pass never divides
    unit.W.value[...] = 1.0
    x[0, :2] = 0.0
    x[1, 0] = 0.0
    errors = _check_module(unit, x)
    assert max(errors.values()) < 1e-7, errors
    unit.zero_grad()
    unit.forward(x)
    dx = unit.backward(np.ones((6, 3)))
    assert np.all(np.isfinite(dx)) and np.all(np.isfinite(unit.W.grad))
    # d(x1 x2 x3 x4)/dx1 at x1 = 0 is x2 x3 x4 (hand calculation, row 1: only x1 is
    # zero, three outputs)
    np.testing.assert_allclose(dx[1, 0], 3 * np.prod(x[1, 1:]), rtol=1e-12)


def test_nmu_backward_function_matches_module():
    x = np.random.default_rng(3).normal(size=(5, 3))
    W = np.random.default_rng(4).uniform(0, 1, size=(3, 2))
    z, cache = nmu_forward(x, W)
    dx, dW = nmu_backward(np.ones_like(z), cache)
    # one input: z = W x + 1 - W, so dz/dx = W and dz/dW = x - 1
    z1, c1 = nmu_forward(x[:, :1], W[:1])
    dx1, dW1 = nmu_backward(np.ones_like(z1), c1)
    np.testing.assert_allclose(dx1, np.broadcast_to(W[:1].sum(axis=1), (5, 1)))
    np.testing.assert_allclose(
        dW1, np.broadcast_to((x[:, :1] - 1).sum(axis=0)[:, None], (1, 2))
    )
    assert dx.shape == x.shape and dW.shape == W.shape


def test_nau_gradients():
    unit = NAU(5, 2, 0)
    x = np.random.default_rng(1).normal(size=(4, 5))
    assert max(_check_module(unit, x).values()) < 1e-7


def test_sparsity_values_by_hand():
    # min(|w|, 1 - |w|): 0.3 -> 0.3, -0.8 -> 0.2, 1 -> 0, 0 -> 0; mean = 0.5 / 4
    R, dR = nau_sparsity(np.array([0.3, -0.8, 1.0, 0.0]))
    assert R == pytest.approx(0.125)
    # sign(w) or -sign(w); sign(0) = 0
    np.testing.assert_array_equal(dR, np.array([1.0, 1.0, -1.0, 0.0]) / 4)
    R, dR = nmu_sparsity(np.array([0.3, 0.8, 0.5, 1.0]))
    assert R == pytest.approx((0.3 + 0.2 + 0.5 + 0.0) / 4)
    # a tie (0.5) goes to W
    np.testing.assert_array_equal(dR, np.array([1.0, -1.0, 1.0, -1.0]) / 4)


@pytest.mark.parametrize("unit_cls, low, high", [(NAU, -0.95, 0.95), (NMU, 0.02, 0.98)])
def test_regularizer_gradient_and_clipping(unit_cls, low, high):
    unit = unit_cls(3, 2, 5)
    rng = np.random.default_rng(6)
    W = rng.uniform(low, high, size=(3, 2))
    # keep clear of the kinks at |W| = 1/2 and W = 0
    W[np.abs(np.abs(W) - 0.5) < 0.05] = 0.3
    W[np.abs(W) < 0.05] = 0.3
    unit.W.value[...] = W
    unit.zero_grad()
    value = unit.regularize(2.0)
    assert value == pytest.approx(_penalty(unit, 2.0))
    errors = check_parameters(lambda: _penalty(unit, 2.0), unit.parameters())
    assert max(errors.values()) < 1e-8
    unit.W.value[...] = 3.0
    unit.W.value[0, 0] = -3.0
    unit.clip_weights()
    assert unit.W.value.max() == 1.0 and unit.W.value.min() == (
        -1.0 if unit_cls is NAU else 0.0
    )


def _penalty(unit, lam: float) -> float:
    sparsity = nau_sparsity if isinstance(unit, NAU) else nmu_sparsity
    return lam * sparsity(unit.W.value)[0]


def test_bad_input():
    for cls in (NAU, NMU):
        with pytest.raises(ValueError, match="n_in"):
            cls(0, 1, 0)
        with pytest.raises(TypeError, match="rng"):
            cls(2, 1, "seed")
        unit = cls(2, 1, 0)
        with pytest.raises(ValueError, match=r"x must have shape \(B, 2\)"):
            unit.forward(np.ones((3, 4)))
        with pytest.raises(TypeError, match="x must be a numpy array"):
            unit.forward([[1.0, 2.0]])
        with pytest.raises(ValueError, match="finite"):
            unit.forward(np.array([[np.nan, 1.0]]))
        with pytest.raises(ValueError, match="lam"):
            unit.regularize(-1.0)
        with pytest.raises(TypeError, match="lam"):
            unit.regularize("1")
    with pytest.raises(TypeError, match="W must be a numpy array"):
        nmu_sparsity([0.5])
    with pytest.raises(ValueError, match="W must be a non-empty"):
        nau_sparsity(np.array([]))
