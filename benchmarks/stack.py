"""Speed of the continuous stack: nmbook's vectorised forward+backward against a
per-element Python loop and against PyTorch eager autograd of the same equations (B=32,
T=16, m=8, float64, one thread).

Run: ``python benchmarks/stack.py`` — prints the time ratios of one run and writes
``benchmarks/results/stack.csv``. PyTorch is optional (``.venv/bin/pip install
torch==2.13.0``); without it that row is skipped with a message. Each implementation is
one run of the sweep runner (``benchmarks/_common.py``), timed against nmbook's in the
same process; keep the default ``--jobs 1``, since runs sharing the cores would time
each other.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

import _common
import numpy as np
from _common import add_arguments, sweep, sweep_options

from nmbook.memory import STACK, memory_backward, memory_forward

B, T, M = 32, 16, 8
OUT = _common.RESULTS / "stack.csv"
FIELDS = ["implementation", "median_ms", "time_vs_nmbook"]
NMBOOK, LOOPS = "nmbook (NumPy, vectorised)", "per-element Python loops"


def loop_forward_backward(V, u, d, dr):
    """Eqs. (1)-(3) and their backward, one scalar at a time (the post's style,
    batched by an outer loop)."""
    T, B, m = V.shape
    r = np.zeros((T, B, m))
    dV, du, dd = np.zeros_like(V), np.zeros_like(u), np.zeros_like(d)
    relu = lambda x: x if x > 0 else 0.0  # noqa: E731
    for b in range(B):
        s_hist, tape = [], []
        s = []
        for t in range(T):
            prev = list(s)
            a, kept = [], []
            for i in range(t):
                above = sum(prev[j] for j in range(i + 1, t))
                a.append(u[t, b] - above)
                kept.append(prev[i] - relu(a[-1]))
            s = [relu(k) for k in kept] + [d[t, b]]
            cap, coef = [], []
            for i in range(t + 1):
                cap.append(1.0 - sum(s[j] for j in range(i + 1, t + 1)))
                coef.append(s[i] if s[i] <= relu(cap[i]) else relu(cap[i]))
            for k in range(m):
                r[t, b, k] = sum(coef[i] * V[i, b, k] for i in range(t + 1))
            s_hist.append(s)
            tape.append((a, kept, cap, coef))
        ds_next = [0.0] * T
        dVb = np.zeros((T, m))
        for t in range(T - 1, -1, -1):
            a, kept, cap, coef = tape[t]
            s = s_hist[t]
            ds = list(ds_next[: t + 1])
            dcap = [0.0] * (t + 1)
            for i in range(t + 1):
                dcoef = sum(dr[t, b, k] * V[i, b, k] for k in range(m))
                for k in range(m):
                    dVb[i, k] += coef[i] * dr[t, b, k]
                if s[i] <= relu(cap[i]):
                    ds[i] += dcoef
                elif cap[i] > 0:
                    dcap[i] = dcoef
            for i in range(t + 1):
                for j in range(i + 1, t + 1):
                    ds[j] -= dcap[i]
            dd[t, b] = ds[t]
            ds_prev = [0.0] * t
            for i in range(t):
                dkept = ds[i] if kept[i] > 0 else 0.0
                ds_prev[i] += dkept
                da = -dkept if a[i] > 0 else 0.0
                du[t, b] += da
                for j in range(i + 1, t):
                    ds_prev[j] -= da
            ds_next = ds_prev + [0.0] * (T - t)
            dV[t, b] = dVb[t]
    return r, (dV, du, dd)


def torch_forward_backward(torch, V, u, d, dr):
    """The same equations in PyTorch (vectorised over batch and depth as nmbook is),
    backward by autograd."""
    Vt = torch.tensor(V, requires_grad=True)
    ut = torch.tensor(u, requires_grad=True)
    dt = torch.tensor(d, requires_grad=True)
    relu = torch.relu

    def excl_above(x):
        return torch.flip(torch.cumsum(torch.flip(x, [-1]), -1), [-1]) - x

    s = torch.zeros((V.shape[1], 0), dtype=torch.float64)
    reads = []
    for t in range(V.shape[0]):
        s = torch.cat(
            [relu(s - relu(ut[t][:, None] - excl_above(s))), dt[t][:, None]], 1
        )
        coef = torch.minimum(s, relu(1 - excl_above(s)))
        reads.append(torch.einsum("bi,ibm->bm", coef, Vt[: t + 1]))
    r = torch.stack(reads)
    r.backward(torch.tensor(dr))
    return r.detach().numpy(), (Vt.grad.numpy(), ut.grad.numpy(), dt.grad.numpy())


def nmbook_forward_backward(V, u, d, dr):
    """One forward pass keeping its cache, one backward pass from it (what
    ``stack_reads`` and
    ``stack_reads_backward`` compute, without the backward's recomputation of the
    forward)."""
    r, _, cache = memory_forward(STACK, V, u, d)
    return r, memory_backward(cache, dr)


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _inputs():
    rng = np.random.default_rng(0)
    V = rng.normal(size=(T, B, M))
    u, d = rng.uniform(0.05, 0.95, size=(T, B)), rng.uniform(0.05, 0.95, size=(T, B))
    dr = rng.normal(size=(T, B, M))
    return V, u, d, dr


def _torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def run(implementation: str) -> dict:
    """Check one implementation against nmbook's, then time both in this process: its
    row (median milliseconds and the ratio to nmbook)."""
    V, u, d, dr = _inputs()
    ref_r, ref_g = nmbook_forward_backward(V, u, d, dr)
    if implementation == NMBOOK:
        fn, repeats = (lambda: nmbook_forward_backward(V, u, d, dr)), 200
    elif implementation == LOOPS:
        fn, repeats = (lambda: loop_forward_backward(V, u, d, dr)), 3
    else:
        torch = _torch()
        fn, repeats = (lambda: torch_forward_backward(torch, V, u, d, dr)), 100
    r, g = fn()
    assert np.allclose(r, ref_r) and all(
        np.allclose(a, b) for a, b in zip(g, ref_g, strict=True)
    )
    base = median_time(lambda: nmbook_forward_backward(V, u, d, dr), 200)
    sec = base if implementation == NMBOOK else median_time(fn, repeats)
    return {
        "implementation": implementation,
        "median_ms": f"{1e3 * sec:.3f}",
        "time_vs_nmbook": f"{sec / base:.1f}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    args = parser.parse_args()
    names = [NMBOOK, LOOPS]
    torch = _torch()
    if torch is None:
        print(
            "PyTorch is not installed: skipping the PyTorch comparison "
            "(.venv/bin/pip install torch==2.13.0 to include it)"
        )
    else:
        names.append(f"PyTorch {torch.__version__} eager + autograd")
    print(
        f"forward+backward of the stack, B={B}, T={T}, m={M}, "
        f"float64, one thread; every implementation is checked against nmbook's"
    )
    keys = [{"implementation": name} for name in names]
    rows = sweep(run, keys, OUT, FIELDS, **sweep_options(args))
    for row in rows:
        print(
            f"  {row['implementation']:40s} {row['median_ms']:>9s} ms   "
            f"{row['time_vs_nmbook']:>6s} x nmbook"
        )
    print(
        f"machine: {platform.machine()}, Python "
        f"{sys.version.split()[0]}, NumPy {np.__version__}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
