"""The supervision ladder (督办): 提醒 → 督办 → 通报 → 约谈, on projects and ledger tasks.

An escalation records the date, the level, the responsible leader and department, the reason (and the
warning rule that prompted it, if any); later the response (with its date) and the closure (with its
date).  A *case* is the run of escalations of one project or task while any of them is open (not closed).
Rules:

- the first escalation of a case is 提醒 (``remind``); each further one is at most one level above the
  highest open level — skipping a level (提醒 → 通报, or straight to 约谈) needs a recorded
  ``skip_reason`` (error ``level_skipped`` otherwise);
- a lower or equal level may be recorded again (a second 督办 notice);
- the subject must exist (``not_found``); closing or responding to a closed or unknown escalation is an
  error (``already_closed`` / ``not_found``); dates cannot precede the escalation (``date_before_escalation``).

Every escalation, response and closure is written to the change log (entity ``escalations``, key = id).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from hqd.errors import HqdError, Problem
from hqd.registry import models as m
from hqd.registry import store
from hqd.registry.db import EngineLike, engine_for, read, write

LEVELS = m.ESCALATION_LEVELS
LABELS_ZH = {"remind": "提醒", "supervise": "督办", "notify": "通报", "interview": "约谈"}
_ALIASES = {**{v: k for k, v in LABELS_ZH.items()}, **{k: k for k in LEVELS}}


def level_key(level: str) -> str:
    """``督办`` or ``supervise`` → ``supervise``; anything else is an error listing the levels."""
    key = _ALIASES.get(str(level).strip())
    if key is None:
        valid = ", ".join(f"{k} ({LABELS_ZH[k]})" for k in LEVELS)
        raise HqdError([Problem("invalid_choice", f"unknown level {level!r}; valid: {valid}", column="level")])
    return key


def _date(value: str | dt.date, column: str) -> dt.date:
    from hqd.registry.ledgers import as_date

    return as_date(value, column)


def _subject_exists(conn: Connection, subject: str, key: str) -> None:
    table = {"projects": m.table_of(m.Project).c.project_id, "tasks": m.table_of(m.Task).c.code}.get(subject)
    if table is None:
        raise HqdError([Problem("invalid_choice", f"unknown subject {subject!r}; valid: projects, tasks",
                                column="subject")])
    if conn.execute(select(table).where(table == key)).first() is None:
        raise HqdError([Problem("not_found", f"no {subject} with key {key!r}")])


def open_levels(conn: Connection, subject: str, key: str) -> list[str]:
    e = m.table_of(m.Escalation)
    return list(conn.execute(select(e.c.level).where(e.c.subject == subject, e.c.key == key,
                                                       e.c.closed_on.is_(None))).scalars())


def escalate(target: EngineLike | None, subject: str, key: str, level: str, on: str | dt.date, *,
             actor: str, leader: str | None = None, department: str | None = None, reason: str | None = None,
             skip_reason: str | None = None, rule: str | None = None) -> dict[str, Any]:
    """Record an escalation (see the module doc for the ladder rule); returns the stored row."""
    lvl = level_key(level)
    day = _date(on, "escalated_on")
    e = m.table_of(m.Escalation)
    with engine_for(target) as engine, write(engine) as conn:
        _subject_exists(conn, subject, key)
        current = open_levels(conn, subject, key)
        top = max((LEVELS.index(x) for x in current), default=-1)
        if LEVELS.index(lvl) > top + 1 and not (skip_reason or "").strip():
            expected = LEVELS[top + 1]
            raise HqdError([Problem(
                "level_skipped",
                f"{subject} {key}: {LABELS_ZH[lvl]} ({lvl}) skips {LABELS_ZH[expected]} ({expected}); "
                "record skip_reason to escalate past a level", column="level")])
        at = store.now()
        new_id = int(conn.execute(insert(e).values(
            subject=subject, key=key, level=lvl, escalated_on=day, leader=leader, department=department,
            reason=reason, skip_reason=skip_reason, rule=rule, actor=actor, recorded_at=at)
            .returning(e.c.id)).scalar_one())
        store.write_log(conn, [{"at": at, "actor": actor, "entity": "escalations", "key": str(new_id),
                                "action": "insert", "field": "level", "old_value": None,
                                "new_value": f"{subject}|{key}|{lvl}|{day.isoformat()}"}])
        return dict(conn.execute(select(e).where(e.c.id == new_id)).one()._mapping)


def _finish(target: EngineLike | None, escalation: int, values: dict[str, Any], day_field: str, *,
            actor: str, closing: bool) -> dict[str, Any]:
    e = m.table_of(m.Escalation)
    with engine_for(target) as engine, write(engine) as conn:
        row = conn.execute(select(e).where(e.c.id == escalation)).first()
        if row is None:
            raise HqdError([Problem("not_found", f"no escalation {escalation}")])
        if row.closed_on is not None:
            raise HqdError([Problem("already_closed", f"escalation {escalation} was closed on {row.closed_on}")])
        if values[day_field] < row.escalated_on:
            raise HqdError([Problem("date_before_escalation", f"{day_field} {values[day_field]} is before the "
                                    f"escalation of {row.escalated_on}", column=day_field)])
        at = store.now()
        conn.execute(update(e).where(e.c.id == escalation).values(**values))
        store.write_log(conn, [{"at": at, "actor": actor, "entity": "escalations", "key": str(escalation),
                                "action": "update", "field": f, "old_value": store.text(row._mapping[f]),
                                "new_value": store.text(v)} for f, v in values.items()])
        del closing
        return dict(conn.execute(select(e).where(e.c.id == escalation)).one()._mapping)


def respond(target: EngineLike | None, escalation: int, response: str, on: str | dt.date, *,
            actor: str) -> dict[str, Any]:
    """Record the response of the responsible unit (and its date)."""
    return _finish(target, escalation, {"response": response, "responded_on": _date(on, "responded_on")},
                   "responded_on", actor=actor, closing=False)


def close(target: EngineLike | None, escalation: int, closure: str, on: str | dt.date, *,
          actor: str) -> dict[str, Any]:
    """Close an escalation (销号) with what settled it and the date."""
    return _finish(target, escalation, {"closure": closure, "closed_on": _date(on, "closed_on")}, "closed_on",
                   actor=actor, closing=True)


def escalations(target: EngineLike | None, subject: str | None = None, key: str | None = None,
                *, open_only: bool = False) -> pd.DataFrame:
    """Escalations, oldest first (all, of a subject, or of one project or task)."""
    e = m.table_of(m.Escalation)
    stmt = select(e).order_by(e.c.escalated_on, e.c.id)
    if subject is not None:
        stmt = stmt.where(e.c.subject == subject)
    if key is not None:
        stmt = stmt.where(e.c.key == key)
    if open_only:
        stmt = stmt.where(e.c.closed_on.is_(None))
    with engine_for(target) as engine, read(engine) as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in e.c])
    frame["level_zh"] = frame["level"].map(LABELS_ZH)
    return frame
