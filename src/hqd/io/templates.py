"""Starting files for new users: ``hqd template framework|data|recipe --out F``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hqd.errors import HqdError
from hqd.io.excel import write_workbook

FRAMEWORK_HELP = [
    ("code", "唯一代码 / unique code of the node (index, dimension or indicator)"),
    ("parent", "上级代码；指数行留空 / code of the parent; blank for the index (exactly one row)"),
    ("name_zh", "中文名称 / Chinese name"),
    ("name_en", "英文名称 / English name"),
    ("direction", "指标方向 1 正向, -1 负向, moderate 适度 (needs target) / indicator direction; blank for aggregates"),
    ("weight", "相对同级的权重，留空为等权 / weight relative to siblings, renormalised; blank = equal"),
    ("unit", "单位 / unit"),
    ("transform", "可选：log / optional per-indicator transform (log)"),
    ("goalpost_min", "可选：目标值法下限 / optional fixed lower goalpost"),
    ("goalpost_max", "可选：目标值法上限 / optional fixed upper goalpost"),
    ("target", "适度指标的目标值或距离目标法的目标 / target of a moderate indicator or for distance_to_target"),
    ("denominator", "可选：分母列 / optional data column to divide by (denominate step)"),
]

RECIPE_TEMPLATE = """\
# HQD recipe — every step is optional; delete what you do not need.
# Method names are the same in YAML, CLI (`hqd methods`), API and docs.
name: my-index
placeholders: error        # error | missing — read —, …, /, NA as missing values
denominate: {{method: none}} # none | divide (uses the framework's `denominator` column)
impute: {{method: none}}     # {impute}
screen: {{method: none}}     # none | availability (threshold: 0.9)
treat: {{method: none}}      # {treat}
normalise:                 # {normalize}
  method: minmax
  lo: 0
  hi: 1
  scope: pooled            # pooled (all regions and years: years comparable) | by_year
weight:                    # {weight}
  method: manual           # framework weights (equal where blank)
  scope: within_parent     # within_parent | global (综合权重 over all indicators)
  sample: pooled           # data-driven weights on all region-years (一次法) | by_year (多次法)
  # by_level: {{2: {{method: entropy, shift: 0.0001}}}}
aggregate:                 # {aggregate}
  method: arithmetic
  # by_level: {{0: {{method: geometric}}}}
zero_policy: {{method: refuse}}  # refuse | na | epsilon | shift — for logs and geometric means
na_policy: skip            # skip (renormalise over available children) | propagate
# grades: {{cuts: [0.3, 0.5, 0.7], labels_zh: [低, 中, 较高, 高], labels_en: [low, medium, upper-middle, high]}}
# rank_group: province     # a column of the regions table: ranks within groups
"""


def write_template(kind: str, out: str | Path) -> Path:
    """Write the template of ``kind`` (framework, data, recipe) to ``out``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "framework":
        from hqd.datasets.jjj import framework_table

        example = framework_table()  # the whole demo framework: six dimensions, 36 real indicators
        help_sheet = pd.DataFrame(FRAMEWORK_HELP, columns=["key", "value"])
        if out.suffix.lower() == ".csv":
            return _csv(out, example, "HQD framework template — one row per node (index, dimensions, indicators)")
        write_workbook(_xlsx(out), {"framework": example, "README": help_sheet}, bilingual=False,
                       notes={"README": "HQD framework template — one row per node (index, dimensions, indicators)"})
        return _xlsx(out)
    if kind == "data":
        from hqd.datasets.jjj import synthetic_panel

        panel = synthetic_panel()
        # every indicator of the framework template, for two years: the two templates read back and run together
        example = panel[panel["year"].isin(sorted(panel["year"].unique())[:2])]
        readme = pd.DataFrame([
            ("region", "地区代码 (GB/T 2260, e.g. 110000) or ISO3 / region code"),
            ("year", "年份 / year"),
            ("<indicator code>", "one column per framework indicator (wide); or long: region, year, indicator, value"),
            ("note", "example values are SYNTHETIC (generated), replace them with your data"),
        ], columns=["key", "value"])
        if out.suffix.lower() == ".csv":
            return _csv(out, example, "SYNTHETIC example rows — replace with your data")
        write_workbook(_xlsx(out), {"data": example, "README": readme}, bilingual=False,
                       notes={"data": "SYNTHETIC example rows — replace with your data"})
        return _xlsx(out)
    if kind == "recipe":
        from hqd.methods import catalog

        text = RECIPE_TEMPLATE.format(**{f: " | ".join(catalog.names(f))
                                         for f in ("impute", "treat", "normalize", "weight", "aggregate")})
        out.write_text(text, encoding="utf-8")
        return out
    raise HqdError(f"unknown template {kind!r}; valid: framework, data, recipe", code="unknown_template")


def _csv(path: Path, frame: pd.DataFrame, note: str) -> Path:
    """A CSV template: the note as a leading ``#`` line (read back as a note), then the table."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"# {note}\n")
        frame.to_csv(handle, index=False)
    return path


def _xlsx(path: Path) -> Path:
    """Workbook templates: ``--out`` as named when it ends in .xlsx, else with .xlsx (or .csv, written as CSV)."""
    return path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")
