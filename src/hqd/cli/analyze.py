"""``hqd analyze <method> SOURCE``: the regional analyses of :mod:`hqd.analysis` from the command line.

``SOURCE`` is an HQD run directory (``scores.csv``, ``weights.csv``, ``framework.csv``) or a plain
table (CSV, Excel, Parquet) with a ``region`` column, an optional ``year`` column and the variables.
Each command writes ``<method>.csv`` (and ``<method>_<part>.csv`` for extra tables) plus one workbook
``<method>.xlsx`` to ``--out`` (text that looks like a formula is written as text), and prints a
one-line summary such as "Theil-T 2022: 0.0327 — 62% between groups".  The numbers come from the
same functions the Python API exposes; nothing is computed here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hqd.cli.outputs import output_folder
from hqd.errors import HqdError, Problem

if TYPE_CHECKING:
    import pandas as pd

analyze_app = typer.Typer(
    name="analyze",
    help="Regional analysis: coupling coordination, inequality, convergence, dynamics, Moran's I, "
    "obstacles, grey relations (on a run directory or a plain table).",
    no_args_is_help=True,
)
app = typer.Typer()  # this module's commands; hqd.cli.main imports it when one of them runs
app.add_typer(analyze_app, name="analyze")
console = Console()

SourceArg = Annotated[Path, typer.Argument(help="run directory (scores.csv …) or a table (CSV/Excel/Parquet)")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="folder for the CSV and Excel outputs")]
NodeOpt = Annotated[str | None, typer.Option("--node", help="node of a run to analyse (default: the index)")]
ColumnOpt = Annotated[str | None, typer.Option("--column", help="column of a plain table to analyse")]
MissingOpt = Annotated[str, typer.Option("--missing", help="missing values: raise | drop_regions")]
GroupsOpt = Annotated[str | None, typer.Option(
    "--groups", help="'province' (GB/T 2260 code prefix) or a table with columns region, group")]
WeightsOpt = Annotated[str, typer.Option(
    "--weights", "-w", help="'jjj' (bundled 13-city contiguity), a GeoJSON, or a square CSV/Excel matrix")]
DEFAULT_OUT = Path("analysis-out")


def _runs() -> Any:
    """:mod:`hqd.analysis.runs`, imported on first use (it brings pandas and the analyses; ``hqd --help`` does not)."""
    from hqd.analysis import runs

    return runs


# ------------------------------------------------------------------------------------------- input side
# Reading a run directory back and writing analysis tables live in hqd.analysis.runs (the API uses them too).
def _groups(spec: str | None, source: Any) -> dict[str, str] | None:
    if spec is None:
        return None
    if spec == "province":
        import pandas as pd

        from hqd.analysis._data import scores_long

        long = scores_long(source)
        regions = long["region"] if long is not None else source["region"].astype(str)
        names = {"110000": "Beijing", "120000": "Tianjin", "130000": "Hebei"}
        return {r: names.get(r[:2] + "0000", r[:2] + "0000") for r in pd.unique(regions)}
    table, _ = _runs().load_source(Path(spec))
    if not {"region", "group"} <= set(table.columns):
        raise HqdError([Problem("unknown_column", "a groups table needs columns region, group", file=spec)])
    return dict(zip(table["region"].astype(str), table["group"].astype(str), strict=True))


def _weights(spec: str, method: str, id_field: str, k: int | None, threshold: float | None) -> Any:
    from hqd.analysis import spatial

    if spec == "jjj":
        from hqd.datasets.jjj_geo import contiguity_weights

        return contiguity_weights()
    path = Path(spec)
    if path.suffix.lower() in (".geojson", ".json"):
        return spatial.weights_from_geojson(path, id_field=id_field, method=method, k=k, threshold=threshold)
    return spatial.weights_from_matrix(path)


# ------------------------------------------------------------------------------------------ output side
def _write(out: Path, method: str, tables: dict[str, pd.DataFrame], summary: list[str], synthetic: bool) -> None:
    from hqd.io.rundir import SYNTHETIC_LABEL

    output_folder(out)

    written = _runs().write_tables(out, method, tables, synthetic)
    if synthetic:
        console.print(f"[bold red]{SYNTHETIC_LABEL}[/]")
    for line in summary:
        console.print(line, highlight=False, soft_wrap=True)
    console.print(f"[green]✓[/] {out}/: {', '.join(written)}", highlight=False)


def _verdicts(make: Any) -> list[str]:
    """The verdict sentence in both languages (Chinese first), from :mod:`hqd.analysis.verdicts`."""
    return [make("zh"), make("en")]


def _scale_caveat(source: Path) -> list[str]:
    """The interval-scale caveat of ratio statistics (both languages) when ``source`` is a run directory whose
    index is on an interval scale (its manifest's ``policies.index_scale``); nothing otherwise."""
    import json

    from hqd.analysis.verdicts import scale_caveat

    manifest = source / "manifest.json" if source.is_dir() else None
    if manifest is None or not manifest.is_file():
        return []
    policies = json.loads(manifest.read_text(encoding="utf-8")).get("policies")
    lines = [scale_caveat(policies, lang) for lang in ("zh", "en")]
    return [f"[yellow]{line}[/]" for line in lines if line]


# ---------------------------------------------------------------------------------------------- commands
@analyze_app.command("theil")
def theil_cmd(source: SourceArg, groups: GroupsOpt = None, out: OutOpt = DEFAULT_OUT, node: NodeOpt = None,
              column: ColumnOpt = None, index: Annotated[str, typer.Option(help="T or L")] = "T",
              population: Annotated[Path | None, typer.Option(
                  help="table region[, year], population for the population-weighted Theil")] = None,
              missing: MissingOpt = "raise") -> None:
    """Theil index (T or L) with the within/between decomposition by group."""
    from hqd.analysis import theil

    data, synthetic = _runs().load_source(source)
    pop = None
    if population is not None:
        table, _ = _runs().load_source(population)
        keys = ["region", "year"] if "year" in table.columns else ["region"]
        pop = table.assign(region=table["region"].astype(str)).set_index(keys)["population"]
    result = theil(data, _groups(groups, data), pop, index=index, node=node, column=column,
                   missing=missing)
    frame = result.to_frame()
    year, row = _runs().last_row(frame)
    line = f"Theil-{index}{year}: {row['total']:.4f}"
    lines = [line]
    if result.between is not None:
        from hqd.analysis.verdicts import theil_verdict

        lines[0] += f" — {_runs().pct(row['between_share'])} between groups, {_runs().pct(row['within_share'])} within"
        lines += _verdicts(lambda lang: theil_verdict(row, lang))
    _write(out, "theil", {"theil": frame, "groups": result.groups_frame()}, [*lines, *_scale_caveat(source)], synthetic)


@analyze_app.command("dagum")
def dagum_cmd(source: SourceArg, groups: Annotated[str | None, typer.Option(
                  "--groups", help="'zones' (the four functional zones of the 京津冀协同发展规划纲要, bundled), "
                  "'province' (GB/T 2260 code prefix) or a table with columns region, group")] = None,
              out: OutOpt = DEFAULT_OUT, node: NodeOpt = None,
              column: ColumnOpt = None, missing: MissingOpt = "raise") -> None:
    """Dagum Gini decomposition: within, net between, transvariation."""
    from hqd.analysis import dagum_gini
    from hqd.analysis.verdicts import dagum_verdict

    data, synthetic = _runs().load_source(source)
    order = None
    if groups == "zones":
        from hqd.datasets.jjj_geo import functional_zones, zone_order

        found: dict[str, str] | None = functional_zones("en")
        order = zone_order("en")
    else:
        found = _groups(groups, data)
    if found is None:
        raise HqdError("Dagum's decomposition needs --groups (zones, province or a table)", code="no_groups")
    result = dagum_gini(data, found, node=node, column=column, missing=missing, group_order=order)
    frame = result.to_frame()
    year, row = _runs().last_row(frame)
    line = (f"Gini{year}: {row['G']:.4f} — within {_runs().pct(row['G_w_share'])}, net between {_runs().pct(row['G_nb_share'])}, "
            f"transvariation {_runs().pct(row['G_t_share'])}")
    lines = [line, *_verdicts(lambda lang: dagum_verdict(row, lang))]
    lines += [f"[yellow]warning:[/] {w}" for w in result.warnings]
    _write(out, "dagum", {"dagum": frame, "groups": result.groups_frame(), "pairs": result.pairs_frame()},
           [*lines, *_scale_caveat(source)], synthetic)


@analyze_app.command("gini")
def gini_cmd(source: SourceArg, out: OutOpt = DEFAULT_OUT, node: NodeOpt = None, column: ColumnOpt = None,
             missing: MissingOpt = "raise") -> None:
    """Gini coefficient per year."""
    from hqd.analysis import gini

    data, synthetic = _runs().load_source(source)
    frame = gini(data, node=node, column=column, missing=missing).to_frame()
    year, row = _runs().last_row(frame)
    _write(out, "gini", {"gini": frame}, [f"Gini{year}: {row['gini']:.4f}", *_scale_caveat(source)], synthetic)


@analyze_app.command("cv")
def cv_cmd(source: SourceArg, out: OutOpt = DEFAULT_OUT, node: NodeOpt = None, column: ColumnOpt = None,
           ddof: int = 0, missing: MissingOpt = "raise") -> None:
    """Coefficient of variation per year."""
    from hqd.analysis import coefficient_of_variation

    data, synthetic = _runs().load_source(source)
    frame = coefficient_of_variation(data, ddof=ddof, node=node, column=column, missing=missing).to_frame()
    year, row = _runs().last_row(frame)
    _write(out, "cv", {"cv": frame}, [f"CV{year}: {row['cv']:.4f} (std {row['std']:.4f}, mean {row['mean']:.4f})",
                                      *_scale_caveat(source)],
           synthetic)


@analyze_app.command("coupling")
def coupling_cmd(
    source: SourceArg,
    subsystems: Annotated[str | None, typer.Option(help="comma-separated nodes/columns (default: dimensions)")] = None,
    variant: Annotated[str, typer.Option(help="standard | corrected")] = "standard",
    boundary: Annotated[str | None, typer.Option(help="left_open (default) | right_open")] = None,
    provinces: Annotated[bool, typer.Option(
        "--provinces", help="couple provinces (GB/T code prefix; a province = mean of its cities) instead")] = False,
    out: OutOpt = DEFAULT_OUT,
    node: NodeOpt = None,
) -> None:
    """Coupling coordination degree (C, T, D, grade): between dimensions, or between provinces."""
    import pandas as pd

    from hqd.analysis import coupling_coordination, regional_coupling
    from hqd.analysis._data import scores_long, wide_table

    data, synthetic = _runs().load_source(source)
    if provinces:
        long = scores_long(data)
        regions = long["region"] if long is not None else wide_table(data, None).index.get_level_values("region")
        members: dict[str, list[str]] = {}
        for code in pd.unique(pd.Series(regions).astype(str)):
            members.setdefault(code[:2] + "0000", []).append(code)
        result = regional_coupling(data, members, variant, node=node, boundary=boundary)
    else:
        names = subsystems.split(",") if subsystems else None
        result = coupling_coordination(data, names, variant, boundary=boundary)
    frame = result.to_frame()
    last = frame.loc[frame["year"] == frame["year"].max()] if frame["year"].notna().any() else frame
    counts = last["grade_en"].value_counts()
    line = (f"Coupling coordination ({variant} C, {len(result.subsystems)} subsystems, scale {result.subsystem_scale})"
            f": mean D {last['D'].mean():.3f}; grades: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    _write(out, "coupling", {"coupling": frame, "grades": result.grades.to_frame()}, [line], synthetic)


@analyze_app.command("sigma")
def sigma_cmd(source: SourceArg, measure: Annotated[str, typer.Option(help="std | cv | log_std")] = "std",
              out: OutOpt = DEFAULT_OUT, node: NodeOpt = None, column: ColumnOpt = None,
              missing: MissingOpt = "raise") -> None:
    """σ convergence: dispersion per year and its trend."""
    from hqd.analysis import sigma_convergence

    data, synthetic = _runs().load_source(source)
    result = sigma_convergence(data, measure, node=node, column=column, missing=missing)
    frame = result.to_frame()
    first, last = frame.iloc[0], frame.iloc[-1]
    from hqd.analysis.verdicts import sigma_verdict

    line = (f"σ ({measure}) {first['sigma']:.4f} → {last['sigma']:.4f}: slope {result.slope:+.4g} a year "
            f"(OLS trend on the year), p = {result.slope_p:.3g} — "
            f"{'converging' if result.converging else 'no significant σ convergence'}")
    _write(out, "sigma", {"sigma": frame}, [line, *_verdicts(lambda lang: sigma_verdict(result, lang)),
                                            *_scale_caveat(source)],
           synthetic)


@analyze_app.command("beta")
def beta_cmd(
    source: SourceArg,
    kind: Annotated[str, typer.Option(help="absolute_cross_section | absolute_panel | conditional")] =
    "absolute_cross_section",
    fixed_effects: Annotated[str, typer.Option(help="twoway | region | year | none")] = "twoway",
    cov_type: Annotated[str | None, typer.Option(
        help="cluster (panels' default: by region, linearmodels) | HC1 (cross-section default) | nonrobust")] = None,
    controls: Annotated[Path | None, typer.Option(help="table region, year, controls…")] = None,
    out: OutOpt = DEFAULT_OUT, node: NodeOpt = None, column: ColumnOpt = None, missing: MissingOpt = "raise",
) -> None:
    """β convergence regression: β, SE, p, speed and half-life."""
    from hqd.analysis import beta_convergence

    data, synthetic = _runs().load_source(source)
    extra = None
    if controls is not None:
        extra, _ = _runs().load_source(controls)
    r = beta_convergence(data, kind, controls=extra, fixed_effects=fixed_effects, cov_type=cov_type, node=node,
                         column=column, missing=missing)
    from hqd.analysis.verdicts import beta_verdict

    line = (f"β = {r.beta:.4f} (SE {r.se:.4f}, p = {r.p:.3g}; {r.kind}, {r.estimator}, {r.cov_label}) — "
            f"{'converging' if r.converging else 'no significant β convergence'}; speed {_runs().pct(r.speed)} a year, "
            f"half-life {r.half_life:.1f} years")
    lines = [line, *_verdicts(lambda lang: beta_verdict(r, lang))]
    lines += [f"[yellow]caveat:[/] {c}" for c in r.caveats]
    _write(out, "beta", {"beta": r.to_frame(), "coefficients": r.coefficients}, [*lines, *_scale_caveat(source)], synthetic)


@analyze_app.command("kde")
def kde_cmd(source: SourceArg, bandwidth: Annotated[str, typer.Option(help="silverman | scott | a number")] =
            "silverman", n_grid: int = 256, out: OutOpt = DEFAULT_OUT, node: NodeOpt = None,
            column: ColumnOpt = None, missing: MissingOpt = "raise") -> None:
    """Kernel density per year with peak, width and number of peaks."""
    from hqd.analysis import kernel_density

    data, synthetic = _runs().load_source(source)
    rule: str | float = bandwidth if bandwidth in ("silverman", "scott") else float(bandwidth)
    r = kernel_density(data, rule, n_grid=n_grid, node=node, column=column, missing=missing)
    frame = r.to_frame()
    year, row = _runs().last_row(frame)
    line = (f"Kernel density ({r.rule}){year}: peak at {row['peak_x']:.3f} (height {row['peak_height']:.3f}), "
            f"width {row['width']:.3f}, {int(row['n_peaks'])} peak(s)")
    _write(out, "kde", {"kde": frame, "curves": r.curves_frame()}, [line], synthetic)


@analyze_app.command("markov")
def markov_cmd(source: SourceArg, k: int = 4, scope: Annotated[str, typer.Option(help="pooled | per_year")] =
               "pooled", weights: Annotated[str | None, typer.Option(
                   "--weights", "-w", help="for a spatial Markov chain: 'jjj', a GeoJSON or a matrix")] = None,
               out: OutOpt = DEFAULT_OUT, node: NodeOpt = None, column: ColumnOpt = None,
               missing: MissingOpt = "raise") -> None:
    """Traditional (and with --weights, spatial) Markov transition probabilities."""
    import numpy as np

    from hqd.analysis import markov_transition

    data, synthetic = _runs().load_source(source)
    w = _weights(weights, "queen", "adcode", None, None) if weights else None
    r = markov_transition(data, k, scope=scope, w=w, node=node, column=column, missing=missing)
    stay = float(np.nanmean(np.diag(r.probabilities)))
    line = (f"Markov ({k} {scope} quantile classes): mean probability of staying {stay:.2f}; steady state "
            + ", ".join(f"{v:.2f}" for v in r.steady_state))
    _write(out, "markov", {"markov": r.to_frame(), "classes": r.classes.reset_index()}, [line], synthetic)


@analyze_app.command("moran")
def moran_cmd(source: SourceArg, weights: WeightsOpt = "jjj",
              method: Annotated[str, typer.Option(help="GeoJSON: queen | rook | distance_band | knn | "
                                                       "inverse_distance")] = "queen",
              id_field: str = "adcode", k: int | None = None, threshold: float | None = None,
              transformation: Annotated[str, typer.Option(help="r (row-standardised) | b")] = "r",
              permutations: int = 999, seed: int = 12345, out: OutOpt = DEFAULT_OUT, node: NodeOpt = None,
              column: ColumnOpt = None, missing: MissingOpt = "raise") -> None:
    """Global Moran's I per year (esda)."""
    from hqd.analysis import morans_i

    data, synthetic = _runs().load_source(source)
    from hqd.analysis.verdicts import moran_verdict

    w = _weights(weights, method, id_field, k, threshold)
    result = morans_i(data, w, permutations=permutations, seed=seed, transformation=transformation, node=node,
                      column=column, missing=missing)
    frame = result.to_frame()
    year, row = _runs().last_row(frame)
    line = (f"Moran's I{year}: {row['I']:.4f} (E[I] {row['EI']:.4f}, z {row['z_norm']:.2f}, "
            f"p normal {row['p_norm']:.3g}, p permutation {row['p_sim']:.3g}; {permutations} permutations "
            f"seeded per year from seed {seed}; W {'row-standardised' if transformation == 'r' else 'binary'})")
    p = row["p_sim"] if permutations else row["p_norm"]
    lines = [line, *_verdicts(lambda lang: moran_verdict(row["year"], row["I"], p, lang))]
    if result.dropped:
        lines.append(f"dropped for missing values (and from W): {', '.join(result.dropped)}")
    if result.islands:
        lines.append(f"[yellow]islands[/] (no neighbour left in W, spatial lag 0): {', '.join(result.islands)}")
    _write(out, "moran", {"moran": frame}, lines, synthetic)


@analyze_app.command("lisa")
def lisa_cmd(source: SourceArg, weights: WeightsOpt = "jjj", method: str = "queen", id_field: str = "adcode",
             k: int | None = None, threshold: float | None = None, permutations: int = 999, seed: int = 12345,
             significance: float = 0.05, out: OutOpt = DEFAULT_OUT, node: NodeOpt = None,
             column: ColumnOpt = None, missing: MissingOpt = "raise") -> None:
    """Local Moran's I (LISA) with HH/LL/HL/LH clusters (esda)."""
    from hqd.analysis import local_morans_i

    data, synthetic = _runs().load_source(source)
    w = _weights(weights, method, id_field, k, threshold)
    frame = local_morans_i(data, w, permutations=permutations, seed=seed, significance=significance, node=node,
                           column=column, missing=missing).to_frame()
    last = frame.loc[frame["year"] == frame["year"].max()] if frame["year"].notna().any() else frame
    counts = last["cluster"].value_counts()
    line = "LISA clusters: " + ", ".join(f"{k_} {v}" for k_, v in counts.items())
    _write(out, "lisa", {"lisa": frame}, [line], synthetic)


@analyze_app.command("obstacle")
def obstacle_cmd(source: SourceArg, top: int = 3, out: OutOpt = DEFAULT_OUT) -> None:
    """Obstacle degree of indicators and dimensions (needs a run directory)."""
    from hqd.analysis import obstacle_degree

    data, synthetic = _runs().load_source(source)
    if not isinstance(data, _runs().RunData):
        raise HqdError("obstacle degrees need a run directory (indicator scores, weights and framework)",
                       code="bad_input")
    r = obstacle_degree(data)
    best = r.top(1)
    most = best["indicator"].value_counts()
    line = (f"Largest obstacle: {most.index[0]} for {most.iloc[0]} of {len(best)} region-years"
            if len(most) else "no obstacle")
    tables = {"obstacle": r.to_frame(), "top": r.top(top)}
    if r.dimensions is not None:
        tables["dimensions"] = r.dimensions
    _write(out, "obstacle", tables, [line], synthetic)


@analyze_app.command("grey")
def grey_cmd(source: SourceArg,
             directions: Annotated[str | None, typer.Option(help="comma-separated +1/-1 per indicator")] = None,
             weights: Annotated[str | None, typer.Option(help="comma-separated weights (sum 1)")] = None,
             rho: float = 0.5, normalise: Annotated[str | None, typer.Option(
                 help="range | initial | mean | none")] = None, out: OutOpt = DEFAULT_OUT) -> None:
    """Grey relational grade of each region against the ideal."""
    from hqd.analysis import grey_relational

    data, synthetic = _runs().load_source(source)
    d = [int(v) for v in directions.split(",")] if directions else None
    w = [float(v) for v in weights.split(",")] if weights else None
    r = grey_relational(data, d, w, rho=rho, normalise=normalise)
    frame = r.to_frame()
    last = frame.loc[frame["year"] == frame["year"].max()] if frame["year"].notna().any() else frame
    best = last.sort_values("grade", ascending=False).head(3)
    line = f"Grey relational grade (ρ = {rho:g}, {r.normalise}): top " + ", ".join(
        f"{region} {grade:.3f}" for region, grade in zip(best["region"], best["grade"], strict=True))
    _write(out, "grey", {"grey": frame, "coefficients": r.coefficients_frame()}, [line], synthetic)


@analyze_app.command("jjj")
def jjj_cmd(source: SourceArg, out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="folder for the outputs (default: SOURCE/analysis, where the dashboard and the "
        "report look)")] = None, permutations: int = 999) -> None:
    """Every Jing-Jin-Ji analysis of the demo on a run directory of the 13 cities."""
    from hqd.io.rundir import SYNTHETIC_LABEL

    out = output_folder(source / "analysis" if out is None else out)
    lines, written, synthetic = _runs().write_jjj_analyses(source, out, permutations=permutations)
    if synthetic:
        console.print(f"[bold red]{SYNTHETIC_LABEL}[/]")
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True)
    console.print(f"[green]✓[/] {out}/: {', '.join(written)}", highlight=False)


