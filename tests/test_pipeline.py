"""The pipeline against numbers nobody here wrote, and its recipe checks, policies and determinism."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hqd
from hqd.errors import HqdError
from hqd.pipeline import run

REPO = Path(__file__).resolve().parents[1]


def _decision_matrix(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    matrix = pd.read_csv(shared / "reference" / "decision_matrix_8x5.csv")
    types = json.loads((shared / "reference" / "criteria_types.json").read_text())["types"]
    criteria = [c for c in matrix.columns if c != "alternative"]
    framework = pd.DataFrame({"code": ["I", *criteria], "parent": [None, *["I"] * len(criteria)],
                              "direction": [None, *types]})
    data = matrix.rename(columns={"alternative": "region"}).assign(year=2020)
    return framework, data


def test_entropy_topsis_example_reproduces_pymcdm(shared: Path) -> None:
    framework, data = _decision_matrix(shared)
    result = run(framework, data, REPO / "examples" / "entropy_topsis" / "recipe.yaml")
    peers = json.loads((shared / "reference" / "mcda_pymcdm.json").read_text())
    expected = peers["hqd_convention"]["topsis_with_those_entropy_weights_minmax_default"]
    np.testing.assert_allclose(result.node_scores("I").iloc[0].to_numpy(), expected, rtol=1e-9)
    pyrepo = json.loads((shared / "reference" / "mcda_pyrepo.json").read_text())["hqd_convention"]
    np.testing.assert_allclose(result.weights["weight"].to_numpy(),
                               pyrepo["entropy_weighting_on_minmax_plus_1e-4"], rtol=1e-9)
    np.testing.assert_allclose(result.node_scores("I").iloc[0].to_numpy(),
                               pyrepo["topsis_with_entropy_on_minmax_plus_1e-4"], rtol=1e-9)
    assert {"e", "d"} <= set(result.intermediates["weight_entropy"].columns)
    assert {"d_plus", "d_minus"} <= set(result.intermediates["topsis"].columns)


@pytest.mark.parametrize("file", ["hdi_components_long.csv", "HDR23-24_Composite_indices_complete_time_series.csv"])
def test_hdi_reproduces_every_published_value(shared: Path, file: str) -> None:
    result = run(REPO / "examples" / "hdi" / "framework.csv", shared / "data" / "hdi" / file,
                 REPO / "examples" / "hdi" / "recipe.yaml", region_col="iso3")
    published = pd.read_csv(shared / "data" / "hdi" / "hdi_components_long.csv")
    published = published[published["hdi"].notna()]
    ours = result.scores[result.scores["node"] == "HDI"]
    merged = published.merge(ours, left_on=["iso3", "year"], right_on=["region", "year"], how="left")
    assert len(merged) == 6171
    assert (merged["score"] - merged["hdi"]).abs().max() <= 0.0005
    # The two country-years with life expectancy below the 20-year goalpost get no score, with a warning.
    assert int(ours["score"].isna().sum()) == 2
    assert any(p.code == "zero_policy" for p in result.warnings)


def _toy() -> tuple[pd.DataFrame, pd.DataFrame]:
    framework = pd.DataFrame({
        "code": ["I", "A", "B", "a1", "a2", "b1", "b2"],
        "parent": [None, "I", "I", "A", "A", "B", "B"],
        "direction": [None, None, None, 1, -1, 1, 1],
        "weight": [None, 3, 1, None, None, None, None],
    })
    rng = np.random.default_rng(7)
    regions, years = [f"R{i}" for i in range(6)], [2015, 2016, 2017]
    data = pd.DataFrame([(r, y) for y in years for r in regions], columns=["region", "year"])
    for code in ("a1", "a2", "b1", "b2"):
        data[code] = rng.uniform(1, 10, len(data)).round(3)
    return framework, data


def test_default_recipe_and_effective_weights() -> None:
    framework, data = _toy()
    result = run(framework, data)
    w = result.weights.set_index("node")
    assert w.loc["A", "weight"] == pytest.approx(0.75)
    assert w.loc["a1", "effective_weight"] == pytest.approx(0.375)
    assert result.weights.groupby("parent")["weight"].sum().to_numpy() == pytest.approx(1.0)
    normalised = result.step_table("normalised")
    assert normalised.min().min() == 0 and normalised.max().max() == 1
    index = result.score_table(["I", "A", "B"])
    np.testing.assert_allclose(index["I"], 0.75 * index["A"] + 0.25 * index["B"])


def test_global_entropy_partial_sums_add_up_and_drivers_are_exact() -> None:
    framework, data = _toy()
    result = run(framework, data, {"weight": {"method": "entropy", "scope": "global", "shift": 0.0001}})
    table = result.score_table(["I", "A", "B"])
    # The dimensions' partial sums (their contributions) add up to the index; their scores are the partial
    # sums over their attainable maxima (issue #13 item 1).
    contrib = result.scores.pivot_table(index=["region", "year"], columns="node", values="contribution")
    np.testing.assert_allclose(table["I"], (contrib["A"] + contrib["B"]).loc[table.index])
    eff = result.weights.drop_duplicates("node").set_index("node")["effective_weight"]
    np.testing.assert_allclose(table["I"], eff["A"] * table["A"] + eff["B"] * table["B"])
    drivers = result.drivers(2015, 2017)
    sums = drivers.groupby("region")["share_pct"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 100.0)
    growth = result.growth(2015, 2017).set_index("region")
    points = drivers.groupby("region")["points_pct"].sum()
    np.testing.assert_allclose(points.to_numpy(), growth.loc[points.index, "total_growth_pct"].to_numpy())


@pytest.mark.parametrize("method", ["geometric", "harmonic"])
def test_non_additive_decompositions_sum_to_the_change(method: str) -> None:
    framework, data = _toy()
    recipe = {"normalise": {"method": "minmax", "lo": 1, "hi": 100},
              "aggregate": {"method": "arithmetic", "by_level": {0: {"method": method}}}}
    result = run(framework, data, recipe)
    drivers = result.drivers(2015, 2017)
    assert drivers["decomposition"].iloc[0] == ("log-linear" if method == "geometric" else "shapley")
    np.testing.assert_allclose(drivers.groupby("region")["share_pct"].sum().to_numpy(), 100.0, rtol=1e-9)


def test_zero_policy_refuse_names_the_cells() -> None:
    framework, data = _toy()
    with pytest.raises(HqdError) as info:
        run(framework, data, {"aggregate": {"method": "geometric"}})
    problem = info.value.problems[0]
    assert problem.code == "nonpositive_value" and problem.region and problem.year and problem.indicator


def test_unknown_method_lists_the_valid_ones_and_bad_levels() -> None:
    framework, data = _toy()
    with pytest.raises(HqdError) as info:
        run(framework, data, {"weight": {"method": "entropyy"},
                              "aggregate": {"method": "arithmetic", "by_level": {7: {"method": "geometric"}}},
                              "normalise": {"method": "minmax", "lo": "low"}})
    text = str(info.value)
    assert "unknown weight method 'entropyy'; valid: ahp, combined, critic" in text
    assert set(info.value.codes) >= {"unknown_method", "unknown_level", "invalid_parameter"}


def test_constant_indicator_is_an_error() -> None:
    framework, data = _toy()
    data["b2"] = 5.0
    with pytest.raises(HqdError) as info:
        run(framework, data)
    assert any(p.code == "constant_indicator" and p.indicator == "b2" for p in info.value.problems)


def test_by_year_weights_and_ranks() -> None:
    framework, data = _toy()
    result = run(framework, data, {"weight": {"method": "critic", "sample": "by_year"},
                                   "normalise": {"method": "minmax", "scope": "by_year"}})
    assert result.weights["year"].notna().all()
    assert result.weights.groupby(["year", "parent"])["weight"].sum().to_numpy() == pytest.approx(1.0)
    ranks = result.scores[result.scores["node"] == "I"].groupby("year")["rank"].apply(sorted)
    assert all(r == [1, 2, 3, 4, 5, 6] for r in ranks)


def test_same_inputs_same_outputs() -> None:
    framework, data = _toy()
    first, second = run(framework, data), run(framework, data)
    assert first.digest() == second.digest()
    assert first.manifest == second.manifest
    assert first.manifest["hqd_version"] == hqd.__version__


def test_seed_arithmetic_of_the_blue_book(shared: Path) -> None:
    from hqd import growth

    assert round(float(growth.total_growth(0.612, 0.960)), 2) == 56.86
    assert round(float(growth.cagr(0.612, 0.960, 2021 - 2012)), 2) == 5.13
    assert round(float(growth.cagr(1.0, 1.43, 2022 - 2014)), 1) == 4.6
    reference = json.loads((shared / "reference" / "growth_metrics_bluebook.json").read_text())
    assert reference  # the file's worked example is the one checked above


def test_moderate_indicator_scores_distance_to_target() -> None:
    framework = pd.DataFrame({"code": ["I", "m", "p"], "parent": [None, "I", "I"],
                              "direction": [None, "moderate", 1], "target": [None, 5, None]})
    data = pd.DataFrame({"region": list("ABCD"), "year": 2020, "m": [5.0, 3.0, 9.0, 6.0], "p": [1, 2, 3, 4]})
    result = run(framework, data)
    np.testing.assert_allclose(result.step_table("normalised")["m"].to_numpy(), [1.0, 0.5, 0.0, 0.75])


def test_official_export_through_the_engine_keeps_its_provenance(shared: Path) -> None:
    export = shared / "data" / "china_province_gdp_nbs" / "nbs_export_province_gdp_original_utf8.txt"
    framework = pd.DataFrame({"code": ["I", "地区生产总值"], "parent": [None, "I"], "direction": [None, 1],
                              "unit": [None, "亿元"]})
    result = run(framework, export, data_format="auto")
    assert len(result.regions) == 31 and result.years[0] == 2006 and result.years[-1] == 2024
    raw = result.step_table("raw").xs(2022, level="year")
    assert raw.loc["110000", "地区生产总值"] == pytest.approx(45222.4)
    provenance = result.manifest["data_provenance"][0]
    assert "第五次全国经济普查" in provenance["reader"] and provenance["units"] == {"地区生产总值": "亿元"}


def test_missing_cells_are_counted_warned_and_flagged_with_their_weight_share() -> None:
    # Issue #19 item 2: blank cells were skipped silently and could move a region from last to third.
    framework = pd.DataFrame({"code": ["I", "a", "b", "c", "d"], "parent": ["", "I", "I", "I", "I"],
                              "direction": [None, 1, 1, 1, 1], "weight": [None, 5.0, 1.0, 1.0, 1.0]})
    data = pd.DataFrame({"region": ["r1", "r2", "r3", "r4"], "year": [2020] * 4,
                         "a": [1.0, 2.0, np.nan, 4.0], "b": [4.0, 3.0, 2.0, np.nan],
                         "c": [1.0, 3.0, 2.0, 4.0], "d": [2.0, 1.0, 4.0, 3.0]})
    result = run(framework, data, {"missing_weight_threshold": 0.5})
    log = result.logs["missing"].set_index("region")
    assert log.loc["r3", "missing_cells"] == 1 and log.loc["r3", "missing_weight_share"] == pytest.approx(5 / 8)
    assert log.loc["r4", "missing_weight_share"] == pytest.approx(1 / 8)
    assert bool(log.loc["r3", "flagged"]) and not bool(log.loc["r4", "flagged"])
    codes = [(p.code, p.region) for p in result.warnings]
    assert ("missing_cells", None) in codes and ("missing_weight", "r3") in codes and ("missing_weight", "r4") \
        not in codes
    policy = result.manifest["policies"]["missing_cells"]
    assert policy["cells"] == 2 and policy["flagged_region_years"] == 1 and policy["threshold"] == 0.5
    assert "renormalised" in policy["treatment"]
    assert result.recipe.to_dict()["missing_weight_threshold"] == 0.5
    default = run(framework, data)
    assert default.manifest["policies"]["missing_cells"]["threshold"] == 0.2  # the documented default


def test_topsis_says_how_it_treated_missing_cells() -> None:
    framework = pd.DataFrame({"code": ["I", "a", "b", "c"], "parent": ["", "I", "I", "I"],
                              "direction": [None, 1, 1, -1]})
    data = pd.DataFrame({"region": ["r1", "r2", "r3"], "year": [2020] * 3,
                         "a": [1.0, np.nan, 3.0], "b": [4.0, 3.0, 2.0], "c": [1.0, 3.0, 2.0]})
    result = run(framework, data, {"aggregate": "topsis"})
    treated = result.manifest["policies"]["topsis_missing"]
    assert treated == [{"node": "I", "cells": 1, "na": "skip",
                        "treatment": "left out of both distances of their observation (ideals over the observed "
                                     "values)"}]
    assert any(p.code == "topsis_missing" for p in result.warnings)
