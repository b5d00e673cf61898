"""The industry measures against published worked examples, hand formulas and their definitions."""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import hqd.analysis.industry as ind
from hqd.analysis.industry import tables as T
from hqd.analysis.industry.demo import jjj_industry_demo, provinces
from hqd.errors import HqdError

# ----------------------------------------------------------------------------------------------------------
# Krumme, G. "Shift & Share Table with Excel Explanations", University of Washington, Geography 350
# ("Holukuluku", 1985–1995).  Regional employment by industry I–IV, national shares 1985 and national
# growth by industry; published columns: expected employment, total shift, differential (competitive)
# and composition (industry-mix) effects.  The page prints the effects without their minus signs; the
# signs follow from its totals (total shift 340 = differential 420 + composition −80).
KRUMME_START = np.array([[500.0, 100.0, 200.0, 200.0]])
KRUMME_END = np.array([[1000.0, 100.0, 250.0, 280.0]])
KRUMME_NATION_START = np.array([10.0, 20.0, 40.0, 30.0])  # shares in %, a scale-free reference
KRUMME_NATION_END = KRUMME_NATION_START * np.array([1.10, 1.20, 1.30, 1.40])
KRUMME_EXPECTED_TOTAL_GROWTH = np.array([645.0, 129.0, 258.0, 258.0])  # col. 8
KRUMME_EXPECTED_INDUSTRY_GROWTH = np.array([550.0, 120.0, 260.0, 280.0])  # col. 10
KRUMME_DIFFERENTIAL = np.array([450.0, -20.0, -10.0, 0.0])  # col. 11 (net 420)
KRUMME_COMPOSITION = np.array([-95.0, -9.0, 2.0, 22.0])  # col. 12 (net −80)

# Miller, R. E. & Blair, P. D. (2009) Input–Output Analysis, 2nd ed., §2.3, Table 2.3 (the two-sector example):
# L printed to three decimals.
MB_Z = np.array([[150.0, 500.0], [200.0, 100.0]])
MB_X = np.array([1000.0, 2000.0])
MB_A = np.array([[0.15, 0.25], [0.20, 0.05]])
MB_L_PRINTED = np.array([[1.254, 0.330], [0.264, 1.122]])


def test_shift_share_reproduces_krumme_holukuluku_table() -> None:
    res = ind.shift_share(KRUMME_START, KRUMME_END, KRUMME_NATION_START, KRUMME_NATION_END)
    assert_allclose(res.growth_total, 0.29, atol=1e-12)
    assert_allclose((KRUMME_START + res.national)[0], KRUMME_EXPECTED_TOTAL_GROWTH, atol=1e-9)
    assert_allclose(res.expected[0], KRUMME_EXPECTED_INDUSTRY_GROWTH, atol=1e-9)
    assert_allclose(res.industry_mix[0], KRUMME_COMPOSITION, atol=1e-9)
    assert_allclose(res.competitive[0], KRUMME_DIFFERENTIAL, atol=1e-9)
    assert res.national.sum() == pytest.approx(290.0, abs=1e-9)
    assert res.industry_mix.sum() == pytest.approx(-80.0, abs=1e-9)
    assert res.competitive.sum() == pytest.approx(420.0, abs=1e-9)
    assert res.change.sum() == pytest.approx(630.0, abs=1e-9)
    frame = res.to_frame(["Holukuluku"], ["I", "II", "III", "IV"])
    assert list(frame["competitive"].round(9)) == [450.0, -20.0, -10.0, 0.0]


def test_dynamic_shift_share_with_two_years_is_the_classic_one() -> None:
    cube = np.stack([KRUMME_START, KRUMME_END])
    ref = np.stack([KRUMME_NATION_START, KRUMME_NATION_END])
    dyn = ind.dynamic_shift_share(cube, ref)
    classic = ind.shift_share(KRUMME_START, KRUMME_END, KRUMME_NATION_START, KRUMME_NATION_END)
    for name in ind.COMPONENTS:
        assert_allclose(getattr(dyn, name), getattr(classic, name), atol=1e-9)
    assert dyn.variant == "dynamic" and len(dyn.steps) == 1


tables_2d = st.tuples(st.integers(2, 7), st.integers(2, 8), st.integers(0, 2**32 - 1))


