"""Exports neutralise formula injection; templates carry headers, allowed values and an importable example."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from hqd.errors import HqdError
from hqd.registry import ENTITIES, create, export, get, import_file, template
from hqd.registry.exports import neutralise

pytest_plugins = ["registry_fixtures"]

NASTY = {"name": "=1+2", "lead_enterprise": "+cmd|' /C calc'!A0", "note": "@SUM(A1:A9)"}


@pytest.fixture
def nasty_engine(registry_engine: Engine) -> Engine:
    create(
        registry_engine,
        "projects",
        {"project_id": "-P1", "region": "唐山", "investment_100m_cny": 2.5, "status": "在建", **NASTY},
        actor="mallory",
    )
    return registry_engine


def test_neutralise() -> None:
    assert [neutralise(v) for v in ("=A1", "+1", "-1", "@x", "\tx", "ok", 3.5, None)] == [
        "'=A1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "ok",
        3.5,
        None,
    ]


def test_csv_export_prefixes_formula_like_text_and_round_trips(nasty_engine: Engine, tmp_path: Path) -> None:
    path = export(nasty_engine, "projects", tmp_path / "projects.csv")
    with path.open(encoding="utf-8-sig") as fh:
        row = next(csv.DictReader(fh))
    assert (row["project_id"], row["name"], row["lead_enterprise"], row["note"]) == (
        "'-P1",
        "'=1+2",
        "'+cmd|' /C calc'!A0",
        "'@SUM(A1:A9)",
    )
    assert row["investment_100m_cny"] == "2.5"
    report = import_file(nasty_engine, "projects", path, actor="alice")
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 1)
    assert get(nasty_engine, "projects", "-P1")["name"] == "=1+2"


def test_excel_export_has_no_formulas(nasty_engine: Engine, tmp_path: Path) -> None:
    path = export(nasty_engine, "projects", tmp_path / "projects.xlsx")
    ws = load_workbook(path)["data"]
    header = [c.value for c in ws[1]]
    cells = dict(zip(header, ws[2], strict=True))
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    assert (cells["name"].value, cells["name"].data_type, cells["name"].quotePrefix) == ("=1+2", "s", True)
    assert cells["investment_100m_cny"].value == 2.5 and cells["investment_100m_cny"].data_type == "n"
    assert import_file(nasty_engine, "projects", path, actor="alice").unchanged == 1


def test_export_rejects_unknown_formats(registry_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(HqdError) as caught:
        export(registry_engine, "projects", tmp_path / "p.json")
    assert caught.value.codes == ["unsupported_format"]


def test_templates_have_headers_allowed_values_and_an_example(tmp_path: Path) -> None:
    path = template("projects", tmp_path / "projects.xlsx")
    wb = load_workbook(path)
    data, fields = wb["data"], wb["fields"]
    assert [c.value for c in data[1]] == [f.name for f in ENTITIES["projects"].fields]
    assert data["A2"].value == "示例项目0001"
    lists = [dv.formula1 for dv in data.data_validations.dataValidation]
    assert '"谋划储备,签约,开工,竣工,投产,达产,终止"' in lists
    described = {row[0].value: row for row in fields.iter_rows(min_row=2) if row[0].value}
    assert described["investment_100m_cny"][1].value == "总投资(亿元)"
    assert described["status"][4].value.startswith("planned (谋划储备), signed (签约)")
    zh = template("projects", tmp_path / "projects_zh.csv", lang="zh")
    assert zh.read_text(encoding="utf-8-sig").splitlines()[0].startswith("项目编号,项目名称,产业链")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_template_example_imports(registry_engine: Engine, tmp_path: Path, lang: str) -> None:
    order = ["plans", "tasks", "progress", "zones", "platforms", "enterprises", "projects", "links", "edges"]
    assert sorted(order) == sorted(ENTITIES)
    for name in order:
        path = template(name, tmp_path / f"{name}.xlsx", lang=lang)
        report = import_file(registry_engine, name, path, actor="template")
        assert report.rows == 1 and report.inserted + report.unchanged == 1, name
