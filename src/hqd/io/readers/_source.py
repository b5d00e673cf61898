"""Reading a file as it is: encoding, CSV/Excel/XLS/HTML-as-XLS into grids of cells, and cell parsing.

Every reader works on :class:`Sheet` grids (rows of raw cell values, each row with the 1-based row
number a spreadsheet or text editor shows), so the same layout logic serves CSV, ``.xlsx``, binary
``.xls`` and the HTML tables some portals save with an ``.xls`` name.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem
from hqd.io.guard import check_excel, count_cells, reading

#: Cell texts that mean "no value" in official tables: blank, dashes, ellipses, slash, NA, "..".
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "",
        "—",
        "——",
        "–",
        "-",
        "--",
        "…",
        "……",
        "...",
        "..",
        "/",
        "NA",
        "N/A",
        "na",
        "n/a",
        "nan",
        "NaN",
        "×",
        "x",
        "X",
        "null",
        "NULL",
        "#N/A",
    }
)
#: Footnote markers stripped from the end of cells and names: circled numbers, *, †, ‡, #, §.
FOOTNOTE = re.compile(r"(?:[\u2460-\u2473\u2776-\u277f\u24b6-\u24e9*†‡#§]|\(\d\)|\[\d+\])+$")

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


@dataclass
class Sheet:
    """One table of raw cells.

    ``rows[i]`` is a list of cell values (str, float, int, datetime or None) and ``row_numbers[i]`` its
    1-based row (spreadsheet) or line (text) number.  ``merged`` lists merged ranges as
    ``(first_row, first_col, last_row, last_col)`` indices into ``rows`` (0-based, inclusive).
    """

    name: str | None
    rows: list[list[Any]]
    row_numbers: list[int]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def text(self, i: int, j: int) -> str:
        """Cell (i, j) as stripped, NFKC-normalised text ('' when absent)."""
        row = self.rows[i]
        if j >= len(row) or row[j] is None:
            return ""
        value = row[j]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = FOOTNOTE.sub("", str(value).strip())  # before NFKC, which turns ① into 1
        return unicodedata.normalize("NFKC", text).strip()

    def raw_texts(self, i: int) -> list[str]:
        """The non-empty cells of row i as written (no normalisation): for notes kept verbatim."""
        return [str(v).strip() for v in self.rows[i] if v is not None and str(v).strip()]

    def nonempty(self, i: int) -> list[str]:
        """The non-empty texts of row i."""
        return [t for t in (self.text(i, j) for j in range(len(self.rows[i]))) if t]


@dataclass
class Source:
    """A file opened: its kind (csv / xlsx / xls / html), encoding (text kinds) and sheets."""

    path: Path
    kind: str
    encoding: str | None
    sheets: list[Sheet]


def decode(raw: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode text bytes: the given encoding, else UTF-8 (BOM allowed), else GB18030 (⊃ GBK, GB2312).

    Returns ``(text, encoding_name)``; raises ``HqdError`` ``encoding_error`` when neither decodes.
    """
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise HqdError(
                [Problem("encoding_error", f"cannot decode as {encoding}: {exc}", file=path.name)]
            ) from exc
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise HqdError(
            [
                Problem(
                    "encoding_error",
                    "the file is neither UTF-8 nor GBK/GB18030; pass encoding=...",
                    file=path.name,
                    row=raw[: exc.start].count(b"\n") + 1,
                )
            ]
        ) from exc


def _csv_sheet(text: str, delimiter: str | None = None) -> Sheet:
    if delimiter is None:
        sample = "\n".join(text.splitlines()[:30])
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Any]] = []
    numbers: list[int] = []
    start = 1
    for row in reader:
        rows.append([c for c in row])
        numbers.append(start)
        start = reader.line_num + 1
    return Sheet(None, rows, numbers)


def _xlsx_sheets(path: Path) -> list[Sheet]:
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in book.worksheets:
        rows = [list(r) for r in count_cells(ws.iter_rows(values_only=True), path, ws.title)]
        merged = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges
        ]
        sheets.append(Sheet(ws.title, rows, list(range(1, len(rows) + 1)), merged))
    return sheets


def _xls_sheets(path: Path) -> list[Sheet]:
    try:
        import xlrd
    except ImportError as exc:  # pragma: no cover - xlrd is a dependency
        raise HqdError(
            [Problem("xls_reader_missing", "reading .xls needs the xlrd package", file=path.name)]
        ) from exc
    book = xlrd.open_workbook(str(path), formatting_info=True)
    sheets = []
    for sh in book.sheets():
        count_cells(iter([(None,) * sh.ncols] * sh.nrows) if sh.nrows * sh.ncols > 0 else iter([]), path, sh.name)
        rows = [
            [
                sh.cell_value(i, j) if sh.cell_type(i, j) != xlrd.XL_CELL_EMPTY else None
                for j in range(sh.ncols)
            ]
            for i in range(sh.nrows)
        ]
        merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sh.merged_cells]
        sheets.append(Sheet(sh.name, rows, list(range(1, sh.nrows + 1)), merged))
    return sheets


