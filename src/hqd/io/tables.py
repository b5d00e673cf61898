"""Reading raw tables (CSV, Excel, Parquet) at the boundary, keeping every cell as written.

Text cells are kept as written so that validation can see what the user wrote (``—``, ``…``, ``1,234``)
and report it with its spreadsheet row; columns known to be numeric are parsed by the reader's own typed
path (pandas' C parser, Parquet's types) and :func:`parse_numbers` only looks again at the cells that fail.
Lines above the header — ``#`` notes and title rows — are kept as notes (provenance, e.g. a SYNTHETIC label)
rather than parsed.  Every reader runs inside :func:`hqd.io.guard.reading`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem
from hqd.io.guard import EXCEL_SUFFIXES, check_excel, count_cells, limit, reading

#: Statistical placeholders for a missing value (treated as missing only where the recipe allows it).
PLACEHOLDERS = frozenset({"—", "——", "–", "-", "--", "－", "…", "……", "...", "..", "/", "NA", "N/A", "n/a",
                          "na", "NaN", "nan", "null", "NULL", "None", "x", "X", "*"})
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class RawTable:
    """A table read as text, with where it came from."""

    frame: pd.DataFrame
    source: str | None
    sheet: str | None = None
    notes: tuple[str, ...] = ()
    first_row: int = 2  # spreadsheet row of the first data row
    rows: tuple[int, ...] | None = None  # each data row's spreadsheet row, where blank rows were skipped

    def row_of(self, position: int) -> int:
        return self.rows[position] if self.rows is not None else self.first_row + position

    def row_numbers(self) -> np.ndarray:
        """The spreadsheet row of every data row."""
        if self.rows is not None and len(self.rows) == len(self.frame):
            return np.asarray(self.rows, dtype=int)
        return np.arange(len(self.frame)) + self.first_row


def read_table(path: str | Path, *, sheet: str | int | None = None, encoding: str | None = None,
               numeric: Callable[[str], bool] | None = None) -> RawTable:
    """Read a CSV (UTF-8 with or without BOM, or the named ``encoding``, e.g. ``gbk``), Excel (``.xlsx`` or
    legacy ``.xls``) or Parquet file.

    The encoding is never guessed: a file that is not UTF-8 is an ``encoding_error`` that says how to name
    its encoding.  Workbooks are recognised by their bytes (a CSV saved as ``.xlsx`` is
    ``not_an_excel_file``).  Above the header, ``#`` lines and title rows (one filled cell, as analysts and
    HQD's own templates put them) are kept as notes; a merged two-row header is flattened
    (:func:`find_header`).  Duplicated column names are a ``duplicate_column`` error.

    ``numeric(name)`` says which CSV columns are numbers: those are parsed by pandas' C parser (cells that
    are not numbers stay text, for :func:`parse_numbers` to report); every other column is read as text.
    Parquet columns keep their types.  Any library error is a located :class:`HqdError` (:mod:`hqd.io.guard`).
    """
    path = Path(path)
    if not path.exists():
        raise HqdError([Problem("file_not_found", f"file not found: {path}", file=str(path))])
    if path.is_dir():
        raise HqdError([Problem("unreadable_file", "a folder, not a file", file=str(path))])
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        kind = check_excel(path)
        with reading(path, "excel", sheet=None if sheet is None else str(sheet)):
            return _read_excel(path, sheet, kind)
    if suffix == ".parquet":
        with reading(path, "parquet"):
            raw = RawTable(_typed_columns(pd.read_parquet(path)), str(path))
        _check_duplicates(list(raw.frame.columns), raw)
        return raw
    with reading(path, "csv"):
        return _read_csv(path, encoding, numeric)


def _typed_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Numeric and string columns kept as they are (the fast path of :func:`parse_numbers`); the others
    (bools, dates, categories) as objects with None for missing, as the text readers give them."""
    out = frame.reset_index(drop=True)
    out.columns = [str(c).strip() for c in out.columns]
    for position, column in enumerate(list(out.columns)):
        series = out.iloc[:, position]
        dtype = series.dtype
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        if not numeric and not pd.api.types.is_string_dtype(dtype):
            out[column] = series.astype(object).where(series.notna(), None)
    return out


