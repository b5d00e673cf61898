"""The server's settings, declared once as data: ``(name, default, help)``.

:data:`SETTINGS` is the single list that ``hqd serve`` (its flags and ``--setting NAME=VALUE``), the
documentation (``docs/api.md``, checked by a test) and :class:`ApiSettings` are built from.  A value comes
from, in order: the command line, the environment variable ``HQD_<NAME>`` (the database also from
``HQD_DATABASE_URL``), the default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from hqd.errors import HqdError, Problem


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default (``None``: computed, see ``help``), help text and type."""

    name: str
    default: Any
    help: str
    type: type

    @property
    def env(self) -> str:
        return "HQD_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("host", "127.0.0.1", "address to listen on (loopback by default; 0.0.0.0 exposes the server)", str),
    Setting("port", 8000, "TCP port", int),
    Setting("db", None, "database URL or SQLite file for the registry and the users "
            "(default: $HQD_DATABASE_URL, else ./hqd-registry.sqlite)", str),
    Setting("runs", "hqd-runs", "folder of run directories; uploads go to its _uploads/ sub-folder", str),
    Setting("public_read", True, "anyone may read (true) or reading needs a login (false); "
            "writing always needs a user with a role", bool),
    Setting("demo", False, "on start, add the bundled Jing-Jin-Ji demo (SYNTHETIC): the run 'jjj-demo' "
            "with its analyses and uncertainty, and the registry's synthetic demo data when the registry is empty",
            bool),
    Setting("max_upload_mb", 20.0, "largest request body accepted (uploads, imports), in MiB; larger is 413", float),
    Setting("max_json_depth", 32, "deepest nesting of arrays and objects accepted in a JSON request body; "
            "deeper is 400 too_deep", int),
    Setting("max_error_kb", 64.0, "largest error response body, in KiB: long messages are shortened and "
            "problems beyond it are counted in a last one (too_many_problems)", float),
    Setting("page_size_max", 5000, "most rows one page of a list or table returns", int),
    Setting("session_hours", 12.0, "lifetime of a browser login session", float),
    Setting("login_max_attempts", 5, "failed logins allowed per user name and client address in the window", int),
    Setting("login_max_attempts_account", 20, "failed logins allowed per user name from any address in the "
            "window (many addresses cannot multiply the guesses at one account)", int),
    Setting("login_max_attempts_address", 50, "failed logins allowed per client address for any user names "
            "in the window", int),
    Setting("login_hash_concurrency", 2, "password hashes computed at once (argon2id takes 64 MiB each); "
            "further logins wait", int),
    Setting("login_window_minutes", 15.0, "window of the login rate limit; a locked-out client waits until "
            "it ends", float),
    Setting("secure_cookies", False, "mark session cookies Secure (set this behind HTTPS)", bool),
    Setting("job_workers", 1, "runs built at the same time in the background", int),
    Setting("job_queue_max", 8, "jobs that may wait for a worker; a run asked for beyond is refused (503 "
            "queue_full)", int),
    Setting("job_timeout_minutes", 30.0, "longest a job may run; it is stopped (timed_out) at its next stage "
            "once over", float),
    Setting("run_cache", 8, "run results kept in memory for custom periods and narratives", int),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class ApiSettings:
    """Resolved settings (one attribute per entry of :data:`SETTINGS`)."""

    host: str = "127.0.0.1"
    port: int = 8000
    db: str | None = None
    runs: str = "hqd-runs"
    public_read: bool = True
    demo: bool = False
    max_upload_mb: float = 20.0
    max_json_depth: int = 32
    max_error_kb: float = 64.0
    page_size_max: int = 5000
    session_hours: float = 12.0
    login_max_attempts: int = 5
    login_max_attempts_account: int = 20
    login_max_attempts_address: int = 50
    login_hash_concurrency: int = 2
    login_window_minutes: float = 15.0
    secure_cookies: bool = False
    job_workers: int = 1
    job_queue_max: int = 8
    job_timeout_minutes: float = 30.0
    run_cache: int = 8

    @property
    def runs_dir(self) -> Path:
        return Path(self.runs).expanduser().resolve()

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def database_url(self) -> str:
        from hqd.registry import resolve_url

        return resolve_url(self.db)

    @classmethod
    def resolve(cls, given: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
                ) -> ApiSettings:
        """Settings from ``given`` (e.g. the command line; ``None`` values are skipped), the environment
        (``HQD_<NAME>``) and the defaults; every bad value is reported at once (``invalid_setting``)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for name in given or {}:
            if name not in _BY_NAME:
                problems.append(Problem("unknown_setting", f"unknown setting {name!r}; valid: "
                                        + ", ".join(_BY_NAME), column=name))
        for setting in SETTINGS:
            raw = (given or {}).get(setting.name)
            if raw is None:
                raw = env.get(setting.env)
                if raw is None and setting.name == "db":
                    raw = env.get("HQD_DATABASE_URL")
            if raw is None:
                continue
            try:
                values[setting.name] = parse_value(setting, raw)
            except ValueError as exc:
                problems.append(Problem("invalid_setting", f"{setting.name}: {exc}", column=setting.name))
        if problems:
            raise HqdError(problems)
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def parse_value(setting: Setting, raw: Any) -> Any:
    """``raw`` (text or a value) as the setting's type; ``ValueError`` names the expected form."""
    if not isinstance(raw, str):
        if setting.type is float and isinstance(raw, int | float) and not isinstance(raw, bool):
            value: Any = float(raw)
        elif isinstance(raw, setting.type) and not (setting.type is int and isinstance(raw, bool)):
            value = raw
        else:
            raise ValueError(f"expected {setting.type.__name__}; got {raw!r}")
    elif setting.type is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            value = True
        elif lowered in ("0", "false", "no", "off"):
            value = False
        else:
            raise ValueError(f"expected true or false; got {raw!r}")
    elif setting.type in (int, float):
        try:
            value = setting.type(raw.strip())
        except ValueError:
            raise ValueError(f"expected a{'n integer' if setting.type is int else ' number'}; got {raw!r}") from None
    else:
        value = raw
    if setting.type in (int, float) and value <= 0 and setting.name != "port":
        raise ValueError(f"must be positive; got {raw!r}")
    if setting.name == "port" and not 0 <= value <= 65535:
        raise ValueError(f"must be a TCP port 0–65535; got {raw!r}")
    return value


def settings_table() -> str:
    """The settings as a Markdown table (for ``hqd serve --help`` and docs/api.md)."""
    lines = ["| setting | default | environment | help |", "| --- | --- | --- | --- |"]
    for s in SETTINGS:
        default = "(computed)" if s.default is None else str(s.default).lower() if s.type is bool else str(s.default)
        lines.append(f"| `{s.name}` | `{default}` | `{s.env}` | {s.help} |")
    return "\n".join(lines)


def check_declaration() -> list[str]:
    """Differences between :data:`SETTINGS` and :class:`ApiSettings` (empty when they agree)."""
    out = []
    declared = {f.name: f.default for f in fields(ApiSettings)}
    for s in SETTINGS:
        if s.name not in declared:
            out.append(f"{s.name}: not an ApiSettings field")
        elif declared[s.name] != s.default:
            out.append(f"{s.name}: default {s.default!r} != ApiSettings default {declared[s.name]!r}")
    out += [f"{name}: field without a SETTINGS entry" for name in declared if name not in _BY_NAME]
    return out
