"""Figures of Part IV (MLP extrapolation, the NALU)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from nmbook.plotting.style import FIGSIZE, PALETTE


def plot_extrapolation_errors(
    x, errors, train_range=(-5.0, 5.0), ax=None, title=None, ymax=None
):
    """Mean absolute error against the input value, one line per model, the training
    range shaded.

    Args:
        x: ``(N,)`` test inputs.
        errors: ``{label: (N,) mean absolute error}``, drawn in insertion order.
        train_range: ``(low, high)`` of the training inputs, shaded.
        ymax: optional upper limit of the error axis.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part IV, chapter 1 (the NALU paper's Figure 1: MLPs do not extrapolate
    the identity).
    """
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(FIGSIZE[0], 3.8), layout="constrained")
    ax.axvspan(*train_range, color="0.85", alpha=0.6, lw=0, label="training range")
    styles = ["-", "--", "-.", ":"]
    for k, (label, err) in enumerate(errors.items()):
        ax.plot(
            np.asarray(x),
            np.asarray(err),
            styles[k // 8 % 4],
            color=PALETTE[k % 8],
            lw=1.6,
            label=label,
        )
    ax.set(
        xlabel="input $x$",
        ylabel="mean absolute error $|\\hat{x} - x|$",
        xlim=(min(x), max(x)),
    )
    if ymax is not None:
        ax.set_ylim(0, ymax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    if title:
        ax.set_title(title)
    return ax


def draw_nalu_diagram(ax=None, shared_weights=True):
    """A block diagram of the NALU: the additive NAC, the log-space path, the gate and
    their mixture.

    Args:
        shared_weights: label the two paths with one ``W`` (the paper) or with ``W`` and
            ``W_m`` (the post).

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part IV, chapter 2 (*The NAC and the NALU*).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(FIGSIZE[0] * 1.15, 3.4), layout="constrained")
    wm = "W" if shared_weights else "W_m"
    boxes = {
        "x": (0.06, 0.5, "$x$", 7),
        "a": (0.42, 0.84, "NAC\n$a = xW$", 0),
        "m": (
            0.42,
            0.50,
            f"log-space NAC\n$m = \\exp(\\log(|x|+\\epsilon)\\,{wm})$",
            1,
        ),
        "g": (0.42, 0.14, "gate\n$g = \\sigma(xG)$", 2),
        "y": (0.86, 0.5, "$y = g \\odot a$\n$+\\;(1-g) \\odot m$", 4),
    }
    for x0, y0, text, c in boxes.values():
        ax.text(
            x0,
            y0,
            text,
            ha="center",
            va="center",
            fontsize=10,
            bbox={
                "boxstyle": "round,pad=0.5",
                "fc": PALETTE[c],
                "alpha": 0.25,
                "ec": PALETTE[c],
            },
        )
    arrow = {"arrowstyle": "->", "color": "0.3", "lw": 1.2}
    for key in ("a", "m", "g"):
        ax.annotate(
            "",
            xy=(boxes[key][0] - 0.13, boxes[key][1]),
            xytext=(0.1, 0.5),
            arrowprops=arrow,
        )
        ax.annotate(
            "",
            xy=(0.76, 0.5),
            xytext=(boxes[key][0] + 0.15, boxes[key][1]),
            arrowprops=arrow,
        )
    note = (
        "one $W = \\tanh(\\hat W) \\odot \\sigma(\\hat M)$ shared by both paths"
        if shared_weights
        else ("separate $W$ and $W_m$, each $\\tanh(\\hat W) \\odot \\sigma(\\hat M)$")
    )
    ax.text(0.5, -0.04, note, ha="center", va="center", fontsize=9, color="0.3")
    ax.set(xlim=(0, 1), ylim=(-0.1, 1.0))
    ax.axis("off")
    return ax


def plot_success_heatmap(
    rates, rows, cols, ax=None, row_labels=None, col_labels=None, title=None
):
    """A table of success rates as a heat map: one cell per (row, column), coloured by
    the rate, labelled ``k/n``.

    Args:
        rates: ``{(row, col): (k, n)}`` successes out of runs; a missing key is drawn
            blank.
        rows, cols: the keys, in display order (e.g. operations and models).
        row_labels, col_labels: what to print on the axes (default: the keys).

    Returns the axes. Taught in: Part IV, chapter 2 (success over seeds).
    """
    if ax is None:
        _, ax = plt.subplots(
            figsize=(0.9 * len(cols) + 1.6, 0.45 * len(rows) + 1.2),
            layout="constrained",
        )
    grid = np.full((len(rows), len(cols)), np.nan)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            if (r, c) in rates:
                k, n = rates[r, c]
                if n <= 0 or not 0 <= k <= n:
                    raise ValueError(
                        f"rates[{(r, c)!r}] must be (k, n) with 0 <= k <= n and n > "
                        f"0, got {(k, n)}"
                    )
                grid[i, j] = k / n
                ax.text(
                    j,
                    i,
                    f"{k}/{n}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if k / n > 0.6 else "black",
                )
    ax.imshow(grid, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(cols)), col_labels or cols)
    ax.set_yticks(range(len(rows)), row_labels or rows)
    ax.tick_params(length=0)
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=10)
    return ax
