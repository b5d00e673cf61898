"""Weights: peer reference values (pymcdm, pyrepo-mcda, scikit-criteria, pyDecision, mathmodels), properties."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from methods_refdata import matrix_8x5, peer

from hqd.errors import HqdError
from hqd.methods import normalize, weight

RTOL = 1e-9


def _minmax(shared: Path) -> np.ndarray:
    x, d = matrix_8x5(shared)
    return normalize.minmax(x, d)


def test_entropy_reproduces_pyrepo_and_pymcdm(shared: Path) -> None:
    z = _minmax(shared)
    pyrepo = peer(shared, "mcda_pyrepo")["hqd_convention"]
    pymcdm = peer(shared, "mcda_pymcdm")
    np.testing.assert_allclose(
        weight.entropy(z).weights, pyrepo["entropy_weighting_on_minmax_unshifted_0log0=0"], rtol=RTOL
    )
    shifted = weight.entropy(z, shift=1e-4)
    np.testing.assert_allclose(shifted.weights, pyrepo["entropy_weighting_on_minmax_plus_1e-4"], rtol=RTOL)
    np.testing.assert_allclose(
        shifted.weights, pymcdm["hqd_convention"]["entropy_weights_on_minmax_plus_1e-4"], rtol=RTOL
    )
    x, _ = matrix_8x5(shared)
    np.testing.assert_allclose(weight.entropy(x).weights, pymcdm["raw_matrix"]["entropy_weights"], rtol=RTOL)
    e, d = shifted.details["e"], shifted.details["d"]
    np.testing.assert_allclose(d, 1 - e)
    assert np.all((e > 0) & (e < 1))


def test_critic_reproduces_direction_aware_peers(shared: Path) -> None:
    r = weight.critic(_minmax(shared))
    others = peer(shared, "mcda_other_peers")
    for expected in (
        peer(shared, "mcda_pyrepo")["hqd_convention"]["critic_weighting_on_minmax_directional"],
        peer(shared, "mcda_pymcdm")["hqd_convention"]["critic_weights_on_minmax_directional"],
        others["scikit-criteria"]["CRITIC_pearson_raw"],
        peer(shared, "mathmodels_R")["critic_weight_w"],
    ):
        np.testing.assert_allclose(r.weights, expected, rtol=RTOL)
    # pyDecision adds 1e-9 guards: agreement to ~1e-9 only
    np.testing.assert_allclose(r.weights, others["pyDecision"]["critic_method_raw"], rtol=1e-7)
    np.testing.assert_allclose(r.details["C"], r.details["sigma"] * r.details["conflict"])


def test_cv_and_std_reproduce_peers(shared: Path) -> None:
    x, _ = matrix_8x5(shared)
    z = _minmax(shared)
    pyrepo = peer(shared, "mcda_pyrepo")
    pymcdm = peer(shared, "mcda_pymcdm")
    np.testing.assert_allclose(weight.cv(x).weights, pyrepo["raw_matrix"]["coeff_var_weighting"], rtol=RTOL)
    np.testing.assert_allclose(weight.cv(x).weights, peer(shared, "mathmodels_R")["cv_weight_raw"], rtol=RTOL)
    np.testing.assert_allclose(
        weight.cv(z + 1e-4).weights,
        pyrepo["hqd_convention"]["coeff_var_weighting_on_minmax_plus_1e-4"],
        rtol=RTOL,
    )
    np.testing.assert_allclose(weight.cv(x, ddof=0).weights, weight.cv(x, ddof=1).weights, rtol=1e-14)
    np.testing.assert_allclose(
        weight.std(z).weights, pyrepo["hqd_convention"]["std_weighting_on_minmax_directional"], rtol=RTOL
    )
    np.testing.assert_allclose(
        weight.std(x).weights, pymcdm["raw_matrix"]["standard_deviation_weights"], rtol=RTOL
    )


@pytest.mark.parametrize(
    ("method", "peer_key", "ri_table"),
    [
        ("eigenvector", "max_eigen", "saaty"),
        ("geometric", "geometric", "saaty"),
        ("mean", "mean", "saaty"),
    ],
)
def test_ahp_reproduces_pydecision(shared: Path, method: str, peer_key: str, ri_table: str) -> None:
    a = np.loadtxt(shared / "reference" / "ahp_pairwise_4x4.csv", delimiter=",")
    expected = peer(shared, "ahp_peers")["pyDecision"][peer_key]
    r = weight.ahp(matrix=a, method=method, ri_table=ri_table)  # type: ignore[arg-type]
    np.testing.assert_allclose(r.weights, expected["weights"], rtol=RTOL)
    np.testing.assert_allclose(r.details["CR"], expected["CR"], rtol=RTOL)
    assert bool(r.details["consistent"])


def test_ahp_reproduces_pymcdm_and_mathmodels(shared: Path) -> None:
    a = np.loadtxt(shared / "reference" / "ahp_pairwise_4x4.csv", delimiter=",")
    peers = peer(shared, "ahp_peers")
    tl = weight.ahp(matrix=a, ri_table="tummala_ling")
    np.testing.assert_allclose(tl.weights, peers["pymcdm"]["weights"], rtol=RTOL)
    np.testing.assert_allclose(tl.details["CR"], peers["pymcdm"]["CR"], rtol=RTOL)
    assert float(tl.details["RI"]) == peers["pymcdm"]["RI_used_n4"]
    np.testing.assert_allclose(tl.weights, peers["pyrepo-mcda"]["eigenvector_weights"], rtol=RTOL)
    geo = weight.ahp(matrix=a, method="geometric")
    np.testing.assert_allclose(geo.weights, peers["pyrepo-mcda"]["geometric_mean_weights"], rtol=RTOL)
    mm = peer(shared, "mathmodels_R")
    saaty = weight.ahp(matrix=a)
    np.testing.assert_allclose(saaty.weights, mm["AHP_w"], rtol=RTOL)
    np.testing.assert_allclose(saaty.details["lambda_max"], mm["AHP_Lmax"][0], rtol=RTOL)
    np.testing.assert_allclose(saaty.details["CI"], mm["AHP_CI"][0], rtol=RTOL)
    np.testing.assert_allclose(saaty.details["CR"], mm["AHP_CR"][0], rtol=RTOL)


def test_ahp_flags_inconsistency_and_small_matrices() -> None:
    bad = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    r = weight.ahp(matrix=bad)
    assert float(r.details["CR"]) > 0.1 and not bool(r.details["consistent"])
    two = weight.ahp(matrix=[[1, 3], [1 / 3, 1]])
    np.testing.assert_allclose(two.weights, [0.75, 0.25])
    assert float(two.details["CR"]) == 0.0


def test_ahp_rejects_non_reciprocal_with_the_cell() -> None:
    with pytest.raises(HqdError) as err:
        weight.ahp(matrix=[[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 3, 1]])
    assert err.value.codes == ["invalid_parameter"]
    assert "cell (2, 3) = 2.0 and (3, 2)" in str(err.value)
    with pytest.raises(HqdError, match="must be square"):
        weight.ahp(matrix=[[1, 2, 3], [0.5, 1, 2]])
    with pytest.raises(HqdError, match=r"cell \(1, 2\) must be a positive number"):
        weight.ahp(matrix=[[1, -2], [-0.5, 1]])


def test_pca_variants() -> None:
    rng = np.random.default_rng(3)
    f = rng.normal(size=(200, 1))
    x = np.hstack([f + 0.1 * rng.normal(size=(200, 3)), rng.normal(size=(200, 2))])
    pc1 = weight.pca(x)
    # the three indicators that load on the common factor dominate the first component
    assert pc1.weights[:3].min() > 3 * pc1.weights[3:].max()
    lam = pc1.details["eigenvalues"]
    np.testing.assert_allclose(lam.sum(), 5)
    assert np.all(np.diff(lam) <= 0)
    vw = weight.pca(x, variant="variance_weighted")
    assert float(vw.details["n_components"]) >= 2
    np.testing.assert_allclose(vw.weights.sum(), 1)


def test_manual_equal_combined() -> None:
    assert weight.equal(np.zeros((2, 3, 4))).weights.shape == (2, 4)
    np.testing.assert_allclose(weight.manual(np.zeros((2, 5, 3)), [1, 1, 2]).weights, [[0.25, 0.25, 0.5]] * 2)
    c = weight.combined(weight.manual(None, [2, 1, 1]), [1, 1, 2], alpha=0.25)
    np.testing.assert_allclose(
        c.weights, 0.25 * np.array([0.5, 0.25, 0.25]) + 0.75 * np.array([0.25, 0.25, 0.5])
    )


def test_to_frame() -> None:
    r = weight.entropy(np.array([[0.1, 0.5], [0.9, 0.6], [0.4, 0.55]]))
    frame = r.to_frame(["a", "b"])
    assert list(frame.columns) == ["indicator", "weight", "e", "d"]
    assert frame["indicator"].tolist() == ["a", "b"]
    ahp = weight.ahp(matrix=[[1, 2], [0.5, 1]]).to_frame(["x", "y"])
    assert "CR" in ahp.columns and ahp["CR"].tolist() == [0.0, 0.0]
    batched = weight.entropy(np.random.default_rng(0).random((2, 4, 3))).to_frame()
    assert len(batched) == 6 and "batch_0" in batched.columns
    assert isinstance(frame, pd.DataFrame)


positive = st.floats(0.01, 1e4, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(x=arrays(np.float64, st.tuples(st.integers(3, 12), st.integers(2, 5)), elements=positive))
def test_weights_nonnegative_and_sum_to_one(x: np.ndarray) -> None:
    results = [weight.entropy(x), weight.cv(x), weight.std(x), weight.equal(x)]
    z = normalize.minmax(x, np.ones(x.shape[1]))
    if not np.isnan(z).any() and np.all(np.std(z, axis=0) > 1e-6):
        results += [weight.critic(z), weight.pca(z), weight.pca(z, variant="variance_weighted")]
    for r in results:
        w = r.weights
        if np.isnan(w).any():  # every column constant: documented NaN
            continue
        assert np.all(w >= 0)
        np.testing.assert_allclose(w.sum(), 1.0, rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    x=arrays(np.float64, st.tuples(st.integers(3, 12), st.integers(2, 5)), elements=positive),
    factor=st.floats(1e-3, 1e3),
    data=st.data(),
)
def test_entropy_invariant_to_rescaling_an_indicator(
    x: np.ndarray, factor: float, data: st.DataObject
) -> None:
    j = data.draw(st.integers(0, x.shape[1] - 1))
    y = x.copy()
    y[:, j] *= factor
    np.testing.assert_allclose(weight.entropy(y).weights, weight.entropy(x).weights, rtol=1e-9, atol=1e-12)


CASES: list[tuple[str, dict[str, Any]]] = [
    ("equal", {}),
    ("entropy", {"shift": 1e-4}),
    ("critic", {}),
    ("cv", {}),
    ("std", {}),
    ("pca", {}),
    ("pca", {"variant": "variance_weighted"}),
]


@pytest.mark.parametrize(("name", "params"), CASES)
def test_broadcasting_batch_equals_items(name: str, params: dict[str, Any]) -> None:
    rng = np.random.default_rng(11)
    x = rng.random((3, 2, 10, 4)) + 0.1
    x[1, 0, 3, 1] = np.nan
    f = getattr(weight, name)
    batch = f(x, **params)
    assert batch.weights.shape == (3, 2, 4)
    for i in range(3):
        for j in range(2):
            item = f(x[i, j], **params)
            np.testing.assert_allclose(batch.weights[i, j], item.weights, rtol=1e-10)
            for key, value in item.details.items():
                np.testing.assert_allclose(batch.details[key][i, j], value, rtol=1e-9, atol=1e-12)


def test_ahp_and_combined_broadcast() -> None:
    a = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    b = np.array([[1, 2, 2], [1 / 2, 1, 1], [1 / 2, 1, 1]])
    batch = weight.ahp(matrix=np.stack([a, b]))
    for i, m in enumerate((a, b)):
        item = weight.ahp(matrix=m)
        np.testing.assert_allclose(batch.weights[i], item.weights, rtol=1e-12)
        np.testing.assert_allclose(batch.details["CR"][i], item.details["CR"], rtol=1e-9, atol=1e-15)
    w2 = np.random.default_rng(2).random((3, 2, 3))
    comb = weight.combined(batch.weights[0], w2, method="multiplicative")
    assert comb.weights.shape == (3, 2, 3)
    np.testing.assert_allclose(
        comb.weights[2, 1], weight.combined(batch.weights[0], w2[2, 1], "multiplicative").weights
    )


@pytest.mark.parametrize(
    ("call", "code", "fragment"),
    [
        (lambda: weight.manual(None, [1, -1]), "invalid_parameter", "must be >= 0"),
        (lambda: weight.manual(None, [0, 0]), "invalid_parameter", "must not all be zero"),
        (lambda: weight.entropy([[-1.0, 1.0], [2.0, 3.0]]), "negative_value", "non-negative data"),
        (lambda: weight.critic([[1.0, 2.0], [1.0, 3.0], [1.0, 5.0]]), "constant_indicator", "positions [0]"),
        (lambda: weight.cv([[-1.0, 1.0], [-2.0, 3.0]]), "nonpositive_value", "positions [0]"),
        (lambda: weight.pca([[1.0, 2.0]], variant="pc2"), "invalid_parameter", "variant must be one of"),
        (lambda: weight.ahp(matrix=np.eye(3), ri_table="x"), "invalid_parameter", "ri_table must be one of"),
        (lambda: weight.combined([0.5, 0.5], [0.5, 0.5], alpha=1.5), "invalid_parameter", "alpha must be in"),
        (
            lambda: weight.combined([1, 0], [0, 1], method="multiplicative"),
            "invalid_parameter",
            "zero for every",
        ),
    ],
)
def test_bad_parameters_raise(call: Any, code: str, fragment: str) -> None:
    with pytest.raises(HqdError) as err:
        call()
    assert err.value.codes == [code]
    assert fragment in str(err.value)
