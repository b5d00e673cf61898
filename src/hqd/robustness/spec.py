"""The uncertainty specification: which choices of an index build are uncertain, and how.

A spec is YAML (or a dict).  It names the uncertain inputs, each with its alternatives or its
distribution, and may override steps of the recipe (the overridden recipe is the **nominal** build)::

    name: coinr-asem-wa
    recipe:                          # steps given here replace the recipe's (nominal = this recipe)
      normalise: {method: minmax, lo: 1, hi: 100}
    nodes: [Index]                   # nodes whose rank bands are reported (default: the index)
    year: 2018                       # year of the Sobol targets (default: the last year)
    inputs:
      - name: weights
        type: weight_noise           # w ← w·(1 + U(−f, f)), renormalised within the parent
        noise: 0.25
        levels: [1, 2]               # levels of the *weighted* nodes (2 = pillars, 1 = sub-indices)
        sets: 100                    # optional: COINr's 100 pre-drawn weight sets, one discrete input
      - name: aggregation
        type: aggregate
        alternatives: [arithmetic, geometric]

Input types (``type``) and their keys:

``impute``, ``treat``, ``normalise``
    ``alternatives``: method names or mappings as in a recipe (``{method: minmax, lo: 1, hi: 100}``,
    optionally with ``scope``); or ``parameter`` with ``values`` (a list, or ``range: [a, b]`` for the
    integers a…b), varying one parameter of the recipe's method (e.g. ``winmax`` of ``coinr_winsorise``).
``weight``
    Weighting-method alternatives (or ``parameter``/``values``).  ``levels`` (optional): levels of the
    weighted nodes, or node codes meaning "the children of this node", as in the recipe's ``by_level``;
    default every level.  With ``scope: global`` weights, one method covers all indicators.
``aggregate``
    Aggregation alternatives (or ``parameter``/``values``).  ``levels`` (optional): levels of the nodes
    being *computed* (0 = the index), or node codes; default every aggregate.
``weight_noise``
    ``noise`` f in (0, 1): every weight at ``levels`` is multiplied by 1 + U(−f, f) and the weights are
    renormalised within their parent (COINr's ``get_noisy_weights``).  Without ``sets`` every run draws
    its own multipliers (a group of continuous inputs); with ``sets: K``, K weight sets are drawn once
    (seeded) and each run picks one (one discrete input, as COINr's vignette does with K = 100).
``leave_one_out``
    ``indicators``: ``all`` or a list of codes; each run drops one of them (its weight becomes 0 and
    data-driven weights are re-estimated without it), or none (``include_none: true``, the default).

Every discrete input picks its alternative uniformly: u ~ U(0, 1) → alternative ⌊u·K⌋ (COINr's
``"discrete"``).  The spec is checked against the framework and the recipe (and the data, when given)
before any run; :func:`load_spec` raises one :class:`hqd.HqdError` listing every problem, with reason
codes ``file_not_found``, ``invalid_yaml``, ``invalid_spec``, ``unknown_input_type``,
``missing_parameter``, ``invalid_parameter``, ``unknown_method``, ``unknown_level``, ``unknown_node``,
``unknown_indicator``, ``invalid_range``, ``duplicate_input``, ``overlapping_inputs`` and
``unsupported_in_uncertainty``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from hqd.errors import HqdError, Problem, Problems
from hqd.methods import catalog
from hqd.model.framework import Framework
from hqd.model.panel import Panel
from hqd.model.recipe import STEP_FAMILY, MethodChoice, Recipe

InputKind = Literal["impute", "treat", "normalise", "weight", "aggregate", "weight_noise", "leave_one_out"]
INPUT_TYPES: tuple[str, ...] = ("impute", "treat", "normalise", "weight", "aggregate", "weight_noise",
                                "leave_one_out")
#: Input types that change the normalised data (each alternative is one pre-computed data cube).
DATA_STEPS: tuple[str, ...] = ("impute", "treat", "normalise")
_ALIASES = {"normalize": "normalise", "normalisation": "normalise", "normalization": "normalise",
            "weighting": "weight", "weights": "weight", "aggregation": "aggregate", "imputation": "impute",
            "treatment": "treat", "noise": "weight_noise", "exclude": "leave_one_out"}
_KEYS: dict[str, set[str]] = {
    "impute": {"alternatives", "parameter", "values", "range"},
    "treat": {"alternatives", "parameter", "values", "range"},
    "normalise": {"alternatives", "parameter", "values", "range"},
    "weight": {"alternatives", "parameter", "values", "range", "levels"},
    "aggregate": {"alternatives", "parameter", "values", "range", "levels"},
    "weight_noise": {"noise", "levels", "sets"},
    "leave_one_out": {"indicators", "include_none"},
}
_TOP_KEYS = {"name", "description", "recipe", "nodes", "year", "inputs"}
#: Aggregation methods the batched engine evaluates.


@dataclass(frozen=True)
class Alternative:
    """One value an uncertain input can take: a method choice (steps), or an indicator to drop."""

    label: str
    choice: MethodChoice | None = None
    scope: str | None = None
    drop: str | None = None


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input of the spec, resolved against the framework and recipe."""

    name: str
    kind: str
    alternatives: tuple[Alternative, ...] = ()
    levels: tuple[int | str, ...] | None = None
    noise: float | None = None
    sets: int | None = None
    #: weight_noise: the nodes whose weights are perturbed (framework codes, in framework order).
    targets: tuple[str, ...] = ()
    line: int | None = None

    @property
    def discrete(self) -> bool:
        return self.kind != "weight_noise" or self.sets is not None

    @property
    def n_columns(self) -> int:
        """How many U(0, 1) columns of the design this input consumes."""
        return 1 if self.discrete else len(self.targets)

    @property
    def n_alternatives(self) -> int:
        if self.kind == "weight_noise":
            return self.sets or 0
        return len(self.alternatives)


