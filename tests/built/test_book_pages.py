"""Structural checks of the reference pages that are generated rather than written:
benchmarks, execution report, and of the intro's promise to introduce every chapter.

- Every CSV in ``benchmarks/results/`` is shown on the built benchmarks page: its table,
  header and every row; the section leads with a sentence and a summary table, keeps the
  full table collapsed in a ``<details>`` toggle and links the CSV file itself, copied
  into the build.
- The execution report was written by ``make report`` and lists every notebook of the
  table of contents.
- The intro (``book/intro.md``) links every notebook of the table of contents with a
  ``{doc}`` reference on a line that says what the reader will be able to do after it.
"""

from __future__ import annotations

import csv
import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from booktoc import ROOT, read_toc

HTML = ROOT / "_build" / "html"
RESULTS = ROOT / "benchmarks" / "results"


def _toc_notebooks() -> list[str]:
    return read_toc().notebooks()


class _Tables(HTMLParser):
    """Collects each ``<table id=...>`` as a list of rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._current: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self._current = a["id"]
            self.tables[self._current] = []
        elif self._current and tag == "tr":
            self.tables[self._current].append([])
        elif self._current and tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._current = None
        elif self._current and tag in {"td", "th"} and self._cell is not None:
            self.tables[self._current][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _csvs() -> list[Path]:
    return sorted(RESULTS.glob("*.csv")) if RESULTS.is_dir() else []


def test_benchmarks_page_is_built():
    assert (HTML / "book" / "benchmarks.html").exists(), (
        "book/benchmarks was not built: run `make build` first"
    )


@pytest.mark.parametrize(
    "path", _csvs() or [None], ids=lambda p: p.name if p else "no-csv-yet"
)
def test_every_benchmark_csv_is_shown_on_the_benchmarks_page(path: Path | None):
    page = (HTML / "book" / "benchmarks.html").read_text()
    if path is None:
        # Until a benchmark has run, the page must say so instead of showing any table.
        assert "benchmark-table" not in page
        return
    parser = _Tables()
    parser.feed(page)
    table_id = f"benchmark-table-{path.stem}"
    assert table_id in parser.tables, f"{path.name} is not shown on the benchmarks page"
    with path.open(newline="") as f:
        expected = [[" ".join(c.split()) for c in row] for row in csv.reader(f) if row]
    shown = parser.tables[table_id]
    assert shown[0] == expected[0], f"{path.name}: header {shown[0]} != {expected[0]}"
    assert shown[1:] == expected[1:501], (
        f"{path.name}: the rows on the page differ from the CSV"
    )
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert f"benchmarks/results/{path.name}" in text, (
        f"{path.name}: the page does not name the file"
    )


def _benchmark_section(page: str, name: str) -> str:
    m = re.search(
        rf'<section id="benchmark-{re.escape(name)}">(.*?)</section>', page, re.S
    )
    assert m, f"no section benchmark-{name} on the benchmarks page"
    return m.group(1)


@pytest.mark.parametrize(
    "path", _csvs() or [None], ids=lambda p: p.name if p else "no-csv-yet"
)
def test_every_benchmark_leads_with_a_summary_and_keeps_its_rows_behind_a_toggle(
    path: Path | None,
):
    """Summary sentence + summary table first; the full table inside a closed
    <details>; the CSV downloadable."""
    if path is None:
        pytest.skip("no benchmark CSV yet")
    page = (HTML / "book" / "benchmarks.html").read_text()
    name = path.stem
    section = _benchmark_section(page, name)
    parser = _Tables()
    parser.feed(section)
    summary_id, table_id = f"benchmark-summary-{name}", f"benchmark-table-{name}"
    assert summary_id in parser.tables, f"{path.name}: no summary table"
    summary = parser.tables[summary_id]
    assert 2 <= len(summary) <= 16 and all(any(c for c in row) for row in summary), (
        f"{path.name}: the summary table should have a header and 1 "
        f"to 15 non-empty rows, got {summary}"
    )
    # The sentence: a paragraph before the summary table that says something (not just
    # the title).
    lead = section[: section.index(f'id="{summary_id}"')]
    sentence = html.unescape(re.sub(r"<[^>]+>", " ", lead.split("</h2>", 1)[-1]))
    assert len(re.findall(r"[A-Za-z]{2,}", sentence)) >= 8, (
        f"{path.name}: no sentence before the summary"
    )
    # The full table lives in a closed toggle, after the summary.
    toggles = re.findall(
        r'<details[^>]*class="[^"]*benchmark-rows[^"]*"[^>]*>(.*?)</details>',
        section,
        re.S,
    )
    assert len(toggles) == 1, (
        f"{path.name}: expected one <details class=benchmark-rows>, "
        f"found {len(toggles)}"
    )
    assert f'id="{table_id}"' in toggles[0], (
        f"{path.name}: the full table is not inside the toggle"
    )
    opening = re.search(
        r'<details[^>]*class="[^"]*benchmark-rows[^"]*"[^>]*>', section
    ).group(0)
    assert " open" not in opening, f"{path.name}: the toggle is open by default"
    assert section.index(f'id="{summary_id}"') < section.index(opening), (
        f"{path.name}: the summary comes after"
    )
    # The CSV itself, linked relatively and present in the build, byte for byte.
    hrefs = [
        h
        for h in re.findall(
            r'<a[^>]*class="[^"]*download[^"]*"[^>]*href="([^"]+)"', section
        )
        + re.findall(r'<a[^>]*href="([^"]+)"[^>]*class="[^"]*download[^"]*"', section)
        if unquote(urlsplit(h).path).endswith(f"/{path.name}")
    ]
    assert hrefs, f"{path.name}: no download link to the CSV"
    for href in hrefs:
        assert not urlsplit(href).scheme and not href.startswith("/"), (
            f"{href}: not a relative link"
        )
        target = (HTML / "book" / unquote(urlsplit(href).path)).resolve()
        assert target.is_relative_to(HTML.resolve()) and target.is_file(), (
            f"{href}: no such file in the build"
        )
        assert target.read_bytes() == path.read_bytes(), (
            f"{href}: differs from {path.relative_to(ROOT)}"
        )


def test_execution_report_was_written_by_make_report_and_lists_every_chapter():
    report = (ROOT / "book" / "execution_report.md").read_text()
    assert (
        report.startswith("# Execution report") and "written by `make report`" in report
    )
    missing = [f for f in _toc_notebooks() if f"`{f}.ipynb`" not in report]
    assert not missing, (
        f"run `make report`: the execution report does not list {missing}"
    )


def _doc_targets(line: str) -> list[str]:
    """Targets of the ``{doc}`` roles on a line (``{doc}`title <target>``` or
    ``{doc}`target```)."""
    targets = []
    for body in re.findall(r"\{doc\}`([^`]+)`", line):
        m = re.search(r"<([^>]+)>\s*$", body)
        targets.append((m.group(1) if m else body).strip())
    return targets


@pytest.mark.parametrize(
    "notebook", _toc_notebooks() or [None], ids=lambda n: n or "no-notebook-yet"
)
def test_intro_introduces_every_chapter(notebook: str | None):
    """Each chapter in the TOC is linked from intro.md on a line that says what the
    reader will be able to do."""
    if notebook is None:
        pytest.skip("no notebook in _toc.yml yet")
    intro = ROOT / "book" / "intro.md"
    for line in intro.read_text().splitlines():
        for target in _doc_targets(line):
            absolute = (
                ROOT / target.lstrip("/")
                if target.startswith("/")
                else intro.parent / target
            )
            resolved = Path(os.path.normpath(absolute)).relative_to(ROOT)
            if resolved.with_suffix("").as_posix() == notebook:
                prose = re.sub(r"\{doc\}`[^`]*`", "", line)
                words = re.findall(r"[A-Za-z]{2,}", prose)
                assert len(words) >= 6, (
                    f"intro.md links {notebook} but says too little about it: {line!r}"
                )
                return
    pytest.fail(
        f"book/intro.md does not link {notebook} with {{doc}}`...` "
        f"(one line on what the reader will do)"
    )
