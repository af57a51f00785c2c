"""Sphinx directive ``exercise-index``: every exercise of every chapter, read from the
notebooks at build time.

The chapters end with exercises written with sphinx-exercise (``{exercise}`` directives,
each with a ``:label:`` and a ``:class:`` naming its kind, and a gated
``{solution-start}``/``{solution-end}`` pair around the worked solution's prose and code
cells). The Exercises page (``book/exercises.md``) holds only prose and this directive,
so an exercise added to a chapter is listed at the next build without anyone editing the
page.

For each chapter in ``_toc.yml`` order the directive emits the chapter's title (a link)
and a table: the exercise's number within the chapter, its title (a link to it), its
kind and its one-line summary, which is the first paragraph of the exercise's text (the
convention in ``CONTRIBUTING.md``: that paragraph states the task in one sentence). The
table is MyST, parsed like the rest of the page, so math in a summary renders.

Malformed exercises are build warnings (the book builds with ``-W``): an exercise
without a label or without one of the kinds in :data:`KINDS`, or without a solution in
the same notebook. ``tests/test_book_structure.py`` checks the counts the exercises
issue asks for (≥ 3 per chapter, every kind present).

Loaded by ``_ext/offline_book.py``.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

try:  # tools/ is on sys.path under pytest (the conftest.py at the root)
    from booktoc import read_toc
except ImportError:  # in Sphinx: the book's tools/ beside this _ext/
    sys.path.append(str(Path(__file__).resolve().parents[1] / "tools"))
    from booktoc import read_toc

logger = logging.getLogger(__name__)

KINDS = ("concept", "code", "experiment")
"""An exercise's kind, its ``:class:``: a derivation or question, an extension of
``nmbook``, a seed experiment."""

_OPEN = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>exercise|exercise-start|solution-start)\}[ "
    r"\t]*(?P<arg>.*)$"
)
_OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")


@dataclass(frozen=True)
class Exercise:
    """One exercise of a chapter notebook, as the exercise index lists it."""

    docname: str
    label: str
    title: str
    kinds: tuple[str, ...]
    summary: str


def _directives(text: str):
    """Yield ``(name, argument, options, body)`` of each exercise/solution opening in
    a markdown cell."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _OPEN.match(line.strip())
        if not m:
            continue
        options: dict[str, str] = {}
        j = i + 1
        while j < len(lines) and (opt := _OPTION.match(lines[j].strip())):
            options[opt["key"]] = opt["value"].strip()
            j += 1
        body: list[str] = []
        fence = m["fence"]
        while j < len(lines) and not lines[j].strip().startswith(fence[:3]):
            body.append(lines[j])
            j += 1
        yield m["name"], m["arg"].strip(), options, "\n".join(body)


def _first_paragraph(body: str) -> str:
    para: list[str] = []
    for line in body.strip().splitlines():
        if not line.strip():
            break
        para.append(line.strip())
    return " ".join(para)


def chapter_exercises(
    path: Path, docname: str
) -> tuple[list[Exercise], list[str], list[str]]:
    """The exercises of one notebook, the labels its solutions answer, and the problems
    found.

    Returns ``(exercises, solution_labels, problems)``; ``problems`` are human-readable
    strings.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    exercises: list[Exercise] = []
    solved: list[str] = []
    problems: list[str] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        text = (
            "".join(cell["source"])
            if isinstance(cell["source"], list)
            else cell["source"]
        )
        for name, arg, options, body in _directives(text):
            if name == "solution-start":
                solved.append(arg)
                if "dropdown" not in options.get("class", "").split():
                    problems.append(
                        f"{docname}: the solution to {arg!r} is not hidden (`:class: "
                        f"dropdown`)"
                    )
                continue
            label = options.get("label", "")
            kinds = tuple(k for k in options.get("class", "").split() if k in KINDS)
            where = f"{docname}: exercise {arg or label!r}"
            if not label:
                problems.append(f"{where} has no :label:")
            if not kinds:
                problems.append(
                    f"{where} has no :class: naming its kind ({', '.join(KINDS)})"
                )
            exercises.append(
                Exercise(docname, label, arg, kinds, _first_paragraph(body))
            )
    for ex in exercises:
        if ex.label and ex.label not in solved:
            problems.append(
                f"{docname}: exercise {ex.label!r} has no solution-start in "
                f"the same notebook"
            )
    return exercises, solved, problems


def toc_chapters(root: Path) -> list[str]:
    """Docnames of the chapters in ``_toc.yml`` order (the root page excluded)."""
    return read_toc(root / "_toc.yml").chapters


def _title(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            text = (
                "".join(cell["source"])
                if isinstance(cell["source"], list)
                else cell["source"]
            )
            for line in text.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


class ExerciseIndex(SphinxDirective):
    """``{exercise-index}``: a table of exercises per chapter (see the module
    docstring)."""

    has_content = False

    def run(self) -> list[Any]:
        root = Path(self.env.srcdir)
        here = Path(self.env.docname).parent
        lines: list[str] = []
        total = 0
        for docname in toc_chapters(root):
            path = root / f"{docname}.ipynb"
            if not path.exists():
                continue
            self.env.note_dependency(str(path))
            exercises, _, problems = chapter_exercises(path, docname)
            for problem in problems:
                logger.warning(problem, location=self.get_location())
            if not exercises:
                continue
            total += len(exercises)
            rel = (
                Path(docname).relative_to(here) if here != Path(".") else Path(docname)
            )
            lines += [f"**{{doc}}`{_cell(_title(path))} <{rel.as_posix()}>`**", ""]
            lines += ["| | exercise | kind | the task |", "|---|---|---|---|"]
            for i, ex in enumerate(exercises, 1):
                link = f"{{ref}}`{_cell(ex.title or ex.label)} <{ex.label}>`"
                lines.append(
                    f"| {i} | {link} | {', '.join(ex.kinds)} | {_cell(ex.summary)} |"
                )
            lines.append("")
        if not total:
            lines = ["No chapter has exercises yet."]
        container = StringList(lines, source=self.get_source_info()[0])
        node = nodes.container(classes=["nmbook-exercise-index"])
        self.state.nested_parse(container, self.content_offset, node)
        return [node]


def setup(app) -> dict[str, Any]:
    app.add_directive("exercise-index", ExerciseIndex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
