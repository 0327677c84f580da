"""Import throughput against `pg_dump | pg_restore` run by hand, and masking time.

A source PostgreSQL (a container outside StagDB) is filled with about `--size-mib` of rows;
StagDB imports it (`POST /databases?wait=true` with `source`, STAGDB_IMPORT_JOBS jobs), and
the same dump and restore are run by hand with the same parallelism into a plain PostgreSQL
container. Throughput is the source database's size over the time taken; the ratio is
StagDB's over the by-hand one (goal: at least 0.9). Masking: a branch of a database with
`--mask-rows` rows and email/name rules, less the same branch with `mask: false`, per
million rows.

Usage: .venv/bin/python -m bench.imports [--size-mib 2048] [--mask-rows 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
import uuid
from collections.abc import Iterator

import docker
import httpx
import psycopg

from bench.common import bench_server, free_port

IMAGE = "postgres:15"
PASSWORD = "bench-source-pw"
JOBS = 4
ROW_BYTES = 200  # what one generated row takes on disk, roughly
LABEL = "io.stagdb.bench-source"


@contextlib.contextmanager
def plain_postgres(engine: docker.DockerClient, durable: bool = False) -> Iterator[int]:
    """A PostgreSQL server on the host's loopback, outside StagDB; `durable` keeps fsync on,
    as StagDB's databases have it (the by-hand restore's target), else off (the source)."""
    port = free_port()
    script = (
        f'echo "{PASSWORD}" > /tmp/pw && initdb -D /tmp/pg -U postgres --pwfile=/tmp/pw '
        "--auth-host=scram-sha-256 --auth-local=trust >/dev/null && "
        "echo 'host all all all scram-sha-256' >> /tmp/pg/pg_hba.conf && "
        f"exec postgres -D /tmp/pg -p {port} -c listen_addresses=127.0.0.1 -k /tmp "
        f"-c fsync={'on' if durable else 'off'}"
    )
    container = engine.containers.run(
        IMAGE, ["sh", "-c", script], user="999:999", network_mode="host", detach=True,
        labels={LABEL: uuid.uuid4().hex},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(dsn(port), connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield port
    finally:
        container.remove(force=True, v=True)


def dsn(port: int, database: str = "postgres") -> str:
    return f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/{database}"


def fill(port: int, size_mib: int) -> int:
    """About `size_mib` of rows in four tables with indexes; answers the database's size."""
    rows = size_mib * 2**20 // ROW_BYTES // 4
    with psycopg.connect(dsn(port), autocommit=True) as connection:
        for table in range(4):
            connection.execute(
                f"CREATE TABLE t{table} AS SELECT i AS id, md5(i::text) AS a, "
                f"repeat(md5((i * 7)::text), 3) AS b FROM generate_series(1, {rows}) i"
            )
            connection.execute(f"ALTER TABLE t{table} ADD PRIMARY KEY (id)")
        size = connection.execute("SELECT pg_database_size('postgres')").fetchone()
    assert size is not None
    return int(size[0])


def by_hand(engine: docker.DockerClient, source: int, target: int) -> float:
    """pg_dump -Fd -j | pg_restore -j, as an operator would run them, in the same image."""
    script = (
        f"pg_dump -Fd -j {JOBS} --no-sync -f /tmp/dump '{dsn(source)}' && "
        f"pg_restore -j {JOBS} --no-owner --no-privileges -d '{dsn(target)}' /tmp/dump"
    )
    started = time.monotonic()
    engine.containers.run(
        IMAGE, ["sh", "-c", script], user="999:999", network_mode="host", remove=True,
        labels={LABEL: uuid.uuid4().hex},
    )  # fmt: skip
    return time.monotonic() - started


def through_stagdb(api: httpx.Client, source: int, name: str) -> float:
    body = {"name": name, "type": "postgresql", "source": {"uri": dsn(source)}}
    started = time.monotonic()
    answer = api.post("/databases?wait=true", json=body)
    elapsed = time.monotonic() - started
    answer.raise_for_status()
    api.delete(f"/databases/{name}").raise_for_status()
    return elapsed


def masking_seconds(api: httpx.Client, rows: int) -> tuple[float, float]:
    """Time of a masked branch and of the same branch unmasked."""
    created = api.post("/databases", json={"name": "mask-bench", "type": "postgresql"})
    created.raise_for_status()
    with psycopg.connect(created.json()["data"]["connection"]["uri"], autocommit=True) as c:
        c.execute(
            "CREATE TABLE people AS SELECT i AS id, 'u' || i || '@corp.example' AS email, "
            f"'Name ' || i AS name FROM generate_series(1, {rows}) i"
        )
        c.execute("ALTER TABLE people ADD PRIMARY KEY (id), ADD UNIQUE (email)")
    rules = [{"table": "people", "column": "email", "with": "email"},
             {"table": "people", "column": "name", "with": "name"}]  # fmt: skip
    api.put("/databases/mask-bench", json={"masking_rules": rules}).raise_for_status()
    timings = []
    for name, mask in (("masked", True), ("unmasked", False)):
        started = time.monotonic()
        api.post("/databases/mask-bench/branches", json={"name": name, "mask": mask})
        timings.append(time.monotonic() - started)
    api.delete("/databases/mask-bench?cascade=true").raise_for_status()
    return timings[0], timings[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=2048)
    parser.add_argument("--mask-rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    engine = docker.from_env()
    with plain_postgres(engine) as source, bench_server(
        {"STAGDB_IMPORT_JOBS": str(JOBS), "STAGDB_POSTGRES_VERSIONS": "15",
         "STAGDB_PULL_IMAGES": "false", "STAGDB_OPERATION_TIMEOUT": "600"}
    ) as api:  # fmt: skip
        size = fill(source, args.size_mib)
        gib = size / 2**30
        ours, theirs = [], []
        for run in range(args.runs):
            with plain_postgres(engine, durable=True) as target:
                theirs.append(by_hand(engine, source, target))
            ours.append(through_stagdb(api, source, f"import-{run}"))
        ours_rate, theirs_rate = (
            gib / statistics.median(ours) * 60,
            gib / statistics.median(theirs) * 60,
        )
        print(f"source: {gib:.2f} GiB, {JOBS} jobs, {args.runs} runs")
        print(f"stagdb import: median {statistics.median(ours):.1f} s = {ours_rate:.2f} GiB/min")
        print(
            f"by hand:       median {statistics.median(theirs):.1f} s = {theirs_rate:.2f} GiB/min"
        )
        print(f"ratio: {ours_rate / theirs_rate:.2f}")
        masked, unmasked = masking_seconds(api, args.mask_rows)
        per_million = (masked - unmasked) / args.mask_rows * 1_000_000
        print(f"masking {args.mask_rows} rows (2 columns): branch {masked:.1f} s masked, "
              f"{unmasked:.1f} s unmasked: {per_million:.1f} s per million rows")  # fmt: skip


if __name__ == "__main__":
    main()
