"""Summaries equal independent pandas sums over the imported file ("2,046 projects, 13,052 亿元")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from registry_fixtures import BACKENDS, fresh_database
from sqlalchemy import Engine

from hqd.errors import HqdError
from hqd.registry import connect, import_file, init_db, summarize_enterprises, summarize_projects
from hqd.registry.demo import synthetic_enterprises, synthetic_projects
from hqd.registry.summaries import PROJECT_GROUPS, format_count_total


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, pd.DataFrame, pd.DataFrame]]:
    """A registry with 1,200 synthetic projects (from an .xlsx file) and 40 enterprises (from a .csv file)."""
    folder = tmp_path_factory.mktemp("summaries")
    projects, enterprises = synthetic_projects(1200, seed=3), synthetic_enterprises(40, seed=3)
    projects.to_excel(folder / "projects.xlsx", index=False)
    enterprises.to_csv(folder / "enterprises.csv", index=False)
    with fresh_database(request.param, folder) as url:
        engine = connect(url)
        init_db(engine)
        import_file(engine, "enterprises", folder / "enterprises.csv", actor="test")
        import_file(engine, "projects", folder / "projects.xlsx", actor="test")
        # the expected values come from the files, read independently
        yield (
            engine,
            pd.read_excel(folder / "projects.xlsx", dtype=str, keep_default_na=False),
            pd.read_csv(folder / "enterprises.csv", dtype=str, keep_default_na=False),
        )
        engine.dispose()


def _expected(projects: pd.DataFrame, by: str) -> pd.DataFrame:
    frame = projects.assign(amount=projects["investment_100m_cny"].astype(float))
    key = {
        "province": frame["region"].str[:2] + "0000",
        "year": frame["signed_date"].str[:4],
    }.get(by, frame.get(by))
    return frame.assign(key=key).groupby("key").agg(projects=("amount", "size"), total=("amount", "sum"))


@pytest.mark.parametrize("by", PROJECT_GROUPS)
def test_project_summaries_equal_pandas_sums(
    loaded: tuple[Engine, pd.DataFrame, pd.DataFrame], by: str
) -> None:
    engine, projects, _ = loaded
    summary = summarize_projects(engine, by)
    expected = _expected(projects, by)
    got = summary.table.set_index("key")
    assert sorted(got.index) == sorted(expected.index)
    assert got.loc[expected.index, "projects"].tolist() == expected["projects"].tolist()
    np.testing.assert_allclose(got.loc[expected.index, "investment_100m_cny"], expected["total"], rtol=1e-12)
    assert summary.total_count == len(projects)
    np.testing.assert_allclose(
        summary.total_investment, projects["investment_100m_cny"].astype(float).sum(), rtol=1e-12
    )
    assert summary.headline().startswith(f"{len(projects):,} projects, ")


def test_labels_are_bilingual(loaded: tuple[Engine, pd.DataFrame, pd.DataFrame]) -> None:
    table = summarize_projects(loaded[0], "province").table.set_index("key")
    assert table.loc["130000", ["name_zh", "name_en"]].tolist() == ["河北省", "Hebei"]
    status = summarize_projects(loaded[0], "status").table.set_index("key")
    assert status.loc["started", "name_zh"] == "开工"
    chains = summarize_projects(loaded[0], "chain").table.set_index("key")
    assert chains.loc["robotics", "name_zh"] == "机器人产业链"
    assert chains.loc["", "name_en"] == "(none)"


def test_enterprise_summaries_equal_pandas_counts(loaded: tuple[Engine, pd.DataFrame, pd.DataFrame]) -> None:
    engine, _, enterprises = loaded
    tiers = summarize_enterprises(engine, "tier").table.set_index("key")["enterprises"]
    for tier in ("little_giant_year", "specialised_sme_year", "innovative_sme_year", "high_tech_year"):
        assert tiers[tier] == (enterprises[tier] != "").sum()
    cities = summarize_enterprises(engine, "city").table.set_index("key")["enterprises"]
    assert cities.to_dict() == enterprises["city"].value_counts().to_dict()
    served = enterprises.assign(link=enterprises["chain_links"].str.split(";")).explode("link")
    served = served[served["link"] != ""].assign(chain=lambda d: d["link"].str.split(".").str[0])
    chains = summarize_enterprises(engine, "chain").table.set_index("key")["enterprises"]
    assert chains.to_dict() == served.groupby("chain")["credit_code"].nunique().to_dict()
    assert summarize_enterprises(engine, "tier").total_count == len(enterprises)


def test_headline_format() -> None:
    assert format_count_total(2046, 13052.4) == "2,046 projects, 13,052 亿元"
    assert format_count_total(1, 12.34) == "1 project, 12.3 亿元"


def test_unknown_grouping_lists_the_valid_ones(loaded: tuple[Engine, pd.DataFrame, pd.DataFrame]) -> None:
    with pytest.raises(HqdError) as caught:
        summarize_projects(loaded[0], "colour")
    assert caught.value.codes == ["invalid_choice"]
    assert "chain, cluster, corridor" in str(caught.value)
    with pytest.raises(HqdError):
        summarize_enterprises(loaded[0], "year")


def test_empty_registry_summarises_to_zero(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    init_db(engine)
    summary = summarize_projects(engine, "chain")
    assert (summary.total_count, summary.total_investment, len(summary.table)) == (0, 0.0, 0)
    assert summary.headline() == "0 projects, 0.0 亿元"
    engine.dispose()


def test_filtered_query_totals_equal_pandas_over_the_file(loaded: tuple[Engine, pd.DataFrame, pd.DataFrame]) -> None:
    """A project library page: the count and investment sum cover every matching record, not only the page."""
    from hqd.registry.models import Project, table_of
    from hqd.registry.records import query

    engine, projects, _ = loaded
    table = table_of(Project)
    chain = projects.loc[projects["chain"] != "", "chain"].iloc[0]
    found = query(engine, "projects", clauses=[table.c.chain == chain], sort="-investment_100m_cny", limit=5)
    expected = projects[projects["chain"] == chain]["investment_100m_cny"].astype(float)
    assert found.total == len(expected) and len(found.rows) == 5
    assert found.sums["investment_100m_cny"] == pytest.approx(expected.sum())
    top = [row["investment_100m_cny"] for row in found.rows]
    assert top == sorted(top, reverse=True) and top[0] == pytest.approx(expected.max())
    with pytest.raises(HqdError) as info:
        query(engine, "projects", sort="nonsense")
    assert info.value.codes == ["unknown_field"]
