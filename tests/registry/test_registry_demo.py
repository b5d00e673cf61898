"""The demo registry: deterministic, labelled synthetic, real taxonomy and chain links."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from hqd.registry import credit_code as cc
from hqd.registry import export_frame, history, load_demo, summarize_projects
from hqd.registry.demo import LABEL, synthetic_enterprises, synthetic_ledger, synthetic_projects
from hqd.registry.taxonomy import link_rows

pytest_plugins = ["registry_fixtures"]


def test_generators_are_deterministic_and_labelled() -> None:
    pd.testing.assert_frame_equal(synthetic_projects(300, seed=5), synthetic_projects(300, seed=5))
    assert not synthetic_projects(300, seed=5).equals(synthetic_projects(300, seed=6))
    projects = synthetic_projects(300, seed=5)
    assert projects["project_id"].str.fullmatch(r"示例项目\d{4}").all()
    assert (projects["note"] == LABEL).all() and "synthetic" in LABEL
    enterprises = synthetic_enterprises(40, seed=5)
    assert enterprises["name"].str.fullmatch(r"示例企业\d{2}").all()
    assert enterprises["credit_code"].map(cc.is_valid).all()
    codes = {r["code"] for r in link_rows()}
    served = {c for links in enterprises["chain_links"] for c in links.split(";") if c}
    assert served <= codes
    ledger = synthetic_ledger(5)
    assert ledger["tasks"]["title"].str.contains("合成").all()


def test_load_demo_is_idempotent_and_marked_synthetic(registry_engine: Engine) -> None:
    first = load_demo(registry_engine, n_projects=300, n_enterprises=30)
    assert [r.inserted for r in first.reports][:2] == [30, 300]
    again = load_demo(registry_engine, n_projects=300, n_enterprises=30)
    assert all(r.inserted == 0 and r.updated == 0 for r in again.reports)
    summary = summarize_projects(registry_engine, "chain")
    assert summary.synthetic and "synthetic demo data" in summary.headline()
    assert export_frame(registry_engine, "projects").attrs["synthetic"]
    assert set(history(registry_engine)["actor"]) == {"hqd-demo"}
