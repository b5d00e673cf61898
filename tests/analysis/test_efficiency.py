"""DEA / SBM / super-SBM / ML-GML against published examples and hand-derived cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from hqd.analysis import efficiency as eff
from hqd.errors import HqdError

# Tone, K. (2001). A slacks-based measure of efficiency in DEA. EJOR 130, 498-509, the numerical
# example of p. 505 (5 DMUs, 2 inputs, 2 outputs; the same data ship as deaR's `Tone2001`).
TONE2001 = pd.DataFrame(
    {
        "region": list("ABCDE"),
        "x1": [4.0, 6, 8, 8, 2],
        "x2": [3.0, 3, 1, 1, 4],
        "y1": [2.0, 2, 6, 6, 1],
        "y2": [3.0, 3, 2, 1, 4],
    }
)
# Tone, K. (2003). Dealing with undesirable outputs in DEA: a slacks-based measure (SBM) approach.
# GRIPS Research Report I-2003-0005 (9 DMUs, 1 input, 1 good and 1 bad output; deaR's `Tone2003`).
TONE2003 = pd.DataFrame(
    {
        "region": list("ABCDEFGHI"),
        "x": [1.0] * 9,
        "yg": [1.0, 2, 6, 8, 9, 5, 4, 6, 4],
        "yb": [1.0, 1, 2, 4, 7, 2, 3, 4, 6],
    }
)


def test_sbm_reproduces_tone_2001() -> None:
    # Tone (2001), p. 505: SBM rho* = 0.798, 0.568, 1, 0.667, 1 for A-E (three decimals printed).
    result = eff.sbm(TONE2001, ["x1", "x2"], ["y1", "y2"])
    assert_allclose(result.frame["efficiency"], [0.798, 0.568, 1.0, 0.667, 1.0], atol=5e-4)
    assert result.frame["efficient"].tolist() == [False, False, True, False, True]
    # process values: rho = (1 - s2-/x2 / 2) / (1 + s1+/y1 / 2) for A, from its own slacks
    sl = result.slacks.query("region == 'A'").set_index("variable")["slack"]
    rho = (1 - (sl["x1"] / 4 + sl["x2"] / 3) / 2) / (1 + (sl["y1"] / 2 + sl["y2"] / 3) / 2)
    assert rho == pytest.approx(result.frame["efficiency"].iloc[0], abs=1e-9)
    # the peers of an inefficient DMU are SBM-efficient (Tone 2001, Theorem 4)
    assert set(result.lambdas["peer_region"]) <= {"C", "E"}


def test_ccr_of_the_same_example() -> None:
    # CCR theta* of Tone's example: D is radially efficient (theta* = 1) but has an output slack,
    # which SBM counts (0.667).  A's theta* = 0.9 is attained by 0.3 C + 0.6 E:
    # inputs (2.4 + 1.2, 0.3 + 2.4) = 0.9 (4, 3) and outputs (2.4, 3.0) >= (2, 3).
    result = eff.ccr(TONE2001, ["x1", "x2"], ["y1", "y2"])
    assert_allclose(result.frame["efficiency"], [0.9, 5 / 6, 1.0, 1.0, 1.0], atol=1e-9)
    d = result.slacks.query("region == 'D' and variable == 'y2'")["slack"].iloc[0]
    assert d == pytest.approx(1.0)  # D needs one more unit of y2 to match C
    bcc = eff.bcc(TONE2001, ["x1", "x2"], ["y1", "y2"]).frame["efficiency"]
    assert (bcc.to_numpy() >= result.frame["efficiency"].to_numpy() - 1e-12).all()  # VRS envelops CRS


def test_sbm_undesirable_hand_case() -> None:
    # Tone (2003) data, VRS.  B = (1; 2, 1) dominates A = (1; 1, 1): A's only slack is one unit of the
    # good output, so rho_A = 1 / (1 + (1/2)(1/1)) = 2/3.  C, D, E lie on the frontier.
    result = eff.sbm(TONE2003, ["x"], ["yg"], ["yb"], rts="vrs")
    frame = result.frame.set_index("region")
    assert frame.loc["A", "efficiency"] == pytest.approx(2 / 3, abs=1e-9)
    assert frame.loc[["B", "C", "D", "E"], "efficient"].all()
    sl = result.slacks.query("region == 'A'").set_index("variable")
    assert sl.loc["yg", "target"] == pytest.approx(2.0)
    assert "Tone 2004" in result.estimator()


def test_super_sbm_one_input_one_output_is_the_ratio() -> None:
    # With one input and one output under CRS, super-SBM (Tone 2002) of the best DMU equals its
    # productivity y/x over the best other DMU's: 2 / 1.5.
    table = pd.DataFrame({"region": ["a", "b", "c"], "x": [1.0, 1.0, 2.0], "y": [2.0, 1.0, 3.0]})
    result = eff.super_sbm(table, ["x"], ["y"]).frame.set_index("region")["efficiency"]
    assert result["a"] == pytest.approx(2 / 1.5, abs=1e-9)
    assert result["b"] == pytest.approx(0.5, abs=1e-9)  # SBM of an inefficient DMU: 1 / 2
    sbm_scores = eff.sbm(TONE2001, ["x1", "x2"], ["y1", "y2"]).frame["efficiency"].to_numpy()
    sup = eff.super_sbm(TONE2001, ["x1", "x2"], ["y1", "y2"]).frame["efficiency"].to_numpy()
    assert_allclose(sup[sbm_scores < 1], sbm_scores[sbm_scores < 1])
    assert (sup[sbm_scores >= 1] > 1).all()


def _panel(seed: int = 3, regions: int = 12, years: int = 4, bad: bool = True) -> pd.DataFrame:
    """SYNTHETIC panel (lognormal inputs, outputs with a 2% technical drift)."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(years):
        x = rng.lognormal(0, 0.4, (regions, 2))
        y = x.prod(axis=1) ** 0.4 * 1.02**t * rng.lognormal(0, 0.2, regions)
        row = {"region": [f"R{i}" for i in range(regions)], "year": 2020 + t, "k": x[:, 0], "l": x[:, 1], "gdp": y}
        if bad:
            row["co2"] = y * rng.lognormal(0, 0.2, regions)
        rows.append(pd.DataFrame(row))
    return pd.concat(rows, ignore_index=True)


