"""The book's figure style and the figures that more than one chapter draws.

This is the only nmbook module that imports matplotlib and seaborn; the numeric modules
import NumPy alone. Taught in: every chapter (the first code cell calls
:func:`use_book_style`).
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

#: One colour per role, used consistently across chapters (colour-blind safe, seaborn's
# "colorblind").
PALETTE = sns.color_palette("colorblind", 8)
FIGSIZE = (6.4, 3.6)


def use_book_style() -> None:
    """Apply the book's one figure style: seaborn whitegrid theme, colour-blind palette,
    size, fonts.

    Figures are stored as PNG (the inline default): nbval does not compare images, only
    text, so a figure never makes a notebook "drift"; the numbers it shows are printed
    and asserted in the notebook instead.
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


def new_figure(
    ncols: int = 1,
    nrows: int = 1,
    width: float | None = None,
    height: float | None = None,
    **kw,
):
    """``plt.subplots`` with the book's default size scaled by the grid; returns
    ``(fig, axes)``."""
    w = (
        width
        if width is not None
        else FIGSIZE[0] * (1 if ncols == 1 else min(ncols, 3) * 0.55)
    )
    h = (
        height
        if height is not None
        else FIGSIZE[1] * (1 if nrows == 1 else nrows * 0.8)
    )
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
    import numpy as np

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
    import numpy as np

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


def plot_gate_heatmaps(d, u, lengths=None, axes=None, title=None):
    """Heatmaps of the push strengths ``d_t`` and pop strengths ``u_t`` of several
    sequences, side by side.

    Args:
        d, u: ``(N, T)`` gates of N sequences (one row each; e.g. ``model.d.T`` after a
        forward pass).
        lengths: optional ``(N,)`` input lengths L; a white tick marks the delimiter
            step ``L + 1`` of each row and steps after ``2L + 1`` (padding) are masked
            out.
        axes: two Axes to draw on (a new figure when None).

    Returns:
        The two ``matplotlib.axes.Axes`` drawn on.

    Taught in: Part III, chapter 4 (is the controller using its stack?) and chapter 5
    (queues and deques).
    """
    import numpy as np

    d, u = np.asarray(d, dtype=float), np.asarray(u, dtype=float)
    N, T = d.shape
    if axes is None:
        _, axes = plt.subplots(
            1, 2, figsize=(FIGSIZE[0] * 1.6, 0.35 * N + 1.4), layout="constrained"
        )
    valid = np.ones((N, T), dtype=bool)
    if lengths is not None:
        valid = np.arange(T)[None, :] <= 2 * np.asarray(lengths)[:, None]
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
        if lengths is not None:
            ax.scatter(
                np.asarray(lengths) + 1, np.arange(N), marker="|", color="white", s=60
            )
        ax.set(xlabel="step $t$", ylabel="sequence", title=name)
        ax.grid(False)
    plt.colorbar(im, ax=axes, shrink=0.9, label="strength")
    if title:
        axes[0].figure.suptitle(title)
    return axes


def plot_strength_profile(strengths, ax=None, title=None, length=None):
    """The strengths of ONE memory over time: row t of the image is ``s_t`` (the memory
    after step t).

    Args:
        strengths: ``(T, T)`` strengths of one sequence (``model.strengths[:, b, :]``),
            zero beyond row t.
        length: optional input length L; dashed lines mark the end of the input and of
            the output phase.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part III, chapter 4 (the stack's strength profile) and chapter 5 (queues
    and deques).
    """
    import numpy as np

    s = np.asarray(strengths, dtype=float)
    T = s.shape[0]
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.8), layout="constrained")
    exists = np.arange(T)[None, :] <= np.arange(T)[:, None]
    im = ax.imshow(
        np.ma.masked_where(~exists, s),
        cmap="magma",
        vmin=0,
        vmax=1,
        interpolation="nearest",
        extent=(0.5, T + 0.5, T + 0.5, 0.5),
    )
    if length is not None:
        for y in (length + 1.5, 2 * length + 1.5):
            ax.axhline(y, color="0.6", ls="--", lw=1)
    ax.set(xlabel="memory row $i$ (pushed at step $i$)", ylabel="step $t$")
    ax.grid(False)
    plt.colorbar(im, ax=ax, shrink=0.9, label="strength $s_t[i]$")
    if title:
        ax.set_title(title)
    return ax


