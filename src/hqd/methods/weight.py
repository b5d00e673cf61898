"""Weighting (赋权): objective and subjective weights for the indicators of one node (or of all indicators).

Every data-driven method has the signature ``f(x, **params) -> WeightResult``: ``x`` is (normalised) data
shaped ``(..., n, m)`` with NaN for missing values, and the weights have shape ``(..., m)``, are ≥ 0 and sum
to 1 along the last axis.  Leading axes are batch axes.  ``ahp`` takes a pairwise matrix instead of data and
``combined`` combines two weight sets.

**Scopes are reshapes.**  The pooled-panel entropy (一次法, region-years as samples, ``k = 1/ln(r·n)``) is
``entropy`` applied to the ``(r·n, m)`` stack of all region-years; the year-by-year variant (多次法) applies it
to a ``(r, n, m)`` array (one weight set per year); the time-series variant (one region, years as samples)
to that region's ``(r, m)`` block.  The pipeline chooses the reshape; the formula is the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hqd.errors import HqdError, Problems
from hqd.methods._arrays import (
    FloatArray,
    as_data,
    choice,
    col_count,
    col_max,
    col_mean,
    col_min,
    col_std,
    indicator_frame,
    invalid,
)
from hqd.methods.catalog import REQUIRED, Param, Properties, matrix_shape, register

#: Weights estimated from the data (they change with the data a run sees).
_DATA = Properties(data_driven=True, source="data")


@dataclass(frozen=True)
class WeightResult:
    """Weights ``(..., m)`` summing to 1, and the intermediates of the method (``details``)."""

    weights: FloatArray
    details: dict[str, FloatArray] = field(default_factory=dict)

    def to_frame(self, codes: list[str] | None = None) -> pd.DataFrame:
        """One row per indicator (per batch item when batched): ``weight`` plus per-indicator details.

        Details whose shape matches the weights become columns; per-batch scalars (``lambda_max``,
        ``CR`` …) are repeated on every row; matrices (e.g. the correlation matrix) are left out.
        """
        return indicator_frame({"weight": self.weights}, self.details, codes)


def _normalise(v: FloatArray) -> FloatArray:
    """v / Σ v along the last axis; NaN where the sum is zero or not finite."""
    total = np.sum(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = v / total
    return np.where(total > 0, out, np.nan)


def _check_nonnegative(x: FloatArray, method: str) -> None:
    if (x < 0).any():
        pos = np.argwhere(x < 0)[0].tolist()
        raise HqdError(
            f"{method} weights need non-negative data; got {float(x[tuple(pos)])!r} at index {pos} "
            f"({int((x < 0).sum())} negative values) — normalise first",
            code="negative_value",
        )


def _constant_columns(x: FloatArray, method: str) -> None:
    constant = (col_max(x) == col_min(x)) | (col_count(x) < 2)
    if constant.any():
        cols = sorted({int(j) for j in np.argwhere(constant)[:, -1]})
        raise HqdError(
            f"{method} weights are undefined for constant indicators (or fewer than 2 observations); "
            f"indicator positions {cols} (0-based)",
            code="constant_indicator",
        )


@register("weight", "equal", properties=Properties(decomposable=True))
def equal(x: ArrayLike) -> WeightResult:
    """Equal weights 1/m (均权).

    Examples
    --------
    >>> equal(np.zeros((4, 5))).weights.tolist()
    [0.2, 0.2, 0.2, 0.2, 0.2]
    """
    arr = as_data(x)
    m = arr.shape[-1]
    return WeightResult(np.full((*arr.shape[:-2], m), 1.0 / m))


@register(
    "weight",
    "manual",
    draws={"weights": "framework.weight"},
    properties=Properties(source="framework"),
    weights=Param(list, REQUIRED, "raw weights (framework weight column), renormalised", kind="data"),
)
def manual(x: ArrayLike | None, weights: ArrayLike) -> WeightResult:
    """Given (manual / expert / framework) weights, renormalised to sum to 1.

    Policy
        ``w_j / Σ w_j``.  Negative, NaN or infinite weights, or an all-zero set, raise ``HqdError`` code
        ``invalid_parameter``.  ``x`` (optional) only fixes the batch shape the weights broadcast to.

    Examples
    --------
    >>> manual(None, [2, 1, 1]).weights.tolist()
    [0.5, 0.25, 0.25]
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim == 0:
        raise invalid(f"manual weights must be a vector; got {w!r}")
    if not np.all(np.isfinite(w)):
        raise invalid(f"manual weights must be finite numbers; got {w.tolist()}")
    if (w < 0).any():
        raise invalid(f"manual weights must be >= 0; got {w.tolist()}")
    if (np.sum(w, axis=-1) <= 0).any():
        raise invalid(f"manual weights must not all be zero; got {w.tolist()}")
    if x is not None:
        arr = as_data(x)
        w = np.broadcast_to(w, (*arr.shape[:-2], arr.shape[-1]))
    return WeightResult(_normalise(w), {"raw": np.asarray(weights, dtype=np.float64)})


