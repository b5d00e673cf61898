"""results.xlsx and every HQD workbook: text that cannot live in a cell is replaced, never a crash."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from hqd.io.excel import write_workbook


def test_control_characters_are_replaced_not_fatal(tmp_path: Path) -> None:
    """A vertical tab in a region name crashed `hqd run` and API jobs while writing results.xlsx (#20)."""
    path = write_workbook(tmp_path / "r.xlsx", {"s": pd.DataFrame({"name": ["a\x0bb", "ok\tx", "=1+1"]})})
    values = [c.value for c in load_workbook(path).active["A"]][2:]
    assert values == ["a\ufffdb", "ok\tx", "=1+1"]
    assert load_workbook(path).active["A5"].data_type == "s"  # formula-like text stays text
