"""Reading raw tables (CSV, Excel, Parquet) at the boundary, keeping every cell as written.

Tables are read as text so that validation can see what the user wrote (``—``, ``…``, ``1,234``)
and report it with its spreadsheet row.  Leading lines that start with ``#`` in CSV files are kept
as notes (provenance, e.g. a SYNTHETIC label) rather than parsed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem

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

    def row_of(self, position: int) -> int:
        return self.first_row + position


def read_table(path: str | Path, *, sheet: str | int | None = None, encoding: str | None = None) -> RawTable:
    """Read a CSV (UTF-8 with or without BOM, or the named ``encoding``, e.g. ``gbk``), Excel or Parquet file
    as text cells.  The encoding is never guessed: a file that is not UTF-8 is an ``encoding_error`` that
    says how to name its encoding."""
    path = Path(path)
    if not path.exists():
        raise HqdError([Problem("file_not_found", f"file not found: {path}", file=str(path))])
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return _read_excel(path, sheet)
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
            return RawTable(frame.astype(object).where(frame.notna(), None), str(path))
        return _read_csv(path, encoding)
    except HqdError:
        raise
    except UnicodeDecodeError as exc:
        raise HqdError([Problem("encoding_error", f"not {encoding or 'UTF-8'} text ({exc.reason} at byte "
                                f"{exc.start}): name the file's encoding with --encoding (e.g. gbk) or save it as "
                                "UTF-8; NBS portal exports are read by --format nbs", file=str(path))]) from None
    except (ValueError, OSError, KeyError, pd.errors.ParserError) as exc:
        raise HqdError([Problem("unreadable_file", f"cannot read the file: {exc}", file=str(path))]) from None


def _read_csv(path: Path, encoding: str | None = None) -> RawTable:
    try:
        text = path.read_bytes().decode(encoding or "utf-8-sig")
    except LookupError:
        raise HqdError([Problem("invalid_parameter", f"unknown encoding {encoding!r}", file=str(path))]) from None
    lines = text.splitlines(keepends=True)
    notes: list[str] = []
    skip = 0
    for line in lines:
        if line.lstrip().startswith("#"):
            notes.append(line.strip().lstrip("#").strip())
            skip += 1
        elif not line.strip() and skip == len(notes) and not notes:
            break
        else:
            break
    body = "".join(lines[skip:])
    if not body.strip():
        raise HqdError([Problem("empty_file", "the file has no table", file=str(path))])
    frame = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False, skipinitialspace=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    return RawTable(frame, str(path), notes=tuple(notes), first_row=skip + 2)


def _read_excel(path: Path, sheet: str | int | None) -> RawTable:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    names = workbook.sheetnames
    if sheet is None:
        chosen = names[0]
    elif isinstance(sheet, int):
        chosen = names[sheet]
    elif sheet in names:
        chosen = sheet
    else:
        raise HqdError([Problem("unknown_sheet", f"no sheet {sheet!r}; sheets: {', '.join(names)}",
                                file=str(path), sheet=str(sheet))])
    rows = list(workbook[chosen].iter_rows(values_only=True))
    workbook.close()
    notes: list[str] = []
    start = 0
    while start < len(rows) and rows[start] and isinstance(rows[start][0], str) \
            and rows[start][0].lstrip().startswith("#"):
        notes.append(str(rows[start][0]).strip().lstrip("#").strip())
        start += 1
    if start >= len(rows):
        raise HqdError([Problem("empty_file", "the sheet has no table", file=str(path), sheet=chosen)])
    header = [("" if h is None else str(h).strip()) for h in rows[start]]
    while header and header[-1] == "":
        header.pop()
    body = [list(r[: len(header)]) + [None] * (len(header) - len(r)) for r in rows[start + 1:]]
    body = [r for r in body if any(v is not None and str(v).strip() for v in r)]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    return RawTable(frame, str(path), sheet=chosen, notes=tuple(notes), first_row=start + 2)


def parse_numbers(column: pd.Series, *, placeholders_ok: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a text column to floats.

    Returns ``(values, bad, placeholder)``: NaN where missing; ``bad`` marks cells that are not
    numbers (nor placeholders); ``placeholder`` marks statistical placeholders (``—``, ``…``, ``/``,
    ``NA`` …), which become NaN when ``placeholders_ok`` and are otherwise reported too.
    Blank cells are missing.  ``1,234.5`` is read as a thousands-separated number.
    """
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        none = np.zeros(len(values), dtype=bool)
        return values, none, none
    text = column.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
    cleaned = text.where(~text.str.match(_THOUSANDS), text.str.replace(",", "", regex=False))
    values = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    blank = (text == "").to_numpy()
    placeholder = text.isin(PLACEHOLDERS).to_numpy()
    failed = np.isnan(values) & ~blank
    bad = failed & ~placeholder
    if not placeholders_ok:
        bad = bad | placeholder
    return values, bad, placeholder
