"""Denomination (per-capita, per-GDP …): divide an indicator by a denominator column before any other step.

COINr's ``Denominate`` (Becker et al. 2017 use per-capita and per-GDP forms throughout the ASEM index):
``x′ = x / D · s`` with D the denominator (a data column or another indicator) and s a scale (e.g. 10,000
for "per 10,000 people").  A zero denominator gives a missing value (not ±inf); a missing one stays
missing.  Which column divides which indicator comes from the framework's ``denominator`` column or the
recipe's ``denominators`` mapping; the pipeline gathers the ``(…, n, k)`` block of denominators.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from hqd.methods._arrays import FloatArray
from hqd.methods.catalog import REQUIRED, Param, Properties, register


@register("denominate", "none", properties=Properties(noop=True))
def none(x: ArrayLike) -> FloatArray:
    """No denomination: the values as given.

    Examples
    --------
    >>> none([[2.0, 3.0]]).tolist()
    [[2.0, 3.0]]
    """
    return np.asarray(x, dtype=float)


@register(
    "denominate",
    "divide",
    keys={"scale": Param(float, 1.0, "multiplier applied after dividing"),
          "denominators": Param(dict, None, "indicator → denominator column; overrides the framework"),
          "scales": Param(dict, None, "indicator → multiplier; overrides `scale` for that indicator")},
    draws={"den": "framework.denominator (or the recipe's denominators) as data columns",
           "factor": "the recipe's scale (or scales, per indicator)"},
    den=Param(list, REQUIRED, "denominators, broadcastable to x", kind="data"),
    factor=Param(list, REQUIRED, "multiplier per indicator", kind="data"),
)
def divide(x: ArrayLike, den: ArrayLike, factor: ArrayLike) -> FloatArray:
    """x ← x / D · scale, D the indicator's `denominator` column (framework) or a mapping.

    Formula
        ``x′ = x / D · s`` elementwise; ``D = 0`` gives NaN (not ±inf), NaN stays NaN.

    Examples
    --------
    >>> divide([[10.0, 4.0]], [[2.0, 0.0]], factor=100).tolist()
    [[500.0, nan]]
    """
    xa = np.asarray(x, dtype=float)
    da = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(da == 0, np.nan, xa / da * np.asarray(factor, dtype=float))
