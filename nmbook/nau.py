"""Neural addition and multiplication units (Madsen & Johansen, 2020), forward and
backward.

Madsen and Johansen answer the NALU's failures with two separate units, each with a
weight that is clipped into a box instead of squashed by ``tanh ⊙ σ``, and a regulariser
that pulls every weight to the box's integer points. With nmbook's batch-first rows,
``x: (B, n_in)`` and ``W: (n_in, n_out)``::

    z = x W,                          W ∈ [−1, 1]     (NAU: add, subtract, ignore)
    z_o = ∏_i (W_io x_i + 1 − W_io),  W ∈ [0, 1]      (NMU: multiply or ignore)
    R = mean over the weights of min(|W|, 1 − |W|)  (their sparsity regulariser)

An NMU weight of 1 passes ``x_i`` into the product and a weight of 0 replaces it by the
neutral factor 1, so the unit multiplies any subset of its inputs — negative ones and
zeros included, since nothing goes through a logarithm. It cannot divide. The box is
kept by :meth:`NAU.clip_weights` / :meth:`NMU.clip_weights`, called after each optimiser
step; the forward pass uses ``W`` as it is. Initialisation (Glorot-uniform for the NAU,
uniform on ``[1/4, 3/4]`` for the NMU) and the regulariser's weighting are this module's
choices, in the spirit of the paper but not copied from it.

**Many runs at once.** Pass ``rng`` as a sequence (or array) of seeds/generators of
shape ``runs`` instead of one seed, and the unit holds ``runs`` independent weight
matrices, ``W: (*runs, n_in, n_out)``, run ``r``'s drawn from ``rng[r]`` exactly as
an un-batched unit with that seed draws it. Inputs are then ``x: (*runs', B, n_in)``
with ``runs'`` broadcastable to ``runs`` (a 1 shares one batch between runs), outputs
``(*runs, B, n_out)``. Every run's loss is its own, so one NumPy step advances all runs,
and with :class:`nmbook.optim.Adam` (elementwise on any shape) run ``r`` follows the
un-batched run with the same seed and data. With a single seed, the behaviour is the
un-batched API, unchanged.

Taught in: Part IV, chapter 2 (*The NAC and the NALU*, its last section), and the
reproduction of Madsen & Johansen's rates (:mod:`nmbook.tasks.static_madsen`).
"""

from __future__ import annotations

import numpy as np

from nmbook.layers import Module, Parameter
from nmbook.nalu import Seeds, _check_runs_batch, _check_sizes, _draw_runs


def _check_weight(W: np.ndarray) -> np.ndarray:
    if not isinstance(W, np.ndarray):
        raise TypeError(f"W must be a numpy array, got {type(W).__name__}")
    if W.size == 0 or not np.issubdtype(W.dtype, np.number) or np.iscomplexobj(W):
        raise ValueError(
            f"W must be a non-empty real array, got shape {W.shape} and dtype {W.dtype}"
        )
    return W.astype(np.float64, copy=False)


def _check_strength(lam: float) -> float:
    if isinstance(lam, bool) or not isinstance(
        lam, int | float | np.integer | np.floating
    ):
        raise TypeError(f"lam must be a real number, got {type(lam).__name__}")
    if not (np.isfinite(lam) and lam >= 0):
        raise ValueError(f"lam must be finite and non-negative, got {lam!r}")
    return float(lam)


def _per_run(R: np.ndarray, dR: np.ndarray, per_run: bool, size: int):
    """Mean over all entries (``per_run=False``) or over each run's last two axes."""
    if not per_run:
        return float(np.mean(R)), dR / size
    if R.ndim < 2:
        raise ValueError(
            f"per_run needs W of shape (*runs, n_in, n_out), got {R.shape}"
        )
    n = R.shape[-1] * R.shape[-2]
    return np.mean(R, axis=(-2, -1)), dR / n


