"""The report's sentences: each coupling figure names its formula, and the other formula's verdict is
given beside it (issue 13 item 6: the headline used to give standard C's grade alone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hqd.report.document import build_document
from hqd.report.rundata import read_table

pytest_plugins = ["report_fixtures"]


def _texts(run: Path, lang: str) -> list[str]:
    report = build_document(run, lang=lang)
    return [b.text for s in report.sections for b in s.blocks if hasattr(b, "text")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_coupling_sentences_name_both_formulas(demo_run: Path, lang: str) -> None:
    standard = read_table(demo_run / "analysis" / "jjj_coupling_jjj.csv").iloc[-1]
    corrected = read_table(demo_run / "analysis" / "jjj_coupling_jjj_corrected.csv").iloc[-1]
    texts = _texts(demo_run, lang)
    grade = "grade_zh" if lang == "zh" else "grade_en"
    head = next(t for t in texts if f"D = {standard['D']:.3f}" in t)
    assert str(standard[grade]) in head and ("标准耦合度公式" in head if lang == "zh" else "standard coupling" in head)
    other = next(t for t in texts if f"D = {corrected['D']:.3f}" in t)
    assert str(corrected[grade]) in other and ("修正耦合度" in other if lang == "zh" else "corrected" in other)
    differ = int(standard["grade"]) != int(corrected["grade"])
    assert (("不同" in other) if lang == "zh" else ("different grades" in other)) == differ


def test_a_run_with_only_one_formula_gives_one_sentence(demo_run: Path, tmp_path: Path) -> None:
    import shutil

    run = tmp_path / "run"
    shutil.copytree(demo_run, run)
    (run / "analysis" / "jjj_coupling_jjj_corrected.csv").unlink()
    texts = _texts(run, "zh")
    assert any("标准耦合度公式" in t for t in texts) and not any("修正耦合度公式（" in t and "计算" in t for t in texts)


def test_analyses_carry_their_verdicts_in_the_readers_words(demo_run: Path) -> None:
    """β, Moran, Theil and Dagum sentences come from hqd.analysis.verdicts: the β model and its error type
    named in Chinese (the report used to print "absolute_cross_section" inside a Chinese sentence)."""
    import re

    texts = _texts(demo_run, "zh")
    beta = [t for t in texts if ("β收敛" in t and "半衰期" in t) or ("不存在" in t and "β" in t)]
    assert beta and not any(re.search(r"[A-Za-z]{3,}", t.replace("Moran's", "")) for t in beta), beta
    assert any("空间" in t and "Moran's I" in t for t in texts)
    assert any("区域差异主要来源于" in t for t in texts)
    english = _texts(demo_run, "en")
    assert any("convergence" in t and "half-life" in t for t in english)
