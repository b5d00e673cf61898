"""Deflate nominal money series to constant prices of a base year with a user-supplied price index.

Two index forms, named as the NBS publishes them:

- ``kind="chain"``: previous year = 100 (上年=100), e.g. the CPI table "居民消费价格指数(上年=100)";
  the price level relative to the base year ``b`` is
  ``P_t / P_b = Π_{s=b+1..t} c_s/100`` for ``t > b`` and ``1 / Π_{s=t+1..b} c_s/100`` for ``t < b``
  (computed as ``exp(L_t − L_b)`` with ``L_t = Σ_{s ≤ t} log(c_s/100)``);
- ``kind="fixed"``: a fixed base (e.g. 1978 = 100 or 2010 = 100): ``P_t / P_b = I_t / I_b``.

Real value: ``x_t^real = x_t / (P_t / P_b)`` (constant prices of year ``b``).  The index is by region
(a ``region`` column; CPI or GDP deflator per province) or national (no ``region`` column: one series
for all regions).  Missing-value policy: a year whose index is missing — or, for a chain index, any
year between it and the base — cannot be deflated; every such (region, year) with a value is an
error ``price_index_missing``, never a silently wrong number.  Only money units (元, 万元, 亿元,
美元 …) deflate (``deflate_not_money`` otherwise).  The deflation is recorded in ``conversions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problems
from hqd.io.readers.panel import OfficialPanel
from hqd.io.readers.units import parse_unit

KINDS = ("chain", "fixed")


def price_level(index: pd.DataFrame, *, base_year: int, kind: str) -> pd.DataFrame:
    """``P_t / P_b`` per (region, year) from an index table (``year``, ``value``, optional ``region``).

    Returns the table with a column ``level`` (NaN where it cannot be computed: see module notes).
    """
    if kind not in KINDS:
        raise HqdError(
            f"unknown price index kind {kind!r}; valid: {', '.join(KINDS)}", code="index_kind_unknown"
        )
    idx = index.copy()
    if "region" not in idx.columns:
        idx["region"] = "*"
    idx["year"] = idx["year"].astype(int)
    idx["value"] = pd.to_numeric(idx["value"], errors="coerce").astype(float)
    lo, hi = min(int(idx["year"].min()), base_year), max(int(idx["year"].max()), base_year)
    regions = np.asarray(pd.unique(idx["region"]), dtype=object)
    full = pd.MultiIndex.from_product([regions, np.arange(lo, hi + 1)], names=["region", "year"])
    series = idx.set_index(["region", "year"])["value"].reindex(full)
    grid = series.to_numpy().reshape(len(regions), hi - lo + 1)  # regions × years
    b = base_year - lo
    if kind == "fixed":
        level = grid / grid[:, [b]]
    else:
        logc = np.log(grid / 100.0)
        ok = ~np.isnan(logc)
        cum = np.cumsum(np.where(ok, logc, 0.0), axis=1)
        gaps = np.cumsum(~ok, axis=1)
        level = np.exp(cum - cum[:, [b]])
        # a gap in (b, t] for t > b, or in (t, b] for t < b, breaks the chain
        years = np.arange(hi - lo + 1)
        broken = np.where(years[None, :] >= b, gaps - gaps[:, [b]] > 0, gaps[:, [b]] - gaps > 0)
        level = np.where(broken, np.nan, level)
    out = pd.DataFrame(
        {
            "region": np.repeat(regions, hi - lo + 1),
            "year": np.tile(np.arange(lo, hi + 1), len(regions)),
            "level": level.ravel(),
        }
    )
    return out


def deflate(
    panel: OfficialPanel,
    index: pd.DataFrame,
    *,
    base_year: int,
    kind: str,
    indicators: Sequence[str] | None = None,
    index_name: str = "price index",
) -> OfficialPanel:
    """Nominal money indicators at constant ``base_year`` prices (see the module docstring).

    Parameters
    ----------
    panel : the panel (values in current prices)
    index : DataFrame with ``year``, ``value`` and optionally ``region`` (codes as in the panel)
    base_year : year whose prices the result is in
    kind : ``"chain"`` (previous year = 100) or ``"fixed"`` (fixed base = 100)
    indicators : which indicators (default: every indicator whose unit is money)
    index_name : a label recorded in the manifest, e.g. ``"CPI (上年=100), NBS"``
    """
    problems = Problems()
    money = [i for i, u in panel.units.items() if (pu := parse_unit(u)) is not None and pu.is_money]
    targets = list(indicators) if indicators is not None else money
    for ind in targets:
        if ind not in panel.units:
            problems.error("unknown_indicator", f"no indicator {ind!r} in the panel", indicator=ind)
        elif ind not in money:
            problems.error(
                "deflate_not_money",
                f"unit {panel.units[ind]!r} is not money; only money deflates",
                indicator=ind,
            )
    problems.raise_if_errors()
    levels = price_level(index, base_year=base_year, kind=kind)
    national = "region" not in index.columns
    data = panel.data.copy()
    key = np.full(len(data), "*", dtype=object) if national else data["region"].to_numpy(dtype=object)
    lookup = levels.set_index(["region", "year"])["level"]
    mi = pd.MultiIndex.from_arrays([key, data["year"].to_numpy()])
    lv = lookup.reindex(mi).to_numpy()
    mask = data["indicator"].isin(targets).to_numpy()
    bad = mask & np.isnan(lv) & ~np.isnan(data["value"].to_numpy(dtype=float))
    for i in np.flatnonzero(bad)[:50]:
        row = data.iloc[i]
        problems.error(
            "price_index_missing",
            f"no {index_name} level for this year relative to {base_year} ({kind} index)",
            region=str(row["region"]),
            year=int(row["year"]),
            indicator=str(row["indicator"]),
        )
    if bad.sum() > 50:
        problems.error(
            "price_index_missing", f"… and {int(bad.sum()) - 50} more values without an index level"
        )
    problems.raise_if_errors()
    values = data["value"].to_numpy(dtype=float)
    data.loc[mask, "value"] = values[mask] / lv[mask]
    units = dict(panel.units)
    conversions = list(panel.conversions)
    for ind in targets:
        n = int((data["indicator"] == ind).sum())
        conversions.append(
            {
                "kind": "deflate",
                "indicator": ind,
                "index": index_name,
                "index_kind": kind,
                "base_year": base_year,
                "by": "national" if national else "region",
                "rows": n,
                "description": f"{ind}: deflated to constant {base_year} prices with {index_name} "
                f"({'previous year = 100 chain' if kind == 'chain' else 'fixed base'}, "
                f"{'national' if national else 'by region'}), {n} rows",
            }
        )
        units[ind] = f"{units[ind]}, constant {base_year} prices"
    return replace(panel, data=data, units=units, conversions=conversions)
