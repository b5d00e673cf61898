"""Game-theory combination weights against their normal equations; G1 weights by hand."""

from __future__ import annotations

import numpy as np
import pytest

from hqd.errors import HqdError
from hqd.methods.combination import g1, game_theory, game_theory_weights


def test_game_theory_solves_its_normal_equations() -> None:
    rng = np.random.default_rng(7)
    for k in (2, 3, 4):
        sets = rng.dirichlet(np.ones(6), size=k)
        combined, alpha = game_theory_weights(sets)
        gram = sets @ sets.T
        raw = np.linalg.solve(gram, np.diag(gram))
        np.testing.assert_allclose(alpha, np.abs(raw) / np.abs(raw).sum(), atol=1e-12)
        np.testing.assert_allclose(combined, alpha @ sets, atol=1e-12)
        assert combined.sum() == pytest.approx(1.0)


def test_identical_sets_get_equal_shares_and_batches_work() -> None:
    w = np.array([0.1, 0.6, 0.3])
    _, alpha = game_theory_weights(np.stack([w, w]))
    np.testing.assert_allclose(alpha, [0.5, 0.5])
    batch = game_theory(np.stack([w, w[::-1]]), np.stack([w[::-1], w]))
    assert batch.weights.shape == (2, 3) and batch.details["alpha"].shape == (2, 2)
    np.testing.assert_allclose(batch.weights.sum(axis=-1), 1.0)


def test_g1_by_hand() -> None:
    w = g1(["a", "b", "c", "d"], [1.2, 1.4, 1.0])
    last = 1 / (1 + 1.2 * 1.4 * 1.0 + 1.4 * 1.0 + 1.0)
    assert w == pytest.approx({"a": 1.2 * 1.4 * last, "b": 1.4 * last, "c": last, "d": last})
    assert sum(w.values()) == pytest.approx(1.0)
    assert g1(["x", "y"], [1.0]) == pytest.approx({"x": 0.5, "y": 0.5})


def test_bad_inputs() -> None:
    for call in (lambda: g1(["a", "b"], [0.8]), lambda: g1(["a", "a"], [1.2]), lambda: g1(["a", "b", "c"], [1.2]),
                 lambda: game_theory_weights([[0.5, 0.5]]), lambda: game_theory_weights([[0.5, -0.5], [1, 0]])):
        with pytest.raises(HqdError):
            call()


def test_game_theory_in_a_recipe_combines_the_two_weightings(tmp_path: object) -> None:
    """Through the pipeline: each dimension's game-theory weights of its indicators are game_theory_weights of
    its entropy and CRITIC weights, built separately (the index level weighs dimension scores, which differ
    between the three builds, so it is left out)."""
    from pathlib import Path

    import hqd
    from hqd.datasets.jjj import write_demo_inputs

    folder = Path(str(tmp_path))
    paths = write_demo_inputs(folder / "in")
    runs = {}
    for name, weight in (("e", "{method: entropy, shift: 0.0001}"), ("c", "{method: critic}"),
                         ("g", "{method: game_theory, first: {method: entropy, shift: 0.0001}, "
                               "second: {method: critic}}")):
        recipe = folder / f"{name}.yaml"
        recipe.write_text(f"impute: {{method: nocb}}\nnormalise: {{method: minmax}}\nweight: {weight}\n"
                          "aggregate: {method: arithmetic}\n", encoding="utf-8")
        runs[name] = hqd.run(paths["framework"], paths["data"], recipe, regions=paths["regions"]).weights
    for parent, part in runs["g"][runs["g"]["parent"] != "HQD"].groupby("parent"):
        e = runs["e"].set_index("node").loc[part["node"], "weight"].to_numpy()
        c = runs["c"].set_index("node").loc[part["node"], "weight"].to_numpy()
        expected, _ = game_theory_weights(np.stack([e, c]))
        np.testing.assert_allclose(part["weight"].to_numpy(), expected, atol=1e-12, err_msg=str(parent))
