"""Spatial weights and Moran's I: reproduces esda, validates GeoJSON and matrices, seeds permutations."""

from __future__ import annotations

import json
from pathlib import Path

import libpysal
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conftest
from hqd.analysis import (
    local_morans_i,
    morans_i,
    row_standardise,
    weights_from_geojson,
    weights_from_matrix,
    weights_from_points,
)
from hqd.analysis.spatial import EARTH_RADIUS_KM, dense
from hqd.datasets.jjj_geo import CITY_CODES, city_centres
from hqd.errors import HqdError


def _lattice() -> tuple[pd.DataFrame, libpysal.weights.W, dict]:
    y = pd.read_csv(conftest.shared_path("reference", "moran_lattice4x4_y.csv"))
    values = pd.DataFrame({"region": y["id"].astype(str), "y": y["y"]})
    w = weights_from_matrix(conftest.shared_path("reference", "moran_lattice4x4_rook_W_binary.csv"))
    ref = json.loads(conftest.shared_path("reference", "moran_esda.json").read_text(encoding="utf-8"))
    return values, w, ref


@pytest.mark.parametrize("transformation", ["r", "b"])
def test_global_moran_reproduces_esda(transformation: str) -> None:
    values, w, ref = _lattice()
    expected = ref[f"transform_{transformation}"]
    m = morans_i(values, w, transformation=transformation, seed=12345)
    for ours, theirs in (("I", "I"), ("EI", "EI"), ("VI_norm", "VI_norm"), ("z_norm", "z_norm"),
                         ("p_norm", "p_norm_two_sided"), ("VI_rand", "VI_rand"), ("z_rand", "z_rand"),
                         ("p_rand", "p_rand_two_sided")):
        assert getattr(m, ours)[0] == pytest.approx(expected[theirs], rel=1e-12), ours
    # Permutation p-values are implementation dependent: a sanity range, as the reference README says.
    assert m.p_sim[0] <= 0.005
    hand = {"r": 0.76352, "b": 0.69387}[transformation]
    assert m.I[0] == pytest.approx(hand, abs=5e-6)


@pytest.mark.parametrize("transformation", ["r", "b"])
def test_local_moran_reproduces_esda(transformation: str) -> None:
    values, w, ref = _lattice()
    expected = ref[f"transform_{transformation}"]
    lisa = local_morans_i(values, w, transformation=transformation, seed=12345).frame
    np.testing.assert_allclose(lisa["Is"], expected["local_Is"], rtol=1e-12)
    assert lisa["q"].tolist() == expected["local_q_quadrant"]
    assert lisa["quadrant"].tolist()[:4] == ["HH", "HH", "HH", "LL"]
    np.testing.assert_allclose(lisa["p_sim"], expected["local_p_sim_seed12345_999perm"], atol=0.05)
    significant = lisa.loc[lisa["p_sim"] < 0.05]
    assert (significant["cluster"] == significant["quadrant"]).all()
    assert (lisa.loc[lisa["p_sim"] >= 0.05, "cluster"] == "not significant").all()


def test_permutations_are_seeded_and_leave_global_state_and_w_alone() -> None:
    values, w, _ = _lattice()
    np.random.seed(7)
    before = np.random.get_state()[1].copy()
    a = morans_i(values, w, seed=1, permutations=99)
    b = morans_i(values, w, seed=1, permutations=99)
    assert a.p_sim[0] == b.p_sim[0] and a.z_sim[0] == b.z_sim[0]
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    assert w.transform == "O"  # the caller's weights were not row-standardised in place


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(-1e6, 1e6))
def test_moran_of_constant_plus_noise_is_near_its_expectation(seed: int, constant: float) -> None:
    rng = np.random.default_rng(seed)
    w = libpysal.weights.lat2W(6, 6)
    w = libpysal.weights.W({str(k): [str(v) for v in vs] for k, vs in w.neighbors.items()},
                           id_order=[str(i) for i in range(36)])
    values = pd.Series(constant + rng.normal(size=36), index=[str(i) for i in range(36)])
    m = morans_i(values, w, permutations=0)
    assert m.EI[0] == pytest.approx(-1 / 35)
    assert abs(m.z_norm[0]) < 5.0  # |z| ≥ 5 has probability < 1e-6 under the null


