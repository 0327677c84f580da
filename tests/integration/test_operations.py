"""Locking, rollback and restart reconciliation: nothing is lost or left half-made."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import docker
import httpx
import pytest

from app.domain import operations
from tests.conftest import Server, launch_server, shut_down
from tests.integration.test_upkeep import wait_until


def managed_containers(client: docker.DockerClient, server: Server) -> list:
    return client.containers.list(
        all=True, filters={"label": f"io.stagdb.install={server.install_id}"}
    )


def volumes(server: Server) -> list[str]:
    return sorted(server.leftover_volumes())


def test_second_mutation_on_a_busy_database_gets_409(api: httpx.Client, server: Server) -> None:
    assert api.post("/databases", json={"name": "busy", "type": "postgresql"}).status_code == 201

    async def stop_and_delete() -> tuple[httpx.Response, httpx.Response]:
        headers = {"Authorization": f"Bearer {server.key}"}
        async with httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=60) as c:
            stop = asyncio.create_task(c.post("/databases/busy/stop"))
            await asyncio.sleep(0.02)
            delete = asyncio.create_task(c.delete("/databases/busy"))
            return await stop, await delete

    # Sent 20 ms apart, but which takes the database first is the server's business (with
    # PostgreSQL metadata the delete sometimes does): one of the two is refused, whole.
    stop, delete = asyncio.run(stop_and_delete())
    assert sorted([stop.status_code, delete.status_code]) == [200, 409], (stop.text, delete.text)
    refused = stop if stop.status_code == 409 else delete
    assert refused.json()["error"]["code"] == "RESOURCE_BUSY"
    assert "busy" in refused.json()["error"]["message"]
    if stop.status_code == 200:  # the stop won: the database is stopped and still there
        assert api.get("/databases/busy").json()["data"]["status"] == "stopped"
        assert api.delete("/databases/busy").status_code == 200
    assert api.get("/databases/busy").status_code == 404


BROKEN_IMAGE = "localhost/stagdb-test-broken-postgres:15"


@pytest.fixture
def broken_engine_server(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[Server]:
    """A server whose postgres:15 image initialises data dirs but whose server exits at once,
    so a create fails after storage and container were already made."""
    builder = docker_client.containers.run(
        postgres_image,
        ["sh", "-c", "mkdir /broken && printf '#!/bin/sh\\nexit 3\\n' > /broken/postgres "
                     "&& chmod 755 /broken/postgres"],
        user="0:0", detach=True, labels={"io.stagdb.test": "true"},
    )  # fmt: skip
    builder.wait(timeout=60)
    path = "/broken:/usr/lib/postgresql/15/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    builder.commit(*BROKEN_IMAGE.split(":"), changes=[f"ENV PATH={path}"])
    builder.remove(force=True)
    server = launch_server(None, tmp_root, {"STAGDB_IMAGE_POSTGRESQL_15": BROKEN_IMAGE})
    yield server
    shut_down(server, docker_client)
    docker_client.images.remove(BROKEN_IMAGE, force=True)


def test_failed_create_rolls_back_every_step(
    broken_engine_server: Server, docker_client: docker.DockerClient
) -> None:
    with broken_engine_server.client as api:
        response = api.post("/databases", json={"name": "doomed", "type": "postgresql"})
        assert response.status_code == 500, response.text
        error = response.json()["error"]
        assert error["code"] == "SERVER_ERROR"
        assert "postgresql exited during start-up" in error["message"]
        assert api.get("/databases/doomed").status_code == 404
        assert api.get("/databases").json()["pagination"]["total"] == 0
    assert managed_containers(docker_client, broken_engine_server) == []
    assert volumes(broken_engine_server) == []
    with sqlite3.connect(broken_engine_server.data_dir / "stagdb.sqlite3") as metadata:
        kind, status, error = metadata.execute(
            "SELECT kind, status, error FROM operations"
        ).fetchone()
    assert (kind, status) == ("database.create", "failed") and "exited" in error


def test_restart_reconciles_half_made_work(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> None:
    server = launch_server(None, tmp_root)
    try:
        with server.client as api:
            kept = api.post("/databases", json={"name": "kept", "type": "postgresql"}).json()[
                "data"
            ]
            half = api.post("/databases", json={"name": "half", "type": "postgresql"}).json()[
                "data"
            ]
        server.stop(kill=True)
        # Simulate a crash in the middle of creating `half` and of an operation on `kept`.
        with sqlite3.connect(server.data_dir / "stagdb.sqlite3") as metadata:
            metadata.execute("UPDATE databases SET status='creating', locked_by='op-x' WHERE id=?",
                             (half["id"],))  # fmt: skip
            metadata.execute("UPDATE databases SET locked_by='op-y' WHERE id=?", (kept["id"],))
            metadata.execute(
                "INSERT INTO operations (id, kind, database_id, status, created_at) "
                "VALUES ('op-y', 'database.stop', ?, 'running', CURRENT_TIMESTAMP)",
                (kept["id"],),
            )
        orphan = server.data_dir / "pool" / "volumes" / "db-orphan0000000"
        orphan.mkdir()
        server.start()
        with server.client as api:
            assert api.get("/databases/half").status_code == 404
            assert api.get("/databases/kept").json()["data"]["status"] == "running"
            assert api.post("/databases/kept/stop").status_code == 200  # lock was released
        # The orphan goes at the controller's first sweep, which runs beside the first requests.
        wait_until(lambda: volumes(server) == [kept["id"]], what="the orphan volume is destroyed")
        labels = [c.labels["io.stagdb.database"] for c in managed_containers(docker_client, server)]
        assert labels == [kept["id"]]
        with sqlite3.connect(server.data_dir / "stagdb.sqlite3") as metadata:
            status, error = metadata.execute(
                "SELECT status, error FROM operations WHERE id='op-y'"
            ).fetchone()
        assert status == "failed" and "interrupted" in error
    finally:
        shut_down(server, docker_client)


def test_restart_leaves_work_of_live_processes_alone(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> None:
    """Another replica's operation (its lease renewed) keeps its database and lock; an
    operation of a process that has ended, or on another machine whose lease has passed, is
    failed and its lock can be taken."""
    server = launch_server(None, tmp_root)
    try:
        with server.client as api:
            elsewhere = api.post("/databases", json={"name": "elsewhere", "type": "postgresql"})
            elsewhere_id = elsewhere.json()["data"]["id"]
        server.stop()
        gone = f"{socket.gethostname()}:999999:1:dead0000"
        remote = "another-machine:4242:77:beef0000"
        soon = (datetime.now(UTC) + timedelta(minutes=10)).isoformat(sep=" ")
        passed = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(sep=" ")
        with sqlite3.connect(server.data_dir / "stagdb.sqlite3") as metadata:
            for op_id, owner, lease in (
                ("op-live", operations.THIS_PROCESS, soon),
                ("op-gone", gone, soon),
                ("op-expire", remote, passed),
            ):
                metadata.execute(
                    "INSERT INTO operations (id, kind, database_id, owner, status, created_at,"
                    " lease_expires_at) VALUES (?, 'database.stop', ?, ?, 'running',"
                    " CURRENT_TIMESTAMP, ?)",
                    (op_id, elsewhere_id, owner, lease),
                )
            metadata.execute(
                "UPDATE databases SET locked_by='op-live', lock_expires_at=? WHERE id=?",
                (soon, elsewhere_id),
            )
        server.start()
        with server.client as api:
            busy = api.post("/databases/elsewhere/stop")
            assert busy.status_code == 409, "the live process still holds the lock"
        with sqlite3.connect(server.data_dir / "stagdb.sqlite3") as metadata:
            states = dict(
                metadata.execute(
                    "SELECT id, status FROM operations"
                    " WHERE id IN ('op-live', 'op-gone', 'op-expire')"
                )
            )
            # The live replica's lease passes without renewal: its lock is free for the taking.
            metadata.execute(
                "UPDATE databases SET lock_expires_at=? WHERE id=?", (passed, elsewhere_id)
            )
        assert states == {"op-live": "running", "op-gone": "failed", "op-expire": "failed"}
        with server.client as api:
            assert api.post("/databases/elsewhere/stop").status_code == 200
        with server.client as api:
            assert api.delete("/databases/elsewhere").status_code == 200
    finally:
        shut_down(server, docker_client)
