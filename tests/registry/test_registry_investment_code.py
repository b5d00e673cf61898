"""Investment-project codes (GB/T 40058-2021 shape): 24 characters, YYYY-AAAAAA-BB-TT-NNNNNN."""

from __future__ import annotations

import datetime as dt

import pytest

from hqd.registry import investment_code as ic

TODAY = dt.date(2024, 7, 1)


@pytest.mark.parametrize(
    "code",
    [
        "2023-130209-44-03-000123",  # the shape of the published example codes: year, area, 2+2 digits, 6
        "２０２３－１３０２０９－４４－０３－０００１２３",  # full-width, as typed with a Chinese input method
        " 2021-110105-65-03-01234A ",  # a capital letter in the last group, surrounding spaces
    ],
)
def test_well_formed_codes_pass(code: str) -> None:
    assert ic.problem(code, today=TODAY) is None
    assert len(ic.normalise(code)) == 24


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("2023-130209-44-03-00012", "investment_code_length"),  # 23 characters
        ("2023130209440300012345", "investment_code_length"),  # no hyphens: 22
        ("2023-13020-944-03-000123", "investment_code_format"),  # groups in the wrong place
        ("2023-130209-4A-03-000123", "investment_code_format"),  # a letter outside the last group
        ("2012-130209-44-03-000123", "investment_code_year"),  # before the platform gave codes
        ("2031-130209-44-03-000123", "investment_code_year"),  # after next year
    ],
)
def test_malformed_codes_are_refused_with_their_reason(code: str, reason: str) -> None:
    found = ic.problem(code, today=TODAY)
    assert found is not None and found[0] == reason


def test_an_unknown_area_code_is_only_a_warning() -> None:
    assert ic.area_warning("2023-130209-44-03-000123") is None  # 曹妃甸区
    assert ic.problem("2023-139999-44-03-000123", today=TODAY) is None
    message = ic.area_warning("2023-139999-44-03-000123")
    assert message is not None and "139999" in message
