"""The one declaration of the zero / NA / placeholder policies and their defaults."""

from __future__ import annotations

import numpy as np
import pytest

from hqd.errors import HqdError
from hqd.methods import catalog
from hqd.model import policy
from hqd.model.recipe import Recipe


def test_the_documented_shift_default_is_the_only_one() -> None:
    # docs/formats.md: `zero_policy: … | shift (shift: 0.01)`; the aggregation functions' own default is the same.
    assert policy.ZERO_SHIFT == 0.01 and policy.ZERO_EPSILON == 1e-6
    assert catalog.get("aggregate", "geometric").params["shift"].default == policy.ZERO_SHIFT
    assert catalog.get("aggregate", "harmonic").params["epsilon"].default == policy.ZERO_EPSILON


@pytest.mark.parametrize(("raw", "resolved"), [
    ("shift", {"method": "shift", "shift": 0.01}),
    ({"method": "shift"}, {"method": "shift", "shift": 0.01}),
    ({"method": "shift", "shift": 1}, {"method": "shift", "shift": 1.0}),
    ({"method": "epsilon"}, {"method": "epsilon", "epsilon": 1e-6}),
    ("na", {"method": "na"}),
])
def test_a_recipe_records_the_resolved_zero_policy(raw: object, resolved: dict[str, object]) -> None:
    recipe = Recipe.from_dict({"zero_policy": raw})
    assert recipe.zero_policy == resolved
    assert recipe.to_dict()["zero_policy"] == resolved  # what recipe.yaml and the manifest carry


@pytest.mark.parametrize(("raw", "expected"), [
    (5, "zero_policy: expected a policy name"),
    (["a"], "zero_policy: expected a policy name"),
    ({"method": "zap"}, "unknown zero policy 'zap'; valid: refuse, na, epsilon, shift"),
    ({"method": "shift", "epsilon": 1e-3}, "zero_policy.epsilon: unknown key for zero policy 'shift'; valid: "
                                            "method, shift"),
    ({"method": "shift", "shift": "big"}, "zero_policy.shift: must be a number > 0"),
    ({"method": "epsilon", "epsilon": 0}, "zero_policy.epsilon: must be a number > 0"),
])
def test_a_bad_zero_policy_is_one_located_error(raw: object, expected: str) -> None:
    with pytest.raises(HqdError) as err:
        Recipe.from_dict({"zero_policy": raw})
    assert expected in str(err.value)
    assert all(p.column == "zero_policy" for p in err.value.problems)


def test_apply_zero_policy_shifts_the_whole_block_and_na_voids_the_observation() -> None:
    block = np.array([[0.5, 0.0], [0.2, 0.4]])
    shifted, void = policy.apply_zero_policy(block, {"method": "shift", "shift": 0.01})
    np.testing.assert_allclose(shifted, block + 0.01)
    assert not void.any()
    values, void = policy.apply_zero_policy(block, {"method": "na"})
    assert void.tolist() == [True, False] and values[0, 1] == 1.0
    values, _ = policy.apply_zero_policy(block, {"method": "epsilon", "epsilon": 1e-6})
    assert values[0, 1] == 1e-6 and values[1, 1] == 0.4
    untouched, void = policy.apply_zero_policy(block + 1, {"method": "shift", "shift": 0.01})
    np.testing.assert_array_equal(untouched, block + 1)  # no value ≤ 0: nothing to do


def test_placeholders_hold_both_readers_lists() -> None:
    assert {"—", "…", "/", "NA", "#N/A", "×", "None", "－"} <= policy.PLACEHOLDERS
    assert "" not in policy.PLACEHOLDERS  # a blank cell is missing whatever the policy


def test_the_manifest_records_the_resolved_policies() -> None:
    import pandas as pd

    from hqd.pipeline import run

    framework = pd.DataFrame({"code": ["I", "A", "B"], "parent": ["", "I", "I"], "direction": [None, 1, 1]})
    data = pd.DataFrame({"region": ["r1", "r2", "r3"], "year": [2020] * 3, "A": [1.0, 2.0, 3.0],
                         "B": [3.0, 1.0, 2.0]})
    result = run(framework, data, {"aggregate": "geometric", "zero_policy": "shift"})
    policies = result.manifest["policies"]
    assert policies["zero_policy"] == {"method": "shift", "shift": 0.01}
    assert policies["na_policy"] == "skip" and policies["placeholders"] == "error"
    # Min-max puts each indicator's worst region at 0: the geometric mean of the shifted values.
    x = np.array([[0.0, 1.0], [0.5, 0.0], [1.0, 0.5]]) + 0.01
    np.testing.assert_allclose(result.node_scores("I").to_numpy()[0], np.sqrt(x[:, 0] * x[:, 1]), rtol=1e-12)
