"""Create, read, update and delete single records, with optimistic locking and a change log.

Values are validated exactly as imports validate them (the same :mod:`hqd.registry.schema` declarations)
and may be given as text or as Python values (numbers, dates, booleans, lists of link codes).

Optimistic locking: :func:`update` and :func:`delete` take the ``expected_version`` the caller read.
When the row has moved on, they raise :class:`~hqd.registry.store.ConflictError` (reason code
``conflict``) and change nothing; the caller re-reads and decides.  An update that changes nothing does
not bump the version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import and_, func, select, true

from hqd.errors import Problems
from hqd.registry import credit_code as cc
from hqd.registry import models as m
from hqd.registry import schema as sc
from hqd.registry import store
from hqd.registry.db import EngineLike, engine_for, read, write

Key = str | Sequence[Any]


def _key(ent: sc.Entity, key: Key) -> tuple[Any, ...]:
    values = (key,) if isinstance(key, str) else tuple(key)
    problems = Problems()
    if len(values) != len(ent.key):
        problems.error("bad_key", f"{ent.name} is keyed by {', '.join(ent.key)}; got {values!r}")
        problems.raise_if_errors()
    rep = sc.Reporter(problems, None)
    parsed: list[Any] = []
    for f, v in zip((ent.field(k) for k in ent.key), values, strict=True):
        if f.kind == "date" and not isinstance(v, dt.date):
            parsed.append(sc.parse_column(f, pd.Series([store.text(v)]), rep, sc.Resolver())[0])
        elif f.kind == "credit_code":
            parsed.append(cc.normalise(str(v)))
        else:
            parsed.append(v if f.kind == "date" else str(v).strip())
    problems.raise_if_errors()
    return tuple(parsed)


def _validate(conn: Any, ent: sc.Entity, values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - {f.name for f in ent.fields})
    problems = Problems()
    for name in unknown:
        problems.error(
            "unknown_field",
            f"{ent.name} has no field {name!r}; valid: {', '.join(f.name for f in ent.fields)}",
            column=name,
        )
    problems.raise_if_errors()
    raw = pd.DataFrame({f.name: [store.text(values.get(f.name))] for f in ent.fields})
    res = sc.Resolver.load(conn, only=sc.refs_needed(ent))
    frame = sc.parse_frame(ent, raw, res, problems, rows=None)
    problems.raise_if_errors()
    return {f.name: frame[f.name].iloc[0] for f in ent.fields}


def get(target: EngineLike | None, entity: str, key: Key) -> dict[str, Any]:
    """The record with ``key`` (fields, ``version``, ``updated_at``, ``updated_by``)."""
    ent = sc.entity(entity)
    k = _key(ent, key)
    with engine_for(target) as engine, read(engine) as conn:
        rec = store.fetch(conn, ent, [k]).get(k)
    if rec is None:
        raise store.not_found(ent.name, k)
    return rec


def list_records(
    target: EngineLike | None,
    entity: str,
    *,
    where: Mapping[str, Any] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Records of ``entity`` ordered by key, optionally filtered by stored field equality."""
    ent = sc.entity(entity)
    table = ent.table
    stmt = select(table).order_by(*(table.c[c] for c in store.db_key_columns(ent)))
    for name, value in (where or {}).items():
        if name not in table.c:
            problems = Problems()
            problems.error("unknown_field", f"cannot filter {ent.name} by {name!r}", column=name)
            problems.raise_if_errors()
        stmt = stmt.where(table.c[name] == value)
    stmt = stmt.offset(offset).limit(limit) if limit is not None else stmt.offset(offset)
    with engine_for(target) as engine, read(engine) as conn:
        return store.records_of(store.query_frame(conn, ent, [stmt]))


@dataclass(frozen=True)
class RecordPage:
    """One page of records with the totals of every matching record (not only the page)."""

    rows: list[dict[str, Any]]
    total: int
    sums: dict[str, float]


