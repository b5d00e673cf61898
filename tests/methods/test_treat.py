"""Outlier treatment: COINr ASEM treated table and details, e1071 moments, log fallback, clipping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from methods_refdata import asem, asem_indicators
from scipy import stats

from hqd.errors import HqdError
from hqd.methods import treat


def test_coinr_winsorise_reproduces_asem(shared: Path) -> None:
    steps = asem(shared)
    codes = asem_indicators(steps["iMeta"])["iCode"].tolist()
    imputed = steps["imputed"]
    r = treat.coinr_winsorise(imputed[codes].to_numpy(dtype=float))
    expected = steps["treated"].loc[imputed.index, codes].to_numpy(dtype=float)
    np.testing.assert_allclose(r.values, expected, rtol=1e-12, atol=0)

    got = r.to_frame(codes).set_index("indicator")
    ref = steps["treatment_details"].loc[codes]
    assert got["pass_before"].tolist() == ref["check_SkewKurt0.Pass"].tolist()
    np.testing.assert_allclose(got["skew_before"], ref["check_SkewKurt0.Skew"], rtol=1e-9)
    np.testing.assert_allclose(got["kurt_before"], ref["check_SkewKurt0.Kurt"], rtol=1e-9)
    treated = ~ref["check_SkewKurt0.Pass"]
    assert int(treated.sum()) == 15 and got["treated"].sum() == 15
    np.testing.assert_array_equal(got.loc[treated, "n_winsorised"], ref.loc[treated, "winsorise.nwin"])
    np.testing.assert_allclose(
        got.loc[treated, "skew_after"], ref.loc[treated, "check_SkewKurt1.Skew"], rtol=1e-9
    )
    np.testing.assert_allclose(
        got.loc[treated, "kurt_after"], ref.loc[treated, "check_SkewKurt1.Kurt"], rtol=1e-9
    )
    assert got.loc[treated, "pass_after"].tolist() == ref.loc[treated, "check_SkewKurt1.Pass"].tolist()
    # METHODS.md §16: 35 points in total, 34 high and 1 low; no log fallback
    assert (got["n_winsorised"].sum(), got["n_high"].sum(), got["n_low"].sum()) == (35, 34, 1)
    assert not got["log_applied"].any()


@settings(max_examples=50, deadline=None)
@given(x=arrays(np.float64, st.tuples(st.integers(4, 30), st.integers(1, 3)), elements=st.floats(-1e3, 1e3)))
def test_moments_match_scipy_bias_corrected(x: np.ndarray) -> None:
    spread = np.ptp(x, axis=0) > 1e-3 * np.maximum(np.abs(x).max(axis=0), 1)
    g1 = stats.skew(x[:, spread], axis=0, bias=False)
    g2 = stats.kurtosis(x[:, spread], axis=0, bias=False)
    np.testing.assert_allclose(treat.skewness(x)[spread], g1, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(treat.kurtosis(x)[spread], g2, rtol=1e-7, atol=1e-7)


def test_ties_move_together_and_count_individually() -> None:
    base = np.array([1.0, 1.2, 1.4, 1.5, 1.6, 1.8, 2.0, 2.1, 2.2, 2.3, 2.5, 2.6, 2.8, 3.0, 3.1])
    x = np.concatenate([base, [40.0, 40.0]])[:, None]
    r = treat.coinr_winsorise(x)
    assert r.values[-1, 0] == r.values[-2, 0] == 3.1
    assert int(r.details["n_winsorised"][0]) == 2 and int(r.details["n_high"][0]) == 2


def test_log_fallback_when_winsorising_is_not_enough() -> None:
    # ten distinct far outliers: clipping five of them cannot pass the test
    x = np.r_[np.linspace(0, 1, 100), 100 + 10 * np.arange(10.0)][:, None]
    r = treat.coinr_winsorise(x)
    assert bool(r.details["log_applied"][0]) and int(r.details["n_winsorised"][0]) == 0
    expected = np.log(x - x.min() + 0.01 * (x.max() - x.min()))
    np.testing.assert_allclose(r.values, expected)
    kept = treat.coinr_winsorise(x, log_fallback=False)
    assert not bool(kept.details["log_applied"][0]) and int(kept.details["n_winsorised"][0]) == 5


def test_percentile_clip_and_log() -> None:
    x = np.arange(1.0, 102.0)[:, None]
    r = treat.percentile_clip(x, 0.05, 0.95)
    np.testing.assert_allclose(r.values.min(), np.quantile(x, 0.05))
    np.testing.assert_allclose(r.values.max(), np.quantile(x, 0.95))
    assert int(r.details["n_low"][0]) == 5 and int(r.details["n_high"][0]) == 5
    lg = treat.log([[1.0, 0.0], [10.0, 5.0]])
    assert np.isnan(lg.values[0, 1]) and lg.details["n_nonpositive"].tolist() == [0, 1]


@pytest.mark.parametrize(
    ("name", "params"),
    [("none", {}), ("coinr_winsorise", {}), ("percentile_clip", {}), ("log", {"variant": "log_ct"})],
)
def test_broadcasting_batch_equals_items(name: str, params: dict[str, Any]) -> None:
    rng = np.random.default_rng(8)
    x = rng.lognormal(0, 1.5, size=(3, 2, 25, 6))
    x[0, 1, 3, 2] = np.nan
    f = getattr(treat, name)
    batch = f(x, **params)
    for i in range(3):
        for j in range(2):
            item = f(x[i, j], **params)
            np.testing.assert_allclose(batch.values[i, j], item.values, rtol=1e-13)
            for key, value in item.details.items():
                np.testing.assert_allclose(batch.details[key][i, j], value, rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: treat.percentile_clip([[1.0], [2.0]], 0.9, 0.1), "0 <= lower < upper <= 1"),
        (lambda: treat.log([[1.0]], variant="log10"), "variant must be one of"),
        (lambda: treat.coinr_winsorise([[1.0]], winmax=-1), "winmax must be >= 0"),
    ],
)
def test_bad_parameters_raise(call: Any, fragment: str) -> None:
    with pytest.raises(HqdError) as err:
        call()
    assert err.value.codes == ["invalid_parameter"]
    assert fragment in str(err.value)
