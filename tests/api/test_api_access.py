"""Access control in depth: region scopes on registry writes, sessions with CSRF, the login rate limit,
tokens, and the change log naming the user.  SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from api_fixtures import Api, assert_error
from sqlalchemy import select, update

from hqd import registry
from hqd.api import auth, auth_db

pytest_plugins = ["api_fixtures"]


def _project(api: Api, key: str, region: str, origin: str | None = None, user: str = "admin") -> dict[str, Any]:
    values = {"project_id": key, "name": key, "region": region, "investment_100m_cny": 1.0, "status": "signed"}
    if origin:
        values["origin_region"] = origin
    r = api.request("POST", "/api/registry/projects/records", user, json=values)
    assert r.status_code == 201, r.text
    return dict(r.json()["record"])


def _patch(api: Api, user: str, key: str, version: int, changes: dict[str, Any]) -> Any:
    return api.request("PATCH", f"/api/registry/projects/records/{key}", user,
                       json={"version": version, "changes": changes})


# ------------------------------------------------------------------------------------------------ scopes
def test_hebei_editor_cannot_touch_beijing_projects(api: Api) -> None:
    bj = _project(api, "BJ-1", "110000")
    body = assert_error(_patch(api, "hebei", "BJ-1", bj["version"], {"investment_100m_cny": 5}), 403, "out_of_scope")
    assert body["errors"][0]["region"] == "110000" and body["errors"][0]["column"] == "region"
    assert_error(api.request("DELETE", "/api/registry/projects/records/BJ-1?version=1", "hebei"), 403, "out_of_scope")
    create = api.request("POST", "/api/registry/projects/records", "hebei", json={
        "project_id": "BJ-2", "name": "x", "region": "北京", "investment_100m_cny": 1, "status": "签约"})
    assert_error(create, 403, "out_of_scope")
    assert registry.get(api.engine, "projects", "BJ-1")["investment_100m_cny"] == 1.0  # unchanged
    assert registry.count(api.engine, "projects") == 61  # BJ-2 was not created
    # the Beijing editor and the admin may
    assert _patch(api, "beijing", "BJ-1", 1, {"investment_100m_cny": 5}).status_code == 200
    assert _patch(api, "admin", "BJ-1", 2, {"investment_100m_cny": 6}).status_code == 200


def test_city_scope_covers_only_that_city(api: Api) -> None:
    from hqd.api.auth import add_user, create_token

    add_user(api.engine, "tangshan", "tangshan-password", "editor", "唐山")
    api.tokens["tangshan"] = create_token(api.engine, "tangshan")[0]
    ts = _project(api, "TS-1", "130200")
    sjz = _project(api, "SJZ-1", "130100")
    assert _patch(api, "tangshan", "TS-1", ts["version"], {"note": "ok"}).status_code == 200
    assert_error(_patch(api, "tangshan", "SJZ-1", sjz["version"], {"note": "no"}), 403, "out_of_scope")
    assert _patch(api, "hebei", "SJZ-1", sjz["version"], {"note": "province covers city"}).status_code == 200


def test_moving_a_project_between_provinces_needs_both_sides(api: Api) -> None:
    """A Hebei editor can move projects between Hebei's cities, but neither take a Beijing project nor
    hand a Hebei project to Beijing; an unscoped editor can."""
    hb = _project(api, "HB-1", "130200", origin="110000")  # a transfer from Beijing into Tangshan
    assert_error(_patch(api, "hebei", "HB-1", 1, {"region": "110000"}), 403, "out_of_scope")
    assert_error(_patch(api, "beijing", "HB-1", 1, {"region": "110000"}), 403, "out_of_scope")
    moved = _patch(api, "hebei", "HB-1", hb["version"], {"region": "廊坊"})
    assert moved.status_code == 200 and moved.json()["record"]["region"] == "131000"
    # origin_region grants nothing: Beijing, where it came from, cannot edit it
    assert_error(_patch(api, "beijing", "HB-1", 2, {"note": "x"}), 403, "out_of_scope")
    across = _patch(api, "editor", "HB-1", 2, {"region": "110000"})
    assert across.status_code == 200 and across.json()["record"]["region"] == "110000"


def test_unlocated_entities_need_an_unscoped_writer(api: Api) -> None:
    task = api.get("/api/registry/tasks/records?limit=1").json()["items"][0]
    body = {"version": task["version"], "changes": {"status": "done"}}
    assert_error(api.request("PATCH", f"/api/registry/tasks/records/{task['code']}", "hebei", json=body),
                 403, "out_of_scope")
    assert api.request("PATCH", f"/api/registry/tasks/records/{task['code']}", "editor", json=body).status_code == 200


def test_enterprises_are_scoped_by_city(api: Api) -> None:
    ent = api.get("/api/registry/enterprises/records?in_region=110000&limit=1").json()["items"]
    if not ent:
        pytest.skip("the small synthetic demo has no Beijing enterprise")
    body = {"version": ent[0]["version"], "changes": {"note": "x"}}
    key = ent[0]["credit_code"]
    assert_error(api.request("PATCH", f"/api/registry/enterprises/records/{key}", "hebei", json=body),
                 403, "out_of_scope")
    assert api.request("PATCH", f"/api/registry/enterprises/records/{key}", "beijing", json=body).status_code == 200


def _csv(frame: pd.DataFrame) -> dict[str, Any]:
    return {"file": ("projects.csv", frame.to_csv(index=False).encode("utf-8"))}


def test_scoped_import_checks_every_row(api: Api) -> None:
    _project(api, "BJ-9", "110000")
    rows = pd.DataFrame({"project_id": ["HB-10", "BJ-9", "BJ-10"], "name": ["a", "b", "c"],
                         "region": ["保定", "130600", "北京"], "investment_100m_cny": ["1", "2", "3"],
                         "status": ["signed", "signed", "signed"]})
    body = assert_error(api.request("POST", "/api/registry/projects/import", "hebei", files=_csv(rows)),
                        403, "out_of_scope")
    where = sorted((e["row"], e["region"]) for e in body["errors"])
    assert where == [(3, "110000"), (4, "110000")]  # BJ-9 is stored in Beijing; BJ-10 would be
    assert registry.count(api.engine, "projects") == 61  # nothing written
    ok = api.request("POST", "/api/registry/projects/import", "hebei", files=_csv(rows.iloc[:1]))
    assert ok.status_code == 200 and ok.json()["report"]["inserted"] == 1


def test_scoped_import_checks_rows_where_they_are_when_written(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record moved out of the scope after the file was read is checked where it is now: refused."""
    from hqd.api.routers import registry as router

    _project(api, "HB-20", "130200")
    original = router.reg.read_table

    def read_then_move(*args: Any, **kwargs: Any) -> Any:
        raw = original(*args, **kwargs)
        registry.update(api.engine, "projects", "HB-20", {"region": "110000"}, expected_version=1, actor="admin")
        return raw

    monkeypatch.setattr(router.reg, "read_table", read_then_move)
    rows = pd.DataFrame({"project_id": ["HB-20"], "name": ["moved"], "region": ["130200"],
                         "investment_100m_cny": ["9"], "status": ["signed"]})
    body = assert_error(api.request("POST", "/api/registry/projects/import", "hebei", files=_csv(rows)),
                        403, "out_of_scope")
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["region"] == "110000"
    rec = registry.get(api.engine, "projects", "HB-20")
    assert (rec["region"], rec["name"]) == ("110000", "HB-20")  # the admin's move stands, the import wrote nothing


