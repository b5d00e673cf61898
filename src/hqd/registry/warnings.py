"""Red-yellow-green warnings (红黄绿灯预警) from an editable rule table, with the rule that fired recorded.

The rules are rows of :class:`~hqd.registry.models.WarningRule` (``hqd registry warnings rules``; edit them
with :func:`set_rule`).  A rule names a subject (``projects`` or ``tasks``), a colour (``red`` or
``yellow``), a metric and a range: ``min_value`` ≤ x (x > ``min_value`` when ``strict_min``) and
x ≤ ``max_value`` (an empty bound is open).  Metrics:

``behind_points``
    points behind 序时进度, 100 × (expected share − actual share) (:mod:`hqd.registry.pace`);
``days_not_started``
    days since the planned start for a project still before 开工 (stage 谋划/储备 or 签约 with a
    ``planned_start_date`` on or before the date) or a task still ``not_started`` (its ``start_date``);
``days_overdue``
    days past a task's deadline while it is neither done nor cancelled.

Every item is tried against the active rules of its subject, red before yellow, then by ``priority``
(lower first), then by code; the first rule that fires gives the colour and is recorded.  No rule fired:
``green`` when the item has a basis for 序时进度 (a plan, or a schedule), else ``unrated`` (a project with no
annual plan is not called green).  Cancelled and terminated items are left out.

Built-in rules (bundled, editable; the thresholds the issue names): yellow 10–30 points behind, red more
than 30 points behind, red 30 days after a planned start without starting; for tasks also red once overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, select, update

from hqd.errors import HqdError, Problem, Problems
from hqd.registry import models as m
from hqd.registry import store
from hqd.registry.db import EngineLike, engine_for, read, write

COLOURS = ("red", "yellow", "green", "unrated")
SUBJECTS = ("projects", "tasks")
BUILTIN_ACTOR = "hqd-builtin"

#: The built-in rules (code, subject, colour, metric, min, strict_min, max, priority, label).
BUILTIN_RULES: tuple[tuple[str, str, str, str, float | None, bool, float | None, int, str], ...] = (
    ("P_RED_BEHIND", "projects", "red", "behind_points", 30.0, True, None, 10, "滞后序时进度30个百分点以上"),
    ("P_RED_NOT_STARTED", "projects", "red", "days_not_started", 30.0, False, None, 20, "计划开工30天后仍未开工"),
    ("P_YELLOW_BEHIND", "projects", "yellow", "behind_points", 10.0, False, 30.0, 10, "滞后序时进度10至30个百分点"),
    ("T_RED_OVERDUE", "tasks", "red", "days_overdue", 1.0, False, None, 5, "超过完成时限仍未完成"),
    ("T_RED_BEHIND", "tasks", "red", "behind_points", 30.0, True, None, 10, "滞后序时进度30个百分点以上"),
    ("T_RED_NOT_STARTED", "tasks", "red", "days_not_started", 30.0, False, None, 20, "计划开始30天后仍未启动"),
    ("T_YELLOW_BEHIND", "tasks", "yellow", "behind_points", 10.0, False, 30.0, 10, "滞后序时进度10至30个百分点"),
)
RULE_COLUMNS = ("code", "subject", "colour", "metric", "min_value", "strict_min", "max_value", "priority",
                "label_zh")


def builtin_rule_rows() -> list[dict[str, Any]]:
    return [dict(zip(RULE_COLUMNS, r, strict=True)) | {"active": True, "note": None} for r in BUILTIN_RULES]


def rules(target: EngineLike | None, subject: str | None = None) -> pd.DataFrame:
    """The rule table (active and inactive), in the order rules are tried."""
    t = m.table_of(m.WarningRule)
    with engine_for(target) as engine, read(engine) as conn:
        frame = pd.DataFrame([tuple(r) for r in conn.execute(select(t))], columns=[c.name for c in t.c])
    if subject is not None:
        frame = frame[frame["subject"] == subject]
    return _ordered(frame).reset_index(drop=True)


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(_c=frame["colour"].map({"red": 0, "yellow": 1})).sort_values(
        ["subject", "_c", "priority", "code"]).drop(columns="_c")


def set_rule(target: EngineLike | None, code: str, values: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    """Create or change a rule (any of subject, colour, metric, min_value, strict_min, max_value, priority,
    active, label_zh, note); checked, versioned and written to the change log (entity ``warning_rules``)."""
    t = m.table_of(m.WarningRule)
    allowed = set(RULE_COLUMNS[1:]) | {"active", "note"}
    problems = Problems()
    for name in sorted(set(values) - allowed):
        problems.error("unknown_field", f"a rule has no field {name!r}; valid: {', '.join(sorted(allowed))}",
                       column=name)
    problems.raise_if_errors()
    with engine_for(target) as engine, write(engine) as conn:
        old = conn.execute(select(t).where(t.c.code == code)).first()
        new = dict(old._mapping) if old is not None else {"code": code, "strict_min": False, "priority": 100,
                                                          "active": True, "note": None, "min_value": None,
                                                          "max_value": None}
        new.update(values)
        _check_rule(new, problems)
        problems.raise_if_errors()
        at = store.now()
        stamp = {"updated_at": at, "updated_by": actor}
        fields = [c for c in allowed if c in new]
        if old is None:
            conn.execute(insert(t).values(**{c: new[c] for c in ("code", *fields)}, version=1, **stamp))
            store.write_log(conn, [{"at": at, "actor": actor, "entity": "warning_rules", "key": code,
                                    "action": "insert", "field": None, "old_value": None, "new_value": None}])
        else:
            changed = {c: (old._mapping[c], new[c]) for c in fields if old._mapping[c] != new[c]}
            if changed:
                conn.execute(update(t).where(t.c.code == code).values(
                    **{c: new[c] for c in changed}, version=t.c.version + 1, **stamp))
                store.write_log(conn, [{"at": at, "actor": actor, "entity": "warning_rules", "key": code,
                                        "action": "update", "field": c, "old_value": store.text(a),
                                        "new_value": store.text(b)} for c, (a, b) in changed.items()])
        return dict(conn.execute(select(t).where(t.c.code == code)).one()._mapping)


def _check_rule(rule: Mapping[str, Any], problems: Problems) -> None:
    choices = {"subject": SUBJECTS, "colour": ("red", "yellow"), "metric": m.WARNING_METRICS}
    for name, valid in choices.items():
        if rule.get(name) not in valid:
            problems.error("invalid_choice", f"{name} must be one of {', '.join(valid)}; got {rule.get(name)!r}",
                           column=name)
    if not str(rule.get("label_zh") or "").strip():
        problems.error("required", "label_zh (规则说明) is required", column="label_zh")
    low, high = rule.get("min_value"), rule.get("max_value")
    if low is None and high is None:
        problems.error("empty_range", "a rule needs min_value, max_value or both", column="min_value")
    if low is not None and high is not None and float(low) > float(high):
        problems.error("empty_range", f"min_value {low} is above max_value {high}", column="min_value")
    if rule.get("subject") == "projects" and rule.get("metric") == "days_overdue":
        problems.error("invalid_choice", "projects have no deadline: days_overdue applies to tasks", column="metric")


def fires(values: np.ndarray, low: float | None, strict: bool, high: float | None) -> np.ndarray:
    """Where a rule's range holds (NaN never fires)."""
    ok = ~np.isnan(values)
    if low is not None:
        ok &= values > low if strict else values >= low
    if high is not None:
        ok &= values <= high
    return ok


