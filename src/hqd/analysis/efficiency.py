"""Efficiency (效率) of regions as decision-making units: DEA CCR/BCC, SBM with undesirable outputs,
super-efficiency SBM, and the Malmquist–Luenberger / global Malmquist–Luenberger (GML) index.

Every row of the input table (``region``, optional ``year``, one column per variable) is a
decision-making unit (DMU).  With a ``year`` column each year has its own frontier
(``frontier="year"``, the default for a panel) or all years share one (``frontier="pooled"``).

How the linear programmes are solved
------------------------------------
Every model is one small linear programme per DMU, solved by HiGHS (the solver behind
:func:`scipy.optimize.linprog`) through its own Python interface ``highspy``.  The programmes of one
frontier share their constraint matrix: one column per reference DMU and a handful of rows (one per
input/output).  That matrix is passed to HiGHS once per frontier; per DMU only the DMU's own columns
(the Charnes–Cooper scale ``t``, the slacks or the distance ``β``), the costs and the right-hand side
are rewritten, and HiGHS restarts from the previous optimal basis — a few pivots, where a fresh
``linprog`` call rebuilds, presolves and solves the whole programme from scratch (about 5 ms of
overhead alone).  ``benchmarks/bench_efficiency.py`` measures that per-DMU ``linprog`` loop as the
baseline.  For the radial and SBM models the reference columns are also reduced to the
**non-dominated** DMUs (no other DMU uses no more of every input and bad output and produces no less
of every good output, one of them strictly): under free disposability a dominated DMU lies inside the
production possibility set spanned by the others, so dropping it changes no optimal value.  The
directional distance functions of ML/GML treat bad outputs as weakly disposable (an equality), where
that argument fails, so they keep every column.  One block LP over all DMUs was not chosen: it is as
large as all the small programmes together and its blocks share nothing HiGHS could exploit.

References
----------
Charnes, A., Cooper, W. W., Rhodes, E. (1978). Measuring the efficiency of decision making units.
EJOR 2(6), 429–444. doi:10.1016/0377-2217(78)90138-8.
Banker, R. D., Charnes, A., Cooper, W. W. (1984). Some models for estimating technical and scale
inefficiencies in DEA. Management Science 30(9), 1078–1092. doi:10.1287/mnsc.30.9.1078.
Tone, K. (2001). A slacks-based measure of efficiency in data envelopment analysis. EJOR 130(3),
498–509. doi:10.1016/S0377-2217(99)00407-5.
Tone, K. (2002). A slacks-based measure of super-efficiency in DEA. EJOR 143(1), 32–41.
doi:10.1016/S0377-2217(01)00324-1.
Tone, K. (2004). Dealing with undesirable outputs in DEA: a slacks-based measure (SBM) approach.
NAPW III, Toronto, 44–45; Cooper, Seiford, Tone (2007), *Data Envelopment Analysis*, 2nd ed., §13.
Chung, Y. H., Färe, R., Grosskopf, S. (1997). Productivity and undesirable outputs: a directional
distance function approach. J. Environmental Management 51(3), 229–240. doi:10.1006/jema.1997.0146.
Aparicio, J., Pastor, J. T., Zofío, J. L. (2013). On the inconsistency of the Malmquist–Luenberger
index. EJOR 229(3), 738–742. doi:10.1016/j.ejor.2013.03.031.
Oh, D. (2010). A global Malmquist–Luenberger productivity index. J. Productivity Analysis 34(3),
183–197. doi:10.1007/s11123-010-0178-y.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hqd.analysis._data import MAX_LISTED, choose, wide_table
from hqd.errors import HqdError, Problems

RTS: tuple[str, ...] = ("crs", "vrs")
FRONTIERS: tuple[str, ...] = ("year", "pooled")
INDEXES: tuple[str, ...] = ("gml", "ml")
#: How bad outputs may be disposed of in the directional distance functions of ML/GML.
DISPOSABILITY: tuple[str, ...] = ("weak", "free")
#: Scores within this distance of 1 count as efficient.
EFFICIENT_TOL = 1e-7


# ------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class EfficiencyResult:
    """Efficiency scores per DMU with the process values.

    ``frame``: ``region, year, efficiency, efficient, status`` (``status`` is HiGHS' ``optimal`` or
    ``infeasible``/… where a programme had no solution; the score is then NaN, never a guess);
    ``slacks``: ``region, year, variable, kind (input|output|undesirable), value, slack, target``;
    ``lambdas``: ``region, year, peer_region, peer_year, lambda`` (non-zero intensities only).
    """

    model: str
    rts: str
    frame: pd.DataFrame
    slacks: pd.DataFrame
    lambdas: pd.DataFrame
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    undesirable: tuple[str, ...] = ()
    frontier: str = "pooled"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def estimator(self) -> str:
        """One line: model, returns to scale, frontier and what the score means."""
        names = {
            "ccr": "CCR radial input-oriented DEA (Charnes, Cooper & Rhodes 1978)",
            "bcc": "BCC radial input-oriented DEA (Banker, Charnes & Cooper 1984)",
            "sbm": "non-oriented SBM (Tone 2001)" + (", undesirable outputs (Tone 2004)" if self.undesirable else ""),
            "super_sbm": "super-efficiency SBM (Tone 2002) for efficient DMUs, SBM for the others"
            + (", undesirable outputs" if self.undesirable else ""),
        }
        return (
            f"estimator: {names[self.model]}, {self.rts.upper()}, frontier per {self.frontier}; "
            f"HiGHS LP; scale (0, 1] (super-SBM ≥ 1 for efficient DMUs); "
            f"caveat: relative to the DMUs given, sensitive to outliers and to the choice of variables"
        )

    def verdict(self, lang: str = "en") -> str:
        """One sentence on the share of efficient DMUs and the mean score, in English or Chinese."""
        eff = self.frame["efficiency"]
        share = float(self.frame["efficient"].mean()) if len(self.frame) else float("nan")
        mean = float(eff.mean())
        worst = self.frame.loc[eff.idxmin()] if eff.notna().any() else None
        if lang == "zh":
            tail = f"，效率最低的是{worst['region']}（{worst['efficiency']:.3f}）" if worst is not None else ""
            return f"{share:.0%}的决策单元位于前沿面上，平均效率为{mean:.3f}{tail}。"
        tail = f"; the least efficient is {worst['region']} ({worst['efficiency']:.3f})" if worst is not None else ""
        return f"{share:.0%} of the DMUs are on the frontier and the mean efficiency is {mean:.3f}{tail}."


@dataclass(frozen=True)
class ProductivityResult:
    """Malmquist–Luenberger (``ml``) or global ML (``gml``) index between consecutive years.

    ``frame``: ``region, year_from, year_to, index, ec, tc`` (index = EC × TC; > 1 is growth);
    ``distances``: ``region, year, frontier, distance, status`` — the directional distance
    functions D used (``frontier`` is ``global``, ``same`` (own year), ``previous`` or ``next``).
    ``cumulative``: ``region, year, cumulative`` (product of the indices from the first year).
    """

    index: str
    frame: pd.DataFrame
    distances: pd.DataFrame
    cumulative: pd.DataFrame
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    undesirable: tuple[str, ...]
    disposability: str = "weak"

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def estimator(self) -> str:
        name = (
            "global Malmquist–Luenberger index (Oh 2010)"
            if self.index == "gml"
            else "Malmquist–Luenberger index (Chung, Färe & Grosskopf 1997)"
        )
        return (
            f"estimator: {name}; directional distance function, direction g = (y, -b), CRS, bad outputs "
            f"{'weakly' if self.disposability == 'weak' else 'freely'} disposable; index = EC × TC, > 1 means "
            "productivity growth; caveat: "
            + ("cross-period distances can be infeasible (NaN)" if self.index == "ml" else "the global frontier changes when years are added")
        )

    def verdict(self, lang: str = "en") -> str:
        """One sentence: the geometric-mean index and whether EC or TC drives it (NaN indices skipped)."""

        def geo(column: str) -> float:
            v = self.frame[column].to_numpy(dtype=float)
            return float(np.exp(np.nanmean(np.log(v)))) if np.isfinite(v).any() else float("nan")

        gm, ec, tc = geo("index"), geo("ec"), geo("tc")
        by_tc = abs(np.log(tc)) >= abs(np.log(ec))
        green = bool(self.undesirable)
        if lang == "zh":
            what = "绿色全要素生产率" if green else "全要素生产率"
            trend = "增长" if gm > 1 else "下降"
            driver = "技术进步" if by_tc else "效率变化"
            return f"{what}年均{trend}{abs(gm - 1):.1%}（几何平均指数{gm:.4f}），主要来自{driver}（EC {ec:.4f}，TC {tc:.4f}）。"
        what = "Green total factor productivity" if green else "Total factor productivity"
        trend = "grows" if gm > 1 else "falls"
        driver = "technical change" if by_tc else "efficiency change"
        return (
            f"{what} {trend} by {abs(gm - 1):.1%} a year (geometric mean index {gm:.4f}), "
            f"driven mainly by {driver} (EC {ec:.4f}, TC {tc:.4f})."
        )


# ------------------------------------------------------------------------------------------- input
@dataclass(frozen=True)
class _Data:
    regions: np.ndarray
    years: np.ndarray
    x: np.ndarray
    y: np.ndarray
    b: np.ndarray
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    undesirable: tuple[str, ...]


def _read(
    data: Any,
    inputs: Sequence[str],
    outputs: Sequence[str],
    undesirable: Sequence[str],
    *,
    positive: bool,
) -> _Data:
    problems = Problems()
    if not inputs:
        problems.error("no_inputs", "a DEA model needs at least one input column")
    if not outputs:
        problems.error("no_outputs", "a DEA model needs at least one (good) output column")
    names = [*inputs, *outputs, *undesirable]
    dup = sorted({n for n in names if names.count(n) > 1})
    for n in dup:
        problems.error("duplicate_variable", "column used more than once as input/output", column=str(n))
    problems.raise_if_errors()
    wide = wide_table(data, names)
    if len(wide) < 2:
        raise HqdError("DEA needs at least two DMUs (rows)", code="too_few_dmus")
    regions = wide.index.get_level_values("region").astype(str).to_numpy()
    years = wide.index.get_level_values("year").to_numpy()
    values = wide.to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values <= 0 if positive else values < 0)
    if bad.any():
        rule = "> 0 (the model divides by it)" if positive else ">= 0"
        for i, j in list(zip(*np.nonzero(bad), strict=True))[:MAX_LISTED]:
            v = values[i, j]
            problems.error(
                "missing_value" if not np.isfinite(v) else "non_positive_value",
                f"value {v!r} not allowed: every input and output must be {rule}",
                column=names[j],
                region=str(regions[i]),
                year=None if pd.isna(years[i]) else int(years[i]),
            )
        problems.raise_if_errors()
    k, s = len(inputs), len(outputs)
    return _Data(
        regions=regions,
        years=years,
        x=values[:, :k],
        y=values[:, k : k + s],
        b=values[:, k + s :],
        inputs=tuple(map(str, inputs)),
        outputs=tuple(map(str, outputs)),
        undesirable=tuple(map(str, undesirable)),
    )


def _groups(d: _Data, frontier: str | None) -> tuple[str, list[np.ndarray]]:
    has_year = not pd.isna(d.years).all()
    frontier = frontier or ("year" if has_year else "pooled")
    choose("frontier", frontier, FRONTIERS)
    if frontier == "pooled" or not has_year:
        return "pooled", [np.arange(len(d.regions))]
    groups = [np.flatnonzero(d.years == y) for y in pd.unique(d.years)]
    small = [int(d.years[g[0]]) for g in groups if len(g) < 2]
    if small:
        raise HqdError(
            f"a year-by-year frontier needs at least two DMUs per year; years with one: {small}",
            code="too_few_dmus",
        )
    return "year", groups


def nondominated(points: np.ndarray, chunk: int = 512) -> np.ndarray:
    r"""Mask of the rows of ``points`` that no other row dominates (all ≤, one <; smaller is better).

    Pass inputs and bad outputs as they are and good outputs negated.  Equal rows keep the first.

    Formula: :math:`j \text{ kept} \iff \nexists k: p_k \le p_j,\ p_k \ne p_j`.
    Policy: finite values expected (validated by the callers); ties keep the first row.
    References: Cooper, Seiford & Tone (2007), *Data Envelopment Analysis*, ch. 3 (free disposability).
    """
    n = len(points)
    keep = np.ones(n, dtype=bool)
    for lo in range(0, n, chunk):
        block = points[lo : lo + chunk]
        le = (points[None, :, :] <= block[:, None, :]).all(axis=2)
        lt = (points[None, :, :] < block[:, None, :]).any(axis=2)
        eq = le & ~lt
        dominated = np.any(le & lt, axis=1)
        idx = np.arange(lo, lo + len(block))
        earlier_equal = np.any(eq & (np.arange(n)[None, :] < idx[:, None]), axis=1)
        keep[lo : lo + chunk] = ~(dominated | earlier_equal)
    return keep


_STATUS = {0: "optimal", 1: "iteration_limit", 2: "infeasible", 3: "unbounded", 4: "numerical_difficulty"}


@dataclass
class _Lp:
    """One DMU's programme split into its own variables and the shared intensity columns.

    Variables are ``[own (k), λ (one per candidate reference DMU)]``.  ``p_ub``/``p_eq`` hold the λ
    column of every candidate reference DMU (rows × candidates); the λ costs are zero.
    """

    c: np.ndarray
    a_ub: np.ndarray | None
    b_ub: np.ndarray | None
    a_eq: np.ndarray | None
    b_eq: np.ndarray | None
    bounds: list[tuple[float | None, float | None]]
    p_ub: np.ndarray | None
    p_eq: np.ndarray | None


def _stack(own: np.ndarray | None, cols: np.ndarray | None) -> np.ndarray | None:
    if own is None:
        return None
    return np.hstack([own, cols]) if cols is not None else own


def _new_highs() -> Any:
    """A silent ``highspy.Highs``: its constructor prints a licence banner on the C-level stdout once
    per process, before any option can be set, so file descriptor 1 is pointed at /dev/null meanwhile."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 (embedded interpreters): accept the banner
        saved = None
    if saved is not None:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
    try:
        h = highspy.Highs()
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


