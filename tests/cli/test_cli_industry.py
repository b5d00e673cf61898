"""``hqd industry …`` as a user runs it: each measure printed with its estimator and a bilingual verdict."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import hqd.cli.industry  # registers the group until cli/main.py lists it
from hqd.cli.main import app
from hqd.errors import HqdError

runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["industry", *args], env={"COLUMNS": "200"})


def test_demo_prints_the_provinces_similarity_matrix_and_top_lq_per_city_labelled_synthetic() -> None:
    res = invoke("demo")
    assert res.exit_code == 0, res.output
    out = res.output
    assert out.count("SYNTHETIC") >= 2
    assert "北京" in out and "天津" in out and "河北" in out and "1.0000" in out
    assert "estimator: structural similarity coefficient" in out and "estimator: location quotient" in out
    assert "产业结构相似系数" in out and "mean pairwise structural similarity" in out
    for city in ("石家庄", "唐山", "秦皇岛", "邯郸", "邢台", "保定", "张家口", "承德", "沧州", "廊坊", "衡水"):
        assert city in out


@pytest.mark.parametrize(("cmd", "estimator", "zh"), [
    (["lq", "--demo", "--top", "2"], "location quotient", "区位熵"),
    (["similarity", "--demo", "--level", "province"], "structural similarity", "相似系数"),
    (["krugman", "--demo"], "Krugman specialisation", "克鲁格曼指数"),
    (["localisation", "--demo"], "Hoover", "区位基尼系数"),
    (["shift-share", "--demo", "--variant", "dynamic"], "dynamic shift-share", "竞争效应"),
    (["indicators", "--demo", "--pair", "C36,C38", "--lq", "C36"], "industry measures per region", "产业协同指标"),
])
def test_each_measure_prints_estimator_and_verdicts_and_writes_tidy_tables(
    cmd: list[str], estimator: str, zh: str, tmp_path: Path
) -> None:
    res = invoke(*cmd, "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    assert f"estimator: {estimator}" in res.output and zh in res.output and "SYNTHETIC" in res.output
    csvs = sorted(tmp_path.glob("*.csv"))
    assert csvs and all(p.read_text(encoding="utf-8").startswith("# SYNTHETIC") for p in csvs)
    frame = pd.read_csv(csvs[0], comment="#")
    assert len(frame) > 0 and ("year" in frame.columns or "start_year" in frame.columns)


def test_io_command_reads_a_table_and_names_key_sectors(tmp_path: Path) -> None:
    path = tmp_path / "io.csv"
    path.write_text("sector,agriculture,manufacturing,total_output\nagriculture,150,500,1000\n"
                    "manufacturing,200,100,2000\n", encoding="utf-8")
    res = invoke("io", str(path))
    assert res.exit_code == 0, res.output
    assert "1.0222" in res.output and "1.0667" in res.output  # Miller & Blair Table 2.3 Rasmussen indices
    assert "关键部门：agriculture" in res.output and "key sectors (both indices > 1): agriculture" in res.output


def test_bad_input_reaches_the_user_as_located_problems(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("region,industry,year,value\n北京,C99,2022,1\n天津,C36,2022,-2\n", encoding="utf-8")
    res = invoke("lq", str(path))
    assert isinstance(res.exception, HqdError)
    assert {(p.code, p.row) for p in res.exception.problems} == {("unknown_industry", 2), ("negative_value", 3)}
    res = invoke("codes", "C36", "汽车制造业", "3612")
    assert res.exit_code == 0 and "C3612" in res.output and "by division" in res.output
    res = invoke("codes", "C44")
    assert isinstance(res.exception, HqdError) and res.exception.codes == ["unknown_industry"]
    res = invoke("lq")
    assert isinstance(res.exception, HqdError) and res.exception.codes == ["invalid_source"]


def test_every_command_and_reason_code_is_documented_in_docs_industry() -> None:
    import re

    repo = Path(__file__).resolve().parents[2]
    doc = (repo / "docs" / "industry.md").read_text(encoding="utf-8")
    for info in hqd.cli.industry.industry_app.registered_commands:
        assert f"hqd industry {info.name}" in doc, info.name
    sources = [*(repo / "src" / "hqd" / "analysis" / "industry").glob("*.py"), repo / "src" / "hqd" / "io" / "industry.py",
               repo / "src" / "hqd" / "model" / "industries.py", repo / "src" / "hqd" / "cli" / "industry.py"]
    pattern = re.compile(r"""(?:error|warn|Problem)\(\s*["']([a-z_]+)["']|\(\s*["']([a-z_]+)["'],\s*~?np\.""")
    codes = {a or b for p in sources for a, b in pattern.findall(p.read_text(encoding="utf-8"))}
    assert {"unknown_industry", "negative_value", "missing_value", "io_leontief_singular"} <= codes
    missing = sorted(c for c in codes if f"`{c}`" not in doc)
    assert not missing, f"reason codes not documented in docs/industry.md: {missing}"


def test_auto_layout_reads_a_rows_workbook_and_one_industry_level(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for city, values in {"北京": (500, 300, 100), "天津": (400, 100, 250), "保定市": (150, 20, 100)}.items():
        ws = wb.create_sheet(city)
        ws.append(["单位：亿元"])
        ws.append(["行业", 2022])
        ws.append(["制造业", values[0]])
        ws.append(["汽车制造业", values[2]])
        ws.append(["软件和信息技术服务业", values[1]])
    path = tmp_path / "rows.xlsx"
    wb.save(path)
    res = invoke("similarity", str(path))
    assert isinstance(res.exception, HqdError) and res.exception.codes == ["mixed_industry_levels"]
    res = invoke("similarity", str(path), "--industry-level", "division")
    assert res.exit_code == 0, res.output
    assert "保定" in res.output and "estimator: structural similarity" in res.output and "SYNTHETIC" not in res.output
    res = invoke("lq", str(path), "--layout", "sideways")
    assert isinstance(res.exception, HqdError) and res.exception.codes == ["unknown_layout"]
