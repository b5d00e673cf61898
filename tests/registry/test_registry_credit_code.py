"""Unified social credit codes: the GB 32100-2015 check character on published codes and corrupted ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hqd.registry import credit_code as cc

# The worked example published with the standard's algorithm (e.g. https://wddqw.com/doc/
# 53f79e6a996648d7c1c708a1284ac850ad020467.html): weighted sum 1640, 1640 mod 31 = 28, check = 31 - 28 = 3.
WORKED_EXAMPLE = "91350100M000100Y4"

# Codes published by their holders or in public annual-report data (found in the public code corpus):
# 北京文投大数据有限公司 (annual reports 2019-2021, repository lok6666/cms, src/views/business/data.ts),
# 河北雄安天下亨通网络科技有限公司 (its assistant's company profile) and 柯兴科技（深圳）有限公司 (its website footer).
PUBLISHED = ("91110114MA017CY134", "91133100MA0D8N1J7G", "91440300MA5H0HLK5U")


def test_weights_are_the_standard_table() -> None:
    assert cc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_worked_example_of_the_standard() -> None:
    total = sum(cc.ALPHABET.index(ch) * w for ch, w in zip(WORKED_EXAMPLE, cc.WEIGHTS, strict=True))
    assert total == 1640
    assert cc.check_character(WORKED_EXAMPLE) == "3"
    # the example's own 18th character 'Z' is shown to be wrong (and Z is not even in the alphabet)
    assert cc.problem(WORKED_EXAMPLE + "Z")[0] == "credit_code_charset"
    assert cc.is_valid(WORKED_EXAMPLE + "3")


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code: str) -> None:
    assert cc.problem(code) is None
    assert cc.complete(code[:17]) == code


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_with_a_wrong_check_character_are_rejected(code: str) -> None:
    wrong = next(ch for ch in cc.ALPHABET if ch != code[17])
    reason, message = cc.problem(code[:17] + wrong)
    assert reason == "credit_code_check"
    assert f"should be {code[17]!r}" in message


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91110114MA017CY13", "credit_code_length"),
        ("91110114MA017CY1344", "credit_code_length"),
        ("", "credit_code_length"),
        ("91110114MA017CYI34", "credit_code_charset"),  # I is not used
        ("91110114MO017CY134", "credit_code_charset"),  # O is not used
        ("91110114MA017CY13S", "credit_code_charset"),  # S is not used
    ],
)
def test_malformed_codes(code: str, reason: str) -> None:
    assert cc.problem(code)[0] == reason


def test_whitespace_and_lower_case_are_normalised() -> None:
    assert cc.is_valid("  91110114ma017cy134 ")


def test_check_character_needs_17_allowed_characters() -> None:
    with pytest.raises(ValueError, match="17"):
        cc.check_character("9111")
    with pytest.raises(ValueError, match="not allowed"):
        cc.check_character("91110114MA017CYI3")


bodies = st.text(alphabet=cc.ALPHABET, min_size=17, max_size=17)


@given(body=bodies, position=st.integers(0, 16), shift=st.integers(1, 30))
def test_any_single_wrong_character_is_detected(body: str, position: int, shift: int) -> None:
    code = cc.complete(body)
    wrong = cc.ALPHABET[(cc.ALPHABET.index(code[position]) + shift) % 31]
    corrupted = code[:position] + wrong + code[position + 1 :]
    assert cc.problem(corrupted)[0] == "credit_code_check"


@given(body=bodies, position=st.integers(0, 15))
def test_swapping_two_different_neighbours_is_detected(body: str, position: int) -> None:
    code = cc.complete(body)
    a, b = code[position], code[position + 1]
    swapped = code[:position] + b + a + code[position + 2 :]
    assert cc.is_valid(swapped) == (a == b)
