"""The figures of Part III's controllers: curves that coincide stay apart, rates carry
their intervals, the deque trace gets a legend for its hatchings."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nmbook.plotting import (  # noqa: E402
    label_deque_reads,
    plot_accuracy_by_length,
    plot_deque_trace,
    plot_gate_sharpness,
    plot_memory_sweep,
    plot_rates_by_length,
)
from nmbook.plotting.controllers import MEMORY_LOOKS, curve_look  # noqa: E402
from nmbook.stats import wilson_interval  # noqa: E402


def test_each_memory_has_its_own_colour_line_style_and_marker():
    looks = list(MEMORY_LOOKS.values())
    for i in range(3):  # colour, line style, marker
        assert len({str(look[i]) for look in looks}) == len(looks)
    assert curve_look("queue", 0) == MEMORY_LOOKS["queue"]
    assert curve_look("LSTM", 1) != curve_look("stack-RNN", 0)


def test_coinciding_curves_differ_in_style_and_width():
    fig, ax = plt.subplots()
    zeros = {8: 0.0, 16: 0.0, 32: 0.0}
    plot_accuracy_by_length({"stack": zeros, "deque": zeros}, train_max=8, ax=ax)
    first, second = ax.get_lines()[:2]
    assert first.get_linestyle() != second.get_linestyle()
    assert first.get_marker() != second.get_marker()
    assert first.get_linewidth() > second.get_linewidth()  # the later one lies on top
    plt.close(fig)


def test_memory_sweep_dodges_memories_along_the_length_axis():
    rows = [
        {"task": "copy", "model": m, "seed": "0", "coarse_8": "1.0", "coarse_16": "1.0"}
        for m in ("stack", "queue")
    ]
    axes = plot_memory_sweep(rows, ["copy"], ["stack", "queue"], (8, 16))
    medians = [line for line in axes[0].get_lines() if line.get_label()[0] != "_"]
    x_stack, x_queue = (line.get_xdata() for line in medians)
    assert np.all(x_stack < x_queue) and np.allclose(x_stack * 1.08, x_queue)
    plt.close(axes[0].figure)


def test_rates_are_drawn_with_their_wilson_intervals():
    fig, ax = plt.subplots()
    plot_rates_by_length({"a": {16: (18, 20), 64: (0, 20)}}, ax=ax, dodge=0.0)
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), [0.9, 0.0])
    bars = ax.collections[0].get_segments()
    lo, hi = wilson_interval(18, 20)
    np.testing.assert_allclose([bars[0][0][1], bars[0][1][1]], [lo, hi])
    assert bars[1][0][1] == 0.0  # an interval at k = 0 starts at 0, not below
    plt.close(fig)


def test_deque_trace_gets_a_legend_and_labels_beside_the_boxes():
    T = 2
    s = np.zeros((T, 2 * T))
    s[0, 1:3], s[1, 0:4] = (0.3, 0.6), (0.2, 0.3, 0.6, 0.5)
    w = np.zeros_like(s)
    ax = plot_deque_trace(s, w, w)
    centres = [text.get_position()[0] for text in ax.texts]
    label_deque_reads(ax)
    moved = [text.get_position()[0] for text in ax.texts]
    np.testing.assert_allclose(moved, np.array(centres) + 0.38)
    assert {text.get_horizontalalignment() for text in ax.texts} == {"left"}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["top read", "bottom read", "both"]
    plt.close(ax.figure)


def test_gate_sharpness_scatter_draws_runs_and_the_bound():
    fig, ax = plt.subplots()
    delta = np.array([0.92, 0.97, 0.995])
    plot_gate_sharpness(delta, [7, 16, 64], groups=["plain", "sharp", "sharp"], ax=ax)
    points = [c.get_offsets() for c in ax.collections]
    assert [len(p) for p in points] == [1, 2]  # one scatter per group
    np.testing.assert_allclose(points[0][0], [1 - 0.92, 7])
    curve = ax.get_lines()[0]
    leak, L = curve.get_xdata(), curve.get_ydata()
    # the curve is ceil(1 / (2 leak)): leak 0.08 -> 6.25 -> 7, leak 0.25 -> 2
    i = np.argmin(abs(leak - 0.08))
    assert L[i] == np.ceil(1 / (2 * leak[i])) and L[np.argmin(abs(leak - 0.3))] == 2
    assert ax.get_xscale() == ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="sharpness and longest"):
        plot_gate_sharpness(delta, [1, 2])
    plt.close(fig)
