"""NBS data-portal exports: the real export in shared/, and crafted variants (GBK/UTF-8, CSV/XLSX/XLS/HTML)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hqd.errors import HqdError
from hqd.io.readers import combine, detect, read
from hqd.io.readers.nbs import parse_time

NBS = ("china_province_gdp_nbs", "nbs_export_province_gdp_original_utf8.txt")

PREAMBLE = ["数据库：分省年度数据", "指标：地区生产总值(亿元)", "时间：最近3年"]
TABLE = [
    ["地区", "2024年", "2023年", "2022年"],
    ["北京市", "49670.2", "47353.7", "45222.4"],
    ["天津市", "17931.3", "", "16588.5"],
    ["河北省", "47448.1", "45660.0", "—"],
]
FOOTER = ["注：按照我国国民经济核算数据修订制度……进行了系统修订。", "数据来源：国家统计局"]


def _csv(rows: list[list[str]]) -> str:
    return "\r\n".join(",".join(r) for r in rows) + "\r\n"


def write_export(path: Path, encoding: str = "utf-8", preamble=PREAMBLE, table=TABLE, footer=FOOTER) -> Path:
    text = "\r\n".join(preamble) + "\r\n" + _csv(table) + "\r\n".join(footer) + ("\r\n" if footer else "")
    path.write_bytes(text.encode(encoding))
    return path


def test_real_export_matches_the_long_file(shared: Path) -> None:
    panel = read(shared.joinpath("data", *NBS))
    data = panel.data
    assert data.shape == (31 * 19, 4)
    assert panel.units == {"地区生产总值": "亿元"}
    assert data["region"].nunique() == 31 and data["year"].min() == 2006 and data["year"].max() == 2024
    long = pd.read_csv(shared / "data/china_province_gdp_nbs/province_gdp_nbs_2006_2024_long.csv")
    from hqd.model.regions import resolve_many

    long["region"], _ = resolve_many(long["province_zh_full"], level="province")
    merged = long.merge(data, on=["region", "year"], how="outer", validate="1:1")
    assert len(merged) == 589
    np.testing.assert_allclose(merged["value"], merged["gdp_100m_cny"], rtol=0, atol=0)
    # spot checks from PROVENANCE.md
    idx = data.set_index(["region", "year"])["value"]
    assert (
        idx[("110000", 2022)] == 45222.4
        and idx[("130000", 2012)] == 23437.3
        and idx[("120000", 2024)] == 17931.3
    )
    prov = panel.provenance[0]
    assert prov["database"] == "分省年度数据" and prov["encoding"] == "utf-8"
    assert (
        prov["notes"][0].startswith("按照我国国民经济核算数据修订制度")
        and "第五次全国经济普查" in prov["notes"][0]
    )
    assert prov["source_line"] == "数据来源：国家统计局"
    text = panel.describe()
    assert text.startswith("NBS 分省年度数据 export")
    assert "indicator 地区生产总值 (亿元), 31 regions × 19 years, 2006–2024" in text
    assert "note: 按照我国国民经济核算数据修订制度" in text


def test_real_export_round_trip(shared: Path, tmp_path: Path) -> None:
    panel = read(shared.joinpath("data", *NBS), format="nbs")
    out = panel.to_csv(tmp_path / "gdp_long.csv")
    back = pd.read_csv(out, dtype={"region": str})
    assert list(back.columns) == ["region", "region_zh", "year", "indicator", "value", "unit"]
    merged = panel.data.merge(back, on=["region", "year", "indicator"], suffixes=("", "_back"))
    assert len(merged) == len(panel.data)
    assert (merged["value"] == merged["value_back"]).all()  # bit-identical numbers
    # and back to the NBS layout: the original table
    raw = pd.read_csv(shared.joinpath("data", *NBS), skiprows=3, nrows=31, encoding="utf-8")
    wide = back.pivot(index="region_zh", columns="year", values="value")
    for _, row in raw.iterrows():
        for col in raw.columns[1:]:
            assert wide.loc[row["地区"], int(col.rstrip("年"))] == row[col]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_crafted_export_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = write_export(tmp_path / "export.csv", encoding)
    assert detect(path) == "nbs"
    panel = read(path)
    expected = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030", "gb18030": "gb18030"}[encoding]
    assert panel.provenance[0]["encoding"] == expected
    idx = panel.data.set_index(["region", "year"])["value"]
    assert idx[("110000", 2024)] == 49670.2
    assert np.isnan(idx[("120000", 2023)]) and np.isnan(idx[("130000", 2022)])
    assert panel.provenance[0]["placeholders"] == {"blank": 1, "—": 1}
    assert "2 missing ('blank': 1, '—': 1)" in panel.describe()


def test_variant_header_colons_and_no_footer(tmp_path: Path) -> None:
    path = write_export(
        tmp_path / "e.csv",
        preamble=["数据库:分省年度数据", "指标:地区生产总值（亿元）", "时间:2022-2024"],
        footer=[],
    )
    panel = read(path)
    assert panel.units == {"地区生产总值": "亿元"}
    assert panel.provenance[0]["notes"] == [] and panel.provenance[0]["source_line"] is None


def test_multiline_notes_and_numbered_notes(tmp_path: Path) -> None:
    path = write_export(
        tmp_path / "e.csv",
        footer=["注1：第一条说明，", "续写的说明。", "注2：第二条。", "数据来源：国家统计局"],
    )
    notes = read(path).provenance[0]["notes"]
    assert notes == ["第一条说明，续写的说明。", "第二条。"]


def test_region_fixed_layout_indicators_in_rows(tmp_path: Path) -> None:
    table = [
        ["指标", "2023年", "2022年"],
        ["地区生产总值(亿元)", "47353.7", "45222.4"],
        ["年末常住人口(万人)", "2185", "2184"],
    ]
    path = write_export(
        tmp_path / "bj.csv", preamble=["数据库：分省年度数据", "地区：北京市", "时间：最近2年"], table=table
    )
    panel = read(path, indicator_codes={"地区生产总值": "gdp", "年末常住人口": "pop"})
    assert panel.units == {"gdp": "亿元", "pop": "万人"}
    assert set(panel.data["region"]) == {"110000"}
    assert panel.names["pop"] == ("年末常住人口", "")


def test_time_fixed_layout_indicators_in_columns(tmp_path: Path) -> None:
    table = [
        ["地区", "地区生产总值(亿元)", "年末常住人口(万人)"],
        ["北京市", "47353.7", "2185"],
        ["天津市", "17211.8", "1364"],
    ]
    path = write_export(tmp_path / "t.csv", preamble=["数据库：分省年度数据", "时间：2023年"], table=table)
    panel = read(path)
    assert set(panel.data["year"]) == {2023} and set(panel.indicators) == {"地区生产总值", "年末常住人口"}


def test_national_database(tmp_path: Path) -> None:
    table = [["指标", "2023年", "2022年"], ["国内生产总值(亿元)", "1260582.1", "1204724.0"]]
    path = write_export(tmp_path / "n.csv", preamble=["数据库：年度数据", "时间：最近2年"], table=table)
    panel = read(path)
    assert set(panel.data["region"]) == {"CHN"}


def test_quarterly_and_monthly_periods(tmp_path: Path) -> None:
    table = [["地区", "2024年第二季度", "2024年第一季度"], ["北京市", "12000", "11000"]]
    panel = read(
        write_export(
            tmp_path / "q.csv",
            preamble=["数据库：分省季度数据", "指标：地区生产总值_累计值(亿元)", "时间：最近2季度"],
            table=table,
        )
    )
    assert list(panel.data["period"]) == ["Q2", "Q1"]
    table = [["地区", "2024年2月", "2024年1-2月"], ["北京市", "101.2", "100.9"]]
    panel = read(
        write_export(
            tmp_path / "m.csv",
            preamble=["数据库：分省月度数据", "指标：居民消费价格指数(上年同月=100)", "时间：最近2月"],
            table=table,
        )
    )
    assert list(panel.data["period"]) == ["M02", "M01-02"]
    assert panel.units["居民消费价格指数"] == "上年同月=100"


@pytest.mark.parametrize(
    ("label", "parsed"),
    [
        ("2024年", (2024, None, "annual")),
        ("2024年第三季度", (2024, "Q3", "quarterly")),
        ("2024年1-3季度", (2024, "Q1-3", "quarterly")),
        ("2024年12月", (2024, "M12", "monthly")),
        ("2024年1-2月", (2024, "M01-02", "monthly")),
        ("北京市", None),
    ],
)
def test_parse_time(label: str, parsed: tuple | None) -> None:
    assert parse_time(label) == parsed


def test_city_database_resolves_prefectures(tmp_path: Path) -> None:
    table = [["地区", "2023年"], ["石家庄市", "7534.2"], ["吉林市", "1700.0"]]
    panel = read(
        write_export(
            tmp_path / "c.csv",
            preamble=["数据库：主要城市年度数据", "指标：地区生产总值(亿元)", "时间：2023"],
            table=table,
        )
    )
    assert list(panel.data["region"]) == ["130100", "220200"]


def test_xlsx_and_xls_and_html_exports(tmp_path: Path) -> None:
    import openpyxl
    import xlwt

    rows = [[p] for p in PREAMBLE] + TABLE + [[f] for f in FOOTER]
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "分省年度数据"
    for r in rows:
        ws.append([float(c) if c.replace(".", "").isdigit() else c for c in r])
    book.save(tmp_path / "e.xlsx")
    xbook = xlwt.Workbook()
    xs = xbook.add_sheet("Sheet1")
    for i, r in enumerate(rows):
        for j, c in enumerate(r):
            xs.write(i, j, float(c) if c.replace(".", "").isdigit() else c)
    xbook.save(str(tmp_path / "e.xls"))
    html = (
        "<html><body><table>"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
        + "</table></body></html>"
    )
    (tmp_path / "h.xls").write_bytes(html.encode("gbk"))
    for name, kind in (("e.xlsx", "xlsx"), ("e.xls", "xls"), ("h.xls", "html")):
        panel = read(tmp_path / name)
        assert panel.provenance[0]["kind"] == kind
        idx = panel.data.set_index(["region", "year"])["value"]
        assert idx[("110000", 2024)] == 49670.2 and np.isnan(idx[("130000", 2022)])
        assert panel.provenance[0]["notes"] == ["按照我国国民经济核算数据修订制度……进行了系统修订。"]


def test_unparseable_cell_is_located(tmp_path: Path) -> None:
    table = [row[:] for row in TABLE]
    table[2][2] = "17x1"
    with pytest.raises(HqdError) as err:
        read(write_export(tmp_path / "bad.csv", table=table))
    (p,) = err.value.problems
    assert (p.code, p.file, p.row, p.column) == ("non_numeric", "bad.csv", 6, "2023年")


def test_unknown_region_is_located_with_candidates(tmp_path: Path) -> None:
    table = [row[:] for row in TABLE]
    table[3][0] = "河北生"
    with pytest.raises(HqdError) as err:
        read(write_export(tmp_path / "bad.csv", table=table))
    (p,) = err.value.problems
    assert (p.code, p.row, p.column) == ("region_unknown", 7, "A")
    assert "河北省" in p.message


def test_rows_after_footer_and_missing_header_are_errors(tmp_path: Path) -> None:
    path = write_export(tmp_path / "f.csv", footer=["注：说明", "数据来源：国家统计局", "北京市,1,2,3"])
    with pytest.raises(HqdError) as err:
        read(path)
    assert err.value.codes == ["nbs_footer_unexpected"]
    path = write_export(tmp_path / "h.csv", table=[["省份名", "2024年"], ["北京市", "1"]])
    with pytest.raises(HqdError) as err:
        read(path, format="nbs")
    assert err.value.codes == ["nbs_header_missing"] and err.value.problems[0].row == 4


def test_detection_refuses_unknown_and_names_formats(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(HqdError) as err:
        read(path)
    assert err.value.codes == ["format_unknown"] and "nbs, worldbank, undp, yearbook" in str(err.value)
    with pytest.raises(HqdError) as err:
        read(path, format="nbss")
    assert err.value.codes == ["format_unknown"]


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("数据库：分省年度数据\n".encode() + b"\xff\xfe\xfa\x80\x81\n")
    with pytest.raises(HqdError) as err:
        read(path)
    assert err.value.codes == ["encoding_error"]


def test_combine_several_exports_and_unit_mismatch(tmp_path: Path) -> None:
    gdp = read(write_export(tmp_path / "gdp.csv"))
    pop = read(
        write_export(
            tmp_path / "pop.csv",
            preamble=["数据库：分省年度数据", "指标：年末常住人口(万人)", "时间：最近3年"],
        )
    )
    both = combine([gdp, pop])
    assert set(both.indicators) == {"地区生产总值", "年末常住人口"} and len(both.data) == 18
    assert len(both.provenance) == 2 and both.describe().count("NBS 分省年度数据 export") == 2
    gdp_wan = read(
        write_export(
            tmp_path / "gdp2.csv",
            preamble=["数据库：分省年度数据", "指标：地区生产总值(万元)", "时间：x"],
            table=[["地区", "2021年"], ["北京市", "443507000"]],
        )
    )
    with pytest.raises(HqdError) as err:
        combine([gdp, gdp_wan])
    assert err.value.codes == ["unit_mismatch"]
    assert "gdp.csv" in str(err.value) and "gdp2.csv" in str(err.value)
    converted = gdp_wan.convert({"地区生产总值": "亿元"})
    merged = combine([gdp, converted])
    assert merged.data.set_index(["region", "year"]).loc[("110000", 2021), "value"] == pytest.approx(44350.7)
    assert "× 0.0001" in merged.describe()
    with pytest.raises(HqdError) as err:
        combine([gdp, gdp])
    assert err.value.codes == ["duplicate_observation"]
