"""Training and evaluating sequence transducers (the controllers of Part III).

The model is a :class:`nmbook.protocols.Transducer`: ``forward(x, noise_std, rng,
zero_reads) -> logits: (T, B, K)``, ``backward(dlogits, dd, du)``, ``parameters()``,
``zero_grad()`` and, for the saturation penalty, ``saturation_penalty()`` — e.g.
:class:`nmbook.controller.MemoryController`; the autoencoder loss (``aux_weight > 0``)
also needs ``autoencoder_loss(x, lag)`` and ``backward(..., daux=...)``. The
diagnostics (:func:`gate_phase_means`, :func:`earlier_read_share_of`) run one forward
pass and read the controller's :class:`~nmbook.controller.ControllerTrace`. Taught in:
Part III, chapters 3–5.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from nmbook.controller import ControllerTrace, MemoryController
from nmbook.losses import softmax_cross_entropy
from nmbook.memory import earlier_read_share
from nmbook.optim import Adam, clip_grad_norm
from nmbook.protocols import Transducer
from nmbook.rng import as_rng
from nmbook.seqmetrics import sequences_correct, symbol_accuracy
from nmbook.tasks.transduction import transduction_batch


@dataclass
class SeqTrainConfig:
    """Hyperparameters of :func:`train_transducer` (defaults: the book's reversal
    recipe).

    Lengths are drawn uniformly per sample from ``[min_len, current max]``; the maximum
    grows linearly from ``curriculum_start`` to ``max_len`` over the first
    ``curriculum_steps`` steps (0: no curriculum). ``aux_weight > 0`` adds ``aux_weight
    · L_aux``, the source post's autoencoder loss (reconstruct the input of step ``t -
    aux_lag`` from ``h_t`` and from the heads:
    :meth:`nmbook.controller.MemoryController.autoencoder_loss`) to the output loss; the
    model must be built with ``autoencoder=True``. ``steps_after_solved > 0`` keeps
    training that many steps after the stopping rule first fires (to sharpen the gates),
    with the learning rate set to ``lr_after_solved`` if given.
    """

    task: str = "reverse"
    vocab: int = 8
    steps: int = 1500
    batch: int = 32
    lr: float = 3e-3
    clip: float = 1.0
    min_len: int = 1
    max_len: int = 8
    curriculum_start: int = 2
    curriculum_steps: int = 0
    noise_std: float = 0.0
    penalty: float = 0.0
    penalty_start: int = 0
    push_bias_floor: float | None = None
    print_every: int = 0
    solved_check_every: int = 0
    solved_batch: int = 64
    solved_max_penalty: float | None = None
    aux_weight: float = 0.0
    aux_lag: int = 1
    steps_after_solved: int = 0
    lr_after_solved: float | None = None
    seed: int = 0


@dataclass
class History:
    """What :func:`train_transducer` saw: one entry per step, the step at which the
    stopping rule first fired (``solved_at``, 0 if never), the step at which training
    stopped (``stopped_at``) and the extra steps the configuration asked for once the
    rule fired (``steps_after_solved``).

    Whether the run is solved is :attr:`solved`, the book's one meaning of the word.
    """

    loss: list[float] = field(default_factory=list)
    max_len: list[int] = field(default_factory=list)
    penalty: list[float] = field(default_factory=list)
    aux: list[float] = field(default_factory=list)
    solved_at: int = 0
    stopped_at: int = 0
    steps_after_solved: int = 0

    @property
    def solved(self) -> bool:
        """The run is solved: its stopping rule fired (``solved_at > 0``) **and** the
        ``steps_after_solved`` extra steps were all trained within the budget
        (``stopped_at - solved_at >= steps_after_solved``).

        A rule that fires at the budget's last step solves a run without extra steps; a
        rule that fires too late for its extra steps to fit in the budget does not
        solve the run (its model has not had the training the recipe prescribes). A
        run without a stopping rule (``solved_check_every = 0``) is never solved.
        """
        return (
            self.solved_at > 0
            and self.stopped_at - self.solved_at >= self.steps_after_solved
        )


def current_max_len(cfg: SeqTrainConfig, step: int) -> int:
    """The curriculum: the longest length allowed at ``step`` (0-based)."""
    if cfg.curriculum_steps <= 0:
        return cfg.max_len
    frac = min(1.0, step / cfg.curriculum_steps)
    return int(
        round(cfg.curriculum_start + frac * (cfg.max_len - cfg.curriculum_start))
    )


def train_transducer(
    model: Transducer,
    cfg: SeqTrainConfig,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int = 0,
) -> History:
    """Train ``model`` on ``cfg.task`` with Adam, gradient-norm clipping, an optional
    length curriculum, optional gate noise, saturation penalty and autoencoder loss;
    stop early once every length ≤ ``max_len`` is solved (checked every
    ``solved_check_every`` steps on fresh sequences, after the curriculum has finished
    and the penalty has started) and, if ``solved_max_penalty`` is set, the gates are
    that close to 0 or 1 (mean ``d(1−d) + u(1−u)`` over the last ``solved_check_every``
    steps), or ``steps_after_solved`` steps later.

    Args:
        checkpoint: a ``.npz`` file for long runs: every ``checkpoint_every`` steps the
            whole training state is saved there (:func:`save_training_state`), and a
            call that finds the file continues from it instead of from step 0, on the
            same trajectory as a run never interrupted. ``model`` must then be built as
            for the first call (the file restores its parameters, not its shapes).

    Returns:
        The :class:`History`; nothing is asserted here (the chapters assert what they
        expect). ``History.solved`` tells whether the run is solved.
    """
    if not cfg.aux_weight >= 0:
        raise ValueError(f"cfg.aux_weight must be >= 0, got {cfg.aux_weight!r}")
    if cfg.aux_weight > 0 and not getattr(model, "autoencoder", False):
        raise ValueError("cfg.aux_weight > 0 needs a model built with autoencoder=True")
    if not isinstance(cfg.steps_after_solved, int) or cfg.steps_after_solved < 0:
        raise ValueError(
            f"cfg.steps_after_solved must be a non-negative integer, got "
            f"{cfg.steps_after_solved!r}"
        )
    if cfg.lr_after_solved is not None and not cfg.lr_after_solved > 0:
        raise ValueError(
            f"cfg.lr_after_solved must be positive or None, got {cfg.lr_after_solved!r}"
        )
    if isinstance(checkpoint_every, bool) or not isinstance(checkpoint_every, int):
        raise TypeError(
            f"checkpoint_every must be an integer, got "
            f"{type(checkpoint_every).__name__}"
        )
    if checkpoint_every < 0 or (checkpoint_every > 0 and checkpoint is None):
        raise ValueError(
            f"checkpoint_every must be >= 0, and > 0 only with a checkpoint file; got "
            f"{checkpoint_every} with checkpoint={checkpoint!r}"
        )
    rng = as_rng(cfg.seed, "cfg.seed")
    opt = Adam(model.parameters(), lr=cfg.lr)
    hist = History(steps_after_solved=cfg.steps_after_solved)
    start = 0
    if checkpoint is not None and Path(checkpoint).exists():
        start = load_training_state(checkpoint, model.parameters(), opt, rng, hist)
    for step in range(start, cfg.steps):
        top = current_max_len(cfg, step)
        lengths = rng.integers(cfg.min_len, top + 1, size=cfg.batch)
        x, y, mask = transduction_batch(cfg.task, lengths, cfg.vocab, rng)
        model.zero_grad()
        logits = model.forward(x, noise_std=cfg.noise_std, rng=rng)
        loss, dlogits = softmax_cross_entropy(logits, y, mask)
        dd = du = None
        pen = 0.0
        if cfg.penalty > 0 and step >= cfg.penalty_start:
            pen, dd, du = model.saturation_penalty()
            dd, du = cfg.penalty * dd, cfg.penalty * du
        if cfg.aux_weight > 0:
            aux, da, daz = model.autoencoder_loss(x, cfg.aux_lag)
            model.backward(
                dlogits, dd, du, daux=(cfg.aux_weight * da, cfg.aux_weight * daz)
            )
            hist.aux.append(aux)
        else:
            model.backward(dlogits, dd, du)
        clip_grad_norm(model.parameters(), cfg.clip)
        opt.step()
        if cfg.push_bias_floor is not None:
            model.push_bias_floor(cfg.push_bias_floor)
        hist.loss.append(loss)
        hist.max_len.append(top)
        hist.penalty.append(pen)
        if cfg.print_every and (step + 1) % cfg.print_every == 0:
            print(
                f"step {step + 1:5d}  max len {top:2d}  loss "
                f"{np.mean(hist.loss[-cfg.print_every :]):.3f}"
            )
        if (
            cfg.solved_check_every
            and not hist.solved_at
            and (step + 1) % cfg.solved_check_every == 0
            and top == cfg.max_len
            and step >= cfg.penalty_start
            and (
                cfg.solved_max_penalty is None
                or np.mean(hist.penalty[-cfg.solved_check_every :])
                <= cfg.solved_max_penalty
            )
        ):
            lengths = np.arange(cfg.min_len, cfg.max_len + 1)
            accs = accuracy_by_length(
                model,
                cfg.task,
                cfg.vocab,
                lengths,
                cfg.solved_batch,
                seed=10_000 + step,
            )
            if all(a == 1.0 for a, _ in accs.values()):
                hist.solved_at = step + 1
                if cfg.print_every:
                    print(
                        f"solved lengths {cfg.min_len}..{cfg.max_len} at step "
                        f"{step + 1}"
                    )
                if cfg.lr_after_solved is not None:
                    opt.lr = cfg.lr_after_solved
        if hist.solved_at and step + 1 == hist.solved_at + cfg.steps_after_solved:
            hist.stopped_at = step + 1
            return hist
        if checkpoint_every and (step + 1) % checkpoint_every == 0:
            save_training_state(
                checkpoint, step + 1, model.parameters(), opt, rng, hist
            )
    hist.stopped_at = cfg.steps
    return hist


_HISTORY_LISTS = ("loss", "max_len", "penalty", "aux")


def save_training_state(
    path: str | os.PathLike,
    step: int,
    params,
    optimizer,
    rng: np.random.Generator,
    history: History | None = None,
) -> None:
    """Save everything a training loop needs to go on from ``step`` to ``path`` (one
    ``np.savez`` file, written atomically): the values of ``params`` (a list of
    :class:`nmbook.layers.Parameter`, in order), the optimiser's state (every array,
    list of arrays and number among its attributes: Adam's moments, its step count and
    learning rate, ...), the state of ``rng`` and the :class:`History` so far.

    :func:`load_training_state` puts them back. A run that is saved, stopped and loaded
    continues bit for bit as if it had never stopped.
    """
    arrays: dict[str, np.ndarray] = {"step": np.array(int(step))}
    for i, p in enumerate(params):
        arrays[f"param/{i}"] = p.value
    scalars = {}
    for name, value in vars(optimizer).items():
        if name == "params":
            continue
        if isinstance(value, np.ndarray):
            arrays[f"opt/{name}"] = value
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if v is not None:
                    arrays[f"opt/{name}/{i}"] = v
            scalars[name] = ["list", len(value)]
        elif isinstance(value, bool | int | float | np.number):
            scalars[name] = [
                "number",
                value.item() if hasattr(value, "item") else value,
            ]
    meta = {"optimizer": scalars, "rng": rng.bit_generator.state}
    if history is not None:
        for name in _HISTORY_LISTS:
            arrays[f"history/{name}"] = np.asarray(getattr(history, name), dtype=float)
        meta["history"] = {"solved_at": history.solved_at}
    arrays["meta"] = np.array(json.dumps(meta))
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def load_training_state(
    path: str | os.PathLike,
    params,
    optimizer,
    rng: np.random.Generator,
    history: History | None = None,
) -> int:
    """Restore what :func:`save_training_state` saved in ``path`` into ``params``,
    ``optimizer``, ``rng`` and ``history`` (in place) and return the step to go on
    from."""
    params = list(params)
    with np.load(path, allow_pickle=False) as f:
        data = {k: f[k] for k in f.files}
    meta = json.loads(str(data["meta"]))
    n_saved = sum(k.startswith("param/") for k in data)
    if n_saved != len(params):
        raise ValueError(
            f"params: the checkpoint {path} holds {n_saved} parameters, got "
            f"{len(params)}"
        )
    for i, p in enumerate(params):
        if data[f"param/{i}"].shape != p.value.shape:
            raise ValueError(
                f"params[{i}]: the checkpoint holds shape {data[f'param/{i}'].shape}, "
                f"got {p.value.shape}"
            )
        p.value[...] = data[f"param/{i}"]
    for name, (kind, value) in meta["optimizer"].items():
        if kind == "list":
            setattr(
                optimizer,
                name,
                [
                    data[f"opt/{name}/{i}"] if f"opt/{name}/{i}" in data else None
                    for i in range(value)
                ],
            )
        else:
            setattr(optimizer, name, value)
    for key, value in data.items():
        if key.startswith("opt/") and key.count("/") == 1:
            setattr(optimizer, key[4:], value)
    rng.bit_generator.state = meta["rng"]
    if history is not None and "history" in meta:
        for name in _HISTORY_LISTS:
            setattr(history, name, data[f"history/{name}"].tolist())
        history.max_len = [int(v) for v in history.max_len]
        history.solved_at = meta["history"]["solved_at"]
    return int(data["step"])


def accuracy_by_length(
    model: Transducer,
    task: str,
    vocab: int,
    lengths,
    n: int,
    seed: int,
    zero_reads: bool = False,
) -> dict[int, tuple[float, float]]:
    """Whole-sequence ("coarse") and per-symbol ("fine") accuracy of ``model`` for each
    length.

    Args:
        lengths: the sequence lengths to test; ``n`` fresh sequences each, drawn with
            ``seed``.
        zero_reads: evaluate with every memory read replaced by zeros.

    Returns:
        ``{length: (coarse, fine)}``.
    """
    rng = as_rng(seed, "seed")
    out = {}
    for L in lengths:
        x, y, mask = transduction_batch(task, int(L), vocab, rng, batch=n)
        pred = model.forward(x, zero_reads=zero_reads).argmax(axis=-1)
        out[int(L)] = (
            float(np.mean(sequences_correct(pred, y, mask))),
            symbol_accuracy(pred, y, mask),
        )
    return out


def gate_phase_means(
    model: MemoryController, x: np.ndarray, lengths
) -> dict[str, tuple[float, float]]:
    """Mean push and pop strength of a one-end memory controller over the three phases
    of a transduction.

    ``x: (T, B, n_in)`` holds sequences of ``lengths: (B,)`` symbols, a delimiter at
    step ``L`` and the output phase at steps ``L+1 .. 2L``. Runs ``model.forward(x)``
    and averages its trace's ``d`` and ``u`` over ``input`` (``t < L``), ``delimiter``
    (``t = L``) and ``output`` (``L < t ≤ 2L``).

    Returns:
        ``{"input": (mean d, mean u), "delimiter": (...), "output": (...)}``.
    Taught in: Part III, chapter 4 (is the controller really using its stack?).
    """
    lengths = np.asarray(lengths)
    x = np.asarray(x, dtype=np.float64)
    if lengths.ndim != 1 or x.ndim != 3 or lengths.shape[0] != x.shape[1]:
        raise ValueError(
            f"lengths must have shape (B,) with B = x.shape[1], got "
            f"{lengths.shape} for x {x.shape}"
        )
    if x.shape[0] < 2 * lengths.max() + 1:
        raise ValueError(
            f"x must have at least 2 * max(lengths) + 1 = "
            f"{2 * lengths.max() + 1} steps, got {x.shape[0]}"
        )
    tr = _trace(model, x)
    t = np.arange(x.shape[0])[:, None]
    L = lengths[None, :]
    phases = {"input": t < L, "delimiter": t == L, "output": (t > L) & (t <= 2 * L)}
    return {
        name: (float(tr.d[m].mean()), float(tr.u[m].mean()))
        for name, m in phases.items()
    }


def earlier_read_share_of(
    model: MemoryController, x: np.ndarray, mask: np.ndarray
) -> float:
    """The earlier-read share of ``model`` on ``x: (T, B, n_in)``: run it and return
    the mean share of each read at the steps of ``mask: (T, B)`` that comes from values
    pushed at *earlier* steps
    (:func:`nmbook.memory.continuous.earlier_read_share` of its trace's strengths).
    Taught in: Part III, chapters 3–4.
    """
    return earlier_read_share(_trace(model, x).strengths, mask)


def _trace(model: MemoryController, x: np.ndarray) -> ControllerTrace:
    """``model.forward(x)``'s :class:`~nmbook.controller.ControllerTrace`."""
    model.forward(x)
    return model.trace


def train_until_solved(
    make_model, cfg: SeqTrainConfig, max_attempts: int = 3, seed_step: int = 1
):
    """Train ``make_model(seed)`` with ``cfg``; if the run ends without solving the
    training lengths, start again from another seed, at most ``max_attempts`` times in
    all — a visible restart rule, not a hidden one.

    Attempt ``k`` (from 0) uses seed ``cfg.seed + k · seed_step`` for the initial
    weights and for the data (a sweep over seeds 0..N−1 passes a ``seed_step`` ≥ N, so
    that no two of its runs share an attempt). A run is solved when its
    :attr:`History.solved` is true: the stopping rule fired (so
    ``cfg.solved_check_every`` must be positive), on the last step at the latest, and
    the ``cfg.steps_after_solved`` extra steps were all trained within ``cfg.steps``.

    Returns:
        ``(model, history, attempts)``: the last model trained and its :class:`History`,
        and one ``(seed, stopped_at)`` pair per attempt; the caller checks
        ``history.solved``.
    Taught in: Part III, chapters 3–4.
    """
    if cfg.solved_check_every <= 0:
        raise ValueError(
            f"cfg.solved_check_every must be positive to tell a solved "
            f"run, got {cfg.solved_check_every}"
        )
    if not isinstance(max_attempts, int) or max_attempts < 1:
        raise ValueError(
            f"max_attempts must be a positive integer, got {max_attempts!r}"
        )
    if isinstance(seed_step, bool) or not isinstance(seed_step, int) or seed_step < 1:
        raise ValueError(f"seed_step must be a positive integer, got {seed_step!r}")
    attempts = []
    for k in range(max_attempts):
        seed = cfg.seed + k * seed_step
        model = make_model(seed)
        hist = train_transducer(model, replace(cfg, seed=seed))
        attempts.append((seed, hist.stopped_at))
        if hist.solved:
            break
    return model, hist, attempts
