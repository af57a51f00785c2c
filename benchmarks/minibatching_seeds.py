"""Seed sweep of Part I's live runs (*Minibatching on two moons*): which of its claims
hold in every seed?

The chapter trains a 2-50-1 ReLU network with Adam (lr 0.01) on two moons (1000 points,
noise 0.1, 20% held out) and draws claims from a handful of live runs. A reader's
machine follows other trajectories, so the notebook may only assert what holds in
essentially every seed. This script repeats each live experiment, with exactly the
chapter's configuration, for ``--seeds`` seeds (default 40; the first seeds are the
chapter's own):

* ``post``: the post's settings on the chapter's data set (``make_moons(1000, 0.1,
  seed=0)``, split seed 0), network and loader seeded with ``seed``, batches of 50, 20
  epochs: held-out accuracy after 20 epochs (``val_acc_20``) and the first epoch at ≥
  99% (``epochs_to_99``);
* ``resampled``: the same with data set, split, network and loader all seeded with
  ``seed`` (the chapter's "ten seeds" check);
* ``logreg``: logistic regression ``Linear(2, 1, rng=seed)`` on the chapter's data,
  loader seed ``seed``;
* ``batch_size``: the chapter's data, batches of 1, 10, 50, 200, 800, at least 20 epochs
  and 400 updates, with the held-out accuracy after every update: ``val_acc_20`` and the
  updates to reach 99% (``updates_to_99``).

The baseline, run in the same process, is batch size 50 in the ``batch_size``
experiment: the script prints each batch size's median updates to 99% as a ratio to it,
and the findings: how many seeds satisfy each claim, the median updates to 99% per batch
size with a distribution-free 95% interval (order statistics), and the seed-by-seed
comparison of neighbouring batch sizes (a count with its Wilson interval and the median
difference).

The network and the median interval are :func:`nmbook.recipes.make_mlp` and
:func:`nmbook.recipes.median_ci`, the chapter's own.

Run: ``python benchmarks/minibatching_seeds.py [--seeds N] [--jobs N] [--resume] [--dask
ADDRESS]`` (about 5 minutes on one idle core) — writes
``benchmarks/results/minibatching_seeds.csv``, one row per experiment, seed and batch
size. ``--findings-only`` prints the findings of the committed CSV without training (a
second).
"""

from __future__ import annotations

import argparse
from functools import cache
from itertools import pairwise

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.data import ArrayDataset, DataLoader, make_moons, train_test_split
from nmbook.layers import Linear, Sequential
from nmbook.optim import Adam
from nmbook.recipes import make_mlp, median_ci
from nmbook.stats import format_rate
from nmbook.train import fit_binary_classifier, updates_to_reach

BATCH_SIZES = (1, 10, 50, 200, 800)
OUT = _common.RESULTS / "minibatching_seeds.csv"
FIELDS = [
    "experiment",
    "seed",
    "batch_size",
    "val_acc_20",
    "epochs_to_99",
    "updates_to_99",
]


@cache
def chapter_data():
    """The chapter's data set: ``make_moons(1000, 0.1, seed=0)``, split seed 0."""
    X, y = make_moons(n_samples=1000, noise=0.1, seed=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_fraction=0.2, seed=0)
    return X_tr, y_tr, X_te, y_te


def fit(
    model,
    X_train,
    y_train,
    X_test,
    y_test,
    batch_size: int,
    seed: int,
    epochs: int = 20,
    **kw,
) -> dict:
    loader = DataLoader(
        ArrayDataset(X_train, y_train), batch_size, shuffle=True, seed=seed
    )
    return fit_binary_classifier(
        model, loader, Adam(model.parameters(), lr=0.01), epochs, X_test, y_test, **kw
    )


def row(
    experiment: str, seed: int, batch_size: int, hist: dict, updates_to_99=None
) -> dict:
    reach = updates_to_reach(hist["val_acc"], 0.99)
    return {
        "experiment": experiment,
        "seed": seed,
        "batch_size": batch_size,
        "val_acc_20": f"{hist['val_acc'][19]:.4f}",
        "epochs_to_99": "" if reach is None else reach,
        "updates_to_99": "" if updates_to_99 is None else updates_to_99,
    }


