"""A small training loop: one update per minibatch, optional gradient clipping, a
per-epoch history.

The loop is written out once here so that chapters narrate it instead of repeating it.
Nothing in it asserts a result: it returns the history, and the notebook decides what
counts as success. Taught in: Part I (minibatching on two moons); ``train_step`` is
reused by later parts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import numpy as np

from nmbook.functional import sigmoid
from nmbook.layers import Module
from nmbook.losses import bce_with_logits
from nmbook.optim import Optimizer, clip_grad_norm

#: A loss maps ``(prediction, target)`` to ``(mean loss, dloss/dprediction)`` like
#: ``nmbook.losses``.
LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def train_step(
    model: Module,
    x: np.ndarray,
    target: np.ndarray,
    loss_fn: LossFn,
    optimizer: Optimizer,
    max_grad_norm: float | None = None,
) -> tuple[float, np.ndarray]:
    """One update: zero the gradients, forward, loss, backward, (clip), step.

    The PyTorch idiom ``opt.zero_grad(); loss = f(model(x), y); loss.backward();
    opt.step()`` with the backward pass made explicit: the loss hands back
    ``dloss/doutput`` and ``model.backward`` takes it.

    Args:
        model: any nmbook module with ``forward`` / ``backward``.
        x: a batch of inputs, e.g. ``(B, n_in)``; target: what ``loss_fn`` compares the
            output with.
        max_grad_norm: if given, the joint gradient norm is clipped to it before the
            step.

    Returns:
        ``(loss, output)`` — the batch's loss *before* the update and the model's output
        for it.
    """
    optimizer.zero_grad()
    out = model.forward(x)
    loss, dout = loss_fn(out, target)
    model.backward(dout)
    if max_grad_norm is not None:
        clip_grad_norm(optimizer.params, max_grad_norm)
    optimizer.step()
    return loss, out


def binary_accuracy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of ``logits > 0`` (i.e. ``σ(logit) > ½``) that agree with 0/1
    ``targets``; same shapes."""
    logits, targets = np.asarray(logits), np.asarray(targets)
    if logits.shape != targets.shape:
        raise ValueError(
            f"logits and targets must have the same shape, got "
            f"{logits.shape} and {targets.shape}"
        )
    return float(np.mean((logits > 0) == (targets > 0.5)))


def predict_proba(model: Module, X: np.ndarray) -> np.ndarray:
    """``σ(model(X))`` for a model with one output logit: ``X: (N, n_in) -> p:
    (N,)``."""
    return sigmoid(model.forward(X))[:, 0]


def fit_binary_classifier(
    model: Module,
    loader: Iterable[tuple[np.ndarray, np.ndarray]],
    optimizer: Optimizer,
    epochs: int,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    eval_every_update: bool = False,
    max_grad_norm: float | None = None,
) -> dict[str, list[float]]:
    """Train a one-logit classifier with BCE on logits, one update per minibatch of
    ``loader``.

    ``loader`` yields ``(x: (B, n_in), y: (B,))`` with 0/1 labels; the model maps ``(B,
    n_in) -> (B, 1)``.

    Returns:
        ``dict`` of per-epoch lists — ``loss`` (sample-weighted mean of the batch
        losses), ``acc`` (training accuracy counted on each batch just before its
        update, as the running figure a PyTorch loop prints), ``val_acc`` (held-out
        accuracy after the epoch; only with ``X_val``), ``updates`` (cumulative number
        of updates) and ``seconds`` (wall time of the epoch's training, without the
        held-out evaluation); per update ``batch_loss`` and, with ``eval_every_update``,
        ``val_acc_per_update`` (held-out accuracy after each update, for counting
        updates to reach a target).
    """
    if not isinstance(epochs, int | np.integer) or epochs <= 0:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if eval_every_update and X_val is None:
        raise ValueError("eval_every_update=True needs X_val and y_val")
    yv = None if y_val is None else np.asarray(y_val, dtype=np.float64).reshape(-1, 1)
    hist: dict[str, list[float]] = {
        "loss": [],
        "acc": [],
        "updates": [],
        "seconds": [],
        "batch_loss": [],
    }
    if X_val is not None:
        hist["val_acc"] = []
    if eval_every_update:
        hist["val_acc_per_update"] = []
    updates = 0
    for _ in range(int(epochs)):
        total_loss = total_correct = total_n = 0.0
        eval_time = 0.0
        start = time.perf_counter()
        for xb, yb in loader:
            target = np.asarray(yb, dtype=np.float64).reshape(-1, 1)
            loss, logits = train_step(
                model, xb, target, bce_with_logits, optimizer, max_grad_norm
            )
            updates += 1
            n = len(target)
            total_loss += loss * n
            total_correct += binary_accuracy(logits, target) * n
            total_n += n
            hist["batch_loss"].append(loss)
            if eval_every_update:
                t0 = time.perf_counter()
                hist["val_acc_per_update"].append(
                    binary_accuracy(model.forward(X_val), yv)
                )
                eval_time += time.perf_counter() - t0
        hist["seconds"].append(time.perf_counter() - start - eval_time)
        hist["loss"].append(total_loss / total_n)
        hist["acc"].append(total_correct / total_n)
        hist["updates"].append(updates)
        if X_val is not None:
            hist["val_acc"].append(binary_accuracy(model.forward(X_val), yv))
    return hist


def updates_to_reach(curve: Iterable[float], target: float) -> int | None:
    """1-based index of the first entry of ``curve`` that is ≥ ``target`` (e.g.
    updates to 99%), or None."""
    for i, v in enumerate(curve, start=1):
        if v >= target:
            return i
    return None


def flat_gradient(
    model: Module, x: np.ndarray, target: np.ndarray, loss_fn: LossFn
) -> np.ndarray:
    """The gradient of ``loss_fn(model(x), target)`` w.r.t. all parameters,
    concatenated: ``(P,)``.

    Leaves the parameters unchanged and their ``.grad`` holding this gradient. Used to
    measure how far a minibatch gradient strays from the full-batch one (Part I:
    gradient noise against batch size).
    """
    model.zero_grad()
    _, dout = loss_fn(model.forward(x), target)
    model.backward(dout)
    return np.concatenate([p.grad.ravel() for p in model.parameters()])
