"""Supporting evidence (佐证材料) and dated milestones of ledger tasks.

Evidence files are stored by the registry (in the database, so they travel with its backups and a failed
upload stores nothing), each with its file name, media type, size, SHA-256 and who uploaded it when.

- **Size-limited**: at most :data:`MAX_BYTES` (20 MiB; ``$HQD_EVIDENCE_MAX_BYTES`` overrides) —
  ``evidence_too_large``; an empty file is ``evidence_empty``.
- **Type-checked** by content, not by name: the first bytes must be those of an accepted type — PDF
  (``%PDF-``), PNG (``\\x89PNG\\r\\n\\x1a\\n``), JPEG (``\\xff\\xd8\\xff``), or an Office Open XML document (a zip
  holding ``[Content_Types].xml`` and ``word/`` for .docx or ``xl/`` for .xlsx) — else ``evidence_type``;
  and the file name's suffix must name that type (``evidence_type_mismatch``: a ``.pdf`` that is a PNG).
- The same file twice on one task is ``duplicate_evidence``.  Every upload is in the change log (entity
  ``evidence``).

Milestones (节点): a task's dated steps (due date, title; later the date reached), change-logged too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from hqd.errors import HqdError, Problem
from hqd.registry import models as m
from hqd.registry import store
from hqd.registry.db import EngineLike, engine_for, read, write

MAX_BYTES = 20 * 1024 * 1024
TYPES = {  # media type → accepted suffixes
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}


def max_bytes() -> int:
    return int(os.environ.get("HQD_EVIDENCE_MAX_BYTES", MAX_BYTES))


def media_type(content: bytes) -> str | None:
    """The accepted media type ``content`` is, judged by its bytes (``None``: not an accepted type)."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if any(n.startswith("xl/") for n in names):
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def _task_exists(conn: Connection, task: str) -> None:
    t = m.table_of(m.Task)
    if conn.execute(select(t.c.code).where(t.c.code == task)).first() is None:
        raise HqdError([Problem("not_found", f"no task with code {task!r}")])


def add_evidence(target: EngineLike | None, task: str, source: str | Path | bytes, *, actor: str,
                 file_name: str | None = None) -> dict[str, Any]:
    """Store an evidence file for ``task`` (checks in the module doc); returns its record (no content)."""
    if isinstance(source, bytes):
        content, name = source, file_name or "evidence"
    else:
        path = Path(source)
        name = file_name or path.name
        if not path.is_file():
            raise HqdError([Problem("file_not_found", f"no such file: {path}", file=path.name)])
        if path.stat().st_size > max_bytes():
            raise HqdError([Problem("evidence_too_large", f"{name} has {path.stat().st_size:,} bytes; at most "
                                    f"{max_bytes():,} allowed", file=name)])
        content = path.read_bytes()
    where: dict[str, Any] = {"file": name}
    if not content:
        raise HqdError([Problem("evidence_empty", f"{name} is empty", **where)])
    if len(content) > max_bytes():
        raise HqdError([Problem("evidence_too_large", f"{name} has {len(content):,} bytes; at most "
                                f"{max_bytes():,} allowed", **where)])
    kind = media_type(content)
    if kind is None:
        raise HqdError([Problem("evidence_type", f"{name} is not a PDF, PNG, JPEG, .docx or .xlsx file (judged by "
                                "its content)", **where)])
    suffix = Path(name).suffix.lower()
    if suffix not in TYPES[kind]:
        raise HqdError([Problem("evidence_type_mismatch", f"{name} is named {suffix or '(no suffix)'} but its "
                                f"content is {kind} ({', '.join(TYPES[kind])})", **where)])
    digest = hashlib.sha256(content).hexdigest()
    e = m.table_of(m.Evidence)
    with engine_for(target) as engine, write(engine) as conn:
        _task_exists(conn, task)
        if conn.execute(select(e.c.id).where(e.c.task == task, e.c.sha256 == digest)).first() is not None:
            raise HqdError([Problem("duplicate_evidence", f"task {task} already has this file ({digest[:12]}…)",
                                    **where)])
        at = store.now()
        new_id = int(conn.execute(insert(e).values(task=task, file_name=name[:256], media_type=kind,
                                                   size=len(content), sha256=digest, content=content,
                                                   uploaded_by=actor, uploaded_at=at).returning(e.c.id))
                     .scalar_one())
        store.write_log(conn, [{"at": at, "actor": actor, "entity": "evidence", "key": str(new_id),
                                "action": "insert", "field": "file", "old_value": None,
                                "new_value": f"{task}|{name}|{len(content)}|{digest}"}])
    return {"id": new_id, "task": task, "file_name": name, "media_type": kind, "size": len(content),
            "sha256": digest, "uploaded_by": actor, "uploaded_at": at}


