"""Warm engines (STAGDB_WARM_ENGINES): containers started ahead that a create or branch
takes instead of a Docker create and start. On every storage backend a branch served by one
holds its parent's data and only its own password; it stops, starts, heals and is deleted like
any database, and its volume is never left bound: a bound volume could not be destroyed."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import httpx
import psycopg
import pytest

from app.domain.warm_engines import WarmEngines
from app.drivers import mounts
from app.drivers.runtime.base import STANDBY_LABEL
from app.drivers.runtime.docker import DockerRuntime
from app.engines import ENGINES
from tests.conftest import Server, launch_server, server_on_pool, shut_down
from tests.pools import KINDS

WARM = 2
WITHIN_S = 60


@pytest.fixture(scope="module", params=KINDS)
def warm_server(
    request: pytest.FixtureRequest,
    docker_client: docker.DockerClient,
    postgres_image: str,
    tmp_root: Path,
) -> Iterator[Server]:
    yield from server_on_pool(
        request, request.param, tmp_root, docker_client, {"STAGDB_WARM_ENGINES": str(WARM)}
    )


@pytest.fixture
def warm_api(warm_server: Server) -> Iterator[httpx.Client]:
    with warm_server.client as client:
        yield client


@pytest.fixture(scope="module")
def warm_copy_server(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[Server]:
    """For what is the same on every backend (limits, the server's restart): copy storage."""
    running = launch_server(None, tmp_root, {"STAGDB_WARM_ENGINES": str(WARM)})
    yield running
    shut_down(running, docker_client)


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = WITHIN_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        time.sleep(0.2)


def waiting(api: httpx.Client) -> int:
    """Warm engines of PostgreSQL waiting, as /metrics tells."""
    text = api.get(str(api.base_url).removesuffix("/v1/") + "/metrics").text
    found = re.search(r'stagdb_warm_engines\{image="postgres:15"\} (\S+)', text)
    return int(float(found.group(1))) if found else 0


def make(api: httpx.Client, path: str, body: dict) -> dict:
    response = api.post(path, json=body)
    assert response.status_code == 201, response.text
    made: dict = response.json()["data"]
    return made


def container_named(client: docker.DockerClient, server: Server, database_id: str):
    return client.containers.get(f"stagdb-{server.install_id}-{database_id}")


def slot_mounts(server: Server, database_id: str) -> set[str]:
    return mounts.mount_points_under(server.data_dir / "warm-engines" / database_id)


def rows(uri: str) -> list[tuple]:
    with psycopg.connect(uri, connect_timeout=5) as connection:
        return connection.execute("SELECT note FROM kept ORDER BY note").fetchall()


def answers(uri: str) -> bool:
    try:
        rows(uri)
    except psycopg.Error:
        return False
    return True


def parent_with_data(api: httpx.Client, name: str) -> dict:
    parent = make(api, "/databases", {"name": name, "type": "postgresql"})
    with psycopg.connect(parent["connection"]["uri"], autocommit=True) as connection:
        connection.execute("CREATE TABLE kept (note text)")
        connection.execute("INSERT INTO kept VALUES ('from the parent')")
    return parent


def test_branches_run_in_warm_engines_with_their_parents_data(
    warm_server: Server, warm_api: httpx.Client, docker_client: docker.DockerClient
) -> None:
    parent = parent_with_data(warm_api, "warm-parent")
    wait_until(lambda: waiting(warm_api) == WARM, "the warm engines are made after a first use")

    def branch(n: int) -> dict:
        return make(warm_api, f"/databases/{parent['id']}/branches", {"name": f"warm-{n}"})

    with ThreadPoolExecutor(WARM) as pool:
        branches = list(pool.map(branch, range(WARM)))

    for made in branches:
        container = container_named(docker_client, warm_server, made["id"])
        assert container.status == "running"
        assert STANDBY_LABEL in container.labels  # it was started before the request came
        assert rows(made["connection"]["uri"]) == [("from the parent",)]
        assert slot_mounts(warm_server, made["id"])  # its volume is bound in
        wrong = made["connection"]["uri"].replace(
            made["connection"]["password"], parent["connection"]["password"]
        )
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(wrong, connect_timeout=5).close()
    with psycopg.connect(branches[0]["connection"]["uri"], autocommit=True) as connection:
        connection.execute("INSERT INTO kept VALUES ('only in the branch')")
    assert rows(parent["connection"]["uri"]) == [("from the parent",)]
    wait_until(lambda: waiting(warm_api) == WARM, "taken warm engines are replaced")

    for made in (*branches, parent):
        assert warm_api.delete(f"/databases/{made['id']}").status_code == 200
        assert not slot_mounts(warm_server, made["id"])
        with pytest.raises(docker.errors.NotFound):
            container_named(docker_client, warm_server, made["id"])
    assert warm_server.leftover_volumes() == []


def test_a_warm_engine_stops_starts_and_heals_with_its_data(
    warm_server: Server, warm_api: httpx.Client, docker_client: docker.DockerClient
) -> None:
    parent = parent_with_data(warm_api, "warm-lifecycle")
    branch: dict = {}
    try:
        wait_until(lambda: waiting(warm_api) >= 1, "a warm engine waits")
        branch = make(warm_api, f"/databases/{parent['id']}/branches", {"name": "warm-lifecycle-b"})
        uri = branch["connection"]["uri"]
        first = container_named(docker_client, warm_server, branch["id"])
        assert STANDBY_LABEL in first.labels
        with psycopg.connect(uri, autocommit=True) as connection:
            connection.execute("INSERT INTO kept VALUES ('written before the stop')")

        assert warm_api.post(f"/databases/{branch['id']}/stop").status_code == 200
        first.reload()
        assert first.status == "exited"  # kept, with its logs, until the database starts again
        logs = warm_api.get(f"/databases/{branch['id']}/logs").json()["data"]["lines"]
        assert any("database system is shut down" in line["message"] for line in logs)
        assert warm_api.post(f"/databases/{branch['id']}/start").status_code == 200
        assert rows(uri) == [("from the parent",), ("written before the stop",)]
        second = container_named(docker_client, warm_server, branch["id"])
        assert second.id != first.id  # its command went to the first once: a start is a new one
        assert len(slot_mounts(warm_server, branch["id"])) <= 1

        second.remove(force=True)  # behind StagDB's back
        wait_until(lambda: answers(uri), "the controller brings the database back")
        assert rows(uri) == [("from the parent",), ("written before the stop",)]
        assert len(slot_mounts(warm_server, branch["id"])) <= 1
        state = warm_api.get(f"/databases/{branch['id']}").json()["data"]
        assert state["status"] == "running"

        for made in (branch, parent):
            assert warm_api.delete(f"/databases/{made['id']}").status_code == 200
            assert not slot_mounts(warm_server, made["id"])
        assert warm_server.leftover_volumes() == []
    finally:  # a failed run leaves nothing for its rerun to trip over
        for made in (branch, parent):
            if made:
                warm_api.delete(f"/databases/{made['id']}")


def test_a_create_in_a_warm_engine_gets_its_limits(
    warm_copy_server: Server, docker_client: docker.DockerClient
) -> None:
    warm_server = warm_copy_server
    warm_api = warm_server.client
    first = make(warm_api, "/databases", {"name": "warm-first", "type": "postgresql"})
    wait_until(lambda: waiting(warm_api) >= 1, "a warm engine waits")
    limited = make(
        warm_api,
        "/databases",
        {
            "name": "warm-limited",
            "type": "postgresql",
            "resources": {"memory": "256m", "cpus": 0.5},
        },
    )
    container = container_named(docker_client, warm_server, limited["id"])
    assert STANDBY_LABEL in container.labels
    assert container.attrs["HostConfig"]["Memory"] == 256 * 1024 * 1024
    assert container.attrs["HostConfig"]["CpuQuota"] == 50_000
    with psycopg.connect(limited["connection"]["uri"]) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)
    for made in (limited, first):
        assert warm_api.delete(f"/databases/{made['id']}").status_code == 200


