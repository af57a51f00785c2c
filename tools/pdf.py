"""Print the whole book as one PDF, offline: the single-page HTML build printed by
Debian's Chromium.

``make pdf`` first builds the book with Sphinx's ``singlehtml`` builder (``jupyter-book
build . --builder singlehtml``), then runs this script, which:

* serves that build from 127.0.0.1 (a thread of ``http.server``) and opens it in
  headless Chromium driven by Playwright (``/usr/bin/chromium`` or ``$CHROMIUM``; never
  ``playwright install``, no font or browser download; every request to another host is
  aborted and makes the build fail);
* waits until MathJax (served locally by sphinx-mathjax-offline) has typeset every
  formula and every image has loaded, and fails if any raw TeX (``$$``, ``\\(``,
  ``\\frac``, ...) is left in the visible text;
* rearranges the page for print: a title page (title and author from ``_config.yml``,
  the date of the last commit), one ``<h1>`` per part of ``_toc.yml`` (its caption) with
  each chapter's title as ``<h2>``, so that Chromium's outline has one bookmark per part
  and, under it, one per chapter; a page break before each part and chapter; toggled
  cells expanded, except the full rows of each benchmark CSV, which give way to a line
  naming the file (summaries stay); long code lines wrapped instead of cut; no
  navigation chrome (header, sidebars, buttons, search, permalinks);
* prints it with ``page.pdf`` (A4 at 80 %, page numbers in the footer, outline and
  tags), then gives every bookmark its heading's exact text with pypdf (Chromium's can
  lose spaces or repeat words) and sets the author.

The server and the browser come from ``tools/chromium.py`` (shared with the browser
test); the scripts and the stylesheet injected into the page are ``tools/assets/pdf-*``.

Usage: ``python tools/pdf.py SINGLEHTML_DIR OUTPUT.pdf`` (``make pdf`` passes both).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import chromium
import yaml
from booktoc import read_toc

ROOT = Path(__file__).resolve().parents[1]
# A4 less the left and right margins (14 mm each), in CSS pixels at SCALE: the width the
# page is laid out at. Printed at 80 %: the body text comes out at about 10 pt (the
# HTML's 16 px would be 12 pt), code at about 7.5 pt.
SCALE = 0.8
PRINT_WIDTH_PX = round((210 - 2 * 14) / 25.4 * 96 / SCALE)
# Raw TeX that must not survive MathJax (checked in the page before printing, and by
# tests/pdf in the PDF).
RAW_TEX = (
    "$$",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\frac",
    "\\begin{",
    "\\mathbf",
    "\\sum",
    "\\partial",
)


def book_date() -> str:
    """The date of the last commit (reproducible), else $SOURCE_DATE_EPOCH, else
    today."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cs"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if out:
            return dt.date.fromisoformat(out).strftime("%-d %B %Y")
    except (OSError, subprocess.CalledProcessError, ValueError):
        pass
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        if epoch
        else dt.date.today()
    )
    return day.strftime("%-d %B %Y")