class _Frontier:
    """A HiGHS model holding one frontier's constraint matrix, re-solved per DMU with a warm start.

    Columns are ``[own (k), λ (every candidate reference DMU)]`` and rows ``[≤ rows, = rows]``.  The
    λ block is passed once; per DMU only the own columns' coefficients and bounds, the costs and the
    row bounds are changed, and HiGHS restarts the dual simplex from the previous optimal basis —
    typically a few pivots, where a fresh :func:`scipy.optimize.linprog` call rebuilds and presolves
    the whole programme (``benchmarks/bench_efficiency.py`` measures both).
    """

    def __init__(self, lp: _Lp) -> None:
        import highspy

        self.k = len(lp.c)
        self.n = (lp.p_ub if lp.p_ub is not None else lp.p_eq).shape[1]  # type: ignore[union-attr]
        self.r_ub = 0 if lp.p_ub is None else lp.p_ub.shape[0]
        self.r_eq = 0 if lp.p_eq is None else lp.p_eq.shape[0]
        p = np.vstack([m for m in (lp.p_ub, lp.p_eq) if m is not None])
        own = np.vstack([m for m in (lp.a_ub, lp.a_eq) if m is not None])
        full = np.hstack([own, p])
        rows, cols = full.shape
        self.inf = highspy.kHighsInf
        self.h = _new_highs()
        model = highspy.HighsLp()
        model.num_col_ = cols
        model.num_row_ = rows
        model.col_cost_ = np.concatenate([lp.c, np.zeros(self.n)])
        model.col_lower_ = np.zeros(cols)
        model.col_upper_ = np.full(cols, self.inf)
        model.row_lower_ = np.zeros(rows)
        model.row_upper_ = np.zeros(rows)
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        nz = full != 0
        # own columns are always stored densely so that their coefficients can be rewritten
        nz[:, : self.k] = True
        model.a_matrix_.start_ = np.concatenate([[0], np.cumsum(nz.sum(axis=0))]).astype(np.int32)
        _, row_index = np.nonzero(nz.T)
        model.a_matrix_.index_ = row_index.astype(np.int32)
        model.a_matrix_.value_ = full.T[nz.T]
        self.h.passModel(model)
        self.optimal = highspy.HighsModelStatus.kOptimal
        self.infeasible = highspy.HighsModelStatus.kInfeasible
        self.closed: list[int] = []

    def solve(self, lp: _Lp, exclude: int | None = None) -> tuple[str, float, np.ndarray, np.ndarray]:
        """Status, objective, own variables and λ (all candidates) for one DMU's programme."""
        h, k = self.h, self.k
        own = np.vstack([m for m in (lp.a_ub, lp.a_eq) if m is not None])
        for j in range(k):
            for i in range(own.shape[0]):
                h.changeCoeff(i, j, float(own[i, j]))
        idx = np.arange(k, dtype=np.int32)
        h.changeColsCost(k, idx, lp.c.astype(float))
        lo = np.array([-self.inf if b[0] is None else b[0] for b in lp.bounds], dtype=float)
        hi = np.array([self.inf if b[1] is None else b[1] for b in lp.bounds], dtype=float)
        h.changeColsBounds(k, idx, lo, hi)
        rlo = np.concatenate([np.full(self.r_ub, -self.inf), lp.b_eq if lp.b_eq is not None else []])
        rhi = np.concatenate([lp.b_ub if lp.b_ub is not None else [], lp.b_eq if lp.b_eq is not None else []])
        nr = len(rlo)
        rows = np.arange(nr, dtype=np.int32)
        h.changeRowsBounds(nr, rows, rlo.astype(float), rhi.astype(float))
        for j in self.closed:
            h.changeColBounds(k + j, 0.0, self.inf)
        self.closed = []
        if exclude is not None:
            h.changeColBounds(k + exclude, 0.0, 0.0)
            self.closed = [exclude]
        h.run()
        status = h.getModelStatus()
        if status != self.optimal:
            if status == self.infeasible:
                return "infeasible", float("nan"), np.full(k, np.nan), np.full(self.n, np.nan)
            return h.modelStatusToString(status), float("nan"), np.full(k, np.nan), np.full(self.n, np.nan)
        x = np.asarray(h.getSolution().col_value)
        return "optimal", float(h.getInfo().objective_function_value), x[:k], x[k:]


