"""序时进度: the progress a project or task should have made by a date, against what it has made.

Two ways of reading the expected share of the year (or of a task's span), each a method with its key:

``days`` (default)
    share = (d − start + 1) / (end − start + 1) in calendar days, inclusive of both ends: for the annual
    plan, start = 1 January and end = 31 December of d's year, so 30 June 2024 is 182/366 = 49.73 % (2024 is
    a leap year) and 30 June 2023 is 181/365 = 49.59 %; 31 December is 100 %.
``months``
    share = completed months / 12 for the annual plan (a month counts once d is its last day: 30 June →
    6/12 = 50 %, 29 June → 5/12), the convention of monthly 序时进度 tables; for a task's span, months
    between start and end counted the same way.

Projects: expected = annual plan × share; actual = 本年累计完成 of the latest month whose last day is ≤ d
(from :mod:`hqd.registry.investment`); ``actual_share = actual / plan``; ``behind_points`` =
100 × (share − actual_share) (positive: behind schedule).  A project with no plan for the year has no
expected progress (``basis = "no_plan"``; its share, actual share and gap are empty, never 0).
Tasks: share over [start_date, deadline] clipped to [0, 1]; actual = the latest progress note's
``percent_done`` dated ≤ d (0 when a task has no note yet); without a start date or a deadline the basis is
``no_schedule``.  Done tasks count as 100 % whatever their notes say.

A small pure vectorised function does each sum (:func:`share_of_year`, :func:`share_of_span`); they take
numpy arrays of ``datetime64[D]`` so a whole registry is one call.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select

from hqd.errors import Problems
from hqd.registry import models as m
from hqd.registry.db import EngineLike, engine_for, read

METHODS = ("days", "months")


def _check_method(method: str) -> None:
    if method not in METHODS:
        problems = Problems()
        problems.error("invalid_choice", f"unknown 序时进度 method {method!r}; valid: {', '.join(METHODS)}",
                       column="method")
        problems.raise_if_errors()


def _month_end(d: np.ndarray) -> np.ndarray:
    return (d.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1


def _completed_months(d: np.ndarray) -> np.ndarray:
    """Months of d's year whose last day is ≤ d (0–12)."""
    month = d.astype("datetime64[M]").astype(int) % 12 + 1
    return np.where(d == _month_end(d), month, month - 1)


