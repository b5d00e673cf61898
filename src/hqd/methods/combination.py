"""Combining weight sets: game-theory combination weighting (博弈论组合赋权), and the order-relation (G1)
subjective weights it is often combined with.

``game_theory`` is a weighting method of the catalogue (``weight: {method: game_theory, first: {…},
second: {…}}``, like ``combined``); :func:`game_theory_weights` takes any number of weight sets.
:func:`g1` turns an expert's ordering and importance ratios into weights (郭亚军's 序关系分析法).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from hqd.methods._arrays import FloatArray, invalid
from hqd.methods.catalog import register
from hqd.methods.weight import TWO_PARTS, WeightResult


def game_theory_weights(sets: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The game-theory combination of k weight sets ``(k, m)``: ``(w*, α)``.

    Formula (the "game theory" combination weighting of the Chinese evaluation literature, e.g. 陈华友 2003
    and its many applications)
        Find ``α`` minimising ``‖Σ_j α_j w_j − w_i‖₂`` for every i at once: the first-order conditions are the
        linear system ``Σ_j α_j (w_i · w_j) = w_i · w_i`` (i = 1…k).  α is then made non-negative and scaled
        to sum to 1 (``α* = |α| / Σ|α|``), and ``w* = Σ_j α*_j w_j`` (sums to 1).
    Missing / zero values
        Each set must be m finite non-negative weights summing to a positive number (they are rescaled to 1).
        Linearly dependent sets (two identical sets) make the system singular: the least-squares solution
        is used (identical sets get equal α).
    Reproduced
        On two sets the system solves the normal equations of the stated minimisation; checked against
        ``numpy.linalg.lstsq`` and on identical sets (α = ½, ½) in ``tests/methods/test_combination.py``.
    """
    w = np.asarray(sets, dtype=float)
    if w.ndim != 2 or w.shape[0] < 2 or np.any(~np.isfinite(w)) or np.any(w < 0):
        raise invalid("game_theory needs two or more sets of finite non-negative weights, shape (k, m)")
    totals = w.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise invalid("every weight set must have a positive sum")
    w = w / totals
    gram = w @ w.T
    alpha = np.linalg.lstsq(gram, np.diag(gram), rcond=None)[0]
    alpha = np.abs(alpha) / np.sum(np.abs(alpha))
    return alpha @ w, alpha


@register("weight", "game_theory", **TWO_PARTS)
def game_theory(w1: ArrayLike, w2: ArrayLike) -> WeightResult:
    """Game-theory combination weighting (博弈论组合赋权) of two weight sets, e.g. AHP and entropy.

    See :func:`game_theory_weights` for the formula; the coefficients are returned as ``alpha`` (details).
    Batched over leading axes of the weight sets (Monte Carlo runs, years).

    Examples
    --------
    >>> result = game_theory([0.5, 0.3, 0.2], [0.2, 0.3, 0.5])
    >>> result.weights.round(4).tolist(), result.details["alpha"].round(4).tolist()
    ([0.35, 0.3, 0.35], [0.5, 0.5])
    """
    a, b = np.asarray(w1, dtype=float), np.asarray(w2, dtype=float)
    a, b = np.broadcast_arrays(a, b)
    lead = a.shape[:-1]
    flat_a, flat_b = a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1])
    weights = np.empty_like(flat_a)
    alphas = np.empty((flat_a.shape[0], 2))
    for i in range(flat_a.shape[0]):  # a 2×2 solve per batch item
        weights[i], alphas[i] = game_theory_weights(np.stack([flat_a[i], flat_b[i]]))
    return WeightResult(weights.reshape(a.shape), {"alpha": alphas.reshape(*lead, 2)})


def g1(order: Sequence[str], ratios: Sequence[float]) -> dict[str, float]:
    """Order-relation (G1) weights (序关系分析法, 郭亚军): from an expert's ranking and adjacent ratios.

    Formula (郭亚军 2002 《综合评价理论与方法》, the G1 method)
        The expert orders the m indicators by importance, ``x_1 ≻ x_2 ≻ … ≻ x_m``, and states for each
        adjacent pair ``r_k = w_{k−1} / w_k`` (k = 2…m; customarily 1.0, 1.2, 1.4, 1.6 or 1.8 for equal,
        slightly, clearly, strongly, extremely more important).  Then
        ``w_m = (1 + Σ_{k=2}^{m} Π_{i=k}^{m} r_i)⁻¹`` and ``w_{k−1} = r_k w_k``.
    Bad input
        ``ratios`` must have m − 1 values, each ≥ 1 (the order says the earlier is at least as important)
        — otherwise ``invalid_parameter``; duplicate names in ``order`` are refused.
    Reproduced
        With ratios (1.2, 1.4, 1.0) over four indicators: w₄ = 1/(1 + 1.4·1.0·1.2 + 1.4·1.0 + 1.0)
        = 1/5.08; hand-computed in ``tests/methods/test_combination.py``.

    Examples
    --------
    >>> {k: round(v, 4) for k, v in g1(["a", "b", "c", "d"], [1.2, 1.4, 1.0]).items()}
    {'a': 0.3307, 'b': 0.2756, 'c': 0.1969, 'd': 0.1969}
    """
    names = list(order)
    r = np.asarray(ratios, dtype=float)
    if len(set(names)) != len(names) or len(names) < 2:
        raise invalid("g1 needs two or more distinct indicators in its order")
    if r.shape != (len(names) - 1,) or np.any(~np.isfinite(r)) or np.any(r < 1):
        raise invalid(f"g1 needs {len(names) - 1} ratios r_k = w_(k-1)/w_k, each ≥ 1; got {list(ratios)!r}")
    # products Π_{i=k}^{m} r_i for k = 2…m, i.e. reversed cumulative products of r
    tail = np.cumprod(r[::-1])[::-1]
    w_last = 1.0 / (1.0 + tail.sum())
    w = np.empty(len(names))
    w[-1] = w_last
    for k in range(len(names) - 1, 0, -1):
        w[k - 1] = r[k - 1] * w[k]
    return dict(zip(names, w.tolist(), strict=True))


