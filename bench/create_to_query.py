"""Time from `POST /v1/databases` to the first successful query on the returned connection.

Usage: .venv/bin/python -m bench.create_to_query [--count 10]
"""

from __future__ import annotations

import argparse
import time

from bench.common import bench_server, first_query, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10)
    args = parser.parse_args()
    with bench_server() as api:
        warm = api.post("/databases", json={"name": "warm-up", "type": "postgresql"})
        warm.raise_for_status()  # the first create also initialises the version's template
        timings = []
        for n in range(args.count):
            started = time.perf_counter()
            response = api.post("/databases", json={"name": f"bench-{n}", "type": "postgresql"})
            response.raise_for_status()
            first_query(response.json()["data"]["connection"]["uri"])
            timings.append(time.perf_counter() - started)
        print(summary("create → first query (postgresql 15, copy storage)", timings))


if __name__ == "__main__":
    main()