# ------------------------------------------------------------- payload shapes cannot slip past the scope
LIST_PAYLOADS = [["110000"], ["北京"], {"code": "110000"}, [["110000"]]]


@pytest.mark.parametrize("region", LIST_PAYLOADS, ids=["code-list", "name-list", "object", "nested"])
def test_a_list_valued_region_is_checked_as_the_stored_code(api: Api, region: Any) -> None:
    """``"region": ["110000"]`` used to be looked up as text (no region found: allowed) and then stored as
    110000.  The scope is now checked on the validated value: refused, or refused as invalid — never written."""
    before = registry.count(api.engine, "projects")
    create = api.request("POST", "/api/registry/projects/records", "hebei", json={
        "project_id": "LIST-1", "name": "x", "region": region, "investment_100m_cny": 1, "status": "签约"})
    assert create.status_code in (400, 403), create.text
    assert registry.count(api.engine, "projects") == before
    hb = _project(api, "HB-LIST", "130200")
    moved = _patch(api, "hebei", "HB-LIST", hb["version"], {"region": region})
    assert moved.status_code in (400, 403), moved.text
    assert registry.get(api.engine, "projects", "HB-LIST")["region"] == "130200"


def test_a_list_valued_city_cannot_place_an_enterprise_in_beijing(api: Api) -> None:
    from hqd.registry.credit_code import complete

    code = complete("91110000MA0000001")
    r = api.request("POST", "/api/registry/enterprises/records", "hebei",
                    json={"credit_code": code, "name": "北京某公司", "city": ["北京"]})
    assert r.status_code in (400, 403), r.text
    assert registry.list_records(api.engine, "enterprises", where={"credit_code": code}) == []
    zone = api.request("POST", "/api/registry/zones/records", "hebei",
                       json={"code": "bj_zone_x", "name_zh": "某园区", "level": "national", "city": ["110000"]})
    assert zone.status_code in (400, 403), zone.text


