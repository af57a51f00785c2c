"""Madsen & Johansen's static arithmetic task (2020), many seeds trained in one batch.

Their "arithmetic datasets" task, read in their code (``AndreasMadsen/stable-nalu``:
the static-function experiment, its data set and its result scripts):

* ``x ∈ R^100``; ``a`` and ``b`` are sums over two runs of ``⌊0.25 · 100⌋ = 25``
  consecutive inputs that overlap by ``⌊0.5 · 25⌋ = 12`` (the second starts 12 inputs
  before the first ends); the pair is shifted by an offset drawn once per seed, ``0 …
  100 − 38``. The target is ``a + b``, ``a − b`` or ``a × b``.
* Training inputs ~ U[1, 2], a fresh batch of 128 each step; a fixed interpolation set
  (U[1, 2]) and extrapolation set (U[2, 6]) of 10,000 inputs, the same for every seed,
  evaluated every 1,000 steps.
* Two layers of width 2, no biases: NAU → NAU ("NAU" in their table, for + and −), NAU
  → NMU ("NMU", for ×). Adam, learning rate 1e-3; MSE loss plus ``λ · s(t) · (R_1 +
  R_2)``, ``R_l`` a layer's mean ``min(|W|, 1 − |W|)`` (:func:`nmbook.nau.nau_sparsity`,
  :func:`nmbook.nau.nmu_sparsity`), ``λ = 10``, ``s(t)`` rising linearly from 0 at
  step 10^6 to 1 at step 2·10^6; weights clipped into their box after every step; the
  NAU initialised uniform on ``±min(1/2, √(6 / (n_in + n_out)))``, the NMU on ``[1/4,
  3/4]``.
* **Success**: the extrapolation MSE of the model at the evaluation with the lowest
  interpolation MSE among the last 100 evaluations is below the MSE of a near-perfect
  solution (:func:`success_threshold`: the first layer's exact weights moved by ε =
  1e-5 towards the middle, the second layer exact). The iteration of first success is
  the first evaluation whose extrapolation MSE is below that threshold.

Differences here, all stated where the results are shown: float64 instead of float32;
NumPy's generators instead of theirs (so no seed reproduces one of theirs); the
threshold is computed on the extrapolation set itself with the true 25-input subsets
(their script draws 10^6 fresh inputs and its R ranges cover 26); and, to fit many runs
on a small machine, **the runs of one seed share that seed's input stream and subset
offset across cells** (NAU on + and on −, NMU on ×): within a cell every run has its own
stream, offset and initialisation, so a cell's runs stay independent.

Taught in: Part IV, chapter 2 (*The NAC and the NALU*), and its evidence page.
"""

from __future__ import annotations

import json
import math
import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from nmbook.nau import NAU, NMU
from nmbook.optim import Adam

#: the operations of the reproduction: name -> function of (a, b)
MADSEN_OPS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
}
#: the models: name -> second layer ("nau": NAU → NAU, "nmu": NAU → NMU)
MADSEN_MODELS = ("nau", "nmu")


@dataclass(frozen=True)
class MadsenSetup:
    """Their defaults (module docstring); every field can be changed for small tests."""

    n_inputs: int = 100
    subset_ratio: float = 0.25
    overlap_ratio: float = 0.5
    train_range: tuple[float, float] = (1.0, 2.0)
    extrapolation_range: tuple[float, float] = (2.0, 6.0)
    batch_size: int = 128
    lr: float = 1e-3
    lam: float = 10.0
    reg_start: int = 1_000_000
    reg_end: int = 2_000_000
    eval_every: int = 1000
    eval_size: int = 10_000
    best_range: int = 100
    eps: float = 1e-5
    init_cap: float = 0.5


