"""The industry statistics table: city × industry × year values, read from yearbook layouts or tidy files.

A yearbook table of industry data usually has one sheet per year, regions down column A and one
column per industry (``分行业规模以上工业增加值``), the industries named by GB/T 4754-2017 division
names or codes (``汽车制造业``, ``36 汽车制造业``, ``C36``).  :func:`read_industry_table` reads such a
workbook (or CSV) with the yearbook reader (:mod:`hqd.io.readers.yearbook`: titles, 单位 rows, merged
headers, footnotes, placeholders) and then checks the industry classification: every column must name
a GB/T 4754-2017 code (:mod:`hqd.model.industries`), or be a total column (合计/总计 …, dropped and
recorded).  A 全国/China row is kept apart as the table's **reference** (for location quotients or
shift-share against the nation).  :func:`read_industry_long` reads a tidy file with columns
``region, industry, year, value``.

Both raise one :class:`hqd.errors.HqdError` listing every problem with its file, sheet, row and
column: an unknown industry (``unknown_industry``), a negative value (``negative_value``), an
unknown region, two values for one cell (``duplicate_observation``), industries in different units
(``unit_mismatch``); nothing is returned half-read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem, Problems
from hqd.model import industries as _ind
from hqd.model import regions as _regions

#: What a table can measure: key → (Chinese, English).  The key is the ``measure`` everywhere.
MEASURES: dict[str, tuple[str, str]] = {
    "output": ("总产值", "gross output"),
    "value_added": ("增加值", "value added"),
    "revenue": ("营业收入", "operating revenue"),
    "employment": ("从业人员", "employment"),
    "firms": ("企业数", "number of firms"),
}
#: Column labels that are totals, not industries (dropped, and recorded in the provenance).
TOTAL_LABELS: frozenset[str] = frozenset(
    {"合计", "总计", "总值", "全部", "全部行业", "工业", "全部工业", "工业合计", "规模以上工业", "total", "Total", "TOTAL"}
)
DATA_COLUMNS = ("region", "industry", "year", "value")


@dataclass(frozen=True)
class IndustryTable:
    """Values of one measure by region, industry (canonical GB/T 4754-2017 code) and year.

    Attributes
    ----------
    data : long table ``region`` (GB/T 2260 code), ``industry`` (``"C36"`` …), ``year``, ``value``
        (NaN = missing as published)
    measure : a key of :data:`MEASURES`
    unit : the unit as published (``亿元``, ``万人``, ``个``)
    reference : long table ``industry, year, value`` of the reference economy (a 全国 row of the
        file), or None — the measures then use the sum of the table's regions
    provenance : what was read and what was dropped
    synthetic : True for generated demonstration data (every output says SYNTHETIC)
    locations : per ``data`` row, the file, sheet, row and column it came from (when read from a file)
    """

    data: pd.DataFrame
    measure: str
    unit: str = ""
    reference: pd.DataFrame | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    synthetic: bool = False
    locations: pd.DataFrame | None = None

    @property
    def regions(self) -> list[str]:
        return list(pd.unique(self.data["region"]))

    @property
    def industries(self) -> list[str]:
        return list(pd.unique(self.data["industry"]))

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in pd.unique(self.data["year"]))

    def matrix(self, year: int) -> np.ndarray:
        """Values of one year as an array (regions, industries); NaN where a cell is absent."""
        return self.cube([year])[0]

    def cube(self, years: Sequence[int] | None = None) -> np.ndarray:
        """Values as an array (years, regions, industries) in the order of :attr:`years` (or ``years``)."""
        ys = list(years) if years is not None else self.years
        unknown = [y for y in ys if y not in self.years]
        if unknown:
            raise HqdError([Problem("unknown_year", f"no year {y} in the table; valid: "
                                    f"{', '.join(map(str, self.years))}", year=int(y)) for y in unknown])
        wide = self.data.pivot_table(index=["year", "region"], columns="industry", values="value",
                                     aggfunc="first", dropna=False)
        idx = pd.MultiIndex.from_product([ys, self.regions], names=["year", "region"])
        wide = wide.reindex(index=idx, columns=self.industries)
        return wide.to_numpy(dtype=float).reshape(len(ys), len(self.regions), len(self.industries))

    def reference_row(self, year: int) -> np.ndarray | None:
        """The reference economy's values of one year (industries,), or None when the table has none."""
        if self.reference is None:
            return None
        ref = self.reference[self.reference["year"] == year].set_index("industry")["value"]
        return ref.reindex(self.industries).to_numpy(dtype=float)

    def aggregate(self, groups: Mapping[str, str]) -> IndustryTable:
        """Sum regions into groups (region → group code), e.g. the 13 cities into the three provinces.

        A region missing from ``groups`` is a ``missing_group`` error; missing cells stay missing
        (the group's value is NaN) rather than being summed as zero.
        """
        missing = [r for r in self.regions if r not in groups]
        if missing:
            raise HqdError([Problem("missing_group", f"region {r!r} has no group", region=r) for r in missing])
        d = self.data.assign(region=self.data["region"].map(groups))
        out = d.groupby(["region", "industry", "year"], sort=False)["value"].sum(min_count=1)
        has_nan = d["value"].isna().groupby([d["region"], d["industry"], d["year"]], sort=False).any()
        out[has_nan.reindex(out.index).to_numpy()] = np.nan
        return replace(self, data=out.reset_index()[list(DATA_COLUMNS)], locations=None,
                       provenance={**self.provenance, "aggregated": dict(groups)})

    def to_frame(self) -> pd.DataFrame:
        """The long table with the measure, unit and, for generated data, the SYNTHETIC label."""
        out = self.data.assign(measure=self.measure, unit=self.unit)
        if self.synthetic:
            out["label"] = "SYNTHETIC"
        return out


