"""Same inputs and seed, same bytes: scores.csv across two builds, rank_stats.csv and run_scores.parquet
across two uncertainty runs and across 1 or 2 worker processes (issue 20)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hqd.cli.main import app
from hqd.datasets.jjj import write_demo_inputs

runner = CliRunner()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_demo_inputs(tmp_path_factory.mktemp("determinism"))


def _inputs(demo: dict[str, Path]) -> list[str]:
    return ["-f", str(demo["framework"]), "-d", str(demo["data"]), "-r", str(demo["recipe"]),
            "--regions", str(demo["regions"])]


def test_two_builds_write_the_same_scores(demo: dict[str, Path], tmp_path: Path) -> None:
    digests = []
    for name in ("a", "b"):
        done = runner.invoke(app, ["run", *_inputs(demo), "--out", str(tmp_path / name)])
        assert done.exit_code == 0, done.output
        digests.append({f: _digest(tmp_path / name / f) for f in ("scores.csv", "weights.csv", "grades.csv")})
    assert digests[0] == digests[1]


def test_uncertainty_is_byte_identical_across_runs_and_workers(demo: dict[str, Path], tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("inputs:\n  - {type: weight_noise, noise: 0.25, levels: [1, 2]}\n"
                    "  - {type: weight, alternatives: [entropy, equal]}\n", encoding="utf-8")
    digests = []
    # 3,000 runs of the demo are several chunks (about 1,400 runs each), so two workers really share them
    for name, workers in (("one", "1"), ("again", "1"), ("two", "2")):
        out = tmp_path / name
        done = runner.invoke(app, ["uncertainty", *_inputs(demo), "--spec", str(spec), "--n", "3000", "--seed", "7",
                                   "--workers", workers, "--out", str(out)])
        assert done.exit_code == 0, done.output
        digests.append({f: _digest(out / f) for f in ("rank_stats.csv", "run_scores.parquet")})
    assert digests[0] == digests[1] == digests[2]

