"""As-of snapshots: the registry's records and summaries as they stood at a moment, rebuilt from the change log.

The change log (:class:`~hqd.registry.models.ChangeLog`) records every update field by field (old → new),
every insert, and every delete with the record's last values.  :func:`records_as_of` starts from the
current records and undoes, newest first, every change logged after the moment: an update puts the old
value back, an insert removes the record, a delete restores it.  Values travel through the log as text
(:func:`hqd.registry.store.text`) and are read back by their field's kind.  The monthly investment series
keeps its replaced rows and answers as-of itself (:func:`hqd.registry.investment.monthly`).

A date means the end of that day (UTC): ``--as-of 2024-06-30`` is the state after the last change of
30 June.  Caveat: changes made directly in the database, bypassing the registry, are not in the log and
cannot be undone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from hqd.registry import models as m
from hqd.registry import schema as sc
from hqd.registry import store
from hqd.registry.db import EngineLike, engine_for, read


def moment(value: str | dt.date | dt.datetime) -> dt.datetime:
    """A date → the end of that day (UTC); a naive datetime is read as UTC."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    from hqd.registry.ledgers import as_date

    return dt.datetime.combine(as_date(value), dt.time.max, tzinfo=dt.UTC)


def _parse(f: sc.Field, text: str | None) -> Any:
    if text is None:
        return () if f.kind == "links" else None
    if f.kind == "float":
        return float(text)
    if f.kind in ("int", "year"):
        return int(text)
    if f.kind == "date":
        return dt.date.fromisoformat(text)
    if f.kind == "bool":
        return text == "true"
    if f.kind == "links":
        return tuple(p for p in text.split(";") if p)
    return text


def records_as_of(target: EngineLike | None, entity: str, when: str | dt.date | dt.datetime) -> pd.DataFrame:
    """The records of ``entity`` (its fields) as they were at ``when`` (see the module doc)."""
    ent = sc.entity(entity)
    at = moment(when)
    log = m.table_of(m.ChangeLog)
    with engine_for(target) as engine, read(engine) as conn:
        current = store.fetch_frame(conn, ent)
        changes = conn.execute(
            select(log.c.key, log.c.action, log.c.field, log.c.old_value)
            .where(log.c.entity == ent.name, log.c.at > at).order_by(log.c.id.desc())).all()
    fields = {f.name: f for f in ent.fields}
    state: dict[str, dict[str, Any]] = {}
    for rec in store.records_of(current[[f.name for f in ent.fields]]):
        state[store.key_text([rec[k] for k in ent.key])] = rec
    for key, action, field, old in changes:
        if action == "insert":
            state.pop(key, None)
        elif action == "update" and field in fields:
            if key in state:
                state[key][field] = _parse(fields[field], old)
        elif action == "delete":
            rec = state.setdefault(key, _from_key(ent, key))
            if field in fields:
                rec[field] = _parse(fields[field], old)
    frame = pd.DataFrame(list(state.values()), columns=[f.name for f in ent.fields], dtype=object)
    return frame.sort_values(list(ent.key)).reset_index(drop=True) if len(frame) else frame


def _from_key(ent: sc.Entity, key: str) -> dict[str, Any]:
    rec: dict[str, Any] = {f.name: (() if f.kind == "links" else None) for f in ent.fields}
    for name, part in zip(ent.key, key.split("|"), strict=False):
        rec[name] = _parse(ent.field(name), part)
    return rec


def summarize_projects_as_of(target: EngineLike | None, by: str, when: str | dt.date | dt.datetime) -> Any:
    """:func:`hqd.registry.summaries.summarize_projects` for the records as they were at ``when``."""
    from hqd.registry.summaries import PROJECT_GROUPS, Summary, _bad_by, _frame, _labels, is_synthetic

    if by not in PROJECT_GROUPS:
        _bad_by(by, PROJECT_GROUPS)
    frame = records_as_of(target, "projects", when)
    with engine_for(target) as engine, read(engine) as conn:
        labels = _labels(conn, by)
        parents = {c: p for c, p in conn.execute(select(m.Region.code, m.Region.parent))}
        synthetic = is_synthetic(conn)
    if by == "year":
        keys = frame["signed_date"].map(lambda d: None if d is None else d.year)
    elif by == "province":
        keys = frame["region"].map(lambda c: c if parents.get(c) == "JJJ" else parents.get(c))
    else:
        keys = frame[by]
    grouped: dict[Any, list[float]] = {}
    for k, amount in zip(keys, frame["investment_100m_cny"], strict=True):
        acc = grouped.setdefault(None if k is None or (isinstance(k, float) and np.isnan(k)) else k, [0, 0.0])
        acc[0] += 1
        acc[1] += float(amount)
    rows = sorted(((k, n, t) for k, (n, t) in grouped.items()),
                  key=lambda row: (row[0] is None, -float(row[2]), str(row[0])))
    table = _frame([(k, int(n), float(t)) for k, n, t in rows], labels, ["projects", "investment_100m_cny"])
    stamp = moment(when).isoformat()
    return Summary("projects", by, table, int(table["projects"].sum()), float(table["investment_100m_cny"].sum()),
                   synthetic, (f"as of {stamp}, rebuilt from the change log",))


def summarize_enterprises_as_of(target: EngineLike | None, by: str, when: str | dt.date | dt.datetime) -> Any:
    """:func:`hqd.registry.summaries.summarize_enterprises` for the records as they were at ``when``.

    ``chain`` counts distinct enterprises serving at least one link of the chain, with the links each
    enterprise served then (the chain a link belongs to is today's).
    """
    from hqd.registry import schema as sc_
    from hqd.registry.summaries import ENTERPRISE_GROUPS, Summary, _bad_by, _frame, _labels, is_synthetic

    if by not in ENTERPRISE_GROUPS:
        _bad_by(by, ENTERPRISE_GROUPS)
    frame = records_as_of(target, "enterprises", when)
    with engine_for(target) as engine, read(engine) as conn:
        labels = _labels(conn, by)
        link_chain = dict(conn.execute(select(m.ChainLink.code, m.ChainLink.chain)).all())
        synthetic = is_synthetic(conn)
    counted: list[tuple[Any, int]]
    if by == "tier":
        counted = [(name, int(frame[name].notna().sum()) if len(frame) else 0) for name, *_ in sc_.TIERS]
    elif by == "city":
        tally = frame["city"].value_counts() if len(frame) else pd.Series(dtype=int)
        counted = sorted(((k, int(v)) for k, v in tally.items()), key=lambda row: (-row[1], str(row[0])))
    else:
        served: dict[str, set[str]] = {}
        for code, links in zip(frame.get("credit_code", []), frame.get("chain_links", []), strict=True):
            for link in links or ():
                if link in link_chain:
                    served.setdefault(link_chain[link], set()).add(code)
        counted = sorted(((k, len(v)) for k, v in served.items()), key=lambda row: (-row[1], str(row[0])))
    notes = {"tier": ("an enterprise in several tiers counts once per tier",),
             "chain": ("an enterprise serving several chains counts once per chain",)}.get(by, ())
    stamp = moment(when).isoformat()
    return Summary("enterprises", by, _frame(counted, labels, ["enterprises"]), len(frame), None, synthetic,
                   (*notes, f"as of {stamp}, rebuilt from the change log"))
