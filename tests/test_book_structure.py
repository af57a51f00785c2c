"""Structural checks of the book: the table of contents, stored executions, and the
package's boundaries."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from booktoc import read_toc

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def _notebooks() -> list[Path]:
    return sorted(
        p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def _toc_files() -> list[str]:
    """Every page of _toc.yml (the root first), without suffix, relative to the
    repository root."""
    return read_toc().files


def _resolve(entry: str) -> list[Path]:
    base = ROOT / entry
    return [
        p for p in (base.with_suffix(".ipynb"), base.with_suffix(".md")) if p.exists()
    ] + ([base] if base.suffix and base.exists() else [])


def test_every_toc_entry_exists():
    entries = _toc_files()
    assert "book/intro" in entries
    missing = [e for e in entries if not _resolve(e)]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_notebook_and_page_is_in_the_toc():
    listed = {Path(e).with_suffix("").as_posix() for e in _toc_files()}
    pages = _notebooks() + sorted(BOOK.rglob("*.md"))
    orphans = [
        p.relative_to(ROOT).as_posix()
        for p in pages
        if p.relative_to(ROOT).with_suffix("").as_posix() not in listed
    ]
    assert not orphans, f"not in _toc.yml: {orphans}"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebook_is_stored_executed(path: Path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3", "kernel must be python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a notebook without code cells"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"execution counts {counts} are not 1..N"
    )
    errors = [
        o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors, "stored error output"
    first_md = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "".join(first_md["source"]).lstrip().startswith("# "), (
        "first Markdown cell must be the # title"
    )


def test_numeric_modules_import_numpy_only():
    allowed_third_party = {"numpy"}
    for path in sorted((ROOT / "nmbook").rglob("*.py")):
        if "plotting" in path.relative_to(ROOT / "nmbook").parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert (
                    top in allowed_third_party
                    or top in {"nmbook", "__future__"}
                    or top in _stdlib()
                ), f"{path.name} imports {name}: numeric modules import NumPy alone"


def _stdlib() -> set[str]:
    import sys

    return set(sys.stdlib_module_names)


def test_every_module_is_on_the_api_page():
    api = (BOOK / "api.md").read_text()
    for path in sorted((ROOT / "nmbook").rglob("*.py")):
        if path.name.startswith("_"):
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        assert f"automodule:: {module}" in api, f"{module} is missing from book/api.md"


IGNORE_TAG = "nbval-ignore-output"
CHECK_TAG = "remove-cell"  # the rendered book drops the cell; nbval still runs it
TIMING_TAG = "timing"  # a tagged cell whose only unchecked output is a wall time
MAX_COLUMNS = 88
MAX_CELL_LINES = 25
MAX_WORDS = 3000
# prose a reader must never see: the page telling its own history
HISTORY = ("earlier version", "replaces an earlier", "previous version of this")
PLUMBING = re.compile(r"^\s*assert\b|np\.testing\.assert|\bglue\(|#\s*fmt:")
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _source(cell) -> str:
    return "".join(cell["source"])


def is_check_cell(cell) -> bool:
    """A check cell: removed from the rendered page, marked for a JupyterLab reader."""
    return (
        cell["cell_type"] == "code"
        and CHECK_TAG in _tags(cell)
        and _source(cell).lstrip().startswith("# Check")
    )


def reader_cells(nb) -> list[tuple[int, dict]]:
    """The code cells a reader of the rendered page sees outside exercise solutions
    (``hide-input`` cells count as seen: a click shows them)."""
    out, in_solution = [], False
    for i, cell in enumerate(nb["cells"]):
        src = _source(cell)
        if cell["cell_type"] == "markdown":
            if re.search(r"^(`{3,}|:{3,})\{solution-start\}", src, re.M):
                in_solution = True
            if re.search(r"^(`{3,}|:{3,})\{solution-end\}", src, re.M):
                in_solution = False
            continue
        if cell["cell_type"] != "code" or in_solution:
            continue
        if {"remove-cell", "remove-input"} & set(_tags(cell)):
            continue
        out.append((i, cell))
    return out


def prose_words(nb) -> int:
    """Words of Markdown before the ``## Exercises`` heading."""
    words = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        src = _source(cell)
        if re.search(r"^## Exercises\b", src, re.M):
            break
        words += len(re.findall(r"\S+", src))
    return words


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_ignored_outputs_are_tagged_and_their_claims_asserted(path: Path):
    """Portable outputs: test plumbing is a cell tag, never reader-facing text, and a
    cell whose output nbval does not compare asserts the claims the prose draws from it,
    in itself or in the check cell right after it, or is a ``timing`` cell."""
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for i, cell in enumerate(code):
        source = _source(cell)
        assert "NBVAL" not in source.upper().replace(IGNORE_TAG.upper(), ""), (
            f"code cell {i + 1}: nbval markers belong in the cell's tags, not in its "
            "source"
        )
        if IGNORE_TAG not in _tags(cell) or TIMING_TAG in _tags(cell):
            continue
        checked = [source]
        if i + 1 < len(code) and is_check_cell(code[i + 1]):
            checked.append(_source(code[i + 1]))
        asserts = any(
            isinstance(n, ast.Assert) for s in checked for n in ast.walk(ast.parse(s))
        )
        assert asserts, (
            f"code cell {i + 1} is tagged {IGNORE_TAG} but neither it nor a check cell "
            f"right after it asserts its claims (or tag it {TIMING_TAG!r})"
        )
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            assert "NBVAL" not in _source(cell).upper(), "nbval plumbing in the prose"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_check_cells_are_removed_marked_and_silent(path: Path):
    """Checks run but readers do not see them: every check cell is removed from the
    page, opens with ``# Check`` for a JupyterLab reader, and prints nothing."""
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or CHECK_TAG not in _tags(cell):
            continue
        assert is_check_cell(cell), f"cell {i}: a removed cell must open with # Check"
        assert not cell.get("outputs"), f"cell {i}: a check cell prints nothing"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_no_test_plumbing_on_the_page(path: Path):
    """Outside exercise solutions, no line a reader sees asserts, glues or formats."""
    nb = json.loads(path.read_text())
    seen = [
        f"cell {i}: {line.strip()}"
        for i, cell in reader_cells(nb)
        for line in _source(cell).splitlines()
        if PLUMBING.search(line)
    ]
    assert not seen, "test plumbing on the page (move it to a check cell):\n" + (
        "\n".join(seen[:10])
    )


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_code_and_outputs_fit_the_page(path: Path):
    """Every code line fits 88 columns; a cell a reader sees is at most 25 lines, and
    its printed text is at most 88 columns wide."""
    nb = json.loads(path.read_text())
    problems = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for line in _source(cell).splitlines():
            if len(line) > MAX_COLUMNS:
                problems.append(f"cell {i}: code line of {len(line)} columns")
    for i, cell in reader_cells(nb):
        n = len(_source(cell).splitlines())
        if n > MAX_CELL_LINES:
            problems.append(f"cell {i}: {n} lines")
        for out in cell.get("outputs", []):
            text = out.get("text", "")
            data = out.get("data", {})
            if "text/plain" in data and not ({"text/html", "image/png"} & set(data)):
                text = data["text/plain"]
            text = "".join(text) if isinstance(text, list) else text
            wide = max((len(line) for line in text.splitlines()), default=0)
            if wide > MAX_COLUMNS:
                problems.append(f"cell {i}: printed line of {wide} columns")
    assert not problems, "\n".join(problems[:12])


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_prose_is_a_chapter_not_a_log(path: Path):
    """At most 3,000 words before the exercises, and no prose about the page's own
    history."""
    nb = json.loads(path.read_text())
    words = prose_words(nb)
    assert words <= MAX_WORDS, f"{words} words before the exercises (at most 3,000)"
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            low = _source(cell).lower()
            hits = [h for h in HISTORY if h in low]
            assert not hits, f"cell {i}: the page tells its own history ({hits[0]!r})"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_numbers_in_the_prose_are_stored_eval_results(path: Path):
    """Numbers reach the prose through ``{eval}``, whose results the executor stored in
    the cell (``_ext/stored_eval.py`` renders them, so does jupyterlab-myst); glue is
    gone."""
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        src = _source(cell)
        if cell["cell_type"] == "code":
            assert "glue(" not in src and "myst_nb" not in src, f"cell {i}: glue"
            continue
        if cell["cell_type"] != "markdown":
            continue
        assert "{glue" not in src, f"cell {i}: a glue role (use {{eval}})"
        stored = {
            e["expression"]: e["result"]
            for e in cell.get("metadata", {}).get("user_expressions", [])
        }
        for expr in EVAL_ROLE.findall(src):
            assert expr in stored, (
                f"cell {i}: {{eval}}`{expr}` has no stored result: re-execute the "
                "notebook with tools/execute_notebooks.py"
            )
            assert stored[expr].get("status") == "ok", f"cell {i}: {expr} failed"