# ------------------------------------------------------------------------------- spatial statistics (#16)
def _index_table(data: Any, node: str | None, column: str | None) -> pd.DataFrame:
    """``region, year, value`` of the analysed variable (a run's index / node, or a table's column)."""
    import numpy as np
    import pandas as pd

    from hqd.analysis._data import as_panel, year_labels

    panel = as_panel(data, node=node, column=column)
    years = year_labels(panel)
    return pd.DataFrame({"region": np.tile(np.asarray(panel.regions, dtype=object), len(years)),
                         "year": np.repeat(np.asarray(years), len(panel.regions)),
                         "value": panel.values.ravel()})


@analyze_app.command("gistar")
def gistar_cmd(source: SourceArg, weights: WeightsOpt = "jjj", method: str = "queen", id_field: str = "adcode",
               k: int | None = None, threshold: float | None = None, permutations: int = 999, seed: int = 12345,
               out: OutOpt = DEFAULT_OUT, node: NodeOpt = None, column: ColumnOpt = None,
               missing: MissingOpt = "raise") -> None:
    """Getis-Ord Gi* hot and cold spots per region and year (esda, permutations seeded per year)."""
    from hqd.analysis.hotspots import getis_ord
    from hqd.analysis.verdicts import gistar_verdict

    data, synthetic = _runs().load_source(source)
    w = _weights(weights, method, id_field, k, threshold)
    result = getis_ord(data, w, permutations=permutations, seed=seed, node=node, column=column, missing=missing)
    frame = result.to_frame()
    year = frame["year"].max()
    last = frame.loc[frame["year"] == year] if frame["year"].notna().any() else frame
    counts = last["category"].value_counts()
    line = (f"Getis-Ord Gi* ({permutations} permutations seeded per year from seed {seed}, W with self-weights): "
            + ", ".join(f"{c} {v}" for c, v in counts.items()))
    lines = [line, *_verdicts(lambda lang: gistar_verdict(year, list(last["category"]), lang, 0.05))]
    if result.islands:
        lines.append(f"[yellow]islands[/]: {', '.join(result.islands)}")
    _write(out, "gistar", {"gistar": frame, "counts": result.counts()}, lines, synthetic)


