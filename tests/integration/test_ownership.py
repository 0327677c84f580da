"""Two installs on one Docker engine, with the same host name and the same port range, never
touch each other's things: start-up, sweeps and deletes leave the other's containers alone,
and a port one install holds (even for a stopped database) is never handed out by the other."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import docker
import httpx
import psycopg
import pytest

from tests.conftest import Server, launch_server, quiet_port_range, shut_down


@pytest.fixture
def two_installs(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[tuple[Server, Server]]:
    shared = {
        "STAGDB_HOST_NAME": "local",
        "STAGDB_PORT_RANGE": quiet_port_range(4),
        "STAGDB_PORT_CLAIMS_DIR": str(tmp_root / "shared-port-claims"),
    }
    first = launch_server(None, tmp_root, shared)
    second = None
    try:
        second = launch_server(None, tmp_root, shared)
        yield first, second
    finally:
        shut_down(first, docker_client)
        if second is not None:
            shut_down(second, docker_client)


def answers(uri: str) -> bool:
    try:
        with psycopg.connect(uri, connect_timeout=2) as connection:
            return connection.execute("SELECT 1").fetchone() == (1,)
    except psycopg.Error:
        return False


def create(api: httpx.Client, name: str) -> dict:
    response = api.post("/databases", json={"name": name, "type": "postgresql"})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_two_installs_on_one_engine_leave_each_other_alone(
    two_installs: tuple[Server, Server], docker_client: docker.DockerClient
) -> None:
    first, second = two_installs
    assert first.install_id != second.install_id
    with first.client as api_one, second.client as api_two:
        mine = create(api_one, "team-db")
        theirs = create(api_two, "ci-db")
        assert mine["port"] != theirs["port"]

        # A stopped database keeps its port: the other install must not hand it out.
        assert api_one.post("/databases/team-db/stop").status_code == 200
        more = [create(api_two, f"ci-{n}")["port"] for n in range(2)]
        assert mine["port"] not in more
        full = api_two.post("/databases", json={"name": "ci-full", "type": "postgresql"})
        assert full.status_code == 507 and full.json()["error"]["code"] == "INSUFFICIENT_RESOURCES"

        # Restarting one install (start-up settling plus sweeps) touches nothing of the other.
        second.stop()
        second.start()
        first.stop(kill=True)
        first.start()
        time.sleep(3)  # a few sweeps of each
        assert answers(theirs["connection"]["uri"])
        assert api_one.get("/databases/team-db").json()["data"]["status"] == "stopped"
        assert api_one.post("/databases/team-db/start").status_code == 200
        assert answers(mine["connection"]["uri"])

        labels = [
            c.labels["io.stagdb.install"]
            for c in docker_client.containers.list(
                all=True, filters={"label": "io.stagdb.host=local"}
            )
            if c.labels.get("io.stagdb.data-dir", "").startswith(str(first.data_dir.parent))
        ]
        assert sorted(labels) == sorted([first.install_id] + [second.install_id] * 3)

        # Deleting everything in one install leaves the other's database running.
        for name in ("ci-db", "ci-0", "ci-1"):
            assert api_two.delete(f"/databases/{name}").status_code == 200
        assert answers(mine["connection"]["uri"])


def test_a_pool_belongs_to_one_install(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> None:
    """Pointing a second install at the first one's pool is refused at start-up, before it
    could take the first one's volumes for orphans."""
    first = launch_server(None, tmp_root)
    try:
        with first.client as api:
            create(api, "pooled")
        second_env = {"STAGDB_POOL_PATH": str(first.pool_path)}
        with pytest.raises(RuntimeError, match="belongs to another StagDB install"):
            launch_server(None, tmp_root, second_env)
        assert first.leftover_volumes()
    finally:
        shut_down(first, docker_client)
