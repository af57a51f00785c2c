"""The nbval jitter (tools/portability/jitter.py) and the plugin that sets it up for
the notebook kernels (tools/nbval_plugin.py).

The jitter runs in a subprocess, because installing it patches
``nmbook.optim.Optimizer`` for the whole process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import pytest
from booktoc import ROOT

JITTER = str(ROOT / "tools" / "portability" / "jitter.py")

LOAD = r"""
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("jitter", sys.argv[1])
jitter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(jitter)
import nmbook.optim
from nmbook.layers import Parameter
# importing alone changes nothing
assert getattr(nmbook.optim.Optimizer.step, "_nmbook_jitter", None) is None
"""

SIGN = r"""
assert jitter.install(1e-6) == 1e-6 and jitter.install(5.0) == 1e-6  # installed once
p = Parameter(np.arange(1.0, 7.0).reshape(2, 3))
before = p.value.copy()
opt = nmbook.optim.SGD([p], lr=1.0)
opt.step()  # zero gradient: only the jitter moves the values
rel = p.value / before - 1
assert np.allclose(np.abs(rel), 1e-6, rtol=1e-6), rel
assert (rel > 0).any() and (rel < 0).any()
after_first = p.value.copy()
opt.step()
assert np.array_equal(p.value, after_first)  # only after the first step
print("ok")
"""

GAUSS = r"""
eps = 1e-4
assert jitter.install() == eps  # ε, mode and seed from the environment
a, b = Parameter(np.full((50, 40), 2.0)), Parameter(np.full(30, -1.0))
opt = nmbook.optim.SGD([a, b], lr=1.0)
opt.step()
z = [(a.value / 2.0 - 1) / eps, (b.value / -1.0 - 1) / eps]
expect = [np.random.default_rng([3, i]).standard_normal(p.shape) for i, p in
          enumerate((a.value, b.value))]
for got, want in zip(z, expect):
    assert np.allclose(got, want, rtol=1e-6, atol=1e-6)
assert abs(z[0].mean()) < 0.1 and abs(z[0].std() - 1) < 0.1  # N(0, 1), not ±1
assert not np.allclose(np.abs(z[0]), 1)
print("ok")
"""


def test_jitter_nudges_once_by_the_stated_relative_amount(run_python):
    assert run_python(LOAD + SIGN, JITTER).strip() == "ok"


def test_gaussian_jitter_draws_seeded_normal_factors(run_python):
    env = dict(
        os.environ,
        NMBOOK_JITTER="1e-4",
        NMBOOK_JITTER_MODE="gauss",
        NMBOOK_JITTER_SEED="3",
    )
    assert run_python(LOAD + GAUSS, JITTER, env=env).strip() == "ok"


def test_jitter_rejects_an_unknown_mode(run_python):
    script = LOAD + (
        "try:\n    jitter.install(1e-6, mode='uniform')\n"
        "except ValueError as e:\n    print(e)\n"
    )
    assert "mode must be one of" in run_python(script, JITTER)


def _notebook(path, source: str) -> None:
    """A one-cell notebook whose stored output is ``source`` run without jitter."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3"}
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    nbformat.write(nb, path)


TRAIN_ONE_STEP = """\
import json, os
import numpy as np
import nmbook.optim
from nmbook.layers import Parameter
p = Parameter(np.ones(3))
nmbook.optim.SGD([p], lr=1.0).step()
if "NMBOOK_TEST_OUT" in os.environ:  # only under the test's nbval run
    folder = os.environ["IPYTHONDIR"]
    startup = sorted(os.listdir(os.path.join(folder, "profile_default", "startup")))
    from ipykernel.connect import get_connection_info
    transport = get_connection_info(unpack=True)["transport"]
    seen = {"values": p.value.tolist(), "folder": folder, "startup": startup}
    with open(os.environ["NMBOOK_TEST_OUT"], "w") as f:
        json.dump({**seen, "transport": transport}, f)
print(p.value.tolist())
"""


@pytest.mark.timeout(600)
def test_nbval_plugin_nudges_the_kernels_it_starts(tmp_path):
    """One nbval run through the plugin with the Gaussian jitter: the stored output
    (no jitter) no longer matches, the kernel ran the jitter from a private IPython
    folder and talked over IPC, and the folder is gone after the run."""
    nb, seen = tmp_path / "one_step.ipynb", tmp_path / "seen.json"
    _notebook(nb, TRAIN_ONE_STEP)
    stored = nbformat.read(nb, as_version=4).cells[0].outputs[0]["text"]
    assert stored.strip() == "[1.0, 1.0, 1.0]"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "nbval_plugin", "--nbval"]
        + ["--nbval-current-env", "-p", "no:cacheprovider"]
        + ["--nmbook-jitter=1e-3", "--nmbook-jitter-mode=gauss", str(nb)],
        capture_output=True,
        text=True,
        cwd=ROOT / "tools",
        env=dict(os.environ, NMBOOK_TEST_OUT=str(seen)),
        check=False,
    )
    out = proc.stdout
    assert proc.returncode == 1, out  # the cell's output moved
    assert "every parameter × (1 + 0.001·z)" in out and "N(0, 1) draws" in out, out
    kernel = json.loads(seen.read_text())
    assert all(v != 1.0 and abs(v - 1.0) < 1e-2 for v in kernel["values"]), kernel
    assert kernel["startup"] == ["00-nmbook-jitter.py"]
    assert kernel["transport"] == "ipc"  # no TCP port to lose (tools/nbval_plugin.py)
    assert not os.path.exists(kernel["folder"])  # removed at the end of the run
