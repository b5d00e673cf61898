"""The indicator framework (评价指标体系): a tree index → dimensions → [sub-dimensions] → indicators.

A framework is a table of nodes with columns ``code, parent, name_zh, name_en, direction, weight, unit``
and optional per-indicator columns ``transform, goalpost_min, goalpost_max, target, denominator,
valid_min, valid_max``.  The one node without a parent is the index.  Any depth is allowed and the
tree may be unbalanced.  A node's **level** is its depth from the index (0 = index, 1 = first-level
indicators such as the dimensions, …), as Chinese frameworks number them.

``direction`` is ``1``/``-1`` (正向/负向) or ``moderate`` (适度指标, which needs a ``target``).
``weight`` is relative to the node's siblings and renormalised among them; blank means equal.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import Problems

#: Columns a framework table may have (others are ignored with a warning).
FRAMEWORK_COLUMNS = (
    "code", "parent", "name_zh", "name_en", "direction", "weight", "unit", "transform",
    "goalpost_min", "goalpost_max", "target", "denominator", "valid_min", "valid_max", "percent",
    "zero_is_missing",
)
#: Yes/no columns (plausibility rules): ``percent`` — values must lie in [0, 100]; ``zero_is_missing`` — a
#: published 0 stands for "not reported" (city yearbooks) and is read as missing.
BOOL_COLUMNS = ("percent", "zero_is_missing")
_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"0", "false", "no", "n", "否", "f"}
NUMERIC_COLUMNS = ("weight", "goalpost_min", "goalpost_max", "target", "valid_min", "valid_max")
#: Per-indicator value transforms applied before normalisation.
TRANSFORMS = ("log",)

_DIRECTION_WORDS: dict[str, float] = {
    "1": 1.0, "+1": 1.0, "+": 1.0, "1.0": 1.0, "positive": 1.0, "pos": 1.0, "benefit": 1.0, "正向": 1.0,
    "正": 1.0, "-1": -1.0, "-": -1.0, "-1.0": -1.0, "negative": -1.0, "neg": -1.0, "cost": -1.0,
    "负向": -1.0, "负": -1.0, "逆向": -1.0,
}
_MODERATE_WORDS = {"moderate", "适度", "适度指标", "0"}


def parse_direction(value: Any) -> tuple[float, bool] | None:
    """``(direction, moderate)`` for a direction cell, or ``None`` when it is not understood."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip().lower()
    if text in _MODERATE_WORDS:
        return 1.0, True
    if text in _DIRECTION_WORDS:
        return _DIRECTION_WORDS[text], False
    return None


