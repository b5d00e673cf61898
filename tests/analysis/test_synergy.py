"""Composite-system synergy degree and relative development degree on hand-computed cases.

No published worked example with its data was at hand, so the cases below are computed by hand from
the definitions of 孟庆松 & 韩文秀 (2000) (order degree, synergy degree with the sign θ) and of the
relative development degree (廖重斌 1999).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from hqd.analysis import synergy as sy
from hqd.errors import HqdError

# SYNTHETIC: one region, three years; subsystem A = (a1 benefit, a2 cost), subsystem B = (b1 benefit)
TABLE = pd.DataFrame(
    {
        "region": ["110000"] * 3,
        "year": [2020, 2021, 2022],
        "a1": [2.0, 6.0, 5.0],
        "a2": [8.0, 4.0, 5.0],
        "b1": [20.0, 65.0, 90.0],
    }
)
SUBSYSTEMS = {"A": ["a1", "a2"], "B": ["b1"]}
BOUNDS = {"a1": (0.0, 10.0), "a2": (0.0, 10.0), "b1": (0.0, 100.0)}


def test_order_and_synergy_degrees_by_hand() -> None:
    result = sy.synergy(TABLE, SUBSYSTEMS, directions={"a2": -1}, bounds=BOUNDS)
    order = result.order.pivot(index="year", columns="subsystem", values="order_degree")
    # u(a1) = e/10, u(a2) = (10 - e)/10, u_A = their mean; u_B = b1/100
    assert_allclose(order["A"], [0.2, 0.6, 0.5])
    assert_allclose(order["B"], [0.2, 0.65, 0.9])
    # C = theta * sqrt(|dA| |dB|): 2021 vs 2020: sqrt(0.4 * 0.45); 2022 vs 2020: sqrt(0.3 * 0.7)
    assert_allclose(result.frame["synergy"], [np.sqrt(0.18), np.sqrt(0.21)], rtol=1e-12)
    chain = sy.synergy(TABLE, SUBSYSTEMS, directions={"a2": -1}, bounds=BOUNDS, base="previous").frame
    # 2022 vs 2021: A fell by 0.1, B rose by 0.25 -> theta = -1, C = -sqrt(0.025)
    assert chain["synergy"].iloc[1] == pytest.approx(-np.sqrt(0.025))
    assert chain["theta"].tolist() == [1.0, -1.0]
    assert "孟庆松" in result.estimator() and "协同度" in result.verdict("zh")


def test_geometric_aggregation_and_default_bounds() -> None:
    result = sy.synergy(TABLE, SUBSYSTEMS, directions={"a2": -1}, bounds=BOUNDS, aggregation="geometric")
    a = result.order.query("subsystem == 'A'")["order_degree"].to_numpy()
    assert_allclose(a, [np.sqrt(0.2 * 0.2), np.sqrt(0.6 * 0.6), np.sqrt(0.5 * 0.5)])
    widened = sy.synergy(TABLE, SUBSYSTEMS, directions={"a2": -1}).bounds.set_index("parameter")
    # default bounds: beta = min * 0.9, alpha = max * 1.1
    assert widened.loc["b1", "lower"] == pytest.approx(18.0) and widened.loc["b1", "upper"] == pytest.approx(99.0)


def test_relative_development_types() -> None:
    two = pd.DataFrame({"region": ["a", "b", "c"], "econ": [0.5, 0.6, 0.9], "eco": [0.6, 0.6, 0.6]})
    result = sy.relative_development(two, ["econ", "eco"], labels_zh={"econ": "经济", "eco": "生态"})
    assert_allclose(result.frame["D_econ_eco"], [0.5 / 0.6, 1.0, 1.5])
    assert result.frame["type_zh"].tolist() == ["经济滞后型", "同步型", "生态滞后型"]
    three = pd.DataFrame({"region": ["a", "b"], "x": [0.3, 0.5], "y": [0.6, 0.5], "z": [0.6, 0.8]})
    result3 = sy.relative_development(three, ["x", "y", "z"])
    # a: D_x = 0.3 / 0.6 = 0.5 (lagging); b: D_z = 0.8 / 0.5 = 1.6 (leading), D_x = D_y = 0.5/0.65
    assert_allclose(result3.frame.loc[0, ["D_x", "D_y", "D_z"]].astype(float), [0.5, 0.6 / 0.45, 0.6 / 0.45])
    assert result3.frame["type_en"].tolist() == ["x lagging", "x & y lagging"]


def test_bad_inputs() -> None:
    with pytest.raises(HqdError) as err:
        sy.synergy(TABLE, {"A": ["a1"]})
    assert err.value.codes == ["too_few_subsystems"]
    with pytest.raises(HqdError) as err:
        sy.synergy(TABLE.iloc[:1], SUBSYSTEMS)
    assert err.value.codes == ["too_few_years"]
    with pytest.raises(HqdError) as err:
        sy.synergy(TABLE, SUBSYSTEMS, bounds={"b1": (0.0, 50.0)})
    assert set(err.value.codes) == {"outside_bounds"} and err.value.problems[0].year == 2021
    with pytest.raises(HqdError, match="base period 'last'"):
        sy.synergy(TABLE, SUBSYSTEMS, base="last")
    with pytest.raises(HqdError) as err:
        sy.relative_development(pd.DataFrame({"region": ["a"], "x": [0.0], "y": [1.0]}), ["x", "y"])
    assert err.value.codes == ["non_positive_value"] and err.value.problems[0].indicator == "x"
