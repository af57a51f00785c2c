"""User-written subclasses, as Part I writes them: a Dataset subclass batched by the
DataLoader, a Module subclass.

The chapter relies on two properties of nmbook: the DataLoader batches a hand-written
``Dataset`` subclass exactly as it batches an ``ArrayDataset`` (same seed, same
batches), and a ``Module`` subclass that stores layers as attributes finds their
parameters without registration and backpropagates correctly through a hand-written
``backward``.
"""

import numpy as np
import pytest

from nmbook.data import ArrayDataset, DataLoader, Dataset, make_moons
from nmbook.gradcheck import check_gradients, check_parameters
from nmbook.layers import Linear, Module, ReLU, Sequential
from nmbook.losses import bce_with_logits


class PairDataset(Dataset):
    """Sample i is (X[i], y[i]), read one at a time."""

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        self.X, self.y = X, y

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: int):
        return self.X[i], self.y[i]


class TwoLayerNet(Module):
    """Linear -> ReLU -> Linear, written as a class: (B, n_in) -> (B, 1)."""

    def __init__(self, n_in: int, n_hidden: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.hidden = Linear(n_in, n_hidden, rng)
        self.relu = ReLU()
        self.out = Linear(n_hidden, 1, rng)

    def forward(self, x):
        return self.out(self.relu(self.hidden(x)))

    def backward(self, dz):
        return self.hidden.backward(self.relu.backward(self.out.backward(dz)))


@pytest.mark.parametrize(
    ("batch_size", "drop_last"), [(50, False), (64, False), (64, True), (1000, False)]
)
def test_subclass_gives_the_same_batches_as_array_dataset(batch_size, drop_last):
    X, y = make_moons(130, noise=0.1, seed=1)
    ds = PairDataset(X, y)
    assert isinstance(ds, Dataset)
    mine = DataLoader(ds, batch_size, shuffle=True, drop_last=drop_last, seed=5)
    builtin = DataLoader(
        ArrayDataset(X, y), batch_size, shuffle=True, drop_last=drop_last, seed=5
    )
    assert len(mine) == len(builtin)
    for _epoch in range(3):  # a fresh permutation per epoch, the same in both
        for (xa, ya), (xb, yb) in zip(mine, builtin, strict=True):
            assert xa.shape == xb.shape and ya.dtype == yb.dtype
            np.testing.assert_array_equal(xa, xb)
            np.testing.assert_array_equal(ya, yb)


def test_last_partial_batch_and_drop_last_by_hand():
    # 130 samples in batches of 64: 64, 64, 2 (or 64, 64 with drop_last)
    X, y = np.arange(260.0).reshape(130, 2), np.arange(130)
    sizes = [len(b[1]) for b in DataLoader(PairDataset(X, y), 64)]
    assert sizes == [64, 64, 2]
    assert [len(b[1]) for b in DataLoader(PairDataset(X, y), 64, drop_last=True)] == [
        64,
        64,
    ]


def test_module_subclass_finds_parameters_and_matches_sequential():
    net = TwoLayerNet(2, 7, seed=3)
    assert [p.name for p in net.parameters()] == ["W", "b", "W", "b"]
    rng = np.random.default_rng(3)
    # the same draws, in the same order
    seq = Sequential(Linear(2, 7, rng), ReLU(), Linear(7, 1, rng))
    for p, q in zip(net.parameters(), seq.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)
    x = np.random.default_rng(0).normal(size=(9, 2))
    np.testing.assert_array_equal(net(x), seq.forward(x))


def test_module_subclass_backward_by_finite_differences():
    net = TwoLayerNet(2, 7, seed=3)
    x = np.random.default_rng(0).normal(size=(9, 2))
    t = (np.arange(9) % 2).reshape(-1, 1).astype(float)

    def loss():
        return bce_with_logits(net(x), t)[0]

    net.zero_grad()
    dx = net.backward(bce_with_logits(net(x), t)[1])
    err = check_parameters(loss, net.parameters()) | check_gradients(
        loss, {"x": x}, {"x": dx}
    )
    assert max(err.values()) < 1e-6, err
