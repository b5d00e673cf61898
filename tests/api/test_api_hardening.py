"""Issue 20's service findings, each reproduced against the app in-process (SQLite and PostgreSQL).

Every test here failed on the code before its fix: the DELETE race, the login rate limit beaten by
parallel requests and by many addresses, unbounded concurrent argon2 hashing, huge error bodies, deep
JSON, stored overflow, control characters, resource limits, the low rows and the audit trail.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from api_fixtures import Api, assert_error

from hqd import registry
from hqd.api import scope

pytest_plugins = ["api_fixtures"]


def _project(api: Api, key: str, region: str, user: str = "admin", **extra: Any) -> dict[str, Any]:
    values = {"project_id": key, "name": key, "region": region, "investment_100m_cny": 1.0, "status": "signed",
              **extra}
    r = api.request("POST", "/api/registry/projects/records", user, json=values)
    assert r.status_code == 201, r.text
    record: dict[str, Any] = r.json()["record"]
    return record


# ------------------------------------------------------------------------------------------ DELETE race
def test_delete_checks_scope_on_the_version_it_deletes(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Hebei editor deletes HB-9 naming version 2 while an admin moves it to Beijing (making it version 2)
    right after the editor's scope check.  Before the fix the check ran on the record read *before* the
    delete's transaction, so the Beijing project was deleted; now the check runs in that transaction on the
    locked row: the move waits for it, and the delete is refused (409 at version 1) or, had the move come
    first, refused as out of scope (403)."""
    _project(api, "HB-9", "130200")
    checked = scope.check_stored
    moved = threading.Event()

    def move() -> None:
        registry.update(api.engine, "projects", "HB-9", {"region": "110000"}, expected_version=1, actor="admin")
        moved.set()

    def check_then_move(who: Any, entity: str, record: Any) -> None:
        checked(who, entity, record)
        if not moved.is_set() and record.get("project_id") == "HB-9":
            mover = threading.Thread(target=move)
            mover.start()
            mover.join(timeout=2)  # finishes at once unless the delete holds the row

    monkeypatch.setattr(scope, "check_stored", check_then_move)
    r = api.request("DELETE", "/api/registry/projects/records/HB-9?version=2", "hebei")
    assert r.status_code in (403, 409), r.text
    if not moved.wait(timeout=30):  # the delete refused the stale version before any scope check
        move()
    record = registry.get(api.engine, "projects", "HB-9")  # still there, now in Beijing
    assert record["region"] == "110000" and record["version"] == 2
    assert_error(api.request("DELETE", "/api/registry/projects/records/HB-9?version=2", "hebei"), 403,
                 "out_of_scope")
    assert api.request("DELETE", "/api/registry/projects/records/HB-9?version=2", "beijing").status_code == 200
