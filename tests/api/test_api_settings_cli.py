"""Settings declared once (code, CLI, docs agree), ``hqd users``, and ``hqd serve`` as a real process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_fixtures import free_port, fresh_database
from typer.testing import CliRunner

from hqd.api import errors
from hqd.api.settings import SETTINGS, ApiSettings, check_declaration, settings_table
from hqd.cli.main import _register, app
from hqd.errors import HqdError

pytest_plugins = ["api_fixtures"]

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "api.md"


def test_settings_dataclass_matches_the_declaration() -> None:
    assert check_declaration() == []


def test_docs_hold_the_generated_settings_table() -> None:
    assert settings_table() in DOC.read_text(encoding="utf-8")


def test_every_reason_code_with_a_status_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [code for code in {*errors.STATUS_OF, *errors.CODE_OF_STATUS.values()} if f"`{code}`" not in text]
    assert missing == []


def test_serve_help_lists_every_setting() -> None:
    _register()
    result = CliRunner().invoke(app, ["serve", "--help"], terminal_width=200)
    assert result.exit_code == 0
    flat = re.sub(r"\s+", " ", result.output)
    for s in SETTINGS:
        assert s.name in flat and s.env in flat, s.name


def test_resolve_from_arguments_environment_and_defaults() -> None:
    s = ApiSettings.resolve({"port": "9001", "public_read": "false"},
                            {"HQD_MAX_UPLOAD_MB": "2.5", "HQD_DATABASE_URL": "sqlite:///x.sqlite", "HQD_PORT": "1"})
    assert (s.port, s.public_read, s.max_upload_mb, s.db) == (9001, False, 2.5, "sqlite:///x.sqlite")
    assert s.max_upload_bytes == int(2.5 * 1024 * 1024) and s.session_hours == 12.0
    with pytest.raises(HqdError) as err:
        ApiSettings.resolve({"port": "eighty", "public_read": "maybe", "colour": "blue"},
                            {"HQD_PAGE_SIZE_MAX": "-3"})
    assert sorted(err.value.codes) == ["invalid_setting", "invalid_setting", "invalid_setting", "unknown_setting"]
    assert {p.column for p in err.value.problems} == {"port", "public_read", "colour", "page_size_max"}


def _run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hqd.cli", *args], capture_output=True, text=True, input=input,
                          env={**os.environ, **(env or {})}, timeout=120, cwd=REPO)


def _users(*args: str, url: str, input: str | None = None) -> Any:
    _register()
    return CliRunner().invoke(app, ["users", *args], env={"HQD_DATABASE_URL": url}, input=input,
                              terminal_width=200)


def test_users_cli(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        assert _users("add", "alice", "--role", "admin", "--password", "alice-password", url=url).exit_code == 0
        added = _users("add", "hb", "--role", "editor", "--scope", "河北", url=url,
                       input="hb-password\nhb-password\n")  # prompted, with confirmation
        assert added.exit_code == 0, added.output
        listed = _users("list", url=url)
        assert "alice" in listed.output and "130000" in listed.output
        bad = _users("add", "bob", "--role", "boss", "--password", "bob-password", url=url)
        assert isinstance(bad.exception, HqdError) and bad.exception.codes == ["invalid_role"]
        again = _users("add", "alice", "--password", "alice-password", url=url)
        assert isinstance(again.exception, HqdError) and again.exception.codes == ["conflict"]
        assert _users("set-role", "hb", "viewer", url=url).exit_code == 0
        token = _users("token", "alice", "--name", "ci", url=url)
        secret = token.output.strip().splitlines()[-1]
        assert token.exit_code == 0 and secret.startswith("hqd_")
        from hqd.api import auth
        from hqd.registry import connect

        engine = connect(url)
        try:
            assert auth.token_principal(engine, secret).username == "alice"  # type: ignore[union-attr]
            assert auth.get_user(engine, "hb")["role"] == "viewer"
        finally:
            engine.dispose()
        assert _users("remove", "hb", url=url).exit_code == 0
        gone = _users("remove", "hb", url=url)
        assert isinstance(gone.exception, HqdError) and gone.exception.codes == ["not_found"]


def test_users_cli_errors_exit_2(tmp_path: Path) -> None:
    """Through the console script: an HqdError is a problem list and status 2."""
    url = f"sqlite:///{tmp_path / 'u.sqlite'}"
    result = _run("users", "add", "x y", "--password", "password-1", env={"HQD_DATABASE_URL": url})
    assert result.returncode == 2 and "invalid_username" in result.stderr


def test_serve_runs_the_api_on_a_loopback_port(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "serve.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hqd.cli", "serve", "--port", str(port), "--db", str(db), "--runs", str(tmp_path / "runs"),
         "--login-read", "--setting", "max_upload_mb=0.5", "--setting", "login_max_attempts=2"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{base}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.2)
        assert health.json()["public_read"] is False
        assert httpx.get(f"{base}/api/runs").status_code == 401  # --login-read
        big = httpx.post(f"{base}/api/datasets", files={"file": ("p.csv", b"x" * 600_000)})
        assert big.status_code == 413 and big.json()["error"] == "payload_too_large"
        codes = [httpx.post(f"{base}/api/auth/login", json={"username": "u", "password": "p"}).status_code
                 for _ in range(3)]
        assert codes == [401, 401, 429]  # login_max_attempts=2
        doc = httpx.get(f"{base}/openapi.json").json()
        assert "/api/registry/{entity}/records" in doc["paths"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_bad_serve_settings_exit_2(tmp_path: Path) -> None:
    result = _run("serve", "--setting", "port=x", "--setting", "nonsense", "--runs", str(tmp_path))
    assert result.returncode == 2 and "invalid_setting" in result.stderr
