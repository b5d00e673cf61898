"""Importing CSV and Excel files into the registry: validate everything first, then write all or nothing.

:func:`import_file` reads a file (CSV in UTF-8, UTF-8 with BOM or GB18030; ``.xlsx``), maps its headers
(canonical names or Chinese aliases such as 项目名称, 总投资(亿元)), parses and checks every cell and
every reference, and raises one :class:`~hqd.errors.HqdError` listing every problem by row and column.
Only when all rows are valid does it write, in one transaction:

- rows whose key (``project_id``, ``credit_code``, codes) is new are inserted in bulk;
- rows whose key exists and whose values differ are updated (version + 1, change log per field);
- rows identical to the database are left alone — so re-importing the same file changes nothing.

A column the file leaves out means "leave unchanged": existing records keep their values in the fields the
file does not name (new records get the field's default).  Only a cell that is present and empty clears a
value, and the report counts the values so cleared (``cleared``).

An optional ``guard`` (:data:`hqd.registry.records.Guard`) is asked about every row — the stored record as
locked by the writing transaction and the row as it will be written — before anything is written; one
refusal refuses the import (the API's region scopes are checked this way).

A ``version`` column is optional: when present, an existing row whose version differs is a conflict
(someone edited it after the file was exported) and nothing is written.  ``dry_run=True`` validates and
counts what would happen without writing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from hqd.errors import HqdError, Problem, Problems
from hqd.registry import schema as sc
from hqd.registry import store
from hqd.registry.db import EngineLike, engine_for, read, write
from hqd.registry.records import Guard


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    entity: str
    source: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    dry_run: bool = False
    warnings: tuple[Problem, ...] = field(default_factory=tuple)
    cleared: int = 0

    def __str__(self) -> str:
        verb = "would be " if self.dry_run else ""
        tail = " (dry run: nothing written)" if self.dry_run else ""
        cleared = f"; {verb}cleared {self.cleared:,} values (empty cells)" if self.cleared else ""
        return (
            f"{self.entity}: {self.rows:,} rows read from {self.source}; {verb}inserted {self.inserted:,}, "
            f"{verb}updated {self.updated:,}, unchanged {self.unchanged:,}{cleared}{tail}"
        )


def read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV or Excel file as strings (header = first row; blank cells are empty strings)."""
    p = Path(path)
    problems = Problems({"file": p.name})
    if not p.exists():
        problems.error("file_not_found", f"no such file: {p}")
        problems.raise_if_errors()
    suffix = p.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt"):
        problems.error(
            "unsupported_format", f"cannot read {suffix or 'files without suffix'}; use .csv or .xlsx"
        )
        problems.raise_if_errors()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(
                p, sheet_name=0 if sheet is None else sheet, dtype=str, keep_default_na=False
            )
        else:
            frame = _read_csv(p)
    except (ValueError, OSError) as exc:
        problems.error("unreadable_file", f"cannot read {p.name}: {exc}")
        raise HqdError(problems.items) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _read_csv(p: Path) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(p, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("the file is neither UTF-8 nor GB18030 text")


def validate_frame(
    ent: sc.Entity,
    raw: pd.DataFrame,
    res: sc.Resolver,
    *,
    file: str | None = None,
    sheet: str | None = None,
    rows: np.ndarray | None = None,
) -> tuple[pd.DataFrame, Problems]:
    """Parse and check ``raw`` (strings); returns the typed frame and the problems (not raised)."""
    problems = Problems({k: v for k, v in (("file", file), ("sheet", sheet)) if v is not None})
    if rows is None:
        rows = np.arange(2, len(raw) + 2)
    frame = sc.parse_frame(ent, raw, res, problems, rows=rows)
    return frame, problems


def _rows(ent: sc.Entity, frame: pd.DataFrame, positions: Sequence[int] | None = None) -> pd.DataFrame:
    part = frame if positions is None else frame.iloc[list(positions)]
    return part[[f.name for f in ent.fields]]


def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise ``a != b`` with Python equality (``None == None``; tuples compare as tuples)."""
    return np.fromiter(
        (x != y for x, y in zip(a.tolist(), b.tolist(), strict=True)), dtype=bool, count=len(a)
    )


def _empty(value: Any) -> bool:
    return value is None or value == () or (isinstance(value, float) and value != value)


@dataclass
class _Plan:
    inserts: pd.DataFrame
    updates: list[Any]
    cleared: int
    matched: list[tuple[int, dict[str, Any] | None, dict[str, Any]]]  # (position, stored, new) for every row


def _plan(
    ent: sc.Entity,
    frame: pd.DataFrame,
    existing: pd.DataFrame,
    rows: np.ndarray,
    problems: Problems,
    present: set[str],
) -> _Plan:
    """Split parsed rows into inserts (new keys) and updates (changed rows); check file versions.

    Fields not in ``present`` (columns the file leaves out) keep the stored values of existing records."""
    key = list(ent.key)
    names = [f.name for f in ent.fields]
    every: list[tuple[int, dict[str, Any] | None, dict[str, Any]]] = []
    if existing.empty:
        inserts = _rows(ent, frame)
        every = [(pos, None, {str(k): v for k, v in rec.items()})
                 for pos, rec in enumerate(inserts.to_dict("records"))]
        return _Plan(inserts, [], 0, every)
    old = existing.rename(columns={c: c + "__old" for c in existing.columns if c not in key})
    merged = frame.assign(_pos=np.arange(len(frame))).merge(
        old, on=key, how="left", indicator=True, sort=False
    )
    merged = merged.sort_values("_pos", kind="stable").reset_index(drop=True)
    matched = np.array(merged["_merge"] == "both", dtype=bool)
    for name in names:
        if name not in present and name not in key:  # left out of the file: leave unchanged
            merged[name] = merged[name].where(~matched, merged[name + "__old"])
    inserts = _rows(ent, frame, np.flatnonzero(~matched).tolist())
    if "version" in merged.columns:
        wanted = merged["version"]
        stale = matched & wanted.notna().to_numpy() & _differs(wanted, merged["version__old"])
        for pos in np.flatnonzero(stale):
            k = [merged.at[pos, c] for c in key]
            problems.error(
                "conflict",
                f"{ent.name} {store.key_text(k)} is at version {merged.at[pos, 'version__old']} in the database, "
                f"the file has version {merged.at[pos, 'version']}: it was edited after the file was exported",
                row=int(rows[pos]),
                column="version",
            )
        matched &= ~stale
    changed = np.zeros(len(merged), dtype=bool)
    cleared = 0
    for f in ent.fields:
        if f.name not in key:
            differs = matched & _differs(merged[f.name], merged[f.name + "__old"])
            changed |= differs
            cleared += sum(_empty(merged.at[at, f.name]) and not _empty(merged.at[at, f.name + "__old"])
                           for at in np.flatnonzero(differs))
    updates = []
    for i in range(len(merged)):
        new = {name: merged.at[i, name] for name in names}
        if not matched[i]:
            every.append((i, None, new))
            continue
        before = {name: merged.at[i, name if name in key else name + "__old"] for name in names}
        before |= {a: merged.at[i, a + "__old"] for a in store.AUDIT}
        every.append((i, before, new))
        if changed[i]:
            updates.append((before, new, store.changed_fields(ent, before, new)))
    return _Plan(inserts, updates, cleared, every)


def import_frame(
    target: EngineLike | None,
    entity: str,
    raw: pd.DataFrame,
    *,
    actor: str,
    dry_run: bool = False,
    source: str = "<data>",
    sheet: str | None = None,
    guard: Guard | None = None,
) -> ImportReport:
    """Validate ``raw`` (a frame of strings, header names as columns) and write it (see module doc)."""
    ent = sc.entity(entity)
    with engine_for(target) as engine:
        return _import(engine, ent, raw, actor=actor, dry_run=dry_run, source=source, sheet=sheet, guard=guard)


def import_file(
    target: EngineLike | None,
    entity: str,
    path: str | Path,
    *,
    actor: str,
    sheet: str | None = None,
    dry_run: bool = False,
    guard: Guard | None = None,
) -> ImportReport:
    """Import a CSV or Excel file of ``entity`` rows (see the module docstring)."""
    ent = sc.entity(entity)
    raw = read_table(path, sheet=sheet)
    with engine_for(target) as engine:
        return _import(engine, ent, raw, actor=actor, dry_run=dry_run, source=Path(path).name, sheet=sheet,
                       guard=guard)


def _import(
    engine: Engine,
    ent: sc.Entity,
    raw: pd.DataFrame,
    *,
    actor: str,
    dry_run: bool,
    source: str,
    sheet: str | None,
    guard: Guard | None = None,
) -> ImportReport:
    rows = np.arange(2, len(raw) + 2)
    file = None if source == "<data>" else source
    if len(raw) == 0:
        empty = Problems({"file": file} if file else {})
        empty.error("empty_file", f"no data rows to import into {ent.name}")
        empty.raise_if_errors()
    with read(engine) as conn:
        res = sc.Resolver.load(conn, only=sc.refs_needed(ent))
    frame, problems = validate_frame(ent, raw, res, file=file, sheet=sheet, rows=rows)
    problems.raise_if_errors()
    present = set(sc.map_headers(ent, [str(c) for c in raw.columns], Problems()))
    keys = sc.key_tuples(ent, frame)
    tx = read(engine) if dry_run else write(engine)
    try:
        with tx as conn:
            existing = store.fetch_frame(conn, ent, keys, lock=not dry_run)
            plan = _plan(ent, frame, existing, rows, problems, present)
            if problems.errors:
                raise store.ConflictError(problems.items)
            if guard is not None:
                refused = Problems({"file": file} if file else {})
                for pos, before, after in plan.matched:
                    refusal = guard(before, after)
                    if refusal is not None:
                        refused.items.append(replace(refusal, row=int(rows[pos]), file=file, sheet=sheet))
                refused.raise_if_errors()
            inserts, updates = plan.inserts, plan.updates
            if not dry_run:
                at = store.now()
                store.insert_records(conn, ent, inserts, actor=actor, at=at)
                store.update_records(conn, ent, updates, actor=actor, at=at)
    except IntegrityError as exc:
        unique = "unique" in f"{exc.orig.__class__.__name__} {exc.orig}".lower()
        raise (store.ConflictError if unique else HqdError)(
            [
                Problem(
                    "conflict" if unique else "integrity_error",
                    f"{ent.name}: the database refused the rows ({exc.orig.__class__.__name__}: "
                    f"{str(exc.orig).splitlines()[0]}); nothing was written",
                    file=file,
                )
            ]
        ) from exc
    return ImportReport(
        ent.name,
        source,
        len(frame),
        len(inserts),
        len(updates),
        len(frame) - len(inserts) - len(updates),
        dry_run,
        tuple(problems.warnings),
        plan.cleared,
    )
