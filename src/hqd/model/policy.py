"""The named policies for zeros, missing values and placeholders: one declaration, one default each.

Every step that meets a value ≤ 0 where a positive one is needed (a geometric or harmonic mean, a
generalised mean with p ≤ 0, a ``log`` transform), a missing value in an aggregation, or a statistical
placeholder in a data cell asks this module what to do; nothing else declares a default.

**Zero policy** (recipe key ``zero_policy``)
    ``refuse`` (default): stop with ``nonpositive_value``, naming the cells; ``na``: an observation with a
    child ≤ 0 gets no score (UNDP leaves a country-year with a dimension index ≤ 0 unpublished);
    ``epsilon``: values ≤ 0 become ``epsilon`` (default :data:`ZERO_EPSILON` = 1e-6); ``shift``: the
    constant ``shift`` (default :data:`ZERO_SHIFT` = 0.01, as ``docs/formats.md`` states) is added to every
    value of a block that holds a value ≤ 0 — the mean of the shifted values, not shifted back.
    :func:`resolve_zero_policy` fills the default in, so the recipe written to the run directory and the
    manifest carry the value that was used.
**NA policy** (recipe key ``na_policy``)
    ``skip`` (default): a missing child is left out and the other weights renormalised (COINr's
    ``a_amean``); ``propagate``: the parent is missing.
    Every missing cell that reaches aggregation is counted and warned about, with the share of its
    region-year's weight it removed; a region-year whose missing share passes ``missing_weight_threshold``
    (default :data:`MISSING_WEIGHT_THRESHOLD` = 0.2) is flagged.
**Placeholders** (recipe key ``placeholders``)
    ``error`` (default): a placeholder cell (:data:`PLACEHOLDERS`: ``—``, ``…``, ``/``, ``NA`` …) is
    reported as a bad number; ``missing``: it is read as a missing value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

ZERO_POLICIES: tuple[str, ...] = ("refuse", "na", "epsilon", "shift")
ZERO_POLICY_DEFAULT = "refuse"
#: Replacement for values ≤ 0 under ``zero_policy: epsilon``.
ZERO_EPSILON = 1e-6
#: Constant added under ``zero_policy: shift`` (no standard value exists; name your own in the recipe).
ZERO_SHIFT = 0.01
#: The value key each zero policy takes, with its default.
ZERO_POLICY_VALUES: dict[str, tuple[str, float] | None] = {
    "refuse": None, "na": None, "epsilon": ("epsilon", ZERO_EPSILON), "shift": ("shift", ZERO_SHIFT)}

NA_POLICIES: tuple[str, ...] = ("skip", "propagate")
NA_POLICY_DEFAULT = "skip"
#: A region-year whose missing cells carry more than this share of the index's weight is flagged
#: (recipe key ``missing_weight_threshold``; its score rests on less than 80 % of the framework).
MISSING_WEIGHT_THRESHOLD = 0.2

PLACEHOLDER_POLICIES: tuple[str, ...] = ("error", "missing")
PLACEHOLDER_POLICY_DEFAULT = "error"
#: Statistical placeholders for a missing value in a data cell (yearbooks, NBS, World Bank exports): the
#: union of the lists HQD's table reader and official-export readers used.  A blank cell is always missing.
PLACEHOLDERS: frozenset[str] = frozenset({
    "—", "——", "–", "-", "--", "－", "…", "……", "...", "..", "/", "×", "NA", "N/A", "n/a", "na", "#N/A",
    "NaN", "nan", "null", "NULL", "None", "x", "X", "*",
})


def resolve_zero_policy(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The zero policy with its value filled in: ``{method: shift}`` → ``{method: shift, shift: 0.01}``.

    ``raw`` is already checked against the recipe schema (method known, value a positive number).

    >>> resolve_zero_policy({"method": "shift"})
    {'method': 'shift', 'shift': 0.01}
    >>> resolve_zero_policy({"method": "epsilon", "epsilon": 1e-9})
    {'method': 'epsilon', 'epsilon': 1e-09}
    """
    method = str(raw.get("method", ZERO_POLICY_DEFAULT))
    out: dict[str, Any] = {"method": method}
    value = ZERO_POLICY_VALUES.get(method)
    if value is not None:
        key, default = value
        out[key] = float(raw.get(key, default))
    return out


def needs_zero_policy(block: np.ndarray) -> np.ndarray:
    """The cells a zero policy acts on: the non-missing values ≤ 0."""
    with np.errstate(invalid="ignore"):
        return np.asarray(block <= 0)


def apply_zero_policy(block: np.ndarray, policy: Mapping[str, Any], axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Apply a resolved, non-refusing zero policy to ``block`` (..., k) where it holds values ≤ 0.

    Returns ``(values, void)``: ``void`` (the block's shape without ``axis``) marks the observations that
    ``na`` leaves without a score.  ``shift`` adds the constant to every value of the block, ``epsilon``
    replaces the values ≤ 0.  Under ``refuse`` the caller reports the cells before calling this.
    """
    nonpos = needs_zero_policy(block)
    void = np.zeros(np.delete(np.asarray(block.shape), axis % block.ndim).tolist(), dtype=bool) \
        if block.ndim else np.zeros((), dtype=bool)
    if not nonpos.any():
        return block, void
    method = policy.get("method", ZERO_POLICY_DEFAULT)
    if method == "na":
        return np.where(nonpos, 1.0, block), np.asarray(nonpos.any(axis=axis))
    if method == "epsilon":
        return np.where(nonpos, float(policy.get("epsilon", ZERO_EPSILON)), block), void
    if method == "shift":
        return block + float(policy.get("shift", ZERO_SHIFT)), void
    raise ValueError(f"zero policy {method!r} does not transform values")  # programming error: refuse


def log_with_zero_policy(block: np.ndarray, policy: Mapping[str, Any]) -> np.ndarray:
    """``ln x`` for a ``log``-transformed indicator, with the zero policy applied to the values ≤ 0 first
    (``shift`` adds the constant to every value, as for means); values still ≤ 0 become missing."""
    method = policy.get("method", ZERO_POLICY_DEFAULT)
    if method == "shift":
        block = block + float(policy.get("shift", ZERO_SHIFT))
    elif method == "epsilon":
        block = np.where(needs_zero_policy(block), float(policy.get("epsilon", ZERO_EPSILON)), block)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(block > 0, np.log(np.where(block > 0, block, 1.0)), np.nan)


__all__ = [
    "MISSING_WEIGHT_THRESHOLD", "NA_POLICIES", "NA_POLICY_DEFAULT", "PLACEHOLDERS", "PLACEHOLDER_POLICIES", "PLACEHOLDER_POLICY_DEFAULT",
    "ZERO_EPSILON", "ZERO_POLICIES", "ZERO_POLICY_DEFAULT", "ZERO_SHIFT", "apply_zero_policy",
    "log_with_zero_policy", "needs_zero_policy", "resolve_zero_policy",
]
