"""Red-yellow-green rules as data: the colour and the rule that fired, for projects and tasks, by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from test_registry_pace import progress_engine  # noqa: F401 - the fixture

from hqd.errors import HqdError
from hqd.registry import import_frame
from hqd.registry import models as m
from hqd.registry import warnings as wr

pytest_plugins = ["registry_fixtures"]


def plain(series: pd.Series) -> dict[str, object]:
    """A column as a dict, missing values as None (pandas reads None back as NaN)."""
    return {k: (None if pd.isna(v) else v) for k, v in series.items()}


def test_project_colours_and_the_rules_that_fired(progress_engine: Engine) -> None:  # noqa: F811
    got = wr.evaluate(progress_engine, "projects", "2024-06-15").set_index("key")
    # behind by hand (15 June 2024 = 167/366 = 45.63 %): A 45.63 − 33.33 = 12.30 → yellow; C 45.63 − 10 = 35.63
    # → red; E 45.63 − 50 < 0 → green; B has no plan → unrated; D signed, planned start 1 April, 75 days late
    assert got["colour"].to_dict() == {"A": "yellow", "B": "unrated", "C": "red", "D": "red", "E": "green"}
    assert plain(got["rule"]) == {"A": "P_YELLOW_BEHIND", "B": None, "C": "P_RED_BEHIND",
                                     "D": "P_RED_NOT_STARTED", "E": None}
    assert got.loc["D", "metric_value"] == 75.0
    assert got.loc["A", "metric_value"] == pytest.approx(100 * (167 / 366 - 4 / 12))


def test_editing_a_rule_changes_the_colour_and_is_logged(progress_engine: Engine) -> None:  # noqa: F811
    wr.set_rule(progress_engine, "P_YELLOW_BEHIND", {"min_value": 15.0}, actor="office")
    got = wr.evaluate(progress_engine, "projects", "2024-06-15").set_index("key")
    assert got.loc["A", "colour"] == "green"  # 12.3 points behind is no longer yellow
    wr.set_rule(progress_engine, "P_CUSTOM", {"subject": "projects", "colour": "yellow", "metric": "behind_points",
                                              "min_value": 5.0, "max_value": 15.0, "label_zh": "滞后5至15个百分点"},
                actor="office")
    assert wr.evaluate(progress_engine, "projects", "2024-06-15").set_index("key").loc["A", "rule"] == "P_CUSTOM"
    with progress_engine.connect() as conn:
        t = m.table_of(m.ChangeLog)
        rows = conn.execute(select(t.c.key, t.c.action, t.c.field, t.c.old_value, t.c.new_value)
                            .where(t.c.entity == "warning_rules").order_by(t.c.id)).all()
    assert [tuple(r) for r in rows] == [("P_YELLOW_BEHIND", "update", "min_value", "10.0", "15.0"),
                                        ("P_CUSTOM", "insert", None, None, None)]


@pytest.mark.parametrize(("values", "reason"), [
    ({"metric": "speed"}, "invalid_choice"),
    ({"min_value": None, "max_value": None}, "empty_range"),
    ({"min_value": 40.0, "max_value": 30.0}, "empty_range"),
    ({"colour": "blue"}, "invalid_choice"),
    ({"shade": "red"}, "unknown_field"),
])
def test_bad_rules_are_refused(registry_engine: Engine, values: dict[str, object], reason: str) -> None:
    with pytest.raises(HqdError) as info:
        wr.set_rule(registry_engine, "P_YELLOW_BEHIND", values, actor="office")
    assert reason in {p.code for p in info.value.problems}


def test_task_colours(registry_engine: Engine) -> None:
    import_frame(registry_engine, "plans", pd.DataFrame({"code": ["PL"], "name": ["示例方案"]}), actor="t")
    import_frame(registry_engine, "tasks", pd.DataFrame({
        "code": ["T1", "T2", "T3", "T4"], "plan": ["PL"] * 4, "title": list("abcd"),
        "start_date": ["2024-01-01", "2024-01-01", "2024-05-01", ""],
        "deadline": ["2024-12-31", "2024-06-01", "2024-12-31", ""],
        "status": ["推进中", "推进中", "未开始", "推进中"]}), actor="t")
    import_frame(registry_engine, "progress", pd.DataFrame({
        "task": ["T1"], "note_date": ["2024-06-01"], "note": ["一"], "percent_done": ["20"]}), actor="t")
    got = wr.evaluate(registry_engine, "tasks", "2024-06-30", record=True, actor="office").set_index("key")
    # T1 49.73 − 20 = 29.73 points behind → yellow; T2 29 days past its deadline → red (overdue is tried
    # first); T3 not started 60 days after 1 May → red; T4 has no schedule → unrated
    assert got["colour"].to_dict() == {"T1": "yellow", "T2": "red", "T3": "red", "T4": "unrated"}
    assert plain(got["rule"]) == {"T1": "T_YELLOW_BEHIND", "T2": "T_RED_OVERDUE", "T3": "T_RED_NOT_STARTED",
                                     "T4": None}
    with registry_engine.connect() as conn:
        t = m.table_of(m.WarningResult)
        stored = {r.key: (r.colour, r.rule, r.actor) for r in conn.execute(select(t))}
    assert stored["T2"] == ("red", "T_RED_OVERDUE", "office") and len(stored) == 4
    counts = wr.counts(got.reset_index(), "plan")
    assert counts[["red", "yellow", "green", "unrated"]].values.tolist() == [[2, 1, 0, 1]]
