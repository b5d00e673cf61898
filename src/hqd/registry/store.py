"""Reading and writing entity rows with optimistic locking and a change log.

Shared by imports (many rows) and the record services (one row).  Every write:

- names the version it read; ``UPDATE … WHERE key = … AND version = <read>`` sets ``version + 1``, so
  a row changed by someone else in between matches nothing and raises :class:`ConflictError`
  (reason code ``conflict``) — two editors cannot overwrite each other silently;
- writes one :class:`~hqd.registry.models.ChangeLog` row per changed field (who, when, entity, key,
  field, old → new), and one row per inserted or deleted record.

Bulk inserts use PostgreSQL's ``COPY … FROM STDIN`` (psycopg) and, elsewhere, one DB-API
``executemany`` with the column types' own bind processors, inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Table, and_, bindparam, delete, insert, select, tuple_, update

from hqd.errors import HqdError, Problem
from hqd.registry import models as m
from hqd.registry.db import is_postgres
from hqd.registry.schema import Entity, note_hash

CHUNK = 500
COPY_MIN_ROWS = 200
ANALYZE_MIN_ROWS = 1000
AUDIT = ("version", "updated_at", "updated_by")


class ConflictError(HqdError):
    """A row was changed by someone else since it was read (reason code ``conflict``)."""


class NotFoundError(HqdError):
    """No row with that key (reason code ``not_found``)."""


def conflict(entity: str, key: Sequence[Any], message: str, **where: Any) -> ConflictError:
    return ConflictError([Problem("conflict", f"{entity} {key_text(key)}: {message}", **where)])


def not_found(entity: str, key: Sequence[Any]) -> NotFoundError:
    return NotFoundError([Problem("not_found", f"no {entity} with key {key_text(key)}")])


def key_text(key: Sequence[Any]) -> str:
    """A key as text for messages and the change log (``a|b`` for composite keys)."""
    return "|".join(text(k) or "" for k in key)


def text(value: Any) -> str | None:
    """A value as the text the change log and exports use."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- keys ----------------------------------------------------------------------------------------


def db_key_columns(ent: Entity) -> tuple[str, ...]:
    """The table columns that hold the key (progress notes store a hash of the note text)."""
    return tuple("note_hash" if k == "note" and ent.name == "progress" else k for k in ent.key)


def db_key(ent: Entity, key: Sequence[Any]) -> tuple[Any, ...]:
    if ent.name == "progress":
        return (key[0], key[1], note_hash(str(key[2])))
    return tuple(key)


def _where_key(ent: Entity, key: Sequence[Any]) -> Any:
    table = ent.table
    return and_(*(table.c[c] == v for c, v in zip(db_key_columns(ent), db_key(ent, key), strict=True)))


# --- reading -------------------------------------------------------------------------------------


def links_for(conn: Connection, codes: Sequence[str] | None = None) -> dict[str, tuple[str, ...]]:
    """Chain links served, per enterprise credit code (all enterprises when ``codes`` is None)."""
    t = m.table_of(m.EnterpriseLink)
    found: dict[str, list[str]] = {}
    stmts = (
        [select(t.c.enterprise, t.c.link)]
        if codes is None
        else [
            select(t.c.enterprise, t.c.link).where(t.c.enterprise.in_(list(codes[i : i + CHUNK])))
            for i in range(0, len(codes), CHUNK)
        ]
    )
    for stmt in stmts:
        for ent_code, link in conn.execute(stmt):
            found.setdefault(ent_code, []).append(link)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def fetch_frame(
    conn: Connection, ent: Entity, keys: Sequence[Sequence[Any]] | None = None, *, lock: bool = False
) -> pd.DataFrame:
    """Existing records as a frame (fields + version, updated_at, updated_by; object columns).

    ``keys``: only these (all records when None).  ``lock``: take row locks (PostgreSQL
    ``FOR UPDATE``; SQLite writers already hold the database lock).
    """
    table = ent.table
    cols = [table.c[c] for c in db_key_columns(ent)]
    stmt = select(table)
    batches: Iterable[Any]
    if keys is None:
        batches = [stmt]
    else:
        db_keys = [db_key(ent, k) for k in keys]
        batches = [
            stmt.where(cols[0].in_([k[0] for k in chunk]) if len(cols) == 1 else tuple_(*cols).in_(chunk))
            for chunk in (db_keys[i : i + CHUNK] for i in range(0, len(db_keys), CHUNK))
        ]
    return query_frame(conn, ent, batches, lock=lock, all_links=keys is None)


