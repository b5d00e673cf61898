"""Writing Excel workbooks safely: bilingual headers, and user text never read as a formula.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (and is not a number) is written as text with
Excel's quote prefix, so a region or indicator named ``=HYPERLINK(…)`` shows as typed and never runs
(OWASP "CSV/formula injection").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

#: Column labels shown in workbooks: column → (中文, English).
LABELS: dict[str, tuple[str, str]] = {
    "region": ("地区", "Region"), "year": ("年份", "Year"), "node": ("指标/维度", "Node"),
    "level": ("层级", "Level"), "score": ("得分", "Score"), "rank": ("排名", "Rank"),
    "group_rank": ("组内排名", "Rank in group"), "parent": ("上级", "Parent"), "method": ("方法", "Method"),
    "weight": ("权重", "Weight"), "effective_weight": ("综合权重", "Effective weight"),
    "start_year": ("起始年份", "Start year"), "end_year": ("结束年份", "End year"),
    "start": ("起始值", "Start value"), "end": ("结束值", "End value"),
    "total_growth_pct": ("总增长(%)", "Total growth (%)"), "cagr_pct": ("年均增长(%)", "CAGR (%)"),
    "multiple": ("倍数", "Multiple"), "mean_yoy_pct": ("平均同比增长(%)", "Mean YoY growth (%)"),
    "child": ("维度", "Dimension"), "contribution": ("贡献值", "Contribution"),
    "share_pct": ("贡献率(%)", "Share of change (%)"), "points_pct": ("拉动(百分点)", "Points (pp)"),
    "grade_zh": ("等级", "Grade (zh)"), "grade_en": ("等级(英)", "Grade"), "code": ("代码", "Code"),
    "name_zh": ("中文名称", "Name (zh)"), "name_en": ("英文名称", "Name (en)"),
    "direction": ("方向", "Direction"), "unit": ("单位", "Unit"), "key": ("项目", "Key"),
    "value": ("值", "Value"), "indicator": ("指标", "Indicator"), "narrative": ("结论", "Narrative"),
}


def safe_text(value: Any) -> Any:
    """``value`` unchanged unless it is text Excel would read as a formula; then quote-prefixed."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like text cells quote-prefixed (for CSV exports)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(safe_text).astype(object)
    return out


def write_workbook(path: str | Path, sheets: Mapping[str, pd.DataFrame], *, bilingual: bool = True,
                   notes: Mapping[str, str] | None = None) -> Path:
    """Write ``sheets`` to an .xlsx file: a two-row bilingual header (中文 / English) when ``bilingual``.

    Text cells are always written as text (never formulas).  ``notes`` puts a line above a sheet's
    table (e.g. the SYNTHETIC label).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(title=_sheet_name(name))
        row = 1
        note = (notes or {}).get(name)
        if note:
            _put(sheet, row, 1, note).font = Font(bold=True, color="C00000")
            row += 1
        columns = [str(c) for c in frame.columns]
        header_rows = [[LABELS.get(c, (c, c))[0] for c in columns], [LABELS.get(c, (c, c))[1] for c in columns]] \
            if bilingual else [columns]
        for labels in header_rows:
            for col, label in enumerate(labels, start=1):
                _put(sheet, row, col, label).font = bold
            row += 1
        sheet.freeze_panes = sheet.cell(row=row, column=1)
        for record in frame.itertuples(index=False, name=None):
            for col, value in enumerate(record, start=1):
                _put(sheet, row, col, value)
            row += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


#: Characters an .xlsx cell cannot hold (openpyxl raises IllegalCharacterError): control characters other
#: than tab and line breaks.  They are written as U+FFFD so that one bad name cannot break a workbook.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _put(sheet: Any, row: int, col: int, value: Any) -> Any:
    cell = sheet.cell(row=row, column=col)
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return cell
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        cell.value = _ILLEGAL.sub("\ufffd", value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if value.startswith(_DANGEROUS):
            cell.quotePrefix = True
        return cell
    if not isinstance(value, int | float | bool):
        value = str(value)
    if isinstance(value, str):
        value = _ILLEGAL.sub("\ufffd", value)
    cell.value = value
    return cell


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in '[]:*?/\\' else ch for ch in name)
    return cleaned[:31] or "Sheet"
