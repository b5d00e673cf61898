"""The industry measures on an :class:`~hqd.io.industry.IndustryTable`: tidy tables, verdicts, indicators.

Each ``*_table`` function takes a table and a year (or two), calls the array function of
:mod:`~hqd.analysis.industry.concentration` / :mod:`~hqd.analysis.industry.shift_share` once, and
returns a :class:`MeasureTable`: tidy rows (``region``, ``industry`` … with Chinese names), the
estimator's description, and a one-sentence verdict in Chinese and in English.  The CLI and any report
print these; nothing here computes a number its own way.

:func:`industry_indicators` turns the measures into indicator columns (``region, year, indicator,
value``) that an index framework can name under an 产业协同 dimension; :data:`INDICATORS` documents
each one (names, suggested direction, estimator).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hqd.analysis.industry import concentration as conc
from hqd.analysis.industry.io_linkages import io_linkages
from hqd.analysis.industry.shift_share import dynamic_shift_share, shift_share
from hqd.errors import HqdError, Problem
from hqd.io.industry import IndustryTable
from hqd.model import industries as _ind
from hqd.model import regions as _regions

SYNTHETIC_NOTE = "SYNTHETIC DATA — not official statistics (合成数据，非官方统计)"


@dataclass(frozen=True)
class MeasureTable:
    """A measure's result as tidy rows, with its estimator and a bilingual one-sentence verdict."""

    name: str
    frame: pd.DataFrame
    estimator: str
    verdict_zh: str
    verdict_en: str
    synthetic: bool = False
    extra: Mapping[str, pd.DataFrame] | None = None


def region_name(code: str, lang: str = "zh") -> str:
    """Short Chinese (北京, 石家庄) or English name of a region code; the code itself when unknown."""
    try:
        r = _regions.region(code)
    except Exception:  # a group code of the user's own (e.g. an aggregate) has no GB/T 2260 entry
        return code
    return (r.short_zh or r.name_zh) if lang == "zh" else r.name_en


def _industry_name(code: str, lang: str = "zh") -> str:
    try:
        return _ind.industry_name(code, lang)
    except HqdError:
        return code


#: English renderings of the units yearbooks print, for the English verdicts.
UNITS_EN: dict[str, str] = {"亿元": "100 million yuan", "万元": "10,000 yuan", "元": "yuan", "万人": "10,000 persons",
                            "人": "persons", "个": "units", "家": "firms"}


def _unit_en(unit: str) -> str:
    return UNITS_EN.get(unit, unit) if unit else "units of the table"


def _reference(t: IndustryTable, year: int, reference: str) -> np.ndarray | None:
    if reference == "table":
        return None
    if reference == "file":
        ref = t.reference_row(year)
        if ref is None:
            raise HqdError([Problem("missing_reference", "the table has no 全国 (national) row to use as reference; "
                                    "use reference 'table' (the sum of its regions)")])
        return ref
    raise HqdError([Problem("unknown_reference", f"unknown reference {reference!r}; valid: table, file")])


def _args(t: IndustryTable) -> dict[str, Any]:
    return {"regions": t.regions, "industries": t.industries}


def lq_table(t: IndustryTable, year: int, *, reference: str = "table", top: int | None = None) -> MeasureTable:
    """Location quotients of every region and industry in ``year`` (``top``: only each region's highest)."""
    lq = conc.location_quotient(t.matrix(year), _reference(t, year, reference), **_args(t))
    frame = pd.DataFrame(
        {
            "region": np.repeat(t.regions, len(t.industries)),
            "region_zh": np.repeat([region_name(r) for r in t.regions], len(t.industries)),
            "industry": np.tile(t.industries, len(t.regions)),
            "industry_zh": np.tile([_industry_name(i) for i in t.industries], len(t.regions)),
            "year": year,
            "lq": lq.ravel(),
        }
    )
    frame["rank_in_region"] = frame.groupby("region")["lq"].rank(ascending=False, method="first").astype(int)
    if top is not None:
        frame = frame[frame["rank_in_region"] <= top].sort_values(["region", "rank_in_region"], kind="stable")
    best = frame.loc[frame["lq"].idxmax()]
    n_spec = int((lq > 1).sum())
    ref_zh = "全国" if reference == "file" else "表内地区合计"
    ref_en = "the nation" if reference == "file" else "the table's regions pooled"
    return MeasureTable(
        "lq",
        frame.reset_index(drop=True),
        f"location quotient LQ = (x_ri/x_r)/(X_i/X) of {t.measure} against {ref_en}; LQ > 1 = specialised",
        f"{year}年以{ref_zh}为基准，{n_spec}个地区—行业组合的区位熵大于1，最高为{best['region_zh']}的"
        f"{best['industry_zh']}（{best['lq']:.2f}）。",
        f"In {year}, against {ref_en}, {n_spec} region–industry pairs have LQ > 1; the highest is "
        f"{region_name(best['region'], 'en')} in {best['industry']} {_industry_name(best['industry'], 'en').lower()} "
        f"({best['lq']:.2f}).",
        t.synthetic,
    )


