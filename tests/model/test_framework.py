"""The framework tree: levels, weights, and every validation rule with its reason code and location."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hqd.errors import HqdError
from hqd.io import load_framework
from hqd.model.framework import Framework

GOOD = pd.DataFrame({
    "code": ["I", "D1", "D2", "S1", "a", "b", "c", "d"],
    "parent": [None, "I", "I", "D1", "S1", "S1", "D1", "D2"],
    "name_zh": ["指数", "维度一", "维度二", "子维度", "甲", "乙", "丙", "丁"],
    "direction": [None, None, None, None, 1, -1, "正向", "moderate"],
    "weight": [None, 2, 1, None, None, None, None, None],
    "target": [None, None, None, None, None, None, None, 5],
})


def test_levels_and_unbalanced_tree() -> None:
    fw = Framework.from_frame(GOOD)
    assert fw.index_code == "I"
    assert fw.indicators == ["a", "b", "c", "d"]
    assert fw.nodes["level"].to_dict() == {"I": 0, "D1": 1, "D2": 1, "S1": 2, "a": 3, "b": 3, "c": 2, "d": 2}
    assert fw.height["I"] == 3 and fw.height["D2"] == 1
    assert fw.leaves_under("D1") == ["a", "b", "c"]
    assert fw.nodes.at["d", "moderate"] and fw.nodes.at["b", "direction"] == -1
    weights = fw.relative_weights()
    assert weights["D1"] == pytest.approx(2 / 3) and weights["a"] == pytest.approx(0.5)


def _codes(table: pd.DataFrame) -> list[tuple[str, int | None, str | None]]:
    with pytest.raises(HqdError) as info:
        Framework.from_frame(table, source="fw.csv")
    return [(p.code, p.row, p.column) for p in info.value.problems if p.severity == "error"]


def test_cycle_is_reported_with_its_row() -> None:
    bad = GOOD.copy()
    bad.loc[bad["code"] == "S1", "parent"] = "a"
    codes = _codes(bad)
    assert any(code == "cycle" and column == "parent" for code, _, column in codes)


def test_orphan_and_multiple_roots() -> None:
    bad = GOOD.copy()
    bad.loc[bad["code"] == "c", "parent"] = "NOPE"
    bad.loc[bad["code"] == "D2", "parent"] = None
    codes = _codes(bad)
    assert ("orphan", 8, "parent") in codes
    assert any(code == "multiple_roots" for code, _, _ in codes)


def test_invalid_direction_weight_target_and_duplicates_all_at_once() -> None:
    bad = GOOD.copy()
    bad.loc[bad["code"] == "a", "direction"] = "up"
    bad.loc[bad["code"] == "b", "weight"] = -1
    bad.loc[bad["code"] == "d", "target"] = None
    bad.loc[bad["code"] == "c", "direction"] = None
    bad = pd.concat([bad, bad.iloc[[4]]], ignore_index=True)
    codes = _codes(bad)
    assert ("invalid_direction", 6, "direction") in codes
    assert ("invalid_weight", 7, "weight") in codes
    assert ("missing_target", 9, "target") in codes
    assert ("missing_direction", 8, "direction") in codes
    assert ("duplicate_code", 10, "code") in codes


def test_unknown_transform_and_goalposts() -> None:
    bad = GOOD.copy()
    bad["transform"] = [None, None, None, None, "sqrt", None, "log", None]
    bad["goalpost_min"] = [None, None, None, None, 5, None, 0, None]
    bad["goalpost_max"] = [None, None, None, None, 1, None, 10, None]
    codes = {c for c, _, _ in _codes(bad)}
    assert {"unknown_transform", "invalid_goalposts"} <= codes


def test_non_numeric_weight_names_the_cell() -> None:
    bad = GOOD.astype(object).copy()
    bad.loc[bad["code"] == "D1", "weight"] = "heavy"
    assert ("non_numeric", 3, "weight") in _codes(bad)


def test_yaml_nested_tree(tmp_path: Path) -> None:
    path = tmp_path / "fw.yaml"
    path.write_text(
        "code: I\nname_en: Index\nchildren:\n"
        "  - code: D\n    children:\n      - {code: x, direction: 1, weight: 1}\n      - {code: y, direction: -1, weight: 3}\n",
        encoding="utf-8",
    )
    fw = load_framework(path)
    assert fw.indicators == ["x", "y"] and fw.relative_weights()["y"] == pytest.approx(0.75)


def test_coinr_imeta_levels_and_metadata_rows(shared: Path) -> None:
    fw = load_framework(shared / "data" / "coinr_asem" / "asem_iMeta.csv")
    assert fw.index_code == "Index" and len(fw.indicators) == 49
    assert fw.dimensions == ["Conn", "Sust"]
    # COINr Level 1 (indicators) is HQD depth 3; Group/Denominator rows are not nodes.
    assert set(fw.nodes.loc[fw.indicators, "level"]) == {3}
    assert "GDP" not in fw.nodes.index and "EurAsia_group" not in fw.nodes.index
    assert fw.nodes.at["Flights", "denominator"] == "Population"
    assert not fw.nodes["moderate"].any()
