"""What ten branches at once cost below StagDB: ten PostgreSQL engines started from clones of
one snapshot of a running parent, each until it answers a login, with no server in between.

Two ways, alternating in one run on one btrfs pool:
- made: per branch a Docker create and start (what a server without warm engines does);
- warm: per branch a container started beforehand that waits for its data and command line
  (what STAGDB_WARM_ENGINES does: the clone appears inside through a shared mount, the command
  line arrives through a FIFO).

Both use the engine's command line and confinement as StagDB builds them. Prints each round's
wall time and where the host's CPU went, then medians and their ratio. Removes everything it
made (containers by label, mounts, the pool).

Usage: .venv/bin/python -m bench.fan_out_floor [--rounds 5] [--branches 10]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import docker
import psycopg

from app.drivers import mounts
from app.engines import ENGINES, Listen
from bench import host_cpu
from bench.branching import real_pool
from bench.common import first_query

VERSION = "15"
IMAGE = f"postgres:{VERSION}"
LABEL = "io.stagdb.bench-fan-out-floor"
PASSWORD = "bench-only"
PARENT_PORT = 27000
FIRST_PORT = 27100
WAITER = 'while IFS= read -r arg; do set -- "$@" "$arg"; done < /control/command; exec "$@"'
ENGINE = ENGINES["postgresql"]
Binds = dict[str, Mapping[str, str]]  # host path → where and how it is mounted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--branches", type=int, default=10)
    args = parser.parse_args()
    engine = docker.from_env(timeout=300)
    seconds: dict[str, list[float]] = {"made": [], "warm": []}
    with real_pool("btrfs") as pool:
        run = f"{os.getpid()}"
        try:
            start_parent(engine, pool, run)
            for number in range(args.rounds):
                for way in seconds:
                    wall, cpu = one_round(engine, pool, run, f"{way}{number}", way, args.branches)
                    seconds[way].append(wall)
                    print(f"round {number} {way}: {wall:.2f}s; {cpu}", flush=True)
        finally:
            clean_up(engine, pool, run)
    made, warm = (statistics.median(seconds[way]) for way in ("made", "warm"))
    print(
        f"\n{args.branches} engines from one snapshot, median of {args.rounds}: "
        f"made {made:.2f}s, warm {warm:.2f}s, made ÷ warm {made / warm:.2f}"
    )


def command(port: int) -> list[str]:
    return ENGINE.server_command(Listen("127.0.0.1", port), {}, VERSION)


def create(
    engine: docker.DockerClient,
    run: str,
    name: str,
    binds: Binds,
    command: list[str] | None = None,
    entrypoint: list[str] | None = None,
) -> str:
    """A container confined as StagDB confines engines."""
    api = engine.api
    host = api.create_host_config(
        binds=binds, network_mode="host", cap_drop=["ALL"],
        security_opt=["no-new-privileges:true"], read_only=True,
        tmpfs={path: "rw,nosuid,nodev,noexec,mode=1777" for path in ENGINE.run_dirs},
    )  # fmt: skip
    created = api.create_container(
        IMAGE, command=command, entrypoint=entrypoint, name=f"bench-floor-{run}-{name}",
        user=ENGINE.run_as, host_config=host, labels={LABEL: run},
    )  # fmt: skip
    return str(created["Id"])


def start_parent(engine: docker.DockerClient, pool: Path, run: str) -> None:
    data = pool / "parent"
    subprocess.run(["btrfs", "subvolume", "create", str(data)], check=True, capture_output=True)
    os.chown(data, 999, 999)
    os.chmod(data, 0o700)
    with tempfile.NamedTemporaryFile("w", dir=pool, delete=False) as secret:
        secret.write(PASSWORD)
    os.chown(secret.name, 999, 999)
    init = (
        f"initdb -D {ENGINE.data_dir} -U postgres -A scram-sha-256 --pwfile=/secret >/dev/null"
        f" && echo 'host all all 127.0.0.1/32 scram-sha-256' >> {ENGINE.data_dir}/pg_hba.conf"
    )
    engine.containers.run(
        IMAGE, ["sh", "-c", init], user=ENGINE.run_as, remove=True, labels={LABEL: run},
        volumes={str(data): {"bind": ENGINE.data_dir}, secret.name: {"bind": "/secret"}},
    )  # fmt: skip
    os.unlink(secret.name)
    binds: Binds = {str(data): {"bind": ENGINE.data_dir, "mode": "rw"}}
    parent = create(engine, run, "parent", binds, command=command(PARENT_PORT))
    engine.api.start(parent)
    answer(PARENT_PORT)


def one_round(
    engine: docker.DockerClient, pool: Path, run: str, name: str, way: str, branches: int
) -> tuple[float, str]:
    slots = (
        [make_warm(engine, pool, run, f"{name}-{n}") for n in range(branches)]
        if way == "warm"
        else []
    )
    if way == "warm":
        time.sleep(2)  # the waiting containers settle
    before = host_cpu.read(pool)
    started = time.perf_counter()
    with psycopg.connect(login(PARENT_PORT), autocommit=True) as connection:
        connection.execute("CHECKPOINT")
    snapshot = pool / f"snap-{name}"
    btrfs("subvolume", "snapshot", "-r", str(pool / "parent"), str(snapshot))

    def branch(n: int) -> None:
        clone = pool / f"clone-{name}-{n}"
        btrfs("subvolume", "snapshot", str(snapshot), str(clone))
        port = FIRST_PORT + n
        since = time.time()
        if way == "warm":
            mounts.bind(clone, slots[n] / "data")
            with open(slots[n] / "control" / "command", "w") as fifo:
                fifo.write("".join(f"{part}\n" for part in command(port)))
        else:
            binds: Binds = {str(clone): {"bind": ENGINE.data_dir, "mode": "rw"}}
            engine.api.start(create(engine, run, f"{name}-{n}", binds, command=command(port)))
        while not ENGINE.ready_by_files(clone, since):  # as the server waits: no login attempts
            time.sleep(0.02)  # while the engine recovers, each of which forks a backend
        answer(port)

    with concurrent.futures.ThreadPoolExecutor(branches) as threads:
        list(threads.map(branch, range(branches)))
    wall = time.perf_counter() - started
    cpu = host_cpu.describe(host_cpu.spent(before, host_cpu.read(pool)), wall)
    remove_containers(engine, run, keep_parent=True)
    for slot in slots:
        mounts.detach(slot / "data")
    return wall, cpu


def make_warm(engine: docker.DockerClient, pool: Path, run: str, name: str) -> Path:
    slots = pool / "slots"  # a shared mount, as the server's warm-engines directory
    slots.mkdir(exist_ok=True)
    mounts.make_shared_mount(slots)
    slot = slots / name
    (slot / "data").mkdir(parents=True)
    (slot / "control").mkdir()
    os.mkfifo(slot / "control" / "command", 0o600)
    os.chown(slot / "control" / "command", 999, 999)
    binds: Binds = {
        str(slot / "data"): {"bind": ENGINE.data_dir, "mode": "rw,rslave"},
        str(slot / "control"): {"bind": "/control", "mode": "ro"},
    }
    engine.api.start(create(engine, run, f"slot-{name}", binds, entrypoint=["sh", "-c", WAITER]))
    return slot


def login(port: int) -> str:
    return f"host=127.0.0.1 port={port} user=postgres password={PASSWORD} dbname=postgres"


def answer(port: int) -> None:
    first_query(f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/postgres", timeout_s=60)


def btrfs(*argv: str) -> None:
    subprocess.run(["btrfs", *argv], check=True, capture_output=True)


def clean_up(engine: docker.DockerClient, pool: Path, run: str) -> None:
    """Remove the run's containers (the parent too) and unbind the warm slots' volumes."""
    remove_containers(engine, run, keep_parent=False)
    for slot in pool.glob("slots/*"):
        mounts.detach(slot / "data")
    mounts.detach(pool / "slots")


def remove_containers(engine: docker.DockerClient, run: str, keep_parent: bool) -> None:
    for container in engine.containers.list(all=True, filters={"label": f"{LABEL}={run}"}):
        if not (keep_parent and str(container.name).endswith("-parent")):
            container.remove(force=True)


if __name__ == "__main__":
    main()
