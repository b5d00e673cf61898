"""Objective weights from how indicators spread out and overlap: the scatter-degree method (纵横向拉开档次法)
and independence weights (独立性权数法).

Both take directional, normalised data ``x`` of shape ``(..., n, m)`` (n observations × m indicators, any
leading batch axes) and return a :class:`~hqd.methods.weight.WeightResult`, like the other data-driven
weights.  The coefficient-of-variation weights that SPSSAU calls 信息量权数法 (information weights) are
:func:`hqd.methods.weight.cv`: the same formula, one name.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from hqd.methods._arrays import FloatArray, as_data, invalid
from hqd.methods.catalog import Param, Properties, register
from hqd.methods.weight import WeightResult

_DATA = Properties(data_driven=True)


def _standardise(x: FloatArray) -> FloatArray:
    """Column z-scores over axis -2 (NaN ignored; a constant column becomes 0)."""
    mean = np.nanmean(x, axis=-2, keepdims=True)
    sd = np.nanstd(x, axis=-2, ddof=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(sd > 0, (x - mean) / sd, 0.0)
    return np.where(np.isnan(x), 0.0, z)


@register("weight", "scatter_degree", properties=_DATA,
          standardise=Param(bool, True, "z-score the columns first (郭亚军's x*); false: use x as given"))
def scatter_degree(x: ArrayLike, standardise: bool = True) -> WeightResult:
    """Scatter-degree weights (纵横向拉开档次法, 郭亚军): the w maximising the panel's total spread Σ_t Σ_i y_it².

    Formula (郭亚军 2002, 管理科学学报 5(2); 郭亚军 2007 《综合评价理论、方法及应用》)
        With standardised values ``x*`` stacked over all years (``sample: pooled`` passes every region-year
        at once, so the stacked cross-product is ``H = Σ_t A_tᵀ A_t``), the evaluation ``y = x* w`` has total
        squared deviation ``σ² = wᵀ H w``; under ``wᵀw = 1`` it is largest for the eigenvector of ``H``'s
        largest eigenvalue λ_max.  That vector (positive when H is — the Perron–Frobenius case the method
        assumes) is rescaled to sum to 1.  This answers "entropy per year is not comparable across years":
        one weight set for the whole panel, chosen to separate region-years as much as possible.
    Variant
        ``standardise=False`` uses ``x`` as given (some papers apply it to min-max data).
    Missing / zero values
        Missing cells count as the column mean (0 after standardising).  Zeros need no policy.
        If the principal eigenvector has entries of both signs (H not positive: indicators negatively
        correlated), no positive maximiser exists: ``invalid_parameter`` says so instead of clipping.
    Details
        ``lambda_max`` and ``H`` (the cross-product matrix).
    Reproduced
        The maximisation property: ``wᵀHw / wᵀw`` equals λ_max and no other direction exceeds it
        (``tests/methods/test_dispersion.py``, against numpy's ``eigh`` and random directions).

    Examples
    --------
    >>> x = [[1, 2, 1], [2, 3, 2], [3, 3, 4], [4, 5, 4]]
    >>> scatter_degree(x).weights.round(4).tolist()
    [0.3483, 0.3242, 0.3275]
    """
    arr = as_data(x)
    if arr.shape[-2] < 2:
        raise invalid("scatter_degree needs at least two observations")
    z = _standardise(arr) if standardise else np.nan_to_num(arr)
    h = np.swapaxes(z, -1, -2) @ z
    values, vectors = np.linalg.eigh(h)
    lead = vectors[..., :, -1]
    lead = lead * np.where(np.sum(lead, axis=-1, keepdims=True) < 0, -1.0, 1.0)
    if np.any(lead < -1e-12):
        raise invalid("scatter_degree: the principal eigenvector of H has negative entries (indicators are "
                      "negatively correlated), so no positive weights maximise the spread; use another method")
    w = np.clip(lead, 0.0, None)
    w = w / np.sum(w, axis=-1, keepdims=True)
    return WeightResult(w, {"lambda_max": values[..., -1], "H": h})


@register("weight", "independence", properties=_DATA)
def independence(x: ArrayLike) -> WeightResult:
    """Independence weights (独立性权数法): w_j ∝ 1 / R_j, R_j the multiple correlation of j on the others.

    Formula
        ``R_j² = 1 − 1 / (C⁻¹)_jj`` with ``C`` the Pearson correlation matrix of the m columns (the squared
        multiple correlation of a regression of column j on all others, from the inverse correlation
        matrix); ``w_j = R_j⁻¹ / Σ_k R_k⁻¹``.  An indicator well explained by the others (high R) repeats
        information and gets less weight.  As in SPSSAU's 独立性权重 (there stated with the complex
        correlation coefficient of a regression on the other indicators).
    Missing / zero values
        Rows with a missing cell are left out of the correlations.  Zeros need no policy.  A singular C
        (a column an exact combination of others, or constant) is ``invalid_parameter`` naming the cause.
    Details
        ``R`` (multiple correlation per indicator) and ``corr``.
    Reproduced
        ``R_j²`` equals the R² of an OLS regression of column j on the others (numpy ``lstsq``) in
        ``tests/methods/test_dispersion.py``.

    Examples
    --------
    >>> x = [[1, 2, 3], [2, 1, 4], [3, 4, 2], [4, 3, 5], [5, 6, 4]]
    >>> independence(x).weights.round(4).tolist()
    [0.3173, 0.321, 0.3617]
    """
    arr = as_data(x)
    if arr.shape[-1] < 2:
        raise invalid("independence weights need at least two indicators")
    keep = ~np.any(np.isnan(arr), axis=-1, keepdims=True)
    n = np.sum(keep, axis=-2, keepdims=True)
    if np.any(n < arr.shape[-1] + 1):
        raise invalid("independence weights need more complete observations than indicators")
    filled = np.where(keep, arr, 0.0)
    mean = np.sum(filled, axis=-2, keepdims=True) / n
    dev = np.where(keep, arr - mean, 0.0)
    cov = np.swapaxes(dev, -1, -2) @ dev
    sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    if np.any(sd == 0):
        raise invalid("independence weights: a constant indicator has no correlation")
    corr = cov / (sd[..., :, None] * sd[..., None, :])
    if np.any(np.linalg.cond(corr) > 1e12):
        raise invalid("independence weights: the correlation matrix is singular (an indicator is an exact "
                      "combination of others)")
    inv_diag = np.diagonal(np.linalg.inv(corr), axis1=-2, axis2=-1)
    r = np.sqrt(np.clip(1.0 - 1.0 / inv_diag, 0.0, 1.0))
    with np.errstate(divide="ignore"):
        raw = np.where(r > 0, 1.0 / r, np.inf)
    if np.any(np.isinf(raw)):
        raise invalid("independence weights: an indicator is uncorrelated with all others (R = 0), so its "
                      "weight is unbounded")
    return WeightResult(raw / np.sum(raw, axis=-1, keepdims=True), {"R": r, "corr": corr})
