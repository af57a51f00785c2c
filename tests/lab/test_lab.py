"""JupyterLab as ``make lab`` starts it, read and run in Debian's Chromium, offline.

``make lab`` itself is started (same command, same settings: jupyterlab-myst renders
the Markdown cells as MyST, ``jupyter-config/`` turns the news and update checks off)
on a temporary copy of two chapters, so running them never touches ``book/``. The
user's own Jupyter configuration, settings, workspaces and kernels are kept out
(``JUPYTER_CONFIG_DIR``, ``JUPYTER_DATA_DIR``, ``JUPYTERLAB_SETTINGS_DIR``,
``JUPYTERLAB_WORKSPACES_DIR`` point into the temporary folder). Chromium is Debian's
(``/usr/bin/chromium`` or ``$CHROMIUM``), driven by Playwright; never ``playwright
install``. Any request to a host other than 127.0.0.1 fails the test.

For each chapter, in the copy, every stored ``{eval}`` result (a Markdown cell's
metadata ``user_expressions``, written by ``tools/execute_notebooks.py``) is replaced
by a marker, ``stored-<n>``. Then:

1. Opened, before any code runs: every Markdown cell is rendered by MyST with no raw
   role or directive markup in its text (``{cite}``, ``{glue...}``, ```` ```{ ````,
   ``:::{``, "Unknown Directive"); every ``{eval}`` shows its stored marker (not its
   expression); every gated solution reads as "Solution to Exercise N"; no pop-up
   about Jupyter news.
2. Run All Cells (the Run menu), then saved: no cell raised, and jupyterlab-myst has
   evaluated every ``{eval}`` in the kernel (the saved metadata holds the kernel's
   results, which replaced the markers on the page).

Environment: ``LAB_CHAPTERS`` (names in ``book/``, default two fast chapters with
``{eval}`` numbers), ``LAB_BOOK`` (another folder of notebooks), ``LAB_RUN_TIMEOUT``
(seconds for Run All, default 600). Screenshots go to ``_build/screenshots/lab-*.png``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = Path(os.environ.get("LAB_BOOK", ROOT / "book"))
CHAPTERS = os.environ.get("LAB_CHAPTERS", "p3_2_stack_backprop p4_2_nalu").split()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RUN_TIMEOUT = float(os.environ.get("LAB_RUN_TIMEOUT", "600"))
SCREENSHOTS = ROOT / "_build" / "screenshots"
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
SOLUTION_START = re.compile(r"^(`{3,}|:{3,})\{solution-start\}", re.M)
# Raw MyST markup left in a rendered cell's text (math and code removed first).
RAW_MARKUP = re.compile(
    r"\{[a-z][\w:-]*\}`?|```|:::|Unknown Directive|Unknown Role|Unknown role"
)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1800)]


def _marker(n: int) -> str:
    return f"stored-{n}"


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _plain(result: dict) -> str:
    """What jupyterlab-myst shows for a result: text/plain without a string's
    quotes."""
    text = result.get("data", {}).get("text/plain", "")
    text = "".join(text) if isinstance(text, list) else text
    m = re.fullmatch(r"""(["'])(.*)\1""", text, re.S)
    return m.group(2) if m else text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _eventually(
    page, what: str, check: Callable[[], list[str]], timeout: float
) -> None:
    """Poll ``check`` (which returns problems) until it returns none; fail with the
    last problems after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        problems = check()
        if not problems:
            return
        if time.monotonic() > deadline:
            listed = "\n  ".join(problems[:15])
            more = (
                f"\n  ... and {len(problems) - 15} more" if len(problems) > 15 else ""
            )
            pytest.fail(f"{what} (still, after {timeout:.0f} s):\n  {listed}{more}")
        page.wait_for_timeout(1000)


@dataclass
class Lab:
    url: str
    token: str
    book: Path
    log: Path
    proc: subprocess.Popen

    def log_tail(self, n: int = 25) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])


def _copy_chapters(dest: Path) -> None:
    """The chapters, their stored {eval} results replaced by markers, beside a link
    to benchmarks/ (the notebooks read ../benchmarks/results/*.csv)."""
    (dest / "book").mkdir(parents=True)
    (dest / "benchmarks").symlink_to(
        BOOK.parent / "benchmarks", target_is_directory=True
    )
    n = 0
    for name in CHAPTERS:
        nb = json.loads((BOOK / f"{name}.ipynb").read_text())
        for cell in nb["cells"]:
            for entry in cell.get("metadata", {}).get("user_expressions", []):
                entry["result"] = {
                    "status": "ok",
                    "data": {"text/plain": repr(_marker(n))},
                    "metadata": {},
                }
                n += 1
        (dest / "book" / f"{name}.ipynb").write_text(json.dumps(nb, indent=1))


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    missing = [c for c in CHAPTERS if not (BOOK / f"{c}.ipynb").exists()]
    if missing:
        pytest.fail(f"no notebook {missing} in {BOOK} (LAB_CHAPTERS picks others)")
    tmp = Path(tempfile.mkdtemp(prefix="nmbook-lab-"))
    _copy_chapters(tmp)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTER_DATA_DIR=str(tmp / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
    )
    env.pop("JUPYTER_CONFIG_PATH", None)
    lab_args = (
        f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
        f"--ServerApp.port_retries=0 --IdentityProvider.token={token}"
    )
    log = tmp / "lab.log"
    cmd = [
        "make",
        "--no-print-directory",
        "-C",
        str(ROOT),
        "lab",
        f"VENV={sys.prefix}",
        f"LAB_ROOT={tmp / 'book'}",
        f"LAB_ARGS={lab_args}",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = Lab(f"http://127.0.0.1:{port}", token, tmp / "book", log, proc)
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"`make lab` exited ({proc.returncode}) before serving:\n"
                    f"{server.log_tail()}"
                )
            try:
                urllib.request.urlopen(
                    f"{server.url}/api/status?token={token}", timeout=5
                )
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"`make lab` did not answer on port {port} within 180 s:\n"
                        f"{server.log_tail()}"
                    )
                time.sleep(1)
        yield server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # make, JupyterLab and its kernels
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(lab: Lab):
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's package "
            "(`apt-get install -y chromium`); never `playwright install`"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = b.new_context(viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(30_000)
        blocked: list[str] = []

        def route(r) -> None:
            if urlsplit(r.request.url).hostname in {"127.0.0.1", "localhost"}:
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort("blockedbyclient")

        context.route("**/*", route)
        context.blocked = blocked
        yield context
        context.close()
        b.close()


# The cells of the open notebook, in order: a Markdown cell as rendered by MyST, its
# ``text`` without maths, code or the (hidden) editor, ``withCode`` with its code, the
# titles of its exercise and solution boxes, and how many directives were left as code.
CELLS_JS = r"""() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return null;
    const cells = panel.querySelectorAll(
        '.jp-Notebook > .jp-Cell, .jp-WindowedPanel-viewport > .jp-Cell');
    return [...cells].map(cell => {
        const kind = cell.classList.contains('jp-MarkdownCell') ? 'markdown'
                   : cell.classList.contains('jp-CodeCell') ? 'code' : 'raw';
        const out = cell.querySelector('.jp-Cell-inputArea .myst');
        if (kind !== 'markdown') return {kind};
        if (!out) return {kind, rendered: false};
        const clone = out.cloneNode(true);
        clone.querySelectorAll(
            '.katex, .katex-display, math, mjx-container, script, style'
        ).forEach(e => e.remove());
        const withCode = clone.textContent;
        clone.querySelectorAll('code, pre').forEach(e => e.remove());
        return {
          kind, rendered: true, text: clone.textContent, withCode: withCode,
          solutions: [...out.querySelectorAll('.myst-exercise-title')]
                     .map(e => e.textContent),
          unparsed: out.querySelectorAll('code[class*="language-{"]').length,
        };
      });
}"""


def _rendered(page) -> list[dict] | None:
    return page.evaluate(CELLS_JS)


def _check_page(
    page, nb: dict, expected: dict[int, list[tuple[str, str]]]
) -> list[str]:
    """Problems of the open notebook's rendered Markdown. ``expected``: cell index ->
    [(expression, text it must show)]."""
    cells = _rendered(page)
    if cells is None:
        return ["no notebook panel is open"]
    if len(cells) != len(nb["cells"]):
        return [f"{len(cells)} cells on the page, {len(nb['cells'])} in the notebook"]
    problems = []
    for i, (cell, shown) in enumerate(zip(nb["cells"], cells, strict=True)):
        if cell["cell_type"] != "markdown":
            continue
        if not shown.get("rendered"):
            problems.append(f"cell {i}: Markdown not rendered by MyST")
            continue
        text = " ".join(shown["text"].split())
        for m in RAW_MARKUP.finditer(text):
            near = text[max(0, m.start() - 40) : m.end() + 40]
            problems.append(f"cell {i}: raw markup {m.group(0)!r} in: ...{near}...")
        if shown["unparsed"]:
            problems.append(f"cell {i}: a directive shown as a code block")
        n_solutions = len(SOLUTION_START.findall(_source(cell)))
        labelled = [s for s in shown["solutions"] if "Solution to" in s]
        if len(labelled) < n_solutions:
            problems.append(
                f"cell {i}: {n_solutions} gated solution(s), but the page labels "
                f"{len(labelled)} as 'Solution to ...' ({shown['solutions']})"
            )
        with_code = " ".join(shown["withCode"].split())
        for expr, want in expected.get(i, []):
            if want not in text:
                problems.append(f"cell {i}: {{eval}}`{expr}` does not show {want!r}")
            if expr in with_code:
                problems.append(f"cell {i}: {{eval}}`{expr}` shows its expression")
    return problems


def _stored_expected(nb: dict) -> dict[int, list[tuple[str, str]]]:
    expected = {}
    for i, cell in enumerate(nb["cells"]):
        entries = cell.get("metadata", {}).get("user_expressions", [])
        if entries:
            expected[i] = [(e["expression"], _plain(e["result"])) for e in entries]
    return expected


def _news_prompts(page) -> list[str]:
    toasts = page.locator(".Toastify__toast, .jp-toast-message").all_inner_texts()
    return [f"a pop-up: {t!r}" for t in toasts if "news" in t.lower()]


def _run_all(page, name: str) -> None:
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    deadline = time.monotonic() + RUN_TIMEOUT
    quiet = 0
    while quiet < 3:  # three polls in a row with no cell queued or running
        if time.monotonic() > deadline:
            pytest.fail(
                f"{name}: Run All Cells did not finish within {RUN_TIMEOUT:.0f} s"
            )
        busy = page.evaluate(
            """() => [...document.querySelectorAll(
                 '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]
                 .filter(e => e.textContent.includes('[*]')).length"""
        )
        quiet = quiet + 1 if busy == 0 else 0
        page.wait_for_timeout(1000)  # (Playwright serves the page's requests meanwhile)


def _save(page, path: Path, name: str, lab: Lab) -> dict:
    before = path.stat().st_mtime_ns
    page.locator(".lm-MenuBar-item", has_text="File").first.click()
    page.locator('.lm-Menu-item[data-command="docmanager:save"]').click()
    deadline = time.monotonic() + 60
    while path.stat().st_mtime_ns == before:
        if time.monotonic() > deadline:
            page.screenshot(path=str(SCREENSHOTS / f"lab-{name}-save.png"))
            pytest.fail(
                f"{name}: File > Save did not write the notebook within 60 s; "
                f"server log:\n{lab.log_tail()}"
            )
        page.wait_for_timeout(500)
    page.wait_for_timeout(1000)
    return json.loads(path.read_text())


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_reads_like_its_page_and_runs(lab: Lab, browser, name: str) -> None:
    path = lab.book / f"{name}.ipynb"
    nb = json.loads(path.read_text())
    converted = any(EVAL_ROLE.search(_source(c)) for c in nb["cells"])
    still_glue = any("{glue" in _source(c) for c in nb["cells"])
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{lab.url}/lab/tree/{name}.ipynb?reset&token={lab.token}")
        try:
            page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .myst").first.wait_for(
                timeout=180_000
            )
        except Exception:
            pytest.fail(
                f"{name}: JupyterLab showed no MyST-rendered cell within 180 s "
                f"(is jupyterlab-myst installed?); page errors: {errors[:3]}; "
                f"server log:\n{lab.log_tail()}"
            )
        # 1. Before running: the stored results, rendered as MyST, no raw markup.
        stored = _stored_expected(nb)
        unstored = [
            f"cell {i}: {{eval}}`{expr}`"
            for i, cell in enumerate(nb["cells"])
            if cell["cell_type"] == "markdown"
            for expr in EVAL_ROLE.findall(_source(cell))
            if expr not in {e for e, _ in stored.get(i, [])}
        ]
        assert not unstored, (
            f"{name}: {{eval}} without a stored result (JupyterLab shows the "
            f"expression until the cell runs): {unstored}; execute the notebook with "
            "tools/execute_notebooks.py"
        )
        _eventually(
            page,
            f"{name}, opened in JupyterLab",
            lambda: _check_page(page, nb, stored) + _news_prompts(page),
            timeout=90,
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"lab-{name}-opened.png"))

        # 2. Run All Cells, save, and read what the kernel produced.
        _run_all(page, name)
        ran = _save(page, path, name, lab)
        raised = [
            f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
            for i, c in enumerate(ran["cells"])
            for o in c.get("outputs", [])
            if o.get("output_type") == "error"
        ]
        assert not raised, f"{name}: cells raised when run in JupyterLab: {raised}"
        after = _stored_expected(ran)
        failed = [
            f"cell {i}: {{eval}}`{e}` -> {r}"
            for i, c in enumerate(ran["cells"])
            for e, r in [
                (x["expression"], x["result"])
                for x in c.get("metadata", {}).get("user_expressions", [])
            ]
            if r.get("status") != "ok"
        ]
        assert not failed, f"{name}: expressions failed in the kernel: {failed}"
        markers = [
            f"cell {i}: {{eval}}`{e}` still {t!r}"
            for i, pairs in after.items()
            for e, t in pairs
            if t.startswith("stored-")
        ]
        assert not markers, f"{name}: not evaluated when run: {markers}"
        assert set(after) == set(stored), (
            f"{name}: cells with {{eval}} results before {sorted(stored)} "
            f"and after running {sorted(after)}"
        )
        _eventually(
            page,
            f"{name}, after Run All Cells",
            lambda: _check_page(page, ran, after) + _news_prompts(page),
            timeout=60,
        )
        page.screenshot(path=str(SCREENSHOTS / f"lab-{name}-run.png"))
    finally:
        page.close()
    assert not browser.blocked, f"requests to other hosts: {browser.blocked[:5]}"
    if not converted:
        if still_glue:
            pytest.skip(
                f"{name} still puts numbers in its prose with glue: rendered and run "
                "without raw markup; the {eval} checks run once it is converted"
            )
        pytest.fail(f"{name} has no {{eval}} number: pick chapters with LAB_CHAPTERS")
