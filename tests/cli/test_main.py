"""The ``hqd`` entry point: usage errors, ``--version``, problems instead of tracebacks, light start-up.

This file needs only Typer, Rich and numpy besides hqd itself: ``make pytest-typer-min`` runs it against the
lowest Typer (and its Click) that pyproject.toml allows, in a venv without pandas, SciPy or SQLAlchemy; the
normal suite runs it against the pinned (newest) Typer.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

import hqd
from hqd.cli import main as cli_main
from hqd.errors import HqdError, Problem

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / "src" / "hqd" / "cli"
ENV = {"PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}

USAGE_ERRORS = {
    "no command": [],
    "mistyped command": ["grwoth", "2012", "0.612", "2021", "0.960"],
    "unknown option": ["run", "--framwork", "fw.csv"],
    "missing option": ["run", "--data", "d.csv", "--out", "out"],
    "missing argument": ["growth", "2012", "0.612"],
    "malformed value": ["growth", "2012", "abc", "2021", "0.960"],
    "unknown language": ["--lang", "fr", "growth", "2012", "0.612", "2021", "0.960"],
    "unknown registry command": ["registry", "sumary"],
}


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs read the locale: pin it, whatever the machine's is."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


def hqd_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hqd.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**ENV, **(env or {})})


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stop:
        cli_main.main(args)
    out = capsys.readouterr()
    code = stop.value.code
    return (code if isinstance(code, int) else (0 if code is None else 1)), out.out + out.err


@pytest.mark.parametrize("args", list(USAGE_ERRORS.values()), ids=list(USAGE_ERRORS))
def test_usage_errors_exit_2_with_the_usage_line_in_a_subprocess(args: list[str]) -> None:
    if args[:1] == ["registry"]:
        pytest.importorskip("sqlalchemy")
    done = hqd_cli(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Usage: hqd" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize("args", [a for a in USAGE_ERRORS.values() if a[:1] != ["registry"]],
                         ids=[k for k, a in USAGE_ERRORS.items() if a[:1] != ["registry"]])
def test_usage_errors_exit_2_in_process(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run_main(args, capsys)
    assert code == 2 and "Usage: hqd" in text and "Traceback" not in text


def test_hqd_alone_shows_the_commands() -> None:
    done = hqd_cli()
    assert done.returncode == 2
    for command in ("run", "validate", "growth", "analyze", "registry", "serve"):
        assert f" {command} " in done.stdout


def test_version_prints_the_installed_version() -> None:
    done = hqd_cli("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"hqd {importlib.metadata.version('hqd')}"
    assert hqd.__version__ == importlib.metadata.version("hqd")


def test_a_problem_in_a_command_is_a_problem_list_with_exit_2() -> None:
    done = hqd_cli("growth", "2021", "0.612", "2012", "0.960")
    assert done.returncode == 2
    assert "invalid_parameter" in done.stderr and "END_YEAR must be after START_YEAR" in done.stderr
    assert "Traceback" not in done.stderr


def _click_exceptions() -> Any:
    """The module holding the Click exceptions this Typer raises (Click's own, or the copy Typer bundles)."""
    return importlib.import_module(typer.BadParameter.__module__)


def test_main_handles_the_exceptions_of_the_click_typer_uses(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    exceptions = _click_exceptions()
    probe = typer.Typer(add_completion=False)

    @probe.command("usage")
    def usage() -> None:
        raise exceptions.UsageError("a usage mistake")

    @probe.command("bad")
    def bad(value: str) -> None:
        raise typer.BadParameter(f"{value!r} will not do", param_hint="'VALUE'")

    @probe.command("problem")
    def problem() -> None:
        raise HqdError([Problem("unknown_column", "no column 'x'", file="d.csv", row=3)])

    @probe.command("oserror")
    def oserror() -> None:
        (tmp_path / "ro").mkdir()
        raise PermissionError(13, "Permission denied", str(tmp_path / "ro" / "out.csv"))

    monkeypatch.setattr(cli_main, "app", probe)
    code, text = run_main(["usage"], capsys)
    assert code == 2 and "a usage mistake" in text and "Usage:" in text
    code, text = run_main(["bad", "x"], capsys)
    assert code == 2 and "will not do" in text
    code, text = run_main(["problem"], capsys)
    assert code == 2 and "unknown_column" in text and "d.csv:3" in text and "1 problem found" in text
    code, text = run_main(["oserror"], capsys)
    assert code == 2 and "io_error" in text and "Permission denied" in text and "out.csv" in text
    assert "Traceback" not in text


def test_a_usage_error_is_an_exception_of_the_click_typer_uses() -> None:
    """The reason `isinstance(exc, click.ClickException)` failed: a bundled Click's classes are not Click's."""
    exceptions = _click_exceptions()
    assert issubclass(exceptions.NoSuchOption, exceptions.UsageError)
    main_source = (CLI / "main.py").read_text(encoding="utf-8")
    assert "import click" not in main_source and "from click" not in main_source


# --------------------------------------------------------------------------------------------- start-up
HEAVY = ("scipy", "statsmodels", "libpysal", "esda", "sqlalchemy", "fastapi", "pydantic_settings", "uvicorn",
         "hqd.report", "hqd.api", "hqd.analysis", "hqd.registry", "hqd.robustness")
LIGHT_COMMANDS = {
    "help": ["--help"],
    "growth": ["growth", "2012", "0.612", "2021", "0.960"],
    "validate --help": ["validate", "--help"],
    "registry listed": ["--lang", "zh", "--help"],
}
PROBE = """
import json, sys
args = json.loads(sys.argv[1])
heavy = json.loads(sys.argv[2])
sys.argv = ["hqd", *args]
try:
    if args != ["--import-only"]:
        from hqd.cli.main import main
        main(args)
    else:
        import hqd
        import hqd.cli.main
except SystemExit as stop:
    assert stop.code in (0, None), stop.code
print("\\n" + json.dumps(sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))))
"""


def loaded_heavy(args: list[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(heavy)], capture_output=True,
                          text=True, timeout=120, env=ENV)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_hqd_and_the_cli_loads_nothing_heavy() -> None:
    assert loaded_heavy(["--import-only"], (*HEAVY, "pandas")) == []


@pytest.mark.parametrize("args", list(LIGHT_COMMANDS.values()), ids=list(LIGHT_COMMANDS))
def test_first_commands_load_nothing_heavy(args: list[str]) -> None:
    assert loaded_heavy(args, (*HEAVY, "pandas")) == []


@pytest.mark.parametrize("args", [
    pytest.param(["methods"], id="methods"),
    pytest.param(["validate", "-f", "{fw}", "-d", "{data}"], id="validate"),
])
def test_methods_and_validate_load_no_statistics_database_or_api_module(args: list[str], tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    framework, data = tmp_path / "fw.csv", tmp_path / "d.csv"
    framework.write_text("code,parent,direction\nI,,\nx,I,1\ny,I,1\n", encoding="utf-8")
    data.write_text("region,year,x,y\nA,2020,1,2\nB,2020,2,3\n", encoding="utf-8")
    args = [a.format(fw=framework, data=data) for a in args]
    assert loaded_heavy(args, tuple(h for h in HEAVY if h != "scipy")) == []


@pytest.mark.xfail(strict=True, reason="hqd.methods.normalize imports scipy.stats at module level (methods/ is "
                                       "outside the CLI); `hqd methods` and `hqd validate` load SciPy through it")
def test_methods_loads_no_scipy() -> None:
    pytest.importorskip("pandas")
    assert loaded_heavy(["methods"], ("scipy",)) == []


# ----------------------------------------------------------------------------------------- import graph
def cli_imports() -> dict[str, set[str]]:
    """Which hqd.cli modules each hqd.cli module imports (anywhere in it, function bodies included)."""
    modules = {path.stem for path in CLI.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in CLI.glob("*.py"):
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            for name in names:
                parts = name.split(".")
                if parts[:2] == ["hqd", "cli"] and len(parts) > 2 and parts[2] in modules:
                    edges.add(parts[2])
        graph[path.stem] = edges - {path.stem}
    return graph


def test_the_cli_import_graph_is_a_tree_rooted_at_main() -> None:
    graph = cli_imports()
    assert {m for m, edges in graph.items() if "main" in edges} <= {"__main__"}, graph
    seen: dict[str, int] = {}

    def visit(module: str, trail: tuple[str, ...]) -> None:
        if seen.get(module) == 1:
            raise AssertionError(f"import cycle: {' -> '.join((*trail, module))}")
        if seen.get(module) == 2:
            return
        seen[module] = 1
        for target in sorted(graph[module]):
            visit(target, (*trail, module))
        seen[module] = 2

    for module in sorted(graph):
        visit(module, ())
    lazy = {spec.partition(":")[0].rsplit(".", 1)[1] for spec in cli_main.COMMANDS.values()}
    command_modules = {path.stem for path in CLI.glob("*.py")
                       if "typer.Typer(" in path.read_text(encoding="utf-8") and path.stem != "main"}
    assert command_modules and command_modules <= lazy, "a command module hqd.cli.main.COMMANDS does not list"


def test_lazy_commands_are_listed_and_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run_main(["--help"], capsys)
    assert code == 0
    for name in cli_main.COMMANDS:
        assert f" {name} " in text
    code, text = run_main(["serve", "--help"], capsys)
    assert code == 0 and "HQD_HOST" in text  # the settings list, built from hqd.api.settings on first use


def test_locale_chooses_chinese_messages() -> None:
    done = hqd_cli("growth", "2021", "0.612", "2012", "0.960", env={"LANG": "zh_CN.UTF-8"})
    assert done.returncode == 2 and "发现 1 个问题" in done.stderr
    done = hqd_cli("--lang", "zh", "--help", env={"LC_ALL": "C"})
    assert done.returncode == 0 and "区域高质量发展评价" in done.stdout and "选项" in done.stdout
    done = hqd_cli("--help", env={"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"})
    assert done.returncode == 0 and "区域高质量发展评价" not in done.stdout

