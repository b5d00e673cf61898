"""Forecasting an index series: grey GM(1,1) with its posterior-error checks, and ARIMA / Holt
exponential smoothing (statsmodels) as the comparison.

GM(1,1) is the textbook model of Deng Julong (邓聚龙); the checks (class-ratio test, relative errors,
posterior-error ratio C, small-error probability P and the four accuracy grades) follow
Liu Sifeng (刘思峰) et al., *灰色系统理论及其应用* (Science Press), ch. on GM models.  The comparison
models are statsmodels' ``ARIMA`` (order chosen by AIC over a small grid) and ``ExponentialSmoothing``
(additive trend, Holt 1957), each scored on the same hold-out years.

References
----------
Deng, J. L. (1982). Control problems of grey systems. Systems & Control Letters 1(5), 288–294.
doi:10.1016/S0167-6911(82)80025-X.
刘思峰, 党耀国, 方志耕 等. 灰色系统理论及其应用 (第5版). 北京: 科学出版社, 2010.
Hyndman, R. J., Athanasopoulos, G. (2021). Forecasting: principles and practice, 3rd ed., §8 (ETS), §9 (ARIMA).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hqd.analysis._data import choose
from hqd.errors import HqdError, Problems

#: Accuracy grades of the posterior-error test (刘思峰 et al.): (grade, C at most, P at least).
#: Which observations the posterior-error test uses: all k = 1…n (ε(1) = 0 included, 刘思峰 et al.) or
#: k = 2…n for both S₁ and S₂ (the other common textbook convention).
POSTERIOR: tuple[str, ...] = ("all", "skip_first")
GRADES: tuple[tuple[str, str, str, float, float], ...] = (
    ("good", "好", "一级", 0.35, 0.95),
    ("qualified", "合格", "二级", 0.50, 0.80),
    ("barely", "勉强", "三级", 0.65, 0.70),
)


@dataclass(frozen=True)
class GreyForecast:
    """A GM(1,1) fit: parameters, fitted values, checks and the forecast.

    ``fitted``: ``t, value, fitted, residual, relative_error``; ``forecast``: ``t, forecast``;
    ``class_ratio``: the ratios σ(k) = x⁰(k−1)/x⁰(k) and whether all lie in (e^{−2/(n+1)}, e^{2/(n+1)}).
    """

    a: float
    b: float
    c: float
    p: float
    grade: str
    fitted: pd.DataFrame
    forecast: pd.DataFrame
    class_ratio: np.ndarray
    class_ratio_ok: bool
    mean_relative_error: float
    posterior: str = "k = 1…n"

    def estimator(self) -> str:
        return (
            f"estimator: GM(1,1) grey model (Deng 1982), least squares a = {self.a:.6f}, b = {self.b:.6f}; "
            f"posterior-error ratio C = S₂/S₁ = {self.c:.4f}, small-error probability P = {self.p:.3f} "
            f"(population standard deviations over {self.posterior}); caveat: an exponential trend, for a few "
            "steps ahead only" + ("" if self.class_ratio_ok else "; the class-ratio test failed")
        )

    def verdict(self, lang: str = "en") -> str:
        zh = {g[0]: (g[1], g[2]) for g in GRADES} | {"unqualified": ("不合格", "四级")}
        last = self.forecast.iloc[-1]
        if lang == "zh":
            word, level = zh[self.grade]
            return (f"GM(1,1)模型精度{level}（{word}，C={self.c:.3f}，P={self.p:.2f}），"
                    f"第{int(last['t'])}期预测值为{last['forecast']:.4g}。")
        return (f"The GM(1,1) model is graded {self.grade} (C={self.c:.3f}, P={self.p:.2f}); "
                f"its forecast for period {int(last['t'])} is {last['forecast']:.4g}.")


def _series(values: Any, name: str = "series", minimum: int = 4, positive: bool = True) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    problems = Problems()
    if len(x) < minimum:
        problems.error("too_few_years", f"{name}: needs at least {minimum} observations; got {len(x)}")
    for i in np.flatnonzero(~np.isfinite(x)):
        problems.error("missing_value", f"{name}: observation {i + 1} is missing", row=int(i) + 1)
    if positive:
        for i in np.flatnonzero(np.isfinite(x) & (x <= 0)):
            problems.error(
                "non_positive_value",
                f"{name}: GM(1,1) needs positive data; observation {i + 1} is {x[i]!r} "
                "(shift the series by a constant and say so)",
                row=int(i) + 1,
            )
    problems.raise_if_errors()
    return x


def gm11(
    values: Sequence[float] | np.ndarray | pd.Series, horizon: int = 3, *, posterior: str = "all"
) -> GreyForecast:
    r"""GM(1,1): x⁰(k) + a z¹(k) = b on the 1-AGO series, and its time response.

    x¹ = cumsum(x⁰); z¹(k) = ½(x¹(k) + x¹(k−1)); [a, b]ᵀ = (BᵀB)⁻¹BᵀY with B = [−z¹, 1],
    Y = x⁰(2…n); x̂¹(k+1) = (x⁰(1) − b/a) e^{−ak} + b/a; x̂⁰(k+1) = x̂¹(k+1) − x̂¹(k).
    Checks: ε(k) = x⁰(k) − x̂⁰(k) for k = 1…n (ε(1) = 0), S₁, S₂ the population standard deviations of
    x⁰ and ε over k = 1…n (``posterior="all"``) or k = 2…n (``"skip_first"``), C = S₂/S₁, P = share of |ε(k) − ε̄| < 0.6745 S₁; grades good (C ≤ 0.35, P ≥ 0.95),
    qualified (≤ 0.5, ≥ 0.8), barely (≤ 0.65, ≥ 0.7), else unqualified.

    Needs ≥ 4 positive, finite observations (else HqdError naming them).  Reproduces the textbook
    example x⁰ = (2.874, 3.278, 3.337, 3.390, 3.679) of 刘思峰 et al., printed as a = −0.037156,
    b = 3.065318: exact least squares gives a = −0.037204, b = 3.065363 (the book's figures carry its
    hand-rounded intermediate sums; they agree to 0.13 % and 0.0015 %).

    Formula: :math:`\hat x^{(1)}(k+1) = (x^{(0)}(1) - b/a) e^{-ak} + b/a`.
    Policy: ≥ 4 positive finite observations (zero/negative/missing → HqdError naming the observation); a = 0 → HqdError.
    References: Deng (1982), doi:10.1016/S0167-6911(82)80025-X; 刘思峰 et al., 灰色系统理论及其应用.
    """
    x0 = _series(values)
    n = len(x0)
    x1 = np.cumsum(x0)
    z1 = 0.5 * (x1[1:] + x1[:-1])
    design = np.column_stack([-z1, np.ones(n - 1)])
    (a, b), *_ = np.linalg.lstsq(design, x0[1:], rcond=None)
    if abs(a) < 1e-12:
        raise HqdError("GM(1,1) development coefficient a is 0: the series has no exponential trend", code="degenerate_model")
    k = np.arange(n + horizon)
    x1_hat = (x0[0] - b / a) * np.exp(-a * k) + b / a
    x0_hat = np.concatenate([[x0[0]], np.diff(x1_hat)])
    resid = x0 - x0_hat[:n]
    choose("posterior-error convention", posterior, POSTERIOR)
    start = 0 if posterior == "all" else 1
    s1, s2 = float(np.std(x0[start:])), float(np.std(resid[start:]))
    c = s2 / s1
    p = float(np.mean(np.abs(resid[start:] - resid[start:].mean()) < 0.6745 * s1))
    grade = next((g[0] for g in GRADES if c <= g[3] and p >= g[4]), "unqualified")
    ratio = x0[:-1] / x0[1:]
    ok = bool(((ratio > np.exp(-2 / (n + 1))) & (ratio < np.exp(2 / (n + 1)))).all())
    fitted = pd.DataFrame({"t": np.arange(1, n + 1), "value": x0, "fitted": x0_hat[:n], "residual": resid,
                           "relative_error": np.abs(resid) / x0})
    forecast = pd.DataFrame({"t": np.arange(n + 1, n + horizon + 1), "forecast": x0_hat[n:]})
    return GreyForecast(a=float(a), b=float(b), c=c, p=p, grade=grade, fitted=fitted, forecast=forecast,
                        class_ratio=ratio, class_ratio_ok=ok, mean_relative_error=float(fitted["relative_error"][1:].mean()),
                        posterior="k = 1…n" if posterior == "all" else "k = 2…n")


# ------------------------------------------------------------------------------------------- comparison
def _arima(train: np.ndarray, steps: int) -> tuple[np.ndarray, str]:
    from statsmodels.tsa.arima.model import ARIMA

    best: tuple[float, np.ndarray, str] | None = None
    for order in ((0, 1, 0), (1, 1, 0), (0, 1, 1), (1, 1, 1)):
        trend = "t" if order[1] == 1 else "c"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fit = ARIMA(train, order=order, trend=trend).fit()
            except (ValueError, np.linalg.LinAlgError):
                continue
        if np.isfinite(fit.aic) and (best is None or fit.aic < best[0]):
            best = (float(fit.aic), np.asarray(fit.forecast(steps)), f"ARIMA{order} with drift")
    if best is None:
        raise HqdError("no ARIMA model could be fitted", code="model_failed")
    return best[1], best[2]


def _holt(train: np.ndarray, steps: int) -> tuple[np.ndarray, str]:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(train, trend="add", initialization_method="estimated").fit()
    return np.asarray(fit.forecast(steps)), "Holt exponential smoothing (additive trend)"


def _gm(train: np.ndarray, steps: int) -> tuple[np.ndarray, str]:
    return gm11(train, horizon=steps).forecast["forecast"].to_numpy(), "GM(1,1)"


#: The forecasting models compared, by name.
MODELS = {"gm11": _gm, "arima": _arima, "holt": _holt}


@dataclass(frozen=True)
class ForecastComparison:
    """Hold-out errors of each model and every model's forecast after refitting on the whole series.

    ``scores``: ``model, description, mape, rmse`` on the last ``holdout`` observations;
    ``forecasts``: ``model, t, forecast``.
    """

    scores: pd.DataFrame
    forecasts: pd.DataFrame
    holdout: int

    def estimator(self) -> str:
        return (
            f"estimator: GM(1,1) vs ARIMA (AIC over (p,1,q), p,q ≤ 1, statsmodels) vs Holt smoothing; "
            f"each fitted without the last {self.holdout} observations and scored on them (MAPE, RMSE); "
            "caveat: a short hold-out decides little"
        )

    def verdict(self, lang: str = "en") -> str:
        best = self.scores.sort_values("mape").iloc[0]
        if lang == "zh":
            names = {"gm11": "GM(1,1)", "arima": "ARIMA", "holt": "Holt指数平滑"}
            return f"在最后{self.holdout}期的留出检验中，{names[best['model']]}的平均绝对百分比误差最小（{best['mape']:.2%}）。"
        return f"On the last {self.holdout} observations held out, {best['description']} has the smallest MAPE ({best['mape']:.2%})."


def compare(
    values: Sequence[float] | np.ndarray | pd.Series,
    *,
    holdout: int = 2,
    horizon: int = 3,
    models: Sequence[str] = tuple(MODELS),
) -> ForecastComparison:
    r"""Fit every model on all but the last ``holdout`` points, score it there, then forecast ``horizon``.

    The training part needs ≥ 4 observations (GM(1,1)'s minimum; ARIMA with drift then has little to go
    on, which the caveat says).  Unknown model names → HqdError listing the valid ones.

    Formula: :math:`MAPE = \frac{1}{h}\sum |e_t| / |x_t|`.
    Policy: as :func:`gm11` (positivity only when GM(1,1) is compared).
    References: Hyndman & Athanasopoulos (2021), Forecasting: principles and practice, §5.8.
    """
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise HqdError(f"unknown forecasting model(s) {unknown}; valid: {', '.join(MODELS)}", code="unknown_option")
    x = _series(values, minimum=holdout + 4, positive="gm11" in models)
    train, test = x[:-holdout], x[-holdout:]
    rows, out = [], []
    for name in models:
        pred, description = MODELS[name](train, holdout)
        err = test - pred
        rows.append({"model": name, "description": description, "mape": float(np.mean(np.abs(err) / np.abs(test))),
                     "rmse": float(np.sqrt(np.mean(err**2)))})
        ahead, _ = MODELS[name](x, horizon)
        out.append(pd.DataFrame({"model": name, "t": np.arange(len(x) + 1, len(x) + horizon + 1), "forecast": ahead}))
    return ForecastComparison(scores=pd.DataFrame(rows), forecasts=pd.concat(out, ignore_index=True), holdout=holdout)
