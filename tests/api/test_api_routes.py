"""Every route of the OpenAPI document: its happy path, an invalid request in the one error shape, and
access control (anonymous write → 401, viewer write → 403, login-only reading → 401 for anonymous).

:data:`ROUTES` has one entry per operation; a test fails when the OpenAPI document has an operation the
table lacks (or the other way round), so a new route cannot arrive untested.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pandas as pd
import pytest
from api_fixtures import Api, assert_error

pytest_plugins = ["api_fixtures"]

RUN = "jjj-demo"
Check = Callable[[Api], None]
Bad = Callable[[Api], httpx.Response]


@dataclass(frozen=True)
class Route:
    access: str  # "public" (never needs a login) | "read" | "user" (any logged-in user) | "write"
    happy: Check
    invalid: Bad
    example: Callable[[Api], tuple[str, dict[str, Any]]] | None = None  # (path, request kwargs) for access tests


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert body["ok"] is True
    return dict(body)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def wait_job(api: Api, job_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ok(api.get(f"/api/jobs/{job_id}"))["job"]
        if job["status"] in ("done", "failed", "interrupted", "cancelled", "timed_out"):
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def upload_framework(api: Api, user: str = "editor") -> str:
    from hqd.datasets.jjj import framework_table

    body = ok(api.request("POST", "/api/frameworks", user, files={"file": ("fw.csv", csv_bytes(framework_table()))},
                          data={"name": "my framework"}), 201)
    return str(body["framework"]["id"])


def upload_dataset(api: Api, user: str = "editor") -> str:
    from hqd.datasets.jjj import synthetic_panel

    panel = synthetic_panel().query("year >= 2018")
    body = ok(api.request("POST", "/api/datasets", user, files={"file": ("panel.csv", csv_bytes(panel))},
                          data={"framework": "jjj", "name": "recent"}), 201)
    return str(body["dataset"]["id"])


def a_project(api: Api, province: str = "130000") -> dict[str, Any]:
    body = ok(api.get(f"/api/registry/projects/records?in_region={province}&limit=1"))
    return dict(body["items"][0])


# -------------------------------------------------------------------------------------------------- system
def _health(api: Api) -> None:
    body = ok(api.get("/api/health"))
    assert body["registry_revision"] and body["auth_revision"] == "a0001" and body["runs"] >= 1


def _methods(api: Api) -> None:
    body = ok(api.get("/api/methods"))
    names = {(m["step"], m["name"]) for m in body["items"]}
    assert {("weight", "entropy"), ("normalise", "minmax"), ("aggregate", "arithmetic"), ("screen", "availability"),
            ("denominate", "divide")} <= names
    assert all(m["step"] == "weight" for m in ok(api.get("/api/methods?step=weight"))["items"])
    # One spelling of the step, the other accepted as an alias (issue #12: ?step=normalise listed nothing).
    british = ok(api.get("/api/methods?step=normalise"))["items"]
    american = ok(api.get("/api/methods?step=normalize"))["items"]
    assert british == american and {m["name"] for m in british} >= {"minmax", "zscore", "goalposts"}
    topsis = next(m for m in body["items"] if m["name"] == "topsis")
    assert {p["name"] for p in topsis["params"]} >= {"over", "ideals"} and topsis["properties"]["ranking"]


# ---------------------------------------------------------------------------------------------------- auth
def _login(api: Api) -> None:
    r = api.client.post("/api/auth/login", json={"username": "viewer", "password": "viewer-password"})
    body = ok(r)
    assert body["user"]["role"] == "viewer" and body["csrf_token"] == r.cookies["hqd_csrf"]
    assert "hqd_session" in r.cookies


def _logout(api: Api) -> None:
    body = ok(api.client.post("/api/auth/login", json={"username": "editor", "password": "editor-password"}))
    assert ok(api.client.post("/api/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]}))["logged_out"]
    api.client.cookies.clear()
    assert ok(api.get("/api/auth/me"))["user"] is None


def _me(api: Api) -> None:
    assert ok(api.get("/api/auth/me"))["user"] is None
    body = ok(api.get("/api/auth/me", "hebei"))
    assert body["user"] == {"username": "hebei", "role": "editor", "scope": "130000", "scope_name": "河北省",
                            "via": "token"}
    assert body["can_write"] is True


def _tokens(api: Api) -> None:
    items = ok(api.get("/api/auth/tokens", "viewer"))["items"]
    assert [t["name"] for t in items] == ["tests"] and all("token" not in t for t in items)


def _new_token(api: Api) -> None:
    body = ok(api.request("POST", "/api/auth/tokens", "viewer", json={"name": "script", "days": 1}), 201)
    token = body["token"]
    assert token.startswith("hqd_") and body["info"]["prefix"] == token[:10]
    assert ok(api.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}))["user"]["username"] == "viewer"


def _revoke(api: Api) -> None:
    body = ok(api.request("POST", "/api/auth/tokens", "viewer", json={"name": "temp"}), 201)
    ok(api.request("DELETE", f"/api/auth/tokens/{body['info']['id']}", "viewer"))
    assert_error(api.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"}), 401, "invalid_token")


# --------------------------------------------------------------------------------------- frameworks, data
def _frameworks(api: Api) -> None:
    items = ok(api.get("/api/frameworks"))["items"]
    assert items[0]["id"] == "jjj" and items[0]["bundled"] and all("path" not in i for i in items)


def _upload_framework(api: Api) -> None:
    fid = upload_framework(api)
    assert fid in [f["id"] for f in ok(api.get("/api/frameworks"))["items"]]
    body = ok(api.get(f"/api/frameworks/{fid}", "viewer"))  # anonymous readers see no user names
    assert body["framework"]["indicators"] == 36 and body["framework"]["owner"] == "editor"


def _framework(api: Api) -> None:
    body = ok(api.get("/api/frameworks/jjj"))
    codes = [n["code"] for n in body["items"]]
    assert codes[0] == "HQD" and {"ECO", "ENV", "CUL", "E1", "V6"} <= set(codes)


def _delete_framework(api: Api) -> None:
    fid = upload_framework(api)
    assert_error(api.request("DELETE", f"/api/frameworks/{fid}", "hebei"), 403, "forbidden")  # not the owner
    ok(api.request("DELETE", f"/api/frameworks/{fid}", "editor"))
    assert_error(api.get(f"/api/frameworks/{fid}"), 404, "unknown_framework")


def _datasets(api: Api) -> None:
    items = ok(api.get("/api/datasets"))["items"]
    assert "jjj-demo" in [d["id"] for d in items]


def _upload_dataset(api: Api) -> None:
    did = upload_dataset(api)
    body = ok(api.get(f"/api/datasets/{did}"))["dataset"]
    assert body["panel"]["first_year"] == 2018 and body["panel"]["regions"] == 13 and body["synthetic"] is False


def _dataset(api: Api) -> None:
    body = ok(api.get("/api/datasets/jjj-demo"))["dataset"]
    assert body["framework"] == "jjj" and body["synthetic"] is True and "path" not in body


def _dataset_data(api: Api) -> None:
    body = ok(api.get("/api/datasets/jjj-demo/data?limit=13"))
    assert body["total"] == 13 * 11 and len(body["items"]) == 13 and body["synthetic"] is True
    from hqd.datasets.jjj import synthetic_panel

    first = synthetic_panel().iloc[0]
    assert body["items"][0]["region"] == first["region"] and body["items"][0]["E1"] == pytest.approx(first["E1"])


def _delete_dataset(api: Api) -> None:
    did = upload_dataset(api, "hebei")
    ok(api.request("DELETE", f"/api/datasets/{did}", "admin"))  # admins may delete anything
    assert_error(api.get(f"/api/datasets/{did}"), 404, "unknown_dataset")


GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"adcode": "110000", "name": "北京"},
     "geometry": {"type": "Point", "coordinates": [116.4, 39.9]}}]}


def _geojsons(api: Api) -> None:
    assert ok(api.get("/api/geojson"))["items"] == []


def _upload_geojson(api: Api) -> None:
    body = ok(api.request("POST", "/api/geojson", "editor",
                          files={"file": ("bj.geojson", json.dumps(GEOJSON).encode())}), 201)
    assert body["geojson"]["features"] == 1 and "adcode" in body["geojson"]["properties"]
    assert [g["id"] for g in ok(api.get("/api/geojson"))["items"]] == [body["geojson"]["id"]]


# ----------------------------------------------------------------------------------------------------- runs
def _runs(api: Api) -> None:
    items = ok(api.get("/api/runs"))["items"]
    demo = next(i for i in items if i["id"] == RUN)
    assert demo["synthetic"] is True and "jjj_theil" in demo["analyses"] and "rank_stats" in demo["uncertainty"]


def _create_run(api: Api) -> None:
    did = upload_dataset(api)
    r = api.request("POST", "/api/runs", "editor", json={
        "dataset": did, "name": "entropy 2018+",
        "recipe": "weight: {method: entropy}\nnormalise: {method: minmax}\n", "analyses": ["jjj"]})
    body = ok(r, 202)
    assert r.headers["location"] == f"/api/jobs/{body['run']}"
    job = wait_job(api, body["run"])
    assert job["status"] == "done" and job["progress"] == 1.0, job
    run = ok(api.get(f"/api/runs/{body['run']}", "viewer"))["run"]
    assert run["dataset"] == did and run["owner"] == "editor" and "jjj_theil" in run["analyses"]
    scores = ok(api.get(f"/api/runs/{body['run']}/scores?node=HQD&year=2022"))["items"]
    assert sorted(s["rank"] for s in scores) == list(range(1, 14))


def _jobs(api: Api) -> None:
    did = upload_dataset(api)
    rid = ok(api.request("POST", "/api/runs", "editor", json={"dataset": did}), 202)["run"]
    wait_job(api, rid)
    assert rid in [j["id"] for j in ok(api.get("/api/jobs"))["items"]]


def _job(api: Api) -> None:
    rid = ok(api.request("POST", "/api/runs", "admin", json={"dataset": "jjj-demo"}), 202)["run"]
    wait_job(api, rid)
    job = ok(api.get(f"/api/jobs/{rid}", "viewer"))["job"]  # anonymous readers see no user names
    assert job["status"] == "done" and job["owner"] == "admin" and job["kind"] == "run"


def _cancel_job(api: Api) -> None:
    rids = [ok(api.request("POST", "/api/runs", "editor", json={"dataset": "jjj-demo"}), 202)["run"] for _ in range(3)]
    assert_error(api.request("DELETE", f"/api/jobs/{rids[-1]}", "hebei"), 403, "forbidden")  # not the owner
    job = ok(api.request("DELETE", f"/api/jobs/{rids[-1]}", "editor"))["job"]
    assert job["status"] == "cancelled" or job["stage"] == "cancelling"
    assert wait_job(api, rids[-1])["status"] == "cancelled"
    assert_error(api.get(f"/api/runs/{rids[-1]}"), 404, "unknown_run")
    assert wait_job(api, rids[0])["status"] == "done"


def _run(api: Api) -> None:
    body = ok(api.get(f"/api/runs/{RUN}"))
    assert body["run"]["id"] == RUN and body["manifest"]["synthetic_data"] is True
    assert body["manifest"]["recipe"]["name"] == "jjj-demo"


def _delete_run(api: Api) -> None:
    rid = ok(api.request("POST", "/api/runs", "editor", json={"dataset": "jjj-demo"}), 202)["run"]
    wait_job(api, rid)
    assert_error(api.request("DELETE", f"/api/runs/{rid}", "hebei"), 403, "forbidden")
    ok(api.request("DELETE", f"/api/runs/{rid}", "editor"))
    assert_error(api.get(f"/api/runs/{rid}"), 404, "unknown_run")


def _scores_csv(api: Api) -> pd.DataFrame:
    return pd.read_csv(api.runs / RUN / "scores.csv", dtype={"region": str, "node": str})


def _scores(api: Api) -> None:
    body = ok(api.get(f"/api/runs/{RUN}/scores?node=HQD&year=2022&region=110000&region=130100"))
    csv = _scores_csv(api).query("node == 'HQD' and year == 2022 and region in ['110000', '130100']")
    assert body["total"] == 2
    assert [i["score"] for i in body["items"]] == pytest.approx(csv["score"].tolist(), rel=1e-12)
    page = ok(api.get(f"/api/runs/{RUN}/scores?level=1&limit=5&offset=5"))
    assert page["total"] == 6 * 13 * 11 and len(page["items"]) == 5 and page["offset"] == 5


def _weights(api: Api) -> None:
    items = ok(api.get(f"/api/runs/{RUN}/weights?parent=HQD"))["items"]
    assert {i["node"] for i in items} == {"ECO", "SOC", "ENV", "INN", "CUL", "GOV"}
    assert sum(i["weight"] for i in items) == pytest.approx(1.0)


def _grades(api: Api) -> None:
    items = ok(api.get(f"/api/runs/{RUN}/grades?node=HQD&year=2022"))["items"]
    assert len(items) == 13 and {i["grade_zh"] for i in items} <= {"较低水平", "中等水平", "较高水平", "高水平"}


def _run_framework(api: Api) -> None:
    items = ok(api.get(f"/api/runs/{RUN}/framework"))["items"]
    assert items[0]["code"] == "HQD" and items[0]["name_zh"] == "高质量发展指数"


def _run_regions(api: Api) -> None:
    items = {r["code"]: r for r in ok(api.get(f"/api/runs/{RUN}/regions"))["items"]}
    assert items["110000"]["name_zh"] == "北京市" and items["130100"]["name_en"] == "Shijiazhuang"
    assert len(items) == 13


def _growth(api: Api) -> None:
    whole = ok(api.get(f"/api/runs/{RUN}/growth?region=110000"))["items"][0]
    csv = pd.read_csv(api.runs / RUN / "growth.csv", dtype={"region": str}).set_index("region").loc["110000"]
    assert whole["cagr_pct"] == pytest.approx(csv["cagr_pct"], rel=1e-12)
    part = ok(api.get(f"/api/runs/{RUN}/growth?start=2015&end=2020&region=110000"))["items"][0]
    scores = _scores_csv(api).query("node == 'HQD' and region == '110000'").set_index("year")["score"]
    assert part["cagr_pct"] == pytest.approx(((scores[2020] / scores[2015]) ** (1 / 5) - 1) * 100, rel=1e-9)


def _drivers(api: Api) -> None:
    items = ok(api.get(f"/api/runs/{RUN}/drivers?region=120000"))["items"]
    assert {i["child"] for i in items} == {"ECO", "SOC", "ENV", "INN", "CUL", "GOV"}
    assert sum(i["share_pct"] for i in items) == pytest.approx(100.0)  # additive: the shares add up
    part = ok(api.get(f"/api/runs/{RUN}/drivers?start=2016&end=2019&region=120000"))["items"]
    assert sum(i["share_pct"] for i in part) == pytest.approx(100.0) and part[0]["start_year"] == 2016


def _narrative(api: Api) -> None:
    zh = ok(api.get(f"/api/runs/{RUN}/narrative?region=110000"))
    text = zh["items"][0]["text"]
    assert text.startswith("2012—2022年，北京高质量发展指数由") and zh["synthetic"] is True
    assert text in (api.runs / RUN / "narrative.md").read_text(encoding="utf-8")
    en = ok(api.get(f"/api/runs/{RUN}/narrative?region=110000&lang=en&start=2015&end=2020"))["items"][0]
    assert en["text"].startswith("From 2015 to 2020 the high-quality development index of Beijing")


def _groups(api: Api) -> None:
    items = ok(api.get(f"/api/runs/{RUN}/groups?column=province&node=HQD"))["items"]
    scores = _scores_csv(api).query("node == 'HQD' and year == 2022")
    hebei = scores[scores["region"].str.startswith("13")]["score"].mean()
    got = next(i for i in items if i["group"] == "130000" and i["year"] == 2022)
    assert got["score"] == pytest.approx(hebei, rel=1e-12)


def _analyses(api: Api) -> None:
    items = ok(api.get(f"/api/runs/{RUN}/analyses"))["items"]
    assert {"jjj", "jjj_theil", "jjj_coupling_jjj", "jjj_moran"} <= set(items)


def _analysis(api: Api) -> None:
    body = ok(api.get(f"/api/runs/{RUN}/analyses/jjj_theil"))
    csv = pd.read_csv(api.runs / RUN / "analysis" / "jjj_theil.csv", comment="#")
    assert body["synthetic"] is True and body["total"] == len(csv)
    assert [i["total"] for i in body["items"]] == pytest.approx(csv["total"].tolist(), rel=1e-12)


def _uncertainty(api: Api) -> None:
    assert "rank_stats" in ok(api.get(f"/api/runs/{RUN}/uncertainty"))["items"]


def _uncertainty_table(api: Api) -> None:
    body = ok(api.get(f"/api/runs/{RUN}/uncertainty/rank_stats?region=110000"))
    assert body["total"] >= 1 and all(i["region"] == "110000" for i in body["items"])


def _download(api: Api) -> None:
    r = api.get(f"/api/runs/{RUN}/files/results.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert api.get(f"/api/runs/{RUN}/files/narrative.md").text.startswith("> SYNTHETIC")


# ------------------------------------------------------------------------------------------------- registry
def _overview(api: Api) -> None:
    body = ok(api.get("/api/registry"))
    counts = {i["name"]: i["count"] for i in body["items"]}
    assert counts["projects"] == 60 and counts["enterprises"] == 20 and body["synthetic"] is True


def _reference(api: Api) -> None:
    body = ok(api.get("/api/registry/reference"))
    assert len(body["chains"]) == 6 and len(body["clusters"]) == 5 and len(body["corridors"]) == 5
    assert {"110000", "130000", "130200"} <= {r["code"] for r in body["regions"]}


def _history(api: Api) -> None:
    p = a_project(api)
    ok(api.request("PATCH", f"/api/registry/projects/records/{p['project_id']}", "admin",
                   json={"version": p["version"], "changes": {"note": "checked"}}))
    items = ok(api.get(f"/api/registry/history?entity=projects&key={p['project_id']}", "viewer"))["items"]
    assert items[0]["actor"] == "admin" and items[0]["field"] == "note" and items[0]["new_value"] == "checked"


def _summary_projects(api: Api) -> None:
    from hqd import registry

    body = ok(api.get("/api/registry/summary/projects?by=province"))
    want = registry.summarize_projects(api.engine, "province")
    assert body["headline"] == want.headline() and body["total_count"] == 60
    assert [i["projects"] for i in body["items"]] == want.table["projects"].tolist()


def _summary_enterprises(api: Api) -> None:
    body = ok(api.get("/api/registry/summary/enterprises?by=city"))
    assert body["total_count"] == 20 and sum(i["enterprises"] for i in body["items"]) == 20


def _gaps(api: Api) -> None:
    from hqd import registry

    body = ok(api.get("/api/registry/gaps/robotics?region=河北"))
    want = registry.chain_gaps(api.engine, "robotics", "河北")
    assert body["area"] == "130000" and [link["code"] for link in body["links"]] == want.links["code"].tolist()
    assert [link["role"] for link in body["links"]] == want.links["role"].tolist()
    assert len(body["graph"]["nodes"]) == len(want.links)


def _overdue(api: Api) -> None:
    from hqd import registry

    body = ok(api.get("/api/registry/ledgers/overdue?as_of=2025-06-30"))
    want = registry.overdue(api.engine, "2025-06-30")
    assert body["as_of"] == "2025-06-30" and [i["code"] for i in body["items"]] == want["code"].tolist()


def _progress(api: Api) -> None:
    body = ok(api.get("/api/registry/ledgers/progress/DEMO-P1"))
    assert body["plan"] == "DEMO-P1" and 0 <= body["share_done"] <= 1 and body["by_department"]


def _notes(api: Api) -> None:
    items = ok(api.get("/api/registry/ledgers/notes/DEMO-P1-T01-S2"))["items"]
    assert items and items[0]["note"].startswith("示例进展")


def _entity(api: Api) -> None:
    body = ok(api.get("/api/registry/projects"))
    assert body["key"] == ["project_id"] and body["location_field"] == "region" and body["count"] == 60
    status = next(f for f in body["fields"] if f["name"] == "status")
    assert {c["key"] for c in status["choices"]} == {"planned", "signed", "started", "completed", "in_operation",
                                                      "full_production", "terminated"}


def _records(api: Api) -> None:
    body = ok(api.get("/api/registry/projects/records?in_region=河北&status=signed&sort=-investment_100m_cny"))
    items = body["items"]
    assert items and all(i["region"].startswith("13") and i["status"] == "signed" for i in items)
    amounts = [i["investment_100m_cny"] for i in items]
    assert amounts == sorted(amounts, reverse=True)
    assert body["total"] == len(items) and body["sums"]["investment_100m_cny"] == pytest.approx(sum(amounts))
    page = ok(api.get("/api/registry/projects/records?limit=7&offset=7"))
    assert page["total"] == 60 and len(page["items"]) == 7 and page["items"][0]["project_id"] == "示例项目0008"


def _create(api: Api) -> None:
    body = ok(api.request("POST", "/api/registry/projects/records", "hebei", json={
        "project_id": "API-0001", "name": "接口测试项目", "region": "唐山", "investment_100m_cny": 3.5,
        "status": "在建", "origin_region": "北京"}), 201)
    rec = body["record"]
    assert rec["region"] == "130200" and rec["status"] == "started" and rec["updated_by"] == "hebei"
    assert rec["version"] == 1


def _record(api: Api) -> None:
    rec = ok(api.get("/api/registry/projects/records/示例项目0001"))["record"]
    assert rec["project_id"] == "示例项目0001" and rec["version"] == 1
    edge = ok(api.get("/api/registry/edges/records?limit=1"))["items"][0]
    got = ok(api.get(f"/api/registry/edges/records/{edge['from_link']}|{edge['to_link']}"))["record"]
    assert got["from_link"] == edge["from_link"] and got["to_link"] == edge["to_link"]


def _update(api: Api) -> None:
    p = a_project(api)
    rec = ok(api.request("PATCH", f"/api/registry/projects/records/{p['project_id']}", "hebei",
                         json={"version": p["version"], "changes": {"investment_100m_cny": 99.5}}))["record"]
    assert rec["investment_100m_cny"] == 99.5 and rec["version"] == p["version"] + 1
    assert rec["updated_by"] == "hebei"


def _delete(api: Api) -> None:
    ok(api.request("POST", "/api/registry/projects/records", "admin", json={
        "project_id": "DEL-1", "name": "删除测试", "region": "110000", "investment_100m_cny": 1, "status": "签约"}), 201)
    ok(api.request("DELETE", "/api/registry/projects/records/DEL-1?version=1", "beijing"))
    assert_error(api.get("/api/registry/projects/records/DEL-1"), 404, "not_found")
    linked = ok(api.get("/api/registry/tasks/records?limit=500"))["items"]
    project = next(t["project_id"] for t in linked if t["project_id"])  # a ledger task refers to it
    version = ok(api.get(f"/api/registry/projects/records/{project}"))["record"]["version"]
    assert_error(api.request("DELETE", f"/api/registry/projects/records/{project}?version={version}", "admin"),
                 409, "conflict")


def _import(api: Api) -> None:
    frame = pd.DataFrame({"项目编号": ["IMP-1", "IMP-2"], "项目名称": ["导入一", "导入二"], "所在地": ["保定", "廊坊"],
                          "总投资(亿元)": ["1,200.5", "3"], "项目状态": ["签约", "投产"]})
    files = {"file": ("projects.csv", csv_bytes(frame))}
    dry = ok(api.request("POST", "/api/registry/projects/import?dry_run=true", "hebei", files=files))["report"]
    assert dry["dry_run"] and dry["inserted"] == 2
    assert_error(api.get("/api/registry/projects/records/IMP-1"), 404, "not_found")
    done = ok(api.request("POST", "/api/registry/projects/import", "hebei", files=files))["report"]
    assert done["inserted"] == 2 and not done["dry_run"]
    rec = ok(api.get("/api/registry/projects/records/IMP-1", "viewer"))["record"]
    assert rec["investment_100m_cny"] == 1200.5 and rec["region"] == "130600" and rec["updated_by"] == "hebei"


def _export(api: Api) -> None:
    r = api.get("/api/registry/projects/export?format=csv&lang=zh")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    frame = pd.read_csv(io.BytesIO(r.content), dtype=str)
    assert len(frame) == 60 and "项目编号" in frame.columns


def _template(api: Api) -> None:
    r = api.get("/api/registry/enterprises/template?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


# --------------------------------------------------------------------------------------------------- charts
def _charts(api: Api) -> None:
    names = [c["name"] for c in ok(api.get("/api/charts"))["items"]]
    assert {"ranking", "trend", "map_points", "rank_bands"} <= set(names)


def _chart(api: Api) -> None:
    from hqd.report.charts import build_chart

    body = ok(api.get(f"/api/charts/ranking?run={RUN}&year=2020&lang=en"))
    assert body["option"] == json.loads(json.dumps(build_chart("ranking", api.runs / RUN, lang="en", year=2020)))
    bands = ok(api.get(f"/api/charts/rank_bands?run={RUN}"))["option"]
    assert bands["series"]


def _get(path: str) -> Callable[[Api], tuple[str, dict[str, Any]]]:
    return lambda api: (path, {})


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/api/health"): Route("public", _health, lambda a: a.get("/api/health/x")),
    ("GET", "/api/methods"): Route("read", _methods, lambda a: a.request("PUT", "/api/methods")),
    ("POST", "/api/auth/login"): Route("public", _login, lambda a: a.client.post("/api/auth/login", json={"username": ""})),
    ("POST", "/api/auth/logout"): Route("public", _logout, lambda a: a.request("GET", "/api/auth/logout")),
    ("GET", "/api/auth/me"): Route("public", _me, lambda a: a.get("/api/auth/me", headers={"Authorization": "Basic x"})),
    ("GET", "/api/auth/tokens"): Route("user", _tokens, lambda a: a.get("/api/auth/tokens", headers={
        "Authorization": "Bearer hqd_nope"})),
    ("POST", "/api/auth/tokens"): Route("user", _new_token, lambda a: a.request(
        "POST", "/api/auth/tokens", "viewer", json={"name": "x", "days": -1})),
    ("DELETE", "/api/auth/tokens/{token_id}"): Route("user", _revoke, lambda a: a.request(
        "DELETE", "/api/auth/tokens/999999", "viewer")),
    ("GET", "/api/frameworks"): Route("read", _frameworks, lambda a: a.request("PATCH", "/api/frameworks")),
    ("POST", "/api/frameworks"): Route("write", _upload_framework, lambda a: a.request(
        "POST", "/api/frameworks", "editor", files={"file": ("fw.txt", b"code\n")}),
        lambda a: ("/api/frameworks", {"files": {"file": ("fw.csv", b"code,parent\nX,\n")}})),
    ("GET", "/api/frameworks/{framework_id}"): Route("read", _framework, lambda a: a.get("/api/frameworks/nope")),
    ("DELETE", "/api/frameworks/{framework_id}"): Route("write", _delete_framework, lambda a: a.request(
        "DELETE", "/api/frameworks/jjj", "admin"), _get("/api/frameworks/jjj")),
    ("GET", "/api/datasets"): Route("read", _datasets, lambda a: a.request("PUT", "/api/datasets")),
    ("POST", "/api/datasets"): Route("write", _upload_dataset, lambda a: a.request(
        "POST", "/api/datasets", "editor", data={"framework": "jjj"}),
        lambda a: ("/api/datasets", {"data": {"framework": "jjj"}, "files": {"file": ("p.csv", b"region,year\n")}})),
    ("GET", "/api/datasets/{dataset_id}"): Route("read", _dataset, lambda a: a.get("/api/datasets/..")),
    ("DELETE", "/api/datasets/{dataset_id}"): Route("write", _delete_dataset, lambda a: a.request(
        "DELETE", "/api/datasets/jjj-demo", "admin"), _get("/api/datasets/jjj-demo")),
    ("GET", "/api/datasets/{dataset_id}/data"): Route("read", _dataset_data, lambda a: a.get(
        "/api/datasets/jjj-demo/data?limit=0")),
    ("GET", "/api/geojson"): Route("read", _geojsons, lambda a: a.request("DELETE", "/api/geojson")),
    ("POST", "/api/geojson"): Route("write", _upload_geojson, lambda a: a.request(
        "POST", "/api/geojson", "editor", files={"file": ("x.geojson", b"{}")}),
        lambda a: ("/api/geojson", {"files": {"file": ("x.geojson", json.dumps(GEOJSON).encode())}})),
    ("GET", "/api/runs"): Route("read", _runs, lambda a: a.request("PUT", "/api/runs")),
    ("POST", "/api/runs"): Route("write", _create_run, lambda a: a.request(
        "POST", "/api/runs", "editor", json={"dataset": "jjj-demo", "recipe": {"weight": {"method": "entropyy"}}}),
        lambda a: ("/api/runs", {"json": {"dataset": "jjj-demo"}})),
    ("GET", "/api/jobs"): Route("read", _jobs, lambda a: a.request("POST", "/api/jobs")),
    ("GET", "/api/jobs/{job_id}"): Route("read", _job, lambda a: a.get("/api/jobs/nope")),
    ("DELETE", "/api/jobs/{job_id}"): Route("write", _cancel_job, lambda a: a.request(
        "DELETE", "/api/jobs/nope", "admin"), _get("/api/jobs/nope")),
    ("GET", "/api/runs/{run_id}"): Route("read", _run, lambda a: a.get("/api/runs/nope")),
    ("DELETE", "/api/runs/{run_id}"): Route("write", _delete_run, lambda a: a.request(
        "DELETE", "/api/runs/nope", "admin"), _get(f"/api/runs/{RUN}")),
    ("GET", "/api/runs/{run_id}/scores"): Route("read", _scores, lambda a: a.get(
        f"/api/runs/{RUN}/scores?year=twenty")),
    ("GET", "/api/runs/{run_id}/weights"): Route("read", _weights, lambda a: a.get("/api/runs/nope/weights")),
    ("GET", "/api/runs/{run_id}/grades"): Route("read", _grades, lambda a: a.get(f"/api/runs/{RUN}/grades?offset=-1")),
    ("GET", "/api/runs/{run_id}/framework"): Route("read", _run_framework, lambda a: a.get(
        "/api/runs/nope/framework")),
    ("GET", "/api/runs/{run_id}/regions"): Route("read", _run_regions, lambda a: a.get(
        "/api/runs/nope/regions")),
    ("GET", "/api/runs/{run_id}/growth"): Route("read", _growth, lambda a: a.get(
        f"/api/runs/{RUN}/growth?start=1990")),
    ("GET", "/api/runs/{run_id}/drivers"): Route("read", _drivers, lambda a: a.get(
        f"/api/runs/{RUN}/drivers?node=NOPE")),
    ("GET", "/api/runs/{run_id}/narrative"): Route("read", _narrative, lambda a: a.get(
        f"/api/runs/{RUN}/narrative?lang=fr")),
    ("GET", "/api/runs/{run_id}/groups"): Route("read", _groups, lambda a: a.get(
        f"/api/runs/{RUN}/groups?column=continent")),
    ("GET", "/api/runs/{run_id}/analyses"): Route("read", _analyses, lambda a: a.get("/api/runs/nope/analyses")),
    ("GET", "/api/runs/{run_id}/analyses/{name}"): Route("read", _analysis, lambda a: a.get(
        f"/api/runs/{RUN}/analyses/nope")),
    ("GET", "/api/runs/{run_id}/uncertainty"): Route("read", _uncertainty, lambda a: a.get(
        "/api/runs/../uncertainty")),
    ("GET", "/api/runs/{run_id}/uncertainty/{name}"): Route("read", _uncertainty_table, lambda a: a.get(
        f"/api/runs/{RUN}/uncertainty/sobol")),
    ("GET", "/api/runs/{run_id}/files/{name}"): Route("read", _download, lambda a: a.get(
        f"/api/runs/{RUN}/files/inputs.json")),
    ("GET", "/api/registry"): Route("read", _overview, lambda a: a.request("DELETE", "/api/registry")),
    ("GET", "/api/registry/reference"): Route("read", _reference, lambda a: a.request(
        "POST", "/api/registry/reference")),
    ("GET", "/api/registry/history"): Route("read", _history, lambda a: a.get("/api/registry/history?limit=0")),
    ("GET", "/api/registry/summary/projects"): Route("read", _summary_projects, lambda a: a.get(
        "/api/registry/summary/projects?by=colour")),
    ("GET", "/api/registry/summary/enterprises"): Route("read", _summary_enterprises, lambda a: a.get(
        "/api/registry/summary/enterprises?by=colour")),
    ("GET", "/api/registry/gaps/{chain}"): Route("read", _gaps, lambda a: a.get("/api/registry/gaps/steel")),
    ("GET", "/api/registry/ledgers/overdue"): Route("read", _overdue, lambda a: a.get(
        "/api/registry/ledgers/overdue?as_of=yesterday")),
    ("GET", "/api/registry/ledgers/progress/{plan}"): Route("read", _progress, lambda a: a.get(
        "/api/registry/ledgers/progress/NOPE")),
    ("GET", "/api/registry/ledgers/notes/{task}"): Route("read", _notes, lambda a: a.request(
        "PUT", "/api/registry/ledgers/notes/x")),
    ("GET", "/api/registry/{entity}"): Route("read", _entity, lambda a: a.get("/api/registry/widgets")),
    ("GET", "/api/registry/{entity}/records"): Route("read", _records, lambda a: a.get(
        "/api/registry/projects/records?investment_100m_cny=lots")),
    ("POST", "/api/registry/{entity}/records"): Route("write", _create, lambda a: a.request(
        "POST", "/api/registry/projects/records", "admin", json={"project_id": "X", "status": "maybe"}),
        lambda a: ("/api/registry/projects/records", {"json": {"project_id": "Y"}})),
    ("GET", "/api/registry/{entity}/records/{key}"): Route("read", _record, lambda a: a.get(
        "/api/registry/edges/records/only-one-part")),
    ("PATCH", "/api/registry/{entity}/records/{key}"): Route("write", _update, lambda a: a.request(
        "PATCH", "/api/registry/projects/records/示例项目0001", "admin", json={"version": 0, "changes": {}}),
        lambda a: ("/api/registry/projects/records/示例项目0001", {"json": {"version": 1, "changes": {"note": "x"}}})),
    ("DELETE", "/api/registry/{entity}/records/{key}"): Route("write", _delete, lambda a: a.request(
        "DELETE", "/api/registry/projects/records/示例项目0001", "admin"),
        lambda a: ("/api/registry/projects/records/示例项目0001?version=1", {})),
    ("POST", "/api/registry/{entity}/import"): Route("write", _import, lambda a: a.request(
        "POST", "/api/registry/projects/import", "admin", files={"file": ("p.csv", b"project_id,name\nA,\n")}),
        lambda a: ("/api/registry/projects/import", {"files": {"file": ("p.csv", b"project_id\nA\n")}})),
    ("GET", "/api/registry/{entity}/export"): Route("read", _export, lambda a: a.get(
        "/api/registry/projects/export?format=pdf")),
    ("GET", "/api/registry/{entity}/template"): Route("read", _template, lambda a: a.get(
        "/api/registry/projects/template?lang=fr")),
    ("GET", "/api/charts"): Route("read", _charts, lambda a: a.request("POST", "/api/charts")),
    ("GET", "/api/charts/{name}"): Route("read", _chart, lambda a: a.get(f"/api/charts/pie?run={RUN}")),
}

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _operations(api: Api) -> set[tuple[str, str]]:
    paths = api.app.openapi()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def test_every_openapi_operation_has_a_route_case(api: Api) -> None:
    assert _operations(api) == set(ROUTES)


def test_every_operation_documents_the_error_shape(api: Api) -> None:
    doc = api.app.openapi()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status in ("400", "401", "403", "404", "409", "422", "500"):
                schema = op["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorModel"}, (method, path, status)
    assert set(doc["components"]["schemas"]["ErrorModel"]["required"]) == {"error", "errors", "status"}


@pytest.mark.parametrize("route", list(ROUTES), ids=[f"{m} {p}" for m, p in ROUTES])
def test_happy_path(api: Api, route: tuple[str, str]) -> None:
    ROUTES[route].happy(api)


@pytest.mark.parametrize("route", list(ROUTES), ids=[f"{m} {p}" for m, p in ROUTES])
def test_invalid_request_has_the_error_shape(api: Api, route: tuple[str, str]) -> None:
    response = ROUTES[route].invalid(api)
    assert 400 <= response.status_code < 500
    assert_error(response)


WRITES = [r for r, case in ROUTES.items() if case.access == "write"]


@pytest.mark.parametrize("route", WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_writes_need_a_writer(api: Api, route: tuple[str, str]) -> None:
    case = ROUTES[route]
    assert case.example is not None
    path, kwargs = case.example(api)
    assert_error(api.request(route[0], path, None, **kwargs), 401, "unauthenticated")
    assert_error(api.request(route[0], path, "viewer", **kwargs), 403, "forbidden")
    assert_error(api.request(route[0], path, None, headers={"Authorization": "Bearer hqd_forged"}, **kwargs),
                 401, "invalid_token")


USER_ONLY = [r for r, case in ROUTES.items() if case.access == "user"]


@pytest.mark.parametrize("route", USER_ONLY, ids=[f"{m} {p}" for m, p in USER_ONLY])
def test_token_routes_need_a_login(api: Api, route: tuple[str, str]) -> None:
    path = route[1].replace("{token_id}", "1")
    kwargs: dict[str, Any] = {"json": {"name": "x"}} if route[0] == "POST" else {}
    assert_error(api.request(route[0], path, None, **kwargs), 401, "unauthenticated")


READS = [r for r, case in ROUTES.items() if case.access == "read"]


def _read_path(route: tuple[str, str]) -> str:
    values = {"run_id": RUN, "name": "jjj_theil" if "analyses" in route[1] else "rank_stats", "job_id": "x",
              "framework_id": "jjj", "dataset_id": "jjj-demo", "entity": "projects", "key": "示例项目0001",
              "chain": "robotics", "plan": "DEMO-P1", "task": "DEMO-P1-T01"}
    path = route[1]
    if route[1] == "/api/runs/{run_id}/files/{name}":
        values["name"] = "narrative.md"
    if route[1] == "/api/charts/{name}":
        return f"/api/charts/ranking?run={RUN}"
    for key, value in values.items():
        path = path.replace("{" + key + "}", value)
    return path


def test_login_read_refuses_anonymous_reads(login_api: Api) -> None:
    """With ``public_read`` off every read route answers 401 to anonymous and 2xx to a viewer."""
    for route in READS:
        path = _read_path(route)
        assert_error(login_api.get(path), 401, "unauthenticated")
        response = login_api.get(path, "viewer")
        assert response.status_code in (200, 404), (route, response.text[:300])  # job 'x' does not exist
    assert login_api.get("/api/health").status_code == 200  # health stays public
