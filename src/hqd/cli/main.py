"""The ``hqd`` command: the Typer application and its error handling.

Every command module registers itself here.  Any :class:`hqd.HqdError` escaping a command is printed
as a list of problems (reason code, location, message) and the process exits with status 2 — never a
traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from hqd.errors import HqdError

app = typer.Typer(
    name="hqd",
    help="HQD: regional high-quality development (高质量发展) evaluation and coordination monitoring.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


def _register() -> None:
    """Attach every command group (imported here so ``hqd --help`` lists them all)."""
    # --- command groups: one line each (kept in the order added; not sorted) ---
    # isort: off
    from hqd.cli import engine  # noqa: F401  (run, validate, methods, growth, demo, template)
    from hqd.cli import analyze  # noqa: F401  (analyze: coupling, theil, dagum, moran, … on runs or tables)
    from hqd.cli import registry  # noqa: F401  (registry: init, template, import, export, summary, gaps, ledger)
    from hqd.cli import robustness  # noqa: F401  (audit, uncertainty: rank bands, Sobol, leave-one-out)
    from hqd.cli import serve  # noqa: F401  (serve: the JSON API and the dashboard)
    from hqd.cli import users  # noqa: F401  (users: add, list, set-role, remove, token)
    from hqd.cli import report  # noqa: F401  (report: Blue-Book report as xlsx, html or pdf)
    from hqd.cli import industry  # noqa: F401  (industry: lq, similarity, krugman, localisation, shift-share, io, indicators, demo, codes)
    # isort: on


def print_problems(error: HqdError) -> None:
    """Print an :class:`HqdError`'s problems as a readable list on stderr."""
    errors = [p for p in error.problems if p.severity == "error"]
    err_console.print(f"[bold red]{len(errors)} problem{'s' if len(errors) != 1 else ''} found:[/]")
    for problem in errors:
        where = problem.location()
        err_console.print(f"  [red]{problem.code}[/]  {where + ': ' if where else ''}{problem.message}",
                          markup=True, highlight=False, soft_wrap=True)


def main() -> None:
    """Console-script entry point."""
    _register()
    try:
        app(standalone_mode=False)
    except HqdError as error:
        print_problems(error)
        sys.exit(2)
    except typer.Exit as stop:
        sys.exit(stop.exit_code)
    except typer.Abort:
        err_console.print("Aborted.")
        sys.exit(1)
    except Exception as exc:  # click usage errors are ClickException subclasses
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
