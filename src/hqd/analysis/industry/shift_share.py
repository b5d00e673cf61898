"""Shift-share decomposition of regional growth: national, industry-mix and competitive effects.

Classic (comparative-static, Dunn 1960) on two years, and dynamic (Barff & Knight 1988) as the sum of
the classic decomposition run year by year with each year's own base, which removes the drift of the
industry mix over a long period.  Arrays are (…, regions, industries) for one year; the dynamic form
takes (…, years, regions, industries) — years on the leading axis, as every HQD method keeps
(observations, variables) last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hqd.analysis.industry._check import reference_row, same_shape, table

Labels = Sequence[str] | None

COMPONENTS: tuple[str, ...] = ("national", "industry_mix", "competitive")


@dataclass(frozen=True)
class ShiftShareResult:
    """Components of the change from the start to the end, each (…, regions, industries).

    ``national + industry_mix + competitive == change`` exactly (up to floating point); ``expected``
    is the end value if each cell had grown like its reference industry (``start + national +
    industry_mix``).  ``growth_total`` and ``growth_industry`` are the reference's rates.  For the
    dynamic form the components are sums over the yearly steps and ``steps`` holds each step.
    """

    start: np.ndarray
    end: np.ndarray
    national: np.ndarray
    industry_mix: np.ndarray
    competitive: np.ndarray
    growth_total: np.ndarray
    growth_industry: np.ndarray
    variant: str = "classic"
    steps: tuple[ShiftShareResult, ...] = ()

    @property
    def change(self) -> np.ndarray:
        return self.end - self.start

    @property
    def expected(self) -> np.ndarray:
        return self.start + self.national + self.industry_mix

    def to_frame(self, regions: Sequence[str], industries: Sequence[str]) -> pd.DataFrame:
        """Tidy table (2-D results): region, industry, start, end, change and the three effects."""
        r = np.repeat(np.asarray(regions, dtype=object), len(industries))
        i = np.tile(np.asarray(industries, dtype=object), len(regions))
        return pd.DataFrame(
            {
                "region": r,
                "industry": i,
                "start": self.start.ravel(),
                "end": self.end.ravel(),
                "change": self.change.ravel(),
                "national": self.national.ravel(),
                "industry_mix": self.industry_mix.ravel(),
                "competitive": self.competitive.ravel(),
            }
        )


def _rate(end: np.ndarray, start: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(start > 0, end / np.where(start > 0, start, 1.0) - 1.0, np.nan)


def shift_share(
    start: object,
    end: object,
    reference_start: object | None = None,
    reference_end: object | None = None,
    *,
    regions: Labels = None,
    industries: Labels = None,
) -> ShiftShareResult:
    """Classic shift-share decomposition of each region-industry cell's change.

    .. math::

        \\Delta x_{ri} = \\underbrace{x^0_{ri} G}_{national}
        + \\underbrace{x^0_{ri} (g_i - G)}_{industry\\ mix}
        + \\underbrace{x^0_{ri} (r_{ri} - g_i)}_{competitive}

    with :math:`G` the reference's total growth rate, :math:`g_i` its growth rate in industry i and
    :math:`r_{ri}` the cell's own.  The reference (``reference_start``/``reference_end``, one value
    per industry, e.g. the nation) defaults to the sum of the regions of the table.

    Policy: NaN/inf/negative cells are errors and ``start``/``end`` must have one shape
    (``shape_mismatch``).  A cell with start 0 has national and mix effects 0 and all its change in
    the competitive effect (its own rate is undefined); a reference industry with start 0 gives NaN
    for that industry's mix and competitive effects.

    References: Dunn, E. S. (1960) A statistical and analytical technique for regional analysis,
    *Papers of the Regional Science Association* 6: 97–112; Stevens, B. H. & Moore, C. L. (1980) A
    critical review of the literature on shift-share as a forecasting technique, *Journal of Regional
    Science* 20(4): 419–437.

    Replicates G. Krumme's *Shift & Share Table* (University of Washington, Geography 350),
    "Holukuluku" 1985–1995: regional employment 500, 100, 200, 200 → 1000, 100, 250, 280 with
    national growth 29 % and industry growth 10/20/30/40 %: national effect 290, industry mix −80
    (−95, −9, 2, 22), competitive 420 (450, −20, −10, 0), total change 630.
    """
    x0 = table(start, "start", regions=regions, industries=industries)
    x1 = table(end, "end", regions=regions, industries=industries)
    same_shape(x0, x1, ("start", "end"))
    if (reference_start is None) != (reference_end is None):
        from hqd.errors import HqdError, Problem

        raise HqdError([Problem("missing_reference", "give both reference_start and reference_end, or neither")])
    if reference_start is None:
        n0, n1 = x0.sum(axis=-2), x1.sum(axis=-2)
    else:
        n0 = reference_row(reference_start, x0, "reference_start")
        n1 = reference_row(reference_end, x0, "reference_end")
    g_tot = _rate(n1.sum(axis=-1), n0.sum(axis=-1))[..., None, None]
    g_ind = _rate(n1, n0)[..., None, :]
    national = x0 * g_tot
    mix = x0 * (g_ind - g_tot)
    competitive = (x1 - x0) - national - mix
    return ShiftShareResult(x0, x1, national, mix, competitive, g_tot[..., 0, 0], g_ind[..., 0, :])


def dynamic_shift_share(
    x: object,
    reference: object | None = None,
    *,
    regions: Labels = None,
    industries: Labels = None,
) -> ShiftShareResult:
    """Dynamic (annual, chained) shift-share: the classic decomposition of every consecutive pair of
    years, summed.

    .. math::

        E = \\sum_{t=1}^{T} x^{t-1}_{ri} G^{t}, \\quad
        M = \\sum_{t} x^{t-1}_{ri} (g^{t}_i - G^{t}), \\quad
        C = \\sum_{t} x^{t-1}_{ri} (r^{t}_{ri} - g^{t}_i)

    ``x`` is (…, years, regions, industries) in year order; ``reference`` (optional) is (…, years,
    industries).  The components still sum to :math:`x^T - x^0`; with two years the result equals
    :func:`shift_share`.  ``steps`` keeps each year's decomposition.

    Policy: as :func:`shift_share`, per step; at least two years are needed (``invalid_shape``).

    Reference: Barff, R. A. & Knight, P. L. (1988) Dynamic shift-share analysis, *Growth and Change*
    19(2): 1–10.

    Replicates: on Krumme's Holukuluku table with the 1995 values as the only step, the classic
    numbers (national 290, mix −80, competitive 420).
    """
    arr = table(x, "x", regions=regions, industries=industries, min_ndim=3)
    if arr.shape[-3] < 2:
        from hqd.errors import HqdError, Problem

        raise HqdError([Problem("invalid_shape", f"dynamic shift-share needs ≥ 2 years; got {arr.shape[-3]}")])
    ref = None if reference is None else np.asarray(reference, dtype=float)
    steps = []
    for t in range(1, arr.shape[-3]):  # a loop over years only: each step is one vectorised call
        r0 = None if ref is None else ref[..., t - 1, :]
        r1 = None if ref is None else ref[..., t, :]
        steps.append(shift_share(arr[..., t - 1, :, :], arr[..., t, :, :], r0, r1,
                                 regions=regions, industries=industries))
    return ShiftShareResult(
        arr[..., 0, :, :],
        arr[..., -1, :, :],
        sum((s.national for s in steps), start=np.zeros_like(arr[..., 0, :, :])),
        sum((s.industry_mix for s in steps), start=np.zeros_like(arr[..., 0, :, :])),
        sum((s.competitive for s in steps), start=np.zeros_like(arr[..., 0, :, :])),
        np.stack([s.growth_total for s in steps], axis=-1),
        np.stack([s.growth_industry for s in steps], axis=-2),
        variant="dynamic",
        steps=tuple(steps),
    )