def test_delete_checks_the_scope_of_the_row_it_deletes(api: Api) -> None:
    """An admin moves a Hebei project to Beijing; the Hebei editor's delete at the new version is refused
    (the check runs on the locked row in the deleting transaction), at the old version it is a conflict."""
    _project(api, "HB-DEL", "130200")
    registry.update(api.engine, "projects", "HB-DEL", {"region": "110000"}, expected_version=1, actor="admin")
    assert_error(api.request("DELETE", "/api/registry/projects/records/HB-DEL?version=1", "hebei"), 409, "conflict")
    assert_error(api.request("DELETE", "/api/registry/projects/records/HB-DEL?version=2", "hebei"), 403,
                 "out_of_scope")
    assert registry.get(api.engine, "projects", "HB-DEL")["region"] == "110000"


# ----------------------------------------------------------------------------------------- change log
def test_every_write_is_logged_with_the_user(api: Api) -> None:
    _project(api, "LOG-1", "130100", user="hebei")
    _patch(api, "editor", "LOG-1", 1, {"investment_100m_cny": 2.5})
    api.request("DELETE", "/api/registry/projects/records/LOG-1?version=2", "admin")
    log = registry.history(api.engine, "projects", "LOG-1")[["action", "actor"]].drop_duplicates()
    assert list(zip(log["action"], log["actor"], strict=True)) == [
        ("delete", "admin"), ("update", "editor"), ("insert", "hebei")]


# ------------------------------------------------------------------------------------- sessions & CSRF
def _login(api: Api, user: str) -> str:
    r = api.client.post("/api/auth/login", json={"username": user, "password": f"{user}-password"})
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])


