"""The result of an index build: scores, ranks, grades, weights, intermediates and a manifest;
growth, the drivers of growth and the generated narrative.

Scores are kept as a cube ``(N nodes, T years, R regions)`` and exposed as tables: ``scores`` (long:
``region, year, node, level, score, rank, group_rank``), ``score_table()`` (wide) and ``weights``
(``node, parent, year, method, weight, effective_weight``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from math import factorial
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from hqd import growth as gm
from hqd.errors import HqdError, Problem
from hqd.model.framework import Framework
from hqd.model.panel import Panel
from hqd.model.recipe import Recipe


def _package_version() -> str:
    """The installed distribution's version (importlib.metadata): result.py does not import the package
    root (an import up a floor)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hqd")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


DEFAULT_GRADES = {
    "quantiles": [0.25, 0.5, 0.75],
    "labels_zh": ["较低水平", "中等水平", "较高水平", "高水平"],
    "labels_en": ["low", "medium", "upper-middle", "high"],
}


@dataclass(frozen=True)
class Result:
    """Everything a build produced.  Build one with :func:`hqd.run`."""

    framework: Framework
    panel: Panel
    recipe: Recipe
    nodes: list[str]
    cube: np.ndarray  # (N, T, R)
    effective: Mapping[str, np.ndarray]
    steps: Mapping[str, np.ndarray]
    weight_rows: Sequence[Mapping[str, Any]]
    intermediates: Mapping[str, pd.DataFrame]
    logs: Mapping[str, pd.DataFrame]
    warnings: Sequence[Problem]
    policies: Mapping[str, Any]
    extra_manifest: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def assemble(cls, *, framework: Framework, panel: Panel, recipe: Recipe,
                 node_scores: Mapping[str, np.ndarray], effective: Mapping[str, np.ndarray],
                 trace_steps: Mapping[str, np.ndarray], weights: Sequence[Mapping[str, Any]],
                 intermediates: Mapping[str, pd.DataFrame], logs: Mapping[str, pd.DataFrame],
                 warnings: Sequence[Problem], policies: Mapping[str, Any]) -> Result:
        order = [framework.index_code, *[c for c in framework.nodes.index if c != framework.index_code]]
        cube = np.stack([np.asarray(node_scores[c], dtype=float) for c in order])
        return cls(framework=framework, panel=panel, recipe=recipe, nodes=order, cube=cube,
                   effective=effective, steps=trace_steps, weight_rows=weights,
                   intermediates=intermediates, logs=logs, warnings=list(warnings), policies=policies)

    # ------------------------------------------------------------------ basic views
    @property
    def regions(self) -> list[str]:
        return self.panel.regions

    @property
    def years(self) -> np.ndarray:
        return self.panel.years

    @property
    def index_code(self) -> str:
        return self.framework.index_code

    def node_scores(self, node: str) -> pd.DataFrame:
        """Scores of one node as a ``year × region`` table."""
        return pd.DataFrame(self.cube[self.nodes.index(node)], index=pd.Index(self.years, name="year"),
                            columns=pd.Index(self.regions, name="region"))

    @cached_property
    def ranks(self) -> np.ndarray:
        """Ranks (N, T, R): 1 + the number of regions with a strictly higher score; NaN for NaN."""
        return _rank_desc(self.cube)

    @cached_property
    def group_ranks(self) -> np.ndarray:
        """Ranks within the region group named by the recipe's ``rank_group`` (NaN without one)."""
        column = self.recipe.rank_group
        out = np.full(self.cube.shape, np.nan)
        if not column or column not in self.panel.region_meta.columns:
            return out
        labels = self.panel.group_labels(column).to_numpy()
        for label in pd.unique(labels[pd.notna(labels)]):
            members = np.flatnonzero(labels == label)
            out[..., members] = _rank_desc(self.cube[..., members])
        return out

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Long table ``region, year, node, level, score, rank, group_rank, contribution`` (node order, year,
        region); ``contribution`` is the node's score × its effective weight (:attr:`contributions`)."""
        n, t, r = self.cube.shape
        levels = self.framework.nodes["level"].reindex(self.nodes).to_numpy(dtype=int)
        # Categoricals keep the table light on large panels (7 M rows for 2,900 regions × 20 years × 125 nodes).
        region = pd.Categorical.from_codes(np.tile(np.arange(r), n * t), categories=pd.Index(self.regions))
        node = pd.Categorical.from_codes(np.repeat(np.arange(n), t * r), categories=pd.Index(self.nodes))
        return pd.DataFrame({
            "region": region,
            "year": np.tile(np.repeat(self.years, r), n),
            "node": node,
            "level": np.repeat(levels, t * r),
            "score": self.cube.reshape(-1),
            "rank": self.ranks.reshape(-1),
            "group_rank": self.group_ranks.reshape(-1),
            "contribution": self.contributions.reshape(-1),
        })

    @cached_property
    def contributions(self) -> np.ndarray:
        """Each node's contribution to the index (N, T, R): its score × its effective weight.

        Under global weights (综合权重) with arithmetic means a dimension's contribution is its partial sum
        Σ_{j∈k} w_j·x′_j, and the dimensions' contributions add up to the index; its ``score`` is that
        partial sum divided by its attainable maximum Σ_{j∈k} w_j (the weighted mean of its indicators).
        """
        eff = np.stack([np.broadcast_to(np.asarray(self.effective.get(c, np.nan), dtype=float), self.years.shape)
                        for c in self.nodes])  # (N, T)
        return self.cube * eff[:, :, None]

    def score_table(self, nodes: Sequence[str] | None = None) -> pd.DataFrame:
        """Wide table: one row per (region, year), one column per node (default: aggregates)."""
        chosen = list(nodes) if nodes is not None else [c for c in self.nodes
                                                        if c in set(self.framework.aggregates)]
        idx = [self.nodes.index(c) for c in chosen]
        n, t, r = self.cube[idx].shape
        data = self.cube[idx].transpose(2, 1, 0).reshape(r * t, n)  # region-major
        index = pd.MultiIndex.from_arrays([np.repeat(np.asarray(self.regions, dtype=object), t),
                                           np.tile(self.years, r)], names=["region", "year"])
        return pd.DataFrame(data, index=index, columns=chosen)

    @cached_property
    def weights(self) -> pd.DataFrame:
        """``node, parent, year, method, weight, effective_weight`` (year NaN when pooled)."""
        rows: list[dict[str, Any]] = []
        for item in self.weight_rows:
            w = np.asarray(item["weight"], dtype=float)
            eff = np.asarray(self.effective[item["node"]], dtype=float)
            if w.ndim == 0 and eff.ndim == 0:
                rows.append({"node": item["node"], "parent": item["parent"], "year": np.nan,
                             "method": item["method"], "weight": float(w), "effective_weight": float(eff)})
                continue
            w_y = np.broadcast_to(w, self.years.shape)
            e_y = np.broadcast_to(eff, self.years.shape)
            for year, wv, ev in zip(self.years, w_y, e_y, strict=True):
                rows.append({"node": item["node"], "parent": item["parent"], "year": int(year),
                             "method": item["method"], "weight": float(wv), "effective_weight": float(ev)})
        frame = pd.DataFrame(rows, columns=["node", "parent", "year", "method", "weight", "effective_weight"])
        order = {c: i for i, c in enumerate(self.nodes)}
        return frame.sort_values(["year", "node"], key=lambda s: s.map(order) if s.name == "node" else s,
                                 na_position="first", kind="stable").reset_index(drop=True)

    def step_table(self, step: str) -> pd.DataFrame:
        """The indicator values after ``step`` (raw, denominated, imputed, treated, normalised) as a
        ``(region, year) × indicator`` table."""
        if step not in self.steps:
            raise HqdError(f"no step {step!r} in this run; steps: {', '.join(self.steps)}", code="unknown_step")
        wide = self.panel.wide(self.steps[step])
        return wide

    # ------------------------------------------------------------------ grades
    @cached_property
    def grades(self) -> pd.DataFrame:
        """Grade of the index and the dimensions for every region-year (cut-offs from the recipe, or
        the pooled quartiles of each node by default)."""
        spec = dict(self.recipe.grades or DEFAULT_GRADES)
        rows = []
        for node in [self.index_code, *self.framework.dimensions]:
            values = self.cube[self.nodes.index(node)]
            if "cuts" in spec:
                cuts = np.asarray(spec["cuts"], dtype=float)
            else:
                cuts = np.nanquantile(values, spec.get("quantiles", DEFAULT_GRADES["quantiles"]))
            labels_zh = spec.get("labels_zh") or spec.get("labels") or [f"{i + 1}" for i in range(len(cuts) + 1)]
            labels_en = spec.get("labels_en") or labels_zh
            klass = np.searchsorted(cuts, values, side="right")
            frame = pd.DataFrame({"region": np.tile(np.asarray(self.regions, dtype=object), len(self.years)),
                                  "year": np.repeat(self.years, len(self.regions)), "node": node,
                                  "score": values.reshape(-1), "grade": klass.reshape(-1) + 1})
            frame["grade_zh"] = np.asarray(labels_zh, dtype=object)[np.minimum(klass, len(cuts))].reshape(-1)
            frame["grade_en"] = np.asarray(labels_en, dtype=object)[np.minimum(klass, len(cuts))].reshape(-1)
            missing = np.isnan(frame["score"].to_numpy())
            frame.loc[missing, ["grade", "grade_zh", "grade_en"]] = None
            rows.append(frame)
        return pd.concat(rows, ignore_index=True)

    # ------------------------------------------------------------------ groups of regions
    def group_scores(self, column: str, method: str | None = None, weight_column: str | None = None,
                     nodes: Sequence[str] | None = None) -> pd.DataFrame:
        """Scores of region groups (e.g. Hebei's cities): mean (default), median or weighted mean of the
        members, per node and year.  Returns ``group, year, node, score``."""
        conf = dict(self.recipe.group_aggregation)
        method = method or conf.get("method", "mean")
        weight_column = weight_column or conf.get("weight_column")
        if column not in self.panel.region_meta.columns:
            raise HqdError(f"no region group column {column!r}; available: "
                           + ", ".join(map(str, self.panel.region_meta.columns)), code="unknown_group")
        labels = self.panel.group_labels(column).to_numpy()
        chosen = list(nodes) if nodes is not None else self.nodes
        idx = [self.nodes.index(c) for c in chosen]
        frames = []
        for label in pd.unique(labels[pd.notna(labels)]):
            members = labels == label
            block = self.cube[idx][..., members]
            if method == "median":
                with warnings.catch_warnings():  # an all-missing group-year is NaN, by design
                    warnings.simplefilter("ignore", RuntimeWarning)
                    values = np.nanmedian(block, axis=-1)
            elif method == "weighted_mean":
                weights = pd.to_numeric(self.panel.region_meta[weight_column].reindex(self.regions),
                                        errors="coerce").to_numpy()[members]
                ok = np.isfinite(block)
                values = np.nansum(block * weights, axis=-1) / np.where(ok, weights, 0).sum(axis=-1)
            else:
                count = np.isfinite(block).sum(axis=-1)
                values = np.where(count > 0, np.nansum(block, axis=-1) / np.maximum(count, 1), np.nan)
            frames.append(pd.DataFrame({"group": label, "year": np.tile(self.years, len(chosen)),
                                        "node": np.repeat(np.asarray(chosen, dtype=object), len(self.years)),
                                        "score": values.reshape(-1), "method": method}))
        return pd.concat(frames, ignore_index=True)

    def for_groups(self, column: str, method: str | None = None, weight_column: str | None = None,
                   name_en_column: str | None = None) -> Result:
        """The result seen at the level of region groups (e.g. Beijing / Tianjin / Hebei's cities): every node's
        score of a group is the named aggregation of its members' (mean by default, weighted mean, median).

        Growth, drivers and narratives then work per group: ``r.for_groups("province_zh").narrative("河北")``.
        With the (weighted) mean and arithmetic aggregation the dimension contributions stay exact, because a
        mean of weighted sums is the weighted sum of the means; with the median they are not, and the
        decomposition is labelled approximate.
        """
        from dataclasses import replace

        table = self.group_scores(column, method=method, weight_column=weight_column)
        groups = list(pd.unique(table["group"]))
        cube = (table.set_index(["node", "year", "group"])["score"]
                .unstack("group").reindex(columns=groups)
                .reindex(pd.MultiIndex.from_product([self.nodes, self.years], names=["node", "year"]))
                .to_numpy().reshape(len(self.nodes), len(self.years), len(groups)))
        names_en = groups
        if name_en_column and name_en_column in self.panel.region_meta.columns:
            pairs = self.panel.region_meta[[column, name_en_column]].dropna().drop_duplicates(column)
            lookup = dict(zip(pairs[column], pairs[name_en_column], strict=True))
            names_en = [str(lookup.get(g, g)) for g in groups]
        meta = pd.DataFrame({"name_zh": groups, "name_en": names_en}, index=pd.Index(groups, name="code"))
        panel = replace(self.panel, regions=groups, region_meta=meta)
        used = table["method"].iloc[0] if len(table) else "mean"
        policies = {**self.policies, "region_groups": {"column": column, "aggregation": used}}
        return replace(self, cube=cube, panel=panel, policies=policies)

    def yoy(self, node: str | None = None) -> pd.DataFrame:
        """Year-on-year growth (%) of ``node`` (default: the index) for every region and year."""
        node = node or self.index_code
        values = self.cube[self.nodes.index(node)]  # (T, R)
        rates = gm.year_on_year(values.T).T
        return pd.DataFrame({"region": np.tile(np.asarray(self.regions, dtype=object), len(self.years)),
                             "year": np.repeat(self.years, len(self.regions)), "node": node,
                             "value": values.reshape(-1), "yoy_pct": rates.reshape(-1)})

    def group_values(self, column: str, step: str = "raw", method: str = "sum") -> pd.DataFrame:
        """Indicator values after ``step`` summed (or averaged: ``method="mean"``) over each region group —
        e.g. a region's total R&D expenditure, to tie out against published totals.
        Returns ``group, year, indicator, value, n_regions``."""
        if column not in self.panel.region_meta.columns:
            raise HqdError(f"no region group column {column!r}", code="unknown_group")
        if step not in self.steps:
            raise HqdError(f"no step {step!r} in this run; steps: {', '.join(self.steps)}", code="unknown_step")
        cube = self.steps[step]  # (T, R, m)
        labels = self.panel.group_labels(column).to_numpy()
        frames = []
        for label in pd.unique(labels[pd.notna(labels)]):
            block = cube[:, labels == label, :]
            values = np.nansum(block, axis=1) if method == "sum" else np.nanmean(block, axis=1)
            count = np.isfinite(block).sum(axis=1)
            frames.append(pd.DataFrame({
                "group": label, "year": np.repeat(self.years, len(self.panel.indicators)),
                "indicator": np.tile(np.asarray(self.panel.indicators, dtype=object), len(self.years)),
                "value": np.where(count > 0, values, np.nan).reshape(-1), "n_regions": count.reshape(-1)}))
        return pd.concat(frames, ignore_index=True)

    # ------------------------------------------------------------------ growth and drivers
    def _series(self, node: str, region: str) -> np.ndarray:
        if region not in self.regions:
            raise HqdError(f"unknown region {region!r}", code="unknown_region")
        return self.cube[self.nodes.index(node), :, self.regions.index(region)]

    def _year_index(self, year: int) -> int:
        years = self.years.tolist()
        if year not in years:
            raise HqdError(f"year {year} is not in the results ({years[0]}–{years[-1]})", code="unknown_year")
        return years.index(year)

    def growth(self, start: int | None = None, end: int | None = None, node: str | None = None,
               cagr_method: str = "endpoint") -> pd.DataFrame:
        """Per region: start and end value, total growth %, CAGR % (``endpoint`` over end − start
        intervals, or ``loglinear`` trend), the multiple, and the mean year-on-year growth."""
        node = node or self.index_code
        start = int(start if start is not None else self.years[0])
        end = int(end if end is not None else self.years[-1])
        i0, i1 = self._year_index(start), self._year_index(end)
        values = self.cube[self.nodes.index(node)]  # (T, R)
        v0, v1 = values[i0], values[i1]
        window = values[i0:i1 + 1].T
        rate = gm.cagr(v0, v1, end - start) if cagr_method == "endpoint" else \
            gm.loglinear_cagr(self.years[i0:i1 + 1], window)
        return pd.DataFrame({
            "region": self.regions, "node": node, "start_year": start, "end_year": end,
            "start": v0, "end": v1, "total_growth_pct": gm.total_growth(v0, v1),
            "cagr_pct": rate, "cagr_method": cagr_method, "multiple": gm.multiple(v0, v1),
            "mean_yoy_pct": gm.mean_annual_growth(window) if i1 > i0 else np.nan,
        })

    def drivers(self, start: int | None = None, end: int | None = None, node: str | None = None) -> pd.DataFrame:
        """Contribution of each child of ``node`` (default: the index → the dimensions) to its change.

        Arithmetic aggregation: exact, c_k = w_k·ΔI_k (or ΔS_k for partial sums), share = c_k/ΔI·100,
        percentage points = c_k/I_0·100 (METHODS.md §2.15).  Geometric mean: log-linear decomposition,
        share_k = w_k·Δln I_k / Δln I.  Other aggregations: Shapley decomposition over the children.
        Returns ``region, child, start, end, contribution, share_pct, points_pct, decomposition``.
        """
        node = node or self.index_code
        start = int(start if start is not None else self.years[0])
        end = int(end if end is not None else self.years[-1])
        i0, i1 = self._year_index(start), self._year_index(end)
        kids = self.framework.children[node]
        if not kids:
            raise HqdError(f"{node!r} is an indicator: it has no children to decompose", code="invalid_node")
        level = int(self.framework.nodes.at[node, "level"])
        agg = self.recipe.step("aggregate").choose(level=level, code=node)
        parent = self.cube[self.nodes.index(node)]
        child = np.stack([self.cube[self.nodes.index(k)] for k in kids])  # (k, T, R)
        w = np.stack([np.broadcast_to(self._within(k), self.years.shape) for k in kids])  # (k, T)
        p0, p1 = parent[i0], parent[i1]
        c0, c1 = child[:, i0], child[:, i1]
        w0 = w[:, i0][:, None]
        delta = p1 - p0
        from hqd.methods import catalog

        method = catalog.get("aggregate", agg.method)
        kwargs = method.call_params(agg.params)
        if method.properties.decomposable:
            partial = self.policies.get("aggregate_scores") == "partial_sum"
            # Global weights (综合权重): the change of each child's partial sum w·S, exact with weights by year.
            contribution = (w[:, i1][:, None] * c1 - w0 * c0) if partial else w0 * (c1 - c0)
            groups = self.policies.get("region_groups")
            kind = "additive (approximate: median of group members)" if groups and \
                groups.get("aggregation") == "median" else "additive (exact)"
        elif method.power(kwargs) == 0.0:  # a geometric mean: additive in logs
            with np.errstate(divide="ignore", invalid="ignore"):
                dlog = np.log(c1) - np.log(c0)
                total_log = np.log(p1) - np.log(p0)
                share = w0 * dlog / total_log
            contribution = share * delta
            kind = "log-linear"
        else:
            contribution = self._shapley(node, kids, agg.method, dict(agg.params), i0, i1)
            kind = "shapley"
        with np.errstate(divide="ignore", invalid="ignore"):
            share_pct = contribution / delta * 100.0
            points = contribution / p0 * 100.0
        k, r = contribution.shape
        return pd.DataFrame({
            "region": np.tile(np.asarray(self.regions, dtype=object), k),
            "child": np.repeat(np.asarray(kids, dtype=object), r),
            "start_year": start, "end_year": end,
            "start": c0.reshape(-1), "end": c1.reshape(-1),
            "contribution": contribution.reshape(-1), "share_pct": share_pct.reshape(-1),
            "points_pct": points.reshape(-1), "decomposition": kind,
        })

    def _within(self, code: str) -> np.ndarray:
        parent = self.framework.nodes.at[code, "parent"]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(self.effective[code]) / np.asarray(self.effective[parent])

    def _shapley(self, node: str, kids: list[str], method: str, params: dict[str, Any], i0: int,
                 i1: int) -> np.ndarray:
        """Shapley contributions (k, R) of the children to the change of a mean-type aggregate."""
        from hqd.methods import catalog

        func = catalog.get("aggregate", method)
        if func.properties.ranking:
            raise HqdError("drivers of a TOPSIS node: decompose a level below it, or use an additive "
                           "aggregation; TOPSIS distances are not separable by dimension",
                           code="not_decomposable")
        kwargs = func.call_params(params)
        child = np.stack([self.cube[self.nodes.index(k)] for k in kids])  # (k, T, R)
        w = np.stack([np.broadcast_to(self._within(k), self.years.shape) for k in kids])[:, i0]
        c0, c1 = child[:, i0].T, child[:, i1].T  # (R, k)
        k = len(kids)

        def value(mask: tuple[bool, ...]) -> np.ndarray:
            mix = np.where(np.asarray(mask)[None, :], c1, c0)
            return np.asarray(getattr(func(mix, w, **kwargs), "values", func(mix, w, **kwargs)))

        cache = {mask: value(mask) for mask in itertools.product((False, True), repeat=k)}
        out = np.zeros((k, c0.shape[0]))
        for j in range(k):
            for mask, v in cache.items():
                if mask[j]:
                    continue
                size = sum(mask)
                weight = factorial(size) * factorial(k - size - 1) / factorial(k)
                with_j = tuple(True if i == j else m for i, m in enumerate(mask))
                out[j] += weight * (cache[with_j] - v)
        return out

    def narrative(self, region: str, start: int | None = None, end: int | None = None, lang: str = "zh",
                  n_drivers: int = 2) -> str:
        """The growth sentence a Blue Book prints, e.g. "2012—2021年，北京高质量发展指数由0.612上升至0.960，
        增长56.86%，年均增长5.13%；生态、治理是主要推动力，文化的推动作用有待进一步发挥。"

        Drivers are the ``n_drivers`` children with the largest positive contribution share; the laggard
        is the child with the smallest share.
        """
        growth = self.growth(start, end).set_index("region")
        if region not in growth.index:
            raise HqdError([Problem("unknown_region", f"no region {region!r} in this result (give its code; "
                                    f"regions: {', '.join(map(str, growth.index[:20]))})", region=str(region))])
        g = growth.loc[region]
        undecomposed = False
        try:
            d = self.drivers(start, end)
        except HqdError as error:  # e.g. a TOPSIS index: no exact split into dimension contributions
            if "not_decomposable" not in error.codes:
                raise
            d, undecomposed = pd.DataFrame(columns=["region", "child", "share_pct"]), True
        d = d[d["region"] == region].sort_values("share_pct", ascending=False)
        positive = d[d["share_pct"] > 0]
        top = positive.head(n_drivers)["child"].tolist()
        laggard = d.iloc[-1]["child"] if len(d) > len(top) else None
        name = self.region_name(region, lang)
        index_name = self.framework.name(self.index_code, lang)
        rose = g["end"] >= g["start"]
        if lang == "zh":
            dims = "、".join(self.framework.name(c, "zh") for c in top)
            text = (f"{g['start_year']}—{g['end_year']}年，{name}{index_name}由{g['start']:.3f}"
                    f"{'上升' if rose else '下降'}至{g['end']:.3f}，{'增长' if rose else '下降'}"
                    f"{abs(g['total_growth_pct']):.2f}%，年均{'增长' if g['cagr_pct'] >= 0 else '下降'}"
                    f"{abs(g['cagr_pct']):.2f}%")
            if dims:
                text += f"；{dims}是主要推动力"
            if laggard is not None:
                text += f"，{self.framework.name(laggard, 'zh')}的推动作用有待进一步发挥"
            if undecomposed:
                text += "（该指数的聚合方法不能把变化分解到各维度，故未列出推动力）"
            return text + "。"
        dims = " and ".join(self.framework.name(c, "en").lower() for c in top)
        sign = "+" if g["total_growth_pct"] >= 0 else "−"
        text = (f"From {g['start_year']} to {g['end_year']} the {index_name} of {name} "
                f"{'rose' if rose else 'fell'} from {g['start']:.3f} to {g['end']:.3f}, "
                f"{sign}{abs(g['total_growth_pct']):.2f}%, {g['cagr_pct']:.2f}% a year")
        if dims:
            text += f"; {dims} drove it"
        if laggard is not None:
            text += f", {self.framework.name(laggard, 'en').lower()} lagged"
        if undecomposed:
            text += " (this index's aggregation does not split its change into dimensions, so no drivers are named)"
        return text + "."

    def region_name(self, region: str, lang: str = "zh") -> str:
        """The region's short Chinese name (else full name) or English name, else its code."""
        meta = self.panel.region_meta
        for column in (("short_zh", "name_zh") if lang == "zh" else ("name_en",)):
            if column in meta.columns and isinstance(meta.at[region, column], str):
                return str(meta.at[region, column])
        return region

    # ------------------------------------------------------------------ manifest
    @cached_property
    def manifest(self) -> dict[str, Any]:
        """Version, recipe (resolved), hashes, data description, policies and warnings."""
        __version__ = _package_version()

        return {
            "hqd_version": __version__,
            "synthetic_data": self.panel.synthetic,
            "data_notes": list(self.panel.notes),
            "data_source": self.panel.source,
            "data_provenance": _jsonable(list(self.panel.provenance)),
            "framework_source": self.framework.source,
            "recipe_source": self.recipe.source,
            "data_sha256": self.panel.digest(),
            "framework_sha256": self.framework.digest(),
            "recipe_sha256": self.recipe.digest(),
            "panel": self.panel.describe(),
            "recipe": self.recipe.to_dict(),
            "policies": _jsonable(dict(self.policies)),
            "warnings": [p.to_dict() for p in self.warnings],
            **dict(self.extra_manifest),
        }

    def digest(self) -> str:
        """SHA-256 of the scores (same inputs → same digest)."""
        return hashlib.sha256(np.ascontiguousarray(self.cube).tobytes()).hexdigest()

    def manifest_json(self) -> str:
        return json.dumps(self.manifest, ensure_ascii=False, indent=2, default=str)


def _rank_desc(values: np.ndarray) -> np.ndarray:
    """1 + number of strictly higher values along the last axis; NaN stays NaN (ties share the lowest)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return arr.copy()
    ranks = rankdata(np.where(np.isnan(arr), np.inf, -arr), method="min", axis=-1).astype(float)
    return np.where(np.isnan(arr), np.nan, ranks)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value
