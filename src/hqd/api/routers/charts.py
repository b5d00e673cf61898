"""Chart options: ECharts option JSON built once in Python (:mod:`hqd.report.charts`), used by the
dashboard and the reports alike."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request

from hqd.api.deps import Reader, Svc
from hqd.api.errors import ERROR_RESPONSES
from hqd.api.responses import Envelope, JSONText, ok
from hqd.errors import HqdError, Problem

router = APIRouter(prefix="/api/charts", tags=["charts"], responses=ERROR_RESPONSES)


def _charts() -> Any:
    from hqd.report import charts

    return charts


@router.get("", response_model=Envelope, summary="Every chart with its parameters")
def chart_list(_who: Reader) -> JSONText:
    specs = [spec.to_dict() for spec in _charts().CHARTS.values()]
    return ok({"total": len(specs), "items": specs})


@router.get("/{name}", response_model=Envelope, summary="The ECharts option of one chart for a run")
def chart(name: str, request: Request, _who: Reader, svc: Svc,
          run: str = Query(..., max_length=100, description="run id"), lang: Literal["zh", "en"] = "zh") -> JSONText:
    """Any other query parameter is a parameter of the chart (see ``GET /api/charts``), e.g.
    ``/api/charts/ranking?run=jjj-demo&year=2020&lang=en``.  ``geojson`` names an uploaded GeoJSON
    (``POST /api/geojson``), never a path on the server."""
    charts = _charts()
    params: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key in ("run", "lang"):
            continue
        if "\x00" in value:
            raise HqdError([Problem("invalid_character", f"{key}: text must not contain NUL characters",
                                    column=key)])
        params[key] = svc.storage.geojson(value)["path"] if key == "geojson" and value else value
    option = charts.build_chart(name, svc.storage.run_dir(run), lang=lang, **params)
    return ok({"chart": name, "run": run, "lang": lang, "option": option})