def _random_table(shape: tuple[int, ...], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.gamma(1.5, 10.0, size=shape) + 0.01


@settings(max_examples=40, deadline=None)
@given(st.tuples(st.integers(2, 6), st.integers(2, 6), st.integers(3, 6), st.integers(0, 2**32 - 1)))
def test_dynamic_shift_share_components_sum_to_the_change_and_to_the_yearly_steps(params) -> None:
    n_r, n_i, n_y, seed = params
    cube = _random_table((n_y, n_r, n_i), seed)
    res = ind.dynamic_shift_share(cube)
    assert_allclose(res.national + res.industry_mix + res.competitive, cube[-1] - cube[0], atol=1e-9)
    by_hand = sum(ind.shift_share(cube[t - 1], cube[t]).competitive for t in range(1, n_y))
    assert_allclose(res.competitive, by_hand, atol=1e-9)
    # with the table as its own reference, mix and competitive effects of each industry net to zero
    assert_allclose(res.competitive.sum(axis=0), 0.0, atol=1e-8)


@settings(max_examples=60, deadline=None)
@given(tables_2d)
def test_lq_krugman_similarity_match_hand_formulas_on_hidden_size_tables(params) -> None:
    n_r, n_i, seed = params
    x = _random_table((n_r, n_i), seed)
    lq, sim = ind.location_quotient(x), ind.structural_similarity(x)
    dis, spec = ind.krugman_dissimilarity(x), ind.krugman_specialisation(x)
    total = sum(x[r][i] for r in range(n_r) for i in range(n_i))
    for r in range(n_r):
        row = sum(x[r])
        for i in range(n_i):
            col = sum(x[q][i] for q in range(n_r))
            assert lq[r, i] == pytest.approx((x[r][i] / row) / (col / total), rel=1e-9)
        rest = [sum(x[q][i] for q in range(n_r) if q != r) for i in range(n_i)]
        k = sum(abs(x[r][i] / row - rest[i] / sum(rest)) for i in range(n_i))
        assert spec[r] == pytest.approx(k, rel=1e-9, abs=1e-12)
    for j, k2 in itertools.product(range(n_r), repeat=2):
        sj = [v / sum(x[j]) for v in x[j]]
        sk = [v / sum(x[k2]) for v in x[k2]]
        num = sum(a * b for a, b in zip(sj, sk, strict=True))
        den = (sum(a * a for a in sj) * sum(b * b for b in sk)) ** 0.5
        assert sim[j, k2] == pytest.approx(num / den, rel=1e-9)
        assert dis[j, k2] == pytest.approx(sum(abs(a - b) for a, b in zip(sj, sk, strict=True)), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(tables_2d)
def test_properties_reference_lq_self_similarity_and_krugman_bounds(params) -> None:
    n_r, n_i, seed = params
    x = _random_table((n_r, n_i), seed)
    assert_allclose(ind.location_quotient(x, reference=x[0])[0], 1.0, atol=1e-12)
    assert_allclose(np.diag(ind.structural_similarity(x)), 1.0, atol=1e-12)
    sim = ind.structural_similarity(x)
    assert ((sim >= -1e-12) & (sim <= 1 + 1e-12)).all()
    for k in (ind.krugman_dissimilarity(x), ind.krugman_specialisation(x), ind.krugman_specialisation(x, "total")):
        assert ((k >= 0) & (k <= 2 + 1e-12)).all()
    h, g = ind.hoover_localisation(x), ind.locational_gini(x)
    assert ((h >= 0) & (h < 1)).all() and ((g >= -1e-12) & (g < 1)).all()
    # scale invariance: a currency change alters nothing
    assert_allclose(ind.location_quotient(x * 1e4), ind.location_quotient(x), rtol=1e-12)


def test_hoover_and_locational_gini_match_their_definitions() -> None:
    x = _random_table((5, 4), 7)
    tot = x.sum(axis=1) / x.sum()
    for i in range(4):
        s = x[:, i] / x[:, i].sum()
        assert ind.hoover_localisation(x)[i] == pytest.approx(0.5 * np.abs(s - tot).sum(), rel=1e-12)
        order = sorted(range(5), key=lambda r, s=s: s[r] / tot[r])  # Lorenz curve by ascending LQ
        cx = np.concatenate([[0], np.cumsum(tot[order])])
        cy = np.concatenate([[0], np.cumsum(s[order])])
        area2 = sum((cx[k] - cx[k - 1]) * (cy[k] + cy[k - 1]) for k in range(1, 6))
        assert ind.locational_gini(x)[i] == pytest.approx(1 - area2, rel=1e-12)
    assert_allclose(ind.locational_gini(np.eye(2)), [0.5, 0.5], atol=1e-12)
    assert_allclose(ind.hoover_localisation(np.eye(2)), [0.5, 0.5], atol=1e-12)


def test_ellison_glaeser_matches_eq5_of_the_paper() -> None:
    x = _random_table((6, 3), 11)
    h = np.array([0.0, 0.05, 0.2])
    xr = x.sum(axis=1) / x.sum()
    for i in range(3):
        s = x[:, i] / x[:, i].sum()
        g = ((s - xr) ** 2).sum()
        want = (g - (1 - (xr**2).sum()) * h[i]) / ((1 - (xr**2).sum()) * (1 - h[i]))
        assert ind.ellison_glaeser(x, h)[i] == pytest.approx(want, rel=1e-12)
    assert ind.ellison_glaeser(np.eye(2), [0.0, 0.0])[0] == pytest.approx(1.0)


def test_coagglomeration_indices_match_their_definitions() -> None:
    x = _random_table((5, 4), 3)
    labels = ["C36", "C38", "C39", "I65"]
    xr = x.sum(axis=1) / x.sum()
    sa, sb = x[:, 0] / x[:, 0].sum(), x[:, 1] / x[:, 1].sum()
    want = ((sa - xr) * (sb - xr)).sum() / (1 - (xr**2).sum())
    assert ind.coagglomeration_eg(x, "C36", "C38", industries=labels) == pytest.approx(want, rel=1e-12)
    assert ind.coagglomeration_eg(x, 0, 1) == pytest.approx(want, rel=1e-12)
    lq = ind.location_quotient(x)
    c = ind.coagglomeration_lq(x, 0, 1)
    assert_allclose(c, 1 - np.abs(lq[:, 0] - lq[:, 1]) / (lq[:, 0] + lq[:, 1]), rtol=1e-12)
    assert_allclose(ind.coagglomeration_lq(x, 0, 1, with_level=True), c + lq[:, 0] + lq[:, 1], rtol=1e-12)
    # an industry with itself is perfectly co-agglomerated
    assert_allclose(ind.coagglomeration_lq(x, 2, 2), 1.0)
    assert ind.coagglomeration_eg(np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 2.0]]), 0, 1) == pytest.approx(1.0)


