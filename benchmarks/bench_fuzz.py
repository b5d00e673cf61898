"""The long fuzz run: 20,000 seeded mutation cases through ``hqd validate`` and ``hqd run`` in-process.

The cases, seeds and mutations are those of ``tests/io/test_fuzz.py`` (which runs 500 of them in CI).
Prints the counts — clean errors (exit 2), accepted inputs (exit 0), tracebacks and other exit codes — the
time, and for each traceback its reproducer.  Run: ``.venv/bin/python benchmarks/bench_fuzz.py`` (``--cases N``,
``--seed S``, ``--only K`` to replay one case).
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "io"))

from test_fuzz import SEED, Outcome, failures, fuzz  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--only", type=int, help="replay this one case and print its traceback")
    args = parser.parse_args()
    counts: collections.Counter[str] = collections.Counter()
    start = time.perf_counter()

    def progress(outcome: Outcome) -> None:
        key = "traceback" if outcome.traceback else {0: "accepted", 2: "clean error"}.get(
            outcome.exit_code or 0, f"exit {outcome.exit_code}")
        counts[key] += 1
        done = sum(counts.values())
        if done % 1000 == 0:
            print(f"   {done:,} cases, {time.perf_counter() - start:.0f} s: {dict(counts)}", flush=True)

    with tempfile.TemporaryDirectory() as folder:
        outcomes = fuzz(args.cases, args.seed, Path(folder), only=args.only, progress=progress)
    seconds = time.perf_counter() - start
    bad = failures(outcomes)
    print(f"fuzz seed {args.seed}: {len(outcomes):,} cases in {seconds:.0f} s "
          f"({seconds / max(len(outcomes), 1) * 1000:.0f} ms a case)")
    for key in ("clean error", "accepted", "traceback"):
        print(f"   {key:<12} {counts.get(key, 0):>7,}")
    for key, value in counts.items():
        if key not in ("clean error", "accepted", "traceback"):
            print(f"   {key:<12} {value:>7,}")
    by_kind = collections.Counter(o.case.mutation.split("[")[0] for o in bad)
    if bad:
        print("tracebacks by mutation:", dict(by_kind))
    for outcome in bad[:20]:
        print()
        print(outcome.case.reproducer(args.seed))
        print(outcome.traceback or f"exit code {outcome.exit_code}")


if __name__ == "__main__":
    main()
