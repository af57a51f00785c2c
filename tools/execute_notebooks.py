"""Re-execute notebooks in place, each in a fresh kernel, top to bottom; optionally
write the execution report.

Usage:
    python tools/execute_notebooks.py book/a.ipynb book/b.ipynb
    python tools/execute_notebooks.py --report book/execution_report.md book/*.ipynb
    (what `make report` runs)

Each notebook is executed in a fresh ``python3`` kernel and written back with its new
outputs. A notebook whose execution fails is left untouched on disk and reported as
failed; the others still run. With ``--report`` each notebook is then checked with
strict nbval (a second fresh execution whose compared text outputs must equal the stored
ones), on the stored trajectory and on a jittered one (``tools/portability/jitter.py``,
set up by ``tools/nbval_plugin.py`` as for ``make nbval``), and a Markdown page is
written: per notebook its title, code cells, how many of them are not compared, the wall
time of the fresh execution (and of its exercise solutions) and both nbval results, and
the machine it ran on. The exit status is 1 if any execution or either nbval check
failed.

The report also measures how far each notebook's compared outputs hold under harder
nudges (:data:`HARDER_NUDGES`: every parameter times ``1 + ε·N(0, 1)`` after its
optimiser's first step, ε = 1e-6 and 1e-4) and records each result in its own column.
Those runs inform; they do not fail the report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from booktoc import read_toc
from nbclient import NotebookClient
from nbval_plugin import DEFAULT_JITTER, kernel_config

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(__file__).resolve().parent
IGNORE_TAG = "nbval-ignore-output"
KERNELSPEC = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}


@dataclass
class Result:
    """What happened to one notebook."""

    path: Path
    title: str
    code_cells: int
    seconds: float | None = None  # fresh execution wall time; None when it failed
    exercise_seconds: float = 0.0  # of which in the code cells of exercise solutions
    error: str = ""
    load: float | None = None  # the machine's 1-minute load average as it started
    nbval_passed: bool | None = None
    nbval_summary: str = ""
    nbval_seconds: float | None = None
    jitter_passed: bool | None = None
    jitter_summary: str = ""
    # label of each of HARDER_NUDGES → (passed, pytest's summary line)
    harder: dict[str, tuple[bool, str]] = field(default_factory=dict)
    ignored_cells: int = 0  # code cells tagged nbval-ignore-output
    words: int = 0  # words of prose before the exercises

    @property
    def ok(self) -> bool:
        return (
            self.seconds is not None
            and self.nbval_passed is not False
            and self.jitter_passed is not False
        )


def title_of(nb: nbformat.NotebookNode, path: Path) -> str:
    """The notebook's ``# Title`` (its first Markdown heading), or its file name."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+?)\s*$", cell.source, re.MULTILINE)
            if m:
                return m.group(1)
    return path.stem


