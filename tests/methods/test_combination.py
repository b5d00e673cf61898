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


def _chang_by_hand(m: list[list[tuple[float, float, float]]]) -> list[float]:
    """Chang (1996) extent analysis written out with scalar loops, as the paper states it."""
    k = len(m)
    rows = [tuple(sum(m[i][j][c] for j in range(k)) for c in range(3)) for i in range(k)]
    tot = tuple(sum(r[c] for r in rows) for c in range(3))
    s = [(r[0] / tot[2], r[1] / tot[1], r[2] / tot[0]) for r in rows]

    def v(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
        if a[1] >= b[1]:
            return 1.0
        if b[0] >= a[2]:
            return 0.0
        return (b[0] - a[2]) / ((a[1] - a[2]) - (b[1] - b[0]))

    d = [min(v(s[i], s[j]) for j in range(k) if j != i) for i in range(k)]
    return [x / sum(d) for x in d]


def test_fahp_extent_analysis_follows_chang_and_geometric_reduces_to_ahp() -> None:
    from hqd.methods.combination import fahp
    from hqd.methods.weight import ahp

    one = (1.0, 1.0, 1.0)

    def inv(t: tuple[float, float, float]) -> tuple[float, float, float]:
        return (1 / t[2], 1 / t[1], 1 / t[0])

    a, b, c = (1.0, 1.5, 2.0), (0.5, 1.0, 1.5), (1.0, 2.0, 3.0)
    m = [[one, a, c], [inv(a), one, b], [inv(c), inv(b), one]]
    result = fahp(m, "extent")
    np.testing.assert_allclose(result.weights, _chang_by_hand(m), atol=1e-12)
    assert np.all(result.weights > 0) and result.weights.sum() == pytest.approx(1.0)
    crisp = np.array([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]])
    fuzzy = np.repeat(crisp[:, :, None], 3, axis=2)
    np.testing.assert_allclose(fahp(fuzzy, "geometric").weights, ahp(matrix=crisp, method="geometric").weights,
                               atol=1e-12)
    assert float(fahp(fuzzy, "geometric").details["CR"]) == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(HqdError):
        fahp([[one, a], [a, one]])  # not reciprocal
    with pytest.raises(HqdError):
        fahp([[one, (2.0, 1.0, 3.0)], [inv((2.0, 1.0, 3.0)), one]])  # l > m
