"""The ``hqd`` command: the Typer application, its language, and its error handling.

The import graph is a tree: this module imports the command modules, each only when one of its
commands runs (:data:`COMMANDS`); no command module imports this one.  ``hqd --help`` lists every command
from the catalogue (:mod:`hqd.cli.messages`) without importing any, and command modules import only Typer,
Rich and :mod:`hqd.errors` at module level (the rest inside the command), so ``hqd --help`` and
``hqd growth …`` load no pandas, SciPy, statsmodels, SQLAlchemy or API module.

Errors: usage mistakes (unknown command or option, a missing or malformed value, ``hqd`` alone) are
Click's usage errors, shown by Typer's own standalone mode with exit status 2 on every supported Typer
version (a new Typer bundles its own copy of Click, so this module never names Click's classes).  An
:class:`hqd.HqdError` escaping a command is printed as its list of problems (reason code, location,
message) with exit status 2 — never a traceback.  A file the operating system refuses (an unwritable
``--out``, a missing input) becomes such a problem too, with reason code ``io_error``.

Language: ``hqd --lang zh …`` (or a command's own ``--lang zh``, e.g. ``hqd report RUN --lang zh``), else the
first of ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG`` that is set, when it starts with ``zh``, switches the help
(top level, every command's one-liner, the option panels) and the problem summary to Chinese, from the one
catalogue :mod:`hqd.cli.messages`.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from hqd import __version__
from hqd.cli import messages
from hqd.errors import HqdError, Problem

# Every command, in the order of `hqd --help`: name -> "module" (its Typer `app`) or "module:Typer attribute".
# A command's module is imported only when that command runs; `hqd --help` lists them all from the catalogue.
COMMANDS: dict[str, str] = {
    "run": "hqd.cli.engine",
    "validate": "hqd.cli.engine",
    "methods": "hqd.cli.engine",
    "growth": "hqd.cli.engine",
    "demo": "hqd.cli.engine",
    "template": "hqd.cli.engine",
    "analyze": "hqd.cli.analyze",
    "audit": "hqd.cli.robustness",
    "uncertainty": "hqd.cli.robustness",
    "report": "hqd.cli.report",
    "serve": "hqd.cli.serve",
    "users": "hqd.cli.users",
    "registry": "hqd.cli.registry:registry_app",
    "industry": "hqd.cli.industry:industry_app",
    "efficiency": "hqd.cli.efficiency:efficiency_app",
}

err_console = Console(stderr=True)


def _load(name: str) -> Any:
    """Import the module of command ``name`` and build its Click command afresh (in the current language)."""
    module, _, attribute = COMMANDS[name].partition(":")
    built = typer.main.get_command(getattr(importlib.import_module(module), attribute or "app"))
    commands = getattr(built, "commands", None)
    if commands is not None and name in commands:  # a module with several commands, or a wrapped group
        return commands[name]
    built.name = name  # the module's one command or group (a Typer of one command builds that command)
    return built


def _translate(command: Any, path: str) -> None:
    """Put the catalogue's help for ``path`` (and its sub-commands) on a Click command (Chinese only)."""
    if messages.language() != "en":
        text = messages.command_help(path)
        if text:  # the first paragraph is the one-liner; later paragraphs (e.g. serve's settings) stay
            rest = (command.help or "").split("\n\n", 1)[1:]
            command.help = "\n\n".join([text, *rest])
            command.short_help = text
    for name, sub in dict(getattr(command, "commands", {}) or {}).items():
        _translate(sub, f"{path} {name}")


class HqdGroup(TyperGroup):
    """The top-level group: imports each command's module on first use (:data:`COMMANDS`), lists every command
    in ``--help`` from the catalogue without importing any, shows help with exit status 2 when called bare, and
    puts the catalogue's Chinese help on the commands when asked to."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        names = list(super().list_commands(ctx))
        return [*COMMANDS, *(name for name in names if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            if self._listing:  # `hqd --help`: a placeholder with the one-line help, nothing imported
                text = messages.command_help(cmd_name)
                return TyperCommand(cmd_name, help=text, short_help=text)
            command = _load(cmd_name)
            _translate(command, cmd_name)
            self.add_command(command, cmd_name)  # this group is built for one invocation: cached for it only
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        if messages.language() != "en":
            self.help = messages.text("hqd.help")
            for param in self.params:
                key = f"option.{param.name}"
                if key in messages.MESSAGES and hasattr(param, "help"):
                    param.help = messages.text(key)
            messages.translate_typer_panels()
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:  # `hqd` alone: the help, as a usage error (exit 2)
            text = ctx.get_help()  # Typer's Rich help prints itself and returns ""
            if text:
                typer.echo(text)
            ctx.exit(2)
        return list(super().parse_args(ctx, args))


app = typer.Typer(
    name="hqd",
    cls=HqdGroup,
    help=messages.text("hqd.help", "en"),
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(messages.text("version").format(version=__version__))
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_show_version,
                                          help=messages.text("option.version", "en"))] = False,
    lang: Annotated[str | None, typer.Option("--lang", help=messages.text("option.lang", "en"))] = None,
) -> None:
    if lang is not None and messages.normalise(lang) is None:
        raise typer.BadParameter(f"{lang!r} is not one of: en, zh", param_hint="'--lang'")


def _register() -> None:
    """Nothing left to do: every command is reachable from :data:`app` through :data:`COMMANDS`.  Kept so that
    callers written when command modules registered themselves (``_register(); CliRunner().invoke(app, …)``)
    keep working."""


def print_problems(error: HqdError) -> None:
    """Print an :class:`HqdError`'s problems as a readable list on stderr."""
    errors = [p for p in error.problems if p.severity == "error"]
    err_console.print(f"[bold red]{messages.problems_found(len(errors))}[/]")
    for problem in errors:
        where = problem.location()
        err_console.print(f"  [red]{problem.code}[/]  {where + ': ' if where else ''}{problem.message}",
                          markup=True, highlight=False, soft_wrap=True)


def os_problem(exc: OSError) -> HqdError:
    """An operating-system refusal (permission, missing folder, full disk …) as a located problem."""
    reason = exc.strerror or type(exc).__name__
    return HqdError([Problem("io_error", messages.text("error.io").format(reason=reason),
                             file=str(exc.filename) if exc.filename is not None else None)])


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``argv``: the arguments after ``hqd``; default ``sys.argv[1:]``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    messages.set_language(messages.detect(args, os.environ))
    messages.translate_typer_panels()
    try:
        app(args=args, prog_name="hqd")  # standalone mode: Typer shows usage errors and exits 2
    except HqdError as error:
        print_problems(error)
        sys.exit(2)
    except OSError as exc:
        print_problems(os_problem(exc))
        sys.exit(2)
