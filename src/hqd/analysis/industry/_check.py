"""Input checks shared by the industry measures: one located ``HqdError`` for every bad cell."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hqd.errors import Problems


def _label(labels: Sequence[str] | None, k: int) -> str:
    return str(labels[k]) if labels is not None and k < len(labels) else f"#{k}"


def table(
    x: object,
    name: str,
    *,
    regions: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
    min_ndim: int = 2,
    limit: int = 20,
) -> np.ndarray:
    """``x`` as a float array (…, regions, industries) of finite, non-negative values.

    Raises ``HqdError`` with ``invalid_shape``, ``missing_value`` (NaN/inf) or ``negative_value``,
    each problem naming the region and industry (labels when given, else ``#index``).
    """
    arr = np.asarray(x, dtype=float)
    problems = Problems()
    if arr.ndim < min_ndim:
        problems.error("invalid_shape", f"{name} needs at least {min_ndim} axes (…, regions, industries); "
                       f"got shape {arr.shape}")
        problems.raise_if_errors()
    for code, mask, what in (
        ("missing_value", ~np.isfinite(arr), "is missing or infinite (impute or drop it first)"),
        ("negative_value", np.isfinite(arr) & (arr < 0), "is negative; shares need values ≥ 0"),
    ):
        hits = np.argwhere(mask)
        for idx in hits[:limit]:
            r, i = int(idx[-2]), int(idx[-1])
            lead = f" at {tuple(int(v) for v in idx[:-2])}" if arr.ndim > 2 else ""
            problems.error(code, f"{name}[{_label(regions, r)}, {_label(industries, i)}]{lead} = "
                           f"{float(arr[tuple(idx)])!r} {what}", region=_label(regions, r),
                           indicator=_label(industries, i))
        if len(hits) > limit:
            problems.error(code, f"… and {len(hits) - limit} more such cells in {name}")
    problems.raise_if_errors()
    return arr


def same_shape(a: np.ndarray, b: np.ndarray, names: tuple[str, str]) -> None:
    """Raise ``shape_mismatch`` unless ``a`` and ``b`` have one shape."""
    if a.shape != b.shape:
        problems = Problems()
        problems.error("shape_mismatch", f"{names[0]} has shape {a.shape} but {names[1]} has {b.shape}")
        problems.raise_if_errors()


def reference_row(ref: object, x: np.ndarray, name: str = "reference") -> np.ndarray:
    """A reference distribution over industries, shape (…, industries) matching ``x``'s industry axis."""
    arr = np.asarray(ref, dtype=float)
    problems = Problems()
    if arr.ndim < 1 or arr.shape[-1] != x.shape[-1]:
        problems.error("shape_mismatch", f"{name} must have one value per industry ({x.shape[-1]}); "
                       f"got shape {arr.shape}")
    elif not np.isfinite(arr).all() or (arr < 0).any():
        problems.error("negative_value", f"{name} must be finite and ≥ 0")
    problems.raise_if_errors()
    return arr


def industry_index(industries: Sequence[str] | None, key: int | str, n: int) -> int:
    """Position of an industry given by index or label; ``unknown_industry`` lists the valid ones."""
    if isinstance(key, int | np.integer) and not isinstance(key, bool):
        if 0 <= int(key) < n:
            return int(key)
    elif industries is not None and str(key) in list(industries):
        return list(industries).index(str(key))
    valid = ", ".join(map(str, industries)) if industries is not None else f"0–{n - 1}"
    problems = Problems()
    problems.error("unknown_industry", f"no industry {key!r} in the table; valid: {valid}", indicator=str(key))
    problems.raise_if_errors()
    raise AssertionError  # unreachable: raise_if_errors raised
