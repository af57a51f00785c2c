"""Losses in numerically stable forms. Each returns ``(loss, dpred)``: the mean loss and
its gradient.

The mean is taken over the elements (or positions) where ``mask`` is 1; ``mask``
defaults to all ones. Taught in: Part I (BCE on logits instead of sigmoid + BCE); used
by every part.
"""

from __future__ import annotations

import numpy as np

from nmbook.functional import log_sum_exp, sigmoid, softmax


def _as_array(x, name: str) -> np.ndarray:
    if not isinstance(x, np.ndarray | list | tuple | float | int):
        raise TypeError(f"{name} must be an array, got {type(x).__name__}")
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return x


def _mask(mask, shape: tuple[int, ...]) -> tuple[np.ndarray, float]:
    if mask is None:
        return np.ones(shape), float(np.prod(shape))
    m = _as_array(mask, "mask")
    if m.shape != shape:
        raise ValueError(f"mask must have shape {shape}, got {m.shape}")
    n = float(m.sum())
    if n <= 0:
        raise ValueError("mask must select at least one element")
    return m, n


def bce_with_logits(
    logits: np.ndarray, targets: np.ndarray, mask: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Binary cross-entropy of ``σ(logits)`` against ``targets`` in [0, 1], computed
    from the logits.

    ``ℓ(z, y) = max(z, 0) − z y + log(1 + exp(−|z|))`` equals ``−y log σ(z) − (1−y)
    log(1−σ(z))`` but never takes the log of 0, so it is finite for logits of ±1e4.
    ``dℓ/dz = σ(z) − y``.

    Args:
        logits: ``z``, any shape.
        targets: ``y``, the same shape, values in [0, 1].
        mask: optional 0/1 weights of the same shape.

    Returns:
        ``(mean loss, dloss/dlogits)`` with the gradient of the shape of ``logits``.
    """
    z, y = _as_array(logits, "logits"), _as_array(targets, "targets")
    if z.shape != y.shape:
        raise ValueError(
            f"logits and targets must have the same shape, got {z.shape} and {y.shape}"
        )
    if np.any((y < 0) | (y > 1)):
        raise ValueError("targets must lie in [0, 1]")
    m, n = _mask(mask, z.shape)
    per = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(np.sum(per * m) / n), (sigmoid(z) - y) * m / n


def mse(
    pred: np.ndarray, target: np.ndarray, mask: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Mean squared error ``mean((pred − target)²)`` and its gradient ``2 (pred −
    target) / N``. Any shape."""
    p, t = _as_array(pred, "pred"), _as_array(target, "target")
    if p.shape != t.shape:
        raise ValueError(
            f"pred and target must have the same shape, got {p.shape} and {t.shape}"
        )
    m, n = _mask(mask, p.shape)
    r = (p - t) * m
    return float(np.sum(r * r) / n), 2.0 * r / n


def softmax_cross_entropy(
    logits: np.ndarray, targets: np.ndarray, mask: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Cross-entropy of ``softmax(logits)`` against integer class indices, via
    log-sum-exp.

    Args:
        logits: ``(..., K)``.
        targets: integer classes in ``[0, K)`` of shape ``logits.shape[:-1]``.
        mask: optional 0/1 weights of shape ``logits.shape[:-1]`` (e.g. only the output
            phase of a sequence).

    Returns:
        ``(mean loss over selected positions, dloss/dlogits: (..., K))``; the gradient
        is ``(softmax(logits) − onehot(targets)) · mask / N``.
    """
    z = _as_array(logits, "logits")
    if z.ndim < 1:
        raise ValueError("logits must have a class axis, got a scalar")
    k = np.asarray(targets)
    if k.shape != z.shape[:-1]:
        raise ValueError(
            f"targets must have shape {z.shape[:-1]} (logits without the "
            f"class axis), got {k.shape}"
        )
    if not np.issubdtype(k.dtype, np.integer):
        raise TypeError(f"targets must be integer class indices, got dtype {k.dtype}")
    K = z.shape[-1]
    if np.any((k < 0) | (k >= K)):
        raise ValueError(f"targets must lie in [0, {K})")
    m, n = _mask(mask, k.shape)
    picked = np.take_along_axis(z, k[..., None], axis=-1)[..., 0]
    loss = float(np.sum((log_sum_exp(z) - picked) * m) / n)
    grad = softmax(z)
    np.put_along_axis(
        grad,
        k[..., None],
        np.take_along_axis(grad, k[..., None], axis=-1) - 1.0,
        axis=-1,
    )
    return loss, grad * (m / n)[..., None]
