"""Database fixtures for the registry tests: every test runs on SQLite and on PostgreSQL.

SQLite uses a fresh file in ``tmp_path``.  PostgreSQL uses ``$HQD_TEST_POSTGRES_URL`` (CI:
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) with a fresh schema per test, dropped afterwards,
so reruns start clean.  Without that variable, or when the server does not answer, the PostgreSQL cases
skip with the reason — unless ``HQD_REQUIRE_POSTGRES=1``, where they fail.

Test modules load them with ``pytest_plugins = ["registry_fixtures"]`` (fixtures ``registry_url``, ``registry_engine``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from hqd.registry import connect, init_db

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("HQD_REQUIRE_POSTGRES") == "1":
        pytest.fail(reason + " (HQD_REQUIRE_POSTGRES=1)")
    pytest.skip(reason)


def postgres_base_url() -> str:
    """The PostgreSQL test URL, or skip/fail as the module docstring says."""
    url = os.environ.get("HQD_TEST_POSTGRES_URL")
    if not url:
        _unavailable(
            "PostgreSQL registry tests need HQD_TEST_POSTGRES_URL, e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    probe = create_engine(url)
    try:
        probe.connect().close()
    except Exception as exc:  # any failure to connect means "unavailable"
        _unavailable(
            f"PostgreSQL at {make_url(url).render_as_string()} is unreachable: {exc.__class__.__name__}"
        )
    finally:
        probe.dispose()
    return url


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database (SQLite file, or a throw-away PostgreSQL schema)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'registry-{uuid.uuid4().hex[:8]}.sqlite'}"
        return
    base = postgres_base_url()
    schema = f"hqd_test_{uuid.uuid4().hex[:12]}"
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
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An initialised registry (schema + built-in taxonomy), per test, on each backend."""
    with fresh_database(request.param, tmp_path) as url:
        init_db(url)
        yield url


@pytest.fixture
def registry_engine(registry_url: str) -> Iterator[Engine]:
    eng = connect(registry_url)
    yield eng
    eng.dispose()
