"""World Bank WDI CSV (4 metadata lines) and DataBank export, crafted in the published layouts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hqd.errors import HqdError
from hqd.io.readers import detect, read

# The API/Data Catalog layout: 4 metadata lines, quoted cells, a trailing comma on every line.
WDI = (
    '"Data Source","World Development Indicators",\n'
    "\n"
    '"Last Updated Date","2024-06-28",\n'
    "\n"
    '"Country Name","Country Code","Indicator Name","Indicator Code","2020","2021","2022","2023",\n'
    '"China","CHN","GDP (current US$)","NY.GDP.MKTP.CD","14687744162801.1","17820459508852.2","17881782683707.3","",\n'
    '"World","WLD","GDP (current US$)","NY.GDP.MKTP.CD","85437499011839.8","97531566003455.1","100834796415610","",\n'
    '"Germany","DEU","GDP (current US$)","NY.GDP.MKTP.CD","3940142541354.1","4348297440387.53","4082469490473.08","4456081016705.67",\n'
)

DATABANK = (
    "Country Name,Country Code,Series Name,Series Code,2021 [YR2021],2022 [YR2022]\n"
    "China,CHN,Research and development expenditure (% of GDP),GB.XPD.RSDV.GD.ZS,2.43,2.56\n"
    "India,IND,Research and development expenditure (% of GDP),GB.XPD.RSDV.GD.ZS,..,..\n"
    "\n"
    "\n"
    "Data from database: World Development Indicators\n"
    "Last Updated: 12/16/2024\n"
)


def test_wdi_csv(tmp_path: Path) -> None:
    path = tmp_path / "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv"
    path.write_text(WDI, encoding="utf-8-sig")
    assert detect(path) == "worldbank"
    panel = read(path, indicator_codes={"NY.GDP.MKTP.CD": "gdp_usd"})
    assert panel.units == {"gdp_usd": "current US$"}
    assert panel.names["gdp_usd"] == ("", "GDP (current US$)")
    idx = panel.data.set_index(["region", "year"])["value"]
    assert idx[("CHN", 2022)] == 17881782683707.3 and np.isnan(idx[("CHN", 2023)])
    assert idx[("DEU", 2023)] == 4456081016705.67
    assert panel.data.shape == (12, 4)
    prov = panel.provenance[0]
    assert prov["header"] == ["Data Source World Development Indicators", "Last Updated Date 2024-06-28"]
    assert prov["source_line"] == "Last Updated Date 2024-06-28"
    assert "World Bank WDI CSV" in panel.describe() and "3 regions × 4 years, 2020–2023" in panel.describe()


def test_databank_export_with_dotdot_placeholders(tmp_path: Path) -> None:
    path = tmp_path / "Data_Extract_From_WDI.csv"
    path.write_text(DATABANK, encoding="utf-8")
    panel = read(path)
    assert panel.units == {"GB.XPD.RSDV.GD.ZS": "% of GDP"}
    assert panel.provenance[0]["placeholders"] == {"..": 2}
    assert panel.provenance[0]["notes"] == ["Data from database: World Development Indicators"]
    assert panel.data["value"].notna().sum() == 2


def test_bad_country_code_and_cell(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text(WDI.replace('"DEU"', '"Germany"').replace('"3940142541354.1"', '"n/q"'), encoding="utf-8")
    with pytest.raises(HqdError) as err:
        read(path, format="worldbank")
    found = {(p.code, p.row, p.column) for p in err.value.problems}
    assert ("non_numeric", 8, "2020") in found
    assert ("region_code_invalid", 8, "Country Code") in found
