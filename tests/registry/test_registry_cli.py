"""``hqd registry …`` on the command line: a thin layer over the services, on both backends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import hqd.cli.registry
from hqd.cli.main import app
from hqd.errors import HqdError
from hqd.registry import count, get, load_demo, summarize_projects

pytest_plugins = ["registry_fixtures"]

runner = CliRunner()
PROJECTS = "项目编号,项目名称,产业链,所在地,总投资(亿元),项目状态,签约日期\nP1,示例项目0001,机器人,唐山,12.5,在建,2023-03-15\n"


def hqd(url: str, *args: str) -> str:
    result = runner.invoke(
        app, ["registry", "--db", url, "--actor", "cli-test", *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_import_summary_export_round_trip(registry_url: str, tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_text(PROJECTS, encoding="utf-8")
    assert "would be inserted 1" in hqd(registry_url, "import", "projects", str(src), "--dry-run")
    assert count(registry_url, "projects") == 0
    assert "inserted 1" in hqd(registry_url, "import", "projects", str(src))
    assert get(registry_url, "projects", "P1")["updated_by"] == "cli-test"
    out = hqd(registry_url, "summary", "projects", "--by", "chain")
    assert "1 project, 12.5 亿元" in out and "机器人产业链" in out
    csv_text = hqd(registry_url, "summary", "projects", "--by", "province", "--format", "csv")
    assert csv_text.splitlines()[0] == "key,name_zh,name_en,projects,investment_100m_cny"
    assert csv_text.splitlines()[1] == "130000,河北省,Hebei,1,12.5"
    exported = tmp_path / "out.xlsx"
    hqd(registry_url, "export", "projects", "--out", str(exported))
    assert pd.read_excel(exported, dtype=str)["project_id"].tolist() == ["P1"]
    history = hqd(registry_url, "history", "projects", "P1", "--format", "json")
    assert json.loads(history)["rows"][0]["actor"] == "cli-test"


def test_gaps_ledger_and_show_on_the_demo(registry_url: str, tmp_path: Path) -> None:
    load_demo(registry_url, n_projects=200)
    graph = json.loads(
        hqd(registry_url, "gaps", "--chain", "robotics", "--region", "唐山", "--format", "json")
    )
    assert {"nodes", "links", "categories"} <= set(graph) and graph["synthetic"] is True
    table = hqd(registry_url, "gaps", "--chain", "新能源和智能网联汽车产业链")
    assert "fill 补链:" in table and "合成示例数据" in table
    overdue = hqd(registry_url, "ledger", "overdue", "--as-of", "2024-06-30", "--format", "csv")
    assert overdue.splitlines()[0].startswith("code,plan,title")
    assert "synthetic demo data" in overdue.splitlines()[1]
    progress = hqd(registry_url, "ledger", "progress", "--plan", "DEMO-P1", "--by", "person")
    assert "work items done" in progress
    links = hqd(registry_url, "show", "links", "--chain", "robotics", "--format", "csv")
    assert "market.chinabaogao.com" in links
    status = hqd(registry_url, "status")
    assert "projects" in status and "200" in status
    summary = hqd(
        registry_url,
        "summary",
        "enterprises",
        "--by",
        "tier",
        "--out",
        str(tmp_path / "t.csv"),
        "--format",
        "csv",
    )
    assert "wrote" in summary
    assert pd.read_csv(tmp_path / "t.csv")["data_label"].iloc[0] == "synthetic demo data (合成示例数据)"


def test_init_and_template(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite"
    out = hqd(str(db), "init")
    assert "registry ready" in out and db.exists()
    hqd(str(db), "template", "enterprises", "--out", str(tmp_path / "e.xlsx"), "--lang", "zh")
    assert pd.read_excel(tmp_path / "e.xlsx", dtype=str).columns[0] == "统一社会信用代码"
    hqd(str(db), "init", "--demo", "--projects", "50")
    assert summarize_projects(f"sqlite:///{db}", "chain").total_count == 50


def test_errors_propagate_as_problems(registry_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(PROJECTS.replace("12.5", "lots"), encoding="utf-8")
    result = runner.invoke(app, ["registry", "--db", registry_url, "import", "projects", str(bad)])
    assert isinstance(result.exception, HqdError)
    assert [(p.code, p.row, p.column) for p in result.exception.problems] == [
        ("not_a_number", 2, "investment_100m_cny")
    ]


def test_console_script_prints_problems_and_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.sqlite"
    hqd_bin = Path(sys.executable).with_name("hqd")
    if not hqd_bin.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    proc = subprocess.run(
        [str(hqd_bin), "registry", "--db", str(missing), "summary", "projects"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "not_initialised" in proc.stderr
    assert not missing.exists()


def test_investment_import_show_and_imports(registry_url: str, tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_text(PROJECTS, encoding="utf-8")
    hqd(registry_url, "import", "projects", str(src))
    monthly = tmp_path / "2024年3月.csv"
    monthly.write_text("项目编号,填报期,当月完成(亿元),本年累计完成(亿元),年度计划投资(亿元)\n"
                       "P1,2024年1月,0.5,,6\nP1,2024年2月,0.7,,6\n", encoding="utf-8")
    def said(*args: str) -> str:  # the console wraps long lines
        return " ".join(hqd(registry_url, *args).split())

    assert "would replace 0 earlier rows" in said("investment", "import", str(monthly), "--dry-run")
    assert "2 rows for 2 period(s) 2024-01…2024-02" in said("investment", "import", str(monthly))
    shown = json.loads(hqd(registry_url, "investment", "show", "--project", "P1", "--format", "json"))
    assert [(r["month"], r["ytd_100m_cny"]) for r in shown["rows"]] == [(1, 0.5), (2, 1.2)]
    plans = hqd(registry_url, "investment", "plans", "--format", "csv")
    assert plans.splitlines()[1] == "P1,2024,6.0"
    imports = json.loads(hqd(registry_url, "investment", "imports", "--format", "json"))["rows"]
    assert imports[0]["actor"] == "cli-test" and imports[0]["source"] == "2024年3月.csv"


def test_progress_warnings_escalations_and_as_of(registry_url: str, tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_text(PROJECTS, encoding="utf-8")
    hqd(registry_url, "import", "projects", str(src))
    monthly = tmp_path / "m.csv"
    monthly.write_text("项目编号,填报期,本年累计完成(亿元),年度计划投资(亿元)\nP1,2024-05,1.0,10\n", encoding="utf-8")
    hqd(registry_url, "investment", "import", str(monthly))
    rows = json.loads(hqd(registry_url, "progress", "--as-of", "2024-06-15", "--format", "json"))["rows"]
    assert rows[0]["behind_points"] == pytest.approx(100 * (167 / 366 - 0.1))
    shown = json.loads(hqd(registry_url, "warnings", "show", "--as-of", "2024-06-15", "--format", "json"))
    assert [(r["key"], r["colour"], r["rule"]) for r in shown["rows"]] == [("P1", "red", "P_RED_BEHIND")]
    by_chain = hqd(registry_url, "warnings", "show", "--as-of", "2024-06-15", "--by", "chain", "--format", "csv")
    assert by_chain.splitlines()[:2] == ["chain,red,yellow,green,unrated", "robotics,1,0,0,0"]
    hqd(registry_url, "warnings", "set-rule", "P_RED_BEHIND", "--min", "40")
    assert "P_YELLOW_BEHIND" not in hqd(registry_url, "warnings", "show", "--as-of", "2024-06-15")
    assert "40.0" in hqd(registry_url, "warnings", "rules", "--subject", "projects", "--format", "csv")
    assert "escalation 1" in hqd(registry_url, "escalate", "projects", "P1", "提醒", "--on", "2024-06-20",
                                 "--leader", "示例领导01", "--rule", "P_RED_BEHIND")
    skipped = runner.invoke(app, ["registry", "--db", registry_url, "escalate", "projects", "P1", "约谈", "--on",
                                  "2024-06-21"])
    assert isinstance(skipped.exception, HqdError) and skipped.exception.problems[0].code == "level_skipped"
    hqd(registry_url, "respond", "1", "已安排赶工", "--on", "2024-06-25")
    hqd(registry_url, "close", "1", "已追平", "--on", "2024-07-30")
    listed = json.loads(hqd(registry_url, "escalations", "--format", "json"))["rows"]
    assert [(r["level"], r["closure"]) for r in listed] == [("remind", "已追平")]
    before = json.loads(hqd(registry_url, "summary", "projects", "--by", "chain", "--as-of", "2000-01-01",
                            "--format", "json"))
    assert before["rows"] == [] and "as of" in before["title"]
