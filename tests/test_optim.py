"""Each optimiser's first steps against updates computed by hand; clipping;
validation; optional torch parity."""

import numpy as np
import pytest

from nmbook.layers import Linear, Parameter
from nmbook.losses import bce_with_logits
from nmbook.optim import SGD, Adam, RMSProp, clip_grad_norm


def _param(value, grad):
    p = Parameter(np.array(value, dtype=float), "p")
    p.grad[...] = grad
    return p


def test_sgd_plain_momentum_nesterov_two_steps():
    # gradient 1 at both steps, lr 0.1, momentum 0.9
    p = _param([1.0], [1.0])
    opt = SGD([p], lr=0.1)
    opt.step(), opt.step()
    assert p.value[0] == pytest.approx(1.0 - 0.2)
    p = _param([1.0], [1.0])
    opt = SGD([p], lr=0.1, momentum=0.9)
    opt.step()  # b = 1        -> θ = 0.9
    opt.step()  # b = 1.9      -> θ = 0.9 - 0.19 = 0.71
    assert p.value[0] == pytest.approx(0.71)
    p = _param([1.0], [1.0])
    opt = SGD([p], lr=0.1, momentum=0.9, nesterov=True)
    opt.step()  # b = 1, step g + μb = 1.9   -> θ = 0.81
    opt.step()  # b = 1.9, step 1 + 1.71     -> θ = 0.81 - 0.271 = 0.539
    assert p.value[0] == pytest.approx(0.539)


def test_rmsprop_two_steps_by_hand():
    # g = 2 then 2; α = 0.5, lr = 0.1, eps tiny
    p = _param([0.0], [2.0])
    opt = RMSProp([p], lr=0.1, alpha=0.5, eps=1e-12)
    opt.step()  # v = 0.5*4 = 2, ĝ = 2/√2 = √2
    assert p.value[0] == pytest.approx(-0.1 * np.sqrt(2))
    opt.step()  # v = 0.5*2 + 2 = 3, ĝ = 2/√3
    assert p.value[0] == pytest.approx(-0.1 * np.sqrt(2) - 0.1 * 2 / np.sqrt(3))


def test_rmsprop_nesterov_two_steps_by_hand():
    p = _param([0.0], [2.0])
    opt = RMSProp([p], lr=0.1, alpha=0.5, eps=1e-12, momentum=0.5, nesterov=True)
    opt.step()  # ĝ = √2, b = √2, step = ĝ + 0.5 b = 1.5√2
    assert p.value[0] == pytest.approx(-0.15 * np.sqrt(2))
    opt.step()  # ĝ = 2/√3, b = 0.5√2 + 2/√3, step = ĝ + 0.5 b
    g2 = 2 / np.sqrt(3)
    b2 = 0.5 * np.sqrt(2) + g2
    assert p.value[0] == pytest.approx(-0.15 * np.sqrt(2) - 0.1 * (g2 + 0.5 * b2))


def test_adam_first_steps_by_hand():
    # At t = 1 bias correction makes the step exactly lr * sign(g) (eps aside).
    p = _param([1.0, -1.0], [3.0, -0.5])
    opt = Adam([p], lr=0.01)
    opt.step()
    np.testing.assert_allclose(p.value, [0.99, -0.99], rtol=1e-7)
    # t = 2 with g2 = 1 for the first entry: m = 0.1*0.9*3 + 0.1*1 = 0.37, v =
    # 0.001*0.999*9 + 0.001*1
    p.grad[...] = [1.0, -0.5]
    opt.step()
    m_hat = (0.9 * 0.3 + 0.1 * 1.0) / (1 - 0.9**2)
    v_hat = (0.999 * 0.009 + 0.001 * 1.0) / (1 - 0.999**2)
    assert p.value[0] == pytest.approx(0.99 - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8))
    assert p.value[1] == pytest.approx(-0.98)


