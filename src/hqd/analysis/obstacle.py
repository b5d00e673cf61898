"""Obstacle degree model (障碍度模型): which indicators and dimensions hold each region back.

From an HQD ``Result`` the inputs are read off the run: the indicator scores (deepest level:
normalised, direction-applied values x′ ∈ [0, 1]), the effective weights (product of the
within-parent weights up to the index, pooled or per year) and the framework tree (indicator →
dimension).  From plain tables they are passed explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hqd.analysis._data import (
    MAX_LISTED,
    cells,
    framework_nodes,
    int_array,
    is_result,
    region_code,
    scores_long,
    wide_table,
)
from hqd.errors import HqdError, Problems


@dataclass(frozen=True)
class ObstacleResult:
    """Obstacle degrees per region-year at indicator and dimension level.

    ``indicators``: long table ``region, year, indicator, dimension, factor (F_j), deviation
    (I_ij = 1 − x′_ij), obstacle (O_ij, a share: each region-year sums to 1), rank``.
    ``dimensions``: ``region, year, dimension, obstacle (U_ik = Σ_{j∈k} O_ij), rank``.
    """

    indicators: pd.DataFrame
    dimensions: pd.DataFrame | None

    def to_frame(self) -> pd.DataFrame:
        return self.indicators.copy()

    def top(self, n: int = 3, level: str = "indicator") -> pd.DataFrame:
        """The ``n`` largest obstacles of each region-year (``level="indicator"`` or ``"dimension"``)."""
        table = self.indicators if level == "indicator" else self.dimensions
        if table is None:
            raise HqdError(
                "no dimension mapping was given: dimension obstacles are unavailable", code="no_dimensions"
            )
        return table.loc[table["rank"] <= n].sort_values(["region", "year", "rank"]).reset_index(drop=True)


def _dimension_of(nodes: pd.DataFrame, leaves: list[str]) -> dict[str, str]:
    """Each leaf's level-1 ancestor, by walking the parent links (a loop over tree depth only)."""
    parent = dict(
        zip(
            nodes["code"].astype(str),
            nodes["parent"].map(lambda p: None if pd.isna(p) else str(p)),
            strict=True,
        )
    )
    level = dict(zip(nodes["code"].astype(str), nodes["level"].astype(int), strict=True))
    out = {}
    for leaf in leaves:
        node: str | None = leaf
        while node is not None and level.get(node, 0) > 1:
            node = parent.get(node)
        if node is not None and level.get(node) == 1:
            out[leaf] = node
    return out


def _from_result(result: Any) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str] | None]:
    long = scores_long(result)
    if long is None:  # pragma: no cover - guarded by the caller
        raise HqdError("not a Result", code="bad_input")
    nodes = framework_nodes(result)
    if nodes is not None:
        has_child = set(nodes["parent"].dropna().astype(str))
        leaves = [str(c) for c in nodes["code"].astype(str) if c not in has_child]
    else:
        deepest = long["level"].max()
        leaves = [str(n) for n in pd.unique(long.loc[long["level"] == deepest, "node"])]
    x = wide_table(long, leaves)
    weights = getattr(result, "weights", None)
    if not isinstance(weights, pd.DataFrame):
        raise HqdError("the Result has no weights table: pass factor weights explicitly", code="no_weights")
    column = "effective_weight" if "effective_weight" in weights.columns else "weight"
    table = weights.loc[weights["node"].astype(str).isin(leaves)].copy()
    table["node"] = table["node"].astype(str)
    dims = _dimension_of(nodes, leaves) if nodes is not None else None
    return x, table.rename(columns={column: "factor"})[["node", "year", "factor"]], dims


def _factor_matrix(x: pd.DataFrame, weights: Any) -> np.ndarray:
    """F aligned with x's rows and columns: pooled (one per indicator) or per year."""
    indicators = list(x.columns)
    problems = Problems()
    if isinstance(weights, pd.DataFrame) and {"node", "factor"} <= set(weights.columns):
        pooled = weights.loc[weights["year"].isna()] if "year" in weights.columns else weights
        yearly = weights.loc[weights["year"].notna()] if "year" in weights.columns else weights.iloc[0:0]
        if len(yearly):
            table = yearly.assign(year=yearly["year"].astype(int)).pivot_table(
                index="year", columns="node", values="factor", aggfunc="first"
            )
            years = pd.Index(x.index.get_level_values("year"))
            matrix = table.reindex(index=years.astype("Int64"), columns=indicators).to_numpy(dtype=float)
        else:
            series = pooled.drop_duplicates("node").set_index("node")["factor"]
            matrix = np.broadcast_to(series.reindex(indicators).to_numpy(dtype=float), x.shape).copy()
    else:
        series = pd.Series(weights)
        series.index = [str(i) for i in series.index]
        matrix = np.broadcast_to(series.reindex(indicators).to_numpy(dtype=float), x.shape).copy()
    missing = sorted({indicators[c] for c in np.nonzero(np.isnan(matrix))[1]})
    for code in missing[:MAX_LISTED]:
        problems.error("missing_weight", "no factor weight for this indicator", indicator=code)
    for code in sorted({indicators[c] for c in np.nonzero(matrix < 0)[1]})[:MAX_LISTED]:
        problems.error("negative_weight", "factor weight is negative", indicator=code)
    problems.raise_if_errors()
    return matrix


def obstacle_degree(
    data: Any,
    weights: Mapping[str, float] | pd.Series | pd.DataFrame | None = None,
    dimensions: Mapping[str, str] | None = None,
    *,
    indicators: list[str] | None = None,
) -> ObstacleResult:
    r"""Obstacle degree of each indicator and dimension for every region and year.

    .. math::
        F_j = \text{effective weight of indicator } j, \qquad I_{ij} = 1 - x'_{ij}, \qquad
        O_{ij} = \frac{F_j I_{ij}}{\sum_j F_j I_{ij}}, \qquad U_{ik} = \sum_{j\in k} O_{ij}

    ``data``: an HQD ``Result`` — x′ are the indicator scores (leaves of the framework), F_j the
    ``effective_weight`` column of ``result.weights`` (the global weight, i.e. dimension weight ×
    indicator weight; per year when the run weighted per year), dimensions the level-1 ancestors —
    or a wide table of x′ (``region``, ``year``, one column per indicator; ``indicators`` selects
    columns) with ``weights`` (indicator → F_j, or a table ``node, year, factor``) and optional
    ``dimensions`` (indicator → dimension).  Obstacles are shares (each region-year sums to 1); multiply
    by 100 for the percentages papers print.

    Variant: F_j = global (effective) weight; METHODS §2.13 notes papers that use within-dimension
    weights or report unnormalised F·I — those are not this function.  Policy: x′ must lie in
    [0, 1] (``out_of_range``) and be present (``missing_value``); a region-year at the ideal on every
    indicator (Σ F I = 0) has no obstacle: all its O_ij are 0 (named policy, rows then sum to 0).

    Replicates R mathmodels ``obstacle_degree(Z, w, scaled = TRUE)`` by name (``mathmodels_R.json``
    ``obstacle_scaled``, 8 × 5).
    """
    dims: dict[str, str] | None = dict(dimensions) if dimensions is not None else None
    if is_result(data) and weights is None:
        x, factor_table, framework_dims = _from_result(data)
        factors: Any = factor_table
        if dims is None:
            dims = framework_dims
    else:
        if weights is None:
            raise HqdError("pass the factor weights F_j (weights=…) for a plain table", code="no_weights")
        x = wide_table(data, indicators) if indicators is not None else _all_numeric(data)
        factors = weights
    values = x.to_numpy(dtype=float)
    problems = Problems()
    for mask, code, message in (
        (np.isnan(values), "missing_value", "indicator score is missing"),
        ((values < 0) | (values > 1), "out_of_range", "indicator score outside [0, 1]"),
    ):
        for r, c in cells(mask):
            region, year = x.index[r]
            problems.error(
                code,
                f"{message}: {values[r, c]!r}",
                indicator=str(x.columns[c]),
                region=str(region),
                year=None if pd.isna(year) else int(year),
            )
    problems.raise_if_errors()
    F = _factor_matrix(x, factors)
    deviation = 1.0 - values
    raw = F * deviation
    total = raw.sum(axis=1, keepdims=True)
    obstacle = np.where(total > 0, raw / np.where(total > 0, total, 1.0), 0.0)
    n_obs, m = values.shape
    regions = np.repeat(x.index.get_level_values("region").astype(str).to_numpy(), m)
    years = int_array(np.repeat(np.asarray(x.index.get_level_values("year")), m))
    codes = np.tile(np.asarray(x.columns, dtype=object), n_obs)
    frame = pd.DataFrame(
        {
            "region": regions,
            "year": years,
            "indicator": codes,
            "dimension": [dims.get(c) if dims else None for c in codes] if dims else None,
            "factor": F.ravel(),
            "deviation": deviation.ravel(),
            "obstacle": obstacle.ravel(),
        }
    )
    frame["rank"] = (
        frame.groupby(["region", "year"], dropna=False)["obstacle"]
        .rank(ascending=False, method="first")
        .astype(int)
    )
    dimension_frame = None
    if dims:
        unknown = [c for c in x.columns if c not in dims]
        if unknown:
            raise HqdError(
                f"indicators without a dimension: {', '.join(map(str, unknown))}", code="no_dimensions"
            )
        dimension_frame = (
            frame.groupby(["region", "year", "dimension"], dropna=False, sort=False)["obstacle"]
            .sum()
            .reset_index()
        )
        dimension_frame["rank"] = (
            dimension_frame.groupby(["region", "year"], dropna=False)["obstacle"]
            .rank(ascending=False, method="first")
            .astype(int)
        )
    return ObstacleResult(indicators=frame, dimensions=dimension_frame)


def _all_numeric(data: Any) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise HqdError("expected a wide table of indicator scores", code="bad_input")
    frame = data.reset_index() if "region" not in data.columns else data
    columns = [
        c for c in frame.columns if c not in ("region", "year") and pd.api.types.is_numeric_dtype(frame[c])
    ]
    frame = frame.assign(region=frame["region"].map(region_code))
    return wide_table(frame, [str(c) for c in columns])
