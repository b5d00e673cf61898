"""The Excel edition: every table of the report on its own sheet, bilingual headers, the SYNTHETIC label on
every sheet, the same numbers as scores.csv, and text that can never run as a formula."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from hqd.io.rundir import SYNTHETIC_LABEL
from hqd.report import build_document, build_report

pytest_plugins = ["report_fixtures"]


def _sheet_frame(sheet: Any, header_row: int) -> pd.DataFrame:
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    _zh, en, *data = rows
    return pd.DataFrame(data, columns=list(en))


def test_every_report_table_is_a_sheet(demo_run: Path, demo_reports: dict[str, Path]) -> None:
    workbook = load_workbook(demo_reports["xlsx"])
    report = build_document(demo_run, lang="zh")
    keys = [t.key for t in report.tables()]
    assert workbook.sheetnames == ["report", *keys]
    for name in workbook.sheetnames:
        sheet = workbook[name]
        assert sheet["A1"].value == SYNTHETIC_LABEL, name  # the label on every sheet
    for table in report.tables():
        sheet = workbook[table.key]
        zh = [c.value for c in sheet[3]]
        en = [c.value for c in sheet[4]]
        assert len(zh) == len(en) == table.frame.shape[1]
        assert sheet.max_row == 4 + len(table.frame) + (2 if table.note else 0), table.key
    growth = workbook["growth"]
    assert [c.value for c in growth[3]][:3] == ["地区", "地区名称", "起始年份"]
    assert [c.value for c in growth[4]][:3] == ["Region", "Region name", "Start year"]


def test_scores_sheets_hold_the_numbers_of_scores_csv(demo_run: Path, demo_reports: dict[str, Path]) -> None:
    scores = pd.read_csv(demo_run / "scores.csv", dtype={"region": str, "node": str})
    workbook = load_workbook(demo_reports["xlsx"], read_only=True)
    full = _sheet_frame(workbook["scores"], 3)
    assert len(full) == len(scores)
    assert full["Region"].tolist() == scores["region"].tolist()
    assert full["Node"].tolist() == scores["node"].tolist()
    # openpyxl writes numbers with 16 significant digits ("%.16g"; Excel itself keeps 15): the workbook holds
    # each score of scores.csv rounded to 16 digits, i.e. equal within 1e-15 relative
    as_written = np.array([float(f"{v:.16g}") for v in scores["score"]])
    np.testing.assert_array_equal(full["Score"].astype(float).to_numpy(), as_written)
    np.testing.assert_allclose(full["Score"].astype(float).to_numpy(), scores["score"].to_numpy(), rtol=1e-15, atol=0)
    np.testing.assert_array_equal(full["Rank"].astype(float).to_numpy(), scores["rank"].to_numpy())
    wide = _sheet_frame(workbook["index_scores"], 3).set_index("Region")
    index = scores[scores["node"] == "HQD"].pivot(index="region", columns="year", values="score")
    for year in index.columns:
        np.testing.assert_allclose(wide.loc[index.index, str(year)].astype(float).to_numpy(),
                                   index[year].to_numpy(), rtol=1e-15, atol=0)


def test_formula_like_text_stays_text(demo_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(demo_run, run, ignore=shutil.ignore_patterns("*.xlsx"))
    evil = '=HYPERLINK("http://example.com","click")'
    pd.DataFrame({"code": ["110000", "120000"], "name_zh": [evil, "@SUM(A1)"], "name_en": [evil, "+1+2"]}).to_csv(
        run / "regions.csv", index=False)
    path = build_report(run, "xlsx", tmp_path / "evil.xlsx", lang="zh")
    sheet = load_workbook(path)["growth"]
    cells = [row[1] for row in sheet.iter_rows(min_row=5) if row[0].value in ("110000", "120000")]
    assert {c.value for c in cells} == {evil, "@SUM(A1)"}
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, cell.value


def test_english_workbook_keeps_bilingual_headers(demo_run: Path, tmp_path: Path) -> None:
    path = build_report(demo_run, "xlsx", tmp_path / "en.xlsx", lang="en")
    workbook = load_workbook(path, read_only=True)
    drivers = list(workbook["drivers"].iter_rows(min_row=2, max_row=4, values_only=True))
    assert drivers[0][0].startswith("Drivers of growth")
    assert drivers[1][2:4] == ("经济", "社会") and drivers[2][2:4] == ("Economic", "Social")
