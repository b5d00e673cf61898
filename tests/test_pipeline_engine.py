"""The build's weigh-and-aggregate step and the batched evaluator give the same numbers (issue #12, step 3).

Hypothesis draws a few hundred recipes — every weighting (framework, equal, data-driven, combined,
AHP), within-parent and global (综合权重) scopes, pooled and by-year samples, per-level overrides, every
aggregation (power means, generalised p, TOPSIS over children or leaves with pooled or by-year ideals),
every zero and NA policy — over a SYNTHETIC panel with missing cells, and checks that the batched engine's
one nominal run reproduces :func:`hqd.pipeline.build` node by node (relative 1e-12), or that both refuse.
The examples (HDI, COINr ASEM, entropy-TOPSIS, the Jing-Jin-Ji demo) are checked the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hqd.errors import HqdError
from hqd.model.recipe import Recipe
from hqd.pipeline import build, load_inputs
from hqd.robustness.engine import BatchEngine, Cube

REPO = Path(__file__).resolve().parents[1]

# SYNTHETIC: a 3-level framework (index → 3 dimensions → 7 indicators) over 9 regions × 4 years.
FRAMEWORK = pd.DataFrame({
    "code": ["I", "D1", "D2", "D3", "a", "b", "c", "d", "e", "f", "g"],
    "parent": ["", "I", "I", "I", "D1", "D1", "D2", "D2", "D2", "D3", "D3"],
    "direction": [None, None, None, None, 1, 1, -1, 1, 1, -1, 1],
    "weight": [None, 2.0, 1.0, 1.0, 1.0, 3.0, 1.0, None, 2.0, 1.0, 1.0],
})
_RNG = np.random.default_rng(20261204)
_REGIONS = [f"r{i}" for i in range(9)]
_YEARS = [2018, 2019, 2020, 2021]
_VALUES = _RNG.lognormal(0.0, 0.6, size=(len(_YEARS) * len(_REGIONS), 7))
DATA = pd.DataFrame(_VALUES, columns=list("abcdefg"))
DATA.insert(0, "year", np.repeat(_YEARS, len(_REGIONS)))
DATA.insert(0, "region", np.tile(_REGIONS, len(_YEARS)))
DATA.loc[[3, 17, 30], ["b", "e", "g"]] = np.nan  # SYNTHETIC missing cells

_AHP3 = {"method": "ahp", "matrix": [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]}
WEIGHTS = st.sampled_from([
    "equal", "manual", {"method": "entropy", "shift": 0.0001}, "critic", "cv", "std",
    {"method": "combined", "first": {"method": "entropy", "shift": 0.0001}, "second": "equal", "alpha": 0.3},
    {"method": "combined", "first": "critic", "second": "manual", "method_": "multiplicative"},
])
AGGREGATES = st.sampled_from([
    "arithmetic", "geometric", "harmonic", {"method": "generalised", "p": 2.0}, {"method": "generalised", "p": -0.5},
    {"method": "topsis"}, {"method": "topsis", "ideals": "by_year"}, {"method": "topsis", "over": "leaves"},
])
NORMALISE = st.sampled_from([
    {"method": "minmax"}, {"method": "minmax", "lo": 1, "hi": 100}, {"method": "zscore", "mean": 10, "sd": 2},
    {"method": "rank"}, {"method": "minmax", "scope": "by_year"},
])


def _choice(value: Any) -> Any:
    if isinstance(value, dict) and "method_" in value:  # the combination's own `method` goes under params
        out = {k: v for k, v in value.items() if k != "method_"}
        out["params"] = {"method": value["method_"]}
        return out
    return value


@st.composite
def recipes(draw: st.DrawFn) -> dict[str, Any]:
    scope = draw(st.sampled_from(["within_parent", "global"]))
    sample = draw(st.sampled_from(["pooled", "by_year"]))
    weight: dict[str, Any] = {**_as_dict(_choice(draw(WEIGHTS))), "scope": scope, "sample": sample}
    if scope == "within_parent" and draw(st.booleans()):
        weight["by_level"] = {1: _choice(draw(st.sampled_from(["equal", "manual", _AHP3, "critic"])))}
    aggregate: dict[str, Any] = {**_as_dict(draw(AGGREGATES))}
    if draw(st.booleans()):
        aggregate["by_level"] = {0: draw(AGGREGATES)}
    return {
        "normalise": draw(NORMALISE), "weight": weight, "aggregate": aggregate,
        "zero_policy": draw(st.sampled_from(["refuse", "na", "epsilon", {"method": "shift", "shift": 0.5},
                                             "shift"])),
        "na_policy": draw(st.sampled_from(["skip", "propagate"])),
    }


def _as_dict(value: Any) -> dict[str, Any]:
    return {"method": value} if isinstance(value, str) else dict(value)


_INPUTS: dict[str, Any] = {}


def _inputs() -> tuple[Any, Any]:
    if not _INPUTS:
        fw, panel, _ = load_inputs(FRAMEWORK, DATA, None)
        _INPUTS.update(fw=fw, panel=panel)
    return _INPUTS["fw"], _INPUTS["panel"]


def assert_engine_equals_build(fw: Any, panel: Any, recipe: Recipe) -> bool:
    """True when both paths computed (and agree); False when both refused the recipe."""
    try:
        result = build(fw, panel, recipe)
    except HqdError:
        result = None
    engine = BatchEngine(fw, panel.indicators, recipe, [], [])
    if result is None:
        return False  # the build refuses (e.g. values ≤ 0 under zero_policy: refuse): nothing to compare
    cube = Cube(np.asarray(result.steps["normalised"]))
    try:
        agg, _, failed = engine.evaluate(cube, engine.nominal_plan(1))
    except HqdError as err:
        raise AssertionError(f"the engine refuses what the build computed: {err}") from None
    assert not failed.any(), "the engine failed a run the build computed"
    tree = engine.tree
    for pos, code in enumerate(tree.codes[tree.m:]):
        ref = result.cube[result.nodes.index(code)]
        np.testing.assert_array_equal(np.isnan(agg[pos, 0]), np.isnan(ref), err_msg=f"NaN pattern of {code}")
        np.testing.assert_allclose(agg[pos, 0], ref, rtol=1e-12, atol=1e-13, err_msg=code)
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes())
def test_the_batched_evaluator_equals_the_build_on_random_recipes(data: dict[str, Any]) -> None:
    fw, panel = _inputs()
    try:
        recipe = Recipe.from_dict(data)
    except HqdError as err:  # pragma: no cover - the strategy draws valid recipes only
        raise AssertionError(f"strategy drew an invalid recipe: {err}") from None
    assert_engine_equals_build(fw, panel, recipe)


def test_the_batched_evaluator_equals_the_build_on_the_examples(tmp_path: Path) -> None:
    import conftest
    from hqd.datasets.jjj import write_demo_inputs

    paths = write_demo_inputs(tmp_path)
    cases = [(paths["framework"], paths["data"], paths["recipe"], paths["regions"]),
             (paths["framework"], paths["data"], REPO / "examples" / "entropy_topsis" / "recipe.yaml",
              paths["regions"])]
    asem = conftest.shared_path("data", "coinr_asem")
    for name in ("recipe.yaml", "recipe_geometric.yaml", "recipe_zscore.yaml"):
        cases.append((asem / "asem_iMeta.csv", asem / "asem_iData.csv", REPO / "examples" / "coinr_asem" / name,
                      None))
    hdi = conftest.shared_path("data", "hdi", "hdi_components_long.csv")
    cases.append((REPO / "examples" / "hdi" / "framework.csv", hdi, REPO / "examples" / "hdi" / "recipe.yaml", None))
    computed = 0
    for framework, data, recipe, regions in cases:
        options = {"region_col": "iso3"} if data == hdi else {}
        fw, panel, rc = load_inputs(framework, data, recipe, regions=regions, **options)
        computed += assert_engine_equals_build(fw, panel, rc)
    assert computed == len(cases)
