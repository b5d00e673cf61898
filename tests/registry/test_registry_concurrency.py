"""Twenty processes edit the same rows through the services: no update is lost, conflicts are reported.

Each process increments each row's investment 3 times, retrying on ``ConflictError``.  A barrier makes every
process read version 1 of the first row before anyone writes, so at least 19 conflicts are certain; the
final totals must equal the initial values plus every increment.  Runs on SQLite (WAL, busy timeout,
BEGIN IMMEDIATE) and PostgreSQL (row locks).
"""

from __future__ import annotations

import multiprocessing as mp
import random
import time
from typing import Any

import pytest
from sqlalchemy import Engine

from hqd.registry import ConflictError, connect, create, get, history, update

pytest_plugins = ["registry_fixtures"]

PROCESSES = 20
ROUNDS = 3
KEYS = ("示例项目0001", "示例项目0002")


def _worker(url: str, worker: int, barrier: Any, results: Any) -> None:
    registry_engine = connect(url)
    conflicts = 0
    try:
        first = get(registry_engine, "projects", KEYS[0])
        barrier.wait(timeout=120)
        pending = [(KEYS[0], first)] + [(key, None) for key in KEYS[1:]]
        for round_ in range(ROUNDS):
            for key, seen in pending if round_ == 0 else [(k, None) for k in KEYS]:
                rec = seen
                while True:
                    rec = rec or get(registry_engine, "projects", key)
                    try:
                        update(
                            registry_engine,
                            "projects",
                            key,
                            {"investment_100m_cny": rec["investment_100m_cny"] + 1},
                            expected_version=rec["version"],
                            actor=f"worker{worker:02d}",
                        )
                        break
                    except ConflictError as exc:
                        if exc.codes != ["conflict"]:
                            raise
                        conflicts += 1
                        rec = None
                        time.sleep(random.uniform(0, 0.02))  # back off a little, as a client would
        results.put((worker, conflicts, None))
    except Exception as exc:  # report anything to the parent
        results.put((worker, conflicts, repr(exc)))
    finally:
        registry_engine.dispose()


@pytest.mark.slow
def test_twenty_processes_lose_no_update(registry_url: str, registry_engine: Engine) -> None:
    for key in KEYS:
        create(
            registry_engine,
            "projects",
            {"project_id": key, "name": key, "region": "唐山", "investment_100m_cny": 0, "status": "签约"},
            actor="setup",
        )
    registry_engine.dispose()
    # fork starts 20 workers in a fraction of spawn's time; the parent holds no open connection
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(registry_url, i, barrier, results)) for i in range(PROCESSES)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    errors = [(w, err) for w, _, err in outcomes if err]
    assert errors == []
    conflicts = sum(c for _, c, _ in outcomes)
    assert conflicts >= PROCESSES - 1
    for key in KEYS:
        rec = get(registry_engine, "projects", key)
        assert rec["investment_100m_cny"] == PROCESSES * ROUNDS
        assert rec["version"] == 1 + PROCESSES * ROUNDS
        log = history(registry_engine, "projects", key)
        assert (log["action"] == "update").sum() == PROCESSES * ROUNDS
        assert log.loc[log["action"] == "update", "actor"].nunique() == PROCESSES