# ------------------------------------------------------------------------------------------- SBM
def _sbm_lp(x0: np.ndarray, y0: np.ndarray, b0: np.ndarray, xr: np.ndarray, yr: np.ndarray, br: np.ndarray, vrs: bool) -> _Lp:
    """Tone's SBM (with bad outputs) after the Charnes–Cooper transformation, for one DMU.

    Own variables ``[t, S⁻ (m), S^g (s1), S^b (s2)]``, then Λ; λ = Λ/t, s = S/t.  Rows:
    normalisation, m input rows, s1 good-output rows, s2 bad-output rows (+ Σλ = 1 under VRS).
    """
    m, s1, s2 = x0.size, y0.size, b0.size
    k = 1 + m + s1 + s2
    rows = 1 + m + s1 + s2 + int(vrs)
    a = np.zeros((rows, k))
    a[0, 0] = 1.0
    a[0, 1 + m : 1 + m + s1] = 1.0 / ((s1 + s2) * y0)
    if s2:
        a[0, 1 + m + s1 :] = 1.0 / ((s1 + s2) * b0)
    a[1 : 1 + m, 0] = -x0
    a[1 : 1 + m, 1 : 1 + m] = np.eye(m)
    a[1 + m : 1 + m + s1, 0] = -y0
    a[1 + m : 1 + m + s1, 1 + m : 1 + m + s1] = -np.eye(s1)
    if s2:
        a[1 + m + s1 : 1 + m + s1 + s2, 0] = -b0
        a[1 + m + s1 : 1 + m + s1 + s2, 1 + m + s1 :] = np.eye(s2)
    if vrs:
        a[-1, 0] = -1.0
    p = np.vstack([np.zeros((1, len(xr))), xr.T, yr.T, br.T, np.ones((int(vrs), len(xr)))])
    b_eq = np.zeros(rows)
    b_eq[0] = 1.0
    c = np.zeros(k)
    c[0] = 1.0
    c[1 : 1 + m] = -1.0 / (m * x0)
    return _Lp(c, None, None, a, b_eq, [(0, None)] * k, None, p)


