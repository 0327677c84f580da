"""Wake on connect and the connection front's cost.

- Wake: seconds from a client's connect to its first answered query on a database that
  idling stopped (median of --count).
- The front's cost: pgbench select-only transactions per second, and bulk COPY out and in,
  through the front against the engine's own port, in one run, as ratios (front / direct).

- Density (with --density N): N databases with auto-stop, made one after another; the most
  that ran at once and host memory per running idle database then (MemAvailable), and the
  time from connect to first answer of 20 of them spread over the lot (stopped ones wake).

Usage: .venv/bin/python -m bench.wake [--count 10] [--scale 10] [--seconds 15]
       [--density N [--density-idle 2m]]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

from bench.common import bench_server, summary

PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
PSQL = "/usr/bin/psql"
ENGINE_PORT_OFFSET = 10000  # the server's default STAGDB_ENGINE_PORT_OFFSET


def status(api: httpx.Client, name: str) -> str:
    return str(api.get(f"/databases/{name}").json()["data"]["status"])


def wake_timings(api: httpx.Client, count: int) -> list[float]:
    created = api.post(
        "/databases", json={"name": "sleeper", "type": "postgresql", "auto_stop_after": "1s"}
    )
    created.raise_for_status()
    uri = created.json()["data"]["connection"]["uri"]
    timings = []
    for _ in range(count):
        deadline = time.monotonic() + 60
        while status(api, "sleeper") != "stopped":
            if time.monotonic() > deadline:
                raise RuntimeError("the database did not stop when idle")
            time.sleep(0.1)
        started = time.perf_counter()
        with psycopg.connect(uri, connect_timeout=60) as connection:
            connection.execute("SELECT 1").fetchone()
        timings.append(time.perf_counter() - started)
    return timings


def pgbench_tps(uri: str, seconds: int) -> float:
    result = subprocess.run(
        [PGBENCH, "-S", "-c", "4", "-j", "2", "-T", str(seconds), "-n", uri],
        capture_output=True, text=True,
    )  # fmt: skip
    found = re.search(r"tps = ([0-9.]+)", result.stdout)
    if result.returncode != 0 or found is None:
        raise RuntimeError(result.stdout + result.stderr)
    return float(found.group(1))


def copy_seconds(uri: str, command: str) -> float:
    started = time.perf_counter()
    subprocess.run([PSQL, uri, "-Xqc", command], capture_output=True, text=True, check=True)
    return time.perf_counter() - started


def front_cost(api: httpx.Client, scale: int, seconds: int) -> None:
    created = api.post("/databases", json={"name": "measured", "type": "postgresql"})
    created.raise_for_status()
    data = created.json()["data"]
    front = data["connection"]["uri"]
    port = data["connection"]["port"]
    direct = front.replace(f":{port}/", f":{port + ENGINE_PORT_OFFSET}/")
    subprocess.run([PGBENCH, "-i", "-q", "-s", str(scale), direct], capture_output=True, check=True)
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "accounts.copy"
        subprocess.run([PSQL, direct, "-Xqc", f"\\copy pgbench_accounts TO '{dump}'"], check=True)
        subprocess.run(
            [PSQL, direct, "-Xqc", "CREATE TABLE copied (LIKE pgbench_accounts)"], check=True
        )
        size_mib = dump.stat().st_size / 2**20
        tps: dict[str, list[float]] = {"front": [], "direct": []}
        out: dict[str, list[float]] = {"front": [], "direct": []}
        into: dict[str, list[float]] = {"front": [], "direct": []}
        for _ in range(2):  # interleaved, so drift in the machine's load hits both alike
            for label, uri in (("direct", direct), ("front", front)):
                tps[label].append(pgbench_tps(uri, seconds))
                out[label].append(copy_seconds(uri, "\\copy pgbench_accounts TO '/dev/null'"))
                copy_seconds(uri, "TRUNCATE copied")
                into[label].append(copy_seconds(uri, f"\\copy copied FROM '{dump}'"))
    mean = statistics.mean
    direct_tps, front_tps = mean(tps["direct"]), mean(tps["front"])
    print(
        f"pgbench -S (scale {scale}, 4 clients, {seconds}s x2): direct {direct_tps:.0f} tps, "
        f"front {front_tps:.0f} tps, ratio {front_tps / direct_tps:.2f}"
    )
    for label, runs in (("COPY out", out), ("COPY in", into)):
        direct_rate = size_mib / mean(runs["direct"])
        front_rate = size_mib / mean(runs["front"])
        print(
            f"{label} ({size_mib:.0f} MiB): direct {direct_rate:.0f} MiB/s, front "
            f"{front_rate:.0f} MiB/s, ratio {front_rate / direct_rate:.2f}"
        )


def mem_available_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no MemAvailable in /proc/meminfo")


def running_count(api: httpx.Client) -> int:
    return int(api.get("/databases?status=running&limit=1").json()["pagination"]["total"])


def density(api: httpx.Client, count: int, idle: str) -> None:
    """`count` databases with auto-stop after `idle`, made one after another: how many ran at
    once (the most seen), host memory per running idle database at that moment, and the time
    from connect to first answer of 20 of them spread over the lot (stopped ones wake)."""
    before = mem_available_mib()
    uris = []
    peak_running, memory_at_peak = 0, 0.0
    started = time.perf_counter()
    for n in range(count):
        created = api.post(
            "/databases",
            json={"name": f"dense-{n}", "type": "postgresql", "auto_stop_after": idle},
        )
        created.raise_for_status()
        uris.append(created.json()["data"]["connection"]["uri"])
        if n % 25 == 24:
            running = running_count(api)
            if running > peak_running:
                peak_running, memory_at_peak = running, before - mem_available_mib()
    made_s = time.perf_counter() - started
    print(
        f"density: {count} databases made in {made_s:.0f}s with auto_stop_after {idle}; "
        f"at most {peak_running} ran at once, host memory per running idle database "
        f"{memory_at_peak / max(peak_running, 1):.0f} MiB"
    )
    stopped_before = count - running_count(api)
    step = max(1, count // 20)
    timings = []
    for uri in uris[::step][:20]:
        began = time.perf_counter()
        with psycopg.connect(uri, connect_timeout=60) as connection:
            connection.execute("SELECT 1").fetchone()
        timings.append(time.perf_counter() - began)
    print(
        summary(
            f"density: connect → first answer, 20 of {count} ({stopped_before} stopped)", timings
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--density", type=int, default=0)
    parser.add_argument("--density-idle", default="2m", help="their auto_stop_after")
    args = parser.parse_args()
    with bench_server({"STAGDB_JOB_INTERVAL": "0.2"}) as api:
        warm = api.post("/databases", json={"name": "warm-up", "type": "postgresql"})
        warm.raise_for_status()  # the first create also initialises the version's template
        print(
            summary("wake on connect → first answer (postgresql 15)", wake_timings(api, args.count))
        )
        front_cost(api, args.scale, args.seconds)
        if args.density:
            for name in ("warm-up", "measured", "sleeper"):
                api.delete(f"/databases/{name}").raise_for_status()
            density(api, args.density, args.density_idle)


if __name__ == "__main__":
    main()