def apply_rules(items: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """``colour``, ``rule`` and ``metric_value`` for each item (its metric columns), from ordered rules."""
    n = len(items)
    colour = np.full(n, "", dtype=object)
    rule = np.full(n, None, dtype=object)
    value = np.full(n, np.nan)
    for r in _ordered(table[table["active"].astype(bool)]).itertuples(index=False):
        metric = items[r.metric].to_numpy(dtype=float) if r.metric in items else np.full(n, np.nan)
        hit = (colour == "") & fires(metric, _f(r.min_value), bool(r.strict_min), _f(r.max_value))
        colour[hit], rule[hit], value[hit] = r.colour, r.code, metric[hit]
    rated = items["basis"].isin(["plan", "schedule"]).to_numpy()
    colour[colour == ""] = np.where(rated[colour == ""], "green", "unrated")
    return items.assign(colour=colour, rule=rule, metric_value=value)


def _f(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)


def evaluate(target: EngineLike | None, subject: str, as_of: str | dt.date, *, method: str = "days",
             record: bool = False, actor: str = "hqd") -> pd.DataFrame:
    """The colour of every project or task at ``as_of`` and the rule that fired (see the module doc).

    ``record=True`` writes one :class:`~hqd.registry.models.WarningResult` row per item.
    """
    from hqd.registry.ledgers import as_date

    if subject not in SUBJECTS:
        raise HqdError([Problem("invalid_choice", f"unknown subject {subject!r}; valid: {', '.join(SUBJECTS)}",
                                column="subject")])
    day = as_date(as_of)
    with engine_for(target) as engine:
        if subject == "projects":
            items = _project_items(engine, day, method)
        else:
            items = _task_items(engine, day, method)
        out = apply_rules(items, rules(engine, subject))
        if record:
            _record(engine, subject, day, out, actor=actor)
    out.attrs.update(as_of=day.isoformat(), method=method, subject=subject)
    return out


def _project_items(engine: Engine, day: dt.date, method: str) -> pd.DataFrame:
    from hqd.registry import pace as progress

    p = m.table_of(m.Project)
    with read(engine) as conn:
        every = pd.DataFrame(conn.execute(select(p.c.project_id, p.c.name, p.c.region, p.c.chain, p.c.status,
                                                 p.c.planned_start_date)).all(),
                             columns=["project_id", "name", "region", "chain", "status", "planned_start_date"])
    rated = progress.project_progress(engine, day, method=method)
    extra = ["plan", "actual", "expected", "share", "actual_share", "behind_points", "basis", "last_month"]
    items = every.merge(rated[["project_id", *extra]], on="project_id", how="left")
    items["basis"] = items["basis"].fillna("no_plan")
    items = items[items["status"] != "terminated"].reset_index(drop=True)
    before_start = items["status"].isin(["planned", "signed"]) & items["planned_start_date"].notna()
    days = [(day - d).days if ok and d <= day else np.nan
            for d, ok in zip(items["planned_start_date"], before_start, strict=True)]
    items["days_not_started"] = np.array(days, dtype=float)
    return items.rename(columns={"project_id": "key"})


def _task_items(engine: Engine, day: dt.date, method: str) -> pd.DataFrame:
    from hqd.registry import pace as progress

    items = progress.task_progress(engine, day, method=method)
    items = items[items["status"] != "cancelled"].reset_index(drop=True)
    waiting = (items["status"] == "not_started") & items["start_date"].notna()
    items["days_not_started"] = np.array(
        [(day - d).days if ok and d <= day else np.nan for d, ok in zip(items["start_date"], waiting, strict=True)],
        dtype=float)
    open_ = ~items["status"].isin(["done", "cancelled"]) & items["deadline"].notna()
    items["days_overdue"] = np.array(
        [(day - d).days if ok and d < day else np.nan for d, ok in zip(items["deadline"], open_, strict=True)],
        dtype=float)
    return items.rename(columns={"code": "key"})


def _record(engine: Engine, subject: str, day: dt.date, out: pd.DataFrame, *, actor: str) -> None:
    at = store.now()
    with write(engine) as conn:
        store.bulk_insert(conn, m.table_of(m.WarningResult), {
            "run_at": [at] * len(out), "actor": [actor] * len(out), "as_of": [day] * len(out),
            "subject": [subject] * len(out), "key": out["key"].tolist(), "colour": out["colour"].tolist(),
            "rule": out["rule"].tolist(),
            "metric_value": [None if np.isnan(v) else float(v) for v in out["metric_value"]]})


def counts(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Red / yellow / green / unrated counts per ``by`` (e.g. ``chain``, ``region``) of an evaluation."""
    table = pd.crosstab(frame[by].fillna(""), frame["colour"])
    for colour in COLOURS:
        if colour not in table:
            table[colour] = 0
    return table[list(COLOURS)].reset_index()
