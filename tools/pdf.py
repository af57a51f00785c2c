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
  cells expanded; long code lines wrapped instead of cut; no navigation chrome (header,
  sidebars, buttons, search, permalinks);
* prints it with ``page.pdf`` (A4 at 80 %, page numbers in the footer, outline and
  tags), then gives every bookmark its heading's exact text with pypdf (Chromium's can
  lose spaces or repeat words) and sets the author.

Usage: ``python tools/pdf.py SINGLEHTML_DIR OUTPUT.pdf`` (``make pdf`` passes both).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# A4 less the left and right margins (14 mm each), in CSS pixels at SCALE: the width the
# page is laid out at. Printed at 80 %: the body text comes out at about 10 pt (the
# HTML's 16 px would be 12 pt), code at about 7.5 pt.
SCALE = 0.8
PRINT_WIDTH_PX = round((210 - 2 * 14) / 25.4 * 96 / SCALE)
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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

PRINT_CSS = r"""
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
html, body { background: #fff !important; }
/* no navigation chrome */
.bd-header, .bd-header-announcement, #pst-skip-link, #pst-back-to-top, #pst-scroll-pixel-helper,
.bd-sidebar-primary, .bd-sidebar-secondary, .bd-sidebar, .header-article, .header-article-main,
.prev-next-area, .prev-next-footer, .bd-footer, .bd-footer-article, .bd-footer-content, footer,
.search-button, .search-button-field, dialog, .theme-switch-button, .article-header-buttons,
.copybtn, button.toggle-button, .toggle-button, .headerlink, .sidebar-toggle, .pst-async-banner-revealer,
details.hide > summary, .nmbook-print-hide { display: none !important; }
body { margin: 0 !important; padding: 0 !important; display: block !important; }
article.bd-article, .nmbook-front { max-width: none !important; width: auto !important; padding: 0 !important;
  margin: 0 !important; overflow: visible !important; }
/* code cells and outputs: wrapped, never cut at the right margin */
pre, .highlight pre, .output pre, .cell_output pre, code {
  white-space: pre-wrap !important; word-break: break-all !important; overflow-wrap: anywhere !important;
  overflow: visible !important; max-height: none !important; }
pre { font-size: 9.5pt !important; line-height: 1.3 !important; }
.cell_output, .cell_input, .output, div.highlight, .highlight, .docutils.container {
  overflow: visible !important; max-height: none !important; }
.cell_output .output.text_html { overflow: visible !important; }
/* tables: shrink to the page rather than scroll */
.pst-scrollable-table-container, .table-wrapper, .output_html { overflow: visible !important; }
table { font-size: 9pt !important; max-width: 100% !important; table-layout: auto; }
table td, table th { overflow-wrap: anywhere; word-break: normal; padding: 2px 4px !important; }
/* math: long displayed equations shrink instead of being cut */
.math, mjx-container[display="true"] { overflow: visible !important; max-width: 100% !important; }
mjx-container[display="true"] { font-size: 95%; }
img { max-width: 100% !important; height: auto !important; break-inside: avoid; }
figure, .cell_output img { break-inside: avoid; }
h1, h2, h3, h4 { break-after: avoid; }
/* parts and chapters start on a new page */
.nmbook-part, .nmbook-chapter { break-before: page; }
.nmbook-part { padding-top: 35vh; text-align: center; }
.nmbook-part h1 { font-size: 2.4em; }
.nmbook-title-page { break-after: page; text-align: center; padding-top: 30vh; }
.nmbook-title-page .nmbook-title { font-size: 3em; font-weight: 700; margin-bottom: 1em; }
.nmbook-title-page .nmbook-author { font-size: 1.4em; }
.nmbook-title-page .nmbook-date { font-size: 1.1em; color: #555; margin-top: 2em; }
"""

