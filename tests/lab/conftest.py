"""The JupyterLab test starts a server and a browser and runs two chapters (minutes):
it runs when tests/lab is named on the command line (``make check-lab``), not as part
of ``pytest tests``."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _named(config: pytest.Config) -> bool:
    for arg in config.args:
        path = Path(arg.split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items) -> None:
    if _named(config):
        return
    skip = pytest.mark.skip(
        reason="the JupyterLab browser test runs with `make check-lab`"
    )
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)
