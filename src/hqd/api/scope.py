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
- **import**: every row of the final, validated import, as for create (new keys) and update (existing
  keys), inside the transaction that writes it.

Every check is a registry write guard (:data:`hqd.registry.records.Guard`): it runs inside the writing
transaction on the validated, coerced values — never on the payload as sent (``"region": ["110000"]`` is
checked as the ``110000`` that would be stored) and never on a copy read before the transaction (a record
moved or deleted meanwhile is checked as it is now).

``origin_region`` (where a transferred project came from) is descriptive: it grants no write access —
the receiving side maintains a transferred project, the origin side reads it.  Entities without a
location (chain links and edges, plans, tasks, progress notes) can be changed only by admins and editors
without a scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hqd.api.auth import Principal, covers, scope_name
from hqd.api.errors import ApiError
from hqd.errors import Problem
from hqd.registry.records import Guard

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


def guard(who: Principal, entity: str) -> Guard | None:
    """The registry write guard for ``who`` on ``entity`` (``None``: no scope, nothing to check).

    The registry calls it inside the writing transaction with the stored record (locked) and the record as
    it will be written — validated and coerced, so a location given as a list, a name or in any other shape
    is checked as the code that is stored, and a record moved by someone else since the client read it is
    checked where it is now.  Entities without a location are refused up front for scoped editors.
    """
    if who.scope is None:
        return None
    if entity not in LOCATION:
        raise _unlocated(who, entity)
    field, _ = LOCATION[entity]

    def check(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> Problem | None:
        if before is not None and not covers(who.scope, before.get(field)):
            return _outside(who, entity, field, before.get(field), "the stored record's")
        if after is not None and not covers(who.scope, after.get(field)):
            return _outside(who, entity, field, after.get(field),
                            "the new record's" if before is None else "the changed")
        return None

    return check
