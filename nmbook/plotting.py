"""The book's figure style and the figures that more than one chapter draws.

This is the only nmbook module that imports matplotlib and seaborn; the numeric modules import NumPy alone.
Taught in: every chapter (the first code cell calls :func:`use_book_style`).
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns

#: One colour per role, used consistently across chapters (colour-blind safe, seaborn's "colorblind").
PALETTE = sns.color_palette("colorblind", 8)
FIGSIZE = (6.4, 3.6)


def use_book_style() -> None:
    """Apply the book's one figure style: seaborn whitegrid theme, colour-blind palette, size, fonts.

    Figures are stored as PNG (the inline default): nbval does not compare images, only text, so a figure
    never makes a notebook "drift"; the numbers it shows are printed and asserted in the notebook instead.
    """
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.titlesize": "medium",
            "axes.labelsize": "medium",
            "legend.frameon": False,
            "figure.max_open_warning": 50,
        }
    )


def new_figure(ncols: int = 1, nrows: int = 1, width: float | None = None, height: float | None = None, **kw):
    """``plt.subplots`` with the book's default size scaled by the grid; returns ``(fig, axes)``."""
    w = width if width is not None else FIGSIZE[0] * (1 if ncols == 1 else min(ncols, 3) * 0.55)
    h = height if height is not None else FIGSIZE[1] * (1 if nrows == 1 else nrows * 0.8)
    return plt.subplots(nrows, ncols, figsize=(w, h), layout="constrained", **kw)


def plot_decision_regions(
    predict_proba,
    X,
    y,
    ax=None,
    resolution: int = 200,
    margin: float = 0.5,
    title: str | None = None,
):
    """Shade ``P(class 1 | x)`` over the plane and draw the data on top, with the 0.5 contour as the boundary.

    Args:
        predict_proba: maps points ``(M, 2) -> (M,)`` probabilities of class 1 (e.g. ``nmbook.train.predict_proba``
            bound to a model).
        X: ``(N, 2)`` points; y: ``(N,)`` labels in {0, 1}.
        ax: the Axes to draw on (a new figure when None).
        resolution: grid points per axis; margin: padding around the data's bounding box.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part I (minibatching on two moons).
    """
    import numpy as np

    if ax is None:
        _, ax = new_figure()
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    p = np.asarray(predict_proba(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(gx.shape)
    cmap = mpl.colors.LinearSegmentedColormap.from_list("book_two_class", [PALETTE[0], "white", PALETTE[1]])
    ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.6)
    ax.contour(gx, gy, p, levels=[0.5], colors="k", linewidths=1.0)
    for k in (0, 1):
        pts = X[np.asarray(y) == k]
        ax.scatter(
            pts[:, 0], pts[:, 1], s=10, color=PALETTE[k], edgecolor="k", linewidth=0.2, label=f"class {k}"
        )
    ax.set(xlabel="$x_1$", ylabel="$x_2$", xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def plot_memory_trace(strengths, weights, ax=None, labels=None, title=None):
    """Draw a continuous memory over time in the style of Figure 1 of Grefenstette et al. (2015).

    Each column is the memory after step t: row i is a box of height ``strengths[t, i]`` (bottom row first),
    labelled with its value; the hatched part of each box is what the read at step t takes from it
    (``weights[t, i]``), and the read is spelled out under the column.

    Args:
        strengths: ``(T, T)`` strengths after each step of ONE sequence (zero beyond row t).
        weights: ``(T, T)`` read weights (``nmbook.memory.read_weights`` of each row of ``strengths``).
        labels: names of the pushed values, default ``v1, v2, ...``.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part III, chapter 1 (the neural stack) and chapter 5 (queues and deques).
    """
    import numpy as np
    from matplotlib.patches import Rectangle

    strengths, weights = np.asarray(strengths), np.asarray(weights)
    T = strengths.shape[0]
    labels = labels or [f"v{i + 1}" for i in range(T)]
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * T + 1.0, 3.4), layout="constrained")
    colours = sns.color_palette("pastel", T)
    ticks = []
    for t in range(T):
        y = 0.0
        for i in range(t + 1):
            h = strengths[t, i]
            if h <= 1e-12:
                continue
            ax.add_patch(Rectangle((t - 0.35, y), 0.7, h, facecolor=colours[i], edgecolor="0.2", lw=1))
            w = weights[t, i]
            if w > 1e-12:  # the read takes the top-most part of a stack row (whole rows in between)
                ax.add_patch(Rectangle((t - 0.35, y + h - w), 0.7, w, fill=False, hatch="///", lw=0, ec="0.35"))
            ax.text(t, y + h / 2, f"{labels[i]}: {h:.2g}", ha="center", va="center", fontsize=9)
            y += h
        parts = [f"{weights[t, i]:.2g}·{labels[i]}" for i in range(t + 1) if weights[t, i] > 1e-12]
        ticks.append(f"t = {t + 1}\nr = " + (" + ".join(parts) if parts else "0"))
    ax.set_xticks(range(T), ticks, fontsize=9)
    ax.set_xlim(-0.6, T - 0.4)
    ax.set_ylim(0, max(1.05, float(strengths.sum(axis=1).max()) * 1.05))
    ax.set_ylabel("strength")
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax
