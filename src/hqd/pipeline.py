"""The pipeline: the one place that composes the steps of an index build.

``run(framework, data, recipe)`` loads and validates the inputs, then ``build`` applies, in order:
denominate → impute → screen → treat → (per-indicator transforms) → normalise → weight and aggregate
level by level up the tree.  Every step works on the panel cube ``(T, R, m)`` with the methods of
:mod:`hqd.methods` (pooled steps reshape it to ``(1, T·R, m)``); nothing here loops over regions,
years or indicators.  The CLI, the API, the reports and the uncertainty engine all come through here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from hqd import methods
from hqd.errors import HqdError, Problem, Problems
from hqd.io.data import load_panel
from hqd.io.framework import load_framework
from hqd.methods import catalog
from hqd.model import policy
from hqd.model.framework import Framework
from hqd.model.panel import Panel
from hqd.model.policy import apply_zero_policy, needs_zero_policy
from hqd.model.recipe import STEP_FAMILY, MethodChoice, Recipe
from hqd.result import Result

DataSource: TypeAlias = str | Path | pd.DataFrame


def run(
    framework: str | Path | pd.DataFrame | Framework,
    data: DataSource | Sequence[DataSource],
    recipe: str | Path | Mapping[str, Any] | Recipe | None = None,
    regions: str | Path | pd.DataFrame | None = None,
    region_col: str | None = None,
    year_col: str | None = None,
    data_format: str | Sequence[str | None] | None = None,
    **data_options: Any,
) -> Result:
    """Build the index: load and validate the inputs, then apply the recipe.

    ``framework``, ``data``, ``recipe`` and ``regions`` are paths or in-memory objects; ``data`` may be a
    list of tables that together hold the indicators.  ``data_format`` (one, or one per table) names an
    official-export reader — ``nbs``, ``worldbank``, ``undp``, ``yearbook`` — or ``auto`` (an official
    reader where exactly one recognises the file, else an HQD table); by default the data is an HQD
    table (long, wide or wide-by-year).  ``data_options`` go to :func:`hqd.io.data.load_panel`
    (``indicator_col``, ``value_col``, ``region_names``, ``exclude_regions``, ``years``).

    Raises :class:`hqd.HqdError` listing every problem found in the inputs; warnings are recorded in
    ``result.warnings`` and the manifest.
    """
    fw, panel, rc = load_inputs(framework, data, recipe, regions, region_col, year_col, data_format,
                                **data_options)
    return build(fw, panel, rc)


def load_inputs(
    framework: str | Path | pd.DataFrame | Framework,
    data: DataSource | Sequence[DataSource] | Panel,
    recipe: str | Path | Mapping[str, Any] | Recipe | None = None,
    regions: str | Path | pd.DataFrame | None = None,
    region_col: str | None = None,
    year_col: str | None = None,
    data_format: str | Sequence[str | None] | None = None,
    **data_options: Any,
) -> tuple[Framework, Panel, Recipe]:
    """Load and validate framework, recipe and data together (all problems at once where possible)."""
    problems = Problems()
    fw: Framework | None = None
    rc: Recipe | None = None
    for loader in ("framework", "recipe"):
        try:
            if loader == "framework":
                fw = load_framework(framework)
            else:
                rc = load_recipe(recipe)
        except HqdError as err:
            problems.extend(err.problems)
    if fw is not None and rc is not None:
        problems.extend(check_recipe(rc, fw))
    problems.raise_if_errors()
    if fw is None or rc is None:  # unreachable: a failed load recorded an error above
        raise HqdError(problems.items)
    if isinstance(data, Panel):
        panel = data
    else:
        panel = _load_data(data, data_format, fw, rc, regions=regions, region_col=region_col,
                           year_col=year_col, **data_options)
        panel = zeros_as_missing(panel, fw)
    checked = check_data(fw, panel, rc)
    problems.extend(checked)
    problems.raise_if_errors()
    # Data × recipe warnings travel with the panel into the build (and its manifest).
    from dataclasses import replace

    extra = [p for p in checked if p.severity == "warning" and p not in panel.warnings and p not in fw.warnings]
    return fw, replace(panel, warnings=(*panel.warnings, *extra)), rc


def _load_data(data: DataSource | Sequence[DataSource], data_format: str | Sequence[str | None] | None,
               fw: Framework, recipe: Recipe, **options: Any) -> Panel:
    """Load one or several tables (HQD tables or official exports) as one panel."""
    from dataclasses import replace

    from hqd.io.readers import detect, read
    from hqd.io.tables import RawTable

    sources: list[Any] = list(data) if isinstance(data, list | tuple) else [data]
    formats: list[Any] = list(data_format) if isinstance(data_format, list | tuple) else [data_format] * len(sources)
    if len(formats) != len(sources):
        raise HqdError(f"{len(formats)} data formats for {len(sources)} data tables", code="invalid_parameter")
    tables: list[Any] = []
    records: list[dict[str, Any]] = []
    warnings: list[Problem] = []
    for source, fmt in zip(sources, formats, strict=True):
        if fmt in (None, "table") or isinstance(source, pd.DataFrame):
            tables.append(source)
            continue
        if fmt == "auto":
            try:
                fmt = detect(source)
            except HqdError as err:
                if err.codes != ["format_unknown"]:
                    raise
                tables.append(source)  # no official reader recognises it: an HQD table
                continue
        official = read(source, format=fmt)
        long = official.data[["region", "year", "indicator", "value"]]
        # The reader's key columns take the names the other tables use (--region-col / --year-col).
        long = long.rename(columns={"region": options.get("region_col") or "region",
                                    "year": options.get("year_col") or "year"})
        tables.append(RawTable(long, str(source)))
        records.append({"file": str(source), "reader": official.describe(), "files": official.provenance,
                        "units": official.units, "conversions": official.conversions})
        warnings.extend(official.warnings)
    panel = load_panel(tables if len(tables) > 1 else tables[0], fw, placeholders=recipe.placeholders,
                       **options)
    if records or warnings:
        panel = replace(panel, provenance=tuple(records), warnings=(*panel.warnings, *warnings))
    return panel


def load_recipe(recipe: str | Path | Mapping[str, Any] | Recipe | None) -> Recipe:
    if recipe is None:
        return Recipe.default()
    if isinstance(recipe, Recipe):
        return recipe
    if isinstance(recipe, Mapping):
        return Recipe.from_dict(recipe)
    return Recipe.from_yaml(recipe)


# =========================================================================== checks
def check_recipe(recipe: Recipe, framework: Framework) -> list[Problem]:
    """Method names and parameters against the catalogue; level and node keys against the framework."""
    problems = Problems(context={"file": recipe.source})
    levels = set(framework.nodes["level"].astype(int))
    for step, spec in recipe.steps.items():
        choices: list[tuple[str, MethodChoice]] = [(step, spec.choice)]
        choices += [(f"{step}.by_level[{k}]", c) for k, c in spec.by_level.items()]
        for key in spec.by_level:
            if isinstance(key, int) and key not in levels:
                problems.error("unknown_level", f"{step}.by_level: level {key} does not exist; the "
                               f"framework has levels {sorted(levels)}", column=step)
            elif isinstance(key, str) and key not in framework.nodes.index:
                problems.error("unknown_node", f"{step}.by_level: {key!r} is not a node of the framework",
                               column=step, indicator=key)
        for where, choice in choices:
            problems.extend(_check_choice(step, where, choice))
    return problems.items


def _check_choice(step: str, where: str, choice: MethodChoice) -> list[Problem]:
    """One choice against the catalogue's schema of its method (keys, types, values, shapes)."""
    return catalog.check_choice(STEP_FAMILY[step], choice.method, choice.params, where)


def zeros_as_missing(panel: Panel, framework: Framework) -> Panel:
    """Read published zeros as missing for indicators flagged ``zero_is_missing`` (a warning counts them)."""
    from dataclasses import replace

    flags = framework.nodes.loc[panel.indicators, "zero_is_missing"].to_numpy(dtype=bool)
    zeros = (panel.values == 0) & flags
    if not zeros.any():
        return panel
    counts = zeros.sum(axis=(0, 1))
    notes = [Problem("zero_as_missing", f"{int(counts[j])} zero(s) read as missing (zero_is_missing)",
                     severity="warning", file=panel.source, indicator=panel.indicators[j])
             for j in np.flatnonzero(counts)]
    return replace(panel, values=np.where(zeros, np.nan, panel.values), warnings=(*panel.warnings, *notes))


def _plausibility(framework: Framework, panel: Panel, recipe: Recipe, problems: Problems) -> None:
    """Values outside a framework's valid_min / valid_max / percent (0–100) rules, each with its location."""
    nodes = framework.nodes.loc[panel.indicators]
    if not (nodes["percent"].any() or nodes["valid_min"].notna().any() or nodes["valid_max"].notna().any()):
        return
    percent = nodes["percent"].to_numpy(bool)
    low = np.nan_to_num(nodes["valid_min"].to_numpy(float), nan=-np.inf)
    high = np.nan_to_num(nodes["valid_max"].to_numpy(float), nan=np.inf)
    low = np.where(percent, np.maximum(low, 0.0), low)
    high = np.where(percent, np.minimum(high, 100.0), high)
    with np.errstate(invalid="ignore"):
        bad = (panel.values < low) | (panel.values > high)
    report = problems.error if recipe.plausibility == "error" else problems.warn
    cells = np.argwhere(bad)
    for t, r, j in cells[:MAX_REPORTED]:
        value = panel.values[t, r, j]
        bound = f"below valid_min {low[j]:g}" if value < low[j] else f"above valid_max {high[j]:g}"
        rule = " (a percentage: 0–100)" if nodes["percent"].iloc[j] else ""
        report("implausible_value", f"{value:g} is {bound}{rule}", region=panel.regions[r],
               year=int(panel.years[t]), indicator=panel.indicators[j])
    if len(cells) > MAX_REPORTED:
        report("implausible_value", f"… and {len(cells) - MAX_REPORTED} more implausible values")


MAX_REPORTED = 200
#: The framework columns a method's ``draws`` name, and the reason code when an indicator lacks one.
_FRAMEWORK_COLUMN = {"framework.goalpost_min": "goalpost_min", "framework.goalpost_max": "goalpost_max",
                     "framework.target": "target"}
_MISSING_FRAMEWORK_CODE = {"goalpost_min": "missing_goalposts", "goalpost_max": "missing_goalposts",
                           "target": "missing_target"}


