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
    original = scope.guard
    moved = threading.Event()

    def move() -> None:
        registry.update(api.engine, "projects", "HB-9", {"region": "110000"}, expected_version=1, actor="admin")
        moved.set()

    def guard_then_move(who: Any, entity: str) -> Any:
        inner = original(who, entity)

        def check(before: Any, after: Any) -> Any:
            refusal = inner(before, after) if inner is not None else None
            if not moved.is_set() and before is not None and before.get("project_id") == "HB-9":
                mover = threading.Thread(target=move)
                mover.start()
                mover.join(timeout=2)  # finishes at once unless the delete holds the row
            return refusal

        return check

    monkeypatch.setattr(scope, "guard", guard_then_move)
    r = api.request("DELETE", "/api/registry/projects/records/HB-9?version=2", "hebei")
    assert r.status_code in (403, 409), r.text
    if not moved.wait(timeout=30):  # the delete refused the stale version before any scope check
        move()
    record = registry.get(api.engine, "projects", "HB-9")  # still there, now in Beijing
    assert record["region"] == "110000" and record["version"] == 2
    assert_error(api.request("DELETE", "/api/registry/projects/records/HB-9?version=2", "hebei"), 403,
                 "out_of_scope")
    assert api.request("DELETE", "/api/registry/projects/records/HB-9?version=2", "beijing").status_code == 200


# ------------------------------------------------------------------------------------------- login limit
class _SlowHasher:
    """The tests' cheap argon2 with a pause in ``verify`` (as real argon2 takes ~50 ms), counting how many
    verifications run at once."""

    def __init__(self, pause: float = 0.05) -> None:
        from api_fixtures import CHEAP_HASHER

        self.inner = CHEAP_HASHER
        self.pause = pause
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.calls = 0

    def hash(self, password: str) -> str:
        return self.inner.hash(password)

    def check_needs_rehash(self, stored: str) -> bool:
        return self.inner.check_needs_rehash(stored)

    def verify(self, stored: str, password: str) -> bool:
        import time

        with self.lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.pause)
            return bool(self.inner.verify(stored, password))
        finally:
            with self.lock:
                self.running -= 1


def _parallel_logins(base: str, logins: list[tuple[str, str]]) -> list[int]:
    import httpx

    barrier = threading.Barrier(len(logins))
    statuses: list[int] = [0] * len(logins)

    def attempt(i: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            barrier.wait(timeout=60)
            user, password = logins[i]
            statuses[i] = client.post("/api/auth/login", json={"username": user, "password": password}).status_code

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(logins))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return statuses


