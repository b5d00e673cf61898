"""Gini, Theil and Dagum: reproduce PySAL inequality and the Mussard Dagum implementation; invariants."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conftest
from hqd.analysis import coefficient_of_variation, dagum_gini, gini, theil
from hqd.errors import HqdError


def _groups_data() -> tuple[pd.Series, pd.Series]:
    table = pd.read_csv(conftest.shared_path("reference", "dagum_groups.csv"))
    indexed = table.set_index("region")
    return indexed["value"], indexed["group"]


def _ref(name: str) -> dict:
    return json.loads(conftest.shared_path("reference", name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------- references
def test_theil_reproduces_pysal_inequality() -> None:
    values, groups = _groups_data()
    ref = _ref("theil_inequality.json")
    result = theil(values, groups)
    # PySAL adds a tiny constant before the logs; the README says compare at ~1e-9.
    assert result.total[0] == pytest.approx(ref["Theil_T_total"], rel=1e-9)
    assert result.between[0] == pytest.approx(ref["TheilD_between"], rel=1e-9)
    assert result.within[0] == pytest.approx(ref["TheilD_within"], rel=1e-9)


def test_gini_reproduces_pysal_inequality() -> None:
    values, _ = _groups_data()
    assert gini(values).gini[0] == pytest.approx(_ref("theil_inequality.json")["Gini_total"], rel=1e-12)


def test_dagum_reproduces_mussard_weighted_gini_decomposition() -> None:
    values, groups = _groups_data()
    ref = _ref("dagum_mussard.json")
    d = dagum_gini(values, groups)
    assert d.groups == tuple(ref["groups_order"])
    assert d.G[0] == pytest.approx(ref["G_total_direct"], rel=1e-12)
    assert d.G_w[0] == pytest.approx(ref["G_w"], rel=1e-12)
    assert d.G_nb[0] == pytest.approx(ref["G_nb"], rel=1e-12)
    assert d.G_t[0] == pytest.approx(ref["G_t"], rel=1e-12)
    assert d.G_b[0] == pytest.approx(ref["G_b_gross"], rel=1e-12)
    np.testing.assert_allclose(d.G_jj[0], ref["G_jj_within_each_group"], rtol=1e-12)
    off = ~np.eye(3, dtype=bool)
    np.testing.assert_allclose(d.G_jh[0][off], np.asarray(ref["G_jh_matrix"])[off], rtol=1e-12)
    np.testing.assert_allclose(d.D_jh[0], ref["D_jh_matrix"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(d.s_j[0], ref["s_j_value_share"], rtol=1e-12)
    np.testing.assert_allclose(d.p_j, ref["p_j_pop_share"], rtol=1e-12)
    # ginisufe primitives (R, 7 significant digits): gross affluence and transvariation of East over Central.
    checks = ref["cross_checks"]
    assert d.d_jh[0, 0, 1] == pytest.approx(checks["gross_economic_affluence(e,c) d_EC"], abs=5e-8)
    assert d.p_jh[0, 0, 1] == pytest.approx(checks["abs(transvariation(e,c)) p_EC"], abs=5e-8)


def test_dagum_frames_keep_every_intermediate() -> None:
    values, groups = _groups_data()
    d = dagum_gini(values, groups)
    summary = d.to_frame()
    assert {"G", "G_w", "G_nb", "G_t", "G_w_share", "G_jj[East]", "G_jh[East|Central]", "D_jh[Central|West]"} \
        <= set(summary.columns)
    assert summary[["G_w_share", "G_nb_share", "G_t_share"]].sum(axis=1).iloc[0] == pytest.approx(1.0)
    pairs = d.pairs_frame()
    assert len(pairs) == 3
    assert pairs["net_between"].sum() == pytest.approx(d.G_nb[0]) and pairs["transvariation"].sum() == \
        pytest.approx(d.G_t[0])
    per_group = d.groups_frame()
    assert per_group["within_contribution"].sum() == pytest.approx(d.G_w[0])


# ----------------------------------------------------------------------------------------- invariants
def _naive_abs_sums(y: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    """The definition, pairwise (test oracle only)."""
    diff = np.abs(y[:, None] - y[None, :])
    return np.array([[diff[np.ix_(codes == j, codes == h)].sum() for h in range(k)] for j in range(k)])


@st.composite
def grouped_values(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    k = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 6), min_size=k, max_size=k))
    codes = np.repeat(np.arange(k), sizes)
    values = draw(st.lists(st.floats(0.01, 100.0), min_size=len(codes), max_size=len(codes)))
    order = draw(st.permutations(list(range(len(codes)))))
    return np.asarray(values), codes[np.asarray(order)]


@settings(max_examples=80, deadline=None)
@given(grouped_values())
def test_decompositions_add_up_and_gini_stays_below_one(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, codes = data
    regions = [f"r{i}" for i in range(len(y))]
    series = pd.Series(y, index=regions)
    groups = dict(zip(regions, (f"g{c}" for c in codes), strict=True))
    for index in ("T", "L"):
        t = theil(series, groups, index=index)
        assert t.within[0] + t.between[0] == pytest.approx(t.total[0], abs=1e-12)
        assert t.total[0] >= -1e-15 and t.between[0] >= -1e-15
    d = dagum_gini(series, groups)
    assert d.G_w[0] + d.G_nb[0] + d.G_t[0] == pytest.approx(d.G[0], abs=1e-12)
    assert 0.0 <= d.G[0] < 1.0
    assert d.G[0] == pytest.approx(gini(series).gini[0], abs=1e-12)
    order = sorted(set(groups.values()))
    naive = _naive_abs_sums(y, np.array([order.index(groups[r]) for r in regions]), len(order))
    from hqd.analysis.inequality import pairwise_abs_sums

    fast = pairwise_abs_sums(y[None, :], np.array([order.index(groups[r]) for r in regions]), len(order))[0]
    np.testing.assert_allclose(fast, naive, rtol=1e-10, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(grouped_values(), st.randoms(use_true_random=False))
def test_permuting_regions_changes_nothing(data: tuple[np.ndarray, np.ndarray], rnd: object) -> None:
    y, codes = data
    regions = [f"r{i}" for i in range(len(y))]
    groups = {r: f"g{c}" for r, c in zip(regions, codes, strict=True)}
    order = list(range(len(y)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    a = pd.Series(y, index=regions)
    b = a.iloc[order]
    labels = sorted(set(groups.values()))
    ta, tb = theil(a, groups, group_order=labels), theil(b, groups, group_order=labels)
    assert tb.total[0] == pytest.approx(ta.total[0], abs=1e-13)
    np.testing.assert_allclose(tb.group_index, ta.group_index, atol=1e-13)
    da, db = dagum_gini(a, groups, group_order=labels), dagum_gini(b, groups, group_order=labels)
    np.testing.assert_allclose([db.G, db.G_w, db.G_nb, db.G_t], [da.G, da.G_w, da.G_nb, da.G_t], atol=1e-13)
    assert gini(b).gini[0] == pytest.approx(gini(a).gini[0], abs=1e-13)


def test_population_weighted_theil_equals_theil_of_replicated_people() -> None:
    rng = np.random.default_rng(3)
    y = rng.uniform(1, 10, 9)
    pop = rng.integers(1, 6, 9)
    regions = [f"r{i}" for i in range(9)]
    groups = {r: "A" if i < 4 else "B" for i, r in enumerate(regions)}
    people = [f"{r}#{k}" for r, p in zip(regions, pop, strict=True) for k in range(p)]
    rep_values = pd.Series(np.repeat(y, pop), index=people)
    rep_groups = {person: groups[person.split("#")[0]] for person in people}
    for index in ("T", "L"):
        weighted = theil(pd.Series(y, index=regions), groups, pd.Series(pop, index=regions), index=index)
        replicated = theil(rep_values, rep_groups, index=index)
        assert weighted.weighted and not replicated.weighted
        for part in ("total", "within", "between"):
            assert getattr(weighted, part)[0] == pytest.approx(getattr(replicated, part)[0], rel=1e-12)


def test_panel_is_computed_for_every_year_at_once() -> None:
    rng = np.random.default_rng(11)
    regions = [f"r{i}" for i in range(12)]
    years = [2019, 2020, 2021]
    long = pd.DataFrame([(r, t, rng.uniform(0.1, 1)) for r in regions for t in years],
                        columns=["region", "year", "score"])
    groups = {r: "A" if i < 5 else "B" for i, r in enumerate(regions)}
    t = theil(long, groups)
    d = dagum_gini(long, groups)
    cv = coefficient_of_variation(long)
    for k, year in enumerate(years):
        one = long.loc[long["year"] == year].drop(columns="year")
        assert t.total[k] == pytest.approx(theil(one, groups).total[0], rel=1e-13)
        assert d.G_nb[k] == pytest.approx(dagum_gini(one, groups).G_nb[0], rel=1e-13)
        assert cv.cv[k] == pytest.approx(one["score"].std(ddof=0) / one["score"].mean(), rel=1e-13)
    assert list(t.to_frame()["year"]) == years


def test_single_member_groups_have_zero_within_inequality() -> None:
    values = pd.Series([0.9, 0.7, 0.3, 0.4, 0.5], index=["bj", "tj", "h1", "h2", "h3"])
    groups = {"bj": "Beijing", "tj": "Tianjin", "h1": "Hebei", "h2": "Hebei", "h3": "Hebei"}
    d = dagum_gini(values, groups)
    assert d.G_jj[0, 0] == 0.0 and d.G_jj[0, 1] == 0.0 and d.G_jj[0, 2] > 0
    t = theil(values, groups)
    assert t.group_index[0, 0] == 0.0 and t.group_index[0, 1] == 0.0


# ----------------------------------------------------------------------------------------- bad input
def test_empty_group_and_region_without_group_are_errors() -> None:
    values = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"])
    with pytest.raises(HqdError) as err:
        theil(values, {"a": "X", "b": "Y"}, group_order=["X", "Y", "Z"])
    found = {(p.code, p.region) for p in err.value.problems}
    assert ("region_without_group", "c") in found and ("empty_group", None) in found
    with pytest.raises(HqdError) as err:
        dagum_gini(values, pd.Series(pd.Categorical(["X", "X", "Y"], categories=["X", "Y", "W"]),
                                     index=["a", "b", "c"]))
    assert err.value.codes == ["empty_group"]


def test_logs_reject_zero_and_negative_values_with_their_location() -> None:
    long = pd.DataFrame({"region": ["a", "b", "a", "b"], "year": [2020, 2020, 2021, 2021],
                         "score": [0.0, 1.0, 2.0, -1.0]})
    with pytest.raises(HqdError) as err:
        theil(long.iloc[:2], index="L")
    assert [(p.code, p.region, p.year) for p in err.value.problems] == [("zero_value", "a", 2020)]
    assert theil(long.iloc[:2], index="T").total[0] == pytest.approx(np.log(2))  # 0·ln 0 = 0
    with pytest.raises(HqdError) as err:
        gini(long)
    assert [(p.code, p.region, p.year) for p in err.value.problems] == [("negative_value", "b", 2021)]
    with pytest.raises(HqdError) as err:
        gini(pd.Series([0.0, 0.0], index=["a", "b"]))
    assert err.value.codes == ["zero_mean"]


def test_missing_values_raise_or_drop_by_named_policy() -> None:
    long = pd.DataFrame({"region": ["a", "b", "c", "a", "b", "c"], "year": [2020] * 3 + [2021] * 3,
                         "score": [1.0, 2.0, 3.0, 1.5, np.nan, 3.5]})
    with pytest.raises(HqdError) as err:
        gini(long)
    assert [(p.code, p.region, p.year) for p in err.value.problems] == [("missing_value", "b", 2021)]
    dropped = gini(long, missing="drop_regions")
    assert dropped.dropped == ("b",) and dropped.n == 2
    with pytest.raises(HqdError, match="valid: raise, drop_regions"):
        gini(long, missing="ignore")
    duplicated = pd.concat([long, long.iloc[:1]])
    with pytest.raises(HqdError) as err:
        gini(duplicated)
    assert err.value.codes == ["duplicate_region_year"]


def test_year_specific_population_weights_each_year_with_its_own_population() -> None:
    rng = np.random.default_rng(0)
    long = pd.DataFrame([(f"r{i}", t, rng.uniform(1, 2)) for i in range(6) for t in (2020, 2021)],
                        columns=["region", "year", "score"])
    population = pd.Series(np.arange(1.0, 13.0), index=pd.MultiIndex.from_frame(long[["region", "year"]]))
    groups = {f"r{i}": "A" if i < 3 else "B" for i in range(6)}
    panel = theil(long, groups, population)
    for k, year in enumerate((2020, 2021)):
        one = long.loc[long["year"] == year].drop(columns="year")
        single = theil(one, groups, population.xs(year, level="year"))
        assert panel.total[k] == pytest.approx(single.total[0], rel=1e-13)
        assert panel.between[k] == pytest.approx(single.between[0], rel=1e-13)
    with pytest.raises(HqdError) as err:
        theil(long, groups, population.drop(("r2", 2021)))
    assert [(p.code, p.region, p.year) for p in err.value.problems] == [("missing_weight", "r2", 2021)]