def check_data(framework: Framework, panel: Panel, recipe: Recipe) -> list[Problem]:
    """Checks that need both the data and the recipe (collected, not raised)."""
    problems = Problems(context={"file": panel.source})
    problems.extend(panel.warnings)
    problems.extend(framework.warnings)
    _plausibility(framework, panel, recipe, problems)
    values = panel.values
    nodes = framework.nodes.loc[panel.indicators]
    impute = recipe.step("impute").choice
    imputer = catalog.get("impute", impute.method)
    if "groups" in imputer.draws:
        column = imputer.key(impute.params, "group")
        if column not in panel.region_meta.columns:
            problems.error("unknown_group", f"no region group column {column!r}; available: "
                           + (", ".join(map(str, panel.region_meta.columns)) or "(none)"), column=column)
        else:
            labels = panel.group_labels(column)
            for code in labels.index[labels.isna()]:
                problems.error("missing_group", f"region has no {column!r} group", region=str(code),
                               column=column)
    denominate = recipe.step("denominate").choice
    if "den" in catalog.get("denominate", denominate.method).draws:
        mapping = dict(denominate.params.get("denominators") or {})
        for code in panel.indicators:
            den = mapping.get(code, nodes.at[code, "denominator"])
            if isinstance(den, str) and den not in panel.extra and den not in panel.indicators:
                problems.error("unknown_denominator", f"denominator {den!r} of {code!r} is not a data column",
                               indicator=code, column=den)
    norm = recipe.step("normalise").choice
    normaliser = catalog.get("normalise", norm.method)
    needed = [_FRAMEWORK_COLUMN[src] for src in normaliser.draws.values() if src in _FRAMEWORK_COLUMN]
    if needed:
        lacking = nodes[needed].isna().any(axis=1)
        code = _MISSING_FRAMEWORK_CODE[needed[0]]
        what = " and ".join(needed) if len(needed) > 1 else f"a {needed[0]}"
        for indicator in nodes.index[lacking]:
            problems.error(code, f"{norm.method} normalisation needs {what}", indicator=str(indicator),
                           file=framework.source)
    if normaliser.properties.needs_spread:
        with np.errstate(invalid="ignore"):
            spread = np.nanmax(values, axis=(0, 1)) - np.nanmin(values, axis=(0, 1)) \
                if values.size else np.zeros(0)
        for j in np.flatnonzero(spread == 0):
            problems.error("constant_indicator", f"indicator is constant ({np.nanmax(values[..., j]):g}) "
                           f"across the panel; {norm.method} cannot normalise it", indicator=panel.indicators[j])
    zero = recipe.zero_policy.get("method", "refuse")
    logged = nodes.index[nodes["transform"] == "log"]
    for code in logged:
        column = values[..., panel.indicators.index(code)]
        bad = np.argwhere(column <= 0)
        if len(bad) and zero == "refuse":
            for t, r in bad[:20]:
                problems.error("nonpositive_value", f"log transform needs positive values; got "
                               f"{column[t, r]:g} (set zero_policy: na, epsilon or shift)",
                               indicator=str(code), region=panel.regions[r], year=int(panel.years[t]))
        elif len(bad):
            problems.warn("nonpositive_value", f"{len(bad)} non-positive value(s) before log handled by "
                          f"zero policy {zero!r}", indicator=str(code))
    empty = np.isnan(values).all(axis=(0, 1)) if values.size else np.zeros(len(panel.indicators), bool)
    for j in np.flatnonzero(empty):
        problems.error("missing_indicator", "indicator has no observed value", indicator=panel.indicators[j])
    return problems.items


# =========================================================================== build
@dataclass
class _Trace:
    """What a build records besides the scores."""

    steps: dict[str, np.ndarray] = field(default_factory=dict)
    weights: list[dict[str, Any]] = field(default_factory=list)
    intermediates: dict[str, pd.DataFrame] = field(default_factory=dict)
    logs: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    policies: dict[str, Any] = field(default_factory=dict)
    pending: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def flush(self) -> None:
        """Turn the collected per-node intermediates into one table per method."""
        for name, parts in self.pending.items():
            keys = list(dict.fromkeys(k for part in parts for k in part))
            self.intermediates[name] = pd.DataFrame({
                key: np.concatenate([np.asarray(part.get(key, np.full(len(part["node"]), np.nan)))
                                     for part in parts]) for key in keys})
        self.pending.clear()


def build(framework: Framework, panel: Panel, recipe: Recipe) -> Result:
    """Apply ``recipe`` to a validated ``panel`` (see the module docstring)."""
    trace = _Trace(warnings=[p for p in (*framework.warnings, *panel.warnings) if p.severity == "warning"])
    # The policies as resolved (defaults filled in, hqd.model.policy): the manifest records what was used.
    trace.policies.update(zero_policy=dict(recipe.zero_policy), na_policy=recipe.na_policy,
                          placeholders=recipe.placeholders)
    x = panel.values.copy()
    trace.steps["raw"] = x
    x = _denominate(x, framework, panel, recipe, trace)
    x = _impute(x, panel, recipe, trace)
    panel, x = _screen(x, panel, recipe, trace)
    x = _treat(x, panel, recipe, trace)
    x = _normalise(x, framework, panel, recipe, trace)
    scores, eff = _weigh_and_aggregate(x, framework, panel, recipe, trace)
    trace.flush()
    return Result.assemble(framework=framework, panel=panel, recipe=recipe, node_scores=scores,
                           effective=eff, trace_steps=trace.steps, weights=trace.weights,
                           intermediates=trace.intermediates, logs=trace.logs,
                           warnings=trace.warnings, policies=trace.policies)


