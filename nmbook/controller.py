"""A recurrent controller driving a differentiable memory (Grefenstette et al. 2015,
section 3.4).

At each step t the controller reads its input together with the previous read, and emits
the memory's controls and the output (:meth:`MemoryController.step` is these lines, one
step)::

    h_t = cell([x_t, r_{t-1}], h_{t-1})
    z_t = W_g h_t + b_g        the heads' pre-activations, columns [push, pop, values]
    d_t = σ(z_t[push])         push strength          u_t = σ(z_t[pop])   pop strength
    v_t = tanh(z_t[values])    value to push
    (V_t, s_t), r_t = memory.step(V_{t-1}, s_{t-1}, v_t, u_t, d_t)
    o_t = W_o [h_t, r_t] + b_o logits of the output symbol

The heads read ``h_t`` directly (the paper's ``o'_t``); the output sees the fresh read
``r_t`` as well as ``h_t``, so a symbol on top of the stack can be emitted at the step
it is exposed. ``memory=None`` gives the memory-less baseline (a plain RNN/LSTM with
``o_t = W_o h_t + b_o``).

A memory declares how many values it takes per step (``n_values``: 1 for the stack and
queue, 2 for the deque, which pushes at both ends) and how many reads it returns
(``n_reads``). With ``k = n_values`` the head layer has ``2k + k m`` columns
``[push_1..k, pop_1..k, values]``; for ``k > 1`` the gates ``d_t, u_t`` are ``(B, k)``
and the values ``(B, k, m)``, and the read fed back has width ``n_reads · m``.

``autoencoder=True`` adds the source post's remedy (Trask 2016, part 6) for a controller
that solves the training lengths with half-pushes and half-pops: two linear decoders
that reconstruct an earlier input symbol, one from ``h_t`` and one from the heads'
pre-activations ``z_t``::

    a_t = W_ah h_t + b_ah,   a'_t = W_az z_t + b_az
    L_aux = CE(a_t, s_{t-lag}) + CE(a'_t, s_{t-lag})

where ``s_{t-lag}`` is the symbol (or delimiter) given at step ``t - lag`` (``lag = 1``:
the previous input). Which ``o'_t``: the post puts a separate layer ``o'_t`` between the
recurrent state and the heads, so decoding from ``h_t`` and from ``o'_t`` are two
constraints there. Here the heads read ``h_t`` itself, so the second decoder reads the
next quantity on the way to the memory, ``z_t`` — the signal that drives the pushes,
pops and pushed values; its gradient reaches ``W_g`` and asks the pushed value and the
gates to carry the symbol.

Shapes: ``x: (T, B, n_in)``, logits ``(T, B, n_out)``, gates ``d, u: (T, B)`` (``(T, B,
k)`` for ``k > 1``), reads ``(T, B, n_reads · m)``, autoencoder logits ``(T, B, n_in)``.
Taught in: Part III, chapters 3–5.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nmbook.functional import linear_backward, linear_forward, sigmoid
from nmbook.layers import Module, Parameter
from nmbook.losses import softmax_cross_entropy
from nmbook.protocols import Memory
from nmbook.rng import as_rng
from nmbook.rnn import LSTMCell, RNNCell


def previous_symbol_targets(
    x: np.ndarray, lag: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """The autoencoder's targets: the class given at step ``t - lag`` of one-hot inputs
    ``x: (T, B, n)``.

    Returns:
        ``(targets: (T, B) int64, mask: (T, B))``; ``mask`` is 1 where ``t ≥ lag`` and
        ``x[t - lag]`` is one-hot (a symbol or the delimiter), 0 where it is blank (the
        output phase, padding) or before the first input.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (T, B, n), got {x.shape}")
    if not isinstance(lag, int | np.integer) or isinstance(lag, bool) or lag < 0:
        raise ValueError(f"lag must be a non-negative integer, got {lag!r}")
    row_sum = x.sum(axis=-1)
    if not (np.all((x == 0) | (x == 1)) and np.all((row_sum == 0) | (row_sum == 1))):
        raise ValueError(
            "x must hold one-hot rows (a symbol or the delimiter) or "
            "blank rows of zeros"
        )
    T = x.shape[0]
    targets, mask = np.zeros(x.shape[:2], dtype=np.int64), np.zeros(x.shape[:2])
    if lag < T:
        targets[lag:], mask[lag:] = x[: T - lag].argmax(axis=-1), row_sum[: T - lag]
    return targets, mask


