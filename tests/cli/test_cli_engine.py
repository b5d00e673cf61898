"""The engine commands as a user runs them: outputs, exit codes, and problem lists instead of tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[2]
HQD = [sys.executable, "-m", "hqd.cli"]


def hqd(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HQD, *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={"PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def test_demo_writes_the_run_directory_and_labels_it_synthetic(tmp_path: Path) -> None:
    done = hqd("demo", "--out", str(tmp_path / "demo"))
    assert done.returncode == 0, done.stderr
    assert "SYNTHETIC" in done.stdout and "年均增长" in done.stdout and "drove it" in done.stdout
    run_dir = tmp_path / "demo" / "run"
    scores = pd.read_csv(run_dir / "scores.csv", dtype={"region": str})
    assert list(scores.columns) == ["region", "year", "node", "level", "score", "rank", "group_rank", "contribution"]
    assert set(scores["region"]) == {"110000", "120000", *[f"13{i:02d}00" for i in range(1, 12)]}
    weights = pd.read_csv(run_dir / "weights.csv")
    assert list(weights.columns) == ["node", "parent", "year", "method", "weight", "effective_weight"]
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic_data"] is True and manifest["recipe"]["weight"]["method"] == "entropy"
    workbook = load_workbook(run_dir / "results.xlsx", read_only=True)
    assert {"raw", "normalised", "weights", "scores", "ranks", "growth", "manifest"} <= set(workbook.sheetnames)
    first = next(workbook["scores"].iter_rows(values_only=True))
    assert "SYNTHETIC" in str(first[0])
    assert "SYNTHETIC" in (run_dir / "narrative.md").read_text(encoding="utf-8")
    # The Jing-Jin-Ji analyses of the analysis issue ride along.
    assert "coupling coordination" in done.stdout and "Theil-T" in done.stdout and "β convergence" in done.stdout
    assert (run_dir / "analysis" / "jjj.xlsx").exists() and (run_dir / "analysis" / "jjj_dagum.csv").exists()
    # … and so does the registry: real taxonomy and chain maps, synthetic projects.
    assert "project library: 2,000 projects" in done.stdout and "补链" in done.stdout
    assert (tmp_path / "demo" / "registry.sqlite").exists()
    # … and the uncertainty analysis with per-city rank bands.
    assert "rank bands" in done.stdout
    bands = pd.read_csv(run_dir / "uncertainty" / "rank_stats.csv", dtype={"region": str}, comment="#")
    assert set(bands["region"]) >= {"110000", "131100"} and (bands["q05"] <= bands["q95"]).all()


def test_run_then_validate_a_bad_file_exits_2_without_traceback(tmp_path: Path) -> None:
    framework = tmp_path / "fw.csv"
    framework.write_text("code,parent,direction\nI,,\nx,I,1\ny,I,sideways\n", encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("region,year,x,y\nA,2020,1,oops\nB,2020,2,3\n", encoding="utf-8")
    done = hqd("validate", "--framework", str(framework), "--data", str(data))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "invalid_direction" in done.stderr and "fw.csv:4" in done.stderr


def test_run_names_data_problems_with_their_location(tmp_path: Path) -> None:
    framework = tmp_path / "fw.csv"
    framework.write_text("code,parent,direction\nI,,\nx,I,1\ny,I,-1\n", encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("region,year,x,y\nA,2020,1,oops\nB,2020,2,3\n", encoding="utf-8")
    done = hqd("run", "--framework", str(framework), "--data", str(data), "--out", str(tmp_path / "o"))
    assert done.returncode == 2 and "non_numeric" in done.stderr and "d.csv:2" in done.stderr
    assert "column 'y'" in done.stderr and "Traceback" not in done.stderr


def test_run_with_key_columns_and_formula_text(tmp_path: Path) -> None:
    framework = tmp_path / "fw.csv"
    framework.write_text("code,parent,name_zh,direction\nI,,指数,\nx,I,=cmd|' /C calc'!A0,1\ny,I,乙,-1\n",
                         encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("city,yr,x,y\nA,2020,1,3\nB,2020,2,1\nA,2021,3,2\nB,2021,4,1\n", encoding="utf-8")
    out = tmp_path / "o"
    done = hqd("run", "-f", str(framework), "-d", str(data), "--region-col", "city", "--year-col", "yr",
               "--out", str(out))
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(out / "framework.csv")
    assert frame.loc[frame["code"] == "x", "name_zh"].iloc[0].startswith("'=")
    sheet = load_workbook(out / "results.xlsx")["framework"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "calc" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


def test_growth_command_prints_the_seed_arithmetic() -> None:
    done = hqd("growth", "2012", "0.612", "2021", "0.960")
    assert done.returncode == 0
    assert "56.86%" in done.stdout and "5.13%" in done.stdout


def test_methods_and_templates(tmp_path: Path) -> None:
    done = hqd("methods")
    assert done.returncode == 0 and "entropy" in done.stdout and "coinr_winsorise" in done.stdout
    for kind, name in (("framework", "fw.xlsx"), ("data", "data.xlsx"), ("recipe", "recipe.yaml")):
        made = hqd("template", kind, "--out", str(tmp_path / name))
        assert made.returncode == 0, made.stderr
        assert (tmp_path / name).exists()
    assert "entropy" in (tmp_path / "recipe.yaml").read_text(encoding="utf-8")
    bad = hqd("template", "nonsense", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "unknown_template" in bad.stderr
