"""Portability check for `make nbval`: put every training run on a slightly different
trajectory.

A reader's machine picks other BLAS kernels and SIMD paths than the machine that stored
the notebooks' outputs, so a long training run follows another trajectory there. This
file reproduces that on one machine. The nbval plugin (``tools/nbval_plugin.py``, behind
`make nbval` and `make report`) copies it into the IPython startup folder of a private
``IPYTHONDIR``, so every notebook kernel of those runs executes it before the first
cell; `make execute` stores outputs without it, and `nmbook` itself knows nothing of it.

It wraps :meth:`nmbook.optim.Optimizer.step`: right after an optimiser's first step,
every parameter it updates is multiplied elementwise by ``1 + ε·z``. The environment
says how (the plugin sets it): ``NMBOOK_JITTER`` is ``ε``; ``NMBOOK_JITTER_MODE`` is
``sign`` (``z = ±1`` in a fixed pseudo-random pattern, the default) or ``gauss`` (``z``
drawn from N(0, 1), seeded by ``NMBOOK_JITTER_SEED``, default 0, and the parameter's
index). Outputs that are exact by construction do not move; an output downstream of
training that nbval still compares fails here, on the developer's machine.
"""

from __future__ import annotations

import os

import numpy as np

import nmbook.optim

MODES = ("sign", "gauss")


def pattern(
    shape: tuple[int, ...], index: int, mode: str = "sign", seed: int = 0
) -> np.ndarray:
    """The factor ``z`` of the parameter at position ``index`` of its optimiser."""
    if mode == "sign":
        return np.random.default_rng(7919 + index).choice((-1.0, 1.0), size=shape)
    if mode == "gauss":
        return np.random.default_rng([seed, index]).standard_normal(shape)
    raise ValueError(f"mode must be one of {MODES}, got {mode!r}")


def install(
    eps: float | None = None, mode: str | None = None, seed: int | None = None
) -> float:
    """Wrap ``Optimizer.step`` once per process; return the relative size ``ε`` of
    the nudge. Arguments left out come from the environment (see the module)."""
    eps = float(os.environ["NMBOOK_JITTER"]) if eps is None else float(eps)
    mode = os.environ.get("NMBOOK_JITTER_MODE", "sign") if mode is None else mode
    seed = int(os.environ.get("NMBOOK_JITTER_SEED", "0")) if seed is None else seed
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    cls = nmbook.optim.Optimizer
    if getattr(cls.step, "_nmbook_jitter", None) is not None:
        return cls.step._nmbook_jitter
    plain_step = cls.step

    def step(self) -> None:
        plain_step(self)
        if self.t == 1:
            for i, p in enumerate(self.params):
                p.value *= 1.0 + eps * pattern(p.value.shape, i, mode, seed)

    step._nmbook_jitter = eps
    step.__doc__ = plain_step.__doc__
    cls.step = step
    return eps


# run as an IPython startup file (the tests import it and call install)
if "get_ipython" in globals():
    install()
