"""Figures of the continuous memories (Part III, chapters 1, 2, 4 and 5): strengths,
reads, push/pop schedules and gates.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from nmbook.plotting.style import FIGSIZE, PALETTE


def _finish_trace(ax, ticks, max_total, title, fontsize):
    """Shared axes of the memory-trace figures: one column per step labelled by its
    read, strength on y."""
    T = len(ticks)
    ax.set_xticks(range(T), ticks, fontsize=fontsize)
    ax.set_xlim(-0.6, T - 0.4)
    ax.set_ylim(0, max(1.05, max_total * 1.05))
    ax.set_ylabel("strength")
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax


def plot_memory_trace(strengths, weights, ax=None, labels=None, title=None, end="top"):
    """Draw a continuous memory over time in the style of Figure 1 of Grefenstette et
    al. (2015).

    Each column is the memory after step t: row i is a box of height ``strengths[t, i]``
    (bottom row first), labelled with its value; the hatched part of each box is what
    the read at step t takes from it (``weights[t, i]``), and the read is spelled out
    under the column.

    Args:
        strengths: ``(T, T)`` strengths after each step of ONE sequence (zero beyond row
            t).
        weights: ``(T, T)`` read weights (``nmbook.memory.read_weights`` of each row of
            ``strengths``).
        labels: names of the pushed values, default ``v1, v2, ...``.
        end: ``"top"`` for a stack (a read takes the top part of a row) or ``"bottom"``
            for a queue.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part III, chapter 1 (the neural stack) and chapter 5 (queues and deques).
    """
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
            ax.add_patch(
                Rectangle(
                    (t - 0.35, y), 0.7, h, facecolor=colours[i], edgecolor="0.2", lw=1
                )
            )
            w = weights[t, i]
            # a stack's read takes the top part of a row, a queue's the bottom part
            if w > 1e-12:
                y0 = y + h - w if end == "top" else y
                ax.add_patch(
                    Rectangle(
                        (t - 0.35, y0), 0.7, w, fill=False, hatch="///", lw=0, ec="0.35"
                    )
                )
            ax.text(
                t,
                y + h / 2,
                f"{labels[i]}: {h:.2g}",
                ha="center",
                va="center",
                fontsize=9,
            )
            y += h
        parts = [
            f"{weights[t, i]:.2g}·{labels[i]}"
            for i in range(t + 1)
            if weights[t, i] > 1e-12
        ]
        ticks.append(f"t = {t + 1}\nr = " + (" + ".join(parts) if parts else "0"))
    return _finish_trace(
        ax, ticks, float(strengths.sum(axis=1).max()), title, fontsize=9
    )


def plot_deque_trace(
    strengths, w_top, w_bot, ax=None, top_labels=None, bottom_labels=None, title=None
):
    """Draw a continuous deque over time, Figure-1 style: one column per step, rows
    stacked bottom to top.

    Each row is a box of height ``strengths[t, j]`` labelled with its value; the part
    the top read takes is hatched ``///`` and the part the bottom read takes ``\\\\\\``;
    both reads are spelled out under the column.

    Args:
        strengths: ``(T, 2T)`` strengths of ONE sequence in the centred layout of
            :func:`nmbook.memory.deque.deque_reads` (after step t the rows sit in slots
            ``T−1−t .. T+t``).
        w_top, w_bot: ``(T, 2T)`` read weights of the top and bottom reads in the same
            layout.
        top_labels, bottom_labels: names of the values pushed on top / at the bottom,
            default ``a1.. / b1..``.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part III, chapter 5 (queues and deques).
    """
    from matplotlib.patches import Rectangle

    s, wt, wb = (np.asarray(a, dtype=float) for a in (strengths, w_top, w_bot))
    T = s.shape[0]
    top_labels = top_labels or [f"a{i + 1}" for i in range(T)]
    bottom_labels = bottom_labels or [f"b{i + 1}" for i in range(T)]
    slot_label = [bottom_labels[T - 1 - j] for j in range(T)] + [
        top_labels[j] for j in range(T)
    ]
    colours = sns.color_palette("pastel", 2 * T)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.4 * T + 1.0, 4.4), layout="constrained")
    ticks = []
    for t in range(T):
        y = 0.0
        for j in range(T - 1 - t, T + 1 + t):
            h = s[t, j]
            if h <= 1e-12:
                continue
            ax.add_patch(
                Rectangle(
                    (t - 0.35, y), 0.7, h, facecolor=colours[j], edgecolor="0.2", lw=1
                )
            )
            if wb[t, j] > 1e-12:  # the bottom read takes the lower part of a row
                ax.add_patch(
                    Rectangle(
                        (t - 0.35, y),
                        0.7,
                        wb[t, j],
                        fill=False,
                        hatch="\\\\\\",
                        lw=0,
                        ec="0.45",
                    )
                )
            if wt[t, j] > 1e-12:  # the top read takes the upper part
                ax.add_patch(
                    Rectangle(
                        (t - 0.35, y + h - wt[t, j]),
                        0.7,
                        wt[t, j],
                        fill=False,
                        hatch="///",
                        lw=0,
                        ec="0.3",
                    )
                )
            ax.text(
                t,
                y + h / 2,
                f"{slot_label[j]}: {h:.2g}",
                ha="center",
                va="center",
                fontsize=9,
            )
            y += h

        def spell(w, t=t):
            # two terms a line, so that the labels of neighbouring columns do not run
            # into each other
            parts = [
                f"{w[t, j]:.2g}·{slot_label[j]}"
                for j in range(2 * T)
                if w[t, j] > 1e-12
            ]
            lines = [" + ".join(parts[k : k + 2]) for k in range(0, len(parts), 2)]
            return "\n+ ".join(lines) if lines else "0"

        ticks.append(f"t = {t + 1}\ntop: {spell(wt)}\nbottom: {spell(wb)}")
    return _finish_trace(ax, ticks, float(s.sum(axis=1).max()), title, fontsize=8)


def plot_push_pop_schedule(u, d, ax=None, title=None, marks=None):
    """Bars of the push strengths ``d_t`` and pop strengths ``u_t`` of ONE sequence,
    step by step.

    Args:
        u, d: ``(T,)`` pop and push strengths in [0, 1].
        marks: optional ``{label: (first_step, last_step)}`` phases (1-based, inclusive)
            shaded behind the bars, e.g. ``{"input": (1, 4), "output": (5, 8)}``.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part III, chapter 2 (learning a push/pop schedule) and the controller
    chapters (learned gates).
    """

    u, d = np.asarray(u, dtype=float), np.asarray(d, dtype=float)
    steps = np.arange(1, len(u) + 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(FIGSIZE[0], 2.8), layout="constrained")
    for k, (label, (lo, hi)) in enumerate((marks or {}).items()):
        ax.axvspan(lo - 0.5, hi + 0.5, color=PALETTE[7 - k], alpha=0.12, lw=0)
        ax.text((lo + hi) / 2, 1.07, label, ha="center", va="bottom", fontsize=9)
    ax.bar(steps - 0.18, d, width=0.36, color=PALETTE[0], label="push $d_t$")
    ax.bar(steps + 0.18, u, width=0.36, color=PALETTE[1], label="pop $u_t$")
    ax.set(xlabel="step $t$", ylabel="strength", ylim=(0, 1.2), xticks=steps)
    ax.set_yticks([0, 0.5, 1])
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    return ax


def plot_gate_heatmaps(d, u, lengths=None, axes=None, title=None):
    """Heatmaps of the push strengths ``d_t`` and pop strengths ``u_t`` of several
    sequences, side by side.

    Args:
        d, u: ``(N, T)`` gates of N sequences (one row each; e.g.
            ``model.trace.d.T`` after a forward pass).
        lengths: optional ``(N,)`` input lengths L. The rows are then labelled by their
            length, a white tick marks the delimiter step ``L + 1`` of each row, and
            steps after ``2L + 1`` (padding) are left blank.
        axes: two Axes to draw on (a new figure when None).

    Returns:
        The two ``matplotlib.axes.Axes`` drawn on.

    Taught in: Part III, chapter 4 (is the controller using its stack?).
    """

    d, u = np.asarray(d, dtype=float), np.asarray(u, dtype=float)
    N, T = d.shape
    if axes is None:
        _, axes = plt.subplots(
            1, 2, figsize=(FIGSIZE[0] * 1.6, 0.35 * N + 1.4), layout="constrained"
        )
    valid = np.ones((N, T), dtype=bool)
    if lengths is not None:
        lengths = np.asarray(lengths)
        valid = np.arange(T)[None, :] <= 2 * lengths[:, None]
    for ax, g, name in zip(axes, (d, u), ("push $d_t$", "pop $u_t$"), strict=True):
        im = ax.imshow(
            np.ma.masked_where(~valid, g),
            aspect="auto",
            cmap="viridis",
            vmin=0,
            vmax=1,
            interpolation="nearest",
            extent=(0.5, T + 0.5, N - 0.5, -0.5),
        )
        ax.set(xlabel="step $t$", ylabel="sequence", title=name)
        if lengths is not None:
            ax.scatter(lengths + 1, np.arange(N), marker="|", color="white", s=60)
            ax.set_yticks(np.arange(N), [str(L) for L in lengths])
            ax.set_ylabel("sequence length $L$")
        ax.grid(False)
    plt.colorbar(im, ax=axes, shrink=0.9, label="strength")
    if title:
        axes[0].figure.suptitle(title)
    return axes


def plot_strength_profile(strengths, ax=None, title=None, length=None):
    """The strengths of ONE memory over time: row t of the image is ``s_t`` (the memory
    after step t).

    Rows not pushed yet (``i > t``) are drawn light grey and hatched, apart from every
    strength in the colour scale (whose ends, 0 and 1, are dark purple and yellow), and
    a legend names them.

    Args:
        strengths: ``(T, T)`` strengths of one sequence
            (``model.trace.strengths[:, b]``), zero beyond row t.
        length: optional input length L; dashed lines mark the end of the input phase
            (with its delimiter, step L + 1) and of the output phase (step 2L + 1).

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part III, chapter 4 (the stack's strength profile).
    """
    from matplotlib.patches import Patch, Rectangle

    s = np.asarray(strengths, dtype=float)
    T = s.shape[0]
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.0), layout="constrained")
    not_pushed = {"facecolor": "0.93", "edgecolor": "0.65", "hatch": "///", "lw": 0}
    # behind the image: the masked cells (rows not pushed yet) let it show through
    ax.add_patch(Rectangle((0.5, 0.5), T, T, zorder=0, **not_pushed))
    exists = np.arange(T)[None, :] <= np.arange(T)[:, None]
    im = ax.imshow(
        np.ma.masked_where(~exists, s),
        cmap="viridis",
        vmin=0,
        vmax=1,
        interpolation="nearest",
        extent=(0.5, T + 0.5, T + 0.5, 0.5),
        zorder=1,
    )
    if length is not None:
        for y in (length + 1.5, 2 * length + 1.5):
            ax.axhline(y, color="0.3", ls="--", lw=1, zorder=2)
    ax.set(xlabel="memory row $i$ (pushed at step $i$)", ylabel="step $t$")
    ax.grid(False)
    ax.legend(
        handles=[Patch(label="row not pushed yet", **(not_pushed | {"lw": 0.8}))],
        loc="upper right",
        fontsize=8,
        frameon=True,
        facecolor="white",
        framealpha=1.0,
    )
    plt.colorbar(im, ax=ax, shrink=0.9, label="strength $s_t[i]$")
    if title:
        ax.set_title(title)
    return ax
