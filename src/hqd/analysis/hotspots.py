"""Local hot and cold spots: Getis-Ord Gi* per region and year, computed by PySAL esda (not re-implemented).

The categories per region (hot/cold spot at 99 / 95 / 90 % confidence, or not significant) are what a
Gi* map fills its polygons with; Chinese and English labels travel with them.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from typing import Any

import libpysal
import numpy as np
import pandas as pd

from hqd.analysis._data import as_panel, check_values, choose, int_array, year_labels
from hqd.analysis.spatial import TRANSFORMATIONS, _aligned, _global_state_kept, year_int_seed

#: Confidence levels of the hot/cold spot classes (ArcGIS's Gi_Bin convention: ±3, ±2, ±1).
CONFIDENCE: tuple[tuple[float, int], ...] = ((0.01, 99), (0.05, 95), (0.10, 90))
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "hot_99": {"zh": "热点（99%置信）", "en": "hot spot (99% confidence)"},
    "hot_95": {"zh": "热点（95%置信）", "en": "hot spot (95% confidence)"},
    "hot_90": {"zh": "热点（90%置信）", "en": "hot spot (90% confidence)"},
    "not_significant": {"zh": "不显著", "en": "not significant"},
    "cold_90": {"zh": "冷点（90%置信）", "en": "cold spot (90% confidence)"},
    "cold_95": {"zh": "冷点（95%置信）", "en": "cold spot (95% confidence)"},
    "cold_99": {"zh": "冷点（99%置信）", "en": "cold spot (99% confidence)"},
}


@dataclass(frozen=True)
class GiStarResult:
    """Gi* per region-year: ``G`` (esda ``Gs``), ``z`` (``Zs``), ``p_norm``, ``p_sim`` and the category."""

    frame: pd.DataFrame
    permutations: int
    transformation: str
    seed: int | None
    dropped: tuple[str, ...] = ()
    islands: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def counts(self) -> pd.DataFrame:
        """Regions per year and category (the legend of a Gi* map)."""
        table = self.frame.groupby(["year", "category"]).size().unstack(fill_value=0)
        return table.reindex(columns=list(CATEGORY_LABELS), fill_value=0).reset_index()


def with_self_weight(w: libpysal.weights.W) -> libpysal.weights.W:
    """A copy of W whose diagonal holds each row's largest weight (1 for binary contiguity): the
    self-weight of Gi* (Getis & Ord 1992's w_ii = 1), set explicitly — esda applies the same rule
    implicitly, with a warning, when given a W without a diagonal."""
    matrix = w.sparse
    row_max = np.asarray(matrix.max(axis=1).todense()).ravel()
    row_max[row_max == 0] = 1.0  # an island counts itself only
    work = copy.deepcopy(w)
    work.transform = "O"
    return libpysal.weights.fill_diagonal(work, row_max)


def categorise(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Hot/cold spot class from the sign of z and the p-value: ``hot_99`` (p < 0.01, z > 0) … ``cold_99``."""
    out = np.full(z.shape, "not_significant", dtype=object)
    for alpha, level in reversed(CONFIDENCE):  # the strictest level is written last and wins
        significant = np.isfinite(p) & (p < alpha)
        out[significant & (z > 0)] = f"hot_{level}"
        out[significant & (z < 0)] = f"cold_{level}"
    return out


def getis_ord(
    values: Any,
    w: libpysal.weights.W,
    *,
    permutations: int = 999,
    seed: int | None = None,
    transformation: str = "r",
    inference: str = "p_sim",
    node: str | None = None,
    column: str | None = None,
    missing: str = "raise",
) -> GiStarResult:
    r"""Getis-Ord Gi* (the region itself counted among its neighbours) for every region and year.

    .. math:: G_i^* = \frac{\sum_j w_{ij} x_j}{\sum_j x_j},\quad w_{ii} > 0

    computed by esda ``G_Local(y, w*, transform, permutations, seed)`` with w* = W plus its self-weights
    (:func:`with_self_weight`: w_ii = the row's largest weight, 1 for contiguity) — ``Gs``, ``Zs``
    (standardised under the normal approximation), ``p_norm`` and the conditional-permutation
    pseudo p-value ``p_sim``.  ``category``: hot/cold spot at 99/95/90 % confidence from the sign of z
    and ``inference`` (``"p_sim"`` default, or ``"p_norm"``), as ArcGIS's Gi_Bin.

    Seeds: each year's permutations are seeded from ``(seed, year)`` (the same derivation as LISA),
    so a year's p-values do not depend on the other years; NumPy's global state is restored after
    esda's conditional randomisation reseeds it.

    Policy: as :func:`hqd.analysis.spatial.morans_i` (values must cover W's regions; ``missing``;
    ``drop_regions`` subsets W and reports islands); G is a ratio of sums, so values must be
    non-negative (``negative_value``).  W: ``"r"`` row-standardised (esda's default ``"R"``) or
    ``"b"`` binary.

    Replicates esda 2.9 ``G_Local(y, fill_diagonal(w, 1), star=True)`` on binary contiguity by name
    (tested equal on the same W and seed: Gs, Zs, p_sim).

    References: Getis, A. & Ord, J. K. (1992) "The analysis of spatial association by use of
    distance statistics", *Geographical Analysis* 24(3):189–206, doi:10.1111/j.1538-4632.1992.tb00261.x;
    Ord, J. K. & Getis, A. (1995) *Geographical Analysis* 27(4):286–306,
    doi:10.1111/j.1538-4632.1995.tb00912.x.
    """
    import esda

    choose("transformation", transformation, TRANSFORMATIONS)
    choose("Gi* inference", inference, ("p_sim", "p_norm"))
    panel = as_panel(values, node=node, column=column, missing=missing)
    check_values(panel, purpose="Getis-Ord Gi*")
    y, order, sub, islands = _aligned(panel, w)
    work = with_self_weight(sub)
    years = year_labels(panel)
    frames = []
    for t, row in enumerate(y):  # one esda call per year (library API); esda alters the W it gets: a copy each
        with warnings.catch_warnings(), _global_state_kept():
            warnings.filterwarnings("ignore", message=".*islands.*")
            g = esda.G_Local(row, copy.deepcopy(work), transform=transformation.upper(), permutations=permutations,
                             star=None, keep_simulations=False, n_jobs=1,
                             seed=year_int_seed(seed, years[t]))
        z = np.asarray(g.Zs, dtype=float)
        p_norm = np.asarray(g.p_norm, dtype=float)
        p_sim = np.asarray(g.p_sim, dtype=float) if permutations else np.full(len(order), np.nan)
        category = categorise(z, p_sim if inference == "p_sim" else p_norm)
        frames.append(pd.DataFrame({
            "region": order,
            "year": years[t],
            "value": row,
            "G": np.asarray(g.Gs, dtype=float),
            "z": z,
            "p_norm": p_norm,
            "p_sim": p_sim,
            "category": category,
            "category_zh": [CATEGORY_LABELS[c]["zh"] for c in category],
            "category_en": [CATEGORY_LABELS[c]["en"] for c in category],
        }))
    frame = pd.concat(frames, ignore_index=True)
    frame["year"] = int_array(frame["year"])
    return GiStarResult(frame=frame, permutations=permutations, transformation=transformation, seed=seed,
                        dropped=panel.dropped, islands=islands)
