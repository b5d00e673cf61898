"""Statistical-yearbook tables (中国统计年鉴, 城市统计年鉴, provincial yearbooks) in Excel or CSV.

A yearbook sheet looks like::

    2-5  各地区地区生产总值              ← title row (table number stripped)
                               单位：亿元  ← unit row (anywhere in the row)
    地区  │ 2021 │ 2022 │ 2023            ← header; may span rows with merged cells
    北  京①│ …
    …
    注：①……                               ← footer (注 / 资料来源 / 数据来源 lines)

Two layouts, decided per sheet from the header:

- **one indicator per sheet**: the column labels are years; the indicator is the sheet's title (or
  its name);
- **one year per sheet**: the column labels are indicators (multi-row merged headers are joined with
  ``·``: ``地区生产总值·全市``); the year comes from the sheet name (``2012``/``2012年``), the title, or
  ``year=``.

Units: a unit in a column label (``人口(万人)``) wins over the sheet's unit row (``单位：万元``).
Region names lose layout spaces and footnote markers (``北  京①`` → 北京); values lose footnote
markers (``123.4*``), counted in the provenance.  Placeholders (—, …, /, blank, NA) are missing and
counted; anything else that is not a number is an error with its sheet, row and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem, Problems
from hqd.io.readers import nbs as _nbs
from hqd.io.readers._source import Sheet, Source, clean_name, open_source, parse_cells
from hqd.io.readers.panel import OfficialPanel, build
from hqd.io.readers.units import split_label, unit_line

NAME = "yearbook"
DESCRIPTION = "statistical-yearbook table (title, 单位 row, merged headers, footnotes), one indicator or one year per sheet"

_REGION_HEAD = re.compile(
    r"^(地\s*区|城\s*市|省\s*份|地区名称|城市名称|省\s*市|region|city|province)", re.IGNORECASE
)
_FOOTER = re.compile(r"^\s*(注\s*\d*\s*[:：]|注释|资料来源|数据来源|说明\s*[:：])")
_TABLE_NO = re.compile(r"^\s*(?:表\s*)?[0-9A-Za-z]+(?:[-—–][0-9A-Za-z]+)*\s+")
_YEAR_IN = re.compile(r"((?:19|20)\d{2})\s*年?")


def _header_row(sheet: Sheet, limit: int = 12) -> int | None:
    for i in range(min(limit, len(sheet.rows))):
        if not _REGION_HEAD.match(sheet.text(i, 0).replace(" ", "")):
            continue
        # labels in this row, or (a vertically merged header cell alone in its row) in the next
        if len(sheet.nonempty(i)) >= 2 or (i + 1 < len(sheet.rows) and sheet.nonempty(i + 1)):
            return i
    return None


def sniff(source: Source) -> bool:
    """True when a sheet has a region header (地区/城市/省份 …) near the top and no NBS header lines."""
    if _nbs.sniff(source):
        return False
    return any(_header_row(sh) is not None and not _is_panel_header(sh, _header_row(sh)) for sh in source.sheets)


#: Headers of a year column: a sheet whose header has one is a region × year panel (an HQD table), not a
#: yearbook table (whose year is in the sheet name or title, or whose columns are years).
YEAR_HEADERS = frozenset({"年份", "年度", "年", "year", "time", "统计年度", "时间"})


def _is_panel_header(sheet: Sheet, head: int | None) -> bool:
    if head is None:
        return False
    rows = range(head, min(head + 2, len(sheet.rows)))
    return any(t.replace(" ", "").lower() in YEAR_HEADERS for i in rows for t in sheet.nonempty(i))


def _fill_merged(sheet: Sheet, top: int, bottom: int) -> list[list[str]]:
    """Header rows top..bottom as text, with merged ranges spread over their cells."""
    width = max(len(sheet.rows[i]) for i in range(top, bottom + 1))
    grid = [[sheet.text(i, j) for j in range(width)] for i in range(top, bottom + 1)]
    for r0, c0, r1, c1 in sheet.merged:
        if r1 < top or r0 > bottom:
            continue
        value = sheet.text(r0, c0)
        for i in range(max(r0, top), min(r1, bottom) + 1):
            for j in range(c0, min(c1, width - 1) + 1):
                grid[i - top][j] = value
    return grid


def _header_block(sheet: Sheet, head: int) -> int:
    """The last row of the header: following rows with an empty first column and no numbers."""
    bottom = head
    merged_a = [m for m in sheet.merged if m[0] == head and m[1] == 0]
    if merged_a:
        bottom = max(bottom, merged_a[0][2])
    k = bottom + 1
    while k < len(sheet.rows):
        if sheet.text(k, 0) or not sheet.nonempty(k):
            break
        parsed = parse_cells(sheet.rows[k][1:])
        if (~np.isnan(parsed.values)).any():
            break
        bottom = k
        k += 1
    return bottom


def _title_and_unit(sheet: Sheet, head: int) -> tuple[str | None, str | None, list[str]]:
    title, unit, lines = None, None, []
    for i in range(head):
        for text in sheet.nonempty(i):
            lines.append(text)
            u = unit_line(text)
            if u:
                unit = u
            elif title is None:
                title = _TABLE_NO.sub("", text).strip()
    return title, unit, lines


def read(
    path: str | Path,
    *,
    encoding: str | None = None,
    sheets: Sequence[str | int] | None = None,
    year: int | None = None,
    level: str | Sequence[str] | None = None,
    indicator_codes: Mapping[str, str] | None = None,
    names_en: Mapping[str, str] | None = None,
    aliases: Mapping[str, str] | None = None,
    drop_rows: Sequence[str] = (),
    source: Source | None = None,
) -> OfficialPanel:
    """Read yearbook-style tables (every sheet, or ``sheets``) into one panel.

    Parameters
    ----------
    sheets : sheet names or 0-based indexes to read (default: every sheet with a region header)
    year : the year of a one-year-per-sheet table whose sheet name and title carry none
    level : region level for name resolution (default province and prefecture)
    indicator_codes : indicator label (without unit) or sheet title → code
    names_en : indicator code → English name
    aliases : region name → code
    drop_rows : row labels that are not regions and should be skipped (e.g. ``["东部地区"]``)
    """
    src = source or open_source(path, encoding=encoding)
    path = Path(path)
    problems = Problems(context={"file": path.name})
    chosen = _choose(src, sheets, path)
    frames: list[pd.DataFrame] = []
    units: dict[str, str] = {}
    unit_where: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}
    notes: list[str] = []
    headers: list[str] = []
    placeholders: dict[str, int] = {}
    footnoted = 0
    layouts: set[str] = set()
    drop = {clean_name(d).replace(" ", "") for d in drop_rows}
    for sh in chosen:
        sheet_name = sh.name if src.kind != "csv" else None
        where = {"sheet": sheet_name} if sheet_name else {}
        head = _header_row(sh)
        if head is None:
            problems.error(
                "yearbook_header_missing",
                "no header row starting with 地区/城市/省份 in the first rows",
                **where,
            )
            continue
        bottom = _header_block(sh, head)
        title, sheet_unit, lines = _title_and_unit(sh, head)
        headers += lines
        grid = _fill_merged(sh, head, bottom)
        width = len(grid[0])
        labels: list[str] = []
        for j in range(width):
            parts: list[str] = []
            part_unit: str | None = None
            for r in range(len(grid)):
                part, unit = split_label(clean_name(grid[r][j]))  # a unit may sit on any header row
                part_unit = unit or part_unit
                if part and part not in parts:
                    parts.append(part)
            labels.append("·".join(parts) + (f"({part_unit})" if part_unit else ""))
        cols = [j for j in range(1, width) if labels[j]]
        times = [_nbs.parse_time(labels[j].replace(" ", "")) for j in cols]
        by_year = bool(cols) and all(t is not None and t[1] is None for t in times)
        # data rows
        rows: list[int] = []
        for k in range(bottom + 1, len(sh.rows)):
            first = sh.text(k, 0)
            if _FOOTER.match(first):
                notes += [" ".join(sh.raw_texts(m)) for m in range(k, len(sh.rows)) if sh.raw_texts(m)]
                break
            if not sh.nonempty(k):
                continue
            if not first:
                problems.error(
                    "yearbook_row_label_missing",
                    "a data row without a region name in column A",
                    row=sh.row_numbers[k],
                    column="A",
                    **where,
                )
                continue
            if clean_name(first).replace(" ", "") in drop:
                continue
            rows.append(k)
        if by_year:
            layouts.add("one indicator per sheet (columns are years)")
            label = title or (sh.name or path.stem)
            name, t_unit = split_label(label)
            code = (indicator_codes or {}).get(name) or (indicator_codes or {}).get(label) or name
            col_ind = {j: (code, name, t_unit or sheet_unit or "") for j in cols}
            col_year = {j: t[0] for j, t in zip(cols, times, strict=True) if t is not None}
        else:
            layouts.add("one year per sheet (columns are indicators)")
            y = _sheet_year(sh, title, year)
            if y is None:
                problems.error(
                    "yearbook_year_missing",
                    "the columns are indicators but neither the sheet name nor the title gives a year; "
                    "pass year=...",
                    **where,
                )
                continue
            col_ind = {}
            for j in cols:
                name, c_unit = split_label(labels[j])
                code = (indicator_codes or {}).get(name) or (indicator_codes or {}).get(labels[j]) or name
                col_ind[j] = (code, name, c_unit or sheet_unit or "")
            col_year = dict.fromkeys(cols, y)
        for code, name, unit in col_ind.values():
            here = f"sheet {sh.name!r}" if sh.name else path.name
            if code in units and units[code] != unit:
                problems.error(
                    "unit_mismatch",
                    f"indicator {code!r} is in {units[code]!r} in {unit_where[code]} but in {unit!r} in {here}",
                    indicator=code,
                    **where,
                )
            units.setdefault(code, unit)
            unit_where.setdefault(code, here)
            names.setdefault(code, (name, (names_en or {}).get(code, "")))
        cells = [sh.rows[k][j] if j < len(sh.rows[k]) else None for k in rows for j in cols]
        parsed = parse_cells(cells)
        r_arr = np.repeat(np.asarray(rows, dtype=int), len(cols))
        c_arr = np.tile(np.asarray(cols, dtype=int), len(rows))
        for n in np.flatnonzero(parsed.bad):
            problems.error(
                "non_numeric",
                f"{cells[n]!r} is neither a number nor a placeholder",
                row=sh.row_numbers[r_arr[n]],
                column=labels[c_arr[n]],
                **where,
            )
        for key, v in parsed.placeholder_counts.items():
            placeholders[key] = placeholders.get(key, 0) + v
        footnoted += int(parsed.footnoted.sum())
        frames.append(
            pd.DataFrame(
                {
                    "region_name": [clean_name(sh.text(k, 0)) for k in r_arr],
                    "year": [col_year[j] for j in c_arr],
                    "indicator": [col_ind[j][0] for j in c_arr],
                    "value": parsed.values,
                    "file": path.name,
                    "sheet": sheet_name,
                    "row": [sh.row_numbers[k] for k in r_arr],
                    "column": [labels[j] for j in c_arr],
                }
            )
        )
    if not frames:
        problems.raise_if_errors()
    records = pd.concat(frames, ignore_index=True)  # region problems join the others in build()
    provenance: dict[str, Any] = {
        "label": "Yearbook table" + (f" ({', '.join(sorted(layouts))})" if layouts else ""),
        "format": NAME,
        "file": path.name,
        "kind": src.kind,
        "encoding": src.encoding,
        "header": headers,
        "sheets": [sh.name for sh in chosen],
        "notes": notes,
        "source_line": next((n for n in notes if re.match(r"^\s*(资料来源|数据来源)", n)), None),
        "placeholders": placeholders,
        "footnoted": footnoted,
        "region_column": "A",
    }
    provenance["notes"] = [n for n in notes if n != provenance["source_line"]]
    return build(
        records,
        units=units,
        names=names,
        provenance=provenance,
        problems=problems,
        level=level,
        aliases=aliases,
    )


def _sheet_year(sheet: Sheet, title: str | None, year: int | None) -> int | None:
    if year is not None:
        return year
    if sheet.name:
        t = _nbs.parse_time(sheet.name.strip())
        if t is not None and t[1] is None:
            return t[0]
    if title:
        m = _YEAR_IN.search(title)
        if m:
            return int(m.group(1))
    return None


def _choose(src: Source, sheets: Sequence[str | int] | None, path: Path) -> list[Sheet]:
    if sheets is None:
        found = [sh for sh in src.sheets if _header_row(sh) is not None]
        if not found:
            raise HqdError(
                [
                    Problem(
                        "yearbook_header_missing",
                        "no sheet has a header row starting with 地区/城市/省份",
                        file=path.name,
                    )
                ]
            )
        return found
    out = []
    for s in sheets:
        if isinstance(s, int) and 0 <= s < len(src.sheets):
            out.append(src.sheets[s])
            continue
        match = [sh for sh in src.sheets if sh.name == s]
        if not match:
            valid = ", ".join(repr(sh.name) for sh in src.sheets)
            raise HqdError([Problem("unknown_sheet", f"no sheet {s!r}; valid: {valid}", file=path.name)])
        out.append(match[0])
    return out
