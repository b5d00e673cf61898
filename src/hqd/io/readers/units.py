"""Units of official statistics: parse ``万元``, ``亿元``, ``万人``, ``%``, ``‰``, ``万吨``, ``万美元`` … and convert.

A :class:`Unit` has a *dimension* (what is measured: ``CNY``, ``USD``, ``persons``, ``ratio``,
``t`` …) and a *factor* to the dimension's base unit (元 = 1, 万元 = 1e4, 亿元 = 1e8; % = 0.01,
‰ = 0.001).  Converting ``x`` from unit ``a`` to unit ``b`` of the same dimension is
``x · factor(a) / factor(b)``; units of different dimensions never convert (an error, not a guess).

Units that are not amounts (index bases such as ``上年=100``) parse to dimension ``index`` with no
factor: they are kept as labels and refuse conversion.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from hqd.errors import HqdError, Problem

_MAGNITUDE = {
    "": 1.0,
    "十": 1e1,
    "百": 1e2,
    "千": 1e3,
    "万": 1e4,
    "十万": 1e5,
    "百万": 1e6,
    "千万": 1e7,
    "亿": 1e8,
    "十亿": 1e9,
    "百亿": 1e10,
    "千亿": 1e11,
    "万亿": 1e12,
}

#: Base units (after the magnitude prefix) → (dimension, factor to the dimension's base).
_BASE: dict[str, tuple[str, float]] = {
    "元": ("CNY", 1.0),
    "元人民币": ("CNY", 1.0),
    "人民币": ("CNY", 1.0),
    "美元": ("USD", 1.0),
    "人": ("persons", 1.0),
    "人次": ("person-times", 1.0),
    "人年": ("person-years", 1.0),
    "吨": ("t", 1.0),
    "公斤": ("t", 1e-3),
    "千克": ("t", 1e-3),
    "克": ("t", 1e-6),
    "平方米": ("m2", 1.0),
    "平方公里": ("m2", 1e6),
    "平方千米": ("m2", 1e6),
    "公顷": ("m2", 1e4),
    "立方米": ("m3", 1.0),
    "千瓦时": ("kWh", 1.0),
    "千瓦": ("kW", 1.0),
    "公里": ("km", 1.0),
    "千米": ("km", 1.0),
    "米": ("km", 1e-3),
    "年": ("years", 1.0),
    "岁": ("years", 1.0),
}
#: Count nouns: each is its own dimension (beds are not firms).
_COUNTS = (
    "个",
    "件",
    "项",
    "篇",
    "家",
    "所",
    "张",
    "辆",
    "台",
    "次",
    "户",
    "座",
    "套",
    "部",
    "册",
    "种",
    "床",
    "名",
)

_LATIN: dict[str, tuple[str, str, float]] = {
    # symbol → (canonical symbol, dimension, factor)
    "%": ("%", "ratio", 0.01),
    "percent": ("%", "ratio", 0.01),
    "‰": ("‰", "ratio", 0.001),
    "ratio": ("ratio", "ratio", 1.0),
    "比率": ("ratio", "ratio", 1.0),
    "倍": ("ratio", "ratio", 1.0),
    "us$": ("US$", "USD", 1.0),
    "current us$": ("US$", "USD", 1.0),
    "usd": ("US$", "USD", 1.0),
    "cny": ("元", "CNY", 1.0),
    "yuan": ("元", "CNY", 1.0),
    "mt": ("Mt", "t", 1e6),
    "mt co2": ("Mt", "t", 1e6),
    "kt": ("kt", "t", 1e3),
    "t": ("t", "t", 1.0),
    "tonnes": ("t", "t", 1.0),
    "persons": ("人", "persons", 1.0),
    "years": ("年", "years", 1.0),
}
_INDEX = re.compile(r"^(?:上年|去年|上年同期|上年同月|上月|\d{4}年?)\s*=\s*100$")


@dataclass(frozen=True)
class Unit:
    """A parsed unit: its text as written, the dimension measured and the factor to the base unit."""

    symbol: str
    dimension: str
    factor: float | None  # None: not an amount (index base, unknown)

    @property
    def is_money(self) -> bool:
        """True for currency amounts (CNY, USD, and per-capita money such as 元/人)."""
        return self.dimension.split("/")[0] in ("CNY", "USD")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"\s+", " ", text)


def _simple(text: str) -> Unit | None:
    low = text.lower()
    if low in _LATIN:
        _sym, dim, fac = _LATIN[low]
        return Unit(text, dim, fac)
    for prefix in sorted(_MAGNITUDE, key=len, reverse=True):
        if not text.startswith(prefix):
            continue
        rest = text[len(prefix) :]
        if rest in _BASE:
            dim, fac = _BASE[rest]
            return Unit(text, dim, fac * _MAGNITUDE[prefix])
        if rest in _COUNTS:
            return Unit(text, f"count:{rest}", _MAGNITUDE[prefix])
    return None


def parse_unit(text: str | None) -> Unit | None:
    """Parse a unit as official tables write it; ``None`` for an empty text.

    ``万元`` → ``Unit('万元', 'CNY', 1e4)``; ``元/人`` → ``Unit('元/人', 'CNY/persons', 1.0)``;
    ``上年=100`` → ``Unit('上年=100', 'index', None)``; an unknown unit → dimension ``unknown`` with no
    factor (kept as a label, never converted).
    """
    if text is None:
        return None
    text = _clean(text)
    if not text:
        return None
    if _INDEX.match(text.replace(" ", "")):
        return Unit(text, "index", None)
    simple = _simple(text)
    if simple is not None:
        return simple
    if "/" in text:
        num, _, den = text.partition("/")
        a, b = _simple(num.strip()), _simple(den.strip())
        if a is not None and b is not None and a.factor is not None and b.factor is not None:
            return Unit(text, f"{a.dimension}/{b.dimension}", a.factor / b.factor)
    return Unit(text, "unknown", None)


_LABEL_UNIT = re.compile(r"^(?P<name>.*?)\s*[(（](?P<unit>[^()（）]*)[)）]\s*$")
_UNIT_LINE = re.compile(r"^\s*(?:计量)?单位\s*[:：]\s*(?P<unit>.+?)\s*$")


def split_label(label: str) -> tuple[str, str | None]:
    """Split ``地区生产总值(亿元)`` into ``('地区生产总值', '亿元')``; no parentheses → ``(label, None)``.

    Full-width and ASCII parentheses both work; only the last parenthesised group is the unit.
    """
    text = str(label).strip()
    match = _LABEL_UNIT.match(text)
    if not match:
        return text, None
    return match.group("name").strip(), match.group("unit").strip()


def unit_line(text: str) -> str | None:
    """The unit of a yearbook unit row ``单位：万元`` (also ``计量单位:`` and ASCII colons), else None."""
    match = _UNIT_LINE.match(unicodedata.normalize("NFKC", str(text)))
    return match.group("unit") if match else None


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """The factor ``f`` with ``value_in(to) = value_in(from) · f``.

    Raises ``HqdError`` (``unit_unknown``, ``unit_incompatible``) when either unit is not an amount or
    the dimensions differ: 万元 → 亿元 is 1e-4; 万元 → 万人 is an error.
    """
    a, b = parse_unit(from_unit), parse_unit(to_unit)
    problems = []
    for text, unit in ((from_unit, a), (to_unit, b)):
        if unit is None or unit.factor is None:
            problems.append(Problem("unit_unknown", f"unit {text!r} is not a known amount; cannot convert"))
    if a is None or b is None or a.factor is None or b.factor is None:
        raise HqdError(problems)
    if a.dimension != b.dimension:
        raise HqdError(
            [
                Problem(
                    "unit_incompatible",
                    f"cannot convert {from_unit!r} ({a.dimension}) to {to_unit!r} ({b.dimension})",
                )
            ]
        )
    return a.factor / b.factor


def convert(values: np.ndarray, from_unit: str, to_unit: str) -> np.ndarray:
    """``values`` (any shape; NaN stays NaN) converted from ``from_unit`` to ``to_unit``."""
    return np.asarray(values, dtype=float) * conversion_factor(from_unit, to_unit)
