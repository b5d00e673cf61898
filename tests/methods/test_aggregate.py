"""Aggregation: COINr ASEM aggregates, entropy-TOPSIS of pymcdm, NA/zero policies, broadcasting, bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from methods_refdata import asem, matrix_8x5, peer

from hqd.errors import HqdError
from hqd.methods import aggregate, normalize, weight


def test_arithmetic_reproduces_coinr_asem_tree(shared: Path) -> None:
    """Level by level (pillars ← indicators, sub-indices ← pillars, Index ← Conn, Sust), iMeta weights."""
    steps = asem(shared)
    meta, results = steps["iMeta"], steps["results"]
    scores = results.copy()
    for level in (2, 3, 4):
        for _, node in meta[meta["Level"] == level].iterrows():
            children = meta[meta["Parent"] == node["iCode"]]
            x = scores[children["iCode"].tolist()].to_numpy(dtype=float)
            out = aggregate.arithmetic(x, children["Weight"].to_numpy(dtype=float))
            np.testing.assert_allclose(out, results[node["iCode"]].to_numpy(dtype=float), rtol=1e-12)
            scores[node["iCode"]] = out
    top = scores["Index"].sort_values(ascending=False).round(2)
    assert top.head(5).to_dict() == {"CHE": 68.38, "NLD": 64.82, "DNK": 64.80, "NOR": 64.47, "BEL": 63.54}


def test_entropy_topsis_reproduces_pymcdm(shared: Path) -> None:
    x, d = matrix_8x5(shared)
    z = normalize.minmax(x, d)
    w = weight.entropy(z, shift=1e-4).weights
    r = aggregate.topsis(z, w)
    expected = peer(shared, "mcda_pymcdm")["hqd_convention"][
        "topsis_with_those_entropy_weights_minmax_default"
    ]
    np.testing.assert_allclose(r.values, expected, rtol=1e-9)
    pyrepo = peer(shared, "mcda_pyrepo")["hqd_convention"]["topsis_with_entropy_on_minmax_plus_1e-4"]
    np.testing.assert_allclose(r.values, pyrepo, rtol=1e-9)
    np.testing.assert_allclose(r.v_plus, w * z.max(axis=0))
    np.testing.assert_allclose(r.values, r.d_minus / (r.d_plus + r.d_minus))
    assert list(r.to_frame([f"A{i}" for i in range(1, 9)]).columns) == ["C", "D_plus", "D_minus"]


def test_topsis_equal_weights_reproduces_pymcdm(shared: Path) -> None:
    x, d = matrix_8x5(shared)
    r = aggregate.topsis(normalize.minmax(x, d), np.full(5, 0.2))
    expected = peer(shared, "mcda_pymcdm")["topsis"]["equal_weights_minmax_default"]
    np.testing.assert_allclose(r.values, expected, rtol=1e-9)


def test_topsis_variants() -> None:
    z = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.2, 0.6]])
    w = np.array([0.7, 0.3])
    fixed = aggregate.topsis(z, w, ideal="fixed")  # observed extremes are 0 and 1 here: same result
    np.testing.assert_allclose(fixed.values, aggregate.topsis(z, w).values)
    wd = aggregate.topsis(z, w, weighted_distance=True)
    dp = np.sqrt((w * (z - 1) ** 2).sum(axis=1))
    dm = np.sqrt((w * z**2).sum(axis=1))
    np.testing.assert_allclose(wd.values, dm / (dp + dm))
    scaled = aggregate.topsis(z * 0.5 + 0.25, w, ideal="fixed", lo=0.0, hi=1.0)
    assert np.all(scaled.values > 0) and np.all(scaled.values < 1)
    missing = z.copy()
    missing[3, 0] = np.nan
    skip = aggregate.topsis(missing, w)
    row = np.array([0.6]) * 0.3
    np.testing.assert_allclose(skip.d_plus[3], abs(row - 0.3)[0])
    assert np.isnan(aggregate.topsis(missing, w, na="propagate").values[3])


def test_means_and_policies() -> None:
    x = np.array([[0.5, 0.8, 2.0], [1.0, np.nan, 4.0], [np.nan, np.nan, np.nan]])
    w = np.array([1.0, 2.0, 1.0])
    ari = aggregate.arithmetic(x, w)
    np.testing.assert_allclose(ari[:2], [(0.5 + 1.6 + 2.0) / 4, (1.0 + 4.0) / 2])
    assert np.isnan(ari[2])
    geo = aggregate.geometric(x, w)
    np.testing.assert_allclose(geo[:2], [np.exp((np.log(0.5) + 2 * np.log(0.8) + np.log(2)) / 4), 2.0])
    har = aggregate.harmonic(x, w)
    np.testing.assert_allclose(har[:2], [4 / (1 / 0.5 + 2 / 0.8 + 1 / 2), 2 / (1 + 1 / 4)])
    np.testing.assert_allclose(aggregate.generalised(x, w, p=1), ari)
    np.testing.assert_allclose(aggregate.generalised(x, w, p=-1), har)
    np.testing.assert_allclose(aggregate.generalised(x, w, p=1e-9), geo, rtol=1e-6)  # p → 0 limit
    prop = aggregate.geometric(x, w, na="propagate")
    assert np.isnan(prop[1]) and prop[0] == pytest.approx(geo[0])


def test_zero_policies() -> None:
    x = np.array([[0.0, 0.5], [0.25, 1.0]])
    w = [1.0, 1.0]
    with pytest.raises(HqdError) as err:
        aggregate.geometric(x, w)
    assert err.value.codes == ["nonpositive_value"] and "index [0, 0]" in str(err.value)
    na = aggregate.geometric(x, w, zero="na")
    assert np.isnan(na[0]) and na[1] == pytest.approx(0.5)
    eps = aggregate.geometric(x, w, zero="epsilon", epsilon=1e-4)
    np.testing.assert_allclose(eps, [np.sqrt(1e-4 * 0.5), 0.5])
    shifted = aggregate.geometric(x, w, zero="shift", shift=1.0)
    np.testing.assert_allclose(shifted, [np.sqrt(1.0 * 1.5), np.sqrt(1.25 * 2.0)])
    np.testing.assert_array_equal(aggregate.zero_affected(x), [[True, False], [False, False]])
    assert np.isnan(aggregate.harmonic(x, w, zero="na")[0])
    with pytest.raises(HqdError) as err2:
        aggregate.generalised(x, w, p=-2)
    assert err2.value.codes == ["nonpositive_value"]


@settings(max_examples=50, deadline=None)
@given(
    x=arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 5)), elements=st.floats(0.01, 100)),
    data=st.data(),
)
def test_mean_inequality(x: np.ndarray, data: st.DataObject) -> None:
    w = np.asarray(data.draw(st.lists(st.floats(0.01, 5), min_size=x.shape[1], max_size=x.shape[1])))
    h, g, a = aggregate.harmonic(x, w), aggregate.geometric(x, w), aggregate.arithmetic(x, w)
    assert np.all(h <= g * (1 + 1e-9)) and np.all(g <= a * (1 + 1e-9))
    assert np.all(a >= x.min(axis=1) * (1 - 1e-12)) and np.all(a <= x.max(axis=1) * (1 + 1e-12))


CASES: list[tuple[str, dict[str, Any]]] = [
    ("arithmetic", {}),
    ("geometric", {}),
    ("harmonic", {}),
    ("generalised", {"p": 0.5}),
    ("generalised", {"p": -2.0}),
]


@pytest.mark.parametrize(("name", "params"), CASES)
def test_broadcasting_batch_equals_items(name: str, params: dict[str, Any]) -> None:
    rng = np.random.default_rng(5)
    x = rng.random((3, 2, 7, 4)) + 0.05
    x[2, 1, 0, 3] = np.nan
    w = rng.random((3, 2, 4))
    f = getattr(aggregate, name)
    batch = f(x, w, **params)
    assert batch.shape == (3, 2, 7)
    for i in range(3):
        for j in range(2):
            np.testing.assert_allclose(batch[i, j], f(x[i, j], w[i, j], **params), rtol=1e-13)
    shared_w = f(x, w[0, 0], **params)
    np.testing.assert_allclose(shared_w[1, 1], f(x[1, 1], w[0, 0], **params), rtol=1e-13)


def test_topsis_broadcasts_by_year() -> None:
    rng = np.random.default_rng(9)
    x = rng.random((3, 2, 6, 4))
    w = rng.random(4)
    batch = aggregate.topsis(x, w)
    assert batch.values.shape == (3, 2, 6) and batch.v_plus.shape == (3, 2, 4)
    for i in range(3):
        for j in range(2):
            item = aggregate.topsis(x[i, j], w)
            for key in ("values", "d_plus", "d_minus", "v_plus", "v_minus"):
                np.testing.assert_allclose(getattr(batch, key)[i, j], getattr(item, key), rtol=1e-13)


@pytest.mark.parametrize(
    ("call", "code", "fragment"),
    [
        (lambda: aggregate.arithmetic([[1.0, 2.0]], [1.0]), "invalid_parameter", "one weight per child"),
        (lambda: aggregate.arithmetic([[1.0, 2.0]], [1.0, -1.0]), "invalid_parameter", "finite and >= 0"),
        (
            lambda: aggregate.arithmetic([[1.0, 2.0]], [1.0, 1.0], na="drop"),
            "invalid_parameter",
            "na must be one of",
        ),
        (
            lambda: aggregate.geometric([[1.0, 2.0]], [1.0, 1.0], zero="clip"),
            "invalid_parameter",
            "zero must be",
        ),
        (
            lambda: aggregate.geometric([[0.0, 2.0]], [1, 1], zero="epsilon", epsilon=0),
            "invalid_parameter",
            "epsilon",
        ),
        (lambda: aggregate.generalised([[-1.0, 2.0]], [1, 1], p=2), "negative_value", "values >= 0"),
        (lambda: aggregate.topsis([[1.0, 2.0]], [1, 1], ideal="best"), "invalid_parameter", "ideal must be"),
    ],
)
def test_bad_parameters_raise(call: Any, code: str, fragment: str) -> None:
    with pytest.raises(HqdError) as err:
        call()
    assert err.value.codes == [code]
    assert fragment in str(err.value)