def _points(points: Path | None) -> pd.DataFrame:
    if points is None:
        from hqd.datasets.jjj_geo import city_centres

        return city_centres()
    table, _ = _runs().load_source(points)
    return table.assign(code=table["code"].astype(str)) if "code" in table.columns else table


PointsOpt = Annotated[Path | None, typer.Option(
    "--points", help="table code, lon, lat (default: the bundled 13 Jing-Jin-Ji city centres)")]
CrsOpt = Annotated[str | None, typer.Option(
    "--crs", help="projected CRS (e.g. EPSG:4548); default: transverse Mercator at the points' mean longitude")]


@analyze_app.command("gravity")
def gravity_cmd(source: SourceArg, points: PointsOpt = None, crs: CrsOpt = None, out: OutOpt = DEFAULT_OUT,
                node: NodeOpt = None, column: ColumnOpt = None, missing: MissingOpt = "raise") -> None:
    """Centre of gravity (重心) of the index per year, its yearly shift distance (km) and direction."""
    import numpy as np

    from hqd.analysis.centrography import centre_of_gravity, project_points
    from hqd.analysis.verdicts import gravity_verdict

    data, synthetic = _runs().load_source(source)
    projected = project_points(_points(points), crs=crs)
    result = centre_of_gravity(data, projected, node=node, column=column, missing=missing)
    frame = result.to_frame()
    dx, dy = result.total_shift_km
    first, last = frame["year"].iloc[0], frame["year"].iloc[-1]
    line = (f"Centre of gravity (weighted by the index; CRS: {result.crs}): {frame['lon'].iloc[-1]:.4f}°E, "
            f"{frame['lat'].iloc[-1]:.4f}°N; path length {np.nansum(frame['shift_km']):.2f} km")
    _write(out, "gravity", {"gravity": frame},
           [line, *_verdicts(lambda lang: gravity_verdict(first, last, dx, dy, lang))], synthetic)


