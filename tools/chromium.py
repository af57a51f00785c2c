"""Headless Chromium for the book, offline: one launcher for the PDF printer
(``tools/pdf.py``) and the browser test (``tests/built/test_browser.py``).

The browser is Debian's Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``), driven by
Playwright; never ``playwright install``. :func:`serve` serves a built book from
127.0.0.1 on a free port (a thread of ``http.server``); :func:`launch` opens a headless
Chromium with a throw-away profile in which every request to a host other than
:data:`LOCAL_HOSTS` is aborted and recorded. The JavaScript and CSS that the two
inject into pages live in ``tools/assets/`` (:func:`asset`).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ASSETS = Path(__file__).resolve().parent / "assets"


def asset(name: str) -> str:
    """The text of ``tools/assets/<name>`` (a script, a stylesheet, an HTML snippet)."""
    return (ASSETS / name).read_text(encoding="utf-8")


def missing() -> str | None:
    """Why Chromium cannot run here (``None`` when it can)."""
    if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return None
    return (
        f"no Chromium at {CHROMIUM}: install Debian's package "
        "(`apt-get install -y chromium`) or set CHROMIUM=/path/to/chromium; "
        "never `playwright install`"
    )


def is_local(url: str) -> bool:
    return urlsplit(url).hostname in LOCAL_HOSTS


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    # noqa: A002 (the base class's name)
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` from 127.0.0.1 on a free port; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def launch(
    blocked: list[str], *, timeout_ms: int, viewport: dict, **context_options: Any
) -> Iterator[Any]:
    """A headless Chromium context (Playwright's ``BrowserContext``) that aborts every
    request to another host and appends its URL to ``blocked``.

    ``context_options`` go to ``launch_persistent_context`` (e.g.
    ``accept_downloads=True``). Raises ``RuntimeError`` if Chromium is missing.
    """
    problem = missing()
    if problem:
        raise RuntimeError(problem)
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="nmbook-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=FLAGS,
                viewport=viewport,
                service_workers="block",
                **context_options,
            )
            context.set_default_timeout(timeout_ms)

            def route(r) -> None:
                if is_local(r.request.url):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort("blockedbyclient")

            context.route("**/*", route)
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
