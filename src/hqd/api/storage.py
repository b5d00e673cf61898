"""Where the API keeps frameworks, datasets and runs, and how it reads them back.

Everything lives in the runs folder (setting ``runs``)::

    <runs>/<run id>/                     run directories, as ``hqd run`` writes them (scores.csv …)
    <runs>/_uploads/frameworks/<id>/     an uploaded framework: the file and meta.json
    <runs>/_uploads/datasets/<id>/       an uploaded dataset: data, optional regions table, meta.json
    <runs>/_jobs/<id>.json               the status of the job that builds run <id>

A run directory appears only when complete (it is built in ``<runs>/.building-<id>`` and renamed), so a
reader never sees half a run.  Any sub-folder holding ``scores.csv`` is a run — also those written by the
CLI (``hqd demo --out DIR`` → run ``run``).  The bundled framework ``jjj`` and dataset ``jjj-demo``
(the Jing-Jin-Ji demo: real framework, SYNTHETIC panel) are always there.

Tables are read with the same readers as the CLI (:func:`hqd.io.rundir.read_scores` …) and kept in
memory while their file is unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from hqd.errors import HqdError, Problem

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
BUNDLED_FRAMEWORK = "jjj"
BUNDLED_DATASET = "jjj-demo"
DEMO_RUN = "jjj-demo"
T = TypeVar("T")

TABLE_FILES = ("scores", "weights", "growth", "drivers", "grades", "framework", "regions")
DOWNLOADS = ("results.xlsx", "narrative.md", "manifest.json", "recipe.yaml", "scores.csv", "weights.csv",
             "growth.csv", "drivers.csv", "grades.csv", "framework.csv", "regions.csv")
FRAMEWORK_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".yaml", ".yml")
DATA_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls", ".parquet", ".txt")


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def check_id(value: str, kind: str) -> str:
    """``value`` if it is a safe identifier (letters, digits, ``. _ -``; no path), else ``unknown_<kind>``."""
    if not ID_PATTERN.match(value) or ".." in value:
        raise HqdError([Problem(f"unknown_{kind}", f"no {kind} {value!r}")])
    return value


def new_id(name: str | None) -> str:
    """A fresh identifier: a slug of ``name`` (ASCII letters, digits, ``-``) and 8 random hex digits."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name or "").strip("-").lower()[:40]
    return f"{slug}-{uuid.uuid4().hex[:8]}" if slug else uuid.uuid4().hex[:12]


def safe_filename(name: str | None, allowed: tuple[str, ...], kind: str) -> str:
    """The base name of an uploaded file with an allowed suffix (``unsupported_format`` otherwise)."""
    base = Path(name or "").name
    suffix = Path(base).suffix.lower()
    if suffix not in allowed:
        raise HqdError([Problem("unsupported_format", f"a {kind} must be one of {', '.join(allowed)}; got "
                                f"{base or 'a file without a name'!r}", file=base or None)])
    stem = re.sub(r"[^\w.-]+", "_", Path(base).stem, flags=re.UNICODE).strip("._") or kind
    return stem[:80] + suffix


def relocate(error: HqdError, folder: Path) -> HqdError:
    """The same error with server paths under ``folder`` replaced by the uploaded file names."""
    prefix = str(folder)
    problems = []
    for p in error.problems:
        data = p.to_dict()
        if isinstance(data.get("file"), str) and data["file"].startswith(prefix):
            data["file"] = Path(data["file"]).name
        if prefix in data["message"]:
            data["message"] = data["message"].replace(prefix + "/", "").replace(prefix, "")
        problems.append(Problem(**data))
    return HqdError(problems)


def unreadable(file: str, exc: BaseException) -> HqdError:
    """The second line of defence at the API edge: any exception other than an :class:`HqdError` while an
    upload is parsed (a reader that missed a corrupt zip, an XML or encoding error, nesting too deep …) is
    a 400 ``unreadable_file`` naming the file and the exception's class, never a 500."""
    return HqdError([Problem("unreadable_file", f"the file could not be read ({exc.__class__.__name__}); "
                             "check that it is a valid file of its type", file=file)])


def parse_upload(file: str, folder: Path | None, read: Callable[[], T]) -> T:
    """``read()`` with its errors located in ``file``: an :class:`HqdError` is relocated from ``folder``,
    anything else becomes :func:`unreadable`."""
    try:
        return read()
    except HqdError as err:
        raise (relocate(err, folder) if folder is not None else err) from None
    except Exception as exc:  # the edge's last line of defence (MemoryError, RecursionError included)
        raise unreadable(file, exc) from None


_QUOTED = r"^'[=+\-@\t\r]"


def unquoted(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the apostrophe that the run directory's CSV files put before text a spreadsheet
    would run as a formula (:func:`hqd.io.excel.safe_text`): the API serves JSON, where ``'-x`` would just be
    a wrong name.  A copy only when some cell is quoted (tables are cached and shared)."""
    out = frame
    for column in frame.columns:
        values = frame[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        quoted = values.astype(str).str.match(_QUOTED).fillna(False).to_numpy(dtype=bool) & values.notna().to_numpy()
        if quoted.any():
            if out is frame:
                out = frame.copy()
            out[column] = values.where(~quoted, values.astype(str).str.slice(1))
    return out


def read_json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)


class Storage:
    """Frameworks, datasets, runs and jobs under one folder (see the module docstring)."""

    def __init__(self, root: Path, *, cache_size: int = 8) -> None:
        self.root = root
        self.uploads = root / "_uploads"
        self.jobs_dir = root / "_jobs"
        for folder in (self.uploads / "frameworks", self.uploads / "datasets", self.uploads / "geojson",
                       self.jobs_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._tables: OrderedDict[tuple[str, str], tuple[float, Any]] = OrderedDict()
        self._results: OrderedDict[tuple[str, float], Any] = OrderedDict()
        self._cache_size = cache_size

    # ------------------------------------------------------------------------------------ frameworks
    def framework_dir(self, fid: str) -> Path:
        return self.uploads / "frameworks" / check_id(fid, "framework")

    def framework(self, fid: str) -> dict[str, Any]:
        """The meta of framework ``fid`` (with ``path``); ``unknown_framework`` when absent."""
        if fid == BUNDLED_FRAMEWORK:
            from hqd.datasets.jjj import framework_path

            return {"id": fid, "name": "Jing-Jin-Ji high-quality development (bundled)", "bundled": True,
                    "file": framework_path().name, "path": str(framework_path()), "owner": None,
                    "created_at": None}
        meta = self.framework_dir(fid) / "meta.json"
        if not meta.exists():
            raise HqdError([Problem("unknown_framework", f"no framework {fid!r}")])
        data = read_json(meta)
        data["path"] = str(self.framework_dir(fid) / data["file"])
        return data

    def frameworks(self) -> list[dict[str, Any]]:
        found = [self.framework(BUNDLED_FRAMEWORK)]
        for meta in sorted((self.uploads / "frameworks").glob("*/meta.json")):
            found.append(self.framework(meta.parent.name))
        return found

    def save_framework(self, filename: str | None, content: bytes, *, name: str | None, owner: str
                       ) -> dict[str, Any]:
        """Validate an uploaded framework with :func:`hqd.io.framework.load_framework` and keep it."""
        from hqd.io.framework import load_framework

        file = safe_filename(filename, FRAMEWORK_SUFFIXES, "framework")
        fid = new_id(name or Path(file).stem)
        folder = self.uploads / "frameworks" / f".new-{fid}"
        folder.mkdir(parents=True)
        try:
            (folder / file).write_bytes(content)
            fw = parse_upload(file, folder, lambda: load_framework(folder / file))
            meta = {"id": fid, "name": name or Path(file).stem, "bundled": False, "file": file, "owner": owner,
                    "created_at": utcnow(), "nodes": len(fw.nodes), "indicators": len(fw.indicators),
                    "levels": fw.max_level, "index": fw.index_code, "dimensions": list(fw.dimensions),
                    "warnings": [p.to_dict() for p in fw.warnings]}
            write_json(folder / "meta.json", meta)
            folder.rename(self.framework_dir(fid))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return self.framework(fid)

    def delete_framework(self, fid: str) -> None:
        if fid == BUNDLED_FRAMEWORK:
            raise HqdError([Problem("read_only", "the bundled framework cannot be deleted")])
        self.framework(fid)
        shutil.rmtree(self.framework_dir(fid))

    # -------------------------------------------------------------------------------------- datasets
    def dataset_dir(self, did: str) -> Path:
        return self.uploads / "datasets" / check_id(did, "dataset")

    def ensure_demo_dataset(self) -> None:
        """Write the bundled demo's inputs (SYNTHETIC panel) once."""
        folder = self.dataset_dir(BUNDLED_DATASET)
        if (folder / "meta.json").exists():
            return
        from hqd.datasets.jjj import write_demo_inputs

        tmp = self.uploads / "datasets" / f".new-{uuid.uuid4().hex[:8]}"
        paths = write_demo_inputs(tmp)
        meta = {"id": BUNDLED_DATASET, "name": "Jing-Jin-Ji demo panel (SYNTHETIC)", "bundled": True,
                "framework": BUNDLED_FRAMEWORK, "file": paths["data"].name, "regions_file": paths["regions"].name,
                "recipe_file": paths["recipe"].name, "options": {}, "owner": None, "created_at": utcnow(),
                "synthetic": True}
        write_json(tmp / "meta.json", meta)
        try:
            tmp.rename(folder)
        except OSError:  # written by another worker meanwhile
            shutil.rmtree(tmp, ignore_errors=True)

    def dataset(self, did: str) -> dict[str, Any]:
        if did == BUNDLED_DATASET:
            self.ensure_demo_dataset()
        folder = self.dataset_dir(did)
        if not (folder / "meta.json").exists():
            raise HqdError([Problem("unknown_dataset", f"no dataset {did!r}")])
        meta = read_json(folder / "meta.json")
        meta["path"] = str(folder / meta["file"])
        meta["regions_path"] = str(folder / meta["regions_file"]) if meta.get("regions_file") else None
        meta["recipe_path"] = str(folder / meta["recipe_file"]) if meta.get("recipe_file") else None
        return meta

    def datasets(self) -> list[dict[str, Any]]:
        self.ensure_demo_dataset()
        return [self.dataset(meta.parent.name)
                for meta in sorted((self.uploads / "datasets").glob("*/meta.json"))]

    def save_dataset(self, *, data: tuple[str | None, bytes], regions: tuple[str | None, bytes] | None,
                     framework: str, options: dict[str, Any], name: str | None, owner: str) -> dict[str, Any]:
        """Validate an uploaded panel exactly as ``hqd validate`` does (:func:`hqd.pipeline.load_inputs`
        with the default recipe) against ``framework``, and keep it."""
        from hqd.pipeline import load_inputs

        fw = self.framework(framework)
        file = safe_filename(data[0], DATA_SUFFIXES, "data table")
        regions_file = safe_filename(regions[0], (".csv", ".xlsx", ".xlsm"), "regions table") if regions else None
        if regions_file is not None and regions_file == file:
            regions_file = "regions_" + regions_file
        did = new_id(name or Path(file).stem)
        folder = self.uploads / "datasets" / f".new-{did}"
        folder.mkdir(parents=True)
        try:
            (folder / file).write_bytes(data[1])
            if regions is not None and regions_file is not None:
                (folder / regions_file).write_bytes(regions[1])
            _, panel, _ = parse_upload(file, folder, lambda: load_inputs(
                fw["path"], folder / file, None, folder / regions_file if regions_file else None, **options))
            meta = {"id": did, "name": name or Path(file).stem, "bundled": False, "framework": framework,
                    "file": file, "regions_file": regions_file, "recipe_file": None, "options": options,
                    "owner": owner, "created_at": utcnow(), "synthetic": panel.synthetic,
                    "panel": panel.describe(), "data_sha256": panel.digest(),
                    "warnings": [p.to_dict() for p in panel.warnings][:200]}
            write_json(folder / "meta.json", meta)
            folder.rename(self.dataset_dir(did))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return self.dataset(did)

    def delete_dataset(self, did: str) -> None:
        if did == BUNDLED_DATASET:
            raise HqdError([Problem("read_only", "the bundled demo dataset cannot be deleted")])
        self.dataset(did)
        shutil.rmtree(self.dataset_dir(did))

    # --------------------------------------------------------------------------------------- geojson
    def geojson(self, gid: str) -> dict[str, Any]:
        """An uploaded GeoJSON (for choropleth charts) with its ``path``; ``unknown_geojson`` when absent."""
        folder = self.uploads / "geojson" / check_id(gid, "geojson")
        if not (folder / "meta.json").exists():
            raise HqdError([Problem("unknown_geojson", f"no uploaded GeoJSON {gid!r}")])
        meta = read_json(folder / "meta.json")
        meta["path"] = str(folder / meta["file"])
        return meta

    def geojsons(self) -> list[dict[str, Any]]:
        return [self.geojson(p.parent.name) for p in sorted((self.uploads / "geojson").glob("*/meta.json"))]

    def save_geojson(self, filename: str | None, content: bytes, *, name: str | None, owner: str
                     ) -> dict[str, Any]:
        """Keep an uploaded GeoJSON FeatureCollection (regions keyed by GB/T 2260 code in a property)."""
        file = safe_filename(filename, (".geojson", ".json"), "GeoJSON file")
        try:
            data = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise HqdError([Problem("invalid_geojson", f"not JSON text: {str(exc)[:200]}", file=file)]) from None
        except RecursionError:
            raise HqdError([Problem("invalid_geojson", "the JSON is nested too deeply", file=file)]) from None
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(features, list) \
                or not features:
            raise HqdError([Problem("invalid_geojson", "a GeoJSON FeatureCollection with features is needed",
                                    file=file)])
        gid = new_id(name or Path(file).stem)
        folder = self.uploads / "geojson" / gid
        folder.mkdir(parents=True)
        (folder / file).write_bytes(content)
        keys = sorted({str(k) for f in features if isinstance(f, dict) and isinstance(f.get("properties"), dict)
                       for k in f["properties"]})
        write_json(folder / "meta.json", {"id": gid, "name": name or Path(file).stem, "file": file, "owner": owner,
                                          "created_at": utcnow(), "features": len(features),
                                          "properties": keys[:50]})
        return self.geojson(gid)

    # ------------------------------------------------------------------------------------------ runs
    def run_path(self, rid: str) -> Path:
        return self.root / check_id(rid, "run")

    def run_dir(self, rid: str) -> Path:
        """The directory of a complete run; ``run_not_ready`` while its job runs, else ``unknown_run``."""
        path = self.run_path(rid)
        if (path / "scores.csv").exists():
            return path
        job = self.job_file(rid)
        if job.exists() and read_json(job).get("status") in ("queued", "running"):
            raise HqdError([Problem("run_not_ready", f"run {rid!r} is still being built; see /api/jobs/{rid}")])
        raise HqdError([Problem("unknown_run", f"no run {rid!r}")])

    def runs(self) -> list[dict[str, Any]]:
        out = []
        for scores in sorted(self.root.glob("*/scores.csv")):
            rid = scores.parent.name
            if ID_PATTERN.match(rid):
                out.append(self.run_summary(rid))
        return out

    def count_runs(self) -> int:
        return sum(1 for p in self.root.glob("*/scores.csv") if ID_PATTERN.match(p.parent.name))

    def run_summary(self, rid: str) -> dict[str, Any]:
        from hqd.io.rundir import read_manifest

        path = self.run_dir(rid)
        manifest = read_manifest(path)
        inputs = read_json(path / "inputs.json") if (path / "inputs.json").exists() else {}
        return {
            "id": rid, "name": inputs.get("name") or rid, "synthetic": bool(manifest.get("synthetic_data")),
            "panel": manifest.get("panel"), "recipe": (manifest.get("recipe") or {}).get("name"),
            "framework": inputs.get("framework_id"), "dataset": inputs.get("dataset_id"),
            "owner": inputs.get("owner"), "created_at": inputs.get("created_at"),
            "hqd_version": manifest.get("hqd_version"),
            "analyses": sorted(p.stem for p in (path / "analysis").glob("*.csv")) if (path / "analysis").is_dir()
            else [],
            "uncertainty": sorted(p.stem for p in (path / "uncertainty").glob("*.csv"))
            if (path / "uncertainty").is_dir() else [],
        }

    def delete_run(self, rid: str) -> None:
        path = self.run_dir(rid)
        trash = self.root / f".deleting-{rid}-{uuid.uuid4().hex[:6]}"
        path.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
        self.job_file(rid).unlink(missing_ok=True)

    def building_dir(self, rid: str) -> Path:
        return self.root / f".building-{check_id(rid, 'run')}"

    def publish(self, rid: str) -> Path:
        """Move a finished build into place (atomic rename)."""
        target = self.run_path(rid)
        self.building_dir(rid).rename(target)
        return target

    # ---------------------------------------------------------------------------------------- tables
    def _cached(self, key: tuple[str, str], path: Path, load: Callable[[Path], Any]) -> Any:
        mtime = path.stat().st_mtime
        with self._lock:
            hit = self._tables.get(key)
            if hit is not None and hit[0] == mtime:
                self._tables.move_to_end(key)
                return hit[1]
        value = load(path)
        with self._lock:
            self._tables[key] = (mtime, value)
            self._tables.move_to_end(key)
            while len(self._tables) > 16 * self._cache_size:
                self._tables.popitem(last=False)
        return value

    def table(self, rid: str, name: str) -> pd.DataFrame:
        """A table of the run directory (``scores``, ``weights``, ``growth`` …) as the CLI reads it, without
        the CSV files' spreadsheet apostrophes (:func:`unquoted`)."""
        from hqd.io.rundir import read_scores

        path = self.run_dir(rid) / f"{name}.csv"
        if name not in TABLE_FILES or not path.exists():
            raise HqdError([Problem("unknown_table", f"run {rid!r} has no {name}.csv")])
        if name == "scores":
            return self._cached((rid, name), path, lambda p: unquoted(read_scores(p.parent)))
        dtypes = {c: str for c in ("region", "node", "parent", "child", "code")}
        return self._cached((rid, name), path,
                            lambda p: unquoted(pd.read_csv(p, dtype=dtypes, keep_default_na=True)))

    def folder_tables(self, rid: str, folder: str) -> list[str]:
        path = self.run_dir(rid) / folder
        return sorted(p.stem for p in path.glob("*.csv")) if path.is_dir() else []

    def folder_table(self, rid: str, folder: str, name: str) -> tuple[pd.DataFrame, list[str]]:
        """``<run>/<folder>/<name>.csv`` (analysis or uncertainty) and its leading ``#`` notes."""
        path = self.run_dir(rid) / folder / f"{check_id(name, 'table')}.csv"
        if not path.exists():
            raise HqdError([Problem("unknown_table", f"run {rid!r} has no {folder}/{name}.csv; available: "
                                    + (", ".join(self.folder_tables(rid, folder)) or "none"))])

        def load(p: Path) -> tuple[pd.DataFrame, list[str]]:
            notes = []
            with p.open(encoding="utf-8") as handle:
                for line in handle:
                    if not line.startswith("#"):
                        break
                    notes.append(line[1:].strip())
            frame = pd.read_csv(p, comment=None, skiprows=len(notes), dtype={"region": str, "node": str})
            return unquoted(frame), notes

        value: tuple[pd.DataFrame, list[str]] = self._cached((rid, f"{folder}/{name}"), path, load)
        return value

    # ------------------------------------------------------------------------------ results (rebuild)
    def inputs(self, rid: str) -> dict[str, Any]:
        """What a run was built from: ``inputs.json`` (API runs), else the manifest's sources."""
        from hqd.io.rundir import read_manifest

        path = self.run_dir(rid)
        if (path / "inputs.json").exists():
            inputs = read_json(path / "inputs.json")
            try:  # uploads are found by id, so a runs folder that moved still works
                ds, fw = self.dataset(inputs["dataset_id"]), self.framework(inputs["framework_id"])
            except (HqdError, KeyError, TypeError):
                return inputs
            return {**inputs, "framework": fw["path"], "data": ds["path"], "regions": ds.get("regions_path")}
        manifest = read_manifest(path)
        regions = manifest.get("regions_source") or (str(path / "regions.csv") if (path / "regions.csv").exists()
                                                     else None)
        return {"framework": manifest.get("framework_source"), "data": manifest.get("data_source"),
                "regions": regions, "options": {}}

    def result(self, rid: str) -> Any:
        """The run's :class:`hqd.result.Result`, rebuilt with :func:`hqd.pipeline.run` from its recorded
        inputs and its resolved ``recipe.yaml`` (kept in memory).  ``inputs_unavailable`` when the inputs
        are gone; ``inputs_changed`` when the data no longer has the digest in the manifest."""
        from hqd.io.rundir import read_manifest
        from hqd.pipeline import run as run_pipeline

        path = self.run_dir(rid)
        key = (rid, (path / "scores.csv").stat().st_mtime)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        inputs = self.inputs(rid)
        data = inputs.get("data")
        sources = [inputs.get("framework"), *(data if isinstance(data, list) else [data])]
        if not all(isinstance(s, str) and Path(s).exists() for s in sources):
            raise HqdError([Problem("inputs_unavailable", f"run {rid!r}: its input files are not on the server "
                                    "any more, so only the periods written in the run directory can be served")])
        result = run_pipeline(inputs["framework"], data, path / "recipe.yaml", regions=inputs.get("regions"),
                              **(inputs.get("options") or {}))
        expected = read_manifest(path).get("data_sha256")
        if expected and result.panel.digest() != expected:
            raise HqdError([Problem("inputs_changed", f"run {rid!r}: its data file changed since the run was "
                                    "built; build a new run")])
        with self._lock:
            self._results[key] = result
            while len(self._results) > self._cache_size:
                self._results.popitem(last=False)
        return result

    # ------------------------------------------------------------------------------------------ jobs
    def job_file(self, rid: str) -> Path:
        return self.jobs_dir / f"{check_id(rid, 'job')}.json"
