"""The sweep runner every benchmark script shares (the leading underscore keeps it off
the benchmarks page).

Scripts run as ``python benchmarks/<name>.py``, so this folder is on ``sys.path``. A
script imports this module **before NumPy** (``import _common`` sorts first among the
imports): importing it pins the BLAS and OpenMP thread pools to one thread
(``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` = 1), so that a row
does not depend on how many cores the machine has.

A sweep
-------
A sweep is a list of **keys**, one per run (a dict of the CSV columns that name the
run, e.g. ``{"recipe": "penalty", "seed": 3}``), and a module-level function
``run(**key)`` that trains and measures one run and returns its row (a dict holding
the key's columns too) or a list of rows. Every run draws its random numbers from its
own key (its seed) and from nothing else, so its rows do not depend on which runs came
before it, nor on which process ran it. :func:`sweep` runs the keys and writes the CSV:

* ``--jobs N`` runs N keys at a time in worker processes (joblib's ``loky`` backend,
  each worker pinned to one thread); the rows are the same for every N, timing columns
  (``wall_s``, ``seconds``, ...) aside;
* each run's rows are appended to the CSV as soon as the run finishes, and at the end
  the CSV is rewritten with its rows in the order of the keys, so the file is the same
  whatever order the runs finished in;
* ``--resume`` keeps the rows already in the CSV and runs only the keys it lacks (after
  an interruption, or to add seeds); without it the CSV starts empty;
* a progress line per finished run: how many are done, its wall time and an estimate
  of the time left;
* a run whose function takes a ``checkpoint`` argument gets a file name of its own to
  save its state in (:func:`nmbook.seqtrain.train_transducer`'s ``checkpoint=``, with
  ``checkpoint_every=``: parameters, optimiser state, random-number state, history and
  step, written with ``np.savez``); ``--resume`` then continues an interrupted long run
  from its last checkpoint instead of from step 0, and the file is deleted once the
  run's rows are written. Checkpoints live in ``benchmarks/.checkpoints/<csv name>/``
  (git-ignored; outside ``_build``, which ``make build`` deletes).

:func:`add_arguments` adds ``--jobs``, ``--resume`` and ``--dask`` to a script's
``argparse`` parser, and :func:`sweep_options` hands them to :func:`sweep`.

On a cluster: Dask
------------------
The runner dispatches through joblib, so the same script runs on a Dask cluster through
joblib's ``dask`` backend, with no change to the script:

1. start a scheduler and workers, one thread each, from the repository's ``.venv``
   with the repository at the same path on every machine (or ``PYTHONPATH`` pointing at
   its ``benchmarks/`` folder)::

       .venv/bin/dask scheduler                       # prints tcp://HOST:8786
       .venv/bin/dask worker tcp://HOST:8786 --nworkers 8 --nthreads 1

   (Dask's nanny starts each worker with ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` and
   ``OPENBLAS_NUM_THREADS`` set to 1; the runner refuses to run a key in a process
   where they are not);
2. run the sweep with ``--dask tcp://HOST:8786``, e.g. ``.venv/bin/python
   benchmarks/reversal_seeds.py --recipes pop_bias_0_retry --dask tcp://HOST:8786
   --resume``. The script, on the submitting machine, connects a
   ``distributed.Client``, keeps as many runs in flight as the cluster has worker
   threads and writes the CSV itself, as it does locally; ``--resume`` works the same.

From Python, ``sweep(..., dask="tcp://HOST:8786")`` does the same; a
``distributed.LocalCluster`` on one machine is what ``tests/test_sweep_runner.py`` uses.
"""

from __future__ import annotations

import csv
import functools
import importlib
import inspect
import io
import os
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
if "numpy" in sys.modules and any(os.environ.get(v) != "1" for v in THREAD_VARS):
    warnings.warn(
        "_common was imported after NumPy: the BLAS of this process may use several "
        "threads (worker processes are pinned to one all the same); import _common "
        "first",
        RuntimeWarning,
        stacklevel=2,
    )
for _var in THREAD_VARS:
    os.environ[_var] = "1"

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
CHECKPOINTS = ROOT / "benchmarks" / ".checkpoints"  # git-ignored

Row = dict[str, object]


