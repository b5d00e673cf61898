"""The audit trail: every security-relevant event as one JSON line on the ``hqd.audit`` logger, and what
anonymous readers must not see.

Events (``event``): ``login`` (``outcome`` ok, failed, rate_limited, busy), ``logout``, ``token_created``,
``token_revoked``, ``user_added``, ``role_changed``, ``password_changed``, ``user_removed``, ``upload``
(framework, dataset, geojson, registry import with its counts), ``run_started``, ``job_cancelled``,
``deleted`` (runs, frameworks, datasets, registry records) and ``registry_write`` (create, update with the
new values).  Each line says who (``actor``; ``cli`` for ``hqd users …``), when (``at``, UTC), what and from
where (``client``, the peer address).  The app logs ``hqd.audit`` at INFO (:func:`configure`: to standard
error unless logging is configured); send it to a file or a collector with the usual logging configuration.
The registry's change log (``GET /api/registry/history``) keeps every field change in the database besides.

Anonymous readers: :func:`redact` removes user names (``owner``, ``updated_by``, ``actor`` …) and absolute
server paths (kept as their file name) from every JSON answer to a request without a login.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

log = logging.getLogger("hqd.audit")

#: Keys whose values are user names.
USER_KEYS = frozenset({"owner", "updated_by", "actor", "created_by", "username", "author_user"})
_ABSOLUTE = re.compile(r"^(?:/(?!api/)[^\s/][^\s]*/[^\s]*|[A-Za-z]:\\[^\s]*)$")


def configure() -> None:
    """Log audit events at INFO; to standard error unless logging is configured already (``hqd serve``
    leaves it unconfigured; a deployment may route ``hqd.audit`` anywhere)."""
    log.setLevel(logging.INFO)
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
        log.addHandler(handler)


def event(what: str, /, *, actor: str | None, client: str | None = None, **details: Any) -> None:
    """Log one audit event (a JSON line): who, when, what, from where."""
    record = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), "event": what,
              "actor": actor or "anonymous", "client": client, **details}
    log.info("%s", json.dumps(record, ensure_ascii=False, default=str))


def redact(value: Any) -> Any:
    """``value`` (parsed JSON) without user names and with absolute paths cut to their file name."""
    if isinstance(value, dict):
        return {k: (None if k in USER_KEYS and isinstance(v, str) else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str) and _ABSOLUTE.match(value):
        path = PureWindowsPath(value) if "\\" in value else PurePosixPath(value)
        return path.name
    return value
