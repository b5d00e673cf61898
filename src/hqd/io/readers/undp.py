"""UNDP Human Development Report composite-indices time series (``HDR23-24_Composite_indices_…csv``).

One row per country or aggregate: ``iso3, country, hdicode, region`` then ``<indicator>_<year>``
columns (``hdi_1990`` … ``hdi_2022``, ``le_f_2022``, ``hdi_rank_2022`` …).  Regions are the ``iso3``
codes (aggregates are ``ZZA.VHHD`` … ``ZZK.WORLD``, kept and counted); indicators are the column
prefixes.  Names and units of the main indicators follow the HDR 2023/2024 Technical Notes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem, Problems
from hqd.io.readers._source import Source, open_source, parse_cells
from hqd.io.readers.panel import OfficialPanel, build

NAME = "undp"
DESCRIPTION = "UNDP HDR composite indices CSV (iso3, country, <indicator>_<year> columns)"

_COL = re.compile(r"^([a-z][a-z0-9_]*?)_(\d{4})$")
_ISO = re.compile(r"^(?:[A-Z]{3}|ZZ[A-Z]\.[A-Z_]+)$")

#: English names and units of the main HDR indicators (HDR 2023/2024 Technical Notes).
HDR_INDICATORS: dict[str, tuple[str, str]] = {
    "hdi": ("Human Development Index", "index (0-1)"),
    "hdi_rank": ("HDI rank", "rank"),
    "le": ("Life expectancy at birth", "years"),
    "eys": ("Expected years of schooling", "years"),
    "mys": ("Mean years of schooling", "years"),
    "gnipc": ("Gross national income per capita", "2017 PPP $"),
    "gni_pc": ("Gross national income per capita", "2017 PPP $"),
    "gdi": ("Gender Development Index", "ratio"),
    "ihdi": ("Inequality-adjusted Human Development Index", "index (0-1)"),
    "gii": ("Gender Inequality Index", "index (0-1)"),
    "phdi": ("Planetary pressures-adjusted Human Development Index", "index (0-1)"),
    "co2_prod": ("Carbon dioxide emissions per capita (production)", "t CO2 per capita"),
    "mf": ("Material footprint per capita", "t per capita"),
    "coef_ineq": ("Coefficient of human inequality", "%"),
    "loss": ("Overall loss in HDI due to inequality", "%"),
    "ineq_le": ("Inequality in life expectancy", "%"),
    "ineq_edu": ("Inequality in education", "%"),
    "ineq_inc": ("Inequality in income", "%"),
}
_SEX = {"_f": "female", "_m": "male"}


def _header(source: Source) -> list[str] | None:
    if not source.sheets or not source.sheets[0].rows:
        return None
    sheet = source.sheets[0]
    labels = [sheet.text(0, j) for j in range(len(sheet.rows[0]))]
    return labels if "iso3" in labels else None


def sniff(source: Source) -> bool:
    """True when the first row has ``iso3`` and at least three ``<indicator>_<year>`` columns."""
    labels = _header(source)
    return labels is not None and sum(bool(_COL.match(c)) for c in labels) >= 3


def _name(code: str) -> tuple[str, str]:
    for suffix, sex in _SEX.items():
        if code.endswith(suffix) and code[: -len(suffix)] in HDR_INDICATORS:
            name, unit = HDR_INDICATORS[code[: -len(suffix)]]
            return f"{name}, {sex}", unit
    return HDR_INDICATORS.get(code, ("", ""))


def read(
    path: str | Path,
    *,
    encoding: str | None = None,
    indicators: list[str] | None = None,
    indicator_codes: Mapping[str, str] | None = None,
    source: Source | None = None,
    **_: Any,
) -> OfficialPanel:
    """Read the HDR composite-indices CSV.

    ``indicators`` keeps only these HDR codes (e.g. ``["hdi", "le", "eys", "mys", "gnipc"]``);
    ``indicator_codes`` renames them.  Empty cells are missing (counted).
    """
    src = source or open_source(path, encoding=encoding)
    path = Path(path)
    labels = _header(src)
    if labels is None:
        raise HqdError([Problem("undp_header_missing", "the first row has no 'iso3' column", file=path.name)])
    problems = Problems(context={"file": path.name})
    sh = src.sheets[0]
    iso_col = labels.index("iso3")
    cols = [(j, m.group(1), int(m.group(2))) for j, c in enumerate(labels) if (m := _COL.match(c))]
    if indicators is not None:
        unknown = sorted(set(indicators) - {c for _, c, _ in cols})
        if unknown:
            valid = ", ".join(sorted({c for _, c, _ in cols}))
            raise HqdError(
                [
                    Problem(
                        "unknown_indicator",
                        f"no HDR indicator {unknown[0]!r}; valid: {valid}",
                        file=path.name,
                    )
                ]
            )
        cols = [c for c in cols if c[1] in set(indicators)]
    rows = [k for k in range(1, len(sh.rows)) if sh.nonempty(k)]
    isos = [sh.text(k, iso_col) for k in rows]
    for k, iso in zip(rows, isos, strict=True):
        if not _ISO.match(iso):
            problems.error(
                "region_code_invalid",
                f"iso3 {iso!r} is not an ISO 3166 alpha-3 code or HDR aggregate",
                row=sh.row_numbers[k],
                column="iso3",
            )
    problems.raise_if_errors()
    frame = pd.DataFrame(
        [[r[j] if j < len(r) else None for j, _, _ in cols] for r in (sh.rows[k] for k in rows)], dtype=object
    )
    cells = frame.to_numpy(dtype=object).ravel()
    parsed = parse_cells(list(cells))
    n_rows, n_cols = len(rows), len(cols)
    r_arr = np.repeat(np.arange(n_rows), n_cols)
    c_arr = np.tile(np.arange(n_cols), n_rows)
    for n in np.flatnonzero(parsed.bad):
        problems.error(
            "non_numeric",
            f"{cells[n]!r} is neither a number nor a placeholder",
            row=sh.row_numbers[rows[r_arr[n]]],
            column=labels[cols[c_arr[n]][0]],
        )
    problems.raise_if_errors()
    codes = {c: (indicator_codes or {}).get(c, c) for _, c, _ in cols}
    names = {codes[c]: ("", _name(c)[0]) for _, c, _ in cols}
    units = {codes[c]: _name(c)[1] for _, c, _ in cols}
    records = pd.DataFrame(
        {
            "region_name": np.asarray(isos, dtype=object)[r_arr],
            "year": np.asarray([y for _, _, y in cols], dtype=int)[c_arr],
            "indicator": np.asarray([codes[c] for _, c, _ in cols], dtype=object)[c_arr],
            "value": parsed.values,
            "file": path.name,
            "sheet": None,
            "row": np.asarray([sh.row_numbers[k] for k in rows], dtype=int)[r_arr],
            "column": np.asarray([labels[j] for j, _, _ in cols], dtype=object)[c_arr],
        }
    )
    aggregates = sum(iso.startswith("ZZ") for iso in isos)
    provenance: dict[str, Any] = {
        "label": "UNDP HDR composite indices",
        "format": NAME,
        "file": path.name,
        "kind": src.kind,
        "encoding": src.encoding,
        "header": [f"{len(labels)} columns"],
        "notes": [f"{aggregates} aggregate rows (iso3 ZZ…) kept"] if aggregates else [],
        "source_line": None,
        "placeholders": parsed.placeholder_counts,
        "footnoted": 0,
    }
    return build(
        records,
        units=units,
        names=names,
        provenance=provenance,
        problems=problems,
        level=None,
        aliases=None,
        resolve_regions=False,
    )
