"""σ and β convergence: closed forms, equality with the dummy-variable regression, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from hqd.analysis import beta_convergence, sigma_convergence
from hqd.errors import HqdError


def _panel(seed: int = 1, n: int = 15, years: range = range(2010, 2020)) -> pd.DataFrame:
    """A SYNTHETIC converging panel: log growth falls with the log level, plus noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        v = rng.uniform(0.2, 0.8)
        for year in years:
            rows.append((f"r{i:02d}", year, v))
            v *= np.exp(0.05 - 0.1 * np.log(v) + rng.normal(0, 0.02))
    return pd.DataFrame(rows, columns=["region", "year", "score"])


def _growth_table(panel: pd.DataFrame) -> pd.DataFrame:
    d = panel.sort_values(["region", "year"]).copy()
    d["g"] = np.log(d.groupby("region")["score"].shift(-1) / d["score"])
    d["x"] = np.log(d["score"])
    return d.dropna()


def test_sigma_measures_are_the_named_statistics() -> None:
    panel = _panel()
    result = sigma_convergence(panel, "cv")
    wide = panel.pivot(index="year", columns="region", values="score")
    np.testing.assert_allclose(result.std, wide.std(axis=1, ddof=0), rtol=1e-13)
    np.testing.assert_allclose(result.cv, wide.std(axis=1, ddof=0) / wide.mean(axis=1), rtol=1e-13)
    np.testing.assert_allclose(result.log_std, np.log(wide).std(axis=1, ddof=0), rtol=1e-13)
    np.testing.assert_allclose(result.sigma, result.cv)
    assert result.converging and result.slope < 0
    frame = result.to_frame()
    assert list(frame.columns[:3]) == ["year", "sigma", "measure"] and len(frame) == 10


def test_cross_section_beta_matches_the_closed_form_speed_and_half_life() -> None:
    panel = _panel()
    wide = panel.pivot(index="year", columns="region", values="score")
    x0, x1 = np.log(wide.loc[2010]), np.log(wide.loc[2019])
    slope, intercept = np.polyfit(x0, (x1 - x0) / 9, 1)
    r = beta_convergence(panel)
    assert r.beta == pytest.approx(slope, rel=1e-10) and r.intercept == pytest.approx(intercept, rel=1e-10)
    assert r.period == 9 and r.n_obs == 15
    assert r.speed == pytest.approx(-np.log(1 + 9 * slope) / 9, rel=1e-12)
    assert r.half_life == pytest.approx(np.log(2) / r.speed, rel=1e-12)
    assert r.converging
    sub = beta_convergence(panel, start=2012, end=2015)
    assert sub.period == 3 and (sub.start, sub.end) == (2012, 2015)


def test_absolute_panel_beta_is_pooled_ols() -> None:
    panel = _panel()
    r = beta_convergence(panel, "absolute_panel", cov_type="nonrobust")
    ref = smf.ols("g ~ x", _growth_table(panel)).fit()
    assert r.beta == pytest.approx(ref.params["x"], rel=1e-10)
    assert r.se == pytest.approx(ref.bse["x"], rel=1e-10)
    assert r.p == pytest.approx(ref.pvalues["x"], rel=1e-8)
    assert r.period == 1 and r.speed == pytest.approx(-np.log(1 + r.beta))


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC1"])
def test_conditional_two_way_fe_equals_the_dummy_variable_regression(cov_type: str) -> None:
    panel = _panel(seed=4)
    rng = np.random.default_rng(9)
    controls = panel[["region", "year"]].copy()
    controls["openness"] = rng.normal(size=len(controls))
    r = beta_convergence(panel, "conditional", controls=controls, cov_type=cov_type)
    table = _growth_table(panel).merge(controls, on=["region", "year"])
    ref = smf.ols("g ~ x + openness + C(region) + C(year)", table).fit(cov_type=cov_type)
    assert r.beta == pytest.approx(ref.params["x"], rel=1e-9)
    assert r.se == pytest.approx(ref.bse["x"], rel=1e-9)
    assert r.p == pytest.approx(ref.pvalues["x"], rel=1e-7)
    coef = r.coefficients.set_index("term")
    assert coef.loc["openness", "coef"] == pytest.approx(ref.params["openness"], rel=1e-9)
    assert r.fixed_effects == "twoway" and np.isnan(r.intercept)


