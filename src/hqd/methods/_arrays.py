"""Small shared helpers for the method modules: NaN-aware column statistics and parameter checks.

Statistics are taken over axis -2 (observations) of arrays shaped ``(..., n, m)`` and ignore NaN; they
return arrays shaped ``(..., 1, m)`` (``keepdims``) so that they broadcast back onto the data.  They use
``fmin``/``fmax`` reductions and masked sums, so all-NaN columns give NaN without runtime warnings.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hqd.errors import HqdError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def invalid(message: str) -> HqdError:
    """An ``HqdError`` with reason code ``invalid_parameter``."""
    return HqdError(message, code="invalid_parameter")


def as_data(x: ArrayLike, name: str = "x", min_ndim: int = 2) -> FloatArray:
    """``x`` as a float64 array with at least ``min_ndim`` axes (a copy is not guaranteed)."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise invalid(f"{name} must be numeric; got {type(x).__name__}: {exc}") from None
    if arr.ndim < min_ndim:
        raise invalid(f"{name} must have at least {min_ndim} axes; got shape {arr.shape}")
    return arr


def per_indicator(value: ArrayLike, name: str) -> FloatArray:
    """A per-indicator parameter (shape ``(m,)``, ``(..., m)`` or scalar) made to broadcast on ``(..., n, m)``."""
    arr = np.asarray(value, dtype=np.float64)
    return arr if arr.ndim == 0 else np.expand_dims(arr, -2)


def check_direction(direction: ArrayLike) -> FloatArray:
    """Validate a direction vector (every entry 1 or -1) and expand it to broadcast on ``(..., n, m)``."""
    d = np.asarray(direction, dtype=np.float64)
    bad = ~np.isin(d, (1.0, -1.0))
    if bad.any():
        pos = np.argwhere(np.atleast_1d(bad))[0].tolist()
        value = float(np.atleast_1d(d)[tuple(pos)])
        raise invalid(
            f"direction must be 1 or -1 for every indicator; got {value!r} at position {pos} "
            f"({int(bad.sum())} invalid entr{'y' if bad.sum() == 1 else 'ies'})"
        )
    return d if d.ndim == 0 else np.expand_dims(d, -2)


def choice(value: Any, name: str, choices: tuple[Any, ...]) -> None:
    """Raise ``invalid_parameter`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise invalid(f"{name} must be one of {{{', '.join(repr(c) for c in choices)}}}; got {value!r}")


def col_min(x: FloatArray) -> FloatArray:
    return np.fmin.reduce(x, axis=-2, keepdims=True)


def col_max(x: FloatArray) -> FloatArray:
    return np.fmax.reduce(x, axis=-2, keepdims=True)


def col_count(x: FloatArray) -> FloatArray:
    return np.sum(~np.isnan(x), axis=-2, keepdims=True).astype(np.float64)


def col_mean(x: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(x, axis=-2, keepdims=True) / col_count(x)


def col_std(x: FloatArray, ddof: int = 1) -> FloatArray:
    """Standard deviation over non-NaN values (two-pass, denominator ``n - ddof``; NaN when ``n <= ddof``)."""
    dev = x - col_mean(x)
    n = col_count(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.nansum(dev * dev, axis=-2, keepdims=True) / (n - ddof)
    var = np.where(n > ddof, var, np.nan)
    return np.sqrt(var)


def safe_divide(num: ArrayLike, den: ArrayLike) -> FloatArray:
    """``num / den`` with 0/0 and x/0 giving NaN instead of warnings or infinities."""
    num_a = np.asarray(num, dtype=np.float64)
    den_a = np.asarray(den, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num_a / den_a
    return np.where(den_a == 0, np.nan, out)


def indicator_frame(main: dict[str, Any], details: dict[str, Any], codes: list[str] | None) -> pd.DataFrame:
    """A long table with one row per indicator (per batch item when batched).

    ``main`` holds the arrays of shape ``(..., m)`` that fix the shape (the first one); ``details``
    entries of that shape become columns, per-batch scalars (shape ``(...)``) are repeated on every row of
    their batch item, anything else (matrices) is left out.
    """
    first = np.asarray(next(iter(main.values())))
    m = first.shape[-1]
    names = list(codes) if codes is not None else [f"I{j + 1}" for j in range(m)]
    if len(names) != m:
        raise invalid(f"codes must name the {m} indicators; got {len(names)} codes")
    batch = first.shape[:-1]
    idx = np.indices((*batch, m)).reshape(len(batch) + 1, -1)
    cols: dict[str, Any] = {f"batch_{axis}": idx[axis] for axis in range(len(batch))}
    cols["indicator"] = np.asarray(names, dtype=object)[idx[-1]]
    for key, value in {**main, **details}.items():
        arr = np.asarray(value)
        if arr.shape == first.shape:
            cols[key] = arr.reshape(-1)
        elif arr.shape == batch:
            cols[key] = np.repeat(arr.reshape(-1), m)
    return pd.DataFrame(cols)


def nan_sorted(x: FloatArray, axis: int = -2) -> tuple[FloatArray, FloatArray]:
    """``x`` sorted along ``axis`` with NaN last, and the non-NaN count (keepdims) along that axis."""
    return np.sort(x, axis=axis), np.sum(~np.isnan(x), axis=axis, keepdims=True).astype(np.float64)


def nan_quantile(x: FloatArray, q: float, axis: int = -2) -> FloatArray:
    """Quantile ignoring NaN (linear interpolation, R type 7 / numpy default), keepdims; NaN if no data."""
    s, n = nan_sorted(x, axis)
    h = (n - 1.0) * q
    lo = np.clip(np.floor(h), 0, None).astype(np.intp)
    hi = np.clip(np.ceil(h), 0, None).astype(np.intp)
    last = max(s.shape[axis] - 1, 0)
    a = np.take_along_axis(s, np.minimum(lo, last), axis=axis)
    b = np.take_along_axis(s, np.minimum(hi, last), axis=axis)
    out = a + (h - np.floor(h)) * (b - a)
    return np.where(n > 0, out, np.nan)
