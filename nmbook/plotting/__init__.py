"""The book's figures, one module per part, and its style (``plotting.style``).
(:mod:`nmbook.plotting.style`).

This is the only part of nmbook that imports matplotlib and seaborn; the numeric modules
import NumPy alone. Every figure is importable from here: ``from nmbook.plotting import
use_book_style, plot_memory_trace``.
"""

from nmbook.plotting.arithmetic import (
    draw_nalu_diagram,
    plot_extrapolation_errors,
    plot_success_heatmap,
)
from nmbook.plotting.controllers import (
    draw_controller_diagram,
    label_deque_reads,
    plot_accuracy_by_length,
    plot_gate_sharpness,
    plot_memory_sweep,
    plot_rates_by_length,
)
from nmbook.plotting.extrapolation import (
    plot_seed_extrapolation,
)
from nmbook.plotting.memory import (
    plot_deque_trace,
    plot_gate_heatmaps,
    plot_memory_trace,
    plot_push_pop_schedule,
    plot_strength_profile,
)
from nmbook.plotting.minibatching import (
    plot_decision_regions,
    plot_gradient_noise,
)
from nmbook.plotting.rnn import (
    draw_unfolded_rnn,
    plot_momentum_lookahead,
    plot_state_diagram,
)
from nmbook.plotting.style import (
    FIGSIZE,
    PALETTE,
    new_figure,
    use_book_style,
)

__all__ = [
    "PALETTE",
    "FIGSIZE",
    "use_book_style",
    "new_figure",
    "plot_decision_regions",
    "plot_gradient_noise",
    "draw_unfolded_rnn",
    "plot_momentum_lookahead",
    "plot_state_diagram",
    "plot_memory_trace",
    "plot_deque_trace",
    "plot_push_pop_schedule",
    "plot_gate_heatmaps",
    "plot_strength_profile",
    "draw_controller_diagram",
    "plot_accuracy_by_length",
    "plot_gate_sharpness",
    "plot_memory_sweep",
    "plot_rates_by_length",
    "label_deque_reads",
    "plot_extrapolation_errors",
    "draw_nalu_diagram",
    "plot_success_heatmap",
    "plot_seed_extrapolation",
]
