"""The built wheel carries the dashboard and the demo: build it, install it in a fresh virtual
environment, run ``hqd demo`` from it and serve the demo with the exact command the demo prints
(health, the dashboard's index.html and scripts, one API call).

Slow (a build and an install; uv's cache makes the install take seconds): marked ``slow``; every step
has a time limit.  Nothing is written into the checkout — the sources are copied to a temporary folder
first (setuptools writes build/ and *.egg-info next to them).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB_FILES = ("hqd/web/index.html", "hqd/web/js/main.js", "hqd/web/js/pages/registry.js", "hqd/web/css/dashboard.css",
             "hqd/web/messages.json", "hqd/web/vendor/echarts/echarts.min.js", "hqd/web/vendor/echarts/LICENSE",
             "hqd/datasets/data/jjj_city_centres.csv", "hqd/datasets/data/jjj_framework.csv")

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(args: list[str], cwd: Path, timeout: float) -> str:
    done = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{shlex.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def _uv() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.is_file() else shutil.which("uv")


def _copy_sources(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(REPO / "src", target / "src", ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE", "NOTICE"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, target / name)


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read()


def test_wheel_serves_the_dashboard_on_the_demo(tmp_path: Path) -> None:
    uv = _uv()
    sources, dist = tmp_path / "sources", tmp_path / "dist"
    _copy_sources(sources)
    if uv:
        _run([uv, "build", "--wheel", "--out-dir", str(dist), str(sources)], tmp_path, 600)
    else:
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(sources)], tmp_path, 600)
    wheel = next(dist.glob("hqd-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert [f for f in WEB_FILES if f not in names] == []

    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    if uv:
        _run([uv, "venv", "--python", sys.executable, str(venv)], tmp_path, 120)
        _run([uv, "pip", "install", "--python", str(python), str(wheel)], tmp_path, 900)
    else:
        _run([sys.executable, "-m", "venv", str(venv)], tmp_path, 120)
        _run([str(python), "-m", "pip", "install", str(wheel)], tmp_path, 900)
    where = _run([str(python), "-c", "import hqd; print(hqd.__file__)"], tmp_path, 60).strip()
    assert Path(where).is_relative_to(venv), f"hqd imported from {where}, not from the fresh environment"

    out = _run([str(venv / "bin" / "hqd"), "demo", "--out", "demo-out"], tmp_path, 600)
    last = [line for line in out.splitlines() if line.strip()][-1]
    assert last.startswith("Dashboard: "), last
    command = shlex.split(last.removeprefix("Dashboard: ").split("  (then open")[0])
    assert command[0] == str(venv / "bin" / "hqd") and command[1] == "serve"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([*command, "--port", str(port)], cwd=tmp_path, env=_env(), stdout=log,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, body = _get(base + "/api/health")
                if status == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.3)
        assert json.loads(body)["runs"] >= 1
        status, page = _get(base + "/")
        assert status == 200 and b'src="js/main.js"' in page and b"vendor/echarts/echarts.min.js" in page
        for asset in ("/js/main.js", "/messages.json", "/vendor/echarts/echarts.min.js", "/css/dashboard.css"):
            assert _get(base + asset)[0] == 200, asset
        status, body = _get(base + "/api/charts/ranking?run=run&lang=zh")
        option = json.loads(body)["option"]
        assert status == 200 and len(option["series"][0]["data"]) == 13
        assert "年高质量发展指数排名" in option["title"]["text"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
