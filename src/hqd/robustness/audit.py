"""The statistical audit of an index (JRC/OECD handbook step 4; COINr's ``get_stats``, ``get_corr``,
``get_cronbach``, ``get_PCA``).

:func:`audit` takes a built :class:`hqd.result.Result` and reports

* **indicator statistics** on one step's data (``raw`` by default; ``imputed``, ``treated`` …), pooled over
  all region-years or for one year, with COINr's definitions: min, max, mean, median, standard deviation
  (denominator n − 1), skew G1 and excess kurtosis G2 (``e1071`` type 2, :func:`hqd.methods.treat.skewness`
  and :func:`~hqd.methods.treat.kurtosis`), counts of available, non-zero and unique values and of the
  most frequent value, their fractions (of the available values), and COINr's flags:
  ``flag_avail`` LOW when available/n < ``t_avail`` (0.65), ``flag_nonzero`` LOW when non-zero/n < ``t_zero``
  (0.5), ``flag_unique`` LOW when unique/n < ``t_unq`` (0.5), ``flag_skew_kurt`` OUT when |skew| > ``t_skew``
  (2) **and** kurtosis > ``t_kurt`` (3.5); plus ``flag_same`` HIGH when one value makes up more than
  ``t_same`` (0.5) of the available values (near-constant).  n is the number of region-years.
* **correlations**, Pearson and Spearman, pairwise-complete (R's ``use = "pairwise.complete.obs"``) on the
  normalised indicators and the aggregate scores: between the children of every aggregate ("within a
  dimension"), of every node with its parent, and of every indicator with the index; flagged ``collinear``
  when |r| > ``t_corr`` (0.9) within a dimension and ``negative`` when r < ``t_neg`` (0) within a dimension.
* **Cronbach's alpha** of the children of every aggregate on the complete cases:
  α = k/(k − 1)·(1 − Σ var(x_i) / var(Σ x_i)) (sample variances); flagged ``low_alpha`` below ``t_alpha`` (0.7).
* **PCA** of the children of every aggregate on the complete cases, standardised (``prcomp(scale. = TRUE)``,
  i.e. the eigen-decomposition of the correlation matrix): the variance shares of PC1 and PC2 and the
  loadings (eigenvectors, PC1 signed so that its loadings sum to ≥ 0).

References: OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, doi:10.1787/9789264043466-en;
Becker et al. (2022) COINr, doi:10.21105/joss.04567; Cronbach (1951) doi:10.1007/BF02310555.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError
from hqd.methods.treat import kurtosis, skewness
from hqd.result import Result

STAT_COLUMNS = [
    "indicator", "parent", "n", "min", "max", "mean", "median", "std", "skew", "kurt", "n_avail", "n_nonzero",
    "n_unique", "n_same", "frc_avail", "frc_nonzero", "frc_unique", "frc_same", "flag_avail", "flag_nonzero",
    "flag_unique", "flag_skew_kurt", "flag_same",
]


@dataclass(frozen=True)
class Thresholds:
    """Flag thresholds (COINr's ``get_stats`` defaults, and the handbook's 0.9 collinearity / 0.7 alpha)."""

    t_avail: float = 0.65
    t_zero: float = 0.5
    t_unq: float = 0.5
    t_skew: float = 2.0
    t_kurt: float = 3.5
    t_same: float = 0.5
    t_corr: float = 0.9
    t_neg: float = 0.0
    t_alpha: float = 0.7


@dataclass(frozen=True)
class Audit:
    """The audit tables (see the module docstring) and a readable summary."""

    step: str
    year: int | None
    stats: pd.DataFrame
    correlations: pd.DataFrame  # kind, method, group, a, b, r, flag
    matrices: dict[str, pd.DataFrame]  # pearson / spearman over every node
    alpha: pd.DataFrame
    pca: pd.DataFrame
    loadings: pd.DataFrame
    flags: pd.DataFrame
    thresholds: Thresholds = field(default_factory=Thresholds)
    synthetic: bool = False

    def summary_lines(self) -> list[str]:
        lines = []
        if self.synthetic:
            from hqd.io.rundir import SYNTHETIC_LABEL

            lines.append(f"**{SYNTHETIC_LABEL}**")
        s = self.stats
        th = self.thresholds
        where = f"{self.step} data" + (f", {self.year}" if self.year is not None else ", all years pooled")
        lines.append(f"Statistical audit of {len(s)} indicators on the {where} ({int(s['n'].max())} "
                     "region-years per indicator).")
        for column, label in (("flag_avail", f"availability below {th.t_avail:.0%}"),
                              ("flag_skew_kurt", f"|skew| > {th.t_skew:g} and kurtosis > {th.t_kurt:g} (outliers)"),
                              ("flag_nonzero", f"fewer than {th.t_zero:.0%} non-zero values"),
                              ("flag_unique", f"fewer than {th.t_unq:.0%} unique values"),
                              ("flag_same", f"one value in more than {th.t_same:.0%} of cases (near-constant)")):
            hit = s.loc[s[column] != "ok", "indicator"].tolist()
            lines.append(f"{len(hit)} indicator(s) with {label}" + (": " + ", ".join(hit) if hit else "."))
        within = self.correlations[(self.correlations["kind"] == "within")
                                   & (self.correlations["method"] == "pearson")]
        coll = within[within["flag"] == "collinear"]
        neg = within[within["flag"] == "negative"]
        lines.append(f"{len(coll)} collinear pair(s) within a dimension (Pearson |r| > {th.t_corr:g})"
                     + (": " + ", ".join(f"{a}–{b} ({r:.2f})" for a, b, r in coll[["a", "b", "r"]].itertuples(
                         index=False)) if len(coll) else "."))
        lines.append(f"{len(neg)} negative correlation(s) within a dimension (Pearson r < {th.t_neg:g})"
                     + (": " + ", ".join(f"{a}–{b} ({r:.2f})" for a, b, r in neg[["a", "b", "r"]].head(20)
                                          .itertuples(index=False)) if len(neg) else "."))
        if len(self.alpha):
            low = self.alpha[self.alpha["alpha"] < th.t_alpha]
            lines.append("Cronbach's alpha by node: " + ", ".join(
                f"{r.node} {r.alpha:.2f}" for r in self.alpha.itertuples()) + f" ({len(low)} below {th.t_alpha:g}).")
        if len(self.pca):
            lines.append("PCA, variance explained by PC1 (PC2): " + ", ".join(
                f"{r.node} {r.pc1_share:.0%} ({r.pc2_share:.0%})" for r in self.pca.itertuples()) + ".")
        return lines

    def write(self, out: str | Path) -> Path:
        """Write the tables (CSV), ``summary.md`` and ``audit.xlsx`` to ``out`` (a run directory gets them
        in its ``audit/`` folder).  Returns the folder written."""
        from hqd.io.excel import neutralise, write_workbook
        from hqd.io.rundir import SYNTHETIC_LABEL

        folder = Path(out)
        if (folder / "scores.csv").exists() and (folder / "manifest.json").exists():
            folder = folder / "audit"
        folder.mkdir(parents=True, exist_ok=True)
        tables = {"stats": self.stats, "correlations": self.correlations,
                  "corr_pearson": self.matrices["pearson"].reset_index(names="node"),
                  "corr_spearman": self.matrices["spearman"].reset_index(names="node"),
                  "alpha": self.alpha, "pca": self.pca, "pca_loadings": self.loadings, "flags": self.flags}
        for name, frame in tables.items():
            neutralise(frame).to_csv(folder / f"{name}.csv", index=False)
        summary = self.summary_lines()
        (folder / "summary.md").write_text("\n\n".join(summary) + "\n", encoding="utf-8")
        sheets = {"summary": pd.DataFrame({"summary": summary}), **tables,
                  "thresholds": pd.DataFrame({"key": list(vars(self.thresholds)),
                                              "value": [json.dumps(v) for v in vars(self.thresholds).values()]})}
        notes = {name: SYNTHETIC_LABEL for name in sheets} if self.synthetic else None
        write_workbook(folder / "audit.xlsx", sheets, bilingual=False, notes=notes)
        return folder


# =========================================================================== statistics
def indicator_stats(x: np.ndarray, codes: Sequence[str], parents: Sequence[str] | None = None,
                    thresholds: Thresholds | None = None) -> pd.DataFrame:
    """COINr's ``get_stats`` table of the columns of ``x (n, m)`` (NaN = missing), vectorised over columns.

    See the module docstring for the definitions and flags.

    Examples
    --------
    >>> t = indicator_stats(np.array([[1.0, 0.0], [2.0, 0.0], [3.0, np.nan], [10.0, 5.0]]), ["a", "b"])
    >>> t[["indicator", "n_avail", "n_unique", "n_same", "skew", "flag_nonzero"]].round(4).values.tolist()
    [['a', 4, 4, 1, 1.7636, 'ok'], ['b', 3, 2, 2, 1.7321, 'LOW']]
    """
    th = thresholds or Thresholds()
    arr = np.asarray(x, dtype=float)
    n, m = arr.shape
    present = ~np.isnan(arr)
    n_avail = present.sum(axis=0)
    ordered = np.sort(arr, axis=0)  # NaN last
    same_as_prev = np.zeros_like(present)
    same_as_prev[1:] = ordered[1:] == ordered[:-1]
    valid = np.arange(n)[:, None] < n_avail[None, :]
    n_unique = (valid & ~same_as_prev).sum(axis=0)
    rows = np.arange(n)[:, None]
    last_break = np.maximum.accumulate(np.where(same_as_prev, 0, rows), axis=0)
    run = np.where(valid, rows - last_break + 1, 0)
    n_same = run.max(axis=0) if n else np.zeros(m, dtype=int)
    n_nonzero = (present & (arr != 0)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_avail > 0, np.nansum(arr, axis=0) / n_avail, np.nan)
        dev = np.where(present, arr - mean, 0.0)
        std = np.where(n_avail > 1, np.sqrt((dev * dev).sum(axis=0) / (n_avail - 1)), np.nan)
        frc_avail, frc_nonzero = n_avail / n, n_nonzero / n_avail
        frc_unique, frc_same = n_unique / n_avail, n_same / n_avail
    lo = np.fmin.reduce(arr, axis=0) if n else np.full(m, np.nan)
    hi = np.fmax.reduce(arr, axis=0) if n else np.full(m, np.nan)
    median = _nanmedian(ordered, n_avail)
    skew, kurt = skewness(arr), kurtosis(arr)
    frame = pd.DataFrame({
        "indicator": list(codes), "parent": list(parents) if parents is not None else None, "n": n,
        "min": lo, "max": hi, "mean": mean, "median": median, "std": std, "skew": skew, "kurt": kurt,
        "n_avail": n_avail, "n_nonzero": n_nonzero, "n_unique": n_unique, "n_same": n_same,
        "frc_avail": frc_avail, "frc_nonzero": frc_nonzero, "frc_unique": frc_unique, "frc_same": frc_same,
    })
    frame["flag_avail"] = np.where(frc_avail < th.t_avail, "LOW", "ok")
    frame["flag_nonzero"] = np.where(n_nonzero / max(n, 1) < th.t_zero, "LOW", "ok")
    frame["flag_unique"] = np.where(n_unique / max(n, 1) < th.t_unq, "LOW", "ok")
    frame["flag_skew_kurt"] = np.where((np.abs(skew) > th.t_skew) & (kurt > th.t_kurt), "OUT", "ok")
    frame["flag_same"] = np.where(frc_same > th.t_same, "HIGH", "ok")
    return frame[STAT_COLUMNS]


def _nanmedian(ordered: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Median of each column of a column-sorted array (NaN last) with ``count`` observed values."""
    if ordered.shape[0] == 0:
        return np.full(ordered.shape[1], np.nan)
    lo = np.clip((count - 1) // 2, 0, None)
    hi = np.clip(count // 2, 0, None)
    cols = np.arange(ordered.shape[1])
    out = (ordered[lo, cols] + ordered[hi, cols]) / 2.0
    return np.where(count > 0, out, np.nan)


def cronbach_alpha(x: np.ndarray) -> tuple[float, int]:
    """Cronbach's alpha of the columns of ``x (n, k)`` on its complete rows, and the number of rows used.

    α = k/(k − 1)·(1 − Σ_i var(x_i) / var(Σ_i x_i)), sample variances; NaN when k < 2 or n < 2.

    Examples
    --------
    >>> round(cronbach_alpha(np.array([[1.0, 2, 3], [2, 3, 3], [3, 3, 4], [4, 5, 5]]))[0], 4)
    0.9643
    """
    arr = np.asarray(x, dtype=float)
    rows = arr[~np.isnan(arr).any(axis=1)]
    n, k = rows.shape
    if k < 2 or n < 2:
        return float("nan"), int(n)
    total = rows.sum(axis=1).var(ddof=1)
    if total == 0:
        return float("nan"), int(n)
    return float(k / (k - 1) * (1.0 - rows.var(axis=0, ddof=1).sum() / total)), int(n)


def pca_summary(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Variance shares of all components and the loadings ``(k, k)`` of a standardised PCA of the
    complete rows of ``x (n, k)`` (as R's ``prcomp(scale. = TRUE)``), and the number of rows used."""
    arr = np.asarray(x, dtype=float)
    rows = arr[~np.isnan(arr).any(axis=1)]
    n, k = rows.shape
    if n < 2 or k < 2:
        return np.full(k, np.nan), np.full((k, k), np.nan), int(n)
    sd = rows.std(axis=0, ddof=1)
    keep = sd > 0
    z = np.where(keep, (rows - rows.mean(axis=0)) / np.where(keep, sd, 1.0), 0.0)
    corr = z.T @ z / (n - 1)
    values, vectors = np.linalg.eigh(corr)
    order = np.argsort(values)[::-1]
    values, vectors = np.clip(values[order], 0.0, None), vectors[:, order]
    signs = np.where(vectors.sum(axis=0) < 0, -1.0, 1.0)
    return values / values.sum(), vectors * signs, int(n)


# =========================================================================== the audit
def audit(result: Result, step: str = "raw", year: int | None = None,
          thresholds: Thresholds | None = None) -> Audit:
    """Audit a built index (see the module docstring).

    Parameters
    ----------
    result
        A :class:`hqd.result.Result` (from :func:`hqd.run`).
    step
        The data the indicator statistics describe: ``raw``, ``denominated``, ``imputed``, ``screened``,
        ``treated`` or ``normalised`` (a step the recipe did not run is refused with ``unknown_step``).
    year
        One year, or None to pool every region-year.
    thresholds
        Flag thresholds (:class:`Thresholds`).
    """
    th = thresholds or Thresholds()
    if step not in result.steps:
        raise HqdError(f"no step {step!r} in this build; available: {', '.join(result.steps)}",
                       code="unknown_step")
    years = list(result.years)
    if year is not None and year not in years:
        raise HqdError(f"year {year} is not in the results ({years[0]}–{years[-1]})", code="unknown_year")
    fw = result.framework
    sel = slice(None) if year is None else slice(years.index(year), years.index(year) + 1)
    data = np.asarray(result.steps[step])[sel]
    t, r, m = data.shape
    indicators = list(result.panel.indicators)
    parents = [str(fw.nodes.at[c, "parent"]) for c in indicators]
    stats = indicator_stats(data.reshape(t * r, m), indicators, parents, th)
    # correlations, alpha and PCA on the normalised indicators and the aggregate scores
    cube = result.cube[:, sel, :]
    values = pd.DataFrame(cube.reshape(len(result.nodes), -1).T, columns=result.nodes)
    ordered = [*indicators, *[c for c in fw.aggregates if c != fw.index_code], fw.index_code]
    values = values[ordered]
    matrices = {method: values.corr(method=method) for method in ("pearson", "spearman")}
    correlations = _correlations(matrices, fw, indicators, th)
    alpha_rows, pca_rows, load_rows = [], [], []
    for node in fw.aggregates:
        kids = fw.children[node]
        block = values[kids].to_numpy()
        alpha, n_alpha = cronbach_alpha(block)
        alpha_rows.append({"node": node, "k": len(kids), "n_obs": n_alpha, "alpha": alpha,
                           "flag": "low_alpha" if np.isfinite(alpha) and alpha < th.t_alpha else "ok"})
        shares, vectors, n_pca = pca_summary(block)
        pca_rows.append({"node": node, "k": len(kids), "n_obs": n_pca,
                         "pc1_share": shares[0] if len(shares) else np.nan,
                         "pc2_share": shares[1] if len(shares) > 1 else np.nan})
        load_rows.append(pd.DataFrame({"node": node, "child": kids,
                                       "pc1": vectors[:, 0] if len(kids) else [],
                                       "pc2": vectors[:, 1] if len(kids) > 1 else np.nan}))
    alpha_frame = pd.DataFrame(alpha_rows)
    flags = _flags(stats, correlations, alpha_frame)
    return Audit(step=step, year=year, stats=stats, correlations=correlations, matrices=matrices,
                 alpha=alpha_frame, pca=pd.DataFrame(pca_rows), loadings=pd.concat(load_rows, ignore_index=True),
                 flags=flags, thresholds=th, synthetic=result.panel.synthetic)


def _correlations(matrices: dict[str, pd.DataFrame], fw: Any, indicators: list[str],
                  th: Thresholds) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for method, corr in matrices.items():
        for node in fw.aggregates:  # pairs of children of every aggregate (the tree's structure)
            kids = fw.children[node]
            sub = corr.loc[kids, kids].to_numpy()
            i, j = np.triu_indices(len(kids), k=1)
            for a, b, value in zip(np.asarray(kids)[i], np.asarray(kids)[j], sub[i, j], strict=True):
                flag = "collinear" if abs(value) > th.t_corr else ("negative" if value < th.t_neg else "")
                rows.append({"kind": "within", "method": method, "group": node, "a": a, "b": b, "r": value,
                             "flag": flag})
        for code in fw.nodes.index:
            parent = fw.nodes.at[code, "parent"]
            if isinstance(parent, str):
                rows.append({"kind": "parent", "method": method, "group": parent, "a": str(code), "b": parent,
                             "r": corr.at[str(code), parent], "flag": ""})
        for code in indicators:
            rows.append({"kind": "index", "method": method, "group": fw.index_code, "a": code,
                         "b": fw.index_code, "r": corr.at[code, fw.index_code], "flag": ""})
    return pd.DataFrame(rows, columns=["kind", "method", "group", "a", "b", "r", "flag"])


def _flags(stats: pd.DataFrame, correlations: pd.DataFrame, alpha: pd.DataFrame) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    checks = {"flag_avail": "low_availability", "flag_skew_kurt": "outliers", "flag_nonzero": "many_zeros",
              "flag_unique": "few_unique_values", "flag_same": "near_constant"}
    for column, kind in checks.items():
        for row in stats[stats[column] != "ok"].itertuples():
            rows.append({"kind": kind, "node": row.indicator, "other": "", "value": _flag_value(row, kind)})
    within = correlations[(correlations["kind"] == "within") & (correlations["flag"] != "")]
    for row in within.itertuples():
        rows.append({"kind": f"{row.flag}_{row.method}", "node": row.a, "other": row.b, "value": row.r})
    for row in alpha[alpha["flag"] != "ok"].itertuples():
        rows.append({"kind": "low_alpha", "node": row.node, "other": "", "value": row.alpha})
    return pd.DataFrame(rows, columns=["kind", "node", "other", "value"])


def _flag_value(row: Any, kind: str) -> float:
    return float({"low_availability": row.frc_avail, "outliers": row.skew, "many_zeros": row.frc_nonzero,
                  "few_unique_values": row.frc_unique, "near_constant": row.frc_same}[kind])


__all__ = ["Audit", "Thresholds", "audit", "cronbach_alpha", "indicator_stats", "pca_summary"]
