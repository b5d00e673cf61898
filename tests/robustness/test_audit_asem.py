"""The statistical audit reproduces COINr's definitions on its ASEM data (reference: COINr's own output in
../shared/reference/coinr_asem/), and its correlations, alpha and PCA agree with scipy/statsmodels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hqd.errors import HqdError
from hqd.pipeline import run
from hqd.result import Result
from hqd.robustness.audit import STAT_COLUMNS, audit, cronbach_alpha, indicator_stats, pca_summary

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def asem() -> tuple[Result, Path]:
    import conftest

    data = conftest.shared_path("data", "coinr_asem")
    ref = conftest.shared_path("reference", "coinr_asem")
    return run(data / "asem_iMeta.csv", data / "asem_iData.csv", REPO / "examples" / "coinr_asem" / "recipe.yaml"), ref


def test_skew_and_kurtosis_of_the_imputed_data_equal_coinrs(asem: tuple[Result, Path]) -> None:
    result, ref = asem
    details = pd.read_csv(ref / "asem_default_treatment_details.csv").set_index("iCode")
    stats = audit(result, "imputed").stats.set_index("indicator")
    np.testing.assert_allclose(stats.loc[details.index, "skew"], details["check_SkewKurt0.Skew"], rtol=1e-12)
    np.testing.assert_allclose(stats.loc[details.index, "kurt"], details["check_SkewKurt0.Kurt"], rtol=1e-12)
    # COINr treats exactly the indicators that fail |skew| < 2 OR kurt < 3.5, i.e. those flagged OUT
    failed = set(details.index[~details["check_SkewKurt0.Pass"]])
    assert set(stats.index[stats["flag_skew_kurt"] == "OUT"]) == failed and len(failed) == 15


def test_location_and_spread_equal_pandas_on_coinrs_imputed_table(asem: tuple[Result, Path]) -> None:
    result, ref = asem
    table = pd.read_csv(ref / "asem_default_imputed.csv").set_index("uCode")
    stats = audit(result, "imputed").stats.set_index("indicator")
    cols = [c for c in stats.index if c in table.columns]
    assert len(cols) == 49
    np.testing.assert_allclose(stats.loc[cols, "min"], table[cols].min(), rtol=1e-13)
    np.testing.assert_allclose(stats.loc[cols, "max"], table[cols].max(), rtol=1e-13)
    np.testing.assert_allclose(stats.loc[cols, "mean"], table[cols].mean(), rtol=1e-12)
    np.testing.assert_allclose(stats.loc[cols, "median"], table[cols].median(), rtol=1e-13)
    np.testing.assert_allclose(stats.loc[cols, "std"], table[cols].std(ddof=1), rtol=1e-12)
    assert (stats.loc[cols, "n_unique"] == table[cols].nunique()).all()


def test_raw_data_stats_as_coinrs_own_test(asem: tuple[Result, Path]) -> None:
    """COINr's tests/testthat/test-stats.R checks on the raw ASEM data: LPI's min, sd, availability and unique
    count, and that Flights is flagged OUT."""
    result, _ = asem
    import conftest

    raw = pd.read_csv(conftest.shared_path("data", "coinr_asem", "asem_iData.csv"))
    stats = audit(result, "raw").stats.set_index("indicator")
    assert stats.loc["LPI", "min"] == raw["LPI"].min()
    assert stats.loc["LPI", "std"] == pytest.approx(raw["LPI"].std(), rel=1e-12)
    assert stats.loc["LPI", "n_avail"] == raw["LPI"].notna().sum()
    assert stats.loc["Flights", "flag_skew_kurt"] == "OUT"
    missing = raw[stats.index].isna().sum()
    np.testing.assert_array_equal(stats["n_avail"], 51 - missing.to_numpy())
    assert list(audit(result, "raw").stats.columns) == STAT_COLUMNS


def test_correlations_equal_scipy(asem: tuple[Result, Path]) -> None:
    from scipy.stats import pearsonr, spearmanr

    result, _ = asem
    report = audit(result)
    corr = report.correlations
    norm = result.step_table("normalised").xs(2018, level="year")
    pillar = result.node_scores("Physical").iloc[0]
    index = result.node_scores("Index").iloc[0]
    row = corr[(corr["kind"] == "within") & (corr["method"] == "pearson") & (corr["a"] == "LPI") & (corr["b"] == "Ship")]
    assert row["r"].iloc[0] == pytest.approx(pearsonr(norm["LPI"], norm["Ship"])[0], rel=1e-12)
    row = corr[(corr["kind"] == "parent") & (corr["method"] == "spearman") & (corr["a"] == "LPI")]
    assert row["r"].iloc[0] == pytest.approx(spearmanr(norm["LPI"], pillar.loc[norm.index])[0], rel=1e-12)
    row = corr[(corr["kind"] == "index") & (corr["method"] == "pearson") & (corr["a"] == "Goods")]
    assert row["r"].iloc[0] == pytest.approx(pearsonr(norm["Goods"], index.loc[norm.index])[0], rel=1e-12)
    within = corr[(corr["kind"] == "within") & (corr["method"] == "pearson")]
    assert ((within["flag"] == "negative") == (within["r"] < 0)).all()
    assert ((within["flag"] == "collinear") == (within["r"].abs() > 0.9)).all()
    assert report.matrices["spearman"].shape == (60, 60)


def test_alpha_and_pca_agree_with_independent_formulas(asem: tuple[Result, Path]) -> None:
    from statsmodels.multivariate.pca import PCA

    result, _ = asem
    report = audit(result)
    norm = result.step_table("normalised").xs(2018, level="year")
    kids = result.framework.children["Physical"]
    block = norm[kids].to_numpy()
    cov = np.cov(block, rowvar=False)
    k = len(kids)
    mean_var, mean_cov = np.trace(cov) / k, (cov.sum() - np.trace(cov)) / (k * (k - 1))
    expected_alpha = k * mean_cov / (mean_var + (k - 1) * mean_cov)  # the covariance form of alpha
    got = report.alpha.set_index("node").loc["Physical", "alpha"]
    assert got == pytest.approx(expected_alpha, rel=1e-12)
    pca = PCA(block, standardize=True, demean=True, normalize=False, method="eig")
    shares = pca.eigenvals / pca.eigenvals.sum()
    row = report.pca.set_index("node").loc["Physical"]
    assert row["pc1_share"] == pytest.approx(shares[0], rel=1e-10)
    assert row["pc2_share"] == pytest.approx(shares[1], rel=1e-10)
    loadings = report.loadings[report.loadings["node"] == "Physical"]["pc1"].to_numpy()
    assert abs(loadings @ loadings - 1) < 1e-12 and loadings.sum() >= 0


def test_summary_flags_and_files(asem: tuple[Result, Path], tmp_path: Path) -> None:
    result, _ = asem
    report = audit(result, "imputed")
    text = "\n".join(report.summary_lines())
    assert "15 indicator(s) with |skew| > 2 and kurtosis > 3.5" in text and "Cronbach" in text and "PCA" in text
    assert {"outliers", "negative_pearson"} <= set(report.flags["kind"])
    folder = report.write(tmp_path)
    names = {p.name for p in folder.iterdir()}
    assert {"stats.csv", "correlations.csv", "corr_pearson.csv", "alpha.csv", "pca.csv", "flags.csv",
            "summary.md", "audit.xlsx"} <= names
    assert len(pd.read_csv(folder / "stats.csv")) == 49


def test_unknown_step_and_year_are_refused(asem: tuple[Result, Path]) -> None:
    result, _ = asem
    with pytest.raises(HqdError) as err:
        audit(result, "cleaned")
    assert err.value.codes == ["unknown_step"]
    with pytest.raises(HqdError) as err:
        audit(result, year=1999)
    assert err.value.codes == ["unknown_year"]


def test_counts_of_a_small_table() -> None:
    x = np.array([[1.0, 0.0, 7.0], [1.0, 0.0, 7.0], [2.0, np.nan, 7.0], [np.nan, 3.0, 7.0]])
    t = indicator_stats(x, ["a", "b", "c"]).set_index("indicator")
    assert t["n_avail"].tolist() == [3, 3, 4] and t["n_unique"].tolist() == [2, 2, 1]
    assert t["n_same"].tolist() == [2, 2, 4] and t["n_nonzero"].tolist() == [3, 1, 4]
    assert t["flag_nonzero"].tolist() == ["ok", "LOW", "ok"] and t["flag_same"].tolist() == ["HIGH", "HIGH", "HIGH"]
    assert np.isnan(t.loc["c", "skew"])  # constant: undefined, as e1071


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 4)),
              elements=st.one_of(st.floats(-50, 50, allow_nan=False), st.just(np.nan))))
def test_stats_match_pandas_on_random_tables(x: np.ndarray) -> None:
    x = np.round(x, 2)  # ties are frequent
    t = indicator_stats(x, [f"c{j}" for j in range(x.shape[1])])
    frame = pd.DataFrame(x)
    np.testing.assert_array_equal(t["n_avail"], frame.notna().sum())
    np.testing.assert_array_equal(t["n_unique"], frame.nunique())
    same = [frame[c].value_counts().max() if frame[c].notna().any() else 0 for c in frame]
    np.testing.assert_array_equal(t["n_same"], same)
    np.testing.assert_allclose(t["median"], frame.median(), equal_nan=True)
    np.testing.assert_allclose(t["mean"], frame.mean(), rtol=1e-12, atol=1e-12, equal_nan=True)


def test_alpha_and_pca_degenerate_cases() -> None:
    alpha, n = cronbach_alpha(np.array([[1.0], [2.0]]))
    assert np.isnan(alpha) and n == 2
    shares, _, n = pca_summary(np.array([[1.0, 2.0], [np.nan, 1.0]]))
    assert np.isnan(shares).all() and n == 1
