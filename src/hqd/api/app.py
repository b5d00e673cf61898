"""The FastAPI application: :func:`create_app` wires settings, database, storage, jobs and routers.

``hqd serve`` builds one with the settings of :mod:`hqd.api.settings`; tests build their own.  Creating
the app creates or upgrades both schemas (the registry's and the auth tables) — idempotent — and, with
the ``demo`` setting, adds the bundled demo.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager, suppress
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy.exc import DataError, IntegrityError
from starlette.requests import Request
from starlette.responses import Response

from hqd.api import auth_db, errors
from hqd.api.deps import Services
from hqd.api.jobs import Jobs
from hqd.api.settings import ApiSettings
from hqd.api.storage import BUNDLED_DATASET, BUNDLED_FRAMEWORK, DEMO_RUN, Storage, utcnow, write_json

log = logging.getLogger("hqd.api")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
               "Cache-Control": "no-store"}


API_HEADER_BYTES = [(k.lower().encode(), v.encode()) for k, v in API_HEADERS.items()]


class _TooLarge(Exception):
    pass


def is_json_media(content_type: bytes | None) -> bool:
    """Whether a request body is parsed as JSON: no media type (FastAPI then reads JSON), ``application/json``
    or any ``…/…+json`` / ``…/json`` type such as ``application/vnd.api+json``."""
    if not content_type:
        return True
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"" or media.endswith(b"/json") or media.endswith(b"+json")


_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ESCAPED_CONTROL = re.compile(rb"\\u00(?:0[1-8bcefBCEF]|1[0-9a-fA-F]|7[fF])")


def _has_control(body: bytes) -> bool:
    """Whether JSON text holds a control character (other than tab and line breaks), raw or escaped
    (``\u000b``); escapes are confirmed on the parsed text, so an escaped backslash before ``u000b`` is not
    mistaken for one."""
    if _CONTROL_BYTES.search(body):
        return True
    if not _ESCAPED_CONTROL.search(body):
        return False
    from hqd.registry.schema import CONTROL_CHARACTERS

    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return False  # not JSON: the route answers 422

    def walk(value: Any) -> bool:
        if isinstance(value, str):
            return CONTROL_CHARACTERS.search(value) is not None
        if isinstance(value, dict):
            return any(walk(k) or walk(v) for k, v in value.items())
        if isinstance(value, list):
            return any(walk(v) for v in value)
        return False

    return walk(data)


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in JSON text (strings skipped), vectorised with numpy so a
    body of millions of brackets costs milliseconds, not a Python loop."""
    import numpy as np

    bare = _JSON_STRING.sub(b"", body)
    codes = np.frombuffer(bare, dtype=np.uint8)
    step = np.zeros(256, dtype=np.int64)
    step[[ord("["), ord("{")]] = 1
    step[[ord("]"), ord("}")]] = -1
    steps = step[codes]
    return int(np.cumsum(steps).max()) if steps.size else 0


