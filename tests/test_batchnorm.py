"""BatchNorm (nmbook.layers.BatchNorm): finite-difference gradients in both modes,
values by hand, validation."""

import numpy as np
import pytest

from nmbook.gradcheck import check_gradients, check_parameters
from nmbook.layers import BatchNorm, Linear, Module, ReLU, Sequential


def _layer(seed=0, n=4):
    rng = np.random.default_rng(seed)
    bn = BatchNorm(n)
    bn.gamma.value[:] = rng.uniform(0.5, 2.0, n)
    bn.beta.value[:] = rng.normal(size=n)
    return bn, rng


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradients_match_finite_differences(training):
    bn, rng = _layer()
    x = rng.normal(2.0, 3.0, size=(6, 4))
    w = rng.normal(size=(6, 4))  # loss = Σ w ⊙ y, so dy = w
    bn.running_mean[:] = rng.normal(size=4)
    bn.running_var[:] = rng.uniform(0.5, 2.0, 4)
    bn.train(training)
    running = (bn.running_mean.copy(), bn.running_var.copy())

    def loss():
        bn.running_mean, bn.running_var = running[0].copy(), running[1].copy()
        return float(np.sum(w * bn.forward(x)))

    bn.zero_grad()
    loss()
    dx = bn.backward(w)
    assert check_gradients(loss, {"x": x}, {"x": dx})["x"] < 1e-7
    assert max(check_parameters(loss, bn.parameters()).values()) < 1e-7
    if training:
        # shifting one feature of every sample by the same amount leaves the output
        # unchanged, so dx sums to 0
        np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-12)


def test_batchnorm_values_by_hand():
    # one feature, batch (1, 3): mean 2, biased variance 2/3, x̂ = (-1, 0, 1)/√(2/3 + ε)
    bn = BatchNorm(1, eps=1e-5, momentum=0.5)
    bn.gamma.value[:] = 2.0
    bn.beta.value[:] = 1.0
    y = bn.forward(np.array([[1.0], [2.0], [3.0]]))
    s = np.sqrt(2 / 3 + 1e-5)
    np.testing.assert_allclose(y[:, 0], [1 - 2 / s, 1.0, 1 + 2 / s])
    # running estimates: ½·0 + ½·2 = 1 and ½·1 + ½·(unbiased variance 1) = 1
    np.testing.assert_allclose([bn.running_mean[0], bn.running_var[0]], [1.0, 1.0])
    bn.train(False)  # now a fixed affine map: y = 2 (x − 1) / √(1 + ε) + 1
    np.testing.assert_allclose(
        bn.forward(np.array([[3.0]]))[0, 0], 1 + 4 / np.sqrt(1 + 1e-5)
    )


def test_batchnorm_training_output_depends_on_the_batch():
    bn, rng = _layer()
    x = rng.normal(size=(5, 4))
    y_full = bn.forward(x)
    y_part = bn.forward(x[:3])
    # the same samples, other batch-mates, other outputs
    assert not np.allclose(y_full[:3], y_part)
    bn.train(False)
    np.testing.assert_allclose(bn.forward(x)[:3], bn.forward(x[:3]))


@pytest.mark.parametrize(
    ("kw", "exc", "word"),
    [
        ({"n": 0}, ValueError, "n"),
        ({"n": 2, "eps": 0.0}, ValueError, "eps"),
        ({"n": 2, "momentum": 0.0}, ValueError, "momentum"),
    ],
)
def test_batchnorm_rejects_bad_settings(kw, exc, word):
    with pytest.raises(exc, match=word):
        BatchNorm(**kw)


def test_batchnorm_rejects_bad_input():
    bn = BatchNorm(3)
    with pytest.raises(ValueError, match="x"):
        bn.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="at least 2"):
        bn.forward(np.zeros((1, 3)))
    with pytest.raises(TypeError, match="x"):
        bn.forward([[0.0, 0.0, 0.0]])


def test_train_and_eval_reach_every_child_module():
    # the failure this fixes: Sequential(Linear, BatchNorm).train(False) used to raise
    # AttributeError, because only BatchNorm had a train method
    net = Sequential(Linear(3, 4, 0), BatchNorm(4), ReLU(), Linear(4, 1, 1))
    assert net.train(False) is net
    assert [m.training for m in net.modules()] == [False] * 5
    assert net.eval() is net and not net[1].training
    assert net.train() is net and all(m.training for m in net.modules())


def test_train_reaches_modules_in_attributes_lists_and_tuples_once():
    class Net(Module):
        def __init__(self):
            self.body = Sequential(Linear(2, 3, 0), BatchNorm(3))
            self.heads = [BatchNorm(3), (BatchNorm(3),)]
            self.again = self.body  # the same child twice is visited once

    net = Net()
    mods = net.modules()
    assert len(mods) == len({id(m) for m in mods}) == 6  # net, body, Linear, 3 BN
    net.eval()
    bns = [m for m in mods if isinstance(m, BatchNorm)]
    assert len(bns) == 3 and not any(bn.training for bn in bns)


def test_eval_mode_of_a_sequential_uses_the_running_estimates():
    # by hand: running mean 1, variance 4 -> y = (x - 1) / sqrt(4 + eps) for γ=1, β=0
    bn = BatchNorm(1)
    bn.running_mean[:], bn.running_var[:] = 1.0, 4.0
    net = Sequential(bn).eval()
    y = net.forward(np.array([[3.0], [5.0]]))
    np.testing.assert_allclose(y[:, 0], [2.0, 4.0] / np.sqrt(4.0 + 1e-5))


def test_train_rejects_a_mode_that_is_not_a_bool():
    with pytest.raises(TypeError, match="mode"):
        BatchNorm(2).train("no")
