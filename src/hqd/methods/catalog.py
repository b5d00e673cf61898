"""The catalogue of numerical methods: the single source of method names.

Every method function in :mod:`hqd.methods` registers itself here with :func:`register`, under its
*family* (``normalize``, ``weight``, ``aggregate``, ``impute``, ``treat``) and its *name*, the registry key
used unchanged in recipe YAML, the CLI, the API, the docs and error messages.  Each entry carries the
function, a one-line description (the first line of the function's docstring) and the schema of its
parameters (:class:`Param`), so that recipes can be validated (:func:`validate_params`) and documented
(``hqd methods``) from one place.

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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np

from hqd.errors import HqdError, Problems

FAMILIES: tuple[str, ...] = ("normalize", "weight", "aggregate", "impute", "treat")

_FAMILY_NOUN = {
    "normalize": "normalisation",
    "weight": "weight",
    "aggregate": "aggregation",
    "impute": "imputation",
    "treat": "treatment",
}


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

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Method:
    """A registered method: family, registry key, function, one-line doc and parameter schema."""

    family: str
    name: str
    func: Callable[..., Any]
    doc: str
    params: dict[str, Param] = field(default_factory=dict)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)


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


def register(family: str, name: str, **params: Param) -> Callable[[F], F]:
    """Decorator registering ``func`` as method ``name`` of ``family`` with the given parameter schema."""
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
        _REGISTRY[family][name] = Method(family, name, func, doc, dict(params))
        return func

    return decorate


def names(family: str) -> list[str]:
    """The registry keys of a family, sorted."""
    _check_family(family)
    return sorted(_REGISTRY[family])


def get(family: str, name: str) -> Method:
    """The method ``name`` of ``family``; ``HqdError`` code ``unknown_method`` listing the valid names."""
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
