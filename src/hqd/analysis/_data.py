"""Shared plumbing of :mod:`hqd.analysis`: from an HQD ``Result`` or a plain table to arrays.

Every analysis accepts either

* an HQD ``Result`` (duck-typed: anything with a ``.scores`` attribute holding a long DataFrame with
  columns ``region, year, node, level, score``; optionally ``.weights`` and ``.framework.nodes``),
* a long score table with those same columns (e.g. ``scores.csv`` of a run directory),
* a plain wide table: a ``region`` column (or index level), an optional ``year`` column and one
  numeric column per variable, or
* a :class:`pandas.Series` indexed by ``region`` or by ``(region, year)``.

Internally a variable becomes a :class:`Panel`: an array of shape ``(n_years, n_regions)`` plus the
region and year labels, so that every statistic is computed for all years at once.  A cross-section
(no year) is a panel with one year whose label is ``<NA>``.

Missing values follow a named policy (``missing=``): ``"raise"`` (default) lists every missing
region-year in one :class:`~hqd.errors.HqdError` (reason code ``missing_value``); ``"drop_regions"``
drops every region with a missing value in any year (a balanced panel is kept, the dropped regions
are recorded in the result).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problems

MISSING_POLICIES: tuple[str, ...] = ("raise", "drop_regions")

#: At most this many problems of one kind are listed individually (the rest are summarised).
MAX_LISTED = 50


@dataclass(frozen=True)
class Panel:
    """One variable as an array ``(n_years, n_regions)`` with its labels."""

    values: np.ndarray
    regions: pd.Index
    years: pd.Index
    name: str = "value"
    dropped: tuple[str, ...] = ()

    @property
    def is_cross_section(self) -> bool:
        return len(self.years) == 1 and bool(pd.isna(self.years[0]))


def choose(name: str, value: str, valid: Iterable[str], code: str = "unknown_option") -> str:
    """Check that a named option is one of ``valid``; raise an :class:`HqdError` naming them all."""
    valid = tuple(valid)
    if value not in valid:
        raise HqdError(f"unknown {name} {value!r}; valid: {', '.join(valid)}", code=code)
    return value


def is_result(obj: Any) -> bool:
    """True for an HQD ``Result`` (duck-typed on a DataFrame ``.scores`` attribute)."""
    return isinstance(getattr(obj, "scores", None), pd.DataFrame)


def scores_long(obj: Any) -> pd.DataFrame | None:
    """The long score table (``region, year, node, level, score``) of a Result or long table, else None."""
    if is_result(obj):
        frame = obj.scores
    elif isinstance(obj, pd.DataFrame) and {"region", "node", "score"} <= set(obj.columns):
        frame = obj
    else:
        return None
    out = frame.copy()
    out["region"] = out["region"].map(region_code)
    if "year" not in out.columns:
        out["year"] = pd.NA
    return out


def region_code(value: Any) -> str:
    """A region label as a string code (``110000.0`` read from a spreadsheet becomes ``"110000"``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def root_node(long: pd.DataFrame) -> str:
    """The index node: the single node at the smallest level (level 0 in an HQD result)."""
    if "level" in long.columns and long["level"].notna().any():
        top = long.loc[long["level"] == long["level"].min(), "node"].unique()
    else:
        top = long["node"].unique()
    if len(top) != 1:
        raise HqdError(
            f"cannot tell which node is the index: {len(top)} candidates ({', '.join(map(str, top[:10]))}); "
            "pass node=…",
            code="ambiguous_node",
        )
    return str(top[0])


def framework_nodes(obj: Any) -> pd.DataFrame | None:
    """``code, parent, level`` of a Result's framework tree (``code`` may be the index), else None."""
    nodes = getattr(getattr(obj, "framework", None), "nodes", None)
    if not isinstance(nodes, pd.DataFrame):
        return None
    if "code" not in nodes.columns:
        nodes = nodes.rename_axis("code").reset_index()
    if not {"code", "parent", "level"} <= set(nodes.columns):
        return None
    return nodes.assign(code=nodes["code"].astype(str))


def level_nodes(long: pd.DataFrame, level: int, obj: Any = None) -> list[str]:
    """The nodes at ``level``: in framework order when ``obj`` has a framework, else order of appearance."""
    nodes = framework_nodes(obj)
    if nodes is not None:
        found = [str(c) for c in nodes.loc[nodes["level"].astype(int) == level, "code"]]
        if found:
            return found
    if "level" not in long.columns:
        raise HqdError("the score table has no 'level' column; name the nodes explicitly", code="no_level")
    return [str(n) for n in pd.unique(long.loc[long["level"] == level, "node"])]


def _check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        problems = Problems()
        for column in missing:
            problems.error("unknown_column", "column not found in the table", column=str(column))
        problems.raise_if_errors()


def wide_table(
    obj: Any,
    columns: Sequence[str] | None = None,
    *,
    node: str | None = None,
) -> pd.DataFrame:
    """A wide table indexed by ``(region, year)`` with one column per requested variable.

    For a Result or long score table the variables are nodes (``columns`` = node codes; default the
    index node, or ``node``).  For a plain wide table they are columns (default: the only numeric column
    besides region/year).  A Series becomes one column named after it (``"value"`` if unnamed).
    """
    long = scores_long(obj)
    if long is not None:
        wanted = list(columns) if columns is not None else [node or root_node(long)]
        known = set(long["node"].astype(str))
        problems = Problems()
        for code in wanted:
            if code not in known:
                problems.error("unknown_node", "node not found in the scores", indicator=str(code))
        problems.raise_if_errors()
        sub = long.loc[long["node"].astype(str).isin(wanted), ["region", "year", "node", "score"]].copy()
        sub["node"] = sub["node"].astype(str)
        _check_duplicates(sub, ["region", "year", "node"])
        wide = (
            sub.pivot_table(
                index=["region", "year"], columns="node", values="score", aggfunc="first", dropna=False
            )
            if sub["year"].notna().any()
            else (sub.drop(columns="year").pivot(index="region", columns="node", values="score"))
        )
        if not isinstance(wide.index, pd.MultiIndex):
            wide.index = pd.MultiIndex.from_arrays(
                [wide.index, pd.array([pd.NA] * len(wide), dtype="Int64")], names=["region", "year"]
            )
        wide.columns = [str(c) for c in wide.columns]
        return wide[wanted]

    if isinstance(obj, pd.Series):
        frame = obj.to_frame(name=str(obj.name) if obj.name is not None else "value")
        frame = frame.reset_index()
        names = [n for n in obj.index.names if n is not None]
        if "region" not in frame.columns:
            first = frame.columns[0]
            frame = frame.rename(columns={first: "region"})
        if len(names) >= 2 and "year" not in frame.columns:
            frame = frame.rename(columns={frame.columns[1]: "year"})
        obj = frame

    if not isinstance(obj, pd.DataFrame):
        raise HqdError(
            f"expected an HQD Result, a DataFrame or a Series, got {type(obj).__name__}", code="bad_input"
        )
    frame = obj
    if "region" not in frame.columns:
        if "region" in (frame.index.names or []):
            frame = frame.reset_index()
        else:
            raise HqdError("the table needs a 'region' column (or index level)", code="no_region_column")
    frame = frame.copy()
    frame["region"] = frame["region"].map(region_code)
    if "year" not in frame.columns:
        frame["year"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    if columns is None:
        numeric = [
            c
            for c in frame.columns
            if c not in ("region", "year") and pd.api.types.is_numeric_dtype(frame[c])
        ]
        if len(numeric) != 1:
            raise HqdError(
                f"say which column to analyse: the table has {len(numeric)} numeric columns "
                f"({', '.join(map(str, numeric[:10]))})",
                code="ambiguous_column",
            )
        columns = numeric
    columns = [str(c) for c in columns]
    frame.columns = [str(c) for c in frame.columns]
    _check_columns(frame, columns)
    _check_duplicates(frame, ["region", "year"])
    problems = Problems()
    for column in columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            converted = pd.to_numeric(frame[column], errors="coerce")
            bad = frame.loc[converted.isna() & frame[column].notna()]
            for _, row in bad.head(MAX_LISTED).iterrows():
                problems.error(
                    "not_numeric",
                    f"value {row[column]!r} is not a number",
                    column=column,
                    region=row["region"],
                    year=_year_or_none(row["year"]),
                )
            frame[column] = converted
    problems.raise_if_errors()
    return frame.set_index(["region", "year"])[columns].astype(float)


def cells(mask: np.ndarray, limit: int = MAX_LISTED) -> list[tuple[int, ...]]:
    """The first ``limit`` positions where ``mask`` is true, as tuples of Python ints."""
    return [tuple(int(i) for i in idx) for idx in islice(zip(*np.nonzero(mask), strict=True), limit)]


def int_array(values: Iterable[Any]) -> Any:
    """Year labels as a nullable ``Int64`` array (a cross-section's year shows as ``<NA>``)."""
    return pd.array(list(values), dtype="Int64")


def _year_or_none(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def _check_duplicates(frame: pd.DataFrame, keys: list[str]) -> None:
    dup = frame.duplicated(keys, keep="first")
    if dup.any():
        problems = Problems()
        for _, row in frame.loc[dup].head(MAX_LISTED).iterrows():
            where: dict[str, Any] = {"region": str(row["region"]), "year": _year_or_none(row["year"])}
            if "node" in keys:
                where["indicator"] = str(row["node"])
            problems.error("duplicate_region_year", "more than one value for this region and year", **where)
        problems.raise_if_errors()


def panel_from_wide(wide: pd.DataFrame, column: str, missing: str = "raise") -> Panel:
    """One column of a ``(region, year)``-indexed wide table as a :class:`Panel`."""
    choose("missing-value policy", missing, MISSING_POLICIES)
    series = wide[column]
    matrix = series.unstack("region", sort=False)
    years = matrix.index
    if len(years) > 1 or not pd.isna(years[0]):
        order = np.argsort(np.asarray(years, dtype=float), kind="stable")
        matrix = matrix.iloc[order]
    values = matrix.to_numpy(dtype=float)
    regions = pd.Index([str(r) for r in matrix.columns], name="region")
    nan = np.isnan(values)
    dropped: tuple[str, ...] = ()
    if nan.any():
        if missing == "raise":
            problems = Problems()
            n_missing = int(nan.sum())
            for t, r in cells(nan):
                problems.error(
                    "missing_value",
                    "value is missing (NaN or absent); use missing='drop_regions' to drop regions with gaps",
                    column=column,
                    region=regions[r],
                    year=_year_or_none(matrix.index[t]),
                )
            if n_missing > MAX_LISTED:
                problems.error(
                    "missing_value", f"… and {n_missing - MAX_LISTED} more missing values", column=column
                )
            problems.raise_if_errors()
        keep = ~nan.any(axis=0)
        dropped = tuple(regions[~keep])
        values, regions = values[:, keep], regions[keep]
    return Panel(
        values=values,
        regions=regions,
        years=pd.Index(matrix.index, name="year"),
        name=column,
        dropped=dropped,
    )


def as_panel(
    obj: Any, *, node: str | None = None, column: str | None = None, missing: str = "raise"
) -> Panel:
    """Any accepted input (see the module docstring) as a :class:`Panel` of one variable."""
    if isinstance(obj, Panel):
        return obj
    if isinstance(obj, np.ndarray):
        array = np.atleast_2d(np.asarray(obj, dtype=float))
        regions = pd.Index([str(i) for i in range(array.shape[-1])], name="region")
        years = (
            pd.Index(pd.array([pd.NA], dtype="Int64"), name="year")
            if np.ndim(obj) == 1
            else pd.Index(range(array.shape[0]), name="year")
        )
        frame = pd.DataFrame(
            {
                "region": np.tile(regions, array.shape[0]),
                "year": np.repeat(np.asarray(years), array.shape[1]),
                "value": array.ravel(),
            }
        ).set_index(["region", "year"])
        return panel_from_wide(frame, "value", missing)
    columns = [column] if column is not None else None
    wide = wide_table(obj, columns, node=node)
    return panel_from_wide(wide, wide.columns[0], missing)


def year_labels(panel: Panel) -> pd.Index:
    """Year labels for output frames (``Int64`` so a cross-section shows ``<NA>``)."""
    return pd.Index(int_array(panel.years), name="year")


def check_values(
    panel: Panel,
    *,
    allow_zero: bool = True,
    allow_negative: bool = False,
    upper: float | None = None,
    purpose: str,
) -> None:
    """Raise one :class:`HqdError` listing every value the method cannot take (with region and year)."""
    values = panel.values
    problems = Problems()
    checks: list[tuple[np.ndarray, str, str]] = []
    if not allow_negative:
        checks.append((values < 0, "negative_value", f"negative values are not allowed ({purpose})"))
    if not allow_zero:
        checks.append((values == 0, "zero_value", f"zero is not allowed ({purpose})"))
    if upper is not None:
        checks.append((values > upper, "out_of_range", f"value above {upper} is not allowed ({purpose})"))
    for mask, code, message in checks:
        count = int(mask.sum())
        for t, r in cells(mask):
            problems.error(
                code,
                f"{message}: {values[t, r]!r}",
                column=panel.name,
                region=panel.regions[r],
                year=_year_or_none(panel.years[t]),
            )
        if count > MAX_LISTED:
            problems.error(code, f"… and {count - MAX_LISTED} more", column=panel.name)
    problems.raise_if_errors()


GroupsLike: TypeAlias = "Mapping[str, Hashable] | pd.Series | Sequence[Hashable] | np.ndarray"


def group_codes(
    regions: pd.Index, groups: GroupsLike, group_order: Sequence[Hashable] | None = None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer group codes aligned with ``regions`` and the group labels.

    ``groups`` maps region → group (a mapping or a Series indexed by region) or is a sequence aligned
    with the regions.  Labels come from ``group_order``, else a categorical's categories, else order
    of first appearance.  Every region must have a group (``region_without_group``) and every listed
    group a member (``empty_group``): both are errors, never silently dropped.
    """
    problems = Problems()
    if isinstance(groups, pd.Series):
        series = groups.copy()
        series.index = [region_code(i) for i in series.index]
        categories = list(series.cat.categories) if isinstance(series.dtype, pd.CategoricalDtype) else None
        assigned = series.reindex(regions)
    elif isinstance(groups, Mapping):
        mapping = {region_code(k): v for k, v in groups.items()}
        assigned = pd.Series([mapping.get(r) for r in regions], index=regions, dtype=object)
        categories = None
    else:
        array = list(groups)
        if len(array) != len(regions):
            raise HqdError(
                f"groups has {len(array)} entries for {len(regions)} regions", code="groups_length"
            )
        assigned = pd.Series(array, index=regions, dtype=object)
        categories = None
    labels_raw: list[Hashable]
    if group_order is not None:
        labels_raw = list(group_order)
    elif categories is not None:
        labels_raw = categories
    else:
        labels_raw = list(pd.unique(assigned.dropna()))
    labels = tuple(str(g) for g in labels_raw)
    as_text = assigned.map(lambda g: None if g is None or (not isinstance(g, str) and pd.isna(g)) else str(g))
    for region, group in as_text.items():
        if group is None or (not isinstance(group, str) and pd.isna(group)):
            problems.error("region_without_group", "region has no group", region=str(region))
        elif group not in labels:
            problems.error(
                "unknown_group", f"group {group!r} is not among {', '.join(labels)}", region=str(region)
            )
    present = set(as_text.dropna())
    for label in labels:
        if label not in present:
            problems.error("empty_group", f"group {label!r} has no region")
    if len(labels) != len(set(labels)):
        problems.error("duplicate_group", "group labels repeat in group_order")
    problems.raise_if_errors()
    lookup = {label: i for i, label in enumerate(labels)}
    codes = np.array([lookup[g] for g in as_text], dtype=np.intp)
    return codes, labels


def weights_per_region(
    panel: Panel, weights: Mapping[str, float] | pd.Series | np.ndarray, *, name: str
) -> np.ndarray:
    """A region weight (e.g. population) aligned with the panel, shape ``(n_years, n_regions)``.

    A Series indexed by ``(region, year)`` gives year-specific weights; indexed by region it is used
    for every year.  Missing, negative or all-zero weights are errors.
    """
    problems = Problems()
    if isinstance(weights, np.ndarray):
        array = np.broadcast_to(np.asarray(weights, dtype=float), panel.values.shape).copy()
    else:
        series = pd.Series(weights) if isinstance(weights, Mapping) else weights.copy()
        if isinstance(series.index, pd.MultiIndex):
            series.index = pd.MultiIndex.from_arrays(
                [
                    [region_code(r) for r in series.index.get_level_values(0)],
                    int_array(series.index.get_level_values(1)),
                ],
                names=["region", "year"],
            )
            table = series.unstack("region").reindex(
                index=pd.Index(int_array(panel.years)), columns=panel.regions
            )
            array = table.to_numpy(dtype=float)
        else:
            series.index = [region_code(r) for r in series.index]
            array = np.broadcast_to(
                series.reindex(panel.regions).to_numpy(dtype=float), panel.values.shape
            ).copy()
    for t, r in cells(np.isnan(array)):
        problems.error(
            "missing_weight",
            f"{name} is missing",
            region=panel.regions[r],
            year=_year_or_none(panel.years[t]),
        )
    for t, r in cells(array < 0):
        problems.error(
            "negative_weight",
            f"{name} is negative",
            region=panel.regions[r],
            year=_year_or_none(panel.years[t]),
        )
    problems.raise_if_errors()
    return array