def test_panel_moran_is_reported_per_year() -> None:
    values, w, _ = _lattice()
    long = pd.concat([values.assign(year=2020), values.assign(year=2021, y=values["y"][::-1].to_numpy())])
    m = morans_i(long, w, seed=3, column="y")
    assert list(m.to_frame()["year"]) == [2020, 2021] and m.I[0] == pytest.approx(m.I[1])


def test_values_and_weights_must_cover_the_same_regions() -> None:
    values, w, _ = _lattice()
    with pytest.raises(HqdError) as err:
        morans_i(values.iloc[1:], w)
    assert [(p.code, p.region) for p in err.value.problems] == [("weights_region_without_value", "0")]
    extra = pd.concat([values, pd.DataFrame({"region": ["99"], "y": [1.0]})])
    with pytest.raises(HqdError) as err:
        morans_i(extra, w)
    assert [(p.code, p.region) for p in err.value.problems] == [("region_not_in_weights", "99")]


def test_row_standardise_returns_a_copy_with_unit_rows() -> None:
    _, w, _ = _lattice()
    r = row_standardise(w)
    np.testing.assert_allclose(dense(r).sum(axis=1), 1.0)
    assert w.transform == "O" and dense(w).max() == 1.0


# ------------------------------------------------------------------------------------------ matrices
def test_matrix_weights_equal_libpysal_lattice_and_reorder_regions(tmp_path: Path) -> None:
    _, w, _ = _lattice()
    lattice = libpysal.weights.lat2W(4, 4, rook=True)
    np.testing.assert_array_equal(dense(w), lattice.full()[0])
    frame = pd.read_csv(conftest.shared_path("reference", "moran_lattice4x4_rook_W_binary.csv"), index_col=0)
    frame.to_excel(tmp_path / "w.xlsx")
    from_excel = weights_from_matrix(tmp_path / "w.xlsx", regions=["5", "1", "4"])
    assert list(from_excel.id_order) == ["5", "1", "4"]
    assert dense(from_excel).tolist() == [[0, 1, 1], [1, 0, 0], [1, 0, 0]]


def test_bad_matrices_list_every_problem_with_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(",a,b,c\na,0,1,x\nb,1,5,1\nc,-2,1,0\n", encoding="utf-8")
    with pytest.raises(HqdError) as err:
        weights_from_matrix(bad)
    found = {(p.code, p.row, p.column) for p in err.value.problems}
    assert found == {("not_numeric", 2, "c"), ("matrix_diagonal", 3, "b"), ("matrix_negative", 4, "a")}
    assert all(p.file == str(bad) for p in err.value.problems)
    labels = tmp_path / "labels.csv"
    labels.write_text(",a,b\na,0,1\nc,1,0\n", encoding="utf-8")
    with pytest.raises(HqdError) as err:
        weights_from_matrix(labels)
    assert err.value.codes == ["matrix_labels"] and "only in rows: c" in err.value.problems[0].message
    good = tmp_path / "good.csv"
    good.write_text(",a,b\na,0,1\nb,1,0\n", encoding="utf-8")
    with pytest.raises(HqdError) as err:
        weights_from_matrix(good, regions=["a", "z"])
    assert ("region_unmatched", "z") in {(p.code, p.region) for p in err.value.problems}
    with pytest.raises(HqdError) as err:
        weights_from_matrix(tmp_path / "absent.csv")
    assert err.value.codes == ["file_not_found"]


# ------------------------------------------------------------------------------------------- GeoJSON
def _geo() -> Path:
    return conftest.shared_path("data", "geo", "jjj_13_cities.geojson")


def test_geojson_distance_weights_use_great_circle_km() -> None:
    import geopandas as gpd

    knn = weights_from_geojson(_geo(), method="knn", k=3)
    assert set(knn.cardinalities.values()) == {3}
    inverse = weights_from_geojson(_geo(), list(CITY_CODES), method="inverse_distance")
    frame = gpd.read_file(_geo()).set_index("adcode")
    p, q = frame.loc["110000"].geometry.representative_point(), frame.loc["120000"].geometry.representative_point()
    lon1, lat1, lon2, lat2 = map(np.radians, (p.x, p.y, q.x, q.y))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    weight = dict(zip(inverse.neighbors["110000"], inverse.weights["110000"], strict=True))["120000"]
    assert weight == pytest.approx(1 / km, rel=1e-6)
    assert inverse.cardinalities["110000"] == 12
    band = weights_from_geojson(_geo(), method="distance_band", threshold=150)
    assert "120000" in band.neighbors["110000"] and "130400" not in band.neighbors["110000"]


