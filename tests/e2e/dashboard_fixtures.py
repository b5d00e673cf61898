"""The dashboard in a real browser: the demo served by ``hqd serve`` on a loopback port, driven by
Playwright through Debian's ``/usr/bin/chromium`` (never ``playwright install``).

The session fixture ``site`` runs ``hqd demo`` into a temporary folder, adds the kernel-density and
LISA analyses (``hqd analyze kde|lisa``), a copy of the run whose region 130100 is named
``<img src=x onerror=alert(1)>``, a registry project with that name, three users (an editor scoped
to Hebei, a viewer, an admin), starts the server and stops it after the session.

Test modules load them with ``pytest_plugins = ["dashboard_fixtures"]``.  Without Chromium the tests skip with the reason; with ``HQD_REQUIRE_BROWSER=1`` (``.ci/run``) they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

CHROMIUM = os.environ.get("HQD_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HOSTILE = "<img src=x onerror=alert(1)>"
USERS = {"hebei": ("editor", "130000"), "viewer": ("viewer", None), "admin": ("admin", None)}
PASSWORD = "correct horse battery staple"


def _unavailable(reason: str) -> None:
    if os.environ.get("HQD_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (HQD_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).is_file():
        _unavailable(f"Chromium not found at {CHROMIUM} (Debian: apt install chromium fonts-wqy-microhei)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    return CHROMIUM


def _hqd(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "hqd.cli", *args], cwd=cwd, check=True, capture_output=True, timeout=300)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    """The served demo: its URL, folders and database."""

    url: str
    root: Path
    run: Path
    db: str
    log: Path
    hostile: str = HOSTILE

    def scores(self) -> pd.DataFrame:
        return pd.read_csv(self.run / "scores.csv", dtype={"region": str, "node": str})


def _hostile_run(run: Path, target: Path) -> None:
    """A copy of the demo run, without its kernel densities (so the page's fallback is seen), whose region
    130100 carries a hostile name."""
    shutil.copytree(run, target)
    for path in (target / "analysis").glob("*kde*"):
        path.unlink()
    regions = target / "regions.csv"
    if regions.exists():
        frame = pd.read_csv(regions, dtype=str)
        column = "code" if "code" in frame.columns else frame.columns[0]
    else:
        from hqd.model.regions import JJJ_CITIES

        frame = pd.DataFrame({"code": [c.code for c in JJJ_CITIES], "name_zh": [c.name_zh for c in JJJ_CITIES],
                              "name_en": [c.name_en for c in JJJ_CITIES]})
        column = "code"
    for name in ("name_zh", "name_en", "short_zh"):
        if name in frame.columns:
            frame.loc[frame[column] == "130100", name] = HOSTILE
    frame.to_csv(regions, index=False)


@pytest.fixture(scope="session")
def site(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from hqd import registry
    from hqd.api import auth, auth_db

    root = tmp_path_factory.mktemp("dashboard")
    _hqd("demo", "--out", str(root / "demo"), cwd=root)
    runs = root / "demo"
    run = runs / "run"
    _hostile_run(run, runs / "hostile")
    _hqd("analyze", "kde", str(run), "--out", str(run / "analysis"), cwd=root)
    _hqd("analyze", "lisa", str(run), "--out", str(run / "analysis"), "--permutations", "199", cwd=root)
    db = f"sqlite:///{runs / 'registry.sqlite'}"
    engine = registry.connect(db)
    auth_db.upgrade(engine)
    for name, (role, scope) in USERS.items():
        auth.add_user(engine, name, PASSWORD, role, scope)
    registry.create(engine, "projects", {"project_id": "XSS-1", "name": HOSTILE, "region": "130100",
                                         # sorts first, with room below the 100,000 亿元 bound for the edit test
                                         "investment_100m_cny": 99000.0, "status": "signed",
                                         "note": "hostile name for the browser test (synthetic)"}, actor="e2e")
    engine.dispose()
    port = _free_port()
    log = root / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "hqd.cli", "serve", "--runs", str(runs), "--db", db,
                                   "--port", str(port)], cwd=root, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/api/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("hqd serve did not come up:\n" + log.read_text(encoding="utf-8")[-3000:])
            time.sleep(0.3)
        yield Site(url=url, root=root, run=run, db=db, log=log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


@pytest.fixture(scope="session")
def browser(chromium_path: str, shared_browser: Any) -> Any:
    """Debian's Chromium through Playwright, shared with the report tests (one instance per process)."""
    return shared_browser


class Watched:
    """A page with its console errors, uncaught exceptions and dialogs recorded."""

    def __init__(self, page: Any, site: Site) -> None:
        self.page = page
        self.site = site
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)

    def open(self, route: str = "#/overview", **query: str) -> Any:
        q = "&".join(f"{k}={v}" for k, v in query.items())
        self.page.goto(f"{self.site.url}/{'?' + q if q else ''}{route}")
        self.settle()
        return self.page

    def settle(self) -> None:
        """Wait until the page says it has finished drawing."""
        self.page.wait_for_function("document.body.dataset.loading === 'false'", timeout=30000)

    def option(self, chart: str) -> dict[str, Any]:
        """The ECharts option drawn in the chart box ``data-chart=chart``."""
        found: dict[str, Any] = self.page.evaluate(
            "name => { const node = document.querySelector(`[data-chart='${name}']`);"
            " const chart = node && echarts.getInstanceByDom(node);"
            " return chart ? JSON.parse(JSON.stringify(chart.getOption())) : null; }", chart)
        assert found is not None, f"no chart {chart!r} drawn"
        return found

    def login(self, user: str) -> None:
        self.page.click("#login-open")
        self.page.fill("#login-user", user)
        self.page.fill("#login-password", PASSWORD)
        self.page.click("#login-submit")
        self.page.wait_for_function("document.getElementById('who').textContent.length > 0", timeout=15000)
        self.settle()


@pytest.fixture
def web(browser: Any, site: Site) -> Iterator[Watched]:
    # bypass_csp: Playwright's waits evaluate strings, which the page's CSP forbids; without the CSP the
    # escaping tests are stricter (nothing would stop an injected handler but the escaping itself)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    watched = Watched(page, site)
    try:
        yield watched
    finally:
        context.close()
    assert watched.errors == [], "console errors:\n" + "\n".join(watched.errors)
    assert watched.dialogs == [], f"dialogs fired: {watched.dialogs}"
