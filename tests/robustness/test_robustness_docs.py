"""Every reason code the robustness code can raise is documented in docs/robustness.md."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "hqd"
FILES = [*SRC.glob("robustness/*.py"), SRC / "cli" / "robustness.py"]
PATTERN = re.compile(r"""(?:\.error|\.warn|Problem)\(\s*["']([a-z_]+)["']|code=["']([a-z_]+)["']""")


def test_every_robustness_reason_code_is_documented() -> None:
    docs = (SRC.parents[1] / "docs" / "robustness.md").read_text(encoding="utf-8")
    codes = {a or b for path in FILES for a, b in PATTERN.findall(path.read_text(encoding="utf-8"))}
    assert len(codes) > 15
    missing = sorted(code for code in codes if f"`{code}`" not in docs)
    assert not missing, f"reason codes not documented in docs/robustness.md: {missing}"


def test_the_spec_input_types_are_documented() -> None:
    from hqd.robustness.spec import INPUT_TYPES

    docs = (SRC.parents[1] / "docs" / "robustness.md").read_text(encoding="utf-8")
    assert all(f"`{kind}`" in docs for kind in INPUT_TYPES)


def test_docstring_examples_run() -> None:
    import doctest
    import importlib

    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    finder = doctest.DocTestFinder()
    ran = 0
    for name in ("audit", "sensitivity", "engine", "spec", "uncertainty"):
        module = importlib.import_module(f"hqd.robustness.{name}")
        for test in finder.find(module):
            ran += len(test.examples)
            runner.run(test)
    assert ran >= 5 and runner.failures == 0
