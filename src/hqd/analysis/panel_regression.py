"""Panel regressions for the "drivers of high-quality development" sections: two-way fixed effects with
cluster-robust errors (linearmodels) and mediation (stepwise and bootstrap indirect effect).

Input: a long table ``region, year, y, x…`` (a run's index merged with control variables, or any panel).
Outputs are tidy tables (term, coef, se, t, p, stars) with the estimator and error type named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hqd.analysis._data import MAX_LISTED, choose, region_code
from hqd.analysis.econometrics import stars, tidy
from hqd.errors import HqdError, Problems

FE_EFFECTS: tuple[str, ...] = ("twoway", "region", "year", "none")


def _frame(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Validated ``(region, year)``-indexed numeric columns; every missing value listed at once."""
    frame = table.reset_index() if "region" not in table.columns else table.copy()
    absent = [c for c in ("region", "year", *columns) if c not in frame.columns]
    if absent:
        raise HqdError(f"unknown column(s) {', '.join(absent)}; the table has: "
                       f"{', '.join(map(str, frame.columns))}", code="unknown_column")
    frame["region"] = frame["region"].map(region_code)
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    problems = Problems()
    for column in columns:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
        for _, row in frame.loc[frame[column].isna()].head(MAX_LISTED).iterrows():
            problems.error("missing_value", "value is missing or not a number", column=str(column),
                           region=str(row["region"]), year=None if pd.isna(row["year"]) else int(row["year"]))
    if frame.duplicated(["region", "year"]).any():
        problems.error("duplicate_row", "a region-year appears more than once")
    problems.raise_if_errors()
    return frame.set_index(["region", "year"])[list(columns)].astype(float)


@dataclass(frozen=True)
class FEResult:
    """A fixed-effects panel regression: tidy coefficients, fit, estimator and error type in words."""

    coefficients: pd.DataFrame
    fit: dict[str, float]
    estimator: str
    errors: str


def fixed_effects(table: pd.DataFrame, y: str, x: Sequence[str], *, effects: str = "twoway",
                  cluster: bool = True) -> FEResult:
    r"""Panel regression with region and/or year fixed effects, by linearmodels ``PanelOLS``.

    .. math:: y_{it} = x_{it}^\top\beta + \mu_i + \eta_t + \varepsilon_{it}

    Errors clustered by region (``cluster=True``, default: linearmodels' ``cov_type="clustered",
    cluster_entity=True`` with its small-sample factor) or conventional.  ``effects``: ``"twoway"``,
    ``"region"``, ``"year"`` or ``"none"`` (pooled OLS with a constant).  Missing values are errors
    listing region, year and column; an unbalanced panel is fine.

    Reference: Cameron, A. C. & Miller, D. L. (2015) *Journal of Human Resources* 50(2):317–372,
    doi:10.3368/jhr.50.2.317.
    """
    from linearmodels.panel import PanelOLS

    choose("fixed effects", effects, FE_EFFECTS)
    frame = _frame(table, [y, *x])
    exog = frame[list(x)]
    if effects == "none":
        exog = exog.assign(const=1.0)[["const", *x]]
    model = PanelOLS(frame[y], exog, entity_effects=effects in ("twoway", "region"),
                     time_effects=effects in ("twoway", "year"))
    fit = model.fit(cov_type="clustered", cluster_entity=True) if cluster else model.fit()
    coefficients = tidy(list(exog.columns), fit.params.to_numpy(), fit.std_errors.to_numpy(), "t",
                        float(fit.df_resid))
    coefficients["p"] = fit.pvalues.to_numpy()
    coefficients["stars"] = [stars(p) for p in coefficients["p"]]
    labels = {"twoway": "two-way fixed effects (within)", "region": "region fixed effects (within)",
              "year": "year fixed effects (within)", "none": "pooled OLS"}
    return FEResult(
        coefficients=coefficients,
        fit={"r2_within": float(fit.rsquared_within), "r2": float(fit.rsquared), "n_obs": float(fit.nobs),
             "n_regions": float(fit.entity_info["total"]), "f_stat": float(fit.f_statistic.stat)},
        estimator=labels[effects],
        errors="cluster-robust by region (linearmodels)" if cluster else "conventional",
    )