def solution_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of the code cells inside gated exercise solutions
    (``{solution-start}`` … ``{solution-end}``)."""
    inside, found = False, []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            if re.search(r"^(`{3,}|:{3,})\{solution-start\}", cell.source, re.M):
                inside = True
            if re.search(r"^(`{3,}|:{3,})\{solution-end\}", cell.source, re.M):
                inside = False
        elif inside:
            found.append(i)
    return found


def merge_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) chunks into one output, so the stored JSON
    does not depend on how the
    kernel happened to flush a print (under load one print can arrive as two chunks)."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.get("output_type") == "stream"
            and prev is not None
            and prev.get("output_type") == "stream"
            and (prev.get("name") == out.get("name"))
        ):
            prev["text"] = prev["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def _cell_seconds(cell: nbformat.NotebookNode) -> float:
    """A code cell's run time from nbclient's timestamps (0 when they are missing)."""
    t = cell.metadata.get("execution", {})
    start, end = t.get("iopub.execute_input"), t.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    return (
        dt.datetime.fromisoformat(end.rstrip("Z"))
        - dt.datetime.fromisoformat(start.rstrip("Z"))
    ).total_seconds()


EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")


class StoringClient(NotebookClient):
    """A NotebookClient that also evaluates each Markdown cell's ``{eval}`` expressions.

    After the code cells above it have run, the expressions are sent to the kernel as
    ``user_expressions`` of a silent request, and the replies are stored in the cell's
    metadata ``user_expressions`` (jupyterlab-myst's format), where the book
    (``_ext/stored_eval.py``) and JupyterLab read them. A failing expression fails the
    execution, like a failing cell.
    """

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        if cell.cell_type != "markdown":
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        exprs = list(dict.fromkeys(m.group(1) for m in EVAL_ROLE.finditer(cell.source)))
        cell.metadata.pop("user_expressions", None)
        if not exprs:
            return cell
        keys = {f"e{i}": e for i, e in enumerate(exprs)}
        msg_id = self.kc.execute(
            "", silent=True, store_history=False, user_expressions=keys
        )
        reply = await self.async_wait_for_reply(msg_id)
        results = reply["content"]["user_expressions"]
        stored = []
        for key, expr in keys.items():
            result = dict(results[key])
            if result.get("status") != "ok":
                raise RuntimeError(
                    f"cell {cell_index}: {{eval}}`{expr}` failed: "
                    f"{result.get('ename')}: {result.get('evalue')}"
                )
            result.pop("traceback", None)
            stored.append({"expression": expr, "result": result})
        cell.metadata["user_expressions"] = stored
        return cell


def execute(path: Path, timeout: int = 1800) -> tuple[float, float]:
    """Execute ``path`` in place in a fresh ``python3`` kernel.

    Returns ``(wall seconds, seconds spent in exercise solutions)``. The per-cell
    timestamps that measure the solutions are removed before the notebook is written, so
    re-executing changes only what it prints. Raises whatever nbclient raises (e.g.
    ``CellExecutionError``) without writing the notebook.
    """
    nb = nbformat.read(path, as_version=4)
    client = StoringClient(
        nb,
        config=kernel_config(),  # the kernel over IPC: no TCP port to race for
        timeout=timeout,
        kernel_name="python3",
        record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    solutions = sum(_cell_seconds(nb.cells[i]) for i in solution_cells(nb))
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    nb.metadata.kernelspec = dict(KERNELSPEC)
    nbformat.write(nb, path)
    return elapsed, solutions


# The report's harder nudges, beyond `make nbval`'s: (label, ε, mode of the factors z)
HARDER_NUDGES = (("1e-6", 1e-6, "gauss"), ("1e-4", 1e-4, "gauss"))
HARDER = [label for label, _, _ in HARDER_NUDGES]


def nbval(
    path: Path, jitter: float = 0.0, mode: str = "sign", seed: int = 0
) -> tuple[bool, str, float]:
    """Run strict nbval on one notebook; return (passed, pytest's summary line, wall
    time in seconds).

    With ``jitter`` ε > 0, every kernel first runs ``tools/portability/jitter.py``, set
    up by ``tools/nbval_plugin.py`` exactly as in `make nbval` (``mode`` "sign": factors
    1 ± ε; "gauss": 1 + ε·N(0, 1), seeded by ``seed``), so training follows a slightly
    different trajectory from the one that stored the outputs.
    """
    options = [f"--nmbook-jitter={jitter!r}", f"--nmbook-jitter-mode={mode}"]
    options.append(f"--nmbook-jitter-seed={seed}")
    start = time.perf_counter()
    proc = subprocess.run(
        # run from tools/ so that `-p nbval_plugin` finds the plugin even for a
        # notebook outside the repository (whose run reads no conftest.py of ours)
        [sys.executable, "-m", "pytest", "-p", "nbval_plugin", "--nbval"]
        + ["--nbval-current-env", "-q", "-p", "no:cacheprovider", *options]
        + [str(path.resolve())],
        capture_output=True,
        text=True,
        cwd=TOOLS,
    )
    elapsed = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    summary = (lines[-1] if lines else "no output").strip("= ")
    summary = re.sub(
        r"\s+in\s+[\d.]+s(\s+\([^)]*\))?$", "", summary
    )  # the time is reported in its own column
    failed = re.findall(r"^FAILED \S+::Cell (\d+)", proc.stdout, re.MULTILINE)
    if failed:
        summary += f" (cell{'s' if len(failed) > 1 else ''} {', '.join(failed)})"
    return proc.returncode == 0, summary, elapsed


def machine() -> str:
    """One line describing where the report was measured."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy

    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    return (
        f"Python {platform.python_version()}, NumPy "
        f"{numpy.__version__}, {platform.system()} "
        f"{platform.machine()}, {cpu}, {os.cpu_count()} logical CPUs, "
        f"OMP_NUM_THREADS={threads}"
    )


def load_line(results: list[Result], cpus: int) -> str:
    """How busy the machine was: under load, times are longer than quiet ones."""
    loads = [r.load for r in results if r.load is not None]
    if not loads:
        return "The machine's load was not recorded."
    return (
        f"The machine's 1-minute load average as each notebook started: "
        f"{min(loads):.1f} to {max(loads):.1f} on {cpus} logical CPUs (above "
        f"{cpus} the times are longer than on a quiet machine)."
    )


def prose_words(nb: nbformat.NotebookNode) -> int:
    """Words of Markdown before the ``## Exercises`` heading (the budget is 3,000)."""
    words = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        if re.search(r"^## Exercises\b", cell.source, re.M):
            break
        words += len(re.findall(r"\S+", cell.source))
    return words


def run(paths: list[Path], report: Path | None) -> list[Result]:
    results = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        r = Result(
            path=path,
            title=title_of(nb, path),
            code_cells=sum(c.cell_type == "code" for c in nb.cells),
            ignored_cells=sum(
                c.cell_type == "code" and IGNORE_TAG in c.metadata.get("tags", [])
                for c in nb.cells
            ),
            words=prose_words(nb),
        )
        print(f"executing {path} ...", flush=True)
        try:
            r.load = os.getloadavg()[0]
            r.seconds, r.exercise_seconds = execute(path)
            print(
                (
                    f"  {r.seconds:.1f} s, of which exercise solutions "
                    f"{r.exercise_seconds:.1f} s"
                ),
                flush=True,
            )
        # noqa: BLE001 (any failure is reported; the other notebooks still run)
        except Exception as exc:
            # no terminal colours on the page
            message = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip()
            first = (message.splitlines() or [type(exc).__name__])[-1]
            r.error = f"{type(exc).__name__}: {first}"[:200]
            print(f"  FAILED: {r.error}", flush=True)
        if report and r.seconds is not None:
            r.nbval_passed, r.nbval_summary, r.nbval_seconds = nbval(path)
            print(f"  nbval: {r.nbval_summary} ({r.nbval_seconds:.1f} s)", flush=True)
            r.jitter_passed, r.jitter_summary, _ = nbval(path, jitter=DEFAULT_JITTER)
            print(f"  nbval, jittered trajectory: {r.jitter_summary}", flush=True)
            for label, eps, mode in HARDER_NUDGES:
                passed, summary, _ = nbval(path, jitter=eps, mode=mode)
                r.harder[label] = (passed, summary)
                print(f"  nbval, ε = {label} ({mode}): {summary}", flush=True)
        results.append(r)
    return results


def _rel(path: Path) -> Path:
    """``path`` relative to the repository when it lies inside it (a scratch copy
    elsewhere stays absolute)."""
    try:
        return path.resolve().relative_to(ROOT)
    except ValueError:
        return path.resolve()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_report(out: Path, results: list[Result], today: str | None = None) -> None:
    """Write the execution report page (MyST Markdown) to ``out``."""
    out = out.resolve()
    toc = read_toc().files
    order = {entry: i for i, entry in enumerate(toc)}

    def key(r: Result) -> tuple[int, str]:
        rel = _rel(r.path).with_suffix("").as_posix()
        return order.get(rel, len(order)), rel

    results = sorted(results, key=key)
    today = today or dt.date.today().isoformat()
    executed = [r for r in results if r.seconds is not None]
    total = sum(r.seconds for r in executed)
    n_ok = sum(r.ok for r in results)
    lines = [
        "# Execution report",
        "",
        (
            "Every chapter is stored executed. This page is written by "
            "`make report` (never by hand): it re-executes"
        ),
        (
            "each notebook in a fresh kernel on one core "
            "(`OMP_NUM_THREADS=1`), top to bottom, and times it; then it"
        ),
        (
            "runs strict `pytest --nbval` twice, fresh executions that "
            "fail if any compared text output does not"
        ),
        (
            "reproduce exactly: once on the stored trajectory and once "
            "on a *jittered* one, where every parameter is"
        ),
        (
            f"nudged by a relative {DEFAULT_JITTER:g} after its optimiser's first "
            f"step, as another machine's floating-point"
        ),
        (
            "arithmetic would (`make test` runs the jittered check on "
            "every change). Outputs downstream of training"
        ),
        (
            "are not compared: their cells are tagged "
            "`nbval-ignore-output` and assert the claims the text draws "
            "from"
        ),
        (
            "them. The column *not compared* counts those cells; *of "
            "which exercises* is the time spent in the code"
        ),
        "cells of the worked solutions that close each chapter; *words* counts",
        "the prose before a chapter's exercises (at most 3,000).",
        "",
        (
            "The last columns push harder: strict nbval again, with every "
            "parameter multiplied by 1 + ε·z after its"
        ),
        (
            "optimiser's first step, z drawn from a standard normal "
            f"distribution (seeded), for ε = {' and ε = '.join(HARDER)}. They"
        ),
        (
            "measure how far each notebook's compared outputs hold off the "
            "stored trajectory; a failure there is"
        ),
        (
            "reported (with the cells that differ), not an error: no "
            "check requires them."
        ),
        "",
        f"Report of {today}, measured on: {machine()}.",
        "",
        load_line(executed, os.cpu_count() or 1),
        "",
    ]
    if not results:
        lines += [
            (
                "No chapter notebook exists yet: `make report` will list "
                "each one here once it does."
            ),
            "",
        ]
    else:
        lines += [
            "| Chapter | Notebook | Words | Code cells | Not compared | Fresh "
            "execution (s) | of which exercises (s) "
            "| nbval (strict) | nbval (s) | nbval, jittered "
            + "".join(f"| nbval, ε = {h} (Gaussian) " for h in HARDER)
            + "|",
            "|---|---|---:|---:|---:|---:|---:|---|---:|---"
            + "|---" * len(HARDER)
            + "|",
        ]
        for r in results:
            rel = _rel(r.path)
            doc = rel.with_suffix("").as_posix()
            if doc in order:
                target = os.path.relpath(ROOT / doc, out.parent).replace(os.sep, "/")
                # characters that would end the {doc} role early
                label = re.sub(r"[`<>]", "", r.title)
                chapter = f"{{doc}}`{_cell(label)} <{target}>`"
            else:
                chapter = f"{_cell(r.title)} (not in the table of contents)"
            jit = "—"
            harder = ["—"] * len(HARDER)
            if r.seconds is None:
                seconds, ex_s, status, nbval_s = (
                    "—",
                    "—",
                    f"**execution FAILED**: {_cell(r.error)}",
                    "—",
                )
            else:
                seconds, ex_s = f"{r.seconds:.1f}", f"{r.exercise_seconds:.1f}"
                verdict = "passed" if r.nbval_passed else "**FAILED**"
                status = f"{verdict}: {_cell(r.nbval_summary)}"
                nbval_s = (
                    f"{r.nbval_seconds:.1f}" if r.nbval_seconds is not None else "—"
                )
                if r.jitter_passed is not None:
                    jit = (
                        "passed" if r.jitter_passed else "**FAILED**"
                    ) + f": {_cell(r.jitter_summary)}"
                harder = [
                    ("passed" if r.harder[h][0] else "failed")
                    + f": {_cell(r.harder[h][1])}"
                    if h in r.harder
                    else "—"
                    for h in HARDER
                ]
            share = (
                f"{r.ignored_cells} ({r.ignored_cells / r.code_cells:.0%})"
                if r.code_cells
                else "0"
            )
            lines.append(
                f"| {chapter} | `{rel.as_posix()}` | {r.words:,} "
                f"| {r.code_cells} | {share} "
                f"| {seconds} | {ex_s} | {status} "
                f"| {nbval_s} "
                f"| {jit} " + "".join(f"| {h} " for h in harder) + "|"
            )
        lines += [
            "",
            f"{n_ok} of {len(results)} notebooks executed and reproduced "
            f"under strict nbval, with and without the "
            "jitter; total fresh "
            f"execution time {total:.1f} s.",
        ]
        for h in HARDER:
            held = sum(r.harder.get(h, (False, ""))[0] for r in results)
            lines[-1] += (
                f" At ε = {h} (Gaussian), {held} of {len(results)} passed strict nbval."
            )
        lines.append("")
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--report", type=Path, help="write the execution report page here"
    )
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    results = run(args.notebooks, args.report)
    if args.report:
        write_report(args.report, results)
    failed = [r.path.as_posix() for r in results if not r.ok]
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
