"""Sphinx directive ``benchmark-tables``: every CSV in ``benchmarks/results/``,
summarised, read at build time.

The benchmarks page (``book/benchmarks.md``) holds only prose and this directive, so a
benchmark that writes a new ``benchmarks/results/<name>.csv`` appears on the page at the
next build without anyone editing the page, and no notebook has to be executed during
the build. For each CSV the directive emits a section titled with the CSV's name that
leads with what the benchmark shows: one sentence and one short table computed from the
CSV by ``_ext/benchmark_summaries.py`` (success rates with their intervals, medians,
speed ratios against the baseline; a summary of more than three rows is collapsed in its
own dropdown). Then, collapsed in a dropdown, come the first paragraph of the docstring
of the script that writes it, the command that reproduces it (``python
benchmarks/<script>.py``), a link to the CSV file itself (copied into the build by
Sphinx as a download) and the full table. The page leads with a figure: ``stack.csv``'s
speed ratios as bars. Scripts in
``benchmarks/`` whose CSV does not exist yet are listed with their command; nothing is
invented when no benchmark has run.

The script that writes ``<name>.csv`` is ``benchmarks/<name>.py`` if it exists,
otherwise the script whose source mentions ``<name>.csv``. The full table carries the id
``benchmark-table-<name>`` and the class ``benchmark-table`` inside a ``<details
class="benchmark-rows">`` (sphinx_design's dropdown; a plain container with
sphinx-togglebutton's ``toggle`` class where sphinx_design is not loaded); the summary
table carries the id ``benchmark-summary-<name>``. ``tests/built/test_book_pages.py``
checks that every CSV is shown, with its header and every row, its summary, its dropdown
and its downloadable file.

Loaded by ``_ext/offline_book.py`` (``app.setup_extension``), so ``_config.yml`` lists
one local extension.
"""

from __future__ import annotations

import ast
import csv
import html
import math
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx import addnodes
from sphinx.util import logging

try:  # loaded as ``benchmark_tables`` from _ext/ (on sys.path) or as a package module
    from benchmark_summaries import summarise
except ImportError:  # pragma: no cover
    from .benchmark_summaries import summarise

logger = logging.getLogger(__name__)

# a table longer than this is a sign the CSV wants summarising in its script
MAX_ROWS = 500
# a longer summary table waits behind its own toggle, so the page stays short
SHOWN_SUMMARY_ROWS = 3


def _scripts(bench: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(bench.glob("*.py")) if not p.name.startswith("_")}


def _summary(script: Path | None) -> str:
    """The first paragraph of a script's module docstring, on one line ('' when there
    is none)."""
    if script is None:
        return ""
    try:
        doc = ast.get_docstring(ast.parse(script.read_text()))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return ""
    return " ".join((doc or "").strip().split("\n\n")[0].split())


def _producer(name: str, scripts: dict[str, Path]) -> Path | None:
    if name in scripts:
        return scripts[name]
    for script in scripts.values():
        if f"{name}.csv" in script.read_text(errors="replace"):
            return script
    return None


def _paragraph(*parts: nodes.Node | str) -> nodes.paragraph:
    para = nodes.paragraph()
    for part in parts:
        para += nodes.Text(part) if isinstance(part, str) else part
    return para


def _command(script: Path, root: Path) -> nodes.literal:
    return nodes.literal(text=f"python {script.relative_to(root).as_posix()}")


def _table(
    name: str, header: list[str], rows: list[list[str]], kind: str = "table"
) -> nodes.table:
    table = nodes.table(ids=[f"benchmark-{kind}-{name}"], classes=[f"benchmark-{kind}"])
    tgroup = nodes.tgroup(cols=len(header))
    table += tgroup
    for _ in header:
        tgroup += nodes.colspec(colwidth=1)

    def row(cells: list[str]) -> nodes.row:
        r = nodes.row()
        for cell in cells:
            r += nodes.entry("", nodes.paragraph(text=cell))
        return r

    thead = nodes.thead()
    thead += row(header)
    tbody = nodes.tbody()
    for cells in rows:
        tbody += row((cells + [""] * len(header))[: len(header)])
    tgroup += thead
    tgroup += tbody
    return table


def _collapsed(
    env, title: str, body: list[nodes.Node], classes: str = "benchmark-rows"
) -> nodes.Element:
    """``body`` behind a toggle titled ``title``: sphinx_design's dropdown
    (``<details>``) when it is loaded."""
    if "sphinx_design" in env.app.extensions:
        from sphinx_design.shared import create_component

        box = create_component(
            "dropdown",
            opened=False,
            type="dropdown",
            has_title=True,
            icon=None,
            chevron=None,
            container_classes=["sd-mb-3", classes],
            title_classes=[],
            body_classes=[],
        )
        box += nodes.rubric(title, title)
    else:
        box = nodes.container(classes=["toggle", classes])
        box += _paragraph(title)
    box.extend(body)
    return box