def _pooled(x: np.ndarray, scope: str | None, func: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Apply ``func`` over all region-years (pooled) or year by year (leading axis)."""
    t, r, m = x.shape
    if scope == "by_year":
        return np.asarray(func(x))
    return np.asarray(func(x.reshape(1, t * r, m))).reshape(t, r, m)


def _values(result: Any) -> np.ndarray:
    return np.asarray(getattr(result, "values", result), dtype=float)


def _denominate(x: np.ndarray, fw: Framework, panel: Panel, recipe: Recipe, trace: _Trace) -> np.ndarray:
    choice = recipe.step("denominate").choice
    method = catalog.get("denominate", choice.method)
    if method.properties.noop:
        return x
    mapping = dict(method.key(choice.params, "denominators") or {})
    scales = dict(method.key(choice.params, "scales") or {})
    names = [mapping.get(code, fw.nodes.at[code, "denominator"]) for code in panel.indicators]
    columns = [j for j, name in enumerate(names) if isinstance(name, str)]
    if not columns:
        return x
    # One (T, R, k) block of denominators, one division: the data columns or raw indicator values.
    den = np.stack([panel.extra[names[j]] if names[j] in panel.extra
                    else trace.steps["raw"][..., panel.indicators.index(names[j])] for j in columns], axis=-1)
    scale = np.array([float(scales.get(panel.indicators[j], method.key(choice.params, "scale"))) for j in columns])
    out = x.copy()
    out[..., columns] = method(x[..., columns], den, factor=scale)
    trace.steps["denominated"] = out
    trace.logs["denominate"] = pd.DataFrame({
        "indicator": [panel.indicators[j] for j in columns], "denominator": [names[j] for j in columns],
        "scale": scale, "missing_denominators": np.isnan(den).sum(axis=(0, 1)),
        "zero_denominators": (den == 0).sum(axis=(0, 1))})
    return out


def _impute(x: np.ndarray, panel: Panel, recipe: Recipe, trace: _Trace) -> np.ndarray:
    spec = recipe.step("impute")
    choice = spec.choice
    method = catalog.get("impute", choice.method)
    if method.properties.noop:
        return x
    kwargs = method.call_params(choice.params)
    if "scope" in method.params and spec.scope is not None:
        kwargs["scope"] = spec.scope
    if "groups" in method.draws:
        labels = panel.group_labels(str(method.key(choice.params, "group")))
        kwargs["groups"] = pd.factorize(labels)[0]
    kwargs = {k: v for k, v in kwargs.items() if not (k in method.params and method.params[k].kind == "data"
                                                      and v is catalog.REQUIRED)}
    result = method(x, **kwargs)
    filled = np.asarray(getattr(result, "filled", np.isnan(x) & ~np.isnan(_values(result))))
    out = _values(result)
    trace.steps["imputed"] = out
    t_idx, r_idx, m_idx = np.nonzero(filled)
    trace.logs["impute"] = pd.DataFrame({
        "region": np.asarray(panel.regions, dtype=object)[r_idx], "year": panel.years[t_idx],
        "indicator": np.asarray(panel.indicators, dtype=object)[m_idx],
        "value": out[t_idx, r_idx, m_idx], "method": choice.method,
    })
    if hasattr(result, "to_frame"):
        trace.logs["impute_coverage"] = result.to_frame(list(panel.indicators))
    still = int(np.isnan(out).sum())
    if filled.any() or still:
        trace.warnings.append(Problem("imputed", f"{int(filled.sum())} value(s) imputed with "
                                      f"{choice.method}; {still} still missing", severity="warning"))
    return out


def _screen(x: np.ndarray, panel: Panel, recipe: Recipe, trace: _Trace) -> tuple[Panel, np.ndarray]:
    choice = recipe.step("screen").choice
    method = catalog.get("screen", choice.method)
    if method.properties.noop:
        return panel, x
    threshold = float(method.key(choice.params, "threshold"))
    cell_share = np.asarray(method(x))  # (T, R) availability of each region-year
    if method.key(choice.params, "by") == "region_year":
        # A region-year below the threshold is left out (all its values missing); the region stays.
        low = cell_share < threshold
        t_idx, r_idx = np.nonzero(low)
        trace.logs["screen"] = pd.DataFrame({
            "region": np.tile(np.asarray(panel.regions, dtype=object), len(panel.years)),
            "year": np.repeat(panel.years, len(panel.regions)), "availability": cell_share.reshape(-1),
            "kept": ~low.reshape(-1)})
        if low.any():
            listed = ", ".join(f"{panel.regions[r]} {int(panel.years[t])}" for t, r in list(zip(t_idx, r_idx,
                                                                                               strict=True))[:20])
            trace.warnings.append(Problem("unit_screened", f"{int(low.sum())} region-year(s) below data availability "
                                          f"{threshold:g} left out: {listed}{' …' if low.sum() > 20 else ''}",
                                          severity="warning"))
            x = np.where(low[..., None], np.nan, x)
        trace.steps["screened"] = x
        return panel, x
    t, r, m = x.shape  # per region, over all years and indicators at once (exact counts)
    share = np.asarray(method(np.moveaxis(x, 1, 0).reshape(1, r, t * m)))[0]
    drop = [panel.regions[i] for i in np.flatnonzero(share < threshold)]
    trace.logs["screen"] = pd.DataFrame({"region": panel.regions, "availability": share,
                                         "kept": share >= threshold})
    if drop:
        trace.warnings.append(Problem("unit_screened", f"{len(drop)} region(s) below data availability "
                                      f"{threshold:g} removed: {', '.join(drop)}", severity="warning"))
        keep = np.flatnonzero(share >= threshold)
        x = x[:, keep, :]
        trace.steps = {k: v[:, keep, :] for k, v in trace.steps.items()}
        panel = panel.drop_regions(drop)
    trace.steps["screened"] = x
    return panel, x


def _treat(x: np.ndarray, panel: Panel, recipe: Recipe, trace: _Trace) -> np.ndarray:
    spec = recipe.step("treat")
    method = catalog.get("treat", spec.choice.method)
    if method.properties.noop:
        return x
    kwargs = method.call_params(spec.choice.params)
    details: list[Any] = []

    def apply(block: np.ndarray) -> np.ndarray:
        result = method(block, **kwargs)
        details.append(getattr(result, "details", None))
        return _values(result)

    out = _pooled(x, spec.scope, apply)
    trace.steps["treated"] = out
    info = details[0] if details else None
    if isinstance(info, Mapping):
        frame = pd.DataFrame({k: np.asarray(v).reshape(-1) if np.ndim(v) else v for k, v in info.items()
                              if np.size(v) == len(panel.indicators) or np.ndim(v) == 0})
        frame.insert(0, "indicator", panel.indicators)
        trace.logs["treat"] = frame
    elif isinstance(info, pd.DataFrame):
        trace.logs["treat"] = info
    return out


def _normalise(x: np.ndarray, fw: Framework, panel: Panel, recipe: Recipe, trace: _Trace) -> np.ndarray:
    spec = recipe.step("normalise")
    choice = spec.choice
    nodes = fw.nodes.loc[panel.indicators]
    direction = nodes["direction"].to_numpy(dtype=float, copy=True)
    moderate = nodes["moderate"].to_numpy(dtype=bool)
    target = nodes["target"].to_numpy(dtype=float, copy=True)
    gmin = nodes["goalpost_min"].to_numpy(dtype=float, copy=True)
    gmax = nodes["goalpost_max"].to_numpy(dtype=float, copy=True)
    x = x.copy()

    logged = (nodes["transform"] == "log").to_numpy()
    if logged.any():
        x[..., logged] = policy.log_with_zero_policy(x[..., logged], recipe.zero_policy)
        with np.errstate(divide="ignore", invalid="ignore"):
            gmin[logged] = np.log(gmin[logged])
            gmax[logged] = np.log(gmax[logged])
        trace.policies["log_transform"] = [c for c, f in zip(panel.indicators, logged, strict=True) if f]

    # A moderate (适度) indicator is scored by its distance to the target: d = |x − x*|, smaller is better.
    if moderate.any():
        x[..., moderate] = np.abs(x[..., moderate] - target[moderate])
        direction = np.where(moderate, -1.0, direction)

    method = catalog.get("normalise", choice.method)
    trace.policies["index_scale"] = {"normalisation": choice.method, "scale": method.properties.scale}
    kwargs = method.call_params(choice.params)
    drawn = {"framework.direction": direction, "framework.goalpost_min": gmin, "framework.goalpost_max": gmax,
             "framework.target": target}
    kwargs.update({key: drawn[src] for key, src in method.draws.items() if src in drawn})
    if "panel.base_year" in method.draws.values():
        # The base is one year's values (the recipe's base_year, default the first year), not pooled.
        base_year = method.key(choice.params, "base_year")
        base_year = int(panel.years[0] if base_year is None else base_year)
        if base_year not in set(panel.years.tolist()):
            raise HqdError([Problem("invalid_parameter", f"normalise.base_year: {base_year} is not a year of the "
                                    f"data ({int(panel.years[0])}–{int(panel.years[-1])})", column="normalise")])
        key = next(k for k, src in method.draws.items() if src == "panel.base_year")
        kwargs[key] = x[list(panel.years).index(base_year)][None, ...]
        out = np.asarray(method(x, **kwargs), dtype=float)
        trace.steps["normalised"] = out
        return out

    out = _pooled(x, spec.scope, lambda block: np.asarray(method(block, **kwargs), dtype=float))
    if moderate.any() and method.properties.moderate:
        # A moderate indicator's own form: x′ = lo + (hi − lo)(1 − d / max d), the target scoring best.
        lo, hi = float(kwargs.get("lo", 0.0)), float(kwargs.get("hi", 1.0))
        out[..., moderate] = _pooled(x[..., moderate], spec.scope,
                                     lambda block: methods.normalize.moderate_minmax(block, lo, hi))
    trace.steps["normalised"] = out
    return out


# --------------------------------------------------------------------------- weights and aggregation
def _node_level(fw: Framework, code: str) -> int:
    return int(fw.nodes.at[code, "level"])


def framework_weights(fw: Framework, codes: Sequence[str]) -> np.ndarray:
    """The framework's weights of ``codes`` renormalised (a blank weight takes the mean of the others; all
    blank → equal weights)."""
    raw = fw.nodes.loc[list(codes), "weight"].astype(float)
    raw = raw.fillna(1.0) if raw.isna().all() else raw.fillna(raw.mean())
    return np.asarray(raw.to_numpy() / raw.sum(), dtype=float)


def part_choice(choice: MethodChoice, part: str) -> MethodChoice:
    """The weighting ``first`` or ``second`` of a combination, as a choice of its own."""
    sub = choice.params[part]
    if isinstance(sub, str):
        return MethodChoice(sub)
    return MethodChoice(str(sub["method"]), {k: v for k, v in sub.items() if k != "method"})


def weights_for(
    choice: MethodChoice, data: np.ndarray | None, codes: Sequence[str], fw: Framework, sample: str,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Weights of ``codes`` and the method's intermediates — the one weighting step of the build and of the
    batched uncertainty engine.

    ``data`` is the ``(..., T, R, k)`` block of the nodes' scores (leading axes are runs), or None for
    weights that do not depend on data.  The weights have shape ``(k,)`` when they do not depend on data,
    ``(..., k)`` for data-driven weights estimated on all region-years (``sample: pooled``) and
    ``(..., T, k)`` year by year (``by_year``).
    """
    if len(codes) == 1:  # an only child gets the whole weight, whatever the method
        return np.ones(1), {}
    method = catalog.get("weight", choice.method)
    source = method.properties.source
    if source == "framework":
        return framework_weights(fw, codes), {}
    if source == "recipe":  # a pairwise matrix in the recipe, its rows in `order` (default: the children)
        matrix = np.asarray(choice.params.get("matrix"), dtype=float)
        order = list(method.key(choice.params, "order") or codes)
        if sorted(order) != sorted(codes) or matrix.shape != (len(codes), len(codes)):
            raise HqdError([Problem("invalid_parameter", f"weight.matrix: must be {len(codes)}×{len(codes)} over "
                                    f"{', '.join(codes)} (give 'order' to name its rows); got shape "
                                    f"{matrix.shape} over {', '.join(order)}", column="weight")])
        kwargs = method.call_params(choice.params)
        kwargs["matrix"] = matrix
        result = method(None, **kwargs)
        perm = [order.index(c) for c in codes]
        return np.asarray(result.weights)[perm], {k: np.asarray(v) for k, v in result.details.items()}
    if source == "parts":
        w1, _ = weights_for(part_choice(choice, "first"), data, codes, fw, sample)
        w2, _ = weights_for(part_choice(choice, "second"), data, codes, fw, sample)
        result = method(w1, w2, **method.call_params(choice.params))
        return np.asarray(result.weights, dtype=float), {"w_first": w1, "w_second": w2}
    kwargs = method.call_params(choice.params)
    if not method.properties.data_driven:  # weights from the number of children alone (equal)
        return np.asarray(method(np.zeros((1, len(codes))), **kwargs).weights, dtype=float).reshape(-1), {}
    if data is None:
        raise ValueError(f"data-driven weights {choice.method!r} need data")  # programming error
    lead = data.shape[:-3]
    t, r, k = data.shape[-3:]
    block = data if sample == "by_year" else data.reshape(*lead, 1, t * r, k)
    result = method(block, **kwargs)
    weights = np.asarray(result.weights, dtype=float)
    details = {key: np.asarray(v) for key, v in result.details.items()}
    if sample != "by_year":
        weights = weights.reshape(*lead, k)
        if not lead:
            details = {key: v.reshape(-1) if v.size == k else v for key, v in details.items()}
    return weights, details


