"""Composite-system synergy degree (复合系统协同度) and relative development degree (相对发展度).

Synergy (孟庆松 & 韩文秀 2000): each subsystem j has order parameters e_ji with bounds
β_ji ≤ e_ji ≤ α_ji.  Their order degrees are u_j(e_ji) = (e_ji − β_ji)/(α_ji − β_ji) for a positive
(benefit) parameter and (α_ji − e_ji)/(α_ji − β_ji) for a negative one; the subsystem's order degree
u_j is their weighted sum (``aggregation="linear"``) or geometric mean (``"geometric"``).  Between a
base period 0 and period 1 the synergy degree of the composite system is

    C = θ · (Π_j |u_j¹ − u_j⁰|)^{1/k},   θ = min_j(u_j¹ − u_j⁰) / |min_j(u_j¹ − u_j⁰)|,

in [−1, 1]: positive only when every subsystem became more ordered, its size the geometric mean of the
improvements.

Relative development degree: for two subsystems D = U₁/U₂ with the usual types D ≤ 0.9 "U₁ lagging",
0.9 < D < 1.1 "synchronous", D ≥ 1.1 "U₂ lagging"; for three or more HQD compares each subsystem with the
mean of the others (D_j = U_j / mean_{i≠j} U_i) and names the lagging (D_j ≤ 0.9) and leading (≥ 1.1)
ones.

References
----------
孟庆松, 韩文秀 (2000). 复合系统协调度模型研究. 天津大学学报 33(4), 444–446.
廖重斌 (1999). 环境与经济协调发展的定量评判及其分类体系——以珠江三角洲城市群为例. 热带地理 19(2), 171–177.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hqd.analysis._data import MAX_LISTED, choose, wide_table
from hqd.errors import HqdError, Problems

AGGREGATIONS: tuple[str, ...] = ("linear", "geometric")
BASES: tuple[str, ...] = ("first", "previous")


@dataclass(frozen=True)
class SynergyResult:
    """Order degrees and synergy degrees.

    ``order``: ``region, year, subsystem, order_degree`` (u_j); ``parameters``: ``region, year,
    parameter, subsystem, order_degree`` (u_j(e_ji)); ``bounds``: ``parameter, lower, upper, direction``;
    ``frame``: ``region, year_base, year, synergy, theta``.
    """

    frame: pd.DataFrame
    order: pd.DataFrame
    parameters: pd.DataFrame
    bounds: pd.DataFrame
    base: str
    aggregation: str

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def estimator(self) -> str:
        return (
            f"estimator: composite-system synergy degree (孟庆松 & 韩文秀 2000), {self.aggregation} order "
            f"degrees, base period = {'the first year' if self.base == 'first' else 'the previous year'}; "
            "scale −1 … 1, > 0 only if every subsystem became more ordered; caveat: depends on the bounds α, β"
        )

    def verdict(self, lang: str = "en") -> str:
        last = self.frame.loc[self.frame["year"] == self.frame["year"].max()]
        mean = float(last["synergy"].mean())
        share = float((last["synergy"] > 0).mean())
        year = int(last["year"].iloc[0])
        if lang == "zh":
            return f"{year}年平均协同度为{mean:.3f}，{share:.0%}的地区各子系统有序度同时提升。"
        return f"In {year} the mean synergy degree is {mean:.3f}; in {share:.0%} of the regions every subsystem became more ordered."


def _bounds(
    wide: pd.DataFrame, names: list[str], margin: float, given: Mapping[str, tuple[float, float]] | None
) -> tuple[np.ndarray, np.ndarray]:
    lo = wide[names].min().to_numpy(dtype=float)
    hi = wide[names].max().to_numpy(dtype=float)
    span = np.where(hi > lo, hi - lo, np.abs(hi))
    lower, upper = lo - margin * np.abs(lo), hi + margin * np.abs(hi)
    problems = Problems()
    for i, name in enumerate(names):
        if given and name in given:
            lower[i], upper[i] = given[name]
        if not upper[i] > lower[i]:
            problems.error("bad_bounds", f"upper bound {upper[i]!r} must exceed lower bound {lower[i]!r}", indicator=name)
        elif span[i] == 0 and not (given and name in given):
            problems.error("constant_parameter", "order parameter is constant; give its bounds", indicator=name)
    out = wide[names].to_numpy(dtype=float)
    outside = (out < lower - 1e-12) | (out > upper + 1e-12)
    for r, c in list(zip(*np.nonzero(outside), strict=True))[:MAX_LISTED]:
        region, year = wide.index[r]
        problems.error("outside_bounds", f"value {out[r, c]!r} lies outside [{lower[c]}, {upper[c]}]",
                       indicator=names[c], region=str(region), year=None if pd.isna(year) else int(year))
    problems.raise_if_errors()
    return lower, upper


def synergy(
    data: Any,
    subsystems: Mapping[str, Sequence[str]],
    *,
    directions: Mapping[str, int] | None = None,
    weights: Mapping[str, float] | None = None,
    aggregation: str = "linear",
    base: str = "first",
    margin: float = 0.1,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> SynergyResult:
    r"""Order degrees of each subsystem and the synergy degree of the composite system per region.

    ``subsystems`` maps a subsystem name to its order-parameter columns (≥ 2 subsystems).
    ``directions``: +1 (default) or −1 per parameter.  ``weights``: per parameter, normalised within its
    subsystem (default equal).  Bounds: α = max·(1 + margin), β = min·(1 − margin) over the whole panel
    (the common 10 % widening, so no order degree is exactly 0 or 1), or ``bounds={name: (β, α)}``.
    ``base="first"``: every year against the first year; ``"previous"``: year-on-year.
    Needs a ``year`` column with ≥ 2 years and no missing values (HqdError otherwise).

    Formula: :math:`C = \theta \left(\prod_j |u_j^1 - u_j^0|\right)^{1/k}`.
    Policy: missing order parameters, values outside the bounds, constant parameters → HqdError naming them.
    References: 孟庆松 & 韩文秀 (2000), 天津大学学报 33(4), 444–446.
    """
    choose("aggregation", aggregation, AGGREGATIONS)
    choose("base period", base, BASES)
    if len(subsystems) < 2:
        raise HqdError("a composite system needs at least two subsystems", code="too_few_subsystems")
    names = [str(c) for cols in subsystems.values() for c in cols]
    owner = [str(s) for s, cols in subsystems.items() for _ in cols]
    if len(set(names)) < len(names):
        raise HqdError("an order parameter belongs to more than one subsystem", code="duplicate_variable")
    wide = wide_table(data, names).sort_index(level=["region", "year"])
    if wide.isna().any().any():
        problems = Problems()
        for (region, year), row in wide[wide.isna().any(axis=1)].head(MAX_LISTED).iterrows():
            for name in row.index[row.isna()]:
                problems.error("missing_value", "order parameter is missing", indicator=str(name), region=str(region),
                               year=None if pd.isna(year) else int(year))
        problems.raise_if_errors()
    years = pd.unique(wide.index.get_level_values("year"))
    if len(years) < 2 or pd.isna(years).any():
        raise HqdError("the synergy degree compares periods: it needs a 'year' column with at least two years",
                       code="too_few_years")
    d = np.array([float((directions or {}).get(n, 1)) for n in names])
    if not np.isin(d, (1, -1)).all():
        raise HqdError(f"directions must be +1 or -1; got {dict(directions or {})}", code="bad_directions")
    lower, upper = _bounds(wide, names, margin, bounds)
    x = wide[names].to_numpy(dtype=float)
    u = np.where(d > 0, (x - lower) / (upper - lower), (upper - x) / (upper - lower))
    w = np.array([float((weights or {}).get(n, 1.0)) for n in names])
    owner_arr = np.array(owner)
    systems = [str(s) for s in subsystems]
    order = np.empty((len(x), len(systems)))
    for j, s in enumerate(systems):
        cols = owner_arr == s
        wj = w[cols] / w[cols].sum()
        if aggregation == "linear":
            order[:, j] = u[:, cols] @ wj
        else:
            with np.errstate(divide="ignore"):
                order[:, j] = np.exp(np.log(u[:, cols]) @ wj)
    regions = wide.index.get_level_values("region").to_numpy()
    yr = wide.index.get_level_values("year").to_numpy()
    rows = []
    for region in pd.unique(regions):
        idx = np.flatnonzero(regions == region)  # sorted by year
        for pos in range(1, len(idx)):
            b = idx[0] if base == "first" else idx[pos - 1]
            diff = order[idx[pos]] - order[b]
            nonzero = diff[diff != 0]
            theta = 0.0 if not len(nonzero) else float(np.sign(nonzero.min()))
            value = theta * float(np.prod(np.abs(diff)) ** (1 / len(diff)))
            rows.append({"region": region, "year_base": int(yr[b]), "year": int(yr[idx[pos]]), "synergy": value, "theta": theta})
    n, k = order.shape
    order_frame = pd.DataFrame({"region": np.repeat(regions, k), "year": np.repeat(yr, k).astype(int),
                                "subsystem": np.tile(systems, n), "order_degree": order.reshape(-1)})
    params = pd.DataFrame({"region": np.repeat(regions, len(names)), "year": np.repeat(yr, len(names)).astype(int),
                           "parameter": np.tile(names, n), "subsystem": np.tile(owner, n), "order_degree": u.reshape(-1)})
    bounds_frame = pd.DataFrame({"parameter": names, "subsystem": owner, "lower": lower, "upper": upper, "direction": d.astype(int)})
    return SynergyResult(frame=pd.DataFrame(rows), order=order_frame, parameters=params, bounds=bounds_frame,
                         base=base, aggregation=aggregation)


# ------------------------------------------------------------------------------------------- relative development
@dataclass(frozen=True)
class RelativeDevelopment:
    """``frame``: ``region, year, D_<subsystem>…, type, type_en, type_zh``; two subsystems give one D."""

    frame: pd.DataFrame
    subsystems: tuple[str, ...]
    lower: float
    upper: float

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def estimator(self) -> str:
        how = ("D = U₁/U₂" if len(self.subsystems) == 2 else "D_j = U_j / mean of the other subsystems")
        return (f"estimator: relative development degree, {how}; synchronous within ({self.lower}, {self.upper}); "
                "caveat: the subsystem scores must share one scale (e.g. all normalised to 0–1)")

    def verdict(self, lang: str = "en") -> str:
        counts = self.frame["type_zh" if lang == "zh" else "type_en"].value_counts()
        top, n = counts.index[0], int(counts.iloc[0])
        if lang == "zh":
            return f"最常见的类型是{top}（{n}个地区-年份，占{n / len(self.frame):.0%}）。"
        return f"The most common type is '{top}' ({n} region-years, {n / len(self.frame):.0%})."


def relative_development(
    data: Any,
    subsystems: Sequence[str],
    *,
    lower: float = 0.9,
    upper: float = 1.1,
    labels_zh: Mapping[str, str] | None = None,
) -> RelativeDevelopment:
    r"""Relative development degree of two or more subsystem scores, with its type label.

    Two subsystems: D = U₁/U₂; D ≤ ``lower`` → "<U₁> lagging" (<U₁>滞后型), D ≥ ``upper`` →
    "<U₂> lagging", else synchronous (同步型) (廖重斌 1999's classification).  Three or more:
    D_j = U_j / mean_{i≠j} U_i; the type names every subsystem with D_j ≤ ``lower`` as lagging, else
    every one with D_j ≥ ``upper`` as leading (超前型), else synchronous.  Scores must be > 0.

    Formula: :math:`D = U_1 / U_2;\ D_j = U_j / \overline{U}_{-j}`.
    Policy: scores > 0 and finite (else HqdError naming region, year, subsystem).
    References: 廖重斌 (1999), 热带地理 19(2), 171–177.
    """
    names = [str(s) for s in subsystems]
    if len(names) < 2:
        raise HqdError("relative development needs at least two subsystems", code="too_few_subsystems")
    if not 0 < lower < 1 < upper:
        raise HqdError(f"thresholds must satisfy 0 < lower < 1 < upper; got {lower}, {upper}", code="bad_thresholds")
    wide = wide_table(data, names)
    u = wide.to_numpy(dtype=float)
    bad = ~np.isfinite(u) | (u <= 0)
    if bad.any():
        problems = Problems()
        for r, c in list(zip(*np.nonzero(bad), strict=True))[:MAX_LISTED]:
            region, year = wide.index[r]
            problems.error("non_positive_value", f"score {u[r, c]!r} must be a positive number", indicator=names[c],
                           region=str(region), year=None if pd.isna(year) else int(year))
        problems.raise_if_errors()
    zh = {n: (labels_zh or {}).get(n, n) for n in names}
    out = wide.reset_index()[["region", "year"]]
    labels: list[tuple[str, str, str]] = []
    if len(names) == 2:
        ratio = u[:, 0] / u[:, 1]
        out[f"D_{names[0]}_{names[1]}"] = ratio
        for v in ratio:
            if v <= lower:
                labels.append((f"lagging:{names[0]}", f"{names[0]} lagging", f"{zh[names[0]]}滞后型"))
            elif v >= upper:
                labels.append((f"lagging:{names[1]}", f"{names[1]} lagging", f"{zh[names[1]]}滞后型"))
            else:
                labels.append(("synchronous", "synchronous", "同步型"))
    else:
        k = len(names)
        others = (u.sum(axis=1, keepdims=True) - u) / (k - 1)
        ratio = u / others
        for j, n in enumerate(names):
            out[f"D_{n}"] = ratio[:, j]
        for row in ratio:
            lag = [names[j] for j in np.flatnonzero(row <= lower)]
            lead = [names[j] for j in np.flatnonzero(row >= upper)]
            if lag:
                labels.append(("lagging:" + "+".join(lag), " & ".join(lag) + " lagging",
                               "、".join(zh[s] for s in lag) + "滞后型"))
            elif lead:
                labels.append(("leading:" + "+".join(lead), " & ".join(lead) + " leading",
                               "、".join(zh[s] for s in lead) + "超前型"))
            else:
                labels.append(("synchronous", "synchronous", "同步型"))
    out["type"], out["type_en"], out["type_zh"] = ([t[i] for t in labels] for i in range(3))
    return RelativeDevelopment(frame=out, subsystems=tuple(names), lower=lower, upper=upper)
