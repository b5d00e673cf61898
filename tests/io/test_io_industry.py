"""Reading city × industry × year tables (yearbook layout and long), IO tables, and the code lists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from hqd.errors import HqdError
from hqd.io.industry import read_industry_long, read_industry_table, read_io_table


def _yearbook(path: Path, sheets: dict[str, list[list[object]]], header: list[str]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(["3-12  分行业规模以上工业增加值"])
        ws.append([None, None, "单位：亿元"])
        ws.append(header)
        for r in rows:
            ws.append(r)
        ws.append(["注：本表为测试用表。"])
    wb.save(path)
    return path


HEADER = ["地区", "合计", "汽车制造业", "C38 电气机械和器材制造业", "39"]


def test_yearbook_layout_reads_industries_years_units_and_the_national_reference(tmp_path: Path) -> None:
    path = _yearbook(tmp_path / "industry.xlsx", {
        "2021": [["全国", 900, 300, 400, 200], ["北京", 90, 30, 20, 40], ["天  津①", 80, 20, 40, 20],
                 ["石家庄市", 30, 10, 10, "—"]],
        "2022": [["全国", 990, 330, 440, 220], ["北京", 100, 35, 25, 40], ["天津", 85, 25, 40, 20],
                 ["石家庄市", 33, 11, 12, 10]],
    }, HEADER)
    t = read_industry_table(path, measure="value_added")
    assert t.industries == ["C36", "C38", "C39"]
    assert t.regions == ["110000", "120000", "130100"]
    assert t.years == [2021, 2022] and t.unit == "亿元"
    assert t.provenance["total_columns_dropped"] == ["合计"]
    cube = t.cube()
    assert cube.shape == (2, 3, 3)
    assert cube[1, 0].tolist() == [35.0, 25.0, 40.0]
    assert np.isnan(cube[0, 2, 2])  # the placeholder — stays missing
    assert t.reference_row(2022).tolist() == [330.0, 440.0, 220.0]
    assert t.locations is not None and set(t.locations["sheet"]) == {"2021", "2022"}


def test_unknown_industry_column_is_a_located_error_and_nothing_is_read(tmp_path: Path) -> None:
    path = _yearbook(tmp_path / "bad.xlsx", {"2022": [["北京", 1, 2, 3, 4]]},
                     ["地区", "汽车制造业", "汽车制造", "C99", "D36"])
    with pytest.raises(HqdError) as err:
        read_industry_table(path, measure="output")
    probs = [p for p in err.value.problems if p.code == "unknown_industry"]
    assert [p.indicator for p in probs] == ["汽车制造", "C99", "D36"]
    assert all(p.file == "bad.xlsx" and p.sheet == "2022" and p.column for p in probs)
    assert "closest names: C36 汽车制造业" in probs[0].message
    assert "belongs to section C" in probs[2].message
    # an alias names what the label means, and is itself checked
    t = read_industry_table(path, measure="output", industry_aliases={"汽车制造": "C37", "C99": "C39", "D36": "C40"})
    assert t.industries == ["C36", "C37", "C39", "C40"]


def test_negative_value_is_an_error_with_sheet_row_and_column(tmp_path: Path) -> None:
    path = _yearbook(tmp_path / "neg.xlsx", {"2022": [["北京", 1, 2, -3, 4], ["天津", 1, 2, 3, 4]]}, HEADER)
    with pytest.raises(HqdError) as err:
        read_industry_table(path, measure="output")
    (p,) = err.value.problems
    assert (p.code, p.sheet, p.row, p.region, p.indicator) == ("negative_value", "2022", 4, "110000", "C38")
    assert p.column and "电气机械" in p.column


def test_unknown_measure_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(HqdError) as err:
        read_industry_table(tmp_path / "x.xlsx", measure="gdp")
    assert err.value.codes == ["unknown_measure"] and "value_added" in str(err.value)


def test_long_table_reads_codes_in_any_spelling_and_checks_everything(tmp_path: Path) -> None:
    good = pd.DataFrame({
        "region": ["北京", "110000", "天津", "天津", "全国", "全国"],
        "industry": ["36", "C38", "c 36", "3811", "C36", "C38"],
        "year": [2022] * 6,
        "value": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0],
    })
    t = read_industry_long(good, measure="output")
    assert t.industries == ["C36", "C38", "C3811"] and t.regions == ["110000", "120000"]
    assert t.reference is not None and t.reference["value"].tolist() == [10.0, 20.0]
    bad = good.assign(industry=["36", "C99", "c 36", "3811", "C36", "C38"],
                      value=[1.0, 2.0, -3.0, 4.0, 10.0, 20.0])
    path = tmp_path / "long.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(HqdError) as err:
        read_industry_long(path, measure="output")
    found = {(p.code, p.row) for p in err.value.problems}
    assert ("unknown_industry", 3) in found
    dup = good.assign(industry=["36", "36", "c 36", "3811", "C36", "C38"])
    with pytest.raises(HqdError) as err:
        read_industry_long(dup, measure="output")
    assert err.value.codes == ["duplicate_observation"] and err.value.problems[0].row == 3
    neg = good.assign(value=[1.0, 2.0, -3.0, 4.0, 10.0, 20.0])
    with pytest.raises(HqdError) as err:
        read_industry_long(neg, measure="output")
    assert err.value.codes == ["negative_value"] and err.value.problems[0].row == 4
    with pytest.raises(HqdError) as err:
        read_industry_long(good.drop(columns="industry"), measure="output")
    assert err.value.codes == ["missing_column"]


def test_aggregate_sums_cities_and_keeps_missing_cells_missing() -> None:
    data = pd.DataFrame({"region": ["130100", "130200", "130100", "130200"], "industry": ["C36", "C36", "C38", "C38"],
                         "year": 2022, "value": [1.0, 2.0, np.nan, 4.0]})
    t = read_industry_long(data, measure="output")
    agg = t.aggregate({"130100": "130000", "130200": "130000"})
    assert agg.matrix(2022)[0, 0] == 3.0 and np.isnan(agg.matrix(2022)[0, 1])
    with pytest.raises(HqdError) as err:
        t.aggregate({"130100": "130000"})
    assert err.value.codes == ["missing_group"]


def test_io_table_reader(tmp_path: Path) -> None:
    path = tmp_path / "io.csv"
    path.write_text("sector,agri,manu,final_demand,total_output\nagri,150,500,350,1000\nmanu,200,100,1700,2000\n",
                    encoding="utf-8")
    io = read_io_table(path)
    assert io.sectors == ["agri", "manu"] and io.Z.tolist() == [[150, 500], [200, 100]]
    assert io.x.tolist() == [1000, 2000] and io.provenance["ignored_columns"] == ["final_demand"]
    path.write_text("sector,agri,manu,total_output\nagri,150,-5,1000\nmanu,200,x,2000\n", encoding="utf-8")
    with pytest.raises(HqdError) as err:
        read_io_table(path)
    assert {(p.code, p.row, p.column) for p in err.value.problems} == {
        ("negative_value", 2, "manu"), ("non_numeric", 3, "manu")}
    path.write_text("sector,manu,agri,total_output\nagri,1,2,3\nmanu,1,2,3\n", encoding="utf-8")
    with pytest.raises(HqdError) as err:
        read_io_table(path)
    assert err.value.codes == ["io_sectors_mismatch"]


def test_older_yearbooks_section_names_map_only_when_asked_and_are_recorded(tmp_path: Path) -> None:
    path = _yearbook(tmp_path / "ccsy.xlsx", {"2010": [["北京", 10, 20, 30], ["天津", 5, 6, 7]]},
                     ["城市", "制造业", "信息传输、计算机服务和软件业", "公共管理和社会组织"])
    with pytest.raises(HqdError) as err:
        read_industry_table(path, measure="employment")
    assert err.value.codes == ["unknown_industry", "unknown_industry"]
    t = read_industry_table(path, measure="employment", older_names=True)
    assert t.industries == ["C", "I", "S"]
    assert t.provenance["older_names_mapped"] == {"信息传输、计算机服务和软件业": "I", "公共管理和社会组织": "S"}


def _rows_book(path: Path, sheets: dict[str, list[list[object]]], header: list[object]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(["分行业增加值"])
        ws.append(["单位：亿元"])
        ws.append(header)
        for r in rows:
            ws.append(r)
        ws.append(["资料来源：测试用表。"])
    wb.save(path)
    return path


def test_rows_layout_one_region_per_sheet_industries_down_years_across(tmp_path: Path) -> None:
    from hqd.io.industry import read_industry_rows

    path = _rows_book(tmp_path / "rows.xlsx", {
        "北京": [["合计", 100, 110], ["  其中：汽车制造业", 30, 33], ["C39 计算机、通信和其他电子设备制造业", 40, 45],
                 ["65", 30, "…"]],
        "石家庄市": [["合计", 50, 55], ["汽车制造业", 5, 6], ["医药制造业", 20, 22]],
    }, ["行业", "2021年", 2022])
    t = read_industry_rows(path, measure="value_added")
    assert t.regions == ["110000", "130100"] and t.years == [2021, 2022] and t.unit == "亿元"
    assert t.industries == ["C36", "C39", "I65", "C27"]
    m = t.matrix(2022)
    assert m[0].tolist()[:2] == [33.0, 45.0] and np.isnan(m[0, 2]) and np.isnan(m[1, 1])
    assert t.provenance["total_rows_dropped"] == ["合计", "合计"]


def test_rows_layout_bad_input_is_located(tmp_path: Path) -> None:
    from hqd.io.industry import read_industry_rows

    path = _rows_book(tmp_path / "bad_rows.xlsx", {
        "北京": [["汽车制造业", 30, -1], ["汽车", 1, 2], ["电子", "abc", 2]],
    }, ["行业", 2021, 2022])
    with pytest.raises(HqdError) as err:
        read_industry_rows(path, measure="value_added")
    found = {(p.code, p.sheet, p.row) for p in err.value.problems}
    assert found == {("unknown_industry", "北京", 5), ("unknown_industry", "北京", 6)}
    with pytest.raises(HqdError) as err:
        read_industry_rows(path, measure="value_added", industry_aliases={"汽车": "C37", "电子": "C39"})
    assert {(p.code, p.row, p.column) for p in err.value.problems} == {("non_numeric", 6, "2021")}
    path = _rows_book(tmp_path / "neg_rows.xlsx", {"北京": [["汽车制造业", 30, -1]]}, ["行业", 2021, 2022])
    with pytest.raises(HqdError) as err:
        read_industry_rows(path, measure="value_added")
    assert [(p.code, p.sheet, p.row, p.column) for p in err.value.problems] == [("negative_value", "北京", 4, "2022")]
    path = _rows_book(tmp_path / "no_region.xlsx", {"Sheet9": [["汽车制造业", 1, 2]]}, ["行业", 2021, 2022])
    with pytest.raises(HqdError) as err:
        read_industry_rows(path, measure="value_added")
    assert "region_unknown" in err.value.codes
    assert read_industry_rows(path, measure="value_added", region="天津").regions == ["120000"]


def test_a_section_beside_its_own_divisions_is_refused_unless_one_level_is_chosen(tmp_path: Path) -> None:
    path = _yearbook(tmp_path / "mixed.xlsx", {"2022": [["北京", 100, 30, 40, 5]]},
                     ["地区", "制造业", "汽车制造业", "医药制造业", "房地产业"])
    with pytest.raises(HqdError) as err:
        read_industry_table(path, measure="output")
    assert err.value.codes == ["mixed_industry_levels"] and "C27, C36" in str(err.value)
    divisions = read_industry_table(path, measure="output", industry_level="division")
    assert divisions.industries == ["C36", "C27", "K70"] and divisions.provenance["other_level_dropped"] == ["制造业"]
    sections = read_industry_table(path, measure="output", industry_level="section")
    assert sections.industries == ["C", "K"]  # 房地产业 is section K and its only division K70
