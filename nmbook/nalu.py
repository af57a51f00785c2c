"""Neural accumulators and neural arithmetic logic units (Trask et al., 2018), forward
and backward.

Notation follows the paper, with nmbook's batch-first row convention: the paper writes
``a = W x`` for a column vector ``x``; here ``x: (B, n_in)``, ``W: (n_in, n_out)`` and
``a = x W``. Every weight matrix that the units use is recomputed in each ``forward``
from its unconstrained parameters ``Ŵ`` and ``M̂``::

    W = tanh(Ŵ) ⊙ σ(M̂)                                   (the NAC's weight)
    a = x W                                                 (NAC)
    m = exp(log(|x| + ε) W)                                 (the "complex" NAC)
    g = σ(x G),   y = g ⊙ a + (1 − g) ⊙ m                   (NALU)

In the chapter these are equations ``nac``, ``nac-log`` and ``nalu``.

**Many runs at once**, as in :mod:`nmbook.nau`: pass ``rng`` as a sequence (or array) of
seeds of shape ``runs`` and every parameter gets a leading run axis, ``(*runs, n_in,
n_out)``, run ``r``'s drawn from ``rng[r]`` as an un-batched unit of that seed draws
them; inputs are ``(*runs', B, n_in)`` with ``runs'`` broadcastable to ``runs``.

Taught in: Part IV, chapter 2 (*The NAC and the NALU*).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nmbook.functional import sigmoid
from nmbook.layers import Module, Parameter, as_rng

#: Default ε inside ``log(|x| + ε)``. The paper does not state its value; 1e-7 is a
#: common choice.
EPS = 1e-7
#: Default bound on the exponent of the multiplicative path: ``exp`` only ever sees
#: values in ``[-MAX_EXPONENT, MAX_EXPONENT]``, so its output stays below e^60 ≈ 1.1e26
#: and its square (in an MSE loss) below 1.3e52 — far from float64 overflow (1.8e308).
MAX_EXPONENT = 60.0

#: An int seed or a Generator, or a sequence or array of such seeds, one run each (a
#: leading run axis, see :mod:`nmbook.nau` and the units here).
Seeds = np.random.Generator | int | Sequence | np.ndarray


# --------------------------------------------------------------------------------------
# helpers


def _real_finite(x: np.ndarray) -> np.ndarray:
    """``x`` as float64, after checking that it holds finite real numbers."""
    if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
    x = x.astype(np.float64, copy=False)
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite (no NaN or inf)")
    return x


def _check_batch(x: np.ndarray, n_in: int) -> np.ndarray:
    """Validate a batch ``x: (B, n_in)``: a finite, non-empty, 2-D float array."""
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"x must be a numpy array of shape (B, {n_in}), got {type(x).__name__}"
        )
    if x.ndim != 2 or x.shape[1] != n_in:
        raise ValueError(f"x must have shape (B, {n_in}), got {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"x must hold at least one example, got shape {x.shape}")
    return _real_finite(x)


def _draw_runs(rng: Seeds, draw) -> tuple[np.ndarray, tuple[int, ...] | None]:
    """``draw(generator)`` for one seed, or stacked over an array of seeds of shape
    ``runs`` (C order); returns the array and ``runs`` (``None`` when un-batched)."""
    if isinstance(rng, np.random.Generator | int | np.integer) and not isinstance(
        rng, bool
    ):
        return draw(as_rng(rng)), None
    if isinstance(rng, str | bytes) or not isinstance(rng, Sequence | np.ndarray):
        raise TypeError(
            "rng must be an int seed, a numpy.random.Generator or a sequence of them, "
            f"got {type(rng).__name__}"
        )
    seeds = rng if isinstance(rng, np.ndarray) else np.array(rng, dtype=object)
    if seeds.size == 0:
        raise ValueError("rng must hold at least one seed")
    runs = tuple(int(n) for n in seeds.shape)
    draws = [draw(as_rng(g)) for g in seeds.reshape(-1)]
    return np.stack(draws).reshape(runs + draws[0].shape), runs


def _check_runs_batch(
    x: np.ndarray, n_in: int, runs: tuple[int, ...] | None
) -> np.ndarray:
    """Validate ``x: (B, n_in)`` (un-batched) or ``x: (*runs', B, n_in)`` with
    ``runs'`` broadcastable to ``runs``."""
    if runs is None:
        return _check_batch(x, n_in)
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a numpy array, got {type(x).__name__}")
    lead = x.shape[: len(runs)]
    if (
        x.ndim != len(runs) + 2
        or x.shape[-1] != n_in
        or any(a not in (1, b) for a, b in zip(lead, runs, strict=True))
    ):
        raise ValueError(
            f"x must have shape (*runs, B, {n_in}) with runs broadcastable to {runs}, "
            f"got {x.shape}"
        )
    if x.shape[-2] == 0:
        raise ValueError(f"x must hold at least one example, got shape {x.shape}")
    return _real_finite(x)


def _T(a: np.ndarray) -> np.ndarray:
    """Swap the last two axes (``a.T`` for a matrix, per run for a stack of them)."""
    return np.swapaxes(a, -1, -2)


def _check_log_path(eps: float, max_exponent: float) -> tuple[float, float]:
    """The log-space path's ``eps`` and ``max_exponent``, both checked positive."""
    if not (eps > 0 and max_exponent > 0):
        raise ValueError(
            f"eps and max_exponent must be positive, got {eps!r} and {max_exponent!r}"
        )
    return float(eps), float(max_exponent)


def _check_sizes(n_in: int, n_out: int) -> None:
    for name, v in (("n_in", n_in), ("n_out", n_out)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")


def _glorot(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    """Glorot-uniform draw of shape ``(n_in, n_out)``: U(−r, r) with r = √(6 / (n_in
    + n_out))."""
    r = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-r, r, size=(n_in, n_out))


def _glorots(rng: np.random.Generator, n_in: int, n_out: int, k: int) -> np.ndarray:
    """``k`` Glorot-uniform draws in order, stacked: ``(k, n_in, n_out)``."""
    return np.stack([_glorot(rng, n_in, n_out) for _ in range(k)])


def nac_weight(W_hat: np.ndarray, M_hat: np.ndarray) -> np.ndarray:
    """The NAC's constrained weight ``W = tanh(Ŵ) ⊙ σ(M̂)`` (chapter eq. ``nac``),
    entries in (−1, 1).

    Shapes: ``W_hat, M_hat: (n_in, n_out) -> W: (n_in, n_out)``. Its saturation points
    are exactly −1, 0, 1 (tanh → ±1 and σ → 1, or σ → 0), which biases learning towards
    adding, ignoring or subtracting an input. Taught in: Part IV, chapter 2.
    """
    return np.tanh(W_hat) * sigmoid(M_hat)


def nac_weight_backward(
    dW: np.ndarray, W_hat: np.ndarray, M_hat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of :func:`nac_weight`: ``dŴ = dW ⊙ (1 − tanh²Ŵ) ⊙ σ(M̂)``, ``dM̂ = dW ⊙
    tanh Ŵ ⊙ σ(1 − σ)``.

    Shapes: all ``(n_in, n_out)``. Returns ``(dW_hat, dM_hat)``.
    """
    t, s = np.tanh(W_hat), sigmoid(M_hat)
    return dW * (1.0 - t * t) * s, dW * t * s * (1.0 - s)


def ideal_nac_parameters(
    W_target: np.ndarray, sharpness: float = 30.0
) -> tuple[np.ndarray, np.ndarray]:
    """Unconstrained ``(Ŵ, M̂)`` whose :func:`nac_weight` is within ~1e-13 of
    ``W_target`` ∈ {−1, 0, 1}.

    ``Ŵ = sharpness · W_target`` and ``M̂ = sharpness · (2|W_target| − 1)``: tanh(±30)
    equals ±1 in float64, while 1 − σ(30) = σ(−30) ≈ 9.4e-14, so each weight is within
    about 1e-13 of its target (not exact). Used to show that a NAC/NALU with the right
    weights computes exact arithmetic (Part IV, chapter 2). ``W_target: (n_in, n_out)``.
    """
    W_target = np.asarray(W_target, dtype=np.float64)
    if not np.all(np.isin(W_target, (-1.0, 0.0, 1.0))):
        raise ValueError("W_target must contain only -1, 0 and 1")
    if not sharpness > 0:
        raise ValueError(f"sharpness must be positive, got {sharpness!r}")
    return sharpness * W_target, sharpness * (2.0 * np.abs(W_target) - 1.0)


def _log_path_forward(x: np.ndarray, W: np.ndarray, eps: float, max_exponent: float):
    """``m = exp(clip(log(|x| + ε) W))``; returns ``m`` and the cache for
    :func:`_log_path_backward`."""
    log_x = np.log(np.abs(x) + eps)
    z = log_x @ W
    # kink rule: derivative of the left piece
    inside = (z > -max_exponent) & (z <= max_exponent)
    m = np.exp(np.clip(z, -max_exponent, max_exponent))
    return m, (x, log_x, inside, m)


def _log_path_backward(
    dm: np.ndarray, W: np.ndarray, cache, eps: float
) -> tuple[np.ndarray, np.ndarray]:
    """Backward of :func:`_log_path_forward`: ``(dx, dW)``; zero gradient where the
    exponent was clipped.

    ``d|x|/dx`` is taken as ``sign(x)``, i.e. 0 at x = 0.
    """
    x, log_x, inside, m = cache
    dz = dm * m * inside
    dW = _T(log_x) @ dz
    dx = (dz @ _T(W)) * np.sign(x) / (np.abs(x) + eps)
    return dx, dW


# --------------------------------------------------------------------------------------
# modules


class NAC(Module):
    """Neural accumulator ``a = x W``, ``W = tanh(Ŵ) ⊙ σ(M̂)`` (eq. ``nac``): ``(B,
    n_in) -> (B, n_out)``.

    A linear layer with no bias whose weights are pushed towards −1, 0, 1, so it can add
    and subtract its inputs but never rescale them — which is why it extrapolates. ``Ŵ,
    M̂: (n_in, n_out)``, initialised Glorot-uniform (the paper does not state an
    initialisation). Taught in: Part IV, chapter 2.
    """

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator | int) -> None:
        _check_sizes(n_in, n_out)
        self.n_in, self.n_out = int(n_in), int(n_out)
        P, self.runs = _draw_runs(rng, lambda g: _glorots(g, n_in, n_out, 2))
        self.W_hat = Parameter(P[..., 0, :, :], "W_hat")
        self.M_hat = Parameter(P[..., 1, :, :], "M_hat")

    @property
    def W(self) -> np.ndarray:
        """The current constrained weight ``tanh(Ŵ) ⊙ σ(M̂)``, ``(n_in, n_out)``."""
        return nac_weight(self.W_hat.value, self.M_hat.value)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x: (B, n_in) -> a: (B, n_out)``."""
        self._x = _check_runs_batch(x, self.n_in, self.runs)
        self._W = self.W
        return self._x @ self._W

    def backward(self, da: np.ndarray) -> np.ndarray:
        """``da: (B, n_out) -> dx: (B, n_in)``; accumulates ``W_hat.grad`` and
        ``M_hat.grad``."""
        dWh, dMh = nac_weight_backward(
            _T(self._x) @ da, self.W_hat.value, self.M_hat.value
        )
        self.W_hat.grad += dWh
        self.M_hat.grad += dMh
        return da @ _T(self._W)


class ComplexNAC(Module):
    """The NAC in log space, ``m = exp(log(|x| + ε) W)``: the NALU's multiplicative path
    (eq. ``nac-log``).

    ``(B, n_in) -> (B, n_out)``. With ``W`` ∈ {−1, 0, 1} it multiplies and divides its
    inputs: ``exp(log a + log b) = a b``, ``exp(log a − log b) = a / b``. Two facts
    follow from the formula:

    * ``m > 0`` always: the unit computes ``|a|^{w_a} |b|^{w_b}``, so it **cannot
      produce a negative product** (``(−2) × 3`` comes out as 6), and ``log(|x| + ε)``
      makes it inaccurate for ``|x|`` near ε.
    * For numerical safety the exponent is clipped to ``[−max_exponent, max_exponent]``
      (default 60) before ``exp``; where it is clipped the gradient is zero. Nothing
      else is clipped: outputs stay finite for any finite input (tested for ``|x|`` up
      to 1e6).

    Taught in: Part IV, chapter 2.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        rng: np.random.Generator | int,
        eps: float = EPS,
        max_exponent: float = MAX_EXPONENT,
    ) -> None:
        _check_sizes(n_in, n_out)
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.eps, self.max_exponent = _check_log_path(eps, max_exponent)
        P, self.runs = _draw_runs(rng, lambda g: _glorots(g, n_in, n_out, 2))
        self.W_hat = Parameter(P[..., 0, :, :], "W_hat")
        self.M_hat = Parameter(P[..., 1, :, :], "M_hat")

    @property
    def W(self) -> np.ndarray:
        """The current constrained weight ``tanh(Ŵ) ⊙ σ(M̂)``, ``(n_in, n_out)``."""
        return nac_weight(self.W_hat.value, self.M_hat.value)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x: (B, n_in) -> m: (B, n_out)``, every entry > 0."""
        x = _check_runs_batch(x, self.n_in, self.runs)
        self._W = self.W
        m, self._cache = _log_path_forward(x, self._W, self.eps, self.max_exponent)
        return m

    def backward(self, dm: np.ndarray) -> np.ndarray:
        """``dm: (B, n_out) -> dx: (B, n_in)``; accumulates ``W_hat.grad`` and
        ``M_hat.grad``."""
        dx, dW = _log_path_backward(dm, self._W, self._cache, self.eps)
        dWh, dMh = nac_weight_backward(dW, self.W_hat.value, self.M_hat.value)
        self.W_hat.grad += dWh
        self.M_hat.grad += dMh
        return dx


#: Alternative name used in later literature for the log-space NAC.
NACMult = ComplexNAC


class NALU(Module):
    """Neural arithmetic logic unit (Trask et al. 2018; chapter eq. ``nalu``): ``(B,
    n_in) -> (B, n_out)``.

    ``a = x W`` (additive NAC), ``m = exp(log(|x| + ε) W)`` (multiplicative path), ``g =
    σ(x G)`` (a learned gate per output, no bias), ``y = g ⊙ a + (1 − g) ⊙ m``.

    * ``shared_weights=True`` (default) is the paper's formulation: **one** ``W`` (one
      pair ``Ŵ, M̂``) serves both paths. ``shared_weights=False`` gives the
      multiplicative path its own ``Ŵ_m, M̂_m`` — as in the source blog post's code and
      in many later implementations.
    * The multiplicative path is always positive, so a NALU cannot output a negative
      product or quotient (``g → 0`` gives ``|a b|``); the exponent is clipped as in
      :class:`ComplexNAC`.

    Parameters: ``W_hat, M_hat`` (and ``W_hat_m, M_hat_m`` if not shared), ``G``, all
    ``(n_in, n_out)`` and Glorot-uniform initialised. Taught in: Part IV, chapter 2.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        rng: np.random.Generator | int,
        shared_weights: bool = True,
        eps: float = EPS,
        max_exponent: float = MAX_EXPONENT,
    ) -> None:
        _check_sizes(n_in, n_out)
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.eps, self.max_exponent = _check_log_path(eps, max_exponent)
        self.shared_weights = bool(shared_weights)
        k = 3 if self.shared_weights else 5
        P, self.runs = _draw_runs(rng, lambda g: _glorots(g, n_in, n_out, k))
        self.W_hat = Parameter(P[..., 0, :, :], "W_hat")
        self.M_hat = Parameter(P[..., 1, :, :], "M_hat")
        self.G = Parameter(P[..., 2, :, :], "G")
        if not self.shared_weights:
            self.W_hat_m = Parameter(P[..., 3, :, :], "W_hat_m")
            self.M_hat_m = Parameter(P[..., 4, :, :], "M_hat_m")

    @property
    def W(self) -> np.ndarray:
        """The additive path's constrained weight (also the multiplicative one's when
        shared)."""
        return nac_weight(self.W_hat.value, self.M_hat.value)

    @property
    def W_m(self) -> np.ndarray:
        """The multiplicative path's constrained weight, ``(n_in, n_out)``."""
        if self.shared_weights:
            return self.W
        return nac_weight(self.W_hat_m.value, self.M_hat_m.value)

    def gate(self, x: np.ndarray) -> np.ndarray:
        """``g = σ(x G)``: ``(B, n_in) -> (B, n_out)``, 1 selects the additive path,
        0 the multiplicative."""
        return sigmoid(_check_runs_batch(x, self.n_in, self.runs) @ self.G.value)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x: (B, n_in) -> y: (B, n_out)``, ``y = g ⊙ a + (1 − g) ⊙ m``."""
        x = _check_runs_batch(x, self.n_in, self.runs)
        W, W_m = self.W, self.W_m
        a = x @ W
        m, log_cache = _log_path_forward(x, W_m, self.eps, self.max_exponent)
        g = sigmoid(x @ self.G.value)
        self._cache = (x, W, W_m, a, m, g, log_cache)
        return g * a + (1.0 - g) * m

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """``dy: (B, n_out) -> dx: (B, n_in)``; accumulates the gradients of every
        parameter."""
        x, W, W_m, a, m, g, log_cache = self._cache
        dz_gate = dy * (a - m) * g * (1.0 - g)
        self.G.grad += _T(x) @ dz_gate
        dx_m, dW_m = _log_path_backward(dy * (1.0 - g), W_m, log_cache, self.eps)
        da = dy * g
        dW = _T(x) @ da
        if self.shared_weights:
            dW = dW + dW_m
        else:
            dWh, dMh = nac_weight_backward(dW_m, self.W_hat_m.value, self.M_hat_m.value)
            self.W_hat_m.grad += dWh
            self.M_hat_m.grad += dMh
        dWh, dMh = nac_weight_backward(dW, self.W_hat.value, self.M_hat.value)
        self.W_hat.grad += dWh
        self.M_hat.grad += dMh
        return da @ _T(W) + dx_m + dz_gate @ _T(self.G.value)
