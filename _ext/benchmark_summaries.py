"""What each benchmark CSV shows, in one sentence and one short table, computed from the
CSV at build time.

``_ext/benchmark_tables.py`` leads every benchmark on the benchmarks page with
``summarise(name, header, rows)``:
a sentence templated from the computed numbers and a table of at most about ten rows, so
a reader sees what the benchmark found before (or instead of) its full rows. Nothing
here is a result typed by hand: every number comes from the CSV. A success rate always
comes with its Wilson 95% interval (``nmbook.stats.format_rate``), a median over seeds
with a distribution-free 95% interval from order statistics
(``nmbook.stats.median_interval``), or with its range where there are too few seeds for
one.

A CSV is matched to its summariser by name (``memory_tasks*.csv`` share one). A CSV
without a summariser, or whose columns no longer match what its summariser expects, gets
the generic summary: its row count and, per numeric column, the minimum, median and
maximum.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nmbook.stats import format_rate, median_interval, wilson_interval

Row = dict[str, str]

# The budget of benchmarks/reversal_seeds.py unless a recipe says otherwise (its
# ``budget`` column), for the sentence; whether a run is solved is its ``solved`` column
# (``nmbook.seqtrain.History.solved``: the stopping rule fired and its extra steps, if
# any, were trained within the budget)
REVERSAL_MAX_STEPS = 3000
# whole-sequence accuracy that counts as solved (as the scripts print it)
SOLVED_ACC = 0.99
# a summary table is short; every row of the CSV is in the full table below it
MAX_SUMMARY_ROWS = 15


@dataclass
class Summary:
    """One sentence of what the benchmark shows, and a small table (header + rows of
    cell texts)."""

    sentence: str
    header: list[str]
    rows: list[list[str]]


def _num(text: str | None) -> float | None:
    try:
        x = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _rate(k: int, n: int) -> str:
    """``"3/3 (44–100%)"``: ``format_rate`` without its words, for cells of a table
    headed "95% CI"."""
    lo, hi = wilson_interval(k, n)
    return f"{k}/{n} ({100 * lo:.0f}–{100 * hi:.0f}%)"


def _plural(x: float, word: str) -> str:
    return f"{_fmt(x)} {word}{'' if x == 1 else 's'}"


def _fmt(x: float | None) -> str:
    if x is None:
        return "—"
    if math.isinf(x):
        return "never"
    if float(x).is_integer() and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.3g}"


def _groups(rows: list[Row], *keys: str) -> dict[tuple[str, ...], list[Row]]:
    """Rows grouped by the values of ``keys``, in order of first appearance."""
    out: dict[tuple[str, ...], list[Row]] = {}
    for r in rows:
        out.setdefault(tuple(r[k] for k in keys), []).append(r)
    return out


def _count(rows: Iterable[Row], test: Callable[[Row], bool]) -> int:
    return sum(1 for r in rows if test(r))


def _at_least(col: str, threshold: float) -> Callable[[Row], bool]:
    def test(r: Row) -> bool:
        x = _num(r.get(col))
        return x is not None and x >= threshold

    return test


def median_with_interval(values: list[float]) -> str:
    """``"4 (95% CI 3–6)"``; with fewer than 6 values ``"4 (range 3–6)"``; unsolved
    runs count as ``inf``."""
    if not values:
        return "—"
    med = statistics.median(values)
    ci = median_interval(values)
    if math.isinf(med) and (ci is None or math.isinf(ci[0])):
        return "never"
    if ci is None:
        return f"{_fmt(med)} (range {_fmt(min(values))}–{_fmt(max(values))})"
    return f"{_fmt(med)} (95% CI {_fmt(ci[0])}–{_fmt(ci[1])})"


def median_range(values: list[float]) -> str:
    """``"0.93 (0.82–0.98)"``: the median and the range of the values that are
    numbers."""
    if not values:
        return "—"
    return (
        f"{_fmt(statistics.median(values))} ({_fmt(min(values))}–{_fmt(max(values))})"
    )


def _column(rows: list[Row], col: str) -> list[float]:
    return [x for x in (_num(r.get(col)) for r in rows) if x is not None]


def _epochs(rows: list[Row], col: str) -> list[float]:
    """Epochs (or steps) to a goal per run; a run that never reached it (empty cell)
    counts as ``inf``."""
    return [x if (x := _num(r.get(col))) is not None else math.inf for r in rows]


def _require(header: list[str], *cols: str) -> None:
    missing = [c for c in cols if c not in header]
    if missing:
        raise KeyError(f"columns {missing} not in the CSV")


# --------------------------------------------------------------------------------------
# One summariser per benchmark


def reversal_seeds(header: list[str], rows: list[Row]) -> Summary:
    lengths = [n for n in (16, 32, 64, 256) if f"acc_{n}" in header]
    _require(header, "recipe", "solved", *(f"acc_{n}" for n in lengths))
    key_len = 64 if 64 in lengths else lengths[-1]  # the length the sentence speaks of
    out = []
    solved: dict[str, tuple[int, int]] = {}
    longest: dict[str, tuple[int, int]] = {}
    for (recipe,), runs in _groups(rows, "recipe").items():
        n = len(runs)
        k = _count(runs, lambda r: _num(r["solved"]) == 1)
        solved[recipe] = (k, n)
        cells = []
        for L in lengths:
            # 256 was added for some recipes
            tested = [r for r in runs if _num(r.get(f"acc_{L}")) is not None]
            ok = _count(tested, _at_least(f"acc_{L}", SOLVED_ACC))
            cells.append(_rate(ok, len(tested)) if tested else "—")
            if L == key_len:
                longest[recipe] = (ok, len(tested) or 1)
        out.append([recipe, str(n), _rate(k, n), *cells])
    best = max(longest, key=lambda r: (longest[r][0] / longest[r][1], longest[r][1]))
    first = "penalty" if "penalty" in solved else next(iter(solved))
    k, n = solved[first]
    sentence = (
        f"Seeds that learn to reverse every length 1–8 within their "
        f"budget ({REVERSAL_MAX_STEPS:,} steps unless the "
        "recipe says otherwise), and that still reverse "
        f"≥ {SOLVED_ACC:.0%} of longer sequences, per recipe: the "
        f"chapters' recipe ({first}) solves {k}/{n} seeds; "
        f"the recipe most often right at length {key_len} is {best} "
        f"({longest[best][0]}/{longest[best][1]})."
    )
    # keep the table short: leave out the recipes weakest at the key length
    if len(out) > MAX_SUMMARY_ROWS:
        rank = sorted(
            (r for r in longest if r != first),
            key=lambda r: (longest[r][0] / longest[r][1], solved[r][0] / solved[r][1]),
        )
        dropped = set(rank[: len(out) - MAX_SUMMARY_ROWS])
        out = [row for row in out if row[0] not in dropped]
        names = ", ".join(r for r in longest if r in dropped)
        sentence += (
            f" Left out of this table as the weakest at length {key_len} "
            f"(the full table has them): {names}."
        )
    return Summary(
        sentence,
        [
            "recipe",
            "seeds",
            "solved 1–8 (95% CI)",
            *(f"≥ {SOLVED_ACC:.0%} at length {L}" for L in lengths),
        ],
        out,
    )


def memory_tasks(header: list[str], rows: list[Row]) -> Summary:
    lengths = [8, 32]
    _require(header, "task", "model", "solved", *(f"coarse_{L}" for L in lengths))
    tasks = list(dict.fromkeys(r["task"] for r in rows))
    models = list(dict.fromkeys(r["model"] for r in rows))
    groups = _groups(rows, "task", "model")
    out = []
    best: tuple[float, str, str, int, int] | None = None
    for model in models:
        cells = [model]
        for task in tasks:
            runs = groups.get((task, model))
            if not runs:
                cells.append("—")
                continue
            n = len(runs)
            ok = {
                L: _count(runs, _at_least(f"coarse_{L}", SOLVED_ACC)) for L in lengths
            }
            k = _count(runs, lambda r: _num(r["solved"]) == 1)
            cells.append(" · ".join([_rate(k, n), *(_rate(ok[L], n) for L in lengths)]))
            key = (ok[32] / n, task, model, ok[32], n)
            if best is None or key[0] > best[0]:
                best = key
        out.append(cells)
    n_seeds = len({r.get("seed") for r in rows})
    sentence = (
        f"Per memory and task, of {n_seeds} seeds: the runs solved (their stopping "
        f"rule fired), then the seeds whose model gets ≥ {SOLVED_ACC:.0%} of "
        f"whole sequences right at test length 8 (the "
        f"longest trained) and 32"
    )
    if best is not None:
        sentence += (
            f": the best pair at length 32 is {best[2]} on {best[1]} "
            f"({best[3]}/{best[4]})."
        )
    else:
        sentence += "."
    return Summary(
        sentence,
        [
            "model",
            *(
                f"{t}: solved · at {lengths[0]} · at {lengths[1]} (95% CI)"
                for t in tasks
            ),
        ],
        out,
    )


def stack(header: list[str], rows: list[Row]) -> Summary:
    _require(header, "implementation", "median_ms", "time_vs_nmbook")
    ranked = sorted(rows, key=lambda r: _num(r["time_vs_nmbook"]) or 0.0)
    base = ranked[0]
    out = []
    for r in ranked:
        ratio = _num(r["time_vs_nmbook"])
        mark = " (baseline)" if r is base else ""
        bar = (
            "█" * max(1, round(math.log2(ratio) * 4) + 1)
            if ratio and ratio >= 1
            else "▏"
        )
        out.append([r["implementation"] + mark, r["median_ms"], f"{_fmt(ratio)}×", bar])
    others = "; ".join(
        f"{r['implementation']} takes {_fmt(_num(r['time_vs_nmbook']))}× as long"
        for r in ranked[1:]
    )
    sentence = (
        f"Time of one forward+backward pass as a multiple of "
        f"{base['implementation']} (the baseline, 1×): {others}."
    )
    return Summary(
        sentence, ["implementation", "median ms", "time ÷ baseline", "log₂ scale"], out
    )


def optimizers_binary_addition(header: list[str], rows: list[Row]) -> Summary:
    _require(header, "optimizer", "lr", "solved_epoch")
    by_opt = _groups(rows, "optimizer")
    out = []
    bests = []
    for (opt,), runs in by_opt.items():
        per_lr = _groups(runs, "lr")

        def score(
            lr: str, per_lr: dict[tuple[str, ...], list[Row]] = per_lr
        ) -> tuple[int, float]:
            r = per_lr[(lr,)]
            solved = _count(r, lambda x: _num(x["solved_epoch"]) is not None)
            return -solved, statistics.median(_epochs(r, "solved_epoch"))

        lr = min((k[0] for k in per_lr), key=score)
        runs_lr = per_lr[(lr,)]
        k = _count(runs_lr, lambda x: _num(x["solved_epoch"]) is not None)
        med = statistics.median(_epochs(runs_lr, "solved_epoch"))
        bests.append((k / len(runs_lr), -med, opt, lr, k, len(runs_lr), med))
        out.append(
            [
                opt,
                lr,
                format_rate(k, len(runs_lr)),
                median_with_interval(_epochs(runs_lr, "solved_epoch")),
                ", ".join(sorted((k[0] for k in per_lr), key=float)),
            ]
        )
    top = max(bests)
    sentence = (
        f"Each optimiser at its best learning rate (most seeds "
        f"reaching 100% held-out accuracy, then fewest epochs): "
        f"{top[2]} at lr {top[3]} solves {top[4]}/{top[5]} seeds with "
        f"a median of {_fmt(top[6])} epochs "
        f"(a run that never reaches 100% counts as never)."
    )
    return Summary(
        sentence,
        [
            "optimiser",
            "best lr",
            "seeds solved",
            "median epochs to 100%",
            "learning rates tried",
        ],
        out,
    )


def nalu_static(header: list[str], rows: list[Row]) -> Summary:
    _require(header, "setup", "op", "model", "success")
    ops = list(dict.fromkeys(r["op"] for r in rows))
    groups = _groups(rows, "setup", "model", "op")
    out = []
    pairs = list(dict.fromkeys((r["setup"], r["model"]) for r in rows))
    for setup, model in pairs:
        cells = [setup, model]
        for op in ops:
            runs = groups.get((setup, model, op))
            cells.append(
                f"{_count(runs, _at_least('success', 1))}/{len(runs)}" if runs else "—"
            )
        out.append(cells)
    n = max(len(v) for v in groups.values())
    total = _count(rows, _at_least("success", 1))
    sentence = (
        f"Runs whose extrapolation error is below 5%, per setup, "
        f"model and operation ({total}/{len(rows)} "
        f"overall); with {n} seeds a cell's 95% interval is wide: "
        f"{_rate(n, n)}, {_rate(0, n)}."
    )
    return Summary(sentence, ["setup", "model", *ops], out)


def nau_static(header: list[str], rows: list[Row]) -> Summary:
    _require(header, "steps", "model", "op", "solved", "first_solved")
    out = []
    groups = _groups(rows, "steps", "model", "op")
    for (steps, model, op), runs in sorted(
        groups.items(), key=lambda kv: (int(kv[0][0]), kv[0][1], kv[0][2])
    ):
        k = _count(runs, _at_least("solved", 1))
        firsts = [int(r["first_solved"]) for r in runs if int(r["solved"])]
        med = f"{statistics.median(firsts):,.0f}" if firsts else "—"
        out.append(
            [f"{int(steps):,}", f"{model.upper()} on {op}", _rate(k, len(runs)), med]
        )
    last = max(int(r["steps"]) for r in rows)
    sentence = (
        f"Madsen & Johansen's static task with their setup and success criterion, "
        f"one row per milestone and cell (up to {last:,} steps), for comparison with "
        f"their 100-seed rates in Part IV, chapter 2."
    )
    return Summary(
        sentence,
        ["steps", "cell", "solved (95% CI)", "median first success"],
        out[-15:],
    )


def binary_addition_seeds(header: list[str], rows: list[Row]) -> Summary:
    _require(
        header,
        "solved_epoch",
        "final_held_out_acc",
        "epochs_below_after_solved",
        "best_r",
        "probe_acc",
    )
    n = len(rows)
    claims = [
        (
            "100% held-out after 20 epochs",
            _count(rows, _at_least("final_held_out_acc", 1)),
        ),
        (
            "never below 100% again once solved",
            _count(rows, lambda r: _num(r["epochs_below_after_solved"]) == 0),
        ),
        (
            "one unit tracks the carry (|r| > 0.8)",
            _count(rows, lambda r: (_num(r["best_r"]) or 0) > 0.8),
        ),
        (
            "linear probe reads the carry exactly",
            _count(rows, _at_least("probe_acc", 1)),
        ),
        *(
            (
                f"adds {L}-bit numbers without error",
                _count(rows, _at_least(f"acc_{L}", 1)),
            )
            for L in (16, 32, 64)
            if f"acc_{L}" in header
        ),
    ]
    out = [[claim, format_rate(k, n)] for claim, k in claims]
    out.insert(
        0,
        [
            "epochs to 100% held-out (median)",
            median_with_interval(_epochs(rows, "solved_epoch")),
        ],
    )
    holds = [c for c, k in claims if k == n]
    sentence = (
        f"The chapter's claims counted over {n} seeds: {len(holds)} "
        f"of {len(claims)} hold in every seed"
    ) + (
        f"; the others hold in {', '.join(f'{k}/{n}' for c, k in claims if k < n)}."
        if len(holds) < len(claims)
        else "."
    )
    return Summary(sentence, ["claim", "seeds"], out)


def binary_addition_automaton(header: list[str], rows: list[Row]) -> Summary:
    _require(
        header,
        "clusters",
        "deterministic",
        "full_adder",
        "acc_64_network",
        "acc_64_machine",
    )
    n = len(rows)

    def true(col: str) -> Callable[[Row], bool]:
        return lambda r: r[col] == "True"

    exact = _count(rows, lambda r: true("deterministic")(r) and true("full_adder")(r))
    claims = [
        ("a deterministic clustering (k ≤ 16)", _count(rows, true("deterministic"))),
        ("minimised majority machine = full adder", _count(rows, true("full_adder"))),
        ("deterministic and exactly the full adder", exact),
        (
            "network adds 64-bit numbers without error",
            _count(rows, _at_least("acc_64_network", 1)),
        ),
        (
            "extracted machine adds 64-bit numbers",
            _count(rows, _at_least("acc_64_machine", 1)),
        ),
    ]
    out = [[claim, format_rate(k, n)] for claim, k in claims]
    out.insert(
        0, ["clusters kept (median)", median_with_interval(_column(rows, "clusters"))]
    )
    sentence = (
        f"The hidden states of Part II's adder, clustered and minimised: in "
        f"{_rate(exact, n)} seeds the network is a deterministic machine whose "
        f"minimal form is exactly the two-state full adder."
    )
    return Summary(sentence, ["finding", "seeds"], out)


def binary_addition_bug_seeds(header: list[str], rows: list[Row]) -> Summary:
    _require(
        header, "settings", "loop", "held_out_acc_5", "held_out_acc_20", "solved_epoch"
    )
    out = []
    rates = []
    for (settings, loop), runs in _groups(rows, "settings", "loop").items():
        n = len(runs)
        k5 = _count(runs, _at_least("held_out_acc_5", 1))
        k20 = _count(runs, _at_least("held_out_acc_20", 1))
        rates.append((k20 / n, settings, loop, k20, n))
        out.append(
            [
                settings,
                loop,
                format_rate(k5, n),
                format_rate(k20, n),
                median_with_interval(_epochs(runs, "solved_epoch")),
            ]
        )
    lo, hi = min(rates), max(rates)
    sentence = (
        "Seeds at 100% held-out accuracy after 5 and 20 epochs, per "
        "setting and minibatch loop: from "
        f"{lo[3]}/{lo[4]} ({lo[1]}, {lo[2]} loop) to {hi[3]}/{hi[4]} "
        f"({hi[1]}, {hi[2]} loop) after 20 epochs."
    )
    return Summary(
        sentence,
        [
            "settings",
            "loop",
            "100% after 5 epochs",
            "100% after 20 epochs",
            "first epoch at 100% (median)",
        ],
        out,
    )


def minibatching_seeds(header: list[str], rows: list[Row]) -> Summary:
    _require(
        header,
        "experiment",
        "batch_size",
        "val_acc_20",
        "epochs_to_99",
        "updates_to_99",
    )
    out = []
    for (exp, bs), runs in _groups(rows, "experiment", "batch_size").items():
        n = len(runs)
        col = "updates_to_99" if exp == "batch_size" else "epochs_to_99"
        reach = _count(runs, lambda r, c=col: _num(r[c]) is not None)
        what = "updates" if col == "updates_to_99" else "epochs"
        out.append(
            [
                exp,
                bs,
                median_range(_column(runs, "val_acc_20")),
                format_rate(reach, n),
                med
                if (med := median_with_interval(_epochs(runs, col))) in {"—", "never"}
                else f"{med} {what}",
            ]
        )
    meds = sorted(
        (statistics.median(v), f"{exp}, batches of {bs}")
        for (exp, bs), runs in _groups(rows, "experiment", "batch_size").items()
        if (v := _column(runs, "val_acc_20"))
    )
    sentence = (
        f"Held-out accuracy after 20 epochs and time to 99% per "
        f"experiment and batch size, over "
        f"{len({r['seed'] for r in rows})} seeds: the median accuracy "
        f"ranges from {_fmt(meds[0][0])} "
        f"({meds[0][1]}) to {_fmt(meds[-1][0])} ({meds[-1][1]})."
    )
    return Summary(
        sentence,
        [
            "experiment",
            "batch size",
            "held-out acc. at 20 epochs, median (range)",
            "reach 99%",
            "to 99%, median",
        ],
        out,
    )


def identity_mlp_seeds(header: list[str], rows: list[Row]) -> Summary:
    _require(header, "activation", "in_range", "out_of_range", "slope_neg", "slope_pos")
    out = []
    meds = []
    for (act,), runs in _groups(rows, "activation").items():
        oor = _column(runs, "out_of_range")
        meds.append((statistics.median(oor), act))
        out.append(
            [
                act,
                str(len(runs)),
                median_range(_column(runs, "in_range")),
                median_range(oor),
                median_range(_column(runs, "slope_neg")),
                median_range(_column(runs, "slope_pos")),
            ]
        )
    meds.sort()
    sentence = (
        "Mean absolute error of the learned identity inside and "
        "outside the training range per activation, "
        f"median (range) over seeds: {meds[0][1]} extrapolates best "
        f"(median {_fmt(meds[0][0])} outside the range), "
        f"{meds[-1][1]} worst ({_fmt(meds[-1][0])}); a slope near 1 "
        f"means the output has become a constant."
    )
    return Summary(
        sentence,
        [
            "activation",
            "seeds",
            "error |x| ≤ 5",
            "error |x| > 5",
            "slope x < 0",
            "slope x > 0",
        ],
        out,
    )


def identity_mlp_tails(header: list[str], rows: list[Row]) -> Summary:
    _require(header, "activation", "slope_neg", "slope_pos", "miss_neg20", "miss_pos20")
    out = []
    for (activation,), runs in _groups(rows, "activation").items():
        n = len(runs)
        slopes = _column(runs, "slope_neg") + _column(runs, "slope_pos")

        def off(r: Row, side: str) -> bool:
            return abs((_num(r[f"slope_{side}"]) or 0.0) - 1.0) > 0.01

        short = _count(
            runs,
            lambda r: (_num(r["miss_neg20"]) or 0) > 0 > (_num(r["miss_pos20"]) or 0),
        )
        out.append(
            [
                activation,
                f"{min(slopes):.2f} to {max(slopes):.2f}",
                format_rate(_count(runs, lambda r: off(r, "neg") or off(r, "pos")), n),
                format_rate(short, n),
            ]
        )
    sentence = (
        "Each seed's affine tails beyond the training range: how many seeds have a "
        "slope more than 0.01 from 1 on some side, and how many fall short of the "
        "target on both sides (above it at x = −20, below it at x = 20)."
    )
    return Summary(
        sentence,
        ["activation", "slopes", "a slope off by > 0.01", "short on both sides"],
        out,
    )


def nalu_live_runs(header: list[str], rows: list[Row]) -> Summary:
    _require(
        header,
        "setup",
        "success",
        "relative_error_extrapolation",
        "scaled_extrapolation",
    )
    out = []
    parts = []
    for (setup,), runs in _groups(rows, "setup").items():
        n = len(runs)
        k = _count(runs, _at_least("success", 1))
        parts.append(f"{setup} {k}/{n}")
        out.append(
            [
                setup,
                format_rate(k, n),
                median_range(_column(runs, "relative_error_extrapolation")),
                median_range(_column(runs, "scaled_extrapolation")),
            ]
        )
    sentence = (
        (
            "Seeds of the chapter's two live NALU runs whose relative "
            "extrapolation error is below 5%: "
        )
        + ", ".join(parts)
        + "."
    )
    return Summary(
        sentence,
        [
            "setup",
            "success",
            "relative extrapolation error, median (range)",
            "scaled extrapolation error",
        ],
        out,
    )


def optimizers_binary_addition_nudged(header: list[str], rows: list[Row]) -> Summary:
    _require(header, "optimizer", "lr", "eps", "solved_epoch")
    out = []
    worst = (0.0, "")
    for (opt, lr), runs in _groups(rows, "optimizer", "lr").items():
        base = [r for r in runs if _num(r["eps"]) == 0]
        nudged = [r for r in runs if _num(r["eps"]) != 0]
        b = _epochs(base, "solved_epoch")[0] if base else None
        ep = _epochs(nudged, "solved_epoch")
        dist = max((abs(e - b) for e in ep), default=0.0) if b is not None else None
        if dist is not None and dist >= worst[0]:
            worst = (dist, opt)
        out.append(
            [
                opt,
                lr,
                _fmt(b),
                str(len(nudged)),
                f"{_fmt(min(ep))}–{_fmt(max(ep))}" if ep else "—",
                _fmt(dist),
            ]
        )
    sentence = (
        "Epochs to 100% held-out accuracy of seed 0 per optimiser, "
        "unperturbed and with every parameter nudged by "
        f"1e-9 or 1e-6 after the first step: the largest shift is "
        f"{_plural(worst[0], 'epoch')} ({worst[1]})."
    )
    return Summary(
        sentence,
        [
            "optimiser",
            "lr",
            "unperturbed",
            "nudged runs",
            "nudged range",
            "largest shift",
        ],
        out,
    )


def reversal_long(header: list[str], rows: list[Row]) -> Summary:
    lengths = sorted(
        int(c[4:]) for c in header if c.startswith("acc_") and c[4:].isdigit()
    )
    cols = [f"{p}{L}" for L in lengths for p in ("acc_", "fine_", "racc_", "rfine_")]
    _require(header, "seed", *cols)
    n = len(rows)
    out, ok = [], {}
    for L in lengths:
        for prefix, gates in (("", "as trained"), ("r", "rounded to 0/1")):
            k = _count(rows, _at_least(f"{prefix}acc_{L}", SOLVED_ACC))
            ok[L, prefix] = k
            out.append(
                [
                    f"{L:,}",
                    gates,
                    _rate(k, n),
                    median_range(_column(rows, f"{prefix}acc_{L}")),
                    median_range(_column(rows, f"{prefix}fine_{L}")),
                ]
            )
    far = lengths[-1]
    sentence = (
        f"Chapters 3–4's live recipe (pop_bias_0_retry), {n} seeds trained on "
        f"lengths 1–8, reversing 32 sequences of length {far:,}: "
        f"{_rate(ok[far, 'r'], n)} of the seeds get ≥ {SOLVED_ACC:.0%} of them "
        f"right with every push and pop rounded to 0 or 1 at test time, "
        f"{_rate(ok[far, ''], n)} with the gates as trained."
    )
    return Summary(
        sentence,
        [
            "length",
            "gates",
            f"seeds ≥ {SOLVED_ACC:.0%} right (95% CI)",
            "whole-sequence accuracy, median (range)",
            "per-symbol accuracy, median (range)",
        ],
        out,
    )


def deque_top_push(header: list[str], rows: list[Row]) -> Summary:
    _require(header, "seed", "L", "coarse", "coarse_bal", "residue", "pop", "kept")
    by_seed = _groups(rows, "seed")
    n = len(by_seed)

    def at(runs: list[Row], L: int, col: str) -> float:
        return next(
            v for r in runs if _num(r["L"]) == L and (v := _num(r[col])) is not None
        )

    def exact_to(runs: list[Row], col: str, L_max: int) -> bool:
        return all(
            (v := _num(r[col])) is not None and v >= SOLVED_ACC
            for r in runs
            if (_num(r["L"]) or 0) <= L_max
        )

    dips = sum(
        at(runs, 16, "coarse") < at(runs, 32, "coarse") for runs in by_seed.values()
    )
    exact = {
        col: sum(exact_to(runs, col, 32) for runs in by_seed.values())
        for col in ("coarse", "coarse_bal")
    }
    out = []
    for L in (8, 12, 16, 20, 24, 32, 48, 64):
        cells = [
            median_range([at(runs, L, col) for runs in by_seed.values()])
            for col in ("coarse", "coarse_bal", "residue", "pop", "kept")
        ]
        out.append([str(L), *cells])
    sentence = (
        f"Chapter 5's top-push deque on copying, {n} seeds: "
        f"{dips}/{n} copy length 16 worse than length 32; "
        f"with the delimiter's bottom pop set to the residue, "
        f"{_rate(exact['coarse_bal'], n)} copy every length up "
        f"to 32 (as trained: {_rate(exact['coarse'], n)})."
    )
    return Summary(
        sentence,
        [
            "length",
            "coarse, as trained",
            "coarse, pop = residue",
            "residue",
            "pop at the delimiter",
            "first kept",
        ],
        out,
    )


def generic(header: list[str], rows: list[Row]) -> Summary:
    out = []
    for col in header:
        values = [_num(r.get(col)) for r in rows]
        nums = [x for x in values if x is not None]
        if nums and len(nums) >= len([r for r in rows if r.get(col, "") != ""]):
            out.append(
                [
                    col,
                    str(len(nums)),
                    _fmt(min(nums)),
                    _fmt(statistics.median(nums)),
                    _fmt(max(nums)),
                ]
            )
    sentence = (
        f"{_plural(len(rows), 'row')}; the minimum, median and "
        f"maximum of each numeric column."
    )
    return Summary(sentence, ["column", "values", "min", "median", "max"], out[:12])


def lstm_fit(header: list[str], rows: list[Row]) -> Summary:
    lengths = [n for n in (4, 8, 16, 32, 64) if f"acc_{n}" in header]
    _require(header, "n_hidden", "lr", "budget", "solved", "steps", "wall_s")
    out = []
    for (hidden, lr, budget), runs in _groups(rows, "n_hidden", "lr", "budget").items():
        n = len(runs)
        k = _count(runs, lambda r: _num(r["solved"]) == 1)
        cells = [
            _rate(_count(runs, _at_least(f"acc_{L}", SOLVED_ACC)), n) for L in lengths
        ]
        steps = [_num(r["steps"]) if _num(r["solved"]) == 1 else math.inf for r in runs]
        out.append(
            [
                f"LSTM {hidden} units, Adam {lr}, ≤ {_fmt(_num(budget))} steps",
                str(n),
                _rate(k, n),
                median_with_interval(steps),
                *cells,
            ]
        )
    first = out[0]
    sentence = (
        f"An LSTM without memory trained on chapter 3's reversal task (lengths 1–8): "
        f"{first[0]} masters every length 1–8 in {first[2]} of its seeds; the table "
        f"gives the share of seeds that reverse ≥ {SOLVED_ACC:.0%} of the sequences "
        "of each length, with its 95% interval."
    )
    return Summary(
        sentence,
        [
            "recipe",
            "seeds",
            "solved 1–8 (95% CI)",
            "steps to solve (median)",
            *(f"≥ {SOLVED_ACC:.0%} at length {L}" for L in lengths),
        ],
        out,
    )


def post_replay(header: list[str], rows: list[Row]) -> Summary:
    _require(header, "arm", "frac_d99", "share", "acc_train", "acc_16", "acc_64")

    def bypassed(r: Row) -> bool:
        d99, share = _num(r["frac_d99"]), _num(r["share"])
        return d99 is not None and share is not None and d99 >= 0.99 and share < 0.01

    out, by = [], {}
    for (arm,), runs in _groups(rows, "arm").items():
        n = len(runs)
        by[arm] = (_count(runs, bypassed), n)
        out.append(
            [
                arm,
                str(n),
                _rate(*by[arm]),
                *(
                    _rate(_count(runs, _at_least(c, SOLVED_ACC)), n)
                    for c in ("acc_train", "acc_16", "acc_64")
                ),
            ]
        )
    sentence = "The source post's runs replayed on nmbook over seeds"
    if "part5" in by and "part5_no_growth" in by:
        sentence += (
            f": with its push-bias growth line, part 5 bypasses the stack (pushes "
            f"> 0.99 at ≥ 99% of steps, < 1% of reads from earlier pushes) in "
            f"{_rate(*by['part5'])} of seeds, without it in "
            f"{_rate(*by['part5_no_growth'])}"
        )
    return Summary(
        sentence + ".",
        [
            "arm",
            "seeds",
            "stack bypassed (95% CI)",
            f"≥ {SOLVED_ACC:.0%} at its training lengths",
            f"≥ {SOLVED_ACC:.0%} at length 16",
            f"≥ {SOLVED_ACC:.0%} at length 64",
        ],
        out,
    )


SUMMARISERS: dict[str, Callable[[list[str], list[Row]], Summary]] = {
    "reversal_seeds": reversal_seeds,
    "reversal_long": reversal_long,
    "lstm_fit": lstm_fit,
    "post_replay": post_replay,
    "deque_top_push": deque_top_push,
    "stack": stack,
    "optimizers_binary_addition": optimizers_binary_addition,
    "optimizers_binary_addition_nudged": optimizers_binary_addition_nudged,
    "nalu_static": nalu_static,
    "nalu_live_runs": nalu_live_runs,
    "nau_static": nau_static,
    "binary_addition_seeds": binary_addition_seeds,
    "binary_addition_automaton": binary_addition_automaton,
    "binary_addition_bug_seeds": binary_addition_bug_seeds,
    "minibatching_seeds": minibatching_seeds,
    "identity_mlp_seeds": identity_mlp_seeds,
    "identity_mlp_tails": identity_mlp_tails,
}


def summarise(
    name: str, header: list[str], table: list[list[str]]
) -> tuple[Summary, str | None]:
    """The summary of ``<name>.csv`` and, when its own summariser failed, why (the
    generic one is used then)."""
    rows = [
        dict(zip(header, (cells + [""] * len(header))[: len(header)], strict=True))
        for cells in table
    ]
    fn = SUMMARISERS.get(name) or (
        memory_tasks if name.startswith("memory_tasks") else None
    )
    if fn is None or not rows:
        return generic(header, rows), None
    try:
        return fn(header, rows), None
    except (
        KeyError,
        ValueError,
        TypeError,
        ZeroDivisionError,
        StopIteration,
        IndexError,
    ) as exc:
        return generic(header, rows), f"{type(exc).__name__}: {exc}"