@dataclass
class ControllerTrace:
    """What one :meth:`MemoryController.forward` pass did: the controller stores it,
    once, as ``model.trace`` (each forward replaces it), and every diagnostic reads it
    from there (:func:`nmbook.seqtrain.gate_phase_means`, the read share, the gate
    statistics, the deque probe, the figures).

    Shapes (``k = n_values``, ``R = n_reads · m``):

    * ``logits``: ``(T, B, n_out)``, what ``forward`` returned;
    * ``hidden``: ``(T, B, H)``, the controller's state ``h_t``;
    * ``d``, ``u``: ``(T, B)`` push and pop strengths (``(T, B, k)`` for ``k > 1``;
      zeros without a memory);
    * ``reads``: ``(T, B, R)``, the reads ``r_t`` fed back (zeros with
      ``zero_reads``);
    * ``strengths``: ``(T, B, k T)``, the memory's strengths after each step,
      zero-padded at :meth:`~nmbook.protocols.Memory.strength_slice`;
    * ``aux_logits_h``, ``aux_logits_z``: ``(T, B, n_in)``, the autoencoder's ``a_t``
      and ``a'_t`` (None without ``autoencoder=True``);
    * ``zero_reads``: whether the reads were replaced by zeros;
    * ``caches``, ``final``: one cache per step and the last ``(state, mstate)``,
      what :meth:`MemoryController.backward` needs.
    """

    logits: np.ndarray
    hidden: np.ndarray
    d: np.ndarray
    u: np.ndarray
    reads: np.ndarray
    strengths: np.ndarray
    aux_logits_h: np.ndarray | None = None
    aux_logits_z: np.ndarray | None = None
    zero_reads: bool = False
    caches: list[tuple] = field(default_factory=list, repr=False)
    final: tuple = field(default=(), repr=False)


