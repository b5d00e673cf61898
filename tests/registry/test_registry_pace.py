"""序时进度 against hand-computed values: days and months methods, leap years, spans, projects and tasks."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine

from hqd.errors import HqdError
from hqd.registry import create, import_frame
from hqd.registry import investment as inv
from hqd.registry.pace import project_progress, share_of_span, share_of_year, task_progress

pytest_plugins = ["registry_fixtures"]


def d(*values: str) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")


def test_share_of_the_year_by_days_counts_leap_years() -> None:
    got = share_of_year(d("2024-06-30", "2023-06-30", "2024-02-29", "2023-12-31", "2024-01-01"))
    # 2024: 31+29+31+30+31+30 = 182 of 366 days; 2023: 181 of 365; 29 Feb 2024 is day 60
    assert got == pytest.approx([182 / 366, 181 / 365, 60 / 366, 1.0, 1 / 366])


def test_share_of_the_year_by_months_counts_completed_months() -> None:
    got = share_of_year(d("2024-06-30", "2024-06-29", "2024-02-29", "2024-02-28", "2023-02-28", "2024-12-31"),
                        "months")
    assert got == pytest.approx([6 / 12, 5 / 12, 2 / 12, 1 / 12, 2 / 12, 1.0])


def test_share_of_a_span() -> None:
    start, end = d("2024-02-01", "2024-02-01", "2024-02-01", "2024-02-01", "NaT"), d(
        "2024-03-31", "2024-03-31", "2024-03-31", "2024-03-31", "2024-03-31")
    got = share_of_span(d("2024-02-29", "2024-01-15", "2024-04-02", "2024-03-31", "2024-03-01"), start, end)
    # 1 Feb – 31 Mar 2024 is 29 + 31 = 60 days; 29 Feb is day 29; before → 0, after → 1, no start → NaN
    assert got[:4] == pytest.approx([29 / 60, 0.0, 1.0, 1.0]) and np.isnan(got[4])
    months = share_of_span(d("2024-02-29", "2024-03-30"), start[:2], end[:2], "months")
    assert months == pytest.approx([1 / 2, 1 / 2])


def test_an_unknown_method_is_an_error() -> None:
    with pytest.raises(HqdError) as info:
        share_of_year(d("2024-01-01"), "weeks")
    assert info.value.problems[0].code == "invalid_choice"


@pytest.fixture
def progress_engine(registry_engine: Engine) -> Engine:
    for pid, status, start in (("A", "开工", "2024-01-10"), ("B", "开工", "2024-01-10"), ("C", "开工", "2024-01-10"),
                               ("D", "签约", "2024-04-01"), ("E", "开工", "2023-05-01")):
        create(registry_engine, "projects", {"project_id": pid, "name": pid, "region": "唐山", "chain": "robotics",
                                             "investment_100m_cny": 50, "status": status,
                                             ("planned_start_date" if status == "签约" else "start_date"): start},
               actor="t")
    rows = [("A", "2024-05", "", "4.0", "12"), ("B", "2024-05", "", "2.0", ""), ("C", "2024-05", "", "1.0", "10"),
            ("E", "2024-05", "", "2.5", "5"), ("E", "2024-06", "0.5", "3.0", "5")]
    import pandas as pd

    inv.import_monthly(registry_engine, pd.DataFrame(rows, columns=["项目编号", "填报期", "当月完成(亿元)",
                                                                    "本年累计完成(亿元)", "年度计划投资(亿元)"]),
                       actor="t")
    return registry_engine


def test_project_progress_at_a_date(progress_engine: Engine) -> None:
    got = project_progress(progress_engine, "2024-06-15").set_index("project_id")
    share = 167 / 366  # 15 June 2024 is day 31+29+31+30+31+15 = 167 of a leap year
    assert got.loc["A", "share"] == pytest.approx(share)
    assert got.loc["A", "expected"] == pytest.approx(12 * share)
    assert got.loc["A", "actual"] == 4.0 and got.loc["A", "last_month"] == 5  # June is not complete yet
    assert got.loc["A", "behind_points"] == pytest.approx(100 * (share - 4 / 12))
    assert got.loc["C", "behind_points"] == pytest.approx(100 * (share - 0.1))
    assert got.loc["E", "actual"] == 2.5  # the June row counts from 30 June on
    # B has figures but no plan: no expected progress, and no gap (never 0)
    assert got.loc["B", "basis"] == "no_plan" and np.isnan(got.loc["B", "share"])
    assert np.isnan(got.loc["B", "behind_points"]) and got.loc["B", "actual"] == 2.0
    assert "D" not in got.index  # neither plan nor figures for 2024
    end = project_progress(progress_engine, "2024-06-30", method="months").set_index("project_id")
    assert end.loc["E", "actual"] == 3.0 and end.loc["E", "behind_points"] == pytest.approx(100 * (0.5 - 0.6))


def test_task_progress_at_a_date(registry_engine: Engine) -> None:
    import pandas as pd

    import_frame(registry_engine, "plans", pd.DataFrame({"code": ["PL"], "name": ["示例方案"]}), actor="t")
    import_frame(registry_engine, "tasks", pd.DataFrame({
        "code": ["T1", "T2", "T3"], "plan": ["PL"] * 3, "title": ["a", "b", "c"],
        "start_date": ["2024-01-01", "2024-03-01", ""], "deadline": ["2024-12-31", "2024-03-31", ""],
        "status": ["推进中", "已完成", "推进中"]}), actor="t")
    import_frame(registry_engine, "progress", pd.DataFrame({
        "task": ["T1", "T1"], "note_date": ["2024-06-01", "2024-07-01"], "note": ["一", "二"],
        "percent_done": ["20", "60"]}), actor="t")
    got = task_progress(registry_engine, "2024-06-30").set_index("code")
    assert got.loc["T1", "share"] == pytest.approx(182 / 366)
    assert got.loc["T1", "actual_share"] == 0.2  # the July note is after the date
    assert got.loc["T1", "behind_points"] == pytest.approx(100 * (182 / 366 - 0.2))
    assert got.loc["T2", "share"] == 1.0 and got.loc["T2", "actual_share"] == 1.0  # done counts as 100 %
    assert got.loc["T3", "basis"] == "no_schedule" and np.isnan(got.loc["T3", "share"])