def write_rows(
    path: Path, fields: Sequence[str], rows: Iterable[Mapping[str, object]]
) -> None:
    """Write ``rows`` (one dict per run) to the CSV ``path`` with the header
    ``fields``, creating its folder (missing columns are left empty)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(fields), restval="")
        writer.writeheader()
        writer.writerows(rows)


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of the CSV ``path`` (strings), or ``[]`` if there is none."""
    if not Path(path).exists():
        return []
    with Path(path).open(newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------------------
# command line


def add_arguments(parser) -> None:
    """Add the runner's options to a script's ``argparse`` parser: ``--jobs``,
    ``--resume``, ``--dask``."""
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="runs at a time, each in its own process pinned to one thread "
        "(default 1: in this process); the rows are the same for every value",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the rows already in the CSV and run only the keys it lacks "
        "(an interrupted long run continues from its checkpoint)",
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=None,
        help="run on the Dask cluster whose scheduler is at ADDRESS "
        "(e.g. tcp://host:8786) through joblib's dask backend",
    )


def sweep_options(args) -> dict:
    """The keyword arguments of :func:`sweep` that :func:`add_arguments` parsed."""
    return {"jobs": args.jobs, "resume": args.resume, "dask": args.dask}


# --------------------------------------------------------------------------------------
# the runner


def _key_text(key: Mapping[str, object], fields: Sequence[str]) -> tuple[str, ...]:
    # csv writes str(value): a key matches its rows read back from the file
    return tuple(str(key[f]) for f in fields)


def _describe(key: Mapping[str, object]) -> str:
    return " ".join(f"{k}={v}" for k, v in key.items())


def _slug(key: Mapping[str, object]) -> str:
    return re.sub(
        r"[^A-Za-z0-9_.+=-]+", "_", "-".join(f"{k}={v}" for k, v in key.items())
    )


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _run_one(
    run: Callable, key: Mapping[str, object], checkpoint: str | None
) -> tuple[list[Row], float]:
    """Run one key in whatever process the backend chose: check that its BLAS is pinned
    to one thread, call ``run(**key)``, return its rows and wall time."""
    bad = {v: os.environ.get(v) for v in THREAD_VARS if os.environ.get(v) != "1"}
    if bad:
        raise RuntimeError(
            f"a sweep's worker must run single-threaded, but {bad} in process "
            f"{os.getpid()}: start Dask workers through their nanny (the default) "
            f"or with {', '.join(f'{v}=1' for v in THREAD_VARS)}"
        )
    t0 = time.perf_counter()
    out = run(**key) if checkpoint is None else run(**key, checkpoint=checkpoint)
    rows = [out] if isinstance(out, Mapping) else list(out)
    return [dict(r) for r in rows], time.perf_counter() - t0


