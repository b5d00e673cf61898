"""The vendored Apache ECharts: the pinned version, its checksum and its licence files are where the README says."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from hqd.report.charts import ECHARTS_PATH, ECHARTS_VERSION

VENDOR = ECHARTS_PATH.parents[1]


def test_echarts_is_the_recorded_version() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(ECHARTS_PATH.read_bytes()).hexdigest()
    assert f"`{digest}`" in readme
    assert f"Apache ECharts {ECHARTS_VERSION}" in readme
    assert re.search(rf'version:"?{re.escape(ECHARTS_VERSION)}"?', ECHARTS_PATH.read_text(encoding="utf-8")) or \
        f'"{ECHARTS_VERSION}"' in ECHARTS_PATH.read_text(encoding="utf-8")


def test_licence_files_travel_with_it() -> None:
    folder = ECHARTS_PATH.parent
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "The Apache Software Foundation" in (folder / "NOTICE").read_text(encoding="utf-8")
    assert "BSD 3-Clause" in (folder / "LICENSE-zrender").read_text(encoding="utf-8")
    assert (folder / "LICENSE-d3").is_file()


def test_package_data_ships_the_web_folder() -> None:
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"web/**/*"' in pyproject
