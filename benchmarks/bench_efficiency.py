"""Efficiency-view speed (issue 17): SBM with undesirable outputs, GML, geodetector.

Targets: SBM with undesirable outputs on 3,000 DMUs × 5 inputs/outputs under 30 s; GML over
300 DMUs × 10 years under 60 s; the geodetector (factor + interaction detectors) on 100,000 points
under 5 s.

Baselines, measured in the same run on the same data:

* SBM / GML: the per-DMU loop a script would write — one fresh ``scipy.optimize.linprog`` (HiGHS)
  call per DMU with every DMU as a reference column.  It is timed on the first ``--baseline`` DMUs and
  extrapolated per DMU (labelled so); its scores are compared with HQD's on those DMUs.
* geodetector: the same q statistics through ``pandas.groupby`` (per-stratum variances), and the PyPI
  package ``geodetector`` (a peer, when installed) on the same data.

All data are SYNTHETIC (seeded log-normal production data, seeded strata), generated here.

Usage::

    .venv/bin/python benchmarks/bench_efficiency.py [--dmus 3000] [--regions 300] [--years 10]
        [--points 100000] [--baseline 150]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from hqd.analysis import efficiency, geodetector


def production(n: int, seed: int, drift: float = 0.0) -> pd.DataFrame:
    """SYNTHETIC DMUs: capital, labour; GDP, a second good output; CO2 (5 variables)."""
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0, 0.5, (n, 2))
    y = (x.prod(axis=1, keepdims=True) ** 0.4) * (1 + drift) * rng.lognormal(0, 0.3, (n, 2))
    b = y[:, :1] * rng.lognormal(0, 0.3, (n, 1)) * (1 - drift / 2)
    frame = pd.DataFrame(np.hstack([x, y, b]), columns=["k", "l", "gdp", "y2", "co2"])
    frame.insert(0, "region", [f"D{i:05d}" for i in range(n)])
    return frame


def naive_sbm(x: np.ndarray, y: np.ndarray, b: np.ndarray, o: int) -> float:
    """Tone's SBM of DMU o as one fresh linprog over all DMUs (Charnes–Cooper variables t, Λ, S)."""
    n, m, s1, s2 = len(x), x.shape[1], y.shape[1], b.shape[1]
    nv = 1 + n + m + s1 + s2
    a = np.zeros((1 + m + s1 + s2, nv))
    a[0, 0] = 1
    a[0, 1 + n + m : 1 + n + m + s1] = 1 / ((s1 + s2) * y[o])
    a[0, 1 + n + m + s1 :] = 1 / ((s1 + s2) * b[o])
    a[1 : 1 + m, 0], a[1 : 1 + m, 1 : 1 + n], a[1 : 1 + m, 1 + n : 1 + n + m] = -x[o], x.T, np.eye(m)
    r = 1 + m
    a[r : r + s1, 0], a[r : r + s1, 1 : 1 + n], a[r : r + s1, 1 + n + m : 1 + n + m + s1] = -y[o], y.T, -np.eye(s1)
    r += s1
    a[r:, 0], a[r:, 1 : 1 + n], a[r:, 1 + n + m + s1 :] = -b[o], b.T, np.eye(s2)
    c = np.zeros(nv)
    c[0], c[1 + n : 1 + n + m] = 1, -1 / (m * x[o])
    beq = np.zeros(len(a))
    beq[0] = 1
    return float(linprog(c, A_eq=a, b_eq=beq, bounds=(0, None), method="highs").fun)


def naive_ddf(x0: np.ndarray, y0: np.ndarray, b0: np.ndarray, x: np.ndarray, y: np.ndarray, b: np.ndarray) -> float:
    """D(x0, y0, b0; y0, -b0) under CRS as one fresh linprog over the frontier ``x, y, b``."""
    n = len(x)
    c = np.zeros(1 + n)
    c[0] = -1
    a_ub = np.vstack([np.hstack([np.zeros((x.shape[1], 1)), x.T]), np.hstack([y0[:, None], -y.T])])
    b_ub = np.concatenate([x0, -y0])
    a_eq = np.hstack([b0[:, None], b.T])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b0, bounds=[(None, None)] + [(0, None)] * n, method="highs")
    return float(-res.fun)


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def bench_sbm(n: int, baseline: int) -> None:
    data = production(n, 1)
    result, seconds = timed(efficiency.sbm, data, ["k", "l"], ["gdp", "y2"], ["co2"])
    x, y, b = data[["k", "l"]].to_numpy(), data[["gdp", "y2"]].to_numpy(), data[["co2"]].to_numpy()
    start = time.perf_counter()
    naive = np.array([naive_sbm(x, y, b, o) for o in range(baseline)])
    per_dmu = (time.perf_counter() - start) / baseline
    diff = float(np.abs(naive - result.frame["efficiency"].to_numpy()[:baseline]).max())
    print(f"SBM undesirable, {n} DMUs x 5 variables: HQD {seconds:.1f} s (target < 30 s; "
          f"{result.frame['efficient'].sum()} efficient)")
    print(f"  naive per-DMU linprog: {per_dmu * 1000:.1f} ms/DMU on {baseline} DMUs -> {per_dmu * n:.0f} s "
          f"extrapolated; ratio {per_dmu * n / seconds:.1f}x; max |diff| {diff:.1e}")


