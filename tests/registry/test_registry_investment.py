"""Monthly investment: 当月 / 累计 derived from each other, a re-imported period replaces the old one (all or
nothing, audited, the old rows kept for as-of reads), annual plans.  Expected values are worked by hand."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from hqd.errors import HqdError
from hqd.registry import create
from hqd.registry import investment as inv

pytest_plugins = ["registry_fixtures"]


@pytest.fixture
def engine(registry_engine: Engine) -> Engine:
    for pid, region in (("A", "唐山"), ("B", "保定")):
        create(registry_engine, "projects", {"project_id": pid, "name": f"示例项目{pid}（合成）", "region": region,
                                             "investment_100m_cny": 20, "status": "开工"}, actor="t")
    return registry_engine


def frame(rows: list[tuple[str, str, str, str]], plan: list[str] | None = None) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["项目编号", "填报期", "当月完成(亿元)", "本年累计完成(亿元)"])
    if plan is not None:
        out["年度计划投资(亿元)"] = plan
    return out


def values(engine: Engine, **kw: object) -> list[tuple[str, int, int, float | None, float | None]]:
    got = inv.monthly(engine, **kw)  # type: ignore[arg-type]
    def opt(v: object) -> float | None:
        return None if v is None or v != v else float(v)  # type: ignore[arg-type]

    return [(p, int(y), int(mo), opt(a), opt(b)) for p, y, mo, a, b in got.itertuples(index=False)]


def test_monthly_and_cumulative_are_derived_from_each_other(engine: Engine) -> None:
    # A gives 当月 only: 累计 = running sum from January (0.5, 1.7, 2.0);
    # B gives 累计 only: 当月 = difference (1.0, 1.5, 0.0) — by hand
    report = inv.import_monthly(engine, frame([
        ("A", "2024-01", "0.5", ""), ("A", "2024年2月", "1.2", ""), ("A", "202403", "0.3", ""),
        ("B", "2024/1", "", "1.0"), ("B", "2024-02", "", "2.5"), ("B", "2024-03", "", "2.5"),
    ]), actor="alice", name="m.xlsx")
    assert report.periods == ("2024-01", "2024-02", "2024-03") and report.rows == 6 and report.replaced == 0
    got = values(engine)
    assert [r[:3] for r in got] == [("A", 2024, 1), ("A", 2024, 2), ("A", 2024, 3),
                                    ("B", 2024, 1), ("B", 2024, 2), ("B", 2024, 3)]
    assert [r[3] for r in got] == pytest.approx([0.5, 1.2, 0.3, 1.0, 1.5, 0.0])
    assert [r[4] for r in got] == pytest.approx([0.5, 1.7, 2.0, 1.0, 2.5, 2.5])


def test_the_previous_month_comes_from_the_database(engine: Engine) -> None:
    inv.import_monthly(engine, frame([("A", "2024-05", "1", "4.0")]), actor="a")
    inv.import_monthly(engine, frame([("A", "2024-06", "0.75", "")]), actor="a")
    assert values(engine, project="A")[-1][3:] == pytest.approx((0.75, 4.75))
    # January starts a new year: 累计 = 当月
    report = inv.import_monthly(engine, frame([("A", "2025-02", "1", "")]), actor="a")
    assert values(engine, year=2025)[0][4] is None  # no January 2025: not derived, and said so
    assert {w.code for w in report.warnings} == {"ytd_not_derived"}


def test_a_mismatch_between_monthly_and_cumulative_is_a_warning(engine: Engine) -> None:
    report = inv.import_monthly(engine, frame([("A", "2024-01", "1.0", "1.0"), ("A", "2024-02", "1.0", "2.5")]),
                                actor="a")
    assert [(w.code, w.row) for w in report.warnings] == [("cumulative_mismatch", 3)]
    assert values(engine)[1][3:] == pytest.approx((1.0, 2.5))  # both kept as given


def test_reimporting_a_period_replaces_it_and_keeps_the_old_rows(engine: Engine) -> None:
    first = inv.import_monthly(engine, frame([("A", "2024-01", "1", ""), ("B", "2024-01", "2", "")]), actor="a")
    time.sleep(0.01)
    middle = dt.datetime.now(dt.UTC)
    time.sleep(0.01)
    second = inv.import_monthly(engine, frame([("A", "2024-01", "1.5", "")]), actor="bob", name="fix.xlsx")
    assert second.replaced == 2  # the whole period: B's row is gone from the current state too
    assert values(engine) == [("A", 2024, 1, 1.5, 1.5)]
    assert values(engine, as_of=middle) == [("A", 2024, 1, 1.0, 1.0), ("B", 2024, 1, 2.0, 2.0)]
    log = inv.imports_log(engine)
    assert log[["id", "actor", "source", "periods", "rows", "replaced"]].values.tolist() == [
        [first.import_id, "a", "<data>", "2024-01", 2, 0], [second.import_id, "bob", "fix.xlsx", "2024-01", 1, 2]]
    audit = inv.audit(engine)
    rows = audit.sort_values("at")[["key", "action", "actor", "old_value", "new_value"]].values.tolist()
    assert rows == [["2024-01", "insert", "a", None, "rows=2; month=3.0000; ytd=3.0000"],
                    ["2024-01", "replace", "bob", "rows=2; month=3.0000; ytd=3.0000",
                     "rows=1; month=1.5000; ytd=1.5000"]]


def test_a_bad_row_writes_nothing(engine: Engine) -> None:
    inv.import_monthly(engine, frame([("A", "2024-01", "1", "")]), actor="a")
    before = values(engine)
    with pytest.raises(HqdError) as info:
        inv.import_monthly(engine, frame([("A", "2024-01", "9", ""), ("Z", "2024-01", "1", ""),
                                          ("B", "2024-13", "1", ""), ("B", "2024-02", "-1", ""),
                                          ("A", "2024-01", "2", "")]), actor="a")
    codes = {(p.code, p.row) for p in info.value.problems}
    assert {("unknown_project", 3), ("not_a_period", 4), ("negative", 5), ("duplicate_key", 6)} <= codes
    assert values(engine) == before and len(inv.imports_log(engine)) == 1


def test_a_falling_cumulative_is_an_error(engine: Engine) -> None:
    with pytest.raises(HqdError) as info:
        inv.import_monthly(engine, frame([("A", "2024-01", "", "3"), ("A", "2024-02", "", "2")]), actor="a")
    assert [(p.code, p.row) for p in info.value.problems] == [("ytd_decreases", 3)]


def test_annual_plans_are_set_and_updated_with_the_change_log(engine: Engine) -> None:
    inv.import_monthly(engine, frame([("A", "2024-01", "1", ""), ("A", "2024-02", "1", "")], ["12", "12"]),
                       actor="a")
    inv.import_monthly(engine, frame([("A", "2024-03", "1", "")], ["10"]), actor="b")
    assert inv.annual_plans(engine).values.tolist() == [["A", 2024, 10.0]]
    log = inv.audit(engine, "investment_plans")
    assert sorted(log["action"]) == ["insert", "update"]
    with pytest.raises(HqdError) as info:
        inv.import_monthly(engine, frame([("B", "2024-01", "1", ""), ("B", "2024-02", "1", "")], ["5", "6"]),
                           actor="a")
    assert {p.code for p in info.value.problems} == {"plan_conflict"}


def test_an_excel_file_imports_with_its_hash(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "2024年3月投资完成情况.xlsx"
    frame([("A", "2024-03", "0.3", ""), ("B", "2024-03", "", "")]).iloc[:1].to_excel(path, index=False)
    report = inv.import_monthly(engine, path, actor="a")
    assert report.source == path.name
    import hashlib

    assert inv.imports_log(engine)["sha256"].tolist() == [hashlib.sha256(path.read_bytes()).hexdigest()]


def test_the_demo_fills_a_synthetic_year_consistently(registry_engine: Engine) -> None:
    from hqd.registry import load_demo
    from hqd.registry.demo import DEMO_YEAR

    load_demo(registry_engine, n_projects=300)
    rows = inv.monthly(registry_engine)
    plans = inv.annual_plans(registry_engine, DEMO_YEAR)
    assert len(rows) > 100 and set(rows["year"]) == {DEMO_YEAR}
    assert set(rows["project_id"]) == set(plans["project_id"])
    # 累计 is the running sum of 当月 within each project (to the rounding of 0.01 亿元)
    running = rows.sort_values(["project_id", "month"]).groupby("project_id")["month_100m_cny"].cumsum()
    assert (running - rows.sort_values(["project_id", "month"])["ytd_100m_cny"]).abs().max() < 0.006
    assert inv.imports_log(registry_engine)["source"].str.contains("SYNTHETIC").all()
    load_demo(registry_engine, n_projects=300)  # loading again adds no import
    assert len(inv.imports_log(registry_engine)) == 1
