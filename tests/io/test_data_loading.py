"""Loading data: layouts, key columns, COINr iData, and every cell-level problem with its location."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hqd.errors import HqdError
from hqd.io import load_framework, load_panel
from hqd.model.framework import Framework

FW = Framework.from_frame(pd.DataFrame({
    "code": ["I", "x", "y"], "parent": [None, "I", "I"], "direction": [None, 1, -1]}))


def _errors(err: HqdError) -> list[tuple[str, int | None, str | None]]:
    return [(p.code, p.row, p.column) for p in err.problems if p.severity == "error"]


def test_long_wide_and_wide_by_year_give_the_same_cube(tmp_path: Path) -> None:
    wide = pd.DataFrame({"region": ["A", "B", "A", "B"], "year": [2020, 2020, 2021, 2021],
                         "x": [1.0, 2.0, 3.0, 4.0], "y": [5.0, 6.0, 7.0, np.nan]})
    long = wide.melt(id_vars=["region", "year"], var_name="indicator", value_name="value").dropna()
    by_year = wide.pivot(index="region", columns="year", values=["x", "y"])
    by_year.columns = [f"{ind}_{year}" for ind, year in by_year.columns]
    by_year = by_year.reset_index()
    cubes = [load_panel(t, FW).values for t in (wide, long, by_year)]
    for cube in cubes[1:]:
        np.testing.assert_array_equal(cube, cubes[0])
    assert cubes[0].shape == (2, 2, 2)


def test_csv_with_bom_comment_notes_and_key_columns(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes("\ufeff# SYNTHETIC test data\ncity,yr,x,y,name\nA,2020,1,2,甲\nB,2020,3,4,乙\n".encode())
    panel = load_panel(path, FW, region_col="city", year_col="yr")
    assert panel.synthetic and panel.regions == ["A", "B"]
    assert panel.region_meta.loc["B", "name"] == "乙"


def test_cell_problems_are_all_reported_with_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("region,year,x,y\nA,2020,1,abc\nB,2020,—,2\nB,2020,3,4\nC,20x0,1,1\n", encoding="utf-8")
    with pytest.raises(HqdError) as info:
        load_panel(path, FW)
    errors = _errors(info.value)
    assert ("non_numeric", 2, "y") in errors
    assert ("placeholder", 3, "x") in errors
    assert ("invalid_year", 5, "year") in errors
    problem = next(p for p in info.value.problems if p.code == "non_numeric")
    assert problem.file == str(path) and problem.region == "A" and problem.year == 2020


def test_duplicates_are_reported_after_placeholders_are_allowed(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("region,year,x,y\nA,2020,1,…\nA,2020,2,3\n", encoding="utf-8")
    with pytest.raises(HqdError) as info:
        load_panel(path, FW, placeholders="missing")
    dup = next(p for p in info.value.problems if p.code == "duplicate_observation")
    assert dup.row == 3 and dup.region == "A" and dup.year == 2020 and "row 2" in dup.message


def test_missing_indicator_and_unused_column(tmp_path: Path) -> None:
    with pytest.raises(HqdError) as info:
        load_panel(pd.DataFrame({"region": ["A"], "year": [2020], "x": [1.0]}), FW)
    assert any(p.code == "missing_indicator" and p.indicator == "y" for p in info.value.problems)
    panel = load_panel(pd.DataFrame({"region": ["A"], "year": [2020], "x": [1.0], "y": [2.0], "z": [3.0]}), FW)
    assert [p.code for p in panel.warnings] == ["unused_column"] and "z" in panel.extra


def test_missing_region_column_lists_the_columns() -> None:
    with pytest.raises(HqdError) as info:
        load_panel(pd.DataFrame({"iso": ["A"], "year": [2020], "x": [1.0], "y": [1.0]}), FW)
    assert info.value.codes == ["missing_column"] and "--region-col" in str(info.value)


def test_excel_data(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    pd.DataFrame({"region": ["110000", "120000"], "year": [2020, 2020], "x": [1, 2], "y": [3, 4]}).to_excel(
        path, index=False, sheet_name="data")
    panel = load_panel(path, FW)
    assert panel.regions == ["110000", "120000"] and panel.values[0, 1, 1] == 4


def test_coinr_idata_read_as_it_is(shared: Path) -> None:
    fw = load_framework(shared / "data" / "coinr_asem" / "asem_iMeta.csv")
    panel = load_panel(shared / "data" / "coinr_asem" / "asem_iData.csv", fw)
    assert panel.shape == (1, 51, 49)
    assert {"EurAsia_group", "name_en"} <= set(panel.region_meta.columns)
    assert set(panel.extra) == {"Area", "Energy", "GDP", "Population"}
    assert not [p for p in panel.warnings if p.code == "unused_column" and p.column == "GDP"]


def test_non_utf8_csv_is_an_error_unless_its_encoding_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("地区,year,x,y\n北京,2020,1,2\n天津,2020,3,4\n".encode("gbk"))
    with pytest.raises(HqdError) as info:
        load_panel(path, FW, region_col="地区")
    assert info.value.codes == ["encoding_error"] and "--encoding" in str(info.value)
    panel = load_panel(path, FW, region_col="地区", encoding="gbk")
    assert panel.regions == ["北京", "天津"] and panel.values[0, 1, 0] == 3
