"""Synthetic demo data for the registry, generated deterministically from a seed.

Everything here is **synthetic** (合成示例数据): enterprises are called 示例企业01…, projects 示例项目0001…,
people 示例人员01…; their credit codes are well-formed (valid GB 32100 check characters) but invented.
Only the taxonomy, the zones and the chain-link structure are real (they are the built-in reference
data).  :func:`load_demo` marks the database as holding synthetic data, and summaries say so.

The generators are vectorised with numpy (``numpy.random.default_rng(seed)``): the same seed gives the
same rows.  :func:`synthetic_projects` also feeds the registry benchmark (100,000 projects).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert, select

from hqd.registry import credit_code as cc
from hqd.registry import models as m
from hqd.registry.db import EngineLike, engine_for, init_db, write
from hqd.registry.imports import ImportReport, import_frame
from hqd.registry.summaries import SYNTHETIC_KEY
from hqd.registry.taxonomy import (
    chain_rows,
    cluster_rows,
    corridor_city_rows,
    link_rows,
    region_rows,
    zone_rows,
)

DEMO_ACTOR = "hqd-demo"
LABEL = "synthetic demo data (合成示例数据): names, codes, amounts and dates are invented"
DEPARTMENTS = ("市发展改革委", "市工业和信息化局", "市科技局", "市商务局", "市交通运输局", "市生态环境局")
_EPOCH = dt.date(2018, 1, 1)
DEMO_YEAR = 2024  # the year of SYNTHETIC monthly investment the demo fills


def _cities() -> list[str]:
    return [
        r["code"] for r in region_rows() if r["level"] == "prefecture" or r["code"] in ("110000", "120000")
    ]


def _days(rng: np.random.Generator, n: int, low: dt.date, high: dt.date) -> np.ndarray:
    return rng.integers(0, (high - low).days + 1, n) + (low - _EPOCH).days


def _iso(days: np.ndarray, mask: np.ndarray | None = None) -> list[str]:
    dates = (np.datetime64(_EPOCH.isoformat()) + days.astype("timedelta64[D]")).astype(str).tolist()
    return dates if mask is None else [d if keep else "" for d, keep in zip(dates, mask, strict=True)]


def synthetic_enterprises(n: int = 60, seed: int = 0) -> pd.DataFrame:
    """``n`` synthetic enterprises (示例企业01 …) as an import frame of strings."""
    rng = np.random.default_rng(seed)
    cities = _cities()
    city = rng.choice(cities, n)
    body = rng.choice(list(cc.ALPHABET), (n, 9))
    codes = [cc.complete("91" + c + "".join(b)) for c, b in zip(city, body, strict=True)]
    zones_by_city = {z["city"]: z["code"] for z in zone_rows()}
    zone = [
        zones_by_city.get(c, "") if keep else "" for c, keep in zip(city, rng.random(n) < 0.5, strict=True)
    ]
    links = [r for r in link_rows() if r["chain"] in ("nev_icv", "robotics")]
    weights = rng.dirichlet(np.full(len(links), 0.6))
    chosen = [rng.choice(len(links), size=k, replace=False, p=weights) for k in rng.integers(0, 4, n)]
    width = max(2, len(str(n)))
    frame = pd.DataFrame(
        {
            "credit_code": codes,
            "name": [f"示例企业{i:0{width}d}" for i in range(1, n + 1)],
            "city": city,
            "zone": zone,
            "chain_links": [";".join(sorted(links[j]["code"] for j in c)) for c in chosen],
            "note": LABEL,
        }
    )
    for name, share in (
        ("little_giant_year", 0.15),
        ("specialised_sme_year", 0.4),
        ("innovative_sme_year", 0.5),
        ("high_tech_year", 0.6),
    ):
        years = rng.integers(2018, 2025, n).astype(str)
        frame[name] = np.where(rng.random(n) < share, years, "")
    return frame


def synthetic_projects(n: int = 2000, seed: int = 0, *, enterprises: int = 60) -> pd.DataFrame:
    """``n`` synthetic projects (示例项目0001 …) as an import frame of strings."""
    rng = np.random.default_rng(seed + 1)
    width = max(4, len(str(n)))
    ids = [f"示例项目{i:0{width}d}" for i in range(1, n + 1)]
    chains = [r["code"] for r in chain_rows()]
    clusters = [r["code"] for r in cluster_rows()]
    members: dict[str, list[str]] = {}
    for r in corridor_city_rows():
        members.setdefault(r["corridor"], []).append(r["city"])
    corridors = list(members)
    cities = _cities()

    corridor_idx = np.where(rng.random(n) < 0.6, rng.integers(0, len(corridors), n), -1)
    region = rng.choice(cities, n).astype(object)
    for i, code in enumerate(corridors):
        rows = np.flatnonzero(corridor_idx == i)
        region[rows] = rng.choice(members[code], rows.size)
    corridor = np.where(corridor_idx >= 0, np.array(corridors, dtype=object)[np.maximum(corridor_idx, 0)], "")
    stages = ["planned", "signed", "started", "completed", "in_operation", "full_production", "terminated"]
    status = rng.choice(stages, n, p=[0.08, 0.22, 0.35, 0.08, 0.2, 0.05, 0.02])
    reached = np.array([stages.index(s) for s in status])
    reached = np.where(status == "terminated", 2, reached)  # a terminated project had started
    signed = _days(rng, n, dt.date(2018, 1, 1), dt.date(2024, 12, 31))
    start = signed + rng.integers(30, 400, n)
    completed = start + rng.integers(300, 900, n)
    operation = completed + rng.integers(30, 180, n)
    full = operation + rng.integers(180, 540, n)
    entry = signed - rng.integers(30, 200, n)
    lead = np.where(
        rng.random(n) < 0.7, [f"示例企业{j:02d}" for j in rng.integers(1, enterprises + 1, n)], ""
    )
    origin = rng.choice(["110000", "120000", ""], n, p=[0.35, 0.15, 0.5]).astype(object)
    origin = np.where(origin == region, "", origin)
    transfer = np.where(
        origin != "",
        rng.choice(
            ["relocation", "joint_park", "enclave", "hq_production", "rd_conversion", ""],
            n,
            p=[0.35, 0.15, 0.1, 0.15, 0.15, 0.1],
        ),
        "",
    )
    county, platform = _places(rng, region)
    entry_year = (np.datetime64(_EPOCH.isoformat()) + entry.astype("timedelta64[D]")).astype("datetime64[Y]")
    years = entry_year.astype(int) + 1970
    coded = (rng.random(n) < 0.6) & (reached >= 1)
    project_codes = [
        f"{y}-{c or r}-{rng.integers(13, 45):02d}-03-{k:06d}" if keep else ""
        for y, c, r, k, keep in zip(years, county, region, range(1, n + 1), coded, strict=True)
    ]
    return pd.DataFrame(
        {
            "project_id": ids,
            "name": [f"{p}（合成）" for p in ids],
            "chain": np.where(rng.random(n) < 0.85, rng.choice(chains, n), ""),
            "cluster": np.where(rng.random(n) < 0.5, rng.choice(clusters, n), ""),
            "corridor": corridor,
            "origin_region": origin,
            "region": region,
            "investment_100m_cny": np.round(rng.lognormal(1.2, 1.0, n), 2).astype(str),
            "status": status,
            "signed_date": _iso(signed, reached >= 1),
            "start_date": _iso(start, reached >= 2),
            "lead_enterprise": lead,
            "note": LABEL,
            "county": county,
            "platform": platform,
            "entry_date": _iso(entry),
            "completed_date": _iso(completed, reached >= 3),
            "operation_date": _iso(operation, reached >= 4),
            "full_production_date": _iso(full, reached >= 5),
            "investment_code": project_codes,
            "in_statistics": np.where(reached >= 2, np.where(rng.random(n) < 0.85, "是", "否"), ""),
            "transfer_type": transfer,
            "planned_start_date": _iso(signed + rng.integers(30, 300, n), reached <= 1),
        }
    )


#: Platforms the demo places projects on, by (city, county); a project in Xiong'an is on its platform.
_PLATFORM_AT = {
    ("110000", "110112"): "bj_subcentre",
    ("110000", "110115"): "new_airport",
    ("130200", "130209"): "caofeidian",
    ("120000", "120116"): "tj_binhai_new_area",
}


def _places(rng: np.random.Generator, region: np.ndarray) -> tuple[list[str], list[str]]:
    """A county inside each project's city (70% of projects) and the platform that county hosts."""
    from hqd.registry.taxonomy import XIONGAN_CODE

    by_city: dict[str, list[str]] = {}
    for r in region_rows():
        if r["level"] == "county":
            by_city.setdefault(r["parent"], []).append(r["code"])
    county: list[str] = []
    platform: list[str] = []
    for city, keep, pick in zip(region, rng.random(len(region)) < 0.7, rng.random(len(region)), strict=True):
        options = by_city.get(city, [])
        c = options[int(pick * len(options))] if keep and options else ""
        county.append(c)
        platform.append("xiongan" if city == XIONGAN_CODE else _PLATFORM_AT.get((city, c), ""))
    return county, platform


