"""Monte Carlo uncertainty analysis of an index: the sampler, the batched runs, rank bands, Sobol.

:func:`uncertainty_analysis` loads and checks the inputs and the spec, builds the nominal index with
:func:`hqd.pipeline.build`, then evaluates all runs as arrays:

1. **Sampling.** ``method="ua"``: N rows of independent U(0, 1) values, one column per discrete input and
   one per perturbed weight of a continuous ``weight_noise`` input (COINr's ``SA_type = "UA"``).
   ``method="sobol"``: the Saltelli design of :func:`hqd.robustness.sensitivity.saltelli_design`,
   N(d + 2) runs.  A value u picks alternative ⌊u·K⌋ of a discrete input; it becomes the multiplier
   1 + f(2u − 1) of a perturbed weight.  One seed drives everything: the same seed gives the same numbers.
2. **Expensive steps once.** Each distinct combination of imputation, treatment and normalisation
   alternatives that the runs use is built once with :func:`hqd.pipeline.build` (the one pipeline), and
   its normalised cube is shared by all runs that use it.
3. **Batched runs.** The runs of each cube are evaluated in chunks (bounded memory) by
   :class:`hqd.robustness.engine.BatchEngine`: all weight sets of a chunk as one matrix, aggregation as
   matrix products over a leading runs axis.  Chunks are spread over a process pool (``workers``) when
   the work is large enough to pay for it.
4. **Self-check.** The engine's nominal run must reproduce the pipeline's nominal build (relative 1e-9);
   otherwise the analysis stops with ``internal_mismatch`` rather than report wrong numbers.
5. **Statistics.** Ranks per run (1 + number of strictly higher scores, as the pipeline), then per node,
   year and region: nominal rank, mean, median, 5th and 95th percentiles over the runs (numpy's
   ``linear`` quantiles = R's type 7, as COINr).  Failed runs (see the engine) are left out and counted.
   With ``method="sobol"`` the targets are COINr's — the mean absolute rank change of the index against
   nominal, one scalar per run — and each region's rank, in the spec's ``year`` (default the last year).

COINr's noisy weights: COINr's vignette draws 100 noisy weight sets once and samples among them as a
discrete input.  ``weight_noise`` with ``sets: 100`` does exactly that (the ASEM example does, to compare
with COINr); without ``sets`` each run draws its own multipliers, which explores the weight space fully
and makes the weights a group of continuous inputs in the Sobol analysis.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hqd.errors import HqdError, Problem
from hqd.methods import catalog
from hqd.model.framework import Framework
from hqd.model.panel import Panel
from hqd.model.recipe import MethodChoice, Recipe
from hqd.result import Result
from hqd.robustness.engine import BatchEngine, Cube, RunPlan, rank_desc
from hqd.robustness.sensitivity import (
    SaltelliDesign,
    leave_one_out_summary,
    leave_one_out_table,
    saltelli_design,
    sobol_indices,
    sobol_notes,
    sobol_table,
)
from hqd.robustness.spec import DATA_STEPS, UncertaintySpec, apply_choice, load_spec, parents_covered

Progress = Callable[[int, int], None]
RANK_STATS_COLUMNS = ["node", "year", "region", "nominal", "mean", "median", "q05", "q95"]
#: Memory budget of one chunk of runs (bytes); chunks are the unit of work of the process pool.
CHUNK_BYTES = 48 * 2**20
#: Largest result the runs may hold in memory (scores and ranks of the tracked nodes, bytes); a request
#: above it is refused before anything is allocated (``HQD_MAX_RUN_BYTES`` overrides it).
MAX_RESULT_BYTES = int(float(os.environ.get("HQD_MAX_RUN_BYTES", 8 * 2**30)))
#: Work (runs × regions × years × nodes) below which a process pool costs more than it saves.
POOL_MIN_WORK = 2.0e7


# =========================================================================== the prepared analysis
@dataclass
class Analysis:
    """Inputs, spec, nominal build and engine, ready to evaluate designs (see :func:`prepare`)."""

    framework: Framework
    panel: Panel
    spec: UncertaintySpec
    nominal: Result
    engine: BatchEngine
    regions: list[str]
    years: np.ndarray
    nodes: list[str]  # tracked nodes
    year_index: int  # Sobol target year (position)
    cubes: dict[tuple[int, ...], Cube] = field(default_factory=dict)
    data_inputs: list[int] = field(default_factory=list)  # positions in spec.inputs
    noise_sets: dict[str, np.ndarray] = field(default_factory=dict)  # input name → (K, targets)
    timings: dict[str, float] = field(default_factory=dict)
    _special: dict[str, Cube] = field(default_factory=dict)

    # ------------------------------------------------------------------ columns of the design
    @property
    def groups(self) -> list[int]:
        return [i.n_columns for i in self.spec.inputs]

    @property
    def input_names(self) -> list[str]:
        return [i.name for i in self.spec.inputs]

    def columns(self) -> list[tuple[int, ...]]:
        bounds = np.cumsum([0, *self.groups])
        return [tuple(range(int(bounds[i]), int(bounds[i + 1]))) for i in range(len(self.groups))]

    # ------------------------------------------------------------------ decoding a design
    def decode(self, u: np.ndarray) -> tuple[np.ndarray, RunPlan, pd.DataFrame]:
        """Cube key per run ``(runs, n_data_inputs)``, the engine's plan and the parameter table."""
        eng = self.engine
        tree = eng.tree
        runs = u.shape[0]
        plan = eng.nominal_plan(runs)
        params: dict[str, Any] = {}
        noise = np.ones((runs, tree.n_nodes))
        any_noise = False
        pos = {c: i for i, c in enumerate(tree.codes)}
        order_pos = {node: a for a, node in enumerate(tree.order)}
        data_keys = np.zeros((runs, len(self.data_inputs)), dtype=int)
        for i, (item, cols) in enumerate(zip(self.spec.inputs, self.columns(), strict=True)):
            k = max(item.n_alternatives, 1)
            pick = np.minimum((u[:, cols[0]] * k).astype(int), k - 1)
            if item.kind in DATA_STEPS:
                data_keys[:, self.data_inputs.index(i)] = pick
                params[item.name] = np.asarray([a.label for a in item.alternatives], dtype=object)[pick]
            elif item.kind in ("weight", "aggregate"):
                table = eng.weight_choices if item.kind == "weight" else eng.agg_choices
                ids = np.asarray([eng.choice_id(_as_choice(a.choice), table) for a in item.alternatives])
                covered = parents_covered(item.kind, item.levels, self.framework)
                if item.kind == "weight" and eng.scope == "global":
                    covered = list(self.framework.aggregates)
                columns = [order_pos[pos[c]] for c in covered]
                target = plan.weight_ids if item.kind == "weight" else plan.agg_ids
                target[:, columns] = ids[pick][:, None]
                params[item.name] = np.asarray([a.label for a in item.alternatives], dtype=object)[pick]
            elif item.kind == "leave_one_out":
                drops = np.asarray([pos[a.drop] if a.drop else -1 for a in item.alternatives])
                plan.drop = drops[pick]
                params[item.name] = np.asarray([a.label for a in item.alternatives], dtype=object)[pick]
            else:  # weight_noise
                any_noise = True
                idx = [pos[c] for c in item.targets]
                if item.sets is not None:
                    noise[:, idx] = self.noise_sets[item.name][pick]
                    params[item.name] = pick + 1
                else:
                    assert item.noise is not None
                    mult = 1.0 + item.noise * (2.0 * u[:, list(cols)] - 1.0)
                    noise[:, idx] = mult
                    for j, code in enumerate(item.targets):
                        params[f"{item.name}:{code}"] = mult[:, j]
        plan.noise = noise if any_noise else None
        return data_keys, plan, pd.DataFrame(params)

    # ------------------------------------------------------------------ cubes
    def cube(self, key: tuple[int, ...]) -> Cube:
        """The normalised cube of a combination of data-step alternatives (built once)."""
        if key in self.cubes:
            return self.cubes[key]
        if not self.data_inputs:
            return self.nominal_cube()
        from hqd.pipeline import build

        started = time.perf_counter()
        data = self.spec.recipe.to_dict()
        for i, pick in zip(self.data_inputs, key, strict=True):
            item = self.spec.inputs[i]
            alt = item.alternatives[pick]
            data = apply_choice(Recipe.from_dict(data), item.kind, _as_choice(alt.choice), alt.scope, None,
                                 self.framework)
        # Only the data steps matter here: weigh and aggregate trivially so that no alternative of a
        # later step can fail while the cube is prepared.
        data["weight"] = {"method": "equal", "scope": "within_parent"}
        data["aggregate"] = {"method": "arithmetic"}
        result = build(self.framework, self.panel, Recipe.from_dict(data, source=self.spec.recipe.source))
        cube = Cube(self._aligned(result))
        self._check_cube(cube, key)
        self.cubes[key] = cube
        self.timings["cubes"] = self.timings.get("cubes", 0.0) + time.perf_counter() - started
        return cube

    def _aligned(self, result: Result) -> np.ndarray:
        x = np.asarray(result.steps["normalised"], dtype=float)
        if list(result.regions) == self.regions:
            return x
        out = np.full((x.shape[0], len(self.regions), x.shape[2]), np.nan)
        index = [self.regions.index(r) for r in result.regions]
        out[:, index, :] = x
        return out

    def _check_cube(self, cube: Cube, key: tuple[int, ...]) -> None:
        label = ", ".join(f"{self.spec.inputs[i].name}={self.spec.inputs[i].alternatives[k].label}"
                          for i, k in zip(self.data_inputs, key, strict=True)) or "the nominal data"
        options = self._agg_options()
        problems = self.engine.check(cube, options, label)
        if problems:
            raise HqdError(problems)

    def _agg_options(self) -> dict[int, set[int]]:
        eng = self.engine
        defaults = eng.default_agg_ids()
        options = {a: {int(defaults[a])} for a in range(len(eng.tree.order))}
        pos = {c: i for i, c in enumerate(eng.tree.codes)}
        order_pos = {node: a for a, node in enumerate(eng.tree.order)}
        for item in self.spec.inputs:
            if item.kind != "aggregate":
                continue
            ids = {eng.choice_id(_as_choice(a.choice), eng.agg_choices) for a in item.alternatives}
            for code in parents_covered("aggregate", item.levels, self.framework):
                options[order_pos[pos[code]]] = ids
        return options

    # ------------------------------------------------------------------ evaluation
    def check_runs(self, runs: int) -> None:
        """Refuse ``runs`` whose results (scores and ranks of the tracked nodes) would pass
        :data:`MAX_RESULT_BYTES`, before the sample or any result is allocated (``too_many_runs``)."""
        t, r = len(self.years), len(self.regions)
        per_run = 2 * 8 * (len(self.nodes) * t * r + sum(self.groups))
        if runs * per_run > MAX_RESULT_BYTES:
            raise HqdError([Problem(
                "too_many_runs", f"{runs:,} runs of {len(self.nodes)} tracked nodes × {t} years × {r} regions would "
                f"hold {runs * per_run / 2**30:.1f} GiB of samples, scores and ranks; the limit is "
                f"{MAX_RESULT_BYTES / 2**30:.1f} GiB (HQD_MAX_RUN_BYTES): at most {MAX_RESULT_BYTES // per_run:,} "
                "runs, or track fewer nodes or years")])

    def chunk_size(self) -> int:
        t, r = len(self.years), len(self.regions)
        kmax = max(len(self.engine.tree.children[node]) for node in self.engine.tree.order)
        per_run = 8 * t * r * (len(self.engine.tree.order) + 3 * kmax + 2 * len(self.nodes) + 4)
        return int(max(16, min(20_000, CHUNK_BYTES // max(per_run, 1))))

    def evaluate(self, u: np.ndarray, progress: Progress | None = None,
                 workers: int | None = None) -> RunOutput:
        """Scores of the tracked nodes for every row of ``u`` (runs, nodes, T, R), and the failed runs."""
        started = time.perf_counter()
        keys, plan, params = self.decode(u)
        runs = u.shape[0]
        t, r = len(self.years), len(self.regions)
        unique, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
        tasks: list[tuple[tuple[int, ...], np.ndarray]] = []
        size = self.chunk_size()
        for g, key in enumerate(unique):
            members = np.flatnonzero(inverse == g)
            self.cube(tuple(int(k) for k in key))
            for start in range(0, len(members), size):
                tasks.append((tuple(int(k) for k in key), members[start:start + size]))
        self.timings["prepare"] = self.timings.get("prepare", 0.0) + time.perf_counter() - started
        started = time.perf_counter()
        n_workers = self._workers(workers, runs)
        pooled = n_workers > 1 and len(tasks) > 1
        shape = (runs, len(self.nodes), t, r)
        self.check_runs(runs)
        # With a pool the outputs live in anonymous shared memory that the forked workers write into.
        scores, ranks, failed = (_shared(shape), _shared(shape), _shared((runs,), bool)) if pooled else \
            (np.empty(shape), np.empty(shape), np.zeros(runs, dtype=bool))
        done = 0
        chunks = _pool_map(self, plan, tasks, n_workers, (scores, ranks, failed)) if pooled else \
            (self._chunk_into(key, idx, plan, scores, ranks, failed) for key, idx in tasks)
        for count in chunks:
            done += count
            if progress is not None:
                progress(done, runs)
        if pooled:
            scores, ranks, failed = np.array(scores), np.array(ranks), np.array(failed)
        self.timings["runs"] = self.timings.get("runs", 0.0) + time.perf_counter() - started
        self.timings["workers"] = float(n_workers)
        return RunOutput(scores=scores, ranks=ranks, failed=failed, parameters=params)

    def _workers(self, workers: int | None, runs: int) -> int:
        if workers is not None:
            return max(1, int(workers))
        work = runs * len(self.regions) * len(self.years) * self.engine.tree.n_nodes
        return min(2, os.cpu_count() or 1) if work >= POOL_MIN_WORK else 1

    def _chunk_into(self, key: tuple[int, ...], idx: np.ndarray, plan: RunPlan, scores: np.ndarray,
                    ranks: np.ndarray, failed: np.ndarray) -> int:
        """Evaluate the runs ``idx`` and write their results in place; returns how many there were."""
        scores[idx], ranks[idx], failed[idx] = self._evaluate_chunk(key, plan.take(idx))
        return len(idx)

    def _evaluate_chunk(self, key: tuple[int, ...], plan: RunPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores and ranks of the tracked nodes (n, nodes, T, R) and the failed runs of one chunk."""
        cube = self.cube(key)
        agg, _, failed = self.engine.evaluate(cube, plan)
        scores = self._tracked(cube, agg)
        return scores, rank_desc(scores), failed

    def _tracked(self, cube: Cube, agg: np.ndarray) -> np.ndarray:
        tree = self.engine.tree
        out = np.empty((agg.shape[1], len(self.nodes), *agg.shape[2:4]))
        for j, code in enumerate(self.nodes):
            node = tree.codes.index(code)
            out[:, j] = cube.x[..., node] if node < tree.m else agg[tree.agg_pos(node)]
        return out

    def nominal_scores(self) -> np.ndarray:
        """The pipeline's nominal scores of the tracked nodes aligned to ``regions`` (nodes, T, R)."""
        out = np.full((len(self.nodes), len(self.years), len(self.regions)), np.nan)
        cols = [self.regions.index(r) for r in self.nominal.regions]
        for j, code in enumerate(self.nodes):
            out[j][:, cols] = self.nominal.cube[self.nominal.nodes.index(code)]
        return out

    def self_check(self) -> None:
        """The engine's nominal run must reproduce the pipeline's nominal build."""
        cube = self.nominal_cube()
        agg, _, failed = self.engine.evaluate(cube, self.engine.nominal_plan(1))
        tree = self.engine.tree
        ours = np.full((tree.n_nodes, len(self.years), len(self.regions)), np.nan)
        ours[:tree.m] = np.moveaxis(cube.x, -1, 0)
        ours[tree.m:] = agg[:, 0]
        ref = np.full_like(ours, np.nan)
        cols = [self.regions.index(r) for r in self.nominal.regions]
        for i, code in enumerate(tree.codes):
            ref[i][:, cols] = self.nominal.cube[self.nominal.nodes.index(code)]
        scale = np.nanmax(np.abs(ref)) if np.isfinite(ref).any() else 1.0
        same_nan = np.array_equal(np.isnan(ours), np.isnan(ref))
        close = np.allclose(ours, ref, rtol=1e-9, atol=1e-9 * scale, equal_nan=True)
        if failed[0] or not same_nan or not close:
            worst = np.nanmax(np.abs(ours - ref)) if same_nan else float("nan")
            raise HqdError([Problem("internal_mismatch", "the batched engine does not reproduce the pipeline's "
                                    f"nominal build for this recipe (max difference {worst:.3g}); please "
                                    "report this with your recipe")])

    def nominal_cube(self) -> Cube:
        """The nominal build's normalised cube (checked against every aggregation the runs may use)."""
        if "nominal" not in self._special:
            cube = Cube(self._aligned(self.nominal))
            problems = self.engine.check(cube, self._agg_options(), "the nominal data")
            if problems:
                raise HqdError(problems)
            self._special["nominal"] = cube
        return self._special["nominal"]


@dataclass(frozen=True)
class RunOutput:
    scores: np.ndarray  # (runs, nodes, T, R)
    ranks: np.ndarray  # (runs, nodes, T, R)
    failed: np.ndarray  # (runs,)
    parameters: pd.DataFrame


def _as_choice(choice: MethodChoice | None) -> MethodChoice:
    if choice is None:
        raise ValueError("alternative without a method")  # programming error
    return choice


# --------------------------------------------------------------------------- process pool
_ACTIVE: dict[str, Any] = {}


def _shared(shape: tuple[int, ...], dtype: type = float) -> np.ndarray:
    """A zeroed array in anonymous shared memory (``MAP_SHARED``): forked workers write into it."""
    import mmap

    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    buffer = mmap.mmap(-1, max(size, 1))
    return np.frombuffer(buffer, dtype=dtype, count=int(np.prod(shape))).reshape(shape)


def _pool_work(task: tuple[tuple[int, ...], np.ndarray]) -> int:
    analysis: Analysis = _ACTIVE["analysis"]
    key, idx = task
    return analysis._chunk_into(key, idx, _ACTIVE["plan"], *_ACTIVE["out"])


def _pool_map(analysis: Analysis, plan: RunPlan, tasks: list[tuple[tuple[int, ...], np.ndarray]],
              workers: int, out: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Any:
    """Evaluate chunks in forked worker processes: they inherit the cubes and the plan, write their
    results into the shared ``out`` arrays and return only how many runs they did."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    try:
        context = mp.get_context("fork")
    except ValueError:  # no fork (Windows): evaluate in this process
        for key, idx in tasks:
            yield analysis._chunk_into(key, idx, plan, *out)
        return
    _ACTIVE.update(analysis=analysis, plan=plan, out=out)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield from pool.map(_pool_work, tasks)
    finally:
        _ACTIVE.clear()


# =========================================================================== preparing
def prepare(
    framework: str | Path | pd.DataFrame | Framework,
    data: str | Path | pd.DataFrame | Panel,
    recipe: str | Path | Mapping[str, Any] | Recipe | None,
    spec: str | Path | Mapping[str, Any] | UncertaintySpec,
    *,
    seed: int | None = None,
    regions: str | Path | pd.DataFrame | None = None,
    region_col: str | None = None,
    year_col: str | None = None,
) -> Analysis:
    """Load and check everything, build the nominal index and set up the engine (no runs yet).

    Raises :class:`hqd.HqdError` listing every problem of the inputs or the spec.
    """
    from hqd.pipeline import build, check_data, load_inputs

    started = time.perf_counter()
    fw, panel, rc = load_inputs(framework, data, recipe, regions, region_col, year_col)
    sp = load_spec(spec, fw, rc, panel)
    problems = [p for p in check_data(fw, panel, sp.recipe) if p.severity == "error"]
    if problems:
        raise HqdError(problems)
    nominal = build(fw, panel, sp.recipe)
    weight_choices: list[MethodChoice] = []
    agg_choices: list[MethodChoice] = []
    engine = BatchEngine(fw, panel.indicators, sp.recipe, weight_choices, agg_choices)
    years = np.asarray(panel.years)
    year = sp.year if sp.year is not None else int(years[-1])
    analysis = Analysis(
        framework=fw, panel=panel, spec=sp, nominal=nominal, engine=engine, regions=list(panel.regions),
        years=years, nodes=list(sp.nodes), year_index=int(np.flatnonzero(years == year)[0]),
        data_inputs=[i for i, item in enumerate(sp.inputs) if item.kind in DATA_STEPS],
    )
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    for item in sp.inputs:
        if item.kind == "weight_noise" and item.sets is not None:
            assert item.noise is not None
            analysis.noise_sets[item.name] = 1.0 + rng.uniform(-item.noise, item.noise,
                                                               size=(item.sets, len(item.targets)))
    analysis.timings["load"] = time.perf_counter() - started
    analysis.self_check()
    return analysis


# =========================================================================== results
@dataclass
class UncertaintyResult:
    """Everything an uncertainty (and sensitivity) analysis produced; :meth:`write` saves it."""

    analysis: Analysis
    method: str
    n: int
    seed: int | None
    block: np.ndarray  # (runs,) "UA" or Saltelli block labels
    u: np.ndarray
    scores: np.ndarray  # (runs, nodes, T, R)
    ranks: np.ndarray  # (runs, nodes, T, R)
    failed: np.ndarray
    parameters: pd.DataFrame
    nominal_scores: np.ndarray  # (nodes, T, R)
    nominal_ranks: np.ndarray
    rank_stats: pd.DataFrame
    sobol: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def regions(self) -> list[str]:
        return self.analysis.regions

    @property
    def years(self) -> np.ndarray:
        return self.analysis.years

    @property
    def nodes(self) -> list[str]:
        return self.analysis.nodes

    @property
    def runs(self) -> int:
        return int(self.u.shape[0])

    @property
    def synthetic(self) -> bool:
        return self.analysis.panel.synthetic

    def rank_bands(self, node: str | None = None, year: int | None = None,
                   with_names: bool = False) -> pd.DataFrame:
        """Per region: nominal, mean and median rank and the 5–95% band of one node in one year (default:
        the first reported node, the last year), in nominal order — what the dashboard plots.
        ``with_names`` adds the region's ``name`` (Chinese short name or name, else English, if known)."""
        node = node or self.nodes[0]
        year = int(year if year is not None else self.years[-1])
        table = self.rank_stats
        sel = table[(table["node"] == node) & (table["year"] == year)]
        out = sel.sort_values(["nominal", "median"], kind="stable").reset_index(drop=True)
        if with_names:
            meta = self.analysis.panel.region_meta
            names = pd.Series("", index=out["region"].astype(str), dtype=object)
            for column in ("name_en", "name_zh", "short_zh"):
                if column in meta.columns:
                    values = meta[column].reindex(names.index)
                    names = values.where(values.notna(), names).astype(object)
            out.insert(3, "name", names.to_numpy())
        return out

    def mean_interval_width(self, node: str | None = None, year: int | None = None) -> float:
        """The mean over regions of q95 − q05 (COINr's headline "5–95% rank interval")."""
        bands = self.rank_bands(node, year)
        return float((bands["q95"] - bands["q05"]).mean())

    def summary_lines(self) -> list[str]:
        a = self.analysis
        spec = a.spec
        lines = []
        if self.synthetic:
            from hqd.io.rundir import SYNTHETIC_LABEL

            lines.append(f"**{SYNTHETIC_LABEL}**")
        inputs = "; ".join(_describe_input(i) for i in spec.inputs)
        lines.append(f"Uncertainty analysis {spec.name or ''} ({self.method.upper()}): N = {self.n}, "
                     f"{self.runs} runs, seed {self.seed}; inputs: {inputs}.")
        if self.failed.any():
            lines.append(f"{int(self.failed.sum())} run(s) failed (scores NaN), as COINr records failed rebuilds.")
        for node in self.nodes:
            for year in self.years:
                bands = self.rank_bands(node, int(year))
                width = (bands["q95"] - bands["q05"])
                widest = bands.loc[width.idxmax()] if len(bands) else None
                lines.append(f"{node} {int(year)}: mean 5–95% rank interval {width.mean():.1f} places "
                             f"(median {width.median():.0f}); nominal first {bands['region'].iloc[0]} "
                             f"(5–95%: {bands['q05'].iloc[0]:.0f}–{bands['q95'].iloc[0]:.0f})"
                             + (f"; widest band {widest['region']} (nominal {widest['nominal']:.0f}, "
                                f"{widest['q05']:.0f}–{widest['q95']:.0f})" if widest is not None else "") + ".")
        if self.sobol is not None:
            main = self.sobol[self.sobol["target"] == "mean_abs_rank_change"]
            parts = ", ".join(f"{r.input} S1 {r.S1:.2f} [{r.S1_lo:.2f}, {r.S1_hi:.2f}] ST {r.ST:.2f} "
                              f"[{r.ST_lo:.2f}, {r.ST_hi:.2f}]" for r in main.itertuples())
            lines.append(f"Sobol indices of the mean absolute rank change ({a.nodes[0]}, "
                         f"{int(a.years[a.year_index])}): {parts}.")
        lines.extend(self.notes)
        return lines

    def run_scores(self) -> pd.DataFrame:
        """Long table ``run, node, year, region, score, rank`` (categorical keys)."""
        runs, n_nodes, t, r = self.scores.shape
        return pd.DataFrame({
            "run": np.repeat(np.arange(1, runs + 1), n_nodes * t * r),
            "node": pd.Categorical.from_codes(np.tile(np.repeat(np.arange(n_nodes), t * r), runs), self.nodes),
            "year": np.tile(np.repeat(self.years, r), runs * n_nodes),
            "region": pd.Categorical.from_codes(np.tile(np.arange(r), runs * n_nodes * t), self.regions),
            "score": self.scores.reshape(-1),
            "rank": self.ranks.reshape(-1),
        })

    def parameter_table(self) -> pd.DataFrame:
        table = self.parameters.copy()
        table.insert(0, "block", self.block)
        table.insert(0, "run", np.arange(1, self.runs + 1))
        return table

    def manifest(self) -> dict[str, Any]:
        from hqd import __version__

        a = self.analysis
        return {
            "hqd_version": __version__, "method": self.method, "n": self.n, "runs": self.runs, "seed": self.seed,
            "failed_runs": int(self.failed.sum()), "spec": a.spec.to_dict(), "spec_source": a.spec.source,
            "nominal_recipe": a.spec.recipe.to_dict(), "data_sha256": a.panel.digest(),
            "framework_sha256": a.framework.digest(), "synthetic_data": a.panel.synthetic,
            "nodes": self.nodes, "sobol_year": int(a.years[a.year_index]),
            "cubes": len(a.cubes), "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
            "quantiles": "numpy 'linear' (R type 7)",
        }

    def write(self, out: str | Path) -> Path:
        """Write ``rank_stats.csv``, ``run_scores.parquet``, ``parameters.csv``, ``sobol.csv`` (Sobol),
        ``weight_sets.csv`` (pre-drawn noisy weights), ``summary.md``, ``manifest.json`` and
        ``uncertainty.xlsx`` to ``out``.  A run directory (with ``scores.csv``) gets them in its
        ``uncertainty/`` folder.  Returns the folder written."""
        from hqd.io.excel import neutralise, write_workbook
        from hqd.io.rundir import SYNTHETIC_LABEL

        folder = resolve_out(out)
        folder.mkdir(parents=True, exist_ok=True)
        neutralise(self.rank_stats).to_csv(folder / "rank_stats.csv", index=False)
        self.run_scores().to_parquet(folder / "run_scores.parquet", index=False)
        params = self.parameter_table()
        neutralise(params).to_csv(folder / "parameters.csv", index=False)
        sheets: dict[str, pd.DataFrame] = {}
        summary = self.summary_lines()
        sheets["summary"] = pd.DataFrame({"summary": summary})
        sheets["rank_stats"] = self.rank_stats
        if self.sobol is not None:
            neutralise(self.sobol).to_csv(folder / "sobol.csv", index=False)
            sheets["sobol"] = self.sobol
        sets = self.weight_sets()
        if sets is not None:
            neutralise(sets).to_csv(folder / "weight_sets.csv", index=False)
            sheets["weight_sets"] = sets
        sheets["parameters"] = params.head(100_000)
        manifest = self.manifest()
        sheets["manifest"] = pd.DataFrame({"key": list(manifest), "value": [
            v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str) for v in manifest.values()]})
        (folder / "summary.md").write_text("\n\n".join(summary) + "\n", encoding="utf-8")
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str),
                                              encoding="utf-8")
        notes = {name: SYNTHETIC_LABEL for name in sheets} if self.synthetic else None
        write_workbook(folder / "uncertainty.xlsx", sheets, bilingual=False, notes=notes)
        return folder

    def weight_sets(self) -> pd.DataFrame | None:
        frames = []
        for item in self.analysis.spec.inputs:
            if item.name in self.analysis.noise_sets:
                sets = self.analysis.noise_sets[item.name]
                k, t = sets.shape
                frames.append(pd.DataFrame({"input": item.name, "set": np.repeat(np.arange(1, k + 1), t),
                                            "node": np.tile(np.asarray(item.targets, dtype=object), k),
                                            "multiplier": sets.reshape(-1)}))
        return pd.concat(frames, ignore_index=True) if frames else None


def resolve_out(out: str | Path) -> Path:
    """``out``, or ``out/uncertainty`` when ``out`` is a run directory (it holds ``scores.csv``)."""
    folder = Path(out)
    if (folder / "scores.csv").exists() and (folder / "manifest.json").exists():
        return folder / "uncertainty"
    return folder


def _describe_input(item: Any) -> str:
    if item.kind == "weight_noise":
        sets = f", {item.sets} pre-drawn sets" if item.sets else ", drawn per run"
        return f"{item.name} (±{item.noise:.0%} at levels {', '.join(map(str, item.levels))}{sets})"
    if item.kind == "leave_one_out":
        return f"{item.name} ({len(item.alternatives)} options)"
    return f"{item.name} ({' | '.join(a.label for a in item.alternatives)})"


# =========================================================================== the analysis
def rank_statistics(ranks: np.ndarray, nominal: np.ndarray, nodes: Sequence[str], years: Sequence[int],
                    regions: Sequence[str]) -> pd.DataFrame:
    """``node, year, region, nominal, mean, median, q05, q95`` from ranks ``(runs, nodes, T, R)``.

    Quantiles are numpy's ``linear`` method (R's type 7, COINr's); failed runs (NaN) are ignored.
    """
    import warnings

    if np.isnan(ranks).any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column gives NaN statistics
            mean = np.nanmean(ranks, axis=0)
            q05, median, q95 = np.nanquantile(ranks, [0.05, 0.5, 0.95], axis=0, method="linear")
    else:
        mean = ranks.mean(axis=0)
        q05, median, q95 = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0, method="linear")
    n_nodes, t, r = nominal.shape
    return pd.DataFrame({
        "node": np.repeat(np.asarray(nodes, dtype=object), t * r),
        "year": np.tile(np.repeat(np.asarray(years), r), n_nodes),
        "region": np.tile(np.asarray(regions, dtype=object), n_nodes * t),
        "nominal": nominal.reshape(-1), "mean": mean.reshape(-1), "median": median.reshape(-1),
        "q05": q05.reshape(-1), "q95": q95.reshape(-1),
    }, columns=RANK_STATS_COLUMNS)


def sobol_targets(ranks: np.ndarray, nominal_ranks: np.ndarray, year_index: int) -> np.ndarray:
    """COINr's target — mean |rank − nominal rank| over regions — and every region's rank: (runs, 1 + R)."""
    r_run = ranks[:, 0, year_index, :]
    r_nom = nominal_ranks[0, year_index, :]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean_abs = np.nanmean(np.abs(r_run - r_nom[None, :]), axis=1)
    return np.column_stack([mean_abs, r_run])


def uncertainty_analysis(
    framework: str | Path | pd.DataFrame | Framework,
    data: str | Path | pd.DataFrame | Panel,
    recipe: str | Path | Mapping[str, Any] | Recipe | None,
    spec: str | Path | Mapping[str, Any] | UncertaintySpec,
    *,
    n: int = 1000,
    seed: int | None = 1,
    method: str = "ua",
    n_boot: int = 1000,
    conf: float = 0.9,
    sampler: str = "random",
    workers: int | None = None,
    progress: Progress | None = None,
    regions: str | Path | pd.DataFrame | None = None,
    region_col: str | None = None,
    year_col: str | None = None,
) -> UncertaintyResult:
    """Run an uncertainty (``method="ua"``) or Sobol sensitivity (``"sobol"``) analysis.

    Parameters
    ----------
    framework, data, recipe, regions, region_col, year_col
        As :func:`hqd.run`.
    spec
        The uncertainty spec (YAML path or dict; see :mod:`hqd.robustness.spec`).
    n
        Number of runs (UA) or base sample size N (Sobol: N(d + 2) runs).
    seed
        Seeds the sampling, the pre-drawn weight sets and the bootstrap.  Same seed → same numbers.
    n_boot, conf, sampler
        Sobol only: bootstrap resamples, interval level (0.9 = 5–95%), ``random`` or ``qmc`` design.
    workers
        Processes for the runs (default: 2 when the work is large enough to pay for a pool, else 1).
    progress
        Called as ``progress(done, total)`` after each chunk of runs.

    Returns
    -------
    UncertaintyResult
        With ``rank_stats`` (``node, year, region, nominal, mean, median, q05, q95``), the per-run
        scores and ranks, the parameters, and with Sobol the ``sobol`` table and notes.
    """
    if method not in ("ua", "sobol"):
        raise HqdError(f"unknown method {method!r}; valid: ua, sobol", code="unknown_method")
    if n < 1 or (method == "sobol" and n < 2):
        raise HqdError(f"n must be ≥ {2 if method == 'sobol' else 1}; got {n}", code="invalid_range")
    if sampler not in ("random", "qmc"):
        raise HqdError(f"unknown sampler {sampler!r}; valid: random, qmc", code="unknown_method")
    analysis = prepare(framework, data, recipe, spec, seed=seed, regions=regions, region_col=region_col,
                       year_col=year_col)
    return run_analysis(analysis, n=n, seed=seed, method=method, n_boot=n_boot, conf=conf, sampler=sampler,
                        workers=workers, progress=progress)


def run_analysis(analysis: Analysis, *, n: int, seed: int | None, method: str = "ua", n_boot: int = 1000,
                 conf: float = 0.9, sampler: str = "random", workers: int | None = None,
                 progress: Progress | None = None) -> UncertaintyResult:
    """The sampling, runs and statistics of :func:`uncertainty_analysis` on a prepared analysis."""
    started = time.perf_counter()
    streams = np.random.SeedSequence(seed).spawn(3)  # [0] weight sets (prepare), [1] design, [2] bootstrap
    design_rng, boot_rng = np.random.default_rng(streams[1]), np.random.default_rng(streams[2])
    design: SaltelliDesign | None = None
    analysis.check_runs(n * (len(analysis.groups) + 2) if method == "sobol" else n)
    if method == "sobol":
        design = saltelli_design(n, analysis.groups, design_rng, analysis.input_names,
                                 "qmc" if sampler == "qmc" else "random")
        u, block = design.u, design.block
    else:
        u = design_rng.random((n, sum(analysis.groups)))
        block = np.full(n, "UA", dtype=object)
    output = analysis.evaluate(u, progress=progress, workers=workers)
    stats_started = time.perf_counter()
    ranks = output.ranks
    nominal_scores = analysis.nominal_scores()
    nominal_ranks = rank_desc(nominal_scores)
    stats = rank_statistics(ranks, nominal_ranks, analysis.nodes, analysis.years.tolist(), analysis.regions)
    notes: list[str] = []
    sobol_frame = None
    if design is not None:
        y = sobol_targets(ranks, nominal_ranks, analysis.year_index)
        targets = ["mean_abs_rank_change", *analysis.regions]
        est, nv = sobol_indices(y, design, n_boot=n_boot, conf=conf, seed=boot_rng)
        sobol_frame = sobol_table(est, design.names, targets)
        from hqd.robustness.sensitivity import _note_column

        sobol_frame["note"] = _note_column(sobol_frame, nv)
        notes = sobol_notes(sobol_frame, nv, "mean_abs_rank_change")
        if nv < n:
            notes.append(f"{n - nv} of {n} base rows were left out of the Sobol estimates (a run failed).")
    timings = dict(analysis.timings)
    timings["statistics"] = time.perf_counter() - stats_started
    timings["total_analysis"] = time.perf_counter() - started
    return UncertaintyResult(
        analysis=analysis, method=method, n=n, seed=seed, block=block, u=u, scores=output.scores, ranks=ranks,
        failed=output.failed, parameters=output.parameters, nominal_scores=nominal_scores,
        nominal_ranks=nominal_ranks, rank_stats=stats, sobol=sobol_frame, notes=notes, timings=timings)


# =========================================================================== one run, rebuilt
def rebuild(analysis: Analysis, u_row: np.ndarray) -> Result:
    """One run rebuilt from scratch through the public pipeline (:func:`hqd.pipeline.build`).

    This is what COINr does for every run (and the benchmark's baseline): the run's choices are written
    into a recipe, its noisy weights into the framework's ``weight`` column (only possible where the
    perturbed weights are the framework's own, i.e. ``manual`` weights within parents), a dropped
    indicator is removed from framework and panel, and the whole index is built.  Raises ``HqdError``
    code ``not_rebuildable`` when the run's weights cannot be written into a framework.
    """
    from dataclasses import replace

    from hqd.pipeline import build
    from hqd.robustness.engine import manual_weights

    spec = analysis.spec
    fw, panel = analysis.framework, analysis.panel
    keys, plan, _ = analysis.decode(np.asarray(u_row, dtype=float)[None, :])
    recipe = spec.recipe
    for item, cols in zip(spec.inputs, analysis.columns(), strict=True):
        if item.kind in (*DATA_STEPS, "weight", "aggregate"):
            k = item.n_alternatives
            alt = item.alternatives[min(int(u_row[cols[0]] * k), k - 1)]
            recipe = Recipe.from_dict(apply_choice(recipe, item.kind, _as_choice(alt.choice), alt.scope,
                                                    item.levels, fw), source=recipe.source)
    table = fw.to_frame()
    if plan.noise is not None:
        tree = analysis.engine.tree
        weights = table.set_index("code")["weight"].astype(float)
        for node in tree.order:
            kids = tree.children[node]
            mult = plan.noise[0, kids]
            if np.allclose(mult, 1.0):
                continue
            codes = [tree.codes[k] for k in kids]
            choice = recipe.step("weight").choose(level=int(tree.level[node]) + 1, code=tree.codes[node])
            if recipe.step("weight").scope == "global" or \
                    catalog.get("weight", choice.method).properties.source != "framework":
                raise HqdError(f"run weights of {tree.codes[node]!r} ({choice.method}) cannot be written "
                               "into a framework", code="not_rebuildable")
            weights.loc[codes] = manual_weights(fw, codes) * mult
        table["weight"] = weights.reindex(table["code"]).to_numpy()
    frame = Framework.from_frame(table, source=fw.source)
    drop = int(plan.drop[0])
    if drop >= 0:
        code = analysis.engine.tree.codes[drop]
        keep = [c for c in panel.indicators if c != code]
        frame = frame.subset(keep)
        panel = replace(panel, values=panel.values[..., [panel.indicators.index(c) for c in keep]],
                        indicators=keep)
    del keys
    return build(frame, panel, recipe)


# =========================================================================== leave one out
def leave_one_out(analysis: Analysis, indicators: Sequence[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rank shift of every region of the tracked nodes when each indicator is dropped (its weight 0,
    data-driven weights re-estimated without it), all else nominal.  Returns the long table and the
    per-indicator summary (:func:`hqd.robustness.sensitivity.leave_one_out_summary`)."""
    tree = analysis.engine.tree
    codes = list(indicators) if indicators is not None else [
        c for c in tree.codes[:tree.m] if len(analysis.framework.children[
            str(analysis.framework.nodes.at[c, "parent"])]) > 1]
    cube = analysis.nominal_cube()
    plan = analysis.engine.nominal_plan(len(codes))
    plan.drop = np.asarray([tree.codes.index(c) for c in codes])
    agg, _, _ = analysis.engine.evaluate(cube, plan)
    ranks = rank_desc(analysis._tracked(cube, agg))
    nominal = rank_desc(analysis.nominal_scores())
    frames = [leave_one_out_table(nominal[j], ranks[:, j], analysis.regions, codes, analysis.years.tolist(), node)
              for j, node in enumerate(analysis.nodes)]
    table = pd.concat(frames, ignore_index=True)
    return table, leave_one_out_summary(table)


__all__ = [
    "RANK_STATS_COLUMNS",
    "Analysis",
    "UncertaintyResult",
    "leave_one_out",
    "prepare",
    "rank_statistics",
    "resolve_out",
    "run_analysis",
    "sobol_targets",
    "uncertainty_analysis",
]