def test_browser_session_writes_need_the_csrf_header(api: Api) -> None:
    csrf = _login(api, "editor")
    assert api.client.get("/api/auth/me").json()["user"]["via"] == "session"
    rec = api.client.get("/api/registry/projects/records/示例项目0001").json()["record"]
    change = {"version": rec["version"], "changes": {"note": "via browser"}}
    url = "/api/registry/projects/records/示例项目0001"
    assert_error(api.client.patch(url, json=change), 403, "csrf_failed")
    assert_error(api.client.patch(url, json=change, headers={"X-CSRF-Token": "guess"}), 403, "csrf_failed")
    r = api.client.patch(url, json=change, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["record"]["updated_by"] == "editor"
    # the header must also equal the cookie (double submit)
    api.client.cookies.set("hqd_csrf", "other")
    assert_error(api.client.patch(url, json={**change, "version": change["version"] + 1},
                                  headers={"X-CSRF-Token": csrf}), 403, "csrf_failed")


def test_session_cookie_flags_and_logout(api: Api) -> None:
    r = api.client.post("/api/auth/login", json={"username": "viewer", "password": "viewer-password"})
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("hqd_session="))
    csrf = next(c for c in cookies if c.startswith("hqd_csrf="))
    assert "HttpOnly" in session and "samesite=lax" in session.lower() and "HttpOnly" not in csrf
    assert_error(api.client.post("/api/auth/logout"), 403, "csrf_failed")
    assert api.client.post("/api/auth/logout", headers={"X-CSRF-Token": r.json()["csrf_token"]}).status_code == 200
    with api.engine.connect() as conn:
        assert conn.execute(select(auth_db.sessions)).all() == []


def test_expired_session_is_anonymous(api: Api) -> None:
    _login(api, "editor")
    with api.engine.begin() as conn:
        conn.execute(update(auth_db.sessions).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert api.client.get("/api/auth/me").json()["user"] is None
    assert_error(api.client.post("/api/registry/projects/records", json={"project_id": "x"}), 401, "unauthenticated")


def test_wrong_password_and_unknown_user_look_the_same(api: Api) -> None:
    a = assert_error(api.client.post("/api/auth/login", json={"username": "admin", "password": "nope-nope"}), 401)
    b = assert_error(api.client.post("/api/auth/login", json={"username": "ghost", "password": "nope-nope"}), 401)
    assert a == b and a["error"] == "invalid_credentials"


def test_login_is_rate_limited_per_user_and_address(api: Api) -> None:
    limit = api.app.state.hqd.settings.login_max_attempts
    for _ in range(limit):
        assert_error(api.client.post("/api/auth/login", json={"username": "admin", "password": "wrong-one"}), 401)
    r = api.client.post("/api/auth/login", json={"username": "admin", "password": "admin-password"})
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) > 0
    # another user from the same address is not locked out
    assert api.client.post("/api/auth/login", json={"username": "viewer", "password": "viewer-password"}
                           ).status_code == 200
    with api.engine.connect() as conn:
        rows = conn.execute(select(auth_db.login_attempts)).all()
    counts = {r.key: r.failures for r in rows}
    # per pair, per account, per address; the viewer's success gave back the attempt it reserved
    assert counts == {"admin|testclient": limit, "user:admin": limit, "addr:testclient": limit, "user:viewer": 0}


def test_rate_limit_survives_a_restart(api: Api) -> None:
    from fastapi.testclient import TestClient

    from hqd.api.app import create_app

    limit = api.app.state.hqd.settings.login_max_attempts
    for _ in range(limit):
        api.client.post("/api/auth/login", json={"username": "editor", "password": "wrong-one"})
    restarted = create_app(api.app.state.hqd.settings)
    with TestClient(restarted, raise_server_exceptions=False) as client:
        assert_error(client.post("/api/auth/login", json={"username": "editor", "password": "editor-password"}),
                     429, "rate_limited")
    restarted.state.hqd.engine.dispose()


def test_attempt_table_is_bounded(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "MAX_ATTEMPT_KEYS", 5)
    for i in range(12):
        api.client.post("/api/auth/login", json={"username": f"spray{i}", "password": "wrong-one"})
    with api.engine.connect() as conn:
        keys = [r.key for r in conn.execute(select(auth_db.login_attempts)).all()]
    assert len(keys) == 5 and "spray11|testclient" in keys


