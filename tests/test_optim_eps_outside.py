"""Tests of nmbook.optim.RMSPropEpsOutside (the source post's RMSProp, ε outside the
division) and of
eps_outside_drift, against a literal transcription of the post's loop and hand
calculations."""

import numpy as np
import pytest

from nmbook.layers import Parameter
from nmbook.optim import RMSProp, RMSPropEpsOutside, eps_outside_drift


def post_loop(theta0, grad, n, lr, lmbd, eps, mu):
    # The post's loop written out: move by μV, take the gradient there, update MA and V,
    # step back by s. Returns the points where the gradients were taken.
    P, V, MA, points = (
        np.array(theta0, float),
        np.zeros(len(theta0)),
        np.zeros(len(theta0)),
        [],
    )
    for _ in range(n):
        V_tmp = mu * V
        P = P + V_tmp
        points.append(P.copy())
        g = grad(P)
        MA = lmbd * MA + (1 - lmbd) * g**2
        s = lr * g / np.sqrt(MA) + eps
        V = V_tmp - s
        P = P - s
    return np.array(points)


def run(opt_cls, theta0, grad, n, **kw):
    p = Parameter(np.array(theta0, float), "theta")
    opt = opt_cls([p], **kw)
    points = []
    for _ in range(n):
        points.append(p.value.copy())
        p.grad[:] = grad(p.value)
        opt.step()
    return np.array(points), p


def test_matches_the_posts_loop_on_a_quadratic():
    def grad(th):
        return np.array([2.0, 0.5]) * th - 0.3

    ref = post_loop([1.0, -2.0], grad, 30, lr=0.05, lmbd=0.5, eps=1e-3, mu=0.8)
    ours, _ = run(
        RMSPropEpsOutside,
        [1.0, -2.0],
        grad,
        30,
        lr=0.05,
        alpha=0.5,
        eps=1e-3,
        momentum=0.8,
    )
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


def test_first_step_by_hand():
    # g = 2, v = 0.5 * 4 = 2, s = 0.1 * 2 / √2 + 0.01 = 0.1√2 + 0.01; V = −s; θ = 1 − s
    # + 0.8 V = 1 − 1.8 s
    _, p = run(
        RMSPropEpsOutside,
        [1.0],
        lambda th: np.array([2.0]),
        1,
        lr=0.1,
        alpha=0.5,
        eps=0.01,
        momentum=0.8,
    )
    s = 0.1 * np.sqrt(2.0) + 0.01
    assert p.value[0] == pytest.approx(1.0 - 1.8 * s, abs=1e-15)


@pytest.mark.parametrize("n", [1, 2, 7, 100])
def test_symmetric_gradients_isolate_the_eps_drift(n):
    # entries with gradients +g and −g move by ∓(the normalised part) plus the same ε
    # drift: their mean is the drift
    _, p = run(
        RMSPropEpsOutside,
        [0.0, 0.0],
        lambda th: np.array([0.7, -0.7]),
        n,
        lr=0.01,
        alpha=0.9,
        eps=1e-4,
        momentum=0.8,
    )
    assert p.value.mean() == pytest.approx(
        eps_outside_drift(n, 1e-4, 0.8), rel=1e-9, abs=1e-15
    )


def test_drift_by_hand():
    # step 1: V1 = −ε, move −ε + μV1 = −1.8ε; step 2: V2 = −1.8ε, move −ε − 1.44ε =
    # −2.44ε
    assert eps_outside_drift(1, 1.0, 0.8) == pytest.approx(-1.8)
    assert eps_outside_drift(2, 1.0, 0.8) == pytest.approx(-4.24)
    assert eps_outside_drift(0, 1.0, 0.8) == 0.0
    # no momentum: −ε per step
    assert eps_outside_drift(3, 1.0, 0.0) == pytest.approx(-3.0)
    # settled: −ε/(1 − μ) = −5ε per step
    assert eps_outside_drift(1001, 1.0, 0.8) - eps_outside_drift(
        1000, 1.0, 0.8
    ) == pytest.approx(-5.0)


def test_a_zero_gradient_gives_nan_while_rmsprop_stays():
    with np.errstate(invalid="ignore"):
        _, p = run(
            RMSPropEpsOutside, [1.0, 1.0], lambda th: np.array([0.5, 0.0]), 1, lr=0.1
        )
    assert np.isfinite(p.value[0]) and np.isnan(p.value[1])
    _, q = run(
        RMSProp,
        [1.0, 1.0],
        lambda th: np.array([0.5, 0.0]),
        1,
        lr=0.1,
        momentum=0.8,
        nesterov=True,
    )
    assert np.all(np.isfinite(q.value)) and q.value[1] == 1.0


def test_no_eps_and_no_momentum_is_sign_like_rmsprop():
    # α = 0 and ε = 0: v = g², so every step is η sign(g)
    _, p = run(
        RMSPropEpsOutside,
        [0.0, 0.0],
        lambda th: np.array([3.0, -0.2]),
        4,
        lr=0.1,
        alpha=0.0,
        eps=0.0,
        momentum=0.0,
    )
    np.testing.assert_allclose(p.value, [-0.4, 0.4], rtol=0, atol=1e-15)


def test_bad_input():
    p = Parameter(np.zeros(2), "p")
    with pytest.raises(ValueError, match="eps"):
        RMSPropEpsOutside([p], 0.1, eps=-1e-6)
    with pytest.raises(ValueError, match="alpha"):
        RMSPropEpsOutside([p], 0.1, alpha=1.0)
    with pytest.raises(ValueError, match="momentum"):
        RMSPropEpsOutside([p], 0.1, momentum=-0.1)
    with pytest.raises(ValueError, match="lr"):
        RMSPropEpsOutside([p], 0.0)
    with pytest.raises(TypeError, match="params"):
        RMSPropEpsOutside([np.zeros(2)], 0.1)
    with pytest.raises(ValueError, match="n_steps"):
        eps_outside_drift(-1, 1e-6, 0.8)
    with pytest.raises(ValueError, match="eps"):
        eps_outside_drift(3, -1e-6, 0.8)
    with pytest.raises(ValueError, match="momentum"):
        eps_outside_drift(3, 1e-6, 1.0)
