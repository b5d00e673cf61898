"""Imputation: COINr ASEM group means, time interpolation, observed cells never change, broadcasting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from methods_refdata import asem, asem_indicators

from hqd.errors import HqdError
from hqd.methods import impute


def test_group_mean_reproduces_coinr_asem(shared: Path) -> None:
    steps = asem(shared)
    codes = asem_indicators(steps["iMeta"])["iCode"].tolist()
    den = steps["denominated"]
    groups = steps["iData"].loc[den.index, "EurAsia_group"].to_numpy()
    cube = den[codes].to_numpy(dtype=float)[None]  # one year: T = 1
    r = impute.group_mean(cube, groups=groups)
    expected = steps["imputed"].loc[den.index, codes].to_numpy(dtype=float)
    np.testing.assert_allclose(r.values[0], expected, rtol=1e-12)
    assert int(r.filled.sum()) == 65  # METHODS.md §16: 65 NAs after denomination, all filled
    cov = r.to_frame(codes)
    assert int((cov["n_filled"] > 0).sum()) == 18 and cov["n_still_missing"].sum() == 0


def test_group_mean_and_median_by_year_and_pooled() -> None:
    nan = np.nan
    cube = np.array(
        [
            [[1.0], [3.0], [nan], [10.0], [nan]],
            [[5.0], [nan], [nan], [nan], [nan]],
        ]
    )  # T=2, R=5, m=1
    groups = np.array(["a", "a", "a", "b", "b"])
    by_year = impute.group_mean(cube, groups=groups).values[..., 0]
    np.testing.assert_allclose(by_year, [[1, 3, 2, 10, 10], [5, 5, 5, nan, nan]])
    pooled = impute.group_mean(cube, groups=groups, scope="pooled").values[..., 0]
    np.testing.assert_allclose(pooled, [[1, 3, 3, 10, 10], [5, 3, 3, 10, 10]])
    med = impute.group_median(cube, groups=groups, scope="pooled").values[..., 0]
    np.testing.assert_allclose(med, [[1, 3, 3, 10, 10], [5, 3, 3, 10, 10]])
    overall = impute.median(cube).values[..., 0]
    np.testing.assert_allclose(overall, [[1, 3, 3, 10, 3], [5, 5, 5, 5, 5]])
    r = impute.mean(cube, scope="pooled")
    np.testing.assert_allclose(r.values[1, 1, 0], (1 + 3 + 10 + 5) / 4)


def test_regions_without_a_group_are_left_alone() -> None:
    nan = np.nan
    cube = np.array([[[1.0], [nan], [100.0], [nan], [3.0]]])
    for groups in (["a", "a", None, None, "a"], [0, 0, -1, -1, 0], [0.0, 0.0, nan, nan, 0.0]):
        r = impute.group_mean(cube, groups=groups)
        np.testing.assert_allclose(r.values.ravel(), [1.0, 2.0, 100.0, nan, 3.0])
        m = impute.group_median(cube, groups=groups)
        np.testing.assert_allclose(m.values.ravel(), [1.0, 2.0, 100.0, nan, 3.0])
    none = impute.group_mean(cube, groups=[None] * 5)
    assert not none.filled.any()


def test_linear_with_unequal_years_and_locf_nocb() -> None:
    nan = np.nan
    series = np.array([nan, 2.0, nan, 8.0, nan]).reshape(5, 1, 1)
    years = [2010, 2012, 2013, 2016, 2020]
    r = impute.linear(series, times=years)
    np.testing.assert_allclose(r.values.ravel(), [nan, 2.0, 2.0 + 6.0 / 4, 8.0, nan])
    np.testing.assert_array_equal(r.filled.ravel(), [False, False, True, False, False])
    np.testing.assert_allclose(impute.locf(series).values.ravel(), [nan, 2, 2, 8, 8])
    np.testing.assert_allclose(impute.nocb(series).values.ravel(), [2, 2, 8, 8, nan])
    empty = np.full((3, 2, 1), nan)
    assert np.isnan(impute.linear(empty, extrapolate=True).values).all()


cube_strategy = arrays(
    np.float64,
    st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 3)),
    elements=st.one_of(st.floats(-1e3, 1e3), st.just(np.nan)),
)

METHODS: list[tuple[str, dict[str, Any]]] = [
    ("none", {}),
    ("linear", {}),
    ("linear", {"extrapolate": True}),
    ("locf", {}),
    ("nocb", {}),
    ("mean", {}),
    ("median", {"scope": "pooled"}),
]


@settings(max_examples=60, deadline=None)
@given(x=cube_strategy, data=st.data())
def test_observed_cells_never_change(x: np.ndarray, data: st.DataObject) -> None:
    groups = np.asarray(data.draw(st.lists(st.integers(0, 2), min_size=x.shape[1], max_size=x.shape[1])))
    runs = [getattr(impute, name)(x, **params) for name, params in METHODS]
    runs += [impute.group_mean(x, groups=groups), impute.group_median(x, groups=groups, scope="pooled")]
    observed = ~np.isnan(x)
    for r in runs:
        np.testing.assert_array_equal(r.values[observed], x[observed])
        assert not (r.filled & observed).any()
        np.testing.assert_array_equal(r.filled, np.isnan(x) & ~np.isnan(r.values))


@pytest.mark.parametrize(
    ("name", "params"),
    [*METHODS, ("group_mean", {"groups": [0, 1, 0, 1, 1]}), ("group_median", {"groups": [0, 1, 0, 1, 1]})],
)
def test_broadcasting_batch_equals_items(name: str, params: dict[str, Any]) -> None:
    rng = np.random.default_rng(4)
    x = rng.random((3, 2, 6, 5, 3))
    x[rng.random(x.shape) < 0.3] = np.nan
    f = getattr(impute, name)
    batch = f(x, **params)
    for i in range(3):
        for j in range(2):
            item = f(x[i, j], **params)
            np.testing.assert_allclose(batch.values[i, j], item.values, rtol=1e-13)
            np.testing.assert_array_equal(batch.filled[i, j], item.filled)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: impute.group_mean(np.zeros((1, 3, 1)), groups=[0, 1]), "one label per region (3)"),
        (lambda: impute.mean(np.zeros((1, 2, 1)), scope="global"), "scope must be one of"),
        (lambda: impute.linear(np.zeros((3, 1, 1)), times=[2000, 2000, 2001]), "strictly increasing"),
        (lambda: impute.locf(np.zeros((3, 1))), "at least 3 axes"),
    ],
)
def test_bad_parameters_raise(call: Any, fragment: str) -> None:
    with pytest.raises(HqdError) as err:
        call()
    assert err.value.codes == ["invalid_parameter"]
    assert fragment in str(err.value)