@analyze_app.command("ellipse")
def ellipse_cmd(source: SourceArg, points: PointsOpt = None, crs: CrsOpt = None,
                method: Annotated[str, typer.Option(help="arcgis (×√2) | crimestat | yuill")] = "arcgis",
                out: OutOpt = DEFAULT_OUT, node: NodeOpt = None, column: ColumnOpt = None,
                missing: MissingOpt = "raise") -> None:
    """Standard deviational ellipse (标准差椭圆) of the index per year: centre, axes, azimuth, area."""
    import pandas as pd

    from hqd.analysis.centrography import project_points, standard_deviational_ellipse

    data, synthetic = _runs().load_source(source)
    projected = project_points(_points(points), crs=crs)
    result = standard_deviational_ellipse(data, projected, method=method, node=node, column=column, missing=missing)
    frame = result.to_frame()
    row = frame.iloc[-1]
    first = frame.iloc[0]
    from hqd.analysis.verdicts import ellipse_verdict

    line = (f"Standard deviational ellipse ({method}; CRS: {result.crs}): major {row['major'] / 1000:.1f} km, "
            f"minor {row['minor'] / 1000:.1f} km, azimuth {row['azimuth_deg']:.1f}°, area {row['area_km2']:.0f} km²")
    lines = [line, *_verdicts(lambda lang: ellipse_verdict(first["area_km2"], row["area_km2"], row["azimuth_deg"],
                                                           lang))]
    outline = pd.concat([result.outline(y).assign(year=y) for y in frame["year"]], ignore_index=True) \
        if frame["year"].notna().all() else result.outline()
    _write(out, "ellipse", {"ellipse": frame, "outline": outline}, lines, synthetic)


