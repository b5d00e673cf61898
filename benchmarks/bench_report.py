"""Build time of each report format for the Jing-Jin-Ji demo (target: under 10 s each).

Measured in the same run:

* baseline — building the demo index and writing its run directory (``pipeline.run`` + ``write_run``:
  scores, weights, drivers, narrative, ``results.xlsx``), the step a report follows;
* each format in-process (median of ``--repeat`` builds, imports already paid) and
  ``hqd report`` as a user runs it (a fresh process: interpreter start, imports, build).

Prints seconds, the ratio to the baseline and whether the 10 s target holds.  The demo panel is
SYNTHETIC.  Run: ``.venv/bin/python benchmarks/bench_report.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

TARGET_S = 10.0


def timed(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from hqd.cli.analyze import jjj_cmd
    from hqd.datasets.jjj import write_demo_inputs
    from hqd.io.rundir import write_run
    from hqd.pipeline import run as run_pipeline
    from hqd.report import build_report
    from hqd.robustness import demo_spec_path
    from hqd.robustness.uncertainty import uncertainty_analysis

    with tempfile.TemporaryDirectory(prefix="hqd-bench-report-") as folder:
        root = Path(folder)
        paths = write_demo_inputs(root / "input")

        def baseline() -> None:
            result = run_pipeline(paths["framework"], paths["data"], paths["recipe"], regions=paths["regions"])
            write_run(result, root / "run")

        base = timed(baseline, args.repeat)
        run_dir = root / "run"
        jjj_cmd(run_dir, out=run_dir / "analysis", permutations=999)
        uncertainty_analysis(paths["framework"], paths["data"], paths["recipe"], demo_spec_path(), n=64, seed=1,
                             method="sobol", regions=paths["regions"]).write(run_dir)

        print("HQD report build times, Jing-Jin-Ji demo (SYNTHETIC panel: 13 cities × 11 years × 36 indicators; "
              "with analysis/ and uncertainty/)")
        print(f"{'step':<34}{'seconds':>9}{'× baseline':>12}   target < {TARGET_S:.0f} s")
        print(f"{'baseline: hqd run (pipeline+write)':<34}{base:>9.2f}{1.0:>12.2f}")
        build_report(run_dir, "html", root / "warmup.html")  # imports paid once before the warm timings
        worst = 0.0
        for fmt in ("xlsx", "html", "pdf"):
            out = root / f"report.{fmt}"
            warm = timed(partial(build_report, run_dir, fmt, out, lang="zh"), args.repeat)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "hqd.cli", "report", str(run_dir), "--format", fmt, "--out",
                            str(root / f"cli.{fmt}")], check=True, capture_output=True)
            cold = time.perf_counter() - started
            worst = max(worst, warm, cold)
            for label, seconds in ((f"{fmt} (in-process, median)", warm), (f"{fmt} (hqd report, fresh process)", cold)):
                verdict = "ok" if seconds < TARGET_S else "SLOW"
                print(f"{label:<34}{seconds:>9.2f}{seconds / base:>12.2f}   {verdict}")
        print(f"slowest: {worst:.2f} s — {'within' if worst < TARGET_S else 'OVER'} the {TARGET_S:.0f} s target")


if __name__ == "__main__":
    main()
