"""Chain gaps: fill (补链), strengthen (强链) and extend (延链) targets, per area, and the graph JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from hqd.errors import HqdError
from hqd.registry import chain_gaps, create
from hqd.registry import credit_code as cc
from hqd.registry.gaps import classify

pytest_plugins = ["registry_fixtures"]

# (city, links served) of hand-made enterprises; counts below are worked out by hand from this table
ENTERPRISES = [
    ("130200", ["robotics.reducer", "robotics.servo"]),
    ("130200", ["robotics.reducer"]),
    ("130200", ["robotics.reducer", "robotics.app_auto"]),
    ("130200", ["robotics.servo"]),
    ("110000", ["robotics.integration"]),
    ("110000", ["robotics.body"]),
    ("130600", ["robotics.chip", "nev_icv.battery"]),
]
ROBOTICS = [
    "robotics.reducer",
    "robotics.servo",
    "robotics.controller",
    "robotics.sensor",
    "robotics.chip",
    "robotics.body",
    "robotics.integration",
    "robotics.app_auto",
    "robotics.app_electronics",
    "robotics.app_metal",
    "robotics.app_newenergy",
    "robotics.app_logistics",
]


@pytest.fixture
def gaps_engine(registry_engine: Engine) -> Engine:
    for i, (city, links) in enumerate(ENTERPRISES, start=1):
        create(
            registry_engine,
            "enterprises",
            {
                "credit_code": cc.complete(f"91{city}MA{i:07d}"),
                "name": f"示例企业{i:02d}",
                "city": city,
                "chain_links": links,
            },
            actor="test",
        )
    return registry_engine


def test_gaps_in_one_city(gaps_engine: Engine) -> None:
    report = chain_gaps(gaps_engine, "机器人产业链", region="唐山")
    assert (report.chain, report.area, report.area_name_zh) == ("robotics", "130200", "唐山市")
    counts = report.links.set_index("code")["enterprises"].to_dict()
    assert counts == {
        code: {"robotics.reducer": 3, "robotics.servo": 2, "robotics.app_auto": 1}.get(code, 0)
        for code in ROBOTICS
    }
    # present counts 3, 2, 1: the 0.75 quantile is 2.5, so only the reducer is strong
    assert report.targets("strengthen") == ["robotics.reducer"]
    assert report.targets("extend") == ["robotics.body"]  # no local body maker, next to the strong reducer
    assert sorted(report.targets("fill")) == sorted(
        set(ROBOTICS) - {"robotics.reducer", "robotics.servo", "robotics.app_auto"}
    )
    roles = report.links.set_index("code")["role"]
    assert (
        roles["robotics.reducer"],
        roles["robotics.servo"],
        roles["robotics.body"],
        roles["robotics.chip"],
    ) == ("strengthen", "present", "extend", "fill")


def test_gaps_in_a_corridor_and_the_whole_region(gaps_engine: Engine) -> None:
    corridor = chain_gaps(
        gaps_engine, "robotics", region="京唐秦机器人产业廊道"
    )  # Beijing, Tangshan, Qinhuangdao
    counts = corridor.links.set_index("code")["enterprises"]
    assert (counts["robotics.body"], counts["robotics.integration"], counts["robotics.chip"]) == (1, 1, 0)
    # present counts 3, 2, 1, 1, 1: quantile 2 -> reducer and servo strong; their neighbour (body) is present
    assert sorted(corridor.targets("strengthen")) == ["robotics.reducer", "robotics.servo"]
    assert corridor.targets("extend") == []
    whole = chain_gaps(gaps_engine, "robotics")
    assert whole.area == "JJJ"
    assert whole.links.set_index("code")["enterprises"]["robotics.chip"] == 1
    assert sorted(whole.targets("strengthen")) == ["robotics.reducer", "robotics.servo"]
    hebei = chain_gaps(gaps_engine, "robotics", region="河北省")
    assert hebei.links.set_index("code")["enterprises"]["robotics.integration"] == 0


def test_per_city_and_per_corridor_matrices(gaps_engine: Engine) -> None:
    report = chain_gaps(gaps_engine, "robotics")
    assert report.by_city.loc["robotics.reducer", "130200"] == 3
    assert report.by_city.loc["robotics.chip", "130600"] == 1
    assert report.by_city.shape == (12, 14)  # 13 cities and Xiong'an New Area
    assert report.by_corridor.loc["robotics.reducer", "bj_ts_qhd_robotics"] == 3
    assert report.by_corridor.loc["robotics.reducer", "bj_tj_it"] == 0
    # a Beijing enterprise counts in every corridor (Beijing is in all five)
    assert (report.by_corridor.loc["robotics.integration"] == 1).all()
    # Baoding's chip maker counts in the corridor through Baoding (京雄 names Xiong'an, its own unit)
    assert report.by_corridor.loc["robotics.chip"].to_dict() == {
        "bj_bd_sjz_energy": 1,
        "bj_tj_it": 0,
        "bj_ts_qhd_robotics": 0,
        "bj_xa_aerospace": 0,
        "bj_zjk_cd_green": 0,
    }


def test_graph_json_for_echarts(gaps_engine: Engine) -> None:
    graph = chain_gaps(gaps_engine, "robotics", region="唐山").graph()
    json.dumps(graph, ensure_ascii=False)
    assert len(graph["nodes"]) == 12 and len(graph["links"]) == 11
    node = {n["id"]: n for n in graph["nodes"]}["robotics.reducer"]
    assert (node["value"], node["role"], graph["categories"][node["category"]]["name"]) == (
        3,
        "strengthen",
        "强链 strengthen",
    )
    assert {"source": "robotics.reducer", "target": "robotics.body"} in graph["links"]


def test_gap_errors(registry_engine: Engine) -> None:
    with pytest.raises(HqdError) as caught:
        chain_gaps(registry_engine, "teleporters")
    assert caught.value.codes == ["unknown_chain"]
    with pytest.raises(HqdError) as caught:
        chain_gaps(registry_engine, "robotics", region="上海")
    assert caught.value.codes == ["unknown_region"]
    with pytest.raises(HqdError) as caught:
        chain_gaps(registry_engine, "hydrogen")
    assert caught.value.codes == ["empty_chain_map"]
    with pytest.raises(HqdError) as caught:
        chain_gaps(registry_engine, "robotics", strong_quantile=1.5)
    assert caught.value.codes == ["out_of_range"]


@given(
    counts=st.lists(st.integers(0, 12), min_size=1, max_size=14),
    seed=st.integers(0, 2**32 - 1),
    q=st.floats(0, 1),
)
def test_classification_invariants(counts: list[int], seed: int, q: float) -> None:
    c = np.array(counts)
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((len(c), len(c))) < 0.3, 1)
    adjacency = (upper | upper.T).astype(float)
    flags = classify(c, adjacency, q)
    strong, extend, fill = flags["strengthen"], flags["extend"], flags["fill"]
    assert np.array_equal(fill, c == 0)
    assert not (strong & fill).any()
    assert not (extend & ~fill).any()
    assert np.array_equal(extend, fill & ((adjacency @ strong) > 0))
    if (c > 0).any():
        assert strong[np.argmax(c)]
        assert (c[c > 0] >= c[strong].min()).sum() == strong.sum()  # strong = every present link above a cut
    else:
        assert not strong.any()
