"""Real-data examples (examples/china_innovation, examples/china_provinces_co2) run from ../shared/data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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
    # Entropy weights over all indicators, and the index is the sum of the two partial sums.
    table = result.score_table(["INNO", "INPUT", "OUTPUT"])
    np.testing.assert_allclose(table["INNO"], table["INPUT"] + table["OUTPUT"])
    group = result.group_scores("jjj").query("node == 'INNO' and group == '京津冀'")
    assert len(group) == 12 and group["score"].between(0, 1).all()
