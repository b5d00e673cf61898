"""Coupling coordination: reproduces R mathmodels, grading conventions, invariants, bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fake_result import DIMENSIONS, FakeResult, make_fake_result
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import conftest
from hqd.analysis import LIAO_10, GradeTable, coupling_coordination, coupling_degree, regional_coupling
from hqd.errors import HqdError

SUBSYSTEMS = ["U1_economic", "U2_social", "U3_ecological"]


def _reference() -> tuple[pd.DataFrame, dict]:
    table = pd.read_csv(conftest.shared_path("reference", "coupling_subsystems.csv")).rename(columns={"unit": "region"})
    ref = json.loads(conftest.shared_path("reference", "mathmodels_R.json").read_text(encoding="utf-8"))
    return table, ref


def test_standard_coupling_reproduces_mathmodels() -> None:
    table, ref = _reference()
    frame = coupling_coordination(table, SUBSYSTEMS).frame
    np.testing.assert_allclose(frame["C"], ref["coupling_standard_C"], rtol=1e-12)
    np.testing.assert_allclose(frame["T"], ref["coupling_T_equal_w"], rtol=1e-12)
    np.testing.assert_allclose(frame["D"], ref["coupling_standard_D"], rtol=1e-12)


def test_corrected_coupling_reproduces_mathmodels_adjusted() -> None:
    table, ref = _reference()
    result = coupling_coordination(table, SUBSYSTEMS, "corrected")
    np.testing.assert_allclose(result.frame["C"], ref["coupling_adjusted_C"], rtol=1e-12)
    np.testing.assert_allclose(result.frame["D"], ref["coupling_adjusted_D"], rtol=1e-12)
    assert result.variant == "corrected" and result.weights == pytest.approx((1 / 3,) * 3)


def test_two_subsystems_match_the_closed_forms_and_name_the_laggard() -> None:
    table = pd.DataFrame({"region": ["a", "b", "c"], "x": [0.3, 0.8, 0.5], "y": [0.6, 0.2, 0.55]})
    standard = coupling_coordination(table, ["x", "y"]).frame
    u1, u2 = table["x"].to_numpy(), table["y"].to_numpy()
    np.testing.assert_allclose(standard["C"], 2 * np.sqrt(u1 * u2) / (u1 + u2), rtol=1e-14)
    lo, hi = np.minimum(u1, u2), np.maximum(u1, u2)
    corrected = coupling_coordination(table, ["x", "y"], "corrected").frame
    np.testing.assert_allclose(corrected["C"], np.sqrt((1 - (hi - lo)) * lo / hi), rtol=1e-14)
    assert list(standard["lagging"]) == ["x", "y", "x"]
    tolerant = coupling_coordination(table, ["x", "y"], lag_tolerance=0.1).frame
    assert list(tolerant["lagging"]) == ["x", "y", "synchronous"]


def test_weighted_T_uses_the_given_alphas() -> None:
    table = pd.DataFrame({"region": ["a"], "x": [0.2], "y": [0.6]})
    frame = coupling_coordination(table, ["x", "y"], weights={"x": 0.25, "y": 0.75}).frame
    assert frame["T"].iloc[0] == pytest.approx(0.25 * 0.2 + 0.75 * 0.6)
    assert frame["D"].iloc[0] == pytest.approx(np.sqrt(frame["C"].iloc[0] * frame["T"].iloc[0]))


def test_grade_boundaries_follow_the_named_convention() -> None:
    d = np.array([0.0, 0.1, 0.3, 0.30000001, 0.95, 1.0])
    assert list(LIAO_10.classify(d) + 1) == [1, 1, 3, 4, 10, 10]  # 田深圳 et al.: a < D ≤ b
    right = LIAO_10.with_boundary("right_open")
    assert list(right.classify(d) + 1) == [1, 2, 4, 4, 10, 10]  # [a, b), 1.0 kept in the top class
    assert LIAO_10.labels_zh[2] == "中度失调" and LIAO_10.labels_en[9] == "high-quality coordination"
    table = pd.DataFrame({"region": ["a"], "x": [0.09], "y": [0.09]})  # C = 1, T = 0.09, D = 0.3
    left = coupling_coordination(table, ["x", "y"]).frame
    assert left["D"].iloc[0] == pytest.approx(0.3) and left["grade_zh"].iloc[0] in ("中度失调", "轻度失调")
    assert "0.9 < D ≤ 1" in LIAO_10.to_frame()["interval"].iloc[-1]


def test_custom_grade_table_is_checked() -> None:
    with pytest.raises(HqdError) as err:
        GradeTable(edges=(0.0, 0.5, 0.4), labels_zh=("a", "b"), labels_en=("a", "b"))
    assert "grade_table_invalid" in err.value.codes
    three = GradeTable(edges=(0.0, 0.4, 0.7, 1.0), labels_zh=("低", "中", "高"), labels_en=("low", "mid", "high"))
    table = pd.DataFrame({"region": ["a", "b"], "x": [0.1, 0.9], "y": [0.15, 0.95]})
    assert list(coupling_coordination(table, ["x", "y"], grades=three).frame["grade_en"]) == ["low", "high"]


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(2, 6)), elements=st.floats(0.0, 1.0)))
def test_coupling_degree_lies_in_unit_interval_and_ignores_order(U: np.ndarray) -> None:
    U = U[U.max(axis=1) > 0]
    if not len(U):
        return
    for variant in ("standard", "corrected"):
        C = coupling_degree(U, variant)
        assert np.all((C >= -1e-12) & (C <= 1 + 1e-12))
        np.testing.assert_allclose(coupling_degree(U[:, ::-1], variant), C, rtol=1e-10, atol=1e-12)


def test_regional_coupling_takes_the_mean_of_a_province_cities() -> None:
    result = make_fake_result()
    index = result.scores.loc[result.scores["node"] == "HQD"]
    members = {"110000": ["110000"], "120000": ["120000"],
               "130000": [c for c in index["region"].unique() if c.startswith("13")]}
    out = regional_coupling(index, members).frame
    wide = index.pivot(index="year", columns="region", values="score")
    np.testing.assert_allclose(out["U[130000]"], wide[members["130000"]].mean(axis=1), rtol=1e-14)
    np.testing.assert_allclose(out["U[110000]"], wide["110000"], rtol=1e-14)
    assert set(out["region"]) == {"JJJ"} and len(out) == wide.shape[0]
    median = regional_coupling(index, members, aggregate="median").frame
    np.testing.assert_allclose(median["U[130000]"], wide[members["130000"]].median(axis=1), rtol=1e-14)


def test_result_dimensions_as_partial_sums_are_rescaled_by_their_weight() -> None:
    fake = make_fake_result()
    direct = coupling_coordination(fake)
    assert direct.subsystem_scale == "as_is" and direct.subsystems == DIMENSIONS
    # Rebuild the same run as an engine with global weights reports it: dimension = Σ F_j x_j (a partial sum).
    dim_w = fake.weights.loc[fake.weights["parent"] == "HQD"].set_index("node")["effective_weight"]
    scores = fake.scores.copy()
    is_dim = scores["level"] == 1
    scores.loc[is_dim, "score"] *= scores.loc[is_dim, "node"].map(dim_w).to_numpy()
    partial = FakeResult(scores=scores, weights=fake.weights, framework=fake.framework)
    rescaled = coupling_coordination(partial)
    assert rescaled.subsystem_scale == "within_weight"
    np.testing.assert_allclose(rescaled.frame["D"], direct.frame["D"], rtol=1e-12)
    as_is = coupling_coordination(partial, subsystem_scale="as_is")
    assert not np.allclose(as_is.frame["D"], direct.frame["D"])
    with pytest.raises(HqdError) as err:
        coupling_coordination(fake, subsystem_scale="within_weight")
    assert err.value.codes == ["no_weights"]


def test_bad_subsystem_scores_are_listed_with_region_and_year() -> None:
    table = pd.DataFrame({"region": ["a", "b", "c"], "year": [2020, 2020, 2021],
                          "x": [1.2, np.nan, 0.0], "y": [0.5, 0.5, 0.0]})
    with pytest.raises(HqdError) as err:
        coupling_coordination(table, ["x", "y"])
    found = {(p.code, p.region, p.year) for p in err.value.problems}
    assert ("out_of_range", "a", 2020) in found and ("missing_value", "b", 2020) in found
    with pytest.raises(HqdError) as err:
        coupling_coordination(table.iloc[2:], ["x", "y"])
    assert err.value.codes == ["all_zero"] and err.value.problems[0].region == "c"


def test_bad_options_name_the_valid_ones() -> None:
    table = pd.DataFrame({"region": ["a"], "x": [0.2], "y": [0.3]})
    with pytest.raises(HqdError, match="valid: standard, corrected"):
        coupling_coordination(table, ["x", "y"], "adjusted")
    with pytest.raises(HqdError) as err:
        coupling_coordination(table, ["x"])
    assert err.value.codes == ["too_few_subsystems"]
    with pytest.raises(HqdError) as err:
        coupling_coordination(table, ["x", "y"], weights=[0.5, 0.6])
    assert err.value.codes == ["weights_invalid"]
    with pytest.raises(HqdError) as err:
        coupling_coordination(make_fake_result(), ["ECO", "NOPE"])
    assert err.value.codes == ["unknown_node"] and err.value.problems[0].indicator == "NOPE"
    with pytest.raises(HqdError) as err:
        regional_coupling(make_fake_result().scores, {"A": ["110000"], "B": ["999999"]})
    assert err.value.codes == ["region_unmatched"] and err.value.problems[0].region == "999999"