def share_of_year(d: np.ndarray, method: str = "days") -> np.ndarray:
    """Expected share (0–1) of an annual plan by the dates ``d`` (``datetime64[D]``); see the module doc."""
    _check_method(method)
    d = np.asarray(d, dtype="datetime64[D]")
    if method == "months":
        return _completed_months(d) / 12.0
    start = d.astype("datetime64[Y]").astype("datetime64[D]")
    end = (d.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
    return ((d - start).astype(int) + 1) / ((end - start).astype(int) + 1)


def share_of_span(d: np.ndarray, start: np.ndarray, end: np.ndarray, method: str = "days") -> np.ndarray:
    """Expected share (0–1, clipped) of work scheduled from ``start`` to ``end`` (inclusive) by ``d``.

    NaN where ``start`` or ``end`` is missing (``NaT``) or ``end`` is before ``start``.
    """
    _check_method(method)
    d, start, end = (np.asarray(a, dtype="datetime64[D]") for a in (d, start, end))
    bad = np.isnat(start) | np.isnat(end) | (end < start)
    if method == "months":
        def index(x: np.ndarray) -> np.ndarray:  # months since 0000-01 completed by x
            return x.astype("datetime64[M]").astype(int) + (x == _month_end(x)).astype(int)

        total = index(end) - start.astype("datetime64[M]").astype(int)
        done = index(d) - start.astype("datetime64[M]").astype(int)
        share = np.where(total > 0, done / np.where(total > 0, total, 1), 1.0)
    else:
        total = (end - start).astype(int) + 1
        share = ((d - start).astype(int) + 1) / np.where(total > 0, total, 1)
    share = np.clip(share, 0.0, 1.0)
    return np.where(bad, np.nan, share)


def project_progress(target: EngineLike | None, as_of: str | dt.date, *, method: str = "days") -> pd.DataFrame:
    """序时进度 of every project with a plan or figures for ``as_of``'s year (see the module doc).

    Columns: project_id, name, region, chain, status, start_date, plan, actual, expected, share,
    actual_share, behind_points, basis (``plan`` or ``no_plan``), last_month (the month the actual is from).
    """
    from hqd.registry import investment as inv
    from hqd.registry.ledgers import as_date

    _check_method(method)
    day = as_date(as_of)
    p = m.table_of(m.Project)
    with engine_for(target) as engine:
        with read(engine) as conn:
            projects = pd.DataFrame(conn.execute(select(p.c.project_id, p.c.name, p.c.region, p.c.chain,
                                                        p.c.status, p.c.start_date)).all(),
                                    columns=["project_id", "name", "region", "chain", "status", "start_date"])
        plans = inv.annual_plans(engine, day.year).set_index("project_id")["planned_100m_cny"]
        rows = inv.monthly(engine, year=day.year)
    months_done = int(_completed_months(np.array([day], dtype="datetime64[D]"))[0])
    rows = rows[rows["month"] <= months_done]
    latest = rows.sort_values("month").groupby("project_id").tail(1).set_index("project_id")
    out = projects.copy()
    out["plan"] = out["project_id"].map(plans).astype(float)
    out["actual"] = out["project_id"].map(latest["ytd_100m_cny"]).astype(float)
    out["last_month"] = out["project_id"].map(latest["month"]).astype("Int64")
    has_plan = out["plan"].notna() & (out["plan"] > 0)
    out = out[has_plan | out["actual"].notna()].reset_index(drop=True)
    has_plan = out["plan"].notna() & (out["plan"] > 0)
    share = float(share_of_year(np.array([day], dtype="datetime64[D]"), method)[0])
    out["share"] = np.where(has_plan, share, np.nan)
    out["expected"] = out["plan"] * out["share"]
    out["actual"] = out["actual"].fillna(0.0).where(has_plan, out["actual"])
    out["actual_share"] = np.where(has_plan, out["actual"] / out["plan"].where(has_plan, 1.0), np.nan)
    out["behind_points"] = 100.0 * (out["share"] - out["actual_share"])
    out["basis"] = np.where(has_plan, "plan", "no_plan")
    out.attrs.update(as_of=day.isoformat(), method=method, share=share)
    return out


def task_progress(target: EngineLike | None, as_of: str | dt.date, *, method: str = "days") -> pd.DataFrame:
    """序时进度 of every ledger task (work items and parents alike) at ``as_of`` (see the module doc).

    Columns: code, plan, parent, title, leading_official, lead_department, responsible_person, status,
    start_date, deadline, share, actual_share, behind_points, basis (``schedule`` or ``no_schedule``).
    """
    from hqd.registry.ledgers import as_date

    _check_method(method)
    day = as_date(as_of)
    t, n = m.table_of(m.Task), m.table_of(m.ProgressNote)
    cols = ["code", "plan", "parent", "title", "leading_official", "lead_department", "responsible_person",
            "status", "start_date", "deadline"]
    with engine_for(target) as engine, read(engine) as conn:
        tasks = pd.DataFrame(conn.execute(select(*(t.c[c] for c in cols))).all(), columns=cols)
        notes = pd.DataFrame(conn.execute(select(n.c.task, n.c.note_date, n.c.id, n.c.percent_done)
                                          .where(n.c.note_date <= day, n.c.percent_done.is_not(None))).all(),
                             columns=["task", "note_date", "id", "percent_done"])
    latest = notes.sort_values(["task", "note_date", "id"]).groupby("task").tail(1).set_index("task")
    start = pd.to_datetime(tasks["start_date"]).to_numpy(dtype="datetime64[D]")
    end = pd.to_datetime(tasks["deadline"]).to_numpy(dtype="datetime64[D]")
    share = share_of_span(np.full(len(tasks), np.datetime64(day.isoformat(), "D")), start, end, method)
    actual = tasks["code"].map(latest["percent_done"]).astype(float).fillna(0.0) / 100.0
    actual = actual.where(tasks["status"] != "done", 1.0)
    out = tasks.copy()
    scheduled = ~np.isnan(share)
    out["share"] = share
    out["actual_share"] = np.where(scheduled, actual, np.nan)
    out["behind_points"] = 100.0 * (out["share"] - out["actual_share"])
    out["basis"] = np.where(scheduled, "schedule", "no_schedule")
    out.attrs.update(as_of=day.isoformat(), method=method)
    return out
