"""A small SYNTHETIC stand-in for an HQD ``Result`` (duck-typed) used by the analysis tests.

The index engine is written elsewhere; the analyses only rely on the documented shape: ``.scores``
(long: region, year, node, level, score), ``.weights`` (node, parent, year, method, weight,
effective_weight) and ``.framework.nodes`` (code, parent, name_zh, name_en, level).  Values are
random (seeded), labelled synthetic, and aggregated like a linear composite so the tree is coherent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hqd.model.regions import JJJ_CITIES

DIMENSIONS = ("ECO", "SOC", "ENV", "INN", "CUL", "GOV")


@dataclass(frozen=True)
class FakeFramework:
    nodes: pd.DataFrame


@dataclass(frozen=True)
class FakeResult:
    scores: pd.DataFrame
    weights: pd.DataFrame
    framework: FakeFramework


def make_fake_result(seed: int = 7, years: range = range(2012, 2022), per_dim: int = 3) -> FakeResult:
    rng = np.random.default_rng(seed)
    regions = [c.code for c in JJJ_CITIES]
    nodes = [{"code": "HQD", "parent": None, "name_zh": "高质量发展指数", "name_en": "HQD index", "level": 0}]
    weights = []
    dim_w = rng.dirichlet(np.ones(len(DIMENSIONS)))
    indicators: dict[str, list[str]] = {}
    ind_w: dict[str, float] = {}
    for d, dim in enumerate(DIMENSIONS):
        nodes.append({"code": dim, "parent": "HQD", "name_zh": dim, "name_en": dim, "level": 1})
        weights.append({"node": dim, "parent": "HQD", "year": np.nan, "method": "synthetic",
                        "weight": dim_w[d], "effective_weight": dim_w[d]})
        w = rng.dirichlet(np.ones(per_dim))
        indicators[dim] = [f"{dim}{k + 1}" for k in range(per_dim)]
        for k, code in enumerate(indicators[dim]):
            nodes.append({"code": code, "parent": dim, "name_zh": code, "name_en": code, "level": 2})
            ind_w[code] = w[k]
            weights.append({"node": code, "parent": dim, "year": np.nan, "method": "synthetic",
                            "weight": w[k], "effective_weight": w[k] * dim_w[d]})
    rows = []
    n_years = len(years)
    base = rng.uniform(0.2, 0.8, size=(len(regions), 1))
    for dim in DIMENSIONS:
        for code in indicators[dim]:
            trend = np.linspace(0, 0.15, n_years)[None, :]
            values = np.clip(base + trend + rng.normal(0, 0.08, size=(len(regions), n_years)), 0.0, 1.0)
            for i, region in enumerate(regions):
                for t, year in enumerate(years):
                    rows.append((region, year, code, 2, values[i, t]))
    scores = pd.DataFrame(rows, columns=["region", "year", "node", "level", "score"])
    leaf = scores.assign(w=scores["node"].map(ind_w), dim=scores["node"].str[:3])
    dims = (leaf.assign(ws=leaf["score"] * leaf["w"]).groupby(["region", "year", "dim"], as_index=False)["ws"].sum()
            .rename(columns={"dim": "node", "ws": "score"}).assign(level=1))
    dw = dict(zip(DIMENSIONS, dim_w, strict=True))
    index = (dims.assign(ws=dims["score"] * dims["node"].map(dw)).groupby(["region", "year"], as_index=False)["ws"]
             .sum().rename(columns={"ws": "score"}).assign(node="HQD", level=0))
    all_scores = pd.concat([index, dims, scores], ignore_index=True)[["region", "year", "node", "level", "score"]]
    return FakeResult(scores=all_scores, weights=pd.DataFrame(weights), framework=FakeFramework(pd.DataFrame(nodes)))


def jjj_regions() -> pd.DataFrame:
    return pd.DataFrame({"code": [c.code for c in JJJ_CITIES], "name_zh": [c.name_zh for c in JJJ_CITIES],
                         "name_en": [c.name_en for c in JJJ_CITIES],
                         "province": [c.code[:2] + "0000" for c in JJJ_CITIES]})
