"""Loading the data panel: long, wide and wide-by-year tables, and COINr ``iData``.

Layouts (detected from the columns):

* **long** — ``region, year, indicator, value``;
* **wide** — ``region, year, <indicator>…``;
* **wide-by-year** — ``region, <indicator>_<year>…`` (as UNDP and the World Bank publish).

``region_col`` / ``year_col`` name the key columns when they are not ``region`` / ``year``.  A COINr
``iData`` table is read as it is: ``uCode`` → region, ``Time`` → year, ``uName`` and the group
columns become region metadata, and denominator columns stay available to ``denominate``.
Other text columns become region metadata; other numeric columns are kept for ``denominate`` and
reported with an ``unused_column`` warning.  Every problem is collected and raised at once.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem, Problems
from hqd.io.tables import RawTable, parse_numbers, read_table
from hqd.model.framework import Framework
from hqd.model.panel import Panel

REGION_ALIASES = ("region", "code", "uCode", "region_code", "地区代码", "行政区划代码", "城市代码", "代码")
#: Region columns as analysts name them; they usually hold names (北京, 石家庄市), which are resolved to
#: GB/T 2260 codes (any level) unless the column holds codes.
REGION_NAME_ALIASES = ("城市", "地区", "地市", "省份", "省市", "城市名称", "地区名称", "省份名称", "市", "省",
                       "region_name", "city", "province")
YEAR_ALIASES = ("year", "Year", "Time", "time", "年份", "年度", "年", "统计年度", "时间")
MAX_CELL_PROBLEMS = 200
_BY_YEAR = re.compile(r"^(?P<name>.+)_(?P<year>\d{4})$")


Source: TypeAlias = str | Path | pd.DataFrame | RawTable


def load_panel(
    source: Source | Sequence[Source],
    framework: Framework,
    *,
    region_col: str | None = None,
    year_col: str | None = None,
    regions: str | Path | pd.DataFrame | None = None,
    placeholders: str = "error",
    sheet: str | None = None,
    indicator_col: str | None = None,
    value_col: str | None = None,
    region_names: str | None = None,
    exclude_regions: Sequence[str] | None = None,
    years: tuple[int, int] | None = None,
    encoding: str | None = None,
) -> Panel:
    """Read and validate the data for ``framework``; raise one :class:`HqdError` with every problem.

    ``source`` is one table or a list of tables (files, DataFrames) that together hold the framework's
    indicators — e.g. CO2 from one inventory and GDP from an NBS export; the same region-year-indicator
    given by two tables is a ``duplicate_observation``.  ``indicator_col`` / ``value_col`` name the
    columns of a long table when they are not ``indicator`` / ``value``.  With ``region_names``
    (``province``, ``prefecture``, ``county`` or ``any``: the level of the names) the region column holds
    names (北京, 北京市, Beijing, Inner Mongolia …) that are resolved to GB/T 2260 codes through
    :mod:`hqd.model.regions` — ambiguous or unknown names are errors listing the candidates, never
    guesses; national rows resolve to ``CHN``.  Regions whose code is in ``exclude_regions`` (e.g.
    ``CHN``) are left out, with a warning.  ``years=(first, last)`` keeps only those years.
    """
    sources = list(source) if isinstance(source, list | tuple) else [source]
    problems = Problems()
    combined = _Long()
    metas: list[pd.DataFrame] = []
    raws: list[RawTable] = []
    for item in sources:
        try:
            raw = _as_raw(item, sheet, encoding, framework)
        except HqdError as err:
            problems.extend(err.problems)
            continue
        local = Problems(context={"file": raw.source, "sheet": raw.sheet})
        try:
            parsed, meta = _parse_source(raw, framework, local, region_col=region_col, year_col=year_col,
                                         placeholders=placeholders, indicator_col=indicator_col,
                                         value_col=value_col, region_names=region_names,
                                         exclude_regions=exclude_regions)
        except HqdError as err:
            problems.extend(err.problems)
            continue
        finally:
            problems.extend(p for p in local.items if p not in problems.items)
        combined.merge(parsed)
        metas.append(meta)
        raws.append(raw)
    problems.raise_if_errors()

    layouts = ", ".join(sorted(set(combined.layouts)))
    missing = [c for c in framework.indicators if c not in set(combined.indicator_codes)]
    for code in missing:
        problems.error("missing_indicator", f"framework indicator {code!r} has no data ({layouts} layout)",
                       indicator=code)
    if missing and combined.unmatched:
        hints = unmatched_headers(combined.unmatched, missing, framework)
        problems.error("unmatched_column", f"{len(combined.unmatched)} column(s) match no framework indicator "
                       f"(by code, name_zh or name_en): {', '.join(map(repr, combined.unmatched[:20]))}"
                       + (f". Closest: {hints}" if hints else "") + ". Rename the headers to the framework's codes "
                       "or names", column=combined.unmatched[0])
    problems.raise_if_errors()
    meta = _join_regions(_combine_meta(metas), regions, problems)
    problems.raise_if_errors()
    label = raws[0] if len(raws) == 1 else RawTable(pd.DataFrame(), "; ".join(str(r.source) for r in raws),
                                                     notes=tuple(n for r in raws for n in r.notes))
    return _build_cube(combined, framework, meta, label, problems, years)



def _combine_meta(metas: list[pd.DataFrame]) -> pd.DataFrame:
    """One row per region over the tables' region metadata (the first table that names a value wins)."""
    if not metas:
        return pd.DataFrame()
    if len(metas) == 1 and metas[0].index.is_unique:
        return metas[0]
    return pd.concat(metas).groupby(level=0, sort=False).first()


