"""Aggregation (合成): from the values of a node's children to the node's score.

Every mean has the signature ``f(x, w, **params) -> ndarray``: ``x`` is ``(..., n, k)`` (n observations ×
k children, NaN = missing), ``w`` the children's weights ``(..., k)`` (≥ 0, not necessarily summing to 1),
and the result is ``(..., n)``.  ``topsis`` returns a :class:`TopsisResult` holding the scores and the
distances.

**NA policy** (``na``)
    ``"skip"`` (default, COINr's): Σ w_i f(x_i) / Σ w_i over the children that are non-missing for that
    observation, so the weights are renormalised over the available children; all children missing → NaN.
    ``"propagate"``: any missing child → NaN.
**Zero policy** (``zero``; geometric and harmonic means, generalised means with p ≤ 0)
    ``"refuse"`` (default): any value ≤ 0 raises ``HqdError`` code ``nonpositive_value`` (COINr stops with an
    error); ``"na"``: an observation with a child ≤ 0 gets NaN; ``"epsilon"``: values ≤ 0 are replaced by
    ``epsilon`` (default 1e-6); ``"shift"``: ``shift`` is added to every value first (the result is the mean
    of the shifted values, it is not shifted back).  :func:`zero_affected` returns the cells a policy acts
    on, so the pipeline can record them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hqd.errors import HqdError
from hqd.methods._arrays import BoolArray, FloatArray, as_data, choice, invalid
from hqd.methods.catalog import REQUIRED, Param, Properties, register
from hqd.model.policy import ZERO_EPSILON, ZERO_POLICIES, ZERO_SHIFT

NaPolicy = Literal["skip", "propagate"]
ZeroPolicy = Literal["refuse", "na", "epsilon", "shift"]
NA_POLICIES: tuple[str, ...] = ("skip", "propagate")

_W = Param(list, REQUIRED, "weights of the children (..., k)", kind="data")
_NA = Param(
    str,
    "skip",
    "missing children: skip (renormalise over the available ones) or propagate",
    choices=NA_POLICIES,
)
#: Power means take the NA and zero policies from the recipe (na_policy, zero_policy), not per method.
_NA_POLICY = Param(str, "skip", _NA.help, choices=NA_POLICIES, kind="data")
_DRAWS = {"w": "weights of the children", "na": "recipe na_policy", "zero": "recipe zero_policy",
          "epsilon": "recipe zero_policy", "shift": "recipe zero_policy"}
_ZERO = Param(
    str, "refuse", "values <= 0: refuse (error), na, epsilon (replace) or shift (add)", choices=ZERO_POLICIES,
    kind="data",
)
_EPS = Param(float, ZERO_EPSILON, "replacement for values <= 0 under zero='epsilon'", kind="data")
_SHIFT = Param(float, ZERO_SHIFT, "constant added to every value under zero='shift' (no standard value: name it)",
               kind="data")


def _prepare(x: ArrayLike, w: ArrayLike, na: str) -> tuple[FloatArray, FloatArray]:
    choice(na, "na", NA_POLICIES)
    arr = as_data(x)
    wa = np.asarray(w, dtype=np.float64)
    if wa.ndim == 0:
        raise invalid(f"w must have one weight per child; got a scalar {wa!r}")
    if wa.shape[-1] != arr.shape[-1]:
        raise invalid(f"w must have one weight per child ({arr.shape[-1]}); got shape {wa.shape}")
    if not np.all(np.isfinite(wa)) or (wa < 0).any():
        raise invalid(f"weights must be finite and >= 0; got {wa.tolist()}")
    return arr, np.expand_dims(wa, -2)


def _weighted_mean(f: FloatArray, w: FloatArray, na: str) -> FloatArray:
    """Σ w f / Σ w along the last axis, with the NA policy applied (f may hold NaN).

    ``w`` has shape (..., 1, k); the sums are matrix products, so no (..., n, k) temporary is made
    unless there are missing values to skip.
    """
    wv = np.swapaxes(w, -1, -2)  # (..., k, 1)
    if na == "propagate" or not np.isnan(np.sum(f)):
        num = (f @ wv)[..., 0]
        den = np.broadcast_to(np.sum(w, axis=-1), num.shape)
    else:
        present = ~np.isnan(f)
        num = (np.where(present, f, 0.0) @ wv)[..., 0]
        den = (present.astype(np.float64) @ wv)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    return np.where(den > 0, out, np.nan)


def zero_affected(x: ArrayLike) -> BoolArray:
    """Cells of ``x`` (..., n, k) that a zero policy acts on: the non-missing values ≤ 0.

    Under ``"refuse"`` any such cell raises; under ``"na"`` their observations become NaN; under
    ``"epsilon"`` they are replaced; under ``"shift"`` every value is shifted but these are the cells that
    needed it.  The pipeline counts them to record what the policy did.

    Examples
    --------
    >>> zero_affected([[0.5, 0.0], [np.nan, -1.0]]).tolist()
    [[False, True], [False, True]]
    """
    return np.asarray(as_data(x) <= 0)


def _apply_zero(arr: FloatArray, zero: str, epsilon: float, shift: float, method: str) -> FloatArray:
    """Return the values with the zero policy applied; NaN marks observations turned to NA by "na"."""
    choice(zero, "zero", ZERO_POLICIES)
    if zero == "shift":
        arr = arr + shift
    elif zero == "epsilon":
        if not epsilon > 0:
            raise invalid(f"epsilon must be > 0; got {epsilon!r}")
        arr = np.where(arr <= 0, epsilon, arr)
    bad = arr <= 0
    if bad.any():
        if zero == "na":
            return np.where(bad.any(axis=-1, keepdims=True), np.inf, arr)  # inf marks rows to void
        pos = np.argwhere(bad)[0].tolist()
        raise HqdError(
            f"{method} mean needs values > 0; got {float(arr[tuple(pos)])!r} at index {pos} (observation, child) "
            f"and {int(bad.sum())} such values in all; choose a zero policy (na, epsilon, shift)",
            code="nonpositive_value",
        )
    return arr


def _void(out: FloatArray, arr: FloatArray) -> FloatArray:
    """NaN where the zero policy 'na' marked an observation (with +inf)."""
    return np.where(np.isposinf(arr).any(axis=-1), np.nan, out)


@register("aggregate", "arithmetic", draws=_DRAWS, properties=Properties(power=1.0, decomposable=True), w=_W,
          na=_NA_POLICY)
def arithmetic(x: ArrayLike, w: ArrayLike, na: NaPolicy = "skip") -> FloatArray:
    """Weighted arithmetic mean Σ w_i x_i / Σ w_i over the children (非缺失加权平均).

    NA policy as in the module docstring (``skip`` is COINr's ``a_amean`` level by level).  No zero policy
    is needed.  Reproduces COINr's ASEM aggregates (METHODS.md §16 step 6).

    Examples
    --------
    >>> arithmetic([[0.2, 0.8, np.nan]], [1, 1, 2]).tolist()
    [0.5]
    >>> arithmetic([[0.2, 0.8, np.nan]], [1, 1, 2], na="propagate").tolist()
    [nan]
    """
    arr, wa = _prepare(x, w, na)
    return _weighted_mean(arr, wa, na)


@register("aggregate", "geometric", draws=_DRAWS, properties=Properties(power=0.0), w=_W, na=_NA_POLICY,
          zero=_ZERO, epsilon=_EPS, shift=_SHIFT)
def geometric(
    x: ArrayLike,
    w: ArrayLike,
    na: NaPolicy = "skip",
    zero: ZeroPolicy = "refuse",
    epsilon: float = ZERO_EPSILON,
    shift: float = ZERO_SHIFT,
) -> FloatArray:
    """Weighted geometric mean exp(Σ w_i ln x_i / Σ w_i).

    COINr's ``a_gmean`` (its ASEM geometric variant uses min-max 1–100 so no value is ≤ 0) and the UNDP HDI
    top level (equal weights).  NA and zero policies as in the module docstring; UNDP's HDI leaves a
    country-year with a dimension index ≤ 0 unpublished, i.e. ``zero="na"``.

    Examples
    --------
    >>> round(float(geometric([[0.5, 0.8, 2.0]], [1, 1, 1])[0]), 12)
    0.928317766723
    >>> geometric([[0.5, 0.0]], [1, 1], zero="na").tolist()
    [nan]
    """
    arr, wa = _prepare(x, w, na)
    arr = _apply_zero(arr, zero, epsilon, shift, "geometric")
    with np.errstate(invalid="ignore", divide="ignore"):
        logs = np.log(arr)
    return _void(np.exp(_weighted_mean(np.where(np.isposinf(arr), 0.0, logs), wa, na)), arr)


@register("aggregate", "harmonic", draws=_DRAWS, properties=Properties(power=-1.0), w=_W, na=_NA_POLICY,
          zero=_ZERO, epsilon=_EPS, shift=_SHIFT)
def harmonic(
    x: ArrayLike,
    w: ArrayLike,
    na: NaPolicy = "skip",
    zero: ZeroPolicy = "refuse",
    epsilon: float = ZERO_EPSILON,
    shift: float = ZERO_SHIFT,
) -> FloatArray:
    """Weighted harmonic mean Σ w_i / Σ (w_i / x_i).

    NA and zero policies as in the module docstring (COINr's ``a_hmean`` has the same formula).

    Examples
    --------
    >>> harmonic([[1.0, 4.0]], [1, 1]).tolist()
    [1.6]
    """
    arr, wa = _prepare(x, w, na)
    arr = _apply_zero(arr, zero, epsilon, shift, "harmonic")
    with np.errstate(divide="ignore"):
        return _void(1.0 / _weighted_mean(1.0 / arr, wa, na), arr)


@register(
    "aggregate",
    "generalised",
    draws=_DRAWS,
    properties=Properties(power="p"),
    w=_W,
    na=_NA_POLICY,
    p=Param(float, 1.0, "power: 1 arithmetic, 0 geometric, -1 harmonic, 2 quadratic"),
    zero=_ZERO,
    epsilon=_EPS,
    shift=_SHIFT,
)
def generalised(
    x: ArrayLike,
    w: ArrayLike,
    p: float = 1.0,
    na: NaPolicy = "skip",
    zero: ZeroPolicy = "refuse",
    epsilon: float = ZERO_EPSILON,
    shift: float = ZERO_SHIFT,
) -> FloatArray:
    """Weighted power (generalised) mean (Σ w_i x_i^p / Σ w_i)^(1/p); p = 0 is the geometric mean.

    p = 1 arithmetic, p → 0 geometric, p = −1 harmonic.  For p ≤ 0 the zero policy applies (values must be
    > 0); for p > 0 negative values raise ``HqdError`` code ``negative_value`` (x^p is undefined for
    non-integer p).  NA policy as in the module docstring.

    Examples
    --------
    >>> generalised([[1.0, 4.0]], [1, 1], p=2).round(6).tolist()
    [2.915476]
    """
    if not np.isfinite(p):
        raise invalid(f"p must be a finite number; got {p!r}")
    if p == 0:
        return geometric(x, w, na=na, zero=zero, epsilon=epsilon, shift=shift)
    if p == 1:
        return arithmetic(x, w, na=na)
    arr, wa = _prepare(x, w, na)
    if p < 0:
        arr = _apply_zero(arr, zero, epsilon, shift, "generalised (p <= 0)")
        powered = np.where(np.isposinf(arr), 0.0, arr**p)
        return _void(_weighted_mean(powered, wa, na) ** (1.0 / p), arr)
    if (arr < 0).any():
        pos = np.argwhere(arr < 0)[0].tolist()
        raise HqdError(
            f"generalised mean with p > 0 needs values >= 0; got {float(arr[tuple(pos)])!r} at {pos}",
            code="negative_value",
        )
    return _weighted_mean(arr**p, wa, na) ** (1.0 / p)


@dataclass(frozen=True)
class TopsisResult:
    """TOPSIS closeness ``values`` (..., n) with the distances D± (..., n) and the ideals V± (..., k)."""

    values: FloatArray
    d_plus: FloatArray
    d_minus: FloatArray
    v_plus: FloatArray
    v_minus: FloatArray

    def to_frame(self, units: list[str] | None = None) -> pd.DataFrame:
        """One row per observation (unbatched results only): ``C``, ``D_plus``, ``D_minus``."""
        if self.values.ndim != 1:
            raise invalid(f"to_frame needs an unbatched result; got values of shape {self.values.shape}")
        index = units if units is not None else list(range(self.values.shape[0]))
        return pd.DataFrame({"C": self.values, "D_plus": self.d_plus, "D_minus": self.d_minus}, index=index)


@register(
    "aggregate",
    "topsis",
    keys={"over": Param(str, "children", "children, or leaves: the indicators under the node with their "
                        "effective weights", choices=("children", "leaves")),
          "ideals": Param(str, "pooled", "pooled (over all region-years) or by_year", choices=("pooled", "by_year"))},
    draws={"w": "weights of the children (or leaves)"},
    properties=Properties(ranking=True),
    w=_W,
    ideal=Param(
        str,
        "observed",
        "observed (max/min over the n axis) or fixed (w·hi, w·lo)",
        choices=("observed", "fixed"),
    ),
    lo=Param(float, 0.0, "worst value of the normalised scale (fixed ideals)"),
    hi=Param(float, 1.0, "best value of the normalised scale (fixed ideals)"),
    weighted_distance=Param(bool, False, "D = sqrt(Σ w (x − x*)²) instead of weighting the values"),
    na=_NA,
)
def topsis(
    x: ArrayLike,
    w: ArrayLike,
    ideal: Literal["observed", "fixed"] = "observed",
    lo: float = 0.0,
    hi: float = 1.0,
    weighted_distance: bool = False,
    na: NaPolicy = "skip",
) -> TopsisResult:
    """TOPSIS closeness C = D⁻/(D⁺ + D⁻) on normalised, direction-corrected data (熵权TOPSIS with entropy w).

    Formula (Hwang & Yoon 1981; METHODS.md §2.6)
        ``v_ij = w_j x_ij``; ``V⁺_j = max_i v_ij``, ``V⁻_j = min_i v_ij`` over axis -2 (the n axis: pooled
        ideals when all region-years are passed at once, by-year ideals when one year per leading index);
        ``D±_i = sqrt(Σ_j (v_ij − V±_j)²)``; ``C_i = D⁻_i / (D⁺_i + D⁻_i)``.
    Variants
        ``ideal="fixed"``: ``V⁺ = w·hi``, ``V⁻ = w·lo`` (the ends of the normalised scale).
        ``weighted_distance=True`` ("改进TOPSIS"): ideals on x and ``D = sqrt(Σ_j w_j (x_ij − x*_j)²)``.
        Weights are used as given (C is invariant to their common scale).
    Missing values
        ``na="skip"``: a missing cell is left out of both distances of its observation (ideals ignore NaN);
        an observation with no value gets NaN.  ``na="propagate"``: any missing child → NaN.  If
        D⁺ + D⁻ = 0 (the observation equals both ideals: constant data) C is NaN.
    References
        Hwang & Yoon (1981) *Multiple Attribute Decision Making*, doi:10.1007/978-3-642-48318-9.

    Examples
    --------
    Entropy-weighted TOPSIS on the 8×5 reference matrix reproduces pymcdm 1.4.0's ``TOPSIS()`` with those
    weights (``mcda_pymcdm.json`` ``hqd_convention.topsis_with_those_entropy_weights_minmax_default``):

    >>> from hqd.methods.normalize import minmax
    >>> from hqd.methods.weight import entropy
    >>> X = [[9.8, 2.1, 0.45, 62.3, 35.2], [12.5, 3.4, 0.38, 71.8, 28.6], [7.2, 1.5, 0.62, 55.1, 41.9],
    ...      [15.3, 4.2, 0.31, 86.6, 44.0], [6.1, 1.1, 0.78, 48.9, 47.5], [10.9, 2.6, 0.52, 65.4, 60.1],
    ...      [8.4, 1.9, 0.57, 59.7, 33.8], [13.7, 3.0, 0.41, 74.2, 39.5]]
    >>> Z = minmax(X, [1, 1, -1, 1, 1])
    >>> topsis(Z, entropy(Z, shift=1e-4).weights).values.round(6).tolist()
    [0.370017, 0.534439, 0.243731, 0.789071, 0.240842, 0.590116, 0.266358, 0.616914]
    """
    choice(ideal, "ideal", ("observed", "fixed"))
    if ideal == "fixed" and not lo < hi:
        raise invalid(f"lo must be smaller than hi; got lo={lo!r}, hi={hi!r}")
    arr, wa = _prepare(x, w, na)
    v = arr if weighted_distance else wa * arr
    if ideal == "observed":
        vp = np.fmax.reduce(v, axis=-2, keepdims=True)
        vm = np.fmin.reduce(v, axis=-2, keepdims=True)
    else:
        ones = np.ones((1, arr.shape[-1]))
        vp = ones * hi if weighted_distance else wa * hi
        vm = ones * lo if weighted_distance else wa * lo
    has_nan = bool(np.isnan(np.sum(v)))

    def distance(ideal_values: FloatArray) -> FloatArray:
        diff = np.subtract(v, ideal_values)  # one full-size buffer, reused in place
        np.square(diff, out=diff)
        if weighted_distance:
            diff = diff * wa
        if has_nan and na == "skip":
            np.nan_to_num(diff, copy=False, nan=0.0)
        return np.sqrt(np.sum(diff, axis=-1))

    dp, dm = distance(vp), distance(vm)
    if has_nan and na == "skip":
        none_present = np.all(np.isnan(v), axis=-1)
        dp, dm = np.where(none_present, np.nan, dp), np.where(none_present, np.nan, dm)
    total = dp + dm
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(total > 0, dm / total, np.nan)
    v_plus = np.broadcast_to(np.squeeze(vp, axis=-2), arr.shape[:-2] + arr.shape[-1:]).copy()
    v_minus = np.broadcast_to(np.squeeze(vm, axis=-2), v_plus.shape).copy()
    return TopsisResult(c, dp, dm, v_plus, v_minus)
