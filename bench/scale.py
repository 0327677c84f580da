"""Speed as the host fills: a server is filled to each size in turn (10, 100, 400 running
PostgreSQL databases by default) and at each one this prints

- create → first query, median of 10 creates made at that size;
- ten branch requests on one parent sent at once → all ten answering a query, wall time,
  median of `--fan-outs` such fan-outs (each one's time and where the host's CPU went are
  printed too);
- one branch → first query, median of 10 made one after another;
- host memory per idle database: the container's cgroup (without reclaimable file cache)
  and the PSS of its processes plus its containerd shim (medians over the containers);
- GET /v1/databases/{id} and GET /v1/databases under `--clients` concurrent clients for
  `--api-seconds` each: requests per second and p99 latency;
- a fresh `initdb` then start → first query (what the usual Docker approach does), median of
  3, measured at the same moment, and the create median as a ratio of it.

A size counts every running database, the branches' parent included: the smallest can only
be 11 (the parent and the 10 timed creates). Each metadata kind (`--metadata
sqlite,postgres`) gets its own pool, server and fill; for PostgreSQL metadata a throwaway
PostgreSQL container holds it. Everything made (server,
containers, pool, metadata container, data dir) is removed afterwards; containers are found
by this run's own labels and data dir only. After each fill the timed work waits until the
host's CPU use stops falling (engines just started do their first minutes' work; at most
2 min), and says how long that took. With `--warm-engines N` the server keeps N warm engines
(STAGDB_WARM_ENGINES), and each timed create, fan-out and timed branch begins once N of
them wait again.

Usage: .venv/bin/python -m bench.scale [--sizes 10,100,400] [--storage btrfs]
       [--metadata sqlite,postgres] [--clients 20] [--api-seconds 10] [--warm-engines 0]
       [--fan-outs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import re
import secrets
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import docker
import httpx
import psycopg
from cryptography.fernet import Fernet

from bench import host_cpu
from bench.branching import real_pool
from bench.common import bench_server, first_query, free_port

IMAGE = "postgres:15"
BASELINE_LABEL = "io.stagdb.bench-scale"
FILL_CONCURRENCY = 4
SETTLE_WINDOW_S = 3.0
SETTLE_MAX_S = 120.0


@dataclass
class Row:
    metadata: str
    size: int
    create_s: float
    fan_out_s: float
    branch_s: float
    cgroup_mib: float
    pss_mib: float
    get_rps: float
    get_p99_ms: float
    list_rps: float
    list_p99_ms: float
    initdb_s: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,100,400")
    parser.add_argument("--storage", default="btrfs")
    parser.add_argument("--metadata", default="sqlite,postgres")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--api-seconds", type=float, default=10.0)
    parser.add_argument(
        "--warm-engines", type=int, default=0, help="the server's STAGDB_WARM_ENGINES"
    )
    parser.add_argument("--fan-outs", type=int, default=3, help="fan-outs per size")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    rows: list[Row] = []
    for metadata in args.metadata.split(","):
        plan = Plan(
            metadata, args.storage, sizes, args.clients, args.api_seconds, args.warm_engines,
            args.fan_outs,
        )  # fmt: skip
        rows.extend(series(plan))
    print_table(rows, args)


@dataclass(frozen=True)
class Plan:
    """One series: a server with this metadata and storage, filled to each size in turn."""

    metadata: str
    storage: str
    sizes: list[int]
    clients: int  # concurrent API clients of the load test
    api_seconds: float
    warm_engines: int  # the server's STAGDB_WARM_ENGINES
    fan_outs: int  # ten-branch fan-outs per size, their median reported


def series(plan: Plan) -> list[Row]:
    run = uuid.uuid4().hex[:8]
    data_dir = Path(tempfile.mkdtemp(prefix=f"stagdb-bench-scale-{run}-"))
    rows: list[Row] = []
    try:
        measure_series(plan, run, data_dir, rows)
    except BaseException:
        kept = Path(tempfile.gettempdir()) / f"stagdb-bench-scale-{run}.log"
        with contextlib.suppress(OSError):
            shutil.copyfile(data_dir / "server.log", kept)
            print(f"the run failed; its server log is kept in {kept}")
        raise
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return rows


def measure_series(plan: Plan, run: str, data_dir: Path, rows: list[Row]) -> None:
    """Fill one server to each size in turn, appending a row per size to `rows`."""
    with (
        real_pool(plan.storage) as pool_path,
        metadata_database(plan.metadata, run) as database_url,
        bench_server(
            {
                "STAGDB_STORAGE": plan.storage,
                "STAGDB_POOL_PATH": str(pool_path),
                "STAGDB_WARM_ENGINES": str(plan.warm_engines),
                **(
                    {"STAGDB_DATABASE_URL": database_url, "STAGDB_SECRET_KEY": sealing_key()}
                    if database_url
                    else {}
                ),
            },
            data_dir=data_dir,
        ) as api,
    ):
        parent = create(api, "parent")
        with psycopg.connect(parent["connection"]["uri"], autocommit=True) as connection:
            connection.execute("CREATE TABLE items AS SELECT generate_series(1, 10000) AS n")
        filled = 1
        for wanted in plan.sizes:
            filled += fill(api, filled, wanted - 10 - filled)
            size = filled + 10  # running once the timed creates are made (the parent counts)
            waited_s, busy, idle_cpu = settle_host(data_dir)
            print(
                f"# {plan.metadata} {size}: the host settled {waited_s:.0f}s after the fill "
                f"(CPU {busy:.0%} busy); idle, {idle_cpu}",
                flush=True,
            )
            create_times = each_after_refill(
                api, plan.warm_engines, functools.partial(timed_create, api), f"timed-{size}"
            )
            filled += 10
            fan_outs = []
            for round_ in range(plan.fan_outs):
                if plan.warm_engines:
                    wait_for_warm_engines(api, plan.warm_engines)
                fan_out, fan_out_cpu = fan_out_branches(
                    api, "parent", f"fan-{size}-{round_}", data_dir
                )
                print(f"# {plan.metadata} {size}, ten branches at once: {fan_out_cpu}", flush=True)
                fan_outs.append(fan_out)
            branch_times = each_after_refill(
                api,
                plan.warm_engines,
                functools.partial(timed_branch, api, "parent"),
                f"one-{size}",
            )
            time.sleep(5)  # let the engines settle into idleness
            cgroup, pss = memory_per_database(data_dir)
            ids = [item["id"] for item in all_databases(api)]
            get_rps, get_p99 = asyncio.run(
                load(api, [f"/databases/{ref}" for ref in ids], plan.clients, plan.api_seconds)
            )
            list_rps, list_p99 = asyncio.run(
                load(api, ["/databases"], plan.clients, plan.api_seconds)
            )
            initdb = statistics.median(fresh_initdb(run) for _ in range(3))
            row = Row(
                plan.metadata, size, statistics.median(create_times), statistics.median(fan_outs),
                statistics.median(branch_times), cgroup, pss, get_rps, get_p99,
                list_rps, list_p99, initdb,
            )  # fmt: skip
            print(format_row(row), flush=True)
            rows.append(row)


def each_after_refill(
    api: httpx.Client, warm_engines: int, timed: Callable[[str], float], prefix: str
) -> list[float]:
    """Ten timings of `timed(name)`, names `prefix-0` … `prefix-9`; with warm engines, each
    begins once the refill the last one caused is made."""
    seconds = []
    for n in range(10):
        if warm_engines:
            wait_for_warm_engines(api, warm_engines)
        seconds.append(timed(f"{prefix}-{n}"))
    return seconds


def settle_host(data_dir: Path) -> tuple[float, float, str]:
    """Wait until the host's CPU use stops falling after a fill: engines just started do their
    first minutes' work (and warm engines are made again), which is not what a host with that
    many running databases spends. Answers the seconds waited (at most SETTLE_MAX_S), the
    busy share of the cores in the last SETTLE_WINDOW_S and where that CPU went."""
    started, earlier = time.monotonic(), None
    cores = os.cpu_count() or 1
    while True:
        before = host_cpu.read(data_dir)
        time.sleep(SETTLE_WINDOW_S)
        spent = host_cpu.spent(before, host_cpu.read(data_dir))
        busy = spent["total"] / (cores * SETTLE_WINDOW_S)
        waited = time.monotonic() - started
        if (earlier is not None and busy >= earlier * 0.9) or waited >= SETTLE_MAX_S:
            return waited, busy, host_cpu.describe(spent, SETTLE_WINDOW_S)
        earlier = busy


def sealing_key() -> str:
    """A key for the server's sealed secrets (required with PostgreSQL metadata)."""
    return Fernet.generate_key().decode()