def _model_table(source: Path, y: str | None, x: str, controls: Path | None, node: str | None
                 ) -> tuple[pd.DataFrame, str, list[str], bool]:
    from hqd.analysis.runs import RunData

    data, synthetic = _runs().load_source(source)
    names = [v.strip() for v in x.split(",") if v.strip()]
    if isinstance(data, RunData):
        table = _index_table(data, node, None).rename(columns={"value": "index"})
        target = y or "index"
    else:
        table = data
        if y is None:
            raise HqdError("a plain table needs --y (the dependent variable's column)", code="bad_parameter")
        target = y
    if controls is not None:
        extra, extra_synthetic = _runs().load_source(controls)
        synthetic = synthetic or extra_synthetic
        extra = extra.assign(region=extra["region"].astype(str))
        table = table.assign(region=table["region"].astype(str)).merge(extra, on=["region", "year"], how="left")
    return table, target, names, synthetic


YOpt = Annotated[str | None, typer.Option("--y", help="dependent variable (default for a run: the index)")]
XOpt = Annotated[str, typer.Option("--x", help="comma-separated explanatory variables")]
ControlsOpt = Annotated[Path | None, typer.Option(help="table region, year, variables… merged with the source")]
EffectsOpt = Annotated[str, typer.Option(help="region | twoway (region and year fixed effects)")]