_D_NOISE = 1e-12


@register(
    "weight",
    "entropy",
    properties=_DATA,
    shift=Param(float, 0.0, "constant added to x before the proportions (0.0001 is common)"),
)
def entropy(x: ArrayLike, shift: float = 0.0) -> WeightResult:
    """Entropy weights (熵权法): w_j ∝ 1 − e_j with e_j = −Σ_i p_ij ln p_ij / ln n_j.

    Formula
        ``p_ij = (x_ij + shift) / Σ_i (x_ij + shift)``; ``e_j = −k Σ_i p_ij ln p_ij`` with ``k = 1/ln n_j``
        (``n_j`` = non-NaN count of column j); ``d_j = 1 − e_j``; ``w_j = d_j / Σ_j d_j``.
        ``0·ln 0 = 0``, so unshifted min-max data (with exact zeros) are accepted — pyrepo-mcda's
        convention; ``shift=0.0001`` is the "+0.0001" convention of the Chinese literature (and what pymcdm
        needs, since it refuses zeros).
    Variants (the same function on different reshapes; see the module docstring)
        pooled panel 一次法 (k = 1/ln(r·n)), by year 多次法, time series (samples = years).
    Missing / zero / negative values
        NaN cells are left out of the sums (and of ``n_j``).  Negative ``x + shift`` raises ``HqdError``
        code ``negative_value``.  A column that is all zero, or has a single observation, carries no
        information: ``e_j = 1``, weight 0; so does a constant column (``d_j < 1e-12``, rounding noise, is set
        to 0).  If every column is like that the weights are NaN.
    Details
        ``e`` (entropy), ``d`` (divergence 差异系数).
    References
        Shannon (1948); Zeleny (1982) *Multiple Criteria Decision Making*; METHODS.md §2.2.

    Examples
    --------
    Reproduces pymcdm 1.4.0 / pyrepo-mcda 0.1.15 on the 8×5 reference matrix
    (``decision_matrix_8x5.csv``, C3 a cost criterion; ``mcda_pyrepo.json`` ``hqd_convention``):

    >>> from hqd.methods.normalize import minmax
    >>> X = [[9.8, 2.1, 0.45, 62.3, 35.2], [12.5, 3.4, 0.38, 71.8, 28.6], [7.2, 1.5, 0.62, 55.1, 41.9],
    ...      [15.3, 4.2, 0.31, 86.6, 44.0], [6.1, 1.1, 0.78, 48.9, 47.5], [10.9, 2.6, 0.52, 65.4, 60.1],
    ...      [8.4, 1.9, 0.57, 59.7, 33.8], [13.7, 3.0, 0.41, 74.2, 39.5]]
    >>> Z = minmax(X, [1, 1, -1, 1, 1])
    >>> entropy(Z, shift=1e-4).weights.round(6).tolist()
    [0.220306, 0.220777, 0.142642, 0.201174, 0.215102]
    """
    arr = as_data(x)
    low = col_min(arr) + shift
    if (low < 0).any():
        _check_nonnegative(np.nan_to_num(arr + shift), "entropy")
    has_nan = bool(np.isnan(np.sum(arr)))
    n = col_count(arr) if has_nan else np.float64(arr.shape[-2])
    # two full-size buffers only (p and p·ln p): this runs on million-row panels
    p = np.add(arr, shift)
    if has_nan:
        np.nan_to_num(p, copy=False, nan=0.0)  # missing cells contribute 0·ln 0 = 0
    total = np.sum(p, axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p /= total
        plogp = np.zeros_like(p)
        np.log(p, out=plogp, where=p > 0)
        plogp *= p
        e = -np.sum(plogp, axis=-2, keepdims=True) / np.log(n)
    e = np.where((total > 0) & (n > 1), np.clip(e, 0.0, 1.0), 1.0)  # clip: rounding can leave 1 + 1e-16
    e = np.squeeze(e, axis=-2)
    d = 1.0 - e
    d = np.where(d < _D_NOISE, 0.0, d)  # a constant column's d is rounding noise, not information
    return WeightResult(_normalise(d), {"e": e, "d": d})


def _pairwise_corr(x: FloatArray) -> FloatArray:
    """Pearson correlations between the columns of ``x`` (..., n, m) → (..., m, m), pairwise-complete.

    Data are centred by column means first; for each pair (j, k) the moments use only the rows where both
    are observed, so with no NaN this is the ordinary correlation matrix.
    """
    mask = ~np.isnan(x)
    a = np.where(mask, x - col_mean(x), 0.0)
    mf = mask.astype(np.float64)
    at = np.swapaxes(a, -1, -2)
    n_jk = np.swapaxes(mf, -1, -2) @ mf
    s_jk = at @ mf  # Σ x_j over rows where k is observed (and j, since a = 0 where j is missing)
    ss_jk = (at * at) @ mf
    sxy = at @ a
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - s_jk * np.swapaxes(s_jk, -1, -2) / n_jk
        var_j = ss_jk - s_jk * s_jk / n_jk
        r = cov / np.sqrt(var_j * np.swapaxes(var_j, -1, -2))
    return np.clip(r, -1.0, 1.0)


@register("weight", "critic", properties=_DATA,
          ddof=Param(int, 1, "delta degrees of freedom of σ (cancels in w)"))
def critic(x: ArrayLike, ddof: int = 1) -> WeightResult:
    """CRITIC weights: C_j = σ_j Σ_k (1 − r_jk), w_j = C_j / Σ C_j, on directional normalised data.

    Formula
        ``σ_j`` = standard deviation of column j (denominator ``n − ddof``; cancels in w), ``r_jk`` the
        Pearson correlation of columns j and k.  Pass direction-corrected data (directional min-max):
        that is Diakoulaki et al.'s original and equals scikit-criteria's ``CRITIC``, pyDecision's
        ``critic_method`` and mathmodels' ``critic_weight``.  (pymcdm/pyrepo normalise every column as a
        benefit, which differs for cost criteria — METHODS.md §2.3.)
    Missing / degenerate values
        σ ignores NaN; correlations use pairwise-complete observations.  A constant column (or one with
        fewer than 2 observations) makes r undefined and raises ``HqdError`` code ``constant_indicator``.
    Details
        ``sigma``, ``conflict`` (Σ_k (1 − r_jk)), ``C``, ``r`` (the correlation matrix).
    References
        Diakoulaki, Mavrotas & Papayannakis (1995), *Computers & Operations Research* 22(7):763–770,
        doi:10.1016/0305-0548(94)00059-H.

    Examples
    --------
    On the 8×5 reference matrix, directional min-max, it gives scikit-criteria's, pyDecision's and
    mathmodels' CRITIC weights (``mcda_other_peers.json``, ``mathmodels_R.json``):

    >>> from hqd.methods.normalize import minmax
    >>> X = [[9.8, 2.1, 0.45, 62.3, 35.2], [12.5, 3.4, 0.38, 71.8, 28.6], [7.2, 1.5, 0.62, 55.1, 41.9],
    ...      [15.3, 4.2, 0.31, 86.6, 44.0], [6.1, 1.1, 0.78, 48.9, 47.5], [10.9, 2.6, 0.52, 65.4, 60.1],
    ...      [8.4, 1.9, 0.57, 59.7, 33.8], [13.7, 3.0, 0.41, 74.2, 39.5]]
    >>> Z = minmax(X, [1, 1, -1, 1, 1])
    >>> critic(Z).weights.round(6).tolist()
    [0.13478, 0.131621, 0.15565, 0.122029, 0.455919]
    """
    arr = as_data(x)
    _constant_columns(arr, "CRITIC")
    sigma = np.squeeze(col_std(arr, ddof), axis=-2)
    r = _pairwise_corr(arr)
    conflict = np.sum(1.0 - r, axis=-1)
    c = sigma * conflict
    return WeightResult(_normalise(c), {"sigma": sigma, "conflict": conflict, "C": c, "r": r})


@register("weight", "cv", properties=_DATA, ddof=Param(int, 1, "delta degrees of freedom of σ (cancels in w)"))
def cv(x: ArrayLike, ddof: int = 1) -> WeightResult:
    """Coefficient-of-variation weights (变异系数法): V_j = σ_j / x̄_j, w_j = V_j / Σ V_j.

    Formula and variant
        ``σ_j`` with denominator ``n − ddof`` (the factor cancels in w, so pyrepo's ddof=0 and mathmodels'
        ddof=1 agree).  Apply it to raw strictly positive data (pyrepo, mathmodels) or to min-max + shift
        data (many papers) — the weights differ (METHODS.md §2.4).
    Missing / zero / negative values
        NaN ignored.  A column mean ≤ 0 makes V meaningless: ``HqdError`` code ``nonpositive_value``.
        A constant column gets weight 0.
    Details
        ``sigma``, ``mean``, ``V``.

    Examples
    --------
    >>> cv([[1.0, 10.0], [3.0, 30.0], [2.0, 22.0]]).weights.round(4).tolist()
    [0.5065, 0.4935]
    """
    arr = as_data(x)
    mean = np.squeeze(col_mean(arr), axis=-2)
    if (~(mean > 0)).any():
        cols = sorted({int(j) for j in np.argwhere(~(mean > 0))[:, -1]})
        raise HqdError(
            f"coefficient-of-variation weights need positive column means; indicator positions {cols} "
            "(0-based) have a mean <= 0 (or no data)",
            code="nonpositive_value",
        )
    sigma = np.squeeze(col_std(arr, ddof), axis=-2)
    v = sigma / mean
    return WeightResult(_normalise(v), {"sigma": sigma, "mean": mean, "V": v})


@register("weight", "std", properties=_DATA, ddof=Param(int, 1, "delta degrees of freedom of σ (cancels in w)"))
def std(x: ArrayLike, ddof: int = 1) -> WeightResult:
    """Standard-deviation weights: w_j = σ_j / Σ σ_j (meaningful on normalised data only).

    NaN is ignored; a constant column gets weight 0; ``ddof`` cancels (pymcdm uses 1, pyrepo 0).
    Details: ``sigma``.

    Examples
    --------
    >>> std([[0.0, 0.0], [1.0, 0.5], [0.5, 1.0]]).weights.tolist()
    [0.5, 0.5]
    """
    sigma = np.squeeze(col_std(as_data(x), ddof), axis=-2)
    return WeightResult(_normalise(sigma), {"sigma": sigma})


@register(
    "weight",
    "pca",
    properties=_DATA,
    variant=Param(
        str, "pc1_loadings", "pc1_loadings | variance_weighted", choices=("pc1_loadings", "variance_weighted")
    ),
)
def pca(x: ArrayLike, variant: Literal["pc1_loadings", "variance_weighted"] = "pc1_loadings") -> WeightResult:
    """PCA weights from the correlation matrix: |first-component loadings| (default) or a variance-weighted form.

    Variants
        ``pc1_loadings``: ``w_j = |v_j1| / Σ_j |v_j1|`` with v_1 the eigenvector of the largest eigenvalue
        of the correlation matrix (the loadings ``v_1·sqrt(λ_1)`` give the same weights).
        ``variance_weighted``: over the components with eigenvalue > 1 (Kaiser; at least the first),
        ``w_j ∝ Σ_k (λ_k / Σ_K λ) · v_jk²`` — squared loadings scaled to unit sum per component
        (``λ_k v_jk² / λ_k``), weighted by the share of explained variance.  This follows the idea of the
        OECD/JRC *Handbook on Constructing Composite Indicators* (2008, §6.1, factor-analysis weights)
        without its varimax rotation and its max-loading assignment, and is the form seen in Chinese
        practice; **from practice, verify** against the paper you replicate.
    Missing / degenerate values
        Correlations use pairwise-complete observations; constant columns raise ``HqdError`` code
        ``constant_indicator``.
    Details
        ``eigenvalues`` (descending), ``explained`` (variance shares), ``loadings_pc1``, ``n_components``.
    References
        OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, doi:10.1787/9789264043466-en.

    Examples
    --------
    With two indicators the correlation matrix [[1, r], [r, 1]] has eigenvectors (1, ±1)/√2, so both
    variants give equal weights whatever r:

    >>> x = [[1.0, 2.0], [2.0, 4.1], [3.0, 5.9], [4.0, 8.3]]
    >>> pca(x).weights.round(12).tolist(), pca(x, "variance_weighted").weights.round(12).tolist()
    ([0.5, 0.5], [0.5, 0.5])
    """
    choice(variant, "variant", ("pc1_loadings", "variance_weighted"))
    arr = as_data(x)
    _constant_columns(arr, "PCA")
    r = _pairwise_corr(arr)
    lam, vec = np.linalg.eigh(r)
    lam, vec = lam[..., ::-1], vec[..., ::-1]  # descending
    explained = lam / np.sum(lam, axis=-1, keepdims=True)
    pc1 = np.abs(vec[..., :, 0])
    if variant == "pc1_loadings":
        w = _normalise(pc1)
        n_comp = np.ones(lam.shape[:-1])
    else:
        keep = lam > 1.0
        keep[..., 0] = True
        share = np.where(keep, lam, 0.0)
        share = share / np.sum(share, axis=-1, keepdims=True)
        w = _normalise(np.sum(vec * vec * share[..., None, :], axis=-1))
        n_comp = np.sum(keep, axis=-1).astype(np.float64)
    details = {
        "eigenvalues": lam,
        "explained": explained,
        "loadings_pc1": pc1 * np.sqrt(np.maximum(lam[..., :1], 0.0)),
        "n_components": n_comp,
    }
    return WeightResult(w, details)


RI_TABLES: dict[str, tuple[float, ...]] = {
    # n = 1 … 15
    "saaty": (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59),
    "tummala_ling": (
        0.0,
        0.0,
        0.5799,
        0.8921,
        1.1159,
        1.2358,
        1.3322,
        1.3952,
        1.4537,
        1.4882,
        1.5117,
        1.5356,
        1.5571,
        1.5714,
        1.5831,
    ),
}


def _check_pairwise(a: FloatArray, tol: float) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise invalid(f"AHP matrix must be square; got shape {a.shape}")
    k = a.shape[-1]
    if k > 15:
        raise invalid(f"AHP matrices are limited to 15 criteria (random-index tables); got {k}")
    problems = Problems()
    bad = ~(np.isfinite(a) & (a > 0))
    for pos in np.argwhere(bad)[:20]:
        i, j = int(pos[-2]), int(pos[-1])
        problems.error(
            "invalid_parameter",
            f"AHP matrix cell ({i + 1}, {j + 1}) must be a positive number; got {float(a[tuple(pos)])!r}",
        )
    problems.raise_if_errors()
    off = np.abs(a * np.swapaxes(a, -1, -2) - 1.0) > tol
    off = np.triu(off, 1) if a.ndim == 2 else off & np.triu(np.ones((k, k), bool), 1)
    diag = np.abs(np.diagonal(a, axis1=-2, axis2=-1) - 1.0) > tol
    for pos in np.argwhere(diag)[:20]:
        i = int(pos[-1])
        problems.error(
            "invalid_parameter",
            f"AHP matrix diagonal cell ({i + 1}, {i + 1}) must be 1; "
            f"got {float(a[(*tuple(pos[:-1]), i, i)])!r}",
        )
    for pos in np.argwhere(off)[:20]:
        i, j = int(pos[-2]), int(pos[-1])
        lead = tuple(int(p) for p in pos[:-2])
        aij, aji = float(a[(*lead, i, j)]), float(a[(*lead, j, i)])
        problems.error(
            "invalid_parameter",
            f"AHP matrix is not reciprocal at cell ({i + 1}, {j + 1}) = {aij!r} and ({j + 1}, {i + 1}) = "
            f"{aji!r}: expected {1.0 / aij!r}",
        )
    problems.raise_if_errors()


@register(
    "weight",
    "ahp",
    keys={"order": Param(list, None, "the node codes of the matrix rows (default: the children in file order)")},
    properties=Properties(source="recipe"),
    matrix=Param(list, REQUIRED, "pairwise comparison matrix (Saaty 1–9 scale, reciprocal)", check=matrix_shape),
    method=Param(
        str,
        "eigenvector",
        "eigenvector | geometric (row geometric mean) | mean (column-normalised row mean)",
        choices=("eigenvector", "geometric", "mean"),
    ),
    ri_table=Param(str, "saaty", "random-index table for CR", choices=tuple(RI_TABLES)),
    tol=Param(float, 1e-6, "tolerance of the reciprocity check |a_jk·a_kj − 1|"),
)
def ahp(
    x: ArrayLike | None = None,
    *,
    matrix: ArrayLike,
    method: Literal["eigenvector", "geometric", "mean"] = "eigenvector",
    ri_table: Literal["saaty", "tummala_ling"] = "saaty",
    tol: float = 1e-6,
) -> WeightResult:
    """AHP weights from a pairwise comparison matrix, with λ_max, CI, RI and the consistency ratio CR.

    Formula
        ``eigenvector``: principal right eigenvector of A, ``A w = λ_max w``, normalised to Σ w = 1.
        ``geometric``: row geometric means normalised; ``mean``: columns normalised to sum 1, then row
        means.  For the two approximations ``λ_max = mean_i((A w)_i / w_i)``.
        ``CI = (λ_max − k)/(k − 1)``, ``CR = CI / RI(k)``; ``consistent = CR < 0.1``.  For k ≤ 2, RI = 0
        and a reciprocal matrix is always consistent: CI = CR = 0.
    RI tables (``ri_table``)
        ``saaty`` (0.58, 0.90, 1.12, … — pyDecision, mathmodels, pyrepo) and ``tummala_ling`` (Tummala &
        Ling 1998: 0.5799, 0.8921, 1.1159, … — pymcdm); k ≤ 15.
    Validation
        A must be square, finite, positive, with unit diagonal and reciprocal (``|a_jk·a_kj − 1| ≤ tol``);
        otherwise ``HqdError`` code ``invalid_parameter`` naming each offending cell (1-based row, column).
        ``x`` is ignored (accepted so every weight method has the same call shape).  ``matrix`` may be
        batched ``(..., k, k)``.
    Details
        ``lambda_max``, ``CI``, ``RI``, ``CR``, ``consistent``.
    References
        Saaty (1977) *J. Math. Psychology* 15(3):234–281, doi:10.1016/0022-2496(77)90033-5; Tummala & Ling
        (1998) *J. Multi-Criteria Decision Analysis* 7(3):123–137 (RI table); METHODS.md §2.5.

    Examples
    --------
    The 4×4 matrix of ``ahp_peers.json`` (pymcdm, pyDecision, pyrepo, mathmodels agree):

    >>> A = [[1, 3, 5, 7], [1/3, 1, 3, 5], [1/5, 1/3, 1, 3], [1/7, 1/5, 1/3, 1]]
    >>> r = ahp(matrix=A)
    >>> r.weights.round(4).tolist(), round(float(r.details["CR"]), 5)
    ([0.565, 0.2622, 0.1175, 0.0553], 0.04333)
    >>> round(float(ahp(matrix=A, ri_table="tummala_ling").details["CR"]), 5)
    0.04371
    """
    choice(method, "method", ("eigenvector", "geometric", "mean"))
    choice(ri_table, "ri_table", tuple(RI_TABLES))
    a = np.asarray(matrix, dtype=np.float64)
    _check_pairwise(a, tol)
    k = a.shape[-1]
    if method == "eigenvector":
        vals, vecs = np.linalg.eig(a)
        top = np.argmax(vals.real, axis=-1)
        lam = np.take_along_axis(vals.real, top[..., None], axis=-1)[..., 0]
        v = np.take_along_axis(vecs.real, top[..., None, None], axis=-1)[..., 0]
        w = _normalise(np.abs(v))
    else:
        if method == "geometric":
            w = _normalise(np.exp(np.mean(np.log(a), axis=-1)))
        else:
            w = np.mean(a / np.sum(a, axis=-2, keepdims=True), axis=-1)
            w = _normalise(w)
        lam = np.mean((a @ w[..., None])[..., 0] / w, axis=-1)
    ci = (lam - k) / (k - 1) if k > 2 else np.zeros_like(lam)
    ri = RI_TABLES[ri_table][k - 1]
    cr = ci / ri if ri > 0 else np.zeros_like(lam)
    details = {
        "lambda_max": np.asarray(lam),
        "CI": np.asarray(ci),
        "RI": np.full(np.shape(lam), ri),
        "CR": np.asarray(cr),
        "consistent": np.asarray(cr < 0.1),
    }
    return WeightResult(w, details)


#: The declaration shared by weightings that combine two other weightings (``combined``, ``game_theory``):
#: the recipe names them as ``first`` and ``second``; the pipeline passes their weights as ``w1``, ``w2``.
TWO_PARTS: dict[str, Any] = {
    "keys": {"first": Param(dict, REQUIRED, "the first weighting {method: …}"),
             "second": Param(dict, REQUIRED, "the second weighting {method: …}")},
    "draws": {"w1": "weights of `first`", "w2": "weights of `second`"},
    "properties": Properties(source="parts"),
    "w1": Param(list, REQUIRED, "first weight set", kind="data"),
    "w2": Param(list, REQUIRED, "second weight set", kind="data"),
}


@register(
    "weight",
    "combined",
    **TWO_PARTS,
    method=Param(
        str,
        "linear",
        "linear: α·w1 + (1−α)·w2; multiplicative: w1·w2/Σ(w1·w2)",
        choices=("linear", "multiplicative"),
    ),
    alpha=Param(float, 0.5, "share of w1 in the linear combination, in [0, 1]"),
)
def combined(
    w1: ArrayLike | WeightResult,
    w2: ArrayLike | WeightResult,
    method: Literal["linear", "multiplicative"] = "linear",
    alpha: float = 0.5,
) -> WeightResult:
    """Combined weights (组合赋权) of two sets: linear α·w1 + (1−α)·w2, or multiplicative w1·w2/Σ w1·w2.

    Both inputs are renormalised to sum to 1 first; they broadcast against each other (``(..., m)``).
    Negative or NaN weights, ``alpha`` outside [0, 1], or a multiplicative product that is zero everywhere
    raise ``HqdError`` code ``invalid_parameter``.  Typical use: a subjective set (AHP) with an objective
    one (entropy).  Details: ``w1``, ``w2`` (renormalised).

    Examples
    --------
    >>> combined([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]).weights.tolist()
    [0.35, 0.3, 0.35]
    >>> combined([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], method="multiplicative").weights.round(4).tolist()
    [0.3448, 0.3103, 0.3448]
    """
    choice(method, "method", ("linear", "multiplicative"))
    if not 0.0 <= alpha <= 1.0:
        raise invalid(f"alpha must be in [0, 1]; got {alpha!r}")
    sets = []
    for name, w in (("w1", w1), ("w2", w2)):
        arr = np.asarray(w.weights if isinstance(w, WeightResult) else w, dtype=np.float64)
        if arr.ndim == 0 or not np.all(np.isfinite(arr)) or (arr < 0).any():
            raise invalid(f"{name} must be a vector of finite non-negative weights; got {arr.tolist()}")
        if (np.sum(arr, axis=-1) <= 0).any():
            raise invalid(f"{name} must not be all zero; got {arr.tolist()}")
        sets.append(_normalise(arr))
    a, b = sets
    if method == "linear":
        w = alpha * a + (1.0 - alpha) * b
    else:
        prod = a * b
        if (np.sum(prod, axis=-1) <= 0).any():
            raise invalid("multiplicative combination is undefined: w1·w2 is zero for every indicator")
        w = _normalise(prod)
    return WeightResult(w, {"w1": a, "w2": b})
