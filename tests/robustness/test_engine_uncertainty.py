"""The batched engine reproduces the pipeline: the nominal run equals ``hqd.pipeline.build`` for every
kind of recipe, and any sampled run equals a full rebuild of that run through the public API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hqd.datasets.jjj import write_demo_inputs
from hqd.errors import HqdError
from hqd.pipeline import build, load_inputs
from hqd.robustness.engine import BatchEngine, Cube, rank_desc
from hqd.robustness.uncertainty import Analysis, prepare, rebuild, run_analysis

REPO = Path(__file__).resolve().parents[2]
ASEM_RECIPES = ["recipe.yaml", "recipe_geometric.yaml", "recipe_zscore.yaml"]
AGG_SPEC = {"inputs": [{"type": "aggregate", "alternatives": ["arithmetic", "geometric"]}]}


@pytest.fixture(scope="module")
def demo_paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_demo_inputs(tmp_path_factory.mktemp("demo"))


def _asem() -> Path:
    import conftest

    return conftest.shared_path("data", "coinr_asem")


def _engine_nominal(fw: Any, panel: Any, recipe: Any) -> tuple[np.ndarray, Any]:
    result = build(fw, panel, recipe)
    engine = BatchEngine(fw, panel.indicators, recipe, [], [])
    agg, _, failed = engine.evaluate(Cube(np.asarray(result.steps["normalised"])), engine.nominal_plan(2))
    assert not failed.any()
    return agg, result


def _assert_same_tree(agg: np.ndarray, engine_codes: list[str], m: int, result: Any) -> None:
    for pos, code in enumerate(engine_codes[m:]):
        ref = result.cube[result.nodes.index(code)]
        for run in range(agg.shape[1]):
            np.testing.assert_allclose(agg[pos, run], ref, rtol=1e-12, atol=1e-13, err_msg=code)


@pytest.mark.parametrize("recipe", ASEM_RECIPES)
def test_nominal_run_equals_the_pipeline_on_coinr_asem(recipe: str) -> None:
    data = _asem()
    fw, panel, rc = load_inputs(data / "asem_iMeta.csv", data / "asem_iData.csv",
                                REPO / "examples" / "coinr_asem" / recipe)
    agg, result = _engine_nominal(fw, panel, rc)
    codes = BatchEngine(fw, panel.indicators, rc, [], []).tree.codes
    _assert_same_tree(agg, codes, len(panel.indicators), result)


@pytest.mark.parametrize("weight", [
    {"method": "entropy", "shift": 0.0001, "scope": "global", "sample": "pooled"},  # the demo: partial sums
    {"method": "critic", "scope": "global", "sample": "by_year"},
    {"method": "entropy", "shift": 0.0001, "scope": "within_parent", "sample": "by_year"},
    {"method": "cv", "scope": "within_parent", "sample": "pooled", "by_level": {1: {"method": "equal"}}},
    {"method": "combined", "first": {"method": "entropy", "shift": 0.0001}, "second": {"method": "equal"},
     "alpha": 0.5, "scope": "within_parent", "sample": "pooled"},
])
def test_nominal_run_equals_the_pipeline_on_the_demo(demo_paths: dict[str, Path], weight: dict[str, Any]) -> None:
    fw, panel, rc = load_inputs(demo_paths["framework"], demo_paths["data"], demo_paths["recipe"],
                                regions=demo_paths["regions"])
    data = rc.to_dict()
    data["weight"] = weight
    data["aggregate"] = {"method": "arithmetic", "by_level": {0: {"method": "geometric"}}}
    data["zero_policy"] = {"method": "shift", "shift": 0.01}
    recipe = type(rc).from_dict(data)
    agg, result = _engine_nominal(fw, panel, recipe)
    codes = BatchEngine(fw, panel.indicators, recipe, [], []).tree.codes
    _assert_same_tree(agg, codes, len(panel.indicators), result)


def test_entropy_topsis_over_leaves_equals_the_pipeline(demo_paths: dict[str, Path]) -> None:
    fw, panel, rc = load_inputs(demo_paths["framework"], demo_paths["data"],
                                REPO / "examples" / "entropy_topsis" / "recipe.yaml", regions=demo_paths["regions"])
    agg, result = _engine_nominal(fw, panel, rc)
    codes = BatchEngine(fw, panel.indicators, rc, [], []).tree.codes
    _assert_same_tree(agg, codes, len(panel.indicators), result)


def _assert_runs_equal_rebuilds(analysis: Analysis, n: int, seed: int) -> int:
    result = run_analysis(analysis, n=n, seed=seed, workers=1)
    checked = 0
    for i in range(n):
        rebuilt = rebuild(analysis, result.u[i])
        for j, node in enumerate(analysis.nodes):
            if node in rebuilt.nodes:
                np.testing.assert_allclose(result.scores[i, j], rebuilt.cube[rebuilt.nodes.index(node)],
                                           rtol=1e-10, atol=1e-12, err_msg=f"run {i} {node}")
        checked += 1
    return checked


def test_sampled_runs_equal_full_rebuilds_on_asem() -> None:
    data = _asem()
    spec = {
        "recipe": {"normalise": {"method": "minmax", "lo": 1, "hi": 100}},
        "nodes": ["Index", "Conn", "Physical"],
        "inputs": [
            {"name": "winmax", "type": "treat", "parameter": "winmax", "range": [1, 5]},
            {"name": "normalisation", "type": "normalise", "alternatives": [
                {"method": "minmax", "lo": 1, "hi": 100}, {"method": "zscore", "mean": 10, "sd": 2}, "rank"]},
            {"name": "imputation", "type": "impute", "alternatives": [
                {"method": "group_mean", "group": "EurAsia_group"}, "mean"]},
            {"name": "wmethod", "type": "weight", "levels": [3], "alternatives": ["manual", "equal", "entropy",
                                                                                 "critic"]},
            {"name": "wtop", "type": "weight", "levels": [1, 2], "alternatives": ["manual", "entropy"]},
            {"name": "agg", "type": "aggregate", "levels": [0], "alternatives": [
                "arithmetic", "geometric", {"method": "generalised", "p": 2}]},
            {"name": "loo", "type": "leave_one_out"},
        ]}
    analysis = prepare(data / "asem_iMeta.csv", data / "asem_iData.csv",
                       REPO / "examples" / "coinr_asem" / "recipe.yaml", spec, seed=1)
    assert _assert_runs_equal_rebuilds(analysis, 40, 5) == 40
    assert len(analysis.cubes) > 5  # several imputation × treatment × normalisation cubes were used


def test_noisy_runs_equal_rebuilds_with_noisy_framework_weights() -> None:
    data = _asem()
    analysis = prepare(data / "asem_iMeta.csv", data / "asem_iData.csv",
                       REPO / "examples" / "coinr_asem" / "recipe.yaml",
                       REPO / "examples" / "coinr_asem" / "uncertainty_wa.yaml", seed=1)
    assert _assert_runs_equal_rebuilds(analysis, 25, 11) == 25


def test_demo_runs_equal_rebuilds_with_global_weights(demo_paths: dict[str, Path]) -> None:
    spec = {"recipe": {"zero_policy": {"method": "shift", "shift": 0.01}}, "nodes": ["HQD", "ECO", "E1"],
            "inputs": [{"name": "w", "type": "weight", "alternatives": ["equal", {"method": "entropy", "shift": 1e-4},
                                                                         "critic"]},
                       {"name": "a", "type": "aggregate", "alternatives": ["arithmetic", "geometric", "harmonic"]},
                       {"name": "loo", "type": "leave_one_out", "indicators": ["E1", "G5", "V6"]}]}
    analysis = prepare(demo_paths["framework"], demo_paths["data"], demo_paths["recipe"], spec, seed=1,
                       regions=demo_paths["regions"])
    assert _assert_runs_equal_rebuilds(analysis, 30, 2) == 30


def test_geometric_means_on_zeros_are_refused_before_any_run(demo_paths: dict[str, Path]) -> None:
    with pytest.raises(HqdError) as err:
        prepare(demo_paths["framework"], demo_paths["data"], demo_paths["recipe"], AGG_SPEC, seed=1,
                regions=demo_paths["regions"])
    assert set(err.value.codes) == {"nonpositive_value"}
    assert "minmax lo: 1, hi: 100" in err.value.problems[0].message


def test_runs_that_meet_zeros_above_the_indicators_fail_and_are_counted(demo_paths: dict[str, Path]) -> None:
    # Harmonic means over the dimensions only: dimension scores of 0 occur for the worst city-years, so
    # those runs fail (NaN, as COINr records failed rebuilds) while arithmetic runs go through.
    spec = {"recipe": {"weight": {"method": "equal", "scope": "within_parent"}},
            "inputs": [{"type": "aggregate", "levels": [0], "alternatives": ["arithmetic", "harmonic"]}]}
    fw, panel, rc = load_inputs(demo_paths["framework"], demo_paths["data"], demo_paths["recipe"],
                                regions=demo_paths["regions"])
    panel = panel.with_values(np.where(np.arange(panel.values.shape[1])[None, :, None] == 12,
                                       np.nanmin(panel.values, axis=(0, 1)) * (np.asarray(
                                           fw.nodes.loc[panel.indicators, "direction"]) > 0)
                                       + np.nanmax(panel.values, axis=(0, 1)) * (np.asarray(
                                           fw.nodes.loc[panel.indicators, "direction"]) < 0), panel.values))
    analysis = prepare(fw, panel, rc, spec, seed=1)
    result = run_analysis(analysis, n=40, seed=3)
    harmonic = result.parameters["aggregate"].to_numpy() == "harmonic"
    assert harmonic.any() and (~harmonic).any()
    assert result.failed[harmonic].all() and not result.failed[~harmonic].any()
    assert np.isnan(result.scores[harmonic]).all() and np.isfinite(result.scores[~harmonic]).all()
    assert "failed" in " ".join(result.summary_lines())


@settings(max_examples=15, deadline=None)
@given(noise=st.floats(0.01, 0.9), seed=st.integers(0, 2**31 - 1))
def test_noisy_runs_keep_means_inside_their_children_and_ranks_in_range(noise: float, seed: int) -> None:
    analysis = _demo_analysis({"recipe": {"weight": {"method": "equal", "scope": "within_parent"}}, "nodes": [
        "HQD", "ECO", "SOC", "ENV", "INN", "CUL", "GOV"], "inputs": [
        {"type": "weight_noise", "noise": noise, "levels": [1, 2]}]})
    result = run_analysis(analysis, n=20, seed=seed)
    dims = result.scores[:, 1:]
    index = result.scores[:, 0]
    assert (index >= dims.min(axis=1) - 1e-12).all() and (index <= dims.max(axis=1) + 1e-12).all()
    r = len(analysis.regions)
    assert ((result.ranks >= 1) & (result.ranks <= r)).all()
    np.testing.assert_array_equal(result.ranks, rank_desc(result.scores))


_DEMO: dict[str, Any] = {}


def _demo_analysis(spec: dict[str, Any]) -> Analysis:
    if "paths" not in _DEMO:
        import tempfile

        _DEMO["paths"] = write_demo_inputs(Path(tempfile.mkdtemp(prefix="hqd-test-")))
    paths = _DEMO["paths"]
    return prepare(paths["framework"], paths["data"], paths["recipe"], spec, seed=1, regions=paths["regions"])


def test_scaling_all_sibling_multipliers_leaves_scores_unchanged(demo_paths: dict[str, Path]) -> None:
    analysis = _demo_analysis({"recipe": {"weight": {"method": "equal", "scope": "within_parent"}},
                               "inputs": [{"type": "weight_noise", "noise": 0.3, "levels": [2]}]})
    _, plan, _ = analysis.decode(np.random.default_rng(0).random((5, analysis.spec.n_columns)))
    cube = analysis.nominal_cube()
    a, _, _ = analysis.engine.evaluate(cube, plan)
    assert plan.noise is not None
    plan.noise = plan.noise * 3.7
    b, _, _ = analysis.engine.evaluate(cube, plan)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_rank_desc_matches_the_pipeline_convention() -> None:
    x = np.array([[3.0, 1.0, 3.0, np.nan, 2.0]])
    np.testing.assert_array_equal(rank_desc(x), [[1.0, 4.0, 1.0, np.nan, 3.0]])


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 30), st.integers(0, 2**31 - 1))
def test_rank_desc_equals_scipy_min_ranks_with_ties_and_gaps(rows: int, cols: int, seed: int) -> None:
    from scipy.stats import rankdata

    rng = np.random.default_rng(seed)
    x = rng.integers(0, 5, size=(rows, cols)).astype(float)  # many ties
    x[rng.random((rows, cols)) < 0.2] = np.nan
    expected = rankdata(np.where(np.isnan(x), np.inf, -x), method="min", axis=-1).astype(float)
    np.testing.assert_array_equal(rank_desc(x), np.where(np.isnan(x), np.nan, expected))


def test_a_process_pool_gives_the_same_numbers(demo_paths: dict[str, Path]) -> None:
    analysis = _demo_analysis({"recipe": {"zero_policy": {"method": "shift", "shift": 0.01}}, "inputs": [
        {"type": "weight", "alternatives": ["equal", "critic"]},
        {"type": "aggregate", "alternatives": ["arithmetic", "geometric"]},
        {"type": "weight_noise", "noise": 0.2, "levels": [1, 2]}]})
    single = run_analysis(analysis, n=3000, seed=4, workers=1)
    pooled = run_analysis(analysis, n=3000, seed=4, workers=2)
    np.testing.assert_array_equal(single.scores, pooled.scores)
    np.testing.assert_array_equal(single.ranks, pooled.ranks)
    assert analysis.timings["workers"] == 2.0


def test_a_shift_zero_policy_without_a_value_runs_with_the_documented_default(demo_paths: dict[str, Path]) -> None:
    # Regression (issue #12): the pipeline shifted by 0.01 and the batched engine by 1.0 when the spec named
    # `zero_policy: {method: shift}` without a value, so every such analysis stopped with internal_mismatch.
    spec = {"recipe": {"zero_policy": {"method": "shift"}, "aggregate": {"method": "geometric"}},
            "nodes": ["HQD", "ECO"],
            "inputs": [{"type": "aggregate", "alternatives": ["arithmetic", "geometric"]}]}
    analysis = _demo_analysis(spec)  # the nominal build (geometric means over zeros) is checked here
    result = run_analysis(analysis, n=20, seed=3, workers=1)
    assert not result.failed.any()
    # The resolved value is the documented one (docs/formats.md) and is what the manifest records.
    assert analysis.engine.recipe.zero_policy == {"method": "shift", "shift": 0.01}
    assert analysis.nominal.manifest["recipe"]["zero_policy"] == {"method": "shift", "shift": 0.01}
    geometric = result.parameters["aggregate"].to_numpy() == "geometric"
    assert geometric.any()
    # Every geometric run equals a full rebuild of that run through the pipeline (same shift on both paths).
    assert _assert_runs_equal_rebuilds(analysis, 6, 3) == 6
