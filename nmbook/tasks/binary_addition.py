"""Binary addition as a sequence task: two numbers enter bit by bit, their sum leaves
bit by bit.

Convention. Numbers are written **little-endian** (least significant bit first), so the
network meets the bits in the order in which a carry travels. Two ``n_bits``-bit
operands ``a`` and ``b`` occupy ``T = n_bits + 1`` time steps, time first::

    x[t, i] = (bit t of a_i, bit t of b_i)    x: (T, B, 2)
    target[t, i, 0] = bit t of a_i + b_i       target: (T, B, 1)

Both bits of ``x`` are 0 at the padding step ``t = n_bits``, whose target holds the
carry-out, so the sum, which can need ``n_bits + 1`` bits, is always read off the whole
target sequence. Operands and sums are Python integers (object arrays), so 64-bit and
longer numbers are exact.

Taught in: Part II (*An RNN from scratch, part 2: binary addition*), after Roelants'
post (2015).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

import numpy as np

from nmbook.data import ArrayDataset, DataLoader
from nmbook.layers import Linear, Sequential, as_rng
from nmbook.losses import bce_with_logits
from nmbook.optim import SGD, Adam, Optimizer, RMSProp
from nmbook.rnn import RNN, RNNCell
from nmbook.train import train_step


class AdditionData(NamedTuple):
    """A batch of additions: ``x: (T, B, 2)`` and ``target: (T, B, 1)`` as float64 0/1
    arrays, and the
    operands ``a, b: (B,)`` as object arrays of Python ints (``T = n_bits + 1``)."""

    x: np.ndarray
    target: np.ndarray
    a: np.ndarray
    b: np.ndarray


def _positive_int(v, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {type(v).__name__}")
    if v <= 0:
        raise ValueError(f"{name} must be a positive integer, got {v!r}")
    return int(v)


def _as_ints(values, name: str) -> np.ndarray:
    """A 1-D object array of non-negative Python ints (numpy integers are converted;
    floats are refused)."""
    arr = np.asarray(values, dtype=object)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D sequence of integers, got "
            f"shape {arr.shape}"
        )
    out = np.empty(arr.size, dtype=object)
    for i, v in enumerate(arr):
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise TypeError(
                f"{name} must hold integers, got {type(v).__name__} at index {i}"
            )
        if v < 0:
            raise ValueError(
                f"{name} must hold non-negative integers, got {v} at index {i}"
            )
        out[i] = int(v)
    return out


def encode_bits(values: Iterable[int], n_steps: int) -> np.ndarray:
    """Little-endian bits of non-negative integers: ``values: (B,) -> bits: (n_steps,
    B)`` float64.

    ``bits[t, i]`` is bit ``t`` of ``values[i]`` (``(v >> t) & 1``). A value that needs
    more than ``n_steps`` bits is a ValueError (it would be silently truncated
    otherwise).
    """
    n_steps = _positive_int(n_steps, "n_steps")
    v = _as_ints(values, "values")
    too_big = [int(x) for x in v if x.bit_length() > n_steps]
    if too_big:
        raise ValueError(f"values must fit in n_steps={n_steps} bits, got {too_big[0]}")
    return np.array(
        [[(x >> t) & 1 for x in v] for t in range(n_steps)], dtype=np.float64
    )


def decode_bits(bits: np.ndarray) -> np.ndarray:
    """The integers that little-endian bits spell: ``bits: (T, B)`` or ``(T, B, 1)`` ->
    ``(B,)`` Python ints.

    An entry counts as 1 when it is > 0.5, so rounded network probabilities decode
    directly. The result is an object array, exact for any ``T`` (no int64 overflow).
    """
    if not isinstance(bits, np.ndarray):
        raise TypeError(f"bits must be a numpy array, got {type(bits).__name__}")
    if bits.ndim == 3 and bits.shape[2] == 1:
        bits = bits[:, :, 0]
    if bits.ndim != 2 or bits.size == 0:
        raise ValueError(
            f"bits must have shape (T, B) or (T, B, 1) with T, B > 0, got {bits.shape}"
        )
    ones = bits > 0.5
    out = np.zeros(bits.shape[1], dtype=object)
    # Horner's rule from the most significant bit down
    for t in range(bits.shape[0] - 1, -1, -1):
        out = out * 2 + ones[t].astype(int).astype(object)
    return np.array([int(v) for v in out], dtype=object)


def addition_sequences(a: Iterable[int], b: Iterable[int], n_bits: int) -> AdditionData:
    """Encode given pairs ``a_i + b_i`` (each operand < ``2**n_bits``) in the module's
    convention.

    Returns:
        :class:`AdditionData` with ``x: (n_bits + 1, B, 2)`` and
        ``target: (n_bits + 1, B, 1)``.
    """
    n_bits = _positive_int(n_bits, "n_bits")
    a, b = _as_ints(a, "a"), _as_ints(b, "b")
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same length, got {a.size} and {b.size}"
        )
    for name, v in (("a", a), ("b", b)):
        big = [int(x) for x in v if x.bit_length() > n_bits]
        if big:
            raise ValueError(
                f"{name} must hold {n_bits}-bit numbers (< 2**{n_bits}), got {big[0]}"
            )
    T = n_bits + 1
    x = np.stack([encode_bits(a, T), encode_bits(b, T)], axis=-1)
    target = encode_bits(a + b, T)[:, :, None]
    return AdditionData(x, target, a, b)


def random_additions(
    n_samples: int, n_bits: int, seed: int | np.random.Generator
) -> AdditionData:
    """``n_samples`` pairs of operands drawn uniformly from ``[0, 2**n_bits)``, encoded
    for the RNN.

    Each operand's bits are drawn as fair coin flips, so any ``n_bits`` (64 and beyond)
    is exact.

    Args:
        n_samples: B ≥ 1.
        n_bits: bits per operand (≥ 1); sequences have ``T = n_bits + 1`` steps.
        seed: an int seed or a ``numpy.random.Generator`` (the only source of
            randomness).
    """
    n_samples = _positive_int(n_samples, "n_samples")
    n_bits = _positive_int(n_bits, "n_bits")
    if isinstance(seed, bool) or not isinstance(
        seed, int | np.integer | np.random.Generator
    ):
        raise TypeError(
            f"seed must be an int or a numpy.random.Generator, got "
            f"{type(seed).__name__}"
        )
    rng = as_rng(seed)
    bits = rng.integers(0, 2, size=(n_bits, 2, n_samples))
    return addition_sequences(decode_bits(bits[:, 0]), decode_bits(bits[:, 1]), n_bits)


def unseen_pairs(train: AdditionData, n_bits: int) -> AdditionData:
    """Every pair of ``n_bits``-bit operands that does not occur in ``train``, in the
    order ``(a, b)``.

    The held-out set of the chapter: for 7 bits, all 16,384 ordered pairs minus the
    training pairs. Limited to ``n_bits ≤ 12`` (16.8 million pairs); use
    :func:`random_additions` for longer numbers.
    """
    n_bits = _positive_int(n_bits, "n_bits")
    if n_bits > 12:
        raise ValueError(
            f"n_bits must be at most 12 to enumerate every pair, got {n_bits}"
        )
    seen = {(int(x), int(y)) for x, y in zip(train.a, train.b, strict=True)}
    a, b = np.divmod(np.arange(4**n_bits), 2**n_bits)
    keep = np.array([(int(x), int(y)) not in seen for x, y in zip(a, b, strict=True)])
    if not keep.any():
        raise ValueError("train holds every pair: nothing is left to hold out")
    return addition_sequences(a[keep], b[keep], n_bits)


def adder_rnn(n_hidden: int, rng: np.random.Generator | int) -> Sequential:
    """The network of the chapter: an Elman RNN over the bit pairs and a linear read-out
    per step.

    ``Sequential(RNN(RNNCell(2, n_hidden)), Linear(n_hidden, 1))`` maps ``x: (T, B, 2)``
    to the logits ``z: (T, B, 1)``; ``σ(z[t])`` is the probability that bit ``t`` of the
    sum is 1.
    """
    n_hidden = _positive_int(n_hidden, "n_hidden")
    rng = as_rng(rng)
    return Sequential(RNN(RNNCell(2, n_hidden, rng)), Linear(n_hidden, 1, rng))


def sum_accuracy(logits: np.ndarray, target: np.ndarray) -> float:
    """Fraction of whole sums that are right: every one of the ``T`` output bits of a
    sample must match.

    ``logits, target: (T, B, 1)``; a bit is predicted 1 when its logit is > 0.
    """
    if np.shape(logits) != np.shape(target):
        raise ValueError(
            f"logits and target must have the same shape, got "
            f"{np.shape(logits)} and {np.shape(target)}"
        )
    correct = (np.asarray(logits) > 0) == (np.asarray(target) > 0.5)
    return float(
        np.mean(
            correct.reshape(correct.shape[0], correct.shape[1], -1).all(axis=(0, 2))
        )
    )


#: The optimisers compared in the chapter, in the order of its figure.
OPTIMIZER_NAMES = ("SGD", "momentum", "Nesterov", "RMSProp", "RMSProp+Nesterov", "Adam")


def make_optimizer(name: str, params, lr: float) -> Optimizer:
    """One of :data:`OPTIMIZER_NAMES` over ``params`` with learning rate ``lr`` and the
    chapter's other settings.

    SGD; SGD with momentum 0.9 (plain or Nesterov); RMSProp with α = 0.9, ε = 1e-6
    (plain, or with Nesterov momentum 0.8 as in the source post); Adam with PyTorch's
    defaults (β = (0.9, 0.999), ε = 1e-8).
    """
    if name == "SGD":
        return SGD(params, lr)
    if name in ("momentum", "Nesterov"):
        return SGD(params, lr, momentum=0.9, nesterov=name == "Nesterov")
    if name == "RMSProp":
        return RMSProp(params, lr, alpha=0.9, eps=1e-6)
    if name == "RMSProp+Nesterov":
        return RMSProp(params, lr, alpha=0.9, eps=1e-6, momentum=0.8, nesterov=True)
    if name == "Adam":
        return Adam(params, lr)
    raise ValueError(f"name must be one of {OPTIMIZER_NAMES}, got {name!r}")


def post_minibatches(n_samples: int, batch_size: int) -> Iterator[np.ndarray]:
    """The sample indices of the source post's minibatch loop — **with its bug**, kept
    for the comparison.

    The post steps a batch counter ``k = 0, 1, …, n_samples // batch_size − 1`` and
    slices ``[k, k + batch_size)`` instead of ``[k · batch_size, (k + 1) ·
    batch_size)``: consecutive batches overlap in all but one sample and only the first
    ``n_samples // batch_size + batch_size − 1`` samples are ever used. The correct loop
    is ``nmbook.data.DataLoader``.
    """
    n_samples = _positive_int(n_samples, "n_samples")
    batch_size = _positive_int(batch_size, "batch_size")
    for k in range(n_samples // batch_size):
        yield np.arange(k, k + batch_size)


class AdditionBatches:
    """The minibatches of one epoch per ``iter``: yields ``(x: (T, b, 2), target: (T, b,
    1))``, time first.

    ``slicing="correct"``: every sample exactly once per epoch, in a fresh order each
    epoch when ``shuffle`` (``nmbook.data.DataLoader`` over batch-first views, each
    batch turned back to time first); ``slicing="post"``: the post's overlapping slices
    (:func:`post_minibatches`), never shuffled. ``len()`` is the number of minibatches
    per epoch.
    """

    def __init__(
        self,
        data: AdditionData,
        batch_size: int,
        slicing: str = "correct",
        shuffle: bool = True,
        seed: int | np.random.Generator = 0,
    ) -> None:
        if not isinstance(data, AdditionData):
            raise TypeError(f"data must be an AdditionData, got {type(data).__name__}")
        self.batch_size = _positive_int(batch_size, "batch_size")
        if slicing not in ("correct", "post"):
            raise ValueError(f"slicing must be 'correct' or 'post', got {slicing!r}")
        n = data.x.shape[1]
        if self.batch_size > n:
            raise ValueError(
                f"batch_size must be at most the number of samples {n}, got "
                f"{batch_size}"
            )
        self.slicing, self.n = slicing, n
        self._data = ArrayDataset(
            np.swapaxes(data.x, 0, 1), np.swapaxes(data.target, 0, 1)
        )
        self._loader = DataLoader(
            self._data, batch_size=self.batch_size, shuffle=shuffle, seed=seed
        )

    def __len__(self) -> int:
        return (
            len(self._loader)
            if self.slicing == "correct"
            else self.n // self.batch_size
        )

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        if self.slicing == "correct":
            batches = iter(self._loader)
        else:
            batches = (
                self._data[idx] for idx in post_minibatches(self.n, self.batch_size)
            )
        for xb, tb in batches:
            yield np.swapaxes(xb, 0, 1), np.swapaxes(tb, 0, 1)


def train_adder(
    model: Sequential,
    train: AdditionData,
    optimizer: Optimizer,
    epochs: int,
    batch_size: int = 100,
    seed: int | np.random.Generator = 0,
    slicing: str = "correct",
    shuffle: bool = True,
    held_out: AdditionData | None = None,
    stop_when_solved: bool = True,
    max_grad_norm: float | None = None,
) -> dict:
    """Train ``model`` on ``train`` with BCE on the logits of every output bit, one
    update per minibatch.

    Args:
        batch_size, seed, slicing, shuffle: the minibatches, see
            :class:`AdditionBatches`.
        held_out: if given, the whole-sum accuracy on it is measured after every epoch,
            and with ``stop_when_solved`` training stops after the first epoch that
            reaches 100%.
        max_grad_norm: optional clipping of the joint gradient norm before each step.

    Returns:
        ``dict`` with per update ``batch_loss``; per epoch ``held_out_acc`` (if
        ``held_out``); ``epochs`` (epochs run) and ``solved_epoch`` (first epoch with
        100% held-out accuracy, else None).
    """
    epochs = _positive_int(epochs, "epochs")
    batches = AdditionBatches(train, batch_size, slicing, shuffle, seed)
    hist: dict = {
        "batch_loss": [],
        "held_out_acc": [],
        "epochs": 0,
        "solved_epoch": None,
    }
    for epoch in range(1, epochs + 1):
        for xb, tb in batches:
            loss, _ = train_step(
                model, xb, tb, bce_with_logits, optimizer, max_grad_norm
            )
            hist["batch_loss"].append(loss)
        hist["epochs"] = epoch
        if held_out is not None:
            acc = sum_accuracy(model.forward(held_out.x), held_out.target)
            hist["held_out_acc"].append(acc)
            if acc == 1.0 and hist["solved_epoch"] is None:
                hist["solved_epoch"] = epoch
                if stop_when_solved:
                    break
    return hist