def test_parallel_wrong_passwords_meet_the_limit(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """40 parallel wrong passwords for one account from one address: exactly ``login_max_attempts`` are
    checked (401), the others are refused before hashing (429).  Before the fix: 40 × 401."""
    from api_fixtures import serve

    from hqd.api import auth

    slow = _SlowHasher()
    monkeypatch.setattr(auth, "HASHER", slow)
    limit = api.app.state.hqd.settings.login_max_attempts
    with serve(api.app) as base:
        statuses = _parallel_logins(base, [("admin", f"wrong-{i}") for i in range(40)])
    assert sorted(set(statuses)) == [401, 429], statuses
    assert statuses.count(401) == limit and statuses.count(429) == 40 - limit
    assert slow.calls == limit  # the refused ones cost no hash


def test_many_addresses_cannot_multiply_guesses(api: Api) -> None:
    """20 client addresses × 5 wrong passwords at the admin: the account's own counter stops them at
    ``login_max_attempts_account`` (before the fix: 100 guesses, all 401)."""
    from fastapi.testclient import TestClient

    settings = api.app.state.hqd.settings
    checked = 0
    for i in range(20):
        with TestClient(api.app, raise_server_exceptions=False, client=(f"10.0.0.{i + 1}", 40000)) as client:
            for _ in range(settings.login_max_attempts):
                r = client.post("/api/auth/login", json={"username": "admin", "password": "not-the-one"})
                assert r.status_code in (401, 429), r.text
                checked += r.status_code == 401
    assert checked == settings.login_max_attempts_account
    with TestClient(api.app, raise_server_exceptions=False, client=("10.0.1.1", 40000)) as client:
        assert_error(client.post("/api/auth/login", json={"username": "admin", "password": "admin-password"}),
                     429, "rate_limited")
        # another account from a fresh address is not affected
        assert client.post("/api/auth/login", json={"username": "viewer", "password": "viewer-password"}
                           ).status_code == 200


def test_one_address_cannot_spray_many_accounts(api: Api) -> None:
    settings = api.app.state.hqd.settings
    statuses = [api.client.post("/api/auth/login", json={"username": f"spray{i}", "password": "wrong-one"}
                                ).status_code for i in range(settings.login_max_attempts_address + 3)]
    assert statuses.count(401) == settings.login_max_attempts_address and statuses[-1] == 429


def test_concurrent_hashing_is_bounded(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """16 parallel logins (right and wrong passwords, several accounts): never more than
    ``login_hash_concurrency`` argon2 verifications at once (before the fix: as many as requests)."""
    from api_fixtures import serve

    from hqd.api import auth

    slow = _SlowHasher(pause=0.1)
    monkeypatch.setattr(auth, "HASHER", slow)
    bound = api.app.state.hqd.settings.login_hash_concurrency
    users = ["admin", "editor", "viewer", "hebei"]
    logins = [(u, f"{u}-password" if i % 2 else "wrong-pass") for i in range(4) for u in users]
    with serve(api.app) as base:
        statuses = _parallel_logins(base, logins)
    assert sorted(set(statuses)) == [200, 401], statuses
    assert slow.calls == len(logins)
    assert 1 <= slow.peak <= bound


# ------------------------------------------------------------------------------ request and error limits
def test_nul_is_refused_in_any_json_media_type(api: Api) -> None:
    """``application/vnd.api+json`` (and no media type at all) is parsed as JSON by FastAPI: the NUL check
    applies to it too (before the fix it was skipped: 401 on SQLite, a database error on PostgreSQL)."""
    import json

    body = json.dumps({"username": "adm\u0000in", "password": "whatever-1"})
    for media in ("application/vnd.api+json", "application/json; charset=utf-8", "text/json"):
        r = api.client.post("/api/auth/login", content=body, headers={"Content-Type": media})
        assert_error(r, 400, "invalid_character")
    r = api.client.post("/api/auth/login", content=body.encode(), headers={"Content-Type": ""})
    assert_error(r, 400, "invalid_character")


def test_deep_json_is_refused_before_parsing(api: Api) -> None:
    deep = '{"dataset": "jjj-demo", "recipe": ' + "[" * 5000 + "]" * 5000 + "}"
    r = api.request("POST", "/api/runs", "editor", content=deep, headers={"Content-Type": "application/json"})
    body = assert_error(r, 400, "too_deep")
    assert "5001" in body["errors"][0]["message"]
    # brackets inside strings do not count
    text = '{"username": "' + "[" * 50 + '", "password": "x-' + "{" * 50 + '"}'
    assert api.client.post("/api/auth/login", content=text, headers={"Content-Type": "application/json"}
                           ).status_code == 401


def test_recipe_aliases_are_refused(api: Api) -> None:
    """A 'billion laughs' recipe (before: an error response of tens of MB, built for seconds)."""
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    r = api.request("POST", "/api/runs", "editor", json={"dataset": "jjj-demo", "recipe": laughs})
    assert_error(r, 400, "yaml_alias")
    assert len(r.content) < 4096


def test_error_bodies_are_capped(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader that reports 50,000 long problems (as an alias-expanded YAML did: 92 MB) gives an error
    response under ``max_error_kb`` that says how many problems it left out."""
    import hqd.io.framework
    from hqd.errors import HqdError, Problem

    n = 50_000

    def many(*_a: Any, **_k: Any) -> Any:
        raise HqdError([Problem("invalid_value", f"node {i}: " + "lol" * 3000, row=i) for i in range(n)])

    monkeypatch.setattr(hqd.io.framework, "load_framework", many)
    r = api.request("POST", "/api/frameworks", "editor", files={"file": ("fw.yaml", b"a: 1")})
    body = assert_error(r, 400)
    assert len(r.content) <= api.app.state.hqd.settings.max_error_kb * 1024 + 1024
    assert body["errors"][-1]["code"] == "too_many_problems"
    shown = len(body["errors"]) - 1
    assert 1 <= shown < n and body["errors"][-1]["message"].startswith(f"{n - shown} more problems")
    assert body["errors"][0]["row"] == 0 and body["errors"][0]["message"].endswith("…")


def test_capped_shortens_long_messages() -> None:
    from hqd.api.errors import capped

    out = capped([{"code": "x", "message": "y" * 100_000, "severity": "error"}] * 3, 8192)
    assert len(out[0]["message"]) <= 1025 and out[0]["message"].endswith("…")
    assert sum(len(p["message"]) for p in out) < 8192


def test_unreadable_uploads_are_400(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Corrupt spreadsheets and a legacy .xls: a 4xx in the one shape, never a 500; and any exception a
    reader lets through becomes ``unreadable_file`` at the API edge."""
    import zlib

    not_zip = b"this is not a zip file at all" * 10
    for route, extra in (("/api/frameworks", {}), ("/api/datasets", {"framework": "jjj"})):
        for name in ("bad.xlsx", "legacy.xls" if route == "/api/datasets" else "bad.xlsm"):
            r = api.request("POST", route, "editor", files={"file": (name, not_zip)}, data=extra)
            assert 400 <= r.status_code < 500, (route, name, r.text[:300])
            assert_error(r)
    r = api.request("POST", "/api/registry/projects/import", "admin", files={"file": ("p.xlsx", not_zip)})
    assert 400 <= r.status_code < 500, r.text[:300]
    assert_error(r)

    import hqd.io.framework

    def broken(*_a: Any, **_k: Any) -> Any:
        raise zlib.error("Error -3 while decompressing data: invalid distance too far back")

    monkeypatch.setattr(hqd.io.framework, "load_framework", broken)
    r = api.request("POST", "/api/frameworks", "editor", files={"file": ("fw.xlsx", not_zip)})
    body = assert_error(r, 400, "unreadable_file")
    assert body["errors"][0]["file"] == "fw.xlsx" and "error" in body["errors"][0]["message"]


def test_deep_geojson_is_400(api: Api) -> None:
    deep = b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = api.request("POST", "/api/geojson", "editor", files={"file": ("deep.geojson", deep)})
    assert_error(r, 400, "invalid_geojson")


# ------------------------------------------------------------------------------------- stored overflow
def test_every_numeric_registry_field_declares_its_range() -> None:
    from hqd.registry.schema import ENTITIES, VERSION_FIELD

    numeric = [f for e in ENTITIES.values() for f in e.fields if f.kind in ("float", "int", "year")]
    assert numeric and all(f.min_value is not None and f.max_value is not None for f in [*numeric, VERSION_FIELD])


@pytest.mark.parametrize("value", [1.7e308, "1e400", "inf", "-inf", 100_001])
def test_implausible_investment_is_a_located_error(api: Api, value: Any) -> None:
    """Before: two projects at 1.7e308 made every summary 400 (PostgreSQL) or 'inf 亿元' (SQLite)."""
    values = {"project_id": "BIG", "name": "big", "region": "130200", "investment_100m_cny": value,
              "status": "signed"}
    body = assert_error(api.request("POST", "/api/registry/projects/records", "admin", json=values), 400)
    assert body["errors"][0]["column"] == "investment_100m_cny"
    assert body["errors"][0]["code"] in ("out_of_range", "negative")
    _project(api, "OK-1", "130200")
    patch = api.request("PATCH", "/api/registry/projects/records/OK-1", "admin",
                        json={"version": 1, "changes": {"investment_100m_cny": value}})
    assert_error(patch, 400)
    csv = f"project_id,name,region,investment_100m_cny,status\nBIG,big,130200,{value},signed\n".encode()
    imp = assert_error(api.request("POST", "/api/registry/projects/import", "admin", files={"file": ("p.csv", csv)}),
                       400)
    assert imp["errors"][0]["row"] == 2 and imp["errors"][0]["column"] == "investment_100m_cny"
    summary = api.get("/api/registry/summary/projects?by=province")
    assert summary.status_code == 200 and "inf" not in summary.json()["headline"]


# -------------------------------------------------------------------------------- control characters
def test_control_characters_are_refused_at_input(api: Api) -> None:
    values = {"project_id": "CC-1", "name": "a\u000bb", "region": "130200", "investment_100m_cny": 1,
              "status": "signed"}
    assert_error(api.request("POST", "/api/registry/projects/records", "admin", json=values), 400,
                 "invalid_character")
    _project(api, "CC-2", "130200")
    assert_error(api.request("PATCH", "/api/registry/projects/records/CC-2", "admin",
                             json={"version": 1, "changes": {"note": "x\u001by"}}), 400, "invalid_character")
    assert_error(api.request("POST", "/api/auth/tokens", "admin", json={"name": "bell\u0007"}), 400,
                 "invalid_character")
    # an import cell (no JSON involved): the registry's own check, located
    csv = b"project_id,name,region,investment_100m_cny,status\nCC-3,a\x0bb,130200,1,signed\n"
    body = assert_error(api.request("POST", "/api/registry/projects/import", "admin",
                                    files={"file": ("p.csv", csv)}), 400, "control_character")
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["column"] == "name"
    # a form field of an upload
    r = api.request("POST", "/api/frameworks", "editor", files={"file": ("fw.csv", b"x")}, data={"name": "a\x0bb"})
    assert_error(r, 400, "invalid_character")
    # tab and line breaks are text
    values |= {"project_id": "CC-4", "name": "a\tb", "note": "line 1\nline 2\r\n"}
    assert api.request("POST", "/api/registry/projects/records", "admin", json=values).status_code == 201
    assert registry.count(api.engine, "projects") == 62


def test_exports_survive_stored_control_characters(api: Api) -> None:
    """A control character stored before input refused them (here written straight into the database):
    the xlsx and CSV exports answer 200 with U+FFFD in its place (before: a 500 for everyone)."""
    import io

    import openpyxl
    from sqlalchemy import update

    from hqd.registry import models as m

    _project(api, "CC-9", "130200")
    with api.engine.begin() as conn:
        conn.execute(update(m.table_of(m.Project)).where(m.table_of(m.Project).c.project_id == "CC-9")
                     .values(name="bad\x0bname", note="=cmd\x07"))
    r = api.get("/api/registry/projects/export?format=xlsx")
    assert r.status_code == 200, r.text[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content))["data"]
    names = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "CC-9")
    assert "bad\ufffdname" in names and "=cmd\ufffd" in names
    csv = api.get("/api/registry/projects/export?format=csv")
    assert csv.status_code == 200 and "bad\ufffdname" in csv.text and "'=cmd\ufffd" in csv.text


@pytest.mark.parametrize("entity", ["zones", "links", "projects", "enterprises"])
def test_reimporting_an_export_changes_nothing(api: Api, entity: str) -> None:
    """Export → import → export, both formats: nothing inserted or updated, the second export identical to
    the first (issue 20 saw zones and links change on every round; not reproduced here — this guards it)."""
    for fmt in ("csv", "xlsx"):
        first = api.get(f"/api/registry/{entity}/export?format=csv")
        exported = api.get(f"/api/registry/{entity}/export?format={fmt}")
        r = api.request("POST", f"/api/registry/{entity}/import", "admin",
                        files={"file": (f"{entity}.{fmt}", exported.content)})
        assert r.status_code == 200, r.text[:500]
        report = r.json()["report"]
        assert report["inserted"] == 0 and report["updated"] == 0, report
        assert api.get(f"/api/registry/{entity}/export?format=csv").content == first.content


# ------------------------------------------------------------------------------------------ run folders
def test_run_tables_are_served_without_spreadsheet_apostrophes(api: Api) -> None:
    """The run directory's CSV files quote-prefix formula-like names ('-x); the API serves the names."""
    import pandas as pd

    path = api.runs / "jjj-demo" / "regions.csv"
    regions = pd.read_csv(path, dtype=str)
    column = "name_en" if "name_en" in regions.columns else regions.columns[1]
    regions.loc[0, column] = "'-Minus City"
    regions.to_csv(path, index=False)
    items = api.get("/api/runs/jjj-demo/regions").json()["items"]
    assert items[0][column] == "-Minus City"


@pytest.mark.parametrize("route", ["growth", "drivers", "narrative"])
def test_periods_must_run_forwards(api: Api, route: str) -> None:
    body = assert_error(api.get(f"/api/runs/jjj-demo/{route}?start=2020&end=2015"), 400, "invalid_period")
    assert body["errors"][0]["year"] == 2020


# ------------------------------------------------------------------------------------------------- jobs
@pytest.fixture
def slow_build(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """``hqd.pipeline.build`` waits for the returned event (up to 60 s) before building."""
    import hqd.pipeline

    release = threading.Event()
    real = hqd.pipeline.build

    def build(*args: Any, **kwargs: Any) -> Any:
        release.wait(timeout=60)
        return real(*args, **kwargs)

    monkeypatch.setattr(hqd.pipeline, "build", build)
    return release


def _job_status(api: Api, rid: str, wanted: tuple[str, ...], timeout: float = 60) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(f"/api/jobs/{rid}").json()["job"]
        if job["status"] in wanted:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {rid} never reached {wanted}: {job}")


def test_job_queue_is_bounded_and_jobs_cancel(tmp_path: Any, runs_template: Any, slow_build: threading.Event
                                              ) -> None:
    """One worker and one place in the queue: a third run is refused (503 queue_full; before: queued without
    limit).  The queued job is cancelled before it starts, the running one at its next stage; neither leaves
    a run behind.  Viewers and anonymous users cannot start or cancel jobs."""
    import shutil

    from api_fixtures import make_api

    runs = tmp_path / "runs"
    shutil.copytree(runs_template, runs)
    api = make_api(f"sqlite:///{tmp_path / 'db.sqlite'}", runs, load_registry=False, job_workers=1,
                   job_queue_max=1)
    try:
        new = {"dataset": "jjj-demo"}
        assert_error(api.request("POST", "/api/runs", "viewer", json=new), 403, "forbidden")
        assert_error(api.request("POST", "/api/runs", None, json=new), 401, "unauthenticated")
        first = api.request("POST", "/api/runs", "editor", json=new).json()["run"]
        second = api.request("POST", "/api/runs", "editor", json=new).json()["run"]
        _job_status(api, first, ("running",))
        third = api.request("POST", "/api/runs", "editor", json=new)
        assert_error(third, 503, "queue_full")
        assert third.headers["retry-after"]
        assert_error(api.request("DELETE", f"/api/jobs/{second}", "viewer"), 403, "forbidden")
        assert_error(api.request("DELETE", f"/api/jobs/{second}", "hebei"), 403, "forbidden")  # not its owner
        queued = api.request("DELETE", f"/api/jobs/{second}", "editor")
        assert queued.status_code == 200 and queued.json()["job"]["status"] == "cancelled"
        running = api.request("DELETE", f"/api/jobs/{first}", "admin")
        assert running.status_code == 200 and running.json()["job"]["stage"] == "cancelling"
        slow_build.set()
        assert _job_status(api, first, ("cancelled",))["errors"][0]["code"] == "cancelled"
        for rid in (first, second):
            assert_error(api.get(f"/api/runs/{rid}"), 404, "unknown_run")
            assert not (runs / rid).exists()
        assert_error(api.request("DELETE", f"/api/jobs/{first}", "admin"), 409, "conflict")
        again = api.request("POST", "/api/runs", "editor", json=new)  # the queue has room again
        assert again.status_code == 202
        assert _job_status(api, again.json()["run"], ("done",), timeout=120)
    finally:
        api.client.close()
        api.app.state.hqd.jobs.shutdown()
        api.engine.dispose()


def test_jobs_over_their_time_are_stopped(tmp_path: Any, runs_template: Any, slow_build: threading.Event) -> None:
    import shutil
    import time

    from api_fixtures import make_api

    runs = tmp_path / "runs"
    shutil.copytree(runs_template, runs)
    api = make_api(f"sqlite:///{tmp_path / 'db.sqlite'}", runs, load_registry=False, job_timeout_minutes=0.002)
    try:
        rid = api.request("POST", "/api/runs", "editor", json={"dataset": "jjj-demo"}).json()["run"]
        time.sleep(0.3)  # over 0.12 s while the build waits
        slow_build.set()
        job = _job_status(api, rid, ("timed_out",))
        assert job["errors"][0]["code"] == "timed_out" and "job_timeout_minutes" in job["errors"][0]["message"]
        assert not (runs / rid).exists()
    finally:
        api.client.close()
        api.app.state.hqd.jobs.shutdown()
        api.engine.dispose()


# ------------------------------------------------------------------------------------------ audit trail
def test_security_events_are_audited(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    """Logins (ok, failed), tokens, users and roles, uploads, registry writes with their values and
    deletions: one JSON line each on ``hqd.audit``, with who, when, what and from where."""
    import json
    import logging

    from hqd.api import auth

    caplog.set_level(logging.INFO, logger="hqd.audit")
    api.client.post("/api/auth/login", json={"username": "viewer", "password": "wrong-pass"})
    api.client.post("/api/auth/login", json={"username": "viewer", "password": "viewer-password"})
    token = api.request("POST", "/api/auth/tokens", "admin", json={"name": "ci"}).json()["info"]
    api.request("DELETE", f"/api/auth/tokens/{token['id']}", "admin")
    auth.add_user(api.engine, "newbie", "newbie-password", "viewer", actor="admin")
    auth.set_role(api.engine, "newbie", "editor", "130000")
    _project(api, "AU-1", "130200", note="first")
    api.request("PATCH", "/api/registry/projects/records/AU-1", "admin", json={"version": 1, "changes": {"note": "x"}})
    api.request("DELETE", "/api/registry/projects/records/AU-1?version=2", "admin")
    csv = b"project_id,name,region,investment_100m_cny,status\nAU-2,n,130200,1,signed\n"
    api.request("POST", "/api/registry/projects/import", "editor", files={"file": ("p.csv", csv)})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "hqd.audit"]
    seen = {(e["event"], e.get("outcome") or e.get("action") or e.get("kind")) for e in lines}
    assert {("login", "failed"), ("login", "ok"), ("token_created", None), ("token_revoked", None),
            ("user_added", None), ("role_changed", None), ("registry_write", "create"),
            ("registry_write", "update"), ("deleted", "projects"), ("upload", "registry_import")} <= seen, seen
    assert all(e["at"] and e["actor"] for e in lines)
    created = next(e for e in lines if e.get("action") == "create")
    assert created["actor"] == "admin" and created["client"] == "testclient"
    assert created["values"]["project_id"] == "AU-1" and created["values"]["note"] == "first"
    failed = next(e for e in lines if e.get("outcome") == "failed")
    assert failed["actor"] == "viewer" and failed["client"] == "testclient"
    assert next(e for e in lines if e["event"] == "user_added")["actor"] == "admin"


def test_anonymous_readers_see_no_user_names_or_server_paths(api: Api) -> None:
    import re

    _project(api, "AN-1", "130200")
    for path in ("/api/runs/jjj-demo", "/api/registry/projects/records/AN-1", "/api/registry/history?limit=5",
                 "/api/registry/projects/records?limit=5", "/api/jobs", "/api/runs", "/api/frameworks"):
        text = api.get(path).text
        assert "admin" not in text and "hqd-demo" not in text, (path, text[:300])
        assert not re.search(r'"/(?!api/)[^"\s]+/[^"\s]*"', text), (path, text[:300])
    # a logged-in reader sees them
    assert api.get("/api/registry/projects/records/AN-1", "viewer").json()["record"]["updated_by"] == "admin"
    manifest = api.get("/api/runs/jjj-demo").json()["manifest"]
    assert manifest  # still served, only without the server's folders