def _check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise HqdError([Problem("unknown_measure",
                                f"unknown measure {measure!r}; valid: {', '.join(MEASURES)}")])


def _negatives(data: pd.DataFrame, locations: pd.DataFrame | None, problems: Problems) -> None:
    neg = np.flatnonzero(data["value"].to_numpy(dtype=float) < 0)
    for k in neg[:50]:
        loc: dict[str, Any] = {}
        if locations is not None:
            row = locations.iloc[k]
            loc = {c: (int(row[c]) if c == "row" else row[c]) for c in ("file", "sheet", "row", "column")
                   if c in row and row[c] is not None and not (isinstance(row[c], float) and np.isnan(row[c]))}
        problems.error("negative_value", f"{data['value'].iat[k]!r} is negative; industry values must be ≥ 0",
                       region=str(data["region"].iat[k]), year=int(data["year"].iat[k]),
                       indicator=str(data["industry"].iat[k]), **loc)



def _one_level(codes: dict[str, str], industry_level: str | None, problems: Problems) -> tuple[set[str], list[str]]:
    """Labels to keep so that no industry is counted twice (a section beside its own divisions).

    With ``industry_level`` given, keep the labels at that level and drop (and return) the others; a
    section of one division (K 房地产业 = K70) counts at both levels and takes that level's code
    (``codes`` is updated).  Otherwise a section listed together with one of its divisions is a
    ``mixed_industry_levels`` error.
    """
    if industry_level is not None:
        if industry_level not in _ind.CHECKED_BY:
            problems.error("unknown_level", f"unknown industry level {industry_level!r}; valid: "
                           f"{', '.join(_ind.CHECKED_BY)}")
            return set(codes), []
        single = _ind.single_division_sections()
        if industry_level == "division":
            codes.update({lab: single[c] for lab, c in codes.items() if c in single})
        elif industry_level == "section":
            back = {d: sec for sec, d in single.items()}
            codes.update({lab: back[c] for lab, c in codes.items() if c in back})
        keep = {lab for lab, c in codes.items() if _ind.industry_level(c) == industry_level}
        return keep, [lab for lab in codes if lab not in keep]
    values = set(codes.values())
    for lab, code in codes.items():
        inside = sorted(c for c in values if c != code and c.startswith(code))
        if inside:
            problems.error("mixed_industry_levels", f"{lab!r} ({code}) is listed with its own parts "
                           f"{', '.join(inside[:5])}: summing them would count it twice; pass industry_level= "
                           "(section, division, group, class) to keep one level", indicator=code)
    return set(codes), []

