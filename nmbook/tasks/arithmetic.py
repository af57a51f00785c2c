"""The static arithmetic tasks of the NALU paper (Trask et al., 2018), seeded.

An input vector ``x`` of ``n_inputs`` numbers is drawn at random; ``a`` and ``b`` are
the sums of two fixed slices of it (the slices are drawn once per task from its seed and
may overlap), and the target is one of ``a + b``, ``a − b``, ``a × b``, ``a / b``,
``a²``, ``√a``. A model must discover which inputs matter *and* the operation.
Interpolation draws every input from the training range; extrapolation draws every input
from a range of larger, positive numbers, so that every ``a`` and ``b`` lies outside the
values seen in training.

Taught in: Part IV, chapter 2 (*The NAC and the NALU*).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nmbook import layers as L
from nmbook.layers import Linear, ReLU, ReLU6, Sequential, as_rng
from nmbook.losses import mse
from nmbook.nalu import NAC, NALU, ComplexNAC
from nmbook.optim import Adam

#: name -> (formula as printed, function of (a, b)). ``b`` is unused by ``square`` and
#: ``sqrt``.
OPERATIONS: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "add": ("a + b", lambda a, b: a + b),
    "sub": ("a − b", lambda a, b: a - b),
    "mul": ("a × b", lambda a, b: a * b),
    "div": ("a / b", lambda a, b: a / b),
    "square": ("a²", lambda a, b: a * a),
    "sqrt": ("√a", lambda a, b: np.sqrt(a)),
}

#: Default input ranges: training / interpolation inputs ~ U[1, 2), extrapolation inputs
#: ~ U[2, 6).
INTERPOLATION_RANGE = (1.0, 2.0)
EXTRAPOLATION_RANGE = (2.0, 6.0)


def apply_operation(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The target ``op(a, b)`` for ``op`` in :data:`OPERATIONS`; ``a, b: (N,) ->
    (N,)``."""
    if op not in OPERATIONS:
        raise ValueError(f"op must be one of {sorted(OPERATIONS)}, got {op!r}")
    return OPERATIONS[op][1](
        np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    )


