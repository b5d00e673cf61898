"""The three-line table: coefficient + stars, (se) below, fit rows; HTML with three rules; Excel as text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from hqd.analysis.econometrics import stars, tidy
from hqd.analysis.threeline import three_line_table, to_excel, to_html
from hqd.errors import HqdError


def test_three_line_table_layout_and_writers(tmp_path: Path) -> None:
    a = tidy(["x1", "rho"], [0.5, 0.21], [0.1, 0.2])
    b = tidy(["x1", "lambda"], [-0.02, 0.3], [0.1, 0.05])
    assert list(a["stars"]) == ["***", ""] and stars(0.07) == "*" and stars(0.03) == "**"
    table = three_line_table({"SAR": a, "SEM": b}, {"SAR": {"r2": 0.5, "n_obs": 130}, "SEM": {"r2": 0.4}})
    assert list(table.columns) == ["变量", "SAR", "SEM"]
    assert table.iloc[0].tolist() == ["x1", "0.5000***", "-0.0200"]
    assert table.iloc[1].tolist() == ["", "(0.1000)", "(0.1000)"]
    assert table.loc[table["变量"] == "rho", "SEM"].iloc[0] == ""
    assert table.loc[table["变量"] == "观测值", "SAR"].iloc[0] == "130"
    page = to_html(table, title="模型", lang="zh")
    assert page.count("1.5px solid") >= 2 and "括号内为标准误" in page
    path = to_excel({"models": table}, tmp_path / "t.xlsx", notes=["SYNTHETIC"])
    sheet = load_workbook(path)["models"]
    assert sheet["A1"].value == "SYNTHETIC" and sheet["B3"].value == "0.5000***"
    assert sheet["A2"].border.top.style == "medium"
    english = three_line_table({"SAR": a}, lang="en")
    assert english.columns[0] == "Variable"
    with pytest.raises(HqdError):
        three_line_table({"bad": pd.DataFrame({"term": ["x"]})})