def test_gml_one_input_one_output_is_the_productivity_ratio() -> None:
    # Under CRS with one input and one output D(x, y; y) = max_j(y_j/x_j) x/y - 1, so GML (Oh 2010)
    # reduces to the ratio of the DMU's own productivities (y1/x1)/(y0/x0), whatever the frontier.
    table = _panel(bad=False)[["region", "year", "k", "gdp"]]
    result = eff.productivity(table, ["k"], ["gdp"], index="gml")
    wide = table.assign(p=table["gdp"] / table["k"]).pivot(index="year", columns="region", values="p")
    wide = wide[pd.unique(table["region"])]
    expected = (wide.iloc[1:].to_numpy() / wide.iloc[:-1].to_numpy()).reshape(-1)
    assert_allclose(result.frame["index"], expected, rtol=1e-7)
    assert_allclose(result.frame["ec"] * result.frame["tc"], result.frame["index"], rtol=1e-12)


def test_gml_is_circular_and_ml_decomposes() -> None:
    table = _panel()
    gml = eff.productivity(table, ["k", "l"], ["gdp"], ["co2"], index="gml")
    dist = gml.distances.query("frontier == 'global'").pivot(index="year", columns="region", values="distance")
    chain = gml.frame.groupby("region")["index"].prod()
    direct = (1 + dist.iloc[0]) / (1 + dist.iloc[-1])
    assert_allclose(chain.sort_index(), direct.sort_index(), rtol=1e-9)  # transitivity (Oh 2010)
    assert (gml.distances["distance"] >= -1e-9).all()  # every DMU is inside the global frontier
    ml = eff.productivity(table, ["k", "l"], ["gdp"], ["co2"], index="ml")
    ok = ml.frame["index"].notna()
    assert_allclose(ml.frame.loc[ok, "ec"] * ml.frame.loc[ok, "tc"], ml.frame.loc[ok, "index"], rtol=1e-12)
    assert_allclose(ml.frame["ec"], gml.frame["ec"], rtol=1e-9)  # same contemporaneous distances
    assert "Oh 2010" in gml.estimator() and "绿色全要素生产率" in gml.verdict("zh")


