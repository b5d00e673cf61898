"""Registry speed: import 100,000 projects, then run each summary, on SQLite and PostgreSQL.

Targets (issue 5): the import under 20 s, each summary under 200 ms.  The baseline, measured in the same
run, is the naive way: one ORM object per row, ``session.add`` and a commit per row, on a smaller N,
reported as rows per second and as a ratio to the bulk import.  The projects are synthetic
(``hqd.registry.demo.synthetic_projects``).

Usage::

    .venv/bin/python benchmarks/bench_registry.py [--n 100000] [--baseline-n 2000] [--postgres URL]

PostgreSQL uses ``--postgres`` or ``$HQD_TEST_POSTGRES_URL`` (a throw-away schema is created and dropped);
it is skipped, with a message, when neither is set or the server does not answer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hqd.registry import connect, import_file, init_db, summarize_enterprises, summarize_projects
from hqd.registry import models as m
from hqd.registry.demo import synthetic_projects
from hqd.registry.summaries import ENTERPRISE_GROUPS, PROJECT_GROUPS

IMPORT_TARGET_S = 20.0
SUMMARY_TARGET_MS = 200.0


def _timed(fn: Callable[[], object], repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@contextmanager
def sqlite_url(tmp: Path, name: str) -> Iterator[str]:
    yield f"sqlite:///{tmp / name}"


@contextmanager
def postgres_url(base: str) -> Iterator[str]:
    schema = f"hqd_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def naive_orm_insert(engine: Engine, rows: list[dict[str, object]]) -> None:
    """The baseline: one ORM object and one commit per row."""
    with Session(engine) as session:
        for row in rows:
            session.add(m.Project(**row, version=1, updated_by="bench"))
            session.commit()


def _orm_rows(n: int) -> list[dict[str, object]]:
    import datetime as dt

    frame = synthetic_projects(n, seed=7)
    out = []
    for r in frame.to_dict("records"):
        out.append(
            {
                "project_id": "B" + r["project_id"],
                "name": r["name"],
                "chain": r["chain"] or None,
                "cluster": r["cluster"] or None,
                "corridor": r["corridor"] or None,
                "origin_region": r["origin_region"] or None,
                "region": r["region"],
                "investment_100m_cny": float(r["investment_100m_cny"]),
                "status": r["status"],
                "signed_date": dt.date.fromisoformat(r["signed_date"]),
                "start_date": dt.date.fromisoformat(r["start_date"]) if r["start_date"] else None,
                "lead_enterprise": r["lead_enterprise"] or None,
                "note": r["note"],
            }
        )
    return out


def run(label: str, url_cm: object, csv_path: Path, n: int, baseline_n: int) -> None:
    with url_cm as url:  # type: ignore[attr-defined]
        engine = connect(url)
        init_db(engine)
        seconds = _timed(lambda: import_file(engine, "projects", csv_path, actor="bench"))
        rate = n / seconds
        print(
            f"\n[{label}] import {n:,} projects: {seconds:.2f} s ({rate:,.0f} rows/s; target < "
            f"{IMPORT_TARGET_S:.0f} s: {'ok' if seconds < IMPORT_TARGET_S else 'MISSED'})"
        )
        reimport = _timed(lambda: import_file(engine, "projects", csv_path, actor="bench"))
        print(f"[{label}] re-import (idempotent, nothing changes): {reimport:.2f} s")
        rows = _orm_rows(baseline_n)
        base = _timed(lambda: naive_orm_insert(engine, rows))
        base_rate = baseline_n / base
        print(
            f"[{label}] baseline naive ORM, commit per row, N={baseline_n:,}: {base:.2f} s ({base_rate:,.0f} "
            f"rows/s) -> bulk import is {rate / base_rate:,.1f}x faster per row"
        )
        for by in PROJECT_GROUPS:
            ms = 1000 * _timed(lambda by=by: summarize_projects(engine, by), repeat=5)
            print(
                f"[{label}] summary projects --by {by:<9} {ms:7.1f} ms "
                f"({'ok' if ms < SUMMARY_TARGET_MS else 'MISSED'} < {SUMMARY_TARGET_MS:.0f} ms)"
            )
        for by in ENTERPRISE_GROUPS:
            ms = 1000 * _timed(lambda by=by: summarize_enterprises(engine, by), repeat=5)
            print(f"[{label}] summary enterprises --by {by:<6} {ms:7.1f} ms")
        print(f"[{label}] {summarize_projects(engine, 'chain').headline()}")
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--baseline-n", type=int, default=2_000)
    parser.add_argument("--postgres", default=os.environ.get("HQD_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        csv_path = tmp / "projects.csv"
        start = time.perf_counter()
        synthetic_projects(args.n, seed=0).to_csv(csv_path, index=False, encoding="utf-8-sig")
        print(
            f"generated {args.n:,} synthetic projects in {time.perf_counter() - start:.2f} s "
            f"({csv_path.stat().st_size / 1e6:.1f} MB CSV; synthetic data)"
        )
        run("sqlite", sqlite_url(tmp, "bench.sqlite"), csv_path, args.n, args.baseline_n)
        if not args.postgres:
            print("\n[postgresql] skipped: set --postgres or HQD_TEST_POSTGRES_URL")
            return
        try:
            create_engine(args.postgres).connect().close()
        except Exception as exc:
            print(f"\n[postgresql] skipped: cannot connect ({exc.__class__.__name__})")
            return
        run("postgresql", postgres_url(args.postgres), csv_path, args.n, args.baseline_n)


if __name__ == "__main__":
    main()
