"""The recipe: which method, with which parameters, each step of an index build uses.

A recipe is YAML (or a dict) naming a method per step, optionally per level (level number) or per
node (node code)::

    normalise: {method: minmax, lo: 0, hi: 1, scope: pooled}
    weight:    {method: equal, scope: within_parent, by_level: {2: {method: entropy}}}
    aggregate: {method: arithmetic, by_level: {0: {method: geometric}}}
    zero_policy: {method: refuse}

Steps, in the order they run: ``denominate, impute, screen, treat, normalise, weight, aggregate``.
Each is optional; missing steps take the defaults below (pooled directional min-max to [0, 1];
framework weights within parents; weighted arithmetic mean at every level; no imputation; NA policy
``skip``).  Parameters may be written inline (``lo: 0``) or under ``params:``.

``by_level`` keys select where a choice applies: for ``weight`` a level number is the level of the
nodes being *weighted* (2 = the indicators of a three-level framework) and a node code means "the
children of this node"; for ``aggregate`` a level number or code selects the node being *computed*
(0 or the index code = the index itself).

This module checks the recipe's structure; method names and parameters are checked against the
method catalogue by :func:`hqd.pipeline.check_recipe`.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hqd.errors import HqdError, Problems
from hqd.model.policy import (  # the policies' one declaration (names and defaults)
    MISSING_WEIGHT_THRESHOLD,
    NA_POLICIES,
    NA_POLICY_DEFAULT,
    PLACEHOLDER_POLICIES,
    PLACEHOLDER_POLICY_DEFAULT,
    ZERO_POLICIES,
    ZERO_POLICY_DEFAULT,
    ZERO_POLICY_VALUES,
    resolve_zero_policy,
)
from hqd.safeyaml import load_yaml

STEPS = ("denominate", "impute", "screen", "treat", "normalise", "weight", "aggregate")
#: The catalogue family each step's methods come from.
STEP_FAMILY = {
    "denominate": "denominate", "impute": "impute", "screen": "screen", "treat": "treat",
    "normalise": "normalise", "weight": "weight", "aggregate": "aggregate",
}
SCOPES = {
    "impute": ("by_year", "pooled"),
    "treat": ("pooled", "by_year"),
    "normalise": ("pooled", "by_year"),
    "weight": ("within_parent", "global"),
}
#: Which observations a data-driven weight is estimated on (entropy 一次法 = pooled; 多次法 = by_year).
WEIGHT_SAMPLES = ("pooled", "by_year")
#: How values that break a framework's plausibility rules (valid_min/valid_max/percent) are reported.
PLAUSIBILITY_POLICIES = ("error", "warning")
GROUP_AGGREGATIONS = ("mean", "weighted_mean", "median")

DEFAULTS: dict[str, dict[str, Any]] = {
    "denominate": {"method": "none"},
    "impute": {"method": "none", "scope": "by_year"},
    "screen": {"method": "none"},
    "treat": {"method": "none", "scope": "pooled"},
    "normalise": {"method": "minmax", "scope": "pooled"},
    "weight": {"method": "manual", "scope": "within_parent", "sample": "pooled"},
    "aggregate": {"method": "arithmetic"},
}
_RESERVED = {"method", "params", "by_level", "scope", "sample"}


@dataclass(frozen=True)
class MethodChoice:
    """One method with its parameters (as written; defaults are filled by the pipeline)."""

    method: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, **dict(self.params)}


@dataclass(frozen=True)
class StepSpec:
    """A step's default choice, its scope and its per-level / per-node overrides."""

    name: str
    choice: MethodChoice
    scope: str | None = None
    sample: str | None = None
    by_level: Mapping[int | str, MethodChoice] = field(default_factory=dict)

    def choose(self, level: int | None = None, code: str | None = None) -> MethodChoice:
        """The choice for a node: its code first, then its level, then the step default."""
        if code is not None and code in self.by_level:
            return self.by_level[code]
        if level is not None and level in self.by_level:
            return self.by_level[level]
        return self.choice

    def to_dict(self) -> dict[str, Any]:
        out = self.choice.to_dict()
        if self.scope is not None:
            out["scope"] = self.scope
        if self.sample is not None:
            out["sample"] = self.sample
        if self.by_level:
            out["by_level"] = {k: v.to_dict() for k, v in self.by_level.items()}
        return out


