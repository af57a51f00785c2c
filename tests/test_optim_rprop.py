"""Rprop (nmbook.optim.Rprop): steps on ½θ² computed by hand, elementwise
independence, bounds, validation."""

import numpy as np
import pytest

from nmbook.layers import Parameter
from nmbook.optim import Rprop


def _quadratic_run(theta0, n_steps, **kw):
    # f(θ) = ½ Σ θ², so the gradient is θ itself
    p = Parameter(np.array(theta0, dtype=float), "p")
    opt = Rprop([p], **kw)
    path = []
    for _ in range(n_steps):
        p.grad[...] = p.value
        opt.step()
        path.append(p.value.copy())
    return np.array(path), opt


def test_rprop_on_half_theta_squared_by_hand():
    # θ0 = 1, Δ0 = 0.1, η = (0.5, 1.2). Signs stay positive while θ > 0:
    # step 1: g' = 0 -> Δ = 0.1            θ = 0.9
    # step 2: same sign -> Δ = 0.12        θ = 0.78
    # step 3: Δ = 0.144                    θ = 0.636
    # step 4: Δ = 0.1728                   θ = 0.4632
    # step 5: Δ = 0.20736                  θ = 0.25584
    # step 6: Δ = 0.248832                 θ = 0.007008
    # step 7: Δ = 0.2985984                θ = -0.2915904   (jumped over the minimum)
    # step 8: sign flip -> Δ = 0.1492992, g := 0, no move  θ = -0.2915904
    # step 9: g' = 0 -> Δ unchanged, sign(g) = -1 θ = -0.2915904 + 0.1492992 =
    # -0.1422912
    path, opt = _quadratic_run([1.0], 9, lr=0.1)
    expected = [
        0.9,
        0.78,
        0.636,
        0.4632,
        0.25584,
        0.007008,
        -0.2915904,
        -0.2915904,
        -0.1422912,
    ]
    np.testing.assert_allclose(path[:, 0], expected, rtol=0, atol=1e-12)
    assert opt.step_size[0][0] == pytest.approx(0.1492992, abs=1e-15)


def test_rprop_ignores_the_gradient_scale_and_treats_entries_independently():
    # entries with gradients of very different sizes and signs move by the same Δ in the
    # sign's direction
    p = Parameter(np.array([3.0, -2.0, 5.0]), "p")
    opt = Rprop([p], lr=0.5)
    p.grad[...] = [1e-8, -1e4, 0.0]
    opt.step()
    # a zero gradient does not move its entry
    np.testing.assert_array_equal(p.value, [2.5, -1.5, 5.0])
    p.grad[...] = [2.0, 3.0, 1.0]  # same sign, sign flip, first nonzero gradient
    opt.step()
    # entry 0: Δ = 0.6, moves; entry 1: Δ = 0.25 and no move; entry 2: Δ stays 0.5,
    # moves
    np.testing.assert_allclose(p.value, [1.9, -1.5, 4.5])
    np.testing.assert_allclose(opt.step_size[0], [0.6, 0.25, 0.5])


def test_rprop_step_sizes_stay_within_bounds():
    p = Parameter(np.array([0.0]), "p")
    opt = Rprop([p], lr=1.0, step_sizes=(0.3, 1.5))
    for _ in range(10):  # constant sign: 1.0 -> 1.2 -> 1.44 -> 1.5 (capped)
        p.grad[...] = 1.0
        opt.step()
    assert opt.step_size[0][0] == 1.5
    for k in range(20):  # alternating signs shrink Δ, but never below 0.3
        p.grad[...] = (-1.0) ** k
        opt.step()
    assert opt.step_size[0][0] == 0.3


@pytest.mark.parametrize(
    ("kw", "exc", "word"),
    [
        ({"lr": 0.0}, ValueError, "lr"),
        ({"etas": (1.2, 0.5)}, ValueError, "etas"),
        ({"etas": 0.5}, TypeError, "etas"),
        ({"step_sizes": (1.0, 0.1)}, ValueError, "step_sizes"),
        ({"step_sizes": (-1.0, 1.0)}, ValueError, "step_sizes"),
        ({"step_sizes": None}, TypeError, "step_sizes"),
    ],
)
def test_rprop_rejects_bad_settings(kw, exc, word):
    with pytest.raises(exc, match=word):
        Rprop([Parameter(np.zeros(2), "p")], **kw)
