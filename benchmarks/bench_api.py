"""API speed: requests per second, median and 99th-percentile latency under 20 concurrent clients.

``hqd serve --demo`` (uvicorn, one process) serves the bundled demo (SYNTHETIC panel; 2,000 synthetic
registry projects) on a free loopback port; an asyncio load generator with httpx keeps 20 requests in
flight against one route at a time, bounded by a request count and a time limit.  Routes:

- ``/api/runs/jjj-demo/scores?node=HQD`` — a run's index scores (143 rows), and the full table (6,149 rows);
- ``/api/registry/summary/projects?by=chain`` — a registry summary (one GROUP BY);
- ``/api/health`` — the baseline measured in the same run: the server's floor for a request that does
  almost nothing (it reads the schema revisions).  Ratios to it show what each route adds.

Usage::

    .venv/bin/python benchmarks/bench_api.py [--requests 2000] [--seconds 20] [--clients 20] [--db URL]

The load generator shares the machine with the server, so the numbers are a floor for what the server
can do; both run on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROUTES = {
    "run scores (index, 143 rows)": "/api/runs/jjj-demo/scores?node=HQD",
    "run scores (all, 6,149 rows)": "/api/runs/jjj-demo/scores",
    "registry summary (by chain)": "/api/registry/summary/projects?by=chain",
    "health (baseline)": "/api/health",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def load(base: str, path: str, *, clients: int, requests: int, seconds: float) -> dict[str, float]:
    """Keep ``clients`` requests in flight until ``requests`` are done or ``seconds`` have passed."""
    latencies: list[float] = []
    failures = 0
    issued = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        for _ in range(min(clients, 20)):  # warm the connections and the server's caches
            await client.get(path)

        async def worker() -> None:
            nonlocal issued, failures
            while issued < requests and time.perf_counter() < deadline:
                issued += 1
                start = time.perf_counter()
                response = await client.get(path)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    return {"requests": len(latencies), "failures": failures, "seconds": elapsed, "rps": len(latencies) / elapsed,
            "median_ms": statistics.median(latencies) * 1000, "p99_ms": p99 * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per route (at most)")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per route")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hqd-bench-api-") as folder:
        port = free_port()
        db = args.db or f"sqlite:///{Path(folder) / 'registry.sqlite'}"
        command = [sys.executable, "-m", "hqd.cli", "serve", "--demo", "--port", str(port), "--db", db,
                   "--runs", str(Path(folder) / "runs")]
        print("serving the demo (SYNTHETIC data): " + " ".join(command[2:]))
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONUNBUFFERED": "1"})
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start: " + (server.stderr.read() if server.stderr else ""))
                time.sleep(0.3)
            results = {name: asyncio.run(load(base, path, clients=args.clients, requests=args.requests,
                                              seconds=args.seconds)) for name, path in ROUTES.items()}
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    floor = results["health (baseline)"]
    print(f"\n{args.clients} concurrent clients on loopback, uvicorn (1 process), {db.split(':')[0]}")
    print(f"{'route':32} {'requests':>8} {'req/s':>8} {'median ms':>10} {'p99 ms':>8} {'× health':>9} {'errors':>7}")
    for name, r in results.items():
        ratio = floor["rps"] / r["rps"] if r["rps"] else float("inf")
        print(f"{name:32} {r['requests']:8.0f} {r['rps']:8.0f} {r['median_ms']:10.1f} {r['p99_ms']:8.1f} "
              f"{ratio:8.2f}× {r['failures']:7.0f}")
    print("(× health: how many times longer a request takes than the baseline route, by throughput)")


if __name__ == "__main__":
    main()
