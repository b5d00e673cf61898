"""Monthly investment import speed: 10,000 projects × 36 months (360,000 rows) on SQLite and PostgreSQL.

Target (issue 14): under 30 s per backend.  The import is :func:`hqd.registry.investment.import_monthly`
on one frame of strings (all checks: headers, projects, periods, amounts, duplicates, 当月/累计 derivation
and agreement, the period replacement, the audit rows).  The baseline, measured in the same run, is the
bare write of the same rows: pandas ``to_sql`` (``method="multi"``, no checks, no audit) into a plain table;
the ratio says what validation and auditing cost.  A second import of the same file (every period
replaced) is timed too.  All figures are SYNTHETIC (``hqd.registry.demo``).

Usage::

    .venv/bin/python benchmarks/bench_registry_monthly.py [--projects 10000] [--months 36] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine

from bench_registry import postgres_url, sqlite_url
from hqd.registry import connect, import_frame, init_db
from hqd.registry import investment as inv
from hqd.registry.demo import synthetic_projects

TARGET_S = 30.0


def monthly_frame(ids: list[str], months: int, seed: int = 0) -> pd.DataFrame:
    """SYNTHETIC 当月 and 本年累计 for every project and month from January 2022 (consistent columns)."""
    rng = np.random.default_rng(seed)
    n = len(ids)
    amounts = np.round(rng.gamma(2.0, 0.05, (n, months)), 2)
    year = 2022 + np.arange(months) // 12
    month = np.arange(months) % 12 + 1
    ytd = np.zeros_like(amounts)
    for y in np.unique(year):
        cols = np.flatnonzero(year == y)
        ytd[:, cols] = np.round(np.cumsum(amounts[:, cols], axis=1), 2)
    periods = [f"{y}-{mo:02d}" for y, mo in zip(year, month, strict=True)]
    return pd.DataFrame({
        "project_id": np.repeat(ids, months),
        "period": np.tile(periods, n),
        "month_100m_cny": [f"{v:.2f}" for v in amounts.ravel()],
        "ytd_100m_cny": [f"{v:.2f}" for v in ytd.ravel()],
    })


def run(url: str, label: str, n: int, months: int) -> None:
    engine = connect(url)
    init_db(engine)
    projects = synthetic_projects(n, 0)
    import_frame(engine, "projects", projects, actor="bench", source="bench")
    frame = monthly_frame(projects["project_id"].tolist(), months)
    start = time.perf_counter()
    report = inv.import_monthly(engine, frame, actor="bench", name="bench")
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = inv.import_monthly(engine, frame, actor="bench", name="bench-again")
    second = time.perf_counter() - start
    plain = frame.assign(month_100m_cny=frame["month_100m_cny"].astype(float),
                         ytd_100m_cny=frame["ytd_100m_cny"].astype(float))
    raw = create_engine(url)
    start = time.perf_counter()
    plain.to_sql("bench_plain_monthly", raw, if_exists="replace", index=False, method="multi", chunksize=5000)
    baseline = time.perf_counter() - start
    raw.dispose()
    engine.dispose()
    verdict = "meets" if max(first, second) < TARGET_S else "MISSES"
    print(f"{label}: {report.rows:,} rows ({n:,} projects × {months} months): import {first:.1f} s, "
          f"re-import replacing {again.replaced:,} rows {second:.1f} s; bare pandas to_sql {baseline:.1f} s "
          f"(import / bare = {first / baseline:.2f}×); {verdict} the {TARGET_S:.0f} s target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--postgres", default=os.environ.get("HQD_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    print("SYNTHETIC data (hqd.registry.demo); times are wall-clock seconds on this machine")
    with tempfile.TemporaryDirectory() as tmp, sqlite_url(Path(tmp), "bench.sqlite") as url:
        run(url, "SQLite", args.projects, args.months)
    if args.postgres:
        try:
            with postgres_url(args.postgres) as url:
                run(url, "PostgreSQL", args.projects, args.months)
        except Exception as exc:  # report and go on: the server may be absent
            print(f"PostgreSQL skipped: {exc.__class__.__name__}: {exc}")
    else:
        print("PostgreSQL skipped: pass --postgres URL or set HQD_TEST_POSTGRES_URL")


if __name__ == "__main__":
    main()
