"""Alembic environment for the HQD registry (run programmatically by ``hqd.registry.db.upgrade``)."""

from __future__ import annotations

from hqd.registry.db import run_alembic_env
from hqd.registry.models import metadata

run_alembic_env(metadata)
