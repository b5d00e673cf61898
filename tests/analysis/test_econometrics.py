"""Panel SAR/SEM (spreg) and SDM with LeSage–Pace effects: equal to spreg's estimator on the same data,
effects equal to their dense-matrix definition, tests that accept true and reject false restrictions.

All data here are SYNTHETIC: drawn from the model with known parameters on a lattice.
"""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sps

from hqd.analysis.econometrics import (
    demean,
    fit_model,
    hausman_test,
    lesage_pace_impacts,
    lm_tests,
    panel_arrays,
    sar,
    sdm,
    sem,
    simplification_tests,
    spatial_lag,
)
from hqd.errors import HqdError


def _lattice(rows: int, cols: int) -> libpysal.weights.W:
    w = libpysal.weights.lat2W(rows, cols, rook=False)
    return libpysal.weights.W({f"r{k:04d}": [f"r{v:04d}" for v in vs] for k, vs in w.neighbors.items()},
                              id_order=[f"r{i:04d}" for i in range(rows * cols)], silence_warnings=True)


def _simulate(w: libpysal.weights.W, t: int, rho: float, beta: np.ndarray, theta: np.ndarray,
              seed: int = 0, error_model: bool = False, year_effects: bool = False) -> pd.DataFrame:
    """SYNTHETIC panel from y = ρWy + Xβ + WXθ + μ_i (+ η_t) + ε (or SEM errors with λ = ρ)."""
    rng = np.random.default_rng(seed)
    n = w.n
    ws = libpysal.weights.W(w.neighbors, id_order=w.id_order, silence_warnings=True)
    ws.transform = "r"
    W = ws.sparse.toarray()
    A = np.linalg.inv(np.eye(n) - rho * W)
    mu = rng.normal(0, 1, n)
    rows = []
    for s in range(t):
        X = rng.normal(size=(n, len(beta)))
        eta = rng.normal(0, 1) if year_effects else 0.0
        eps = rng.normal(0, 0.5, n)
        structural = A @ (X @ beta + W @ X @ theta + mu + eta + eps)
        y = X @ beta + mu + eta + A @ eps if error_model else structural
        for i in range(n):
            rows.append((w.id_order[i], 2000 + s, y[i], *X[i]))
    return pd.DataFrame(rows, columns=["region", "year", "y", *[f"x{j + 1}" for j in range(len(beta))]])


@pytest.fixture(scope="module")
def durbin() -> tuple[pd.DataFrame, libpysal.weights.W]:
    w = _lattice(9, 10)
    return _simulate(w, 8, 0.4, np.array([1.0, -0.5]), np.array([0.5, 0.3]), seed=1), w


