"""The catalogue of numerical methods: the single source of method names.

Every method function in :mod:`hqd.methods` registers itself here with :func:`register`, under its
*family* — the recipe step it serves: ``denominate``, ``impute``, ``screen``, ``treat``, ``normalise``,
``weight``, ``aggregate`` (``normalize`` is accepted everywhere as an alias of ``normalise``) — and its
*name*, the registry key used unchanged in recipe YAML, the CLI, the API, the docs and error messages.
Each entry carries the function, a one-line description (the first line of the function's docstring),
the schema of its parameters (:class:`Param`), the recipe keys the pipeline reads for it (``keys``:
TOPSIS's ``over`` and ``ideals``, AHP's ``order`` …), what it draws from the framework or the panel
(``draws``) and its :class:`Properties` (data-driven, needs positive values, decomposable for drivers,
batchable, power-mean exponent), so that recipes can be validated (:func:`check_choice`), documented
(``hqd methods``, ``GET /api/methods``) and dispatched on from one place.

Parameters come in two kinds:

``option``
    chosen in the recipe (``lo``, ``hi``, ``shift``, ``na``, ``zero`` …);
``data``
    supplied by the pipeline from the framework or the data (``direction``, goalposts, ``target``,
    manual ``weights``, region ``groups`` …).  They are listed so that the schema is complete; a recipe
    normally does not set them.

Import :mod:`hqd.methods` (not this module alone) to get the complete catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np

from hqd.errors import HqdError, Problem, Problems

FAMILIES: tuple[str, ...] = ("denominate", "impute", "screen", "treat", "normalise", "weight", "aggregate")
#: Other spellings of a family (step) name, accepted wherever a family is named (YAML, CLI, API).
FAMILY_ALIASES: dict[str, str] = {"normalize": "normalise", "normalisation": "normalise",
                                  "normalization": "normalise"}

_FAMILY_NOUN = {
    "denominate": "denomination",
    "impute": "imputation",
    "screen": "screening",
    "treat": "treatment",
    "normalise": "normalisation",
    "weight": "weight",
    "aggregate": "aggregation",
}


def family_key(family: str) -> str:
    """The canonical family name of ``family`` (``normalize`` → ``normalise``); unknown names unchanged."""
    return FAMILY_ALIASES.get(family, family)


class _Required:
    """Sentinel default of a parameter that has no default."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

ParamKind = Literal["option", "data"]


@dataclass(frozen=True)
class Param:
    """Schema of one keyword parameter of a method.

    ``type`` is one of ``float``, ``int``, ``bool``, ``str`` or ``list`` (any array-like: list, tuple,
    numpy array).  A ``float`` parameter accepts ints; ``None`` is accepted when the default is ``None``.
    """

    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] | None = None
    kind: ParamKind = "option"
    #: Shape check of a value of the right type: ``[(sub-path, message), …]`` (e.g. ``("[1]", "row of 2")``).
    check: Callable[[Any], list[tuple[str, str]]] | None = field(default=None, compare=False)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Properties:
    """What the pipeline and the batched engine need to know about a method, instead of its name.

    ``noop``: the step's "do nothing" (``none``).  ``data_driven``: weights estimated from the data (they
    change with the data a run sees).  ``source``: where a weighting's weights come from besides the data —
    ``framework`` (the framework's weight column), ``recipe`` (a matrix in the recipe, rows in ``order``),
    ``parts`` (a combination of the weightings ``first`` and ``second``).  ``power``: the power-mean
    exponent of an aggregation (a number, or the name of the parameter holding it).  ``needs_positive``:
    values must be > 0 (the zero policy applies).  ``decomposable``: a parent's change splits exactly
    into its children's contributions (w_j·Δx_j), so drivers need no Shapley split; under global weights
    such a parent's dimension scores are partial sums.  ``batchable``: the batched engine evaluates it with
    a leading runs axis.  ``ranking``: an aggregation that scores by distances to ideals over a sample
    (TOPSIS): it records its intermediates and takes ``over`` / ``ideals``.
    ``needs_spread``: the method divides by an indicator's range or spread, so a constant indicator
    cannot be normalised.  ``moderate``: a normalisation with a form of its own for a moderate (适度)
    indicator scored by its distance to target (:func:`hqd.methods.normalize.moderate_minmax`).
    ``scale``: the measurement scale a normalisation leaves the scores on — ``interval`` when its zero is
    set by the sample (min-max: the worst region-year; z-score: the mean; goalposts: the lower goalpost),
    ``ordinal`` for ranks, ``ratio`` when zero means none of the quantity (ratio to a base, vector, raw).
    Ratio statistics (CV, Theil, Gini, growth rates, log-β) of an interval-scale index mostly measure
    where its zero sits; the manifest records the scale and analyses of such an index carry a caveat.
    """

    noop: bool = False
    data_driven: bool = False
    source: Literal["data", "framework", "recipe", "parts", "none"] = "none"
    power: float | str | None = None
    needs_positive: bool = False
    decomposable: bool = False
    batchable: bool = True
    ranking: bool = False
    needs_spread: bool = False
    moderate: bool = False
    scale: Literal["interval", "ordinal", "ratio"] = "ratio"


