"""Investment as a time series: annual planned investment and monthly completed investment (当月 / 累计).

The usual monthly Excel (月度投资完成情况表) has one row per project and period; :func:`import_monthly`
reads it (CSV or ``.xlsx``, Chinese or English headers):

============================  ==========================================  =========================
column                        headers accepted                            meaning
============================  ==========================================  =========================
``project_id``                项目编号, 项目代码                            the project (must exist)
``period``                    填报期, 统计期, 月份, 报告期                    ``2024-03``, ``2024年3月``,
                                                                          ``202403``, ``2024/3``
``month_100m_cny``            当月完成(亿元), 本月完成投资(亿元), …            completed in the month
``ytd_100m_cny``              本年累计完成(亿元), 累计完成(亿元), …            completed January → month
``annual_plan_100m_cny``      年度计划投资(亿元), 本年计划投资(亿元)          the year's plan (optional)
``note``                      备注                                         free text
============================  ==========================================  =========================

累计 is **year to date** (1 月至本月累计, as the monthly statistics report it).  A row gives 当月, 累计 or both:

- only 当月: 累计 = previous month's 累计 + 当月 (January: 累计 = 当月); without the previous month (in the file
  or the database) 累计 stays empty and a warning ``ytd_not_derived`` says so;
- only 累计: 当月 = 累计 − previous month's 累计 (January: 当月 = 累计); without the previous month, likewise
  ``month_not_derived``; a negative difference is an error (``ytd_decreases``);
- both: they must agree with the previous month's 累计 within 0.005 亿元 (half a unit of the usual two
  decimals), else the warning ``cumulative_mismatch`` (statistical revisions happen; both are kept as given).

**Replacing a period, all or nothing, audited.**  Every period present in the file replaces that period: the
database's current rows for it (all projects) are marked superseded by this import and the file's rows
inserted, in one transaction; nothing is written when any row is wrong.  Each import is recorded
(:class:`~hqd.registry.models.InvestmentImport`: who, when, file, SHA-256, periods, rows, rows replaced)
and each period gets one change-log row (entity ``investment``, key ``YYYY-MM``, action ``insert`` or
``replace``, old → new ``rows=…; month=…; ytd=…``).  Superseded rows are kept, never deleted, so an
earlier state stays readable (:func:`monthly` with ``as_of``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, or_, select, tuple_, update

from hqd.errors import Problem, Problems
from hqd.registry import models as m
from hqd.registry import schema as sc
from hqd.registry import store
from hqd.registry.db import EngineLike, engine_for, read, write

TOLERANCE = 0.005
MAX_AMOUNT = 1e5  # 亿元: ten trillion yuan, beyond any single project
ENTITY = "investment"

_AMOUNT: dict[str, Any] = {"min_value": 0.0, "max_value": MAX_AMOUNT}
FIELDS = (
    sc.Field("project_id", "ref", "项目编号", "project id of the project library", required=True,
             ref="projects", aliases=("项目代码", "项目id", "编号"), example="示例项目0001"),
    sc.Field("period", "text", "填报期", "the month, YYYY-MM (also 2024年3月, 202403, 2024/3)", required=True,
             aliases=("统计期", "月份", "报告期", "期间", "所属月份"), example="2024-03"),
    sc.Field("month_100m_cny", "float", "当月完成(亿元)", "investment completed in the month, 亿元",
             aliases=("当月完成", "本月完成(亿元)", "当月完成投资(亿元)", "本月完成投资(亿元)", "当月完成投资"),
             example="0.8", **_AMOUNT),
    sc.Field("ytd_100m_cny", "float", "本年累计完成(亿元)", "investment completed from January to the month, 亿元",
             aliases=("累计完成(亿元)", "累计完成", "本年累计完成", "1-本月累计完成(亿元)", "累计完成投资(亿元)",
                      "本年累计完成投资(亿元)"), example="2.4", **_AMOUNT),
    sc.Field("annual_plan_100m_cny", "float", "年度计划投资(亿元)", "the project's planned investment for the year",
             aliases=("年度计划投资", "本年计划投资(亿元)", "年度计划(亿元)", "年计划投资(亿元)"), example="10",
             **_AMOUNT),
    sc.Field("note", "text", "备注", "free-text note", aliases=("说明",)),
)
MONTHLY = sc.Entity("investment", "月度投资完成", m.table_of(m.MonthlyInvestment), ("project_id", "period"),
                    FIELDS, "Monthly completed investment per project (one row per project-period).")

_PERIOD = r"^(\d{4})\s*(?:[-/.年]\s*)?(\d{1,2})\s*月?(?:[-/.]\d{1,2}日?)?(?:[ T]00:00(?::00(?:\.0+)?)?)?$"


@dataclass(frozen=True)
class InvestmentImportReport:
    """What a monthly import did (or, for a dry run, would do)."""

    source: str
    periods: tuple[str, ...]
    rows: int
    replaced: int
    plans: int
    dry_run: bool = False
    import_id: int | None = None
    warnings: tuple[Problem, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        verb = "would replace" if self.dry_run else "replaced"
        span = f"{self.periods[0]}…{self.periods[-1]}" if len(self.periods) > 1 else self.periods[0]
        tail = " (dry run: nothing written)" if self.dry_run else ""
        return (f"investment: {self.rows:,} rows for {len(self.periods)} period(s) {span} from {self.source}; "
                f"{verb} {self.replaced:,} earlier rows; {self.plans:,} annual plans set{tail}")


def period_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def parse_periods(values: pd.Series, rep: sc.Reporter) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(year, month, ok)`` arrays from period cells (vectorised); bad cells reported as ``not_a_period``."""
    s = sc.clean(values).astype(object)
    codes, uniques = pd.factorize(s)  # a file holds few distinct periods: parse each once
    parts = pd.Series(uniques, dtype=object).str.extract(_PERIOD)
    u_year = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    u_month = pd.to_numeric(parts[1], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    year = np.where(codes >= 0, u_year[np.maximum(codes, 0)] if len(uniques) else np.nan, np.nan)
    month = np.where(codes >= 0, u_month[np.maximum(codes, 0)] if len(uniques) else np.nan, np.nan)
    ok = ~np.isnan(year) & ~np.isnan(month) & (month >= 1) & (month <= 12) & (year >= 1990) & (year <= 2100)
    present = s.notna().to_numpy(dtype=bool)
    text = s.tolist()
    rep.cells("not_a_period", "period", np.flatnonzero(present & ~ok),
              lambda p: f"period must be a month such as 2024-03 or 2024年3月; got {text[p]!r}")
    return np.nan_to_num(year).astype(int), np.nan_to_num(month).astype(int), ok


def _current(conn: Connection, periods: list[tuple[int, int]], *, as_of: dt.datetime | None = None,
             projects: list[str] | None = None) -> pd.DataFrame:
    """Rows valid now (or at ``as_of``) for these periods: project_id, year, month, month, ytd."""
    t, imp = m.table_of(m.MonthlyInvestment), m.table_of(m.InvestmentImport)
    cols = [t.c.project_id, t.c.year, t.c.month, t.c.month_100m_cny, t.c.ytd_100m_cny, t.c.id]
    stmt = select(*cols)
    if as_of is None:
        stmt = stmt.where(t.c.superseded_by.is_(None))
    else:
        later = select(imp.c.id).where(imp.c.at > as_of)
        stmt = stmt.where(t.c.import_id.in_(select(imp.c.id).where(imp.c.at <= as_of)),
                          or_(t.c.superseded_by.is_(None), t.c.superseded_by.in_(later)))
    if periods:
        stmt = stmt.where(tuple_(t.c.year, t.c.month).in_(periods))
    if projects is not None:
        stmt = stmt.where(t.c.project_id.in_(projects))
    return pd.DataFrame(conn.execute(stmt).all(),
                        columns=["project_id", "year", "month", "month_100m_cny", "ytd_100m_cny", "id"])


def read_monthly(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """The monthly Excel/CSV as strings (see :func:`hqd.registry.imports.read_table`)."""
    from hqd.registry.imports import read_table

    return read_table(path, sheet=sheet)


def _lookup(values: pd.Series, keys: pd.MultiIndex) -> np.ndarray:
    return values.reindex(keys).to_numpy(dtype=float, na_value=np.nan)


def _derive(f: pd.DataFrame, db_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fill 当月 from 累计 and 累计 from 当月 month by month; returns (month, ytd, previous ytd)."""
    mon = f["mon"].to_numpy(dtype=float, copy=True)
    ytd = f["ytd"].to_numpy(dtype=float, copy=True)
    keys = pd.MultiIndex.from_arrays([f["pid"], f["year"], f["month"]])
    prev_keys = pd.MultiIndex.from_arrays([f["pid"], f["year"], f["month"] - 1])
    first = f["month"].to_numpy() == 1
    in_file_prev = f["prev_in_file"].to_numpy(dtype=bool)
    prev = np.full(len(f), np.nan)
    for _ in range(13):  # a chain is at most 12 months long
        by_key = pd.Series(ytd, index=keys)
        prev = np.where(first, 0.0, np.where(in_file_prev, _lookup(by_key, prev_keys), db_prev))
        fill_ytd = np.isnan(ytd) & ~np.isnan(mon) & ~np.isnan(prev)
        fill_mon = np.isnan(mon) & ~np.isnan(ytd) & ~np.isnan(prev)
        if not (fill_ytd.any() or fill_mon.any()):
            break
        ytd = np.where(fill_ytd, prev + np.nan_to_num(mon), ytd)
        mon = np.where(fill_mon, ytd - np.nan_to_num(prev), mon)
    return mon, ytd, prev


def _warn_rows(problems: Problems, code: str, column: str, rows: np.ndarray, message: str) -> None:
    for r in rows[: sc.MAX_PER_COLUMN]:
        problems.warn(code, message, row=int(r), column=column)
    if len(rows) > sc.MAX_PER_COLUMN:
        problems.warn(code, f"… and {len(rows) - sc.MAX_PER_COLUMN} more rows", column=column)


def import_monthly(
    target: EngineLike | None,
    source: str | Path | pd.DataFrame,
    *,
    actor: str,
    sheet: str | None = None,
    dry_run: bool = False,
    name: str | None = None,
) -> InvestmentImportReport:
    """Validate a monthly investment file and replace each of its periods, all or nothing (module doc)."""
    if isinstance(source, pd.DataFrame):
        raw, label, digest = source, name or "<data>", None
    else:
        path = Path(source)
        raw, label = read_monthly(path, sheet=sheet), path.name
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    file = None if label == "<data>" else label
    problems = Problems({"file": file} if file else {})
    if len(raw) == 0:
        problems.error("empty_file", "no data rows to import into investment")
        problems.raise_if_errors()
    rows = np.arange(2, len(raw) + 2)
    columns = sc.map_headers(MONTHLY, list(raw.columns), problems)
    if "month_100m_cny" not in columns and "ytd_100m_cny" not in columns:
        problems.error("missing_column", "a monthly file needs 当月完成(亿元) (month_100m_cny), 本年累计完成(亿元) "
                       "(ytd_100m_cny) or both", column="month_100m_cny")
    problems.raise_if_errors()
    with engine_for(target) as engine:
        with read(engine) as conn:
            res = sc.Resolver.load(conn, only=["projects"])
        rep = sc.Reporter(problems, rows)
        n = len(raw)

        def col(name_: str) -> list[Any]:
            if name_ not in columns:
                return [None] * n
            return sc.parse_column(MONTHLY.field(name_), raw[columns[name_]], rep, res)

        pid = col("project_id")
        year, month, period_ok = parse_periods(raw[columns["period"]], rep)
        mon = np.array([np.nan if v is None else v for v in col("month_100m_cny")], dtype=float)
        ytd = np.array([np.nan if v is None else v for v in col("ytd_100m_cny")], dtype=float)
        plan = np.array([np.nan if v is None else v for v in col("annual_plan_100m_cny")], dtype=float)
        note = col("note")
        f = pd.DataFrame({"pid": pid, "year": year, "month": month, "mon": mon, "ytd": ytd, "row": rows})
        valid = f["pid"].notna().to_numpy() & period_ok
        both_missing = valid & np.isnan(mon) & np.isnan(ytd)
        rep.cells("required", "month_100m_cny", np.flatnonzero(both_missing),
                  lambda _p: "a row needs 当月完成 or 本年累计完成 (or both)")
        dupe = f.duplicated(["pid", "year", "month"], keep="first").to_numpy() & valid
        firsts = f[valid].drop_duplicates(["pid", "year", "month"]).set_index(["pid", "year", "month"])["row"]
        rep.cells("duplicate_key", "project_id", np.flatnonzero(dupe),
                  lambda p: f"project {pid[p]} has period {period_key(year[p], month[p])} twice (first in row "
                            f"{int(firsts.loc[(pid[p], year[p], month[p])])})")
        _check_plans(f.assign(plan=plan), valid, rep)
        problems.raise_if_errors()

        periods = sorted({(int(y), int(mo)) for y, mo in zip(year, month, strict=True)})
        period_set = set(periods)
        f["prev_in_file"] = [(y, mo - 1) in period_set for y, mo in zip(year, month, strict=True)]
        need = sorted({(y, mo - 1) for y, mo in periods if mo > 1 and (y, mo - 1) not in period_set})
        with read(engine) as conn:  # only the months before the file's first months (none: nothing to read)
            before = _current(conn, need) if need else _current(conn, [(0, 1)])
        prev_db = before.set_index(["project_id", "year", "month"])["ytd_100m_cny"].astype(float)
        db_prev = _lookup(prev_db, pd.MultiIndex.from_arrays([f["pid"], f["year"], f["month"] - 1]))
        mon2, ytd2, prev = _derive(f, db_prev)
        given_both = ~np.isnan(mon) & ~np.isnan(ytd) & ~np.isnan(prev)
        off = given_both & (np.abs(ytd - (prev + mon)) > TOLERANCE)
        _warn_rows(problems, "cumulative_mismatch", "ytd_100m_cny", rows[off],
                   "本年累计完成 differs from the previous month's 累计 + 当月完成 by more than 0.005 亿元")
        falling = np.isnan(mon) & ~np.isnan(mon2) & (mon2 < -TOLERANCE)
        rep.cells("ytd_decreases", "ytd_100m_cny", np.flatnonzero(falling),
                  lambda p: f"本年累计完成 {ytd2[p]:g} is below the previous month's {prev[p]:g}")
        problems.raise_if_errors()
        mon2 = np.where(falling | (np.abs(mon2) <= TOLERANCE) & (mon2 < 0), 0.0, mon2)
        _warn_rows(problems, "ytd_not_derived", "ytd_100m_cny", rows[np.isnan(ytd2)],
                   "本年累计完成 cannot be derived: the previous month is neither in the file nor in the database")
        _warn_rows(problems, "month_not_derived", "month_100m_cny", rows[np.isnan(mon2)],
                   "当月完成 cannot be derived: the previous month is neither in the file nor in the database")
        plans = _plan_rows(f.assign(plan=plan))
        if dry_run:
            with read(engine) as conn:
                replaced = len(_current(conn, periods))
            return InvestmentImportReport(label, tuple(period_key(*p) for p in periods), n, replaced, len(plans),
                                          True, None, tuple(problems.warnings))
        at = store.now()
        with write(engine) as conn:
            import_id, replaced = _write(conn, f, mon2, ytd2, note, periods, plans, actor=actor, at=at,
                                         source=label, digest=digest)
    return InvestmentImportReport(label, tuple(period_key(*p) for p in periods), n, replaced, len(plans), False,
                                  import_id, tuple(problems.warnings))


def _check_plans(f: pd.DataFrame, valid: np.ndarray, rep: sc.Reporter) -> None:
    """One annual plan per project and year: rows of one year naming different plans are an error."""
    given = f[valid & f["plan"].notna().to_numpy()]
    spread = given.groupby(["pid", "year"])["plan"].agg(lambda s: s.max() - s.min())
    bad = spread[spread > TOLERANCE]
    if len(bad):
        rows = given.set_index(["pid", "year"]).loc[bad.index, "row"].to_numpy() - 2
        rep.cells("plan_conflict", "annual_plan_100m_cny", np.unique(rows),
                  lambda p: "rows of one project and year give different 年度计划投资")


def _plan_rows(f: pd.DataFrame) -> dict[tuple[str, int], float]:
    given = f[f["plan"].notna()]
    last = given.groupby(["pid", "year"])["plan"].last()
    return {(str(k[0]), int(k[1])): float(v) for k, v in last.items()}


def _period_stats(frame: pd.DataFrame) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    for (y, mo), g in frame.groupby(["year", "month"]):
        out[(int(y), int(mo))] = (f"rows={len(g)}; month={float(g['month_100m_cny'].fillna(0).sum()):.4f}; "
                                  f"ytd={float(g['ytd_100m_cny'].fillna(0).sum()):.4f}")
    return out


def _stored_stats(conn: Connection, periods: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """``rows=…; month=…; ytd=…`` of the current rows of each period (one GROUP BY in the database)."""
    t = m.table_of(m.MonthlyInvestment)
    out: dict[tuple[int, int], str] = {}
    wanted = set(periods)
    stmt = (select(t.c.year, t.c.month, func.count(), func.coalesce(func.sum(t.c.month_100m_cny), 0.0),
                   func.coalesce(func.sum(t.c.ytd_100m_cny), 0.0))
            .where(t.c.superseded_by.is_(None)).group_by(t.c.year, t.c.month))
    for y, mo, n, a, b in conn.execute(stmt):
        if (int(y), int(mo)) in wanted:
            out[(int(y), int(mo))] = f"rows={int(n)}; month={float(a):.4f}; ytd={float(b):.4f}"
    return out


def _write(conn: Connection, f: pd.DataFrame, mon: np.ndarray, ytd: np.ndarray, note: list[Any],
           periods: list[tuple[int, int]], plans: dict[tuple[str, int], float], *, actor: str, at: dt.datetime,
           source: str, digest: str | None) -> tuple[int, int]:
    t, imp = m.table_of(m.MonthlyInvestment), m.table_of(m.InvestmentImport)
    keys = ";".join(period_key(*p) for p in periods)
    import_id = int(conn.execute(imp.insert().values(at=at, actor=actor, source=source[:256], sha256=digest,
                                                     periods=keys, rows=len(f), replaced=0)
                                 .returning(imp.c.id)).scalar_one())
    old_stats = _stored_stats(conn, periods)
    replaced = 0
    for y, mo in periods:  # one statement per period: each reads the (year, month) index
        replaced += conn.execute(update(t).where(t.c.superseded_by.is_(None), t.c.year == y, t.c.month == mo)
                                 .values(superseded_by=import_id)).rowcount
    clean = lambda a: [None if math.isnan(v) else float(v) for v in a.tolist()]  # noqa: E731
    store.bulk_insert(conn, t, {
        "project_id": f["pid"].tolist(), "year": f["year"].astype(int).tolist(),
        "month": f["month"].astype(int).tolist(), "month_100m_cny": clean(mon), "ytd_100m_cny": clean(ytd),
        "note": note, "import_id": [import_id] * len(f), "superseded_by": [None] * len(f)})
    conn.execute(update(imp).where(imp.c.id == import_id).values(replaced=replaced))
    new_stats = _period_stats(pd.DataFrame({"year": f["year"], "month": f["month"], "month_100m_cny": mon,
                                            "ytd_100m_cny": ytd}))
    store.write_log(conn, [
        {"at": at, "actor": actor, "entity": ENTITY, "key": period_key(*p),
         "action": "replace" if p in old_stats else "insert", "field": f"import {import_id}",
         "old_value": old_stats.get(p), "new_value": new_stats[p]}
        for p in periods])
    _write_plans(conn, plans, actor=actor, at=at)
    return import_id, replaced


def _write_plans(conn: Connection, plans: dict[tuple[str, int], float], *, actor: str, at: dt.datetime) -> None:
    """Insert or update annual plans, with version + 1 and a change-log row per changed plan."""
    if not plans:
        return
    t = m.table_of(m.AnnualPlan)
    existing: dict[tuple[str, int], tuple[float, int]] = {}
    items = list(plans)
    for start in range(0, len(items), store.CHUNK):
        chunk = items[start:start + store.CHUNK]
        for pid, year, value, version in conn.execute(
                select(t.c.project_id, t.c.year, t.c.planned_100m_cny, t.c.version)
                .where(tuple_(t.c.project_id, t.c.year).in_(chunk))):
            existing[(pid, int(year))] = (float(value), int(version))
    new = [k for k in items if k not in existing]
    changed = [k for k in items if k in existing and abs(existing[k][0] - plans[k]) > 1e-12]
    store.bulk_insert(conn, t, {"project_id": [k[0] for k in new], "year": [k[1] for k in new],
                                "planned_100m_cny": [plans[k] for k in new], "note": [None] * len(new),
                                "version": [1] * len(new), "updated_at": [at] * len(new),
                                "updated_by": [actor] * len(new)})
    for k in changed:
        conn.execute(update(t).where(t.c.project_id == k[0], t.c.year == k[1])
                     .values(planned_100m_cny=plans[k], version=t.c.version + 1, updated_at=at, updated_by=actor))
    log = [{"at": at, "actor": actor, "entity": "investment_plans", "key": f"{k[0]}|{k[1]}", "action": "insert",
            "field": None, "old_value": None, "new_value": None} for k in new]
    log += [{"at": at, "actor": actor, "entity": "investment_plans", "key": f"{k[0]}|{k[1]}", "action": "update",
             "field": "planned_100m_cny", "old_value": store.text(existing[k][0]), "new_value": store.text(plans[k])}
            for k in changed]
    if log:
        store.write_log(conn, log)


def monthly(target: EngineLike | None, *, project: str | None = None, year: int | None = None,
            as_of: dt.datetime | dt.date | str | None = None) -> pd.DataFrame:
    """Monthly rows (project_id, year, month, month_100m_cny, ytd_100m_cny), current or as of a moment.

    ``as_of`` (a date means the end of that day, UTC): the rows imported by then and not yet replaced.
    """
    moment = _moment(as_of)
    with engine_for(target) as engine, read(engine) as conn:
        frame = _current(conn, [], as_of=moment, projects=None if project is None else [project])
    if year is not None:
        frame = frame[frame["year"] == year]
    return frame.drop(columns="id").sort_values(["project_id", "year", "month"]).reset_index(drop=True)


def annual_plans(target: EngineLike | None, year: int | None = None) -> pd.DataFrame:
    """Annual planned investment per project (project_id, year, planned_100m_cny)."""
    t = m.table_of(m.AnnualPlan)
    stmt = select(t.c.project_id, t.c.year, t.c.planned_100m_cny)
    if year is not None:
        stmt = stmt.where(t.c.year == year)
    with engine_for(target) as engine, read(engine) as conn:
        rows = conn.execute(stmt.order_by(t.c.project_id, t.c.year)).all()
    return pd.DataFrame(rows, columns=["project_id", "year", "planned_100m_cny"])


def imports_log(target: EngineLike | None) -> pd.DataFrame:
    """Every monthly import: id, at, actor, source, sha256, periods, rows, replaced."""
    imp = m.table_of(m.InvestmentImport)
    with engine_for(target) as engine, read(engine) as conn:
        rows = conn.execute(select(imp).order_by(imp.c.id)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in imp.c])


def _moment(value: dt.datetime | dt.date | str | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    from hqd.registry.ledgers import as_date

    day = as_date(value)
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


def audit(target: EngineLike | None, entity: str = ENTITY) -> pd.DataFrame:
    """Change-log rows of the investment series (``investment``: one per period imported;
    ``investment_plans``: one per plan inserted or changed), oldest first."""
    if entity not in (ENTITY, "investment_plans"):
        problems = Problems()
        problems.error("unknown_entity", f"unknown series {entity!r}; valid: {ENTITY}, investment_plans")
        problems.raise_if_errors()
    t = m.table_of(m.ChangeLog)
    stmt = (select(t.c.at, t.c.actor, t.c.entity, t.c.key, t.c.action, t.c.field, t.c.old_value, t.c.new_value)
            .where(t.c.entity == entity).order_by(t.c.id))
    with engine_for(target) as engine, read(engine) as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], dtype=object,
                        columns=["at", "actor", "entity", "key", "action", "field", "old_value", "new_value"])