def test_sdm_equals_spregs_lag_model_on_x_and_wx(durbin: tuple[pd.DataFrame, libpysal.weights.W]) -> None:
    from spreg.panel import BaseML_LagFE

    table, w = durbin
    data = panel_arrays(table, "y", ["x1", "x2"], w)
    mine = sdm(data, draws=200, seed=1)
    Z = np.hstack([data.X, spatial_lag(data.w.sparse, data.X, data.n, data.t)])
    ref = BaseML_LagFE(data.y, Z, data.w)
    np.testing.assert_allclose(mine.params, np.ravel(ref.betas), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(np.diag(mine.vcov), np.diag(ref.vm), rtol=1e-4)
    assert mine.fit["log_likelihood"] == pytest.approx(float(ref.logll), rel=1e-8)
    assert list(mine.coefficients["term"]) == ["x1", "x2", "W*x1", "W*x2", "rho"]
    # the true DGP is recovered (β 1, −0.5, θ 0.5, 0.3, ρ 0.4) within four standard errors
    se = mine.coefficients["se"].to_numpy()
    assert (np.abs(mine.params - [1.0, -0.5, 0.5, 0.3, 0.4]) < 4 * se).all(), (mine.params, se)


def test_effects_equal_their_dense_definition(durbin: tuple[pd.DataFrame, libpysal.weights.W]) -> None:
    table, w = durbin
    data = panel_arrays(table, "y", ["x1", "x2"], w)
    fit = sdm(data, draws=2000, seed=3)
    W = data.w.sparse.toarray()
    beta, theta, rho = fit.params[:2], fit.params[2:4], fit.params[4]
    A = np.linalg.inv(np.eye(data.n) - rho * W)
    eff = fit.impacts.set_index(["effect", "term"])
    for j, name in enumerate(data.names):
        S = A @ (np.eye(data.n) * beta[j] + W * theta[j])
        direct, total = np.trace(S) / data.n, S.sum() / data.n
        assert eff.loc[("direct", name), "estimate"] == pytest.approx(direct, rel=1e-10)
        assert eff.loc[("total", name), "estimate"] == pytest.approx(total, rel=1e-10)
        assert eff.loc[("indirect", name), "estimate"] == pytest.approx(total - direct, rel=1e-10)
        # simulated means centre on the point estimates; the standard errors are positive
        assert eff.loc[("total", name), "mean"] == pytest.approx(total, abs=4 * eff.loc[("total", name), "se"] / 40)
    assert (fit.impacts["se"] > 0).all()
    again = sdm(data, draws=2000, seed=3)
    pd.testing.assert_frame_equal(fit.impacts, again.impacts)  # seeded


def test_series_traces_match_eigenvalues_on_a_larger_lattice() -> None:
    """N > 400 uses LeSage–Pace's series with Hutchinson traces: close to the exact eigenvalue traces."""
    w = _lattice(21, 21)
    ws = libpysal.weights.W(w.neighbors, id_order=w.id_order, silence_warnings=True)
    ws.transform = "r"
    vcov = np.diag([0.01, 0.01, 1e-4])
    series = lesage_pace_impacts(np.array([1.0]), np.array([0.5]), 0.5, vcov, ["x"], ws, kind="sdm",
                                 draws=200, seed=1)
    W = ws.sparse.toarray()
    A = np.linalg.inv(np.eye(w.n) - 0.5 * W)
    direct = np.trace(A @ (np.eye(w.n) + 0.5 * W)) / w.n
    assert series.loc[series["effect"] == "direct", "estimate"].iloc[0] == pytest.approx(direct, rel=2e-3)
    assert series.loc[series["effect"] == "total", "estimate"].iloc[0] == pytest.approx(3.0, rel=1e-9)


def test_sar_and_sem_are_spregs_and_recover_their_parameters() -> None:
    w = _lattice(9, 10)
    lag = _simulate(w, 8, 0.5, np.array([1.0, -0.5]), np.zeros(2), seed=4)
    data = panel_arrays(lag, "y", ["x1", "x2"], w)
    fit = sar(data, draws=200, seed=1)
    np.testing.assert_allclose(fit.params, [1.0, -0.5, 0.5], atol=0.1)
    direct = fit.impacts.query("effect == 'direct' and term == 'x1'")["estimate"].iloc[0]
    W = data.w.sparse.toarray()
    A = np.linalg.inv(np.eye(data.n) - fit.params[-1] * W)
    assert direct == pytest.approx(np.trace(A) / data.n * fit.params[0], rel=1e-10)
    err = _simulate(w, 8, 0.5, np.array([1.0, -0.5]), np.zeros(2), seed=5, error_model=True)
    fit_e = sem(panel_arrays(err, "y", ["x1", "x2"], w))
    np.testing.assert_allclose(fit_e.params, [1.0, -0.5, 0.5], atol=0.1)
    assert fit_e.coefficients["term"].iloc[-1] == "lambda"


def test_two_way_effects_absorb_year_shocks() -> None:
    w = _lattice(9, 10)
    table = _simulate(w, 8, 0.4, np.array([1.0, -0.5]), np.array([0.5, 0.3]), seed=6, year_effects=True)
    data = panel_arrays(table, "y", ["x1", "x2"], w)
    two = sdm(data, "twoway", draws=100, seed=1)
    se = two.coefficients["se"].to_numpy()
    assert (np.abs(two.params - [1.0, -0.5, 0.5, 0.3, 0.4]) < 4 * se).all(), (two.params, se)
    cube = demean(data.y, data.n, data.t, "twoway").reshape(data.t, data.n)
    np.testing.assert_allclose(cube.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(cube.mean(axis=0), 0.0, atol=1e-12)


def test_simplification_lm_and_hausman_tests() -> None:
    w = _lattice(9, 10)
    lag = _simulate(w, 8, 0.5, np.array([1.0, -0.5]), np.zeros(2), seed=7)  # a true SAR
    data = panel_arrays(lag, "y", ["x1", "x2"], w)
    fits = {m: fit_model(m, data, draws=100, seed=1) for m in ("sar", "sem", "sdm")}
    tests = simplification_tests(fits["sdm"], fits["sar"], fits["sem"]).set_index("test")
    assert tests.loc["Wald SDM→SAR", "p"] > 0.01 and tests.loc["LR SDM→SAR", "p"] > 0.01
    assert tests.loc["Wald SDM→SEM", "p"] < 0.01 and tests.loc["LR SDM→SEM", "p"] < 0.01
    lm = lm_tests(data).set_index("test")
    assert lm.loc["LM lag", "p"] < 0.01 and set(lm.index) == {"LM lag", "robust LM lag", "LM error",
                                                              "robust LM error"}
    h = hausman_test(data)
    assert h["statistic"].iloc[0] > 0 and 0 <= h["p"].iloc[0] <= 1


def test_bad_panels_are_reported_with_locations() -> None:
    w = _lattice(3, 4)
    table = _simulate(w, 3, 0.3, np.array([1.0]), np.zeros(1), seed=8)
    with pytest.raises(HqdError) as err:
        panel_arrays(table, "y", ["x9"], w)
    assert err.value.codes == ["unknown_column"] and "x1" in str(err.value)
    bad = table.copy()
    bad.loc[5, "x1"] = np.nan
    with pytest.raises(HqdError) as err:
        panel_arrays(bad, "y", ["x1"], w)
    assert err.value.codes == ["missing_value"] and err.value.problems[0].region == bad.loc[5, "region"]
    with pytest.raises(HqdError) as err:
        panel_arrays(table.iloc[1:], "y", ["x1"], w)
    assert err.value.codes == ["unbalanced_panel"]
    with pytest.raises(HqdError) as err:
        fit_model("sac", panel_arrays(table, "y", ["x1"], w))
    assert "sar, sem, sdm" in str(err.value)


def test_spreg_panel_fe_lag_example_ncovr() -> None:
    """spreg's own example (its tests/test_panel_fe.py, NCOVR, HR ~ RD + PS, queen W)."""
    try:
        path = libpysal.examples.get_path("NAT.dbf")
        import os

        if not os.path.exists(path):
            raise FileNotFoundError(path)
    except Exception:  # libpysal raises several types when an example is not downloaded
        pytest.skip("libpysal example NCOVR (NAT.shp) is not on this machine (it needs a download)")
    import geopandas as gpd

    db = gpd.read_file(libpysal.examples.get_path("NAT.shp"))
    w = libpysal.weights.Queen.from_dataframe(db, use_index=False, silence_warnings=True)
    ids = [str(i) for i in range(len(db))]
    w = libpysal.weights.W({str(k): [str(v) for v in vs] for k, vs in w.neighbors.items()}, id_order=ids)
    rows = []
    for year in ("70", "80", "90"):
        rows.append(pd.DataFrame({"region": ids, "year": 1900 + int(year), "HR": db[f"HR{year}"],
                                  "RD": db[f"RD{year}"], "PS": db[f"PS{year}"]}))
    data = panel_arrays(pd.concat(rows), "HR", ["RD", "PS"], w)
    fit = sar(data, draws=10, seed=1)
    np.testing.assert_allclose(fit.params, [0.80058859, -2.60035236, 0.19030424], rtol=1e-5)
    np.testing.assert_allclose(np.diag(fit.vcov), [0.02606527, 0.24359025, 0.00025597], rtol=1e-4)
    assert fit.fit["log_likelihood"] == pytest.approx(-67936.53303509377, rel=1e-7)
    assert sps is not None


def test_estimated_information_traces_give_the_exact_errors_closely(
        durbin: tuple[pd.DataFrame, libpysal.weights.W], monkeypatch: pytest.MonkeyPatch) -> None:
    """Above EXACT_TRACES_MAX regions the traces are Hutchinson estimates: errors within 2 % of exact."""
    from hqd.analysis import econometrics

    table, w = durbin
    data = panel_arrays(table, "y", ["x1", "x2"], w)
    exact = sdm(data, draws=50, seed=1)
    monkeypatch.setattr(econometrics, "EXACT_TRACES_MAX", 10)
    estimated = sdm(data, draws=50, seed=1)
    assert "Hutchinson" in estimated.notes[0] and "exact" in exact.notes[0]
    np.testing.assert_allclose(estimated.params, exact.params, rtol=1e-12)
    np.testing.assert_allclose(estimated.coefficients["se"], exact.coefficients["se"], rtol=0.02)