def _weigh_and_aggregate(
    x: np.ndarray, fw: Framework, panel: Panel, recipe: Recipe, trace: _Trace,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Scores of every node (T, R) and effective weights of every node ((), or (T,) by year)."""
    weight_spec = recipe.step("weight")
    agg_spec = recipe.step("aggregate")
    sample = weight_spec.sample or "pooled"
    scores: dict[str, np.ndarray] = {code: x[..., j] for j, code in enumerate(panel.indicators)}
    within: dict[str, np.ndarray] = {fw.index_code: np.asarray(1.0)}
    years = panel.years

    global_w: dict[str, np.ndarray] = {}
    if weight_spec.scope == "global":
        leaves = panel.indicators
        w, details = weights_for(weight_spec.choice, x, leaves, fw, sample)
        _record_intermediates(trace, "weight", fw.index_code, weight_spec.choice.method, leaves, details, years,
                              sample)
        for j, leaf in enumerate(leaves):
            global_w[leaf] = w[..., j]
        for code in sorted(fw.aggregates, key=lambda c: fw.height[c]):
            global_w[code] = sum((global_w[k] for k in fw.children[code]), start=np.asarray(0.0))

    parents = sorted(fw.aggregates, key=lambda c: (fw.height[c], fw.aggregates.index(c)))
    for parent in parents:
        kids = fw.children[parent]
        block = np.stack([scores[k] for k in kids], axis=-1)
        if weight_spec.scope == "global":
            total = global_w[parent]
            w = np.stack([global_w[k] for k in kids], axis=-1) / np.expand_dims(total, -1)
            method_name = weight_spec.choice.method
        else:
            choice = weight_spec.choose(level=_node_level(fw, kids[0]), code=parent)
            w, details = weights_for(choice, block, kids, fw, sample)
            _record_intermediates(trace, "weight", parent, choice.method, kids, details, years, sample)
            if not bool(np.all(details.get("consistent", True))):  # a pairwise matrix failed its CR test
                trace.warnings.append(Problem(
                    "ahp_inconsistent", f"AHP matrix for the children of {parent!r} has CR = "
                    f"{float(np.asarray(details['CR']).reshape(-1)[0]):.4f} ≥ 0.1 (RI table "
                    f"{choice.params.get('ri_table', 'saaty')}): revise the judgements", severity="warning",
                    indicator=parent))
            method_name = choice.method
        for j, kid in enumerate(kids):
            within[kid] = w[..., j]
        agg_choice = agg_spec.choose(level=_node_level(fw, parent), code=parent)
        scores[parent] = _aggregate(agg_choice, block, w, parent, kids, fw, panel, recipe, scores, within, trace)
        for j, kid in enumerate(kids):
            trace.weights.append({"node": kid, "parent": parent, "method": method_name, "weight": w[..., j]})

    effective: dict[str, np.ndarray] = {fw.index_code: np.asarray(1.0)}
    for code in _top_down(fw):
        effective[code] = within[code] * effective[str(fw.nodes.at[code, "parent"])]
    _missing_cells(x, panel, effective, recipe, trace)

    additive = all(catalog.get("aggregate", agg_spec.choose(level=_node_level(fw, p), code=p).method)
                   .properties.decomposable for p in parents)
    if weight_spec.scope == "global" and additive:
        # 综合权重: the index is the sum of the dimensions' partial sums Σ_{j∈k} w_j·x′_j.  A dimension's score
        # is its partial sum divided by its attainable maximum Σ_{j∈k} w_j (the weighted mean of its
        # indicators, on the normalised scale, so fixed grade cut-offs mean something); the partial sum is
        # the node's ``contribution`` (Result.scores).
        trace.policies["aggregate_scores"] = "partial_sum"
        trace.policies["dimension_scores"] = (
            "score = partial sum / the sum of the node's effective weights (its attainable maximum), on the "
            "normalised scale; contribution = the partial sum, which adds up to the index")
    else:
        trace.policies["aggregate_scores"] = "weighted_mean"
    return scores, effective


def _missing_cells(x: np.ndarray, panel: Panel, effective: Mapping[str, np.ndarray], recipe: Recipe,
                   trace: _Trace) -> None:
    """Count the missing cells that reach aggregation, with the share of each region-year's weight they
    removed (the effective weights of its missing indicators); flag region-years above the recipe's
    ``missing_weight_threshold``.  Recorded in the warnings, the manifest's policies and a log table."""
    missing = np.isnan(x)  # (T, R, m)
    if not missing.any():
        return
    t = x.shape[0]
    eff = np.stack([np.broadcast_to(np.asarray(effective[c], dtype=float), (t,)) for c in panel.indicators],
                   axis=-1)  # (T, m)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.einsum("trm,tm->tr", missing.astype(float), eff) / eff.sum(axis=-1)[:, None]
    cells = missing.sum(axis=-1)  # (T, R)
    threshold = recipe.missing_weight_threshold
    hit = cells > 0
    flagged = share > threshold
    t_idx, r_idx = np.nonzero(hit)
    regions = np.asarray(panel.regions, dtype=object)
    trace.logs["missing"] = pd.DataFrame({
        "region": regions[r_idx], "year": panel.years[t_idx], "missing_cells": cells[t_idx, r_idx],
        "missing_weight_share": share[t_idx, r_idx], "flagged": flagged[t_idx, r_idx],
        "indicators": [", ".join(np.asarray(panel.indicators, dtype=object)[missing[ti, ri]]) for ti, ri in
                       zip(t_idx, r_idx, strict=True)]})
    how = ("left out, the weights of the other children renormalised (na_policy: skip)"
           if recipe.na_policy == "skip" else "the parent gets no score (na_policy: propagate)")
    trace.policies["missing_cells"] = {
        "cells": int(missing.sum()), "region_years": int(hit.sum()), "treatment": how,
        "max_weight_share": float(np.nanmax(share[hit])), "threshold": threshold,
        "flagged_region_years": int(flagged.sum())}
    trace.warnings.append(Problem(
        "missing_cells", f"{int(missing.sum())} missing cell(s) in {int(hit.sum())} region-year(s) reached "
        f"aggregation and were {how}; they removed up to {100 * float(np.nanmax(share[hit])):.1f}% of a "
        "region-year's weight (see the 'missing' log)", severity="warning"))
    for ti, ri in list(zip(*np.nonzero(flagged), strict=True))[:MAX_REPORTED]:
        trace.warnings.append(Problem(
            "missing_weight", f"missing indicators carry {100 * share[ti, ri]:.1f}% of the index's weight "
            f"(more than missing_weight_threshold {100 * threshold:g}%): "
            + ", ".join(np.asarray(panel.indicators, dtype=object)[missing[ti, ri]]),
            severity="warning", region=str(panel.regions[ri]), year=int(panel.years[ti])))


def _per_year(w: np.ndarray) -> np.ndarray:
    """Broadcast a weight that is () pooled or (T,) by year against (T, R) scores."""
    return w[:, None] if np.ndim(w) == 1 else w


def _top_down(fw: Framework) -> list[str]:
    order: list[str] = []
    frontier = [fw.index_code]
    while frontier:
        nxt: list[str] = []
        for code in frontier:
            order.append(code)
            nxt.extend(fw.children[code])
        frontier = nxt
    return order[1:]


def _record_intermediates(trace: _Trace, step: str, parent: str, method: str, codes: list[str],
                          details: Mapping[str, np.ndarray], years: np.ndarray, sample: str) -> None:
    if not details:
        return
    k = len(codes)
    rows: dict[str, Any] = {}
    scalars: dict[str, Any] = {}
    for key, value in details.items():
        arr = np.asarray(value)
        if arr.shape[-1:] == (k,) and arr.ndim <= 2:
            rows[key] = arr.reshape(-1)
        elif arr.size <= 1 or (sample == "by_year" and arr.shape == (len(years),)):
            scalars[key] = arr.reshape(-1)
    if rows or scalars:
        n_years = len(years) if sample == "by_year" and any(np.asarray(v).ndim == 2 for v in details.values()) \
            else 1
        columns: dict[str, Any] = {
            "parent": np.full(k * n_years, parent, dtype=object), "method": np.full(k * n_years, method, dtype=object),
            "node": np.asarray(list(codes) * n_years, dtype=object),
            "year": np.repeat(years, k) if n_years > 1 else np.full(k, np.nan), **rows}
        for key, value in rows.items():  # a year-independent row in a by-year table (combined weights)
            if n_years > 1 and value.size == k:
                columns[key] = np.tile(value, n_years)
        for key, value in scalars.items():
            columns[key] = np.full(k * n_years, value[0]) if value.size == 1 else np.repeat(value, k)
        trace.pending.setdefault(f"{step}_{method}", []).append(columns)


def _aggregate(
    choice: MethodChoice, block: np.ndarray, w: np.ndarray, parent: str, kids: list[str], fw: Framework,
    panel: Panel, recipe: Recipe, scores: dict[str, np.ndarray], within: dict[str, np.ndarray],
    trace: _Trace,
) -> np.ndarray:
    """The score (T, R) of ``parent`` from its children ``block`` (T, R, k) and weights ``w``."""
    method = catalog.get("aggregate", choice.method)
    if method.properties.ranking:
        return _topsis(choice, block, w, parent, kids, fw, panel, scores, within, trace)
    kwargs = method.call_params(choice.params)
    if "na" in method.params:
        kwargs["na"] = recipe.na_policy
    bad = np.zeros(block.shape[:-1], dtype=bool)
    if method.needs_positive(kwargs):
        block, bad = _apply_zero_policy(block, parent, kids, panel, recipe, trace)
    if "zero" in method.params:
        kwargs["zero"] = "refuse"
    weights = w
    out = _values(method(block, weights, **kwargs))
    return np.where(bad, np.nan, out)


def _apply_zero_policy(block: np.ndarray, parent: str, kids: list[str], panel: Panel, recipe: Recipe,
                       trace: _Trace) -> tuple[np.ndarray, np.ndarray]:
    """Handle values ≤ 0 before a geometric/harmonic mean, as the recipe's zero policy says."""
    policy = dict(recipe.zero_policy)
    nonpos = needs_zero_policy(block)
    if not nonpos.any():
        return block, np.zeros(block.shape[:-1], dtype=bool)
    method = policy.get("method", "refuse")
    t_idx, r_idx, k_idx = np.nonzero(nonpos)
    if method == "refuse":
        problems = [Problem("nonpositive_value", f"{block[t, r, k]:g} ≤ 0 in a geometric/harmonic mean of "
                            f"{parent!r}; set zero_policy (na, epsilon or shift) or normalise to a range "
                            "above 0 (e.g. min-max 1–100)", region=panel.regions[r], year=int(panel.years[t]),
                            indicator=kids[k]) for t, r, k in list(zip(t_idx, r_idx, k_idx, strict=True))[:50]]
        raise HqdError(problems)
    trace.policies.setdefault("zero_policy_applied", []).append(
        {"node": parent, "policy": method, "cells": int(nonpos.sum())})
    trace.warnings.append(Problem("zero_policy", f"{int(nonpos.sum())} value(s) ≤ 0 under {parent!r} handled "
                                  f"by zero policy {method!r}", severity="warning", indicator=parent))
    return apply_zero_policy(block, policy)


def _topsis(choice: MethodChoice, block: np.ndarray, w: np.ndarray, parent: str, kids: list[str],
            fw: Framework, panel: Panel, scores: dict[str, np.ndarray], within: dict[str, np.ndarray],
            trace: _Trace) -> np.ndarray:
    method = catalog.get("aggregate", choice.method)
    over = str(method.key(choice.params, "over"))
    ideals = str(method.key(choice.params, "ideals"))
    if over == "leaves":
        leaves = fw.leaves_under(parent)
        block = np.stack([scores[leaf] for leaf in leaves], axis=-1)
        # Effective weights of the leaves relative to ``parent``: products of within-parent weights.
        rel = []
        for leaf in leaves:
            value = within[leaf]
            node = fw.nodes.at[leaf, "parent"]
            while node != parent:
                value = value * within[node]
                node = fw.nodes.at[node, "parent"]
            rel.append(value)
        w = np.stack(rel, axis=-1)
    kwargs = method.call_params(choice.params)
    t, r, k = block.shape
    if np.isnan(block).any():
        # TOPSIS meets missing cells: say how its distances treated them.
        how = ("left out of both distances of their observation (ideals over the observed values)"
               if kwargs.get("na") == "skip" else "the observation gets no closeness (na: propagate)")
        trace.policies.setdefault("topsis_missing", []).append(
            {"node": parent, "cells": int(np.isnan(block).sum()), "na": kwargs.get("na"), "treatment": how})
        trace.warnings.append(Problem("topsis_missing", f"TOPSIS of {parent!r}: {int(np.isnan(block).sum())} "
                                      f"missing cell(s) {how}", severity="warning", indicator=parent))
    if ideals == "by_year":
        weights = w
        result = method(block, weights, **kwargs)
        values = np.asarray(result.values)
    else:
        if np.ndim(w) == 2:
            raise HqdError([Problem("invalid_parameter", "TOPSIS with pooled ideals needs pooled weights; use "
                                    "ideals: by_year with weights sampled by year", column="aggregate")])
        result = method(block.reshape(1, t * r, k), w, **kwargs)
        values = np.asarray(result.values).reshape(t, r)
    frame = pd.DataFrame({
        "node": parent, "region": np.tile(np.asarray(panel.regions, dtype=object), t),
        "year": np.repeat(panel.years, r),
        "d_plus": np.asarray(result.d_plus).reshape(-1), "d_minus": np.asarray(result.d_minus).reshape(-1),
        "closeness": values.reshape(-1),
    })
    trace.intermediates["topsis"] = pd.concat([trace.intermediates["topsis"], frame], ignore_index=True) \
        if "topsis" in trace.intermediates else frame
    return values


__all__ = ["build", "check_recipe", "framework_weights", "load_inputs", "methods", "part_choice", "run", "weights_for"]