def _super_sbm_lp(x0: np.ndarray, y0: np.ndarray, b0: np.ndarray, xr: np.ndarray, yr: np.ndarray, br: np.ndarray, vrs: bool) -> _Lp:
    """Tone's (2002) super-SBM for one efficient DMU, reference set without it (slack form).

    δ = [1 + (1/m) Σ s⁻/x₀] / [1 − (1/(s1+s2)) (Σ s^g/y₀ + Σ s^b/b₀)] with x̄ = x₀ + s⁻ ≥ Xλ,
    ȳ = y₀ − s^g ≤ Yλ, ȳ ≥ 0, b̄ = b₀ + s^b ≥ Bλ.  Own variables ``[t, S⁻, S^g, S^b]``, then Λ.
    """
    m, s1, s2 = x0.size, y0.size, b0.size
    k = 1 + m + s1 + s2
    ig, ib = 1 + m, 1 + m + s1
    a_eq = np.zeros((1 + int(vrs), k))
    a_eq[0, 0] = 1.0
    a_eq[0, ig:ib] = -1.0 / ((s1 + s2) * y0)
    if s2:
        a_eq[0, ib:] = -1.0 / ((s1 + s2) * b0)
    if vrs:
        a_eq[1, 0] = -1.0
    b_eq = np.zeros(1 + int(vrs))
    b_eq[0] = 1.0
    a_ub = np.zeros((m + 2 * s1 + s2, k))
    a_ub[:m, 0] = -x0
    a_ub[:m, 1:ig] = -np.eye(m)
    a_ub[m : m + s1, 0] = y0
    a_ub[m : m + s1, ig:ib] = -np.eye(s1)
    a_ub[m + s1 : m + 2 * s1, 0] = -y0
    a_ub[m + s1 : m + 2 * s1, ig:ib] = np.eye(s1)
    if s2:
        a_ub[m + 2 * s1 :, 0] = -b0
        a_ub[m + 2 * s1 :, ib:] = -np.eye(s2)
    n = len(xr)
    p_ub = np.vstack([xr.T, -yr.T, np.zeros((s1, n)), br.T])
    p_eq = np.vstack([np.zeros((1, n)), np.ones((int(vrs), n))])
    c = np.zeros(k)
    c[0] = 1.0
    c[1:ig] = 1.0 / (m * x0)
    return _Lp(c, a_ub, np.zeros(len(a_ub)), a_eq, b_eq, [(0, None)] * k, p_ub, p_eq)


