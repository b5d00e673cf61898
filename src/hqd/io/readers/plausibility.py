"""Plausibility rules per indicator: ``valid_min``, ``valid_max``, ``percent`` (0–100), ``zero_is_missing``.

A framework declares them per indicator (the same keys in YAML); :func:`check` reports every value
that breaks a rule as a :class:`~hqd.errors.Problem` located at its source cell (file, sheet, row,
column) as well as region, year and indicator; :func:`apply` also turns zeros that mean "missing" into
NaN and records how many.  Nothing is clipped or dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem, Severity
from hqd.io.readers.panel import OfficialPanel

RULE_KEYS = ("valid_min", "valid_max", "percent", "zero_is_missing")


@dataclass(frozen=True)
class Rule:
    """Plausibility rule for one indicator.

    ``percent=True`` means values are percentages and must lie in [0, 100]; ``valid_min`` /
    ``valid_max`` are inclusive bounds; ``zero_is_missing=True`` means a published 0 stands for "not
    reported" (typical in city yearbooks for FDI or treatment rates).
    """

    indicator: str
    valid_min: float | None = None
    valid_max: float | None = None
    percent: bool = False
    zero_is_missing: bool = False

    @classmethod
    def from_mapping(cls, indicator: str, options: Mapping[str, Any]) -> Rule:
        """A rule from per-indicator options; unknown keys are an error listing the valid ones."""
        unknown = sorted(set(options) - set(RULE_KEYS))
        if unknown:
            raise HqdError(
                [
                    Problem(
                        "rule_option_unknown",
                        f"unknown plausibility option {unknown[0]!r}; valid: {', '.join(RULE_KEYS)}",
                        indicator=indicator,
                    )
                ]
            )
        return cls(indicator, **{k: options[k] for k in RULE_KEYS if k in options})


def rules_from_mapping(options: Mapping[str, Mapping[str, Any]]) -> list[Rule]:
    """Rules from ``{indicator: {valid_max: 1, zero_is_missing: true}, …}``."""
    return [Rule.from_mapping(ind, opts) for ind, opts in options.items()]


def _location(panel: OfficialPanel, idx: np.ndarray) -> list[dict[str, Any]]:
    data = panel.data.iloc[idx]
    out = [
        {"region": str(r), "year": int(y), "indicator": str(i)}
        for r, y, i in zip(data["region"], data["year"], data["indicator"], strict=True)
    ]
    if panel.locations is not None:
        loc = panel.locations.iloc[idx]
        for d, (f, s, r, c) in zip(
            out, loc[["file", "sheet", "row", "column"]].itertuples(index=False), strict=True
        ):
            d.update(
                {k: v for k, v in (("file", f), ("sheet", s), ("column", c)) if isinstance(v, str) and v}
            )
            if r is not None and not pd.isna(r):
                d["row"] = int(r)
    return out


def check(panel: OfficialPanel, rules: Iterable[Rule], *, severity: Severity = "warning") -> list[Problem]:
    """Every value breaking a rule, with its location.

    Codes: ``percent_out_of_range`` (a percent outside [0, 100]), ``value_below_min``,
    ``value_above_max``, ``zero_is_missing`` (a 0 that the rule says means missing).  Missing values
    are never reported.  An indicator not in the panel is an error ``unknown_indicator``.
    """
    problems: list[Problem] = []
    values = panel.data["value"].to_numpy(dtype=float)
    indicator = panel.data["indicator"].to_numpy(dtype=object)
    known = set(panel.data["indicator"])
    for rule in rules:
        if rule.indicator not in known:
            raise HqdError(
                [
                    Problem(
                        "unknown_indicator",
                        f"no indicator {rule.indicator!r} in the panel; valid: "
                        f"{', '.join(sorted(map(str, known)))}",
                        indicator=rule.indicator,
                    )
                ]
            )
        mine = indicator == rule.indicator
        unit = panel.units.get(rule.indicator, "")
        checks: list[tuple[str, np.ndarray, str]] = []
        if rule.percent:
            checks.append(
                ("percent_out_of_range", mine & ((values < 0) | (values > 100)), "a percentage outside 0–100")
            )
        if rule.valid_min is not None:
            checks.append(
                ("value_below_min", mine & (values < rule.valid_min), f"below valid_min {rule.valid_min:g}")
            )
        if rule.valid_max is not None:
            checks.append(
                ("value_above_max", mine & (values > rule.valid_max), f"above valid_max {rule.valid_max:g}")
            )
        if rule.zero_is_missing:
            checks.append(("zero_is_missing", mine & (values == 0), "0 published where the value is missing"))
        for code, mask, what in checks:
            idx = np.flatnonzero(mask)
            for i, where in zip(idx, _location(panel, idx), strict=True):
                shown = f"{values[i]:g}" + (f" {unit}" if unit else "")
                problems.append(Problem(code, f"{shown}: {what}", severity=severity, **where))
    return problems


def apply(panel: OfficialPanel, rules: Iterable[Rule]) -> tuple[OfficialPanel, list[Problem]]:
    """:func:`check`, then set the zeros of ``zero_is_missing`` indicators to NaN (recorded in
    ``conversions``).  Out-of-range values are reported, not changed: treating them is the recipe's
    decision, not the reader's."""
    rules = list(rules)
    problems = check(panel, rules)
    data = panel.data.copy()
    conversions = list(panel.conversions)
    for rule in rules:
        if not rule.zero_is_missing:
            continue
        mask = ((data["indicator"] == rule.indicator) & (data["value"] == 0)).to_numpy()
        if mask.any():
            data.loc[mask, "value"] = np.nan
            conversions.append(
                {
                    "kind": "zero_is_missing",
                    "indicator": rule.indicator,
                    "rows": int(mask.sum()),
                    "description": f"{rule.indicator}: {int(mask.sum())} zeros set missing (zero_is_missing)",
                }
            )
    return replace(panel, data=data, conversions=conversions), problems
