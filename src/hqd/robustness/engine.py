"""A batched evaluator of the aggregation tree: many runs of weights and aggregation at once.

:func:`hqd.pipeline.build` computes one index.  An uncertainty analysis needs thousands that share their
expensive steps: every run with the same imputation, treatment and normalisation has the same normalised
cube ``x (T, R, m)``; runs differ in their weights and aggregation.  :class:`BatchEngine` evaluates a
*chunk* of runs as arrays with a leading runs axis ``n``:

* **weights** of each parent's children are one ``(n, Tw, k)`` array (``Tw`` = T when the recipe
  estimates weights year by year, else 1): static and cube-dependent weights are computed once per
  distinct (method, dropped indicator) and gathered; data-driven weights over aggregates are computed
  by the catalogue's functions on the ``(n, …)`` block; noise multiplies and the weights are
  renormalised within the parent;
* **aggregation** of a parent whose children are indicators (the heavy part) is one matrix product
  ``f(x) @ Wᵀ`` per parent, with f the power-mean transform (x, ln x, 1/x, x^p) computed once per cube,
  so no ``(n, T·R, k)`` temporary is ever formed; other parents call the catalogue's aggregation
  functions on ``(n, T·R, k)`` blocks.

It applies the same rules as :mod:`hqd.pipeline` (weights per level or global, NA policy, zero policy;
a dimension's score is the weighted mean of its children, also under global weights) — tests check that it reproduces
:func:`hqd.pipeline.build` to 1e-12 on every example recipe — and it loops only over the tree's
aggregate nodes, never over runs, regions, years or indicators.

Missing / failing runs: a run whose aggregation meets a value ≤ 0 under ``zero_policy: refuse``, or
whose data-driven weights are undefined, *fails*: its scores are NaN and it is counted (COINr also
returns NA columns for failed rebuilds).  Conditions that depend only on the normalised data (a
geometric mean over indicators with zeros) are rejected before any run by :meth:`BatchEngine.check`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hqd.errors import HqdError, Problem
from hqd.methods import catalog
from hqd.model.framework import Framework
from hqd.model.policy import apply_zero_policy
from hqd.model.recipe import MethodChoice, Recipe
from hqd.pipeline import framework_weights, part_choice
from hqd.pipeline import weights_for as build_weights


# =========================================================================== structure
@dataclass(frozen=True)
class Tree:
    """The framework as index arrays: leaves first (panel order), then aggregates in evaluation order."""

    codes: list[str]
    m: int
    parent: np.ndarray  # (N,) int, -1 for the root
    level: np.ndarray  # (N,) int
    children: list[np.ndarray]  # per node
    order: list[int]  # aggregate node indices, bottom-up (height, then file order)
    root: int

    @classmethod
    def build(cls, fw: Framework, indicators: Sequence[str]) -> Tree:
        aggs = sorted(fw.aggregates, key=lambda c: (fw.height[c], fw.aggregates.index(c)))
        codes = [*indicators, *aggs]
        pos = {c: i for i, c in enumerate(codes)}
        parent = np.array([pos[p] if isinstance(p := fw.nodes.at[c, "parent"], str) else -1 for c in codes])
        level = fw.nodes.loc[codes, "level"].to_numpy(dtype=int)
        children = [np.array([pos[k] for k in fw.children[c]], dtype=int) for c in codes]
        return cls(codes=codes, m=len(indicators), parent=parent, level=level, children=children,
                   order=[pos[c] for c in aggs], root=pos[fw.index_code])

    @property
    def n_nodes(self) -> int:
        return len(self.codes)

    def agg_pos(self, node: int) -> int:
        """Column of aggregate ``node`` in the aggregate score array ``S``."""
        return node - self.m

    def top_down(self) -> list[int]:
        out: list[int] = []
        frontier = [self.root]
        while frontier:
            nxt: list[int] = []
            for node in frontier:
                out.append(node)
                nxt.extend(int(c) for c in self.children[node])
            frontier = nxt
        return out

    def leaves_under(self, node: int) -> list[int]:
        if node < self.m:
            return [node]
        out: list[int] = []
        for child in self.children[node]:
            out.extend(self.leaves_under(int(child)))
        return sorted(out)


@dataclass
class RunPlan:
    """The choices of ``n`` runs: weight-method and aggregation ids per aggregate (column = position
    in ``Tree.order``), noise multipliers per node (or None) and the dropped leaf (-1 = none)."""

    weight_ids: np.ndarray  # (n, A) into BatchEngine.weight_choices
    agg_ids: np.ndarray  # (n, A) into BatchEngine.agg_choices
    noise: np.ndarray | None  # (n, N)
    drop: np.ndarray  # (n,)

    @property
    def n(self) -> int:
        return int(self.drop.shape[0])

    def take(self, idx: np.ndarray) -> RunPlan:
        return RunPlan(self.weight_ids[idx], self.agg_ids[idx],
                       None if self.noise is None else self.noise[idx], self.drop[idx])


@dataclass
class Cube:
    """A normalised data cube ``x (T, R, m)`` with the per-cube caches of the engine."""

    x: np.ndarray
    weights: dict[tuple[Any, ...], np.ndarray] = field(default_factory=dict)
    transforms: dict[tuple[Any, ...], tuple[np.ndarray, ...]] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int, int]:
        t, r, m = self.x.shape
        return int(t), int(r), int(m)


# =========================================================================== weights
#: The framework's weights of some nodes renormalised, as the pipeline uses them.
manual_weights = framework_weights


def is_static(choice: MethodChoice) -> bool:
    """True when the weights of ``choice`` do not depend on data (the catalogue's ``data_driven``)."""
    method = catalog.get("weight", choice.method)
    if method.properties.source == "parts":
        return all(is_static(part_choice(choice, part)) for part in method.keys)
    return not method.properties.data_driven


def weights_for(choice: MethodChoice, block: np.ndarray | None, codes: Sequence[str], fw: Framework,
                sample: str) -> np.ndarray:
    """Weights ``(..., Tw, k)`` of ``codes`` under ``choice``: the build's weighting step
    (:func:`hqd.pipeline.weights_for`) with the year axis the engine indexes (Tw = 1 unless the weights
    change with the year).  ``block`` is the ``(..., T, R, k)`` data (leading axes are runs; None for
    weights that do not depend on data)."""
    w, _ = build_weights(choice, block, list(codes), fw, sample)
    lead = 0 if block is None else block.ndim - 3
    return w if w.ndim == lead + 2 else w[..., None, :]


def _without(w: np.ndarray, j: int) -> np.ndarray:
    """Weights with entry ``j`` (last axis) set to 0 and the rest renormalised."""
    out = w.copy()
    out[..., j] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return out / out.sum(axis=-1, keepdims=True)


# =========================================================================== the engine
class BatchEngine:
    """Evaluates chunks of runs on a cube (see the module docstring).

    Parameters
    ----------
    framework, indicators
        The framework and the panel's indicator order (the cube's last axis).
    recipe
        The nominal recipe: weight scope and sample, NA and zero policies, and the default choices.
    weight_choices, agg_choices
        The distinct weighting and aggregation choices runs refer to by id (``RunPlan``).
    """

    def __init__(self, framework: Framework, indicators: Sequence[str], recipe: Recipe,
                 weight_choices: Sequence[MethodChoice], agg_choices: Sequence[MethodChoice]) -> None:
        self.fw = framework
        self.tree = Tree.build(framework, indicators)
        self.recipe = recipe
        self.weight_choices = list(weight_choices)
        self.agg_choices = list(agg_choices)
        spec = recipe.step("weight")
        self.scope = spec.scope or "within_parent"
        self.sample = spec.sample or "pooled"
        self.na_policy = recipe.na_policy
        self.zero = dict(recipe.zero_policy)
        self._agg_kwargs_cache: dict[int, dict[str, Any]] = {}

    # ------------------------------------------------------------------ defaults
    def default_weight_ids(self) -> np.ndarray:
        """(A,) the recipe's weighting choice of each aggregate's children (global: the step's choice)."""
        spec = self.recipe.step("weight")
        out = []
        for node in self.tree.order:
            if self.scope == "global":
                choice = spec.choice
            else:
                child_level = int(self.tree.level[node]) + 1
                choice = spec.choose(level=child_level, code=self.tree.codes[node])
            out.append(self.choice_id(choice, self.weight_choices))
        return np.asarray(out, dtype=int)

    def default_agg_ids(self) -> np.ndarray:
        spec = self.recipe.step("aggregate")
        return np.asarray([self.choice_id(spec.choose(level=int(self.tree.level[node]),
                                                      code=self.tree.codes[node]), self.agg_choices)
                           for node in self.tree.order], dtype=int)

    @staticmethod
    def choice_id(choice: MethodChoice, table: list[MethodChoice]) -> int:
        for i, known in enumerate(table):
            if known.method == choice.method and dict(known.params) == dict(choice.params):
                return i
        table.append(choice)
        return len(table) - 1

    def nominal_plan(self, n: int = 1) -> RunPlan:
        a = len(self.tree.order)
        return RunPlan(np.broadcast_to(self.default_weight_ids(), (n, a)).copy(),
                       np.broadcast_to(self.default_agg_ids(), (n, a)).copy(), None, np.full(n, -1))

    # ------------------------------------------------------------------ checks before running
    def check(self, cube: Cube, agg_options: dict[int, set[int]], label: str) -> list[Problem]:
        """Problems that would make *every* run with some choice fail on this cube, found up front.

        ``agg_options`` maps an aggregate's position in ``Tree.order`` to the aggregation ids runs may use.
        """
        problems: list[Problem] = []
        x = cube.x
        for a, node in enumerate(self.tree.order):
            kids = self.tree.children[node]
            if not (kids < self.tree.m).all():
                continue
            block = x[..., kids]
            for agg in sorted(agg_options.get(a, set())):
                choice = self.agg_choices[agg]
                method = catalog.get("aggregate", choice.method)
                kwargs = self._agg_kwargs(agg)
                if method.needs_positive(kwargs) and self.zero.get("method", "refuse") == "refuse" and (block <= 0).any():
                    count = int((block <= 0).sum())
                    problems.append(Problem(
                        "nonpositive_value", f"{label}: the {choice.method} mean of {self.tree.codes[node]!r} "
                        f"would meet {count} value(s) ≤ 0 in the normalised data; normalise to a range above 0 "
                        "(e.g. minmax lo: 1, hi: 100, as COINr) or set the recipe's zero_policy (na, epsilon, "
                        "shift)", indicator=self.tree.codes[node]))
                if method.needs_nonnegative(kwargs) and (block < 0).any():
                    problems.append(Problem(
                        "negative_value", f"{label}: the generalised mean (p > 0) of {self.tree.codes[node]!r} "
                        "would meet negative normalised values", indicator=self.tree.codes[node]))
        return problems

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, cube: Cube, plan: RunPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores of the aggregates ``S (A, n, T, R)`` (node-major, columns as ``Tree.agg_pos``), the
        within-parent weights ``(n, Tw, N)`` and the failed-run mask ``(n,)`` of the runs in ``plan``."""
        tree = self.tree
        t, r, _ = cube.shape
        n = plan.n
        tw = t if self.sample == "by_year" else 1
        scores = np.empty((len(tree.order), n, t, r))
        within = np.ones((n, tw, tree.n_nodes))
        failed = np.zeros(n, dtype=bool)
        glob = self._global_within(cube, plan) if self.scope == "global" else None
        for a, node in enumerate(tree.order):
            kids = tree.children[node]
            w = self._child_weights(cube, plan, a, node, kids, scores, glob, failed)
            if plan.noise is not None:
                w = w * plan.noise[:, None, kids]
                with np.errstate(invalid="ignore", divide="ignore"):
                    w = w / w.sum(axis=-1, keepdims=True)
            within[..., kids] = w
            self._aggregate(cube, plan, a, node, kids, w, scores, within, failed)
        if failed.any():
            scores[:, failed] = np.nan
        return scores, within, failed

    # ------------------------------------------------------------------ weights
    def _global_within(self, cube: Cube, plan: RunPlan) -> tuple[np.ndarray, np.ndarray]:
        """Global weights as within-parent weights: a table (combos, Tw, N) and each run's combo."""
        ids = plan.weight_ids[:, 0]
        key = ids * (self.tree.m + 1) + plan.drop + 1
        combos, inverse = np.unique(key, return_inverse=True)
        table = []
        for combo in combos:
            choice_id, drop = divmod(int(combo), self.tree.m + 1)
            table.append(self._global_table(cube, choice_id, drop - 1))
        return np.stack(table), inverse

    def _global_table(self, cube: Cube, choice_id: int, drop: int) -> np.ndarray:
        cache_key = ("global", choice_id, drop)
        if cache_key in cube.weights:
            return cube.weights[cache_key]
        tree = self.tree
        choice = self.weight_choices[choice_id]
        leaves = list(range(tree.m))
        if drop >= 0 and not is_static(choice):
            keep = [j for j in leaves if j != drop]
            w = weights_for(choice, cube.x[..., keep], [tree.codes[j] for j in keep], self.fw, self.sample)
            w = np.insert(w, drop, 0.0, axis=-1)
        else:
            w = weights_for(choice, cube.x if not is_static(choice) else None, tree.codes[:tree.m], self.fw,
                            self.sample)
            if drop >= 0:
                w = _without(w, drop)
        tw = w.shape[0]
        total = np.zeros((tw, tree.n_nodes))
        total[:, :tree.m] = w
        for node in tree.order:
            total[:, node] = total[:, tree.children[node]].sum(axis=-1)
        within = np.ones_like(total)
        with np.errstate(invalid="ignore", divide="ignore"):
            for node in tree.order:
                kids = tree.children[node]
                within[:, kids] = total[:, kids] / total[:, [node]]
        cube.weights[cache_key] = within
        return within

    def _child_weights(self, cube: Cube, plan: RunPlan, a: int, node: int, kids: np.ndarray,
                       scores: np.ndarray, glob: tuple[np.ndarray, np.ndarray] | None,
                       failed: np.ndarray) -> np.ndarray:
        n = plan.n
        tw = cube.shape[0] if self.sample == "by_year" else 1
        if glob is not None:
            table, inverse = glob
            return np.broadcast_to(table[inverse][:, :, kids], (n, tw, len(kids))).copy()
        ids = plan.weight_ids[:, a]
        out = np.empty((n, tw, len(kids)))
        leaf_kids = bool((kids < self.tree.m).all())
        for choice_id in np.unique(ids):
            sel = ids == choice_id
            choice = self.weight_choices[int(choice_id)]
            if is_static(choice) or leaf_kids:
                drops = plan.drop[sel]
                combos, inverse = np.unique(drops, return_inverse=True)
                table = np.stack([self._static_weights(cube, node, kids, int(choice_id), int(d), tw)
                                  for d in combos])
                out[sel] = table[inverse]
            else:
                out[sel] = self._dynamic_weights(cube, choice, node, kids, scores, failed, sel, tw)
        return out

    def _static_weights(self, cube: Cube, node: int, kids: np.ndarray, choice_id: int, drop: int,
                        tw: int) -> np.ndarray:
        """Weights (Tw, k) of a parent's children that do not depend on the run (cached per cube)."""
        local = int(np.flatnonzero(kids == drop)[0]) if drop >= 0 and drop in kids else -1
        cache_key = ("parent", node, choice_id, local)
        if cache_key in cube.weights:
            return cube.weights[cache_key]
        choice = self.weight_choices[choice_id]
        codes = [self.tree.codes[k] for k in kids]
        if is_static(choice):
            w = weights_for(choice, None, codes, self.fw, self.sample)
            if local >= 0:
                w = _without(w, local)
        else:
            keep = [i for i in range(len(kids)) if i != local]
            w = weights_for(choice, cube.x[..., kids[keep]], [codes[i] for i in keep], self.fw, self.sample)
            if local >= 0:
                w = np.insert(w, local, 0.0, axis=-1)
        w = np.broadcast_to(w, (tw, len(kids))).copy()
        cube.weights[cache_key] = w
        return w

    def _children_block(self, cube: Cube, kids: np.ndarray, scores: np.ndarray,
                        sel: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Values of the children ``(n, T, R, k)`` for the runs ``sel`` (indicators broadcast from the
        cube; aggregates gathered from ``scores (A, n, T, R)``)."""
        n = len(scores[0][sel])
        t, r, _ = cube.shape
        block = np.empty((n, t, r, len(kids)))
        for j, kid in enumerate(kids):  # the children of one node (structure, not data)
            block[..., j] = cube.x[..., kid] if kid < self.tree.m else scores[kid - self.tree.m][sel]
        return block

    def _dynamic_weights(self, cube: Cube, choice: MethodChoice, node: int, kids: np.ndarray,
                         scores: np.ndarray, failed: np.ndarray, sel: np.ndarray, tw: int) -> np.ndarray:
        """Data-driven weights on run-dependent children (aggregates), one set per run."""
        block = self._children_block(cube, kids, scores, sel)
        codes = [self.tree.codes[k] for k in kids]
        try:
            w = weights_for(choice, block, codes, self.fw, self.sample)
            bad = ~np.isfinite(w).all(axis=(-1, -2))
        except HqdError:
            # Some runs make the method undefined (e.g. negative scores for entropy): find them one by one.
            w = np.full((block.shape[0], tw, len(kids)), np.nan)
            bad = np.zeros(block.shape[0], dtype=bool)
            for i in range(block.shape[0]):  # error path only
                try:
                    w[i] = weights_for(choice, block[i], codes, self.fw, self.sample)
                except HqdError:
                    bad[i] = True
            bad |= ~np.isfinite(w).all(axis=(-1, -2))
        idx = np.flatnonzero(sel)
        failed[idx[bad]] = True
        w = np.where(bad[:, None, None], 1.0 / len(kids), w)
        return np.broadcast_to(w, (block.shape[0], tw, len(kids)))

    # ------------------------------------------------------------------ aggregation
    def _agg_kwargs(self, agg: int) -> dict[str, Any]:
        """The validated parameters of aggregation ``agg`` (cached; choices may be added after init)."""
        if agg not in self._agg_kwargs_cache:
            self._agg_kwargs_cache[agg] = self._agg_params(self.agg_choices[agg])
        return self._agg_kwargs_cache[agg]

    def _agg_params(self, choice: MethodChoice) -> dict[str, Any]:
        return catalog.get("aggregate", choice.method).call_params(choice.params)

    def _method(self, agg: int) -> catalog.Method:
        return catalog.get("aggregate", self.agg_choices[agg].method)

    def _power(self, agg: int) -> float | None:
        """The power-mean exponent of aggregation ``agg`` (None: not a power mean)."""
        return self._method(agg).power(self._agg_kwargs(agg))

    def _positive(self, agg: int) -> bool:
        """True when aggregation ``agg`` needs values > 0 (the zero policy applies)."""
        return self._method(agg).needs_positive(self._agg_kwargs(agg))

    def _nonnegative(self, agg: int) -> bool:
        """True when aggregation ``agg`` is a power mean with p > 0, p ≠ 1 (x^p of a negative x)."""
        return self._method(agg).needs_nonnegative(self._agg_kwargs(agg))

    def _aggregate(self, cube: Cube, plan: RunPlan, a: int, node: int, kids: np.ndarray, w: np.ndarray,
                   scores: np.ndarray, within: np.ndarray, failed: np.ndarray) -> None:
        """Write the scores of aggregate ``node`` for every run into ``scores[agg_pos(node)]``."""
        target = scores[self.tree.agg_pos(node)]
        ids = plan.agg_ids[:, a]
        leaf_kids = bool((kids < self.tree.m).all())
        node_kids = bool((kids >= self.tree.m).all())
        unique = np.unique(ids)
        for agg in unique:
            whole = len(unique) == 1
            sel = slice(None) if whole else ids == agg
            choice = self.agg_choices[int(agg)]
            power = self._power(int(agg))
            ws = w if whole else w[sel]
            result: np.ndarray | None = None
            if power is not None and leaf_kids:
                keep = self._keep_mask(plan.drop if whole else plan.drop[sel], kids)
                result = self._power_leaves(cube, node, kids, int(agg), power, ws, keep)
            elif power is not None and node_kids:
                result = self._power_nodes(int(agg), power, [scores[k - self.tree.m][sel] for k in kids], ws)
            if result is None and self._method(int(agg)).properties.ranking:
                result = self._topsis(cube, node, kids, choice, int(agg), ws, scores, sel,
                                      within if whole else within[sel])
            if result is None:
                mask = np.ones(plan.n, dtype=bool) if whole else np.asarray(sel)
                result = self._block_mean(choice, int(agg), power, self._children_block(cube, kids, scores, sel),
                                          ws, failed, mask)
            target[sel] = result

    @staticmethod
    def _keep_mask(drop: np.ndarray, kids: np.ndarray) -> np.ndarray | None:
        if (drop < 0).all():
            return None
        return (drop[:, None] != kids[None, :]).astype(float)

    def _leaf_transform(self, cube: Cube, node: int, kids: np.ndarray, agg: int,
                        power: float) -> tuple[np.ndarray, ...]:
        """f(x) of a parent's indicator block with NaN → 0, the present mask and the NA/zero-policy masks.

        Returns ``(F, present, missing, void, has_nan)`` with F, present, missing ``(T·R, k)`` and void
        ``(T·R,)`` (observations the zero policy ``na`` voids).  Cached per cube.
        """
        cache_key = (node, agg)
        if cache_key in cube.transforms:
            return cube.transforms[cache_key]
        t, r, _ = cube.shape
        block = cube.x[..., kids].reshape(t * r, len(kids))
        choice = self.agg_choices[agg]
        void = np.zeros(t * r, dtype=bool)
        if self._positive(agg):
            nonpos = block <= 0
            if nonpos.any():
                policy = self.zero.get("method", "refuse")
                if policy == "refuse":  # BatchEngine.check reports this before any run
                    raise HqdError([Problem("nonpositive_value", f"values ≤ 0 under {self.tree.codes[node]!r}"
                                            f" in a {choice.method} mean (zero_policy: refuse)",
                                            indicator=self.tree.codes[node])])
                block, void = apply_zero_policy(block, self.zero)
        present = ~np.isnan(block)
        with np.errstate(divide="ignore", invalid="ignore"):
            if power == 1.0:
                f = block
            elif power == 0.0:
                f = np.log(block)
            else:
                f = block ** power
        f = np.where(present, f, 0.0)
        result = (f, present.astype(float), (~present).astype(float), void, np.asarray(not present.all()))
        cube.transforms[cache_key] = result
        return result

    def _power_leaves(self, cube: Cube, node: int, kids: np.ndarray, agg: int, power: float, w: np.ndarray,
                      keep: np.ndarray | None) -> np.ndarray:
        """Power mean of indicator children for ``n`` runs as matrix products (no (n, T·R, k) temporary)."""
        t, r, _ = cube.shape
        f, present, missing, void, has_nan = self._leaf_transform(cube, node, kids, agg, power)
        n, tw, k = w.shape
        if tw == 1:
            w2 = w[:, 0, :]
            num = (f @ w2.T).T.reshape(n, t, r)
            den = ((present @ w2.T).T.reshape(n, t, r) if bool(has_nan)
                   else np.broadcast_to(w2.sum(axis=-1)[:, None, None], (n, t, r)))
        else:
            num = np.einsum("trk,ntk->ntr", f.reshape(t, r, k), w)
            den = np.einsum("trk,ntk->ntr", present.reshape(t, r, k), w) if bool(has_nan) else \
                np.broadcast_to(w.sum(axis=-1)[:, :, None], (n, t, r))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = num / den
        mean = np.where(den > 0, mean, np.nan)
        if self.na_policy == "propagate" and bool(has_nan):
            mask = np.ones((n, k)) if keep is None else keep
            count = (missing @ mask.T).T.reshape(n, t, r)
            mean = np.where(count > 0, np.nan, mean)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            if power == 0.0:
                mean = np.exp(mean)
            elif power != 1.0:
                mean = mean ** (1.0 / power)
        return np.where(void.reshape(t, r), np.nan, mean)

    def _power_nodes(self, agg: int, power: float, values: list[np.ndarray],
                     w: np.ndarray) -> np.ndarray | None:
        """Power mean of aggregate children given as ``(n, T, R)`` arrays, child by child (k is small).

        Returns None when a zero policy or a sign rule would act (then the catalogue path handles it).
        """
        if self._positive(agg) and any(bool((v <= 0).any()) for v in values):
            return None
        if self._nonnegative(agg) and any(bool((v < 0).any()) for v in values):
            return None
        has_nan = any(bool(np.isnan(v).any()) for v in values)
        num = np.zeros_like(values[0])
        den = np.zeros_like(values[0]) if has_nan else np.zeros((*w.shape[:2], 1))
        missing = np.zeros(values[0].shape, dtype=bool)
        with np.errstate(invalid="ignore", divide="ignore"):
            for j, v in enumerate(values):  # loop over the children of one node (structure, not data)
                wj = w[:, :, j, None]
                f = v if power == 1.0 else (np.log(v) if power == 0.0 else v ** power)
                if has_nan:
                    present = ~np.isnan(v)
                    num += np.where(present, wj * f, 0.0)
                    den = den + np.where(present, wj, 0.0)
                    missing |= ~present
                else:
                    num += wj * f
                    den = den + wj
            mean = np.where(den > 0, num / den, np.nan)
            if self.na_policy == "propagate":
                mean = np.where(missing, np.nan, mean)
            if power == 0.0:
                return np.exp(mean)
            return mean if power == 1.0 else mean ** (1.0 / power)

    def _block_mean(self, choice: MethodChoice, agg: int, power: float | None, block: np.ndarray,
                    w: np.ndarray, failed: np.ndarray, sel: np.ndarray) -> np.ndarray:
        """The catalogue's aggregation on ``(n, T, R, k)`` blocks, with the pipeline's zero policy per run."""
        n, t, r, k = block.shape
        idx = np.flatnonzero(sel)
        method = catalog.get("aggregate", choice.method)
        kwargs = dict(self._agg_kwargs(agg))
        if "na" in method.params:
            kwargs["na"] = self.na_policy
        bad_run = ~np.isfinite(w).all(axis=(-1, -2)) | (w < 0).any(axis=(-1, -2))
        void = np.zeros((n, t, r), dtype=bool)
        if self._positive(agg):
            nonpos = block <= 0
            hit = np.asarray(nonpos.any(axis=(1, 2, 3)))
            if hit.any():
                policy = self.zero.get("method", "refuse")
                if policy == "refuse":
                    bad_run |= hit
                else:
                    # Per run: only the runs whose block holds a value ≤ 0 are shifted (as one build would).
                    hits = np.flatnonzero(hit)
                    block = block.copy()
                    block[hits], void[hits] = apply_zero_policy(block[hits], self.zero)
        if self._nonnegative(agg):
            bad_run |= (block < 0).any(axis=(1, 2, 3))
        if "zero" in method.params:
            kwargs["zero"] = "refuse"
        if bad_run.any():
            failed[idx[bad_run]] = True
            block = np.where(bad_run[:, None, None, None], 1.0, block)
            w = np.where(bad_run[:, None, None], 1.0, w)
        if w.shape[1] == 1:
            out = np.asarray(_values(method(block.reshape(n, t * r, k), w[:, 0, :], **kwargs))).reshape(n, t, r)
        else:
            out = np.asarray(_values(method(block, w, **kwargs)))
        return np.where(void, np.nan, out)

    def _topsis(self, cube: Cube, node: int, kids: np.ndarray, choice: MethodChoice, agg: int, w: np.ndarray,
                scores: np.ndarray, sel: np.ndarray | slice, within: np.ndarray) -> np.ndarray:
        method = catalog.get("aggregate", choice.method)
        over = str(method.key(choice.params, "over"))
        ideals = str(method.key(choice.params, "ideals"))
        if over == "leaves":
            leaves = self.tree.leaves_under(node)
            block = np.broadcast_to(cube.x[..., leaves], (w.shape[0], *cube.x.shape[:2], len(leaves)))
            rel = []
            for leaf in leaves:  # loop over the tree's leaves under one node (structure, not data)
                value = within[..., leaf]
                up = int(self.tree.parent[leaf])
                while up != node:
                    value = value * within[..., up]
                    up = int(self.tree.parent[up])
                rel.append(value)
            w = np.stack(rel, axis=-1)
        else:
            block = self._children_block(cube, kids, scores, sel)
        n, t, r, k = block.shape
        kwargs = self._agg_kwargs(agg)
        if ideals == "by_year":
            return np.asarray(method(block, w, **kwargs).values)
        if w.shape[1] != 1 and bool(np.all(w == w[:, :1])):
            w = w[:, :1]  # weights that do not change with the year (equal, framework) under sample: by_year
        if w.shape[1] != 1:
            raise HqdError([Problem("invalid_parameter", "TOPSIS with pooled ideals needs pooled weights; use "
                                    "ideals: by_year with weights sampled by year", column="aggregate")])
        return np.asarray(method(block.reshape(n, t * r, k), w[:, 0, :], **kwargs).values).reshape(n, t, r)


def _values(result: Any) -> np.ndarray:
    return np.asarray(getattr(result, "values", result), dtype=float)


def rank_desc(values: np.ndarray) -> np.ndarray:
    """Ranks along the last axis: 1 + the number of strictly higher values; NaN stays NaN (as
    :attr:`hqd.result.Result.ranks`: ties share the lowest rank)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return arr.copy()
    missing = np.isnan(arr)
    key = np.where(missing, np.inf, -arr)
    order = np.argsort(key, axis=-1)  # ties are resolved below, so any sort order will do
    ordered = np.take_along_axis(key, order, axis=-1)
    position = np.broadcast_to(np.arange(arr.shape[-1]), arr.shape)
    starts = np.ones(arr.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    first = np.maximum.accumulate(np.where(starts, position, 0), axis=-1)  # start of each tie group
    ranks = np.empty(arr.shape)
    np.put_along_axis(ranks, order, first + 1.0, axis=-1)
    return np.where(missing, np.nan, ranks)


__all__ = ["BatchEngine", "Cube", "RunPlan", "Tree", "manual_weights", "rank_desc", "weights_for"]