@dataclass(frozen=True)
class Recipe:
    """A validated recipe (structure only; see the module docstring)."""

    steps: Mapping[str, StepSpec]
    zero_policy: Mapping[str, Any] = field(default_factory=lambda: {"method": "refuse"})
    na_policy: str = "skip"
    placeholders: str = "error"
    plausibility: str = "error"
    grades: Mapping[str, Any] | None = None
    group_aggregation: Mapping[str, Any] = field(default_factory=lambda: {"method": "mean"})
    rank_group: str | None = None
    #: A region-year whose missing cells carry more than this share of the index's weight is flagged.
    missing_weight_threshold: float = MISSING_WEIGHT_THRESHOLD
    name: str | None = None
    description: str | None = None
    source: str | None = None

    def step(self, name: str) -> StepSpec:
        return self.steps[name]

    def to_dict(self) -> dict[str, Any]:
        """The recipe as a plain dict (defaults filled), as written to ``recipe.yaml``."""
        out: dict[str, Any] = {}
        if self.name:
            out["name"] = self.name
        if self.description:
            out["description"] = self.description
        out["placeholders"] = self.placeholders
        out["plausibility"] = self.plausibility
        for name in STEPS:
            out[name] = self.steps[name].to_dict()
        out["zero_policy"] = dict(self.zero_policy)
        out["na_policy"] = self.na_policy
        if self.grades:
            out["grades"] = copy.deepcopy(dict(self.grades))
        out["group_aggregation"] = dict(self.group_aggregation)
        if self.rank_group:
            out["rank_group"] = self.rank_group
        out["missing_weight_threshold"] = self.missing_weight_threshold
        return out

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)

    def digest(self) -> str:
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def replace_step(self, name: str, spec: StepSpec) -> Recipe:
        from dataclasses import replace

        return replace(self, steps={**self.steps, name: spec})

    # -------------------------------------------------------------- loading
    @classmethod
    def default(cls) -> Recipe:
        return cls.from_dict({})

    @classmethod
    def from_yaml(cls, path: str | Path) -> Recipe:
        path = Path(path)
        if not path.exists():
            raise HqdError([_problem("file_not_found", f"recipe file not found: {path}", str(path))])
        data = load_yaml(path) or {}  # size-capped, no aliases, encoding and syntax errors located
        if not isinstance(data, dict):
            raise HqdError([_problem("invalid_recipe", "a recipe must be a mapping of steps", str(path))])
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> Recipe:
        problems = Problems(context={"file": source})
        known = {*STEPS, "normalize", "zero_policy", "na_policy", "placeholders", "plausibility", "grades",
                 "group_aggregation", "rank_group", "missing_weight_threshold", "name", "description"}
        for key in data:
            if key not in known:
                problems.error("unknown_step", f"unknown recipe key {key!r}; valid: {', '.join(sorted(known))}",
                               column=str(key))
        raw = dict(data)
        if "normalize" in raw:
            raw.setdefault("normalise", raw.pop("normalize"))
        steps = {name: _parse_step(name, raw.get(name), problems) for name in STEPS}

        zero = _parse_zero_policy(raw.get("zero_policy", {"method": ZERO_POLICY_DEFAULT}), problems)
        na_policy = str(raw.get("na_policy", NA_POLICY_DEFAULT))
        if na_policy not in NA_POLICIES:
            problems.error("unknown_method", f"unknown NA policy {na_policy!r}; valid: {', '.join(NA_POLICIES)}",
                           column="na_policy")
        placeholders = str(raw.get("placeholders", PLACEHOLDER_POLICY_DEFAULT))
        if placeholders not in PLACEHOLDER_POLICIES:
            problems.error("unknown_method", f"placeholders must be one of {', '.join(PLACEHOLDER_POLICIES)};"
                           f" got {placeholders!r}", column="placeholders")
        plausibility = str(raw.get("plausibility", "error"))
        if plausibility not in PLAUSIBILITY_POLICIES:
            problems.error("unknown_method", f"plausibility must be one of {', '.join(PLAUSIBILITY_POLICIES)};"
                           f" got {plausibility!r}", column="plausibility")
        group_agg = _parse_group_aggregation(raw.get("group_aggregation", {"method": "mean"}), problems)
        rank_group = raw.get("rank_group")
        if rank_group is not None and not isinstance(rank_group, str):
            problems.error("invalid_recipe", f"rank_group: expected the name of a region column; got {rank_group!r} "
                           f"({type(rank_group).__name__})", column="rank_group")
            rank_group = None
        threshold = raw.get("missing_weight_threshold", MISSING_WEIGHT_THRESHOLD)
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 < threshold <= 1:
            problems.error("invalid_parameter", f"missing_weight_threshold: expected a share in (0, 1]; got "
                           f"{threshold!r}", column="missing_weight_threshold")
            threshold = MISSING_WEIGHT_THRESHOLD
        for key in ("name", "description"):
            if raw.get(key) is not None and not isinstance(raw[key], str):
                problems.error("invalid_recipe", f"{key}: expected text; got {raw[key]!r}", column=key)
        grades = raw.get("grades")
        if grades is not None:
            _check_grades(grades, problems)
        problems.raise_if_errors()
        return cls(
            steps=steps, zero_policy=zero, na_policy=na_policy, placeholders=placeholders, plausibility=plausibility,
            grades=grades, group_aggregation=group_agg, rank_group=rank_group,
            missing_weight_threshold=float(threshold),
            name=raw.get("name"), description=raw.get("description"), source=source,
        )