class _TableParser(HTMLParser):
    """Tables of an HTML page as grids, with colspan/rowspan spread as merged ranges."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[list[Any]], list[tuple[int, int, int, int]]]] = []
        self._rows: list[list[Any]] | None = None
        self._merged: list[tuple[int, int, int, int]] = []
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._pending: dict[tuple[int, int], str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._rows, self._merged, self._pending = [], [], {}
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []
            self._span = (int(a.get("rowspan") or 1), int(a.get("colspan") or 1))
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._rows is not None:
            row = self._rows[-1]
            i = len(self._rows) - 1
            while (i, len(row)) in self._pending:
                row.append(None)
            j = len(row)
            text = "".join(self._cell).strip()
            rs, cs = self._span
            row.append(text)
            row.extend([None] * (cs - 1))
            for di in range(1, rs):
                for dj in range(cs):
                    self._pending[(i + di, j + dj)] = text
            if rs > 1 or cs > 1:
                self._merged.append((i, j, i + rs - 1, j + cs - 1))
            self._cell = None
        elif tag == "tr" and self._rows:
            i = len(self._rows) - 1
            row = self._rows[-1]
            while (i, len(row)) in self._pending:
                row.append(None)
        elif tag == "table" and self._rows is not None:
            self.tables.append((self._rows, self._merged))
            self._rows = None


def _html_sheets(text: str) -> list[Sheet]:
    parser = _TableParser()
    parser.feed(text)
    sheets = []
    for k, (rows, merged) in enumerate(parser.tables):
        sheets.append(Sheet(f"table{k + 1}", rows, list(range(1, len(rows) + 1)), merged))
    return sheets


def open_source(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None) -> Source:
    """Open a file by its content, not its name: ZIP → xlsx, OLE2 → binary xls, '<' → HTML table
    (what some portals save as .xls), else delimited text (CSV/TSV) in UTF-8 or GBK/GB18030."""
    path = Path(path)
    if not path.exists():
        raise HqdError([Problem("file_not_found", f"no such file: {path}", file=str(path))])
    if path.is_dir():
        raise HqdError([Problem("unreadable_file", "a folder, not a file", file=str(path))])
    raw = path.read_bytes()
    if raw.startswith(_ZIP):
        check_excel(path)  # a workbook, within the declared-size limit, before it is inflated
        with reading(path, "excel"):
            return Source(path, "xlsx", None, _xlsx_sheets(path))
    if raw.startswith(_OLE2):
        with reading(path, "excel"):
            return Source(path, "xls", None, _xls_sheets(path))
    text, enc = decode(raw, path, encoding)
    head = text.lstrip()[:2000].lower()
    if head.startswith("<") and "<table" in text.lower():
        with reading(path, "html"):
            return Source(path, "html", enc, _html_sheets(text))
    with reading(path, "csv"):
        return Source(path, "csv", enc, [_csv_sheet(text, delimiter)])


def clean_name(value: Any) -> str:
    """A region or indicator label without layout spaces and trailing footnote markers."""
    text = FOOTNOTE.sub("", "" if value is None else str(value).strip()).strip()  # before NFKC: ① → 1
    text = unicodedata.normalize("NFKC", text).strip()
    text = FOOTNOTE.sub("", text).strip()
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class ParsedCells:
    """Numbers parsed from cells, with what each cell was: number, placeholder, footnoted, bad."""

    values: np.ndarray  # float, NaN where not a number
    placeholder: np.ndarray  # bool
    footnoted: np.ndarray  # bool: a number with a footnote marker stripped
    bad: np.ndarray  # bool: neither a number nor a placeholder
    placeholder_counts: dict[str, int]


def parse_cells(cells: list[Any]) -> ParsedCells:
    """Parse cells to floats, vectorised.

    Accepted: numbers; numeric text with thousands separators (``12,345.6``), full-width digits,
    surrounding spaces, a trailing footnote marker (``123.4①``, ``56*``) or percent sign.
    Placeholders (:data:`PLACEHOLDERS`) become NaN and are counted; anything else is ``bad``.
    """
    series = pd.Series(cells, dtype=object)
    is_num = series.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool)).to_numpy(dtype=bool)
    original = series.map(lambda v: "" if v is None else str(v).strip()).astype(str)
    text = original.map(lambda t: unicodedata.normalize("NFKC", t))
    stripped = original.str.replace(FOOTNOTE, "", regex=True).str.strip()
    stripped = (
        stripped.map(lambda t: unicodedata.normalize("NFKC", t))
        .str.replace(FOOTNOTE, "", regex=True)
        .str.strip()
    )
    footnoted = (stripped != text).to_numpy() & ~is_num
    numeric_text = (
        stripped.str.replace(r"(?<=\d),(?=\d{3}(?:\D|$))", "", regex=True).str.rstrip("%").str.strip()
    )
    numbers = pd.to_numeric(numeric_text.where(numeric_text != "", None), errors="coerce").to_numpy(
        dtype=float
    )
    raw_num = np.array([float(v) if n else np.nan for v, n in zip(series, is_num, strict=True)], dtype=float)
    values = np.where(is_num, raw_num, numbers)
    placeholder = ~is_num & stripped.isin(PLACEHOLDERS).to_numpy()
    placeholder |= is_num & np.isnan(values)
    bad = np.isnan(values) & ~placeholder
    as_written = original.str.replace(FOOTNOTE, "", regex=True).str.strip()
    counts = as_written[placeholder].map(lambda t: t if t else "blank").value_counts().to_dict()
    return ParsedCells(
        values, placeholder, footnoted & ~np.isnan(values), bad, {str(k): int(v) for k, v in counts.items()}
    )
