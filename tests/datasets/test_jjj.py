"""The demo's SYNTHETIC panel: labelled, plausible against published levels, and planting no conclusion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import shared_path
from hqd.datasets import jjj

BEIJING, TIANJIN = "110000", "120000"


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return jjj.synthetic_panel()


def _at(panel: pd.DataFrame, code: str, year: int) -> pd.Series:
    return panel[panel["year"] == year].set_index("region")[code]


def test_deterministic_and_labelled(tmp_path: Path, panel: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(panel, jjj.synthetic_panel())
    assert not panel.equals(jjj.synthetic_panel(seed=1))
    paths = jjj.write_demo_inputs(tmp_path)
    first = paths["data"].read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# SYNTHETIC DATA") and "合成数据" in first
    assert "impute: {method: nocb}" in paths["recipe"].read_text(encoding="utf-8")


def test_series_start_when_the_real_ones_do(panel: pd.DataFrame) -> None:
    """City PM2.5 and good-air days begin in 2013; nothing else is missing, nothing is negative."""
    missing = panel.set_index(["region", "year"]).isna()
    assert set(missing.columns[missing.any()]) == {"G2", "G6"}
    assert set(panel.loc[panel[["G2", "G6"]].isna().any(axis=1), "year"]) == {2012}
    values = panel.drop(columns=["region", "year"]).to_numpy()
    assert np.all(values[np.isfinite(values)] > 0)
    for code in jjj.PERCENT_CAPPED:
        assert panel[code].max() <= 100


def test_gaps_and_gradients_are_of_the_published_order(panel: pd.DataFrame) -> None:
    hebei = [c for c in panel["region"].unique() if c.startswith("13")]
    gdp = _at(panel, "E1", 2022)
    assert 2.0 < gdp[BEIJING] / gdp[hebei].mean() < 5.0  # published 2022: 190,313 / 56,995 = 3.3
    patents = _at(panel, "I2", 2022)
    assert 2 < patents[hebei].mean() < 15 and patents[BEIJING] > 150  # Hebei ≈ 6–7, Beijing 218.7 (2022)
    ratio = _at(panel, "S2", 2021)
    assert ratio[BEIJING] > ratio[hebei].mean() > ratio[TIANJIN]  # published 2021: 2.45 > 2.19 > 1.84
    pm = _at(panel, "G2", 2013)
    assert pm[["130100", "130500", "130400"]].min() > pm[BEIJING] > pm["130700"]  # southern Hebei worst, Zhangjiakou cleanest
    tourism = panel.pivot(index="year", columns="region", values="C5").mean(axis=1)
    assert tourism[2020] < 0.7 * tourism[2019]  # the pandemic fall


def test_the_generator_plants_no_driver(tmp_path: Path) -> None:
    """The old generator gave every dimension a fixed trend, so all 13 cities got 'ecology and governance
    drove it, culture lagged'.  Now the paths come from each indicator's anchors: the leading and lagging
    dimensions differ between cities."""
    import hqd

    folder = jjj.write_demo_inputs(tmp_path)
    result = hqd.run(folder["framework"], folder["data"], folder["recipe"], regions=folder["regions"])
    drivers = result.drivers(2012, 2022)
    share = drivers.pivot_table(index="region", columns="child", values="contribution", aggfunc="first")
    top = {(*row.sort_values(ascending=False).index[:2], row.idxmin()) for _, row in share.iterrows()}
    assert len(top) >= 6, top


def test_data_anchors_match_the_published_datasets() -> None:
    """Anchors marked ``data:`` are what the published datasets give."""
    table = jjj.anchors()
    rd = pd.read_csv(shared_path("data", "china_province_innovation", "jjj_province_innovation_wide_2012_2022.csv"))
    rd = rd.set_index(["province_en", "year"])["v4_ztr_qd_RD"]
    for prov, name in (("bj", "Beijing"), ("tj", "Tianjin"), ("hb", "Hebei")):
        for year in (2012, 2022):
            assert table.loc["I1", f"{prov}_{year}"] == pytest.approx(rd[(name, year)])
    census = pd.read_csv(shared_path("data", "census_city_2010_2020", "jjj_13_cities_census_2010_2020.csv"))
    census["code"] = census["city_code"].astype(str).str[:4] + "00"
    census.loc[census["code"].isin(["110100", "120100"]), "code"] = census["code"].str[:2] + "0000"
    census = census.set_index("code")
    urban = {y: 100 * census[f"popu_urban_{y}"] / census[f"popu_{y}"] for y in (2010, 2020)}
    known = jjj.city_anchors().query("indicator == 'S6'").set_index(["region", "year"])["value"]
    for code in census.index:
        pace = (urban[2020][code] - urban[2010][code]) / 10
        assert known[(code, 2012)] == pytest.approx(urban[2010][code] + 2 * pace, abs=0.11)
        assert known[(code, 2022)] == pytest.approx(urban[2020][code] + 2 * pace, abs=0.11)
    ccsy = pd.read_csv(shared_path("data", "china_cities_ccsy_2004_2012", "jjj_13_cities_2004_2012.csv"))
    ccsy = ccsy[ccsy["year"] == 2012].set_index("city_en")
    by_en = {c.name_en: c.code for c in __import__("hqd.model.regions", fromlist=["JJJ_CITIES"]).JJJ_CITIES}
    gdp = jjj.city_anchors().query("indicator == 'E1'").set_index("region")["value"]
    for name, row in ccsy.iterrows():
        code = by_en[str(name)]
        if code not in gdp.index:
            continue
        pop = census.loc[code, "popu_2010"] + 0.2 * (census.loc[code, "popu_2020"] - census.loc[code, "popu_2010"])
        assert gdp[code] == pytest.approx(row["gdp_current_10k_cny"] * 1e4 / pop, rel=0.005)