def _spatial_model(model: str, source: Path, y: str | None, x: str, controls: Path | None, weights: str,
                   effects: str, draws: int, seed: int, out: Path, node: str | None) -> None:
    import pandas as pd

    from hqd.analysis import econometrics as em
    from hqd.analysis.threeline import three_line_table, to_excel, to_html
    from hqd.analysis.verdicts import spillover_verdict

    table, target, names, synthetic = _model_table(source, y, x, controls, node)
    w = _weights(weights, "queen", "adcode", None, None)
    data = em.panel_arrays(table, target, names, w)
    fits = {m: em.fit_model(m, data, effects, draws=draws, seed=seed) for m in em.MODELS}
    fit = fits[model]
    tests = pd.concat([em.lm_tests(data, effects), em.simplification_tests(fits["sdm"], fits["sar"], fits["sem"]),
                       em.hausman_test(data)], ignore_index=True)
    tables: dict[str, pd.DataFrame] = {model: fit.coefficients, "fit": fit.fit_frame(), "tests": tests}
    if fit.impacts is not None:
        tables["effects"] = fit.impacts
    out.mkdir(parents=True, exist_ok=True)
    columns = {m.upper(): f.coefficients for m, f in fits.items()}
    fit_rows = {m.upper(): f.fit for m, f in fits.items()}
    label_note = ["SYNTHETIC"] if synthetic else []
    for lang in ("zh", "en"):
        three = three_line_table(columns, fit_rows, lang=lang)
        to_excel({"models": three}, out / f"{model}_three_line_{lang}.xlsx", lang=lang, notes=label_note)
        title = f"{fit.label[lang]}（{target}）" if lang == "zh" else f"{fit.label[lang]} ({target})"
        (out / f"{model}_three_line_{lang}.html").write_text(to_html(three, title=title, lang=lang), encoding="utf-8")
    rho = fit.coefficients.iloc[-1]
    lines = [f"{fit.label['en']}, ML on {data.n} regions × {data.t} years: {rho['term']} = {rho['coef']:.4f} "
             f"(se {rho['se']:.4f}, p = {rho['p']:.3g}); log-likelihood {fit.fit['log_likelihood']:.2f}",
             f"{fit.label['zh']}：{data.n} 个地区 × {data.t} 年，极大似然估计。"]
    if fit.impacts is not None:
        indirect = fit.impacts.loc[fit.impacts["effect"] == "indirect"]
        for row in indirect.itertuples():
            lines += _verdicts(lambda lang, r=row: spillover_verdict(str(r.term), r.mean, r.p, lang))
        lines.append(f"effects: LeSage–Pace, {draws} draws from the estimates' asymptotic distribution (seed {seed})")
    _write(out, model, tables, lines, synthetic)


