"""COINr's ASEM example: HQD reproduces COINr 1.1.14's output at every step (METHODS.md §16).

Reference: ../shared/reference/coinr_asem/ (COINr's own output of its default build).  The geometric
and z-score variants are checked against the same formulas applied with pandas to COINr's *treated*
table, so they too start from numbers HQD did not compute.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hqd.pipeline import run
from hqd.result import Result

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "coinr_asem"


@pytest.fixture(scope="module")
def asem(request: pytest.FixtureRequest) -> tuple[Path, Path]:
    import conftest

    return conftest.shared_path("data", "coinr_asem"), conftest.shared_path("reference", "coinr_asem")


def _build(asem: tuple[Path, Path], recipe: str) -> Result:
    data, _ = asem
    return run(data / "asem_iMeta.csv", data / "asem_iData.csv", EXAMPLE / recipe)


def _compare(ours: pd.DataFrame, ref: pd.DataFrame, rtol: float = 1e-9) -> None:
    columns = [c for c in ref.columns if c in ours.columns]
    assert len(columns) >= 1
    a = ours.loc[ref.index, columns].to_numpy(float)
    b = ref[columns].to_numpy(float)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12)


def test_published_top_five(asem: tuple[Path, Path]) -> None:
    result = _build(asem, "recipe.yaml")
    index = result.node_scores("Index").iloc[0].sort_values(ascending=False)
    assert index.head(5).round(2).to_dict() == {"CHE": 68.38, "NLD": 64.82, "DNK": 64.80, "NOR": 64.47,
                                                "BEL": 63.54}
    table = result.score_table(["Conn", "Sust"]).xs(2018, level="year")
    assert round(table.loc["CHE", "Conn"], 2) == 62.79 and round(table.loc["CHE", "Sust"], 2) == 73.98


@pytest.mark.parametrize("step,file", [
    ("denominated", "asem_default_denominated.csv"), ("imputed", "asem_default_imputed.csv"),
    ("treated", "asem_default_treated.csv"), ("normalised", "asem_default_normalised.csv"),
])
def test_every_step_matches_coinr(asem: tuple[Path, Path], step: str, file: str) -> None:
    result = _build(asem, "recipe.yaml")
    ref = pd.read_csv(asem[1] / file).set_index("uCode")
    ours = result.step_table(step).xs(2018, level="year")
    _compare(ours, ref)


def test_aggregates_ranks_and_effective_weights_match_coinr(asem: tuple[Path, Path]) -> None:
    result = _build(asem, "recipe.yaml")
    ref = pd.read_csv(asem[1] / "asem_default_results.csv").set_index("uCode")
    ours = result.score_table(result.nodes).xs(2018, level="year")
    _compare(ours, ref.drop(columns=[c for c in ref.columns if c not in ours.columns]))
    ranks = pd.read_csv(asem[1] / "asem_default_ranks.csv").set_index("uCode")
    scores = result.scores[result.scores["year"] == 2018].pivot(index="region", columns="node", values="rank")
    np.testing.assert_array_equal(scores.loc[ranks.index, ranks.columns].to_numpy(), ranks.to_numpy())
    weights = pd.read_csv(asem[1] / "asem_default_effective_weights.csv").set_index("iCode")
    ours_w = result.weights.set_index("node")["effective_weight"]
    assert weights.loc["Index", "EffWeight"] == 1.0  # the index itself is not a weighted child
    weights = weights.drop(index="Index")
    np.testing.assert_allclose(ours_w.loc[weights.index].to_numpy(), weights["EffWeight"].to_numpy(), rtol=1e-12)


def test_treatment_details_match_coinr(asem: tuple[Path, Path]) -> None:
    result = _build(asem, "recipe.yaml")
    ref = pd.read_csv(asem[1] / "asem_default_treatment_details.csv").set_index("iCode")
    ours = result.logs["treat"].set_index("indicator").loc[ref.index]
    np.testing.assert_allclose(ours["skew_before"], ref["check_SkewKurt0.Skew"], rtol=1e-9)
    np.testing.assert_allclose(ours["kurt_before"], ref["check_SkewKurt0.Kurt"], rtol=1e-9)
    np.testing.assert_array_equal(ours["pass_before"].to_numpy(bool), ref["check_SkewKurt0.Pass"].to_numpy(bool))
    nwin = ref["winsorise.nwin"].fillna(0).to_numpy()
    np.testing.assert_array_equal(ours["n_winsorised"].to_numpy(), nwin)
    assert int((nwin > 0).sum()) == 15 and int(nwin.sum()) == 35


def _tree(asem: tuple[Path, Path]) -> pd.DataFrame:
    meta = pd.read_csv(asem[0] / "asem_iMeta.csv")
    return meta[meta["Type"].isin(["Indicator", "Aggregate"])]


def _aggregate_up(values: pd.DataFrame, tree: pd.DataFrame, mean: str) -> pd.DataFrame:
    """Equal-weight arithmetic or geometric means up COINr's levels (all ASEM weights are 1)."""
    out = values.copy()
    for level in (2, 3, 4):
        for code in tree.loc[tree["Level"] == level, "iCode"]:
            kids = tree.loc[tree["Parent"] == code, "iCode"].tolist()
            block = out[kids]
            out[code] = np.exp(np.log(block).mean(axis=1)) if mean == "geometric" else block.mean(axis=1)
    return out


def test_geometric_variant_follows_coinr_conventions(asem: tuple[Path, Path]) -> None:
    tree = _tree(asem)
    treated = pd.read_csv(asem[1] / "asem_default_treated.csv").set_index("uCode")
    indicators = tree.loc[tree["Type"] == "Indicator"].set_index("iCode")
    y = treated[indicators.index] * indicators["Direction"]
    normalised = (y - y.min()) / (y.max() - y.min()) * 99 + 1
    expected = _aggregate_up(normalised, tree, "geometric")
    result = _build(asem, "recipe_geometric.yaml")
    ours = result.score_table(result.nodes).xs(2018, level="year")
    _compare(ours, expected, rtol=1e-9)


def test_zscore_variant_follows_coinr_conventions(asem: tuple[Path, Path]) -> None:
    tree = _tree(asem)
    treated = pd.read_csv(asem[1] / "asem_default_treated.csv").set_index("uCode")
    indicators = tree.loc[tree["Type"] == "Indicator"].set_index("iCode")
    y = treated[indicators.index] * indicators["Direction"]
    normalised = (y - y.mean()) / y.std(ddof=1) * 2 + 10
    expected = _aggregate_up(normalised, tree, "arithmetic")
    result = _build(asem, "recipe_zscore.yaml")
    ours = result.score_table(result.nodes).xs(2018, level="year")
    _compare(ours, expected, rtol=1e-9)