def _radial_lp(x0: np.ndarray, y0: np.ndarray, xr: np.ndarray, yr: np.ndarray, vrs: bool, theta: float | None = None) -> _Lp:
    """Input-oriented radial DEA: own variables ``[θ, s⁻ (m), s⁺ (s)]``, then λ.

    θ x₀ = Xλ + s⁻, y₀ = Yλ − s⁺ (+ Σλ = 1 under VRS).  Phase 1 minimises θ; phase 2 (``theta``
    given) fixes θ = θ* and maximises Σ s⁻ + Σ s⁺.
    """
    m, s = x0.size, y0.size
    k = 1 + m + s
    a = np.zeros((m + s + int(vrs), k))
    a[:m, 0] = -x0
    a[:m, 1 : 1 + m] = np.eye(m)
    a[m : m + s, 1 + m :] = -np.eye(s)
    p = np.vstack([xr.T, yr.T, np.ones((int(vrs), len(xr)))])
    b_eq = np.concatenate([np.zeros(m), y0, np.ones(int(vrs))])
    c = np.zeros(k)
    if theta is None:
        c[0] = 1.0
        bounds: list[tuple[float | None, float | None]] = [(0, None)] * k
    else:
        c[1:] = -1.0
        bounds = [(theta, theta)] + [(0, None)] * (k - 1)
    return _Lp(c, None, None, a, b_eq, bounds, None, p)


def _efficiency(
    model: str,
    data: Any,
    inputs: Sequence[str],
    outputs: Sequence[str],
    undesirable: Sequence[str],
    rts: str,
    frontier: str | None,
) -> EfficiencyResult:
    choose("returns to scale", rts, RTS)
    d = _read(data, inputs, outputs, undesirable, positive=True)
    kind, groups = _groups(d, frontier)
    vrs = rts == "vrs"
    n = len(d.regions)
    score = np.full(n, np.nan)
    status = np.empty(n, dtype=object)
    slack = np.full((n, d.x.shape[1] + d.y.shape[1] + d.b.shape[1]), np.nan)
    lam_rows: list[tuple[int, int, float]] = []
    for g in groups:
        pts = np.hstack([d.x[g], -d.y[g], d.b[g]])
        cand = g[nondominated(pts)] if model != "super_sbm" else g
        xr, yr, br = d.x[cand], d.y[cand], d.b[cand]
        frontier_lp: _Frontier | None = None
        phase2: _Frontier | None = None
        sup: _Frontier | None = None
        for o in g:
            if model in ("ccr", "bcc"):
                lp = _radial_lp(d.x[o], d.y[o], xr, yr, vrs)
                frontier_lp = frontier_lp or _Frontier(lp)
                st, val, own, lam = frontier_lp.solve(lp)
                if st == "optimal":
                    lp2 = _radial_lp(d.x[o], d.y[o], xr, yr, vrs, val)
                    phase2 = phase2 or _Frontier(lp2)
                    st2, _, own2, lam2 = phase2.solve(lp2)
                    if st2 == "optimal":
                        own, lam = own2, lam2
            else:
                lp = _sbm_lp(d.x[o], d.y[o], d.b[o], xr, yr, br, vrs)
                frontier_lp = frontier_lp or _Frontier(lp)
                # super-SBM's candidates include o itself, so its SBM score is 1 when efficient
                st, val, own, lam = frontier_lp.solve(lp)
                if model == "super_sbm" and st == "optimal" and val >= 1 - EFFICIENT_TOL:
                    lp = _super_sbm_lp(d.x[o], d.y[o], d.b[o], xr, yr, br, vrs)
                    sup = sup or _Frontier(lp)
                    st, val, own, lam = sup.solve(lp, exclude=int(np.searchsorted(cand, o)))
            status[o] = st
            if st != "optimal":
                continue
            t = 1.0 if model in ("ccr", "bcc") else own[0]
            score[o] = val
            slack[o] = own[1:] / t
            for j in np.flatnonzero(lam > 1e-9 * max(t, 1e-300)):
                lam_rows.append((int(o), int(cand[j]), float(lam[j] / t)))
    return _result(model, rts, kind, d, score, status, slack, lam_rows)


