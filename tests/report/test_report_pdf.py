"""The PDF report: A4, printed by Chromium from the HTML; its text (pdftotext) holds the narrative sentence,
Chinese labels, page numbers and, on every page, the SYNTHETIC label; every font is embedded."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from report_helpers import need_tool

from hqd.errors import HqdError
from hqd.report.rundata import RunData

pytest_plugins = ["report_fixtures"]


def _squash(text: str) -> str:
    """Text without whitespace (pdftotext wraps long sentences)."""
    return re.sub(r"\s+", "", text)


def test_pdf_text_holds_the_narrative_and_chinese_labels(demo_run: Path, demo_pdf: Path) -> None:
    pdftotext = need_tool("pdftotext")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(demo_pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = _squash(text)
    narrative = RunData(demo_run).narrative("zh")
    assert narrative and all(_squash(line) in flat for line in narrative)
    for label in ("高质量发展指数评价报告", "摘要", "经济维度", "协调发展与区域差异", "稳健性检验", "附录",
                  "北京", "石家庄", "耦合协调度", "泰尔指数分解", "莫兰散点图"):
        assert label in flat, label
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) > 10
    for number, page in enumerate(pages, start=1):
        squashed = _squash(page)
        assert "SYNTHETICDATA" in squashed, number  # the label on every page
        assert f"第{number}页/共{len(pages)}页" in squashed, number


def test_pdf_is_a4_with_every_font_embedded(demo_pdf: Path) -> None:
    info = subprocess.run([need_tool("pdfinfo"), str(demo_pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info), info
    fonts = subprocess.run([need_tool("pdffonts"), str(demo_pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts
    assert any("WenQuanYi" in f or "Noto" in f or "CJK" in f for f in fonts)  # a CJK font, not empty boxes
    for line in fonts:
        emb = line.split()[-5]  # columns: ... emb sub uni object ID
        assert emb == "yes", line


def test_missing_browser_is_a_clear_error(demo_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hqd.report import build_report

    monkeypatch.setenv("HQD_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(HqdError) as caught:
        build_report(demo_run, "pdf", tmp_path / "x.pdf")
    assert caught.value.codes == ["chromium_not_found"]
    assert not (tmp_path / "x.pdf").exists()
