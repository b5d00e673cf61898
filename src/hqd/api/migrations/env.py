"""Alembic environment for the API's auth tables (run programmatically by ``hqd.api.auth_db.upgrade``).

Its own version table (``alembic_version_auth``) and its own metadata keep this chain apart from the
registry's, in the same database.
"""

from __future__ import annotations

from typing import Any

from hqd.api.auth_db import VERSION_TABLE, metadata
from hqd.registry.db import run_alembic_env


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Only the auth tables take part (the registry's tables share the database)."""
    if type_ == "table":
        return bool(name) and str(name).startswith("auth_")
    return True


run_alembic_env(metadata, version_table=VERSION_TABLE, include_object=_ours)
