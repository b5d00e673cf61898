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