def _read_csv(path: Path, encoding: str | None = None, numeric: Callable[[str], bool] | None = None) -> RawTable:
    name = encoding or "utf-8-sig"
    try:
        "".encode(name)
    except LookupError:
        raise HqdError([Problem("invalid_parameter", f"unknown encoding {encoding!r}", file=str(path))]) from None
    raw = path.read_bytes()
    if name.replace("-", "").replace("_", "").lower() in ("utf8sig", "utf8"):
        # pandas decodes plain UTF-8 in C but "utf-8-sig" in Python (3× slower): drop the BOM here instead
        raw, name = (raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw), "utf-8"
    # The header is found in the first lines (cut at a line end so no character is split); the parser decodes
    # the rest, and an encoding error there still becomes an ``encoding_error`` through the guard.
    first = raw[:200_000]
    cut = first.rfind(b"\n") if len(raw) > len(first) else len(first)
    text = first[: cut if cut > 0 else len(first)].decode(name)
    lines = text.splitlines()[:HEADER_SCAN]
    head = [next(csv.reader([line]), []) if line.strip() else [] for line in lines]
    if not any(head):
        raise HqdError([Problem("empty_file", "the file has no table", file=str(path))])
    cells = [[c if c.strip() else None for c in row] for row in head]
    start, depth, notes = find_header(cells)
    columns = _flatten_header(cells[start:start + depth])
    skip = start + depth
    raw_table = RawTable(pd.DataFrame(), str(path), notes=tuple(notes), first_row=skip + 1)
    _check_duplicates(columns, raw_table)
    if not any(columns):
        raise HqdError([Problem("empty_file", "the file has no table", file=str(path))])
    columns = [c or f"Unnamed: {j}" for j, c in enumerate(columns)]
    as_number = numeric or (lambda _name: False)
    numbers = [c for c in columns if as_number(c)]
    frame = pd.read_csv(io.BytesIO(raw), encoding=name, skiprows=skip, header=None, names=columns,
                        dtype={c: str for c in columns if c not in numbers}, keep_default_na=False,
                        na_values={c: [""] for c in numbers}, skipinitialspace=True, index_col=False)
    return RawTable(frame, str(path), notes=tuple(notes), first_row=skip + 1)


def _read_excel(path: Path, sheet: str | int | None, kind: str) -> RawTable:
    rows, chosen = _excel_rows(path, sheet, kind)
    if not rows:
        raise HqdError([Problem("empty_file", "the sheet has no table", file=str(path), sheet=chosen)])
    start, depth, notes = find_header([list(r[:500]) for r in rows[:HEADER_SCAN]])
    columns = _flatten_header([list(r) for r in rows[start:start + depth]])
    while columns and columns[-1] == "":
        columns.pop()
    if not columns:
        raise HqdError([Problem("empty_file", "the sheet has no table", file=str(path), sheet=chosen)])
    skip = start + depth
    raw = RawTable(pd.DataFrame(), str(path), sheet=chosen, notes=tuple(notes), first_row=skip + 1)
    _check_duplicates(columns, raw)
    columns = [c or f"Unnamed: {j}" for j, c in enumerate(columns)]
    width = len(columns)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[skip:]]
    keep = [any(v is not None and str(v).strip() for v in r) for r in body]
    # Blank rows are dropped; the rows after them keep their spreadsheet numbers.
    numbers = [skip + 1 + i for i, k in enumerate(keep) if k]
    frame = pd.DataFrame([r for r, k in zip(body, keep, strict=True) if k], columns=columns, dtype=object)
    first = numbers[0] if numbers else skip + 1
    contiguous = not numbers or numbers[-1] - numbers[0] == len(numbers) - 1
    return RawTable(frame, str(path), sheet=chosen, notes=tuple(notes), first_row=first,
                    rows=None if contiguous else tuple(numbers))


def sheet_names(path: str | Path) -> list[str]:
    """The sheets of a workbook (``.xlsx`` or ``.xls``), in order."""
    path = Path(path)
    kind = check_excel(path)
    with reading(path, "excel"):
        if kind == "xls":
            import xlrd

            return [str(n) for n in xlrd.open_workbook(str(path), on_demand=True).sheet_names()]
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            return list(workbook.sheetnames)
        finally:
            workbook.close()


