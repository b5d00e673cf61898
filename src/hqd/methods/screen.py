"""Screening of units by data availability (COINr ``Screen``, ``unit_screen = "byNA"``).

A unit whose share of observed indicator values is below a threshold is left out before imputation's
results are used: by region over all years (the region is removed) or by region-year (that region's year
has no values).  The functions return the availability shares; the pipeline drops the units.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from hqd.methods._arrays import FloatArray
from hqd.methods.catalog import Param, Properties, register


@register("screen", "none", properties=Properties(noop=True))
def none(x: ArrayLike) -> FloatArray:
    """No screening: every unit is kept (availability 1).

    Examples
    --------
    >>> none([[[1.0, np.nan]]]).tolist()
    [[1.0]]
    """
    arr = np.asarray(x, dtype=float)
    return np.ones(arr.shape[:-1])


@register(
    "screen",
    "availability",
    keys={"threshold": Param(float, 0.9, "minimum share of observed values to keep a unit"),
          "by": Param(str, "region", "'region' (over all years: drop the region) or 'region_year' (drop that "
                      "region's year)", choices=("region", "region_year"))},
)
def availability(x: ArrayLike) -> FloatArray:
    """Drop units whose share of non-missing indicator values is below `threshold` (COINr `byNA`).

    Formula
        ``a_tr = (1/m) Σ_j 1[x_trj observed]`` per region-year over the indicators (the last axis) of a
        ``(T, R, m)`` cube; the pipeline averages over years for ``by: region``.

    Examples
    --------
    >>> availability([[[1.0, np.nan], [2.0, 3.0]]]).tolist()
    [[0.5, 1.0]]
    """
    return np.isfinite(np.asarray(x, dtype=float)).mean(axis=-1)