def plot_accuracy_by_length(
    results, train_max=None, ax=None, title=None, ylabel="whole-sequence accuracy"
):
    """Accuracy against test length, one line per model.

    Args:
        results: ``{label: {length: accuracy}}`` (accuracy in [0, 1]); e.g. the coarse
            accuracies of ``nmbook.seqtrain.accuracy_by_length``.
        train_max: optional longest training length, drawn as a shaded band
            ``1..train_max``.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part III, chapters 3–5 (length generalisation of controllers).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    if train_max is not None:
        ax.axvspan(
            0.5,
            train_max + 0.5,
            color=PALETTE[7],
            alpha=0.15,
            lw=0,
            label="trained lengths",
        )
    markers = "osD^vP*X"
    for k, (label, accs) in enumerate(results.items()):
        L = sorted(accs)
        ax.plot(
            L,
            [accs[n] for n in L],
            marker=markers[k % len(markers)],
            ms=3.5,
            lw=1.5,
            color=PALETTE[k],
            label=label,
        )
    ax.set(xlabel="sequence length", ylabel=ylabel, ylim=(-0.03, 1.03))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    return ax


def plot_memory_sweep(rows, tasks, models, lengths, paper=None, axes=None, title=None):
    """Whole-sequence accuracy against test length over seeds, one panel per task and
    one line per memory.

    Args:
        rows: the rows of a ``benchmarks/memory_tasks*.csv`` file (``task``, ``model``,
            ``seed`` and ``coarse_<L>`` for every ``L`` in ``lengths``), e.g. from
            ``csv.DictReader``.
        tasks, models: which panels and which lines, in order.
        paper: optional ``{(task, model): accuracy}`` drawn as a hollow star at the
            first length above the training lengths (``lengths[1]``), e.g. a paper's
            test accuracy at about twice its training length.

    The line is the median over seeds; each seed is a small dot. Returns the axes.

    Taught in: Part III, chapter 5 (queues, deques and the right memory for the job).
    """
    if axes is None:
        _, axes = plt.subplots(
            1,
            len(tasks),
            figsize=(4.2 * len(tasks) + 2.0, 3.4),
            layout="constrained",
            sharey=True,
        )
    axes = np.atleast_1d(axes)
    markers = "osD^vP*X"
    for ax, task in zip(axes, tasks, strict=True):
        for k, model in enumerate(models):
            accs = np.array(
                [
                    [float(r[f"coarse_{L}"]) for L in lengths]
                    for r in rows
                    if (r["task"], r["model"]) == (task, model)
                ]
            )
            if accs.size == 0:
                continue
            colour = PALETTE[k % len(PALETTE)]
            for seed_accs in accs:
                ax.plot(lengths, seed_accs, ".", ms=3, color=colour, alpha=0.35)
            ax.plot(
                lengths,
                np.median(accs, axis=0),
                marker=markers[k % len(markers)],
                ms=4,
                lw=1.5,
                color=colour,
                label=f"{model} ({len(accs)} seeds)",
            )
            if paper and (task, model) in paper:
                ax.plot(
                    [lengths[1]],
                    [paper[task, model]],
                    "*",
                    ms=11,
                    mfc="none",
                    mec=colour,
                    mew=1.3,
                )
        ax.set(
            xscale="log",
            xticks=list(lengths),
            xticklabels=[str(L) for L in lengths],
            xlabel="sequence length",
            ylim=(-0.03, 1.03),
            title=task,
        )
        ax.minorticks_off()
    axes[0].set_ylabel("whole-sequence accuracy")
    handles, labels = axes[-1].get_legend_handles_labels()
    if paper:
        handles.append(
            plt.Line2D([], [], ls="none", marker="*", ms=11, mfc="none", mec="0.3")
        )
        labels.append("the paper (test lengths)")
    axes[-1].legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        axes[0].figure.suptitle(title)
    return axes


def draw_controller_diagram(ax=None, memory_name="stack"):
    """A block diagram of one step of a memory-augmented controller (Grefenstette et al.
    2015, section 3.4).

    The cell reads ``[x_t, r_{t-1}]``; its state ``h_t`` drives the push, pop and value
    heads and, with the fresh read ``r_t``, the output ``o_t``; ``r_t`` is fed back at
    the next step.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part III, chapter 3 (a controller that reverses) and chapter 5 (queues
    and deques).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(FIGSIZE[0] * 1.2, 3.2), layout="constrained")
    boxes = {
        "x": (0.05, 0.78, "$x_t$", 7),
        "rp": (0.05, 0.30, "$r_{t-1}$", 7),
        "h": (0.27, 0.55, "RNN cell\n$h_t$", 0),
        "g": (
            0.50,
            0.55,
            "heads\n$d_t=\\sigma(\\cdot)$, $u_t=\\sigma(\\cdot)$\n$v_t=\\tanh(\\cdot)$",
            2,
        ),
        "m": (0.74, 0.55, f"continuous {memory_name}\n$(V_t, s_t)$", 1),
        "o": (0.74, 0.12, "output\n$o_t = W_o[h_t, r_t] + b_o$", 4),
        "r": (0.94, 0.55, "$r_t$", 7),
    }
    texts = {}
    for key, (x0, y0, text, c) in boxes.items():
        texts[key] = ax.text(
            x0,
            y0,
            text,
            ha="center",
            va="center",
            fontsize=9.5,
            bbox={
                "boxstyle": "round,pad=0.45",
                "fc": PALETTE[c],
                "alpha": 0.25,
                "ec": PALETTE[c],
            },
        )

    def link(a, b, xa=(1.0, 0.5), xb=(0.0, 0.5), **kw):
        style = {
            "arrowstyle": "->",
            "color": "0.3",
            "lw": 1.2,
            "shrinkA": 6,
            "shrinkB": 6,
            **kw,
        }
        ax.annotate(
            "",
            xy=xb,
            xycoords=texts[b],
            xytext=xa,
            textcoords=texts[a],
            arrowprops=style,
        )

    for a, b in (("x", "h"), ("rp", "h"), ("h", "g"), ("g", "m"), ("m", "r")):
        link(a, b)
    link("h", "o", xa=(0.5, 0.0))
    link("r", "o", xa=(0.5, 0.0), xb=(1.0, 0.5))
    link(
        "r",
        "rp",
        xa=(0.5, 0.0),
        xb=(0.5, 0.0),
        ls="--",
        connectionstyle="bar,fraction=-0.12",
    )
    ax.text(
        0.5,
        0.95,
        "dashed: $r_t$ becomes the next step's $r_{t-1}$",
        ha="center",
        fontsize=9,
        color="0.3",
    )
    ax.set(xlim=(0, 1), ylim=(-0.05, 1.0))
    ax.axis("off")
    return ax


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
        layout. top_labels, bottom_labels: names of the values pushed on top / at the
        bottom, default ``a1.. / b1..``.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part III, chapter 5 (queues and deques).
    """
    import numpy as np
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


def draw_unfolded_rnn(ax=None, steps=4, labels=None):
    """An Elman RNN unfolded over ``steps`` time steps: inputs, hidden states, outputs,
    and the shared weights.

    Solid arrows are the forward pass (``x_t → h_t`` by ``W_x``, ``h_{t-1} → h_t`` by
    ``W_h``, ``h_t → z_t`` by ``w``); dashed arrows are where backpropagation through
    time sends the gradient back: from every output and from the next step into ``h_t``.

    Args:
        steps: number of unfolded steps drawn (the last one is followed by "…").
        labels: optional ``(input, output)`` text per step, e.g. the bits of a worked
            example.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part II (*An RNN from scratch, part 2: binary addition*).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(FIGSIZE[0] * 1.25, 3.6), layout="constrained")
    rows = {"x": 0.12, "h": 0.50, "z": 0.88}
    xs = [0.22 + i * (0.70 / max(steps, 1)) for i in range(steps)]
    node = {"boxstyle": "round,pad=0.35", "alpha": 0.25}
    texts = {}

    def box(key, x, y, text, c):
        texts[key] = ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=9.5,
            bbox={**node, "fc": PALETTE[c], "ec": PALETTE[c]},
        )

    box("h-1", 0.05, rows["h"], "$h_{-1}=0$", 7)
    for t, x in enumerate(xs):
        xin, zout = labels[t] if labels is not None else ("", "")
        box(f"x{t}", x, rows["x"], f"$x_{{{t}}}$" + (f"\n{xin}" if xin else ""), 0)
        box(f"h{t}", x, rows["h"], f"$h_{{{t}}}$", 2)
        box(
            f"z{t}",
            x,
            rows["z"],
            f"$z_{{{t}}}\\to p_{{{t}}}$" + (f"\n{zout}" if zout else ""),
            4,
        )

    def link(a, b, label=None, xa=(0.5, 1.0), xb=(0.5, 0.0), backward=False):
        style = {
            "arrowstyle": "->",
            "lw": 1.2,
            "shrinkA": 4,
            "shrinkB": 4,
            "color": PALETTE[3] if backward else "0.3",
            "ls": "--" if backward else "-",
        }
        ax.annotate(
            "",
            xy=xb,
            xycoords=texts[b],
            xytext=xa,
            textcoords=texts[a],
            arrowprops=style,
        )

    for t in range(steps):
        link(f"x{t}", f"h{t}")
        link(f"h{t}", f"z{t}")
        prev = "h-1" if t == 0 else f"h{t - 1}"
        link(prev, f"h{t}", xa=(1.0, 0.6), xb=(0.0, 0.6))
        link(f"h{t}", prev, xa=(0.0, 0.3), xb=(1.0, 0.3), backward=True)
        link(f"z{t}", f"h{t}", xa=(0.85, 0.0), xb=(0.85, 1.0), backward=True)
    y_mid = rows["h"]
    ax.text(
        xs[-1] + 0.09, y_mid, "…", ha="center", va="center", fontsize=14, color="0.3"
    )
    for x in xs:
        ax.text(x - 0.012, 0.31, "$W_x$", ha="right", fontsize=8.5, color="0.3")
        ax.text(x - 0.012, 0.69, "$w, c$", ha="right", fontsize=8.5, color="0.3")
    for x0, x1 in zip([0.05, *xs[:-1]], xs, strict=True):
        ax.text(
            0.5 * (x0 + x1),
            y_mid + 0.05,
            "$W_h$",
            ha="center",
            fontsize=8.5,
            color="0.3",
        )
    ax.text(
        xs[-1] + 0.09,
        0.2,
        "the same $W_x, W_h, b, w, c$\nat every step",
        ha="center",
        fontsize=8,
        color="0.3",
    )
    ax.text(
        0.5,
        -0.04,
        ("solid: forward pass; dashed: gradients of backpropagation through time"),
        ha="center",
        va="center",
        fontsize=8.5,
        color="0.3",
    )
    ax.set(xlim=(0, 1), ylim=(-0.08, 1.0))
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


