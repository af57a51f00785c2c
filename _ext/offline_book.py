"""A small Sphinx hook that keeps the built book offline and its browser console clean.

Jupyter Book 1.x always loads sphinx-thebe, which injects an inline script declaring ``THEBE_JS_URL`` (a CDN
address) and, when the environment is read twice, declares it twice, so every page logs a SyntaxError. The book
has no live kernels (launch buttons and thebe are off), so the thebe assets are dropped from every page.
"""

from __future__ import annotations

from typing import Any

_THEBE_FILES = ("sphinx-thebe.js", "sphinx-thebe.css")


def _is_thebe(asset: Any) -> bool:
    filename = getattr(asset, "filename", asset if isinstance(asset, str) else None)
    body = getattr(asset, "attributes", {}).get("body", "") if hasattr(asset, "attributes") else ""
    return (filename is not None and str(filename).split("?")[0].endswith(_THEBE_FILES)) or (
        "THEBE_JS_URL" in (body or "")
    )


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if not _is_thebe(a)]


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
