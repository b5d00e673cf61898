"""Regions: GB/T 2260 codes, bilingual names, groups.

Regions are keyed by their administrative code (GB/T 2260, six digits, as strings) or by ISO 3166
alpha-3, never by a romanised name: 山西 and 陕西 both romanise to "Shanxi".

This module holds the Jing-Jin-Ji (京津冀) region's 13 cities and 3 provincial-level units as
built-in facts (codes and names from the GB/T 2260 administrative division codes published by the
Ministry of Civil Affairs).  The registry and the bundled demo share it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """A region with its code, names, parent code and level."""

    code: str
    name_zh: str
    name_en: str
    parent: str | None
    level: str  # "region" | "province" | "prefecture"
    short_zh: str = ""


#: The Jing-Jin-Ji region itself (not an administrative unit; code chosen by HQD, not GB/T 2260).
JJJ_REGION = Region("JJJ", "京津冀", "Beijing-Tianjin-Hebei", None, "region", "京津冀")

#: Provincial-level units of the region (GB/T 2260).
JJJ_PROVINCES: tuple[Region, ...] = (
    Region("110000", "北京市", "Beijing", "JJJ", "province", "北京"),
    Region("120000", "天津市", "Tianjin", "JJJ", "province", "天津"),
    Region("130000", "河北省", "Hebei", "JJJ", "province", "河北"),
)

#: The 13 cities: Beijing and Tianjin (municipalities, province-level codes) and Hebei's 11
#: prefecture-level cities (GB/T 2260).
JJJ_CITIES: tuple[Region, ...] = (
    Region("110000", "北京市", "Beijing", "JJJ", "province", "北京"),
    Region("120000", "天津市", "Tianjin", "JJJ", "province", "天津"),
    Region("130100", "石家庄市", "Shijiazhuang", "130000", "prefecture", "石家庄"),
    Region("130200", "唐山市", "Tangshan", "130000", "prefecture", "唐山"),
    Region("130300", "秦皇岛市", "Qinhuangdao", "130000", "prefecture", "秦皇岛"),
    Region("130400", "邯郸市", "Handan", "130000", "prefecture", "邯郸"),
    Region("130500", "邢台市", "Xingtai", "130000", "prefecture", "邢台"),
    Region("130600", "保定市", "Baoding", "130000", "prefecture", "保定"),
    Region("130700", "张家口市", "Zhangjiakou", "130000", "prefecture", "张家口"),
    Region("130800", "承德市", "Chengde", "130000", "prefecture", "承德"),
    Region("130900", "沧州市", "Cangzhou", "130000", "prefecture", "沧州"),
    Region("131000", "廊坊市", "Langfang", "130000", "prefecture", "廊坊"),
    Region("131100", "衡水市", "Hengshui", "130000", "prefecture", "衡水"),
)


def jjj_province_of(code: str) -> str:
    """The provincial-level code a Jing-Jin-Ji city belongs to (Beijing and Tianjin are their own)."""
    return code[:2] + "0000"
