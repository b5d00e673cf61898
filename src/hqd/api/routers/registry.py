"""The industrial coordination registry over HTTP: every entity (list, read, create, update, delete, import
with dry run, export, template), summaries, chain gaps, ledgers and the change log.

Thin: each route calls one :mod:`hqd.registry` service.  Writes need an admin or an editor, an editor's
region scope is checked (:mod:`hqd.api.scope`), and the change log records the user (``actor``).
Optimistic locking: an update or delete names the ``version`` it read; a stale one is a 409 conflict.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Body, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hqd import registry as reg
from hqd.api import scope
from hqd.api.audit import event
from hqd.api.auth import covers
from hqd.api.deps import Client, Reader, Svc, Writer
from hqd.api.errors import ERROR_RESPONSES, MAX_INT
from hqd.api.responses import Envelope, JSONText, Page, ok, page, records_page
from hqd.errors import HqdError, Problem, Problems
from hqd.registry.schema import CONTROL_CHARACTERS
from hqd.registry.summaries import ENTERPRISE_GROUPS, PROJECT_GROUPS

router = APIRouter(prefix="/api/registry", tags=["registry"], responses=ERROR_RESPONSES)

ENTITY_NAMES = list(reg.ENTITIES)
EntityParam = PathParam(..., description="the entity", json_schema_extra={"enum": ENTITY_NAMES})
RESERVED = {"limit", "offset", "sort", "in_region"}
FILTER_KINDS = ("text", "ref", "choice", "credit_code", "url", "int", "year", "float", "bool", "date")


class Change(BaseModel):
    """An update: the version read, and the fields to change (values as text or JSON values)."""

    version: int = Field(..., ge=1, le=MAX_INT, description="the record's version when it was read")
    changes: dict[str, Any] = Field(..., description="field → new value")


def _entity(name: str) -> Any:
    from hqd.registry.schema import entity

    return entity(name)


def _no_nul(value: Any, where: str = "body") -> None:
    """Text with NUL or other control characters is refused (databases cannot store NUL, spreadsheets
    no control character); tab and line breaks are allowed."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise HqdError([Problem("invalid_character", f"{where}: text must not contain NUL or other control "
                                "characters", column=where)])
    if isinstance(value, dict):
        for k, v in value.items():
            _no_nul(str(k), where)
            _no_nul(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for v in value:
            _no_nul(v, where)


def _key(ent: Any, key: str) -> list[str]:
    """A key from the URL: composite keys are joined with ``|`` (the last part may contain ``|``)."""
    parts = key.split("|", len(ent.key) - 1) if len(ent.key) > 1 else [key]
    if len(parts) != len(ent.key):
        raise HqdError([Problem("bad_key", f"{ent.name} is keyed by {' | '.join(ent.key)}: join the parts with "
                                f"'|'; got {key!r}")])
    return parts


def _typed(field: Any, raw: str) -> Any:
    kind = field.kind
    try:
        if kind in ("int", "year"):
            number = int(raw)
            if abs(number) > MAX_INT:
                raise ValueError(raw)
            return number
        if kind == "float":
            value = float(raw)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError(raw)
            return value
        if kind == "bool":
            lowered = raw.strip().lower()
            if lowered not in ("true", "false", "1", "0"):
                raise ValueError(raw)
            return lowered in ("true", "1")
        if kind == "date":
            return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise HqdError([Problem("invalid_filter", f"{field.name} must be a {kind}; got {raw!r}",
                                column=field.name)]) from None
    return raw


def _where(ent: Any, request: Request, in_region: str | None) -> list[Any]:
    table = ent.table
    problems = Problems()
    clauses: list[Any] = []
    for name, raw in request.query_params.multi_items():
        if name in RESERVED:
            continue
        try:
            field = ent.field(name)
        except KeyError:
            problems.error("unknown_field", f"cannot filter {ent.name} by {name!r}; fields: "
                           + ", ".join(f.name for f in ent.stored_fields), column=name)
            continue
        if not field.stored or field.kind not in FILTER_KINDS or name not in table.c:
            problems.error("unknown_field", f"cannot filter {ent.name} by {name!r}", column=name)
            continue
        _no_nul(raw, name)
        clauses.append(table.c[name] == _typed(field, raw) if raw != "" else table.c[name].is_(None))
    problems.raise_if_errors()
    if in_region is not None:
        from hqd.api.auth import parse_scope

        code = parse_scope(in_region)
        if ent.name not in scope.LOCATION:
            raise HqdError([Problem("invalid_filter", f"{ent.name} have no region", column="in_region")])
        column = table.c[scope.LOCATION[ent.name][0]]
        if code is not None:
            prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
            clauses.append(column.like(prefix + "%"))
    return clauses


def editable(who: Any, entity: str, record: dict[str, Any]) -> bool:
    """Whether ``who`` may change ``record`` (for clients that show edit controls only where they work)."""
    if who is None or not who.can_write:
        return False
    if who.scope is None:
        return True
    if entity not in scope.LOCATION:
        return False
    return covers(who.scope, record.get(scope.LOCATION[entity][0]))


# ------------------------------------------------------------------------------------------- overview
@router.get("", response_model=Envelope, summary="The registry's entities with their record counts")
def overview(_who: Reader, svc: Svc) -> JSONText:
    from hqd.registry.db import read
    from hqd.registry.summaries import is_synthetic

    with read(svc.engine) as conn:
        synthetic = is_synthetic(conn)
    items = [{"name": e.name, "label_zh": e.label_zh, "description": e.description, "key": list(e.key),
              "count": reg.count(svc.engine, e.name)} for e in reg.ENTITIES.values()]
    return ok({"synthetic": synthetic, "revision": reg.current_revision(svc.engine), "items": items})


@router.get("/reference", response_model=Envelope, summary="Built-in reference data: regions, chains, "
            "clusters, corridors")
def reference(_who: Reader, svc: Svc) -> JSONText:
    from hqd.registry import models as m
    from hqd.registry.db import read

    out: dict[str, Any] = {}
    with read(svc.engine) as conn:
        for name, model, columns in (
            ("regions", m.Region, ("code", "name_zh", "name_en", "short_zh", "parent", "level")),
            ("chains", m.Chain, ("code", "name_zh", "name_en", "source")),
            ("clusters", m.Cluster, ("code", "name_zh", "name_en", "source")),
            ("corridors", m.Corridor, ("code", "name_zh", "name_en", "source")),
            ("corridor_cities", m.CorridorCity, ("corridor", "city")),
        ):
            table = m.table_of(model)
            rows = conn.execute(select(*(table.c[c] for c in columns)).order_by(table.c[columns[0]])).all()
            out[name] = [dict(zip(columns, row, strict=True)) for row in rows]
    return ok(out)


@router.get("/history", response_model=Page, summary="The change log (newest first)")
def history(_who: Reader, svc: Svc, entity: str | None = Query(None, json_schema_extra={"enum": ENTITY_NAMES}),
            key: str | None = Query(None, max_length=1000, description="a record key (needs entity)"),
            limit: int = Query(100, ge=1, le=MAX_INT)) -> JSONText:
    """:func:`hqd.registry.history`: who changed which field of which record, when, from what to what."""
    _no_nul(key, "key")
    parts = _key(_entity(entity), key) if entity is not None and key is not None else None
    frame = reg.history(svc.engine, entity, parts, limit=min(limit, svc.settings.page_size_max))
    return page(frame, limit=len(frame), offset=0)


# ------------------------------------------------------------------------------------------ summaries
@router.get("/summary/projects", response_model=Page, summary="Projects and investment per group")
def summary_projects(_who: Reader, svc: Svc, by: Literal[PROJECT_GROUPS] = "chain") -> JSONText:  # type: ignore[valid-type]
    """:func:`hqd.registry.summarize_projects`: count and total investment (亿元) per chain, cluster,
    corridor, region, province, status or year."""
    s = reg.summarize_projects(svc.engine, by)
    return page(s.table, limit=len(s.table), offset=0, extra=_summary_head(s))


@router.get("/summary/enterprises", response_model=Page, summary="Enterprises per tier, city or chain")
def summary_enterprises(_who: Reader, svc: Svc, by: Literal[ENTERPRISE_GROUPS] = "tier") -> JSONText:  # type: ignore[valid-type]
    s = reg.summarize_enterprises(svc.engine, by)
    return page(s.table, limit=len(s.table), offset=0, extra=_summary_head(s))


def _summary_head(s: Any) -> dict[str, Any]:
    return {"subject": s.subject, "by": s.by, "headline": s.headline(), "total_count": s.total_count,
            "total_investment_100m_cny": s.total_investment, "synthetic": s.synthetic, "notes": list(s.notes)}


@router.get("/gaps/{chain}", response_model=Envelope, summary="Chain gaps: extend, fill, strengthen (延链补链强链)")
def gaps(chain: str, _who: Reader, svc: Svc,
         region: str | None = Query(None, max_length=100, description="JJJ, a province, a city or a corridor"),
         strong_quantile: float = Query(0.75, ge=0, le=1)) -> JSONText:
    """:func:`hqd.registry.chain_gaps`, with the graph for an ECharts ``graph`` series."""
    from hqd.api.responses import frame_json

    _no_nul(chain, "chain")
    _no_nul(region, "region")
    g = reg.chain_gaps(svc.engine, chain, region, strong_quantile=strong_quantile)
    body = ok({"chain": g.chain, "chain_name_zh": g.chain_name_zh, "area": g.area, "area_name_zh": g.area_name_zh,
               "strong_quantile": g.strong_quantile, "synthetic": g.synthetic, "graph": g.graph(),
               "by_city": g.by_city.reset_index().to_dict(orient="records"),
               "by_corridor": g.by_corridor.reset_index().to_dict(orient="records")})
    text = bytes(body.body).decode("utf-8")
    return JSONText(text[:-1] + ',"links":' + frame_json(g.links) + ',"edges":' + frame_json(g.edges) + "}")


# -------------------------------------------------------------------------------------------- ledgers
@router.get("/ledgers/overdue", response_model=Page, summary="Open tasks past their deadline")
def overdue(_who: Reader, svc: Svc, as_of: dt.date | None = Query(None, description="default: today"),
            plan: str | None = Query(None, max_length=100)) -> JSONText:
    _no_nul(plan, "plan")
    frame = reg.overdue(svc.engine, as_of or dt.date.today(), plan=plan)
    return page(frame, limit=len(frame), offset=0, extra={"as_of": frame.attrs.get("as_of"),
                                                           "synthetic": bool(frame.attrs.get("synthetic"))})


@router.get("/ledgers/progress/{plan}", response_model=Envelope, summary="Share done per department and person")
def progress(plan: str, _who: Reader, svc: Svc) -> JSONText:
    from hqd.api.responses import clean

    _no_nul(plan, "plan")
    p = reg.progress(svc.engine, plan)
    return ok({"plan": p.plan, "share_done": p.share_done, "synthetic": p.synthetic,
               "items": clean(p.items.to_dict(orient="records")),
               "by_department": clean(p.by_department.to_dict(orient="records")),
               "by_person": clean(p.by_person.to_dict(orient="records"))})


@router.get("/ledgers/notes/{task}", response_model=Page, summary="A task's progress notes, oldest first")
def task_notes(task: str, _who: Reader, svc: Svc) -> JSONText:
    _no_nul(task, "task")
    frame = reg.notes(svc.engine, task)
    return page(frame, limit=len(frame), offset=0)


# ----------------------------------------------------------------------------------------- entities
@router.get("/{entity}", response_model=Envelope, summary="An entity's fields (for forms and imports)")
def entity_schema(_who: Reader, svc: Svc, entity: str = EntityParam) -> JSONText:
    ent = _entity(entity)
    fields = [{"name": f.name, "kind": f.kind, "label_zh": f.label_zh, "help": f.help, "required": f.required,
               "key": f.name in ent.key, "ref": f.ref, "allowed": f.allowed(), "aliases": list(f.aliases),
               "choices": [{"key": c.key, "label_zh": c.label_zh} for c in f.choices], "max_len": f.max_len,
               "min_value": f.min_value, "max_value": f.max_value, "example": f.example,
               "filterable": f.stored and f.kind in FILTER_KINDS} for f in ent.fields]
    location = scope.LOCATION.get(ent.name, (None, None))[0]
    return ok({"name": ent.name, "label_zh": ent.label_zh, "description": ent.description, "key": list(ent.key),
               "location_field": location, "count": reg.count(svc.engine, ent.name), "fields": fields})


@router.get("/{entity}/records", response_model=Page, summary="Records, filtered, sorted and paged")
def records(request: Request, who: Reader, svc: Svc, entity: str = EntityParam,
            limit: int | None = Query(None, ge=1, le=MAX_INT), offset: int = Query(0, ge=0, le=MAX_INT),
            sort: str | None = Query(None, max_length=80, description="a field; '-field' sorts descending"),
            in_region: str | None = Query(None, max_length=40, description="records located in this province "
                                          "or city (code or name)")) -> JSONText:
    """Any other query parameter filters by a field's value (``?chain=robotics&status=开工`` must be the
    stored value, e.g. ``status=started``; an empty value matches missing ones).  ``total`` and
    ``sums`` (of numeric fields) cover every matching record, not only the page."""
    from hqd.registry.records import query

    ent = _entity(entity)
    size = min(limit or svc.settings.page_size_max, svc.settings.page_size_max)
    found = query(svc.engine, ent.name, clauses=_where(ent, request, in_region), sort=sort, limit=size,
                  offset=offset)
    for row in found.rows:
        row["_editable"] = editable(who, entity, row)
    return records_page(found.rows, total=found.total, limit=size, offset=offset, extra={"sums": found.sums})


@router.post("/{entity}/records", response_model=Envelope, status_code=201, summary="Create a record")
def create(who: Writer, svc: Svc, client: Client, entity: str = EntityParam,
           values: dict[str, Any] = Body(..., description="field → value (text or JSON values)")) -> JSONText:
    """:func:`hqd.registry.create`, validated as imports validate; an existing key is a 409 conflict."""
    _entity(entity)
    _no_nul(values)
    record = reg.create(svc.engine, entity, values, actor=who.username, guard=scope.guard(who, entity))
    event("registry_write", actor=who.username, client=client, action="create", entity=entity,
          values={k: v for k, v in record.items() if k not in ("updated_at", "updated_by")})
    return ok({"record": record}, status=201)


@router.get("/{entity}/records/{key:path}", response_model=Envelope, summary="Read one record")
def record(key: str, who: Reader, svc: Svc, entity: str = EntityParam) -> JSONText:
    """Composite keys (edges, progress notes) join their parts with ``|``.  ``_editable``: whether the
    current user may change it (role and region scope)."""
    ent = _entity(entity)
    _no_nul(key, "key")
    rec = reg.get(svc.engine, entity, _key(ent, key))
    return ok({"record": {**rec, "_editable": editable(who, entity, rec)}})


@router.patch("/{entity}/records/{key:path}", response_model=Envelope, summary="Change a record")
def update(key: str, body: Change, who: Writer, svc: Svc, client: Client, entity: str = EntityParam) -> JSONText:
    """:func:`hqd.registry.update` if the record is still at ``version`` (else 409 conflict)."""
    ent = _entity(entity)
    _no_nul(key, "key")
    _no_nul(body.changes)
    parts = _key(ent, key)
    current = reg.get(svc.engine, entity, parts)
    if current["version"] != body.version:
        raise HqdError([Problem("conflict", f"{entity} {key}: is at version {current['version']}, not "
                                f"{body.version}: it was changed since you read it", column="version")])
    record = reg.update(svc.engine, entity, parts, body.changes, expected_version=body.version,
                        actor=who.username, guard=scope.guard(who, entity))
    event("registry_write", actor=who.username, client=client, action="update", entity=entity, key=key,
          version=record.get("version"), changes=body.changes)
    return ok({"record": record})


@router.delete("/{entity}/records/{key:path}", response_model=Envelope, summary="Delete a record")
def delete(key: str, who: Writer, svc: Svc, client: Client, entity: str = EntityParam,
           version: int = Query(..., ge=1, le=MAX_INT, description="the record's version when it was read")) -> JSONText:
    """The region scope is checked on the record as it is when deleted, in the deleting transaction and at
    the ``version`` named (:func:`hqd.registry.store.delete_record`): a record moved out of the editor's
    scope in between is not deleted."""
    ent = _entity(entity)
    _no_nul(key, "key")
    parts = _key(ent, key)
    reg.delete(svc.engine, entity, parts, expected_version=version, actor=who.username,
               guard=scope.guard(who, entity))
    event("deleted", actor=who.username, client=client, kind=entity, id=key, version=version)
    return ok({"deleted": key})


@router.post("/{entity}/import", response_model=Envelope, summary="Import a CSV or Excel file (dry run possible)")
async def import_file(who: Writer, svc: Svc, client: Client, entity: str = EntityParam,
                      file: UploadFile = File(..., description=".csv or .xlsx with the template's headers"),
                      dry_run: bool = Query(False, description="validate and count, write nothing"),
                      sheet: str | None = Query(None, max_length=100)) -> JSONText:
    """:func:`hqd.registry.import_frame`: every row validated first (all problems with row and column),
    then all written or nothing.  A scoped editor's rows must all lie in their scope."""
    from hqd.api.storage import parse_upload, safe_filename

    _entity(entity)
    _no_nul(sheet, "sheet")
    name = safe_filename(file.filename, (".csv", ".xlsx", ".xlsm", ".txt"), "registry file")
    content = await file.read()
    guard = scope.guard(who, entity)

    def work() -> Any:
        with tempfile.TemporaryDirectory(prefix="hqd-import-") as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            raw = parse_upload(name, None, lambda: reg.read_table(path, sheet=sheet))
            return reg.import_frame(svc.engine, entity, raw, actor=who.username, dry_run=dry_run, source=name,
                                    sheet=sheet, guard=guard)

    report = await run_in_threadpool(work)
    event("upload", actor=who.username, client=client, kind="registry_import", entity=entity, file=name,
          bytes=len(content), dry_run=dry_run, rows=report.rows, inserted=report.inserted, updated=report.updated)
    return ok({"report": {"entity": report.entity, "source": report.source, "rows": report.rows,
                          "inserted": report.inserted, "updated": report.updated, "unchanged": report.unchanged,
                          "cleared": report.cleared, "dry_run": report.dry_run, "summary": str(report),
                          "warnings": [p.to_dict() for p in report.warnings]}})


_MEDIA = {"csv": "text/csv; charset=utf-8",
          "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {m: {} for m in _MEDIA.values()}, "description": "the file"}}


def _file(write: Any, name: str, fmt: str) -> Response:
    with tempfile.TemporaryDirectory(prefix="hqd-export-") as folder:
        path = Path(folder) / f"{name}.{fmt}"
        write(path)
        content = path.read_bytes()
    return Response(content, media_type=_MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@router.get("/{entity}/export", summary="Export every record (formula injection neutralised)",
            responses=_FILE_RESPONSE)
def export(_who: Reader, svc: Svc, entity: str = EntityParam, format: Literal["csv", "xlsx"] = "xlsx",
           lang: Literal["en", "zh"] = "en") -> Response:
    _entity(entity)
    return _file(lambda p: reg.export(svc.engine, entity, p, lang=lang), entity, format)


@router.get("/{entity}/template", summary="An empty import template with help and choices",
            responses=_FILE_RESPONSE)
def template(_who: Reader, entity: str = EntityParam, format: Literal["csv", "xlsx"] = "xlsx",
             lang: Literal["en", "zh"] = "en") -> Response:
    _entity(entity)
    return _file(lambda p: reg.template(entity, p, lang=lang), f"{entity}-template", format)