def evidence(target: EngineLike | None, task: str | None = None) -> pd.DataFrame:
    """Evidence records (without content), oldest first."""
    e = m.table_of(m.Evidence)
    cols = [c for c in e.c if c.name != "content"]
    stmt = select(*cols).order_by(e.c.id)
    if task is not None:
        stmt = stmt.where(e.c.task == task)
    with engine_for(target) as engine, read(engine) as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in cols])


def evidence_content(target: EngineLike | None, evidence_id: int) -> tuple[str, str, bytes]:
    """``(file name, media type, bytes)`` of a stored evidence file."""
    e = m.table_of(m.Evidence)
    with engine_for(target) as engine, read(engine) as conn:
        row = conn.execute(select(e.c.file_name, e.c.media_type, e.c.content).where(e.c.id == evidence_id)).first()
    if row is None:
        raise HqdError([Problem("not_found", f"no evidence {evidence_id}")])
    return str(row[0]), str(row[1]), bytes(row[2])


def add_milestone(target: EngineLike | None, task: str, due: str | dt.date, title: str, *,
                  actor: str) -> dict[str, Any]:
    """A dated milestone of ``task``."""
    from hqd.registry.ledgers import as_date

    day = as_date(due, "due_date")
    if not title.strip():
        raise HqdError([Problem("required", "a milestone needs a title", column="title")])
    t = m.table_of(m.Milestone)
    with engine_for(target) as engine, write(engine) as conn:
        _task_exists(conn, task)
        at = store.now()
        new_id = int(conn.execute(insert(t).values(task=task, due_date=day, title=title, actor=actor,
                                                   recorded_at=at).returning(t.c.id)).scalar_one())
        store.write_log(conn, [{"at": at, "actor": actor, "entity": "milestones", "key": str(new_id),
                                "action": "insert", "field": "due_date", "old_value": None,
                                "new_value": f"{task}|{day.isoformat()}|{title}"}])
        return dict(conn.execute(select(t).where(t.c.id == new_id)).one()._mapping)


def reach_milestone(target: EngineLike | None, milestone: int, on: str | dt.date, *, actor: str) -> dict[str, Any]:
    """Record the date a milestone was reached."""
    from hqd.registry.ledgers import as_date

    day = as_date(on, "done_date")
    t = m.table_of(m.Milestone)
    with engine_for(target) as engine, write(engine) as conn:
        row = conn.execute(select(t).where(t.c.id == milestone)).first()
        if row is None:
            raise HqdError([Problem("not_found", f"no milestone {milestone}")])
        conn.execute(update(t).where(t.c.id == milestone).values(done_date=day))
        store.write_log(conn, [{"at": store.now(), "actor": actor, "entity": "milestones", "key": str(milestone),
                                "action": "update", "field": "done_date", "old_value": store.text(row.done_date),
                                "new_value": day.isoformat()}])
        return dict(conn.execute(select(t).where(t.c.id == milestone)).one()._mapping)


def milestones(target: EngineLike | None, task: str | None = None, *, as_of: str | dt.date | None = None
               ) -> pd.DataFrame:
    """Milestones by due date; with ``as_of``, a column ``overdue`` (due before it and not reached by it)."""
    from hqd.registry.ledgers import as_date

    t = m.table_of(m.Milestone)
    stmt = select(t).order_by(t.c.due_date, t.c.id)
    if task is not None:
        stmt = stmt.where(t.c.task == task)
    with engine_for(target) as engine, read(engine) as conn:
        frame = pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=[c.name for c in t.c])
    if as_of is not None:
        day = as_date(as_of)
        frame["overdue"] = [due < day and (done is None or done > day)
                            for due, done in zip(frame["due_date"], frame["done_date"], strict=True)]
    return frame
