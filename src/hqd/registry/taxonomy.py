"""The built-in reference data: regions, the five clusters, six chains and five corridors, the high-tech
zone alliance, and the sourced chain maps of the NEV/ICV and robotics chains.

Facts, not examples: each row states its source (see ``hqd/registry/data/README.md``).  Regions come from
:mod:`hqd.model.regions` (GB/T 2260 codes).  :func:`sync_reference_data` loads them idempotently:

- regions, clusters, chains, corridors and corridor member cities are reference tables users do not
  edit: they are inserted or refreshed to match the package;
- zones and built-in chain links are inserted when missing and refreshed only while no user has edited
  them (``updated_by == "hqd-builtin"``); user rows and user edits are never overwritten;
- built-in edges are inserted when missing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Any

from sqlalchemy import Connection, Engine, Table, select, update

from hqd.model.regions import JJJ_CITIES, JJJ_PROVINCES, JJJ_REGION
from hqd.registry import models as m
from hqd.registry.db import write

BUILTIN_ACTOR = "hqd-builtin"


@cache
def read_data(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a bundled CSV file in ``hqd/registry/data`` (strings; empty cells are ``""``)."""
    text = (files("hqd.registry") / "data" / name).read_text(encoding="utf-8")
    return tuple(dict(row) for row in csv.DictReader(io.StringIO(text)))


#: Xiong'an New Area (河北雄安新区, set up 2017-04-01) as a registry unit of its own beside Hebei's cities.
#: GB/T 2260 gives it no code (its three counties keep Baoding's codes 130629, 130632, 130638), so the
#: registry uses 133100: inside Hebei's 13xxxx range (a Hebei scope covers it) and unused by GB/T 2260.
XIONGAN_CODE = "133100"
XIONGAN_COUNTIES = ("130629", "130632", "130638")  # 容城县, 安新县, 雄县 (administered by Xiong'an)


def county_rows() -> list[dict[str, Any]]:
    """The districts and counties (区县) of Beijing, Tianjin and Hebei, below their city (GB/T 2260).

    From :func:`hqd.model.regions.crosswalk` (the Ministry of Civil Affairs' list); Beijing's and
    Tianjin's districts sit below the municipality, Xiong'an's three counties below Xiong'an.
    """
    from hqd.model.regions import crosswalk

    frame = crosswalk("county")
    frame = frame[frame["province"].isin(["110000", "120000", "130000"])]
    return [
        {
            "code": code,
            "name_zh": zh,
            "name_en": en,
            "short_zh": short,
            "parent": XIONGAN_CODE if code in XIONGAN_COUNTIES else parent,
            "level": "county",
        }
        for code, zh, en, short, parent in zip(
            frame["code"], frame["name_zh"], frame["name_en"], frame["short_zh"], frame["parent"], strict=True
        )
    ]


def region_rows() -> list[dict[str, Any]]:
    """The region, its provinces and cities (Beijing and Tianjin are both province and city), Xiong'an
    New Area as a city-level unit, and the counties below them."""
    seen: dict[str, dict[str, Any]] = {}
    for r in (JJJ_REGION, *JJJ_PROVINCES, *JJJ_CITIES):
        seen.setdefault(
            r.code,
            {
                "code": r.code,
                "name_zh": r.name_zh,
                "name_en": r.name_en,
                "short_zh": r.short_zh,
                "parent": r.parent,
                "level": r.level,
            },
        )
    seen[XIONGAN_CODE] = {
        "code": XIONGAN_CODE,
        "name_zh": "雄安新区",
        "name_en": "Xiong'an New Area",
        "short_zh": "雄安",
        "parent": "130000",
        "level": "prefecture",
    }
    for row in county_rows():
        seen.setdefault(row["code"], row)
    return list(seen.values())


def _blank_none(value: str | None) -> str | None:
    return value if value else None


def cluster_rows() -> list[dict[str, Any]]:
    return [{**r, "note": _blank_none(r["note"])} for r in read_data("clusters.csv")]


def chain_rows() -> list[dict[str, Any]]:
    return [{**r, "note": _blank_none(r["note"])} for r in read_data("chains.csv")]


