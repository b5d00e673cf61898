"""One-sentence bilingual verdicts of the regional analyses (the sentence templates live here, in one place).

Keyed like the report's message catalogue (``{key: {"zh": …, "en": …}}`` with ``{placeholders}``), so the
catalogue can absorb :data:`VERDICTS` unchanged; :func:`verdict` fills one in.  The functions below pick
the key from a result (significant or not, converging or diverging …) and format the numbers; they
never compute a statistic.  Chinese sentences hold no English words: estimator names come in both
languages from :data:`TERMS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hqd.errors import HqdError

LANGS: tuple[str, ...] = ("zh", "en")

VERDICTS: dict[str, dict[str, str]] = {
    "caveat_interval_scale": {
        "zh": "注意：指数由{method}标准化得到，是区间尺度（零点由样本决定，不表示“没有”），变异系数、泰尔指数、基尼系数、"
              "增长率与对数β收敛等比率尺度统计量主要反映零点位置，低基期地区的增长率会被夸大；宜结合得分差值解读，"
              "或在标明的正值尺度上（如60–100分制、原始指标）重新计算。",
        "en": "Caveat: the index comes from {method} normalisation, an interval scale (its zero is set by the sample and "
              "does not mean 'none'), so ratio statistics — CV, Theil, Gini, growth rates, log-β convergence — mostly "
              "measure where that zero sits and overstate growth from a low base; read them with score differences, "
              "or recompute them on a stated positive scale (e.g. 60–100 points, or the raw indicators).",
    },
    # ---- Moran's I
    "verdict_moran_positive": {
        "zh": "{year}年存在显著的空间正相关（Moran's I = {I}，p {p}）。",
        "en": "{year}: significant positive spatial autocorrelation (Moran's I = {I}, p {p}).",
    },
    "verdict_moran_negative": {
        "zh": "{year}年存在显著的空间负相关（Moran's I = {I}，p {p}）。",
        "en": "{year}: significant negative spatial autocorrelation (Moran's I = {I}, p {p}).",
    },
    "verdict_moran_none": {
        "zh": "{year}年不存在显著的空间自相关（Moran's I = {I}，p {p}）。",
        "en": "{year}: no significant spatial autocorrelation (Moran's I = {I}, p {p}).",
    },
    # ---- β convergence
    "verdict_beta_converging": {
        "zh": "存在{kind}β收敛（β = {beta}，p {p}，{errors}），收敛速度 {speed}/年，半衰期 {half_life} 年。",
        "en": "{kind} β convergence (β = {beta}, p {p}, {errors}): speed {speed} a year, half-life {half_life} years.",
    },
    "verdict_beta_none": {
        "zh": "不存在显著的{kind}β收敛（β = {beta}，p {p}，{errors}）。",
        "en": "No significant {kind} β convergence (β = {beta}, p {p}, {errors}).",
    },
    # ---- σ convergence
    "verdict_sigma_narrowing": {
        "zh": "区域差异显著缩小，存在σ收敛（{measure}由 {first} 降至 {last}，趋势斜率 {slope}/年，p {p}）。",
        "en": "Regional disparity narrowed significantly: σ convergence ({measure} {first} → {last}, "
        "trend {slope} a year, p {p}).",
    },
    "verdict_sigma_widening": {
        "zh": "区域差异显著扩大（{measure}由 {first} 升至 {last}，趋势斜率 {slope}/年，p {p}）。",
        "en": "Regional disparity widened significantly ({measure} {first} → {last}, trend {slope} a year, p {p}).",
    },
    "verdict_sigma_flat": {
        "zh": "区域差异无显著变化（{measure}由 {first} 变为 {last}，趋势斜率 {slope}/年，p {p}）。",
        "en": "No significant change in regional disparity ({measure} {first} → {last}, trend {slope} a year, p {p}).",
    },
    # ---- Theil / Dagum
    "verdict_theil_source": {
        "zh": "{year}年区域差异主要来源于{source}（贡献率 {share}）。",
        "en": "{year}: regional disparity comes mainly from {source} ({share} of the total).",
    },
    "verdict_dagum_source": {
        "zh": "{year}年区域差异主要来源于{source}（贡献率 {share}）。",
        "en": "{year}: regional disparity comes mainly from {source} ({share} of the Gini).",
    },
    # ---- Gi*
    "verdict_gistar": {
        "zh": "{year}年热点区 {hot} 个、冷点区 {cold} 个（Getis-Ord Gi*，显著性水平 {alpha}）。",
        "en": "{year}: {hot} hot spot(s) and {cold} cold spot(s) (Getis-Ord Gi*, significance {alpha}).",
    },
    # ---- centre of gravity
    "verdict_gravity": {
        "zh": "{first}—{last}年重心累计向{direction}移动 {distance} 千米。",
        "en": "{first}–{last}: the centre of gravity moved {distance} km to the {direction_en} in total.",
    },
    # ---- standard deviational ellipse
    "verdict_ellipse": {
        "zh": "标准差椭圆面积由 {first} 平方千米{trend}至 {last} 平方千米，主轴方位角 {azimuth}°。",
        "en": "The standard deviational ellipse's area {trend_en} from {first} to {last} km²; major-axis azimuth {azimuth}°.",
    },
    # ---- mediation
    "verdict_mediation_yes": {
        "zh": "存在显著的中介效应（间接效应 {effect}，95% 自助置信区间 [{low}, {high}]）。",
        "en": "The mediation effect is significant (indirect effect {effect}, 95% bootstrap interval [{low}, {high}]).",
    },
    "verdict_mediation_no": {
        "zh": "不存在显著的中介效应（间接效应 {effect}，95% 自助置信区间 [{low}, {high}]）。",
        "en": "The mediation effect is not significant (indirect effect {effect}, 95% bootstrap interval [{low}, {high}]).",
    },
    # ---- threshold
    "verdict_threshold_yes": {
        "zh": "存在显著的门槛效应（F = {F}，自助法 p {p}）。",
        "en": "The threshold effect is significant (F = {F}, bootstrap p {p}).",
    },
    "verdict_threshold_no": {
        "zh": "不存在显著的门槛效应（F = {F}，自助法 p {p}）。",
        "en": "No significant threshold effect (F = {F}, bootstrap p {p}).",
    },
    # ---- spatial regression
    "verdict_spillover_positive": {
        "zh": "{variable}存在显著的正向空间溢出效应（间接效应 {effect}，p {p}）。",
        "en": "{variable} has a significant positive spatial spillover (indirect effect {effect}, p {p}).",
    },
    "verdict_spillover_negative": {
        "zh": "{variable}存在显著的负向空间溢出效应（间接效应 {effect}，p {p}）。",
        "en": "{variable} has a significant negative spatial spillover (indirect effect {effect}, p {p}).",
    },
    "verdict_spillover_none": {
        "zh": "{variable}不存在显著的空间溢出效应（间接效应 {effect}，p {p}）。",
        "en": "{variable} has no significant spatial spillover (indirect effect {effect}, p {p}).",
    },
}

#: Names that enter verdicts, in both languages (so Chinese sentences hold no English words).
TERMS: dict[str, dict[str, str]] = {
    "minmax": {"zh": "极差", "en": "min-max"},
    "zscore": {"zh": "标准差", "en": "z-score"},
    "goalposts": {"zh": "阈值（上下限）", "en": "goalpost"},
    "rank": {"zh": "排序", "en": "rank"},
    "percentile_rank": {"zh": "百分位排序", "en": "percentile-rank"},
    "absolute_cross_section": {"zh": "截面绝对", "en": "absolute (cross-section)"},
    "absolute_panel": {"zh": "面板绝对", "en": "absolute (panel)"},
    "conditional": {"zh": "条件", "en": "conditional"},
    "nonrobust": {"zh": "常规标准误", "en": "conventional errors"},
    "HC1": {"zh": "异方差稳健标准误", "en": "HC1 robust errors"},
    "cluster": {"zh": "按地区聚类稳健标准误", "en": "errors clustered by region"},
    "std": {"zh": "标准差", "en": "standard deviation"},
    "cv": {"zh": "变异系数", "en": "coefficient of variation"},
    "log_std": {"zh": "对数标准差", "en": "standard deviation of logs"},
    "within": {"zh": "组内差异", "en": "within-group differences"},
    "between": {"zh": "组间差异", "en": "between-group differences"},
    "net_between": {"zh": "组间净差异", "en": "net between-group differences"},
    "transvariation": {"zh": "超变密度", "en": "transvariation (overlap between groups)"},
}

#: Eight compass directions (azimuth sectors of 45° centred on N, NE, …), Chinese and English.
DIRECTIONS: tuple[tuple[str, str], ...] = (
    ("北", "north"), ("东北", "north-east"), ("东", "east"), ("东南", "south-east"),
    ("南", "south"), ("西南", "south-west"), ("西", "west"), ("西北", "north-west"),
)


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise HqdError(f"unknown language {lang!r}; valid: {', '.join(LANGS)}", code="unknown_option")
    return lang


def verdict(key: str, lang: str, **values: Any) -> str:
    """The sentence ``key`` in ``lang`` with its placeholders filled."""
    return VERDICTS[key][_lang(lang)].format(**values)


def scale_caveat(policies: Mapping[str, Any] | None, lang: str) -> str | None:
    """The interval-scale caveat for ratio statistics of an index, from a run's manifest ``policies``
    (``index_scale``: the normalisation and the scale it leaves, see :class:`hqd.methods.catalog.Properties`);
    None when the index is on a ratio scale or the run does not say."""
    scale = dict((policies or {}).get("index_scale") or {})
    if scale.get("scale") not in ("interval", "ordinal"):
        return None
    return verdict("caveat_interval_scale", lang, method=term(str(scale.get("normalisation", "")), lang))


def term(key: str, lang: str) -> str:
    """A method or option name in the reader's language (the key itself when it has no entry)."""
    return TERMS.get(key, {}).get(_lang(lang), key)


