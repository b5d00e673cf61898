"""One test per validation rule of recipes and data×recipe checks: the reason code and its location.

(Framework rules are in tests/model/test_framework.py, cell-level data rules in tests/io/test_data_loading.py.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hqd.errors import HqdError
from hqd.pipeline import run

FW = pd.DataFrame({"code": ["I", "A", "B", "a1", "a2", "b1"], "parent": [None, "I", "I", "A", "A", "B"],
                   "direction": [None, None, None, 1, -1, 1]})


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"region": list("PQRS") * 2, "year": [2020] * 4 + [2021] * 4,
                          "grp": ["g1", "g1", "g2", "g2"] * 2})
    for code in ("a1", "a2", "b1"):
        frame[code] = rng.uniform(1, 9, 8).round(2)
    return frame


def _problems(recipe: object = None, data: pd.DataFrame | None = None, framework: pd.DataFrame | None = None,
              tmp: Path | None = None) -> list:
    with pytest.raises(HqdError) as info:
        run(FW if framework is None else framework, _data() if data is None else data, recipe)  # type: ignore[arg-type]
    return [p for p in info.value.problems if p.severity == "error"]


def test_recipe_file_problems(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert [p.code for p in _problems(missing)] == ["file_not_found"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("weight: {method: entropy\nnormalise: x\n", encoding="utf-8")
    problem = _problems(broken)[0]
    assert problem.code == "invalid_yaml" and problem.file == str(broken) and problem.row is not None


@pytest.mark.parametrize("recipe,code,column", [
    ({"weigth": {"method": "equal"}}, "unknown_step", "weigth"),
    ({"weight": {"scope": "global", "by_level": {1: {"shift": 1}}}}, "missing_parameter", "weight"),
    ({"weight": 42}, "invalid_recipe", "weight"),
    ({"normalise": {"method": "minmax", "scope": "by_region"}}, "invalid_scope", "normalise"),
    ({"weight": {"method": "entropy", "sample": "weekly"}}, "invalid_scope", "weight"),
    ({"aggregate": {"method": "median"}}, "unknown_method", "aggregate"),
    ({"impute": {"method": "linear", "window": 3}}, "invalid_parameter", "impute"),
    ({"normalise": {"method": "minmax", "direction": [1, 1, 1]}}, "invalid_parameter", "normalise"),
    ({"aggregate": {"method": "arithmetic", "by_level": {5: "geometric"}}}, "unknown_level", "aggregate"),
    ({"weight": {"method": "manual", "by_level": {"ZZ": "equal"}}}, "unknown_node", "weight"),
    ({"zero_policy": {"method": "ignore"}}, "unknown_method", "zero_policy"),
    ({"na_policy": "drop"}, "unknown_method", "na_policy"),
    ({"placeholders": "zero"}, "unknown_method", "placeholders"),
    ({"group_aggregation": {"method": "weighted_mean"}}, "missing_parameter", "group_aggregation"),
    ({"grades": {"cuts": [0.5, 0.3], "labels": ["a", "b", "c"]}}, "invalid_recipe", "grades"),
    ({"screen": {"method": "availability", "minimum": 0.5}}, "invalid_parameter", "screen"),
    ({"weight": {"method": "combined", "first": {"method": "entropy"}}}, "missing_parameter", "weight"),
])
def test_recipe_rules(recipe: dict, code: str, column: str) -> None:
    problems = _problems(recipe)
    assert any(p.code == code and p.column == column for p in problems), problems


def test_data_recipe_rules_are_collected_together() -> None:
    framework = FW.assign(denominator=[None, None, None, "pop", None, None])
    data = _data()
    data.loc[data["region"] == "S", "grp"] = None
    problems = _problems({"impute": {"method": "group_mean", "group": "grp"},
                          "denominate": {"method": "divide"},
                          "normalise": {"method": "goalposts"}}, data=data, framework=framework)
    codes = {(p.code, p.region or p.indicator or p.column) for p in problems}
    assert ("missing_group", "S") in codes
    assert ("unknown_denominator", "a1") in codes
    assert ("missing_goalposts", "a2") in codes


def test_unknown_group_column_lists_the_available_ones() -> None:
    problems = _problems({"impute": {"method": "group_median", "group": "province"}})
    assert problems[0].code == "unknown_group" and "grp" in problems[0].message


def test_distance_to_target_needs_targets() -> None:
    problems = _problems({"normalise": {"method": "distance_to_target"}})
    assert {p.indicator for p in problems if p.code == "missing_target"} == {"a1", "a2", "b1"}


def test_log_transform_refuses_nonpositive_values_with_location() -> None:
    framework = FW.assign(transform=[None, None, None, "log", None, None])
    data = _data()
    data.loc[(data["region"] == "Q") & (data["year"] == 2021), "a1"] = 0.0
    problem = _problems(None, data=data, framework=framework)[0]
    assert (problem.code, problem.region, problem.year, problem.indicator) == ("nonpositive_value", "Q", 2021, "a1")
    # … and the zero policy makes it a recorded warning instead.
    result = run(framework, data, {"zero_policy": {"method": "na"}})
    assert any(p.code == "nonpositive_value" for p in result.warnings)


def test_ahp_weights_from_the_recipe_and_inconsistency_warning(shared: Path) -> None:
    consistent = run(FW, _data(), {"weight": {"method": "manual", "by_level": {
        "A": {"method": "ahp", "matrix": [[1, 3], [1 / 3, 1]], "order": ["a1", "a2"]}}}})
    w = consistent.weights.set_index("node")["weight"]
    assert w["a1"] == pytest.approx(0.75) and not consistent.intermediates["weight_ahp"].empty
    framework = pd.DataFrame({"code": ["I", "a", "b", "c"], "parent": [None, "I", "I", "I"],
                              "direction": [None, 1, 1, 1]})
    data = _data().rename(columns={"a1": "a", "a2": "b", "b1": "c"})
    bad = run(framework, data, {"weight": {"method": "ahp", "matrix": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]}})
    assert any(p.code == "ahp_inconsistent" for p in bad.warnings)
    # The peers' 4x4 example through the recipe gives the peers' eigenvector weights.
    matrix = np.loadtxt(shared / "reference" / "ahp_pairwise_4x4.csv", delimiter=",")
    framework4 = pd.DataFrame({"code": ["I", "p", "q", "r", "s"], "parent": [None, "I", "I", "I", "I"],
                               "direction": [None, 1, 1, 1, 1]})
    data4 = _data().rename(columns={"a1": "p", "a2": "q", "b1": "r"}).assign(s=lambda f: f["p"] + f["q"])
    ahp = run(framework4, data4, {"weight": {"method": "ahp", "matrix": matrix.tolist()}})
    np.testing.assert_allclose(ahp.weights["weight"], [0.5650, 0.2622, 0.1175, 0.0553], atol=5e-5)


def test_combined_weights_are_recorded() -> None:
    result = run(FW, _data(), {"weight": {"method": "combined", "first": {"method": "entropy"},
                                          "second": {"method": "critic"}, "alpha": 0.5}})
    frame = result.weights
    assert frame["method"].eq("combined").all()
    assert frame.groupby("parent")["weight"].sum().to_numpy() == pytest.approx(1.0)