def test_year_frontiers_are_separate() -> None:
    table = _panel(bad=False)
    per_year = eff.sbm(table, ["k", "l"], ["gdp"])
    assert per_year.frontier == "year"
    assert per_year.frame.groupby("year")["efficient"].any().all()
    pooled = eff.sbm(table, ["k", "l"], ["gdp"], frontier="pooled")
    assert (pooled.frame["efficiency"].to_numpy() <= per_year.frame["efficiency"].to_numpy() + 1e-9).all()


def test_bad_inputs_are_located() -> None:
    bad = TONE2001.copy()
    bad.loc[1, "x2"] = 0.0
    bad.loc[3, "y1"] = np.nan
    with pytest.raises(HqdError) as err:
        eff.sbm(bad, ["x1", "x2"], ["y1", "y2"])
    found = {(p.code, p.region, p.column) for p in err.value.problems}
    assert found == {("non_positive_value", "B", "x2"), ("missing_value", "D", "y1")}
    with pytest.raises(HqdError, match="returns to scale 'irs'"):
        eff.sbm(TONE2001, ["x1"], ["y1"], rts="irs")
    with pytest.raises(HqdError) as err:
        eff.sbm(TONE2001, [], ["y1"])
    assert err.value.codes == ["no_inputs"]
    with pytest.raises(HqdError) as err:
        eff.sbm(TONE2001, ["x1", "nope"], ["y1"])
    assert err.value.codes == ["unknown_column"]


def test_productivity_bad_panels() -> None:
    table = _panel()
    with pytest.raises(HqdError) as err:
        eff.productivity(table.query("year == 2020"), ["k"], ["gdp"])
    assert err.value.codes == ["too_few_years"]
    with pytest.raises(HqdError) as err:
        eff.productivity(table.drop(index=[5]), ["k"], ["gdp"])
    assert err.value.codes == ["unbalanced_panel"]
    assert err.value.problems[0].region == "R5" and err.value.problems[0].year == 2020
    with pytest.raises(HqdError) as err:
        eff.productivity(TONE2001, ["x1"], ["y1"])
    assert err.value.codes == ["no_year"]


def test_reason_codes_of_the_efficiency_view_are_documented() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"""(?:\.error|\.warn|Problem)\(\s*["']([a-z_]+)["']|code=["']([a-z_]+)["']""")
    files = [root / "src" / "hqd" / "analysis" / f"{m}.py" for m in ("efficiency", "geodetector", "forecast", "synergy")]
    files.append(root / "src" / "hqd" / "cli" / "efficiency.py")
    codes = {a or b for path in files for a, b in pattern.findall(path.read_text(encoding="utf-8"))}
    docs = (root / "docs" / "efficiency.md").read_text(encoding="utf-8")
    assert len(codes) > 20
    assert not sorted(c for c in codes if f"`{c}`" not in docs)


def test_ml_reproduces_data_envelopment_analysis_jl() -> None:
    # Independent implementation: the Julia package DataEnvelopmentAnalysis.jl (Barbero & Zofío),
    # test/malmluen.jl — ML index with Gx = 0, Gy = y, Gb = b, CRS, bad outputs freely disposable
    # (Aparicio, Pastor & Zofío 2013).  One input (= 1), one good and one bad output, 5 DMUs.
    good = {0: [7, 5, 1, 3, 4], 1: [8, 5.5, 2, 2, 4], 2: [8, 5.5, 2, 2, 4]}
    bad = {0: [2, 5, 3, 3, 2], 1: [1, 3, 2, 4, 1], 2: [0.5, 2, 0.5, 3, 0.5]}
    table = pd.concat(
        pd.DataFrame({"region": list("ABCDE"), "year": 2000 + t, "x": 1.0, "y": good[t], "b": bad[t]}) for t in range(3)
    )
    two = eff.productivity(table.query("year < 2002"), ["x"], ["y"], ["b"], index="ml", disposability="free").frame
    assert_allclose(two["index"], [1.3702375781, 1.1, 1.1259778360, 0.91624569458, 1.2792042981], rtol=1e-9)
    assert_allclose(two["ec"], [1.0, 0.9625, 1.027173913, 119 / 144, 21 / 22], rtol=1e-9)
    assert_allclose(two["tc"], [1.3702375781, 1.1428571429, 1.0961900625, 1.1087342859, 1.3401187885], rtol=1e-9)
    three = eff.productivity(table, ["x"], ["y"], ["b"], index="ml", disposability="free").frame
    second = three.query("year_to == 2002")
    assert_allclose(second["index"], [1.22474, 1.0, 1.25245, 1.01484, 1.26491], atol=1e-5)
    assert_allclose(second["ec"], [1.0, 1.0, 1.11111, 0.980392, 1.0], atol=1e-5)
    assert_allclose(second["tc"], [1.22474, 1.0, 1.1272, 1.03514, 1.264910], atol=1e-5)
    # weak disposability (an equality, Chung et al. 1997) is a different technology: B is on its frontier
    weak = eff.productivity(table.query("year < 2002"), ["x"], ["y"], ["b"], index="ml").frame
    assert weak["ec"].iloc[1] == pytest.approx(1.0)