def _result(
    model: str,
    rts: str,
    kind: str,
    d: _Data,
    score: np.ndarray,
    status: np.ndarray,
    slack: np.ndarray,
    lam_rows: list[tuple[int, int, float]],
) -> EfficiencyResult:
    year = pd.array([None if pd.isna(v) else int(v) for v in d.years], dtype="Int64")
    frame = pd.DataFrame(
        {
            "region": d.regions,
            "year": year,
            "efficiency": score,
            "efficient": np.isfinite(score) & (score >= 1 - EFFICIENT_TOL),
            "status": status.astype(str),
        }
    )
    names = [*d.inputs, *d.outputs, *d.undesirable]
    kinds = ["input"] * len(d.inputs) + ["output"] * len(d.outputs) + ["undesirable"] * len(d.undesirable)
    values = np.hstack([d.x, d.y, d.b])
    if model in ("ccr", "bcc"):
        # radial target: θ x₀ − s⁻ for inputs, y₀ + s⁺ for outputs
        theta = score[:, None]
        sign = np.array([-1.0 if k == "input" else 1.0 for k in kinds])
        base = np.where(np.array(kinds) == "input", theta * values, values)
        target = base + sign * slack
    else:
        # SBM: x₀ − s⁻, y₀ + s^g, b₀ − s^b (super-SBM: x₀ + s⁻, y₀ − s^g, b₀ + s^b)
        sign = np.array([-1.0 if k != "output" else 1.0 for k in kinds])
        sup = (score > 1 + EFFICIENT_TOL)[:, None]
        target = values + np.where(sup, -sign, sign) * slack
    n, k = values.shape
    slacks = pd.DataFrame(
        {
            "region": np.repeat(d.regions, k),
            "year": np.repeat(np.asarray(year), k),
            "variable": np.tile(names, n),
            "kind": np.tile(kinds, n),
            "value": values.reshape(-1),
            "slack": slack.reshape(-1),
            "target": target.reshape(-1),
        }
    )
    slacks["year"] = slacks["year"].astype("Int64")
    lam = np.array(lam_rows, dtype=float).reshape(-1, 3)
    o, j = lam[:, 0].astype(int), lam[:, 1].astype(int)
    lambdas = pd.DataFrame(
        {
            "region": d.regions[o],
            "year": pd.array(np.asarray(year)[o], dtype="Int64"),
            "peer_region": d.regions[j],
            "peer_year": pd.array(np.asarray(year)[j], dtype="Int64"),
            "lambda": lam[:, 2],
        }
    )
    return EfficiencyResult(
        model=model,
        rts=rts,
        frame=frame,
        slacks=slacks,
        lambdas=lambdas,
        inputs=d.inputs,
        outputs=d.outputs,
        undesirable=d.undesirable,
        frontier=kind,
    )


def ccr(
    data: Any, inputs: Sequence[str], outputs: Sequence[str], *, frontier: str | None = None
) -> EfficiencyResult:
    r"""CCR efficiency θ* (input-oriented, constant returns to scale), with max-slack second phase.

    ``min θ  s.t.  θ x₀ = Xλ + s⁻,  y₀ = Yλ − s⁺,  λ, s ≥ 0`` (Charnes, Cooper & Rhodes 1978), then
    Σ s⁻ + Σ s⁺ is maximised at θ = θ*.  Inputs and outputs must be > 0 (zero/missing → HqdError
    ``non_positive_value`` / ``missing_value`` naming the region, year and column).

    On Tone's (2001, p. 505) example data θ* = 0.9, 0.833, 1, 1, 1 for DMUs A–E (A's 0.9 is attained by
    0.3 C + 0.6 E, checked by hand); on the 11-DMU example pinned by DataEnvelopmentAnalysis.jl's
    tests θ* = 1, 0.6222896791, 0.8198562444, … (reproduced in ``tests/analysis/test_efficiency.py``).

    Formula: :math:`\min\theta\ \text{s.t.}\ \theta x_0 = X\lambda + s^-,\ y_0 = Y\lambda - s^+,\ \lambda, s \ge 0`.
    Policy: inputs and outputs > 0 and finite (zero, negative, missing → HqdError naming region, year, column).
    References: Charnes, Cooper & Rhodes (1978), doi:10.1016/0377-2217(78)90138-8.
    """
    return _efficiency("ccr", data, inputs, outputs, (), "crs", frontier)


def bcc(
    data: Any, inputs: Sequence[str], outputs: Sequence[str], *, frontier: str | None = None
) -> EfficiencyResult:
    r"""BCC efficiency (input-oriented, variable returns to scale: Σλ = 1; Banker et al. 1984).

    Same programme and policies as :func:`ccr` plus the convexity constraint; scale efficiency is
    CCR / BCC.

    Formula: :math:`\min\theta\ \text{s.t.}\ \theta x_0 = X\lambda + s^-,\ y_0 = Y\lambda - s^+,\ \mathbf{1}^T\lambda = 1`.
    Policy: as :func:`ccr`.
    References: Banker, Charnes & Cooper (1984), doi:10.1287/mnsc.30.9.1078.
    """
    return _efficiency("bcc", data, inputs, outputs, (), "vrs", frontier)


