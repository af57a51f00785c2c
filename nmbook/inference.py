"""Evaluating a trained controller on very long sequences: forward only, light in
memory, with the gates optionally rounded to 0 or 1.

Training needs :meth:`nmbook.controller.MemoryController.forward`, which keeps for the
backward pass every step's cache (at step t, the memory's whole state of ``t`` rows)
and a record of every strength, ``(T, B, kT)``: for a sequence of ``T`` steps that is
of order ``T²`` numbers, some 8 GB for 32 sequences of length 1,024 (``T = 2,049``).
Evaluation needs none of it. :func:`run_controller` applies the same equations, step
by step, with the controller's own cell and memory steps, keeps only the state the
next step needs (``h_t``, the read ``r_t``, the memory's ``(V_t, s_t)``: ``O(B T m)``
numbers, a stack of ``T`` pushes having ``T`` rows) and records the outputs and the
gates (``O(T B)``). Its logits are the controller's own, to the last bit.

**Rounded gates.** With ``rounded=True`` every push and pop strength is rounded to 0
or 1 before the memory step (``round_gates``: 1 where the gate is at least ½, that is
where its pre-activation is ≥ 0)::

    d̂_t = [d_t ≥ ½],   û_t = [u_t ≥ ½]

and the memory runs eqs. (1)–(3) of Grefenstette et al. (2015) on them. With 0/1
strengths the continuous stack *is* the discrete one: a pop of 1 zeroes the topmost
row of strength 1 (if any), a push of 1 adds a row of strength 1, one of 0 adds a row
that nothing reads, and the read returns the value of the topmost row of strength 1,
or zeros on an empty stack — exactly, with no fraction left to accumulate over a long
sequence (the queue likewise from the bottom, the deque at both ends). The values
pushed, the controller's state and its outputs stay continuous. Joulin & Mikolov (2015)
evaluate their stack RNN with its actions made discrete in the same spirit: their
controller chooses push, pop or no-op through a softmax, and at validation and test
time their code can replace it by the most probable action; here the two gates are
independent sigmoids, so each is rounded at ½.

Shapes: ``x: (T, B, n_in)``, logits ``(T, B, n_out)``, gates ``(T, B)`` (``(T, B, k)``
for a memory with ``k > 1`` ends), values ``(T, B, m)`` (``(T, B, k, m)``), reads
``(T, B, n_reads · m)``. Taught in: Part III, chapter 4 (length 1,024).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nmbook.functional import sigmoid
from nmbook.rng import as_rng
from nmbook.rnn import LSTMCell
from nmbook.seqmetrics import sequences_correct, symbol_accuracy
from nmbook.tasks.transduction import transduction_batch


def round_gates(g: np.ndarray) -> np.ndarray:
    """Gates rounded to 0 or 1: ``1.0`` where ``g ≥ ½`` (a sigmoid whose
    pre-activation is ≥ 0), else ``0.0``; any shape, float64 out."""
    return (np.asarray(g) >= 0.5).astype(np.float64)


def _empty_memory(batch: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The empty memory ``(V: (batch, 0, width), s: (batch, 0))``: no rows yet (the
    stack's, the queue's and the deque's empty state)."""
    return np.zeros((batch, 0, width)), np.zeros((batch, 0))


def run_memory(
    memory, values: np.ndarray, u: np.ndarray, d: np.ndarray, rounded: bool = False
) -> np.ndarray:
    """Run a memory over given values and gates, forward only, keeping one state.

    Args:
        memory: ``nmbook.memory.STACK``, ``QUEUE``, ``DEQUE`` (anything with their step
            API: ``step(state, v, u, d) -> (state, r, cache)``, ``n_values``).
        values: ``(T, B, m)`` for one end, ``(T, B, k, m)`` for ``k = n_values > 1``.
        u, d: pop and push strengths in [0, 1], ``(T, B)`` (``(T, B, k)``).
        rounded: round both gates to 0/1 first (:func:`round_gates`).

    Returns:
        ``r: (T, B, n_reads · m)``, the read after each step.

    Raises:
        TypeError: for a ``rounded`` that is not a bool.
        ValueError: for shapes that do not match, non-finite values, or gates outside
            [0, 1] (the message names the argument).
    """
    _check_flag(rounded)
    k = int(memory.n_values)
    values = np.asarray(values, dtype=np.float64)
    want = 3 if k == 1 else 4
    if values.ndim != want or (k > 1 and values.shape[2] != k) or 0 in values.shape:
        layout = "(T, B, m)" if k == 1 else f"(T, B, {k}, m)"
        raise ValueError(f"values must have shape {layout}, got {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite (no NaN or inf)")
    gate_shape = values.shape[:2] if k == 1 else values.shape[:3]
    gates = []
    for name, g in (("u", u), ("d", d)):
        g = np.asarray(g, dtype=np.float64)
        if g.shape != gate_shape:
            raise ValueError(f"{name} must have shape {gate_shape}, got {g.shape}")
        if not np.all((g >= 0) & (g <= 1)):
            raise ValueError(f"{name} must lie in [0, 1]")
        gates.append(round_gates(g) if rounded else g)
    u, d = gates
    T, B, m = values.shape[0], values.shape[1], values.shape[-1]
    state, reads = _empty_memory(B, m), []
    for t in range(T):
        state, r, _ = memory.step(state, values[t], u[t], d[t])
        reads.append(r)
    return np.stack(reads)


