"""Obstacle degree (replicates R mathmodels) and grey relational analysis (replicates pyDecision × n)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fake_result import make_fake_result

import conftest
from hqd.analysis import grey_relational, obstacle_degree
from hqd.errors import HqdError


def _mathmodels() -> tuple[pd.DataFrame, dict]:
    z = pd.read_csv(conftest.shared_path("reference", "decision_matrix_8x5_minmax_directional.csv"))
    ref = json.loads(conftest.shared_path("reference", "mathmodels_R.json").read_text(encoding="utf-8"))
    return z.rename(columns={"alternative": "region"}), ref


def test_obstacle_degree_reproduces_mathmodels_scaled() -> None:
    z, ref = _mathmodels()
    weights = dict(zip(z.columns[1:], ref["obstacle_w"], strict=True))
    result = obstacle_degree(z, weights)
    matrix = result.indicators.pivot(index="region", columns="indicator", values="obstacle")[list(z.columns[1:])]
    np.testing.assert_allclose(matrix.to_numpy(), ref["obstacle_scaled"], rtol=1e-12, atol=1e-15)
    top = result.top(1)
    assert top.set_index("region").loc["A4", "indicator"] == "C5_forest_cover"  # its whole obstacle


def test_obstacles_from_a_result_use_effective_weights_and_the_tree() -> None:
    fake = make_fake_result()
    result = obstacle_degree(fake)
    table = result.indicators
    assert table.groupby(["region", "year"])["obstacle"].sum().to_numpy() == pytest.approx(1.0)
    eff = fake.weights.set_index("node")["effective_weight"]
    np.testing.assert_allclose(table["factor"], table["indicator"].map(eff), rtol=1e-15)
    leaf = fake.scores.loc[fake.scores["level"] == 2].set_index(["region", "year", "node"])["score"]
    keys = pd.MultiIndex.from_arrays([table["region"], table["year"].astype(int), table["indicator"]])
    np.testing.assert_allclose(table["deviation"], 1 - leaf.reindex(keys).to_numpy(), rtol=1e-15)
    assert (table["dimension"] == table["indicator"].str[:3]).all()
    dims = result.dimensions.set_index(["region", "year", "dimension"])["obstacle"]
    by_sum = table.groupby(["region", "year", "dimension"])["obstacle"].sum()
    np.testing.assert_allclose(dims.reindex(by_sum.index), by_sum, rtol=1e-14)
    assert set(result.top(3, "dimension")["rank"]) == {1, 2, 3}


def test_per_year_weights_and_the_no_obstacle_policy() -> None:
    x = pd.DataFrame({"region": ["a", "b", "a", "b"], "year": [2020, 2020, 2021, 2021],
                      "i1": [1.0, 0.5, 0.2, 0.4], "i2": [1.0, 0.0, 0.6, 1.0]})
    weights = pd.DataFrame({"node": ["i1", "i2", "i1", "i2"], "year": [2020, 2020, 2021, 2021],
                            "factor": [0.5, 0.5, 0.9, 0.1]})
    table = obstacle_degree(x, weights).indicators.set_index(["region", "year", "indicator"])["obstacle"]
    assert table.loc[("a", 2020, "i1")] == 0.0 and table.loc[("a", 2020, "i2")] == 0.0  # at the ideal
    expected = 0.9 * 0.8 / (0.9 * 0.8 + 0.1 * 0.4)
    assert table.loc[("a", 2021, "i1")] == pytest.approx(expected)


def test_obstacle_bad_input_is_located() -> None:
    x = pd.DataFrame({"region": ["a", "b"], "i1": [1.2, 0.5], "i2": [0.3, np.nan]})
    with pytest.raises(HqdError) as err:
        obstacle_degree(x, {"i1": 0.5, "i2": 0.5})
    found = {(p.code, p.region, p.indicator) for p in err.value.problems}
    assert found == {("out_of_range", "a", "i1"), ("missing_value", "b", "i2")}
    with pytest.raises(HqdError) as err:
        obstacle_degree(x.assign(i1=[1.0, 0.5], i2=[0.3, 0.1]), {"i1": 1.0})
    assert [(p.code, p.indicator) for p in err.value.problems] == [("missing_weight", "i2")]
    with pytest.raises(HqdError) as err:
        obstacle_degree(x)
    assert err.value.codes == ["no_weights"]


def _decision() -> tuple[pd.DataFrame, dict]:
    x = pd.read_csv(conftest.shared_path("reference", "decision_matrix_8x5.csv")).rename(
        columns={"alternative": "region"})
    ref = json.loads(conftest.shared_path("reference", "gra_pydecision.json").read_text(encoding="utf-8"))
    return x, ref


def test_grey_relational_grade_is_pydecision_times_the_number_of_alternatives() -> None:
    x, ref = _decision()
    r = grey_relational(x, [1, 1, -1, 1, 1], [0.2, 0.25, 0.15, 0.2, 0.2], rho=0.5)
    np.testing.assert_allclose(r.frame["grade"], ref["grade_times_n_alternatives"], rtol=1e-12)
    # pyDecision's bug: it divides the weighted grade by the number of alternatives.
    np.testing.assert_allclose(r.frame["grade"] / len(x), ref["grade_as_returned"], rtol=1e-12)
    assert r.delta_min[0] == 0.0 and r.delta_max[0] == 1.0
    assert r.frame.set_index("region")["rank"]["A4"] == 1
    assert r.coefficients.shape == (1, 8, 5) and len(r.coefficients_frame()) == 40


def test_grey_relational_per_year_scope_and_named_processing() -> None:
    x, _ = _decision()
    panel = pd.concat([x.assign(year=2020), x.assign(year=2021).iloc[::-1]])
    per_year = grey_relational(panel, [1, 1, -1, 1, 1])
    single = grey_relational(x, [1, 1, -1, 1, 1])
    for year in (2020, 2021):
        got = per_year.frame.loc[per_year.frame["year"] == year].set_index("region")["grade"]
        np.testing.assert_allclose(got.reindex(single.frame["region"]), single.frame["grade"], rtol=1e-14)
    mean = grey_relational(x, [1, 1, -1, 1, 1], normalise="mean")
    ideal = mean.reference[0]
    scaled = x.iloc[:, 1:].to_numpy() / x.iloc[:, 1:].to_numpy().mean(axis=0)
    np.testing.assert_allclose(ideal, np.where([1, 1, 0, 1, 1], scaled.max(axis=0), scaled.min(axis=0)))
    assert mean.normalise == "mean" and grey_relational(make_fake_result()).normalise == "none"


def test_grey_relational_bad_input() -> None:
    x, _ = _decision()
    flat = x.assign(C1_gdp_pc=1.0)
    with pytest.raises(HqdError) as err:
        grey_relational(flat)
    assert [(p.code, p.indicator) for p in err.value.problems] == [("constant_indicator", "C1_gdp_pc")]
    with pytest.raises(HqdError) as err:
        grey_relational(x, [1, 0, 1, 1, 1])
    assert err.value.codes == ["bad_directions"]
    with pytest.raises(HqdError) as err:
        grey_relational(x, weights=[0.5] * 5)
    assert err.value.codes == ["weights_invalid"]
    with pytest.raises(HqdError) as err:
        grey_relational(x, rho=0)
    assert err.value.codes == ["bad_parameter"]