@dataclass(frozen=True)
class ArithmeticTask:
    """One static arithmetic task: the operation, the two fixed slices, and the input
    ranges.

    Attributes:
        op: a key of :data:`OPERATIONS`.
        n_inputs: length of the input vector ``x``.
        a_slice, b_slice: ``(start, stop)`` index ranges; ``a = x[start:stop].sum()``.
        interpolation, extrapolation: ``(low, high)`` of the uniform input
            distributions.
    """

    op: str
    n_inputs: int
    a_slice: tuple[int, int]
    b_slice: tuple[int, int]
    interpolation: tuple[float, float] = INTERPOLATION_RANGE
    extrapolation: tuple[float, float] = EXTRAPOLATION_RANGE

    @property
    def formula(self) -> str:
        """The operation as printed, e.g. ``"a × b"``."""
        return OPERATIONS[self.op][0]

    def operands(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``a`` and ``b`` of a batch ``X: (N, n_inputs)``, each ``(N,)``."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"X must have shape (N, {self.n_inputs}), got {X.shape}")
        return X[:, slice(*self.a_slice)].sum(axis=1), X[:, slice(*self.b_slice)].sum(
            axis=1
        )

    def targets(self, X: np.ndarray) -> np.ndarray:
        """``y = op(a, b)`` for a batch ``X: (N, n_inputs)``, shape ``(N, 1)``."""
        a, b = self.operands(X)
        return apply_operation(self.op, a, b)[:, None]

    def sample(
        self, n: int, rng: np.random.Generator | int, regime: str = "interpolation"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` examples: ``X: (n, n_inputs)`` uniform over the regime's range,
        ``y: (n, 1)``.

        ``regime`` is ``"interpolation"`` (the training range) or ``"extrapolation"``.
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n <= 0:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        if regime not in ("interpolation", "extrapolation"):
            raise ValueError(
                f"regime must be 'interpolation' or 'extrapolation', got {regime!r}"
            )
        rng = as_rng(rng)
        low, high = getattr(self, regime)
        X = rng.uniform(low, high, size=(int(n), self.n_inputs))
        return X, self.targets(X)


def make_arithmetic_task(
    op: str,
    n_inputs: int = 100,
    subset_size: int = 10,
    seed: int = 0,
    interpolation: tuple[float, float] = INTERPOLATION_RANGE,
    extrapolation: tuple[float, float] = EXTRAPOLATION_RANGE,
    slices: tuple[tuple[int, int], tuple[int, int]] | None = None,
) -> ArithmeticTask:
    """A task whose slices (``subset_size`` consecutive inputs each, uniform start) come
    from ``seed``.

    ``slices=((a_start, a_stop), (b_start, b_stop))`` fixes them instead (then
    ``subset_size`` and ``seed`` are ignored), e.g. ``n_inputs=2, slices=((0, 1), (1,
    2))`` for the two-number version ``x = (a, b)``.

    Ranges must be positive when ``op`` is ``div`` or ``sqrt`` (so that ``b > 0`` and
    ``a ≥ 0``), and the extrapolation range must not overlap the interpolation range.
    """
    if op not in OPERATIONS:
        raise ValueError(f"op must be one of {sorted(OPERATIONS)}, got {op!r}")
    if (
        isinstance(n_inputs, bool)
        or not isinstance(n_inputs, int | np.integer)
        or n_inputs <= 0
    ):
        raise ValueError(f"n_inputs must be a positive integer, got {n_inputs!r}")
    if slices is None and (
        isinstance(subset_size, bool)
        or not isinstance(subset_size, int | np.integer)
        or not 1 <= subset_size <= n_inputs
    ):
        raise ValueError(
            f"subset_size must be an integer in [1, n_inputs={n_inputs}], "
            f"got {subset_size!r}"
        )
    for name, (low, high) in (
        ("interpolation", interpolation),
        ("extrapolation", extrapolation),
    ):
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(
                f"{name} must be a finite (low, high) with low < high, got "
                f"{(low, high)}"
            )
        if op in ("div", "sqrt") and low < 0:
            raise ValueError(
                f"{name} must be non-negative for op={op!r}, got {(low, high)}"
            )
    if extrapolation[0] < interpolation[1] and interpolation[0] < extrapolation[1]:
        raise ValueError(
            f"extrapolation {extrapolation} must not overlap "
            f"interpolation {interpolation}"
        )
    if slices is None:
        rng = as_rng(seed, "seed")
        sa, sb = (int(s) for s in rng.integers(0, n_inputs - subset_size + 1, size=2))
        a_slice, b_slice = (sa, sa + subset_size), (sb, sb + subset_size)
    else:
        try:
            a_slice, b_slice = ((int(s[0]), int(s[1])) for s in slices)
        except (TypeError, ValueError, IndexError):
            raise ValueError(
                f"slices must be ((a_start, a_stop), (b_start, b_stop)), got {slices!r}"
            ) from None
        for name, (lo, hi) in (("a", a_slice), ("b", b_slice)):
            if not 0 <= lo < hi <= n_inputs:
                raise ValueError(
                    f"slices: {name} must satisfy 0 <= start < stop <= "
                    f"{n_inputs}, got {(lo, hi)}"
                )
    return ArithmeticTask(
        op=op,
        n_inputs=int(n_inputs),
        a_slice=a_slice,
        b_slice=b_slice,
        interpolation=(float(interpolation[0]), float(interpolation[1])),
        extrapolation=(float(extrapolation[0]), float(extrapolation[1])),
    )


# -------------------------------------------------------------------------------------
# experiment protocol

#: Model kinds of :func:`build_static_model`: the four of the chapter's table, then the
#: log-space NAC stack and the ReLU MLP that Madsen & Johansen (2020) also compare.
MODEL_KINDS = ("relu6", "none", "nac", "nalu", "nacmul", "relu")


def build_static_model(
    kind: str,
    n_in: int,
    rng: np.random.Generator | int,
    hidden: int = 2,
    layers: int = 2,
):
    """The models compared on the static tasks: ``layers`` layers of width ``hidden``,
    one output.

    ``kind``: ``"relu6"`` (an MLP with ReLU6 between Linear layers), ``"relu"`` (the
    same with ReLU), ``"none"`` (the same MLP without activations), ``"nac"`` (stacked
    NACs), ``"nacmul"`` (stacked log-space NACs) or ``"nalu"`` (stacked NALUs, shared
    W). ``layers=1`` gives a single unit ``n_in -> 1``. Returns an
    ``nmbook.layers.Module`` mapping ``(B, n_in) -> (B, 1)``.
    """

    if kind not in MODEL_KINDS:
        raise ValueError(f"kind must be one of {MODEL_KINDS}, got {kind!r}")
    if isinstance(layers, bool) or not isinstance(layers, int) or layers < 1:
        raise ValueError(f"layers must be a positive integer, got {layers!r}")
    rng = as_rng(rng)
    sizes = [n_in] + [hidden] * (layers - 1) + [1]
    mods = []
    for i, (n, k) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        if kind in ("relu6", "relu", "none"):
            mods.append(Linear(n, k, rng))
            if kind != "none" and i < layers - 1:
                mods.append(ReLU6() if kind == "relu6" else ReLU())
        else:
            unit = {"nac": NAC, "nacmul": ComplexNAC, "nalu": NALU}[kind]
            mods.append(unit(n, k, rng))
    return Sequential(*mods)


def run_static_task(
    model,
    task: ArithmeticTask,
    steps: int,
    seed: int,
    lr: float = 1e-2,
    batch_size: int = 64,
    n_test: int = 1000,
    log_every: int = 50,
    track_test: bool = False,
) -> dict:
    """Train ``model`` with Adam on MSE over fresh interpolation batches; evaluate both
    regimes.

    The random-initialisation baseline is the same model's test MSE *before* training
    (the paper scales errors by "a randomly initialised model"). Returns a dict with
    ``mse_interpolation``, ``mse_extrapolation``, ``baseline_interpolation``,
    ``baseline_extrapolation``, the scaled errors ``scaled_interpolation = 100 · mse /
    baseline`` (and extrapolation), ``relative_error_extrapolation`` (``mean |ŷ − y| /
    mean |y|`` on the extrapolation set) and ``loss`` (training MSE every ``log_every``
    steps). Non-finite predictions count as an infinite error. With ``track_test`` it
    also records, at the same steps and just after the update, the test MSE of both
    regimes, ``test_mse_interpolation`` and ``test_mse_extrapolation``; evaluating
    draws nothing, so the training run is the same either way.
    """

    rng = as_rng(seed, "seed")
    X_i, y_i = task.sample(n_test, rng, "interpolation")
    X_e, y_e = task.sample(n_test, rng, "extrapolation")

    def err(X, y) -> tuple[float, float]:
        p = model.forward(X)
        if not np.all(np.isfinite(p)):
            return float("inf"), float("inf")
        return float(np.mean((p - y) ** 2)), float(
            np.mean(np.abs(p - y)) / np.mean(np.abs(y))
        )

    base_i, base_e = err(X_i, y_i)[0], err(X_e, y_e)[0]
    opt = Adam(model.parameters(), lr=lr)
    losses, tracked = [], []
    for step in range(steps):
        X, y = task.sample(batch_size, rng)
        opt.zero_grad()
        loss, dpred = mse(model.forward(X), y)
        model.backward(dpred)
        opt.step()
        if step % log_every == 0:
            losses.append(loss)
            if track_test:
                tracked.append((err(X_i, y_i)[0], err(X_e, y_e)[0]))
    (mse_i, _), (mse_e, rel_e) = err(X_i, y_i), err(X_e, y_e)
    if track_test:
        tracked = np.array(tracked).reshape(-1, 2)
        extra = {
            "test_mse_interpolation": tracked[:, 0],
            "test_mse_extrapolation": tracked[:, 1],
        }
    else:
        extra = {}
    return {
        "mse_interpolation": mse_i,
        "mse_extrapolation": mse_e,
        "baseline_interpolation": base_i,
        "baseline_extrapolation": base_e,
        "scaled_interpolation": 100.0 * mse_i / base_i,
        "scaled_extrapolation": 100.0 * mse_e / base_e,
        "relative_error_extrapolation": rel_e,
        "loss": np.array(losses),
        **extra,
    }


# --------------------------------------------------------------------------------------
# the identity task (the paper's Figure 1)

#: Activation name -> nmbook layer class, in the order the chapter plots them.
IDENTITY_ACTIVATIONS = (
    "Identity",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "SELU",
    "ReLU6",
    "Tanh",
    "Sigmoid",
)


def _check_activation(activation: str) -> None:
    if activation not in IDENTITY_ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {IDENTITY_ACTIVATIONS}, got {activation!r}"
        )


def fit_identity_mlp(
    activation: str,
    seed: int,
    steps: int = 3000,
    lr: float = 1e-2,
    batch_size: int = 64,
    hidden: int = 8,
    n_hidden_layers: int = 3,
    train_range: tuple[float, float] = (-5.0, 5.0),
):
    """Train an MLP to reproduce its input, ``x ↦ x̂``: ``(B, 1) -> (B, 1)``.

    ``n_hidden_layers`` layers of ``hidden`` units (by default 1 → 8 → 8 → 8 → 1, the
    book's choice), the activation named ``activation`` (one of
    :data:`IDENTITY_ACTIVATIONS`) after each, a linear output; Adam on the squared
    error for ``x ~ U(train_range)``. Returns the trained ``Sequential``. The book's
    version of the paper's Figure 1 experiment. Taught in: Part IV, chapter 1.
    """
    _check_activation(activation)
    rng = as_rng(seed, "seed")
    sizes = [1] + [hidden] * n_hidden_layers
    mods = []
    for n, k in zip(sizes[:-1], sizes[1:], strict=True):
        mods += [L.Linear(n, k, rng), getattr(L, activation)()]
    model = L.Sequential(*mods, L.Linear(hidden, 1, rng))
    opt = Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        x = rng.uniform(*train_range, size=(batch_size, 1))
        opt.zero_grad()
        _, dpred = mse(model.forward(x), x)
        model.backward(dpred)
        opt.step()
    return model
