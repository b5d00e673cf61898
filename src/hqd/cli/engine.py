"""Engine commands: ``run``, ``validate``, ``methods``, ``growth``, ``demo``, ``template``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hqd.cli.outputs import output_folder, template_file
from hqd.errors import HqdError

if TYPE_CHECKING:
    from hqd.result import Result

app = typer.Typer()  # this module's commands; hqd.cli.main imports it when one of them runs
console = Console()

FrameworkOpt = Annotated[Path, typer.Option("--framework", "-f", help="framework (CSV, Excel, YAML or COINr iMeta)")]
DataOpt = Annotated[list[Path], typer.Option("--data", "-d", help="data (long, wide or wide-by-year; CSV, Excel, "
                                              "Parquet; or an official export with --format); repeat for several tables")]
RecipeOpt = Annotated[Path | None, typer.Option("--recipe", "-r", help="recipe YAML (default: min-max, "
                                                 "framework weights, arithmetic means)")]
RegionsOpt = Annotated[Path | None, typer.Option("--regions", help="regions table: code, name_zh, name_en, groups")]
RegionColOpt = Annotated[str | None, typer.Option("--region-col", help="name of the region key column")]
YearColOpt = Annotated[str | None, typer.Option("--year-col", help="name of the year column")]
FormatOpt = Annotated[list[str] | None, typer.Option(
    "--format", help="data format: table (HQD long/wide/wide-by-year, the default), auto (an official export if "
    "one reader recognises it, else a table), nbs, worldbank, undp, yearbook; once, or once per --data")]
IndicatorColOpt = Annotated[str | None, typer.Option("--indicator-col", help="indicator column of a long table")]
ValueColOpt = Annotated[str | None, typer.Option("--value-col", help="value column of a long table")]
RegionNamesOpt = Annotated[str | None, typer.Option(
    "--region-names", help="the region column holds names of this level (province, prefecture, county, any): "
    "resolve them to GB/T 2260 codes")]
ExcludeOpt = Annotated[list[str] | None, typer.Option("--exclude-region", help="leave out this region code (e.g. CHN)")]
YearsOpt = Annotated[str | None, typer.Option("--years", help="keep these years, FIRST:LAST (e.g. 2012:2023)")]
EncodingOpt = Annotated[str | None, typer.Option("--encoding", help="encoding of CSV data that is not UTF-8, e.g. gbk")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="the data workbook's sheet: its name or its number "
                                              "(1 = the first); default the first sheet")]


def _data_options(indicator_col: str | None, value_col: str | None, region_names: str | None,
                  exclude: list[str] | None, years: str | None, data_format: list[str] | None,
                  encoding: str | None = None, sheet: str | None = None) -> dict[str, Any]:
    options: dict[str, Any] = {"indicator_col": indicator_col, "value_col": value_col,
                               "region_names": region_names, "exclude_regions": exclude or None,
                               "encoding": encoding, "sheet": sheet}
    if years:
        first, _, last = years.partition(":")
        if not (first.strip().isdigit() and last.strip().isdigit()):
            raise HqdError(f"--years must be FIRST:LAST, e.g. 2012:2023; got {years!r}", code="invalid_parameter")
        options["years"] = (int(first), int(last))
    if data_format:
        options["data_format"] = data_format[0] if len(data_format) == 1 else data_format
    return {k: v for k, v in options.items() if v is not None}


def _print_warnings(warnings: list[object]) -> None:
    for problem in warnings:
        console.print(f"[yellow]warning[/] {problem}", highlight=False, soft_wrap=True)


@app.command()
def run(
    framework: FrameworkOpt,
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="run directory to write")],
    recipe: RecipeOpt = None,
    regions: RegionsOpt = None,
    region_col: RegionColOpt = None,
    year_col: YearColOpt = None,
    data_format: FormatOpt = None,
    indicator_col: IndicatorColOpt = None,
    value_col: ValueColOpt = None,
    region_names: RegionNamesOpt = None,
    exclude_region: ExcludeOpt = None,
    years: YearsOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
) -> None:
    """Build the index and write the run directory (scores, weights, manifest, results.xlsx)."""
    from hqd.io.rundir import SYNTHETIC_LABEL, write_run
    from hqd.pipeline import run as run_pipeline

    output_folder(out)
    with console.status("building the index…"):
        options = _data_options(indicator_col, value_col, region_names, exclude_region, years, data_format,
                             encoding, sheet)
        result = run_pipeline(framework, data if len(data) > 1 else data[0], recipe, regions=regions,
                              region_col=region_col, year_col=year_col, **options)
    _print_warnings(list(result.warnings))
    with console.status("writing the run directory…"):
        write_run(result, out)
    if result.panel.synthetic:
        console.print(f"[bold red]{SYNTHETIC_LABEL}[/]")
    t, r, m = result.panel.shape
    console.print(f"[green]✓[/] {r} regions × {t} years × {m} indicators → {out}/ "
                  f"(scores.csv, weights.csv, manifest.json, results.xlsx)")
    _print_ranking(result, int(result.years[-1]))


def _print_ranking(result: Result, year: int, limit: int = 15) -> None:
    scores = result.scores
    top = scores[(scores["node"] == result.index_code) & (scores["year"] == year)].sort_values("rank")
    table = Table(title=f"{result.framework.name(result.index_code, 'zh')} {year}")
    table.add_column("rank", justify="right")
    table.add_column("region")
    table.add_column("score", justify="right")
    for row in top.head(limit).itertuples():
        rank = "" if row.rank != row.rank else str(int(row.rank))
        table.add_row(rank, result.region_name(str(row.region), "zh"), f"{row.score:.4f}")
    console.print(table)


@app.command()
def validate(
    framework: FrameworkOpt,
    data: DataOpt,
    recipe: RecipeOpt = None,
    regions: RegionsOpt = None,
    region_col: RegionColOpt = None,
    year_col: YearColOpt = None,
    data_format: FormatOpt = None,
    indicator_col: IndicatorColOpt = None,
    value_col: ValueColOpt = None,
    region_names: RegionNamesOpt = None,
    exclude_region: ExcludeOpt = None,
    years: YearsOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
) -> None:
    """Check framework, data and recipe; list every problem (exit 0 when valid, 2 otherwise)."""
    from hqd.pipeline import load_inputs

    options = _data_options(indicator_col, value_col, region_names, exclude_region, years, data_format,
                             encoding, sheet)
    fw, panel, _ = load_inputs(framework, data if len(data) > 1 else data[0], recipe, regions, region_col,
                               year_col, **options)
    for record in panel.provenance:
        console.print(str(record.get("reader", "")), highlight=False, soft_wrap=True)
    _print_warnings([*fw.warnings, *panel.warnings])
    t, r, m = panel.shape
    console.print(f"[green]✓ valid[/]: {len(fw.nodes)} nodes ({m} indicators, {fw.max_level} levels); "
                  f"{r} regions × {t} years" + (" [red](SYNTHETIC data)[/]" if panel.synthetic else ""))


@app.command()
def methods() -> None:
    """List every registered method with its one-line description."""
    from hqd.cli import messages
    from hqd.methods import catalog
    from hqd.methods.labels import label

    zh = messages.language() == "zh"
    table = Table(title="HQD 方法（配方、命令行和接口中使用的名称）" if zh
                  else "HQD methods (the names used in recipes, the CLI and the API)")
    for column in (("步骤", "方法", "中文名称", "说明", "参数") if zh
                   else ("step", "method", "中文名称", "description", "parameters")):
        table.add_column(column)
    for method in catalog.all_methods():
        name_zh, text_zh = label(method.family, method.name, "zh")
        table.add_row(method.family, method.name, name_zh, text_zh if zh else method.doc, ", ".join(method.options))
    console.print(table)


@app.command()
def growth(
    start_year: int, start_value: float, end_year: int, end_value: float,
) -> None:
    """Print total growth % and CAGR % between two values (CAGR over END_YEAR − START_YEAR intervals)."""
    from hqd import growth as gm

    if end_year <= start_year:
        raise HqdError("END_YEAR must be after START_YEAR", code="invalid_parameter")
    if start_value <= 0:
        raise HqdError("START_VALUE must be positive", code="invalid_parameter")
    total = float(gm.total_growth(start_value, end_value))
    rate = float(gm.cagr(start_value, end_value, end_year - start_year))
    ratio = float(gm.multiple(start_value, end_value))
    console.print(f"{start_year}→{end_year}: {start_value:g} → {end_value:g}: total growth {total:.2f}%, "
                  f"CAGR {rate:.2f}% a year over {end_year - start_year} intervals (×{ratio:.4g})")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for the demo's inputs and run")] = Path("demo-out"),
) -> None:
    """Run the bundled Jing-Jin-Ji demo (real framework, SYNTHETIC panel) and write its workbook."""
    from hqd.datasets.jjj import write_demo_inputs
    from hqd.io.rundir import SYNTHETIC_LABEL, write_run
    from hqd.pipeline import run as run_pipeline

    output_folder(out)
    console.print(f"[bold red]{SYNTHETIC_LABEL}[/]: the Jing-Jin-Ji demo panel is generated, not observed.")
    paths = write_demo_inputs(out / "input")
    result = run_pipeline(paths["framework"], paths["data"], paths["recipe"], regions=paths["regions"])
    run_dir = write_run(result, out / "run")
    last, first = int(result.years[-1]), int(result.years[0])
    _print_ranking(result, last)

    g = result.growth(first, last)
    table = Table(title=f"growth {first}–{last}")
    for column in ("region", "start", "end", "growth %", "CAGR %"):
        table.add_column(column, justify="right" if column != "region" else "left")
    for row in g.sort_values("cagr_pct", ascending=False).itertuples():
        table.add_row(result.region_name(str(row.region), "zh"), f"{row.start:.3f}", f"{row.end:.3f}",
                      f"{row.total_growth_pct:.2f}", f"{row.cagr_pct:.2f}")
    console.print(table)

    d = result.drivers(first, last)
    mean_share = d.groupby("child", sort=False)["share_pct"].mean()
    console.print("drivers of the index change (mean share over the 13 cities): " + ", ".join(
        f"{result.framework.name(c, 'zh')} {v:.1f}%" for c, v in mean_share.sort_values(ascending=False).items()))
    for region in ("110000", "120000", "130100"):
        console.print(result.narrative(region, first, last, lang="zh"))
        console.print(result.narrative(region, first, last, lang="en"))
    hebei = result.for_groups("province_zh", name_en_column="province_en")  # Hebei = mean of its 11 cities
    console.print(hebei.narrative("河北", first, last, lang="zh") + "（河北为11市平均）")
    console.print(hebei.narrative("河北", first, last, lang="en") + " (Hebei: mean of its 11 cities)")
    console.rule("Jing-Jin-Ji analyses: coordination, inequality, convergence, spatial, obstacles")
    from hqd.cli.analyze import jjj_cmd

    jjj_cmd(run_dir, out=run_dir / "analysis", permutations=999)

    console.rule("Robustness: 1,000 Monte Carlo runs (weights equal/entropy/CRITIC, ±20% noise, arith./geom.)")
    from hqd.robustness import demo_uncertainty

    bands = demo_uncertainty(paths, out=run_dir).rank_bands(with_names=True)
    table = Table(title=f"rank bands {last} (5–95 %)")
    for column in ("city", "nominal", "median", "q05–q95"):
        table.add_column(column, justify="left" if column == "city" else "right")
    for row in bands.itertuples():
        table.add_row(str(row.name), f"{row.nominal:.0f}", f"{row.median:.0f}", f"{row.q05:.0f}–{row.q95:.0f}")
    console.print(table)

    console.rule("Industrial coordination registry (real taxonomy and chain maps; SYNTHETIC projects/firms)")
    import hqd.registry as registry

    db_url = f"sqlite:///{(out / 'registry.sqlite').resolve()}"
    registry.load_demo(db_url)
    projects = registry.summarize_projects(db_url, by="chain")
    console.print(f"project library: {projects.headline()}")
    for row in projects.table.head(6).itertuples():
        console.print(f"  {row.name_zh}: {int(row.projects):,} projects, {row.investment_100m_cny:,.0f} 亿元")
    gaps = registry.chain_gaps(db_url, "robotics")
    names = gaps.links.set_index("code")["name_zh"] if "name_zh" in gaps.links.columns else None

    def label(codes: list[str]) -> str:
        return "、".join(str(names.get(c, c)) if names is not None else c for c in codes) or "—"

    console.print(f"{gaps.chain_name_zh}: 补链 fill {label(gaps.targets('fill'))}; 强链 strengthen "
                  f"{label(gaps.targets('strengthen'))}; 延链 extend {label(gaps.targets('extend'))}")
    console.print(f"registry database: {db_url} (hqd registry --db {db_url} summary projects --by province)")
    console.print(f"[bold red]{SYNTHETIC_LABEL}[/]")
    console.print(f"[green]✓[/] run directory: {run_dir}/ — workbook {run_dir / 'results.xlsx'}; analyses in "
                  f"{run_dir / 'analysis'}/")
    console.print(f"Blue-Book report: hqd report {run_dir} --format pdf --out {out / 'report.pdf'} --db {db_url}",
                  highlight=False, soft_wrap=True)
    import shlex
    import sys

    hqd = sys.argv[0] if Path(sys.argv[0]).name == "hqd" else "hqd"  # .venv/bin/hqd under make demo
    console.print(f"Dashboard: {shlex.quote(hqd)} serve --runs {shlex.quote(str(out))} --db "
                  f"{shlex.quote(str(out / 'registry.sqlite'))}  (then open http://127.0.0.1:8000/)",
                  highlight=False, soft_wrap=True, markup=False)


@app.command()
def template(
    kind: Annotated[str, typer.Argument(help="framework | data | recipe")],
    out: Annotated[Path, typer.Option("--out", "-o", help="file to write")],
) -> None:
    """Write a commented starting file (Excel for framework and data, YAML for the recipe)."""
    from hqd.io.templates import write_template

    path = write_template(kind, template_file(kind, out))
    console.print(f"[green]✓[/] wrote {kind} template {path}")
