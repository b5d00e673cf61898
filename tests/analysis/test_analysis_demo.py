"""The Jing-Jin-Ji demo analyses on a duck-typed Result and on the real engine's demo run (SYNTHETIC panel)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fake_result import jjj_regions, make_fake_result

from hqd.analysis import jjj_demo_analyses
from hqd.errors import HqdError

EXPECTED = {"coupling_dimensions", "coupling_dimensions_corrected", "coupling_jjj", "coupling_jjj_corrected",
            "theil", "theil_groups", "dagum", "dagum_groups", "dagum_pairs", "sigma", "beta", "moran",
            "lisa", "kde", "kde_curves", "obstacles_top", "obstacles_dimensions", "notes"}


def test_every_demo_analysis_runs_on_a_result() -> None:
    out = jjj_demo_analyses(make_fake_result(), jjj_regions())
    assert set(out) == EXPECTED
    assert (out["notes"]["status"] == "done").all()
    theil = out["theil"]
    np.testing.assert_allclose(theil["within"] + theil["between"], theil["total"], atol=1e-14)
    assert {"theil[Beijing]", "theil[Tianjin]", "theil[Hebei]"} <= set(theil.columns)
    assert (theil["theil[Beijing]"] == 0).all()  # one-city groups
    dagum = out["dagum"]
    np.testing.assert_allclose(dagum["G_w"] + dagum["G_nb"] + dagum["G_t"], dagum["G"], atol=1e-14)
    assert set(out["coupling_jjj"].columns) >= {"U[110000]", "U[120000]", "U[130000]", "C", "D", "grade_zh"}
    assert out["coupling_dimensions"]["name_en"].notna().all()
    assert set(out["coupling_dimensions"]["subsystem_scale"]) == {"as_is"}  # the fake's dimensions are means
    assert list(out["beta"]["kind"]) == ["absolute_cross_section", "absolute_panel", "conditional"]
    assert (out["moran"]["n"] == 13).all() and out["moran"]["seed"].notna().all()
    assert out["obstacles_top"].groupby(["region", "year"]).size().eq(3).all()
    assert out["lisa"].groupby("year")["region"].nunique().eq(13).all()
    assert out["lisa"]["quadrant"].isin(["HH", "LL", "HL", "LH"]).all()
    assert out["kde"]["rule"].eq("silverman").all() and (out["kde"]["n_peaks"] >= 1).all()


def test_analyses_without_their_inputs_are_skipped_with_the_reason() -> None:
    fake = make_fake_result()
    scores_only = fake.scores.loc[fake.scores["region"] != "130400"]  # 12 cities: contiguity does not fit
    out = jjj_demo_analyses(scores_only, jjj_regions().iloc[[0, 1, *range(2, 13)]])
    notes = out["notes"].set_index("analysis")
    assert notes.loc["moran", "status"] == "skipped" and "weights_region_without_value" in notes.loc["moran", "message"]
    assert notes.loc["obstacles", "status"] == "skipped" and "no_weights" in notes.loc["obstacles", "message"]
    assert "moran" not in out and notes.loc["inequality", "status"] == "done"
    with pytest.raises(HqdError) as err:
        jjj_demo_analyses(fake, jjj_regions().drop(columns="province"))
    assert err.value.codes == ["unknown_column"]


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory: pytest.TempPathFactory) -> object:
    from hqd.datasets.jjj import write_demo_inputs
    from hqd.pipeline import run

    folder: Path = tmp_path_factory.mktemp("demo")
    paths = write_demo_inputs(folder)
    return run(paths["framework"], paths["data"], paths["recipe"], regions=paths["regions"])


def test_demo_analyses_on_the_engine_demo_run(demo_result: object) -> None:
    from hqd.datasets.jjj import regions_table

    out = jjj_demo_analyses(demo_result, regions_table())
    assert (out["notes"]["status"] == "done").all(), out["notes"]
    coupling = out["coupling_dimensions"]
    # The engine reports dimension scores on their own [0, 1] scale also under global weights (the partial sums
    # are the dimensions' contributions), so coupling uses them as they are.
    u = coupling.filter(like="U[")
    assert u.shape[1] == 6 and (u.to_numpy() <= 1 + 1e-12).all() and u.to_numpy().max() > 0.5
    assert set(coupling["subsystem_scale"]) == {"as_is"}
    assert pd.Series(out["dagum"]["G_t"]).ge(0).all()


def test_demo_dagum_uses_the_functional_zones_and_has_a_transvariation_term(demo_result: object) -> None:
    """#13 item 4: the province grouping (1, 1, 11 cities) forces G_t to 0 on the demo; the zones do not."""
    from hqd.analysis import dagum_gini
    from hqd.analysis._data import scores_long
    from hqd.datasets.jjj import regions_table
    from hqd.datasets.jjj_geo import functional_zones, zone_order

    out = jjj_demo_analyses(demo_result, regions_table())
    dagum = out["dagum"]
    assert {"G_jj[central core functional zone]", "G_jj[north-western ecological conservation zone]"} <= set(dagum)
    assert (dagum["G_t"] > 1e-4).all()  # a real transvariation term in every year
    assert not (out["notes"]["status"] == "warning").any(), out["notes"]
    long = scores_long(demo_result)
    index = long.loc[long["level"] == 0]
    provinces = {c: c[:2] for c in index["region"].unique()}
    by_province = dagum_gini(index, provinces)
    np.testing.assert_allclose(by_province.G_t, 0.0, atol=1e-15)  # the bug the zones fix
    assert any("singleton" in w for w in by_province.warnings)
    assert any("transvariation G_t is 0" in w for w in by_province.warnings)
    zones = dagum_gini(index, functional_zones(), group_order=zone_order())
    assert zones.groups == tuple(zone_order()) and zones.warnings == ()
    np.testing.assert_allclose(zones.G_t, dagum["G_t"], rtol=1e-12)
