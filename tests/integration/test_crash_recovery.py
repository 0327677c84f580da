"""kill -9 of the server in the middle of each mutating operation, then a restart: nothing
lost, nothing orphaned, nothing stuck, every status true."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import httpx
import psycopg
import pytest

from app.drivers.storage import open_pool
from tests.conftest import Server, launch_server, shut_down

ATTEMPTS = 8


@pytest.fixture(scope="module")
def crash_server(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[Server]:
    running = launch_server(None, tmp_root)
    yield running
    shut_down(running, docker_client)


def metadata(server: Server, sql: str, *args: object) -> list[tuple]:
    for _ in range(50):
        try:
            with sqlite3.connect(server.data_dir / "stagdb.sqlite3", timeout=1) as connection:
                return connection.execute(sql, args).fetchall()
        except sqlite3.OperationalError:
            time.sleep(0.01)
    raise AssertionError("the metadata database stayed locked")


def kill_during(
    server: Server, kind: str, send: Callable[[httpx.Client], object], delay_s: float
) -> bool:
    """Send a request and SIGKILL the server `delay_s` after its `kind` operation began,
    if it still runs then; False when it finished first."""
    seen_before = {row[0] for row in metadata(server, "SELECT id FROM operations")}
    done = threading.Event()

    def request() -> None:
        try:
            with server.client as api:
                send(api)
        except httpx.TransportError:
            pass  # the server died under it: expected
        finally:
            done.set()

    threading.Thread(target=request, daemon=True).start()
    while not done.is_set():
        running = metadata(
            server, "SELECT id FROM operations WHERE kind=? AND status='running'", kind
        )
        started = [op_id for (op_id,) in running if op_id not in seen_before]
        if started:
            time.sleep(delay_s)
            still = metadata(server, "SELECT status FROM operations WHERE id=?", started[0])
            if still != [("running",)]:
                done.wait(30)
                return False
            server.stop(kill=True)
            done.wait(30)
            return True
        time.sleep(0.002)
    return False


def answers(uri: str) -> bool:
    try:
        with psycopg.connect(uri, connect_timeout=3) as connection:
            return connection.execute("SELECT 1").fetchone() == (1,)
    except psycopg.Error:
        return False


def assert_true_and_tidy(server: Server, docker_client: docker.DockerClient) -> None:
    """After the restart: no operation hangs, statuses match reality, nothing orphaned."""
    deadline = time.monotonic() + 30
    while True:
        try:
            check_state(server, docker_client)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def check_state(server: Server, docker_client: docker.DockerClient) -> None:
    assert metadata(server, "SELECT id FROM operations WHERE status='running'") == []
    assert metadata(server, "SELECT id FROM databases WHERE locked_by IS NOT NULL") == []
    rows = metadata(server, "SELECT id, status, volume FROM databases")
    assert all(status in ("running", "stopped") for _, status, _ in rows), rows
    containers = {
        c.labels.get("io.stagdb.database"): c
        for c in docker_client.containers.list(
            all=True, filters={"label": f"io.stagdb.install={server.install_id}"}
        )
    }
    assert set(containers) <= {row_id for row_id, _, _ in rows}, "orphan containers"
    with server.client as api:
        for row_id, status, _ in rows:
            body = api.get(f"/databases/{row_id}").json()["data"]
            running = row_id in containers and containers[row_id].status == "running"
            if status == "running":
                assert running and answers(body["connection"]["uri"]), f"{row_id} is not up"
            else:
                assert not running, f"{row_id} is stopped but its container runs"
    pool = open_pool("copy", server.pool_path)
    volumes = {volume for volume in pool.list_volumes() if volume.startswith("db-")}
    snapshot_rows = metadata(server, "SELECT id, volume FROM snapshots")
    known_volumes = {volume for _, _, volume in rows} | {volume for _, volume in snapshot_rows}
    known_volumes |= set(server.spare_volumes())
    assert volumes <= known_volumes, f"orphan volumes {volumes - known_volumes}"
    pool_snapshots = {snapshot for _, snapshot in pool.list_snapshots()}
    assert pool_snapshots == {snap_id for snap_id, _ in snapshot_rows}, "snapshots disagree"
    for (snap_id,) in metadata(
        server, "SELECT created_for FROM snapshots WHERE created_for IS NOT NULL"
    ):  # noqa: E501
        assert metadata(server, "SELECT id FROM databases WHERE id=?", snap_id), (
            "stray for- snapshot"
        )


def create(api: httpx.Client, name: str) -> dict:
    response = api.post("/databases", json={"name": name, "type": "postgresql"})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def prepare(api: httpx.Client, kind: str, attempt: int) -> Callable[[httpx.Client], object]:
    """Make what the operation needs; return the request that runs it."""
    name = f"{kind.replace('.', '-')}-{attempt}"
    if kind == "database.create":
        return lambda a: a.post("/databases", json={"name": name, "type": "postgresql"})
    create(api, name)
    if kind == "database.delete":
        for snapshot in ("one", "two"):
            api.post(f"/databases/{name}/snapshots", json={"name": snapshot})
        return lambda a: a.delete(f"/databases/{name}")
    if kind == "snapshot.create":
        return lambda a: a.post(f"/databases/{name}/snapshots", json={"name": "cut"})
    if kind == "branch.create":
        return lambda a: a.post(f"/databases/{name}/branches", json={"name": f"{name}-b"})
    if kind == "branch.reset":
        assert (
            api.post(f"/databases/{name}/branches", json={"name": f"{name}-c"}).status_code == 201
        )
        return lambda a: a.post(f"/databases/{name}-c/reset")
    if kind == "database.start":
        api.post(f"/databases/{name}/stop")
        return lambda a: a.post(f"/databases/{name}/start")
    if kind == "database.stop":
        return lambda a: a.post(f"/databases/{name}/stop")
    assert kind == "database.update"
    api.put(f"/databases/{name}", json={"resources": {"memory": "256m"}})
    return lambda a: a.put(f"/databases/{name}", json={"resources": {"memory": None}})


@pytest.mark.parametrize(
    "kind",
    [
        "database.create",
        "database.delete",
        "snapshot.create",
        "branch.create",
        "branch.reset",
        "database.start",
        "database.stop",
        "database.update",
    ],
)
@pytest.mark.parametrize("delay_s", [0.0, 0.05, 0.15], ids=["early", "soon", "later"])
def test_kill_9_in_the_middle_then_restart(
    crash_server: Server, docker_client: docker.DockerClient, kind: str, delay_s: float
) -> None:
    for attempt in range(ATTEMPTS):
        with crash_server.client as api:
            send = prepare(api, kind, attempt)
        if kill_during(crash_server, kind, send, delay_s / (attempt + 1)):
            break
    else:
        pytest.fail(f"{kind} always finished before it could be interrupted")
    crash_server.start()
    assert_true_and_tidy(crash_server, docker_client)
    with crash_server.client as api:
        for (row_id,) in metadata(
            crash_server, "SELECT id FROM databases ORDER BY created_at DESC"
        ):
            assert api.post(f"/databases/{row_id}/stop").status_code == 200
            assert api.post(f"/databases/{row_id}/start").status_code == 200
        for (row_id,) in metadata(crash_server, "SELECT id FROM databases WHERE parent_id IS NULL"):
            deleted = api.delete(f"/databases/{row_id}?cascade=true")
            assert deleted.status_code == 200, deleted.text
    assert crash_server.leftover_volumes() == []
