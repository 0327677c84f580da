"""An exhausted host: a pool filled to the last byte answers 507 for new work while the API
and every other database go on working, and deleting gives the space back; every container
has a pids limit, and a configured default memory limit."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import httpx
import psycopg
import pytest

from app.drivers.storage import open_pool
from tests.conftest import Server, launch_server, shut_down
from tests.pools import _loop_filesystem, _require_root_and, destroy_all_volumes


@pytest.fixture(scope="module")
def small_btrfs(workspace: Path) -> Iterator[Path]:
    _require_root_and("mkfs.btrfs", "losetup")
    yield from _loop_filesystem(workspace, "full-btrfs", ["mkfs.btrfs", "-q"])


@pytest.fixture(scope="module")
def full_pool_server(
    small_btrfs: Path, docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[Server]:
    running = launch_server(
        None,
        tmp_root,
        {"STAGDB_STORAGE": "btrfs", "STAGDB_POOL_PATH": str(small_btrfs / "pool"),
         "STAGDB_DEFAULT_MEMORY": "256m"},
    )  # fmt: skip
    yield running
    shut_down(running, docker_client)


def fill(path: Path) -> None:
    """Write zeros until the filesystem refuses another byte."""
    done = subprocess.run(
        ["dd", "if=/dev/zero", f"of={path}", "bs=1M", "status=none"], capture_output=True, text=True
    )
    assert "No space left on device" in done.stderr, done.stderr
    subprocess.run(["sync"], check=True)


def test_a_full_pool_refuses_new_work_and_keeps_serving(
    full_pool_server: Server, small_btrfs: Path
) -> None:
    with full_pool_server.client as api:
        try:
            _fill_then_free(api, small_btrfs)
        finally:  # whatever happened, the next test (or a rerun) starts from an empty pool
            for name in ("keeper", "bulky", "fits-again"):
                api.delete(f"/databases/{name}")


def _fill_then_free(api: httpx.Client, small_btrfs: Path) -> None:
    """Fill the pool with a database in use: new work is refused, the rest keeps serving;
    deleting gives the space back."""
    keeper = api.post("/databases", json={"name": "keeper", "type": "postgresql"}).json()["data"]
    # The superuser, for CHECKPOINT: the table must be on disk before the pool fills.
    bulky = api.post(
        "/databases", json={"name": "bulky", "type": "postgresql", "superuser": True}
    ).json()["data"]
    with psycopg.connect(bulky["connection"]["uri"], autocommit=True) as connection:
        connection.execute("CREATE TABLE blob AS SELECT md5(g::text) || repeat('x', 900) AS v "
                           "FROM generate_series(1, 150000) g")  # fmt: skip
        connection.execute("CHECKPOINT")
    # A database in use: PostgreSQL writes a database's relation-cache file on its first
    # connection, which a full disk refuses ("could not write init file").
    with psycopg.connect(keeper["connection"]["uri"], connect_timeout=5) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)
    filler = small_btrfs / "filler"
    try:
        fill(filler)
        for path, body in (
            ("/databases", {"name": "too-many", "type": "postgresql"}),
            ("/databases/keeper/snapshots", {"name": "no-room"}),
            ("/databases/keeper/branches", {"name": "no-room-branch"}),
        ):
            refused = api.post(path, json=body)
            assert refused.status_code == 507, refused.text
            assert refused.json()["error"]["code"] == "INSUFFICIENT_RESOURCES"
            assert "storage pool is full" in refused.json()["error"]["message"]
        assert api.get("/databases/keeper").json()["data"]["status"] == "running"
        assert api.get("/health").status_code == 200
        with psycopg.connect(keeper["connection"]["uri"], connect_timeout=5) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)

        assert api.delete("/databases/bulky").status_code == 200
        deadline = time.monotonic() + 60
        while True:  # btrfs hands deleted extents back in the background
            made = api.post("/databases", json={"name": "fits-again", "type": "postgresql"})
            if made.status_code == 201 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert made.status_code == 201, made.text
    finally:
        filler.unlink(missing_ok=True)


def test_every_container_is_limited_and_unprivileged(
    full_pool_server: Server, docker_client: docker.DockerClient
) -> None:
    with full_pool_server.client as api:
        made = api.post("/databases", json={"name": "limited", "type": "postgresql"})
        assert made.status_code == 201, made.text
        database = made.json()["data"]
        assert database["resources"]["memory"] == "256m"
        [container] = docker_client.containers.list(
            filters={"label": f"io.stagdb.database={database['id']}"}
        )
        host_config = container.attrs["HostConfig"]
        assert host_config["PidsLimit"] == 1024
        assert host_config["Memory"] == 256 * 1024**2
        assert host_config["CapDrop"] == ["ALL"] and not host_config["CapAdd"]
        assert "no-new-privileges:true" in host_config["SecurityOpt"]
        assert not host_config["Privileged"]
        assert api.delete("/databases/limited").status_code == 200


@pytest.fixture(scope="module", params=["btrfs", "zfs"])
def quota_server(
    request: pytest.FixtureRequest,
    docker_client: docker.DockerClient,
    postgres_image: str,
    tmp_root: Path,
) -> Iterator[Server]:
    """A server with a 100 MiB per-database disk quota on a real btrfs or ZFS pool."""
    name = f"quota{os.getpid()}"
    if request.param == "zfs":
        zfs_pool = request.getfixturevalue("zfs_pool")
        pool_path = zfs_pool.create_volume(name)
    else:
        pool_path = request.getfixturevalue("small_btrfs") / name
    running = launch_server(
        None,
        tmp_root,
        {"STAGDB_STORAGE": request.param, "STAGDB_POOL_PATH": str(pool_path),
         "STAGDB_DISK_QUOTA": "100m"},
    )  # fmt: skip
    yield running
    shut_down(running, docker_client)
    destroy_all_volumes(open_pool(request.param, pool_path))
    if request.param == "zfs":
        zfs_pool.destroy_volume(name)


def test_a_database_cannot_write_past_its_disk_quota(quota_server: Server) -> None:
    """Its own writes stop at the quota: the engine reports the error, or (PostgreSQL when
    its WAL cannot grow) stops; the space it takes stays within the quota, and its neighbour
    keeps working."""
    with quota_server.client as api:
        try:
            _write_past_the_quota(api)
        finally:  # whatever happened, a rerun starts from a server with no databases
            for name in ("greedy", "neighbour"):
                api.delete(f"/databases/{name}")


def _write_past_the_quota(api: httpx.Client) -> None:
    # The superuser, for CHECKPOINT: each round's writes reach the volume at once.
    greedy = api.post(
        "/databases", json={"name": "greedy", "type": "postgresql", "superuser": True}
    )
    assert greedy.status_code == 201, greedy.text
    neighbour = api.post("/databases", json={"name": "neighbour", "type": "postgresql"})
    assert neighbour.status_code == 201, neighbour.text
    uri = greedy.json()["data"]["connection"]["uri"]
    with (
        pytest.raises(psycopg.Error),
        psycopg.connect(uri, autocommit=True) as connection,
    ):
        connection.execute("CREATE TABLE blob (v text)")
        connection.execute("ALTER TABLE blob ALTER v SET STORAGE EXTERNAL")  # no compression
        for _ in range(40):  # 40 × ~8 MiB, well past 100 MiB
            connection.execute("INSERT INTO blob SELECT string_agg(md5(random()::text), '') "
                               "FROM generate_series(1, 256), generate_series(1, 1000) g "
                               "GROUP BY g")  # fmt: skip
            connection.execute("CHECKPOINT")
    answer = api.get("/databases/greedy/stats")
    assert answer.status_code == 200, answer.text
    stats = answer.json()["data"]
    assert stats["storage"]["figures"]["unique_bytes"] <= 110 * 1024**2, stats["storage"]
    other = neighbour.json()["data"]["connection"]["uri"]
    with psycopg.connect(other, autocommit=True) as connection:
        connection.execute("CREATE TABLE fine AS SELECT 1 AS one")
    for name in ("greedy", "neighbour"):
        assert api.delete(f"/databases/{name}").status_code == 200
