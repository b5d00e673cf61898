"""The HTML report: one self-contained file that opens in Chromium with every network request blocked, draws
every chart (SVG with content), shows the narrative and the methods' own formulas, and escapes user text."""

from __future__ import annotations

import inspect
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from hqd.report import build_report
from hqd.report.html import esc, script_json
from hqd.report.rundata import RunData

pytest_plugins = ["report_fixtures"]


def _narrative_zh(run: Path) -> list[str]:
    return RunData(run).narrative("zh")


def test_html_is_self_contained(demo_reports: dict[str, Path]) -> None:
    text = demo_reports["html"].read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # nothing is fetched: no external scripts, styles, images or fonts
    assert not re.search(r"""<(script|link|img|iframe)[^>]*\s(src|href)=["']?(https?:|//)""", text, re.IGNORECASE)
    assert not re.search(r"""url\(\s*["']?(https?:|//)""", text)
    assert "echarts" in text and text.count("<script") == 3  # data, ECharts, init — all inline


def test_html_holds_the_narrative_labels_and_formulas(demo_run: Path, demo_reports: dict[str, Path]) -> None:
    from hqd.analysis import theil
    from hqd.methods import catalog

    text = demo_reports["html"].read_text(encoding="utf-8")
    for line in _narrative_zh(demo_run):
        assert esc(line) in text
    for label in ("摘要", "排名与空间分布", "经济维度", "治理维度", "协调发展与区域差异", "稳健性检验", "附录",
                  "评价指标体系", "方法与公式", "权重", "数据来源", "运行清单"):
        assert label in text, label
    entropy = inspect.getdoc(catalog.get("weight", "entropy").func) or ""
    assert esc(entropy.splitlines()[0]) in text  # formulas come from the methods' own docstrings
    assert esc((inspect.getdoc(theil) or "").splitlines()[0]) in text
    assert "SYNTHETIC DATA" in text and "未指定数据库" in text
    assert '<td class="num">2022</td>' in text and ">2,022<" not in text  # years print as years


def test_every_chart_renders_offline_in_chromium(offline: Any, demo_reports: dict[str, Path]) -> None:
    page, seen = offline(demo_reports["html"])
    state = page.evaluate("window.HQD_REPORT")
    containers = page.evaluate("""() => Array.from(document.querySelectorAll('.chart')).map(el => ({
        name: el.dataset.chart, svg: el.querySelectorAll('svg').length,
        shapes: el.querySelectorAll('svg path, svg rect, svg circle, svg polyline').length,
        text: Array.from(el.querySelectorAll('svg text')).map(t => t.textContent).join('|')}))""")
    page.close()
    assert seen["blocked"] == [] and seen["errors"] == [], seen
    assert state["failed"] == [] and state["rendered"] == state["charts"] == len(containers)
    names = {c["name"] for c in containers}
    assert names >= {"trend", "drivers", "ranking", "choropleth", "radar", "grades", "coupling", "inequality",
                     "convergence", "moran_scatter", "obstacles", "rank_bands", "sensitivity"}
    for chart in containers:
        assert chart["svg"] == 1 and chart["shapes"] > 5, chart
        assert chart["text"], chart
    ranking = next(c for c in containers if c["name"] == "ranking")
    assert "北京" in ranking["text"] and "2022年高质量发展指数排名" in ranking["text"]


def test_english_report_uses_english_labels(offline: Any, demo_run: Path, tmp_path: Path) -> None:
    path = build_report(demo_run, "html", tmp_path / "en.html", lang="en")
    text = path.read_text(encoding="utf-8")
    assert "Summary" in text and "Appendix" in text and "Economic dimension" in text
    for line in RunData(demo_run).narrative("en"):
        assert esc(line) in text
    page, seen = offline(path)
    labels = page.evaluate("Array.from(document.querySelectorAll('.chart svg text')).map(t => t.textContent)")
    page.close()
    assert seen["errors"] == []
    assert "Beijing" in labels and "北京" not in labels


def test_user_text_is_escaped(offline: Any, demo_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(demo_run, run, ignore=shutil.ignore_patterns("*.xlsx"))
    evil = "<img src=x onerror=alert(1)>"
    script = "</script><script>alert(2)</script>"
    pd.DataFrame({"code": ["110000", "120000"], "name_zh": [evil, script], "name_en": [evil, script]}).to_csv(
        run / "regions.csv", index=False)
    path = build_report(run, "html", tmp_path / "evil.html", lang="zh")
    text = path.read_text(encoding="utf-8")
    assert evil not in text and script not in text
    assert esc(evil) in text
    page, seen = offline(path)
    cells = page.evaluate("Array.from(document.querySelectorAll('td')).map(td => td.textContent)")
    images = page.evaluate("document.querySelectorAll('img').length")
    svg_text = page.evaluate("Array.from(document.querySelectorAll('.chart svg text')).map(t => t.textContent)")
    state = page.evaluate("window.HQD_REPORT")
    # hover a bar of the ranking chart so the tooltip (HTML) shows the evil name
    chart = page.locator(".chart[data-chart='ranking']").first
    chart.scroll_into_view_if_needed()
    chart.hover(position={"x": 200, "y": 66})
    page.wait_for_timeout(300)
    tooltip = page.evaluate("""() => Array.from(document.querySelectorAll(".chart[data-chart='ranking'] div"))
        .filter(d => d.style.display !== 'none' && d.textContent.includes('onerror'))
        .map(d => [d.textContent, d.querySelectorAll('img').length])""")
    page.close()
    assert tooltip and all(count == 0 for _, count in tooltip), tooltip
    assert evil in cells and script in cells  # shown as text
    assert images == 0 and seen["dialogs"] == [] and seen["errors"] == []
    assert evil in svg_text
    assert state["failed"] == []


@given(st.text())
def test_script_json_cannot_close_the_script_element(value: str) -> None:
    encoded = script_json({"name": value, "items": [value]})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert "\u2028" not in encoded and "\u2029" not in encoded
    assert json.loads(encoded) == {"name": value, "items": [value]}


@given(st.text())
def test_escaped_text_has_no_markup(value: str) -> None:
    escaped = esc(value)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped
