"""``plot_success_heatmap``: one labelled cell per rate, blanks where a rate is
missing, bad counts rejected."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nmbook.plotting import plot_success_heatmap  # noqa: E402


def test_cells_are_coloured_by_rate_and_labelled_with_counts():
    fig, ax = plt.subplots()
    plot_success_heatmap(
        {("add", "nac"): (20, 20), ("mul", "nac"): (5, 20)},
        ["add", "mul"],
        ["nac", "nalu"],
        ax=ax,
    )
    image = ax.get_images()[0].get_array()
    assert image[0, 0] == 1.0 and image[1, 0] == 0.25
    # no rate for (add, nalu): blank
    assert np.ma.is_masked(image[0, 1]) or np.isnan(image[0, 1])
    assert sorted(t.get_text() for t in ax.texts) == ["20/20", "5/20"]
    plt.close(fig)


@pytest.mark.parametrize("bad", [(3, 2), (-1, 5), (0, 0)])
def test_impossible_counts_are_rejected(bad):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="rates"):
        plot_success_heatmap({("a", "b"): bad}, ["a"], ["b"], ax=ax)
    plt.close(fig)
