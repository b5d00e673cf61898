"""Counts and totals the region's figures are quoted from ("2,046 projects, 13,052 亿元").

Each summary is one ``GROUP BY`` query in the database, answered from a covering index on the grouping
column (only the groups come back to Python), returned as a :class:`Summary` whose table has one row per
group, bilingual labels, the count and the total.

Groups (``by``):

- projects: ``chain``, ``cluster``, ``corridor`` (the project's own fields), ``region`` (the city or
  province a project is located in), ``province`` (its provincial-level unit: Beijing, Tianjin, Hebei;
  folded from the region groups), ``status`` and ``year`` (year signed; folded from the signed-date
  groups).  Projects without a value form a group with an empty key
  ("(none)").  Totals are sums of ``investment_100m_cny`` in 亿元 (100 million CNY).
- enterprises: ``tier`` (one row per tier: an enterprise in several tiers counts in each), ``city``,
  ``chain`` (distinct enterprises serving at least one link of the chain).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, distinct, func, literal, select, union_all

from hqd.errors import Problems
from hqd.registry import models as m
from hqd.registry import schema as sc
from hqd.registry.db import EngineLike, engine_for, read

PROJECT_GROUPS = ("chain", "cluster", "corridor", "region", "province", "status", "year")
ENTERPRISE_GROUPS = ("tier", "city", "chain")
SYNTHETIC_KEY = "synthetic_demo"
NONE_LABEL = "(none)"


def format_count_total(count: int, total: float) -> str:
    """``"2,046 projects, 13,052 亿元"`` (totals under 100 亿元 keep one decimal)."""
    amount = f"{total:,.0f}" if abs(total) >= 100 else f"{total:,.1f}"
    return f"{count:,} project{'s' if count != 1 else ''}, {amount} 亿元"


@dataclass(frozen=True)
class Summary:
    """A grouped count (and, for projects, total investment) with bilingual labels."""

    subject: str
    by: str
    table: pd.DataFrame
    total_count: int
    total_investment: float | None = None
    synthetic: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def headline(self) -> str:
        """One sentence: ``"2,046 projects, 13,052 亿元"`` or ``"1,605 enterprises"``."""
        if self.total_investment is not None:
            text = format_count_total(self.total_count, self.total_investment)
        else:
            text = f"{self.total_count:,} enterprise{'s' if self.total_count != 1 else ''}"
        return text + (" (synthetic demo data / 合成示例数据)" if self.synthetic else "")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def _bad_by(by: str, valid: tuple[str, ...]) -> None:
    problems = Problems()
    problems.error("invalid_choice", f"cannot summarise by {by!r}; valid: {', '.join(valid)}", column="by")
    problems.raise_if_errors()


def is_synthetic(conn: Connection) -> bool:
    """True when the database holds the synthetic demo data."""
    return conn.execute(select(m.Meta.value).where(m.Meta.key == SYNTHETIC_KEY)).scalar() is not None


def _labels(conn: Connection, kind: str) -> dict[str, tuple[str, str]]:
    model: Any = {"chain": m.Chain, "cluster": m.Cluster, "corridor": m.Corridor}.get(kind)
    if model is not None:
        return {c: (zh, en) for c, zh, en in conn.execute(select(model.code, model.name_zh, model.name_en))}
    if kind in ("region", "province", "city"):
        return {
            c: (zh, en)
            for c, zh, en in conn.execute(select(m.Region.code, m.Region.name_zh, m.Region.name_en))
        }
    if kind == "status":
        return {c.key: (c.label_zh, c.key.replace("_", " ")) for c in sc.PROJECT_STATUS}
    if kind == "tier":
        return {name: (zh, en) for name, zh, en, _ in sc.TIERS}
    return {}


def _frame(
    rows: list[tuple[Any, ...]], labels: dict[str, tuple[str, str]], columns: list[str]
) -> pd.DataFrame:
    data = []
    for key, *values in rows:
        k = "" if key is None else str(key)
        zh, en = labels.get(k, (k or NONE_LABEL, k or NONE_LABEL))
        data.append([k, zh, en, *values])
    return pd.DataFrame(data, columns=["key", "name_zh", "name_en", *columns])


def summarize_projects(target: EngineLike | None, by: str = "chain") -> Summary:
    """Projects and total investment (亿元) per group ``by`` (see the module docstring)."""
    if by not in PROJECT_GROUPS:
        _bad_by(by, PROJECT_GROUPS)
    p = m.table_of(m.Project)
    # year and province are folded from the (signed_date) and (region) groups, which read covering indexes
    column = {"year": "signed_date", "province": "region"}.get(by, by)
    key = p.c[column]
    stmt = select(key, func.count(), func.coalesce(func.sum(p.c.investment_100m_cny), 0.0)).group_by(key)
    with engine_for(target) as engine, read(engine) as conn:
        rows = [tuple(row) for row in conn.execute(stmt)]
        labels = _labels(conn, by)
        parents = {c: p for c, p in conn.execute(select(m.Region.code, m.Region.parent))}
        synthetic = is_synthetic(conn)
    if by in ("year", "province"):
        fold: Callable[[Any], Any] = (
            (lambda d: d.year)
            if by == "year"
            else (lambda c: c if parents.get(c) == "JJJ" else parents.get(c))
        )
        folded: dict[Any, list[float]] = {}
        for k, n, t in rows:
            acc = folded.setdefault(None if k is None else fold(k), [0, 0.0])
            acc[0] += n
            acc[1] += t
        rows = [(k, n, t) for k, (n, t) in folded.items()]
    rows.sort(key=lambda row: (row[0] is None, -float(row[2]), str(row[0])))
    table = _frame([(k, int(n), float(t)) for k, n, t in rows], labels, ["projects", "investment_100m_cny"])
    return Summary(
        "projects",
        by,
        table,
        int(table["projects"].sum()),
        float(table["investment_100m_cny"].sum()),
        synthetic,
    )


def summarize_enterprises(target: EngineLike | None, by: str = "tier") -> Summary:
    """Enterprises per tier, city or chain (see the module docstring)."""
    if by not in ENTERPRISE_GROUPS:
        _bad_by(by, ENTERPRISE_GROUPS)
    e, el, cl = m.table_of(m.Enterprise), m.table_of(m.EnterpriseLink), m.table_of(m.ChainLink)
    with engine_for(target) as engine, read(engine) as conn:
        if by == "tier":
            parts = [
                select(literal(name).label("key"), func.count(e.c[name]).label("n")) for name, *_ in sc.TIERS
            ]
            rows: list[tuple[Any, Any]] = [(row[0], row[1]) for row in conn.execute(union_all(*parts))]
        elif by == "city":
            rows = [tuple(row) for row in conn.execute(select(e.c.city, func.count()).group_by(e.c.city))]
        else:
            stmt = (
                select(cl.c.chain, func.count(distinct(el.c.enterprise)))
                .select_from(el.join(cl, el.c.link == cl.c.code))
                .group_by(cl.c.chain)
            )
            rows = [tuple(row) for row in conn.execute(stmt)]
        total = int(conn.execute(select(func.count()).select_from(e)).scalar_one())
        labels = _labels(conn, by)
        synthetic = is_synthetic(conn)
    counted: list[tuple[Any, int]] = [(k, int(n)) for k, n in rows]
    if by != "tier":
        counted.sort(key=lambda row: (-row[1], str(row[0])))
    table = _frame(counted, labels, ["enterprises"])
    notes = (
        ("an enterprise in several tiers counts once per tier",)
        if by == "tier"
        else (("an enterprise serving several chains counts once per chain",) if by == "chain" else ())
    )
    return Summary("enterprises", by, table, total, None, synthetic, notes)