# Radial DEA data used by DataEnvelopmentAnalysis.jl's test/dea.jl (11 DMUs, 2 inputs, 1 output),
# whose pinned results the package says were checked against R.
FLS = pd.DataFrame(
    {
        "region": [f"U{i:02d}" for i in range(1, 12)],
        "x1": [5.0, 16, 16, 17, 18, 23, 25, 27, 37, 42, 5],
        "x2": [13.0, 12, 26, 15, 14, 6, 10, 22, 14, 25, 17],
        "y": [12.0, 14, 25, 26, 8, 9, 27, 30, 31, 26, 12],
    }
)


def test_ccr_and_bcc_reproduce_data_envelopment_analysis_jl() -> None:
    crs = eff.ccr(FLS, ["x1", "x2"], ["y"])
    assert_allclose(
        crs.frame["efficiency"],
        [1.0, 0.6222896791, 0.8198562444, 1.0, 0.3103709311, 0.5555555556, 1.0, 0.7576690896, 0.8201058201,
         0.4905660377, 1.0],
        rtol=1e-9,
    )
    slack_x1 = crs.slacks.query("variable == 'x1'")["slack"].to_numpy()
    slack_x2 = crs.slacks.query("variable == 'x2'")["slack"].to_numpy()
    assert_allclose(slack_x1, [0, 0, 0, 0, 0, 4.444444444, 0, 0, 1.640211640, 0, 0], atol=1e-8)
    assert_allclose(slack_x2, [0] * 10 + [4.0], atol=1e-8)
    lam = crs.lambdas.query("region == 'U02'").set_index("peer_region")["lambda"]
    assert_allclose(lam[["U04", "U07"]], [0.4249783174, 0.10928013877], rtol=1e-8)
    vrs = eff.bcc(FLS, ["x1", "x2"], ["y"])
    assert_allclose(
        vrs.frame["efficiency"],
        [1.0, 0.8699861687, 1.0, 1.0, 0.7116402116, 1.0, 1.0, 1.0, 1.0, 0.4931209269, 1.0],
        rtol=1e-9,
    )
    slack_y = vrs.slacks.query("variable == 'y'")["slack"].to_numpy()
    assert_allclose(slack_y, [0, 0, 0, 0, 2.698412698, 0, 0, 0, 0, 0, 0], atol=1e-8)


@pytest.mark.parametrize(
    "name",
    [
        "efficiency.ccr", "efficiency.bcc", "efficiency.sbm", "efficiency.super_sbm", "efficiency.productivity",
        "efficiency.nondominated", "geodetector.geodetector", "geodetector.q_statistic", "geodetector.q_pvalue",
        "geodetector.interaction_type", "geodetector.discretize", "geodetector.optimal_discretize",
        "forecast.gm11", "forecast.compare", "synergy.synergy", "synergy.relative_development",
    ],
)
def test_public_functions_state_formula_policy_and_reference(name: str) -> None:
    # the same rule as tests/analysis/test_analysis_docstrings.py (STYLE.md habit 5)
    import importlib
    import inspect

    module, function = name.split(".")
    doc = inspect.getdoc(getattr(importlib.import_module(f"hqd.analysis.{module}"), function)) or ""
    assert ":math:" in doc and "Policy" in doc and "References" in doc
