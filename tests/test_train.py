"""The training loop: one step by hand, history bookkeeping, accuracy, flat
gradients, validation."""

import numpy as np
import pytest

from nmbook.data import ArrayDataset, DataLoader
from nmbook.gradcheck import numerical_gradient, relative_error
from nmbook.layers import Linear, ReLU, Sequential
from nmbook.losses import bce_with_logits, mse
from nmbook.optim import SGD, Adam
from nmbook.train import (
    binary_accuracy,
    fit_binary_classifier,
    flat_gradient,
    predict_proba,
    train_step,
    updates_to_reach,
)


def test_train_step_is_one_sgd_update_by_hand():
    # y = w x, MSE on one sample: loss = (w x - t)², dloss/dw = 2 (w x - t) x
    lin = Linear(1, 1, rng=0, bias=False)
    lin.W.value[...] = 2.0
    loss, out = train_step(
        lin, np.array([[3.0]]), np.array([[5.0]]), mse, SGD(lin.parameters(), lr=0.01)
    )
    assert loss == pytest.approx(1.0) and out[0, 0] == pytest.approx(6.0)
    assert lin.W.value[0, 0] == pytest.approx(2.0 - 0.01 * 2 * 1 * 3)


def test_train_step_clips_before_the_step():
    lin = Linear(1, 1, rng=0, bias=False)
    lin.W.value[...] = 2.0
    train_step(
        lin,
        np.array([[3.0]]),
        np.array([[5.0]]),
        mse,
        SGD(lin.parameters(), lr=0.1),
        max_grad_norm=1.0,
    )
    assert lin.W.value[0, 0] == pytest.approx(2.0 - 0.1 * 6 / (6 + 1e-6))


def test_binary_accuracy_and_updates_to_reach_by_hand():
    assert (
        binary_accuracy(
            np.array([[2.0], [-1.0], [0.5], [-3.0]]),
            np.array([[1.0], [1.0], [1.0], [0.0]]),
        )
        == 0.75
    )
    assert updates_to_reach([0.5, 0.9, 0.99, 0.98, 1.0], 0.99) == 3
    assert updates_to_reach([0.5, 0.9], 0.99) is None
    with pytest.raises(ValueError, match="same shape"):
        binary_accuracy(np.zeros((3, 1)), np.zeros(3))


def test_fit_history_bookkeeping():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(23, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    net = Sequential(Linear(2, 4, rng), ReLU(), Linear(4, 1, rng))
    loader = DataLoader(ArrayDataset(X, y), batch_size=5, shuffle=True, seed=0)
    h = fit_binary_classifier(
        net, loader, Adam(net.parameters(), lr=0.01), 3, X, y, eval_every_update=True
    )
    assert h["updates"] == [5, 10, 15]
    assert len(h["batch_loss"]) == 15 and len(h["val_acc_per_update"]) == 15
    assert (
        len(h["loss"]) == len(h["acc"]) == len(h["val_acc"]) == len(h["seconds"]) == 3
    )
    assert h["val_acc_per_update"][-1] == h["val_acc"][-1]
    assert predict_proba(net, X).shape == (23,)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        fit_binary_classifier(net, loader, Adam(net.parameters(), lr=0.01), 0)
    with pytest.raises(ValueError, match="both X_val and y_val"):
        fit_binary_classifier(net, loader, Adam(net.parameters(), lr=0.01), 1, X_val=X)


def test_flat_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    net = Sequential(Linear(2, 3, rng), ReLU(), Linear(3, 1, rng))
    X, t = rng.normal(size=(6, 2)), rng.integers(0, 2, size=(6, 1)).astype(float)
    g = flat_gradient(net, X, t, bce_with_logits)
    numeric = np.concatenate(
        [
            numerical_gradient(
                lambda: bce_with_logits(net.forward(X), t)[0], p.value
            ).ravel()
            for p in net.parameters()
        ]
    )
    assert g.shape == (2 * 3 + 3 + 3 + 1,)
    assert relative_error(g, numeric) < 1e-7
