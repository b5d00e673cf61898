"""Every reason code the engine can raise is documented in docs/formats.md (a test that fails when one is not)."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "hqd"
ENGINE = [*SRC.glob("model/framework.py"), *SRC.glob("model/recipe.py"), *SRC.glob("io/*.py"),
          SRC / "pipeline.py", SRC / "result.py", *SRC.glob("methods/*.py"), SRC / "cli" / "engine.py"]
PATTERN = re.compile(r"""(?:\.error|\.warn|Problem)\(\s*["']([a-z_]+)["']|code=["']([a-z_]+)["']""")


def test_every_engine_reason_code_is_documented() -> None:
    docs = (SRC.parents[1] / "docs" / "formats.md").read_text(encoding="utf-8")
    codes = {a or b for path in ENGINE for a, b in PATTERN.findall(path.read_text(encoding="utf-8"))}
    assert len(codes) > 40
    missing = sorted(code for code in codes if f"`{code}`" not in docs)
    assert not missing, f"reason codes not documented in docs/formats.md: {missing}"