def fahp(matrix: ArrayLike, method: str = "extent") -> WeightResult:
    """Fuzzy AHP weights from a triangular fuzzy pairwise matrix ``(k, k, 3)`` of (l, m, u) judgements.

    Variants
        ``extent`` — Chang (1996, European Journal of Operational Research 95(3), 649–655) extent analysis:
        synthetic extents ``S_i = Σ_j M_ij ⊗ (Σ_i Σ_j M_ij)⁻¹`` with ``(l, m, u)⁻¹ = (1/u, 1/m, 1/l)``; degree
        of possibility ``V(S_a ≥ S_b) = 1`` if ``m_a ≥ m_b``, 0 if ``l_b ≥ u_a``, else
        ``(l_b − u_a) / ((m_a − u_a) − (m_b − l_b))``; ``d_i = min_{b≠i} V(S_i ≥ S_b)``, normalised.
        ``geometric`` — Buckley (1985, Fuzzy Sets and Systems 17(3), 233–247): fuzzy geometric row means
        ``r_i = (Π_j M_ij)^{1/k}``, fuzzy weights ``r_i ⊗ (Σ r)⁻¹``, defuzzified by the centroid (l + m + u)/3
        and normalised.
        Extent analysis can give an indicator weight 0 (a known weakness, Wang, Luo & Hua 2008); the
        geometric variant never does.
    Consistency
        The middle values ``m`` form a crisp pairwise matrix whose AHP consistency ratio is reported
        (``CR`` in details, from :func:`hqd.methods.weight.ahp`); CR ≥ 0.1 flags an inconsistent expert.
    Bad input
        A matrix that is not ``(k, k, 3)``, has l ≤ m ≤ u violated, a diagonal other than (1, 1, 1), or a
        reciprocal that does not mirror (M_ji ≠ (1/u, 1/m, 1/l)) is ``invalid_parameter``.
    Reproduced
        Crisp judgements (l = m = u) give the geometric variant the AHP geometric-mean weights, and the
        degrees of possibility follow Chang's definition on a hand-computed 3×3 case
        (``tests/methods/test_combination.py``).

    Examples
    --------
    >>> one, third, three = (1, 1, 1), (1/4, 1/3, 1/2), (2, 3, 4)
    >>> fahp([[one, three, three], [third, one, one], [third, one, one]], "geometric").weights.round(4).tolist()
    [0.5968, 0.2016, 0.2016]
    """
    from hqd.methods.weight import ahp

    choices = ("extent", "geometric")
    if method not in choices:
        raise invalid(f"fahp method must be one of {', '.join(choices)}; got {method!r}")
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 3 or m.shape[0] != m.shape[1] or m.shape[2] != 3 or m.shape[0] < 2:
        raise invalid(f"fahp needs a (k, k, 3) matrix of (l, m, u) judgements; got shape {m.shape}")
    lo, mid, up = m[..., 0], m[..., 1], m[..., 2]
    if np.any(~np.isfinite(m)) or np.any(lo <= 0) or np.any(lo > mid) or np.any(mid > up):
        raise invalid("fahp judgements must be positive (l, m, u) with l ≤ m ≤ u")
    k = m.shape[0]
    if not np.allclose(m[np.arange(k), np.arange(k)], 1.0):
        raise invalid("fahp: the diagonal must be (1, 1, 1)")
    if not np.allclose(lo, 1.0 / up.T) or not np.allclose(mid, 1.0 / mid.T):
        raise invalid("fahp: M_ji must be the reciprocal (1/u, 1/m, 1/l) of M_ij")
    if method == "geometric":
        r = np.prod(m, axis=1) ** (1.0 / k)                                  # (k, 3)
        total = r.sum(axis=0)                                                # (3,)
        fuzzy = np.stack([r[:, 0] / total[2], r[:, 1] / total[1], r[:, 2] / total[0]], axis=1)
        crisp = fuzzy.mean(axis=1)
        details: dict[str, FloatArray] = {"fuzzy_weights": fuzzy}
    else:
        rows = m.sum(axis=1)                                                 # (k, 3)
        total = rows.sum(axis=0)
        s = np.stack([rows[:, 0] / total[2], rows[:, 1] / total[1], rows[:, 2] / total[0]], axis=1)
        ma, ua = s[:, None, 1], s[:, None, 2]                                # S_a (rows)
        lb, mb = s[None, :, 0], s[None, :, 1]                                # S_b (columns)
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.where(ma >= mb, 1.0, np.where(lb >= ua, 0.0, (lb - ua) / ((ma - ua) - (mb - lb))))
        np.fill_diagonal(v, np.inf)
        crisp = v.min(axis=1)
        details = {"extents": s, "possibility": np.where(np.isinf(v), 1.0, v)}
    weights = crisp / crisp.sum()
    consistency = ahp(matrix=mid)
    details |= {"CR": np.asarray(consistency.details["CR"]), "consistent": np.asarray(consistency.details["consistent"])}
    return WeightResult(weights, details)