def query_frame(
    conn: Connection, ent: Entity, statements: Iterable[Any], *, lock: bool = False, all_links: bool = False
) -> pd.DataFrame:
    """Run ``select(table)`` statements and return their rows as a record frame (with chain links)."""
    table = ent.table
    rows: list[tuple[Any, ...]] = []
    for q in statements:
        if lock and is_postgres(conn):
            q = q.with_for_update()
        rows.extend(tuple(r) for r in conn.execute(q))
    frame = pd.DataFrame(rows, columns=[c.name for c in table.c], dtype=object)
    lf = ent.link_field
    if lf is not None:
        served = links_for(conn, None if all_links else frame[ent.key[0]].tolist())
        frame[lf.name] = pd.Series(
            [served.get(k, ()) for k in frame[ent.key[0]]], index=frame.index, dtype=object
        )
    return frame[[f.name for f in ent.fields] + list(AUDIT)]


def records_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a fetched frame as dicts."""
    columns = list(frame.columns)
    return [
        dict(zip(columns, values, strict=True))
        for values in zip(*(frame[c].tolist() for c in columns), strict=True)
    ]


def fetch(
    conn: Connection, ent: Entity, keys: Sequence[Sequence[Any]] | None = None, *, lock: bool = False
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Existing records by key (see :func:`fetch_frame`)."""
    return {tuple(r[k] for k in ent.key): r for r in records_of(fetch_frame(conn, ent, keys, lock=lock))}


# --- writing -------------------------------------------------------------------------------------


Columns = dict[str, list[Any]]


def _columns(rows: Sequence[dict[str, Any]]) -> Columns:
    names = list(rows[0]) if rows else []
    return {n: [r[n] for r in rows] for n in names}


def _processed(values: list[Any], proc: Any) -> list[Any]:
    """Apply a bind processor once per distinct value (dates repeat, audit stamps are constant)."""
    if proc is None:
        return values
    cache: dict[Any, Any] = {}
    out: list[Any] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        try:
            out.append(cache[v])
        except KeyError:
            cache[v] = proc(v)
            out.append(cache[v])
        except TypeError:  # unhashable
            out.append(proc(v))
    return out


def bulk_insert(conn: Connection, table: Table, columns: Columns) -> None:
    """Insert rows given column-wise (``{column: values}``) in the caller's transaction, fast.

    PostgreSQL: ``COPY … FROM STDIN``; SQLite: one DB-API ``executemany`` with the column types' bind
    processors applied per distinct value; otherwise SQLAlchemy's ``executemany``.
    """
    names = list(columns)
    n = len(columns[names[0]]) if names else 0
    if n == 0:
        return
    if is_postgres(conn) and n >= COPY_MIN_ROWS:
        prep = conn.dialect.identifier_preparer
        sql = f"COPY {prep.format_table(table)} ({', '.join(prep.quote(c) for c in names)}) FROM STDIN"
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(sql) as copy:
            for row in zip(*(columns[c] for c in names), strict=True):
                copy.write_row(row)
        return
    if conn.dialect.name == "sqlite" and n > 1:
        compiled = insert(table).compile(dialect=conn.dialect, column_keys=names)
        order = list(compiled.positiontup or [])
        if sorted(order) == sorted(names):
            procs = [table.c[c].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for c in order]
            lists = [_processed(columns[c], p) for c, p in zip(order, procs, strict=True)]
            conn.exec_driver_sql(str(compiled), list(zip(*lists, strict=True)))
            return
    conn.execute(
        insert(table),
        [dict(zip(names, row, strict=True)) for row in zip(*(columns[c] for c in names), strict=True)],
    )


