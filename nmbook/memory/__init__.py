"""Differentiable memories driven by a controller: the continuous stack and queue (and, later, the deque).

Taught in: Part III. See :mod:`nmbook.memory.continuous` for the equations, the kink rule and the two API levels.
"""

from nmbook.memory.continuous import (
    QUEUE,
    STACK,
    ContinuousMemory,
    ReadsCache,
    exclusive_sum,
    exclusive_sum_transpose,
    memory_backward,
    memory_forward,
    memory_reads,
    memory_reads_backward,
    queue_reads,
    queue_reads_backward,
    read_weights,
    stack_reads,
    stack_reads_backward,
)

__all__ = [
    "QUEUE",
    "STACK",
    "ContinuousMemory",
    "ReadsCache",
    "exclusive_sum",
    "exclusive_sum_transpose",
    "memory_backward",
    "memory_forward",
    "memory_reads",
    "memory_reads_backward",
    "queue_reads",
    "queue_reads_backward",
    "read_weights",
    "stack_reads",
    "stack_reads_backward",
]
