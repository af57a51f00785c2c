"""The ``{eval}`` role rendered from results stored in the notebook.

The chapters put numbers from their runs into the prose with MyST's inline role
``{eval}`expression` ``. The book builds with execution off (stored outputs are the
source of truth), so nothing can evaluate the expression at build time. Instead
``tools/execute_notebooks.py`` evaluates every expression of a Markdown cell in the
kernel, right after the code cells above it, and stores the results in that cell's
metadata ``user_expressions`` (the format of a Jupyter ``execute_reply`` and of
jupyterlab-myst, which renders the same metadata in JupyterLab):

.. code-block:: json

    {"user_expressions": [
        {"expression": "f'{acc:.2f}'",
         "result": {"status": "ok", "data": {"text/plain": "'0.93'"}, "metadata": {}}}
    ]}

This role looks the expression up in the current notebook and renders its stored
``text/plain`` (a string's quotes removed). An expression that is missing, failed, or
stored with two different results in the same notebook is a build warning (the book
builds with ``-W``), so a notebook edited without re-executing it cannot build.

Loaded by ``_ext/offline_book.py``; it replaces myst-nb's ``eval`` role, which needs a
live kernel.
"""

from __future__ import annotations

import ast
import json
import re
from functools import lru_cache
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

logger = logging.getLogger(__name__)

EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
"""An inline ``{eval}`` role in Markdown; group 1 is the expression."""


def expressions_in(markdown: str) -> list[str]:
    """The ``{eval}`` expressions of one Markdown cell, in order, without repeats."""
    return list(dict.fromkeys(m.group(1) for m in EVAL_ROLE.finditer(markdown)))


def plain_text(result: dict) -> str:
    """The text a stored result renders as: ``text/plain``, a string's quotes
    removed."""
    text = result.get("data", {}).get("text/plain", "")
    if isinstance(text, list):
        text = "".join(text)
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


@lru_cache(maxsize=64)
def _stored(path: str, mtime: float) -> dict[str, list[dict]]:
    """Every stored expression of a notebook: expression -> its distinct results."""
    nb = json.loads(Path(path).read_text())
    found: dict[str, list[dict]] = {}
    for cell in nb.get("cells", []):
        for entry in cell.get("metadata", {}).get("user_expressions", []):
            results = found.setdefault(entry["expression"], [])
            if entry["result"] not in results:
                results.append(entry["result"])
    return found


class StoredEvalRole(SphinxRole):
    """``{eval}`expr` ``: the result stored for ``expr`` in this notebook."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        path = Path(self.env.doc2path(self.env.docname))
        expr = self.text
        where = (self.env.docname, self.lineno)

        def fail(why: str):
            message = f"{{eval}}`{expr}`: {why}"
            logger.warning(message, location=where, type="nmbook", subtype="eval")
            return [nodes.inline(text=f"[{expr}]", classes=["eval-missing"])], []

        if path.suffix != ".ipynb":
            return fail("only notebooks store evaluated expressions")
        results = _stored(str(path), path.stat().st_mtime).get(expr)
        if not results:
            return fail(
                "no stored result: re-execute the notebook with "
                "tools/execute_notebooks.py"
            )
        if len(results) > 1:
            return fail("stored with different results in two cells: rename one")
        result = results[0]
        if result.get("status") != "ok":
            return fail(
                f"stored as an error: {result.get('ename')}: {result.get('evalue')}"
            )
        return [nodes.inline(text=plain_text(result), classes=["eval-result"])], []


def _register(app) -> None:
    # after every extension's setup (myst-nb registers its own ``eval`` there)
    app.add_role("eval", StoredEvalRole(), override=True)


def setup(app) -> dict:
    app.connect("builder-inited", _register)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
