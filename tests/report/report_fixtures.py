"""Fixtures for the report tests: the demo run (made once per session with ``hqd demo`` through its
Python function), a copy of it without ``analysis/`` and ``uncertainty/``, the three report formats
built from it, and the system Chromium.

Browser and PDF tests need Debian's ``chromium``, ``fonts-wqy-microhei`` and ``poppler-utils``
(``.ci/run`` installs them).  Where they are absent those tests skip with the reason — unless
``HQD_REQUIRE_BROWSER=1``, where they fail.

Test modules load them with ``pytest_plugins = ["report_fixtures"]``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from report_helpers import open_offline, unavailable

CHROMIUM = os.environ.get("HQD_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).is_file():
        unavailable(f"Chromium not found at {CHROMIUM} (Debian: apt install chromium fonts-wqy-microhei)")
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``hqd demo --out ROOT`` (run + analyses), plus a small Sobol uncertainty analysis in ``run/uncertainty``."""
    from hqd.cli.engine import demo
    from hqd.robustness import demo_spec_path
    from hqd.robustness.uncertainty import uncertainty_analysis

    root = tmp_path_factory.mktemp("report-demo")
    demo(out=root)
    inputs = root / "input"
    result = uncertainty_analysis(inputs / "jjj_framework.csv", inputs / "jjj_panel_SYNTHETIC.csv",
                                  inputs / "jjj_recipe.yaml", demo_spec_path(), n=32, seed=1, method="sobol",
                                  regions=inputs / "jjj_regions.csv")
    result.write(root / "run")
    return root


@pytest.fixture(scope="session")
def demo_run(demo_root: Path) -> Path:
    return demo_root / "run"


@pytest.fixture(scope="session")
def bare_run(demo_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo run without ``analysis/`` and ``uncertainty/`` (what ``hqd run`` alone writes)."""
    target = tmp_path_factory.mktemp("report-bare") / "run"
    shutil.copytree(demo_run, target, ignore=shutil.ignore_patterns("analysis", "uncertainty"))
    return target


@pytest.fixture(scope="session")
def demo_reports(demo_run: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The xlsx and html reports (zh) of the demo run."""
    from hqd.report import build_report

    out = tmp_path_factory.mktemp("report-out")
    return {fmt: build_report(demo_run, fmt, out / f"report.{fmt}", lang="zh") for fmt in ("xlsx", "html")}


@pytest.fixture(scope="session")
def demo_pdf(demo_run: Path, chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hqd.report import build_report

    return build_report(demo_run, "pdf", tmp_path_factory.mktemp("report-pdf") / "report.pdf", lang="zh")


@pytest.fixture(scope="session")
def browser(chromium_path: str, shared_browser: Any) -> Any:
    """A Playwright Chromium (Debian's, never a downloaded one), shared with the dashboard tests."""
    return shared_browser


@pytest.fixture(scope="session")
def offline(browser: Any) -> Any:
    """``offline(path)``: open ``path`` in the browser with every non-file request blocked."""
    return lambda path: open_offline(browser, path)
