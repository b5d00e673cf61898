"""What every route needs: the app's services and who is asking.

Authentication, per request: an ``Authorization: Bearer hqd_…`` API token, else the ``hqd_session``
cookie of a browser login.  A request with a session cookie that writes (POST, PUT, PATCH, DELETE) must
carry the session's CSRF token in the ``X-CSRF-Token`` header, equal to the ``hqd_csrf`` cookie (double
submit) and to the session's own copy; a token-authenticated request needs none (browsers never attach
it by themselves).

Policies (FastAPI dependencies): :func:`reader` (anyone when ``public_read``, else any user),
:func:`writer` (an admin or an editor: anonymous → 401, viewer → 403), :func:`admin`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine

from hqd.api import auth
from hqd.api.errors import ApiError
from hqd.api.jobs import Jobs
from hqd.api.settings import ApiSettings
from hqd.api.storage import Storage

SESSION_COOKIE = "hqd_session"
CSRF_COOKIE = "hqd_csrf"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class Services:
    """The app's long-lived parts."""

    settings: ApiSettings
    engine: Engine
    storage: Storage
    jobs: Jobs
    hashing: threading.Semaphore = field(default_factory=lambda: threading.BoundedSemaphore(2))


def services(request: Request) -> Services:
    svc: Services = request.app.state.hqd
    return svc


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def principal(request: Request) -> auth.Principal | None:
    """The authenticated user of the request, or ``None`` (see the module docstring)."""
    if hasattr(request.state, "principal"):
        found: auth.Principal | None = request.state.principal
        return found
    svc = services(request)
    header = request.headers.get("authorization")
    who: auth.Principal | None = None
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "invalid_token", "the Authorization header must be 'Bearer <token>'")
        who = auth.token_principal(svc.engine, token.strip())
        if who is None:
            raise ApiError(401, "invalid_token", "unknown, revoked or expired API token")
    else:
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id:
            who = auth.session_principal(svc.engine, session_id)
            if who is not None and request.method in UNSAFE:
                given = request.headers.get(CSRF_HEADER)
                if not (auth.csrf_matches(who.csrf, given)
                        and auth.csrf_matches(request.cookies.get(CSRF_COOKIE), given)):
                    raise ApiError(403, "csrf_failed", f"a browser write needs the {CSRF_HEADER} header with "
                                   "the session's CSRF token (the hqd_csrf cookie)")
    request.state.principal = who
    return who


def reader(request: Request) -> auth.Principal | None:
    """Reading: anyone when ``public_read``, else a logged-in user (any role)."""
    who = principal(request)
    if who is None and not services(request).settings.public_read:
        raise ApiError(401, "unauthenticated", "reading needs a login on this server")
    return who


def writer(request: Request) -> auth.Principal:
    """Writing: an admin or an editor."""
    who = principal(request)
    if who is None:
        raise ApiError(401, "unauthenticated", "writing needs a login (a session or an API token)")
    if not who.can_write:
        raise ApiError(403, "forbidden", f"user {who.username!r} is a {who.role}; writing needs an editor or "
                       "an admin")
    return who


def admin(request: Request) -> auth.Principal:
    who = writer(request)
    if not who.is_admin:
        raise ApiError(403, "forbidden", f"user {who.username!r} is an {who.role}; this needs an admin")
    return who


def user(request: Request) -> auth.Principal:
    """Any logged-in user."""
    who = principal(request)
    if who is None:
        raise ApiError(401, "unauthenticated", "this needs a login")
    return who


def may_change(who: auth.Principal, owner: Any) -> None:
    """Admins may change anything; editors what they made."""
    if not who.is_admin and owner != who.username:
        raise ApiError(403, "forbidden", f"only an admin or its owner ({owner or 'the system'}) may change this")


Svc = Annotated[Services, Depends(services)]
Reader = Annotated[auth.Principal | None, Depends(reader)]
Writer = Annotated[auth.Principal, Depends(writer)]
Admin = Annotated[auth.Principal, Depends(admin)]
User = Annotated[auth.Principal, Depends(user)]
Client = Annotated[str, Depends(client_address)]
