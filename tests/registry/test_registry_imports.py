"""Imports: Chinese headers, all-or-nothing validation with rows and columns, idempotent re-import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from hqd.errors import HqdError
from hqd.registry import ConflictError, count, export, get, history, import_file, store, update
from hqd.registry import credit_code as cc

pytest_plugins = ["registry_fixtures"]

PROJECTS_CSV = """项目编号,项目名称,产业链,产业集群,产业廊道,来源地,所在地,总投资（亿元）,项目状态,签约日期,开工日期,牵头企业,备注
示例项目0001,示例项目0001,机器人产业链,,京唐秦机器人产业廊道,北京,唐山,12.5,在建,2023-03-15,2023-09-01,示例企业01,合成示例
示例项目0002,示例项目0002,nev_icv,,,北京市,Baoding,"1,230.75",投产,2022/5/6,2022年8月1日,,合成示例
示例项目0003,示例项目0003,氢能,power,京张承绿色算力和绿色能源产业廊道,,张家口市,0.8,签约,2024-01-02,,示例企业02,合成示例
示例项目0004,示例项目0004,,biomed,,,120000,45,under construction,,,,"=HYPERLINK(""x"")"
"""


def write(tmp_path: Path, text: str, name: str = "projects.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def as_text_workbook(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame as a workbook of text cells, as a person typing them would (no formulas)."""
    wb = Workbook()
    ws = wb.active
    ws.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        ws.append([v if v != "" else None for v in values])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    wb.save(path)


def state(registry_engine: Engine) -> tuple[int, int]:
    return count(registry_engine, "projects"), len(history(registry_engine))


def test_import_with_chinese_headers_and_names(registry_engine: Engine, tmp_path: Path) -> None:
    report = import_file(registry_engine, "projects", write(tmp_path, PROJECTS_CSV), actor="alice")
    assert (report.rows, report.inserted, report.updated, report.unchanged) == (4, 4, 0, 0)
    first = get(registry_engine, "projects", "示例项目0001")
    assert first["chain"] == "robotics"
    assert first["corridor"] == "bj_ts_qhd_robotics"
    assert first["region"] == "130200" and first["origin_region"] == "110000"
    assert first["status"] == "started"
    assert first["investment_100m_cny"] == 12.5
    assert first["signed_date"] == dt.date(2023, 3, 15) and first["start_date"] == dt.date(2023, 9, 1)
    assert first["version"] == 1 and first["updated_by"] == "alice"
    second = get(registry_engine, "projects", "示例项目0002")
    assert second["investment_100m_cny"] == 1230.75
    assert (second["signed_date"], second["start_date"]) == (dt.date(2022, 5, 6), dt.date(2022, 8, 1))
    assert second["region"] == "130600" and second["status"] == "in_operation"
    fourth = get(registry_engine, "projects", "示例项目0004")
    assert fourth["chain"] is None and fourth["region"] == "120000"
    assert fourth["note"] == '=HYPERLINK("x")'
    log = history(registry_engine, "projects")
    assert set(log["action"]) == {"insert"} and len(log) == 4


def test_reimport_is_idempotent_csv_then_excel(registry_engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, PROJECTS_CSV)
    import_file(registry_engine, "projects", path, actor="alice")
    before = state(registry_engine)
    again = import_file(registry_engine, "projects", path, actor="bob")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    xlsx = tmp_path / "projects.xlsx"
    as_text_workbook(pd.read_csv(path, dtype=str, keep_default_na=False), xlsx)
    from_excel = import_file(registry_engine, "projects", xlsx, actor="bob")
    assert (from_excel.inserted, from_excel.updated, from_excel.unchanged) == (0, 0, 4)
    assert state(registry_engine) == before
    assert get(registry_engine, "projects", "示例项目0003")["version"] == 1


