"""``hqd report RUN_DIR --format xlsx|html|pdf --out FILE [--lang zh|en] [--db URL]``: thin over :mod:`hqd.report`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hqd.cli.outputs import output_file

app = typer.Typer()  # this module's commands; hqd.cli.main imports it when one of them runs
console = Console()


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="run directory (hqd run … --out DIR, or DEMO/run)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="file to write")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="xlsx | html | pdf (default: from --out's suffix)")] = "",
    lang: Annotated[str, typer.Option("--lang", help="zh | en")] = "zh",
    db: Annotated[str | None, typer.Option("--db", help="registry database URL: add its project and enterprise "
                                           "summaries")] = None,
) -> None:
    """Write the Blue-Book report of a run: Excel workbook, self-contained HTML, or PDF (headless Chromium)."""
    from hqd.errors import HqdError
    from hqd.report import FORMATS, build_report

    chosen = fmt or out.suffix.lstrip(".").lower()
    if chosen not in FORMATS:
        raise HqdError(f"unknown report format {chosen!r}; valid: {', '.join(FORMATS)} (give --format)",
                       code="invalid_parameter")
    output_file(out)
    started = time.perf_counter()
    with console.status(f"writing the {chosen} report…"):
        path = build_report(run_dir, chosen, out, lang=lang, db=db)
    from hqd.report.rundata import RunData

    if RunData(run_dir).synthetic:
        from hqd.io.rundir import SYNTHETIC_LABEL

        console.print(f"[bold red]{SYNTHETIC_LABEL}[/]")
    console.print(f"[green]✓[/] {chosen} report → {path} ({time.perf_counter() - started:.1f} s)")
