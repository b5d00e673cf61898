"""Upgrading a database made with schema 0001 (the previous release) to the current head keeps every row.

The 0001 database is built the way that release built it: the migration chain stopped at ``0001``, its
reference rows and user rows written with 0001's columns only.  After ``init_db`` (upgrade + reference
data) every row is still there with every value; project statuses follow the documented mapping and each
remapped project has one change-log row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine

from hqd.registry import db, get, history, init_db
from hqd.registry import models as m

pytest_plugins = ["registry_fixtures"]

AT = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
STAMP = {"version": 3, "updated_at": AT, "updated_by": "alice"}
REGIONS = [
    ("JJJ", "京津冀", "Beijing-Tianjin-Hebei", "京津冀", None, "region"),
    ("110000", "北京市", "Beijing", "北京", "JJJ", "province"),
    ("130000", "河北省", "Hebei", "河北", "JJJ", "province"),
    ("130200", "唐山市", "Tangshan", "唐山", "130000", "prefecture"),
    ("130600", "保定市", "Baoding", "保定", "130000", "prefecture"),
]
OLD_PROJECTS = [
    # project_id, region, origin, status, signed, start, investment
    ("P-1", "130200", "110000", "signed", dt.date(2023, 3, 1), None, 1.5),
    ("P-2", "130200", None, "under_construction", dt.date(2022, 5, 6), dt.date(2022, 8, 1), 1230.75),
    ("P-3", "130600", "110000", "in_operation", dt.date(2020, 1, 2), dt.date(2020, 6, 1), 0.8),
    ("P-4", "110000", None, "terminated", None, None, 45.0),
]
EXPECTED_STATUS = {"P-1": "signed", "P-2": "started", "P-3": "in_operation", "P-4": "terminated"}


def _rows(engine: Engine, table: str, order: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY {order}"))]


def _release_0001(engine: Engine) -> None:
    """A database as the 0001 release left it: schema 0001 and rows written with its columns."""
    db.upgrade(engine, "0001")
    meta = sa.MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.begin() as conn:
        conn.execute(t["regions"].insert(), [dict(zip(("code", "name_zh", "name_en", "short_zh", "parent",
                                                       "level"), r, strict=True)) for r in REGIONS])
        conn.execute(t["chains"].insert(), [{"code": "robotics", "name_zh": "机器人产业链",
                                             "name_en": "robotics chain", "source": "seed page", "note": None}])
        conn.execute(t["corridors"].insert(), [{"code": "bj_xa_aerospace", "name_zh": "京雄空天信息产业廊道",
                                                "name_en": "corridor", "source": "seed page", "note": None}])
        conn.execute(t["corridor_cities"].insert(), [{"corridor": "bj_xa_aerospace", "city": c}
                                                     for c in ("110000", "130600")])
        conn.execute(t["projects"].insert(), [
            {"project_id": pid, "name": f"示例项目{pid}（合成）", "chain": "robotics", "cluster": None,
             "corridor": None, "origin_region": origin, "region": region, "investment_100m_cny": amount,
             "status": status, "signed_date": signed, "start_date": start, "lead_enterprise": "示例企业01",
             "note": "synthetic", **STAMP}
            for pid, region, origin, status, signed, start, amount in OLD_PROJECTS])
        conn.execute(t["plans"].insert(), [{"code": "PL", "name": "示例方案", "leading_official": "示例领导01",
                                            "lead_department": "市发展改革委", "note": None, **STAMP}])
        conn.execute(t["tasks"].insert(), [
            {"code": "PL-T1", "plan": "PL", "parent": None, "title": "任务一", "leading_official": None,
             "lead_department": "市发展改革委", "cooperating_departments": None, "responsible_person": "示例人员01",
             "post": None, "project_id": "P-2", "deadline": dt.date(2024, 6, 30), "status": "in_progress",
             "note": None, **STAMP}])
        conn.execute(t["progress_notes"].insert(), [
            {"task": "PL-T1", "note_date": dt.date(2024, 3, 31), "note": "进展", "note_hash": "x" * 40,
             "percent_done": 40.0, "author": "示例人员01", **STAMP}])
        conn.execute(t["zones"].insert(), [{"code": "tsz", "name_zh": "唐山高新区", "name_en": "", "level": "national",
                                            "city": "130200", "alliance_member": True, "source": None,
                                            "note": None, **STAMP}])
        conn.execute(t["enterprises"].insert(), [
            {"credit_code": "91130200MA00000017", "name": "示例企业01", "city": "130200", "zone": "tsz",
             "little_giant_year": 2021, "specialised_sme_year": None, "innovative_sme_year": None,
             "high_tech_year": 2020, "note": None, **STAMP}])
        conn.execute(t["change_log"].insert(), [
            {"at": AT, "actor": "alice", "entity": "projects", "key": pid, "action": "insert", "field": None,
             "old_value": None, "new_value": None} for pid, *_ in OLD_PROJECTS])


def test_upgrading_a_0001_database_keeps_every_row(registry_url: str) -> None:
    # registry_url is initialised at head; build the 0001 database in a fresh one next to it
    engine = db.connect(registry_url)
    with engine.begin() as conn:  # start over: drop everything the fixture created
        meta = sa.MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    _release_0001(engine)
    assert db.current_revision(engine) == "0001"
    tables = ("projects", "plans", "tasks", "progress_notes", "zones", "enterprises", "change_log")
    order = {"projects": "project_id", "plans": "code", "tasks": "code", "progress_notes": "id", "zones": "code",
             "enterprises": "credit_code", "change_log": "id"}
    before = {name: _rows(engine, name, order[name]) for name in tables}

    init_db(engine)
    assert db.current_revision(engine) == db.head_revision()
    after = {name: _rows(engine, name, order[name]) for name in tables}
    for name in ("plans", "tasks", "progress_notes", "zones", "enterprises"):
        kept = {r[order[name]]: r for r in after[name]}  # the built-in zones are added beside the user's
        for old in before[name]:
            assert {k: kept[old[order[name]]][k] for k in old} == old, name
    assert len(after["projects"]) == len(OLD_PROJECTS)
    for old, new in zip(before["projects"], after["projects"], strict=True):
        assert new["status"] == EXPECTED_STATUS[old["project_id"]]
        assert {k: new[k] for k in old if k != "status"} == {k: v for k, v in old.items() if k != "status"}
        assert all(new[k] is None for k in ("county", "platform", "entry_date", "investment_code",
                                             "in_statistics", "transfer_type", "completed_date"))
    # the old change log is kept and the one remapped project logged (so a replay gives the stored value)
    assert after["change_log"][: len(before["change_log"])] == before["change_log"]
    added = after["change_log"][len(before["change_log"]):]
    assert [(r["key"], r["field"], r["old_value"], r["new_value"], r["actor"]) for r in added] == [
        ("P-2", "status", "under_construction", "started", "hqd-migration-0002")]
    # the records read back through the registry, and the reference data is complete
    assert get(engine, "projects", "P-2")["status"] == "started"
    assert len(history(engine, "projects", "P-2")) == 2
    cities = pd.DataFrame(_rows(engine, "corridor_cities", "city"))
    assert set(cities[cities["corridor"] == "bj_xa_aerospace"]["city"]) == {"110000", "133100"}
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(m.table_of(m.Platform))).scalar() == 6
    engine.dispose()


def test_downgrade_to_0001_maps_stages_back(registry_engine: Engine) -> None:
    from hqd.registry import create

    for pid, status in (("D-1", "谋划储备"), ("D-2", "竣工"), ("D-3", "达产"), ("D-4", "开工")):
        create(registry_engine, "projects", {"project_id": pid, "name": pid, "region": "唐山",
                                             "investment_100m_cny": 1, "status": status}, actor="t")
    from alembic import command

    cfg = db._alembic_config()
    with db.write(registry_engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    rows = {r["project_id"]: r["status"] for r in _rows(registry_engine, "projects", "project_id")}
    assert rows == {"D-1": "signed", "D-2": "under_construction", "D-3": "in_operation",
                    "D-4": "under_construction"}