def _speed_figure(path: Path) -> nodes.Node | None:
    """The page's lead figure: ``stack.csv``'s time ratios as horizontal bars on a log
    scale (plain HTML and CSS, so it renders offline and in the PDF), or None."""
    if not path.exists():
        return None
    with path.open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("time_vs_nmbook")]
    if not rows:
        return None
    rows.sort(key=lambda r: float(r["time_vs_nmbook"]))
    top = max(math.log2(float(r["time_vs_nmbook"])) for r in rows) or 1.0
    bars = []
    for r in rows:
        ratio = float(r["time_vs_nmbook"])
        width = 2 + 96 * max(0.0, math.log2(ratio)) / top
        name = html.escape(r["implementation"])
        bars.append(
            f'<div class="speed-bar"><span class="speed-label">{name}</span>'
            f'<span class="speed-track"><span class="speed-fill" '
            f'style="width:{width:.1f}%"></span></span>'
            f'<span class="speed-ratio">{ratio:g}×</span></div>'
        )
    caption = (
        "Time of one forward and backward pass through the stack, as a multiple of "
        "nmbook's vectorised NumPy (log scale; stack.csv, below)."
    )
    text = (
        '<figure class="benchmark-lead">'
        + "".join(bars)
        + f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )
    return nodes.raw("", text, format="html")


def _download(path: Path, root: Path) -> addnodes.download_reference:
    """A link to the CSV file itself; Sphinx copies it into ``_downloads/`` of the
    HTML build."""
    rel = path.relative_to(root).as_posix()
    ref = addnodes.download_reference(
        "",
        "",
        reftarget=f"/{rel}",
        refexplicit=True,
        refwarn=False,
        classes=["benchmark-csv"],
    )
    ref += nodes.literal(text=path.name)
    return ref


class BenchmarkTables(Directive):
    """``{benchmark-tables}`` with an optional ``:results:`` folder (default
    ``benchmarks/results``)."""

    has_content = False
    option_spec = {"results": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        root = Path(env.srcdir)
        results = root / self.options.get("results", "benchmarks/results")
        bench = results.parent
        scripts = _scripts(bench) if bench.is_dir() else {}
        csvs = sorted(results.glob("*.csv")) if results.is_dir() else []
        # Rebuild this page when a CSV or a script is added, removed or changed
        # (directory mtimes change too).
        for dep in [bench, results, *csvs, *scripts.values()]:
            if dep.exists():
                env.note_dependency(str(dep))

        out: list[nodes.Node] = []
        lead = _speed_figure(results / "stack.csv")
        if lead is not None:
            out.append(lead)
        shown: set[Path] = set()
        for path in csvs:
            name = path.stem
            with path.open(newline="") as f:
                table_rows = [r for r in csv.reader(f) if r]
            if not table_rows:
                continue
            header, rows = table_rows[0], table_rows[1:]
            script = _producer(name, scripts)
            section = nodes.section(
                ids=[f"benchmark-{name}"], names=[f"benchmark {name}"]
            )
            section += nodes.title(text=name)
            summary, failure = summarise(name, header, rows)
            if failure:
                logger.warning(
                    (
                        "benchmark %s: its summary no longer matches the CSV (%s); "
                        "showing column ranges instead"
                    ),
                    path.name,
                    failure,
                    location=(env.docname, self.lineno),
                    type="benchmark",
                    subtype="summary",
                )
            section += _paragraph(summary.sentence)
            table = _table(name, summary.header, summary.rows, kind="summary")
            if len(summary.rows) <= SHOWN_SUMMARY_ROWS:
                section += table
            else:
                title = f"Summary ({len(summary.rows)} rows)"
                section += _collapsed(env, title, [table], classes="benchmark-summary")
            body: list[nodes.Node] = []
            doc = _summary(script)
            if doc:
                body.append(_paragraph(doc))
            how = [
                "Reproduce: ",
                *(
                    (_command(script, root),)
                    if script
                    else ("(no script in benchmarks/ writes it)",)
                ),
                " writes ",
                nodes.literal(text=path.relative_to(root).as_posix()),
                f" ({len(rows)} rows); download it: ",
                _download(path, root),
                ".",
            ]
            body.append(_paragraph(*how))
            if len(rows) > MAX_ROWS:
                body.append(_paragraph(f"The first {MAX_ROWS} of {len(rows)} rows:"))
            body.append(_table(name, header, rows[:MAX_ROWS]))
            section += _collapsed(env, f"All {len(rows)} rows of {path.name}", body)
            self.state.document.note_implicit_target(section, section)
            out.append(section)
            if script:
                shown.add(script)

        pending = [s for s in scripts.values() if s not in shown]
        if pending:
            section = nodes.section(
                ids=["benchmarks-not-yet-run"], names=["benchmarks not yet run"]
            )
            section += nodes.title(text="Benchmarks without results yet")
            section += _paragraph(
                "These scripts exist but their CSV is not in ",
                nodes.literal(text=results.relative_to(root).as_posix()),
                " yet; run them to add their table to this page.",
            )
            items = nodes.bullet_list()
            for script in pending:
                summary = _summary(script)
                items += nodes.list_item(
                    "",
                    _paragraph(
                        _command(script, root), *((" — " + summary,) if summary else ())
                    ),
                )
            section += items
            out.append(section)
        if not csvs and not scripts:
            out.append(
                _paragraph(
                    "No benchmark has been written yet: this page will show each ",
                    nodes.literal(text="benchmarks/<name>.py"),
                    " and its results once one exists.",
                )
            )
        return out


def setup(app) -> dict[str, Any]:
    app.add_directive("benchmark-tables", BenchmarkTables)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
