"""Figures of Part IV, chapter 1 (*Why MLPs cannot count*): individual seeds beyond the
training range."""

from __future__ import annotations

import numpy as np

from nmbook.plotting.style import PALETTE, new_figure


def plot_seed_extrapolation(
    x: np.ndarray,
    curves: dict,
    tails: dict | None = None,
    train_range: tuple[float, float] = (-5.0, 5.0),
    axes=None,
):
    """Each seed's reconstruction ``x̂(x)`` (left) and its miss ``x̂(x) − x`` (right),
    with each seed's affine tails dashed beyond the training range.

    The left panel is what the network computes, against the target ``x̂ = x``; the
    right one magnifies the difference, where the tails ``s x + c`` become ``(s − 1) x
    + c``: a slope that misses 1 shows as a tilted line.

    Args:
        x: ``(M,)`` inputs; curves: ``{seed: (M,) outputs x̂}``.
        tails: ``{seed: (2, 2)}`` from :func:`nmbook.extrapolation.affine_tails`
            (rows ``(s_-, c_-)``, ``(s_+, c_+)``), each drawn from the edge of the
            training range outwards.
        train_range: shaded.
        axes: two Axes (a new figure when None).

    Returns:
        the two ``matplotlib.axes.Axes``.

    Taught in: Part IV, chapter 1 (where single ReLU seeds head beyond the data).
    """
    if axes is None:
        _, axes = new_figure(ncols=2, width=11.0, height=4.2)
    x = np.asarray(x, dtype=np.float64)
    lo, hi = train_range
    for panel, ax in enumerate(axes):
        minus = x if panel == 1 else 0.0
        ax.axvspan(lo, hi, color="0.92", zorder=0, label="training range")
        ax.plot(x, x - minus, color="k", lw=1.0, label="target $\\hat x = x$")
        for k, (seed, y) in enumerate(curves.items()):
            color = PALETTE[k % 8]
            ax.plot(x, np.asarray(y) - minus, color=color, lw=1.5, label=f"seed {seed}")
            if tails is None or seed not in tails:
                continue
            (s_neg, c_neg), (s_pos, c_pos) = np.asarray(tails[seed])
            for part, s, c in ((x <= lo, s_neg, c_neg), (x >= hi, s_pos, c_pos)):
                xs = x[part]
                base = xs if panel == 1 else 0.0
                ax.plot(xs, s * xs + c - base, color=color, lw=1.0, ls="--")
        if tails is not None:
            ax.plot([], [], color="0.4", lw=1.0, ls="--", label="affine tails")
        ax.set(xlabel="input $x$", xlim=(x.min(), x.max()))
    axes[0].set(ylabel="output $\\hat x$", title="what the networks compute")
    axes[1].set(ylabel="miss $\\hat x - x$", title="their misses, magnified")
    axes[1].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return axes