def with_defaults(table: Table, columns: Columns, n: int) -> Columns:
    """Fill scalar column defaults for absent columns and for missing values of NOT NULL columns.

    Bulk paths (COPY, raw executemany) bypass SQLAlchemy's defaults, so they are applied here.
    """
    out = dict(columns)
    for col in table.c:
        default: Any = col.default
        if default is None or not default.is_scalar:
            continue
        if col.name not in out:
            out[col.name] = [default.arg] * n
        elif not col.nullable:
            out[col.name] = [default.arg if v is None else v for v in out[col.name]]
    return out


def _stored(ent: Entity, rec: dict[str, Any]) -> dict[str, Any]:
    row = {f.name: rec.get(f.name) for f in ent.stored_fields}
    if ent.name == "progress":
        row["note_hash"] = note_hash(str(rec["note"]))
    return row


def _log_rows(
    actor: str,
    at: dt.datetime,
    entity: str,
    key: Sequence[Any],
    action: str,
    changes: dict[str, tuple[Any, Any]] | None = None,
) -> list[dict[str, Any]]:
    base = {"at": at, "actor": actor, "entity": entity, "key": key_text(key)[:256], "action": action}
    if not changes:
        return [{**base, "field": None, "old_value": None, "new_value": None}]
    return [
        {**base, "field": f, "old_value": text(old), "new_value": text(new)}
        for f, (old, new) in changes.items()
    ]


def write_log(conn: Connection, rows: list[dict[str, Any]]) -> None:
    bulk_insert(conn, m.table_of(m.ChangeLog), _columns(rows))


def insert_records(
    conn: Connection,
    ent: Entity,
    records: Sequence[dict[str, Any]] | pd.DataFrame,
    *,
    actor: str,
    at: dt.datetime | None = None,
) -> None:
    """Insert new records (version 1) in bulk, with their chain links and one log row each."""
    frame = records if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records), dtype=object)
    n = len(frame)
    if n == 0:
        return
    at = at or now()
    columns: Columns = {f.name: frame[f.name].tolist() for f in ent.stored_fields}
    if ent.name == "progress":
        columns["note_hash"] = [note_hash(str(v)) for v in columns["note"]]
    columns |= {"version": [1] * n, "updated_at": [at] * n, "updated_by": [actor] * n}
    bulk_insert(conn, ent.table, with_defaults(ent.table, columns, n))
    if is_postgres(conn) and n >= ANALYZE_MIN_ROWS:
        # fresh statistics, or the planner keeps treating a just-filled table as empty (sequential scans
        # for every key lookup of the next import)
        conn.exec_driver_sql(f"ANALYZE {conn.dialect.identifier_preparer.format_table(ent.table)}")
    lf = ent.link_field
    if lf is not None:
        pairs = [
            (k, link)
            for k, links in zip(frame[ent.key[0]], frame[lf.name], strict=True)
            for link in links or ()
        ]
        bulk_insert(
            conn,
            m.table_of(m.EnterpriseLink),
            {"enterprise": [p[0] for p in pairs], "link": [p[1] for p in pairs]},
        )
    keys = [key_text(k)[:256] for k in zip(*(frame[k].tolist() for k in ent.key), strict=True)]
    bulk_insert(
        conn,
        m.table_of(m.ChangeLog),
        {
            "at": [at] * n,
            "actor": [actor] * n,
            "entity": [ent.name] * n,
            "key": keys,
            "action": ["insert"] * n,
            "field": [None] * n,
            "old_value": [None] * n,
            "new_value": [None] * n,
        },
    )