@dataclass(frozen=True)
class MediationResult:
    """The three stepwise regressions and the indirect effect a·b with its bootstrap interval."""

    total: FEResult  # y on x (c)
    a_path: FEResult  # m on x (a)
    direct: FEResult  # y on x and m (c′, b)
    indirect: float
    ci_low: float
    ci_high: float
    boot_se: float
    draws: int
    sobel_z: float
    sobel_p: float

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{"indirect": self.indirect, "boot_se": self.boot_se, "ci_low": self.ci_low,
                              "ci_high": self.ci_high, "draws": self.draws, "sobel_z": self.sobel_z,
                              "sobel_p": self.sobel_p,
                              "significant": bool(self.ci_low > 0 or self.ci_high < 0)}])


def mediation(table: pd.DataFrame, y: str, x: str, m: str, controls: Sequence[str] = (), *,
              effects: str = "twoway", draws: int = 500, seed: int | None = None,
              level: float = 0.95) -> MediationResult:
    r"""Mediation of x's effect on y through m: the stepwise regressions (Baron & Kenny 1986; 温忠麟等
    2004) and the bootstrap test of the indirect effect a·b (Preacher & Hayes 2008).

    .. math:: y = c x + \dots,\qquad m = a x + \dots,\qquad y = c' x + b m + \dots

    each with the same fixed effects and controls (:func:`fixed_effects`, errors clustered by region).
    Indirect effect = a·b; its interval: percentiles of a·b over ``draws`` cluster (region) bootstrap
    resamples, seeded — whole regions are resampled so the within-region dependence is kept.  The
    Sobel z (a·b / √(a²s_b² + b²s_a²)) is reported beside it.

    References: Baron, R. M. & Kenny, D. A. (1986) *JPSP* 51(6):1173–1182, doi:10.1037/0022-3514.51.6.1173;
    Preacher, K. J. & Hayes, A. F. (2008) *Behavior Research Methods* 40(3):879–891,
    doi:10.3758/BRM.40.3.879; 温忠麟、张雷、侯杰泰、刘红云 (2004) 《中介效应检验程序及其应用》, 《心理学报》36(5):614–620.
    """
    from scipy import stats

    columns = [y, x, m, *controls]
    frame = _frame(table, columns).reset_index()
    total = fixed_effects(frame, y, [x, *controls], effects=effects)
    a_path = fixed_effects(frame, m, [x, *controls], effects=effects)
    direct = fixed_effects(frame, y, [x, m, *controls], effects=effects)

    def coef(result: FEResult, term: str) -> tuple[float, float]:
        row = result.coefficients.set_index("term").loc[term]
        return float(row["coef"]), float(row["se"])

    a, sa = coef(a_path, x)
    b, sb = coef(direct, m)
    regions = frame["region"].unique()
    rng = np.random.default_rng(np.random.SeedSequence([0 if seed is None else int(seed), 4]))
    groups = {r: g for r, g in frame.groupby("region")}
    products = np.empty(draws)
    for d in range(draws):  # each draw is two linearmodels fits on a resampled panel (library calls)
        picked = rng.choice(regions, size=len(regions), replace=True)
        sample = pd.concat([groups[r].assign(region=f"{r}#{k}") for k, r in enumerate(picked)], ignore_index=True)
        products[d] = _slope(sample, m, [x, *controls], x, effects) * _slope(sample, y, [x, m, *controls], m, effects)
    alpha = (1.0 - level) / 2.0
    sobel_se = float(np.sqrt(a**2 * sb**2 + b**2 * sa**2))
    z = a * b / sobel_se
    return MediationResult(total, a_path, direct, a * b, float(np.quantile(products, alpha)),
                           float(np.quantile(products, 1 - alpha)), float(products.std(ddof=1)), draws,
                           float(z), float(2 * stats.norm.sf(abs(z))))


def _slope(frame: pd.DataFrame, y: str, x: Sequence[str], term: str, effects: str) -> float:
    from linearmodels.panel import PanelOLS

    data = frame.set_index(["region", "year"])
    exog: Any = data[list(x)]
    if effects == "none":
        exog = exog.assign(const=1.0)
    fit = PanelOLS(data[y], exog, entity_effects=effects in ("twoway", "region"),
                   time_effects=effects in ("twoway", "year")).fit()
    return float(fit.params[term])