def _pairs(matrix: np.ndarray, labels: Sequence[str], value: str) -> pd.DataFrame:
    a, b = np.triu_indices(len(labels), k=1)
    return pd.DataFrame(
        {
            "region_a": np.asarray(labels, dtype=object)[a],
            "region_a_zh": [region_name(labels[int(k)]) for k in a],
            "region_b": np.asarray(labels, dtype=object)[b],
            "region_b_zh": [region_name(labels[int(k)]) for k in b],
            value: matrix[a, b],
        }
    )


def _matrix_frame(matrix: np.ndarray, labels: Sequence[str]) -> pd.DataFrame:
    names = [region_name(r) for r in labels]
    return pd.DataFrame(matrix, index=pd.Index(names, name="region"), columns=names)


def similarity_table(t: IndustryTable, year: int) -> MeasureTable:
    """Structural similarity (UNIDO cosine) of every pair of regions in ``year``: pairs and the matrix."""
    s = conc.structural_similarity(t.matrix(year), **_args(t))
    pairs = _pairs(s, t.regions, "similarity").assign(year=year)
    hi = pairs.loc[pairs["similarity"].idxmax()]
    lo = pairs.loc[pairs["similarity"].idxmin()]
    mean = float(pairs["similarity"].mean())
    return MeasureTable(
        "similarity",
        pairs,
        f"structural similarity coefficient (UNIDO cosine of industry shares of {t.measure}), 0–1; "
        "1 = identical structures (产业同构)",
        f"{year}年各地区两两产业结构相似系数平均为{mean:.3f}；{hi['region_a_zh']}与{hi['region_b_zh']}最相似"
        f"（{hi['similarity']:.3f}），{lo['region_a_zh']}与{lo['region_b_zh']}差异最大（{lo['similarity']:.3f}）。",
        f"In {year} the mean pairwise structural similarity is {mean:.3f}; "
        f"{region_name(hi['region_a'], 'en')}–{region_name(hi['region_b'], 'en')} are the most alike "
        f"({hi['similarity']:.3f}) and {region_name(lo['region_a'], 'en')}–{region_name(lo['region_b'], 'en')} "
        f"the least ({lo['similarity']:.3f}).",
        t.synthetic,
        {"matrix": _matrix_frame(s, t.regions)},
    )


def krugman_table(t: IndustryTable, year: int, *, reference: str = "rest") -> MeasureTable:
    """Krugman specialisation of each region (against the rest, or all regions) and pairwise dissimilarity."""
    k = conc.krugman_specialisation(t.matrix(year), reference, **_args(t))
    d = conc.krugman_dissimilarity(t.matrix(year), **_args(t))
    frame = pd.DataFrame({"region": t.regions, "region_zh": [region_name(r) for r in t.regions],
                          "year": year, "krugman": k})
    top = frame.loc[frame["krugman"].idxmax()]
    low = frame.loc[frame["krugman"].idxmin()]
    ref_zh = {"rest": "其余地区", "total": "全部地区"}.get(reference, reference)
    return MeasureTable(
        "krugman",
        frame,
        f"Krugman specialisation index K = Σ|s_ri − s̄_i| of {t.measure} against {reference} regions, 0–2; "
        "higher = more specialised",
        f"{year}年相对{ref_zh}，{top['region_zh']}的专业化程度最高（克鲁格曼指数{top['krugman']:.3f}），"
        f"{low['region_zh']}最低（{low['krugman']:.3f}）。",
        f"In {year}, against {'the other regions pooled' if reference == 'rest' else 'all regions pooled'}, {region_name(top['region'], 'en')} is the most specialised "
        f"(Krugman index {top['krugman']:.3f}) and {region_name(low['region'], 'en')} the least ({low['krugman']:.3f}).",
        t.synthetic,
        {"dissimilarity": _pairs(d, t.regions, "dissimilarity").assign(year=year)},
    )


