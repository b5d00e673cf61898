"""Normalisation (标准化): bring indicators onto a common, direction-corrected scale.

Every function has the signature ``f(x, direction, **params) -> ndarray``:

* ``x`` has shape ``(..., n, m)``: n observations (region-years) × m indicators; any leading axes are batch
  axes (Monte Carlo runs, years …) and are carried through.  NaN marks a missing value and stays NaN.
* ``direction`` holds 1 (positive, 正向: more is better) or -1 (negative, 负向) per indicator, shape ``(m,)`` or
  broadcastable ``(..., m)``; any other value raises ``HqdError`` code ``invalid_parameter``.
* Column statistics (min, max, mean, sd, ranks) are taken over axis -2 and ignore NaN.  Pass all
  region-years at once for the **pooled** scope (years comparable, the HQD default) or one year per leading
  index for the **by_year** scope.

The result has the shape of ``x`` and is oriented so that higher is always better.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata

from hqd.methods._arrays import (
    FloatArray,
    as_data,
    check_direction,
    choice,
    col_count,
    col_max,
    col_mean,
    col_min,
    col_std,
    invalid,
    per_indicator,
    safe_divide,
)
from hqd.methods.catalog import REQUIRED, Param, Properties, register

Truncate = Literal["both", "upper", "lower", "none"]

_DIRECTION = Param(list, REQUIRED, "per-indicator direction, 1 (positive) or -1 (negative)", kind="data")
_DRAWS_DIRECTION = {"direction": "framework.direction"}
_SPREAD = Properties(needs_spread=True, scale="interval")
_LO = Param(float, 0.0, "lower end of the output range")
_HI = Param(float, 1.0, "upper end of the output range")


def _check_range(lo: float, hi: float) -> None:
    if not lo < hi:
        raise invalid(f"lo must be smaller than hi; got lo={lo!r}, hi={hi!r}")


@register(
    "normalise",
    "minmax",
    draws=_DRAWS_DIRECTION,
    properties=Properties(needs_spread=True, moderate=True, scale="interval"),
    direction=_DIRECTION,
    lo=_LO,
    hi=_HI,
    shift=Param(float, 0.0, "constant added after scaling (e.g. 0.0001 before entropy)"),
)
def minmax(
    x: ArrayLike, direction: ArrayLike, lo: float = 0.0, hi: float = 1.0, shift: float = 0.0
) -> FloatArray:
    """Directional min-max (极差标准化): (y − min y)/(max y − min y)·(hi − lo) + lo with y = x·direction.

    Formula
        ``y = x·d``; ``x′ = (y − min y) / (max y − min y) · (hi − lo) + lo + shift``.  For a negative
        indicator this is ``(max x − x)/(max x − min x)``, the form of METHODS.md §2.1, and it is exactly
        COINr's ``n_minmax`` on ``x·Direction`` (``l_u = c(lo, hi)``).
    Variant
        Observed min/max over axis -2 (pooled over all region-years when the panel is passed at once).
        ``shift`` adds a constant afterwards (the "+0.0001 before entropy" convention of the Chinese
        literature); it moves the range to ``[lo + shift, hi + shift]``.
    Missing / degenerate values
        NaN stays NaN and is ignored in min/max.  A column whose max equals its min (constant, or a single
        observed value) gives NaN (0/0), as COINr does; validate constant indicators at the boundary.
    References
        METHODS.md §2.1; Becker et al. (2022) COINr, *Environmental Modelling & Software* 157:105532,
        doi:10.1016/j.envsoft.2022.105532.

    Examples
    --------
    Reproduces ``decision_matrix_8x5_minmax_directional.csv`` (C3 is a cost indicator):

    >>> x = [[9.8, 0.45], [12.5, 0.38], [7.2, 0.62], [15.3, 0.31], [6.1, 0.78]]
    >>> minmax(x, [1, -1]).round(6).tolist()[0]
    [0.402174, 0.702128]
    """
    _check_range(lo, hi)
    d = check_direction(direction)
    arr = as_data(x)
    mn, mx = col_min(arr), col_max(arr)
    # (y − min y)/(max y − min y) with y = x·d, computed in place on one buffer: for d = −1 it is
    # (x − max x)/(−(max x − min x)), the same IEEE operations up to an exact negation.
    out = np.subtract(arr, np.where(d > 0, mn, mx))
    with np.errstate(invalid="ignore", divide="ignore"):
        out /= (mx - mn) * d
    if hi - lo != 1.0:
        out *= hi - lo
    if lo + shift != 0.0:
        out += lo + shift
    return out


@register("normalise", "vector", draws=_DRAWS_DIRECTION, direction=_DIRECTION)
def vector(x: ArrayLike, direction: ArrayLike) -> FloatArray:
    """Vector normalisation (向量归一化): x / ‖x‖₂ per indicator; 1 − x / ‖x‖₂ for a negative indicator.

    Formula (Hwang & Yoon 1981, the normalisation of the original TOPSIS)
        ``r_ij = x_ij / sqrt(Σ_i x_ij²)`` over axis -2 for positive indicators and ``1 − r_ij`` for negative
        ones — the variant of pymcdm's ``vector_normalization(x, cost=True)``.  Textbook TOPSIS then takes
        the ideal of a negative indicator as its minimum instead; HQD's TOPSIS expects higher-is-better
        input, hence the ``1 − r`` reflection (the ranking of a negative indicator is reversed either way).
    Missing / zero values
        NaN stays NaN and is left out of the norm.  A column of zeros (norm 0) gives NaN.  Negative values
        are allowed but make ``r`` leave [0, 1]; the usual use is on positive raw data.
    Reproduced
        pymcdm's ``vector_normalization`` (profit and cost) on random matrices in
        ``tests/methods/test_normalize.py``.

    Examples
    --------
    >>> vector([[3.0, 1.0], [4.0, 2.0]], [1, -1]).round(4).tolist()
    [[0.6, 0.5528], [0.8, 0.1056]]
    """
    d = check_direction(direction)
    arr = as_data(x)
    norm = np.sqrt(np.nansum(arr * arr, axis=-2, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(norm > 0, arr / norm, np.nan)
    return np.where(d > 0, r, 1.0 - r)


@register(
    "normalise",
    "zscore",
    draws=_DRAWS_DIRECTION,
    properties=_SPREAD,
    direction=_DIRECTION,
    mean=Param(float, 0.0, "mean of the output"),
    sd=Param(float, 1.0, "standard deviation of the output"),
    ddof=Param(int, 1, "delta degrees of freedom of the sample sd (COINr: 1)"),
)
def zscore(
    x: ArrayLike, direction: ArrayLike, mean: float = 0.0, sd: float = 1.0, ddof: int = 1
) -> FloatArray:
    """Directional z-score: (y − ȳ)/s·sd + mean with y = x·direction and s the sample sd.

    Formula
        ``z = (y − ȳ) / s · sd + mean``; ``s`` has denominator ``n − ddof`` (``ddof=1``, the sample sd, is
        what COINr's ``n_zscore`` uses: its ASEM z-score variant is ``mean=10, sd=2``).
    Missing / degenerate values
        NaN stays NaN and is ignored in ȳ and s.  A constant column (max = min) or one with
        ``n <= ddof`` observed values gives NaN.
    References
        METHODS.md §16 (z-score variant); Becker et al. (2022), doi:10.1016/j.envsoft.2022.105532.

    Examples
    --------
    >>> zscore([[1.0], [2.0], [3.0]], [1], mean=10, sd=2).ravel().tolist()
    [8.0, 10.0, 12.0]
    """
    if sd <= 0:
        raise invalid(f"sd must be positive; got {sd!r}")
    if ddof < 0:
        raise invalid(f"ddof must be >= 0; got {ddof!r}")
    d = check_direction(direction)
    y = as_data(x) * d
    s = col_std(y, ddof)
    constant = col_max(y) == col_min(y)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (y - col_mean(y)) / s * sd + mean
    return np.where(constant, np.nan, z)


@register(
    "normalise",
    "goalposts",
    properties=Properties(scale="interval"),
    draws={**_DRAWS_DIRECTION, "gmin": "framework.goalpost_min", "gmax": "framework.goalpost_max"},
    direction=_DIRECTION,
    gmin=Param(list, REQUIRED, "per-indicator lower goalpost (framework goalpost_min)", kind="data"),
    gmax=Param(list, REQUIRED, "per-indicator upper goalpost (framework goalpost_max)", kind="data"),
    lo=_LO,
    hi=_HI,
    truncate=Param(
        str,
        "both",
        "clip scores outside the goalposts: both ends, only the best end "
        "('upper', as UNDP's HDI caps), only the worst end, or none",
        choices=("both", "upper", "lower", "none"),
    ),
    log=Param(bool, False, "take natural logs of values and goalposts first (HDI income)"),
)
def goalposts(
    x: ArrayLike,
    direction: ArrayLike,
    gmin: ArrayLike,
    gmax: ArrayLike,
    lo: float = 0.0,
    hi: float = 1.0,
    truncate: Truncate = "both",
    log: bool = False,
) -> FloatArray:
    """Fixed goalposts (UNDP HDI style): (x − gmin)/(gmax − gmin), mirrored for negative indicators.

    Formula
        Positive: ``s = (x − gmin) / (gmax − gmin)``; negative: ``s = (gmax − x) / (gmax − gmin)``;
        then ``s·(hi − lo) + lo``.  With ``log=True`` the natural log is applied to ``x``, ``gmin`` and
        ``gmax`` first (UNDP's income index: ``(ln GNI − ln 100)/(ln 75000 − ln 100)``).
    Truncation (clipping the score, equivalent to clipping ``x`` at the goalposts)
        ``"both"``: s ∈ [0, 1]; ``"upper"``: only the best end is capped (s ≤ 1: x capped at ``gmax`` for a
        positive indicator, at ``gmin`` for a negative one) — UNDP's rule: "values above the maximum are
        capped", values below the minimum give an index ≤ 0; ``"lower"``: only s ≥ 0; ``"none"``.
    Missing / zero / negative values
        NaN stays NaN.  With ``log=True`` a value ≤ 0 gives NaN (documented, no error: the pipeline reports
        such cells at the boundary); goalposts must then be positive.  Goalposts must satisfy
        ``gmin < gmax`` (``invalid_parameter`` otherwise).
    References
        UNDP, *Human Development Report 2023/2024*, Technical Note 1 (goalposts: life expectancy 20–85, EYS
        0–18, MYS 0–15, GNI per capita 100–75,000 2017 PPP $, log).

    Examples
    --------
    Norway 2022 (HDR 2023/24): LE 83.393, EYS 18.638 (capped at 18), MYS 13.062, GNI pc 69,189.76; the
    geometric mean of health, education (mean of the two schooling indices) and income gives the published
    HDI 0.966:

    >>> le = goalposts([[83.393]], [1], gmin=[20], gmax=[85], truncate="upper")
    >>> edu = goalposts([[18.63846016, 13.06234279]], [1, 1], gmin=[0, 0], gmax=[18, 15],
    ...                 truncate="upper").mean()
    >>> inc = goalposts([[69189.76165]], [1], gmin=[100], gmax=[75000], truncate="upper", log=True)
    >>> round(float((le[0, 0] * edu * inc[0, 0]) ** (1 / 3)), 3)
    0.966
    """
    choice(truncate, "truncate", ("both", "upper", "lower", "none"))
    _check_range(lo, hi)
    d = check_direction(direction)
    g0, g1 = per_indicator(gmin, "gmin"), per_indicator(gmax, "gmax")
    if np.isnan(g0).any() or np.isnan(g1).any():
        raise invalid("goalposts gmin and gmax must be given for every indicator; got NaN")
    if not np.all(g0 < g1):
        raise invalid(
            f"goalposts must satisfy gmin < gmax; got gmin={np.ravel(g0).tolist()}, gmax={np.ravel(g1).tolist()}"
        )
    arr = as_data(x)
    if log:
        if not (np.all(g0 > 0) and np.all(g1 > 0)):
            raise invalid(f"log goalposts must be positive; got gmin={np.ravel(g0).tolist()}")
        with np.errstate(invalid="ignore", divide="ignore"):
            arr = np.where(arr > 0, np.log(np.where(arr > 0, arr, 1.0)), np.nan)
        g0, g1 = np.log(g0), np.log(g1)
    s = np.where(d > 0, arr - g0, g1 - arr) / (g1 - g0)
    if truncate in ("both", "upper"):
        s = np.minimum(s, 1.0)
    if truncate in ("both", "lower"):
        s = np.maximum(s, 0.0)
    return s * (hi - lo) + lo


@register(
    "normalise",
    "distance_to_target",
    draws={**_DRAWS_DIRECTION, "target": "framework.target"},
    direction=_DIRECTION,
    target=Param(list, REQUIRED, "per-indicator target (framework target)", kind="data"),
    lo=_LO,
    hi=_HI,
    cap=Param(bool, True, "cap scores beyond the target at 1 (COINr cap_max; COINr's default is FALSE)"),
)
def distance_to_target(
    x: ArrayLike, direction: ArrayLike, target: ArrayLike, lo: float = 0.0, hi: float = 1.0, cap: bool = True
) -> FloatArray:
    """Distance to target (COINr ``n_dist2targ``): (x − min)/(target − min), mirrored for negatives.

    Formula
        Positive: ``s = (x − min x) / (target − min x)``; negative: ``s = (max x − x) / (max x − target)``;
        with ``cap`` the score is ``min(s, 1)`` (values beyond the target score 1); output ``s·(hi − lo) + lo``.
        ``min``/``max`` are the observed column extremes (axis -2).
    Variant
        COINr 1.1.14 ``n_dist2targ(x, targ, direction, cap_max)``.  HQD caps by default (``cap=True``);
        COINr's default is ``cap_max = FALSE`` — set ``cap: false`` to match it.
    Missing / degenerate values
        NaN stays NaN.  A target equal to the column min (positive) or max (negative) gives NaN (0/0 or
        x/0); NaN targets give NaN.
    References
        COINr documentation, ``n_dist2targ`` (v1.1.14); Becker et al. (2022), doi:10.1016/j.envsoft.2022.105532.

    Examples
    --------
    >>> distance_to_target([[1.0], [3.0], [5.0], [7.0]], [1], target=[5.0]).ravel().tolist()
    [0.0, 0.5, 1.0, 1.0]
    """
    _check_range(lo, hi)
    d = check_direction(direction)
    arr = as_data(x)
    t = per_indicator(target, "target")
    mn, mx = col_min(arr), col_max(arr)
    s = np.where(d > 0, safe_divide(arr - mn, t - mn), safe_divide(mx - arr, mx - t))
    if cap:
        s = np.minimum(s, 1.0)
    return s * (hi - lo) + lo


def _ranks(x: ArrayLike, direction: ArrayLike) -> FloatArray:
    d = check_direction(direction)
    y = as_data(x) * d
    return np.asarray(rankdata(y, method="average", axis=-2, nan_policy="omit"), dtype=np.float64)


@register("normalise", "rank", draws=_DRAWS_DIRECTION, properties=Properties(needs_spread=True, scale="ordinal"),
          direction=_DIRECTION)
def rank(x: ArrayLike, direction: ArrayLike) -> FloatArray:
    """Rank of y = x·direction within its column: 1 = lowest (worst), ties get their average rank.

    Formula
        ``r = 1 + #{y′ < y} + (#{y′ = y} − 1)/2`` among the non-NaN values of the column (axis -2), i.e.
        ``scipy.stats.rankdata(method="average")``; the best observation gets ``n_j`` (its non-NaN count).
        Ranks are not rescaled; see ``percentile_rank`` for [0, 1].
    Missing values
        NaN stays NaN and is not counted.

    Examples
    --------
    >>> rank([[3.0], [1.0], [3.0], [2.0]], [1]).ravel().tolist()
    [3.5, 1.0, 3.5, 2.0]
    """
    return _ranks(x, direction)


@register("normalise", "percentile_rank", draws=_DRAWS_DIRECTION,
          properties=Properties(needs_spread=True, scale="ordinal"),
          direction=_DIRECTION)
def percentile_rank(x: ArrayLike, direction: ArrayLike) -> FloatArray:
    """Percentile rank in [0, 1]: (rank − 1)/(n_j − 1), with average ranks of y = x·direction.

    Missing / degenerate values
        NaN stays NaN; ``n_j`` is the column's non-NaN count.  A column with a single observed value gives
        NaN (0/0).

    Examples
    --------
    >>> percentile_rank([[3.0], [1.0], [2.0]], [-1]).ravel().tolist()
    [0.0, 1.0, 0.5]
    """
    r = _ranks(x, direction)
    return safe_divide(r - 1.0, col_count(r) - 1.0)


@register(
    "normalise",
    "ratio_to_base",
    keys={"base_year": Param(int, None, "the base year whose values are the base (default: the first year)")},
    draws={**_DRAWS_DIRECTION, "base": "panel.base_year"},
    direction=_DIRECTION,
    base=Param(list, REQUIRED, "base values broadcastable to x (e.g. the base-year row)", kind="data"),
    scale=Param(float, 1.0, "multiplier (100 for an index with base = 100)"),
)
def ratio_to_base(x: ArrayLike, direction: ArrayLike, base: ArrayLike, scale: float = 1.0) -> FloatArray:
    """Ratio to a base value (定基指数): x/base for positive indicators, base/x for negative ones, × scale.

    Formula
        Positive: ``scale · x / base``; negative: ``scale · base / x``.  ``base`` is broadcast against
        ``x`` as given (the pipeline passes the base year's row, shape ``(..., 1, m)``); ``scale=100`` gives
        the "base year = 100" form.
    Missing / zero values
        NaN stays NaN.  A zero denominator gives NaN (not ±inf).  Signs are not checked: ratios of
        negative values are meaningless, validate positivity at the boundary.

    Examples
    --------
    >>> ratio_to_base([[50.0, 4.0], [60.0, 2.0]], [1, -1], base=[[50.0, 4.0]], scale=100).tolist()
    [[100.0, 100.0], [120.0, 200.0]]
    """
    d = check_direction(direction)
    arr = as_data(x)
    b = np.asarray(base, dtype=np.float64)
    return scale * np.where(d > 0, safe_divide(arr, b), safe_divide(b, arr))


@register("normalise", "none", draws=_DRAWS_DIRECTION, properties=Properties(noop=True),
          direction=_DIRECTION)
def none(x: ArrayLike, direction: ArrayLike) -> FloatArray:
    """Identity: the data are already normalised and oriented (direction is checked but not applied).

    Examples
    --------
    >>> none([[0.2, 0.9]], [1, 1]).tolist()
    [[0.2, 0.9]]
    """
    check_direction(direction)
    return np.array(as_data(x), dtype=np.float64, copy=True)


def moderate_minmax(d: ArrayLike, lo: float = 0.0, hi: float = 1.0) -> FloatArray:
    """Min-max of a moderate (适度) indicator given as its distance to target d = |x − x*| (smaller is better):
    ``lo + (hi − lo)·(1 − d / max d)`` over axis -2, so the target itself scores ``hi``.

    The form :func:`minmax` takes for a ``moderate`` indicator (the catalogue's ``moderate`` property);
    Zhang et al.'s 适度指标 treatment.  NaN stays NaN; max d = 0 gives NaN.

    Examples
    --------
    >>> moderate_minmax([[1.0], [0.0], [2.0]]).ravel().tolist()
    [0.5, 1.0, 0.0]
    """
    block = np.asarray(d, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        dmax = np.nanmax(block, axis=-2, keepdims=True)
        return lo + (hi - lo) * (1.0 - block / dmax)


def moderate_distance(x: ArrayLike, target: ArrayLike) -> FloatArray:
    """Moderate (适度) indicator: 1 − |x − x*| / max|x − x*| (best at the target x*), over axis -2.

    Not a registered normaliser: a transformation the pipeline can apply to a ``moderate`` indicator
    (METHODS.md §2.1 (c)); the result is positive-oriented in [0, 1].  NaN stays NaN; a column equal to
    its target everywhere gives NaN (0/0).

    Examples
    --------
    >>> moderate_distance([[1.0], [2.0], [4.0]], [2.0]).ravel().tolist()
    [0.5, 1.0, 0.0]
    """
    dev = np.abs(as_data(x) - per_indicator(target, "target"))
    return 1.0 - safe_divide(dev, col_max(dev))
