"""nmbook: the NumPy helper package of *Neural Machines by Hand*.

Every formula the book uses lives here once, with a hand-derived backward pass and a
test. Modules are imported explicitly, e.g. ``from nmbook import memory``;
``nmbook.plotting`` is the only one that needs matplotlib.
"""

__version__ = "0.1.0"
