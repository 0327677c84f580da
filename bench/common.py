"""Benchmark harness: a throwaway `stagdb serve` on 127.0.0.1 and timing helpers."""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docker
import httpx
import psycopg

from app.drivers import mounts

STAGDB = str(Path(sys.executable).with_name("stagdb"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def bench_server(
    extra_env: dict[str, str] | None = None,
    docker_url: str | None = None,
    data_dir: Path | None = None,
) -> Iterator[httpx.Client]:
    """A server in a temporary data dir (or `data_dir`, made empty by the caller, whose
    containers carry it in the `io.stagdb.data-dir` label); everything it made is removed
    afterwards."""
    host_name = f"bench-{uuid.uuid4().hex[:8]}"
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="stagdb-bench-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGDB_")} | {
        "STAGDB_DATA_DIR": str(data_dir),
        "STAGDB_API_PORT": str(port),
        "STAGDB_HOST_NAME": host_name,
        "STAGDB_PORT_RANGE": "16000-16999",  # engines at 26000-26999: below ephemeral ports
        "STAGDB_STORAGE": "copy",
        "STAGDB_PORT_CLAIMS_DIR": str(data_dir / "port-claims"),
        "STAGDB_RATE_LIMIT_GENERAL": "1000000",
        "STAGDB_RATE_LIMIT_DATABASE": "1000000",
        "STAGDB_RATE_LIMIT_BRANCHING": "1000000",
        **({"STAGDB_DOCKER_HOST": docker_url} if docker_url else {}),
        **(extra_env or {}),
    }
    key = subprocess.run(
        [STAGDB, "keys", "create", "--name", "bench"], env=env, check=True,
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    with open(data_dir / "server.log", "wb") as log:
        server = subprocess.Popen([STAGDB, "serve"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_healthy(base)
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=300
        ) as client:
            yield client
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:  # its containers are removed below all the same
            server.kill()
            server.wait()
        engine = (
            docker.DockerClient(base_url=docker_url, timeout=300)
            if docker_url
            else docker.from_env(timeout=300)
        )
        for container in engine.containers.list(
            all=True, filters={"label": f"io.stagdb.data-dir={data_dir}"}
        ):
            container.remove(force=True, v=True)
        # Warm engines' volumes stay bound under the data dir while their engines run.
        mounts.detach_all_under(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


def _wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the benchmark server did not become healthy")


def first_query(uri: str, timeout_s: float = 30) -> None:
    """Block until `SELECT 1` succeeds over a fresh client connection."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with psycopg.connect(uri, connect_timeout=2) as connection:
                connection.execute("SELECT 1").fetchone()
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def summary(label: str, seconds: list[float]) -> str:
    return (
        f"{label}: n={len(seconds)} min={min(seconds):.3f}s "
        f"median={statistics.median(seconds):.3f}s max={max(seconds):.3f}s"
    )
