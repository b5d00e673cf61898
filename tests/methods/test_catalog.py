"""The method catalogue: complete, one-line docs, parameter validation, unknown names."""

from __future__ import annotations

import inspect

import pytest

import hqd.methods
from hqd.errors import HqdError
from hqd.methods import catalog

EXPECTED = {
    "denominate": ["divide", "none"],
    "screen": ["availability", "none"],
    "normalise": [
        "distance_to_target",
        "goalposts",
        "minmax",
        "none",
        "percentile_rank",
        "rank",
        "ratio_to_base",
        "vector",
        "zscore",
    ],
    "weight": ["ahp", "combined", "critic", "cv", "entropy", "equal", "game_theory", "independence", "manual", "pca",
               "scatter_degree", "std"],
    "aggregate": ["arithmetic", "generalised", "geometric", "harmonic", "topsis"],
    "impute": ["group_mean", "group_median", "linear", "locf", "mean", "median", "nocb", "none"],
    "treat": ["coinr_winsorise", "log", "none", "percentile_clip"],
}


def test_catalogue_covers_every_family() -> None:
    assert sorted(EXPECTED) == sorted(catalog.FAMILIES)


@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_catalogue_is_complete(family: str) -> None:
    assert catalog.names(family) == EXPECTED[family]


def test_every_method_documents_itself_and_its_parameters() -> None:
    for method in catalog.all_methods():
        assert method.doc and "\n" not in method.doc
        signature = inspect.signature(method.func)
        for key, spec in method.params.items():
            assert key in signature.parameters, f"{method.family}.{method.name}: {key}"
            assert spec.help
            default = signature.parameters[key].default
            if not spec.required:
                assert default == spec.default, f"{method.family}.{method.name}.{key}"
        for key, p in signature.parameters.items():
            if p.kind is p.KEYWORD_ONLY or (p.default is not p.empty and key not in ("x",)):
                assert key in method.params, f"{method.family}.{method.name} does not declare {key}"
        if method.params.get("x") is None:
            assert "x" not in method.params


def test_get_and_unknown_method_lists_valid_names() -> None:
    assert catalog.get("weight", "entropy").func is hqd.methods.weight.entropy
    assert hqd.methods.get("weight", "entropy")([[0.1, 0.2], [0.3, 0.9]]).weights.shape == (2,)
    with pytest.raises(HqdError) as err:
        catalog.get("weight", "entropyy")
    assert err.value.codes == ["unknown_method"]
    assert "unknown weight method 'entropyy'; valid: ahp, combined, critic, cv, entropy" in str(err.value)
    with pytest.raises(HqdError) as err2:
        catalog.names("weights")
    assert err2.value.codes == ["unknown_family"]


def test_validate_params_fills_defaults_and_collects_problems() -> None:
    assert catalog.validate_params("normalize", "minmax", {"hi": 100}) == {
        "lo": 0.0,
        "hi": 100.0,
        "shift": 0.0,
    }
    assert catalog.validate_params("aggregate", "geometric", {"zero": "na"})["zero"] == "na"
    with pytest.raises(HqdError) as err:
        catalog.validate_params(
            "aggregate", "geometric", {"zero": "zap", "epsilon": "small", "power": 2, "na": True}
        )
    assert err.value.codes == ["invalid_parameter"] * 4
    text = str(err.value)
    assert "unknown parameter 'power'; valid: epsilon, na, shift, w, zero" in text
    assert "parameter 'zero' must be one of {'refuse', 'na', 'epsilon', 'shift'}; got 'zap'" in text
    assert "parameter 'epsilon' must be of type float; got 'small' (str)" in text
    with pytest.raises(HqdError, match="parameter 'matrix' is required"):
        catalog.validate_params("weight", "ahp", {})
    assert catalog.validate_params("weight", "ahp", {"matrix": [[1, 2], [0.5, 1]]})["method"] == "eigenvector"
    with pytest.raises(HqdError, match="must be of type int"):
        catalog.validate_params("weight", "critic", {"ddof": 1.5})
    with pytest.raises(HqdError, match="must be of type bool"):
        catalog.validate_params("normalize", "goalposts", {"log": "yes"})