def test_geojson_problems_are_reported_not_raised_as_tracebacks(tmp_path: Path) -> None:
    with pytest.raises(HqdError) as err:
        weights_from_geojson(_geo(), ["110000", "999999", "120000"])
    problems = err.value.problems
    assert ("region_unmatched", "999999") in {(p.code, p.region) for p in problems}
    assert any("matched no region" in p.message and "130100" in p.message for p in problems)
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(HqdError) as err:
        weights_from_geojson(broken)
    assert err.value.codes == ["geojson_invalid"] and err.value.problems[0].file == str(broken)
    with pytest.raises(HqdError) as err:
        weights_from_geojson(_geo(), id_field="code")
    assert err.value.codes == ["geojson_missing_id"] and "adcode" in err.value.problems[0].message
    with pytest.raises(HqdError, match="valid: queen, rook, distance_band, knn, inverse_distance"):
        weights_from_geojson(_geo(), method="bishop")


def test_point_weights_from_the_bundled_city_centres() -> None:
    w = weights_from_points(city_centres(), method="knn", k=2)
    assert list(w.id_order) == list(CITY_CODES) and set(w.cardinalities.values()) == {2}
    assert set(w.neighbors["110000"]) == {"131000", "120000"}  # Langfang (~45 km) and Tianjin (~115 km)
    with pytest.raises(HqdError) as err:
        weights_from_points(city_centres(), method="distance_band")
    assert err.value.codes == ["bad_parameter"]


def test_constant_values_have_no_moran() -> None:
    values, w, _ = _lattice()
    with pytest.raises(HqdError) as err:
        morans_i(values.assign(y=1.0), w)
    assert err.value.codes == ["zero_variance"]


def _jjj_panel(seed: int = 0, years: range = range(2015, 2021)) -> pd.DataFrame:
    """SYNTHETIC: a spatially smooth score for the 13 cities (lon/lat trend plus noise) over a few years."""
    rng = np.random.default_rng(seed)
    centres = city_centres().set_index("code").loc[list(CITY_CODES)]
    base = 0.05 * centres["lat"].to_numpy() - 0.03 * centres["lon"].to_numpy()
    rows = [(code, year, b + 0.02 * (year - 2015) + rng.normal(0, 0.05))
            for year in years for code, b in zip(CITY_CODES, base, strict=True)]
    return pd.DataFrame(rows, columns=["region", "year", "score"])


def test_a_years_moran_p_value_does_not_depend_on_the_other_years() -> None:
    """#13 item 5: each year is seeded from (seed, year) with a local Generator."""
    from hqd.datasets.jjj_geo import contiguity_weights

    panel = _jjj_panel()
    w = contiguity_weights()
    np.random.seed(11)
    before = np.random.get_state()[1].copy()
    every = morans_i(panel, w, seed=5, permutations=199).to_frame().set_index("year")
    for year in (2017, 2020):
        alone = morans_i(panel.loc[panel["year"] == year], w, seed=5, permutations=199).to_frame()
        assert alone["p_sim"].iloc[0] == every.loc[year, "p_sim"]
        assert alone["z_sim"].iloc[0] == every.loc[year, "z_sim"]
    later = morans_i(panel.loc[panel["year"] >= 2018], w, seed=5, permutations=199).to_frame().set_index("year")
    assert (later["p_sim"] == every.loc[later.index, "p_sim"]).all()
    local_all = local_morans_i(panel, w, seed=5, permutations=99).to_frame()
    local_one = local_morans_i(panel.loc[panel["year"] == 2019], w, seed=5, permutations=99).to_frame()
    np.testing.assert_array_equal(local_all.loc[local_all["year"] == 2019, "p_sim"], local_one["p_sim"])
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # the global generator is untouched


