"""The book's table of contents, ``_toc.yml``, read in one place.

Every reader of the table of contents uses this module: the notebook executor and its
execution report (``tools/execute_notebooks.py``), the PDF printer (``tools/pdf.py``),
the Exercises page (``_ext/exercise_index.py``) and the tests of the sources, the built
book and the PDF. Under pytest the ``conftest.py`` at the root of the repository puts
``tools/`` on ``sys.path``; ``_ext/exercise_index.py`` does so in Sphinx, and scripts in
``tools/`` have it there already.

Entries are *docnames*: paths relative to the repository root without a suffix
(``book/p1_minibatching``), in reading order. ``_toc.yml`` is Jupyter Book's ``jb-book``
format: a ``root`` and ``parts``, each with a ``caption`` and ``chapters``, each
chapter a ``file`` with optional nested ``sections`` (a book without parts lists
``chapters`` directly).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TOC = ROOT / "_toc.yml"


def docname(entry: str) -> str:
    """``book/x.ipynb``, ``book/x.md`` or ``book/x`` → ``book/x``."""
    for suffix in (".ipynb", ".md"):
        entry = entry.removesuffix(suffix)
    return entry


@dataclass(frozen=True)
class Part:
    """A part of the book: its caption and its chapters' docnames, in order (a
    chapter's sections follow it)."""

    caption: str
    chapters: tuple[str, ...]


@dataclass(frozen=True)
class Toc:
    """The table of contents: the root page and the parts."""

    root: str
    parts: tuple[Part, ...]

    @property
    def chapters(self) -> list[str]:
        """Every page after the root, in reading order."""
        return [c for part in self.parts for c in part.chapters]

    @property
    def files(self) -> list[str]:
        """Every page, the root first, in reading order."""
        return [self.root, *self.chapters]

    def notebooks(self, root: Path = ROOT) -> list[str]:
        """The pages built from a notebook (``<docname>.ipynb`` exists), in order."""
        return [f for f in self.files if (root / f"{f}.ipynb").is_file()]


def _flatten(entries: list[dict]) -> list[str]:
    out: list[str] = []
    for entry in entries or []:
        if "file" in entry:
            out.append(docname(str(entry["file"])))
        out += _flatten(entry.get("sections", []))
    return out


def read_toc(path: Path | str = TOC) -> Toc:
    """Parse ``_toc.yml`` (by default the book's)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    parts = tuple(
        Part(str(p.get("caption", "")), tuple(_flatten(p.get("chapters", []))))
        for p in data.get("parts", [])
    )
    if not parts and data.get("chapters"):
        parts = (Part("", tuple(_flatten(data["chapters"]))),)
    return Toc(root=docname(str(data["root"])), parts=parts)