def nau_sparsity(W: np.ndarray, per_run: bool = False) -> tuple[float, np.ndarray]:
    """``R = mean(min(|W|, 1 − |W|))`` and ``dR/dW``, for weights in ``[−1, 1]``; ``W:
    any shape``. ``per_run=True``: ``W: (*runs, n_in, n_out)``, one mean per run, ``R:
    runs`` (each run's gradient over its own ``n_in · n_out``).

    ``R`` is 0 exactly when every weight is −1, 0 or 1 and largest (1/2) at ``|W| =
    1/2``. Gradient of one entry, over ``W.size``: ``sign(W)`` where ``|W| <= 1/2`` (a
    tie goes to the first argument of ``min``, the book's rule; ``sign(0) = 0``),
    ``−sign(W)`` where ``|W| > 1/2``.
    """
    W = _check_weight(W)
    near_zero = np.abs(W) <= 1.0 - np.abs(W)
    R = np.where(near_zero, np.abs(W), 1.0 - np.abs(W))
    return _per_run(R, np.where(near_zero, 1.0, -1.0) * np.sign(W), per_run, W.size)


def nmu_sparsity(W: np.ndarray, per_run: bool = False) -> tuple[float, np.ndarray]:
    """``R = mean(min(W, 1 − W))`` and ``dR/dW``, for weights in ``[0, 1]``; ``W: any
    shape``; ``per_run`` as in :func:`nau_sparsity`.

    0 exactly when every weight is 0 or 1. Gradient of one entry, over ``W.size``:
    ``+1`` where ``W <= 1/2`` (ties to the first argument), ``−1`` where ``W > 1/2``.
    """
    W = _check_weight(W)
    near_zero = W <= 1.0 - W
    R = np.where(near_zero, W, 1.0 - W)
    return _per_run(R, np.where(near_zero, 1.0, -1.0), per_run, W.size)


def nmu_forward(x: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, tuple]:
    """``z_o = ∏_i (W_io x_i + 1 − W_io)``: ``x: (B, n_in), W: (n_in, n_out) -> z: (B,
    n_out)`` and a cache; batched, ``x: (*runs', B, n_in), W: (*runs, n_in, n_out) -> z:
    (*runs, B, n_out)``.

    No validation (the module does it). Each factor is kept, ``T: (..., B, n_in,
    n_out)``, so that the backward pass can form the product of all the *other* factors
    without dividing by a factor that may be 0.
    """
    if W.ndim == 2:
        T = x[:, :, None] * W[None] + (1.0 - W)[None]
    else:
        T = x[..., :, :, None] * W[..., None, :, :] + (1.0 - W)[..., None, :, :]
    return np.prod(T, axis=-2), (x, W, T)


