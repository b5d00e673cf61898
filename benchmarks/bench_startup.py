"""Start-up of the command line against the floor it stands on: ``python -c "import typer, rich.console"``.

The commands a new user types first — ``hqd --help`` and ``hqd growth 2012 0.612 2021 0.960`` — should take
at most twice the time of importing Typer and Rich alone (the CLI's own floor).  Each command runs as a fresh
process, ``--runs`` times, interleaved round-robin so that load on the machine hits all of them alike; the
table gives the median wall time, the median CPU time (user + system, less sensitive to other processes)
and the peak memory, and each command's ratio to the baseline measured in the same run.

    python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 2.0


def commands() -> dict[str, list[str]]:
    script = Path(sys.executable).with_name("hqd")
    hqd = [str(script)] if script.exists() else [shutil.which("hqd") or sys.executable, *([] if shutil.which(
        "hqd") else ["-m", "hqd.cli"])]
    # What `hqd growth` cannot do without: numpy (hqd.growth computes with it) and, on a Typer that parses every
    # value through pydantic (typer._adapters, which imports pydantic's fields and types), that module.  Shown
    # for attribution; the target is against the first row.
    floor = "import typer, rich.console, numpy" + (
        ", typer._adapters" if importlib.util.find_spec("typer._adapters") else "")
    return {
        'python -c "import typer, rich.console"': [sys.executable, "-c", "import typer, rich.console"],
        "hqd --help": [*hqd, "--help"],
        "hqd growth 2012 0.612 2021 0.960": [*hqd, "growth", "2012", "0.612", "2021", "0.960"],
        f'(reference) python -c "{floor}"': [sys.executable, "-c", floor],
        "(reference) a bare Typer app: growth with numpy": [sys.executable, "-c", BARE_TYPER_GROWTH, "growth", "2012",
                                                            "0.612", "2021", "0.960"],
    }


# The least a Typer command taking the same four numbers and computing with numpy can cost: no hqd at all.
BARE_TYPER_GROWTH = """
import typer
from rich.console import Console
app = typer.Typer(add_completion=False)
@app.command()
def growth(start_year: int, start_value: float, end_year: int, end_value: float) -> None:
    import numpy as np
    rate = 100 * (np.power(end_value / start_value, 1 / (end_year - start_year)) - 1)
    Console().print(f"CAGR {rate:.2f}%")
@app.command()
def other() -> None:
    pass
app()
"""


def measure(argv: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident memory (MB) of one fresh process."""
    env = {**os.environ, "COLUMNS": "100", "LC_ALL": "C.UTF-8"}
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}): "
                         f"{process.stderr.read().decode() if process.stderr else ''}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    args = parser.parse_args()
    cmds = commands()
    for argv in cmds.values():  # warm the file cache and byte-code once, unmeasured
        measure(argv)
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cmds}
    for _ in range(args.runs):
        for name, argv in cmds.items():
            samples[name].append(measure(argv))
    medians = {name: tuple(statistics.median(s[i] for s in runs) for i in range(3)) for name, runs in samples.items()}
    base_name = next(iter(cmds))
    base_wall, base_cpu, _ = medians[base_name]
    print(f"start-up, median of {args.runs} interleaved runs (python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})")
    print(f"typer {importlib.metadata.version('typer')}, rich {importlib.metadata.version('rich')}")
    width = max(len(name) for name in cmds)
    print(f"{'command':<{width}} {'wall s':>8} {'× base':>7} {'CPU s':>7} {'× base':>7} {'peak MB':>8}")
    for name, (wall, cpu, rss) in medians.items():
        print(f"{name:<{width}} {wall:8.3f} {wall / base_wall:7.2f} {cpu:7.3f} {cpu / base_cpu:7.2f} {rss:8.1f}")
    worst = max(medians[name][0] / base_wall for name in cmds if name.startswith("hqd"))
    print(f"worst wall-time ratio {worst:.2f}× (target ≤ {TARGET:g}×): {'met' if worst <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
