"""Database fixtures for the registry tests: every test runs on SQLite and on PostgreSQL.

SQLite uses a fresh file in ``tmp_path``.  PostgreSQL uses ``$HQD_TEST_POSTGRES_URL`` (CI:
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) with a fresh schema per test, dropped afterwards,
so reruns start clean.  Without that variable, or when the server does not answer, the PostgreSQL cases
skip with the reason — unless ``HQD_REQUIRE_POSTGRES=1``, where they fail.

Test modules load them with ``pytest_plugins = ["registry_fixtures"]`` (fixtures ``registry_url``, ``registry_engine``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from conftest import fresh_database
from hqd.registry import connect, init_db

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


# postgres_base_url and fresh_database are shared with the other test folders (tests/conftest.py).
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