@dataclass(frozen=True)
class Framework:
    """A validated indicator tree.

    ``nodes`` is indexed by ``code`` in file order with columns ``parent`` (None for the index),
    ``name_zh``, ``name_en``, ``direction`` (±1.0; NaN for aggregates), ``moderate`` (bool),
    ``weight`` (NaN = equal), ``unit``, ``transform``, ``goalpost_min``, ``goalpost_max``, ``target``,
    ``denominator``, ``valid_min``, ``valid_max``, ``level`` (depth from the index) and ``is_leaf``.
    """

    nodes: pd.DataFrame
    source: str | None = None
    warnings: tuple[Any, ...] = field(default=(), compare=False)

    # ----------------------------------------------------------------- structure
    @cached_property
    def index_code(self) -> str:
        """The code of the root (the index)."""
        return str(self.nodes.index[self.nodes["parent"].isna()][0])

    @cached_property
    def children(self) -> dict[str, list[str]]:
        """Each node's children, in file order (leaves map to an empty list)."""
        out: dict[str, list[str]] = {code: [] for code in self.nodes.index}
        for code, parent in self.nodes["parent"].items():
            if isinstance(parent, str):
                out[parent].append(str(code))
        return out

    @cached_property
    def indicators(self) -> list[str]:
        """The leaves (indicators), in file order."""
        return [str(c) for c in self.nodes.index[self.nodes["is_leaf"]]]

    @cached_property
    def aggregates(self) -> list[str]:
        """The non-leaf nodes, in file order."""
        return [str(c) for c in self.nodes.index[~self.nodes["is_leaf"]]]

    @cached_property
    def dimensions(self) -> list[str]:
        """The level-1 nodes (一级指标)."""
        return [str(c) for c in self.nodes.index[self.nodes["level"] == 1]]

    @cached_property
    def height(self) -> dict[str, int]:
        """Distance from each node to its deepest leaf (0 for indicators)."""
        result: dict[str, int] = {}

        def visit(code: str) -> int:
            kids = self.children[code]
            result[code] = 0 if not kids else 1 + max(visit(k) for k in kids)
            return result[code]

        visit(self.index_code)
        return result

    @property
    def max_level(self) -> int:
        return int(self.nodes["level"].max())

    def leaves_under(self, code: str) -> list[str]:
        """The indicators below ``code`` (itself when it is an indicator), in file order."""
        kids = self.children[code]
        if not kids:
            return [code]
        below = {leaf for k in kids for leaf in self.leaves_under(k)}
        return [c for c in self.indicators if c in below]

    def ancestors(self, code: str) -> list[str]:
        """Parents of ``code`` up to the index, nearest first."""
        out: list[str] = []
        parent = self.nodes.at[code, "parent"]
        while isinstance(parent, str):
            out.append(parent)
            parent = self.nodes.at[parent, "parent"]
        return out

    def dimension_of(self, code: str) -> str | None:
        """The level-1 ancestor of ``code`` (itself at level 1; None for the index)."""
        if self.nodes.at[code, "level"] == 0:
            return None
        if self.nodes.at[code, "level"] == 1:
            return code
        return next(a for a in self.ancestors(code) if self.nodes.at[a, "level"] == 1)

    def name(self, code: str, lang: str = "zh") -> str:
        """The node's name in ``lang`` (falls back to the other language, then the code)."""
        first, second = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
        for column in (first, second):
            value = self.nodes.at[code, column]
            if isinstance(value, str) and value.strip():
                return value
        return code

    def relative_weights(self) -> pd.Series:
        """The framework weights renormalised among siblings (blank siblings share equally)."""
        weights = pd.Series(np.nan, index=self.nodes.index, dtype=float)
        weights[self.index_code] = 1.0
        for kids in self.children.values():
            if not kids:
                continue
            raw = self.nodes.loc[kids, "weight"].astype(float)
            raw = raw.fillna(1.0) if raw.isna().all() else raw.fillna(raw.mean())
            weights[kids] = raw / raw.sum()
        return weights

    def subset(self, indicators: Iterable[str]) -> Framework:
        """The framework restricted to ``indicators`` (empty aggregates are dropped)."""
        keep_leaves = set(indicators)
        keep = {self.index_code}
        for leaf in keep_leaves:
            keep.add(leaf)
            keep.update(self.ancestors(leaf))
        rows = self.nodes.loc[[c for c in self.nodes.index if c in keep]].copy()
        return Framework.from_frame(rows.reset_index(), source=self.source)

    def digest(self) -> str:
        """A SHA-256 of the framework's content (for manifests)."""
        text = self.nodes.drop(columns=["is_leaf"]).to_csv()
        return hashlib.sha256(text.encode()).hexdigest()

    def to_frame(self) -> pd.DataFrame:
        """The framework as a flat table (``code`` as a column), as written to ``framework.csv``."""
        out = self.nodes.reset_index()
        direction = out["direction"].map(lambda d: "" if pd.isna(d) else str(int(d)))
        out["direction"] = direction.where(~out["moderate"], "moderate")
        return out.drop(columns=["moderate", "is_leaf"])

    # ----------------------------------------------------------------- building
    @classmethod
    def from_frame(
        cls, table: pd.DataFrame, *, source: str | None = None, sheet: str | None = None,
        first_row: int = 2,
    ) -> Framework:
        """Validate a framework table and build the tree; raises :class:`HqdError` with every problem.

        ``first_row`` is the spreadsheet row number of the table's first data row (for locations).
        """
        problems = Problems(context={"file": source, "sheet": sheet})
        table = table.copy()
        table.columns = [str(c).strip() for c in table.columns]
        for column in sorted(set(table.columns[table.columns.duplicated()])):
            problems.error("duplicate_column", f"column {column!r} appears more than once; keep one, or rename "
                           "the others", column=column)
        problems.raise_if_errors()
        for column in table.columns:
            cells = table[column].to_numpy(dtype=object)
            for k in map(int, np.flatnonzero([isinstance(v, list | tuple | set | dict) for v in cells])):
                problems.error("invalid_value", f"{column} must be a single value; got {cells[k]!r:.60}",
                               row=first_row + k, column=column)
        problems.raise_if_errors()
        for column in table.columns:
            if column not in FRAMEWORK_COLUMNS:
                problems.warn("unused_column", f"column {column!r} is not a framework column; ignored",
                              column=column)
        for column in ("code", "parent"):
            if column not in table.columns:
                problems.error("missing_column", f"the framework needs a {column!r} column",
                               column=column)
        problems.raise_if_errors()
        for column in FRAMEWORK_COLUMNS:
            if column not in table.columns:
                table[column] = np.nan
        table = table[list(FRAMEWORK_COLUMNS)]
        rows = [first_row + i for i in range(len(table))]

        text_cols = ("code", "parent", "name_zh", "name_en", "unit", "transform", "denominator")
        for column in text_cols:
            table[column] = pd.Series([_text(v) for v in table[column]], index=table.index, dtype=object)
        for i, code in enumerate(table["code"]):
            if code is None:
                problems.error("missing_code", "a framework row has no code", row=rows[i], column="code")
        seen: dict[str, int] = {}
        for i, code in enumerate(table["code"]):
            if code is None:
                continue
            if code in seen:
                problems.error("duplicate_code", f"code {code!r} also on row {seen[code]}",
                               row=rows[i], column="code", indicator=code)
            else:
                seen[code] = rows[i]
        for column in BOOL_COLUMNS:
            flags = []
            for i, value in enumerate(table[column]):
                text = _text(value)
                if text is None or text.lower() in _FALSE:
                    flags.append(False)
                elif text.lower() in _TRUE:
                    flags.append(True)
                else:
                    flags.append(False)
                    problems.error("invalid_flag", f"{column} must be yes/no (1/0, true/false); got {value!r}",
                                   row=rows[i], column=column, indicator=table["code"].iloc[i])
            table[column] = flags
        for column in NUMERIC_COLUMNS:
            parsed = pd.to_numeric(table[column], errors="coerce")
            for i in map(int, np.flatnonzero(parsed.isna().to_numpy() & table[column].notna().to_numpy())):
                if _text(table[column].iloc[i]) is None:
                    continue
                problems.error("non_numeric", f"{column} {table[column].iloc[i]!r} is not a number",
                               row=rows[i], column=column, indicator=table["code"].iloc[i])
            table[column] = parsed.astype(float)

        # Keep checking the rest with one row per code (the duplicates are already reported).
        keep = table["code"].notna().to_numpy() & ~table["code"].duplicated().to_numpy()
        rows = [r for r, k in zip(rows, keep, strict=True) if k]
        table = table[keep].set_index("code")
        row_of = dict(zip(table.index, rows, strict=True))
        roots = [c for c in table.index if table.at[c, "parent"] is None]
        if not roots:
            problems.error("no_index", "no node without a parent: the framework has no index")
        elif len(roots) > 1:
            problems.error("multiple_roots", f"several nodes have no parent: {', '.join(roots)}; "
                           "exactly one (the index) may have none")
        for code, parent in table["parent"].items():
            if parent is not None and parent not in table.index:
                problems.error("orphan", f"parent {parent!r} of {code!r} is not a node of the framework",
                               row=row_of[code], column="parent", indicator=str(code))
            if parent == code:
                problems.error("cycle", f"{code!r} is its own parent", row=row_of[code], column="parent",
                               indicator=str(code))
        _raise_if_structural(problems)

        levels = _levels(table["parent"], problems, row_of)
        _raise_if_structural(problems)
        table["level"] = pd.Series(levels, dtype=int)
        has_children = set(table["parent"].dropna())
        table["is_leaf"] = [c not in has_children for c in table.index]

        direction = np.full(len(table), np.nan)
        moderate = np.zeros(len(table), dtype=bool)
        for i, code in enumerate(table.index):
            leaf = bool(table.at[code, "is_leaf"])
            raw = table["direction"].iloc[i]
            parsed_dir = parse_direction(raw)
            if parsed_dir is None:
                if leaf and _text(raw) is None:
                    problems.error("missing_direction", "indicator has no direction (1, -1 or moderate)",
                                   row=row_of[code], column="direction", indicator=str(code))
                elif _text(raw) is not None:
                    problems.error("invalid_direction",
                                   f"direction must be 1, -1 or moderate (正向/负向/适度); got {raw!r}",
                                   row=row_of[code], column="direction", indicator=str(code))
                continue
            if leaf:
                direction[i], moderate[i] = parsed_dir
                if parsed_dir[1] and pd.isna(table.at[code, "target"]):
                    problems.error("missing_target", "a moderate (适度) indicator needs a target",
                                   row=row_of[code], column="target", indicator=str(code))
        table["direction"] = direction
        table["moderate"] = moderate

        for code in table.index:
            w = table.at[code, "weight"]
            if not pd.isna(w) and (w < 0 or not np.isfinite(w)):
                problems.error("invalid_weight", f"weight must be a non-negative number; got {w}",
                               row=row_of[code], column="weight", indicator=str(code))
            t = table.at[code, "transform"]
            if t is not None and t not in TRANSFORMS:
                problems.error("unknown_transform",
                               f"unknown transform {t!r}; valid: {', '.join(TRANSFORMS)}",
                               row=row_of[code], column="transform", indicator=str(code))
            lo, hi = table.at[code, "goalpost_min"], table.at[code, "goalpost_max"]
            if not pd.isna(lo) and not pd.isna(hi) and lo >= hi:
                problems.error("invalid_goalposts", f"goalpost_min {lo} must be below goalpost_max {hi}",
                               row=row_of[code], column="goalpost_min", indicator=str(code))
            if t == "log" and not pd.isna(lo) and lo <= 0:
                problems.error("invalid_goalposts", f"a log transform needs goalpost_min > 0; got {lo}",
                               row=row_of[code], column="goalpost_min", indicator=str(code))
        for parent in set(table["parent"].dropna()):
            kids = table.index[table["parent"] == parent]
            weights = table.loc[kids, "weight"]
            if weights.notna().all() and (weights.fillna(0) == 0).all():
                problems.error("invalid_weight", f"all weights of the children of {parent!r} are zero",
                               column="weight", indicator=str(parent))
        problems.raise_if_errors()
        return cls(nodes=table, source=source, warnings=tuple(problems.warnings))


