"""Stable functions and losses: values by hand, extremes, gradients, validation."""

import numpy as np
import pytest

from nmbook.functional import log_sigmoid, log_sum_exp, sigmoid, softmax, softplus
from nmbook.gradcheck import check_gradients
from nmbook.losses import bce_with_logits, mse, softmax_cross_entropy


def test_stable_functions_at_extremes():
    x = np.array([-1e4, -30.0, 0.0, 30.0, 1e4])
    s = sigmoid(x)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[2] == 0.5 and s[-1] == 1.0
    np.testing.assert_allclose(
        softplus(np.array([0.0, 1e4, -1e4])), [np.log(2), 1e4, 0.0]
    )
    np.testing.assert_allclose(log_sigmoid(np.array([0.0, -1e4])), [-np.log(2), -1e4])
    np.testing.assert_allclose(log_sum_exp(np.array([[1e4, 1e4]])), [1e4 + np.log(2)])
    np.testing.assert_allclose(softmax(np.array([1e4, 1e4, -1e4])), [0.5, 0.5, 0.0])


def test_bce_by_hand_and_at_extreme_logits():
    # z = 0: loss = log 2 whatever y; z = 2, y = 1: log(1 + e^-2)
    loss, _ = bce_with_logits(np.array([0.0, 2.0]), np.array([1.0, 1.0]))
    assert loss == pytest.approx((np.log(2) + np.log1p(np.exp(-2))) / 2)
    loss, grad = bce_with_logits(np.array([1e4, -1e4, 1e4]), np.array([1.0, 0.0, 0.0]))
    assert loss == pytest.approx(1e4 / 3) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [0.0, 0.0, 1 / 3])


def test_losses_match_finite_differences_with_mask():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 3))
    y = rng.uniform(size=(5, 3))
    m = (rng.uniform(size=(5, 3)) > 0.3).astype(float)
    for fn in (bce_with_logits, mse):
        _, g = fn(z, y, m)
        assert (
            check_gradients(lambda fn=fn: fn(z, y, m)[0], {"z": z}, {"z": g})["z"]
            < 1e-8
        )
    logits = rng.normal(size=(4, 2, 6))
    k = rng.integers(0, 6, size=(4, 2))
    mk = np.array([[1, 0], [1, 1], [0, 1], [1, 1]], dtype=float)
    _, g = softmax_cross_entropy(logits, k, mk)
    err = check_gradients(
        lambda: softmax_cross_entropy(logits, k, mk)[0], {"z": logits}, {"z": g}
    )
    assert err["z"] < 1e-8


def test_softmax_cross_entropy_by_hand():
    # uniform logits over 4 classes: loss = log 4; the mask keeps only the first
    # position
    loss, g = softmax_cross_entropy(
        np.zeros((2, 4)), np.array([1, 3]), np.array([1.0, 0.0])
    )
    assert loss == pytest.approx(np.log(4))
    np.testing.assert_allclose(g, [[0.25, -0.75, 0.25, 0.25], [0, 0, 0, 0]])


def test_mse_by_hand():
    loss, g = mse(np.array([1.0, 3.0]), np.array([0.0, 1.0]))
    assert loss == pytest.approx((1 + 4) / 2)
    np.testing.assert_allclose(g, [1.0, 2.0])


def test_bad_input_raises():
    with pytest.raises(ValueError, match="same shape"):
        bce_with_logits(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]"):
        bce_with_logits(np.zeros(2), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match="logits must be finite"):
        bce_with_logits(np.array([np.nan]), np.array([1.0]))
    with pytest.raises(ValueError, match="must not be empty"):
        mse(np.zeros(0), np.zeros(0))
    with pytest.raises(ValueError, match="mask must select"):
        mse(np.zeros(2), np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="mask must have shape"):
        mse(np.zeros(2), np.zeros(2), np.ones(3))
    with pytest.raises(TypeError, match="integer class indices"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 3\)"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="targets must have shape"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
