"""The book's figure style: one palette, one figure size, :func:`use_book_style`.

Taught in: every chapter (the first code cell calls :func:`use_book_style`).
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns

#: One colour per role, used consistently across chapters (colour-blind safe, seaborn's
#: "colorblind").
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
