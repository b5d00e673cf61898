"""The result of reading an official export: :class:`OfficialPanel`, and :func:`combine`.

An ``OfficialPanel`` is a long table ``region, year, indicator, value`` (plus ``period`` for monthly
or quarterly exports) with region codes resolved, and everything HQD understood about the file:
units, bilingual indicator names, provenance (file, format, encoding, header lines, notes such as the
NBS ``注：`` lines, source line, placeholder counts), conversions applied and warnings.
``locations`` (same index as ``data``) says where each value came from (file, sheet, row, column), so
later checks (plausibility rules) can point at the cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem, Problems
from hqd.io.readers import units as _units
from hqd.model import regions as _regions

DATA_COLUMNS = ("region", "year", "indicator", "value")
LOCATION_COLUMNS = ("file", "sheet", "row", "column")


def _span(years: pd.Series) -> str:
    if years.empty:
        return "no years"
    lo, hi = int(years.min()), int(years.max())
    n = years.nunique()
    return f"{n} year{'s' if n != 1 else ''}, {lo}–{hi}" if lo != hi else f"1 year, {lo}"


@dataclass(frozen=True)
class OfficialPanel:
    """A panel read from an official export, with what was understood about it.

    Attributes
    ----------
    data : DataFrame
        Long table: ``region`` (GB/T 2260 code or ISO3), ``year`` (int), ``indicator`` (code),
        ``value`` (float, NaN = missing), and ``period`` (``Q1``…, ``M01``…) for sub-annual exports.
    units : dict indicator → unit text (as published, e.g. ``亿元``)
    names : dict indicator → (name_zh, name_en)
    provenance : list of dict, one per file read (file, format, encoding, header lines, notes, source
        line, placeholder counts …)
    conversions : list of dict, one per unit conversion or deflation applied
    warnings : list of Problem (severity "warning")
    locations : DataFrame with the same index as ``data``: file, sheet, row, column of each value
    """

    data: pd.DataFrame
    units: dict[str, str] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    conversions: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    locations: pd.DataFrame | None = None

    # ---- views --------------------------------------------------------------------------------
    @property
    def indicators(self) -> list[str]:
        """Indicator codes in order of first appearance."""
        return list(pd.unique(self.data["indicator"]))

    @property
    def regions(self) -> list[str]:
        """Region codes in order of first appearance."""
        return list(pd.unique(self.data["region"]))

    @property
    def years(self) -> list[int]:
        """Sorted distinct years."""
        return sorted(int(y) for y in pd.unique(self.data["year"]))

    def wide(self) -> pd.DataFrame:
        """Values as a table indexed by (region, year[, period]) with one column per indicator."""
        keys = ["region", "year"] + (["period"] if "period" in self.data.columns else [])
        return self.data.pivot_table(
            index=keys, columns="indicator", values="value", aggfunc="first", dropna=False, sort=True
        )

    def describe(self) -> str:
        """A human-readable account of what was read, one paragraph per file.

        e.g. ``NBS 分省年度数据 export (nbs_export.txt, csv, utf-8): indicator 地区生产总值 (亿元),
        31 regions × 19 years, 2006–2024; 0 missing; note: …``
        """
        lines: list[str] = []
        loc = self.locations
        for prov in self.provenance:
            if loc is not None and "file" in prov:
                rows = self.data[(loc["file"] == prov["file"]).to_numpy()]
            else:
                rows = self.data
            inds = list(pd.unique(rows["indicator"]))
            ind_txt = "; ".join(
                f"{self.names.get(i, (i, ''))[0] or i}"
                + (f" ({self.units[i]})" if self.units.get(i) else "")
                + (f" [{i}]" if self.names.get(i, (i, ""))[0] not in (i, "") else "")
                for i in inds[:6]
            ) + (f"; … {len(inds) - 6} more" if len(inds) > 6 else "")
            what = f"indicator {ind_txt}" if len(inds) == 1 else f"{len(inds)} indicators: {ind_txt}"
            n_reg = rows["region"].nunique()
            where = ", ".join(str(x) for x in (prov.get("file"), prov.get("kind"), prov.get("encoding")) if x)
            text = f"{prov.get('label', prov.get('format', 'export'))} ({where}): {what}, {n_reg} regions × {_span(rows['year'])}"
            if "period" in rows.columns and rows["period"].notna().any():
                text += f", {rows['period'].nunique()} periods ({prov.get('frequency', 'sub-annual')})"
            missing = int(rows["value"].isna().sum())
            placeholders = prov.get("placeholders") or {}
            text += f"; {missing} missing"
            if placeholders:
                text += " (" + ", ".join(f"{k!r}: {v}" for k, v in placeholders.items()) + ")"
            if prov.get("footnoted"):
                text += f"; {prov['footnoted']} values carried footnote markers (stripped)"
            if prov.get("national_rows"):
                text += f"; national rows kept as {_regions.NATIONAL_CODE}: {prov['national_rows']}"
            for note in prov.get("notes", []):
                text += f"; note: {note}"
            if prov.get("source_line"):
                text += f"; {prov['source_line']}"
            lines.append(text)
        for conv in self.conversions:
            lines.append(f"applied: {conv['description']}")
        for w in self.warnings:
            lines.append(f"warning: {w}")
        return "\n".join(lines)

    # ---- edits -----------------------------------------------------------------------------------
    def convert(self, targets: Mapping[str, str]) -> OfficialPanel:
        """Convert indicators to other units of the same dimension (``{"gdp": "万元"}``), recorded.

        Raises ``HqdError`` ``unit_unknown`` / ``unit_incompatible`` / ``unknown_indicator``.
        """
        problems = Problems()
        data = self.data.copy()
        units = dict(self.units)
        conversions = list(self.conversions)
        for ind, target in targets.items():
            if ind not in units:
                problems.error(
                    "unknown_indicator",
                    f"no indicator {ind!r}; valid: {', '.join(sorted(units))}",
                    indicator=ind,
                )
                continue
            try:
                factor = _units.conversion_factor(units[ind], target)
            except HqdError as err:
                problems.extend(replace(p, indicator=ind) for p in err.problems)
                continue
            mask = (data["indicator"] == ind).to_numpy()
            data.loc[mask, "value"] = data.loc[mask, "value"].to_numpy() * factor
            conversions.append(
                {
                    "kind": "unit",
                    "indicator": ind,
                    "from": units[ind],
                    "to": target,
                    "factor": factor,
                    "rows": int(mask.sum()),
                    "description": f"{ind}: {units[ind]} → {target} (× {factor:g}), {int(mask.sum())} rows",
                }
            )
            units[ind] = target
        problems.raise_if_errors()
        return replace(self, data=data, units=units, conversions=conversions)

    def to_csv(self, path: str | Path) -> Path:
        """Write the long table (with region names and units) as UTF-8 CSV; returns the path."""
        path = Path(path)
        out = self.data.copy()
        names = _regions.crosswalk().set_index("code")["name_zh"]
        out.insert(1, "region_zh", out["region"].map(names))
        out["unit"] = out["indicator"].map(self.units)
        out.to_csv(path, index=False, encoding="utf-8")
        return path


def build(
    records: pd.DataFrame,
    *,
    units: Mapping[str, str],
    names: Mapping[str, tuple[str, str]],
    provenance: dict[str, Any],
    problems: Problems,
    level: str | Sequence[str] | None,
    aliases: Mapping[str, str] | None,
    resolve_regions: bool = True,
) -> OfficialPanel:
    """Resolve region names and assemble a panel from reader records; raise once with every problem.

    ``records`` columns: ``region_name``, ``year``, ``indicator``, ``value`` (optional ``period``) and the
    location columns ``file``, ``sheet``, ``row``, ``column``.
    """
    records = records.reset_index(drop=True)
    if resolve_regions:
        raw_locs = records[["file", "sheet", "row", "column"]].to_dict("records")
        region_column = provenance.get("region_column")
        locs: list[dict[str, Any]] = [
            {
                str(k): v
                for k, v in d.items()
                if v is not None and not (isinstance(v, float) and np.isnan(v)) and k != "column"
            }
            | ({"column": region_column} if region_column else {})
            for d in raw_locs
        ]
        codes, region_problems = _regions.resolve_many(
            records["region_name"].tolist(),
            years=records["year"].tolist(),
            level=level,
            aliases=aliases,
            locations=locs,
        )
        problems.extend(region_problems)
        records["region"] = codes
        national = int((records["region"] == _regions.NATIONAL_CODE).sum())
        if national:
            provenance["national_rows"] = int(
                records.loc[records["region"] == _regions.NATIONAL_CODE, "region_name"].nunique()
            )
    else:
        records["region"] = records["region_name"]
    problems.raise_if_errors()
    cols = ["region", "year", "indicator", "value"] + (["period"] if "period" in records.columns else [])
    data = records[cols].copy()
    data["year"] = data["year"].astype(int)
    data["value"] = data["value"].astype(float)
    data["region"] = data["region"].astype(str)
    dup = data.duplicated(subset=[c for c in cols if c != "value"], keep=False)
    if dup.any():
        first = records[dup.to_numpy()].iloc[0]
        raise HqdError(
            [
                Problem(
                    "duplicate_observation",
                    f"{int(dup.sum())} cells give a value for the same region, year and indicator "
                    f"(e.g. {first['region_name']!r} {first['year']} {first['indicator']!r})",
                    file=first["file"],
                    row=int(first["row"]),
                    indicator=str(first["indicator"]),
                )
            ]
        )
    locations = records[list(LOCATION_COLUMNS)].copy()
    return OfficialPanel(
        data=data,
        units=dict(units),
        names=dict(names),
        provenance=[provenance],
        warnings=problems.warnings,
        locations=locations,
    )


def combine(panels: Iterable[OfficialPanel]) -> OfficialPanel:
    """Several exports (e.g. one per indicator) as one panel.

    Errors: ``unit_mismatch`` when one indicator comes in different units from two files (both named),
    ``duplicate_observation`` when two files give a value for the same region, year and indicator.
    """
    panels = list(panels)
    if not panels:
        raise HqdError([Problem("combine_empty", "no panels to combine")])
    problems = Problems()
    units: dict[str, str] = {}
    unit_source: dict[str, str] = {}
    for panel in panels:
        src = ", ".join(str(p.get("file")) for p in panel.provenance)
        for ind, unit in panel.units.items():
            if ind in units and units[ind] != unit:
                problems.error(
                    "unit_mismatch",
                    f"indicator {ind!r} is in {units[ind]!r} in {unit_source[ind]} but in {unit!r} in "
                    f"{src}; convert one of them first (panel.convert({{{ind!r}: {units[ind]!r}}}))",
                    indicator=ind,
                )
            else:
                units.setdefault(ind, unit)
                unit_source.setdefault(ind, src)
    problems.raise_if_errors()
    data = pd.concat([p.data for p in panels], ignore_index=True)
    locs = [
        p.locations
        if p.locations is not None
        else pd.DataFrame(index=p.data.index, columns=list(LOCATION_COLUMNS))
        for p in panels
    ]
    locations = pd.concat(locs, ignore_index=True)
    keys = [c for c in ("region", "year", "indicator", "period") if c in data.columns]
    dup = data.duplicated(subset=keys, keep=False).to_numpy()
    if dup.any():
        files = sorted({str(f) for f in locations.loc[dup, "file"]})
        first = data[dup].iloc[0]
        raise HqdError(
            [
                Problem(
                    "duplicate_observation",
                    f"{int(dup.sum())} values are given twice across {', '.join(files)} "
                    f"(e.g. region {first['region']} year {first['year']})",
                    indicator=str(first["indicator"]),
                    region=str(first["region"]),
                    year=int(first["year"]),
                )
            ]
        )
    names: dict[str, tuple[str, str]] = {}
    for p in panels:
        names.update(p.names)
    return OfficialPanel(
        data=data,
        units=units,
        names=names,
        provenance=[d for p in panels for d in p.provenance],
        conversions=[c for p in panels for c in p.conversions],
        warnings=[w for p in panels for w in p.warnings],
        locations=locations,
    )


def from_wide(
    table: pd.DataFrame | str | Path,
    *,
    region: str,
    year: str,
    indicators: Sequence[str] | None = None,
    units: Mapping[str, str] | None = None,
    level: str | Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    label: str = "table",
) -> OfficialPanel:
    """A panel from a tidy wide table (one row per region and year, one column per indicator).

    Region names are resolved like the readers do (by ``year`` for historical names); locations are
    the CSV rows (header = row 1) and column names, so plausibility problems point at cells.
    Non-numeric cells other than placeholders are errors ``non_numeric``.
    """
    from hqd.io.readers._source import parse_cells

    name = Path(table).name if isinstance(table, str | Path) else label
    frame = (
        pd.read_csv(table, dtype=object, keep_default_na=False) if isinstance(table, str | Path) else table
    )
    problems = Problems(context={"file": name})
    missing = [c for c in (region, year) if c not in frame.columns]
    if missing:
        raise HqdError(
            [
                Problem(
                    "missing_column",
                    f"no column {missing[0]!r}; columns: {', '.join(frame.columns)}",
                    file=name,
                )
            ]
        )
    inds = (
        list(indicators) if indicators is not None else [c for c in frame.columns if c not in (region, year)]
    )
    n = len(frame)
    cells = frame[inds].to_numpy(dtype=object).ravel()
    parsed = parse_cells(list(cells))
    r_arr = np.repeat(np.arange(n), len(inds))
    c_arr = np.tile(np.arange(len(inds)), n)
    for k in np.flatnonzero(parsed.bad):
        problems.error(
            "non_numeric",
            f"{cells[k]!r} is neither a number nor a placeholder",
            row=int(r_arr[k]) + 2,
            column=inds[c_arr[k]],
        )
    years = pd.to_numeric(frame[year], errors="coerce").to_numpy()
    for k in np.flatnonzero(np.isnan(years)):
        problems.error(
            "invalid_year", f"year {frame[year].iloc[k]!r} is not a number", row=int(k) + 2, column=year
        )
    problems.raise_if_errors()
    records = pd.DataFrame(
        {
            "region_name": frame[region].to_numpy(dtype=object)[r_arr],
            "year": years.astype(int)[r_arr],
            "indicator": np.asarray(inds, dtype=object)[c_arr],
            "value": parsed.values,
            "file": name,
            "sheet": None,
            "row": r_arr + 2,
            "column": np.asarray(inds, dtype=object)[c_arr],
        }
    )
    provenance: dict[str, Any] = {
        "label": "Table",
        "format": "wide",
        "file": name,
        "kind": "csv",
        "notes": [],
        "placeholders": parsed.placeholder_counts,
        "region_column": region,
    }
    return build(
        records,
        units={i: (units or {}).get(i, "") for i in inds},
        names={i: (i, "") for i in inds},
        provenance=provenance,
        problems=problems,
        level=level,
        aliases=aliases,
    )
