"""Figures of the trained memory controllers (Part III, chapters 3–5): the controller's
diagram, accuracy by length, the memory sweep, gate sharpness against length.
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


#: One look per memory (colour, line style, marker), the same in every figure of Part
#: III; other labels take a fixed cycle in order. Colours differ in hue and
#: lightness, and the line style and marker tell the curves apart where they coincide.
MEMORY_LOOKS = {
    "none": (PALETTE[7], ":", "x"),
    "stack": (PALETTE[0], "-", "o"),
    "queue": (PALETTE[1], "--", "s"),
    "deque": (PALETTE[2], "-.", "D"),
    "deque (top push)": (PALETTE[4], (0, (1, 1)), "^"),
}
_CURVE_LOOKS = [
    (PALETTE[0], "-", "o"),
    (PALETTE[1], "--", "s"),
    (PALETTE[2], "-.", "D"),
    (PALETTE[4], ":", "^"),
    (PALETTE[5], (0, (5, 1, 1, 1)), "v"),
    (PALETTE[7], (0, (1, 1)), "P"),
]


def curve_look(label: str, k: int) -> tuple:
    """``(colour, line style, marker)`` of the ``k``-th curve, named ``label``: a
    memory's own look from ``MEMORY_LOOKS`` when ``label`` names a memory, else the
    ``k``-th of a fixed cycle."""
    return MEMORY_LOOKS.get(label, _CURVE_LOOKS[k % len(_CURVE_LOOKS)])


def _layer_widths(k: int) -> tuple[float, float]:
    """Line width and marker size of the ``k``-th curve: each drawn thinner and smaller
    than the one before, so a curve that lies on an earlier one leaves it visible on
    both sides."""
    return max(3.2 - 0.7 * k, 1.0), max(8.0 - 1.2 * k, 3.5)


def plot_accuracy_by_length(
    results,
    train_max=None,
    ax=None,
    title=None,
    ylabel="whole-sequence accuracy",
    logx=False,
):
    """Accuracy against test length, one line per model.

    Args:
        results: ``{label: {length: accuracy}}`` (accuracy in [0, 1]); e.g. the coarse
            accuracies of ``nmbook.seqtrain.accuracy_by_length``.
        train_max: optional longest training length, drawn as a shaded band
            ``1..train_max``.
        logx: a logarithmic length axis, ticked at the tested lengths (for lengths that
            double, 8, 16, 32, 64).

    Curves differ in colour, line style and (hollow) marker, and each is drawn thinner
    than the one before, so that curves that coincide (two models at 0) stay visible.

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part III, chapters 3–5 (length generalisation of controllers).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    lengths = sorted({n for accs in results.values() for n in accs})
    if train_max is not None:
        left = lengths[0] / 1.25 if logx else 0.5
        ax.axvspan(
            left,
            train_max + 0.5,
            color=PALETTE[7],
            alpha=0.15,
            lw=0,
            label="trained lengths",
        )
    for k, (label, accs) in enumerate(results.items()):
        colour, ls, marker = curve_look(label, k)
        lw, ms = _layer_widths(k)
        L = sorted(accs)
        ax.plot(
            L,
            [accs[n] for n in L],
            ls=ls,
            marker=marker,
            ms=ms,
            mfc="white",
            mew=1.4,
            lw=lw,
            color=colour,
            label=label,
        )
    ax.set(xlabel="sequence length", ylabel=ylabel, ylim=(-0.04, 1.04))
    if logx:
        ax.set(
            xscale="log",
            xlim=(lengths[0] / 1.25, lengths[-1] * 1.25),
            xticks=lengths,
            xticklabels=[str(n) for n in lengths],
        )
        ax.minorticks_off()
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    return ax


