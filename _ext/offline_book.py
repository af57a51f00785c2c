"""A small Sphinx hook that keeps the built book offline and its browser console clean.

Jupyter Book 1.x always loads sphinx-thebe, which injects an inline script declaring
``THEBE_JS_URL`` (a CDN address) and, when the environment is read twice, declares it
twice, so every page logs a SyntaxError. The book has no live kernels (launch buttons
and thebe are off), so the thebe assets are dropped from every page, and so are the
inert per-page thebe configuration blocks (they name a Binder repository the book never
contacts).

Without a declared icon, browsers ask the server for ``/favicon.ico`` and log a 404 in
the console: unless ``html.favicon`` is configured, the book's own small icon
(``_ext/static/favicon.svg``) is used.

It also loads ``_ext/benchmark_tables.py`` (the ``benchmark-tables`` directive of the
benchmarks page) and ``_ext/exercise_index.py`` (the ``exercise-index`` directive of the
exercises page) and ``_ext/stored_eval.py`` (the ``{eval}`` role, rendered from the
results stored in each notebook), so ``_config.yml`` names a single local extension.

``tests/built/test_browser.py`` opens every page in Chromium and fails on any console
error, so a regression of either shows up there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes

_THEBE_FILES = ("sphinx-thebe.js", "sphinx-thebe.css")
_FAVICON = Path(__file__).resolve().parent / "static" / "favicon.svg"


def _is_thebe(asset: Any) -> bool:
    filename = getattr(asset, "filename", asset if isinstance(asset, str) else None)
    body = (
        getattr(asset, "attributes", {}).get("body", "")
        if hasattr(asset, "attributes")
        else ""
    )
    return (
        filename is not None and str(filename).split("?")[0].endswith(_THEBE_FILES)
    ) or ("THEBE_JS_URL" in (body or ""))


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if not _is_thebe(a)]


def _drop_thebe_config_nodes(app, doctree, docname) -> None:
    """Remove the raw ``text/x-thebe-config`` and ``kernelName`` scripts sphinx-thebe
    appends to each page."""
    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if "text/x-thebe-config" in text or text.strip().startswith(
            "<script>kernelName ="
        ):
            node.parent.remove(node)


def _default_favicon(app, config) -> None:
    if not config.html_favicon:
        config.html_favicon = str(_FAVICON)


def _singlehtml_knows_html_nodes(app) -> None:
    """Let the single-page builder (behind the PDF) render every node the HTML builder
    renders.

    Sphinx looks a translator's node handlers up by builder *name* first and falls back
    to the format only when the name has none. sphinx-exercise registers its nodes for
    ``singlehtml`` by name, so from then on ``singlehtml`` ignores every handler
    registered for ``html`` only (myst-nb's hidden-cell node among them) and the build
    fails. Copying the missing ``html`` handlers restores the fallback.
    """
    handlers = app.registry.translation_handlers
    if "singlehtml" in handlers:
        for node, visitors in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(node, visitors)


def setup(app) -> dict[str, Any]:
    app.setup_extension("benchmark_tables")
    app.setup_extension("exercise_index")
    app.setup_extension("stored_eval")
    app.connect("config-inited", _default_favicon, priority=100)
    app.connect("builder-inited", _singlehtml_knows_html_nodes)
    # sphinx-thebe appends its nodes at the default priority (500): run after it.
    app.connect("doctree-resolved", _drop_thebe_config_nodes, priority=900)
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
