"""benchmarks/_common.sweep: the same rows for --jobs 1, --jobs 2, --resume after an
interrupted run and a two-worker Dask cluster (timing columns aside), and long runs that
resume from their checkpoint."""

import csv
import os
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
with warnings.catch_warnings():  # pytest loaded NumPy first: the workers are pinned
    warnings.simplefilter("ignore", RuntimeWarning)
    import _common

from nmbook.controller import MemoryController  # noqa: E402
from nmbook.memory import STACK  # noqa: E402
from nmbook.seqtrain import SeqTrainConfig, train_transducer  # noqa: E402

FIELDS = ["task", "seed", "loss", "solved_at", "pid", "wall_s"]
TIMING = {"pid", "wall_s"}  # columns that may differ between runs of the same key
KEYS = [{"task": t, "seed": s} for t in ("copy", "reverse") for s in range(4)]
FAIL_AT = "NMBOOK_TEST_SWEEP_FAIL_AT"  # "task/seed": that run raises (an interruption)


def tiny_run(task: str, seed: int) -> dict:
    """A tiny controller trained for 25 steps: a row that depends on nothing but its
    key."""
    if os.environ.get(FAIL_AT) == f"{task}/{seed}":
        raise KeyboardInterrupt
    net = MemoryController(4, 3, 5, 3, STACK, rng=seed)
    cfg = SeqTrainConfig(task=task, vocab=3, max_len=3, steps=25, batch=4, seed=seed)
    hist = train_transducer(net, cfg)
    return {
        "task": task,
        "seed": seed,
        "loss": repr(float(hist.loss[-1])),  # every digit: rows must match exactly
        "solved_at": hist.solved_at,
        "pid": os.getpid(),
        "wall_s": 0.0,
    }


def two_rows(task: str, seed: int) -> list[dict]:
    row = tiny_run(task, seed)
    return [row, {**row, "loss": "same run, second row"}]


def read(path: Path) -> list[dict]:
    with path.open(newline="") as fh:
        return [
            {k: v for k, v in r.items() if k not in TIMING} for r in csv.DictReader(fh)
        ]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("ref") / "tiny.csv"
    _common.sweep(tiny_run, KEYS, out, FIELDS, jobs=1)
    return read(out)


def test_jobs_1_writes_the_rows_in_key_order(reference):
    assert [(r["task"], r["seed"]) for r in reference] == [
        (k["task"], str(k["seed"])) for k in KEYS
    ]
    assert len({r["loss"] for r in reference}) == len(KEYS)


def test_jobs_2_gives_the_same_rows(reference, tmp_path):
    pytest.importorskip("joblib")  # requirements.txt pins it
    out = tmp_path / "tiny.csv"
    rows = _common.sweep(tiny_run, KEYS, out, FIELDS, jobs=2)
    assert read(out) == reference
    # the runs really ran in worker processes
    assert str(os.getpid()) not in {r["pid"] for r in rows}


def test_resume_after_an_interrupted_run(reference, tmp_path, monkeypatch, capsys):
    pytest.importorskip("joblib")
    out = tmp_path / "tiny.csv"
    monkeypatch.setenv(FAIL_AT, "reverse/1")
    with pytest.raises(KeyboardInterrupt):
        _common.sweep(tiny_run, KEYS, out, FIELDS, jobs=1)
    # every run that finished before the interruption is in the CSV already
    assert read(out) == reference[:5]
    # a half-written last line (a kill during the write) is dropped and rerun
    with out.open("a") as fh:
        fh.write("reverse,1,0.1")
    monkeypatch.delenv(FAIL_AT)
    capsys.readouterr()
    _common.sweep(tiny_run, KEYS, out, FIELDS, jobs=2, resume=True)
    assert read(out) == reference
    log = capsys.readouterr().out
    assert "3 runs to do (5 already in the CSV)" in log
    assert "[3/3]" in log and "left" in log  # a progress line per run
    # resuming a finished sweep runs nothing
    _common.sweep(tiny_run, KEYS, out, FIELDS, jobs=1, resume=True)
    assert "0 runs to do" in capsys.readouterr().out and read(out) == reference


def test_runs_with_several_rows_and_rows_kept_from_other_keys(reference, tmp_path):
    pytest.importorskip("joblib")
    out = tmp_path / "two.csv"
    _common.sweep(two_rows, KEYS[4:], out, FIELDS, jobs=1)
    # a second sweep over other keys that keeps the first one's rows
    _common.sweep(two_rows, KEYS[:4], out, FIELDS, jobs=2, keep=lambda r: True)
    rows = read(out)
    assert len(rows) == 2 * len(KEYS)
    assert rows[0::2][:4] == reference[4:] and rows[0::2][4:] == reference[:4]
    assert all(r["loss"] == "same run, second row" for r in rows[1::2])


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="jobs must be a positive integer"):
        _common.sweep(tiny_run, KEYS, tmp_path / "x.csv", FIELDS, jobs=0)
    with pytest.raises(ValueError, match="key columns"):
        _common.sweep(tiny_run, KEYS, tmp_path / "x.csv", ["loss"])
    with pytest.raises(ValueError, match="distinct"):
        _common.sweep(tiny_run, KEYS + KEYS[:1], tmp_path / "x.csv", FIELDS)


