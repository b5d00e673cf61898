"""The report as one self-contained HTML file: styles, ECharts and chart options inline; works offline.

Every chart is a ``<div class="chart">`` drawn by the vendored ECharts with the SVG renderer from
a JSON block (``<script type="application/json" id="hqd-charts">``); ``window.HQD_REPORT`` tells
how many charts were drawn.  All text from the run directory (region and indicator names, notes,
the manifest) is HTML-escaped; the JSON block escapes ``<``, ``>`` and ``&`` so no data can close
the script element.  Print CSS lays the report out on A4 with a running SYNTHETIC label (when the
data are synthetic) and page numbers, used by :mod:`hqd.report.pdf`.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.report.charts import echarts_js
from hqd.report.document import ChartBlock, Report, TableBlock, TextBlock, build_document
from hqd.report.messages import FONT_STACK, t

TEMPLATES = Path(__file__).with_name("templates")

#: Charts drawn taller than the default (many categories or a legend below a radar).
_TALL = {"radar", "map_points", "moran_scatter", "drivers", "obstacles", "rank_bands"}


def esc(value: Any) -> str:
    """HTML-escaped text (quotes too)."""
    return html.escape(str(value), quote=True)


def script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>``, ``<!--`` or line-separator surprises)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_css(report: Report) -> str:
    """The ``@page`` rules: A4, margins, page numbers and (synthetic data) the running label."""
    lang = report.lang
    before, _, after = t("page_of", lang, page="\x00", pages="\x01").partition("\x00")
    middle, _, tail = after.partition("\x01")
    counter = f'{_css_string(before)} counter(page) {_css_string(middle)} counter(pages) {_css_string(tail)}'
    top = ""
    if report.synthetic:
        top = (f"@top-center {{ content: {_css_string(report.synthetic_label)}; color: #b00020; "
               "font-size: 8pt; font-family: var(--cjk); }")
    return (f"@page {{ size: A4; margin: 18mm 15mm 18mm 15mm; {top} "
            f"@bottom-center {{ content: {counter}; font-size: 8.5pt; color: #5b6675; font-family: var(--cjk); }} }}"
            f"\n:root {{ --cjk: {FONT_STACK}; }}")


def _format(value: Any, digits: int | None) -> tuple[str, bool]:
    """(text, is_number) of a table cell."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—", True
    if isinstance(value, bool | np.bool_):
        return ("✓" if value else "✗"), False
    if isinstance(value, int | np.integer):
        whole = int(value)
        separator = "," if abs(whole) >= 10000 else ""  # years and ranks stay plain
        return f"{whole:{separator}.{digits or 0}f}" if digits else f"{whole:{separator}}", True
    if isinstance(value, float | np.floating):
        number = float(value)
        if digits is None:
            digits = 0 if number.is_integer() and abs(number) >= 1 else (3 if abs(number) < 1000 else 1)
        return f"{number:,.{digits}f}" if abs(number) >= 10000 else f"{number:.{digits}f}", True
    return str(value), False


def table_html(block: TableBlock, lang: str) -> str:
    frame = block.frame
    if block.html_rows == 0:
        return ""
    columns = [c for c in frame.columns if str(c) not in block.hide_in_html]
    shown = frame if block.html_rows is None else frame.head(block.html_rows)
    head = "".join(f'<th class="{"num" if pd.api.types.is_numeric_dtype(frame[c]) else ""}">'
                   f"{esc(block.label(str(c), lang))}</th>" for c in columns)
    rows = []
    for record in shown[columns].itertuples(index=False, name=None):
        cells = []
        for column, value in zip(columns, record, strict=True):
            text, numeric = _format(value, block.digits.get(str(column)))
            cells.append(f'<td class="num">{esc(text)}</td>' if numeric else f"<td>{esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if block.html_rows is not None and len(frame) > block.html_rows:
        more = f'<p class="note">{esc(t("excel_only", lang, sheet=block.key))}</p>'
    note = f'<p class="note">{esc(block.note)}</p>' if block.note else ""
    return (f'<table data-table="{esc(block.key)}"><caption>{esc(block.title)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{note}{more}')


def render_html(report: Report) -> str:
    """The whole report as one HTML document (string)."""
    lang = report.lang
    charts: list[dict[str, Any]] = []
    body: list[str] = []
    if report.synthetic:
        body.append(f'<div class="synthetic-strip">{esc(report.synthetic_label)}</div>')
    body.append('<div class="page">')
    cover = [f'<section class="cover" id="cover"><div class="series">{esc(report.cover_lines[0])}</div>',
             f"<h1>{esc(report.title)}</h1>", f'<div class="subtitle">{esc(report.subtitle)}</div>']
    if report.synthetic:
        cover.append(f'<div class="synthetic">{esc(report.synthetic_label)}<br>'
                     f'{esc(t("synthetic_banner", lang))}</div>')
    cover.append('<div class="meta">' + "<br>".join(esc(line) for line in report.cover_lines[1:]) + "</div>")
    cover.append("</section>")
    body.extend(cover)
    toc = "".join(f'<li><a href="#sec-{esc(s.key)}">{esc(s.title)}</a></li>' for s in report.sections)
    body.append(f'<nav class="toc"><h2>{esc(t("contents", lang))}</h2><ol>{toc}</ol></nav>')
    for number, section in enumerate(report.sections, start=1):
        body.append(f'<section class="chapter" id="sec-{esc(section.key)}"><h2>{number} {esc(section.title)}</h2>')
        for block in section.blocks:
            if isinstance(block, TextBlock):
                body.append(_text_html(block))
            elif isinstance(block, TableBlock):
                body.append(table_html(block, lang))
            elif isinstance(block, ChartBlock):
                if block.option is None:
                    body.append(f'<p class="note">{esc(block.error)}</p>')
                    continue
                chart_id = f"chart-{len(charts) + 1}"
                tall = " tall" if block.name in _TALL else ""
                body.append(f'<div class="chart{tall}" id="{chart_id}" data-chart="{esc(block.name)}"></div>')
                charts.append({"id": chart_id, "name": block.name, "option": block.option})
        body.append("</section>")
    body.append("</div>")
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    from hqd import __version__

    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="HQD {esc(__version__)}">',
        f"<title>{esc(report.title)}{' — SYNTHETIC' if report.synthetic else ''}</title>",
        f"<style>\n{page_css(report)}\n{css}</style>",
        "</head>",
        "<body>",
        *body,
        f'<script type="application/json" id="hqd-charts">{script_json(charts)}</script>',
        f"<script>{echarts_js()}</script>",
        f"<script>{js}</script>",
        "</body>",
        "</html>",
    ])


def _text_html(block: TextBlock) -> str:
    text = esc(block.text)
    if block.kind == "h3":
        return f"<h3>{text}</h3>"
    if block.kind == "h4":
        return f"<h4>{text}</h4>"
    if block.kind == "formula":
        return f'<pre class="formula">{text}</pre>'
    if block.kind == "synthetic":
        return f'<p class="synthetic">{text}</p>'
    if block.kind in ("note", "narrative"):
        return f'<p class="{block.kind}">{text}</p>'
    return f"<p>{text}</p>"


def write_html(run_dir: str | Path, out: str | Path, *, lang: str = "zh", db: str | None = None,
               report: Report | None = None) -> Path:
    """Write the self-contained HTML report of ``run_dir`` to ``out``; returns its path."""
    report = report or build_document(run_dir, lang=lang, db=db)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path
