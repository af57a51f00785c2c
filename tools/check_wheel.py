"""Build nmbook's wheel, install it (not editable) into a fresh virtual environment and
import every module of the package from there.

``make check-wheel`` runs this (CI runs it right after ``make test``). It catches a
package that works from the source tree (``pip install -e .``, the ``.venv``) but not
when installed, e.g. a subpackage left out of the wheel:

1. copy ``pyproject.toml``, ``README.md`` and ``nmbook/`` into a temporary folder and
   build the wheel there (build isolation, so the build backend is the one that
   ``pyproject.toml`` asks for; nothing is written into the working tree);
2. check that the wheel holds every ``.py`` file of ``nmbook/``;
3. create a fresh virtual environment (no system site packages), install NumPy,
   matplotlib and seaborn at their versions in ``requirements.txt``, then the wheel;
4. in that environment, in isolated mode (``python -I``: neither the working directory
   nor ``PYTHONPATH`` on ``sys.path``) and from a folder outside the repository, import
   every module and check that it was loaded from the environment's site-packages.

uv does the building and installing where it is installed (``requirements.txt`` has
it), which takes a few seconds; otherwise pip does, more slowly.

Usage: ``python tools/check_wheel.py`` (``--keep`` leaves the temporary folder).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "nmbook"
# what the package needs at run time (nmbook.plotting: matplotlib and seaborn), at the
# versions pinned in requirements.txt
RUNTIME = ["numpy", "matplotlib", "seaborn"]

IMPORT_ALL = """
import importlib, pathlib, sys, sysconfig
site = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
bad = []
for name in sys.argv[1:]:
    try:
        module = importlib.import_module(name)
    except Exception as exc:
        bad.append(f"{name}: {type(exc).__name__}: {exc}")
        continue
    where = pathlib.Path(module.__file__).resolve()
    if not where.is_relative_to(site):
        bad.append(f"{name}: imported from {where}, not from {site}")
if bad:
    sys.exit("\\n".join(bad))
print(f"imported {len(sys.argv) - 1} modules from {site}")
"""


def modules_of(files: list[str]) -> list[str]:
    """Dotted module names of the package's ``.py`` files (POSIX paths relative to the
    folder that holds the package)."""
    names = []
    for f in sorted(files):
        parts = list(Path(f).with_suffix("").parts)
        if parts[0] != PACKAGE or not f.endswith(".py"):
            continue
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def source_files() -> list[str]:
    return sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / PACKAGE).rglob("*.py")
        if "__pycache__" not in p.parts
    )


def run(cmd: list[str], what: str = "", **kwargs) -> None:
    """Run ``cmd``, echoing it (or ``what``, for a long one)."""
    print("+", what or " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def find_uv() -> str | None:
    beside = Path(sys.executable).with_name("uv")
    return str(beside) if beside.is_file() else shutil.which("uv")


def build_wheel(tmp: Path, uv: str | None) -> Path:
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / PACKAGE, src / PACKAGE, ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = tmp / "dist"
    if uv:
        run([uv, "build", "--wheel", "--out-dir", dist, src, "--quiet"])
    else:
        run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
            + ["--wheel-dir", dist, src]
        )
    wheels = sorted(dist.glob(f"{PACKAGE}-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"check-wheel: expected one wheel in {dist}, found {wheels}")
    return wheels[0]


def install(tmp: Path, wheel: Path, uv: str | None) -> Path:
    venv = tmp / "venv"
    pins = ["-c", str(ROOT / "requirements.txt")]
    if uv:
        run([uv, "venv", "--quiet", "--python", sys.executable, venv])
        python = venv / "bin" / "python"
        run(
            [uv, "pip", "install", "--quiet", "--python", python]
            + pins
            + RUNTIME
            + [wheel]
        )
    else:
        run([sys.executable, "-m", "venv", venv])
        python = venv / "bin" / "python"
        run([python, "-m", "pip", "install", "--quiet"] + pins + RUNTIME + [wheel])
    return python


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)
    start = time.monotonic()
    uv = find_uv()
    tmp = Path(tempfile.mkdtemp(prefix="nmbook-check-wheel-"))
    try:
        wheel = build_wheel(tmp, uv)
        with zipfile.ZipFile(wheel) as zf:
            in_wheel = set(zf.namelist())
        missing = [f for f in source_files() if f not in in_wheel]
        if missing:
            print(f"check-wheel: {wheel.name} lacks {missing}", file=sys.stderr)
            return 1
        python = install(tmp, wheel, uv)
        names = modules_of(sorted(in_wheel))
        outside = tmp / "elsewhere"
        outside.mkdir()
        env = dict(os.environ, MPLBACKEND="Agg")
        run(
            [python, "-I", "-c", IMPORT_ALL, *names],
            f"{python} -I -c 'import every module of the wheel' ({outside})",
            cwd=outside,
            env=env,
        )
    except subprocess.CalledProcessError as exc:
        print(f"check-wheel: failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"check-wheel: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"check-wheel: {wheel.name} installs into a fresh venv and all "
        f"{len(names)} modules of {PACKAGE} import from it "
        f"({time.monotonic() - start:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
