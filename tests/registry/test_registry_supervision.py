"""The supervision ladder 提醒 → 督办 → 通报 → 约谈: no level skipped without a reason; responses, closures."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from hqd.errors import HqdError
from hqd.registry import create
from hqd.registry import supervision as sv

pytest_plugins = ["registry_fixtures"]


@pytest.fixture
def engine(registry_engine: Engine) -> Engine:
    create(registry_engine, "projects", {"project_id": "A", "name": "示例项目A（合成）", "region": "唐山",
                                         "investment_100m_cny": 5, "status": "开工"}, actor="t")
    return registry_engine


def reason(error: HqdError) -> str:
    return error.problems[0].code


def test_the_ladder_goes_one_level_at_a_time(engine: Engine) -> None:
    with pytest.raises(HqdError) as info:
        sv.escalate(engine, "projects", "A", "督办", "2024-07-01", actor="office")
    assert reason(info.value) == "level_skipped"
    first = sv.escalate(engine, "projects", "A", "提醒", "2024-07-01", actor="office", leader="示例领导01",
                        department="市发展改革委", reason="滞后序时进度", rule="P_YELLOW_BEHIND")
    assert first["level"] == "remind"
    sv.escalate(engine, "projects", "A", "supervise", "2024-08-01", actor="office")
    sv.escalate(engine, "projects", "A", "督办", "2024-08-15", actor="office")  # the same level again
    with pytest.raises(HqdError) as info:
        sv.escalate(engine, "projects", "A", "约谈", "2024-09-01", actor="office")  # skips 通报
    assert reason(info.value) == "level_skipped"
    skipped = sv.escalate(engine, "projects", "A", "约谈", "2024-09-01", actor="office",
                          skip_reason="连续两月红灯，经分管领导同意直接约谈")
    assert skipped["skip_reason"].startswith("连续")
    table = sv.escalations(engine, "projects", "A")
    assert table["level_zh"].tolist() == ["提醒", "督办", "督办", "约谈"]


def test_responses_and_closures(engine: Engine) -> None:
    first = sv.escalate(engine, "projects", "A", "提醒", "2024-07-01", actor="office")
    with pytest.raises(HqdError) as info:
        sv.respond(engine, first["id"], "已整改", "2024-06-30", actor="unit")
    assert reason(info.value) == "date_before_escalation"
    sv.respond(engine, first["id"], "已制定赶工计划", "2024-07-05", actor="unit")
    closed = sv.close(engine, first["id"], "进度已追平", "2024-08-01", actor="office")
    assert (closed["response"], str(closed["closed_on"])) == ("已制定赶工计划", "2024-08-01")
    with pytest.raises(HqdError) as info:
        sv.close(engine, first["id"], "again", "2024-08-02", actor="office")
    assert reason(info.value) == "already_closed"
    # a closed case: the next escalation starts a new case at 提醒, and 督办 would skip it
    with pytest.raises(HqdError):
        sv.escalate(engine, "projects", "A", "督办", "2024-09-01", actor="office")
    assert sv.escalations(engine, open_only=True).empty


def test_bad_subjects_and_levels(engine: Engine) -> None:
    with pytest.raises(HqdError) as info:
        sv.escalate(engine, "projects", "NOPE", "提醒", "2024-07-01", actor="office")
    assert reason(info.value) == "not_found"
    with pytest.raises(HqdError) as info:
        sv.escalate(engine, "projects", "A", "警告", "2024-07-01", actor="office")
    assert reason(info.value) == "invalid_choice"
    with pytest.raises(HqdError) as info:
        sv.close(engine, 999, "x", "2024-07-01", actor="office")
    assert reason(info.value) == "not_found"
