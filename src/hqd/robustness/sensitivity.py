"""Variance-based sensitivity analysis (Sobol indices) and leave-one-indicator-out.

:func:`sobol` draws the Saltelli design, evaluates a model on it and estimates first-order and total
indices with bootstrap intervals, in **one call**, so the design and the estimator cannot be mismatched.

Design (Saltelli 2010; COINr's ``SA_sample``)
    Two independent N × D matrices A and B of U(0, 1) values (pseudo-random, or a scrambled Sobol'
    sequence with ``sampler="qmc"``), and for each input group i the matrix A_B^(i) = A with the
    columns of group i taken from B.  Stacked ``[A; B; A_B^(1); …; A_B^(d)]``: N(d + 2) runs.  An input
    may span several columns (a group, e.g. every perturbed weight); its indices are group indices.
Estimators, for each target y (one value per run)
    Var(y) = the sample variance (denominator 2N − 1) of the 2N values y_A and y_B (as COINr's R ``var``);
    first order  S_i = mean(y_B · (y_ABi − y_A)) / Var(y)   (Saltelli et al. 2010, eq. (b) of Table 2);
    total        ST_i = mean((y_A − y_ABi)²) / 2 / Var(y)   (Jansen 1999).
    With ``center=True`` (the default) y is first shifted by the mean of y_A and y_B: the indices of y and
    y − c are the same, but the first-order estimator's variance grows with mean(y)², so centring makes it
    far more precise when the target is far from 0 (a rank, a mean rank change).  With ``center=False``
    the formulas are applied as printed, as COINr does.  SALib's ``sobol.analyze`` centres by the mean of
    all N(d + 2) outputs and divides by the population variance: on outputs centred that way its values
    are ours × 2N/(2N − 1).
Bootstrap intervals
    The N base rows are resampled with replacement ``n_boot`` times (the same rows for A, B and every
    A_B^(i)); an interval is the (1 − conf)/2 … (1 + conf)/2 percentile of the resampled estimates
    (conf = 0.9 gives COINr's 5–95%).  Each resample is a row of multinomial counts, so all of them are
    one matrix product.
Missing values
    Base rows where a run failed (NaN target in any of the d + 2 blocks) are left out and counted; a
    target that is NaN throughout gives NaN indices.
Notes
    An estimate of S1 below 0, or an interval that covers 0, means the index is not resolved at this N:
    treat it as 0.  :func:`sobol_notes` says so and gives the N at which the interval would shrink to the
    size of the estimate (or to 0.01): N · (half-width / max(|S|, 0.01))², since the width falls as 1/√N.

References
    Saltelli, A. et al. (2010) Variance based sensitivity analysis of model output. Design and estimator
    for the total sensitivity index. *Computer Physics Communications* 181(2):259–270,
    doi:10.1016/j.cpc.2009.09.018.  Jansen, M.J.W. (1999) Analysis of variance designs for model output.
    *Computer Physics Communications* 117(1–2):35–43, doi:10.1016/S0010-4655(98)00154-4.
    Ishigami, T. & Homma, T. (1990) An importance quantification technique in uncertainty analysis for
    computer models, doi:10.1109/ISUMA.1990.151285.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from hqd.errors import HqdError

Sampler = Literal["random", "qmc"]
SOBOL_COLUMNS = ["target", "input", "S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"]


@dataclass(frozen=True)
class SaltelliDesign:
    """The stacked design ``u (N(d + 2), D)`` and, per run, its block: ``A``, ``B`` or the input name."""

    u: np.ndarray
    block: np.ndarray  # (runs,) object
    n: int
    groups: tuple[tuple[int, ...], ...]  # column indices of each input
    names: tuple[str, ...]

    @property
    def d(self) -> int:
        return len(self.groups)


@dataclass(frozen=True)
class SobolResult:
    """Indices per (target, input) with intervals, the design, the model outputs and the notes."""

    table: pd.DataFrame  # SOBOL_COLUMNS + note
    design: SaltelliDesign
    outputs: np.ndarray  # (runs, q)
    targets: tuple[str, ...]
    n_valid: int
    conf: float
    notes: tuple[str, ...]


def _uniform(n: int, width: int, rng: np.random.Generator, sampler: Sampler) -> np.ndarray:
    if sampler == "random":
        return rng.random((n, width))
    from scipy.stats import qmc

    engine = qmc.Sobol(d=width, scramble=True, seed=rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "balance properties … n not a power of 2"
        return np.asarray(engine.random(n))


def saltelli_design(n: int, groups: Sequence[int], seed: int | np.random.Generator | None,
                    names: Sequence[str] | None = None, sampler: Sampler = "random") -> SaltelliDesign:
    """The Saltelli design for inputs whose sizes (numbers of columns) are ``groups``.

    Returns N(d + 2) rows: A, B, then A_B^(i) for every input i (see the module docstring).
    """
    if n < 2:
        raise HqdError(f"a Sobol design needs N ≥ 2 base rows; got {n}", code="invalid_range")
    if not groups or any(g < 1 for g in groups):
        raise HqdError("every input needs at least one column", code="invalid_spec")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    width = int(sum(groups))
    ab = _uniform(n, 2 * width, rng, sampler)
    a, b = ab[:, :width], ab[:, width:]
    bounds = np.cumsum([0, *groups])
    cols = tuple(tuple(range(int(bounds[i]), int(bounds[i + 1]))) for i in range(len(groups)))
    labels = tuple(names) if names is not None else tuple(f"x{i + 1}" for i in range(len(groups)))
    blocks = [a, b]
    for group in cols:
        mixed = a.copy()
        mixed[:, list(group)] = b[:, list(group)]
        blocks.append(mixed)
    block = np.concatenate([np.full(n, "A", dtype=object), np.full(n, "B", dtype=object),
                            *[np.full(n, name, dtype=object) for name in labels]])
    return SaltelliDesign(u=np.concatenate(blocks), block=block, n=n, groups=cols, names=labels)


def _estimate(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, ...]:
    """S1 and ST (shape (B, d, q)) for rows weighted by ``counts`` (B, N): one matrix product each."""
    n = f_a.shape[0]
    c = counts.astype(float)
    total = c.sum(axis=1)[:, None]  # = N
    mean = (c @ (f_a + f_b)) / (2 * total)
    meansq = (c @ (f_a * f_a + f_b * f_b)) / (2 * total)
    var = (meansq - mean * mean) * (2 * n) / (2 * n - 1)
    d, _, q = f_ab.shape
    first = (f_b[None] * (f_ab - f_a[None])).transpose(1, 0, 2).reshape(n, d * q)
    jansen = ((f_a[None] - f_ab) ** 2).transpose(1, 0, 2).reshape(n, d * q)
    s1 = (c @ first / total).reshape(-1, d, q)
    st = (c @ jansen / (2 * total)).reshape(-1, d, q)
    with np.errstate(invalid="ignore", divide="ignore"):
        return s1 / var[:, None, :], st / var[:, None, :]


def sobol_indices(y: np.ndarray, design: SaltelliDesign, n_boot: int = 1000, conf: float = 0.9,
                  seed: int | np.random.Generator | None = 0,
                  center: bool = True) -> tuple[dict[str, np.ndarray], int]:
    """Estimate S1, ST and their bootstrap intervals from outputs ``y (N(d + 2), q)`` on ``design``.

    Returns arrays of shape ``(d, q)`` under ``S1, S1_lo, S1_hi, ST, ST_lo, ST_hi`` and the number of
    base rows used (rows with a failed run are dropped).
    """
    if not 0 < conf < 1:
        raise HqdError(f"conf must be in (0, 1); got {conf}", code="invalid_range")
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    n, d = design.n, design.d
    if y.shape[0] != n * (d + 2):
        raise HqdError(f"y has {y.shape[0]} rows; the design has {n * (d + 2)}", code="invalid_parameter")
    blocks = y.reshape(d + 2, n, -1)
    valid = np.isfinite(blocks).any(axis=2).all(axis=0)  # a run failed when every target is NaN
    f_a, f_b, f_ab = blocks[0][valid], blocks[1][valid], blocks[2:][:, valid]
    nv = int(valid.sum())
    if center and nv:
        c = (f_a.mean(axis=0) + f_b.mean(axis=0)) / 2
        f_a, f_b, f_ab = f_a - c, f_b - c, f_ab - c
    if nv < 2:
        nan = np.full((d, y.shape[1]), np.nan)
        return {k: nan for k in ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi")}, nv
    s1, st = _estimate(f_a, f_b, f_ab, np.ones((1, nv)))
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    out = {"S1": s1[0], "ST": st[0]}
    if n_boot > 0:
        counts = rng.multinomial(nv, np.full(nv, 1.0 / nv), size=n_boot)
        b1, bt = _estimate(f_a, f_b, f_ab, counts)
        lo, hi = (1 - conf) / 2, (1 + conf) / 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN targets
            out["S1_lo"], out["S1_hi"] = np.nanquantile(b1, [lo, hi], axis=0)
            out["ST_lo"], out["ST_hi"] = np.nanquantile(bt, [lo, hi], axis=0)
    else:
        for key in ("S1_lo", "S1_hi", "ST_lo", "ST_hi"):
            out[key] = np.full_like(out["S1"], np.nan)
    return out, nv


def sobol(
    func: Callable[[np.ndarray], np.ndarray],
    groups: Sequence[int],
    n: int,
    seed: int | None,
    names: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    n_boot: int = 1000,
    conf: float = 0.9,
    sampler: Sampler = "random",
    center: bool = True,
) -> SobolResult:
    """Sample the Saltelli design, evaluate ``func`` on it and estimate the Sobol indices (one call).

    Parameters
    ----------
    func
        Maps a design ``u (runs, D)`` of U(0, 1) values to outputs ``(runs,)`` or ``(runs, q)``.
    groups
        Number of columns of each input (1 for a scalar input).
    n
        Base sample size N; the model is evaluated N(d + 2) times.
    seed
        Seeds the design and, through a second stream, the bootstrap (same seed → same numbers).
    names, targets
        Input and target names for the table (default ``x1 …`` and ``y1 …``).
    n_boot, conf, sampler, center
        Bootstrap resamples, interval level, ``random`` or ``qmc`` design, centring of y (module docstring).

    Returns
    -------
    SobolResult
        ``table`` with columns ``target, input, S1, S1_lo, S1_hi, ST, ST_lo, ST_hi, note``.

    Examples
    --------
    The Ishigami function (a = 7, b = 0.1; analytic S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244):

    >>> def ishigami(u):
    ...     x = -np.pi + 2 * np.pi * u
    ...     return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    >>> res = sobol(ishigami, [1, 1, 1], n=4096, seed=1, n_boot=200)
    >>> (res.table["S1"].round(1) + 0.0).tolist(), res.table["ST"].round(1).tolist()
    ([0.3, 0.4, 0.0], [0.6, 0.4, 0.2])
    """
    root = np.random.SeedSequence(seed)
    design_seed, boot_seed = (np.random.default_rng(s) for s in root.spawn(2))
    design = saltelli_design(n, groups, design_seed, names, sampler)
    y = np.asarray(func(design.u), dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    labels = tuple(targets) if targets is not None else tuple(f"y{j + 1}" for j in range(y.shape[1]))
    est, nv = sobol_indices(y, design, n_boot=n_boot, conf=conf, seed=boot_seed, center=center)
    table = sobol_table(est, design.names, labels)
    notes = sobol_notes(table, nv)
    table["note"] = _note_column(table, nv)
    return SobolResult(table=table, design=design, outputs=y, targets=labels, n_valid=nv, conf=conf,
                       notes=tuple(notes))


def sobol_table(est: dict[str, np.ndarray], names: Sequence[str], targets: Sequence[str]) -> pd.DataFrame:
    """Long table (one row per target × input) of the estimates."""
    d, q = est["S1"].shape
    frame = pd.DataFrame({
        "target": np.repeat(np.asarray(targets, dtype=object), d),
        "input": np.tile(np.asarray(names, dtype=object), q),
    })
    for key in ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"):
        frame[key] = est[key].T.reshape(-1)
    return frame


def needed_n(n: int, lo: float, hi: float, estimate: float) -> int:
    """Base sample size at which the interval [lo, hi] would shrink to max(|estimate|, 0.01)."""
    half = (hi - lo) / 2
    if not np.isfinite(half) or half <= 0:
        return n
    return math.ceil(n * (half / max(abs(estimate), 0.01)) ** 2)


def _unresolved(row: pd.Series, index: str) -> bool:
    value, lo = row[index], row[f"{index}_lo"]
    return bool(np.isfinite(value) and (value < 0 or (np.isfinite(lo) and lo <= 0)))


def _note_column(table: pd.DataFrame, n: int) -> list[str]:
    notes = []
    for _, row in table.iterrows():  # one row per (target, input): a small table
        parts = []
        for index in ("S1", "ST"):
            if _unresolved(row, index):
                parts.append(f"{index} not resolved (<0 or interval covers 0): treat as 0; N≈"
                             f"{needed_n(n, row[f'{index}_lo'], row[f'{index}_hi'], row[index])} needed")
        notes.append("; ".join(parts))
    return notes


def sobol_notes(table: pd.DataFrame, n: int, main_target: str | None = None) -> list[str]:
    """Readable notes on unresolved indices: each one for ``main_target`` (default the first target),
    and one line per input summarising the other targets."""
    notes: list[str] = []
    if table.empty:
        return notes
    main = main_target if main_target is not None else str(table["target"].iloc[0])
    for _, row in table[table["target"] == main].iterrows():
        for index in ("S1", "ST"):
            if _unresolved(row, index):
                notes.append(f"{index}({row['input']}) for {main} = {row[index]:.3f} "
                             f"[{row[f'{index}_lo']:.3f}, {row[f'{index}_hi']:.3f}]: too few runs; treat as 0 "
                             f"(N ≈ {needed_n(n, row[f'{index}_lo'], row[f'{index}_hi'], row[index])} would "
                             "resolve it)")
    others = table[table["target"] != main]
    if len(others):
        for name, rows in others.groupby("input", sort=False):
            bad = [r for _, r in rows.iterrows() if _unresolved(r, "S1")]
            if bad:
                typical = int(np.median([needed_n(n, r["S1_lo"], r["S1_hi"], r["S1"]) for r in bad]))
                notes.append(f"S1({name}) is unresolved for {len(bad)} of {len(rows)} region targets (<0 or "
                             f"interval covers 0): treat those as 0 (N ≈ {typical} would resolve half of them)")
    return notes


# =========================================================================== leave one out
def leave_one_out_table(nominal_ranks: np.ndarray, dropped_ranks: np.ndarray, regions: Sequence[str],
                        indicators: Sequence[str], years: Sequence[int], node: str) -> pd.DataFrame:
    """Rank shift of every region when each indicator is dropped.

    ``nominal_ranks (T, R)`` and ``dropped_ranks (m, T, R)`` → long table ``node, indicator, year,
    region, nominal, rank, shift`` (shift = rank − nominal; positive = the region falls).
    """
    m, t, r = dropped_ranks.shape
    return pd.DataFrame({
        "node": node,
        "indicator": np.repeat(np.asarray(indicators, dtype=object), t * r),
        "year": np.tile(np.repeat(np.asarray(years), r), m),
        "region": np.tile(np.asarray(regions, dtype=object), m * t),
        "nominal": np.tile(nominal_ranks.reshape(-1), m),
        "rank": dropped_ranks.reshape(-1),
        "shift": (dropped_ranks - nominal_ranks[None]).reshape(-1),
    })


def leave_one_out_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: mean and max absolute rank shift, and how many regions move."""
    shift = table["shift"].abs()
    grouped = table.assign(abs_shift=shift, moved=shift > 0).groupby(["node", "indicator", "year"], sort=False)
    out = grouped.agg(mean_abs_shift=("abs_shift", "mean"), max_abs_shift=("abs_shift", "max"),
                      regions_moved=("moved", "sum")).reset_index()
    return out.sort_values(["node", "year", "mean_abs_shift"], ascending=[True, True, False],
                           kind="stable").reset_index(drop=True)


__all__ = [
    "SOBOL_COLUMNS",
    "SaltelliDesign",
    "SobolResult",
    "leave_one_out_summary",
    "leave_one_out_table",
    "needed_n",
    "saltelli_design",
    "sobol",
    "sobol_indices",
    "sobol_notes",
    "sobol_table",
]