# Runs in the page: part headings, chapter page breaks, title page, expanded toggles,
# print stylesheet.
ARRANGE_JS = r"""
({css, parts, title, author, date}) => {
  const style = document.createElement('style');
  style.id = 'nmbook-print-css';
  style.textContent = css;
  document.head.appendChild(style);
  document.documentElement.dataset.theme = 'light';
  document.documentElement.dataset.mode = 'light';
  document.title = title;
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('img').forEach(img => { img.loading = 'eager'; });
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  // Flatten the single page into: title page, the root page (front matter), then per part an <h1> with the
  // part's caption followed by its chapters, each a <section> whose title is an <h2>.
  const missing = [];
  const ordered = [];
  for (const part of parts) {
    const chapters = [];
    for (const doc of part.chapters) {
      const anchor = document.getElementById('document-' + doc);
      let section = anchor && anchor.nextElementSibling;
      if (!section || section.tagName !== 'SECTION') { missing.push(doc); continue; }
      section.classList.add('nmbook-chapter');
      const heading = section.querySelector('h1, h2, h3, h4');
      if (heading && heading.tagName !== 'H2') {
        const h2 = document.createElement('h2');
        h2.innerHTML = heading.innerHTML;
        heading.replaceWith(h2);
      }
      section.id = section.id || doc;
      anchor.remove();
      section.prepend(anchor);  // keep the document-<name> anchor as a link target
      chapters.push(section);
    }
    ordered.push({caption: part.caption, chapters});
  }
  for (const {chapters} of ordered) { chapters.forEach(c => c.remove()); }
  article.querySelectorAll('.toctree-wrapper').forEach(w => { if (!w.querySelector('a, section')) { w.remove(); } });
  const front = document.createElement('div');
  front.className = 'nmbook-front';
  front.append(...article.childNodes);
  const page = document.createElement('div');
  page.className = 'nmbook-title-page';
  for (const [cls, text] of [['nmbook-title', title], ['nmbook-author', author], ['nmbook-date', date]]) {
    const p = document.createElement('p');
    p.className = cls;
    p.textContent = text;
    page.appendChild(p);
  }
  article.append(page, front);
  for (const {caption, chapters} of ordered) {
    if (caption) {
      const div = document.createElement('div');
      div.className = 'nmbook-part';
      const h1 = document.createElement('h1');
      h1.textContent = caption;
      div.appendChild(h1);
      article.appendChild(div);
    }
    article.append(...chapters);
  }
  // Nothing but the article is printed: no header, sidebars, buttons or footer.
  document.body.replaceChildren(article);
  // Links into the book point at the single page's own anchors, so that they stay links inside the PDF.
  for (const a of document.querySelectorAll('a[href]')) {
    const u = new URL(a.href, location.href);
    if (u.origin !== location.origin) { continue; }
    if (u.hash) { a.setAttribute('href', u.hash); } else { a.removeAttribute('href'); }
  }
  return missing;
}
"""

SETTLE_JS = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    if (MathJax.typesetPromise) { await MathJax.typesetPromise(); }
  }
  await Promise.all([...document.images].map(img => {
    img.loading = 'eager';
    return img.complete ? null : new Promise(r => { img.onload = img.onerror = r; });
  }));
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  return {
    mathjax: !!(window.MathJax && MathJax.startup),
    math: document.querySelectorAll('mjx-container').length,
    texErrors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
    brokenImages: [...document.images].filter(i => i.offsetParent !== null && !i.naturalWidth).map(i => i.src),
  };
}
"""

# Runs in the page laid out at the printable width: formulas wider than the text shrink
# to fit; then every block that still reaches past the right margin (it would be cut) is
# reported.
FIT_JS = r"""
() => {
  const article = document.querySelector('article');
  const box = article.getBoundingClientRect();
  let shrunk = 0;
  for (const c of document.querySelectorAll('mjx-container')) {
    const m = c.querySelector('mjx-math');
    if (!m) { continue; }
    const display = c.getAttribute('display') === 'true';
    const avail = display ? c.getBoundingClientRect().width : box.width;
    const need = m.getBoundingClientRect().width;
    if (need > avail) {
      c.style.fontSize = Math.floor(97 * avail / need) + '%';
      shrunk += 1;
    }
  }
  const cut = [];
  const blocks = 'pre, table, img, .cell_output, div.highlight, mjx-container, .math, figure, .output';
  for (const e of document.querySelectorAll(blocks)) {
    if (e.closest('mjx-assistive-mml') || !e.getClientRects().length) { continue; }
    const r = e.getBoundingClientRect();
    const inner = e.tagName === 'MJX-CONTAINER' ? e.querySelector('mjx-math').getBoundingClientRect() : r;
    if (Math.max(r.right, inner.right) > box.right + 4 || (!e.matches('.math, mjx-container') && e.clientWidth > 0 && e.scrollWidth - e.clientWidth > 4)) {
      const where = e.closest('section');
      cut.push(`${e.tagName.toLowerCase()} in #${where ? where.id : "?"}: ${(e.textContent || "").replace(/\s+/g, " ").slice(0, 60)}`);
    }
  }
  return {shrunk, cut};
}
"""

# The visible headings, in order, as the outline should name them (no permalink sign,
# spaces collapsed).
HEADINGS_JS = r"""
() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .filter(h => h.getClientRects().length && getComputedStyle(h).visibility !== 'hidden')
  .map(h => {
    const c = h.cloneNode(true);
    c.querySelectorAll('.headerlink').forEach(a => a.remove());
    return c.textContent.replace(/\s+/g, ' ').trim();
  })
