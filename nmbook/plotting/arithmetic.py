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


def plot_training_and_test_errors(run, log_every: int = 50, ax=None, title=None):
    """The training loss beside the test errors of both regimes, against the step.

    Args:
        run: the dict of :func:`nmbook.tasks.arithmetic.run_static_task` called with
            ``track_test=True``: ``loss`` (training MSE of the batch), and
            ``test_mse_interpolation`` and ``test_mse_extrapolation``, every
            ``log_every`` steps, and ``baseline_extrapolation`` (the untrained model's).
        ax: the Axes to draw on (a new figure when None).

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on (log scale: the extrapolation
        error and the training loss differ by orders of magnitude).

    Taught in: Part IV, chapter 2 (a fit on the training range that does not
    extrapolate).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9.5, 3.6), layout="constrained")
    steps = np.arange(len(run["loss"])) * log_every
    # the test error on the training range follows the training loss closely: the loss
    # is drawn thick and light, the test error dashed and dark on top of it
    curves = (
        ("training batch", "loss", dict(ls="-", color=PALETTE[0], lw=3.5, alpha=0.45)),
        (
            "test, inputs from the training range",
            "test_mse_interpolation",
            dict(ls="--", color="k", lw=1.2),
        ),
        (
            "test, larger inputs (extrapolation)",
            "test_mse_extrapolation",
            dict(ls="-.", color=PALETTE[3], lw=1.5),
        ),
    )
    for label, key, style in curves:
        ax.plot(steps, run[key], label=label, **style)
    ax.axhline(
        run["baseline_extrapolation"],
        color="0.35",
        ls=":",
        lw=1.2,
        label="extrapolation, untrained model",
    )
    ax.set(yscale="log", xlabel="training step", ylabel="mean squared error")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    return ax


def plot_value_heatmap(
    values,
    rows,
    cols,
    ax=None,
    row_labels=None,
    col_labels=None,
    title=None,
    fmt="{:.1f}",
    cmap="Oranges",
    vmin=None,
    vmax=None,
):
    """A table of numbers as a heat map, each cell labelled with its value.

    Args:
        values: ``{(row, col): number}``; a missing key is drawn blank.
        rows, cols: the keys, in display order; row_labels, col_labels: what to print.
        fmt: how each cell's number is printed; cmap, vmin, vmax: its colour scale.

    Returns the axes. Taught in: Part IV (the evidence page: how far each cell is
    from Madsen & Johansen's threshold).
    """
    if ax is None:
        _, ax = plt.subplots(
            figsize=(0.9 * len(cols) + 1.6, 0.45 * len(rows) + 1.2),
            layout="constrained",
        )
    grid = np.full((len(rows), len(cols)), np.nan)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            if (r, c) in values:
                grid[i, j] = values[r, c]
    lo = np.nanmin(grid) if vmin is None else vmin
    hi = np.nanmax(grid) if vmax is None else vmax
    ax.imshow(grid, cmap=cmap, vmin=lo, vmax=hi, aspect="auto")
    for i in range(len(rows)):
        for j in range(len(cols)):
            if np.isfinite(grid[i, j]):
                dark = (grid[i, j] - lo) / (hi - lo or 1.0) > 0.6
                color = "white" if dark else "black"
                text = fmt.format(grid[i, j])
                ax.text(j, i, text, ha="center", va="center", fontsize=8, color=color)
    ax.set_xticks(range(len(cols)), col_labels or cols)
    ax.set_yticks(range(len(rows)), row_labels or rows)
    ax.tick_params(length=0)
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_seed_strip(per_seed, ylabel, ax=None, title=None, log=True):
    """Each seed's value as a point, one column per label, the median as a bar.

    Args:
        per_seed: ``{label: (n,) values, one per seed}``, drawn in insertion order.
        ylabel: the quantity; log: a log-scale value axis (values ≤ 0 are not drawn).

    Returns the axes. Taught in: Part IV (the evidence page: the identity task, seed by
    seed).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(FIGSIZE[0] * 1.3, 3.6), layout="constrained")
    jitter = np.random.default_rng(0)  # spreads equal values sideways; a fixed draw
    for k, v in enumerate(per_seed.values()):
        v = np.asarray(v, dtype=float)
        x = k + jitter.uniform(-0.18, 0.18, v.size)
        ax.scatter(x, v, s=14, color=PALETTE[k % 8], alpha=0.7, lw=0)
        ax.plot([k - 0.3, k + 0.3], [np.median(v)] * 2, color="k", lw=1.6)
    ax.set_xticks(range(len(per_seed)), list(per_seed))
    ax.set(ylabel=ylabel, yscale="log" if log else "linear")
    if title:
        ax.set_title(title)
    return ax


def plot_threshold_curves(
    steps, log_mse, log_threshold, ax=None, title=None, ramp=None
):
    """Every run's extrapolation error against the training step, divided by its own
    success threshold (log10), so that 0 is the threshold; the median in black.

    Args:
        steps: ``(T,)`` training steps of the evaluations.
        log_mse: ``(n_runs, T)`` log10 extrapolation MSE of each run.
        log_threshold: ``(n_runs,)`` log10 of each run's threshold.
        ramp: optional ``(start, end)`` steps, shaded: where the regulariser rises.

    Returns the axes. Taught in: Part IV (the evidence page: Madsen & Johansen's task,
    seed by seed).
    """
    steps = np.asarray(steps, dtype=float)
    rel = np.asarray(log_mse, dtype=float) - np.asarray(log_threshold)[:, None]
    if rel.ndim != 2 or rel.shape[1] != steps.size:
        raise ValueError(
            f"log_mse must have shape (n_runs, {steps.size}), got {np.shape(log_mse)}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(FIGSIZE[0], 3.4), layout="constrained")
    if ramp is not None:
        ax.axvspan(*ramp, color=PALETTE[2], alpha=0.12, lw=0, label="regulariser ramp")
    for r in rel:
        ax.plot(steps, r, color=PALETTE[0], alpha=0.35, lw=0.8)
    ax.plot(steps, np.median(rel, axis=0), color="k", lw=1.6, label="median")
    ax.axhline(0.0, color=PALETTE[3], ls="--", lw=1.2, label="threshold")
    ax.set(xlabel="training step", ylabel="log10(MSE / threshold)")
    ax.legend(loc="upper right", frameon=False)
    if title:
        ax.set_title(title)
    return ax