@dataclass(frozen=True)
class UncertaintySpec:
    """A validated spec: the nominal recipe (overrides applied), the inputs, reported nodes, Sobol year."""

    recipe: Recipe
    inputs: tuple[UncertainInput, ...]
    nodes: tuple[str, ...]
    year: int | None = None
    name: str | None = None
    description: str | None = None
    source: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_columns(self) -> int:
        return sum(i.n_columns for i in self.inputs)

    def input(self, name: str) -> UncertainInput:
        for item in self.inputs:
            if item.name == name:
                return item
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The spec as written (plain data, for manifests)."""
        return copy.deepcopy(dict(self.raw))


# =========================================================================== loading
def load_spec(
    spec: str | Path | Mapping[str, Any] | UncertaintySpec,
    framework: Framework,
    recipe: Recipe,
    panel: Panel | None = None,
) -> UncertaintySpec:
    """Parse and validate a spec against ``framework`` and ``recipe`` (and ``panel`` when given).

    Raises :class:`hqd.HqdError` with every problem found (see the module docstring for the codes).
    """
    if isinstance(spec, UncertaintySpec):
        return spec
    source: str | None = None
    lines: dict[int, int] = {}
    if isinstance(spec, Mapping):
        data: Any = dict(spec)
    else:
        path = Path(spec)
        source = str(path)
        if not path.exists():
            raise HqdError([Problem("file_not_found", f"uncertainty spec not found: {path}", file=source)])
        from hqd.safeyaml import load_yaml

        data = load_yaml(path) or {}  # size cap, no aliases, located errors (as frameworks and recipes)
        text = path.read_text(encoding="utf-8-sig")
        try:
            lines = _input_lines(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise HqdError([Problem("invalid_yaml", f"not valid YAML: {exc}", file=source,
                                    row=mark.line + 1 if mark is not None else None)]) from None
    problems = Problems(context={"file": source})
    if not isinstance(data, Mapping):
        problems.error("invalid_spec", "an uncertainty spec must be a mapping with 'inputs'")
        problems.raise_if_errors()
    return _parse(data, framework, recipe, panel, problems, source, lines)


def _input_lines(text: str) -> dict[int, int]:
    """Line (1-based) of each item of the top-level ``inputs`` list."""
    node = yaml.compose(text)
    out: dict[int, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "inputs" and isinstance(value, yaml.SequenceNode):
                for i, item in enumerate(value.value):
                    out[i] = item.start_mark.line + 1
    return out


def _parse(data: Mapping[str, Any], fw: Framework, recipe: Recipe, panel: Panel | None, problems: Problems,
           source: str | None, lines: dict[int, int]) -> UncertaintySpec:
    for key in data:
        if key not in _TOP_KEYS:
            problems.error("invalid_spec", f"unknown spec key {key!r}; valid: {', '.join(sorted(_TOP_KEYS))}",
                           column=str(key))
    nominal = _nominal_recipe(recipe, data.get("recipe"), fw, problems)
    nodes = _nodes(data.get("nodes"), fw, problems)
    year = _year(data.get("year"), panel, problems)
    raw_inputs = data.get("inputs")
    inputs: list[UncertainInput] = []
    if not isinstance(raw_inputs, list) or not raw_inputs:
        problems.error("invalid_spec", "the spec needs 'inputs': a non-empty list of uncertain inputs")
        raw_inputs = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw_inputs):
        row = lines.get(i)
        parsed = _parse_input(i, item, fw, nominal if nominal is not None else recipe, panel, problems, row)
        if parsed is None:
            continue
        if parsed.name in seen:
            problems.error("duplicate_input", f"input name {parsed.name!r} is used twice (inputs "
                           f"{seen[parsed.name] + 1} and {i + 1}); give each input its own name",
                           row=row, column=parsed.name)
            continue
        seen[parsed.name] = i
        inputs.append(parsed)
    _check_overlaps(inputs, fw, nominal if nominal is not None else recipe, problems)
    problems.raise_if_errors()
    assert nominal is not None
    return UncertaintySpec(recipe=nominal, inputs=tuple(inputs), nodes=nodes, year=year,
                           name=_text(data.get("name")), description=_text(data.get("description")),
                           source=source, raw=copy.deepcopy(dict(data)))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _nominal_recipe(recipe: Recipe, overrides: Any, fw: Framework, problems: Problems) -> Recipe | None:
    if overrides is None:
        return recipe
    if not isinstance(overrides, Mapping):
        problems.error("invalid_spec", "'recipe' must be a mapping of recipe steps that replace the "
                       "recipe's", column="recipe")
        return None
    merged = recipe.to_dict()
    merged.update(copy.deepcopy(dict(overrides)))
    return _variant_recipe(merged, fw, problems, "recipe", recipe.source)


def _variant_recipe(data: Mapping[str, Any], fw: Framework, problems: Problems, where: str,
                    source: str | None, row: int | None = None) -> Recipe | None:
    """A recipe built from ``data``, with its structural and catalogue problems recorded."""
    from hqd.pipeline import check_recipe

    try:
        variant = Recipe.from_dict(data, source=source)
    except HqdError as err:
        for p in err.problems:
            problems.extend([_relocate(p, where, row, problems.context.get("file"))])
        return None
    found = [p for p in check_recipe(variant, fw) if p.severity == "error"]
    for p in found:
        problems.extend([_relocate(p, where, row, problems.context.get("file"))])
    return None if found else variant


def _relocate(p: Problem, where: str, row: int | None, file: str | None) -> Problem:
    """A problem found in a recipe variant, located in the spec (file, line, input)."""
    data = p.to_dict()
    data["message"] = f"{where}: {p.message}"
    data["file"] = file
    data["row"] = row if row is not None else data.get("row")
    data["column"] = where
    return Problem(**{k: v for k, v in data.items() if k in Problem.__dataclass_fields__})


def _nodes(value: Any, fw: Framework, problems: Problems) -> tuple[str, ...]:
    if value is None:
        return (fw.index_code,)
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        problems.error("invalid_spec", "'nodes' must be a node code or a list of node codes", column="nodes")
        return (fw.index_code,)
    out: list[str] = []
    for code in items:
        if str(code) not in fw.nodes.index:
            problems.error("unknown_node", f"nodes: {code!r} is not a node of the framework",
                           column="nodes", indicator=str(code))
        elif str(code) not in out:
            out.append(str(code))
    return tuple(out)


def _year(value: Any, panel: Panel | None, problems: Problems) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.error("invalid_spec", f"'year' must be a year (an integer); got {value!r}", column="year")
        return None
    if panel is not None and value not in set(panel.years.tolist()):
        problems.error("unknown_year", f"year {value} is not in the data ({panel.years.min()}–"
                       f"{panel.years.max()})", column="year", year=value)
    return int(value)


# --------------------------------------------------------------------------- one input
def _parse_input(i: int, item: Any, fw: Framework, recipe: Recipe, panel: Panel | None, problems: Problems,
                 row: int | None) -> UncertainInput | None:
    where = f"inputs[{i + 1}]"
    if not isinstance(item, Mapping):
        problems.error("invalid_spec", f"{where}: an input must be a mapping with a 'type'", row=row)
        return None
    kind_raw = item.get("type")
    kind = _ALIASES.get(str(kind_raw), str(kind_raw)) if kind_raw is not None else None
    if kind is None:
        problems.error("missing_parameter", f"{where}: no 'type'; valid: {', '.join(INPUT_TYPES)}", row=row)
        return None
    if kind not in INPUT_TYPES:
        problems.error("unknown_input_type", f"{where}: unknown input type {kind_raw!r}; valid: "
                       + ", ".join(INPUT_TYPES), row=row, column=str(kind_raw))
        return None
    name = str(item.get("name", kind))
    where = f"input {name!r}"
    for key in item:
        if key not in {"name", "type"} | _KEYS[kind]:
            problems.error("invalid_spec", f"{where}: unknown key {key!r} for a {kind} input; valid: "
                           + ", ".join(sorted({"name", "type"} | _KEYS[kind])), row=row, column=name)
    if kind == "weight_noise":
        return _noise_input(name, item, fw, recipe, problems, row)
    if kind == "leave_one_out":
        return _loo_input(name, item, fw, problems, row)
    return _step_input(name, kind, item, fw, recipe, panel, problems, row)


def _noise_input(name: str, item: Mapping[str, Any], fw: Framework, recipe: Recipe, problems: Problems,
                 row: int | None) -> UncertainInput | None:
    where = f"input {name!r}"
    noise = item.get("noise")
    ok = True
    if noise is None:
        problems.error("missing_parameter", f"{where}: weight_noise needs 'noise', the fraction f of "
                       "w·(1 + U(−f, f)), e.g. 0.25", row=row, column=name)
        ok = False
    elif isinstance(noise, bool) or not isinstance(noise, int | float) or not 0 < float(noise) < 1:
        problems.error("invalid_range", f"{where}: noise must be a number in (0, 1); got {noise!r}",
                       row=row, column=name)
        ok = False
    sets = item.get("sets")
    if sets is not None and (isinstance(sets, bool) or not isinstance(sets, int) or sets < 1):
        problems.error("invalid_range", f"{where}: sets must be a positive integer; got {sets!r}",
                       row=row, column=name)
        ok = False
    if "levels" not in item:
        problems.error("missing_parameter", f"{where}: weight_noise needs 'levels', the levels of the "
                       f"weighted nodes (1…{fw.max_level}) or node codes", row=row, column=name)
        return None
    levels = _levels(item.get("levels"), fw, problems, where, row, name, weighted=True)
    if levels is None or not ok:
        return None
    targets = _weighted_nodes(levels, fw)
    assert noise is not None
    return UncertainInput(name=name, kind="weight_noise", levels=levels, noise=float(noise),
                          sets=sets, targets=tuple(targets), line=row)


def _loo_input(name: str, item: Mapping[str, Any], fw: Framework, problems: Problems,
               row: int | None) -> UncertainInput | None:
    where = f"input {name!r}"
    value = item.get("indicators", "all")
    include_none = item.get("include_none", True)
    if not isinstance(include_none, bool):
        problems.error("invalid_spec", f"{where}: include_none must be true or false", row=row, column=name)
        return None
    if value == "all":
        codes = list(fw.indicators)
    elif isinstance(value, list) and value:
        codes = [str(c) for c in value]
    else:
        problems.error("invalid_spec", f"{where}: indicators must be 'all' or a list of indicator codes",
                       row=row, column=name)
        return None
    ok = True
    for code in codes:
        if code not in fw.nodes.index or not bool(fw.nodes.at[code, "is_leaf"]):
            problems.error("unknown_indicator", f"{where}: {code!r} is not an indicator of the framework",
                           row=row, column=name, indicator=code)
            ok = False
        elif len(fw.children[str(fw.nodes.at[code, "parent"])]) < 2:
            problems.error("unsupported_in_uncertainty", f"{where}: {code!r} is the only child of "
                           f"{fw.nodes.at[code, 'parent']!r}; dropping it would remove a whole node",
                           row=row, column=name, indicator=code)
            ok = False
    if not ok:
        return None
    alternatives = ([Alternative("none")] if include_none else []) + [Alternative(f"drop {c}", drop=c)
                                                                      for c in codes]
    return UncertainInput(name=name, kind="leave_one_out", alternatives=tuple(alternatives), line=row)


def _step_input(name: str, kind: str, item: Mapping[str, Any], fw: Framework, recipe: Recipe,
                panel: Panel | None, problems: Problems, row: int | None) -> UncertainInput | None:
    where = f"input {name!r}"
    levels: tuple[int | str, ...] | None = None
    if "levels" in item:
        if kind == "weight" and recipe.step("weight").scope == "global":
            problems.error("invalid_spec", f"{where}: the recipe's weights are global (one set over all "
                           "indicators), so 'levels' does not apply; remove it", row=row, column=name)
            return None
        levels = _levels(item.get("levels"), fw, problems, where, row, name, weighted=kind == "weight")
        if levels is None:
            return None
    choices = _alternative_choices(name, kind, item, recipe, levels, fw, problems, row)
    if choices is None:
        return None
    alternatives: list[Alternative] = []
    ok = True
    for label, choice, scope in choices:
        if kind == "aggregate" and not _batchable(choice.method):
            batchable = [m for m in catalog.names("aggregate") if _batchable(m)]
            problems.error("unsupported_in_uncertainty", f"{where}: aggregation {choice.method!r} is not "
                           f"supported by the uncertainty engine; use one of {', '.join(batchable)}",
                           row=row, column=name)
            ok = False
            continue
        variant = apply_choice(recipe, kind, choice, scope, levels, fw)
        built = _variant_recipe(variant, fw, problems, f"{where}, alternative {label!r}", recipe.source, row)
        if built is None:
            ok = False
            continue
        if panel is not None and kind in DATA_STEPS:
            from hqd.pipeline import check_data

            for p in check_data(fw, panel, built):
                if p.severity == "error":
                    problems.extend([_relocate(p, f"{where}, alternative {label!r}", row, problems.context.get("file"))])
                    ok = False
        alternatives.append(Alternative(label=label, choice=choice, scope=scope))
    if not ok:
        return None
    labels = [a.label for a in alternatives]
    if len(set(labels)) != len(labels):
        problems.error("duplicate_input", f"{where}: alternatives repeat ({', '.join(labels)}); each should "
                       "appear once (repeat one on purpose by giving it a different parameter)",
                       row=row, column=name)
        return None
    return UncertainInput(name=name, kind=kind, alternatives=tuple(alternatives), levels=levels, line=row)


def _alternative_choices(name: str, kind: str, item: Mapping[str, Any], recipe: Recipe,
                         levels: tuple[int | str, ...] | None, fw: Framework, problems: Problems,
                         row: int | None) -> list[tuple[str, MethodChoice, str | None]] | None:
    where = f"input {name!r}"
    family = STEP_FAMILY[kind]
    has_alt = "alternatives" in item
    has_par = "parameter" in item
    if has_alt == has_par:
        problems.error("missing_parameter", f"{where}: give either 'alternatives' (a list of methods) or "
                       "'parameter' with 'values'", row=row, column=name)
        return None
    out: list[tuple[str, MethodChoice, str | None]] = []
    if has_alt:
        raw = item["alternatives"]
        if not isinstance(raw, list) or len(raw) < 2:
            problems.error("invalid_range", f"{where}: 'alternatives' must list at least two methods",
                           row=row, column=name)
            return None
        ok = True
        for alt in raw:
            if isinstance(alt, str):
                method, params, scope = alt, {}, None
            elif isinstance(alt, Mapping) and "method" in alt:
                method = str(alt["method"])
                params = {k: v for k, v in alt.items() if k not in ("method", "scope", "params")}
                params.update(dict(alt.get("params") or {}))
                scope = alt.get("scope")
                if scope is not None and kind in ("weight", "aggregate"):
                    problems.error("invalid_spec", f"{where}: 'scope' cannot vary for {kind}; the recipe's "
                                   "scope is used", row=row, column=name)
                    ok = False
            else:
                problems.error("invalid_spec", f"{where}: an alternative must be a method name or a mapping "
                               f"with 'method'; got {alt!r}", row=row, column=name)
                ok = False
                continue
            if not _known_method(kind, family, method, where, problems, row, name):
                ok = False
                continue
            choice = MethodChoice(method, params)
            out.append((_label(choice, scope), choice, str(scope) if scope is not None else None))
        return out if ok else None
    parameter = str(item["parameter"])
    values = _values(item, where, problems, row, name)
    if values is None:
        return None
    base = _base_choice(recipe, kind, levels, fw)
    for value in values:
        choice = MethodChoice(base.method, {**dict(base.params), parameter: value})
        out.append((f"{parameter}={value}", choice, None))
    return out


def _batchable(method: str) -> bool:
    """True when the batched engine evaluates aggregation ``method`` (the catalogue's ``batchable``)."""
    try:
        return catalog.get("aggregate", method).properties.batchable
    except HqdError:
        return True  # an unknown name is reported by the recipe check, with the valid names

def _known_method(kind: str, family: str, method: str, where: str, problems: Problems, row: int | None,
                  name: str) -> bool:
    try:
        catalog.get(family, method)
    except HqdError as err:
        problems.error("unknown_method", f"{where}: {err.problems[0].message}", row=row, column=name)
        return False
    return True


def _values(item: Mapping[str, Any], where: str, problems: Problems, row: int | None,
            name: str) -> list[Any] | None:
    if "values" in item and "range" in item:
        problems.error("invalid_spec", f"{where}: give 'values' or 'range', not both", row=row, column=name)
        return None
    if "range" in item:
        rng = item["range"]
        if (not isinstance(rng, list) or len(rng) != 2 or not all(isinstance(v, int) and not isinstance(v, bool)
                                                                for v in rng) or rng[0] >= rng[1]):
            problems.error("invalid_range", f"{where}: range must be [a, b] with integers a < b (the values "
                           f"a, a+1, …, b); got {rng!r}", row=row, column=name)
            return None
        return list(range(int(rng[0]), int(rng[1]) + 1))
    values = item.get("values")
    if not isinstance(values, list) or len(values) < 2:
        problems.error("invalid_range", f"{where}: 'values' must list at least two values", row=row, column=name)
        return None
    return list(values)


def _label(choice: MethodChoice, scope: Any) -> str:
    parts = [f"{k}={v}" for k, v in choice.params.items()]
    if scope is not None:
        parts.append(f"scope={scope}")
    return choice.method + (f"({', '.join(parts)})" if parts else "")


def _levels(value: Any, fw: Framework, problems: Problems, where: str, row: int | None, name: str,
            weighted: bool) -> tuple[int | str, ...] | None:
    items = value if isinstance(value, list) else [value]
    if not items:
        problems.error("invalid_spec", f"{where}: 'levels' must not be empty", row=row, column=name)
        return None
    levels = sorted(set(fw.nodes["level"].astype(int)))
    valid_levels = [lv for lv in levels if lv >= 1] if weighted else \
        sorted({int(fw.nodes.at[c, "level"]) for c in fw.aggregates})
    out: list[int | str] = []
    ok = True
    for level in items:
        if isinstance(level, bool):
            ok = False
            problems.error("invalid_spec", f"{where}: level {level!r} is not a level", row=row, column=name)
        elif isinstance(level, int):
            if level not in valid_levels:
                what = "weighted nodes" if weighted else "aggregated nodes"
                problems.error("unknown_level", f"{where}: level {level} has no {what}; valid levels: "
                               + ", ".join(map(str, valid_levels)), row=row, column=name)
                ok = False
            else:
                out.append(level)
        elif isinstance(level, str) and level.isdigit():
            out.append(int(level))
        elif isinstance(level, str):
            if level not in fw.nodes.index or bool(fw.nodes.at[level, "is_leaf"]):
                problems.error("unknown_node", f"{where}: {level!r} is not an aggregate node of the framework "
                               "(a node code in 'levels' means the node itself for aggregation and its "
                               "children for weights)", row=row, column=name, indicator=level)
                ok = False
            else:
                out.append(level)
        else:
            problems.error("invalid_spec", f"{where}: levels must be integers or node codes; got {level!r}",
                           row=row, column=name)
            ok = False
    return tuple(out) if ok else None


def _weighted_nodes(levels: Sequence[int | str], fw: Framework) -> list[str]:
    """Nodes whose weight a ``levels`` selection covers (level ints = the nodes' level; codes = children)."""
    chosen: set[str] = set()
    for level in levels:
        if isinstance(level, int):
            chosen.update(str(c) for c in fw.nodes.index[fw.nodes["level"] == level])
        else:
            chosen.update(fw.children[level])
    return [str(c) for c in fw.nodes.index if str(c) in chosen]


def parents_covered(kind: str, levels: Sequence[int | str] | None, fw: Framework) -> list[str]:
    """The aggregate nodes an input of ``kind`` (``weight`` or ``aggregate``) with ``levels`` acts on.

    For ``weight`` a parent is covered when its children's level is listed or its code is; for
    ``aggregate`` when its own level or code is listed.  ``levels=None`` covers every aggregate.
    """
    if levels is None:
        return list(fw.aggregates)
    out: list[str] = []
    for parent in fw.aggregates:
        own = int(fw.nodes.at[parent, "level"])
        level = own + 1 if kind == "weight" else own
        if parent in levels or level in levels:
            out.append(parent)
    return out


def _base_choice(recipe: Recipe, kind: str, levels: tuple[int | str, ...] | None, fw: Framework) -> MethodChoice:
    step = recipe.step(kind)
    if kind not in ("weight", "aggregate") or not levels:
        return step.choice
    first = levels[0]
    return step.choose(level=first, code=None) if isinstance(first, int) else step.choose(code=first)


def apply_choice(recipe: Recipe, kind: str, choice: MethodChoice, scope: str | None,
                 levels: tuple[int | str, ...] | None, fw: Framework) -> dict[str, Any]:
    """The recipe (as a dict) with ``choice`` applied where the input acts."""
    data = recipe.to_dict()
    step = dict(data[kind])
    entry = choice.to_dict()
    if kind in ("weight", "aggregate") and levels is not None:
        by_level = dict(step.get("by_level") or {})
        for level in levels:
            by_level[level] = entry
        step["by_level"] = by_level
    else:
        keep = {k: step[k] for k in ("scope", "sample") if k in step}
        if kind in ("weight", "aggregate"):
            keep["by_level"] = {}
        step = {**entry, **keep}
        if scope is not None:
            step["scope"] = scope
    data[kind] = step
    return data


def _check_overlaps(inputs: Sequence[UncertainInput], fw: Framework, recipe: Recipe, problems: Problems) -> None:
    for kind in (*DATA_STEPS, "leave_one_out"):
        same = [i.name for i in inputs if i.kind == kind]
        if len(same) > 1:
            problems.error("overlapping_inputs", f"inputs {', '.join(map(repr, same))} all vary {kind}; "
                           "combine them into one input", column=same[1])
    for kind in ("weight", "aggregate"):
        covered: dict[str, str] = {}
        for item in (i for i in inputs if i.kind == kind):
            for parent in parents_covered(kind, item.levels, fw):
                if parent in covered:
                    problems.error("overlapping_inputs", f"inputs {covered[parent]!r} and {item.name!r} both "
                                   f"vary the {kind} of {parent!r}; give them disjoint levels",
                                   column=item.name, indicator=parent)
                    break
                covered[parent] = item.name
    noisy: dict[str, str] = {}
    for item in (i for i in inputs if i.kind == "weight_noise"):
        for node in item.targets:
            if node in noisy:
                problems.error("overlapping_inputs", f"inputs {noisy[node]!r} and {item.name!r} both perturb "
                               f"the weight of {node!r}; give them disjoint levels", column=item.name,
                               indicator=node)
                break
            noisy[node] = item.name
    if recipe.step("weight").scope == "global":
        for item in (i for i in inputs if i.kind == "weight"):
            for alt in item.alternatives:
                if alt.choice is not None and _weight_source(alt.choice.method) == "recipe":
                    problems.error("unsupported_in_uncertainty", f"input {item.name!r}: AHP needs a pairwise "
                                   "matrix over one parent's children; it cannot weigh all indicators "
                                   "globally", column=item.name)


def _weight_source(method: str) -> str | None:
    try:
        return catalog.get("weight", method).properties.source
    except HqdError:
        return None


__all__ = [
    "DATA_STEPS",
    "INPUT_TYPES",
    "Alternative",
    "UncertainInput",
    "UncertaintySpec",
    "apply_choice",
    "load_spec",
    "parents_covered",
]
