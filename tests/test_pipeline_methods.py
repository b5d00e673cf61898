"""Every recipe choice runs through the pipeline: weights sum to 1, scores are finite, policies apply."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hqd.pipeline import run


def _inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    framework = pd.DataFrame({
        "code": ["I", "A", "B", "a1", "a2", "a3", "b1", "b2"],
        "parent": [None, "I", "I", "A", "A", "A", "B", "B"],
        "direction": [None, None, None, 1, -1, 1, 1, -1],
    })
    rng = np.random.default_rng(11)
    regions, years = [f"R{i:02d}" for i in range(9)], list(range(2015, 2020))
    data = pd.DataFrame([(r, y) for y in years for r in regions], columns=["region", "year"])
    for j, code in enumerate(("a1", "a2", "a3", "b1", "b2")):
        data[code] = (rng.lognormal(size=len(data)) * (j + 1)).round(4)
    data["grp"] = np.tile(["g1", "g1", "g1", "g2", "g2", "g2", "g3", "g3", "g3"], len(years))
    return framework, data


@pytest.mark.parametrize("weight", [
    {"method": "equal"}, {"method": "entropy"}, {"method": "critic"}, {"method": "cv"}, {"method": "std"},
    {"method": "pca"}, {"method": "entropy", "sample": "by_year"}, {"method": "critic", "scope": "global"},
    {"method": "combined", "first": {"method": "entropy"}, "second": {"method": "equal"},
     "method_": None},
])
def test_every_weighting_method(weight: dict) -> None:
    weight = {k: v for k, v in weight.items() if k != "method_"}
    framework, data = _inputs()
    result = run(framework, data, {"weight": weight})
    groups = ["year", "parent"] if result.weights["year"].notna().any() else ["parent"]
    sums = result.weights.groupby(groups, dropna=False)["weight"].sum().to_numpy()
    np.testing.assert_allclose(sums, 1.0)
    assert (result.weights["weight"] >= 0).all()
    assert np.isfinite(result.node_scores("I").to_numpy()).all()


@pytest.mark.parametrize("aggregate", [
    {"method": "geometric"}, {"method": "harmonic"}, {"method": "generalised", "p": 2.0},
    {"method": "generalised", "p": -1.0},
    {"method": "arithmetic", "by_level": {0: {"method": "topsis", "ideals": "by_year"}}},
    {"method": "arithmetic", "by_level": {0: {"method": "topsis", "ideal": "fixed"}}},
])
def test_every_aggregation(aggregate: dict) -> None:
    framework, data = _inputs()
    result = run(framework, data, {"normalise": {"method": "minmax", "lo": 1, "hi": 100}, "aggregate": aggregate})
    scores = result.node_scores("I").to_numpy()
    assert np.isfinite(scores).all()
    if aggregate["method"] != "arithmetic":
        dims = result.score_table(["A", "B"]).to_numpy()
        assert (scores.T.reshape(-1) <= dims.max(axis=1) + 1e-9).all()  # a mean lies within its children
        assert (scores.T.reshape(-1) >= dims.min(axis=1) - 1e-9).all()


@pytest.mark.parametrize("normalise", [
    {"method": "zscore"}, {"method": "rank"}, {"method": "percentile_rank"},
    {"method": "ratio_to_base", "base_year": 2015}, {"method": "minmax", "scope": "by_year"},
])
def test_every_normalisation(normalise: dict) -> None:
    framework, data = _inputs()
    result = run(framework, data, {"normalise": normalise})
    normalised = result.step_table("normalised")
    assert np.isfinite(normalised.to_numpy()).all()
    if normalise["method"] == "ratio_to_base":
        base = normalised.xs(2015, level="year")
        np.testing.assert_allclose(base.to_numpy(), 1.0)


def test_impute_screen_treat_steps_and_na_policies() -> None:
    framework, data = _inputs()
    data.loc[(data["region"] == "R00") & (data["year"] == 2017), "a1"] = np.nan
    data.loc[data["region"] == "R08", ["a1", "a2", "a3", "b1"]] = np.nan  # R08 keeps only b2: 20 % available
    recipe = {"impute": {"method": "linear"}, "screen": {"method": "availability", "threshold": 0.5},
              "treat": {"method": "percentile_clip", "lower": 0.05, "upper": 0.95}}
    result = run(framework, data, recipe)
    assert "R08" not in result.regions and any(p.code == "unit_screened" and "R08" in p.message
                                               for p in result.warnings)
    filled = result.logs["impute"]
    assert len(filled) == 1 and filled.iloc[0]["region"] == "R00" and filled.iloc[0]["year"] == 2017
    # NA policies: skip renormalises over the available children; propagate makes the parent missing.
    gap = data.copy()
    gap.loc[(gap["region"] == "R01") & (gap["year"] == 2016), "b1"] = np.nan
    skip = run(framework, gap.drop(columns="grp"), {"na_policy": "skip"})
    propagate = run(framework, gap.drop(columns="grp"), {"na_policy": "propagate"})
    assert np.isfinite(skip.node_scores("B").loc[2016, "R01"])
    assert np.isnan(propagate.node_scores("B").loc[2016, "R01"])


def test_group_scores_weighted_and_rank_groups() -> None:
    framework, data = _inputs()
    result = run(framework, data, {"rank_group": "grp"})
    ranks = result.scores.query("node == 'I' and year == 2019").set_index("region")
    assert sorted(ranks.loc[["R00", "R01", "R02"], "group_rank"]) == [1, 2, 3]
    groups = result.group_scores("grp").query("node == 'I' and year == 2019").set_index("group")["score"]
    expected = result.node_scores("I").loc[2019, ["R00", "R01", "R02"]].mean()
    assert groups["g1"] == pytest.approx(expected)


def test_parquet_data_and_excel_framework(tmp_path: Path) -> None:
    from hqd.io.templates import write_template

    framework, data = _inputs()
    data.to_parquet(tmp_path / "d.parquet")
    framework.to_excel(tmp_path / "fw.xlsx", index=False)
    result = run(tmp_path / "fw.xlsx", tmp_path / "d.parquet")
    assert len(result.regions) == 9 and len(result.years) == 5
    # The framework template reopens as a valid framework.
    template = write_template("framework", tmp_path / "template.xlsx")
    from hqd.io import load_framework

    assert load_framework(template, sheet="framework").index_code == "HQD"


def test_region_groups_get_growth_drivers_and_narratives() -> None:
    framework, data = _inputs()
    result = run(framework, data, {"weight": {"method": "entropy", "scope": "global"}})
    groups = result.for_groups("grp")
    assert groups.regions == ["g1", "g2", "g3"]
    members = result.node_scores("I").loc[:, ["R00", "R01", "R02"]].mean(axis=1)
    np.testing.assert_allclose(groups.node_scores("I")["g1"].to_numpy(), members.to_numpy())
    shares = groups.drivers(2015, 2019).groupby("region")["share_pct"].sum()
    np.testing.assert_allclose(shares.to_numpy(), 100.0)
    assert groups.narrative("g1", 2015, 2019).startswith("2015—2019年，g1")
    yoy = result.yoy().query("region == 'R00'").set_index("year")
    expected = (yoy.loc[2016, "value"] / yoy.loc[2015, "value"] - 1) * 100
    assert yoy.loc[2016, "yoy_pct"] == pytest.approx(expected) and np.isnan(yoy.loc[2015, "yoy_pct"])


def test_screen_by_region_year_keeps_the_region_and_drops_the_year() -> None:
    framework, data = _inputs()
    data.loc[(data["region"] == "R03") & (data["year"] == 2016), ["a1", "a2", "a3", "b1"]] = np.nan
    result = run(framework, data.drop(columns="grp"),
                 {"screen": {"method": "availability", "threshold": 0.5, "by": "region_year"}})
    assert "R03" in result.regions
    assert np.isnan(result.node_scores("I").loc[2016, "R03"]) and np.isfinite(result.node_scores("I").loc[2017, "R03"])
    assert any(p.code == "unit_screened" and "R03 2016" in p.message for p in result.warnings)
