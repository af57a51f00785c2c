"""The nbval jitter (tools/portability/jitter.py): it nudges parameters once, by the
stated relative amount.

Run in a subprocess, because installing it patches ``nmbook.optim.Optimizer`` for the
whole process.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("jitter", sys.argv[1])
jitter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(jitter)
import nmbook.optim
from nmbook.layers import Parameter
# importing alone changes nothing
assert getattr(nmbook.optim.Optimizer.step, "_nmbook_jitter", None) is None
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


def test_jitter_nudges_once_by_the_stated_relative_amount():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            str(ROOT / "tools" / "portability" / "jitter.py"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
