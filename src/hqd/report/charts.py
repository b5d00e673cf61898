"""Chart options shared by the reports and the dashboard: run directory in, ECharts option JSON out.

:data:`CHARTS` names every chart (a :class:`ChartSpec`: name, one-line description, parameters with
their defaults); :func:`build_chart` validates the parameters and returns the option as plain
dicts, lists, numbers and strings, ready for ``json.dumps`` and ``echarts.setOption``.  Labels come
from the bilingual catalogue :mod:`hqd.report.messages`.

User text (region, indicator, dimension names) stays data inside the option: no option carries a
formatter function or an HTML formatter; string templates only (ECharts encodes the values it
substitutes into tooltip templates), so a region named ``<img src=x onerror=…>`` is shown as text.

Errors: an unknown chart is ``unknown_chart`` (listing the valid names); a bad parameter is
``invalid_parameter`` (all of them listed at once); an input the run directory lacks is
``missing_input`` naming the file.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem, Problems
from hqd.report.messages import FONT_STACK, check_lang, column_label, t
from hqd.report.rundata import RunData, missing_input

#: The vendored Apache ECharts (see ``hqd/web/vendor/README.md``).
ECHARTS_VERSION = "6.1.0"
ECHARTS_PATH = Path(__file__).resolve().parents[1] / "web" / "vendor" / "echarts" / "echarts.min.js"

#: Colours of the grades (low → high) and of the Moran quadrants.
_GRADE_COLOURS = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"]
_QUADRANT_COLOURS = {"HH": "#c23531", "LH": "#91c7ae", "LL": "#2f4554", "HL": "#d48265"}


@dataclass(frozen=True)
class ChartParam:
    """One parameter of a chart: type (``int``, ``str``, ``list``), default (None: chosen from the data)."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type.__name__, "default": self.default, "help": self.help,
                "choices": list(self.choices) if self.choices else None}


@dataclass(frozen=True)
class ChartSpec:
    """A chart: its name, a one-line description, its parameters and the files it reads."""

    name: str
    description: str
    params: tuple[ChartParam, ...]
    inputs: tuple[str, ...]
    build: Callable[..., dict[str, Any]] = field(repr=False, compare=False)

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "inputs": list(self.inputs),
                "params": [p.to_dict() for p in self.params]}


# ====================================================================================== helpers
def _r(value: Any, digits: int = 4) -> float | None:
    """A JSON-safe rounded number (None for NaN/inf)."""
    if value is None or value is pd.NA:
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    return round(number, digits)


def _base(run: RunData, lang: str, title: str, subtitle: str = "") -> dict[str, Any]:
    if run.synthetic:
        label = "合成数据 SYNTHETIC" if lang == "zh" else "SYNTHETIC data"
        subtitle = f"{subtitle} · {label}" if subtitle else label
    option: dict[str, Any] = {
        "animation": False,
        "textStyle": {"fontFamily": FONT_STACK},
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item", "confine": True},
    }
    if subtitle:
        option["title"]["subtext"] = subtitle
    return option


def _legend(names: list[str]) -> dict[str, Any]:
    """A plain legend below the plot (it wraps onto several lines; print shows every entry)."""
    return {"type": "plain", "bottom": 0, "data": names}


def _bottom(names: list[str], per_line: int = 8) -> int:
    """Grid bottom margin leaving room for a legend of ``names``."""
    return 18 + 22 * max(1, math.ceil(len(names) / per_line))


def _year(run: RunData, year: int | None, problems: Problems) -> int:
    if year is None:
        return run.years[-1]
    if year not in run.years:
        problems.error("invalid_parameter", f"year {year} is not in the run; valid: {run.years[0]}–{run.years[-1]}",
                       column="year", year=year)
        return run.years[-1]
    return year


def _node(run: RunData, node: str | None, problems: Problems) -> str:
    if node is None:
        return run.index_code
    nodes = run.nodes()
    if node not in nodes:
        problems.error("invalid_parameter", f"unknown node {node!r}; valid: {', '.join(nodes[:60])}",
                       column="node", indicator=node)
        return run.index_code
    return node


def _regions(run: RunData, regions: list[str] | None, problems: Problems) -> list[str] | None:
    if regions is None:
        return None
    known = set(run.regions)
    for code in regions:
        if code not in known:
            problems.error("invalid_parameter", f"unknown region {code!r}; valid: {', '.join(run.regions[:60])}",
                           column="regions", region=code)
    return [c for c in regions if c in known] or None


