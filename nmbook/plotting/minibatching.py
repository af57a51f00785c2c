"""Figures of Part I (minibatching on two moons)."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from nmbook.plotting.style import PALETTE, new_figure


def plot_decision_regions(
    predict_proba,
    X,
    y,
    ax=None,
    resolution: int = 200,
    margin: float = 0.5,
    title: str | None = None,
):
    """Shade ``P(class 1 | x)`` over the plane and draw the data on top, with the 0.5
    contour as the boundary.

    Args:
        predict_proba: maps points ``(M, 2) -> (M,)`` probabilities of class 1 (e.g.
            ``nmbook.train.predict_proba`` bound to a model).
        X: ``(N, 2)`` points; y: ``(N,)`` labels in {0, 1}.
        ax: the Axes to draw on (a new figure when None).
        resolution: grid points per axis; margin: padding around the data's bounding
            box.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part I (minibatching on two moons).
    """

    if ax is None:
        _, ax = new_figure()
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    gx, gy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    p = np.asarray(predict_proba(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(
        gx.shape
    )
    cmap = mpl.colors.LinearSegmentedColormap.from_list(
        "book_two_class", [PALETTE[0], "white", PALETTE[1]]
    )
    ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.6)
    ax.contour(gx, gy, p, levels=[0.5], colors="k", linewidths=1.0)
    for k in (0, 1):
        pts = X[np.asarray(y) == k]
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            s=10,
            color=PALETTE[k],
            edgecolor="k",
            linewidth=0.2,
            label=f"class {k}",
        )
    ax.set(xlabel="$x_1$", ylabel="$x_2$", xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax
