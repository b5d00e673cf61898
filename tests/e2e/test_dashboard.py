"""The dashboard in Chromium against the real server on the demo data (fixtures: dashboard_fixtures.py).

Numbers and labels are compared with the run directory's files (scores.csv, the analysis and
uncertainty tables), the bundled city centres and the registry — not with what the page computes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e
pytest_plugins = ["dashboard_fixtures"]

ROUTES = ["#/overview", "#/region/130200", "#/analysis", "#/registry/chains", "#/registry/projects",
          "#/registry/enterprises", "#/registry/zones", "#/registry/ledgers"]


def _centres() -> pd.DataFrame:
    from hqd.datasets.jjj_geo import city_centres

    return city_centres().assign(code=lambda f: f["code"].astype(str)).set_index("code")


def _short_zh() -> dict[str, str]:
    from hqd.model.regions import JJJ_CITIES

    return {c.code: c.short_zh or c.name_zh for c in JJJ_CITIES}


def _index(site: Any, year: int) -> pd.DataFrame:
    scores = site.scores()
    frame = scores[(scores["level"] == 0) & (scores["year"] == year)]
    return frame.sort_values("score", ascending=False)


def test_every_page_loads_without_console_errors(web: Any) -> None:
    for lang in ("zh", "en"):
        for route in ROUTES:
            page = web.open(route, lang=lang)
            assert page.locator(".problem").count() == 0, (route, page.locator(".problem").all_inner_texts())
            assert page.locator(".chart canvas, table.data").count() > 0, route
            assert "[web_" not in page.locator("body").inner_text()  # no label missing from the catalogue
    # the hostile run lacks the kernel densities: the page says which command adds them
    page = web.open("#/analysis", run="hostile")
    assert "hqd analyze kde" in page.locator("[data-chart=kde]").inner_text()


def test_overview_charts_show_the_scores_in_chinese_then_english(web: Any) -> None:
    site = web.site
    page = web.open()
    last = int(site.scores()["year"].max())
    expected = _index(site, last)
    names = _short_zh()
    ranking = web.option("ranking")
    assert ranking["title"][0]["text"] == f"{last}年高质量发展指数排名"
    assert ranking["yAxis"][0]["data"] == [names[c] for c in expected["region"]]
    assert ranking["series"][0]["data"] == pytest.approx(list(expected["score"]), abs=5e-5)

    # the map: the 13 cities as filled polygons from the bundled boundaries, classed by natural breaks;
    # the legend's classes are mapclassify's FisherJenks classes of the same scores
    import mapclassify

    drawn = web.option("map")
    assert drawn["series"][0]["type"] == "map"
    values = {d["name"]: d["value"] for d in drawn["series"][0]["data"]}
    assert values == pytest.approx({names[c]: s for c, s in zip(expected["region"], expected["score"], strict=True)},
                                   abs=1e-6)
    jenks = mapclassify.FisherJenks(expected["score"].to_numpy(), k=5)
    classes = json.loads(page.eval_on_selector("[data-chart='map']", "el => el.dataset.classes"))
    assert [c["upper"] for c in classes] == pytest.approx(list(jenks.bins), abs=1e-6)
    assert [c["count"] for c in classes] == list(jenks.counts)
    assert len(drawn["visualMap"][0]["pieces"]) == 5 and "审图号" in drawn["title"][0]["subtext"]
    polygons = page.eval_on_selector("[data-chart='map']", """el => {
      const chart = echarts.getInstanceByDom(el);
      const regions = chart.getModel().getSeriesByIndex(0).getData();
      return regions.count(); }""")
    assert polygons == 13

    # the year slider redraws the year's charts
    year = int(site.scores()["year"].min()) + 3
    page.eval_on_selector("#year-slider", "(el, y) => { el.value = y; el.dispatchEvent(new Event('change')); }", year)
    web.settle()
    moved = _index(site, year)
    ranking = web.option("ranking")
    assert ranking["title"][0]["text"].startswith(f"{year}年")
    assert ranking["series"][0]["data"] == pytest.approx(list(moved["score"]), abs=5e-5)

    trend = web.option("trend")
    beijing = site.scores().query("region == '110000' and level == 0").sort_values("year")
    series = {s["name"]: s["data"] for s in trend["series"]}
    assert series["北京"] == pytest.approx(list(beijing["score"]), abs=5e-5)
    radar = web.option("radar")
    assert [i["name"] for i in radar["radar"][0]["indicator"]] == ["经济", "社会", "生态", "创新", "文化", "治理"]
    assert page.locator("nav#nav a[data-page=overview]").inner_text() == "总览"

    page.click("button[data-lang=en]")
    web.settle()
    ranking = web.option("ranking")
    assert ranking["title"][0]["text"] == f"high-quality development index: ranking {year}"
    assert ranking["yAxis"][0]["data"][0] == "Beijing"
    assert ranking["series"][0]["data"] == pytest.approx(list(moved["score"]), abs=5e-5)
    assert web.option("radar")["radar"][0]["indicator"][0]["name"] == "Economic"
    assert page.locator("nav#nav a[data-page=overview]").inner_text() == "Overview"
    assert page.locator("html").get_attribute("lang") == "en"


def test_region_page_shows_dimensions_obstacles_and_rank_band(web: Any) -> None:
    site = web.site
    page = web.open("#/region/130200")
    assert page.locator("#region-name").inner_text() == "唐山"
    scores = site.scores()
    last = int(scores["year"].max())
    assert page.locator("#region-year").input_value() == str(last)
    dims = web.option("region-dimensions")
    economic = scores.query("region == '130200' and node == 'ECO'").sort_values("year")
    assert {s["name"]: s["data"] for s in dims["series"]}["经济"] == pytest.approx(list(economic["score"]), abs=1e-9)
    bands = pd.read_csv(site.run / "uncertainty" / "rank_stats.csv", dtype={"region": str})
    row = bands[(bands["region"] == "130200") & (bands["year"] == last) & (bands["node"] == "HQD")].iloc[0]
    band = web.option("region-rank-band")
    by_name = {s["name"]: s["data"] for s in band["series"]}
    assert by_name["5%分位"][-1] == row["q05"] and by_name["95%分位"][-1] == row["q95"]
    assert f"{row['q05']:.0f}–{row['q95']:.0f}" in page.locator("#rank-band-text").inner_text()
    obstacles = web.option("region-obstacles")
    top = pd.read_csv(site.run / "analysis" / "jjj_obstacles_top.csv", comment="#", dtype={"region": str})
    top = top[(top["region"] == "130200") & (top["year"] == last)].sort_values("obstacle", ascending=False)
    assert obstacles["series"][0]["data"] == pytest.approx(list(top["obstacle"]), abs=5e-5)
    # strengths are the indicators with the best ranks in scores.csv
    ranks = scores[(scores["region"] == "130200") & (scores["year"] == last) & (scores["level"] == 2)]
    ranks = ranks.sort_values(["rank", "node"])
    strengths = page.locator("#strengths tbody tr td:last-child").all_inner_texts()
    assert [int(v) for v in strengths] == [int(r) for r in ranks["rank"].head(len(strengths))]


def test_analysis_page_draws_the_analysis_tables(web: Any) -> None:
    site = web.site
    web.open("#/analysis")
    jjj = pd.read_csv(site.run / "analysis" / "jjj_coupling_jjj.csv", comment="#")
    option = web.option("coupling-jjj")
    d = next(s for s in option["series"] if s["name"].startswith("耦合协调度"))
    assert d["data"] == pytest.approx(list(jjj["D"]), abs=5e-5)
    theil = pd.read_csv(site.run / "analysis" / "jjj_theil.csv", comment="#")
    total = next(s for s in web.option("inequality-theil")["series"] if s["name"] == "总体")
    assert total["data"] == pytest.approx(list(theil["total"]), abs=5e-6)
    curves = pd.read_csv(site.run / "analysis" / "kde_curves.csv", comment="#")
    kde = web.option("kde")
    assert [s["name"] for s in kde["series"]] == [str(y) for y in sorted(curves["year"].unique())]
    first = curves[curves["year"] == curves["year"].min()]
    assert [p[1] for p in kde["series"][0]["data"]] == pytest.approx(list(first["density"]), rel=1e-9)
    assert web.option("moran-scatter")["title"][0]["text"].startswith(f"{int(site.scores()['year'].max())}年莫兰散点图")
    lisa = pd.read_csv(site.run / "analysis" / "lisa.csv", comment="#", dtype={"region": str})
    lisa = lisa[lisa["year"] == lisa["year"].max()]
    drawn = web.option("lisa-map")
    assert drawn["title"][0]["subtext"].startswith("显著的 LISA 集聚")
    counted = {s["name"]: len(s["data"]) for s in drawn["series"]}
    assert counted.get("不显著", 0) == int((lisa["cluster"] == "not significant").sum())
    assert sum(counted.values()) == len(lisa)


def _fetch(page: Any, method: str, path: str, body: Any = None) -> dict[str, Any]:
    """A request from inside the page, as the dashboard sends it (session cookie and CSRF header)."""
    answer: dict[str, Any] = page.evaluate(
        """async ([method, path, body]) => {
             const csrf = (document.cookie.match(/hqd_csrf=([^;]+)/) || [])[1];
             const r = await fetch('/api' + path, {method, credentials: 'same-origin',
               headers: {'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf || '')},
               body: body === null ? undefined : JSON.stringify(body)});
             return {status: r.status, body: await r.json()};
           }""", [method, path, body])
    return answer


def test_hebei_editor_edits_a_hebei_project_and_is_refused_on_beijing(web: Any) -> None:
    from hqd import registry

    site = web.site
    page = web.open("#/registry/projects")
    assert page.locator("button.edit").count() == 0  # anonymous: no edit controls
    web.login("hebei")
    page.select_option("#filter-region", "130000")
    page.wait_for_function("document.getElementById('projects-records').dataset.query.includes('in_region=130000')")
    page.wait_for_selector("#projects-records button.edit")
    summary = page.locator("#projects-summary")
    before_sum = float(summary.get_attribute("data-investment"))
    province = web.option("projects-by-province")
    hebei_before = dict(zip(province["yAxis"][0]["data"], province["series"][0]["data"], strict=True))["河北省"]

    first = page.locator("#projects-records tbody tr").first
    key = first.locator("td").first.inner_text()
    record = registry.get(site.db, "projects", [key])
    assert str(record["region"]).startswith("13")
    first.locator("button.edit").click()
    assert page.locator("#edit-version").inner_text() == f"读取时的版本：{record['version']}"
    new_value = round(float(record["investment_100m_cny"]) + 12.5, 2)
    page.fill("#edit-investment_100m_cny", str(new_value))
    page.click("#edit-save")
    page.wait_for_function("v => Number(document.getElementById('projects-summary').dataset.investment) !== v",
                           arg=before_sum)
    web.settle()
    after_sum = float(summary.get_attribute("data-investment"))
    assert after_sum == pytest.approx(before_sum + 12.5, abs=1e-6)
    stored = registry.get(site.db, "projects", [key])
    assert stored["investment_100m_cny"] == pytest.approx(new_value) and stored["version"] == record["version"] + 1
    page.wait_for_function("() => { const c = echarts.getInstanceByDom(document.querySelector("
                           "\"[data-chart='projects-by-province']\")); return c && c.getOption().series[0].data"
                           f".some(v => Math.abs(v - {hebei_before + 12.5}) < 0.01); }}")
    history = registry.history(site.db, "projects", [key], limit=5)
    assert "hebei" in set(history.astype(str).to_numpy().ravel())

    # Beijing: no edit control, and the server refuses a write all the same
    page.select_option("#filter-region", "110000")
    page.wait_for_function("document.getElementById('projects-records').dataset.query.includes('in_region=110000')")
    assert page.locator("#projects-records button.edit").count() == 0
    beijing = page.locator("#projects-records tbody tr").first.locator("td").first.inner_text()
    current = registry.get(site.db, "projects", [beijing])
    web.errors.clear()
    refused = _fetch(page, "PATCH", f"/registry/projects/records/{beijing}",
                     {"version": current["version"], "changes": {"investment_100m_cny": 1.0}})
    assert refused["status"] == 403 and refused["body"]["error"] == "out_of_scope"
    assert registry.get(site.db, "projects", [beijing])["investment_100m_cny"] == current["investment_100m_cny"]
    web.errors.clear()  # the refused request is logged by the browser as a failed resource


def test_a_stale_edit_is_a_clear_conflict(web: Any) -> None:
    from hqd import registry

    site = web.site
    page = web.open("#/registry/projects")
    web.login("hebei")
    page.select_option("#filter-region", "130600")
    page.wait_for_function("document.getElementById('projects-records').dataset.query.includes('in_region=130600')")
    row = page.locator("#projects-records tbody tr").first
    key = row.locator("td").first.inner_text()
    row.locator("button.edit").click()
    read = registry.get(site.db, "projects", [key])
    registry.update(site.db, "projects", [key], {"note": "changed meanwhile (test)"},
                    expected_version=read["version"], actor="someone-else")
    page.fill("#edit-investment_100m_cny", "7.5")
    page.click("#edit-save")
    message = page.locator("#edit-message")
    message.wait_for()
    page.wait_for_function("document.getElementById('edit-message').textContent.includes('冲突')")
    assert f"版本 {read['version']}" in message.inner_text()
    assert registry.get(site.db, "projects", [key])["investment_100m_cny"] == read["investment_100m_cny"]
    page.click("#edit-reload")
    page.wait_for_function(f"document.getElementById('edit-version').textContent.endsWith('{read['version'] + 1}')")
    web.errors.clear()  # the 409 answer is logged by the browser as a failed resource


def test_viewer_finds_no_edit_controls(web: Any) -> None:
    page = web.open("#/registry/projects")
    web.login("viewer")
    assert "只读" in page.locator("#who").inner_text()
    for tab in ("projects", "enterprises", "zones", "ledgers"):
        page = web.open(f"#/registry/{tab}")
        assert page.locator("table.data tbody tr").count() > 0, tab
        assert page.locator("button.edit").count() == 0, tab


def test_admin_sees_edit_controls_everywhere(web: Any) -> None:
    web.open("#/registry/projects")
    web.login("admin")
    for tab in ("projects", "enterprises", "zones", "ledgers"):
        page = web.open(f"#/registry/{tab}")
        assert page.locator("button.edit").count() == page.locator("table.data tbody tr").count() > 0, tab


def test_ledger_highlights_overdue_tasks(web: Any) -> None:
    from hqd import registry

    page = web.open("#/registry/ledgers")
    plan = page.locator("#plan-select").input_value()
    import datetime as dt

    overdue = registry.overdue(web.site.db, dt.date.today(), plan=plan)
    highlighted = page.locator("tr.overdue td:first-child").all_inner_texts()
    assert sorted(highlighted) == sorted(overdue["code"].astype(str)) and highlighted


def test_chain_map_is_a_graph_coloured_by_the_gap_analysis(web: Any) -> None:
    from hqd import registry

    web.open("#/registry/chains")
    gaps = registry.chain_gaps(web.site.db, "robotics")
    option = web.option("chain-map")
    series = option["series"][0]
    assert series["type"] == "graph"
    categories = [c["name"] for c in series["categories"]]
    roles = {"strengthen": "强链", "extend": "延链", "fill": "补链", "present": "已有"}
    drawn = {n["name"]: categories[n["category"]] for n in series["data"]}
    for link in gaps.links.itertuples():
        assert drawn[link.name_zh] == roles[link.role]


def test_hostile_names_are_shown_as_text(web: Any) -> None:
    hostile = web.site.hostile
    page = web.open("#/region/130100", run="hostile")
    assert page.locator("#region-name").inner_text() == hostile
    assert hostile in [o.inner_text() for o in page.locator("#region-select option").all()]
    web.open("#/overview", run="hostile")
    assert hostile in web.option("ranking")["yAxis"][0]["data"]
    page = web.open("#/registry/projects")
    assert page.locator("#projects-records tbody tr").first.locator("td").nth(1).inner_text() == hostile
    page.mouse.move(300, 300)
    assert page.locator("img[src=x]").count() == 0
    assert web.dialogs == []


def test_user_geojson_draws_a_choropleth(web: Any, tmp_path: Path) -> None:
    centres = _centres()
    features = [{"type": "Feature", "properties": {"adcode": code, "name": row["name_zh"]},
                 "geometry": {"type": "Polygon", "coordinates": [[
                     [row["lon"] - 0.2, row["lat"] - 0.2], [row["lon"] + 0.2, row["lat"] - 0.2],
                     [row["lon"] + 0.2, row["lat"] + 0.2], [row["lon"] - 0.2, row["lat"] + 0.2],
                     [row["lon"] - 0.2, row["lat"] - 0.2]]]}} for code, row in centres.iterrows()]
    path = tmp_path / "squares.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    page = web.open()
    page.set_input_files("#geojson-file", str(path))
    page.wait_for_function("() => { const c = echarts.getInstanceByDom(document.querySelector(\"[data-chart='map']\"));"
                           " return c && (c.getOption().title[0].subtext || '').includes('squares.geojson'); }")
    option = web.option("map")
    last = int(web.site.scores()["year"].max())
    expected = _index(web.site, last)
    names = _short_zh()
    values = {d["name"]: d["value"] for d in option["series"][0]["data"]}
    assert values == pytest.approx({names[c]: s for c, s in zip(expected["region"], expected["score"], strict=True)})
    assert "squares.geojson" in option["title"][0]["subtext"]


GLYPHS = """async ([png, cells]) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + png;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  ctx.drawImage(img, 0, 0);
  return cells.map(([x, y, w, h]) => {
    const data = ctx.getImageData(Math.round(x), Math.round(y), Math.max(1, Math.round(w)), Math.max(1, Math.round(h))).data;
    const lum = [];
    for (let i = 0; i < data.length; i += 4) lum.push(0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2]);
    const bg = lum.slice().sort((a, b) => a - b)[0];
    return {w: Math.round(w), ink: lum.map(v => (v - bg > 90 ? 1 : 0))};
  });
}"""


def test_chinese_text_is_drawn_with_glyphs_not_boxes(web: Any, tmp_path: Path) -> None:
    page = web.open()
    # a reference "tofu": a code point no font has (U+0378 is unassigned), in the same font and place
    page.evaluate("() => { const s = document.createElement('span'); s.id = 'tofu'; s.textContent = '\\u0378';"
                  " document.querySelector('header.top h1').appendChild(s); }")
    cells = page.evaluate("""() => { const h = document.querySelector('header.top h1');
        const out = []; const text = h.firstChild; const tofu = document.getElementById('tofu').firstChild;
        for (const [node, n] of [[text, text.length], [tofu, 1]]) for (let i = 0; i < n; i++) {
          const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
          const b = r.getBoundingClientRect(); out.push([b.x, b.y, b.width, b.height]); }
        return out; }""")
    shot = tmp_path / "overview.png"
    page.screenshot(path=str(shot), full_page=True)
    import base64

    bitmaps = page.evaluate(GLYPHS, [base64.b64encode(shot.read_bytes()).decode(), cells])
    title = page.locator("header.top h1").evaluate("h => h.firstChild.textContent")
    assert title == "京津冀高质量发展监测"
    glyphs, tofu = bitmaps[:-1], bitmaps[-1]

    def differ(a: dict[str, Any], b: dict[str, Any]) -> float:
        n = min(len(a["ink"]), len(b["ink"]))
        return sum(x != y for x, y in zip(a["ink"][:n], b["ink"][:n], strict=True)) / max(1, n)

    for glyph in glyphs:
        assert sum(glyph["ink"]) > 20  # something is drawn
        assert differ(glyph, tofu) > 0.05  # and it is not the missing-glyph box
    distinct = [differ(a, b) for i, a in enumerate(glyphs) for b in glyphs[i + 1:]]
    assert min(distinct) > 0.05, "two different characters were drawn identically (boxes?)"
    assert not math.isnan(sum(distinct))
