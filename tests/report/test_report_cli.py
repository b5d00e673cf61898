"""``hqd report``: writes each format, infers it from --out, exits 2 with the reason code on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hqd.cli.main import _register, app

pytest_plugins = ["report_fixtures"]

_register()
runner = CliRunner()


@pytest.mark.parametrize("fmt", ["xlsx", "html"])
def test_report_command_writes_the_format(bare_run: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    done = runner.invoke(app, ["report", str(bare_run), "--format", fmt, "--out", str(out), "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert out.is_file() and out.stat().st_size > 10_000
    assert "SYNTHETIC" in done.output


def test_report_format_from_the_suffix(bare_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    done = runner.invoke(app, ["report", str(bare_run), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "<!DOCTYPE html>" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "code"), [
    (["--format", "docx"], "invalid_parameter"),
    (["--lang", "fr"], "invalid_parameter"),
])
def test_report_command_bad_options(bare_run: Path, tmp_path: Path, args: list[str], code: str) -> None:
    import subprocess
    import sys

    out = tmp_path / "x.html"
    done = subprocess.run([sys.executable, "-m", "hqd.cli", "report", str(bare_run), "--out", str(out), *args],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert code in done.stderr
    assert not out.exists()


def test_report_command_on_a_folder_without_scores(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "hqd.cli", "report", str(tmp_path), "--out", str(tmp_path / "x.xlsx")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "missing_input" in done.stderr and "scores.csv" in done.stderr