def test_a_server_restart_keeps_taken_engines_and_drops_waiting_ones_even_once_off(
    warm_copy_server: Server, docker_client: docker.DockerClient
) -> None:
    warm_server = warm_copy_server
    warm_api = warm_server.client
    parent = parent_with_data(warm_api, "warm-restart")
    wait_until(lambda: waiting(warm_api) == WARM, "warm engines wait")
    branch = make(warm_api, f"/databases/{parent['id']}/branches", {"name": "warm-restart-b"})
    taken = container_named(docker_client, warm_server, branch["id"])
    assert STANDBY_LABEL in taken.labels
    install = f"io.stagdb.install={warm_server.install_id}"

    warm_server.stop()
    left = docker_client.containers.list(all=True, filters={"label": [install, STANDBY_LABEL]})
    names = {container.name for container in left}
    assert taken.name in names
    assert not [name for name in names if "-standby-" in name]  # none waits for nobody
    taken.reload()
    assert taken.status == "running"  # its engine goes on while no server runs

    warm_server.env["STAGDB_WARM_ENGINES"] = "0"  # turned off meanwhile, as an operator may
    try:
        warm_server.start()
    finally:
        warm_server.env["STAGDB_WARM_ENGINES"] = str(WARM)
    time.sleep(3)  # several sweeps (STAGDB_SWEEP_INTERVAL is 1 s in the tests)
    taken.reload()
    assert taken.status == "running"  # the new server took it as the database's container
    assert warm_api.get(f"/databases/{branch['id']}").json()["data"]["status"] == "running"
    assert rows(branch["connection"]["uri"]) == [("from the parent",)]
    assert "older StagDB" not in warm_server.log_path.read_text()
    assert warm_api.delete(f"/databases/{branch['id']}").status_code == 200
    assert not slot_mounts(warm_server, branch["id"])
    assert waiting(warm_api) == 0  # none are made while they are off

    warm_server.stop()  # on again: made at start for the images in use, before any request
    warm_server.start()
    wait_until(lambda: waiting(warm_api) == WARM, "warm engines are made at start")
    assert warm_api.delete(f"/databases/{parent['id']}").status_code == 200
    assert not slot_mounts(warm_server, parent["id"])


