"""Result: dimension scores and grades under global weights (综合权重) are on the normalised scale, with
the partial sums kept as each node's ``contribution`` (issue #13 item 1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hqd.pipeline import run

# SYNTHETIC: two dimensions (A: 2 indicators, B: 4) over 4 regions × 3 years; r1 leads on every indicator.
FRAMEWORK = pd.DataFrame({"code": ["I", "A", "B", "a1", "a2", "b1", "b2", "b3", "b4"],
                          "parent": ["", "I", "I", "A", "A", "B", "B", "B", "B"],
                          "direction": [None, None, None, 1, 1, 1, 1, 1, 1]})


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for year in (2019, 2020, 2021):
        for r, level in zip(["r1", "r2", "r3", "r4"], [10.0, 6.0, 4.0, 1.0], strict=True):
            rows.append({"region": r, "year": year, **{c: level * (1 + 0.1 * rng.random()) + (year - 2019)
                                                       for c in ["a1", "a2", "b1", "b2", "b3", "b4"]}})
    return pd.DataFrame(rows)


GLOBAL = {"weight": {"method": "entropy", "shift": 0.0001, "scope": "global"},
          "grades": {"cuts": [0.3, 0.5, 0.7], "labels_zh": ["低", "中", "较高", "高"]}}


def test_dimension_grades_use_the_dimension_scale_not_the_partial_sum() -> None:
    result = run(FRAMEWORK, _data(), GLOBAL)
    grades = result.grades.set_index(["node", "region", "year"])
    # r1 leads on every indicator: each of its dimensions scores near 1 and is graded 高 — as a partial sum
    # (A carries about a third of the weight) it was graded 低 or 中 like every other dimension.
    for node in ("A", "B"):
        assert grades.loc[(node, "r1", 2021), "grade_zh"] == "高"
        assert grades.loc[(node, "r4", 2019), "grade_zh"] == "低"
    scores = result.scores.set_index(["node", "region", "year"])
    weights = result.weights.set_index("node")["effective_weight"]
    for node in ("A", "B"):
        leaves = result.framework.children[node]
        x = result.step_table("normalised")
        expected = sum(weights[leaf] * x[leaf] for leaf in leaves) / weights[node]
        got = scores.loc[node, ["score"]].reset_index().set_index(["region", "year"])["score"]
        np.testing.assert_allclose(got.loc[expected.index].to_numpy(), expected.to_numpy(), rtol=1e-12)
    # The partial sums are kept as the dimensions' contributions and add up to the index.
    contrib = result.scores.pivot_table(index=["region", "year"], columns="node", values="contribution")
    index = result.score_table(["I"])["I"]
    np.testing.assert_allclose((contrib["A"] + contrib["B"]).loc[index.index].to_numpy(), index.to_numpy(),
                               rtol=1e-12)
    assert result.manifest["policies"]["aggregate_scores"] == "partial_sum"
    assert "attainable maximum" in result.manifest["policies"]["dimension_scores"]


def test_drivers_under_global_weights_still_add_up_to_the_change() -> None:
    data = {"weight": {**GLOBAL["weight"], "sample": "by_year"},  # no zero base: growth is defined everywhere
            "normalise": {"method": "minmax", "lo": 1, "hi": 100}}
    result = run(FRAMEWORK, _data(), data)
    drivers = result.drivers(2019, 2021)
    np.testing.assert_allclose(drivers.groupby("region")["share_pct"].sum().to_numpy(), 100.0, rtol=1e-9)
    growth = result.growth(2019, 2021).set_index("region")
    points = drivers.groupby("region")["points_pct"].sum()
    np.testing.assert_allclose(points.to_numpy(), growth.loc[points.index, "total_growth_pct"].to_numpy())


@pytest.mark.parametrize("scope", ["within_parent", "global"])
def test_contribution_is_score_times_effective_weight(scope: str) -> None:
    result = run(FRAMEWORK, _data(), {"weight": {"method": "equal", "scope": scope}})
    frame = result.scores
    eff = result.weights.drop_duplicates("node").set_index("node")["effective_weight"]
    eff["I"] = 1.0
    np.testing.assert_allclose(frame["contribution"], frame["score"] * frame["node"].map(eff).astype(float))


def test_a_topsis_index_gets_its_growth_sentence_and_says_why_no_drivers(tmp_path: Path) -> None:
    """#19 item 9: a TOPSIS run wrote an empty narrative.md; the sentence now gives the growth and says why no
    drivers are named.  An unknown region is a located error, not a bare KeyError (#19 item 8)."""
    import hqd
    from hqd.datasets.jjj import write_demo_inputs
    from hqd.errors import HqdError

    paths = write_demo_inputs(tmp_path / "in")
    recipe = tmp_path / "topsis.yaml"
    recipe.write_text("impute: {method: nocb}\nnormalise: {method: minmax}\nweight: {method: entropy, shift: 0.0001}\n"
                      "aggregate: {method: arithmetic, by_level: {0: {method: topsis, over: leaves}}}\n",
                      encoding="utf-8")
    result = hqd.run(paths["framework"], paths["data"], recipe, regions=paths["regions"])
    zh = result.narrative("110000", lang="zh")
    assert "北京" in zh and "年均" in zh and "未列出推动力" in zh
    assert "no drivers are named" in result.narrative("110000", lang="en")
    with pytest.raises(HqdError) as caught:
        result.narrative("北京")
    assert caught.value.codes == ["unknown_region"]
