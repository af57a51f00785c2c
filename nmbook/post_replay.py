"""The source post's own training runs (Trask 2016, parts 5 and 6), replayed on
:class:`nmbook.post_stack.PostStackController`.

The post reverses random binary sequences. Its data, one sequence of L symbols per
"iteration", ``2L`` steps:

* part 5 (:data:`PART5`): inputs of width 3, ``[in-flag, sym 1, sym 2]``; the flag is 1
  at the L input steps, the output steps get zeros. Targets of width 3: zeros while
  reading, then the symbols in reverse order, one-hot in the same two columns.
* part 6 (:data:`PART6`): width 4, ``[out-flag, in-flag, sym 1, sym 2]``; each flag is
  on during its own phase.

Its training loop, as :func:`replay` runs it:

* lengths ``L = offset + randint(max_len)`` per sequence (part 5: ``1 .. max_len`` from
  ``max_len = 1``; part 6: ``3 .. max_len + 2`` from ``max_len = 3``), symbols uniform;
* plain SGD: each sequence's gradient of its summed squared errors, scaled by
  ``rate / L``, averaged over ``batch`` consecutive sequences (part 5: 0.05/L, batches
  of 10; part 6: 2.5/L, batches of 50);
* part 5 only: after every update the push bias grows, ``b_d ← b_d (1 + 0.00025 ·
  batch)`` (:func:`nmbook.post_stack.grow_push_bias`);
* the curriculum: after every 100 sequences, the summed absolute error ``Σ |y −
  target|`` of those 100 sequences (every step, every output column) is compared with a
  threshold; below it, ``max_len`` grows by one. Part 5: ``5 · max_len``; part 6:
  ``max_len + 4``, and only after iteration 10,000.

A sequence of length L is run as a batch column padded to the batch's longest ``2L``;
padded steps have weight 0, so they neither add to the loss nor, coming after the
sequence's last step, change its gradient.

Nothing is asserted here: :func:`replay` returns a :class:`ReplayHistory`, and the
evaluation helpers (:func:`accuracy_by_length`, :func:`gate_report`) return numbers.
Taught in: Part III, "Replaying the post"; swept by ``benchmarks/post_replay.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from nmbook.layers import as_rng
from nmbook.memory.continuous import earlier_read_share
from nmbook.optim import SGD
from nmbook.post_stack import PostStackController, grow_push_bias, post_loss
from nmbook.tasks.transduction import check_lengths


@dataclass(frozen=True)
class PostRecipe:
    """One of the post's two configurations (module docstring).

    ``len_offset`` and ``start_max_len`` set the lengths ``L = len_offset +
    randint(max_len)``; the curriculum adds 1 to ``max_len`` when a window of ``window``
    sequences has summed absolute error below ``grow_slope · max_len + grow_const`` and
    the window ends after iteration ``grow_after``. ``growth`` is the push-bias growth
    rate per sequence of a batch (0: none).
    """

    part: int
    n_in: int
    n_out: int
    n_hidden: int
    n_prime: int
    width: int
    output: str
    reconstruct: bool
    push_bias: tuple[float, float]
    pop_bias: tuple[float, float]
    initial_one_hot: bool
    batch: int
    rate: float
    growth: float
    len_offset: int
    start_max_len: int
    grow_slope: float
    grow_const: float
    grow_after: int = 0
    window: int = 100

    @property
    def symbol_columns(self) -> tuple[int, int]:
        """The two output columns that hold the symbols."""
        return (1, 2) if self.part == 5 else (2, 3)


#: Part 5: 16 hidden, o' 16, width 2, tanh outputs, batch 10 at 0.05/L, b_d grows.
PART5 = PostRecipe(
    part=5, n_in=3, n_out=3, n_hidden=16, n_prime=16, width=2, output="tanh",
    reconstruct=False, push_bias=(0.1, 0.3), pop_bias=(-0.1, 0.1),
    initial_one_hot=True, batch=10, rate=0.05, growth=0.00025, len_offset=1,
    start_max_len=1, grow_slope=5.0, grow_const=0.0,
)  # fmt: skip
#: Part 6: 8 hidden, o' 8, width 2, sigmoid outputs and previous-input heads, batch 50
#: at 2.5/L, no growth, lengths 3..5 until the curriculum moves.
PART6 = PostRecipe(
    part=6, n_in=4, n_out=4, n_hidden=8, n_prime=8, width=2, output="sigmoid",
    reconstruct=True, push_bias=(1.0, 1.2), pop_bias=(-1.0, -0.8),
    initial_one_hot=False, batch=50, rate=2.5, growth=0.0, len_offset=3,
    start_max_len=3, grow_slope=1.0, grow_const=4.0, grow_after=10_000,
)  # fmt: skip


def _check_recipe(recipe: object) -> PostRecipe:
    if not isinstance(recipe, PostRecipe):
        raise TypeError(f"recipe must be a PostRecipe, got {type(recipe).__name__}")
    return recipe


def make_post_model(
    recipe: PostRecipe, rng: np.random.Generator | int
) -> PostStackController:
    """The controller of ``recipe`` (:data:`PART5` or :data:`PART6`) with weights drawn
    from ``rng``."""
    r = _check_recipe(recipe)
    return PostStackController(
        r.n_in, r.n_out, r.n_hidden, r.n_prime, r.width, rng, output=r.output,
        reconstruct=r.reconstruct, push_bias=r.push_bias, pop_bias=r.pop_bias,
        initial_one_hot=r.initial_one_hot,
    )  # fmt: skip


def post_sequences(
    recipe: PostRecipe, lengths: np.ndarray, rng: np.random.Generator | int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A batch of the post's reversal sequences, one per entry of ``lengths: (B,)``.

    Returns:
        ``x: (T, B, n_in)``, ``target: (T, B, n_out)`` and ``mask: (T, B)`` (1 on the
        ``2L`` steps of each sequence), with ``T = 2 max(lengths)``.
    """
    r = _check_recipe(recipe)
    lengths = check_lengths(lengths)
    rng = as_rng(rng)
    B, T = lengths.size, 2 * int(lengths.max())
    sym = rng.integers(0, 2, size=(T // 2, B))  # sequence b uses its first L rows
    t, L = np.arange(T)[:, None], lengths[None, :]
    x, y = np.zeros((T, B, r.n_in)), np.zeros((T, B, r.n_out))
    tt, bb = np.nonzero(t[: T // 2] < L)  # the input steps of every sequence
    col = r.symbol_columns[0] + sym[tt, bb]
    x[tt, bb, col] = 1.0
    y[2 * lengths[bb] - 1 - tt, bb, col] = 1.0  # the reverse
    if r.part == 5:
        x[:, :, 0] = t < L  # reading
    else:
        x[:, :, 1], x[:, :, 0] = t < L, (t >= L) & (t < 2 * L)  # reading, answering
    mask = (t < 2 * L).astype(np.float64)
    return x, y, mask


@dataclass
class ReplayHistory:
    """What :func:`replay` saw, one entry per window of ``recipe.window`` sequences.

    ``iteration``: sequences seen at the window's end; ``max_len``: the curriculum after
    its check; ``error``: the window's summed absolute error; ``push_bias``: ``b_d``;
    ``mean_d``, ``mean_u``: the gates averaged over the stack steps (``t ≤ 2L − 2``) of
    the window's last batch. ``reached[k]`` is the iteration (sequences seen) at which
    ``max_len`` first became k; ``updates`` the number of updates run.
    """

    iteration: list[int] = field(default_factory=list)
    max_len: list[int] = field(default_factory=list)
    error: list[float] = field(default_factory=list)
    push_bias: list[float] = field(default_factory=list)
    mean_d: list[float] = field(default_factory=list)
    mean_u: list[float] = field(default_factory=list)
    reached: dict[int, int] = field(default_factory=dict)
    updates: int = 0


def stack_step_mask(mask: np.ndarray) -> np.ndarray:
    """The steps whose stack operation can matter: all but each sequence's last (the
    post runs its stack on ``2L − 1`` steps). ``mask: (T, B)`` -> ``(T, B)``."""
    mask = np.asarray(mask, dtype=np.float64)
    out = mask.copy()
    last = mask.sum(axis=0).astype(int) - 1
    out[last, np.arange(mask.shape[1])] = 0.0
    return out


def replay(
    model: PostStackController,
    recipe: PostRecipe,
    updates: int,
    rng: np.random.Generator | int,
) -> ReplayHistory:
    """Train ``model`` as the post did (module docstring) for ``updates`` SGD updates of
    ``recipe.batch`` sequences each.

    ``recipe.growth > 0`` applies :func:`nmbook.post_stack.grow_push_bias` after every
    update; ``with_growth(PART5, 0.0)`` is the same run without that line. ``rng``: seed
    or generator for the data (lengths and symbols).

    Returns:
        The :class:`ReplayHistory`; nothing is asserted.
    """
    if not isinstance(model, PostStackController):
        raise TypeError(
            f"model must be a PostStackController, got {type(model).__name__}"
        )
    r = _check_recipe(recipe)
    if (
        isinstance(updates, bool)
        or not isinstance(updates, int | np.integer)
        or updates < 1
    ):
        raise ValueError(f"updates must be a positive integer, got {updates!r}")
    if r.window % r.batch:
        raise ValueError(
            f"recipe.window ({r.window}) must be a multiple of recipe.batch"
        )
    rng = as_rng(rng)
    params = model.parameters()
    opt = SGD(params, lr=r.rate)
    hist, max_len, seen, err = ReplayHistory(), r.start_max_len, 0, 0.0
    hist.reached[max_len] = 0
    for _ in range(int(updates)):
        lengths = r.len_offset + rng.integers(0, max_len, size=r.batch)
        x, y, mask = post_sequences(r, lengths, rng)
        for p in params:
            p.zero_grad()
        # each sequence at rate / L, the mean over the batch: weights 1 / (B L)
        post_loss(model, x, y, mask / (r.batch * lengths[None, :]))
        opt.step()
        if r.growth:
            grow_push_bias(model, r.growth, r.batch)
        hist.updates += 1
        err += float(np.sum(np.abs(model.y - y) * mask[:, :, None]))
        seen += r.batch
        if seen % r.window == 0:
            if err < r.grow_slope * max_len + r.grow_const and seen - 1 > r.grow_after:
                max_len += 1
                hist.reached.setdefault(max_len, seen)
            sm = stack_step_mask(mask)
            n = max(sm.sum(), 1.0)
            hist.iteration.append(seen)
            hist.max_len.append(max_len)
            hist.error.append(err)
            hist.push_bias.append(model.push_bias)
            hist.mean_d.append(float((model.d * sm).sum() / n))
            hist.mean_u.append(float((model.u * sm).sum() / n))
            err = 0.0
    return hist


def predicted_symbols(recipe: PostRecipe, y: np.ndarray) -> np.ndarray:
    """The symbol (0 or 1) an output ``y: (T, B, n_out)`` names at each step: the larger
    of the two symbol columns (for two symbols, the sign of their difference)."""
    r = _check_recipe(recipe)
    a, b = r.symbol_columns
    return (y[..., b] > y[..., a]).astype(np.int64)


def _answer_mask(lengths: np.ndarray, T: int) -> np.ndarray:
    t = np.arange(T)[:, None]
    L = np.asarray(lengths)[None, :]
    return (t >= L) & (t < 2 * L)


def score(
    model: PostStackController,
    recipe: PostRecipe,
    lengths: np.ndarray,
    rng: np.random.Generator | int,
    zero_reads: bool = False,
) -> tuple[float, float]:
    """Whole-sequence and per-symbol accuracy on fresh sequences of ``lengths: (B,)``.

    A symbol is right when :func:`predicted_symbols` names the target's symbol; a
    sequence is right when all of its ``L`` answers are. Returns ``(whole, per
    symbol)``.
    """
    r = _check_recipe(recipe)
    x, y, _ = post_sequences(r, lengths, rng)
    out = model.forward(x, zero_reads=zero_reads)
    ans = _answer_mask(lengths, x.shape[0])
    right = (predicted_symbols(r, out) == predicted_symbols(r, y)) | ~ans
    per = float(right[ans].mean())
    return float(np.mean(right.all(axis=0))), per


def accuracy_by_length(
    model: PostStackController,
    recipe: PostRecipe,
    lengths,
    n: int,
    seed: int,
    zero_reads: bool = False,
) -> dict[int, tuple[float, float]]:
    """``{L: (whole, per symbol)}`` on ``n`` fresh sequences of each length in
    ``lengths``, drawn with ``seed`` (:func:`score`)."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    rng = as_rng(seed, "seed")
    return {
        int(L): score(model, recipe, np.full(n, int(L)), rng, zero_reads)
        for L in lengths
    }


def gate_report(
    model: PostStackController, recipe: PostRecipe, lengths: np.ndarray, rng
) -> dict[str, float]:
    """What the stack does on fresh sequences of ``lengths: (B,)``.

    Returns the mean push and pop strength while reading (``d_in``, ``u_in``: steps
    ``t < L``) and while answering (``d_out``, ``u_out``: stack steps ``L ≤ t ≤ 2L −
    2``), the fraction of stack steps with ``d > 0.99`` (``frac_d99``), the range of
    ``u`` over the stack steps (``u_min``, ``u_max``), the fraction of the stack steps'
    gates (d and u) within 0.01 of 0 or 1 (``saturated``), and ``share``: the mean
    share of the answering steps' reads taken from values pushed at earlier steps
    (:func:`nmbook.memory.continuous.earlier_read_share`; 0 when each read only returns
    the value pushed at the same step — the stack bypassed).
    """
    r = _check_recipe(recipe)
    x, _, mask = post_sequences(r, lengths, rng)
    model.forward(x)
    T = x.shape[0]
    t, L = np.arange(T)[:, None], np.asarray(lengths)[None, :]
    stack = stack_step_mask(mask) > 0
    phases = {"in": t < L, "out": (t >= L) & stack}
    out = {}
    for name, m in phases.items():
        out[f"d_{name}"] = float(model.d[m].mean()) if m.any() else float("nan")
        out[f"u_{name}"] = float(model.u[m].mean()) if m.any() else float("nan")
    out["frac_d99"] = float((model.d[stack] > 0.99).mean())
    out["u_min"], out["u_max"] = (
        float(model.u[stack].min()),
        float(model.u[stack].max()),
    )
    gates = np.concatenate([model.d[stack], model.u[stack]])
    out["saturated"] = float((np.minimum(gates, 1.0 - gates) < 0.01).mean())
    out["share"] = (
        earlier_read_share(model.strengths, phases["out"])
        if phases["out"].any()
        else float("nan")
    )
    return out


def with_growth(recipe: PostRecipe, growth: float) -> PostRecipe:
    """``recipe`` with another push-bias growth rate (0: the line removed)."""
    return replace(_check_recipe(recipe), growth=float(growth))
