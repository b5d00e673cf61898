"""Loading a framework from CSV, Excel, YAML or a COINr ``iMeta`` table."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from hqd.errors import HqdError, Problem
from hqd.io.tables import RawTable, read_table
from hqd.model.framework import Framework

#: COINr iMeta column → HQD framework column.
COINR_IMETA = {"iCode": "code", "Parent": "parent", "iName": "name_en", "Direction": "direction",
               "Weight": "weight", "Unit": "unit", "Target": "target", "Denominator": "denominator"}


def load_framework(source: str | Path | pd.DataFrame | Framework, *, sheet: str | None = None) -> Framework:
    """Read and validate a framework.

    Accepts an HQD framework table (CSV, Excel sheet, YAML, or a DataFrame) with columns ``code,
    parent, name_zh, name_en, direction, weight, unit`` and optional per-indicator columns, or a COINr
    ``iMeta`` table as it is (``iCode``, ``Parent``, ``Type`` …): its parentless ``Aggregate`` row is
    the index, ``Group`` and ``Denominator`` rows are unit metadata (not nodes), and ``Target`` serves
    distance-to-target normalisation without making an indicator moderate.
    """
    if isinstance(source, Framework):
        return source
    if isinstance(source, pd.DataFrame):
        return _from_table(RawTable(source, None))
    path = Path(source)
    if path.suffix.lower() in (".yaml", ".yml"):
        return _from_yaml(path)
    return _from_table(read_table(path, sheet=sheet))


def _from_table(raw: RawTable) -> Framework:
    frame = raw.frame
    if {"iCode", "Type"}.issubset(frame.columns):
        return from_coinr_imeta(raw)
    return Framework.from_frame(frame, source=raw.source, sheet=raw.sheet, first_row=raw.first_row)


def from_coinr_imeta(raw: RawTable) -> Framework:
    """Convert a COINr ``iMeta`` table to a framework (COINr's Level 1 = indicators → HQD depth)."""
    frame = raw.frame
    types = frame["Type"].astype(str).str.strip()
    is_node = types.isin(["Indicator", "Aggregate"]).to_numpy()
    nodes = frame.loc[is_node, [c for c in COINR_IMETA if c in frame.columns]].rename(columns=COINR_IMETA)
    indicator = types[is_node].eq("Indicator").to_numpy()
    # Directions of aggregates are not used by COINr; targets do not make indicators moderate here.
    nodes.loc[~indicator, "direction"] = None
    first_row = raw.first_row + int(is_node.argmax()) if is_node.any() else raw.first_row
    return Framework.from_frame(nodes.reset_index(drop=True), source=raw.source, sheet=raw.sheet,
                                first_row=first_row)


def coinr_denominator_columns(raw: RawTable) -> list[str]:
    """The iMeta rows of ``Type = Denominator`` (data columns that are denominators)."""
    frame = raw.frame
    return frame.loc[frame["Type"].astype(str).str.strip() == "Denominator", "iCode"].astype(str).tolist()


def _from_yaml(path: Path) -> Framework:
    if not path.exists():
        raise HqdError([Problem("file_not_found", f"framework file not found: {path}", file=str(path))])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        raise HqdError([Problem("invalid_yaml", f"not valid YAML: {exc}", file=str(path))]) from None
    rows: list[dict[str, Any]] = []
    if isinstance(data, Mapping) and "nodes" in data:
        data = data["nodes"]
    if isinstance(data, Mapping) and "code" in data:
        _flatten(data, None, rows)
    elif isinstance(data, list):
        for item in data:
            if not isinstance(item, Mapping):
                raise HqdError([Problem("invalid_framework", f"each node must be a mapping; got {item!r}",
                                        file=str(path))])
            if "children" in item:
                _flatten(item, item.get("parent"), rows)
            else:
                rows.append(dict(item))
    else:
        raise HqdError([Problem("invalid_framework", "a YAML framework is a list of nodes, a mapping with "
                                "'nodes', or a nested tree with 'children'", file=str(path))])
    return Framework.from_frame(pd.DataFrame(rows), source=str(path))


def _flatten(node: Mapping[str, Any], parent: str | None, rows: list[dict[str, Any]]) -> None:
    row = {k: v for k, v in node.items() if k != "children"}
    row.setdefault("parent", parent)
    rows.append(row)
    for child in node.get("children") or []:
        _flatten(child, str(node["code"]), rows)
