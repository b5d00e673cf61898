"""Spatial weights and spatial autocorrelation (global and local Moran's I via PySAL esda).

Weights come from

* GeoJSON boundaries keyed by GB/T 2260 code (:func:`weights_from_geojson`: queen or rook contiguity,
  distance band, k nearest neighbours, inverse distance — built with libpysal),
* point coordinates (:func:`weights_from_points`, e.g. the bundled city centres),
* a square CSV/Excel matrix labelled by region code on both axes (:func:`weights_from_matrix`).

Every builder validates at the boundary and raises one :class:`~hqd.errors.HqdError` listing each
problem: the file does not parse (``geojson_invalid``), the code field is absent
(``geojson_missing_id``), a region has no feature / row (``region_unmatched``, each listed, with the
unmatched feature codes named to help spot a wrong key), a matrix is not square or its labels differ
(``matrix_labels``), has negative, missing or non-numeric entries or a non-zero diagonal.

Boundaries are user data: HQD never ships them (publishable Chinese maps need the official standard
map and its review number).  The Moran statistics are **not** re-implemented: they are esda's.
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libpysal
import numpy as np
import pandas as pd

from hqd.analysis._data import (
    MAX_LISTED,
    Panel,
    as_panel,
    cells,
    choose,
    int_array,
    region_code,
    year_labels,
)
from hqd.errors import HqdError, Problems

#: Mean Earth radius in km (IUGG), used for great-circle distances between lon/lat points.
EARTH_RADIUS_KM = 6371.0088

CONTIGUITY_METHODS: tuple[str, ...] = ("queen", "rook")
DISTANCE_METHODS: tuple[str, ...] = ("distance_band", "knn", "inverse_distance")
TRANSFORMATIONS: tuple[str, ...] = ("r", "b")
QUADRANTS: dict[int, str] = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


# --------------------------------------------------------------------------------------------- builders
def _match(ids: Sequence[str], regions: Sequence[str] | None, what: str, file: str | None) -> list[str]:
    """The regions to keep (all ids when ``regions`` is None); every region must be among ids."""
    problems = Problems({"file": file} if file else {})
    seen: set[str] = set()
    for code in ids:
        if code in seen:
            problems.error("duplicate_region", f"region appears more than once in the {what}", region=code)
        seen.add(code)
    if regions is None:
        problems.raise_if_errors()
        return list(ids)
    wanted = [region_code(r) for r in regions]
    unmatched = [r for r in wanted if r not in seen]
    for code in unmatched[:MAX_LISTED]:
        problems.error("region_unmatched", f"region has no match in the {what}", region=code)
    if unmatched:
        extra = [i for i in ids if i not in set(wanted)]
        if extra:
            shown = ", ".join(extra[:20]) + (" …" if len(extra) > 20 else "")
            problems.error("region_unmatched", f"{len(extra)} {what} entries matched no region: {shown}")
    problems.raise_if_errors()
    return wanted


def read_geojson(source: str | Path | Any, id_field: str = "adcode") -> Any:
    """Read and validate a GeoJSON (or accept a GeoDataFrame) keyed by ``id_field``."""
    import geopandas as gpd

    file = None
    if isinstance(source, gpd.GeoDataFrame):
        frame = source.copy()
    else:
        file = str(source)
        if not Path(file).exists():
            raise HqdError([_problem("file_not_found", "file not found", file)])
        try:
            frame = gpd.read_file(file)
        except Exception as exc:  # the GIS stack raises many types for one meaning: does not parse
            raise HqdError([_problem("geojson_invalid", f"cannot read as GeoJSON: {exc}", file)]) from None
    if id_field not in frame.columns:
        fields = ", ".join(c for c in frame.columns if c != "geometry")
        raise HqdError(
            [_problem("geojson_missing_id", f"no property {id_field!r}; properties: {fields}", file)]
        )
    frame[id_field] = frame[id_field].map(region_code)
    problems = Problems({"file": file} if file else {})
    for code in frame.loc[frame.geometry.isna() | frame.geometry.is_empty, id_field][:MAX_LISTED]:
        problems.error("geometry_empty", "feature has no geometry", region=str(code))
    problems.raise_if_errors()
    frame.attrs["hqd_file"] = file
    return frame


def _problem(code: str, message: str, file: str | None) -> Any:
    from hqd.errors import Problem

    return Problem(code=code, message=message, file=file)


def weights_from_geojson(
    source: str | Path | Any,
    regions: Sequence[str] | None = None,
    *,
    id_field: str = "adcode",
    method: str = "queen",
    threshold: float | None = None,
    k: int | None = None,
    alpha: float = -1.0,
) -> libpysal.weights.W:
    """Spatial weights from boundaries in a GeoJSON keyed by region code (``id_field``).

    ``method``: ``"queen"`` (shared point) or ``"rook"`` (shared edge) contiguity
    (``libpysal.weights.Queen/Rook.from_dataframe``), or a distance method between the polygons'
    representative points (guaranteed inside the polygon): ``"distance_band"`` (binary, neighbours
    within ``threshold``), ``"knn"`` (``k`` nearest), ``"inverse_distance"`` (``d^alpha`` for pairs
    within ``threshold``, all pairs when None).  Distances are great-circle km for lon/lat data
    (no CRS or a geographic CRS; libpysal's arc distance with R = 6371.0088 km), else in the CRS unit.

    ``regions``: the study regions in the order wanted (default: every feature).  Features outside
    the study regions are left out; a region without a feature is an error (``region_unmatched``).
    Weights are binary (or inverse-distance) as built; row-standardise with :func:`row_standardise`
    or let :func:`morans_i` do it.
    """
    choose("weights method", method, CONTIGUITY_METHODS + DISTANCE_METHODS)
    frame = read_geojson(source, id_field)
    file = frame.attrs.get("hqd_file")
    keep = _match(list(frame[id_field]), regions, "GeoJSON features", file)
    frame = frame.set_index(id_field).loc[keep].reset_index()
    ids = list(frame[id_field])
    if method in CONTIGUITY_METHODS:
        builder = libpysal.weights.Queen if method == "queen" else libpysal.weights.Rook
        return builder.from_dataframe(frame, ids=ids, use_index=False, silence_warnings=True)
    points = frame.geometry.representative_point()
    coords = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    geographic = frame.crs is None or frame.crs.is_geographic
    return _distance_weights(coords, ids, method, threshold, k, alpha, geographic)


def weights_from_points(
    table: pd.DataFrame,
    regions: Sequence[str] | None = None,
    *,
    code: str = "code",
    lon: str = "lon",
    lat: str = "lat",
    method: str = "knn",
    threshold: float | None = None,
    k: int | None = None,
    alpha: float = -1.0,
) -> libpysal.weights.W:
    """Distance-based weights between points given as lon/lat columns (great-circle km).

    ``method``: ``"distance_band"`` (binary within ``threshold`` km), ``"knn"`` (``k`` nearest,
    default 4), ``"inverse_distance"`` (``d^alpha`` within ``threshold``, all pairs when None).
    """
    choose("weights method", method, DISTANCE_METHODS)
    missing = [c for c in (code, lon, lat) if c not in table.columns]
    if missing:
        raise HqdError(f"point table lacks column(s) {', '.join(missing)}", code="unknown_column")
    frame = table.assign(**{code: table[code].map(region_code)})
    keep = _match(list(frame[code]), regions, "point table", None)
    frame = frame.set_index(code).loc[keep]
    coords = frame[[lon, lat]].to_numpy(dtype=float)
    return _distance_weights(coords, keep, method, threshold, k, alpha, geographic=True)


def _distance_weights(
    coords: np.ndarray,
    ids: list[str],
    method: str,
    threshold: float | None,
    k: int | None,
    alpha: float,
    geographic: bool,
) -> libpysal.weights.W:
    radius = EARTH_RADIUS_KM if geographic else None
    if method == "knn":
        kk = 4 if k is None else int(k)
        if not 1 <= kk < len(ids):
            raise HqdError(f"k must be between 1 and {len(ids) - 1}; got {kk}", code="bad_parameter")
        return libpysal.weights.KNN.from_array(coords, k=kk, ids=ids, radius=radius)
    if method == "distance_band" and threshold is None:
        raise HqdError("distance_band needs a threshold (km for lon/lat data)", code="bad_parameter")
    if threshold is None:
        threshold = _max_distance(coords, geographic) * (1.0 + 1e-9) + 1e-9
    with np.errstate(divide="ignore"):  # libpysal raises the zero self-distances to alpha, then drops them
        return libpysal.weights.DistanceBand(
            coords,
            threshold=float(threshold),
            binary=method == "distance_band",
            alpha=alpha,
            ids=ids,
            radius=radius,
            silence_warnings=True,
        )


def _max_distance(coords: np.ndarray, geographic: bool) -> float:
    if geographic:
        lon, lat = np.radians(coords[:, 0]), np.radians(coords[:, 1])
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
        return float((2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))).max())
    diff = coords[:, None, :] - coords[None, :, :]
    return float(np.sqrt((diff**2).sum(-1)).max())


def weights_from_matrix(
    source: str | Path | pd.DataFrame,
    regions: Sequence[str] | None = None,
    *,
    sheet: str | int | None = None,
) -> libpysal.weights.W:
    """Weights from a square matrix labelled by region code (first column = row labels, header = column
    labels), from CSV, Excel (``sheet``, default the first) or a DataFrame.

    Entries must be numeric, non-negative, present, with a zero diagonal; rows and columns must carry
    the same codes (any order).  ``regions`` selects and orders the study regions (each must be in the
    matrix); weights to regions outside the selection are dropped.  The matrix is used as given
    (binary, economic distance 1/|GDP_i − GDP_j|, nested …); row-standardise separately.
    """
    file = None if isinstance(source, pd.DataFrame) else str(source)
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        path = Path(source)
        if not path.exists():
            raise HqdError([_problem("file_not_found", "file not found", file)])
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
                frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, index_col=0, dtype=str)
            else:
                frame = pd.read_csv(path, index_col=0, dtype=str)
        except Exception as exc:  # parse errors of either reader
            raise HqdError([_problem("matrix_invalid", f"cannot read the matrix: {exc}", file)]) from None
    frame.index = [region_code(i) for i in frame.index]
    frame.columns = [region_code(c) for c in frame.columns]
    problems = Problems({"file": file} if file else {})
    rows, cols = list(frame.index), list(frame.columns)
    if set(rows) != set(cols) or len(rows) != len(cols):
        only_rows = sorted(set(rows) - set(cols))
        only_cols = sorted(set(cols) - set(rows))
        problems.error(
            "matrix_labels",
            f"the matrix must be square with the same codes on both axes "
            f"({len(rows)} rows, {len(cols)} columns; only in rows: {', '.join(only_rows) or '-'}; "
            f"only in columns: {', '.join(only_cols) or '-'})",
        )
        problems.raise_if_errors()
    keep = _match(rows, regions, "weights matrix", file)
    frame = frame.loc[rows, rows]
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    raw = frame.to_numpy(dtype=object)
    values = numeric.to_numpy(dtype=float)
    for r, c in zip(*np.nonzero(np.isnan(values)), strict=True):
        text = raw[r, c]
        blank = text is None or (isinstance(text, float) and np.isnan(text)) or str(text).strip() == ""
        problems.error(
            "missing_value" if blank else "not_numeric",
            "weight is missing" if blank else f"weight {text!r} is not a number",
            row=int(r) + 2,
            column=rows[c],
            region=rows[r],
        )
    for r, c in zip(*np.nonzero(values < 0), strict=True):
        problems.error(
            "matrix_negative",
            f"negative weight {values[r, c]!r}",
            row=int(r) + 2,
            column=rows[c],
            region=rows[r],
        )
    for r in np.nonzero(np.diag(values) != 0)[0]:
        if not np.isnan(values[r, r]):
            problems.error(
                "matrix_diagonal",
                f"a region's weight on itself must be 0; got {values[r, r]!r}",
                row=int(r) + 2,
                column=rows[r],
                region=rows[r],
            )
    problems.raise_if_errors()
    index = [rows.index(code) for code in keep]
    sub = values[np.ix_(index, index)]
    return libpysal.weights.full2W(sub, ids=keep)


def row_standardise(w: libpysal.weights.W) -> libpysal.weights.W:
    """A row-standardised copy of ``w`` (each row sums to 1; an island's row stays all zero)."""
    out = copy.deepcopy(w)
    out.transform = "r"
    return out


def dense(w: libpysal.weights.W, regions: Sequence[str] | None = None) -> np.ndarray:
    """The weights as a dense ``(n, n)`` array in ``regions`` order (default ``w.id_order``)."""
    order = list(w.id_order) if regions is None else [region_code(r) for r in regions]
    _check_same_regions(order, [str(i) for i in w.id_order])
    full, ids = w.full()
    pos = {str(i): k for k, i in enumerate(ids)}
    index = [pos[r] for r in order]
    return np.asarray(full)[np.ix_(index, index)]


def _check_same_regions(values_regions: Sequence[str], w_regions: Sequence[str]) -> None:
    problems = Problems()
    w_set, v_set = set(w_regions), set(values_regions)
    for code in [r for r in values_regions if r not in w_set][:MAX_LISTED]:
        problems.error("region_not_in_weights", "region has a value but no row in the weights", region=code)
    for code in [r for r in w_regions if r not in v_set][:MAX_LISTED]:
        problems.error("weights_region_without_value", "region of the weights has no value", region=code)
    problems.raise_if_errors()


def weights_for_panel(w: libpysal.weights.W, panel: Panel) -> tuple[libpysal.weights.W, tuple[str, ...]]:
    """W restricted to the panel's regions (after ``missing="drop_regions"``) and the islands it leaves.

    When the panel dropped regions, W may hold them: it is subset to the kept regions with
    ``libpysal.weights.w_subset`` (weights as given; row-standardisation happens afterwards, on the
    subset).  A region whose every neighbour was dropped becomes an island (spatial lag 0, as esda
    treats islands); the islands are returned so that every result can report them.  Any other
    mismatch between the values and W is an error (``region_not_in_weights`` /
    ``weights_region_without_value``).
    """
    ids = [str(i) for i in w.id_order]
    if panel.dropped:
        dropped = set(panel.dropped)
        keep = [i for i in ids if i not in dropped]
        if len(keep) != len(ids):
            pos = {str(i): i for i in w.id_order}
            with warnings.catch_warnings():  # libpysal warns about islands; HQD reports them itself
                warnings.simplefilter("ignore")
                w = libpysal.weights.w_subset(w, [pos[i] for i in keep], silence_warnings=True)
            ids = keep
    _check_same_regions(list(panel.regions), ids)
    islands = tuple(str(i) for i in w.islands)
    return w, islands


def _aligned(
    panel: Panel, w: libpysal.weights.W
) -> tuple[np.ndarray, list[str], libpysal.weights.W, tuple[str, ...]]:
    w, islands = weights_for_panel(w, panel)
    order = [str(i) for i in w.id_order]
    pos = {r: k for k, r in enumerate(panel.regions)}
    flat = cells(panel.values.std(axis=-1) == 0)
    if flat:
        problems = Problems()
        for (t,) in flat:
            year = panel.years[t]
            problems.error("zero_variance", "every region has the same value: the statistic is undefined",
                           column=panel.name, year=None if pd.isna(year) else int(year))
        problems.raise_if_errors()
    return panel.values[:, [pos[r] for r in order]], order, w, islands


def year_seed(seed: int | None, year: Any) -> np.random.SeedSequence:
    """The seed of one year's permutations: ``SeedSequence([seed, year])`` (a cross-section: ``[seed]``).

    Deriving each year's stream from ``(seed, year)`` makes a year's permutation p-value the same
    whether the year is analysed alone or with others; ``seed=None`` draws fresh OS entropy.
    """
    if seed is None:
        return np.random.SeedSequence()
    if year is None or pd.isna(year):
        return np.random.SeedSequence([int(seed)])
    return np.random.SeedSequence([int(seed), int(year)])


def year_int_seed(seed: int | None, year: Any) -> int:
    """An integer seed for esda's local statistics, derived from :func:`year_seed` (0 ≤ s < 2³¹ − 1)."""
    return int(year_seed(seed, year).generate_state(1)[0] % (2**31 - 1))


@contextlib.contextmanager
def _global_state_kept() -> Iterator[None]:
    """esda's conditional randomisation (``crand``) reseeds NumPy's global generator with the seed it
    is given; this restores the caller's global state afterwards, so HQD never changes it."""
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)


def moran_permutations(
    z: np.ndarray, w_sparse: Any, s0: float, permutations: int, rng: np.random.Generator
) -> np.ndarray:
    r"""Moran's I of ``permutations`` random relabellings of ``z`` (centred values), vectorised.

    :math:`I^{(p)} = \frac{n}{S_0}\frac{z_{\pi_p}^\top W z_{\pi_p}}{z^\top z}` — the statistic esda's
    ``Moran`` computes for each draw of ``np.random.permutation(z)``.  HQD draws the permutations from
    a local ``Generator``: esda's ``Moran`` only uses NumPy's global one, so seeding it per year would
    leak between years and into the caller — that is the only reason the draws are not esda's.
    """
    n = z.shape[0]
    index = rng.permuted(np.tile(np.arange(n), (permutations, 1)), axis=1)
    return moran_of_permutations(z, w_sparse, s0, index)


def moran_of_permutations(z: np.ndarray, w_sparse: Any, s0: float, index: np.ndarray) -> np.ndarray:
    """Moran's I for each row of ``index`` (a permutation of ``range(n)``) applied to ``z``."""
    zp = z[index]  # (P, n)
    lag = np.asarray(w_sparse @ zp.T).T
    return z.shape[0] / s0 * (zp * lag).sum(axis=1) / float(z @ z)


def permutation_inference(I: float, sim: np.ndarray) -> dict[str, float]:  # noqa: E741
    """esda ``Moran``'s permutation inference: ``p_sim`` = (larger + 1) / (P + 1) with ``larger`` the
    count of draws ≥ I folded to the smaller tail; ``EI_sim``, ``VI_sim`` (population variance) and
    ``z_sim`` = (I − EI_sim) / sd."""
    permutations = sim.shape[0]
    larger = int((sim >= I).sum())
    if permutations - larger < larger:
        larger = permutations - larger
    se = float(sim.std())
    with np.errstate(divide="ignore", invalid="ignore"):
        z_sim = (I - float(sim.mean())) / se
    return {
        "p_sim": (larger + 1.0) / (permutations + 1.0),
        "EI_sim": float(sim.mean()),
        "VI_sim": se**2,
        "z_sim": float(z_sim),
    }


# ------------------------------------------------------------------------------------------ global Moran
@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I per year (esda.Moran attributes, arrays over years)."""

    years: pd.Index
    I: np.ndarray  # noqa: E741 - esda's and the literature's name
    EI: np.ndarray
    VI_norm: np.ndarray
    z_norm: np.ndarray
    p_norm: np.ndarray
    VI_rand: np.ndarray
    z_rand: np.ndarray
    p_rand: np.ndarray
    p_sim: np.ndarray
    z_sim: np.ndarray
    n: int
    permutations: int
    transformation: str
    two_tailed: bool
    seed: int | None
    dropped: tuple[str, ...] = ()
    islands: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "I": self.I,
                "EI": self.EI,
                "VI_norm": self.VI_norm,
                "z_norm": self.z_norm,
                "p_norm": self.p_norm,
                "VI_rand": self.VI_rand,
                "z_rand": self.z_rand,
                "p_rand": self.p_rand,
                "p_sim": self.p_sim,
                "z_sim": self.z_sim,
                "n": self.n,
                "permutations": self.permutations,
                "transformation": self.transformation,
                "two_tailed": self.two_tailed,
                "seed": self.seed,
            },
            index=self.years,
        ).reset_index()


def morans_i(
    values: Any,
    w: libpysal.weights.W,
    *,
    permutations: int = 999,
    seed: int | None = None,
    transformation: str = "r",
    two_tailed: bool = True,
    node: str | None = None,
    column: str | None = None,
    missing: str = "raise",
) -> MoranResult:
    r"""Global Moran's I for every year, computed by PySAL ``esda.Moran`` (not re-implemented).

    .. math:: I = \frac{n}{S_0}\frac{\sum_i\sum_j w_{ij} z_i z_j}{\sum_i z_i^2},\quad z_i = x_i - \bar x,
              \quad S_0 = \sum_i\sum_j w_{ij},\quad E[I] = -\frac1{n-1}

    with z-scores and p-values under the normality (``*_norm``) and randomisation (``*_rand``)
    assumptions and a permutation pseudo p-value (``p_sim``, ``permutations`` draws).
    ``transformation="r"`` row-standardises W (default), ``"b"`` keeps it binary; the caller's W is
    never modified.  ``seed``: each year's permutations come from a local NumPy ``Generator`` seeded
    by ``(seed, year)`` (:func:`year_seed`), so a year's ``p_sim`` is the same whether it is analysed
    alone or with other years, and NumPy's global generator is never touched; the permuted
    statistics are computed as esda's ``Moran`` computes them (:func:`moran_permutations`, tested
    equal on the same permutations).  ``p_norm``/``p_rand`` are two-sided by default (esda's
    default); ``p_sim`` is esda's folded pseudo p-value.

    Policy: the values must have exactly the regions of W (``region_not_in_weights`` /
    ``weights_region_without_value``); missing values per ``missing``; a year in which every region
    has the same value has no Moran's I (0/0: ``zero_variance``); an island (a region without
    neighbours) keeps a zero spatial lag, as in esda.  With ``missing="drop_regions"`` W is subset to
    the kept regions (:func:`weights_for_panel`) and the islands that leaves are in ``islands``.

    Replicates esda 2.9 ``Moran(y, w, transformation, permutations)`` (``moran_esda.json``: I = 0.763519
    row-standardised, 0.693870 binary, on the 4×4 lattice; hand check n/S0 · zᵀWz/zᵀz).

    References: Moran, P. A. P. (1950) "Notes on continuous stochastic phenomena", *Biometrika*
    37(1/2):17–23, doi:10.2307/2332142; Cliff, A. D. & Ord, J. K. (1981) *Spatial Processes*, Pion.
    """
    import esda

    choose("transformation", transformation, TRANSFORMATIONS)
    panel = as_panel(values, node=node, column=column, missing=missing)
    y, _, sub, islands = _aligned(panel, w)
    work = copy.deepcopy(sub)
    keys = ("I", "EI", "VI_norm", "z_norm", "p_norm", "VI_rand", "z_rand", "p_rand", "p_sim", "z_sim")
    stats: dict[str, list[float]] = {k: [] for k in keys}
    years = year_labels(panel)
    with warnings.catch_warnings():  # libpysal's island warning: islands are reported in the result
        warnings.filterwarnings("ignore", message=".*islands.*")
        for t, row in enumerate(y):  # esda's API is one vector per call: the loop is over library calls
            m = esda.Moran(row, work, transformation=transformation, permutations=0, two_tailed=two_tailed)
            values = {k: float(getattr(m, k, np.nan)) for k in keys}
            if permutations:
                z = row - row.mean()
                rng = np.random.default_rng(year_seed(seed, years[t]))
                sim = moran_permutations(z, m.w.sparse, float(m.w.s0), permutations, rng)
                values.update({k: v for k, v in permutation_inference(values["I"], sim).items() if k in keys})
            for key in keys:
                stats[key].append(values[key])
    return MoranResult(
        years=years,
        n=y.shape[1],
        permutations=permutations,
        transformation=transformation,
        two_tailed=two_tailed,
        seed=seed,
        dropped=panel.dropped,
        islands=islands,
        **{k: np.asarray(v) for k, v in stats.items()},
    )


# ------------------------------------------------------------------------------------------- local Moran
@dataclass(frozen=True)
class LocalMoranResult:
    """Local Moran's I (LISA) per region-year: ``Is``, quadrant, pseudo p and significant cluster."""

    frame: pd.DataFrame
    permutations: int
    transformation: str
    significance: float
    seed: int | None
    dropped: tuple[str, ...] = ()
    islands: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()


