"""The registry's concurrency test, through HTTP: twenty clients edit the same rows of a real uvicorn server.

Each client (its own user and token, its own connection) adds 1 to the investment of two projects three
times, re-reading and retrying when the server answers 409.  A barrier makes every client read version 1
of the first project before anyone writes, so at least 19 conflicts are certain.  No update may be lost:
the totals must equal 20 × 3 on both rows, and the change log must hold exactly those updates, three per
user.  SQLite (WAL, busy timeout, BEGIN IMMEDIATE) and PostgreSQL (row locks).
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import httpx
import pytest
from api_fixtures import Api, serve

from hqd import registry
from hqd.api import auth

pytest_plugins = ["api_fixtures"]

CLIENTS = 20
ROUNDS = 3
KEYS = ("并发项目A", "并发项目B")


def _worker(base: str, token: str, barrier: threading.Barrier, out: dict[int, Any], index: int) -> None:
    conflicts = 0
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
            first = client.get(f"/api/registry/projects/records/{KEYS[0]}").json()["record"]
            barrier.wait(timeout=120)
            for round_ in range(ROUNDS):
                for key in KEYS:
                    seen: dict[str, Any] | None = first if (round_, key) == (0, KEYS[0]) else None
                    while True:
                        rec = seen or client.get(f"/api/registry/projects/records/{key}").json()["record"]
                        r = client.patch(f"/api/registry/projects/records/{key}", json={
                            "version": rec["version"],
                            "changes": {"investment_100m_cny": rec["investment_100m_cny"] + 1}})
                        if r.status_code == 200:
                            break
                        body = r.json()
                        assert r.status_code == 409 and body["error"] == "conflict", r.text
                        conflicts += 1
                        seen = None
                        time.sleep(random.uniform(0, 0.02))  # back off a little, as a client would
        out[index] = conflicts
    except BaseException as exc:  # report anything to the test thread
        out[index] = exc


@pytest.mark.slow
def test_twenty_http_clients_lose_no_update(api: Api) -> None:
    for key in KEYS:
        registry.create(api.engine, "projects", {"project_id": key, "name": key, "region": "唐山",
                                                 "investment_100m_cny": 0, "status": "签约"}, actor="setup")
    tokens = []
    for i in range(CLIENTS):
        auth.add_user(api.engine, f"w{i:02d}", "worker-password", "editor", "130000")
        tokens.append(auth.create_token(api.engine, f"w{i:02d}")[0])
    barrier = threading.Barrier(CLIENTS)
    out: dict[int, Any] = {}
    with serve(api.app) as base:
        threads = [threading.Thread(target=_worker, args=(base, tokens[i], barrier, out, i)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
    errors = [v for v in out.values() if isinstance(v, BaseException)]
    assert not errors, errors[:3]
    assert len(out) == CLIENTS
    assert sum(out.values()) >= CLIENTS - 1  # the barrier guarantees these conflicts
    for key in KEYS:
        rec = registry.get(api.engine, "projects", key)
        assert rec["investment_100m_cny"] == CLIENTS * ROUNDS  # no lost update
        assert rec["version"] == 1 + CLIENTS * ROUNDS
        log = registry.history(api.engine, "projects", key)
        updates = log[log["action"] == "update"]
        assert len(updates) == CLIENTS * ROUNDS
        assert updates["actor"].value_counts().to_dict() == {f"w{i:02d}": ROUNDS for i in range(CLIENTS)}
