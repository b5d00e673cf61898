"""World Bank WDI downloads: the API/Data Catalog CSV and the DataBank export.

API / Data Catalog CSV (``API_<code>_DS2_en_csv_v2_….csv``): four metadata lines, then the table::

    "Data Source","World Development Indicators",
    (blank)
    "Last Updated Date","2024-06-28",
    (blank)
    "Country Name","Country Code","Indicator Name","Indicator Code","1960",…,"2023",

DataBank export: ``Country Name, Country Code, Series Name, Series Code, 2000 [YR2000], …`` with ``..``
for missing values and footer lines ``Data from database: …`` / ``Last Updated: …``.

Regions are the ISO 3166 alpha-3 codes of the ``Country Code`` column, kept as they are (World Bank
aggregates such as ``WLD`` or ``EAS`` are kept too: the file does not mark them; the Metadata_Country
file of the same download does).  The unit is the parenthesised end of the indicator name
(``GDP (current US$)`` → ``current US$``).
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
from hqd.io.readers.units import split_label

NAME = "worldbank"
DESCRIPTION = (
    "World Bank WDI CSV (4 metadata lines; Country Name/Code, Indicator Name/Code, years) or DataBank export"
)

_YEAR = re.compile(r"^(\d{4})(?:\s*\[YR\d{4}\])?$")
_CODE = re.compile(r"^[A-Z0-9]{3}$")


def _header_row(source: Source) -> int | None:
    sheet = source.sheets[0]
    for i in range(min(8, len(sheet.rows))):
        cells = [sheet.text(i, j) for j in range(len(sheet.rows[i]))]
        if "Country Code" in cells and ("Indicator Code" in cells or "Series Code" in cells):
            return i
    return None


def sniff(source: Source) -> bool:
    """True when a row near the top has Country Code and Indicator Code (or Series Code)."""
    return bool(source.sheets) and _header_row(source) is not None


def read(
    path: str | Path,
    *,
    encoding: str | None = None,
    indicator_codes: Mapping[str, str] | None = None,
    source: Source | None = None,
    **_: Any,
) -> OfficialPanel:
    """Read a WDI CSV or DataBank export.

    ``indicator_codes`` maps WDI codes (``NY.GDP.MKTP.CD``) to HQD codes; default: the WDI code.
    Missing-value policy: empty cells and ``..`` are missing (counted); other non-numbers are errors.
    """
    src = source or open_source(path, encoding=encoding)
    path = Path(path)
    problems = Problems(context={"file": path.name})
    head = _header_row(src)
    if head is None:
        raise HqdError(
            [
                Problem(
                    "worldbank_header_missing",
                    "no 'Country Code' / 'Indicator Code' header row in the first 8 rows",
                    file=path.name,
                )
            ]
        )
    sh = src.sheets[0]
    meta_lines = [" ".join(sh.nonempty(i)) for i in range(head) if sh.nonempty(i)]
    labels = [sh.text(head, j) for j in range(len(sh.rows[head]))]
    pos = {lbl: j for j, lbl in enumerate(labels)}
    code_col = pos["Country Code"]
    ind_name_col = pos.get("Indicator Name", pos.get("Series Name"))
    ind_code_col = pos.get("Indicator Code", pos.get("Series Code"))
    year_cols = [(j, int(m.group(1))) for j, lbl in enumerate(labels) if (m := _YEAR.match(lbl))]
    footer: list[str] = []
    rows: list[int] = []
    for k in range(head + 1, len(sh.rows)):
        cells = sh.nonempty(k)
        if not cells:
            continue
        if not sh.text(k, code_col) and len(cells) == 1:
            footer.append(cells[0])
            continue
        rows.append(k)
    cells_list: list[Any] = []
    r_idx: list[int] = []
    y_idx: list[int] = []
    for k in rows:
        row = sh.rows[k]
        for j, year in year_cols:
            cells_list.append(row[j] if j < len(row) else None)
            r_idx.append(k)
            y_idx.append(year)
    parsed = parse_cells(cells_list)
    r_arr = np.asarray(r_idx, dtype=int)
    col_of_year = {y: labels[j] for j, y in year_cols}
    for n in np.flatnonzero(parsed.bad):
        problems.error(
            "non_numeric",
            f"{cells_list[n]!r} is neither a number nor a placeholder",
            row=sh.row_numbers[r_arr[n]],
            column=col_of_year[y_idx[n]],
        )
    region = np.asarray([sh.text(k, code_col) for k in r_arr], dtype=object)
    for k in rows:
        code = sh.text(k, code_col)
        if not _CODE.match(code):
            problems.error(
                "region_code_invalid",
                f"country code {code!r} is not ISO 3166 alpha-3",
                row=sh.row_numbers[k],
                column="Country Code",
            )
    wdi_codes = np.asarray(
        [sh.text(k, ind_code_col) if ind_code_col is not None else "" for k in r_arr], dtype=object
    )
    names: dict[str, tuple[str, str]] = {}
    units: dict[str, str] = {}
    codes: dict[str, str] = {}
    for k in rows:
        wdi = sh.text(k, ind_code_col) if ind_code_col is not None else ""
        full = sh.text(k, ind_name_col) if ind_name_col is not None else wdi
        code = (indicator_codes or {}).get(wdi, wdi)
        codes[wdi] = code
        if code not in names:
            _label, unit = split_label(full)
            names[code] = ("", full)
            units[code] = unit or ""
    records = pd.DataFrame(
        {
            "region_name": region,
            "year": np.asarray(y_idx, dtype=int),
            "indicator": [codes[c] for c in wdi_codes],
            "value": parsed.values,
            "file": path.name,
            "sheet": None,
            "row": [sh.row_numbers[k] for k in r_arr],
            "column": [col_of_year[y] for y in y_idx],
        }
    )
    updated = next((ln for ln in meta_lines + footer if "Last Updated" in ln), None)
    provenance: dict[str, Any] = {
        "label": "World Bank " + ("DataBank export" if "Series Code" in pos else "WDI CSV"),
        "format": NAME,
        "file": path.name,
        "kind": src.kind,
        "encoding": src.encoding,
        "header": meta_lines,
        "notes": [ln for ln in footer if "Last Updated" not in ln],
        "source_line": updated,
        "placeholders": parsed.placeholder_counts,
        "footnoted": 0,
    }
    problems.raise_if_errors()
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
