"""σ convergence and β convergence (absolute cross-section, absolute panel, conditional two-way FE).

Input as everywhere in :mod:`hqd.analysis`: a Result (index node or ``node=``), a long score table, a
wide ``region``/``year`` table (``column=``) or a Series indexed by ``(region, year)``.  Regressions
use statsmodels OLS; fixed effects are absorbed by (alternating) within-demeaning, so 2,900 counties
do not become 2,900 dummy columns — and the degrees of freedom are corrected for the absorbed effects
(tested equal to the dummy-variable regression).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from hqd.analysis._data import (
    MAX_LISTED,
    Panel,
    as_panel,
    check_values,
    choose,
    region_code,
    year_labels,
)
from hqd.errors import HqdError, Problems

SIGMA_MEASURES: tuple[str, ...] = ("std", "cv", "log_std")
BETA_KINDS: tuple[str, ...] = ("absolute_cross_section", "absolute_panel", "conditional")
FIXED_EFFECTS: tuple[str, ...] = ("twoway", "region", "year", "none")
COV_TYPES: tuple[str, ...] = ("nonrobust", "HC1", "cluster")

#: Reader-facing names of the estimators and error types (every printed β names both).
ESTIMATORS: dict[str, str] = {
    "absolute_cross_section": "cross-section OLS",
    "none": "pooled OLS",
    "twoway": "two-way fixed effects (within)",
    "region": "region fixed effects (within)",
    "year": "year fixed effects (within)",
}
COV_LABELS: dict[str, str] = {
    "nonrobust": "conventional (homoskedastic) standard errors",
    "HC1": "heteroskedasticity-robust (HC1) standard errors",
    "cluster": "cluster-robust standard errors by region (linearmodels PanelOLS, debiased)",
}


# ------------------------------------------------------------------------------------------------ σ
@dataclass(frozen=True)
class SigmaResult:
    """σ per year under all three named measures, the chosen one, and its linear trend over years.

    ``slope`` / ``slope_p``: OLS of the chosen measure on the year (NaN with fewer than 3 years);
    ``converging``: slope < 0 and slope_p < ``significance``.
    """

    measure: str
    years: pd.Index
    std: np.ndarray
    cv: np.ndarray
    log_std: np.ndarray
    ddof: int
    slope: float
    slope_p: float
    significance: float
    dropped: tuple[str, ...] = ()

    @property
    def sigma(self) -> np.ndarray:
        """The chosen measure per year."""
        return {"std": self.std, "cv": self.cv, "log_std": self.log_std}[self.measure]

    @property
    def converging(self) -> bool:
        return bool(self.slope < 0 and self.slope_p < self.significance)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "sigma": self.sigma,
                "measure": self.measure,
                "std": self.std,
                "cv": self.cv,
                "log_std": self.log_std,
                "ddof": self.ddof,
            },
            index=self.years,
        ).reset_index()


def sigma_convergence(
    values: Any,
    measure: str = "std",
    *,
    ddof: int = 0,
    significance: float = 0.05,
    node: str | None = None,
    column: str | None = None,
    missing: str = "raise",
) -> SigmaResult:
    r"""σ convergence: the dispersion of the regions per year, and whether it declines.

    Three named measures (all computed, ``measure`` picks the headline one):

    * ``"std"``: :math:`\sigma_t = \sqrt{\frac1n\sum_i (S_{it}-\bar S_t)^2}` (``ddof=0``; ``ddof=1``
      for the sample form);
    * ``"cv"``: :math:`CV_t = \sigma_t / \bar S_t`;
    * ``"log_std"``: the standard deviation of :math:`\ln S_{it}` (Barro & Sala-i-Martin's σ).

    σ-convergence holds when the measure declines over t; the result reports the OLS slope of the
    measure on the year and its p-value (statsmodels), ``converging`` = slope < 0 and p < significance.

    Policy: negative values are rejected; ``log_std`` (always computed) is NaN for a year with a
    non-positive value and raises ``nonpositive_value`` only when it is the chosen measure; a zero
    mean gives CV = NaN (``cv`` chosen: ``zero_mean`` error).

    References: Barro, R. J. & Sala-i-Martin, X. (1992) "Convergence", *Journal of Political Economy*
    100(2):223–251, doi:10.1086/261816; Sala-i-Martin, X. (1996) *Economic Journal*
    106(437):1019–1036, doi:10.2307/2235375; Young, A. T., Higgins, M. J. & Levy, D. (2008) "Sigma
    convergence versus beta convergence", *Journal of Money, Credit and Banking* 40(5):1083–1093,
    doi:10.1111/j.1538-4616.2008.00148.x.
    """
    choose("σ measure", measure, SIGMA_MEASURES)
    panel = as_panel(values, node=node, column=column, missing=missing)
    check_values(panel, purpose="σ convergence")
    y = panel.values
    std = y.std(axis=-1, ddof=ddof)
    mean = y.mean(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, std / np.where(mean > 0, mean, 1.0), np.nan)
        positive = (y > 0).all(axis=-1)
        log_std = np.where(positive, np.log(np.where(y > 0, y, 1.0)).std(axis=-1, ddof=ddof), np.nan)
    if measure == "log_std":
        check_values(panel, allow_zero=False, purpose="log_std takes logarithms")
    if measure == "cv" and (mean <= 0).any():
        raise HqdError("a year has mean 0: its coefficient of variation is undefined", code="zero_mean")
    chosen = {"std": std, "cv": cv, "log_std": log_std}[measure]
    years = np.asarray(panel.years, dtype=float)
    slope, slope_p = np.nan, np.nan
    if len(years) >= 3 and not np.isnan(years).any():
        fit = sm.OLS(chosen, sm.add_constant(years)).fit()
        slope, slope_p = float(fit.params[1]), float(fit.pvalues[1])
    elif len(years) == 2:
        slope = float((chosen[1] - chosen[0]) / (years[1] - years[0]))
    return SigmaResult(
        measure=measure,
        years=year_labels(panel),
        std=std,
        cv=cv,
        log_std=log_std,
        ddof=ddof,
        slope=slope,
        slope_p=slope_p,
        significance=significance,
        dropped=panel.dropped,
    )


# ------------------------------------------------------------------------------------------------ β
@dataclass(frozen=True)
class BetaResult:
    """A β-convergence regression: β with its standard error, t, p, the speed λ and half-life.

    ``period`` is T of the speed formula (the span of a cross-section, the year step of a panel).
    ``coefficients`` lists every estimated term (β, controls, intercept when there is one).
    """

    kind: str
    beta: float
    se: float
    t: float
    p: float
    intercept: float
    speed: float
    half_life: float
    period: float
    n_obs: int
    n_regions: int
    r2: float
    cov_type: str
    fixed_effects: str
    coefficients: pd.DataFrame
    significance: float = 0.05
    start: int | None = None
    end: int | None = None
    dropped: tuple[str, ...] = ()
    estimator: str = ""
    n_periods: int = 0
    caveats: tuple[str, ...] = ()

    @property
    def cov_label(self) -> str:
        """The error type in words (printed next to every β)."""
        return COV_LABELS[self.cov_type]

    @property
    def converging(self) -> bool:
        """β < 0 and significant at ``significance``."""
        return bool(self.beta < 0 and self.p < self.significance)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "kind": self.kind,
                    "beta": self.beta,
                    "se": self.se,
                    "t": self.t,
                    "p": self.p,
                    "intercept": self.intercept,
                    "speed": self.speed,
                    "half_life": self.half_life,
                    "period": self.period,
                    "n_obs": self.n_obs,
                    "n_regions": self.n_regions,
                    "r2": self.r2,
                    "cov_type": self.cov_type,
                    "estimator": self.estimator,
                    "errors": self.cov_label,
                    "fixed_effects": self.fixed_effects,
                    "n_periods": self.n_periods,
                    "converging": self.converging,
                    "caveats": " ".join(self.caveats),
                    "start": self.start,
                    "end": self.end,
                }
            ]
        )


def _speed(beta: float, period: float) -> tuple[float, float]:
    """λ = −ln(1 + βT)/T and half-life ln 2 / λ; NaN where undefined (1 + βT ≤ 0, or λ ≤ 0)."""
    base = 1.0 + beta * period
    if base <= 0:
        return float("nan"), float("nan")
    speed = -np.log(base) / period
    return float(speed), float(np.log(2.0) / speed) if speed > 0 else float("nan")


def _demean(
    frame: pd.DataFrame, columns: list[str], effects: str, tol: float = 1e-13, max_iter: int = 10_000
) -> pd.DataFrame:
    """Within transformation removing region and/or year means (alternating projections, exact
    after one pass on a balanced panel)."""
    out = frame[columns].astype(float).copy()
    keys = {"twoway": ["region", "year"], "region": ["region"], "year": ["year"]}[effects]
    for _ in range(max_iter):
        before = out.to_numpy().copy()
        for key in keys:
            out = out - out.groupby(frame[key]).transform("mean")
        if len(keys) == 1 or np.max(np.abs(out.to_numpy() - before)) < tol * (1.0 + np.max(np.abs(before))):
            break
    return out


def _fit(y: pd.Series, X: pd.DataFrame, cov_type: str, groups: pd.Series | None, absorbed: int) -> Any:
    model = sm.OLS(y.to_numpy(), X.to_numpy())
    model.exog_names[:] = list(X.columns)
    model.df_resid = float(len(y) - X.shape[1] - absorbed)
    return model.fit(cov_type=cov_type)


@dataclass(frozen=True)
class _PanelFit:
    """The few attributes of a fit that :func:`_beta_result` reads (from linearmodels' result)."""

    params: np.ndarray
    bse: np.ndarray
    tvalues: np.ndarray
    pvalues: np.ndarray
    nobs: int
    rsquared: float


def _fit_clustered(frame: pd.DataFrame, terms: list[str], effects: str) -> tuple[_PanelFit, list[str]]:
    """Cluster-robust (by region) fit by linearmodels ``PanelOLS`` — not re-implemented.

    linearmodels' defaults (``debiased=True``; absorbed effects counted in the degrees of freedom unless
    a single effect is nested in the clusters) give the small-sample factor N / (N − d − k); statsmodels'
    cluster errors on a within-demeaned panel ignore the absorbed effects and come out 3–16 % smaller
    on short panels.
    """
    from linearmodels.panel import PanelOLS

    data = frame.set_index(["region", "year"])
    exog = data[terms].astype(float)
    if effects == "none":
        exog.insert(0, "const", 1.0)
    model = PanelOLS(
        data["growth"].astype(float),
        exog,
        entity_effects=effects in ("twoway", "region"),
        time_effects=effects in ("twoway", "year"),
    )
    fit = model.fit(cov_type="clustered", cluster_entity=True)
    names = list(exog.columns)
    return (
        _PanelFit(
            params=np.asarray(fit.params, dtype=float),
            bse=np.asarray(fit.std_errors, dtype=float),
            tvalues=np.asarray(fit.tstats, dtype=float),
            pvalues=np.asarray(fit.pvalues, dtype=float),
            nobs=int(fit.nobs),
            rsquared=float(fit.rsquared),
        ),
        names,
    )


def _growth_panel(panel: Panel) -> tuple[pd.DataFrame, float]:
    years = np.asarray(panel.years, dtype=float)
    if len(years) < 2 or np.isnan(years).any():
        raise HqdError("β convergence needs a panel with at least two years", code="too_few_years")
    steps = np.diff(years)
    if not np.allclose(steps, steps[0]) or steps[0] <= 0:
        raise HqdError(
            f"years must be equally spaced for a panel β regression; got {years.tolist()}",
            code="unequal_year_spacing",
        )
    step = float(steps[0])
    logs = np.log(panel.values)
    growth = (logs[1:] - logs[:-1]) / step
    n_t, n = growth.shape
    frame = pd.DataFrame(
        {
            "region": np.tile(np.asarray(panel.regions, dtype=object), n_t),
            "year": np.repeat(years[:-1].astype(int), n),
            "growth": growth.ravel(),
            "log_level": logs[:-1].ravel(),
        }
    )
    return frame, step


def _controls_frame(controls: pd.DataFrame) -> pd.DataFrame:
    frame = controls.reset_index() if "region" not in controls.columns else controls.copy()
    if not {"region", "year"} <= set(frame.columns):
        raise HqdError("controls need 'region' and 'year' columns (or index levels)", code="bad_controls")
    frame["region"] = frame["region"].map(region_code)
    frame["year"] = frame["year"].astype(int)
    return frame


def beta_convergence(
    values: Any,
    kind: str = "absolute_cross_section",
    *,
    controls: pd.DataFrame | None = None,
    fixed_effects: str = "twoway",
    start: int | None = None,
    end: int | None = None,
    cov_type: str | None = None,
    significance: float = 0.05,
    node: str | None = None,
    column: str | None = None,
    missing: str = "raise",
) -> BetaResult:
    r"""β convergence: do regions that start lower grow faster?

    ``kind="absolute_cross_section"`` (over ``[start, end]``, default the first and last year,
    T = end − start):

    .. math:: \frac1T\ln\frac{S_{i,t_0+T}}{S_{i,t_0}} = \alpha + \beta\ln S_{i,t_0} + \varepsilon_i

    ``kind="absolute_panel"`` (every consecutive pair of years, step Δ, pooled OLS):

    .. math:: \frac1\Delta\ln\frac{S_{i,t+\Delta}}{S_{i,t}} = \alpha + \beta\ln S_{i,t} + \varepsilon_{it}

    ``kind="conditional"``: the panel form plus optional ``controls`` X_it (a table with ``region``,
    ``year`` and one column per control, taken at the start year t of each step) and fixed effects
    ``fixed_effects="twoway"`` (region μ_i and year η_t, default — what HQD papers call conditional β),
    ``"region"``, ``"year"`` or ``"none"``.  Fixed effects are absorbed by within-demeaning; the
    residual degrees of freedom subtract the absorbed effects, so β, its standard error and p equal
    those of the dummy-variable regression.

    β < 0 and significant ⇒ convergence.  Speed :math:`\lambda = -\ln(1+\beta T)/T` (T = Δ for
    panels), half-life :math:`\tau = \ln 2/\lambda` (NaN where 1 + βT ≤ 0 or λ ≤ 0).
    ``cov_type``: ``"cluster"`` (default for the panel kinds: cluster-robust by region, computed by
    linearmodels ``PanelOLS(..., cov_type="clustered", cluster_entity=True)`` with its small-sample
    factor N/(N − d − k), d the absorbed effects — growth rates of one region are serially
    correlated, so conventional errors overstate precision), ``"HC1"`` (default for the
    cross-section, one observation per region) or ``"nonrobust"``.  Every result names its
    ``estimator`` and error type (``cov_label``).

    Caveat (in ``caveats``): the panel β regresses growth on the lagged log level, a dynamic panel;
    with region fixed effects the within estimator is biased of order 1/T on short panels (Nickell
    1981), so the conditional β of a panel with few years (T = ``n_periods`` growth steps) is biased
    towards faster convergence.

    Policy: logs need S > 0 — a zero or negative value is an error (``nonpositive_value`` listing
    region and year); shift the index explicitly (and say so) if it has zeros.  Years of a panel must
    be equally spaced.

    References: Barro, R. J. & Sala-i-Martin, X. (1992) *JPE* 100(2):223–251, doi:10.1086/261816;
    Sala-i-Martin, X. (1996) *Economic Journal* 106(437):1019–1036, doi:10.2307/2235375; Nickell, S.
    (1981) "Biases in dynamic models with fixed effects", *Econometrica* 49(6):1417–1426,
    doi:10.2307/1911408; Cameron, A. C. & Miller, D. L. (2015) "A practitioner's guide to
    cluster-robust inference", *Journal of Human Resources* 50(2):317–372, doi:10.3368/jhr.50.2.317.
    """
    choose("β-convergence kind", kind, BETA_KINDS)
    choose("fixed effects", fixed_effects, FIXED_EFFECTS)
    if cov_type is None:
        cov_type = "HC1" if kind == "absolute_cross_section" else "cluster"
    choose("covariance type", cov_type, COV_TYPES)
    panel = as_panel(values, node=node, column=column, missing=missing)
    try:
        check_values(panel, allow_zero=False, purpose="β convergence takes logarithms")
    except HqdError as error:
        raise HqdError([replace(p, code="nonpositive_value") for p in error.problems]) from None
    n_regions = len(panel.regions)
    if kind == "absolute_cross_section":
        years = np.asarray(panel.years, dtype=float)
        if len(years) < 2 or np.isnan(years).any():
            raise HqdError("β convergence needs at least two years", code="too_few_years")
        y0 = int(start if start is not None else years[0])
        y1 = int(end if end is not None else years[-1])
        problems = Problems()
        for label, year in (("start", y0), ("end", y1)):
            if year not in years:
                problems.error("unknown_year", f"{label} year {year} is not in the panel", year=year)
        if y1 <= y0:
            problems.error("bad_period", f"end ({y1}) must come after start ({y0})")
        problems.raise_if_errors()
        i0, i1 = int(np.nonzero(years == y0)[0][0]), int(np.nonzero(years == y1)[0][0])
        period = float(y1 - y0)
        x = np.log(panel.values[i0])
        g = (np.log(panel.values[i1]) - x) / period
        X = pd.DataFrame({"const": 1.0, "log_level": x})
        if cov_type == "cluster":
            raise HqdError(
                "a cross-section has one observation per region: use cov_type='HC1', not 'cluster'",
                code="bad_cov_type",
            )
        cross_fit = _fit(pd.Series(g), X, cov_type, None, 0)
        result = _beta_result(kind, cross_fit, X, period, n_regions, cov_type, "none", significance, y0, y1, panel)
        return replace(result, estimator=ESTIMATORS[kind], n_periods=1)

    frame, step = _growth_panel(panel)
    terms = ["log_level"]
    effects = "none" if kind == "absolute_panel" else fixed_effects
    if controls is not None:
        if kind != "conditional":
            raise HqdError(
                "controls only enter the conditional β regression (kind='conditional')", code="bad_controls"
            )
        extra = _controls_frame(controls)
        names = [c for c in extra.columns if c not in ("region", "year")]
        frame = frame.merge(extra, on=["region", "year"], how="left")
        problems = Problems()
        for name in names:
            for _, row in frame.loc[frame[name].isna()].head(MAX_LISTED).iterrows():
                problems.error(
                    "missing_value",
                    "control value is missing",
                    column=str(name),
                    region=str(row["region"]),
                    year=int(row["year"]),
                )
        problems.raise_if_errors()
        terms += [str(n) for n in names]
    fit: Any
    if cov_type == "cluster":
        fit, names = _fit_clustered(frame, terms, effects)
        X = pd.DataFrame(columns=names)
    elif effects == "none":
        X = frame[terms].astype(float)
        X.insert(0, "const", 1.0)
        fit = _fit(frame["growth"], X, cov_type, frame["region"], 0)
    else:
        demeaned = _demean(frame, ["growth", *terms], effects)
        X = demeaned[terms]
        n_r, n_t = frame["region"].nunique(), frame["year"].nunique()
        absorbed = {"twoway": n_r + n_t - 1, "region": n_r, "year": n_t}[effects]
        fit = _fit(demeaned["growth"], X, cov_type, frame["region"], absorbed)
    years = np.asarray(panel.years, dtype=float)
    n_periods = int(frame["year"].nunique())
    caveats: tuple[str, ...] = ()
    if effects in ("twoway", "region"):
        caveats = (
            f"Nickell bias: the {ESTIMATORS[effects]} β of a dynamic panel is biased of order 1/T "
            f"on short panels (T = {n_periods} growth steps); read it as indicative.",
        )
    result = _beta_result(
        kind, fit, X, step, n_regions, cov_type, effects, significance, int(years[0]), int(years[-1]), panel
    )
    return replace(result, n_periods=n_periods, caveats=caveats)


def _beta_result(
    kind: str,
    fit: Any,
    X: pd.DataFrame,
    period: float,
    n_regions: int,
    cov_type: str,
    effects: str,
    significance: float,
    start: int,
    end: int,
    panel: Panel,
) -> BetaResult:
    names = list(X.columns)
    params, bse = np.asarray(fit.params), np.asarray(fit.bse)
    tvalues, pvalues = np.asarray(fit.tvalues), np.asarray(fit.pvalues)
    coefficients = pd.DataFrame({"term": names, "coef": params, "se": bse, "t": tvalues, "p": pvalues})
    b = names.index("log_level")
    speed, half_life = _speed(float(params[b]), period)
    intercept = float(params[names.index("const")]) if "const" in names else float("nan")
    return BetaResult(
        kind=kind,
        beta=float(params[b]),
        se=float(bse[b]),
        t=float(tvalues[b]),
        p=float(pvalues[b]),
        intercept=intercept,
        speed=speed,
        half_life=half_life,
        period=period,
        n_obs=int(fit.nobs),
        n_regions=n_regions,
        r2=float(fit.rsquared),
        cov_type=cov_type,
        fixed_effects=effects,
        coefficients=coefficients,
        significance=significance,
        start=start,
        end=end,
        dropped=panel.dropped,
        estimator=ESTIMATORS.get(effects if kind != "absolute_cross_section" else kind, ""),
    )
