"""National investment-project codes (投资项目统一代码 / 全国固定资产投资项目代码) and their format.

Every fixed-asset investment project approved, authorised or filed (审批、核准、备案) in China gets one
code from the national online approval and supervision platform (全国投资项目在线审批监管平台), its
identity for the whole construction period: 《固定资产投资项目代码管理规范》 (发改投资〔2020〕1439号) and the
national standard GB/T 40058-2021 《全国固定资产投资项目代码编码规范》 (published 2021-04-30, in force
2021-08-01), whose announcement states the code "has a total of 24 digits" (China News Service,
2021-05-07).  The code is written in five groups separated by hyphens, ``YYYY-AAAAAA-BB-TT-NNNNNN``
(4 + 6 + 2 + 2 + 6 characters + 4 hyphens = 24), e.g. ``2021-130203-44-03-000123``:

- ``YYYY`` the time code (the year the code was given; the platform gives codes since 2015);
- ``AAAAAA`` the area code (GB/T 2260 code of the province, city or county that gave the code);
- ``BB`` the central business-guidance department code (行业 in the 2017 rules) and ``TT`` the project type
  (01 审批, 02 核准, 03 备案 in the 2017 rules), two digits each;
- ``NNNNNN`` the random code and check character (digits or capital letters).

What is checked (the check character's algorithm is in the standard's clause 4.7, which no source we could
read reproduces, so it is *not* verified): the length (24), the shape above, a year from 2015 to next
year (errors), and whether the area code is a current GB/T 2260 code (a warning only: codes given before
a district was merged keep the old area code).  Policy: surrounding spaces are stripped, full-width
characters are made half-width (NFKC), letters upper-cased and the dashes ``—–－`` read as ``-``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

LENGTH = 24
FIRST_YEAR = 2015
_SHAPE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-([0-9A-Z]{6})$")
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "‐": "-"})


def normalise(code: str) -> str:
    """Half-width, upper-case, plain hyphens, no surrounding spaces."""
    return unicodedata.normalize("NFKC", code.translate(_DASHES)).strip().upper()


@cache
def _area_codes() -> frozenset[str]:
    from hqd.model.regions import crosswalk

    return frozenset(crosswalk()["code"].astype(str))


def problem(code: str, *, today: dt.date | None = None) -> tuple[str, str] | None:
    """``(reason code, message)`` when ``code`` is not a well-formed project code, else ``None``."""
    text = normalise(code)
    if len(text) != LENGTH:
        return (
            "investment_code_length",
            f"an investment project code has {LENGTH} characters (YYYY-AAAAAA-BB-TT-NNNNNN); "
            f"{code!r} has {len(text)}",
        )
    match = _SHAPE.match(text)
    if match is None:
        return (
            "investment_code_format",
            f"an investment project code reads YYYY-AAAAAA-BB-TT-NNNNNN (digits; the last group may hold "
            f"capital letters); got {code!r}",
        )
    year = int(match.group(1))
    last = (today or dt.date.today()).year + 1
    if not FIRST_YEAR <= year <= last:
        return (
            "investment_code_year",
            f"the time code of {code!r} is {year}; project codes are given since {FIRST_YEAR} (up to {last})",
        )
    return None


def area_warning(code: str) -> str | None:
    """A message when the code's area group is not a current GB/T 2260 code (else ``None``)."""
    area = normalise(code)[5:11]
    if area in _area_codes():
        return None
    return f"the area code {area} of {normalise(code)!r} is not a current GB/T 2260 code (kept, but check it)"
