"""Reports from a run directory — Excel, one self-contained HTML file, PDF — and the chart options
shared with the dashboard.

::

    from hqd.report import build_report, build_chart, CHARTS
    build_report("demo-out/run", "html", "report.html", lang="zh")     # also "xlsx", "pdf"
    option = build_chart("ranking", "demo-out/run", lang="en", year=2022)   # ECharts option (dict)

The report is laid out once (:func:`hqd.report.document.build_document`) and rendered to each
format, so the workbook holds every table of the HTML/PDF edition.  See ``docs/reports.md``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hqd.errors import HqdError
from hqd.report.charts import CHARTS, ECHARTS_VERSION, ChartParam, ChartSpec, build_chart
from hqd.report.document import Report, build_document
from hqd.report.messages import LANGS, check_lang

FORMATS: tuple[str, ...] = ("xlsx", "html", "pdf")


def build_report(run_dir: str | Path, fmt: str, out: str | Path, *, lang: str = "zh", db: str | None = None) -> Path:
    """Write the report of ``run_dir`` in format ``fmt`` (xlsx, html, pdf) to ``out``; returns its path.

    ``db``: a registry database URL; its project and enterprise summaries are added as a chapter.
    Parts whose inputs the run directory lacks (no ``analysis/``, no ``uncertainty/``) are left out
    with a note.  Raises :class:`~hqd.errors.HqdError` (``invalid_parameter`` for a bad format or
    language, ``missing_input`` for a folder that is not a run directory, ``chromium_not_found`` /
    ``pdf_failed`` for PDF printing).
    """
    if fmt not in FORMATS:
        raise HqdError(f"unknown report format {fmt!r}; valid: {', '.join(FORMATS)}", code="invalid_parameter")
    check_lang(lang)
    report = build_document(run_dir, lang=lang, db=db)
    if fmt == "xlsx":
        from hqd.report.excel import render_workbook

        return render_workbook(report, out)
    from hqd.report.html import render_html

    text = render_html(report)
    out = Path(out)
    if fmt == "html":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        return out
    from hqd.report.pdf import html_to_pdf

    with tempfile.TemporaryDirectory(prefix="hqd-report-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(text, encoding="utf-8")
        return html_to_pdf(page, out)


__all__ = [
    "CHARTS",
    "ECHARTS_VERSION",
    "FORMATS",
    "LANGS",
    "ChartParam",
    "ChartSpec",
    "Report",
    "build_chart",
    "build_document",
    "build_report",
]
