"""Bundled geography facts of the 13 Jing-Jin-Ji cities: who borders whom, and a point per city.

No boundaries are shipped (publishable Chinese maps need the official standard map and its review
number).  Two small hand-written tables, each citing its public sources in its header:

* ``data/jjj_contiguity.csv`` — the 24 pairs of cities that share a land border;
* ``data/jjj_city_centres.csv`` — a published lon/lat point per city (mostly the municipal
  government), for distance weights and map labels.

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