class LimitsMiddleware:
    """Refuse request bodies over the size limit (413), JSON nested deeper than ``max_json_depth`` (400) and
    NUL characters in the URL or JSON text (400), in the one error shape, before any route reads them; add
    the security headers to every ``/api`` answer."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_json_depth: int = 32) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_json_depth = max_json_depth

    async def _refuse(self, send: Send, status: int, code: str, message: str) -> None:
        body = json.dumps(errors.error_body(status, [errors.problem(code, message)]), ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def _json_body(self, receive: Receive, send: Send) -> Receive | None:
        """Read a JSON body (bounded by the limit); refuse NUL characters, which no database stores."""
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await self._refuse(send, 413, "payload_too_large", f"the request body is larger than the "
                                   f"server's limit of {self.max_bytes / 1048576:g} MiB")
                return None
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        if b"\x00" in body or b"\\u0000" in body.lower():
            await self._refuse(send, 400, "invalid_character", "text in the request must not contain NUL characters")
            return None
        if _has_control(body):
            await self._refuse(send, 400, "invalid_character", "text in the request must not contain control "
                               "characters (only tab and line breaks)")
            return None
        depth = json_depth(body)
        if depth > self.max_json_depth:
            await self._refuse(send, 400, "too_deep", f"the JSON body is nested {depth} levels deep; the server's "
                               f"limit is {self.max_json_depth} (max_json_depth)")
            return None
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b"").lower():
            await self._refuse(send, 400, "invalid_character", "the URL must not contain NUL characters")
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        limit = f"the request body is larger than the server's limit of {self.max_bytes / 1048576:g} MiB"
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send, 413, "payload_too_large", limit)
            return
        source = receive
        if is_json_media(headers.get(b"content-type")):
            replay = await self._json_body(receive, send)
            if replay is None:
                return
            source = replay
        received = 0
        started = False
        refused = False

        async def counted() -> Message:
            nonlocal received, refused
            message = await source()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    if not started and not refused:  # answer now: a route may turn the error into its own
                        refused = True
                        await self._refuse(send, 413, "payload_too_large", limit)
                    raise _TooLarge
            return message

        api = scope.get("path", "").startswith("/api")

        async def tracked(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; whatever the route answers after it is dropped
            if message["type"] == "http.response.start":
                started = True
                if api:
                    present = {k.lower() for k, _ in message.get("headers", [])}
                    message["headers"] = [*message.get("headers", []),
                                          *((k, v) for k, v in API_HEADER_BYTES if k not in present)]
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started and not refused:
                await self._refuse(send, 413, "payload_too_large", limit)


class AnonymousMiddleware:
    """Answers to requests without a login (no API token, no live session) are JSON without user names or
    absolute server paths (:func:`hqd.api.audit.redact`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def _anonymous(self, scope: Scope) -> bool:
        headers = dict(scope.get("headers") or [])
        if b"authorization" in headers:
            return False
        from http.cookies import SimpleCookie

        cookie = SimpleCookie()
        try:
            cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
        except Exception:  # a malformed cookie header: no session
            return True
        session = cookie.get("hqd_session")
        if session is None or not session.value:
            return True
        from starlette.concurrency import run_in_threadpool

        from hqd.api import auth

        svc = scope["app"].state.hqd
        return await run_in_threadpool(auth.session_principal, svc.engine, session.value) is None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api") \
                or not await self._anonymous(scope):
            await self.app(scope, receive, send)
            return
        from hqd.api.audit import redact

        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                media = dict(message.get("headers") or []).get(b"content-type", b"")
                if not media.startswith(b"application/json"):
                    await send(message)
                    return
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            with suppress(ValueError):
                body = json.dumps(redact(json.loads(body)), ensure_ascii=False, separators=(",", ":")).encode()
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)


def _db_errors(app: FastAPI) -> None:
    def data_error(_request: Request, exc: Exception) -> Response:
        return errors.error_response(400, [errors.problem("invalid_value", "the database refused a value of "
                                                          "the request (out of range or malformed)")])

    def integrity_error(_request: Request, exc: Exception) -> Response:
        return errors.error_response(409, [errors.problem("conflict", "the database refused the change: "
                                                          "another record refers to this one, or has its key")])

    app.add_exception_handler(DataError, data_error)
    app.add_exception_handler(IntegrityError, integrity_error)


def setup_demo(svc: Services) -> None:
    """Add the bundled demo: the run ``jjj-demo`` (:func:`build_demo_run`) and the registry's synthetic demo
    data when the registry is empty."""
    from hqd import registry

    build_demo_run(svc.storage)
    if registry.count(svc.engine, "projects") == 0:
        registry.load_demo(svc.engine)


