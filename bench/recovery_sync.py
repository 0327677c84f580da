"""What a branch's first start costs its engine with each `recovery_init_sync_method`.

A branch's data is a copy of a running PostgreSQL, so its first start is a crash recovery,
which begins by making the data dir durable: `fsync` (PostgreSQL's default) opens and fsyncs
every file in it, `syncfs` (StagDB's default from 14 on) flushes the volume's file system
once. One engine at a time, alternating the two, each in a warm container (as the server
hands them over) on a fresh btrfs clone of one snapshot of a running parent. Prints, per
start, the engine's CPU (its container's cpuacct) and the time until its lock file says
"ready", then medians and their ratios. Removes everything it made.

Usage: .venv/bin/python -m bench.recovery_sync [--rounds 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import docker
import psycopg

from app.drivers import mounts
from app.engines import Listen
from app.engines.tuning import Value
from bench import fan_out_floor as floor
from bench import host_cpu
from bench.branching import real_pool

METHODS = ("fsync", "syncfs")
PORT = floor.FIRST_PORT


@dataclass(frozen=True)
class Start:
    cpu_to_ready_s: float
    cpu_to_answer_s: float
    wall_to_ready_s: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    engine = docker.from_env(timeout=300)
    starts: dict[str, list[Start]] = {method: [] for method in METHODS}
    with real_pool("btrfs") as pool:
        run = f"{os.getpid()}"
        try:
            floor.start_parent(engine, pool, run)
            with psycopg.connect(floor.login(floor.PARENT_PORT), autocommit=True) as connection:
                connection.execute("CREATE TABLE items AS SELECT generate_series(1, 10000) AS n")
                connection.execute("CHECKPOINT")
            snapshot = pool / "snapshot"
            floor.btrfs("subvolume", "snapshot", "-r", str(pool / "parent"), str(snapshot))
            for number in range(args.rounds):
                for method in METHODS:
                    settings = {"recovery_init_sync_method": method}
                    start = one_start(engine, pool, run, snapshot, f"{method}{number}", settings)
                    starts[method].append(start)
                    print(
                        f"round {number} {method}: CPU to ready {start.cpu_to_ready_s * 1000:.0f}"
                        f" ms, to the first answer {start.cpu_to_answer_s * 1000:.0f} ms; ready"
                        f" after {start.wall_to_ready_s * 1000:.0f} ms",
                        flush=True,
                    )
        finally:
            floor.clean_up(engine, pool, run)
    print(f"\none engine at a time from a copy of a running server, median of {args.rounds}:")
    for figure in ("cpu_to_ready_s", "cpu_to_answer_s", "wall_to_ready_s"):
        fsync, syncfs = (
            statistics.median(getattr(start, figure) for start in starts[method])
            for method in METHODS
        )
        print(
            f"{figure}: fsync {fsync * 1000:.0f} ms, syncfs {syncfs * 1000:.0f} ms, "
            f"fsync ÷ syncfs {fsync / syncfs:.2f}"
        )


def one_start(
    engine: docker.DockerClient,
    pool: Path,
    run: str,
    snapshot: Path,
    name: str,
    settings: Mapping[str, Value],
) -> Start:
    slot = floor.make_warm(engine, pool, run, name)
    time.sleep(1)  # the waiting container settles
    container = engine.containers.get(f"bench-floor-{run}-slot-{name}")
    clone = pool / f"clone-{name}"
    floor.btrfs("subvolume", "snapshot", str(snapshot), str(clone))
    command = floor.ENGINE.server_command(Listen("127.0.0.1", PORT), settings, floor.VERSION)
    before = host_cpu.container_cpu_s(str(container.id))
    since, started = time.time(), time.perf_counter()
    mounts.bind(clone, slot / "data")
    with open(slot / "control" / "command", "w") as fifo:
        fifo.write("".join(f"{part}\n" for part in command))
    while not floor.ENGINE.ready_by_files(clone, since):
        time.sleep(0.005)
    wall_to_ready = time.perf_counter() - started
    cpu_to_ready = host_cpu.container_cpu_s(str(container.id)) - before
    floor.answer(PORT)
    cpu_to_answer = host_cpu.container_cpu_s(str(container.id)) - before
    floor.remove_containers(engine, run, keep_parent=True)
    mounts.detach(slot / "data")
    return Start(cpu_to_ready, cpu_to_answer, wall_to_ready)


if __name__ == "__main__":
    main()
