"""The command line's catalogue (hqd.cli.messages): one entry per command, English = the command's own help,
a Chinese text for every entry — so a changed docstring or a new command fails here until it is translated."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hqd.cli import main as cli_main
from hqd.cli import messages

CLI = Path(__file__).resolve().parents[2] / "src" / "hqd" / "cli"
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
LATIN_ALLOWED = {"hqd", "en", "zh"}  # the program's name and the values of --lang; one-letter symbols (泰尔T) too


@pytest.fixture(autouse=True)
def english() -> Any:
    messages.set_language("en")
    yield
    messages.set_language("en")


def every_command() -> dict[str, Any]:
    """Every command path of `hqd` with its Click command, each command module imported."""
    found: dict[str, Any] = {}

    def walk(command: Any, path: str) -> None:
        found[path] = command
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, f"{path} {name}")

    for name in cli_main.COMMANDS:
        walk(cli_main._load(name), name)
    return found


def first_paragraph(text: str | None) -> str:
    return " ".join((text or "").split("\n\n")[0].split())


def test_every_command_has_a_catalogue_entry_and_no_entry_is_stale() -> None:
    paths = set(every_command())
    entries = {key.removeprefix("cmd.") for key in messages.MESSAGES if key.startswith("cmd.")}
    assert sorted(paths - entries) == [], "commands without a catalogue entry (add cmd.<path> with en and zh)"
    assert sorted(entries - paths) == [], "catalogue entries of commands that do not exist"


def test_the_english_entry_is_the_commands_own_help() -> None:
    drifted = {path: (first_paragraph(command.help), messages.text(f"cmd.{path}", "en"))
               for path, command in every_command().items()
               if first_paragraph(command.help) != messages.text(f"cmd.{path}", "en")}
    assert drifted == {}, "help changed: update cmd.<path> in hqd.cli.messages (English and Chinese)"


def test_every_entry_has_chinese_without_english_fragments() -> None:
    for key, entry in messages.MESSAGES.items():
        assert set(entry) == set(messages.LANGUAGES), key
        assert entry["en"].strip() and entry["zh"].strip(), key
        if key.startswith("panel.") or key == "version":
            continue
        zh = PLACEHOLDER.sub("", entry["zh"])
        assert CJK.search(zh), f"{key}: no Chinese in {entry['zh']!r}"
        latin = {w for w in re.findall(r"[A-Za-z]+", zh) if len(w) > 1} - LATIN_ALLOWED
        assert not latin, f"{key}: English fragments {sorted(latin)} in {entry['zh']!r}"
        assert set(PLACEHOLDER.findall(entry["en"])) == set(PLACEHOLDER.findall(entry["zh"])), key


def test_every_key_the_cli_asks_for_exists() -> None:
    asked: set[str] = set()
    for path in CLI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "text"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                asked.add(node.args[0].value)
    assert asked and sorted(asked - set(messages.MESSAGES)) == []


@pytest.mark.parametrize(("args", "env", "expected"), [
    (["--lang", "zh", "run"], {}, "zh"),
    (["report", "RUN", "--lang=zh-CN"], {"LANG": "en_US.UTF-8"}, "zh"),
    (["--lang", "en"], {"LANG": "zh_CN.UTF-8"}, "en"),
    ([], {"LANG": "zh_CN.UTF-8"}, "zh"),
    ([], {"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins
    ([], {"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "C"}, "zh"),
    ([], {}, "en"),
    (["--", "--lang", "zh"], {}, "en"),  # after `--` it is an argument, not the option
])
def test_the_language_comes_from_lang_then_the_locale(args: list[str], env: dict[str, str], expected: str) -> None:
    assert messages.detect(args, env) == expected


def test_problem_lines_in_both_languages() -> None:
    assert messages.problems_found(1) == "1 problem found:" and messages.problems_found(3) == "3 problems found:"
    messages.set_language("zh")
    assert messages.problems_found(3) == "发现 3 个问题："


def test_chinese_help_of_a_group_and_its_commands() -> None:
    done = subprocess.run([sys.executable, "-m", "hqd.cli", "--lang", "zh", "analyze", "--help"], capture_output=True,
                          text=True, timeout=120, env={"PYTHONIOENCODING": "utf-8", "COLUMNS": "200",
                                                       "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    for key in ("cmd.analyze", "cmd.analyze theil", "cmd.analyze jjj"):
        assert messages.text(key, "zh") in done.stdout
    assert "命令" in done.stdout and "Theil index" not in done.stdout



def test_in_process_runs_switch_language_both_ways(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    outputs = []
    for lang in ("zh", "en", "zh"):
        with pytest.raises(SystemExit):
            cli_main.main(["--lang", lang, "analyze", "--help"])
        outputs.append(capsys.readouterr().out)
    theil_zh = messages.text("cmd.analyze theil", "zh")
    assert theil_zh in outputs[0] and theil_zh not in outputs[1] and theil_zh in outputs[2]
    assert "Theil index" in outputs[1]
