"""A run directory without analysis/ or uncertainty/ (or without optional files) still gives a report,
which says what it leaves out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hqd.errors import HqdError
from hqd.report import build_document, build_report
from hqd.report.messages import t

pytest_plugins = ["report_fixtures"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_without_analysis_and_uncertainty(bare_run: Path, tmp_path: Path, lang: str) -> None:
    html = build_report(bare_run, "html", tmp_path / "bare.html", lang=lang).read_text(encoding="utf-8")
    for key in ("missing_analysis", "missing_uncertainty", "no_db"):
        assert t(key, lang) in html
    assert 'data-chart="coupling"' not in html and 'data-chart="rank_bands"' not in html
    assert 'data-chart="ranking"' in html and 'data-chart="moran_scatter"' not in html
    workbook = load_workbook(build_report(bare_run, "xlsx", tmp_path / "bare.xlsx", lang=lang), read_only=True)
    assert "coupling" not in workbook.sheetnames and "rank_bands" not in workbook.sheetnames
    cover = [row[0] for row in workbook["report"].iter_rows(values_only=True) if row]
    assert t("missing_analysis", lang) in cover and t("missing_uncertainty", lang) in cover


def test_report_without_optional_files(demo_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(demo_run, run, ignore=shutil.ignore_patterns(
        "analysis", "uncertainty", "*.xlsx", "drivers.csv", "grades.csv", "growth.csv", "narrative.md",
        "framework.csv", "weights.csv", "manifest.json"))
    report = build_document(run, lang="zh")
    text = "\n".join(report.missing)
    for file in ("drivers.csv", "grades.csv", "growth.csv", "narrative.md", "framework.csv", "weights.csv",
                 "manifest.json"):
        assert file in text, file
    assert not report.synthetic  # without the manifest nothing says so; the label follows the manifest
    html = build_report(run, "html", tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'data-chart="ranking"' in html
    assert build_report(run, "xlsx", tmp_path / "r.xlsx").is_file()


def test_not_a_run_directory(tmp_path: Path) -> None:
    with pytest.raises(HqdError) as caught:
        build_report(tmp_path, "html", tmp_path / "x.html")
    assert caught.value.codes == ["missing_input"]
    with pytest.raises(HqdError) as caught:
        build_report(tmp_path, "docx", tmp_path / "x.docx")
    assert caught.value.codes == ["invalid_parameter"] and "xlsx, html, pdf" in str(caught.value)


def test_map_is_left_out_when_few_regions_have_centres(demo_run: Path, tmp_path: Path) -> None:
    import pandas as pd

    run = tmp_path / "run"
    shutil.copytree(demo_run, run, ignore=shutil.ignore_patterns("analysis", "uncertainty", "*.xlsx"))
    scores = pd.read_csv(run / "scores.csv", dtype={"region": str})
    # keep Beijing and Tianjin, give the Hebei cities codes that have neither boundaries nor centres
    recode = {"130100": "990100", "130200": "990200", "130300": "990300", "130400": "990400"}
    scores = scores[scores["region"].isin(["110000", "120000", *recode])].replace({"region": recode})
    scores.to_csv(run / "scores.csv", index=False)
    report = build_document(run, lang="en")
    assert not {"map_points", "choropleth"} & {c.name for c in report.charts()}
    assert any("Only 2 of 6 regions" in note for note in report.missing)


def test_regions_outside_the_demo_get_their_boundaries(demo_run: Path, tmp_path: Path) -> None:
    """Other provinces' capitals have no bundled centre but do have bundled boundaries: a choropleth."""
    import pandas as pd

    run = tmp_path / "run"
    shutil.copytree(demo_run, run, ignore=shutil.ignore_patterns("analysis", "uncertainty", "*.xlsx"))
    scores = pd.read_csv(run / "scores.csv", dtype={"region": str})
    recode = {"130100": "140100", "130200": "210100", "130300": "220100", "130400": "230100"}
    scores = scores[scores["region"].isin(["110000", "120000", *recode])].replace({"region": recode})
    scores.to_csv(run / "scores.csv", index=False)
    report = build_document(run, lang="en")
    chart = next(c for c in report.charts() if c.name == "choropleth")  # the year's map (then the change map)
    (shapes,) = chart.option["hqdMaps"].values()
    assert {f["properties"]["code"] for f in shapes["features"]} == {"110000", "120000", *recode.values()}
