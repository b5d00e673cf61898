"""A property-based run of the OpenAPI document (schemathesis) against the app served by uvicorn on a
loopback port: no generated request may cause a 500.

Requests go out as the admin (so write routes get past authentication and exercise validation, scopes
and the services) and every error must have the one shape.  Bounded: a few examples per operation, on
SQLite and (when available) PostgreSQL, which refuses more kinds of text than SQLite.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_fixtures import BACKENDS, ERROR_KEYS, fresh_database, make_api, serve
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

pytest_plugins = ["api_fixtures"]

EXAMPLES = 25


@pytest.fixture(scope="module", params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, runs_template: Path
           ) -> Iterator[tuple[Any, Any]]:
    from api_fixtures import CHEAP_HASHER

    from hqd.api import auth

    folder = tmp_path_factory.mktemp(f"schemathesis-{request.param}")
    runs = folder / "runs"
    shutil.copytree(runs_template, runs)
    hasher = auth.HASHER
    auth.HASHER = CHEAP_HASHER
    try:
        with fresh_database(str(request.param), folder) as url:
            api = make_api(url, runs)
            with serve(api.app) as base:
                schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
                yield schema, api
            api.engine.dispose()
    finally:
        auth.HASHER = hasher


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.slow
def test_no_server_errors(served: tuple[Any, Any]) -> None:
    from hqd.api import auth

    schema, api = served
    failures: list[str] = []
    operations = _operations(schema)
    assert len(operations) > 50
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            # a fresh admin token per request: a generated DELETE /api/auth/tokens/{id} may revoke any earlier one
            token = auth.create_token(api.engine, "admin", "fuzz")[0]
            response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=60)
            case.validate_response(response, checks=(not_a_server_error,))
            content_type = (response.headers.get("content-type") or [""])[0]
            if response.status_code >= 400 and content_type.startswith("application/json"):
                body = response.json()
                assert set(body) == ERROR_KEYS and body["ok"] is False and body["status"] == response.status_code

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
