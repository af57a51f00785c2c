"""nmbook.gradient_noise: S², the finite-population prediction and its measurement,
against a hand case where the expectation is an exact average over every batch."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nmbook.gradient_noise import (  # noqa: E402
    gradient_spread,
    measured_noise,
    predicted_noise,
)
from nmbook.plotting import plot_gradient_noise  # noqa: E402

# Three one-parameter "per-sample gradients" 0, 1, 5: mean 2, deviations -2, -1, 3,
# squared deviations 4 + 1 + 9 = 14, so S² = 14 / (3 - 1) = 7.
G = np.array([[0.0], [1.0], [5.0]])


def exact_noise(g, b):
    # E‖g_B − ḡ‖² as the plain average over all C(N, B) batches, equally likely
    full = g.mean(axis=0)
    errs = [
        np.sum((g[list(idx)].mean(axis=0) - full) ** 2)
        for idx in itertools.combinations(range(len(g)), b)
    ]
    return float(np.mean(errs))


def test_spread_by_hand():
    assert gradient_spread(G) == 7.0


@pytest.mark.parametrize(
    ("b", "by_hand"),
    [
        (1, 14 / 3),  # (4 + 1 + 9) / 3 = 7/1 · 2/3
        (2, 7 / 6),  # batches {0,1},{0,2},{1,2}: means .5, 2.5, 3 -> (2.25+.25+1)/3
        (3, 0.0),  # the whole set: no noise
    ],
)
def test_prediction_is_the_exact_expectation(b, by_hand):
    assert predicted_noise(7.0, b, 3) == pytest.approx(by_hand, rel=1e-15, abs=1e-15)
    assert exact_noise(G, b) == pytest.approx(by_hand, rel=1e-15, abs=1e-15)


def test_prediction_exact_on_a_larger_vector_case():
    g = np.random.default_rng(3).normal(size=(7, 4))
    for b in range(1, 8):
        pred = predicted_noise(gradient_spread(g), b, 7)
        assert exact_noise(g, b) == pytest.approx(pred, rel=1e-12, abs=1e-14)


def test_measurement_converges_on_the_exact_expectation():
    # B = 2 of 3: three equally likely batches with errors 2.25, .25, 1 (mean 7/6);
    # the sd of one draw is about 0.83, so 20,000 draws: sd of the mean about 0.006
    m = measured_noise(G, 2, 20_000, seed=0)
    assert abs(m - 7 / 6) < 0.03
    assert measured_noise(G, 3, 5, seed=0) == 0.0


def test_measurement_is_seeded():
    g = np.random.default_rng(1).normal(size=(20, 3))
    assert measured_noise(g, 5, 50, seed=4) == measured_noise(g, 5, 50, seed=4)


def test_bad_input():
    with pytest.raises(ValueError, match="per_sample"):
        gradient_spread(np.zeros(5))
    with pytest.raises(ValueError, match="batch_size"):
        predicted_noise(1.0, 4, 3)
    with pytest.raises(TypeError, match="batch_size"):
        predicted_noise(1.0, 1.5, 3)
    with pytest.raises(ValueError, match="s2"):
        predicted_noise(-1.0, 1, 3)
    with pytest.raises(ValueError, match="n_draws"):
        measured_noise(G, 1, 0, seed=0)


def test_plot_draws_points_and_both_curves():
    ax = plot_gradient_noise({1: 4.6, 2: 1.2}, s2=7.0, n_train=3)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    points = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert points[0].get_xydata().tolist() == [[1.0, 4.6], [2.0, 1.2]]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 3 and labels[-1] == "measured"
