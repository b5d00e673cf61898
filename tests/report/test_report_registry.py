"""With --db the report adds the registry's project and enterprise summaries (here: the synthetic demo registry
in SQLite), whose totals are those of the projects loaded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from hqd.errors import HqdError
from hqd.report import build_document, build_report
from hqd.report.document import TableBlock, TextBlock

pytest_plugins = ["report_fixtures"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from hqd import registry

    url = f"sqlite:///{tmp_path_factory.mktemp('report-db') / 'registry.sqlite'}"
    registry.load_demo(url, n_projects=120, n_enterprises=20, seed=0)
    return url


def test_registry_chapter_holds_the_summaries(bare_run: Path, demo_db: str, tmp_path: Path) -> None:
    from hqd.registry import synthetic_projects

    loaded = synthetic_projects(120, 0, enterprises=20)
    expected = pd.to_numeric(loaded["investment_100m_cny"]).sum()
    report = build_document(bare_run, lang="zh", db=demo_db)
    section = next(s for s in report.sections if s.key == "registry")
    tables = {b.key: b for b in section.blocks if isinstance(b, TableBlock)}
    assert set(tables) == {"registry_projects_chain", "registry_projects_province", "registry_projects_status",
                           "registry_enterprises_tier", "registry_enterprises_chain"}
    for key in ("registry_projects_chain", "registry_projects_province", "registry_projects_status"):
        frame = tables[key].frame
        assert frame["projects"].sum() == 120, key
        assert frame["investment_100m_cny"].sum() == pytest.approx(expected, rel=1e-9), key
    text = " ".join(b.text for b in section.blocks if isinstance(b, TextBlock))
    assert "120 projects" in text and "合成" in text
    assert "未指定数据库" not in " ".join(report.missing)
    workbook = load_workbook(build_report(bare_run, "xlsx", tmp_path / "r.xlsx", db=demo_db), read_only=True)
    assert "registry_projects_chain" in workbook.sheetnames


def test_unreadable_database_is_an_error(bare_run: Path, tmp_path: Path) -> None:
    with pytest.raises(HqdError) as caught:
        build_document(bare_run, db=f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert caught.value.codes == ["database_error"]
    assert "no such table" in str(caught.value)
