"""Robustness commands: ``hqd audit`` (statistical audit) and ``hqd uncertainty`` (Monte Carlo
uncertainty, Sobol sensitivity, leave-one-indicator-out).  Thin: they call :mod:`hqd.robustness`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hqd.cli.outputs import output_folder
from hqd.errors import HqdError

app = typer.Typer()  # this module's commands; hqd.cli.main imports it when one of them runs
console = Console()

FrameworkOpt = Annotated[Path, typer.Option("--framework", "-f", help="framework (CSV, Excel, YAML or COINr iMeta)")]
DataOpt = Annotated[Path, typer.Option("--data", "-d", help="data (long, wide or wide-by-year; CSV, Excel, Parquet)")]
RecipeOpt = Annotated[Path | None, typer.Option("--recipe", "-r", help="recipe YAML (default: min-max, framework "
                                                 "weights, arithmetic means)")]
RegionsOpt = Annotated[Path | None, typer.Option("--regions", help="regions table: code, name_zh, name_en, groups")]
RegionColOpt = Annotated[str | None, typer.Option("--region-col", help="name of the region key column")]
YearColOpt = Annotated[str | None, typer.Option("--year-col", help="name of the year column")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="folder to write (a run directory gets a sub-folder)")]


@app.command()
def audit(
    framework: FrameworkOpt,
    data: DataOpt,
    out: OutOpt,
    recipe: RecipeOpt = None,
    step: Annotated[str, typer.Option(help="data the indicator statistics describe: raw, denominated, imputed, "
                                      "screened, treated or normalised")] = "raw",
    year: Annotated[int | None, typer.Option(help="audit one year (default: all region-years pooled)")] = None,
    regions: RegionsOpt = None,
    region_col: RegionColOpt = None,
    year_col: YearColOpt = None,
) -> None:
    """Statistical audit: indicator statistics and flags, correlations, Cronbach's alpha, PCA."""
    from hqd.pipeline import run as run_pipeline
    from hqd.robustness.audit import audit as run_audit

    output_folder(out)
    with console.status("building the index…"):
        result = run_pipeline(framework, data, recipe, regions=regions, region_col=region_col, year_col=year_col)
    report = run_audit(result, step=step, year=year)
    folder = report.write(out)
    for line in report.summary_lines():
        console.print(line, highlight=False, soft_wrap=True)
    console.print(f"[green]✓[/] audit written to {folder}/ (stats.csv, correlations.csv, corr_pearson.csv, "
                  "corr_spearman.csv, alpha.csv, pca.csv, pca_loadings.csv, flags.csv, summary.md, audit.xlsx)")


