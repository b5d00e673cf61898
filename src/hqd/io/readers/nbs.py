"""NBS data-portal exports (data.stats.gov.cn): 分省/分市/national, annual, quarterly or monthly.

The portal exports CSV (GBK in older exports, UTF-8 in newer ones) or Excel (``.xls``; some portals'
"xls" is an HTML table, handled too) with this shape::

    数据库：分省年度数据
    指标：地区生产总值(亿元)
    时间：最近20年
    地区,2024年,2023年,…
    北京市,49670.2,47353.7,…
    …
    注：按照我国国民经济核算数据修订制度……
    数据来源：国家统计局

The table's rows and columns are two of the three dimensions 地区 (region), 指标 (indicator) and 时间
(time); the third is fixed by a header line (``指标：…`` above, or ``地区：北京市``, or ``时间：2023年``).
The header cell of the first column names the row dimension; column labels that read as times
(``2024年``, ``2024年第一季度``, ``2024年12月``, ``2024年1-2月``) are the time dimension.
The indicator's name and unit come from its label (``地区生产总值(亿元)``); ``注`` lines are kept as
notes and the ``数据来源`` line as the source line, both in the provenance.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem, Problems
from hqd.io.readers._source import Sheet, Source, clean_name, open_source, parse_cells
from hqd.io.readers.panel import OfficialPanel, build
from hqd.io.readers.units import split_label

NAME = "nbs"
DESCRIPTION = "NBS data-portal export (数据库/指标/时间 header lines, 注/数据来源 footer), CSV or Excel"

_HEADER = re.compile(r"^\s*(数据库|指标|地区|时间|频度|城市)\s*[:：]\s*(.*?)\s*$")
_FOOTER = re.compile(r"^\s*(注\s*\d*\s*[:：]|注释\s*[:：]|数据来源\s*[:：]|资料来源\s*[:：]|来源\s*[:：])")
_SOURCE = re.compile(r"^\s*(数据来源|资料来源|来源)\s*[:：]")
_DIMS = {"地区": "region", "城市": "region", "指标": "indicator", "时间": "time"}
_CN_Q = {"一": 1, "二": 2, "三": 3, "四": 4}

_T_YEAR = re.compile(r"^(\d{4})\s*年?$")
_T_QUARTER = re.compile(r"^(\d{4})\s*年?\s*第?\s*([一二三四1-4])\s*季度$|^(\d{4})\s*[Qq]([1-4])$")
_T_QRANGE = re.compile(r"^(\d{4})\s*年\s*([1-4])\s*-\s*([1-4])\s*季度$")
_T_MONTH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月$|^(\d{4})-(\d{2})$")
_T_MRANGE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*-\s*(\d{1,2})\s*月$")


def parse_time(label: str) -> tuple[int, str | None, str] | None:
    """``2024年`` → ``(2024, None, 'annual')``; ``2024年第一季度`` → ``(2024, 'Q1', 'quarterly')``;
    ``2024年12月`` → ``(2024, 'M12', 'monthly')``; ``2024年1-2月`` → ``(2024, 'M01-02', 'monthly')``;
    anything else → None."""
    text = label.strip()
    if m := _T_YEAR.match(text):
        return int(m.group(1)), None, "annual"
    if m := _T_QUARTER.match(text):
        year = m.group(1) or m.group(3)
        q = m.group(2) or m.group(4)
        return int(year), f"Q{_CN_Q.get(q, q)}", "quarterly"
    if m := _T_QRANGE.match(text):
        return int(m.group(1)), f"Q{m.group(2)}-{m.group(3)}", "quarterly"
    if m := _T_MONTH.match(text):
        year = m.group(1) or m.group(3)
        month = m.group(2) or m.group(4)
        return int(year), f"M{int(month):02d}", "monthly"
    if m := _T_MRANGE.match(text):
        return int(m.group(1)), f"M{int(m.group(2)):02d}-{int(m.group(3)):02d}", "monthly"
    return None


def _first_text(sheet: Sheet, i: int) -> str:
    cells = sheet.nonempty(i)
    return cells[0] if cells else ""


def sniff(source: Source) -> bool:
    """True when the first sheet starts with NBS header lines (数据库：… or 指标：… with 时间：…)."""
    if not source.sheets:
        return False
    sheet = source.sheets[0]
    keys = set()
    for i in range(min(6, len(sheet.rows))):
        m = _HEADER.match(_first_text(sheet, i))
        if m:
            keys.add(m.group(1))
    return "数据库" in keys or ("时间" in keys and ("指标" in keys or "地区" in keys))


def _level_of(database: str | None) -> str | Sequence[str] | None:
    if not database:
        return None
    if "分省" in database:
        return "province"
    if "城市" in database or "分市" in database or "地级" in database:
        return "prefecture"
    return None


def read(
    path: str | Path,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    level: str | Sequence[str] | None = None,
    indicator: str | None = None,
    indicator_codes: Mapping[str, str] | None = None,
    names_en: Mapping[str, str] | None = None,
    aliases: Mapping[str, str] | None = None,
    source: Source | None = None,
) -> OfficialPanel:
    """Read an NBS data-portal export.

    Parameters
    ----------
    path : file (CSV in UTF-8 or GBK/GB18030, ``.xlsx``, binary ``.xls``, HTML saved as ``.xls``)
    encoding : force a text encoding (default: UTF-8, else GB18030)
    sheet : sheet name or 0-based index for Excel files (default: the first)
    level : region level to resolve names at; default from the database (分省 → province,
        城市/分市 → prefecture)
    indicator : the indicator code for a single-indicator export (default: its Chinese name)
    indicator_codes : indicator name → code for multi-indicator exports (default: the names)
    names_en : indicator code → English name
    aliases : region name → code, for names the crosswalk does not know

    Returns
    -------
    OfficialPanel
        Missing-value policy: placeholders (blank, —, …, /, NA) become NaN and are counted in the
        provenance; a cell that is neither a number nor a placeholder is an error
        ``non_numeric`` located by file, row and column.
    """
    src = source or open_source(path, encoding=encoding)
    path = Path(path)
    problems = Problems(context={"file": path.name})
    sh = _pick_sheet(src, sheet, path)
    if sh.name is not None and src.kind != "csv":
        problems.context["sheet"] = sh.name

    header: dict[str, str] = {}
    header_lines: list[str] = []
    i = 0
    while i < len(sh.rows):
        text = _first_text(sh, i)
        m = _HEADER.match(text)
        if m and len(sh.nonempty(i)) == 1:
            header[m.group(1)] = m.group(2)
            header_lines.append(text)
            i += 1
            continue
        if not text:
            i += 1
            continue
        break
    if i >= len(sh.rows):
        raise HqdError([Problem("nbs_table_missing", "no table after the header lines", file=path.name)])
    head_row = i
    row_label = clean_name(sh.text(head_row, 0))
    row_dim = _DIMS.get(row_label.replace(" ", ""))
    if row_dim is None:
        raise HqdError(
            [
                Problem(
                    "nbs_header_missing",
                    f"the table's first header cell is {row_label!r}; expected 地区, 指标 or 时间",
                    file=path.name,
                    row=sh.row_numbers[head_row],
                    column="A",
                )
            ]
        )
    width = len(sh.rows[head_row])
    col_labels = [clean_name(sh.text(head_row, j)) for j in range(1, width)]
    while col_labels and not col_labels[-1]:  # trailing empty columns (trailing commas)
        col_labels.pop()
    times = [parse_time(lbl) for lbl in col_labels]
    if all(t is not None for t in times) and col_labels:
        col_dim = "time"
    elif row_dim == "region" or (row_dim == "time" and "指标" not in header):
        col_dim = "indicator"
    else:
        col_dim = "region"
    if row_dim == col_dim:
        raise HqdError(
            [
                Problem(
                    "nbs_layout_unknown",
                    f"rows and columns are both {row_dim}",
                    file=path.name,
                    row=sh.row_numbers[head_row],
                )
            ]
        )
    fixed_dim = ({"region", "indicator", "time"} - {row_dim, col_dim}).pop()

    # data rows and footer
    notes: list[str] = []
    source_line: str | None = None
    data_rows: list[int] = []
    in_footer = False
    for k in range(head_row + 1, len(sh.rows)):
        cells = sh.nonempty(k)
        if not cells:
            continue
        first = sh.text(k, 0)
        if _FOOTER.match(first) or (in_footer and len(cells) == 1):
            in_footer = True
            text = " ".join(sh.raw_texts(k))
            if _SOURCE.match(first):
                source_line = text
            elif _FOOTER.match(first):
                notes.append(re.sub(r"^\s*注释?\s*\d*\s*[:：]\s*", "", text))
            elif notes:
                notes[-1] += text
            continue
        if in_footer:
            problems.error(
                "nbs_footer_unexpected",
                f"table row after the footer lines: {cells[:3]!r}",
                row=sh.row_numbers[k],
            )
            continue
        if not first:
            problems.error(
                "nbs_row_label_missing",
                "a data row without a label in its first column",
                row=sh.row_numbers[k],
                column="A",
            )
            continue
        data_rows.append(k)

    fixed_value = _fixed(fixed_dim, header, path, indicator)
    # cells
    ncol = len(col_labels)
    raw_cells: list[Any] = []
    row_idx: list[int] = []
    col_idx: list[int] = []
    for k in data_rows:
        row = sh.rows[k]
        for j in range(ncol):
            raw_cells.append(row[j + 1] if j + 1 < len(row) else None)
            row_idx.append(k)
            col_idx.append(j)
    parsed = parse_cells(raw_cells)
    row_arr = np.asarray(row_idx, dtype=int)
    col_arr = np.asarray(col_idx, dtype=int)
    row_labels = {k: clean_name(sh.text(k, 0)) for k in data_rows}
    for n in np.flatnonzero(parsed.bad):
        k, j = row_arr[n], col_arr[n]
        problems.error(
            "non_numeric",
            f"{raw_cells[n]!r} is neither a number nor a placeholder",
            row=sh.row_numbers[k],
            column=col_labels[j] or _col_letter(j + 1),
        )

    def dim_values(dim: str) -> dict[str, np.ndarray]:
        if dim == row_dim:
            labels = np.asarray([row_labels[k] for k in row_arr], dtype=object)
        elif dim == col_dim:
            labels = np.asarray(col_labels, dtype=object)[col_arr]
        else:
            labels = np.full(row_arr.shape, fixed_value, dtype=object)
        return {"label": labels}

    region_lbl = dim_values("region")["label"]
    time_lbl = dim_values("time")["label"]
    ind_lbl = dim_values("indicator")["label"]
    tmap = {lbl: parse_time(lbl) for lbl in pd.unique(time_lbl)}
    for lbl, t in tmap.items():
        if t is None:
            problems.error("nbs_time_unparseable", f"time label {lbl!r} is not a year, quarter or month")
    if any(t is None for t in tmap.values()):
        problems.raise_if_errors()
    tparsed = {k: v for k, v in tmap.items() if v is not None}
    years = np.asarray([tparsed[t][0] for t in time_lbl], dtype=np.int64)
    periods = np.asarray([tparsed[t][1] for t in time_lbl], dtype=np.object_)
    freqs = {v[2] for v in tparsed.values()}

    units: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}
    codes_for: dict[str, str] = {}
    for lbl in pd.unique(ind_lbl):
        name, unit = split_label(str(lbl))
        code = (
            (indicator if (fixed_dim == "indicator" and indicator) else None)
            or (indicator_codes or {}).get(name)
            or (indicator_codes or {}).get(str(lbl))
            or name
        )
        codes_for[str(lbl)] = code
        units[code] = unit or ""
        names[code] = (name, (names_en or {}).get(code, ""))
    ind_codes = np.asarray([codes_for[str(x)] for x in ind_lbl], dtype=object)

    region_col = "A" if row_dim == "region" else None
    records = pd.DataFrame(
        {
            "region_name": region_lbl,
            "year": years,
            "indicator": ind_codes,
            "value": parsed.values,
            "file": path.name,
            "sheet": sh.name if src.kind != "csv" else None,
            "row": [sh.row_numbers[k] for k in row_arr],
            "column": np.asarray(col_labels, dtype=object)[col_arr] if ncol else [],
        }
    )
    if freqs != {"annual"}:
        records["period"] = periods
    database = header.get("数据库")
    provenance: dict[str, Any] = {
        "label": f"NBS {database} export" if database else "NBS export",
        "format": NAME,
        "file": path.name,
        "kind": src.kind,
        "encoding": src.encoding,
        "header": header_lines,
        "database": database,
        "time": header.get("时间"),
        "layout": f"rows {row_dim} × columns {col_dim}; fixed {fixed_dim}",
        "frequency": "/".join(sorted(freqs)),
        "notes": notes,
        "source_line": source_line,
        "placeholders": parsed.placeholder_counts,
        "footnoted": int(parsed.footnoted.sum()),
        "region_column": region_col,
    }
    return build(
        records,
        units=units,
        names=names,
        provenance=provenance,
        problems=problems,
        level=level if level is not None else _level_of(database),
        aliases=aliases,
    )


def _fixed(dim: str, header: Mapping[str, str], path: Path, indicator: str | None) -> str:
    if dim == "indicator":
        if header.get("指标"):
            return header["指标"]
        if indicator:
            return indicator
        raise HqdError(
            [
                Problem(
                    "nbs_indicator_missing",
                    "neither the rows nor the columns are indicators and there is no 指标： line; "
                    "pass indicator=...",
                    file=path.name,
                )
            ]
        )
    if dim == "region":
        for key in ("地区", "城市"):
            if header.get(key):
                return header[key]
        database = header.get("数据库") or ""
        if database and _level_of(database) is None:
            return "全国"
        raise HqdError(
            [
                Problem(
                    "nbs_region_missing",
                    f"no 地区： line, and database {database!r} is not national",
                    file=path.name,
                )
            ]
        )
    text = header.get("时间", "")
    if parse_time(text) is None:
        raise HqdError(
            [
                Problem(
                    "nbs_time_missing",
                    f"the time is not in the table and the 时间 line {text!r} is not one period",
                    file=path.name,
                )
            ]
        )
    return text


def _pick_sheet(src: Source, sheet: str | int | None, path: Path) -> Sheet:
    if sheet is None:
        return src.sheets[0]
    if isinstance(sheet, int):
        if 0 <= sheet < len(src.sheets):
            return src.sheets[sheet]
    else:
        for sh in src.sheets:
            if sh.name == sheet:
                return sh
    valid = ", ".join(repr(s.name) for s in src.sheets)
    raise HqdError([Problem("unknown_sheet", f"no sheet {sheet!r}; valid: {valid}", file=path.name)])


def _col_letter(j: int) -> str:
    """0-based column index → spreadsheet letters (0 → A)."""
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out