def test_the_command_line_reaches_the_engine_verbatim_and_the_volume_appears_inside(
    docker_client: docker.DockerClient, postgres_image: str, tmp_path: Path
) -> None:
    """Driven directly: arguments with spaces, quotes and `$` arrive as they were sent, and a
    volume bound after the container started is what the container sees."""
    install = f"warmtest{os.getpid()}"
    runtime = DockerRuntime(install, str(tmp_path))
    warm = WarmEngines(runtime, install, "warm-test", tmp_path / "warm", 1, refill_after_s=0)
    engine = ENGINES["postgresql"]
    volume = tmp_path / "volume"
    volume.mkdir()
    os.chown(volume, 999, 999)
    (volume / "seen-inside").write_text("the volume\n")
    command = [
        "sh", "-c", 'cat "$0/seen-inside" > "$0/out"; printf "%s\\n" "$@" >> "$0/out"',
        engine.data_dir, "two words", "it's", "$HOME", "--flag=a=b",
    ]  # fmt: skip

    async def scenario() -> str | None:
        async with warm.running():
            warm.want(engine, postgres_image)
            deadline = time.monotonic() + WITHIN_S
            while not any(warm.waiting().values()) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            return await warm.take(engine, postgres_image, "db-warmtest0001", volume, command)

    try:
        container_id = asyncio.run(scenario())
        assert container_id is not None
        deadline = time.monotonic() + WITHIN_S
        while not (volume / "out").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        assert (volume / "out").read_text().splitlines() == [
            "the volume", "two words", "it's", "$HOME", "--flag=a=b",
        ]  # fmt: skip
        assert (
            docker_client.containers.get(container_id).name == f"stagdb-{install}-db-warmtest0001"
        )
    finally:
        for container in docker_client.containers.list(
            all=True, filters={"label": f"io.stagdb.install={install}"}
        ):
            container.remove(force=True)
        asyncio.run(warm.release("db-warmtest0001"))
        mounts.detach_all_under(tmp_path)
    assert not mounts.mount_points_under(tmp_path)


def test_detach_unmounts_and_takes_not_mounted_or_missing_as_done(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    target.mkdir()
    (source / "file").write_text("seen through the bind\n")
    mounts.bind(source, target)
    try:
        assert (target / "file").read_text() == "seen through the bind\n"
        assert mounts.is_mount_point(target)
    finally:
        mounts.detach(target)
    assert not mounts.is_mount_point(target) and not (target / "file").exists()
    mounts.detach(target)  # not mounted: nothing to do
    mounts.detach(tmp_path / "missing")
    with pytest.raises(mounts.MountFailed):
        mounts.detach(tmp_path / "source" / "file" / "below-a-file")  # ENOTDIR is not "done"