def test_a_two_worker_dask_cluster_gives_the_same_rows(reference, tmp_path):
    pytest.importorskip("joblib")
    distributed = pytest.importorskip("distributed")  # requirements.txt pins it
    out = tmp_path / "tiny.csv"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        rows = _common.sweep(
            tiny_run, KEYS, out, FIELDS, dask=cluster.scheduler_address
        )
    assert read(out) == reference
    assert str(os.getpid()) not in {r["pid"] for r in rows}  # the workers ran them


# --------------------------------------------------------------------------------------
# long runs: a checkpoint per key

LONG = SeqTrainConfig(task="copy", vocab=3, max_len=3, steps=40, batch=4, seed=0)
STEPS_TRAINED: list[int] = []  # per call, in this process (jobs=1)


def long_run(seed: int, checkpoint: str) -> dict:
    net = MemoryController(4, 3, 5, 3, STACK, rng=seed)
    calls, forward = [0], net.forward

    def counted(x, *args, **kwargs):
        calls[0] += 1
        if os.environ.get(FAIL_AT) == f"long/{seed}" and calls[0] == 25:
            raise KeyboardInterrupt
        return forward(x, *args, **kwargs)

    net.forward = counted
    try:
        hist = train_transducer(
            net,
            replace(LONG, seed=seed),
            checkpoint=checkpoint,
            checkpoint_every=10,
        )
    finally:
        STEPS_TRAINED.append(calls[0])
    return {"seed": seed, "loss": repr(float(hist.loss[-1])), "wall_s": 0.0}


def test_an_interrupted_long_run_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setattr(_common, "CHECKPOINTS", tmp_path / "checkpoints")
    fields, keys = ["seed", "loss", "wall_s"], [{"seed": 0}, {"seed": 1}]
    whole = tmp_path / "whole.csv"
    _common.sweep(long_run, keys, whole, fields)
    monkeypatch.setenv(FAIL_AT, "long/1")
    out = tmp_path / "long.csv"
    STEPS_TRAINED.clear()
    with pytest.raises(KeyboardInterrupt):
        _common.sweep(long_run, keys, out, fields)
    # seed 0 finished (its checkpoint deleted); seed 1 died at step 25, saved at 20
    saved = list((tmp_path / "checkpoints" / "long").glob("*.npz"))
    assert [p.name for p in saved] == ["seed=1.npz"] and STEPS_TRAINED == [40, 25]
    monkeypatch.delenv(FAIL_AT)
    _common.sweep(long_run, keys, out, fields, resume=True)
    assert STEPS_TRAINED[-1] == 20  # steps 21-40 only, not 1-40
    assert read(out) == read(whole)
    assert not list((tmp_path / "checkpoints" / "long").glob("*.npz"))


def test_make_benchmarks_runs_every_script_and_writes_every_csv():
    import _run_all

    bench = Path(_common.__file__).parent
    scripts = {p.name for p in bench.glob("[a-z]*.py")}
    assert {s for s, _, _ in _run_all.SWEEPS} == scripts
    csvs = {p.name for p in (bench / "results").glob("*.csv")}
    assert {c for _, _, c in _run_all.SWEEPS} == csvs
    # a CSV written by several entries: each one after the first keeps its rows
    seen = set()
    for _, extra, c in _run_all.SWEEPS:
        assert c not in seen or "--resume" in extra, c
        seen.add(c)
    for script in scripts:  # every script runs through the runner
        text = (bench / script).read_text()
        assert "sweep(" in text and "add_arguments(" in text, script
        assert text.index("import _common") < text.index("import numpy"), script


def test_rows_another_process_appends_meanwhile_are_kept(tmp_path, monkeypatch):
    """Two sweeps may append to one CSV at once (nau_static.py's --cells): the final
    rewrite of one keeps the other's rows instead of failing on their keys."""
    out = tmp_path / "shared.csv"
    monkeypatch.setattr(_common, "CHECKPOINTS", tmp_path / "checkpoints")
    foreign = {"task": "bigram_flip", "seed": 9, "loss": "x", "solved_at": "-1"}

    def run_and_meddle(task: str, seed: int) -> dict:
        with out.open("a", newline="") as fh:  # the other process's row
            csv.DictWriter(fh, fieldnames=FIELDS, restval="").writerow(foreign)
        return {"task": task, "seed": seed, "loss": "y", "solved_at": "-1"}

    rows = _common.sweep(run_and_meddle, KEYS[:2], out, FIELDS)
    assert [(r["task"], r["seed"]) for r in rows] == [
        ("bigram_flip", "9"),
        ("bigram_flip", "9"),
        ("copy", "0"),
        ("copy", "1"),
    ]
