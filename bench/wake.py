"""Wake on connect and the connection front's cost.

- Wake: seconds from a client's connect to its first answered query on a database that
  idling stopped (median of --count).
- The doors' cost: pgbench select-only transactions per second, and bulk COPY out and in,
  through a database's published port against the engine's own port, in one run, as ratios
  (published / direct): on a server with kernel forwarding (clients on this host) and on one
  with STAGDB_KERNEL_FORWARDING=false (every byte through the front, as for remote clients).

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


def measured_database(api: httpx.Client, scale: int) -> tuple[str, str]:
    """A database filled by pgbench -i: its URI and the URI of its engine's own port."""
    created = api.post("/databases", json={"name": "measured", "type": "postgresql"})
    created.raise_for_status()
    data = created.json()["data"]
    published = data["connection"]["uri"]
    port = data["connection"]["port"]
    direct = published.replace(f":{port}/", f":{port + ENGINE_PORT_OFFSET}/")
    subprocess.run([PGBENCH, "-i", "-q", "-s", str(scale), direct], capture_output=True, check=True)
    subprocess.run(
        [PSQL, direct, "-Xqc", "CREATE TABLE copied (LIKE pgbench_accounts)"], check=True
    )
    return published, direct


def carried_by(api: httpx.Client, name: str) -> str:
    stats = api.get(f"/databases/{name}/stats")
    stats.raise_for_status()
    return str(stats.json()["data"]["front"]["figures"]["path"])


def front_cost(kernel_api: httpx.Client, front_api: httpx.Client, scale: int, seconds: int) -> None:
    """Both doors against the engine's own port: the published port of a server with kernel
    forwarding (what clients on this host get) and of one without it (the front copies every
    byte, as for clients from other hosts)."""
    kernel, kernel_direct = measured_database(kernel_api, scale)
    front, front_direct = measured_database(front_api, scale)
    deadline = time.monotonic() + 30
    while carried_by(kernel_api, "measured") != "kernel":
        if time.monotonic() > deadline:
            raise SystemExit("the kernel did not take over the database's port within 30 s")
        time.sleep(0.2)
    assert carried_by(front_api, "measured") == "front"
    paths = {
        "kernel": (kernel, kernel_direct),
        "front": (front, front_direct),
    }
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "accounts.copy"
        subprocess.run(
            [PSQL, kernel_direct, "-Xqc", f"\\copy pgbench_accounts TO '{dump}'"], check=True
        )
        size_mib = dump.stat().st_size / 2**20
        runs: dict[tuple[str, str, str], list[float]] = {
            (measure, path, way): []
            for measure in ("tps", "out", "in")
            for path in paths
            for way in ("direct", "door")
        }
        for _ in range(2):  # interleaved, so drift in the machine's load hits all alike
            for path, (door, direct) in paths.items():
                for way, uri in (("direct", direct), ("door", door)):
                    runs["tps", path, way].append(pgbench_tps(uri, seconds))
                    out = copy_seconds(uri, "\\copy pgbench_accounts TO '/dev/null'")
                    runs["out", path, way].append(size_mib / out)
                    copy_seconds(uri, "TRUNCATE copied")
                    into = copy_seconds(uri, f"\\copy copied FROM '{dump}'")
                    runs["in", path, way].append(size_mib / into)
    mean = statistics.mean
    for measure, label, unit in (
        ("tps", f"pgbench -S (scale {scale}, 4 clients, {seconds}s x2)", "tps"),
        ("out", f"COPY out ({size_mib:.0f} MiB)", "MiB/s"),
        ("in", f"COPY in ({size_mib:.0f} MiB)", "MiB/s"),
    ):
        for path in paths:
            direct_mean = mean(runs[measure, path, "direct"])
            door_mean = mean(runs[measure, path, "door"])
            print(
                f"{label}, {path}: direct {direct_mean:.0f} {unit}, published port "
                f"{door_mean:.0f} {unit}, ratio {door_mean / direct_mean:.2f}"
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
    front_only = {"STAGDB_KERNEL_FORWARDING": "false", "STAGDB_PORT_RANGE": "17000-17999"}
    with bench_server({"STAGDB_JOB_INTERVAL": "0.2"}) as api, bench_server(front_only) as front:
        warm = api.post("/databases", json={"name": "warm-up", "type": "postgresql"})
        warm.raise_for_status()  # the first create also initialises the version's template
        print(
            summary("wake on connect → first answer (postgresql 15)", wake_timings(api, args.count))
        )
        front_cost(api, front, args.scale, args.seconds)
        if args.density:
            for name in ("warm-up", "measured", "sleeper"):
                api.delete(f"/databases/{name}").raise_for_status()
            density(api, args.density, args.density_idle)


if __name__ == "__main__":
    main()
