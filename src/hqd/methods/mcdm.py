"""Compromise and outranking evaluations of a decision matrix: VIKOR and PROMETHEE II.

Both take direction-corrected (higher is better), normalised data ``x`` of shape ``(..., n, m)`` and weights
``w`` of shape ``(m,)`` or ``(..., m)``, like :func:`hqd.methods.aggregate.topsis`, and score the n
alternatives (region-years) against each other — so the scores of a region depend on which others are
evaluated with it (pooled: all region-years at once; by year: one year per leading index).

Not yet usable as a recipe's aggregation: the pipeline's ranking-aggregation step is written for TOPSIS
(its ``over``/``ideals`` keys and intermediates); until it dispatches ranking methods generically these are
called directly (``hqd.methods.mcdm.vikor(x, w)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from hqd.methods._arrays import FloatArray, as_data, choice, invalid


@dataclass(frozen=True)
class VikorResult:
    """``Q`` (lower is better), group utility ``S``, individual regret ``R`` — each ``(..., n)``."""

    Q: FloatArray
    S: FloatArray
    R: FloatArray


def _weights(w: ArrayLike, m: int) -> FloatArray:
    wa = np.asarray(w, dtype=float)
    if wa.shape[-1] != m or np.any(~np.isfinite(wa)) or np.any(wa < 0):
        raise invalid(f"weights must be {m} finite non-negative numbers; got shape {wa.shape}")
    return wa / np.sum(wa, axis=-1, keepdims=True)


def vikor(x: ArrayLike, w: ArrayLike, v: float = 0.5) -> VikorResult:
    """VIKOR compromise ranking: Q = v·(S − S*)/(S⁻ − S*) + (1 − v)·(R − R*)/(R⁻ − R*); lower Q is better.

    Formula (Opricovic & Tzeng 2004, European Journal of Operational Research 156(2), 445–455)
        ``f*_j = max_i x_ij``, ``f⁻_j = min_i x_ij`` over the n axis; ``d_ij = w_j (f*_j − x_ij)/(f*_j − f⁻_j)``;
        group utility ``S_i = Σ_j d_ij``, individual regret ``R_i = max_j d_ij``; ``Q_i`` as above with
        ``S* = min S``, ``S⁻ = max S`` (likewise R) and ``v`` the weight of the majority strategy (0.5:
        consensus).  The acceptable-advantage and stability conditions that choose a compromise set are
        left to the reader of Q, S and R.
    Missing / zero values
        No missing value is allowed (a missing cell has no distance to the ideal: ``invalid_parameter``).
        An indicator with one value for all alternatives (f* = f⁻) has no range: ``invalid_parameter``,
        as in pymcdm.  If all S (or all R) are equal, that term is 0.
    Reproduced
        pymcdm 1.x ``VIKOR()`` (profit criteria, no normalisation) on random matrices to 1e-12
        (``tests/methods/test_mcdm.py``); pymcdm's docstring example below.

    Examples
    --------
    >>> x = [[78, 56, 34, 6], [4, 45, 3, 97], [18, 2, 50, 63], [9, 14, 11, 92], [85, 9, 100, 29]]
    >>> vikor(x, [0.25, 0.25, 0.25, 0.25]).Q.round(4).tolist()
    [0.5679, 0.7667, 1.0, 0.7493, 0.0]
    """
    arr = as_data(x)
    if np.any(np.isnan(arr)):
        raise invalid("vikor needs a complete matrix (no missing values)")
    if not 0 <= v <= 1:
        raise invalid(f"v must be in [0, 1]; got {v!r}")
    wa = _weights(w, arr.shape[-1])
    best = np.max(arr, axis=-2, keepdims=True)
    worst = np.min(arr, axis=-2, keepdims=True)
    if np.any(best == worst):
        raise invalid("vikor: an indicator has the same value for every alternative (no range)")
    d = wa[..., None, :] * (best - arr) / (best - worst)
    s, r = np.sum(d, axis=-1), np.max(d, axis=-1)

    def scaled(a: FloatArray) -> FloatArray:
        lo, hi = np.min(a, axis=-1, keepdims=True), np.max(a, axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(hi > lo, (a - lo) / (hi - lo), 0.0)

    return VikorResult(v * scaled(s) + (1 - v) * scaled(r), s, r)


#: PROMETHEE preference functions P(d) of a difference d = x_a − x_b (Brans & Vincke 1985).
PREFERENCES = ("usual", "ushape", "vshape", "level", "vshape_2")


def _preference(d: FloatArray, kind: str, q: FloatArray, p: FloatArray) -> FloatArray:
    if kind == "usual":
        return (d > 0).astype(float)
    if kind == "ushape":
        return (d > q).astype(float)
    if kind == "vshape":
        return np.clip(d / p, 0.0, 1.0)
    if kind == "level":
        return np.where(d > p, 1.0, np.where(d > q, 0.5, 0.0))
    # vshape_2: linear between the indifference q and the preference p thresholds
    return np.where(d > p, 1.0, np.where(d > q, (d - q) / (p - q), 0.0))


def promethee_ii(x: ArrayLike, w: ArrayLike, preference: str = "usual", q: ArrayLike | None = None,
                 p: ArrayLike | None = None) -> FloatArray:
    """PROMETHEE II net outranking flow φ = φ⁺ − φ⁻ of each alternative (higher is better), in [−1, 1].

    Formula (Brans & Vincke 1985, Management Science 31(6), 647–656)
        For alternatives a, b and indicator j, ``d_j(a, b) = x_aj − x_bj`` and a preference function
        ``P_j(d)``: ``usual`` (d > 0), ``ushape`` (d > q), ``vshape`` (d/p, capped at 1), ``level`` (½ between
        q and p, 1 above p), ``vshape_2`` (linear from q to p).  ``π(a, b) = Σ_j w_j P_j(d_j(a, b))`` with
        weights summing to 1; ``φ⁺(a) = Σ_b π(a, b)/(n − 1)``, ``φ⁻(a) = Σ_b π(b, a)/(n − 1)``.
    Cost
        O(n² m) time and memory per batch item: meant for decision matrices (tens to thousands of
        alternatives), not for millions of region-years.
    Missing / zero values
        No missing value is allowed (``invalid_parameter``).  q and p (per indicator, or one number) are in
        the units of ``x``; the functions that need them refuse to run without them.
    Reproduced
        pymcdm 1.x ``PROMETHEE_II`` with each preference function on random matrices to 1e-12
        (``tests/methods/test_mcdm.py``).

    Examples
    --------
    >>> x = [[0.8, 0.2, 0.5], [0.4, 0.9, 0.3], [0.6, 0.6, 0.9]]
    >>> promethee_ii(x, [0.4, 0.3, 0.3]).round(4).tolist()
    [0.1, -0.4, 0.3]
    """
    choice(preference, "preference", PREFERENCES)
    arr = as_data(x)
    if np.any(np.isnan(arr)):
        raise invalid("promethee_ii needs a complete matrix (no missing values)")
    n, m = arr.shape[-2:]
    if n < 2:
        raise invalid("promethee_ii needs at least two alternatives")
    wa = _weights(w, m)
    needs = {"ushape": ("q",), "vshape": ("p",), "level": ("q", "p"), "vshape_2": ("q", "p")}.get(preference, ())
    given = {"q": q, "p": p}
    for name in needs:
        if given[name] is None:
            raise invalid(f"preference {preference!r} needs the threshold {name}")
    qa = np.broadcast_to(np.asarray(q if q is not None else 0.0, dtype=float), (m,))
    pa = np.broadcast_to(np.asarray(p if p is not None else 1.0, dtype=float), (m,))
    if "p" in needs and np.any(pa <= (qa if "q" in needs else 0.0)):
        raise invalid("the preference threshold p must exceed the indifference threshold q (and 0)")
    d = arr[..., :, None, :] - arr[..., None, :, :]                      # (..., n, n, m): a − b
    pi = np.sum(_preference(d, preference, qa, pa) * wa[..., None, None, :], axis=-1)
    plus = np.sum(pi, axis=-1) / (n - 1)
    minus = np.sum(pi, axis=-2) / (n - 1)
    return plus - minus