def bench_gml(regions: int, years: int, baseline: int) -> None:
    frames = [production(regions, 100 + t, drift=0.02 * t).assign(year=2010 + t) for t in range(years)]
    for f in frames:
        f["region"] = [f"R{i:03d}" for i in range(regions)]
    data = pd.concat(frames, ignore_index=True)
    result, seconds = timed(efficiency.productivity, data, ["k", "l"], ["gdp", "y2"], ["co2"], index="gml")
    cols_x, cols_y, cols_b = ["k", "l"], ["gdp", "y2"], ["co2"]
    gx, gy, gb = data[cols_x].to_numpy(), data[cols_y].to_numpy(), data[cols_b].to_numpy()
    first = data.query("year == 2010")
    fx, fy, fb = first[cols_x].to_numpy(), first[cols_y].to_numpy(), first[cols_b].to_numpy()
    start = time.perf_counter()
    glob = [naive_ddf(fx[i], fy[i], fb[i], gx, gy, gb) for i in range(baseline)]
    same = [naive_ddf(fx[i], fy[i], fb[i], fx, fy, fb) for i in range(baseline)]
    per_pair = (time.perf_counter() - start) / baseline
    mine = result.distances.query("year == 2010")
    g = mine.query("frontier == 'global'")["distance"].to_numpy()[:baseline]
    s = mine.query("frontier == 'same'")["distance"].to_numpy()[:baseline]
    diff = float(max(np.abs(np.array(glob) - g).max(), np.abs(np.array(same) - s).max()))
    total = per_pair * regions * years
    print(f"GML, {regions} DMUs x {years} years (5 variables): HQD {seconds:.1f} s (target < 60 s)")
    print(f"  naive per-DMU linprog (global + own-year frontier): {per_pair * 1000:.1f} ms/DMU-year on {baseline} "
          f"-> {total:.0f} s extrapolated; ratio {total / seconds:.1f}x; max |diff| {diff:.1e}")


def bench_geodetector(points: int) -> None:
    rng = np.random.default_rng(5)
    f1, f2, f3 = rng.integers(0, 6, points), rng.integers(0, 9, points), rng.integers(0, 5, points)
    y = 0.4 * f1 + 0.2 * f2 + rng.normal(size=points)
    data = pd.DataFrame({"y": y, "a": f1, "b": f2, "c": f3})
    result, seconds = timed(geodetector.geodetector, data, "y", ["a", "b", "c"])

    def pandas_q() -> list[float]:
        sst = ((data["y"] - data["y"].mean()) ** 2).sum()
        out = []
        for cols in (["a"], ["b"], ["c"], ["a", "b"], ["a", "c"], ["b", "c"]):
            g = data.groupby(cols)["y"]
            out.append(1 - float((g.var(ddof=0) * g.size()).sum()) / sst)
        return out

    qs, base = timed(pandas_q)
    mine = [*result.factor["q"], *result.interaction["q_interaction"]]
    print(f"geodetector, {points} points x 3 factors (factor + interaction + risk + ecological): HQD {seconds:.2f} s "
          f"(target < 5 s)")
    print(f"  pandas groupby q only (6 q values): {base:.2f} s; ratio {base / seconds:.2f}x; "
          f"max |diff| {max(abs(a - b) for a, b in zip(qs, mine, strict=True)):.1e}")
    try:
        from geodetector import GeoDetector
    except ImportError:
        print("  PyPI geodetector not installed: peer skipped")
        return
    peer = GeoDetector(factors=["a", "b", "c"], target="y")
    _, peer_s = timed(peer.fit, data)
    print(f"  PyPI geodetector 0.2 fit (all detectors): {peer_s:.2f} s; ratio {peer_s / seconds:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dmus", type=int, default=3000)
    parser.add_argument("--regions", type=int, default=300)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=150)
    args = parser.parse_args()
    print("SYNTHETIC data (seeded); times are wall-clock on this machine, in one run")
    bench_geodetector(args.points)
    bench_sbm(args.dmus, args.baseline)
    bench_gml(args.regions, args.years, args.baseline)


if __name__ == "__main__":
    main()
