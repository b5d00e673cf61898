"""Analyses on a run directory: read it back, run the Jing-Jin-Ji analyses, write their tables.

The CLI (``hqd analyze``), the API (runs built with analyses) and the demo all come through here, so a
run directory's ``analysis/`` folder is written one way.  Tables are written as ``<method>.csv`` (the
first table), ``<method>_<part>.csv`` and one workbook ``<method>.xlsx``; text that looks like a formula is
written as text, and a synthetic run's files carry the SYNTHETIC label.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem


@dataclass(frozen=True)
class RunFramework:
    """The framework table of a run directory (``framework.csv``), as :mod:`hqd.analysis` reads it."""

    nodes: pd.DataFrame


@dataclass(frozen=True)
class RunData:
    """A run directory read back: duck-types an HQD ``Result`` for :mod:`hqd.analysis`."""

    scores: pd.DataFrame
    weights: pd.DataFrame | None
    framework: RunFramework | None
    synthetic: bool


def load_source(source: Path) -> tuple[Any, bool]:
    """The analysis input (a run directory as :class:`RunData`, or a plain table) and whether it is synthetic."""
    if source.is_dir():
        scores_path = source / "scores.csv"
        if not scores_path.exists():
            raise HqdError([Problem("file_not_found", "not a run directory (no scores.csv)", file=str(source))])
        scores = pd.read_csv(scores_path, dtype={"region": str, "node": str})
        weights = pd.read_csv(source / "weights.csv", dtype={"node": str, "parent": str}) \
            if (source / "weights.csv").exists() else None
        nodes = pd.read_csv(source / "framework.csv", dtype={"code": str, "parent": str}) \
            if (source / "framework.csv").exists() else None
        manifest = source / "manifest.json"
        synthetic = bool(json.loads(manifest.read_text(encoding="utf-8")).get("synthetic_data")) \
            if manifest.exists() else False
        return RunData(scores, weights, RunFramework(nodes) if nodes is not None else None, synthetic), synthetic
    from hqd.io.tables import read_table

    raw = read_table(source)
    frame = raw.frame.copy()
    for column in frame.columns:
        if column in ("region", "group"):
            continue
        converted = pd.to_numeric(frame[column].replace("", np.nan), errors="coerce")
        if converted.notna().sum() == frame[column].replace("", np.nan).notna().sum():
            frame[column] = converted
    synthetic = any("SYNTHETIC" in note.upper() for note in raw.notes)
    return frame, synthetic


def write_tables(out: Path, method: str, tables: dict[str, pd.DataFrame], synthetic: bool) -> list[str]:
    """Write ``tables`` as CSV files and one workbook in ``out``; returns the file names written."""
    from hqd.io.excel import neutralise, write_workbook
    from hqd.io.rundir import SYNTHETIC_LABEL

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i, (name, frame) in enumerate(tables.items()):
        path = out / (f"{method}.csv" if i == 0 else f"{method}_{name}.csv")
        with path.open("w", encoding="utf-8", newline="") as handle:
            if synthetic:
                handle.write(f"# {SYNTHETIC_LABEL}\n")
            neutralise(frame).to_csv(handle, index=False)
        written.append(path.name)
    notes = {name: SYNTHETIC_LABEL for name in tables} if synthetic else None
    write_workbook(out / f"{method}.xlsx", tables, bilingual=False, notes=notes)
    return [*written, f"{method}.xlsx"]


def pct(x: float) -> str:
    """A share as a whole percentage ("n/a" when not finite)."""
    return "n/a" if not np.isfinite(x) else f"{100 * x:.0f}%"


def last_row(frame: pd.DataFrame) -> tuple[str, pd.Series]:
    """The last row of a per-year table and its year as " 2022" (empty without a year)."""
    row = frame.iloc[-1]
    year = row["year"]
    return ("" if pd.isna(year) else f" {int(year)}"), row


def jjj_summary(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Readable one-line summaries of the Jing-Jin-Ji analyses (plain text)."""
    lines = []
    for key, label in (("coupling_jjj", "standard"), ("coupling_jjj_corrected", "corrected")):
        if key in tables:
            year, row = last_row(tables[key])
            lines.append(f"Beijing–Tianjin–Hebei coupling coordination{year} ({label} C): C {row['C']:.3f}, "
                         f"D {row['D']:.3f} — {row['grade_zh']} ({row['grade_en']})")
    if "sigma" in tables and len(tables["sigma"]) > 1:
        sigma = tables["sigma"].sort_values("year")
        first, last = sigma.iloc[0], sigma.iloc[-1]
        lines.append(f"σ convergence (std of the index): {first['sigma']:.4f} ({int(first['year'])}) → "
                     f"{last['sigma']:.4f} ({int(last['year'])}); CV {first['cv']:.3f} → {last['cv']:.3f}")
    if "beta" in tables:
        for row in tables["beta"].itertuples():
            lines.append(f"β convergence, {row.kind}: β {row.beta:.4f} (p {row.p:.3g}); speed {row.speed:.3f}, "
                         f"half-life {row.half_life:.1f} years")
    if "obstacles_dimensions" in tables and "dimension" in tables["obstacles_dimensions"].columns:
        dims = tables["obstacles_dimensions"]
        latest = dims[dims["year"] == dims["year"].max()]
        value = "obstacle" if "obstacle" in latest.columns else latest.columns[-1]
        mean = latest.groupby("dimension")[value].mean().sort_values(ascending=False)
        lines.append("Main obstacle dimensions (mean over cities): " + ", ".join(
            f"{d} {100 * v:.1f}%" for d, v in mean.head(3).items()))
    if "theil" in tables:
        year, row = last_row(tables["theil"])
        lines.append(f"Theil-T{year}: {row['total']:.4f} — {pct(row['between_share'])} between provinces")
    if "moran" in tables:
        year, row = last_row(tables["moran"])
        lines.append(f"Moran's I{year}: {row['I']:.4f} (p permutation {row['p_sim']:.3g})")
    notes = tables["notes"].loc[tables["notes"]["status"] != "done"]
    lines += [f"{s} {a}: {m}" for a, s, m in zip(notes["analysis"], notes["status"], notes["message"], strict=True)]
    return lines


def write_jjj_analyses(source: Path, out: Path, *, permutations: int = 999) -> tuple[list[str], list[str], bool]:
    """Every Jing-Jin-Ji analysis of a run of the 13 cities, written to ``out``.

    Returns ``(summary lines, files written, synthetic)``.
    """
    from hqd.analysis.demo import jjj_demo_analyses
    from hqd.model.regions import JJJ_CITIES

    data, synthetic = load_source(source)
    regions = pd.DataFrame({"code": [c.code for c in JJJ_CITIES], "name_zh": [c.name_zh for c in JJJ_CITIES],
                            "name_en": [c.name_en for c in JJJ_CITIES],
                            "province": [c.code[:2] + "0000" for c in JJJ_CITIES]})
    tables = jjj_demo_analyses(data, regions, permutations=permutations)
    ordered = {"notes": tables["notes"], **{k: v for k, v in tables.items() if k != "notes"}}
    written = write_tables(out, "jjj", ordered, synthetic)
    return jjj_summary(tables), written, synthetic
