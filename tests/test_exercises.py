"""The chapters' exercises: enough of them, of every kind, each with a hidden, executed
and asserted solution.

The rules come from the exercises issue and ``CONTRIBUTING.md``: every chapter notebook
ends with an ``## Exercises`` section of 3–5 exercises (sphinx-exercise's ``{exercise}``
directive with a ``:label:`` and a ``:class:`` naming its kind), among them at least one
of each kind in ``exercise_index.KINDS``. Each exercise has a worked solution in the
same notebook between gated ``{solution-start}`` (``:class: dropdown``, hidden by
default) and ``{solution-end}`` cells, and that solution holds at least one code cell
with an ``assert``, so nbval re-checks the answer, and no ``hide-*``/``remove-*`` cell
tag (a solution is hidden already). The parser that the Exercises page uses
(``_ext/exercise_index.py``) is tested on a small notebook of its own.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "exercise_index", ROOT / "_ext" / "exercise_index.py"
)
exercise_index = importlib.util.module_from_spec(_spec)
sys.modules["exercise_index"] = exercise_index  # dataclasses look their module up
_spec.loader.exec_module(exercise_index)

# a part's evidence page (book/p<part>_evidence) holds measurements, not exercises
CHAPTERS = [
    d
    for d in exercise_index.toc_chapters(ROOT)
    if (ROOT / f"{d}.ipynb").exists() and not d.endswith("_evidence")
]
_START = re.compile(r"^(`{3,}|:{3,})\{solution-start\}", re.M)
_END = re.compile(r"^(`{3,}|:{3,})\{solution-end\}", re.M)


def _source(cell: dict) -> str:
    return (
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    )


def _solutions(nb: dict) -> list[tuple[str, list[dict]]]:
    """``(label, cells between solution-start and solution-end)`` for each gated
    solution, in order."""
    out: list[tuple[str, list[dict]]] = []
    current: tuple[str, list[dict]] | None = None
    for cell in nb["cells"]:
        text = _source(cell) if cell["cell_type"] == "markdown" else ""
        if _START.search(text):
            assert current is None, "a solution-start inside another solution"
            label = text[_START.search(text).end() :].splitlines()[0].strip()
            current = (label, [])
            # a solution without code cells, opened and closed in one cell
            if _END.search(text):
                out.append(current)
                current = None
            continue
        if _END.search(text):
            assert current is not None, "a solution-end without its solution-start"
            out.append(current)
            current = None
            continue
        if current is not None:
            current[1].append(cell)
    assert current is None, (
        f"the solution to {current[0]!r} is never closed with solution-end"
    )
    return out


def _notebook(docname: str) -> dict:
    return json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))


def test_every_chapter_notebook_is_checked():
    assert len(CHAPTERS) >= 9, CHAPTERS


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_has_three_to_five_exercises_of_every_kind(docname: str):
    exercises, _, problems = exercise_index.chapter_exercises(
        ROOT / f"{docname}.ipynb", docname
    )
    assert not problems, problems
    assert 3 <= len(exercises) <= 5, (
        f"{docname}: {len(exercises)} exercises, the rule is 3–5"
    )
    kinds = {k for ex in exercises for k in ex.kinds}
    assert kinds == set(exercise_index.KINDS), (
        f"{docname}: kinds {sorted(kinds)}, need {exercise_index.KINDS}"
    )
    for ex in exercises:
        assert ex.title, f"{docname}: exercise {ex.label} has no title"
        assert 0 < len(ex.summary) <= 300, (
            f"{docname}: the first paragraph of {ex.label} is its one-line summary"
        )
    labels = [ex.label for ex in exercises]
    assert len(set(labels)) == len(labels), f"{docname}: duplicate labels {labels}"


def test_exercise_labels_are_unique_across_the_book():
    labels = [
        ex.label
        for d in CHAPTERS
        for ex in exercise_index.chapter_exercises(ROOT / f"{d}.ipynb", d)[0]
    ]
    assert len(set(labels)) == len(labels), sorted(labels)


@pytest.mark.parametrize("docname", CHAPTERS)
def test_each_solution_is_executed_and_asserts(docname: str):
    nb = _notebook(docname)
    exercises, _, _ = exercise_index.chapter_exercises(
        ROOT / f"{docname}.ipynb", docname
    )
    solutions = _solutions(nb)
    assert sorted(label for label, _ in solutions) == sorted(
        ex.label for ex in exercises
    ), f"{docname}: one gated solution per exercise"
    for label, cells in solutions:
        code = [c for c in cells if c["cell_type"] == "code"]
        assert code, f"{docname}: the solution to {label} has no code cell"
        assert any(re.search(r"^\s*assert\b", _source(c), re.M) for c in code), (
            f"{docname}: no code cell of the solution to {label} asserts its answer"
        )
        assert all(c.get("execution_count") for c in code), (
            f"{docname}: the solution to {label} is not executed"
        )
        # a solution is hidden already; myst-nb's hide/remove tags inside it break the
        # single-page (PDF) build
        hidden = [
            t
            for c in code
            for t in c["metadata"].get("tags", [])
            if t.startswith(("hide-", "remove-"))
        ]
        assert not hidden, f"{docname}: tags {hidden} inside the solution to {label}"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_exercises_close_the_chapter(docname: str):
    nb = _notebook(docname)
    heads = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "markdown"
        and re.search(r"^## Exercises\s*$", _source(c), re.M)
    ]
    assert len(heads) == 1, f"{docname}: one '## Exercises' heading"
    later = "\n".join(
        _source(c) for c in nb["cells"][heads[0] + 1 :] if c["cell_type"] == "markdown"
    )
    assert not re.search(r"^#{1,2} ", later, re.M), (
        f"{docname}: a section after the exercises"
    )
    first = min(
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "markdown" and "{exercise}" in _source(c)
    )
    assert first >= heads[0], f"{docname}: an exercise before the Exercises heading"


def test_the_exercises_page_lists_them(tmp_path: Path):
    page = (ROOT / "book" / "exercises.md").read_text(encoding="utf-8")
    assert "```{exercise-index}" in page
    assert "book/exercises" in exercise_index.toc_chapters(ROOT)


def _write(tmp_path: Path, cells: list[str]) -> Path:
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": s} for s in cells
        ],
        "metadata": {},
    }
    path = tmp_path / "ch.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_the_parser_reads_an_exercise_and_finds_what_is_missing(tmp_path: Path):
    good = _write(
        tmp_path,
        [
            "## Exercises\n\n```{exercise} Push twice\n:label: "
            "ex-a\n:class: concept\n\n"
            "Find $r_2$ by hand.\nUse eq. (1).\n\nMore detail.\n```",
            "````{solution-start} ex-a\n:class: dropdown\n````\nIt is 0.8.",
            "```{solution-end}\n```",
        ],
    )
    exercises, solved, problems = exercise_index.chapter_exercises(good, "ch")
    assert problems == []
    assert solved == ["ex-a"]
    assert exercises == [
        exercise_index.Exercise(
            "ch", "ex-a", "Push twice", ("concept",), "Find $r_2$ by hand. Use eq. (1)."
        )
    ]

    bad = _write(
        tmp_path,
        [
            "```{exercise} No label\n:class: code\n\nDo it.\n```",
            "```{exercise} No kind\n:label: ex-b\n\nDo it.\n```",
            "````{solution-start} ex-b\n````\nShown.",
            "```{exercise} Unsolved\n:label: ex-c\n:class: experiment\n\nDo it.\n```",
        ],
    )
    _, _, problems = exercise_index.chapter_exercises(bad, "ch")
    text = "\n".join(problems)
    assert "has no :label:" in text
    assert "'No kind' has no :class:" in text
    assert "'ex-b' is not hidden" in text
    assert "'ex-c' has no solution-start" in text
    assert len(problems) == 4, problems