def build_pdf(src: Path, out: Path) -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    title, author = config.get("title", "Book"), config.get("author", "")
    toc = read_toc()
    # what the page script needs of each part: its caption and its chapters' docnames
    parts = [{"caption": p.caption, "chapters": list(p.chapters)} for p in toc.parts]
    page_html = src / f"{toc.root}.html"
    if not page_html.is_file():
        sys.exit(
            f"pdf: {page_html} is missing: build the single-page HTML "
            f"first (make pdf does)"
        )
    # The single page lives at book/<root>.html but its links are relative to the
    # build's root: serve a copy there.
    shutil.copyfile(page_html, src / "nmbook-print.html")
    if chromium.missing():
        sys.exit(f"pdf: {chromium.missing()}")
    blocked: list[str] = []
    errors: list[str] = []
    t0 = time.monotonic()
    with (
        chromium.serve(src) as base,
        chromium.launch(
            blocked,
            timeout_ms=90_000,
            viewport={"width": PRINT_WIDTH_PX, "height": 1000},
        ) as context,
    ):
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.emulate_media(media="print")
        page.goto(f"{base}/nmbook-print.html", wait_until="load")
        settle = chromium.asset("pdf-settle.js")
        state = page.evaluate(settle)
        missing = page.evaluate(
            chromium.asset("pdf-arrange.js"),
            {
                "css": chromium.asset("pdf-print.css"),
                "parts": parts,
                "title": title,
                "author": author,
                "date": book_date(),
            },
        )
        state = page.evaluate(settle)  # expanded toggles may hold math or images
        fit = page.evaluate(chromium.asset("pdf-fit.js"))
        headings = page.evaluate(chromium.asset("pdf-headings.js"))
        raw = page.evaluate(chromium.asset("pdf-raw-tex.js"), list(RAW_TEX))
        problems = []
        if missing:
            problems.append(
                f"chapters of _toc.yml not found in the single page: {missing}"
            )
        if not state["mathjax"]:
            problems.append("MathJax did not load")
        if state["texErrors"]:
            problems.append(f"{state['texErrors']} formulas rendered with TeX errors")
        if state["brokenImages"]:
            problems.append(f"images that did not load: {state['brokenImages']}")
        if raw:
            problems.append(f"raw TeX left in the text after MathJax: {raw}")
        if fit["cut"]:
            problems.append(
                f"{len(fit['cut'])} blocks wider than the page: "
                + "; ".join(fit["cut"][:10])
            )
        if blocked:
            problems.append(f"requests to other hosts (aborted): {blocked}")
        if errors:
            problems.append("; ".join(errors))
        if problems:
            sys.exit("pdf: " + "\n pdf: ".join(problems))
        out.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(
            path=str(out),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=chromium.asset("pdf-footer.html"),
            margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
            scale=SCALE,
            outline=True,
            tagged=True,
        )
    fixed = fix_outline(out, headings, title, author)
    print(
        f"pdf: {state['math']} formulas typeset ({fit['shrunk']} "
        f"shrunk to the page width); "
        f"{len(headings)} bookmarks ({fixed} renamed to their heading's text); "
        f"printed in {time.monotonic() - t0:.0f} s: {out}"
    )


def _outline_nodes(first) -> list:
    """The outline's entries in document order (depth first), from pypdf's /First and
    /Next links."""
    nodes, stack = [], [first]
    while stack:
        node = stack.pop()
        while node is not None:
            node = node.get_object()
            nodes.append(node)
            if "/First" in node:
                stack.append(node["/Next"] if "/Next" in node else None)
                node = node["/First"]
                continue
            node = node.get("/Next")
        stack = [n for n in stack if n is not None]
    return nodes


def fix_outline(path: Path, headings: list[str], title: str, author: str) -> int:
    """Give every bookmark its heading's exact text, and the PDF its author; return how
    many titles changed.

    Chromium builds the outline from the headings' text runs as laid out, so a heading
    that wraps loses the space at the line break and some come out twice ("Beside the
    paperBeside the paper"). The entries are in the order of the visible headings: when
    the counts agree, each takes its heading's text.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    logging.getLogger("pypdf").setLevel(
        logging.ERROR
    )  # Chromium's trailer /Size is off by a few: harmless

    writer = PdfWriter(clone_from=PdfReader(path))
    outlines = writer.root_object.get("/Outlines")
    nodes = (
        _outline_nodes(outlines.get_object().get("/First"))
        if outlines is not None
        else []
    )
    if len(nodes) != len(headings):
        sys.exit(
            f"pdf: {len(nodes)} bookmarks for {len(headings)} headings: "
            f"the outline does not match the page"
        )
    changed = 0
    for node, text in zip(nodes, headings, strict=True):
        if str(node.get("/Title", "")) != text:
            node[NameObject("/Title")] = TextStringObject(text)
            changed += 1
    writer.add_metadata({"/Title": title, "/Author": author})
    with open(path, "wb") as f:
        writer.write(f)
    return changed


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src", type=Path, help="the singlehtml build directory")
    ap.add_argument("out", type=Path, help="the PDF to write")
    args = ap.parse_args(argv)
    build_pdf(args.src.resolve(), args.out.resolve())


if __name__ == "__main__":
    main()