def _choose_sheet(path: Path, names: list[str], sheet: str | int | None) -> str:
    if not names:
        raise HqdError([Problem("empty_file", "the workbook has no sheet", file=str(path))])
    if sheet is None:
        return names[0]
    if isinstance(sheet, int):  # a Python index, from 0
        if -len(names) <= sheet < len(names):
            return names[sheet]
    elif sheet in names:
        return sheet
    elif sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):  # typed by a user: counted from 1
        return names[int(sheet) - 1]
    raise HqdError([Problem("unknown_sheet", f"no sheet {sheet!r}; sheets: {', '.join(names)} (or a number "
                            f"from 1 to {len(names)})", file=str(path), sheet=str(sheet))])


def _excel_rows(path: Path, sheet: str | int | None, kind: str) -> tuple[list[tuple[Any, ...]], str]:
    if kind == "xls":
        import xlrd

        book = xlrd.open_workbook(str(path), on_demand=True)
        chosen = _choose_sheet(path, [str(n) for n in book.sheet_names()], sheet)
        ws = book.sheet_by_name(chosen)
        if ws.nrows * ws.ncols > limit("max_workbook_cells"):
            count_cells(iter([(None,) * ws.ncols] * ws.nrows), path, chosen)
        empty = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
        rows = [tuple(None if ws.cell_type(i, j) in empty else _xls_value(ws.cell_value(i, j), ws.cell_type(i, j),
                                                                         book.datemode)
                      for j in range(ws.ncols)) for i in range(ws.nrows)]
        return rows, chosen
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        chosen = _choose_sheet(path, list(workbook.sheetnames), sheet)
        rows = count_cells(workbook[chosen].iter_rows(values_only=True), path, chosen)
    finally:
        workbook.close()
    return rows, chosen


def _xls_value(value: Any, cell_type: int, datemode: int) -> Any:
    import xlrd

    if cell_type == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    if cell_type == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if cell_type == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return value
    return value


# --------------------------------------------------------------------------- header detection
#: Rows looked at, from the top of a sheet, to find the header.
HEADER_SCAN = 12


def _filled(row: list[Any]) -> list[int]:
    return [j for j, v in enumerate(row) if v is not None and str(v).strip() != ""]


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    try:
        float(str(value).replace(",", ""))
        return True
    except ValueError:
        return False


def find_header(rows: list[list[Any]]) -> tuple[int, int, list[str]]:
    """Where the header is in the first rows of a sheet: ``(first header row, 1 or 2 header rows, notes)``.

    Rows above the header are notes: ``#`` lines and title rows — a row with one filled cell above a wider
    table (as analysts write a title, and as HQD's templates put their SYNTHETIC label).  The header is the
    first other row.  It is two rows deep (a merged two-row header, 分组 over 指标) when it has gaps inside
    its span — the cells a horizontal merge leaves empty — and the row below fills every gap with text and
    holds no number.
    """
    notes: list[str] = []
    start = 0
    width = max((len(_filled(r)) for r in rows), default=0)
    while start < len(rows) - 1:
        filled = _filled(rows[start])
        first = str(rows[start][filled[0]]).strip() if filled else ""
        if first.startswith("#"):
            notes.append(first.lstrip("#").strip())
        elif len(filled) == 1 and width > 1:
            notes.append(first)
        elif filled:
            break
        start += 1
    header = rows[start] if rows else []
    filled = _filled(header)
    inside = set(filled)
    gaps = [j for j in range(filled[0], filled[-1] + 1) if j not in inside] if filled else []
    if gaps and start + 1 < len(rows):
        below = rows[start + 1]
        below_filled = set(_filled(below))
        if all(j in below_filled for j in gaps) and not any(_is_number(below[j]) for j in below_filled):
            return start, 2, notes
    return start, 1, notes


