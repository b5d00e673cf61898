"""Units (parse, convert) and deflation with chain (previous year = 100) and fixed-base indexes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hqd.errors import HqdError
from hqd.io.readers.deflate import deflate, price_level
from hqd.io.readers.panel import from_wide
from hqd.io.readers.units import conversion_factor, convert, parse_unit, split_label, unit_line


@pytest.mark.parametrize(
    ("text", "dimension", "factor"),
    [
        ("元", "CNY", 1),
        ("万元", "CNY", 1e4),
        ("亿元", "CNY", 1e8),
        ("万亿元", "CNY", 1e12),
        ("人", "persons", 1),
        ("万人", "persons", 1e4),
        ("%", "ratio", 0.01),
        ("‰", "ratio", 0.001),
        ("吨", "t", 1),
        ("万吨", "t", 1e4),
        ("万美元", "USD", 1e4),
        ("亿美元", "USD", 1e8),
        ("current US$", "USD", 1),
        ("人年", "person-years", 1),
        ("万件", "count:件", 1e4),
        ("元/人", "CNY/persons", 1),
        ("万元/人", "CNY/persons", 1e4),
        ("平方公里", "m2", 1e6),
        ("亿千瓦时", "kWh", 1e8),
        ("Mt", "t", 1e6),
    ],
)
def test_parse_unit(text: str, dimension: str, factor: float) -> None:
    unit = parse_unit(text)
    assert unit is not None and unit.dimension == dimension and unit.factor == pytest.approx(factor)


def test_index_bases_and_unknown_units_never_convert() -> None:
    assert parse_unit("上年=100").dimension == "index"
    assert parse_unit("2010年=100").dimension == "index"
    assert parse_unit("% of GDP").dimension == "unknown"
    with pytest.raises(HqdError) as err:
        conversion_factor("上年=100", "%")
    assert err.value.codes == ["unit_unknown"]
    with pytest.raises(HqdError) as err:
        conversion_factor("万元", "万人")
    assert err.value.codes == ["unit_incompatible"] and "CNY" in str(err.value)


def test_split_label_and_unit_line() -> None:
    assert split_label("地区生产总值(亿元)") == ("地区生产总值", "亿元")
    assert split_label("年末常住人口（万人）") == ("年末常住人口", "万人")
    assert split_label("GDP (current US$)") == ("GDP", "current US$")
    assert split_label("地区生产总值") == ("地区生产总值", None)
    assert (
        unit_line("单位：万元") == "万元"
        and unit_line("计量单位: 亿元") == "亿元"
        and unit_line("北京") is None
    )


def test_convert_matches_published_figures() -> None:
    # Beijing 2012 GDP: 178,794,000 万元 (CCSY panel) = 17,879.4 亿元 (PROVENANCE.md of that panel)
    assert convert(np.array([178794000.0]), "万元", "亿元")[0] == pytest.approx(17879.4)
    # Beijing 2022 technology-contract turnover: 79,475,111 万元 = 7,947.5 亿元 (innovation PROVENANCE.md)
    assert convert(np.array([79475111.0]), "万元", "亿元")[0] == pytest.approx(7947.5, abs=0.05)


@given(
    st.sampled_from(["元", "万元", "亿元", "千元"]),
    st.sampled_from(["元", "万元", "亿元", "千元"]),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
)
def test_conversion_round_trip(a: str, b: str, x: float) -> None:
    there = convert(np.array([x]), a, b)
    back = convert(there, b, a)
    assert back[0] == pytest.approx(x, rel=1e-12, abs=1e-9)


def _panel() -> object:
    frame = pd.DataFrame(
        {
            "r": ["北京", "北京", "北京", "天津", "天津", "天津"],
            "y": [2020, 2021, 2022] * 2,
            "gdp": [100.0, 110.0, 121.0, 50.0, 55.0, 60.5],
            "pop": [1.0] * 6,
        }
    )
    return from_wide(frame, region="r", year="y", units={"gdp": "亿元", "pop": "万人"}, level="province")


def test_chain_index_deflation_by_region() -> None:
    index = pd.DataFrame(
        {
            "region": ["110000"] * 3 + ["120000"] * 3,
            "year": [2020, 2021, 2022] * 2,
            "value": [102.0, 110.0, 110.0, 101.0, 100.0, 110.0],
        }
    )
    real = deflate(_panel(), index, base_year=2020, kind="chain", index_name="CPI (上年=100)")
    v = real.data.set_index(["region", "year", "indicator"])["value"]
    assert v[("110000", 2020, "gdp")] == pytest.approx(100.0)
    assert v[("110000", 2021, "gdp")] == pytest.approx(100.0)  # 110 / 1.10
    assert v[("110000", 2022, "gdp")] == pytest.approx(100.0)  # 121 / 1.21
    assert v[("120000", 2022, "gdp")] == pytest.approx(55.0)  # 60.5 / (1.00 * 1.10)
    assert v[("110000", 2021, "pop")] == 1.0  # not money: untouched
    assert real.units["gdp"] == "亿元, constant 2020 prices"
    conv = real.conversions[-1]
    assert (conv["kind"], conv["index_kind"], conv["base_year"], conv["by"]) == (
        "deflate",
        "chain",
        2020,
        "region",
    )
    assert "previous year = 100 chain" in real.describe()


def test_chain_and_fixed_agree_and_base_year_in_the_middle() -> None:
    chain = pd.DataFrame({"year": [2019, 2020, 2021, 2022], "value": [100.0, 102.0, 103.0, 105.0]})
    fixed = chain.assign(value=100 * np.cumprod(chain["value"] / 100))  # same prices, fixed base 2019
    a = price_level(chain, base_year=2021, kind="chain")
    b = price_level(fixed, base_year=2021, kind="fixed")
    np.testing.assert_allclose(a["level"], b["level"])
    assert a.set_index("year").loc[2021, "level"] == 1.0
    assert a.set_index("year").loc[2020, "level"] == pytest.approx(1 / 1.03)
    assert a.set_index("year").loc[2022, "level"] == pytest.approx(1.05)


def test_national_index_applies_to_all_regions() -> None:
    index = pd.DataFrame({"year": [2020, 2021, 2022], "value": [100.0, 110.0, 110.0]})
    real = deflate(_panel(), index, base_year=2022, kind="chain")
    v = real.data.set_index(["region", "year", "indicator"])["value"]
    assert v[("120000", 2020, "gdp")] == pytest.approx(50.0 * 1.21)
    assert real.conversions[-1]["by"] == "national"


def test_gap_in_chain_is_an_error_never_a_wrong_number() -> None:
    index = pd.DataFrame({"year": [2020, 2022], "value": [100.0, 110.0]})  # 2021 missing
    with pytest.raises(HqdError) as err:
        deflate(_panel(), index, base_year=2020, kind="chain")
    assert set(err.value.codes) == {"price_index_missing"}
    assert {(p.region, p.year) for p in err.value.problems} == {
        ("110000", 2021),
        ("110000", 2022),
        ("120000", 2021),
        ("120000", 2022),
    }


def test_only_money_deflates_and_kind_is_checked() -> None:
    index = pd.DataFrame({"year": [2020, 2021, 2022], "value": [100.0] * 3})
    with pytest.raises(HqdError) as err:
        deflate(_panel(), index, base_year=2020, kind="chain", indicators=["pop"])
    assert err.value.codes == ["deflate_not_money"]
    with pytest.raises(HqdError) as err:
        deflate(_panel(), index, base_year=2020, kind="chained")
    assert err.value.codes == ["index_kind_unknown"] and "chain, fixed" in str(err.value)


def test_panel_convert_records(tmp_path: Path) -> None:
    panel = _panel().convert({"gdp": "万元"})
    assert panel.data.loc[panel.data["indicator"] == "gdp", "value"].iloc[0] == 100.0 * 1e4
    assert panel.conversions[0]["factor"] == 1e4 and panel.units["gdp"] == "万元"
    with pytest.raises(HqdError) as err:
        _panel().convert({"gdp": "万人", "nope": "元"})
    assert sorted(err.value.codes) == ["unit_incompatible", "unknown_indicator"]
