"""GM(1,1) against the textbook example and the ARIMA/Holt comparison."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from hqd.analysis import forecast as fc
from hqd.errors import HqdError

# 刘思峰, 党耀国, 方志耕 等.《灰色系统理论及其应用》(科学出版社), the GM(1,1) worked example:
# x0 = (2.874, 3.278, 3.337, 3.390, 3.679), a = -0.037156, b = 3.065318 (as printed).
TEXTBOOK = [2.874, 3.278, 3.337, 3.390, 3.679]


def test_gm11_textbook_parameters() -> None:
    result = fc.gm11(TEXTBOOK)
    # the printed values come from hand-rounded sums; exact least squares differs in the 4th digit of a
    assert result.a == pytest.approx(-0.037156, rel=1.5e-3)
    assert result.b == pytest.approx(3.065318, rel=2e-5)
    # least squares by hand: B = [-z, 1], z = (4.513, 7.8205, 11.184, 14.7185), Y = x0(2..5)
    z = np.array([4.513, 7.8205, 11.184, 14.7185])
    design = np.column_stack([-z, np.ones(4)])
    a, b = np.linalg.solve(design.T @ design, design.T @ np.array(TEXTBOOK[1:]))
    assert_allclose([result.a, result.b], [a, b], rtol=1e-12)
    assert result.class_ratio_ok  # all sigma(k) within (e^{-1/3}, e^{1/3})


def test_gm11_posterior_error_checks_by_definition() -> None:
    result = fc.gm11(TEXTBOOK, horizon=2)
    a, b = result.a, result.b
    k = np.arange(5)
    x1 = (TEXTBOOK[0] - b / a) * np.exp(-a * k) + b / a
    x0_hat = np.concatenate([[TEXTBOOK[0]], np.diff(x1)])
    eps = np.array(TEXTBOOK) - x0_hat
    s1 = np.sqrt(np.mean((np.array(TEXTBOOK) - np.mean(TEXTBOOK)) ** 2))
    s2 = np.sqrt(np.mean((eps - eps.mean()) ** 2))
    assert result.c == pytest.approx(s2 / s1, rel=1e-12)
    assert result.c == pytest.approx(0.2125, abs=5e-5)
    assert result.p == 1.0  # every |eps - mean| < 0.6745 S1 = 0.3647
    assert result.grade == "good" and "一级" in result.verdict("zh")
    assert_allclose(result.fitted["residual"], eps, atol=1e-12)
    assert len(result.forecast) == 2 and result.forecast["t"].tolist() == [6, 7]


def test_comparison_models() -> None:
    # SYNTHETIC: a noisy 7% growth path
    rng = np.random.default_rng(4)
    series = 100 * 1.07 ** np.arange(12) * rng.lognormal(0, 0.01, 12)
    result = fc.compare(series, holdout=3, horizon=2)
    assert set(result.scores["model"]) == {"gm11", "arima", "holt"}
    assert (result.scores["mape"] < 0.1).all()
    # a random walk with drift forecasts x_n + h * mean(diff) (the drift's ML estimate)
    pred, name = fc.MODELS["arima"](np.array([1.0, 2.0, 4.0, 5.0, 7.0, 8.0]), 2)
    if name.startswith("ARIMA(0, 1, 0)"):
        assert_allclose(pred, [8 + 1.4, 8 + 2.8], rtol=1e-3)
    assert "MAPE" in result.verdict() and "平均绝对百分比误差" in result.verdict("zh")


def test_bad_series() -> None:
    with pytest.raises(HqdError) as err:
        fc.gm11([1.0, 2.0, 3.0])
    assert err.value.codes == ["too_few_years"]
    with pytest.raises(HqdError) as err:
        fc.gm11([1.0, 0.0, 3.0, np.nan, 5.0])
    assert set(err.value.codes) == {"non_positive_value", "missing_value"}
    assert {p.row for p in err.value.problems} == {2, 4}
    with pytest.raises(HqdError, match="valid: gm11, arima, holt"):
        fc.compare(TEXTBOOK * 2, models=["lstm"])
    with pytest.raises(HqdError) as err:
        fc.gm11([2.0, 2.0, 2.0, 2.0, 2.0])
    assert err.value.codes == ["degenerate_model"]


def test_gm11_published_example_with_c_and_p() -> None:
    # 《国际干散货航运市场船舶运力的预测以及浅析》, GM(1,1) of the dry-bulk fleet (its Table 2 and text):
    # the 1-AGO series X(1) = (2.86, 5.80, …, 89.08) is printed; a = -0.0749, b = 2.5948,
    # S_e = 0.4006, S_c = 1.9115, C = S_e/S_c = 0.209574, P = 1, "good".  Its S_c is the population
    # standard deviation of x0(2..n), i.e. the k = 2..n convention (posterior="skip_first").
    x1 = np.array([2.86, 5.80, 8.81, 12.02, 15.46, 19.13, 23.05, 27.24, 31.86, 37.27, 43.48, 50.35, 57.62, 65.20,
                   72.97, 80.91, 89.08])
    x0 = np.diff(np.concatenate([[0.0], x1]))
    result = fc.gm11(x0, posterior="skip_first")
    assert result.a == pytest.approx(-0.0749, abs=5e-5)
    assert result.b == pytest.approx(2.5948, abs=5e-5)
    assert np.std(x0[1:]) == pytest.approx(1.9115, abs=5e-5)
    # the paper's S_e (0.4006) and C come from its rounded fitted values: ours are 0.4011 and 0.2098
    assert result.c == pytest.approx(0.209574, rel=2e-3)
    assert result.p == 1.0 and result.grade == "good"
    assert fc.gm11(x0).c == pytest.approx(0.19986, abs=5e-5)  # the k = 1..n convention
    with pytest.raises(HqdError, match="posterior-error convention 'k2'"):
        fc.gm11(x0, posterior="k2")
