"""Every recipe is checked against the catalogue-declared schema before use: one error, every problem,
each with its reason code and key path, naming the valid keys or values (issues #12, #19 item 3, #20)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from hqd.errors import HqdError
from hqd.model.recipe import Recipe
from hqd.pipeline import check_recipe, load_inputs

FRAMEWORK = pd.DataFrame({"code": ["I", "D1", "D2", "a", "b", "c", "d"],
                          "parent": ["", "I", "I", "D1", "D1", "D2", "D2"],
                          "direction": [None, None, None, 1, 1, 1, -1]})
DATA = pd.DataFrame({"region": ["r1", "r2", "r3"] * 2, "year": [2020] * 3 + [2021] * 3,
                     "a": [1.0, 2.0, 3.0, 2.0, 3.0, 4.0], "b": [3.0, 1.0, 2.0, 2.0, 2.5, 1.0],
                     "c": [5.0, 6.0, 7.0, 5.5, 6.5, 8.0], "d": [1.0, 0.5, 0.2, 0.9, 0.4, 0.3]})


def _problems(recipe: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(HqdError) as err:
        load_inputs(FRAMEWORK, DATA, recipe)
    return [(p.code, p.message) for p in err.value.problems]


@pytest.mark.parametrize(("recipe", "code", "text"), [
    ({"weight": {"method": "entropy", "on": "x"}}, "invalid_parameter",
     "weight.on: unknown key for weight method 'entropy'; valid: shift"),
    ({"aggregate": {"method": "topsis", "over": "leafs"}}, "invalid_parameter",
     "aggregate.over: must be one of 'children', 'leaves'; got 'leafs'"),
    ({"aggregate": {"method": "topsis", "ideals": "sometimes"}}, "invalid_parameter",
     "aggregate.ideals: must be one of 'pooled', 'by_year'; got 'sometimes'"),
    ({"aggregate": {"method": "arithmetic", "over": "banana"}}, "invalid_parameter",
     "aggregate.over: unknown key for aggregate method 'arithmetic'; valid: (none)"),
    ({"aggregate": {"method": "geometric", "zero": "na"}}, "invalid_parameter",
     "aggregate.zero: 'zero' is supplied by HQD from the framework and data (recipe zero_policy)"),
    ({"zero_policy": 5}, "invalid_recipe", "zero_policy: expected a policy name"),
    ({"zero_policy": ["a"]}, "invalid_recipe", "zero_policy: expected a policy name"),
    ({"group_aggregation": 5}, "invalid_recipe", "group_aggregation: expected a method name"),
    ({"group_aggregation": {"method": "mean", "column": "x"}}, "invalid_parameter",
     "group_aggregation.column: unknown key; valid: method, weight_column"),
    ({"rank_group": {"a": 1}}, "invalid_recipe", "rank_group: expected the name of a region column"),
    ({"grades": {"cuts": [0.5], "colours": ["red", "blue"]}}, "invalid_parameter",
     "grades.colours: unknown key; valid: cuts, labels, labels_en, labels_zh"),
    ({"weight": {"method": "ahp", "by_level": {1: {"method": "ahp", "matrix": [[1, 2], [0.5]]}}}},
     "invalid_parameter", "weight.by_level[1].matrix[1]: row has 1 entries; a 2×2 matrix needs 2"),
    ({"weight": {"method": "combined", "first": {"method": "entropyy"}, "second": "equal"}}, "unknown_method",
     "weight.first: unknown weight method 'entropyy'; valid: ahp, combined, critic"),
    ({"screen": {"method": "availability", "by": "city"}}, "invalid_parameter",
     "screen.by: must be one of 'region', 'region_year'; got 'city'"),
])
def test_an_unknown_or_misshapen_recipe_key_is_a_located_error(recipe: dict[str, Any], code: str,
                                                               text: str) -> None:
    problems = _problems(recipe)
    assert any(c == code and text in m for c, m in problems), problems


def test_every_problem_is_listed_at_once() -> None:
    problems = _problems({"aggregate": {"method": "topsis", "over": "banana", "ideals": "sometimes"},
                          "weight": {"method": "equal", "on": "x"}})
    assert [c for c, _ in problems] == ["invalid_parameter"] * 3


def test_normalize_is_an_alias_of_the_normalise_step() -> None:
    a = Recipe.from_dict({"normalize": {"method": "minmax", "lo": 1, "hi": 100}})
    b = Recipe.from_dict({"normalise": {"method": "minmax", "lo": 1, "hi": 100}})
    assert a.to_dict() == b.to_dict()
    fw, _, recipe = load_inputs(FRAMEWORK, DATA, {"normalize": {"method": "zscore", "sd": 2}})
    assert check_recipe(recipe, fw) == []  # the catalogue names the family "normalise", and accepts "normalize"
