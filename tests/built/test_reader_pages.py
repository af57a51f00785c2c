"""Each chapter page as a reader sees it at 1,400 px: nothing scrolls sideways and no
test plumbing shows.

In headless Chromium with a 1,400 × 900 window, every hidden block is opened (exercise
solutions, toggled cells), then per chapter page we count the code cells and the cell
outputs whose content is wider than their box (they scroll horizontally), and the lines
of visible code outside exercise solutions that assert, glue or format. Each count must
stay at or under the page's ceiling in :data:`CEILINGS`; a ceiling only ever goes down,
and every ceiling is 0 once each chapter reads as a book.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from booktoc import read_toc

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTH = 1400

CEILINGS: dict[str, dict[str, int]] = {}
"""Per chapter page (``book/p3_1_neural_stack.html``): allowed counts of
``scrolling_code``, ``scrolling_outputs`` and ``plumbing``; a page not listed allows
none."""

PLUMBING = re.compile(r"^\s*assert\b|np\.testing\.assert|\bglue\(|#\s*fmt:", re.M)

MEASURE_JS = """
(plumbingSource) => {
  const plumbing = new RegExp(plumbingSource, 'm');
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden')
    .forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('button.toggle-button')
    .forEach(b => { if (b.getAttribute('aria-expanded') === 'false') b.click(); });
  const wide = e => e.getClientRects().length > 0 && e.scrollWidth > e.clientWidth + 1;
  const scrolls = root => wide(root) || [...root.querySelectorAll('*')].some(e => {
    const o = getComputedStyle(e).overflowX;
    return (o === 'auto' || o === 'scroll') && wide(e);
  });
  const cells = [...document.querySelectorAll('div.cell')];
  const code = [], outputs = [], lines = [];
  for (const cell of cells) {
    const input = cell.querySelector('.cell_input');
    const output = cell.querySelector('.cell_output');
    const label = (input ? input.innerText : '').trim().split('\\n')[0].slice(0, 60);
    if (input && scrolls(input)) code.push(label);
    if (output && scrolls(output)) outputs.push(label);
    if (input && !cell.closest('.solution, .exercise')) {
      for (const line of input.innerText.split('\\n')) {
        if (plumbing.test(line)) lines.push(line.trim().slice(0, 80));
      }
    }
  }
  return {scrolling_code: code, scrolling_outputs: outputs, plumbing: lines};
}
"""


def _chapter_pages() -> list[str]:
    """Pages built from a notebook, in table-of-contents order."""
    return [f"{f}.html" for f in read_toc().notebooks(ROOT)]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def measure() -> Iterator:
    if not (HTML / "index.html").exists():
        pytest.fail("the book is not built: run `make build` first")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                tempfile.mkdtemp(prefix="nmbook-reader-"),
                executable_path=CHROMIUM,
                headless=True,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
                viewport={"width": WIDTH, "height": 900},
            )
            context.route(
                "**/*",
                lambda r: (
                    r.continue_()
                    if r.request.url.startswith(base)
                    else r.abort("blockedbyclient")
                ),
            )

            def run(page_path: str) -> dict[str, list[str]]:
                page = context.new_page()
                page.goto(f"{base}/{page_path}", wait_until="load")
                page.wait_for_timeout(200)
                found = page.evaluate(MEASURE_JS, PLUMBING.pattern)
                page.close()
                return found

            yield run
            context.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
@pytest.mark.parametrize("page", _chapter_pages())
def test_chapter_page_reads_as_a_book(measure, page: str):
    found = measure(page)
    ceiling = CEILINGS.get(page, {})
    over = {
        kind: items
        for kind, items in found.items()
        if len(items) > ceiling.get(kind, 0)
    }
    assert not over, "\n".join(
        f"{kind}: {len(items)} (ceiling {ceiling.get(kind, 0)}), e.g. {items[:3]}"
        for kind, items in over.items()
    )