def _coerce(spec: ChartSpec, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` checked against ``spec`` and converted (query strings → int/list), defaults filled in."""
    problems = Problems()
    known = {p.name: p for p in spec.params}
    out = spec.defaults
    for key, value in params.items():
        param = known.get(key)
        if param is None:
            valid = ", ".join(known) or "(none)"
            problems.error("invalid_parameter", f"chart {spec.name!r} has no parameter {key!r}; valid: {valid}",
                           column=key)
            continue
        if value is None or (isinstance(value, str) and value == "" and param.type is not str):
            out[key] = param.default
            continue
        try:
            out[key] = _convert(value, param.type)
        except (TypeError, ValueError):
            problems.error("invalid_parameter", f"parameter {key!r} must be {param.type.__name__}; got {value!r}",
                           column=key)
            continue
        if param.choices is not None and out[key] not in param.choices:
            problems.error("invalid_parameter", f"parameter {key!r} must be one of {', '.join(param.choices)}; "
                           f"got {value!r}", column=key)
    problems.raise_if_errors()
    return out


def _convert(value: Any, kind: type) -> Any:
    if kind is int:
        if isinstance(value, bool):
            raise TypeError("bool")
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("not an integer")
        return int(str(value).strip()) if isinstance(value, str) else int(value)
    if kind is list:
        if isinstance(value, str):
            items = [v.strip() for v in value.split(",")]
        elif isinstance(value, list | tuple):
            items = [str(v).strip() for v in value]
        else:
            raise TypeError("not a list")
        items = [v for v in items if v]
        return items or None
    if kind is str:
        if not isinstance(value, str):
            raise TypeError("not text")
        return value
    raise TypeError(kind.__name__)


# ====================================================================================== charts
def ranking(run: RunData, lang: str, year: int | None, node: str | None, top: int) -> dict[str, Any]:
    problems = Problems()
    year, node = _year(run, year, problems), _node(run, node, problems)
    if top < 0:
        problems.error("invalid_parameter", f"top must be ≥ 0 (0: every region); got {top}", column="top")
    problems.raise_if_errors()
    frame = run.node_scores(node)
    frame = frame[frame["year"] == year].dropna(subset=["score"]).sort_values("score", ascending=False)
    if top:
        frame = frame.head(top)
    names = run.region_names(frame["region"], lang)
    option = _base(run, lang, t("chart_ranking", lang, year=year, node=run.node_name(node, lang)))
    option.update({
        "grid": {"left": 8, "right": 56, "top": 56, "bottom": 24, "containLabel": True},
        "xAxis": {"type": "value", "name": t("axis_score", lang), "nameLocation": "middle", "nameGap": 22},
        "yAxis": {"type": "category", "data": names, "inverse": True, "axisTick": {"show": False}},
        "series": [{"type": "bar", "name": run.node_name(node, lang), "data": [_r(v) for v in frame["score"]],
                    "label": {"show": True, "position": "right", "formatter": "{c}"},
                    "itemStyle": {"color": "#2f6fb0"}}],
    })
    return option


def trend(run: RunData, lang: str, node: str | None, regions: list[str] | None) -> dict[str, Any]:
    problems = Problems()
    node = _node(run, node, problems)
    chosen = _regions(run, regions, problems)
    problems.raise_if_errors()
    wide = run.score_matrix(node)
    if chosen:
        wide = wide.loc[chosen]
    names = run.region_names(wide.index, lang)
    option = _base(run, lang, t("chart_trend", lang, node=run.node_name(node, lang)))
    option["tooltip"] = {"trigger": "axis", "confine": True}
    option.update({
        "legend": _legend(names),
        "grid": {"left": 8, "right": 24, "top": 56, "bottom": _bottom(names), "containLabel": True},
        "xAxis": {"type": "category", "data": [str(y) for y in wide.columns], "boundaryGap": False},
        "yAxis": {"type": "value", "name": t("axis_score", lang), "scale": True},
        "series": [{"type": "line", "name": name, "data": [_r(v) for v in row], "symbolSize": 4}
                   for name, row in zip(names, wide.to_numpy(), strict=True)],
    })
    return option


def radar(run: RunData, lang: str, year: int | None, regions: list[str] | None) -> dict[str, Any]:
    problems = Problems()
    year = _year(run, year, problems)
    chosen = _regions(run, regions, problems)
    problems.raise_if_errors()
    dims = run.dimensions
    if not dims:
        raise HqdError([Problem("missing_input", "the run has no level-1 dimensions to draw",
                                file=str(run.file("scores.csv")))])
    scores = run.scores
    level1 = scores[scores["node"].isin(dims)]
    if chosen is None:
        index = run.node_scores(run.index_code)
        order = index[index["year"] == year].dropna(subset=["score"]).sort_values("score", ascending=False)
        codes = [str(c) for c in order["region"]]
        chosen = list(dict.fromkeys([codes[0], codes[len(codes) // 2], codes[-1]])) if codes else []
    tops = level1.groupby("node")["score"].max()
    indicator = [{"name": run.node_name(d, lang), "max": _nice(float(tops.get(d, 1.0)))} for d in dims]
    now = level1[level1["year"] == year].pivot_table(index="region", columns="node", values="score")
    data: list[dict[str, Any]] = []
    for code in chosen:
        values = [_r(now.at[code, d]) if code in now.index and d in now.columns else None for d in dims]
        data.append({"name": run.region_name(code, lang), "value": values})
    option = _base(run, lang, t("chart_radar", lang, year=year))
    option.update({
        "legend": _legend([d["name"] for d in data]),
        "radar": {"indicator": indicator, "radius": "60%", "center": ["50%", "54%"]},
        "series": [{"type": "radar", "data": data, "areaStyle": {"opacity": 0.08}}],
    })
    return option


def _nice(value: float) -> float:
    """A round axis maximum ≥ ``value``."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value)) / 2
    return round(math.ceil(value / step) * step, 6)


def drivers(run: RunData, lang: str, regions: list[str] | None) -> dict[str, Any]:
    problems = Problems()
    chosen = _regions(run, regions, problems)
    problems.raise_if_errors()
    frame = run.require("drivers.csv", "the drivers chart")
    if chosen:
        frame = frame[frame["region"].isin(chosen)]
    codes = [r for r in run.regions if r in set(frame["region"])]
    dims = [d for d in pd.unique(frame["child"])]
    wide = frame.pivot_table(index="region", columns="child", values="share_pct").reindex(index=codes, columns=dims)
    first, last = int(frame["start_year"].iloc[0]), int(frame["end_year"].iloc[0])
    option = _base(run, lang, t("chart_drivers", lang, first=first, last=last))
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True}
    dim_names = [run.node_name(str(d), lang) for d in dims]
    values = wide.to_numpy(dtype=float)
    high = float(np.nansum(np.where(values > 0, values, 0), axis=1).max()) if values.size else 100.0
    low = float(np.nansum(np.where(values < 0, values, 0), axis=1).min()) if values.size else 0.0
    option.update({
        "legend": _legend(dim_names),
        "grid": {"left": 8, "right": 24, "top": 56, "bottom": _bottom(dim_names), "containLabel": True},
        "xAxis": {"type": "value", "name": t("axis_share", lang), "nameLocation": "middle", "nameGap": 22,
                  "min": math.floor(low / 10) * 10, "max": max(10, math.ceil(high / 10 - 1e-9) * 10)},
        "yAxis": {"type": "category", "data": run.region_names(codes, lang), "inverse": True},
        "series": [{"type": "bar", "stack": "share", "name": name, "data": [_r(v, 2) for v in wide[d]]}
                   for name, d in zip(dim_names, dims, strict=True)],
    })
    return option


def grades(run: RunData, lang: str, node: str | None) -> dict[str, Any]:
    problems = Problems()
    node = _node(run, node, problems)
    problems.raise_if_errors()
    frame = run.require("grades.csv", "the grades chart")
    frame = frame[frame["node"].astype(str) == node]
    if frame.empty:
        raise missing_input(run.file("grades.csv"), f"grades of node {node!r}")
    label = "grade_zh" if lang == "zh" else "grade_en"
    levels = frame.dropna(subset=["grade"]).drop_duplicates("grade").sort_values("grade")
    counts = frame.pivot_table(index="grade", columns="year", values="region", aggfunc="count", fill_value=0)
    years = [y for y in run.years if y in counts.columns]
    option = _base(run, lang, t("chart_grades", lang, node=run.node_name(node, lang)))
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True}
    names = [str(v) for v in levels[label]]
    if len(names) <= len(_GRADE_COLOURS):
        option["color"] = _GRADE_COLOURS[len(_GRADE_COLOURS) - len(names):]
    option.update({
        "legend": _legend(names),
        "grid": {"left": 8, "right": 24, "top": 56, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": [str(y) for y in years]},
        "yAxis": {"type": "value", "name": t("axis_regions", lang), "minInterval": 1},
        "series": [{"type": "bar", "stack": "grades", "name": name,
                    "data": [int(counts.at[g, y]) if g in counts.index else 0 for y in years]}
                   for name, g in zip(names, levels["grade"], strict=True)],
    })
    return option


def centres(run: RunData, geojson: str | None, id_field: str) -> pd.DataFrame:
    """``code, lon, lat`` of the run's regions: the bundled city centres, or a GeoJSON's interior points."""
    if geojson:
        from hqd.analysis.spatial import read_geojson

        frame = read_geojson(geojson, id_field)
        points = frame.geometry.representative_point()
        return pd.DataFrame({"code": frame[id_field].astype(str), "lon": points.x, "lat": points.y})
    from hqd.datasets.jjj_geo import city_centres

    table = city_centres()
    return table[["code", "lon", "lat"]].assign(code=table["code"].astype(str))


def map_points(run: RunData, lang: str, year: int | None, node: str | None, geojson: str | None,
               id_field: str) -> dict[str, Any]:
    problems = Problems()
    year, node = _year(run, year, problems), _node(run, node, problems)
    if geojson and not Path(geojson).is_file():
        problems.error("invalid_parameter", f"GeoJSON not found: {geojson}", column="geojson", file=geojson)
    problems.raise_if_errors()
    points = centres(run, geojson, id_field).drop_duplicates("code").set_index("code")
    frame = run.node_scores(node)
    frame = frame[frame["year"] == year]
    placed = frame[frame["region"].isin(points.index)]
    if placed.empty:
        raise HqdError([Problem("missing_input", "no centre is known for any region of the run: give geojson= "
                                "(a GeoJSON keyed by GB/T 2260 code)", file=str(run.file("scores.csv")))])
    values = placed["score"].to_numpy(dtype=float)
    data = [{"name": run.region_name(str(r), lang), "value": [_r(points.at[r, "lon"], 4), _r(points.at[r, "lat"], 4),
                                                          _r(s)]}
            for r, s in zip(placed["region"], values, strict=True)]
    lon, lat = points.loc[placed["region"], "lon"], points.loc[placed["region"], "lat"]
    pad_x = max(0.3, float(lon.max() - lon.min()) * 0.12)
    pad_y = max(0.3, float(lat.max() - lat.min()) * 0.12)
    unplaced = [str(r) for r in frame["region"] if r not in points.index]
    sub = t("chart_map_note", lang)
    if unplaced:
        sub += " · " + ("无中心点：" if lang == "zh" else "no centre: ") + ", ".join(
            run.region_names(unplaced[:8], lang)) + ("…" if len(unplaced) > 8 else "")
    finite = values[np.isfinite(values)]
    option = _base(run, lang, t("chart_map", lang, year=year, node=run.node_name(node, lang)), sub)
    option["tooltip"] = {"trigger": "item", "formatter": "{b}", "confine": True}
    option.update({
        "grid": {"left": 8, "right": 90, "top": 64, "bottom": 24, "containLabel": True},
        "xAxis": {"type": "value", "name": t("axis_lon", lang), "min": math.floor((float(lon.min()) - pad_x) * 2) / 2,
                  "max": math.ceil((float(lon.max()) + pad_x) * 2) / 2, "splitLine": {"show": False}},
        "yAxis": {"type": "value", "name": t("axis_lat", lang), "min": math.floor((float(lat.min()) - pad_y) * 2) / 2,
                  "max": math.ceil((float(lat.max()) + pad_y) * 2) / 2, "splitLine": {"show": False}},
        "visualMap": {"type": "continuous", "dimension": 2, "min": _r(finite.min() if finite.size else 0),
                      "max": _r(finite.max() if finite.size else 1), "right": 0, "top": "middle",
                      "calculable": False, "text": [t("axis_score", lang), ""],
                      "inRange": {"color": ["#dbe9f6", "#6baed6", "#08519c"]}},
        "series": [{"type": "scatter", "name": run.node_name(node, lang), "data": data, "symbolSize": 22,
                    "label": {"show": True, "formatter": "{b}", "position": "top", "fontSize": 11},
                    "itemStyle": {"borderColor": "#333", "borderWidth": 0.5}}],
    })
    return option


_MAP_COLOURS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c", "#08306b", "#041a3d")


#: The classification schemes of :func:`hqd.analysis.classify.class_breaks` (a test keeps them equal).
MAP_SCHEMES = ("natural_breaks", "quantiles", "equal_interval", "user_defined")


def map_classes(codes: list[str], values: np.ndarray, scheme: str, k: int,
                cuts: list[float] | None = None) -> pd.DataFrame:
    """The class table of a choropleth (``lower, upper, count``): :func:`hqd.analysis.classify.class_breaks`
    on the drawn regions' values (natural breaks are the exact Fisher–Jenks optimum; mapclassify assigns
    the classes).  ``k`` is capped at the number of distinct values and the number of colours."""
    from hqd.analysis.classify import class_breaks

    frame = pd.DataFrame({"region": codes, "value": values}).dropna()
    if frame.empty:
        raise HqdError([Problem("missing_input", "no finite value to classify")])
    k = max(2, min(int(k), frame["value"].nunique(), len(_MAP_COLOURS)))
    if scheme != "user_defined" and frame["value"].nunique() < 2:
        return pd.DataFrame({"lower": [frame["value"].min()], "upper": [frame["value"].max()], "count": [len(frame)]})
    if scheme == "user_defined" and not cuts:
        raise HqdError([Problem("invalid_parameter", "scheme user_defined needs cuts (upper bounds, comma-separated)",
                                column="cuts")])
    found = class_breaks(frame, scheme, k, bins=sorted(cuts) if cuts else None, column="value")
    return found.table[["lower", "upper", "count"]].reset_index(drop=True)


def _polygon_map(option: dict[str, Any], shapes: Any, names: dict[str, str], data: list[dict[str, Any]],
                 name: str, visual_map: dict[str, Any]) -> dict[str, Any]:
    """Put a filled-polygon map on ``option``: the boundaries under ``hqdMaps`` (registered by the drawing
    code under a name derived from their codes), the piecewise ``visual_map`` and one map series keyed by
    ``properties.code``, shown under the regions' ``names``."""
    key = "hqd-" + hashlib.sha1(",".join(shapes.codes).encode()).hexdigest()[:10]
    option["title"]["subtextStyle"] = {"width": 520, "overflow": "break", "fontSize": 10}
    option.update({
        "hqdMaps": {key: shapes.geojson},
        "visualMap": {"type": "piecewise", "left": 0, "bottom": 10, "orient": "vertical", **visual_map},
        "series": [{"type": "map", "map": key, "nameProperty": "code", "nameMap": names, "roam": False,
                    "top": 70, "bottom": 10, "data": data, "name": name,
                    "label": {"show": len(names) <= 40, "fontSize": 10},
                    "itemStyle": {"borderColor": "#555", "borderWidth": 0.6, "areaColor": "#f0f0f0"}}],
    })
    return option


def choropleth(run: RunData, lang: str, year: int | None, node: str | None, scheme: str, k: int,
               cuts: list[str] | None, geojson: str | None, id_field: str,
               base_year: int | None = None) -> dict[str, Any]:
    """Regions as filled polygons classed by ``scheme`` (the class table in the legend).

    Boundaries: the user's GeoJSON (``geojson``, features keyed by ``id_field``) or the bundled ones
    (:mod:`hqd.datasets.boundaries`, the ``hqd[maps]`` extra).  The option carries the boundaries under
    ``hqdMaps`` (name → GeoJSON) for the drawing code to register; regions without a shape are named in
    the subtitle, never dropped silently."""
    from hqd.datasets import boundaries

    problems = Problems()
    year, node = _year(run, year, problems), _node(run, node, problems)
    if geojson and not Path(geojson).is_file():
        problems.error("invalid_parameter", f"GeoJSON not found: {geojson}", column="geojson", file=geojson)
    cut_values: list[float] | None = None
    if cuts:
        try:
            cut_values = [float(c) for c in cuts]
        except ValueError:
            problems.error("invalid_parameter", f"cuts must be numbers; got {cuts!r}", column="cuts")
    if base_year is not None and (int(base_year) not in run.years or int(base_year) >= year):
        problems.error("invalid_parameter", f"base_year must be a year of the run before {year}; got {base_year}",
                       column="base_year")
    problems.raise_if_errors()
    scores = run.node_scores(node)
    frame = scores[scores["year"] == year]
    if base_year is not None:  # the change between two years, in score points
        base = scores[scores["year"] == int(base_year)].set_index("region")["score"]
        frame = frame.assign(score=frame["score"].to_numpy() - base.reindex(frame["region"]).to_numpy())
    codes = [str(r) for r in frame["region"]]
    shapes = (boundaries.from_geojson(geojson, id_field, codes) if geojson else boundaries.for_regions(codes))
    if shapes is None or not shapes.codes:
        raise HqdError([Problem("missing_input", "no boundaries for the run's regions: install hqd[maps] for "
                                "the bundled ones or give geojson= (features keyed by GB/T 2260 code)",
                                file=str(run.file("scores.csv")))])
    drawn = frame[frame["region"].astype(str).isin(set(shapes.codes))]
    values = drawn["score"].to_numpy(dtype=float)
    classes = map_classes([str(r) for r in drawn["region"]], values, scheme, k, cut_values)
    digits = 3 if np.nanmax(np.abs(values)) < 100 else 1
    pieces = []
    last = len(classes) - 1
    for number, row in enumerate(classes.itertuples(index=False)):
        # the ends stay open so that a value rounded for JSON never falls outside every class
        piece: dict[str, Any] = {"color": _MAP_COLOURS[number],
                                 "label": f"{row.lower:.{digits}f}–{row.upper:.{digits}f}（{row.count}）"
                                 if lang == "zh" else f"{row.lower:.{digits}f}–{row.upper:.{digits}f} ({row.count})"}
        if number < last:
            piece["lte"] = _r(row.upper, 6)
        if number > 0:
            piece["gt"] = _r(row.lower, 6)
        pieces.append(piece)
    names = {code: run.region_name(code, lang) for code in shapes.codes}
    data = [{"name": names[str(r)], "value": _r(v, 6)} for r, v in zip(drawn["region"], values, strict=True)]
    unmatched = [c for c in codes if c not in names]
    sub = shapes.notice(lang) + " · " + t("chart_choropleth_scheme", lang, scheme=t(f"scheme_{scheme}", lang),
                                             k=len(classes))
    if unmatched:
        shown = ("、" if lang == "zh" else ", ").join(run.region_names(unmatched[:8], lang))
        sub += " · " + t("chart_map_unmatched", lang, regions=shown + ("…" if len(unmatched) > 8 else ""))
    title = (t("chart_choropleth_change", lang, first=base_year, year=year, node=run.node_name(node, lang))
             if base_year is not None else t("chart_choropleth", lang, year=year, node=run.node_name(node, lang)))
    option = _polygon_map(_base(run, lang, title, sub), shapes, names, data, run.node_name(node, lang),
                          {"pieces": pieces, "itemWidth": 14, "itemHeight": 10, "textStyle": {"fontSize": 11}})
    option["hqdClasses"] = classes.round(6).to_dict("records")
    option["series"][0]["emphasis"] = {"label": {"show": True}}
    return option


_LISA_COLOURS = {"HH": "#c23531", "LH": "#91c7ae", "LL": "#2f4554", "HL": "#d48265", "ns": "#e0e0e0"}


def lisa_map(run: RunData, lang: str, year: int | None) -> dict[str, Any]:
    """The regions as filled polygons coloured by their significant LISA cluster (HH, LH, LL, HL) or "not
    significant", one year, from ``analysis/jjj_lisa.csv`` (``hqd analyze jjj`` / ``hqd analyze lisa``) and the
    bundled boundaries (:mod:`hqd.datasets.boundaries`)."""
    from hqd.datasets import boundaries

    lisa = run.analysis("lisa")
    if lisa is None or lisa.empty:
        raise missing_input(run.file("analysis/jjj_lisa.csv"), "the LISA map")
    problems = Problems()
    years = sorted(int(y) for y in lisa["year"].unique())
    year = years[-1] if year is None else int(year)
    if year not in years:
        problems.error("invalid_parameter", f"year {year} is not in the LISA table ({years[0]}–{years[-1]})",
                       column="year")
    problems.raise_if_errors()
    rows = lisa[lisa["year"] == year]
    codes = [str(r) for r in rows["region"]]
    shapes = boundaries.for_regions(codes)
    if shapes is None or not shapes.codes:
        raise HqdError([Problem("missing_input", "no boundaries for the run's regions: install hqd[maps]",
                                file=str(run.file("scores.csv")))])
    keys = ["HH", "LH", "LL", "HL", "ns"]
    label = {k: t(f"quadrant_{k}", lang) for k in keys[:4]} | {"ns": t("web_not_significant", lang)}
    names = {code: run.region_name(code, lang) for code in shapes.codes}
    data = []
    for code, cluster in zip(codes, rows["cluster"].astype(str), strict=True):
        if code in names:
            key = cluster if cluster in keys[:4] else "ns"
            data.append({"name": names[code], "value": keys.index(key), "cluster": key})
    present = sorted({int(d["value"]) for d in data})
    option = _base(run, lang, t("web_lisa_title", lang, year=year),
                   t("web_lisa_significant", lang) + " · " + shapes.notice(lang))
    pieces = [{"value": v, "label": label[keys[v]], "color": _LISA_COLOURS[keys[v]]} for v in present]
    return _polygon_map(option, shapes, names, data, t("web_lisa", lang), {"pieces": pieces})


def coupling(run: RunData, lang: str, variant: str, scope: str) -> dict[str, Any]:
    suffix = "" if variant == "standard" else "_corrected"
    if scope == "jjj":
        frame = run.require_analysis(f"coupling_jjj{suffix}", "the coupling chart")
        option = _base(run, lang, t("chart_coupling_jjj", lang), variant)
        option["tooltip"] = {"trigger": "axis", "confine": True}
        years = [str(int(y)) for y in frame["year"]]
        parts = {column: column_label(column, lang) for column in ("C", "T", "D")}
        option.update({
            "legend": _legend(list(parts.values())),
            "grid": {"left": 8, "right": 24, "top": 56, "bottom": 40, "containLabel": True},
            "xAxis": {"type": "category", "data": years, "boundaryGap": False},
            "yAxis": {"type": "value", "min": 0, "max": 1},
            "series": [{"type": "line", "name": label, "data": [_r(v) for v in frame[column]]}
                       for column, label in parts.items()],
        })
        return option
    frame = run.require_analysis(f"coupling_dimensions{suffix}", "the coupling chart")
    wide = frame.pivot_table(index="region", columns="year", values="D", sort=False)
    wide = wide.reindex(index=[r for r in run.regions if r in wide.index])
    names = run.region_names(wide.index, lang)
    option = _base(run, lang, t("chart_coupling", lang), variant)
    option["tooltip"] = {"trigger": "axis", "confine": True}
    option.update({
        "legend": _legend(names),
        "grid": {"left": 8, "right": 24, "top": 56, "bottom": _bottom(names), "containLabel": True},
        "xAxis": {"type": "category", "data": [str(int(y)) for y in wide.columns], "boundaryGap": False},
        "yAxis": {"type": "value", "name": "D", "scale": True},
        "series": [{"type": "line", "name": name, "data": [_r(v) for v in row], "symbolSize": 4}
                   for name, row in zip(names, wide.to_numpy(), strict=True)],
    })
    return option


def inequality(run: RunData, lang: str, measure: str) -> dict[str, Any]:
    if measure == "theil":
        frame = run.require_analysis("theil", "the inequality chart")
        parts = [("within", "s_within"), ("between", "s_between")]
        total, title = "total", t("chart_inequality_theil", lang)
    else:
        frame = run.require_analysis("dagum", "the inequality chart")
        parts = [("G_w", "s_within"), ("G_nb", "s_net_between"), ("G_t", "s_transvariation")]
        total, title = "G", t("chart_inequality_dagum", lang)
    years = [str(int(y)) for y in frame["year"]]
    option = _base(run, lang, title)
    option["tooltip"] = {"trigger": "axis", "confine": True}
    series: list[dict[str, Any]] = [{"type": "bar", "stack": "parts", "name": t(key, lang),
                                     "data": [_r(v, 5) for v in frame[column]]} for column, key in parts]
    series.append({"type": "line", "name": t("s_total", lang), "data": [_r(v, 5) for v in frame[total]]})
    option.update({
        "legend": _legend([s["name"] for s in series]),
        "grid": {"left": 8, "right": 24, "top": 56, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": years},
        "yAxis": {"type": "value"},
        "series": series,
    })
    return option


def convergence(run: RunData, lang: str) -> dict[str, Any]:
    frame = run.require_analysis("sigma", "the convergence chart")
    years = [str(int(y)) for y in frame["year"]]
    option = _base(run, lang, t("chart_convergence", lang))
    option["tooltip"] = {"trigger": "axis", "confine": True}
    option.update({
        "legend": _legend([t("s_sigma", lang), t("s_cv", lang)]),
        "grid": {"left": 8, "right": 8, "top": 56, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": years, "boundaryGap": False},
        "yAxis": [{"type": "value", "name": "σ", "scale": True}, {"type": "value", "name": "CV", "scale": True}],
        "series": [{"type": "line", "name": t("s_sigma", lang), "data": [_r(v, 5) for v in frame["std"]]},
                   {"type": "line", "name": t("s_cv", lang), "yAxisIndex": 1,
                    "data": [_r(v, 5) for v in frame["cv"]]}],
    })
    return option


def spatial_weights(run: RunData, regions: list[str], geojson: str | None, id_field: str) -> Any:
    """Contiguity weights: the bundled 13-city table, or queen contiguity from a GeoJSON."""
    if geojson:
        from hqd.analysis.spatial import weights_from_geojson

        return weights_from_geojson(geojson, regions, id_field=id_field)
    from hqd.datasets.jjj_geo import CITY_CODES, contiguity_weights

    if sorted(regions) != sorted(CITY_CODES):
        raise HqdError([Problem("missing_input", "spatial weights are built in only for the 13 Jing-Jin-Ji "
                                "cities; give geojson= (boundaries keyed by GB/T 2260 code)",
                                file=str(run.file("scores.csv")))])
    return contiguity_weights()


def moran_scatter(run: RunData, lang: str, year: int | None, node: str | None, geojson: str | None,
                  id_field: str) -> dict[str, Any]:
    from hqd.analysis.spatial import dense, local_morans_i, morans_i, row_standardise

    problems = Problems()
    year, node = _year(run, year, problems), _node(run, node, problems)
    problems.raise_if_errors()
    frame = run.node_scores(node)
    frame = frame[frame["year"] == year].dropna(subset=["score"])
    regions = [str(r) for r in frame["region"]]
    w = spatial_weights(run, regions, geojson, id_field)
    values = frame[["region", "year", "node", "level", "score"]]
    moran = morans_i(values, w, permutations=0, node=node)
    local = local_morans_i(values, w, permutations=0, node=node).frame.set_index("region")
    order = [str(r) for r in local.index]
    x = local["value"].to_numpy(dtype=float)
    z = (x - x.mean()) / x.std()
    lag = dense(row_standardise(w), order) @ z
    slope = float(moran.I[0])
    option = _base(run, lang, t("chart_moran", lang, year=year, i=slope), run.node_name(node, lang))
    series: list[dict[str, Any]] = []
    for quadrant in ("HH", "LH", "LL", "HL"):
        mask = local["quadrant"].to_numpy() == quadrant
        series.append({
            "type": "scatter", "name": t(f"quadrant_{quadrant}", lang), "symbolSize": 10,
            "itemStyle": {"color": _QUADRANT_COLOURS[quadrant]},
            "label": {"show": True, "formatter": "{b}", "position": "right", "fontSize": 10},
            "data": [{"name": run.region_name(r, lang), "value": [_r(a), _r(b)]}
                     for r, a, b in zip(np.array(order)[mask], z[mask], lag[mask], strict=True)],
        })
    reach = float(max(np.abs(z).max(), np.abs(lag).max(), 1.0)) * 1.15
    series.append({"type": "line", "name": t("s_fit", lang), "symbol": "none", "silent": True,
                   "lineStyle": {"type": "dashed", "color": "#555"},
                   "data": [[_r(-reach), _r(-reach * slope)], [_r(reach), _r(reach * slope)]]})
    option["tooltip"] = {"trigger": "item", "formatter": "{b}: {c}", "confine": True}
    option.update({
        "legend": _legend([s["name"] for s in series[:4]]),
        "grid": {"left": 36, "right": 24, "top": 64, "bottom": 64, "containLabel": True},
        "xAxis": {"type": "value", "name": t("axis_z", lang), "nameLocation": "middle", "nameGap": 24,
                  "min": -math.ceil(reach), "max": math.ceil(reach)},
        "yAxis": {"type": "value", "name": t("axis_lag", lang), "nameLocation": "middle", "nameGap": 28,
                  "min": -math.ceil(reach), "max": math.ceil(reach)},
        "series": series,
    })
    return option


def obstacles(run: RunData, lang: str, year: int | None, region: str | None, top: int) -> dict[str, Any]:
    problems = Problems()
    year = _year(run, year, problems)
    if region is not None:
        _regions(run, [region], problems)
    if top < 1:
        problems.error("invalid_parameter", f"top must be ≥ 1; got {top}", column="top")
    problems.raise_if_errors()
    if region is not None:
        frame = run.require_analysis("obstacles_top", "the obstacles chart")
        frame = frame[(frame["region"] == region) & (frame["year"] == year)].sort_values("obstacle", ascending=False)
        frame = frame.head(top)
        names = [f"{run.node_name(str(i), lang)}" for i in frame["indicator"]]
        option = _base(run, lang, t("chart_obstacles_region", lang, year=year, region=run.region_name(region, lang)))
        option.update({
            "grid": {"left": 8, "right": 56, "top": 56, "bottom": 24, "containLabel": True},
            "xAxis": {"type": "value", "name": t("axis_obstacle", lang), "nameLocation": "middle", "nameGap": 22},
            "yAxis": {"type": "category", "data": names, "inverse": True},
            "series": [{"type": "bar", "name": t("axis_obstacle", lang), "data": [_r(v) for v in frame["obstacle"]],
                        "label": {"show": True, "position": "right", "formatter": "{c}"}}],
        })
        return option
    frame = run.require_analysis("obstacles_dimensions", "the obstacles chart")
    frame = frame[frame["year"] == year]
    codes = [r for r in run.regions if r in set(frame["region"])]
    dims = [str(d) for d in pd.unique(frame["dimension"])]
    wide = frame.pivot_table(index="region", columns="dimension", values="obstacle").reindex(index=codes, columns=dims)
    dim_names = [run.node_name(d, lang) for d in dims]
    option = _base(run, lang, t("chart_obstacles", lang, year=year))
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True}
    option.update({
        "legend": _legend(dim_names),
        "grid": {"left": 8, "right": 24, "top": 56, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "value", "max": 1, "name": t("axis_obstacle", lang), "nameLocation": "middle",
                  "nameGap": 22},
        "yAxis": {"type": "category", "data": run.region_names(codes, lang), "inverse": True},
        "series": [{"type": "bar", "stack": "obstacle", "name": name, "data": [_r(v) for v in wide[d]]}
                   for name, d in zip(dim_names, dims, strict=True)],
    })
    return option


def rank_bands(run: RunData, lang: str, year: int | None, node: str | None) -> dict[str, Any]:
    problems = Problems()
    year, node = _year(run, year, problems), _node(run, node, problems)
    problems.raise_if_errors()
    frame = run.require("uncertainty/rank_stats.csv", "the rank-bands chart")
    frame = frame[(frame["node"] == node) & (frame["year"] == year)].sort_values(["nominal", "median"])
    if frame.empty:
        raise missing_input(run.file("uncertainty/rank_stats.csv"), f"rank bands of {node} in {year}")
    names = run.region_names(frame["region"], lang)
    low = frame["q05"].to_numpy(dtype=float)
    width = frame["q95"].to_numpy(dtype=float) - low
    option = _base(run, lang, t("chart_rank_bands", lang, year=year), run.node_name(node, lang))
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True}
    option.update({
        "legend": _legend([t("s_band", lang), t("s_nominal", lang), t("s_median", lang)]),
        "grid": {"left": 8, "right": 24, "top": 64, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "value", "name": t("axis_rank", lang), "min": 0, "max": len(run.regions) + 1,
                  "interval": 1, "nameLocation": "middle", "nameGap": 22},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [
            {"type": "bar", "stack": "band", "name": "q05", "silent": True, "data": [_r(v - 0.5, 2) for v in low],
             "itemStyle": {"color": "transparent"}, "tooltip": {"show": False}},
            {"type": "bar", "stack": "band", "name": t("s_band", lang), "data": [_r(v + 1.0, 2) for v in width],
             "itemStyle": {"color": "#9ecae1"}, "barWidth": "55%"},
            {"type": "scatter", "name": t("s_nominal", lang), "symbol": "diamond", "symbolSize": 11,
             "itemStyle": {"color": "#08519c"}, "data": [_r(v) for v in frame["nominal"]]},
            {"type": "scatter", "name": t("s_median", lang), "symbolSize": 7, "itemStyle": {"color": "#e6550d"},
             "data": [_r(v) for v in frame["median"]]},
        ],
    })
    return option


def sensitivity(run: RunData, lang: str, target: str) -> dict[str, Any]:
    frame = run.require("uncertainty/sobol.csv", "the sensitivity chart")
    targets = [str(v) for v in pd.unique(frame["target"])]
    if target not in targets:
        raise HqdError(f"unknown Sobol target {target!r}; valid: {', '.join(targets)}", code="invalid_parameter")
    frame = frame[frame["target"] == target]
    inputs = [str(v) for v in frame["input"]]
    label = t(target, lang) if target == "mean_abs_rank_change" else run.region_name(target, lang)
    s1 = [_r(v) for v in frame["S1"]]
    st = [_r(v) for v in frame["ST"]]
    sub = t("sobol_nan", lang) if all(v is None for v in s1 + st) else ""
    option = _base(run, lang, t("chart_sensitivity", lang, target=label), sub)
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True}
    option.update({
        "legend": _legend([t("s_first_order", lang), t("s_total_order", lang)]),
        "grid": {"left": 8, "right": 24, "top": 64, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": inputs},
        "yAxis": {"type": "value", "min": 0},
        "series": [{"type": "bar", "name": t("s_first_order", lang), "data": s1},
                   {"type": "bar", "name": t("s_total_order", lang), "data": st}],
    })
    return option


# ====================================================================================== catalogue
_YEAR = ChartParam("year", int, None, "year (default: the last year of the run)")
_NODE = ChartParam("node", str, None, "framework node code (default: the index)")
_REGIONS = ChartParam("regions", list, None, "region codes, comma-separated (default: every region)")
_GEOJSON = ChartParam("geojson", str, None, "GeoJSON of the regions (default: the bundled 13 city centres)")
_ID_FIELD = ChartParam("id_field", str, "adcode", "GeoJSON property holding the GB/T 2260 code")

CHARTS: dict[str, ChartSpec] = {spec.name: spec for spec in (
    ChartSpec("ranking", "Bars of a node's scores (the index by default) for one year, best first.",
              (_YEAR, _NODE, ChartParam("top", int, 0, "show only the first N regions (0: all)")),
              ("scores.csv",), ranking),
    ChartSpec("trend", "Lines of a node's scores per region over the years.", (_NODE, _REGIONS),
              ("scores.csv",), trend),
    ChartSpec("radar", "The dimension scores of one or several regions (default: best, middle, last).",
              (_YEAR, ChartParam("regions", list, None, "region codes, comma-separated (default: best, median "
                                                        "and last by the index)")),
              ("scores.csv", "framework.csv"), radar),
    ChartSpec("drivers", "Contribution shares of the dimensions to each region's change of the index.",
              (_REGIONS,), ("drivers.csv",), drivers),
    ChartSpec("grades", "Regions per grade, year by year.", (_NODE,), ("grades.csv",), grades),
    ChartSpec("map_points", "Regions as points at their centres, coloured by a node's score for one year.",
              (_YEAR, _NODE, _GEOJSON, _ID_FIELD), ("scores.csv",), map_points),
    ChartSpec("choropleth", "Regions as filled polygons classed by natural breaks (Jenks–Fisher), quantiles, equal "
                            "intervals or user cut-offs, one year.",
              (_YEAR, _NODE, ChartParam("scheme", str, "natural_breaks", "classification", MAP_SCHEMES),
               ChartParam("k", int, 5, "number of classes"),
               ChartParam("cuts", list, None, "upper class bounds for scheme user_defined, comma-separated"),
               ChartParam("geojson", str, None, "GeoJSON of the regions (default: the bundled boundaries, "
                                                "hqd[maps])"), _ID_FIELD,
               ChartParam("base_year", int, None, "map the change since this year (score points) instead")),
              ("scores.csv",), choropleth),
    ChartSpec("lisa_map", "Regions as filled polygons coloured by their significant LISA cluster, one year.",
              (_YEAR,), ("analysis/jjj_lisa.csv",), lisa_map),
    ChartSpec("coupling", "Coupling coordination degree D over the years (per region, or C/T/D of Jing-Jin-Ji).",
              (ChartParam("variant", str, "standard", "coupling degree variant", ("standard", "corrected")),
               ChartParam("scope", str, "dimensions", "dimensions of each region, or the three provinces (jjj)",
                          ("dimensions", "jjj"))),
              ("analysis/jjj_coupling_dimensions.csv", "analysis/jjj_coupling_jjj.csv"), coupling),
    ChartSpec("inequality", "Theil or Dagum-Gini decomposition (within, between, transvariation) over the years.",
              (ChartParam("measure", str, "theil", "decomposition", ("theil", "dagum")),),
              ("analysis/jjj_theil.csv", "analysis/jjj_dagum.csv"), inequality),
    ChartSpec("convergence", "σ convergence: standard deviation and coefficient of variation over the years.", (),
              ("analysis/jjj_sigma.csv",), convergence),
    ChartSpec("moran_scatter", "Moran scatter plot (z against its spatial lag Wz) with the slope I, one year.",
              (_YEAR, _NODE, _GEOJSON, _ID_FIELD), ("scores.csv",), moran_scatter),
    ChartSpec("obstacles", "Obstacle degree of the dimensions per region (or a region's top indicators).",
              (_YEAR, ChartParam("region", str, None, "one region code: its main obstacle indicators"),
               ChartParam("top", int, 10, "indicators shown for one region")),
              ("analysis/jjj_obstacles_dimensions.csv", "analysis/jjj_obstacles_top.csv"), obstacles),
    ChartSpec("rank_bands", "Monte Carlo rank intervals (5–95%) with the nominal and median rank, one year.",
              (_YEAR, _NODE), ("uncertainty/rank_stats.csv",), rank_bands),
    ChartSpec("sensitivity", "Sobol first-order and total indices of the uncertain inputs.",
              (ChartParam("target", str, "mean_abs_rank_change", "Sobol target: mean_abs_rank_change or a region "
                                                                 "code"),),
              ("uncertainty/sobol.csv",), sensitivity),
)}


def build_chart(name: str, run_dir: str | Path, *, lang: str = "zh", **params: Any) -> dict[str, Any]:
    """The ECharts option of chart ``name`` for the run directory ``run_dir``.

    ``params`` are the chart's parameters (:data:`CHARTS`), as Python values or as the strings of a
    query (``year="2022"``, ``regions="110000,120000"``).  Raises ``unknown_chart``,
    ``invalid_parameter`` or ``missing_input`` (:class:`~hqd.errors.HqdError`).
    """
    spec = CHARTS.get(name)
    if spec is None:
        raise HqdError(f"unknown chart {name!r}; valid: {', '.join(CHARTS)}", code="unknown_chart")
    check_lang(lang)
    values = _coerce(spec, params)
    run = RunData(run_dir)
    return spec.build(run, lang, **values)


def echarts_js() -> str:
    """The vendored ``echarts.min.js`` (for inlining into self-contained HTML)."""
    if not ECHARTS_PATH.is_file():
        raise HqdError([Problem("missing_input", "the vendored ECharts is missing from the installation",
                                file=str(ECHARTS_PATH))])
    return ECHARTS_PATH.read_text(encoding="utf-8")
