"""Exports and import templates, safe to open in a spreadsheet.

Formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
would be run as a formula by a spreadsheet.  CSV exports prefix such cells with an apostrophe (``'=…``),
which the importer strips again, so export → import round-trips unchanged; Excel exports store them as
text cells (string type with the quote-prefix style), never as formulas.  Numbers and dates are written
as numbers and dates.  Control characters (refused at input, but possibly stored by older versions) are
written as U+FFFD in both formats (:func:`printable`), so one bad cell never breaks an export.

CSV files are UTF-8 with a byte-order mark so that spreadsheet programs show Chinese correctly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from hqd.errors import Problems
from hqd.registry import schema as sc
from hqd.registry import store
from hqd.registry.db import EngineLike, engine_for, read
from hqd.registry.summaries import is_synthetic

TEXT_KINDS = ("text", "url", "ref", "credit_code", "choice")
SYNTHETIC_NOTE = "synthetic demo data (合成示例数据): not real projects or enterprises"


def printable(value: Any) -> Any:
    """Text with its control characters (stored before they were refused at input) replaced by U+FFFD, which
    shows where they were: openpyxl cannot write them (XML 1.0) and a spreadsheet would hide them."""
    if isinstance(value, str) and sc.CONTROL_CHARACTERS.search(value):
        return sc.CONTROL_CHARACTERS.sub("\ufffd", value)
    return value


def neutralise(value: Any) -> Any:
    """Prefix a text value that a spreadsheet would run as a formula with an apostrophe."""
    value = printable(value)
    if isinstance(value, str) and value.startswith(sc.FORMULA_PREFIXES):
        return "'" + value
    return value


def _header(f: sc.Field, lang: str) -> str:
    return f.label_zh if lang == "zh" else f.name


def _check_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        problems = Problems({"file": path.name})
        problems.error(
            "unsupported_format", f"cannot write {suffix or 'files without suffix'}; use .csv or .xlsx"
        )
        problems.raise_if_errors()
    return suffix


def export_frame(target: EngineLike | None, entity: str, *, lang: str = "en") -> pd.DataFrame:
    """All records of ``entity`` as a frame with the import headers (plus ``version``), keyed order."""
    ent = sc.entity(entity)
    with engine_for(target) as engine, read(engine) as conn:
        records = list(store.fetch(conn, ent).values())
        synthetic = is_synthetic(conn)
    fields = list(ent.fields)
    data = {
        _header(f, lang): [store.text(r[f.name]) if f.kind == "links" else r[f.name] for r in records]
        for f in fields
    }
    data[_header(sc.VERSION_FIELD, lang)] = [r["version"] for r in records]
    frame = pd.DataFrame(data)
    if len(frame):
        frame = frame.sort_values([_header(ent.field(k), lang) for k in ent.key], kind="stable").reset_index(
            drop=True
        )
    frame.attrs["synthetic"] = synthetic
    return frame


def export(target: EngineLike | None, entity: str, out: str | Path, *, lang: str = "en") -> Path:
    """Write all records of ``entity`` to ``out`` (.csv or .xlsx), formula injection neutralised."""
    path = Path(out)
    suffix = _check_format(path)
    ent = sc.entity(entity)
    frame = export_frame(target, entity, lang=lang)
    text_columns = [_header(f, lang) for f in ent.fields if f.kind in TEXT_KINDS or f.kind == "links"]
    if suffix == ".csv":
        safe = frame.copy()
        for col in text_columns:
            safe[col] = safe[col].map(neutralise).astype(object)
        safe.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        _write_xlsx(
            path,
            ent.label_zh,
            frame,
            set(text_columns),
            notes=[SYNTHETIC_NOTE] if frame.attrs.get("synthetic") else [],
        )
    return path


def _write_xlsx(
    path: Path, title: str, frame: pd.DataFrame, text_columns: set[str], *, notes: list[str]
) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(list(frame.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in frame.itertuples(index=False):
        ws.append([None if (v is None or (isinstance(v, float) and pd.isna(v))) else printable(v) for v in values])
    text_idx = [i + 1 for i, c in enumerate(frame.columns) if c in text_columns]
    for row in ws.iter_rows(min_row=2):
        for i in text_idx:
            cell = row[i - 1]
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
                if cell.value.startswith(sc.FORMULA_PREFIXES):
                    cell.quotePrefix = True
    if notes:
        info = wb.create_sheet("about")
        info.append([title])
        for note in notes:
            info.append([note])
    wb.save(path)


def template(entity: str, out: str | Path, *, lang: str = "en") -> Path:
    """An import template for ``entity``: headers, allowed values (drop-down lists) and an example row.

    ``.xlsx`` gets a ``data`` sheet (header + example row) and a ``fields`` sheet describing every column
    (Chinese header, required, allowed values, help); ``.csv`` gets the header and the example row.
    The example row is synthetic (示例…); replace it with real rows.
    """
    path = Path(out)
    suffix = _check_format(path)
    ent = sc.entity(entity)
    headers = [_header(f, lang) for f in ent.fields]
    example = [f.example for f in ent.fields]
    if suffix == ".csv":
        pd.DataFrame([example], columns=headers).to_csv(path, index=False, encoding="utf-8-sig")
        return path
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(headers)
    ws.append(example)
    required = PatternFill("solid", fgColor="FFF2CC")
    for col, f in enumerate(ent.fields, start=1):
        cell = ws.cell(1, col)
        cell.font = Font(bold=True)
        if f.required:
            cell.fill = required
        ws.cell(2, col).data_type = "s"
        if f.choices or f.kind == "bool":
            options = [c.label_zh for c in f.choices] if f.choices else ["是", "否"]
            dv = DataValidation(
                type="list", formula1='"' + ",".join(options) + '"', allow_blank=not f.required
            )
            dv.add(f"{cell.column_letter}2:{cell.column_letter}10000")
            ws.add_data_validation(dv)
        ws.column_dimensions[cell.column_letter].width = max(12, min(40, 2 * len(headers[col - 1]) + 4))
    fields = wb.create_sheet("fields")
    fields.append(
        ["column", "中文表头", "required", "type", "allowed values", "also accepted", "help", "example"]
    )
    for cell in fields[1]:
        cell.font = Font(bold=True)
    for f in ent.fields:
        fields.append(
            [
                f.name,
                f.label_zh,
                "yes" if f.required else "",
                f.kind,
                f.allowed(),
                ", ".join(f.aliases),
                f.help,
                f.example,
            ]
        )
    fields.append(
        [sc.VERSION_FIELD.name, sc.VERSION_FIELD.label_zh, "", "int", "", "", sc.VERSION_FIELD.help, ""]
    )
    fields.append([])
    fields.append([f"{ent.name} ({ent.label_zh}): {ent.description}"])
    fields.append(
        [
            "Headers may be the column names or the Chinese headers. The example row is synthetic "
            "(示例); replace it."
        ]
    )
    wb.save(path)
    return path