def localisation_table(t: IndustryTable, year: int) -> MeasureTable:
    """Hoover coefficient and locational Gini of each industry across the table's regions."""
    x = t.matrix(year)
    frame = pd.DataFrame({
        "industry": t.industries,
        "industry_zh": [_industry_name(i) for i in t.industries],
        "year": year,
        "hoover": conc.hoover_localisation(x, **_args(t)),
        "locational_gini": conc.locational_gini(x, **_args(t)),
    })
    top = frame.loc[frame["locational_gini"].idxmax()]
    return MeasureTable(
        "localisation",
        frame,
        "Hoover localisation coefficient (0–1) and Krugman locational Gini (0–1) of each industry",
        f"{year}年空间分布最集中的行业是{top['industry_zh']}（区位基尼系数{top['locational_gini']:.3f}）。",
        f"In {year} the most localised industry is {top['industry']} {_industry_name(top['industry'], 'en').lower()} "
        f"(locational Gini {top['locational_gini']:.3f}).",
        t.synthetic,
    )


def shift_share_table(t: IndustryTable, start: int, end: int, *, variant: str = "classic",
                      reference: str = "table") -> MeasureTable:
    """Shift-share of ``start``→``end`` (``classic``, or ``dynamic``: chained over every year between)."""
    if variant not in ("classic", "dynamic"):
        raise HqdError([Problem("unknown_variant", f"unknown shift-share variant {variant!r}; valid: classic, dynamic")])
    if end <= start:
        raise HqdError([Problem("invalid_year", f"the end year ({end}) must come after the start year ({start})")])
    if variant == "classic":
        r0, r1 = _reference(t, start, reference), _reference(t, end, reference)
        res = shift_share(t.matrix(start), t.matrix(end), r0, r1, **_args(t))
    else:
        years = [y for y in t.years if start <= y <= end]
        ref = None if reference == "table" else np.stack([_reference(t, y, reference) for y in years])  # type: ignore[misc]
        res = dynamic_shift_share(t.cube(years), ref, **_args(t))
    frame = res.to_frame(t.regions, t.industries)
    frame.insert(1, "region_zh", frame["region"].map(region_name))
    frame.insert(3, "industry_zh", frame["industry"].map(_industry_name))
    by_region = frame.groupby(["region", "region_zh"], sort=False)[
        ["start", "end", "change", "national", "industry_mix", "competitive"]].sum().reset_index()
    total = by_region[["change", "national", "industry_mix", "competitive"]].sum()
    best = by_region.loc[by_region["competitive"].idxmax()]
    return MeasureTable(
        "shift_share",
        frame.assign(start_year=start, end_year=end, variant=variant),
        f"{variant} shift-share of {t.measure} {start}→{end}: change = national + industry mix + competitive "
        f"(reference: {'the nation' if reference == 'file' else 'the table regions pooled, so mix and competitive effects sum to 0 over all regions'})",
        f"{start}—{end}年合计变化{total['change']:.1f}（{t.unit}），其中{'全国' if reference == 'file' else '整体'}增长效应"
        f"{total['national']:.1f}、"
        f"结构效应{total['industry_mix']:.1f}、竞争效应{total['competitive']:.1f}；"
        f"竞争效应最大的是{best['region_zh']}（{best['competitive']:.1f}）。",
        f"From {start} to {end} the total change is {total['change']:.1f} ({_unit_en(t.unit)}): "
        f"national {total['national']:.1f}, industry mix {total['industry_mix']:.1f}, competitive "
        f"{total['competitive']:.1f}; {region_name(best['region'], 'en')} has the largest competitive effect "
        f"({best['competitive']:.1f}).",
        t.synthetic,
        {"by_region": by_region},
    )


def io_table(Z: np.ndarray, x: np.ndarray, sectors: Sequence[str]) -> MeasureTable:
    """Linkages and Rasmussen indices of an IO table, with the key sectors named."""
    res = io_linkages(Z=Z, x=x, sectors=sectors)
    frame = res.to_frame(sectors)
    keys = frame.loc[frame["key_sector"], "sector"].tolist()
    lead = frame.loc[frame["power_of_dispersion"].idxmax(), "sector"]
    return MeasureTable(
        "io",
        frame,
        "Leontief inverse L = (I − A)^-1 (numpy.linalg.inv); Rasmussen power (column sums of L) and "
        "sensitivity (row sums of L) of dispersion, normalised to mean 1",
        f"影响力系数最高的部门是{lead}；影响力与感应度系数均大于1的关键部门："
        f"{'、'.join(map(str, keys)) if keys else '无'}。",
        f"The sector with the highest power of dispersion is {lead}; key sectors (both indices > 1): "
        f"{', '.join(map(str, keys)) if keys else 'none'}.",
        extra={"leontief_inverse": pd.DataFrame(res.L, index=list(sectors), columns=list(sectors))},
    )


