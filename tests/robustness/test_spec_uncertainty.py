"""The uncertainty spec: valid specs resolve; invalid ones are refused up front with reason codes and
locations (never interactive, never a traceback), on the bundled Jing-Jin-Ji demo framework."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hqd.datasets.jjj import write_demo_inputs
from hqd.errors import HqdError
from hqd.model.framework import Framework
from hqd.model.panel import Panel
from hqd.model.recipe import Recipe
from hqd.pipeline import load_inputs
from hqd.robustness.spec import load_spec, parents_covered

Inputs = tuple[Framework, Panel, Recipe]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    paths = write_demo_inputs(tmp_path_factory.mktemp("demo"))
    return load_inputs(paths["framework"], paths["data"], paths["recipe"], regions=paths["regions"])


def within_recipe(demo: Inputs) -> Recipe:
    data = demo[2].to_dict()
    data["weight"] = {"method": "equal", "scope": "within_parent"}
    return Recipe.from_dict(data)


def problems(demo: Inputs, spec: dict[str, Any], recipe: Recipe | None = None) -> HqdError:
    fw, panel, rc = demo
    with pytest.raises(HqdError) as err:
        load_spec(spec, fw, recipe or rc, panel)
    return err.value


def test_a_valid_spec_resolves_inputs_alternatives_and_targets(demo: Inputs) -> None:
    fw, panel, rc = demo
    spec = load_spec({
        "name": "x", "recipe": {"zero_policy": {"method": "shift", "shift": 0.01}}, "nodes": ["HQD", "ECO"],
        "year": 2020,
        "inputs": [
            {"name": "w", "type": "weight", "alternatives": ["equal", {"method": "entropy", "shift": 0.0001}]},
            {"type": "aggregate", "alternatives": ["arithmetic", "geometric"]},
            {"name": "noise", "type": "weight_noise", "noise": 0.2, "levels": [1], "sets": 10},
            {"type": "normalise", "parameter": "hi", "values": [1, 100]},
            {"type": "leave_one_out", "indicators": ["E1", "S2"]},
        ]}, fw, rc, panel)
    assert [i.name for i in spec.inputs] == ["w", "aggregate", "noise", "normalise", "leave_one_out"]
    assert spec.recipe.zero_policy["method"] == "shift" and spec.nodes == ("HQD", "ECO") and spec.year == 2020
    assert [a.label for a in spec.inputs[0].alternatives] == ["equal", "entropy(shift=0.0001)"]
    assert spec.inputs[2].targets == ("ECO", "SOC", "ENV", "INN", "CUL", "GOV") and spec.inputs[2].n_columns == 1
    assert [a.label for a in spec.inputs[3].alternatives] == ["hi=1", "hi=100"]
    assert [a.label for a in spec.inputs[4].alternatives] == ["none", "drop E1", "drop S2"]
    assert spec.n_columns == 5


def test_continuous_noise_takes_one_column_per_perturbed_weight(demo: Inputs) -> None:
    fw, panel, rc = demo
    spec = load_spec({"inputs": [{"type": "weight_noise", "noise": 0.1, "levels": [2]}]}, fw, rc, panel)
    assert spec.inputs[0].n_columns == 36 and not spec.inputs[0].discrete


def test_yaml_spec_reports_the_line_of_the_bad_input(demo: Inputs, tmp_path: Path) -> None:
    fw, panel, rc = demo
    path = tmp_path / "spec.yaml"
    path.write_text("name: t\ninputs:\n  - {type: aggregate, alternatives: [arithmetic, geometric]}\n"
                    "  - name: w\n    type: weight\n    alternatives: [equal, entropyy]\n", encoding="utf-8")
    with pytest.raises(HqdError) as err:
        load_spec(path, fw, rc, panel)
    (problem,) = err.value.problems
    assert problem.code == "unknown_method" and problem.file == str(path) and problem.row == 4
    assert "entropyy" in problem.message and "critic, cv, entropy" in problem.message


def test_unknown_aggregation_lists_the_valid_ones(demo: Inputs) -> None:
    err = problems(demo, {"inputs": [{"type": "aggregate", "alternatives": ["arithmetic", "geometrik"]}]})
    assert err.codes == ["unknown_method"]
    assert "geometric" in err.problems[0].message and err.problems[0].column == "aggregate"


def test_bad_parameters_of_an_alternative_come_from_the_catalogue(demo: Inputs) -> None:
    err = problems(demo, {"inputs": [{"type": "normalise", "alternatives": [
        {"method": "minmax", "lo": 1, "hi": 100}, {"method": "zscore", "sd": "two"}]}]})
    assert err.codes == ["invalid_parameter"] and "sd" in err.problems[0].message
    assert "alternative 'zscore(sd=two)'" in err.problems[0].message


def test_every_problem_is_reported_at_once(demo: Inputs) -> None:
    err = problems(demo, {"nodes": ["NOPE"], "colour": 1, "inputs": [
        {"type": "weight_noise", "noise": 1.5, "levels": [7]},
        {"type": "wheights", "alternatives": ["equal", "critic"]},
        {"type": "leave_one_out", "indicators": ["E1", "ZZ"]},
        {"type": "aggregate", "alternatives": ["arithmetic"]},
    ]})
    assert sorted(err.codes) == sorted(["invalid_spec", "unknown_node", "invalid_range", "unknown_level",
                                        "unknown_input_type", "unknown_indicator", "invalid_range"])


def test_noise_needs_levels_and_a_fraction(demo: Inputs) -> None:
    err = problems(demo, {"inputs": [{"type": "weight_noise"}]})
    assert err.codes == ["missing_parameter", "missing_parameter"]
    err = problems(demo, {"inputs": [{"type": "weight_noise", "noise": 0.2, "levels": [1], "sets": 0}]})
    assert err.codes == ["invalid_range"] and "sets" in err.problems[0].message


def test_levels_must_exist_and_node_codes_must_be_aggregates(demo: Inputs) -> None:
    rc = within_recipe(demo)
    err = problems(demo, {"inputs": [{"type": "weight", "levels": [0], "alternatives": ["equal", "critic"]}]}, rc)
    assert err.codes == ["unknown_level"] and "valid levels: 1, 2" in err.problems[0].message
    err = problems(demo, {"inputs": [{"type": "aggregate", "levels": ["E1"], "alternatives": [
        "arithmetic", "geometric"]}]})
    assert err.codes == ["unknown_node"] and err.problems[0].indicator == "E1"


def test_levels_do_not_apply_to_global_weights(demo: Inputs) -> None:
    err = problems(demo, {"inputs": [{"type": "weight", "levels": [2], "alternatives": ["equal", "critic"]}]})
    assert err.codes == ["invalid_spec"] and "global" in err.problems[0].message


def test_overlapping_inputs_are_refused(demo: Inputs) -> None:
    rc = within_recipe(demo)
    err = problems(demo, {"inputs": [
        {"name": "a", "type": "aggregate", "alternatives": ["arithmetic", "geometric"]},
        {"name": "b", "type": "aggregate", "levels": [0], "alternatives": ["arithmetic", "harmonic"]},
        {"name": "n1", "type": "weight_noise", "noise": 0.2, "levels": [1]},
        {"name": "n2", "type": "weight_noise", "noise": 0.2, "levels": ["HQD"]},
        {"name": "t1", "type": "treat", "alternatives": ["none", "coinr_winsorise"]},
        {"name": "t2", "type": "treat", "alternatives": ["none", "percentile_clip"]},
    ]}, rc)
    assert sorted(err.codes) == ["overlapping_inputs"] * 3


def test_duplicate_names_and_alternatives_are_refused(demo: Inputs) -> None:
    err = problems(demo, {"inputs": [
        {"name": "x", "type": "aggregate", "alternatives": ["arithmetic", "geometric"]},
        {"name": "x", "type": "normalise", "alternatives": ["minmax", "minmax"]}]})
    assert sorted(err.codes) == ["duplicate_input"]


def test_ranges_expand_to_integers_and_must_be_increasing(demo: Inputs) -> None:
    fw, panel, rc = demo
    spec = load_spec({"recipe": {"treat": {"method": "coinr_winsorise"}},
                      "inputs": [{"type": "treat", "parameter": "winmax", "range": [1, 4]}]}, fw, rc, panel)
    assert [a.choice.params["winmax"] for a in spec.inputs[0].alternatives if a.choice] == [1, 2, 3, 4]
    err = problems(demo, {"inputs": [{"type": "treat", "parameter": "winmax", "range": [5, 1]}]})
    assert err.codes == ["invalid_range"]


def test_data_checks_run_on_each_alternative(demo: Inputs) -> None:
    err = problems(demo, {"inputs": [{"type": "normalise", "alternatives": ["minmax", "goalposts"]}]})
    assert set(err.codes) == {"missing_goalposts"} and "alternative 'goalposts'" in err.problems[0].message


def test_unsupported_choices_say_so(demo: Inputs) -> None:
    err = problems(demo, {"inputs": [{"type": "leave_one_out", "indicators": "some"}]})
    assert err.codes == ["invalid_spec"]
    err = problems(demo, {"inputs": [{"type": "weight", "alternatives": ["equal", {
        "method": "ahp", "matrix": [[1, 2], [0.5, 1]]}]}]})
    assert "unsupported_in_uncertainty" in err.codes


def test_recipe_overrides_are_checked(demo: Inputs) -> None:
    err = problems(demo, {"recipe": {"normalise": {"method": "minmux"}}, "inputs": [
        {"type": "aggregate", "alternatives": ["arithmetic", "geometric"]}]})
    assert err.codes == ["unknown_method"] and err.problems[0].column == "recipe"


def test_missing_file_and_bad_yaml(demo: Inputs, tmp_path: Path) -> None:
    fw, _, rc = demo
    with pytest.raises(HqdError) as err:
        load_spec(tmp_path / "nope.yaml", fw, rc)
    assert err.value.codes == ["file_not_found"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("inputs: [\n  - x: 1\n", encoding="utf-8")
    with pytest.raises(HqdError) as err:
        load_spec(bad, fw, rc)
    assert err.value.codes == ["invalid_yaml"] and err.value.problems[0].row is not None


def test_parents_covered_follow_the_recipe_level_conventions(demo: Inputs) -> None:
    fw = demo[0]
    assert parents_covered("aggregate", (0,), fw) == ["HQD"]
    assert parents_covered("weight", (1,), fw) == ["HQD"]  # the weights of level-1 nodes live under the index
    assert len(parents_covered("weight", (2,), fw)) == 6 and parents_covered("aggregate", ("ECO",), fw) == ["ECO"]


def test_catalogue_problems_are_located_in_the_spec_file(demo: Inputs, tmp_path: Path) -> None:
    fw, panel, rc = demo
    path = tmp_path / "s.yaml"
    path.write_text("inputs:\n  - type: normalise\n    alternatives: [minmax, {method: zscore, sd: x}]\n",
                    encoding="utf-8")
    with pytest.raises(HqdError) as err:
        load_spec(path, fw, rc, panel)
    (problem,) = err.value.problems
    assert (problem.code, problem.file, problem.row, problem.column) == ("invalid_parameter", str(path), 2,
                                                                          "input 'normalise', alternative "
                                                                          "'zscore(sd=x)'")


def test_a_spec_with_yaml_aliases_is_refused(tmp_path: Path) -> None:
    """The uncertainty spec goes through the same safe YAML loader as frameworks and recipes (#20)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text("a: &x [1, 2]\ninputs:\n  - {type: weight_noise, noise: 0.2, levels: *x}\n", encoding="utf-8")
    with pytest.raises(HqdError) as caught:
        load_spec(spec, None, None)  # type: ignore[arg-type]  (refused before the framework is needed)
    assert caught.value.codes == ["yaml_alias"]