def test_measures_broadcast_over_leading_axes() -> None:
    cube = _random_table((3, 5, 4), 5)
    for f in (ind.location_quotient, ind.structural_similarity, ind.krugman_dissimilarity,
              ind.krugman_specialisation, ind.hoover_localisation, ind.locational_gini):
        batched = f(cube)
        for t in range(3):
            assert_allclose(batched[t], f(cube[t]), rtol=1e-12)


def test_leontief_inverse_reproduces_miller_blair_and_numpy_solve() -> None:
    assert_allclose(ind.technical_coefficients(MB_Z, MB_X), MB_A, atol=1e-15)
    L = ind.leontief_inverse(MB_A)
    assert_allclose(L, np.array([[0.95, 0.25], [0.20, 0.85]]) / 0.7575, atol=1e-12)
    assert_allclose(np.round(L, 3), MB_L_PRINTED, atol=1e-12)
    # L times final demand gives back total output (Miller & Blair: f = [350, 1700])
    assert_allclose(L @ np.array([350.0, 1700.0]), MB_X, atol=1e-9)
    res = ind.io_linkages(Z=MB_Z, x=MB_X, sectors=["agriculture", "manufacturing"])
    assert_allclose(res.direct_backward, [0.35, 0.30], atol=1e-12)
    assert_allclose(res.direct_forward, [0.65, 0.15], atol=1e-12)
    assert_allclose(res.total_backward, L.sum(axis=0), atol=1e-12)
    assert_allclose(res.power_of_dispersion, 2 * L.sum(axis=0) / L.sum(), atol=1e-12)
    assert_allclose(res.sensitivity_of_dispersion, 2 * L.sum(axis=1) / L.sum(), atol=1e-12)
    assert_allclose(res.power_of_dispersion, [1.0222222222, 0.9777777778], atol=1e-9)
    assert_allclose(res.sensitivity_of_dispersion, [1.0666666667, 0.9333333333], atol=1e-9)
    B = MB_Z / MB_X[:, None]
    assert_allclose(res.G, np.linalg.inv(np.eye(2) - B), atol=1e-12)
    assert list(res.to_frame(["agriculture", "manufacturing"])["key_sector"]) == [True, False]


@settings(max_examples=40, deadline=None)
@given(st.tuples(st.integers(2, 9), st.integers(0, 2**32 - 1)))
def test_leontief_inverse_equals_numpy_solve_on_random_productive_tables(params) -> None:
    n, seed = params
    rng = np.random.default_rng(seed)
    a = rng.uniform(0, 1, size=(n, n))
    a *= rng.uniform(0.2, 0.9) / a.sum(axis=0)  # column sums < 1: productive
    assert_allclose(ind.leontief_inverse(a), np.linalg.solve(np.eye(n) - a, np.eye(n)), rtol=1e-9, atol=1e-12)
    assert_allclose(ind.leontief_inverse(np.stack([a, a / 2]))[1], np.linalg.inv(np.eye(n) - a / 2), atol=1e-9)


