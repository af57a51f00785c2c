"""What the tests share.

The ``conftest.py`` at the root of the repository has already put ``tools/`` on
``sys.path``, so every test module can import the book's shared helpers:
``from booktoc import ROOT, read_toc`` (the repository and its table of contents) and,
for the built book, ``import chromium`` (the headless browser). Fixtures here:

* ``toc``: the parsed ``_toc.yml`` (:class:`booktoc.Toc`);
* ``run_python``: run a short script in a fresh interpreter (for code that patches
  classes for a whole process, such as the nbval jitter) and return its stdout.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from booktoc import ROOT, Toc, read_toc


@pytest.fixture(scope="session")
def toc() -> Toc:
    return read_toc()


@pytest.fixture
def run_python() -> Callable[..., str]:
    def run(script: str, *args: str, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    return run
