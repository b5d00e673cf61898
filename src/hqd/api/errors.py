"""One JSON error shape for every error the API returns.

::

    {"ok": false, "error": "<reason code>", "errors": [<problem>, …], "status": <HTTP status>}

Each problem is :meth:`hqd.errors.Problem.to_dict`: ``code``, ``message``, ``severity`` and whatever
location is known (``file``, ``sheet``, ``row``, ``column``, ``region``, ``year``, ``indicator``).
``error`` is the first problem's code.  The handlers below turn every exception into this shape:
:class:`hqd.HqdError` (status from its reason codes, :data:`STATUS_OF`), request validation (422),
routing (404, 405), authentication and authorisation (401, 403), rate limits (429), too-large bodies
(413) and anything unexpected (500, no internals in the body).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from hqd.errors import HqdError, Problem

log = logging.getLogger("hqd.api")

#: The largest integer a parameter may take (every database stores it).
MAX_INT = 2**31 - 1

#: HTTP status of a reason code (anything else in an HqdError is 400).
STATUS_OF: dict[str, int] = {
    "unauthenticated": 401,
    "invalid_credentials": 401,
    "invalid_token": 401,
    "forbidden": 403,
    "out_of_scope": 403,
    "csrf_failed": 403,
    "not_found": 404,
    "unknown_run": 404,
    "unknown_dataset": 404,
    "unknown_framework": 404,
    "unknown_job": 404,
    "unknown_table": 404,
    "unknown_token": 404,
    "unknown_chart": 404,
    "unknown_geojson": 404,
    "unknown_entity": 404,
    "missing_input": 404,
    "conflict": 409,
    "run_not_ready": 409,
    "inputs_changed": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "busy": 503,
}

#: Reason code of a bare HTTP status (routing errors and the like).
CODE_OF_STATUS: dict[int, str] = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "invalid_request", 429: "rate_limited", 500: "internal_error", 503: "busy",
}


class ApiError(HqdError):
    """An :class:`HqdError` with an explicit HTTP status and headers (auth, limits)."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None,
                 **where: Any) -> None:
        super().__init__([Problem(code, message, **where)])
        self.status = status
        self.headers = headers or {}


class ProblemModel(BaseModel):
    """One problem: reason code, message and location (only the fields that are known)."""

    code: str
    message: str
    severity: str = "error"
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    region: str | None = None
    year: int | None = None
    indicator: str | None = None


class ErrorModel(BaseModel):
    """The one error shape."""

    ok: bool = False
    error: str
    errors: list[ProblemModel]
    status: int


def status_of(error: HqdError) -> int:
    """The HTTP status of an :class:`HqdError`: conflict → 409, all not-found → 404, … else 400."""
    if isinstance(error, ApiError):
        return error.status
    codes = error.codes or [p.code for p in error.problems]
    if "conflict" in codes:
        return 409
    statuses = {STATUS_OF.get(c, 400) for c in codes}
    return statuses.pop() if len(statuses) == 1 else 400


#: Longest text of one field of a problem in an error response (longer is cut, ending in "…").
MAX_FIELD_CHARS = 2000
#: The error-size cap when no app setting applies (the ``max_error_kb`` setting's default).
DEFAULT_ERROR_BYTES = 64 * 1024


def capped(problems: list[dict[str, Any]], limit_bytes: int = DEFAULT_ERROR_BYTES) -> list[dict[str, Any]]:
    """``problems`` cut to fit an error body of about ``limit_bytes``: every text field at most
    :data:`MAX_FIELD_CHARS` characters, and the problems beyond the limit replaced by one
    ``too_many_problems`` saying how many were left out — no request can produce a huge error body."""
    chars = max(80, min(MAX_FIELD_CHARS, limit_bytes // 8))
    out: list[dict[str, Any]] = []
    size = 200
    for pos, item in enumerate(problems):
        short = {k: (v[:chars] + "…" if isinstance(v, str) and len(v) > chars else v) for k, v in item.items()}
        n = len(json.dumps(short, ensure_ascii=False, default=str).encode("utf-8")) + 1
        if out and size + n > limit_bytes:
            left = len(problems) - pos
            out.append(Problem("too_many_problems", f"{left} more problem{'s' if left != 1 else ''} not shown "
                               "(the server's max_error_kb limit); fix these first").to_dict())
            break
        out.append(short)
        size += n
    return out


def error_body(status: int, problems: list[dict[str, Any]], limit_bytes: int = DEFAULT_ERROR_BYTES) -> dict[str, Any]:
    errors = capped(problems, limit_bytes) or [{"code": CODE_OF_STATUS.get(status, "error"), "message": "error",
                                               "severity": "error"}]
    return {"ok": False, "error": errors[0]["code"], "errors": errors, "status": status}


def error_response(status: int, problems: list[dict[str, Any]], headers: dict[str, str] | None = None,
                   request: Request | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, problems, _limit(request)), status_code=status, headers=headers)


def _limit(request: Request | None) -> int:
    svc = getattr(getattr(request, "app", None), "state", None)
    settings = getattr(getattr(svc, "hqd", None), "settings", None)
    kb = getattr(settings, "max_error_kb", None)
    return int(kb * 1024) if kb else DEFAULT_ERROR_BYTES


def problem(code: str, message: str, **where: Any) -> dict[str, Any]:
    return Problem(code, message, **where).to_dict()


def _hqd_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HqdError)
    status = status_of(exc)
    problems = [p.to_dict() for p in exc.problems if p.severity == "error"] or [p.to_dict() for p in exc.problems]
    headers = exc.headers if isinstance(exc, ApiError) else None
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="hqd"', **(headers or {})}
    return error_response(status, problems, headers, request)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for item in exc.errors():
        loc = [str(part) for part in item.get("loc", ())]
        where = ".".join(loc[1:]) if len(loc) > 1 else ".".join(loc)
        code = "missing_parameter" if item.get("type") == "missing" else "invalid_parameter"
        text = str(item.get("msg", "invalid value"))
        problems.append(problem(code, f"{loc[0] if loc else 'request'} {where!r}: {text}", column=where or None))
    return error_response(422, problems, request=request)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = CODE_OF_STATUS.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return error_response(exc.status_code, [problem(code, detail)], dict(exc.headers or {}), request)


def _server_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, [problem("internal_error", "internal server error; the server log has the "
                                        "details")])


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    app.add_exception_handler(HqdError, _hqd_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)


#: ``responses=`` for route decorators: the error shape documented for the usual statuses.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorModel, "description": description}
    for status, description in (
        (400, "invalid input (every problem listed)"),
        (401, "not logged in, or bad credentials"),
        (403, "the user's role or region scope does not allow this"),
        (404, "no such resource"),
        (409, "conflict: the record changed since it was read, or the key exists"),
        (422, "the request's parameters or body do not match the schema"),
        (429, "too many failed logins"),
        (500, "internal error"),
    )
}
