"""Inequality decomposition speed: Dagum + Theil for 2,900 counties × 4 groups × 20 years (issue 3).

Target: HQD's ``dagum_gini`` + ``theil`` (both decompositions, every year, from a long table as a user
passes it) under 1 s.  Baseline, measured in the same run on the same data: the naive pairwise Dagum
decomposition a script would write — for every year and every pair of groups, the full matrix of
|y_ji − y_hr| (O(n²) per year) — plus a per-year pandas Theil decomposition.  Both results are
compared so the speed-up is between two implementations that agree.

The data are SYNTHETIC (seeded log-normal values with group effects), generated here.

Usage::

    .venv/bin/python benchmarks/bench_analysis.py [--counties 2900] [--years 20] [--repeat 3] [--python-loop]

``--python-loop`` also times a pure-Python double loop over the pairs of one year (the slowest way,
extrapolated to all years and labelled as such).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

from hqd.analysis import DagumResult, TheilResult, dagum_gini, theil

T = TypeVar("T")

GROUPS = ("East", "Central", "West", "Northeast")
SHARES = (0.38, 0.31, 0.24, 0.07)  # unequal group sizes, as China's four regions of counties


def synthetic_panel(n: int, years: int, seed: int = 2024) -> tuple[pd.DataFrame, dict[str, str]]:
    """SYNTHETIC county panel: ``region, year, score`` and a region → group map."""
    rng = np.random.default_rng(seed)
    sizes = np.floor(np.asarray(SHARES) * n).astype(int)
    sizes[0] += n - sizes.sum()
    group = np.repeat(np.arange(len(GROUPS)), sizes)
    level = np.array([0.0, -0.25, -0.45, -0.2])[group] + rng.normal(0, 0.35, n)
    regions = np.array([f"C{i:05d}" for i in range(n)])
    trend = np.linspace(0, 0.4, years)
    values = np.exp(level[None, :] + trend[:, None] * (1 - 0.3 * level[None, :]) + rng.normal(0, 0.05, (years, n)))
    frame = pd.DataFrame({"region": np.tile(regions, years), "year": np.repeat(np.arange(2005, 2005 + years), n),
                          "score": values.ravel()})
    return frame, {r: GROUPS[g] for r, g in zip(regions, group, strict=True)}


def naive_dagum(frame: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """The textbook pairwise Dagum decomposition, one year and one pair of groups at a time."""
    rows = []
    for year, part in frame.groupby("year", sort=True):
        y = part["score"].to_numpy()
        g = part["region"].map(groups).to_numpy()
        n, mu = len(y), y.mean()
        members = [y[g == label] for label in GROUPS]
        means = [m.mean() for m in members]
        p = [len(m) / n for m in members]
        s = [len(m) * mean / (n * mu) for m, mean in zip(members, means, strict=True)]
        total = np.abs(y[:, None] - y[None, :]).sum() / (2 * n * n * mu)
        g_w = sum(np.abs(m[:, None] - m[None, :]).sum() / (2 * len(m) ** 2 * mean) * pj * sj
                  for m, mean, pj, sj in zip(members, means, p, s, strict=True))
        g_nb = g_t = 0.0
        for j in range(len(GROUPS)):
            for h in range(j):
                a, b = (members[j], members[h]) if means[j] >= means[h] else (members[h], members[j])
                diff = a[:, None] - b[None, :]
                g_jh = np.abs(diff).sum() / (len(a) * len(b) * (means[j] + means[h]))
                d = np.maximum(diff, 0).mean()
                t = np.maximum(-diff, 0).mean()
                weight = p[j] * s[h] + p[h] * s[j]
                g_nb += g_jh * weight * (d - t) / (d + t)
                g_t += g_jh * weight * (1 - (d - t) / (d + t))
        rows.append({"year": year, "G": total, "G_w": g_w, "G_nb": g_nb, "G_t": g_t})
    return pd.DataFrame(rows)


def naive_theil(frame: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """Theil T decomposition with a pandas groupby per year (how a script usually does it)."""
    rows = []
    for year, part in frame.groupby("year", sort=True):
        part = part.assign(group=part["region"].map(groups))
        mu = part["score"].mean()
        total = np.mean(part["score"] / mu * np.log(part["score"] / mu))
        between = within = 0.0
        for _, members in part.groupby("group"):
            share_n = len(members) / len(part)
            mean_g = members["score"].mean()
            t_g = np.mean(members["score"] / mean_g * np.log(members["score"] / mean_g))
            between += share_n * mean_g / mu * np.log(mean_g / mu)
            within += share_n * mean_g / mu * t_g
        rows.append({"year": year, "T": total, "between": between, "within": within})
    return pd.DataFrame(rows)


def python_loop_one_year(y: np.ndarray) -> float:
    """Σ_i Σ_j |y_i − y_j| with two Python loops (one year only)."""
    values = y.tolist()
    total = 0.0
    for a in values:
        for b in values:
            total += abs(a - b)
    return total


def best_of(func: Callable[[], T], repeat: int) -> tuple[float, T]:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=2900)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--python-loop", action="store_true")
    args = parser.parse_args()

    frame, groups = synthetic_panel(args.counties, args.years)
    print(f"SYNTHETIC data: {args.counties} counties × {len(GROUPS)} groups × {args.years} years "
          f"(seeded log-normal; generated by this script)")

    def ours() -> tuple[DagumResult, TheilResult]:
        return dagum_gini(frame, groups, group_order=GROUPS), theil(frame, groups, group_order=GROUPS)

    def baseline() -> tuple[pd.DataFrame, pd.DataFrame]:
        return naive_dagum(frame, groups), naive_theil(frame, groups)

    ours()  # warm-up (imports, caches)
    t_ours, (dagum, th) = best_of(ours, args.repeat)
    t_base, (ref_dagum, ref_theil) = best_of(baseline, max(1, args.repeat - 2))

    diff = max(float(np.max(np.abs(getattr(dagum, k) - ref_dagum[k].to_numpy()))) for k in ("G", "G_w", "G_nb", "G_t"))
    if th.between is None or th.between_share is None:
        raise SystemExit("theil returned no decomposition")
    diff_t = max(float(np.max(np.abs(th.total - ref_theil["T"].to_numpy()))),
                 float(np.max(np.abs(th.between - ref_theil["between"].to_numpy()))))
    print(f"{'implementation':<58}{'seconds':>10}")
    print(f"{'HQD dagum_gini + theil (sort-based, all years at once)':<58}{t_ours:>10.3f}")
    print(f"{'naive pairwise Dagum + per-year pandas Theil (baseline)':<58}{t_base:>10.3f}")
    print(f"speed-up: ×{t_base / t_ours:.1f}; target < 1 s: {'met' if t_ours < 1.0 else 'NOT met'}")
    print(f"agreement: max |Δ| Dagum parts {diff:.2e}, Theil {diff_t:.2e}")
    print(f"last year: G {dagum.G[-1]:.4f} = G_w {dagum.G_w[-1]:.4f} + G_nb {dagum.G_nb[-1]:.4f} "
          f"+ G_t {dagum.G_t[-1]:.4f}; Theil-T {th.total[-1]:.4f}, "
          f"{100 * th.between_share[-1]:.0f}% between groups (SYNTHETIC)")
    if args.python_loop:
        one = frame.loc[frame["year"] == frame["year"].min(), "score"].to_numpy()
        start = time.perf_counter()
        python_loop_one_year(one)
        t_loop = time.perf_counter() - start
        print(f"pure-Python pairwise loop, 1 year: {t_loop:.2f} s → ×{args.years} years ≈ {t_loop * args.years:.0f} s "
              f"(extrapolated), ×{t_loop * args.years / t_ours:.0f} slower than HQD")


if __name__ == "__main__":
    main()