"""

FOOTER = (
    "<div "
    'style="font-size:8px;width:100%;text-align:center;color:#444;font-family:sans-serif;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def toc_parts(toc_path: Path) -> tuple[str, list[dict]]:
    """The root document and the parts of ``_toc.yml``: ``[{"caption": ...,
    "chapters": [docname, ...]}]``."""
    toc = yaml.safe_load(toc_path.read_text())
    parts = []
    for part in toc.get("parts", []):
        chapters = [
            c["file"].removesuffix(".md").removesuffix(".ipynb")
            for c in part.get("chapters", [])
        ]
        parts.append({"caption": part.get("caption", ""), "chapters": chapters})
    if not parts and toc.get("chapters"):
        parts = [{"caption": "", "chapters": [c["file"] for c in toc["chapters"]]}]
    return toc["root"], parts


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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    # noqa: A002 (the base class's name)
    def log_message(self, format: str, *args: object) -> None:
        pass


def build_pdf(src: Path, out: Path) -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    title, author = config.get("title", "Book"), config.get("author", "")
    root, parts = toc_parts(ROOT / "_toc.yml")
    page_html = src / f"{root}.html"
    if not page_html.is_file():
        sys.exit(
            f"pdf: {page_html} is missing: build the single-page HTML "
            f"first (make pdf does)"
        )
    # The single page lives at book/<root>.html but its links are relative to the
    # build's root: serve a copy there.
    shutil.copyfile(page_html, src / "nmbook-print.html")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        sys.exit(
            f"pdf: no Chromium at {CHROMIUM}: install Debian's package "
            f"(`apt-get install -y chromium`) or set "
            "CHROMIUM=/path/to/chromium; never `playwright install`"
        )
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(src))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    blocked: list[str] = []
    errors: list[str] = []
    profile = tempfile.mkdtemp(prefix="nmbook-pdf-chromium-")
    t0 = time.monotonic()
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": PRINT_WIDTH_PX, "height": 1000},
                service_workers="block",
            )
            context.set_default_timeout(90_000)

            def route(r) -> None:
                if urlsplit(r.request.url).hostname in LOCAL_HOSTS:
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort("blockedbyclient")

            context.route("**/*", route)
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
            page.emulate_media(media="print")
            page.goto(
                f"http://127.0.0.1:{server.server_address[1]}/nmbook-print.html",
                wait_until="load",
            )
            state = page.evaluate(SETTLE_JS)
            missing = page.evaluate(
                ARRANGE_JS,
                {
                    "css": PRINT_CSS,
                    "parts": parts,
                    "title": title,
                    "author": author,
                    "date": book_date(),
                },
            )
            state = page.evaluate(SETTLE_JS)  # expanded toggles may hold math or images
            fit = page.evaluate(FIT_JS)
            headings = page.evaluate(HEADINGS_JS)
            raw = page.evaluate(
                """(needles) => { const t = document.querySelector('article.bd-article, main, body').innerText;
                     return needles.filter(n => t.includes(n)); }""",
                list(RAW_TEX),
            )
            problems = []
            if missing:
                problems.append(
                    f"chapters of _toc.yml not found in the single page: {missing}"
                )
            if not state["mathjax"]:
                problems.append("MathJax did not load")
            if state["texErrors"]:
                problems.append(
                    f"{state['texErrors']} formulas rendered with TeX errors"
                )
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
                footer_template=FOOTER,
                margin={
                    "top": "16mm",
                    "bottom": "18mm",
                    "left": "14mm",
                    "right": "14mm",
                },
                scale=SCALE,
                outline=True,
                tagged=True,
            )
            context.close()
        fixed = fix_outline(out, headings, title, author)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)
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