def sweep(
    run: Callable[..., Row | list[Row]],
    keys: Sequence[Mapping[str, object]],
    out: Path,
    fields: Sequence[str],
    *,
    jobs: int = 1,
    resume: bool = False,
    dask: str | None = None,
    keep: Callable[[Mapping[str, str]], bool] | None = None,
    order: Callable[[Mapping[str, str]], object] | None = None,
    note: Callable[[list[Row]], str] | None = None,
) -> list[dict[str, str]]:
    """Run ``run(**key)`` for every key of ``keys`` and write their rows to the CSV
    ``out`` (columns ``fields``); return every row of the CSV, as strings.

    Args:
        run: a module-level function (worker processes import it by name, or receive it
            pickled from a script's ``__main__``); it returns a row or a list of rows,
            each holding the key's columns (and, for ``note`` alone, any entries whose
            names start with ``_``). If it takes a ``checkpoint`` argument, it is
            passed a file name of its own for :func:`nmbook.seqtrain.train_transducer`'s
            ``checkpoint=``.
        keys: one dict per run, all with the same columns; their order is the order of
            the rows in the CSV.
        jobs: runs at a time (1: in this process, one after another).
        resume: keep the CSV's rows and skip the keys it already has; without it the CSV
            starts from its header alone (and stale checkpoints are deleted).
        dask: a Dask scheduler's address: run through joblib's ``dask`` backend.
        keep: without ``resume``, rows of the existing CSV for which ``keep(row)`` is
            true and whose keys are not in ``keys`` are kept (e.g. the other recipes of
            ``reversal_seeds.py --merge``).
        order: the sort key of a row in the final CSV (default: kept rows first, in
            their order, then the order of ``keys``; a run's rows in their order).
        note: ``note(rows)``: a few words about a finished run for its progress line.
    """
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    if not keys:
        raise ValueError("keys must not be empty")
    key_fields = list(keys[0])
    if any(list(k) != key_fields for k in keys):
        raise ValueError(f"every key must have the columns {key_fields}")
    missing = [f for f in key_fields if f not in fields]
    if missing:
        raise ValueError(f"fields must hold the key columns, missing {missing}")
    out = Path(out)
    index = {_key_text(k, key_fields): i for i, k in enumerate(keys)}
    if len(index) != len(keys):
        raise ValueError("keys must be distinct")

    old = read_rows(out)
    # a line cut short by a kill during its write: that run is run again
    whole = [None not in r.values() and None not in r for r in old]
    broken = {
        _key_text(r, key_fields) for r, ok in zip(old, whole, strict=True) if not ok
    }
    complete = [r for r, ok in zip(old, whole, strict=True) if ok]
    if resume:
        kept = [r for r in complete if _key_text(r, key_fields) not in broken]
    else:
        kept = [
            r
            for r in complete
            if keep is not None and keep(r) and _key_text(r, key_fields) not in index
        ]
    done = {_key_text(r, key_fields) for r in kept}
    todo = [k for k in keys if _key_text(k, key_fields) not in done]
    write_rows(out, fields, kept)

    ckpt_dir = CHECKPOINTS / out.stem
    takes_checkpoint = "checkpoint" in inspect.signature(run).parameters
    if not resume and ckpt_dir.exists():
        for f in ckpt_dir.glob("*.npz"):
            f.unlink()

    def ckpt(key) -> str | None:
        if not takes_checkpoint:
            return None
        ckpt_dir.mkdir(parents=True, exist_ok=True)
        return str(ckpt_dir / f"{_slug(key)}.npz")

    where = f"Dask at {dask}" if dask else f"{jobs} process{'es' * (jobs > 1)}"
    print(
        f"{out.name}: {len(todo)} runs to do ({len(keys) - len(todo)} already in the "
        f"CSV), {where}",
        flush=True,
    )
    t0 = time.perf_counter()
    for n, (key, (rows, wall)) in enumerate(
        _execute(run, todo, ckpt, jobs, dask), start=1
    ):
        text = io.StringIO(newline="")
        csv.DictWriter(text, fieldnames=list(fields), restval="").writerows(
            {k: v for k, v in r.items() if not k.startswith("_")} for r in rows
        )
        with out.open("a", newline="") as fh:  # one write per run: all its rows or none
            fh.write(text.getvalue())
            fh.flush()
            os.fsync(fh.fileno())
        path = ckpt(key)
        if path is not None and Path(path).exists():
            Path(path).unlink()
        elapsed = time.perf_counter() - t0
        left = elapsed / n * (len(todo) - n)
        extra = f"  {note(rows)}" if note else ""
        print(
            f"[{n}/{len(todo)}] {_describe(key)}: {wall:.1f} s; elapsed "
            f"{_duration(elapsed)}, about {_duration(left)} left{extra}",
            flush=True,
        )

    rows = read_rows(out)

    def default_order(pair):
        # this sweep's rows in key order, after the rest: the kept rows and any that
        # another process appended meanwhile (another --cells of nau_static.py)
        pos, r = pair
        k = _key_text(r, key_fields)
        return (1, index[k], pos) if k in index else (0, pos)

    ranked = sorted(
        enumerate(rows), key=default_order if order is None else (lambda p: order(p[1]))
    )
    rows = [r for _, r in ranked]
    write_rows(out, fields, rows)
    print(f"wrote {out} ({len(rows)} rows) in {_duration(time.perf_counter() - t0)}")
    return rows


def _importable(run):
    """``run`` as an attribute of an importable module: a script's ``__main__``
    function (and what it uses: cached data, sibling functions) is taken from the
    script imported under its own name, so that worker processes import it by name
    instead of receiving a copy that lacks its module's globals."""
    if isinstance(run, functools.partial):
        return functools.partial(_importable(run.func), *run.args, **run.keywords)
    if getattr(run, "__module__", None) != "__main__":
        return run
    main_file = getattr(sys.modules["__main__"], "__file__", None)
    if main_file is None:
        return run
    module = importlib.import_module(Path(main_file).stem)
    return getattr(module, run.__qualname__, run)


def _execute(run, todo, ckpt, jobs, dask):
    """Yield ``(key, (rows, wall_s))`` for every key of ``todo`` as its run finishes."""
    if not todo:
        return
    if jobs == 1 and dask is None:
        for key in todo:
            yield key, _run_one(run, key, ckpt(key))
        return
    from joblib import Parallel, delayed, parallel_config

    run = _importable(run)

    tasks = (delayed(_tagged)(run, i, key, ckpt(key)) for i, key in enumerate(todo))
    if dask is not None:
        from distributed import Client

        with Client(dask), parallel_config(backend="dask"):
            results = Parallel(n_jobs=-1, return_as="generator_unordered", batch_size=1)
            for i, res in results(tasks):
                yield todo[i], res
        return
    with parallel_config(backend="loky", inner_max_num_threads=1):
        results = Parallel(n_jobs=jobs, return_as="generator_unordered", batch_size=1)
        for i, res in results(tasks):
            yield todo[i], res


def _tagged(run, i, key, path):
    return i, _run_one(run, key, path)