def build_demo_run(st: Storage, *, uncertainty_runs: int = 1000) -> None:
    """Write the run ``jjj-demo`` as ``hqd demo`` does (build, write, ``hqd analyze jjj``) plus the demo's
    uncertainty analysis (:func:`hqd.robustness.demo_uncertainty`), unless it is there."""
    from hqd.io.rundir import write_run
    from hqd.pipeline import run as run_pipeline

    st.ensure_demo_dataset()
    if (st.root / DEMO_RUN / "scores.csv").exists():
        return
    ds, fw = st.dataset(BUNDLED_DATASET), st.framework(BUNDLED_FRAMEWORK)
    result = run_pipeline(fw["path"], ds["path"], ds["recipe_path"], regions=ds["regions_path"])
    out = st.building_dir(DEMO_RUN)
    write_run(result, out)
    write_json(out / "inputs.json", {
        "name": "Jing-Jin-Ji demo (SYNTHETIC)", "framework": fw["path"], "data": ds["path"],
        "regions": ds["regions_path"], "options": {}, "framework_id": fw["id"], "dataset_id": ds["id"],
        "owner": None, "created_at": utcnow(), "analyses": ["jjj", "uncertainty"]})
    from hqd.analysis.runs import write_jjj_analyses

    write_jjj_analyses(out, out / "analysis", permutations=999)
    try:
        from hqd.robustness import demo_uncertainty
    except ImportError:  # robustness not installed in this build: the run has no rank bands
        log.warning("hqd.robustness is not available: the demo run has no uncertainty analysis")
    else:
        paths = {"framework": Path(fw["path"]), "data": Path(ds["path"]), "regions": Path(ds["regions_path"]),
                 "recipe": Path(ds["recipe_path"])}
        demo_uncertainty(paths, n=uncertainty_runs, out=out)
    st.publish(DEMO_RUN)


def _web_dir() -> Path | None:
    """The installed dashboard (``hqd/web`` with an ``index.html``), served at ``/`` when present."""
    folder = Path(str(files("hqd") / "web"))
    return folder if (folder / "index.html").is_file() else None


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """The HQD API for ``settings`` (default: :meth:`ApiSettings.resolve` from the environment)."""
    from hqd import __version__, registry
    from hqd.api.routers import auth_routes, charts, inputs, runs, system
    from hqd.api.routers import registry as registry_routes

    settings = settings or ApiSettings.resolve()
    from hqd.api import audit

    audit.configure()
    url = settings.database_url()
    pool: dict[str, Any] = {"pool_size": 10, "max_overflow": 30, "pool_timeout": 60}
    engine = registry.connect(url, **pool)
    registry.init_db(engine)
    auth_db.upgrade(engine)
    storage = Storage(settings.runs_dir, cache_size=settings.run_cache)
    jobs = Jobs(storage, settings.job_workers, queue_max=settings.job_queue_max,
                timeout_s=settings.job_timeout_minutes * 60)
    svc = Services(settings=settings, engine=engine, storage=storage, jobs=jobs,
                   hashing=threading.BoundedSemaphore(settings.login_hash_concurrency))
    if settings.demo:
        setup_demo(svc)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        svc.jobs.shutdown()
        engine.dispose()

    app = FastAPI(
        title="HQD API",
        version=__version__,
        description="Regional high-quality development (高质量发展) evaluation and the Jing-Jin-Ji industrial "
        "coordination registry over HTTP.  Every error has one shape: "
        '`{"ok": false, "error": <reason code>, "errors": [<problem>…], "status": <int>}`.',
        lifespan=lifespan,
    )
    app.state.hqd = svc
    errors.install(app)
    _db_errors(app)

    app.add_middleware(AnonymousMiddleware)
    app.add_middleware(LimitsMiddleware, max_bytes=settings.max_upload_bytes, max_json_depth=settings.max_json_depth)
    for module in (system, auth_routes, inputs, runs, registry_routes, charts):
        app.include_router(module.router)
    web = _web_dir()
    if web is not None:
        from starlette.staticfiles import StaticFiles

        app.mount("/", StaticFiles(directory=web, html=True), name="web")
    return app
