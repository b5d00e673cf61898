"""Every template HQD writes reads back and runs (issue: the data template's SYNTHETIC row above the header
gave missing_column)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hqd.cli.main import _register, app


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_templates_read_back_and_run(tmp_path: Path, suffix: str) -> None:
    _register()
    runner = CliRunner()
    paths = {}
    for kind, name in (("framework", "fw" + suffix), ("data", "data" + suffix), ("recipe", "recipe.yaml")):
        result = runner.invoke(app, ["template", kind, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        paths[kind] = tmp_path / name
        assert paths[kind].exists(), f"{kind} template not written where --out named"
    args = ["--framework", str(paths["framework"]), "--data", str(paths["data"]), "--recipe", str(paths["recipe"])]
    result = runner.invoke(app, ["validate", *args])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output and "13 regions × 2 years" in result.output
    result = runner.invoke(app, ["run", *args, "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "scores.csv").exists()