def _as_raw(item: Any, sheet: str | None, encoding: str | None = None,
            framework: Framework | None = None) -> RawTable:
    if isinstance(item, RawTable):
        return item
    if isinstance(item, pd.DataFrame):
        return RawTable(item.copy(), None)
    return read_table(item, sheet=sheet, encoding=encoding,
                      numeric=None if framework is None else _numeric_columns(framework))


def _numeric_columns(framework: Framework) -> Any:
    """Which columns of a data table hold numbers: the framework's indicators and denominators (wide), their
    ``<code>_<year>`` columns (wide by year), ``value`` (long) and the year column.  Only these go through the CSV reader's
    numeric parser; keys and names stay text as written (codes keep their leading zeros)."""
    codes = set(framework.indicators) | set(framework.nodes["denominator"].dropna().astype(str)) | {"value"}
    codes |= set(YEAR_ALIASES)

    def numeric(name: str) -> bool:
        match = _BY_YEAR.match(name)
        return name in codes or (match is not None and match["name"] in codes)

    return numeric


def _parse_source(raw: RawTable, framework: Framework, problems: Problems, *, region_col: str | None,
                  year_col: str | None, placeholders: str, indicator_col: str | None, value_col: str | None,
                  region_names: str | None, exclude_regions: Sequence[str] | None) -> tuple[_Long, pd.DataFrame]:
    """One table's observations and region metadata."""
    frame = raw.frame.set_axis([str(c).strip() for c in raw.frame.columns], axis=1)
    duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
    for name in duplicated:
        problems.error("duplicate_column", f"column {name!r} appears more than once; keep one, or rename the "
                       "others", column=name)
    problems.raise_if_errors()
    renames = {c: n for c, n in ((indicator_col, "indicator"), (value_col, "value")) if c}
    for column in renames:
        if column not in frame.columns:
            problems.error("missing_column", f"no column {column!r}", column=column)
    problems.raise_if_errors()
    frame = frame.rename(columns=renames)
    if "uCode" in frame.columns and region_col is None:  # a COINr iData table
        frame = frame.rename(columns={"uName": "name_en"})
    named_by_alias = region_col is None and _first_present(frame, REGION_ALIASES) is None
    region_col = region_col or _first_present(frame, REGION_ALIASES) or _first_present(frame, REGION_NAME_ALIASES)
    year_col = year_col if year_col is not None else _first_present(frame, YEAR_ALIASES)
    if named_by_alias and region_col is not None and region_names is None and not _holds_codes(frame[region_col]):
        region_names = "any"
        problems.warn("region_names_resolved", f"column {region_col!r} holds region names: resolved to GB/T 2260 "
                      "codes (name the level with --region-names to narrow the search)", column=region_col)
    frame = _match_indicator_names(frame, framework, {region_col, year_col}, problems)
    if region_col is None or region_col not in frame.columns:
        wanted = region_col or "region"
        problems.error("missing_column", f"no region column {wanted!r}; columns are: "
                       + ", ".join(map(str, frame.columns[:30])) + " (name it with --region-col)",
                       column=wanted)
        raise HqdError(problems.items)
    if year_col is not None and year_col not in frame.columns:
        problems.error("missing_column", f"no year column {year_col!r}", column=year_col)
        problems.raise_if_errors()
    if region_names:
        frame = _resolve_region_names(frame, raw, region_col, year_col, region_names, problems)
    if exclude_regions:
        dropped = frame[region_col].astype(str).str.strip().isin(set(exclude_regions))
        if dropped.any():
            problems.warn("regions_excluded", f"{int(dropped.sum())} row(s) of {', '.join(exclude_regions)} "
                          "left out as asked", column=region_col)
        frame = frame[~dropped.to_numpy()]
    raw = RawTable(frame, raw.source, raw.sheet, raw.notes, raw.first_row)

    if {"indicator", "value"}.issubset(frame.columns) and year_col is not None:
        long = _long_from_long(frame, raw, region_col, year_col, framework, problems, placeholders)
        long.layouts.append("long")
    elif year_col is not None:
        long = _long_from_wide(frame, raw, region_col, year_col, framework, problems, placeholders)
        long.layouts.append("wide")
    else:
        long = _long_from_wide_by_year(frame, raw, region_col, framework, problems, placeholders)
        long.layouts.append("wide-by-year")
    long.sources.append(str(raw.source))
    meta = _region_meta(frame, region_col, long.meta_columns, long.all_regions)
    return long, meta