def sbm(
    data: Any,
    inputs: Sequence[str],
    outputs: Sequence[str],
    undesirable: Sequence[str] = (),
    *,
    rts: str = "crs",
    frontier: str | None = None,
) -> EfficiencyResult:
    r"""Non-oriented slacks-based measure (Tone 2001), with undesirable outputs (Tone 2004).

    ρ* = min [1 − (1/m) Σᵢ sᵢ⁻/xᵢ₀] / [1 + (1/(s₁+s₂)) (Σ_r s_r^g/y_r₀ + Σ_r s_r^b/b_r₀)]
    s.t. x₀ = Xλ + s⁻, y₀ = Y^gλ − s^g, b₀ = Y^bλ + s^b, λ, s ≥ 0 (``rts="vrs"``: Σλ = 1), solved as
    an LP after the Charnes–Cooper transformation.  Every input, good and bad output must be > 0
    (the measure divides by them; Tone's advice to replace zeros by a small number is left to the user,
    who must say so): otherwise an HqdError locates each bad cell.

    Reproduces Tone (2001, p. 505): ρ* = 0.798, 0.568, 1, 0.667, 1 for DMUs A–E; on Tone's (2003)
    undesirable-output data (VRS) DMU A scores 2/3, as derived by hand in the tests.

    Formula: :math:`\rho^* = \min \frac{1 - \frac{1}{m}\sum_i s_i^-/x_{i0}}{1 + \frac{1}{s_1+s_2}(\sum_r s_r^g/y_{r0} + \sum_r s_r^b/b_{r0})}`.
    Policy: every input, good and bad output > 0 and finite (else HqdError locating each cell).
    References: Tone (2001), doi:10.1016/S0377-2217(99)00407-5; Tone (2004); Cooper, Seiford & Tone (2007), §13.
    """
    return _efficiency("sbm", data, inputs, outputs, undesirable, rts, frontier)


def super_sbm(
    data: Any,
    inputs: Sequence[str],
    outputs: Sequence[str],
    undesirable: Sequence[str] = (),
    *,
    rts: str = "crs",
    frontier: str | None = None,
) -> EfficiencyResult:
    r"""Super-efficiency SBM (Tone 2002): SBM for inefficient DMUs, δ* ≥ 1 for efficient ones.

    For an SBM-efficient DMU o the reference set excludes o and δ* = min [1 + (1/m) Σ sᵢ⁻/xᵢ₀] /
    [1 − (1/(s₁+s₂)) (Σ s^g/y₀ + Σ s^b/b₀)] over x₀ + s⁻ ≥ Σ_{j≠o} λⱼxⱼ, y₀ − s^g ≤ Σ λⱼyⱼ (≥ 0),
    b₀ + s^b ≥ Σ λⱼbⱼ — the form used in most green-TFP papers (bad-output slacks on the output side).
    Under VRS the programme can be infeasible: the status column says so and the score is NaN.
    With one input and one output under CRS δ* equals the ratio of the DMU's y/x to the best other
    DMU's (the Andersen–Petersen value), which the tests check.

    Formula: :math:`\delta^* = \min \frac{1 + \frac{1}{m}\sum_i s_i^-/x_{i0}}{1 - \frac{1}{s_1+s_2}(\sum_r s_r^g/y_{r0} + \sum_r s_r^b/b_{r0})}`.
    Policy: as :func:`sbm`; an infeasible programme gives NaN with status ``infeasible``.
    References: Tone (2002), doi:10.1016/S0377-2217(01)00324-1.
    """
    return _efficiency("super_sbm", data, inputs, outputs, undesirable, rts, frontier)


# ------------------------------------------------------------------------------------------- ML / GML
def _ddf_many(
    x0: np.ndarray,
    y0: np.ndarray,
    b0: np.ndarray,
    xr: np.ndarray,
    yr: np.ndarray,
    br: np.ndarray,
    disposability: str = "weak",
) -> tuple[np.ndarray, np.ndarray]:
    """Directional distance D(x, y, b; y, −b) under CRS for every row of ``x0`` against one frontier.

    ``max β  s.t.  Xλ ≤ x₀,  Y^gλ ≥ (1+β) y₀,  Y^bλ = (1−β) b₀,  λ ≥ 0`` — bad outputs weakly
    disposable (Chung et al. 1997); ``disposability="free"`` writes ``Y^bλ ≤ (1−β) b₀`` instead
    (Aparicio, Pastor & Zofío 2013).  One persistent HiGHS model per frontier (see :class:`_Frontier`).
    """
    m, s2 = xr.shape[1], br.shape[1]
    free = disposability == "free" and s2 > 0
    p_ub = np.vstack([xr.T, -yr.T, br.T]) if free else np.vstack([xr.T, -yr.T])
    p_eq = br.T if s2 and not free else None
    out = np.full(len(x0), np.nan)
    status = np.empty(len(x0), dtype=object)
    model: _Frontier | None = None
    for i in range(len(x0)):
        if free:
            a_ub = np.concatenate([np.zeros(m), y0[i], b0[i]])[:, None]
            b_ub = np.concatenate([x0[i], -y0[i], b0[i]])
            a_eq, b_eq = None, None
        else:
            a_ub = np.concatenate([np.zeros(m), y0[i]])[:, None]
            b_ub = np.concatenate([x0[i], -y0[i]])
            a_eq, b_eq = (b0[i][:, None], b0[i]) if s2 else (None, None)
        lp = _Lp(np.array([-1.0]), a_ub, b_ub, a_eq, b_eq, [(None, None)], p_ub, p_eq)
        model = model or _Frontier(lp)
        status[i], val, _, _ = model.solve(lp)
        out[i] = -val
    return out, status


