"""``hqd serve``: the JSON API (and the dashboard, when installed) on a local port.

Every setting of :data:`hqd.api.settings.SETTINGS` can be given with ``--setting NAME=VALUE`` or the
environment variable ``HQD_<NAME>``; the common ones also have their own flag.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console

from hqd.api.settings import SETTINGS, ApiSettings
from hqd.errors import HqdError, Problem

app = typer.Typer(add_completion=False)  # `hqd serve`; hqd.cli.main loads this module when it runs
console = Console()

_HELP = "Serve the HQD JSON API (and the dashboard) — settings:\n\n" + "\n\n".join(
    f"{s.name} (default {s.default if s.default is not None else 'computed'}; ${s.env}): {s.help}" for s in SETTINGS)


def _settings(pairs: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep:
            raise HqdError([Problem("invalid_setting", f"--setting takes NAME=VALUE; got {pair!r}",
                                    column="setting")])
        out[name.strip().replace("-", "_")] = value.strip()
    return out


@app.command(help=_HELP)
def serve(
    host: Annotated[str | None, typer.Option("--host", help="address to listen on (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option("--port", help="TCP port (default 8000)")] = None,
    db: Annotated[str | None, typer.Option("--db", help="database URL or SQLite file (default: "
                                           "$HQD_DATABASE_URL, else ./hqd-registry.sqlite)")] = None,
    runs: Annotated[str | None, typer.Option("--runs", help="folder of run directories (default ./hqd-runs)")] = None,
    public_read: Annotated[bool | None, typer.Option("--public-read/--login-read",
                                                     help="reading open to anyone, or only to logged-in users "
                                                          "(default: public)")] = None,
    demo: Annotated[bool | None, typer.Option("--demo/--no-demo", help="add the bundled Jing-Jin-Ji demo "
                                              "(SYNTHETIC) on start")] = None,
    setting: Annotated[list[str] | None, typer.Option("--setting", "-s", help="any setting as NAME=VALUE "
                                                      "(repeatable); see the list above")] = None,
) -> None:
    import uvicorn

    from hqd.api.app import create_app

    given = _settings(setting)
    given.update({k: v for k, v in {"host": host, "port": port, "db": db, "runs": runs, "public_read": public_read,
                                    "demo": demo}.items() if v is not None})
    settings = ApiSettings.resolve(given)
    with console.status("preparing the database and the runs folder…"):
        application = create_app(settings)
    from hqd.api.app import _web_dir

    where = f"http://{settings.host}:{settings.port}"
    dashboard = f"dashboard {where}/, " if _web_dir() is not None else ""
    console.print(f"[green]✓[/] HQD on {where}: {dashboard}API {where}/api (OpenAPI: {where}/docs); runs in "
                  f"{settings.runs_dir}; reading {'public' if settings.public_read else 'needs a login'}")
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="warning")
