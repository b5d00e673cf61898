"""A seeded mutation fuzzer over HQD's own input files, through ``hqd validate`` and ``hqd run`` in-process.

The seeds are the files a user starts from: the Jing-Jin-Ji demo inputs (its framework, SYNTHETIC panel,
recipe and regions), the ``hqd template`` files and the bundled examples' frameworks and recipes, with the
demo panel also as ``.xlsx``, ``.xls``-named and Parquet.  Each case mutates one input — truncation, byte
flips, a type swap in YAML, a duplicated / removed / renamed column, a merged header, huge numbers, NaN and
inf text, a title row, a reversed or out-of-range ``--years`` — and runs the command through the CLI's
entry point (:func:`hqd.cli.main.main`).  Any exception that is not turned into a clean error, or an exit
code other than 0 and 2, fails the test and prints the reproducer (seed and case).  The bounded run here
is the CI gate; ``benchmarks/bench_fuzz.py`` runs 20,000 cases.
"""

from __future__ import annotations

import contextlib
import io
import random
import shutil
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CASES = 500
SEED = 20261204


@dataclass
class Case:
    """One fuzz case: the command, the mutation applied and the files it used."""

    number: int
    command: str
    mutation: str
    args: list[str] = field(default_factory=list)

    def reproducer(self, seed: int) -> str:
        return (f"seed={seed} case={self.number} command={self.command} mutation={self.mutation}\n"
                f"  args: {' '.join(self.args)}\n"
                f"  rerun: .venv/bin/python benchmarks/bench_fuzz.py --seed {seed} --only {self.number}")


@dataclass
class Outcome:
    case: Case
    exit_code: int | None
    traceback: str | None = None


# --------------------------------------------------------------------------- seeds
def make_seeds(folder: Path) -> dict[str, Path]:
    """The seed files, written once into ``folder``."""
    from hqd.datasets.jjj import write_demo_inputs
    from hqd.io.templates import write_template

    paths = {k: Path(v) for k, v in write_demo_inputs(folder / "demo").items()}
    data = pd.read_csv(paths["data"], comment="#", dtype={"region": str})
    paths["data_xlsx"] = folder / "demo" / "panel.xlsx"
    data.to_excel(paths["data_xlsx"], index=False)
    paths["data_parquet"] = folder / "demo" / "panel.parquet"
    data.to_parquet(paths["data_parquet"])
    fw = pd.read_csv(paths["framework"], dtype=str)
    paths["framework_xlsx"] = folder / "demo" / "framework.xlsx"
    fw.to_excel(paths["framework_xlsx"], index=False)
    paths["framework_yaml"] = folder / "demo" / "framework.yaml"
    records = [{k: v for k, v in row.items() if isinstance(v, str)} for row in fw.to_dict("records")]
    paths["framework_yaml"].write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    templates = folder / "templates"
    paths["template_data"] = write_template("data", templates / "data.xlsx")
    paths["template_framework"] = write_template("framework", templates / "framework.xlsx")
    paths["template_recipe"] = write_template("recipe", templates / "recipe.yaml")
    for example in ("hdi", "china_innovation", "entropy_topsis", "coinr_asem"):
        recipe = REPO / "examples" / example / "recipe.yaml"
        if recipe.exists():
            paths[f"recipe_{example}"] = recipe
    return paths


# --------------------------------------------------------------------------- mutations
def _bytes_truncate(rng: random.Random, raw: bytes) -> bytes:
    return raw[: rng.randrange(0, max(len(raw), 1))]


def _bytes_flip(rng: random.Random, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.choice((1, 2, 8, 64))):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


WEIRD_CELLS = ["1e400", "-1e400", "inf", "-inf", "NaN", "nan", "", "—", "…", "1,234.5", "abc", "1.7e308", "0",
               "-0", "1e-320", "TRUE", "2020-01-01", "=1+1", "\x0b", "１２３", " 12 ", "1_000", "0x1F", "12%"]


