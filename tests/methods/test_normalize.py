"""Normalisation: peer reference values (8×5 matrix, COINr ASEM, UNDP HDI), properties, bad parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from methods_refdata import asem, asem_indicators, matrix_8x5

from hqd.errors import HqdError
from hqd.methods import aggregate, normalize

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


def test_minmax_reproduces_directional_reference(shared: Path) -> None:
    x, d = matrix_8x5(shared)
    path = shared / "reference" / "decision_matrix_8x5_minmax_directional.csv"
    expected = pd.read_csv(path, index_col=0).to_numpy()
    np.testing.assert_allclose(normalize.minmax(x, d), expected, rtol=1e-12, atol=1e-15)


def test_minmax_reproduces_coinr_asem_normalised(shared: Path) -> None:
    steps = asem(shared)
    ind = asem_indicators(steps["iMeta"])
    codes = list(ind["iCode"])
    treated = steps["treated"][codes].to_numpy(dtype=float)
    out = normalize.minmax(treated, ind["Direction"].to_numpy(), lo=0, hi=100)
    expected = steps["normalised"].loc[steps["treated"].index, codes].to_numpy(dtype=float)
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-12)


def test_goalposts_reproduce_every_published_hdi(shared: Path) -> None:
    """UNDP HDR 2023/24: goalposts with caps, log income, geometric mean; zero policy na (two unpublished rows)."""
    df = pd.read_csv(shared / "data" / "hdi" / "hdi_components_long.csv")
    df = df.dropna(subset=["le", "eys", "mys", "gnipc"])
    up = dict(truncate="upper")
    health = normalize.goalposts(df[["le"]], [1], gmin=[20], gmax=[85], **up)[:, 0]
    school = normalize.goalposts(df[["eys", "mys"]], [1, 1], gmin=[0, 0], gmax=[18, 15], **up)
    income = normalize.goalposts(df[["gnipc"]], [1], gmin=[100], gmax=[75000], log=True, **up)[:, 0]
    education = aggregate.arithmetic(school, [1, 1])
    hdi = aggregate.geometric(np.column_stack([health, education, income]), [1, 1, 1], zero="na")
    published = df["hdi"].to_numpy()
    have = ~np.isnan(published)
    assert have.sum() == 6171  # every published HDI (countries and aggregates) has its components
    assert not np.isnan(hdi[have]).any()
    assert np.max(np.abs(hdi[have] - published[have])) < 0.0005 + 1e-12  # published to 3 decimals
    voided = df.loc[np.isnan(hdi), ["iso3", "year"]].to_numpy().tolist()
    assert voided == [["RWA", 1994]]  # life expectancy 14.1 < 20: health index <= 0, unpublished


def test_zscore_matches_sample_sd_definition() -> None:
    x = np.array([[1.0, 5.0], [2.0, np.nan], [4.0, 1.0], [9.0, 3.0]])
    z = normalize.zscore(x, [1, -1], mean=10, sd=2)
    col0 = (x[:, 0] - x[:, 0].mean()) / x[:, 0].std(ddof=1) * 2 + 10
    y1 = -x[[0, 2, 3], 1]
    col1 = (y1 - y1.mean()) / y1.std(ddof=1) * 2 + 10
    np.testing.assert_allclose(z[:, 0], col0, rtol=1e-14)
    np.testing.assert_allclose(z[[0, 2, 3], 1], col1, rtol=1e-14)
    assert np.isnan(z[1, 1])


def test_constant_column_gives_nan() -> None:
    x = np.array([[1.0, 3.0], [2.0, 3.0]])
    assert np.isnan(normalize.minmax(x, [1, 1])[:, 1]).all()
    assert np.isnan(normalize.zscore(x, [1, 1])[:, 1]).all()


def test_distance_to_target_coinr_convention() -> None:
    x = np.array([[1.0, 10.0], [3.0, 6.0], [5.0, 4.0], [7.0, 2.0]])
    out = normalize.distance_to_target(x, [1, -1], target=[5.0, 4.0], cap=False)
    np.testing.assert_allclose(out[:, 0], (x[:, 0] - 1) / (5 - 1))
    np.testing.assert_allclose(out[:, 1], (10 - x[:, 1]) / (10 - 4))
    capped = normalize.distance_to_target(x, [1, -1], target=[5.0, 4.0], lo=0, hi=100)
    np.testing.assert_allclose(capped, np.minimum(out, 1) * 100)


def test_rank_and_percentile_rank_ignore_nan() -> None:
    x = np.array([[3.0], [np.nan], [1.0], [3.0], [2.0]])
    np.testing.assert_array_equal(normalize.rank(x, [1])[:, 0], [3.5, np.nan, 1.0, 3.5, 2.0])
    np.testing.assert_allclose(normalize.percentile_rank(x, [-1])[:, 0], [1 / 6, np.nan, 1.0, 1 / 6, 2 / 3])


def test_goalposts_truncation_variants() -> None:
    x = np.array([[-5.0, -5.0], [50.0, 50.0], [150.0, 150.0]])
    d = [1, -1]
    kw = dict(gmin=[0, 0], gmax=[100, 100])
    np.testing.assert_allclose(
        normalize.goalposts(x, d, truncate="none", **kw), [[-0.05, 1.05], [0.5, 0.5], [1.5, -0.5]]
    )
    np.testing.assert_allclose(normalize.goalposts(x, d, truncate="both", **kw), [[0, 1], [0.5, 0.5], [1, 0]])
    np.testing.assert_allclose(
        normalize.goalposts(x, d, truncate="upper", **kw), [[-0.05, 1], [0.5, 0.5], [1, -0.5]]
    )
    np.testing.assert_allclose(
        normalize.goalposts(x, d, truncate="lower", **kw), [[0, 1.05], [0.5, 0.5], [1.5, 0]]
    )


def test_goalposts_log_nonpositive_gives_nan() -> None:
    out = normalize.goalposts([[0.0], [-1.0], [100.0]], [1], gmin=[100], gmax=[75000], log=True)
    assert np.isnan(out[:2, 0]).all() and out[2, 0] == 0.0


def test_ratio_to_base() -> None:
    x = np.array([[10.0, 2.0], [15.0, 1.0], [20.0, 0.0]])
    out = normalize.ratio_to_base(x, [1, -1], base=x[:1], scale=100)
    np.testing.assert_allclose(out[:2], [[100, 100], [150, 200]])
    assert np.isnan(out[2, 1])


@settings(max_examples=60, deadline=None)
@given(
    x=arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(1, 5)), elements=finite),
    lo=st.floats(-10, 10),
    width=st.floats(0.5, 100),
    data=st.data(),
)
def test_minmax_in_range_and_direction_flip_mirrors(
    x: np.ndarray, lo: float, width: float, data: st.DataObject
) -> None:
    hi = lo + width
    d = np.asarray(data.draw(st.lists(st.sampled_from([1, -1]), min_size=x.shape[1], max_size=x.shape[1])))
    out = normalize.minmax(x, d, lo=lo, hi=hi)
    ok = ~np.isnan(out)
    tol = 1e-9 * max(abs(lo), abs(hi), 1)
    assert np.all(out[ok] >= lo - tol) and np.all(out[ok] <= hi + tol)
    flipped = normalize.minmax(x, -d, lo=lo, hi=hi)
    np.testing.assert_allclose(flipped, hi + lo - out, atol=1e-9 * max(width, 1) * 10)


@settings(max_examples=40, deadline=None)
@given(x=arrays(np.float64, st.tuples(st.integers(2, 10), st.integers(1, 4)), elements=finite))
def test_bounded_normalisers_in_range(x: np.ndarray) -> None:
    d = np.ones(x.shape[1])
    g = normalize.goalposts(
        x, d, gmin=np.full(x.shape[1], -100.0), gmax=np.full(x.shape[1], 100.0), lo=2, hi=5
    )
    assert np.all((g >= 2) & (g <= 5 + 1e-12))
    p = normalize.percentile_rank(x, d)
    assert np.all((p >= 0) & (p <= 1))
    t = normalize.distance_to_target(x, d, target=np.full(x.shape[1], 1e7))
    assert np.all(t[~np.isnan(t)] <= 1)


CASES = [
    ("minmax", {"lo": 0.0, "hi": 100.0}),
    ("zscore", {"mean": 10.0, "sd": 2.0}),
    ("goalposts", {"gmin": [0.0, 0.0, 0.0], "gmax": [1.0, 2.0, 3.0]}),
    ("distance_to_target", {"target": [0.9, 0.8, 0.7]}),
    ("rank", {}),
    ("percentile_rank", {}),
    ("none", {}),
]


@pytest.mark.parametrize(("name", "params"), CASES)
def test_broadcasting_batch_equals_items(name: str, params: dict[str, object]) -> None:
    rng = np.random.default_rng(7)
    x = rng.random((3, 2, 9, 3))
    x[0, 1, 4, 2] = np.nan
    d = np.array([1, -1, 1])
    f = getattr(normalize, name)
    batch = f(x, d, **params)
    assert batch.shape == x.shape
    for i in range(3):
        for j in range(2):
            np.testing.assert_allclose(batch[i, j], f(x[i, j], d, **params), rtol=1e-13)


def test_ratio_to_base_broadcasts_over_batch() -> None:
    x = np.random.default_rng(1).random((4, 5, 3)) + 0.5  # 4 years × 5 regions × 3 indicators
    out = normalize.ratio_to_base(x, [1, 1, -1], base=x[:1])
    np.testing.assert_allclose(out[0], np.ones((5, 3)))
    np.testing.assert_allclose(out[2, :, 2], x[0, :, 2] / x[2, :, 2])


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: normalize.minmax([[1.0], [2.0]], [0]), "direction must be 1 or -1"),
        (lambda: normalize.minmax([[1.0], [2.0]], [1], lo=1, hi=0), "lo must be smaller than hi"),
        (lambda: normalize.zscore([[1.0], [2.0]], [1], sd=0), "sd must be positive"),
        (lambda: normalize.goalposts([[1.0]], [1], gmin=[5], gmax=[5]), "gmin < gmax"),
        (
            lambda: normalize.goalposts([[1.0]], [1], gmin=[0], gmax=[5], log=True),
            "log goalposts must be positive",
        ),
        (
            lambda: normalize.goalposts([[1.0]], [1], gmin=[0], gmax=[5], truncate="top"),
            "truncate must be one of",
        ),
        (lambda: normalize.minmax([1.0, 2.0], [1]), "at least 2 axes"),
    ],
)
def test_bad_parameters_raise(call: object, fragment: str) -> None:
    with pytest.raises(HqdError) as err:
        call()  # type: ignore[operator]
    assert err.value.codes == ["invalid_parameter"]
    assert fragment in str(err.value)


def test_vector_normalisation_equals_pymcdm() -> None:
    pytest.importorskip("pymcdm")
    from pymcdm.normalizations import vector_normalization

    from hqd.methods.normalize import vector

    rng = np.random.default_rng(11)
    x = rng.uniform(0.1, 50, size=(17, 6))
    direction = np.array([1, -1, 1, 1, -1, 1])
    ours = vector(x, direction)
    for j in range(6):
        np.testing.assert_allclose(ours[:, j], vector_normalization(x[:, j], cost=direction[j] < 0), atol=1e-14)
    x[3, 2] = np.nan
    assert np.isnan(vector(x, direction)[3, 2]) and np.isfinite(vector(x, direction)[:, 2]).sum() == 16