def changed_fields(ent: Entity, old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields whose value differs, as ``{field: (old, new)}`` (key fields excluded)."""
    out = {}
    for f in ent.fields:
        if f.name in ent.key:
            continue
        a, b = old.get(f.name), new.get(f.name)
        if f.kind == "links":
            a, b = tuple(a or ()), tuple(b or ())
        if a != b:
            out[f.name] = (a, b)
    return out


def update_records(
    conn: Connection,
    ent: Entity,
    updates: Sequence[tuple[dict[str, Any], dict[str, Any], dict[str, tuple[Any, Any]]]],
    *,
    actor: str,
    at: dt.datetime | None = None,
) -> None:
    """Apply ``(old record, new record, changes)`` updates; a version mismatch raises :class:`ConflictError`.

    ``old["version"]`` is the version the caller read; each row is updated only if it still has it.
    """
    if not updates:
        return
    at = at or now()
    table = ent.table
    kcols = db_key_columns(ent)
    editable = [f.name for f in ent.stored_fields if f.name not in ent.key]
    params = [
        {"_k_" + c: v for c, v in zip(kcols, db_key(ent, [old[k] for k in ent.key]), strict=True)}
        | {"_v": old["version"], "_nv": old["version"] + 1, "_at": at, "_by": actor}
        | {"_s_" + name: new.get(name) for name in editable}
        for old, new, _ in updates
    ]
    stmt = (
        update(table)
        .where(*(table.c[c] == bindparam("_k_" + c) for c in kcols), table.c.version == bindparam("_v"))
        .values(
            {table.c[name]: bindparam("_s_" + name) for name in editable}
            | {
                table.c.version: bindparam("_nv"),
                table.c.updated_at: bindparam("_at"),
                table.c.updated_by: bindparam("_by"),
            }
        )
    )
    if len(params) == 1 or not conn.dialect.supports_sane_multi_rowcount:
        for p, (old, _, _) in zip(params, updates, strict=True):
            if conn.execute(stmt, p).rowcount != 1:
                raise conflict(
                    ent.name,
                    [old[k] for k in ent.key],
                    f"changed by someone else since version {old['version']} was read",
                )
    elif conn.execute(stmt, params).rowcount != len(params):
        raise conflict(ent.name, [], f"rows changed by someone else while {len(params)} were being updated")
    lf = ent.link_field
    if lf is not None:
        relinked = [(old, new) for old, new, ch in updates if lf.name in ch]
        if relinked:
            t = m.table_of(m.EnterpriseLink)
            codes = [old[ent.key[0]] for old, _ in relinked]
            for start in range(0, len(codes), CHUNK):
                conn.execute(delete(t).where(t.c.enterprise.in_(codes[start : start + CHUNK])))
            pairs = [(new[ent.key[0]], link) for _, new in relinked for link in new[lf.name]]
            bulk_insert(conn, t, {"enterprise": [p[0] for p in pairs], "link": [p[1] for p in pairs]})
    write_log(
        conn,
        [
            row
            for old, _, ch in updates
            for row in _log_rows(actor, at, ent.name, [old[k] for k in ent.key], "update", ch)
        ],
    )


def delete_record(
    conn: Connection,
    ent: Entity,
    key: Sequence[Any],
    version: int,
    *,
    actor: str,
    check: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Delete one record if it still has ``version``; log the deletion with the record's last values.

    ``check(record)`` (e.g. the API's region scope) sees the record as it is locked in this transaction —
    row lock on PostgreSQL, the write lock on SQLite — and at the version the delete names, so nobody
    can change the record between the check and the delete; it raises to refuse.
    """
    current = fetch(conn, ent, [key], lock=True).get(tuple(key))
    if current is None:
        raise not_found(ent.name, key)
    if current["version"] != version:
        raise conflict(ent.name, key, f"is at version {current['version']}, not {version}", column="version")
    if check is not None:
        check(current)
    result = conn.execute(delete(ent.table).where(_where_key(ent, key), ent.table.c.version == version))
    if result.rowcount != 1:
        raise conflict(ent.name, key, "changed by someone else before it could be deleted")
    last = {
        f.name: (current[f.name], None)
        for f in ent.fields
        if f.name not in ent.key and current.get(f.name) not in (None, ())
    }
    write_log(conn, _log_rows(actor, now(), ent.name, key, "delete", last))
