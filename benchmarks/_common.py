"""Pieces every benchmark script shares (the leading underscore keeps it off the
benchmarks page).

Scripts run as ``python benchmarks/<name>.py``, so this folder is on ``sys.path`` and
they import it as ``from _common import write_rows``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path


def write_rows(
    path: Path, fields: Sequence[str], rows: Iterable[Mapping[str, object]]
) -> None:
    """Write ``rows`` (one dict per run) to the CSV ``path`` with the header
    ``fields``, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(fields))
        writer.writeheader()
        writer.writerows(rows)
