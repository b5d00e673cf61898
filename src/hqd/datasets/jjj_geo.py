"""Bundled geography facts of the 13 Jing-Jin-Ji cities: who borders whom, and a point per city.

No boundaries are shipped (publishable Chinese maps need the official standard map and its review
number).  Two small hand-written tables, each citing its public sources in its header:

* ``data/jjj_contiguity.csv`` — the 24 pairs of cities that share a land border;
* ``data/jjj_city_centres.csv`` — a published lon/lat point per city (mostly the municipal
  government), for distance weights and map labels;
* ``data/jjj_functional_zones.csv`` — the four functional zones (四区) of the 《京津冀协同发展规划纲要》
  (2015), the bundled grouping of the 13 cities for Theil and Dagum decompositions (the province
  grouping has groups of 1, 1 and 11 cities and forces Dagum's transvariation term to zero).

With them, Moran's I and the dashboard maps work without any boundary file.
"""

from __future__ import annotations

from pathlib import Path

import libpysal
import pandas as pd

from hqd.errors import HqdError, Problems
from hqd.model.regions import JJJ_CITIES

DATA = Path(__file__).with_name("data")
CONTIGUITY_FILE = DATA / "jjj_contiguity.csv"
CENTRES_FILE = DATA / "jjj_city_centres.csv"
ZONES_FILE = DATA / "jjj_functional_zones.csv"

#: The zones in the Outline's order (Chinese labels are the keys; English in the table).
ZONES: tuple[str, ...] = ("中部核心功能区", "东部滨海发展区", "南部功能拓展区", "西北部生态涵养区")

CITY_CODES: tuple[str, ...] = tuple(city.code for city in JJJ_CITIES)


def contiguity_table() -> pd.DataFrame:
    """The bundled neighbour pairs: ``code_a, code_b, name_a, name_b, sources`` (one row per pair)."""
    table = pd.read_csv(CONTIGUITY_FILE, comment="#", dtype=str)
    problems = Problems({"file": CONTIGUITY_FILE.name})
    for row, (a, b) in enumerate(zip(table["code_a"], table["code_b"], strict=True), start=2):
        for code in (a, b):
            if code not in CITY_CODES:
                problems.error(
                    "region_unmatched", "not one of the 13 Jing-Jin-Ji cities", row=row, region=code
                )
        if a == b:
            problems.error("matrix_diagonal", "a city cannot border itself", row=row, region=a)
    problems.raise_if_errors()
    return table


def city_centres() -> pd.DataFrame:
    """The bundled city points: ``code, name_zh, name_en, lon, lat, point, source``."""
    return pd.read_csv(CENTRES_FILE, comment="#", dtype={"code": str})


def functional_zones_table() -> pd.DataFrame:
    """The bundled zone table: ``code, name_zh, zone_zh, zone_en, source, note`` (13 rows, sources in
    the file header)."""
    table = pd.read_csv(ZONES_FILE, comment="#", dtype=str, keep_default_na=False)
    problems = Problems({"file": ZONES_FILE.name})
    for row, (code, zone) in enumerate(zip(table["code"], table["zone_zh"], strict=True), start=2):
        if code not in CITY_CODES:
            problems.error("region_unmatched", "not one of the 13 Jing-Jin-Ji cities", row=row, region=code)
        if zone not in ZONES:
            problems.error("unknown_group", f"zone {zone!r} is not among {', '.join(ZONES)}", row=row, region=code)
    for code in sorted(set(CITY_CODES) - set(table["code"])):
        problems.error("region_without_group", "city has no functional zone", region=code)
    problems.raise_if_errors()
    return table


def functional_zones(language: str = "zh") -> dict[str, str]:
    """City code → functional zone of the 《京津冀协同发展规划纲要》 (``language`` ``"zh"`` or ``"en"``).

    Pass it with ``group_order=zone_order(language)`` to :func:`hqd.analysis.dagum_gini` or
    :func:`hqd.analysis.theil`.
    """
    if language not in ("zh", "en"):
        raise HqdError(f"unknown language {language!r}; valid: zh, en", code="unknown_option")
    table = functional_zones_table()
    return dict(zip(table["code"], table[f"zone_{language}"], strict=True))


def zone_order(language: str = "zh") -> list[str]:
    """The four zones in the Outline's order, in ``language``."""
    if language == "zh":
        return list(ZONES)
    table = functional_zones_table()
    names = dict(zip(table["zone_zh"], table["zone_en"], strict=True))
    return [names[z] for z in ZONES]


def neighbours() -> dict[str, list[str]]:
    """Each city's neighbours (codes), in the order of :data:`hqd.model.regions.JJJ_CITIES`."""
    table = contiguity_table()
    out: dict[str, list[str]] = {code: [] for code in CITY_CODES}
    for a, b in zip(table["code_a"], table["code_b"], strict=True):
        out[a].append(b)
        out[b].append(a)
    return {code: sorted(found, key=CITY_CODES.index) for code, found in out.items()}


def contiguity_weights() -> libpysal.weights.W:
    """Binary contiguity weights (a libpysal ``W``) of the 13 cities, ids = GB/T 2260 codes.

    Row-standardise with :func:`hqd.analysis.spatial.row_standardise` (``morans_i`` does it by
    default).  Every city has at least one neighbour, so there are no islands.
    """
    found = neighbours()
    islands = [code for code, near in found.items() if not near]
    if islands:  # a broken bundled table must never give a silently wrong W
        raise HqdError(f"bundled contiguity table leaves islands: {', '.join(islands)}", code="islands")
    return libpysal.weights.W(found, id_order=list(CITY_CODES), silence_warnings=True)