def _parse_group_aggregation(value: Any, problems: Problems) -> dict[str, Any]:
    """``group_aggregation``: a method name or ``{method: mean | weighted_mean | median, weight_column: …}``."""
    if isinstance(value, str):
        value = {"method": value}
    if not isinstance(value, Mapping):
        problems.error("invalid_recipe", f"group_aggregation: expected a method name ({', '.join(GROUP_AGGREGATIONS)})"
                       f" or a mapping {{method: …}}; got {value!r} ({type(value).__name__})",
                       column="group_aggregation")
        return {"method": "mean"}
    out = dict(value)
    for key in out:
        if key not in ("method", "weight_column"):
            problems.error("invalid_parameter", f"group_aggregation.{key}: unknown key; valid: method, weight_column",
                           column="group_aggregation")
    if out.get("method", "mean") not in GROUP_AGGREGATIONS:
        problems.error("unknown_method", f"group_aggregation.method: unknown group aggregation "
                       f"{out.get('method')!r}; valid: " + ", ".join(GROUP_AGGREGATIONS), column="group_aggregation")
        return {"method": "mean"}
    out.setdefault("method", "mean")
    if out["method"] == "weighted_mean" and not isinstance(out.get("weight_column"), str):
        problems.error("missing_parameter", "group_aggregation.weight_column: weighted_mean needs the name of a "
                       "region column", column="group_aggregation")
    return out


def _parse_zero_policy(value: Any, problems: Problems) -> dict[str, Any]:
    """``zero_policy``: a policy name or ``{method: …, epsilon|shift: …}``, resolved with its default value
    (:func:`hqd.model.policy.resolve_zero_policy`); every problem is recorded with its key path."""
    if isinstance(value, str):
        value = {"method": value}
    if not isinstance(value, Mapping):
        problems.error("invalid_recipe", f"zero_policy: expected a policy name ({', '.join(ZERO_POLICIES)}) or "
                       f"a mapping {{method: …}}; got {value!r} ({type(value).__name__})", column="zero_policy")
        return {"method": ZERO_POLICY_DEFAULT}
    method = value.get("method", ZERO_POLICY_DEFAULT)
    if method not in ZERO_POLICIES:
        problems.error("unknown_method", f"zero_policy.method: unknown zero policy {method!r}; valid: "
                       + ", ".join(ZERO_POLICIES), column="zero_policy")
        return {"method": ZERO_POLICY_DEFAULT}
    slot = ZERO_POLICY_VALUES[method]
    allowed = {"method", *([slot[0]] if slot else [])}
    ok = True
    for key in value:
        if key not in allowed:
            ok = False
            problems.error("invalid_parameter", f"zero_policy.{key}: unknown key for zero policy {method!r}; "
                           f"valid: {', '.join(sorted(allowed))}", column="zero_policy")
    if slot and slot[0] in value:
        number = value[slot[0]]
        if isinstance(number, bool) or not isinstance(number, int | float) or not number > 0:
            ok = False
            problems.error("invalid_parameter", f"zero_policy.{slot[0]}: must be a number > 0; got {number!r}",
                           column="zero_policy")
    return resolve_zero_policy(value) if ok else {"method": ZERO_POLICY_DEFAULT}


