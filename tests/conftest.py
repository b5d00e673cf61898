"""Shared fixtures: where the reference data in ../shared lives, and how its absence is handled.

Tests that read ``../shared`` use the ``shared`` fixture.  Where the folder is absent they skip with a
visible reason, except when ``HQD_REQUIRE_SHARED=1`` (set by ``.ci/run``), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HQD_SHARED", REPO.parent / "shared")).resolve()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip (fail under HQD_REQUIRE_SHARED=1) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"shared reference data not found: {path}"
        if os.environ.get("HQD_REQUIRE_SHARED") == "1":
            pytest.fail(reason + " (HQD_REQUIRE_SHARED=1)")
        pytest.skip(reason)
    return path


@pytest.fixture
def shared() -> Path:
    """The ../shared folder (skips or fails as described in the module docstring)."""
    return shared_path()


CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def shared_browser() -> Iterator[Any]:
    """One Playwright-driven Debian Chromium per test process, shared by the report and dashboard tests.

    Playwright's sync API allows one running instance per thread, so the test folders must not each
    start their own.  Skips with the reason when Chromium or Playwright is missing; fails instead under
    ``HQD_REQUIRE_BROWSER=1`` (set by ``.ci/run``).
    """
    reason = None
    if not Path(CHROMIUM).is_file():
        reason = f"Chromium not found at {CHROMIUM} (Debian: apt install chromium fonts-wqy-microhei)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            reason = "the playwright package is not installed (pip install -e '.[test]')"
    if reason is not None:
        if os.environ.get("HQD_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (HQD_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _postgres_unavailable(reason: str) -> NoReturn:
    if os.environ.get("HQD_REQUIRE_POSTGRES") == "1":
        pytest.fail(reason + " (HQD_REQUIRE_POSTGRES=1)")
    pytest.skip(reason)


def postgres_base_url() -> str:
    """``HQD_TEST_POSTGRES_URL`` if the server answers; else skip (fail under ``HQD_REQUIRE_POSTGRES=1``)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = os.environ.get("HQD_TEST_POSTGRES_URL")
    if not url:
        _postgres_unavailable("PostgreSQL tests need HQD_TEST_POSTGRES_URL, e.g. "
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    probe = create_engine(url)
    try:
        probe.connect().close()
    except Exception as exc:  # any failure to connect means "unavailable"
        _postgres_unavailable(f"PostgreSQL at {make_url(url).render_as_string()} is unreachable: "
                              f"{exc.__class__.__name__}")
    finally:
        probe.dispose()
    return url


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a throw-away PostgreSQL schema dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if backend == "sqlite":
        yield f"sqlite:///{folder / f'hqd-{uuid.uuid4().hex[:8]}.sqlite'}"
        return
    base = postgres_base_url()
    schema = f"hqd_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
