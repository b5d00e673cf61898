"""Users, roles, region scopes, API tokens, browser sessions and the login rate limit.

The same functions serve ``hqd users …`` and the API.

Roles
    ``admin`` may do everything; ``editor`` may write (registry records within its scope, uploads, runs);
    ``viewer`` may only read (also when reading needs a login).  Every write needs a user with a role.
Scope
    An editor may be limited to a province or a city, given as a GB/T 2260 code or name of the
    Jing-Jin-Ji region (``130000``/``河北`` = Hebei, ``130200``/``唐山`` = Tangshan).  A province scope
    covers the codes sharing its first two digits, a city scope those sharing its first four
    (:func:`covers`).  See :mod:`hqd.api.scope` for what is checked on a write.
Passwords
    argon2id through argon2-cffi (its defaults: RFC 9106's second recommended profile); a hash made with
    older parameters is upgraded at the next successful login.
API tokens
    ``hqd_`` + 43 URL-safe characters (256 random bits), shown once; only their SHA-256 is stored.
Sessions
    A random session id in an HttpOnly cookie (``hqd_session``, SameSite=Lax), stored as its SHA-256, with a
    CSRF token that browsers echo in the ``X-CSRF-Token`` header of every write (the token is also in the
    readable cookie ``hqd_csrf``: double submit, checked against the session's own copy).
Login rate limit
    At most ``login_max_attempts`` failed logins per (user name, client address), ``login_max_attempts_account``
    per user name from any address and ``login_max_attempts_address`` per address in a window of
    ``login_window_minutes``; then HTTP 429 until the window ends.  Every attempt is counted atomically
    *before* its password is hashed (a success gives its count back), in the database (one row per key,
    expired rows purged, at most :data:`MAX_ATTEMPT_KEYS` rows), so neither parallel requests nor restarts
    get extra guesses.  At most ``login_hash_concurrency`` hashes run at once (argon2id takes 64 MiB each).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from hqd.api import audit
from hqd.api import auth_db as t
from hqd.api.errors import ApiError
from hqd.errors import HqdError, Problem
from hqd.registry.db import read, write

#: The password hasher (argon2id).  Tests may swap in cheaper parameters; nothing else should.
HASHER = PasswordHasher()
MAX_ATTEMPT_KEYS = 10_000
MIN_PASSWORD = 8
TOKEN_PREFIX = "hqd_"
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")


@dataclass(frozen=True)
class Principal:
    """Who is making a request: the user, role, scope and how they authenticated."""

    user_id: int
    username: str
    role: str
    scope: str | None
    via: str  # "token" | "session"
    csrf: str | None = None

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "editor")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def public(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role, "scope": self.scope,
                "scope_name": scope_name(self.scope), "via": self.via}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns: they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------------------------- scopes
def _scope_table() -> dict[str, tuple[str, str]]:
    from hqd.model.regions import JJJ_CITIES, JJJ_PROVINCES

    return {r.code: (r.name_zh, r.name_en) for r in (*JJJ_PROVINCES, *JJJ_CITIES)}


def parse_scope(value: str | None) -> str | None:
    """A scope given as a code or name of a Jing-Jin-Ji province or city → its GB/T 2260 code.

    Blank, ``*`` or ``all`` mean no scope.  Anything else raises ``HqdError`` (``invalid_scope``)
    listing the valid codes.
    """
    if value is None or value.strip().lower() in ("", "*", "all", "none"):
        return None
    from hqd.model.regions import JJJ_CITIES, JJJ_PROVINCES

    wanted = value.strip().lower()
    for r in (*JJJ_PROVINCES, *JJJ_CITIES):
        if wanted in (r.code, r.name_zh.lower(), r.short_zh.lower(), r.name_en.lower()):
            return r.code
    valid = ", ".join(f"{code} {zh}" for code, (zh, _) in _scope_table().items())
    raise HqdError([Problem("invalid_scope", f"unknown scope {value!r}; valid: {valid}", column="scope")])


def scope_name(scope: str | None) -> str | None:
    if scope is None:
        return None
    names = _scope_table().get(scope)
    return names[0] if names else scope


def covers(scope: str | None, region: str | None) -> bool:
    """True when a user with ``scope`` may write a record located in ``region`` (a GB/T 2260 code).

    No scope covers everything; a province code (``XX0000``) covers ``XX….``; a city code (``XXYY00``)
    covers ``XXYY..``; a record without a region, or with a non-administrative code such as ``JJJ``,
    is covered only by no scope.
    """
    if scope is None:
        return True
    if region is None or len(region) != 6 or not region.isdigit():
        return False
    if scope.endswith("0000"):
        return region[:2] == scope[:2]
    if scope.endswith("00"):
        return region[:4] == scope[:4]
    return region == scope


# ------------------------------------------------------------------------------------------------ users
def _check_username(username: str) -> str:
    name = username.strip()
    if not (1 <= len(name) <= 64) or not set(name) <= USERNAME_CHARS:
        raise HqdError([Problem("invalid_username", "a user name is 1–64 characters of letters, digits and "
                                f". _ - @; got {username!r}", column="username")])
    return name


def _check_role(role: str) -> str:
    if role not in t.ROLES:
        raise HqdError([Problem("invalid_role", f"unknown role {role!r}; valid: {', '.join(t.ROLES)}",
                                column="role")])
    return role


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise HqdError([Problem("weak_password", f"a password needs at least {MIN_PASSWORD} characters",
                                column="password")])


def _scope_for(role: str, scope: str | None) -> str | None:
    code = parse_scope(scope)
    if code is not None and role != "editor":
        raise HqdError([Problem("invalid_scope", f"only editors have a region scope; a {role} has none",
                                column="scope")])
    return code


def add_user(engine: Engine, username: str, password: str, role: str, scope: str | None = None, *,
             actor: str = "cli") -> dict[str, Any]:
    """Create a user (``conflict`` when the name exists)."""
    name = _check_username(username)
    _check_role(role)
    _check_password(password)
    code = _scope_for(role, scope)
    at = now()
    try:
        with write(engine) as conn:
            conn.execute(insert(t.users).values(username=name, password_hash=HASHER.hash(password), role=role,
                                                scope=code, created_at=at, updated_at=at))
    except IntegrityError:
        raise HqdError([Problem("conflict", f"user {name!r} exists", column="username")]) from None
    audit.event("user_added", actor=actor, user=name, role=role, scope=code)
    return get_user(engine, name)


def get_user(engine: Engine, username: str) -> dict[str, Any]:
    with read(engine) as conn:
        row = conn.execute(select(t.users.c.id, t.users.c.username, t.users.c.role, t.users.c.scope,
                                  t.users.c.created_at).where(t.users.c.username == username.strip())).first()
    if row is None:
        raise HqdError([Problem("not_found", f"no user {username!r}", column="username")])
    return {"id": row.id, "username": row.username, "role": row.role, "scope": row.scope,
            "scope_name": scope_name(row.scope), "created_at": _aware(row.created_at).isoformat()}


def list_users(engine: Engine) -> list[dict[str, Any]]:
    with read(engine) as conn:
        rows = conn.execute(select(t.users.c.username).order_by(t.users.c.username)).scalars().all()
    return [get_user(engine, name) for name in rows]


def set_role(engine: Engine, username: str, role: str, scope: str | None = None, *, actor: str = "cli"
             ) -> dict[str, Any]:
    """Change a user's role and scope (the scope is replaced: ``None`` removes it)."""
    _check_role(role)
    code = _scope_for(role, scope)
    with write(engine) as conn:
        done = conn.execute(update(t.users).where(t.users.c.username == username.strip())
                            .values(role=role, scope=code, updated_at=now())).rowcount
    if done != 1:
        raise HqdError([Problem("not_found", f"no user {username!r}", column="username")])
    audit.event("role_changed", actor=actor, user=username.strip(), role=role, scope=code)
    return get_user(engine, username)


