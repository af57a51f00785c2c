"""pytest's configuration for every run started in the repository (read before any
test or notebook is collected).

* ``tools/`` goes on ``sys.path``: the tests import the book's shared helpers from there
  (``booktoc``: the table of contents; ``chromium``: the headless browser).
* ``tools/nbval_plugin.py`` is loaded: under ``pytest --nbval`` it gives the notebook
  kernels a private IPython folder, the jitter (``--nmbook-jitter``) and a robust start.
"""

import sys
from pathlib import Path

TOOLS = str(Path(__file__).resolve().parent / "tools")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

pytest_plugins = ["nbval_plugin"]
