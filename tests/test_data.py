"""Two moons, the train/test split and the DataLoader: geometry, coverage,
reproducibility, validation."""

import numpy as np
import pytest

from nmbook.data import ArrayDataset, DataLoader, Dataset, make_moons, train_test_split


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, y = make_moons(101, noise=0.0, seed=0)
    assert X.shape == (101, 2) and y.shape == (101,) and X.dtype == np.float64
    assert np.sum(y == 0) == 50 and np.sum(y == 1) == 51  # n // 2 on the upper circle
    upper, lower = X[y == 0], X[y == 1]
    # centre (0, 0), y >= 0
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= -1e-12)
    # centre (1, 0.5)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)
    # the end points t = 0 and t = π of both arcs are present
    for point in ([1, 0], [-1, 0], [0, 0.5], [2, 0.5]):
        assert np.min(np.hypot(*(X - point).T)) < 1e-12


def test_moons_are_shuffled_noisy_and_reproducible():
    X, y = make_moons(1000, noise=0.1, seed=3)
    X2, y2 = make_moons(1000, noise=0.1, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make_moons(1000, noise=0.1, seed=4)[0])
    assert 0 < np.sum(y[:500]) < 500  # shuffled: not 500 zeros then 500 ones
    clean, yc = make_moons(1000, noise=0.0, seed=3)
    np.testing.assert_array_equal(y, yc)  # same shuffle; noise is drawn after it
    residual = X - clean
    assert residual.std() == pytest.approx(0.1, rel=0.05)


def test_train_test_split_partitions_the_samples():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_fraction=0.3, seed=0)
    assert len(X_te) == 3 and len(X_tr) == 7
    np.testing.assert_array_equal(np.sort(np.concatenate([y_tr, y_te])), np.arange(10))
    # rows stay paired with their targets
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)
    np.testing.assert_array_equal(train_test_split(X, y, 0.3, seed=0)[3], y_te)


def _epoch(loader):
    return [tuple(a.copy() for a in batch) for batch in loader]


def test_loader_covers_every_sample_once_per_epoch():
    X = np.arange(23.0)[:, None] * np.ones((1, 2))
    y = np.arange(23)
    loader = DataLoader(ArrayDataset(X, y), batch_size=5, shuffle=True, seed=0)
    assert len(loader) == 5  # 4 full batches + 3 left over
    for _ in range(3):
        batches = _epoch(loader)
        assert [len(b[1]) for b in batches] == [5, 5, 5, 5, 3]
        assert batches[0][0].shape == (5, 2)
        np.testing.assert_array_equal(
            np.sort(np.concatenate([b[1] for b in batches])), y
        )
        for xb, yb in batches:
            np.testing.assert_array_equal(xb[:, 0], yb)


def test_loader_drop_last_and_unshuffled_order():
    ds = ArrayDataset(np.arange(10.0)[:, None], np.arange(10))
    loader = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(loader) == 2
    batches = _epoch(loader)
    np.testing.assert_array_equal(batches[0][1], [0, 1, 2, 3])
    np.testing.assert_array_equal(batches[1][1], [4, 5, 6, 7])
    assert len(DataLoader(ds, batch_size=4)) == 3
    assert len(DataLoader(ds, batch_size=10, drop_last=True)) == 1


def test_loader_is_reproducible_per_seed_and_fresh_each_epoch():
    ds = ArrayDataset(np.zeros((50, 1)), np.arange(50))
    a = DataLoader(ds, batch_size=10, shuffle=True, seed=7)
    b = DataLoader(ds, batch_size=10, shuffle=True, seed=7)
    c = DataLoader(ds, batch_size=10, shuffle=True, seed=8)
    order = lambda loader: np.concatenate([yb for _, yb in loader])  # noqa: E731
    first_a, first_b, first_c = order(a), order(b), order(c)
    np.testing.assert_array_equal(first_a, first_b)
    assert not np.array_equal(first_a, first_c)
    second_a = order(a)
    assert not np.array_equal(first_a, second_a)  # a fresh permutation every epoch
    np.testing.assert_array_equal(second_a, order(b))


class _ListDataset:
    """A dataset that is not an ArrayDataset: the loader must read and stack single
    samples."""

    def __init__(self, n):
        self.items = [(np.array([i, -i], dtype=float), np.int64(i)) for i in range(n)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def test_loader_collates_a_generic_dataset():
    ds = _ListDataset(7)
    assert isinstance(ds, Dataset)
    xb, yb = next(iter(DataLoader(ds, batch_size=3)))
    np.testing.assert_array_equal(xb, [[0, 0], [1, -1], [2, -2]])
    np.testing.assert_array_equal(yb, [0, 1, 2])


def test_bad_input_raises():
    with pytest.raises(ValueError, match="same number of samples"):
        ArrayDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="finite"):
        ArrayDataset(np.array([[np.nan, 0.0]]), np.zeros(1))
    with pytest.raises(ValueError, match="at least one sample"):
        ArrayDataset(np.zeros((0, 2)), np.zeros(0))
    ds = ArrayDataset(np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        DataLoader(ds, batch_size=2.5)
    with pytest.raises(ValueError, match="gives no batch"):
        DataLoader(ds, batch_size=5, drop_last=True)
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(42, batch_size=1)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        make_moons(10, noise=-0.1)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        make_moons(10, noise=float("nan"))
    with pytest.raises(ValueError, match="n_samples must be an integer >= 2"):
        make_moons(1, noise=0.1)
    with pytest.raises(ValueError, match="same number of samples"):
        train_test_split(np.zeros((5, 2)), np.zeros(4), 0.2)
    with pytest.raises(ValueError, match=r"test_fraction must lie in \(0, 1\)"):
        train_test_split(np.zeros((5, 2)), np.zeros(5), 1.0)
    with pytest.raises(ValueError, match="finite"):
        train_test_split(np.full((5, 2), np.inf), np.zeros(5), 0.2)