def set_password(engine: Engine, username: str, password: str, *, actor: str = "cli") -> None:
    _check_password(password)
    with write(engine) as conn:
        user_id = conn.execute(select(t.users.c.id).where(t.users.c.username == username.strip())).scalar()
        if user_id is None:
            raise HqdError([Problem("not_found", f"no user {username!r}", column="username")])
        conn.execute(update(t.users).where(t.users.c.id == user_id)
                     .values(password_hash=HASHER.hash(password), updated_at=now()))
        conn.execute(delete(t.sessions).where(t.sessions.c.user_id == user_id))
    audit.event("password_changed", actor=actor, user=username.strip())


def remove_user(engine: Engine, username: str, *, actor: str = "cli") -> None:
    """Delete a user with their tokens and sessions."""
    with write(engine) as conn:
        user_id = conn.execute(select(t.users.c.id).where(t.users.c.username == username.strip())).scalar()
        if user_id is None:
            raise HqdError([Problem("not_found", f"no user {username!r}", column="username")])
        conn.execute(delete(t.tokens).where(t.tokens.c.user_id == user_id))
        conn.execute(delete(t.sessions).where(t.sessions.c.user_id == user_id))
        conn.execute(delete(t.users).where(t.users.c.id == user_id))
    audit.event("user_removed", actor=actor, user=username.strip())


def _principal(row: Any, via: str, csrf: str | None = None) -> Principal:
    return Principal(int(row.id), str(row.username), str(row.role), row.scope, via, csrf)


