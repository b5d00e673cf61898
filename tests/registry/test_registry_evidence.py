"""Evidence files (佐证材料): stored with name, type, size, SHA-256 and uploader; size-limited, type-checked by
content; dated milestones with overdue flags."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from hqd.errors import HqdError
from hqd.registry import evidence as ev
from hqd.registry import import_frame

pytest_plugins = ["registry_fixtures"]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def engine(registry_engine: Engine) -> Engine:
    import_frame(registry_engine, "plans", pd.DataFrame({"code": ["PL"], "name": ["示例方案"]}), actor="t")
    import_frame(registry_engine, "tasks", pd.DataFrame({"code": ["T1"], "plan": ["PL"], "title": ["示例任务"],
                                                         "status": ["推进中"]}), actor="t")
    return registry_engine


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def test_evidence_is_stored_with_its_facts(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "验收报告.pdf"
    path.write_bytes(PDF)
    rec = ev.add_evidence(engine, "T1", path, actor="alice")
    assert (rec["media_type"], rec["size"], rec["sha256"]) == ("application/pdf", len(PDF),
                                                                hashlib.sha256(PDF).hexdigest())
    ev.add_evidence(engine, "T1", docx(), file_name="会议纪要.docx", actor="bob")
    listed = ev.evidence(engine, "T1")
    assert listed[["file_name", "uploaded_by"]].values.tolist() == [["验收报告.pdf", "alice"], ["会议纪要.docx", "bob"]]
    assert ev.evidence_content(engine, rec["id"]) == ("验收报告.pdf", "application/pdf", PDF)


@pytest.mark.parametrize(("content", "name", "reason"), [
    (b"", "a.pdf", "evidence_empty"),
    (b"MZ\x90\x00 an executable", "a.pdf", "evidence_type"),
    (PNG, "photo.pdf", "evidence_type_mismatch"),
    (b"PK\x03\x04 not really a zip", "a.docx", "evidence_type"),
])
def test_bad_evidence_is_refused(engine: Engine, content: bytes, name: str, reason: str) -> None:
    with pytest.raises(HqdError) as info:
        ev.add_evidence(engine, "T1", content, file_name=name, actor="alice")
    assert info.value.problems[0].code == reason
    assert ev.evidence(engine).empty


def test_size_limit_and_duplicates(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HQD_EVIDENCE_MAX_BYTES", "40")
    with pytest.raises(HqdError) as info:
        ev.add_evidence(engine, "T1", PDF, file_name="big.pdf", actor="alice")
    assert info.value.problems[0].code == "evidence_too_large"
    monkeypatch.delenv("HQD_EVIDENCE_MAX_BYTES")
    ev.add_evidence(engine, "T1", PDF, file_name="a.pdf", actor="alice")
    with pytest.raises(HqdError) as info:
        ev.add_evidence(engine, "T1", PDF, file_name="again.pdf", actor="alice")
    assert info.value.problems[0].code == "duplicate_evidence"
    with pytest.raises(HqdError) as info:
        ev.add_evidence(engine, "NOPE", PNG, file_name="a.png", actor="alice")
    assert info.value.problems[0].code == "not_found"


def test_milestones_and_overdue(engine: Engine) -> None:
    first = ev.add_milestone(engine, "T1", "2024-03-31", "完成选址", actor="alice")
    ev.add_milestone(engine, "T1", "2024-06-30", "开工建设", actor="alice")
    ev.reach_milestone(engine, first["id"], "2024-04-10", actor="alice")
    got = ev.milestones(engine, "T1", as_of="2024-07-01")
    assert got[["title", "overdue"]].values.tolist() == [["完成选址", False], ["开工建设", True]]
    early = ev.milestones(engine, "T1", as_of="2024-04-05")  # reached on 10 April: overdue on 5 April
    assert early["overdue"].tolist() == [True, False]
