"""Reading tables as analysts send them: title rows, merged two-row headers, --sheet, 城市/年份 columns,
Chinese indicator headers, unmatched headers with the closest names; and vectorised numeric parsing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from hqd.errors import HqdError
from hqd.io.data import load_panel
from hqd.io.framework import load_framework
from hqd.io.tables import find_header, parse_numbers, read_table

FRAMEWORK = pd.DataFrame({
    "code": ["I", "ECO", "GDP", "INC", "ENV", "PM"],
    "parent": [None, "I", "ECO", "ECO", "I", "ENV"],
    "name_zh": ["指数", "经济", "人均地区生产总值", "城镇居民人均可支配收入", "生态", "PM2.5年均浓度"],
    "name_en": ["index", "economy", "GDP per capita", "urban disposable income", "environment", "PM2.5"],
    "direction": [None, None, 1, 1, None, -1],
})
CITIES = ["北京市", "天津市", "石家庄市"]
CODES = ["110000", "120000", "130100"]
#: SYNTHETIC values (a plausible shape only): city × year × (GDP, INC, PM)
VALUES = {(c, y): (10.0 + i + y - 2020, 5.0 + i, 40.0 - i) for i, c in enumerate(CITIES) for y in (2020, 2021)}


def analyst_workbook(path: Path, *, second_sheet: bool = False) -> Path:
    """A title row, then a two-row header: 城市 and 年份 merged down, dimension groups merged across, Chinese
    indicator names (with units) below."""
    book = Workbook()
    sheet = book.active
    if second_sheet:
        sheet.title = "说明"
        sheet.append(["本表为 SYNTHETIC 示例数据"])
        sheet = book.create_sheet("数据")
    sheet.append(["SYNTHETIC 京津冀城市高质量发展指标（示例）"])
    sheet.append(["城市", "年份", "经济", None, "生态"])
    sheet.append([None, None, "人均地区生产总值（万元）", "城镇居民人均可支配收入（万元）", "PM2.5年均浓度"])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("C2:D2")
    for (city, year), row in VALUES.items():
        sheet.append([city, year, *row])
    book.save(path)
    return path


def test_title_row_and_merged_two_row_header(tmp_path: Path) -> None:
    path = analyst_workbook(tmp_path / "data.xlsx")
    raw = read_table(path)
    assert list(raw.frame.columns) == ["城市", "年份", "人均地区生产总值（万元）", "城镇居民人均可支配收入（万元）",
                                       "PM2.5年均浓度"]
    assert raw.first_row == 4 and raw.notes == ("SYNTHETIC 京津冀城市高质量发展指标（示例）",)
    panel = load_panel(path, load_framework(FRAMEWORK))
    assert panel.regions == CODES and list(panel.years) == [2020, 2021]
    assert panel.indicators == ["GDP", "INC", "PM"]
    np.testing.assert_array_equal(panel.values[1, 2], VALUES[("石家庄市", 2021)])
    assert {"region_names_resolved", "indicator_names_matched"} <= {w.code for w in panel.warnings}


def test_sheet_by_name_or_number(tmp_path: Path) -> None:
    path = analyst_workbook(tmp_path / "data.xlsx", second_sheet=True)
    framework = load_framework(FRAMEWORK)
    for sheet in ("数据", "2"):
        assert load_panel(path, framework, sheet=sheet).regions == CODES
    with pytest.raises(HqdError) as err:
        load_panel(path, framework, sheet="nope")
    assert err.value.codes == ["unknown_sheet"] and "说明, 数据" in err.value.problems[0].message


def test_cli_reads_the_sheet_named(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from hqd.cli.main import _register, app

    _register()
    path = analyst_workbook(tmp_path / "data.xlsx", second_sheet=True)
    FRAMEWORK.to_csv(tmp_path / "fw.csv", index=False)
    result = CliRunner().invoke(app, ["validate", "--framework", str(tmp_path / "fw.csv"), "--data", str(path),
                                      "--sheet", "2"])
    assert result.exit_code == 0, result.output
    assert "3 regions × 2 years" in result.output


def test_plain_city_year_panel_is_not_a_yearbook(tmp_path: Path) -> None:
    from hqd.io.readers import FORMATS, open_source
    from hqd.pipeline import load_inputs

    path = analyst_workbook(tmp_path / "data.xlsx")
    assert not FORMATS["yearbook"].sniff(open_source(path))
    _, panel, _ = load_inputs(FRAMEWORK, path, None, data_format="auto")  # --format auto: an HQD table
    assert panel.regions == CODES and panel.indicators == ["GDP", "INC", "PM"]


def test_unmatched_headers_are_listed_with_the_closest_names(tmp_path: Path) -> None:
    frame = pd.DataFrame({"城市": CITIES, "年份": [2020] * 3, "人均地区生产总值": [1.0, 2.0, 3.0],
                          "城镇居民人均可支配收": [1.0, 2.0, 3.0], "PM25浓度": [30.0, 40.0, 50.0]})
    with pytest.raises(HqdError) as err:
        load_panel(frame, load_framework(FRAMEWORK))
    assert err.value.codes == ["missing_indicator", "missing_indicator", "unmatched_column"]
    message = err.value.problems[-1].message
    assert "'城镇居民人均可支配收'" in message and "'PM25浓度'" in message
    assert "INC (城镇居民人均可支配收入 / urban disposable income): closest '城镇居民人均可支配收'" in message


def test_find_header_leaves_plain_tables_alone() -> None:
    assert find_header([["code", "parent", "name_zh"], ["I", None, "指数"], ["a", "I", None]]) == (0, 1, [])
    assert find_header([["# note"], ["region", "year", "a"], ["1", "2020", "3"]]) == (1, 1, ["note"])
    # a header whose gap is not filled by text below is one row (the row below is data)
    assert find_header([["region", None, "a"], ["110000", 2020, 1.5]]) == (0, 1, [])


def test_parse_numbers_vectorised_with_the_same_verdicts() -> None:
    cells = pd.Series([" 12 ", "1,234.5", "—", "abc", None, "", "inf", "1e400", True, "nan", 3.5, "-1,000"],
                      dtype=object)
    values, bad, placeholder = parse_numbers(cells, placeholders_ok=True)
    np.testing.assert_array_equal(values[[0, 1, 10, 11]], [12.0, 1234.5, 3.5, -1000.0])
    assert list(np.flatnonzero(bad)) == [3, 6, 7, 8]  # text, inf, overflow, a yes/no cell
    assert list(np.flatnonzero(placeholder)) == [2, 9]
    _, strict, _ = parse_numbers(cells, placeholders_ok=False)
    assert list(np.flatnonzero(strict)) == [2, 3, 6, 7, 8, 9]
    numeric = pd.Series([1.0, np.inf, np.nan])
    values, bad, _ = parse_numbers(numeric, placeholders_ok=False)
    assert list(bad) == [False, True, False] and np.isnan(values[1:]).all()


def test_csv_numbers_through_the_typed_path_keep_codes_as_text(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("region,year,a,b\n010100,2020,1.5,\"1,200\"\n020200,2020,2.5,—\n", encoding="utf-8")
    raw = read_table(path, numeric=lambda name: name in {"a", "b"})
    assert list(raw.frame["region"]) == ["010100", "020200"]  # leading zeros kept
    assert raw.frame["a"].dtype == float
    values, bad, placeholder = parse_numbers(raw.frame["b"], placeholders_ok=True)
    assert values[0] == 1200.0 and placeholder[1] and not bad.any()
