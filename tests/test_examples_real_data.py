"""Real-data examples (examples/china_innovation, examples/china_provinces_co2) run from ../shared/data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hqd.errors import HqdError
from hqd.pipeline import run

REPO = Path(__file__).resolve().parents[1]


def test_china_innovation_index_and_rd_tie_out(shared: Path) -> None:
    example = REPO / "examples" / "china_innovation"
    result = run(example / "framework.csv",
                 shared / "data" / "china_province_innovation" / "province_innovation_long.csv",
                 example / "recipe.yaml", regions=example / "regions.csv", region_col="province_zh",
                 indicator_col="variable", region_names="province", exclude_regions=["CHN"], years=(2012, 2023))
    assert len(result.regions) == 31 and "CHN" not in result.regions
    assert list(result.years) == list(range(2012, 2024))
    # S&T share of the budget: Beijing 2012 = 199.9444 / total budget × 100 (PROVENANCE spot check).
    raw = pd.read_csv(shared / "data" / "china_province_innovation" / "province_innovation_long.csv")
    total = raw.query("province_zh == '北京' and year == 2012 and variable == 'v6_cz_yszc_hj'")["value"].iloc[0]
    share = result.step_table("denominated").loc[("110000", 2012), "v6_cz_yszc_kxjs"]
    assert share == pytest.approx(199.9444 / total * 100)
    # The Jing-Jin-Ji three's R&D expenditure ties out to the published regional totals.
    facts = pd.read_csv(shared / "data" / "jjj_published" / "jjj_published_facts.csv")
    published = facts[(facts["item"] == "R&D expenditure") & (facts["region"] == "Beijing-Tianjin-Hebei")]
    totals = result.group_values("jjj", step="raw").query("group == '京津冀' and indicator == 'v4_ztr_jf_RD'")
    totals = totals.set_index("year")["value"]
    for row in published.itertuples():
        assert totals[int(row.reference_year)] == pytest.approx(float(row.value), abs=0.05)
    assert set(published["reference_year"].astype(int)) >= {2021, 2022, 2023}
    # Entropy weights over all indicators, and the index is the sum of the two partial sums (the dimensions'
    # contributions; their scores are the partial sums over their attainable maxima).
    table = result.scores.pivot_table(index=["region", "year"], columns="node", values="contribution")
    np.testing.assert_allclose(table["INNO"], table["INPUT"] + table["OUTPUT"])
    group = result.group_scores("jjj").query("node == 'INNO' and group == '京津冀'")
    assert len(group) == 12 and group["score"].between(0, 1).all()


def test_china_co2_two_sources_and_gdp_vintage(shared: Path) -> None:
    example = REPO / "examples" / "china_provinces_co2"
    ceads = shared / "data" / "ceads_co2" / "ceads_province_co2_1997_2019.csv"
    nbs = shared / "data" / "china_province_gdp_nbs" / "nbs_export_province_gdp_original_utf8.txt"
    result = run(example / "framework.csv", [ceads, nbs], example / "recipe.yaml",
                 regions=example / "regions.csv", region_col="province_zh", data_format=["table", "nbs"],
                 region_names="province", years=(2006, 2019))
    assert len(result.regions) == 30 and "540000" not in result.regions  # Tibet: no CEADs inventory
    co2 = pd.read_csv(ceads).query("province_zh == '北京' and year == 2019")["co2_mt_scope_1_total"].iloc[0]
    gdp = pd.read_csv(shared / "data" / "china_province_gdp_nbs" / "province_gdp_nbs_2006_2024_long.csv")
    gdp_bj = gdp.query("province_en == 'Beijing' and year == 2019")["gdp_100m_cny"].iloc[0]
    intensity = result.step_table("denominated").loc[("110000", 2019), "co2_mt_scope_1_total"]
    assert intensity == pytest.approx(co2 / gdp_bj * 100)
    provenance = result.manifest["data_provenance"]
    assert any("第五次全国经济普查" in record["reader"] for record in provenance)


def test_messy_city_panel_problems_are_each_reported(shared: Path) -> None:
    """The city yearbook panel's known problems (its PROVENANCE.md) found by framework plausibility rules."""
    framework = pd.DataFrame({
        "code": ["I", "green_coverage_rate_built_area_pct_districts", "domestic_waste_harmless_treatment_rate_pct",
                 "fiscal_revenue_to_gdp_ratio", "fdi_actually_used_10k_usd", "primary_secondary_students"],
        "parent": [None, "I", "I", "I", "I", "I"],
        "direction": [None, 1, 1, 1, 1, 1],
        "percent": [None, "yes", "yes", None, None, None],
        "valid_min": [None, None, None, 0, None, None],
        "valid_max": [None, None, None, 1, None, None],
        "zero_is_missing": [None, None, None, None, "yes", "yes"],
    })
    data = shared / "data" / "china_cities_ccsy_2004_2012" / "china_cities_2004_2012.csv"
    with pytest.raises(HqdError) as info:
        run(framework, data, region_col="city_zh")
    implausible = [p for p in info.value.problems if p.code == "implausible_value"]
    by_indicator = pd.Series([p.indicator for p in implausible]).value_counts().to_dict()
    assert by_indicator == {"green_coverage_rate_built_area_pct_districts": 5,
                            "fiscal_revenue_to_gdp_ratio": 5, "domestic_waste_harmless_treatment_rate_pct": 1}
    waste = next(p for p in implausible if p.indicator == "domestic_waste_harmless_treatment_rate_pct")
    assert "362" in waste.message and waste.region and waste.year and waste.file == str(data)
    zeros = {p.indicator: p.message for p in info.value.problems if p.code == "zero_as_missing"}
    assert zeros["fdi_actually_used_10k_usd"].startswith("61 zero")
    assert zeros["primary_secondary_students"].startswith("2 zero")
    # As warnings, the same rules let the run go on and are recorded.
    result = run(framework, data, {"plausibility": "warning"}, region_col="city_zh")
    assert sum(p.code == "implausible_value" for p in result.warnings) == 11
