"""Coupling coordination degree model (耦合协调度模型): C, T, D, grade and lagging subsystem.

Two uses, one core:

* :func:`coupling_coordination` — between subsystems of one region (e.g. the six dimensions of the
  Jing-Jin-Ji framework for each city), from an HQD ``Result`` (subsystems = node codes, default the
  level-1 dimensions) or a wide table (subsystems = column names);
* :func:`regional_coupling` — between regions (e.g. Beijing, Tianjin, Hebei as the subsystems of the
  Jing-Jin-Ji region), where a subsystem made of several regions (a province made of cities) takes a
  named aggregation of its members' scores (``"mean"`` by default, or ``"median"``).

Both compute every region-year at once (arrays ``(n_obs, n_subsystems)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from hqd.analysis._data import (
    cells,
    choose,
    int_array,
    level_nodes,
    scores_long,
    wide_table,
)
from hqd.errors import HqdError, Problems

VARIANTS: tuple[str, ...] = ("standard", "corrected")
BOUNDARIES: tuple[str, ...] = ("left_open", "right_open")


@dataclass(frozen=True)
class GradeTable:
    """A grading of the coordination degree D into classes.

    ``edges`` are the class boundaries (ascending, first = lower bound, last = upper bound).
    ``boundary`` states which end of a class is closed:

    * ``"left_open"``: a < D ≤ b (the first class also holds D = edges[0]) — the convention of
      田深圳 et al. (2021) 地理学报 76(4):781, HQD's default;
    * ``"right_open"``: a ≤ D < b (the last class also holds D = edges[-1]) — the "[a, b)" convention of
      many papers.
    """

    edges: tuple[float, ...]
    labels_zh: tuple[str, ...]
    labels_en: tuple[str, ...]
    boundary: str = "left_open"
    source: str = ""

    def __post_init__(self) -> None:
        problems = Problems()
        if len(self.labels_zh) != len(self.edges) - 1 or len(self.labels_en) != len(self.edges) - 1:
            problems.error("grade_table_invalid", "a grade table needs one label per class (len(edges) - 1)")
        if any(b <= a for a, b in zip(self.edges, self.edges[1:], strict=False)):
            problems.error("grade_table_invalid", "grade edges must increase")
        if self.boundary not in BOUNDARIES:
            problems.error(
                "grade_table_invalid",
                f"unknown boundary convention {self.boundary!r}; valid: {', '.join(BOUNDARIES)}",
            )
        problems.raise_if_errors()

    def with_boundary(self, boundary: str) -> GradeTable:
        """The same table under the other boundary convention."""
        return GradeTable(self.edges, self.labels_zh, self.labels_en, boundary, self.source)

    def classify(self, d: np.ndarray) -> np.ndarray:
        """Class number (0-based) of each D; -1 for D outside [edges[0], edges[-1]] or NaN."""
        d = np.asarray(d, dtype=float)
        inner = np.asarray(self.edges[1:-1])
        side: Literal["left", "right"] = "left" if self.boundary == "left_open" else "right"
        cls = np.searchsorted(inner, d, side=side)
        outside = (d < self.edges[0]) | (d > self.edges[-1]) | np.isnan(d)
        return np.where(outside, -1, cls)

    def to_frame(self) -> pd.DataFrame:
        lower, upper = self.edges[:-1], self.edges[1:]
        if self.boundary == "left_open":
            text = [
                f"{a:g} < D ≤ {b:g}" if i else f"{a:g} ≤ D ≤ {b:g}"
                for i, (a, b) in enumerate(zip(lower, upper, strict=True))
            ]
        else:
            last = len(lower) - 1
            text = [
                f"{a:g} ≤ D ≤ {b:g}" if i == last else f"{a:g} ≤ D < {b:g}"
                for i, (a, b) in enumerate(zip(lower, upper, strict=True))
            ]
        return pd.DataFrame(
            {
                "grade": range(1, len(lower) + 1),
                "lower": lower,
                "upper": upper,
                "interval": text,
                "label_zh": self.labels_zh,
                "label_en": self.labels_en,
            }
        )


#: The 10-level table of D commonly credited to 廖重斌 (1999, 热带地理 19(2):171–177), as printed by
#: 田深圳 et al. (2021) 地理学报 76(4):781 (Table 1), with their left-open intervals.
LIAO_10 = GradeTable(
    edges=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    labels_zh=(
        "极度失调",
        "严重失调",
        "中度失调",
        "轻度失调",
        "濒临失调",
        "勉强协调",
        "初级协调",
        "中级协调",
        "良好协调",
        "优质协调",
    ),
    labels_en=(
        "extreme imbalance",
        "serious imbalance",
        "moderate imbalance",
        "mild imbalance",
        "on the verge of imbalance",
        "barely coordinated",
        "primary coordination",
        "intermediate coordination",
        "good coordination",
        "high-quality coordination",
    ),
    boundary="left_open",
    source="廖重斌 (1999) 热带地理 19(2):171–177; table and interval convention of 田深圳 et al. (2021) "
    "地理学报 76(4):781 (http://www.geog.com.cn/article/2021/0375-5444/0375-5444-76-4-781/T1.html)",
)


def coupling_degree(U: np.ndarray, variant: str = "standard") -> np.ndarray:
    r"""Coupling degree C of subsystem scores ``U`` (last axis = subsystems, values in [0, 1]).

    ``"standard"``: :math:`C = n\,[\prod_i U_i]^{1/n} / \sum_i U_i` (geometric over arithmetic mean;
    n = 2: :math:`2\sqrt{U_1U_2}/(U_1+U_2)`).

    ``"corrected"`` (王淑佳 et al. 2021, as coded in R mathmodels ``coupling_degree(type="adjusted")``):
    :math:`C = \sqrt{\Bigl[1 - \frac{\sum_{i>j}|U_i-U_j|}{\sum_{m=1}^{n-1} m}\Bigr]
    \Bigl[\prod_i \frac{U_i}{\max_i U_i}\Bigr]^{1/(n-1)}}`.

    The caller guarantees U ∈ [0, 1] and max U > 0 (:func:`coupling_coordination` checks).
    """
    choose("coupling variant", variant, VARIANTS)
    n = U.shape[-1]
    ratio = U / U.max(axis=-1, keepdims=True)  # C is computed on U / max U: no underflow for tiny scores
    if variant == "standard":
        with np.errstate(divide="ignore"):
            geometric = np.exp(np.log(ratio).mean(axis=-1))
        return np.minimum(geometric / ratio.mean(axis=-1), 1.0)
    diffs = np.abs(U[..., :, None] - U[..., None, :]).sum(axis=(-1, -2)) / 2.0
    spread = 1.0 - diffs / (n * (n - 1) / 2.0)
    with np.errstate(divide="ignore"):
        balance = np.exp(np.log(ratio).sum(axis=-1) / (n - 1))
    return np.sqrt(np.clip(spread, 0.0, None) * balance)


@dataclass(frozen=True)
class CouplingResult:
    """C, T, D and the grade of D for every region-year.

    ``frame`` holds ``region, year``, the subsystem scores ``U[<name>]``, ``C``, ``T``, ``D``,
    ``grade`` (1-based), ``grade_zh``, ``grade_en`` and, for two subsystems, ``lagging`` (the
    subsystem with the lower score, or ``"synchronous"`` when |U1 − U2| ≤ ``lag_tolerance``).
    """

    frame: pd.DataFrame
    variant: str
    subsystems: tuple[str, ...]
    weights: tuple[float, ...]
    grades: GradeTable = field(repr=False)
    lag_tolerance: float = 0.0
    aggregation: str | None = None
    subsystem_scale: str = "as_is"

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()


def _weights(weights: Sequence[float] | Mapping[str, float] | None, names: Sequence[str]) -> np.ndarray:
    n = len(names)
    if weights is None:
        return np.full(n, 1.0 / n)
    if isinstance(weights, Mapping):
        missing = [s for s in names if s not in weights]
        if missing:
            raise HqdError(f"subsystem weights missing for {', '.join(missing)}", code="weights_invalid")
        w = np.array([float(weights[s]) for s in names])
    else:
        w = np.asarray(list(weights), dtype=float)
    if w.shape != (n,) or (w < 0).any() or not np.isclose(w.sum(), 1.0, atol=1e-9):
        raise HqdError(
            f"subsystem weights must be {n} non-negative numbers summing to 1; got {w.tolist()}",
            code="weights_invalid",
        )
    return w


def _check_subsystem_scores(wide: pd.DataFrame, variant: str) -> None:
    problems = Problems()
    values = wide.to_numpy(dtype=float)
    checks = [
        (np.isnan(values), "missing_value", "subsystem score is missing"),
        ((values < 0) | (values > 1), "out_of_range", "subsystem score outside [0, 1]"),
    ]
    for mask, code, message in checks:
        for r, c in cells(mask):
            region, year = wide.index[r]
            problems.error(
                code,
                f"{message}: {values[r, c]!r}",
                column=str(wide.columns[c]),
                region=str(region),
                year=None if pd.isna(year) else int(year),
            )
    problems.raise_if_errors()
    for (r,) in cells((values == 0).all(axis=1)):
        region, year = wide.index[r]
        problems.error(
            "all_zero",
            "every subsystem score is 0: the coupling degree is undefined",
            region=str(region),
            year=None if pd.isna(year) else int(year),
        )
    problems.raise_if_errors()


def _couple(
    wide: pd.DataFrame,
    variant: str,
    weights: Sequence[float] | Mapping[str, float] | None,
    grades: GradeTable,
    boundary: str | None,
    lag_tolerance: float,
    aggregation: str | None = None,
    subsystem_scale: str = "as_is",
) -> CouplingResult:
    choose("coupling variant", variant, VARIANTS)
    names = [str(c) for c in wide.columns]
    if len(names) < 2:
        raise HqdError("coupling needs at least two subsystems", code="too_few_subsystems")
    if boundary is not None:
        choose("grade boundary convention", boundary, BOUNDARIES)
        grades = grades.with_boundary(boundary)
    _check_subsystem_scores(wide, variant)
    w = _weights(weights, names)
    U = wide.to_numpy(dtype=float)
    C = coupling_degree(U, variant)
    T = U @ w
    D = np.sqrt(C * T)
    cls = grades.classify(D)
    out = wide.reset_index()
    out.columns = ["region", "year", *[f"U[{n}]" for n in names]]
    out["C"], out["T"], out["D"] = C, T, D
    out["grade"] = cls + 1
    out["grade_zh"] = np.asarray(grades.labels_zh, dtype=object)[cls]
    out["grade_en"] = np.asarray(grades.labels_en, dtype=object)[cls]
    if len(names) == 2:
        gap = U[:, 0] - U[:, 1]
        out["lagging"] = np.where(
            np.abs(gap) <= lag_tolerance, "synchronous", np.where(gap < 0, names[0], names[1])
        )
    out["year"] = int_array(out["year"])
    return CouplingResult(
        frame=out,
        variant=variant,
        subsystems=tuple(names),
        weights=tuple(w.tolist()),
        grades=grades,
        lag_tolerance=lag_tolerance,
        aggregation=aggregation,
        subsystem_scale=subsystem_scale,
    )


def coupling_coordination(
    scores: Any,
    subsystems: Sequence[str] | None = None,
    variant: str = "standard",
    weights: Sequence[float] | Mapping[str, float] | None = None,
    *,
    grades: GradeTable = LIAO_10,
    boundary: str | None = None,
    lag_tolerance: float = 0.0,
    subsystem_scale: str = "auto",
) -> CouplingResult:
    r"""Coupling coordination degree of subsystems, for every region and year.

    .. math::
        C = n\Bigl[\frac{\prod_i U_i}{(\sum_i U_i)^n}\Bigr]^{1/n}, \qquad
        T = \sum_i \alpha_i U_i \;(\textstyle\sum\alpha_i = 1), \qquad D = \sqrt{C\,T}

    ``variant="corrected"`` replaces C by the corrected coupling degree of 王淑佳 et al. (2021),
    as coded in R mathmodels (see :func:`coupling_degree`); the traditional C crowds near 1.

    ``scores``: an HQD ``Result`` or long score table (``subsystems`` = node codes; default the
    level-1 dimensions) or a wide table with ``region`` (and ``year``) columns (``subsystems`` =
    column names).  ``weights``: α (default equal, 1/n).  ``grades``: the grading table of D (default
    :data:`LIAO_10`, left-open intervals as 田深圳 et al.); ``boundary="right_open"`` switches to
    [a, b) classes.  For two subsystems, ``lagging`` names the one with the lower score
    (``"synchronous"`` when the gap is at most ``lag_tolerance``; 徐维祥 et al. 2020 use 0.1).

    Subsystem scores must be each subsystem's own index in [0, 1].  When an HQD run aggregates with
    global weights, a dimension's score is its *partial sum* :math:`\sum_{j\in k} F_j x'_j` (the dimensions
    add up to the index), which is scaled by the dimension's weight and would bias C.
    ``subsystem_scale`` (named): ``"within_weight"`` divides each dimension score by its effective
    weight :math:`W_k = \sum_{j\in k} F_j`, giving the dimension's own weighted mean
    :math:`\sum_{j\in k}(F_j/W_k)x'_j`; ``"as_is"`` uses the scores unchanged; ``"auto"`` (default)
    picks ``"within_weight"`` for a Result (or long table with ``weights=``-bearing object) whose
    subsystem scores sum to their parent's score, else ``"as_is"``.  The choice is recorded in
    ``CouplingResult.subsystem_scale``.

    Policy: subsystem scores must lie in [0, 1] (``out_of_range``), missing scores are errors
    (``missing_value``); a zero score gives C = 0; a region-year with every score 0 has no C
    (``all_zero``).

    Replicates R mathmodels ``coupling_degree(U, type="standard"|"adjusted")`` by name
    (``mathmodels_R.json``: R1 (0.62, 0.58, 0.55): C = 0.998797 / corrected 0.931911,
    D = 0.763303 / 0.737302).

    References: 王淑佳, 孔伟, 任亮, 治丹丹, 戴彬婷 (2021) 国内耦合协调度模型的误区及修正,
    自然资源学报 36(3):793–810
    (https://www.jnr.ac.cn/article/2021/1000-3037/1000-3037-36-3-793.shtml; the corrected-C formula is
    as coded in mathmodels, which cites the paper — METHODS.md §2.7 asks to re-check it against the PDF); 廖重斌 (1999) 热带地理 19(2):171–177;
    田深圳 et al. (2021) 地理学报 76(4):781; 徐维祥 et al. (2020) 自然资源学报 35(9):2044.
    """
    long = scores_long(scores)
    if subsystems is None:
        if long is None:
            raise HqdError("name the subsystem columns (subsystems=[…])", code="no_subsystems")
        subsystems = level_nodes(long, 1, scores)
    choose("subsystem scale", subsystem_scale, SUBSYSTEM_SCALES)
    wide = wide_table(scores, list(subsystems))
    scale = "as_is"
    if subsystem_scale != "as_is" and long is not None:
        divisor = _partial_sum_weights(scores, long, wide)
        if divisor is not None:
            wide, scale = wide.div(divisor), "within_weight"
    if subsystem_scale == "within_weight" and scale != "within_weight":
        raise HqdError("subsystem_scale='within_weight' needs a Result whose subsystem scores are partial sums "
                       "of their parent's score and a weights table with their effective weights",
                       code="no_weights")
    return _couple(wide, variant, weights, grades, boundary, lag_tolerance, subsystem_scale=scale)


SUBSYSTEM_SCALES: tuple[str, ...] = ("auto", "within_weight", "as_is")


def _partial_sum_weights(obj: Any, long: pd.DataFrame, wide: pd.DataFrame) -> np.ndarray | None:
    """Effective weights W_k aligned with ``wide`` when the subsystems are partial sums of one parent.

    Returns None unless (a) ``obj.weights`` lists the subsystems with one common parent and an
    ``effective_weight``, and (b) the subsystem scores add up to the parent's score in every
    region-year (to 1e-9) — i.e. the run aggregated them as weighted sums with global weights.
    """
    table = getattr(obj, "weights", None)
    if not isinstance(table, pd.DataFrame) or not {"node", "parent", "effective_weight"} <= set(table.columns):
        return None
    names = [str(c) for c in wide.columns]
    rows = table.loc[table["node"].astype(str).isin(names)].copy()
    parents = rows["parent"].dropna().astype(str).unique()
    if len(parents) != 1 or set(rows["node"].astype(str)) != set(names):
        return None
    parent = parents[0]
    parent_scores = long.loc[long["node"].astype(str) == parent].set_index(["region", "year"])["score"]
    parent_scores = parent_scores.reindex(wide.index)
    if parent_scores.isna().any() or not np.allclose(wide.sum(axis=1), parent_scores, rtol=1e-9, atol=1e-12):
        return None
    rows["node"] = rows["node"].astype(str)
    years = wide.index.get_level_values("year")
    if "year" in rows.columns and rows["year"].notna().any():
        per_year = rows.assign(year=rows["year"].astype(int)).pivot_table(
            index="year", columns="node", values="effective_weight", aggfunc="first")
        divisor = per_year.reindex(index=np.asarray(years, dtype=int), columns=names).to_numpy(dtype=float)
    else:
        pooled = rows.drop_duplicates("node").set_index("node")["effective_weight"].reindex(names)
        divisor = np.broadcast_to(pooled.to_numpy(dtype=float), wide.shape)
    if np.isnan(divisor).any() or (divisor <= 0).any():
        return None
    return divisor


AGGREGATIONS: tuple[str, ...] = ("mean", "median")


def regional_coupling(
    scores: Any,
    members: Mapping[str, Sequence[str]],
    variant: str = "standard",
    weights: Sequence[float] | Mapping[str, float] | None = None,
    *,
    name: str = "JJJ",
    aggregate: str = "mean",
    node: str | None = None,
    column: str | None = None,
    grades: GradeTable = LIAO_10,
    boundary: str | None = None,
    lag_tolerance: float = 0.0,
) -> CouplingResult:
    r"""Coupling coordination between regions treated as subsystems of a larger region.

    ``members`` maps each subsystem to its member regions, e.g. for Jing-Jin-Ji
    ``{"110000": ["110000"], "120000": ["120000"], "130000": [the 11 Hebei city codes]}``.  A subsystem
    with several members takes the ``aggregate`` of their scores per year (``"mean"``, the default,
    or ``"median"``); the score used is the index node (or ``node=``/``column=``).  The aggregated
    subsystem scores then go through the same C, T, D and grading as
    :func:`coupling_coordination` (see there for formulas, variants and policies); the output region
    is ``name``.

    Every member must have a score in every year (``region_unmatched`` / ``missing_value``).
    """
    choose("aggregation", aggregate, AGGREGATIONS)
    wide = wide_table(scores, [column] if column is not None else None, node=node)
    value = wide.iloc[:, 0].unstack("region")
    problems = Problems()
    known = set(value.columns)
    for subsystem, codes in members.items():
        if not codes:
            problems.error("empty_group", f"subsystem {subsystem!r} has no member region")
        for code in codes:
            if str(code) not in known:
                problems.error(
                    "region_unmatched", f"member of subsystem {subsystem!r} has no score", region=str(code)
                )
    problems.raise_if_errors()
    columns = {}
    for subsystem, codes in members.items():  # loop over the few subsystems, not over regions or years
        block = value[[str(c) for c in codes]]
        if block.isna().any().any():
            for t, r in cells(block.isna().to_numpy()):
                year = block.index[t]
                problems.error(
                    "missing_value",
                    "member score is missing",
                    region=str(block.columns[r]),
                    year=None if pd.isna(year) else int(year),
                )
        columns[str(subsystem)] = block.mean(axis=1) if aggregate == "mean" else block.median(axis=1)
    problems.raise_if_errors()
    agg = pd.DataFrame(columns)
    agg.index = pd.MultiIndex.from_arrays([[name] * len(agg), agg.index], names=["region", "year"])
    return _couple(agg, variant, weights, grades, boundary, lag_tolerance, aggregation=aggregate)
