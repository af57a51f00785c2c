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


# -------------------------------------------------------------------------------------
# a leading run axis: many independent runs in one array


def _check_batched(unit, x: np.ndarray) -> dict[str, float]:
    """Gradient check of a batched unit on the summed loss of every run."""
    out_shape = unit.runs + (x.shape[-2], unit.n_out)
    R = np.random.default_rng(9).normal(size=out_shape)
    unit.zero_grad()
    unit.forward(x)
    dx = unit.backward(R)
    loss = lambda: float(np.sum(R * unit.forward(x)))  # noqa: E731
    # x is shared between the runs of its broadcast axes: sum their dx
    axes = tuple(i for i, n in enumerate(x.shape[:-2]) if n == 1 and dx.shape[i] > 1)
    dx = dx.sum(axis=axes, keepdims=True)
    return check_parameters(loss, unit.parameters()) | check_gradients(
        loss, {"x": x}, {"x": dx}
    )


@pytest.mark.parametrize("cls", [NAU, NMU])
def test_batched_gradients_with_a_shared_batch(cls):
    seeds = np.arange(6).reshape(2, 3)
    unit = cls(4, 2, seeds)
    assert unit.W.shape == (2, 3, 4, 2) and unit.runs == (2, 3)
    # one batch per column of runs, shared by the two rows (broadcast axis of size 1)
    x = np.random.default_rng(1).uniform(-2.0, 2.0, size=(1, 3, 5, 4))
    errors = _check_batched(unit, x)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("cls", [NAU, NMU])
def test_batched_run_equals_the_unbatched_run_with_its_seed(cls):
    # 25 Adam steps with regulariser and clipping: run r of the batch and the
    # un-batched unit of seed r see the same batches and end with the same weights
    from nmbook.optim import Adam

    seeds = [3, 7, 11]
    batched = cls(4, 2, seeds)
    singles = [cls(4, 2, s) for s in seeds]
    for r, single in enumerate(singles):
        np.testing.assert_array_equal(batched.W.value[r], single.W.value)
    opt_b = Adam(batched.parameters(), lr=1e-2)
    opts = [Adam(u.parameters(), lr=1e-2) for u in singles]
    data = np.random.default_rng(0)
    for _ in range(25):
        x = data.uniform(0.5, 1.5, size=(3, 6, 4))
        t = data.normal(size=(3, 6, 2))
        opt_b.zero_grad()
        batched.backward(2 * (batched.forward(x) - t) / 6)
        batched.regularize(0.5)
        opt_b.step()
        batched.clip_weights()
        for r, (u, o) in enumerate(zip(singles, opts, strict=True)):
            o.zero_grad()
            u.backward(2 * (u.forward(x[r]) - t[r]) / 6)
            u.regularize(0.5)
            o.step()
            u.clip_weights()
    for r, single in enumerate(singles):
        np.testing.assert_allclose(
            batched.W.value[r], single.W.value, rtol=0, atol=1e-14
        )


def test_unbatched_forms_are_unchanged():
    # the un-batched NMU keeps its original expressions, bit for bit
    x = np.random.default_rng(3).normal(size=(5, 3))
    W = np.random.default_rng(4).uniform(0, 1, size=(3, 2))
    z, cache = nmu_forward(x, W)
    T = x[:, :, None] * W[None] + (1.0 - W)[None]
    np.testing.assert_array_equal(z, np.prod(T, axis=1))
    dz = np.random.default_rng(5).normal(size=z.shape)
    dx, dW = nmu_backward(dz, cache)
    ones = np.ones_like(T[:, :1])
    left = np.concatenate([ones, np.cumprod(T[:, :-1], axis=1)], axis=1)
    right = np.concatenate([np.cumprod(T[:, :0:-1], axis=1)[:, ::-1], ones], axis=1)
    dT = dz[:, None, :] * left * right
    np.testing.assert_array_equal(dW, np.einsum("bio,bi->io", dT, x - 1.0))
    np.testing.assert_array_equal(dx, np.einsum("bio,io->bi", dT, W))
    # the NAU with its default cap draws Glorot-uniform with r = min(1, sqrt(6/(n+m)))
    r = min(1.0, np.sqrt(6.0 / 5))
    expected = np.random.default_rng(0).uniform(-r, r, size=(3, 2))
    np.testing.assert_array_equal(NAU(3, 2, 0).W.value, expected)
    assert NAU(3, 2, 0).runs is None


def test_batched_sparsity_is_each_runs_own_mean():
    W = np.array([[[0.3], [-0.8]], [[1.0], [0.0]]])  # two runs of (2, 1)
    R, dR = nau_sparsity(W, per_run=True)
    np.testing.assert_allclose(R, [(0.3 + 0.2) / 2, 0.0])
    np.testing.assert_array_equal(dR, np.array([[[1.0], [1.0]], [[-1.0], [0.0]]]) / 2)
    R, dR = nmu_sparsity(np.array([[[0.3, 0.8]], [[0.5, 1.0]]]), per_run=True)
    np.testing.assert_allclose(R, [(0.3 + 0.2) / 2, 0.5 / 2])
    with pytest.raises(ValueError, match="per_run"):
        nau_sparsity(np.array([0.5]), per_run=True)
    unit = NMU(2, 1, [0, 1])
    assert unit.regularize(2.0).shape == (2,)


def test_batched_bad_input():
    unit = NAU(3, 2, [0, 1])
    with pytest.raises(ValueError, match=r"x must have shape \(\*runs, B, 3\)"):
        unit.forward(np.ones((3, 4, 3)))  # 3 runs where the unit has 2
    with pytest.raises(ValueError, match="x must have shape"):
        unit.forward(np.ones((4, 3)))  # no run axis
    with pytest.raises(ValueError, match="rng must hold"):
        NAU(3, 2, [])
    with pytest.raises(TypeError, match="rng"):
        NMU(3, 2, [0, "1"])
    with pytest.raises(ValueError, match="init_cap"):
        NAU(3, 2, 0, init_cap=0.0)
