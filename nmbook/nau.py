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

Taught in: Part IV, chapter 2 (*The NAC and the NALU*), exercises.
"""

from __future__ import annotations

import numpy as np

from nmbook.layers import Module, Parameter, as_rng
from nmbook.nalu import _check_batch, _check_sizes


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


def nau_sparsity(W: np.ndarray) -> tuple[float, np.ndarray]:
    """``R = mean(min(|W|, 1 − |W|))`` and ``dR/dW``, for weights in ``[−1, 1]``; ``W:
    any shape``.

    ``R`` is 0 exactly when every weight is −1, 0 or 1 and largest (1/2) at ``|W| =
    1/2``. Gradient of one entry, over ``W.size``: ``sign(W)`` where ``|W| <= 1/2`` (a
    tie goes to the first argument of ``min``, the book's rule; ``sign(0) = 0``),
    ``−sign(W)`` where ``|W| > 1/2``.
    """
    W = _check_weight(W)
    near_zero = np.abs(W) <= 1.0 - np.abs(W)
    R = float(np.mean(np.where(near_zero, np.abs(W), 1.0 - np.abs(W))))
    return R, np.where(near_zero, 1.0, -1.0) * np.sign(W) / W.size


def nmu_sparsity(W: np.ndarray) -> tuple[float, np.ndarray]:
    """``R = mean(min(W, 1 − W))`` and ``dR/dW``, for weights in ``[0, 1]``; ``W: any
    shape``.

    0 exactly when every weight is 0 or 1. Gradient of one entry, over ``W.size``:
    ``+1`` where ``W <= 1/2`` (ties to the first argument), ``−1`` where ``W > 1/2``.
    """
    W = _check_weight(W)
    near_zero = W <= 1.0 - W
    R = float(np.mean(np.where(near_zero, W, 1.0 - W)))
    return R, np.where(near_zero, 1.0, -1.0) / W.size


def nmu_forward(x: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, tuple]:
    """``z_o = ∏_i (W_io x_i + 1 − W_io)``: ``x: (B, n_in), W: (n_in, n_out) -> z: (B,
    n_out)`` and a cache.

    No validation (the module does it). Each factor is kept, ``T: (B, n_in, n_out)``, so
    that the backward pass can form the product of all the *other* factors without
    dividing by a factor that may be 0.
    """
    T = x[:, :, None] * W[None] + (1.0 - W)[None]
    return np.prod(T, axis=1), (x, W, T)


def nmu_backward(dz: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Backward of :func:`nmu_forward`: ``dz: (B, n_out) -> (dx: (B, n_in), dW: (n_in,
    n_out))``.

    With ``P_io = ∏_{j≠i} T_jo`` (products of the factors left and right of ``i``, no
    division):
    ``dW_io = Σ_b dz_bo P_bio (x_bi − 1)`` and ``dx_bi = Σ_o dz_bo P_bio W_io``.
    """
    x, W, T = cache
    ones = np.ones_like(T[:, :1])
    left = np.concatenate([ones, np.cumprod(T[:, :-1], axis=1)], axis=1)  # ∏_{j<i}
    # ∏_{j>i}
    right = np.concatenate([np.cumprod(T[:, :0:-1], axis=1)[:, ::-1], ones], axis=1)
    dT = dz[:, None, :] * left * right
    dW = np.einsum("bio,bi->io", dT, x - 1.0)
    dx = np.einsum("bio,io->bi", dT, W)
    return dx, dW


class NAU(Module):
    """Neural addition unit ``z = x W`` with ``W ∈ [−1, 1]``: ``(B, n_in) -> (B,
    n_out)``.

    A bias-free linear layer whose weight is kept in ``[−1, 1]`` by :meth:`clip_weights`
    (call it after each optimiser step) and pulled to −1, 0, 1 by :meth:`regularize`.
    ``W: (n_in, n_out)``, Glorot-uniform.
    """

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator | int) -> None:
        _check_sizes(n_in, n_out)
        rng = as_rng(rng)
        self.n_in, self.n_out = int(n_in), int(n_out)
        r = min(1.0, np.sqrt(6.0 / (n_in + n_out)))
        self.W = Parameter(rng.uniform(-r, r, size=(n_in, n_out)), "W")

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x: (B, n_in) -> z: (B, n_out)``."""
        self._x = _check_batch(x, self.n_in)
        return self._x @ self.W.value

    def backward(self, dz: np.ndarray) -> np.ndarray:
        """``dz: (B, n_out) -> dx: (B, n_in)``; accumulates ``W.grad``."""
        self.W.grad += self._x.T @ dz
        return dz @ self.W.value.T

    def clip_weights(self) -> None:
        """Project ``W`` into ``[−1, 1]`` in place."""
        np.clip(self.W.value, -1.0, 1.0, out=self.W.value)

    def regularize(self, lam: float) -> float:
        """Add ``lam · dR/dW`` (:func:`nau_sparsity`) to ``W.grad``; return ``lam ·
        R``."""
        lam = _check_strength(lam)
        R, dR = nau_sparsity(self.W.value)
        self.W.grad += lam * dR
        return lam * R


class NMU(Module):
    """Neural multiplication unit ``z_o = ∏_i (W_io x_i + 1 − W_io)``, ``W ∈ [0, 1]``:
    ``(B, n_in) -> (B, n_out)``.

    ``W_io = 1`` multiplies input ``i`` into output ``o``, ``W_io = 0`` leaves it out (a
    factor 1). Kept in ``[0, 1]`` by :meth:`clip_weights` and pulled to 0 or 1 by
    :meth:`regularize`. ``W: (n_in, n_out)``, uniform on ``[1/4, 3/4]`` (mean 1/2: every
    input half in the product at the start).
    """

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator | int) -> None:
        _check_sizes(n_in, n_out)
        rng = as_rng(rng)
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.W = Parameter(rng.uniform(0.25, 0.75, size=(n_in, n_out)), "W")

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x: (B, n_in) -> z: (B, n_out)``."""
        z, self._cache = nmu_forward(_check_batch(x, self.n_in), self.W.value)
        return z

    def backward(self, dz: np.ndarray) -> np.ndarray:
        """``dz: (B, n_out) -> dx: (B, n_in)``; accumulates ``W.grad``."""
        dx, dW = nmu_backward(dz, self._cache)
        self.W.grad += dW
        return dx

    def clip_weights(self) -> None:
        """Project ``W`` into ``[0, 1]`` in place."""
        np.clip(self.W.value, 0.0, 1.0, out=self.W.value)

    def regularize(self, lam: float) -> float:
        """Add ``lam · dR/dW`` (:func:`nmu_sparsity`) to ``W.grad``; return ``lam ·
        R``."""
        lam = _check_strength(lam)
        R, dR = nmu_sparsity(self.W.value)
        self.W.grad += lam * dR
        return lam * R