@contextlib.contextmanager
def metadata_database(kind: str, run: str) -> Iterator[str | None]:
    """None for SQLite (the server's own file); for PostgreSQL a throwaway server's URL."""
    if kind == "sqlite":
        yield None
        return
    if kind != "postgres":
        raise SystemExit(f"unknown metadata kind {kind!r}: use sqlite or postgres")
    engine = docker.from_env()
    port, password = free_port(), secrets.token_hex(8)
    command = (
        "initdb -D /tmp/meta -U postgres --auth=trust >/dev/null && "
        f"exec postgres -D /tmp/meta -p {port} -c listen_addresses=127.0.0.1"
    )
    container = engine.containers.run(
        IMAGE, ["sh", "-c", command], user="999:999", network_mode="host", detach=True,
        labels={BASELINE_LABEL: run},
    )  # fmt: skip
    try:
        first_query(f"postgresql://postgres@127.0.0.1:{port}/postgres", timeout_s=60)
        yield f"postgres://postgres:{password}@127.0.0.1:{port}/postgres"
    finally:
        container.remove(force=True, v=True)


def create(api: httpx.Client, name: str) -> dict:
    response = api.post("/databases", json={"name": name, "type": "postgresql"})
    response.raise_for_status()
    data: dict = response.json()["data"]
    return data


def fill(api: httpx.Client, start: int, count: int) -> int:
    """Create `count` more databases, a few at a time; the number made. A failed create is
    reported and tried again under another name (the figures are about speed; failures are
    the test suite's business), at most three times."""
    if count <= 0:
        return 0

    def one(n: int) -> None:
        for attempt in range(3):
            try:
                create(api, f"fill-{n}-{attempt}")
                return
            except httpx.HTTPStatusError as exc:
                print(f"# fill-{n}: {exc.response.status_code} {exc.response.text[:200]}")
        raise RuntimeError(f"fill-{n} failed three times")

    with ThreadPoolExecutor(max_workers=FILL_CONCURRENCY) as pool:
        list(pool.map(one, range(start, start + count)))
    return count


def timed_create(api: httpx.Client, name: str) -> float:
    started = time.perf_counter()
    first_query(create(api, name)["connection"]["uri"])
    return time.perf_counter() - started


def branch(api: httpx.Client, parent: str, name: str) -> dict:
    response = api.post(f"/databases/{parent}/branches", json={"name": name})
    response.raise_for_status()
    data: dict = response.json()["data"]
    return data


def timed_branch(api: httpx.Client, parent: str, name: str) -> float:
    started = time.perf_counter()
    made = branch(api, parent, name)
    first_query(made["connection"]["uri"])
    elapsed = time.perf_counter() - started
    api.delete(f"/databases/{made['id']}").raise_for_status()
    return elapsed


def wait_for_warm_engines(api: httpx.Client, count: int, timeout_s: float = 120) -> None:
    """Until `count` warm engines of the benchmark's image wait (the server's /metrics)."""
    metrics = str(api.base_url).rstrip("/").removesuffix("/v1") + "/metrics"
    pattern = re.compile(rf'stagdb_warm_engines\{{image="{re.escape(IMAGE)}"\}} (\S+)')
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = pattern.search(api.get(metrics).text)
        if found and float(found.group(1)) >= count:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{count} warm engines were not waiting within {timeout_s:.0f} s")


def fan_out_branches(
    api: httpx.Client, parent: str, prefix: str, data_dir: Path
) -> tuple[float, str]:
    """Ten branch requests sent at once; seconds until all ten answer a query, and where the
    host's CPU went meanwhile (the server is the one keeping its data in `data_dir`)."""

    def one(n: int) -> dict:
        made = branch(api, parent, f"{prefix}-{n}")
        first_query(made["connection"]["uri"])
        return made

    before = host_cpu.read(data_dir)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=10) as pool:
        made = list(pool.map(one, range(10)))
    elapsed = time.perf_counter() - started
    cpu = host_cpu.describe(host_cpu.spent(before, host_cpu.read(data_dir)), elapsed)
    for item in made:
        api.delete(f"/databases/{item['id']}").raise_for_status()
    return elapsed, cpu


def all_databases(api: httpx.Client) -> list[dict]:
    found: list[dict] = []
    page = 1
    while True:
        body = api.get("/databases", params={"page": page, "limit": 100}).json()
        found.extend(body["data"])
        if page >= body["pagination"]["pages"]:
            return found
        page += 1