def plot_momentum_lookahead(
    theta, velocity, lr=0.08, mu=0.9, curvature=(1.0, 10.0), axes=None
):
    """One step of classical and of Nesterov momentum on ``f(θ) = ½ Σ_k c_k θ_k²``, side
    by side.

    Both steps start at ``theta`` with the velocity ``velocity`` left by earlier steps
    and end at ``θ + μ v − η ∇f(q)``; they differ only in the point ``q`` where the
    gradient is taken: ``q = θ`` for classical momentum, the look-ahead point ``q = θ +
    μ v`` for Nesterov's. Each panel draws the loss's contours, the momentum part ``μ
    v`` from ``θ``, the gradient part ``−η ∇f(q)`` from the end of the momentum part, a
    dot at ``q`` and the resulting step.

    Args:
        theta, velocity: ``(2,)`` arrays, the parameters and the velocity before the
        step. lr, mu: the learning rate ``η > 0`` and momentum ``0 <= μ < 1``.
        curvature: ``(c_1, c_2)``, both positive: an elongated valley when they differ.
        axes: two axes to draw on (default: a new figure).

    Returns ``(axes, ends)`` with ``ends = {"classical": θ_new, "Nesterov": θ_new}``,
    each a ``(2,)`` array. Taught in: Part II (the post's optimiser).
    """
    theta, velocity, c = (
        np.asarray(v, dtype=float) for v in (theta, velocity, curvature)
    )
    for name, v in (("theta", theta), ("velocity", velocity), ("curvature", c)):
        if v.shape != (2,) or not np.all(np.isfinite(v)):
            raise ValueError(f"{name} must be 2 finite numbers, got {v!r}")
    if not np.all(c > 0):
        raise ValueError(f"curvature must be positive, got {curvature!r}")
    if not lr > 0 or not 0 <= mu < 1:
        raise ValueError(f"need lr > 0 and 0 <= mu < 1, got lr={lr!r}, mu={mu!r}")
    if axes is None:
        _, axes = plt.subplots(
            1, 2, figsize=(10.0, 3.8), layout="constrained", sharex=True, sharey=True
        )
    ahead = theta + mu * velocity
    ends = {"classical": ahead - lr * c * theta, "Nesterov": ahead - lr * c * ahead}
    pts = np.array([theta, ahead, *ends.values(), np.zeros(2)])
    (x0, y0), (x1, y1) = pts.min(axis=0) - 0.35, pts.max(axis=0) + 0.35
    g1, g2 = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    loss = 0.5 * (c[0] * g1**2 + c[1] * g2**2)
    for ax, (name, q) in zip(
        axes, (("classical", theta), ("Nesterov", ahead)), strict=True
    ):
        ax.contour(
            g1,
            g2,
            loss,
            levels=np.quantile(loss, np.linspace(0.02, 0.98, 14)),
            colors="0.8",
            linewidths=0.7,
        )
        ax.axhline(0, color="0.85", lw=0.8, ls=":")
        arrow = dict(arrowstyle="-|>", lw=1.8, shrinkA=0, shrinkB=0)
        ax.annotate("", ahead, theta, arrowprops={**arrow, "color": PALETTE[0]})
        ax.annotate("", ends[name], ahead, arrowprops={**arrow, "color": PALETTE[3]})
        ax.annotate(
            "",
            ends[name],
            theta,
            arrowprops={**arrow, "color": "0.2", "ls": "--", "lw": 1.2},
        )
        ax.plot(*q, "o", ms=7, color=PALETTE[3], zorder=3)
        ax.plot(*theta, "o", ms=5, color="0.2", zorder=3)
        ax.plot(0, 0, "*", ms=10, color="0.4")
        ax.text(*theta, "  θ", va="bottom", fontsize=10)
        ax.set_title(
            f"{name} momentum: gradient taken at "
            + ("θ" if name == "classical" else "θ + μv"),
            fontsize=10,
        )
        ax.set_aspect("equal")
        ax.grid(False)
    axes[0].plot([], [], color=PALETTE[0], lw=1.8, label="momentum part μv")
    axes[0].plot(
        [],
        [],
        color=PALETTE[3],
        lw=1.8,
        label="gradient part −η∇f (dot: where it is taken)",
    )
    axes[0].plot([], [], color="0.2", ls="--", lw=1.2, label="the step")
    axes[0].legend(loc="upper right", fontsize=8)
    return axes, ends
