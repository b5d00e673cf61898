"""As-of snapshots rebuilt from the change log equal the state the registry had at that moment."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd
from sqlalchemy import Engine

from hqd.registry import create, delete, get, summarize_projects, update
from hqd.registry.asof import records_as_of, summarize_projects_as_of

pytest_plugins = ["registry_fixtures"]


def _tick() -> dt.datetime:
    time.sleep(0.02)
    at = dt.datetime.now(dt.UTC)
    time.sleep(0.02)
    return at


def _records(engine: Engine) -> pd.DataFrame:
    from hqd.registry import list_records
    from hqd.registry.schema import entity

    names = [f.name for f in entity("projects").fields]
    frame = pd.DataFrame(list_records(engine, "projects"))[names].astype(object)
    return _plain(frame.sort_values("project_id").reset_index(drop=True))


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None in every column (pandas may read None back as NaN)."""
    return frame.astype(object).where(frame.notna(), None)


def test_as_of_equals_the_state_at_that_moment(registry_engine: Engine) -> None:
    for pid, region, amount in (("A", "唐山", 10), ("B", "北京", 20), ("C", "保定", 5)):
        create(registry_engine, "projects", {"project_id": pid, "name": pid, "region": region, "chain": "robotics",
                                             "investment_100m_cny": amount, "status": "签约"}, actor="t")
    t1 = _tick()
    states = {t1: _records(registry_engine)}
    summaries = {t1: {by: summarize_projects(registry_engine, by).table for by in ("chain", "region", "status")}}
    rec = get(registry_engine, "projects", "A")
    update(registry_engine, "projects", "A", {"investment_100m_cny": 12.5, "status": "开工", "chain": "hydrogen",
                                              "start_date": "2024-03-01"}, expected_version=rec["version"],
           actor="u")
    delete(registry_engine, "projects", "C", expected_version=get(registry_engine, "projects", "C")["version"],
           actor="u")
    create(registry_engine, "projects", {"project_id": "D", "name": "D", "region": "天津", "investment_100m_cny": 7,
                                         "status": "谋划储备"}, actor="u")
    t2 = _tick()
    states[t2] = _records(registry_engine)
    summaries[t2] = {by: summarize_projects(registry_engine, by).table for by in ("chain", "region", "status")}
    rec = get(registry_engine, "projects", "B")
    update(registry_engine, "projects", "B", {"region": "廊坊", "investment_100m_cny": 21},
           expected_version=rec["version"], actor="v")
    for when, expected in states.items():
        got = records_as_of(registry_engine, "projects", when)
        pd.testing.assert_frame_equal(_plain(got), expected, check_dtype=False)
        for by, table in summaries[when].items():
            pd.testing.assert_frame_equal(summarize_projects_as_of(registry_engine, by, when).table, table,
                                          check_dtype=False)
    assert records_as_of(registry_engine, "projects", dt.date(2000, 1, 1)).empty


def test_enterprise_summaries_as_of(registry_engine: Engine) -> None:
    from hqd.registry import import_frame, summarize_enterprises
    from hqd.registry.asof import summarize_enterprises_as_of
    from hqd.registry.demo import synthetic_enterprises

    import_frame(registry_engine, "enterprises", synthetic_enterprises(12, seed=3), actor="t")
    t1 = _tick()
    expected = {by: summarize_enterprises(registry_engine, by).table for by in ("tier", "city", "chain")}
    first = synthetic_enterprises(12, seed=3)["credit_code"].iloc[0]
    rec = get(registry_engine, "enterprises", first)
    update(registry_engine, "enterprises", first, {"city": "衡水", "little_giant_year": 2024,
                                                   "chain_links": "robotics.reducer"},
           expected_version=rec["version"], actor="u")
    second = synthetic_enterprises(12, seed=3)["credit_code"].iloc[1]
    delete(registry_engine, "enterprises", second,
           expected_version=get(registry_engine, "enterprises", second)["version"], actor="u")
    for by, table in expected.items():
        got = summarize_enterprises_as_of(registry_engine, by, t1).table
        pd.testing.assert_frame_equal(got, table, check_dtype=False)