def test_window_end_unlocks(api: Api) -> None:
    limit = api.app.state.hqd.settings.login_max_attempts
    for _ in range(limit):
        api.client.post("/api/auth/login", json={"username": "admin", "password": "wrong-one"})
    with api.engine.begin() as conn:
        conn.execute(update(auth_db.login_attempts).values(
            window_start=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
    assert api.client.post("/api/auth/login", json={"username": "admin", "password": "admin-password"}
                           ).status_code == 200


# ------------------------------------------------------------------------------------- passwords, tokens
def test_passwords_and_tokens_are_stored_hashed(api: Api) -> None:
    with api.engine.connect() as conn:
        users = conn.execute(select(auth_db.users.c.password_hash)).scalars().all()
        tokens = conn.execute(select(auth_db.tokens.c.token_hash)).scalars().all()
    assert all(h.startswith("$argon2id$") for h in users)
    assert not set(api.tokens.values()) & set(tokens)
    assert {auth.sha256(t) for t in api.tokens.values()} <= set(tokens)


def test_old_hash_parameters_are_upgraded_at_login(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    with api.engine.connect() as conn:
        before = conn.execute(select(auth_db.users.c.password_hash).where(auth_db.users.c.username == "viewer")
                              ).scalar_one()
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    _login(api, "viewer")
    with api.engine.connect() as conn:
        after = conn.execute(select(auth_db.users.c.password_hash).where(auth_db.users.c.username == "viewer")
                             ).scalar_one()
    assert before != after and "t=2" in after


def test_expired_token_is_refused(api: Api) -> None:
    with api.engine.begin() as conn:
        conn.execute(update(auth_db.tokens).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert_error(api.get("/api/auth/me", "admin"), 401, "invalid_token")


def test_users_service_validation(api: Api) -> None:
    from hqd.errors import HqdError

    cases = [(("x y", "password-1", "viewer", None), "invalid_username"),
             (("new", "short", "viewer", None), "weak_password"),
             (("new", "password-1", "boss", None), "invalid_role"),
             (("new", "password-1", "viewer", "130000"), "invalid_scope"),
             (("new", "password-1", "editor", "上海"), "invalid_scope"),
             (("admin", "password-1", "viewer", None), "conflict")]
    for args, code in cases:
        with pytest.raises(HqdError) as err:
            auth.add_user(api.engine, *args)
        assert err.value.codes == [code]
    assert auth.set_role(api.engine, "viewer", "editor", "石家庄")["scope"] == "130100"


@pytest.mark.parametrize(("scope", "region", "covered"), [
    (None, "110000", True), (None, None, True), ("130000", "130200", True), ("130000", "131082", True),
    ("130000", "110000", False), ("130200", "130200", True), ("130200", "130281", True),
    ("130200", "130100", False), ("110000", "110105", True), ("130000", "JJJ", False), ("130000", None, False),
])
def test_covers(scope: str | None, region: str | None, covered: bool) -> None:
    assert auth.covers(scope, region) is covered


def test_records_say_whether_the_user_may_edit_them(api: Api) -> None:
    _project(api, "ED-BJ", "110000")
    _project(api, "ED-HB", "130900")
    for user, bj, hb in ((None, False, False), ("viewer", False, False), ("hebei", False, True),
                         ("beijing", True, False), ("editor", True, True), ("admin", True, True)):
        got = {r["project_id"]: r["_editable"] for r in api.get(
            "/api/registry/projects/records?project_id=ED-BJ", user).json()["items"] + api.get(
            "/api/registry/projects/records?project_id=ED-HB", user).json()["items"]}
        assert got == {"ED-BJ": bj, "ED-HB": hb}, user
        assert api.get("/api/registry/projects/records/ED-HB", user).json()["record"]["_editable"] is hb
    task = api.get("/api/registry/tasks/records?limit=1", "hebei").json()["items"][0]
    assert task["_editable"] is False  # tasks have no region: unscoped writers only


# --------------------------------------------------------------------- imports racing other writes
def _beijing_enterprises(n: int, zone: str, start: int = 0) -> pd.DataFrame:
    from hqd.registry.credit_code import complete

    codes = [complete(f"91110000MA{start + i:07d}") for i in range(n)]
    return pd.DataFrame({"credit_code": codes, "name": [f"北京企业{start + i}" for i in range(n)],
                         "city": ["北京"] * n, "zone": [zone] * n})


def _zone(code: str) -> dict[str, Any]:
    return {"code": code, "name_zh": code, "level": "provincial", "city": "唐山"}


def _hebei_in_beijing(api: Api) -> int:
    rows = registry.list_records(api.engine, "enterprises")
    return sum(1 for r in rows if str(r["city"]).startswith("11"))


def test_an_import_cannot_outrun_its_scope_check_by_creating_a_zone(api: Api,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The import race: the scope check's validation failed (zone unknown), so no row was checked; the zone
    was created; the import's own validation then passed and wrote Beijing enterprises.  Now the one
    validation is the one whose rows the guard checks inside the writing transaction."""
    from hqd.registry import imports

    before = _hebei_in_beijing(api)
    original = imports.validate_frame
    calls = {"n": 0}

    def validate_then_create_zone(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 1:
            registry.create(api.engine, "zones", _zone("race_zone_1"), actor="hebei")
        return out

    monkeypatch.setattr(imports, "validate_frame", validate_then_create_zone)
    files = {"file": ("enterprises.csv", _beijing_enterprises(20, "race_zone_1").to_csv(index=False).encode())}
    r = api.request("POST", "/api/registry/enterprises/import", "hebei", files=files)
    assert r.status_code in (400, 403), r.text
    assert _hebei_in_beijing(api) == before
    # once the zone exists, the same file is refused for its scope, row by row
    body = assert_error(api.request("POST", "/api/registry/enterprises/import", "hebei", files=files), 403,
                        "out_of_scope")
    assert len(body["errors"]) == 20 and {e["row"] for e in body["errors"]} == set(range(2, 22))


@pytest.mark.slow
def test_concurrent_imports_and_zone_creations_never_leave_the_scope(api: Api) -> None:
    """Through a real server: a Hebei editor's imports of Beijing enterprises naming a zone race the same
    editor's creation of that zone, and list-valued regions race plain edits; nothing lands outside Hebei."""
    import threading

    import httpx
    from api_fixtures import serve

    before = _hebei_in_beijing(api)
    projects_before = registry.count(api.engine, "projects")
    token = api.tokens["hebei"]
    statuses: list[int] = []
    lock = threading.Lock()

    def post(base: str, path: str, **kw: Any) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
            r = client.post(path, **kw)
        with lock:
            statuses.append(r.status_code)

    with serve(api.app) as base:
        for round_ in range(6):
            zone = f"race_zone_c{round_}"
            csv = _beijing_enterprises(50, zone, start=1000 * (round_ + 1)).to_csv(index=False).encode()
            jobs = [
                threading.Thread(target=post, args=(base, "/api/registry/enterprises/import"),
                                 kwargs={"files": {"file": ("e.csv", csv)}}),
                threading.Thread(target=post, args=(base, "/api/registry/zones/records"),
                                 kwargs={"json": _zone(zone)}),
                threading.Thread(target=post, args=(base, "/api/registry/projects/records"),
                                 kwargs={"json": {"project_id": f"RACE-{round_}", "name": "x", "region": ["110000"],
                                                  "investment_100m_cny": 1, "status": "签约"}}),
            ]
            for job in jobs:
                job.start()
            for job in jobs:
                job.join(timeout=300)
    assert len(statuses) == 18 and 500 not in statuses, statuses
    assert _hebei_in_beijing(api) == before
    assert registry.count(api.engine, "projects") == projects_before
