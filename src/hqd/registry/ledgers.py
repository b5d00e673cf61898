"""Implementation ledgers (台账): overdue tasks and the share done per department and person.

A plan breaks down into tasks in up to four levels (重点任务 → 举措 → 年度要点 → 季度节点), each with a
leading official, a lead and cooperating departments, a responsible person and post, a deadline and a status; dated progress notes
are appended, never overwritten.

- :func:`overdue`: tasks and sub-tasks whose deadline is before ``as_of`` and whose status is neither
  ``done`` nor ``cancelled``; ``days_overdue = as_of - deadline``.
- :func:`progress`: per lead department and per responsible person, the number of work items, how many
  are done and the share done.  Work items are the leaves of the plan (sub-tasks, and tasks without
  sub-tasks) so nothing is counted twice; cancelled items are left out of the denominator.  The latest
  progress note's ``percent_done`` per item is averaged alongside (items without a note are skipped).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, select

from hqd.errors import HqdError, Problem
from hqd.registry import models as m
from hqd.registry import schema as sc
from hqd.registry.db import EngineLike, engine_for, read
from hqd.registry.summaries import is_synthetic

_TASK_COLUMNS = [
    "code",
    "plan",
    "parent",
    "title",
    "leading_official",
    "lead_department",
    "cooperating_departments",
    "responsible_person",
    "post",
    "project_id",
    "deadline",
    "status",
]


def _tasks(conn: Connection, plan: str | None = None) -> pd.DataFrame:
    t = m.table_of(m.Task)
    stmt = select(*(t.c[c] for c in _TASK_COLUMNS))
    if plan is not None:
        stmt = stmt.where(t.c.plan == plan)
    return pd.DataFrame(conn.execute(stmt).all(), columns=_TASK_COLUMNS)


def as_date(value: str | dt.date, column: str = "as_of") -> dt.date:
    """Parse a date argument (``YYYY-MM-DD``); a bad value raises ``HqdError`` (``not_a_date``)."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise HqdError(
            [Problem("not_a_date", f"{column} must be a date YYYY-MM-DD; got {value!r}", column=column)]
        ) from None


def overdue(target: EngineLike | None, as_of: str | dt.date, *, plan: str | None = None) -> pd.DataFrame:
    """Open tasks past their deadline on ``as_of`` (most overdue first)."""
    day = as_date(as_of)
    with engine_for(target) as engine, read(engine) as conn:
        code = _plan_code(conn, plan) if plan is not None else None
        tasks = _tasks(conn, code)
        synthetic = is_synthetic(conn)
    open_ = ~tasks["status"].isin(["done", "cancelled"])
    late = tasks["deadline"].notna() & (
        tasks["deadline"].map(lambda d: d is not None and d < day).astype(bool)
    )
    out = tasks.loc[open_ & late].copy()
    out["days_overdue"] = [(day - d).days for d in out["deadline"]]
    out = out.sort_values(["days_overdue", "code"], ascending=[False, True]).reset_index(drop=True)
    out.attrs["synthetic"] = synthetic
    out.attrs["as_of"] = day.isoformat()
    return out


def _plan_code(conn: Connection, plan: str) -> str:
    res = sc.Resolver.load(conn, only=["plans"])
    code = res.lookup("plans", plan)
    if code is None:
        raise HqdError([Problem("unknown_plan", f"{plan!r} is not a plan of the registry")])
    return code


@dataclass(frozen=True)
class Progress:
    """Share done per lead department and per responsible person for one plan."""

    plan: str
    items: pd.DataFrame
    by_department: pd.DataFrame
    by_person: pd.DataFrame
    synthetic: bool = False

    @property
    def share_done(self) -> float:
        counted = self.items[self.items["status"] != "cancelled"]
        return float((counted["status"] == "done").mean()) if len(counted) else float("nan")


def _share(items: pd.DataFrame, by: str) -> pd.DataFrame:
    counted = items[items["status"] != "cancelled"].assign(
        done=lambda d: d["status"].eq("done").astype(int), **{by: lambda d: d[by].fillna("(none)")}
    )
    grouped = counted.groupby(by, sort=True).agg(
        items=("code", "size"), done=("done", "sum"), mean_percent_done=("percent_done", "mean")
    )
    grouped["share_done"] = grouped["done"] / grouped["items"]
    return grouped.reset_index()[[by, "items", "done", "share_done", "mean_percent_done"]]


def progress(target: EngineLike | None, plan: str) -> Progress:
    """Work items of ``plan`` and the share done per lead department and responsible person."""
    with engine_for(target) as engine, read(engine) as conn:
        code = _plan_code(conn, plan)
        tasks = _tasks(conn, code)
        notes = pd.DataFrame(
            conn.execute(
                select(
                    m.ProgressNote.task,
                    m.ProgressNote.note_date,
                    m.ProgressNote.id,
                    m.ProgressNote.percent_done,
                )
                .join(m.Task, m.ProgressNote.task == m.Task.code)
                .where(m.Task.plan == code)
            ).all(),
            columns=["task", "note_date", "id", "percent_done"],
        )
        synthetic = is_synthetic(conn)
    parents = set(tasks["parent"].dropna())
    items = tasks[~tasks["code"].isin(parents)].copy()
    latest = (
        notes.dropna(subset=["percent_done"])
        .sort_values(["task", "note_date", "id"])
        .groupby("task")
        .tail(1)
        .set_index("task")["percent_done"]
    )
    items["percent_done"] = items["code"].map(latest).astype(float)
    items = items.reset_index(drop=True)
    return Progress(
        code, items, _share(items, "lead_department"), _share(items, "responsible_person"), synthetic
    )


def notes(target: EngineLike | None, task: str) -> pd.DataFrame:
    """A task's progress notes, oldest first (the full history)."""
    with engine_for(target) as engine, read(engine) as conn:
        rows = conn.execute(
            select(
                m.ProgressNote.note_date,
                m.ProgressNote.percent_done,
                m.ProgressNote.note,
                m.ProgressNote.author,
                m.ProgressNote.updated_at,
            )
            .where(m.ProgressNote.task == task)
            .order_by(m.ProgressNote.note_date, m.ProgressNote.id)
        ).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["note_date", "percent_done", "note", "author", "recorded_at"]
    )
