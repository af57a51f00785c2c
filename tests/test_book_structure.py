"""Structural checks of the book: the table of contents, stored executions, and the
package's boundaries."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def _notebooks() -> list[Path]:
    return sorted(
        p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def _toc_files() -> list[str]:
    """Every ``file:`` entry (and the root) of _toc.yml, without suffix, relative to
    the repository root."""
    files = []
    for line in (ROOT / "_toc.yml").read_text().splitlines():
        stripped = line.split("#", 1)[0].strip().lstrip("- ").strip()
        for key in ("file:", "root:"):
            if stripped.startswith(key):
                files.append(stripped[len(key) :].strip())
    return files


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


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_ignored_outputs_are_tagged_and_their_claims_asserted(path: Path):
    """Portable outputs: test plumbing is a cell tag, never reader-facing text, and a
    cell whose output nbval does
    not compare either only reports a timing (and is tagged ``timing``) or asserts the
    claims that the prose draws from it."""
    nb = json.loads(path.read_text())
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        source = "".join(cell["source"])
        assert "NBVAL" not in source.upper().replace(IGNORE_TAG.upper(), ""), (
            f"code cell {i + 1}: nbval markers belong in the cell's tags, "
            f"not in its source"
        )
        if IGNORE_TAG in cell.get("metadata", {}).get("tags", []):
            tree = ast.parse(source)
            asserts = any(isinstance(n, ast.Assert) for n in ast.walk(tree))
            timing = "timing" in cell.get("metadata", {}).get("tags", [])
            assert asserts or timing, (
                f"code cell {i + 1} is tagged {IGNORE_TAG} but neither "
                f"asserts its claims nor is tagged timing (it only reports a time)"
            )
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            assert "NBVAL" not in "".join(cell["source"]).upper(), (
                "nbval plumbing in the prose"
            )