def _flatten_header(rows: list[list[Any]]) -> list[str]:
    """Column names from one or two header rows.  With two, the upper row's merged labels are carried right
    over the columns they span; a column is named by its lower label (the indicator), or by the upper one
    where the lower is empty (a key merged down over both rows, 城市 or 年份)."""
    text = [["" if v is None else " ".join(str(v).split()) for v in row] for row in rows]
    if len(text) == 1:
        return [_integral(v) for v in text[0]]
    upper, lower = text
    width = max(len(upper), len(lower))
    upper += [""] * (width - len(upper))
    lower += [""] * (width - len(lower))
    carried: list[str] = []
    for j, label in enumerate(upper):
        carried.append(label or (carried[j - 1] if j and lower[j] else ""))
    return [_integral(lower[j] or carried[j]) for j in range(width)]


def _integral(label: str) -> str:
    """A header cell as text: ``2020.0`` (a year typed as a number) → ``2020``."""
    return label[:-2] if label.endswith(".0") and label[:-2].isdigit() else label


def _check_duplicates(columns: list[str], raw: RawTable) -> None:
    """Two columns of the same name: which one holds the data is not knowable, so neither is used."""
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for position, name in enumerate(columns):
        if name == "":
            continue
        if name in seen:
            problems.append(Problem("duplicate_column", f"column {name!r} appears twice (columns {seen[name] + 1} "
                                    f"and {position + 1}); keep one, or rename the other", file=raw.source,
                                    sheet=raw.sheet, row=raw.first_row - 1, column=name))
        else:
            seen[name] = position
    if problems:
        raise HqdError(problems)


def parse_numbers(column: pd.Series, *, placeholders_ok: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column to floats, vectorised.

    Returns ``(values, bad, placeholder)``: NaN where missing; ``bad`` marks cells that are not finite
    numbers (nor placeholders); ``placeholder`` marks statistical placeholders (``—``, ``…``, ``/``,
    ``NA`` …), which become NaN when ``placeholders_ok`` and are otherwise reported too.
    Blank cells are missing.  ``1,234.5`` is read as a thousands-separated number.  ``inf`` (or a number
    too large for a float, ``1e400``) is ``bad``: no method is defined on it.

    Already-numeric columns (Parquet, DataFrames) pass through; text columns go through
    :func:`pandas.to_numeric` once, and only the cells that fail it (blanks, placeholders, thousands
    separators, text) are looked at again — column-wise, on that subset.
    """
    n = len(column)
    none = np.zeros(n, dtype=bool)
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return np.full(n, np.nan), column.notna().to_numpy(), none
    if pd.api.types.is_numeric_dtype(dtype):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(values)
        if bad.any():
            values = np.where(bad, np.nan, values)
        return values, bad, none
    if not pd.api.types.is_string_dtype(dtype):  # object or str; else datetimes, categories …  # datetimes, categories …
        column = column.astype(object)
    kind = pd.api.types.infer_dtype(column, skipna=True)
    values = np.array(pd.to_numeric(column, errors="coerce"), dtype=float)
    bad = np.zeros(n, dtype=bool)
    placeholder = np.zeros(n, dtype=bool)
    if kind not in ("string", "floating", "integer", "mixed-integer-float", "empty", "decimal"):
        # bools (True would read as 1) and dates are not numbers
        odd = column.map(lambda v: isinstance(v, bool | np.bool_) or not isinstance(v, str | int | float |
                                                                              np.number | None)).to_numpy(dtype=bool)
        odd = odd & column.notna().to_numpy()
        values[odd] = np.nan
        bad |= odd
    failed = np.flatnonzero(~np.isfinite(values) & ~bad)
    if len(failed):
        cells = column.iloc[failed]
        present = cells.notna().to_numpy()
        text = cells.astype(object).where(cells.notna(), "").astype(str).str.strip()
        thousands = text.str.match(_THOUSANDS).to_numpy()
        again = pd.to_numeric(text.where(~thousands, text.str.replace(",", "", regex=False)),
                              errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        again = np.where(thousands | ~np.isnan(again), again, np.nan)  # "nan" text is a placeholder below
        values[failed] = np.where(np.isfinite(again), again, np.nan)
        blank = ~present | (text == "").to_numpy()
        marker = text.isin(PLACEHOLDERS).to_numpy() & ~blank
        placeholder[failed] = marker
        bad[failed] = ~np.isfinite(again) & ~blank & ~marker
    if not placeholders_ok:
        bad = bad | placeholder
    return values, bad, placeholder