@analyze_app.command("sdm")
def sdm_cmd(source: SourceArg, x: XOpt, y: YOpt = None, controls: ControlsOpt = None, weights: WeightsOpt = "jjj",
            effects: EffectsOpt = "twoway", draws: int = 1000, seed: int = 12345, out: OutOpt = DEFAULT_OUT,
            node: NodeOpt = None) -> None:
    """Spatial Durbin panel model with fixed effects, direct/indirect/total effects, LM/Wald/LR/Hausman tests."""
    _spatial_model("sdm", source, y, x, controls, weights, effects, draws, seed, out, node)


@analyze_app.command("sar")
def sar_cmd(source: SourceArg, x: XOpt, y: YOpt = None, controls: ControlsOpt = None, weights: WeightsOpt = "jjj",
            effects: EffectsOpt = "twoway", draws: int = 1000, seed: int = 12345, out: OutOpt = DEFAULT_OUT,
            node: NodeOpt = None) -> None:
    """Spatial lag panel model with fixed effects (spreg) and its effects."""
    _spatial_model("sar", source, y, x, controls, weights, effects, draws, seed, out, node)


@analyze_app.command("sem")
def sem_cmd(source: SourceArg, x: XOpt, y: YOpt = None, controls: ControlsOpt = None, weights: WeightsOpt = "jjj",
            effects: EffectsOpt = "twoway", draws: int = 1000, seed: int = 12345, out: OutOpt = DEFAULT_OUT,
            node: NodeOpt = None) -> None:
    """Spatial error panel model with fixed effects (spreg)."""
    _spatial_model("sem", source, y, x, controls, weights, effects, draws, seed, out, node)


