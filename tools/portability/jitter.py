"""Portability check for `make nbval`: put every training run on a slightly different
trajectory.

A reader's machine picks other BLAS kernels and SIMD paths than the machine that stored
the notebooks' outputs, so a long training run follows another trajectory there. This
file reproduces that on one machine. `make nbval` copies it into the IPython startup
folder of a private ``IPYTHONDIR`` that only the nbval step uses, so every notebook
kernel of that step runs it before the first cell; `make execute` and `make report`
store outputs without it, and `nmbook` itself knows nothing of it.

It wraps :meth:`nmbook.optim.Optimizer.step`: right after an optimiser's first step,
every parameter it updates is multiplied elementwise by ``1 + ε·z`` with ``z = ±1`` in a
fixed pseudo-random pattern and ``ε`` taken from the environment variable
``NMBOOK_JITTER`` (default ``1e-9``). Outputs that are exact by construction do not
move; an output downstream of training that nbval still compares fails here, on the
developer's machine.
"""

from __future__ import annotations

import os

import numpy as np

import nmbook.optim


def install(eps: float | None = None) -> float:
    """Wrap ``Optimizer.step`` once per process; return the relative size ``ε`` of
    the nudge."""
    eps = float(os.environ.get("NMBOOK_JITTER", "1e-9")) if eps is None else float(eps)
    cls = nmbook.optim.Optimizer
    if getattr(cls.step, "_nmbook_jitter", None) is not None:
        return cls.step._nmbook_jitter
    plain_step = cls.step

    def step(self) -> None:
        plain_step(self)
        if self.t == 1:
            for i, p in enumerate(self.params):
                z = np.random.default_rng(7919 + i).choice(
                    (-1.0, 1.0), size=p.value.shape
                )
                p.value *= 1.0 + eps * z

    step._nmbook_jitter = eps
    step.__doc__ = plain_step.__doc__
    cls.step = step
    return eps


# run as an IPython startup file (the tests import it and call install)
if "get_ipython" in globals():
    install()
