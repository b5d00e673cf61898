"""Unified social credit codes (统一社会信用代码, GB 32100-2015) and their check character.

Formula (GB 32100-2015, clause 4 and appendix): a code is 18 characters from the 31-character
alphabet ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (I, O, S, V and Z are never used), each with its value
``C_i`` = its position in that alphabet.  The 18th character is the check character:

    W_i  = 3^(i-1) mod 31                     (i = 1 … 17, left to right)
    C_18 = 31 - mod(sum_{i=1}^{17} C_i W_i, 31), and 0 when that gives 31

so the weights are 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28.  Because 31 is prime
and no weight is 0 mod 31, any single wrong character among the first 17, and any swap of two
different adjacent characters among them, changes the check character.

Worked example published with the standard's algorithm (e.g. https://wddqw.com/doc/
53f79e6a996648d7c1c708a1284ac850ad020467.html): for ``91350100M000100Y4`` the weighted sum is 1640,
1640 mod 31 = 28, and the check character is 31 - 28 = 3.

Policy: surrounding whitespace is stripped and lower-case letters are upper-cased before checking;
anything else (wrong length, a character outside the alphabet, a wrong check character) is an error.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def normalise(code: str) -> str:
    """Strip whitespace and upper-case."""
    return code.strip().upper()


def check_character(first17: str) -> str:
    """The check character (18th) for the first 17 characters of a code."""
    body = normalise(first17)
    if len(body) != 17:
        raise ValueError(f"need the first 17 characters of a credit code, got {len(body)}")
    bad = [ch for ch in body if ch not in _VALUE]
    if bad:
        raise ValueError(f"characters not allowed in a credit code: {''.join(bad)!r}")
    total = sum(_VALUE[ch] * w for ch, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> tuple[str, str] | None:
    """Why ``code`` is not a valid credit code, as ``(reason_code, message)``; ``None`` when valid.

    Reason codes: ``credit_code_length``, ``credit_code_charset``, ``credit_code_check``.
    """
    value = normalise(code)
    if len(value) != 18:
        return (
            "credit_code_length",
            f"a unified social credit code has 18 characters; got {len(value)} in {value!r}",
        )
    bad = sorted({ch for ch in value if ch not in _VALUE})
    if bad:
        return (
            "credit_code_charset",
            f"{value!r} contains {''.join(bad)!r}; allowed characters are {ALPHABET} (no I, O, S, V, Z)",
        )
    expected = check_character(value[:17])
    if value[17] != expected:
        return (
            "credit_code_check",
            f"check character of {value!r} should be {expected!r} (GB 32100-2015), got {value[17]!r}",
        )
    return None


def is_valid(code: str) -> bool:
    """True when ``code`` is a well-formed credit code with the right check character."""
    return problem(code) is None


def complete(first17: str) -> str:
    """The full 18-character code: ``first17`` plus its check character."""
    return normalise(first17) + check_character(first17)
