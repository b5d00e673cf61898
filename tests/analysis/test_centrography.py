"""Centre of gravity and standard deviational ellipse: equal to pointpats on the same projected points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pointpats import centrography as pp

from hqd.analysis.centrography import centre_of_gravity, project_points, standard_deviational_ellipse
from hqd.datasets.jjj_geo import CITY_CODES, city_centres
from hqd.errors import HqdError


def _panel() -> pd.DataFrame:
    """SYNTHETIC: index values of the 13 cities for three years (Beijing and Tianjin rising)."""
    rng = np.random.default_rng(4)
    rows = []
    for year in (2020, 2021, 2022):
        for i, code in enumerate(CITY_CODES):
            rows.append((code, year, 0.3 + 0.02 * i + (0.05 * (year - 2020) if i < 2 else 0) + rng.uniform(0, .05)))
    return pd.DataFrame(rows, columns=["region", "year", "score"])


def test_centre_of_gravity_is_pointpats_weighted_mean_center_per_year() -> None:
    points = project_points(city_centres())
    assert "transverse Mercator" in points.crs
    panel = _panel()
    result = centre_of_gravity(panel, points)
    frame = result.to_frame()
    xy = np.column_stack([points.x, points.y])
    for t, year in enumerate((2020, 2021, 2022)):
        w = panel.loc[panel["year"] == year].set_index("region").loc[list(points.regions), "score"].to_numpy()
        ref = pp.weighted_mean_center(xy, w)
        assert frame["x"].iloc[t] == pytest.approx(ref[0], rel=1e-12)
        assert frame["y"].iloc[t] == pytest.approx(ref[1], rel=1e-12)
    step = frame.iloc[1]
    assert step["shift_km"] == pytest.approx(np.hypot(step["dx_km"], step["dy_km"]))
    assert np.isnan(frame["shift_km"].iloc[0])
    # Beijing and Tianjin gain weight: the centre moves towards them (north-east of the region's centre)
    assert frame["lat"].iloc[-1] > frame["lat"].iloc[0]
    assert 38.0 < frame["lat"].iloc[0] < 40.5 and 115.0 < frame["lon"].iloc[0] < 117.5


@pytest.mark.parametrize(("method", "kwargs"), [
    ("crimestat", {"method": "crimestat"}),
    ("yuill", {"method": "yuill", "crimestatCorr": False, "degfreedCorr": False}),
    ("arcgis", {"method": "yuill", "crimestatCorr": True, "degfreedCorr": False}),
])
def test_ellipse_axes_equal_pointpats(method: str, kwargs: dict) -> None:
    points = project_points(city_centres(), crs="EPSG:4548")
    assert "4548" in points.crs
    panel = _panel()
    frame = standard_deviational_ellipse(panel, points, method=method).to_frame()
    xy = np.column_stack([points.x, points.y])
    for t, year in enumerate((2020, 2022)):
        w = panel.loc[panel["year"] == year].set_index("region").loc[list(points.regions), "score"].to_numpy()
        major, minor, _ = pp.ellipse(xy, weights=w, **kwargs)
        row = frame.loc[frame["year"] == year].iloc[0]
        assert row["major"] == pytest.approx(major, rel=1e-9) and row["minor"] == pytest.approx(minor, rel=1e-9)
        assert row["area_km2"] == pytest.approx(np.pi * major * minor / 1e6, rel=1e-9)
        assert t in (0, 1)


def test_ellipse_azimuth_of_points_on_a_north_east_line() -> None:
    """Points along a 45° line (plus a little spread) have a major axis at azimuth 45°."""
    lon = np.array([116.0, 116.5, 117.0, 117.5, 118.0, 116.6])
    table = pd.DataFrame({"code": [f"r{i}" for i in range(6)], "lon": lon, "lat": 39.0 + (lon - 116.0) * 0.78})
    table.loc[5, "lat"] += 0.05
    points = project_points(table)
    values = pd.DataFrame({"region": table["code"], "score": 1.0})
    row = standard_deviational_ellipse(values, points).to_frame().iloc[0]
    assert row["azimuth_deg"] == pytest.approx(45.0, abs=3.0) and row["flattening"] > 0.9
    outline = standard_deviational_ellipse(values, points).outline()
    assert len(outline) == 73 and {"lon", "lat"} <= set(outline.columns)
    assert outline["lon"].between(115.5, 118.5).all()


def test_bad_points_and_weights_are_reported() -> None:
    bad = city_centres().copy()
    bad.loc[0, "lat"] = 123.0
    with pytest.raises(HqdError) as err:
        project_points(bad)
    assert err.value.codes == ["bad_coordinate"] and err.value.problems[0].region == "110000"
    with pytest.raises(HqdError) as err:
        project_points(city_centres(), crs="EPSG:4326")
    assert err.value.codes == ["bad_parameter"]
    points = project_points(city_centres())
    stranger = pd.DataFrame({"region": ["999999"], "score": [1.0]})
    with pytest.raises(HqdError) as err:
        centre_of_gravity(stranger, points)
    assert err.value.codes == ["region_unmatched"]