# --------------------------------------------------------------------------- layouts
class _Long:
    """Parsed observations before they become a cube."""

    def __init__(self) -> None:
        self.region: list[np.ndarray] = []
        self.year: list[np.ndarray] = []
        self.indicator: list[np.ndarray] = []
        self.value: list[np.ndarray] = []
        self.row: list[np.ndarray] = []
        self.blocks: list[tuple[np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray]] = []
        self.extra: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.meta_columns: list[str] = []
        self.indicator_codes: list[str] = []
        self.layouts: list[str] = []
        self.sources: list[str] = []
        self.unmatched: list[str] = []  # numeric columns that are no indicator (nor a denominator)
        self.all_regions: np.ndarray | None = None  # the table's cleaned region column (every row)

    def merge(self, other: _Long) -> None:
        """Add another table's observations (extra columns of the same name are concatenated)."""
        self.region += other.region
        self.year += other.year
        self.indicator += other.indicator
        self.value += other.value
        self.row += other.row
        self.blocks += other.blocks
        for name, (reg, yrs, val) in other.extra.items():
            if name in self.extra:
                old = self.extra[name]
                self.extra[name] = (np.concatenate([old[0], reg]), np.concatenate([old[1], yrs]),
                                    np.concatenate([old[2], val]))
            else:
                self.extra[name] = (reg, yrs, val)
        self.indicator_codes += [c for c in other.indicator_codes if c not in self.indicator_codes]
        self.layouts += other.layouts
        self.sources += other.sources
        self.unmatched += [c for c in other.unmatched if c not in self.unmatched]

    def add(self, region: np.ndarray, year: np.ndarray, code: str | np.ndarray, value: np.ndarray,
            row: np.ndarray) -> None:
        self.region.append(region)
        self.year.append(year)
        self.indicator.append(np.full(len(value), code, dtype=object) if isinstance(code, str) else code)
        self.value.append(value)
        self.row.append(row)

    def add_matrix(self, region: np.ndarray, year: np.ndarray, codes: list[str], values: np.ndarray,
                   row: np.ndarray) -> None:
        """A wide block: one row per (region, year), one column per indicator in ``codes``."""
        self.blocks.append((region, year, codes, values, row))


def _require(years: np.ndarray | None) -> np.ndarray:
    if years is None:  # the caller passes a year column, so _keys always parses years
        raise HqdError("internal error: no years parsed", code="invalid_year")
    return years


