"""Differentiable memories driven by a controller: the continuous stack and queue and
the deque.

Taught in: Part III. See :mod:`nmbook.memory.continuous` (stack, queue) and
:mod:`nmbook.memory.deque` for the equations, the kink rule and the two API levels.
"""

from nmbook.memory.continuous import (
    QUEUE,
    STACK,
    ContinuousMemory,
    ReadsCache,
    depth_read_weights,
    earlier_read_share,
    exclusive_sum,
    exclusive_sum_transpose,
    memory_backward,
    memory_forward,
    memory_reads,
    memory_reads_backward,
    queue_reads,
    queue_reads_backward,
    read_at_depth,
    read_at_depth_backward,
    read_weights,
    stack_reads,
    stack_reads_backward,
)
from nmbook.memory.deque import (
    DEQUE,
    ContinuousDeque,
    deque_backward,
    deque_forward,
    deque_reads,
    deque_reads_backward,
)

__all__ = [
    "DEQUE",
    "ContinuousDeque",
    "deque_backward",
    "deque_forward",
    "deque_reads",
    "deque_reads_backward",
    "QUEUE",
    "STACK",
    "ContinuousMemory",
    "ReadsCache",
    "depth_read_weights",
    "earlier_read_share",
    "exclusive_sum",
    "exclusive_sum_transpose",
    "memory_backward",
    "memory_forward",
    "memory_reads",
    "memory_reads_backward",
    "queue_reads",
    "queue_reads_backward",
    "read_at_depth",
    "read_at_depth_backward",
    "read_weights",
    "stack_reads",
    "stack_reads_backward",
]
