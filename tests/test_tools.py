"""The shared helpers in ``tools/``: the table-of-contents reader, the page assets of
the Chromium launcher, the wheel check's module list, the nbval plugin's defaults."""

from __future__ import annotations

import re
import textwrap

import booktoc
import chromium
import pytest
from booktoc import ROOT, read_toc


def test_toc_of_the_book(toc):
    assert toc.root == "book/intro"
    assert toc.files[0] == "book/intro" and toc.files[1:] == toc.chapters
    assert [p.caption for p in toc.parts][-1] == "Reference"
    # the same entries, in the same order, as a plain reading of the file's lines
    lines = (ROOT / "_toc.yml").read_text().splitlines()
    plain = [
        m.group(1)
        for line in lines
        if (m := re.match(r"\s*-?\s*(?:file|root):\s*(\S+)", line.split("#", 1)[0]))
    ]
    assert toc.files == plain
    assert toc.notebooks() and all(n in toc.files for n in toc.notebooks())
    assert all((ROOT / f"{n}.ipynb").is_file() for n in toc.notebooks())


def test_toc_suffixes_sections_and_a_book_without_parts(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        textwrap.dedent(
            """\
            format: jb-book
            root: book/intro.md
            parts:
              - caption: One
                chapters:
                  - file: book/a.ipynb
                    sections:
                      - file: book/a1
                  - file: book/b
            """
        )
    )
    t = read_toc(toc)
    assert t.root == "book/intro"
    assert t.parts == (booktoc.Part("One", ("book/a", "book/a1", "book/b")),)
    toc.write_text("root: intro\nchapters:\n  - file: a\n  - file: b.md\n")
    assert read_toc(toc).files == ["intro", "a", "b"]


@pytest.mark.parametrize(
    "name",
    [
        "pdf-print.css",
        "pdf-arrange.js",
        "pdf-settle.js",
        "pdf-fit.js",
        "pdf-headings.js",
        "pdf-raw-tex.js",
        "pdf-footer.html",
        "browser-settle.js",
        "browser-math.js",
    ],
)
def test_page_assets_exist(name):
    text = chromium.asset(name)
    if name.endswith(".js"):
        # Playwright evaluates a function expression: nothing may come before it
        assert re.match(r"(async\s*)?\(", text), text[:40]


def test_local_hosts_only():
    assert chromium.is_local("http://127.0.0.1:8000/book/intro.html")
    assert chromium.is_local("http://localhost/x")
    assert not chromium.is_local("https://cdn.jsdelivr.net/npm/mathjax")


def test_wheel_check_lists_every_module():
    import check_wheel

    files = [
        "nmbook/__init__.py",
        "nmbook/memory/__init__.py",
        "nmbook/memory/deque.py",
        "nmbook-0.1.0.dist-info/RECORD",
        "nmbook/static/x.css",
    ]
    assert check_wheel.modules_of(files) == ["nmbook", "nmbook.memory"] + [
        "nmbook.memory.deque"
    ]
    sources = check_wheel.source_files()
    assert "nmbook/__init__.py" in sources and "nmbook/tasks/__init__.py" in sources


def test_one_default_jitter():
    import nbval_plugin

    assert nbval_plugin.DEFAULT_JITTER == 1e-9
    for path in [
        "Makefile",
        "tools/execute_notebooks.py",
        "tools/portability/jitter.py",
    ]:
        assert "1e-9" not in (ROOT / path).read_text(), path
