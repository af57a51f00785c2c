"""Toy data, splits, and minibatching: the two-moons set, a Dataset protocol and a
seeded ``DataLoader``.

Static data is batch first: ``X: (N, n_features)``, ``y: (N,)`` or ``(N, k)``.
Taught in: Part I (minibatching on two moons); the loader is reused by every later part.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

import numpy as np

from nmbook.rng import as_rng


def _finite_array(x, name: str) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(x).__name__}")
    if x.ndim == 0 or len(x) == 0:
        raise ValueError(
            f"{name} must hold at least one sample along axis 0, got shape {x.shape}"
        )
    if np.issubdtype(x.dtype, np.number) and not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return x


def make_moons(
    n_samples: int = 100, noise: float = 0.0, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles with Gaussian noise, shuffled (the construction of
    scikit-learn's).

    Class 0 (``n_samples // 2`` points) lies on the upper unit half circle ``(cos t, sin
    t)``, class 1 (the rest) on the lower half circle ``(1 − cos t, ½ − sin t)``, with
    ``t`` evenly spaced on ``[0, π]``. The points are shuffled, then ``N(0, noise²)`` is
    added to each coordinate.

    Args:
        n_samples: total number of points N ≥ 2.
        noise: standard deviation of the Gaussian noise, ≥ 0.
        seed: an int seed or a Generator (the only source of randomness).

    Returns:
        ``X: (N, 2)`` float64 and ``y: (N,)`` int64 labels in {0, 1}.
    """
    if (
        not isinstance(n_samples, int | np.integer)
        or isinstance(n_samples, bool)
        or n_samples < 2
    ):
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}")
    if not (
        isinstance(noise, int | float | np.floating)
        and np.isfinite(noise)
        and noise >= 0
    ):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = as_rng(seed, "seed")
    n_upper = int(n_samples) // 2
    n_lower = int(n_samples) - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    X = np.concatenate([upper, lower])
    y = np.concatenate(
        [np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)]
    )
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    return X + rng.normal(0.0, noise, size=X.shape), y


def train_test_split(
    X: np.ndarray,
    y: np.ndarray,
    test_fraction: float = 0.2,
    seed: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the samples once and hold out ``round(test_fraction · N)`` of them.

    Args:
        X: ``(N, ...)`` inputs; y: ``(N, ...)`` targets.
        test_fraction: in (0, 1); both parts must end up non-empty.

    Returns:
        ``X_train, X_test, y_train, y_test`` (scikit-learn's order).
    """
    X, y = _finite_array(X, "X"), _finite_array(y, "y")
    if len(X) != len(y):
        raise ValueError(
            f"X and y must have the same number of samples, got {len(X)} and {len(y)}"
        )
    if not (isinstance(test_fraction, int | float) and 0.0 < test_fraction < 1.0):
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction!r}")
    n_test = int(round(test_fraction * len(X)))
    if not 0 < n_test < len(X):
        raise ValueError(
            f"test_fraction={test_fraction} leaves an empty part of {len(X)} samples"
        )
    order = as_rng(seed, "seed").permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


@runtime_checkable
class Dataset(Protocol):
    """Anything with a length and integer indexing that returns one sample (a tuple
    of arrays)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int): ...


class ArrayDataset:
    """Samples stored as arrays with a common first axis: ``dataset[i] == (X[i],
    y[i])``.

    Indexing with an integer array returns a whole batch at once, ``(X[idx], y[idx])``,
    which is how :class:`DataLoader` collates it without a Python loop.
    """

    def __init__(self, *arrays: np.ndarray) -> None:
        if not arrays:
            raise ValueError("ArrayDataset needs at least one array")
        arrays = tuple(_finite_array(a, f"arrays[{i}]") for i, a in enumerate(arrays))
        lengths = [len(a) for a in arrays]
        if len(set(lengths)) != 1:
            raise ValueError(
                f"all arrays must have the same number of samples, got "
                f"lengths {lengths}"
            )
        self.arrays = arrays

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)


class DataLoader:
    """Iterate over a dataset in minibatches, optionally in a fresh random order every
    epoch.

    ``DataLoader(ds, batch_size=B, shuffle=True, seed=s)`` draws one permutation per
    pass (per ``iter``) from its own Generator, so two loaders with the same seed yield
    the same batches, and successive epochs differ. Each batch is collated into arrays
    of shape ``(B, ...)``: an :class:`ArrayDataset` is indexed with the whole index
    array; any other dataset is read one sample at a time and stacked.

    Args:
        dataset: a :class:`Dataset`.
        batch_size: samples per batch, ≥ 1.
        shuffle: a new order every epoch (else the dataset's order).
        drop_last: drop the final, smaller batch when ``batch_size`` does not divide
            ``len(dataset)``.
        seed: int or Generator for the shuffling (default 0; None is a TypeError).

    ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | np.random.Generator = 0,
    ) -> None:
        if not isinstance(dataset, Dataset):
            raise TypeError(
                f"dataset must define __len__ and __getitem__, got "
                f"{type(dataset).__name__}"
            )
        if len(dataset) == 0:
            raise ValueError("dataset must not be empty")
        if (
            not isinstance(batch_size, int | np.integer)
            or isinstance(batch_size, bool)
            or batch_size <= 0
        ):
            raise ValueError(
                f"batch_size must be a positive integer, got {batch_size!r}"
            )
        if drop_last and batch_size > len(dataset):
            raise ValueError(
                f"drop_last=True with batch_size={batch_size} > "
                f"len(dataset)={len(dataset)} gives no batch"
            )
        self.dataset, self.batch_size = dataset, int(batch_size)
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        self.rng = as_rng(seed, "seed")

    def __len__(self) -> int:
        n, b = len(self.dataset), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[tuple[np.ndarray, ...]]:
        n = len(self.dataset)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for k in range(len(self)):
            yield self._collate(order[k * self.batch_size : (k + 1) * self.batch_size])

    def _collate(self, idx: np.ndarray) -> tuple[np.ndarray, ...]:
        if isinstance(self.dataset, ArrayDataset):
            return self.dataset[idx]
        samples = [self.dataset[int(i)] for i in idx]
        if not isinstance(samples[0], tuple):
            return (np.stack(samples),)
        return tuple(np.stack(field) for field in zip(*samples, strict=True))