def local_morans_i(
    values: Any,
    w: libpysal.weights.W,
    *,
    permutations: int = 999,
    seed: int | None = None,
    transformation: str = "r",
    significance: float = 0.05,
    node: str | None = None,
    column: str | None = None,
    missing: str = "raise",
) -> LocalMoranResult:
    r"""Local Moran's I (LISA) for every region and year, computed by PySAL ``esda.Moran_Local``.

    esda's scaling is :math:`I_i = (n-1)\,z_i\sum_j w_{ij}z_j / \sum_k z_k^2`; papers writing
    :math:`I_i = z_i\sum_j w_{ij}z_j / S^2` with :math:`S^2 = \sum z^2/n` differ by n/(n−1).
    ``quadrant``: HH (high value, high neighbours), LH, LL, HL (esda's q = 1, 2, 3, 4);
    ``cluster`` is the quadrant where the permutation pseudo p-value ``p_sim`` < ``significance``,
    else ``"not significant"``.  ``seed``: each year's permutations are seeded from ``(seed, year)``
    (:func:`year_int_seed`) and passed to esda, whose conditional randomisation reseeds NumPy's
    global generator — HQD restores the caller's global state afterwards.  ``p_sim`` is
    esda 2.9's conditional-randomisation pseudo p-value with its current ("directed", folded)
    alternative; esda has announced a change of that default, so pin the esda version for
    comparable p-values.

    Policy: as :func:`morans_i` (same regions as W, ``missing``, ``zero_variance``; with
    ``missing="drop_regions"`` W is subset to the kept regions, islands reported).

    Replicates esda 2.9 ``Moran_Local(y, w, transformation, permutations, seed)`` by name
    (``moran_esda.json``: ``local_Is``, ``local_q_quadrant``).

    Reference: Anselin, L. (1995) "Local indicators of spatial association — LISA",
    *Geographical Analysis* 27(2):93–115, doi:10.1111/j.1538-4632.1995.tb00338.x.
    """
    import esda

    choose("transformation", transformation, TRANSFORMATIONS)
    panel = as_panel(values, node=node, column=column, missing=missing)
    y, order, sub, islands = _aligned(panel, w)
    work = copy.deepcopy(sub)
    years = year_labels(panel)
    frames = []
    for t, row in enumerate(y):  # one esda call per year (library API)
        with warnings.catch_warnings(), _global_state_kept():
            # esda 2.9 announces a future change of its default alternative; islands are reported
            warnings.filterwarnings("ignore", message="The alternative hypothesis for conditional randomization")
            warnings.filterwarnings("ignore", message=".*islands.*")
            m = esda.Moran_Local(row, work, transformation=transformation, permutations=permutations,
                                 seed=year_int_seed(seed, years[t]))
        q = np.asarray(m.q, dtype=int)
        p_sim = np.asarray(m.p_sim, dtype=float) if permutations else np.full(len(order), np.nan)
        quadrant = np.array([QUADRANTS.get(int(v), "") for v in q], dtype=object)
        frames.append(
            pd.DataFrame(
                {
                    "region": order,
                    "year": years[t],
                    "value": row,
                    "Is": np.asarray(m.Is, dtype=float),
                    "q": q,
                    "quadrant": quadrant,
                    "p_sim": p_sim,
                    "cluster": np.where(p_sim < significance, quadrant, "not significant"),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["year"] = int_array(frame["year"])
    return LocalMoranResult(
        frame=frame,
        permutations=permutations,
        transformation=transformation,
        significance=significance,
        seed=seed,
        dropped=panel.dropped,
        islands=islands,
    )


# ------------------------------------------------------------------------------- economic weights
NESTED_VARIANTS: tuple[str, ...] = ("product", "mix")


def _region_means(values: Any, node: str | None, column: str | None, regions: Sequence[str] | None
                  ) -> tuple[np.ndarray, list[str]]:
    panel = as_panel(values, node=node, column=column)
    means = panel.values.mean(axis=0)
    order = [str(r) for r in panel.regions] if regions is None else [region_code(r) for r in regions]
    _check_same_regions(order, [str(r) for r in panel.regions])
    pos = {str(r): i for i, r in enumerate(panel.regions)}
    return means[[pos[r] for r in order]], order


def economic_distance_weights(
    values: Any,
    regions: Sequence[str] | None = None,
    *,
    node: str | None = None,
    column: str | None = None,
) -> libpysal.weights.W:
    r"""Economic-distance weights (经济距离矩阵): :math:`w_{ij} = 1/|\bar Y_i - \bar Y_j|` for i ≠ j.

    :math:`\bar Y_i` is region i's mean of the variable over the panel's years (e.g. GDP per capita),
    so regions at similar levels weigh more on each other.  Weights as built (not standardised);
    row-standardise with :func:`row_standardise` (Moran, the spatial models do it by default).

    Policy: missing values are an error; two regions with the same mean would get an infinite
    weight, which is an error naming them (``economic_tie``).

    Reference: 林光平、龙志和、吴梅 (2005) 《我国地区经济收敛的空间计量实证分析：1978—2002年》,
    《经济学（季刊）》4(S1):67–82 (economic-distance W from mean real GDP per capita).
    """
    means, order = _region_means(values, node, column, regions)
    gap = np.abs(means[:, None] - means[None, :])
    np.fill_diagonal(gap, np.inf)
    ties = np.argwhere(gap == 0)
    if ties.size:
        problems = Problems()
        for i, j in ties[ties[:, 0] < ties[:, 1]][:MAX_LISTED]:
            problems.error("economic_tie", f"same mean as region {order[j]}: the economic distance is 0",
                           region=order[i])
        problems.raise_if_errors()
    return libpysal.weights.full2W(1.0 / gap, ids=order)


def nested_weights(
    geographic: libpysal.weights.W,
    values: Any,
    *,
    variant: str = "product",
    phi: float = 0.5,
    node: str | None = None,
    column: str | None = None,
) -> libpysal.weights.W:
    r"""Economic-geographic nested weights (地理经济嵌套矩阵) from a geographic W and an economic variable.

    ``variant="product"``: :math:`W = W_d\,\mathrm{diag}(\bar Y_1/\bar Y, \dots, \bar Y_n/\bar Y)` —
    the geographic weight of j scaled by j's economic weight (:math:`\bar Y_j` its mean over the years,
    :math:`\bar Y` the mean of all regions), so richer neighbours pull more (林光平等 2005).
    ``variant="mix"``: :math:`W = \varphi W_d^{r} + (1-\varphi) W_e^{r}`, the row-standardised
    geographic and economic-distance (:func:`economic_distance_weights`) matrices mixed with weight
    ``phi`` (邵帅等 2016 use φ = 0.5).  ``geographic`` is usually inverse distance
    (:func:`weights_from_points` with ``method="inverse_distance"``).

    Policy: ``values`` must cover W's regions; ``phi`` in [0, 1]; negative or zero means are refused
    for ``product`` (``nonpositive_value``).

    References: 林光平、龙志和、吴梅 (2005) 《经济学（季刊）》4(S1):67–82; 邵帅、李欣、曹建华、杨莉莉 (2016)
    《中国雾霾污染治理的经济政策选择——基于空间溢出效应的视角》, 《经济研究》51(9):73–88.
    """
    choose("nested weights variant", variant, NESTED_VARIANTS)
    order = [str(i) for i in geographic.id_order]
    means, _ = _region_means(values, node, column, order)
    wd = dense(geographic)
    if variant == "product":
        if (means <= 0).any():
            bad = [order[i] for i in np.nonzero(means <= 0)[0]]
            raise HqdError(f"the economic variable must be positive for nested weights: {', '.join(bad)}",
                           code="nonpositive_value")
        full = wd * (means / means.mean())[None, :]
    else:
        if not 0.0 <= phi <= 1.0:
            raise HqdError(f"phi must be in [0, 1]; got {phi}", code="bad_parameter")
        we = dense(economic_distance_weights(values, order, node=node, column=column))

        def rows(m: np.ndarray) -> np.ndarray:
            s = m.sum(axis=1, keepdims=True)
            return np.divide(m, s, out=np.zeros_like(m), where=s > 0)

        full = phi * rows(wd) + (1.0 - phi) * rows(we)
    return libpysal.weights.full2W(full, ids=order)