def run(seed: int) -> list[dict]:
    """Every experiment of one seed: its eight rows."""
    s, data = seed, chapter_data()
    rows = [row("post", s, 50, fit(make_mlp(s), *data, batch_size=50, seed=s))]
    Xs, ys = make_moons(1000, noise=0.1, seed=s)
    Xa, Xb, ya, yb = train_test_split(Xs, ys, test_fraction=0.2, seed=s)
    rows.append(
        row("resampled", s, 50, fit(make_mlp(s), Xa, ya, Xb, yb, batch_size=50, seed=s))
    )
    rows.append(
        row(
            "logreg",
            s,
            50,
            fit(Sequential(Linear(2, 1, rng=s)), *data, batch_size=50, seed=s),
        )
    )
    N = len(data[0])
    for bs in BATCH_SIZES:
        epochs = max(20, int(np.ceil(400 * bs / N)))
        h = fit(
            make_mlp(s),
            *data,
            batch_size=bs,
            seed=s,
            epochs=epochs,
            eval_every_update=True,
        )
        rows.append(
            row("batch_size", s, bs, h, updates_to_reach(h["val_acc_per_update"], 0.99))
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument(
        "--findings-only",
        action="store_true",
        help="summarise the committed CSV, train nothing",
    )
    add_arguments(parser)
    args = parser.parse_args()
    if args.findings_only:
        rows = _common.read_rows(OUT)
        findings(rows, len({r["seed"] for r in rows}), N=800)
        return
    rows = sweep(
        run,
        [{"seed": s} for s in range(args.seeds)],
        OUT,
        FIELDS,
        note=lambda rs: ", ".join(
            f"{r['experiment']}/{r['batch_size']} {r['val_acc_20']} "
            f"{r['updates_to_99']}"
            for r in rs
        ),
        **sweep_options(args),
    )
    findings(rows, len({r["seed"] for r in rows}), N=len(chapter_data()[0]))


def findings(rows: list[dict], n: int, N: int) -> None:
    """Print how many of the ``n`` seeds satisfy each of the chapter's claims (``N``:
    training-set size)."""

    def num(v):  # CSV rows hold strings, fresh rows ints; "" means never reached
        return "" if v == "" else int(v)

    rows = [
        {
            **r,
            "batch_size": int(r["batch_size"]),
            "updates_to_99": num(r["updates_to_99"]),
            "epochs_to_99": num(r["epochs_to_99"]),
        }
        for r in rows
    ]
    print(f"findings over {n} seeds:")
    for exp in ("post", "resampled", "logreg"):
        acc = np.array([float(r["val_acc_20"]) for r in rows if r["experiment"] == exp])
        print(
            f"  {exp:10s} held-out after 20 epochs: min {acc.min():.3f}, "
            f"median {np.median(acc):.3f}, "
            f"max {acc.max():.3f}; >= 0.99 in {np.sum(acc >= 0.99)}/{n}, "
            f">= 0.98 in {np.sum(acc >= 0.98)}/{n}, "
            f"< 0.9 in {np.sum(acc < 0.9)}/{n}"
        )
    ep = [r["epochs_to_99"] for r in rows if r["experiment"] == "post"]
    print(
        f"  post: epochs to 99% held-out: {sorted(ep, key=lambda e: (e == '', e or 0))}"
    )
    bs_rows = [r for r in rows if r["experiment"] == "batch_size"]
    upd = {
        bs: [r["updates_to_99"] for r in bs_rows if r["batch_size"] == bs]
        for bs in BATCH_SIZES
    }
    acc20 = {
        bs: np.array([float(r["val_acc_20"]) for r in bs_rows if r["batch_size"] == bs])
        for bs in BATCH_SIZES
    }
    base = np.median([u for u in upd[50] if u != ""])
    print(
        "  batch | held-out@20 min..max (>= 0.99) | updates to 99% "
        "min..max, median (ratio to B=50) | epochs"
    )
    for bs in BATCH_SIZES:
        u = np.array([x for x in upd[bs] if x != ""], dtype=float)
        print(
            f"  {bs:5d} | {acc20[bs].min():.3f}..{acc20[bs].max():.3f} "
            f"({np.sum(acc20[bs] >= 0.99)}/{n}) | "
            f"{u.min():.0f}..{u.max():.0f} ({len(u)}/{n} reached), median "
            f"{np.median(u):.0f} "
            f"({np.median(u) / base:.2f}) | "
            f"{np.min(u) * bs / N:.2f}..{np.max(u) * bs / N:.2f}"
        )
    mono = sum(
        all(
            upd[a][i] != "" and upd[b][i] != "" and upd[a][i] > upd[b][i]
            for a, b in pairwise(BATCH_SIZES)
        )
        for i in range(n)
    )
    print(
        f"  updates to 99% fall strictly with every step up in B, per seed: {mono}/{n}"
    )
    for bs in BATCH_SIZES:
        if "" not in upd[bs]:
            m, lo, hi = median_ci(upd[bs])
            print(f"  B={bs}: median updates to 99% {m:.0f} (95% CI {lo:.0f}-{hi:.0f})")
    for a, b in pairwise(BATCH_SIZES):
        k = sum(
            upd[a][i] != "" and upd[b][i] != "" and upd[a][i] > upd[b][i]
            for i in range(n)
        )
        line = f"  B={a} needs more updates than B={b}: {format_rate(k, n)} seeds"
        if "" not in upd[a] + upd[b]:
            diff = np.subtract(upd[a], upd[b])
            m, lo, hi = median_ci(diff)
            line += (
                f", as many in {np.sum(diff == 0)}; difference: median "
                f"{m:.0f} (95% CI {lo:.0f}-{hi:.0f})"
            )
        print(line)


if __name__ == "__main__":
    main()