# ---------------------------------------------------------------------------------------------- bad input
def test_negative_and_missing_cells_are_located_errors() -> None:
    with pytest.raises(HqdError) as err:
        ind.location_quotient([[1.0, -2.0], [np.nan, 3.0]], regions=["110000", "120000"], industries=["C36", "C39"])
    codes = {(p.code, p.region, p.indicator) for p in err.value.problems}
    assert codes == {("negative_value", "110000", "C39"), ("missing_value", "120000", "C36")}


def test_mismatched_shapes_are_errors() -> None:
    with pytest.raises(HqdError) as err:
        ind.shift_share(np.ones((2, 3)), np.ones((2, 4)))
    assert err.value.codes == ["shape_mismatch"]
    with pytest.raises(HqdError) as err:
        ind.location_quotient(np.ones((2, 3)), reference=np.ones(4))
    assert err.value.codes == ["shape_mismatch"]
    with pytest.raises(HqdError) as err:
        ind.structural_similarity(np.ones(3))
    assert err.value.codes == ["invalid_shape"]
    with pytest.raises(HqdError) as err:
        ind.technical_coefficients(np.ones((2, 2)), np.ones(3))
    assert err.value.codes == ["shape_mismatch"]


def test_singular_and_unproductive_io_tables_are_errors() -> None:
    with pytest.raises(HqdError) as err:
        ind.leontief_inverse([[0.5, 0.5], [0.5, 0.5]], sectors=["a", "b"])
    assert err.value.codes == ["io_leontief_singular"]
    with pytest.raises(HqdError) as err:
        ind.leontief_inverse([[0.6, 0.5], [0.5, 0.6]])
    assert err.value.codes == ["io_not_productive"]
    with pytest.raises(HqdError) as err:
        ind.technical_coefficients([[1.0, 2.0], [3.0, 4.0]], [10.0, 0.0], sectors=["a", "b"])
    assert err.value.codes == ["io_output_zero"] and err.value.problems[0].indicator == "b"
    with pytest.raises(HqdError) as err:
        ind.io_linkages(MB_A, Z=MB_Z, x=MB_X)
    assert err.value.codes == ["invalid_io_input"]


def test_unknown_industry_and_reference_are_errors_naming_the_valid_ones() -> None:
    with pytest.raises(HqdError) as err:
        ind.coagglomeration_eg(np.ones((2, 2)), "C36", "C99", industries=["C36", "C38"])
    assert err.value.codes == ["unknown_industry"] and "C36, C38" in str(err.value)
    with pytest.raises(HqdError) as err:
        ind.krugman_specialisation(np.ones((2, 2)), "nation")
    assert err.value.codes == ["unknown_reference"]
    with pytest.raises(HqdError) as err:
        ind.ellison_glaeser(np.ones((2, 2)), [0.5, 1.0])
    assert err.value.codes == ["invalid_herfindahl"]


def test_zero_totals_give_nan_not_a_number_that_looks_valid() -> None:
    x = np.array([[0.0, 0.0], [1.0, 2.0]])
    assert np.isnan(ind.location_quotient(x)[0]).all()
    assert np.isnan(ind.structural_similarity(x)[0]).all()
    assert np.isfinite(ind.location_quotient(x)[1]).all()


# ------------------------------------------------------------------------------------- docstrings & usability
PUBLIC = [n for n in ind.__all__ if inspect.isfunction(getattr(ind, n))]


@pytest.mark.parametrize("name", PUBLIC)
def test_every_measure_states_formula_policy_reference_and_a_replicated_number(name: str) -> None:
    doc = inspect.getdoc(getattr(ind, name)) or ""
    assert ".. math::" in doc or ":math:" in doc, "formula"
    assert "Policy" in doc, "missing/zero/negative policy"
    assert "Reference" in doc, "reference"
    assert "Replicates" in doc, "a reproduced number"