def corridor_rows() -> list[dict[str, Any]]:
    return [
        {k: (_blank_none(v) if k == "note" else v) for k, v in r.items() if k != "cities"}
        for r in read_data("corridors.csv")
    ]


def corridor_city_rows() -> list[dict[str, Any]]:
    return [
        {"corridor": r["code"], "city": city}
        for r in read_data("corridors.csv")
        for city in r["cities"].split(";")
    ]


def zone_rows() -> list[dict[str, Any]]:
    return [
        {**r, "alliance_member": r["alliance_member"].lower() == "true", "note": _blank_none(r["note"])}
        for r in read_data("zones.csv")
    ]


def platform_rows() -> list[dict[str, Any]]:
    """The "2+4" platforms of 《关于加强京津冀产业转移承接重点平台建设的意见》 (2017), with their sources."""
    return [
        {k: (v if v or k in ("name_en", "code", "name_zh", "kind", "city") else None) for k, v in r.items()}
        for r in read_data("platforms.csv")
    ]


def platform_categories() -> list[dict[str, Any]]:
    """The four categories of the 46 specialised platforms and how many each has (15 + 20 + 8 + 3)."""
    return [{**r, "count": int(r["count"])} for r in read_data("platform_categories.csv")]


def link_rows() -> list[dict[str, Any]]:
    return [{**r, "builtin": True} for r in read_data("chain_links.csv")]


def edge_rows() -> list[dict[str, Any]]:
    return [dict(r) for r in read_data("chain_edges.csv")]


def _key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _sync(conn: Connection, table: Table, rows: Iterable[dict[str, Any]], *, refresh: str) -> None:
    """Insert missing rows; refresh existing ones (``refresh``: "always", "builtin" or "never")."""
    pk = list(table.primary_key.columns)
    versioned = "version" in table.c
    existing = {
        tuple(r[: len(pk)]): r for r in conn.execute(select(*pk, *(c for c in table.c if c not in pk)))
    }
    inserts: list[dict[str, Any]] = []
    for row in rows:
        full = {**row, **({"updated_by": BUILTIN_ACTOR} if versioned else {})}
        key = _key(table, row)
        current = existing.get(key)
        if current is None:
            inserts.append(full)
            continue
        if refresh == "never" or (refresh == "builtin" and current._mapping["updated_by"] != BUILTIN_ACTOR):
            continue
        changed = {k: v for k, v in row.items() if current._mapping[k] != v}
        if changed:
            where = [c == v for c, v in zip(pk, key, strict=True)]
            conn.execute(update(table).where(*where).values(**changed))
    if inserts:
        conn.execute(table.insert(), inserts)


def sync_reference_data(engine: Engine) -> None:
    """Load or refresh the built-in reference data (idempotent; see the module docstring)."""
    with write(engine) as conn:
        regions = m.table_of(m.Region)
        # parents first: the region, then provinces, then cities
        by_level = {"region": 0, "province": 1, "prefecture": 2, "county": 3}
        for level in sorted(by_level, key=by_level.__getitem__):
            _sync(conn, regions, [r for r in region_rows() if r["level"] == level], refresh="always")
        _sync(conn, m.table_of(m.Cluster), cluster_rows(), refresh="always")
        _sync(conn, m.table_of(m.Chain), chain_rows(), refresh="always")
        _sync(conn, m.table_of(m.Corridor), corridor_rows(), refresh="always")
        _sync(conn, m.table_of(m.CorridorCity), corridor_city_rows(), refresh="never")
        _sync(conn, m.table_of(m.Zone), zone_rows(), refresh="builtin")
        _sync(conn, m.table_of(m.Platform), platform_rows(), refresh="builtin")
        from hqd.registry.warnings import builtin_rule_rows

        _sync(conn, m.table_of(m.WarningRule), builtin_rule_rows(), refresh="builtin")
        _sync(conn, m.table_of(m.ChainLink), link_rows(), refresh="builtin")
        links = set(conn.execute(select(m.ChainLink.code)).scalars())
        _sync(
            conn,
            m.table_of(m.ChainEdge),
            [e for e in edge_rows() if e["from_link"] in links and e["to_link"] in links],
            refresh="never",
        )
