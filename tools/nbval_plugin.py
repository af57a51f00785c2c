"""pytest plugin for the notebooks' runs under nbval (``make nbval``, ``make report``).

Loaded by the ``conftest.py`` at the root of the repository, so every ``pytest --nbval``
started there has it; it does nothing unless ``--nbval`` (or ``--nbval-lax``) is on.
``make nbval`` and ``tools/execute_notebooks.py --report`` both go through it, so the
jitter is set up in this one place.

* **A private IPython folder.** Every notebook kernel of the run gets a fresh
  ``IPYTHONDIR`` (a temporary folder, removed at the end) with
  ``tools/portability/ipython_kernel_config.py``: no input history, so the parallel
  kernels share no history database.
* **The jitter.** With ``--nmbook-jitter[=EPS]`` (``EPS`` defaults to
  :data:`DEFAULT_JITTER`; ``0`` turns it off) that folder's startup file is
  ``tools/portability/jitter.py``: right after an optimiser's first step every parameter
  is multiplied by ``1 + EPS·z``, with ``z`` a fixed ±1 pattern
  (``--nmbook-jitter-mode=sign``, the default) or standard normal draws
  (``--nmbook-jitter-mode=gauss``, seeded by ``--nmbook-jitter-seed``).
* **A robust kernel start.** nbval waits 60 s for a new kernel by default; here it waits
  :data:`KERNEL_STARTUP_TIMEOUT` s (unless ``--nbval-kernel-startup-timeout`` says
  otherwise), and a kernel that does not start is shut down and started once more, with
  a warning that quotes what the first one wrote to stderr.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest

PORTABILITY = Path(__file__).resolve().parent / "portability"
DEFAULT_JITTER = 1e-9
"""The relative nudge of ``make nbval`` (and of the execution report's jittered run)."""
JITTER_MODES = ("sign", "gauss")
KERNEL_STARTUP_TIMEOUT = 180.0
"""Seconds a notebook kernel may take to answer (nbval's default: 60)."""
_NBVAL_DEFAULT_STARTUP = 60.0
_OWNER = "NMBOOK_NBVAL_IPYTHONDIR"  # set by the process that made the folder


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nmbook", "nmbook: notebooks under nbval")
    group.addoption(
        "--nmbook-jitter",
        nargs="?",
        const=DEFAULT_JITTER,
        default=0.0,
        type=float,
        metavar="EPS",
        help=(
            "nudge every parameter by a relative EPS after its optimiser's first step "
            f"(EPS defaults to {DEFAULT_JITTER:g}; 0: the stored trajectory)"
        ),
    )
    group.addoption(
        "--nmbook-jitter-mode",
        choices=JITTER_MODES,
        default="sign",
        help="sign: a fixed ±1 pattern (default); gauss: seeded N(0, 1) draws",
    )
    group.addoption(
        "--nmbook-jitter-seed",
        type=int,
        default=0,
        help="seed of the gauss mode's draws (default 0)",
    )


def _nbval_on(config: pytest.Config) -> bool:
    return bool(
        config.getoption("nbval", False) or config.getoption("nbval_lax", False)
    )


def describe(eps: float, mode: str = "sign", seed: int = 0) -> str:
    """One line saying what the kernels do to training."""
    if not eps:
        return "stored trajectory (no jitter)"
    z = "a fixed ±1 pattern" if mode == "sign" else f"N(0, 1) draws (seed {seed})"
    step = "after its optimiser's first step"
    return f"every parameter × (1 + {eps:g}·z) {step}, z from {z}"


def make_ipythondir(eps: float, mode: str = "sign", seed: int = 0) -> dict[str, str]:
    """Create a private ``IPYTHONDIR`` for notebook kernels; return the environment
    variables that select it (and the jitter)."""
    folder = Path(tempfile.mkdtemp(prefix="nmbook-nbval-ipython-"))
    profile = folder / "profile_default"
    (profile / "startup").mkdir(parents=True)
    shutil.copy(PORTABILITY / "ipython_kernel_config.py", profile)
    env = {"IPYTHONDIR": str(folder), _OWNER: str(folder)}
    if eps:
        shutil.copy(
            PORTABILITY / "jitter.py", profile / "startup" / "00-nmbook-jitter.py"
        )
        env.update(
            NMBOOK_JITTER=repr(float(eps)),
            NMBOOK_JITTER_MODE=mode,
            NMBOOK_JITTER_SEED=str(int(seed)),
        )
    return env


def pytest_configure(config: pytest.Config) -> None:
    if not _nbval_on(config):
        return
    if config.getoption("nbval_kernel_startup_timeout") == _NBVAL_DEFAULT_STARTUP:
        config.option.nbval_kernel_startup_timeout = KERNEL_STARTUP_TIMEOUT
    _patch_kernel_start()
    # pytest-xdist's workers inherit the environment of the process that started them:
    # only that one makes the folder (and removes it at the end).
    if os.environ.get(_OWNER):
        return
    eps = config.getoption("nmbook_jitter")
    mode = config.getoption("nmbook_jitter_mode")
    seed = config.getoption("nmbook_jitter_seed")
    for name in ("NMBOOK_JITTER", "NMBOOK_JITTER_MODE", "NMBOOK_JITTER_SEED"):
        os.environ.pop(name, None)
    env = make_ipythondir(eps, mode, seed)
    os.environ.update(env)
    config.stash[_FOLDER] = Path(env["IPYTHONDIR"])
    config.stash[_LINE] = f"nbval: {describe(eps, mode, seed)}"


_FOLDER = pytest.StashKey[Path]()
_LINE = pytest.StashKey[str]()


def pytest_report_header(config: pytest.Config) -> str | None:
    return config.stash.get(_LINE, None)


def pytest_sessionstart(session: pytest.Session) -> None:
    line = session.config.stash.get(_LINE, None)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if line and reporter is not None and session.config.option.verbose < 0:
        reporter.write_line(line)  # -q hides the header


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_FOLDER, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        for name in ("IPYTHONDIR", _OWNER):
            os.environ.pop(name, None)


def _patch_kernel_start() -> None:
    """Give nbval's ``RunningKernel`` one retry, and keep the kernel's stderr (nbval
    sends it to /dev/null) to explain a failed start."""
    from nbval import kernel

    cls = kernel.RunningKernel
    if getattr(cls.__init__, "_nmbook_retry", False):
        return

    def __init__(self, kernel_name, cwd=None, startup_timeout=60):
        for attempt in (1, 2):
            stderr = tempfile.TemporaryFile("w+", prefix="nmbook-kernel-stderr-")
            try:
                self.km, self.kc = kernel.start_new_kernel(
                    startup_timeout=startup_timeout,
                    kernel_name=kernel_name,
                    stderr=stderr,
                    cwd=cwd,
                )
                self._ensure_iopub_up()
                return
            except RuntimeError as exc:
                stderr.seek(0)
                said = " ".join(stderr.read().split())[-1500:] or "nothing"
                if getattr(self, "km", None) is not None:
                    try:
                        self.stop()
                    except Exception:  # noqa: BLE001 (a dead kernel cannot stop)
                        pass
                    self.km = None
                message = (
                    f"kernel start {attempt} of 2 failed in {cwd}: {exc}; the kernel "
                    f"wrote to stderr: {said}"
                )
                if attempt == 2:
                    raise RuntimeError(message) from exc
                warnings.warn(message, stacklevel=2)
            finally:
                stderr.close()

    __init__._nmbook_retry = True
    cls.__init__ = __init__
