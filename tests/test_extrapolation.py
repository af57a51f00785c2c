"""nmbook.extrapolation.affine_tails on hand-built ReLU networks whose tails are known,
and the seed figure of Part IV, chapter 1."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nmbook.extrapolation import affine_tails  # noqa: E402
from nmbook.layers import Linear, ReLU, Sequential  # noqa: E402
from nmbook.plotting import plot_seed_extrapolation  # noqa: E402


def hand_net():
    # f(x) = 2 relu(x - 1) + 0.5 relu(-x) + 3: for x > 1, f = 2x - 2 + 3 = 2x + 1;
    # for x < 0, f = -0.5x + 3
    net = Sequential(Linear(1, 2, 0), ReLU(), Linear(2, 1, 0))
    net.layers[0].W.value[...] = [[1.0, -1.0]]
    net.layers[0].b.value[...] = [-1.0, 0.0]
    net.layers[2].W.value[...] = [[2.0], [0.5]]
    net.layers[2].b.value[...] = [3.0]
    return net


def test_tails_of_a_hand_network():
    tails = affine_tails(hand_net().forward)
    np.testing.assert_allclose(tails, [[-0.5, 3.0], [2.0, 1.0]], rtol=0, atol=1e-8)


def test_identity_from_two_relus_has_slope_one_both_sides():
    # x = relu(x) - relu(-x): both tails are the line x
    net = Sequential(Linear(1, 2, 0, bias=False), ReLU(), Linear(2, 1, 0, bias=False))
    net.layers[0].W.value[...] = [[1.0, -1.0]]
    net.layers[2].W.value[...] = [[1.0], [-1.0]]
    np.testing.assert_allclose(affine_tails(net.forward), [[1, 0], [1, 0]], atol=1e-9)


def test_bad_input():
    with pytest.raises(TypeError, match="forward"):
        affine_tails(3.0)
    with pytest.raises(ValueError, match="far"):
        affine_tails(hand_net().forward, far=-1.0)
    with pytest.raises(ValueError, match="forward"):
        affine_tails(lambda x: x[:, 0])


def test_seed_figure_draws_curves_and_tails_outside_the_range():
    x = np.linspace(-20, 20, 41)
    net = hand_net()
    ax_out, ax_miss = plot_seed_extrapolation(
        x, {0: net.forward(x[:, None])[:, 0]}, {0: affine_tails(net.forward)}
    )
    for ax in (ax_out, ax_miss):
        dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
        assert len(dashed) == 3  # two tails plus the legend's sample line
    # left tail -0.5x + 3 up to x = -5; in the right panel minus x: -1.5x + 3
    left = [ln for ln in ax_out.get_lines() if ln.get_linestyle() == "--"][0]
    xy = left.get_xydata()
    assert xy[:, 0].max() == -5.0 and np.allclose(xy[:, 1], -0.5 * xy[:, 0] + 3)
    left = [ln for ln in ax_miss.get_lines() if ln.get_linestyle() == "--"][0]
    xy = left.get_xydata()
    assert np.allclose(xy[:, 1], -1.5 * xy[:, 0] + 3)
    labels = [t.get_text() for t in ax_miss.get_legend().get_texts()]
    assert "seed 0" in labels and "affine tails" in labels