def read_industry_table(
    path: str | Path,
    *,
    measure: str,
    unit: str | None = None,
    year: int | None = None,
    sheets: Sequence[str | int] | None = None,
    level: str | Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    industry_aliases: Mapping[str, str] | None = None,
    older_names: bool = False,
    industry_level: str | None = None,
    encoding: str | None = None,
) -> IndustryTable:
    """Read a yearbook-layout industry table (regions down, industries across, one year per sheet).

    Parameters
    ----------
    measure : what the values are, a key of :data:`MEASURES` (``output``, ``value_added`` …)
    unit : the unit when the file does not state one (a 单位 row or a unit in the labels wins)
    year : the year of a single-sheet table whose sheet name and title carry none
    sheets, level, aliases, encoding : as :func:`hqd.io.readers.yearbook.read`
    industry_aliases : column label → GB/T 4754-2017 code, for labels that are neither codes nor
        exact division names (``{"汽车": "C36"}``); each target is checked too
    older_names : also accept the GB/T 4754-2002 section names of older yearbooks (``信息传输、计算机服务
        和软件业`` → I …); the columns so mapped are listed in ``provenance["older_names_mapped"]``
        because the scopes differ slightly
    industry_level : keep only the columns at this level (``section``, ``division`` …) when a table
        lists a section beside its own divisions (制造业 and 汽车制造业); without it that is a
        ``mixed_industry_levels`` error
    """
    from hqd.io.readers import yearbook

    _check_measure(measure)
    path = Path(path)
    panel = yearbook.read(path, encoding=encoding, sheets=sheets, year=year, level=level, aliases=aliases)
    problems = Problems(context={"file": path.name})
    data = panel.data.reset_index(drop=True)
    locs = panel.locations.reset_index(drop=True) if panel.locations is not None else None
    labels = list(pd.unique(data["indicator"]))
    mapping: dict[str, str] = {}
    totals: list[str] = []
    older: list[str] = []
    for label in labels:
        if label in TOTAL_LABELS:
            totals.append(label)
            continue
        target = (industry_aliases or {}).get(label)
        code = _ind.code_for_label(target if target is not None else label, older_names=older_names)
        if code is not None and target is None and _ind.code_for_label(label) is None:
            older.append(label)
        if code is None:
            where = {}
            if locs is not None:
                first = locs[data["indicator"] == label].iloc[0]
                where = {k: first[k] for k in ("sheet", "column") if first[k] is not None}
            reason = "" if target is None else f" (industry_aliases maps it to {target!r})"
            try:
                _ind.check_industry_codes([target if target is not None else label])
                detail = ""
            except HqdError as err:
                detail = ": " + err.problems[0].message.split(": ", 1)[-1]
            problems.error("unknown_industry", f"column {label!r}{reason} is not a GB/T 4754-2017 industry "
                           f"(a code such as C36, '36 汽车制造业' or an exact division name){detail}",
                           indicator=label, **where)
            continue
        mapping[label] = code
    kept, other_level = _one_level(mapping, industry_level, problems)
    mapping = {lab: c for lab, c in mapping.items() if lab in kept}
    keep = data["indicator"].isin(list(mapping)).to_numpy()
    data = data[keep].reset_index(drop=True)
    locs = locs[keep].reset_index(drop=True) if locs is not None else None
    data = data.assign(industry=data["indicator"].map(mapping))
    units = {panel.units.get(lab, "") for lab in mapping}
    if len(units) > 1:
        problems.error("unit_mismatch", "the industry columns are in different units: "
                       + ", ".join(sorted(repr(u) for u in units)))
    dup = data.duplicated(subset=["region", "industry", "year"], keep=False)
    if dup.any():
        first = data[dup].iloc[0]
        problems.error("duplicate_observation", f"two columns give industry {first['industry']} for the same region "
                       f"and year (labels {sorted(data.loc[dup, 'indicator'].unique())[:4]})",
                       indicator=str(first["industry"]), region=str(first["region"]), year=int(first["year"]))
    table_unit = next(iter(units)) if len(units) == 1 else ""
    national = data["region"] == _regions.NATIONAL_CODE
    data = data[list(DATA_COLUMNS)]
    _negatives(data, locs, problems)
    problems.raise_if_errors()
    reference = data[national.to_numpy()][["industry", "year", "value"]].reset_index(drop=True) \
        if national.any() else None
    body = data[~national.to_numpy()].reset_index(drop=True)
    provenance = {
        **panel.provenance[0],
        "measure": measure,
        "industry_columns": mapping,
        "total_columns_dropped": totals,
        "older_names_mapped": {lab: mapping[lab] for lab in older if lab in mapping},
        "other_level_dropped": other_level,
        "reference": "全国 row of the file" if reference is not None else "sum of the table's regions",
        "industry_check": {lvl: _ind.CHECKED_BY[lvl] for lvl in sorted({_ind.industry_level(c) for c in mapping.values()})},
    }
    return IndustryTable(
        data=body,
        measure=measure,
        unit=table_unit or (unit or ""),
        reference=reference,
        provenance=provenance,
        locations=locs[~national.to_numpy()].reset_index(drop=True) if locs is not None else None,
    )


