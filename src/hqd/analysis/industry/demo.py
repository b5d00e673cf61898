"""A SYNTHETIC city × industry × year table for the 13 Jing-Jin-Ji cities, and the demo built on it.

SYNTHETIC DATA — not official statistics.  The 2022 value added (亿元) of 15 GB/T 4754-2017 divisions
in each city is a rounded guess anchored on widely reported facts about each city's leading
industries — software and R&D in Beijing; autos, petrochemicals, steel and aerospace in Tianjin;
pharmaceuticals in Shijiazhuang; steel in Tangshan, Handan and Chengde; autos and electrical
equipment (photovoltaics, transformers) in Baoding; wind and solar power in Zhangjiakou; refining and
pipes in Cangzhou; electronics in Langfang — not figures from any yearbook.  Earlier years (2018–2021)
are derived backwards with one growth rate per industry for all cities plus seeded random noise,
so no city's result is planted.  Use it to see what the measures print, never as evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hqd.io.industry import IndustryTable
from hqd.model.regions import JJJ_CITIES, jjj_province_of

SYNTHETIC_LABEL = "SYNTHETIC DATA — not official statistics (合成数据，非官方统计)"

INDUSTRIES: tuple[str, ...] = (
    "C25", "C26", "C27", "C30", "C31", "C33", "C34", "C36", "C37", "C38", "C39", "C40", "D44", "I65", "M73",
)
# 2022 value added, 亿元, in the order of INDUSTRIES (SYNTHETIC anchors; see the module docstring)
_ANCHORS: dict[str, tuple[float, ...]] = {
    "110000": (100, 100, 800, 100, 10, 60, 200, 800, 150, 250, 900, 150, 600, 6000, 1200),  # 北京
    "120000": (400, 500, 300, 150, 700, 350, 350, 600, 250, 300, 700, 60, 400, 900, 300),  # 天津
    "130100": (60, 200, 450, 150, 80, 80, 100, 100, 20, 80, 120, 30, 200, 200, 60),  # 石家庄
    "130200": (250, 150, 20, 200, 1800, 200, 150, 30, 100, 60, 20, 15, 250, 40, 20),  # 唐山
    "130300": (20, 30, 15, 80, 100, 40, 50, 80, 30, 30, 20, 5, 60, 30, 10),  # 秦皇岛
    "130400": (150, 80, 20, 100, 900, 120, 80, 30, 10, 30, 15, 5, 150, 30, 10),  # 邯郸
    "130500": (80, 80, 20, 120, 200, 60, 50, 60, 10, 40, 30, 5, 100, 20, 10),  # 邢台
    "130600": (20, 60, 40, 80, 50, 60, 80, 450, 10, 250, 60, 20, 100, 50, 20),  # 保定
    "130700": (10, 20, 20, 40, 60, 20, 40, 40, 5, 40, 40, 5, 300, 80, 10),  # 张家口
    "130800": (10, 20, 20, 30, 200, 20, 30, 10, 5, 20, 10, 10, 100, 20, 5),  # 承德
    "130900": (400, 250, 60, 50, 100, 250, 100, 100, 10, 50, 20, 10, 120, 20, 10),  # 沧州
    "131000": (10, 60, 40, 60, 40, 80, 100, 40, 20, 100, 200, 20, 80, 120, 40),  # 廊坊
    "131100": (10, 60, 30, 50, 20, 80, 60, 20, 5, 30, 10, 5, 60, 15, 5),  # 衡水
}
# growth of each industry 2018→2022, the same for every city (SYNTHETIC, rounded national-like trends)
_GROWTH: tuple[float, ...] = (0.05, 0.12, 0.20, 0.02, -0.05, 0.08, 0.10, 0.10, 0.15, 0.25, 0.25, 0.15, 0.25, 0.40, 0.30)


def jjj_industry_demo(seed: int = 2022, years: tuple[int, ...] = (2018, 2019, 2020, 2021, 2022)) -> IndustryTable:
    """The SYNTHETIC 13-city table (value added, 亿元) for ``years`` (the last one holds the anchors).

    Each earlier year is the anchor deflated along the industry's growth path and multiplied by
    log-normal noise (σ = 0.03, ``seed``), so the same seed gives the same table.
    """
    rng = np.random.default_rng(seed)
    cities = [c.code for c in JJJ_CITIES]
    anchor = np.array([_ANCHORS[c] for c in cities], dtype=float)  # (regions, industries)
    span = years[-1] - years[0] or 1
    rate = (1 + np.asarray(_GROWTH)) ** (1 / span) - 1  # per-year rate per industry
    back = np.array([(1 + rate) ** (y - years[-1]) for y in years])  # (years, industries)
    noise = np.exp(rng.normal(0, 0.03, size=(len(years), *anchor.shape)))
    noise[-1] = 1.0
    cube = np.round(anchor[None] * back[:, None, :] * noise, 1)
    data = pd.DataFrame(
        {
            "region": np.tile(np.repeat(cities, len(INDUSTRIES)), len(years)),
            "industry": np.tile(INDUSTRIES, len(cities) * len(years)),
            "year": np.repeat(years, len(cities) * len(INDUSTRIES)),
            "value": cube.ravel(),
        }
    )
    return IndustryTable(
        data=data,
        measure="value_added",
        unit="亿元",
        provenance={"label": SYNTHETIC_LABEL, "generator": "hqd.analysis.industry.demo.jjj_industry_demo",
                    "seed": seed},
        synthetic=True,
    )


def provinces(table: IndustryTable) -> IndustryTable:
    """The table's cities summed into Beijing, Tianjin and Hebei (GB/T 2260 province codes)."""
    return table.aggregate({r: jjj_province_of(r) for r in table.regions})
