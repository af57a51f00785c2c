"""Seed sweep behind Part I's exercise *Scale the learning rate with the batch size*:
SGD with lr = 0.01 B.

The chapter's 2-50-1 ReLU network on its two-moons data (``make_moons(1000, 0.1,
seed=0)``, split seed 0) is trained with plain SGD for at most 40 epochs, network and
loader seeded with ``seed``, at batch sizes 50, 100, 200, 400 and 800 with the learning
rate scaled as 0.01 B, and, as the control, at B = 200 with the learning rate left at
0.5. Each row records the first epoch with held-out accuracy >= 99% (empty: not within
40 epochs). The baseline, in the same process, is B = 50: the script prints each
setting's median epochs as a ratio to it.

Run: ``python benchmarks/minibatching_lr_scaling.py [--seeds N]`` (about 15 seconds on
one idle core) — writes ``benchmarks/results/minibatching_lr_scaling.csv``, one row per
setting and seed.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import write_rows  # noqa: E402

# noqa: E402
from nmbook.data import ArrayDataset, DataLoader, make_moons, train_test_split
from nmbook.layers import Linear, ReLU, Sequential  # noqa: E402
from nmbook.optim import SGD  # noqa: E402
from nmbook.stats import format_rate  # noqa: E402
from nmbook.train import fit_binary_classifier, updates_to_reach  # noqa: E402

# (B, lr); last: control
SETTINGS = [(50, 0.5), (100, 1.0), (200, 2.0), (400, 4.0), (800, 8.0), (200, 0.5)]
EPOCHS = 40
OUT = Path(__file__).resolve().parent / "results" / "minibatching_lr_scaling.csv"


def make_mlp(seed: int) -> Sequential:
    """The chapter's 2-50-1 ReLU network (the notebook defines the same function)."""
    rng = np.random.default_rng(seed)
    return Sequential(Linear(2, 50, rng), ReLU(), Linear(50, 1, rng))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    X, y = make_moons(n_samples=1000, noise=0.1, seed=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_fraction=0.2, seed=0)
    ds = ArrayDataset(X_tr, y_tr)
    rows = []
    for bs, lr in SETTINGS:
        for s in range(args.seeds):
            m = make_mlp(s)
            h = fit_binary_classifier(
                m,
                DataLoader(ds, bs, shuffle=True, seed=s),
                SGD(m.parameters(), lr),
                EPOCHS,
                X_te,
                y_te,
            )
            reach = updates_to_reach(h["val_acc"], 0.99)
            rows.append(
                {
                    "batch_size": bs,
                    "lr": lr,
                    "seed": s,
                    "epochs_to_99": "" if reach is None else reach,
                }
            )
    write_rows(OUT, ["batch_size", "lr", "seed", "epochs_to_99"], rows)
    print(f"wrote {OUT} ({len(rows)} rows)")
    base = None
    for bs, lr in SETTINGS:
        e = [r["epochs_to_99"] for r in rows if (r["batch_size"], r["lr"]) == (bs, lr)]
        hit = [v for v in e if v != ""]
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
