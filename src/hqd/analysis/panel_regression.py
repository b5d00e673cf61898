"""Panel regressions for the "drivers of high-quality development" sections: two-way fixed effects with
cluster-robust errors (linearmodels) and mediation (stepwise and bootstrap indirect effect).

Input: a long table ``region, year, y, x…`` (a run's index merged with control variables, or any panel).
Outputs are tidy tables (term, coef, se, t, p, stars) with the estimator and error type named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
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
    ``"region"``, ``"year"`` or ``"none"`` (pooled OLS with a constant).  Policy: missing values are
    errors listing region, year and column; an unbalanced panel is fine.

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
    Sobel z (a·b / √(a²s_b² + b²s_a²)) is reported beside it.  Policy: missing values are errors
    (:func:`fixed_effects`); the indirect effect is significant when the interval excludes 0.

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


# ---------------------------------------------------------------------------- Hansen (1999) threshold
@dataclass(frozen=True)
class ThresholdResult:
    """Hansen's (1999) panel threshold model: thresholds, tests with bootstrap p-values, coefficients."""

    thresholds: tuple[float, ...]
    tests: pd.DataFrame  # one row per number of thresholds tested: F, p (bootstrap), critical values
    coefficients: pd.DataFrame
    intervals: pd.DataFrame  # LR confidence interval of each threshold
    lr: pd.DataFrame  # LR(γ) over the grid for the first threshold (the figure of Hansen's paper)
    draws: int


def _within(a: np.ndarray) -> np.ndarray:
    """Remove each region's mean over years: a has shape (N, T, …)."""
    return a - a.mean(axis=1, keepdims=True)


