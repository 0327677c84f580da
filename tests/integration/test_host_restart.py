"""The host goes down under StagDB: its Docker engine stops (every container with it) and
comes back; the host reboots (engine stopped, pool unmounted) and the server is started
again. Databases report the truth meanwhile and come back at the same URI with their data.

These tests run their own Docker engine (its own socket and data root), so stopping it
touches nothing else on the machine."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import httpx
import psycopg
import pytest

from app.drivers.storage import mounts
from bench.private_engine import PrivateEngine
from tests.conftest import Server, launch_server

HEAL_WITHIN_S = 60


@pytest.fixture(scope="module")
def private_engine(
    docker_client: docker.DockerClient, postgres_image: str
) -> Iterator[PrivateEngine]:
    if shutil.which("dockerd") is None:
        pytest.fail("dockerd is missing: scripts/install-test-deps.sh installs docker.io")
    engine = PrivateEngine.create(postgres_image)
    try:
        yield engine
    finally:
        log = (engine.root / "dockerd.log").read_text(errors="replace")
        for line in log.splitlines():
            if "busy" in line:  # Docker's own account of a removal it failed, for the report
                print(line)
        engine.destroy()


def with_data(api: httpx.Client, name: str) -> dict:
    made = api.post("/databases", json={"name": name, "type": "postgresql"})
    assert made.status_code == 201, made.text
    database = made.json()["data"]
    with psycopg.connect(database["connection"]["uri"], autocommit=True) as connection:
        connection.execute(f"CREATE TABLE kept AS SELECT '{name}' AS note")
    return database


def has_data(database: dict) -> bool:
    try:
        with psycopg.connect(database["connection"]["uri"], connect_timeout=2) as connection:
            return connection.execute("SELECT note FROM kept").fetchall() == [(database["name"],)]
    except psycopg.Error:
        return False


def wait_for(check, timeout_s: float = HEAL_WITHIN_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s")
        time.sleep(0.25)


def stop_server(server: Server) -> None:
    server.stop()
    shutil.rmtree(server.data_dir, ignore_errors=True)


def test_an_engine_restart_brings_every_database_back(
    private_engine: PrivateEngine, tmp_root: Path
) -> None:
    server = launch_server(None, tmp_root, {"STAGDB_DOCKER_HOST": private_engine.url})
    try:
        with server.client as api:
            databases = [with_data(api, f"engine-{n}") for n in range(3)]
            private_engine.stop()

            def none_claims_to_run() -> bool:
                statuses = {
                    api.get(f"/databases/{d['id']}").json()["data"]["status"] for d in databases
                }
                return statuses == {"failed"}

            wait_for(none_claims_to_run, timeout_s=15)
            private_engine.start()
            wait_for(lambda: all(has_data(d) for d in databases))
            for database in databases:
                body = api.get(f"/databases/{database['id']}").json()["data"]
                assert body["status"] == "running" and body["error"] is None
                assert body["connection"]["uri"] == database["connection"]["uri"]
                deleted = api.delete(f"/databases/{database['id']}")
                assert deleted.status_code == 200, deleted.text
    finally:
        stop_server(server)


def test_after_a_reboot_the_server_remounts_its_pool_and_brings_databases_back(
    private_engine: PrivateEngine, tmp_root: Path
) -> None:
    """A pool setup made on an image file, unmounted as by a reboot, with the engine's
    containers gone: `stagdb serve` alone mounts it again and brings the databases back."""
    server = launch_server(
        None, tmp_root, {"STAGDB_DOCKER_HOST": private_engine.url, "STAGDB_STORAGE": "btrfs",
                         "STAGDB_POOL_SIZE_GIB": "1", "STAGDB_MARIADB_VERSIONS": ""}, setup=True,
    )  # fmt: skip
    pool = server.data_dir / "pool"
    try:
        with server.client as api:
            stays_up = with_data(api, "after-reboot")
            stays_down = with_data(api, "stopped-before")
            assert api.post("/databases/stopped-before/stop").status_code == 200
        server.stop()
        private_engine.stop()
        subprocess.run(["umount", str(pool)], check=True)
        assert pool not in {m.mount_point for m in mounts()}
        private_engine.start()

        server.start()
        assert pool in {m.mount_point for m in mounts()}
        wait_for(lambda: has_data(stays_up))
        with server.client as api:
            assert api.get("/databases/after-reboot").json()["data"]["status"] == "running"
            assert api.get("/databases/stopped-before").json()["data"]["status"] == "stopped"
            assert api.post("/databases/stopped-before/start").status_code == 200
            assert has_data(stays_down)
            for name in ("after-reboot", "stopped-before"):
                deleted = api.delete(f"/databases/{name}")
                assert deleted.status_code == 200, deleted.text
    finally:
        server.stop()
        mine = {"label": f"io.stagdb.install={server.install_id}"}  # not an earlier test's
        try:
            for container in private_engine.client.containers.list(all=True, filters=mine):
                container.remove(force=True)
        finally:
            subprocess.run(["umount", str(pool)], check=False)
            shutil.rmtree(server.data_dir, ignore_errors=True)