def _problem(code: str, message: str, file: str | None, row: int | None = None) -> Any:
    from hqd.errors import Problem

    return Problem(code=code, message=message, file=file, row=row)


def _parse_choice(step: str, value: Any, problems: Problems, where: str) -> MethodChoice | None:
    if isinstance(value, str):
        return MethodChoice(value)
    if not isinstance(value, Mapping):
        problems.error("invalid_recipe", f"{where}: expected a method name or a mapping; got {value!r}",
                       column=step)
        return None
    if "method" not in value:
        problems.error("missing_parameter", f"{where}: no 'method' given", column=step)
        return None
    params = {k: v for k, v in value.items() if k not in _RESERVED}
    nested = value.get("params") or {}
    if not isinstance(nested, Mapping):
        problems.error("invalid_recipe", f"{where}: 'params' must be a mapping", column=step)
        nested = {}
    return MethodChoice(str(value["method"]), {**params, **nested})


def _parse_step(name: str, value: Any, problems: Problems) -> StepSpec:
    defaults = DEFAULTS[name]
    if value is None:
        value = {}
    if isinstance(value, str):
        value = {"method": value}
    if not isinstance(value, Mapping):
        problems.error("invalid_recipe", f"{name}: expected a method name or a mapping; got {value!r}",
                       column=name)
        value = {}
    merged = {**defaults, **value}
    choice = _parse_choice(name, merged, problems, name) or MethodChoice(defaults["method"])
    scope = merged.get("scope")
    if name in SCOPES and scope not in SCOPES[name]:
        problems.error("invalid_scope", f"{name}: scope must be one of {', '.join(SCOPES[name])}; "
                       f"got {scope!r}", column=name)
    sample = merged.get("sample")
    if name == "weight" and sample not in WEIGHT_SAMPLES:
        problems.error("invalid_scope", f"weight: sample must be one of {', '.join(WEIGHT_SAMPLES)}; "
                       f"got {sample!r}", column=name)
    by_level: dict[int | str, MethodChoice] = {}
    raw_levels = merged.get("by_level") or {}
    if not isinstance(raw_levels, Mapping):
        problems.error("invalid_recipe", f"{name}: by_level must be a mapping of level or node code "
                       "to a method", column=name)
        raw_levels = {}
    for key, sub in raw_levels.items():
        parsed_key: int | str = key if isinstance(key, int) else (
            int(key) if isinstance(key, str) and key.isdigit() else str(key))
        parsed = _parse_choice(name, sub, problems, f"{name}.by_level[{key}]")
        if parsed is not None:
            by_level[parsed_key] = parsed
    return StepSpec(name=name, choice=choice, scope=scope if name in SCOPES else None,
                    sample=sample if name == "weight" else None, by_level=by_level)


def _check_grades(grades: Any, problems: Problems) -> None:
    if not isinstance(grades, Mapping):
        problems.error("invalid_recipe", "grades must be a mapping with cuts and labels", column="grades")
        return
    valid = ("cuts", "labels", "labels_en", "labels_zh")
    for key in grades:
        if key not in valid:
            problems.error("invalid_parameter", f"grades.{key}: unknown key; valid: {', '.join(valid)}",
                           column="grades")
    for key in ("labels", "labels_en", "labels_zh"):
        if key in grades and not (isinstance(grades[key], list) and all(isinstance(v, str | int | float)
                                                                         for v in grades[key])):
            problems.error("invalid_recipe", f"grades.{key}: expected a list of labels; got {grades[key]!r}",
                           column="grades")
            return
    cuts = grades.get("cuts")
    labels = grades.get("labels_zh") or grades.get("labels")
    if not isinstance(cuts, list) or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in cuts):
        problems.error("invalid_recipe", "grades.cuts must be a list of numbers", column="grades")
        return
    if sorted(cuts) != list(cuts):
        problems.error("invalid_recipe", "grades.cuts must be increasing", column="grades")
    if labels is not None and len(labels) != len(cuts) + 1:
        problems.error("invalid_recipe", f"grades need {len(cuts) + 1} labels for {len(cuts)} cuts; "
                       f"got {len(labels)}", column="grades")
