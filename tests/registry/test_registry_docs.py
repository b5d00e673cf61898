"""docs/registry.md documents every field, command and reason code (a test fails when something is not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import hqd.cli.registry as cli
from hqd.registry import ENTITIES
from hqd.registry.schema import unknown_code

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "registry.md").read_text(encoding="utf-8")
SOURCES = [*(REPO / "src" / "hqd" / "registry").glob("*.py"), REPO / "src" / "hqd" / "cli" / "registry.py"]


@pytest.mark.parametrize("name", sorted(ENTITIES))
def test_every_field_is_documented(name: str) -> None:
    for f in ENTITIES[name].fields:
        assert f"| `{f.name}` | {f.label_zh} |" in DOC, (name, f.name)


def test_every_reason_code_is_documented() -> None:
    pattern = re.compile(r'(?:error|warn|Problem|cells)\(\s*"([a-z_]+)"|return \(?\s*"(credit_code_[a-z]+)"')
    codes = {a or b for path in SOURCES for a, b in pattern.findall(path.read_text(encoding="utf-8"))}
    codes |= {unknown_code(f.ref) for e in ENTITIES.values() for f in e.fields if f.ref}
    assert len(codes) > 30
    missing = sorted(c for c in codes if f"`{c}`" not in DOC)
    assert missing == []


def test_every_command_is_documented() -> None:
    commands = [c.name or c.callback.__name__ for c in cli.registry_app.registered_commands]
    commands += [f"summary {c.name}" for c in cli.summary_app.registered_commands]
    commands += [f"ledger {c.name}" for c in cli.ledger_app.registered_commands]
    for command in commands:
        assert f"hqd registry {command}" in DOC or f"`{command}" in DOC, command