def nmu_backward(dz: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Backward of :func:`nmu_forward`: ``dz: (B, n_out) -> (dx: (B, n_in), dW: (n_in,
    n_out))``; batched, ``dz: (*runs, B, n_out) -> (dx: (*runs, B, n_in), dW: (*runs,
    n_in, n_out))``.

    With ``P_io = ∏_{j≠i} T_jo`` (products of the factors left and right of ``i``, no
    division):
    ``dW_io = Σ_b dz_bo P_bio (x_bi − 1)`` and ``dx_bi = Σ_o dz_bo P_bio W_io``.
    """
    x, W, T = cache
    ones = np.ones_like(T[..., :1, :])
    # ∏_{j<i} and ∏_{j>i} along the input axis (-2)
    left = np.concatenate([ones, np.cumprod(T[..., :-1, :], axis=-2)], axis=-2)
    right = np.concatenate(
        [np.cumprod(T[..., :0:-1, :], axis=-2)[..., ::-1, :], ones], axis=-2
    )
    dT = dz[..., None, :] * left * right
    if W.ndim == 2:
        dW = np.einsum("bio,bi->io", dT, x - 1.0)
        dx = np.einsum("bio,io->bi", dT, W)
    else:
        dW = np.sum(dT * (x - 1.0)[..., None], axis=-3)
        dx = np.sum(dT * W[..., None, :, :], axis=-1)
    return dx, dW


class NAU(Module):
    """Neural addition unit ``z = x W`` with ``W ∈ [−1, 1]``: ``(B, n_in) -> (B,
    n_out)``.

    A bias-free linear layer whose weight is kept in ``[−1, 1]`` by :meth:`clip_weights`
    (call it after each optimiser step) and pulled to −1, 0, 1 by :meth:`regularize`.
    ``W: (n_in, n_out)``, uniform on ``[−r, r]`` with ``r = min(init_cap, √(6 / (n_in +
    n_out)))`` (Glorot-uniform capped; Madsen & Johansen cap at 1/2). With ``rng`` a
    sequence of seeds of shape ``runs``: ``W: (*runs, n_in, n_out)``, ``x: (*runs', B,
    n_in) -> (*runs, B, n_out)`` (module docstring).
    """

    def __init__(
        self, n_in: int, n_out: int, rng: Seeds, init_cap: float = 1.0
    ) -> None:
        _check_sizes(n_in, n_out)
        if not (np.isfinite(init_cap) and init_cap > 0):
            raise ValueError(f"init_cap must be positive and finite, got {init_cap!r}")
        self.n_in, self.n_out = int(n_in), int(n_out)
        r = min(float(init_cap), np.sqrt(6.0 / (n_in + n_out)))
        W, self.runs = _draw_runs(rng, lambda g: g.uniform(-r, r, size=(n_in, n_out)))
        self.W = Parameter(W, "W")

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x: (B, n_in) -> z: (B, n_out)`` (batched: ``(*runs, B, ·)``)."""
        self._x = _check_runs_batch(x, self.n_in, self.runs)
        return self._x @ self.W.value

    def backward(self, dz: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """``dz: (B, n_out) -> dx: (B, n_in)``; accumulates ``W.grad``.
        ``input_grad=False`` skips ``dx`` (a first layer's) and returns ``None``."""
        if self.runs is None:
            self.W.grad += self._x.T @ dz
            return dz @ self.W.value.T if input_grad else None
        self.W.grad += np.swapaxes(self._x, -1, -2) @ dz
        return dz @ np.swapaxes(self.W.value, -1, -2) if input_grad else None

    def clip_weights(self) -> None:
        """Project ``W`` into ``[−1, 1]`` in place."""
        np.clip(self.W.value, -1.0, 1.0, out=self.W.value)

    def regularize(self, lam: float) -> float | np.ndarray:
        """Add ``lam · dR/dW`` (:func:`nau_sparsity`) to ``W.grad``; return ``lam ·
        R`` (batched: one value per run, each run's own mean)."""
        lam = _check_strength(lam)
        R, dR = nau_sparsity(self.W.value, per_run=self.runs is not None)
        self.W.grad += lam * dR
        return lam * R


class NMU(Module):
    """Neural multiplication unit ``z_o = ∏_i (W_io x_i + 1 − W_io)``, ``W ∈ [0, 1]``:
    ``(B, n_in) -> (B, n_out)``.

    ``W_io = 1`` multiplies input ``i`` into output ``o``, ``W_io = 0`` leaves it out (a
    factor 1). Kept in ``[0, 1]`` by :meth:`clip_weights` and pulled to 0 or 1 by
    :meth:`regularize`. ``W: (n_in, n_out)``, uniform on ``[1/4, 3/4]`` (mean 1/2: every
    input half in the product at the start). With ``rng`` a sequence of seeds of shape
    ``runs``: ``W: (*runs, n_in, n_out)`` (module docstring).
    """

    def __init__(self, n_in: int, n_out: int, rng: Seeds) -> None:
        _check_sizes(n_in, n_out)
        self.n_in, self.n_out = int(n_in), int(n_out)
        W, self.runs = _draw_runs(
            rng, lambda g: g.uniform(0.25, 0.75, size=(n_in, n_out))
        )
        self.W = Parameter(W, "W")

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x: (B, n_in) -> z: (B, n_out)`` (batched: ``(*runs, B, ·)``)."""
        x = _check_runs_batch(x, self.n_in, self.runs)
        z, self._cache = nmu_forward(x, self.W.value)
        return z

    def backward(self, dz: np.ndarray) -> np.ndarray:
        """``dz: (B, n_out) -> dx: (B, n_in)``; accumulates ``W.grad``."""
        dx, dW = nmu_backward(dz, self._cache)
        self.W.grad += dW
        return dx

    def clip_weights(self) -> None:
        """Project ``W`` into ``[0, 1]`` in place."""
        np.clip(self.W.value, 0.0, 1.0, out=self.W.value)

    def regularize(self, lam: float) -> float | np.ndarray:
        """Add ``lam · dR/dW`` (:func:`nmu_sparsity`) to ``W.grad``; return ``lam ·
        R`` (batched: one value per run)."""
        lam = _check_strength(lam)
        R, dR = nmu_sparsity(self.W.value, per_run=self.runs is not None)
        self.W.grad += lam * dR
        return lam * R
