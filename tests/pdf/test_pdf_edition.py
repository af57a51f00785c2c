"""The PDF edition (``make pdf`` → ``_build/pdf/nmbook.pdf``), read back with pypdf.

Run by ``make check-pdf`` (and CI, after ``make pdf``); ``make unit`` leaves this folder
out. Every test fails, never skips, when the PDF is missing. Checks: a page count in the
expected range; a title page; page numbers on every page; an outline entry for every
part of ``_toc.yml`` and, under it, for each of its chapters, in order; every chapter
title in the text; no raw TeX and no navigation chrome in the text; equation numbers as
in the HTML; at least as many images as the HTML book has figures.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from booktoc import ROOT, read_toc

PDF = ROOT / "_build" / "pdf" / "nmbook.pdf"
SINGLE = ROOT / "_build" / "pdf" / "src" / "_build" / "singlehtml"
HTML = ROOT / "_build" / "html"
# 168 pages when this was written, 295 once every chapter had its exercises with their
# solutions (printed open); a chapter more or less, or a layout change, stays inside.
# The benchmark CSVs' full rows are left to the HTML edition (they had grown to 200).
PAGES = (150, 450)
RAW_TEX = re.compile(
    r"\$\$|\\\(|\\\)|\\\[|\\\]|\\(frac|begin|end|mathbf|mathrm|sum|partial|sigma|odot|cdot|left|right|top|tanh)\b"
)
CHROME = (
    "Skip to main content",
    "Back to top",
    "Ctrl+K",
    "Show code cell",
    "Hide code cell",
    "© Copyright",
    "Search this book",
    "Link to this heading",
)


def _norm(text: str) -> str:
    """Letters and digits only, lower case, ligatures (ﬁ) unfolded: robust to line
    breaks and PDF text runs."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", text).lower())


@functools.cache
def _reader():
    if not PDF.is_file():
        pytest.fail(f"{PDF.relative_to(ROOT)} is missing: run `make pdf` first")
    from pypdf import PdfReader

    return PdfReader(PDF)


@functools.cache
def _texts() -> tuple[str, ...]:
    return tuple(page.extract_text() or "" for page in _reader().pages)


def _toc() -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The chapter files and the parts ``[(caption, [file, ...])]`` of ``_toc.yml``."""
    toc = read_toc()
    return toc.files, [(p.caption, list(p.chapters)) for p in toc.parts]


def _title(file: str) -> str:
    """A page's title: the first ``# `` heading of its notebook or Markdown source,
    markup removed."""
    path = ROOT / file
    if path.with_suffix(".ipynb").exists():
        cells = json.loads(path.with_suffix(".ipynb").read_text())["cells"]
        text = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
        )
    else:
        text = path.with_suffix(".md").read_text()
    m = re.search(r"^#\s+(.+)$", text, re.M)
    assert m, f"{file}: no title heading"
    return re.sub(r"[`*_]", "", m.group(1)).strip()


def _outline() -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every outline entry, in order."""
    reader = _reader()
    out = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append(
                    (depth, item.title, reader.get_destination_page_number(item) + 1)
                )

    walk(reader.outline, 0)
    return out


def _figures(html_dir: Path, pages: list[str]) -> int:
    """<img> tags of the built pages that are figures, not the theme's logos or
    icons."""
    n = 0
    for page in pages:
        text = (html_dir / page).read_text(errors="replace")
        for tag in re.findall(r"<img\b[^>]*>", text):
            src = re.search(r"""src=["']([^"']+)""", tag)
            if src and "_static/" not in src.group(1) and "logo" not in tag:
                n += 1
    return n


def test_page_count() -> None:
    n = len(_reader().pages)
    assert PAGES[0] <= n <= PAGES[1], f"{n} pages, expected {PAGES[0]}–{PAGES[1]}"


def test_benchmark_csvs_are_named_not_printed() -> None:
    """The Benchmarks page prints each CSV's summary and names the file that holds its
    rows (the HTML edition has them all)."""
    text = _norm(" ".join(_texts()))
    for csv_path in sorted((ROOT / "benchmarks" / "results").glob("*.csv")):
        assert _norm(f"benchmarks/results/{csv_path.name}") in text, csv_path.name
    assert text.count(_norm("Every row: benchmarks/results/")) >= 1


