"""``hqd efficiency …`` on plain tables: CSV + Excel out, the estimator line and both verdicts printed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from hqd.cli.main import _register, app

runner = CliRunner()
_register()


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SYNTHETIC 8 regions x 6 years: two inputs, GDP, CO2, two strata factors."""
    rng = np.random.default_rng(7)
    rows = []
    for t in range(6):
        k, labour = rng.lognormal(0, 0.4, 8), rng.lognormal(0, 0.4, 8)
        gdp = (k * labour) ** 0.4 * 1.03**t * rng.lognormal(0, 0.1, 8)
        rows.append(pd.DataFrame({"region": [f"13{i:02d}00" for i in range(1, 9)], "year": 2018 + t, "k": k,
                                  "l": labour, "gdp": gdp, "co2": gdp * rng.lognormal(0, 0.2, 8),
                                  "zone": [1, 1, 2, 2, 3, 3, 4, 4], "flat": [1, 2] * 4}))
    path = tmp_path_factory.mktemp("eff") / "panel.csv"
    pd.concat(rows).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("args", "table"),
    [
        (["sbm", "--inputs", "k,l", "--outputs", "gdp", "--undesirable", "co2"], "sbm.csv"),
        (["sbm", "--inputs", "k,l", "--outputs", "gdp", "--super", "--frontier", "pooled"], "sbm.csv"),
        (["dea", "--inputs", "k,l", "--outputs", "gdp", "--model", "bcc"], "dea_slacks.csv"),
        (["gml", "--inputs", "k,l", "--outputs", "gdp", "--undesirable", "co2"], "gml_distances.csv"),
        (["geodetector", "--y", "gdp", "--factors", "zone,flat,k", "--discretize", "k"], "geodetector_interaction.csv"),
        (["forecast", "--column", "gdp", "--holdout", "1"], "forecast_comparison.csv"),
        (["synergy", "--subsystem", "input=k,l", "--subsystem", "output=gdp,co2", "--negative", "co2"],
         "synergy_relative_development.csv"),
    ],
)
def test_commands_write_tables_and_verdicts(panel: Path, tmp_path: Path, args: list[str], table: str) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["efficiency", args[0], str(panel), *args[1:], "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "estimator:" in result.output and "verdict:" in result.output and "结论：" in result.output
    assert (out / table).exists() and (out / f"{args[0]}.xlsx").exists()


def test_bad_input_is_a_located_error(panel: Path, tmp_path: Path) -> None:
    bad = pd.read_csv(panel)
    bad.loc[3, "k"] = -1.0
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    from hqd.errors import HqdError

    result = runner.invoke(app, ["efficiency", "sbm", str(path), "--inputs", "k,l", "--outputs", "gdp"])
    assert isinstance(result.exception, HqdError)
    assert result.exception.problems[0].code == "non_positive_value"
    assert result.exception.problems[0].region == "130400" and result.exception.problems[0].column == "k"
