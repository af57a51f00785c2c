"""Re-execute notebooks in place, each in a fresh kernel, top to bottom; optionally write the execution report.

Usage:
    python tools/execute_notebooks.py book/a.ipynb book/b.ipynb
    python tools/execute_notebooks.py --report book/execution_report.md book/*.ipynb

With ``--report`` every notebook is executed, then checked with strict nbval, and a Markdown page with the date,
the wall time of the fresh execution and the nbval result of each notebook is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 600) -> float:
    """Execute ``path`` in place in a fresh ``python3`` kernel; return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata.kernelspec = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    return elapsed


def nbval(path: Path) -> tuple[bool, str]:
    """Run strict nbval on one notebook; return (passed, pytest's summary line)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "--nbval-current-env",
            "-q",
            "-p",
            "no:cacheprovider",
            str(path),
        ],
        capture_output=True,
        text=True,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    return proc.returncode == 0, (lines[-1] if lines else "no output").strip("= ")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--report", type=Path, help="write the execution report page here")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    rows = []
    for path in args.notebooks:
        print(f"executing {path} ...", flush=True)
        seconds = execute(path)
        print(f"  {seconds:.1f} s", flush=True)
        row = {"path": path, "seconds": seconds, "date": dt.date.today().isoformat()}
        if args.report:
            row["passed"], row["summary"] = nbval(path)
            print(f"  nbval: {row['summary']}", flush=True)
        rows.append(row)
    if args.report:
        write_report(args.report, rows)
    return 0 if all(r.get("passed", True) for r in rows) else 1


def write_report(out: Path, rows: list[dict]) -> None:
    total = sum(r["seconds"] for r in rows)
    lines = [
        "# Execution report",
        "",
        "Every chapter is stored executed. This page is written by `make report`, which re-executes each notebook",
        "in a fresh kernel on one core (`OMP_NUM_THREADS=1`), times it, and then re-executes it once more under strict",
        "`pytest --nbval`, which fails if any stored text output does not reproduce.",
        "",
        "| Notebook | Last executed | Fresh execution (s) | nbval (strict) |",
        "|---|---|---:|---|",
    ]
    for r in rows:
        name = r["path"].with_suffix("").as_posix()
        doc = r["path"].relative_to(out.parent).with_suffix("").as_posix()
        status = ("passed: " if r["passed"] else "FAILED: ") + r["summary"]
        lines.append(f"| {{doc}}`{doc}` (`{name}.ipynb`) | {r['date']} | {r['seconds']:.1f} | {status} |")
    lines += ["", f"Total fresh execution time: {total:.1f} s for {len(rows)} notebooks.", ""]
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
