"""Chart options: every chart builds for the demo run in both languages, with the run's numbers and the
catalogue's labels; bad names, parameters and inputs raise the documented reason codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hqd.errors import HqdError
from hqd.report.charts import CHARTS, build_chart
from hqd.report.rundata import read_table

pytest_plugins = ["report_fixtures"]

EXPECTED = {"ranking", "trend", "radar", "drivers", "grades", "map_points", "choropleth", "lisa_map", "coupling", "inequality", "convergence",
            "moran_scatter", "obstacles", "rank_bands", "sensitivity"}


def _series(option: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    series = option["series"]
    return next(s for s in series if name is None or s.get("name") == name)


def _texts(option: dict[str, Any]) -> str:
    return json.dumps(option, ensure_ascii=False)


def test_catalogue_lists_every_chart_with_its_parameters() -> None:
    assert set(CHARTS) >= EXPECTED
    for name, spec in CHARTS.items():
        assert spec.name == name
        assert spec.description and "\n" not in spec.description
        described = json.loads(json.dumps(spec.to_dict()))
        assert described["name"] == name
        assert [p["name"] for p in described["params"]] == [p.name for p in spec.params]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_chart_builds_json_for_the_demo(demo_run: Path, name: str, lang: str) -> None:
    option = build_chart(name, demo_run, lang=lang)
    text = json.dumps(option, allow_nan=False, ensure_ascii=False)  # plain JSON, no NaN
    assert option["series"], name
    assert option["animation"] is False
    assert "SYNTHETIC" in option["title"]["subtext"]  # the demo panel is synthetic
    assert "function" not in text  # no formatter functions, only data and string templates


def test_ranking_holds_the_scores_of_the_year(demo_run: Path) -> None:
    scores = pd.read_csv(demo_run / "scores.csv", dtype={"region": str})
    year = int(scores["year"].max())
    expected = scores[(scores["node"] == "HQD") & (scores["year"] == year)].sort_values("score", ascending=False)
    option = build_chart("ranking", demo_run, lang="zh")
    assert option["yAxis"]["data"][0] == "北京"
    np.testing.assert_allclose(option["series"][0]["data"], expected["score"].round(4).to_numpy())
    english = build_chart("ranking", demo_run, lang="en", year=str(year - 3), node="ENV", top="5")
    env = scores[(scores["node"] == "ENV") & (scores["year"] == year - 3)].nlargest(5, "score")
    from hqd.model.regions import JJJ_CITIES

    names = {city.code: city.name_en for city in JJJ_CITIES}
    assert english["yAxis"]["data"] == [names[r] for r in env["region"]]
    assert "Ecological" in english["title"]["text"] and str(year - 3) in english["title"]["text"]


def test_trend_and_radar_follow_the_parameters(demo_run: Path) -> None:
    trend = build_chart("trend", demo_run, lang="en", regions="110000,130100", node="INN")
    assert [s["name"] for s in trend["series"]] == ["Beijing", "Shijiazhuang"]
    assert trend["xAxis"]["data"][0] == "2012"
    radar = build_chart("radar", demo_run, lang="zh", regions=["120000"])
    assert [i["name"] for i in radar["radar"]["indicator"]] == ["经济", "社会", "生态", "创新", "文化", "治理"]
    assert radar["series"][0]["data"][0]["name"] == "天津"


def test_drivers_shares_are_those_of_drivers_csv(demo_run: Path) -> None:
    drivers = pd.read_csv(demo_run / "drivers.csv", dtype={"region": str})
    option = build_chart("drivers", demo_run, lang="zh", regions="110000")
    eco = next(s for s in option["series"] if s["name"] == "经济")
    expected = drivers[(drivers["region"] == "110000") & (drivers["child"] == "ECO")]["share_pct"].iloc[0]
    assert eco["data"] == [round(expected, 2)]


def test_grades_count_every_region_every_year(demo_run: Path) -> None:
    option = build_chart("grades", demo_run, lang="zh")
    totals = np.sum([s["data"] for s in option["series"]], axis=0)
    assert set(totals.tolist()) == {13}


def test_map_points_sit_on_the_bundled_city_centres(demo_run: Path) -> None:
    from hqd.datasets.jjj_geo import city_centres

    option = build_chart("map_points", demo_run, lang="zh", year=2015)
    points = {d["name"]: d["value"] for d in option["series"][0]["data"]}
    centres = city_centres().set_index("code")
    assert points["北京"][:2] == [round(centres.at["110000", "lon"], 4), round(centres.at["110000", "lat"], 4)]
    assert len(points) == 13


def _square_geojson(path: Path, centres: pd.DataFrame) -> Path:
    features = []
    for row in centres.itertuples():
        x, y = float(row.lon), float(row.lat)
        ring = [[x - 0.2, y - 0.2], [x + 0.4, y - 0.2], [x + 0.4, y + 0.2], [x - 0.2, y + 0.2], [x - 0.2, y - 0.2]]
        features.append({"type": "Feature", "properties": {"adcode": int(row.code)},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_map_points_from_a_user_geojson(demo_run: Path, tmp_path: Path) -> None:
    from hqd.datasets.jjj_geo import city_centres

    centres = city_centres()
    geojson = _square_geojson(tmp_path / "cities.geojson", centres)
    option = build_chart("map_points", demo_run, lang="en", geojson=str(geojson))
    points = {d["name"]: d["value"] for d in option["series"][0]["data"]}
    beijing = centres.set_index("code").loc["110000"]
    # the representative point of a rectangle is its centre: 0.1° east of the published point
    assert points["Beijing"][0] == pytest.approx(beijing["lon"] + 0.1, abs=1e-4)
    assert points["Beijing"][1] == pytest.approx(beijing["lat"], abs=1e-4)


@pytest.mark.parametrize(("scheme", "classifier"), [("natural_breaks", "FisherJenks"), ("quantiles", "Quantiles"),
                                                    ("equal_interval", "EqualInterval")])
def test_choropleth_classes_are_mapclassifys(demo_run: Path, scheme: str, classifier: str) -> None:
    """Every region drawn as a polygon with its score; the legend's classes are mapclassify's own on the
    same values (its upper bounds and counts), each region's colour is its class's."""
    import mapclassify

    option = build_chart("choropleth", demo_run, lang="zh", year=2016, scheme=scheme, k="4")
    scores = pd.read_csv(demo_run / "scores.csv", dtype={"region": str})
    year = scores[(scores["year"] == 2016) & (scores["level"] == 0)]
    reference = getattr(mapclassify, classifier)(year["score"].to_numpy(), k=4)
    assert [c["upper"] for c in option["hqdClasses"]] == pytest.approx(list(reference.bins), abs=1e-6)
    assert [c["count"] for c in option["hqdClasses"]] == list(reference.counts)
    series = option["series"][0]
    assert series["type"] == "map" and series["nameProperty"] == "code"
    assert set(series["nameMap"]) == set(year["region"]) and len(series["data"]) == 13
    (geojson,) = option["hqdMaps"].values()
    assert {f["properties"]["code"] for f in geojson["features"]} == set(year["region"])
    pieces = option["visualMap"]["pieces"]
    assert len(pieces) == 4 and "gt" not in pieces[0] and "lte" not in pieces[-1]  # open ends: nothing falls out
    assert "审图号" in option["title"]["subtext"]


def test_change_map_draws_score_differences(demo_run: Path) -> None:
    scores = pd.read_csv(demo_run / "scores.csv", dtype={"region": str})
    index = scores[scores["level"] == 0].pivot_table(index="region", columns="year", values="score")
    option = build_chart("choropleth", demo_run, lang="en", base_year="2012", year="2022")
    names = option["series"][0]["nameMap"]
    drawn = {d["name"]: d["value"] for d in option["series"][0]["data"]}
    assert drawn == pytest.approx({names[r]: index.at[r, 2022] - index.at[r, 2012] for r in index.index}, abs=1e-6)
    assert "change 2012–2022" in option["title"]["text"]
    with pytest.raises(HqdError) as caught:
        build_chart("choropleth", demo_run, base_year="2030")
    assert caught.value.codes == ["invalid_parameter"]


def test_lisa_map_colours_each_region_by_its_cluster(demo_run: Path) -> None:
    lisa = read_table(demo_run / "analysis" / "jjj_lisa.csv")
    last = lisa[lisa["year"] == lisa["year"].max()]
    option = build_chart("lisa_map", demo_run, lang="en")
    keys = ["HH", "LH", "LL", "HL", "ns"]
    drawn = {d["name"]: keys[d["value"]] for d in option["series"][0]["data"]}
    names = option["series"][0]["nameMap"]
    expected = {names[str(r)]: (c if c in keys[:4] else "ns") for r, c in zip(last["region"], last["cluster"], strict=True)}
    assert drawn == expected
    assert {p["value"] for p in option["visualMap"]["pieces"]} == {keys.index(v) for v in expected.values()}
    with pytest.raises(HqdError) as caught:
        build_chart("lisa_map", demo_run, year="1990")
    assert caught.value.codes == ["invalid_parameter"]


def test_choropleth_schemes_are_the_classifiers() -> None:
    from hqd.analysis.classify import SCHEMES
    from hqd.report.charts import MAP_SCHEMES

    assert tuple(SCHEMES) == MAP_SCHEMES


def test_choropleth_with_user_cuts_and_bad_parameters(demo_run: Path, tmp_path: Path) -> None:
    from hqd.datasets.jjj_geo import city_centres

    option = build_chart("choropleth", demo_run, lang="en", scheme="user_defined", cuts="0.2,0.3,1")
    assert [c["upper"] for c in option["hqdClasses"]] == [0.2, 0.3, 1.0]
    with pytest.raises(HqdError) as caught:
        build_chart("choropleth", demo_run, scheme="user_defined")
    assert caught.value.codes == ["invalid_parameter"]
    with pytest.raises(HqdError) as caught:
        build_chart("choropleth", demo_run, scheme="user_defined", cuts="low,high")
    assert caught.value.codes == ["invalid_parameter"]
    # a user's boundaries missing two cities: drawn without them, and the subtitle names them
    centres = city_centres()
    geojson = _square_geojson(tmp_path / "eleven.geojson", centres[~centres["code"].isin(["130700", "130800"])])
    option = build_chart("choropleth", demo_run, lang="en", geojson=str(geojson))
    assert len(option["series"][0]["data"]) == 11
    assert "no boundary: Zhangjiakou" in option["title"]["subtext"] and "eleven.geojson" in option["title"]["subtext"]


def test_moran_scatter_slope_is_the_analysis_moran_i(demo_run: Path) -> None:
    moran = read_table(demo_run / "analysis" / "jjj_moran.csv")
    for year in (2012, 2022):
        option = build_chart("moran_scatter", demo_run, lang="en", year=year)
        expected = float(moran.loc[moran["year"] == year, "I"].iloc[0])
        fit = _series(option, "Fit")["data"]
        slope = (fit[1][1] - fit[0][1]) / (fit[1][0] - fit[0][0])
        assert slope == pytest.approx(expected, abs=1e-3)
        # with a row-standardised W, I is the regression slope of Wz on z: Σ z·Wz / Σ z²
        z = np.array([p["value"][0] for s in option["series"][:4] for p in s["data"]])
        lag = np.array([p["value"][1] for s in option["series"][:4] for p in s["data"]])
        assert len(z) == 13
        assert float(z @ lag / (z @ z)) == pytest.approx(expected, abs=2e-3)


def test_analysis_charts_carry_the_analysis_numbers(demo_run: Path) -> None:
    theil = read_table(demo_run / "analysis" / "jjj_theil.csv")
    option = build_chart("inequality", demo_run, lang="en", measure="theil")
    total = _series(option, "Total")["data"]
    np.testing.assert_allclose(total, theil["total"].round(5).to_numpy())
    within, between = _series(option, "Within")["data"], _series(option, "Between")["data"]
    np.testing.assert_allclose(np.add(within, between), total, atol=2e-5)  # Theil: within + between = total
    dagum = build_chart("inequality", demo_run, lang="zh", measure="dagum")
    assert "Dagum" in dagum["title"]["text"]
    sigma = read_table(demo_run / "analysis" / "jjj_sigma.csv")
    conv = build_chart("convergence", demo_run, lang="zh")
    np.testing.assert_allclose(conv["series"][0]["data"], sigma["std"].round(5).to_numpy())
    jjj = build_chart("coupling", demo_run, lang="en", scope="jjj", variant="corrected")
    corrected = read_table(demo_run / "analysis" / "jjj_coupling_jjj_corrected.csv")
    np.testing.assert_allclose(jjj["series"][2]["data"], corrected["D"].round(4).to_numpy())
    obstacles = build_chart("obstacles", demo_run, lang="zh")
    sums = np.nansum([s["data"] for s in obstacles["series"]], axis=0)
    np.testing.assert_allclose(sums, 1.0, atol=1e-3)  # obstacle degrees of a region-year add up to 1
    one = build_chart("obstacles", demo_run, lang="zh", region="130700", top=2)
    assert len(one["series"][0]["data"]) == 2


def test_rank_bands_and_sensitivity_read_uncertainty(demo_run: Path) -> None:
    stats = read_table(demo_run / "uncertainty" / "rank_stats.csv")
    option = build_chart("rank_bands", demo_run, lang="zh", year=2020)
    now = stats[(stats["node"] == "HQD") & (stats["year"] == 2020)].sort_values(["nominal", "median"])
    nominal = next(s for s in option["series"] if s["name"] == "名义排名")
    assert nominal["data"] == now["nominal"].tolist()
    sobol = build_chart("sensitivity", demo_run, lang="en")
    assert sobol["xAxis"]["data"] == ["weighting", "aggregation", "weights"]


def test_unknown_chart_lists_the_valid_names(demo_run: Path) -> None:
    with pytest.raises(HqdError) as caught:
        build_chart("pie", demo_run)
    assert caught.value.codes == ["unknown_chart"]
    assert "ranking" in str(caught.value) and "sensitivity" in str(caught.value)


def test_bad_parameters_are_all_reported(demo_run: Path) -> None:
    with pytest.raises(HqdError) as caught:
        build_chart("ranking", demo_run, year=1999, node="NOPE")
    assert caught.value.codes == ["invalid_parameter", "invalid_parameter"]
    problems = {p.column: p for p in caught.value.problems}
    assert problems["year"].year == 1999 and problems["node"].indicator == "NOPE"
    with pytest.raises(HqdError) as caught:
        build_chart("trend", demo_run, colour="red", regions="999999")
    assert caught.value.codes == ["invalid_parameter"] and "colour" in str(caught.value)
    with pytest.raises(HqdError) as caught:
        build_chart("trend", demo_run, regions="999999")
    assert caught.value.problems[0].region == "999999"
    with pytest.raises(HqdError) as caught:
        build_chart("ranking", demo_run, year="last")
    assert caught.value.codes == ["invalid_parameter"]
    with pytest.raises(HqdError) as caught:
        build_chart("inequality", demo_run, measure="gini")
    assert "theil, dagum" in str(caught.value)
    with pytest.raises(HqdError) as caught:
        build_chart("sensitivity", demo_run, target="nowhere")
    assert caught.value.codes == ["invalid_parameter"]
    with pytest.raises(HqdError) as caught:
        build_chart("ranking", demo_run, lang="fr")
    assert caught.value.codes == ["invalid_parameter"]


def test_missing_inputs_name_the_file(bare_run: Path, tmp_path: Path) -> None:
    for name, file in (("coupling", "jjj_coupling_dimensions.csv"), ("inequality", "jjj_theil.csv"),
                       ("convergence", "jjj_sigma.csv"), ("obstacles", "jjj_obstacles_dimensions.csv"),
                       ("rank_bands", "rank_stats.csv"), ("sensitivity", "sobol.csv")):
        with pytest.raises(HqdError) as caught:
            build_chart(name, bare_run)
        assert caught.value.codes == ["missing_input"], name
        assert str(caught.value.problems[0].file).endswith(file)
    # charts from scores.csv alone still work
    assert build_chart("moran_scatter", bare_run)["series"]
    with pytest.raises(HqdError) as caught:
        build_chart("ranking", tmp_path)
    assert caught.value.codes == ["missing_input"]
    assert str(caught.value.problems[0].file).endswith("scores.csv")


def test_spatial_charts_need_weights_outside_jjj(demo_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil_copy(demo_run, run)
    scores = pd.read_csv(run / "scores.csv", dtype={"region": str})
    scores = scores[scores["region"] != "131100"]
    scores.to_csv(run / "scores.csv", index=False)
    with pytest.raises(HqdError) as caught:
        build_chart("moran_scatter", run)
    assert caught.value.codes == ["missing_input"] and "geojson" in str(caught.value)


def shutil_copy(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target, ignore=shutil.ignore_patterns("analysis", "uncertainty", "*.xlsx"))


def test_region_names_from_the_run_are_data_not_markup(demo_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil_copy(demo_run, run)
    evil = "<img src=x onerror=alert(1)>"
    pd.DataFrame({"code": ["110000"], "name_zh": [evil], "name_en": [evil]}).to_csv(run / "regions.csv", index=False)
    option = build_chart("ranking", run, lang="zh")
    assert evil in option["yAxis"]["data"]
    for name in ("trend", "map_points", "moran_scatter"):
        text = _texts(build_chart(name, run, lang="en"))
        assert evil in text
        assert "formatter\": \"<" not in text  # templates never embed markup