#: Indicators an index framework can name (code → Chinese name, English name, suggested direction,
#: estimator).  Directions are suggestions: whether similarity is good depends on the policy goal —
#: the Jing-Jin-Ji plan seeks division of labour, so structural similarity is suggested as a cost.
INDICATORS: dict[str, dict[str, str]] = {
    "ind_similarity_mean": {
        "name_zh": "产业结构相似系数（与其余地区均值）", "name_en": "mean structural similarity with the other regions",
        "direction": "-", "estimator": "UNIDO cosine similarity, mean over the other regions"},
    "ind_krugman": {
        "name_zh": "克鲁格曼专业化指数", "name_en": "Krugman specialisation index (vs the rest)",
        "direction": "+", "estimator": "Σ|s_ri − s̄_i| against the other regions pooled"},
    "ind_lq_max": {
        "name_zh": "最大区位熵", "name_en": "highest location quotient",
        "direction": "+", "estimator": "max over industries of LQ against the table's regions pooled"},
    "ind_coagglomeration": {
        "name_zh": "产业协同集聚指数", "name_en": "co-agglomeration index of two industries",
        "direction": "+", "estimator": "1 − |LQ_a − LQ_b|/(LQ_a + LQ_b) (陈国亮、陈建军 2012)"},
}


def industry_indicators(
    t: IndustryTable,
    *,
    years: Sequence[int] | None = None,
    pair: tuple[str, str] | None = None,
    lq_industries: Sequence[str] = (),
) -> tuple[pd.DataFrame, dict[str, dict[str, str]]]:
    """Industry measures as indicator values ``region, year, indicator, value`` for an 产业协同 dimension.

    Returns the long table and the catalogue of the indicators it holds (:data:`INDICATORS`, plus
    ``ind_lq_<code>`` for each of ``lq_industries`` and ``ind_coagglomeration`` when ``pair`` is
    given).  All years are computed in one call per measure (the leading axis of the cube).
    """
    ys = list(years) if years is not None else t.years
    cube = t.cube(ys)  # (years, regions, industries)
    args = _args(t)
    sim = conc.structural_similarity(cube, **args)
    n = sim.shape[-1]
    values: dict[str, np.ndarray] = {
        "ind_similarity_mean": (sim.sum(axis=-1) - 1.0) / max(n - 1, 1),
        "ind_krugman": conc.krugman_specialisation(cube, "rest", **args),
        "ind_lq_max": conc.location_quotient(cube, **args).max(axis=-1),
    }
    catalogue = {k: INDICATORS[k] for k in values}
    lq = conc.location_quotient(cube, **args)
    for code in lq_industries:
        canon = _ind.normalise_industry_code(code)
        k = t.industries.index(canon) if canon in t.industries else None
        if k is None:
            raise HqdError([Problem("unknown_industry", f"industry {canon} is not in the table; valid: "
                                    f"{', '.join(t.industries)}", indicator=canon)])
        values[f"ind_lq_{canon}"] = lq[..., k]
        catalogue[f"ind_lq_{canon}"] = {"name_zh": f"{_industry_name(canon)}区位熵", "name_en": f"LQ of {canon}",
                                        "direction": "+", "estimator": "LQ against the table's regions pooled"}
    if pair is not None:
        a, b = (_ind.normalise_industry_code(p) for p in pair)
        values["ind_coagglomeration"] = conc.coagglomeration_lq(cube, a, b, **args)
        catalogue["ind_coagglomeration"] = {**INDICATORS["ind_coagglomeration"],
                                            "name_en": f"co-agglomeration of {a} and {b}"}
    frames = [
        pd.DataFrame({"region": np.tile(t.regions, len(ys)), "year": np.repeat(ys, len(t.regions)),
                      "indicator": code, "value": v.ravel()})
        for code, v in values.items()
    ]
    return pd.concat(frames, ignore_index=True), catalogue
