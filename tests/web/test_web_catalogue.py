"""The dashboard's labels: one catalogue (hqd.report.messages), exported to src/hqd/web/messages.json.

``messages.json`` is generated from :func:`hqd.report.messages.catalogue`; the test fails when the two
drift.  Regenerate with ``.venv/bin/python tests/web/test_web_catalogue.py``.  Every key the dashboard's
JavaScript and HTML name must be in the catalogue, in both languages, and the registry field labels'
Chinese must equal the registry schema's own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "src" / "hqd" / "web"
JSON_PATH = WEB / "messages.json"


def rendered() -> str:
    from hqd.report.messages import catalogue

    return json.dumps(catalogue(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def used_keys() -> set[str]:
    """Keys named literally in the dashboard: t("key" …), data-i18n="key" …, and the prefixes of t(`…${x}`)."""
    keys: set[str] = set()
    for path in [*WEB.glob("js/**/*.js"), WEB / "index.html"]:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"\bt\(\"([A-Za-z0-9_]+)\"", text))
        keys |= set(re.findall(r"data-i18n(?:-title|-label)?=\"([A-Za-z0-9_]+)\"", text))
    return keys


def dynamic_keys() -> set[str]:
    """Keys the dashboard builds from data: tabs, roles, segments, quadrants."""
    from hqd.registry.schema import entity

    keys = {f"web_tab_{tab}" for tab in ("chains", "projects", "enterprises", "zones", "ledgers", "tasks")}
    keys |= {f"web_role_{r}" for r in ("strengthen", "extend", "fill", "present")}
    keys |= {f"web_role_user_{r}" for r in ("admin", "editor", "viewer")}
    keys |= {f"web_segment_{s}" for s in ("upstream", "midstream", "downstream")}
    keys |= {f"quadrant_{q}" for q in ("HH", "LH", "LL", "HL")}
    for name in ("projects", "enterprises", "zones", "tasks"):
        for field in entity(name).fields:
            keys |= {f"reg_choice_{name}_{field.name}_{c.key}" for c in field.choices}
    return keys


def test_messages_json_is_generated_from_the_catalogue() -> None:
    assert JSON_PATH.is_file(), "run .venv/bin/python tests/web/test_web_catalogue.py"
    assert JSON_PATH.read_text(encoding="utf-8") == rendered(), (
        "src/hqd/web/messages.json differs from hqd.report.messages: regenerate it with "
        ".venv/bin/python tests/web/test_web_catalogue.py")


def test_every_key_the_dashboard_uses_is_in_both_languages() -> None:
    from hqd.report.messages import MESSAGES

    keys = used_keys() | dynamic_keys()
    assert len(keys) > 100  # the scan found the dashboard's files
    missing = sorted(k for k in keys if k not in MESSAGES)
    assert missing == []
    for key in keys:
        assert MESSAGES[key]["zh"].strip() and MESSAGES[key]["en"].strip(), key
        # a label in the wrong language is the usual copy-paste slip
        assert re.search(r"[\u4e00-\u9fff]", MESSAGES[key]["zh"]) or key.startswith("quadrant"), key


@pytest.mark.parametrize("name", ["projects", "enterprises", "zones", "tasks", "links"])
def test_registry_labels_match_the_registry_schema(name: str) -> None:
    from hqd.registry.schema import entity
    from hqd.report.messages import MESSAGES

    checked = 0
    for field in entity(name).fields:
        key = f"reg_{name}_{field.name}"
        if key in MESSAGES:
            assert MESSAGES[key]["zh"] == field.label_zh, key
            checked += 1
        for choice in field.choices:
            # chain-map segments are shown through web_segment_<key>
            ckey = f"web_segment_{choice.key}" if name == "links" else f"reg_choice_{name}_{field.name}_{choice.key}"
            assert MESSAGES[ckey]["zh"] == choice.label_zh, ckey
    assert checked >= 1


def test_font_stack_of_the_css_covers_windows_macos_and_linux() -> None:
    css = (WEB / "css" / "dashboard.css").read_text(encoding="utf-8")
    stack = re.search(r"--font:([^;]+);", css)
    assert stack is not None
    fonts = stack.group(1)
    for font in ("Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "WenQuanYi Micro Hei"):
        assert f'"{font}"' in fonts
    assert fonts.strip().endswith("sans-serif")


if __name__ == "__main__":
    JSON_PATH.write_text(rendered(), encoding="utf-8")
    print(f"wrote {JSON_PATH}")