def test_title_page() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    first = _norm(_texts()[0])
    assert _norm(config["title"]) in first and _norm(config["author"]) in first
    assert (_reader().metadata or {}).get("/Title") == config["title"]


def test_page_numbers() -> None:
    texts = _texts()
    missing = [i + 1 for i, t in enumerate(texts) if f"{i + 1} / {len(texts)}" not in t]
    assert not missing, f"pages without their number in the footer: {missing[:20]}"


def test_outline_has_every_part_and_chapter() -> None:
    _, parts = _toc()
    outline = _outline()
    top = [(i, title) for i, (depth, title, _) in enumerate(outline) if depth == 0]
    last_page = 0
    for caption, files in parts:
        at = [i for i, title in top if _norm(caption) in _norm(title)]
        assert at, (
            f"no outline entry for the part {caption!r}: top level is "
            f"{[t for _, t in top]}"
        )
        start = at[0]
        end = next((i for i, _ in top if i > start), len(outline))
        children = [
            (title, page)
            for depth, title, page in outline[start + 1 : end]
            if depth == 1
        ]
        for file in files:
            title = _title(file)
            hits = [page for t, page in children if _norm(title) in _norm(t)]
            assert hits, (
                f"no outline entry for {file} ({title!r}) under {caption!r}: {children}"
            )
            assert hits[0] >= last_page, f"{file} is out of order in the outline"
            last_page = hits[0]


def test_every_chapter_title_in_text() -> None:
    text = _norm("".join(_texts()))
    files, parts = _toc()
    missing = [f for f in files if _norm(_title(f)) not in text]
    missing += [caption for caption, _ in parts if _norm(caption) not in text]
    assert not missing, f"titles missing from the PDF's text: {missing}"


def test_no_raw_tex_or_chrome_in_text() -> None:
    bad = []
    for i, text in enumerate(_texts()):
        bad += [
            (
                f"p. {i + 1}: {m.group(0)!r} in "
                f"…{text[max(m.start() - 30, 0) : m.end() + 30]!r}…"
            )
            for m in RAW_TEX.finditer(text)
        ]
        bad += [f"p. {i + 1}: {c!r}" for c in CHROME if c in text]
    assert not bad, "raw TeX or navigation chrome in the PDF:\n" + "\n".join(bad[:20])


def test_equation_numbers_as_in_html() -> None:
    if not SINGLE.is_dir():
        pytest.fail(f"{SINGLE.relative_to(ROOT)} is missing: run `make pdf`")
    files, _ = _toc()
    single = (SINGLE / f"{files[0]}.html").read_text(errors="replace")
    numbers = re.findall(r'<span class="eqno">\(([^)<]+)\)', single)
    assert numbers, "no numbered equation in the book"
    if (HTML / f"{files[0]}.html").is_file():
        html = [
            n
            for f in files
            for n in re.findall(
                r'<span class="eqno">\(([^)<]+)\)',
                (HTML / f"{f}.html").read_text(errors="replace"),
            )
        ]
        assert numbers == html, (
            "equation numbers of the single page differ from the HTML book's"
        )
    text = "".join(_texts())
    missing = sorted({n for n in numbers if f"({n})" not in text})
    assert not missing, f"equation numbers missing from the PDF: {missing}"


def test_every_figure_is_in_the_pdf() -> None:
    files, _ = _toc()
    if (HTML / "index.html").is_file():
        figures = _figures(HTML, [f"{f}.html" for f in files])
    elif SINGLE.is_dir():
        figures = _figures(SINGLE, [f"{files[0]}.html"])
    else:
        pytest.fail(
            "neither _build/html nor the single-page build exists: run `make pdf`"
        )
    assert figures > 0
    images = sum(len(page.images) for page in _reader().pages)
    assert images >= figures, (
        f"{images} images in the PDF, {figures} figures in the HTML book"
    )