def query(
    target: EngineLike | None,
    entity: str,
    *,
    clauses: Sequence[Any] = (),
    sort: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> RecordPage:
    """Records of ``entity`` matching every SQL ``clause`` (built on ``entity``'s table), sorted by ``sort``
    (a field; ``-field`` descends; the key breaks ties), paged; with the count and the sums of the numeric
    fields over all matching records — what a project library shows beside its filter."""
    ent = sc.entity(entity)
    table = ent.table
    order: list[Any] = []
    if sort:
        name = sort.lstrip("-")
        if name not in table.c or name == "note_hash":
            problems = Problems()
            problems.error("unknown_field", f"cannot sort {ent.name} by {name!r}", column="sort")
            problems.raise_if_errors()
        order.append(table.c[name].desc() if sort.startswith("-") else table.c[name].asc())
    key_columns = [table.c[c] for c in store.db_key_columns(ent)]
    stmt = select(table).where(and_(true(), *clauses)).order_by(*order, *key_columns).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    numeric = [f.name for f in ent.stored_fields if f.kind == "float"]
    totals = select(func.count(), *(func.coalesce(func.sum(table.c[n]), 0.0) for n in numeric)).where(
        and_(true(), *clauses))
    with engine_for(target) as engine, read(engine) as conn:
        rows = store.records_of(store.query_frame(conn, ent, [stmt]))
        counted = conn.execute(totals).one()
    return RecordPage(rows, int(counted[0]), {n: float(v) for n, v in zip(numeric, counted[1:], strict=True)})


def count(target: EngineLike | None, entity: str) -> int:
    """Number of records of ``entity``."""
    ent = sc.entity(entity)
    with engine_for(target) as engine, read(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(ent.table)).scalar_one())


def create(
    target: EngineLike | None, entity: str, values: Mapping[str, Any], *, actor: str
) -> dict[str, Any]:
    """Insert a new record (version 1); an existing key is a ``conflict``."""
    ent = sc.entity(entity)
    with engine_for(target) as engine:
        with write(engine) as conn:
            rec = _validate(conn, ent, values)
            key = tuple(rec[k] for k in ent.key)
            if store.fetch(conn, ent, [key], lock=True):
                raise store.conflict(ent.name, key, "already exists")
            store.insert_records(conn, ent, [rec], actor=actor)
        return get(engine, entity, key)


def update(
    target: EngineLike | None,
    entity: str,
    key: Key,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
    actor: str,
) -> dict[str, Any]:
    """Change fields of the record with ``key`` if it is still at ``expected_version``.

    Raises ``ConflictError`` (``conflict``) when the row has another version, ``NotFoundError``
    (``not_found``) when it does not exist, ``HqdError`` (``key_immutable`` …) for invalid changes.
    """
    ent = sc.entity(entity)
    k = _key(ent, key)
    with engine_for(target) as engine:
        with write(engine) as conn:
            current = store.fetch(conn, ent, [k], lock=True).get(k)
            if current is None:
                raise store.not_found(ent.name, k)
            if current["version"] != expected_version:
                raise store.conflict(
                    ent.name,
                    k,
                    f"is at version {current['version']}, not {expected_version}: "
                    "it was changed since you read it",
                    column="version",
                )
            problems = Problems()
            for name in ent.key:
                if name in changes and store.text(changes[name]) != store.text(current[name]):
                    problems.error(
                        "key_immutable", f"{name} is the key of {ent.name} and cannot be changed", column=name
                    )
            problems.raise_if_errors()
            merged = {f.name: current.get(f.name) for f in ent.fields} | dict(changes)
            new = _validate(conn, ent, merged)
            diff = store.changed_fields(ent, current, new)
            if diff:
                store.update_records(conn, ent, [(current, new, diff)], actor=actor)
        return get(engine, entity, k) if diff else current


def delete(
    target: EngineLike | None,
    entity: str,
    key: Key,
    *,
    expected_version: int,
    actor: str,
    check: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Delete the record with ``key`` if it is still at ``expected_version`` (and ``check(record)``, run in
    the deleting transaction on the locked record, does not raise)."""
    ent = sc.entity(entity)
    k = _key(ent, key)
    with engine_for(target) as engine, write(engine) as conn:
        store.delete_record(conn, ent, k, expected_version, actor=actor, check=check)


def history(
    target: EngineLike | None, entity: str | None = None, key: Key | None = None, *, limit: int | None = None
) -> pd.DataFrame:
    """The change log (newest first), optionally for one entity and key."""
    t = m.table_of(m.ChangeLog)
    stmt = select(
        t.c.at, t.c.actor, t.c.entity, t.c.key, t.c.action, t.c.field, t.c.old_value, t.c.new_value
    ).order_by(t.c.id.desc())
    if entity is not None:
        ent = sc.entity(entity)
        stmt = stmt.where(t.c.entity == ent.name)
        if key is not None:
            stmt = stmt.where(t.c.key == store.key_text(_key(ent, key)))
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine_for(target) as engine, read(engine) as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame(
        [tuple(r) for r in rows],
        columns=["at", "actor", "entity", "key", "action", "field", "old_value", "new_value"],
        dtype=object,
    )
