"""Input–output linkages from a supplied IO table: Leontief inverse, backward/forward linkages,
Rasmussen's power and sensitivity of dispersion, and key sectors.

The inverse is computed with :func:`numpy.linalg.inv` on :math:`(I - A)` (LAPACK LU, ``getrf``/``getri``)
— no hand-written inversion; batches of tables (leading axes) are inverted in one call.  (``inv`` is
faster here than ``solve(I - A, I)``, which the tests use as the oracle.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem, Problems

Labels = Sequence[str] | None


@dataclass(frozen=True)
class IOLinkages:
    """Linkage measures of every sector of an IO table (arrays over the sector axis, last).

    ``A`` technical coefficients, ``L`` Leontief inverse, ``B`` allocation (output) coefficients and
    ``G`` the Ghosh inverse (when the table gave ``Z`` and ``x``; NaN arrays otherwise).
    """

    A: np.ndarray
    L: np.ndarray
    B: np.ndarray
    G: np.ndarray
    direct_backward: np.ndarray
    direct_forward: np.ndarray
    total_backward: np.ndarray
    total_forward: np.ndarray
    ghosh_forward: np.ndarray
    power_of_dispersion: np.ndarray
    sensitivity_of_dispersion: np.ndarray

    @property
    def key_sectors(self) -> np.ndarray:
        """True where both Rasmussen indices exceed 1 (关键部门, Hirschman's key sector)."""
        return (self.power_of_dispersion > 1) & (self.sensitivity_of_dispersion > 1)

    def to_frame(self, sectors: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per sector (2-D tables only): the linkage measures and the key-sector flag."""
        n = self.A.shape[-1]
        return pd.DataFrame(
            {
                "sector": list(sectors) if sectors is not None else [f"#{k}" for k in range(n)],
                "direct_backward": self.direct_backward,
                "direct_forward": self.direct_forward,
                "total_backward": self.total_backward,
                "total_forward": self.total_forward,
                "ghosh_forward": self.ghosh_forward,
                "power_of_dispersion": self.power_of_dispersion,
                "sensitivity_of_dispersion": self.sensitivity_of_dispersion,
                "key_sector": self.key_sectors,
            }
        )


def _square(m: np.ndarray, name: str) -> None:
    if m.ndim < 2 or m.shape[-1] != m.shape[-2]:
        raise HqdError([Problem("invalid_shape", f"{name} must be square (…, n, n); got shape {m.shape}")])


def technical_coefficients(Z: object, x: object, *, sectors: Labels = None) -> np.ndarray:
    """Technical coefficients :math:`a_{ij} = z_{ij} / x_j` from flows ``Z`` (…, n, n) and output ``x`` (…, n).

    Policy: NaN/inf/negative flows or outputs are errors; a sector with output 0 is an
    ``io_output_zero`` error (its column is undefined).  Reference: Miller & Blair (2009) §2.2.
    Replicates Miller & Blair Table 2.3: Z = [[150, 500], [200, 100]], x = [1000, 2000] →
    A = [[0.15, 0.25], [0.20, 0.05]].
    """
    z = np.asarray(Z, dtype=float)
    out = np.asarray(x, dtype=float)
    _square(z, "Z")
    problems = Problems()
    if out.shape != z.shape[:-1]:
        problems.error("shape_mismatch", f"x must have shape {z.shape[:-1]} (one output per sector); got {out.shape}")
        problems.raise_if_errors()
    labels = list(sectors) if sectors is not None else [f"#{k}" for k in range(z.shape[-1])]
    for idx in np.argwhere(~np.isfinite(z) | (z < 0))[:20]:
        problems.error("negative_value", f"Z[{labels[idx[-2]]}, {labels[idx[-1]]}] = {float(z[tuple(idx)])!r} "
                       "must be finite and ≥ 0", indicator=labels[idx[-1]])
    for idx in np.argwhere(~np.isfinite(out) | (out <= 0))[:20]:
        problems.error("io_output_zero", f"total output of sector {labels[idx[-1]]} is {float(out[tuple(idx)])!r}; "
                       "technical coefficients divide by it (drop the sector or fix the table)",
                       indicator=labels[idx[-1]])
    problems.raise_if_errors()
    return z / out[..., None, :]


def leontief_inverse(A: object, *, sectors: Labels = None, tol: float = 1e-12) -> np.ndarray:
    """Leontief inverse :math:`L = (I - A)^{-1}` of technical coefficients ``A`` (…, n, n).

    Computed with :func:`numpy.linalg.inv` (LAPACK LU), batched over leading axes.  Each :math:`l_{ij}` is the output of
    sector i needed per unit of final demand for sector j.

    Policy: NaN/inf/negative coefficients are errors.  ``io_leontief_singular``: :math:`I - A` is
    singular (or its 1-norm condition number, from L itself, exceeds 1/``tol``) — no unique solution
    exists.  ``io_not_productive``: the spectral radius of A is ≥ 1 (Hawkins–Simon fails), detected as
    a negative entry of L (for A ≥ 0, L ≥ 0 exactly when the spectral radius is < 1), so L would be
    meaningless.  Both name the batch position for stacked tables.

    Reference: Miller, R. E. & Blair, P. D. (2009) *Input–Output Analysis: Foundations and
    Extensions*, 2nd ed., Cambridge University Press, §2.3.

    Replicates Miller & Blair §2.3 (Table 2.3 example): A = [[0.15, 0.25], [0.20, 0.05]] →
    L = [[1.254, 0.330], [0.264, 1.122]] (exactly [[0.95, 0.25], [0.20, 0.85]] / 0.7575).
    """
    a = np.asarray(A, dtype=float)
    _square(a, "A")
    labels = list(sectors) if sectors is not None else [f"#{k}" for k in range(a.shape[-1])]
    problems = Problems()
    for idx in np.argwhere(~np.isfinite(a) | (a < 0))[:20]:
        problems.error("negative_value", f"A[{labels[idx[-2]]}, {labels[idx[-1]]}] = {float(a[tuple(idx)])!r} "
                       "must be finite and ≥ 0", indicator=labels[idx[-1]])
    problems.raise_if_errors()
    eye = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    m = eye - a
    try:
        inv = np.linalg.inv(m)
        # 1-norm condition number from the inverse just computed: O(n²), no SVD
        cond = np.linalg.norm(m, 1, axis=(-2, -1)) * np.linalg.norm(inv, 1, axis=(-2, -1))
    except np.linalg.LinAlgError:  # an exactly singular table somewhere in the batch
        inv = None
        cond = np.where(np.linalg.det(m) == 0, np.inf, np.linalg.cond(m))
    cond = np.atleast_1d(cond)
    for idx in np.argwhere(~np.isfinite(cond) | (cond > 1 / tol)):
        at = f" (table {tuple(int(v) for v in idx)})" if a.ndim > 2 else ""
        problems.error("io_leontief_singular", f"I - A is singular{at}: condition number "
                       f"{cond[tuple(idx)]:.3g}; some sector's inputs exactly exhaust its output")
    problems.raise_if_errors()
    assert inv is not None  # solve only fails on singular tables, reported above
    # For A ≥ 0, (I - A)^-1 exists and is ≥ 0 exactly when the spectral radius of A is < 1
    # (Hawkins–Simon); a negative entry therefore means the economy is not productive.
    scale = np.maximum(1.0, np.abs(inv).max(axis=(-2, -1)))
    bad = np.atleast_1d((inv < -1e-9 * scale[..., None, None]).any(axis=(-2, -1)))
    if not bad.any():
        return inv
    rho = np.abs(np.linalg.eigvals(a[bad.reshape(a.shape[:-2])] if a.ndim > 2 else a[None])).max(axis=-1)
    for k, idx in enumerate(np.argwhere(bad)):
        at = f" (table {tuple(int(v) for v in idx)})" if a.ndim > 2 else ""
        problems.error("io_not_productive", f"the spectral radius of A is {rho[k]:.4g} ≥ 1{at}: the economy "
                       "cannot meet any final demand (Hawkins–Simon condition fails)")
    problems.raise_if_errors()
    return inv


def io_linkages(
    A: object | None = None,
    *,
    Z: object | None = None,
    x: object | None = None,
    sectors: Labels = None,
) -> IOLinkages:
    """Backward and forward linkages and Rasmussen indices from ``A``, or from flows ``Z`` and output ``x``.

    .. math::

        BL^{d}_j = \\sum_i a_{ij}, \\quad FL^{d}_i = \\sum_j b_{ij} = \\sum_j z_{ij}/x_i, \\quad
        BL_j = \\sum_i l_{ij}, \\quad FL_i = \\sum_j l_{ij}, \\quad FL^{G}_i = \\sum_j g_{ij}

        U_j = \\frac{BL_j / n}{\\sum_{ij} l_{ij} / n^2}\\ (\\text{power of dispersion}), \\qquad
        U_i^{*} = \\frac{FL_i / n}{\\sum_{ij} l_{ij} / n^2}\\ (\\text{sensitivity of dispersion})

    with :math:`L = (I - A)^{-1}` and the Ghosh inverse :math:`G = (I - B)^{-1}`.  A sector with both
    indices > 1 is a key sector.  Miller & Blair (2009, ch. 12) discuss the Ghosh row sums
    :math:`FL^G` for total forward linkage; the Rasmussen sensitivity index uses the Leontief rows, as
    in Rasmussen (1956) and most Chinese IO studies (影响力系数 / 感应度系数) — both are returned.

    Policy: as :func:`technical_coefficients` and :func:`leontief_inverse`; with ``A`` alone the
    allocation measures (``B``, ``G``, direct and Ghosh forward) are NaN, since they need ``Z`` and
    ``x``.  Give either ``A`` or both ``Z`` and ``x`` (``invalid_io_input``).

    References: Rasmussen, P. N. (1956) *Studies in Inter-Sectoral Relations*, Amsterdam:
    North-Holland; Miller & Blair (2009) *Input–Output Analysis*, 2nd ed., ch. 12; Hirschman, A. O.
    (1958) *The Strategy of Economic Development*.

    Replicates Miller & Blair Table 2.3 (Z = [[150, 500], [200, 100]], x = [1000, 2000]): direct
    backward 0.35, 0.30; direct forward 0.65, 0.15; total backward 1.5182, 1.4521; power of dispersion
    1.0222, 0.9778; sensitivity 1.0667, 0.9333.
    """
    if (A is None) == (Z is None) or (Z is None) != (x is None):
        raise HqdError([Problem("invalid_io_input", "give A, or both Z and x (flows and total output)")])
    if A is None:
        a = technical_coefficients(Z, x, sectors=sectors)
        z = np.asarray(Z, dtype=float)
        out = np.asarray(x, dtype=float)
        b = z / out[..., :, None]
        g = leontief_inverse(b, sectors=sectors)  # same checks: I - B must be invertible
    else:
        a = np.asarray(A, dtype=float)
        b = np.full_like(a, np.nan)
        g = np.full_like(a, np.nan)
    lmat = leontief_inverse(a, sectors=sectors)
    n = a.shape[-1]
    col = lmat.sum(axis=-2)
    row = lmat.sum(axis=-1)
    mean_all = lmat.sum(axis=(-2, -1))[..., None] / n**2
    return IOLinkages(
        A=a,
        L=lmat,
        B=b,
        G=g,
        direct_backward=a.sum(axis=-2),
        direct_forward=b.sum(axis=-1),
        total_backward=col,
        total_forward=row,
        ghosh_forward=g.sum(axis=-1),
        power_of_dispersion=(col / n) / mean_all,
        sensitivity_of_dispersion=(row / n) / mean_all,
    )
