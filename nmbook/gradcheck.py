"""Finite-difference gradient checks in float64.

Taught in: every chapter that derives a backward pass (first shown in Part III, chapter
2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

import numpy as np


class HasGrad(Protocol):
    """Anything with a ``value`` array and a ``grad`` array of the same shape (a
    ``Parameter``)."""

    value: np.ndarray
    grad: np.ndarray


def numerical_gradient(
    f: Callable[[], float], x: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central differences ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for every
    entry of ``x``.

    ``x`` is perturbed in place (and restored), so ``f`` must read it, e.g. a closure
    over the array.

    Args:
        f: a function of no arguments returning a scalar loss.
        x: float64 array of any shape; the variable to differentiate with respect to.
        eps: step size.

    Returns:
        An array of the shape of ``x``.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(
            f"x must be a float64 numpy array, got {type(x).__name__} of "
            f"dtype {getattr(x, 'dtype', None)}"
        )
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    if not x.flags.c_contiguous:
        raise ValueError("x must be C-contiguous so that it can be perturbed in place")
    grad = np.zeros_like(x)
    # views: x is written through flat_x
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        old = flat_x[i]
        flat_x[i] = old + eps
        f_plus = float(f())
        flat_x[i] = old - eps
        f_minus = float(f())
        flat_x[i] = old
        flat_g[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``||a - b|| / max(||a|| + ||b||, 1e-300)`` in the Euclidean norm; 0 when both
    are zero."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape, got {a.shape} and {b.shape}"
        )
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    if denom == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / denom)


def check_gradients(
    f: Callable[[], float],
    arrays: Mapping[str, np.ndarray],
    analytic: Mapping[str, np.ndarray],
    eps: float = 1e-6,
) -> dict[str, float]:
    """Relative error between analytic gradients and central differences, per named
    array.

    Args:
        f: scalar loss of no arguments that reads every array in ``arrays``.
        arrays: the inputs, perturbed in place one entry at a time.
        analytic: the gradient of ``f`` for each name in ``arrays``, same shapes.

    Returns:
        ``{name: relative_error}``.
    """
    missing = set(arrays) - set(analytic)
    if missing:
        raise ValueError(f"analytic is missing gradients for {sorted(missing)}")
    return {
        name: relative_error(analytic[name], numerical_gradient(f, x, eps))
        for name, x in arrays.items()
    }


def check_parameters(
    f: Callable[[], float], params: Iterable[HasGrad], eps: float = 1e-6
) -> dict[str, float]:
    """Like :func:`check_gradients` for ``Parameter`` objects whose ``.grad`` already
    holds df/dvalue.

    Names are taken from ``p.name`` when present, else ``"param<i>"``.
    """
    params = list(params)
    arrays = {
        getattr(p, "name", None) or f"param{i}": p.value for i, p in enumerate(params)
    }
    if len(arrays) != len(params):
        arrays = {
            f"{i}:{getattr(p, 'name', '')}": p.value for i, p in enumerate(params)
        }
    grads = {k: p.grad.copy() for k, p in zip(arrays, params, strict=True)}
    return check_gradients(f, arrays, grads, eps)
