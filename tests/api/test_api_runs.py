"""Runs and uploads in depth: validation exactly as the engine validates (every problem, with locations and
the uploaded file's name — never a server path), the size limit, jobs that fail, runs written by the CLI,
custom periods rebuilt from the inputs, and what happens when the inputs are gone or changed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from api_fixtures import Api, assert_error, fresh_database, make_api

from hqd.errors import HqdError

pytest_plugins = ["api_fixtures"]


def _panel() -> pd.DataFrame:
    from hqd.datasets.jjj import synthetic_panel

    return synthetic_panel()


def _upload(api: Api, frame: pd.DataFrame, name: str = "panel.csv", **data: str) -> Any:
    return api.request("POST", "/api/datasets", "editor",
                       files={"file": (name, frame.to_csv(index=False).encode("utf-8"))},
                       data={"framework": "jjj", **data})


def test_dataset_upload_reports_what_hqd_validate_reports(api: Api, tmp_path: Path) -> None:
    from hqd.datasets.jjj import framework_path
    from hqd.pipeline import load_inputs

    bad = _panel()
    bad["E1"] = bad["E1"].astype(object)
    bad.loc[3, "E1"] = "n/a?"
    bad.loc[7, "region"] = "999999"
    bad = bad.drop(columns=["V6"])
    body = assert_error(_upload(api, bad, "城市面板.csv"), 400)
    path = tmp_path / "城市面板.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(HqdError) as err:
        load_inputs(framework_path(), path)
    want = [(p.code, p.row, p.column, p.indicator) for p in err.value.problems if p.severity == "error"]
    got = [(e["code"], e.get("row"), e.get("column"), e.get("indicator")) for e in body["errors"]]
    assert got == want and got
    files = {e.get("file") for e in body["errors"]} - {None}
    assert files <= {"城市面板.csv"}  # the uploaded name, not the server's folder
    assert all(str(api.runs) not in e["message"] for e in body["errors"])


def test_dataset_options_and_bad_options(api: Api) -> None:
    long = _panel().melt(id_vars=["region", "year"], var_name="indicator", value_name="value")
    long = long.rename(columns={"region": "city", "year": "yr"})
    r = _upload(api, long, "long.csv", region_col="city", year_col="yr", years="2015:2020")
    assert r.status_code == 201, r.text
    assert r.json()["dataset"]["panel"]["years"] == 6
    assert_error(_upload(api, long, "long.csv", years="2015-2020"), 400, "invalid_parameter")
    assert_error(_upload(api, long, "long.csv", data_format="sas"), 400, "invalid_choice")
    assert_error(_upload(api, long, "long.exe"), 400, "unsupported_format")
    assert_error(api.request("POST", "/api/datasets", "editor", files={"file": ("p.csv", b"region,year\n")},
                             data={"framework": "nope"}), 404, "unknown_framework")


def test_framework_upload_reports_every_problem(api: Api) -> None:
    table = pd.DataFrame({"code": ["IDX", "A", "A", "B"], "parent": ["", "IDX", "IDX", "ZZZ"],
                          "name_zh": ["指数", "甲", "甲", "乙"], "name_en": ["i", "a", "a", "b"],
                          "direction": ["", "+", "+", "正"]})
    r = api.request("POST", "/api/frameworks", "editor",
                    files={"file": ("fw.csv", table.to_csv(index=False).encode())})
    body = assert_error(r, 400)
    assert len(body["errors"]) >= 2 and all(e.get("file") in (None, "fw.csv") for e in body["errors"])
    assert all(e.get("row") is None or e["row"] >= 2 for e in body["errors"])


def test_upload_size_limit(backend: str, tmp_path: Path, runs_template: Path) -> None:
    runs = tmp_path / "runs"
    shutil.copytree(runs_template, runs)
    with fresh_database(backend, tmp_path) as url:
        api = make_api(url, runs, load_registry=False, max_upload_mb=0.01)
        big = b"region,year\n" + b"110000,2012\n" * 2000
        r = api.request("POST", "/api/datasets", "editor", files={"file": ("p.csv", big)}, data={"framework": "jjj"})
        assert_error(r, 413, "payload_too_large")
        chunked = api.request("POST", "/api/registry/projects/import", "editor",
                              content=iter([big[:5000], big[5000:]]),
                              headers={"content-type": "multipart/form-data; boundary=x"})
        assert_error(chunked, 413, "payload_too_large")
        api.engine.dispose()


def test_run_with_a_bad_recipe_is_refused_at_once(api: Api) -> None:
    body = assert_error(api.request("POST", "/api/runs", "editor", json={
        "dataset": "jjj-demo", "recipe": {"weight": {"method": "entropyy"}, "normalise": {"method": "zscore",
                                                                                        "bogus": 1}}}), 400)
    codes = {e["code"] for e in body["errors"]}
    assert {"unknown_method", "invalid_parameter"} <= codes
    assert "entropy" in next(e["message"] for e in body["errors"] if e["code"] == "unknown_method")
    assert_error(api.request("POST", "/api/runs", "editor", json={"dataset": "jjj-demo", "recipe": "- a list"}),
                 400, "invalid_recipe")
    assert_error(api.request("POST", "/api/runs", "editor", json={"dataset": "jjj-demo", "recipe": "a: [b"}),
                 400, "invalid_yaml")
    assert_error(api.request("POST", "/api/runs", "editor", json={"dataset": "nope"}), 404, "unknown_dataset")


def test_a_failing_job_reports_its_problems(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    import hqd.pipeline

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise HqdError("the build failed on purpose", code="build_failed")

    monkeypatch.setattr(hqd.pipeline, "build", broken)
    rid = api.request("POST", "/api/runs", "editor", json={"dataset": "jjj-demo"}).json()["run"]
    deadline = time.monotonic() + 60
    while (job := api.get(f"/api/jobs/{rid}").json()["job"])["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert job["status"] == "failed" and job["errors"][0]["code"] == "build_failed"
    assert_error(api.get(f"/api/runs/{rid}"), 404, "unknown_run")
    assert not list(api.runs.glob(".building-*"))


def test_a_run_being_built_is_not_ready(api: Api) -> None:
    api.app.state.hqd.storage.job_file("pending-1").write_text('{"status": "running"}', encoding="utf-8")
    assert_error(api.get("/api/runs/pending-1/scores"), 409, "run_not_ready")
    assert api.get("/api/jobs/pending-1").json()["job"]["status"] == "interrupted"  # no live job: a past server's


def _cli_run(folder: Path) -> Path:
    from hqd.datasets.jjj import write_demo_inputs
    from hqd.io.rundir import write_run
    from hqd.pipeline import run

    paths = write_demo_inputs(folder / "input")
    result = run(paths["framework"], paths["data"], paths["recipe"], regions=paths["regions"])
    return write_run(result, folder / "runs" / "cli-run")


def test_runs_written_by_the_cli_are_served(backend: str, tmp_path: Path) -> None:
    run_dir = _cli_run(tmp_path)
    with fresh_database(backend, tmp_path) as url:
        api = make_api(url, tmp_path / "runs", load_registry=False)
        assert [r["id"] for r in api.get("/api/runs").json()["items"]] == ["cli-run"]
        g = api.get("/api/runs/cli-run/growth?start=2014&end=2018&region=110000").json()["items"][0]
        assert g["start_year"] == 2014 and g["end_year"] == 2018
        text = api.get("/api/runs/cli-run/narrative?region=110000").json()["items"][0]["text"]
        assert text.startswith("2012—2022年，北京")  # names from the run's regions.csv
        # inputs gone: the whole period is still served from the run directory, custom periods are not
        shutil.rmtree(tmp_path / "input")
        api.app.state.hqd.storage._results.clear()
        fallback = api.get("/api/runs/cli-run/narrative").json()
        assert fallback["source"] == "narrative.md" and fallback["items"][0]["text"] in (
            run_dir / "narrative.md").read_text(encoding="utf-8")
        assert api.get("/api/runs/cli-run/growth").status_code == 200
        assert_error(api.get("/api/runs/cli-run/growth?start=2014"), 400, "inputs_unavailable")
        api.engine.dispose()


def test_changed_inputs_are_refused(backend: str, tmp_path: Path) -> None:
    _cli_run(tmp_path)
    data = tmp_path / "input" / "jjj_panel_SYNTHETIC.csv"
    lines = data.read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[2] = str(float(cells[2]) * 1.5)
    lines[2] = ",".join(cells)
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with fresh_database(backend, tmp_path) as url:
        api = make_api(url, tmp_path / "runs", load_registry=False)
        assert_error(api.get("/api/runs/cli-run/drivers?start=2013"), 409, "inputs_changed")
        api.engine.dispose()


def test_path_traversal_is_not_a_run(api: Api) -> None:
    for rid in ("..", "_uploads", ".building-x", "%2e%2e"):
        r = api.get(f"/api/runs/{rid}/scores")
        assert r.status_code in (404, 409), (rid, r.text)
    assert_error(api.get("/api/runs/jjj-demo/files/..%2Fmanifest.json"), 404)
    assert_error(api.get("/api/charts/ranking?run=jjj-demo&geojson=/etc/passwd"), 404, "unknown_geojson")