def synthetic_ledger(seed: int = 0, *, project_ids: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """A synthetic plan with tasks, sub-tasks and progress notes (import frames of strings)."""
    rng = np.random.default_rng(seed + 2)
    plan = "DEMO-P1"
    plans = pd.DataFrame(
        {
            "code": [plan],
            "name": ["示例方案：协同发展任务分解（合成）"],
            "leading_official": ["示例领导01"],
            "lead_department": [DEPARTMENTS[0]],
            "note": [LABEL],
        }
    )
    rows = []
    for t in range(1, 9):
        code = f"{plan}-T{t:02d}"
        subs = int(rng.integers(0, 4))
        rows.append((code, "", subs))
        rows.extend((f"{code}-S{s}", code, 0) for s in range(1, subs + 1))
    n = len(rows)
    deadline = _days(rng, n, dt.date(2023, 6, 30), dt.date(2025, 6, 30))
    status = rng.choice(["not_started", "in_progress", "done", "cancelled"], n, p=[0.2, 0.45, 0.3, 0.05])
    people = rng.integers(1, 11, n)
    projects = project_ids or []
    tasks = pd.DataFrame(
        {
            "code": [r[0] for r in rows],
            "plan": plan,
            "parent": [r[1] for r in rows],
            "title": [f"示例任务{r[0][len(plan) + 1 :]}（合成）" for r in rows],
            "leading_official": [f"示例领导{k:02d}" for k in rng.integers(1, 4, n)],
            "lead_department": rng.choice(DEPARTMENTS, n),
            "cooperating_departments": [
                ";".join(rng.choice(DEPARTMENTS, 2, replace=False)) for _ in range(n)
            ],
            "responsible_person": [f"示例人员{k:02d}" for k in people],
            "post": rng.choice(["项目推进岗", "协调联络岗", "督查督办岗"], n),
            "project_id": [
                projects[int(k)] if projects and rng.random() < 0.5 else ""
                for k in rng.integers(0, max(len(projects), 1), n)
            ],
            "deadline": _iso(deadline),
            "status": status,
            "note": LABEL,
            # a stream of its own, so the notes below stay those of earlier releases
            "start_date": _iso(deadline - np.random.default_rng(seed + 3).integers(120, 540, n)),
        }
    )
    leaves = [r[0] for r in rows if r[2] == 0]
    notes = []
    for code in leaves:
        percent = 0.0
        for k in range(int(rng.integers(0, 4))):
            percent = min(100.0, percent + float(rng.integers(10, 45)))
            day = dt.date(2023, 3, 31) + dt.timedelta(days=91 * k)
            notes.append(
                (
                    code,
                    day.isoformat(),
                    f"示例进展{k + 1}（合成）",
                    f"{percent:g}",
                    f"示例人员{int(rng.integers(1, 11)):02d}",
                )
            )
    progress = pd.DataFrame(notes, columns=["task", "note_date", "note", "percent_done", "author"])
    return {"plans": plans, "tasks": tasks, "progress": progress}


#: Monthly shares of a year's construction investment (Spring Festival lull in Jan–Feb, peak in summer and
#: autumn); a plausible SYNTHETIC profile, not a published one.
MONTH_WEIGHTS = np.array([0.04, 0.04, 0.08, 0.09, 0.1, 0.1, 0.1, 0.1, 0.1, 0.09, 0.09, 0.07])


def synthetic_monthly(projects: pd.DataFrame, years: tuple[int, ...] = (2024,), seed: int = 0) -> pd.DataFrame:
    """SYNTHETIC monthly investment (当月 / 本年累计 / 年度计划) for the projects under construction in ``years``.

    A project started by the end of a year and not completed before it gets an annual plan of 15–45% of its
    total investment and completes, by December, 55–115% of the plan (so some run behind); the months
    follow :data:`MONTH_WEIGHTS` from its start month (or January).  Amounts are rounded to 0.01 亿元 and
    本年累计 is the running sum of the rounded 当月, so both columns agree.
    """
    rng = np.random.default_rng(seed + 7)
    start = pd.to_datetime(projects["start_date"].replace("", None), errors="coerce")
    done = pd.to_datetime(projects["completed_date"].replace("", None), errors="coerce")
    total = pd.to_numeric(projects["investment_100m_cny"], errors="coerce").to_numpy()
    ids = projects["project_id"].to_numpy()
    parts: list[pd.DataFrame] = []
    for year in years:
        active = (start.dt.year <= year).to_numpy() & ~(done.dt.year < year).to_numpy()
        active &= (projects["status"] != "terminated").to_numpy()
        idx = np.flatnonzero(active)
        if not idx.size:
            continue
        first = np.where(start.dt.year.to_numpy()[idx] == year, start.dt.month.to_numpy()[idx], 1).astype(int)
        last = np.where(done.dt.year.to_numpy()[idx] == year, done.dt.month.to_numpy()[idx], 12).astype(int)
        plan = np.round(total[idx] * rng.uniform(0.15, 0.45, idx.size), 2)
        achieved = rng.uniform(0.55, 1.15, idx.size)
        months = np.arange(1, 13)
        on = (months[None, :] >= first[:, None]) & (months[None, :] <= last[:, None])
        weights = np.where(on, MONTH_WEIGHTS[None, :] * rng.uniform(0.6, 1.4, on.shape), 0.0)
        weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
        month_amount = np.round(weights * (plan * achieved)[:, None], 2)
        ytd = np.round(np.cumsum(month_amount, axis=1), 2)
        rows, cols = np.nonzero(on)
        parts.append(pd.DataFrame({
            "project_id": ids[idx][rows],
            "period": [f"{year}-{c + 1:02d}" for c in cols],
            "month_100m_cny": [f"{v:.2f}" for v in month_amount[rows, cols]],
            "ytd_100m_cny": [f"{v:.2f}" for v in ytd[rows, cols]],
            "annual_plan_100m_cny": [f"{v:.2f}" for v in plan[rows]],
            "note": "SYNTHETIC 合成示例数据",
        }))
    columns = ["project_id", "period", "month_100m_cny", "ytd_100m_cny", "annual_plan_100m_cny", "note"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


@dataclass(frozen=True)
class DemoReport:
    """What :func:`load_demo` imported, entity by entity."""

    reports: tuple[ImportReport, ...]
    investment: Any = None  # the monthly investment import (None when already loaded)

    def __str__(self) -> str:
        lines = [str(r) for r in self.reports] + ([str(self.investment)] if self.investment else [])
        return "\n".join(lines) + f"\n({LABEL})"


def load_demo(
    target: EngineLike | None = None,
    *,
    seed: int = 0,
    n_projects: int = 2000,
    n_enterprises: int = 60,
    actor: str = DEMO_ACTOR,
) -> DemoReport:
    """Initialise the registry at ``target`` (engine or URL) and fill it with the synthetic demo data.

    Idempotent for a given seed: loading twice changes nothing the second time.
    """
    enterprises = synthetic_enterprises(n_enterprises, seed)
    projects = synthetic_projects(n_projects, seed, enterprises=n_enterprises)
    ledger = synthetic_ledger(seed, project_ids=projects["project_id"].tolist())
    with engine_for(target) as engine:
        init_db(engine)
        with write(engine) as conn:
            if conn.execute(select(m.Meta.key).where(m.Meta.key == SYNTHETIC_KEY)).first() is None:
                conn.execute(insert(m.table_of(m.Meta)), [{"key": SYNTHETIC_KEY, "value": LABEL}])
        reports = tuple(
            import_frame(engine, name, frame, actor=actor, source=f"demo:{name}")
            for name, frame in (
                ("enterprises", enterprises),
                ("projects", projects),
                ("plans", ledger["plans"]),
                ("tasks", ledger["tasks"]),
                ("progress", ledger["progress"]),
            )
        )
        investment = _load_monthly(engine, projects, seed=seed, actor=actor)
    return DemoReport(reports, investment)


def _load_monthly(engine: Any, projects: pd.DataFrame, *, seed: int, actor: str) -> Any:
    """Import the SYNTHETIC year of monthly investment once (a second load leaves it alone)."""
    from hqd.registry import investment

    source = "demo:investment (SYNTHETIC)"
    with engine.connect() as conn:
        imp = m.table_of(m.InvestmentImport)
        if conn.execute(select(imp.c.id).where(imp.c.source == source)).first() is not None:
            return None
    frame = synthetic_monthly(projects, (DEMO_YEAR,), seed)
    if frame.empty:
        return None
    return investment.import_monthly(engine, frame, actor=actor, name=source)
