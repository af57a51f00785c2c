"""Checks of the built HTML book (run after `jupyter-book build`): it exists and it
loads nothing remote."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from booktoc import ROOT, read_toc

HTML = ROOT / "_build" / "html"


class _Assets(HTMLParser):
    """Collects the URLs of scripts, stylesheets, fonts, images and other embedded
    resources."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append((tag, a["src"]))
        elif (
            tag == "link"
            and a.get("href")
            and (a.get("rel") or "")
            in {"stylesheet", "preload", "icon", "prefetch", "modulepreload"}
        ):
            self.urls.append((tag, a["href"]))
        elif tag in {"img", "source", "iframe", "embed", "video", "audio"} and a.get(
            "src"
        ):
            self.urls.append((tag, a["src"]))


def _pages() -> list[Path]:
    assert (HTML / "index.html").exists(), (
        "the book is not built: run `make build` first"
    )
    return sorted(HTML.rglob("*.html"))


def test_book_was_built_with_every_toc_page():
    pages = {p.relative_to(HTML).as_posix() for p in _pages()}
    assert "book/intro.html" in pages
    for docname in read_toc().files:
        assert f"{docname}.html" in pages, f"{docname} was not built"


def test_no_remote_scripts_styles_fonts_or_images():
    remote = []
    for page in _pages():
        parser = _Assets()
        parser.feed(page.read_text(errors="replace"))
        remote += [
            f"{page.relative_to(HTML)}: <{tag}> {url}"
            for tag, url in parser.urls
            if re.match(r"(https?:)?//", url)
        ]
    for css in HTML.rglob("*.css"):
        for url in re.findall(
            r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", css.read_text(errors="replace")
        ):
            remote.append(f"{css.relative_to(HTML)}: url({url})")
    assert not remote, "the book loads remote resources:\n" + "\n".join(remote[:20])


def test_math_is_served_locally():
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").exists(), (
        "offline MathJax was not copied"
    )
    pages_with_math = [
        p for p in _pages() if 'class="math' in p.read_text(errors="replace")
    ]
    for page in pages_with_math:
        text = page.read_text(errors="replace")
        assert "_static/mathjax/tex-chtml.js" in text, (
            f"{page.relative_to(HTML)} does not load the local MathJax"
        )
