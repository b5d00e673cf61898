"""Plausibility rules on the messy CCSY city panel: its known problems (PROVENANCE.md) each reported with location."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hqd.errors import HqdError
from hqd.io.readers.panel import OfficialPanel, from_wide
from hqd.io.readers.plausibility import Rule, apply, check, rules_from_mapping

CCSY = ("data", "china_cities_ccsy_2004_2012", "china_cities_2004_2012.csv")
RULES = {
    "green_coverage_rate_built_area_pct_districts": {"percent": True},
    "domestic_waste_harmless_treatment_rate_pct": {"percent": True},
    "fiscal_revenue_to_gdp_ratio": {"valid_min": 0, "valid_max": 1},
    "fdi_actually_used_10k_usd": {"zero_is_missing": True},
    "public_toilets_count": {"zero_is_missing": True},
    "primary_secondary_students": {"zero_is_missing": True},
}


@pytest.fixture(scope="module")
def ccsy() -> OfficialPanel:
    import conftest

    path = conftest.shared_path(*CCSY)
    inds = [c for c in pd.read_csv(path, nrows=0).columns if c not in ("city_zh", "year", "is_jjj")]
    return from_wide(
        path, region="city_zh", year="year", indicators=inds, level="prefecture", aliases={"毫州市": "341600"}
    )


def test_city_names_resolve_with_history(ccsy: OfficialPanel) -> None:
    assert ccsy.data["region"].nunique() == 286  # 287 names, 毫州市 is a typo of 亳州市
    codes = {w.code: w for w in ccsy.warnings}
    assert codes["region_renamed"].message.startswith("思茅市 (530800) was renamed 普洱市")
    assert codes["region_renamed"].row is not None and codes["region_renamed"].year == 2012
    historical = [w.message for w in ccsy.warnings if w.code == "region_historical_code"]
    assert any("巢湖市" in m and "341400" in m for m in historical)  # 巢湖市 2010: a prefecture until 2011
    assert any("莱芜市" in m and "371200" in m for m in historical)  # 莱芜市: merged into 济南 in 2019


def test_typo_without_alias_is_an_error_with_location(shared: Path) -> None:
    frame = pd.read_csv(shared.joinpath(*CCSY), dtype=object, keep_default_na=False)
    with pytest.raises(HqdError) as err:
        from_wide(
            frame,
            region="city_zh",
            year="year",
            indicators=["gdp_current_10k_cny"],
            level="prefecture",
            label="ccsy.csv",
        )
    (p,) = [q for q in err.value.problems if q.severity == "error"]
    assert p.code == "region_unknown" and "毫州市" in p.message and p.column == "city_zh"
    assert frame["city_zh"].iloc[p.row - 2] == "毫州市"


def test_known_problems_are_each_reported(ccsy: OfficialPanel) -> None:
    problems = check(ccsy, rules_from_mapping(RULES))
    count = pd.Series([(p.code, p.indicator) for p in problems]).value_counts().to_dict()
    assert count[("percent_out_of_range", "green_coverage_rate_built_area_pct_districts")] == 5
    assert count[("percent_out_of_range", "domestic_waste_harmless_treatment_rate_pct")] == 1
    assert count[("value_above_max", "fiscal_revenue_to_gdp_ratio")] == 5
    assert count[("zero_is_missing", "fdi_actually_used_10k_usd")] == 61
    assert count[("zero_is_missing", "public_toilets_count")] == 23
    assert count[("zero_is_missing", "primary_secondary_students")] == 2
    waste = next(p for p in problems if p.indicator == "domestic_waste_harmless_treatment_rate_pct")
    assert waste.message.startswith("362") and waste.file == "china_cities_2004_2012.csv"
    raw = pd.read_csv(conftest_path())
    assert raw.loc[waste.row - 2, waste.column] == 362
    assert raw.loc[waste.row - 2, "year"] == waste.year


def conftest_path() -> Path:
    import conftest

    return conftest.shared_path(*CCSY)


def test_jjj_cities_zero_waste_rates(shared: Path) -> None:
    path = shared / "data/china_cities_ccsy_2004_2012/jjj_13_cities_2004_2012.csv"
    panel = from_wide(
        path, region="city_zh", year="year", indicators=["domestic_waste_harmless_treatment_rate_pct"]
    )
    problems = check(
        panel, [Rule("domestic_waste_harmless_treatment_rate_pct", percent=True, zero_is_missing=True)]
    )
    assert sum(p.code == "zero_is_missing" for p in problems) == 15
    assert {p.region for p in problems} <= {r for r in panel.data["region"]}


def test_apply_sets_zeros_missing_and_records(ccsy: OfficialPanel) -> None:
    cleaned, problems = apply(
        ccsy,
        [
            Rule("fdi_actually_used_10k_usd", zero_is_missing=True),
            Rule("fiscal_revenue_to_gdp_ratio", valid_max=1),
        ],
    )
    fdi = cleaned.data[cleaned.data["indicator"] == "fdi_actually_used_10k_usd"]["value"]
    before = ccsy.data[ccsy.data["indicator"] == "fdi_actually_used_10k_usd"]["value"]
    assert (fdi == 0).sum() == 0 and fdi.isna().sum() == before.isna().sum() + 61
    # out-of-range values are reported, never changed
    ratio = cleaned.data[cleaned.data["indicator"] == "fiscal_revenue_to_gdp_ratio"]["value"]
    assert (ratio > 1).sum() == 5
    assert "61 zeros set missing" in cleaned.describe()
    assert len(problems) == 66


def test_rule_options_are_validated(ccsy: OfficialPanel) -> None:
    with pytest.raises(HqdError) as err:
        rules_from_mapping({"x": {"valid_maxx": 1}})
    assert err.value.codes == ["rule_option_unknown"] and "valid_max" in str(err.value)
    with pytest.raises(HqdError) as err:
        check(ccsy, [Rule("nope", percent=True)])
    assert err.value.codes == ["unknown_indicator"]


def test_missing_values_are_never_flagged() -> None:
    frame = pd.DataFrame({"r": ["北京", "天津"], "y": [2020, 2020], "share": [np.nan, 120.0]})
    panel = from_wide(frame, region="r", year="y", level="province")
    problems = check(panel, [Rule("share", percent=True, zero_is_missing=True)])
    assert [(p.code, p.region, p.row) for p in problems] == [("percent_out_of_range", "120000", 3)]
