"""Shared fixtures: where the reference data in ../shared lives, and how its absence is handled.

Tests that read ``../shared`` use the ``shared`` fixture.  Where the folder is absent they skip with a
visible reason, except when ``HQD_REQUIRE_SHARED=1`` (set by ``.ci/run``), where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HQD_SHARED", REPO.parent / "shared")).resolve()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip (fail under HQD_REQUIRE_SHARED=1) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"shared reference data not found: {path}"
        if os.environ.get("HQD_REQUIRE_SHARED") == "1":
            pytest.fail(reason + " (HQD_REQUIRE_SHARED=1)")
        pytest.skip(reason)
    return path


@pytest.fixture
def shared() -> Path:
    """The ../shared folder (skips or fails as described in the module docstring)."""
    return shared_path()
