"""The seed workflow and the database lifecycle, through HTTP against real containers."""

from __future__ import annotations

import json
import time

import docker
import httpx
import psycopg
import pytest

from tests.conftest import Server


def create(api: httpx.Client, name: str, **fields: object) -> dict:
    response = api.post("/databases", json={"name": name, "type": "postgresql", **fields})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def query(uri: str, sql: str) -> list[tuple]:
    """Run one statement over a real client connection; rows if it returns any."""
    with psycopg.connect(uri, connect_timeout=5) as connection:
        cursor = connection.execute(sql)
        return cursor.fetchall() if cursor.description else []


def container_of(client: docker.DockerClient, database_id: str):
    found = client.containers.list(all=True, filters={"label": f"io.stagdb.database={database_id}"})
    return found[0] if found else None


def test_seed_workflow_gives_a_database_psql_can_use(api: httpx.Client) -> None:
    response = api.post(
        "/databases",
        headers={"Content-Type": "application/json"},
        content=json.dumps({"name": "my-app-db", "type": "postgresql", "version": "15"}),
    )
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True and body["message"]
    created = body["data"]
    assert created["id"].startswith("db-")
    assert (created["name"], created["type"], created["version"]) == (
        "my-app-db",
        "postgresql",
        "15",
    )
    assert created["status"] == "running"

    fetched = api.get("/databases/my-app-db").json()["data"]
    assert fetched["id"] == created["id"]
    connection = fetched["connection"]
    assert connection["uri"].startswith("postgresql://stagdb:")
    assert connection["uri"].endswith(f":{fetched['port']}/app")
    assert (connection["username"], connection["database"], fetched["superuser"]) == (
        "stagdb",
        "app",
        False,
    )
    assert (connection["host"], connection["port"]) == ("127.0.0.1", fetched["port"])

    query(connection["uri"], "CREATE TABLE notes (id serial primary key, body text)")
    query(connection["uri"], "INSERT INTO notes (body) VALUES ('hello') RETURNING id")
    assert query(connection["uri"], "SELECT body FROM notes") == [("hello",)]

    by_id = api.get(f"/databases/{created['id']}").json()["data"]
    assert by_id["name"] == "my-app-db"
    assert api.delete("/databases/my-app-db").status_code == 200


def test_password_is_required_and_not_visible_in_docker_inspect(
    api: httpx.Client, docker_client: docker.DockerClient
) -> None:
    database = create(api, "secret-check")
    try:
        password = database["connection"]["password"]
        assert len(password) >= 20
        inspected = json.dumps(container_of(docker_client, database["id"]).attrs)
        assert password not in inspected
        wrong = database["connection"]["uri"].replace(password, "wrong-password")
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            query(wrong, "SELECT 1")
        other = create(api, "secret-check-2")
        assert other["connection"]["password"] != password
        api.delete("/databases/secret-check-2")
    finally:
        api.delete("/databases/secret-check")


def test_stop_start_keeps_data_and_connection(api: httpx.Client) -> None:
    database = create(api, "lifecycle")
    uri = database["connection"]["uri"]
    try:
        query(uri, "CREATE TABLE kept AS SELECT 42 AS answer")
        stopped = api.post("/databases/lifecycle/stop").json()["data"]
        assert stopped["status"] == "stopped"
        with pytest.raises(psycopg.OperationalError):
            query(uri, "SELECT 1")
        again = api.post("/databases/lifecycle/stop")
        assert again.status_code == 200 and again.json()["data"]["status"] == "stopped"

        started = api.post("/databases/lifecycle/start").json()["data"]
        assert started["status"] == "running"
        assert started["connection"]["uri"] == uri
        assert query(uri, "SELECT answer FROM kept") == [(42,)]
    finally:
        api.delete("/databases/lifecycle")


def test_update_renames_and_changes_resources_keeping_data(
    api: httpx.Client, docker_client: docker.DockerClient
) -> None:
    database = create(api, "resize-me", resources={"memory": "512m"})
    uri = database["connection"]["uri"]
    try:
        assert (
            container_of(docker_client, database["id"]).attrs["HostConfig"]["Memory"] == 512 * 2**20
        )
        query(uri, "CREATE TABLE kept AS SELECT 1 AS one")

        response = api.put(
            "/databases/resize-me",
            json={
                "name": "resized",
                "description": "feature x",
                "resources": {"memory": "1g", "cpus": 0.5},
            },
        )
        assert response.status_code == 200, response.text
        updated = response.json()["data"]
        assert (updated["name"], updated["description"]) == ("resized", "feature x")
        assert updated["resources"] == {"memory": "1g", "cpus": 0.5, "settings": {}}
        host_config = container_of(docker_client, database["id"]).attrs["HostConfig"]
        assert host_config["Memory"] == 2**30
        assert host_config["CpuQuota"] == 50_000
        assert api.get("/databases/resize-me").status_code == 404

        lifted = api.put("/databases/resized", json={"resources": {"memory": None, "cpus": None}})
        assert lifted.status_code == 200, lifted.text
        assert lifted.json()["data"]["resources"] == {"memory": None, "cpus": None, "settings": {}}
        host_config = container_of(docker_client, database["id"]).attrs["HostConfig"]
        assert host_config["Memory"] == 0
        assert lifted.json()["data"]["connection"]["uri"] == uri
        assert query(uri, "SELECT one FROM kept") == [(1,)]
        assert query(uri, "SHOW max_connections") == [("25",)], "the idle default"
        assert query(uri, "SHOW recovery_init_sync_method") == [("syncfs",)]

        tuned = api.put(
            "/databases/resized", json={"resources": {"settings": {"max_connections": 42}}}
        )
        assert tuned.status_code == 200, tuned.text
        assert tuned.json()["data"]["resources"]["settings"] == {"max_connections": 42}
        assert query(uri, "SHOW max_connections") == [("42",)]
        assert query(uri, "SELECT one FROM kept") == [(1,)]
        refused = api.put("/databases/resized", json={"resources": {"settings": {"fsync": False}}})
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
        assert "'fsync' cannot be overridden" in refused.json()["error"]["message"]
    finally:
        api.delete(f"/databases/{database['id']}")


def test_delete_removes_container_volume_and_record(
    api: httpx.Client, server: Server, docker_client: docker.DockerClient
) -> None:
    database = create(api, "short-lived")
    volume = server.data_dir / "pool" / "volumes" / database["id"]
    assert volume.is_dir()
    response = api.delete("/databases/short-lived")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": None,
        "message": "Database deleted successfully",
    }
    assert container_of(docker_client, database["id"]) is None
    assert not volume.exists()
    assert api.get(f"/databases/{database['id']}").status_code == 404


def test_list_paginates_and_filters(api: httpx.Client) -> None:
    names = [f"page-{n}" for n in range(3)]
    for name in names:
        create(api, name)
    try:
        first = api.get("/databases", params={"limit": 2, "page": 1}).json()
        second = api.get("/databases", params={"limit": 2, "page": 2}).json()
        assert first["pagination"] == {"page": 1, "limit": 2, "total": 3, "pages": 2}
        assert [d["name"] for d in first["data"] + second["data"]] == names
        api.post("/databases/page-1/stop")
        stopped = api.get("/databases", params={"status": "stopped"}).json()
        assert [d["name"] for d in stopped["data"]] == ["page-1"]
        typed = api.get("/databases", params={"type": "postgresql"}).json()
        assert typed["pagination"]["total"] == 3
    finally:
        for name in names:
            api.delete(f"/databases/{name}")


def exec_starts(client: docker.DockerClient, container_id: str, since: float) -> list[dict]:
    """The `docker exec` runs started in the container since `since` (Docker's event log)."""
    events = client.events(
        since=since, until=time.time() + 0.5, decode=True,
        filters={"container": container_id, "event": "exec_start"},
    )  # fmt: skip
    return list(events)


def test_a_snapshot_checkpoints_over_the_network_and_falls_back_to_exec(
    api: httpx.Client, docker_client: docker.DockerClient
) -> None:
    """PostgreSQL 15's connection account holds pg_checkpoint: a snapshot runs nothing inside
    the container. One whose account lost it (older data) is still checkpointed, by exec."""
    database = create(api, "checkpointed")
    uri = database["connection"]["uri"]
    query(uri, "CREATE TABLE kept AS SELECT 1 AS n")
    container = container_of(docker_client, database["id"])
    requested = "SELECT checkpoints_req FROM pg_stat_bgwriter"
    [(before,)] = query(uri, requested)
    started = time.time()
    assert api.post("/databases/checkpointed/snapshots", json={"name": "one"}).status_code == 201
    assert exec_starts(docker_client, container.id, started) == []
    [(after,)] = query(uri, requested)
    assert after == before + 1, "the snapshot's checkpoint was taken, over the network"

    revoked = container.exec_run(
        ["psql", "-h", "/var/run/postgresql", "-p", str(database["port"] + 10000), "-U",
         "postgres", "-Xqc", "REVOKE pg_checkpoint FROM stagdb"], user="999:999",
    )  # fmt: skip
    assert revoked.exit_code == 0, revoked.output
    query(uri, "INSERT INTO kept VALUES (2)")
    started = time.time()
    branch = api.post("/databases/checkpointed/branches", json={"name": "from-now"})
    assert branch.status_code == 201, branch.text
    assert len(exec_starts(docker_client, container.id, started)) == 1
    rows = query(branch.json()["data"]["connection"]["uri"], "SELECT n FROM kept ORDER BY n")
    assert rows == [(1,), (2,)]
    assert api.delete("/databases/checkpointed?cascade=true").status_code == 200
