"""Projects over time: stages and their dates, counties, platforms, transfers, the bundled "2+4" platforms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine

from hqd.errors import HqdError
from hqd.registry import create, get, import_frame, update
from hqd.registry.taxonomy import platform_categories, platform_rows

pytest_plugins = ["registry_fixtures"]


def project(**values: Any) -> dict[str, Any]:
    return {"project_id": "T-1", "name": "示例项目（合成）", "region": "唐山", "investment_100m_cny": 2.5,
            "status": "开工", **values}


def codes(error: HqdError) -> set[str]:
    return {p.code for p in error.problems if p.severity == "error"}


def test_a_full_project_round_trips(registry_engine: Engine) -> None:
    create(registry_engine, "projects", project(
        status="达产", origin_region="北京", transfer_type="总部-生产基地", county="曹妃甸区", platform="曹妃甸协同发展示范区",
        entry_date="2021-01-05", signed_date="2021-03-01", start_date="2021-06-01", completed_date="2022-09-30",
        operation_date="2022-12-01", full_production_date="2023-12-31", investment_code="2021-130209-44-03-000001",
        in_statistics="是"), actor="alice")
    rec = get(registry_engine, "projects", "T-1")
    assert (rec["status"], rec["transfer_type"], rec["county"], rec["platform"]) == (
        "full_production", "hq_production", "130209", "caofeidian")
    assert rec["entry_date"] == dt.date(2021, 1, 5) and rec["full_production_date"] == dt.date(2023, 12, 31)
    assert rec["in_statistics"] is True and rec["investment_code"] == "2021-130209-44-03-000001"


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"transfer_type": "疏解转移"}, "origin_required"),
        ({"transfer_type": "飞地", "origin_region": "唐山"}, "origin_equals_location"),
        ({"county": "通州区"}, "county_region_mismatch"),  # Beijing's district, a Tangshan project
        ({"platform": "xiongan"}, "platform_region_mismatch"),
        ({"status": "签约", "operation_date": "2024-01-01"}, "stage_date_ahead"),
        ({"investment_code": "2021-130209-44-03"}, "investment_code_length"),
        ({"county": "桥西区"}, "unknown_county"),  # 石家庄, 张家口 and 邢台 each have one: give the code
        ({"platform": "no_such_platform"}, "unknown_platform"),
    ],
)
def test_inconsistent_projects_are_refused(registry_engine: Engine, values: dict[str, Any], reason: str) -> None:
    with pytest.raises(HqdError) as info:
        create(registry_engine, "projects", project(**values), actor="alice")
    assert reason in codes(info.value)


def test_a_spanning_platform_accepts_each_of_its_cities(registry_engine: Engine) -> None:
    for pid, region in (("T-1", "北京"), ("T-2", "廊坊")):
        create(registry_engine, "projects", project(project_id=pid, region=region, platform="北京新机场临空经济区"),
               actor="alice")
    assert get(registry_engine, "projects", "T-2")["platform"] == "new_airport"


def test_xiongan_is_its_own_unit_with_its_three_counties(registry_engine: Engine) -> None:
    create(registry_engine, "projects", project(region="雄安新区", county="雄县", platform="河北雄安新区"),
           actor="alice")
    rec = get(registry_engine, "projects", "T-1")
    assert (rec["region"], rec["county"], rec["platform"]) == ("133100", "130638", "xiongan")
    with pytest.raises(HqdError) as info:  # 雄县 is Xiong'an's now, not Baoding's
        create(registry_engine, "projects", project(project_id="T-2", region="保定", county="雄县"), actor="a")
    assert "county_region_mismatch" in codes(info.value)


def test_the_database_refuses_a_transfer_from_its_own_location(registry_engine: Engine) -> None:
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from hqd.registry import models as m

    with pytest.raises(IntegrityError), registry_engine.begin() as conn:
        conn.execute(insert(m.table_of(m.Project)).values(
            project_id="RAW", name="x", region="130200", origin_region="130200", transfer_type="enclave",
            investment_100m_cny=1.0, status="signed"))


def test_old_status_spellings_still_import(registry_engine: Engine) -> None:
    import pandas as pd

    frame = pd.DataFrame({"项目编号": ["A", "B"], "项目名称": ["a", "b"], "所在地": ["唐山", "保定"],
                          "总投资(亿元)": ["1", "2"], "项目状态": ["在建", "under_construction"]})
    import_frame(registry_engine, "projects", frame, actor="alice")
    assert {get(registry_engine, "projects", k)["status"] for k in "AB"} == {"started"}


def test_moving_up_the_ladder_logs_each_stage(registry_engine: Engine) -> None:
    from hqd.registry import history

    create(registry_engine, "projects", project(status="签约", signed_date="2024-01-10"), actor="alice")
    rec = get(registry_engine, "projects", "T-1")
    rec = update(registry_engine, "projects", "T-1", {"status": "开工", "start_date": "2024-03-01"},
                 expected_version=rec["version"], actor="bob")
    log = history(registry_engine, "projects", "T-1")
    changed = log[log["field"] == "status"]
    assert changed[["old_value", "new_value"]].values.tolist() == [["signed", "started"]]


def test_the_bundled_platforms_are_the_2_and_the_4_with_sources() -> None:
    rows = platform_rows()
    assert sorted(r["name_zh"] for r in rows if r["kind"] == "core_host") == ["北京城市副中心", "河北雄安新区"]
    assert sorted(r["name_zh"] for r in rows if r["kind"] == "strategic_area") == sorted(
        ["曹妃甸协同发展示范区", "北京新机场临空经济区", "天津滨海新区", "张承生态功能区"])
    assert all(r["source"] and "2017" in r["source"] for r in rows)
    # the 46: only the counts per category are public (15 + 20 + 8 + 3)
    counts = {r["category"]: r["count"] for r in platform_categories()}
    assert counts == {"innovation": 15, "manufacturing": 20, "services": 8, "agriculture": 3}
    assert sum(counts.values()) == 46


def test_users_add_specialised_platforms(registry_engine: Engine) -> None:
    import pandas as pd

    frame = pd.DataFrame({"code": ["cz_bio"], "name_zh": ["示例生物医药园（合成）"], "kind": ["专业化承接平台"],
                          "category": ["现代制造业平台"], "city": ["沧州"], "other_cities": ["沧州；衡水"]})
    import_frame(registry_engine, "platforms", frame, actor="alice")
    rec = get(registry_engine, "platforms", "cz_bio")
    assert (rec["kind"], rec["category"], rec["city"], rec["other_cities"]) == (
        "specialised", "manufacturing", "130900", "131100")
    create(registry_engine, "projects", project(region="衡水", platform="cz_bio"), actor="alice")