# ----------------------------------------------------------------------------------------- login limit
@dataclass(frozen=True)
class LoginLimits:
    """The login rate limit: failures allowed in ``window_minutes`` per (user name, address), per user name
    from any address, and per address for any user name."""

    per_pair: int = 5
    per_account: int = 20
    per_address: int = 50
    window_minutes: float = 15.0


def _attempt_keys(username: str, client: str, limits: LoginLimits) -> dict[str, int]:
    name = username.strip().lower()[:64]
    return {f"{name}|{client[:90]}": limits.per_pair, f"user:{name}": limits.per_account,
            f"addr:{client[:90]}": limits.per_address}


def _upsert_zero(conn: Any, key: str, at: dt.datetime) -> None:
    """Insert the counter ``key`` at 0 unless it exists (one atomic statement on SQLite and PostgreSQL)."""
    table = t.login_attempts
    from sqlalchemy.dialects import postgresql, sqlite

    dialect_insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(dialect_insert(table).values(key=key, failures=0, window_start=at)
                 .on_conflict_do_nothing(index_elements=["key"]))


def _reserve(engine: Engine, keys: dict[str, int], window: dt.timedelta) -> None:
    """Count one attempt on every key, *before* the password is hashed, or refuse (429) when a key is at its
    limit.  One write transaction: SQLite's ``BEGIN IMMEDIATE`` serialises it, PostgreSQL locks the counter
    rows (``FOR UPDATE``, keys in a fixed order), so parallel attempts cannot all read the same count."""
    at = now()
    table = t.login_attempts
    ordered = sorted(keys)
    with write(engine) as conn:
        conn.execute(delete(table).where(table.c.window_start < at - window))
        for key in ordered:
            _upsert_zero(conn, key, at)
        stmt = select(table.c.key, table.c.failures, table.c.window_start).where(table.c.key.in_(ordered))
        if conn.dialect.name == "postgresql":
            stmt = stmt.order_by(table.c.key).with_for_update()
        rows = conn.execute(stmt).all()
        blocked = [_aware(r.window_start) + window for r in rows if r.failures >= keys[r.key]]
        if blocked:
            wait = max(1, int((max(blocked) - at).total_seconds()) + 1)
            raise ApiError(429, "rate_limited", f"too many failed logins; try again in {wait} s",
                           headers={"Retry-After": str(wait)})
        conn.execute(update(table).where(table.c.key.in_(ordered)).values(failures=table.c.failures + 1))
        total = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if total > MAX_ATTEMPT_KEYS:  # bounded: forget the oldest keys first
            oldest = (select(table.c.key).where(table.c.key.not_in(ordered)).order_by(table.c.window_start)
                      .limit(total - MAX_ATTEMPT_KEYS))
            conn.execute(delete(table).where(table.c.key.in_(oldest.scalar_subquery())))


def _release(engine: Engine, keys: dict[str, int]) -> None:
    """A successful login: forget the (user name, address) failures, and give back the attempt it reserved
    on the account's and the address's counters."""
    table = t.login_attempts
    pair, *shared = list(keys)
    with write(engine) as conn:
        conn.execute(delete(table).where(table.c.key == pair))
        conn.execute(update(table).where(table.c.key.in_(shared), table.c.failures > 0)
                     .values(failures=table.c.failures - 1))


#: At most this many password hashes are computed at once when no semaphore is given (argon2id's defaults
#: take 64 MiB each).  The API passes its own, sized by the ``login_hash_concurrency`` setting.
HASHING = threading.BoundedSemaphore(2)
HASH_WAIT_S = 30.0