class MemoryController(Module):
    """An RNN or LSTM controller with a stack, a queue, a deque (or any object with
    their step API).

    Args:
        n_in: input size (one-hot symbols plus delimiter).
        n_out: number of output classes.
        n_hidden: controller units H.
        width: memory value width m (ignored, taken as 0, when ``memory`` is None).
        memory: ``nmbook.memory.STACK``, ``QUEUE``, ``DEQUE``, another memory with the
            same step API, or None.
        rng: seed or generator for the initial weights.
        cell: ``"rnn"`` (tanh) or ``"lstm"``.
        push_bias, pop_bias: initial b_d and b_u: one number for every end, or one per
            end (``n_values`` of them; for the deque ``(top, bottom)``). The paper's
            advice is a negative pop bias, so that early in training the controller
            pushes rather than erasing what it pushed.
        output_sees_read: True (the book's wiring): ``o_t = W_o [h_t; r_t] + b_o``, so a
            value uncovered by a pop can be emitted at the same step. False (the source
            post's wiring): ``o_t = W_o h_t + b_o``, so a read reaches the output only
            through the next step's state, one step later.
        autoencoder: add the two decoders of the module docstring, ``W_ah: (H, n_in)``,
            ``b_ah`` and ``W_az: (2k + k m, n_in)``, ``b_az`` (drawn after every other
            weight, so the rest of the model is the same as without them); needs a
            memory. Train them with :meth:`autoencoder_loss`.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        n_hidden: int,
        width: int,
        memory: Memory | None,
        rng: np.random.Generator | int,
        cell: str = "rnn",
        push_bias: float | tuple[float, ...] = 0.0,
        pop_bias: float | tuple[float, ...] = -1.0,
        output_sees_read: bool = True,
        autoencoder: bool = False,
    ) -> None:
        rng = as_rng(rng)
        if memory is not None and not isinstance(memory, Memory):
            raise TypeError(
                f"memory must be a Memory (nmbook.protocols) or None, got "
                f"{type(memory).__name__}"
            )
        if cell not in ("rnn", "lstm"):
            raise ValueError(f"cell must be 'rnn' or 'lstm', got {cell!r}")
        m = 0 if memory is None else int(width)
        if memory is not None and m <= 0:
            raise ValueError(
                f"width must be a positive integer when a memory is used, got {width!r}"
            )
        if autoencoder and memory is None:
            raise ValueError(
                "autoencoder=True needs a memory: its second decoder reads "
                "the heads' z_t"
            )
        self.memory, self.n_in, self.n_out, self.width = (
            memory,
            int(n_in),
            int(n_out),
            m,
        )
        self.n_values = 1 if memory is None else int(memory.n_values)
        # width of the read fed back
        R = 0 if memory is None else int(memory.n_reads) * m
        self.read_width = R
        cls = RNNCell if cell == "rnn" else LSTMCell
        self.cell = cls(n_in + R, n_hidden, rng)
        H, nv = self.cell.n_hidden, self.n_values
        k = 1.0 / np.sqrt(H)
        G = 2 * nv + nv * m  # columns: push[nv], pop[nv], values[nv * m]
        self.W_g = Parameter(rng.uniform(-k, k, size=(H, G)), "W_g")
        b_g = rng.uniform(-k, k, size=(G,))
        for name, bias in (("push_bias", push_bias), ("pop_bias", pop_bias)):
            if np.ndim(bias) not in (0, 1) or np.size(bias) not in (1, nv):
                raise ValueError(
                    f"{name} must be a number or {nv} numbers (one per end), got "
                    f"{bias!r}"
                )
        b_g[:nv], b_g[nv : 2 * nv] = push_bias, pop_bias
        self.b_g = Parameter(b_g, "b_g")
        # where the heads sit in z_t: one end's gates are (B,) and its values (B, m); k
        # ends' (B, k), (B, k, m)
        self._push, self._pop = (0, 1) if nv == 1 else (slice(0, nv), slice(nv, 2 * nv))
        self._values = slice(2 * nv, None)
        self._value_shape = (-1, m) if nv == 1 else (-1, nv, m)
        self.output_sees_read = bool(output_sees_read)
        n_o = H + R if self.output_sees_read else H  # what the output layer sees
        ko = 1.0 / np.sqrt(n_o)
        self.W_o = Parameter(rng.uniform(-ko, ko, size=(n_o, n_out)), "W_o")
        self.b_o = Parameter(rng.uniform(-ko, ko, size=(n_out,)), "b_o")
        self.autoencoder = bool(autoencoder)
        if self.autoencoder:
            kz = 1.0 / np.sqrt(G)
            self.W_ah = Parameter(rng.uniform(-k, k, size=(H, self.n_in)), "W_ah")
            self.b_ah = Parameter(rng.uniform(-k, k, size=(self.n_in,)), "b_ah")
            self.W_az = Parameter(rng.uniform(-kz, kz, size=(G, self.n_in)), "W_az")
            self.b_az = Parameter(rng.uniform(-kz, kz, size=(self.n_in,)), "b_az")
        #: the last forward pass's :class:`ControllerTrace` (None before the first)
        self.trace: ControllerTrace | None = None

    # ------------------------------------------------------------------ forward
    def forward(
        self,
        x: np.ndarray,
        noise_std: float = 0.0,
        rng: np.random.Generator | None = None,
        zero_reads: bool = False,
    ) -> np.ndarray:
        """Run the controller over ``x: (T, B, n_in)``; returns logits ``(T, B,
        n_out)``.

        Args:
            noise_std: standard deviation of Gaussian noise added to the push/pop
                pre-activations (training only; needs ``rng``). It pushes the gates
                towards 0 or 1, where the noise matters least.
            zero_reads: replace every read by zeros (an ablation: is the memory used?).

        What the pass did (gates, reads, strengths, hidden states, the autoencoder's
        logits and the caches of :meth:`backward`) is stored once, as ``self.trace``
        (a :class:`ControllerTrace`); ``self.d``, ``self.u``, ``self.reads``,
        ``self.strengths``, ``self.aux_logits_h`` and ``self.aux_logits_z`` read it.
        """
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 3 or x.shape[2] != self.n_in:
            raise ValueError(f"x must have shape (T, B, {self.n_in}), got {x.shape}")
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(f"x must have T > 0 and B > 0, got shape {x.shape}")
        if noise_std < 0 or (noise_std > 0 and rng is None):
            raise ValueError(
                "noise_std must be >= 0, and a positive noise_std needs rng"
            )
        if noise_std > 0:
            rng = as_rng(rng, "rng")
        T, B, _ = x.shape
        nv = self.n_values
        state = self.cell.initial_state(B)
        mstate = (
            self.memory.initial_state(B, self.width)
            if self.memory is not None
            else None
        )
        r = np.zeros((B, self.read_width))
        gshape = (T, B) if nv == 1 else (T, B, nv)
        tr = ControllerTrace(
            logits=np.empty((T, B, self.n_out)),
            hidden=np.empty((T, B, self.cell.n_hidden)),
            d=np.zeros(gshape),
            u=np.zeros(gshape),
            reads=np.zeros((T, B, self.read_width)),
            strengths=np.zeros((T, B, nv * T)),
            zero_reads=bool(zero_reads),
        )
        if self.autoencoder:
            tr.aux_logits_h = np.empty((T, B, self.n_in))
            tr.aux_logits_z = np.empty((T, B, self.n_in))
        for t in range(T):
            noise = None
            if noise_std > 0 and self.memory is not None:
                noise = noise_std * rng.standard_normal((B, 2 * nv))
            tr.logits[t], r, state, mstate, cache = self.step(
                x[t], r, state, mstate, noise, zero_reads
            )
            tr.caches.append(cache)
            tr.hidden[t] = state[0]
            if self.memory is not None:
                d, u, _, z = cache[2]
                tr.d[t], tr.u[t], tr.reads[t] = d, u, r
                tr.strengths[t, :, self.memory.strength_slice(t, T)] = mstate[1]
                if self.autoencoder:  # a_t = W_ah h_t + b_ah, a'_t = W_az z_t + b_az
                    tr.aux_logits_h[t] = linear_forward(
                        state[0], self.W_ah.value, self.b_ah.value
                    )[0]
                    tr.aux_logits_z[t] = linear_forward(
                        z, self.W_az.value, self.b_az.value
                    )[0]
        tr.final = (state, mstate)
        self.trace = tr
        return tr.logits

    def _last_trace(self) -> ControllerTrace:
        if self.trace is None:
            raise AttributeError("the controller has no trace: call forward(x) first")
        return self.trace

    # What the last forward pass recorded, read from its trace (the chapters' names).
    d = property(lambda self: self._last_trace().d, doc="``trace.d``")
    u = property(lambda self: self._last_trace().u, doc="``trace.u``")
    reads = property(lambda self: self._last_trace().reads, doc="``trace.reads``")
    strengths = property(
        lambda self: self._last_trace().strengths, doc="``trace.strengths``"
    )
    aux_logits_h = property(
        lambda self: self._last_trace().aux_logits_h, doc="``trace.aux_logits_h``"
    )
    aux_logits_z = property(
        lambda self: self._last_trace().aux_logits_z, doc="``trace.aux_logits_z``"
    )

    def step(
        self,
        x_t: np.ndarray,
        r_prev: np.ndarray,
        state: tuple[np.ndarray, ...],
        mstate: tuple | None,
        noise: np.ndarray | None = None,
        zero_reads: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...], tuple | None, tuple]:
        """One time step: the equations of the module docstring (Grefenstette et al.
        2015, section 3.4).

        Args:
            x_t: ``(B, n_in)``, the input; r_prev: ``(B, n_reads · m)``, the previous
                read ``r_{t-1}``.
            state: the cell's state (``(h,)`` or ``(h, c)``, each ``(B, H)``); mstate:
                the memory's ``(V, s)``.
            noise: optional ``(B, 2k)`` noise on the push and pop pre-activations.
            zero_reads: replace the read ``r_t`` by zeros (the ablation of
                :meth:`forward`).

        Returns:
            ``(o_t: (B, n_out), r_t, state, mstate, cache)``; ``cache`` is what
            :meth:`backward` needs.
        """
        if self.memory is None:
            return self._step_without_memory(x_t, r_prev, state)
        state, ccache = self.cell.step(np.concatenate([x_t, r_prev], axis=1), state)
        h = state[0]  # h_t = cell([x_t; r_{t-1}], h_{t-1})
        z = self.head_preactivations(h, noise)  # z_t = W_g h_t + b_g
        d, u = sigmoid(z[:, self._push]), sigmoid(z[:, self._pop])  # d_t, u_t
        v = np.tanh(z[:, self._values])  # v_t, the values to push
        mstate, r, mcache = self._memory_step(mstate, v, u, d, zero_reads)  # s_t, r_t
        hr = np.concatenate([h, r], axis=1) if self.output_sees_read else h
        o = hr @ self.W_o.value + self.b_o.value  # o_t = W_o [h_t; r_t] + b_o
        return o, r, state, mstate, (ccache, mcache, (d, u, v, z), hr)

    def _step_without_memory(
        self, x_t: np.ndarray, r_prev: np.ndarray, state: tuple[np.ndarray, ...]
    ) -> tuple:
        """:meth:`step` of the memory-less baseline: ``h_t = cell(x_t, h_{t-1})``,
        ``o_t = W_o h_t + b_o`` (``r_prev`` is ``(B, 0)`` and passes through)."""
        state, ccache = self.cell.step(np.concatenate([x_t, r_prev], axis=1), state)
        hr = np.concatenate([state[0], r_prev], axis=1)
        o = hr @ self.W_o.value + self.b_o.value
        return o, r_prev, state, None, (ccache, None, None, hr)

    def _memory_step(
        self,
        mstate: tuple,
        v: np.ndarray,
        u: np.ndarray,
        d: np.ndarray,
        zero_reads: bool = False,
    ) -> tuple[tuple, np.ndarray, tuple]:
        """``memory.step`` with the values ``v: (B, k m)`` shaped per end (``(B, k, m)``
        for a memory with ``k > 1`` ends) and, for the ablation of :meth:`forward`, the
        read ``r_t`` replaced by zeros. Returns ``(mstate, r_t, cache)``."""
        mstate, r, mcache = self.memory.step(mstate, v.reshape(self._value_shape), u, d)
        return mstate, (np.zeros_like(r) if zero_reads else r), mcache

    def head_preactivations(
        self, h: np.ndarray, noise: np.ndarray | None = None
    ) -> np.ndarray:
        """``z_t = W_g h_t + b_g``: ``(B, 2k + k m)`` from ``h: (B, H)``, columns
        ``[push_1..k, pop_1..k, values]``;
        ``noise: (B, 2k)``, if given, is added to the push and pop columns."""
        z, _ = linear_forward(h, self.W_g.value, self.b_g.value)
        if noise is not None:
            z[:, : 2 * self.n_values] += noise
        return z

    # ----------------------------------------------------------------- backward
    def backward(
        self,
        dlogits: np.ndarray,
        dd: np.ndarray | None = None,
        du: np.ndarray | None = None,
        daux: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """BPTT through outputs, heads, memory and cell; accumulates every
        ``Parameter.grad``.

        Args:
            dlogits: ``(T, B, n_out)`` gradient of the loss w.r.t. the logits.
            dd, du: optional ``(T, B)`` extra gradients on the gates (e.g. from
                :meth:`saturation_penalty`).
            daux: optional ``(dL/da, dL/da')``, each ``(T, B, n_in)``: gradients on the
                autoencoder's logits (from :meth:`autoencoder_loss`); only for a
                controller built with ``autoencoder=True``.
        """
        tr = self._last_trace()
        T = len(tr.caches)
        B = dlogits.shape[1]
        if dlogits.shape != (T, B, self.n_out):
            raise ValueError(
                f"dlogits must have shape {(T, B, self.n_out)}, got {dlogits.shape}"
            )
        if daux is not None:
            if not self.autoencoder:
                raise ValueError("daux needs a controller built with autoencoder=True")
            if len(daux) != 2 or any(np.shape(g) != (T, B, self.n_in) for g in daux):
                raise ValueError(
                    f"daux must be two arrays of shape {(T, B, self.n_in)}"
                )
        H, R = self.cell.n_hidden, self.read_width
        state, mstate = tr.final
        dstate = tuple(np.zeros_like(s) for s in state)
        dmstate = (
            None
            if mstate is None
            else (np.zeros_like(mstate[0]), np.zeros_like(mstate[1]))
        )
        dr_next = np.zeros((B, R))
        for t in range(T - 1, -1, -1):
            ccache, mcache, heads, hr = tr.caches[t]
            dhr, dW_o, db_o = linear_backward(dlogits[t], hr, self.W_o.value)
            self.W_o.grad += dW_o
            self.b_o.grad += db_o
            dh = dhr[:, :H]
            if self.memory is not None:
                dr_out = dhr[:, H:] if self.output_sees_read else 0.0
                dr = np.zeros((B, R)) if tr.zero_reads else dr_out + dr_next
                dv, du_t, dd_t, dmstate = self.memory.step_backward(dr, dmstate, mcache)
                if dd is not None:
                    dd_t = dd_t + dd[t]
                if du is not None:
                    du_t = du_t + du[t]
                d, u, v, z = heads
                dz = np.concatenate(
                    [
                        (dd_t * d * (1 - d)).reshape(B, -1),
                        (du_t * u * (1 - u)).reshape(B, -1),
                        dv.reshape(B, -1) * (1 - v * v),
                    ],
                    axis=1,
                )
                h = hr[:, :H]
                if daux is not None:  # a_t = W_ah h_t + b_ah, a'_t = W_az z_t + b_az
                    dh_a, dW_ah, db_ah = linear_backward(daux[0][t], h, self.W_ah.value)
                    dz_a, dW_az, db_az = linear_backward(daux[1][t], z, self.W_az.value)
                    self.W_ah.grad += dW_ah
                    self.b_ah.grad += db_ah
                    self.W_az.grad += dW_az
                    self.b_az.grad += db_az
                    dz = dz + dz_a
                    dh = dh + dh_a
                dh_g, dW_g, db_g = linear_backward(dz, h, self.W_g.value)
                self.W_g.grad += dW_g
                self.b_g.grad += db_g
                dh = dh + dh_g
            dinp, dstate = self.cell.step_backward(
                (dstate[0] + dh, *dstate[1:]), ccache
            )
            dr_next = dinp[:, self.n_in :]

    # ----------------------------------------------------------------- helpers
    def autoencoder_loss(
        self, x: np.ndarray, lag: int = 1
    ) -> tuple[float, np.ndarray, np.ndarray]:
        """The auxiliary loss of the last forward pass over ``x: (T, B, n_in)`` (module
        docstring):
        ``L_aux = CE(a_t, s_{t-lag}) + CE(a'_t, s_{t-lag})``, each a mean over the steps
        whose ``x[t - lag]`` is a symbol or the delimiter
        (:func:`previous_symbol_targets`).

        Returns:
            ``(L_aux, dL/da, dL/da')``, the gradients ``(T, B, n_in)`` for
            :meth:`backward`'s ``daux``.
        """
        if not self.autoencoder:
            raise ValueError(
                "autoencoder_loss needs a controller built with autoencoder=True"
            )
        tr = self._last_trace()
        x = np.asarray(x, dtype=np.float64)
        if x.shape != tr.aux_logits_h.shape:
            raise ValueError(
                f"x must be the last forward input, shape "
                f"{tr.aux_logits_h.shape}, got {x.shape}"
            )
        targets, mask = previous_symbol_targets(x, lag)
        if not mask.any():
            return 0.0, np.zeros_like(tr.aux_logits_h), np.zeros_like(tr.aux_logits_z)
        loss_h, da = softmax_cross_entropy(tr.aux_logits_h, targets, mask)
        loss_z, daz = softmax_cross_entropy(tr.aux_logits_z, targets, mask)
        return loss_h + loss_z, da, daz

    def saturation_penalty(
        self, weight_mask: np.ndarray | None = None
    ) -> tuple[float, np.ndarray, np.ndarray]:
        """``P = mean(d(1−d) + u(1−u))`` over the last forward pass (``self.trace``),
        and ``(dP/dd, dP/du)``, each shaped like ``trace.d`` (for a deque the mean is
        over steps and sequences of the sum over both ends).

        Zero exactly when every gate is 0 or 1: adding ``λ P`` to the loss pushes the
        controller towards discrete pushes and pops, which is what lets it generalise to
        longer sequences. ``weight_mask`` restricts the mean.
        """
        d, u = self._last_trace().d, self._last_trace().u
        w = (
            np.ones(d.shape[:2])
            if weight_mask is None
            else np.asarray(weight_mask, dtype=np.float64)
        )
        n = max(float(w.sum()), 1.0)
        if d.ndim == 3:
            w = w[:, :, None]
        p = float(np.sum(w * (d * (1 - d) + u * (1 - u))) / n)
        return p, w * (1 - 2 * d) / n, w * (1 - 2 * u) / n

    def push_bias_floor(self, floor: float) -> None:
        """Clamp the push bias ``b_d`` (every end's) to at least ``floor`` — the trick
        of the source post that makes the
        controller push at every step (and, as chapter 4 shows, lets it bypass the
        stack)."""
        nv = self.n_values
        self.b_g.value[:nv] = np.maximum(self.b_g.value[:nv], floor)