_STRUCTURAL = {"no_index", "multiple_roots", "orphan", "cycle"}


def _raise_if_structural(problems: Problems) -> None:
    """Stop (with every problem found so far) when the tree itself cannot be built."""
    if any(p.code in _STRUCTURAL for p in problems.errors):
        problems.raise_if_errors()


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _levels(parents: pd.Series, problems: Problems, row_of: dict[str, int]) -> dict[str, int]:
    """Depth of every node; records a ``cycle`` problem for nodes that never reach the root."""
    levels: dict[str, int] = {}
    for start in parents.index:
        path: list[str] = []
        code: str | None = str(start)
        while code is not None and code not in levels:
            if code in path:
                cycle = path[path.index(code):]
                problems.error("cycle", "the framework has a cycle: " + " → ".join([*cycle, code]),
                               row=row_of[code], column="parent", indicator=code)
                return levels
            path.append(code)
            code = parents[code]
        base = -1 if code is None else levels[code]
        for depth, node in enumerate(reversed(path), start=1):
            levels[node] = base + depth
    return levels


def sibling_groups(framework: Framework, codes: Sequence[str]) -> dict[str, list[str]]:
    """Group ``codes`` by their parent."""
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(str(framework.nodes.at[code, "parent"]), []).append(code)
    return groups
