"""Figures of Part II (an RNN from scratch: unfolding in time, the optimisers'
look-ahead)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from nmbook.plotting.style import FIGSIZE, PALETTE


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
            step.
        lr, mu: the learning rate ``η > 0`` and momentum ``0 <= μ < 1``.
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
