"""The built-in reference data: 五群六链五廊 as published, the high-tech zone alliance, sourced chain maps."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select

from hqd.registry import connect, current_revision, head_revision, init_db, update
from hqd.registry import models as m
from hqd.registry.taxonomy import BUILTIN_ACTOR, edge_rows, link_rows

pytest_plugins = ["registry_fixtures"]


def _table(registry_engine: Engine, model: type[m.Base]) -> pd.DataFrame:
    with registry_engine.connect() as conn:
        result = conn.execute(select(m.table_of(model)))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def test_clusters_chains_corridors_match_the_published_list(registry_engine: Engine, shared: Path) -> None:
    with (shared / "data" / "jjj_published" / "jjj_industrial_chains_clusters.csv").open(
        encoding="utf-8"
    ) as fh:
        published = pd.DataFrame(csv.DictReader(fh))
    for kind, model in (("cluster", m.Cluster), ("chain", m.Chain), ("corridor", m.Corridor)):
        ours = _table(registry_engine, model).sort_values("name_zh")
        theirs = published[published["kind"] == kind].sort_values("name_zh")
        assert ours["name_zh"].tolist() == theirs["name_zh"].tolist()
        assert ours["name_en"].tolist() == theirs["name_en"].tolist()
    assert (
        len(_table(registry_engine, m.Cluster)),
        len(_table(registry_engine, m.Chain)),
        len(_table(registry_engine, m.Corridor)),
    ) == (5, 6, 5)


def test_corridor_member_cities_match_the_published_list(registry_engine: Engine, shared: Path) -> None:
    names = {
        "Beijing": "110000",
        "Tianjin": "120000",
        "Baoding": "130600",
        "Shijiazhuang": "130100",
        "Tangshan": "130200",
        "Qinhuangdao": "130300",
        "Zhangjiakou": "130700",
        "Chengde": "130800",
        "Baoding (Xiong'an New Area)": "133100",  # Xiong'an is a registry unit of its own
    }
    with (shared / "data" / "jjj_published" / "jjj_industrial_chains_clusters.csv").open(
        encoding="utf-8"
    ) as fh:
        published = {
            r["name_zh"]: {names[c] for c in r["cities_linked"].split(";")}
            for r in csv.DictReader(fh)
            if r["kind"] == "corridor"
        }
    members = _table(registry_engine, m.CorridorCity).merge(
        _table(registry_engine, m.Corridor), left_on="corridor", right_on="code"
    )
    ours = members.groupby("name_zh")["city"].agg(set).to_dict()
    assert ours == published


def test_high_tech_zone_alliance_is_seven_national_plus_two_provincial(registry_engine: Engine) -> None:
    zones = _table(registry_engine, m.Zone)
    assert zones["alliance_member"].all()
    assert sorted(zones.loc[zones["level"] == "provincial", "name_zh"]) == ["沧州高新区", "衡水高新区"]
    assert (zones["level"] == "national").sum() == 7
    assert "中关村国家自主创新示范区" in set(zones["name_zh"])


def test_regions_are_the_13_cities_xiongan_3_provinces_the_region_and_counties(registry_engine: Engine) -> None:
    from hqd.model.regions import crosswalk

    regions = _table(registry_engine, m.Region).set_index("code")
    counties = regions[regions["level"] == "county"]
    assert len(regions) - len(counties) == 16  # region, Hebei, Beijing, Tianjin, 11 cities, Xiong'an
    assert regions.loc["130100", "parent"] == "130000"
    assert regions.loc["110000", "parent"] == "JJJ"
    assert regions.loc["133100", ["name_zh", "parent", "level"]].tolist() == ["雄安新区", "130000", "prefecture"]
    # every district and county of the three provinces (the MCA list), below its city; Xiong'an's three below it
    mca = crosswalk("county")
    mca = mca[mca["province"].isin(["110000", "120000", "130000"])].set_index("code")
    assert sorted(counties.index) == sorted(mca.index)
    moved = {"130629", "130632", "130638"}
    assert (counties.loc[sorted(moved), "parent"] == "133100").all()
    rest = sorted(set(mca.index) - moved)
    assert counties.loc[rest, "parent"].tolist() == mca.loc[rest, "parent"].tolist()


def test_every_shipped_chain_link_cites_a_source() -> None:
    links = link_rows()
    assert {r["chain"] for r in links} == {"nev_icv", "robotics"}
    for row in links:
        assert row["source_url"].startswith(("http://", "https://")), row["code"]
        assert row["source_title"].strip(), row["code"]
        assert row["source_says"].strip(), row["code"]
        assert row["segment"] in ("upstream", "midstream", "downstream")


def test_chain_maps_are_acyclic_and_run_upstream_to_downstream() -> None:
    segment = {r["code"]: r["segment"] for r in link_rows()}
    chain = {r["code"]: r["chain"] for r in link_rows()}
    order = {"upstream": 0, "midstream": 1, "downstream": 2}
    for edge in edge_rows():
        a, b = edge["from_link"], edge["to_link"]
        assert chain[a] == chain[b]
        assert order[segment[a]] <= order[segment[b]], (a, b)
    robotics = {(e["from_link"], e["to_link"]) for e in edge_rows()}
    # the structure the issue names: reducers, servo, controllers, sensors -> bodies -> integration -> applications
    for part in ("reducer", "servo", "controller", "sensor"):
        assert (f"robotics.{part}", "robotics.body") in robotics
    assert ("robotics.body", "robotics.integration") in robotics
    assert ("robotics.integration", "robotics.app_auto") in robotics


def test_built_in_links_and_edges_are_loaded(registry_engine: Engine) -> None:
    links = _table(registry_engine, m.ChainLink)
    assert len(links) == len(link_rows())
    assert links["builtin"].all()
    assert len(_table(registry_engine, m.ChainEdge)) == len(edge_rows())


def test_migrations_match_the_models(registry_engine: Engine) -> None:
    assert current_revision(registry_engine) == head_revision()
    with registry_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), m.metadata)
    assert diff == []


def test_init_is_idempotent_and_keeps_user_edits(registry_engine: Engine) -> None:
    edited = update(
        registry_engine,
        "zones",
        "cz",
        {"name_en": "Cangzhou HTZ (edited)"},
        expected_version=1,
        actor="alice",
    )
    assert edited["version"] == 2
    init_db(registry_engine)
    init_db(registry_engine)
    zones = _table(registry_engine, m.Zone).set_index("code")
    assert zones.loc["cz", "name_en"] == "Cangzhou HTZ (edited)"
    assert zones.loc["cz", "updated_by"] == "alice"
    assert zones.loc["hs", "updated_by"] == BUILTIN_ACTOR
    assert len(zones) == 9
    assert len(_table(registry_engine, m.ChainLink)) == len(link_rows())


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    eng = connect(f"sqlite:///{tmp_path / 'r.sqlite'}")
    init_db(eng)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    eng.dispose()
