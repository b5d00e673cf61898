"""Geodetector against the Heshun neural-tube-defect example (Wang et al. 2010).

The data (185 villages: NTD incidence, soil type, watershed, elevation class) ship with the PyPI
package ``geodetector`` (a test dependency), whose columns are named ``type`` (soil type),
``region`` (watershed) and ``level`` (elevation).  The numbers are those printed by the R package
``geodetector`` 1.0-5's vignette (Wang & Xu's group) and the PyPI package's README.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from hqd.analysis import geodetector as gd
from hqd.errors import HqdError


@pytest.fixture(scope="module")
def heshun() -> pd.DataFrame:
    dataset = pytest.importorskip("geodetector.dataset", reason="the PyPI package geodetector ships the data")
    return dataset.load_disease()


def test_factor_detector_reproduces_r_geodetector(heshun: pd.DataFrame) -> None:
    result = gd.geodetector(heshun, "incidence", ["type", "region", "level"])
    factor = result.factor.set_index("factor")
    # R geodetector vignette: q-statistic 0.3857168 / 0.6377737 / 0.6067087
    assert_allclose(factor["q"], [0.3857168, 0.6377737, 0.6067087], atol=5e-8)
    # PyPI geodetector README (population variance in lambda): p = 0.372145, 0.000129, 0.043382
    assert_allclose(factor["p_value"], [0.372145, 0.000129, 0.043382], atol=5e-7)  # printed to 6 decimals
    sample = gd.geodetector(heshun, "incidence", ["type", "region", "level"], variance="sample").factor
    # R geodetector vignette (sample variance): p = 0.3632363, 0.0001169914, 0.04080407
    # (R's pf and SciPy's noncentral F differ by 8e-6 relative in the far tail)
    assert_allclose(sample["p_value"], [0.3632363, 0.0001169914, 0.04080407], rtol=1e-5)
    assert factor.loc["region", "strata"] == 9


def test_interaction_detector_reproduces_r_geodetector(heshun: pd.DataFrame) -> None:
    result = gd.geodetector(heshun, "incidence", ["type", "region", "level"])
    inter = result.interaction.set_index(["factor_1", "factor_2"])["q_interaction"]
    # R geodetector vignette: soiltype∩watershed 0.735680548139531, soiltype∩elevation
    # 0.663523698335635, watershed∩elevation 0.71359677853471
    assert_allclose(
        inter.loc[[("type", "region"), ("type", "level"), ("region", "level")]],
        [0.735680548139531, 0.663523698335635, 0.71359677853471],
        rtol=1e-12,
    )
    assert set(result.interaction["type"]) == {"bivariate_enhance"}
    assert set(result.interaction["type_zh"]) == {"双因子增强"}


def test_risk_and_ecological_detectors(heshun: pd.DataFrame) -> None:
    result = gd.geodetector(heshun, "incidence", ["type", "region", "level"])
    means = result.risk_means.query("factor == 'type'").sort_values("stratum")["mean"].to_numpy()
    # R geodetector vignette, soil-type means (its codes 1-5 are the PyPI data's 1, 2, 3, 5, 7)
    assert_allclose(means, [6.340000, 6.687500, 6.583279, 5.843810, 6.347073], atol=5e-7)
    risk = result.risk.query("factor == 'type'")
    not_significant = {(a, b) for a, b, s in zip(risk["stratum_1"], risk["stratum_2"], risk["significant"], strict=True) if not s}
    # R: the only pairs of soil types whose means do not differ at 0.05 are (1, 5) and (2, 3)
    assert not_significant == {(1, 7), (2, 3)}
    eco = result.ecological.set_index(["factor_1", "factor_2"])
    # R: soiltype vs watershed and soiltype vs elevation differ, watershed vs elevation does not
    assert eco.loc[("type", "region"), "significant"] and eco.loc[("type", "level"), "significant"]
    assert not eco.loc[("region", "level"), "significant"]
    assert "q=0.638" in result.verdict() and "解释力最强的因子是region" in result.verdict("zh")


def test_interaction_types_by_definition() -> None:
    # Wang & Xu (2017), Table 1
    assert gd.interaction_type(0.3, 0.5, 0.2) == "nonlinear_weaken"
    assert gd.interaction_type(0.3, 0.5, 0.4) == "univariate_weaken"
    assert gd.interaction_type(0.3, 0.5, 0.6) == "bivariate_enhance"
    assert gd.interaction_type(0.3, 0.5, 0.8) == "independent"
    assert gd.interaction_type(0.3, 0.5, 0.9) == "nonlinear_enhance"
    # two independent, additive factors on a full 2 x 2 design: q1 + q2 = q12 = 1
    table = pd.DataFrame({"y": [0.0, 1, 2, 3] * 3, "a": [0, 0, 1, 1] * 3, "b": [0, 1, 0, 1] * 3})
    inter = gd.geodetector(table, "y", ["a", "b"]).interaction.iloc[0]
    assert inter["q_1"] + inter["q_2"] == pytest.approx(1.0) and inter["type"] == "independent"


def test_q_is_anova_eta_squared() -> None:
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 6, 5000)
    y = codes * 0.3 + rng.normal(size=5000)
    q = gd.q_statistic(y, codes)[0]
    from scipy import stats

    f, _ = stats.f_oneway(*[y[codes == h] for h in range(6)])
    assert (5000 - 6) / 5 * q / (1 - q) == pytest.approx(f, rel=1e-10)  # F = (N-L)/(L-1) q/(1-q)


def test_optimal_discretisation_picks_the_best_q() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, 2000)
    y = np.where(x > 7, 3.0, 0.0) + rng.normal(size=2000)  # SYNTHETIC step at x = 7
    codes, table = gd.optimal_discretize(y, x)
    assert table.loc[table["chosen"], "q"].iloc[0] == pytest.approx(table["q"].max())
    assert len(np.unique(codes)) == table.loc[table["chosen"], "strata"].iloc[0]
    assert set(table["method"]) == set(gd.DISCRETIZATIONS)
    assert_allclose(gd.discretize([1, 2, 3, 4], "equal", 2), [0, 0, 1, 1])


def test_bad_strata_are_errors() -> None:
    table = pd.DataFrame({"y": [1.0, 2, 3, 4, 5], "a": ["p", "p", "q", "q", "r"], "b": ["s"] * 5})
    with pytest.raises(HqdError) as err:
        gd.geodetector(table, "y", ["a", "b", "c"])
    assert err.value.codes == ["unknown_column"]
    with pytest.raises(HqdError) as err:
        gd.geodetector(table, "y", ["a"])
    assert err.value.codes == ["singleton_stratum"] and err.value.problems[0].column == "a"
    with pytest.raises(HqdError) as err:
        gd.geodetector(table, "y", ["b"])
    assert err.value.codes == ["single_stratum"]
    missing = table.assign(a=["p", None, "q", "q", "p"])
    with pytest.raises(HqdError) as err:
        gd.geodetector(missing, "y", ["a"])
    assert err.value.problems[0].row == 3 and err.value.codes == ["missing_value"]
    with pytest.raises(HqdError, match="discretisation method 'jenks'"):
        gd.discretize([1.0, 2.0], "jenks", 3)
