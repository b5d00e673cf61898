"""UNDP HDR composite-indices file: the real HDR 2023/24 file in shared/ against its long extract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hqd.errors import HqdError
from hqd.io.readers import detect, read

HDR = ("hdi", "HDR23-24_Composite_indices_complete_time_series.csv")


def test_hdr_file_matches_long_extract(shared: Path) -> None:
    path = shared.joinpath("data", *HDR)
    assert detect(path) == "undp"
    panel = read(path, indicators=["hdi", "le", "eys", "mys", "gnipc"])
    assert set(panel.indicators) == {"hdi", "le", "eys", "mys", "gnipc"}
    assert panel.units["gnipc"] == "2017 PPP $" and panel.names["hdi"][1] == "Human Development Index"
    long = pd.read_csv(shared / "data/hdi/hdi_components_long.csv")
    wide = panel.wide().reset_index()
    merged = long.merge(wide, left_on=["iso3", "year"], right_on=["region", "year"], suffixes=("_ref", ""))
    assert len(merged) == 206 * 33
    for col in ("hdi", "le", "eys", "mys", "gnipc"):
        np.testing.assert_allclose(merged[col], merged[f"{col}_ref"], rtol=1e-12, equal_nan=True)
    idx = panel.data.set_index(["region", "year", "indicator"])["value"]
    assert idx[("CHN", 2022, "hdi")] == 0.788 and idx[("NOR", 2022, "mys")] == pytest.approx(13.062, abs=5e-4)
    assert "11 aggregate rows" in panel.describe()


def test_female_male_names(shared: Path) -> None:
    panel = read(shared.joinpath("data", *HDR), indicators=["le_f", "hdi_m"])
    assert panel.names["le_f"][1] == "Life expectancy at birth, female"
    assert panel.units["le_f"] == "years"


def test_unknown_indicator_lists_valid(shared: Path) -> None:
    with pytest.raises(HqdError) as err:
        read(shared.joinpath("data", *HDR), indicators=["hdii"])
    assert err.value.codes == ["unknown_indicator"] and "hdi" in str(err.value)


def test_crafted_hdr_with_bad_iso(tmp_path: Path) -> None:
    path = tmp_path / "hdr.csv"
    path.write_text(
        "iso3,country,hdi_2021,hdi_2022,le_2022\nCHN,China,0.785,0.788,78.6\nXX,Nowhere,1,2,3\n",
        encoding="utf-8",
    )
    with pytest.raises(HqdError) as err:
        read(path)
    (p,) = err.value.problems
    assert (p.code, p.row, p.column) == ("region_code_invalid", 3, "iso3")
