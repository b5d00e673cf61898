"""Reading a run directory for reports and charts: every file optional except ``scores.csv``.

A run directory (``hqd run … --out DIR``) holds ``scores.csv`` and, usually, ``framework.csv``,
``weights.csv``, ``growth.csv``, ``drivers.csv``, ``grades.csv``, ``narrative.md``, ``manifest.json``;
``analysis/`` after ``hqd analyze jjj``; ``uncertainty/`` after ``hqd uncertainty``.  :class:`RunData`
reads each file on first use (a leading ``# SYNTHETIC …`` comment line is skipped) and keeps parsed
tables in a small cache keyed by path, size and modification time, so a dashboard asking for chart
after chart reads each file once.  :meth:`RunData.require` turns an absent file into an
:class:`~hqd.errors.HqdError` with reason code ``missing_input`` naming it.

Region names come from ``regions.csv`` in the run directory when there is one (``code, name_zh,
name_en[, short_zh]``), else from the built-in Jing-Jin-Ji cities and the GB/T 2260 crosswalk, else
the code itself.
"""

from __future__ import annotations

import json
import threading
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem

#: Columns read as text (codes), never as numbers.
_TEXT_COLUMNS = ("region", "node", "code", "parent", "child", "indicator", "dimension", "target", "input",
                 "group", "group_j", "group_h", "key")

_CACHE: dict[tuple[str, int, int], pd.DataFrame] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 64

#: Analysis tables written by ``hqd analyze jjj`` (``analysis/jjj_<name>.csv``).
ANALYSIS_FILES = ("coupling_dimensions", "coupling_dimensions_corrected", "coupling_jjj", "coupling_jjj_corrected",
                  "theil", "theil_groups", "dagum", "dagum_groups", "dagum_pairs", "sigma", "beta", "moran",
                  "obstacles_dimensions", "obstacles_top")


def read_table(path: Path) -> pd.DataFrame:
    """A CSV of a run directory, leading ``#`` comment lines skipped, code columns as text (cached)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    with path.open(encoding="utf-8") as handle:
        skip = 0
        for line in handle:
            if not line.startswith("#"):
                break
            skip += 1
    header = pd.read_csv(path, skiprows=skip, nrows=0)
    dtypes = {c: str for c in header.columns if c in _TEXT_COLUMNS}
    frame = pd.read_csv(path, skiprows=skip, dtype=dtypes, keep_default_na=True)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = frame
    return frame


def missing_input(file: Path | str, what: str) -> HqdError:
    """The error for an input a chart or report part needs and the run directory lacks."""
    return HqdError([Problem("missing_input", f"{what} needs {Path(file).name}, which the run directory lacks",
                             file=str(file))])


class RunData:
    """Lazy, cached access to the files of one run directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        scores = self.path / "scores.csv"
        if not scores.is_file():
            raise HqdError([Problem("missing_input", f"not a run directory (no scores.csv): {self.path}",
                                    file=str(scores))])

    # ------------------------------------------------------------------ files
    def file(self, name: str) -> Path:
        return self.path / name

    def has(self, name: str) -> bool:
        return (self.path / name).is_file()

    def table(self, name: str) -> pd.DataFrame | None:
        """``name`` (relative to the run directory) as a table, or None when absent."""
        path = self.path / name
        return read_table(path) if path.is_file() else None

    def require(self, name: str, what: str) -> pd.DataFrame:
        """``name`` as a table; ``missing_input`` naming it when absent."""
        frame = self.table(name)
        if frame is None:
            raise missing_input(self.path / name, what)
        return frame

    def analysis(self, name: str) -> pd.DataFrame | None:
        return self.table(f"analysis/jjj_{name}.csv")

    def require_analysis(self, name: str, what: str) -> pd.DataFrame:
        return self.require(f"analysis/jjj_{name}.csv", what)

    @property
    def has_analysis(self) -> bool:
        return (self.path / "analysis").is_dir() and any((self.path / "analysis").glob("jjj_*.csv"))

    @property
    def has_uncertainty(self) -> bool:
        return self.has("uncertainty/rank_stats.csv")

    # ------------------------------------------------------------------ core tables
    @property
    def scores(self) -> pd.DataFrame:
        return read_table(self.path / "scores.csv")

    @cached_property
    def manifest(self) -> dict[str, Any]:
        path = self.path / "manifest.json"
        if not path.is_file():
            return {}
        try:
            return dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise HqdError([Problem("invalid_json", f"manifest.json does not parse: {exc}", file=str(path))]) \
                from None

    @property
    def synthetic(self) -> bool:
        manifest = self.manifest
        return bool(manifest.get("synthetic_data") or manifest.get("panel", {}).get("synthetic"))

    @cached_property
    def framework(self) -> pd.DataFrame:
        """``framework.csv`` indexed by code; without it, a tree guessed from the levels of scores.csv."""
        frame = self.table("framework.csv")
        if frame is not None and {"code", "name_zh", "name_en"} <= set(frame.columns):
            return frame.set_index("code", drop=False)
        scores = self.scores
        nodes = scores.drop_duplicates("node")[["node", "level"]]
        return pd.DataFrame({"code": nodes["node"].to_numpy(), "parent": None, "name_zh": nodes["node"].to_numpy(),
                             "name_en": nodes["node"].to_numpy(), "level": nodes["level"].to_numpy()},
                            index=nodes["node"].to_numpy())

    @cached_property
    def index_code(self) -> str:
        scores = self.scores
        top = scores.loc[scores["level"] == scores["level"].min(), "node"].unique()
        return str(top[0])

    @cached_property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.scores["year"].dropna().unique())

    @cached_property
    def regions(self) -> list[str]:
        """Region codes in the order of scores.csv."""
        return [str(r) for r in pd.unique(self.scores["region"])]

    @cached_property
    def dimensions(self) -> list[str]:
        """The level-1 nodes, in framework order."""
        fw = self.framework
        present = set(self.scores.loc[self.scores["level"] == 1, "node"])
        if "level" in fw.columns:
            ordered = [str(c) for c in fw.loc[fw["level"] == 1, "code"]]
            return [c for c in ordered if c in present]
        return [str(c) for c in pd.unique(self.scores.loc[self.scores["level"] == 1, "node"])]

    def children(self, node: str) -> list[str]:
        fw = self.framework
        if "parent" not in fw.columns:
            return []
        return [str(c) for c in fw.loc[fw["parent"].astype(str) == node, "code"]]

    def nodes(self) -> list[str]:
        return [str(n) for n in pd.unique(self.scores["node"])]

    def node_name(self, code: str, lang: str) -> str:
        fw = self.framework
        if code in fw.index:
            for column in (("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")):
                value = fw.at[code, column]
                if isinstance(value, str) and value.strip():
                    return value
        return code

    # ------------------------------------------------------------------ regions
    @cached_property
    def region_table(self) -> pd.DataFrame:
        """``code, name_zh, name_en, short_zh`` of every region of scores.csv (first, in order), then of the
        built-in Jing-Jin-Ji units (for analysis tables keyed ``JJJ`` or by province)."""
        codes = self.regions
        own = self.table("regions.csv")
        rows: dict[str, tuple[str, str, str]] = {}
        if own is not None and "code" in own.columns:
            own = own.assign(code=own["code"].astype(str))
            for record in own.to_dict("records"):
                zh = _text(record.get("name_zh")) or str(record["code"])
                en = _text(record.get("name_en")) or zh
                rows[str(record["code"])] = (zh, en, _text(record.get("short_zh")) or zh)
        from hqd.model.regions import JJJ_CITIES, JJJ_PROVINCES, JJJ_REGION

        for known in (*JJJ_CITIES, *JJJ_PROVINCES, JJJ_REGION):
            rows.setdefault(known.code, (known.name_zh, known.name_en, known.short_zh or known.name_zh))
        unknown = [c for c in codes if c not in rows and len(c) == 6 and c.isdigit()]
        if unknown:
            from hqd.model.regions import region

            for code in unknown:
                try:
                    found = region(code)
                except HqdError:
                    continue
                rows[code] = (found.name_zh, found.name_en, found.short_zh or found.name_zh)
        extra = [c for c in rows if c not in set(codes)]
        table = pd.DataFrame(
            [(c, *rows.get(c, (c, c, c))) for c in [*codes, *extra]], columns=["code", "name_zh", "name_en", "short_zh"]
        )
        return table.set_index("code", drop=False)

    def region_name(self, code: str, lang: str, *, short: bool = True) -> str:
        table = self.region_table
        if code not in table.index:
            return code
        if lang == "en":
            return str(table.at[code, "name_en"])
        return str(table.at[code, "short_zh" if short else "name_zh"])

    def region_names(self, codes: Any, lang: str) -> list[str]:
        return [self.region_name(str(c), lang) for c in codes]

    # ------------------------------------------------------------------ text
    def narrative(self, lang: str) -> list[str]:
        """The growth sentences of ``narrative.md`` in ``lang`` (Chinese lines start with ``- ``)."""
        path = self.path / "narrative.md"
        if not path.is_file():
            return []
        out: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("- ") and lang == "zh":
                out.append(line[2:].strip())
            elif line.startswith("  ") and line.strip() and lang == "en":
                out.append(line.strip())
        return out

    # ------------------------------------------------------------------ helpers
    def node_scores(self, node: str) -> pd.DataFrame:
        scores = self.scores
        return scores[scores["node"] == node]

    def score_matrix(self, node: str) -> pd.DataFrame:
        """``node``'s scores as a region × year table (regions in scores.csv order)."""
        frame = self.node_scores(node)
        wide = frame.pivot_table(index="region", columns="year", values="score", sort=False, dropna=False)
        return wide.reindex(index=[r for r in self.regions if r in wide.index])

    def rank_matrix(self, node: str) -> pd.DataFrame:
        frame = self.node_scores(node)
        wide = frame.pivot_table(index="region", columns="year", values="rank", sort=False, dropna=False)
        return wide.reindex(index=[r for r in self.regions if r in wide.index])


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()
