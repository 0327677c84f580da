"""How fast lost databases come back, with no API call: seconds from a container's removal
to its database answering again at the same URI, and from a Docker engine restart to every
one of N databases answering. Runs on a private Docker engine, so restarting it touches
nothing else on the machine.

Usage: .venv/bin/python -m bench.healing [--count 10] [--databases 20]
"""

from __future__ import annotations

import argparse
import time

import docker

from bench.common import bench_server, first_query, summary
from bench.private_engine import PrivateEngine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--databases", type=int, default=20)
    parser.add_argument("--restarts", type=int, default=3)
    args = parser.parse_args()
    engine = PrivateEngine.create("postgres:15")
    try:
        with bench_server(docker_url=engine.url) as api:
            print(summary("container removed → answering again", removals(api, engine, args.count)))
            restart = restarts(api, engine, args.databases, args.restarts)
            print(summary(f"engine restarted → all {args.databases} answering", restart))
    finally:
        engine.destroy()


def removals(api, engine: PrivateEngine, count: int) -> list[float]:
    made = api.post("/databases", json={"name": "lost-and-found", "type": "postgresql"})
    made.raise_for_status()
    database = made.json()["data"]
    timings = []
    for _ in range(count):
        [container] = engine.client.containers.list(
            filters={"label": f"io.stagdb.database={database['id']}"}
        )
        started = time.perf_counter()
        container.remove(force=True)
        first_query(database["connection"]["uri"], timeout_s=120)
        timings.append(time.perf_counter() - started)
        time.sleep(1)  # let the controller record the recovery before the next removal
    return timings


def restarts(api, engine: PrivateEngine, databases: int, rounds: int) -> list[float]:
    uris = []
    for n in range(databases):
        made = api.post("/databases", json={"name": f"fleet-{n}", "type": "postgresql"})
        made.raise_for_status()
        uris.append(made.json()["data"]["connection"]["uri"])
    timings = []
    for _ in range(rounds):
        engine.stop()
        started = time.perf_counter()
        engine.start()
        for uri in uris:
            first_query(uri, timeout_s=300)
        timings.append(time.perf_counter() - started)
        time.sleep(2)
    return timings


if __name__ == "__main__":
    docker.from_env().ping()
    main()