def _verify(stored: str, password: str, hashing: threading.Semaphore) -> bool:
    if not hashing.acquire(timeout=HASH_WAIT_S):
        raise ApiError(503, "busy", "the server is busy checking other logins; try again shortly",
                       headers={"Retry-After": "5"})
    try:
        return bool(HASHER.verify(stored, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    finally:
        hashing.release()


def authenticate(engine: Engine, username: str, password: str, client: str, *, max_attempts: int | None = None,
                 window_minutes: float | None = None, limits: LoginLimits | None = None,
                 hashing: threading.Semaphore | None = None) -> Principal:
    """Check a user name and password; ``invalid_credentials`` (401), ``rate_limited`` (429) or ``busy`` (503).

    The attempt is counted (:func:`_reserve`) before any hashing, and hashing waits for one of the slots of
    ``hashing`` — a flood of logins costs neither unbounded memory nor extra guesses.
    """
    base = limits or LoginLimits()
    limits = LoginLimits(max_attempts or base.per_pair, base.per_account, base.per_address,
                         window_minutes or base.window_minutes)
    window = dt.timedelta(minutes=limits.window_minutes)
    keys = _attempt_keys(username, client, limits)
    _reserve(engine, keys, window)
    with read(engine) as conn:
        row = conn.execute(select(t.users).where(t.users.c.username == username.strip())).first()
    # An unknown user costs one verification too, so timing does not tell which names exist.
    ok = _verify(row.password_hash if row is not None else _DUMMY_HASH(), password, hashing or HASHING)
    if not ok or row is None:
        raise ApiError(401, "invalid_credentials", "wrong user name or password")
    _release(engine, keys)
    if HASHER.check_needs_rehash(row.password_hash):
        new_hash = HASHER.hash(password)
        with write(engine) as conn:
            conn.execute(update(t.users).where(t.users.c.id == row.id).values(password_hash=new_hash))
    return _principal(row, "session")


_dummy: list[str] = []


def _DUMMY_HASH() -> str:
    if not _dummy:
        _dummy.append(HASHER.hash(secrets.token_urlsafe(16)))
    return _dummy[0]


# --------------------------------------------------------------------------------------------- sessions
def create_session(engine: Engine, principal: Principal, hours: float) -> tuple[str, str]:
    """A new session for ``principal``: returns (session id, CSRF token); purges expired sessions."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    at = now()
    with write(engine) as conn:
        conn.execute(delete(t.sessions).where(t.sessions.c.expires_at < at))
        conn.execute(insert(t.sessions).values(id_hash=sha256(session_id), user_id=principal.user_id,
                                               csrf_token=csrf, created_at=at,
                                               expires_at=at + dt.timedelta(hours=hours)))
    return session_id, csrf


def session_principal(engine: Engine, session_id: str) -> Principal | None:
    """The user of a live session (``None`` for an unknown or expired one)."""
    with read(engine) as conn:
        row = conn.execute(
            select(t.users.c.id, t.users.c.username, t.users.c.role, t.users.c.scope, t.sessions.c.csrf_token,
                   t.sessions.c.expires_at)
            .join(t.sessions, t.sessions.c.user_id == t.users.c.id)
            .where(t.sessions.c.id_hash == sha256(session_id))).first()
    if row is None or _aware(row.expires_at) <= now():
        return None
    return _principal(row, "session", row.csrf_token)


def end_session(engine: Engine, session_id: str) -> None:
    with write(engine) as conn:
        conn.execute(delete(t.sessions).where(t.sessions.c.id_hash == sha256(session_id)))


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


# ----------------------------------------------------------------------------------------------- tokens
def create_token(engine: Engine, username: str, name: str = "api", *, days: float | None = None
                 ) -> tuple[str, dict[str, Any]]:
    """A new API token for ``username``: (the token — shown only now —, its description)."""
    label = name.strip()[:64] or "api"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    at = now()
    with write(engine) as conn:
        user_id = conn.execute(select(t.users.c.id).where(t.users.c.username == username.strip())).scalar()
        if user_id is None:
            raise HqdError([Problem("not_found", f"no user {username!r}", column="username")])
        conn.execute(insert(t.tokens).values(
            user_id=user_id, name=label, token_hash=sha256(token), prefix=token[:10], created_at=at,
            expires_at=at + dt.timedelta(days=days) if days else None))
        token_id = conn.execute(select(t.tokens.c.id).where(t.tokens.c.token_hash == sha256(token))).scalar_one()
    return token, {"id": int(token_id), "name": label, "prefix": token[:10], "created_at": at.isoformat(),
                   "expires_at": (at + dt.timedelta(days=days)).isoformat() if days else None}


def list_tokens(engine: Engine, username: str) -> list[dict[str, Any]]:
    with read(engine) as conn:
        rows = conn.execute(select(t.tokens).join(t.users, t.users.c.id == t.tokens.c.user_id)
                            .where(t.users.c.username == username).order_by(t.tokens.c.id)).all()
    return [{"id": r.id, "name": r.name, "prefix": r.prefix, "created_at": _aware(r.created_at).isoformat(),
             "expires_at": _aware(r.expires_at).isoformat() if r.expires_at else None} for r in rows]


def revoke_token(engine: Engine, username: str, token_id: int) -> None:
    with write(engine) as conn:
        user_id = conn.execute(select(t.users.c.id).where(t.users.c.username == username)).scalar()
        done = conn.execute(delete(t.tokens).where(t.tokens.c.id == token_id, t.tokens.c.user_id == user_id)
                            ).rowcount
    if done != 1:
        raise HqdError([Problem("unknown_token", f"{username} has no token {token_id}")])


def token_principal(engine: Engine, token: str) -> Principal | None:
    """The user of a valid, unexpired API token (``None`` otherwise)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    with read(engine) as conn:
        row = conn.execute(
            select(t.users.c.id, t.users.c.username, t.users.c.role, t.users.c.scope, t.tokens.c.expires_at)
            .join(t.tokens, t.tokens.c.user_id == t.users.c.id)
            .where(t.tokens.c.token_hash == sha256(token))).first()
    if row is None or (row.expires_at is not None and _aware(row.expires_at) <= now()):
        return None
    return _principal(row, "token")
