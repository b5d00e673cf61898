"""Specialisation, similarity, localisation and agglomeration of industries across regions.

Every function takes an array ``x`` of non-negative values (output, value added, employment or firm
counts) whose last two axes are (regions, industries) and broadcasts over any leading axes (years,
Monte Carlo runs …).  Shares are taken inside the function: the measures are unchanged when ``x`` is
multiplied by a constant.  Bad input (NaN, inf, negative cells, wrong shapes) raises one located
:class:`hqd.errors.HqdError`; a region or industry whose total is zero gives NaN where a share would
divide by it (stated in each docstring).

The worked numbers in the docstrings use the "Holukuluku" table of G. Krumme's *Shift & Share Table
with Excel Explanations* (University of Washington, Geography 350): regional employment 1985 by
industry I–IV = 500, 100, 200, 200; national shares 10 %, 20 %, 40 %, 30 %.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hqd.analysis.industry._check import industry_index, reference_row, table

Labels = Sequence[str] | None


def _shares(x: np.ndarray, axis: int) -> np.ndarray:
    total = x.sum(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, x / np.where(total > 0, total, 1.0), np.nan)


def region_shares(x: object, *, regions: Labels = None, industries: Labels = None) -> np.ndarray:
    """Industry structure of each region: :math:`s_{ri} = x_{ri} / \\sum_k x_{rk}`.

    Policy: a region whose total is 0 gets NaN shares.  Reference: Isard (1960) *Methods of Regional
    Analysis*.  Replicates: Holukuluku 1985 shares 0.5, 0.1, 0.2, 0.2 (Krumme, col. 1).
    """
    arr = table(x, "x", regions=regions, industries=industries)
    return _shares(arr, -1)


def location_quotient(
    x: object,
    reference: object | None = None,
    *,
    regions: Labels = None,
    industries: Labels = None,
) -> np.ndarray:
    """Location quotient (区位熵) of every region and industry, shape (…, regions, industries).

    .. math::

        LQ_{ri} = \\frac{x_{ri} / \\sum_k x_{rk}}{X_i / \\sum_k X_k}

    where :math:`X` is ``reference`` (one value per industry, e.g. the nation; shape (…, industries))
    or, by default, the sum of ``x`` over its regions (the region system itself).  LQ > 1: the region
    is more specialised in the industry than the reference.  A region given as its own reference has
    LQ = 1 in every industry.

    Policy: NaN/inf/negative cells are errors; a region with total 0 or an industry with reference 0
    gives NaN.

    References: Isard, W. (1960) *Methods of Regional Analysis*, MIT Press.

    Replicates Krumme's Holukuluku table (col. 3, "Loc Quot"): regional shares 50/10/20/20 % against
    national 10/20/40/30 % give LQ = 5, 0.5, 0.5, 0.667.
    """
    arr = table(x, "x", regions=regions, industries=industries)
    s = _shares(arr, -1)
    ref = arr.sum(axis=-2) if reference is None else reference_row(reference, arr)
    ref_s = _shares(ref, -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ref_s[..., None, :] > 0, s / np.where(ref_s > 0, ref_s, 1.0)[..., None, :], np.nan)


def structural_similarity(x: object, *, regions: Labels = None, industries: Labels = None) -> np.ndarray:
    """Structural similarity coefficient (产业结构相似系数), every pair of regions: (…, regions, regions).

    UNIDO's cosine form:

    .. math::

        S_{jk} = \\frac{\\sum_i s_{ji} s_{ki}}{\\sqrt{\\sum_i s_{ji}^2 \\sum_i s_{ki}^2}} \\in [0, 1]

    with :math:`s_{ri}` the industry shares of region r (the value is the same on levels, since the
    cosine ignores each row's scale).  1 = identical structures (产业同构), 0 = no industry in common.
    The diagonal is 1.

    Policy: NaN/inf/negative cells are errors; a region with total 0 has NaN similarity with every
    region (itself included).

    Reference: UNIDO (1979) *World Industry since 1960: Progress and Prospects*, New York: United
    Nations; in Chinese regional studies e.g. 陈耀 (1998) 产业结构趋同的度量及合意与非合意性, 中国工业经济 (4).

    Replicates: Holukuluku (shares 0.5, 0.1, 0.2, 0.2) against the nation (0.1, 0.2, 0.4, 0.3):
    2100 / √(3400 · 3000) = 0.65754 (in percentage points).
    """
    arr = table(x, "x", regions=regions, industries=industries)
    s = _shares(arr, -1)
    norm = np.sqrt((s * s).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        u = s / norm[..., None]
    return np.einsum("...ji,...ki->...jk", u, u)


def krugman_dissimilarity(x: object, *, regions: Labels = None, industries: Labels = None) -> np.ndarray:
    """Krugman dissimilarity index between every pair of regions: (…, regions, regions).

    .. math::

        K_{jk} = \\sum_i \\left| s_{ji} - s_{ki} \\right| \\in [0, 2]

    0 = identical industry structures, 2 = no industry in common (complete division of labour).

    Policy: NaN/inf/negative cells are errors; a region with total 0 gives NaN.

    Reference: Krugman, P. (1991) *Geography and Trade*, MIT Press.

    Replicates: Holukuluku against the nation, |0.5 − 0.1| + |0.1 − 0.2| + |0.2 − 0.4| + |0.2 − 0.3|
    = 0.8.
    """
    arr = table(x, "x", regions=regions, industries=industries)
    s = _shares(arr, -1)
    return np.abs(s[..., :, None, :] - s[..., None, :, :]).sum(axis=-1)


def krugman_specialisation(
    x: object,
    reference: object | str = "rest",
    *,
    regions: Labels = None,
    industries: Labels = None,
) -> np.ndarray:
    """Krugman specialisation index of each region against a reference structure: (…, regions).

    .. math::

        K_r = \\sum_i \\left| s_{ri} - \\bar s_{ri} \\right| \\in [0, 2]

    with :math:`\\bar s_{ri}` the industry shares of ``reference``: ``"rest"`` (default; the other
    regions of ``x`` pooled, as Midelfart-Knarvik et al. 2000 compare each EU country with the rest
    of the EU), ``"total"`` (all regions of ``x`` pooled, the region included) or an array with one
    value per industry (e.g. the nation).

    Policy: NaN/inf/negative cells are errors; a region with total 0, or a reference with total 0,
    gives NaN.  With one region only, ``"rest"`` is empty and gives NaN.

    References: Krugman, P. (1991) *Geography and Trade*, MIT Press; Midelfart-Knarvik, K. H.,
    Overman, H. G., Redding, S. J. & Venables, A. J. (2000) *The Location of European Industry*,
    European Commission Economic Papers 142.

    Replicates: Holukuluku against the nation (``reference`` = national shares): 0.8.
    """
    arr = table(x, "x", regions=regions, industries=industries)
    s = _shares(arr, -1)
    if isinstance(reference, str):
        if reference == "rest":
            ref = _shares(arr.sum(axis=-2, keepdims=True) - arr, -1)
        elif reference == "total":
            ref = _shares(arr.sum(axis=-2, keepdims=True), -1)
        else:
            from hqd.errors import HqdError, Problem

            raise HqdError([Problem("unknown_reference",
                                    f"unknown reference {reference!r}; valid: rest, total, or an array")])
    else:
        ref = _shares(reference_row(reference, arr), -1)[..., None, :]
    return np.abs(s - ref).sum(axis=-1)


def hoover_localisation(x: object, *, regions: Labels = None, industries: Labels = None) -> np.ndarray:
    """Hoover localisation coefficient of each industry across the regions: (…, industries).

    .. math::

        H_i = \\tfrac12 \\sum_r \\left| \\frac{x_{ri}}{\\sum_q x_{qi}} - \\frac{\\sum_k x_{rk}}{\\sum_{q,k} x_{qk}} \\right|
        \\in [0, 1)

    0 = the industry is spread like activity as a whole; near 1 = concentrated in a region that holds
    little of the total.

    Policy: NaN/inf/negative cells are errors; an industry with total 0 gives NaN.

    Reference: Hoover, E. M. (1936) The measurement of industrial localization, *Review of Economics
    and Statistics* 18(4): 162–171.  Replicates: a two-region table [[1, 0], [0, 1]] gives 0.5 for
    both industries (half of each industry would have to move to match the total's distribution).
    """
    arr = table(x, "x", regions=regions, industries=industries)
    ind = _shares(arr, -2)
    tot = _shares(arr.sum(axis=-1, keepdims=True), -2)
    return 0.5 * np.abs(ind - tot).sum(axis=-2)


def locational_gini(x: object, *, regions: Labels = None, industries: Labels = None) -> np.ndarray:
    """Locational Gini coefficient of each industry (Krugman 1991): (…, industries).

    For industry i, order regions by their location quotient (ascending), draw the Lorenz curve of the
    industry's cumulative share :math:`Y_k` against the cumulative share of total activity :math:`X_k`,
    and take

    .. math::

        G_i = 1 - \\sum_k (X_k - X_{k-1})(Y_k + Y_{k-1}) \\in [0, 1)

    0 = the industry is located like total activity; larger = more localised.

    Policy: NaN/inf/negative cells are errors; an industry with total 0 gives NaN.  Regions with
    zero total activity have no LQ and sit first (they add no width to the curve).

    References: Krugman, P. (1991) *Geography and Trade*, MIT Press;
    Amiti, M. (1998) New trade theories and industrial location in the EU, *Oxford Review of Economic
    Policy* 14(2): 45–53.

    Replicates: [[1, 0], [0, 1]] (two equal regions, each with one industry) gives 0.5 for both.
    """
    arr = table(x, "x", regions=regions, industries=industries)
    ind = _shares(arr, -2)  # (…, R, I) share of industry i in region r
    tot = _shares(arr.sum(axis=-1, keepdims=True), -2)  # (…, R, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        lq = np.where(tot > 0, ind / np.where(tot > 0, tot, 1.0), -np.inf)
    order = np.argsort(lq, axis=-2, kind="stable")
    y = np.take_along_axis(ind, order, axis=-2)
    xs = np.take_along_axis(np.broadcast_to(tot, ind.shape), order, axis=-2)
    cy = np.cumsum(y, axis=-2)
    cy_prev = cy - y
    return 1.0 - (xs * (cy + cy_prev)).sum(axis=-2)


def ellison_glaeser(
    x: object,
    herfindahl: object,
    *,
    regions: Labels = None,
    industries: Labels = None,
) -> np.ndarray:
    """Ellison–Glaeser agglomeration index γ of each industry: (…, industries).

    .. math::

        G_i = \\sum_r (s_{ri} - x_r)^2, \\qquad
        \\gamma_i = \\frac{G_i - (1 - \\sum_r x_r^2) H_i}{(1 - \\sum_r x_r^2)(1 - H_i)}

    with :math:`s_{ri}` region r's share of industry i, :math:`x_r` its share of total activity and
    :math:`H_i` the plant Herfindahl index of industry i (:math:`\\sum_j z_j^2` over its firms' shares),
    given as ``herfindahl`` (shape (…, industries)).  γ ≈ 0: located as if at random (a "dartboard");
    EG read γ > 0.05 as highly and γ < 0.02 as not very localised.

    Policy: NaN/inf/negative cells are errors; H must lie in [0, 1); an industry with total 0 gives
    NaN.  H = 0 (infinitely many small plants) reduces γ to G / (1 − Σx²), the form used when no firm
    data exist — say so when you report it.

    Reference: Ellison, G. & Glaeser, E. L. (1997) Geographic concentration in U.S. manufacturing
    industries: a dartboard approach, *Journal of Political Economy* 105(5): 889–927.

    Replicates the definition: for two equal regions and an industry all in one of them with H = 0,
    G = 0.5, Σx² = 0.5, γ = 1.
    """
    arr = table(x, "x", regions=regions, industries=industries)
    h = np.asarray(herfindahl, dtype=float)
    if h.shape[-1:] != arr.shape[-1:] or not np.isfinite(h).all() or (h < 0).any() or (h >= 1).any():
        from hqd.errors import HqdError, Problem

        raise HqdError([Problem("invalid_herfindahl",
                                f"herfindahl needs one value in [0, 1) per industry ({arr.shape[-1]}); "
                                f"got shape {h.shape}")])
    s = _shares(arr, -2)
    xr = _shares(arr.sum(axis=-1, keepdims=True), -2)
    g = ((s - xr) ** 2).sum(axis=-2)
    sx2 = (xr**2).sum(axis=-2)  # (…, 1)
    return (g - (1 - sx2) * h) / ((1 - sx2) * (1 - h))


def coagglomeration_eg(
    x: object,
    a: int | str,
    b: int | str,
    *,
    regions: Labels = None,
    industries: Labels = None,
) -> np.ndarray:
    """Ellison–Glaeser–Kerr pairwise co-agglomeration index of industries ``a`` and ``b``: shape (…).

    .. math::

        \\gamma^c_{ab} = \\frac{\\sum_r (s_{ra} - x_r)(s_{rb} - x_r)}{1 - \\sum_r x_r^2}

    with :math:`s_{ra}` region r's share of industry a and :math:`x_r` its share of total activity.
    > 0: the two industries are over-represented in the same regions (协同集聚); < 0: in different ones.

    Policy: NaN/inf/negative cells are errors; an industry with total 0 gives NaN.  ``a``/``b`` are
    indexes or labels of ``industries``; an unknown one is an ``unknown_industry`` error.

    References: Ellison, G., Glaeser, E. L. & Kerr, W. R. (2010) What causes industry agglomeration?
    *American Economic Review* 100(3): 1195–1213; Ellison & Glaeser (1997) *JPE* 105(5).

    Replicates the definition: two equal regions, both industries all in region 1 → (0.5·0.5 +
    0.5·0.5)/(1 − 0.5) = 1.
    """
    arr = table(x, "x", regions=regions, industries=industries)
    ia = industry_index(industries, a, arr.shape[-1])
    ib = industry_index(industries, b, arr.shape[-1])
    s = _shares(arr, -2)
    xr = _shares(arr.sum(axis=-1, keepdims=True), -2)[..., 0]
    num = ((s[..., ia] - xr) * (s[..., ib] - xr)).sum(axis=-1)
    return num / (1 - (xr**2).sum(axis=-1))


def coagglomeration_lq(
    x: object,
    a: int | str,
    b: int | str,
    *,
    with_level: bool = False,
    reference: object | None = None,
    regions: Labels = None,
    industries: Labels = None,
) -> np.ndarray:
    """Co-agglomeration index (协同集聚指数) of industries ``a`` and ``b`` in each region: (…, regions).

    .. math::

        C_r = 1 - \\frac{\\left| LQ_{ra} - LQ_{rb} \\right|}{LQ_{ra} + LQ_{rb}} \\in [0, 1]
        \\qquad (+\\, LQ_{ra} + LQ_{rb} \\text{ when } with\\_level)

    from the two location quotients (:func:`location_quotient`, same ``reference``).  C = 1: the two
    industries are equally agglomerated in the region; the ``with_level`` variant adds the level of
    agglomeration so that two equally weak industries do not score as high as two equally strong ones.

    Policy: NaN/inf/negative cells are errors; a region where both LQs are 0 gets NaN (no
    agglomeration to compare).

    References: 陈国亮, 陈建军 (2012) 产业关联、空间地理与二三产业共同集聚, 管理世界 (4);
    杨仁发 (2013) 产业集聚与地区工资差距, 管理世界 (8) (the variant with the level term).

    Replicates the definition: LQ_a = 1.5, LQ_b = 0.5 → 1 − 1/2 = 0.5 (2.5 with the level term).
    """
    lq = location_quotient(x, reference, regions=regions, industries=industries)
    ia = industry_index(industries, a, lq.shape[-1])
    ib = industry_index(industries, b, lq.shape[-1])
    la, lb = lq[..., ia], lq[..., ib]
    total = la + lb
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(total > 0, 1 - np.abs(la - lb) / np.where(total > 0, total, 1.0), np.nan)
    return c + total if with_level else c
