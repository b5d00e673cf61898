"""Fixtures for the API tests: an app per test on SQLite and on PostgreSQL, users of every role, the demo run.

- Database: a fresh SQLite file, or a throw-away PostgreSQL schema under ``$HQD_TEST_POSTGRES_URL`` (dropped
  afterwards).  Without that variable or server the PostgreSQL cases skip with the reason, unless
  ``HQD_REQUIRE_POSTGRES=1`` (CI), where they fail.
- Runs folder: a copy of a session-wide template holding the demo run ``jjj-demo`` (built once, as
  ``hqd serve --demo`` builds it, with its analyses and a small uncertainty analysis).
- Users: ``admin``, ``editor`` (no scope), ``hebei`` (editor, scope 130000), ``beijing`` (editor, 110000),
  ``viewer``, each with an API token; passwords are ``<name>-password``.  Password hashing uses cheap
  argon2 parameters here only (the server's defaults cost ~50 ms a hash).
- Registry: the synthetic demo data, small (60 projects, 20 enterprises, the demo ledger).

Test modules load them with ``pytest_plugins = ["api_fixtures"]``.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from conftest import fresh_database
from hqd.api import auth
from hqd.api.app import build_demo_run, create_app
from hqd.api.settings import ApiSettings
from hqd.api.storage import Storage

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
USERS = {"admin": ("admin", None), "editor": ("editor", None), "hebei": ("editor", "130000"),
         "beijing": ("editor", "110000"), "viewer": ("viewer", None)}
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
ERROR_KEYS = {"ok", "error", "errors", "status"}


# postgres_base_url and fresh_database are shared with the other test folders (tests/conftest.py).
def assert_error(response: httpx.Response, status: int | None = None, code: str | None = None) -> dict[str, Any]:
    """The response is an error in the one shape (and has ``status`` / reason ``code`` when given)."""
    assert response.headers["content-type"].startswith("application/json"), response.text[:300]
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["ok"] is False
    assert body["status"] == response.status_code
    assert isinstance(body["errors"], list) and body["errors"], body
    assert body["error"] == body["errors"][0]["code"]
    for item in body["errors"]:
        assert isinstance(item["code"], str) and isinstance(item["message"], str) and item["message"]
    if status is not None:
        assert response.status_code == status, body
    if code is not None:
        assert code in [e["code"] for e in body["errors"]], body
    return body


@dataclass
class Api:
    """An app under test with its client, database and users."""

    app: FastAPI
    client: TestClient
    url: str
    runs: Path
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def engine(self) -> Engine:
        engine: Engine = self.app.state.hqd.engine
        return engine

    def auth(self, user: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}

    def request(self, method: str, path: str, user: str | None = None, **kw: Any) -> httpx.Response:
        headers = {**self.auth(user), **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def get(self, path: str, user: str | None = None, **kw: Any) -> httpx.Response:
        return self.request("GET", path, user, **kw)


def add_users(engine: Engine) -> dict[str, str]:
    tokens = {}
    for name, (role, scope) in USERS.items():
        auth.add_user(engine, name, f"{name}-password", role, scope)
        tokens[name] = auth.create_token(engine, name, "tests")[0]
    return tokens


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "HASHER", CHEAP_HASHER)
    monkeypatch.setattr(auth, "_dummy", [])


@pytest.fixture(scope="session")
def runs_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runs folder with the demo run, built once per session."""
    root = tmp_path_factory.mktemp("runs-template")
    build_demo_run(Storage(root), uncertainty_runs=200)
    return root


def make_api(url: str, runs: Path, *, load_registry: bool = True, **settings: Any) -> Api:
    app = create_app(ApiSettings(db=url, runs=str(runs), **settings))
    api = Api(app, TestClient(app, raise_server_exceptions=False), url, runs)
    api.tokens = add_users(api.engine)
    if load_registry:
        from hqd import registry

        registry.load_demo(api.engine, n_projects=60, n_enterprises=20)
    return api


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api(backend: str, tmp_path: Path, runs_template: Path) -> Iterator[Api]:
    """A fresh app per test (fresh database, a copy of the runs template), public reading."""
    runs = tmp_path / "runs"
    shutil.copytree(runs_template, runs)
    with fresh_database(backend, tmp_path) as url:
        api = make_api(url, runs)
        try:
            yield api
        finally:
            api.client.close()
            api.engine.dispose()


@pytest.fixture
def login_api(backend: str, tmp_path: Path, runs_template: Path) -> Iterator[Api]:
    """As ``api``, with reading restricted to logged-in users."""
    runs = tmp_path / "runs"
    shutil.copytree(runs_template, runs)
    with fresh_database(backend, tmp_path) as url:
        api = make_api(url, runs, public_read=False)
        try:
            yield api
        finally:
            api.client.close()
            api.engine.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a thread; yields the base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
