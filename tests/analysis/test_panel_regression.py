"""Two-way FE (linearmodels) and mediation on a SYNTHETIC panel with known paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from hqd.analysis.panel_regression import fixed_effects, mediation
from hqd.errors import HqdError


def _panel(seed: int = 0, n: int = 40, t: int = 8) -> pd.DataFrame:
    """SYNTHETIC: x → m (a = 0.6) → y (b = 0.5), direct c′ = 0.3, region and year effects."""
    rng = np.random.default_rng(seed)
    rows = []
    mu = rng.normal(size=n)
    for year in range(t):
        eta = rng.normal()
        for i in range(n):
            x = rng.normal() + 0.3 * mu[i]
            m = 0.6 * x + 0.5 * mu[i] + rng.normal(0, 0.5)
            y = 0.3 * x + 0.5 * m + mu[i] + eta + rng.normal(0, 0.5)
            rows.append((f"r{i:02d}", 2010 + year, y, x, m, rng.normal()))
    return pd.DataFrame(rows, columns=["region", "year", "y", "x", "m", "z"])


def test_two_way_fe_equals_the_dummy_variable_regression() -> None:
    panel = _panel()
    fit = fixed_effects(panel, "y", ["x", "z"], cluster=False)
    ref = smf.ols("y ~ x + z + C(region) + C(year)", panel).fit()
    coefs = fit.coefficients.set_index("term")
    assert coefs.loc["x", "coef"] == pytest.approx(ref.params["x"], rel=1e-9)
    assert coefs.loc["x", "se"] == pytest.approx(ref.bse["x"], rel=1e-9)
    clustered = fixed_effects(panel, "y", ["x", "z"])
    assert "cluster-robust" in clustered.errors and clustered.estimator == "two-way fixed effects (within)"
    assert set(clustered.coefficients.columns) == {"term", "coef", "se", "t", "p", "stars"}


def test_mediation_recovers_the_indirect_effect() -> None:
    panel = _panel(seed=1)
    result = mediation(panel, "y", "x", "m", draws=60, seed=2)
    assert result.indirect == pytest.approx(0.3, abs=0.08)  # a·b = 0.6 × 0.5
    assert result.ci_low < result.indirect < result.ci_high and result.ci_low > 0
    assert result.sobel_p < 0.01 and result.summary()["significant"].iloc[0]
    again = mediation(panel, "y", "x", "m", draws=60, seed=2)
    assert again.ci_low == result.ci_low  # seeded


def test_missing_values_are_listed() -> None:
    panel = _panel()
    panel.loc[3, "x"] = np.nan
    with pytest.raises(HqdError) as err:
        fixed_effects(panel, "y", ["x"])
    assert err.value.codes == ["missing_value"] and err.value.problems[0].region == panel.loc[3, "region"]
    with pytest.raises(HqdError) as err:
        fixed_effects(panel, "y", ["nope"])
    assert err.value.codes == ["unknown_column"]


def _threshold_panel(gamma: float | None, seed: int = 0, n: int = 40, t: int = 10) -> pd.DataFrame:
    """SYNTHETIC: y = μ_i + β·x·1(q ≤ γ) + β'·x·1(q > γ) + 0.5 z + e (β 1, β' 2; no threshold: β 1)."""
    rng = np.random.default_rng(seed)
    mu = rng.normal(size=n)
    rows = []
    for i in range(n):
        for year in range(t):
            x, q, z = rng.normal(), rng.uniform(), rng.normal()
            slope = 1.0 if gamma is None or q <= gamma else 2.0
            rows.append((f"r{i:02d}", 2000 + year, mu[i] + slope * x + 0.5 * z + rng.normal(0, 0.5), x, q, z))
    return pd.DataFrame(rows, columns=["region", "year", "y", "x", "q", "z"])


def test_single_threshold_is_found_and_tested() -> None:
    from hqd.analysis.panel_regression import threshold_regression

    panel = _threshold_panel(0.4, seed=3)
    result = threshold_regression(panel, "y", ["x"], "q", ["z"], draws=100, seed=1)
    assert result.thresholds[0] == pytest.approx(0.4, abs=0.05)
    assert result.tests["p"].iloc[0] < 0.05
    coefs = result.coefficients.set_index("term")["coef"]
    assert coefs["x (regime 1)"] == pytest.approx(1.0, abs=0.15) and coefs["x (regime 2)"] == pytest.approx(2.0, abs=0.15)
    # the estimates at γ̂ are the dummy-variable regression's with the regime split at γ̂
    g = result.thresholds[0]
    panel = panel.assign(x_low=panel["x"] * (panel["q"] <= g), x_high=panel["x"] * (panel["q"] > g))
    ref = smf.ols("y ~ x_low + x_high + z + C(region)", panel).fit()
    assert coefs["x (regime 1)"] == pytest.approx(ref.params["x_low"], rel=1e-9)
    row = result.intervals.iloc[0]
    assert row["low"] <= g <= row["high"]
    none = threshold_regression(_threshold_panel(None, seed=4), "y", ["x"], "q", ["z"], draws=100, seed=1)
    assert none.tests["p"].iloc[0] > 0.05


def test_double_threshold_runs_and_tests_against_one() -> None:
    from hqd.analysis.panel_regression import threshold_regression

    panel = _threshold_panel(0.4, seed=5, n=30, t=8)
    result = threshold_regression(panel, "y", ["x"], "q", ["z"], thresholds=2, draws=30, seed=1, grid=60)
    assert len(result.thresholds) == 2 and list(result.tests["test"])[1] == "double threshold (H0: single)"
    assert 0 <= result.tests["p"].iloc[1] <= 1
    assert len(result.coefficients) == 4  # three regimes of x, and z
    for row in result.intervals.itertuples():
        assert row.low <= row.estimate <= row.high
