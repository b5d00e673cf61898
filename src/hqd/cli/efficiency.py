"""``hqd efficiency <command> SOURCE``: DEA/SBM efficiency, ML/GML productivity, the geodetector, grey
forecasts and composite-system synergy from the command line.

``SOURCE`` is an HQD run directory (its ``scores.csv``: variables are node codes) or a plain table
(CSV, Excel, Parquet) with a ``region`` column, an optional ``year`` column and the variables.  Each
command writes ``<command>.csv`` (plus ``<command>_<part>.csv`` for the process values) and one workbook
``<command>.xlsx`` to ``--out``, and prints the estimator line and a one-sentence verdict in English and
in Chinese.  The numbers come from :mod:`hqd.analysis.efficiency`, :mod:`~hqd.analysis.geodetector`,
:mod:`~hqd.analysis.forecast` and :mod:`~hqd.analysis.synergy`; nothing is computed here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console

from hqd.analysis.runs import load_source, write_tables
from hqd.errors import HqdError

efficiency_app = typer.Typer(
    name="efficiency",
    help="Efficiency view: DEA (CCR/BCC), SBM with undesirable outputs, ML/GML productivity, geodetector, "
    "GM(1,1) forecasts, composite-system synergy (on a run directory or a plain table).",
    no_args_is_help=True,
)
console = Console()

SourceArg = Annotated[Path, typer.Argument(help="run directory (scores.csv …) or a table (CSV/Excel/Parquet)")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="folder for the CSV and Excel outputs")]
InputsOpt = Annotated[str, typer.Option("--inputs", help="comma-separated input columns (or node codes)")]
OutputsOpt = Annotated[str, typer.Option("--outputs", help="comma-separated desirable output columns")]
BadOpt = Annotated[str | None, typer.Option("--undesirable", help="comma-separated undesirable outputs")]
FrontierOpt = Annotated[str | None, typer.Option("--frontier", help="year | pooled (default: year if there is a year)")]
DEFAULT_OUT = Path("efficiency-out")


def _names(text: str | None) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()] if text else []


def _report(out: Path, method: str, tables: dict[str, pd.DataFrame], result: Any, synthetic: bool,
            extra: list[str] | None = None) -> None:
    from hqd.io.rundir import SYNTHETIC_LABEL

    written = write_tables(out, method, tables, synthetic)
    if synthetic:
        console.print(f"[bold red]{SYNTHETIC_LABEL}[/]")
    for line in [result.estimator(), *(extra or []), "verdict: " + result.verdict("en"), "结论：" + result.verdict("zh")]:
        console.print(line, highlight=False, soft_wrap=True, markup=False)
    console.print(f"[green]✓[/] {out}/: {', '.join(written)}", highlight=False)


def _plain(data: Any, columns: list[str]) -> pd.DataFrame:
    """A plain region/year table of ``columns`` (a run directory's node scores pivoted wide)."""
    from hqd.analysis._data import wide_table

    return wide_table(data, columns).reset_index()


@efficiency_app.command("dea")
def dea_cmd(source: SourceArg, inputs: InputsOpt, outputs: OutputsOpt,
            model: Annotated[str, typer.Option(help="ccr | bcc")] = "ccr",
            frontier: FrontierOpt = None, out: OutOpt = DEFAULT_OUT) -> None:
    """Radial DEA: CCR (constant) or BCC (variable returns to scale), input-oriented, with slacks and λ."""
    from hqd.analysis import efficiency
    from hqd.analysis._data import choose

    choose("DEA model", model, ("ccr", "bcc"))
    data, synthetic = load_source(source)
    result = efficiency.MODELS[model](data, _names(inputs), _names(outputs), frontier=frontier)
    _report(out, "dea", {"dea": result.frame, "slacks": result.slacks, "lambdas": result.lambdas}, result, synthetic)


@efficiency_app.command("sbm")
def sbm_cmd(source: SourceArg, inputs: InputsOpt, outputs: OutputsOpt, undesirable: BadOpt = None,
            rts: Annotated[str, typer.Option(help="crs | vrs")] = "crs",
            super_efficiency: Annotated[bool, typer.Option("--super", help="super-efficiency SBM (Tone 2002)")] = False,
            frontier: FrontierOpt = None, out: OutOpt = DEFAULT_OUT) -> None:
    """Slacks-based measure (Tone 2001) with undesirable outputs (Tone 2004); --super for super-SBM."""
    from hqd.analysis import efficiency

    data, synthetic = load_source(source)
    model = efficiency.super_sbm if super_efficiency else efficiency.sbm
    result = model(data, _names(inputs), _names(outputs), _names(undesirable), rts=rts, frontier=frontier)
    _report(out, "sbm", {"sbm": result.frame, "slacks": result.slacks, "lambdas": result.lambdas}, result, synthetic)


@efficiency_app.command("gml")
def gml_cmd(source: SourceArg, inputs: InputsOpt, outputs: OutputsOpt, undesirable: BadOpt = None,
            index: Annotated[str, typer.Option(help="gml (global, Oh 2010) | ml (Chung et al. 1997)")] = "gml",
            disposability: Annotated[str, typer.Option(
                help="bad outputs: weak (equality, Chung et al.) | free (Aparicio et al. 2013)")] = "weak",
            out: OutOpt = DEFAULT_OUT) -> None:
    """Malmquist–Luenberger / global ML productivity index with its EC × TC decomposition."""
    from hqd.analysis import efficiency

    data, synthetic = load_source(source)
    result = efficiency.productivity(data, _names(inputs), _names(outputs), _names(undesirable), index=index,
                                         disposability=disposability)
    _report(out, "gml", {"gml": result.frame, "distances": result.distances, "cumulative": result.cumulative},
            result, synthetic)


@efficiency_app.command("geodetector")
def geodetector_cmd(source: SourceArg,
                    y: Annotated[str, typer.Option("--y", help="explained variable (column or node)")],
                    factors: Annotated[str, typer.Option(help="comma-separated factor columns (strata codes)")],
                    discretize: Annotated[str | None, typer.Option(
                        help="comma-separated continuous factors to discretise optimally first (Song et al. 2020)")] = None,
                    variance: Annotated[str, typer.Option(help="population | sample (σ² in the F test's λ)")] = "population",
                    alpha: float = 0.05, out: OutOpt = DEFAULT_OUT) -> None:
    """Geographical detector: factor (q, p), interaction (five types), risk and ecological detectors."""
    from hqd.analysis import geodetector

    data, synthetic = load_source(source)
    names = _names(factors)
    table = data if isinstance(data, pd.DataFrame) and {y, *names} <= set(data.columns) else _plain(data, [y, *names])
    tables: dict[str, pd.DataFrame] = {}
    extra: list[str] = []
    table = table.copy()
    for f in _names(discretize):
        if f not in table.columns:
            raise HqdError(f"factor {f!r} to discretise is not among the columns", code="unknown_column")
        codes, candidates = geodetector.optimal_discretize(table[y], table[f])
        table[f] = codes
        best = candidates.loc[candidates["chosen"]].iloc[0]
        extra.append(f"discretisation of {f}: {best['method']}, {int(best['k'])} classes (q = {best['q']:.4f})")
        tables[f"discretisation_{f}"] = candidates
    result = geodetector.geodetector(table, y, names, alpha=alpha, variance=variance)
    tables = {"geodetector": result.factor, "interaction": result.interaction, "risk": result.risk,
              "risk_means": result.risk_means, "ecological": result.ecological, **tables}
    _report(out, "geodetector", tables, result, synthetic, extra)


@efficiency_app.command("forecast")
def forecast_cmd(source: SourceArg,
                 column: Annotated[str | None, typer.Option("--column", help="column of a table (or node of a run)")] = None,
                 horizon: int = 3, holdout: int = 2,
                 posterior: Annotated[str, typer.Option(
                     help="posterior-error test over all k (all) or k = 2…n (skip_first)")] = "all",
                 out: OutOpt = DEFAULT_OUT) -> None:
    """GM(1,1) forecast of each region's series (C, P, grade) compared with ARIMA and Holt on a hold-out."""
    from hqd.analysis import forecast
    from hqd.analysis._data import wide_table

    data, synthetic = load_source(source)
    wide = wide_table(data, [column] if column else None)
    name = wide.columns[0]
    params, fitted, scores, ahead = [], [], [], []
    last: Any = None
    for region, series in wide[name].groupby(level="region", sort=False):
        values = series.droplevel("region").sort_index()
        gm = forecast.gm11(values.to_numpy(), horizon=horizon, posterior=posterior)
        years = values.index.to_numpy()
        params.append({"region": region, "a": gm.a, "b": gm.b, "C": gm.c, "P": gm.p, "grade": gm.grade,
                       "class_ratio_ok": gm.class_ratio_ok, "mean_relative_error": gm.mean_relative_error})
        fitted.append(gm.fitted.assign(region=region, year=years[gm.fitted["t"].to_numpy() - 1]))
        cmp = forecast.compare(values.to_numpy(), holdout=holdout, horizon=horizon)
        scores.append(cmp.scores.assign(region=region))
        step = int(years[-1] - years[-2]) if len(years) > 1 else 1
        ahead.append(cmp.forecasts.assign(region=region, year=years[-1] + step * (cmp.forecasts["t"] - len(years))))
        last = gm
        console.print(f"{region}: GM(1,1) a = {gm.a:.5f}, C = {gm.c:.3f}, P = {gm.p:.2f} ({gm.grade}); "
                      f"best on hold-out: {cmp.scores.sort_values('mape').iloc[0]['model']}", highlight=False)
    tables = {"forecast": pd.DataFrame(params), "fitted": pd.concat(fitted, ignore_index=True),
              "comparison": pd.concat(scores, ignore_index=True), "forecasts": pd.concat(ahead, ignore_index=True)}
    _report(out, "forecast", tables, last, synthetic, [f"(verdict for the last region, {region})"])


@efficiency_app.command("synergy")
def synergy_cmd(source: SourceArg,
                subsystem: Annotated[list[str], typer.Option(
                    "--subsystem", help="NAME=col1,col2 (repeat for each subsystem, at least two)")],
                negative: Annotated[str | None, typer.Option(help="comma-separated cost-type order parameters")] = None,
                base: Annotated[str, typer.Option(help="first | previous")] = "first",
                aggregation: Annotated[str, typer.Option(help="linear | geometric")] = "linear",
                margin: Annotated[float, typer.Option(help="bounds widen min/max by this share")] = 0.1,
                out: OutOpt = DEFAULT_OUT) -> None:
    """Composite-system synergy degree (孟庆松 & 韩文秀 2000) and the relative development degree of the
    subsystems' order degrees."""
    from hqd.analysis import synergy

    systems: dict[str, list[str]] = {}
    for spec in subsystem:
        name, sep, cols = spec.partition("=")
        if not sep or not _names(cols):
            raise HqdError(f"--subsystem must look like NAME=col1,col2; got {spec!r}", code="bad_option")
        systems[name.strip()] = _names(cols)
    data, synthetic = load_source(source)
    directions = {n: -1 for n in _names(negative)}
    result = synergy.synergy(data, systems, directions=directions, base=base, aggregation=aggregation, margin=margin)
    wide = result.order.pivot(index=["region", "year"], columns="subsystem", values="order_degree")
    rel = synergy.relative_development(wide.reset_index(), list(systems))
    tables = {"synergy": result.frame, "order": result.order, "parameters": result.parameters,
              "bounds": result.bounds, "relative_development": rel.frame}
    extra = [rel.estimator(), "relative development: " + rel.verdict("en"), "相对发展度：" + rel.verdict("zh")]
    _report(out, "synergy", tables, result, synthetic, extra)