def read_industry_long(
    source: str | Path | pd.DataFrame,
    *,
    measure: str,
    unit: str = "",
    level: str | Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    synthetic: bool = False,
) -> IndustryTable:
    """Read a tidy table with columns ``region, industry, year, value`` (CSV, Excel, or a DataFrame).

    Regions may be GB/T 2260 codes or names (resolved as everywhere in HQD; 全国 becomes the
    reference); industries are GB/T 4754-2017 codes in any accepted spelling.  Row numbers in the
    problems are spreadsheet rows (header = row 1).
    """
    _check_measure(measure)
    name = "table" if isinstance(source, pd.DataFrame) else Path(source).name
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        p = Path(source)
        frame = pd.read_excel(p, dtype={"region": str, "industry": str}) if p.suffix.lower() in (".xlsx", ".xls") \
            else pd.read_csv(p, dtype={"region": str, "industry": str}, encoding="utf-8-sig")
    problems = Problems(context={"file": name})
    missing = [c for c in DATA_COLUMNS if c not in frame.columns]
    if missing:
        problems.error("missing_column", f"missing column(s) {', '.join(missing)}; a long industry table has "
                       f"columns {', '.join(DATA_COLUMNS)} (found {', '.join(map(str, frame.columns))})")
        problems.raise_if_errors()
    frame = frame.reset_index(drop=True)
    rows = frame.index.to_numpy() + 2
    raw = frame["industry"].astype(str).str.strip()
    where = {c: {"row": int(rows[k]), "column": "industry"} for k, c in zip(range(len(raw)), raw, strict=True)}
    try:
        _ind.check_industry_codes(raw.tolist(), where=where)
    except HqdError as err:
        problems.extend(Problem(**{**p.to_dict(), "file": name}) for p in err.problems)
    values = pd.to_numeric(frame["value"], errors="coerce")
    for k in np.flatnonzero(values.isna().to_numpy() & frame["value"].notna().to_numpy()):
        problems.error("non_numeric", f"{frame['value'].iat[k]!r} is not a number", row=int(rows[k]),
                       column="value")
    for k in np.flatnonzero((values < 0).to_numpy()):
        problems.error("negative_value", f"{values.iat[k]!r} is negative; industry values must be ≥ 0",
                       row=int(rows[k]), column="value", indicator=str(raw.iat[k]))
    years = pd.to_numeric(frame["year"], errors="coerce")
    for k in np.flatnonzero(years.isna().to_numpy()):
        problems.error("invalid_year", f"{frame['year'].iat[k]!r} is not a year", row=int(rows[k]), column="year")
    codes, region_problems = _regions.resolve_many(
        frame["region"].astype(str).tolist(), years=years.fillna(0).astype(int).tolist(), level=level,
        aliases=aliases, locations=[{"file": name, "row": int(r), "column": "region"} for r in rows])
    problems.extend(region_problems)
    problems.raise_if_errors()
    data = pd.DataFrame({
        "region": [str(c) for c in codes],
        "industry": [_ind.normalise_industry_code(c) for c in raw],
        "year": years.astype(int).to_numpy(),
        "value": values.to_numpy(dtype=float),
    })
    locs = pd.DataFrame({"file": name, "sheet": None, "row": rows, "column": "value"})
    dup = data.duplicated(subset=["region", "industry", "year"], keep=False)
    if dup.any():
        second = int(np.flatnonzero(dup.to_numpy())[1])
        problems.error("duplicate_observation", f"{int(dup.sum())} rows give a value for the same region, industry "
                       "and year", row=int(rows[second]), region=data["region"].iat[second],
                       year=int(data["year"].iat[second]), indicator=data["industry"].iat[second])
    problems.raise_if_errors()
    national = (data["region"] == _regions.NATIONAL_CODE).to_numpy()
    reference = data[national][["industry", "year", "value"]].reset_index(drop=True) if national.any() else None
    return IndustryTable(
        data=data[~national].reset_index(drop=True),
        measure=measure,
        unit=unit,
        reference=reference,
        provenance={"file": name, "format": "long", "measure": measure,
                    "reference": "全国 rows" if reference is not None else "sum of the table's regions"},
        synthetic=synthetic,
        locations=locs[~national].reset_index(drop=True),
    )


