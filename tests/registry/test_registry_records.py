"""Create, read, update, delete with optimistic locking and the change log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from hqd.errors import HqdError
from hqd.registry import ConflictError, NotFoundError, create, delete, get, history, list_records, update
from hqd.registry import credit_code as cc

pytest_plugins = ["registry_fixtures"]

PROJECT = {
    "project_id": "示例项目0001",
    "name": "示例项目0001",
    "region": "唐山",
    "investment_100m_cny": 3.5,
    "status": "在建",
    "chain": "机器人产业链",
    "signed_date": dt.date(2023, 1, 5),
}


def test_create_get_update_delete(registry_engine: Engine) -> None:
    rec = create(registry_engine, "projects", PROJECT, actor="alice")
    assert (rec["region"], rec["chain"], rec["status"], rec["version"]) == (
        "130200",
        "robotics",
        "started",
        1,
    )
    assert get(registry_engine, "projects", "示例项目0001")["signed_date"] == dt.date(2023, 1, 5)
    rec = update(
        registry_engine,
        "projects",
        "示例项目0001",
        {"investment_100m_cny": "4.25", "status": "投产"},
        expected_version=1,
        actor="bob",
    )
    assert (rec["version"], rec["investment_100m_cny"], rec["status"], rec["updated_by"]) == (
        2,
        4.25,
        "in_operation",
        "bob",
    )
    same = update(
        registry_engine,
        "projects",
        "示例项目0001",
        {"investment_100m_cny": 4.25},
        expected_version=2,
        actor="bob",
    )
    assert same["version"] == 2  # nothing changed, no new version
    delete(registry_engine, "projects", "示例项目0001", expected_version=2, actor="carol")
    with pytest.raises(NotFoundError) as caught:
        get(registry_engine, "projects", "示例项目0001")
    assert caught.value.codes == ["not_found"]
    log = history(registry_engine, "projects", "示例项目0001")
    actions = log["action"].tolist()  # newest first; a delete logs the last value of each field
    assert actions == ["delete"] * actions.count("delete") + ["update", "update", "insert"]
    deleted = log[log["action"] == "delete"].set_index("field")
    assert deleted.loc["investment_100m_cny", ["old_value", "new_value"]].tolist() == ["4.25", None]
    changes = log[log["action"] == "update"].set_index("field")[["actor", "old_value", "new_value"]]
    assert changes.loc["investment_100m_cny"].tolist() == ["bob", "3.5", "4.25"]
    assert changes.loc["status"].tolist() == ["bob", "started", "in_operation"]
    assert set(log.loc[log["action"] == "delete", "actor"]) == {"carol"}


def test_stale_version_is_a_conflict_and_changes_nothing(registry_engine: Engine) -> None:
    create(registry_engine, "projects", PROJECT, actor="alice")
    update(
        registry_engine,
        "projects",
        "示例项目0001",
        {"name": "edited by bob"},
        expected_version=1,
        actor="bob",
    )
    with pytest.raises(ConflictError) as caught:
        update(
            registry_engine,
            "projects",
            "示例项目0001",
            {"name": "edited by carol"},
            expected_version=1,
            actor="carol",
        )
    [problem] = caught.value.problems
    assert (problem.code, problem.column) == ("conflict", "version")
    assert "version 2, not 1" in problem.message
    rec = get(registry_engine, "projects", "示例项目0001")
    assert (rec["name"], rec["version"]) == ("edited by bob", 2)
    with pytest.raises(ConflictError):
        delete(registry_engine, "projects", "示例项目0001", expected_version=1, actor="carol")
    assert get(registry_engine, "projects", "示例项目0001")["version"] == 2


def test_create_twice_is_a_conflict(registry_engine: Engine) -> None:
    create(registry_engine, "projects", PROJECT, actor="alice")
    with pytest.raises(ConflictError) as caught:
        create(registry_engine, "projects", PROJECT, actor="alice")
    assert "already exists" in str(caught.value)


def test_invalid_values_are_reported_by_field(registry_engine: Engine) -> None:
    with pytest.raises(HqdError) as caught:
        create(
            registry_engine,
            "projects",
            {**PROJECT, "investment_100m_cny": -1, "region": "上海", "colour": "red"},
            actor="a",
        )
    assert caught.value.codes == ["unknown_field"]
    with pytest.raises(HqdError) as caught:
        create(
            registry_engine, "projects", {**PROJECT, "investment_100m_cny": -1, "region": "上海"}, actor="a"
        )
    assert {(p.code, p.column, p.row) for p in caught.value.problems} == {
        ("negative", "investment_100m_cny", None),
        ("unknown_region", "region", None),
    }
    create(registry_engine, "projects", PROJECT, actor="a")
    with pytest.raises(HqdError) as caught:
        update(
            registry_engine,
            "projects",
            "示例项目0001",
            {"project_id": "other"},
            expected_version=1,
            actor="a",
        )
    assert caught.value.codes == ["key_immutable"]
    with pytest.raises(NotFoundError):
        update(registry_engine, "projects", "nope", {"name": "x"}, expected_version=1, actor="a")


def test_enterprise_links_and_composite_keys(registry_engine: Engine) -> None:
    code = cc.complete("91130200MA0000001")
    create(
        registry_engine,
        "enterprises",
        {
            "credit_code": code,
            "name": "示例企业01",
            "city": "唐山",
            "chain_links": ["robotics.reducer", "robotics.servo"],
        },
        actor="a",
    )
    rec = update(
        registry_engine, "enterprises", code, {"chain_links": "robotics.body"}, expected_version=1, actor="b"
    )
    assert rec["chain_links"] == ("robotics.body",)
    assert [
        r["credit_code"] for r in list_records(registry_engine, "enterprises", where={"city": "130200"})
    ] == [code]
    create(registry_engine, "plans", {"code": "P1", "name": "示例方案"}, actor="a")
    create(
        registry_engine,
        "tasks",
        {"code": "T1", "plan": "P1", "title": "示例任务", "status": "推进中"},
        actor="a",
    )
    note = create(
        registry_engine,
        "progress",
        {"task": "T1", "note_date": "2024-03-31", "note": "示例进展", "percent_done": 40},
        actor="a",
    )
    assert note["percent_done"] == 40.0
    key = ("T1", "2024-03-31", "示例进展")
    assert get(registry_engine, "progress", key)["version"] == 1
    assert (
        update(registry_engine, "progress", key, {"percent_done": 45}, expected_version=1, actor="b")[
            "version"
        ]
        == 2
    )


def test_list_records_pages_in_key_order(registry_engine: Engine) -> None:
    for i in (3, 1, 2):
        create(registry_engine, "projects", {**PROJECT, "project_id": f"P{i}"}, actor="a")
    assert [r["project_id"] for r in list_records(registry_engine, "projects", limit=2, offset=1)] == [
        "P2",
        "P3",
    ]
    with pytest.raises(HqdError) as caught:
        list_records(registry_engine, "projects", where={"colour": "red"})
    assert caught.value.codes == ["unknown_field"]


def test_query_totals_count_every_match_for_entities_without_numbers(registry_engine: Engine) -> None:
    """Enterprises and zones have no numeric field: the total used to come from a FROM-less select (always
    1), so the dashboard showed "共 1 条" above a full page and could not reach record 51."""
    from hqd.registry import query

    for i in range(60):
        create(registry_engine, "enterprises", {"credit_code": cc.complete(f"91130200MA{i:07d}"),
                                                "name": f"企业{i}", "city": "唐山"}, actor="a")
    page = query(registry_engine, "enterprises", limit=50, offset=50)
    assert page.total == 60 and len(page.rows) == 10 and page.sums == {}
    zones = query(registry_engine, "zones", limit=1)
    assert zones.total == len(list_records(registry_engine, "zones")) and len(zones.rows) == 1
