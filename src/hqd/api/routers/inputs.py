"""Frameworks and datasets: upload (validated exactly as the engine validates files), list, read, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from starlette.concurrency import run_in_threadpool

from hqd.api.audit import event
from hqd.api.deps import Client, Reader, Svc, Writer, may_change
from hqd.api.errors import ERROR_RESPONSES, MAX_INT
from hqd.api.responses import Envelope, JSONText, Page, ok, page
from hqd.errors import HqdError, Problem

router = APIRouter(prefix="/api", tags=["inputs"], responses=ERROR_RESPONSES)

DATA_FORMATS = ("table", "auto", "nbs", "worldbank", "undp", "yearbook")


def _plain(**texts: str | None) -> None:
    """Form fields with NUL or other control characters (tab and line breaks aside) are refused."""
    from hqd.registry.schema import CONTROL_CHARACTERS

    bad = [name for name, value in texts.items() if value is not None and CONTROL_CHARACTERS.search(value)]
    if bad:
        raise HqdError([Problem("invalid_character", f"{name}: text must not contain NUL or other control "
                                "characters", column=name) for name in bad])


def _public(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if not k.endswith("path")}


# --------------------------------------------------------------------------------------------- frameworks
@router.get("/frameworks", response_model=Envelope, summary="Frameworks: the bundled one and the uploaded ones")
def frameworks(_who: Reader, svc: Svc) -> JSONText:
    items = [_public(m) for m in svc.storage.frameworks()]
    return ok({"total": len(items), "items": items})


@router.post("/frameworks", response_model=Envelope, status_code=201, summary="Upload a framework file")
async def upload_framework(who: Writer, svc: Svc, client: Client, file: UploadFile = File(..., description="CSV, Excel or YAML"),
                           name: str | None = Form(None, max_length=100)) -> JSONText:
    """Validated with :func:`hqd.io.framework.load_framework` (as ``hqd validate``); every problem is
    reported at once with its row and column."""
    _plain(name=name, file=file.filename)
    content = await file.read()
    meta = await run_in_threadpool(svc.storage.save_framework, file.filename, content, name=name,
                                   owner=who.username)
    event("upload", actor=who.username, client=client, kind="framework", id=meta["id"], file=meta.get("file"),
          bytes=len(content))
    return ok({"framework": _public(meta)}, status=201)


@router.get("/frameworks/{framework_id}", response_model=Page, summary="A framework's nodes")
def framework(framework_id: str, _who: Reader, svc: Svc) -> JSONText:
    from hqd.io.framework import load_framework

    meta = svc.storage.framework(framework_id)
    table = load_framework(meta["path"]).to_frame()
    return page(table, limit=len(table), offset=0, extra={"framework": _public(meta)})


@router.delete("/frameworks/{framework_id}", response_model=Envelope, summary="Delete an uploaded framework")
def delete_framework(framework_id: str, who: Writer, svc: Svc, client: Client) -> JSONText:
    may_change(who, svc.storage.framework(framework_id).get("owner"))
    svc.storage.delete_framework(framework_id)
    event("deleted", actor=who.username, client=client, kind="framework", id=framework_id)
    return ok({"deleted": framework_id})


# ----------------------------------------------------------------------------------------------- datasets
def data_options(*, region_col: str | None, year_col: str | None, data_format: str | None,
                 indicator_col: str | None, value_col: str | None, region_names: str | None,
                 exclude_regions: str | None, years: str | None) -> dict[str, Any]:
    """The ``hqd run`` data options from form fields (``years`` as ``FIRST:LAST``)."""
    options: dict[str, Any] = {"region_col": region_col, "year_col": year_col, "indicator_col": indicator_col,
                               "value_col": value_col, "region_names": region_names}
    if data_format not in (None, "", "table"):
        if data_format not in DATA_FORMATS:
            raise HqdError([Problem("invalid_choice", f"data_format must be one of {', '.join(DATA_FORMATS)}; "
                                    f"got {data_format!r}", column="data_format")])
        options["data_format"] = data_format
    if exclude_regions:
        options["exclude_regions"] = [r.strip() for r in exclude_regions.split(",") if r.strip()]
    if years:
        first, _, last = years.partition(":")
        if not (first.strip().isdigit() and last.strip().isdigit()):
            raise HqdError([Problem("invalid_parameter", f"years must be FIRST:LAST, e.g. 2012:2023; got "
                                    f"{years!r}", column="years")])
        options["years"] = [int(first), int(last)]
    return {k: v for k, v in options.items() if v not in (None, "")}


@router.get("/datasets", response_model=Envelope, summary="Datasets: the bundled demo and the uploaded ones")
def datasets(_who: Reader, svc: Svc) -> JSONText:
    items = [_public(m) for m in svc.storage.datasets()]
    return ok({"total": len(items), "items": items})


@router.post("/datasets", response_model=Envelope, status_code=201, summary="Upload a data table (a panel)")
async def upload_dataset(
    who: Writer, svc: Svc, client: Client,
    file: UploadFile = File(..., description="the panel: long, wide or wide-by-year CSV/Excel/Parquet, or an "
                            "official export (data_format)"),
    framework: str = Form(..., description="id of the framework the panel is checked against"),
    regions: UploadFile | None = File(None, description="optional regions table: code, name_zh, name_en, groups"),
    name: str | None = Form(None, max_length=100),
    region_col: str | None = Form(None, max_length=100), year_col: str | None = Form(None, max_length=100),
    data_format: str | None = Form(None, max_length=20), indicator_col: str | None = Form(None, max_length=100),
    value_col: str | None = Form(None, max_length=100), region_names: str | None = Form(None, max_length=20),
    exclude_regions: str | None = Form(None, max_length=2000), years: str | None = Form(None, max_length=20),
) -> JSONText:
    """Validated exactly as ``hqd validate`` validates files (:func:`hqd.pipeline.load_inputs` with the
    default recipe): a bad panel is a 400 listing every problem with its row, column, region, year and
    indicator.  The size limit is the ``max_upload_mb`` setting (413 beyond it)."""
    _plain(name=name, framework=framework, region_col=region_col, year_col=year_col, data_format=data_format,
           indicator_col=indicator_col, value_col=value_col, region_names=region_names,
           exclude_regions=exclude_regions, years=years, file=file.filename)
    options = data_options(region_col=region_col, year_col=year_col, data_format=data_format,
                           indicator_col=indicator_col, value_col=value_col, region_names=region_names,
                           exclude_regions=exclude_regions, years=years)
    content = await file.read()
    extra = (regions.filename, await regions.read()) if regions is not None and regions.filename else None
    meta = await run_in_threadpool(lambda: svc.storage.save_dataset(
        data=(file.filename, content), regions=extra, framework=framework, options=options, name=name,
        owner=who.username))
    event("upload", actor=who.username, client=client, kind="dataset", id=meta["id"], file=meta.get("file"),
          framework=framework, bytes=len(content))
    return ok({"dataset": _public(meta)}, status=201)


@router.get("/datasets/{dataset_id}", response_model=Envelope, summary="A dataset's description")
def dataset(dataset_id: str, _who: Reader, svc: Svc) -> JSONText:
    return ok({"dataset": _public(svc.storage.dataset(dataset_id))})


@router.get("/datasets/{dataset_id}/data", response_model=Page, summary="A dataset's values (validated panel)")
def dataset_data(dataset_id: str, _who: Reader, svc: Svc, limit: int | None = Query(None, ge=1, le=MAX_INT),
                 offset: int = Query(0, ge=0, le=MAX_INT)) -> JSONText:
    """The panel as the engine reads it (``region, year`` and one column per indicator)."""
    from hqd.pipeline import load_inputs

    meta = svc.storage.dataset(dataset_id)
    fw = svc.storage.framework(meta["framework"])
    _, panel, _ = load_inputs(fw["path"], meta["path"], meta.get("recipe_path"), meta.get("regions_path"),
                              **meta.get("options", {}))
    table = panel.wide(panel.values).reset_index()
    return page(table, limit=min(limit or svc.settings.page_size_max, svc.settings.page_size_max),
                offset=offset, extra={"synthetic": panel.synthetic})


@router.delete("/datasets/{dataset_id}", response_model=Envelope, summary="Delete an uploaded dataset")
def delete_dataset(dataset_id: str, who: Writer, svc: Svc, client: Client) -> JSONText:
    may_change(who, svc.storage.dataset(dataset_id).get("owner"))
    svc.storage.delete_dataset(dataset_id)
    event("deleted", actor=who.username, client=client, kind="dataset", id=dataset_id)
    return ok({"deleted": dataset_id})


# ------------------------------------------------------------------------------------------------ geojson
@router.get("/geojson", response_model=Envelope, summary="Uploaded GeoJSON boundaries (for choropleth maps)")
def geojsons(_who: Reader, svc: Svc) -> JSONText:
    items = [_public(m) for m in svc.storage.geojsons()]
    return ok({"total": len(items), "items": items})


@router.post("/geojson", response_model=Envelope, status_code=201, summary="Upload GeoJSON boundaries")
async def upload_geojson(who: Writer, svc: Svc, client: Client, file: UploadFile = File(..., description="a FeatureCollection "
                         "whose features carry the GB/T 2260 code in a property (e.g. adcode)"),
                         name: str | None = Form(None, max_length=100)) -> JSONText:
    """Charts take it as ``geojson=<id>`` (a true choropleth instead of the city centres)."""
    _plain(name=name, file=file.filename)
    content = await file.read()
    meta = await run_in_threadpool(svc.storage.save_geojson, file.filename, content, name=name, owner=who.username)
    event("upload", actor=who.username, client=client, kind="geojson", id=meta["id"], file=meta.get("file"),
          bytes=len(content))
    return ok({"geojson": _public(meta)}, status=201)