# ------------------------------------------------------------------------------------- panel drivers (#16)
@analyze_app.command("fe")
def fe_cmd(source: SourceArg, x: XOpt, y: YOpt = None, controls: ControlsOpt = None,
           effects: Annotated[str, typer.Option(help="twoway | region | year | none")] = "twoway",
           out: OutOpt = DEFAULT_OUT, node: NodeOpt = None) -> None:
    """Panel regression with fixed effects and cluster-robust (by region) errors (linearmodels)."""
    import pandas as pd

    from hqd.analysis.panel_regression import fixed_effects

    table, target, names, synthetic = _model_table(source, y, x, controls, node)
    r = fixed_effects(table, target, names, effects=effects)
    lines = [f"{target} on {', '.join(names)}: {r.estimator}, {r.errors}; within R² {r.fit['r2_within']:.3f}, "
             f"{int(r.fit['n_obs'])} observations"]
    for row in r.coefficients.itertuples():
        lines.append(f"  {row.term}: {row.coef:.4f}{row.stars} (se {row.se:.4f}, p = {row.p:.3g})")
    _write(out, "fe", {"fe": r.coefficients, "fit": pd.DataFrame([r.fit])}, lines, synthetic)


@analyze_app.command("mediation")
def mediation_cmd(source: SourceArg, x: Annotated[str, typer.Option("--x", help="the cause")],
                  m: Annotated[str, typer.Option("--m", help="the mediator")], y: YOpt = None,
                  controls: ControlsOpt = None, covariates: Annotated[str, typer.Option(
                      help="comma-separated control variables")] = "",
                  effects: Annotated[str, typer.Option(help="twoway | region | year | none")] = "twoway",
                  draws: int = 500, seed: int = 12345, out: OutOpt = DEFAULT_OUT, node: NodeOpt = None) -> None:
    """Mediation: stepwise regressions and the cluster-bootstrap indirect effect a·b."""
    from hqd.analysis.panel_regression import mediation

    names = [v for v in covariates.split(",") if v]
    table, target, _, synthetic = _model_table(source, y, ",".join([x, m, *names]), controls, node)
    r = mediation(table, target, x, m, names, effects=effects, draws=draws, seed=seed)
    from hqd.analysis.verdicts import mediation_verdict

    summary = r.summary()
    lines = [f"indirect effect a·b = {r.indirect:.4f}, 95% cluster-bootstrap interval [{r.ci_low:.4f}, {r.ci_high:.4f}] "
             f"({draws} draws, seed {seed}); Sobel z {r.sobel_z:.2f}, p = {r.sobel_p:.3g}",
             *_verdicts(lambda lang: mediation_verdict(r.indirect, r.ci_low, r.ci_high, lang))]
    _write(out, "mediation", {"mediation": summary, "total": r.total.coefficients, "a_path": r.a_path.coefficients,
                              "direct": r.direct.coefficients}, lines, synthetic)


@analyze_app.command("threshold")
def threshold_cmd(source: SourceArg, x: Annotated[str, typer.Option("--x", help="regime-dependent regressor(s)")],
                  q: Annotated[str, typer.Option("--q", help="the threshold variable")], y: YOpt = None,
                  controls: ControlsOpt = None, covariates: Annotated[str, typer.Option(
                      help="comma-separated control variables")] = "",
                  thresholds: int = 1, trim: float = 0.05, draws: int = 300, seed: int = 12345,
                  out: OutOpt = DEFAULT_OUT, node: NodeOpt = None) -> None:
    """Hansen (1999) panel threshold regression (single or double) with bootstrap p-values."""
    from hqd.analysis.panel_regression import threshold_regression
    from hqd.analysis.verdicts import threshold_verdict

    regime = [v for v in x.split(",") if v]
    names = [v for v in covariates.split(",") if v]
    table, target, _, synthetic = _model_table(source, y, ",".join([*regime, q, *names]), controls, node)
    r = threshold_regression(table, target, regime, q, names, thresholds=thresholds, trim=trim, draws=draws,
                             seed=seed)
    lines = [f"Hansen (1999) threshold model, fixed effects: threshold(s) {', '.join(f'{g:.4g}' for g in r.thresholds)}"]
    for row in r.tests.itertuples():
        lines.append(f"  {row.test}: F = {row.F:.2f}, bootstrap p = {row.p:.3f} ({row.draws} draws, seed {seed}); "
                     f"critical values 10% {row.crit_10:.2f}, 5% {row.crit_5:.2f}, 1% {row.crit_1:.2f}")
        lines += [f"  {t}" for t in _verdicts(lambda lang, x=row: threshold_verdict(x.F, x.p, lang))]
    _write(out, "threshold", {"threshold": r.tests, "coefficients": r.coefficients, "intervals": r.intervals,
                              "lr": r.lr}, lines, synthetic)
