"""Imputation (缺失值插补) on a panel cube: fill missing cells, never touch observed ones.

Every function has the signature ``f(x, **params) -> ImputeResult`` where ``x`` is the panel cube
``(..., T, R, m)`` — years × regions × indicators (a single cross-section is ``T = 1``), NaN = missing — and
leading axes are batch axes.  ``ImputeResult.values`` has the shape of ``x``; ``filled`` marks the cells that
were missing and now hold a value.  Observed cells are returned unchanged, bit for bit, and imputed values
never feed into the estimate of another cell.  Cells a method cannot fill stay NaN (and are not marked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hqd.methods._arrays import BoolArray, FloatArray, as_data, choice, indicator_frame, invalid, nan_sorted
from hqd.methods.catalog import REQUIRED, Param, Properties, register

Scope = Literal["by_year", "pooled"]
SCOPES: tuple[str, ...] = ("by_year", "pooled")
_T, _R = -3, -2  # the year and region axes of the cube


@dataclass(frozen=True)
class ImputeResult:
    """Imputed cube ``values`` (..., T, R, m) and the ``filled`` mask of the cells that were imputed."""

    values: FloatArray
    filled: BoolArray

    def coverage(self) -> dict[str, FloatArray]:
        """Per indicator (..., m): ``n_missing`` before, ``n_filled``, ``n_still_missing`` after."""
        filled = self.filled.sum(axis=(_T, _R)).astype(np.float64)
        still = np.isnan(self.values).sum(axis=(_T, _R)).astype(np.float64)
        return {"n_missing": filled + still, "n_filled": filled, "n_still_missing": still}

    def to_frame(self, codes: list[str] | None = None) -> pd.DataFrame:
        """The coverage report, one row per indicator."""
        cov = self.coverage()
        return indicator_frame({"n_missing": cov["n_missing"]}, cov, codes)


def _cube(x: ArrayLike) -> FloatArray:
    return as_data(x, "x (years × regions × indicators)", min_ndim=3)


def _result(x: FloatArray, values: FloatArray) -> ImputeResult:
    missing = np.isnan(x)
    out = np.where(missing, values, x)  # observed cells are x itself
    return ImputeResult(out, missing & ~np.isnan(out))


@register("impute", "none", properties=Properties(noop=True))
def none(x: ArrayLike) -> ImputeResult:
    """No imputation: missing cells stay missing.

    Examples
    --------
    >>> int(none([[[1.0], [np.nan]]]).filled.sum())
    0
    """
    arr = _cube(x)
    return ImputeResult(arr.copy(), np.zeros(arr.shape, dtype=bool))


def _neighbours(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, BoolArray, BoolArray]:
    """For every cell: previous/next observed value along T, their positions, and whether they exist."""
    t_len = x.shape[_T]
    obs = ~np.isnan(x)
    pos = np.arange(t_len).reshape(t_len, 1, 1)
    prev_i = np.maximum.accumulate(np.where(obs, pos, -1), axis=_T)
    next_i = np.flip(np.minimum.accumulate(np.flip(np.where(obs, pos, t_len), axis=_T), axis=_T), axis=_T)
    has_prev, has_next = prev_i >= 0, next_i < t_len
    prev_v = np.take_along_axis(x, np.clip(prev_i, 0, t_len - 1), axis=_T)
    next_v = np.take_along_axis(x, np.clip(next_i, 0, t_len - 1), axis=_T)
    return prev_v, next_v, prev_i.astype(np.float64), next_i.astype(np.float64), has_prev, has_next


@register(
    "impute",
    "linear",
    extrapolate=Param(bool, False, "also fill leading/trailing gaps with the nearest observed value"),
    times=Param(
        list, None, "the years of the T axis, for unequal spacing (default: equally spaced)", kind="data"
    ),
)
def linear(x: ArrayLike, extrapolate: bool = False, times: ArrayLike | None = None) -> ImputeResult:
    """Linear interpolation in time within each region and indicator (interior gaps; optional nearest-value ends).

    Formula
        For a missing cell at time t between the observed cells at t₀ < t < t₁ of the same region and
        indicator: ``x_t = x_t₀ + (t − t₀)/(t₁ − t₀) · (x_t₁ − x_t₀)``.  ``times`` gives the actual years when
        the T axis is not equally spaced.
    Ends
        Leading and trailing gaps stay NaN unless ``extrapolate=True``, which copies the nearest observed
        value (no trend extrapolation).  A series with no observation stays NaN.

    Examples
    --------
    >>> cube = np.array([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan]).reshape(6, 1, 1)
    >>> linear(cube).values.ravel().tolist()
    [nan, 1.0, 2.0, 3.0, 4.0, nan]
    >>> linear(cube, extrapolate=True).values.ravel().tolist()
    [1.0, 1.0, 2.0, 3.0, 4.0, 4.0]
    """
    arr = _cube(x)
    t_len = arr.shape[_T]
    prev_v, next_v, prev_i, next_i, has_prev, has_next = _neighbours(arr)
    if times is None:
        t = np.arange(t_len, dtype=np.float64)
    else:
        t = np.asarray(times, dtype=np.float64)
        if t.shape != (t_len,) or not np.all(np.diff(t) > 0):
            raise invalid(f"times must be {t_len} strictly increasing values; got {t.tolist()}")
    tt = t.reshape(t_len, 1, 1)
    t0 = t[np.clip(prev_i, 0, t_len - 1).astype(np.intp)]
    t1 = t[np.clip(next_i, 0, t_len - 1).astype(np.intp)]
    with np.errstate(invalid="ignore", divide="ignore"):
        interp = prev_v + (tt - t0) / (t1 - t0) * (next_v - prev_v)
    filled = np.where(has_prev & has_next, interp, np.nan)
    if extrapolate:
        filled = np.where(has_prev & ~has_next, prev_v, filled)
        filled = np.where(~has_prev & has_next, next_v, filled)
    return _result(arr, filled)


@register("impute", "locf")
def locf(x: ArrayLike) -> ImputeResult:
    """Last observation carried forward along T within each region and indicator; leading gaps stay NaN.

    Examples
    --------
    >>> locf(np.array([np.nan, 1.0, np.nan, 3.0, np.nan]).reshape(5, 1, 1)).values.ravel().tolist()
    [nan, 1.0, 1.0, 3.0, 3.0]
    """
    arr = _cube(x)
    prev_v, _, _, _, has_prev, _ = _neighbours(arr)
    return _result(arr, np.where(has_prev, prev_v, np.nan))


@register("impute", "nocb")
def nocb(x: ArrayLike) -> ImputeResult:
    """Next observation carried backward along T within each region and indicator; trailing gaps stay NaN.

    Examples
    --------
    >>> nocb(np.array([np.nan, 1.0, np.nan, 3.0, np.nan]).reshape(5, 1, 1)).values.ravel().tolist()
    [1.0, 1.0, 3.0, 3.0, nan]
    """
    arr = _cube(x)
    _, next_v, _, _, _, has_next = _neighbours(arr)
    return _result(arr, np.where(has_next, next_v, np.nan))


def _group_index(groups: ArrayLike, n_regions: int) -> tuple[np.ndarray, int]:
    """Group codes 0..G-1 per region; -1 for a region without a group (None, NaN or a negative integer,
    which is how ``pandas.factorize`` codes a missing label)."""
    labels = np.asarray(groups, dtype=object).ravel()
    if labels.shape != (n_regions,):
        raise invalid(f"groups must give one label per region ({n_regions}); got {labels.shape[0]} labels")
    series = pd.Series(labels)
    no_group = series.isna().to_numpy() | np.array(
        [isinstance(v, int | np.integer) and not isinstance(v, bool) and v < 0 for v in labels], dtype=bool
    )
    codes, uniques = pd.factorize(series.where(~no_group), sort=True)
    return np.asarray(codes, dtype=np.intp), len(uniques)


def _spread(stats: FloatArray, inverse: np.ndarray) -> FloatArray:
    """Per-group statistics (..., G, m) → per region (..., R, m); NaN for regions without a group."""
    if stats.shape[_R] == 0:
        return np.full((*stats.shape[:_R], inverse.shape[0], stats.shape[-1]), np.nan)
    out = np.take(stats, np.clip(inverse, 0, None), axis=_R)
    return np.where((inverse < 0)[:, None], np.nan, out)


def _group_means(x: FloatArray, inverse: np.ndarray, n_groups: int, scope: str) -> FloatArray:
    """Mean of the observed values per (year,) group and indicator, broadcast back to every region."""
    obs = ~np.isnan(x)
    onehot = (inverse[None, :] == np.arange(n_groups)[:, None]).astype(np.float64)  # (G, R)
    sums = np.einsum("gr,...trm->...tgm", onehot, np.where(obs, x, 0.0))
    counts = np.einsum("gr,...trm->...tgm", onehot, obs.astype(np.float64))
    if scope == "pooled":
        sums, counts = sums.sum(axis=_T, keepdims=True), counts.sum(axis=_T, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / counts, np.nan)
    return _spread(means, inverse)


def _nan_median(a: FloatArray, axis: int) -> FloatArray:
    s, n = nan_sorted(a, axis)
    last = max(s.shape[axis] - 1, 0)
    lo = np.clip((n - 1) // 2, 0, last).astype(np.intp)
    hi = np.clip(n // 2, 0, last).astype(np.intp)
    med = 0.5 * (np.take_along_axis(s, lo, axis=axis) + np.take_along_axis(s, hi, axis=axis))
    return np.where(n > 0, med, np.nan)


def _group_medians(x: FloatArray, inverse: np.ndarray, n_groups: int, scope: str) -> FloatArray:
    """Median of the observed values per (year,) group and indicator, broadcast back to every region.

    Loops over the groups (a handful), each step vectorised over years, indicators and batch axes.
    """
    shape = (*x.shape[:_T], x.shape[_T] if scope == "by_year" else 1, n_groups, x.shape[-1])
    medians = np.full(shape, np.nan)
    for g in range(n_groups):
        members = x[..., inverse == g, :]  # (..., T, R_g, m)
        if scope == "pooled":
            members = members.reshape(*members.shape[:_T], 1, -1, members.shape[-1])
        medians[..., g : g + 1, :] = _nan_median(members, axis=_R)
    return _spread(medians, inverse)


_GROUPS = Param(
    list, REQUIRED, "group label of every region (e.g. the regions' EurAsia_group column)", kind="data"
)
_SCOPE = Param(str, "by_year", "by_year: same year only; pooled: all years", choices=SCOPES)
_GROUP_KEY = {"group": Param(str, REQUIRED, "the region column (regions table) whose labels are the groups")}
_GROUP_DRAWS = {"groups": "panel.region_groups"}


def _grouped(x: ArrayLike, groups: ArrayLike | None, scope: str, stat: str) -> ImputeResult:
    choice(scope, "scope", SCOPES)
    arr = _cube(x)
    n_regions = arr.shape[_R]
    inverse, n_groups = _group_index(np.zeros(n_regions) if groups is None else groups, n_regions)
    fill = (_group_means if stat == "mean" else _group_medians)(arr, inverse, n_groups, scope)
    return _result(arr, fill)


@register("impute", "group_mean", keys=_GROUP_KEY, draws=_GROUP_DRAWS, groups=_GROUPS, scope=_SCOPE)
def group_mean(x: ArrayLike, groups: ArrayLike, scope: Scope = "by_year") -> ImputeResult:
    """Group mean (COINr ``i_mean_grp``): a missing cell gets the mean of the observed values of its group.

    Formula
        For region r in group g, indicator j, year t: ``x̂_trj = mean{x_tr′j observed : r′ ∈ g}``
        (``scope="by_year"``) or the mean over every year too (``scope="pooled"``).  Only observed values
        enter the means, so imputed values never feed other means; observed cells never change.
    Missing / degenerate
        A group with no observed value for that indicator (and year) leaves the cell NaN.  A region
        without a group (label None/NaN, or a negative integer as ``pandas.factorize`` codes a missing
        label) is not imputed and its values feed no mean.  Vectorised with one-hot group sums.
    References
        COINr ``Impute(f_i = "i_mean_grp")``; reproduces the imputed table of COINr's ASEM default build
        (groups ``EurAsia_group``, METHODS.md §16 step 2).

    Examples
    --------
    >>> cube = np.array([[[1.0], [3.0], [np.nan], [10.0], [np.nan]]])  # T=1, R=5, m=1
    >>> group_mean(cube, groups=["a", "a", "a", "b", "b"]).values.ravel().tolist()
    [1.0, 3.0, 2.0, 10.0, 10.0]
    """
    return _grouped(x, groups, scope, "mean")


@register("impute", "group_median", keys=_GROUP_KEY, draws=_GROUP_DRAWS, groups=_GROUPS,
          scope=_SCOPE)
def group_median(x: ArrayLike, groups: ArrayLike, scope: Scope = "by_year") -> ImputeResult:
    """Group median (COINr ``i_median_grp``): a missing cell gets the median of the observed values of its group.

    As :func:`group_mean` with the median (average of the two middle values for an even count).  A group
    with no observed value leaves NaN.  Loops over the groups only (vectorised within each).

    Examples
    --------
    >>> cube = np.array([[[1.0], [3.0], [8.0], [np.nan], [10.0]]])
    >>> group_median(cube, groups=[0, 0, 0, 0, 1]).values.ravel().tolist()
    [1.0, 3.0, 8.0, 3.0, 10.0]
    """
    return _grouped(x, groups, scope, "median")


@register("impute", "mean", scope=_SCOPE)
def mean(x: ArrayLike, scope: Scope = "by_year") -> ImputeResult:
    """Mean of the observed values of the indicator over all regions (same year, or pooled over years).

    :func:`group_mean` with every region in one group.

    Examples
    --------
    >>> mean(np.array([[[1.0], [3.0], [np.nan]]])).values.ravel().tolist()
    [1.0, 3.0, 2.0]
    """
    return _grouped(x, None, scope, "mean")


@register("impute", "median", scope=_SCOPE)
def median(x: ArrayLike, scope: Scope = "by_year") -> ImputeResult:
    """Median of the observed values of the indicator over all regions (same year, or pooled over years).

    Examples
    --------
    >>> median(np.array([[[1.0], [3.0], [10.0], [np.nan]]])).values.ravel().tolist()
    [1.0, 3.0, 10.0, 3.0]
    """
    return _grouped(x, None, scope, "median")