_ROW_HEAD = re.compile(r"^(行\s*业|项\s*目|指\s*标|产\s*业|门\s*类|industry|sector|item)", re.IGNORECASE)
_FOOTER = re.compile(r"^\s*(注\s*\d*\s*[:：]|注释|资料来源|数据来源|说明\s*[:：])")
_SUBITEM = re.compile(r"^(其中|内|#)\s*[:：]?\s*")


def read_industry_rows(
    path: str | Path,
    *,
    measure: str,
    region: str | None = None,
    unit: str | None = None,
    sheets: Sequence[str | int] | None = None,
    industry_aliases: Mapping[str, str] | None = None,
    older_names: bool = False,
    industry_level: str | None = None,
    level: str | Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    encoding: str | None = None,
) -> IndustryTable:
    """Read the other yearbook layout: one region per sheet, industries down column A, years across.

    A city or provincial yearbook prints e.g. ``分行业增加值`` with a header ``行业 | 2018 | 2019 …`` (or
    项目/指标), a ``单位：亿元`` row above it and ``注：`` lines below.  The region is ``region`` (a name or
    GB/T 2260 code, for every sheet) or each sheet's name (``北京``, ``石家庄市``).  Row labels are
    industries as in :func:`read_industry_table` (``其中：`` prefixes and indentation are ignored); total
    rows (合计 …) are dropped and recorded.  Every problem carries its file, sheet, row and column.
    """
    from hqd.io.readers._source import clean_name, open_source, parse_cells
    from hqd.io.readers.nbs import parse_time
    from hqd.io.readers.units import split_label, unit_line

    _check_measure(measure)
    path = Path(path)
    src = open_source(path, encoding=encoding)
    problems = Problems(context={"file": path.name})
    chosen = [sh for k, sh in enumerate(src.sheets)
              if sheets is None or sh.name in sheets or k in sheets]
    records: list[dict[str, Any]] = []
    mapping: dict[str, str] = {}
    totals: list[str] = []
    units: set[str] = set()
    for sh in chosen:
        sheet = sh.name if src.kind != "csv" else None
        where: dict[str, Any] = {"sheet": sheet} if sheet else {}
        head = next((i for i in range(min(12, len(sh.rows))) if _ROW_HEAD.match(sh.text(i, 0).replace(" ", ""))), None)
        if head is None:
            problems.error("industry_header_missing", "no header row starting with 行业/项目/指标 in the first rows",
                           **where)
            continue
        for i in range(head):
            for text in sh.nonempty(i):
                found = unit_line(text)
                if found:
                    units.add(found)
        name = region or sh.name or path.stem
        codes, region_problems = _regions.resolve_many([name], level=level, aliases=aliases,
                                                       locations=[{"file": path.name, **where}])
        problems.extend(region_problems)
        code = codes[0]
        years: dict[int, int] = {}
        for j in range(1, len(sh.rows[head])):
            label, col_unit = split_label(clean_name(sh.text(head, j)))
            t = parse_time(label.replace(" ", "")) if label else None
            if t is not None and t[1] is None:
                years[j] = t[0]
                if col_unit:
                    units.add(col_unit)
            elif label:
                problems.error("invalid_year", f"column {label!r} is not a year (the columns of this layout "
                               "are years)", row=sh.row_numbers[head], column=label, **where)
        for k in range(head + 1, len(sh.rows)):
            first = sh.text(k, 0)
            if _FOOTER.match(first):
                break
            if not sh.nonempty(k):
                continue
            label = _SUBITEM.sub("", clean_name(first))
            if label in TOTAL_LABELS:
                totals.append(label)
                continue
            target = (industry_aliases or {}).get(label)
            ind_code = _ind.code_for_label(target if target is not None else label, older_names=older_names)
            if ind_code is None:
                problems.error("unknown_industry", f"row {label!r} is not a GB/T 4754-2017 industry (a code such "
                               "as C36, '36 汽车制造业' or an exact division name)", row=sh.row_numbers[k],
                               column="A", indicator=label, **where)
                continue
            mapping[label] = ind_code
            cols = sorted(years)
            parsed = parse_cells([sh.rows[k][j] if j < len(sh.rows[k]) else None for j in cols])
            for b in np.flatnonzero(parsed.bad):
                problems.error("non_numeric", f"{sh.rows[k][cols[b]]!r} is neither a number nor a placeholder",
                               row=sh.row_numbers[k], column=str(years[cols[b]]), **where)
            for n, j in enumerate(cols):
                records.append({"region": code, "label": label, "industry": ind_code, "year": years[j],
                                "value": float(parsed.values[n]), "file": path.name, "sheet": sheet,
                                "row": sh.row_numbers[k], "column": str(years[j])})
    kept, other_level = _one_level(mapping, industry_level, problems)
    if len(units) > 1:
        problems.error("unit_mismatch", "the sheets are in different units: " + ", ".join(sorted(map(repr, units))))
    problems.raise_if_errors()
    frame = pd.DataFrame(records, columns=["region", "label", "industry", "year", "value", "file", "sheet", "row",
                                           "column"])
    frame = frame[frame["label"].isin(kept)].reset_index(drop=True)
    dup = frame.duplicated(subset=["region", "industry", "year"], keep=False)
    if dup.any():
        first = frame[dup].iloc[1]
        problems.error("duplicate_observation", f"two rows give industry {first['industry']} for the same region "
                       "and year", sheet=first["sheet"], row=int(first["row"]), region=str(first["region"]),
                       year=int(first["year"]), indicator=str(first["industry"]))
    data = frame[list(DATA_COLUMNS)]
    locs = frame[["file", "sheet", "row", "column"]]
    _negatives(data, locs, problems)
    problems.raise_if_errors()
    national = (data["region"] == _regions.NATIONAL_CODE).to_numpy()
    reference = data[national][["industry", "year", "value"]].reset_index(drop=True) if national.any() else None
    return IndustryTable(
        data=data[~national].reset_index(drop=True),
        measure=measure,
        unit=next(iter(units)) if units else (unit or ""),
        reference=reference,
        provenance={"file": path.name, "format": "industry rows (one region per sheet, years across)",
                    "measure": measure, "sheets": [sh.name for sh in chosen], "industry_rows": mapping,
                    "total_rows_dropped": totals, "other_level_dropped": other_level},
        locations=locs[~national].reset_index(drop=True),
    )


