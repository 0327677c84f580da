"""Promote latency per storage backend and data size: a PostgreSQL database is filled with
pgbench data, branched, and `POST /databases/{branch}/promote` is timed until the first
successful query through the parent's (unchanged) URI. Promote copies nothing, so the
figures should not grow with the size.

Usage: .venv/bin/python -m bench.promote [--backends btrfs,zfs] [--sizes 1,4] [--runs 5]
"""

from __future__ import annotations

import argparse
import subprocess
import time

import httpx

from bench.branching import PGBENCH, SCALE_PER_GIB, real_pool
from bench.common import bench_server, first_query, summary


def timed_promote(api: httpx.Client, parent: str, uri: str, branch: str) -> float:
    api.post(f"/databases/{parent}/branches", json={"name": branch}).raise_for_status()
    started = time.perf_counter()
    api.post(f"/databases/{branch}/promote").raise_for_status()
    first_query(uri)
    return time.perf_counter() - started


def measure(kind: str, sizes: list[int], runs: int) -> None:
    with (
        real_pool(kind) as pool_path,
        bench_server({"STAGDB_STORAGE": kind, "STAGDB_POOL_PATH": str(pool_path)}) as api,
    ):
        for size in sizes:
            name = f"data-{size}g"
            created = api.post("/databases", json={"name": name, "type": "postgresql"})
            uri = created.json()["data"]["connection"]["uri"]
            subprocess.run(
                [PGBENCH, "-i", "-q", "-s", str(SCALE_PER_GIB * size), uri],
                check=True, capture_output=True,
            )  # fmt: skip
            times = [timed_promote(api, name, uri, f"{name}-b{n}") for n in range(runs)]
            print(summary(f"{kind:8} {size} GiB promote→query", times), flush=True)
            api.delete(f"/databases/{name}", params={"cascade": "true"}).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="btrfs,zfs,reflink")
    parser.add_argument("--sizes", default="1,4")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    for kind in args.backends.split(","):
        measure(kind, sizes, args.runs)


if __name__ == "__main__":
    main()