def test_clip_grad_norm():
    a, b = _param([0.0], [3.0]), _param([0.0, 0.0], [0.0, 4.0])
    total = clip_grad_norm([a, b], max_norm=1.0)
    assert total == pytest.approx(5.0)
    np.testing.assert_allclose(
        np.concatenate([a.grad, b.grad]), np.array([3.0, 0.0, 4.0]) / (5.0 + 1e-6)
    )
    c = _param([0.0], [0.5])
    # untouched
    assert clip_grad_norm([c], 1.0) == pytest.approx(0.5) and c.grad[0] == 0.5


def test_zero_grad_and_bad_input():
    p = _param([1.0], [2.0])
    SGD([p], lr=0.1).zero_grad()
    assert p.grad[0] == 0.0
    with pytest.raises(ValueError, match="lr must be a positive number"):
        Adam([p], lr=0.0)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        SGD([p], lr=float("nan"))
    with pytest.raises(ValueError, match="at least one Parameter"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="Parameter objects"):
        SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match=r"momentum must lie in \[0, 1\)"):
        SGD([p], lr=0.1, momentum=1.5)
    with pytest.raises(ValueError, match="nesterov=True needs momentum"):
        RMSProp([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="max_norm must be positive"):
        clip_grad_norm([p], 0.0)


def test_parity_with_torch_adam():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 3)), (rng.uniform(size=(16, 1)) > 0.5).astype(float)
    lin = Linear(3, 1, rng=1)
    tl = torch.nn.Linear(3, 1).double()
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(lin.W.value.T))
        tl.bias.copy_(torch.tensor(lin.b.value))
    opt, topt = (
        Adam(lin.parameters(), lr=0.05),
        torch.optim.Adam(tl.parameters(), lr=0.05),
    )
    for _ in range(5):
        opt.zero_grad()
        _, dz = bce_with_logits(lin.forward(x), y)
        lin.backward(dz)
        opt.step()
        topt.zero_grad()
        torch.nn.functional.binary_cross_entropy_with_logits(
            tl(torch.tensor(x)), torch.tensor(y)
        ).backward()
        topt.step()
    np.testing.assert_allclose(
        lin.W.value.T, tl.weight.detach().numpy(), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        lin.b.value, tl.bias.detach().numpy(), rtol=1e-10, atol=1e-12
    )


TORCH_CASES = {  # our optimiser class, torch.optim class name, shared keyword arguments
    "sgd-momentum": (SGD, "SGD", dict(lr=0.1, momentum=0.9)),
    "sgd-nesterov": (SGD, "SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    "rmsprop": (RMSProp, "RMSprop", dict(lr=0.01, alpha=0.99, eps=1e-8)),
    "rmsprop-momentum": (
        RMSProp,
        "RMSprop",
        dict(lr=0.01, alpha=0.9, eps=1e-8, momentum=0.5),
    ),
}


@pytest.mark.parametrize("case", list(TORCH_CASES))
def test_parity_with_torch_sgd_and_rmsprop(case):
    # RMSProp's nesterov=True has no torch counterpart; its two steps are checked by
    # hand above.
    torch = pytest.importorskip("torch")
    ours, torch_name, kwargs = TORCH_CASES[case]
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(16, 3)), (rng.uniform(size=(16, 1)) > 0.5).astype(float)
    lin = Linear(3, 1, rng=2)
    tl = torch.nn.Linear(3, 1).double()
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(lin.W.value.T))
        tl.bias.copy_(torch.tensor(lin.b.value))
    opt = ours(lin.parameters(), **kwargs)
    topt = getattr(torch.optim, torch_name)(tl.parameters(), **kwargs)
    for _ in range(5):
        opt.zero_grad()
        _, dz = bce_with_logits(lin.forward(x), y)
        lin.backward(dz)
        opt.step()
        topt.zero_grad()
        torch.nn.functional.binary_cross_entropy_with_logits(
            tl(torch.tensor(x)), torch.tensor(y)
        ).backward()
        topt.step()
    np.testing.assert_allclose(
        lin.W.value.T, tl.weight.detach().numpy(), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        lin.b.value, tl.bias.detach().numpy(), rtol=1e-10, atol=1e-12
    )
