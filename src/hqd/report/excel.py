"""The Excel edition of the report: every table of the report on its own sheet, Chinese and English headers.

The first sheet (``report``) holds the cover: title, subtitle, generation line, the SYNTHETIC label
when the data are synthetic, what the report leaves out and why, and the list of sheets.  Every
other sheet is one table of :class:`~hqd.report.document.Report` (the same tables the HTML shows,
plus the full ``scores`` table): the SYNTHETIC label (synthetic data) in row 1, the table's title,
then a two-row header (中文 / English) and the data.  Text cells are always written as text, never as
formulas: a value starting with ``=``, ``+``, ``-`` or ``@`` gets Excel's quote prefix (the
formula-injection rule of :mod:`hqd.io.excel`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.io.excel import safe_text
from hqd.report.document import Report, TableBlock, build_document

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


class _SheetWriter:
    def __init__(self, workbook: Any) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self.workbook = workbook
        self.cell_type = WriteOnlyCell
        self.bold = Font(bold=True)
        self.red = Font(bold=True, color="C00000")
        self.title_font = Font(bold=True, size=12)

    def cell(self, sheet: Any, value: Any, font: Any = None) -> Any:
        value = _value(value)
        cell = self.cell_type(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
            if value.startswith(_DANGEROUS) and safe_text(value) != value:
                cell.quotePrefix = True
        if font is not None:
            cell.font = font
        return cell

    def table(self, name: str, block: TableBlock, label: str | None) -> None:
        sheet = self.workbook.create_sheet(title=_sheet_name(name))
        columns = [str(c) for c in block.frame.columns]
        headers = [block.labels_both(c) for c in columns]
        widths = [max(8, min(40, len(en) + 2)) for _, en in headers]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[_letter(index)].width = width
        header_row = 3 if label else 2
        sheet.freeze_panes = f"A{header_row + 2}"
        if label:
            sheet.append([self.cell(sheet, label, self.red)])
        sheet.append([self.cell(sheet, block.title, self.title_font)])
        sheet.append([self.cell(sheet, zh, self.bold) for zh, _ in headers])
        sheet.append([self.cell(sheet, en, self.bold) for _, en in headers])
        for record in block.frame.itertuples(index=False, name=None):
            sheet.append([self.cell(sheet, v) if isinstance(v, str) else _value(v) for v in record])
        if block.note:
            sheet.append([])
            sheet.append([self.cell(sheet, block.note)])


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in '[]:*?/\\' else ch for ch in name)
    return cleaned[:31] or "Sheet"


def render_workbook(report: Report, out: str | Path) -> Path:
    """Write ``report``'s tables to the workbook ``out``; returns its path."""
    from openpyxl import Workbook

    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook(write_only=True)
    writer = _SheetWriter(workbook)
    label = report.synthetic_label if report.synthetic else None
    tables = report.tables()
    names: dict[str, int] = {}
    unique: list[tuple[str, TableBlock]] = []
    for block in tables:
        key = _sheet_name(block.key)
        count = names.get(key.lower(), 0)
        names[key.lower()] = count + 1
        unique.append((key if count == 0 else f"{key[:28]}_{count + 1}", block))

    cover = workbook.create_sheet(title="report")
    cover.column_dimensions["A"].width = 28
    cover.column_dimensions["B"].width = 90
    if label:
        cover.append([writer.cell(cover, label, writer.red)])
    cover.append([writer.cell(cover, report.title, writer.title_font)])
    cover.append([writer.cell(cover, report.subtitle)])
    for line in report.cover_lines:
        cover.append([writer.cell(cover, line)])
    cover.append([writer.cell(cover, report.run_dir)])
    if report.missing:
        cover.append([])
        cover.append([writer.cell(cover, "未包含的内容 / Not included", writer.bold)])
        for note in report.missing:
            cover.append([writer.cell(cover, note)])
    cover.append([])
    cover.append([writer.cell(cover, "工作表 / Sheet", writer.bold), writer.cell(cover, "内容 / Contents", writer.bold)])
    for key, block in unique:
        cover.append([writer.cell(cover, key), writer.cell(cover, block.title)])
    for key, block in unique:
        writer.table(key, block, label)
    workbook.save(path)
    return path


def write_xlsx(run_dir: str | Path, out: str | Path, *, lang: str = "zh", db: str | None = None,
               report: Report | None = None) -> Path:
    """Write the Excel edition of the report of ``run_dir`` to ``out``; returns its path."""
    report = report or build_document(run_dir, lang=lang, db=db)
    return render_workbook(report, out)