def plot_memory_sweep(
    rows, tasks, models, lengths, paper=None, axes=None, title=None, dodge=0.08
):
    """Whole-sequence accuracy against test length over seeds, one panel per task and
    one line per memory.

    Args:
        rows: the rows of a ``benchmarks/memory_tasks*.csv`` file (``task``, ``model``,
            ``seed`` and ``coarse_<L>`` for every ``L`` in ``lengths``), e.g. from
            ``csv.DictReader``.
        tasks, models: which panels and which lines, in order.
        paper: optional ``{(task, model): accuracy}`` drawn as a large star with a black
            edge, in the memory's colour, at the first length above the training lengths
            (``lengths[1]``), e.g. a paper's test accuracy at about twice its training
            length.
        dodge: each memory's points are shifted along the (logarithmic) length axis by
            this fraction per memory, so that memories with equal accuracy sit side by
            side instead of on top of each other.

    The line is the median over seeds (each memory with its own colour, line style and
    marker, ``MEMORY_LOOKS``); each seed is a small dot. Returns the axes.

    Taught in: Part III, chapter 5 (queues, deques and the right memory for the job).
    """
    if axes is None:
        _, axes = plt.subplots(
            1,
            len(tasks),
            figsize=(4.2 * len(tasks) + 2.4, 3.6),
            layout="constrained",
            sharey=True,
        )
    axes = np.atleast_1d(axes)
    Ls = np.asarray(lengths, dtype=float)
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
            colour, ls, marker = curve_look(model, k)
            lw, ms = _layer_widths(k)
            x = Ls * (1 + dodge) ** (k - (len(models) - 1) / 2)
            for seed_accs in accs:
                ax.plot(x, seed_accs, ".", ms=3, color=colour, alpha=0.4)
            ax.plot(
                x,
                np.median(accs, axis=0),
                ls=ls,
                marker=marker,
                ms=ms * 0.8,
                mfc="white",
                mew=1.3,
                lw=lw * 0.8,
                color=colour,
                label=f"{model} ({len(accs)} seeds)",
            )
            if paper and (task, model) in paper:
                ax.plot(
                    [x[1]],
                    [paper[task, model]],
                    "*",
                    ms=13,
                    mfc=colour,
                    mec="black",
                    mew=1.0,
                    zorder=5,
                )
        ax.set(
            xscale="log",
            xlim=(Ls[0] / 1.45, Ls[-1] * 1.45),
            xticks=list(lengths),
            xticklabels=[str(L) for L in lengths],
            xlabel="sequence length",
            ylim=(-0.04, 1.06),
            title=task,
        )
        ax.minorticks_off()
    axes[0].set_ylabel("whole-sequence accuracy")
    handles, labels = axes[-1].get_legend_handles_labels()
    if paper:
        handles.append(
            plt.Line2D([], [], ls="none", marker="*", ms=12, mfc="0.7", mec="black")
        )
        labels.append("the paper, test lengths\n(in the memory's colour)")
    axes[-1].legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        axes[0].figure.suptitle(title)
    return axes


def plot_rates_by_length(rates, ax=None, title=None, dodge=0.03):
    """Share of seeds that pass a test at each length, with 95% Wilson intervals, one
    line per recipe.

    Args:
        rates: ``{label: {length: (k, n)}}``: ``k`` of ``n`` seeds pass at that length
            (e.g. ≥ 99% whole-sequence accuracy).
        dodge: each recipe's points are shifted along the (logarithmic) length axis by
            this fraction per recipe, so that intervals of equal rates do not overlap.

    The point is ``k / n`` and the bar its interval
    (:func:`nmbook.stats.wilson_interval`). Returns the axes.

    Taught in: Part III, the evidence page (the recipes of chapter 3 over seeds).
    """
    from nmbook.stats import wilson_interval

    if ax is None:
        _, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    lengths = sorted({L for by_len in rates.values() for L in by_len})
    for k, (label, by_len) in enumerate(rates.items()):
        colour, ls, marker = curve_look(label, k)
        L = sorted(by_len)
        p = np.array([by_len[n][0] / by_len[n][1] for n in L])
        lo, hi = np.array([wilson_interval(*by_len[n]) for n in L]).T
        x = np.asarray(L, dtype=float) * (1 + dodge) ** (k - (len(rates) - 1) / 2)
        ax.errorbar(
            x,
            p,
            yerr=np.clip([p - lo, hi - p], 0.0, None),  # rounding can leave -1e-17
            ls=ls,
            marker=marker,
            ms=6,
            mfc="white",
            mew=1.3,
            lw=1.6,
            capsize=2.5,
            color=colour,
            label=label,
        )
    ax.set(
        xscale="log",
        xlim=(lengths[0] / 1.3, lengths[-1] * 1.3),
        xticks=lengths,
        xticklabels=[str(n) for n in lengths],
        xlabel="sequence length",
        ylabel="share of seeds at ≥ 99%",
        ylim=(-0.04, 1.04),
    )
    ax.minorticks_off()
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    return ax


