"""The API's own tables: users and their roles, API tokens, browser sessions, login attempts.

They live in the registry's database but in their own :class:`~sqlalchemy.MetaData`, created and upgraded
by their own Alembic migrations (``hqd/api/migrations``, version table ``alembic_version_auth``), so the
registry's migration chain never sees them.  Table names start with ``auth_``.

- ``auth_users``: user name, argon2 password hash, role (``admin``, ``editor``, ``viewer``) and the
  optional region scope of an editor (a GB/T 2260 province or city code: ``130000`` = Hebei).
- ``auth_tokens``: API tokens, stored as SHA-256 digests (a token is 256 random bits, so a fast hash is
  enough; the token itself is shown once, when made); the first characters are kept to tell them apart.
- ``auth_sessions``: browser sessions, keyed by the SHA-256 of the session cookie, with the CSRF token
  and the expiry time.
- ``auth_login_attempts``: failed logins per (user name, client address) in the current window — one row
  per key, never one per attempt, and expired rows are purged, so the table stays bounded.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy import Engine as _Engine

ROLES = ("admin", "editor", "viewer")
VERSION_TABLE = "alembic_version_auth"

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

users = Table(
    "auth_users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(256), nullable=False),
    Column("role", String(16), nullable=False),
    Column("scope", String(16), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("role IN ('admin', 'editor', 'viewer')", name="role"),
)

tokens = Table(
    "auth_tokens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("auth_users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
)

sessions = Table(
    "auth_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("auth_users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

login_attempts = Table(
    "auth_login_attempts", metadata,
    Column("key", String(160), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False, index=True),
)


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("hqd.api") / "migrations"))
    return cfg


def upgrade(engine: _Engine, revision: str = "head") -> None:
    """Create or upgrade the auth tables (idempotent)."""
    from alembic import command

    from hqd.registry.db import write

    cfg = _alembic_config()
    with write(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise RuntimeError("no auth migrations found")
    return head


def current_revision(engine: _Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()
