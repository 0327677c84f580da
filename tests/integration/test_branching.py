"""Snapshots, branches and reset through HTTP, with real PostgreSQL, on every storage backend."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import docker
import httpx
import psycopg
import pytest

from app.drivers.storage import open_pool
from tests.conftest import Server
from tests.integration.test_databases import container_of, query
from tests.writer import NumberedWriter


def create(api: httpx.Client, path: str, body: dict) -> dict:
    response = api.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def uri_of(api: httpx.Client, ref: str) -> str:
    return api.get(f"/databases/{ref}").json()["data"]["connection"]["uri"]


def count(uri: str, table: str = "items") -> int:
    return query(uri, f"SELECT count(*) FROM {table}")[0][0]


def managed_ids(client: docker.DockerClient, server: Server) -> set[str]:
    found = client.containers.list(
        all=True, filters={"label": f"io.stagdb.install={server.install_id}"}
    )
    return {c.labels["io.stagdb.database"] for c in found}


def test_snapshots_and_branches_hold_the_right_data(
    branching_server: Server, branching_api: httpx.Client
) -> None:
    api = branching_api
    main = create(api, "/databases", {"name": "main", "type": "postgresql"})
    try:
        uri = main["connection"]["uri"]
        query(uri, "CREATE TABLE items AS SELECT generate_series(1, 100) AS n")

        snapshot = create(
            api, "/databases/main/snapshots", {"name": "s1", "description": "100 rows"}
        )
        assert snapshot["id"].startswith("snap-")
        assert (snapshot["name"], snapshot["database_id"], snapshot["status"]) == (
            "s1",
            main["id"],
            "ready",
        )
        assert snapshot["size"]["logical_bytes"] > 1_000_000
        assert api.get(f"/snapshots/{snapshot['id']}").json()["data"] == snapshot

        query(uri, "INSERT INTO items SELECT generate_series(101, 150)")
        live = create(api, "/databases/main/branches", {"name": "live", "description": "now"})
        old = create(api, f"/snapshots/{snapshot['id']}/branches", {"name": "old"})

        assert (live["parent_id"], old["parent_id"]) == (main["id"], main["id"])
        assert old["snapshot_id"] == snapshot["id"]
        assert live["snapshot_id"].startswith("snap-")
        assert live["status"] == old["status"] == "running"
        assert len({main["port"], live["port"], old["port"]}) == 3
        assert live["connection"]["password"] != main["connection"]["password"]
        assert count(live["connection"]["uri"]) == 150
        # Its first start made the copied data durable: one syncfs() of the volume, except on
        # zfs-fuse, whose FUSE mount passes no syncfs on to the daemon: there file by file.
        whole = "fsync" if branching_server.env["STAGDB_STORAGE"] == "zfs" else "syncfs"
        assert query(live["connection"]["uri"], "SHOW recovery_init_sync_method") == [(whole,)]
        # The snapshot the branch request took is measured a moment later, in the background.
        taken = f"/snapshots/{live['snapshot_id']}"
        deadline = time.monotonic() + 30
        while api.get(taken).json()["data"]["size"]["logical_bytes"] is None:
            assert time.monotonic() < deadline, "the branch's snapshot was never measured"
            time.sleep(0.2)
        size = api.get(taken).json()["data"]["size"]
        assert size["logical_bytes"] > 1_000_000 and size["unique_bytes"] is not None
        assert count(old["connection"]["uri"]) == 100

        query(live["connection"]["uri"], "DELETE FROM items")
        assert count(uri) == 150, "writes to a branch never reach its parent"
        query(uri, "INSERT INTO items VALUES (151)")
        assert count(old["connection"]["uri"]) == 100, "writes to the parent never reach a branch"

        nested = create(api, "/databases/live/branches", {"name": "nested"})
        assert nested["parent_id"] == live["id"] and count(nested["connection"]["uri"]) == 0

        branches = api.get("/databases/main/branches", params={"limit": 1}).json()
        assert branches["pagination"] == {"page": 1, "limit": 1, "total": 2, "pages": 2}
        assert [b["name"] for b in api.get("/databases/main/branches").json()["data"]] == [
            "live",
            "old",
        ]
        snapshots = api.get("/databases/main/snapshots").json()
        assert [s["name"] for s in snapshots["data"]] == ["s1", f"for-{live['id']}"]
        assert (
            api.get("/databases", params={"parent_id": "main"}).json()["pagination"]["total"] == 2
        )

        stopped = api.post("/databases/nested/stop").json()["data"]
        assert stopped["status"] == "stopped"
        assert api.post("/databases/nested/start").json()["data"]["status"] == "running"
        assert count(nested["connection"]["uri"]) == 0
    finally:
        api.delete("/databases/main", params={"cascade": "true"})


def test_dependents_block_deletion_unless_cascading(
    branching_api: httpx.Client, branching_server: Server, docker_client: docker.DockerClient
) -> None:
    api = branching_api
    root = create(api, "/databases", {"name": "root", "type": "postgresql"})
    s1 = create(api, "/databases/root/snapshots", {"name": "s1"})
    create(api, f"/snapshots/{s1['id']}/branches", {"name": "from-s1"})
    create(api, "/databases/root/branches", {"name": "child"})
    create(api, "/databases/child/branches", {"name": "grandchild"})

    refused = api.delete("/databases/root")
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "RESOURCE_BUSY",
        "message": "Database 'root' has branches: child, from-s1; "
        "delete them first or pass ?cascade=true",
    }
    refused = api.delete(f"/snapshots/{s1['id']}")
    assert refused.status_code == 409
    assert "has branches: from-s1" in refused.json()["error"]["message"]

    assert api.delete(f"/snapshots/{s1['id']}", params={"cascade": "true"}).status_code == 200
    assert api.get("/databases/from-s1").status_code == 404
    assert api.get(f"/snapshots/{s1['id']}").status_code == 404

    assert api.delete("/databases/root", params={"cascade": "true"}).status_code == 200
    for name in ("root", "child", "grandchild"):
        assert api.get(f"/databases/{name}").status_code == 404
    assert api.get(f"/databases/{root['id']}/snapshots").status_code == 404
    assert managed_ids(docker_client, branching_server) & {root["id"]} == set()
    assert api.get("/databases").json()["pagination"]["total"] == 0
    assert managed_ids(docker_client, branching_server) == set()
    assert branching_server.leftover_volumes() == []


def test_reset_restores_data_and_keeps_the_connection(branching_api: httpx.Client) -> None:
    api = branching_api
    create(api, "/databases", {"name": "origin", "type": "postgresql"})
    query(uri_of(api, "origin"), "CREATE TABLE items AS SELECT generate_series(1, 10) AS n")
    branch = create(api, "/databases/origin/branches", {"name": "pr-7"})
    uri = branch["connection"]["uri"]
    query(uri, "INSERT INTO items SELECT generate_series(11, 20)")
    own = create(api, "/databases/pr-7/snapshots", {"name": "twenty"})
    query(uri, "DROP TABLE items")

    reset = api.post("/databases/pr-7/reset")
    assert reset.status_code == 200, reset.text
    after = reset.json()["data"]
    for field in ("id", "name", "port", "connection", "parent_id", "snapshot_id"):
        assert after[field] == branch[field]
    assert after["status"] == "running"
    assert count(uri) == 10

    again = api.post("/databases/pr-7/reset", json={"snapshot_id": own["id"]})
    assert again.status_code == 200, again.text
    assert count(uri) == 20

    no_origin = api.post("/databases/origin/reset")
    assert no_origin.status_code == 400
    assert "pass snapshot_id" in no_origin.json()["error"]["message"]
    unknown = api.post("/databases/pr-7/reset", json={"snapshot_id": "snap-000000000000"})
    assert unknown.status_code == 404
    assert api.delete("/databases/origin", params={"cascade": "true"}).status_code == 200


def test_snapshot_input_errors(branching_api: httpx.Client) -> None:
    api = branching_api
    create(api, "/databases", {"name": "errs", "type": "postgresql"})
    try:
        create(api, "/databases/errs/snapshots", {"name": "one"})
        duplicate = api.post("/databases/errs/snapshots", json={"name": "one"})
        assert duplicate.status_code == 400 and "already has a snapshot" in duplicate.text
        bad = api.post("/databases/errs/snapshots", json={"name": "Bad Name"})
        assert bad.status_code == 400 and "lowercase" in bad.text
        assert api.post("/databases/nope/snapshots", json={"name": "x"}).status_code == 404
        assert api.get("/snapshots/snap-000000000000").status_code == 404
        assert api.post("/snapshots/nope/branches", json={"name": "x"}).status_code == 404
        taken = api.post("/databases/errs/branches", json={"name": "errs"})
        assert taken.status_code == 400 and "already exists" in taken.text
        assert api.delete("/databases/errs", params={"cascade": "maybe"}).status_code == 400
    finally:
        api.delete("/databases/errs", params={"cascade": "true"})


@contextmanager
def ledger_session(uri: str) -> Iterator[Callable[[int], object]]:
    with psycopg.connect(uri, autocommit=True) as connection:
        yield lambda n: connection.execute("INSERT INTO ledger (n) VALUES (%s)", (n,))


def test_branches_keep_every_committed_write_under_load(
    branching_api: httpx.Client, docker_client: docker.DockerClient
) -> None:
    api = branching_api
    source = create(api, "/databases", {"name": "busy-source", "type": "postgresql"})
    query(
        source["connection"]["uri"],
        "CREATE TABLE ledger (n int PRIMARY KEY, at timestamptz DEFAULT now())",
    )
    writer = NumberedWriter(lambda: ledger_session(source["connection"]["uri"]))
    writer.start()
    taken: list[tuple[dict, int]] = []
    try:
        for round_ in range(3):
            time.sleep(0.3)
            acknowledged = writer.acknowledged
            branch = create(
                api, "/databases/busy-source/branches", {"name": f"under-load-{round_}"}
            )
            taken.append((branch, acknowledged))
            acknowledged = writer.acknowledged
            snap = create(api, "/databases/busy-source/snapshots", {"name": f"load-{round_}"})
            from_snap = create(
                api, f"/snapshots/{snap['id']}/branches", {"name": f"from-load-{round_}"}
            )
            taken.append((from_snap, acknowledged))
    finally:
        writer.running = False
        writer.join(timeout=30)
    assert writer.acknowledged > taken[-1][1] > taken[0][1] > 0, "writes went on during the calls"
    for branch, acknowledged in taken:
        uri = branch["connection"]["uri"]
        rows, highest = query(
            uri, f"SELECT count(*), coalesce(max(n), 0) FROM ledger WHERE n <= {acknowledged}"
        )[0]
        assert (rows, highest) == (acknowledged, acknowledged), "no committed row is missing"
        # amcheck is not a trusted extension: the superuser runs it, over the local socket.
        container = container_of(docker_client, branch["id"])
        checked = container.exec_run(
            ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-U", "postgres",
             "-p", container.labels["io.stagdb.engine-port"], "-d", "app",
             "-c", "CREATE EXTENSION IF NOT EXISTS amcheck",
             "-c", "SELECT bt_index_check('ledger_pkey', true)"],
            user="999:999",
        )  # fmt: skip
        assert checked.exit_code == 0, checked.output
        assert query(uri, "SELECT count(*) FROM ledger")[0][0] >= acknowledged
    assert api.delete("/databases/busy-source", params={"cascade": "true"}).status_code == 200


def test_ten_branch_requests_at_once_all_get_the_parents_data(
    branching_server: Server,
) -> None:
    """Ten branch requests on one parent sent together, while the parent takes writes: all
    succeed on distinct ports, each holding every write acknowledged before it was sent,
    and deleting them leaves none of the snapshots taken for them behind."""
    with branching_server.client as api:
        source = create(api, "/databases", {"name": "fan-out", "type": "postgresql"})
    uri = source["connection"]["uri"]
    query(uri, "CREATE TABLE ledger (n int PRIMARY KEY, at timestamptz DEFAULT now())")
    writer = NumberedWriter(lambda: ledger_session(uri))
    writer.start()

    def branch(n: int) -> tuple[dict, int]:
        with branching_server.client as client:
            acknowledged = writer.acknowledged
            made = create(client, "/databases/fan-out/branches", {"name": f"fan-{n}"})
            return made, acknowledged

    try:
        time.sleep(0.3)
        with ThreadPoolExecutor(max_workers=10) as pool:
            made = list(pool.map(branch, range(10)))
    finally:
        writer.running = False
        writer.join(timeout=30)
    assert len({branch["port"] for branch, _ in made}) == 10, "every branch has its own port"
    assert all(branch["parent_id"] == source["id"] for branch, _ in made)
    for branch, acknowledged in made:
        rows, highest = query(
            branch["connection"]["uri"],
            f"SELECT count(*), coalesce(max(n), 0) FROM ledger WHERE n <= {acknowledged}",
        )[0]
        assert (rows, highest) == (acknowledged, acknowledged), "no committed row is missing"
    with branching_server.client as api:
        for branch, _ in made:
            assert api.delete(f"/databases/{branch['id']}").status_code == 200
        left = api.get("/databases/fan-out/snapshots").json()["data"]
        assert left == [], "the snapshots taken for the branches went with them"
        assert api.delete("/databases/fan-out").status_code == 200


@pytest.fixture
def branching_api(branching_server: Server) -> httpx.Client:
    with branching_server.client as client:
        yield client


def test_a_create_is_served_from_a_spare_clone_of_the_template(
    branching_server: Server, branching_api: httpx.Client
) -> None:
    """Where volumes are directories (not ZFS), the template's next clone is made ahead under
    the id of the database that will take it: a create gets that id and volume, a fresh empty
    database, and another spare is made."""
    api = branching_api
    pool = open_pool(branching_server.env["STAGDB_STORAGE"], branching_server.pool_path)
    first = create(api, "/databases", {"name": "spare-first", "type": "postgresql"})
    made: list[dict] = [first]
    try:
        query(first["connection"]["uri"], "CREATE TABLE mine AS SELECT 1 AS n")
        if not pool.clones_ahead:
            time.sleep(1)  # long enough for a spare to be made where one would be
            assert branching_server.spare_volumes() == []
            assert first["id"] in pool.list_volumes()
            return
        [spare] = wait_for(branching_server.spare_volumes, 30)
        assert spare in pool.list_volumes() and api.get(f"/databases/{spare}").status_code == 404
        second = create(api, "/databases", {"name": "spare-second", "type": "postgresql"})
        made.append(second)
        assert second["id"] == spare
        assert query(second["connection"]["uri"], "SELECT to_regclass('mine')") == [(None,)]
        assert query(second["connection"]["uri"], "SELECT current_user") == [("stagdb",)]
        [another] = wait_for(branching_server.spare_volumes, 30)
        assert another != spare and another in pool.list_volumes()
    finally:
        for database in made:
            api.delete(f"/databases/{database['id']}")


def wait_for(probe: Callable[[], list[str]], timeout_s: float) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while not (found := probe()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found