def label_deque_reads(ax):
    """Finish a :func:`nmbook.plotting.memory.plot_deque_trace` figure for the reader:
    a legend for its hatchings (crossed where both reads take the same strength), and
    each row's name moved beside its box, off the hatching.

    Args:
        ax: the axes that ``plot_deque_trace`` returned.

    Returns:
        ``matplotlib.axes.Axes`` — the same axes.

    Taught in: Part III, chapter 5 (the deque's worked example).
    """
    from matplotlib.patches import Patch

    half_width = 0.35  # plot_deque_trace's boxes span t ± 0.35
    for text in ax.texts:
        x, y = text.get_position()
        text.set_position((x + half_width + 0.03, y))
        text.set_horizontalalignment("left")
        text.set_fontsize(8)
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo, hi + 0.3)
    handles = [
        Patch(facecolor="white", edgecolor="0.3", hatch="///", label="top read"),
        Patch(facecolor="white", edgecolor="0.45", hatch="\\\\\\", label="bottom read"),
        Patch(facecolor="white", edgecolor="0.4", hatch="///\\\\\\", label="both"),
    ]
    ax.legend(
        handles=handles,
        title="taken by the",
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        handleheight=1.6,
    )
    return ax


def plot_gate_sharpness(sharpness, longest, groups=None, max_tested=64, ax=None):
    """The longest length a run reverses against its gates' sharpness, one point per
    run, with the curve ``L*(δ) = ⌈1/(2(1 − δ))⌉`` of a stack pushed with strength δ.

    Args:
        sharpness: ``(n,)`` gate sharpness δ in (0, 1) per run
            (:func:`nmbook.gate_stats.gate_sharpness`); drawn as the leak ``1 − δ`` on
            a logarithmic axis.
        longest: ``(n,)`` the longest length ``L`` such that every length up to ``L``
            is reversed (e.g. ``longest_99`` of ``reversal_seeds.csv``), ≥ 1.
        groups: optional ``(n,)`` labels (e.g. solved or not); each label gets its own
            colour and marker and a legend entry.
        max_tested: the longest length tested, drawn as a dotted line (a run there may
            reach further).

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part III, chapter 3 (why saturated gates).
    """
    from nmbook.gate_stats import reversal_length_bound

    delta = np.asarray(sharpness, dtype=float)
    L = np.asarray(longest, dtype=float)
    if delta.shape != L.shape or delta.ndim != 1:
        raise ValueError(
            f"sharpness and longest must be 1-D of one length, got {delta.shape} and "
            f"{L.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    labels = np.asarray(["runs"] * len(L) if groups is None else groups, dtype=object)
    for k, label in enumerate(dict.fromkeys(labels)):
        pick = labels == label
        colour, _, marker = _CURVE_LOOKS[k % len(_CURVE_LOOKS)]
        ax.scatter(
            1.0 - delta[pick],
            L[pick],
            s=22,
            marker=marker,
            facecolors="none" if k else colour,
            edgecolors=colour,
            alpha=0.7,
            lw=1.1,
            label=f"{label} ({int(pick.sum())})",
        )
    leak = np.geomspace(1e-3, 0.999, 600)
    ax.plot(
        leak,
        reversal_length_bound(1.0 - leak),
        drawstyle="steps-mid",
        color="0.15",
        lw=1.6,
        label=r"$L^*(\delta) = \lceil 1/(2(1-\delta)) \rceil$",
    )
    ax.axhline(max_tested, color="0.5", ls=":", lw=1.2, label="longest length tested")
    ticks = [2**i for i in range(int(np.log2(max_tested)) + 1)]
    ax.set(
        xscale="log",
        yscale="log",
        xlim=(1e-3, 1.0),
        ylim=(0.8, max_tested * 2),
        yticks=ticks,
        yticklabels=[str(t) for t in ticks],
        xlabel=r"leak $1 - \delta$ of the least sharp gate",
        ylabel="longest length reversed",
    )
    ax.minorticks_off()
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