def _first_present(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


_CODE_LIKE = re.compile(r"^(\d{6}(\.0)?|[A-Z]{3}|CHN)$")


def _holds_codes(column: pd.Series) -> bool:
    """True when the filled cells are GB/T 2260 or ISO3 codes rather than names."""
    text = _text_of(column)
    filled = text[text != ""]
    return bool(len(filled)) and bool(filled.str.match(_CODE_LIKE).all())


def _label_key(label: str) -> str:
    """A header or name compared loosely: NFKC, no spaces, no unit in brackets (人均GDP（元） → 人均gdp)."""
    text = unicodedata.normalize("NFKC", str(label)).strip()
    text = re.sub(r"[(\[（【][^)\]）】]*[)\]）】]$", "", text)
    return re.sub(r"\s+", "", text).lower()


def _indicator_names(framework: Framework) -> dict[str, str]:
    """Loose name → indicator code, from the framework's ``name_zh`` and ``name_en`` (unique names only)."""
    nodes = framework.nodes.loc[list(framework.indicators)]
    seen: dict[str, set[str]] = {}
    for column in ("name_zh", "name_en"):
        if column not in nodes.columns:
            continue
        for code, name in nodes[column].items():
            if isinstance(name, str) and name.strip():
                seen.setdefault(_label_key(name), set()).add(str(code))
    return {key: next(iter(codes)) for key, codes in seen.items() if len(codes) == 1}


def _match_indicator_names(frame: pd.DataFrame, framework: Framework, keys: set[str | None],
                           problems: Problems) -> pd.DataFrame:
    """Rename headers that are an indicator's Chinese or English name (人均GDP, 人均GDP（元）) to its code."""
    known = set(framework.indicators)
    names = _indicator_names(framework)
    renames: dict[str, str] = {}
    for column in frame.columns:
        if column in known or column in keys:
            continue
        code = names.get(_label_key(column))
        if code is not None and code not in frame.columns and code not in renames.values():
            renames[column] = code
    if renames:
        shown = ", ".join(f"{a} → {b}" for a, b in list(renames.items())[:8])
        problems.warn("indicator_names_matched", f"{len(renames)} header(s) matched "
                      f"to indicators by name: {shown}{' …' if len(renames) > 8 else ''}")
        frame = frame.rename(columns=renames)
    return frame


def unmatched_headers(columns: list[str], missing: list[str], framework: Framework) -> str:
    """For the indicators without data, the table's unmatched headers closest to their codes and names."""
    if not columns:
        return ""
    lines = []
    keyed = {_label_key(c): c for c in columns}
    for code in missing[:20]:
        names = [code] + [str(framework.nodes.at[code, c]) for c in ("name_zh", "name_en")
                          if c in framework.nodes.columns and isinstance(framework.nodes.at[code, c], str)]
        close: list[str] = []
        for name in names:
            close += [keyed[k] for k in difflib.get_close_matches(_label_key(name), list(keyed), n=3, cutoff=0.5)]
        close = list(dict.fromkeys(close))
        if close:
            lines.append(f"{code} ({' / '.join(names[1:]) or code}): closest {', '.join(map(repr, close[:3]))}")
    return "; ".join(lines)


def _resolve_region_names(frame: pd.DataFrame, raw: RawTable, region_col: str, year_col: str | None,
                          level: str, problems: Problems) -> pd.DataFrame:
    """Replace region names by their GB/T 2260 codes (keeping the names as ``name_as_given``)."""
    from hqd.model.regions import resolve_many

    names = frame[region_col].astype(object).where(frame[region_col].notna(), "").astype(str).str.strip()
    unique = pd.unique(names)
    years = None
    if year_col is not None:
        first_year = pd.to_numeric(frame[year_col], errors="coerce").groupby(names.to_numpy()).min()
        years = [None if pd.isna(first_year.get(n)) else int(first_year[n]) for n in unique]
    first = names.reset_index(drop=True).drop_duplicates()
    numbers = raw.row_numbers()
    first_row = {n: int(numbers[int(i)]) for i, n in first.items()}
    locations = [{"row": first_row.get(n), "column": region_col} for n in unique]
    levels = None if level == "any" else level
    codes, found = resolve_many(list(unique), years=years, locations=locations, level=levels)
    problems.extend(Problem(**{**p.to_dict(), "file": raw.source}) for p in found)
    mapping = {n: c for n, c in zip(unique, codes, strict=True) if c is not None}
    resolved = names.map(mapping)
    # Rows whose name did not resolve are already reported (once per name): leave them out here.
    out = frame[resolved.notna().to_numpy() | (names == "").to_numpy()].copy()
    out["name_as_given"] = names[out.index].to_numpy()
    out[region_col] = resolved[out.index].fillna("").to_numpy()
    return out


def _text_of(column: pd.Series) -> pd.Series:
    """Cells as stripped text, blank for missing (vectorised)."""
    if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
        return column.fillna("").str.strip()
    return column.astype(object).where(column.notna(), "").astype(str).str.strip()


def _clean_codes(column: pd.Series) -> np.ndarray:
    """Region codes as stripped text; blank for missing.  Codes read from numeric spreadsheet cells come as
    "110000.0" — GB/T 2260 codes are integers, so the ".0" is dropped."""
    if pd.api.types.is_integer_dtype(column.dtype) and not column.isna().any():
        return column.astype("int64").astype(str).to_numpy(dtype=object)
    text = _text_of(column)
    if text.str.endswith(".0").any():
        text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    return text.to_numpy(dtype=object)


def _keys(frame: pd.DataFrame, raw: RawTable, region_col: str, year_col: str | None,
          problems: Problems) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Region codes, years, spreadsheet rows and a mask of rows with valid keys."""
    rows = raw.row_numbers()
    region = _clean_codes(frame[region_col])
    ok = region != ""
    for r in rows[~ok][:MAX_CELL_PROBLEMS]:
        problems.error("missing_region", "row has no region code", row=int(r), column=region_col)
    if (~ok).sum() > MAX_CELL_PROBLEMS:
        problems.error("missing_region", f"… and {int((~ok).sum()) - MAX_CELL_PROBLEMS} more rows without a region",
                       column=region_col)
    years = None
    if year_col is not None:
        parsed, bad, _ = parse_numbers(frame[year_col], placeholders_ok=False)
        whole = np.nan_to_num(parsed) % 1 == 0
        bad = bad | np.isnan(parsed) | ~whole | (np.abs(np.nan_to_num(parsed)) > 9999)
        for i in np.flatnonzero(bad)[:MAX_CELL_PROBLEMS]:
            problems.error("invalid_year", f"year {frame[year_col].iloc[i]!r} is not a whole number of four "
                           "digits at most",
                           row=int(rows[i]), column=year_col, region=str(region[i]) or None)
        ok &= ~bad
        years = np.where(bad, -1, np.nan_to_num(parsed)).astype(int)
    return region, years, rows, ok


def _report_cells(problems: Problems, column: str, frame_col: pd.Series, bad: np.ndarray,
                  placeholder: np.ndarray, rows: np.ndarray, region: np.ndarray,
                  years: np.ndarray | None, indicator: str | None) -> None:
    idx = np.flatnonzero(bad)
    for i in idx[:MAX_CELL_PROBLEMS]:
        where = {"row": int(rows[i]), "column": column, "region": str(region[i]),
                 "year": int(years[i]) if years is not None else None, "indicator": indicator}
        if placeholder[i]:
            problems.error("placeholder", f"statistical placeholder {frame_col.iloc[i]!r}; set "
                           "`placeholders: missing` in the recipe to read it as missing", **where)
        else:
            cell = frame_col.iloc[i]
            finite = _is_infinite(cell)
            problems.error("non_numeric", f"{cell!r} is not a {'finite ' if finite else ''}number"
                           + (" (infinite, or too large for a float)" if finite else ""), **where)
    if len(idx) > MAX_CELL_PROBLEMS:
        problems.error("non_numeric", f"… and {len(idx) - MAX_CELL_PROBLEMS} more cells like these",
                       column=column)


def _is_infinite(cell: Any) -> bool:
    try:
        return bool(np.isinf(float(str(cell).replace(",", ""))))
    except (TypeError, ValueError):
        return False


def _is_text_column(values: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(values.dtype):
        return False
    _, bad, placeholder = parse_numbers(values, placeholders_ok=True)
    filled = _text_of(values).to_numpy() != ""
    return bool(filled.any() and (bad & ~placeholder).sum() > 0.5 * filled.sum())


def _long_from_long(frame: pd.DataFrame, raw: RawTable, region_col: str, year_col: str,
                    framework: Framework, problems: Problems, placeholders: str) -> _Long:
    out = _Long()
    region, years, rows, ok = _keys(frame, raw, region_col, year_col, problems)
    out.all_regions = region
    years = _require(years)
    code = _text_of(frame["indicator"]).to_numpy(dtype=object)
    known = set(framework.indicators)
    denominators = set(framework.nodes["denominator"].dropna())
    used = np.array([c in known for c in code])
    unused = sorted(set(code[~used]) - {""} - denominators)
    if unused:
        shown = ", ".join(unused[:12]) + (f" … ({len(unused)} in all)" if len(unused) > 12 else "")
        problems.warn("unused_indicator", f"{len(unused)} indicator(s) not in the framework ignored: {shown}",
                      column="indicator")
    value, bad, placeholder = parse_numbers(frame["value"], placeholders_ok=placeholders == "missing")
    _report_cells(problems, "value", frame["value"], bad & used, placeholder, rows, region, years, None)
    keep = ok & used
    out.add(region[keep], years[keep], code[keep], value[keep], rows[keep])
    for name in sorted(denominators & set(code)):
        rows_of = ok & (code == name)
        out.extra[name] = (region[rows_of], years[rows_of], value[rows_of])
    out.indicator_codes = sorted(set(code[keep]))
    out.meta_columns = [c for c in frame.columns if c not in (region_col, year_col, "indicator", "value")
                        and _is_text_column(frame[c])]
    return out


def _long_from_wide(frame: pd.DataFrame, raw: RawTable, region_col: str, year_col: str,
                    framework: Framework, problems: Problems, placeholders: str) -> _Long:
    out = _Long()
    region, years, rows, ok = _keys(frame, raw, region_col, year_col, problems)
    out.all_regions = region
    years = _require(years)
    known = set(framework.indicators)
    denominators = set(framework.nodes["denominator"].dropna())
    every = bool(ok.all())
    codes = [c for c in frame.columns if c in known and c not in (region_col, year_col)]
    columns: list[np.ndarray] = []
    for column in frame.columns:
        if column in (region_col, year_col):
            continue
        if column in known:
            value, bad, placeholder = parse_numbers(frame[column], placeholders_ok=placeholders == "missing")
            _report_cells(problems, column, frame[column], bad, placeholder, rows, region, years, column)
            columns.append(value if every else value[ok])
            out.indicator_codes.append(column)
        elif _is_text_column(frame[column]):
            out.meta_columns.append(column)
        else:
            value, _, _ = parse_numbers(frame[column], placeholders_ok=True)
            out.extra[column] = (region[ok], years[ok], value[ok])
            if column in denominators:
                continue
            out.unmatched.append(str(column))
            problems.warn("unused_column", f"column {column!r} is not a framework indicator; ignored "
                          "(kept for denominate)", column=column)
    if codes:  # one C-order copy; the cube can then be this matrix itself (see _build_cube)
        out.add_matrix(region if every else region[ok], years if every else years[ok], list(out.indicator_codes),
                       np.column_stack(columns), rows if every else rows[ok])
    return out


def _long_from_wide_by_year(frame: pd.DataFrame, raw: RawTable, region_col: str, framework: Framework,
                            problems: Problems, placeholders: str) -> _Long:
    out = _Long()
    region, _, rows, ok = _keys(frame, raw, region_col, None, problems)
    out.all_regions = region
    known = set(framework.indicators)
    unused: dict[str, int] = defaultdict(int)
    found: set[str] = set()
    for column in frame.columns:
        if column == region_col:
            continue
        match = _BY_YEAR.match(str(column))
        if match and match["name"] in known:
            code, year = match["name"], int(match["year"])
            value, bad, placeholder = parse_numbers(frame[column], placeholders_ok=placeholders == "missing")
            yrs = np.full(len(frame), year)
            _report_cells(problems, column, frame[column], bad, placeholder, rows, region, yrs, code)
            out.add(region[ok], yrs[ok], code, value[ok], rows[ok])
            found.add(code)
        elif match:
            unused[match["name"]] += 1
        elif _is_text_column(frame[column]):
            out.meta_columns.append(column)
        else:
            unused[str(column)] += 1
    if not found:
        problems.error("unknown_layout", "no year column and no '<indicator>_<year>' columns for the "
                       "framework's indicators: name the year column with --year-col")
    for name, count in sorted(unused.items()):
        problems.warn("unused_column", f"{count} column(s) {name!r}{'_<year>' if count > 1 else ''} not in the "
                      "framework; ignored", column=name)
    out.indicator_codes = sorted(found)
    return out


# --------------------------------------------------------------------------- assembly
def _region_meta(frame: pd.DataFrame, region_col: str, meta_columns: list[str],
                 codes: np.ndarray | None = None) -> pd.DataFrame:
    """Text columns that are constant within each region, one row per region code (``codes``: the region
    column already cleaned, when the caller has it)."""
    codes = _clean_codes(frame[region_col]) if codes is None or len(codes) != len(frame) else codes
    if not meta_columns:
        unique = pd.unique(codes)
        return pd.DataFrame(index=pd.Index(unique[unique != ""], name="code", dtype=object))
    meta = frame[meta_columns].copy()
    meta.insert(0, "code", codes)
    meta = meta[meta["code"] != ""]
    if meta_columns:
        # Region metadata are the text columns constant within each region (not indicator names of a long table).
        varying = meta.groupby("code", sort=False)[meta_columns].nunique(dropna=True).max() > 1
        meta = meta.drop(columns=list(varying.index[varying.to_numpy()]))
    return meta.groupby("code", sort=False).first()


def _join_regions(meta: pd.DataFrame, regions: str | Path | pd.DataFrame | None, problems: Problems) -> pd.DataFrame:
    """Add the columns of a regions table (names, groups) to the data's region metadata."""
    if regions is not None:
        table = regions if isinstance(regions, pd.DataFrame) else read_table(regions).frame
        source = None if isinstance(regions, pd.DataFrame) else str(regions)
        if "code" not in table.columns:
            problems.error("missing_column", "the regions table needs a 'code' column", file=source,
                           column="code")
            return meta
        table = table.copy()
        table["code"] = table["code"].map(lambda v: str(v).strip())
        table = table.drop_duplicates("code").set_index("code")
        unknown = sorted(set(meta.index) - set(table.index))
        for code in unknown:
            problems.warn("unknown_region", f"region {code!r} of the data is not in the regions table",
                          file=source, region=code)
        meta = meta.join(table[[c for c in table.columns if c not in meta.columns]], how="left")
    return meta


def _whole_block(long: _Long, years: np.ndarray, parts: list[np.ndarray], indicators: list[str],
                 shape: tuple[int, int, int]) -> np.ndarray | None:
    """The cube without a copy when one wide block gives every (year, region) cell once, in cube order, with
    the framework's indicators in order (a plain wide table sorted by year, then region); else None."""
    if long.region or len(long.blocks) != 1:
        return None
    _, year, codes, values, _ = long.blocks[0]
    if list(codes) != list(indicators) or values.shape != (shape[0] * shape[1], shape[2]):
        return None
    cell = np.searchsorted(years, year) * shape[1] + parts[0]
    if not np.array_equal(cell, np.arange(len(cell))) or not values.flags.c_contiguous:
        return None
    return values.reshape(shape)


def _check_year_range(year_range: tuple[int, int], years: np.ndarray, raw: RawTable,
                      problems: Problems) -> np.ndarray:
    """The years of the data inside ``year_range``; a reversed range or one that holds no year of the data
    is an error naming the data's years."""
    first, last = year_range
    have = f"{int(years.min())}–{int(years.max())}" if len(years) else "none"
    if first > last:
        problems.error("invalid_years", f"the year range {first}:{last} is reversed; write {last}:{first} "
                       f"(the data has years {have})", file=raw.source, column="years")
    keep = (years >= first) & (years <= last)
    if first <= last and not keep.any():
        problems.error("years_outside_data", f"no data in the years {first}:{last}; the data has years {have}",
                       file=raw.source, column="years")
    problems.raise_if_errors()
    return keep


def _build_cube(long: _Long, framework: Framework, meta: pd.DataFrame, raw: RawTable,
                problems: Problems, year_range: tuple[int, int] | None = None) -> Panel:
    indicators = framework.indicators
    all_regions = [*long.region, *(b[0] for b in long.blocks)]
    all_years = [*long.year, *(b[1] for b in long.blocks)]
    # One hash pass over every region key: the positions of each part follow from its length.
    positions, uniques = pd.factorize(np.concatenate(all_regions)) if all_regions else (np.array([], int), [])
    region_codes = list(uniques)
    parts = np.split(positions, np.cumsum([len(r) for r in all_regions])[:-1]) if all_regions else []
    years = np.unique(np.concatenate(all_years)).astype(int) if all_years else np.array([], dtype=int)
    if not len(region_codes) or not len(years):
        problems.error("empty_file", "the data has no rows with a region, a year and a framework indicator",
                       file=raw.source)
        problems.raise_if_errors()
    shape = (len(years), len(region_codes), len(indicators))
    cube = _whole_block(long, years, parts, indicators, shape)
    filled = cube is not None
    if cube is None:
        cube = np.full(shape, np.nan)
    flat_cube = cube.reshape(-1)

    def report_duplicates(flat: np.ndarray, row: np.ndarray, region: np.ndarray, year: np.ndarray,
                          code: np.ndarray | None) -> None:
        order = np.argsort(flat, kind="stable")
        dup = np.flatnonzero(np.diff(flat[order]) == 0)
        for k in dup[:MAX_CELL_PROBLEMS]:
            first, second = order[k], order[k + 1]
            problems.error("duplicate_observation", f"also given on row {int(row[first])}", row=int(row[second]),
                           region=str(region[second]), year=int(year[second]),
                           indicator=None if code is None else str(code[second]))

    if long.region:
        region = np.concatenate(long.region)
        year = np.concatenate(long.year)
        code = np.concatenate(long.indicator)
        row = np.concatenate(long.row)
        m_idx = pd.Index(indicators).get_indexer(code)
        flat = (np.searchsorted(years, year) * len(region_codes) + np.concatenate(parts[:len(long.region)])) \
            * len(indicators) + m_idx
        report_duplicates(flat, row, region, year, code)
        flat_cube[flat] = np.concatenate(long.value)
    several = len(long.sources) > 1
    given = np.zeros(cube.shape, dtype=np.int16) if several else None
    if given is not None and long.region:
        np.add.at(given.reshape(-1), flat, 1)
    for k, (region, year, codes, values, row) in enumerate(long.blocks):
        if filled:  # the one block is the cube already: every cell given once, in order
            break
        cell = np.searchsorted(years, year) * len(region_codes) + parts[len(long.region) + k]
        report_duplicates(cell, row, region, year, None)
        columns = pd.Index(indicators).get_indexer(codes)
        if np.array_equal(columns, np.arange(len(indicators))):
            cube.reshape(-1, len(indicators))[cell] = values
        else:
            cube.reshape(-1, len(indicators))[cell[:, None], columns[None, :]] = values
        if given is not None:
            given.reshape(-1, len(indicators))[cell[:, None], columns[None, :]] += 1
    if given is not None:
        for t, r, m in np.argwhere(given > 1)[:MAX_CELL_PROBLEMS]:
            problems.error("duplicate_observation", "given by more than one of the data tables ("
                           + "; ".join(long.sources) + ")", region=str(region_codes[r]), year=int(years[t]),
                           indicator=indicators[m])
    problems.raise_if_errors()
    extra: dict[str, np.ndarray] = {}
    for name, (reg, yrs, val) in long.extra.items():
        grid = np.full((len(years), len(region_codes)), np.nan)
        ri = pd.Index(region_codes).get_indexer(reg)
        ti = np.searchsorted(years, yrs)
        inside = (ri >= 0) & (ti < len(years))
        inside[inside] &= years[ti[inside]] == yrs[inside]
        grid[ti[inside], ri[inside]] = val[inside]
        extra[name] = grid
    if year_range is not None:
        keep = _check_year_range(year_range, years, raw, problems)
        cube, years = cube[keep], years[keep]
        extra = {name: grid[keep] for name, grid in extra.items()}
    meta = meta.reindex(region_codes)
    meta.index.name = "code"
    return Panel(values=cube, years=years, regions=region_codes, indicators=list(indicators),
                 region_meta=meta, extra=extra, source=raw.source, notes=raw.notes,
                 warnings=tuple(problems.warnings))
