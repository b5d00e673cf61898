"""Outlier treatment (异常值处理): per indicator, before normalisation and before any direction flip.

Every function has the signature ``f(x, **params) -> TreatResult``: ``x`` is ``(..., n, m)`` (observations
× indicators, NaN = missing, leading batch axes), statistics are taken over axis -2 ignoring NaN, and
``TreatResult.values`` has the shape of ``x``.  ``details`` holds per-indicator arrays ``(..., m)`` (a
DataFrame via ``to_frame``).  NaN cells stay NaN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hqd.methods._arrays import (
    FloatArray,
    as_data,
    choice,
    col_count,
    col_max,
    col_mean,
    col_min,
    indicator_frame,
    invalid,
    nan_quantile,
)
from hqd.methods.catalog import Param, Properties, register


@dataclass(frozen=True)
class TreatResult:
    """Treated ``values`` (shape of x) and per-indicator ``details`` (each ``(..., m)``)."""

    values: FloatArray
    details: dict[str, np.ndarray] = field(default_factory=dict)

    def to_frame(self, codes: list[str] | None = None) -> pd.DataFrame:
        """The details, one row per indicator (per batch item when batched)."""
        return indicator_frame({"n": np.sum(~np.isnan(self.values), axis=-2)}, self.details, codes)


def _moments(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    n = col_count(x)
    d = np.where(np.isnan(x), 0.0, x - col_mean(x))
    d2 = d * d
    m2 = np.sum(d2, axis=-2, keepdims=True)
    m3 = np.sum(d2 * d, axis=-2, keepdims=True)
    m4 = np.sum(d2 * d2, axis=-2, keepdims=True)
    return n, m2, m3, m4


def skewness(x: ArrayLike) -> FloatArray:
    """Sample skewness G1 (``e1071::skewness(type = 2)``, SAS/SPSS/Excel ``SKEW``), per column, ignoring NaN.

    ``G1 = g1·sqrt(n(n − 1))/(n − 2)`` with ``g1 = sqrt(n)·Σd³/(Σd²)^{3/2}``, ``d = x − x̄``.  NaN when
    n < 3 or the column is constant.  Returns shape ``(..., m)``.  (Joanes & Gill 1998, *The Statistician*
    47(1):183–189, doi:10.1111/1467-9884.00122.)

    Examples
    --------
    Equals ``scipy.stats.skew(bias=False)`` (1.763633 here):

    >>> round(float(skewness([[1.0], [2.0], [3.0], [10.0]])[0]), 6)
    1.763633
    """
    n, m2, m3, _ = _moments(as_data(x))
    with np.errstate(invalid="ignore", divide="ignore"):
        g1 = np.sqrt(n) * m3 / m2**1.5
        big_g1 = g1 * np.sqrt(n * (n - 1.0)) / (n - 2.0)
    return np.squeeze(np.where((n >= 3) & (m2 > 0), big_g1, np.nan), axis=-2)


def kurtosis(x: ArrayLike) -> FloatArray:
    """Sample excess kurtosis G2 (``e1071::kurtosis(type = 2)``, Excel ``KURT``), per column, ignoring NaN.

    ``G2 = ((n + 1)(r − 3) + 6)(n − 1)/((n − 2)(n − 3))`` with ``r = n·Σd⁴/(Σd²)²``.  NaN when n < 4 or the
    column is constant.  Returns shape ``(..., m)``.

    Examples
    --------
    Equals ``scipy.stats.kurtosis(bias=False)`` (3.228 here):

    >>> round(float(kurtosis([[1.0], [2.0], [3.0], [10.0]])[0]), 6)
    3.228
    """
    n, m2, _, m4 = _moments(as_data(x))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n * m4 / (m2 * m2)
        g2 = ((n + 1.0) * (r - 3.0) + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
    return np.squeeze(np.where((n >= 4) & (m2 > 0), g2, np.nan), axis=-2)


def _log_ct(x: FloatArray) -> FloatArray:
    mn, mx = col_min(x), col_max(x)
    arg = x - mn + 0.01 * (mx - mn)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(arg > 0, np.log(np.where(arg > 0, arg, 1.0)), np.nan)


@register("treat", "none", properties=Properties(noop=True))
def none(x: ArrayLike) -> TreatResult:
    """No outlier treatment.

    Examples
    --------
    >>> none([[1.0], [100.0]]).values.ravel().tolist()
    [1.0, 100.0]
    """
    arr = as_data(x)
    return TreatResult(arr.copy(), {"treated": np.zeros(arr.shape[:-2] + arr.shape[-1:], dtype=bool)})


@register(
    "treat",
    "coinr_winsorise",
    winmax=Param(int, 5, "maximum number of distinct units winsorised per indicator"),
    skew_thresh=Param(float, 2.0, "an indicator passes if |skew| < skew_thresh ..."),
    kurt_thresh=Param(float, 3.5, "... or kurtosis < kurt_thresh"),
    log_fallback=Param(bool, True, "log_CT the untreated values if winsorising cannot pass the test"),
)
def coinr_winsorise(
    x: ArrayLike,
    winmax: int = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    log_fallback: bool = True,
) -> TreatResult:
    """COINr's default treatment: skew/kurtosis test, stepwise winsorising (≤ winmax units), log_CT fallback.

    Algorithm (METHODS.md §16 step 4; COINr 1.1.14 ``Treat()`` defaults), per indicator
        *Test*: pass iff ``|G1| < skew_thresh`` OR ``G2 < kurt_thresh`` (strict; G1, G2 as :func:`skewness`,
        :func:`kurtosis`).  A passing indicator is unchanged.
        *Winsorise*: while it fails and ``k < winmax`` (k = distinct units changed so far), one step: take
        the high side if the current G1 ≥ 0, else the low side; every unit at the current maximum
        (minimum) — ties and units clipped earlier included — is set to the largest (smallest) value among
        the other units.  Ties count individually in k; k is checked only before a step.
        *Fallback*: if it still fails, the winsorised values are discarded and ``log_CT`` is applied to the
        untreated vector, ``ln(x − min + 0.01·(max − min))``, without a further test (``log_fallback=False``
        keeps the winsorised values instead).
    Vectorisation
        All indicators (and batch items) advance together; the only loop is over the winsorising steps
        (at most ``n``, in practice ≤ winmax).
    Missing / degenerate
        NaN is ignored and stays NaN.  A column with G1 or G2 undefined (constant, n < 4) passes.
    Details (``(..., m)``)
        ``skew_before``, ``kurt_before``, ``pass_before``, ``treated`` (failed the first test),
        ``n_winsorised`` (k; 0 when the log was applied), ``n_high``, ``n_low``, ``log_applied``,
        ``skew_after``, ``kurt_after``, ``pass_after`` (NaN/False where not treated).
    References
        Becker et al. (2022), doi:10.1016/j.envsoft.2022.105532; reproduces COINr's ASEM treated table and
        treatment details (15 indicators, 35 points) — see tests/methods/test_treat.py.

    Examples
    --------
    >>> x = np.array([[1.0], [2.0], [2.5], [3.0], [3.5], [4.0], [4.5], [5.0], [50.0]])
    >>> r = coinr_winsorise(x)
    >>> r.values.ravel().tolist()[-1], int(r.details["n_winsorised"][0])
    (5.0, 1)
    """
    if winmax < 0:
        raise invalid(f"winmax must be >= 0; got {winmax!r}")
    arr = as_data(x)
    n = arr.shape[-2]

    def fails(skew: FloatArray, kurt: FloatArray) -> np.ndarray:
        return np.asarray((np.abs(skew) >= skew_thresh) & (kurt >= kurt_thresh))  # NaN → passes

    skew0, kurt0 = skewness(arr), kurtosis(arr)
    treated = fails(skew0, kurt0)
    cur = arr.copy()
    changed_hi = np.zeros(arr.shape, dtype=bool)
    changed_lo = np.zeros(arr.shape, dtype=bool)
    k = np.zeros(treated.shape, dtype=np.int64)
    failing = treated.copy()
    skew, kurt = skew0, kurt0
    for _ in range(n):
        act = failing & (k < winmax)
        if not act.any():
            break
        high = np.expand_dims(skew >= 0, -2)
        mx, mn = col_max(cur), col_min(cur)
        second_hi = np.fmax.reduce(np.where(cur < mx, cur, np.nan), axis=-2, keepdims=True)
        second_lo = np.fmin.reduce(np.where(cur > mn, cur, np.nan), axis=-2, keepdims=True)
        target = np.where(high, second_hi, second_lo)
        move = np.where(high, cur == mx, cur == mn) & np.expand_dims(act, -2) & ~np.isnan(target)
        k += np.sum(move & ~(changed_hi | changed_lo), axis=-2)
        changed_hi |= move & high
        changed_lo |= move & ~high
        cur = np.where(move, target, cur)
        skew, kurt = skewness(cur), kurtosis(cur)
        failing = failing & fails(skew, kurt)
    use_log = treated & failing & log_fallback
    values = np.where(np.expand_dims(use_log, -2), _log_ct(arr), cur)
    skew1, kurt1 = skewness(values), kurtosis(values)
    no_log = ~use_log
    details: dict[str, np.ndarray] = {
        "skew_before": skew0,
        "kurt_before": kurt0,
        "pass_before": ~treated,
        "treated": treated,
        "n_winsorised": np.where(no_log, k, 0),
        "n_high": np.where(no_log, changed_hi.sum(axis=-2), 0),
        "n_low": np.where(no_log, changed_lo.sum(axis=-2), 0),
        "log_applied": use_log,
        "skew_after": np.where(treated, skew1, np.nan),
        "kurt_after": np.where(treated, kurt1, np.nan),
        "pass_after": treated & ~fails(skew1, kurt1),
    }
    return TreatResult(values, details)


@register(
    "treat",
    "percentile_clip",
    lower=Param(float, 0.01, "lower quantile (values below it are raised to it)"),
    upper=Param(float, 0.99, "upper quantile (values above it are lowered to it)"),
)
def percentile_clip(x: ArrayLike, lower: float = 0.01, upper: float = 0.99) -> TreatResult:
    """Clip each indicator to its [lower, upper] quantiles (缩尾处理, winsorising at percentiles).

    Quantiles use linear interpolation between order statistics (R type 7, numpy's default) over the
    non-NaN values.  Requires ``0 <= lower < upper <= 1``.  Details: ``lower_value``, ``upper_value``,
    ``n_low``, ``n_high`` (values clipped on each side).

    Examples
    --------
    >>> percentile_clip([[1.0], [2.0], [3.0], [4.0], [100.0]], 0.0, 0.75).values.ravel().tolist()
    [1.0, 2.0, 3.0, 4.0, 4.0]
    """
    if not 0.0 <= lower < upper <= 1.0:
        raise invalid(
            f"percentile bounds must satisfy 0 <= lower < upper <= 1; got lower={lower!r}, upper={upper!r}"
        )
    arr = as_data(x)
    lo, hi = nan_quantile(arr, lower), nan_quantile(arr, upper)
    values = np.where(arr < lo, lo, np.where(arr > hi, hi, arr))
    details: dict[str, np.ndarray] = {
        "lower_value": np.squeeze(lo, -2),
        "upper_value": np.squeeze(hi, -2),
        "n_low": np.sum(arr < lo, axis=-2),
        "n_high": np.sum(arr > hi, axis=-2),
    }
    return TreatResult(values, details)


@register(
    "treat",
    "log",
    variant=Param(
        str,
        "ln",
        "ln: natural log (values <= 0 become NaN); log_ct: COINr's ln(x − min + 0.01·(max − min))",
        choices=("ln", "log_ct"),
    ),
)
def log(x: ArrayLike, variant: Literal["ln", "log_ct"] = "ln") -> TreatResult:
    """Log transform of every indicator: ln x, or COINr's ``log_CT`` ln(x − min + 0.01·(max − min)).

    Zero / negative values
        ``ln``: a value ≤ 0 becomes NaN (counted in ``n_nonpositive``; use ``log_ct`` or a shift when the
        data contain zeros).  ``log_ct`` is defined for any values (its argument is ≥ 0.01·range > 0) except
        in a constant column, which becomes NaN.

    Examples
    --------
    >>> log([[1.0], [np.e], [0.0]]).values.ravel().tolist()
    [0.0, 1.0, nan]
    >>> log([[0.0], [100.0]], variant="log_ct").values.ravel().round(4).tolist()
    [0.0, 4.6151]
    """
    choice(variant, "variant", ("ln", "log_ct"))
    arr = as_data(x)
    if variant == "log_ct":
        return TreatResult(_log_ct(arr), {"n_nonpositive": np.zeros(arr.shape[:-2] + arr.shape[-1:], int)})
    bad = arr <= 0
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(bad, np.nan, np.log(np.where(bad, 1.0, arr)))
    return TreatResult(values, {"n_nonpositive": np.sum(bad, axis=-2)})
