"""Alembic environment for the HQD registry (run programmatically by ``hqd.registry.db.upgrade``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from hqd.registry.models import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use the connection handed over in ``config.attributes``; else connect to ``sqlalchemy.url``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from hqd.registry.db import connect

    url = config.get_main_option("sqlalchemy.url")
    engine = connect(url) if url else create_engine("sqlite://")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
