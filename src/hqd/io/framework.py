"""Loading a framework from CSV, Excel, YAML or a COINr ``iMeta`` table."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from hqd.errors import Problems
from hqd.io.guard import load_yaml
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
    data = load_yaml(path)
    rows: list[dict[str, Any]] = []
    problems = Problems(context={"file": str(path)})
    if isinstance(data, Mapping) and "nodes" in data:
        data = data["nodes"]
        top = "nodes"
    else:
        top = ""
    if isinstance(data, Mapping) and "code" in data:
        _flatten(data, None, rows, top or "(root)", problems)
    elif isinstance(data, list):
        for k, item in enumerate(data):
            where = f"{top}[{k}]"
            if not isinstance(item, Mapping):
                problems.error("invalid_framework", f"{where}: each node must be a mapping (code: …, parent: …); "
                               f"got {_shown(item)}", column=where)
            elif "children" in item:
                _flatten(item, item.get("parent"), rows, where, problems)
            else:
                _check_node(item, where, problems)
                rows.append(dict(item))
    else:
        problems.error("invalid_framework", "a YAML framework is a list of nodes, a mapping with 'nodes', or a "
                       f"nested tree with 'code' and 'children'; got {_shown(data)}")
    problems.raise_if_errors()
    return Framework.from_frame(pd.DataFrame(rows), source=str(path))


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60] + '…' if len(text) > 60 else text}"


def _check_node(node: Mapping[str, Any], where: str, problems: Problems) -> None:
    """A node's values are single values (text, numbers, yes/no), never lists or mappings."""
    for key, value in node.items():
        if key == "children":
            continue
        if not isinstance(key, str):
            problems.error("invalid_framework", f"{where}: keys are names; got {_shown(key)}", column=where)
        elif isinstance(value, Mapping | list | tuple | set):
            problems.error("invalid_framework", f"{where}.{key}: must be a single value; got {_shown(value)}",
                           column=f"{where}.{key}", indicator=str(node.get("code")) if "code" in node else None)


def _flatten(node: Mapping[str, Any], parent: str | None, rows: list[dict[str, Any]], where: str,
             problems: Problems) -> None:
    _check_node(node, where, problems)
    row = {k: v for k, v in node.items() if k != "children"}
    row.setdefault("parent", parent)
    rows.append(row)
    children = node.get("children")
    if children is None:
        return
    if not isinstance(children, list):
        problems.error("invalid_framework", f"{where}.children: must be a list of nodes; got {_shown(children)}",
                       column=f"{where}.children", indicator=str(node.get("code")))
        return
    if "code" not in node or isinstance(node["code"], Mapping | list):
        problems.error("invalid_framework", f"{where}: a node with children needs a code", column=where)
        return
    for k, child in enumerate(children):
        if not isinstance(child, Mapping):
            problems.error("invalid_framework", f"{where}.children[{k}]: each node must be a mapping; got "
                           f"{_shown(child)}", column=f"{where}.children[{k}]", indicator=str(node["code"]))
            continue
        _flatten(child, str(node["code"]), rows, f"{where}.children[{k}]", problems)
