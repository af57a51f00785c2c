"""Tests of nmbook.nalu: gradient checks, exact arithmetic with ideal weights, bad
input, numerical safety."""

from __future__ import annotations

import numpy as np
import pytest

from nmbook.gradcheck import check_gradients, check_parameters
from nmbook.layers import Sequential
from nmbook.nalu import NAC, NALU, ComplexNAC, NACMult, ideal_nac_parameters, nac_weight

TOL = 1e-6


def _loss_and_grads(module, x, R):
    """Scalar loss ``sum(R ⊙ module(x))``: returns its closure and the analytic dx
    (params accumulate)."""
    module.zero_grad()
    module.forward(x)
    dx = module.backward(R)

    def f() -> float:
        return float(np.sum(R * module.forward(x)))

    return f, dx


def _inputs(rng, B, n):
    # away from the kink of |x| at 0: magnitudes in [0.5, 2], random signs
    return rng.uniform(0.5, 2.0, size=(B, n)) * rng.choice([-1.0, 1.0], size=(B, n))


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: NAC(4, 3, rng),
        lambda rng: ComplexNAC(4, 3, rng),
        lambda rng: NALU(4, 3, rng),
        lambda rng: NALU(4, 3, rng, shared_weights=False),
        lambda rng: Sequential(NALU(4, 2, rng), NALU(2, 1, rng)),
    ],
    ids=["NAC", "ComplexNAC", "NALU-shared", "NALU-separate", "NALU-stack"],
)
def test_gradients_match_finite_differences(make):
    rng = np.random.default_rng(3)
    module = make(rng)
    x = _inputs(rng, 5, 4)
    R = rng.normal(size=module.forward(x).shape)
    f, dx = _loss_and_grads(module, x, R)
    errs = check_parameters(f, module.parameters())
    errs.update(check_gradients(f, {"x": x}, {"x": dx}))
    assert errs and all(e < TOL for e in errs.values()), errs


def test_parameter_lists():
    assert [p.name for p in NAC(3, 2, 0).parameters()] == ["W_hat", "M_hat"]
    assert [p.name for p in NALU(3, 2, 0).parameters()] == ["W_hat", "M_hat", "G"]
    names = [p.name for p in NALU(3, 2, 0, shared_weights=False).parameters()]
    assert names == ["W_hat", "M_hat", "G", "W_hat_m", "M_hat_m"]
    assert NACMult is ComplexNAC


def test_nac_weight_saturates_at_minus_one_zero_one():
    # tanh(±30) = ±1 and σ(30) = 1 to float64 precision; σ(−30) = 9.4e-14
    W_hat, M_hat = ideal_nac_parameters(np.array([[1.0, -1.0, 0.0]]))
    W = nac_weight(W_hat, M_hat)
    np.testing.assert_allclose(W, [[1.0, -1.0, 0.0]], atol=1e-12)
    # hand value: tanh(0) σ(anything) = 0; tanh(atanh(0.5)) σ(0) = 0.5 · 0.5
    np.testing.assert_allclose(
        nac_weight(np.array([np.arctanh(0.5), 0.0]), np.zeros(2)), [0.25, 0.0]
    )
    with pytest.raises(ValueError, match="W_target"):
        ideal_nac_parameters(np.array([0.5]))


def _set(nac_like, W_target, prefix=""):
    W_hat, M_hat = ideal_nac_parameters(np.asarray(W_target, dtype=float))
    getattr(nac_like, "W_hat" + prefix).value[...] = W_hat
    getattr(nac_like, "M_hat" + prefix).value[...] = M_hat


A = np.array([[3.0, 4.0], [0.5, 8.0], [-2.0, 5.0], [1e3, 0.25]])
a, b = A[:, 0], A[:, 1]


def test_nac_adds_and_subtracts_exactly():
    nac = NAC(2, 2, 0)
    _set(nac, [[1, 1], [1, -1]])  # columns: a + b, a − b
    np.testing.assert_allclose(
        nac(A), np.stack([a + b, a - b], axis=1), rtol=1e-9, atol=1e-9
    )


