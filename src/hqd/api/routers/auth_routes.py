"""Logging in and out, who am I, and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from starlette.responses import Response

from hqd.api import auth
from hqd.api.audit import event
from hqd.api.deps import CSRF_COOKIE, SESSION_COOKIE, Client, Svc, User, client_address, principal
from hqd.api.errors import ERROR_RESPONSES, MAX_INT, ApiError
from hqd.api.responses import Envelope, JSONText, ok

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES)


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class NewToken(BaseModel):
    name: str = Field("api", min_length=1, max_length=64, description="what the token is for")
    days: float | None = Field(None, gt=0, le=3650, description="lifetime in days (none: until revoked)")


@router.post("/login", response_model=Envelope, summary="Log in: sets the session and CSRF cookies")
def login(body: Login, request: Request, svc: Svc) -> JSONText:
    """Check the password (argon2), start a session and return the CSRF token that every browser write
    must echo in ``X-CSRF-Token``.  Failed logins are limited per user name and client address, per user name
    and per address (429), counted before the password is hashed; at most ``login_hash_concurrency`` hashes
    run at once."""
    s = svc.settings
    limits = auth.LoginLimits(s.login_max_attempts, s.login_max_attempts_account, s.login_max_attempts_address,
                              s.login_window_minutes)
    client = client_address(request)
    try:
        who = auth.authenticate(svc.engine, body.username, body.password, client, limits=limits,
                                hashing=svc.hashing)
    except ApiError as err:
        outcome = {401: "failed", 429: "rate_limited", 503: "busy"}.get(err.status, "failed")
        event("login", actor=body.username.strip()[:64], client=client, outcome=outcome)
        raise
    event("login", actor=who.username, client=client, outcome="ok", role=who.role)
    session_id, csrf = auth.create_session(svc.engine, who, s.session_hours)
    response = ok({"user": who.public(), "csrf_token": csrf})
    age = int(s.session_hours * 3600)
    response.set_cookie(SESSION_COOKIE, session_id, max_age=age, httponly=True, samesite="lax",
                        secure=s.secure_cookies, path="/")
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, httponly=False, samesite="lax", secure=s.secure_cookies,
                        path="/")
    return response


@router.post("/logout", response_model=Envelope, summary="End the browser session")
def logout(request: Request, svc: Svc) -> JSONText:
    """Ends the session of the cookie (a write: the CSRF header is needed) and clears the cookies."""
    principal(request)  # checks the CSRF token of a session
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        who = auth.session_principal(svc.engine, session_id)
        auth.end_session(svc.engine, session_id)
        event("logout", actor=who.username if who else None, client=client_address(request))
    response = ok({"logged_out": bool(session_id)})
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=Envelope, summary="The current user (null when anonymous)")
def me(request: Request, svc: Svc) -> JSONText:
    who = principal(request)
    return ok({"user": who.public() if who else None, "public_read": svc.settings.public_read,
               "can_write": bool(who and who.can_write), "csrf_token": who.csrf if who else None})


@router.get("/tokens", response_model=Envelope, summary="The current user's API tokens (never the secret)")
def tokens(who: User, svc: Svc) -> JSONText:
    return ok({"items": auth.list_tokens(svc.engine, who.username)})


@router.post("/tokens", response_model=Envelope, status_code=201, summary="Make an API token (shown once)")
def new_token(body: NewToken, who: User, svc: Svc, client: Client) -> JSONText:
    """The token is in this answer only; the server keeps its SHA-256.  Send it as
    ``Authorization: Bearer <token>``."""
    token, info = auth.create_token(svc.engine, who.username, body.name, days=body.days)
    event("token_created", actor=who.username, client=client, token_id=info["id"], name=info["name"],
          prefix=info["prefix"], expires_at=info["expires_at"])
    return ok({"token": token, "info": info}, status=201)


@router.delete("/tokens/{token_id}", response_model=Envelope, summary="Revoke one of the current user's tokens")
def revoke(who: User, svc: Svc, client: Client, token_id: int = PathParam(..., ge=1, le=MAX_INT)) -> Response:
    auth.revoke_token(svc.engine, who.username, token_id)
    event("token_revoked", actor=who.username, client=client, token_id=token_id)
    return ok({"revoked": token_id})
