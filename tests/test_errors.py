"""Reason codes are one declared vocabulary (hqd.errors.REASON_CODES), raised, declared and documented alike."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from hqd.errors import REASON_CODES, HqdError, Problem, Problems, reason_codes_markdown

REPO = Path(__file__).resolve().parents[1]
#: Calls whose first argument (or ``code=``) is a reason code.
_CALLS = {"Problem", "_problem", "error", "warn", "warning", "_warn", "_error", "problem"}
_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def raised_codes() -> dict[str, set[str]]:
    """Every literal reason code passed to Problem / Problems.error / .warn / HqdError(code=…) in src/hqd."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / "src" / "hqd").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            literals = []
            if name in _CALLS and node.args and isinstance(node.args[0], ast.Constant):
                literals.append(node.args[0].value)
            literals += [k.value.value for k in node.keywords
                         if k.arg == "code" and isinstance(k.value, ast.Constant)]
            for value in literals:
                if isinstance(value, str) and _CODE.match(value):
                    found.setdefault(value, set()).add(str(path.relative_to(REPO)))
    return found


def test_every_raised_code_is_declared() -> None:
    found = raised_codes()
    assert len(found) > 150  # the scan sees the code base
    undeclared = {code: sorted(paths) for code, paths in found.items() if code not in REASON_CODES}
    assert not undeclared, f"reason codes raised but not declared in hqd.errors.REASON_CODES: {undeclared}"


def test_every_declared_code_is_documented() -> None:
    formats = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- reason-codes:start -->\n(.*?)\n<!-- reason-codes:end -->", formats, re.S)
    assert block, "docs/formats.md has no generated reason-code table"
    assert block.group(1).strip() == reason_codes_markdown().strip(), \
        "docs/formats.md's reason-code table is stale: regenerate it with `python -m hqd.errors`"


@pytest.mark.parametrize("old,new", [("column_missing", "missing_column"), ("duplicate_value", "duplicate_observation"),
                                     ("encoding_unknown", "encoding_error"), ("encoding_invalid", "encoding_error"),
                                     ("sheet_unknown", "unknown_sheet"), ("year_invalid", "invalid_year"),
                                     ("cell_unparseable", "non_numeric"), ("indicator_unknown", "unknown_indicator")])
def test_one_spelling_per_meaning(old: str, new: str) -> None:
    assert old not in REASON_CODES and new in REASON_CODES
    assert old not in raised_codes()
    for doc in (REPO / "docs").glob("*.md"):
        assert not re.search(rf"\b{old}\b", doc.read_text(encoding="utf-8")), f"{doc.name} still says {old}"


def test_problems_carry_their_location() -> None:
    problems = Problems(context={"file": "data.csv", "sheet": None})
    problems.error("non_numeric", "'abc' is not a number", row=3, column="E1", region="110000", year=2020)
    with pytest.raises(HqdError) as err:
        problems.raise_if_errors()
    assert err.value.codes == ["non_numeric"]
    assert str(err.value.problems[0]) == ("[non_numeric] data.csv:3, column 'E1', region '110000', year 2020: "
                                          "'abc' is not a number")
    assert Problem("empty_file", "x").to_dict() == {"code": "empty_file", "message": "x", "severity": "error"}
