"""Ledgers (台账): overdue tasks and the share done per department and person, against pandas on the file."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from hqd.errors import HqdError
from hqd.registry import import_file, notes, overdue, progress, update

pytest_plugins = ["registry_fixtures"]

PLANS = "方案编号,方案名称,牵头领导,牵头单位\nP1,示例方案（合成）,示例领导01,市发展改革委\nP2,另一方案,示例领导02,市科技局\n"
TASKS = """任务编号,所属方案,上级任务,任务内容,分管领导,牵头部门,配合部门,责任人,责任岗位,完成时限,进展状态
T1,P1,,示例任务1,示例领导01,市发展改革委,市科技局;市商务局,示例人员01,项目推进岗,2024-06-30,推进中
T1.1,P1,T1,示例子任务1.1,示例领导01,市发展改革委,,示例人员02,项目推进岗,2024-03-31,已完成
T1.2,P1,T1,示例子任务1.2,示例领导01,市科技局,,示例人员02,项目推进岗,2024-04-30,推进中
T1.3,P1,T1,示例子任务1.3,示例领导01,市科技局,,示例人员03,督查督办岗,2024-05-31,已取消
T2,P1,,示例任务2,示例领导02,市商务局,,示例人员01,协调联络岗,2024-12-31,未开始
T3,P1,,示例任务3,示例领导02,市商务局,,示例人员03,协调联络岗,2023-12-31,完成
T4,P2,,其他方案的任务,示例领导02,市科技局,,示例人员04,协调联络岗,2024-01-31,推进中
"""
PROGRESS = """任务编号,进展日期,进展情况,完成比例(%),填报人
T1.2,2024-01-31,示例进展一,20,示例人员02
T1.2,2024-03-31,示例进展二,60,示例人员02
T2,2024-03-31,示例进展,10,示例人员01
"""


@pytest.fixture
def ledger_engine(registry_engine: Engine, tmp_path: Path) -> Engine:
    for entity, text in (("plans", PLANS), ("tasks", TASKS), ("progress", PROGRESS)):
        path = tmp_path / f"{entity}.csv"
        path.write_text(text, encoding="utf-8")
        import_file(registry_engine, entity, path, actor="test")
    return registry_engine


def test_overdue_tasks(ledger_engine: Engine) -> None:
    late = overdue(ledger_engine, "2024-05-15")
    # open and past deadline on 2024-05-15: T1.2 (04-30) and T4 (01-31); T1.1 and T3 are done, T1.3 cancelled
    assert late["code"].tolist() == ["T4", "T1.2"]
    assert late["days_overdue"].tolist() == [105, 15]
    assert overdue(ledger_engine, "2024-05-15", plan="P1")["code"].tolist() == ["T1.2"]
    assert overdue(ledger_engine, "2023-01-01").empty


def test_progress_share_done_matches_pandas(ledger_engine: Engine) -> None:
    tasks = pd.read_csv(io.StringIO(TASKS), dtype=str, keep_default_na=False)
    tasks = tasks[tasks["所属方案"] == "P1"]
    leaves = tasks[~tasks["任务编号"].isin(tasks["上级任务"])]
    counted = leaves[leaves["进展状态"] != "已取消"]
    done = counted["进展状态"].isin(["已完成", "完成"])
    expected_dept = counted.assign(done=done).groupby("牵头部门")["done"].agg(["size", "sum"])
    expected_person = counted.assign(done=done).groupby("责任人")["done"].agg(["size", "sum"])

    result = progress(ledger_engine, "P1")
    assert sorted(result.items["code"]) == sorted(leaves["任务编号"])
    by_dept = result.by_department.set_index("lead_department")
    assert by_dept["items"].to_dict() == expected_dept["size"].to_dict()
    assert by_dept["done"].to_dict() == expected_dept["sum"].to_dict()
    assert by_dept["share_done"].to_dict() == (expected_dept["sum"] / expected_dept["size"]).to_dict()
    by_person = result.by_person.set_index("responsible_person")
    assert by_person["done"].to_dict() == expected_person["sum"].to_dict()
    assert result.share_done == done.mean()
    # the latest note's percent counts: T1.2 is at 60, T2 at 10
    assert by_dept.loc["市科技局", "mean_percent_done"] == 60.0
    assert by_person.loc["示例人员01", "mean_percent_done"] == 10.0


def test_progress_notes_keep_history(ledger_engine: Engine, tmp_path: Path) -> None:
    more = PROGRESS + "T1.2,2024-04-30,示例进展三,80,示例人员02\n"
    path = tmp_path / "more.csv"
    path.write_text(more, encoding="utf-8")
    report = import_file(ledger_engine, "progress", path, actor="test")
    assert (report.inserted, report.unchanged) == (1, 3)
    history = notes(ledger_engine, "T1.2")
    assert history["percent_done"].tolist() == [20.0, 60.0, 80.0]
    assert history["note"].tolist() == ["示例进展一", "示例进展二", "示例进展三"]
    assert (
        progress(ledger_engine, "P1")
        .by_department.set_index("lead_department")
        .loc["市科技局", "mean_percent_done"]
        == 80.0
    )


def test_status_change_moves_the_share(ledger_engine: Engine) -> None:
    before = progress(ledger_engine, "示例方案（合成）").share_done  # plans are found by name too
    update(ledger_engine, "tasks", "T1.2", {"status": "已完成"}, expected_version=1, actor="示例人员02")
    assert progress(ledger_engine, "P1").share_done > before
    assert "T1.2" not in overdue(ledger_engine, "2024-05-15")["code"].tolist()


def test_ledger_errors(ledger_engine: Engine) -> None:
    with pytest.raises(HqdError) as caught:
        overdue(ledger_engine, "31/12/2024")
    assert [(p.code, p.column) for p in caught.value.problems] == [("not_a_date", "as_of")]
    with pytest.raises(HqdError) as caught:
        progress(ledger_engine, "P9")
    assert caught.value.codes == ["unknown_plan"]


def test_four_level_ledger_with_targets_sources_and_scores(registry_engine: Engine) -> None:
    import pandas as pd

    from hqd.registry import get, import_frame

    import_frame(registry_engine, "plans", pd.DataFrame({"code": ["L4"], "name": ["示例方案（合成）"]}), actor="a")
    frame = pd.DataFrame({
        "任务编号": ["K1", "K1.1", "K1.1.1", "K1.1.1.1"], "所属方案": ["L4"] * 4,
        "上级任务": ["", "K1", "K1.1", "K1.1.1"], "任务内容": ["重点任务", "举措", "年度要点", "季度节点"],
        "领域": ["产业", "产业", "交通", "科技创新"], "来源文件": ["《示例实施方案》（合成）"] * 4,
        "条款": ["第三条", "第三条（一）", "第三条（一）1", "第三条（一）1①"],
        "开始日期": ["2024-01-01"] * 4, "完成时限": ["2025-12-31", "2025-06-30", "2024-12-31", "2024-03-31"],
        "目标值": ["", "", "100", "25"], "计量单位": ["", "", "个", "个"], "完成值": ["", "", "40", "25"],
        "考核得分": ["", "", "", "95"], "进展状态": ["推进中", "推进中", "推进中", "已完成"]})
    import_frame(registry_engine, "tasks", frame, actor="a")
    node = get(registry_engine, "tasks", "K1.1.1.1")
    assert (node["parent"], node["domain"], node["source_clause"]) == ("K1.1.1", "technology", "第三条（一）1①")
    assert (node["target_value"], node["target_unit"], node["actual_value"], node["assessment_score"]) == (
        25.0, "个", 25.0, 95.0)
    assert get(registry_engine, "tasks", "K1.1.1")["domain"] == "transport"