def test_complex_nac_multiplies_and_divides_positive_inputs():
    pos = np.abs(A)
    # (a, b, a): a² needs a twice, as |w| ≤ 1
    x = np.concatenate([pos, pos[:, :1]], axis=1)
    cn = ComplexNAC(3, 3, 0)
    _set(cn, [[1, 1, 1], [1, -1, 0], [0, 0, 1]])  # columns: a × b, a / b, a · a
    expect = np.stack(
        [pos[:, 0] * pos[:, 1], pos[:, 0] / pos[:, 1], pos[:, 0] ** 2], axis=1
    )
    np.testing.assert_allclose(cn(x), expect, rtol=1e-6)


def test_complex_nac_cannot_produce_negative_products():
    cn = ComplexNAC(2, 1, 0)
    _set(cn, [[1], [1]])
    out = cn(np.array([[-2.0, 3.0]]))
    np.testing.assert_allclose(out, [[6.0]], rtol=1e-6)  # |(-2) × 3|, not −6


def test_nalu_gate_selects_the_path():
    # a constant third input carries the gate logit: x G = gate_logit for every row
    for gate_logit in (40.0, -40.0):
        nalu = NALU(3, 1, 0)
        # shared W: a + b on the additive path, |a| · |b| on the multiplicative
        _set(nalu, [[1], [1], [0]])
        nalu.G.value[...] = [[0.0], [0.0], [gate_logit]]
        x3 = np.concatenate([A, np.ones((len(A), 1))], axis=1)
        expect = a + b if gate_logit > 0 else np.abs(a) * np.abs(b)
        np.testing.assert_allclose(nalu(x3)[:, 0], expect, rtol=1e-6)


def test_nalu_with_separate_weights_does_square_root_and_division():
    nalu = NALU(3, 2, 0, shared_weights=False)
    _set(nalu, [[1, 0], [1, 0], [0, 0]])
    W_hat_m, M_hat_m = ideal_nac_parameters(
        np.array([[1.0, 1.0], [-1.0, 0.0], [0.0, 0.0]])
    )
    nalu.W_hat_m.value[...] = W_hat_m
    nalu.M_hat_m.value[...] = M_hat_m
    nalu.M_hat_m.value[0, 1] = 1e9  # σ = 1 exactly, so W_m[0, 1] = tanh(Ŵ)
    nalu.W_hat_m.value[0, 1] = np.arctanh(0.5)  # exponent 0.5: the square root of a
    nalu.G.value[...] = [[0.0, 0.0], [0.0, 0.0], [-40.0, -40.0]]
    pos = np.abs(A)
    x3 = np.concatenate([pos, np.ones((len(pos), 1))], axis=1)
    out = nalu(x3)
    np.testing.assert_allclose(out[:, 0], pos[:, 0] / pos[:, 1], rtol=1e-6)
    np.testing.assert_allclose(out[:, 1], np.sqrt(pos[:, 0]), rtol=1e-6)


@pytest.mark.parametrize(
    "make", [lambda: NAC(3, 2, 0), lambda: ComplexNAC(3, 2, 0), lambda: NALU(3, 2, 0)]
)
def test_bad_input_is_rejected(make):
    m = make()
    with pytest.raises(TypeError, match="x"):
        m.forward([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match=r"\(B, 3\)"):
        m.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"\(B, 3\)"):
        m.forward(np.ones(3))
    with pytest.raises(ValueError, match="at least one"):
        m.forward(np.ones((0, 3)))
    with pytest.raises(ValueError, match="finite"):
        m.forward(np.array([[1.0, np.nan, 0.0]]))
    with pytest.raises(ValueError, match="finite"):
        m.forward(np.array([[1.0, np.inf, 0.0]]))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="n_in"):
        NAC(0, 2, 0)
    with pytest.raises(ValueError, match="n_out"):
        NALU(2, 2.5, 0)
    with pytest.raises(TypeError, match="rng"):
        NALU(2, 2, "seed")
    with pytest.raises(ValueError, match="eps"):
        ComplexNAC(2, 2, 0, eps=0.0)