def test_changed_rows_are_updated_with_versions_and_change_log(
    registry_engine: Engine, tmp_path: Path
) -> None:
    import_file(registry_engine, "projects", write(tmp_path, PROJECTS_CSV), actor="alice")
    changed = PROJECTS_CSV.replace(",12.5,在建,", ",13,投产,")
    report = import_file(registry_engine, "projects", write(tmp_path, changed, "v2.csv"), actor="bob")
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 3)
    rec = get(registry_engine, "projects", "示例项目0001")
    assert (rec["version"], rec["investment_100m_cny"], rec["status"], rec["updated_by"]) == (
        2,
        13.0,
        "in_operation",
        "bob",
    )
    log = history(registry_engine, "projects", "示例项目0001")
    updates = log[log["action"] == "update"].set_index("field")
    assert updates.loc["investment_100m_cny", ["old_value", "new_value"]].tolist() == ["12.5", "13.0"]
    assert updates.loc["status", ["old_value", "new_value"]].tolist() == [
        "started",
        "in_operation",
    ]
    assert set(updates["actor"]) == {"bob"}


BAD_CSV = """project_id,name,chain,region,investment_100m_cny,status,signed_date,start_date
P1,ok,robotics,唐山,1,在建,2023-01-01,2023-02-01
P2,,robotics,唐山,1,在建,2023-01-01,
P3,bad number,robotics,唐山,abc,在建,,
P4,negative,robotics,唐山,-2,在建,,
P5,unknown region,robotics,上海,1,在建,,
P6,bad date,robotics,唐山,1,在建,2023-02-30,
P7,bad status,robotics,唐山,1,maybe,,
P1,duplicate,robotics,唐山,1,在建,,
P9,unknown chain,chips,唐山,1,在建,,
"""


def test_bad_rows_are_all_reported_by_row_and_column_and_nothing_is_written(
    registry_engine: Engine, tmp_path: Path
) -> None:
    before = state(registry_engine)
    with pytest.raises(HqdError) as caught:
        import_file(registry_engine, "projects", write(tmp_path, BAD_CSV, "bad.csv"), actor="alice")
    found = {(p.code, p.row, p.column) for p in caught.value.problems if p.severity == "error"}
    assert found == {
        ("required", 3, "name"),
        ("not_a_number", 4, "investment_100m_cny"),
        ("negative", 5, "investment_100m_cny"),
        ("unknown_region", 6, "region"),
        ("not_a_date", 7, "signed_date"),
        ("invalid_choice", 8, "status"),
        ("duplicate_key", 9, "project_id"),
        ("unknown_chain", 10, "chain"),
    }
    assert all(p.file == "bad.csv" for p in caught.value.problems)
    assert state(registry_engine) == before


