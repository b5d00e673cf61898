"""Kernel density (replicates statsmodels and scipy) and Markov chains (counts by construction)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.nonparametric.bandwidths import bw_silverman
from statsmodels.nonparametric.kde import KDEUnivariate

from hqd.analysis import kernel_density, markov_transition
from hqd.errors import HqdError


def _sample(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(0.3, 0.05, 40), rng.normal(0.7, 0.04, 25)])


def test_silverman_density_equals_statsmodels_kdeunivariate() -> None:
    x = _sample()
    r = kernel_density(x)
    assert r.bandwidth[0] == pytest.approx(bw_silverman(x), rel=1e-12)
    kde = KDEUnivariate(x)
    kde.fit(kernel="gau", bw="silverman", fft=False)
    np.testing.assert_allclose(r.density[0], kde.evaluate(r.grid), rtol=1e-10, atol=1e-12)


def test_scott_density_equals_scipy_gaussian_kde() -> None:
    x = _sample(1)
    r = kernel_density(x, "scott")
    np.testing.assert_allclose(r.density[0], stats.gaussian_kde(x)(r.grid), rtol=1e-10, atol=1e-12)
    fixed = kernel_density(x, 0.05)
    assert fixed.rule == "fixed 0.05" and fixed.bandwidth[0] == 0.05


def test_curve_summary_reads_peaks_and_half_width() -> None:
    # A deterministic normal sample (quantiles): the KDE is N(0, 1 + h²) to within a fraction of a percent.
    x = stats.norm.ppf((np.arange(2000) + 0.5) / 2000)
    r = kernel_density(x, n_grid=2001)
    expected = 2 * np.sqrt(2 * np.log(2)) * np.sqrt(1 + r.bandwidth[0] ** 2)
    assert r.width[0] == pytest.approx(expected, rel=5e-3)
    assert abs(r.peak_x[0]) < 0.01 and r.n_peaks[0] == 1
    assert kernel_density(_sample()).n_peaks[0] == 2


def test_density_is_computed_per_year_on_a_common_grid() -> None:
    rng = np.random.default_rng(2)
    long = pd.DataFrame([(f"r{i}", t, rng.uniform(0, 1) + 0.1 * (t - 2020)) for i in range(30)
                         for t in (2020, 2021, 2022)], columns=["region", "year", "score"])
    r = kernel_density(long)
    assert r.density.shape == (3, 256)
    for k, year in enumerate((2020, 2021, 2022)):
        one = long.loc[long["year"] == year, "score"].to_numpy()
        single = kernel_density(one, grid=r.grid)
        np.testing.assert_allclose(r.density[k], single.density[0], rtol=1e-12)
    areas = r.density.sum(axis=1) * (r.grid[1] - r.grid[0])
    np.testing.assert_allclose(areas, 1.0, atol=1e-3)
    assert list(r.to_frame()["year"]) == [2020, 2021, 2022] and len(r.curves_frame()) == 3 * 256


def test_density_refuses_a_year_without_spread() -> None:
    long = pd.DataFrame({"region": ["a", "b", "a", "b"], "year": [1, 1, 2, 2], "score": [0.5, 0.5, 0.1, 0.9]})
    with pytest.raises(HqdError) as err:
        kernel_density(long)
    assert [(p.code, p.year) for p in err.value.problems] == [("zero_variance", 1)]
    with pytest.raises(HqdError, match="valid: silverman, scott"):
        kernel_density(long.iloc[2:], "normal_reference")


def test_markov_counts_every_move_between_quantile_classes() -> None:
    # 4 regions, 3 years; pooled quartiles of the 12 values are at ranks 3, 6, 9, 12.
    values = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]])
    r = markov_transition(values, k=4)
    classes = r.classes.to_numpy().T - 1  # (years, regions), 0-based
    expected = np.zeros((4, 4), dtype=int)
    for t in range(2):
        for i in range(4):
            expected[classes[t, i], classes[t + 1, i]] += 1
    np.testing.assert_array_equal(r.counts, expected)
    assert classes[0].tolist() == [0, 0, 0, 1] and classes[2].tolist() == [2, 3, 3, 3]  # 3 = bound → lower class
    assert r.counts.sum() == 8
    defined = ~np.isnan(r.probabilities).any(axis=1)
    np.testing.assert_allclose(r.probabilities[defined].sum(axis=1), 1.0)
    assert np.isnan(r.steady_state).all()  # a class nobody starts in leaves its row undefined


def test_steady_state_and_spatial_markov_are_consistent() -> None:
    import libpysal

    rng = np.random.default_rng(5)
    values = rng.uniform(size=(8, 16))
    lattice = libpysal.weights.lat2W(4, 4)
    w = libpysal.weights.W({str(k): [str(v) for v in vs] for k, vs in lattice.neighbors.items()},
                           id_order=[str(i) for i in range(16)])
    long = pd.DataFrame([(str(i), 2000 + t, values[t, i]) for t in range(8) for i in range(16)],
                        columns=["region", "year", "score"])
    r = markov_transition(long, k=3, w=w)
    assert r.spatial_counts.shape == (3, 3, 3)
    np.testing.assert_array_equal(r.spatial_counts.sum(axis=0), r.counts)
    pi = r.steady_state
    np.testing.assert_allclose(pi @ r.probabilities, pi, atol=1e-12)
    assert pi.sum() == pytest.approx(1.0)
    frame = r.to_frame()
    assert set(frame["lag_class"]) == {"all", "1", "2", "3"} and frame["count"].sum() == 2 * r.counts.sum()


def test_markov_refuses_collapsing_classes_and_single_years() -> None:
    tied = np.array([[1.0, 1.0, 1.0, 2.0], [1.0, 1.0, 1.0, 1.0]])
    with pytest.raises(HqdError) as err:
        markov_transition(tied, k=4)
    assert err.value.codes == ["degenerate_classes"]
    with pytest.raises(HqdError) as err:
        markov_transition(np.arange(5.0), k=2)
    assert err.value.codes == ["too_few_years"]
    per_year = markov_transition(np.array([[1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]]), k=2, scope="per_year")
    np.testing.assert_array_equal(per_year.counts, [[0, 2], [2, 0]])