def num(x: float, digits: int = 4) -> str:
    """A number for a sentence: ``digits`` significant figures; "—" when not finite."""
    return "—" if x is None or not np.isfinite(x) else f"{x:.{digits}g}"


def p_value(p: float) -> str:
    """A p-value with its relation, as papers print it: "= 0.205", "< 0.001" below one in a thousand (the
    templates write "p {p}")."""
    if p is None or not np.isfinite(p):
        return "= —"
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def share(x: float) -> str:
    return "—" if not np.isfinite(x) else f"{100 * x:.1f}%"


def year_text(year: Any) -> str:
    try:
        return str(int(year))
    except (TypeError, ValueError):
        return "—"


def direction(azimuth_deg: float) -> tuple[str, str]:
    """The compass sector (Chinese, English) of an azimuth in degrees clockwise from north."""
    if not np.isfinite(azimuth_deg):
        return "—", "—"
    return DIRECTIONS[int(((azimuth_deg % 360.0) + 22.5) // 45.0) % 8]


# ------------------------------------------------------------------------------------------- pickers
def moran_verdict(year: Any, I: float, p: float, lang: str, significance: float = 0.05) -> str:  # noqa: E741
    """"存在/不存在显著空间正相关 (p = …)" for one year (``p``: the permutation or normal p-value)."""
    if np.isfinite(p) and p < significance:
        key = "verdict_moran_positive" if I > 0 else "verdict_moran_negative"
    else:
        key = "verdict_moran_none"
    return verdict(key, lang, year=year_text(year), I=num(I), p=p_value(p))


def beta_verdict(result: Any, lang: str) -> str:
    """"存在/不存在收敛，半衰期 … 年" for a :class:`~hqd.analysis.convergence.BetaResult`."""
    values = {
        "kind": term(result.kind, lang),
        "beta": num(result.beta),
        "p": p_value(result.p),
        "errors": term(result.cov_type, lang),
        "speed": share(result.speed),
        "half_life": num(result.half_life, 3),
    }
    return verdict("verdict_beta_converging" if result.converging else "verdict_beta_none", lang, **values)


def sigma_verdict(result: Any, lang: str) -> str:
    """"差异扩大/缩小" with the trend test, for a :class:`~hqd.analysis.convergence.SigmaResult`."""
    sigma = np.asarray(result.sigma, dtype=float)
    significant = np.isfinite(result.slope_p) and result.slope_p < result.significance
    if significant and result.slope < 0:
        key = "verdict_sigma_narrowing"
    elif significant and result.slope > 0:
        key = "verdict_sigma_widening"
    else:
        key = "verdict_sigma_flat"
    return verdict(key, lang, measure=term(result.measure, lang), first=num(sigma[0]), last=num(sigma[-1]),
                   slope=num(result.slope, 3), p=p_value(result.slope_p))


def decomposition_verdict(year: Any, shares: Mapping[str, float], lang: str, key: str) -> str:
    """"区域差异主要来源于…": the largest of the named contribution shares (``within``, ``between``,
    ``net_between``, ``transvariation``)."""
    finite = {k: v for k, v in shares.items() if np.isfinite(v)}
    if not finite:
        return verdict(key, lang, year=year_text(year), source="—", share="—")
    source = max(finite, key=lambda k: finite[k])
    return verdict(key, lang, year=year_text(year), source=term(source, lang), share=share(finite[source]))


def theil_verdict(row: Mapping[str, Any], lang: str) -> str:
    """For the last row of ``TheilResult.to_frame()``."""
    return decomposition_verdict(row.get("year"), {"within": row["within_share"], "between": row["between_share"]},
                                 lang, "verdict_theil_source")


def dagum_verdict(row: Mapping[str, Any], lang: str) -> str:
    """For the last row of ``DagumResult.to_frame()``."""
    shares = {"within": row["G_w_share"], "net_between": row["G_nb_share"], "transvariation": row["G_t_share"]}
    return decomposition_verdict(row.get("year"), shares, lang, "verdict_dagum_source")


def gistar_verdict(year: Any, categories: Sequence[str], lang: str, significance: float) -> str:
    """Counts of hot and cold spots of one year (categories as :func:`hqd.analysis.hotspots.getis_ord`)."""
    hot = sum(str(c).startswith("hot") for c in categories)
    cold = sum(str(c).startswith("cold") for c in categories)
    return verdict("verdict_gistar", lang, year=year_text(year), hot=hot, cold=cold, alpha=num(significance, 2))


def gravity_verdict(first: Any, last: Any, dx_km: float, dy_km: float, lang: str) -> str:
    """The total shift of the centre of gravity between the first and last year."""
    azimuth = float(np.degrees(np.arctan2(dx_km, dy_km)) % 360.0)
    zh, en = direction(azimuth)
    return verdict("verdict_gravity", lang, first=year_text(first), last=year_text(last), direction=zh,
                   direction_en=en, distance=num(float(np.hypot(dx_km, dy_km)), 3))


def spillover_verdict(variable: str, effect: float, p: float, lang: str, significance: float = 0.05) -> str:
    """The indirect (spillover) effect of one variable in a spatial Durbin or lag model."""
    if np.isfinite(p) and p < significance:
        key = "verdict_spillover_positive" if effect > 0 else "verdict_spillover_negative"
    else:
        key = "verdict_spillover_none"
    return verdict(key, lang, variable=variable, effect=num(effect), p=p_value(p))


def ellipse_verdict(first_area: float, last_area: float, azimuth: float, lang: str) -> str:
    """How the standard deviational ellipse's area changed between the first and last year."""
    grew = last_area > first_area
    return verdict("verdict_ellipse", lang, first=f"{first_area:.0f}", last=f"{last_area:.0f}",
                   trend="扩大" if grew else "缩小", trend_en="grew" if grew else "shrank", azimuth=f"{azimuth:.1f}")


def mediation_verdict(effect: float, low: float, high: float, lang: str) -> str:
    """Significant when the bootstrap interval of the indirect effect excludes 0."""
    key = "verdict_mediation_yes" if (low > 0 or high < 0) else "verdict_mediation_no"
    return verdict(key, lang, effect=num(effect), low=num(low), high=num(high))


def threshold_verdict(F: float, p: float, lang: str, significance: float = 0.05) -> str:
    """A threshold test's verdict (bootstrap p-value)."""
    key = "verdict_threshold_yes" if np.isfinite(p) and p < significance else "verdict_threshold_no"
    return verdict(key, lang, F=f"{F:.2f}", p=f"= {p:.3f}")