def test_one_way_effects_and_unbalanced_panels() -> None:
    panel = _panel(seed=5).drop(index=[3, 27, 58])  # three region-years missing
    with pytest.raises(HqdError) as err:
        beta_convergence(panel, "conditional")
    assert set(err.value.codes) == {"missing_value"}
    r = beta_convergence(panel, "conditional", fixed_effects="region", missing="drop_regions",
                         cov_type="nonrobust")
    kept = _growth_table(panel.loc[~panel["region"].isin(r.dropped)])
    ref = smf.ols("g ~ x + C(region)", kept).fit()
    assert r.beta == pytest.approx(ref.params["x"], rel=1e-9) and r.se == pytest.approx(ref.bse["x"], rel=1e-9)
    clustered = beta_convergence(panel, "conditional", cov_type="cluster", missing="drop_regions")
    assert clustered.cov_type == "cluster" and clustered.se > 0


def _lm_growth(panel: pd.DataFrame) -> pd.DataFrame:
    return _growth_table(panel).set_index(["region", "year"])


@pytest.mark.parametrize("n_years", [5, 8])
def test_clustered_errors_are_linearmodels_panelols_to_1e9(n_years: int) -> None:
    """#13 item 3: the default β errors are linearmodels' clustered ones on the same short panel."""
    from linearmodels.panel import PanelOLS, PooledOLS

    panel = _panel(seed=7, n=13, years=range(2010, 2010 + n_years))
    d = _lm_growth(panel)
    r = beta_convergence(panel, "conditional")  # default: cluster by region
    ref = PanelOLS(d["g"], d[["x"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True)
    assert r.cov_type == "cluster"
    assert r.beta == pytest.approx(ref.params["x"], rel=1e-9)
    assert r.se == pytest.approx(ref.std_errors["x"], rel=1e-9)
    assert r.p == pytest.approx(ref.pvalues["x"], rel=1e-9)
    # the bug: statsmodels' clustered errors on the demeaned panel ignore the absorbed effects
    demeaned = beta_convergence(panel, "conditional", cov_type="HC1")
    assert demeaned.se != pytest.approx(r.se, rel=1e-3)
    pooled = beta_convergence(panel, "absolute_panel")
    ref_pooled = PooledOLS(d["g"], d[["x"]].assign(const=1.0)[["const", "x"]]).fit(
        cov_type="clustered", cluster_entity=True)
    assert pooled.se == pytest.approx(ref_pooled.std_errors["x"], rel=1e-9)
    one_way = beta_convergence(panel, "conditional", fixed_effects="region")
    ref_one = PanelOLS(d["g"], d[["x"]], entity_effects=True).fit(cov_type="clustered", cluster_entity=True)
    assert one_way.se == pytest.approx(ref_one.std_errors["x"], rel=1e-9)


def test_every_beta_names_its_estimator_errors_and_the_nickell_caveat() -> None:
    panel = _panel(n=13, years=range(2015, 2023))
    fe = beta_convergence(panel, "conditional")
    assert fe.estimator == "two-way fixed effects (within)"
    assert "cluster-robust" in fe.cov_label and fe.n_periods == 7
    assert any("Nickell" in c and "T = 7" in c for c in fe.caveats)
    row = fe.to_frame().iloc[0]
    assert row["estimator"] == fe.estimator and "Nickell" in row["caveats"]
    cross = beta_convergence(panel)
    assert cross.cov_type == "HC1" and cross.estimator == "cross-section OLS" and not cross.caveats
    assert beta_convergence(panel, "absolute_panel").caveats == ()


def test_logs_reject_zero_with_location_and_other_bad_input() -> None:
    panel = _panel()
    panel.loc[(panel["region"] == "r03") & (panel["year"] == 2014), "score"] = 0.0
    with pytest.raises(HqdError) as err:
        beta_convergence(panel)
    assert [(p.code, p.region, p.year) for p in err.value.problems] == [("nonpositive_value", "r03", 2014)]
    with pytest.raises(HqdError) as err:
        sigma_convergence(panel, "log_std")
    assert err.value.codes == ["zero_value"]
    assert np.isnan(sigma_convergence(panel).log_std[4])  # log_std of that year is undefined, not made up
    good = _panel()
    with pytest.raises(HqdError) as err:
        beta_convergence(good.loc[good["year"] != 2013], "absolute_panel")
    assert err.value.codes == ["unequal_year_spacing"]
    with pytest.raises(HqdError) as err:
        beta_convergence(good, cov_type="cluster")
    assert err.value.codes == ["bad_cov_type"]
    with pytest.raises(HqdError) as err:
        beta_convergence(good, start=2000)
    assert err.value.codes == ["unknown_year"]
    with pytest.raises(HqdError, match="valid: absolute_cross_section, absolute_panel, conditional"):
        beta_convergence(good, "spatial")
    with pytest.raises(HqdError) as err:
        beta_convergence(good, "absolute_panel", controls=good[["region", "year"]].assign(z=1.0))
    assert err.value.codes == ["bad_controls"]
