"""The three-line table (三线表) of regression results, bilingual, for Excel and HTML.

A regression table as Chinese journals print it: one column per model, each coefficient with its
stars and its standard error in parentheses on the line below, the fit statistics at the bottom,
and only three horizontal rules (above the header, below the header, below the table).  Built from
the tidy tables of :mod:`hqd.analysis.econometrics` (term, coef, se, p, stars).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hqd.errors import HqdError

#: Row labels of the fit block and the notes, in both languages.
LABELS: dict[str, dict[str, str]] = {
    "variable": {"zh": "变量", "en": "Variable"},
    "log_likelihood": {"zh": "对数似然值", "en": "Log-likelihood"},
    "r2": {"zh": "R²", "en": "R²"},
    "aic": {"zh": "AIC", "en": "AIC"},
    "n_obs": {"zh": "观测值", "en": "Observations"},
    "n_regions": {"zh": "地区数", "en": "Regions"},
    "n_years": {"zh": "年份数", "en": "Years"},
    "note": {"zh": "注：括号内为标准误；***、**、* 分别表示在 1%、5%、10% 水平上显著。",
             "en": "Note: standard errors in parentheses; ***, **, * significant at 1%, 5%, 10%."},
}
FIT_ROWS: tuple[str, ...] = ("r2", "log_likelihood", "aic", "n_obs", "n_regions", "n_years")


def three_line_table(
    models: Mapping[str, pd.DataFrame],
    fits: Mapping[str, Mapping[str, float]] | None = None,
    *,
    lang: str = "zh",
    term_labels: Mapping[str, str] | None = None,
    digits: int = 4,
) -> pd.DataFrame:
    """A three-line table as text cells: rows = terms (coefficient line, then its "(se)" line) and the
    fit statistics; columns = the models (their keys are the column titles).

    ``models``: model title → tidy table (``term, coef, se, stars``).  ``term_labels`` renames terms
    (e.g. Chinese variable names).  Terms missing from a model are blank.
    """
    if lang not in ("zh", "en"):
        raise HqdError(f"unknown language {lang!r}; valid: zh, en", code="unknown_option")
    terms: list[str] = []
    for table in models.values():
        missing = {"term", "coef", "se", "stars"} - set(table.columns)
        if missing:
            raise HqdError(f"a model table lacks column(s) {', '.join(sorted(missing))}", code="unknown_column")
        terms += [str(t) for t in table["term"] if str(t) not in terms]
    labels = dict(term_labels or {})
    rows: list[list[str]] = []
    for term in terms:
        coef_row, se_row = [labels.get(term, term)], [""]
        for table in models.values():
            hit = table.loc[table["term"].astype(str) == term]
            if hit.empty:
                coef_row.append("")
                se_row.append("")
            else:
                r = hit.iloc[0]
                coef_row.append(f"{r['coef']:.{digits}f}{r['stars']}")
                se_row.append(f"({r['se']:.{digits}f})")
        rows += [coef_row, se_row]
    for key in FIT_ROWS if fits else ():
        line = [LABELS[key][lang]]
        for title in models:
            value = (fits or {}).get(title, {}).get(key, np.nan)
            if not np.isfinite(value):
                line.append("")
            elif key.startswith("n_"):
                line.append(f"{int(value)}")
            else:
                line.append(f"{value:.{digits if key == 'r2' else 2}f}")
        rows.append(line)
    return pd.DataFrame(rows, columns=[LABELS["variable"][lang], *models])


def to_html(table: pd.DataFrame, *, title: str = "", lang: str = "zh") -> str:
    """The table as an HTML fragment with the three rules (CSS borders) and the note below."""
    rule = "border-top:1.5px solid #000"
    head = "".join(f'<th style="{rule};border-bottom:0.75px solid #000;padding:2px 10px">{html.escape(str(c))}</th>'
                   for c in table.columns)
    body = []
    for i, row in enumerate(table.itertuples(index=False, name=None)):
        last = i == len(table) - 1
        style = "border-bottom:1.5px solid #000;" if last else ""
        cells = "".join(f'<td style="{style}padding:1px 10px;text-align:{"left" if j == 0 else "center"}">'
                        f"{html.escape(str(v))}</td>" for j, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return (f'<table class="three-line" style="border-collapse:collapse">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table><p class=\"note\">{html.escape(LABELS['note'][lang])}</p>")


def to_excel(tables: Mapping[str, pd.DataFrame], path: str | Path, *, lang: str = "zh",
             notes: Sequence[str] = ()) -> Path:
    """Write each three-line table to its own sheet: rules as cell borders, the note below the table,
    ``notes`` (e.g. the SYNTHETIC label) above it.  Text is written as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    thick, thin = Side(style="medium"), Side(style="thin")
    for name, table in tables.items():
        sheet = book.create_sheet(title=str(name)[:31])
        row = 1
        for note in notes:
            sheet.cell(row=row, column=1).value = note
            row += 1
        for col, label in enumerate(table.columns, start=1):
            cell = sheet.cell(row=row, column=col)
            cell.value = str(label)
            cell.border = Border(top=thick, bottom=thin)
            cell.alignment = Alignment(horizontal="center")
        for i, record in enumerate(table.itertuples(index=False, name=None)):
            r = row + 1 + i
            for col, value in enumerate(record, start=1):
                cell = sheet.cell(row=r, column=col)
                cell.value = str(value)
                cell.data_type = "s"
                cell.alignment = Alignment(horizontal="left" if col == 1 else "center")
                if i == len(table) - 1:
                    cell.border = Border(bottom=thick)
        sheet.cell(row=row + len(table) + 1, column=1).value = LABELS["note"][lang]
        sheet.column_dimensions["A"].width = 24
    book.save(path)
    return path
