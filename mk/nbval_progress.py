"""A pytest plugin for `make nbval`: one line per notebook instead of a dot per cell.

Loaded with ``-p nbval_progress`` (the Makefile puts ``mk/`` on ``PYTHONPATH``). As soon
as every cell of a notebook has run, it prints, e.g.::

    nbval: book/p3_1_neural_stack.ipynb  17 cells passed  (3.4 s)

and a failing notebook says how many cells failed (pytest's own report of each failure,
with nbval's diff, follows at the end as usual). The per-cell progress letters (``.``,
``F``, ``s``) are dropped. Works with and without pytest-xdist (``-n 2``): the
controller learns the cells of each notebook from the workers' collection.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

import pytest


class NotebookProgress:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.total: Counter[str] = Counter()
        self.done: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.outcome: dict[str, str] = {}
        self.started = time.monotonic()
        self.collected = False

    def _count(self, nodeids) -> None:
        if self.collected:
            return
        self.collected = True
        for nodeid in nodeids:
            self.total[nodeid.split("::", 1)[0]] += 1
        self._write(
            f"nbval: {len(self.total)} notebooks, {sum(self.total.values())} cells; "
            "a line for each notebook when its last cell has run"
        )

    def _write(self, line: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(line)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids) -> None:
        self._count(ids)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if not hasattr(self.config, "workerinput"):  # not inside an xdist worker
            self._count(item.nodeid for item in session.items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        path = report.nodeid.split("::", 1)[0]
        self.seconds[path] += report.duration
        if report.failed:
            self.outcome[report.nodeid] = "failed"
        elif report.skipped:
            self.outcome.setdefault(report.nodeid, "skipped")
        if report.when != "teardown":
            return
        outcome = self.outcome.pop(report.nodeid, "passed")
        self.done[path] += 1
        self.failed[path] += outcome == "failed"
        self.skipped[path] += outcome == "skipped"
        if self.total[path] and self.done[path] == self.total[path]:
            n, bad, skip = self.total[path], self.failed[path], self.skipped[path]
            verdict = (
                f"{n - bad - skip} of {n} cells passed" if bad else f"{n} cells passed"
            )
            if bad:
                verdict += f", {bad} FAILED"
            if skip:
                verdict += f", {skip} skipped"
            self._write(f"nbval: {path}  {verdict}  ({self.seconds[path]:.1f} s)")

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report, config):
        category, letter, word = yield
        return category, "", word


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(NotebookProgress(config), "nbval-progress")