def productivity(
    data: Any,
    inputs: Sequence[str],
    outputs: Sequence[str],
    undesirable: Sequence[str] = (),
    *,
    index: str = "gml",
    disposability: str = "weak",
) -> ProductivityResult:
    r"""Malmquist–Luenberger (``"ml"``) or global Malmquist–Luenberger (``"gml"``) index with EC × TC.

    Directional distance D(x, y, b; g) with g = (y, −b), CRS, bad outputs weakly disposable.

    * GML (Oh 2010): the global frontier envelops every year.  GML = (1 + D^G_t)/(1 + D^G_{t+1}),
      EC = (1 + D^t_t)/(1 + D^{t+1}_{t+1}), TC = GML/EC; always feasible and transitive (circular).
    * ML (Chung et al. 1997): geometric mean of the two adjacent-period indices,
      ML = [(1 + D^t_t)/(1 + D^t_{t+1}) · (1 + D^{t+1}_t)/(1 + D^{t+1}_{t+1})]^{1/2}, EC as above,
      TC = ML/EC; a cross-period programme can be infeasible (then NaN and status ``infeasible``).

    ``disposability="weak"`` (default) keeps bad outputs weakly disposable (an equality, as in Chung et
    al. and Oh); ``"free"`` lets them be disposed of freely (Aparicio, Pastor & Zofío 2013, the default
    of the Julia package DataEnvelopmentAnalysis.jl, whose published test values it reproduces).

    The panel must be balanced (every region in every year, ≥ 2 years); inputs and outputs ≥ 0 and
    finite; a region with a NaN or missing year → HqdError naming it.

    Formula: :math:`GML = \frac{1 + D^G(x_t, y_t, b_t)}{1 + D^G(x_{t+1}, y_{t+1}, b_{t+1})} = EC \times TC`.
    Policy: inputs and outputs ≥ 0 and finite; balanced panel with ≥ 2 years (else HqdError); infeasible distances → NaN.
    References: Oh (2010), doi:10.1007/s11123-010-0178-y; Chung, Färe & Grosskopf (1997), doi:10.1006/jema.1997.0146; Aparicio, Pastor & Zofío (2013), doi:10.1016/j.ejor.2013.03.031.
    """
    choose("productivity index", index, INDEXES)
    choose("bad-output disposability", disposability, DISPOSABILITY)
    d = _read(data, inputs, outputs, undesirable, positive=False)
    if pd.isna(d.years).any():
        raise HqdError("a productivity index needs a 'year' column with a year on every row", code="no_year")
    years = np.sort(pd.unique(d.years).astype(int))
    if len(years) < 2:
        raise HqdError(f"a productivity index needs at least two years; got {list(years)}", code="too_few_years")
    regions = pd.unique(d.regions)
    pos = {(r, int(y)): i for i, (r, y) in enumerate(zip(d.regions, d.years, strict=True))}
    problems = Problems()
    for r in regions:
        for y in years:
            if (r, int(y)) not in pos:
                problems.error("unbalanced_panel", "region has no row for this year", region=str(r), year=int(y))
    problems.raise_if_errors()
    order = np.array([[pos[(r, int(y))] for r in regions] for y in years])  # (T, R)
    x, y_, b = d.x[order], d.y[order], d.b[order]  # (T, R, ·)
    T, R = order.shape
    rows: list[pd.DataFrame] = []

    def record(dist: np.ndarray, st: np.ndarray, t: int, which: str) -> None:
        rows.append(pd.DataFrame({"region": regions, "year": int(years[t]), "frontier": which, "distance": dist, "status": st}))

    same = np.empty((T, R))
    for t in range(T):
        same[t], st = _ddf_many(x[t], y_[t], b[t], x[t], y_[t], b[t], disposability)
        record(same[t], st, t, "same")
    ec = (1 + same[:-1]) / (1 + same[1:])
    if index == "gml":
        gx, gy, gb = x.reshape(T * R, -1), y_.reshape(T * R, -1), b.reshape(T * R, -1)
        glob = np.empty((T, R))
        for t in range(T):
            glob[t], st = _ddf_many(x[t], y_[t], b[t], gx, gy, gb, disposability)
            record(glob[t], st, t, "global")
        value = (1 + glob[:-1]) / (1 + glob[1:])
    else:
        nxt = np.empty((T - 1, R))  # D^t(x_{t+1}): period t+1 data against the period-t frontier
        prv = np.empty((T - 1, R))  # D^{t+1}(x_t)
        for t in range(T - 1):
            nxt[t], st = _ddf_many(x[t + 1], y_[t + 1], b[t + 1], x[t], y_[t], b[t], disposability)
            record(nxt[t], st, t + 1, "previous")
            prv[t], st = _ddf_many(x[t], y_[t], b[t], x[t + 1], y_[t + 1], b[t + 1], disposability)
            record(prv[t], st, t, "next")
        value = np.sqrt((1 + same[:-1]) / (1 + nxt) * (1 + prv) / (1 + same[1:]))
    tc = value / ec
    frame = pd.DataFrame(
        {
            "region": np.tile(regions, T - 1),
            "year_from": np.repeat(years[:-1], R),
            "year_to": np.repeat(years[1:], R),
            "index": value.reshape(-1),
            "ec": ec.reshape(-1),
            "tc": tc.reshape(-1),
        }
    )
    cum = np.vstack([np.ones((1, R)), np.cumprod(value, axis=0)])
    cumulative = pd.DataFrame(
        {"region": np.tile(regions, T), "year": np.repeat(years, R), "cumulative": cum.reshape(-1)}
    )
    return ProductivityResult(
        index=index,
        frame=frame,
        distances=pd.concat(rows, ignore_index=True),
        cumulative=cumulative,
        inputs=d.inputs,
        outputs=d.outputs,
        undesirable=d.undesirable,
        disposability=disposability,
    )


#: The efficiency models by name (the key used by the CLI and the docs).
MODELS = {"ccr": ccr, "bcc": bcc, "sbm": sbm, "super_sbm": super_sbm}
