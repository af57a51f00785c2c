"""Figures of Part II (an RNN from scratch: unfolding in time, the optimisers'
look-ahead)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

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

    Both steps start at ``theta`` with the velocity ``V = velocity`` left by earlier
    steps and end at ``θ + μ V − η ∇f(q)``; they differ only in the point ``q`` where
    the gradient is taken: ``q = θ`` for classical momentum, the look-ahead point ``q =
    θ + μ V`` for Nesterov's. Each panel draws the loss's contours, the momentum part
    ``μ V`` from ``θ``, the gradient part ``−η ∇f(q)`` from the end of the momentum
    part, a dot at ``q`` and the resulting step. ``V`` has the sign of a displacement,
    as in Part II's equations (``V ← μ V − η ĝ``).

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
            + ("θ" if name == "classical" else "θ + μV"),
            fontsize=10,
        )
        ax.set_aspect("equal")
        ax.grid(False)
    axes[0].plot([], [], color=PALETTE[0], lw=1.8, label="momentum part μV")
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


def plot_state_diagram(
    machine,
    state_names=None,
    input_names=None,
    ax=None,
    title: str | None = None,
):
    """A Mealy machine's state diagram: one circle per state, one arrow per pair of
    states that some input connects, labelled ``input/output`` for every such input.

    States sit on a circle (two states: left and right), an arrow between two states
    bends so that the arrows of opposite directions stay apart, a self-loop is drawn
    on the side away from the centre, and a short arrow marks the start state.

    Args:
        machine: an :class:`nmbook.automaton.Mealy` (``next_state, output: (S, A)``;
            ``-1`` entries, undefined transitions, are not drawn).
        state_names: ``S`` labels (default ``q0, q1, …``).
        input_names: ``A`` labels (default for 4 inputs: the bits ``ab`` of ``u = 2a +
            b``, else the symbol).
        ax: the Axes to draw on (a new figure when None).

    Returns:
        ``matplotlib.axes.Axes`` — the axes drawn on.

    Taught in: Part II (*An RNN from scratch, part 2*, the automaton inside the
    network).
    """
    nxt, out = np.asarray(machine.next_state), np.asarray(machine.output)
    S, A = nxt.shape
    names = state_names or [f"q{q}" for q in range(S)]
    if input_names is None:
        input_names = [f"{u >> 1}{u & 1}" for u in range(A)] if A == 4 else range(A)
    if ax is None:
        _, ax = plt.subplots(figsize=(FIGSIZE[0], FIGSIZE[1] * 0.9))
    angle = np.pi - 2 * np.pi * np.arange(S) / S  # the first state on the left
    pos = 1.6 * np.c_[np.cos(angle), np.sin(angle)] if S > 1 else np.zeros((1, 2))
    r = 0.5

    def rim(q, direction, turn):  # the point of state q's circle towards direction
        a = np.arctan2(direction[1], direction[0]) + np.radians(turn)
        return pos[q] + r * np.array([np.cos(a), np.sin(a)])

    arrow = {"arrowstyle": "-|>", "mutation_scale": 14, "color": "0.3", "lw": 1.4}
    for q in range(S):
        ax.add_patch(Circle(pos[q], r, fc="white", ec=PALETTE[0], lw=2, zorder=3))
        ax.text(*pos[q], names[q], ha="center", va="center", fontsize=11, zorder=4)
    edges: dict = {}
    for q in range(S):
        for u in range(A):
            if nxt[q, u] >= 0:
                edges.setdefault((q, int(nxt[q, u])), []).append(
                    f"{input_names[u]}/{out[q, u]}"
                )
    for (q, q2), labels in edges.items():
        if q == q2:  # a loop on the far side from the centre, labels beyond it
            away = pos[q] / np.linalg.norm(pos[q]) if S > 1 else np.array([0.0, 1.0])
            ax.add_patch(
                FancyArrowPatch(
                    rim(q, away, 35),
                    rim(q, away, -35),
                    connectionstyle="arc3,rad=-1.6",
                    shrinkA=0,
                    shrinkB=0,
                    **arrow,
                )
            )
            spot = pos[q] + away * (r + 0.75)
            side = "right" if away[0] < -0.3 else "left" if away[0] > 0.3 else "center"
            ax.text(*spot, "\n".join(labels), ha=side, va="center", fontsize=9)
        else:
            d = pos[q2] - pos[q]
            ax.add_patch(
                FancyArrowPatch(
                    rim(q, d, -30),
                    rim(q2, -d, 30),
                    connectionstyle="arc3,rad=0.3",
                    shrinkA=0,
                    shrinkB=0,
                    **arrow,
                )
            )
            mid = (pos[q] + pos[q2]) / 2
            normal = np.array([d[1], -d[0]]) / np.linalg.norm(d)
            spot = mid + normal * (0.15 * np.linalg.norm(d) + 0.2)
            ax.text(*spot, "\n".join(labels), ha="center", va="center", fontsize=9)
    start = getattr(machine, "start", 0)
    ax.annotate(
        "start",
        pos[start] + np.array([0.0, -r]),
        pos[start] + np.array([0.0, -r - 0.7]),
        ha="center",
        va="top",
        fontsize=9,
        arrowprops={"arrowstyle": "-|>", "color": "0.3"},
    )
    ax.set_aspect("equal")
    ax.set(xlim=(-3.6, 3.6), ylim=(-2.0, 2.0))
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax
