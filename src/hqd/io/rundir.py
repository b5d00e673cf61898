"""The run directory: what ``hqd run`` writes and later commands (analysis, uncertainty, reports) read.

Files: ``scores.csv`` (``region, year, node, level, score, rank, group_rank``), ``regions.csv`` (the
regions' names and groups as read), ``weights.csv``
(``node, parent, year, method, weight, effective_weight``), ``framework.csv``, ``recipe.yaml`` (as
resolved, defaults filled in), ``manifest.json``, ``growth.csv``, ``yoy.csv``, ``drivers.csv``, ``grades.csv``,
``narrative.md`` and ``results.xlsx``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from hqd.errors import HqdError, Problem
from hqd.io.excel import neutralise, write_workbook

if TYPE_CHECKING:  # io/ sits below the results it writes: it reads their attributes only
    from hqd.result import Result

SYNTHETIC_LABEL = "SYNTHETIC DATA — not official statistics (合成数据，非官方统计)"


def write_run(result: Result, out: str | Path, *, narrative_regions: list[str] | None = None) -> Path:
    """Write ``result`` to the run directory ``out`` (created if needed); returns its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    scores = result.scores
    neutralise(scores).to_csv(out / "scores.csv", index=False)
    neutralise(result.weights).to_csv(out / "weights.csv", index=False)
    neutralise(result.framework.to_frame()).to_csv(out / "framework.csv", index=False)
    neutralise(result.panel.region_meta.reset_index()).to_csv(out / "regions.csv", index=False)
    (out / "recipe.yaml").write_text(result.recipe.to_yaml(), encoding="utf-8")
    (out / "manifest.json").write_text(result.manifest_json(), encoding="utf-8")
    growth = result.growth()
    drivers = _safe_drivers(result)
    neutralise(growth).to_csv(out / "growth.csv", index=False)
    yoy = result.yoy()
    neutralise(yoy).to_csv(out / "yoy.csv", index=False)
    if drivers is not None:
        neutralise(drivers).to_csv(out / "drivers.csv", index=False)
    neutralise(result.grades).to_csv(out / "grades.csv", index=False)
    lines = narratives(result, narrative_regions)
    (out / "narrative.md").write_text("\n".join(lines) + "\n", encoding="utf-8")

    sheets: dict[str, pd.DataFrame] = {}
    notes: dict[str, str] = {}
    label = SYNTHETIC_LABEL if result.panel.synthetic else None
    for step in ("raw", "denominated", "imputed", "screened", "treated", "normalised"):
        if step in result.steps:
            sheets[step] = result.step_table(step).reset_index()
    sheets["weights"] = result.weights
    sheets["scores"] = scores.pivot_table(index=["region", "year"], columns="node", values="score",
                                          sort=False).reset_index() if len(scores) < 2_000_000 else scores.head(0)
    sheets["ranks"] = scores[scores["level"] <= 1][["region", "year", "node", "level", "score", "rank",
                                                    "group_rank"]]
    sheets["growth"] = growth
    sheets["yoy"] = yoy
    if drivers is not None:
        sheets["drivers"] = drivers
    sheets["grades"] = result.grades
    sheets["narrative"] = pd.DataFrame({"narrative": lines})
    for name, frame in result.intermediates.items():
        sheets[name] = frame
    for name, frame in result.logs.items():
        sheets[f"log_{name}"] = frame
    sheets["framework"] = result.framework.to_frame()
    manifest = result.manifest
    sheets["manifest"] = pd.DataFrame({"key": list(manifest),
                                       "value": [json.dumps(v, ensure_ascii=False, default=str)
                                                 if not isinstance(v, str) else v for v in manifest.values()]})
    if label:
        notes = {name: label for name in sheets}
    if sum(len(f) for f in sheets.values()) <= 1_000_000:
        write_workbook(out / "results.xlsx", sheets, notes=notes)
    return out


def _safe_drivers(result: Result) -> pd.DataFrame | None:
    try:
        return result.drivers()
    except HqdError:
        return None


def narratives(result: Result, regions: list[str] | None = None) -> list[str]:
    """The Chinese and English growth sentences for ``regions`` (default: every region)."""
    lines: list[str] = []
    if len(result.years) < 2:
        return lines
    if result.panel.synthetic:
        lines.append(f"> {SYNTHETIC_LABEL}")
        lines.append("")
    for region in regions or result.regions:
        try:
            lines.append("- " + result.narrative(region, lang="zh"))
            lines.append("  " + result.narrative(region, lang="en"))
        except (HqdError, KeyError, IndexError):
            continue
    return lines


def read_scores(run_dir: str | Path) -> pd.DataFrame:
    """``scores.csv`` of a run directory (region codes as text)."""
    path = Path(run_dir) / "scores.csv"
    if not path.exists():
        raise HqdError([Problem("file_not_found", f"not a run directory (no scores.csv): {run_dir}",
                                file=str(path))])
    return pd.read_csv(path, dtype={"region": str, "node": str})


def read_manifest(run_dir: str | Path) -> dict[str, Any]:
    path = Path(run_dir) / "manifest.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}
