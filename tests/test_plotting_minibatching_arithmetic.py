"""The figures of Parts I and IV added for the reader's page: what each draws, by hand.

``plot_accuracy_per_update`` marks the first update at the target and puts the count in
the legend; ``plot_cost_to_target`` draws one point per run and the medians;
``plot_training_and_test_errors`` draws the loss beside both test errors;
``plot_value_heatmap`` labels each cell; ``plot_seed_strip`` one column per label.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nmbook.plotting.arithmetic import (  # noqa: E402
    plot_seed_strip,
    plot_threshold_curves,
    plot_training_and_test_errors,
    plot_value_heatmap,
)
from nmbook.plotting.minibatching import (  # noqa: E402
    plot_accuracy_per_update,
    plot_cost_to_target,
)


def test_accuracy_per_update_marks_the_first_update_at_the_target():
    # B = 10 reaches 0.99 at update 3 (epoch 3 * 10 / 100 = 0.3); B = 100 never does
    curves = {10: [0.5, 0.95, 0.99, 0.98, 1.0], 100: [0.5, 0.9, 0.95]}
    ax_u, ax_e = plot_accuracy_per_update(curves, n_train=100)
    labels = [t.get_text() for t in ax_u.get_legend().get_texts()]
    assert labels == ["B = 10: 3 updates", "B = 100"]
    labels = [t.get_text() for t in ax_e.get_legend().get_texts()]
    assert labels == ["B = 10: 0.3 epochs", "B = 100"]
    marker = [ln for ln in ax_u.get_lines() if ln.get_marker() == "o"]
    assert len(marker) == 1 and marker[0].get_xydata().tolist() == [[3.0, 0.99]]
    # two curves with different line styles, so coinciding curves stay apart
    styles = {ln.get_linestyle() for ln in ax_u.get_lines() if ln.get_marker() != "o"}
    assert len(styles) >= 3  # two curves and the dotted target line
    plt.close("all")


def test_cost_to_target_draws_every_run_and_the_medians():
    reached = {1: [800, 900, 700], 800: [100, 120, 110]}
    ax_u, ax_e = plot_cost_to_target(reached, n_train=800)
    points = np.concatenate([c.get_offsets()[:, 1] for c in ax_u.collections])
    assert sorted(points) == [100, 110, 120, 700, 800, 900]
    medians = [ln for ln in ax_e.get_lines() if ln.get_marker() == "s"][0]
    # epochs: 800 updates of 1 sample are 1 epoch; 110 updates of 800 are 110 epochs
    assert medians.get_ydata().tolist() == [1.0, 110.0]
    plt.close("all")


def test_training_and_test_errors_draws_four_lines():
    run = {
        "loss": np.array([10.0, 5.0, 1.0]),
        "test_mse_interpolation": np.array([9.0, 4.0, 1.5]),
        "test_mse_extrapolation": np.array([1e3, 1e6, 1e9]),
        "baseline_extrapolation": 1e4,
    }
    ax = plot_training_and_test_errors(run, log_every=50)
    lines = ax.get_lines()
    assert len(lines) == 4 and ax.get_yscale() == "log"
    assert lines[0].get_xdata().tolist() == [0, 50, 100]
    assert lines[2].get_ydata().tolist() == [1e3, 1e6, 1e9]
    assert len({ln.get_linestyle() for ln in lines}) == 4
    plt.close("all")


def test_value_heatmap_labels_each_cell_and_leaves_missing_ones_blank():
    ax = plot_value_heatmap({("a", "x"): 2.7, ("b", "y"): 16.2}, ["a", "b"], ["x", "y"])
    assert sorted(t.get_text() for t in ax.texts) == ["16.2", "2.7"]
    grid = ax.get_images()[0].get_array()
    assert np.ma.is_masked(grid[0, 1]) or np.isnan(grid[0, 1])
    assert grid[1, 1] == 16.2
    plt.close("all")


def test_seed_strip_has_one_column_per_label():
    ax = plot_seed_strip({"ReLU": [0.1, 1.0], "Tanh": [6.0, 7.0, 8.0]}, "error")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["ReLU", "Tanh"]
    assert [len(c.get_offsets()) for c in ax.collections] == [2, 3]
    medians = [ln.get_ydata()[0] for ln in ax.get_lines()]
    assert np.allclose(medians, [0.55, 7.0])
    plt.close("all")


def test_threshold_curves_are_relative_to_each_runs_threshold():
    steps = [0, 1000, 2000]
    log_mse = np.array([[0.0, -4.0, -6.0], [1.0, -2.0, -3.0]])
    ax = plot_threshold_curves(steps, log_mse, np.array([-5.0, -4.0]))
    runs = [ln.get_ydata() for ln in ax.get_lines()[:2]]
    np.testing.assert_allclose(runs, [[5.0, 1.0, -1.0], [5.0, 2.0, 1.0]])
    np.testing.assert_allclose(ax.get_lines()[2].get_ydata(), [5.0, 1.5, 0.0])
    with pytest.raises(ValueError, match="log_mse"):
        plot_threshold_curves(steps, log_mse[:, :2], np.zeros(2))
    ax = plot_threshold_curves(steps, log_mse, np.zeros(2), ramp=(1000, 2000))
    (band,) = ax.patches  # the shaded ramp spans its steps
    assert (band.get_x(), band.get_width()) == (1000, 1000)
    plt.close("all")
