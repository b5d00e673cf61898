"""docs/reports.md documents every chart with its parameters and every reason code the report code raises."""

from __future__ import annotations

import re
from pathlib import Path

from hqd.report.charts import CHARTS

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
PATTERN = re.compile(r"""(?:\.error|\.warn|Problem)\(\s*["']([a-z_]+)["']|code=["']([a-z_]+)["']""")


def test_every_chart_and_parameter_is_documented() -> None:
    rows = {line.split("|")[1].strip().strip("`"): line for line in DOCS.splitlines() if line.startswith("| `")}
    for name, spec in CHARTS.items():
        assert name in rows, name
        for param in spec.params:
            assert f"`{param.name}`" in rows[name], (name, param.name)


def test_every_reason_code_is_documented() -> None:
    files = [*(ROOT / "src" / "hqd" / "report").glob("*.py"), ROOT / "src" / "hqd" / "cli" / "report.py"]
    codes = {a or b for path in files for a, b in PATTERN.findall(path.read_text(encoding="utf-8"))}
    assert {"unknown_chart", "invalid_parameter", "missing_input"} <= codes
    missing = sorted(code for code in codes if f"`{code}`" not in DOCS)
    assert not missing, missing
