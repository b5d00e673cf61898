"""Distribution dynamics: kernel density of the index per year, traditional and spatial Markov chains.

Both work on the whole panel at once (arrays ``(n_years, n_regions)``).  The Markov chains are
written in NumPy (PySAL giddy pins an older esda and is not a dependency); their class conventions
follow giddy/mapclassify so a cross-check is possible where giddy is installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libpysal
import numpy as np
import pandas as pd

from hqd.analysis._data import Panel, as_panel, cells, choose, year_labels
from hqd.errors import HqdError, Problems

BANDWIDTH_RULES: tuple[str, ...] = ("silverman", "scott")
CLASS_SCOPES: tuple[str, ...] = ("pooled", "per_year")
_SQRT_2PI = float(np.sqrt(2.0 * np.pi))


# --------------------------------------------------------------------------------------- kernel density
@dataclass(frozen=True)
class KDEResult:
    """Gaussian kernel density per year on a common grid, with a summary of each curve.

    ``density`` ``(n_years, n_grid)``; per year: ``bandwidth``, ``peak_x``, ``peak_height``,
    ``width`` (full width at half the main peak's height), ``n_peaks`` (local maxima at least
    ``peak_min_height`` × the curve's maximum).
    """

    rule: str
    years: pd.Index
    grid: np.ndarray
    density: np.ndarray
    bandwidth: np.ndarray
    peak_x: np.ndarray
    peak_height: np.ndarray
    width: np.ndarray
    n_peaks: np.ndarray
    n: int
    peak_min_height: float
    dropped: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The per-curve summary, one row per year."""
        return pd.DataFrame(
            {
                "rule": self.rule,
                "bandwidth": self.bandwidth,
                "peak_x": self.peak_x,
                "peak_height": self.peak_height,
                "width": self.width,
                "n_peaks": self.n_peaks,
                "n": self.n,
            },
            index=self.years,
        ).reset_index()

    def curves_frame(self) -> pd.DataFrame:
        """The curves in long form: year, x, density."""
        n_years, n_grid = self.density.shape
        return pd.DataFrame(
            {
                "year": np.repeat(np.asarray(self.years), n_grid),
                "x": np.tile(self.grid, n_years),
                "density": self.density.ravel(),
            }
        )


def bandwidth(y: np.ndarray, rule: str = "silverman") -> np.ndarray:
    r"""Bandwidth per row of ``y`` (last axis = observations) under a named rule.

    ``"silverman"``: :math:`h = 0.9\,A\,N^{-1/5}`, :math:`A = \min(\hat\sigma, IQR/1.349)` (σ̂ with
    ddof = 1; A = σ̂ when the IQR is 0) — statsmodels ``bw_silverman``.
    ``"scott"``: :math:`h = \hat\sigma N^{-1/5}` — scipy ``gaussian_kde``'s default (Scott's factor on
    the sample standard deviation; note statsmodels' ``bw_scott`` is a different rule,
    1.059·A·N^(−1/5)).
    """
    choose("bandwidth rule", rule, BANDWIDTH_RULES)
    n = y.shape[-1]
    sigma = y.std(axis=-1, ddof=1)
    if rule == "scott":
        return sigma * n ** (-0.2)
    q75, q25 = np.percentile(y, [75, 25], axis=-1)
    iqr = (q75 - q25) / 1.349
    spread = np.where(iqr > 0, np.minimum(sigma, iqr), sigma)
    return 0.9 * spread * n ** (-0.2)


def _gaussian_density(y: np.ndarray, h: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """``f[t, g] = (1/(N h_t)) Σ_i φ((grid_g − y_ti)/h_t)``, in grid chunks that bound memory."""
    n_years, n = y.shape
    out = np.empty((n_years, grid.size))
    step = max(1, int(4_000_000 // max(1, n_years * n)))
    for start in range(0, grid.size, step):  # chunks of grid points (memory), not regions or years
        g = grid[start : start + step]
        u = (g[None, :, None] - y[:, None, :]) / h[:, None, None]
        out[:, start : start + step] = np.exp(-0.5 * u * u).sum(axis=-1) / (n * h[:, None] * _SQRT_2PI)
    return out


def _curve_summary(grid: np.ndarray, f: np.ndarray, min_rel: float) -> tuple[np.ndarray, ...]:
    n_years, n_grid = f.shape
    top = f.argmax(axis=-1)
    rows = np.arange(n_years)
    height = f[rows, top]
    inner = (f[:, 1:-1] > f[:, :-2]) & (f[:, 1:-1] >= f[:, 2:]) & (f[:, 1:-1] >= min_rel * height[:, None])
    n_peaks = inner.sum(axis=-1)
    half = height / 2.0
    idx = np.arange(n_grid)
    below = f < half[:, None]
    left = np.where(below & (idx < top[:, None]), idx, -1).max(axis=-1)
    right = np.where(below & (idx > top[:, None]), idx, n_grid).min(axis=-1)
    ok = (left >= 0) & (right < n_grid)
    lj = np.clip(left, 0, n_grid - 2)
    rj = np.clip(right, 1, n_grid - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_left = grid[lj] + (half - f[rows, lj]) * (grid[lj + 1] - grid[lj]) / (f[rows, lj + 1] - f[rows, lj])
        x_right = grid[rj - 1] + (half - f[rows, rj - 1]) * (grid[rj] - grid[rj - 1]) / (
            f[rows, rj] - f[rows, rj - 1]
        )
    width = np.where(ok, x_right - x_left, np.nan)
    return grid[top], height, width, n_peaks


def kernel_density(
    values: Any,
    bandwidth_rule: str | float = "silverman",
    *,
    grid: np.ndarray | None = None,
    n_grid: int = 256,
    cut: float = 3.0,
    peak_min_height: float = 0.05,
    node: str | None = None,
    column: str | None = None,
    missing: str = "raise",
) -> KDEResult:
    r"""Gaussian kernel density of the regions' values for every year, with a summary of each curve.

    .. math:: \hat f(x) = \frac1{Nh}\sum_i K\Bigl(\frac{x - X_i}{h}\Bigr),\quad
              K(u) = (2\pi)^{-1/2}e^{-u^2/2}

    Bandwidth by a named rule per year (see :func:`bandwidth`): ``"silverman"`` (default,
    0.9·min(σ̂, IQR/1.349)·N^(−1/5)) or ``"scott"`` (σ̂·N^(−1/5), scipy's default), or a number.
    The curves share one grid (default ``n_grid`` points from min − cut·h to max + cut·h over all
    years) so they can be drawn side by side or as a 3-D surface.  Summary per year: location and
    height of the highest peak, full width at half that height (of the region above half-height that
    contains the peak), and the number of local maxima at least ``peak_min_height`` × the maximum.

    Policy: a year whose values are all equal has no density (``zero_variance``); missing values per
    ``missing``.

    Replicates statsmodels ``KDEUnivariate(x).fit(kernel="gau", bw="silverman", fft=False)`` and
    scipy ``gaussian_kde(x)`` (Scott) by name (tested to 1e-12).

    References: Silverman, B. W. (1986) *Density Estimation for Statistics and Data Analysis*,
    Chapman & Hall, eq. (3.31); Scott, D. W. (1992) *Multivariate Density Estimation*, Wiley,
    doi:10.1002/9780470316849.
    """
    panel = as_panel(values, node=node, column=column, missing=missing)
    y = panel.values
    if y.shape[-1] < 2:
        raise HqdError("a kernel density needs at least two regions", code="too_few_regions")
    flat = cells(y.std(axis=-1) == 0)
    if flat:
        problems = Problems()
        for (t,) in flat:
            year = panel.years[t]
            problems.error(
                "zero_variance",
                "every region has the same value: no density to estimate",
                column=panel.name,
                year=None if pd.isna(year) else int(year),
            )
        problems.raise_if_errors()
    if isinstance(bandwidth_rule, str):
        h = bandwidth(y, bandwidth_rule)
        rule = bandwidth_rule
    else:
        if not float(bandwidth_rule) > 0:
            raise HqdError(f"bandwidth must be positive; got {bandwidth_rule!r}", code="bad_parameter")
        h = np.full(y.shape[0], float(bandwidth_rule))
        rule = f"fixed {float(bandwidth_rule):g}"
    if grid is None:
        grid = np.linspace(y.min() - cut * h.max(), y.max() + cut * h.max(), n_grid)
    grid = np.asarray(grid, dtype=float)
    density = _gaussian_density(y, h, grid)
    peak_x, peak_height, width, n_peaks = _curve_summary(grid, density, peak_min_height)
    return KDEResult(
        rule=rule,
        years=year_labels(panel),
        grid=grid,
        density=density,
        bandwidth=h,
        peak_x=peak_x,
        peak_height=peak_height,
        width=width,
        n_peaks=n_peaks,
        n=y.shape[-1],
        peak_min_height=peak_min_height,
        dropped=panel.dropped,
    )


# ------------------------------------------------------------------------------------------------ Markov
@dataclass(frozen=True)
class MarkovResult:
    """Traditional (and, with W, spatial) Markov transition matrices.

    ``counts``/``probabilities``: ``(k, k)`` (row = class at t, column = class at t+1; a row with no
    observation is NaN).  ``steady_state``: the ergodic distribution (NaN if a row is undefined).
    Spatial: ``spatial_counts``/``spatial_probabilities`` ``(k_lag, k, k)``, one matrix per class of the
    spatial lag at t.  ``edges``/``lag_edges``: the class upper bounds (quantiles).
    """

    k: int
    scope: str
    edges: np.ndarray
    classes: pd.DataFrame
    counts: np.ndarray
    probabilities: np.ndarray
    steady_state: np.ndarray
    lag_edges: np.ndarray | None = None
    spatial_counts: np.ndarray | None = None
    spatial_probabilities: np.ndarray | None = None
    islands: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Transition probabilities in long form: (lag class,) from, to, count, probability."""
        k = self.k
        base = pd.DataFrame(
            {
                "lag_class": "all",
                "from_class": np.repeat(np.arange(1, k + 1), k),
                "to_class": np.tile(np.arange(1, k + 1), k),
                "count": self.counts.ravel(),
                "probability": self.probabilities.ravel(),
            }
        )
        if self.spatial_counts is None or self.spatial_probabilities is None:
            return base
        k_lag = self.spatial_counts.shape[0]
        spatial = pd.DataFrame(
            {
                "lag_class": np.repeat(np.arange(1, k_lag + 1), k * k).astype(str),
                "from_class": np.tile(np.repeat(np.arange(1, k + 1), k), k_lag),
                "to_class": np.tile(np.arange(1, k + 1), k * k_lag),
                "count": self.spatial_counts.ravel(),
                "probability": self.spatial_probabilities.ravel(),
            }
        )
        return pd.concat([base, spatial], ignore_index=True)


def _quantile_classes(y: np.ndarray, k: int, scope: str, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Quantile classes 0..k−1 (upper-bound inclusive, as mapclassify ``Quantiles``) and the edges."""
    qs = np.linspace(0, 1, k + 1)[1:]
    if scope == "pooled":
        edges = np.quantile(y, qs)
        if np.unique(edges).size < k:
            raise HqdError(
                f"{what}: {k} quantile classes collapse (too many tied values); use fewer classes",
                code="degenerate_classes",
            )
        return np.searchsorted(edges[:-1], y, side="left"), edges
    edges = np.quantile(y, qs, axis=-1).T  # (T, k)
    if (np.diff(edges, axis=-1) <= 0).any():
        raise HqdError(
            f"{what}: {k} quantile classes collapse in some year; use fewer classes",
            code="degenerate_classes",
        )
    classes = (y[..., None] > edges[:, None, :-1]).sum(axis=-1)
    return classes, edges


def _transition_probabilities(counts: np.ndarray) -> np.ndarray:
    rows = counts.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rows > 0, counts / np.where(rows > 0, rows, 1), np.nan)


def _steady_state(p: np.ndarray) -> np.ndarray:
    k = p.shape[0]
    if np.isnan(p).any():
        return np.full(k, np.nan)
    a = np.vstack([p.T - np.eye(k), np.ones((1, k))])
    b = np.concatenate([np.zeros(k), [1.0]])
    pi, *_ = np.linalg.lstsq(a, b, rcond=None)
    pi = np.clip(pi, 0.0, None)  # rounding can leave -1e-17 on an absorbed class
    return pi / pi.sum()


def markov_transition(
    values: Any,
    k: int = 4,
    *,
    scope: str = "pooled",
    w: libpysal.weights.W | None = None,
    k_lag: int | None = None,
    node: str | None = None,
    column: str | None = None,
    missing: str = "raise",
) -> MarkovResult:
    r"""Markov transition probabilities between quantile classes, traditional and spatial.

    Each region-year gets one of ``k`` quantile classes (``scope="pooled"``: quantiles of all years
    together — giddy's ``fixed=True``, default; ``"per_year"``: each year's own quantiles, i.e.
    relative position).  A value equal to a class bound goes to the lower class (mapclassify
    ``Quantiles``).  Counting the moves of every region between consecutive years gives
    :math:`n_{ij}`, and :math:`P_{ij} = n_{ij} / \sum_j n_{ij}` (maximum likelihood); the steady
    state π solves π P = π, Σπ = 1.

    Spatial Markov (``w`` given): the spatial lag :math:`L_{it} = \sum_j w_{ij} x_{jt}` with W
    row-standardised is classed into ``k_lag`` (default k) pooled quantile classes, and one transition
    matrix is estimated per lag class at t — how a region moves given its neighbours' level.

    Policy: a class with no observation at t has an undefined row (NaN, and no steady state);
    quantile bounds that coincide because of ties are an error (``degenerate_classes``).

    References: Quah, D. T. (1993) "Empirical cross-section dynamics in economic growth",
    *European Economic Review* 37(2–3):426–434, doi:10.1016/0014-2921(93)90031-5; Rey, S. J. (2001)
    "Spatial empirics for economic growth and convergence", *Geographical Analysis* 33(3):195–214,
    doi:10.1111/j.1538-4632.2001.tb00444.x.
    """
    choose("class scope", scope, CLASS_SCOPES)
    if k < 2:
        raise HqdError(f"k must be at least 2; got {k}", code="bad_parameter")
    panel: Panel = as_panel(values, node=node, column=column, missing=missing)
    y = panel.values
    if y.shape[0] < 2:
        raise HqdError("a Markov chain needs at least two years", code="too_few_years")
    cls, edges = _quantile_classes(y, k, scope, "values")
    counts = np.bincount((cls[:-1] * k + cls[1:]).ravel(), minlength=k * k).reshape(k, k)
    probabilities = _transition_probabilities(counts)
    classes = pd.DataFrame(cls.T + 1, index=panel.regions, columns=year_labels(panel))
    result: dict[str, Any] = {}
    if w is not None:
        from hqd.analysis.spatial import dense, row_standardise, weights_for_panel

        kl = k if k_lag is None else int(k_lag)
        sub, islands = weights_for_panel(w, panel)  # drop_regions: W subset to the kept regions
        matrix = dense(row_standardise(sub), list(panel.regions))
        lag = y @ matrix.T
        lag_cls, lag_edges = _quantile_classes(lag, kl, "pooled", "spatial lag")
        index = (lag_cls[:-1] * k * k + cls[:-1] * k + cls[1:]).ravel()
        spatial_counts = np.bincount(index, minlength=kl * k * k).reshape(kl, k, k)
        result = {
            "lag_edges": lag_edges,
            "spatial_counts": spatial_counts,
            "spatial_probabilities": _transition_probabilities(spatial_counts),
            "islands": islands,
        }
    return MarkovResult(
        k=k,
        scope=scope,
        edges=edges,
        classes=classes,
        counts=counts,
        probabilities=probabilities,
        steady_state=_steady_state(probabilities),
        dropped=panel.dropped,
        **result,
    )
