"""Connecting to the registry database and creating or upgrading its schema.

Where the database is
    ``--db URL`` on the command line, else the environment variable ``HQD_DATABASE_URL``, else the SQLite
    file ``./hqd-registry.sqlite`` in the working directory.  A value without ``://`` is read as the path
    of a SQLite file.  PostgreSQL: ``postgresql+psycopg://user@host:5432/dbname``.

SQLite settings
    Foreign keys are switched on for every connection (``PRAGMA foreign_keys=ON``); file databases use
    write-ahead logging (``journal_mode=WAL``) so readers never wait for a writer, and a 30 s busy timeout.
    Write transactions start with ``BEGIN IMMEDIATE`` (see :func:`write`), so two writers queue for the
    lock up front instead of failing when a read transaction tries to become a write transaction.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

ENV_VAR = "HQD_DATABASE_URL"
DEFAULT_PATH = "hqd-registry.sqlite"
BUSY_TIMEOUT_S = 30.0

EngineLike = Engine | str


def resolve_url(url: str | None = None) -> str:
    """The database URL: ``url``, else ``$HQD_DATABASE_URL``, else ``sqlite:///./hqd-registry.sqlite``.

    A value without ``://`` is taken as the path of a SQLite file.
    """
    value = url or os.environ.get(ENV_VAR) or DEFAULT_PATH
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN is unreliable).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
    if mode != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("hqd_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def connect(url: str | None = None, **kwargs: Any) -> Engine:
    """An :class:`~sqlalchemy.Engine` for the registry at ``url`` (resolved by :func:`resolve_url`)."""
    resolved = make_url(resolve_url(url))
    if resolved.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {}).setdefault("timeout", BUSY_TIMEOUT_S)
        engine = create_engine(resolved, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(resolved, **kwargs)


@contextmanager
def engine_for(target: EngineLike | None) -> Iterator[Engine]:
    """Use ``target`` if it is an engine; otherwise connect to the URL and dispose afterwards."""
    if isinstance(target, Engine):
        yield target
        return
    engine = connect(target)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A write transaction (committed on success, rolled back on any exception).

    On SQLite it starts with ``BEGIN IMMEDIATE``: the write lock is taken up front, so concurrent
    writers wait (up to the busy timeout) instead of failing mid-transaction.
    """
    with engine.connect() as conn:
        conn.execution_options(hqd_write=True)
        with conn.begin():
            yield conn


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction (rolled back at the end)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def is_postgres(engine: Engine | Connection) -> bool:
    """True for PostgreSQL."""
    return engine.dialect.name == "postgresql"


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("hqd.registry") / "migrations"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations shipped in the package up to ``revision``."""
    from alembic import command

    cfg = _alembic_config()
    if engine.dialect.name != "sqlite":
        with write(engine) as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        return
    # SQLite alters a table by rebuilding it (copy, drop, rename); with foreign keys on, dropping a table
    # other tables point at fails.  SQLite's documented procedure: switch them off outside the transaction,
    # migrate, run PRAGMA foreign_key_check before committing, switch them on again.
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            conn.execution_options(hqd_write=True)
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (``None`` before :func:`init_db`)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest schema revision shipped with this version of HQD."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no registry migrations found")
    return head


def init_db(target: EngineLike | None = None) -> None:
    """Create or upgrade the schema and load the built-in reference data (idempotent)."""
    from hqd.registry.taxonomy import sync_reference_data

    with engine_for(target) as engine:
        upgrade(engine)
        sync_reference_data(engine)


def has_schema(engine: Engine) -> bool:
    """True when the registry tables exist."""
    return inspect(engine).has_table("projects")


def run_alembic_env(target_metadata: Any, **configure: Any) -> None:
    """The body of an Alembic ``env.py`` for HQD's migration chains (the registry's, the API's auth tables).

    Online: use the connection handed over in ``config.attributes`` (how :func:`upgrade` runs it), else
    connect to ``sqlalchemy.url``.  Offline: emit SQL.  ``configure`` adds options such as ``version_table``
    and ``include_object`` for a chain that shares the database with another.
    """
    from alembic import context

    config = context.config

    def run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True, **configure)
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                          literal_binds=True, **configure)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    engine = connect(url) if url else create_engine("sqlite://")
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
