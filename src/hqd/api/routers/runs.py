"""Runs: build one from a framework, a dataset and a recipe (a background job); read its scores, weights,
growth, drivers, grades, narrative, group scores, analyses and uncertainty results."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import FileResponse, Response

from hqd.api.audit import event
from hqd.api.deps import Client, Reader, Svc, Writer, may_change
from hqd.api.errors import ERROR_RESPONSES, MAX_INT
from hqd.api.responses import Envelope, JSONText, Page, ok, page
from hqd.api.storage import DOWNLOADS, relocate, utcnow, write_json
from hqd.errors import HqdError, Problem

router = APIRouter(prefix="/api", tags=["runs"], responses=ERROR_RESPONSES)

Lang = Literal["zh", "en"]
CagrMethod = Literal["endpoint", "loglinear"]


class NewRun(BaseModel):
    """A run to build: a dataset (with its framework) and a recipe."""

    dataset: str = Field(..., max_length=100, description="dataset id (e.g. jjj-demo)")
    framework: str | None = Field(None, max_length=100, description="framework id (default: the dataset's)")
    recipe: dict[str, Any] | str | None = Field(
        None, description="the recipe as a mapping (as in YAML) or YAML text; default: the dataset's own "
        "recipe, else HQD's default recipe")
    name: str | None = Field(None, max_length=100)
    analyses: list[Literal["jjj"]] = Field(default_factory=list, description="analyses to run after the build "
                                           "(jjj: every Jing-Jin-Ji analysis of `hqd analyze jjj`)")


def _limit(svc: Svc, limit: int | None) -> int:
    cap = svc.settings.page_size_max
    return min(limit or cap, cap)


def _recipe(value: dict[str, Any] | str | None, fallback: str | None) -> Any:
    import yaml

    from hqd.model.recipe import Recipe

    if value is None:
        return fallback
    data: Any = value
    if isinstance(value, str):
        try:
            if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(value, Loader=yaml.SafeLoader)):
                # aliases (*name) can expand a few hundred bytes into gigabytes ("billion laughs")
                raise HqdError([Problem("yaml_alias", "the recipe uses YAML aliases (*name); write the values "
                                        "out instead", column="recipe")])
            data = yaml.safe_load(value) if value.strip() else {}
        except yaml.YAMLError as exc:
            raise HqdError([Problem("invalid_yaml", f"the recipe is not valid YAML: {str(exc)[:500]}",
                                    column="recipe")]) from None
    if not isinstance(data, dict):
        raise HqdError([Problem("invalid_recipe", "a recipe must be a mapping of steps", column="recipe")])
    try:
        return Recipe.from_dict(data)
    except HqdError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a shape the recipe reader does not expect
        raise HqdError([Problem("invalid_recipe", f"the recipe has an unexpected shape ({exc})", column="recipe")]
                       ) from None


@router.get("/runs", response_model=Envelope, summary="Every run in the runs folder")
def runs(_who: Reader, svc: Svc) -> JSONText:
    items = svc.storage.runs()
    return ok({"total": len(items), "items": items})


@router.post("/runs", response_model=Envelope, status_code=202, summary="Build a run (a background job)")
def create_run(body: NewRun, who: Writer, svc: Svc, client: Client) -> JSONText:
    """Checks the inputs at once with :func:`hqd.pipeline.load_inputs` (a 400 lists every problem), then
    queues a job that builds the index (:func:`hqd.pipeline.build`), writes the run directory
    (:func:`hqd.io.rundir.write_run`) and runs the requested analyses; poll ``/api/jobs/{id}``."""
    from hqd.api.storage import new_id
    from hqd.io.rundir import write_run
    from hqd.pipeline import build, load_inputs

    st = svc.storage
    ds = st.dataset(body.dataset)
    fw = st.framework(body.framework or ds["framework"])
    recipe = _recipe(body.recipe, ds.get("recipe_path"))
    options = dict(ds.get("options") or {})
    try:
        framework, panel, rc = load_inputs(fw["path"], ds["path"], recipe, ds.get("regions_path"), **options)
    except HqdError as err:
        raise relocate(err, Path(ds["path"]).parent) from None
    rid = new_id(body.name or f"{ds['id']}")
    inputs = {"name": body.name or rid, "framework": fw["path"], "data": ds["path"],
              "regions": ds.get("regions_path"), "options": options, "framework_id": fw["id"],
              "dataset_id": ds["id"], "owner": who.username, "created_at": utcnow(),
              "analyses": list(body.analyses)}

    def work(report: Any) -> None:
        report("building the index", 0.1)
        result = build(framework, panel, rc)
        report("writing the run directory", 0.6)
        out = st.building_dir(rid)
        write_run(result, out)
        write_json(out / "inputs.json", inputs)
        if "jjj" in body.analyses:
            report("analyses (hqd analyze jjj)", 0.8)
            from hqd.analysis.runs import write_jjj_analyses

            write_jjj_analyses(out, out / "analysis", permutations=999)
        report("publishing the run", 0.95)
        st.publish(rid)

    job = svc.jobs.submit(rid, "run", who.username, work)
    event("run_started", actor=who.username, client=client, run=rid, dataset=ds["id"], framework=fw["id"],
          analyses=list(body.analyses))
    return ok({"job": job, "run": rid}, status=202, headers={"Location": f"/api/jobs/{rid}"})


@router.get("/jobs", response_model=Envelope, summary="Every job and its status")
def jobs(_who: Reader, svc: Svc) -> JSONText:
    items = svc.jobs.all()
    return ok({"total": len(items), "items": items})


@router.get("/jobs/{job_id}", response_model=Envelope, summary="A job's status and progress")
def job(job_id: str, _who: Reader, svc: Svc) -> JSONText:
    return ok({"job": svc.jobs.get(job_id)})


@router.delete("/jobs/{job_id}", response_model=Envelope, summary="Cancel a queued or running job")
def cancel_job(job_id: str, who: Writer, svc: Svc, client: Client) -> JSONText:
    """A queued job never starts; a running one stops at its next stage and its files are removed.  Its
    owner or an admin may cancel it; a finished job is a 409."""
    may_change(who, svc.jobs.get(job_id).get("owner"))
    job = svc.jobs.cancel(job_id)
    event("job_cancelled", actor=who.username, client=client, job=job_id)
    return ok({"job": job})


@router.get("/runs/{run_id}", response_model=Envelope, summary="A run: summary and manifest")
def run(run_id: str, _who: Reader, svc: Svc) -> JSONText:
    from hqd.io.rundir import read_manifest

    summary = svc.storage.run_summary(run_id)
    return ok({"run": summary, "manifest": read_manifest(svc.storage.run_dir(run_id))})


@router.delete("/runs/{run_id}", response_model=Envelope, summary="Delete a run")
def delete_run(run_id: str, who: Writer, svc: Svc, client: Client) -> JSONText:
    may_change(who, svc.storage.run_summary(run_id).get("owner"))
    svc.storage.delete_run(run_id)
    event("deleted", actor=who.username, client=client, kind="run", id=run_id)
    return ok({"deleted": run_id})


def _filter(frame: pd.DataFrame, **wanted: Any) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, values in wanted.items():
        if values is None or column not in frame.columns:
            continue
        values = values if isinstance(values, list) else [values]
        if not values:
            continue
        if column in ("year", "level", "start_year", "end_year"):
            mask &= frame[column].isin([float(v) for v in values])
        elif pd.api.types.is_string_dtype(frame[column].dtype):
            mask &= frame[column].isin([str(v) for v in values])
        else:
            mask &= frame[column].astype(str).isin([str(v) for v in values])
    return frame[mask]


@router.get("/runs/{run_id}/scores", response_model=Page, summary="Scores and ranks (filterable)")
def scores(run_id: str, _who: Reader, svc: Svc,
           region: list[str] | None = Query(None, description="region codes (repeat)"),
           year: list[int] | None = Query(None, description="years (repeat)"),
           node: list[str] | None = Query(None, description="framework nodes (repeat); e.g. the index code"),
           level: int | None = Query(None, ge=0, le=20, description="0 = the index, 1 = dimensions …"),
           limit: int | None = Query(None, ge=1, le=MAX_INT), offset: int = Query(0, ge=0, le=MAX_INT)) -> JSONText:
    """``scores.csv``: ``region, year, node, level, score, rank, group_rank``."""
    frame = _filter(svc.storage.table(run_id, "scores"), region=region, year=year, node=node, level=level)
    return page(frame, limit=_limit(svc, limit), offset=offset)


@router.get("/runs/{run_id}/weights", response_model=Page, summary="Weights (filterable)")
def weights(run_id: str, _who: Reader, svc: Svc, node: list[str] | None = Query(None),
            parent: list[str] | None = Query(None), year: list[int] | None = Query(None),
            limit: int | None = Query(None, ge=1, le=MAX_INT), offset: int = Query(0, ge=0, le=MAX_INT)) -> JSONText:
    """``weights.csv``: ``node, parent, year, method, weight, effective_weight`` (year empty when pooled)."""
    frame = svc.storage.table(run_id, "weights")
    if year:
        frame = frame[frame["year"].isna() | frame["year"].isin([float(y) for y in year])]
    frame = _filter(frame, node=node, parent=parent)
    return page(frame, limit=_limit(svc, limit), offset=offset)


@router.get("/runs/{run_id}/grades", response_model=Page, summary="Grades of the index and dimensions")
def grades(run_id: str, _who: Reader, svc: Svc, region: list[str] | None = Query(None),
           year: list[int] | None = Query(None), node: list[str] | None = Query(None),
           limit: int | None = Query(None, ge=1, le=MAX_INT), offset: int = Query(0, ge=0, le=MAX_INT)) -> JSONText:
    frame = _filter(svc.storage.table(run_id, "grades"), region=region, year=year, node=node)
    return page(frame, limit=_limit(svc, limit), offset=offset)


@router.get("/runs/{run_id}/framework", response_model=Page, summary="The framework the run used")
def run_framework(run_id: str, _who: Reader, svc: Svc) -> JSONText:
    frame = svc.storage.table(run_id, "framework")
    return page(frame, limit=len(frame), offset=0)


@router.get("/runs/{run_id}/regions", response_model=Page, summary="The run's regions: codes, names, groups")
def run_regions(run_id: str, _who: Reader, svc: Svc) -> JSONText:
    frame = svc.storage.table(run_id, "regions")
    return page(frame, limit=len(frame), offset=0)


def _period_given(start: int | None, end: int | None, node: str | None) -> bool:
    _check_period(start, end)
    return start is not None or end is not None or node is not None


def _check_period(start: int | None, end: int | None) -> None:
    """A period runs forwards: ``start`` before ``end`` (else growth is ``nan%``)."""
    if start is not None and end is not None and start >= end:
        raise HqdError([Problem("invalid_period", f"start ({start}) must be before end ({end})", column="start",
                                year=start)])


def _result(svc: Svc, run_id: str, node: str | None) -> Any:
    result = svc.storage.result(run_id)
    if node is not None and node not in result.nodes:
        raise HqdError([Problem("unknown_node", f"{node!r} is not a node of run {run_id!r}; nodes: "
                                + ", ".join(result.nodes[:50]), indicator=node)])
    return result


@router.get("/runs/{run_id}/growth", response_model=Page, summary="Growth, CAGR and multiple per region")
def growth(run_id: str, _who: Reader, svc: Svc, start: int | None = Query(None, ge=1000, le=3000),
           end: int | None = Query(None, ge=1000, le=3000), node: str | None = Query(None, max_length=100),
           cagr_method: CagrMethod = "endpoint", region: list[str] | None = Query(None)) -> JSONText:
    """Over the whole period: ``growth.csv``.  With ``start``/``end``/``node``/``cagr_method``:
    :meth:`hqd.result.Result.growth` on the run rebuilt from its inputs."""
    if _period_given(start, end, node) or cagr_method != "endpoint":
        frame = _result(svc, run_id, node).growth(start, end, node=node, cagr_method=cagr_method)
    else:
        frame = svc.storage.table(run_id, "growth")
    frame = _filter(frame, region=region)
    return page(frame, limit=len(frame), offset=0)


@router.get("/runs/{run_id}/drivers", response_model=Page, summary="Contributions of the children to growth")
def drivers(run_id: str, _who: Reader, svc: Svc, start: int | None = Query(None, ge=1000, le=3000),
            end: int | None = Query(None, ge=1000, le=3000), node: str | None = Query(None, max_length=100),
            region: list[str] | None = Query(None)) -> JSONText:
    """Over the whole period: ``drivers.csv``; otherwise :meth:`hqd.result.Result.drivers`."""
    if _period_given(start, end, node):
        frame = _result(svc, run_id, node).drivers(start, end, node=node)
    else:
        frame = svc.storage.table(run_id, "drivers")
    frame = _filter(frame, region=region)
    return page(frame, limit=len(frame), offset=0)


@router.get("/runs/{run_id}/narrative", response_model=Envelope, summary="The generated growth sentences")
def narrative(run_id: str, _who: Reader, svc: Svc, region: list[str] | None = Query(None),
              start: int | None = Query(None, ge=1000, le=3000), end: int | None = Query(None, ge=1000, le=3000),
              lang: Lang = "zh") -> JSONText:
    """:meth:`hqd.result.Result.narrative` per region (the run rebuilt from its inputs).  When the inputs
    are gone, the sentences of ``narrative.md`` (whole period) are returned instead, with ``region`` null."""
    from hqd.io.rundir import SYNTHETIC_LABEL

    _check_period(start, end)
    try:
        result = svc.storage.result(run_id)
    except HqdError as err:
        if err.codes != ["inputs_unavailable"] or start is not None or end is not None:
            raise
        lines = (svc.storage.run_dir(run_id) / "narrative.md").read_text(encoding="utf-8").splitlines()
        marker = "- " if lang == "zh" else "  "
        found = [{"region": None, "lang": lang, "text": line[2:].strip()} for line in lines
                 if line.startswith(marker) and line.strip()]
        return ok({"total": len(found), "items": found, "source": "narrative.md",
                   "synthetic": any(SYNTHETIC_LABEL in line for line in lines)})
    chosen = region or list(result.regions)
    unknown = [r for r in chosen if r not in result.regions]
    if unknown:
        raise HqdError([Problem("unknown_region", f"region {r!r} is not in run {run_id!r}", region=r)
                        for r in unknown])
    items = []
    for r in chosen:
        try:
            text: str | None = result.narrative(r, start, end, lang=lang)
        except (KeyError, IndexError):  # as write_run: a region without a sentence (e.g. missing scores)
            text = None
        items.append({"region": r, "lang": lang, "name": result.region_name(r, lang), "text": text})
    return ok({"total": len(items), "items": items, "source": "result",
               "synthetic": bool(result.panel.synthetic)})


@router.get("/runs/{run_id}/groups", response_model=Page, summary="Scores of region groups (e.g. provinces)")
def groups(run_id: str, _who: Reader, svc: Svc, column: str = Query("province", max_length=100),
           method: Literal["mean", "median", "weighted_mean"] | None = None,
           weight_column: str | None = Query(None, max_length=100), node: list[str] | None = Query(None),
           limit: int | None = Query(None, ge=1, le=MAX_INT), offset: int = Query(0, ge=0, le=MAX_INT)) -> JSONText:
    """:meth:`hqd.result.Result.group_scores` (the regions table's group column, e.g. ``province``)."""
    result = svc.storage.result(run_id)
    if method == "weighted_mean" and not weight_column:
        raise HqdError([Problem("missing_parameter", "weighted_mean needs weight_column", column="weight_column")])
    if weight_column is not None and weight_column not in result.panel.region_meta.columns:
        raise HqdError([Problem("unknown_group", f"no region column {weight_column!r}", column="weight_column")])
    if node:
        bad = [n for n in node if n not in result.nodes]
        if bad:
            raise HqdError([Problem("unknown_node", f"{n!r} is not a node of the run", indicator=n) for n in bad])
    frame = result.group_scores(column, method, weight_column, node)
    return page(frame, limit=_limit(svc, limit), offset=offset)


def _folder(run_id: str, svc: Svc, folder: str) -> JSONText:
    names = svc.storage.folder_tables(run_id, folder)
    return ok({"total": len(names), "items": names})


def _folder_table(run_id: str, name: str, svc: Svc, folder: str, limit: int | None, offset: int,
                  filters: dict[str, Any]) -> JSONText:
    frame, notes = svc.storage.folder_table(run_id, folder, name)
    frame = _filter(frame, **filters)
    return page(frame, limit=_limit(svc, limit), offset=offset,
                extra={"notes": notes, "synthetic": any("SYNTHETIC" in n.upper() for n in notes)})


@router.get("/runs/{run_id}/analyses", response_model=Envelope, summary="The run's analysis tables")
def analyses(run_id: str, _who: Reader, svc: Svc) -> JSONText:
    """Tables written by ``hqd analyze … RUN --out RUN/analysis`` (``jjj``, ``jjj_theil`` …)."""
    return _folder(run_id, svc, "analysis")


@router.get("/runs/{run_id}/analyses/{name}", response_model=Page, summary="One analysis table")
def analysis(run_id: str, name: str, _who: Reader, svc: Svc, region: list[str] | None = Query(None),
             year: list[int] | None = Query(None), limit: int | None = Query(None, ge=1, le=MAX_INT),
             offset: int = Query(0, ge=0, le=MAX_INT)) -> JSONText:
    return _folder_table(run_id, name, svc, "analysis", limit, offset, {"region": region, "year": year})


@router.get("/runs/{run_id}/uncertainty", response_model=Envelope, summary="The run's uncertainty tables")
def uncertainty(run_id: str, _who: Reader, svc: Svc) -> JSONText:
    """Tables written by ``hqd uncertainty … --out RUN`` (``rank_stats``, ``sobol``, ``parameters`` …)."""
    return _folder(run_id, svc, "uncertainty")


@router.get("/runs/{run_id}/uncertainty/{name}", response_model=Page, summary="One uncertainty table")
def uncertainty_table(run_id: str, name: str, _who: Reader, svc: Svc, region: list[str] | None = Query(None),
                      year: list[int] | None = Query(None), node: list[str] | None = Query(None),
                      limit: int | None = Query(None, ge=1, le=MAX_INT), offset: int = Query(0, ge=0, le=MAX_INT)) -> JSONText:
    return _folder_table(run_id, name, svc, "uncertainty", limit, offset,
                         {"region": region, "year": year, "node": node})


@router.get("/runs/{run_id}/files/{name}", summary="Download a file of the run (results.xlsx …)",
            responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"}})
def download(run_id: str, name: str, _who: Reader, svc: Svc) -> Response:
    if name not in DOWNLOADS:
        raise HqdError([Problem("not_found", f"no downloadable file {name!r}; valid: {', '.join(DOWNLOADS)}")])
    path = svc.storage.run_dir(run_id) / name
    if not path.exists():
        raise HqdError([Problem("not_found", f"run {run_id!r} has no {name}")])
    return FileResponse(path, filename=f"{run_id}-{name}")
