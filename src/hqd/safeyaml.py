"""Safe YAML for every YAML file HQD reads (frameworks, recipes, uncertainty specs, API uploads).

PyYAML's safe loader, with three guards: a size cap, a cap on the number of nodes, and no aliases (``*name``
— the "billion laughs" expansion that turns a few hundred bytes into gigabytes).  Every failure is a
located :class:`~hqd.errors.HqdError`.  This module sits on the bottom floor beside :mod:`hqd.errors` so that
the model (recipes) and the readers (frameworks) share it; the limits are declared in
:data:`hqd.io.guard.LIMITS` with the workbook limits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hqd.errors import HqdError, Problem


@dataclass(frozen=True)
class Limit:
    """A resource limit: its default, the environment variable that overrides it, and what it bounds."""

    name: str
    default: int
    help: str

    @property
    def env(self) -> str:
        return f"HQD_{self.name.upper()}"

    @property
    def value(self) -> int:
        """The limit in force: the environment variable when it holds a positive integer, else the default."""
        raw = os.environ.get(self.env, "").strip()
        return int(raw) if raw.isdigit() and int(raw) > 0 else self.default


#: The YAML limits (part of :data:`hqd.io.guard.LIMITS`).
LIMITS: dict[str, Limit] = {limit.name: limit for limit in (
    Limit("max_yaml_bytes", 2_097_152, "size of a YAML framework, recipe or uncertainty spec"),
    Limit("max_yaml_nodes", 200_000, "scalars, lists and mappings in a YAML document"),
)}


def limit(name: str) -> int:
    return LIMITS[name].value


def describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text[:300]}"


def _yaml_loader() -> Any:
    import yaml

    class SafeNoAliasLoader(yaml.SafeLoader):
        """PyYAML's safe loader without aliases (``*name``: the "billion laughs" expansion) and with a cap on
        the number of nodes a document may hold."""

        nodes = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise HqdError([Problem("yaml_alias", "YAML aliases (*name) are not accepted: write the value out "
                                        f"(line {mark.line + 1}, column {mark.column + 1})", row=mark.line + 1)])
            self.nodes += 1
            if self.nodes > limit("max_yaml_nodes"):
                raise HqdError([Problem("file_too_large", f"the YAML document holds more than "
                                        f"{limit('max_yaml_nodes'):,} values (setting "
                                        f"{LIMITS['max_yaml_nodes'].env})")])
            return super().compose_node(parent, index)

    return SafeNoAliasLoader


def load_yaml(source: str | bytes | Path, *, name: str | None = None) -> Any:
    """Parse YAML safely: the size cap, no aliases, UTF-8 (a BOM allowed), and every error a located
    :class:`HqdError` (``invalid_yaml`` with the line, ``yaml_alias``, ``encoding_error``, ``file_too_large``).

    ``source`` is a path, or the document's text or bytes (``name`` then names it in the errors).
    """
    import yaml

    where = str(source) if isinstance(source, Path) else name
    if isinstance(source, Path):
        if not source.is_file():
            raise HqdError([Problem("file_not_found", f"file not found: {source}", file=where)])
        size = source.stat().st_size
        data: str | bytes = b"" if size > limit("max_yaml_bytes") else source.read_bytes()
    else:
        data = source
        size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > limit("max_yaml_bytes"):
        raise HqdError([Problem("file_too_large", f"the YAML file has {size:,} bytes, more than the limit of "
                                f"{limit('max_yaml_bytes'):,} (setting {LIMITS['max_yaml_bytes'].env})", file=where)])
    if isinstance(data, bytes):
        raw = data
        try:
            data = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise HqdError([Problem("encoding_error", f"the YAML file is not UTF-8 text ({exc.reason} at byte "
                                    f"{exc.start}): save it as UTF-8", file=where, row=line)]) from None
    try:
        return yaml.load(data, Loader=_yaml_loader())  # a SafeLoader subclass
    except HqdError as err:
        raise HqdError([Problem(**{**p.to_dict(), "file": p.file or where}) for p in err.problems]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        text = " ".join(str(exc).split())
        raise HqdError([Problem("invalid_yaml", f"not valid YAML: {text[:300]}", file=where, row=row)]) from None
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:  # e.g. a date out of range
        raise HqdError([Problem("invalid_yaml", f"not valid YAML: {describe(exc)}", file=where)]) from None
