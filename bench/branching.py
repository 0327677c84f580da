"""Snapshot and branch latency under a steady write load, per storage backend and data size,
and the disk cost of 20 branches.

For each backend a real pool is made with `stagdb setup`'s own code (a loop-mounted btrfs or
XFS image, a zfs-fuse pool on an image file, or a plain directory), a server is started on it,
a PostgreSQL database is filled with pgbench data, and while pgbench keeps writing (rate
limited) it times `POST /databases/{id}/snapshots` and `POST /databases/{id}/branches` until
the first successful query on the branch.

Usage: .venv/bin/python -m bench.branching [--backends btrfs,zfs] [--sizes 1,4] [--runs 10]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from app.config import STORAGE_KINDS
from app.drivers import shell
from app.setup.pool import ensure_zfs_daemon, prepare_pool, zfs_pool_name
from bench.common import bench_server, first_query, summary

PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
SCALE_PER_GIB = 68  # pgbench scale factor that makes about 1 GiB of data
POOL_GIB = 40
POOL_KINDS = tuple(kind for kind in STORAGE_KINDS if kind != "auto")


@contextlib.contextmanager
def real_pool(kind: str) -> Iterator[Path]:
    """A fresh pool of `kind` on an image file, torn down afterwards."""
    if kind not in POOL_KINDS:  # said before anything is made, not masked by a clean-up
        raise SystemExit(f"no storage kind {kind!r}: one of {', '.join(POOL_KINDS)}")
    data_dir = Path(tempfile.mkdtemp(prefix=f"stagdb-bench-{kind}-"))
    pool_path = data_dir / "pool"
    daemon = ensure_zfs_daemon(data_dir / "zfs-fuse.log", print) if kind == "zfs" else None
    try:
        prepare_pool(kind, pool_path, data_dir, POOL_GIB, lambda line: None)
        yield pool_path
    finally:
        if kind == "zfs":
            shell.run(["zpool", "destroy", "-f", zfs_pool_name(data_dir)])
        elif kind != "copy":
            shell.run(["umount", str(pool_path)])
        if daemon is not None:
            daemon.terminate()
            daemon.wait(timeout=60)
        shutil.rmtree(data_dir, ignore_errors=True)


def used_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


def pgbench(uri: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PGBENCH, *args, uri], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def timed_branch(api: httpx.Client, database: str, name: str) -> float:
    started = time.perf_counter()
    response = api.post(f"/databases/{database}/branches", json={"name": name})
    response.raise_for_status()
    first_query(response.json()["data"]["connection"]["uri"])
    return time.perf_counter() - started


def timed_snapshot(api: httpx.Client, database: str, name: str) -> float:
    started = time.perf_counter()
    api.post(f"/databases/{database}/snapshots", json={"name": name}).raise_for_status()
    return time.perf_counter() - started


def measure(kind: str, sizes: list[int], runs: int) -> dict[int, tuple[float, float]]:
    medians: dict[int, tuple[float, float]] = {}
    with (
        real_pool(kind) as pool_path,
        bench_server({"STAGDB_STORAGE": kind, "STAGDB_POOL_PATH": str(pool_path)}) as api,
    ):
        for size in sizes:
            name = f"data-{size}g"
            uri = api.post("/databases", json={"name": name, "type": "postgresql"}).json()["data"][
                "connection"
            ]["uri"]
            subprocess.run(
                [PGBENCH, "-i", "-q", "-s", str(SCALE_PER_GIB * size), uri],
                check=True, capture_output=True,
            )  # fmt: skip
            load = pgbench(uri, "-c", "2", "-T", "3600", "-R", "100", "-n")
            try:
                snapshots = [timed_snapshot(api, name, f"s{n}") for n in range(runs)]
                branches = []
                for n in range(runs):
                    branches.append(timed_branch(api, name, f"{name}-b{n}"))
                    api.delete(f"/databases/{name}-b{n}").raise_for_status()
            finally:
                load.terminate()
                load.wait()
            print(summary(f"{kind:8} {size} GiB snapshot", snapshots), flush=True)
            print(summary(f"{kind:8} {size} GiB branch→query", branches), flush=True)
            medians[size] = (statistics.median(snapshots), statistics.median(branches))
            if size == sizes[0]:
                space_of_branches(api, name, pool_path, kind)
            api.delete(f"/databases/{name}", params={"cascade": "true"}).raise_for_status()
    return medians


def space_of_branches(api: httpx.Client, name: str, pool_path: Path, kind: str) -> None:
    """Extra disk for 20 idle branches, as a share of the source's data: the pool's used
    bytes before and after (synced), and the backend's own count of bytes unique to them."""
    size = api.get(f"/databases/{name}/snapshots").json()["data"][0]["size"]["logical_bytes"]
    os.sync()
    before = used_bytes(pool_path)
    branches = [f"{name}-idle{n}" for n in range(20)]
    for branch in branches:
        api.post(f"/databases/{name}/branches", json={"name": branch}).raise_for_status()
    os.sync()
    time.sleep(5)
    extra = used_bytes(pool_path) - before
    unique = sum(
        api.get(f"/databases/{branch}/stats").json()["data"]["storage"]["figures"]["unique_bytes"]
        for branch in branches
    )
    print(
        f"{kind:8} 20 branches of {size / 2**30:.2f} GiB: pool grew {extra / 2**20:.0f} MiB "
        f"({100 * extra / size:.1f}%), bytes unique to the branches {unique / 2**20:.0f} MiB "
        f"({100 * unique / size:.1f}%)",
        flush=True,
    )
    for branch in branches:
        api.delete(f"/databases/{branch}").raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="zfs,btrfs,reflink,copy")
    parser.add_argument("--sizes", default="1,4")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    for kind in args.backends.split(","):
        medians = measure(kind, sizes, args.runs)
        if len(sizes) > 1:
            small, large = medians[sizes[0]], medians[sizes[-1]]
            print(
                f"{kind:8} {sizes[-1]} GiB / {sizes[0]} GiB median ratio: "
                f"snapshot {large[0] / small[0]:.2f}, branch {large[1] / small[1]:.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