#: Column names accepted for the total-output column of an IO table file.
OUTPUT_COLUMNS: tuple[str, ...] = ("total_output", "总产出", "x")


@dataclass(frozen=True)
class IOTable:
    """An input–output table: intermediate flows ``Z`` (sectors × sectors) and total output ``x``."""

    sectors: list[str]
    Z: np.ndarray
    x: np.ndarray
    provenance: dict[str, Any] = field(default_factory=dict)


def read_io_table(path: str | Path) -> IOTable:
    """Read an IO table from CSV or Excel: first column the sector labels, then one column per sector
    (the same labels, same order: flows from the row sector to the column sector), then a
    ``total_output`` (or ``总产出``) column.  Other columns (final demand …) are ignored and recorded.

    Raises ``HqdError``: ``io_sectors_mismatch`` (column labels differ from row labels),
    ``missing_column`` (no output column), ``non_numeric``, ``negative_value`` — each with its row
    and column.
    """
    p = Path(path)
    frame = pd.read_excel(p) if p.suffix.lower() in (".xlsx", ".xls") else pd.read_csv(p, encoding="utf-8-sig")
    problems = Problems(context={"file": p.name})
    labels = frame.iloc[:, 0].astype(str).str.strip().tolist()
    cols = [str(c).strip() for c in frame.columns]
    out_col = next((c for c in cols if c in OUTPUT_COLUMNS), None)
    if out_col is None:
        problems.error("missing_column", f"no total-output column; name it one of {', '.join(OUTPUT_COLUMNS)}")
    flow_cols = cols[1 : 1 + len(labels)]
    if flow_cols != labels:
        problems.error("io_sectors_mismatch", f"the flow columns {flow_cols} must repeat the row sectors {labels} "
                       "in the same order")
    problems.raise_if_errors()
    block = frame.iloc[:, 1 : 1 + len(labels)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    out = pd.to_numeric(frame.iloc[:, cols.index(str(out_col))], errors="coerce").to_numpy(dtype=float)
    for i, j in np.argwhere(~np.isfinite(block)):
        problems.error("non_numeric", f"flow {labels[i]} → {labels[j]} is not a number", row=int(i) + 2,
                       column=labels[j])
    for i, j in np.argwhere(np.isfinite(block) & (block < 0)):
        problems.error("negative_value", f"flow {labels[i]} → {labels[j]} is {block[i, j]:g}; flows must be ≥ 0",
                       row=int(i) + 2, column=labels[j])
    for i in np.flatnonzero(~np.isfinite(out)):
        problems.error("non_numeric", f"total output of {labels[i]} is not a number", row=int(i) + 2,
                       column=str(out_col))
    problems.raise_if_errors()
    ignored = [c for c in cols[1 + len(labels) :] if c != out_col]
    return IOTable(labels, block, out, {"file": p.name, "output_column": out_col, "ignored_columns": ignored})
