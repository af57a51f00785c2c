"""Figures of the trained memory controllers (Part III, chapters 3–5): the controller's
diagram, accuracy by length, the memory sweep.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from nmbook.plotting.style import FIGSIZE, PALETTE


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
