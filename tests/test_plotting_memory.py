"""Figures of the continuous memories: the gate heat maps label their rows by sequence
length, and the strength profile keeps rows not pushed yet apart from every strength."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nmbook.plotting import plot_gate_heatmaps, plot_strength_profile  # noqa: E402


def test_gate_heatmap_rows_are_labelled_by_length_and_padding_is_blank():
    lengths = np.array([2, 4, 6])
    T = 2 * lengths.max() + 1
    d = np.full((3, T), 0.25)
    axes = plot_gate_heatmaps(d, 1 - d, lengths=lengths)
    for ax in axes:
        assert [t.get_text() for t in ax.get_yticklabels()] == ["2", "4", "6"]
        assert "length" in ax.get_ylabel()
        image = ax.get_images()[0].get_array()
        # row of length 2: steps 1..5 drawn (input, delimiter, output), the rest blank
        assert not np.ma.is_masked(image[0, 4]) and np.ma.is_masked(image[0, 5])
        assert not np.ma.is_masked(image[2, T - 1])
    plt.close("all")


def test_gate_heatmap_without_lengths_keeps_plain_rows():
    axes = plot_gate_heatmaps(np.zeros((2, 3)), np.ones((2, 3)))
    assert axes[0].get_ylabel() == "sequence"
    assert not np.ma.getmaskarray(axes[0].get_images()[0].get_array()).any()
    plt.close("all")


def test_strength_profile_marks_rows_not_pushed_apart_from_strength_one():
    T = 4
    s = np.tril(np.ones((T, T)))  # every pushed row at full strength
    ax = plot_strength_profile(s, length=1)
    image = ax.get_images()[0]
    data = image.get_array()
    # the upper triangle (i > t) is masked, so the hatched patch behind shows through
    assert np.ma.is_masked(data[0, 1]) and not np.ma.is_masked(data[1, 1])
    behind = [p for p in ax.patches if p.get_hatch()]
    assert behind and behind[0].get_zorder() < image.get_zorder()
    # strength 1 is not drawn in (near-)white: the colour of a full row is far from the
    # light grey of the rows not pushed yet
    full = np.array(image.cmap(image.norm(1.0))[:3])
    grey = np.array(matplotlib.colors.to_rgb(behind[0].get_facecolor()))
    assert np.abs(full - grey).max() > 0.5
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["row not pushed yet"]
    plt.close("all")