def madsen_subsets(
    n_inputs: int = 100,
    subset_ratio: float = 0.25,
    overlap_ratio: float = 0.5,
    offset: int = 0,
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The two input ranges ``((a_start, a_end), (b_start, b_end))``, ends exclusive.

    ``size = ⌊subset_ratio · n_inputs⌋``, ``overlap = ⌊overlap_ratio · size⌋``; ``a``
    starts at ``offset``, ``b`` starts ``overlap`` inputs before ``a`` ends. ``offset``
    must lie in ``0 … n_inputs − (2 size − overlap)``.
    """
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, int | np.integer):
        raise TypeError(f"n_inputs must be an int, got {type(n_inputs).__name__}")
    if not (0 < subset_ratio <= 1 and 0 <= overlap_ratio <= 1):
        raise ValueError(
            "subset_ratio must be in (0, 1] and overlap_ratio in [0, 1], got "
            f"{subset_ratio!r} and {overlap_ratio!r}"
        )
    size = math.floor(subset_ratio * n_inputs)
    overlap = math.floor(overlap_ratio * size)
    total = 2 * size - overlap
    if size < 1 or total > n_inputs:
        raise ValueError(
            f"n_inputs={n_inputs} cannot hold two subsets of {size} overlapping by "
            f"{overlap}"
        )
    if not (0 <= offset <= n_inputs - total):
        raise ValueError(f"offset must be in 0..{n_inputs - total}, got {offset!r}")
    a = (int(offset), int(offset + size))
    b = (a[1] - overlap, a[1] - overlap + size)
    return a, b


def max_offset(n_inputs: int, subset_ratio: float, overlap_ratio: float) -> int:
    """The largest valid ``offset`` of :func:`madsen_subsets`."""
    size = math.floor(subset_ratio * n_inputs)
    return n_inputs - (2 * size - math.floor(overlap_ratio * size))


def selection_matrix(
    subsets: tuple[tuple[int, int], tuple[int, int]], n_inputs: int
) -> np.ndarray:
    """``M: (n_inputs, 2)``, ones on the two subsets, so that ``x M = (a, b)``; it is
    also the exact first-layer weight of every model here."""
    M = np.zeros((n_inputs, 2))
    for j, (lo, hi) in enumerate(subsets):
        M[lo:hi, j] = 1.0
    return M


def madsen_targets(op: str, ab: np.ndarray) -> np.ndarray:
    """``op(a, b)`` for ``ab: (..., 2)`` (last axis: ``a, b``) ``-> (..., 1)``."""
    if op not in MADSEN_OPS:
        raise ValueError(f"op must be one of {sorted(MADSEN_OPS)}, got {op!r}")
    return MADSEN_OPS[op](ab[..., 0], ab[..., 1])[..., None]


def success_threshold(
    op: str,
    subsets: tuple[tuple[int, int], tuple[int, int]],
    X: np.ndarray,
    eps: float = 1e-5,
) -> float:
    """Their success threshold: the MSE on ``X: (N, n_inputs)`` of the near-perfect
    model whose first-layer weights are ``1 − ε`` on the subsets and ``ε`` elsewhere,
    second layer exact (``a + b``, ``a − b`` or ``a · b`` of the two columns)."""
    if not (isinstance(X, np.ndarray) and X.ndim == 2 and len(X)):
        raise ValueError(f"X must be a non-empty (N, n_inputs) array, got {X!r:.60}")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    M = selection_matrix(subsets, X.shape[1])
    exact = madsen_targets(op, X @ M)
    near = madsen_targets(op, X @ (eps + (1.0 - 2.0 * eps) * M))
    return float(np.mean((near - exact) ** 2))


def regularizer_scale(step: int, start: int, end: int) -> float:
    """``s(t) = clip((t − start) / (end − start), 0, 1)``, their linear schedule."""
    return float(min(1.0, max(0.0, (step - start) / (end - start))))


def _cell_tag(model: str, op: str) -> int:
    return zlib.crc32(f"{model}-{op}".encode())


def _to_json(obj):
    """A generator state with NumPy arrays in it -> plain JSON values."""
    if isinstance(obj, np.ndarray):
        return {"__array__": obj.tolist(), "dtype": str(obj.dtype)}
    if isinstance(obj, dict):
        return {k: _to_json(v) for k, v in obj.items()}
    return obj


def _from_json(obj):
    """Inverse of :func:`_to_json`."""
    if isinstance(obj, dict):
        if "__array__" in obj:
            return np.array(obj["__array__"], dtype=obj["dtype"])
        return {k: _from_json(v) for k, v in obj.items()}
    return obj


def _sparsity_error(W: np.ndarray) -> np.ndarray:
    """max over a run's weights of ``min(|W|, |1 − |W||)``: ``(*runs, n, m) ->
    runs``."""
    A = np.abs(W)
    return np.max(np.minimum(A, np.abs(1.0 - A)), axis=(-2, -1))


class MadsenStaticRuns:
    """``len(cells) × len(seeds)`` runs of the static task, advanced together.

    ``cells``: ``(model, op)`` pairs, model in :data:`MADSEN_MODELS`, op in
    :data:`MADSEN_OPS`. Run ``(c, s)``: seed ``seeds[s]`` fixes its input stream and
    subset offset (shared by the cells) and, with the cell's name, its initialisation.
    Shapes: first layer ``W: (C, S, n_inputs, 2)``, second layers ``(C_nau, S, 2, 1)``
    and ``(C_nmu, S, 2, 1)``. :meth:`train` runs to a step count (resumable through
    :meth:`save` / :meth:`load`); :meth:`results` gives one dict per run.
    """

    def __init__(
        self,
        cells: Sequence[tuple[str, str]],
        seeds: Sequence[int],
        setup: MadsenSetup = MadsenSetup(),  # noqa: B008 - frozen
    ) -> None:
        cells = [tuple(c) for c in cells]
        if not cells or len(set(cells)) != len(cells):
            raise ValueError(f"cells must be distinct (model, op) pairs, got {cells}")
        for model, op in cells:
            if model not in MADSEN_MODELS or op not in MADSEN_OPS:
                raise ValueError(
                    f"unknown cell ({model!r}, {op!r}): models {MADSEN_MODELS}, "
                    f"ops {sorted(MADSEN_OPS)}"
                )
        for s in seeds:
            if isinstance(s, bool) or not isinstance(s, int | np.integer):
                raise TypeError(f"seeds must be ints, got {type(s).__name__}")
        seeds = [int(s) for s in seeds]
        if not seeds or len(set(seeds)) != len(seeds):
            raise ValueError(f"seeds must be distinct ints, got {seeds}")
        self.cells, self.seeds, self.setup = cells, seeds, setup
        n, S = setup.n_inputs, len(seeds)
        hi = max_offset(n, setup.subset_ratio, setup.overlap_ratio)
        self.offsets = [
            int(np.random.default_rng([s, 1]).integers(0, hi + 1)) for s in seeds
        ]
        self.subsets = [
            madsen_subsets(n, setup.subset_ratio, setup.overlap_ratio, o)
            for o in self.offsets
        ]
        self.M = np.stack([selection_matrix(sub, n) for sub in self.subsets])
        # SFC64: the training inputs are most of a step's cost, and it draws them
        # about a quarter faster than the default PCG64
        self.data_rngs = [
            np.random.Generator(np.random.SFC64(np.random.SeedSequence([s, 0])))
            for s in seeds
        ]
        inits = np.empty((len(cells), S), dtype=object)
        for c, (model, op) in enumerate(cells):
            for j, s in enumerate(seeds):
                inits[c, j] = np.random.default_rng([s, 2, _cell_tag(model, op)])
        self.layer1 = NAU(n, 2, inits, init_cap=setup.init_cap)
        self.ia = [c for c, (m, _) in enumerate(cells) if m == "nau"]
        self.im = [c for c, (m, _) in enumerate(cells) if m == "nmu"]
        self.layer2a = NAU(2, 1, inits[self.ia], setup.init_cap) if self.ia else None
        self.layer2m = NMU(2, 1, inits[self.im]) if self.im else None
        self.units = [u for u in (self.layer1, self.layer2a, self.layer2m) if u]
        self.opt = Adam([u.W for u in self.units], lr=setup.lr)
        # the fixed evaluation sets (the same inputs for every seed, as theirs)
        ev = np.random.default_rng(43953907)
        lo, hi_ = setup.train_range
        self.X_int = ev.uniform(lo, hi_, size=(setup.eval_size, n))
        lo, hi_ = setup.extrapolation_range
        self.X_ext = np.random.default_rng(8689336).uniform(
            lo, hi_, size=(setup.eval_size, n)
        )
        self.T_int = self._targets(self.X_int[None])
        self.T_ext = self._targets(self.X_ext[None])
        self.threshold = np.array(
            [
                [
                    success_threshold(op, sub, self.X_ext, setup.eps)
                    for sub in self.subsets
                ]
                for _, op in cells
            ]
        )
        self.step = 0
        self.history: dict[str, list] = {
            k: [] for k in ("step", "int", "ext", "sparse")
        }
        self._x = np.empty((S, setup.batch_size, n))

    # ---------------------------------------------------------------- the model
    def _targets(self, X: np.ndarray) -> np.ndarray:
        """``X: (S or 1, N, n) -> targets (C, S, N, 1)``."""
        ab = X @ self.M
        return np.stack([madsen_targets(op, ab) for _, op in self.cells])

    def forward(self, X: np.ndarray) -> np.ndarray:
        """``X: (S or 1, N, n) -> y: (C, S, N, 1)`` for every run."""
        z1 = self.layer1.forward(X[None])
        y = np.empty(z1.shape[:-1] + (1,))
        if self.ia:
            y[self.ia] = self.layer2a.forward(z1[self.ia])
        if self.im:
            y[self.im] = self.layer2m.forward(z1[self.im])
        return y

    def backward(self, dy: np.ndarray) -> None:
        """Accumulate every unit's gradient from ``dy: (C, S, N, 1)``."""
        dz1 = np.empty(dy.shape[:-1] + (2,))
        if self.ia:
            dz1[self.ia] = self.layer2a.backward(dy[self.ia])
        if self.im:
            dz1[self.im] = self.layer2m.backward(dy[self.im])
        self.layer1.backward(dz1, input_grad=False)

    def evaluate(self) -> None:
        """Append every run's interpolation/extrapolation MSE and sparsity error."""
        mse_int = np.mean(
            (self.forward(self.X_int[None]) - self.T_int) ** 2, axis=(2, 3)
        )
        mse_ext = np.mean(
            (self.forward(self.X_ext[None]) - self.T_ext) ** 2, axis=(2, 3)
        )
        sparse = _sparsity_error(self.layer1.W.value)
        for idx, unit in ((self.ia, self.layer2a), (self.im, self.layer2m)):
            if idx:
                sparse[idx] = np.maximum(sparse[idx], _sparsity_error(unit.W.value))
        self.history["step"].append(self.step)
        self.history["int"].append(mse_int)
        self.history["ext"].append(mse_ext)
        self.history["sparse"].append(sparse)

    def train_step(self) -> np.ndarray:
        """One Adam step of every run on a fresh batch; returns the MSE ``(C, S)``."""
        st = self.setup
        lo, hi = st.train_range
        x = self._x
        for j, g in enumerate(self.data_rngs):
            g.random(out=x[j])
        x *= hi - lo  # U[lo, hi) in place
        x += lo
        t = self._targets(x)
        self.opt.zero_grad()
        y = self.forward(x)
        err = y - t
        self.backward(2.0 * err / err.shape[-2])
        scale = regularizer_scale(self.step, st.reg_start, st.reg_end)
        if scale > 0:
            for unit in self.units:
                unit.regularize(st.lam * scale)
        self.opt.step()
        for unit in self.units:
            unit.clip_weights()
        self.step += 1
        return np.mean(err**2, axis=(2, 3))

    def train(
        self,
        steps: int,
        checkpoint: str | os.PathLike | None = None,
        checkpoint_every: int = 100_000,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Train until ``self.step == steps`` (evaluating every ``eval_every`` steps and
        at the end), saving to ``checkpoint`` every ``checkpoint_every`` steps."""
        every = self.setup.eval_every
        while self.step < steps:
            if self.step % every == 0 and (
                not self.history["step"] or self.history["step"][-1] != self.step
            ):
                self.evaluate()
                if progress is not None:
                    progress(self.step)
            self.train_step()
            if checkpoint is not None and self.step % checkpoint_every == 0:
                self.save(checkpoint)
        if not self.history["step"] or self.history["step"][-1] != self.step:
            self.evaluate()

    # ---------------------------------------------------------------- results
    def results(self) -> list[dict]:
        """One dict per run (cells × seeds, cell-major) at the current step."""
        steps = np.asarray(self.history["step"])
        Ei, E = np.asarray(self.history["int"]), np.asarray(self.history["ext"])
        P = np.asarray(self.history["sparse"])
        k0 = max(0, len(steps) - self.setup.best_range)
        rows = []
        for c, (model, op) in enumerate(self.cells):
            for j, seed in enumerate(self.seeds):
                thr = self.threshold[c, j]
                best = k0 + int(np.argmin(Ei[k0:, c, j]))
                below = np.flatnonzero(E[:, c, j] < thr)
                rows.append(
                    {
                        "model": model,
                        "op": op,
                        "seed": seed,
                        "steps": int(self.step),
                        "solved": bool(E[best, c, j] < thr),
                        "first_solved": int(steps[below[0]]) if below.size else -1,
                        "best_step": int(steps[best]),
                        "interpolation_mse": float(Ei[best, c, j]),
                        "extrapolation_mse": float(E[best, c, j]),
                        "threshold": float(thr),
                        "sparsity_error": float(P[best, c, j]),
                        "offset": self.offsets[j],
                    }
                )
        return rows

    # ---------------------------------------------------------------- state
    def save(self, path: str | os.PathLike) -> None:
        """Write the state (weights, Adam, generators, history, step) atomically."""
        arrays = {f"W{i}": u.W.value for i, u in enumerate(self.units)}
        arrays |= {f"m{i}": m for i, m in enumerate(self.opt.m)}
        arrays |= {f"v{i}": v for i, v in enumerate(self.opt.v)}
        arrays |= {f"h_{k}": np.asarray(v) for k, v in self.history.items()}
        meta = {
            "step": self.step,
            "t": self.opt.t,
            "rngs": [_to_json(g.bit_generator.state) for g in self.data_rngs],
            "cells": self.cells,
            "seeds": self.seeds,
            "setup": asdict(self.setup),
        }
        tmp = f"{os.fspath(path)}.tmp.npz"
        np.savez(tmp, meta=np.array(json.dumps(meta)), **arrays)
        os.replace(tmp, path)

    def load(self, path: str | os.PathLike) -> None:
        """Restore a state written by :meth:`save` for the same seeds and setup and the
        same cells or more: from a checkpoint of more cells, this object's cells are
        taken out (a seed's input stream is shared by its cells, so a subset continues
        exactly as the full set would)."""
        with np.load(path) as f:
            meta = json.loads(str(f["meta"]))
            saved = [tuple(c) for c in meta["cells"]]
            same = (
                set(self.cells) <= set(saved)
                and meta["seeds"] == self.seeds
                and meta["setup"] == json.loads(json.dumps(asdict(self.setup)))
            )
            if not same:
                raise ValueError(
                    f"checkpoint {path} is for other cells, seeds or setup"
                )
            pick = [saved.index(c) for c in self.cells]
            # where each unit of the checkpoint sits (the order of save()) and whose
            # rows it holds; this object's units take the rows of its own cells
            where, k = {"layer1": (0, saved)}, 1
            for model, name in (("nau", "layer2a"), ("nmu", "layer2m")):
                held = [c for c in saved if c[0] == model]
                if held:
                    where[name], k = (k, held), k + 1
            mine = [("layer1", self.cells)] + [
                (name, [c for c in self.cells if c[0] == model])
                for model, name in (("nau", "layer2a"), ("nmu", "layer2m"))
                if getattr(self, name) is not None
            ]
            for i, (name, cells) in enumerate(mine):
                k, held = where[name]
                r = [held.index(c) for c in cells]
                self.units[i].W.value[...] = f[f"W{k}"][r]
                self.opt.m[i][...] = f[f"m{k}"][r]
                self.opt.v[i][...] = f[f"v{k}"][r]
            self.history = {
                "step": list(f["h_step"]),
                **{k: list(f[f"h_{k}"][:, pick]) for k in ("int", "ext", "sparse")},
            }
        self.step, self.opt.t = int(meta["step"]), int(meta["t"])
        for g, s in zip(self.data_rngs, meta["rngs"], strict=True):
            g.bit_generator.state = _from_json(s)