def test_a_failure_while_writing_rolls_everything_back(
    registry_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(registry_engine, "projects", write(tmp_path, PROJECTS_CSV), actor="alice")
    before = state(registry_engine)
    mixed = PROJECTS_CSV.replace(",12.5,", ",99,") + "示例项目0005,new,robotics,,,,唐山,1,在建,,,,\n"

    def fail(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "update_records", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(registry_engine, "projects", write(tmp_path, mixed, "mixed.csv"), actor="bob")
    assert state(registry_engine) == before
    assert get(registry_engine, "projects", "示例项目0001")["investment_100m_cny"] == 12.5


def test_dry_run_counts_and_writes_nothing(registry_engine: Engine, tmp_path: Path) -> None:
    report = import_file(
        registry_engine, "projects", write(tmp_path, PROJECTS_CSV), actor="alice", dry_run=True
    )
    assert (report.inserted, report.dry_run) == (4, True)
    assert "dry run" in str(report)
    assert state(registry_engine) == (0, 0)


def test_stale_version_in_the_file_is_a_conflict(registry_engine: Engine, tmp_path: Path) -> None:
    import_file(registry_engine, "projects", write(tmp_path, PROJECTS_CSV), actor="alice")
    exported = export(registry_engine, "projects", tmp_path / "export.csv")
    update(
        registry_engine,
        "projects",
        "示例项目0002",
        {"investment_100m_cny": 2},
        expected_version=1,
        actor="carol",
    )
    before = state(registry_engine)
    frame = pd.read_csv(exported, dtype=str, keep_default_na=False)
    frame.loc[frame["project_id"] == "示例项目0001", "investment_100m_cny"] = "50"
    frame.to_csv(tmp_path / "edited.csv", index=False)
    with pytest.raises(ConflictError) as caught:
        import_file(registry_engine, "projects", tmp_path / "edited.csv", actor="bob")
    [problem] = caught.value.problems
    assert (problem.code, problem.column, problem.row) == ("conflict", "version", 3)
    assert state(registry_engine) == before
    assert get(registry_engine, "projects", "示例项目0001")["investment_100m_cny"] == 12.5


def test_export_then_import_round_trips_unchanged(registry_engine: Engine, tmp_path: Path) -> None:
    import_file(registry_engine, "projects", write(tmp_path, PROJECTS_CSV), actor="alice")
    for name in ("export.csv", "export.xlsx"):
        path = export(registry_engine, "projects", tmp_path / name)
        report = import_file(registry_engine, "projects", path, actor="bob")
        assert (report.inserted, report.updated, report.unchanged) == (0, 0, 4), name
    path = export(registry_engine, "projects", tmp_path / "zh.xlsx", lang="zh")
    assert "项目名称" in pd.read_excel(path, dtype=str).columns
    assert import_file(registry_engine, "projects", path, actor="bob").unchanged == 4


def test_header_problems(registry_engine: Engine, tmp_path: Path) -> None:
    text = "项目编号,name,名称,extra,region,status\nP1,a,b,x,唐山,在建\n"
    with pytest.raises(HqdError) as caught:
        import_file(registry_engine, "projects", write(tmp_path, text, "h.csv"), actor="a")
    codes = {(p.code, p.column) for p in caught.value.problems}
    assert ("missing_column", "investment_100m_cny") in codes
    assert ("unknown_column", "extra") in codes  # a warning, listed with the errors
    assert ("duplicate_column", "名称") not in codes  # 名称 is not an alias of name …
    assert ("unknown_column", "名称") in codes  # … so it is ignored with a warning


def test_empty_and_unsupported_files(registry_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(HqdError) as caught:
        import_file(registry_engine, "projects", write(tmp_path, "project_id,name\n", "empty.csv"), actor="a")
    assert caught.value.codes == ["empty_file"]
    with pytest.raises(HqdError) as caught:
        import_file(registry_engine, "projects", write(tmp_path, "x", "p.json"), actor="a")
    assert caught.value.codes == ["unsupported_format"]
    with pytest.raises(HqdError) as caught:
        import_file(registry_engine, "projects", tmp_path / "missing.csv", actor="a")
    assert caught.value.codes == ["file_not_found"]
    with pytest.raises(HqdError) as caught:
        import_file(registry_engine, "widgets", write(tmp_path, PROJECTS_CSV), actor="a")
    assert caught.value.codes == ["unknown_entity"]


def test_many_bad_cells_are_capped_per_column(registry_engine: Engine, tmp_path: Path) -> None:
    rows = "".join(f"P{i},n,唐山,x,在建\n" for i in range(30))
    with pytest.raises(HqdError) as caught:
        import_file(
            registry_engine,
            "projects",
            write(tmp_path, "project_id,name,region,investment_100m_cny,status\n" + rows),
            actor="a",
        )
    problems = caught.value.problems
    assert len(problems) == 21
    assert problems[-1].row is None and "10 more rows" in problems[-1].message


def _code(city: str, body: str) -> str:
    return cc.complete("91" + city + body)


def test_enterprises_with_credit_codes_tiers_and_links(registry_engine: Engine, tmp_path: Path) -> None:
    good = _code("130200", "MA0000001")
    other = _code("110000", "MA0000002")
    text = (
        "统一社会信用代码,企业名称,所在城市,所在高新区,国家级专精特新“小巨人”企业认定年份,高新技术企业认定年份,服务产业链环节\n"
        f"{good},示例企业01,唐山,唐山高新区,2021,2019,robotics.reducer;robotics.servo\n"
        f"{other},示例企业02,北京,保定高新区,,2020,\n"
    )
    report = import_file(registry_engine, "enterprises", write(tmp_path, text, "e.csv"), actor="a")
    assert report.inserted == 2
    assert [(w.code, w.row) for w in report.warnings] == [("zone_city_mismatch", 3)]
    rec = get(registry_engine, "enterprises", good.lower())
    assert rec["chain_links"] == ("robotics.reducer", "robotics.servo")
    assert (rec["little_giant_year"], rec["high_tech_year"], rec["zone"]) == (2021, 2019, "ts")
    relinked = text.replace("robotics.reducer;robotics.servo", "robotics.body")
    again = import_file(registry_engine, "enterprises", write(tmp_path, relinked, "e2.csv"), actor="b")
    assert (again.updated, again.unchanged) == (1, 1)
    assert get(registry_engine, "enterprises", good)["chain_links"] == ("robotics.body",)
    log = history(registry_engine, "enterprises", good)
    assert log.loc[log["action"] == "update", ["field", "old_value", "new_value"]].values.tolist() == [
        ["chain_links", "robotics.reducer;robotics.servo", "robotics.body"]
    ]


def test_enterprise_credit_code_and_link_errors(registry_engine: Engine, tmp_path: Path) -> None:
    good = _code("130200", "MA0000001")
    corrupted = good[:17] + next(c for c in cc.ALPHABET if c != good[17])
    text = (
        "credit_code,name,city,chain_links\n"
        f"{corrupted},a,唐山,\n"
        "91130200MA00001,b,唐山,\n"
        f"{good},c,上海,robotics.teleporter\n"
    )
    with pytest.raises(HqdError) as caught:
        import_file(registry_engine, "enterprises", write(tmp_path, text, "e.csv"), actor="a")
    assert {(p.code, p.row, p.column) for p in caught.value.problems} == {
        ("credit_code_check", 2, "credit_code"),
        ("credit_code_length", 3, "credit_code"),
        ("unknown_city", 4, "city"),
        ("unknown_link", 4, "chain_links"),
    }
    assert count(registry_engine, "enterprises") == 0


def test_user_chain_maps_need_sources_and_consistent_edges(registry_engine: Engine, tmp_path: Path) -> None:
    links = (
        "code,chain,name_zh,segment,source_url,source_title\n"
        "hydrogen.production,氢能,制氢,上游,https://example.org/h2,氢能产业链（示例来源）\n"
        "hydrogen.storage,hydrogen,储运,中游,https://example.org/h2,氢能产业链（示例来源）\n"
        "hydrogen.fuel_cell,hydrogen,燃料电池,中游,,\n"
    )
    with pytest.raises(HqdError) as caught:
        import_file(registry_engine, "links", write(tmp_path, links, "l.csv"), actor="a")
    assert {(p.code, p.row, p.column) for p in caught.value.problems} == {
        ("required", 4, "source_url"),
        ("required", 4, "source_title"),
    }
    import_file(
        registry_engine,
        "links",
        write(tmp_path, "\n".join(links.splitlines()[:3]) + "\n", "l2.csv"),
        actor="a",
    )
    edges = (
        "from_link,to_link\nhydrogen.production,hydrogen.storage\n"
        "hydrogen.storage,hydrogen.storage\nhydrogen.storage,robotics.body\n"
    )
    with pytest.raises(HqdError) as caught:
        import_file(registry_engine, "edges", write(tmp_path, edges, "e.csv"), actor="a")
    assert {(p.code, p.row) for p in caught.value.problems} == {("self_loop", 3), ("edge_chain_mismatch", 4)}
    report = import_file(
        registry_engine,
        "edges",
        write(tmp_path, "\n".join(edges.splitlines()[:2]) + "\n", "e2.csv"),
        actor="a",
    )
    assert report.inserted == 1


def test_ledger_tasks_with_sub_tasks_in_the_same_file(registry_engine: Engine, tmp_path: Path) -> None:
    import_file(
        registry_engine,
        "plans",
        write(tmp_path, "code,name\nP1,示例方案\nP2,示例方案2\n", "p.csv"),
        actor="a",
    )
    tasks = (
        "任务编号,所属方案,上级任务,任务内容,牵头部门,责任人,完成时限,进展状态\n"
        "T1,P1,,示例任务,市发展改革委,示例人员01,2024-06-30,推进中\n"
        "T1.1,P1,T1,示例子任务,市科技局,示例人员02,2024-03-31,已完成\n"
        "T1.1.1,P1,T1.1,third level,市科技局,示例人员02,2024-03-31,未开始\n"
        "T1.1.1.1,P1,T1.1.1,fourth level,市科技局,示例人员02,2024-03-31,未开始\n"
        "T1.1.1.1.1,P1,T1.1.1.1,too deep,市科技局,示例人员02,2024-03-31,未开始\n"
        "T2,P2,T1,wrong plan,市科技局,示例人员02,2024-03-31,未开始\n"
        "T3,P9,,unknown plan,市科技局,示例人员02,2024-03-31,未开始\n"
    )
    with pytest.raises(HqdError) as caught:
        import_file(registry_engine, "tasks", write(tmp_path, tasks, "t.csv"), actor="a")
    assert {(p.code, p.row, p.column) for p in caught.value.problems} == {
        ("too_deep", 6, "parent"),  # 重点任务 → 举措 → 年度要点 → 季度节点: a fifth level is refused
        ("parent_plan_mismatch", 7, "parent"),
        ("unknown_plan", 8, "plan"),
    }
    ok = "\n".join(tasks.splitlines()[:5]) + "\n"
    assert import_file(registry_engine, "tasks", write(tmp_path, ok, "t2.csv"), actor="a").inserted == 4
    assert get(registry_engine, "tasks", "T1.1")["parent"] == "T1"
    assert get(registry_engine, "tasks", "T1.1.1.1")["parent"] == "T1.1.1"
    cycle = "任务编号,所属方案,上级任务,任务内容,进展状态\nT1,P1,T1.1.1,loop,推进中\n"
    with pytest.raises(HqdError) as caught:  # T1 under its own grandchild
        import_file(registry_engine, "tasks", write(tmp_path, cycle, "t3.csv"), actor="a")
    assert [p.code for p in caught.value.problems] == ["parent_cycle"]


def test_a_column_left_out_leaves_the_field_unchanged(registry_engine: Engine, tmp_path: Path) -> None:
    """An import that omits optional columns used to set them to NULL on existing records (note and
    lead_enterprise wiped).  A missing column means "leave unchanged"; only an empty cell clears, and the
    report counts the values it cleared."""
    import_file(registry_engine, "projects", write(tmp_path, PROJECTS_CSV), actor="t")
    kept = get(registry_engine, "projects", "示例项目0001")
    assert (kept["lead_enterprise"], kept["note"]) == ("示例企业01", "合成示例")
    narrow = "项目编号,项目名称,所在地,总投资（亿元）,项目状态\n示例项目0001,示例项目0001,唐山,20,在建\n"
    report = import_file(registry_engine, "projects", write(tmp_path, narrow, "narrow.csv"), actor="t")
    assert (report.updated, report.cleared) == (1, 0)
    after = get(registry_engine, "projects", "示例项目0001")
    assert after["investment_100m_cny"] == 20.0
    assert (after["lead_enterprise"], after["note"], after["chain"], after["signed_date"]) == (
        "示例企业01", "合成示例", kept["chain"], kept["signed_date"])
    changed = history(registry_engine, "projects", "示例项目0001")
    assert set(changed[changed["action"] == "update"]["field"]) == {"investment_100m_cny"}
    # an explicit empty cell clears, and is counted
    blank = "项目编号,项目名称,所在地,总投资（亿元）,项目状态,备注,牵头企业\n示例项目0001,示例项目0001,唐山,20,在建,,\n"
    report = import_file(registry_engine, "projects", write(tmp_path, blank, "blank.csv"), actor="t")
    assert (report.updated, report.cleared) == (1, 2) and "cleared 2 values" in str(report)
    after = get(registry_engine, "projects", "示例项目0001")
    assert (after["lead_enterprise"], after["note"]) == (None, None)


def test_enterprise_links_survive_an_import_without_the_links_column(registry_engine: Engine,
                                                                      tmp_path: Path) -> None:
    code = cc.complete("91130200MA0ABCDE1")
    full = f"credit_code,name,city,chain_links,note\n{code},唐山某机器人公司,唐山,robotics.reducer;robotics.servo,备注\n"
    import_file(registry_engine, "enterprises", write(tmp_path, full, "e.csv"), actor="t")
    links = get(registry_engine, "enterprises", code)["chain_links"]
    assert links
    renamed = f"credit_code,name,city\n{code},唐山某机器人有限公司,唐山\n"
    report = import_file(registry_engine, "enterprises", write(tmp_path, renamed, "e2.csv"), actor="t")
    assert (report.updated, report.cleared) == (1, 0)
    rec = get(registry_engine, "enterprises", code)
    assert (rec["name"], rec["chain_links"], rec["note"]) == ("唐山某机器人有限公司", links, "备注")
