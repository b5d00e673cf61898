"""``hqd analyze …`` as a user runs it: run directories and plain tables in, CSV + Excel + a summary out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import conftest
from hqd.cli.main import _register, app

HQD = [sys.executable, "-m", "hqd.cli"]
runner = CliRunner()
_register()


def hqd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HQD, *args], capture_output=True, text=True, timeout=300,
                          env={"PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hqd.datasets.jjj import write_demo_inputs
    from hqd.io.rundir import write_run
    from hqd.pipeline import run

    folder = tmp_path_factory.mktemp("run")
    paths = write_demo_inputs(folder / "input")
    result = run(paths["framework"], paths["data"], paths["recipe"], regions=paths["regions"])
    return write_run(result, folder / "run")


def test_theil_on_a_run_directory_writes_csv_excel_and_a_summary(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = runner.invoke(app, ["analyze", "theil", str(run_dir), "--groups", "province", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "between groups" in done.output and "SYNTHETIC" in done.output
    csv = pd.read_csv(out / "theil.csv", comment="#")
    assert (csv["within"] + csv["between"] - csv["total"]).abs().max() < 1e-12
    assert "SYNTHETIC" in (out / "theil.csv").read_text(encoding="utf-8").splitlines()[0]
    book = load_workbook(out / "theil.xlsx", read_only=True)
    assert book.sheetnames == ["theil", "groups"]
    assert "SYNTHETIC" in str(next(book["theil"].iter_rows(values_only=True))[0])


@pytest.mark.parametrize("args", [
    ["dagum", "--groups", "province"], ["gini"], ["cv"], ["sigma"], ["beta", "--kind", "conditional"],
    ["kde"], ["markov"], ["moran", "--permutations", "99"], ["lisa", "--permutations", "99"], ["obstacle"],
    ["grey"], ["coupling"], ["coupling", "--provinces", "--variant", "corrected"],
])
def test_every_method_runs_on_the_demo_run(run_dir: Path, tmp_path: Path, args: list[str]) -> None:
    done = runner.invoke(app, ["analyze", args[0], str(run_dir), *args[1:], "-o", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert (tmp_path / f"{args[0]}.csv").exists() and (tmp_path / f"{args[0]}.xlsx").exists()
    assert "✓" in done.output


def test_dagum_on_a_plain_table_reproduces_the_reference(tmp_path: Path) -> None:
    source = conftest.shared_path("reference", "dagum_groups.csv")
    table = pd.read_csv(source)
    groups = tmp_path / "groups.csv"
    table[["region", "group"]].to_csv(groups, index=False)
    done = runner.invoke(app, ["analyze", "dagum", str(source), "--column", "value", "--groups", str(groups),
                               "-o", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    ref = json.loads(conftest.shared_path("reference", "dagum_mussard.json").read_text(encoding="utf-8"))
    row = pd.read_csv(tmp_path / "out" / "dagum.csv").iloc[0]
    assert row["G"] == pytest.approx(ref["G_total_direct"], rel=1e-12)
    assert row["G_nb"] == pytest.approx(ref["G_nb"], rel=1e-12)
    assert "Gini: 0.1453 — within 20%, net between 74%, transvariation 6%" in done.output


def test_formula_like_text_is_written_as_text(tmp_path: Path) -> None:
    source = tmp_path / "evil.csv"
    pd.DataFrame({"region": ["=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "-cmd"],
                  "value": [0.2, 0.4, 0.6, 0.8]}).to_csv(source, index=False)
    done = runner.invoke(app, ["analyze", "gini", str(source), "-o", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    groups = tmp_path / "g.csv"
    pd.DataFrame({"region": ["=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "-cmd"],
                  "group": ["=A", "=A", "B", "B"]}).to_csv(groups, index=False)
    done = runner.invoke(app, ["analyze", "theil", str(source), "--groups", str(groups), "-o", str(tmp_path / "o2")])
    assert done.exit_code == 0, done.output
    sheet = load_workbook(tmp_path / "o2" / "theil.xlsx")["groups"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
    text = (tmp_path / "o2" / "theil_groups.csv").read_text(encoding="utf-8")
    assert "'=A" in text and "\n=A" not in text


def test_bad_input_prints_problems_and_exits_2(run_dir: Path, tmp_path: Path) -> None:
    done = hqd("analyze", "dagum", str(run_dir), "-o", str(tmp_path))
    assert done.returncode == 2 and "no_groups" in done.stderr and "Traceback" not in done.stderr
    table = tmp_path / "t.csv"
    pd.DataFrame({"region": ["a", "b", "c"], "year": [2020] * 3, "value": [0.0, 1.0, 2.0]}).to_csv(table, index=False)
    done = hqd("analyze", "theil", str(table), "--index", "L", "-o", str(tmp_path))
    assert done.returncode == 2 and "zero_value" in done.stderr and "region 'a'" in done.stderr
    done = hqd("analyze", "moran", str(table), "-o", str(tmp_path))
    assert done.returncode == 2 and "region_not_in_weights" in done.stderr
    done = hqd("analyze", "theil", str(tmp_path / "nope"), "-o", str(tmp_path))
    assert done.returncode == 2 and "file_not_found" in done.stderr


def test_moran_drop_regions_works_with_the_bundled_weights(run_dir: Path, tmp_path: Path) -> None:
    """#13 item 5: `hqd analyze moran --missing drop_regions` used to exit 2 (the dropped city stayed in W)."""
    scores = pd.read_csv(run_dir / "scores.csv", comment="#", dtype={"region": str})
    index = scores.loc[scores["level"] == 0, ["region", "year", "score"]].copy()
    index.loc[(index["region"] == "130600") & (index["year"] == index["year"].min()), "score"] = None
    table = tmp_path / "index.csv"
    index.to_csv(table, index=False)
    done = runner.invoke(app, ["analyze", "moran", str(table), "--column", "score", "--missing", "drop_regions",
                               "--permutations", "99", "-o", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert "dropped for missing values (and from W): 130600" in done.output
    assert "空间" in done.output and "spatial autocorrelation" in done.output  # the bilingual verdict
    assert (pd.read_csv(tmp_path / "out" / "moran.csv", comment="#")["n"] == 12).all()


def test_beta_names_its_estimator_errors_and_caveat(run_dir: Path, tmp_path: Path) -> None:
    done = runner.invoke(app, ["analyze", "beta", str(run_dir), "--kind", "conditional", "-o", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "two-way fixed effects (within)" in done.output and "cluster-robust" in done.output
    assert "Nickell" in done.output and "β收敛" in done.output
    frame = pd.read_csv(tmp_path / "beta.csv", comment="#")
    assert frame["cov_type"].iloc[0] == "cluster" and "Nickell" in frame["caveats"].iloc[0]


@pytest.mark.parametrize("args", [["gistar", "--permutations", "99"], ["gravity"], ["ellipse"]])
def test_spatial_statistics_commands_on_the_demo_run(run_dir: Path, tmp_path: Path, args: list[str]) -> None:
    done = runner.invoke(app, ["analyze", *args, str(run_dir), "-o", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert (tmp_path / f"{args[0]}.csv").exists() and "SYNTHETIC" in done.output
    assert "CRS" in done.output or "Gi*" in done.output


def test_sdm_command_on_the_demo_run_with_controls(run_dir: Path, tmp_path: Path) -> None:
    """SYNTHETIC controls (seeded) for the demo index: the command fits SAR, SEM, SDM and writes the tables."""
    import numpy as np

    scores = pd.read_csv(run_dir / "scores.csv", comment="#", dtype={"region": str})
    keys = scores.loc[scores["level"] == 0, ["region", "year"]].drop_duplicates()
    rng = np.random.default_rng(0)
    controls = keys.assign(openness=rng.normal(size=len(keys)), density=rng.normal(size=len(keys)))
    path = tmp_path / "controls.csv"
    controls.to_csv(path, index=False)
    out = tmp_path / "out"
    done = runner.invoke(app, ["analyze", "sdm", str(run_dir), "--x", "openness,density", "--controls", str(path),
                               "--draws", "200", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "spatial Durbin model (SDM)" in done.output and "空间杜宾模型" in done.output
    assert "空间溢出效应" in done.output and "LeSage–Pace" in done.output
    effects = pd.read_csv(out / "sdm_effects.csv", comment="#")
    assert set(effects["effect"]) == {"direct", "indirect", "total"}
    tests = pd.read_csv(out / "sdm_tests.csv", comment="#")
    assert {"LM lag", "Wald SDM→SAR", "LR SDM→SEM", "Hausman (FE vs RE)"} <= set(tests["test"])
    assert (out / "sdm_three_line_zh.html").exists() and (out / "sdm_three_line_en.xlsx").exists()


@pytest.mark.parametrize("args", [
    ["fe", "--x", "openness,density"],
    ["mediation", "--x", "openness", "--m", "density", "--draws", "20"],
    ["threshold", "--x", "openness", "--q", "density", "--draws", "20"],
])
def test_panel_driver_commands_on_the_demo_run(run_dir: Path, tmp_path: Path, args: list[str]) -> None:
    """SYNTHETIC controls (seeded) merged with the demo index."""
    import numpy as np

    scores = pd.read_csv(run_dir / "scores.csv", comment="#", dtype={"region": str})
    keys = scores.loc[scores["level"] == 0, ["region", "year"]].drop_duplicates()
    rng = np.random.default_rng(1)
    path = tmp_path / "controls.csv"
    keys.assign(openness=rng.normal(size=len(keys)), density=rng.normal(size=len(keys))).to_csv(path, index=False)
    done = runner.invoke(app, ["analyze", args[0], str(run_dir), *args[1:], "--controls", str(path),
                               "-o", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "out" / f"{args[0]}.csv").exists()
