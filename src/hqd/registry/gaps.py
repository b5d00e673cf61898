"""Chain gaps: where to extend, fill and strengthen a chain (延链补链强链).

For a chain map (links in segments, predecessor → successor edges) and an area, count the local
enterprises serving each link, then classify the links:

- **strengthen** (强链): the strongest links, those present (count > 0) whose count is at least the
  ``strong_quantile`` quantile (default 0.75, linear interpolation) of the counts of the present links;
- **extend** (延链): links with no local enterprise that are adjacent (a predecessor or successor) to a
  strong link — the next step along the chain from a strength;
- **fill** (补链): every link with no local enterprise (extend targets are fill targets too);
- otherwise **present**.

``role`` gives one label per link with precedence strengthen > extend > fill > present; the boolean
columns ``strengthen``, ``extend`` and ``fill`` give the full picture.  An enterprise serving several
links counts once for each.  Counts are also given per city and per corridor (an enterprise counts in
a corridor when its city is a member city).

Area (``region``): omitted or ``JJJ`` for the whole region, a province (110000/120000/130000 or a
name), a city, or a corridor code or name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from hqd.errors import HqdError, Problem, Problems
from hqd.registry import models as m
from hqd.registry import schema as sc
from hqd.registry.db import EngineLike, engine_for, read
from hqd.registry.summaries import is_synthetic

SEGMENT_ORDER = {"upstream": 0, "midstream": 1, "downstream": 2}
ROLE_ZH = {"strengthen": "强链", "extend": "延链", "fill": "补链", "present": "已有"}


@dataclass(frozen=True)
class GapReport:
    """Per-link counts and roles for one chain and area, with the per-city and per-corridor matrices."""

    chain: str
    chain_name_zh: str
    area: str
    area_name_zh: str
    links: pd.DataFrame
    edges: pd.DataFrame
    by_city: pd.DataFrame
    by_corridor: pd.DataFrame
    strong_quantile: float
    synthetic: bool = False

    def targets(self, role: str) -> list[str]:
        """Link codes flagged ``role`` (``fill``, ``extend`` or ``strengthen``)."""
        return self.links.loc[self.links[role], "code"].tolist()

    def graph(self) -> dict[str, Any]:
        """Nodes and edges for an ECharts ``graph`` series (categories = roles; value = enterprise count)."""
        roles = list(ROLE_ZH)
        nodes = [
            {
                "id": r.code,
                "name": r.name_zh,
                "name_en": r.name_en,
                "value": int(r.enterprises),
                "segment": r.segment,
                "role": r.role,
                "category": roles.index(r.role),
                "x": SEGMENT_ORDER[r.segment] * 300,
                "y": int(r.y) * 60,
                "symbolSize": 18 + 6 * float(np.sqrt(r.enterprises)),
            }
            for r in self.links.itertuples()
        ]
        edges = [{"source": a, "target": b} for a, b in self.edges.itertuples(index=False)]
        return {
            "chain": self.chain,
            "area": self.area,
            "synthetic": self.synthetic,
            "categories": [{"name": f"{ROLE_ZH[r]} {r}"} for r in roles],
            "nodes": nodes,
            "links": edges,
            "edges": edges,
        }


def _area(conn: Any, region: str | None) -> tuple[str, str, list[str]]:
    """(code, Chinese name, member city codes) of the area."""
    cities = {
        c: (zh, level, parent)
        for c, zh, level, parent in conn.execute(
            select(m.Region.code, m.Region.name_zh, m.Region.level, m.Region.parent)
        )
    }
    city_codes = [
        c for c, (_, level, _p) in cities.items() if level == "prefecture" or c in ("110000", "120000")
    ]
    if region is None or sc.norm(region) in (sc.norm("JJJ"), sc.norm("京津冀")):
        return "JJJ", "京津冀", city_codes
    res = sc.Resolver.load(conn, only=["regions", "corridors"])
    code = res.lookup("regions", region)
    if code is not None:
        if code in city_codes:
            return code, cities[code][0], [code]
        return code, cities[code][0], [c for c in city_codes if cities[c][2] == code]
    corridor = res.lookup("corridors", region)
    if corridor is not None:
        members = list(
            conn.execute(select(m.CorridorCity.city).where(m.CorridorCity.corridor == corridor)).scalars()
        )
        name = conn.execute(select(m.Corridor.name_zh).where(m.Corridor.code == corridor)).scalar_one()
        return corridor, name, members
    raise HqdError(
        [Problem("unknown_region", f"{region!r} is neither a region nor a corridor of the registry", region=region)]
    )


def classify(
    counts: np.ndarray, adjacency: np.ndarray, strong_quantile: float = 0.75
) -> dict[str, np.ndarray]:
    """Boolean masks ``strengthen``, ``extend``, ``fill`` for link ``counts`` and a 0/1 ``adjacency``.

    ``adjacency[i, j]`` is 1 when an edge joins links i and j in either direction.
    """
    counts = np.asarray(counts, dtype=float)
    present = counts > 0
    strong = np.zeros_like(present)
    if present.any():
        threshold = np.quantile(counts[present], strong_quantile)
        strong = present & (counts >= threshold)
    near_strong = (np.asarray(adjacency, dtype=float) @ strong.astype(float)) > 0
    fill = ~present
    return {"strengthen": strong, "extend": fill & near_strong, "fill": fill}


def chain_gaps(
    target: EngineLike | None, chain: str, region: str | None = None, *, strong_quantile: float = 0.75
) -> GapReport:
    """Count local enterprises per link of ``chain`` in ``region`` and classify the links."""
    problems = Problems()
    if not 0 <= strong_quantile <= 1:
        problems.error("out_of_range", f"strong_quantile must be within [0, 1]; got {strong_quantile}")
        problems.raise_if_errors()
    with engine_for(target) as engine, read(engine) as conn:
        res = sc.Resolver.load(conn, only=["chains"])
        code = res.lookup("chains", chain)
        if code is None:
            raise HqdError([Problem("unknown_chain", f"{chain!r} is not a chain of the registry")])
        chain_zh = conn.execute(select(m.Chain.name_zh).where(m.Chain.code == code)).scalar_one()
        area, area_zh, area_cities = _area(conn, region)
        links = pd.DataFrame(
            conn.execute(
                select(m.ChainLink.code, m.ChainLink.name_zh, m.ChainLink.name_en, m.ChainLink.segment).where(
                    m.ChainLink.chain == code
                )
            ).all(),
            columns=["code", "name_zh", "name_en", "segment"],
        )
        edges = pd.DataFrame(
            conn.execute(
                select(m.ChainEdge.from_link, m.ChainEdge.to_link)
                .join(m.ChainLink, m.ChainEdge.from_link == m.ChainLink.code)
                .where(m.ChainLink.chain == code)
            ).all(),
            columns=["from_link", "to_link"],
        )
        served = pd.DataFrame(
            conn.execute(
                select(m.EnterpriseLink.link, m.Enterprise.city)
                .join(m.Enterprise, m.EnterpriseLink.enterprise == m.Enterprise.credit_code)
                .join(m.ChainLink, m.EnterpriseLink.link == m.ChainLink.code)
                .where(m.ChainLink.chain == code)
            ).all(),
            columns=["link", "city"],
        )
        corridor_cities = pd.DataFrame(
            conn.execute(select(m.CorridorCity.corridor, m.CorridorCity.city)).all(),
            columns=["corridor", "city"],
        )
        all_cities = [
            c
            for c, level in conn.execute(select(m.Region.code, m.Region.level))
            if level == "prefecture" or c in ("110000", "120000")
        ]
        synthetic = is_synthetic(conn)
    if links.empty:
        problems.error(
            "empty_chain_map", f"chain {code} has no links yet; import some with `hqd registry import links`"
        )
        problems.raise_if_errors()

    links["segment_rank"] = links["segment"].map(SEGMENT_ORDER)
    links = links.sort_values(["segment_rank", "code"], kind="stable").reset_index(drop=True)
    links["y"] = links.groupby("segment_rank").cumcount()
    order = links["code"].tolist()

    by_city = pd.crosstab(
        pd.Categorical(served["link"], categories=order),
        pd.Categorical(served["city"], categories=all_cities),
        dropna=False,
    ).rename_axis(index="link", columns="city")
    by_corridor = (
        served.merge(corridor_cities, on="city")
        .pipe(
            lambda d: pd.crosstab(
                pd.Categorical(d["link"], categories=order),
                pd.Categorical(d["corridor"], categories=sorted(corridor_cities["corridor"].unique())),
                dropna=False,
            )
        )
        .rename_axis(index="link", columns="corridor")
    )
    counts = by_city[area_cities].sum(axis=1).to_numpy()

    index = {c: i for i, c in enumerate(order)}
    adjacency = np.zeros((len(order), len(order)))
    if len(edges):
        a = edges["from_link"].map(index).to_numpy()
        b = edges["to_link"].map(index).to_numpy()
        adjacency[a, b] = adjacency[b, a] = 1
    flags = classify(counts, adjacency, strong_quantile)
    links["enterprises"] = counts.astype(int)
    for name, mask in flags.items():
        links[name] = mask
    links["role"] = np.select(
        [flags["strengthen"], flags["extend"], flags["fill"]],
        ["strengthen", "extend", "fill"],
        default="present",
    )
    links["role_zh"] = links["role"].map(ROLE_ZH)
    links = links.drop(columns="segment_rank")
    return GapReport(
        code, chain_zh, area, area_zh, links, edges, by_city, by_corridor, strong_quantile, synthetic
    )
