"""Numerically stable elementwise functions shared by layers, losses, the RNNs, the
stack controller and NALU.

Taught in: Part I (stable sigmoid and BCE); reused everywhere.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` without overflow: ``exp`` is only ever taken of
    ``-|x|``. Any shape."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))``, finite for any finite x.
    Any shape."""
    x = np.asarray(x, dtype=np.float64)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """``log σ(x) = -softplus(-x)``, finite for any finite x. Any shape."""
    return -softplus(-np.asarray(x, dtype=np.float64))


def log_sum_exp(x: np.ndarray, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """``log Σ exp(x)`` along ``axis`` with the maximum subtracted first."""
    x = np.asarray(x, dtype=np.float64)
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """``exp(x) / Σ exp(x)`` along ``axis``, stable for large logits."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def linear_forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The affine map ``y = x W + b`` over the last axis, as a pure function.

    Shapes: ``x: (..., n_in)``, ``W: (n_in, n_out)``, ``b: (n_out,)`` or None (no
    bias) -> ``y: (..., n_out)``.

    Returns:
        ``(y, cache)``; the cache (``x`` itself) is what :func:`linear_backward` needs.
        A layer stepped ``T`` times keeps one cache per step.
    """
    y = x @ W
    return (y if b is None else y + b), x


def linear_backward(
    dy: np.ndarray, cache: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradients of :func:`linear_forward`: ``dx = dy Wᵀ``, ``dW = xᵀ dy`` and
    ``db = Σ dy`` (summed over every leading axis).

    Shapes: ``dy: (..., n_out)``, ``cache``: the ``x: (..., n_in)`` of the forward
    call, ``W: (n_in, n_out)`` -> ``(dx: (..., n_in), dW: (n_in, n_out), db:
    (n_out,))``. The caller adds ``dW`` and ``db`` into its parameters' gradients
    (``db`` is meaningless for a map without bias).
    """
    x2 = cache.reshape(-1, W.shape[0])
    dy2 = dy.reshape(-1, W.shape[1])
    return dy @ W.T, x2.T @ dy2, dy2.sum(axis=0)
