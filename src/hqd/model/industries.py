"""Industry classifications: GB/T 4754-2017 (国民经济行业分类) and 战略性新兴产业分类（2018）.

The bundled lists (``hqd/model/data``, sources in the README there) hold the 20 sections (门类 A–T) and
97 divisions (大类 01–97) of GB/T 4754-2017, and the 9 fields of the 2018 strategic-emerging-industry
classification.  :func:`normalise_industry_code` turns what users write (``"C36"``, ``"36"``,
``"C3612"``, ``"3612"``, ``"c 36"``) into HQD's canonical key — the section letter followed by the
digits (``"C36"``, ``"C3612"``) — or says why it cannot; :func:`check_industry_codes` checks many at
once and raises one :class:`HqdError` listing every unknown code with the valid choices.

Groups (3 digits) and classes (4 digits) are not bundled: such a code is accepted when its division
exists (and its letter, if given, is that division's section); :func:`industry_level` tells which level
a code is and :data:`CHECKED_BY` says how deep the check went.  The registry and the industry
statistics layer both use this module, so one list decides what an industry code is.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from hqd.errors import HqdError, Problem

#: How a code of each length is checked against the bundled list.
CHECKED_BY: dict[str, str] = {
    "section": "listed",
    "division": "listed",
    "group": "by division (groups are not bundled)",
    "class": "by division (classes are not bundled)",
}
_LEVEL_BY_DIGITS = {2: "division", 3: "group", 4: "class"}
_CODE = re.compile(r"^([A-Ta-t])?\s*(\d{2,4})$")
_SECTION_ONLY = re.compile(r"^[A-Ta-t]$")


@dataclass(frozen=True)
class Industry:
    """A section or division of GB/T 4754-2017."""

    code: str  # canonical: "C" (section) or "C36" (division)
    level: str  # "section" | "division"
    section: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class EmergingField:
    """A field (大类) of the 2018 strategic-emerging-industry classification."""

    code: str  # "1" … "9"
    name_zh: str
    name_en: str


def _rows(name: str) -> list[dict[str, str]]:
    text = (files("hqd.model") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def gbt4754_2017() -> dict[str, Industry]:
    """The bundled sections and divisions, keyed by canonical code (``"C"``, ``"C36"``), in order."""
    out: dict[str, Industry] = {}
    for r in _rows("gbt4754_2017.csv"):
        code = r["code"] if r["level"] == "section" else r["section"] + r["code"]
        out[code] = Industry(code, r["level"], r["section"], r["name_zh"], r["name_en"])
    return out


@cache
def _division_section() -> dict[str, str]:
    return {i.code[1:]: i.section for i in gbt4754_2017().values() if i.level == "division"}


@cache
def _by_name() -> dict[str, str]:
    out: dict[str, str] = {}
    for i in gbt4754_2017().values():
        out.setdefault(i.name_zh, i.code)  # 房地产业, 教育, 国际组织: the section, listed first
    return out


@cache
def single_division_sections() -> dict[str, str]:
    """Sections made of one division, which therefore share its scope (and often its name): K → K70 …"""
    by_section: dict[str, list[str]] = {}
    for d in divisions():
        by_section.setdefault(d.section, []).append(d.code)
    return {sec: codes[0] for sec, codes in by_section.items() if len(codes) == 1}


#: Section names of the earlier vintage GB/T 4754-2002 that differ from 2017's, mapped to the 2017
#: section they became (by name, not by letter: in 2002 F was transport and H wholesale).  The scopes
#: are close but not identical (2011 moved repair services, software and some social work), so a
#: reader that uses this map records it.  GB/T 4754-2011 section names equal 2017's.
OLDER_SECTION_NAMES: dict[str, str] = {
    "电力、燃气及水的生产和供应业": "D",
    "信息传输、计算机服务和软件业": "I",
    "科学研究、技术服务和地质勘查业": "M",
    "居民服务和其他服务业": "O",
    "卫生、社会保障和社会福利业": "Q",
    "公共管理和社会组织": "S",
}


@cache
def sei_2018() -> dict[str, EmergingField]:
    """The nine fields of 战略性新兴产业分类（2018）, keyed ``"1"`` … ``"9"``."""
    return {r["code"]: EmergingField(r["code"], r["name_zh"], r["name_en"]) for r in _rows("sei_2018.csv")}


def divisions() -> list[Industry]:
    """The 97 divisions in code order."""
    return [i for i in gbt4754_2017().values() if i.level == "division"]


def industry_level(code: str) -> str:
    """``"section"``, ``"division"``, ``"group"`` or ``"class"`` of a canonical code."""
    if len(code) == 1:
        return "section"
    return _LEVEL_BY_DIGITS[len(code) - 1]


def _why_not(raw: str) -> str | None:
    """None when ``raw`` is a valid code, else the reason (one sentence)."""
    text = raw.strip().replace(" ", "")
    if _SECTION_ONLY.match(text):
        return None if text.upper() in gbt4754_2017() else f"no section {text.upper()!r}"
    m = _CODE.match(text)
    if not m:
        return "an industry code is a section letter A–T and/or 2–4 digits (e.g. C36, 36, C3612)"
    letter, digits = (m.group(1) or "").upper(), m.group(2)
    section = _division_section().get(digits[:2])
    if section is None:
        return f"no division {digits[:2]!r} in GB/T 4754-2017 (divisions are 01–97)"
    if letter and letter != section:
        return f"division {digits[:2]} belongs to section {section}, not {letter}"
    return None


def is_industry_code(raw: str) -> bool:
    """True when ``raw`` is a valid GB/T 4754-2017 code (see the module docstring for the depth)."""
    return _why_not(str(raw)) is None


def normalise_industry_code(raw: str) -> str:
    """The canonical key of a code (``"36"`` → ``"C36"``, ``"c 3612"`` → ``"C3612"``).

    Raises ``HqdError`` ``unknown_industry`` naming the reason and the closest listed codes.
    """
    check_industry_codes([raw])
    text = str(raw).strip().replace(" ", "").upper()
    if len(text) == 1:
        return text
    digits = text.lstrip("ABCDEFGHIJKLMNOPQRST")
    return _division_section()[digits[:2]] + digits


def _suggest(raw: str) -> str:
    names = difflib.get_close_matches(str(raw), list(_by_name()), n=3, cutoff=0.5)
    if names:
        return "; closest names: " + ", ".join(f"{_by_name()[n]} {n}" for n in names)
    return "; valid: sections A–T and divisions " + ", ".join(i.code for i in divisions()[:6]) + " … (97)"


def check_industry_codes(
    codes: Iterable[str], *, where: Mapping[str, Mapping[str, object]] | None = None
) -> None:
    """Raise one ``HqdError`` (``unknown_industry``) listing every invalid code, with its location.

    ``where`` maps a raw code to location fields of :class:`Problem` (``file``, ``sheet``, ``row``,
    ``column`` …) so the error points at the cell.
    """
    problems: list[Problem] = []
    for raw in dict.fromkeys(str(c) for c in codes):
        reason = _why_not(raw)
        if reason is not None:
            loc = dict((where or {}).get(raw, {}))
            problems.append(
                Problem(
                    "unknown_industry",
                    f"{raw!r} is not a GB/T 4754-2017 industry code: {reason}{_suggest(raw)}",
                    **loc,  # type: ignore[arg-type]
                )
            )
    if problems:
        raise HqdError(problems)


def code_for_label(label: str, *, older_names: bool = False) -> str | None:
    """The canonical code a table label means, or None.

    Accepts a code (``"C36"``, ``"36"``), a code followed by the name (``"36 汽车制造业"``,
    ``"C36汽车制造业"``) or the exact Chinese name of a section or division (``"汽车制造业"``); with
    ``older_names`` also a GB/T 4754-2002 section name (:data:`OLDER_SECTION_NAMES`).
    """
    text = str(label).strip().replace(" ", "")
    if not text:
        return None
    if text in _by_name():
        return _by_name()[text]
    if older_names and text in OLDER_SECTION_NAMES:
        return OLDER_SECTION_NAMES[text]
    m = re.match(r"^([A-Ta-t]?\s*\d{2,4})(?=\D|$)\s*(.*)$", text)
    if m and is_industry_code(m.group(1)):
        return normalise_industry_code(m.group(1))
    if _SECTION_ONLY.match(text) and is_industry_code(text):
        return text.upper()
    return None


def industry_name(code: str, lang: str = "zh") -> str:
    """The name of a section or division; for a group or class, its division's name with the code."""
    listed = gbt4754_2017()
    item = listed.get(code) or listed.get(code[:3])
    if item is None:
        raise HqdError([Problem("unknown_industry", f"{code!r} is not a canonical GB/T 4754-2017 code")])
    name = item.name_zh if lang == "zh" else item.name_en
    return name if item.code == code else f"{name} ({code})"


def check_sei_codes(codes: Iterable[str]) -> None:
    """Raise ``HqdError`` ``unknown_sei_field`` for codes whose field (the part before the first dot) is not 1–9."""
    valid = sei_2018()
    bad = [c for c in dict.fromkeys(str(c).strip() for c in codes) if c.split(".")[0] not in valid]
    if bad:
        listing = ", ".join(f"{f.code} {f.name_zh}" for f in valid.values())
        raise HqdError(
            [
                Problem("unknown_sei_field", f"{c!r} is not a field of 战略性新兴产业分类（2018）; valid: {listing}")
                for c in bad
            ]
        )
