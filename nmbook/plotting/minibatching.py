"""Figures of Part I (minibatching on two moons)."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from nmbook.gradient_noise import predicted_noise
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


#: A line style per curve, so that curves that coincide stay apart without colour.
LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)))


def plot_accuracy_per_update(
    curves: dict,
    n_train: int,
    target: float = 0.99,
    ylim: tuple[float, float] = (0.9, 1.002),
    axes=None,
):
    """Held-out accuracy after each update, counted in updates (left) and in epochs
    (right), one curve per batch size, with the first update at ``target`` marked.

    The accuracy axis is zoomed to ``ylim`` (every curve starts far below it, near 0.5):
    what matters is the order in which the curves reach ``target``, which the markers
    and the legend's counts show even where curves overlap.

    Args:
        curves: ``{batch size B: (U,) held-out accuracy after each of U updates}``.
        n_train: training-set size ``N``; an update on a batch of ``B`` is ``B / N``
            epochs.
        target: the accuracy whose first update is marked (a dotted line).
        axes: two Axes (a new figure when None).

    Returns:
        the two ``matplotlib.axes.Axes``.

    Taught in: Part I (batch size: updates against samples processed).
    """
    if axes is None:
        _, axes = new_figure(ncols=2, width=11.0, height=4.4, sharey=True)
    ax_u, ax_e = axes
    first_in_view = {ax_u: [], ax_e: []}
    for k, (bs, curve) in enumerate(curves.items()):
        curve = np.asarray(curve)
        u = np.arange(1, curve.size + 1)
        hit = int(np.argmax(curve >= target)) if np.any(curve >= target) else None
        enters = int(np.argmax(curve >= ylim[0])) if np.any(curve >= ylim[0]) else 0
        style = dict(color=PALETTE[k % 8], ls=LINE_STYLES[k % len(LINE_STYLES)], lw=1.4)
        for ax, x in ((ax_u, u), (ax_e, u * bs / n_train)):
            label = f"B = {bs}"
            if hit is not None:
                count = f"{u[hit]} updates" if ax is ax_u else f"{x[hit]:.3g} epochs"
                label += f": {count}"
            ax.plot(x, curve, label=label, **style)
            if hit is not None:
                ax.plot(x[hit], curve[hit], "o", color=style["color"], ms=7, mec="k")
            first_in_view[ax].append(x[enters])
    for ax in axes:
        ax.axhline(target, color="0.3", ls=":", lw=1.0)
        ax.set(xscale="log", ylim=ylim)
        ax.set_xlim(left=0.7 * min(first_in_view[ax]))
        ax.legend(
            title=f"reaches {target:.0%} after",
            fontsize="small",
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            ncol=2,
        )
    ax_u.set(xlabel="updates", ylabel="held-out accuracy", title="counted in updates")
    ax_e.set(xlabel="epochs (samples processed / N)", title="counted in samples")
    return axes


def plot_cost_to_target(
    reached: dict,
    n_train: int,
    axes=None,
    label: str = "seed",
):
    """Updates (left) and epochs (right) needed to reach a target, against the batch
    size, one point per run and the median as a line (log–log).

    Args:
        reached: ``{batch size B: sequence of updates to the target, one per run}``.
        n_train: training-set size ``N`` (epochs = updates · B / N).
        axes: two Axes (a new figure when None); label: what one point is.

    Returns:
        the two ``matplotlib.axes.Axes``.

    Taught in: Part I (the batch-size benchmark over seeds).
    """
    if axes is None:
        _, axes = new_figure(ncols=2, width=10.0, height=3.6)
    sizes = np.array(sorted(reached))
    jitter = np.random.default_rng(0)  # spreads equal points sideways; fixed draw
    for ax, scale in zip(axes, (lambda b: 1.0, lambda b: b / n_train), strict=True):
        for k, b in enumerate(sizes):
            v = np.asarray(reached[b], dtype=float) * scale(b)
            xs = b * np.exp(jitter.uniform(-0.12, 0.12, v.size))
            first = label if k == 0 else None
            ax.scatter(xs, v, s=12, color=PALETTE[k % 8], alpha=0.6, lw=0, label=first)
        med = [np.median(np.asarray(reached[b], float) * scale(b)) for b in sizes]
        ax.plot(sizes, med, "k-", marker="s", ms=5, lw=1.2, label="median")
        ax.set(xscale="log", yscale="log", xlabel="batch size B")
        ax.set_xticks(sizes, [str(b) for b in sizes])
        ax.minorticks_off()
        ax.legend(fontsize="small")
    axes[0].set(ylabel="updates to 99% held-out", title="counted in updates")
    axes[1].set(ylabel="epochs to 99% held-out", title="counted in samples")
    return axes


def plot_gradient_noise(measured: dict, s2: float, n_train: int, ax=None):
    """Measured minibatch gradient noise against the batch size (log–log), with the
    prediction ``S²/B · (N − B)/N`` drawn over it and, dashed, ``S²/B`` alone.

    Args:
        measured: ``{batch size B: mean ‖g_B − ∇L‖² over many minibatches}`` (B < N, so
            that every value is positive on a log axis).
        s2: ``S²`` of the per-sample gradients (over ``N − 1``).
        n_train: the number of samples ``N``.
        ax: the Axes to draw on (a new figure when None).

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part I (gradient noise against batch size).
    """
    if ax is None:
        _, ax = new_figure()
    sizes = np.array(sorted(measured))
    grid = np.unique(np.geomspace(1, sizes.max(), 200).round().astype(int))
    curve = [predicted_noise(s2, int(b), n_train) for b in grid]
    ax.plot(grid, s2 / grid, color="0.5", ls="--", lw=1.0, label="$S^2/B$")
    label = "$S^2/B \\cdot (N-B)/N$ (predicted)"
    ax.plot(grid, curve, color=PALETTE[0], lw=1.6, label=label)
    ax.plot(
        sizes,
        [measured[b] for b in sizes],
        "o",
        color=PALETTE[1],
        mec="k",
        ms=6,
        label="measured",
    )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="batch size $B$",
        ylabel="$\\mathbb{E}\\,\\|g_B - \\nabla L\\|^2$",
    )
    ax.legend(fontsize="small")
    return ax
