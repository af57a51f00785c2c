"""Seed sweep behind Part I's exercise *Scale the learning rate with the batch size*:
SGD with lr = 0.01 B.

The chapter's 2-50-1 ReLU network on its two-moons data (``make_moons(1000, 0.1,
seed=0)``, split seed 0) is trained with plain SGD for at most 40 epochs, network and
loader seeded with ``seed``, at batch sizes 50, 100, 200, 400 and 800 with the learning
rate scaled as 0.01 B, and, as the control, at B = 200 with the learning rate left at
0.5. Each row records the first epoch with held-out accuracy >= 99% (empty: not within
40 epochs). The baseline, in the same process, is B = 50: the script prints each
setting's median epochs as a ratio to it.

Run: ``python benchmarks/minibatching_lr_scaling.py [--seeds N] [--jobs N] [--resume]
[--dask ADDRESS]`` (about 15 seconds on one idle core) — writes
``benchmarks/results/minibatching_lr_scaling.csv``, one row per setting and seed. The
network is :func:`nmbook.recipes.make_mlp`, the chapter's own.
"""

from __future__ import annotations

import argparse
from functools import cache

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.data import ArrayDataset, DataLoader, make_moons, train_test_split
from nmbook.optim import SGD
from nmbook.recipes import make_mlp
from nmbook.stats import format_rate
from nmbook.train import fit_binary_classifier, updates_to_reach

# (B, lr); last: control
SETTINGS = [(50, 0.5), (100, 1.0), (200, 2.0), (400, 4.0), (800, 8.0), (200, 0.5)]
EPOCHS = 40
OUT = _common.RESULTS / "minibatching_lr_scaling.csv"
FIELDS = ["batch_size", "lr", "seed", "epochs_to_99"]


@cache
def chapter_data():
    X, y = make_moons(n_samples=1000, noise=0.1, seed=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_fraction=0.2, seed=0)
    return ArrayDataset(X_tr, y_tr), X_te, y_te


def run(batch_size: int, lr: float, seed: int) -> dict:
    ds, X_te, y_te = chapter_data()
    m = make_mlp(seed)
    h = fit_binary_classifier(
        m,
        DataLoader(ds, batch_size, shuffle=True, seed=seed),
        SGD(m.parameters(), lr),
        EPOCHS,
        X_te,
        y_te,
    )
    reach = updates_to_reach(h["val_acc"], 0.99)
    return {
        "batch_size": batch_size,
        "lr": lr,
        "seed": seed,
        "epochs_to_99": "" if reach is None else reach,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=20)
    add_arguments(parser)
    args = parser.parse_args()
    keys = [
        {"batch_size": bs, "lr": lr, "seed": s}
        for bs, lr in SETTINGS
        for s in range(args.seeds)
    ]
    rows = sweep(run, keys, OUT, FIELDS, **sweep_options(args))
    base = None
    for bs, lr in SETTINGS:
        e = [
            r["epochs_to_99"]
            for r in rows
            if (r["batch_size"], r["lr"]) == (str(bs), str(lr))
        ]
        hit = [int(v) for v in e if v != ""]
        med = float(np.median(hit)) if hit else float("nan")
        base = med if base is None else base
        print(
            f"B = {bs:3d}, lr {lr:3g}: reached 99% in "
            f"{format_rate(len(hit), len(e))}; epochs "
            f"{min(hit, default='-')}..{max(hit, default='-')}, median "
            f"{med:.1f} ({med / base:.2f} of B = 50)"
        )


if __name__ == "__main__":
    main()
