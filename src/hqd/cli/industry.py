"""``hqd industry …``: the industrial-coordination measures (产业协同) on a city × industry × year table.

``SOURCE`` is a yearbook-layout workbook or CSV (regions down, industries across, one year per sheet)
or a tidy file with columns ``region, industry, year, value``; ``--demo`` uses the bundled SYNTHETIC
13-city table instead.  Each command prints its table, the estimator, and a one-sentence verdict in
Chinese and in English, and with ``--out`` writes the tidy tables as CSV plus a workbook.  Every number
comes from :mod:`hqd.analysis.industry.tables`; nothing is computed here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from hqd.analysis.industry import tables as T
from hqd.errors import HqdError, Problem
from hqd.io.industry import (
    IndustryTable,
    read_industry_long,
    read_industry_rows,
    read_industry_table,
    read_io_table,
)

industry_app = typer.Typer(
    name="industry",
    help="Industrial-coordination measures (产业协同): location quotients, structural similarity, Krugman, "
    "localisation, shift-share, input–output linkages.",
    no_args_is_help=True,
)
console = Console(width=160)

SourceArg = Annotated[Path | None, typer.Argument(help="industry table (yearbook layout, or long CSV/Excel)")]
DemoOpt = Annotated[bool, typer.Option("--demo", help="use the bundled SYNTHETIC 13-city table")]
MeasureOpt = Annotated[str, typer.Option("--measure", help="output | value_added | revenue | employment | firms")]
YearOpt = Annotated[int | None, typer.Option("--year", help="year to analyse (default: the latest)")]
SheetYearOpt = Annotated[int | None, typer.Option("--sheet-year", help="year of a single-sheet table without one")]
LevelOpt = Annotated[str, typer.Option("--level", help="city | province (sum the cities into provinces)")]
LayoutOpt = Annotated[str, typer.Option(
    "--layout", help="auto | columns (regions down, industries across) | rows (industries down, years across) | long")]
IndLevelOpt = Annotated[str | None, typer.Option(
    "--industry-level", help="keep one level when a table lists 制造业 beside its divisions: section | division")]
LAYOUTS = ("auto", "columns", "rows", "long")
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="folder for CSV and Excel outputs")]
RefOpt = Annotated[str, typer.Option("--reference", help="table (regions pooled) | file (the 全国 row)")]
RowsOpt = Annotated[int, typer.Option("--rows", help="rows to print (all are written with --out)")]


def _read(source: Path, measure: str, sheet_year: int | None, layout: str, industry_level: str | None) -> IndustryTable:
    if layout not in LAYOUTS:
        raise HqdError([Problem("unknown_layout", f"unknown layout {layout!r}; valid: {', '.join(LAYOUTS)}")])
    if layout in ("auto", "long") and source.suffix.lower() == ".csv":
        head = pd.read_csv(source, nrows=0, encoding="utf-8-sig").columns
        if layout == "long" or {"region", "industry", "year", "value"} <= set(map(str, head)):
            return read_industry_long(source, measure=measure)
    if layout == "rows":
        return read_industry_rows(source, measure=measure, industry_level=industry_level)
    try:
        return read_industry_table(source, measure=measure, year=sheet_year, industry_level=industry_level)
    except HqdError as err:
        if layout == "auto" and err.codes and set(err.codes) == {"yearbook_header_missing"}:
            return read_industry_rows(source, measure=measure, industry_level=industry_level)
        raise


def _load(source: Path | None, demo: bool, measure: str, sheet_year: int | None, level: str,
          layout: str = "auto", industry_level: str | None = None) -> IndustryTable:
    if demo == (source is not None):
        raise HqdError([Problem("invalid_source", "give an industry table file or --demo (not both)")])
    if demo:
        from hqd.analysis.industry.demo import jjj_industry_demo

        table = jjj_industry_demo()
    else:
        assert source is not None
        table = _read(source, measure, sheet_year, layout, industry_level)
    if level == "province":
        from hqd.analysis.industry.demo import provinces

        return provinces(table)
    if level != "city":
        raise HqdError([Problem("unknown_level", f"unknown level {level!r}; valid: city, province")])
    return table


def _year(table: IndustryTable, year: int | None) -> int:
    return table.years[-1] if year is None else year


def _print(result: T.MeasureTable, rows: int, out: Path | None, *, show: pd.DataFrame | None = None) -> None:
    if result.synthetic:
        console.print(f"[bold red]{T.SYNTHETIC_NOTE}[/]")
    frame = result.frame if show is None else show
    grid = Table(show_header=True, header_style="bold")
    index = show is not None and frame.index.name is not None
    if index:
        grid.add_column(str(frame.index.name))
    for col in frame.columns:
        grid.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left")
    for label, rec in zip(frame.index[:rows], frame.head(rows).itertuples(index=False), strict=False):
        cells = [f"{v:.4f}" if isinstance(v, float) else str(v) for v in rec]
        grid.add_row(*([str(label)] if index else []), *cells)
    console.print(grid)
    if len(frame) > rows:
        console.print(f"… {len(frame) - rows} more rows (use --rows or --out)", highlight=False)
    console.print(f"estimator: {result.estimator}", highlight=False, soft_wrap=True)
    console.print(result.verdict_zh, highlight=False, soft_wrap=True)
    console.print(result.verdict_en, highlight=False, soft_wrap=True)
    if out is not None:
        from hqd.analysis.runs import write_tables

        tables = {result.name: result.frame, **{k: v.reset_index() for k, v in (result.extra or {}).items()}}
        written = write_tables(out, result.name, tables, result.synthetic)
        console.print(f"[green]✓[/] {out}/: {', '.join(written)}", highlight=False)


@industry_app.command("lq")
def lq_cmd(source: SourceArg = None, demo: DemoOpt = False, measure: MeasureOpt = "output", year: YearOpt = None,
           sheet_year: SheetYearOpt = None, level: LevelOpt = "city", reference: RefOpt = "table",
           top: Annotated[int | None, typer.Option("--top", help="only each region's top N industries")] = None,
           layout: LayoutOpt = "auto", industry_level: IndLevelOpt = None,
           rows: RowsOpt = 40, out: OutOpt = None) -> None:
    """Location quotient (区位熵) of every region and industry."""
    t = _load(source, demo, measure, sheet_year, level, layout, industry_level)
    _print(T.lq_table(t, _year(t, year), reference=reference, top=top), rows, out)


@industry_app.command("similarity")
def similarity_cmd(source: SourceArg = None, demo: DemoOpt = False, measure: MeasureOpt = "output",
                   year: YearOpt = None, sheet_year: SheetYearOpt = None, level: LevelOpt = "city",
                   layout: LayoutOpt = "auto", industry_level: IndLevelOpt = None,
                   rows: RowsOpt = 40, out: OutOpt = None) -> None:
    """Structural similarity coefficient (产业结构相似系数, UNIDO cosine) of every pair of regions."""
    t = _load(source, demo, measure, sheet_year, level, layout, industry_level)
    res = T.similarity_table(t, _year(t, year))
    _print(res, rows, out, show=(res.extra or {})["matrix"])


@industry_app.command("krugman")
def krugman_cmd(source: SourceArg = None, demo: DemoOpt = False, measure: MeasureOpt = "output",
                year: YearOpt = None, sheet_year: SheetYearOpt = None, level: LevelOpt = "city",
                reference: Annotated[str, typer.Option("--reference", help="rest | total")] = "rest",
                layout: LayoutOpt = "auto", industry_level: IndLevelOpt = None,
                rows: RowsOpt = 40, out: OutOpt = None) -> None:
    """Krugman specialisation index of each region, and pairwise dissimilarity."""
    t = _load(source, demo, measure, sheet_year, level, layout, industry_level)
    _print(T.krugman_table(t, _year(t, year), reference=reference), rows, out)


@industry_app.command("localisation")
def localisation_cmd(source: SourceArg = None, demo: DemoOpt = False, measure: MeasureOpt = "output",
                     year: YearOpt = None, sheet_year: SheetYearOpt = None, level: LevelOpt = "city",
                     layout: LayoutOpt = "auto", industry_level: IndLevelOpt = None,
                rows: RowsOpt = 40, out: OutOpt = None) -> None:
    """Hoover localisation coefficient and locational Gini of each industry."""
    t = _load(source, demo, measure, sheet_year, level, layout, industry_level)
    _print(T.localisation_table(t, _year(t, year)), rows, out)


@industry_app.command("shift-share")
def shift_share_cmd(source: SourceArg = None, demo: DemoOpt = False, measure: MeasureOpt = "output",
                    start: Annotated[int | None, typer.Option("--start", help="start year (default: first)")] = None,
                    end: Annotated[int | None, typer.Option("--end", help="end year (default: last)")] = None,
                    variant: Annotated[str, typer.Option("--variant", help="classic | dynamic")] = "classic",
                    sheet_year: SheetYearOpt = None, level: LevelOpt = "city", reference: RefOpt = "table",
                    layout: LayoutOpt = "auto", industry_level: IndLevelOpt = None,
                rows: RowsOpt = 40, out: OutOpt = None) -> None:
    """Shift-share decomposition: national, industry-mix and competitive effects (classic or dynamic)."""
    t = _load(source, demo, measure, sheet_year, level, layout, industry_level)
    res = T.shift_share_table(t, start or t.years[0], end or t.years[-1], variant=variant, reference=reference)
    _print(res, rows, out, show=(res.extra or {})["by_region"].set_index("region"))


@industry_app.command("io")
def io_cmd(table: Annotated[Path, typer.Argument(help="IO table: sectors × sectors flows and total_output")],
           rows: RowsOpt = 40, out: OutOpt = None) -> None:
    """Input–output linkages: Leontief inverse, backward/forward linkages, Rasmussen indices, key sectors."""
    io = read_io_table(table)
    _print(T.io_table(io.Z, io.x, io.sectors), rows, out)


@industry_app.command("indicators")
def indicators_cmd(source: SourceArg = None, demo: DemoOpt = False, measure: MeasureOpt = "output",
                   sheet_year: SheetYearOpt = None, level: LevelOpt = "city",
                   pair: Annotated[str | None, typer.Option(
                       "--pair", help="two industries for the co-agglomeration indicator, e.g. C36,C38")] = None,
                   lq: Annotated[str | None, typer.Option(
                       "--lq", help="industries whose LQ becomes an indicator, e.g. C36,C39")] = None,
                   layout: LayoutOpt = "auto", industry_level: IndLevelOpt = None,
                rows: RowsOpt = 20, out: OutOpt = None) -> None:
    """Industry measures as indicator values (region, year, indicator, value) for an 产业协同 dimension."""
    t = _load(source, demo, measure, sheet_year, level, layout, industry_level)
    pair_codes = tuple(p.strip() for p in pair.split(",")) if pair else None
    if pair_codes is not None and len(pair_codes) != 2:
        raise HqdError([Problem("invalid_pair", f"--pair takes two industries separated by a comma; got {pair!r}")])
    long, catalogue = T.industry_indicators(t, pair=pair_codes,
                                            lq_industries=[c.strip() for c in lq.split(",")] if lq else ())
    cat = pd.DataFrame([{"indicator": k, **v} for k, v in catalogue.items()])
    result = T.MeasureTable(
        "indicators", long,
        "industry measures per region and year, named for an index framework (directions are suggestions)",
        f"共生成{len(catalogue)}项产业协同指标，覆盖{len(t.regions)}个地区、{len(t.years)}个年份。",
        f"{len(catalogue)} industrial-coordination indicators for {len(t.regions)} regions and {len(t.years)} years.",
        t.synthetic, {"catalogue": cat.set_index("indicator")},
    )
    _print(result, rows, out)


@industry_app.command("demo")
def demo_cmd(year: YearOpt = None, top: Annotated[int, typer.Option("--top")] = 3, out: OutOpt = None) -> None:
    """SYNTHETIC 13-city demo: structural similarity of the three provinces and the top LQ industries per city."""
    from hqd.analysis.industry.demo import jjj_industry_demo, provinces

    cities = jjj_industry_demo()
    y = _year(cities, year)
    sim = T.similarity_table(provinces(cities), y)
    _print(sim, 3, out, show=(sim.extra or {})["matrix"])
    lq = T.lq_table(cities, y, top=top)
    _print(lq, 13 * top, out, show=lq.frame[["region_zh", "rank_in_region", "industry", "industry_zh", "lq"]])


@industry_app.command("codes")
def codes_cmd(codes: Annotated[list[str], typer.Argument(help="codes to check, e.g. C36 3612 汽车制造业")]) -> None:
    """Check industry codes against the bundled GB/T 4754-2017 list and print their canonical form."""
    from hqd.model import industries as ind

    ind.check_industry_codes([ind.code_for_label(c) or c for c in codes])
    for c in codes:
        canon = ind.code_for_label(c) or c
        level = ind.industry_level(canon)
        console.print(f"{c} → {canon}  {ind.industry_name(canon)}  ({level}, checked {ind.CHECKED_BY[level]})",
                      highlight=False)