def _ssr_grid(design: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """SSR of the (NT, B) outcomes on each of G designs (G, NT, K): y'y − ‖Qᵀy‖² (batched QR)."""
    q, _ = np.linalg.qr(design)
    proj = np.einsum("gnk,nb->gkb", q, Y)
    return (Y * Y).sum(axis=0)[None, :] - (proj * proj).sum(axis=1)


def _regimes(x: np.ndarray, q: np.ndarray, cuts: Sequence[float]) -> np.ndarray:
    """x split into len(cuts) + 1 regimes by q (N, T, kx) → (N, T, kx·regimes)."""
    bounds = [-np.inf, *sorted(cuts), np.inf]
    parts = [x * ((q > lo) & (q <= hi))[..., None] for lo, hi in pairwise(bounds)]
    return np.concatenate(parts, axis=-1)


def threshold_regression(
    table: pd.DataFrame,
    y: str,
    regime: Sequence[str],
    q: str,
    controls: Sequence[str] = (),
    *,
    thresholds: int = 1,
    trim: float = 0.05,
    grid: int = 200,
    draws: int = 300,
    seed: int | None = None,
) -> ThresholdResult:
    r"""Hansen's (1999) fixed-effects panel threshold regression (single or double threshold).

    .. math:: y_{it} = \mu_i + \beta_1^\top x_{it}\,1(q_{it}\le\gamma) + \beta_2^\top x_{it}\,1(q_{it}>\gamma)
              + \delta^\top z_{it} + e_{it}

    Estimation by least squares after the within transformation, γ̂ minimising the SSR over a grid
    of ``grid`` quantiles of q, each regime holding at least ``trim`` of the observations.  Test of
    no threshold: :math:`F_1 = (S_0 - S_1(\hat\gamma))/\hat\sigma^2`, :math:`\hat\sigma^2 = S_1/(N(T-1))`,
    p-value by Hansen's bootstrap (``draws`` resamples of whole regions' residual vectors under the
    null, seeded).  ``thresholds=2``: the second threshold searched given the first, the first refined
    given the second (Hansen 1999, §5), :math:`F_2` tested against one threshold by the same
    bootstrap (the single-threshold model re-estimated in every resample).  LR confidence intervals:
    :math:`\{\gamma: LR(\gamma)\le -2\ln(1-\sqrt{1-\alpha})\}` (7.35 at 95 %).  Coefficients with
    heteroskedasticity-robust (White) errors on the within data, as in Hansen's tables.

    Policy: a balanced panel; missing values listed with their location.  Hansen's investment /
    Tobin's q panel (565 US firms, 1973–87) is not in any package reachable here, so the tests check
    the estimator on SYNTHETIC data with a known threshold and against the dummy-variable regression.

    Reference: Hansen, B. E. (1999) "Threshold effects in non-dynamic panels: estimation, testing, and
    inference", *Journal of Econometrics* 93(2):345–368, doi:10.1016/S0304-4076(99)00025-1.
    """
    if thresholds not in (1, 2):
        raise HqdError(f"thresholds must be 1 or 2; got {thresholds}", code="bad_parameter")
    frame = _frame(table, [y, *regime, q, *controls])
    regions = sorted(frame.index.get_level_values("region").unique())
    years = sorted(frame.index.get_level_values("year").unique())
    if len(frame) != len(regions) * len(years):
        raise HqdError("the threshold model needs a balanced panel (one row per region and year)",
                       code="unbalanced_panel")
    cube = frame.reindex(pd.MultiIndex.from_product([regions, years])).to_numpy().reshape(len(regions), len(years), -1)
    n, t = cube.shape[:2]
    Y = cube[..., 0]
    X = cube[..., 1:1 + len(regime)]
    Q = cube[..., 1 + len(regime)]
    Zc = cube[..., 2 + len(regime):]
    yw = _within(Y).reshape(n * t, 1)
    zw = _within(Zc).reshape(n * t, -1)
    levels = np.unique(np.quantile(Q.ravel(), np.linspace(trim, 1 - trim, grid)))
    share = np.array([(g >= Q).mean() for g in levels])
    levels = levels[(share >= trim) & (share <= 1 - trim)]
    if levels.size < 2:
        raise HqdError("too few distinct threshold values after trimming", code="bad_parameter")
    rng = np.random.default_rng(np.random.SeedSequence([0 if seed is None else int(seed), 5]))

    def designs(cut_sets: Sequence[Sequence[float]]) -> np.ndarray:
        return np.stack([np.concatenate([_within(_regimes(X, Q, cuts)).reshape(n * t, -1), zw], axis=1)
                         for cuts in cut_sets])

    linear = np.concatenate([_within(X).reshape(n * t, -1), zw], axis=1)[None]
    single_designs = designs([[g] for g in levels])

    def single(Yb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _ssr_grid(linear, Yb)[0], _ssr_grid(single_designs, Yb)

    s0, s1 = single(yw)
    i1 = int(np.argmin(s1[:, 0]))
    gamma1 = float(levels[i1])
    sigma1 = s1[i1, 0] / (n * (t - 1))
    f1 = (s0[0] - s1[i1, 0]) / sigma1
    lr = (s1[:, 0] - s1[i1, 0]) / sigma1
    # bootstrap under no threshold: residual vectors of whole regions, fixed regressors
    e0 = (yw - linear[0] @ np.linalg.lstsq(linear[0], yw, rcond=None)[0]).reshape(n, t)
    picks = rng.integers(0, n, size=(draws, n))
    Yb = np.stack([e0[p].reshape(n * t) for p in picks], axis=1)
    b0, b1 = single(Yb)
    f1_boot = (b0 - b1.min(axis=0)) / (b1.min(axis=0) / (n * (t - 1)))
    rows = [{"test": "single threshold (H0: none)", "F": float(f1), "p": float((f1_boot >= f1).mean()),
             "crit_10": float(np.quantile(f1_boot, 0.90)), "crit_5": float(np.quantile(f1_boot, 0.95)),
             "crit_1": float(np.quantile(f1_boot, 0.99)), "draws": draws}]
    cuts: list[float] = [gamma1]
    crit = -2 * np.log(1 - np.sqrt(0.95))
    intervals = [{"threshold": "gamma1", "estimate": gamma1, "low": float(levels[lr <= crit].min()),
                  "high": float(levels[lr <= crit].max()), "level": 0.95}]
    if thresholds == 2:
        def second(given: float, Yv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            ok = np.array([_valid(Q, sorted([given, g]), trim) for g in levels])
            cand = levels[ok]
            return cand, _ssr_grid(designs([sorted([given, g]) for g in cand]), Yv)

        cand2, s2 = second(gamma1, yw)
        gamma2 = float(cand2[int(np.argmin(s2[:, 0]))])
        cand1, s2r = second(gamma2, yw)  # refine the first threshold given the second
        gamma1 = float(cand1[int(np.argmin(s2r[:, 0]))])
        ssr2 = float(s2r[:, 0].min())
        s1_at = float(_ssr_grid(designs([[gamma1]]), yw)[0, 0])
        s1_best = float(s1[i1, 0])
        sigma2 = ssr2 / (n * (t - 1))
        f2 = (s1_best - ssr2) / sigma2
        fit1 = designs([[float(levels[i1])]])[0]
        beta1 = np.linalg.lstsq(fit1, yw, rcond=None)[0]
        e1 = (yw - fit1 @ beta1).reshape(n, t)
        fitted = (fit1 @ beta1).ravel()
        f2_boot = np.empty(draws)
        for d in range(draws):  # each resample re-estimates both searches (the null model is re-fitted)
            yb = (fitted + e1[picks[d]].reshape(n * t))[:, None]
            _, sb1 = single(yb)
            g1b = float(levels[int(np.argmin(sb1[:, 0]))])
            _, sb2 = second(g1b, yb)
            f2_boot[d] = (sb1[:, 0].min() - sb2[:, 0].min()) / (sb2[:, 0].min() / (n * (t - 1)))
        rows.append({"test": "double threshold (H0: single)", "F": float(f2), "p": float((f2_boot >= f2).mean()),
                     "crit_10": float(np.quantile(f2_boot, 0.90)), "crit_5": float(np.quantile(f2_boot, 0.95)),
                     "crit_1": float(np.quantile(f2_boot, 0.99)), "draws": draws})
        cuts = sorted([gamma1, gamma2])
        # Hansen (1999) §5: LR intervals of the refined γ1 given γ2 and of γ2 given the first-stage γ1
        lr1 = (s2r[:, 0] - ssr2) / sigma2
        lr2 = (s2[:, 0] - s2[:, 0].min()) / sigma2
        intervals = [{"threshold": "gamma1", "estimate": gamma1, "low": float(cand1[lr1 <= crit].min()),
                      "high": float(cand1[lr1 <= crit].max()), "level": 0.95},
                     {"threshold": "gamma2", "estimate": gamma2, "low": float(cand2[lr2 <= crit].min()),
                      "high": float(cand2[lr2 <= crit].max()), "level": 0.95}]
        del s1_at
    final = designs([cuts])[0]
    beta, *_ = np.linalg.lstsq(final, yw, rcond=None)
    resid = yw - final @ beta
    inv = np.linalg.inv(final.T @ final)
    meat = (final * resid).T @ (final * resid)
    se = np.sqrt(np.diag(inv @ meat @ inv))
    names = [f"{v} (regime {r + 1})" for r in range(len(cuts) + 1) for v in regime] + list(controls)
    coefficients = tidy(names, beta.ravel(), se, "t", float(n * (t - 1) - final.shape[1]))
    return ThresholdResult(tuple(float(c) for c in cuts), pd.DataFrame(rows), coefficients, pd.DataFrame(intervals),
                           pd.DataFrame({"gamma": levels, "LR": lr}), draws)


def _valid(q: np.ndarray, cuts: Sequence[float], trim: float) -> bool:
    """Every regime defined by ``cuts`` holds at least ``trim`` of the observations."""
    bounds = [-np.inf, *cuts, np.inf]
    return all(((q > lo) & (q <= hi)).mean() >= trim for lo, hi in pairwise(bounds))
