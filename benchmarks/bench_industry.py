"""Industry measures speed: batched arrays against the loops a script would write (issue 15).

Two workloads, SYNTHETIC data generated here (seeded gamma values):

1. **Concentration** — location quotients, the structural-similarity matrix and Krugman specialisation
   for ``--draws`` perturbed copies (a Monte Carlo "runs" axis) of a 13-city × 97-division table.
   HQD: one call per measure on the (draws, 13, 97) array.  Baseline, same run, same data: a pandas
   script that loops over the draws (groupby shares, LQ by division of shares, pairwise cosine with
   ``DataFrame.dot``, Krugman against the rest by a loop over cities).
2. **Leontief inverse** — ``--tables`` IO tables of 42 sectors (the size of China's published IO
   tables).  HQD: one batched ``numpy.linalg.inv`` (with its singularity and productivity checks).
   Peer: ``pymrio.tools.iomath.calc_L`` called once per table (when pymrio is installed).

Results are compared before timing so the ratios are between implementations that agree.

Usage::

    .venv/bin/python benchmarks/bench_industry.py [--draws 1000] [--tables 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

from hqd.analysis.industry import (
    krugman_specialisation,
    leontief_inverse,
    location_quotient,
    structural_similarity,
)

T = TypeVar("T")


def best(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out  # type: ignore[return-value]


def hqd_concentration(cube: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return location_quotient(cube), structural_similarity(cube), krugman_specialisation(cube)


def pandas_concentration(cube: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lqs, sims, ks = [], [], []
    for draw in cube:
        df = pd.DataFrame(draw)
        shares = df.div(df.sum(axis=1), axis=0)
        ref = df.sum(axis=0) / df.to_numpy().sum()
        lqs.append(shares.div(ref, axis=1).to_numpy())
        norm = np.sqrt((shares**2).sum(axis=1))
        unit = shares.div(norm, axis=0)
        sims.append(unit.dot(unit.T).to_numpy())
        k = []
        for r in range(len(df)):
            rest = df.drop(index=r).sum(axis=0)
            k.append((shares.iloc[r] - rest / rest.sum()).abs().sum())
        ks.append(np.array(k))
    return np.stack(lqs), np.stack(sims), np.stack(ks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--sectors", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(15)

    base = rng.gamma(1.2, 50.0, size=(13, 97)) + 0.1
    cube = base[None] * np.exp(rng.normal(0, 0.05, size=(args.draws, 13, 97)))
    t_hqd, ours = best(lambda: hqd_concentration(cube), args.repeat)
    t_pd, theirs = best(lambda: pandas_concentration(cube), max(1, args.repeat - 2))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    print(f"SYNTHETIC data. Concentration (LQ + similarity + Krugman), {args.draws} draws × 13 cities × 97 divisions:")
    print(f"  hqd batched arrays : {t_hqd * 1e3:9.1f} ms")
    print(f"  pandas loop        : {t_pd * 1e3:9.1f} ms   (hqd is {t_pd / t_hqd:,.0f}× faster)")

    n = args.sectors
    a = rng.uniform(0, 1, size=(args.tables, n, n))
    a *= rng.uniform(0.3, 0.8, size=(args.tables, 1, 1)) / a.sum(axis=1, keepdims=True)
    t_l, ours_l = best(lambda: leontief_inverse(a), args.repeat)
    t_inv, plain = best(lambda: np.linalg.inv(np.eye(n) - a), args.repeat)
    t_solve, solved = best(lambda: np.linalg.solve(np.eye(n) - a, np.broadcast_to(np.eye(n), a.shape)), args.repeat)
    np.testing.assert_allclose(ours_l, plain, rtol=1e-9)
    np.testing.assert_allclose(ours_l, solved, rtol=1e-9)
    print(f"Leontief inverse, {args.tables} tables × {n} sectors:")
    print(f"  hqd (checks + batched inv)     : {t_l * 1e3:9.1f} ms")
    print(f"  bare batched numpy inv         : {t_inv * 1e3:9.1f} ms   (hqd's checks cost {t_l / t_inv:.1f}×)")
    print(f"  bare batched numpy solve(I-A,I): {t_solve * 1e3:9.1f} ms")
    try:
        from pymrio.tools import iomath
    except ImportError:
        print("  pymrio not installed: peer timing skipped")
        return
    t_py, peer = best(lambda: np.stack([iomath.calc_L(t) for t in a]), args.repeat)
    np.testing.assert_allclose(ours_l, peer, rtol=1e-9, atol=1e-12)
    print(f"  pymrio calc_L per table        : {t_py * 1e3:9.1f} ms   (ratio pymrio/hqd {t_py / t_l:.2f})")


if __name__ == "__main__":
    main()
