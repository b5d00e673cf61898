"""Getis-Ord Gi*: equal to esda's G_Local(star=True) on the same W and seed; per-year seeds; categories."""

from __future__ import annotations

import esda
import libpysal
import numpy as np
import pandas as pd
import pytest

from hqd.analysis.hotspots import categorise, getis_ord
from hqd.analysis.spatial import year_int_seed
from hqd.datasets.jjj_geo import CITY_CODES, city_centres, contiguity_weights
from hqd.errors import HqdError


def _panel(seed: int = 3) -> pd.DataFrame:
    """SYNTHETIC: a north-south gradient over the 13 cities, three years."""
    rng = np.random.default_rng(seed)
    lat = city_centres().set_index("code").loc[list(CITY_CODES), "lat"].to_numpy()
    rows = [(c, year, 0.2 + 0.1 * (la - 36) + rng.normal(0, 0.02))
            for year in (2020, 2021, 2022) for c, la in zip(CITY_CODES, lat, strict=True)]
    return pd.DataFrame(rows, columns=["region", "year", "score"])


def test_gistar_is_esdas_g_local_star_on_the_same_w_and_seed() -> None:
    panel = _panel()
    w = contiguity_weights()
    result = getis_ord(panel, w, seed=9, permutations=199)
    frame = result.to_frame()
    for year in (2020, 2022):
        y = panel.loc[panel["year"] == year].set_index("region").loc[list(CITY_CODES), "score"].to_numpy()
        ref = esda.G_Local(y, libpysal.weights.fill_diagonal(w, 1.0), transform="R", permutations=199, star=True,
                           seed=year_int_seed(9, year), n_jobs=1, keep_simulations=False)
        mine = frame.loc[frame["year"] == year]
        np.testing.assert_allclose(mine["G"], ref.Gs, rtol=1e-12)
        np.testing.assert_allclose(mine["z"], ref.Zs, rtol=1e-12)
        np.testing.assert_array_equal(mine["p_sim"], ref.p_sim)
    alone = getis_ord(panel.loc[panel["year"] == 2022], w, seed=9, permutations=199).to_frame()
    np.testing.assert_array_equal(alone["p_sim"], frame.loc[frame["year"] == 2022, "p_sim"])
    # the gradient gives hot spots in the north and cold spots in the south of the region
    last = frame.loc[frame["year"] == 2022].set_index("region")
    assert last.loc["130700", "z"] > 0 and last.loc["130400", "z"] < 0
    counts = result.counts()
    assert counts.drop(columns="year").sum(axis=1).eq(13).all()


def test_categories_follow_confidence_levels_and_bad_input_is_refused() -> None:
    z = np.array([2.0, 2.0, 2.0, -2.0, 1.0, -1.0])
    p = np.array([0.005, 0.03, 0.08, 0.04, 0.5, np.nan])
    assert list(categorise(z, p)) == ["hot_99", "hot_95", "hot_90", "cold_95", "not_significant",
                                      "not_significant"]
    panel = _panel()
    panel.loc[0, "score"] = -1.0
    with pytest.raises(HqdError) as err:
        getis_ord(panel, contiguity_weights())
    assert err.value.codes == ["negative_value"]
