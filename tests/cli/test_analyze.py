"""``hqd analyze jjj RUN_DIR`` — the command the dashboard and the report suggest — writes RUN_DIR/analysis."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hqd.datasets.jjj import write_demo_inputs
    from hqd.io.rundir import write_run
    from hqd.pipeline import run

    folder = tmp_path_factory.mktemp("run")
    paths = write_demo_inputs(folder / "input")
    result = run(paths["framework"], paths["data"], paths["recipe"], regions=paths["regions"])
    return write_run(result, folder / "run")


def test_the_dashboard_hint_writes_where_the_dashboard_reads(run_dir: Path, tmp_path: Path) -> None:
    from hqd.report.rundata import RunData

    assert not RunData(run_dir).has_analysis
    done = subprocess.run([sys.executable, "-m", "hqd.cli", "analyze", "jjj", str(run_dir), "--permutations", "99"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path,
                          env={"PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "analysis-out").exists()
    assert (run_dir / "analysis" / "jjj.xlsx").is_file()
    data = RunData(run_dir)
    assert data.has_analysis
    assert data.analysis("theil") is not None and data.analysis("coupling_dimensions") is not None
