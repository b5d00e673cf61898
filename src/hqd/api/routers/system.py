"""Health and the method catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from hqd.api.deps import Reader, Svc
from hqd.api.errors import ERROR_RESPONSES, error_response, problem
from hqd.api.responses import Envelope, JSONText, ok

router = APIRouter(prefix="/api", tags=["system"], responses=ERROR_RESPONSES)


@router.get("/health", response_model=Envelope, summary="Is the server up and its database reachable?")
def health(svc: Svc) -> JSONText:
    """Always public: version, database and schema revisions, the runs folder."""
    from sqlalchemy import text

    from hqd import __version__
    from hqd.api import auth_db

    try:
        with svc.engine.connect() as conn:
            registry_rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            auth_rev = conn.execute(text(f"SELECT version_num FROM {auth_db.VERSION_TABLE}")).scalar()
    except Exception as exc:  # any database failure makes the server unhealthy
        return error_response(503, [problem("database_unavailable", f"the database does not answer "
                                            f"({exc.__class__.__name__})")])  # type: ignore[return-value]
    return ok({"version": __version__, "database": svc.engine.dialect.name, "registry_revision": registry_rev,
               "auth_revision": auth_rev, "public_read": svc.settings.public_read,
               "runs": svc.storage.count_runs()})


def _param(name: str, p: Any) -> dict[str, Any]:
    from hqd.methods.catalog import REQUIRED

    default = None if p.default is REQUIRED else p.default
    return {"name": name, "type": p.type.__name__, "default": default, "required": p.default is REQUIRED,
            "help": p.help, "choices": list(p.choices) if p.choices is not None else None, "kind": p.kind}


@router.get("/methods", response_model=Envelope, summary="Every method a recipe can name")
def methods(_who: Reader, step: str | None = Query(None, description="only this step, e.g. weight or normalise "
                                                   "(normalize is accepted)")) -> JSONText:
    """The catalogue (:mod:`hqd.methods.catalog`), as ``hqd methods`` lists it: step, name, one-line
    description, parameter schema, the recipe keys the pipeline reads, what the method draws from the
    framework or the data, and its properties."""
    import dataclasses

    import hqd.methods  # noqa: F401  (registers every method)
    from hqd.methods import catalog
    from hqd.methods.labels import label

    items: list[dict[str, Any]] = []
    for method in catalog.all_methods():
        name_zh, doc_zh = label(method.family, method.name, "zh")
        items.append({"step": method.family, "name": method.name, "doc": method.doc, "name_zh": name_zh,
                      "doc_zh": doc_zh,
                      "params": [_param(k, p) for k, p in {**method.params, **method.keys}.items()],
                      "draws": dict(method.draws), "properties": dataclasses.asdict(method.properties)})
    if step is not None:
        items = [m for m in items if m["step"] == catalog.family_key(step)]
    return ok({"total": len(items), "items": items})