def test_demo_is_synthetic_and_prints_provinces_similarity_and_top_lq() -> None:
    cities = jjj_industry_demo()
    assert cities.synthetic and "SYNTHETIC" in cities.provenance["label"]
    assert len(cities.regions) == 13 and cities.years == [2018, 2019, 2020, 2021, 2022]
    assert jjj_industry_demo().data.equals(cities.data)  # seeded
    sim = T.similarity_table(provinces(cities), 2022)
    matrix = (sim.extra or {})["matrix"]
    assert list(matrix.index) == ["北京", "天津", "河北"]
    assert_allclose(np.diag(matrix.to_numpy()), 1.0)
    assert sim.synthetic and "相似" in sim.verdict_zh and "similarity" in sim.verdict_en
    assert not any(c.isascii() and c.isalpha() for c in sim.verdict_zh)  # Chinese text, no English words
    top = T.lq_table(cities, 2022, top=3).frame
    assert len(top) == 39 and top.groupby("region")["lq"].apply(lambda s: s.is_monotonic_decreasing).all()


def test_indicators_are_long_columns_a_framework_can_name() -> None:
    cities = jjj_industry_demo()
    long, catalogue = T.industry_indicators(cities, pair=("C36", "C38"), lq_industries=["36"])
    assert set(long.columns) == {"region", "year", "indicator", "value"}
    assert set(catalogue) == set(long["indicator"]) == {
        "ind_similarity_mean", "ind_krugman", "ind_lq_max", "ind_lq_C36", "ind_coagglomeration"}
    assert len(long) == 5 * 13 * 5 and long["value"].notna().all()
    assert all({"name_zh", "name_en", "direction"} <= set(v) for v in catalogue.values())
    k22 = long[(long["indicator"] == "ind_krugman") & (long["year"] == 2022)]["value"].to_numpy()
    assert_allclose(k22, ind.krugman_specialisation(cities.matrix(2022)), rtol=1e-12)
    with pytest.raises(HqdError) as err:
        T.industry_indicators(cities, lq_industries=["C13"])
    assert err.value.codes == ["unknown_industry"]


def test_shift_share_table_sums_and_verdicts() -> None:
    cities = jjj_industry_demo()
    for variant in ("classic", "dynamic"):
        res = T.shift_share_table(cities, 2018, 2022, variant=variant)
        f = res.frame
        assert_allclose(f["national"] + f["industry_mix"] + f["competitive"], f["end"] - f["start"], atol=1e-8)
        assert "竞争效应" in res.verdict_zh and "competitive" in res.verdict_en
    with pytest.raises(HqdError) as err:
        T.shift_share_table(cities, 2018, 2022, variant="chained")
    assert err.value.codes == ["unknown_variant"]
    with pytest.raises(HqdError) as err:
        T.shift_share_table(cities, 2018, 2022, reference="file")
    assert err.value.codes == ["missing_reference"]


# ------------------------------------------------------------------------------------------ peer libraries
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_location_quotient_equals_ecomplexity_rca(seed: int) -> None:
    """The Harvard Growth Lab's ``ecomplexity`` computes Balassa's RCA, the same ratio of shares."""
    import pandas as pd

    ecomplexity = pytest.importorskip("ecomplexity")
    rng = np.random.default_rng(seed)
    n_r, n_i = int(rng.integers(3, 9)), int(rng.integers(3, 9))
    x = _random_table((n_r, n_i), seed)
    df = pd.DataFrame([(2022, f"r{r}", f"i{i}", x[r, i]) for r in range(n_r) for i in range(n_i)],
                      columns=["year", "region", "industry", "value"])
    out = ecomplexity.ecomplexity(df, {"time": "year", "loc": "region", "prod": "industry", "val": "value"},
                                  verbose=False, check_logsupermodularity=False)
    rca = out.pivot(index="region", columns="industry", values="rca").loc[
        [f"r{r}" for r in range(n_r)], [f"i{i}" for i in range(n_i)]].to_numpy()
    assert_allclose(ind.location_quotient(x), rca, rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.tuples(st.integers(2, 8), st.integers(0, 2**32 - 1)))
def test_leontief_and_ghosh_inverses_equal_pymrio(params) -> None:
    """pymrio (``pymrio.tools.iomath``: calc_A, calc_L, calc_B, calc_G) as an independent implementation."""
    iomath = pytest.importorskip("pymrio.tools.iomath")
    n, seed = params
    rng = np.random.default_rng(seed)
    Z = rng.gamma(1.0, 10.0, size=(n, n))
    x = Z.sum(axis=1) + Z.sum(axis=0) + rng.uniform(1, 50, size=n)  # output exceeds inputs and sales
    res = ind.io_linkages(Z=Z, x=x)
    assert_allclose(res.A, iomath.calc_A(Z, x), rtol=1e-12)
    assert_allclose(res.L, iomath.calc_L(iomath.calc_A(Z, x)), rtol=1e-9, atol=1e-12)
    assert_allclose(res.G, iomath.calc_G(iomath.calc_B(Z, x)), rtol=1e-9, atol=1e-12)