@pytest.mark.parametrize("scale", [1e-12, 1.0, 1e3, 1e6])
def test_finite_outputs_and_gradients_for_large_inputs(scale):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(8, 50)) * scale
    x[0, :] = 0.0  # exact zeros too
    for m in (
        NAC(50, 4, 1),
        ComplexNAC(50, 4, 1),
        NALU(50, 4, 1),
        NALU(50, 4, 1, shared_weights=False),
    ):
        # the worst case for exp: every weight at +1, so the exponent is Σ log(|x| + ε)
        # ≈ 50 · 13.8 = 690
        for p in m.parameters():
            if p.name.startswith(("W_hat", "M_hat")):
                p.value[...] = 30.0
        y = m.forward(x)
        dx = m.backward(np.ones_like(y))
        assert np.all(np.isfinite(y)) and np.all(np.isfinite(dx))
        assert all(np.all(np.isfinite(p.grad)) for p in m.parameters())


def test_exponent_clip_has_zero_gradient():
    cn = ComplexNAC(1, 1, 0, max_exponent=5.0)
    _set(cn, [[1]])
    x = np.array([[1e3]])  # log(1e3) = 6.9 > 5: clipped
    np.testing.assert_allclose(cn(x), [[np.exp(5.0)]])
    assert cn.backward(np.ones((1, 1)))[0, 0] == 0.0


def test_backward_accumulates():
    rng = np.random.default_rng(1)
    m = NALU(3, 2, rng)
    x = _inputs(rng, 4, 3)
    m.forward(x)
    m.backward(np.ones((4, 2)))
    g1 = [p.grad.copy() for p in m.parameters()]
    m.forward(x)
    m.backward(np.ones((4, 2)))
    for p, g in zip(m.parameters(), g1, strict=True):
        np.testing.assert_allclose(p.grad, 2 * g)


def test_seeded_initialisation_is_reproducible():
    a1, a2 = NALU(5, 3, 7), NALU(5, 3, 7)
    for p, q in zip(a1.parameters(), a2.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)
    assert not np.array_equal(NALU(5, 3, 8).G.value, a1.G.value)


# -------------------------------------------------------------------------------------
# a leading run axis (as in nmbook.nau)


def _glorot_draws(seed: int, n_in: int, n_out: int, k: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    r = np.sqrt(6.0 / (n_in + n_out))
    return [rng.uniform(-r, r, size=(n_in, n_out)) for _ in range(k)]


@pytest.mark.parametrize(
    "make, names",
    [
        (lambda s: NAC(3, 2, s), ["W_hat", "M_hat"]),
        (lambda s: ComplexNAC(3, 2, s), ["W_hat", "M_hat"]),
        (lambda s: NALU(3, 2, s), ["W_hat", "M_hat", "G"]),
        (
            lambda s: NALU(3, 2, s, shared_weights=False),
            ["W_hat", "M_hat", "G", "W_hat_m", "M_hat_m"],
        ),
    ],
)
def test_batched_units_draw_each_run_as_its_seed_and_pass_gradcheck(make, names):
    # un-batched: the parameters are the seed's Glorot draws in order, as before
    single = make(5)
    for name, W in zip(names, _glorot_draws(5, 3, 2, len(names)), strict=True):
        np.testing.assert_array_equal(getattr(single, name).value, W)
    batched = make([[5, 6, 7]])
    assert batched.runs == (1, 3) and single.runs is None
    for name in names:
        assert getattr(batched, name).shape == (1, 3, 3, 2)
        np.testing.assert_array_equal(
            getattr(batched, name).value[0, 0], getattr(single, name).value
        )
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 2.0, size=(1, 3, 4, 3)) * rng.choice([-1.0, 1.0], (1, 3, 4, 3))
    R = rng.normal(size=(1, 3, 4, 2))
    batched.zero_grad()
    z = batched.forward(x)
    dx = batched.backward(R)
    # run r of the batch is the single unit of its seed
    np.testing.assert_allclose(z[0, 0], single.forward(x[0, 0]), rtol=1e-13)
    loss = lambda: float(np.sum(R * batched.forward(x)))  # noqa: E731
    errors = check_parameters(loss, batched.parameters())
    errors |= check_gradients(loss, {"x": x}, {"x": dx})
    assert max(errors.values()) < 1e-6, errors
