"""``hqd audit`` and ``hqd uncertainty`` as a user runs them: files, exit codes, problem lists, the demo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hqd.datasets.jjj import write_demo_inputs
from hqd.robustness import demo_uncertainty

REPO = Path(__file__).resolve().parents[2]
HQD = [sys.executable, "-m", "hqd.cli"]


def hqd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HQD, *map(str, args)], capture_output=True, text=True, timeout=600,
                          env={"PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_demo_inputs(tmp_path_factory.mktemp("demo"))


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_uncertainty_on_asem_writes_the_files_and_prints_bands(tmp_path: Path) -> None:
    import conftest

    data = conftest.shared_path("data", "coinr_asem")
    done = hqd("uncertainty", "--framework", data / "asem_iMeta.csv", "--data", data / "asem_iData.csv",
               "--recipe", REPO / "examples/coinr_asem/recipe.yaml",
               "--spec", REPO / "examples/coinr_asem/uncertainty_wa.yaml", "--n", "200", "--seed", "1",
               "--out", tmp_path / "X", "--method", "sobol", "--boot", "200")
    assert done.returncode == 0, done.stderr
    assert "CHE Switzerland" in done.stdout and "Sobol indices of the mean absolute rank change" in done.stdout
    assert "800 runs" in done.stdout  # N(d + 2) = 200 · (2 + 2)
    for name in ("rank_stats.csv", "run_scores.parquet", "parameters.csv", "sobol.csv", "uncertainty.xlsx"):
        assert (tmp_path / "X" / name).exists(), name
    sobol = pd.read_csv(tmp_path / "X" / "sobol.csv")
    assert set(sobol["input"]) == {"weights", "aggregation"}


def test_an_invalid_spec_is_a_problem_list_not_a_traceback(demo: dict[str, Path], tmp_path: Path) -> None:
    spec = _spec(tmp_path, "inputs:\n  - {type: weight, alternatives: [equal, entropyy]}\n"
                           "  - {type: weight_noise, noise: 2, levels: [1]}\n")
    done = hqd("uncertainty", "-f", demo["framework"], "-d", demo["data"], "-r", demo["recipe"], "--regions",
               demo["regions"], "--spec", spec, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "2 problems found" in done.stderr and "unknown_method" in done.stderr and "invalid_range" in done.stderr
    assert "spec.yaml:2" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_bad_method_and_n_exit_2(demo: dict[str, Path], tmp_path: Path) -> None:
    spec = _spec(tmp_path, "inputs:\n  - {type: weight_noise, noise: 0.2, levels: [1]}\n")
    common = ["-f", demo["framework"], "-d", demo["data"], "-r", demo["recipe"], "--spec", spec, "--out", tmp_path]
    done = hqd("uncertainty", *common, "--method", "morris")
    assert done.returncode == 2 and "unknown_method" in done.stderr
    done = hqd("uncertainty", *common, "--n", "0")
    assert done.returncode == 2 and "invalid_range" in done.stderr
    # a run count whose results cannot fit is refused before anything is allocated (it used to ask for
    # hundreds of GiB and die)
    done = hqd("uncertainty", *common, "--n", "2000000000")
    assert done.returncode == 2 and "too_many_runs" in done.stderr and "Traceback" not in done.stderr
    assert "GiB" in done.stderr


def test_leave_one_out_and_run_directory_output(demo: dict[str, Path], tmp_path: Path) -> None:
    run = hqd("run", "-f", demo["framework"], "-d", demo["data"], "-r", demo["recipe"], "--regions",
              demo["regions"], "--out", tmp_path / "run")
    assert run.returncode == 0, run.stderr
    spec = _spec(tmp_path, "inputs:\n  - {type: weight_noise, noise: 0.2, levels: [1, 2]}\n")
    done = hqd("uncertainty", "-f", demo["framework"], "-d", demo["data"], "-r", demo["recipe"], "--regions",
               demo["regions"], "--spec", spec, "--out", tmp_path / "run", "--method", "loo")
    assert done.returncode == 0, done.stderr
    assert "SYNTHETIC" in done.stdout and "leave one indicator out" in done.stdout
    table = pd.read_csv(tmp_path / "run" / "uncertainty" / "leave_one_out.csv", dtype={"region": str})
    assert set(table["indicator"]) and len(table) == 36 * 11 * 13


def test_audit_command(demo: dict[str, Path], tmp_path: Path) -> None:
    done = hqd("audit", "-f", demo["framework"], "-d", demo["data"], "-r", demo["recipe"], "--regions",
               demo["regions"], "--out", tmp_path / "audit", "--year", "2022")
    assert done.returncode == 0, done.stderr
    assert "Statistical audit of 36 indicators on the raw data, 2022" in done.stdout
    stats = pd.read_csv(tmp_path / "audit" / "stats.csv")
    assert len(stats) == 36 and (stats["n"] == 13).all()
    done = hqd("audit", "-f", demo["framework"], "-d", demo["data"], "--out", tmp_path / "a2", "--step", "treated")
    assert done.returncode == 2 and "unknown_step" in done.stderr


def test_demo_uncertainty_gives_per_city_rank_bands(demo: dict[str, Path], tmp_path: Path) -> None:
    result = demo_uncertainty(demo, n=300, seed=1, out=tmp_path / "u")
    bands = result.rank_bands(with_names=True)
    assert len(bands) == 13 and bands["region"].iloc[0] == "110000" and bands["name"].iloc[0] == "北京"
    assert (bands["q05"] <= bands["median"]).all() and (bands["median"] <= bands["q95"]).all()
    assert set(result.parameters["weighting"]) == {"equal", "entropy(shift=0.0001)", "critic"}
    assert set(result.parameters["aggregation"]) == {"arithmetic", "geometric"}
    assert result.parameters.filter(like="weights:").to_numpy().min() >= 0.8
    summary = (tmp_path / "u" / "summary.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in summary and not result.failed.any()
    again = demo_uncertainty(demo, n=300, seed=1)
    np.testing.assert_array_equal(again.scores, result.scores)