async def load(
    api: httpx.Client, paths: list[str], clients: int, seconds: float
) -> tuple[float, float]:
    """`clients` concurrent clients GET `paths` in turn for `seconds`: rps and p99 in ms."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client(offset: int) -> None:
        async with httpx.AsyncClient(
            base_url=str(api.base_url), headers=dict(api.headers), timeout=60
        ) as session:
            n = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await session.get(paths[n % len(paths)])
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)
                n += clients

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    p99 = statistics.quantiles(latencies, n=100)[98]
    return len(latencies) / elapsed, p99 * 1000


def memory_per_database(data_dir: Path) -> tuple[float, float]:
    """Medians over this server's containers, in MiB: cgroup memory less inactive file
    cache, and the PSS of the container's processes plus its containerd shim."""
    engine = docker.from_env()
    containers = engine.containers.list(filters={"label": f"io.stagdb.data-dir={data_dir}"})
    shims = shim_pids()
    cgroups, pss = [], []
    for container in containers:
        assert container.id is not None  # listed containers have one
        directory = cgroup_dir(container.id)
        procs = [int(p) for p in (directory / "cgroup.procs").read_text().split()]
        shim = [shims[container.id]] if container.id in shims else []
        pss.append(sum(pss_kib(pid) for pid in procs + shim) / 1024)
        cgroups.append(cgroup_bytes(directory) / 2**20)
    return statistics.median(cgroups), statistics.median(pss)


def cgroup_dir(container_id: str) -> Path:
    for candidate in (
        Path(f"/sys/fs/cgroup/memory/docker/{container_id}"),
        Path(f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope"),
    ):
        if candidate.exists():
            return candidate
    raise RuntimeError(f"no memory cgroup found for container {container_id}")


def cgroup_bytes(directory: Path) -> int:
    stat = dict(
        (line.split()[0], int(line.split()[1]))
        for line in (directory / "memory.stat").read_text().splitlines()
    )
    if (directory / "memory.usage_in_bytes").exists():  # cgroup v1
        usage = int((directory / "memory.usage_in_bytes").read_text())
        return usage - stat.get("total_inactive_file", 0)
    return int((directory / "memory.current").read_text()) - stat.get("inactive_file", 0)


def shim_pids() -> dict[str, int]:
    """Container id → the pid of its containerd shim."""
    found: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and b"containerd-shim" in argv[0] and b"-id" in argv:
            found[argv[argv.index(b"-id") + 1].decode()] = int(entry.name)
    return found


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def fresh_initdb(run: str) -> float:
    """`initdb` then start, as a container, until the first query answers."""
    engine = docker.from_env()
    port = free_port()
    command = (
        "initdb -D /tmp/data -U postgres --auth=trust >/dev/null && "
        f"exec postgres -D /tmp/data -p {port} -c listen_addresses=127.0.0.1"
    )
    started = time.perf_counter()
    container = engine.containers.run(
        IMAGE, ["sh", "-c", command], user="999:999", network_mode="host", detach=True,
        labels={BASELINE_LABEL: run},
    )  # fmt: skip
    try:
        first_query(f"postgresql://postgres@127.0.0.1:{port}/postgres", timeout_s=60)
        return time.perf_counter() - started
    finally:
        container.remove(force=True, v=True)


HEADER = (
    f"{'metadata':<9}{'dbs':>5}{'create':>8}{'10 br':>7}{'branch':>8}{'cgroup':>8}{'pss':>7}"
    f"{'get rps':>9}{'p99':>7}{'list rps':>9}{'p99':>7}{'initdb':>8}{'ratio':>7}"
)


def format_row(row: Row) -> str:
    return (
        f"{row.metadata:<9}{row.size:>5}{row.create_s:>7.2f}s{row.fan_out_s:>6.2f}s"
        f"{row.branch_s:>7.2f}s{row.cgroup_mib:>6.1f}Mi{row.pss_mib:>5.1f}Mi"
        f"{row.get_rps:>9.0f}{row.get_p99_ms:>5.0f}ms{row.list_rps:>9.0f}{row.list_p99_ms:>5.0f}ms"
        f"{row.initdb_s:>7.2f}s{row.initdb_s / row.create_s:>6.1f}x"
    )


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    print()
    print(
        f"# {args.storage} pool, PostgreSQL 15, {args.clients} API clients for "
        f"{args.api_seconds:g}s each; {os.cpu_count()} cores; load average "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    print("# create/branch: → first query, median of 10; 10 br: ten branch requests at once,")
    print(f"# wall time, median of {args.fan_outs}; cgroup/pss: per idle database, median;")
    print("# ratio: initdb ÷ create")
    print(HEADER)
    for row in rows:
        print(format_row(row))
    for metadata in dict.fromkeys(row.metadata for row in rows):
        mine = [row for row in rows if row.metadata == metadata]
        if len(mine) > 1:
            first, last = mine[0], mine[-1]
            print(
                f"# {metadata}: create median at {last.size} ÷ at {first.size}: "
                f"{last.create_s / first.create_s:.2f}; branch: "
                f"{last.branch_s / first.branch_s:.2f}"
            )


if __name__ == "__main__":
    main()
