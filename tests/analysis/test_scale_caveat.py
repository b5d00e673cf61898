"""Ratio statistics of an interval-scale index carry a caveat (issue 13 item 2): the normalisation's scale is a
catalogue property, recorded in the manifest, and read by the CLI and the report."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import hqd
from hqd.analysis.verdicts import scale_caveat
from hqd.cli.main import app
from hqd.datasets.jjj import write_demo_inputs
from hqd.methods import catalog


def test_the_catalogue_knows_each_normalisations_scale() -> None:
    scales = {m.name: m.properties.scale for m in catalog.all_methods() if m.family == "normalise"}
    assert {k for k, v in scales.items() if v == "interval"} == {"minmax", "zscore", "goalposts"}
    assert {k for k, v in scales.items() if v == "ordinal"} == {"rank", "percentile_rank"}
    assert scales["ratio_to_base"] == scales["vector"] == scales["none"] == "ratio"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_demo_inputs(tmp_path_factory.mktemp("scale"))


def test_manifest_records_the_scale_and_the_caveat_follows(demo: dict[str, Path], tmp_path: Path) -> None:
    result = hqd.run(demo["framework"], demo["data"], demo["recipe"], regions=demo["regions"])
    policies = result.manifest["policies"]
    assert policies["index_scale"] == {"normalisation": "minmax", "scale": "interval"}
    zh = scale_caveat(policies, "zh")
    assert zh is not None and "区间尺度" in zh and "极差" in zh and "minmax" not in zh
    assert "interval scale" in str(scale_caveat(policies, "en"))
    ratio = tmp_path / "ratio.yaml"
    ratio.write_text("impute: {method: nocb}\nnormalise: {method: ratio_to_base, base_year: 2013}\n"
                     "weight: {method: equal}\naggregate: {method: arithmetic}\n", encoding="utf-8")
    other = hqd.run(demo["framework"], demo["data"], ratio, regions=demo["regions"])
    assert other.manifest["policies"]["index_scale"]["scale"] == "ratio"
    assert scale_caveat(other.manifest["policies"], "zh") is None


def test_cli_and_report_print_the_caveat(demo: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    run = tmp_path / "run"
    done = runner.invoke(app, ["run", "-f", str(demo["framework"]), "-d", str(demo["data"]), "-r", str(demo["recipe"]),
                               "--regions", str(demo["regions"]), "--out", str(run)])
    assert done.exit_code == 0, done.output
    theil = runner.invoke(app, ["analyze", "theil", str(run), "--groups", "province", "--out", str(tmp_path / "a")])
    assert theil.exit_code == 0, theil.output
    assert "区间尺度" in theil.output and "interval scale" in theil.output
    from hqd.report.document import build_document

    texts = [b.text for s in build_document(run, lang="zh").sections for b in s.blocks if hasattr(b, "text")]
    assert any("区间尺度" in t and "增长率" in t for t in texts)
