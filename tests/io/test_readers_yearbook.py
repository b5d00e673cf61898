"""Yearbook-style tables crafted with openpyxl: merged headers, unit rows, footnote markers, placeholders.

Values are the real GDP / population figures of the Jing-Jin-Ji cities from shared/data (CCSY panel and
the NBS export), so the checks compare against numbers nobody here wrote.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from hqd.errors import HqdError
from hqd.io.readers import detect, read


def _per_indicator_book(path: Path) -> Path:
    """One indicator per sheet; title, unit row, years as columns, footnotes and placeholders."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "GDP"
    ws.append(["2-5  各地区地区生产总值"])
    ws.append([None, None, None, "单位：亿元"])
    ws.append(["地 区", "2022", "2023", "2024"])
    ws.append(["北  京①", 45222.4, 47353.7, 49670.2])
    ws.append(["天  津", 16588.5, "17211.8*", "…"])
    ws.append(["河  北", 43198.3, 45660.0, "—"])
    ws.append(["注：①2023年数据为修订数。"])
    ws.append(["资料来源：国家统计局"])
    ws2 = book.create_sheet("POP")
    ws2.append(["各地区年末常住人口"])
    ws2.append(["单位：万人"])
    ws2.append(["地区", "2022", "2023", "2024"])
    ws2.append(["北京", 2184.3, 2185.8, 2183.2])
    ws2.append(["天津", 1363, 1364, "/"])
    ws2.append(["河北", 7420, 7393, None])
    book.save(path)
    return path


def _per_year_book(path: Path) -> Path:
    """One year per sheet; two-row merged header (indicator over 全市/市辖区), units in labels."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for year, rows in {
        "2011": [["石家庄", 43032300, 15183300, 1038.6], ["保定", 24495900, 5117600, 1154.7]],
        "2012年": [["石家庄", 45002098, 16205300, 1005.3], ["保定", 27209000, "NA", 1172.1]],
    }.items():
        ws = book.create_sheet(year)
        ws.append([f"{year} 河北省主要城市经济指标"])
        ws.append(["城市", "地区生产总值(万元)", None, "年末总人口(万人)"])
        ws.append([None, "全市", "市辖区", None])
        ws.merge_cells("A2:A3")
        ws.merge_cells("B2:C2")
        ws.merge_cells("D2:D3")
        for r in rows:
            ws.append(r)
    book.save(path)
    return path


def test_one_indicator_per_sheet(tmp_path: Path) -> None:
    path = _per_indicator_book(tmp_path / "yb.xlsx")
    assert detect(path) == "yearbook"
    panel = read(
        path, level="province", indicator_codes={"各地区地区生产总值": "gdp", "各地区年末常住人口": "pop"}
    )
    assert panel.units == {"gdp": "亿元", "pop": "万人"}
    idx = panel.data.set_index(["region", "indicator", "year"])["value"]
    assert idx[("110000", "gdp", 2024)] == 49670.2
    assert idx[("120000", "gdp", 2023)] == 17211.8  # footnote marker stripped
    assert np.isnan(idx[("120000", "gdp", 2024)]) and np.isnan(idx[("130000", "pop", 2024)])
    prov = panel.provenance[0]
    assert prov["placeholders"] == {"…": 1, "—": 1, "/": 1, "blank": 1}
    assert prov["footnoted"] == 1
    assert prov["notes"] == ["注：①2023年数据为修订数。"] and prov["source_line"] == "资料来源：国家统计局"
    text = panel.describe()
    assert "one indicator per sheet" in text and "4 missing" in text and "footnote markers" in text


def test_one_year_per_sheet_with_merged_headers(tmp_path: Path) -> None:
    path = _per_year_book(tmp_path / "city.xlsx")
    panel = read(path, format="yearbook", level="prefecture")
    assert set(panel.indicators) == {"地区生产总值·全市", "地区生产总值·市辖区", "年末总人口"}
    assert panel.units["地区生产总值·全市"] == "万元" and panel.units["年末总人口"] == "万人"
    idx = panel.data.set_index(["region", "indicator", "year"])["value"]
    # CCSY values (shared/data/china_cities_ccsy_2004_2012): Shijiazhuang GDP 2012, Baoding population 2012
    assert idx[("130100", "地区生产总值·全市", 2012)] == 45002098
    assert idx[("130600", "年末总人口", 2012)] == 1172.1
    assert np.isnan(idx[("130600", "地区生产总值·市辖区", 2012)])
    assert set(panel.data["year"]) == {2011, 2012}


def test_year_missing_is_an_error_unless_given(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Sheet1"
    ws.append(["地区", "地区生产总值(亿元)"])
    ws.append(["北京", 45222.4])
    book.save(tmp_path / "y.xlsx")
    with pytest.raises(HqdError) as err:
        read(tmp_path / "y.xlsx")
    assert err.value.codes == ["yearbook_year_missing"] and err.value.problems[0].sheet == "Sheet1"
    assert read(tmp_path / "y.xlsx", year=2022).data["year"].tolist() == [2022]


def test_bad_cell_and_unknown_region_are_located(tmp_path: Path) -> None:
    path = _per_indicator_book(tmp_path / "yb.xlsx")
    book = openpyxl.load_workbook(path)
    book["GDP"]["C5"] = "17,211.8元"
    book["POP"]["A6"] = "东部地区"
    book.save(path)
    with pytest.raises(HqdError) as err:
        read(path, level="province")
    found = {(p.code, p.sheet, p.row, p.column) for p in err.value.problems}
    assert ("non_numeric", "GDP", 5, "2023") in found
    assert ("region_unknown", "POP", 6, "A") in found
    panel = read(path, level="province", drop_rows=["东部地区"], sheets=["POP"])
    assert panel.data["region"].nunique() == 2


def test_unit_mismatch_between_sheets_names_both(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, unit in (("2021", "万元"), ("2022", "亿元")):
        ws = book.create_sheet(name)
        ws.append(["单位：" + unit])
        ws.append(["地区", "地区生产总值"])
        ws.append(["北京", 1.0])
    book.save(tmp_path / "u.xlsx")
    with pytest.raises(HqdError) as err:
        read(tmp_path / "u.xlsx")
    assert err.value.codes == ["unit_mismatch"]
    assert "'2021'" in str(err.value) and "'2022'" in str(err.value)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_yearbook_csv(tmp_path: Path, encoding: str) -> None:
    text = (
        "表3 各地区人口\n,,单位：万人\n地区,2022,2023\n北 京,2184.3,2185.8\n天 津,1363,1364\n注：常住人口。\n"
    )
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    panel = read(path, level="province")
    assert panel.units == {"各地区人口": "万人"}
    assert panel.data["value"].sum() == pytest.approx(2184.3 + 2185.8 + 1363 + 1364)
