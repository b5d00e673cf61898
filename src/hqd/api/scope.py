"""Region scopes on registry writes: a Hebei editor cannot change Beijing's projects.

A record's location is the field named in :data:`LOCATION` — where a project *is* (``region``), the
city of an enterprise or a zone — as a GB/T 2260 code.  An editor with a scope (:func:`hqd.api.auth.covers`)
may create, change, delete and import only records located inside it:

- **create**: the new record's location must be inside the scope;
- **update**: the stored record's location *and* the location after the change must both be inside it.
  Moving a project between provinces (Beijing → Hebei, or back) therefore needs an admin or an editor
  without a scope: a Hebei editor can neither take a Beijing project nor hand one of Hebei's away, and
  may move projects between Hebei's cities;
- **delete**: the stored record's location;
- **import**: every row, as for create (new keys) and update (existing keys).  The versions read while
  checking are pinned into the import, so a record moved by someone else in between makes the import
  a conflict instead of slipping past the check.

``origin_region`` (where a transferred project came from) is descriptive: it grants no write access —
the receiving side maintains a transferred project, the origin side reads it.  Entities without a
location (chain links and edges, plans, tasks, progress notes) can be changed only by admins and editors
without a scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from hqd.api.auth import Principal, covers, scope_name
from hqd.api.errors import ApiError
from hqd.errors import HqdError, Problem, Problems

#: Entity → the field holding a record's location, and the registry reference it names.
LOCATION: dict[str, tuple[str, str]] = {"projects": ("region", "regions"), "enterprises": ("city", "cities"),
                                        "zones": ("city", "cities")}


def _unlocated(who: Principal, entity: str) -> ApiError:
    return ApiError(403, "out_of_scope", f"{entity} have no region; {who.username!r} may only change records "
                    f"in {scope_name(who.scope)} ({who.scope}), so only an admin or an editor without a scope "
                    "may change them")


def _outside(who: Principal, entity: str, field: str, code: Any, when: str, **where: Any) -> Problem:
    return Problem("out_of_scope", f"{entity}: {when} {field} {code or '(none)'} is outside "
                   f"{who.username!r}'s scope {scope_name(who.scope)} ({who.scope})", column=field,
                   region=str(code) if code is not None else None, **where)


def resolve(engine: Engine, ref: str, value: Any) -> str | None:
    """A region or city given as a code or a name → its code, as the registry resolves it."""
    from hqd.registry.db import read
    from hqd.registry.schema import Resolver

    if value is None or not str(value).strip():
        return None
    with read(engine) as conn:
        return Resolver.load(conn, only=[ref]).lookup(ref, str(value).strip())


def check_create(engine: Engine, who: Principal, entity: str, values: Mapping[str, Any]) -> None:
    if who.scope is None:
        return
    if entity not in LOCATION:
        raise _unlocated(who, entity)
    field, ref = LOCATION[entity]
    code = resolve(engine, ref, values.get(field))
    if code is None:
        return  # missing or unknown: the registry's validation reports it (nothing is written)
    if not covers(who.scope, code):
        raise HqdError([_outside(who, entity, field, code, "the new record's")])


def check_stored(who: Principal, entity: str, record: Mapping[str, Any]) -> None:
    if who.scope is None:
        return
    if entity not in LOCATION:
        raise _unlocated(who, entity)
    field, _ = LOCATION[entity]
    if not covers(who.scope, record.get(field)):
        raise HqdError([_outside(who, entity, field, record.get(field), "the stored record's")])


def check_update(engine: Engine, who: Principal, entity: str, record: Mapping[str, Any],
                 changes: Mapping[str, Any]) -> None:
    check_stored(who, entity, record)
    if who.scope is None:
        return
    field, ref = LOCATION[entity]
    if field in changes:
        code = resolve(engine, ref, changes[field])
        if code is not None and not covers(who.scope, code):
            raise HqdError([_outside(who, entity, field, code, "the changed")])


def pin_import(engine: Engine, who: Principal, entity: str, raw: pd.DataFrame) -> pd.DataFrame:
    """Check every row of an import against the scope; return ``raw`` with the versions read pinned.

    Rows that do not parse are left to the import itself, which reports every problem and writes nothing.
    """
    if who.scope is None:
        return raw
    if entity not in LOCATION:
        raise _unlocated(who, entity)
    from hqd.registry import store
    from hqd.registry.db import read
    from hqd.registry.imports import validate_frame
    from hqd.registry.schema import Resolver, key_tuples, map_headers, refs_needed
    from hqd.registry.schema import entity as entity_of

    ent = entity_of(entity)
    field, _ = LOCATION[entity]
    with read(engine) as conn:
        res = Resolver.load(conn, only=refs_needed(ent))
        frame, problems = validate_frame(ent, raw, res)
        if problems.errors:
            return raw
        keys = key_tuples(ent, frame)
        existing = store.fetch(conn, ent, keys)
    outside = Problems()
    versions: list[str] = []
    for pos, (key, code) in enumerate(zip(keys, frame[field].tolist(), strict=True)):
        row = pos + 2
        if not covers(who.scope, code):
            outside.items.append(_outside(who, entity, field, code, "the row's", row=row))
        stored = existing.get(tuple(key))
        if stored is not None and not covers(who.scope, stored.get(field)):
            outside.items.append(_outside(who, entity, field, stored.get(field), "the stored record's",
                                          row=row))
        versions.append(str(stored["version"]) if stored is not None else "")
    outside.raise_if_errors()
    columns = map_headers(ent, [str(c) for c in raw.columns], Problems())
    pinned = raw.copy()
    if "version" in columns:
        column = columns["version"]
        given = pinned[column].astype(str).str.strip()
        pinned[column] = [g if g not in ("", "nan", "None") else v for g, v in zip(given, versions, strict=True)]
    else:
        pinned["version"] = versions
    return pinned