@app.command()
def uncertainty(
    framework: FrameworkOpt,
    data: DataOpt,
    spec: Annotated[Path, typer.Option("--spec", "-s", help="uncertainty spec (YAML): the uncertain inputs")],
    out: OutOpt,
    recipe: RecipeOpt = None,
    n: Annotated[int, typer.Option("--n", help="runs (ua) or base sample size N (sobol: N·(inputs + 2) runs)")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="random seed (same seed → same numbers)")] = 1,
    method: Annotated[str, typer.Option("--method", help="ua (rank bands), sobol (rank bands + Sobol "
                                        "indices) or loo (leave one indicator out)")] = "ua",
    n_boot: Annotated[int, typer.Option("--boot", help="bootstrap resamples of the Sobol intervals")] = 1000,
    conf: Annotated[float, typer.Option("--conf", help="Sobol interval level (0.9 = 5–95%)")] = 0.9,
    sampler: Annotated[str, typer.Option("--sampler", help="Sobol design: random (as COINr) or qmc "
                                         "(scrambled Sobol' sequence)")] = "random",
    workers: Annotated[int | None, typer.Option("--workers", help="processes (default: 2 for large "
                                                "analyses, else 1)")] = None,
    regions: RegionsOpt = None,
    region_col: RegionColOpt = None,
    year_col: YearColOpt = None,
) -> None:
    """Monte Carlo uncertainty analysis (rank bands), Sobol sensitivity or leave-one-indicator-out."""
    from hqd.io.excel import neutralise, write_workbook
    from hqd.robustness.uncertainty import leave_one_out, prepare, resolve_out, run_analysis

    if method not in ("ua", "sobol", "loo"):
        raise HqdError(f"unknown method {method!r}; valid: ua, sobol, loo", code="unknown_method")
    if n < (2 if method == "sobol" else 1):
        raise HqdError(f"--n must be at least {2 if method == 'sobol' else 1}; got {n}", code="invalid_range")
    output_folder(out)
    started = time.perf_counter()
    with console.status("checking the inputs and the spec, building the nominal index…"):
        analysis = prepare(framework, data, recipe, spec, seed=seed, regions=regions, region_col=region_col,
                           year_col=year_col)
    if analysis.panel.synthetic:
        from hqd.io.rundir import SYNTHETIC_LABEL

        console.print(f"[bold red]{SYNTHETIC_LABEL}[/]")
    if method == "loo":
        table, summary = leave_one_out(analysis)
        folder = resolve_out(out)
        folder.mkdir(parents=True, exist_ok=True)
        neutralise(table).to_csv(folder / "leave_one_out.csv", index=False)
        neutralise(summary).to_csv(folder / "leave_one_out_summary.csv", index=False)
        write_workbook(folder / "leave_one_out.xlsx", {"summary": summary, "shifts": table.head(1_000_000)},
                       bilingual=False)
        _print_loo(summary)
        console.print(f"[green]✓[/] leave-one-out written to {folder}/ (leave_one_out.csv, "
                      "leave_one_out_summary.csv, leave_one_out.xlsx)")
        return
    total = n * (len(analysis.spec.inputs) + 2) if method == "sobol" else n
    with Progress(TextColumn("[bold]runs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("runs", total=total)
        result = run_analysis(analysis, n=n, seed=seed, method=method, n_boot=n_boot, conf=conf,
                              sampler=sampler, workers=workers,
                              progress=lambda done, _total: bar.update(task, completed=done))
    elapsed = time.perf_counter() - started
    with console.status("writing…"):
        folder = result.write(out)
    _print_bands(result)
    for line in result.summary_lines():
        console.print(line, highlight=False, soft_wrap=True)
    console.print(f"[green]✓[/] {result.runs} runs in {result.timings.get('total_analysis', 0):.2f} s "
                  f"({elapsed:.2f} s with loading and checks) → {folder}/ (rank_stats.csv, run_scores.parquet, "
                  "parameters.csv" + (", sobol.csv" if result.sobol is not None else "") + ", uncertainty.xlsx)")


def _print_bands(result: object, limit: int = 20) -> None:
    from hqd.robustness.uncertainty import UncertaintyResult

    assert isinstance(result, UncertaintyResult)
    bands = result.rank_bands(with_names=True)
    node, year = result.nodes[0], int(result.years[-1])
    table = Table(title=f"rank bands of {node} {year} ({result.runs} runs)")
    for column in ("region", "nominal", "median", "5%", "95%"):
        table.add_column(column, justify="left" if column == "region" else "right")
    for row in bands.head(limit).itertuples():
        name = getattr(row, "name", "") or ""
        label = f"{row.region} {name}".strip()
        table.add_row(label, f"{row.nominal:.0f}", f"{row.median:.0f}", f"{row.q05:.0f}", f"{row.q95:.0f}")
    console.print(table)


def _print_loo(summary: object) -> None:
    import pandas as pd

    assert isinstance(summary, pd.DataFrame)
    table = Table(title="leave one indicator out: rank shifts")
    for column in ("node", "year", "indicator", "mean |shift|", "max |shift|", "regions moved"):
        table.add_column(column)
    for row in summary.head(20).itertuples():
        table.add_row(str(row.node), str(row.year), str(row.indicator), f"{row.mean_abs_shift:.2f}",
                      f"{row.max_abs_shift:.0f}", str(row.regions_moved))
    console.print(table)
