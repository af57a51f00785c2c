"""The momentum look-ahead figure: the steps it draws are the update rules' steps."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nmbook.layers import Parameter  # noqa: E402
from nmbook.optim import SGD  # noqa: E402
from nmbook.plotting import plot_momentum_lookahead  # noqa: E402


def test_ends_are_the_update_rules():
    theta, v, lr, mu, c = (
        np.array([-3.0, 0.5]),
        np.array([1.0, -0.8]),
        0.08,
        0.9,
        np.array([1.0, 10.0]),
    )
    axes, ends = plot_momentum_lookahead(theta, v, lr, mu, c)
    assert len(axes) == 2
    np.testing.assert_allclose(ends["classical"], theta + mu * v - lr * c * theta)
    np.testing.assert_allclose(
        ends["Nesterov"], theta + mu * v - lr * c * (theta + mu * v)
    )
    plt.close("all")


def test_classical_end_matches_nmbook_sgd_momentum():
    # nmbook's SGD (PyTorch's form) keeps a buffer b with displacement -η b; b = -v/η
    # makes the previous step v
    theta, v, lr, mu, c = (
        np.array([-3.0, 0.5]),
        np.array([1.0, -0.8]),
        0.08,
        0.9,
        np.array([1.0, 10.0]),
    )
    _, ends = plot_momentum_lookahead(theta, v, lr, mu, c)
    p = Parameter(theta.copy(), "theta")
    opt = SGD([p], lr, momentum=mu)
    opt.buf[0] = -v / lr
    p.grad[:] = c * p.value
    opt.step()
    np.testing.assert_allclose(p.value, ends["classical"])
    plt.close("all")


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"theta": [1.0]}, "theta"),
        ({"velocity": [1.0, np.nan]}, "velocity"),
        ({"curvature": (1.0, -1.0)}, "curvature"),
        ({"lr": 0.0}, "lr"),
        ({"mu": 1.0}, "mu"),
    ],
)
def test_rejects_bad_input(kwargs, name):
    args = {"theta": [-3.0, 0.5], "velocity": [1.0, -0.8], **kwargs}
    with pytest.raises(ValueError, match=name):
        plot_momentum_lookahead(**args)