@dataclass
class ControllerRun:
    """What :func:`run_controller` keeps of a forward pass.

    ``logits: (T, B, n_out)``; ``d``, ``u``: the push and pop strengths the memory
    received, ``(T, B)`` (``(T, B, k)`` for ``k > 1`` ends; 0 or 1 when rounded), or
    ``None`` for a controller without memory.
    """

    logits: np.ndarray
    d: np.ndarray | None
    u: np.ndarray | None


def run_controller(model, x: np.ndarray, rounded: bool = False) -> ControllerRun:
    """The forward pass of a trained :class:`~nmbook.controller.MemoryController` over
    ``x: (T, B, n_in)``, keeping only what the next step needs.

    Each step is the controller's (:meth:`~nmbook.controller.MemoryController.step`,
    section 3.4 of Grefenstette et al. 2015)::

        h_t = cell([x_t, r_{t-1}], h_{t-1})
        z_t = W_g h_t + b_g;  d_t = σ(z_t[push]),  u_t = σ(z_t[pop]),  v_t = tanh(...)
        (V_t, s_t), r_t = memory.step(V_{t-1}, s_{t-1}, v_t, û_t, d̂_t)
        o_t = W_o [h_t; r_t] + b_o      (W_o h_t + b_o in the post's wiring)

    with ``d̂_t, û_t`` the gates themselves, or rounded to 0/1 when ``rounded``. Soft
    (``rounded=False``), the logits equal ``model.forward(x)``'s exactly. The model's
    parameters are read, never changed, and nothing is stored on it.

    Returns:
        a :class:`ControllerRun`: logits ``(T, B, n_out)`` and the gates used.

    Raises:
        TypeError: for a ``rounded`` that is not a bool.
        ValueError: for an ``x`` not of shape ``(T, B, n_in)`` with ``T, B > 0``, or
            ``rounded=True`` for a controller without memory.
    """
    _check_flag(rounded)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[2] != model.n_in or 0 in x.shape:
        raise ValueError(
            f"x must have shape (T, B, {model.n_in}) with T, B > 0, got {x.shape}"
        )
    memory = model.memory
    if memory is None and rounded:
        raise ValueError("rounded=True needs a controller with a memory (its gates)")
    T, B, _ = x.shape
    k, m, H = model.n_values, model.width, model.cell.n_hidden
    n_state = 2 if isinstance(model.cell, LSTMCell) else 1
    state = tuple(np.zeros((B, H)) for _ in range(n_state))
    r = np.zeros((B, model.read_width))
    logits = np.empty((T, B, model.n_out))
    if memory is None:
        for t in range(T):
            state, _ = model.cell.step(np.concatenate([x[t], r], axis=1), state)
            hr = np.concatenate([state[0], r], axis=1)
            logits[t] = hr @ model.W_o.value + model.b_o.value
        return ControllerRun(logits, None, None)
    push, pop = (0, 1) if k == 1 else (slice(0, k), slice(k, 2 * k))
    value_shape = (-1, m) if k == 1 else (-1, k, m)
    gate_shape = (T, B) if k == 1 else (T, B, k)
    ds, us = np.empty(gate_shape), np.empty(gate_shape)
    mstate = _empty_memory(B, m)
    for t in range(T):
        state, _ = model.cell.step(np.concatenate([x[t], r], axis=1), state)
        h = state[0]
        z = h @ model.W_g.value + model.b_g.value
        d, u = sigmoid(z[:, push]), sigmoid(z[:, pop])
        v = np.tanh(z[:, 2 * k :]).reshape(value_shape)
        if rounded:
            d, u = round_gates(d), round_gates(u)
        mstate, r, _ = memory.step(mstate, v, u, d)
        hr = np.concatenate([h, r], axis=1) if model.output_sees_read else h
        logits[t] = hr @ model.W_o.value + model.b_o.value
        ds[t], us[t] = d, u
    return ControllerRun(logits, ds, us)


def accuracy_at_lengths(
    model,
    task: str,
    vocab: int,
    lengths,
    n: int,
    seed: int,
    rounded: bool = False,
) -> dict[int, tuple[float, float]]:
    """Whole-sequence ("coarse") and per-symbol ("fine") accuracy for each length,
    through :func:`run_controller`.

    The test sequences are those of :func:`nmbook.seqtrain.accuracy_by_length` with the
    same arguments (``n`` per length, drawn in order with ``seed``), and so are the
    accuracies when ``rounded`` is False; only the memory used differs.

    Returns:
        ``{length: (coarse, fine)}``.

    Raises:
        ValueError: for ``n < 1`` (the task generator checks the rest).
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    rng = as_rng(seed, "seed")
    out = {}
    for L in lengths:
        x, y, mask = transduction_batch(task, int(L), vocab, rng, batch=n)
        pred = run_controller(model, x, rounded).logits.argmax(axis=-1)
        out[int(L)] = (
            float(np.mean(sequences_correct(pred, y, mask))),
            symbol_accuracy(pred, y, mask),
        )
    return out


def _check_flag(rounded: object) -> None:
    if not isinstance(rounded, bool | np.bool_):
        raise TypeError(f"rounded must be a bool, got {type(rounded).__name__}")
