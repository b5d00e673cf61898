"""``hqd users add|list|set-role|remove|token``: who may use the API, and with which role.

Roles: ``admin`` (everything), ``editor`` (writes; ``--scope`` limits registry edits to a province or city,
e.g. ``--scope 130000`` or ``--scope 河北``), ``viewer`` (reads).  Passwords are hashed with argon2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from sqlalchemy import Engine


users_app = typer.Typer(name="users", help="API users, roles and region scopes; API tokens.",
                        no_args_is_help=True)
app = typer.Typer()  # this module's commands; hqd.cli.main imports it when one of them runs
app.add_typer(users_app, name="users")
console = Console()

DbOpt = Annotated[str | None, typer.Option("--db", envvar="HQD_DATABASE_URL",
                                           help="database URL or SQLite file (default ./hqd-registry.sqlite)")]
ScopeOpt = Annotated[str | None, typer.Option("--scope", help="editors only: a province or city (code or name) "
                                              "whose registry records they may change; default: all")]


def _engine(db: str | None) -> Engine:
    from hqd.api import auth_db
    from hqd.registry import connect

    engine = connect(db)
    auth_db.upgrade(engine)
    return engine


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="user name (letters, digits, . _ - @)")],
    role: Annotated[str, typer.Option("--role", help="admin | editor | viewer")] = "viewer",
    scope: ScopeOpt = None,
    password: Annotated[str, typer.Option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="HQD_PASSWORD", help="asked for when not given")] = "",
    db: DbOpt = None,
) -> None:
    """Add a user."""
    from hqd.api import auth

    engine = _engine(db)
    try:
        user = auth.add_user(engine, username, password, role, scope)
    finally:
        engine.dispose()
    console.print(f"[green]✓[/] added {user['username']} ({_role(user)})")


def _role(user: dict[str, object]) -> str:
    return f"{user['role']}" + (f", scope {user['scope']} {user['scope_name']}" if user.get("scope") else "")


@users_app.command("list")
def list_(db: DbOpt = None) -> None:
    """List users with their roles and scopes."""
    from hqd.api import auth

    engine = _engine(db)
    try:
        users = auth.list_users(engine)
    finally:
        engine.dispose()
    table = Table(title="HQD API users")
    for column in ("user", "role", "scope", "created"):
        table.add_column(column)
    for u in users:
        table.add_row(str(u["username"]), str(u["role"]), f"{u['scope']} {u['scope_name']}" if u["scope"] else "all",
                      str(u["created_at"])[:19])
    console.print(table)


@users_app.command("set-role")
def set_role(
    username: str,
    role: Annotated[str, typer.Argument(help="admin | editor | viewer")],
    scope: ScopeOpt = None,
    db: DbOpt = None,
) -> None:
    """Change a user's role (and scope: omitted means no scope)."""
    from hqd.api import auth

    engine = _engine(db)
    try:
        user = auth.set_role(engine, username, role, scope)
    finally:
        engine.dispose()
    console.print(f"[green]✓[/] {user['username']} is now {_role(user)}")


@users_app.command("remove")
def remove(username: str, db: DbOpt = None) -> None:
    """Remove a user with their tokens and sessions."""
    from hqd.api import auth

    engine = _engine(db)
    try:
        auth.remove_user(engine, username)
    finally:
        engine.dispose()
    console.print(f"[green]✓[/] removed {username}")


@users_app.command("token")
def token(
    username: str,
    name: Annotated[str, typer.Option("--name", help="what the token is for")] = "cli",
    days: Annotated[float | None, typer.Option("--days", help="lifetime in days (default: until revoked)")] = None,
    db: DbOpt = None,
) -> None:
    """Make an API token for a user; it is printed once and stored only as a hash."""
    from hqd.api import auth

    engine = _engine(db)
    try:
        secret, info = auth.create_token(engine, username, name, days=days)
    finally:
        engine.dispose()
    console.print(f"token {info['id']} ({info['name']}) for {username} — shown once, keep it safe:")
    print(secret)
