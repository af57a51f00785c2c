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
* **Kernels over IPC, not TCP.** jupyter_client picks a kernel's five TCP ports by
  binding port 0 and closing the socket again; the kernel binds them a second or two
  later. Two notebooks starting at once (``pytest -n 2``), or any other process on the
  machine, can take such a port in between. If it is the IOPub port, ipykernel prints
  ``Address already in use`` and then hangs for ever at exit in ``zmq.Context.term``
  (its other sockets are still open): the kernel process stays alive, never answers,
  and nbval fails with "Kernel didn't respond in 60 seconds" (the shell, stdin and
  control ports make it die instead: "Kernel died before replying"). Here every kernel
  talks over Unix sockets named after a random prefix (:func:`kernel_config`), so there
  is no port to lose; ``tools/execute_notebooks.py`` starts its kernels the same way.
* **One retry.** A kernel that still does not start is shut down and started once more,
  with a warning quoting what the first one wrote to stderr (nbval discards it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
import warnings
from pathlib import Path

import pytest

PORTABILITY = Path(__file__).resolve().parent / "portability"
DEFAULT_JITTER = 1e-9
"""The relative nudge of ``make nbval`` (and of the execution report's jittered run)."""
JITTER_MODES = ("sign", "gauss")
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


def kernel_config():
    """traitlets configuration for a ``KernelManager`` (or an nbclient
    ``NotebookClient``, which passes it on): the kernel talks over Unix sockets (IPC)
    named ``<tmp>/nmbook-kernel-<random>-<n>``, so there is no TCP port to race for
    (see the module docstring). One configuration per kernel."""
    from traitlets.config import Config

    config = Config()
    config.KernelManager.transport = "ipc"
    prefix = Path(tempfile.gettempdir()) / f"nmbook-kernel-{uuid.uuid4().hex[:12]}"
    config.KernelManager.ip = str(prefix)
    return config


def _start(kernel_name: str, cwd: str | None, stderr, startup_timeout: float):
    """nbval's ``start_new_kernel``, over IPC: start, connect, wait until it answers."""
    from jupyter_client.manager import KernelManager
    from nbval.kernel import NbvalKernelspecManager

    km = KernelManager(
        kernel_name=kernel_name,
        kernel_spec_manager=NbvalKernelspecManager(),
        config=kernel_config(),
    )
    km.start_kernel(stderr=stderr, cwd=cwd)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=startup_timeout)
    except RuntimeError:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    return km, kc


def _patch_kernel_start() -> None:
    """Start nbval's kernels over IPC (:func:`_start`), give them one retry, and keep
    the kernel's stderr (nbval sends it to /dev/null) to explain a failed start."""
    from nbval import kernel

    cls = kernel.RunningKernel
    if getattr(cls.__init__, "_nmbook_retry", False):
        return

    def __init__(self, kernel_name, cwd=None, startup_timeout=60):
        for attempt in (1, 2):
            stderr = tempfile.TemporaryFile("w+", prefix="nmbook-kernel-stderr-")
            try:
                self.km, self.kc = _start(kernel_name, cwd, stderr, startup_timeout)
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