@dataclass(frozen=True)
class Method:
    """A registered method: family, registry key, function, one-line doc and parameter schema."""

    family: str
    name: str
    func: Callable[..., Any]
    doc: str
    params: dict[str, Param] = field(default_factory=dict)

    keys: dict[str, Param] = field(default_factory=dict)
    draws: dict[str, str] = field(default_factory=dict)
    properties: Properties = field(default_factory=lambda: Properties())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    @property
    def options(self) -> dict[str, Param]:
        """Every key a recipe may give this method: its options and the pipeline's keys."""
        return {**{k: p for k, p in self.params.items() if p.kind == "option"}, **self.keys}

    def call_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` without the pipeline's keys, validated, with defaults filled in (the function's kwargs)."""
        return validate_params(self.family, self.name, {k: v for k, v in params.items() if k not in self.keys})

    def key(self, params: Mapping[str, Any], name: str) -> Any:
        """The value of the pipeline key ``name`` in ``params`` (its declared default when absent)."""
        return params.get(name, self.keys[name].default)

    def power(self, kwargs: Mapping[str, Any]) -> float | None:
        """The power-mean exponent of an aggregation (None when it is not a power mean)."""
        power = self.properties.power
        if isinstance(power, str):
            return float(kwargs.get(power, self.params[power].default))
        return power

    def needs_positive(self, kwargs: Mapping[str, Any]) -> bool:
        """True when the method needs values > 0 (the zero policy applies): a power mean with p ≤ 0."""
        if self.properties.needs_positive:
            return True
        power = self.power(kwargs)
        return power is not None and power <= 0

    def needs_nonnegative(self, kwargs: Mapping[str, Any]) -> bool:
        """True for a power mean with p > 0 other than the arithmetic mean (x^p of a negative x)."""
        power = self.power(kwargs)
        return power is not None and power > 0 and power != 1.0


_REGISTRY: dict[str, dict[str, Method]] = {family: {} for family in FAMILIES}

F = TypeVar("F", bound=Callable[..., Any])


def _first_line(doc: str | None) -> str:
    for line in (doc or "").strip().splitlines():
        if line.strip():
            return line.strip()
    return ""


def _check_family(family: str) -> None:
    if family not in _REGISTRY:
        raise HqdError(
            f"unknown method family {family!r}; valid: {', '.join(FAMILIES)}", code="unknown_family"
        )


def register(family: str, name: str, *, keys: Mapping[str, Param] | None = None,
             draws: Mapping[str, str] | None = None, properties: Properties | None = None,
             **params: Param) -> Callable[[F], F]:
    """Decorator registering ``func`` as method ``name`` of ``family`` with the given parameter schema.

    ``keys`` are recipe keys the pipeline reads itself (not passed to ``func``); ``draws`` maps a ``data``
    parameter to where the pipeline takes it from (``framework.direction`` …); see :class:`Method`.
    """
    family = family_key(family)
    _check_family(family)

    def decorate(func: F) -> F:
        old = _REGISTRY[family].get(name)
        if old is not None and (old.func.__module__, old.func.__qualname__) != (
            func.__module__,
            func.__qualname__,
        ):
            raise ValueError(f"{family} method {name!r} registered twice")  # programming error
        doc = _first_line(func.__doc__)
        if not doc:
            raise ValueError(f"{family} method {name!r} has no docstring")
        _REGISTRY[family][name] = Method(family, name, func, doc, dict(params), dict(keys or {}),
                                         dict(draws or {}), properties or Properties())
        return func

    return decorate


def names(family: str) -> list[str]:
    """The registry keys of a family, sorted."""
    family = family_key(family)
    _check_family(family)
    return sorted(_REGISTRY[family])


def get(family: str, name: str) -> Method:
    """The method ``name`` of ``family``; ``HqdError`` code ``unknown_method`` listing the valid names."""
    family = family_key(family)
    _check_family(family)
    try:
        return _REGISTRY[family][name]
    except (KeyError, TypeError):
        raise HqdError(
            f"unknown {_FAMILY_NOUN[family]} method {name!r}; valid: {', '.join(names(family))}",
            code="unknown_method",
        ) from None


def all_methods() -> list[Method]:
    """Every registered method, ordered by family (as in :data:`FAMILIES`) then name."""
    return [_REGISTRY[f][n] for f in FAMILIES for n in names(f)]


def _type_ok(value: Any, expected: type) -> bool:
    if expected is bool:
        return isinstance(value, bool | np.bool_)
    if expected is int:
        return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
    if expected is float:
        return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool | np.bool_
        )
    if expected is str:
        return isinstance(value, str)
    if expected is list:
        return isinstance(value, list | tuple | np.ndarray)
    return isinstance(value, expected)


def validate_params(family: str, name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check ``params`` against the schema of a method and return them with defaults filled in.

    Every problem is collected and raised at once as ``HqdError`` with code ``invalid_parameter``:
    unknown keys (the valid ones are listed), wrong types, values outside ``choices``, and missing
    required ``option`` parameters.  ``data`` parameters without a default are left to the pipeline.
    """
    family = family_key(family)
    method = get(family, name)
    given = dict(params or {})
    problems = Problems()
    where = f"{family} method {name!r}"
    for key in given:
        if key not in method.params:
            valid = ", ".join(sorted(method.params)) or "(none)"
            problems.error("invalid_parameter", f"{where}: unknown parameter {key!r}; valid: {valid}")
    out: dict[str, Any] = {}
    for key, spec in method.params.items():
        if key not in given:
            if spec.required:
                if spec.kind == "option":
                    problems.error("invalid_parameter", f"{where}: parameter {key!r} is required")
                continue
            out[key] = spec.default
            continue
        value = given[key]
        if value is None and spec.default is None:
            out[key] = None
            continue
        if not _type_ok(value, spec.type):
            problems.error(
                "invalid_parameter",
                f"{where}: parameter {key!r} must be of type {spec.type.__name__}; "
                f"got {value!r} ({type(value).__name__})",
            )
            continue
        if spec.choices is not None and value not in spec.choices:
            choices = ", ".join(repr(c) for c in spec.choices)
            problems.error(
                "invalid_parameter",
                f"{where}: parameter {key!r} must be one of {{{choices}}}; got {value!r}",
            )
            continue
        out[key] = float(value) if spec.type is float else value
    problems.raise_if_errors()
    return out


def check_choice(family: str, method: str, params: Mapping[str, Any], where: str) -> list[Problem]:
    """Every problem of one recipe choice (``method`` with ``params``) against the catalogue's schema.

    ``where`` is the key path of the choice in the recipe (``weight``, ``weight.by_level[2]`` …); each
    problem names the full key path of the offending key (``weight.matrix[1]``) and the valid keys or
    values.  Unknown keys, keys the pipeline supplies itself (``data`` parameters), wrong types, values
    outside their choices, wrong shapes and missing required keys are all reported; a combination's parts
    (``first``, ``second``) are checked as choices of their own.  Nothing is raised.
    """
    family = family_key(family)
    out = Problems(context={"column": _step_of(where)})
    try:
        entry = get(family, method)
    except HqdError as err:
        return [Problem(**{**p.to_dict(), "message": f"{where}: {p.message}", "column": _step_of(where)})
                for p in err.problems]
    options = entry.options
    for key, value in params.items():
        path = f"{where}.{key}"
        if key in entry.params and entry.params[key].kind == "data":
            out.error("invalid_parameter", f"{path}: {key!r} is supplied by HQD from the framework and data "
                      f"({entry.draws.get(key, 'the pipeline')}); remove it from the recipe")
            continue
        spec = options.get(key)
        if spec is None:
            out.error("invalid_parameter", f"{path}: unknown key for {family} method {method!r}; valid: "
                      + (", ".join(sorted(options)) or "(none)"))
            continue
        if value is None and spec.default is None:
            continue
        if entry.properties.source == "parts" and key in entry.keys:
            out.extend(_check_part(family, value, path))
            continue
        if not _type_ok(value, spec.type):
            out.error("invalid_parameter", f"{path}: must be of type {spec.type.__name__}; got {value!r} "
                      f"({type(value).__name__})")
            continue
        if spec.choices is not None and value not in spec.choices:
            out.error("invalid_parameter", f"{path}: must be one of {', '.join(map(repr, spec.choices))}; "
                      f"got {value!r}")
            continue
        if spec.check is not None:
            for sub, message in spec.check(value):
                out.error("invalid_parameter", f"{path}{sub}: {message}")
    for key, spec in options.items():
        if spec.required and key not in params:
            out.error("missing_parameter", f"{where}: {family} method {method!r} needs {key!r}")
    return out.items


def _step_of(where: str) -> str:
    return where.split(".", 1)[0].split("[", 1)[0]


def _check_part(family: str, value: Any, path: str) -> list[Problem]:
    if isinstance(value, str):
        return check_choice(family, value, {}, path)
    if not isinstance(value, Mapping) or "method" not in value:
        return [Problem("missing_parameter", f"{path}: expected {{method: …}} (a {_FAMILY_NOUN[family]} method "
                        f"with its parameters); got {value!r}", column=_step_of(path))]
    return check_choice(family, str(value["method"]), {k: v for k, v in value.items() if k != "method"}, path)


def matrix_shape(value: Any) -> list[tuple[str, str]]:
    """Shape check of a square matrix of numbers given as a list of rows: one problem per bad row."""
    rows = list(value)
    out: list[tuple[str, str]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, list | tuple | np.ndarray):
            out.append((f"[{i}]", f"a row must be a list of {len(rows)} numbers; got {row!r}"))
        elif len(row) != len(rows):
            out.append((f"[{i}]", f"row has {len(row)} entries; a {len(rows)}×{len(rows)} matrix needs "
                        f"{len(rows)}"))
        else:
            for j, cell in enumerate(row):
                if isinstance(cell, bool) or not isinstance(cell, int | float | np.integer | np.floating):
                    out.append((f"[{i}][{j}]", f"must be a number; got {cell!r}"))
    return out
