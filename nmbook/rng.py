"""The one seed rule: every function that draws random numbers takes an int seed or a
``numpy.random.Generator``, and turns it into a generator with :func:`as_rng`.

``None`` is refused (a ``TypeError``), as are bools, floats and every other type: a run
without a seed could not be reproduced, and ``np.random.default_rng(None)`` would draw
fresh entropy silently. An int ``s`` gives ``np.random.default_rng(s)``; a generator is
used as it is (so the caller's stream advances).

Taught in: Part I (seeded minibatching); used by every module that draws.
"""

from __future__ import annotations

import numpy as np


def as_rng(rng: int | np.random.Generator, name: str = "rng") -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed, or the generator itself.

    Args:
        rng: an int (or NumPy integer) seed, or a ``numpy.random.Generator``.
        name: the caller's argument name, used in the error message.

    Raises:
        TypeError: ``rng`` is None, a bool, a float or anything else; the message names
            ``name``.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool | np.bool_):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be an int seed or a numpy.random.Generator, got "
        f"{type(rng).__name__}"
    )