def test_permuted_statistics_are_esdas_on_the_same_permutations() -> None:
    """esda's Moran draws np.random.permutation(z) from the global generator; replay its draws."""
    import esda

    from hqd.analysis.spatial import moran_of_permutations, permutation_inference

    values, w, _ = _lattice()
    y = values["y"].to_numpy(dtype=float)
    np.random.seed(42)
    m = esda.Moran(y, w, permutations=99)
    np.random.seed(42)
    index = np.array([np.random.permutation(len(y)) for _ in range(99)])
    sim = moran_of_permutations(y - y.mean(), m.w.sparse, m.w.s0, index)
    np.testing.assert_allclose(sim, m.sim, rtol=1e-12)
    inference = permutation_inference(m.I, sim)
    assert inference["p_sim"] == m.p_sim and inference["z_sim"] == pytest.approx(m.z_sim, rel=1e-12)


def test_drop_regions_subsets_w_and_reports_islands() -> None:
    """#13 item 5: a region dropped for a missing value leaves W; neighbours left alone become islands."""
    from hqd.analysis import markov_transition
    from hqd.datasets.jjj_geo import contiguity_weights, neighbours

    panel = _jjj_panel()
    w = contiguity_weights()
    panel.loc[(panel["region"] == "130600") & (panel["year"] == 2016), "score"] = np.nan  # Baoding
    with pytest.raises(HqdError) as err:
        morans_i(panel, w)
    assert set(err.value.codes) == {"missing_value"}
    m = morans_i(panel, w, missing="drop_regions", seed=1, permutations=99)
    assert m.dropped == ("130600",) and m.n == 12 and m.islands == ()
    kept = [c for c in CITY_CODES if c != "130600"]
    sub = libpysal.weights.w_subset(w, kept)
    ref = morans_i(panel.loc[panel["region"] != "130600"], sub, seed=1, permutations=99)
    np.testing.assert_allclose(m.I, ref.I, rtol=1e-12)
    local = local_morans_i(panel, w, missing="drop_regions", seed=1, permutations=99)
    assert local.dropped == ("130600",) and set(local.frame["region"]) == set(kept)
    markov = markov_transition(panel, 3, w=w, missing="drop_regions")
    assert markov.spatial_counts is not None and markov.dropped == ("130600",)
    # drop every neighbour of Chengde (130800): it is left an island, and that is reported
    lonely = panel.copy()
    for code in neighbours()["130800"]:
        lonely.loc[(lonely["region"] == code) & (lonely["year"] == 2018), "score"] = np.nan
    m2 = morans_i(lonely, w, missing="drop_regions", permutations=0)
    assert "130800" in m2.islands
    assert local_morans_i(lonely, w, missing="drop_regions", permutations=0).islands == m2.islands


def test_economic_and_nested_weights_follow_their_formulas() -> None:
    from hqd.analysis.spatial import economic_distance_weights, nested_weights

    regions = ["a", "b", "c", "d"]
    gdp = pd.DataFrame({"region": regions * 2, "year": [2020] * 4 + [2021] * 4,
                        "gdp": [1.0, 2.0, 4.0, 7.0, 1.0, 4.0, 4.0, 9.0]})  # means 1, 3, 4, 8
    we = dense(economic_distance_weights(gdp, column="gdp"))
    means = np.array([1.0, 3.0, 4.0, 8.0])
    gap = np.abs(means[:, None] - means[None, :])
    np.testing.assert_allclose(we, np.where(gap > 0, 1 / np.where(gap > 0, gap, 1.0), 0.0))
    assert we[0, 3] == pytest.approx(1 / 7)
    xy = pd.DataFrame({"code": regions, "lon": [116.0, 116.5, 117.0, 118.0], "lat": [39.0, 39.2, 38.8, 39.5]})
    wd = weights_from_points(xy, method="inverse_distance")
    prod = dense(nested_weights(wd, gdp, column="gdp"))
    np.testing.assert_allclose(prod, dense(wd) * (means / means.mean())[None, :])
    mix = dense(nested_weights(wd, gdp, variant="mix", phi=0.3, column="gdp"))
    rs = lambda m: m / m.sum(axis=1, keepdims=True)  # noqa: E731
    np.testing.assert_allclose(mix, 0.3 * rs(dense(wd)) + 0.7 * rs(we))
    tie = gdp.assign(gdp=[1.0, 1.0, 4.0, 7.0] * 2)
    with pytest.raises(HqdError) as err:
        economic_distance_weights(tie, column="gdp")
    assert err.value.codes == ["economic_tie"] and err.value.problems[0].region == "a"
