"""Loaders for the reference data used by the method tests (not a test module; imported by them).

Each takes the ``shared`` fixture's path (tests/conftest.py), so absent data skips or fails as it says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def matrix_8x5(shared: Path) -> tuple[np.ndarray, np.ndarray]:
    """The raw 8×5 decision matrix and its criteria directions (C3 is a cost criterion)."""
    ref = shared / "reference"
    x = pd.read_csv(ref / "decision_matrix_8x5.csv", index_col=0).to_numpy(dtype=float)
    d = np.asarray(json.loads((ref / "criteria_types.json").read_text())["types"], dtype=float)
    return x, d


def peer(shared: Path, name: str) -> dict[str, Any]:
    """One peer JSON file of ../shared/reference, by stem (``mcda_pyrepo`` …)."""
    result: dict[str, Any] = json.loads((shared / "reference" / f"{name}.json").read_text())
    return result


def asem(shared: Path) -> dict[str, pd.DataFrame]:
    """COINr's ASEM inputs (iMeta, iData) and its step-by-step default build, indexed by unit code."""
    data = shared / "data" / "coinr_asem"
    steps = shared / "reference" / "coinr_asem"
    out: dict[str, pd.DataFrame] = {
        "iMeta": pd.read_csv(data / "asem_iMeta.csv"),
        "iData": pd.read_csv(data / "asem_iData.csv").set_index("uCode"),
    }
    for step in ("denominated", "imputed", "treated", "normalised", "results"):
        out[step] = pd.read_csv(steps / f"asem_default_{step}.csv").set_index("uCode")
    out["treatment_details"] = pd.read_csv(steps / "asem_default_treatment_details.csv").set_index("iCode")
    return out


def asem_indicators(imeta: pd.DataFrame) -> pd.DataFrame:
    """The indicator rows of iMeta (code, direction, parent …), in iMeta order."""
    return imeta[imeta["Type"] == "Indicator"].reset_index(drop=True)
