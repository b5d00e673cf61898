"""Growth metrics of an index between two years (METHODS.md §2.15).

Pure functions over numbers or numpy arrays.  Conventions are explicit because published reports
disagree: CAGR uses the number of *intervals* ``end_year − start_year`` (0.612 in 2012 → 0.960 in 2021
is 9 intervals: +56.86 % in total, 5.13 % a year, as the Beijing HQD Blue Book 2023 reports).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

CAGR_METHODS = ("endpoint", "loglinear")


def total_growth(start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Total growth in percent: (I_T / I_0 − 1) × 100.  A start value ≤ 0 gives NaN."""
    start_a, end_a = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(start_a > 0, (end_a / start_a - 1.0) * 100.0, np.nan)


def multiple(start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """The multiple I_T / I_0 (1.43× from 2014 to 2022).  A start value ≤ 0 gives NaN."""
    start_a, end_a = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(start_a > 0, end_a / start_a, np.nan)


def cagr(start: ArrayLike, end: ArrayLike, intervals: ArrayLike) -> np.ndarray:
    """Compound annual growth rate in percent, endpoint form: ((I_T/I_0)^(1/n) − 1) × 100.

    ``intervals`` is n = T − t0, the number of years between the two observations (not the number
    of years observed).  Non-positive values or n ≤ 0 give NaN.

    Examples
    --------
    >>> float(np.round(cagr(0.612, 0.960, 9), 2))      # Beijing HQD Blue Book 2023
    5.13
    >>> float(np.round(cagr(1.0, 1.43, 8), 1))         # Jing-Jin-Ji industry 2014→2022
    4.6
    """
    ratio = multiple(start, end)
    n = np.asarray(intervals, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((ratio > 0) & (n > 0), (np.power(ratio, 1.0 / np.where(n > 0, n, 1.0)) - 1.0) * 100.0,
                        np.nan)


def loglinear_cagr(years: ArrayLike, values: ArrayLike) -> np.ndarray:
    """Trend growth rate in percent: fit ln I_t = a + b·t by least squares over every year; (e^b − 1)·100.

    ``values`` has years on its last axis; years with a missing or non-positive value are left out.
    Uses every observation rather than only the endpoints (the World Bank's "least-squares growth
    rate").
    """
    t = np.asarray(years, dtype=float)
    v = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(v > 0, np.log(np.where(v > 0, v, 1.0)), np.nan)
    ok = np.isfinite(y)
    n = ok.sum(axis=-1)
    tm = np.where(ok, t, 0.0).sum(axis=-1) / np.maximum(n, 1)
    ym = np.where(ok, y, 0.0).sum(axis=-1) / np.maximum(n, 1)
    dt = np.where(ok, t - tm[..., None], 0.0)
    dy = np.where(ok, y - ym[..., None], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = (dt * dy).sum(axis=-1) / (dt * dt).sum(axis=-1)
    return np.where(n >= 2, (np.exp(slope) - 1.0) * 100.0, np.nan)


def year_on_year(values: ArrayLike) -> np.ndarray:
    """Year-on-year growth in percent along the last axis (first year NaN)."""
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[..., 1:] = np.where(v[..., :-1] > 0, (v[..., 1:] / v[..., :-1] - 1.0) * 100.0, np.nan)
    return out


def mean_annual_growth(values: ArrayLike) -> np.ndarray:
    """Arithmetic mean of the year-on-year rates in percent (≠ CAGR; some reports use it)."""
    return np.nanmean(year_on_year(values)[..., 1:], axis=-1)
