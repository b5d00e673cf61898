"""The panel: region × year × indicator values as a dense cube, with region metadata.

The numerical core works on ``values`` of shape ``(T, R, m)`` (years × regions × indicators), NaN
where a value is missing.  Pooled operations reshape it to ``(T·R, m)``; by-year operations keep the
leading year axis.  Region codes are strings (GB/T 2260 or ISO3).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Panel:
    """A validated panel.

    Attributes
    ----------
    values : ndarray, shape (T, R, m)
        Indicator values; NaN = missing.
    years : ndarray of int, shape (T,)
    regions : list of str, length R (region codes)
    indicators : list of str, length m (framework indicator codes, in framework order)
    region_meta : DataFrame indexed by region code (names and group columns)
    extra : dict of str → ndarray (T, R)
        Other numeric columns of the data (denominators such as GDP or population).
    notes : list of str
        Comment lines found at the top of the data file (e.g. a SYNTHETIC label), kept as provenance.
    """

    values: np.ndarray
    years: np.ndarray
    regions: list[str]
    indicators: list[str]
    region_meta: pd.DataFrame
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    source: str | None = None
    notes: tuple[str, ...] = ()
    warnings: tuple[Any, ...] = field(default=(), compare=False)
    provenance: tuple[dict[str, Any], ...] = field(default=(), compare=False)

    @property
    def shape(self) -> tuple[int, int, int]:
        t, r, m = self.values.shape
        return int(t), int(r), int(m)

    @property
    def synthetic(self) -> bool:
        """True when the data file declares itself synthetic."""
        return any("synthetic" in note.lower() for note in self.notes)

    def long(self) -> pd.DataFrame:
        """Observed values as a long table ``region, year, indicator, value``."""
        t, r, m = self.values.shape
        frame = pd.DataFrame({
            "region": np.tile(np.repeat(np.asarray(self.regions, dtype=object), m), t),
            "year": np.repeat(self.years, r * m),
            "indicator": np.tile(np.asarray(self.indicators, dtype=object), t * r),
            "value": self.values.reshape(-1),
        })
        return frame[frame["value"].notna()].reset_index(drop=True)

    def wide(self, values: np.ndarray | None = None) -> pd.DataFrame:
        """A ``(region, year) × indicator`` table of ``values`` (default: the panel's own)."""
        cube = self.values if values is None else values
        t, r, m = cube.shape
        index = pd.MultiIndex.from_arrays(
            [np.tile(np.asarray(self.regions, dtype=object), t), np.repeat(self.years, r)],
            names=["region", "year"],
        )
        return pd.DataFrame(cube.reshape(t * r, m), index=index, columns=self.indicators)

    def with_values(self, values: np.ndarray) -> Panel:
        return replace(self, values=values)

    def drop_regions(self, codes: list[str]) -> Panel:
        """The panel without ``codes``."""
        keep = [i for i, c in enumerate(self.regions) if c not in set(codes)]
        return replace(
            self,
            values=self.values[:, keep, :],
            regions=[self.regions[i] for i in keep],
            region_meta=self.region_meta.loc[[self.regions[i] for i in keep]],
            extra={k: v[:, keep] for k, v in self.extra.items()},
        )

    def group_labels(self, column: str) -> pd.Series:
        """The region group column ``column`` aligned to ``regions``."""
        return self.region_meta[column].reindex(self.regions)

    def digest(self) -> str:
        """SHA-256 of the values, keys and extra columns (for manifests)."""
        h = hashlib.sha256()
        h.update(np.ascontiguousarray(self.values).tobytes())
        h.update(np.asarray(self.years).tobytes())
        h.update("\x1f".join(self.regions).encode())
        h.update("\x1f".join(self.indicators).encode())
        for key in sorted(self.extra):
            h.update(key.encode())
            h.update(np.ascontiguousarray(self.extra[key]).tobytes())
        return h.hexdigest()

    def describe(self) -> dict[str, Any]:
        t, r, m = self.shape
        return {
            "regions": r, "years": t, "indicators": m,
            "first_year": int(self.years.min()) if t else None,
            "last_year": int(self.years.max()) if t else None,
            "observed_share": float(np.isfinite(self.values).mean()) if self.values.size else 0.0,
            "synthetic": self.synthetic,
        }
