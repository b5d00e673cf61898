"""Scatter-degree and independence weights against their definitions (eigen-maximisation, OLS R²)."""

from __future__ import annotations

import numpy as np
import pytest

from hqd.errors import HqdError
from hqd.methods.dispersion import independence, scatter_degree


def _panel(seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(60, 1))
    return common + 0.6 * rng.normal(size=(60, 5))  # positively correlated indicators, as HQD panels are


def test_scatter_degree_maximises_the_total_spread() -> None:
    x = _panel()
    result = scatter_degree(x)
    w = result.weights
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    h = z.T @ z
    unit = w / np.linalg.norm(w)
    assert unit @ h @ unit == pytest.approx(float(np.linalg.eigvalsh(h)[-1]))
    assert float(result.details["lambda_max"]) == pytest.approx(float(np.linalg.eigvalsh(h)[-1]))
    rng = np.random.default_rng(0)
    for _ in range(200):
        other = np.abs(rng.normal(size=5))
        other /= np.linalg.norm(other)
        assert other @ h @ other <= unit @ h @ unit + 1e-9
    assert w.sum() == pytest.approx(1.0) and np.all(w > 0)


def test_scatter_degree_pools_years_as_one_cross_product() -> None:
    """H = Σ_t A_tᵀ A_t: the stacked panel gives the same weights however the years are split."""
    x = _panel()
    batched = scatter_degree(x.reshape(1, 60, 5))
    np.testing.assert_allclose(batched.weights[0], scatter_degree(x).weights)


def test_independence_r_is_the_multiple_correlation() -> None:
    x = _panel(5)
    result = independence(x)
    for j in range(5):
        others = np.column_stack([np.ones(60), np.delete(x, j, axis=1)])
        fit = others @ np.linalg.lstsq(others, x[:, j], rcond=None)[0]
        r2 = 1 - np.sum((x[:, j] - fit) ** 2) / np.sum((x[:, j] - x[:, j].mean()) ** 2)
        assert result.details["R"][j] == pytest.approx(np.sqrt(r2), abs=1e-10)
    raw = 1 / result.details["R"]
    np.testing.assert_allclose(result.weights, raw / raw.sum())


def test_bad_inputs() -> None:
    x = _panel()
    with pytest.raises(HqdError):
        independence(np.column_stack([x, x[:, 0] + x[:, 1]]))  # an exact combination
    with pytest.raises(HqdError):
        independence(x[:4])  # fewer observations than indicators + 1
    with pytest.raises(HqdError):
        scatter_degree(np.column_stack([x[:, 0], -x[:, 0] + 0.01 * x[:, 1]]))  # negatively correlated