def _table_mutation(rng: random.Random, frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    frame = frame.copy()
    columns = list(frame.columns)
    kind = rng.choice(["duplicate_column", "remove_column", "rename_column", "weird_cell", "weird_column",
                       "huge_numbers", "drop_rows", "duplicate_rows", "empty", "swap_columns", "blank_key",
                       "header_only"])
    if kind == "duplicate_column" and columns:
        name = rng.choice(columns)
        frame = pd.concat([frame, frame[[name]]], axis=1)
    elif kind == "remove_column" and columns:
        frame = frame.drop(columns=[rng.choice(columns)])
    elif kind == "rename_column" and columns:
        name = rng.choice(columns)
        frame = frame.rename(columns={name: rng.choice(["", " ", "城市", "年份", "地区", name + "_2020", "x" * 40])})
    elif kind in ("weird_cell", "weird_column") and columns and len(frame):
        frame = frame.astype(object)
        name = rng.choice(columns)
        rows = range(len(frame)) if kind == "weird_column" else [rng.randrange(len(frame))]
        for r in rows:
            frame.iat[r, columns.index(name)] = rng.choice(WEIRD_CELLS)
    elif kind == "huge_numbers" and len(frame):
        frame = frame.astype(object)
        for _ in range(5):
            frame.iat[rng.randrange(len(frame)), rng.randrange(len(columns))] = rng.choice(
                [1.7e308, -1.7e308, 1e300, 5e-324, float("inf"), float("nan")])
    elif kind == "drop_rows" and len(frame):
        frame = frame.sample(frac=rng.random(), random_state=rng.randrange(10_000))
    elif kind == "duplicate_rows" and len(frame):
        frame = pd.concat([frame, frame.sample(n=min(3, len(frame)), random_state=rng.randrange(10_000))])
    elif kind == "empty":
        frame = frame.iloc[0:0]
    elif kind == "swap_columns" and len(columns) > 1:
        a, b = rng.sample(columns, 2)
        frame = frame.rename(columns={a: b, b: a})
    elif kind == "blank_key" and len(frame):
        frame = frame.astype(object)
        frame.iat[rng.randrange(len(frame)), 0] = None
    elif kind == "header_only":
        frame = frame.iloc[:1]
    return frame, kind


def _yaml_swap(rng: random.Random, data: Any) -> tuple[Any, str]:
    """Replace one value anywhere in a YAML document by a value of another type."""
    values = [5, -1, 0, 1e308, "banana", [], ["a"], {"k": "v"}, None, True, "", [1, [2, 3]], {"method": 5}]
    paths: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in node:
                paths.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for k in range(len(node)):
                paths.append((node, k))
                walk(node[k])

    walk(data)
    if not paths:
        return rng.choice(values), "yaml_root_swap"
    parent, key = rng.choice(paths)
    choice = rng.random()
    if choice < 0.15 and isinstance(parent, dict):
        del parent[key]
        return data, f"yaml_delete[{key!r}]"
    if choice < 0.3 and isinstance(parent, dict):
        parent[rng.choice(["banana", "over", "children", "nodes", "by_level", "zero_policy"])] = rng.choice(values)
        return data, "yaml_add_key"
    parent[key] = rng.choice(values)
    return data, f"yaml_swap[{key!r}]"


def _yaml_text_mutation(rng: random.Random, text: str) -> tuple[str, str]:
    kind = rng.choice(["alias", "latin1", "tabs", "deep"])
    if kind == "alias":
        return "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n" + text, "yaml_alias"
    if kind == "tabs":
        return text.replace("  ", "\t", 1), "yaml_tab"
    if kind == "deep":
        return "x: " + "[" * 2000 + "]" * 2000 + "\n" + text, "yaml_deep"
    return text + "\n# café\n", "latin1"


def _write_table(frame: pd.DataFrame, path: Path, rng: random.Random) -> str:
    """Write ``frame`` in the seed's format; for workbooks sometimes with a title row or a merged header."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        if frame.columns.duplicated().any():  # Parquet cannot hold two columns of one name: CSV text, misnamed
            frame.to_csv(path, index=False)
            return "csv_as_parquet"
        try:
            frame.to_parquet(path)
        except (ValueError, TypeError, ArithmeticError):  # mixed objects pyarrow cannot type: write them as text
            frame.astype(str).to_parquet(path)
        return ""
    if suffix == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        book = Workbook()
        sheet = book.active
        extra = rng.choice(["", "", "title", "merged", "merged_header"])
        if extra == "title":
            sheet.append(["SYNTHETIC 标题 — 某某市高质量发展指标"])
        if extra == "merged_header":
            groups = ["", ""] + [f"组{j // 3}" if j % 3 == 0 else None for j in range(len(frame.columns) - 2)]
            sheet.append(groups)
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("?", str(c)) for c in frame.columns])
        def cell(v: Any) -> Any:  # what a workbook can hold: no control characters, no NaN
            if isinstance(v, float) and v != v:
                return None
            if isinstance(v, str) or not isinstance(v, int | float) or isinstance(v, bool):
                return ILLEGAL_CHARACTERS_RE.sub("?", str(v))
            return v

        for row in frame.itertuples(index=False):
            sheet.append([cell(v) for v in row])
        if extra == "merged" and sheet.max_row > 2:
            sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=min(3, sheet.max_column))
        book.save(path)
        return extra
    with path.open("w", encoding="utf-8", newline="") as handle:
        if rng.random() < 0.2:
            handle.write("# SYNTHETIC fuzz case\n")
        frame.to_csv(handle, index=False)
    return ""


def _read_seed_table(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=object)
    return pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)


def make_case(number: int, seed: int, seeds: dict[str, Path], folder: Path) -> tuple[Case, list[str]]:
    """Build case ``number`` (deterministic in ``seed`` and ``number``) and return it with its CLI args."""
    rng = random.Random(seed * 1_000_003 + number)
    case_dir = folder / f"case{number}"
    case_dir.mkdir(parents=True, exist_ok=True)
    framework = seeds[rng.choice(["framework", "framework", "framework_xlsx", "framework_yaml",
                                  "template_framework"])]
    data = seeds[rng.choice(["data", "data", "data_xlsx", "data_parquet", "template_data"])]
    recipe = seeds[rng.choice(["recipe", "recipe", "template_recipe",
                               *[k for k in seeds if k.startswith("recipe_")]])]
    regions: Path | None = seeds["regions"] if rng.random() < 0.5 else None
    target = rng.choice(["data", "data", "data", "framework", "recipe", "regions", "args"])
    extra: list[str] = []
    mutation = target

    def copy(path: Path, name: str) -> Path:
        out = case_dir / (name + path.suffix)
        shutil.copyfile(path, out)
        return out

    if target in ("data", "framework", "regions"):
        source = {"data": data, "framework": framework, "regions": regions or seeds["regions"]}[target]
        out = case_dir / (target + source.suffix)
        how = rng.random()
        if how < 0.25:
            raw = source.read_bytes()
            out.write_bytes(_bytes_truncate(rng, raw) if rng.random() < 0.5 else _bytes_flip(rng, raw))
            mutation = f"{target}:bytes"
        elif source.suffix in (".yaml", ".yml"):
            if rng.random() < 0.3:
                text, kind = _yaml_text_mutation(rng, source.read_text(encoding="utf-8"))
                out.write_bytes(text.encode("latin-1", errors="replace") if kind == "latin1" else
                                text.encode("utf-8"))
            else:
                document, kind = _yaml_swap(rng, yaml.safe_load(source.read_text(encoding="utf-8")))
                out.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
            mutation = f"{target}:{kind}"
        elif how < 0.35:
            out = case_dir / (target + rng.choice([".xlsx", ".xls", ".csv", ".parquet"]))
            shutil.copyfile(source, out)
            mutation = f"{target}:renamed{out.suffix}"
        else:
            frame = _read_seed_table(source)
            frame, kind = _table_mutation(rng, frame)
            layout = _write_table(frame, out, rng)
            mutation = f"{target}:{kind}{'+' + layout if layout else ''}"
        if target == "data":
            data = out
        elif target == "framework":
            framework = out
        else:
            regions = out
    elif target == "recipe":
        out = case_dir / "recipe.yaml"
        text = recipe.read_text(encoding="utf-8")
        if rng.random() < 0.2:
            text, kind = _yaml_text_mutation(rng, text)
            out.write_bytes(text.encode("latin-1", errors="replace") if kind == "latin1" else text.encode("utf-8"))
        else:
            document, kind = _yaml_swap(rng, yaml.safe_load(text) or {})
            out.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        recipe = out
        mutation = f"recipe:{kind}"
    else:
        a, b = rng.choice([(2018, 2015), (1990, 1995), (2030, 2040), (2015, 2015), (0, 99999), (2020, 2012)])
        extra = ["--years", f"{a}:{b}"]
        mutation = f"args:years {a}:{b}"
    if rng.random() < 0.1:
        extra += ["--sheet", rng.choice(["1", "2", "data", "nope"])]
    # ``run`` writes a whole run directory (seconds a case): most builds go through the function the CLI's
    # ``run`` calls (``build``), a few through the command itself.
    draw = rng.random()
    command = "run" if draw < 0.03 else "build" if draw < 0.4 else "validate"
    args = [command, "--framework", str(framework), "--data", str(data), "--recipe", str(recipe)]
    if regions is not None:
        args += ["--regions", str(regions)]
    if command == "run":
        args += ["--out", str(case_dir / "run")]
    args += extra
    return Case(number, command, mutation, args), args


def run_build(args: list[str]) -> tuple[int | None, str | None]:
    """What ``hqd run`` does before it writes the run directory: the CLI's data options, then
    :func:`hqd.pipeline.run`.  ``(0 or 2, traceback)`` as :func:`run_cli`."""
    from hqd.cli.engine import _data_options
    from hqd.errors import HqdError
    from hqd.pipeline import run

    given = dict(zip(args[1::2], args[2::2], strict=False))
    try:
        options = _data_options(None, None, None, None, given.get("--years"), None, None, given.get("--sheet"))
        run(given["--framework"], given["--data"], given["--recipe"], regions=given.get("--regions"), **options)
        return 0, None
    except HqdError:
        return 2, None
    except BaseException:  # the fuzzer's purpose: report whatever escaped
        return None, traceback.format_exc()


def run_cli(args: list[str]) -> tuple[int | None, str | None]:
    """Run ``hqd ARGS`` through the console-script entry point in this process: ``(exit code, traceback)``."""
    from hqd.cli.main import main

    if args[0] == "build":
        return run_build(args)
    saved = sys.argv
    sys.argv = ["hqd", *args]
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            main()
        return 0, None
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        return code, None
    except BaseException:  # the fuzzer's purpose: report whatever escaped
        return None, traceback.format_exc()
    finally:
        sys.argv = saved


def fuzz(cases: int, seed: int, folder: Path, *, only: int | None = None,
         progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run ``cases`` fuzz cases (or the one case ``only``) and return their outcomes."""
    seeds = make_seeds(folder / "seeds")
    numbers = [only] if only is not None else list(range(cases))
    outcomes = []
    for number in numbers:
        case, args = make_case(number, seed, seeds, folder / "cases")
        code, trace = run_cli(args)
        outcome = Outcome(case, code, trace)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
        shutil.rmtree(folder / "cases" / f"case{number}", ignore_errors=True)
    return outcomes


def failures(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.traceback is not None or o.exit_code not in (0, 2)]


@pytest.mark.slow
def test_fuzzed_inputs_give_a_clean_error_or_a_result(tmp_path: Path) -> None:
    outcomes = fuzz(CASES, SEED, tmp_path)
    bad = failures(outcomes)
    report = "\n\n".join(f"{o.case.reproducer(SEED)}\n  exit code: {o.exit_code}\n{o.traceback or ''}"
                         for o in bad[:10])
    assert not bad, f"{len(bad)} of {len(outcomes)} fuzz cases ended badly:\n{report}"
    codes = {o.exit_code for o in outcomes}
    assert codes == {0, 2}, f"the fuzzer should reach both valid and invalid inputs; exit codes seen: {codes}"


def test_the_fuzzer_is_deterministic(tmp_path: Path) -> None:
    seeds = make_seeds(tmp_path / "seeds")
    first = [make_case(n, SEED, seeds, tmp_path / "a")[0] for n in range(20)]
    second = [make_case(n, SEED, seeds, tmp_path / "b")[0] for n in range(20)]
    assert [(c.command, c.mutation) for c in first] == [(c.command, c.mutation) for c in second]
    assert len({c.mutation.split(":")[0] for c in first}) > 2
